/* SPDX-License-Identifier: Apache-2.0 */
/* The ledger layer (al_db): schema, pragmas, append-only events, leaf
 * hashes over RFC 8785 bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "al_hash.h"
#include "al_ledger.h"
#include "al_vault.h"

struct fx {
	char dir[64];
	char path[128];
	sqlite3 *db;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct al_error err = {0};

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/al-vault-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/ledger.sqlite", f->dir);
	if (al_db_open(f->path, true, &f->db, &err)) {
		print_error("%s\n", err.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	sqlite3_close(f->db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static int64_t append(struct fx *f, const char *kind, const char *report,
		      json_t *data)
{
	struct al_error err = {0};
	int64_t seq = -1;

	assert_int_equal(al_db_begin(f->db, &err), 0);
	if (al_db_append(f->db, 1795000000, kind, report, "ACTOR", data, &seq,
			 &err))
		fail_msg("append: %s", err.msg);
	assert_int_equal(al_db_commit(f->db, &err), 0);
	json_decref(data);
	return seq;
}

static char *query_text(sqlite3 *db, const char *sql, size_t *len)
{
	sqlite3_stmt *st;
	char *out = NULL;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*len = (size_t)sqlite3_column_bytes(st, 0);
		out = malloc(*len + 1);
		assert_non_null(out);
		memcpy(out, sqlite3_column_blob(st, 0), *len);
		out[*len] = '\0';
	}
	sqlite3_finalize(st);
	return out;
}

static void test_vault__events_numbered_from_zero(void **state)
{
	struct fx *f = *state;

	assert_int_equal(append(f, "init", NULL, json_object()), 0);
	assert_int_equal(append(f, "import", "r1", json_pack("{s:i}", "a", 1)),
			 1);
	assert_int_equal(append(f, "ack", "r1", json_object()), 2);
}

static void test_vault__canonical_bytes_are_rfc8785(void **state)
{
	struct fx *f = *state;
	size_t len;
	char *c;

	append(f, "import", "r1",
	       json_pack("{s:s, s:i, s:s}", "z", "\xc3\xa9\n", "a", 2, "m",
			 "x"));
	c = query_text(f->db, "SELECT canonical FROM events WHERE seq = 0",
		       &len);
	assert_non_null(c);
	assert_string_equal(c, "{\"actor\":\"ACTOR\",\"at\":"
			       "\"2026-11-18T11:06:40Z\",\"data\":{\"a\":2,"
			       "\"m\":\"x\",\"z\":\"\xc3\xa9\\n\"},\"kind\":"
			       "\"import\",\"report\":\"r1\",\"seq\":0}");
	free(c);
	c = query_text(f->db, "SELECT data FROM events WHERE seq = 0", &len);
	assert_string_equal(c, "{\"a\":2,\"m\":\"x\",\"z\":\"\xc3\xa9\\n\"}");
	free(c);
}

static void test_vault__null_report_is_json_null(void **state)
{
	struct fx *f = *state;
	size_t len;
	char *c;

	append(f, "init", NULL, json_object());
	c = query_text(f->db, "SELECT canonical FROM events WHERE seq = 0",
		       &len);
	assert_non_null(strstr(c, "\"report\":null"));
	free(c);
}

static void test_vault__leaf_is_sha256_of_zero_and_bytes(void **state)
{
	struct fx *f = *state;
	uint8_t want[AL_SHA256_LEN];
	struct al_sha256 *h;
	size_t len, llen;
	char *c, *leaf;

	append(f, "note", "r", json_pack("{s:s}", "k", "v"));
	c = query_text(f->db, "SELECT canonical FROM events", &len);
	leaf = query_text(f->db, "SELECT leaf FROM events", &llen);
	assert_int_equal(llen, AL_SHA256_LEN);
	assert_int_equal(al_sha256_new(&h, NULL), 0);
	al_sha256_update(h, "\0", 1);
	al_sha256_update(h, c, len);
	al_sha256_final(h, NULL, want);
	al_sha256_free(h);
	assert_memory_equal(leaf, want, AL_SHA256_LEN);
	free(c);
	free(leaf);
}

static void test_vault__data_must_be_an_object(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	json_t *a = json_array();

	assert_int_equal(al_db_append(f->db, 0, "x", NULL, "A", a, NULL, &err),
			 AL_EINVAL);
	assert_non_null(strstr(err.msg, "not an object"));
	json_decref(a);
}

static void test_vault__reals_are_refused(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	json_t *d = json_pack("{s:f}", "x", 1.5);

	assert_int_equal(al_db_begin(f->db, &err), 0);
	assert_int_equal(al_db_append(f->db, 0, "x", NULL, "A", d, NULL, &err),
			 AL_EINVAL);
	al_db_rollback(f->db);
	json_decref(d);
}

static int exec_fails_with(sqlite3 *db, const char *sql, const char *want)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	int ok = rc != SQLITE_OK && msg && strstr(msg, want);

	if (!ok)
		print_error("'%s': rc %d, %s\n", sql, rc, msg ? msg : "-");
	sqlite3_free(msg);
	return ok;
}

static void test_vault__events_cannot_change(void **state)
{
	struct fx *f = *state;

	append(f, "init", NULL, json_object());
	assert_true(exec_fails_with(f->db, "UPDATE events SET kind = 'x'",
				    "append-only"));
	assert_true(
		exec_fails_with(f->db, "DELETE FROM events", "append-only"));
	assert_true(exec_fails_with(
		f->db,
		"INSERT INTO events VALUES (7, 'a', 'k', NULL, 'x', '{}', "
		"x'00', zeroblob(32))",
		"in order"));
	assert_true(exec_fails_with(
		f->db,
		"INSERT INTO events VALUES (1, 'a', 'k', NULL, 'x', '{}', "
		"x'00', zeroblob(31))",
		"CHECK"));
}

static void test_vault__defensive_mode_guards_the_schema(void **state)
{
	struct fx *f = *state;

	/* defensive mode: no writable_schema tricks to drop the triggers
	 * quietly */
	assert_true(exec_fails_with(f->db,
				    "PRAGMA writable_schema = ON; UPDATE "
				    "sqlite_schema SET sql = '' WHERE name = "
				    "'events_no_update'",
				    "sqlite_master"));
}

