/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The policy's clocks across the vault: due, agenda, sla (docs/sla.md).
 * Which states run which clock, and when a clock is overdue, is
 * al_clock_at's alone: the queries select their candidates by the states
 * al_clock_at gives a clock (through the reports_state index), and decide
 * each row with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "al_due.h"

#define MASK(k) (1u << (k))
#define RUNNING AL_DUE_RUNNING

void al_due_list_release(struct al_due_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i].title);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

void al_agenda_release(struct al_agenda *a)
{
	if (!a)
		return;
	al_due_list_release(&a->fresh);
	al_due_list_release(&a->overdue);
	al_due_list_release(&a->soon);
	al_due_list_release(&a->waiting);
}

bool al_due_row_clock(const struct al_policy *p, const char *state,
		      int64_t imported_t, int64_t fix_due, int64_t fix_left,
		      int64_t now, struct al_clock *out)
{
	int s = al_report_state_from_name(state);
	struct al_clock_input in = {0};

	memset(out, 0, sizeof(*out));
	if (s < 0)
		return false;
	in.state = (enum al_report_state)s;
	in.imported_t = imported_t;
	in.fix_due = fix_due;
	in.fix_left = fix_left;
	al_clock_at(&in, p, now, out);
	return true;
}

bool al_due_state_has(const struct al_policy *p, enum al_report_state s,
		      unsigned mask)
{
	/* a report in s with every column a clock may read set */
	struct al_clock_input in = {
		.state = s, .imported_t = 1, .fix_due = 1, .fix_left = 1};
	struct al_clock c;

	al_clock_at(&in, p, 0, &c);
	return (mask & MASK(c.kind)) != 0;
}

/* ---- reading rows ---- */

#define ITEM_COLUMNS                                                        \
	"id, title, state, rating, imported_t, state_t, coalesce(fix_due, " \
	"0), coalesce(fix_left, 0)"

/* Decides whether a row (its clock computed, no title yet) is wanted;
 * returns the list to add it to, or NULL. */
typedef struct al_due_list *(*route_fn)(const struct al_due_item *it,
					void *ctx);

static int push(struct al_due_list *l, const struct al_due_item *it,
		const char *title, size_t tlen, struct al_error *err)
{
	struct al_due_item *n;

	if (l->n == l->cap) {
		size_t c = l->cap ? l->cap * 2 : 16;

		if (!(n = realloc(l->items, c * sizeof(*n))))
			return al_error_set(err, AL_ENOMEM, "out of memory");
		l->items = n;
		l->cap = c;
	}
	n = &l->items[l->n];
	*n = *it;
	if (!(n->title = malloc(tlen + 1)))
		return al_error_set(err, AL_ENOMEM, "out of memory");
	memcpy(n->title, title ? title : "", tlen);
	n->title[tlen] = '\0';
	l->n++;
	return 0;
}

static void col_copy(sqlite3_stmt *st, int i, char *out, size_t outsz)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	snprintf(out, outsz, "%s", s ? s : "");
}

void al_due_states_json(const struct al_policy *p, unsigned mask, char *out,
			size_t outsz)
{
	size_t len = 0;

	len += (size_t)snprintf(out, outsz, "[");
	for (int s = 0; s < AL_STATE_COUNT && len < outsz; s++)
		if (al_due_state_has(p, (enum al_report_state)s, mask))
			len += (size_t)snprintf(
				out + len, outsz - len, "%s\"%s\"",
				len > 1 ? "," : "",
				al_report_state_name((enum al_report_state)s));
	if (len < outsz)
		snprintf(out + len, outsz - len, "]");
}

/*
 * Every report in a state al_clock_at gives a clock of a kind in mask,
 * through the reports_state index, each routed by route at now.
 */
