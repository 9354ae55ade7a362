/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for report.md: parse, convert to a manifest, and read
 * the input as one Affected line.  Besides the sanitizers it checks that
 * every problem message is printable (untrusted text made visible) and that
 * a manifest built without problems passes al_manifest_check.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "al_draft.h"
#include "al_manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_messages(const struct al_problems *p)
{
	for (size_t i = 0; i < p->n; i++)
		for (const char *c = p->v[i].msg; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				abort();
}

static void check_manifest(const json_t *m)
{
	struct al_problems probs;
	struct al_limits lim;
	json_t *full = json_deep_copy(m);

	if (!full)
		return;
	json_object_set_new(full, "airlock", json_integer(1));
	json_object_set_new(full, "created",
			    json_string("2026-11-22T10:00:00Z"));
	json_object_set_new(full, "files", json_array());
	al_limits_default(&lim);
	al_problems_init(&probs);
	if (al_manifest_check(full, &lim, &probs))
		abort();
	al_problems_release(&probs);
	json_decref(full);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct al_problems probs;
	struct al_error err = {0};
	struct al_draft *d = NULL;
	json_t *m = NULL, *osv = NULL;
	char *line;

	al_problems_init(&probs);
	if (al_draft_parse((const char *)data, size, &d, &probs, &err) == 0) {
		size_t before = al_problems_count(&probs);
		int rc = al_draft_to_manifest(d, &m, &probs, &err);
		if ((rc == 0) != (al_problems_count(&probs) == before))
			abort();
		if (m && before == 0)
			check_manifest(m);
		json_decref(m);
		al_draft_free(d);
	}
	check_messages(&probs);
	al_problems_release(&probs);

	line = strndup((const char *)data, size < 5000 ? size : 5000);
	if (line) {
		if (al_draft_affected_to_osv(line, &osv, &err) == 0 && !osv)
			abort();
		json_decref(osv);
		free(line);
	}
	return 0;
}
