/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Duplicates: dups (the candidates), dup (the decision), undup (taking it
 * back).  docs/dedup.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "al_dedup.h"
#include "al_triage.h"
#include "cli.h"
#include "vault.h"

static const char dups_usage[] =
	"usage: airlock-vault [--vault DIR] dups ID [--json] [--all] "
	"[--limit N]\n\n"
	"The reports that ID may duplicate, best first: a score in [0, 1],\n"
	"a verdict (likely from 0.60, possible from 0.30) and why, per axis:\n"
	"exact (an attachment in both), structural (package, versions,\n"
	"class, CWE), textual (title, description and steps), reporter (the\n"
	"same key or contact: a re-send).  A candidate recorded as a\n"
	"duplicate is shown as its original (via the candidate).\n\n"
	"  --json           a JSON array: report, title, score, verdict,\n"
	"                   earlier, via, same_reporter, reasons [{axis,\n"
	"                   score, why}]\n"
	"  --all            every candidate scored, below possible too, with\n"
	"                   its features (for tuning: bench/dedup); no limit\n"
	"                   unless --limit is given\n"
	"  --limit N        at most N candidates (default 10; 0: no limit)\n";

static const char dup_usage[] =
	"usage: airlock-vault [--vault DIR] dup ID --of ID2 [--json]\n\n"
	"Record that report ID duplicates ID2 (an event).  The earlier report\n"
	"in the ledger is the original: ID2 must have come first; when ID2 is\n"
	"recorded as a duplicate itself, its original is recorded instead.\n"
	"Then 'airlock-vault status ID duplicate' closes ID.  The reporter of\n"
	"ID is credited as an independent finder of ID2's vulnerability when\n"
	"they asked for credit (export credits).\n\n"
	"  --of ID2         the original\n"
	"  --json           the decision as JSON\n"
	"  --no-checkpoint  do not sign a checkpoint at the end\n";

static const char undup_usage[] =
	"usage: airlock-vault [--vault DIR] undup ID [--reason TEXT] "
	"[--json]\n\n"
	"Take back the decision that ID is a duplicate (an event); a report\n"
	"closed as duplicate is reopened (acknowledged).\n\n"
	"  --reason TEXT    why (one line, kept in the vault, not exported)\n"
	"  --json           the move as JSON\n"
	"  --no-checkpoint  do not sign a checkpoint at the end\n";

struct opts {
	const char *of, *reason, *limit;
	bool json, all, skip;
};

static int on_opt(int c, void *ctx)
{
	struct opts *o = ctx;

	switch (c) {
	case 'f':
		o->of = optarg;
		return 0;
	case 'R':
		o->reason = optarg;
		return 0;
	case 'l':
		o->limit = optarg;
		return 0;
	case 'j':
		o->json = true;
		return 0;
	case 'a':
		o->all = true;
		return 0;
	case 'N':
		o->skip = true;
		return 0;
	default:
		return 1;
	}
}

static int parse(int argc, char **argv, const char *usage,
		 const struct option *extra, size_t nextra, struct opts *o)
{
	int rc;

	memset(o, 0, sizeof(*o));
	if ((rc = vault_parse(argc, argv, usage, extra, nextra, on_opt, o)))
		return rc < 0 ? rc : 1;
	if (argc - optind != 1)
		return vault_usage_error(usage);
	return 0;
}

static double round3(double x)
{
	return (double)(long long)(x * 1000.0 + 0.5) / 1000.0;
}

static json_t *dup_json(const struct al_dup *d, bool all)
{
	json_t *o = json_object(), *reasons = json_array(), *f;

	if (!o || !reasons) {
		json_decref(o);
		json_decref(reasons);
		return NULL;
	}
	json_object_set_new(o, "report", json_string(d->report));
	json_object_set_new(o, "title", json_string(d->title));
	json_object_set_new(o, "score", json_real(round3(d->m.score)));
	json_object_set_new(
		o, "verdict",
		al_dup_verdict_name(d->m.verdict)
			? json_string(al_dup_verdict_name(d->m.verdict))
			: json_null());
	json_object_set_new(o, "earlier", json_boolean(d->earlier));
	if (*d->via)
		json_object_set_new(o, "via", json_string(d->via));
	json_object_set_new(o, "same_reporter",
			    json_boolean(d->m.same_reporter));
	for (int a = 0; a < AL_AXIS_COUNT; a++) {
		const struct al_dup_axis *x = &d->m.axes[a];

		if (!x->set)
			continue;
		json_array_append_new(
			reasons,
			json_pack("{s:s, s:f, s:s}", "axis",
				  al_dup_axis_name((enum al_dup_axis_id)a),
				  "score", round3(x->score), "why", x->why));
	}
	json_object_set_new(o, "reasons", reasons);
	if (all && (f = json_object())) {
		for (int i = 0; i < AL_DF_COUNT; i++)
			json_object_set_new(
				f, al_dedup_feature_names[i],
				json_real(round3(d->m.features[i])));
		json_object_set_new(o, "features", f);
	}
	return o;
}

