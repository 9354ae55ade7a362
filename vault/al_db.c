/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ledger: one SQLite file.  The events table is the history (append-
 * only, guarded by triggers; each row keeps its RFC 8785 bytes and leaf
 * hash); reports and bundles are the current state derived from it
 * (al_state.c), with the metadata a query needs (metas: content-addressed
 * JSON; keys: content-addressed reply keys); checkpoints are the signed
 * tree heads (al_log.c).  Every value from a bundle reaches SQL only
 * through bound parameters.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "al_hash.h"
#include "al_jcs.h"
#include "al_text.h"
#include "al_time.h"
#include "al_ledger.h"
#include "al_vault.h"

/* A report's terms for duplicate detection (al_terms.h), content-addressed
 * like metas; import events name them (schema version 4). */
#define SKETCHES                                   \
	"CREATE TABLE sketches ("                  \
	"  sha256 TEXT PRIMARY KEY NOT NULL,"      \
	"  data BLOB NOT NULL"                     \
	") STRICT;"

static const char schema[] =
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY NOT NULL,"
	"  value TEXT NOT NULL"
	") STRICT;"
	"CREATE TABLE events ("
	"  seq INTEGER PRIMARY KEY NOT NULL CHECK (seq >= 0),"
	"  at TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  report TEXT,"
	"  actor TEXT NOT NULL,"
	"  data TEXT NOT NULL,"
	"  canonical BLOB NOT NULL,"
	"  leaf BLOB NOT NULL CHECK (length(leaf) = 32)"
	") STRICT;"
	"CREATE INDEX events_report ON events (report, seq)"
	"  WHERE report IS NOT NULL;"
	"CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN"
	"  SELECT RAISE(ABORT, 'ledger events are append-only');"
	"END;"
	"CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN"
	"  SELECT RAISE(ABORT, 'ledger events are append-only');"
	"END;"
	"CREATE TRIGGER events_in_order BEFORE INSERT ON events"
	"  WHEN NEW.seq IS NOT (SELECT coalesce(max(seq) + 1, 0) FROM events)"
	"  BEGIN SELECT RAISE(ABORT, 'ledger events are appended in order');"
	"END;"
	"CREATE TABLE metas ("
	"  sha256 TEXT PRIMARY KEY NOT NULL,"
	"  json TEXT NOT NULL"
	") STRICT;"
	"CREATE TABLE keys ("
	"  sha256 TEXT PRIMARY KEY NOT NULL,"
	"  key BLOB NOT NULL"
	") STRICT;"
	"CREATE TABLE texts ("
	"  sha256 TEXT PRIMARY KEY NOT NULL,"
	"  text TEXT NOT NULL"
	") STRICT;"
	SKETCHES
	"CREATE TABLE checkpoints ("
	"  size INTEGER PRIMARY KEY NOT NULL CHECK (size >= 1),"
	"  text TEXT NOT NULL,"
	"  signature TEXT NOT NULL"
	") STRICT;"
	"CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints"
	"  BEGIN SELECT RAISE(ABORT, 'ledger checkpoints are append-only');"
	"END;"
	"CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints"
	"  BEGIN SELECT RAISE(ABORT, 'ledger checkpoints are append-only');"
	"END;";

/* The state derived from the events (al_state.c): a ledger of schema
 * version 2 gets these anew, rebuilt from its events (migrate). */