static void test_vault__pragmas(void **state)
{
	struct fx *f = *state;
	size_t len;
	char *c;

	c = query_text(f->db, "PRAGMA journal_mode", &len);
	assert_string_equal(c, "wal");
	free(c);
	c = query_text(f->db, "PRAGMA synchronous", &len);
	assert_string_equal(c, "2"); /* FULL */
	free(c);
	c = query_text(f->db, "PRAGMA foreign_keys", &len);
	assert_string_equal(c, "1");
	free(c);
	c = query_text(f->db, "PRAGMA user_version", &len);
	assert_string_equal(c, "4");
	free(c);
}

static void test_vault__meta_round_trip(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	char out[64];

	assert_int_equal(al_db_meta_set(f->db, "origin", "airlock/x", &err), 0);
	assert_int_equal(
		al_db_meta_get(f->db, "origin", out, sizeof(out), &err), 0);
	assert_string_equal(out, "airlock/x");
	assert_int_equal(al_db_meta_get(f->db, "nope", out, sizeof(out), &err),
			 AL_EINTEGRITY);
	assert_non_null(strstr(err.msg, "'nope' is missing"));
}

static void test_vault__reopen_keeps_schema(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	sqlite3 *db;

	append(f, "init", NULL, json_object());
	assert_int_equal(al_db_open(f->path, false, &db, &err), 0);
	sqlite3_close(db);
}

