/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for al_terms.  The first byte splits the rest: the
 * first (size - 1) * data[0] / 255 bytes are a report's text, the others
 * a sketch.  Checks the contract as well as memory safety:
 * - text: every token is 1 to AL_TERM_LEN_MAX bytes with known flags, at
 *   most AL_TERMS_TOKENS_MAX of them; the terms are sorted, unique, with
 *   tf >= 1 and known flags, at most AL_TERMS_MAX; they encode, decode to
 *   the same terms and encode again to the same bytes;
 * - sketch: al_terms_decode either accepts it, and then encoding gives the
 *   same bytes back, or refuses it with AL_EINVAL, a "sketch: " message
 *   and empty terms.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "al_terms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TOKEN_FLAGS (AL_TERM_VERSION | AL_TERM_URL | AL_TERM_CODE)
#define ALL_FLAGS   (TOKEN_FLAGS | AL_TERM_TITLE)

static const uint8_t key[AL_TERMS_KEY_LEN] = "fuzz-terms-key!";

static int check_token(const char *tok, size_t n, unsigned flags, void *ctx)
{
	size_t *count = ctx;

	if (n == 0 || n > AL_TERM_LEN_MAX || (flags & ~TOKEN_FLAGS) ||
	    !tok)
		abort();
	if (++*count > AL_TERMS_TOKENS_MAX)
		abort();
	return 0;
}

static void check_terms(const struct al_terms *t)
{
	if (t->n > AL_TERMS_MAX || t->n > t->cap)
		abort();
	for (size_t i = 0; i < t->n; i++) {
		if (t->v[i].tf == 0 || (t->v[i].flags & ~ALL_FLAGS))
			abort();
		if (i > 0 && t->v[i - 1].hash >= t->v[i].hash)
			abort();
		if (al_terms_find(t, t->v[i].hash) != &t->v[i])
			abort();
	}
}

static void same_terms(const struct al_terms *a, const struct al_terms *b)
{
	if (a->n != b->n)
		abort();
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].hash != b->v[i].hash || a->v[i].tf != b->v[i].tf ||
		    a->v[i].flags != b->v[i].flags)
			abort();
}

static void fuzz_text(const char *text, size_t len)
{
	struct al_terms t = {0}, back = {0};
	struct al_error err = {0};
	uint8_t *b = NULL, *b2 = NULL;
	size_t n = 0, n2 = 0, count = 0;

	if (al_terms_tokens(text, len, check_token, &count) != 0)
		abort();
	if (al_terms_add_text(&t, key, text, len, AL_TERM_TITLE, &err) ||
	    al_terms_add_text(&t, key, text, len, 0, &err))
		goto out; /* out of memory */
	check_terms(&t);
	if (al_terms_encode(&t, &b, &n, &err))
		goto out;
	if (n != 8 + 7 * t.n)
		abort();
	if (al_terms_decode(b, n, &back, &err) != 0)
		abort();
	same_terms(&t, &back);
	if (al_terms_encode(&back, &b2, &n2, &err))
		goto out;
	if (n2 != n || memcmp(b, b2, n) != 0)
		abort();
out:
	free(b);
	free(b2);
	al_terms_free(&t);
	al_terms_free(&back);
}

static void fuzz_sketch(const uint8_t *data, size_t len)
{
	struct al_terms t = {0};
	struct al_error err = {0};
	uint8_t *copy = malloc(len ? len : 1), *b = NULL;
	size_t n = 0;
	int rc;

	if (!copy)
		return;
	memcpy(copy, data, len); /* exact size: reads past it are caught */
	rc = al_terms_decode(copy, len, &t, &err);
	if (rc == 0) {
		check_terms(&t);
		if (al_terms_encode(&t, &b, &n, &err) == 0 &&
		    (n != len || memcmp(b, data, len) != 0))
			abort();
	} else if (rc == AL_EINVAL) {
		if (err.code != AL_EINVAL ||
		    strncmp(err.msg, "sketch: ", 8) != 0 || t.n != 0)
			abort();
	} else if (rc != AL_ENOMEM) {
		abort();
	}
	free(b);
	free(copy);
	al_terms_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t na;
	char *text;

	if (size == 0 || size > 256 * 1024)
		return 0;
	na = (size - 1) * data[0] / 255;
	text = malloc(na ? na : 1);
	if (!text)
		return 0;
	memcpy(text, data + 1, na);
	fuzz_text(text, na);
	free(text);
	fuzz_sketch(data + 1 + na, size - 1 - na);
	return 0;
}
