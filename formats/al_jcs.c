/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RFC 8785 canonical JSON, for the ledger's event bytes.  jansson's own
 * dumper is close but not canonical: it writes \u001F in upper case and
 * sorts keys by their UTF-8 bytes, where RFC 8785 sorts by UTF-16 code
 * units (U+E000-U+FFFF come after the surrogate pairs of U+10000 and up).
 * So the value is walked here and written into a growing buffer.
 */
#include "al_jcs.h"

#include <assert.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "al_text.h"

#define JCS_MAX_DEPTH 64
/* RFC 8785 3.2.2.3 (I-JSON): integers outside +-(2^53 - 1) lose precision
 * in an IEEE 754 double, so another implementation would write them
 * differently.  The ledger refuses them rather than guess. */
#define JCS_MAX_INT ((json_int_t)9007199254740991LL)
/* How much of the path to a refused value a message shows. */
#define JCS_PATH_MAX 96

struct jcs_buf {
	char *p;
	size_t len, cap;
};

/* Where the walk is, for messages: the keys and indexes from the top. */
struct jcs_step {
	const char *key; /* NULL for an array index */
	size_t keylen;
	size_t index;
};

struct jcs {
	struct jcs_buf out;
	struct jcs_step path[JCS_MAX_DEPTH + 1];
	unsigned depth;
	struct al_error *err;
};

static int put(struct jcs *j, const char *s, size_t n)
{
	struct jcs_buf *b = &j->out;

	if (n > SIZE_MAX - 1 - b->len)
		return al_error_set(j->err, AL_ENOMEM,
				    "canonical json: output too large");
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + n + 1)
			cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
		p = realloc(b->p, cap);
		if (!p)
			return al_error_set(j->err, AL_ENOMEM, "out of memory");
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int put_char(struct jcs *j, char c)
{
	return put(j, &c, 1);
}

/* The path to the value being written, "/data/tags/2" (keys made
 * visible), cut to fit; "/" for the top. */
static const char *path_text(const struct jcs *j, char *buf, size_t bufsz)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned i = 1; i <= j->depth && n + 1 < bufsz; i++) {
		const struct jcs_step *st = &j->path[i];
		char part[48];

		if (st->key)
			al_text_visible(st->key, st->keylen, part,
					sizeof(part));
		else
			snprintf(part, sizeof(part), "%zu", st->index);
		n += (size_t)snprintf(buf + n, bufsz - n, "/%s", part);
		if (n >= bufsz) {
			n = bufsz - 1;
			if (bufsz > 4)
				memcpy(buf + bufsz - 4, "...", 4);
		}
	}
	if (n == 0)
		snprintf(buf, bufsz, "/");
	return buf;
}

/* s[0..len) as an RFC 8785 string: s must be valid UTF-8 (checked by the
 * caller). */
static int put_string(struct jcs *j, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;
	int rc;

	if ((rc = put_char(j, '"')) < 0)
		return rc;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];
		size_t n = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		/* flush the plain bytes before this one */
		if ((rc = put(j, s + run, i - run)) < 0)
			return rc;
		run = i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\t':
			esc[1] = 't';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
			break;
		}
		if ((rc = put(j, esc, n)) < 0)
			return rc;
	}
	if ((rc = put(j, s + run, len - run)) < 0)
		return rc;
	return put_char(j, '"');
}

struct jcs_member {
	const char *key;
	size_t keylen;
	json_t *value;
};

/*
 * A code point's rank in UTF-16 code unit order.  Below U+D800 and from
 * U+10000 up (surrogate pairs, D800-DBFF first) code point order is UTF-16
 * order; U+E000-U+FFFF are single units above every surrogate, so they
 * rank after U+10FFFF.  Keys are valid UTF-8, so no surrogate code point
 * appears.
 */
static ucs4_t utf16_rank(ucs4_t cp)
{
	return cp >= 0xe000 && cp <= 0xffff ? cp + 0x110000 : cp;
}

static int member_cmp(const void *pa, const void *pb)
{
	const struct jcs_member *a = pa, *b = pb;
	const uint8_t *s = (const uint8_t *)a->key;
	const uint8_t *t = (const uint8_t *)b->key;
	const uint8_t *se = s + a->keylen, *te = t + b->keylen;

	while (s < se && t < te) {
		ucs4_t c, d;

		s += u8_mbtouc_unsafe(&c, s, (size_t)(se - s));
		t += u8_mbtouc_unsafe(&d, t, (size_t)(te - t));
		if (c != d)
			return utf16_rank(c) < utf16_rank(d) ? -1 : 1;
	}
	if (s < se)
		return 1;
	return t < te ? -1 : 0;
}

static int put_value(struct jcs *j, const json_t *v);

