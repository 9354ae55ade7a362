/* SPDX-License-Identifier: Apache-2.0 */
/* Triage (al_triage.c): the states and their moves, the clocks, the
 * derived columns each event gives the reports table (events appended at
 * times the tests choose and applied with al_state_apply), the forged
 * events apply refuses, the rebuild, and the commands' side (al_vault_ack,
 * al_vault_triage, al_vault_status, al_vault_note) with their refusals.
 * Checked against vault/al_triage.h and issue 5 ("States", "Clocks"). */
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
#include "al_dedup.h"
#include "al_triage.h"
#include "al_vault.h"
#include "test_data.h"

#define H   3600
#define DAY 86400
/* Monday 2027-01-04T10:00:00Z: the tests' "T" */
#define T0 1799056800
/* imports for the commands' tests, which act at the real time */
#define T_PAST 1700000000
/* a NULL column */
#define NUL INT64_MIN

#define ID_A "a1a1a1a1-1111-4111-8111-111111111111"
#define ID_B "b2b2b2b2-2222-4222-9222-222222222222"
#define ID_C "c3c3c3c3-3333-4333-a333-333333333333"
#define ID_D "d4d4d4d4-4444-4444-b444-444444444444"
/* never imported */
#define ID_X "f6f6f6f6-6666-4666-8666-666666666666"

#define HEX_UNKNOWN \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

#define CVSS31_CRIT "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
#define CVSS31_ZERO "CVSS:3.1/AV:A/AC:H/PR:L/UI:N/S:U/C:N/I:N/A:N"
/* from ../shared/data/cvss/cvss40-vectors.tsv (tests/data/cvss) */
#define CVSS40_93 \
	"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:P/VC:H/VI:H/VA:L/SC:L/SI:L/SA:H"
#define CVSS40_23 \
	"CVSS:4.0/AV:P/AC:H/AT:P/PR:L/UI:N/VC:L/VI:L/VA:N/SC:L/SI:H/SA:H"
#define CVSS40_57 \
	"CVSS:4.0/AV:L/AC:H/AT:N/PR:H/UI:A/VC:N/VI:H/VA:L/SC:L/SI:H/SA:N"

struct fx {
	char dir[64];
	struct al_vault *v;
	sqlite3 *db;
	char buf[8][512];
	int nbuf;
};

/* A vault without gpg, store or folder: the ledger and the reference
 * policy are all the moves use (no checkpoint is signed here). */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct al_error err = {0};
	char path[128];
	struct al_vault *v;

	if (!f || !(v = calloc(1, sizeof(*v))))
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/al-triage-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(path, sizeof(path), "%s/ledger.sqlite", f->dir);
	v->dirfd = v->lockfd = -1;
	snprintf(v->actor, sizeof(v->actor), "%s",
		 "0123456789ABCDEF0123456789ABCDEF01234567");
	if (al_db_open(path, true, &v->db, &err) ||
	    al_policy_init_default(&v->policy, &err)) {
		print_error("%s\n", err.msg);
		return -1;
	}
	f->v = v;
	f->db = v->db;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	al_vault_close(f->v);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* ---- the ledger by hand ---- */

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
}

static int64_t scalar(struct fx *f, const char *sql)
{
	struct al_error err = {0};
	int64_t n = -1;

	if (al_db_scalar(f->db, sql, &n, &err))
		fail_msg("%s: %s", sql, err.msg);
	return n;
}

static int64_t nevents(struct fx *f)
{
	return scalar(f, "SELECT count(*) FROM events");
}

/* Append event kind for report id at time t and apply it: its seq. */
static int64_t event_at(struct fx *f, int64_t t, const char *kind,
			const char *id, json_t *data)
{
	struct al_error err = {0};
	int64_t seq = -1;

	assert_non_null(data);
	assert_int_equal(al_db_begin(f->db, &err), 0);
	if (al_vault_append(f->v, t, kind, id, data, &seq, &err) ||
	    al_state_apply(f->db, seq, &err))
		fail_msg("%s %s: %s", kind, id ? id : "-", err.msg);
	assert_int_equal(al_db_commit(f->db, &err), 0);
	json_decref(data);
	return seq;
}

/* The same for an event apply must refuse: its code, the transaction
 * rolled back; *seq the number it had. */
static int forge(struct fx *f, int64_t t, const char *kind, const char *id,
		 json_t *data, int64_t *seq, struct al_error *err)
{
	int rc;

	assert_non_null(data);
	assert_int_equal(al_db_begin(f->db, err), 0);
	if (al_vault_append(f->v, t, kind, id, data, seq, err))
		fail_msg("append %s: %s", kind, err->msg);
	rc = al_state_apply(f->db, *seq, err);
	al_db_rollback(f->db);
	json_decref(data);
	return rc;
}

/* Report id imported at t (a metas row and an import event, as import
 * writes them). */