static const char derived[] =
	"CREATE TABLE reports ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  imported INTEGER NOT NULL REFERENCES events (seq),"
	"  updated INTEGER NOT NULL REFERENCES events (seq),"
	"  revision INTEGER NOT NULL CHECK (revision >= 1),"
	"  bundle TEXT NOT NULL,"
	"  meta TEXT NOT NULL REFERENCES metas (sha256),"
	"  title TEXT NOT NULL,"
	"  project TEXT NOT NULL,"
	"  class TEXT NOT NULL,"
	"  created TEXT NOT NULL,"
	"  imported_at TEXT NOT NULL,"
	"  reporter TEXT,"
	"  credit TEXT NOT NULL,"
	"  signature TEXT NOT NULL,"
	"  signer TEXT,"
	"  proposed TEXT,"
	"  state TEXT NOT NULL,"
	"  rating TEXT,"
	"  reply_key BLOB,"
	"  imported_t INTEGER NOT NULL,"
	"  state_t INTEGER NOT NULL,"
	"  acked_t INTEGER,"
	"  triaged_t INTEGER,"
	"  rated_t INTEGER,"
	"  cvss TEXT,"
	"  score INTEGER,"
	"  fix_days INTEGER,"
	"  fix_due INTEGER,"
	"  fix_left INTEGER,"
	"  fixed_t INTEGER,"
	"  fixed_version TEXT,"
	"  closed_t INTEGER,"
	"  reason TEXT,"
	"  duplicate_of TEXT"
	") STRICT;"
	"CREATE INDEX reports_state ON reports (state, imported);"
	"CREATE INDEX reports_imported ON reports (imported);"
	"CREATE INDEX reports_fix_due ON reports (fix_due)"
	"  WHERE fix_due IS NOT NULL;"
	"CREATE INDEX reports_rating ON reports (rating, imported);"
	"CREATE TABLE bundles ("
	"  sha256 TEXT PRIMARY KEY NOT NULL,"
	"  content TEXT NOT NULL UNIQUE,"
	"  report TEXT NOT NULL REFERENCES reports (id),"
	"  size INTEGER NOT NULL CHECK (size >= 0),"
	"  event INTEGER NOT NULL REFERENCES events (seq),"
	"  purged INTEGER NOT NULL DEFAULT 0"
	") STRICT;"
	"CREATE INDEX bundles_report ON bundles (report);"
	/* the duplicate index (al_dedup.c) */
	"CREATE TABLE dedup_docs ("
	"  doc INTEGER PRIMARY KEY NOT NULL,"
	"  report TEXT NOT NULL UNIQUE REFERENCES reports (id),"
	"  sketch TEXT REFERENCES sketches (sha256)"
	") STRICT;"
	"CREATE TABLE dedup_terms ("
	"  term INTEGER PRIMARY KEY NOT NULL,"
	"  df INTEGER NOT NULL"
	") STRICT;"
	"CREATE TABLE dedup_postings ("
	"  term INTEGER NOT NULL,"
	"  doc INTEGER NOT NULL,"
	"  PRIMARY KEY (term, doc)"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX dedup_postings_doc ON dedup_postings (doc);"
	"CREATE TABLE dedup_files ("
	"  sha256 TEXT NOT NULL,"
	"  doc INTEGER NOT NULL,"
	"  PRIMARY KEY (sha256, doc)"
	") STRICT, WITHOUT ROWID;";

/* The cause behind SQLite's "disk I/O error" or "database or disk is
 * full": the system's errno for the failed call, which SQLite does not
 * always keep (a failed COMMIT rolls back and clears it), so errno is
 * cleared before each statement and read here first. */
static const char *io_cause(sqlite3 *db, int rc, int saved)
{
	int e = sqlite3_system_errno(db);

	if (!e)
		e = saved;
	if ((rc & 0xff) == SQLITE_FULL && (!e || e == EIO))
		e = ENOSPC;
	switch (rc & 0xff) {
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
		break;
	default:
		return NULL;
	}
	if (e == ENOSPC || e == EIO || e == EROFS || e == EDQUOT ||
	    e == EACCES || e == EPERM || e == EFBIG)
		return strerror(e);
	return NULL;
}

int al_db_fail(sqlite3 *db, const char *what, struct al_error *err)
{
	int saved = errno;
	int rc = sqlite3_extended_errcode(db);
	int code = AL_EIO;
	const char *cause;

	if (rc == SQLITE_NOMEM)
		code = AL_ENOMEM;
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return al_error_set(err, AL_EIO,
				    "ledger: %s: the vault is busy (another "
				    "airlock-vault holds it); try again",
				    what);
	if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
		code = AL_EINTEGRITY;
	if ((cause = io_cause(db, rc, saved)))
		return al_error_set(err, code, "ledger: %s: %s (%s)", what,
				    sqlite3_errmsg(db), cause);
	return al_error_set(err, code, "ledger: %s: %s", what,
			    sqlite3_errmsg(db));
}

