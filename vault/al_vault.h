/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_VAULT_H
#define AL_VAULT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "al_error.h"
#include "al_gpg.h"
#include "al_policy.h"
#include "al_store.h"

/*
 * The vault (docs/vault.md): a folder, 0700, owned by the user, holding
 *   ledger.sqlite  the ledger: events (append-only) and the state derived
 *                  from them (reports, bundles), schema in al_db.c
 *   store/         the bundles' ciphertext, content-addressed (al_store.h)
 *   policy.json    the project's policy (absent: the reference defaults)
 * A report's plain text is never written inside it.
 */
#define AL_VAULT_LEDGER "ledger.sqlite"
#define AL_VAULT_POLICY "policy.json"
#define AL_ORIGIN_MAX   96

struct al_vault {
	char *path;
	int dirfd;
	sqlite3 *db;
	struct al_store *store;
	struct al_gpg *gpg;
	struct al_policy policy;
	char key[AL_FPR_MAX];       /* the maintainers' key (primary fpr) */
	char origin[AL_ORIGIN_MAX]; /* the vault's name in checkpoints */
	char actor[AL_FPR_MAX];     /* who is acting: the key's fingerprint */
	struct al_own_event *own;   /* every event this process appended */
	size_t nown, cown;
	int lockfd; /* the vault's lock (al_vault_lock), -1 */
};

/* An event this process appended: its number and leaf hash (the leaf
 * tells it from another event that took the same number after a rolled
 * back transaction). */
struct al_own_event {
	int64_t seq;
	uint8_t leaf[32];
};

/*
 * Take the vault's lock (the file "lock" in the vault folder, flock
 * exclusive), held until al_vault_close: every command that changes the
 * vault takes it first, so commands that change it run one after the
 * other and the events between the newest checkpoint and a command's own
 * are never another command's.  Blocks while another airlock-vault holds
 * it (calling waiting first, when not NULL).  AL_EIO.
 */
int al_vault_lock(struct al_vault *v, void (*waiting)(void),
		  struct al_error *err);

/*
 * The vault folder: given (--vault), else $AIRLOCK_VAULT, else
 * $XDG_DATA_HOME/airlock, else $HOME/.local/share/airlock.  *out is
 * malloc'd.  AL_EUSAGE when none can be found, AL_ENOMEM.
 */
int al_vault_path(const char *given, char **out, struct al_error *err);

/*
 * Create a vault at path (the folder may exist if empty; its parent must
 * exist): folder 0700, the ledger with its schema and a first "init"
 * event, the store, and policy.json when policy_buf is not NULL (checked
 * with al_policy_parse first).  key must name a key with a secret part and
 * an encryption subkey (al_gpg_check_key).  Nothing is left behind on
 * failure.  AL_EEXIST (a non-empty folder), AL_EINVAL (policy), the codes
 * of al_gpg_check_key, AL_EIO.
 */
int al_vault_init(const char *path, const char *key, const char *policy_buf,
		  size_t policy_len, struct al_error *err);

/*
 * Open an existing vault: the folder must be a directory (not a symlink)
 * owned by the user with no group or other permission (AL_EINTEGRITY
 * naming the mode and the fix), the ledger a regular file with the same
 * rule and this schema version (AL_EINVAL naming the found version), the
 * store (al_store_open), the policy.  gpg is opened too (al_gpg_new).
 * AL_ENOTFOUND "no vault at PATH (airlock-vault init creates one)".
 */
int al_vault_open(const char *path, struct al_vault **out,
		  struct al_error *err);
void al_vault_close(struct al_vault *v);

/*
 * The time an event happened: the real clock, always.  (SOURCE_DATE_EPOCH,
 * which al_time_now honours for reproducible bundles, must not put made-up
 * times into a ledger.)  AL_EIO when the clock cannot be read.
 */
int al_vault_now(int64_t *out, struct al_error *err);

/*
 * The time of the event a command is about to append: the real clock
 * (al_vault_now), but never before the newest event's time, so the log's
 * times never run backwards (audit refuses an event dated before the one
 * before it): when the clock went back, the event takes that time.
 */
int al_vault_event_time(struct al_vault *v, int64_t *out, struct al_error *err);

/* ---- the ledger (al_db.c) ---- */

#define AL_DB_SCHEMA_VERSION 4

