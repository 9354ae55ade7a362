/* SPDX-License-Identifier: Apache-2.0 */
/*
 * airlock-vault reply: an answer sealed to the reporter's own key, carried
 * in their bundle (keys/reply.asc), signed by the vault's key and
 * encrypted to it too, so the maintainers can read what they sent.  The
 * ledger records the sealed file's hash, never its text.  docs/reply.md.
 */
#include "al_vault_reply.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "al_io.h"
#include "al_json.h"
#include "al_ledger.h"
#include "al_text.h"

/* What the reply needs of the report's row. */
struct report {
	char *title;
	char state[AL_REPLY_STATE_MAX];
	char rating[16];
	void *key; /* the reply key, NULL when none */
	size_t keylen;
	char *meta; /* the metadata kept at import (JSON) */
};

static void report_release(struct report *r)
{
	free(r->title);
	free(r->key);
	free(r->meta);
	memset(r, 0, sizeof(*r));
}

static char *dup_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return strdup(t ? (const char *)t : "");
}

static int load_report(sqlite3 *db, const char *id, struct report *r,
		       struct al_error *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(r, 0, sizeof(*r));
	if (sqlite3_prepare_v2(
		    db,
		    "SELECT r.title, r.state, r.rating, r.reply_key, "
		    "m.json FROM reports r LEFT JOIN metas m ON "
		    "m.sha256 = r.meta WHERE r.id = ?",
		    -1, &st, NULL))
		return al_db_fail(db, "reading the report", err);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		rc = al_error_set(err, AL_ENOTFOUND, "no report '%.40s'", id);
		goto out;
	}
	if (rc != SQLITE_ROW) {
		rc = al_db_fail(db, "reading the report", err);
		goto out;
	}
	rc = 0;
	snprintf(r->state, sizeof(r->state), "%s",
		 (const char *)sqlite3_column_text(st, 1)
			 ? (const char *)sqlite3_column_text(st, 1)
			 : "");
	if (sqlite3_column_type(st, 2) != SQLITE_NULL)
		snprintf(r->rating, sizeof(r->rating), "%s",
			 (const char *)sqlite3_column_text(st, 2));
	if (!(r->title = dup_text(st, 0)) || !(r->meta = dup_text(st, 4)))
		rc = al_error_set(err, AL_ENOMEM, "out of memory");
	if (!rc && sqlite3_column_type(st, 3) != SQLITE_NULL &&
	    sqlite3_column_bytes(st, 3) > 0) {
		r->keylen = (size_t)sqlite3_column_bytes(st, 3);
		if (!(r->key = malloc(r->keylen)))
			rc = al_error_set(err, AL_ENOMEM, "out of memory");
		else
			memcpy(r->key, sqlite3_column_blob(st, 3), r->keylen);
	}
out:
	sqlite3_finalize(st);
	if (rc)
		report_release(r);
	return rc;
}

/* The refusal of a report without a reply key, naming how else the
 * reporter can be reached (their contact, made visible). */
static int no_reply_key(const char *id, const struct report *r,
			struct al_error *err)
{
	json_t *meta = NULL;
	const char *contact = NULL;
	char shown[96];

	if (!al_json_decode_object(r->meta, strlen(r->meta), 4u << 20, 16,
				   "metadata", &meta, NULL))
		contact = json_string_value(json_object_get(
			json_object_get(meta, "reporter"), "contact"));
	if (contact && *contact)
		al_text_visible(contact, strlen(contact), shown, sizeof(shown));
	al_error_set(err, AL_EINVAL,
		     "report %s came without a reply key (keys/reply.asc): "
		     "nothing can be sealed to the reporter; answer them "
		     "another way (%s%s)",
		     id, contact && *contact ? "contact: " : "",
		     contact && *contact ? shown
					 : "the report names no contact");
	json_decref(meta);
	return AL_EINVAL;
}

/* The first import of report id, and the newest checkpoint's size. */
static int coverage(sqlite3 *db, const char *id, int64_t *import, int64_t *size,
		    struct al_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*import = -1;
	if (sqlite3_prepare_v2(db,
			       "SELECT seq FROM events WHERE report = ? AND "
			       "kind = 'import' ORDER BY seq LIMIT 1",
			       -1, &st, NULL))
		return al_db_fail(db, "reading the log", err);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*import = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return al_db_fail(db, "reading the log", err);
	if (*import < 0)
		return al_error_set(err, AL_EINTEGRITY,
				    "report %s has no import event "
				    "(airlock-vault audit says more)",
				    id);
	return al_db_scalar(db,
			    "SELECT coalesce(max(size), 0) FROM checkpoints",
			    size, err);
}

/* The proof of the import when a signed checkpoint covers it, else NULL
 * (with *seq -1). */
static int import_proof(struct al_vault *v, const char *id, json_t **proof,
			int64_t *seq, struct al_error *err)
{
	int64_t import, size;
	int rc;

	*proof = NULL;
	*seq = -1;
	if ((rc = coverage(v->db, id, &import, &size, err)))
		return rc;
	if (size <= import)
		return 0;
	if ((rc = al_vault_proof(v, id, proof, err)))
		return rc;
	*seq = import;
	return 0;
}

