/* SPDX-License-Identifier: Apache-2.0 */
/* airlock-vault list / show: reading the vault, untrusted text made
 * visible. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "al_policy.h"
#include "vault.h"

static const char list_usage[] =
	"usage: airlock-vault [--vault DIR] list [--status S] [--rating R] "
	"[--overdue] [--limit N] [--json]\n\n"
	"The reports, newest first, one a line: id, state, rating, class,\n"
	"title.\n\n"
	"  --status S   only reports in state S (new, acknowledged, ...)\n"
	"  --rating R   only reports rated R (critical, high, medium, low)\n"
	"  --overdue    only reports past their deadline now (to acknowledge\n"
	"               or to fix: airlock-vault due)\n"
	"  --limit N    at most N reports\n"
	"  --json       a JSON array of report objects\n";

static const char show_usage[] =
	"usage: airlock-vault [--vault DIR] show ID [--json]\n\n"
	"One report: what the vault keeps of it and its history.  ID is the\n"
	"report's id or a unique prefix of at least 8 characters.\n\n"
	"  --json   a JSON object: the list fields, \"manifest\" (the fields\n"
	"           the vault keeps in the clear) and \"events\"\n";

/* The states of a report's life (docs/vault.md). */
static bool known_state(const char *s)
{
	static const char *const states[] = {
		"new",         "acknowledged",   "triaged",
		"needs-info",  "fixing",         "fixed",
		"disclosed",   "duplicate",      "out-of-scope",
		"informative", "not-applicable", "not-reproducible",
		"spam",        "withdrawn",
	};

	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (!strcmp(s, states[i]))
			return true;
	return false;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{"status", required_argument, NULL, 's'},
		{"rating", required_argument, NULL, 'r'},
		{"limit", required_argument, NULL, 'n'},
		{"overdue", no_argument, NULL, 'o'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		VAULT_OPTION,
		{NULL, 0, NULL, 0},
	};
	struct al_list_filter f = {0};
	struct al_error err = {0};
	struct al_vault *v = NULL;
	json_t *arr = NULL, *row;
	bool json = false;
	size_t i;
	char *end;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!known_state(optarg)) {
				vault_say("airlock-vault: --status '%s': not a "
					  "report state (new, acknowledged, "
					  "triaged, needs-info, fixing, fixed, "
					  "disclosed, duplicate, out-of-scope, "
					  "informative, not-applicable, "
					  "not-reproducible, spam, withdrawn)",
					  optarg);
				return AL_EUSAGE;
			}
			f.state = optarg;
			break;
		case 'r':
			if (al_rating_from_name(optarg) < 0) {
				vault_say("airlock-vault: --rating '%s': not "
					  "one of critical, high, medium, low",
					  optarg);
				return AL_EUSAGE;
			}
			f.rating = optarg;
			break;
		case 'n':
			f.limit = strtoll(optarg, &end, 10);
			if (*end || f.limit <= 0)
				return vault_usage_error(list_usage);
			break;
		case 'o':
			f.overdue = true;
			break;
		case 'j':
			json = true;
			break;
		case 'V':
			vault_given = optarg;
			break;
		case 'h':
			fputs(list_usage, stdout);
			return 0;
		default:
			return vault_usage_error(list_usage);
		}
	}
	if (optind != argc)
		return vault_usage_error(list_usage);
	if ((rc = vault_open(&v)))
		return rc;
	if ((f.overdue && (rc = al_vault_now(&f.now, &err))) ||
	    (rc = al_vault_list(v, &f, &arr, &err))) {
		vault_fail(&err);
		goto out;
	}
	if (json) {
		rc = vault_print_json(arr);
		goto out;
	}
	json_array_foreach(arr, i, row)
	{
		printf("%s  %-12s %-8s %-20s ", str(row, "id"),
		       str(row, "state"), str(row, "rating"),
		       str(row, "class"));
		vault_print_visible(stdout, str(row, "title"));
		putchar('\n');
	}
	if (fflush(stdout))
		rc = AL_EIO;
out:
	json_decref(arr);
	al_vault_close(v);
	return rc;
}

static void show_line(const char *label, const char *value)
{
	printf("%-13s ", label);
	vault_print_visible(stdout, value);
	putchar('\n');
}