/* Open (create when create is true) the SQLite ledger at path with the
 * pragmas of docs/vault.md; check or create the schema.  AL_EIO,
 * AL_EINVAL (another schema version, not a ledger). */
int al_db_open(const char *path, bool create, sqlite3 **out,
	       struct al_error *err);

/* BEGIN IMMEDIATE (waits for another writer up to the busy timeout),
 * COMMIT, ROLLBACK.  AL_EIO "ledger: ...". */
int al_db_begin(sqlite3 *db, struct al_error *err);
int al_db_commit(sqlite3 *db, struct al_error *err);
void al_db_rollback(sqlite3 *db);

/* An SQLite failure as an al_error: "ledger: WHAT: sqlite's message". */
int al_db_fail(sqlite3 *db, const char *what, struct al_error *err);

/*
 * Append one event (spec ledger-v1) inside the caller's transaction: seq
 * is the next number, at the given time, kind, report (NULL for none),
 * actor, data (an object; borrowed).  Its canonical bytes (RFC 8785) and
 * leaf hash SHA-256(0x00 || bytes) are stored with it.  The new seq goes to
 * *seq when not NULL.  AL_EIO, AL_EINVAL (data not canonicalisable).
 */
int al_db_append(sqlite3 *db, int64_t at, const char *kind, const char *report,
		 const char *actor, const json_t *data, int64_t *seq,
		 struct al_error *err);

/* Is the ledger's schema exactly the one al_db_open creates (every table,
 * index and trigger, with the same SQL)?  AL_EINTEGRITY naming the first
 * object missing, changed or added. */
int al_db_schema_check(sqlite3 *db, struct al_error *err);

/* texts: text that stays in the vault, named by its SHA-256 (hex) in the
 * events (a refusal's reason), stored after a random first line (so the
 * hash in an export cannot confirm a guessed text).  get: the text after
 * that line, malloc'd; AL_ENOTFOUND (no message) when absent,
 * AL_EINTEGRITY when the row is not what its hash names. */
int al_db_put_text(sqlite3 *db, const char *sha, const char *text,
		   struct al_error *err);
int al_db_get_text(sqlite3 *db, const char *sha, char **out,
		   struct al_error *err);

/* SQLite's PRAGMA integrity_check: every page, and every index entry
 * against its table.  AL_EINTEGRITY "ledger: SQLite's integrity check:
 * ..." naming the first problem. */
int al_db_integrity(sqlite3 *db, struct al_error *err);

/* The first column of the first row of sql, an integer.  AL_EIO. */
int al_db_scalar(sqlite3 *db, const char *sql, int64_t *out,
		 struct al_error *err);

/*
 * al_db_append for the vault: the vault's actor, and the event is
 * remembered as this process's own (own), so that the checkpoint
 * that ends a command signs only what this command (or one running at the
 * same time) wrote (al_vault_checkpoint).
 */
int al_vault_append(struct al_vault *v, int64_t at, const char *kind,
		    const char *report, const json_t *data, int64_t *seq,
		    struct al_error *err);

/* meta table: small named values (origin, key, created). */
int al_db_meta_get(sqlite3 *db, const char *key, char *out, size_t outsz,
		   struct al_error *err);
int al_db_meta_set(sqlite3 *db, const char *key, const char *value,
		   struct al_error *err);

/* ---- reading (al_vault.c) ---- */

/*
 * Resolve a report id given by a user: the full id, or a prefix of at
 * least 8 characters matching exactly one report.  The full id goes to
 * out.  AL_ENOTFOUND "no report 'X'", AL_EUSAGE (too short, or "'X'
 * matches more than one report").
 */
int al_vault_find(struct al_vault *v, const char *given, char out[37],
		  struct al_error *err);

struct al_list_filter {
	const char *state;  /* NULL: any */
	const char *rating; /* NULL: any */
	int64_t limit;      /* 0: no limit */
	bool overdue;       /* only reports whose clock is overdue at now */
	int64_t now;        /* (al_clock_at, docs/sla.md) */
};

/* Reports as a JSON array of objects (the fields of docs/vault.md), newest
 * import first; the limit counts the reports that pass every filter. */
int al_vault_list(struct al_vault *v, const struct al_list_filter *f,
		  json_t **out, struct al_error *err);

/* One report: the list fields, "manifest" (the fields the vault keeps)
 * and "events" (its history). */
int al_vault_report(struct al_vault *v, const char *id, json_t **out,
		    struct al_error *err);

#endif
