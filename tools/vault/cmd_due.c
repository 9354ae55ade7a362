/* SPDX-License-Identifier: Apache-2.0 */
/*
 * airlock-vault due / agenda / sla: the policy's clocks read across the
 * vault (docs/sla.md).  Read-only: no lock, no event, no checkpoint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "al_due.h"
#include "al_time.h"
#include "vault.h"

static const char due_usage[] =
	"usage: airlock-vault [--vault DIR] due [--within DAYS] [--json]\n\n"
	"What is overdue and what falls due within DAYS days (7 by default),\n"
	"most urgent first, one a line: id, clock (ack: to acknowledge; fix:\n"
	"to fix), deadline, time left or overdue, state, rating, title.\n"
	"Reports in needs-info (clock paused), acknowledged but not triaged,\n"
	"fixed, disclosed or closed are never due.\n\n"
	"  --within DAYS  the window, 0 to 3650 days (0: overdue only, and\n"
	"                 what falls due this second)\n"
	"  --json         a JSON array of {report, clock, due, left_seconds,\n"
	"                 overdue, state, rating, title}\n";

static const char agenda_usage[] =
	"usage: airlock-vault [--vault DIR] agenda [--stale DAYS] [--json]\n\n"
	"The weekly triage list: new reports (oldest first, with the time\n"
	"left to acknowledge them), reports overdue to fix, reports due to be\n"
	"fixed before the next triage day (the policy's triage_weekday), and\n"
	"reports in needs-info for more than 14 days.\n\n"
	"  --stale DAYS   needs-info for more than DAYS days, 0 to 3650\n"
	"  --json         one object with an array per section\n";

static const char sla_usage[] =
	"usage: airlock-vault [--vault DIR] sla [--json]\n\n"
	"Times to acknowledge, to triage and to fix, per rating and over all\n"
	"reports (count, median, 90th percentile, longest), and the share\n"
	"of deadlines met (docs/sla.md defines each figure).\n\n"
	"  --json   one object: the policy and a row per rating\n";

static const char *const weekdays[] = {
	"monday", "tuesday",  "wednesday", "thursday",
	"friday", "saturday", "sunday",
};

/* DAYS of --within or --stale: a whole number 0 to AL_DUE_MAX_DAYS. */
static int days_opt(const char *name, const char *arg, int64_t *out)
{
	char *end;
	long long n;

	n = strtoll(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end || n > AL_DUE_MAX_DAYS) {
		vault_say("airlock-vault: --%s '%s': not a number of days (0 "
			  "to %d)",
			  name, arg, AL_DUE_MAX_DAYS);
		return AL_EUSAGE;
	}
	*out = n;
	return 0;
}

/*
 * The options every command here takes (--json, --help, --vault) and one
 * DAYS option named days (NULL: none).  0 to go on, 1 after --help, or
 * AL_EUSAGE (said).
 */
static int parse(int argc, char **argv, const char *usage, const char *days,
		 int64_t *ndays, bool *json)
{
	struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		VAULT_OPTION,
		{NULL, 0, NULL, 0},
		{NULL, 0, NULL, 0},
	};
	int c, rc;

	if (days)
		opts[3] = (struct option){days, required_argument, NULL, 'd'};
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if ((rc = days_opt(days, optarg, ndays)))
				return rc;
			break;
		case 'j':
			*json = true;
			break;
		case 'V':
			vault_given = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 1;
		default:
			return vault_usage_error(usage);
		}
	}
	if (optind != argc)
		return vault_usage_error(usage);
	return 0;
}

/* Open the vault and read the clock. */
static int start(struct al_vault **v, int64_t *now)
{
	struct al_error err = {0};
	int rc;

	if ((rc = vault_open(v)))
		return rc;
	if ((rc = al_vault_now(now, &err))) {
		vault_fail(&err);
		al_vault_close(*v);
		*v = NULL;
	}
	return rc;
}

/* A document on stdout, given up; NULL (a failed allocation) is said. */
static int print_doc(json_t *doc)
{
	int rc;

	if (!doc) {
		vault_say("airlock-vault: out of memory");
		return AL_ENOMEM;
	}
	rc = vault_print_json(doc);
	json_decref(doc);
	return rc;
}

static json_t *time_json(int64_t t)
{
	char when[AL_RFC3339_LEN];

	al_time_format(t, when);
	return json_string(when);
}