/* An array or object opens one more level: the top one is the first. */
static int check_depth(struct jcs *j)
{
	char where[JCS_PATH_MAX];

	if (j->depth >= JCS_MAX_DEPTH)
		return al_error_set(j->err, AL_EINVAL,
				    "canonical json: '%s' is nested deeper "
				    "than %d levels",
				    path_text(j, where, sizeof(where)),
				    JCS_MAX_DEPTH);
	return 0;
}

static void enter(struct jcs *j, const char *key, size_t keylen, size_t index)
{
	assert(j->depth < JCS_MAX_DEPTH);
	j->depth++;
	j->path[j->depth].key = key;
	j->path[j->depth].keylen = keylen;
	j->path[j->depth].index = index;
}

static int put_object(struct jcs *j, const json_t *v)
{
	struct jcs_member *m = NULL;
	size_t n = json_object_size(v), i = 0;
	const char *key;
	json_t *value;
	int rc = 0;

	if ((rc = check_depth(j)) < 0)
		return rc;
	if (n == 0)
		return put(j, "{}", 2);
	m = calloc(n, sizeof(*m));
	if (!m)
		return al_error_set(j->err, AL_ENOMEM, "out of memory");
	json_object_foreach((json_t *)v, key, value)
	{
		size_t keylen =
			json_object_iter_key_len(json_object_key_to_iter(key));

		if (!al_utf8_valid(key, keylen)) {
			char where[JCS_PATH_MAX], vis[64];

			rc = al_error_set(
				j->err, AL_EINVAL,
				"canonical json: key '%s' in '%s' is "
				"not valid UTF-8",
				al_text_visible(key, keylen, vis, sizeof(vis)),
				path_text(j, where, sizeof(where)));
			goto out;
		}
		m[i].key = key;
		m[i].keylen = keylen;
		m[i].value = value;
		i++;
	}
	assert(i == n);
	qsort(m, n, sizeof(*m), member_cmp);
	if ((rc = put_char(j, '{')) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (i && (rc = put_char(j, ',')) < 0)
			goto out;
		if ((rc = put_string(j, m[i].key, m[i].keylen)) < 0 ||
		    (rc = put_char(j, ':')) < 0)
			goto out;
		enter(j, m[i].key, m[i].keylen, 0);
		rc = put_value(j, m[i].value);
		j->depth--;
		if (rc < 0)
			goto out;
	}
	rc = put_char(j, '}');
out:
	free(m);
	return rc;
}

static int put_array(struct jcs *j, const json_t *v)
{
	size_t n = json_array_size(v);
	int rc;

	if ((rc = check_depth(j)) < 0 || (rc = put_char(j, '[')) < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (i && (rc = put_char(j, ',')) < 0)
			return rc;
		enter(j, NULL, 0, i);
		rc = put_value(j, json_array_get(v, i));
		j->depth--;
		if (rc < 0)
			return rc;
	}
	return put_char(j, ']');
}

static int put_integer(struct jcs *j, json_int_t n)
{
	char num[32], where[JCS_PATH_MAX];
	int len;

	if (n > JCS_MAX_INT || n < -JCS_MAX_INT)
		return al_error_set(
			j->err, AL_EINVAL,
			"canonical json: '%s': integer %" JSON_INTEGER_FORMAT
			" is outside +-(2^53 - 1)",
			path_text(j, where, sizeof(where)), n);
	len = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, n);
	return put(j, num, (size_t)len);
}

static int put_value(struct jcs *j, const json_t *v)
{
	char where[JCS_PATH_MAX];
	const char *s;
	size_t len;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return put_object(j, v);
	case JSON_ARRAY:
		return put_array(j, v);
	case JSON_STRING:
		s = json_string_value(v);
		len = json_string_length(v);
		if (!al_utf8_valid(s, len))
			return al_error_set(j->err, AL_EINVAL,
					    "canonical json: '%s': string is "
					    "not valid UTF-8",
					    path_text(j, where, sizeof(where)));
		return put_string(j, s, len);
	case JSON_INTEGER:
		return put_integer(j, json_integer_value(v));
	case JSON_REAL:
		return al_error_set(j->err, AL_EINVAL,
				    "canonical json: '%s': a real number is "
				    "not allowed (integers only)",
				    path_text(j, where, sizeof(where)));
	case JSON_TRUE:
		return put(j, "true", 4);
	case JSON_FALSE:
		return put(j, "false", 5);
	case JSON_NULL:
		return put(j, "null", 4);
	}
	return al_error_set(j->err, AL_EINVAL,
			    "canonical json: '%s': unknown value type",
			    path_text(j, where, sizeof(where)));
}

int al_jcs_dump(const json_t *v, char **out, size_t *len, struct al_error *err)
{
	struct jcs j;
	int rc;

	*out = NULL;
	*len = 0;
	memset(&j, 0, sizeof(j));
	j.err = err;
	if (!v)
		return al_error_set(err, AL_EINVAL, "canonical json: no value");
	rc = put_value(&j, v);
	if (rc < 0) {
		free(j.out.p);
		return rc;
	}
	*out = j.out.p;
	*len = j.out.len;
	return 0;
}
