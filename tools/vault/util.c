/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "al_jcs.h"
#include "al_ledger.h"
#include "al_text.h"
#include "cli.h"
#include "vault.h"

const char *vault_given;

void vault_print_visible(FILE *f, const char *s)
{
	al_cli_print_visible(f, s);
}

void vault_fail(const struct al_error *err)
{
	al_cli_fail("airlock-vault", err);
}

void vault_fail_on(const char *what, const struct al_error *err)
{
	fputs("airlock-vault: ", stderr);
	al_cli_print_visible(stderr, what);
	fputs(": ", stderr);
	al_cli_print_message(stderr,
			     err->msg[0] ? err->msg : al_error_name(err->code));
	fputc('\n', stderr);
}

void vault_say(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	vault_print_visible(stderr, buf);
	fputc('\n', stderr);
}

int vault_print_json(json_t *doc)
{
	return al_cli_print_json(doc);
}

int vault_usage_error(const char *usage)
{
	fputs(usage, stderr);
	return AL_EUSAGE;
}

int vault_open(struct al_vault **v)
{
	struct al_error err = {0};
	char *path = NULL;
	int rc;

	if ((rc = al_vault_path(vault_given, &path, &err)) ||
	    (rc = al_vault_open(path, v, &err)))
		vault_fail(&err);
	free(path);
	return rc;
}

int vault_end(struct al_vault *v, bool skip, int rc)
{
	struct al_checkpoint_result cp;
	struct al_error err = {0};
	int crc;

	if (!v || skip)
		return rc;
	if (!(crc = al_vault_checkpoint(v, &cp, &err)))
		return rc;
	fputs("airlock-vault: the ledger records the change, but no checkpoint "
	      "was signed: ",
	      stderr);
	al_cli_print_message(stderr, err.msg[0] ? err.msg
						: al_error_name(err.code));
	fputs(" ('airlock-vault checkpoint' signs it)\n", stderr);
	return rc ? rc : crc;
}

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static void print_sig(FILE *f, const json_t *sig)
{
	fprintf(f, "signature %s", jstr(sig, "state"));
	if (*jstr(sig, "fpr")) {
		fputc(' ', f);
		al_cli_print_visible(f, jstr(sig, "fpr"));
	}
}

static void print_details(FILE *f, const char *kind, const json_t *d)
{
	if (!strcmp(kind, "init")) {
		fprintf(f, "key %s, origin ", jstr(d, "key"));
		al_cli_print_visible(f, jstr(d, "origin"));
	} else if (!strcmp(kind, "import")) {
		fprintf(f, "revision %lld, %lld bytes, bundle %.12s, ",
		       (long long)json_integer_value(
			       json_object_get(d, "revision")),
		       (long long)json_integer_value(
			       json_object_get(d, "bytes")),
		       jstr(d, "bundle"));
		print_sig(f, json_object_get(d, "signature"));
	} else if (!strcmp(kind, "replay")) {
		fprintf(f, "bundle %.12s, ", jstr(d, "bundle"));
		print_sig(f, json_object_get(d, "signature"));
		if (json_is_true(json_object_get(d, "restored")))
			fputs(", restored the lost blob", f);
		if (json_is_true(json_object_get(d, "purged")))
			fputs(", purged: not stored", f);
	} else if (!strcmp(kind, "refused")) {
		fprintf(f, "bundle %.12s: ", *jstr(d, "bundle") ? jstr(d, "bundle")
							     : "-");
		al_cli_print_visible(f, jstr(d, "reason"));
	} else if (!strcmp(kind, "open")) {
		fprintf(f, "bundle %.12s", jstr(d, "bundle"));
	} else if (!strcmp(kind, "tombstone")) {
		fprintf(f, "%zu bundles deleted: ",
		       json_array_size(json_object_get(d, "bundles")));
		al_cli_print_visible(f, jstr(d, "reason"));
	} else if (!strcmp(kind, "checkpoint")) {
		fprintf(f, "size %lld", (long long)json_integer_value(
					    json_object_get(d, "size")));
	} else if (!strcmp(kind, "export")) {
		al_cli_print_visible(f, jstr(d, "what"));
	} else {
		char *t = NULL;
		size_t len;
		struct al_error e;

		if (!al_jcs_dump(d, &t, &len, &e))
			al_cli_print_visible(f, t);
		free(t);
	}
}

void vault_print_event(FILE *f, const json_t *ev, bool with_report)
{
	const char *kind = jstr(ev, "kind");
	const char *report = json_string_value(json_object_get(ev, "report"));
	size_t klen = strlen(kind);

	fprintf(f, "%6lld  %s  ",
		(long long)json_integer_value(json_object_get(ev, "seq")),
		jstr(ev, "at"));
	al_cli_print_visible(f, kind);
	fprintf(f, "%*s", (int)(klen < 11 ? 11 - klen : 1), "");
	if (with_report) {
		al_cli_print_visible(f, report ? report : "-");
		fputs("  ", f);
	}
	print_details(f, kind, json_object_get(ev, "data"));
	fputc('\n', f);
}
