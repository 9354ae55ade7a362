/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Triage: a report's states, the moves between them, and the policy's
 * clocks.  Each move is one event; the reports table follows the events
 * (al_triage_apply, called by al_state_apply as each event is appended
 * and again by audit's rebuild), so the clocks are what the ledger says.
 * The commands check a move with the user's words first (the allowed
 * moves named); apply checks it again as an auditor would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "al_cvss.h"
#include "al_hash.h"
#include "al_ledger.h"
#include "al_text.h"
#include "al_time.h"
#include "al_dedup.h"
#include "al_triage.h"
#include "al_uuid.h"

#define DAY          86400
#define NONE         INT64_MIN
#define REASON_MAX   500
#define NOTE_MAX     (64 * 1024)
#define VERSION_MAX  100
#define FIX_DAYS_MAX 3650

static const char *const state_names[AL_STATE_COUNT] = {
	"new",          "acknowledged", "triaged",        "needs-info",
	"fixing",       "fixed",        "disclosed",      "duplicate",
	"out-of-scope", "informative",  "not-applicable", "not-reproducible",
	"spam",         "withdrawn",
};

const char *al_report_state_name(enum al_report_state s)
{
	return (unsigned)s < AL_STATE_COUNT ? state_names[s] : NULL;
}

int al_report_state_from_name(const char *name)
{
	for (int i = 0; name && i < AL_STATE_COUNT; i++)
		if (!strcmp(name, state_names[i]))
			return i;
	return -1;
}

bool al_report_state_closing(enum al_report_state s)
{
	return s >= AL_STATE_DUPLICATE && s < AL_STATE_COUNT;
}

#define BIT(s) (1u << (s))
#define CLOSING                                                     \
	(BIT(AL_STATE_DUPLICATE) | BIT(AL_STATE_OUT_OF_SCOPE) |     \
	 BIT(AL_STATE_INFORMATIVE) | BIT(AL_STATE_NOT_APPLICABLE) | \
	 BIT(AL_STATE_NOT_REPRODUCIBLE) | BIT(AL_STATE_SPAM) |      \
	 BIT(AL_STATE_WITHDRAWN))

unsigned al_report_state_moves(enum al_report_state from)
{
	switch (from) {
	case AL_STATE_NEW:
		return BIT(AL_STATE_ACKNOWLEDGED) | CLOSING;
	case AL_STATE_ACKNOWLEDGED:
		return BIT(AL_STATE_TRIAGED) | CLOSING;
	case AL_STATE_TRIAGED:
		return BIT(AL_STATE_NEEDS_INFO) | BIT(AL_STATE_FIXING) |
		       CLOSING;
	case AL_STATE_NEEDS_INFO:
		return BIT(AL_STATE_TRIAGED) | CLOSING;
	case AL_STATE_FIXING:
		return BIT(AL_STATE_FIXED) | CLOSING;
	case AL_STATE_FIXED:
		return BIT(AL_STATE_DISCLOSED);
	case AL_STATE_DISCLOSED:
	case AL_STATE_COUNT:
		return 0;
	default:
		return al_report_state_closing(from)
			       ? BIT(AL_STATE_ACKNOWLEDGED)
			       : 0;
	}
}

void al_report_state_moves_text(enum al_report_state from, char *out,
				size_t outsz)
{
	unsigned m = al_report_state_moves(from);
	size_t n = 0;

	if (!outsz)
		return;
	out[0] = '\0';
	for (int i = 0; i < AL_STATE_COUNT; i++) {
		int w;

		if (!(m & BIT(i)))
			continue;
		w = snprintf(out + n, outsz - n, "%s%s", n ? ", " : "",
			     state_names[i]);
		if (w < 0 || (size_t)w >= outsz - n)
			return;
		n += (size_t)w;
	}
	if (!n)
		snprintf(out, outsz, "nothing");
}

/* ---- clocks ---- */

const char *al_clock_kind_name(enum al_clock_kind k)
{
	static const char *const names[] = {"none", "ack", "fix", "paused"};

	return (unsigned)k < 4 ? names[k] : "none";
}

void al_clock_at(const struct al_clock_input *in, const struct al_policy *p,
		 int64_t now, struct al_clock *out)
{
	memset(out, 0, sizeof(*out));
	switch (in->state) {
	case AL_STATE_NEW:
		out->kind = AL_CLOCK_ACK;
		out->due = in->imported_t + (int64_t)p->ack_hours * 3600;
		break;
	case AL_STATE_TRIAGED:
	case AL_STATE_FIXING:
		if (!in->fix_due)
			return;
		out->kind = AL_CLOCK_FIX;
		out->due = in->fix_due;
		break;
	case AL_STATE_NEEDS_INFO:
		out->kind = AL_CLOCK_PAUSED;
		out->left = in->fix_left;
		return;
	default:
		return;
	}
	out->left = out->due - now;
	out->overdue = now > out->due;
}

/* ---- the row a move changes ---- */

struct row {
	enum al_report_state state;
	int64_t state_t, acked_t, triaged_t, rated_t, score, fix_days;
	int64_t fix_due, fix_left, fixed_t, closed_t, imported_t;
	char rating[16], cvss[192], fixed_version[VERSION_MAX + 1];
	char reason[128], duplicate_of[40];
};

#define ROW_COLUMNS                                                        \
	"state, state_t, acked_t, triaged_t, rated_t, score, fix_days, "   \
	"fix_due, fix_left, fixed_t, closed_t, imported_t, rating, cvss, " \
	"fixed_version, reason, duplicate_of"

static int64_t col_int(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL
		       ? NONE
		       : sqlite3_column_int64(st, i);
}

static void col_text(sqlite3_stmt *st, int i, char *out, size_t outsz)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	snprintf(out, outsz, "%s", s ? s : "");
}

/* AL_ENOTFOUND (no message) when there is no such report. */
static int row_load(sqlite3 *db, const char *id, struct row *r,
		    struct al_error *err)
{
	sqlite3_stmt *st;
	int rc, s;

