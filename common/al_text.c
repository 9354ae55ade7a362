/* SPDX-License-Identifier: Apache-2.0 */
#include "al_text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decode one code point at s[i]; returns its length or 0 if invalid. */
static size_t utf8_decode(const unsigned char *s, size_t len, size_t i,
			  uint32_t *cp)
{
	unsigned char c = s[i];
	size_t n;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		n = 2, v = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3, v = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, v = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len - i < n)
		return 0;
	for (size_t k = 1; k < n; k++) {
		if ((s[i + k] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i + k] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

bool al_utf8_valid(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp;

	for (size_t i = 0; i < len;) {
		size_t n = utf8_decode(u, len, i, &cp);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

static bool is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c ||
	       cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) ||
	       /* invisible: names that look alike, lines that break */
	       cp == 0x00ad || cp == 0x200b || cp == 0x2060 || cp == 0xfeff ||
	       cp == 0x2028 || cp == 0x2029;
}

bool al_text_has_control(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp;

	for (size_t i = 0; i < len;) {
		size_t n = utf8_decode(u, len, i, &cp);
		if (!n)
			return true;
		if (is_control(cp))
			return true;
		i += n;
	}
	return false;
}

size_t al_utf8_length(const char *s, size_t len)
{
	size_t count = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			count++;
	return count;
}

char *al_text_visible(const char *s, size_t len, char *out, size_t outsz)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0;
	uint32_t cp;

	if (!outsz)
		return out;
	for (size_t i = 0; i < len;) {
		char tmp[16];
		size_t tl, n = utf8_decode(u, len, i, &cp);

		if (!n) {
			snprintf(tmp, sizeof(tmp), "\\x%02x", u[i]);
			n = 1;
		} else if (cp == '\n') {
			memcpy(tmp, "\\n", 3);
		} else if (cp == '\t') {
			memcpy(tmp, "\\t", 3);
		} else if (cp == '\r') {
			memcpy(tmp, "\\r", 3);
		} else if (cp == '\\') {
			memcpy(tmp, "\\\\", 3);
		} else if (cp < 0x80 && is_control(cp)) {
			snprintf(tmp, sizeof(tmp), "\\x%02x", (unsigned)cp);
		} else if (is_control(cp)) {
			snprintf(tmp, sizeof(tmp), "\\u{%04x}", (unsigned)cp);
		} else {
			memcpy(tmp, s + i, n);
			tmp[n] = '\0';
		}
		tl = strlen(tmp);
		if (o + tl + 4 > outsz) { /* room for "..." and NUL */
			if (outsz >= 4) {
				memcpy(out + (o < outsz - 4 ? o : outsz - 4),
				       "...", 4);
			} else {
				out[0] = '\0';
			}
			return out;
		}
		memcpy(out + o, tmp, tl);
		o += tl;
		i += n;
	}
	out[o] = '\0';
	return out;
}

int al_relpath_check(const char *name, size_t len, size_t max_bytes,
		     const char *what, struct al_error *err)
{
	char show[160];
	size_t start = 0;

	al_text_visible(name, len, show, sizeof(show));
	if (len == 0)
		return al_error_set(err, AL_EINVAL, "%s '': empty name", what);
	if (len > max_bytes)
		return al_error_set(err, AL_EINVAL,
				    "%s '%s': name is %zu bytes, more than the "
				    "limit of %zu",
				    what, show, len, max_bytes);
	if (memchr(name, '\0', len))
		return al_error_set(err, AL_EINVAL,
				    "%s '%s': contains a NUL byte", what, show);
	if (!al_utf8_valid(name, len))
		return al_error_set(err, AL_EINVAL, "%s '%s': not valid UTF-8",
				    what, show);
	if (al_text_has_control(name, len))
		return al_error_set(err, AL_EINVAL,
				    "%s '%s': contains a control or bidi "
				    "character",
				    what, show);
	if (memchr(name, '\\', len))
		return al_error_set(err, AL_EINVAL,
				    "%s '%s': contains a backslash", what,
				    show);
	if (name[0] == '/')
		return al_error_set(err, AL_EINVAL, "%s '%s': absolute path",
				    what, show);
	for (size_t i = 0; i <= len; i++) {
		size_t clen;

		if (i < len && name[i] != '/')
			continue;
		clen = i - start;
		if (clen == 0)
			return al_error_set(err, AL_EINVAL,
					    "%s '%s': has an empty component",
					    what, show);
		if (clen == 1 && name[start] == '.')
			return al_error_set(err, AL_EINVAL,
					    "%s '%s': has a '.' component",
					    what, show);
		if (clen == 2 && name[start] == '.' && name[start + 1] == '.')
			return al_error_set(err, AL_EINVAL,
					    "%s '%s': has a '..' component",
					    what, show);
		start = i + 1;
	}
	return 0;
}

char *al_text_json_controls(const char *json, size_t len)
{
	const unsigned char *u = (const unsigned char *)json;
	char *out = malloc(len * 6 + 1), *o = out;
	uint32_t cp;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_decode(u, len, i, &cp);

		if (n && cp >= 0x20 && cp <= 0xffff && is_control(cp)) {
			static const char hex[] = "0123456789abcdef";

			*o++ = '\\';
			*o++ = 'u';
			for (int sh = 12; sh >= 0; sh -= 4)
				*o++ = hex[(cp >> sh) & 0xf];
		} else {
			if (!n)
				n = 1;
			memcpy(o, json + i, n);
			o += n;
		}
		i += n;
	}
	*o = '\0';
	return out;
}
