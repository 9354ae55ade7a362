/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The derived state: the reports and bundles tables are what the events
 * say, nothing more.  Each event is applied once when it is appended, and
 * audit applies them all again (al_state_rebuild) to check that the
 * tables were not edited.  Everything an event needs besides its own data
 * is content-addressed (metas, keys), so a rebuild has one possible
 * outcome.
 */
#include <stdlib.h>
#include <string.h>

#include "al_cvss.h"
#include "al_hash.h"
#include "al_json.h"
#include "al_dedup.h"
#include "al_ledger.h"
#include "al_time.h"
#include "al_triage.h"

/* the largest metadata or event data a rebuild will parse */
#define STATE_JSON_MAX (4u << 20)

const char *al_state_proposed_rating(const json_t *meta)
{
	static const char *const vectors[] = {"cvss_v4", "cvss_v3"};
	const json_t *sev = json_object_get(meta, "severity");
	const char *r = json_string_value(json_object_get(sev, "rating"));
	struct al_cvss c;
	struct al_error e;

	if (r)
		return r;
	for (size_t i = 0; i < 2; i++) {
		const char *vec =
			json_string_value(json_object_get(sev, vectors[i]));

		if (vec && !al_cvss_parse(vec, &c, &e) &&
		    strcmp(c.rating, "none"))
			return c.rating;
	}
	return NULL;
}

static int bad(struct al_error *err, int64_t seq, const char *kind,
	       const char *what)
{
	return al_error_set(err, AL_EINTEGRITY, "event %lld (%s): %s",
			    (long long)seq, kind, what);
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static const char *sub_str(const json_t *o, const char *obj, const char *key)
{
	return str(json_object_get(o, obj), key);
}

/* A content-addressed row: metas.json or keys.key for this hash. */
static int fetch(sqlite3 *db, const char *sql, const char *sha, void **out,
		 size_t *len, struct al_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL))
		return al_db_fail(db, "reading", err);
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const void *p = sqlite3_column_blob(st, 0);

		*len = (size_t)sqlite3_column_bytes(st, 0);
		*out = malloc(*len + 1);
		if (!*out) {
			rc = al_error_set(err, AL_ENOMEM, "out of memory");
		} else {
			if (*len)
				memcpy(*out, p, *len);
			((char *)*out)[*len] = '\0';
			rc = 0;
		}
	} else if (rc == SQLITE_DONE) {
		rc = AL_ENOTFOUND;
	} else {
		rc = al_db_fail(db, "reading", err);
	}
	sqlite3_finalize(st);
	return rc;
}

static int bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT)
		 : sqlite3_bind_null(st, i);
}

static int apply_import(sqlite3 *db, int64_t seq, const char *report,
			const char *at, int64_t at_t, const json_t *data,
			struct al_error *err)
{
	const char *bundle = str(data, "bundle"),
		   *content = str(data, "content");
	const char *meta_sha = str(data, "meta"), *rk;
	const json_t *sig = json_object_get(data, "signature");
	json_int_t revision =
		json_integer_value(json_object_get(data, "revision"));
	json_int_t bytes = json_integer_value(json_object_get(data, "bytes"));
	const char *state = str(sig, "state"), *fpr = str(sig, "fpr");
	const char *credit;
	void *mbuf = NULL, *key = NULL;
	size_t mlen = 0, klen = 0;
	json_t *meta = NULL;
	const json_t *sketch;
	sqlite3_stmt *st = NULL;
	char msg[240];
	int rc;

