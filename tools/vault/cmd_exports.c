/* SPDX-License-Identifier: Apache-2.0 */
/*
 * export advisory, export credits, export reports (docs/exports.md):
 * called by cmd_export (cmd_ledger.c) with argv as it got it, argv[0]
 * "export".  Each export is recorded in the ledger (its SHA-256) before
 * its bytes reach standard output, or together with its file (-o).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "al_exports.h"
#include "al_io.h"
#include "al_text.h"
#include "cli.h"
#include "vault.h"

static const char exports_usage[] =
	"usage: airlock-vault [--vault DIR] export advisory ID --format "
	"osv|md\n"
	"                     [--id ADVISORY-ID] [-o FILE]\n"
	"       airlock-vault [--vault DIR] export credits [--json] [-o FILE]\n"
	"       airlock-vault [--vault DIR] export reports --format csv|json "
	"[-o FILE]\n\n"
	"advisory  an OSV 1.7 advisory (osv) or a Markdown draft (md) for a\n"
	"          report that is not closed: its title, description and\n"
	"          impact (decrypted again from its bundle), the affected\n"
	"          versions with the fixed one, the severity, and the "
	"reporter\n"
	"          as finder when they asked for public credit\n"
	"credits   the researchers who asked for public credit, with their\n"
	"          fixed or disclosed reports\n"
	"reports   every report with its triage, as CSV or JSON\n\n"
	"Each export is recorded in the ledger (its SHA-256).  The output "
	"goes\n"
	"to standard output, or to a new FILE.\n\n"
	"  --format F        osv or md (advisory), csv or json (reports)\n"
	"  --id ADVISORY-ID  the advisory's id, e.g. your GHSA id (default:\n"
	"                    AIRLOCK- and the report id's first 8 digits, a\n"
	"                    placeholder OSV does not register)\n"
	"  --json            credits as JSON\n"
	"  -o, --output FILE a new file (it must not exist); - is standard\n"
	"                    output\n"
	"  --no-checkpoint   do not sign a checkpoint at the end\n";

struct exports_opts {
	const char *format, *id, *output;
	bool json, skip;
};

static int exports_opt(int c, void *ctx)
{
	struct exports_opts *o = ctx;

	switch (c) {
	case 'f':
		o->format = optarg;
		return 0;
	case 'i':
		o->id = optarg;
		return 0;
	case 'o':
		o->output = optarg;
		return 0;
	case 'j':
		o->json = true;
		return 0;
	case 'N':
		o->skip = true;
		return 0;
	default:
		return 1;
	}
}

/* A one-line usage refusal (exit 2). */
static int refuse(const char *msg)
{
	struct al_error err = {0};

	al_error_set(&err, AL_EUSAGE, "%s", msg);
	vault_fail(&err);
	return AL_EUSAGE;
}

/* The --format of a subject: one of two names. */
static int pick_format(const char *subject, const char *given, const char *a,
		       enum al_export_format fa, const char *b,
		       enum al_export_format fb, enum al_export_format *out)
{
	char msg[256], shown[96];

	if (given && !strcmp(given, a)) {
		*out = fa;
		return 0;
	}
	if (given && !strcmp(given, b)) {
		*out = fb;
		return 0;
	}
	if (!given) {
		snprintf(msg, sizeof(msg), "export %s: give --format %s or %s",
			 subject, a, b);
	} else {
		al_text_visible(given, strlen(given), shown, sizeof(shown));
		snprintf(msg, sizeof(msg),
			 "export %s: --format '%s' is not %s or %s", subject,
			 shown, a, b);
	}
	return refuse(msg);
}

/* The options each subject takes, and its format. */
static int check_opts(const char *subject, int operands,
		      const struct exports_opts *o, enum al_export_format *fmt)
{
	if (o->output && !*o->output)
		return refuse("export: -o names no file");
	if (strcmp(subject, "advisory") && strcmp(subject, "credits") &&
	    strcmp(subject, "reports"))
		return vault_usage_error(exports_usage);
	if (!strcmp(subject, "advisory")) {
		if (operands != 2 || o->json)
			return vault_usage_error(exports_usage);
		return pick_format(subject, o->format, "osv", AL_EXPORT_OSV,
				   "md", AL_EXPORT_MD, fmt);
	}
	if (o->id)
		return refuse("export: --id is for advisories");
	if (!strcmp(subject, "credits")) {
		if (operands != 1 || o->format)
			return vault_usage_error(exports_usage);
		*fmt = o->json ? AL_EXPORT_JSON : AL_EXPORT_TEXT;
		return 0;
	}
	if (operands != 1 || o->json)
		return vault_usage_error(exports_usage);
	return pick_format(subject, o->format, "csv", AL_EXPORT_CSV, "json",
			   AL_EXPORT_JSON, fmt);
}

