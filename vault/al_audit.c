/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Audit (docs/ledger.md "Audit"): the schema, every event, every
 * checkpoint and its signature, the derived state rebuilt from the events,
 * the store.  The first failure ends it with AL_EINTEGRITY and one line
 * naming what and why.  Nothing is changed: the whole audit runs in one
 * write transaction (so no command appends meanwhile) that is rolled back.
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "al_gpg.h"
#include "al_hash.h"
#include "al_jcs.h"
#include "al_json.h"
#include "al_ledger.h"
#include "al_triage.h"
#include "al_merkle.h"
#include "al_text.h"
#include "al_time.h"

struct ckpt {
	int64_t size;
	char *text;
	char *sig;
	struct al_checkpoint c;
	bool announced; /* its checkpoint event was seen */
};

struct audit {
	struct al_vault *v;
	struct al_audit *out;
	struct ckpt *cps;
	size_t ncps;
	char policy[AL_SHA256_HEX];   /* the init event's, "" for none */
	char last_at[AL_RFC3339_LEN]; /* the previous event's time, or "" */
	const char *pin; /* the key every checkpoint is signed by */
};

static int fail(struct al_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct al_error *err, const char *fmt, ...)
{
	char msg[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return al_error_set(err, AL_EINTEGRITY, "%s", msg);
}

static void cps_free(struct audit *a)
{
	for (size_t i = 0; i < a->ncps; i++) {
		free(a->cps[i].text);
		free(a->cps[i].sig);
	}
	free(a->cps);
}

static int load_checkpoints(struct audit *a, struct al_error *err)
{
	sqlite3 *db = a->v->db;
	sqlite3_stmt *st;
	int rc = 0, step;

	if (sqlite3_prepare_v2(db,
			       "SELECT size, text, signature FROM checkpoints "
			       "ORDER BY size",
			       -1, &st, NULL))
		return al_db_fail(db, "reading the checkpoints", err);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ckpt *c;
		const char *t = (const char *)sqlite3_column_text(st, 1);
		const char *s = (const char *)sqlite3_column_text(st, 2);
		struct al_error perr;

		c = realloc(a->cps, (a->ncps + 1) * sizeof(*c));
		if (!c) {
			rc = al_error_set(err, AL_ENOMEM, "out of memory");
			break;
		}
		a->cps = c;
		c = &a->cps[a->ncps];
		memset(c, 0, sizeof(*c));
		c->size = sqlite3_column_int64(st, 0);
		c->text = strdup(t ? t : "");
		c->sig = strdup(s ? s : "");
		a->ncps++;
		if (!c->text || !c->sig) {
			rc = al_error_set(err, AL_ENOMEM, "out of memory");
			break;
		}
		/* the whole value: a NUL would hide what follows from the
		 * checks but not from an export */
		if (sqlite3_column_type(st, 0) != SQLITE_INTEGER ||
		    sqlite3_column_type(st, 1) != SQLITE_TEXT ||
		    sqlite3_column_type(st, 2) != SQLITE_TEXT ||
		    (size_t)sqlite3_column_bytes(st, 1) != strlen(c->text) ||
		    (size_t)sqlite3_column_bytes(st, 2) != strlen(c->sig)) {
			rc = fail(err,
				  "checkpoint %lld: a column has the wrong "
				  "type or holds a NUL byte",
				  (long long)c->size);
			break;
		}
		if (al_checkpoint_parse(c->text, strlen(c->text), &c->c,
					&perr)) {
			rc = fail(err, "checkpoint %lld: %s",
				  (long long)c->size, perr.msg);
			break;
		}
		if (c->c.size != (uint64_t)c->size) {
			rc = fail(err,
				  "checkpoint %lld: its text says size %llu",
				  (long long)c->size,
				  (unsigned long long)c->c.size);
			break;
		}
		if (strcmp(c->c.origin, a->v->origin)) {
			char vis[128];

			al_text_visible(c->c.origin, strlen(c->c.origin), vis,
					sizeof(vis));
			rc = fail(err,
				  "checkpoint %lld: origin '%s' is not this "
				  "vault's (%s)",
				  (long long)c->size, vis, a->v->origin);
			break;
		}
	}
	if (!rc && step != SQLITE_DONE)
		rc = al_db_fail(db, "reading the checkpoints", err);
	sqlite3_finalize(st);
	return rc;
}