/* A report and its clock as JSON (docs/sla.md "due --json"); with_times
 * adds "imported" and "since" (agenda). */
static json_t *item_json(const struct al_due_item *it, bool with_times)
{
	const struct al_clock *c = &it->clock;
	bool timed = c->kind == AL_CLOCK_ACK || c->kind == AL_CLOCK_FIX;
	json_t *o = json_pack(
		"{s:s, s:s, s:o, s:I, s:b, s:s, s:o, s:s}", "report", it->id,
		"clock", al_clock_kind_name(c->kind), "due",
		timed ? time_json(c->due) : json_null(), "left_seconds",
		(json_int_t)c->left, "overdue", c->overdue, "state",
		al_report_state_name(it->state), "rating",
		*it->rating ? json_string(it->rating) : json_null(), "title",
		it->title);

	if (o && with_times &&
	    (json_object_set_new(o, "imported", time_json(it->imported_t)) ||
	     json_object_set_new(o, "since", time_json(it->state_t)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *list_json(const struct al_due_list *l, bool with_times)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < l->n; i++)
		if (json_array_append_new(
			    arr, item_json(&l->items[i], with_times))) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

/* "in 2d 3h" or "4d 1h overdue" */
static void left_text(const struct al_clock *c, char *out, size_t outsz)
{
	char span[32];

	al_due_span(c->left, span, sizeof(span));
	if (c->overdue)
		snprintf(out, outsz, "%s overdue", span);
	else
		snprintf(out, outsz, "in %s", span);
}

/* id, clock, deadline, time left, state, rating, title */
static void print_item(const struct al_due_item *it, const char *indent)
{
	char when[AL_RFC3339_LEN], left[48];

	al_time_format(it->clock.due, when);
	left_text(&it->clock, left, sizeof(left));
	printf("%s%.8s  %-3s  %s  %-16s  %-8s  %-8s  ", indent, it->id,
	       al_clock_kind_name(it->clock.kind), when, left,
	       al_report_state_name(it->state), *it->rating ? it->rating : "-");
	vault_print_visible(stdout, it->title);
	putchar('\n');
}

/* ---- due ---- */

int cmd_due(int argc, char **argv)
{
	struct al_due_list l = {0};
	struct al_error err = {0};
	struct al_vault *v = NULL;
	int64_t days = AL_DUE_DAYS, now;
	bool json = false;
	int rc;

	if ((rc = parse(argc, argv, due_usage, "within", &days, &json)))
		return rc < 0 ? rc : 0;
	if ((rc = start(&v, &now)))
		return rc;
	if ((rc = al_vault_due(v, now, days * AL_DAY, &l, &err))) {
		vault_fail(&err);
		goto out;
	}
	if (json) {
		rc = print_doc(list_json(&l, false));
		goto out;
	}
	for (size_t i = 0; i < l.n; i++)
		print_item(&l.items[i], "");
	if (fflush(stdout))
		rc = AL_EIO;
out:
	al_due_list_release(&l);
	al_vault_close(v);
	return rc;
}

/* ---- agenda ---- */

static void agenda_new(const struct al_due_list *l)
{
	char when[AL_RFC3339_LEN], left[48];

	printf("new, to acknowledge (%zu)\n", l->n);
	for (size_t i = 0; i < l->n; i++) {
		const struct al_due_item *it = &l->items[i];

		al_time_format(it->imported_t, when);
		left_text(&it->clock, left, sizeof(left));
		printf("  %.8s  imported %s  ack %-16s  ", it->id, when, left);
		vault_print_visible(stdout, it->title);
		putchar('\n');
	}
}

static void agenda_list(const char *head, const struct al_due_list *l)
{
	printf("%s (%zu)\n", head, l->n);
	for (size_t i = 0; i < l->n; i++)
		print_item(&l->items[i], "  ");
}

static void agenda_waiting(const struct al_agenda *a)
{
	const struct al_due_list *l = &a->waiting;
	char when[AL_RFC3339_LEN], since[32], left[32];

	printf("\nin needs-info for more than %lld days (%zu)\n",
	       (long long)(a->stale / AL_DAY), l->n);
	for (size_t i = 0; i < l->n; i++) {
		const struct al_due_item *it = &l->items[i];

		al_time_format(it->state_t, when);
		al_due_span(a->now - it->state_t, since, sizeof(since));
		al_due_span(it->clock.left, left, sizeof(left));
		printf("  %.8s  since %s (%s)  fix paused, %s %s  %-8s  ",
		       it->id, when, since, left,
		       it->clock.left < 0 ? "overdue" : "left",
		       *it->rating ? it->rating : "-");
		vault_print_visible(stdout, it->title);
		putchar('\n');
	}
}

static int agenda_json(const struct al_agenda *a, int weekday)
{
	char day[AL_RFC3339_LEN];
	json_t *doc;

	al_time_format(a->next_triage, day);
	day[10] = '\0';
	doc = json_pack("{s:o, s:s, s:s, s:I, s:o, s:o, s:o, s:o}", "at",
			time_json(a->now), "next_triage_day", day,
			"triage_weekday", weekdays[weekday], "stale_days",
			(json_int_t)(a->stale / AL_DAY), "new",
			list_json(&a->fresh, true), "overdue",
			list_json(&a->overdue, true), "due_before_triage",
			list_json(&a->soon, true), "needs_info",
			list_json(&a->waiting, true));
	return print_doc(doc);
}

int cmd_agenda(int argc, char **argv)
{
	struct al_agenda a = {0};
	struct al_error err = {0};
	struct al_vault *v = NULL;
	int64_t days = AL_AGENDA_STALE, now;
	char when[AL_RFC3339_LEN], day[AL_RFC3339_LEN], head[96];
	bool json = false;
	int rc, wd;

	if ((rc = parse(argc, argv, agenda_usage, "stale", &days, &json)))
		return rc < 0 ? rc : 0;
	if ((rc = start(&v, &now)))
		return rc;
	if ((rc = al_vault_agenda(v, now, days * AL_DAY, &a, &err))) {
		vault_fail(&err);
		goto out;
	}
	wd = v->policy.triage_weekday;
	if (wd < 0 || wd > 6)
		wd = 0;
	if (json) {
		rc = agenda_json(&a, wd);
		goto out;
	}
	al_time_format(now, when);
	al_time_format(a.next_triage, day);
	day[10] = '\0';
	printf("agenda at %s; next triage day %s %s\n\n", when, weekdays[wd],
	       day);
	agenda_new(&a.fresh);
	agenda_list("\noverdue to fix", &a.overdue);
	snprintf(head, sizeof(head), "\ndue to fix before %s %s", weekdays[wd],
		 day);
	agenda_list(head, &a.soon);
	agenda_waiting(&a);
	if (fflush(stdout))
		rc = AL_EIO;
out:
	al_agenda_release(&a);
	al_vault_close(v);
	return rc;
}

/* ---- sla ---- */

static const char *const row_names[AL_SLA_ROWS] = {
	"critical", "high", "medium", "low", "unrated", "all",
};

static json_t *times_json(const struct al_sla_times *t)
{
	if (!t->count)
		return json_pack("{s:I, s:n, s:n, s:n}", "count", (json_int_t)0,
				 "median", "p90", "max");
	return json_pack("{s:I, s:I, s:I, s:I}", "count", (json_int_t)t->count,
			 "median", (json_int_t)t->median, "p90",
			 (json_int_t)t->p90, "max", (json_int_t)t->max);
}

static json_t *share_json(const struct al_sla_times *t,
			  const struct al_sla_share *s)
{
	json_t *o = times_json(t);
	int pct = al_sla_percent(s);

	if (o &&
	    (json_object_set_new(o, "within", json_integer(s->met)) ||
	     json_object_set_new(o, "missed", json_integer(s->missed)) ||
	     json_object_set_new(o, "pending", json_integer(s->pending)) ||
	     json_object_set_new(o, "share_percent",
				 pct < 0 ? json_null() : json_integer(pct)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *row_json(const struct al_sla_row *r)
{
	return json_pack("{s:I, s:o, s:o, s:o}", "reports",
			 (json_int_t)r->reports, "acknowledge",
			 share_json(&r->ack, &r->ack_share), "triage",
			 times_json(&r->triage), "fix",
			 share_json(&r->fix, &r->fix_share));
}

static int sla_json(const struct al_vault *v, const struct al_sla *s)
{
	const struct al_policy *p = &v->policy;
	json_t *doc, *rows = json_object();

	for (int k = 0; rows && k < AL_SLA_ALL; k++)
		if (json_object_set_new(rows, row_names[k],
					row_json(&s->rows[k]))) {
			json_decref(rows);
			rows = NULL;
		}
	doc = json_pack("{s:o, s:{s:I, s:{s:I, s:I, s:I, s:I}}, s:o, s:o}",
			"at", time_json(s->now), "policy", "acknowledge_hours",
			(json_int_t)p->ack_hours, "fix_days", "critical",
			(json_int_t)p->fix_days[AL_RATING_CRITICAL], "high",
			(json_int_t)p->fix_days[AL_RATING_HIGH], "medium",
			(json_int_t)p->fix_days[AL_RATING_MEDIUM], "low",
			(json_int_t)p->fix_days[AL_RATING_LOW], "ratings", rows,
			"all", row_json(&s->rows[AL_SLA_ALL]));
	return print_doc(doc);
}

static void span_or_dash(int64_t count, int64_t secs, char *out, size_t n)
{
	if (count)
		al_due_span(secs, out, n);
	else
		snprintf(out, n, "-");
	/* a negative time (a clock set back) keeps its sign */
	if (count && secs < 0) {
		char tmp[32];

		snprintf(tmp, sizeof(tmp), "-%s", out);
		snprintf(out, n, "%s", tmp);
	}
}

/* rating, count, median, 90%, max (padded when a share follows) */
static void print_times(const char *name, const struct al_sla_times *t,
			bool more)
{
	char med[32], p90[32], max[32];

	span_or_dash(t->count, t->median, med, sizeof(med));
	span_or_dash(t->count, t->p90, p90, sizeof(p90));
	span_or_dash(t->count, t->max, max, sizeof(max));
	printf("%-9s %7lld  %-9s %-9s %-*s", name, (long long)t->count, med,
	       p90, more ? 9 : 0, max);
}

static void print_share(const struct al_sla_share *s)
{
	int pct = al_sla_percent(s);
	char p[16];

	if (pct < 0)
		snprintf(p, sizeof(p), "-");
	else
		snprintf(p, sizeof(p), "%d%%", pct);
	printf("  %6lld  %6lld  %7lld  %5s", (long long)s->met,
	       (long long)s->missed, (long long)s->pending, p);
}

static void sla_text(const struct al_vault *v, const struct al_sla *s)
{
	const struct al_policy *p = &v->policy;
	static const char head[] = "rating      count  median    90%       max";
	char when[AL_RFC3339_LEN];

	al_time_format(s->now, when);
	printf("SLA at %s (reports: %lld)\n\n", when,
	       (long long)s->rows[AL_SLA_ALL].reports);
	printf("time to acknowledge (policy: within %uh of the import)\n",
	       p->ack_hours);
	printf("%s        within  missed  pending  share\n", head);
	for (int k = 0; k < AL_SLA_ROWS; k++) {
		print_times(row_names[k], &s->rows[k].ack, true);
		print_share(&s->rows[k].ack_share);
		putchar('\n');
	}
	printf("\ntime to triage (from the import)\n%s\n", head);
	for (int k = 0; k < AL_SLA_ROWS; k++) {
		print_times(row_names[k], &s->rows[k].triage, false);
		putchar('\n');
	}
	printf("\ntime to fix (from the first triage; policy: critical %ud, "
	       "high %ud, medium %ud, low %ud)\n",
	       p->fix_days[AL_RATING_CRITICAL], p->fix_days[AL_RATING_HIGH],
	       p->fix_days[AL_RATING_MEDIUM], p->fix_days[AL_RATING_LOW]);
	printf("%s        within  missed  pending  share\n", head);
	for (int k = 0; k < AL_SLA_ROWS; k++) {
		print_times(row_names[k], &s->rows[k].fix, true);
		print_share(&s->rows[k].fix_share);
		putchar('\n');
	}
}

int cmd_sla(int argc, char **argv)
{
	struct al_error err = {0};
	struct al_vault *v = NULL;
	struct al_sla s;
	int64_t now;
	bool json = false;
	int rc;

	if ((rc = parse(argc, argv, sla_usage, NULL, NULL, &json)))
		return rc < 0 ? rc : 0;
	if ((rc = start(&v, &now)))
		return rc;
	if ((rc = al_vault_sla(v, now, &s, &err))) {
		vault_fail(&err);
		goto out;
	}
	if (json) {
		rc = sla_json(v, &s);
		goto out;
	}
	sla_text(v, &s);
	if (fflush(stdout))
		rc = AL_EIO;
out:
	al_vault_close(v);
	return rc;
}