static int exec(sqlite3 *db, const char *sql, const char *what,
		struct al_error *err)
{
	errno = 0;
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return al_db_fail(db, what, err);
	return 0;
}

static int user_version(sqlite3 *db, int *out, struct al_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL))
		return al_db_fail(db, "reading the schema version", err);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return al_db_fail(db, "reading the schema version", err);
	}
	*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

static int harden(sqlite3 *db, struct al_error *err)
{
	/* SQLite's "defensive" settings: no writes to the schema or shadow
	 * tables through SQL, no extensions, no double-quoted strings,
	 * schema code (triggers, views) not trusted to call functions with
	 * side effects. */
	static const int off[] = {
		SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION,
		SQLITE_DBCONFIG_DQS_DML,
		SQLITE_DBCONFIG_DQS_DDL,
		SQLITE_DBCONFIG_TRUSTED_SCHEMA,
	};
	int v;

	if (sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, &v) ||
	    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, 1, &v))
		return al_db_fail(db, "configuring", err);
	for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++)
		if (sqlite3_db_config(db, off[i], 0, &v))
			return al_db_fail(db, "configuring", err);
	sqlite3_busy_timeout(db, 10000);
	return exec(db,
		    "PRAGMA journal_mode = WAL;"
		    "PRAGMA synchronous = FULL;"
		    "PRAGMA foreign_keys = ON;"
		    "PRAGMA cell_size_check = ON;"
		    "PRAGMA secure_delete = ON;"
		    "PRAGMA cache_size = -32768;",
		    "configuring", err);
}

static int table_exists(sqlite3 *db, const char *name, bool *out,
			struct al_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db,
			       "SELECT 1 FROM sqlite_schema WHERE type = "
			       "'table' AND name = ?",
			       -1, &st, NULL))
		return al_db_fail(db, "upgrading the schema", err);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return al_db_fail(db, "upgrading the schema", err);
	return 0;
}

/*
 * Schema version 2 or 3 to 4: version 3 added the triage columns to
 * reports, version 4 the sketches and the duplicate index.  reports,
 * bundles and the index are derived from the events, so they are made
 * anew and rebuilt from them; no event, checkpoint or stored text changes
 * (reports imported before version 4 have no sketch: docs/dedup.md).
 */
static int migrate(sqlite3 *db, int from, struct al_error *err)
{
	char sql[64];
	bool sketches = false;
	int version = 0, rc;

	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
		 AL_DB_SCHEMA_VERSION);
	if ((rc = exec(db, "BEGIN IMMEDIATE", "upgrading the schema", err)))
		return rc;
	/* another airlock-vault may have upgraded it while this one waited */
	if ((rc = user_version(db, &version, err)) || version != from) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	if ((rc = table_exists(db, "sketches", &sketches, err)) ||
	    (rc = exec(db,
		       "DROP TABLE IF EXISTS dedup_postings; DROP TABLE IF "
		       "EXISTS dedup_terms; DROP TABLE IF EXISTS dedup_files; "
		       "DROP TABLE IF EXISTS dedup_docs; DROP TABLE bundles; "
		       "DROP TABLE reports;",
		       "upgrading the schema", err)) ||
	    (!sketches &&
	     (rc = exec(db, SKETCHES, "upgrading the schema", err))) ||
	    (rc = exec(db, derived, "upgrading the schema", err)) ||
	    (rc = al_state_rebuild(db, err)) ||
	    (rc = exec(db, sql, "upgrading the schema", err)) ||
	    (rc = exec(db, "COMMIT", "upgrading the schema", err))) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	return 0;
}

