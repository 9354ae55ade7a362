/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_TRIAGE_H
#define AL_TRIAGE_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "al_error.h"
#include "al_policy.h"
#include "al_vault.h"

/*
 * Triage under the policy (docs/triage.md): a report's life as states,
 * each move an event, and the policy's clocks derived from them.
 *
 * The derived columns of the reports table (al_db.c, schema 3), kept by
 * al_state_apply from the events alone (times are seconds since the epoch,
 * from the events' "at"):
 *   state          the state's name (al_report_state_name)
 *   state_t        when the report entered it
 *   imported_t     its first import
 *   acked_t        its first move out of "new" (ack, or closed unseen)
 *   triaged_t      its first triage; rated_t the latest rating change
 *   rating         the maintainers' rating (NULL before triage), with
 *   cvss, score    the vector and base score in tenths when given by one
 *   fix_days       the policy's days for that rating, as the triage
 *                  event recorded them
 *   fix_due        the fix deadline: set while the fix clock runs
 *                  (triaged, fixing) and kept after "fixed" (the deadline
 *                  that applied); NULL while paused and once closed
 *   fix_left       seconds the fix clock had left when needs-info paused
 *                  it (negative: it was overdue); NULL otherwise
 *   fixed_t, fixed_version   when and in which version it was fixed
 *   closed_t       when it entered a closing state; NULL otherwise
 *   reason         the policy's out_of_scope id for "out-of-scope"
 *   duplicate_of   the report it duplicates, for "duplicate"
 * The acknowledgement deadline is not stored: it is imported_t plus the
 * policy's acknowledge_hours while the state is "new".
 */

enum al_report_state {
	AL_STATE_NEW = 0,
	AL_STATE_ACKNOWLEDGED,
	AL_STATE_TRIAGED,
	AL_STATE_NEEDS_INFO,
	AL_STATE_FIXING,
	AL_STATE_FIXED,
	AL_STATE_DISCLOSED,
	/* the closing states */
	AL_STATE_DUPLICATE,
	AL_STATE_OUT_OF_SCOPE,
	AL_STATE_INFORMATIVE,
	AL_STATE_NOT_APPLICABLE,
	AL_STATE_NOT_REPRODUCIBLE,
	AL_STATE_SPAM,
	AL_STATE_WITHDRAWN,
	AL_STATE_COUNT,
};

/* "needs-info" ...; NULL for a value out of range. */
const char *al_report_state_name(enum al_report_state s);
/* The state named, or -1. */
int al_report_state_from_name(const char *name);
/* duplicate, out-of-scope, informative, not-applicable, not-reproducible,
 * spam, withdrawn: every clock stops. */
bool al_report_state_closing(enum al_report_state s);

/*
 * The states a report in from may move to, as a bit set (1u << state):
 *   new          -> acknowledged, any closing state
 *   acknowledged -> triaged (triage only), any closing state
 *   triaged      -> needs-info, fixing, any closing state
 *   needs-info   -> triaged, any closing state
 *   fixing       -> fixed, any closing state
 *   fixed        -> disclosed
 *   disclosed    -> nothing
 *   closing      -> acknowledged (reopen)
 * A rating change (triage again) is not a move: it is allowed in
 * triaged, needs-info and fixing.
 */
unsigned al_report_state_moves(enum al_report_state from);

/* The allowed moves from from, as "acknowledged, duplicate, ..." into out
 * ("nothing" when there are none). */
void al_report_state_moves_text(enum al_report_state from, char *out,
				size_t outsz);

/* ---- the clocks ---- */

enum al_clock_kind {
	AL_CLOCK_NONE = 0, /* no deadline runs (acknowledged, closed, ...) */
	AL_CLOCK_ACK,      /* new: acknowledgement due */
	AL_CLOCK_FIX,      /* triaged, fixing: fix due */
	AL_CLOCK_PAUSED,   /* needs-info: the fix clock is stopped */
};

struct al_clock {
	enum al_clock_kind kind;
	int64_t due;  /* ACK, FIX: the deadline; 0 otherwise */
	int64_t left; /* ACK, FIX: due - now; PAUSED: what is left */
	bool overdue; /* ACK, FIX: now > due */
};

/* What a report's clock says at now, from its derived columns. */
struct al_clock_input {
	enum al_report_state state;
	int64_t imported_t;
	int64_t fix_due;  /* 0 for NULL */
	int64_t fix_left; /* meaningful in needs-info only */
};
void al_clock_at(const struct al_clock_input *in, const struct al_policy *p,
		 int64_t now, struct al_clock *out);
/* "ack", "fix", "paused", "none" */
const char *al_clock_kind_name(enum al_clock_kind k);

