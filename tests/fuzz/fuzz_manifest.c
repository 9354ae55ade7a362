/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for manifest.json: strict parsing and checking, the
 * dump/parse round trip of every accepted manifest, and the entry name
 * rules on the raw bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "al_manifest.h"
#include "al_problems.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_names(const uint8_t *data, size_t size)
{
	struct al_error err;
	char *folded = NULL;

	if (al_entry_name_check((const char *)data, size, NULL, &err) == 0 &&
	    al_name_fold((const char *)data, size, &folded, &err) != 0)
		abort(); /* an accepted name must fold */
	free(folded);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct al_problems p;
	struct al_limits big;
	struct al_error err;
	json_t *m = NULL, *again = NULL;
	char *out = NULL;
	size_t len = 0;
	int rc;

	fuzz_names(data, size);
	al_problems_init(&p);
	rc = al_manifest_parse((const char *)data, size, NULL, &m, &p, &err);
	if ((rc == 0) != (al_problems_count(&p) == 0))
		abort(); /* success if and only if no problem */
	if (rc == 0) {
		if (al_manifest_dump(m, &out, &len, &err) != 0)
			abort();
		/* indenting may make it longer than the input */
		al_limits_default(&big);
		big.manifest_bytes *= 16;
		if (al_manifest_parse(out, len, &big, &again, NULL, &err) != 0)
			abort(); /* a dumped manifest must parse again */
		if (!json_equal(m, again))
			abort();
	}
	json_decref(again);
	json_decref(m);
	free(out);
	al_problems_release(&p);
	return 0;
}