int al_db_open(const char *path, bool create, sqlite3 **out,
	       struct al_error *err)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW |
		    SQLITE_OPEN_EXRESCODE | SQLITE_OPEN_NOMUTEX;
	sqlite3 *db = NULL;
	int version = 0, rc;

	*out = NULL;
	if (create)
		flags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		if (!db)
			return al_error_set(err, AL_ENOMEM, "out of memory");
		rc = al_error_set(err, AL_EIO, "ledger '%s': %s", path,
				  sqlite3_errmsg(db));
		sqlite3_close(db);
		return rc;
	}
	sqlite3_extended_result_codes(db, 1);
	if ((rc = harden(db, err)) || (rc = user_version(db, &version, err)))
		goto fail;
	if (version == 0 && create) {
		char sql[64];

		if ((rc = exec(db, "BEGIN IMMEDIATE", "creating", err)))
			goto fail;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
			 AL_DB_SCHEMA_VERSION);
		if ((rc = exec(db, schema, "creating the schema", err)) ||
		    (rc = exec(db, derived, "creating the schema", err)) ||
		    (rc = exec(db, sql, "creating the schema", err)) ||
		    (rc = exec(db, "COMMIT", "creating the schema", err))) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			goto fail;
		}
	} else if (version == 2 || version == 3) {
		if ((rc = migrate(db, version, err)))
			goto fail;
	} else if (version != AL_DB_SCHEMA_VERSION) {
		rc = al_error_set(
			err, AL_EINVAL,
			version == 1
				? "ledger '%s': schema version %d, from a "
				  "development build without signed "
				  "checkpoints; this airlock-vault reads "
				  "version %d: create a new vault and import "
				  "the bundles again"
			: version ? "ledger '%s': schema version %d; "
				    "this airlock-vault reads "
				    "version %d"
				  : "ledger '%s': not an airlock "
				    "ledger (schema version %d, "
				    "expected %d)",
			path, version, AL_DB_SCHEMA_VERSION);
		goto fail;
	}
	*out = db;
	return 0;
fail:
	sqlite3_close(db);
	return rc;
}

int al_db_begin(sqlite3 *db, struct al_error *err)
{
	return exec(db, "BEGIN IMMEDIATE", "starting a transaction", err);
}

int al_db_commit(sqlite3 *db, struct al_error *err)
{
	int rc = exec(db, "COMMIT", "committing", err);

	if (rc)
		al_db_rollback(db);
	return rc;
}

void al_db_rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

int al_db_scalar(sqlite3 *db, const char *sql, int64_t *out,
		 struct al_error *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL))
		return al_db_fail(db, "reading the log", err);
	if (sqlite3_step(st) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else
		rc = al_db_fail(db, "reading the log", err);
	sqlite3_finalize(st);
	return rc;
}

static int next_seq(sqlite3 *db, int64_t *seq, struct al_error *err)
{
	return al_db_scalar(db, "SELECT coalesce(max(seq) + 1, 0) FROM events",
			    seq, err);
}

int al_db_append(sqlite3 *db, int64_t at, const char *kind, const char *report,
		 const char *actor, const json_t *data, int64_t *seq,
		 struct al_error *err)
{
	char when[AL_RFC3339_LEN];
	char *canon = NULL, *dcanon = NULL;
	size_t clen, dlen;
	uint8_t leaf[AL_SHA256_LEN];
	sqlite3_stmt *st = NULL;
	json_t *ev = NULL;
	struct al_sha256 *h = NULL;
	int64_t n = 0;
	int rc;

	if (!json_is_object(data))
		return al_error_set(err, AL_EINVAL,
				    "ledger: event data is not an object");
	if ((rc = next_seq(db, &n, err)))
		return rc;
	al_time_format(at, when);
	ev = json_pack("{s:I, s:s, s:s, s:s?, s:s, s:O}", "seq", (json_int_t)n,
		       "at", when, "kind", kind, "report", report, "actor",
		       actor, "data", data);
	if (!ev)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	if (!report && json_object_set_new(ev, "report", json_null())) {
		rc = al_error_set(err, AL_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = al_jcs_dump(ev, &canon, &clen, err)) ||
	    (rc = al_jcs_dump(data, &dcanon, &dlen, err)) ||
	    (rc = al_sha256_new(&h, err)))
		goto out;
	al_sha256_update(h, "\0", 1);
	al_sha256_update(h, canon, clen);
	al_sha256_final(h, NULL, leaf);
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO events (seq, at, kind, report, "
			       "actor, data, canonical, leaf) VALUES "
			       "(?, ?, ?, ?, ?, ?, ?, ?)",
			       -1, &st, NULL)) {
		rc = al_db_fail(db, "appending an event", err);
		goto out;
	}
	sqlite3_bind_int64(st, 1, n);
	sqlite3_bind_text(st, 2, when, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	if (report)
		sqlite3_bind_text(st, 4, report, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_text(st, 5, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, dcanon, (int)dlen, SQLITE_STATIC);
	sqlite3_bind_blob(st, 7, canon, (int)clen, SQLITE_STATIC);
	sqlite3_bind_blob(st, 8, leaf, sizeof(leaf), SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = al_db_fail(db, "appending an event", err);
		goto out;
	}
	if (seq)
		*seq = n;
out:
	sqlite3_finalize(st);
	al_sha256_free(h);
	free(canon);
	free(dcanon);
	json_decref(ev);
	return rc;
}

int al_db_meta_get(sqlite3 *db, const char *key, char *out, size_t outsz,
		   struct al_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?", -1,
			       &st, NULL))
		return al_db_fail(db, "reading meta", err);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);

		snprintf(out, outsz, "%s", v ? v : "");
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = al_error_set(err, AL_EINTEGRITY,
				  "ledger: '%s' is missing from the meta "
				  "table",
				  key);
	} else {
		rc = al_db_fail(db, "reading meta", err);
	}
	sqlite3_finalize(st);
	return rc;
}

