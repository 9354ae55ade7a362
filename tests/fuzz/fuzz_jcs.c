/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for canonical JSON: bytes that jansson decodes are
 * dumped by al_jcs_dump; what is accepted must decode again to an equal
 * value and dump to the same bytes (canonical form is a fixed point), and
 * what is refused must say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "al_jcs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DECODE_FLAGS (JSON_DECODE_ANY | JSON_ALLOW_NUL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct al_error err = {0};
	json_error_t jerr;
	json_t *v, *w = NULL;
	char *out = NULL, *again = NULL;
	size_t len = 0, len2 = 0;
	int rc;

	v = json_loadb((const char *)data, size, DECODE_FLAGS, &jerr);
	if (!v)
		return 0;
	rc = al_jcs_dump(v, &out, &len, &err);
	if (rc != 0) {
		/* refused: a real, a big integer or deep nesting (jansson
		 * only decodes valid UTF-8), and it says why */
		if (rc != AL_EINVAL || out || err.msg[0] == '\0')
			abort();
		json_decref(v);
		return 0;
	}
	/* the output is NUL-terminated and holds no NUL (it is escaped) */
	if (!out || out[len] != '\0' || strlen(out) != len)
		abort();
	w = json_loadb(out, len, DECODE_FLAGS, &jerr);
	if (!w || !json_equal(v, w))
		abort();
	if (al_jcs_dump(w, &again, &len2, &err) != 0)
		abort();
	if (len2 != len || memcmp(out, again, len) != 0)
		abort();
	free(again);
	free(out);
	json_decref(w);
	json_decref(v);
	return 0;
}
