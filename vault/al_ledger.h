/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_LEDGER_H
#define AL_LEDGER_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "al_checkpoint.h"
#include "al_error.h"
#include "al_vault.h"

/*
 * The ledger's history and what is derived from it (docs/ledger.md).
 */

/* ---- derived state (al_state.c) ---- */

/*
 * Bring the derived tables (reports, bundles) up to date with event seq,
 * which is in the events table already: an import upserts its report (the
 * metadata from metas, the reply key from keys) and adds its bundle, a
 * tombstone marks its bundles purged; a replay, an open and a refusal
 * change nothing but must name what exists (a bundle of their report, a
 * text); other kinds change nothing.  Inside
 * the caller's transaction.  AL_EINTEGRITY naming the event when what it
 * refers to is missing or malformed, AL_EIO.
 */
int al_state_apply(sqlite3 *db, int64_t seq, struct al_error *err);

/* Does an event of this kind change or check the derived state (the
 * kinds al_state_apply looks at)? */
bool al_state_kind_applies(const char *kind);

/*
 * Empty the derived tables and apply every event again, in order, inside
 * the caller's transaction (which audit rolls back).
 */
int al_state_rebuild(sqlite3 *db, struct al_error *err);

/* The reporter's proposed rating from metadata: its severity.rating, else
 * the rating of its CVSS v4.0, else v3.1 vector; NULL for none. */
const char *al_state_proposed_rating(const json_t *meta);

/* ---- checkpoints, history, proofs (al_log.c) ---- */

struct al_checkpoint_result {
	bool made;     /* false: the newest one already covered every event */
	uint64_t size; /* the newest checkpoint's size */
	int64_t from;  /* the first event the new checkpoint covers anew */
	char root[64]; /* its root, base64 */
};

/*
 * Sign the tree head: append a "checkpoint" event announcing size N (its
 * seq + 1), compute the root of those N events, sign the checkpoint text
 * with the vault's key (detached, armored) and store it, in one
 * transaction.  Nothing is appended when the newest checkpoint already
 * covers every event.  The newest checkpoint is checked first (its text,
 * root and signature; no checkpoint beyond the log): AL_EINTEGRITY.
 *
 * automatic (the checkpoint that ends a changing command, which holds the
 * vault's lock): only events this process appended (al_vault_append, by
 * number and leaf hash) may be covered anew; any other unsigned event (a
 * command that could not sign, --no-checkpoint, an edit behind the
 * vault's back) is not vouched for unseen: AL_EINTEGRITY naming them.  A
 * process that appended nothing signs nothing.
 *
 * Not automatic (airlock-vault checkpoint, init): every event so far,
 * each of which must pass audit's checks of an event (al_audit_events),
 * and the state they derive audit's (al_audit_derived), and when through >= 0 the log must end at event through (AL_EINVAL
 * otherwise: events were added since the user read them).
 *
 * The codes of al_gpg_sign_detached (the agent, the key), AL_EIO.
 */
int al_vault_checkpoint(struct al_vault *v, bool automatic, int64_t through,
			struct al_checkpoint_result *out, struct al_error *err);

/* The same, inside a transaction the caller holds (BEGIN IMMEDIATE). */
int al_vault_checkpoint_locked(struct al_vault *v, bool automatic,
			       int64_t through,
			       struct al_checkpoint_result *out,
			       struct al_error *err);

/*
 * The history: events as JSON objects (their canonical bytes parsed), in
 * seq order; with id (a full report id), that report's only.
 */
int al_vault_log(struct al_vault *v, const char *id, json_t **out,
		 struct al_error *err);

/*
 * An inclusion proof (docs/ledger.md "Proofs") of report id's first import
 * event against the newest signed checkpoint, as the JSON object written
 * to the proof file.  The proof is checked before it is returned.
 * AL_ENOTFOUND, AL_EINVAL when the import is not yet covered by a signed
 * checkpoint ("airlock-vault checkpoint signs it"), AL_EINTEGRITY when the
 * stored checkpoint does not match the events (audit says more).
 */
int al_vault_proof(struct al_vault *v, const char *id, json_t **out,
		   struct al_error *err);

/* Every leaf hash of the first n events (n: all of them when -1), malloc'd
 * into *leaves, their number in *count. */
int al_ledger_leaves(sqlite3 *db, int64_t n, uint8_t (**leaves)[AL_MERKLE_HASH],
		     uint64_t *count, struct al_error *err);

/* ---- audit (al_audit.c) ---- */

struct al_audit {
	int64_t events;
	int64_t checkpoints;
	int64_t newest; /* the newest checkpoint's size */
	int64_t reports;
	int64_t bundles;
	int64_t purged;       /* bundles purged */
	int64_t purged_left;  /* purged bundles still in the store */
	int64_t unreferenced; /* blobs in the store no bundle names */
};

/*
 * Check everything docs/ledger.md "Audit" lists, stopping at the first
 * failure: AL_EINTEGRITY with a one-line message naming the event,
 * checkpoint, report or blob and the rule.  Changes nothing (the rebuild
 * of the derived state is rolled back).  Figures go to out.  pin: the
 * fingerprint every checkpoint must be signed by, from outside the ledger
 * (NULL: the key the ledger names).
 */
int al_vault_audit(struct al_vault *v, const char *pin, struct al_audit *out,
		   struct al_error *err);

/*
 * Audit's checks of each event (canonical bytes, columns by type and
 * byte, leaf hash, time, actor, kind, checkpoint events) for the events
 * from seq from on, in the caller's transaction.  AL_EINTEGRITY naming the
 * first bad one.
 */
int al_audit_events(struct al_vault *v, int64_t from, struct al_error *err);

/*
 * Audit's check of the derived state (docs/ledger.md "Audit" 4): the
 * content-addressed tables, and the reports and bundles rebuilt from every
 * event (each move checked against the states) and compared, inside a
 * savepoint of the caller's transaction that is rolled back.
 * AL_EINTEGRITY naming the first bad event or row.
 */
int al_audit_derived(struct al_vault *v, struct al_error *err);

/* ---- export (al_export.c) ---- */

struct al_export_result {
	int64_t events;
	int64_t checkpoints;
};

/*
 * The auditor's export (docs/ledger.md "Export") into a new folder dir:
 * an "export" event and a checkpoint first, then the files, written into
 * a temporary folder beside dir and renamed into place (AL_EEXIST when dir
 * exists).
 */
int al_vault_export_ledger(struct al_vault *v, const char *dir,
			   struct al_export_result *out, struct al_error *err);

/* ---- retention (al_purge.c) ---- */

struct al_purge_result {
	int64_t seq;     /* the tombstone event; -1 when none was needed */
	int64_t bundles; /* bundles deleted from the store */
	int64_t left; /* blobs that could not be removed (audit names them) */
};

/*
 * Delete the stored ciphertext of every bundle of report id and append a
 * "tombstone" event with the reason (one line of text, 1 to 500 bytes, no
 * control character: AL_EUSAGE otherwise).  The ledger's events stay, so
 * the tree and every proof stay valid.  A report purged already is
 * refused (AL_EEXIST), unless some of its blobs survived a crash: those
 * are removed, and no event is added.
 */
int al_vault_purge(struct al_vault *v, const char *id, const char *reason,
		   struct al_purge_result *out, struct al_error *err);

#endif