int al_db_meta_set(sqlite3 *db, const char *key, const char *value,
		   struct al_error *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(db,
			       "INSERT OR REPLACE INTO meta (key, value) "
			       "VALUES (?, ?)",
			       -1, &st, NULL))
		return al_db_fail(db, "writing meta", err);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = al_db_fail(db, "writing meta", err);
	sqlite3_finalize(st);
	return rc;
}

struct schema_row {
	char *type, *name, *sql;
};

struct schema_rows {
	struct schema_row *v;
	size_t n;
};

static void rows_free(struct schema_rows *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].type);
		free(r->v[i].name);
		free(r->v[i].sql);
	}
	free(r->v);
}

static int rows_read(sqlite3 *db, struct schema_rows *r, struct al_error *err)
{
	sqlite3_stmt *st;
	int rc = 0, step;

	if (sqlite3_prepare_v2(db,
			       "SELECT type, name, tbl_name || ':' || "
			       "coalesce(sql, '') FROM sqlite_schema",
			       -1, &st, NULL))
		return al_db_fail(db, "reading the schema", err);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct schema_row *v;
		const char *c[3];

		for (int i = 0; i < 3; i++) {
			c[i] = (const char *)sqlite3_column_text(st, i);
			if (!c[i])
				c[i] = "";
		}
		if (r->n >= 4096) {
			rc = al_error_set(err, AL_EINTEGRITY,
					  "ledger schema: more than 4096 "
					  "objects");
			break;
		}
		v = realloc(r->v, (r->n + 1) * sizeof(*v));
		if (!v) {
			rc = al_error_set(err, AL_ENOMEM, "out of memory");
			break;
		}
		r->v = v;
		v[r->n] = (struct schema_row){strdup(c[0]), strdup(c[1]),
					      strdup(c[2])};
		if (!v[r->n].type || !v[r->n].name || !v[r->n].sql) {
			r->n++;
			rc = al_error_set(err, AL_ENOMEM, "out of memory");
			break;
		}
		r->n++;
	}
	if (!rc && step != SQLITE_DONE)
		rc = al_db_fail(db, "reading the schema", err);
	sqlite3_finalize(st);
	return rc;
}

static const struct schema_row *rows_find(const struct schema_rows *r,
					  const struct schema_row *x)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].type, x->type) &&
		    !strcmp(r->v[i].name, x->name))
			return &r->v[i];
	return NULL;
}

/*
 * Is the ledger's schema exactly the one al_db_open creates?  The
 * expected one is made in a private in-memory database from the same SQL
 * and the two sqlite_schema tables compared (type, name, table, SQL text),
 * so a dropped, added or altered table, index or trigger is found.  0,
 * AL_EINTEGRITY naming the first difference.
 */