static void import_at(struct fx *f, const char *id, int64_t t)
{
	char json[512], sha[AL_SHA256_HEX], bundle[AL_SHA256_HEX];
	sqlite3_stmt *st;

	snprintf(json, sizeof(json),
		 "{\"id\":\"%s\",\"title\":\"t %.8s\",\"project\":\"p\","
		 "\"class\":\"xss\",\"created\":\"2026-11-01T00:00:00Z\"}",
		 id, id);
	al_sha256_hex(json, strlen(json), sha);
	al_sha256_hex(id, strlen(id), bundle);
	assert_int_equal(sqlite3_prepare_v2(f->db,
					    "INSERT OR IGNORE INTO metas "
					    "(sha256, json) VALUES (?, ?)",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, json, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	event_at(f, t, "import", id,
		 json_pack("{s:s, s:I, s:s, s:s, s:s, s:I, s:{s:s}}", "bundle",
			   bundle, "bytes", (json_int_t)100, "content", bundle,
			   "manifest", bundle, "meta", sha, "revision",
			   (json_int_t)1, "signature", "state", "none"));
}

/* A text in the texts table (after a first line, as the vault keeps
 * them): its hash into sha. */
static void put_text(struct fx *f, const char *text, char sha[AL_SHA256_HEX])
{
	struct al_error err = {0};
	char salted[600];

	snprintf(salted, sizeof(salted), "salt\n%s", text);
	al_sha256_hex(salted, strlen(salted), sha);
	if (al_db_put_text(f->db, sha, salted, &err))
		fail_msg("put_text: %s", err.msg);
}

static void ack_at(struct fx *f, int64_t t, const char *id)
{
	event_at(f, t, "ack", id,
		 json_pack("{s:s, s:s}", "from", "new", "to", "acknowledged"));
}

static void move_at(struct fx *f, int64_t t, const char *id, const char *from,
		    const char *to)
{
	event_at(f, t, "status", id,
		 json_pack("{s:s, s:s}", "from", from, "to", to));
}

static json_t *triage_data(const char *from, const char *to, const char *rating,
			   int days)
{
	return json_pack("{s:s, s:s, s:s, s:I}", "from", from, "to", to,
			 "rating", rating, "fix_days", (json_int_t)days);
}

/* A first triage at t. */
static void triage_at(struct fx *f, int64_t t, const char *id,
		      const char *rating, int days)
{
	event_at(f, t, "triage", id,
		 triage_data("acknowledged", "triaged", rating, days));
}

/* A rating change at t in state s, with a reason kept in texts. */
static void rerate_at(struct fx *f, int64_t t, const char *id, const char *s,
		      const char *rating, int days)
{
	char sha[AL_SHA256_HEX];
	json_t *d = triage_data(s, s, rating, days);

	put_text(f, "we looked again", sha);
	json_object_set_new(d, "reason_sha256", json_string(sha));
	event_at(f, t, "triage", id, d);
}

/* imported at t - 2h, acknowledged at t - 1h, triaged rating at t */
static void rated_at(struct fx *f, const char *id, int64_t t,
		     const char *rating, int days)
{
	import_at(f, id, t - 2 * H);
	ack_at(f, t - H, id);
	triage_at(f, t, id, rating, days);
}

static int64_t col_int(struct fx *f, const char *id, const char *col)
{
	char sql[128];
	sqlite3_stmt *st;
	int64_t v = NUL;

	snprintf(sql, sizeof(sql), "SELECT %s FROM reports WHERE id = ?", col);
	assert_int_equal(sqlite3_prepare_v2(f->db, sql, -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		fail_msg("no report %s", id);
	if (sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* A text column, NULL for NULL (in a buffer the fixture keeps). */
static const char *col_str(struct fx *f, const char *id, const char *col)
{
	char sql[128], *out = f->buf[f->nbuf++ % 8];
	const char *s;
	sqlite3_stmt *st;

	snprintf(sql, sizeof(sql), "SELECT %s FROM reports WHERE id = ?", col);
	assert_int_equal(sqlite3_prepare_v2(f->db, sql, -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		fail_msg("no report %s", id);
	s = (const char *)sqlite3_column_text(st, 0);
	if (s)
		snprintf(out, sizeof(f->buf[0]), "%s", s);
	sqlite3_finalize(st);
	return s ? out : NULL;
}

/* The reports table now, to compare with later (same_rows). */
static void snapshot(struct fx *f)
{
	exec_ok(f->db, "DROP TABLE IF EXISTS temp.snap;"
		       "CREATE TEMP TABLE snap AS SELECT * FROM reports");
}

/* Rows that differ between the snapshot and reports, both ways. */
static int64_t rows_changed(struct fx *f)
{
	return scalar(f, "SELECT (SELECT count(*) FROM (SELECT * FROM snap "
			 "EXCEPT SELECT * FROM reports)) + (SELECT count(*) "
			 "FROM (SELECT * FROM reports EXCEPT SELECT * FROM "
			 "snap))");
}

static const char *last_kind(struct fx *f)
{
	sqlite3_stmt *st;
	char *out = f->buf[f->nbuf++ % 8];

	assert_int_equal(sqlite3_prepare_v2(f->db,
					    "SELECT kind FROM events ORDER BY "
					    "seq DESC LIMIT 1",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, sizeof(f->buf[0]), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

/* The last event's data, parsed. */
static json_t *last_data(struct fx *f)
{
	sqlite3_stmt *st;
	json_t *d;

	assert_int_equal(sqlite3_prepare_v2(f->db,
					    "SELECT data FROM events ORDER BY "
					    "seq DESC LIMIT 1",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	d = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
	sqlite3_finalize(st);
	assert_non_null(d);
	return d;
}

/*
 * An event apply must refuse: AL_EINTEGRITY, the message naming the event
 * ("event N (kind)") and saying what; no event kept, no row changed.
 */
#define refused(f, kind, id, data, what) \
	refused_at(__LINE__, f, kind, id, data, what)
static void refused_at(int line, struct fx *f, const char *kind, const char *id,
		       json_t *data, const char *what)
{
	struct al_error err = {0};
	char name[64];
	int64_t n = nevents(f), seq = -1;
	int rc;

	snapshot(f);
	rc = forge(f, T0 + 400 * DAY, kind, id, data, &seq, &err);
	snprintf(name, sizeof(name), "event %lld (%s)", (long long)seq, kind);
	if (rc != AL_EINTEGRITY || !strstr(err.msg, name) ||
	    !strstr(err.msg, what))
		fail_msg("line %d: want %d '%s ... %s', got %d '%s'", line,
			 AL_EINTEGRITY, name, what, rc, rc ? err.msg : "");
	if (nevents(f) != n || rows_changed(f))
		fail_msg("line %d: the refused event changed the ledger", line);
}

/* A command's refusal: its code, a part of its message, no event. */
#define cmd_refused(f, rc, want, what) \
	cmd_refused_at(__LINE__, f, n0, rc, want, what, &err)
static void cmd_refused_at(int line, struct fx *f, int64_t n0, int rc, int want,
			   const char *what, const struct al_error *err)
{
	if (rc != want || !strstr(err->msg, what))
		fail_msg("line %d: want %d '%s', got %d '%s'", line, want, what,
			 rc, rc ? err->msg : "");
	if (nevents(f) != n0)
		fail_msg("line %d: a refused command added an event", line);
}

/* ---- names ---- */

static const char *const names[AL_STATE_COUNT] = {
	[AL_STATE_NEW] = "new",
	[AL_STATE_ACKNOWLEDGED] = "acknowledged",
	[AL_STATE_TRIAGED] = "triaged",
	[AL_STATE_NEEDS_INFO] = "needs-info",
	[AL_STATE_FIXING] = "fixing",
	[AL_STATE_FIXED] = "fixed",
	[AL_STATE_DISCLOSED] = "disclosed",
	[AL_STATE_DUPLICATE] = "duplicate",
	[AL_STATE_OUT_OF_SCOPE] = "out-of-scope",
	[AL_STATE_INFORMATIVE] = "informative",
	[AL_STATE_NOT_APPLICABLE] = "not-applicable",
	[AL_STATE_NOT_REPRODUCIBLE] = "not-reproducible",
	[AL_STATE_SPAM] = "spam",
	[AL_STATE_WITHDRAWN] = "withdrawn",
};

static void test_triage__state_names_round_trip(void **state)
{
	(void)state;
	for (int s = 0; s < AL_STATE_COUNT; s++) {
		const char *n = al_report_state_name((enum al_report_state)s);

		assert_non_null(n);
		assert_string_equal(n, names[s]);
		assert_int_equal(al_report_state_from_name(n), s);
	}
	assert_null(al_report_state_name(AL_STATE_COUNT));
	assert_null(al_report_state_name((enum al_report_state)(-1)));
}

static void test_triage__unknown_state_names(void **state)
{
	static const char *const bad[] = {
		"",        "New",         "needs_info", "new ",   "closed",
		"fixed\n", "acknowledge", "outofscope", "triage", "open",
	};

	(void)state;
	assert_int_equal(al_report_state_from_name(NULL), -1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(al_report_state_from_name(bad[i]), -1);
}

static void test_triage__closing_states(void **state)
{
	static const char *const closing =
		" duplicate out-of-scope informative not-applicable "
		"not-reproducible spam withdrawn ";

	(void)state;
	for (int s = 0; s < AL_STATE_COUNT; s++) {
		char word[40];

		snprintf(word, sizeof(word), " %s ", names[s]);
		assert_int_equal(
			al_report_state_closing((enum al_report_state)s),
			strstr(closing, word) != NULL);
	}
	assert_false(al_report_state_closing(AL_STATE_COUNT));
}

/* ---- moves ---- */

/* The header's table, by name. */
#define CLOSING_NAMES                                                         \
	"duplicate out-of-scope informative not-applicable not-reproducible " \
	"spam withdrawn"
static const char *const table[AL_STATE_COUNT] = {
	[AL_STATE_NEW] = "acknowledged " CLOSING_NAMES,
	[AL_STATE_ACKNOWLEDGED] = "triaged " CLOSING_NAMES,
	[AL_STATE_TRIAGED] = "needs-info fixing " CLOSING_NAMES,
	[AL_STATE_NEEDS_INFO] = "triaged " CLOSING_NAMES,
	[AL_STATE_FIXING] = "fixed " CLOSING_NAMES,
	[AL_STATE_FIXED] = "disclosed",
	[AL_STATE_DISCLOSED] = "",
	[AL_STATE_DUPLICATE] = "acknowledged",
	[AL_STATE_OUT_OF_SCOPE] = "acknowledged",
	[AL_STATE_INFORMATIVE] = "acknowledged",
	[AL_STATE_NOT_APPLICABLE] = "acknowledged",
	[AL_STATE_NOT_REPRODUCIBLE] = "acknowledged",
	[AL_STATE_SPAM] = "acknowledged",
	[AL_STATE_WITHDRAWN] = "acknowledged",
};

static bool in_table(int from, int to)
{
	char row[256], word[40];

	snprintf(row, sizeof(row), " %s ", table[from]);
	snprintf(word, sizeof(word), " %s ", names[to]);
	return strstr(row, word) != NULL;
}

static void test_triage__moves_table(void **state)
{
	(void)state;
	for (int from = 0; from < AL_STATE_COUNT; from++) {
		unsigned m = al_report_state_moves((enum al_report_state)from);

		for (int to = 0; to < AL_STATE_COUNT; to++)
			if (!!(m & (1u << to)) != in_table(from, to))
				fail_msg("%s -> %s: allowed %d, want %d",
					 names[from], names[to],
					 !!(m & (1u << to)),
					 in_table(from, to));
		/* nothing beyond the states */
		assert_int_equal(m >> AL_STATE_COUNT, 0);
	}
}

static void test_triage__moves_text(void **state)
{
	char out[256];

	(void)state;
	al_report_state_moves_text(AL_STATE_NEW, out, sizeof(out));
	assert_string_equal(out, "acknowledged, duplicate, out-of-scope, "
				 "informative, not-applicable, "
				 "not-reproducible, spam, withdrawn");
	al_report_state_moves_text(AL_STATE_TRIAGED, out, sizeof(out));
	assert_string_equal(out, "needs-info, fixing, duplicate, "
				 "out-of-scope, informative, not-applicable, "
				 "not-reproducible, spam, withdrawn");
	al_report_state_moves_text(AL_STATE_FIXED, out, sizeof(out));
	assert_string_equal(out, "disclosed");
	al_report_state_moves_text(AL_STATE_SPAM, out, sizeof(out));
	assert_string_equal(out, "acknowledged");
	al_report_state_moves_text(AL_STATE_DISCLOSED, out, sizeof(out));
	assert_string_equal(out, "nothing");
	/* every state: each allowed move named, and no other */
	for (int from = 0; from < AL_STATE_COUNT; from++) {
		char list[300];

		al_report_state_moves_text((enum al_report_state)from, out,
					   sizeof(out));
		snprintf(list, sizeof(list), ", %s, ", out);
		for (int to = 0; to < AL_STATE_COUNT; to++) {
			char word[40];

			snprintf(word, sizeof(word), ", %s, ", names[to]);
			assert_int_equal(strstr(list, word) != NULL,
					 in_table(from, to));
		}
	}
}

static void test_triage__moves_text_small_buffer(void **state)
{
	char out[16];

	(void)state;
	memset(out, 'x', sizeof(out));
	al_report_state_moves_text(AL_STATE_NEW, out, 10);
	assert_true(memchr(out, '\0', 10) != NULL);
	assert_int_equal(out[10], 'x');
	memset(out, 'x', sizeof(out));
	al_report_state_moves_text(AL_STATE_NEW, out, 0);
	assert_int_equal(out[0], 'x');
}

/* ---- clocks ---- */

static struct al_clock clock_of(enum al_report_state s, int64_t imported,
				int64_t fix_due, int64_t fix_left,
				const struct al_policy *p, int64_t now)
{
	struct al_clock_input in = {s, imported, fix_due, fix_left};
	struct al_clock c;

	memset(&c, 0x5a, sizeof(c));
	al_clock_at(&in, p, now, &c);
	return c;
}

static void test_triage__clock_ack_due_72_hours_after_import(void **state)
{
	struct fx *f = *state;
	struct al_clock c;

	c = clock_of(AL_STATE_NEW, T0, 0, 0, &f->v->policy, T0);
	assert_int_equal(c.kind, AL_CLOCK_ACK);
	assert_int_equal(c.due, T0 + 72 * H);
	assert_int_equal(c.left, 72 * H);
	assert_false(c.overdue);
}

static void test_triage__clock_ack_overdue_one_second_late(void **state)
{
	struct fx *f = *state;
	struct al_clock c;

	c = clock_of(AL_STATE_NEW, T0, 0, 0, &f->v->policy, T0 + 72 * H - 1);
	assert_int_equal(c.left, 1);
	assert_false(c.overdue);
	c = clock_of(AL_STATE_NEW, T0, 0, 0, &f->v->policy, T0 + 72 * H);
	assert_int_equal(c.kind, AL_CLOCK_ACK);
	assert_int_equal(c.left, 0);
	assert_false(c.overdue);
	c = clock_of(AL_STATE_NEW, T0, 0, 0, &f->v->policy, T0 + 72 * H + 1);
	assert_int_equal(c.due, T0 + 72 * H);
	assert_int_equal(c.left, -1);
	assert_true(c.overdue);
}

static void test_triage__clock_ack_hours_from_the_policy(void **state)
{
	struct fx *f = *state;
	struct al_policy p = f->v->policy;
	struct al_clock c;

	p.ack_hours = 24;
	c = clock_of(AL_STATE_NEW, T0, 0, 0, &p, T0 + 24 * H);
	assert_int_equal(c.kind, AL_CLOCK_ACK);
	assert_int_equal(c.due, T0 + 24 * H);
	assert_false(c.overdue);
	c = clock_of(AL_STATE_NEW, T0, 0, 0, &p, T0 + 24 * H + 1);
	assert_true(c.overdue);
	/* the default policy's 72 hours */
	assert_int_equal(f->v->policy.ack_hours, 72);
}

static void test_triage__clock_fix_in_triaged_and_fixing(void **state)
{
	struct fx *f = *state;
	int64_t due = T0 + 7 * DAY;
	struct al_clock c;

	c = clock_of(AL_STATE_TRIAGED, T0 - H, due, 0, &f->v->policy, T0);
	assert_int_equal(c.kind, AL_CLOCK_FIX);
	assert_int_equal(c.due, due);
	assert_int_equal(c.left, 7 * DAY);
	assert_false(c.overdue);
	c = clock_of(AL_STATE_FIXING, T0 - H, due, 0, &f->v->policy, due);
	assert_int_equal(c.kind, AL_CLOCK_FIX);
	assert_int_equal(c.left, 0);
	assert_false(c.overdue);
	c = clock_of(AL_STATE_FIXING, T0 - H, due, 0, &f->v->policy, due + 1);
	assert_int_equal(c.left, -1);
	assert_true(c.overdue);
	/* the acknowledgement deadline does not run once acknowledged */
	c = clock_of(AL_STATE_TRIAGED, T0 - 100 * DAY, due, 0, &f->v->policy,
		     T0);
	assert_false(c.overdue);
}

static void test_triage__clock_paused_in_needs_info(void **state)
{
	struct fx *f = *state;
	struct al_clock c;

	c = clock_of(AL_STATE_NEEDS_INFO, T0, 0, 4 * DAY, &f->v->policy,
		     T0 + 100 * DAY);
	assert_int_equal(c.kind, AL_CLOCK_PAUSED);
	assert_int_equal(c.left, 4 * DAY);
	assert_int_equal(c.due, 0);
	assert_false(c.overdue);
	/* paused while overdue: what was left, negative */
	c = clock_of(AL_STATE_NEEDS_INFO, T0, 0, -3 * DAY, &f->v->policy, T0);
	assert_int_equal(c.kind, AL_CLOCK_PAUSED);
	assert_int_equal(c.left, -3 * DAY);
	assert_false(c.overdue);
}

static void test_triage__clock_none_when_nothing_runs(void **state)
{
	struct fx *f = *state;
	static const enum al_report_state none[] = {
		AL_STATE_ACKNOWLEDGED,   AL_STATE_FIXED,
		AL_STATE_DISCLOSED,      AL_STATE_DUPLICATE,
		AL_STATE_OUT_OF_SCOPE,   AL_STATE_INFORMATIVE,
		AL_STATE_NOT_APPLICABLE, AL_STATE_NOT_REPRODUCIBLE,
		AL_STATE_SPAM,           AL_STATE_WITHDRAWN,
	};

	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		/* a deadline kept (fixed) or long past changes nothing */
		struct al_clock c =
			clock_of(none[i], T0 - 400 * DAY, T0 - 300 * DAY,
				 -5 * DAY, &f->v->policy, T0);

		assert_int_equal(c.kind, AL_CLOCK_NONE);
		assert_int_equal(c.due, 0);
		assert_false(c.overdue);
	}
}

static void test_triage__clock_kind_names(void **state)
{
	(void)state;
	assert_string_equal(al_clock_kind_name(AL_CLOCK_NONE), "none");
	assert_string_equal(al_clock_kind_name(AL_CLOCK_ACK), "ack");
	assert_string_equal(al_clock_kind_name(AL_CLOCK_FIX), "fix");
	assert_string_equal(al_clock_kind_name(AL_CLOCK_PAUSED), "paused");
}

/* ---- apply: the derived columns ---- */

static void test_triage__import_starts_new(void **state)
{
	struct fx *f = *state;
	static const char *const unset[] = {
		"acked_t", "triaged_t", "rated_t", "score",    "fix_days",
		"fix_due", "fix_left",  "fixed_t", "closed_t",
	};

	import_at(f, ID_A, T0);
	assert_string_equal(col_str(f, ID_A, "state"), "new");
	assert_int_equal(col_int(f, ID_A, "imported_t"), T0);
	assert_int_equal(col_int(f, ID_A, "state_t"), T0);
	for (size_t i = 0; i < sizeof(unset) / sizeof(unset[0]); i++)
		if (col_int(f, ID_A, unset[i]) != NUL)
			fail_msg("%s is set after an import", unset[i]);
	assert_null(col_str(f, ID_A, "rating"));
	assert_null(col_str(f, ID_A, "cvss"));
	assert_null(col_str(f, ID_A, "fixed_version"));
	assert_null(col_str(f, ID_A, "reason"));
	assert_null(col_str(f, ID_A, "duplicate_of"));
}

static void test_triage__ack_sets_acked_and_state_times(void **state)
{
	struct fx *f = *state;

	import_at(f, ID_A, T0);
	ack_at(f, T0 + 5 * H, ID_A);
	assert_string_equal(col_str(f, ID_A, "state"), "acknowledged");
	assert_int_equal(col_int(f, ID_A, "acked_t"), T0 + 5 * H);
	assert_int_equal(col_int(f, ID_A, "state_t"), T0 + 5 * H);
	assert_int_equal(col_int(f, ID_A, "imported_t"), T0);
	assert_int_equal(col_int(f, ID_A, "fix_due"), NUL);
}

static void test_triage__first_triage_starts_the_fix_clock(void **state)
{
	struct fx *f = *state;

	rated_at(f, ID_A, T0, "critical", 7);
	assert_string_equal(col_str(f, ID_A, "state"), "triaged");
	assert_string_equal(col_str(f, ID_A, "rating"), "critical");
	assert_int_equal(col_int(f, ID_A, "state_t"), T0);
	assert_int_equal(col_int(f, ID_A, "rated_t"), T0);
	assert_int_equal(col_int(f, ID_A, "triaged_t"), T0);
	assert_int_equal(col_int(f, ID_A, "acked_t"), T0 - H);
	assert_int_equal(col_int(f, ID_A, "fix_days"), 7);
	assert_int_equal(col_int(f, ID_A, "fix_due"), T0 + 7 * DAY);
	assert_int_equal(col_int(f, ID_A, "fix_left"), NUL);
	assert_null(col_str(f, ID_A, "cvss"));
	assert_int_equal(col_int(f, ID_A, "score"), NUL);
}

static void test_triage__fix_days_as_the_event_recorded(void **state)
{
	struct fx *f = *state;

	/* not the policy's 30: the event's own figure */
	rated_at(f, ID_A, T0, "high", 12);
	assert_int_equal(col_int(f, ID_A, "fix_days"), 12);
	assert_int_equal(col_int(f, ID_A, "fix_due"), T0 + 12 * DAY);
}

static void test_triage__needs_info_pauses_the_fix_clock(void **state)
{
	struct fx *f = *state;

	rated_at(f, ID_A, T0, "critical", 7);
	move_at(f, T0 + 3 * DAY, ID_A, "triaged", "needs-info");
	assert_string_equal(col_str(f, ID_A, "state"), "needs-info");
	assert_int_equal(col_int(f, ID_A, "state_t"), T0 + 3 * DAY);
	assert_int_equal(col_int(f, ID_A, "fix_left"), 4 * DAY);
	assert_int_equal(col_int(f, ID_A, "fix_due"), NUL);
	assert_int_equal(col_int(f, ID_A, "rated_t"), T0);
}

static void test_triage__triaged_again_resumes_the_clock(void **state)
{
	struct fx *f = *state;

	rated_at(f, ID_A, T0, "critical", 7);
	move_at(f, T0 + 3 * DAY, ID_A, "triaged", "needs-info");
	move_at(f, T0 + 13 * DAY, ID_A, "needs-info", "triaged");
	assert_string_equal(col_str(f, ID_A, "state"), "triaged");
	assert_int_equal(col_int(f, ID_A, "fix_due"), T0 + 17 * DAY);
	assert_int_equal(col_int(f, ID_A, "fix_left"), NUL);
	assert_int_equal(col_int(f, ID_A, "triaged_t"), T0);
	assert_int_equal(col_int(f, ID_A, "rated_t"), T0);
}

static void test_triage__needs_info_when_overdue_keeps_it_overdue(void **state)
{
	struct fx *f = *state;

	rated_at(f, ID_A, T0, "critical", 7);
	move_at(f, T0 + 10 * DAY, ID_A, "triaged", "needs-info");
	assert_int_equal(col_int(f, ID_A, "fix_left"), -3 * DAY);
	move_at(f, T0 + 20 * DAY, ID_A, "needs-info", "triaged");
	assert_int_equal(col_int(f, ID_A, "fix_due"), T0 + 17 * DAY);
}

static void test_triage__rating_change_restarts_the_clock(void **state)
{
	struct fx *f = *state;

	rated_at(f, ID_A, T0, "critical", 7);
	move_at(f, T0 + 3 * DAY, ID_A, "triaged", "needs-info");
	move_at(f, T0 + 13 * DAY, ID_A, "needs-info", "triaged");
	rerate_at(f, T0 + 20 * DAY, ID_A, "triaged", "medium", 60);
	assert_string_equal(col_str(f, ID_A, "state"), "triaged");
	assert_string_equal(col_str(f, ID_A, "rating"), "medium");
	assert_int_equal(col_int(f, ID_A, "fix_days"), 60);
	assert_int_equal(col_int(f, ID_A, "fix_due"), T0 + 80 * DAY);
	assert_int_equal(col_int(f, ID_A, "rated_t"), T0 + 20 * DAY);
	assert_int_equal(col_int(f, ID_A, "triaged_t"), T0);
	assert_int_equal(col_int(f, ID_A, "fix_left"), NUL);
}

static void test_triage__rating_change_in_needs_info_stays_paused(void **state)
{
	struct fx *f = *state;

	rated_at(f, ID_A, T0, "critical", 7);
	move_at(f, T0 + 3 * DAY, ID_A, "triaged", "needs-info");
	rerate_at(f, T0 + 5 * DAY, ID_A, "needs-info", "low", 90);
	assert_string_equal(col_str(f, ID_A, "state"), "needs-info");
	assert_string_equal(col_str(f, ID_A, "rating"), "low");
	assert_int_equal(col_int(f, ID_A, "fix_left"), 90 * DAY);
	assert_int_equal(col_int(f, ID_A, "fix_due"), NUL);
	assert_int_equal(col_int(f, ID_A, "rated_t"), T0 + 5 * DAY);
	/* back: the whole 90 days from then */
	move_at(f, T0 + 8 * DAY, ID_A, "needs-info", "triaged");
	assert_int_equal(col_int(f, ID_A, "fix_due"), T0 + 98 * DAY);
}

static void test_triage__rating_change_in_fixing(void **state)
{
	struct fx *f = *state;

	rated_at(f, ID_A, T0, "low", 90);
	move_at(f, T0 + DAY, ID_A, "triaged", "fixing");
	assert_int_equal(col_int(f, ID_A, "fix_due"), T0 + 90 * DAY);
	rerate_at(f, T0 + 2 * DAY, ID_A, "fixing", "high", 30);
	assert_string_equal(col_str(f, ID_A, "state"), "fixing");
	assert_int_equal(col_int(f, ID_A, "state_t"), T0 + DAY);
	assert_int_equal(col_int(f, ID_A, "fix_due"), T0 + 32 * DAY);
}

static void test_triage__cvss_kept_with_its_score(void **state)
{
	struct fx *f = *state;
	json_t *d = triage_data("acknowledged", "triaged", "critical", 7);

	import_at(f, ID_A, T0 - 2 * H);
	ack_at(f, T0 - H, ID_A);
	json_object_set_new(d, "cvss", json_string(CVSS31_CRIT));
	json_object_set_new(d, "score", json_integer(98));
	event_at(f, T0, "triage", ID_A, d);
	assert_string_equal(col_str(f, ID_A, "cvss"), CVSS31_CRIT);
	assert_int_equal(col_int(f, ID_A, "score"), 98);
	assert_string_equal(col_str(f, ID_A, "rating"), "critical");
}

static void test_triage__same_rating_other_cvss_keeps_the_clock(void **state)
{
	struct fx *f = *state;
	char sha[AL_SHA256_HEX];
	json_t *d;

	rated_at(f, ID_A, T0, "critical", 7);
	put_text(f, "the vector, not the rating", sha);
	d = triage_data("triaged", "triaged", "critical", 7);
	json_object_set_new(d, "cvss", json_string(CVSS40_93));
	json_object_set_new(d, "score", json_integer(93));
	json_object_set_new(d, "reason_sha256", json_string(sha));
	event_at(f, T0 + 5 * DAY, "triage", ID_A, d);
	assert_string_equal(col_str(f, ID_A, "cvss"), CVSS40_93);
	assert_int_equal(col_int(f, ID_A, "score"), 93);
	assert_int_equal(col_int(f, ID_A, "fix_due"), T0 + 7 * DAY);
	assert_int_equal(col_int(f, ID_A, "rated_t"), T0);
	assert_int_equal(col_int(f, ID_A, "fix_days"), 7);
}

static void test_triage__fixed_keeps_the_deadline(void **state)
{
	struct fx *f = *state;

	rated_at(f, ID_A, T0, "critical", 7);
	move_at(f, T0 + DAY, ID_A, "triaged", "fixing");
	assert_int_equal(col_int(f, ID_A, "fix_due"), T0 + 7 * DAY);
	event_at(f, T0 + 9 * DAY, "status", ID_A,
		 json_pack("{s:s, s:s, s:s}", "from", "fixing", "to", "fixed",
			   "version", "1.2.3"));
	assert_string_equal(col_str(f, ID_A, "state"), "fixed");
	assert_int_equal(col_int(f, ID_A, "fixed_t"), T0 + 9 * DAY);
	assert_string_equal(col_str(f, ID_A, "fixed_version"), "1.2.3");
	assert_int_equal(col_int(f, ID_A, "fix_due"), T0 + 7 * DAY);
	assert_int_equal(col_int(f, ID_A, "closed_t"), NUL);
	/* disclosed: what was fixed stays */
	move_at(f, T0 + 30 * DAY, ID_A, "fixed", "disclosed");
	assert_string_equal(col_str(f, ID_A, "state"), "disclosed");
	assert_int_equal(col_int(f, ID_A, "state_t"), T0 + 30 * DAY);
	assert_string_equal(col_str(f, ID_A, "fixed_version"), "1.2.3");
	assert_int_equal(col_int(f, ID_A, "fixed_t"), T0 + 9 * DAY);
}

static void test_triage__closing_stops_every_clock(void **state)
{
	struct fx *f = *state;

	rated_at(f, ID_A, T0, "critical", 7);
	move_at(f, T0 + DAY, ID_A, "triaged", "informative");
	assert_string_equal(col_str(f, ID_A, "state"), "informative");
	assert_int_equal(col_int(f, ID_A, "closed_t"), T0 + DAY);
	assert_int_equal(col_int(f, ID_A, "state_t"), T0 + DAY);
	assert_int_equal(col_int(f, ID_A, "fix_due"), NUL);
	assert_int_equal(col_int(f, ID_A, "fix_left"), NUL);
	/* closed while paused: the paused clock goes too */
	rated_at(f, ID_B, T0, "high", 30);
	move_at(f, T0 + DAY, ID_B, "triaged", "needs-info");
	move_at(f, T0 + 2 * DAY, ID_B, "needs-info", "withdrawn");
	assert_int_equal(col_int(f, ID_B, "closed_t"), T0 + 2 * DAY);
	assert_int_equal(col_int(f, ID_B, "fix_due"), NUL);
	assert_int_equal(col_int(f, ID_B, "fix_left"), NUL);
	/* and while fixing */
	rated_at(f, ID_C, T0, "low", 90);
	move_at(f, T0 + DAY, ID_C, "triaged", "fixing");
	move_at(f, T0 + 2 * DAY, ID_C, "fixing", "not-reproducible");
	assert_int_equal(col_int(f, ID_C, "fix_due"), NUL);
	assert_int_equal(col_int(f, ID_C, "closed_t"), T0 + 2 * DAY);
}

static void test_triage__closed_unseen_counts_as_acknowledged(void **state)
{
	struct fx *f = *state;

	import_at(f, ID_A, T0);
	move_at(f, T0 + 2 * H, ID_A, "new", "spam");
	assert_string_equal(col_str(f, ID_A, "state"), "spam");
	assert_int_equal(col_int(f, ID_A, "acked_t"), T0 + 2 * H);
	assert_int_equal(col_int(f, ID_A, "closed_t"), T0 + 2 * H);
	assert_int_equal(col_int(f, ID_A, "state_t"), T0 + 2 * H);
}

static void test_triage__reopen_clears_the_triage(void **state)
{
	struct fx *f = *state;
	char sha[AL_SHA256_HEX];
	static const char *const cleared[] = {
		"rated_t", "score",    "fix_days",
		"fix_due", "fix_left", "closed_t",
	};
	json_t *d;

	import_at(f, ID_B, T0 - 3 * H);
	rated_at(f, ID_A, T0, "critical", 7);
	d = json_pack("{s:s, s:s, s:s}", "from", "triaged", "to", "duplicate",
		      "of", ID_B);
	event_at(f, T0 + DAY, "status", ID_A, d);
	assert_string_equal(col_str(f, ID_A, "duplicate_of"), ID_B);
	put_text(f, "not a duplicate after all", sha);
	event_at(f, T0 + 2 * DAY, "status", ID_A,
		 json_pack("{s:s, s:s, s:s}", "from", "duplicate", "to",
			   "acknowledged", "reason_sha256", sha));
	assert_string_equal(col_str(f, ID_A, "state"), "acknowledged");
	assert_int_equal(col_int(f, ID_A, "state_t"), T0 + 2 * DAY);
	for (size_t i = 0; i < sizeof(cleared) / sizeof(cleared[0]); i++)
		if (col_int(f, ID_A, cleared[i]) != NUL)
			fail_msg("%s is kept after a reopen", cleared[i]);
	assert_null(col_str(f, ID_A, "rating"));
	assert_null(col_str(f, ID_A, "cvss"));
	assert_null(col_str(f, ID_A, "reason"));
	assert_null(col_str(f, ID_A, "duplicate_of"));
	/* the first acknowledgement stays */
	assert_int_equal(col_int(f, ID_A, "acked_t"), T0 - H);
	/* and it is triaged anew: a first triage, a clock from then */
	triage_at(f, T0 + 3 * DAY, ID_A, "medium", 60);
	assert_int_equal(col_int(f, ID_A, "fix_due"), T0 + 63 * DAY);
	assert_int_equal(col_int(f, ID_A, "rated_t"), T0 + 3 * DAY);
	assert_int_equal(col_int(f, ID_A, "triaged_t"), T0);
}

static void test_triage__reopen_out_of_scope_clears_reason(void **state)
{
	struct fx *f = *state;
	char sha[AL_SHA256_HEX];

	import_at(f, ID_A, T0);
	event_at(f, T0 + H, "status", ID_A,
		 json_pack("{s:s, s:s, s:s}", "from", "new", "to",
			   "out-of-scope", "reason", "dos"));
	assert_string_equal(col_str(f, ID_A, "reason"), "dos");
	assert_int_equal(col_int(f, ID_A, "closed_t"), T0 + H);
	put_text(f, "it is in scope", sha);
	event_at(f, T0 + 2 * H, "status", ID_A,
		 json_pack("{s:s, s:s, s:s}", "from", "out-of-scope", "to",
			   "acknowledged", "reason_sha256", sha));
	assert_null(col_str(f, ID_A, "reason"));
	assert_int_equal(col_int(f, ID_A, "closed_t"), NUL);
	assert_int_equal(col_int(f, ID_A, "acked_t"), T0 + H);
}

static void test_triage__duplicate_names_the_original(void **state)
{
	struct fx *f = *state;

	import_at(f, ID_A, T0);
	import_at(f, ID_B, T0 + H);
	event_at(f, T0 + 2 * H, "status", ID_B,
		 json_pack("{s:s, s:s, s:s}", "from", "new", "to", "duplicate",
			   "of", ID_A));
	assert_string_equal(col_str(f, ID_B, "state"), "duplicate");
	assert_string_equal(col_str(f, ID_B, "duplicate_of"), ID_A);
	assert_null(col_str(f, ID_B, "reason"));
	assert_string_equal(col_str(f, ID_A, "state"), "new");
}

static void test_triage__out_of_scope_keeps_the_reason_id(void **state)
{
	struct fx *f = *state;

	rated_at(f, ID_A, T0, "low", 90);
	event_at(f, T0 + DAY, "status", ID_A,
		 json_pack("{s:s, s:s, s:s}", "from", "triaged", "to",
			   "out-of-scope", "reason", "self-attack"));
	assert_string_equal(col_str(f, ID_A, "state"), "out-of-scope");
	assert_string_equal(col_str(f, ID_A, "reason"), "self-attack");
	assert_int_equal(col_int(f, ID_A, "closed_t"), T0 + DAY);
	assert_int_equal(col_int(f, ID_A, "fix_due"), NUL);
}

static void test_triage__status_with_a_free_reason(void **state)
{
	struct fx *f = *state;
	char sha[AL_SHA256_HEX];

	rated_at(f, ID_A, T0, "high", 30);
	put_text(f, "patch in review", sha);
	event_at(f, T0 + DAY, "status", ID_A,
		 json_pack("{s:s, s:s, s:s}", "from", "triaged", "to", "fixing",
			   "reason_sha256", sha));
	assert_string_equal(col_str(f, ID_A, "state"), "fixing");
	/* the reason column is the policy's id, for out-of-scope only */
	assert_null(col_str(f, ID_A, "reason"));
	assert_int_equal(col_int(f, ID_A, "fix_due"), T0 + 30 * DAY);
}

static void test_triage__note_changes_nothing(void **state)
{
	struct fx *f = *state;
	char sha[AL_SHA256_HEX];

	rated_at(f, ID_A, T0, "high", 30);
	move_at(f, T0 + DAY, ID_A, "triaged", "needs-info");
	put_text(f, "asked for a proof", sha);
	snapshot(f);
	event_at(f, T0 + 2 * DAY, "note", ID_A,
		 json_pack("{s:s}", "text_sha256", sha));
	assert_int_equal(rows_changed(f), 0);
	/* in a closing state too */
	import_at(f, ID_B, T0);
	move_at(f, T0 + H, ID_B, "new", "spam");
	snapshot(f);
	event_at(f, T0 + 2 * DAY, "note", ID_B,
		 json_pack("{s:s}", "text_sha256", sha));
	assert_int_equal(rows_changed(f), 0);
}

static void test_triage__reply_changes_nothing(void **state)
{
	struct fx *f = *state;

	rated_at(f, ID_A, T0, "high", 30);
	snapshot(f);
	event_at(f, T0 + DAY, "reply", ID_A,
		 json_pack("{s:s, s:s, s:I}", "sha256", HEX_UNKNOWN, "state",
			   "triaged", "proof", (json_int_t)0));
	event_at(f, T0 + DAY, "reply", ID_A,
		 json_pack("{s:s, s:s, s:n}", "sha256", HEX_UNKNOWN, "state",
			   "triaged", "proof"));
	assert_int_equal(rows_changed(f), 0);
}

/* ---- apply: forged events ---- */

static void test_triage__forged_from_not_the_state(void **state)
{
	struct fx *f = *state;

	import_at(f, ID_A, T0);
	refused(f, "status", ID_A,
		json_pack("{s:s, s:s}", "from", "acknowledged", "to", "spam"),
		"from a state the report is not in");
	ack_at(f, T0 + H, ID_A);
	refused(f, "ack", ID_A,
		json_pack("{s:s, s:s}", "from", "new", "to", "acknowledged"),
		"from a state the report is not in");
	refused(f, "triage", ID_A, triage_data("new", "triaged", "high", 30),
		"from a state the report is not in");
}

static void test_triage__forged_from_or_to_not_a_state(void **state)
{
	struct fx *f = *state;

	import_at(f, ID_A, T0);
	refused(f, "status", ID_A,
		json_pack("{s:s, s:s}", "from", "new", "to", "closed"),
		"not a state");
	refused(f, "status", ID_A,
		json_pack("{s:s, s:s}", "from", "nouveau", "to", "spam"),
		"not a state");
	refused(f, "status", ID_A, json_pack("{s:s}", "to", "spam"),
		"not a state");
	refused(f, "status", ID_A,
		json_pack("{s:s, s:i}", "from", "new", "to", 7), "not a state");
}

static void test_triage__forged_moves_not_allowed(void **state)
{
	struct fx *f = *state;

	import_at(f, ID_A, T0);
	refused(f, "status", ID_A,
		json_pack("{s:s, s:s, s:s}", "from", "new", "to", "fixed",
			  "version", "1.0"),
		"does not allow");
	refused(f, "status", ID_A,
		json_pack("{s:s, s:s}", "from", "new", "to", "triaged"),
		"does not allow");
	refused(f, "status", ID_A,
		json_pack("{s:s, s:s}", "from", "new", "to", "new"),
		"does not allow");
	/* acknowledged -> triaged is a triage's, not a status's */
	ack_at(f, T0 + H, ID_A);
	refused(f, "status", ID_A,
		json_pack("{s:s, s:s}", "from", "acknowledged", "to",
			  "triaged"),
		"does not allow");
	refused(f, "status", ID_A,
		json_pack("{s:s, s:s}", "from", "acknowledged", "to", "fixing"),
		"does not allow");
	/* a closed report reopens to acknowledged only */
	move_at(f, T0 + 2 * H, ID_A, "acknowledged", "informative");
	refused(f, "status", ID_A,
		json_pack("{s:s, s:s, s:s}", "from", "informative", "to",
			  "spam", "reason_sha256", HEX_UNKNOWN),
		"does not allow");
}

static void test_triage__forged_move_from_disclosed(void **state)
{
	struct fx *f = *state;
	char sha[AL_SHA256_HEX];

	rated_at(f, ID_A, T0, "high", 30);
	move_at(f, T0 + DAY, ID_A, "triaged", "fixing");
	event_at(f, T0 + 2 * DAY, "status", ID_A,
		 json_pack("{s:s, s:s, s:s}", "from", "fixing", "to", "fixed",
			   "version", "2.0"));
	refused(f, "status", ID_A,
		json_pack("{s:s, s:s}", "from", "fixed", "to", "spam"),
		"does not allow");
	move_at(f, T0 + 3 * DAY, ID_A, "fixed", "disclosed");
	put_text(f, "why", sha);
	for (int to = 0; to < AL_STATE_COUNT; to++) {
		json_t *d = json_pack("{s:s, s:s}", "from", "disclosed", "to",
				      names[to]);

		if (to == AL_STATE_ACKNOWLEDGED)
			json_object_set_new(d, "reason_sha256",
					    json_string(sha));
		refused(f, "status", ID_A, d, "does not allow");
	}
	refused(f, "triage", ID_A,
		triage_data("disclosed", "disclosed", "low", 90),
		"cannot be triaged");
}

static void test_triage__forged_version_rules(void **state)
{
	struct fx *f = *state;

	rated_at(f, ID_A, T0, "high", 30);
	refused(f, "status", ID_A,
		json_pack("{s:s, s:s, s:s}", "from", "triaged", "to", "fixing",
			  "version", "1.0"),
		"only that, names a version");
	move_at(f, T0 + DAY, ID_A, "triaged", "fixing");
	refused(f, "status", ID_A,
		json_pack("{s:s, s:s}", "from", "fixing", "to", "fixed"),
		"only that, names a version");
	refused(f, "status", ID_A,
		json_pack("{s:s, s:s, s:s}", "from", "fixing", "to", "fixed",
			  "version", ""),
		"only that, names a version");
	refused(f, "status", ID_A,
		json_pack("{s:s, s:s, s:s}", "from", "fixing", "to", "fixed",
			  "version", "1.0\n2.0"),
		"only that, names a version");
	refused(f, "status", ID_A,
		json_pack("{s:s, s:s, s:i}", "from", "fixing", "to", "fixed",
			  "version", 1),
		"only that, names a version");
}

static void test_triage__forged_out_of_scope_without_reason(void **state)
{
	struct fx *f = *state;

	import_at(f, ID_A, T0);
	refused(f, "status", ID_A,
		json_pack("{s:s, s:s}", "from", "new", "to", "out-of-scope"),
		"names a reason id");
	refused(f, "status", ID_A,
		json_pack("{s:s, s:s, s:s}", "from", "new", "to", "spam",
			  "reason", "dos"),
		"names a reason id");
	refused(f, "status", ID_A,
		json_pack("{s:s, s:s, s:s}", "from", "new", "to",
			  "out-of-scope", "reason", ""),
		"names a reason id");
}

static void test_triage__forged_duplicate_rules(void **state)
{
	struct fx *f = *state;

	import_at(f, ID_A, T0);
	refused(f, "status", ID_A,
		json_pack("{s:s, s:s, s:s}", "from", "new", "to", "duplicate",
			  "of", ID_A),
		"names another report");
	refused(f, "status", ID_A,
		json_pack("{s:s, s:s}", "from", "new", "to", "duplicate"),
		"names another report");
	refused(f, "status", ID_A,
		json_pack("{s:s, s:s, s:s}", "from", "new", "to", "duplicate",
			  "of", ID_X),
		"a report the ledger does not have");
	import_at(f, ID_B, T0);
	refused(f, "status", ID_A,
		json_pack("{s:s, s:s, s:s}", "from", "new", "to", "spam", "of",
			  ID_B),
		"names another report");
}

static void test_triage__forged_reopen_without_reason(void **state)
{
	struct fx *f = *state;

	import_at(f, ID_A, T0);
	move_at(f, T0 + H, ID_A, "new", "withdrawn");
	refused(f, "status", ID_A,
		json_pack("{s:s, s:s}", "from", "withdrawn", "to",
			  "acknowledged"),
		"reopening a report must name its reason");
}

static void test_triage__forged_text_not_kept(void **state)
{
	struct fx *f = *state;
	json_t *d;

	rated_at(f, ID_A, T0, "high", 30);
	d = triage_data("triaged", "triaged", "low", 90);
	json_object_set_new(d, "reason_sha256", json_string(HEX_UNKNOWN));
	refused(f, "triage", ID_A, d, "not in the texts table");
	refused(f, "status", ID_A,
		json_pack("{s:s, s:s, s:s}", "from", "triaged", "to", "spam",
			  "reason_sha256", HEX_UNKNOWN),
		"not in the texts table");
	refused(f, "note", ID_A, json_pack("{s:s}", "text_sha256", HEX_UNKNOWN),
		"not in the texts table");
	/* not even a hash */
	refused(f, "note", ID_A, json_pack("{s:s}", "text_sha256", "abc"),
		"not SHA-256 hex");
	refused(f, "note", ID_A,
		json_pack("{s:s}", "text_sha256",
			  "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"
			  "0123456789ABCDEF"),
		"not SHA-256 hex");
	refused(f, "note", ID_A, json_object(), "not SHA-256 hex");
}

static void test_triage__forged_triage_fields(void **state)
{
	struct fx *f = *state;
	json_t *d;

	import_at(f, ID_A, T0 - 2 * H);
	ack_at(f, T0 - H, ID_A);
	refused(f, "triage", ID_A,
		triage_data("acknowledged", "triaged", "severe", 30),
		"is malformed");
	refused(f, "triage", ID_A,
		triage_data("acknowledged", "triaged", "critical", 0),
		"is malformed");
	refused(f, "triage", ID_A,
		triage_data("acknowledged", "triaged", "critical", -7),
		"is malformed");
	refused(f, "triage", ID_A,
		json_pack("{s:s, s:s, s:s}", "from", "acknowledged", "to",
			  "triaged", "rating", "high"),
		"is malformed");
	d = triage_data("acknowledged", "triaged", "critical", 7);
	json_object_set_new(d, "cvss", json_string(CVSS31_CRIT));
	refused(f, "triage", ID_A, d, "is malformed");
	d = triage_data("acknowledged", "triaged", "critical", 7);
	json_object_set_new(d, "score", json_integer(98));
	refused(f, "triage", ID_A, d, "is malformed");
	d = triage_data("acknowledged", "triaged", "critical", 7);
	json_object_set_new(d, "cvss", json_string(CVSS31_CRIT));
	json_object_set_new(d, "score", json_integer(0));
	refused(f, "triage", ID_A, d, "is malformed");
	d = triage_data("acknowledged", "triaged", "critical", 7);
	json_object_set_new(d, "cvss", json_string(CVSS31_CRIT));
	json_object_set_new(d, "score", json_string("9.8"));
	refused(f, "triage", ID_A, d, "is malformed");
	assert_string_equal(col_str(f, ID_A, "state"), "acknowledged");
}

/* The contract: a triage event's fields well-formed, the score and
 * rating "kept with the vector" (al_triage.h): a vector that is no CVSS
 * vector, or a score that is not its vector's, is a forgery. */
static void test_triage__forged_cvss_not_a_vector(void **state)
{
	struct fx *f = *state;
	json_t *d;

	import_at(f, ID_A, T0 - 2 * H);
	ack_at(f, T0 - H, ID_A);
	d = triage_data("acknowledged", "triaged", "critical", 7);
	json_object_set_new(d, "cvss", json_string("not a vector"));
	json_object_set_new(d, "score", json_integer(98));
	refused(f, "triage", ID_A, d, "event");
}

static void test_triage__forged_score_not_its_vectors(void **state)
{
	struct fx *f = *state;
	json_t *d;

	import_at(f, ID_A, T0 - 2 * H);
	ack_at(f, T0 - H, ID_A);
	/* 9.8 critical, recorded as 1.2 low */
	d = triage_data("acknowledged", "triaged", "low", 90);
	json_object_set_new(d, "cvss", json_string(CVSS31_CRIT));
	json_object_set_new(d, "score", json_integer(12));
	refused(f, "triage", ID_A, d, "event");
}

static void test_triage__forged_triage_reason_rules(void **state)
{
	struct fx *f = *state;
	char sha[AL_SHA256_HEX];
	json_t *d;

	import_at(f, ID_A, T0 - 2 * H);
	ack_at(f, T0 - H, ID_A);
	put_text(f, "a reason", sha);
	d = triage_data("acknowledged", "triaged", "high", 30);
	json_object_set_new(d, "reason_sha256", json_string(sha));
	refused(f, "triage", ID_A, d, "a first triage has no reason");
	triage_at(f, T0, ID_A, "high", 30);
	refused(f, "triage", ID_A, triage_data("triaged", "triaged", "low", 90),
		"a rating change must name its reason");
}

static void test_triage__forged_triage_state(void **state)
{
	struct fx *f = *state;
	char sha[AL_SHA256_HEX];
	json_t *d;

	import_at(f, ID_A, T0);
	/* triage of a new report */
	refused(f, "triage", ID_A, triage_data("new", "triaged", "high", 30),
		"cannot be triaged");
	refused(f, "triage", ID_A, triage_data("new", "new", "high", 30),
		"cannot be triaged");
	ack_at(f, T0 + H, ID_A);
	refused(f, "triage", ID_A,
		triage_data("acknowledged", "fixing", "high", 30),
		"cannot be triaged");
	triage_at(f, T0 + 2 * H, ID_A, "high", 30);
	/* a rating change moves nowhere */
	put_text(f, "worse", sha);
	d = triage_data("triaged", "fixing", "critical", 7);
	json_object_set_new(d, "reason_sha256", json_string(sha));
	refused(f, "triage", ID_A, d, "cannot be triaged");
	/* nor is it allowed in a closed state */
	move_at(f, T0 + 3 * H, ID_A, "triaged", "spam");
	d = triage_data("spam", "spam", "critical", 7);
	json_object_set_new(d, "reason_sha256", json_string(sha));
	refused(f, "triage", ID_A, d, "cannot be triaged");
}

static void test_triage__forged_ack_of_a_report_not_new(void **state)
{
	struct fx *f = *state;

	import_at(f, ID_A, T0);
	refused(f, "ack", ID_A,
		json_pack("{s:s, s:s}", "from", "new", "to", "spam"),
		"not new -> acknowledged");
	ack_at(f, T0 + H, ID_A);
	refused(f, "ack", ID_A,
		json_pack("{s:s, s:s}", "from", "acknowledged", "to",
			  "acknowledged"),
		"not new -> acknowledged");
	triage_at(f, T0 + 2 * H, ID_A, "low", 90);
	refused(f, "ack", ID_A,
		json_pack("{s:s, s:s}", "from", "triaged", "to",
			  "acknowledged"),
		"not new -> acknowledged");
}

static void test_triage__forged_reply(void **state)
{
	struct fx *f = *state;

	rated_at(f, ID_A, T0, "high", 30);
	refused(f, "reply", ID_A,
		json_pack("{s:s, s:s, s:n}", "sha256", HEX_UNKNOWN, "state",
			  "fixing", "proof"),
		"the state it names is not the report's");
	refused(f, "reply", ID_A,
		json_pack("{s:s, s:n}", "sha256", HEX_UNKNOWN, "proof"),
		"the state it names is not the report's");
	refused(f, "reply", ID_A,
		json_pack("{s:s, s:s, s:n}", "sha256", "abcd", "state",
			  "triaged", "proof"),
		"its sha256, state or proof is malformed");
	refused(f, "reply", ID_A,
		json_pack("{s:s, s:s, s:n}", "sha256",
			  "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789"
			  "ABCDEF0123456789",
			  "state", "triaged", "proof"),
		"its sha256, state or proof is malformed");
	refused(f, "reply", ID_A,
		json_pack("{s:s, s:s, s:I}", "sha256", HEX_UNKNOWN, "state",
			  "triaged", "proof", (json_int_t)-1),
		"its sha256, state or proof is malformed");
	refused(f, "reply", ID_A,
		json_pack("{s:s, s:s, s:s}", "sha256", HEX_UNKNOWN, "state",
			  "triaged", "proof", "0"),
		"its sha256, state or proof is malformed");
	/* a proof of an event that is not this report's import */
	refused(f, "reply", ID_A,
		json_pack("{s:s, s:s, s:I}", "sha256", HEX_UNKNOWN, "state",
			  "triaged", "proof", (json_int_t)999),
		"its proof is not of an import of its report");
	refused(f, "reply", ID_A,
		json_pack("{s:s, s:s, s:I}", "sha256", HEX_UNKNOWN, "state",
			  "triaged", "proof", (json_int_t)1),
		"its proof is not of an import of its report");
}

static void test_triage__forged_unknown_report(void **state)
{
	struct fx *f = *state;
	char sha[AL_SHA256_HEX];

	import_at(f, ID_A, T0);
	put_text(f, "a note", sha);
	refused(f, "ack", ID_X,
		json_pack("{s:s, s:s}", "from", "new", "to", "acknowledged"),
		"a report the ledger does not have");
	refused(f, "status", ID_X,
		json_pack("{s:s, s:s}", "from", "new", "to", "spam"),
		"a report the ledger does not have");
	refused(f, "triage", ID_X,
		triage_data("acknowledged", "triaged", "low", 90),
		"a report the ledger does not have");
	refused(f, "note", ID_X, json_pack("{s:s}", "text_sha256", sha),
		"a report the ledger does not have");
	refused(f, "reply", ID_X,
		json_pack("{s:s, s:s, s:n}", "sha256", HEX_UNKNOWN, "state",
			  "new", "proof"),
		"a report the ledger does not have");
	refused(f, "ack", NULL,
		json_pack("{s:s, s:s}", "from", "new", "to", "acknowledged"),
		"names no report");
}

static void test_triage__forged_extra_keys(void **state)
{
	struct fx *f = *state;
	char sha[AL_SHA256_HEX];
	json_t *d;

	import_at(f, ID_A, T0);
	put_text(f, "a note", sha);
	refused(f, "ack", ID_A,
		json_pack("{s:s, s:s, s:s}", "from", "new", "to",
			  "acknowledged", "by", "me"),
		"not new -> acknowledged");
	refused(f, "status", ID_A,
		json_pack("{s:s, s:s, s:b}", "from", "new", "to", "spam",
			  "loud", 1),
		"does not allow");
	refused(f, "note", ID_A,
		json_pack("{s:s, s:s}", "text_sha256", sha, "text", "x"),
		"its data has other keys");
	refused(f, "reply", ID_A,
		json_pack("{s:s, s:s, s:n, s:s}", "sha256", HEX_UNKNOWN,
			  "state", "new", "proof", "text", "hello"),
		"its sha256, state or proof is malformed");
	ack_at(f, T0 + H, ID_A);
	d = triage_data("acknowledged", "triaged", "low", 90);
	json_object_set_new(d, "due", json_integer(T0));
	refused(f, "triage", ID_A, d, "is malformed");
}

static void test_triage__forged_kind_is_checked_on_rebuild(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	json_t *d = json_pack("{s:s, s:s}", "from", "new", "to", "fixed");
	int64_t seq;

	/* an event that apply refuses, kept in the log regardless (as an
	 * edit of the file would): the rebuild names it */
	import_at(f, ID_A, T0);
	assert_int_equal(al_db_begin(f->db, &err), 0);
	assert_int_equal(
		al_vault_append(f->v, T0 + H, "status", ID_A, d, &seq, &err),
		0);
	json_decref(d);
	assert_int_equal(al_db_commit(f->db, &err), 0);
	assert_int_equal(al_db_begin(f->db, &err), 0);
	assert_int_equal(al_state_rebuild(f->db, &err), AL_EINTEGRITY);
	al_db_rollback(f->db);
	assert_non_null(strstr(err.msg, "event 1 (status)"));
	assert_non_null(strstr(err.msg, "does not allow"));
}

/* ---- rebuild ---- */

static void test_triage__rebuild_gives_the_same_rows(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	char sha[AL_SHA256_HEX];
	json_t *d;

	/* A: the whole life, with a pause, a rating change and notes */
	rated_at(f, ID_A, T0, "critical", 7);
	move_at(f, T0 + 3 * DAY, ID_A, "triaged", "needs-info");
	put_text(f, "asked", sha);
	event_at(f, T0 + 4 * DAY, "note", ID_A,
		 json_pack("{s:s}", "text_sha256", sha));
	rerate_at(f, T0 + 5 * DAY, ID_A, "needs-info", "high", 30);
	move_at(f, T0 + 13 * DAY, ID_A, "needs-info", "triaged");
	d = triage_data("triaged", "triaged", "medium", 60);
	json_object_set_new(d, "cvss", json_string(CVSS40_57));
	json_object_set_new(d, "score", json_integer(57));
	json_object_set_new(d, "reason_sha256", json_string(sha));
	event_at(f, T0 + 14 * DAY, "triage", ID_A, d);
	move_at(f, T0 + 15 * DAY, ID_A, "triaged", "fixing");
	event_at(f, T0 + 20 * DAY, "status", ID_A,
		 json_pack("{s:s, s:s, s:s}", "from", "fixing", "to", "fixed",
			   "version", "3.1.4"));
	event_at(f, T0 + 21 * DAY, "reply", ID_A,
		 json_pack("{s:s, s:s, s:I}", "sha256", HEX_UNKNOWN, "state",
			   "fixed", "proof",
			   (json_int_t)scalar(f, "SELECT min(seq) FROM events "
						 "WHERE kind = 'import'")));
	move_at(f, T0 + 40 * DAY, ID_A, "fixed", "disclosed");
	/* B: a duplicate of A, reopened, out of scope */
	import_at(f, ID_B, T0 + DAY);
	event_at(f, T0 + 2 * DAY, "status", ID_B,
		 json_pack("{s:s, s:s, s:s}", "from", "new", "to", "duplicate",
			   "of", ID_A));
	event_at(f, T0 + 3 * DAY, "status", ID_B,
		 json_pack("{s:s, s:s, s:s}", "from", "duplicate", "to",
			   "acknowledged", "reason_sha256", sha));
	event_at(f, T0 + 4 * DAY, "status", ID_B,
		 json_pack("{s:s, s:s, s:s}", "from", "acknowledged", "to",
			   "out-of-scope", "reason", "mitm"));
	/* C: paused while overdue; D: new */
	rated_at(f, ID_C, T0 + DAY, "medium", 60);
	move_at(f, T0 + 90 * DAY, ID_C, "triaged", "needs-info");
	import_at(f, ID_D, T0 + 50 * DAY);

	assert_int_equal(scalar(f, "SELECT count(*) FROM reports"), 4);
	snapshot(f);
	assert_int_equal(al_db_begin(f->db, &err), 0);
	if (al_state_rebuild(f->db, &err))
		fail_msg("rebuild: %s", err.msg);
	assert_int_equal(al_db_commit(f->db, &err), 0);
	assert_int_equal(scalar(f, "SELECT count(*) FROM reports"), 4);
	assert_int_equal(rows_changed(f), 0);
	/* and the rows are what the history says */
	assert_string_equal(col_str(f, ID_A, "state"), "disclosed");
	assert_string_equal(col_str(f, ID_A, "cvss"), CVSS40_57);
	assert_string_equal(col_str(f, ID_B, "reason"), "mitm");
	assert_null(col_str(f, ID_B, "duplicate_of"));
	assert_int_equal(col_int(f, ID_C, "fix_left"), -29 * DAY);
}

/* ---- the commands' side ---- */

static void test_triage__vault_ack(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_move m;
	int64_t n0;

	import_at(f, ID_A, T_PAST);
	n0 = nevents(f);
	assert_int_equal(al_vault_ack(f->v, ID_A, &m, &err), 0);
	assert_int_equal(nevents(f), n0 + 1);
	assert_string_equal(last_kind(f), "ack");
	assert_int_equal(m.seq, n0);
	assert_int_equal(m.from, AL_STATE_NEW);
	assert_int_equal(m.to, AL_STATE_ACKNOWLEDGED);
	assert_string_equal(col_str(f, ID_A, "state"), "acknowledged");
	assert_true(col_int(f, ID_A, "acked_t") > T_PAST);
	assert_int_equal(m.fix_due, 0);
	assert_int_equal(m.score10, -1);
}

static void test_triage__vault_ack_refused(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_move m;
	int64_t n0;

	import_at(f, ID_A, T_PAST);
	n0 = nevents(f);
	cmd_refused(f, al_vault_ack(f->v, ID_X, &m, &err), AL_ENOTFOUND,
		    "no report");
	move_at(f, T_PAST + H, ID_A, "new", "acknowledged");
	triage_at(f, T_PAST + 2 * H, ID_A, "high", 30);
	n0 = nevents(f);
	cmd_refused(f, al_vault_ack(f->v, ID_A, &m, &err), AL_EINVAL,
		    "is triaged: it cannot move to acknowledged (it can move "
		    "to needs-info, fixing, duplicate, out-of-scope, "
		    "informative, not-applicable, not-reproducible, spam, "
		    "withdrawn)");
	assert_string_equal(col_str(f, ID_A, "state"), "triaged");
}

/* al_triage.h: AL_EINVAL "report X is S: it can move to ..." when it is
 * not new, acknowledged as well. */
static void test_triage__vault_ack_twice_says_so(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	int64_t n0;

	import_at(f, ID_A, T_PAST);
	ack_at(f, T_PAST + H, ID_A);
	n0 = nevents(f);
	cmd_refused(f, al_vault_ack(f->v, ID_A, NULL, &err), AL_EINVAL,
		    "is acknowledged already");
	/* from a later state, the moves it allows are named */
	rated_at(f, ID_B, T_PAST, "high", 30);
	n0 = nevents(f);
	cmd_refused(f, al_vault_ack(f->v, ID_B, NULL, &err), AL_EINVAL,
		    "it can move to needs-info, fixing, duplicate");
}

static void test_triage__vault_triage_rating(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_move m;
	int64_t n0;

	import_at(f, ID_A, T_PAST);
	ack_at(f, T_PAST + H, ID_A);
	n0 = nevents(f);
	assert_int_equal(
		al_vault_triage(f->v, ID_A, "high", NULL, NULL, &m, &err), 0);
	assert_int_equal(nevents(f), n0 + 1);
	assert_string_equal(last_kind(f), "triage");
	assert_int_equal(m.from, AL_STATE_ACKNOWLEDGED);
	assert_int_equal(m.to, AL_STATE_TRIAGED);
	assert_string_equal(m.rating, "high");
	assert_int_equal(m.score10, -1);
	assert_true(m.rating_changed);
	assert_int_equal(col_int(f, ID_A, "fix_days"), 30);
	assert_int_equal(m.fix_due, col_int(f, ID_A, "rated_t") + 30 * DAY);
	assert_int_equal(col_int(f, ID_A, "fix_due"), m.fix_due);
	assert_null(col_str(f, ID_A, "cvss"));
}

static void test_triage__vault_triage_new_says_ack_first(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_move m;
	int64_t n0;

	import_at(f, ID_A, T_PAST);
	n0 = nevents(f);
	cmd_refused(f,
		    al_vault_triage(f->v, ID_A, "high", NULL, NULL, &m, &err),
		    AL_EINVAL, "acknowledge it first");
	assert_string_equal(col_str(f, ID_A, "state"), "new");
	cmd_refused(f,
		    al_vault_triage(f->v, ID_X, "high", NULL, NULL, &m, &err),
		    AL_ENOTFOUND, "no report");
}

static void test_triage__vault_triage_rating_xor_cvss(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_move m;
	int64_t n0;

	import_at(f, ID_A, T_PAST);
	ack_at(f, T_PAST + H, ID_A);
	n0 = nevents(f);
	cmd_refused(f,
		    al_vault_triage(f->v, ID_A, "high", CVSS31_CRIT, NULL, &m,
				    &err),
		    AL_EUSAGE, "either --rating or --cvss");
	cmd_refused(f, al_vault_triage(f->v, ID_A, NULL, NULL, NULL, &m, &err),
		    AL_EUSAGE, "either --rating or --cvss");
	cmd_refused(f,
		    al_vault_triage(f->v, ID_A, "severe", NULL, NULL, &m, &err),
		    AL_EINVAL, "is not critical, high, medium or low");
	cmd_refused(f,
		    al_vault_triage(f->v, ID_A, "none", NULL, NULL, &m, &err),
		    AL_EINVAL, "is not critical, high, medium or low");
	cmd_refused(f,
		    al_vault_triage(f->v, ID_A, NULL, "CVSS:3.1/AV:N", NULL, &m,
				    &err),
		    AL_EINVAL, "cvss");
	assert_string_equal(col_str(f, ID_A, "state"), "acknowledged");
}

static void test_triage__vault_triage_cvss31(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_move m;

	import_at(f, ID_A, T_PAST);
	ack_at(f, T_PAST + H, ID_A);
	assert_int_equal(
		al_vault_triage(f->v, ID_A, NULL, CVSS31_CRIT, NULL, &m, &err),
		0);
	assert_int_equal(m.score10, 98);
	assert_string_equal(m.rating, "critical");
	assert_int_equal(col_int(f, ID_A, "score"), 98);
	assert_string_equal(col_str(f, ID_A, "rating"), "critical");
	assert_string_equal(col_str(f, ID_A, "cvss"), CVSS31_CRIT);
	assert_int_equal(col_int(f, ID_A, "fix_days"), 7);
	assert_int_equal(m.fix_due, col_int(f, ID_A, "rated_t") + 7 * DAY);
}

/* A vector and its score as ../shared/data/cvss lists them. */
static void assert_in_vectors(const char *file, const char *vector,
			      const char *score)
{
	char line[256];
	char *all = al_test_read(NULL, "cvss/%s", file);

	snprintf(line, sizeof(line), "%s\t%s\n", vector, score);
	if (!strstr(all, line))
		fail_msg("'%s' is not in %s", line, file);
	free(all);
}

static void test_triage__vault_triage_cvss40(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_move m;

	assert_in_vectors("cvss40-vectors.tsv", CVSS40_93, "9.3");
	assert_in_vectors("cvss40-vectors.tsv", CVSS40_23, "2.3");
	import_at(f, ID_A, T_PAST);
	ack_at(f, T_PAST + H, ID_A);
	assert_int_equal(
		al_vault_triage(f->v, ID_A, NULL, CVSS40_93, NULL, &m, &err),
		0);
	assert_int_equal(m.score10, 93);
	assert_string_equal(m.rating, "critical");
	assert_int_equal(col_int(f, ID_A, "score"), 93);
	assert_string_equal(col_str(f, ID_A, "cvss"), CVSS40_93);
	assert_int_equal(col_int(f, ID_A, "fix_days"), 7);
	/* rated again by another vector: low, 90 days from the change */
	if (al_vault_triage(f->v, ID_A, NULL, CVSS40_23, "rescored", &m, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(m.score10, 23);
	assert_string_equal(m.rating, "low");
	assert_true(m.rating_changed);
	assert_string_equal(col_str(f, ID_A, "rating"), "low");
	assert_string_equal(col_str(f, ID_A, "cvss"), CVSS40_23);
	assert_int_equal(col_int(f, ID_A, "fix_days"), 90);
	assert_int_equal(col_int(f, ID_A, "fix_due"),
			 col_int(f, ID_A, "rated_t") + 90 * DAY);
}

static void test_triage__vault_triage_cvss40_medium(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_move m;

	assert_in_vectors("cvss40-vectors.tsv", CVSS40_57, "5.7");
	import_at(f, ID_A, T_PAST);
	ack_at(f, T_PAST + H, ID_A);
	assert_int_equal(
		al_vault_triage(f->v, ID_A, NULL, CVSS40_57, NULL, &m, &err),
		0);
	assert_int_equal(m.score10, 57);
	assert_string_equal(m.rating, "medium");
	assert_int_equal(col_int(f, ID_A, "fix_days"), 60);
}

static void test_triage__vault_triage_zero_score_refused(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_move m;
	int64_t n0;

	assert_in_vectors("cvss31-vectors.tsv", CVSS31_ZERO, "0");
	import_at(f, ID_A, T_PAST);
	ack_at(f, T_PAST + H, ID_A);
	n0 = nevents(f);
	cmd_refused(
		f,
		al_vault_triage(f->v, ID_A, NULL, CVSS31_ZERO, NULL, &m, &err),
		AL_EINVAL, "the base score is 0.0");
	assert_string_equal(col_str(f, ID_A, "state"), "acknowledged");
}

static void test_triage__vault_rating_change_needs_a_reason(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_move m;
	char longer[600];
	int64_t n0, due;

	import_at(f, ID_A, T_PAST);
	ack_at(f, T_PAST + H, ID_A);
	assert_int_equal(
		al_vault_triage(f->v, ID_A, "high", NULL, NULL, &m, &err), 0);
	due = m.fix_due;
	n0 = nevents(f);
	cmd_refused(f, al_vault_triage(f->v, ID_A, "low", NULL, NULL, &m, &err),
		    AL_EUSAGE, "a new rating needs --reason");
	cmd_refused(f,
		    al_vault_triage(f->v, ID_A, "high", NULL, "same", &m, &err),
		    AL_EINVAL, "rated high already");
	memset(longer, 'r', 501);
	longer[501] = '\0';
	cmd_refused(f,
		    al_vault_triage(f->v, ID_A, "low", NULL, longer, &m, &err),
		    AL_EUSAGE, "--reason: one line");
	cmd_refused(f,
		    al_vault_triage(f->v, ID_A, "low", NULL, "two\nlines", &m,
				    &err),
		    AL_EUSAGE, "--reason: one line");
	assert_int_equal(col_int(f, ID_A, "fix_due"), due);
	/* the same rating with a vector: kept, the clock not restarted */
	assert_int_equal(al_vault_triage(f->v, ID_A, NULL,
					 "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/"
					 "C:H/I:L/A:N",
					 "scored", &m, &err),
			 0);
	assert_string_equal(m.rating, "high");
	assert_false(m.rating_changed);
	assert_int_equal(m.fix_due, due);
	assert_int_equal(col_int(f, ID_A, "fix_due"), due);
	/* the reason is kept in texts and named by the event */
	{
		json_t *d = last_data(f);
		char *text = NULL;

		assert_int_equal(
			al_db_get_text(f->db,
				       json_string_value(json_object_get(
					       d, "reason_sha256")),
				       &text, &err),
			0);
		assert_string_equal(text, "scored");
		free(text);
		json_decref(d);
	}
}

/* al_triage.h: al_vault_triage refuses "a state that cannot be triaged,
 * naming the moves allowed" (issue 5: invalid moves are refused with a
 * message naming the allowed ones). */
static void test_triage__vault_triage_fixed_names_the_moves(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_move m;
	int64_t n0;

	rated_at(f, ID_A, T_PAST, "high", 30);
	move_at(f, T_PAST + DAY, ID_A, "triaged", "fixing");
	event_at(f, T_PAST + 2 * DAY, "status", ID_A,
		 json_pack("{s:s, s:s, s:s}", "from", "fixing", "to", "fixed",
			   "version", "1.0"));
	n0 = nevents(f);
	cmd_refused(f, al_vault_triage(f->v, ID_A, "low", NULL, "x", &m, &err),
		    AL_EINVAL, "is fixed");
	cmd_refused(f, al_vault_triage(f->v, ID_A, "low", NULL, "x", &m, &err),
		    AL_EINVAL, "disclosed");
}

static void test_triage__vault_triage_closed_refused(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_move m;
	int64_t n0;

	import_at(f, ID_A, T_PAST);
	move_at(f, T_PAST + H, ID_A, "new", "spam");
	n0 = nevents(f);
	cmd_refused(f, al_vault_triage(f->v, ID_A, "low", NULL, "x", &m, &err),
		    AL_EINVAL, "is spam");
	assert_string_equal(col_str(f, ID_A, "state"), "spam");
}

static void test_triage__vault_status_names_the_moves(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_status_opts o = {.version = "1.0"};
	struct al_move m;
	int64_t n0;

	import_at(f, ID_A, T_PAST);
	n0 = nevents(f);
	cmd_refused(f, al_vault_status(f->v, ID_A, "fixed", &o, &m, &err),
		    AL_EINVAL,
		    "is new: it cannot move to fixed (it can move to "
		    "acknowledged, duplicate, out-of-scope, informative, "
		    "not-applicable, not-reproducible, spam, withdrawn)");
	cmd_refused(f, al_vault_status(f->v, ID_A, "new", NULL, &m, &err),
		    AL_EINVAL, "is new already");
	cmd_refused(f, al_vault_status(f->v, ID_A, "closed", NULL, &m, &err),
		    AL_EUSAGE, "'closed' is not a state");
	cmd_refused(f, al_vault_status(f->v, ID_X, "spam", NULL, &m, &err),
		    AL_ENOTFOUND, "no report");
	/* disclosed: nothing */
	rated_at(f, ID_B, T_PAST, "low", 90);
	move_at(f, T_PAST + DAY, ID_B, "triaged", "fixing");
	event_at(f, T_PAST + 2 * DAY, "status", ID_B,
		 json_pack("{s:s, s:s, s:s}", "from", "fixing", "to", "fixed",
			   "version", "1.0"));
	move_at(f, T_PAST + 3 * DAY, ID_B, "fixed", "disclosed");
	n0 = nevents(f);
	cmd_refused(f, al_vault_status(f->v, ID_B, "spam", NULL, &m, &err),
		    AL_EINVAL, "it can move to nothing");
}

static void test_triage__vault_status_triaging_needs_a_rating(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_move m;
	int64_t n0;

	import_at(f, ID_A, T_PAST);
	ack_at(f, T_PAST + H, ID_A);
	n0 = nevents(f);
	cmd_refused(f, al_vault_status(f->v, ID_A, "triaged", NULL, &m, &err),
		    AL_EINVAL, "triaging needs a rating");
}

static void test_triage__vault_status_out_of_scope(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_status_opts bad = {.reason = "boring"}, none = {0};
	struct al_status_opts ok = {.reason = "scanner-report"};
	struct al_move m;
	int64_t n0;

	import_at(f, ID_A, T_PAST);
	n0 = nevents(f);
	cmd_refused(f,
		    al_vault_status(f->v, ID_A, "out-of-scope", &bad, &m, &err),
		    AL_EINVAL,
		    "one of the policy's: missing-security-headers, spf-dkim, "
		    "scanner-report, theoretical, social-engineering, "
		    "reflected-file-download, physical-access, weak-tls, mitm, "
		    "self-attack, dos, brute-force, dnssec");
	cmd_refused(
		f, al_vault_status(f->v, ID_A, "out-of-scope", &none, &m, &err),
		AL_EINVAL, "out-of-scope needs --reason ID");
	assert_int_equal(
		al_vault_status(f->v, ID_A, "out-of-scope", &ok, &m, &err), 0);
	assert_int_equal(m.to, AL_STATE_OUT_OF_SCOPE);
	assert_string_equal(col_str(f, ID_A, "reason"), "scanner-report");
	assert_true(col_int(f, ID_A, "closed_t") != NUL);
}

/* al_triage.h: AL_EINVAL for "a missing or bad version". */
static void test_triage__vault_status_fixed_needs_a_version(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_status_opts o = {0};
	struct al_move m;
	int64_t n0;

	rated_at(f, ID_A, T_PAST, "high", 30);
	move_at(f, T_PAST + DAY, ID_A, "triaged", "fixing");
	n0 = nevents(f);
	cmd_refused(f, al_vault_status(f->v, ID_A, "fixed", &o, &m, &err),
		    AL_EUSAGE, "fixed needs --version");
}

static void test_triage__vault_status_bad_version(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_status_opts o = {.version = "1.0\n2.0"};
	struct al_move m;
	int64_t n0;

	rated_at(f, ID_A, T_PAST, "high", 30);
	move_at(f, T_PAST + DAY, ID_A, "triaged", "fixing");
	n0 = nevents(f);
	cmd_refused(f, al_vault_status(f->v, ID_A, "fixed", &o, &m, &err),
		    AL_EINVAL, "--version: one line");
	o.version = "2.0.1";
	assert_int_equal(al_vault_status(f->v, ID_A, "fixed", &o, &m, &err), 0);
	assert_int_equal(m.to, AL_STATE_FIXED);
	assert_string_equal(col_str(f, ID_A, "fixed_version"), "2.0.1");
	assert_int_equal(m.fix_due, 0);
	assert_true(col_int(f, ID_A, "fix_due") != NUL);
}

static void test_triage__vault_status_version_goes_with_fixed(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_status_opts o = {.version = "1.0"};
	struct al_move m;
	int64_t n0;

	rated_at(f, ID_A, T_PAST, "high", 30);
	n0 = nevents(f);
	cmd_refused(f, al_vault_status(f->v, ID_A, "fixing", &o, &m, &err),
		    AL_EUSAGE, "--version goes with fixed only");
}

static void test_triage__vault_status_duplicate_self(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_status_opts none = {0}, ok = {.of = ID_A};
	char original[40];
	struct al_move m;
	int64_t n0;

	import_at(f, ID_A, T_PAST);
	import_at(f, ID_B, T_PAST);
	n0 = nevents(f);
	cmd_refused(f, al_vault_dup(f->v, ID_A, ID_A, original, &err),
		    AL_EINVAL, "cannot duplicate itself");
	cmd_refused(f,
		    al_vault_status(f->v, ID_B, "duplicate", &none, &m, &err),
		    AL_EINVAL, "has no duplicate decision: record it first");
	cmd_refused(f, al_vault_status(f->v, ID_B, "spam", &ok, &m, &err),
		    AL_EUSAGE, "--of goes with duplicate only");
	cmd_refused(f, al_vault_dup(f->v, ID_A, ID_B, original, &err),
		    AL_EINVAL, "the earlier report is the original");
	assert_int_equal(al_vault_dup(f->v, ID_B, ID_A, original, &err), 0);
	assert_string_equal(original, ID_A);
	assert_string_equal(col_str(f, ID_B, "duplicate_of"), ID_A);
	assert_string_equal(col_str(f, ID_B, "state"), "new");
	assert_int_equal(
		al_vault_status(f->v, ID_B, "duplicate", &none, &m, &err), 0);
	assert_string_equal(col_str(f, ID_B, "duplicate_of"), ID_A);
	/* closed unseen: acknowledged then */
	assert_int_equal(col_int(f, ID_B, "acked_t"),
			 col_int(f, ID_B, "closed_t"));
}

/* al_dedup.h: an unknown original. */
static void test_triage__vault_status_duplicate_of_unknown(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	char original[40];
	int64_t n0;

	import_at(f, ID_A, T_PAST);
	n0 = nevents(f);
	cmd_refused(f, al_vault_dup(f->v, ID_A, ID_X, original, &err),
		    AL_ENOTFOUND, "--of: no report");
}

static void test_triage__vault_status_reopen_needs_a_reason(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_status_opts why = {.reason = "the reporter explained"};
	struct al_move m;
	int64_t n0;

	rated_at(f, ID_A, T_PAST, "critical", 7);
	move_at(f, T_PAST + DAY, ID_A, "triaged", "not-applicable");
	n0 = nevents(f);
	cmd_refused(f,
		    al_vault_status(f->v, ID_A, "acknowledged", NULL, &m, &err),
		    AL_EUSAGE, "reopening it needs --reason");
	cmd_refused(f, al_vault_status(f->v, ID_A, "triaged", &why, &m, &err),
		    AL_EINVAL, "it can move to acknowledged)");
	assert_int_equal(
		al_vault_status(f->v, ID_A, "acknowledged", &why, &m, &err), 0);
	assert_int_equal(m.from, AL_STATE_NOT_APPLICABLE);
	assert_int_equal(m.to, AL_STATE_ACKNOWLEDGED);
	assert_null(col_str(f, ID_A, "rating"));
	assert_int_equal(col_int(f, ID_A, "fix_due"), NUL);
	assert_string_equal(last_kind(f), "status");
}

static void
test_triage__vault_status_acknowledged_of_new_is_an_ack(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_move m;
	json_t *d;

	import_at(f, ID_A, T_PAST);
	assert_int_equal(
		al_vault_status(f->v, ID_A, "acknowledged", NULL, &m, &err), 0);
	assert_string_equal(last_kind(f), "ack");
	assert_int_equal(m.to, AL_STATE_ACKNOWLEDGED);
	d = last_data(f);
	assert_int_equal(json_object_size(d), 2);
	json_decref(d);
}

static void test_triage__vault_status_moves_and_clocks(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_status_opts why = {.reason = "need the crash log"};
	struct al_move m;
	int64_t due;

	import_at(f, ID_A, T_PAST);
	assert_int_equal(al_vault_ack(f->v, ID_A, &m, &err), 0);
	assert_int_equal(
		al_vault_triage(f->v, ID_A, "medium", NULL, NULL, &m, &err), 0);
	due = m.fix_due;
	assert_int_equal(
		al_vault_status(f->v, ID_A, "needs-info", &why, &m, &err), 0);
	assert_int_equal(m.to, AL_STATE_NEEDS_INFO);
	assert_int_equal(m.fix_due, 0);
	assert_int_equal(col_int(f, ID_A, "fix_due"), NUL);
	assert_int_equal(col_int(f, ID_A, "fix_left"),
			 due - col_int(f, ID_A, "state_t"));
	/* the reason is a text, not the reason column */
	assert_null(col_str(f, ID_A, "reason"));
	assert_int_equal(al_vault_status(f->v, ID_A, "triaged", NULL, &m, &err),
			 0);
	assert_true(m.fix_due >= due);
	assert_int_equal(col_int(f, ID_A, "fix_left"), NUL);
}

static void test_triage__vault_note(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	char *text = NULL;
	int64_t seq = -1, n0;
	json_t *d;

	import_at(f, ID_A, T_PAST);
	snapshot(f);
	n0 = nevents(f);
	assert_int_equal(
		al_vault_note(f->v, ID_A, "first line\n\tsecond", &seq, &err),
		0);
	assert_int_equal(seq, n0);
	assert_string_equal(last_kind(f), "note");
	assert_int_equal(rows_changed(f), 0);
	d = last_data(f);
	assert_int_equal(json_object_size(d), 1);
	assert_int_equal(al_db_get_text(f->db,
					json_string_value(json_object_get(
						d, "text_sha256")),
					&text, &err),
			 0);
	assert_string_equal(text, "first line\n\tsecond");
	free(text);
	json_decref(d);
}

static void test_triage__vault_note_refused(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	char *big;
	int64_t n0;

	import_at(f, ID_A, T_PAST);
	n0 = nevents(f);
	cmd_refused(f, al_vault_note(f->v, ID_A, "", NULL, &err), AL_EINVAL,
		    "1 byte to 64 KiB");
	cmd_refused(f, al_vault_note(f->v, ID_A, "bell\a", NULL, &err),
		    AL_EINVAL, "a control character at byte 5");
	cmd_refused(f, al_vault_note(f->v, ID_A, "\xff\xfe", NULL, &err),
		    AL_EINVAL, "UTF-8");
	big = malloc(64 * 1024 + 2);
	assert_non_null(big);
	memset(big, 'n', 64 * 1024 + 1);
	big[64 * 1024 + 1] = '\0';
	cmd_refused(f, al_vault_note(f->v, ID_A, big, NULL, &err), AL_EINVAL,
		    "64 KiB");
	big[64 * 1024] = '\0';
	assert_int_equal(al_vault_note(f->v, ID_A, big, NULL, &err), 0);
	free(big);
	n0 = nevents(f);
	cmd_refused(f, al_vault_note(f->v, ID_X, "hello", NULL, &err),
		    AL_ENOTFOUND, "no report");
}

static void test_triage__vault_triage_json(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_move m;
	struct al_clock c;
	json_t *o, *clock;

	import_at(f, ID_A, T_PAST);
	assert_int_equal(al_vault_ack(f->v, ID_A, &m, &err), 0);
	assert_int_equal(
		al_vault_triage(f->v, ID_A, NULL, CVSS31_CRIT, NULL, &m, &err),
		0);
	assert_int_equal(
		al_vault_triage_json(f->v, ID_A, m.fix_due + 1, &o, &err), 0);
	assert_string_equal(json_string_value(json_object_get(o, "state")),
			    "triaged");
	assert_true(json_real_value(json_object_get(o, "score")) == 9.8);
	assert_string_equal(json_string_value(json_object_get(o, "cvss")),
			    CVSS31_CRIT);
	assert_int_equal(json_integer_value(json_object_get(o, "fix_days")), 7);
	assert_true(json_is_null(json_object_get(o, "fixed")));
	assert_true(json_is_string(json_object_get(o, "triaged")));
	clock = json_object_get(o, "clock");
	assert_string_equal(json_string_value(json_object_get(clock, "kind")),
			    "fix");
	assert_true(json_is_true(json_object_get(clock, "overdue")));
	assert_int_equal(
		json_integer_value(json_object_get(clock, "left_seconds")), -1);
	json_decref(o);
	assert_int_equal(al_vault_clock(f->v, ID_A, m.fix_due, &c, &err), 0);
	assert_int_equal(c.kind, AL_CLOCK_FIX);
	assert_false(c.overdue);
	assert_int_equal(al_vault_clock(f->v, ID_X, m.fix_due, &c, &err),
			 AL_ENOTFOUND);
	assert_non_null(strstr(err.msg, "no report"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_triage__state_names_round_trip),
		T(test_triage__unknown_state_names),
		T(test_triage__closing_states),
		T(test_triage__moves_table),
		T(test_triage__moves_text),
		T(test_triage__moves_text_small_buffer),
		T(test_triage__clock_ack_due_72_hours_after_import),
		T(test_triage__clock_ack_overdue_one_second_late),
		T(test_triage__clock_ack_hours_from_the_policy),
		T(test_triage__clock_fix_in_triaged_and_fixing),
		T(test_triage__clock_paused_in_needs_info),
		T(test_triage__clock_none_when_nothing_runs),
		T(test_triage__clock_kind_names),
		T(test_triage__import_starts_new),
		T(test_triage__ack_sets_acked_and_state_times),
		T(test_triage__first_triage_starts_the_fix_clock),
		T(test_triage__fix_days_as_the_event_recorded),
		T(test_triage__needs_info_pauses_the_fix_clock),
		T(test_triage__triaged_again_resumes_the_clock),
		T(test_triage__needs_info_when_overdue_keeps_it_overdue),
		T(test_triage__rating_change_restarts_the_clock),
		T(test_triage__rating_change_in_needs_info_stays_paused),
		T(test_triage__rating_change_in_fixing),
		T(test_triage__cvss_kept_with_its_score),
		T(test_triage__same_rating_other_cvss_keeps_the_clock),
		T(test_triage__fixed_keeps_the_deadline),
		T(test_triage__closing_stops_every_clock),
		T(test_triage__closed_unseen_counts_as_acknowledged),
		T(test_triage__reopen_clears_the_triage),
		T(test_triage__reopen_out_of_scope_clears_reason),
		T(test_triage__duplicate_names_the_original),
		T(test_triage__out_of_scope_keeps_the_reason_id),
		T(test_triage__status_with_a_free_reason),
		T(test_triage__note_changes_nothing),
		T(test_triage__reply_changes_nothing),
		T(test_triage__forged_from_not_the_state),
		T(test_triage__forged_from_or_to_not_a_state),
		T(test_triage__forged_moves_not_allowed),
		T(test_triage__forged_move_from_disclosed),
		T(test_triage__forged_version_rules),
		T(test_triage__forged_out_of_scope_without_reason),
		T(test_triage__forged_duplicate_rules),
		T(test_triage__forged_reopen_without_reason),
		T(test_triage__forged_text_not_kept),
		T(test_triage__forged_triage_fields),
		T(test_triage__forged_cvss_not_a_vector),
		T(test_triage__forged_score_not_its_vectors),
		T(test_triage__forged_triage_reason_rules),
		T(test_triage__forged_triage_state),
		T(test_triage__forged_ack_of_a_report_not_new),
		T(test_triage__forged_reply),
		T(test_triage__forged_unknown_report),
		T(test_triage__forged_extra_keys),
		T(test_triage__forged_kind_is_checked_on_rebuild),
		T(test_triage__rebuild_gives_the_same_rows),
		T(test_triage__vault_ack),
		T(test_triage__vault_ack_refused),
		T(test_triage__vault_ack_twice_says_so),
		T(test_triage__vault_triage_rating),
		T(test_triage__vault_triage_new_says_ack_first),
		T(test_triage__vault_triage_rating_xor_cvss),
		T(test_triage__vault_triage_cvss31),
		T(test_triage__vault_triage_cvss40),
		T(test_triage__vault_triage_cvss40_medium),
		T(test_triage__vault_triage_zero_score_refused),
		T(test_triage__vault_rating_change_needs_a_reason),
		T(test_triage__vault_triage_fixed_names_the_moves),
		T(test_triage__vault_triage_closed_refused),
		T(test_triage__vault_status_names_the_moves),
		T(test_triage__vault_status_triaging_needs_a_rating),
		T(test_triage__vault_status_out_of_scope),
		T(test_triage__vault_status_fixed_needs_a_version),
		T(test_triage__vault_status_bad_version),
		T(test_triage__vault_status_version_goes_with_fixed),
		T(test_triage__vault_status_duplicate_self),
		T(test_triage__vault_status_duplicate_of_unknown),
		T(test_triage__vault_status_reopen_needs_a_reason),
		T(test_triage__vault_status_acknowledged_of_new_is_an_ack),
		T(test_triage__vault_status_moves_and_clocks),
		T(test_triage__vault_note),
		T(test_triage__vault_note_refused),
		T(test_triage__vault_triage_json),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
