/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_VAULT_CLI_H
#define AL_VAULT_CLI_H

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>

#include "al_error.h"
#include "al_vault.h"

/* Subcommands: each parses its own options and returns an AL_E* code
 * (main maps it to the exit status) after printing its own messages. */
int cmd_init(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_open(int argc, char **argv);
int cmd_checkpoint(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_proof(int argc, char **argv);
int cmd_purge(int argc, char **argv);
/* cmd_triage.c */
int cmd_ack(int argc, char **argv);
int cmd_triage(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_note(int argc, char **argv);

/* cmd_dedup.c */
int cmd_dups(int argc, char **argv);
int cmd_dup(int argc, char **argv);
int cmd_undup(int argc, char **argv);
/* cmd_due.c */
int cmd_due(int argc, char **argv);
int cmd_agenda(int argc, char **argv);
int cmd_sla(int argc, char **argv);
/* cmd_reply.c */
int cmd_reply(int argc, char **argv);
/* cmd_exports.c: export advisory, credits, reports (argv as cmd_export
 * got it: argv[0] "export") */
int cmd_exports(int argc, char **argv);
/* cmd_policy.c: policy export */
int cmd_policy(int argc, char **argv);

/* The vault folder given before the command (--vault DIR), or NULL. */
extern const char *vault_given;

/* The long option every command takes: --vault DIR (sets vault_given). */
#define VAULT_OPTION                                  \
	{                                             \
		"vault", required_argument, NULL, 'V' \
	}

/* The option of every command that changes the vault. */
#define NO_CHECKPOINT_OPTION                            \
	{                                               \
		"no-checkpoint", no_argument, NULL, 'N' \
	}

/*
 * End a command that changed the vault: sign a checkpoint (unless skip,
 * --no-checkpoint), so the newest events are covered.  When signing fails
 * it says so (the change stays recorded) and returns its code if rc was 0.
 */
int vault_end(struct al_vault *v, bool skip, int rc);

/* Open the vault (--vault, $AIRLOCK_VAULT, XDG), printing the failure. */
int vault_open(struct al_vault **v);
/* The same, for a command that changes the vault: also take its lock
 * (al_vault_lock), saying so when another airlock-vault holds it. */
int vault_open_rw(struct al_vault **v);

/* "airlock-vault: MESSAGE" on stderr, the message made visible. */
void vault_fail(const struct al_error *err);
/* "airlock-vault: WHAT: MESSAGE" (what: a file name), both made visible. */
void vault_fail_on(const char *what, const struct al_error *err);
/* A formatted message on stderr, made visible. */
void vault_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* s made visible on f (no newline). */
void vault_print_visible(FILE *f, const char *s);
/* One event (ledger-v1 JSON) as a line of the history: seq, time, kind,
 * the report (with_report) and the kind's details (a refusal's reason
 * looked up in v's texts), the whole line made visible (airlock-vault
 * log, show). */
void vault_print_event(FILE *f, const json_t *ev, bool with_report,
		       struct al_vault *v);
/* A JSON document on stdout. */
int vault_print_json(json_t *doc);
/*
 * getopt_long over the command's options: --help (prints usage, returns
 * 1), --vault DIR, and extra (at most 13), each of the others handed to
 * on(c, ctx) (non-zero: a usage error).  0 to go on, 1 after --help,
 * AL_EUSAGE (usage printed).  optind is the first operand after it.
 */
int vault_parse(int argc, char **argv, const char *usage,
		const struct option *extra, size_t nextra,
		int (*on)(int c, void *ctx), void *ctx);
/* A file's text, or standard input's for "-", at most cap bytes, NUL-
 * ended, malloc'd; the failure printed. */
int vault_read_text(const char *path, size_t cap, char **out, size_t *len);
/* Print usage for an option error and return AL_EUSAGE. */
int vault_usage_error(const char *usage);

#endif
