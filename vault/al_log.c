/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The log's head: checkpoints (the signed tree heads), the history as
 * JSON, inclusion proofs.  docs/ledger.md.
 */
#include <stdlib.h>
#include <string.h>

#include "al_base64.h"
#include "al_gpg.h"
#include "al_json.h"
#include "al_ledger.h"
#include "al_merkle.h"

int al_ledger_leaves(sqlite3 *db, int64_t n, uint8_t (**leaves)[AL_MERKLE_HASH],
		     uint64_t *count, struct al_error *err)
{
	uint8_t(*v)[AL_MERKLE_HASH] = NULL;
	size_t cap = 0, len = 0;
	sqlite3_stmt *st;
	int rc = 0, step;

	*leaves = NULL;
	*count = 0;
	if (sqlite3_prepare_v2(db,
			       "SELECT seq, leaf FROM events WHERE ?1 < 0 OR "
			       "seq < ?1 ORDER BY seq",
			       -1, &st, NULL))
		return al_db_fail(db, "reading the log", err);
	sqlite3_bind_int64(st, 1, n);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if ((uint64_t)sqlite3_column_int64(st, 0) != len ||
		    sqlite3_column_bytes(st, 1) != AL_MERKLE_HASH) {
			rc = al_error_set(err, AL_EINTEGRITY,
					  "ledger: event %zu is missing or "
					  "malformed (airlock-vault audit "
					  "says more)",
					  len);
			break;
		}
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			void *p = realloc(v, ncap * sizeof(*v));

			if (!p) {
				rc = al_error_set(err, AL_ENOMEM,
						  "out of memory");
				break;
			}
			v = p;
			cap = ncap;
		}
		memcpy(v[len++], sqlite3_column_blob(st, 1), AL_MERKLE_HASH);
	}
	if (!rc && step != SQLITE_DONE)
		rc = al_db_fail(db, "reading the log", err);
	sqlite3_finalize(st);
	if (!rc && n >= 0 && (uint64_t)n != len)
		rc = al_error_set(err, AL_EINTEGRITY,
				  "ledger: the log has %zu events, not %lld",
				  len, (long long)n);
	if (rc) {
		free(v);
		return rc;
	}
	*leaves = v;
	*count = len;
	return 0;
}

static void root_b64(const uint8_t root[AL_MERKLE_HASH], char out[64])
{
	al_base64_encode(root, AL_MERKLE_HASH, out);
}

static char *dup_col(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	return strdup(t ? t : "");
}