/* "2d 3h" for a span of seconds (its absolute value). */
static void span(int64_t s, char *out, size_t outsz)
{
	if (s < 0)
		s = -s;
	if (s >= 86400)
		snprintf(out, outsz, "%lldd %lldh", (long long)(s / 86400),
			 (long long)(s % 86400 / 3600));
	else if (s >= 3600)
		snprintf(out, outsz, "%lldh %lldm", (long long)(s / 3600),
			 (long long)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(out, outsz, "%lldm", (long long)(s / 60));
	else
		snprintf(out, outsz, "%llds", (long long)s);
}

/* state, rating and the clock (docs/triage.md) */
static void show_triage(const json_t *t)
{
	const json_t *c = json_object_get(t, "clock");
	const char *kind = str(c, "kind");
	int64_t left = json_integer_value(json_object_get(c, "left_seconds"));
	char buf[256], sp[32];

	snprintf(buf, sizeof(buf), "%s since %s", str(t, "state"),
		 str(t, "since"));
	show_line("state", buf);
	if (json_is_string(json_object_get(t, "reason")))
		show_line("reason", str(t, "reason"));
	if (json_is_string(json_object_get(t, "duplicate_of")))
		show_line("duplicate of", str(t, "duplicate_of"));
	if (json_is_string(json_object_get(t, "cvss")))
		snprintf(buf, sizeof(buf), "%s (CVSS %.1f, %s)",
			 str(t, "rating"),
			 json_number_value(json_object_get(t, "score")),
			 str(t, "cvss"));
	else
		snprintf(buf, sizeof(buf), "%s", str(t, "rating"));
	show_line("rating", buf);
	show_line("acknowledged", str(t, "acknowledged"));
	show_line("triaged", str(t, "triaged"));
	if (json_is_string(json_object_get(t, "fixed"))) {
		snprintf(buf, sizeof(buf), "%s in %s", str(t, "fixed"),
			 str(t, "fixed_version"));
		show_line("fixed", buf);
	}
	span(left, sp, sizeof(sp));
	if (!strcmp(kind, "ack") || !strcmp(kind, "fix"))
		snprintf(buf, sizeof(buf), "%s due %s (%s %s)",
			 !strcmp(kind, "ack") ? "acknowledgement" : "fix",
			 str(c, "due"), sp,
			 json_is_true(json_object_get(c, "overdue")) ? "overdue"
								     : "left");
	else if (!strcmp(kind, "paused"))
		snprintf(buf, sizeof(buf),
			 "fix clock paused while needs-info (%s %s)", sp,
			 left < 0 ? "overdue when paused" : "left");
	else
		snprintf(buf, sizeof(buf), "none running");
	show_line("clock", buf);
}

static void show_text(const json_t *r, struct al_vault *v)
{
	const json_t *m = json_object_get(r, "manifest");
	const json_t *rep = json_object_get(m, "reporter");
	const json_t *files = json_object_get(m, "files");
	const json_t *ev;
	char buf[160];
	size_t i;

	show_line("id", str(r, "id"));
	show_line("title", str(r, "title"));
	show_line("project", str(r, "project"));
	show_line("class", str(r, "class"));
	show_triage(json_object_get(r, "triage"));
	show_line("proposed", str(r, "proposed"));
	show_line("created", str(r, "created"));
	show_line("imported", str(r, "imported_at"));
	snprintf(buf, sizeof(buf), "%lld",
		 (long long)json_integer_value(json_object_get(r, "revision")));
	show_line("revision", buf);
	show_line("signature", str(r, "signature"));
	if (json_is_string(json_object_get(r, "signer")))
		show_line("signer", str(r, "signer"));
	show_line("reporter", str(rep, "name"));
	show_line("contact", str(rep, "contact"));
	show_line("credit", str(r, "credit"));
	if (json_is_true(json_object_get(r, "purged"))) {
		snprintf(buf, sizeof(buf),
			 "%s (purged: deleted from the store)",
			 str(r, "bundle"));
		show_line("bundle", buf);
	} else {
		show_line("bundle", str(r, "bundle"));
	}
	json_array_foreach(files, i, ev)
	{
		char line[512];

		snprintf(line, sizeof(line), "%s (%lld bytes)", str(ev, "path"),
			 (long long)json_integer_value(
				 json_object_get(ev, "size")));
		show_line(i ? "" : "files", line);
	}
	puts("\nhistory:");
	json_array_foreach(json_object_get(r, "events"), i, ev)
		vault_print_event(stdout, ev, false, v);
}

int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		VAULT_OPTION,
		{NULL, 0, NULL, 0},
	};
	struct al_error err = {0};
	struct al_vault *v = NULL;
	json_t *r = NULL;
	char id[37];
	bool json = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'V':
			vault_given = optarg;
			break;
		case 'h':
			fputs(show_usage, stdout);
			return 0;
		default:
			return vault_usage_error(show_usage);
		}
	}
	if (optind + 1 != argc)
		return vault_usage_error(show_usage);
	if ((rc = vault_open(&v)))
		return rc;
	if ((rc = al_vault_find(v, argv[optind], id, &err)) ||
	    (rc = al_vault_report(v, id, &r, &err))) {
		vault_fail(&err);
		goto out;
	}
	if (json)
		rc = vault_print_json(r);
	else
		show_text(r, v);
	if (fflush(stdout) && !rc)
		rc = AL_EIO;
out:
	json_decref(r);
	al_vault_close(v);
	return rc;
}
