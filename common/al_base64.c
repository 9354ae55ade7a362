/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Standard base64 (RFC 4648 section 4), strict: every byte string has
 * exactly one accepted spelling, so a checkpoint's root hash cannot be
 * written two ways.  libgcrypt and gpgme expose no base64, and the rules
 * fit in a page, so they are written out here.
 */
#include "al_base64.h"

#include <assert.h>
#include <stdbool.h>

#include "al_text.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int al_base64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

void al_base64_encode(const void *buf, size_t len, char *out)
{
	const uint8_t *in = buf;
	size_t o = 0;

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		out[o++] = alphabet[(v >> 18) & 63];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? alphabet[v & 63] : '=';
	}
	out[o] = '\0';
}

/* How many '=' end text (0, 1 or 2; more is caught by check()). */
static size_t padding(const char *text, size_t len)
{
	if (len >= 1 && text[len - 1] == '=')
		return (len >= 2 && text[len - 2] == '=') ? 2 : 1;
	return 0;
}

/* True when text[i..len) is all '='. */
static bool all_padding(const char *text, size_t i, size_t len)
{
	for (; i < len; i++)
		if (text[i] != '=')
			return false;
	return true;
}

/* Every rule but the size of the output; len is a multiple of 4. */
static int check(const char *text, size_t len, size_t pad, struct al_error *err)
{
	for (size_t i = 0; i < len - pad; i++) {
		unsigned char c = (unsigned char)text[i];
		char show[16];

		if (al_base64_value(c) >= 0)
			continue;
		if (c == '=' && all_padding(text, i, len))
			return al_error_set(err, AL_EINVAL,
					    "not base64: more than two '=' "
					    "at the end");
		if (c == '=')
			return al_error_set(err, AL_EINVAL,
					    "not base64: '=' at offset %zu, "
					    "before the end",
					    i);
		al_text_visible(text + i, 1, show, sizeof(show));
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\v' || c == '\f')
			return al_error_set(err, AL_EINVAL,
					    "not base64: white space '%s' at "
					    "offset %zu",
					    show, i);
		return al_error_set(err, AL_EINVAL,
				    "not base64: character '%s' at offset %zu "
				    "is not in the alphabet",
				    show, i);
	}
	/* the last character before the padding carries unused bits:
	 * 4 of them before "==", 2 before "=" */
	if (pad) {
		int last = al_base64_value((unsigned char)text[len - pad - 1]);
		int mask = pad == 2 ? 0x0f : 0x03;

		if (last & mask)
			return al_error_set(err, AL_EINVAL,
					    "not base64: unused bits of '%c' "
					    "at offset %zu are not zero",
					    text[len - pad - 1], len - pad - 1);
	}
	return 0;
}

int al_base64_decode(const char *text, size_t len, uint8_t *out, size_t outsz,
		     size_t *outlen, struct al_error *err)
{
	size_t pad, n, o = 0;
	int rc;

	*outlen = 0;
	if (len % 4) {
		const char *hint =
			text[len - 1] == '=' ? "" : " (padding missing?)";

		return al_error_set(err, AL_EINVAL,
				    "not base64: length %zu is not a multiple "
				    "of 4%s",
				    len, hint);
	}
	pad = padding(text, len);
	rc = check(text, len, pad, err);
	if (rc)
		return rc;
	n = len / 4 * 3 - pad;
	if (n > outsz)
		return al_error_set(err, AL_ELIMIT,
				    "base64: %zu bytes decoded, room for %zu",
				    n, outsz);
	for (size_t i = 0; i < len; i += 4) {
		uint32_t v = 0;

		for (size_t j = 0; j < 4; j++) {
			int d = al_base64_value((unsigned char)text[i + j]);

			/* check() let through no other character */
			assert(d >= 0 || text[i + j] == '=');
			v = v << 6 | (uint32_t)(d >= 0 ? d : 0);
		}
		out[o++] = (uint8_t)(v >> 16);
		if (o < n)
			out[o++] = (uint8_t)(v >> 8);
		if (o < n)
			out[o++] = (uint8_t)v;
	}
	assert(o == n);
	*outlen = n;
	return 0;
}