/* The newest checkpoint: its size, text and signature (malloc'd). */
static int newest(sqlite3 *db, int64_t *size, char **text, char **sig,
		  struct al_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*size = 0;
	if (text)
		*text = NULL;
	if (sig)
		*sig = NULL;
	if (sqlite3_prepare_v2(db,
			       "SELECT size, text, signature FROM checkpoints "
			       "ORDER BY size DESC LIMIT 1",
			       -1, &st, NULL))
		return al_db_fail(db, "reading the checkpoints", err);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*size = sqlite3_column_int64(st, 0);
		rc = 0;
		if (text && !(*text = dup_col(st, 1)))
			rc = AL_ENOMEM;
		if (sig && !(*sig = dup_col(st, 2)))
			rc = AL_ENOMEM;
		if (rc)
			al_error_set(err, AL_ENOMEM, "out of memory");
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = al_db_fail(db, "reading the checkpoints", err);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Is event seq (leaf) one this process appended?  v->own is in increasing
 * order of seq (al_vault_append forgets rolled back ones). */
static bool own_event(const struct al_vault *v, int64_t seq,
		      const uint8_t leaf[AL_MERKLE_HASH])
{
	size_t lo = 0, hi = v->nown;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v->own[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < v->nown && v->own[lo].seq == seq; lo++)
		if (!memcmp(v->own[lo].leaf, leaf, AL_MERKLE_HASH))
			return true;
	return false;
}

/*
 * The newest checkpoint must be genuine before a new one extends it: its
 * text names this vault and its size, its root is the root of that many
 * events, its signature is the vault key's; and no checkpoint claims more
 * events than the log has.  (A row made up by whoever can write the file
 * would otherwise pass off the events it "covers" as signed.)
 */
static int check_base(struct al_vault *v, const uint8_t (*leaves)[32],
		      uint64_t count, int64_t have, const char *text,
		      const char *sig, struct al_error *err)
{
	struct al_checkpoint c;
	uint8_t root[AL_MERKLE_HASH];
	struct al_error e;
	int64_t most = 0;
	int rc;

	if ((rc = al_db_scalar(v->db,
			       "SELECT coalesce(max(size), 0) FROM checkpoints",
			       &most, err)))
		return rc;
	if ((uint64_t)most > count)
		return al_error_set(err, AL_EINTEGRITY,
				    "checkpoint %lld claims more events than "
				    "the log has (%llu); nothing signed "
				    "(airlock-vault audit says more)",
				    (long long)most, (unsigned long long)count);
	if (!have)
		return 0;
	if (al_checkpoint_parse(text, strlen(text), &c, &e) ||
	    c.size != (uint64_t)have || strcmp(c.origin, v->origin))
		return al_error_set(err, AL_EINTEGRITY,
				    "checkpoint %lld is not this vault's; "
				    "nothing signed (airlock-vault audit says "
				    "more)",
				    (long long)have);
	al_merkle_root(leaves, (uint64_t)have, root);
	if (memcmp(root, c.root, sizeof(root)))
		return al_error_set(err, AL_EINTEGRITY,
				    "checkpoint %lld does not match the log; "
				    "nothing signed (airlock-vault audit says "
				    "more)",
				    (long long)have);
	if (al_gpg_verify_detached_ex(v->gpg, text, strlen(text), sig,
				      strlen(sig), v->key, AL_VERIFY_EXPIRED_OK,
				      NULL, NULL, &e))
		return al_error_set(err, AL_EINTEGRITY,
				    "checkpoint %lld: %s; nothing signed "
				    "(airlock-vault audit says more)",
				    (long long)have, e.msg);
	return 0;
}

/* The events a new checkpoint would cover anew: an automatic one only
 * this process's own, an explicit one only well-formed events (audit's
 * checks of each) up to through. */
static int check_tail(struct al_vault *v, bool automatic, int64_t through,
		      const uint8_t (*leaves)[32], int64_t have, int64_t next,
		      struct al_error *err)
{
	if (!automatic) {
		if (through >= 0 && through != next - 1)
			return al_error_set(err, AL_EINVAL,
					    "the log ends at event %lld, not "
					    "%lld (--through): events were "
					    "added since you read it; nothing "
					    "signed",
					    (long long)next - 1,
					    (long long)through);
		/* what it signs must also make sense: the moves the
		 * events make, applied again from the start */
		int rc = al_audit_events(v, have, err);

		return rc ? rc : al_audit_derived(v, err);
	}
	for (int64_t s = have; s < next; s++) {
		int64_t last = s;

		if (own_event(v, s, leaves[s]))
			continue;
		/* Events no command of this vault wrote while it held the
		 * lock: one that could not sign, --no-checkpoint, or
		 * someone writing the ledger behind the vault's back.
		 * Signing them here would vouch for what nobody has read. */
		while (last + 1 < next &&
		       !own_event(v, last + 1, leaves[last + 1]))
			last++;
		if (last == s)
			return al_error_set(
				err, AL_EINTEGRITY,
				"event %lld, not this command's, is not "
				"covered "
				"by a checkpoint and would be signed unseen; "
				"read it (airlock-vault log), then "
				"airlock-vault checkpoint signs it",
				(long long)s);
		return al_error_set(err, AL_EINTEGRITY,
				    "events %lld-%lld, not this command's, are "
				    "not covered by a checkpoint and would be "
				    "signed unseen; read them (airlock-vault "
				    "log), then airlock-vault checkpoint signs "
				    "them",
				    (long long)s, (long long)last);
	}
	return 0;
}

int al_vault_checkpoint_locked(struct al_vault *v, bool automatic,
			       int64_t through,
			       struct al_checkpoint_result *out,
			       struct al_error *err)
{
	struct al_checkpoint c = {0};
	char text[AL_CHECKPOINT_TEXT_MAX];
	uint8_t(*leaves)[AL_MERKLE_HASH] = NULL;
	uint8_t last[AL_MERKLE_HASH];
	uint64_t count;
	char *sig = NULL, *btext = NULL, *bsig = NULL;
	size_t tlen, siglen;
	json_t *data = NULL;
	sqlite3_stmt *st = NULL;
	int64_t next = 0, have = 0, seq = 0, now;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = newest(v->db, &have, &btext, &bsig, err)) ||
	    (rc = al_ledger_leaves(v->db, -1, &leaves, &count, err)))
		goto out;
	next = (int64_t)count;
	out->size = (uint64_t)have;
	out->from = have;
	if (automatic && !v->nown)
		goto out; /* nothing of ours to sign */
	/* even when it seems to cover everything: a made-up row claiming
	 * this command's events must not pass for their signature */
	if ((rc = check_base(v, (const uint8_t(*)[32])leaves, count, have,
			     btext, bsig, err)))
		goto out;
	if (have == next && have > 0) {
		if (through >= 0 && through != next - 1)
			rc = al_error_set(err, AL_EINVAL,
					  "the log ends at event %lld, not "
					  "%lld (--through)",
					  (long long)next - 1,
					  (long long)through);
		goto out;
	}
	if ((rc = check_tail(v, automatic, through,
			     (const uint8_t(*)[32])leaves, have, next, err)))
		goto out;
	data = json_pack("{s:I}", "size", (json_int_t)(next + 1));
	if (!data) {
		rc = al_error_set(err, AL_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = al_vault_event_time(v, &now, err)) ||
	    (rc = al_vault_append(v, now, "checkpoint", NULL, data, &seq, err)))
		goto out;
	/* the new leaf: this process's own, just appended */
	memcpy(last, v->own[v->nown - 1].leaf, sizeof(last));
	{
		void *p = realloc(leaves, (count + 1) * sizeof(*leaves));

		if (!p) {
			rc = al_error_set(err, AL_ENOMEM, "out of memory");
			goto out;
		}
		leaves = p;
	}
	memcpy(leaves[count++], last, sizeof(last));
	if (seq + 1 != (int64_t)count) {
		rc = al_error_set(err, AL_EINTEGRITY,
				  "ledger: the checkpoint event is %lld, not "
				  "%llu",
				  (long long)seq,
				  (unsigned long long)count - 1);
		goto out;
	}
	snprintf(c.origin, sizeof(c.origin), "%s", v->origin);
	c.size = count;
	al_merkle_root((const uint8_t(*)[AL_MERKLE_HASH])leaves, count, c.root);
	if ((rc = al_checkpoint_format(&c, text, &tlen, err)) ||
	    (rc = al_gpg_sign_detached(v->gpg, v->key, text, tlen, &sig,
				       &siglen, err)))
		goto out;
	if (sqlite3_prepare_v2(v->db,
			       "INSERT INTO checkpoints (size, text, "
			       "signature) VALUES (?, ?, ?)",
			       -1, &st, NULL)) {
		rc = al_db_fail(v->db, "storing the checkpoint", err);
		goto out;
	}
	sqlite3_bind_int64(st, 1, (int64_t)count);
	sqlite3_bind_text(st, 2, text, (int)tlen, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sig, (int)siglen, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = al_db_fail(v->db, "storing the checkpoint", err);
		goto out;
	}
	out->made = true;
	out->size = count;
	root_b64(c.root, out->root);
