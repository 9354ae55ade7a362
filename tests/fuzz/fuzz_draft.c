/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for report.md: parse, convert to a manifest, and read
 * the input as one Affected line.  Besides the sanitizers it checks that
 * every problem message is printable (untrusted text made visible); that
 * the conversion gives an object unless out of memory, and AL_EINVAL
 * exactly when it added problems; that the object holds valid fields only
 * (with stand-ins for the required keys it lacks, it passes
 * al_manifest_check), each lacking required key having cost at least one
 * problem; and that al_draft_affected_line names one line an entry.
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

static const char stand_ins[] =
	"{\"id\":\"0b6e2f4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b\",\"title\":\"t\","
	"\"project\":\"p\",\"class\":\"other\",\"affected\":[{"
	"\"package\":{\"ecosystem\":\"npm\",\"name\":\"x\"},"
	"\"versions\":[\"1.0.0\"]}],\"description\":\"d\","
	"\"steps\":\"s\"}";

/* Returns how many required keys m lacks. */
static size_t check_manifest(const json_t *m)
{
	struct al_problems probs;
	struct al_limits lim;
	json_t *full = json_deep_copy(m),
	       *fill = json_loads(stand_ins, 0, NULL);
	size_t lacking = 0;

	if (!full || !fill)
		abort();
	for (size_t i = 0; al_draft_required_keys[i]; i++) {
		const char *k = al_draft_required_keys[i];
		if (!json_object_get(full, k)) {
			lacking++;
			json_object_set(full, k, json_object_get(fill, k));
		}
	}
	json_decref(fill);
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
	return lacking;
}

static void check_affected_lines(const struct al_draft *d, const json_t *m)
{
	size_t n = json_array_size(json_object_get(m, "affected"));

	if (d->naffected > 50)
		return; /* quadratic; a few lines show the mapping */
	for (size_t i = 0; i < n; i++)
		if (!al_draft_affected_line(d, i))
			abort();
	if (al_draft_affected_line(d, n))
		abort();
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
		size_t added = al_problems_count(&probs) - before;
		if (rc == AL_ENOMEM) {
			if (m)
				abort();
		} else {
			if (!m || rc != (added ? AL_EINVAL : 0))
				abort();
			if (check_manifest(m) > added)
				abort();
			check_affected_lines(d, m);
		}
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