	if (!report || !bundle || !content || !meta_sha || !state ||
	    revision < 1 || bytes < 0 ||
	    !json_is_integer(json_object_get(data, "bytes")))
		return bad(err, seq, "import",
			   "its data lacks report, bundle, content, meta, "
			   "revision, bytes or signature");
	rc = fetch(db, "SELECT json FROM metas WHERE sha256 = ?", meta_sha,
		   &mbuf, &mlen, err);
	if (rc == AL_ENOTFOUND) {
		snprintf(msg, sizeof(msg),
			 "its metadata %.16s... is not in the metas table",
			 meta_sha);
		return bad(err, seq, "import", msg);
	}
	if (rc)
		return rc;
	if (al_json_decode_object(mbuf, mlen, STATE_JSON_MAX, 16, "metadata",
				  &meta, err)) {
		rc = bad(err, seq, "import", "its metadata is not JSON");
		goto out;
	}
	if (!str(meta, "id") || strcmp(str(meta, "id"), report)) {
		rc = bad(err, seq, "import",
			 "its metadata names another report");
		goto out;
	}
	if ((rk = str(meta, "reply_key_sha256"))) {
		rc = fetch(db, "SELECT key FROM keys WHERE sha256 = ?", rk,
			   &key, &klen, err);
		if (rc == AL_ENOTFOUND) {
			snprintf(msg, sizeof(msg),
				 "its reply key %.16s... is not in the keys "
				 "table",
				 rk);
			rc = bad(err, seq, "import", msg);
		}
		if (rc)
			goto out;
	}
	credit = sub_str(meta, "reporter", "credit");
	if (sqlite3_prepare_v2(
		    db,
		    "INSERT INTO reports (id, imported, updated, revision, "
		    "bundle, meta, title, project, class, created, "
		    "imported_at, "
		    "reporter, credit, signature, signer, proposed, state, "
		    "rating, reply_key, imported_t, state_t) VALUES (?1, ?2, "
		    "?2, ?3, ?4, ?5, ?6, ?7, "
		    "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 'new', NULL, ?16, "
		    "?17, ?17) "
		    "ON CONFLICT (id) DO UPDATE SET updated = ?2, revision = "
		    "?3, "
		    "bundle = ?4, meta = ?5, title = ?6, project = ?7, "
		    "class = ?8, created = ?9, reporter = ?11, credit = ?12, "
		    "signature = ?13, signer = ?14, proposed = ?15, "
		    "reply_key = ?16",
		    -1, &st, NULL)) {
		rc = al_db_fail(db, "recording the report", err);
		goto out;
	}
	sqlite3_bind_text(st, 1, report, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_int64(st, 3, revision);
	sqlite3_bind_text(st, 4, bundle, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, meta_sha, -1, SQLITE_STATIC);
	bind_text_or_null(st, 6, str(meta, "title"));
	bind_text_or_null(st, 7, str(meta, "project"));
	bind_text_or_null(st, 8, str(meta, "class"));
	bind_text_or_null(st, 9, str(meta, "created"));
	sqlite3_bind_text(st, 10, at, -1, SQLITE_STATIC);
	bind_text_or_null(st, 11, sub_str(meta, "reporter", "name"));
	sqlite3_bind_text(st, 12, credit ? credit : "anonymous", -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 13, state, -1, SQLITE_STATIC);
	bind_text_or_null(st, 14, fpr);
	bind_text_or_null(st, 15, al_state_proposed_rating(meta));
	if (key)
		sqlite3_bind_blob(st, 16, key, (int)klen, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 16);
	sqlite3_bind_int64(st, 17, at_t);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = al_db_fail(db, "recording the report", err);
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO bundles (sha256, content, report, "
			       "size, event) VALUES (?, ?, ?, ?, ?)",
			       -1, &st, NULL)) {
		rc = al_db_fail(db, "recording the bundle", err);
		goto out;
	}
	sqlite3_bind_text(st, 1, bundle, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, content, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, report, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, bytes);
	sqlite3_bind_int64(st, 5, seq);
	if (sqlite3_step(st) != SQLITE_DONE) {
		if ((sqlite3_extended_errcode(db) & 0xff) == SQLITE_CONSTRAINT)
			rc = bad(err, seq, "import",
				 "its bundle or content was recorded before");
		else
			rc = al_db_fail(db, "recording the bundle", err);
		goto out;
	}
	/* the duplicate index: its sketch, when the import names one */
	sketch = json_object_get(data, "sketch");
	if (sketch && !json_is_string(sketch)) {
		rc = bad(err, seq, "import", "its sketch is not a hash");
		goto out;
	}
	rc = al_dedup_index(db, report, meta, json_string_value(sketch), err);
	if (rc == AL_ENOTFOUND || rc == AL_EINVAL) {
		snprintf(msg, sizeof(msg), "its sketch: %.200s", err->msg);
		rc = bad(err, seq, "import", msg);
	}
out:
	sqlite3_finalize(st);
	json_decref(meta);
	free(mbuf);
	free(key);
	return rc;
}