int al_db_schema_check(sqlite3 *db, struct al_error *err)
{
	struct schema_rows want = {0}, have = {0};
	sqlite3 *mem = NULL;
	char vis[128];
	int rc;

	if (sqlite3_open_v2(":memory:", &mem,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY,
			    NULL) != SQLITE_OK ||
	    sqlite3_exec(mem, schema, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(mem, derived, NULL, NULL, NULL) != SQLITE_OK) {
		rc = al_error_set(err, AL_ENOMEM,
				  "ledger: cannot build the expected schema: "
				  "%s",
				  mem ? sqlite3_errmsg(mem) : "out of memory");
		goto out;
	}
	if ((rc = rows_read(mem, &want, err)) ||
	    (rc = rows_read(db, &have, err)))
		goto out;
	for (size_t i = 0; i < want.n; i++) {
		const struct schema_row *h = rows_find(&have, &want.v[i]);

		if (!h) {
			rc = al_error_set(err, AL_EINTEGRITY,
					  "ledger schema: %s %s is missing",
					  want.v[i].type, want.v[i].name);
			goto out;
		}
		if (strcmp(h->sql, want.v[i].sql)) {
			rc = al_error_set(err, AL_EINTEGRITY,
					  "ledger schema: %s %s was changed",
					  want.v[i].type, want.v[i].name);
			goto out;
		}
	}
	for (size_t i = 0; i < have.n; i++) {
		if (rows_find(&want, &have.v[i]))
			continue;
		al_text_visible(have.v[i].name, strlen(have.v[i].name), vis,
				sizeof(vis));
		rc = al_error_set(err, AL_EINTEGRITY,
				  "ledger schema: %s '%s' is not airlock's",
				  have.v[i].type, vis);
		goto out;
	}
out:
	rows_free(&want);
	rows_free(&have);
	sqlite3_close(mem);
	return rc;
}

int al_db_put_text(sqlite3 *db, const char *sha, const char *text,
		   struct al_error *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(db,
			       "INSERT OR IGNORE INTO texts (sha256, text) "
			       "VALUES (?, ?)",
			       -1, &st, NULL))
		return al_db_fail(db, "recording", err);
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = al_db_fail(db, "recording", err);
	sqlite3_finalize(st);
	return rc;
}

int al_db_get_text(sqlite3 *db, const char *sha, char **out,
		   struct al_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if (sqlite3_prepare_v2(db, "SELECT text FROM texts WHERE sha256 = ?",
			       -1, &st, NULL))
		return al_db_fail(db, "reading", err);
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		size_t n = (size_t)sqlite3_column_bytes(st, 0);
		const char *nl = t ? memchr(t, '\n', n) : NULL;
		char hex[AL_SHA256_HEX];

		/* believed only when it is what its hash names */
		al_sha256_hex(t ? t : "", t ? n : 0, hex);
		if (!t || strcmp(hex, sha) || !nl || memchr(t, '\0', n))
			rc = al_error_set(err, AL_EINTEGRITY,
					  "texts: the row %.16s... does not "
					  "hold what its hash names",
					  sha);
		else
			rc = (*out = strdup(nl + 1))
				     ? 0
				     : al_error_set(err, AL_ENOMEM,
						    "out of memory");
	} else if (rc == SQLITE_DONE) {
		rc = AL_ENOTFOUND;
	} else {
		rc = al_db_fail(db, "reading", err);
	}
	sqlite3_finalize(st);
	return rc;
}

/* SQLite's own check: every page, every index entry against its table
 * (an index edited to send a lookup to another row is found here). */
int al_db_integrity(sqlite3 *db, struct al_error *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check(1)", -1, &st, NULL))
		return al_error_set(
			err, AL_EINTEGRITY,
			"ledger: SQLite's integrity check cannot run: %s",
			sqlite3_errmsg(db));
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = al_error_set(err, AL_EINTEGRITY,
				  "ledger: SQLite's integrity check failed: %s",
				  sqlite3_errmsg(db));
	} else {
		const char *r = (const char *)sqlite3_column_text(st, 0);

		if (!r || strcmp(r, "ok")) {
			char vis[200];

			al_text_visible(r ? r : "?", r ? strlen(r) : 1, vis,
					sizeof(vis));
			rc = al_error_set(
				err, AL_EINTEGRITY,
				"ledger: SQLite's integrity check: %s", vis);
		}
	}
	sqlite3_finalize(st);
	return rc;
}