/* Column i holds exactly want: TEXT of the same bytes (a NUL inside, a
 * BLOB or a number is not equal), or NULL for NULL. */
static bool col_is(sqlite3_stmt *st, int i, const char *want)
{
	const void *have;

	if (!want)
		return sqlite3_column_type(st, i) == SQLITE_NULL;
	if (sqlite3_column_type(st, i) != SQLITE_TEXT)
		return false;
	have = sqlite3_column_text(st, i);
	return have && (size_t)sqlite3_column_bytes(st, i) == strlen(want) &&
	       !memcmp(have, want, strlen(want));
}

/* What every event must look like: a time this vault writes (RFC 3339
 * UTC to the second, formatted back to the same text), an actor (one line
 * of text), a kind this airlock-vault writes. */
static int check_shape(int64_t seq, const char *kind, const json_t *ev,
		       struct al_error *err)
{
	static const char *const kinds[] = {
		"init",      "import", "replay",     "refused",   "open",
		"tombstone", "export", "checkpoint", "ack",       "triage",
		"status",    "note",   "reply",      "duplicate", "undup",
	};
	const char *at = json_string_value(json_object_get(ev, "at"));
	const char *actor = json_string_value(json_object_get(ev, "actor"));
	char again[AL_RFC3339_LEN], vis[64];
	struct al_error e;
	int64_t t;
	bool known = false;

	if (!al_time_parse(at, &t, &e))
		al_time_format(t, again);
	else
		again[0] = '\0';
	if (strcmp(again, at))
		return fail(err,
			    "event %lld: its time is not RFC 3339 UTC "
			    "(YYYY-MM-DDTHH:MM:SSZ)",
			    (long long)seq);
	if (!*actor || strlen(actor) > 256 ||
	    al_text_has_control(actor, strlen(actor)) ||
	    !al_utf8_valid(actor, strlen(actor)))
		return fail(err,
			    "event %lld: its actor is not one line of text",
			    (long long)seq);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		known = known || !strcmp(kind, kinds[i]);
	if (!known) {
		al_text_visible(kind, strlen(kind), vis, sizeof(vis));
		return fail(err,
			    "event %lld: kind '%s' is not one this "
			    "airlock-vault writes",
			    (long long)seq, vis);
	}
	return 0;
}

/* One event row against its canonical bytes. */
static int check_event(struct audit *a, sqlite3_stmt *st, int64_t seq,
		       struct al_error *err)
{
	static const char *const keys[] = {"actor", "at",     "data",
					   "kind",  "report", "seq"};
	const void *canon = sqlite3_column_blob(st, 6);
	size_t clen = (size_t)sqlite3_column_bytes(st, 6);
	uint8_t leaf[AL_MERKLE_HASH];
	struct al_error perr;
	json_t *ev = NULL, *data;
	char *again = NULL, *dj = NULL;
	size_t alen, dlen;
	const char *kind;
	int rc = 0;