static void print_dups(const char *id, const struct al_dup *d, size_t n)
{
	if (!n) {
		printf("report %.8s: no likely or possible duplicate\n", id);
		return;
	}
	printf("report %.8s: %zu candidate%s, best first\n", id, n,
	       n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		const char *verdict = al_dup_verdict_name(d[i].m.verdict);

		printf("  %.8s  %.2f  %-8s  %s  ", d[i].report, d[i].m.score,
		       verdict ? verdict : "-",
		       d[i].earlier ? "earlier" : "later  ");
		vault_print_visible(stdout, d[i].title);
		printf("\n");
		if (*d[i].via)
			printf("      via %.8s, recorded as its duplicate\n",
			       d[i].via);
		for (int a = 0; a < AL_AXIS_COUNT; a++) {
			if (!d[i].m.axes[a].set)
				continue;
			printf("      %s: ",
			       al_dup_axis_name((enum al_dup_axis_id)a));
			vault_print_visible(stdout, d[i].m.axes[a].why);
			printf("\n");
		}
	}
}

int cmd_dups(int argc, char **argv)
{
	static const struct option extra[] = {
		{"json", no_argument, NULL, 'j'},
		{"all", no_argument, NULL, 'a'},
		{"limit", required_argument, NULL, 'l'},
	};
	struct al_error err = {0};
	struct al_vault *v = NULL;
	struct al_dup *d = NULL;
	size_t n = 0, limit;
	struct opts o;
	char id[37];
	int rc;

	if ((rc = parse(argc, argv, dups_usage, extra, 3, &o)))
		return rc < 0 ? rc : 0;
	limit = o.all ? 0 : 10;
	if (o.limit) {
		char *end;
		unsigned long x = strtoul(o.limit, &end, 10);

		if (!*o.limit || *end || *o.limit == '-' || x > 100000) {
			al_error_set(&err, AL_EUSAGE,
				     "--limit: a number from 0 to 100000");
			vault_fail(&err);
			return AL_EUSAGE;
		}
		limit = x;
	}
	if ((rc = vault_open(&v)))
		return rc;
	if ((rc = al_vault_find(v, argv[optind], id, &err)) ||
	    (rc = al_vault_dups(v, id, limit, o.all, &d, &n, &err))) {
		vault_fail(&err);
		al_vault_close(v);
		return rc;
	}
	if (o.json) {
		json_t *arr = json_array();

		for (size_t i = 0; arr && i < n; i++)
			json_array_append_new(arr, dup_json(&d[i], o.all));
		rc = vault_print_json(arr);
		json_decref(arr);
	} else {
		print_dups(id, d, n);
	}
	free(d);
	al_vault_close(v);
	return rc;
}

int cmd_dup(int argc, char **argv)
{
	static const struct option extra[] = {
		{"of", required_argument, NULL, 'f'},
		{"json", no_argument, NULL, 'j'},
		NO_CHECKPOINT_OPTION,
	};
	struct al_error err = {0};
	struct al_vault *v = NULL;
	char id[37], of[37], original[40];
	struct opts o;
	int rc;

	if ((rc = parse(argc, argv, dup_usage, extra, 3, &o)))
		return rc < 0 ? rc : 0;
	if (!o.of) {
		al_error_set(&err, AL_EUSAGE,
			     "dup needs --of ID2: the report it duplicates");
		vault_fail(&err);
		return AL_EUSAGE;
	}
	if ((rc = vault_open_rw(&v)))
		return rc;
	if ((rc = al_vault_find(v, argv[optind], id, &err)) ||
	    (rc = al_vault_find(v, o.of, of, &err)) ||
	    (rc = al_vault_dup(v, id, of, original, &err))) {
		vault_fail(&err);
	} else if (o.json) {
		json_t *doc = json_pack("{s:s, s:s, s:s*}", "report", id, "of",
					original, "via",
					strcmp(of, original) ? of : NULL);

		rc = vault_print_json(doc);
		json_decref(doc);
	} else {
		printf("report %.8s: recorded as a duplicate of %.8s", id,
		       original);
		if (strcmp(of, original))
			printf(" (the original of %.8s)", of);
		printf("; close it with 'airlock-vault status %.8s "
		       "duplicate'\n",
		       id);
	}
	rc = vault_end(v, o.skip, rc);
	al_vault_close(v);
	return rc;
}

int cmd_undup(int argc, char **argv)
{
	static const struct option extra[] = {
		{"reason", required_argument, NULL, 'R'},
		{"json", no_argument, NULL, 'j'},
		NO_CHECKPOINT_OPTION,
	};
	struct al_error err = {0};
	struct al_vault *v = NULL;
	struct al_move m = {0};
	struct opts o;
	char id[37];
	int rc;

	if ((rc = parse(argc, argv, undup_usage, extra, 3, &o)))
		return rc < 0 ? rc : 0;
	if ((rc = vault_open_rw(&v)))
		return rc;
	if ((rc = al_vault_find(v, argv[optind], id, &err)) ||
	    (rc = al_vault_undup(v, id, o.reason, &m, &err))) {
		vault_fail(&err);
	} else if (o.json) {
		json_t *doc = json_pack("{s:s, s:s, s:s}", "report", id, "from",
					al_report_state_name(m.from), "to",
					al_report_state_name(m.to));

		rc = vault_print_json(doc);
		json_decref(doc);
	} else {
		printf("report %.8s: no longer recorded as a duplicate", id);
		if (m.from != m.to)
			printf("; %s -> %s", al_report_state_name(m.from),
			       al_report_state_name(m.to));
		printf("\n");
	}
	rc = vault_end(v, o.skip, rc);
	al_vault_close(v);
	return rc;
}
