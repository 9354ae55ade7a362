/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A checkpoint's text, C2SP tlog-checkpoint's note body without extension
 * lines: origin, size and root hash, one a line.  Parsing is exact, so
 * that the bytes a maintainer signed have one meaning and one spelling:
 * al_checkpoint_format(al_checkpoint_parse(t)) gives t back, byte for
 * byte, for every text that parses.
 */
#include "al_checkpoint.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "al_base64.h"
#include "al_text.h"

#define ORIGIN_BYTES (AL_CHECKPOINT_ORIGIN_MAX - 1)
#define ROOT_CHARS   AL_BASE64_LEN(AL_MERKLE_HASH)
#define SIZE_LIMIT   ((uint64_t)1 << 63) /* sizes are below 2^63 */

/* Untrusted text quoted in a message is made visible and cut here. */
#define SHOW_MAX 48

enum { LINE_ORIGIN = 1, LINE_SIZE, LINE_ROOT, LINES = LINE_ROOT };

/* AL_EINVAL "checkpoint: line N: rule". */
static int refuse(struct al_error *err, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(struct al_error *err, int line, const char *fmt, ...)
{
	char rule[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rule, sizeof(rule), fmt, ap);
	va_end(ap);
	return al_error_set(err, AL_EINVAL, "checkpoint: line %d: %s", line,
			    rule);
}

static const char *show(const char *s, size_t len, char buf[SHOW_MAX])
{
	return al_text_visible(s, len, buf, SHOW_MAX);
}

/*
 * The origin's rules, shared by parse and format; where names the place
 * in messages ("checkpoint: line 1: " or "checkpoint: ").
 */
static int check_origin(const char *s, size_t len, const char *where,
			struct al_error *err)
{
	char vis[SHOW_MAX];

	if (len == 0)
		return al_error_set(err, AL_EINVAL, "%sorigin is empty", where);
	if (len > ORIGIN_BYTES)
		return al_error_set(err, AL_EINVAL,
				    "%sorigin '%s' is %zu bytes, more than %d",
				    where, show(s, len, vis), len,
				    ORIGIN_BYTES);
	if (!al_utf8_valid(s, len))
		return al_error_set(err, AL_EINVAL,
				    "%sorigin '%s' is not valid UTF-8", where,
				    show(s, len, vis));
	if (al_text_has_control(s, len))
		return al_error_set(err, AL_EINVAL,
				    "%sorigin '%s' holds a control, bidi or "
				    "invisible character",
				    where, show(s, len, vis));
	return 0;
}

/* Decimal, no sign, no leading zero but "0" itself, below 2^63. */
static int parse_size(const char *s, size_t len, uint64_t *out,
		      struct al_error *err)
{
	char vis[SHOW_MAX];
	uint64_t v = 0;

	if (len == 0)
		return refuse(err, LINE_SIZE, "size is empty");
	show(s, len, vis);
	if (s[0] == '+' || s[0] == '-')
		return refuse(err, LINE_SIZE, "size '%s' has a sign", vis);
	if (memchr(s, ' ', len) || memchr(s, '\t', len))
		return refuse(err, LINE_SIZE, "size '%s' holds a space", vis);
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return refuse(err, LINE_SIZE,
				      "size '%s' is not a decimal number", vis);
	if (s[0] == '0' && len > 1)
		return refuse(err, LINE_SIZE, "size '%s' has a leading zero",
			      vis);
	for (size_t i = 0; i < len; i++) {
		uint64_t d = (uint64_t)(s[i] - '0');

		if (v > (SIZE_LIMIT - 1 - d) / 10)
			return refuse(err, LINE_SIZE,
				      "size '%s' is 2^63 or more", vis);
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Standard base64 of exactly AL_MERKLE_HASH bytes. */
static int parse_root(const char *s, size_t len, uint8_t out[AL_MERKLE_HASH],
		      struct al_error *err)
{
	/* a line is shorter than the text, its bytes fewer still */
	uint8_t buf[AL_CHECKPOINT_TEXT_MAX];
	struct al_error b64 = {0};
	size_t n = 0;

	if (len == 0)
		return refuse(err, LINE_ROOT, "root hash is empty");
	if (al_base64_decode(s, len, buf, sizeof(buf), &n, &b64) != 0) {
		assert(b64.code == AL_EINVAL);
		return refuse(err, LINE_ROOT, "root hash: %s", b64.msg);
	}
	if (n != AL_MERKLE_HASH)
		return refuse(err, LINE_ROOT, "root hash is %zu bytes, not %d",
			      n, AL_MERKLE_HASH);
	memcpy(out, buf, AL_MERKLE_HASH);
	return 0;
}

/* Line number line, s[0..len) without its newline, into c. */
static int parse_line(int line, const char *s, size_t len,
		      struct al_checkpoint *c, struct al_error *err)
{
	switch (line) {
	case LINE_ORIGIN:
		if (check_origin(s, len, "checkpoint: line 1: ", err))
			return AL_EINVAL;
		memcpy(c->origin, s, len);
		c->origin[len] = '\0';
		return 0;
	case LINE_SIZE:
		return parse_size(s, len, &c->size, err);
	default:
		return parse_root(s, len, c->root, err);
	}
}

int al_checkpoint_parse(const char *text, size_t len, struct al_checkpoint *c,
			struct al_error *err)
{
	struct al_checkpoint tmp;
	const char *p = text, *end = text + len;
	int line = 0, rc;

	memset(c, 0, sizeof(*c));
	memset(&tmp, 0, sizeof(tmp));
	if (len == 0)
		return refuse(err, 1, "the text is empty");
	if (len > AL_CHECKPOINT_TEXT_MAX - 1)
		return al_error_set(err, AL_EINVAL,
				    "checkpoint: %zu bytes, more than the "
				    "longest checkpoint (%d)",
				    len, AL_CHECKPOINT_TEXT_MAX - 1);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (++line > LINES)
			return refuse(err, line,
				      "more than three lines (no extension "
				      "line, blank line or signature)");
		if (memchr(p, '\r', n))
			return refuse(err, line, "carriage return");
		if (memchr(p, '\0', n))
			return refuse(err, line, "NUL byte");
		if (!nl)
			return refuse(err, line, "no newline at the end");
		rc = parse_line(line, p, n, &tmp, err);
		if (rc)
			return rc;
		p = nl + 1;
	}
	if (line < LINES)
		return refuse(err, line + 1, "%s missing (%d line%s, not 3)",
			      line + 1 == LINE_SIZE ? "size" : "root hash",
			      line, line == 1 ? "" : "s");
	*c = tmp;
	return 0;
}

int al_checkpoint_format(const struct al_checkpoint *c, char *text, size_t *len,
			 struct al_error *err)
{
	char root[ROOT_CHARS + 1];
	size_t olen = strnlen(c->origin, sizeof(c->origin));
	int n, rc;

	*len = 0;
	text[0] = '\0';
	rc = check_origin(c->origin, olen, "checkpoint: ", err);
	if (rc)
		return rc;
	if (c->size >= SIZE_LIMIT)
		return al_error_set(err, AL_EINVAL,
				    "checkpoint: size %llu is 2^63 or more",
				    (unsigned long long)c->size);
	al_base64_encode(c->root, AL_MERKLE_HASH, root);
	n = snprintf(text, AL_CHECKPOINT_TEXT_MAX, "%s\n%llu\n%s\n", c->origin,
		     (unsigned long long)c->size, root);
	assert(n > 0 && n < AL_CHECKPOINT_TEXT_MAX);
	*len = (size_t)n;
	return 0;
}
