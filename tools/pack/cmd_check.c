/* SPDX-License-Identifier: Apache-2.0 */
/* airlock-pack check DIR [--policy KIT --policy-key FPR]: every problem. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "al_cvss.h"
#include "pack.h"

static const char usage_text[] =
	"usage: airlock-pack check DIR [--policy KIT --policy-key FPR] "
	"[--json]\n\n"
	"Check the draft folder DIR and list every problem, one a line\n"
	"(report.md:LINE: message).  With a policy kit, also check the report\n"
	"against the project's policy: the kit's signature (pinned by\n"
	"--policy-key, the fingerprint in the project's SECURITY.md), its\n"
	"expiry, the class in scope, required fields, supported versions.\n\n"
	"  --policy KIT        the project's policy kit (folder or "
	"policy.json)\n"
	"  --policy-key FPR    the fingerprint that must have signed the kit\n"
	"  --json              print {\"ok\", \"report\", \"problems\"} on "
	"stdout\n"
	"\nExit status: 0 ready to seal, 1 problems found, 2 usage, 3 the "
	"kit's\n"
	"signature is bad or not by FPR.\n";

/* Show the score of the proposed CVSS vectors, so the researcher sees
 * what the maintainers will see. */
static void say_severity(const json_t *m)
{
	const json_t *sev = json_object_get(m, "severity");
	static const char *const keys[] = {"cvss_v3", "cvss_v4"};
	struct al_cvss c;

	for (size_t i = 0; i < 2; i++) {
		const char *v =
			json_string_value(json_object_get(sev, keys[i]));
		if (v && al_cvss_parse(v, &c, NULL) == 0)
			pack_say("%s: base score %d.%d (%s)", c.vector,
				 c.score10 / 10, c.score10 % 10, c.rating);
	}
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{"policy", required_argument, NULL, 'p'},
		{"policy-key", required_argument, NULL, 'k'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *kit = NULL, *pin = NULL;
	struct al_policy policy = {0};
	struct pack_draft pd = {0};
	struct al_error err = {0};
	struct al_gpg *g = NULL;
	int c, rc, json = 0, have_policy = 0, found = 0;
	size_t n = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			kit = optarg;
			break;
		case 'k':
			pin = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return AL_EUSAGE;
		}
	}
	if (argc - optind != 1 || (pin && !kit)) {
		fputs(usage_text, stderr);
		return AL_EUSAGE;
	}
	if (kit) {
		if ((rc = al_gpg_new(&g, &err)) < 0 ||
		    (rc = pack_kit_load(g, kit, pin, &policy, &err)) < 0)
			goto out;
		have_policy = 1;
	}
	rc = pack_draft_load(argv[optind], have_policy ? &policy : NULL, &pd,
			     &err);
	if (rc < 0)
		goto out;
	if (pd.manifest && !pack_draft_problems(&pd) &&
	    (rc = pack_manifest_finish(&pd, have_policy ? &policy : NULL,
				       (int64_t)time(NULL), &err)) < 0)
		goto out;
	n = pack_draft_problems(&pd);
	if (json) {
		json_t *doc = json_pack(
			"{s:b, s:s?, s:o}", "ok", n == 0, "report",
			pd.manifest ? json_string_value(json_object_get(
					      pd.manifest, "id"))
				    : NULL,
			"problems", pack_draft_problems_json(&pd));
		if (!doc) {
			rc = al_error_set(&err, AL_ENOMEM, "out of memory");
			goto out;
		}
		pack_print_json(doc);
		json_decref(doc);
	}
	pack_draft_print(&pd);
	if (n) {
		pack_say("%s: %zu problem%s; nothing was sealed", argv[optind],
			 n, n == 1 ? "" : "s");
		rc = AL_EINVAL;
		found = 1;
	} else {
		say_severity(pd.manifest);
		pack_say("%s: ready to seal (%zu file%s, %llu bytes)%s",
			 argv[optind], pd.nfiles, pd.nfiles == 1 ? "" : "s",
			 (unsigned long long)pd.total_bytes,
			 have_policy ? ", within the policy" : "");
	}
out:
	if (rc < 0 && !found)
		pack_fail(&err);
	pack_draft_release(&pd);
	if (have_policy)
		al_policy_release(&policy);
	al_gpg_free(g);
	return rc;
}
