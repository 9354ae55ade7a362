/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for al_cvss_parse: any bytes, as a NUL-terminated
 * string.  Checks the contract as well as memory safety: on success the
 * score is 0..100, the rating matches it and the normalised vector parses
 * again to the same result; on failure the output is zeroed and the
 * message is set.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "al_cvss.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct al_cvss c, again;
	struct al_error err;
	char *s;

	if (size > 4096)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	if (al_cvss_parse(s, &c, &err) == 0) {
		if (c.score10 < 0 || c.score10 > 100 ||
		    strcmp(c.rating, al_cvss_rating(c.score10)) != 0)
			abort();
		if (al_cvss_parse(c.vector, &again, &err) != 0 ||
		    again.score10 != c.score10 ||
		    strcmp(again.vector, c.vector) != 0)
			abort();
	} else {
		if (err.code != AL_EINVAL || err.msg[0] == '\0' ||
		    c.score10 != 0 || c.rating || c.vector[0])
			abort();
	}
	free(s);
	return 0;
}