out:
	sqlite3_finalize(st);
	json_decref(data);
	free(leaves);
	free(sig);
	free(btext);
	free(bsig);
	return rc;
}

int al_vault_checkpoint(struct al_vault *v, bool automatic, int64_t through,
			struct al_checkpoint_result *out, struct al_error *err)
{
	int rc;

	if ((rc = al_db_begin(v->db, err)))
		return rc;
	if ((rc = al_vault_checkpoint_locked(v, automatic, through, out,
					     err))) {
		al_db_rollback(v->db);
		return rc;
	}
	return al_db_commit(v->db, err);
}

/* An event's canonical bytes, parsed. */
static int parse_event(const void *buf, size_t len, int64_t seq, json_t **out,
		       struct al_error *err)
{
	char what[48];

	snprintf(what, sizeof(what), "event %lld", (long long)seq);
	return al_json_decode_object(buf, len, 16u << 20, 32, what, out, err);
}

int al_vault_log(struct al_vault *v, const char *id, json_t **out,
		 struct al_error *err)
{
	sqlite3_stmt *st;
	json_t *arr = json_array();
	int rc = 0, step;

	*out = NULL;
	if (!arr)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(v->db,
			       "SELECT seq, canonical FROM events WHERE ?1 IS "
			       "NULL OR report = ?1 ORDER BY seq",
			       -1, &st, NULL)) {
		json_decref(arr);
		return al_db_fail(v->db, "reading the log", err);
	}
	if (id)
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *ev;

		if ((rc = parse_event(sqlite3_column_blob(st, 1),
				      (size_t)sqlite3_column_bytes(st, 1),
				      sqlite3_column_int64(st, 0), &ev, err)))
			break;
		if (json_array_append_new(arr, ev)) {
			rc = al_error_set(err, AL_ENOMEM, "out of memory");
			break;
		}
	}
	if (!rc && step != SQLITE_DONE)
		rc = al_db_fail(v->db, "reading the log", err);
	sqlite3_finalize(st);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