static void note(struct al_notes *n, const char *text)
{
	if (n->n < AL_NOTES_MAX)
		snprintf(n->text[n->n++], sizeof(n->text[0]), "%s", text);
}

static void print_notes(const struct al_notes *n)
{
	for (size_t i = 0; i < n->n; i++) {
		fputs("airlock-vault: note: ", stderr);
		al_cli_print_message(stderr, n->text[i]);
		fputc('\n', stderr);
	}
}

/* Build the export's bytes. */
static int build(struct al_vault *v, const char *subject, const char *report,
		 const struct exports_opts *o, enum al_export_format fmt,
		 char **buf, size_t *len, struct al_notes *notes,
		 struct al_error *err)
{
	if (!strcmp(subject, "advisory"))
		return al_vault_advisory(v, report, o->id, fmt, buf, len, notes,
					 err);
	if (!strcmp(subject, "credits"))
		return al_vault_credits(v, fmt, buf, len, err);
	return al_vault_reports(v, fmt, buf, len, err);
}

/* Record the export, then hand the bytes out. */
static int deliver(struct al_vault *v, const char *subject, const char *report,
		   const struct exports_opts *o, enum al_export_format fmt,
		   const char *buf, size_t len)
{
	struct al_error err = {0};
	bool out_file = o->output && strcmp(o->output, "-");
	int64_t seq;
	int rc;

	if ((rc = al_vault_export_record(v, report, subject,
					 al_export_format_name(fmt), buf, len,
					 o->output, &seq, &err))) {
		vault_fail(&err);
		return rc;
	}
	if (out_file) {
		printf("%s written to ", subject);
		vault_print_visible(stdout, o->output);
		printf(" (%s, %zu bytes, event %lld)\n",
		       al_export_format_name(fmt), len, (long long)seq);
		return fflush(stdout) ? AL_EIO : 0;
	}
	if (fwrite(buf, 1, len, stdout) != len || fflush(stdout)) {
		al_error_set(&err, AL_EIO,
			     "cannot write the %s to standard output (the "
			     "export is recorded as event %lld)",
			     subject, (long long)seq);
		vault_fail(&err);
		return AL_EIO;
	}
	return 0;
}

int cmd_exports(int argc, char **argv)
{
	static const struct option extra[] = {
		{"format", required_argument, NULL, 'f'},
		{"id", required_argument, NULL, 'i'},
		{"output", required_argument, NULL, 'o'},
		{"json", no_argument, NULL, 'j'},
		NO_CHECKPOINT_OPTION,
	};
	struct exports_opts o = {0};
	struct al_notes notes = {0};
	struct al_error err = {0};
	struct al_vault *v = NULL;
	enum al_export_format fmt = AL_EXPORT_TEXT;
	const char *subject;
	char id[37] = "", shown[256], *buf = NULL;
	struct stat st;
	size_t len = 0;
	int rc;

	if ((rc = vault_parse(argc, argv, exports_usage, extra, 5, exports_opt,
			      &o)))
		return rc < 0 ? rc : 0;
	if (optind >= argc)
		return vault_usage_error(exports_usage);
	subject = argv[optind];
	if ((rc = check_opts(subject, argc - optind, &o, &fmt)))
		return rc;
	/* refused before anything is decrypted (al_vault_export_record
	 * checks again, and never replaces a file) */
	if (o.output && strcmp(o.output, "-") && !lstat(o.output, &st)) {
		al_text_visible(o.output, strlen(o.output), shown,
				sizeof(shown));
		al_error_set(&err, AL_EEXIST,
			     "'%s' exists; the export goes into a new file",
			     shown);
		vault_fail(&err);
		return AL_EEXIST;
	}
	if ((rc = vault_open_rw(&v)))
		return rc;
	if ((!strcmp(subject, "advisory") &&
	     (rc = al_vault_find(v, argv[optind + 1], id, &err))) ||
	    (rc = build(v, subject, *id ? id : NULL, &o, fmt, &buf, &len,
			&notes, &err))) {
		vault_fail(&err);
		goto out;
	}
	if (!len && !strcmp(subject, "credits"))
		note(&notes, "no researcher has asked for public credit for a "
			     "fixed or disclosed report yet");
	if (!(rc = deliver(v, subject, *id ? id : NULL, &o, fmt, buf, len)))
		print_notes(&notes);
out:
	if (buf)
		al_secure_zero(buf, len);
	free(buf);
	rc = vault_end(v, o.skip, rc);
	al_vault_close(v);
	return rc;
}
