/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ledger's commands: checkpoint, audit, log, export ledger, proof,
 * purge (docs/ledger.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "al_io.h"
#include "al_ledger.h"
#include "cli.h"
#include "vault.h"

/* ---- checkpoint ---- */

static const char checkpoint_usage[] =
	"usage: airlock-vault [--vault DIR] checkpoint [--through N]\n\n"
	"Sign the ledger's tree head with the vault's key: a checkpoint\n"
	"covering every event so far (docs/ledger.md).  Every command that\n"
	"changes the vault does this at its end; this is for after\n"
	"--no-checkpoint, or a signing that failed: read the events it will\n"
	"cover first (airlock-vault log).  Nothing is signed when the newest\n"
	"checkpoint already covers every event, or when an event fails\n"
	"audit's checks.\n\n"
	"  --through N   sign only if the log ends at event N (the last one\n"
	"                you read)\n";

static int through_opt(int c, void *ctx)
{
	char *end;
	long long n;

	if (c != 't')
		return 1;
	n = strtoll(optarg, &end, 10);
	if (*optarg < '0' || *optarg > '9' || *end || n < 0)
		return 1;
	*(int64_t *)ctx = n;
	return 0;
}

int cmd_checkpoint(int argc, char **argv)
{
	static const struct option extra[] = {
		{"through", required_argument, NULL, 't'},
	};
	struct al_checkpoint_result cp;
	struct al_error err = {0};
	struct al_vault *v = NULL;
	int64_t through = -1;
	int rc;

	if ((rc = vault_parse(argc, argv, checkpoint_usage, extra, 1,
			      through_opt, &through)))
		return rc < 0 ? rc : 0;
	if (optind != argc)
		return vault_usage_error(checkpoint_usage);
	if ((rc = vault_open_rw(&v)))
		return rc;
	if ((rc = al_vault_checkpoint(v, false, through, &cp, &err))) {
		vault_fail(&err);
	} else if (cp.made) {
		printf("checkpoint %llu signed: events %lld-%llu, root %s\n",
		       (unsigned long long)cp.size, (long long)cp.from,
		       (unsigned long long)cp.size - 1, cp.root);
	} else {
		printf("checkpoint %llu already covers every event; nothing "
		       "signed\n",
		       (unsigned long long)cp.size);
	}
	al_vault_close(v);
	return rc;
}

/* ---- audit ---- */

static const char audit_usage[] =
	"usage: airlock-vault [--vault DIR] audit [--key FPR]\n\n"
	"Check the ledger, the signed checkpoints and the store: the schema,\n"
	"every event's bytes and hash, every checkpoint's root and signature,\n"
	"the reports and bundles tables against the events, every stored\n"
	"bundle's hash.  Changes nothing.  Exit 0 with a one-line summary, or\n"
	"3 naming the first event, checkpoint, report or blob that is "
	"wrong.\n\n"
	"  --key FPR   the key every checkpoint must be signed by, from\n"
	"              outside the vault (default: the key the vault names)\n";

static int audit_opt(int c, void *ctx)
{
	if (c != 'k')
		return 1;
	*(const char **)ctx = optarg;
	return 0;
}

int cmd_audit(int argc, char **argv)
{
	static const struct option extra[] = {
		{"key", required_argument, NULL, 'k'},
	};
	struct al_error err = {0};
	struct al_vault *v = NULL;
	struct al_audit a;
	const char *pin = NULL;
	int rc;

	if ((rc = vault_parse(argc, argv, audit_usage, extra, 1, audit_opt,
			      &pin)))
		return rc < 0 ? rc : 0;
	if (optind != argc)
		return vault_usage_error(audit_usage);
	if ((rc = vault_open(&v)))
		return rc;
	if ((rc = al_vault_audit(v, pin, &a, &err))) {
		fputs("airlock-vault: audit: ", stderr);
		al_cli_print_message(
			stderr, err.msg[0] ? err.msg : al_error_name(err.code));
		fputc('\n', stderr);
		al_vault_close(v);
		return rc;
	}
	printf("audit: ok: %lld events, %lld checkpoints (newest %lld, signed "
	       "by %s), %lld reports, %lld bundles (%lld purged), store "
	       "verified",
	       (long long)a.events, (long long)a.checkpoints,
	       (long long)a.newest, v->key, (long long)a.reports,
	       (long long)a.bundles, (long long)a.purged);
	if (a.purged_left)
		printf("; %lld purged bundles still in the store (purge the "
		       "report again to remove them)",
		       (long long)a.purged_left);
	if (a.unreferenced)
		printf("; %lld blobs in the store belong to no bundle",
		       (long long)a.unreferenced);
	putchar('\n');
	al_vault_close(v);
	return 0;
}

/* ---- log ---- */

static const char log_usage[] =
	"usage: airlock-vault [--vault DIR] log [--json] [ID]\n\n"
	"The ledger's history, oldest first: every event (or report ID's), "
	"one\n"
	"a line: its number, time, kind, report and details.  airlock-vault\n"
	"audit checks it.\n\n"
	"  --json   the events as a JSON array, as ledger-v1 defines them\n";

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static int log_opt(int c, void *ctx)
{
	if (c != 'j')
		return 1;
	*(bool *)ctx = true;
	return 0;
}

int cmd_log(int argc, char **argv)
{
	static const struct option extra[] = {
		{"json", no_argument, NULL, 'j'},
	};
	struct al_error err = {0};
	struct al_vault *v = NULL;
	json_t *events = NULL, *ev;
	bool json = false;
	char id[37];
	size_t i;
	int rc;

	if ((rc = vault_parse(argc, argv, log_usage, extra, 1, log_opt, &json)))
		return rc < 0 ? rc : 0;
	if (optind + 1 < argc)
		return vault_usage_error(log_usage);
	if ((rc = vault_open(&v)))
		return rc;
	if ((optind < argc &&
	     (rc = al_vault_find(v, argv[optind], id, &err))) ||
	    (rc = al_vault_log(v, optind < argc ? id : NULL, &events, &err))) {
		vault_fail(&err);
		goto out;
	}
	if (json) {
		rc = vault_print_json(events);
		goto out;
	}
	json_array_foreach(events, i, ev)
		vault_print_event(stdout, ev, true, v);
	if (fflush(stdout))
		rc = AL_EIO;
out:
	json_decref(events);
	al_vault_close(v);
	return rc;
}

/* ---- export ledger ---- */

static const char export_usage[] =
	"usage: airlock-vault [--vault DIR] export ledger -o DIR\n\n"
	"The auditor's export: a new folder with events.jsonl (every event's\n"
	"canonical bytes), checkpoints/N.txt and N.txt.asc (each signed\n"
	"checkpoint), keys.asc (the vault's public key) and a README saying\n"
	"how to check them with any SHA-256 and gpg.  The export is recorded\n"
	"and a checkpoint covering it is signed first.  It holds hashes, "
	"never\n"
	"a report's text.\n\n"
	"  -o, --output DIR   the new folder (it must not exist)\n";

static int out_opt(int c, void *ctx)
{
	if (c != 'o')
		return 1;
	*(const char **)ctx = optarg;
	return 0;
}

int cmd_export(int argc, char **argv)
{
	static const struct option extra[] = {
		{"output", required_argument, NULL, 'o'},
	};
	struct al_export_result r;
	struct al_error err = {0};
	struct al_vault *v = NULL;
	const char *dir = NULL;
	int rc;

	/* export advisory, credits, reports: cmd_exports.c.  The subject is
	 * the first operand: not an option, nor an option's value. */
	for (int i = 1; i < argc; i++) {
		static const char *const valued[] = {
			"-o", "--output", "--format", "--id", "--vault"};
		bool value = false;

		for (size_t k = 0; k < sizeof(valued) / sizeof(valued[0]); k++)
			value = value || !strcmp(argv[i - 1], valued[k]);
		if (argv[i][0] == '-' || value)
			continue;
		if (!strcmp(argv[i], "advisory") ||
		    !strcmp(argv[i], "credits") || !strcmp(argv[i], "reports"))
			return cmd_exports(argc, argv);
		break;
	}
	if ((rc = vault_parse(argc, argv, export_usage, extra, 1, out_opt,
			      &dir)))
		return rc < 0 ? rc : 0;
	/* getopt permutes: "export ledger -o DIR" and "export -o DIR
	 * ledger" alike */
	if (optind < argc && !strcmp(argv[optind], "ledger"))
		optind++;
	else
		return vault_usage_error(export_usage);
	if (optind != argc || !dir)
		return vault_usage_error(export_usage);
	if ((rc = vault_open_rw(&v)))
		return rc;
	if ((rc = al_vault_export_ledger(v, dir, &r, &err))) {
		vault_fail(&err);
	} else {
		printf("ledger exported to ");
		al_cli_print_visible(stdout, dir);
		printf(": %lld events, %lld checkpoints\n", (long long)r.events,
		       (long long)r.checkpoints);
	}
	al_vault_close(v);
	return rc;
}

/* ---- proof ---- */

static const char proof_usage[] =
	"usage: airlock-vault [--vault DIR] proof ID -o FILE\n\n"
	"An inclusion proof (RFC 9162) of the report's import in the ledger,\n"
	"against the newest signed checkpoint: JSON holding the import event,\n"
	"its position, the path to the root, the signed checkpoint and the\n"
	"vault's public key.  Give it to the reporter: it shows when their\n"
	"report was recorded (docs/ledger.md).  FILE must not exist; - is\n"
	"standard output.\n\n"
	"  -o, --output FILE  where the proof goes\n";

static int write_proof(json_t *proof, const char *file, struct al_error *err)
{
	struct al_atomic a;
	char *text = json_dumps(proof, JSON_INDENT(2) | JSON_SORT_KEYS);
	size_t len;
	int rc;

	if (!text)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	len = strlen(text);
	text[len] = '\0';
	if (!strcmp(file, "-")) {
		rc = fputs(text, stdout) < 0 || putchar('\n') < 0 ||
				     fflush(stdout)
			     ? al_error_set(err, AL_EIO, "writing the proof")
			     : 0;
		free(text);
		return rc;
	}
	if (!(rc = al_atomic_open(&a, file, err))) {
		if ((rc = al_write_all(a.fd, text, len, file, err)) ||
		    (rc = al_write_all(a.fd, "\n", 1, file, err)))
			al_atomic_abort(&a);
		else
			rc = al_atomic_commit(&a, 0, err);
	}
	free(text);
	return rc;
}

int cmd_proof(int argc, char **argv)
{
	static const struct option extra[] = {
		{"output", required_argument, NULL, 'o'},
	};
	struct al_error err = {0};
	struct al_vault *v = NULL;
	const char *file = NULL;
	json_t *proof = NULL;
	char id[37];
	int rc;

	if ((rc = vault_parse(argc, argv, proof_usage, extra, 1, out_opt,
			      &file)))
		return rc < 0 ? rc : 0;
	if (optind + 1 != argc || !file)
		return vault_usage_error(proof_usage);
	if ((rc = vault_open(&v)))
		return rc;
	if ((rc = al_vault_find(v, argv[optind], id, &err)) ||
	    (rc = al_vault_proof(v, id, &proof, &err)) ||
	    (rc = write_proof(proof, file, &err))) {
		vault_fail(&err);
	} else if (strcmp(file, "-")) {
		const char *cp = jstr(proof, "checkpoint");
		const char *nl = strchr(cp, '\n');

		printf("proof of report %s (event %lld, in signed checkpoint "
		       "%lld) written to ",
		       id,
		       (long long)json_integer_value(
			       json_object_get(proof, "index")),
		       nl ? strtoll(nl + 1, NULL, 10) : 0LL);
		al_cli_print_visible(stdout, file);
		putchar('\n');
	}
	json_decref(proof);
	al_vault_close(v);
	return rc;
}

/* ---- purge ---- */

static const char purge_usage[] =
	"usage: airlock-vault [--vault DIR] purge ID --reason TEXT\n\n"
	"Retention: delete the stored ciphertext of every bundle of the "
	"report\n"
	"and record a tombstone event with the reason.  The ledger's events\n"
	"stay, so the tree, audit and every proof stay valid.  It cannot be\n"
	"undone: ID must be the report's full id.\n\n"
	"  --reason TEXT     why (one line, recorded in the ledger)\n"
	"  --no-checkpoint   do not sign a checkpoint afterwards\n";

struct purge_opts {
	const char *reason;
	bool skip;
};

static int purge_opt(int c, void *ctx)
{
	struct purge_opts *p = ctx;

	if (c == 'r')
		p->reason = optarg;
	else if (c == 'N')
		p->skip = true;
	else
		return 1;
	return 0;
}

int cmd_purge(int argc, char **argv)
{
	static const struct option extra[] = {
		{"reason", required_argument, NULL, 'r'},
		NO_CHECKPOINT_OPTION,
	};
	struct purge_opts p = {0};
	struct al_purge_result r;
	struct al_error err = {0};
	struct al_vault *v = NULL;
	char id[37];
	int rc;

	if ((rc = vault_parse(argc, argv, purge_usage, extra, 2, purge_opt,
			      &p)))
		return rc < 0 ? rc : 0;
	if (optind + 1 != argc)
		return vault_usage_error(purge_usage);
	if (strlen(argv[optind]) != 36) {
		err = (struct al_error){0};
		al_error_set(&err, AL_EUSAGE,
			     "purge needs the report's full id (36 "
			     "characters): it cannot be undone");
		vault_fail(&err);
		return AL_EUSAGE;
	}
	if ((rc = vault_open_rw(&v)))
		return rc;
	if ((rc = al_vault_find(v, argv[optind], id, &err)) ||
	    (rc = al_vault_purge(v, id, p.reason, &r, &err))) {
		vault_fail(&err);
		al_vault_close(v);
		return rc;
	}
	if (r.seq >= 0)
		printf("report %s purged: %lld bundles deleted (event %lld)\n",
		       id, (long long)r.bundles, (long long)r.seq);
	else
		printf("report %s was purged already; %lld leftover blobs "
		       "removed\n",
		       id, (long long)r.bundles);
	if (r.left) {
		vault_say("airlock-vault: %lld blobs could not be removed "
			  "(audit counts them)",
			  (long long)r.left);
		rc = AL_EIO;
	}
	rc = vault_end(v, p.skip, rc);
	al_vault_close(v);
	return rc;
}