static int apply_tombstone(sqlite3 *db, int64_t seq, const char *report,
			   const json_t *data, struct al_error *err)
{
	const json_t *list = json_object_get(data, "bundles");
	sqlite3_stmt *st;
	size_t i;
	json_t *h;
	int rc = 0;

	if (!report || !json_is_array(list) || !json_array_size(list))
		return bad(err, seq, "tombstone",
			   "its data lacks report or bundles");
	if (sqlite3_prepare_v2(db,
			       "UPDATE bundles SET purged = 1 WHERE sha256 = ? "
			       "AND report = ? AND purged = 0",
			       -1, &st, NULL))
		return al_db_fail(db, "recording the purge", err);
	json_array_foreach(list, i, h)
	{
		if (!json_is_string(h)) {
			rc = bad(err, seq, "tombstone",
				 "a bundle is not a hash");
			break;
		}
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, json_string_value(h), -1,
				  SQLITE_STATIC);
		sqlite3_bind_text(st, 2, report, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = al_db_fail(db, "recording the purge", err);
			break;
		}
		if (sqlite3_changes(db) != 1) {
			rc = bad(err, seq, "tombstone",
				 "it names a bundle the report does not have "
				 "or one purged before");
			break;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

/* A row must exist for what the event names (sql's ?1, ?2, ?3 bound to
 * a, b, c). */
static int must_exist(sqlite3 *db, int64_t seq, const char *kind,
		      const char *sql, const char *a, const char *b,
		      const char *c, const char *what, struct al_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (!a || (!b && strstr(sql, "?2")) || (!c && strstr(sql, "?3")))
		return bad(err, seq, kind, "its data lacks a field");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL))
		return al_db_fail(db, "reading", err);
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	if (c)
		sqlite3_bind_text(st, 3, c, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return bad(err, seq, kind, what);
	return al_db_fail(db, "reading", err);
}

/* Kinds that change nothing must still name what exists: a replay a
 * bundle or content of its report recorded before, an open one of its
 * bundles, a refusal a reason kept in texts. */
static int check_refers(sqlite3 *db, int64_t seq, const char *kind,
			const char *report, const json_t *data,
			struct al_error *err)
{
	if (!strcmp(kind, "replay"))
		return must_exist(db, seq, kind,
				  "SELECT 1 FROM bundles WHERE report = ?1 "
				  "AND (sha256 = ?2 OR content = ?3)",
				  report, str(data, "bundle"),
				  str(data, "content"),
				  "it replays a bundle its report does not "
				  "have",
				  err);
	if (!strcmp(kind, "open"))
		return must_exist(db, seq, kind,
				  "SELECT 1 FROM bundles WHERE report = ?1 "
				  "AND sha256 = ?2",
				  report, str(data, "bundle"), NULL,
				  "it opens a bundle its report does not have",
				  err);
	return must_exist(db, seq, kind,
			  "SELECT 1 FROM texts WHERE sha256 = ?1",
			  str(data, "reason_sha256"), NULL, NULL,
			  "its reason is not in the texts table", err);
}

bool al_state_kind_applies(const char *kind)
{
	static const char *const kinds[] = {"import", "tombstone", "replay",
					    "open", "refused"};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kind, kinds[i]))
			return true;
	return al_triage_kind(kind);
}

int al_state_apply(sqlite3 *db, int64_t seq, struct al_error *err)
{
	sqlite3_stmt *st;
	json_t *data = NULL;
	const char *kind, *report, *at, *text;
	int64_t at_t = 0;
	int rc;

	if (sqlite3_prepare_v2(db,
			       "SELECT kind, report, at, data FROM events "
			       "WHERE seq = ?",
			       -1, &st, NULL))
		return al_db_fail(db, "reading the log", err);
	sqlite3_bind_int64(st, 1, seq);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ? al_error_set(err, AL_EINTEGRITY,
						      "event %lld is missing",
						      (long long)seq)
				       : al_db_fail(db, "reading the log", err);
		sqlite3_finalize(st);
		return rc;
	}
	kind = (const char *)sqlite3_column_text(st, 0);
	report = (const char *)sqlite3_column_text(st, 1);
	at = (const char *)sqlite3_column_text(st, 2);
	text = (const char *)sqlite3_column_text(st, 3);
	rc = 0;
	if (!kind || !at || !text) {
		rc = bad(err, seq, "?", "a column is empty");
	} else if (al_time_parse(at, &at_t, err)) {
		rc = bad(err, seq, kind, "its time is not RFC 3339");
	} else if (al_state_kind_applies(kind)) {
		if (al_json_decode_object(text, strlen(text), STATE_JSON_MAX,
					  16, "event data", &data, err))
			rc = bad(err, seq, kind, "its data is not JSON");
		else if (al_triage_kind(kind))
			rc = al_triage_apply(db, seq, kind, report, at_t, data,
					     err);
		else if (!strcmp(kind, "import"))
			rc = apply_import(db, seq, report, at, at_t, data, err);
		else if (!strcmp(kind, "tombstone"))
			rc = apply_tombstone(db, seq, report, data, err);
		else
			rc = check_refers(db, seq, kind, report, data, err);
	}
	json_decref(data);
	sqlite3_finalize(st);
	return rc;
}

int al_state_rebuild(sqlite3 *db, struct al_error *err)
{
	sqlite3_stmt *st;
	int rc = 0, step;

	if ((rc = al_dedup_clear(db, err)))
		return rc;
	if (sqlite3_exec(db, "DELETE FROM bundles; DELETE FROM reports;", NULL,
			 NULL, NULL) != SQLITE_OK)
		return al_db_fail(db, "emptying the derived tables", err);
	/* only the kinds that change state need a second look */
	if (sqlite3_prepare_v2(db, "SELECT seq, kind FROM events ORDER BY seq",
			       -1, &st, NULL))
		return al_db_fail(db, "reading the log", err);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 1);

		if (kind && !al_state_kind_applies(kind))
			continue;
		if ((rc = al_state_apply(db, sqlite3_column_int64(st, 0), err)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = al_db_fail(db, "reading the log", err);
	sqlite3_finalize(st);
	return rc;
}
