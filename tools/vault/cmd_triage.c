/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Triage: ack, triage, status, note (docs/triage.md).  Each is one event,
 * recorded and covered by the command's closing checkpoint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "al_time.h"
#include "al_triage.h"
#include "cli.h"
#include "vault.h"

#define NOTE_FILE_MAX (64 * 1024)

static const char ack_usage[] =
	"usage: airlock-vault [--vault DIR] ack ID [--json]\n\n"
	"Record the acknowledgement of a new report (new -> acknowledged):\n"
	"the policy's acknowledgement clock (acknowledge_hours from the\n"
	"import, 72 by default) stops.\n\n"
	"  --json           the move as JSON\n"
	"  --no-checkpoint  do not sign a checkpoint at the end\n";

static const char triage_usage[] =
	"usage: airlock-vault [--vault DIR] triage ID (--rating R | --cvss "
	"VECTOR)\n"
	"                     [--reason TEXT] [--json]\n\n"
	"Rate an acknowledged report (acknowledged -> triaged) and start the\n"
	"fix clock: the policy's fix_days for the rating (critical 7, high "
	"30,\n"
	"medium 60, low 90 by default).  Rating a report again (triaged,\n"
	"needs-info, fixing) needs --reason; a new rating restarts the fix\n"
	"clock from now.\n\n"
	"  --rating R       critical, high, medium or low\n"
	"  --cvss VECTOR    a CVSS v3.1 or v4.0 base vector: its score is "
	"kept\n"
	"                   and its band gives the rating (9.0-10.0 critical,\n"
	"                   7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low)\n"
	"  --reason TEXT    why the rating changes (one line)\n"
	"  --json           the move as JSON\n"
	"  --no-checkpoint  do not sign a checkpoint at the end\n";

static const char status_usage[] =
	"usage: airlock-vault [--vault DIR] status ID STATE [--reason TEXT]\n"
	"                     [--version V] [--of ID2] [--json]\n\n"
	"Move a report along its life:\n"
	"  new -> acknowledged -> triaged <-> needs-info; triaged -> fixing\n"
	"  -> fixed -> disclosed; from any open state to a closing state:\n"
	"  duplicate (after 'dup ID --of ID2'), out-of-scope (--reason ID, one of the\n"
	"  policy's out_of_scope ids), informative, not-applicable,\n"
	"  not-reproducible, spam, withdrawn; a closed report back to\n"
	"  acknowledged (--reason TEXT).  triaged needs a rating: use triage.\n"
	"needs-info pauses the fix clock, triaged resumes it, closing states\n"
	"stop every clock.\n\n"
	"  --reason TEXT    out-of-scope: the policy's reason id; otherwise\n"
	"                   why (one line, kept in the vault, not exported)\n"
	"  --version V      fixed: the version that carries the fix\n"
	"  --of ID2         duplicate: the original, as recorded by dup\n"
	"                   (optional; checked against the decision)\n"
	"  --json           the move as JSON\n"
	"  --no-checkpoint  do not sign a checkpoint at the end\n";

static const char note_usage[] =
	"usage: airlock-vault [--vault DIR] note ID --message FILE\n\n"
	"Add a maintainers' note to a report (FILE '-': standard input; "
	"UTF-8,\n"
	"at most 64 KiB).  The note is kept in the vault's ledger, in clear\n"
	"like the reports' titles; the event carries its hash only.\n\n"
	"  --no-checkpoint  do not sign a checkpoint at the end\n";

struct opts {
	const char *rating, *cvss, *reason, *version, *of, *message;
	bool json, skip;
};