	if (sqlite3_column_type(st, 0) != SQLITE_INTEGER ||
	    sqlite3_column_type(st, 5) != SQLITE_TEXT ||
	    sqlite3_column_type(st, 6) != SQLITE_BLOB ||
	    sqlite3_column_type(st, 7) != SQLITE_BLOB) {
		rc = fail(err, "event %lld: a column has the wrong type",
			  (long long)seq);
		goto out;
	}
	if (al_json_decode_object(canon, clen, 16u << 20, 32, "event", &ev,
				  &perr)) {
		rc = fail(err, "event %lld: its bytes are not JSON: %s",
			  (long long)seq, perr.msg);
		goto out;
	}
	if (al_jcs_dump(ev, &again, &alen, &perr) || alen != clen ||
	    memcmp(again, canon, clen)) {
		rc = fail(err,
			  "event %lld: its bytes are not canonical (RFC "
			  "8785)",
			  (long long)seq);
		goto out;
	}
	if (json_object_size(ev) != 6) {
		rc = fail(err,
			  "event %lld: it has %zu keys, not the six of "
			  "ledger-v1",
			  (long long)seq, json_object_size(ev));
		goto out;
	}
	for (size_t i = 0; i < 6; i++)
		if (!json_object_get(ev, keys[i])) {
			rc = fail(err, "event %lld: it has no '%s'",
				  (long long)seq, keys[i]);
			goto out;
		}
	if (!json_is_integer(json_object_get(ev, "seq")) ||
	    json_integer_value(json_object_get(ev, "seq")) != seq) {
		rc = fail(err,
			  "event %lld: its bytes say it is another event "
			  "(seq %lld): events were swapped or moved",
			  (long long)seq,
			  (long long)json_integer_value(
				  json_object_get(ev, "seq")));
		goto out;
	}
	data = json_object_get(ev, "data");
	kind = json_string_value(json_object_get(ev, "kind"));
	if (!json_is_object(data) || !kind ||
	    !json_is_string(json_object_get(ev, "at")) ||
	    !json_is_string(json_object_get(ev, "actor")) ||
	    !(json_is_string(json_object_get(ev, "report")) ||
	      json_is_null(json_object_get(ev, "report")))) {
		rc = fail(err, "event %lld: a key has the wrong type",
			  (long long)seq);
		goto out;
	}
	if (al_jcs_dump(data, &dj, &dlen, &perr) ||
	    !col_is(st, 1, json_string_value(json_object_get(ev, "at"))) ||
	    !col_is(st, 2, kind) ||
	    !col_is(st, 3, json_string_value(json_object_get(ev, "report"))) ||
	    !col_is(st, 4, json_string_value(json_object_get(ev, "actor"))) ||
	    (size_t)sqlite3_column_bytes(st, 5) != dlen ||
	    memcmp(sqlite3_column_blob(st, 5), dj, dlen)) {
		rc = fail(err, "event %lld: its columns do not match its bytes",
			  (long long)seq);
		goto out;
	}
	al_merkle_leaf(canon, clen, leaf);
	if (sqlite3_column_bytes(st, 7) != AL_MERKLE_HASH ||
	    memcmp(sqlite3_column_blob(st, 7), leaf, sizeof(leaf))) {
		rc = fail(err,
			  "event %lld: its leaf hash is not the hash of its "
			  "bytes",
			  (long long)seq);
		goto out;
	}
	if ((rc = check_shape(seq, kind, ev, err)))
		goto out;
	/* times never run backwards (al_db_append): an event dated before
	 * its predecessor was slipped in, or backdated */
	if (strcmp(json_string_value(json_object_get(ev, "at")), a->last_at) <
	    0) {
		rc = fail(err,
			  "event %lld: dated %s, before the event before it "
			  "(%s)",
			  (long long)seq,
			  json_string_value(json_object_get(ev, "at")),
			  a->last_at);
		goto out;
	}
	snprintf(a->last_at, sizeof(a->last_at), "%s",
		 json_string_value(json_object_get(ev, "at")));
	/* what the policy fixes: a triage's days, an out-of-scope reason */
	if ((rc = al_triage_check_policy(&a->v->policy, seq, kind, data,
					 &perr))) {
		rc = fail(err, "%s", perr.msg);
		goto out;
	}
	if ((seq == 0) != !strcmp(kind, "init")) {
		rc = fail(err,
			  seq ? "event %lld: a second init event"
			      : "event %lld: the log does not begin with init",
			  (long long)seq);
		goto out;
	}
	if (seq == 0) {
		const char *k = json_string_value(json_object_get(data, "key"));
		const char *o =
			json_string_value(json_object_get(data, "origin"));
		const char *p =
			json_string_value(json_object_get(data, "policy"));

		if (!k || strcmp(k, a->v->key) || !o ||
		    strcmp(o, a->v->origin)) {
			rc = fail(err,
				  "event 0 (init): its key or origin is not "
				  "the vault's");
			goto out;
		}
		snprintf(a->policy, sizeof(a->policy), "%s", p ? p : "");
	}
	if (!strcmp(kind, "checkpoint")) {
		json_t *sz = json_object_get(data, "size");
		bool found = false;

		if (!json_is_integer(sz) || json_integer_value(sz) != seq + 1) {
			rc = fail(err,
				  "event %lld (checkpoint): it must announce "
				  "size %lld",
				  (long long)seq, (long long)seq + 1);
			goto out;
		}
		for (size_t i = 0; i < a->ncps; i++)
			if (a->cps[i].size == seq + 1) {
				a->cps[i].announced = found = true;
				break;
			}
		if (!found) {
			rc = fail(err,
				  "event %lld announces checkpoint %lld, which "
				  "is missing",
				  (long long)seq, (long long)seq + 1);
			goto out;
		}
	}
out:
	json_decref(ev);
	free(again);
	free(dj);
	return rc;
}

