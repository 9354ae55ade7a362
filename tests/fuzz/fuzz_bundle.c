/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the inner-archive reader: the input is the tar
 * bytes, read from memory twice, once in the largest pieces and once in
 * small pieces of varying size.  Besides the sanitizers it checks that
 * both reads give the same verdict and the same message (refusals come in
 * stream order whatever the reads); that a message has no control
 * character (untrusted text made visible); that the entry callbacks see
 * exactly each entry's size in data, begin and end paired; and that an
 * accepted archive's content hash and length are those of the input, with
 * every listed file seen once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "al_bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct src {
	const uint8_t *data;
	size_t len, pos;
	size_t step; /* 0: as much as asked; else varying small pieces */
};

static ssize_t mem_read(void *ctx, void *buf, size_t len, struct al_error *err)
{
	struct src *s = ctx;
	size_t n = s->len - s->pos;

	(void)err;
	if (s->step) {
		size_t piece = 1 + (s->pos * 31 + s->step) % 700;

		if (n > piece)
			n = piece;
	}
	if (n > len)
		n = len;
	memcpy(buf, s->data + s->pos, n);
	s->pos += n;
	return (ssize_t)n;
}

struct seen {
	bool open;
	uint64_t size, got;
	size_t entries;
};

static int on_begin(void *ctx, const char *name, uint64_t size,
		    struct al_error *err)
{
	struct seen *s = ctx;

	(void)err;
	if (s->open || !name || !name[0])
		abort();
	s->open = true;
	s->size = size;
	s->got = 0;
	return 0;
}

static int on_data(void *ctx, const void *buf, size_t len, struct al_error *err)
{
	struct seen *s = ctx;

	(void)buf;
	(void)err;
	if (!s->open || len == 0)
		abort();
	s->got += len;
	if (s->got > s->size)
		abort();
	return 0;
}

static int on_end(void *ctx, struct al_error *err)
{
	struct seen *s = ctx;

	(void)err;
	if (!s->open || s->got != s->size)
		abort();
	s->open = false;
	s->entries++;
	return 0;
}

static void check_message(const char *msg)
{
	if (!msg[0])
		abort();
	for (const char *c = msg; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			abort();
}

static void check_accepted(const struct al_bundle *b, const uint8_t *data,
			   size_t size, const struct seen *s)
{
	char hex[AL_SHA256_HEX];

	al_sha256_hex(data, size, hex);
	if (strcmp(hex, b->content_sha256) != 0 || b->content_bytes != size)
		abort();
	if (!b->manifest || b->nentries != s->entries + 1)
		abort();
	if (json_array_size(json_object_get(b->manifest, "files")) !=
	    s->entries)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct src whole = {data, size, 0, 0}, pieces = {data, size, 0, 1};
	struct seen s1 = {0}, s2 = {0};
	struct al_bundle_entry_cb cb1 = {on_begin, on_data, on_end, &s1};
	struct al_bundle_entry_cb cb2 = {on_begin, on_data, on_end, &s2};
	struct al_bundle b1, b2;
	struct al_error e1 = {0}, e2 = {0};
	int rc1, rc2;

	pieces.step = 1 + (size ? data[0] : 0);
	rc1 = al_bundle_read(mem_read, &whole, NULL, &cb1, &b1, NULL, &e1);
	rc2 = al_bundle_read(mem_read, &pieces, NULL, &cb2, &b2, NULL, &e2);
	if (rc1 != rc2)
		abort();
	if (rc1) {
		if (strcmp(e1.msg, e2.msg) != 0 || e1.code != rc1)
			abort();
		check_message(e1.msg);
	} else {
		check_accepted(&b1, data, size, &s1);
		check_accepted(&b2, data, size, &s2);
		if (strcmp(b1.manifest_sha256, b2.manifest_sha256) != 0)
			abort();
	}
	al_bundle_release(&b1);
	al_bundle_release(&b2);
	return 0;
}
