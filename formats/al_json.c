/* SPDX-License-Identifier: Apache-2.0 */
#include "al_json.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "al_text.h"

/* Deepest nesting of arrays and objects, counted outside strings; stops
 * counting past max.  Exact for valid JSON; for invalid JSON jansson fails
 * no deeper than this. */
static unsigned json_depth(const char *buf, size_t len, unsigned max)
{
	unsigned depth = 0, deepest = 0;
	bool in_str = false;

	for (size_t i = 0; i < len && deepest <= max; i++) {
		char c = buf[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"') {
			in_str = true;
		} else if (c == '[' || c == '{') {
			if (++depth > deepest)
				deepest = depth;
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return deepest;
}

int al_json_decode_object(const char *buf, size_t len, uint64_t max_bytes,
			  unsigned max_depth, const char *what, json_t **out,
			  struct al_error *err)
{
	json_error_t jerr;
	char show[160];
	json_t *j;

	*out = NULL;
	if (len > max_bytes)
		return al_error_set(err, AL_ELIMIT,
				    "%s: %zu bytes, more than the limit of "
				    "%" PRIu64,
				    what, len, max_bytes);
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		return al_error_set(err, AL_EINVAL,
				    "%s: starts with a byte order mark", what);
	if (!al_utf8_valid(buf, len))
		return al_error_set(err, AL_EINVAL, "%s: not valid UTF-8",
				    what);
	if (json_depth(buf, len, max_depth) > max_depth)
		return al_error_set(err, AL_EINVAL,
				    "%s: nested more than %u deep", what,
				    max_depth);
	j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j) {
		al_text_visible(jerr.text,
				strnlen(jerr.text, sizeof(jerr.text)), show,
				sizeof(show));
		return al_error_set(err, AL_EINVAL, "%s: line %d column %d: %s",
				    what, jerr.line, jerr.column, show);
	}
	if (!json_is_object(j)) {
		json_decref(j);
		return al_error_set(err, AL_EINVAL, "%s: not a JSON object",
				    what);
	}
	*out = j;
	return 0;
}
