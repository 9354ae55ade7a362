/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_DUE_H
#define AL_DUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "al_error.h"
#include "al_policy.h"
#include "al_triage.h"
#include "al_vault.h"

/*
 * The policy's clocks read across the vault (docs/sla.md): what is due,
 * the weekly agenda, the SLA figures, and list --overdue.  Every clock
 * decision is al_clock_at's on a report's derived columns; "now" is the
 * caller's (al_vault_now in the commands, any time in the tests).
 */

#define AL_DUE_DAYS     7    /* due: the default window */
#define AL_DUE_MAX_DAYS 3650 /* due --within, agenda --stale: at most */
#define AL_AGENDA_STALE 14   /* agenda: days in needs-info that are long */
#define AL_DAY          86400

/* One report and its clock at the time asked. */
struct al_due_item {
	char id[37];
	struct al_clock clock;
	enum al_report_state state;
	char rating[16];    /* "" before triage */
	int64_t imported_t; /* its first import */
	int64_t state_t;    /* when it entered its state */
	char *title;        /* untrusted, malloc'd */
};

/* A list of them; al_due_list_release frees the titles and the array and
 * leaves an empty list. */
struct al_due_list {
	struct al_due_item *items;
	size_t n, cap;
};
void al_due_list_release(struct al_due_list *l);

/*
 * The clock of a row of the reports table at now: its state's name and
 * columns (fix_due and fix_left 0 for NULL) through al_clock_at.  False,
 * and a NONE clock, when the state is not one al_triage.h names.
 */
bool al_due_row_clock(const struct al_policy *p, const char *state,
		      int64_t imported_t, int64_t fix_due, int64_t fix_left,
		      int64_t now, struct al_clock *out);

/* Does al_clock_at give a report in state s a clock of one of the kinds
 * in mask (a set of 1u << enum al_clock_kind)?  The queries below select
 * their candidates by these states, so al_clock_at stays the one
 * definition of which states run which clock. */
bool al_due_state_has(const struct al_policy *p, enum al_report_state s,
		      unsigned mask);

/* The clocks that run to a deadline. */
#define AL_DUE_RUNNING ((1u << AL_CLOCK_ACK) | (1u << AL_CLOCK_FIX))

/* The states al_due_state_has finds for mask, as a JSON array of their
 * names ('["new","triaged","fixing"]'), for SQL's json_each. */
void al_due_states_json(const struct al_policy *p, unsigned mask, char *out,
			size_t outsz);

/*
 * Reports whose clock runs (acknowledgement or fix) and whose deadline is
 * at most now + within seconds (overdue ones included), earliest deadline
 * first (ties: by id), into out (initialised here; release it).  An index
 * query: only reports in the states with a running clock are read.
 * AL_EINVAL (within negative), AL_EINTEGRITY (a row with an unknown
 * state), AL_ENOMEM, AL_EIO.
 */
int al_vault_due(struct al_vault *v, int64_t now, int64_t within,
		 struct al_due_list *out, struct al_error *err);

/* The agenda (docs/sla.md "agenda"): each report in one section at most. */
struct al_agenda {
	int64_t now;
	int64_t next_triage;        /* 00:00 UTC of the next triage day */
	int64_t stale;              /* seconds in needs-info that are long */
	struct al_due_list fresh;   /* new: oldest import first */
	struct al_due_list overdue; /* fix clock past its deadline */
	struct al_due_list soon;    /* fix due before next_triage */
	struct al_due_list waiting; /* needs-info for more than stale */
};

/*
 * The weekly triage list at now, for the policy's triage weekday; stale:
 * seconds in needs-info after which a report is listed (more than that).
 * out is initialised here; release it with al_agenda_release.  The codes
 * of al_vault_due.
 */
int al_vault_agenda(struct al_vault *v, int64_t now, int64_t stale,
		    struct al_agenda *out, struct al_error *err);
void al_agenda_release(struct al_agenda *a);

/* 00:00 UTC of the first day after now's (UTC) day that is weekday (0
 * Monday .. 6 Sunday): one to seven days ahead. */
int64_t al_next_triage_day(int64_t now, int weekday);

/* ---- SLA ---- */

/* The rows of the SLA table: the four ratings, then reports without a
 * rating, then all of them. */
enum {
	AL_SLA_UNRATED = AL_RATING_COUNT,
	AL_SLA_ALL,
	AL_SLA_ROWS,
};

/* Durations in seconds over count reports: the median and 90th
 * percentile by nearest rank, and the largest; all 0 when count is 0. */
struct al_sla_times {
	int64_t count, median, p90, max;
};

/* A deadline's record: met, missed (late, or open past it), pending
 * (open, not yet past it).  The share is met / (met + missed). */
struct al_sla_share {
	int64_t met, missed, pending;
};

struct al_sla_row {
	int64_t reports;
	struct al_sla_times ack, triage, fix;
	struct al_sla_share ack_share, fix_share;
};

struct al_sla {
	int64_t now;
	struct al_sla_row rows[AL_SLA_ROWS];
};

/* The SLA figures at now over every report (docs/sla.md defines each).
 * AL_EINTEGRITY (a row with an unknown state), AL_ENOMEM, AL_EIO. */
int al_vault_sla(struct al_vault *v, int64_t now, struct al_sla *out,
		 struct al_error *err);

/* The pct-th percentile of sorted[0..n) by nearest rank: the value at
 * rank ceil(pct * n / 100) (1-based); 0 when n is 0. */
int64_t al_sla_percentile(const int64_t *sorted, size_t n, unsigned pct);

/* A share as a whole percentage, rounded down (so 100 means no miss); -1
 * when nothing was met or missed. */
int al_sla_percent(const struct al_sla_share *s);

/* A duration for people, its sign ignored: "2d 3h", "5h 0m", "12m",
 * "40s". */
void al_due_span(int64_t secs, char *out, size_t outsz);

#endif