int al_audit_events(struct al_vault *v, int64_t from, struct al_error *err)
{
	struct audit a = {.v = v};
	sqlite3_stmt *st;
	int64_t n = from;
	int rc = 0, step;

	if (from > 0) {
		if (sqlite3_prepare_v2(v->db,
				       "SELECT at FROM events WHERE seq = ?",
				       -1, &st, NULL))
			return al_db_fail(v->db, "reading the log", err);
		sqlite3_bind_int64(st, 1, from - 1);
		if (sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_bytes(st, 0) == AL_RFC3339_LEN - 1)
			memcpy(a.last_at, sqlite3_column_text(st, 0),
			       AL_RFC3339_LEN);
		sqlite3_finalize(st);
	}
	if (sqlite3_prepare_v2(v->db,
			       "SELECT seq, at, kind, report, actor, data, "
			       "canonical, leaf FROM events WHERE seq >= ? "
			       "ORDER BY seq",
			       -1, &st, NULL))
		return al_db_fail(v->db, "reading the log", err);
	sqlite3_bind_int64(st, 1, from);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(st, 0);

		if (seq != n) {
			rc = fail(err, "event %lld is missing", (long long)n);
			break;
		}
		if ((rc = check_event(&a, st, seq, err)))
			break;
		n++;
	}
	if (!rc && step != SQLITE_DONE)
		rc = al_db_fail(v->db, "reading the log", err);
	sqlite3_finalize(st);
	return rc;
}

/* Every event in order; every checkpoint's root recomputed on the way. */
static int check_events(struct audit *a, struct al_error *err)
{
	sqlite3 *db = a->v->db;
	struct al_merkle_stream ms;
	sqlite3_stmt *st;
	size_t next = 0;
	int64_t n = 0;
	int rc = 0, step;

	al_merkle_stream_init(&ms);
	if (sqlite3_prepare_v2(db,
			       "SELECT seq, at, kind, report, actor, data, "
			       "canonical, leaf FROM events ORDER BY seq",
			       -1, &st, NULL))
		return al_db_fail(db, "reading the log", err);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(st, 0);
		uint8_t root[AL_MERKLE_HASH];

		if (seq != n) {
			rc = fail(err,
				  "event %lld is missing (the log goes from "
				  "%lld to %lld)",
				  (long long)n, (long long)n - 1,
				  (long long)seq);
			break;
		}
		if ((rc = check_event(a, st, seq, err)) ||
		    (rc = al_merkle_stream_push(&ms, sqlite3_column_blob(st, 7),
						err)))
			break;
		n++;
		if (next < a->ncps && a->cps[next].size == n) {
			al_merkle_stream_root(&ms, root);
			if (memcmp(root, a->cps[next].c.root, sizeof(root))) {
				rc = fail(err,
					  "checkpoint %lld: its root is not "
					  "the root of events 0-%lld (an "
					  "event was changed, removed or "
					  "reordered)",
					  (long long)n, (long long)n - 1);
				break;
			}
			next++;
		}
	}
	if (!rc && step != SQLITE_DONE)
		rc = al_db_fail(db, "reading the log", err);
	sqlite3_finalize(st);
	if (rc)
		return rc;
	a->out->events = n;
	if (!n)
		return fail(err, "the log is empty: not even its init event");
	if (next < a->ncps)
		return fail(err,
			    "checkpoint %lld: the log has only %lld events",
			    (long long)a->cps[next].size, (long long)n);
	for (size_t i = 0; i < a->ncps; i++)
		if (!a->cps[i].announced)
			return fail(err,
				    "checkpoint %lld: event %lld is not its "
				    "checkpoint event",
				    (long long)a->cps[i].size,
				    (long long)a->cps[i].size - 1);
	if (!a->ncps)
		return fail(err,
			    "no signed checkpoint: none of the %lld events is "
			    "covered",
			    (long long)n);
	a->out->checkpoints = (int64_t)a->ncps;
	a->out->newest = a->cps[a->ncps - 1].size;
	if (a->out->newest == n - 1)
		return fail(
			err,
			"event %lld is not covered by a signed checkpoint "
			"(a command that could not sign, --no-checkpoint, "
			"or an edit): check it with airlock-vault log, then "
			"airlock-vault checkpoint signs it",
			(long long)n - 1);
	if (a->out->newest < n)
		return fail(err,
			    "events %lld-%lld are not covered by a signed "
			    "checkpoint (a command that could not sign, "
			    "--no-checkpoint, or an edit): check them with "
			    "airlock-vault log, then airlock-vault checkpoint "
			    "signs them",
			    (long long)a->out->newest, (long long)n - 1);
	return 0;
}