static int collect(struct al_vault *v, int64_t now, unsigned mask,
		   route_fn route, void *ctx, struct al_error *err)
{
	char states[256];
	sqlite3_stmt *st;
	int rc = 0, step;

	al_due_states_json(&v->policy, mask, states, sizeof(states));
	if (sqlite3_prepare_v2(v->db,
			       "SELECT " ITEM_COLUMNS " FROM reports WHERE "
			       "state IN (SELECT value FROM json_each(?1))",
			       -1, &st, NULL))
		return al_db_fail(v->db, "reading the clocks", err);
	sqlite3_bind_text(st, 1, states, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct al_due_item it = {0};
		const char *state = (const char *)sqlite3_column_text(st, 2);
		struct al_due_list *to;

		col_copy(st, 0, it.id, sizeof(it.id));
		if (!al_due_row_clock(&v->policy, state ? state : "",
				      sqlite3_column_int64(st, 4),
				      sqlite3_column_int64(st, 6),
				      sqlite3_column_int64(st, 7), now,
				      &it.clock)) {
			rc = al_error_set(err, AL_EINTEGRITY,
					  "ledger: report '%s': unknown state",
					  it.id);
			break;
		}
		it.state =
			(enum al_report_state)al_report_state_from_name(state);
		col_copy(st, 3, it.rating, sizeof(it.rating));
		it.imported_t = sqlite3_column_int64(st, 4);
		it.state_t = sqlite3_column_int64(st, 5);
		if (!(mask & MASK(it.clock.kind)) || !(to = route(&it, ctx)))
			continue;
		if ((rc = push(to, &it,
			       (const char *)sqlite3_column_text(st, 1),
			       (size_t)sqlite3_column_bytes(st, 1), err)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = al_db_fail(v->db, "reading the clocks", err);
	sqlite3_finalize(st);
	return rc;
}

static int by_due(const void *a, const void *b)
{
	const struct al_due_item *x = a, *y = b;

	if (x->clock.due != y->clock.due)
		return x->clock.due < y->clock.due ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int by_import(const void *a, const void *b)
{
	const struct al_due_item *x = a, *y = b;

	if (x->imported_t != y->imported_t)
		return x->imported_t < y->imported_t ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int by_since(const void *a, const void *b)
{
	const struct al_due_item *x = a, *y = b;

	if (x->state_t != y->state_t)
		return x->state_t < y->state_t ? -1 : 1;
	return strcmp(x->id, y->id);
}

static void sort(struct al_due_list *l, int (*cmp)(const void *, const void *))
{
	if (l->n > 1)
		qsort(l->items, l->n, sizeof(l->items[0]), cmp);
}

/* ---- due ---- */

struct due_ctx {
	int64_t bound;
	struct al_due_list *out;
};

static struct al_due_list *due_route(const struct al_due_item *it, void *ctx)
{
	struct due_ctx *c = ctx;

	return it->clock.due <= c->bound ? c->out : NULL;
}

int al_vault_due(struct al_vault *v, int64_t now, int64_t within,
		 struct al_due_list *out, struct al_error *err)
{
	struct due_ctx c = {.out = out};
	int rc;

	memset(out, 0, sizeof(*out));
	if (within < 0 || within > (int64_t)AL_DUE_MAX_DAYS * AL_DAY)
		return al_error_set(err, AL_EINVAL,
				    "due: a window of %lld seconds is out of "
				    "range (0 to %d days)",
				    (long long)within, AL_DUE_MAX_DAYS);
	c.bound = now + within;
	if ((rc = collect(v, now, RUNNING, due_route, &c, err))) {
		al_due_list_release(out);
		return rc;
	}
	sort(out, by_due);
	return 0;
}

/* ---- agenda ---- */

int64_t al_next_triage_day(int64_t now, int weekday)
{
	int64_t day = now / AL_DAY - (now % AL_DAY < 0);
	/* 1970-01-01, day 0, was a Thursday: 3 counting from Monday */
	int64_t wd = ((day + 3) % 7 + 7) % 7;
	int64_t ahead = ((weekday - wd) % 7 + 7) % 7;

	return (day + (ahead ? ahead : 7)) * AL_DAY;
}

static struct al_due_list *agenda_route(const struct al_due_item *it, void *ctx)
{
	struct al_agenda *a = ctx;

	switch (it->clock.kind) {
	case AL_CLOCK_ACK:
		return &a->fresh;
	case AL_CLOCK_FIX:
		if (it->clock.overdue)
			return &a->overdue;
		return it->clock.due < a->next_triage ? &a->soon : NULL;
	case AL_CLOCK_PAUSED:
		return a->now - it->state_t > a->stale ? &a->waiting : NULL;
	default:
		return NULL;
	}
}

int al_vault_agenda(struct al_vault *v, int64_t now, int64_t stale,
		    struct al_agenda *out, struct al_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (stale < 0 || stale > (int64_t)AL_DUE_MAX_DAYS * AL_DAY)
		return al_error_set(err, AL_EINVAL,
				    "agenda: %lld seconds in needs-info is "
				    "out of range (0 to %d days)",
				    (long long)stale, AL_DUE_MAX_DAYS);
	out->now = now;
	out->stale = stale;
	out->next_triage = al_next_triage_day(now, v->policy.triage_weekday);
	if ((rc = collect(v, now, RUNNING | MASK(AL_CLOCK_PAUSED), agenda_route,
			  out, err))) {
		al_agenda_release(out);
		return rc;
	}
	sort(&out->fresh, by_import);
	sort(&out->overdue, by_due);
	sort(&out->soon, by_due);
	sort(&out->waiting, by_since);
	return 0;
}

/* ---- sla ---- */

struct vec {
	int64_t *v;
	size_t n, cap;
};

static int vec_push(struct vec *x, int64_t val, struct al_error *err)
{
	if (x->n == x->cap) {
		size_t c = x->cap ? x->cap * 2 : 64;
		int64_t *n = realloc(x->v, c * sizeof(*n));

		if (!n)
			return al_error_set(err, AL_ENOMEM, "out of memory");
		x->v = n;
		x->cap = c;
	}
	x->v[x->n++] = val;
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int64_t al_sla_percentile(const int64_t *sorted, size_t n, unsigned pct)
{
	size_t rank;

	if (!n)
		return 0;
	rank = ((size_t)pct * n + 99) / 100;
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

int al_sla_percent(const struct al_sla_share *s)
{
	int64_t total = s->met + s->missed;

	return total ? (int)(s->met * 100 / total) : -1;
}

static void times_of(struct vec *x, struct al_sla_times *t)
{
	memset(t, 0, sizeof(*t));
	if (!x->n)
		return;
	qsort(x->v, x->n, sizeof(x->v[0]), cmp_i64);
	t->count = (int64_t)x->n;
	t->median = al_sla_percentile(x->v, x->n, 50);
	t->p90 = al_sla_percentile(x->v, x->n, 90);
	t->max = x->v[x->n - 1];
}

/* Was a clock that ran out at due past it at t (al_clock_at's rule for a
 * report fixing, or new with that import time)? */
static bool late_at(const struct al_policy *p, enum al_report_state s,
		    int64_t imported_t, int64_t fix_due, int64_t t)
{
	struct al_clock_input in = {
		.state = s, .imported_t = imported_t, .fix_due = fix_due};
	struct al_clock c;

	al_clock_at(&in, p, t, &c);
	return c.overdue;
}

/* The columns of one row, NULL as absent. */
struct sla_in {
	enum al_report_state state;
	int64_t imported_t, acked_t, triaged_t, fixed_t, fix_due, fix_left;
	bool acked, triaged, fixed, has_due;
};

/* One report's part in its deadlines' records at now. */
static void shares(const struct al_policy *p, const struct sla_in *r,
		   int64_t now, struct al_sla_share *ack,
		   struct al_sla_share *fix)
{
	struct al_clock_input in = {
		.state = r->state,
		.imported_t = r->imported_t,
		.fix_due = r->has_due ? r->fix_due : 0,
		.fix_left = r->fix_left,
	};
	struct al_clock c;

	al_clock_at(&in, p, now, &c);
	if (r->acked) {
		if (late_at(p, AL_STATE_NEW, r->imported_t, 0, r->acked_t))
			ack->missed++;
		else
			ack->met++;
	} else if (c.kind == AL_CLOCK_ACK) {
		if (c.overdue)
			ack->missed++;
		else
			ack->pending++;
	}
	if (r->fixed) {
		if (!r->has_due)
			return;
		if (late_at(p, AL_STATE_FIXING, r->imported_t, r->fix_due,
			    r->fixed_t))
			fix->missed++;
		else
			fix->met++;
	} else if (c.kind == AL_CLOCK_FIX) {
		if (c.overdue)
			fix->missed++;
		else
			fix->pending++;
	} else if (c.kind == AL_CLOCK_PAUSED) {
		/* paused with no time left: its deadline had passed */
		if (c.left < 0)
			fix->missed++;
		else
			fix->pending++;
	}
}

static int64_t opt_int(sqlite3_stmt *st, int i, bool *present)
{
	*present = sqlite3_column_type(st, i) != SQLITE_NULL;
	return *present ? sqlite3_column_int64(st, i) : 0;
}

int al_vault_sla(struct al_vault *v, int64_t now, struct al_sla *out,
		 struct al_error *err)
{
	struct vec ack[AL_SLA_ROWS] = {0}, tri[AL_SLA_ROWS] = {0},
		   fix[AL_SLA_ROWS] = {0};
	sqlite3_stmt *st = NULL;
	int rc = 0, step;

	memset(out, 0, sizeof(*out));
	out->now = now;
	if (sqlite3_prepare_v2(v->db,
			       "SELECT id, state, rating, imported_t, acked_t, "
			       "triaged_t, fixed_t, fix_due, fix_left FROM "
			       "reports",
			       -1, &st, NULL))
		return al_db_fail(v->db, "reading the clocks", err);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(st, 1);
		int s = al_report_state_from_name(state);
		int g = al_rating_from_name(
			(const char *)sqlite3_column_text(st, 2));
		int rows[2];
		struct sla_in r = {0};
		bool dummy;

		if (s < 0) {
			rc = al_error_set(
				err, AL_EINTEGRITY,
				"ledger: report '%.36s': unknown state",
				(const char *)sqlite3_column_text(st, 0));
			goto out;
		}
		r.state = (enum al_report_state)s;
		r.imported_t = sqlite3_column_int64(st, 3);
		r.acked_t = opt_int(st, 4, &r.acked);
		r.triaged_t = opt_int(st, 5, &r.triaged);
		r.fixed_t = opt_int(st, 6, &r.fixed);
		r.fix_due = opt_int(st, 7, &r.has_due);
		r.fix_left = opt_int(st, 8, &dummy);
		rows[0] = g < 0 ? AL_SLA_UNRATED : g;
		rows[1] = AL_SLA_ALL;
		for (int i = 0; i < 2; i++) {
			struct al_sla_row *row = &out->rows[rows[i]];
			int k = rows[i];

			row->reports++;
			if ((r.acked &&
			     (rc = vec_push(&ack[k], r.acked_t - r.imported_t,
					    err))) ||
			    (r.triaged &&
			     (rc = vec_push(&tri[k], r.triaged_t - r.imported_t,
					    err))) ||
			    (r.fixed && r.triaged &&
			     (rc = vec_push(&fix[k], r.fixed_t - r.triaged_t,
					    err))))
				goto out;
			shares(&v->policy, &r, now, &row->ack_share,
			       &row->fix_share);
		}
	}
	if (step != SQLITE_DONE) {
		rc = al_db_fail(v->db, "reading the clocks", err);
		goto out;
	}
	for (int k = 0; k < AL_SLA_ROWS; k++) {
		times_of(&ack[k], &out->rows[k].ack);
		times_of(&tri[k], &out->rows[k].triage);
		times_of(&fix[k], &out->rows[k].fix);
	}
out:
	sqlite3_finalize(st);
	for (int k = 0; k < AL_SLA_ROWS; k++) {
		free(ack[k].v);
		free(tri[k].v);
		free(fix[k].v);
	}
	if (rc) {
		memset(out, 0, sizeof(*out));
		out->now = now;
	}
	return rc;
}

/* ---- printing help ---- */

void al_due_span(int64_t secs, char *out, size_t outsz)
{
	uint64_t s = secs < 0 ? (uint64_t)0 - (uint64_t)secs : (uint64_t)secs;

	if (s >= AL_DAY)
		snprintf(out, outsz, "%llud %lluh",
			 (unsigned long long)(s / AL_DAY),
			 (unsigned long long)(s % AL_DAY / 3600));
	else if (s >= 3600)
		snprintf(out, outsz, "%lluh %llum",
			 (unsigned long long)(s / 3600),
			 (unsigned long long)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(out, outsz, "%llum", (unsigned long long)(s / 60));
	else
		snprintf(out, outsz, "%llus", (unsigned long long)s);
}