static void test_vault__other_schema_version_refused(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	sqlite3 *db;

	assert_int_equal(sqlite3_exec(f->db, "PRAGMA user_version = 9", NULL,
				      NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(al_db_open(f->path, false, &db, &err), AL_EINVAL);
	assert_non_null(strstr(err.msg, "schema version 9"));
	assert_null(db);
}

static void test_vault__missing_ledger_not_created(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	char path[160];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/none.sqlite", f->dir);
	assert_int_equal(al_db_open(path, false, &db, &err), AL_EIO);
	assert_int_equal(access(path, F_OK), -1);
}

static void test_vault__not_a_database(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	char path[160];
	FILE *fp;
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/text.sqlite", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	for (int i = 0; i < 100; i++)
		fputs("this is not a database\n", fp);
	fclose(fp);
	assert_int_equal(al_db_open(path, false, &db, &err), AL_EINTEGRITY);
	assert_non_null(strstr(err.msg, "ledger"));
}

static void test_vault__path_resolution(void **state)
{
	struct al_error err = {0};
	char *p = NULL;

	(void)state;
	assert_int_equal(al_vault_path("/given", &p, &err), 0);
	assert_string_equal(p, "/given");
	free(p);
	setenv("AIRLOCK_VAULT", "/env", 1);
	assert_int_equal(al_vault_path(NULL, &p, &err), 0);
	assert_string_equal(p, "/env");
	free(p);
	unsetenv("AIRLOCK_VAULT");
	setenv("XDG_DATA_HOME", "/xdg", 1);
	assert_int_equal(al_vault_path(NULL, &p, &err), 0);
	assert_string_equal(p, "/xdg/airlock");
	free(p);
	unsetenv("XDG_DATA_HOME");
	setenv("HOME", "/home/u", 1);
	assert_int_equal(al_vault_path(NULL, &p, &err), 0);
	assert_string_equal(p, "/home/u/.local/share/airlock");
	free(p);
	unsetenv("HOME");
	assert_int_equal(al_vault_path(NULL, &p, &err), AL_EUSAGE);
	assert_null(p);
}

/* ---- the schema check and the derived state (al_db_schema_check,
 * al_state.c) ---- */

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
}

static void test_vault__schema_check(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};

	assert_int_equal(al_db_schema_check(f->db, &err), 0);
	exec_ok(f->db, "CREATE INDEX evil ON events (at)");
	assert_int_equal(al_db_schema_check(f->db, &err), AL_EINTEGRITY);
	assert_non_null(strstr(err.msg, "index 'evil' is not airlock's"));
	exec_ok(f->db, "DROP INDEX evil");
	assert_int_equal(al_db_schema_check(f->db, &err), 0);
	exec_ok(f->db, "DROP TRIGGER events_no_delete");
	assert_int_equal(al_db_schema_check(f->db, &err), AL_EINTEGRITY);
	assert_non_null(strstr(err.msg, "trigger events_no_delete is missing"));
	/* the same name with another body */
	exec_ok(f->db, "CREATE TRIGGER events_no_delete BEFORE DELETE ON "
		       "events BEGIN SELECT 1; END");
	assert_int_equal(al_db_schema_check(f->db, &err), AL_EINTEGRITY);
	assert_non_null(
		strstr(err.msg, "trigger events_no_delete was changed"));
}

#define RID "11111111-2222-4333-8444-555555555555"
#define BUNDLE_A \
	"aa00000000000000000000000000000000000000000000000000000000000000"
#define BUNDLE_B \
	"bb00000000000000000000000000000000000000000000000000000000000000"

/* A metas row for report id with this title; its hash into sha. */
static void put_meta(struct fx *f, const char *id, const char *title,
		     const char *extra, char sha[AL_SHA256_HEX])
{
	char json[512];
	sqlite3_stmt *st;

	snprintf(json, sizeof(json),
		 "{\"id\":\"%s\",\"title\":\"%s\",\"project\":\"p\","
		 "\"class\":\"xss\",\"created\":\"2026-11-01T00:00:00Z\"%s}",
		 id, title, extra ? extra : "");
	al_sha256_hex(json, strlen(json), sha);
	assert_int_equal(sqlite3_prepare_v2(f->db,
					    "INSERT OR IGNORE INTO metas "
					    "(sha256, json) VALUES (?, ?)",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, json, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

static json_t *import_data(const char *bundle, const char *meta, int rev)
{
	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:I, s:{s:s}}", "bundle",
			 bundle, "bytes", (json_int_t)100, "content", bundle,
			 "manifest", bundle, "meta", meta, "revision",
			 (json_int_t)rev, "signature", "state", "none");
}

static int apply(struct fx *f, int64_t seq, struct al_error *err)
{
	int rc;

	assert_int_equal(al_db_begin(f->db, err), 0);
	rc = al_state_apply(f->db, seq, err);
	if (rc)
		al_db_rollback(f->db);
	else
		assert_int_equal(al_db_commit(f->db, err), 0);
	return rc;
}

static void test_vault__state_from_events(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	char m1[AL_SHA256_HEX], m2[AL_SHA256_HEX];
	char *t;
	size_t len;
	int64_t seq;

	put_meta(f, RID, "first",
		 ",\"severity\":{\"cvss_v3\":\"CVSS:3.1/"
		 "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"}",
		 m1);
	seq = append(f, "import", RID, import_data(BUNDLE_A, m1, 1));
	assert_int_equal(apply(f, seq, &err), 0);
	t = query_text(f->db,
		       "SELECT title || '/' || proposed || '/' || "
		       "revision FROM reports",
		       &len);
	assert_string_equal(t, "first/critical/1");
	free(t);
	/* a revision updates the row and adds a bundle */
	put_meta(f, RID, "second", NULL, m2);
	seq = append(f, "import", RID, import_data(BUNDLE_B, m2, 2));
	assert_int_equal(apply(f, seq, &err), 0);
	t = query_text(f->db,
		       "SELECT title || '/' || coalesce(proposed, "
		       "'-') || '/' || revision || '/' || imported "
		       "|| '/' || updated FROM reports",
		       &len);
	assert_string_equal(t, "second/-/2/0/1");
	free(t);
	/* a tombstone marks both bundles purged */
	seq = append(f, "tombstone", RID,
		     json_pack("{s:[s,s], s:s}", "bundles", BUNDLE_A, BUNDLE_B,
			       "reason", "retention"));
	assert_int_equal(apply(f, seq, &err), 0);
	t = query_text(f->db, "SELECT sum(purged) FROM bundles", &len);
	assert_string_equal(t, "2");
	free(t);
	/* a rebuild gives the same rows */
	exec_ok(f->db, "CREATE TEMP TABLE r0 AS SELECT * FROM reports;"
		       "CREATE TEMP TABLE b0 AS SELECT * FROM bundles");
	assert_int_equal(al_db_begin(f->db, &err), 0);
	assert_int_equal(al_state_rebuild(f->db, &err), 0);
	assert_int_equal(al_db_commit(f->db, &err), 0);
	t = query_text(f->db,
		       "SELECT (SELECT count(*) FROM (SELECT * FROM r0 "
		       "EXCEPT SELECT * FROM reports)) + (SELECT "
		       "count(*) FROM (SELECT * FROM b0 EXCEPT SELECT "
		       "* FROM bundles)) + (SELECT count(*) FROM "
		       "reports) * 10",
		       &len);
	assert_string_equal(t, "10");
	free(t);
}