static int check_signature(struct audit *a, struct ckpt *c,
			   struct al_error *err)
{
	struct al_error e;
	int rc;

	rc = al_gpg_verify_detached_ex(a->v->gpg, c->text, strlen(c->text),
				       c->sig, strlen(c->sig), a->pin,
				       AL_VERIFY_EXPIRED_OK, NULL, NULL, &e);
	/* a signature gpg cannot even read is as bad as a wrong one */
	if (rc == AL_EINTEGRITY || rc == AL_ECRYPTO)
		return fail(err, "checkpoint %lld: %s", (long long)c->size,
			    e.msg);
	if (rc)
		*err = e;
	return rc;
}

static int check_signatures(struct audit *a, struct al_error *err)
{
	int rc = 0;

	al_gpg_keep_keys(a->v->gpg, true);
	for (size_t i = 0; i < a->ncps && !rc; i++)
		rc = check_signature(a, &a->cps[i], err);
	al_gpg_keep_keys(a->v->gpg, false);
	return rc;
}

/* metas and keys: each row's key is the SHA-256 of its value. */
static int check_addressed(sqlite3 *db, const char *table, const char *sql,
			   struct al_error *err)
{
	sqlite3_stmt *st;
	int rc = 0, step;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL))
		return al_db_fail(db, "reading", err);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *sha = (const char *)sqlite3_column_text(st, 0);
		char hex[AL_SHA256_HEX];

		al_sha256_hex(sqlite3_column_blob(st, 1),
			      (size_t)sqlite3_column_bytes(st, 1), hex);
		if (!sha || strcmp(sha, hex)) {
			char vis[80];

			al_text_visible(sha ? sha : "", sha ? strlen(sha) : 0,
					vis, sizeof(vis));
			rc = fail(err,
				  "%s: the row '%s' does not hold what its "
				  "hash names",
				  table, vis);
			break;
		}
	}
	if (!rc && step != SQLITE_DONE)
		rc = al_db_fail(db, "reading", err);
	sqlite3_finalize(st);
	return rc;
}

/* Every row of a content-addressed table is named by an event (or, for
 * keys, by metadata): a row nobody names is something slipped in. */
static int check_referenced(sqlite3 *db, const char *table, const char *sql,
			    struct al_error *err)
{
	sqlite3_stmt *st;
	int rc = 0, step;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL))
		return al_db_fail(db, "reading", err);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		char vis[80];

		al_text_visible(k ? k : "", k ? strlen(k) : 0, vis,
				sizeof(vis));
		rc = fail(err, "%s: the row '%s' is named by no event", table,
			  vis);
	} else if (step != SQLITE_DONE) {
		rc = al_db_fail(db, "reading", err);
	}
	sqlite3_finalize(st);
	return rc;
}

/*
 * A derived table against its rebuilt self: the first row that differs,
 * by its key, and the first column that differs.
 */