static int import_event(sqlite3 *db, const char *id, int64_t *seq, char **canon,
			size_t *len, struct al_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db,
			       "SELECT seq, canonical FROM events WHERE report "
			       "= ? AND kind = 'import' ORDER BY seq LIMIT 1",
			       -1, &st, NULL))
		return al_db_fail(db, "reading the log", err);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		*len = (size_t)sqlite3_column_bytes(st, 1);
		*canon = malloc(*len + 1);
		if (!*canon) {
			rc = al_error_set(err, AL_ENOMEM, "out of memory");
		} else {
			memcpy(*canon, sqlite3_column_blob(st, 1), *len);
			(*canon)[*len] = '\0';
			rc = 0;
		}
	} else if (rc == SQLITE_DONE) {
		rc = al_error_set(err, AL_ENOTFOUND,
				  "report %s has no import event", id);
	} else {
		rc = al_db_fail(db, "reading the log", err);
	}
	sqlite3_finalize(st);
	return rc;
}

int al_vault_proof(struct al_vault *v, const char *id, json_t **out,
		   struct al_error *err)
{
	uint8_t(*leaves)[AL_MERKLE_HASH] = NULL;
	uint8_t path[AL_MERKLE_MAX_PATH][AL_MERKLE_HASH], leaf[AL_MERKLE_HASH];
	struct al_checkpoint c;
	char *canon = NULL, *text = NULL, *sig = NULL, *key = NULL;
	size_t clen = 0, plen, klen;
	uint64_t count;
	int64_t seq = 0, size;
	json_t *o = NULL, *arr = NULL;
	int rc;

	*out = NULL;
	/* one snapshot: the event, the checkpoint and the leaves agree */
	if (sqlite3_exec(v->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return al_db_fail(v->db, "reading the log", err);
	if ((rc = import_event(v->db, id, &seq, &canon, &clen, err)) ||
	    (rc = newest(v->db, &size, &text, &sig, err)))
		goto out;
	if (size <= seq) {
		rc = al_error_set(err, AL_EINVAL,
				  "report %s: its import (event %lld) is not "
				  "yet covered by a signed checkpoint; "
				  "airlock-vault checkpoint signs it",
				  id, (long long)seq);
		goto out;
	}
	if ((rc = al_checkpoint_parse(text, strlen(text), &c, err)) ||
	    (rc = al_ledger_leaves(v->db, size, &leaves, &count, err)))
		goto out;
	al_merkle_leaf(canon, clen, leaf);
	if (c.size != (uint64_t)size ||
	    memcmp(leaf, leaves[seq], sizeof(leaf))) {
		rc = al_error_set(err, AL_EINTEGRITY,
				  "ledger: checkpoint %lld or event %lld does "
				  "not match the log (airlock-vault audit "
				  "says more)",
				  (long long)size, (long long)seq);
		goto out;
	}
	if ((rc = al_merkle_inclusion((const uint8_t(*)[AL_MERKLE_HASH])leaves,
				      count, (uint64_t)seq, path, &plen, err)))
		goto out;
	if (al_merkle_verify_inclusion((uint64_t)seq, count, leaf,
				       (const uint8_t(*)[AL_MERKLE_HASH])path,
				       plen, c.root, err)) {
		rc = al_error_set(err, AL_EINTEGRITY,
				  "ledger: the root of checkpoint %lld does "
				  "not match the log (airlock-vault audit "
				  "says more)",
				  (long long)size);
		goto out;
	}
	{
		struct al_error e;

		if (al_gpg_verify_detached_ex(
			    v->gpg, text, strlen(text), sig, strlen(sig),
			    v->key, AL_VERIFY_EXPIRED_OK, NULL, NULL, &e)) {
			rc = al_error_set(err, AL_EINTEGRITY,
					  "ledger: checkpoint %lld: %s "
					  "(airlock-vault audit says more)",
					  (long long)size, e.msg);
			goto out;
		}
	}
	if ((rc = al_gpg_export_public(v->gpg, v->key, &key, &klen, err)))
		goto out;
	if (!(arr = json_array())) {
		rc = al_error_set(err, AL_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < plen; i++) {
		char b64[64];

		root_b64(path[i], b64);
		if (json_array_append_new(arr, json_string(b64))) {
			rc = al_error_set(err, AL_ENOMEM, "out of memory");
			goto out;
		}
	}
	o = json_pack("{s:i, s:s, s:I, s:s%, s:O, s:s, s:s, s:s%}",
		      "airlock_proof", 1, "report", id, "index",
		      (json_int_t)seq, "event", canon, clen, "path", arr,
		      "checkpoint", text, "signature", sig, "key", key, klen);
	if (!o)
		rc = al_error_set(err, AL_ENOMEM, "out of memory");
out:
	sqlite3_exec(v->db, "COMMIT", NULL, NULL, NULL);
	json_decref(arr);
	free(leaves);
	free(canon);
	free(text);
	free(sig);
	free(key);
	if (!rc)
		*out = o;
	else
		json_decref(o);
	return rc;
}