static int on_opt(int c, void *ctx)
{
	struct opts *o = ctx;

	switch (c) {
	case 'r':
		o->rating = optarg;
		return 0;
	case 'c':
		o->cvss = optarg;
		return 0;
	case 'R':
		o->reason = optarg;
		return 0;
	case 'v':
		o->version = optarg;
		return 0;
	case 'f':
		o->of = optarg;
		return 0;
	case 'm':
		o->message = optarg;
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

static const struct option json_opt = {"json", no_argument, NULL, 'j'};
static const struct option reason_opt = {"reason", required_argument, NULL,
					 'R'};

/* Open the vault for a change and resolve the report id (a prefix of 8
 * or more characters). */
static int open_report(const char *given, struct al_vault **v, char id[37])
{
	struct al_error err = {0};
	int rc;

	if ((rc = vault_open_rw(v)))
		return rc;
	if ((rc = al_vault_find(*v, given, id, &err))) {
		vault_fail(&err);
		al_vault_close(*v);
		*v = NULL;
	}
	return rc;
}

static void print_due(int64_t due)
{
	char when[AL_RFC3339_LEN];

	al_time_format(due, when);
	printf("; fix due %s", when);
}

/* The move, as a line or as JSON. */
static int print_move(const char *id, const struct al_move *m, bool json)
{
	if (json) {
		char when[AL_RFC3339_LEN];
		json_t *doc = json_pack("{s:s, s:I, s:s, s:s}", "report", id,
					"event", (json_int_t)m->seq, "from",
					al_report_state_name(m->from), "to",
					al_report_state_name(m->to));

		if (doc && *m->rating)
			json_object_set_new(doc, "rating",
					    json_string(m->rating));
		if (doc && m->score10 >= 0)
			json_object_set_new(doc, "score",
					    json_real(m->score10 / 10.0));
		if (doc && m->fix_due) {
			al_time_format(m->fix_due, when);
			json_object_set_new(doc, "fix_due", json_string(when));
		}
		int rc = vault_print_json(doc);

		json_decref(doc);
		return rc;
	}
	printf("report %.8s: ", id);
	if (m->from != m->to)
		printf("%s -> %s", al_report_state_name(m->from),
		       al_report_state_name(m->to));
	else
		printf("%s", al_report_state_name(m->to));
	if (*m->rating && (m->to == AL_STATE_TRIAGED || m->rating_changed))
		printf(", rated %s", m->rating);
	if (m->score10 >= 0 && m->to == AL_STATE_TRIAGED)
		printf(" (CVSS %d.%d)", m->score10 / 10, m->score10 % 10);
	if (m->fix_due && (m->from != m->to || m->rating_changed))
		print_due(m->fix_due);
	if (m->to == AL_STATE_NEEDS_INFO)
		printf("; the fix clock is paused");
	printf(" (event %lld)\n", (long long)m->seq);
	return 0;
}

/* One report operand after the options; then run. */
static int run(int argc, char **argv, const char *usage,
	       const struct option *extra, size_t nextra, struct opts *o,
	       int noperands)
{
	int rc;

	memset(o, 0, sizeof(*o));
	if ((rc = vault_parse(argc, argv, usage, extra, nextra, on_opt, o)))
		return rc < 0 ? rc : 1;
	if (argc - optind != noperands)
		return vault_usage_error(usage);
	return 0;
}

int cmd_ack(int argc, char **argv)
{
	static const struct option extra[] = {json_opt, NO_CHECKPOINT_OPTION};
	struct al_error err = {0};
	struct al_vault *v = NULL;
	struct al_move m;
	struct opts o;
	char id[37];
	int rc;

	if ((rc = run(argc, argv, ack_usage, extra, 2, &o, 1)))
		return rc < 0 ? rc : 0;
	if ((rc = open_report(argv[optind], &v, id)))
		return rc;
	if ((rc = al_vault_ack(v, id, &m, &err)))
		vault_fail(&err);
	else
		rc = print_move(id, &m, o.json);
	rc = vault_end(v, o.skip, rc);
	al_vault_close(v);
	return rc;
}

int cmd_triage(int argc, char **argv)
{
	static const struct option extra[] = {
		{"rating", required_argument, NULL, 'r'},
		{"cvss", required_argument, NULL, 'c'},
		reason_opt,
		json_opt,
		NO_CHECKPOINT_OPTION,
	};
	struct al_error err = {0};
	struct al_vault *v = NULL;
	struct al_move m = {0};
	struct opts o;
	char id[37];
	int rc;

	if ((rc = run(argc, argv, triage_usage, extra, 5, &o, 1)))
		return rc < 0 ? rc : 0;
	if (!o.rating == !o.cvss) {
		al_error_set(&err, AL_EUSAGE,
			     "triage needs one of --rating R and --cvss "
			     "VECTOR");
		vault_fail(&err);
		return AL_EUSAGE;
	}
	if ((rc = open_report(argv[optind], &v, id)))
		return rc;
	if ((rc = al_vault_triage(v, id, o.rating, o.cvss, o.reason, &m, &err)))
		vault_fail(&err);
	else
		rc = print_move(id, &m, o.json);
	rc = vault_end(v, o.skip, rc);
	al_vault_close(v);
	return rc;
}

int cmd_status(int argc, char **argv)
{
	static const struct option extra[] = {
		reason_opt,
		{"version", required_argument, NULL, 'v'},
		{"of", required_argument, NULL, 'f'},
		json_opt,
		NO_CHECKPOINT_OPTION,
	};
	struct al_error err = {0};
	struct al_vault *v = NULL;
	struct al_status_opts so;
	struct al_move m = {0};
	struct opts o;
	char id[37], of[37];
	int rc;

	if ((rc = run(argc, argv, status_usage, extra, 5, &o, 2)))
		return rc < 0 ? rc : 0;
	if ((rc = open_report(argv[optind], &v, id)))
		return rc;
	so = (struct al_status_opts){o.reason, o.version, NULL};
	if (o.of) {
		if ((rc = al_vault_find(v, o.of, of, &err))) {
			vault_fail(&err);
			al_vault_close(v);
			return rc;
		}
		so.of = of;
	}
	if ((rc = al_vault_status(v, id, argv[optind + 1], &so, &m, &err)))
		vault_fail(&err);
	else
		rc = print_move(id, &m, o.json);
	rc = vault_end(v, o.skip, rc);
	al_vault_close(v);
	return rc;
}

int cmd_note(int argc, char **argv)
{
	static const struct option extra[] = {
		{"message", required_argument, NULL, 'm'},
		NO_CHECKPOINT_OPTION,
	};
	struct al_error err = {0};
	struct al_vault *v = NULL;
	struct opts o;
	char id[37], *text = NULL;
	size_t len;
	int64_t seq = -1;
	int rc;

	if ((rc = run(argc, argv, note_usage, extra, 2, &o, 1)))
		return rc < 0 ? rc : 0;
	if (!o.message)
		return vault_usage_error(note_usage);
	if ((rc = vault_read_text(o.message, NOTE_FILE_MAX, &text, &len)))
		return rc;
	if (strlen(text) != len) {
		free(text);
		al_error_set(&err, AL_EINVAL,
			     "note: the text holds a NUL byte");
		vault_fail(&err);
		return AL_EINVAL;
	}
	if ((rc = open_report(argv[optind], &v, id))) {
		free(text);
		return rc;
	}
	if ((rc = al_vault_note(v, id, text, &seq, &err)))
		vault_fail(&err);
	else
		printf("note added to report %.8s (event %lld)\n", id,
		       (long long)seq);
	free(text);
	rc = vault_end(v, o.skip, rc);
	al_vault_close(v);
	return rc;
}