	memset(r, 0, sizeof(*r));
	if (sqlite3_prepare_v2(db,
			       "SELECT " ROW_COLUMNS " FROM reports WHERE "
			       "id = ?",
			       -1, &st, NULL))
		return al_db_fail(db, "reading the report", err);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		rc = AL_ENOTFOUND;
	} else if (rc != SQLITE_ROW) {
		rc = al_db_fail(db, "reading the report", err);
	} else {
		s = al_report_state_from_name(
			(const char *)sqlite3_column_text(st, 0));
		r->state = s < 0 ? AL_STATE_COUNT : (enum al_report_state)s;
		r->state_t = col_int(st, 1);
		r->acked_t = col_int(st, 2);
		r->triaged_t = col_int(st, 3);
		r->rated_t = col_int(st, 4);
		r->score = col_int(st, 5);
		r->fix_days = col_int(st, 6);
		r->fix_due = col_int(st, 7);
		r->fix_left = col_int(st, 8);
		r->fixed_t = col_int(st, 9);
		r->closed_t = col_int(st, 10);
		r->imported_t = col_int(st, 11);
		col_text(st, 12, r->rating, sizeof(r->rating));
		col_text(st, 13, r->cvss, sizeof(r->cvss));
		col_text(st, 14, r->fixed_version, sizeof(r->fixed_version));
		col_text(st, 15, r->reason, sizeof(r->reason));
		col_text(st, 16, r->duplicate_of, sizeof(r->duplicate_of));
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

static void bind_int(sqlite3_stmt *st, int i, int64_t v)
{
	if (v == NONE)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

static void bind_str(sqlite3_stmt *st, int i, const char *s)
{
	if (*s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static int row_store(sqlite3 *db, const char *id, const struct row *r,
		     struct al_error *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(
		    db,
		    "UPDATE reports SET state = ?2, state_t = ?3, acked_t = "
		    "?4, "
		    "triaged_t = ?5, rated_t = ?6, score = ?7, fix_days = ?8, "
		    "fix_due = ?9, fix_left = ?10, fixed_t = ?11, closed_t = "
		    "?12, rating = ?13, cvss = ?14, fixed_version = ?15, "
		    "reason = ?16, duplicate_of = ?17 WHERE id = ?1",
		    -1, &st, NULL))
		return al_db_fail(db, "recording the move", err);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, state_names[r->state], -1, SQLITE_STATIC);
	bind_int(st, 3, r->state_t);
	bind_int(st, 4, r->acked_t);
	bind_int(st, 5, r->triaged_t);
	bind_int(st, 6, r->rated_t);
	bind_int(st, 7, r->score);
	bind_int(st, 8, r->fix_days);
	bind_int(st, 9, r->fix_due);
	bind_int(st, 10, r->fix_left);
	bind_int(st, 11, r->fixed_t);
	bind_int(st, 12, r->closed_t);
	bind_str(st, 13, r->rating);
	bind_str(st, 14, r->cvss);
	bind_str(st, 15, r->fixed_version);
	bind_str(st, 16, r->reason);
	bind_str(st, 17, r->duplicate_of);
	if (sqlite3_step(st) != SQLITE_DONE || sqlite3_changes(db) != 1)
		rc = al_db_fail(db, "recording the move", err);
	sqlite3_finalize(st);
	return rc;
}

/* ---- applying an event ---- */

bool al_triage_kind(const char *kind)
{
	static const char *const kinds[] = {"ack",  "triage", "status",
					    "note", "reply",  "duplicate",
					    "undup"};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kind, kinds[i]))
			return true;
	return false;
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

static bool is_hex64(const char *s)
{
	if (!s || strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* Is sql's one row there, ?1 bound to a? */
static int exists(sqlite3 *db, const char *sql, const char *a, bool *out,
		  struct al_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL))
		return al_db_fail(db, "reading", err);
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return al_db_fail(db, "reading", err);
	*out = rc == SQLITE_ROW;
	return 0;
}

/* A hash the event names must be a text the vault keeps. */
static int text_kept(sqlite3 *db, int64_t seq, const char *kind,
		     const char *sha, struct al_error *err)
{
	bool found;
	int rc;

	if (!is_hex64(sha))
		return bad(err, seq, kind, "a text's hash is not SHA-256 hex");
	if ((rc = exists(db, "SELECT 1 FROM texts WHERE sha256 = ?1", sha,
			 &found, err)))
		return rc;
	return found ? 0
		     : bad(err, seq, kind,
			   "its text is not in the texts "
			   "table");
}

/* Only these keys, each once (jansson keeps one of a repeated key, and
 * the canonical bytes were checked already). */
static bool only_keys(const json_t *data, const char *const *keys)
{
	const char *k;
	json_t *val;

	json_object_foreach((json_t *)data, k, val)
	{
		bool ok = false;

		(void)val;
		for (size_t i = 0; keys[i] && !ok; i++)
			ok = !strcmp(k, keys[i]);
		if (!ok)
			return false;
	}
	return true;
}

static bool one_line(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	return n && n <= max && al_utf8_valid(s, n) &&
	       !al_text_has_control(s, n);
}

/* The effect of a move on the clocks (docs/triage.md "Clocks"). */
static void move_to(struct row *r, enum al_report_state to, int64_t t)
{
	enum al_report_state from = r->state;

	if (from == to)
		return;
	if (from == AL_STATE_NEW && r->acked_t == NONE)
		r->acked_t = t;
	if (to == AL_STATE_NEEDS_INFO && r->fix_due != NONE) {
		r->fix_left = r->fix_due - t;
		r->fix_due = NONE;
	} else if (from == AL_STATE_NEEDS_INFO && to == AL_STATE_TRIAGED &&
		   r->fix_left != NONE) {
		r->fix_due = t + r->fix_left;
		r->fix_left = NONE;
	} else if (to == AL_STATE_FIXED) {
		r->fixed_t = t;
	} else if (al_report_state_closing(to)) {
		r->closed_t = t;
		r->fix_due = r->fix_left = NONE;
	} else if (al_report_state_closing(from)) {
		/* reopened: acknowledged again, to be triaged anew */
		r->closed_t = r->rated_t = r->score = r->fix_days = NONE;
		r->fix_due = r->fix_left = NONE;
		r->rating[0] = r->cvss[0] = '\0';
		r->reason[0] = r->duplicate_of[0] = '\0';
	}
	r->state = to;
	r->state_t = t;
}

static int apply_triage(sqlite3 *db, int64_t seq, struct row *r,
			enum al_report_state to, int64_t t, const json_t *data,
			struct al_error *err)
{
	static const char *const keys[] = {"from",          "to",   "rating",
					   "fix_days",      "cvss", "score",
					   "reason_sha256", NULL};
	const char *rating = str(data, "rating"), *cvss = str(data, "cvss");
	const json_t *days = json_object_get(data, "fix_days");
	const json_t *score = json_object_get(data, "score");
	const char *reason = str(data, "reason_sha256");
	bool first = r->state == AL_STATE_ACKNOWLEDGED, changed;
	int rc;

	if (!only_keys(data, keys) || al_rating_from_name(rating) < 0 ||
	    !json_is_integer(days) || json_integer_value(days) < 1 ||
	    json_integer_value(days) > FIX_DAYS_MAX || !cvss != !score ||
	    (score &&
	     (!json_is_integer(score) || json_integer_value(score) < 1 ||
	      json_integer_value(score) > 100)) ||
	    (cvss && strlen(cvss) >= sizeof(r->cvss)))
		return bad(err, seq, "triage",
			   "its rating, fix_days, cvss or score is malformed");
	if (cvss) {
		struct al_cvss c;
		struct al_error e;

		if (al_cvss_parse(cvss, &c, &e) || strcmp(c.vector, cvss) ||
		    c.score10 != json_integer_value(score) ||
		    strcmp(c.rating, rating))
			return bad(err, seq, "triage",
				   "its cvss is not a vector with that score "
				   "and rating");
	}
	if (first ? to != AL_STATE_TRIAGED
		  : (to != r->state || (r->state != AL_STATE_TRIAGED &&
					r->state != AL_STATE_NEEDS_INFO &&
					r->state != AL_STATE_FIXING)))
		return bad(err, seq, "triage",
			   "a report in this state cannot be triaged");
	if (first ? reason != NULL : reason == NULL)
		return bad(err, seq, "triage",
			   first ? "a first triage has no reason"
				 : "a rating change must name its reason");
	if (reason && (rc = text_kept(db, seq, "triage", reason, err)))
		return rc;
	changed = strcmp(r->rating, rating) != 0;
	move_to(r, to, t);
	snprintf(r->rating, sizeof(r->rating), "%s", rating);
	snprintf(r->cvss, sizeof(r->cvss), "%s", cvss ? cvss : "");
	r->score = score ? json_integer_value(score) : NONE;
	if (!changed && !first)
		return 0;
	r->fix_days = json_integer_value(days);
	r->rated_t = t;
	if (r->triaged_t == NONE)
		r->triaged_t = t;
	if (r->state == AL_STATE_NEEDS_INFO) {
		r->fix_left = r->fix_days * DAY;
		r->fix_due = NONE;
	} else {
		r->fix_due = t + r->fix_days * DAY;
		r->fix_left = NONE;
	}
	return 0;
}

static int apply_status(sqlite3 *db, int64_t seq, struct row *r,
			const char *report, enum al_report_state to, int64_t t,
			const json_t *data, struct al_error *err)
{
	static const char *const keys[] = {
		"from", "to", "reason", "reason_sha256", "version", "of", NULL};
	const char *id = str(data, "reason"),
		   *text = str(data, "reason_sha256");
	const char *version = str(data, "version"), *of = str(data, "of");
	bool found;
	int rc;

	if (!only_keys(data, keys) || to == r->state ||
	    !(al_report_state_moves(r->state) & BIT(to)) ||
	    (r->state == AL_STATE_ACKNOWLEDGED && to == AL_STATE_TRIAGED))
		return bad(err, seq, "status",
			   "it makes a move the report's state does not "
			   "allow");
	if ((to == AL_STATE_FIXED) != (version != NULL) ||
	    (version && !one_line(version, VERSION_MAX)))
		return bad(err, seq, "status",
			   "a move to fixed, and only that, names a version");
	if ((to == AL_STATE_OUT_OF_SCOPE) != (id != NULL) ||
	    (id && !one_line(id, sizeof(r->reason) - 1)))
		return bad(err, seq, "status",
			   "a move to out-of-scope, and only that, names a "
			   "reason id");
	if ((to == AL_STATE_DUPLICATE) != (of != NULL) ||
	    (of &&
	     (strlen(of) >= sizeof(r->duplicate_of) || !strcmp(of, report))))
		return bad(err, seq, "status",
			   "a move to duplicate, and only that, names "
			   "another report");
	if (al_report_state_closing(r->state) && !text)
		return bad(err, seq, "status",
			   "reopening a report must name its reason");
	if (*r->duplicate_of && of && strcmp(of, r->duplicate_of))
		return bad(err, seq, "status",
			   "it names another original than the report's "
			   "duplicate decision");
	if (*r->duplicate_of && !of && al_report_state_closing(to))
		return bad(err, seq, "status",
			   "a report recorded as a duplicate closes as "
			   "duplicate only");
	if (of) {
		if ((rc = exists(db, "SELECT 1 FROM reports WHERE id = ?1", of,
				 &found, err)))
			return rc;
		if (!found)
			return bad(err, seq, "status",
				   "it names a report the ledger does not "
				   "have");
	}
	/* without a decision: only a report imported before "duplicate"
	 * events (schema 4: it has no sketch), and its original must not be
	 * a duplicate itself */
	if (of && !*r->duplicate_of) {
		if ((rc = exists(db,
				 "SELECT 1 FROM dedup_docs WHERE report = ?1 "
				 "AND sketch IS NOT NULL",
				 report, &found, err)))
			return rc;
		if (found)
			return bad(err, seq, "status",
				   "a move to duplicate follows a duplicate "
				   "decision");
		if ((rc = exists(db,
				 "SELECT 1 FROM reports WHERE id = ?1 AND "
				 "state = 'duplicate'",
				 of, &found, err)))
			return rc;
		if (found)
			return bad(err, seq, "status",
				   "it names a report that is itself a "
				   "duplicate");
	}
	if (text && (rc = text_kept(db, seq, "status", text, err)))
		return rc;
	move_to(r, to, t);
	if (version)
		snprintf(r->fixed_version, sizeof(r->fixed_version), "%s",
			 version);
	if (id)
		snprintf(r->reason, sizeof(r->reason), "%s", id);
	if (of)
		snprintf(r->duplicate_of, sizeof(r->duplicate_of), "%s", of);
	return 0;
}

int al_triage_check_policy(const struct al_policy *p, int64_t seq,
			   const char *kind, const json_t *data,
			   struct al_error *err)
{
	const char *rating = str(data, "rating"), *id = str(data, "reason");
	int rt = al_rating_from_name(rating);
	char msg[160];

	if (!strcmp(kind, "triage") && rt >= 0 &&
	    json_integer_value(json_object_get(data, "fix_days")) !=
		    (json_int_t)p->fix_days[rt]) {
		snprintf(msg, sizeof(msg),
			 "its fix_days are not the policy's %u for %s",
			 p->fix_days[rt], rating);
		return bad(err, seq, kind, msg);
	}
	if (!strcmp(kind, "status") && id) {
		for (size_t i = 0; i < p->nout_of_scope; i++)
			if (!strcmp(id, p->out_of_scope[i].id))
				return 0;
		return bad(err, seq, kind,
			   "its reason is not one of the policy's "
			   "out_of_scope ids");
	}
	return 0;
}

static int apply_reply(sqlite3 *db, int64_t seq, const char *report,
		       const struct row *r, const json_t *data,
		       struct al_error *err)
{
	static const char *const keys[] = {"sha256", "state", "proof", NULL};
	const json_t *proof = json_object_get(data, "proof");
	const char *state = str(data, "state");

	if (!only_keys(data, keys) || !is_hex64(str(data, "sha256")) ||
	    !(json_is_null(proof) ||
	      (json_is_integer(proof) && json_integer_value(proof) >= 0)))
		return bad(err, seq, "reply",
			   "its sha256, state or proof is malformed");
	if (!state || strcmp(state, state_names[r->state]))
		return bad(err, seq, "reply",
			   "the state it names is not the report's");
	if (json_is_integer(proof)) {
		sqlite3_stmt *st;
		int rc;

		if (sqlite3_prepare_v2(db,
				       "SELECT 1 FROM events WHERE seq = ? AND "
				       "kind = 'import' AND report = ?",
				       -1, &st, NULL))
			return al_db_fail(db, "reading the log", err);
		sqlite3_bind_int64(st, 1, json_integer_value(proof));
		sqlite3_bind_text(st, 2, report, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			return bad(err, seq, "reply",
				   "its proof is not of an import of its "
				   "report");
		if (rc != SQLITE_ROW)
			return al_db_fail(db, "reading the log", err);
	}
	return 0;
}

/* Is a imported before b (their first imports' event numbers)? */
static int earlier(sqlite3 *db, const char *a, const char *b, bool *out,
		   struct al_error *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	*out = false;
	if (sqlite3_prepare_v2(
		    db,
		    "SELECT (SELECT imported FROM reports WHERE id = "
		    "?1) < (SELECT imported FROM reports WHERE id = "
		    "?2)",
		    -1, &st, NULL))
		return al_db_fail(db, "reading the report", err);
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0) == 1;
	else
		rc = al_db_fail(db, "reading the report", err);
	sqlite3_finalize(st);
	return rc;
}

/* "duplicate": report duplicates "of", an earlier report that is not a
 * duplicate itself; the report has no decision and is not closed. */
static int apply_duplicate(sqlite3 *db, int64_t seq, const char *report,
			   struct row *r, const json_t *data,
			   struct al_error *err)
{
	static const char *const keys[] = {"of", NULL};
	const char *of = str(data, "of");
	struct row o;
	bool before = false;
	int rc;

	if (!only_keys(data, keys) || !of ||
	    strlen(of) >= sizeof(r->duplicate_of) || !strcmp(of, report))
		return bad(err, seq, "duplicate",
			   "its data does not name another report as of");
	if (*r->duplicate_of || al_report_state_closing(r->state))
		return bad(err, seq, "duplicate",
			   "its report has a decision already or is closed");
	rc = row_load(db, of, &o, err);
	if (rc == AL_ENOTFOUND)
		return bad(err, seq, "duplicate",
			   "it names a report the ledger does not have");
	if (rc || (rc = earlier(db, of, report, &before, err)))
		return rc;
	if (!before)
		return bad(err, seq, "duplicate",
			   "its original is not earlier in the ledger");
	if (*o.duplicate_of)
		return bad(err, seq, "duplicate",
			   "its original is recorded as a duplicate itself");
	snprintf(r->duplicate_of, sizeof(r->duplicate_of), "%s", of);
	return 0;
}

/* "undup": the decision is taken back; closed as duplicate, the report is
 * reopened (acknowledged). */
static int apply_undup(sqlite3 *db, int64_t seq, struct row *r, int64_t t,
		       const json_t *data, struct al_error *err)
{
	static const char *const keys[] = {"of", "from", "to", "reason_sha256",
					   NULL};
	const char *of = str(data, "of"), *text = str(data, "reason_sha256");
	int f = al_report_state_from_name(str(data, "from")),
	    to = al_report_state_from_name(str(data, "to"));
	int rc;

	if (!only_keys(data, keys) || !of || strcmp(of, r->duplicate_of) ||
	    !*r->duplicate_of)
		return bad(err, seq, "undup",
			   "its report is not recorded as a duplicate of of");
	if (f != (int)r->state ||
	    to != (int)(r->state == AL_STATE_DUPLICATE ? AL_STATE_ACKNOWLEDGED
						       : r->state))
		return bad(err, seq, "undup",
			   "its from or to is not the report's move");
	if (text && (rc = text_kept(db, seq, "undup", text, err)))
		return rc;
	move_to(r, (enum al_report_state)to, t);
	r->duplicate_of[0] = '\0';
	return 0;
}

int al_triage_apply(sqlite3 *db, int64_t seq, const char *kind,
		    const char *report, int64_t at, const json_t *data,
		    struct al_error *err)
{
	static const char *const note_keys[] = {"text_sha256", NULL};
	const char *from = str(data, "from"), *to = str(data, "to");
	int f = al_report_state_from_name(from),
	    t = al_report_state_from_name(to);
	struct row r;
	bool moves = strcmp(kind, "note") && strcmp(kind, "reply");
	int rc;

	if (!report)
		return bad(err, seq, kind, "it names no report");
	rc = row_load(db, report, &r, err);
	if (rc == AL_ENOTFOUND)
		return bad(err, seq, kind,
			   "it names a report the ledger does not have");
	if (rc)
		return rc;
	if (r.state == AL_STATE_COUNT)
		return bad(err, seq, kind, "its report's state is unknown");
	if (!strcmp(kind, "note")) {
		if (!only_keys(data, note_keys))
			return bad(err, seq, kind, "its data has other keys");
		return text_kept(db, seq, kind, str(data, "text_sha256"), err);
	}
	if (!moves)
		return apply_reply(db, seq, report, &r, data, err);
	if (!strcmp(kind, "duplicate") || !strcmp(kind, "undup")) {
		rc = !strcmp(kind, "duplicate")
			     ? apply_duplicate(db, seq, report, &r, data, err)
			     : apply_undup(db, seq, &r, at, data, err);
		return rc ? rc : row_store(db, report, &r, err);
	}
	if (f < 0 || t < 0)
		return bad(err, seq, kind, "its from or to is not a state");
	if ((enum al_report_state)f != r.state)
		return bad(err, seq, kind,
			   "it moves from a state the report is not in");
	if (!strcmp(kind, "ack")) {
		static const char *const keys[] = {"from", "to", NULL};

		if (!only_keys(data, keys) || f != AL_STATE_NEW ||
		    t != AL_STATE_ACKNOWLEDGED)
			return bad(err, seq, kind,
				   "it is not new -> acknowledged");
		move_to(&r, AL_STATE_ACKNOWLEDGED, at);
	} else if (!strcmp(kind, "triage")) {
		rc = apply_triage(db, seq, &r, (enum al_report_state)t, at,
				  data, err);
	} else {
		rc = apply_status(db, seq, &r, report, (enum al_report_state)t,
				  at, data, err);
	}
	if (rc)
		return rc;
	return row_store(db, report, &r, err);
}

/* ---- the commands' side ---- */

/* Keep text in the texts table after a random first line (so its hash,
 * which the event carries into the auditor's export, confirms no guess);
 * its hash to sha. */
static int keep_text(sqlite3 *db, const char *text, char sha[AL_SHA256_HEX],
		     struct al_error *err)
{
	char salt[AL_UUID_LEN], *salted = NULL;
	int rc;

	if ((rc = al_uuid_v4(salt, err)))
		return rc;
	if (asprintf(&salted, "%s\n%s", salt, text) < 0)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	al_sha256_hex(salted, strlen(salted), sha);
	rc = al_db_put_text(db, sha, salted, err);
	free(salted);
	return rc;
}

static int check_reason(const char *reason, struct al_error *err)
{
	if (!one_line(reason, REASON_MAX))
		return al_error_set(err, AL_EUSAGE,
				    "--reason: one line of text, 1 to %d "
				    "bytes, no control character",
				    REASON_MAX);
	return 0;
}

static int refuse_move(const char *id, enum al_report_state from,
		       const char *to, struct al_error *err)
{
	char allowed[256];

	al_report_state_moves_text(from, allowed, sizeof(allowed));
	return al_error_set(err, AL_EINVAL,
			    "report %.8s is %s: it cannot move to %s (it can "
			    "move to %s)",
			    id, state_names[from], to, allowed);
}

/* Append event kind for report id with data, apply it, fill out, commit:
 * the caller holds the transaction and gives up data. */
static int record(struct al_vault *v, const char *kind, const char *id,
		  json_t *data, struct al_move *out, struct al_error *err)
{
	struct row r;
	int64_t now, seq = -1;
	int rc;

	if (!data) {
		rc = al_error_set(err, AL_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = al_vault_event_time(v, &now, err)) ||
	    (rc = al_vault_append(v, now, kind, id, data, &seq, err)) ||
	    (rc = al_state_apply(v->db, seq, err)))
		goto fail;
	if (out) {
		if ((rc = row_load(v->db, id, &r, err)))
			goto fail;
		out->seq = seq;
		out->to = r.state;
		snprintf(out->rating, sizeof(out->rating), "%s", r.rating);
		out->score10 = r.score == NONE ? -1 : (int)r.score;
		out->fix_due = (r.state == AL_STATE_TRIAGED ||
				r.state == AL_STATE_FIXING) &&
					       r.fix_due != NONE
				       ? r.fix_due
				       : 0;
	}
	json_decref(data);
	return al_db_commit(v->db, err);
fail:
	json_decref(data);
	al_db_rollback(v->db);
	return rc;
}

/* Begin, and load report id's row: AL_ENOTFOUND named. */
static int begin(struct al_vault *v, const char *id, struct row *r,
		 struct al_move *out, struct al_error *err)
{
	int rc;

	if (out) {
		memset(out, 0, sizeof(*out));
		out->score10 = -1;
	}
	if ((rc = al_db_begin(v->db, err)))
		return rc;
	rc = row_load(v->db, id, r, err);
	if (rc == AL_ENOTFOUND)
		rc = al_error_set(err, AL_ENOTFOUND, "no report '%.40s'", id);
	if (!rc && r->state == AL_STATE_COUNT)
		rc = al_error_set(err, AL_EINTEGRITY,
				  "report %.8s: its state is unknown (audit "
				  "says more)",
				  id);
	if (rc) {
		al_db_rollback(v->db);
		return rc;
	}
	if (out)
		out->from = out->to = r->state;
	return 0;
}

static int refused(struct al_vault *v, int rc)
{
	al_db_rollback(v->db);
	return rc;
}

int al_vault_ack(struct al_vault *v, const char *id, struct al_move *out,
		 struct al_error *err)
{
	struct row r;
	int rc;

	if ((rc = begin(v, id, &r, out, err)))
		return rc;
	if (r.state != AL_STATE_NEW)
		return refused(v, r.state == AL_STATE_ACKNOWLEDGED
					  ? al_error_set(err, AL_EINVAL,
							 "report %.8s is "
							 "acknowledged already",
							 id)
					  : refuse_move(id, r.state,
							"acknowledged", err));
	return record(
		v, "ack", id,
		json_pack("{s:s, s:s}", "from", "new", "to", "acknowledged"),
		out, err);
}

static int refuse_rating(const char *id, enum al_report_state s,
			 struct al_error *err)
{
	char allowed[256];

	al_report_state_moves_text(s, allowed, sizeof(allowed));
	return al_error_set(err, AL_EINVAL,
			    "report %.8s is %s: only an acknowledged, triaged, "
			    "needs-info or fixing report can be rated (it can "
			    "move to %s)",
			    id, state_names[s], allowed);
}

int al_vault_triage(struct al_vault *v, const char *id, const char *rating,
		    const char *cvss, const char *reason, struct al_move *out,
		    struct al_error *err)
{
	char sha[AL_SHA256_HEX];
	struct al_cvss c;
	struct row r;
	json_t *data;
	int rc, rt;

	if (!rating == !cvss)
		return al_error_set(err, AL_EUSAGE,
				    "give either --rating or --cvss");
	if (cvss) {
		if ((rc = al_cvss_parse(cvss, &c, err)))
			return rc;
		if (c.score10 == 0)
			return al_error_set(err, AL_EINVAL,
					    "cvss: the base score is 0.0 "
					    "(none): not a vulnerability to "
					    "rate; close the report (status "
					    "ID informative) or give --rating");
		rating = c.rating;
	}
	if ((rt = al_rating_from_name(rating)) < 0)
		return al_error_set(err, AL_EINVAL,
				    "--rating: '%.40s' is not critical, high, "
				    "medium or low",
				    rating);
	if (reason && (rc = check_reason(reason, err)))
		return rc;
	if ((rc = begin(v, id, &r, out, err)))
		return rc;
	if (r.state != AL_STATE_ACKNOWLEDGED && r.state != AL_STATE_TRIAGED &&
	    r.state != AL_STATE_NEEDS_INFO && r.state != AL_STATE_FIXING)
		return refused(v, r.state == AL_STATE_NEW
					  ? al_error_set(err, AL_EINVAL,
							 "report %.8s is new: "
							 "acknowledge it first "
							 "(airlock-vault ack "
							 "%.8s)",
							 id, id)
					  : refuse_rating(id, r.state, err));
	if (r.state != AL_STATE_ACKNOWLEDGED) {
		if (!reason)
			return refused(
				v, al_error_set(err, AL_EUSAGE,
						"report %.8s is rated %s "
						"already: a new rating needs "
						"--reason TEXT (it restarts "
						"the fix clock)",
						id, r.rating));
		if (!strcmp(r.rating, rating) &&
		    !strcmp(r.cvss, cvss ? c.vector : ""))
			return refused(v,
				       al_error_set(err, AL_EINVAL,
						    "report %.8s is rated %s "
						    "already, with this vector",
						    id, rating));
		if ((rc = keep_text(v->db, reason, sha, err)))
			return refused(v, rc);
	}
	data = json_pack(
		"{s:s, s:s, s:s, s:I}", "from", state_names[r.state], "to",
		state_names[r.state == AL_STATE_ACKNOWLEDGED ? AL_STATE_TRIAGED
							     : r.state],
		"rating", rating, "fix_days",
		(json_int_t)v->policy.fix_days[rt]);
	if (data && cvss &&
	    (json_object_set_new(data, "cvss", json_string(c.vector)) ||
	     json_object_set_new(data, "score", json_integer(c.score10))))
		data = (json_decref(data), NULL);
	if (data && r.state != AL_STATE_ACKNOWLEDGED &&
	    json_object_set_new(data, "reason_sha256", json_string(sha)))
		data = (json_decref(data), NULL);
	if (out)
		out->rating_changed = strcmp(r.rating, rating) != 0;
	return record(v, "triage", id, data, out, err);
}

/* The status options a move needs, checked with the user's words. */
static int status_opts(struct al_vault *v, const char *id, const struct row *r,
		       enum al_report_state to, const struct al_status_opts *o,
		       struct al_error *err)
{
	const struct al_policy *p = &v->policy;
	int rc;

	if (to == AL_STATE_FIXED ? !o->version : o->version != NULL)
		return al_error_set(err, AL_EUSAGE,
				    to == AL_STATE_FIXED
					    ? "fixed needs --version V: the "
					      "version that carries the fix"
					    : "--version goes with fixed only");
	if (o->version && !one_line(o->version, VERSION_MAX))
		return al_error_set(err, AL_EINVAL,
				    "--version: one line of text, 1 to %d "
				    "bytes, no control character",
				    VERSION_MAX);
	if (to != AL_STATE_DUPLICATE && o->of)
		return al_error_set(err, AL_EUSAGE,
				    "--of goes with duplicate only");
	if (to == AL_STATE_DUPLICATE && !*r->duplicate_of)
		return al_error_set(err, AL_EINVAL,
				    "report %.8s has no duplicate decision: "
				    "record it first with 'airlock-vault dup "
				    "%.8s --of ID2' ('airlock-vault dups %.8s' "
				    "lists candidates)",
				    id, id, id);
	if (*r->duplicate_of && to != AL_STATE_DUPLICATE &&
	    al_report_state_closing(to))
		return al_error_set(err, AL_EINVAL,
				    "report %.8s is recorded as a duplicate of "
				    "%.8s: it closes as duplicate, or 'airlock-"
				    "vault undup %.8s' first",
				    id, r->duplicate_of, id);
	if (o->of && strcmp(o->of, r->duplicate_of)) {
		char root[40];

		if ((rc = al_dedup_original(v->db, o->of, root, err)))
			return rc;
		if (strcmp(root, r->duplicate_of))
			return al_error_set(
				err, AL_EINVAL,
				"--of: report %.8s is recorded as a "
				"duplicate of %.8s, not of %.8s",
				id, r->duplicate_of, o->of);
	}
	if (to == AL_STATE_OUT_OF_SCOPE) {
		char ids[512];
		size_t n = 0;

		for (size_t i = 0; o->reason && i < p->nout_of_scope; i++)
			if (!strcmp(o->reason, p->out_of_scope[i].id))
				return 0;
		ids[0] = '\0';
		for (size_t i = 0; i < p->nout_of_scope && n < sizeof(ids);
		     i++) {
			int w = snprintf(ids + n, sizeof(ids) - n, "%s%s",
					 i ? ", " : "", p->out_of_scope[i].id);

			if (w < 0)
				break;
			n += (size_t)w;
		}
		return al_error_set(err, AL_EINVAL,
				    "out-of-scope needs --reason ID, one of "
				    "the policy's: %s",
				    ids);
	}
	if (al_report_state_closing(r->state) && !o->reason)
		return al_error_set(err, AL_EUSAGE,
				    "report %.8s is %s: reopening it needs "
				    "--reason TEXT",
				    id, state_names[r->state]);
	if (o->reason)
		return check_reason(o->reason, err);
	return 0;
}

int al_vault_status(struct al_vault *v, const char *id, const char *state,
		    const struct al_status_opts *o, struct al_move *out,
		    struct al_error *err)
{
	static const struct al_status_opts none = {0};
	char sha[AL_SHA256_HEX], vis[48];
	int to = al_report_state_from_name(state);
	struct row r;
	json_t *data;
	int rc;

	if (!o)
		o = &none;
	if (to < 0) {
		al_text_visible(state, strlen(state), vis, sizeof(vis));
		return al_error_set(err, AL_EUSAGE,
				    "'%s' is not a state (airlock-vault "
				    "status --help lists them)",
				    vis);
	}
	if (to == AL_STATE_ACKNOWLEDGED && !o->reason && !o->version &&
	    !o->of) {
		/* "status ID acknowledged" of a new report is an ack */
		if ((rc = begin(v, id, &r, out, err)))
			return rc;
		al_db_rollback(v->db);
		if (r.state == AL_STATE_NEW)
			return al_vault_ack(v, id, out, err);
	}
	if ((rc = begin(v, id, &r, out, err)))
		return rc;
	if (to == (int)r.state)
		return refused(v, al_error_set(err, AL_EINVAL,
					       "report %.8s is %s already", id,
					       state_names[r.state]));
	if (!(al_report_state_moves(r.state) & BIT(to)))
		return refused(v, refuse_move(id, r.state, state, err));
	if (r.state == AL_STATE_ACKNOWLEDGED && to == AL_STATE_TRIAGED)
		return refused(v, al_error_set(err, AL_EINVAL,
					       "report %.8s: triaging needs "
					       "a rating: airlock-vault "
					       "triage %.8s --rating R or "
					       "--cvss VECTOR",
					       id, id));
	if ((rc = status_opts(v, id, &r, (enum al_report_state)to, o, err)))
		return refused(v, rc);
	data = json_pack("{s:s, s:s}", "from", state_names[r.state], "to",
			 state_names[to]);
	if (data && o->version &&
	    json_object_set_new(data, "version", json_string(o->version)))
		data = (json_decref(data), NULL);
	if (data && to == AL_STATE_DUPLICATE &&
	    json_object_set_new(data, "of", json_string(r.duplicate_of)))
		data = (json_decref(data), NULL);
	if (data && o->reason && to == AL_STATE_OUT_OF_SCOPE &&
	    json_object_set_new(data, "reason", json_string(o->reason)))
		data = (json_decref(data), NULL);
	if (data && o->reason && to != AL_STATE_OUT_OF_SCOPE) {
		if ((rc = keep_text(v->db, o->reason, sha, err))) {
			json_decref(data);
			return refused(v, rc);
		}
		if (json_object_set_new(data, "reason_sha256",
					json_string(sha)))
			data = (json_decref(data), NULL);
	}
	return record(v, "status", id, data, out, err);
}

int al_vault_note(struct al_vault *v, const char *id, const char *text,
		  int64_t *seq, struct al_error *err)
{
	char sha[AL_SHA256_HEX];
	struct al_move m;
	struct row r;
	size_t n = text ? strlen(text) : 0;
	int rc;

	if (!n || n > NOTE_MAX || !al_utf8_valid(text, n))
		return al_error_set(err, AL_EINVAL,
				    "note: 1 byte to 64 KiB of UTF-8 text");
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)text[i];

		if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f)
			return al_error_set(err, AL_EINVAL,
					    "note: a control character at "
					    "byte %zu (only newlines and "
					    "tabs)",
					    i + 1);
	}
	if ((rc = begin(v, id, &r, &m, err)))
		return rc;
	if ((rc = keep_text(v->db, text, sha, err)))
		return refused(v, rc);
	rc = record(v, "note", id, json_pack("{s:s}", "text_sha256", sha), &m,
		    err);
	if (!rc && seq)
		*seq = m.seq;
	return rc;
}