static int compare_table(sqlite3 *db, const char *table, const char *key,
			 const char *what, struct al_error *err)
{
	char sql[512], id[80] = "";
	sqlite3_stmt *st = NULL, *x = NULL, *y = NULL;
	int rc = 0, step;

	snprintf(sql, sizeof(sql),
		 "SELECT %s FROM (SELECT * FROM temp.audit_%s EXCEPT SELECT * "
		 "FROM main.%s) UNION ALL SELECT %s FROM (SELECT * FROM "
		 "main.%s EXCEPT SELECT * FROM temp.audit_%s) LIMIT 1",
		 key, table, table, key, table, table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL))
		return al_db_fail(db, "comparing", err);
	step = sqlite3_step(st);
	if (step == SQLITE_DONE)
		goto out;
	if (step != SQLITE_ROW) {
		rc = al_db_fail(db, "comparing", err);
		goto out;
	}
	{
		const char *k = (const char *)sqlite3_column_text(st, 0);

		al_text_visible(k ? k : "", k ? strlen(k) : 0, id, sizeof(id));
	}
	snprintf(sql, sizeof(sql), "SELECT * FROM temp.audit_%s WHERE %s = ?",
		 table, key);
	if (sqlite3_prepare_v2(db, sql, -1, &x, NULL)) {
		rc = al_db_fail(db, "comparing", err);
		goto out;
	}
	snprintf(sql, sizeof(sql), "SELECT * FROM main.%s WHERE %s = ?", table,
		 key);
	if (sqlite3_prepare_v2(db, sql, -1, &y, NULL)) {
		rc = al_db_fail(db, "comparing", err);
		goto out;
	}
	sqlite3_bind_value(x, 1, sqlite3_column_value(st, 0));
	sqlite3_bind_value(y, 1, sqlite3_column_value(st, 0));
	/* temp.audit_X is the table as found, main.X the one rebuilt */
	if (sqlite3_step(x) != SQLITE_ROW) {
		rc = fail(err, "%s %s is missing from the %s table", what, id,
			  table);
		goto out;
	}
	if (sqlite3_step(y) != SQLITE_ROW) {
		rc = fail(err,
			  "%s %s is in the %s table, but no event makes it",
			  what, id, table);
		goto out;
	}
	for (int i = 0; i < sqlite3_column_count(x); i++) {
		sqlite3_value *p = sqlite3_column_value(x, i);
		sqlite3_value *q = sqlite3_column_value(y, i);

		if (sqlite3_value_type(p) == sqlite3_value_type(q) &&
		    sqlite3_value_bytes(p) == sqlite3_value_bytes(q) &&
		    (!sqlite3_value_bytes(p) ||
		     !memcmp(sqlite3_value_blob(p), sqlite3_value_blob(q),
			     (size_t)sqlite3_value_bytes(p))))
			continue;
		rc = fail(err,
			  "%s %s: its %s in the %s table is not what its "
			  "events say",
			  what, id, sqlite3_column_name(x, i), table);
		goto out;
	}
	rc = fail(err,
		  "%s %s: its row in the %s table is not what its events "
		  "say",
		  what, id, table);
out:
	sqlite3_finalize(st);
	sqlite3_finalize(x);
	sqlite3_finalize(y);
	return rc;
}

