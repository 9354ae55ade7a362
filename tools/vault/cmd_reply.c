/* SPDX-License-Identifier: Apache-2.0 */
/*
 * airlock-vault reply: an answer sealed to the reporter's key from their
 * bundle (docs/reply.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "al_io.h"
#include "al_vault_reply.h"
#include "cli.h"
#include "vault.h"

static const char reply_usage[] =
	"usage: airlock-vault [--vault DIR] reply ID --message FILE [-o OUT] "
	"[--json]\n\n"
	"Seal an answer for the reporter of report ID: the text of FILE ('-':\n"
	"standard input; UTF-8, at most 64 KiB, no control characters but\n"
	"newlines and tabs) with the report's id, title, state and rating and\n"
	"the inclusion proof of its import in the ledger, signed by the\n"
	"vault's key, encrypted to the reporter's key from their bundle\n"
	"(keys/reply.asc) and to the vault's key, ASCII-armored.  The "
	"reporter\n"
	"reads it with 'airlock-pack read-reply' (or gpg --decrypt).  The\n"
	"ledger records a reply event with the file's SHA-256; the text "
	"itself\n"
	"is not kept (docs/reply.md).\n\n"
	"  --message FILE     the answer ('-': standard input)\n"
	"  -o, --output OUT   where the reply goes: a new file (default\n"
	"                     reply-ID8-N.asc in the current folder, the "
	"first\n"
	"                     N that is free)\n"
	"  --json             the result as JSON\n"
	"  --no-checkpoint    do not sign a checkpoint at the end\n";

/* the longest default name tried: reply-xxxxxxxx-N.asc, N up to this */
#define DEFAULT_MAX 9999

struct opts {
	const char *message, *out;
	bool json, skip;
};

static int on_opt(int c, void *ctx)
{
	struct opts *o = ctx;

	switch (c) {
	case 'm':
		o->message = optarg;
		return 0;
	case 'o':
		o->out = optarg;
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

/* reply-<the id's first 8 characters>-N.asc, the first N not taken. */
static int default_out(const char *id, char *out, size_t outsz)
{
	struct al_error err = {0};
	struct stat st;

	for (int n = 1; n <= DEFAULT_MAX; n++) {
		snprintf(out, outsz, "reply-%.8s-%d.asc", id, n);
		if (lstat(out, &st) < 0 && errno == ENOENT)
			return 0;
	}
	al_error_set(&err, AL_EEXIST,
		     "reply-%.8s-1.asc to -%d.asc all exist; give -o OUT", id,
		     DEFAULT_MAX);
	vault_fail(&err);
	return AL_EEXIST;
}

static int print_result(const char *id, const char *file,
			const struct al_reply_result *r, bool json)
{
	json_t *doc;
	int rc;

	if (!json) {
		printf("reply to report %s sealed to key %s: ", id, r->to);
		al_cli_print_visible(stdout, file);
		printf(" (event %lld, %s", (long long)r->seq, r->state);
		if (r->proof >= 0)
			printf(", with the proof of event %lld)\n",
			       (long long)r->proof);
		else
			printf(", no proof: the import is not yet covered by a "
			       "checkpoint)\n");
		return 0;
	}
	doc = json_pack("{s:s, s:s, s:I, s:s, s:I, s:s, s:o, s:s}", "report",
			id, "file", file, "event", (json_int_t)r->seq, "sha256",
			r->sha256, "bytes", (json_int_t)r->bytes, "state",
			r->state, "proof",
			r->proof >= 0 ? json_integer(r->proof) : json_null(),
			"to", r->to);
	if (!doc)
		return AL_ENOMEM;
	rc = vault_print_json(doc);
	json_decref(doc);
	return rc;
}

int cmd_reply(int argc, char **argv)
{
	static const struct option extra[] = {
		{"message", required_argument, NULL, 'm'},
		{"output", required_argument, NULL, 'o'},
		{"json", no_argument, NULL, 'j'},
		NO_CHECKPOINT_OPTION,
	};
	struct al_reply_result r;
	struct al_error err = {0};
	struct al_vault *v = NULL;
	struct opts o = {0};
	char id[37], dflt[64], *text = NULL;
	const char *file;
	size_t len = 0;
	int rc;

	if ((rc = vault_parse(argc, argv, reply_usage, extra, 4, on_opt, &o)))
		return rc < 0 ? rc : 0;
	if (optind + 1 != argc || !o.message || (o.out && !*o.out))
		return vault_usage_error(reply_usage);
	if ((rc = vault_read_text(o.message, AL_REPLY_MESSAGE_MAX, &text,
				  &len)))
		return rc;
	if ((rc = vault_open_rw(&v)))
		goto out;
	if ((rc = al_vault_find(v, argv[optind], id, &err))) {
		vault_fail(&err);
		goto out;
	}
	file = o.out;
	if (!file) {
		if ((rc = default_out(id, dflt, sizeof(dflt))))
			goto out;
		file = dflt;
	}
	if ((rc = al_vault_reply(v, id, text, len, file, &r, &err)))
		vault_fail(&err);
	else if ((rc = print_result(id, file, &r, o.json)))
		vault_say("airlock-vault: cannot print the result");
	rc = vault_end(v, o.skip, rc);
out:
	al_vault_close(v);
	if (text)
		al_secure_zero(text, len);
	free(text);
	return rc;
}