int al_vault_clock(struct al_vault *v, const char *id, int64_t now,
		   struct al_clock *out, struct al_error *err)
{
	struct al_clock_input in;
	struct row r;
	int rc = row_load(v->db, id, &r, err);

	memset(out, 0, sizeof(*out));
	if (rc == AL_ENOTFOUND)
		return al_error_set(err, AL_ENOTFOUND, "no report '%.40s'", id);
	if (rc)
		return rc;
	in.state = r.state;
	in.imported_t = r.imported_t;
	in.fix_due = r.fix_due == NONE ? 0 : r.fix_due;
	in.fix_left = r.fix_left == NONE ? 0 : r.fix_left;
	al_clock_at(&in, &v->policy, now, out);
	return 0;
}

static json_t *time_or_null(int64_t t)
{
	char when[AL_RFC3339_LEN];

	if (t == NONE)
		return json_null();
	al_time_format(t, when);
	return json_string(when);
}

static json_t *text_or_null(const char *s)
{
	return *s ? json_string(s) : json_null();
}

int al_vault_triage_json(struct al_vault *v, const char *id, int64_t now,
			 json_t **out, struct al_error *err)
{
	struct al_clock c;
	struct row r;
	json_t *o, *clock;
	int rc;

	*out = NULL;
	if ((rc = al_vault_clock(v, id, now, &c, err)))
		return rc;
	if ((rc = row_load(v->db, id, &r, err)))
		return rc == AL_ENOTFOUND
			       ? al_error_set(err, rc, "no report '%.40s'", id)
			       : rc;
	clock = json_pack("{s:s, s:o, s:I, s:b}", "kind",
			  al_clock_kind_name(c.kind), "due",
			  c.kind == AL_CLOCK_ACK || c.kind == AL_CLOCK_FIX
				  ? time_or_null(c.due)
				  : json_null(),
			  "left_seconds", (json_int_t)c.left, "overdue",
			  c.overdue);
	o = json_pack(
		"{s:s?, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
		"s:o, s:o, s:o, s:o, s:o}",
		"state", al_report_state_name(r.state), "since",
		time_or_null(r.state_t), "rating", text_or_null(r.rating),
		"cvss", text_or_null(r.cvss), "score",
		r.score == NONE ? json_null()
				: json_real((double)r.score / 10.0),
		"fix_days",
		r.fix_days == NONE ? json_null() : json_integer(r.fix_days),
		"acknowledged", time_or_null(r.acked_t), "triaged",
		time_or_null(r.triaged_t), "rated", time_or_null(r.rated_t),
		"fixed", time_or_null(r.fixed_t), "fixed_version",
		text_or_null(r.fixed_version), "closed",
		time_or_null(r.closed_t), "reason", text_or_null(r.reason),
		"duplicate_of", text_or_null(r.duplicate_of), "clock",
		clock ? clock : json_null());
	if (!o || !clock) {
		json_decref(o);
		return al_error_set(err, AL_ENOMEM, "out of memory");
	}
	*out = o;
	return 0;
}

