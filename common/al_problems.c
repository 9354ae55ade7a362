/* SPDX-License-Identifier: Apache-2.0 */
#include "al_problems.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void al_problems_init(struct al_problems *p)
{
	memset(p, 0, sizeof(*p));
}

void al_problems_release(struct al_problems *p)
{
	if (!p)
		return;
	free(p->v);
	memset(p, 0, sizeof(*p));
}

void al_problems_add(struct al_problems *p, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (p->n >= AL_PROBLEMS_MAX) {
		p->dropped++;
		return;
	}
	if (p->n == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 8;
		struct al_problem *nv = realloc(p->v, ncap * sizeof(*nv));
		if (!nv) {
			p->dropped++;
			return;
		}
		p->v = nv;
		p->cap = ncap;
	}
	p->v[p->n].line = line;
	va_start(ap, fmt);
	vsnprintf(p->v[p->n].msg, sizeof(p->v[p->n].msg), fmt, ap);
	va_end(ap);
	p->n++;
}

size_t al_problems_count(const struct al_problems *p)
{
	return p->n + p->dropped;
}

static unsigned sort_key(unsigned line)
{
	return line ? line : (unsigned)-1;
}

void al_problems_sort(struct al_problems *p)
{
	/* insertion sort: stable, and lists are short */
	for (size_t i = 1; i < p->n; i++) {
		struct al_problem t = p->v[i];
		size_t j = i;
		while (j > 0 && sort_key(p->v[j - 1].line) > sort_key(t.line)) {
			p->v[j] = p->v[j - 1];
			j--;
		}
		p->v[j] = t;
	}
}
