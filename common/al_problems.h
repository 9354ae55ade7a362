/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_PROBLEMS_H
#define AL_PROBLEMS_H

#include <stddef.h>

/*
 * A list of every problem found in one input, for checks that report all
 * of them at once ("report.md:12: ..."), unlike al_error which stops at the
 * first.  line is 1-based, 0 when the problem has no line (a missing
 * section, a manifest field).  The list is capped at AL_PROBLEMS_MAX; past
 * that, "truncated" is set and further problems are counted only.
 */
#define AL_PROBLEMS_MAX 200

struct al_problem {
	unsigned line;
	char msg[512];
};

struct al_problems {
	struct al_problem *v;
	size_t n;
	size_t cap;
	size_t dropped; /* problems past AL_PROBLEMS_MAX or lost to ENOMEM */
};

void al_problems_init(struct al_problems *p);
void al_problems_release(struct al_problems *p);

/* Add a problem; never fails (on ENOMEM or past the cap it is counted in
 * dropped). */
void al_problems_add(struct al_problems *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Total problems found, listed or dropped. */
size_t al_problems_count(const struct al_problems *p);

/* Sort by line, stably (problems with line 0 last). */
void al_problems_sort(struct al_problems *p);

#endif