static void test_vault__state_refuses_what_events_do_not_support(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	char m1[AL_SHA256_HEX], other[AL_SHA256_HEX];
	int64_t seq;

	/* metadata that is not in the metas table */
	seq = append(f, "import", RID,
		     import_data(BUNDLE_A, "ab" BUNDLE_A + 2, 1));
	assert_int_equal(apply(f, seq, &err), AL_EINTEGRITY);
	assert_non_null(strstr(err.msg, "is not in the metas table"));
	assert_non_null(strstr(err.msg, "event 0 (import)"));
	/* metadata of another report */
	put_meta(f, "99999999-2222-4333-8444-555555555555", "x", NULL, other);
	seq = append(f, "import", RID, import_data(BUNDLE_A, other, 1));
	assert_int_equal(apply(f, seq, &err), AL_EINTEGRITY);
	assert_non_null(strstr(err.msg, "names another report"));
	/* data without its fields */
	seq = append(f, "import", RID, json_pack("{s:s}", "bundle", BUNDLE_A));
	assert_int_equal(apply(f, seq, &err), AL_EINTEGRITY);
	assert_non_null(strstr(err.msg, "its data lacks"));
	/* the same bundle twice */
	put_meta(f, RID, "t", NULL, m1);
	seq = append(f, "import", RID, import_data(BUNDLE_A, m1, 1));
	assert_int_equal(apply(f, seq, &err), 0);
	seq = append(f, "import", RID, import_data(BUNDLE_A, m1, 2));
	assert_int_equal(apply(f, seq, &err), AL_EINTEGRITY);
	assert_non_null(strstr(err.msg, "recorded before"));
	/* a tombstone for a bundle the report does not have */
	seq = append(
		f, "tombstone", RID,
		json_pack("{s:[s], s:s}", "bundles", BUNDLE_B, "reason", "x"));
	assert_int_equal(apply(f, seq, &err), AL_EINTEGRITY);
	assert_non_null(strstr(err.msg, "names a bundle the report does not "
					"have"));
	/* and one without bundles */
	seq = append(f, "tombstone", RID, json_pack("{s:s}", "reason", "x"));
	assert_int_equal(apply(f, seq, &err), AL_EINTEGRITY);
	assert_non_null(strstr(err.msg, "lacks report or bundles"));
	/* other kinds change nothing */
	seq = append(f, "open", RID, json_pack("{s:s}", "bundle", BUNDLE_A));
	assert_int_equal(apply(f, seq, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_vault__events_numbered_from_zero),
		T(test_vault__canonical_bytes_are_rfc8785),
		T(test_vault__null_report_is_json_null),
		T(test_vault__leaf_is_sha256_of_zero_and_bytes),
		T(test_vault__data_must_be_an_object),
		T(test_vault__reals_are_refused),
		T(test_vault__events_cannot_change),
		T(test_vault__defensive_mode_guards_the_schema),
		T(test_vault__pragmas),
		T(test_vault__meta_round_trip),
		T(test_vault__reopen_keeps_schema),
		T(test_vault__other_schema_version_refused),
		T(test_vault__missing_ledger_not_created),
		T(test_vault__not_a_database),
		T(test_vault__schema_check),
		T(test_vault__state_from_events),
		T(test_vault__state_refuses_what_events_do_not_support),
		cmocka_unit_test(test_vault__path_resolution),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