static int check_derived(struct audit *a, struct al_error *err)
{
	sqlite3 *db = a->v->db;
	struct al_error e;
	int rc;

	if ((rc = check_addressed(db, "metas", "SELECT sha256, json FROM metas",
				  err)) ||
	    (rc = check_addressed(db, "keys", "SELECT sha256, key FROM keys",
				  err)) ||
	    (rc = check_addressed(db, "texts", "SELECT sha256, text FROM texts",
				  err)) ||
	    (rc = check_addressed(db, "sketches",
				  "SELECT sha256, data FROM sketches", err)))
		return rc;
	if ((rc = check_referenced(db, "texts",
				   "SELECT sha256 FROM texts WHERE sha256 NOT "
				   "IN (SELECT json_extract(data, "
				   "'$.reason_sha256') FROM events WHERE "
				   "json_extract(data, '$.reason_sha256') IS "
				   "NOT NULL UNION SELECT json_extract(data, "
				   "'$.text_sha256') FROM events WHERE kind = "
				   "'note') LIMIT 1",
				   err)) ||
	    (rc = check_referenced(db, "metas",
				   "SELECT sha256 FROM metas WHERE sha256 NOT "
				   "IN (SELECT json_extract(data, '$.meta') "
				   "FROM events WHERE kind = 'import' AND "
				   "json_extract(data, '$.meta') IS NOT NULL) "
				   "LIMIT 1",
				   err)) ||
	    (rc = check_referenced(
		     db, "sketches",
		     "SELECT sha256 FROM sketches WHERE sha256 NOT "
		     "IN (SELECT json_extract(data, '$.sketch') "
		     "FROM events WHERE kind = 'import' AND "
		     "json_extract(data, '$.sketch') IS NOT NULL) "
		     "LIMIT 1",
		     err)) ||
	    (rc = check_referenced(
		     db, "keys",
		     "SELECT sha256 FROM keys WHERE sha256 NOT IN "
		     "(SELECT json_extract(json, "
		     "'$.reply_key_sha256') FROM metas WHERE "
		     "json_extract(json, '$.reply_key_sha256') IS "
		     "NOT NULL) LIMIT 1",
		     err)))
		return rc;
	if (sqlite3_exec(db,
			 "CREATE TEMP TABLE audit_reports AS SELECT * FROM "
			 "main.reports;"
			 "CREATE TEMP TABLE audit_bundles AS SELECT * FROM "
			 "main.bundles;"
			 "CREATE TEMP TABLE audit_dedup_docs AS SELECT * FROM "
			 "main.dedup_docs;"
			 "CREATE TEMP TABLE audit_dedup_terms AS SELECT * FROM "
			 "main.dedup_terms;"
			 "CREATE TEMP TABLE audit_dedup_postings AS SELECT * "
			 "FROM main.dedup_postings;"
			 "CREATE TEMP TABLE audit_dedup_files AS SELECT * FROM "
			 "main.dedup_files;",
			 NULL, NULL, NULL) != SQLITE_OK)
		return al_db_fail(db, "copying the derived tables", err);
	if ((rc = al_state_rebuild(db, &e))) {
		if (rc == AL_EINTEGRITY)
			return fail(err, "%s", e.msg);
		*err = e;
		return rc;
	}
	/* the rebuilt tables are main.*, the ones found are audit_* */
	if ((rc = compare_table(db, "reports", "id", "report", err)) ||
	    (rc = compare_table(db, "bundles", "sha256", "bundle", err)) ||
	    (rc = compare_table(db, "dedup_docs", "doc",
				"duplicate index document", err)) ||
	    (rc = compare_table(db, "dedup_terms", "term",
				"duplicate index term", err)) ||
	    (rc = compare_table(db, "dedup_postings", "term",
				"duplicate index posting of term", err)) ||
	    (rc = compare_table(db, "dedup_files", "sha256",
				"duplicate index attachment", err)))
		return rc;
	return 0;
}

struct walk {
	sqlite3_stmt *known;
	int64_t unreferenced;
};

static int walk_one(void *ctx, const char *hex, const char *name,
		    struct al_error *err)
{
	struct walk *w = ctx;

	(void)name;
	(void)err;
	if (!hex)
		return 0;
	sqlite3_reset(w->known);
	sqlite3_bind_text(w->known, 1, hex, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(w->known) != SQLITE_ROW)
		w->unreferenced++;
	return 0;
}

static int check_store(struct audit *a, struct al_error *err)
{
	struct al_vault *v = a->v;
	struct walk w = {0};
	sqlite3_stmt *st;
	int rc = 0, step;

	if (sqlite3_prepare_v2(v->db,
			       "SELECT sha256, size, purged, report FROM "
			       "bundles ORDER BY event",
			       -1, &st, NULL))
		return al_db_fail(v->db, "reading the bundles", err);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *hex = (const char *)sqlite3_column_text(st, 0);
		int64_t size = sqlite3_column_int64(st, 1);
		struct al_error e;
		int fd;

		a->out->bundles++;
		if (sqlite3_column_int(st, 2)) {
			a->out->purged++;
			rc = al_store_open_blob(v->store, hex, &fd, &e);
			if (!rc) {
				close(fd);
				a->out->purged_left++;
			} else if (rc != AL_ENOTFOUND) {
				rc = fail(err, "%s", e.msg);
				break;
			}
			rc = 0;
			continue;
		}
		rc = al_store_verify(v->store, hex, (uint64_t)size, &e);
		if (rc == AL_ENOTFOUND || rc == AL_EINTEGRITY) {
			rc = fail(err, "report %s: %s",
				  sqlite3_column_text(st, 3), e.msg);
			break;
		}
		if (rc) {
			*err = e;
			break;
		}
	}
	if (!rc && step != SQLITE_DONE)
		rc = al_db_fail(v->db, "reading the bundles", err);
	sqlite3_finalize(st);
	if (rc)
		return rc;
	if (sqlite3_prepare_v2(v->db, "SELECT 1 FROM bundles WHERE sha256 = ?",
			       -1, &w.known, NULL))
		return al_db_fail(v->db, "reading the bundles", err);
	rc = al_store_walk(v->store, walk_one, &w, err);
	sqlite3_finalize(w.known);
	a->out->unreferenced = w.unreferenced;
	return rc;
}