/*
 * The triage kinds (ack, triage, status, note, reply) for al_state_apply:
 * is kind one of them, and apply event seq of that kind to the reports
 * table: its "from" must be the report's state and the move one
 * al_report_state_moves allows, its fields well-formed (AL_EINTEGRITY
 * naming the event otherwise, as a forged event would be).
 */
bool al_triage_kind(const char *kind);
int al_triage_apply(sqlite3 *db, int64_t seq, const char *kind,
		    const char *report, int64_t at, const json_t *data,
		    struct al_error *err);

/*
 * What an event's data must agree with in the vault's policy (which
 * al_triage_apply does not see): a triage's fix_days are the policy's days
 * for its rating; an out-of-scope move's reason is one of the policy's
 * out_of_scope ids.  Other kinds pass.  AL_EINTEGRITY naming the event.
 */
int al_triage_check_policy(const struct al_policy *p, int64_t seq,
			   const char *kind, const json_t *data,
			   struct al_error *err);

/* ---- moves (al_triage.c): each one event, applied, committed ---- */

struct al_move {
	int64_t seq; /* the event */
	enum al_report_state from, to;
	char rating[16];     /* after the move ("" for none) */
	int score10;         /* -1 when no CVSS vector */
	int64_t fix_due;     /* the fix deadline when one runs, else 0 */
	bool rating_changed; /* triage: the fix clock was (re)started */
};

/*
 * Acknowledge report id (a full id, al_vault_find): new -> acknowledged.
 * AL_EINVAL "report X is acknowledged already", or "report X is S: it
 * cannot move to acknowledged (it can move to ...)" for another state;
 * AL_ENOTFOUND.
 */
int al_vault_ack(struct al_vault *v, const char *id, struct al_move *out,
		 struct al_error *err);

/*
 * Rate report id: exactly one of rating ("critical", "high", "medium",
 * "low") and cvss (a CVSS v3.1 or v4.0 base vector: its score and the
 * rating of its band are kept with it; a score of 0.0 is refused).  From
 * acknowledged it moves to triaged and starts the fix clock:
 * fix_days[rating] from now.  In triaged, needs-info or fixing it changes
 * the rating: reason (one line, 1-500 bytes, kept in texts) is required,
 * and when the rating differs the fix clock restarts from now (paused
 * still in needs-info).  AL_EUSAGE (both or neither, no reason), AL_EINVAL
 * (bad rating or vector, a state that cannot be rated, naming the moves
 * it allows).
 */
int al_vault_triage(struct al_vault *v, const char *id, const char *rating,
		    const char *cvss, const char *reason, struct al_move *out,
		    struct al_error *err);

struct al_status_opts {
	const char *reason;  /* out-of-scope: a policy out_of_scope id;
				otherwise free text (texts), optional, but
				required to reopen a closed report */
	const char *version; /* fixed: the version with the fix (required) */
	const char *of;      /* duplicate: the full id of the original */
};

/*
 * Move report id to state (any move al_report_state_moves allows except
 * acknowledged -> triaged, which needs a rating: al_vault_triage).
 * AL_EINVAL naming the allowed moves, the policy's out_of_scope ids, a bad
 * version, a self "of"; AL_EUSAGE for an option the move needs and lacks
 * (--version, --of, --reason to reopen) or one it does not take;
 * AL_ENOTFOUND for an "of" that is not in the vault.
 */
int al_vault_status(struct al_vault *v, const char *id, const char *state,
		    const struct al_status_opts *o, struct al_move *out,
		    struct al_error *err);

/*
 * A maintainer's note on report id: text (UTF-8, 1 byte to 64 KiB, no
 * control character but newline and tab) kept in the texts table, the
 * event naming its hash.  Any state.  AL_EINVAL.
 */
int al_vault_note(struct al_vault *v, const char *id, const char *text,
		  int64_t *seq, struct al_error *err);

/*
 * Report id's triage as JSON (show): "state", "since", "rating", "cvss",
 * "score" (a number, 9.8), "fix_days", "acknowledged", "triaged",
 * "rated", "fixed", "fixed_version", "closed", "reason", "duplicate_of"
 * (times RFC 3339; null when not set) and "clock": {"kind" (al_clock_kind_name),
 * "due" (RFC 3339 or null), "left_seconds", "overdue"} at now.
 */
int al_vault_triage_json(struct al_vault *v, const char *id, int64_t now,
			 json_t **out, struct al_error *err);

/* The clock of report id now, from its row (for show). */
int al_vault_clock(struct al_vault *v, const char *id, int64_t now,
		   struct al_clock *out, struct al_error *err);

#endif