static int seal(struct al_vault *v, const char *id, const struct report *r,
		const char *message, size_t len, const json_t *proof,
		int64_t now, char **cipher, size_t *clen, struct al_error *err)
{
	const char *const recipients[] = {v->key};
	struct al_reply doc = {0};
	char *plain = NULL;
	size_t plen = 0;
	int rc;

	snprintf(doc.report, sizeof(doc.report), "%s", id);
	doc.title = r->title;
	snprintf(doc.state, sizeof(doc.state), "%s", r->state);
	snprintf(doc.rating, sizeof(doc.rating), "%s", r->rating);
	doc.at = now;
	snprintf(doc.vault, sizeof(doc.vault), "%s", v->origin);
	snprintf(doc.from, sizeof(doc.from), "%s", v->key);
	doc.message = message;
	doc.message_len = len;
	doc.proof = (json_t *)proof;
	if ((rc = al_reply_format(&doc, &plain, &plen, err)))
		return rc;
	rc = al_gpg_encrypt_key_block(v->gpg, r->key, r->keylen, recipients, 1,
				      v->key, plain, plen, cipher, clen, err);
	al_secure_zero(plain, plen);
	free(plain);
	return rc;
}

/* Append the event, write the file, commit: both or neither. */
static int record(struct al_vault *v, const char *id, int64_t now,
		  const char *cipher, size_t clen, const char *out_path,
		  struct al_reply_result *out, struct al_error *err)
{
	struct al_atomic a;
	json_t *data = NULL;
	bool published = false;
	int rc;

	data = json_pack("{s:s, s:s, s:o}", "sha256", out->sha256, "state",
			 out->state, "proof",
			 out->proof >= 0 ? json_integer(out->proof)
					 : json_null());
	if (!data)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	if ((rc = al_atomic_open(&a, out_path, err))) {
		json_decref(data);
		return rc;
	}
	if ((rc = al_write_all(a.fd, cipher, clen, out_path, err))) {
		al_atomic_abort(&a);
		json_decref(data);
		return rc;
	}
	if ((rc = al_db_begin(v->db, err))) {
		al_atomic_abort(&a);
		json_decref(data);
		return rc;
	}
	if ((rc = al_vault_append(v, now, "reply", id, data, &out->seq, err)) ||
	    (rc = al_state_apply(v->db, out->seq, err)))
		goto fail;
	/* the rename refuses a file that appeared meanwhile */
	rc = al_atomic_commit(&a, 0, err);
	if (rc) {
		if (rc == AL_EEXIST)
			rc = al_error_set(err, AL_EEXIST,
					  "'%s' exists; nothing sealed",
					  out_path);
		al_db_rollback(v->db);
		goto out;
	}
	published = true;
	if ((rc = al_db_commit(v->db, err)))
		goto fail;
	goto out;
fail:
	if (!published)
		al_atomic_abort(&a);
	al_db_rollback(v->db);
	if (published)
		unlink(out_path);
out:
	if (rc)
		out->seq = -1;
	json_decref(data);
	return rc;
}

int al_vault_reply(struct al_vault *v, const char *id, const char *message,
		   size_t len, const char *out_path,
		   struct al_reply_result *out, struct al_error *err)
{
	struct report r = {0};
	struct stat st;
	struct al_error e = {0};
	json_t *proof = NULL;
	char *cipher = NULL;
	size_t clen = 0;
	int64_t now;
	int rc;

	memset(out, 0, sizeof(*out));
	out->seq = -1;
	out->proof = -1;
	if ((rc = load_report(v->db, id, &r, err)))
		return rc;
	if (!r.key) {
		rc = no_reply_key(id, &r, err);
		goto out;
	}
	if ((rc = al_reply_check_message(message, len, err)))
		goto out;
	if (lstat(out_path, &st) == 0) {
		rc = al_error_set(err, AL_EEXIST, "'%s' exists; nothing sealed",
				  out_path);
		goto out;
	}
	if (errno != ENOENT) {
		rc = al_error_set(err, AL_EIO, "'%s': %s", out_path,
				  strerror(errno));
		goto out;
	}
	if ((rc = al_gpg_key_block(v->gpg, r.key, r.keylen, true, out->to,
				   &e))) {
		rc = al_error_set(err, rc == AL_ENOMEM ? rc : AL_EINVAL,
				  "report %s: its reply key (keys/reply.asc) "
				  "cannot be used: %s; nothing sealed",
				  id, e.msg);
		goto out;
	}
	if ((rc = import_proof(v, id, &proof, &out->proof, err)) ||
	    (rc = al_vault_event_time(v, &now, err)) ||
	    (rc = seal(v, id, &r, message, len, proof, now, &cipher, &clen,
		       err)))
		goto out;
	al_sha256_hex(cipher, clen, out->sha256);
	out->bytes = clen;
	snprintf(out->state, sizeof(out->state), "%s", r.state);
	rc = record(v, id, now, cipher, clen, out_path, out, err);
out:
	if (rc) {
		out->seq = -1;
		out->proof = -1;
	}
	json_decref(proof);
	free(cipher);
	report_release(&r);
	return rc;
}