static int check_policy(struct audit *a, struct al_error *err)
{
	char hex[AL_SHA256_HEX];
	uint64_t size;
	int fd, rc;

	fd = openat(a->v->dirfd, AL_VAULT_POLICY,
		    O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (!*a->policy)
			return 0;
		return fail(err,
			    "policy.json: missing, but the init event "
			    "recorded one (%.16s...)",
			    a->policy);
	}
	rc = al_sha256_fd(fd, hex, &size, "policy.json", err);
	close(fd);
	if (rc)
		return rc;
	if (!*a->policy)
		return fail(err, "policy.json: the init event recorded none");
	if (strcmp(hex, a->policy))
		return fail(err,
			    "policy.json: its SHA-256 is not the one the init "
			    "event recorded");
	return 0;
}

static int count_reports(struct audit *a, struct al_error *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(a->v->db, "SELECT count(*) FROM reports", -1,
			       &st, NULL))
		return al_db_fail(a->v->db, "counting", err);
	if (sqlite3_step(st) == SQLITE_ROW)
		a->out->reports = sqlite3_column_int64(st, 0);
	else
		rc = al_db_fail(a->v->db, "counting", err);
	sqlite3_finalize(st);
	return rc;
}

int al_audit_derived(struct al_vault *v, struct al_error *err)
{
	struct audit a = {.v = v};
	int rc;

	if (sqlite3_exec(v->db, "SAVEPOINT al_derived", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return al_db_fail(v->db, "checking the derived state", err);
	rc = check_derived(&a, err);
	sqlite3_exec(v->db, "ROLLBACK TO al_derived; RELEASE al_derived", NULL,
		     NULL, NULL);
	return rc;
}

int al_vault_audit(struct al_vault *v, const char *pin, struct al_audit *out,
		   struct al_error *err)
{
	struct audit a = {.v = v, .out = out, .pin = v->key};
	char primary[AL_FPR_MAX];
	int rc;

	memset(out, 0, sizeof(*out));
	if (pin) {
		/* the key named by the auditor, not the one the ledger names:
		 * its primary fingerprint, spaces and case aside (an expired
		 * key is fine: old checkpoints stay good) */
		size_t n = 0;

		for (const char *p = pin; *p; p++) {
			if (*p == ' ' || *p == '\t')
				continue;
			if (!isxdigit((unsigned char)*p) ||
			    n + 1 >= sizeof(primary))
				return al_error_set(err, AL_EUSAGE,
						    "--key: not a full "
						    "fingerprint");
			primary[n++] = (char)toupper((unsigned char)*p);
		}
		primary[n] = '\0';
		if (n != 40 && n != 64)
			return al_error_set(err, AL_EUSAGE,
					    "--key: not a full fingerprint");
		if (strcmp(primary, v->key))
			return fail(err,
				    "the vault names key %s, not the pinned %s",
				    v->key, primary);
		a.pin = primary;
	}
	if ((rc = al_db_begin(v->db, err)))
		return rc;
	if ((rc = al_db_integrity(v->db, err)) ||
	    (rc = al_db_schema_check(v->db, err)) ||
	    (rc = load_checkpoints(&a, err)) || (rc = check_events(&a, err)) ||
	    (rc = check_signatures(&a, err)) || (rc = check_derived(&a, err)) ||
	    (rc = count_reports(&a, err)) || (rc = check_store(&a, err)) ||
	    (rc = check_policy(&a, err)))
		goto out;
out:
	al_db_rollback(v->db);
	cps_free(&a);
	return rc;
}