/* ---- duplicate decisions (docs/dedup.md) ---- */

int al_vault_dup(struct al_vault *v, const char *id, const char *of,
		 char original[40], struct al_error *err)
{
	char root[40];
	struct row r;
	bool found = false, before = false;
	int rc;

	original[0] = '\0';
	if ((rc = begin(v, id, &r, NULL, err)))
		return rc;
	if (!strcmp(of, id))
		return refused(v, al_error_set(err, AL_EINVAL,
					       "--of: a report cannot "
					       "duplicate itself"));
	if ((rc = exists(v->db, "SELECT 1 FROM reports WHERE id = ?1", of,
			 &found, err)))
		return refused(v, rc);
	if (!found)
		return refused(v, al_error_set(err, AL_ENOTFOUND,
					       "--of: no report '%.40s'", of));
	if (*r.duplicate_of)
		return refused(
			v, al_error_set(err, AL_EINVAL,
					"report %.8s is recorded as a "
					"duplicate of %.8s already ('airlock-"
					"vault undup %.8s' takes it back)",
					id, r.duplicate_of, id));
	if (al_report_state_closing(r.state))
		return refused(v, al_error_set(err, AL_EINVAL,
					       "report %.8s is %s (closed): "
					       "reopen it first",
					       id, state_names[r.state]));
	/* the original of a duplicate is that duplicate's original */
	if ((rc = al_dedup_original(v->db, of, root, err)))
		return refused(v, rc);
	if (!strcmp(root, id))
		return refused(v, al_error_set(err, AL_EINVAL,
					       "--of: report %.8s is recorded "
					       "as a duplicate of %.8s itself",
					       of, id));
	if ((rc = earlier(v->db, root, id, &before, err)))
		return refused(v, rc);
	if (!before)
		return refused(
			v,
			al_error_set(err, AL_EINVAL,
				     "--of: report %.8s came after %.8s: the "
				     "earlier report is the original "
				     "('airlock-vault dup %.8s --of %.8s')",
				     root, id, root, id));
	snprintf(original, 40, "%s", root);
	return record(v, "duplicate", id, json_pack("{s:s}", "of", root), NULL,
		      err);
}

int al_vault_undup(struct al_vault *v, const char *id, const char *reason,
		   struct al_move *out, struct al_error *err)
{
	char sha[AL_SHA256_HEX];
	enum al_report_state to;
	struct row r;
	json_t *data;
	int rc;

	if (reason && (rc = check_reason(reason, err)))
		return rc;
	if ((rc = begin(v, id, &r, out, err)))
		return rc;
	if (!*r.duplicate_of)
		return refused(v, al_error_set(err, AL_EINVAL,
					       "report %.8s is not recorded as "
					       "a duplicate",
					       id));
	to = r.state == AL_STATE_DUPLICATE ? AL_STATE_ACKNOWLEDGED : r.state;
	data = json_pack("{s:s, s:s, s:s}", "of", r.duplicate_of, "from",
			 state_names[r.state], "to", state_names[to]);
	if (data && reason) {
		if ((rc = keep_text(v->db, reason, sha, err))) {
			json_decref(data);
			return refused(v, rc);
		}
		if (json_object_set_new(data, "reason_sha256",
					json_string(sha)))
			data = (json_decref(data), NULL);
	}
	return record(v, "undup", id, data, out, err);
}
