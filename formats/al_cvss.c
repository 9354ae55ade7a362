/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CVSS v3.1 and v4.0 base vectors: parse, validate, normalise, score.
 * docs/cvss.md describes what is accepted and every choice made here.
 */
#include "al_cvss.h"
#include "al_cvss40_tables.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Longest input looked at.  A full base vector is at most 63 bytes (v4.0);
 * anything much longer is not a base vector. */
#define AL_CVSS_MAX_INPUT 128
/* Longest piece of untrusted text quoted back in a message. */
#define AL_CVSS_QUOTE_MAX   24
#define AL_CVSS_MAX_METRICS 11

struct cvss_metric {
	const char *name;
	const char *values; /* allowed one-letter values */
};

struct cvss_version {
	enum al_cvss_version version;
	const char *label; /* "3.1" */
	const struct cvss_metric *base;
	size_t nbase;
	const char *const *other; /* metrics of the version that are not base */
	size_t nother;
	bool ordered; /* the specification fixes the order */
	const char *order_text;
};

/* CVSS v3.1 specification, section 6, table 15 (base group) */
static const struct cvss_metric cvss31_base[] = {
	{"AV", "NALP"}, {"AC", "LH"}, {"PR", "NLH"}, {"UI", "NR"},
	{"S", "UC"},    {"C", "HLN"}, {"I", "HLN"},  {"A", "HLN"},
};
static const char *const cvss31_other[] = {
	"E",   "RL",  "RC",  "CR", "IR", "AR", "MAV",
	"MAC", "MPR", "MUI", "MS", "MC", "MI", "MA",
};

/* CVSS v4.0 specification, section 7, table 23 (base group) */
static const struct cvss_metric cvss40_base[] = {
	{"AV", "NALP"}, {"AC", "LH"},  {"AT", "NP"},  {"PR", "NLH"},
	{"UI", "NPA"},  {"VC", "HLN"}, {"VI", "HLN"}, {"VA", "HLN"},
	{"SC", "HLN"},  {"SI", "HLN"}, {"SA", "HLN"},
};
static const char *const cvss40_other[] = {
	"E",   "CR",  "IR",  "AR",  "MAV", "MAC", "MAT",
	"MPR", "MUI", "MVC", "MVI", "MVA", "MSC", "MSI",
	"MSA", "S",   "AU",  "R",   "V",   "RE",  "U",
};

static const struct cvss_version cvss_versions[] = {
	{AL_CVSS_V31, "3.1", cvss31_base,
	 sizeof(cvss31_base) / sizeof(cvss31_base[0]), cvss31_other,
	 sizeof(cvss31_other) / sizeof(cvss31_other[0]), false, NULL},
	{AL_CVSS_V40, "4.0", cvss40_base,
	 sizeof(cvss40_base) / sizeof(cvss40_base[0]), cvss40_other,
	 sizeof(cvss40_other) / sizeof(cvss40_other[0]), true,
	 "AV/AC/AT/PR/UI/VC/VI/VA/SC/SI/SA"},
};

/* ---- parsing ------------------------------------------------------------ */

static int cvss_check_bytes(const char *s, size_t len, struct al_error *err)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || (c >= '\t' && c <= '\r'))
			return al_error_set(err, AL_EINVAL,
					    "cvss: vector contains whitespace "
					    "at offset %zu",
					    i);
		if (c < 0x21 || c > 0x7e)
			return al_error_set(err, AL_EINVAL,
					    "cvss: vector contains byte 0x%02x "
					    "at offset %zu (only printable "
					    "ASCII is allowed)",
					    c, i);
	}
	return 0;
}

/* Read "CVSS:<version>" and leave *pos just past it. */
static int cvss_parse_prefix(const char *s, size_t len, size_t *pos,
			     const struct cvss_version **ver,
			     struct al_error *err)
{
	static const char tag[] = "CVSS:";
	size_t taglen = sizeof(tag) - 1;
	size_t vlen = 0;

	if (len < taglen || memcmp(s, tag, taglen) != 0)
		return al_error_set(err, AL_EINVAL,
				    "cvss: vector does not start with "
				    "'CVSS:3.1/' or 'CVSS:4.0/'");
	while (taglen + vlen < len && s[taglen + vlen] != '/')
		vlen++;
	for (size_t i = 0; i < sizeof(cvss_versions) / sizeof(cvss_versions[0]);
	     i++) {
		const char *label = cvss_versions[i].label;
		if (vlen == strlen(label) &&
		    memcmp(s + taglen, label, vlen) == 0) {
			*ver = &cvss_versions[i];
			*pos = taglen + vlen;
			return 0;
		}
	}
	if (vlen == 0)
		return al_error_set(
			err, AL_EINVAL,
			"cvss: vector has no version after 'CVSS:'");
	if (vlen == 3 && memcmp(s + taglen, "3.0", 3) == 0)
		return al_error_set(err, AL_EINVAL,
				    "cvss: version '3.0' is not supported "
				    "(Airlock takes CVSS 3.1 and 4.0; rescore "
				    "the vector as 3.1)");
	return al_error_set(
		err, AL_EINVAL,
		"cvss: version '%.*s' is not supported (Airlock "
		"takes CVSS 3.1 and 4.0)",
		(int)(vlen > AL_CVSS_QUOTE_MAX ? AL_CVSS_QUOTE_MAX : vlen),
		s + taglen);
}

static bool cvss_is_other(const struct cvss_version *ver, const char *name,
			  size_t len)
{
	for (size_t i = 0; i < ver->nother; i++)
		if (strlen(ver->other[i]) == len &&
		    memcmp(ver->other[i], name, len) == 0)
			return true;
	return false;
}

static int cvss_find_base(const struct cvss_version *ver, const char *name,
			  size_t len)
{
	for (size_t i = 0; i < ver->nbase; i++)
		if (strlen(ver->base[i].name) == len &&
		    memcmp(ver->base[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

static int cvss_quote_len(size_t len)
{
	return (int)(len > AL_CVSS_QUOTE_MAX ? AL_CVSS_QUOTE_MAX : len);
}

/* One "name:value" component s[0..len); records the value in vals. */
static int cvss_parse_component(const struct cvss_version *ver, const char *s,
				size_t len, char *vals, int *last,
				struct al_error *err)
{
	const char *colon = memchr(s, ':', len);
	size_t nlen, vlen;
	const char *value;
	const struct cvss_metric *m;
	int idx;

	if (!colon)
		return al_error_set(err, AL_EINVAL,
				    "cvss: component '%.*s' is not of the "
				    "form metric:value",
				    cvss_quote_len(len), s);
	nlen = (size_t)(colon - s);
	value = colon + 1;
	vlen = len - nlen - 1;
	if (nlen == 0)
		return al_error_set(err, AL_EINVAL,
				    "cvss: component '%.*s' has no metric name",
				    cvss_quote_len(len), s);
	idx = cvss_find_base(ver, s, nlen);
	if (idx < 0) {
		if (cvss_is_other(ver, s, nlen))
			return al_error_set(err, AL_EINVAL,
					    "cvss: '%.*s' is not a base metric "
					    "(Airlock takes base vectors only)",
					    (int)nlen, s);
		return al_error_set(err, AL_EINVAL,
				    "cvss: unknown metric '%.*s' in a CVSS %s "
				    "vector",
				    cvss_quote_len(nlen), s, ver->label);
	}
	m = &ver->base[idx];
	if (vals[idx])
		return al_error_set(err, AL_EINVAL,
				    "cvss: metric '%s' appears more than once",
				    m->name);
	if (vlen == 0)
		return al_error_set(err, AL_EINVAL,
				    "cvss: metric '%s' has no value", m->name);
	if (vlen != 1 || !memchr(m->values, value[0], strlen(m->values)))
		return al_error_set(err, AL_EINVAL,
				    "cvss: metric '%s' has no value '%.*s'",
				    m->name, cvss_quote_len(vlen), value);
	if (ver->ordered && idx < *last)
		return al_error_set(err, AL_EINVAL,
				    "cvss: metric '%s' is out of order (CVSS "
				    "%s lists base metrics as %s)",
				    m->name, ver->label, ver->order_text);
	vals[idx] = value[0];
	*last = idx;
	return 0;
}

/* The metrics after the prefix: s[pos..len) is "/name:value/...". */
static int cvss_parse_metrics(const struct cvss_version *ver, const char *s,
			      size_t len, size_t pos, char *vals,
			      struct al_error *err)
{
	int last = -1;
	int rc;

	if (pos == len)
		return al_error_set(err, AL_EINVAL,
				    "cvss: vector 'CVSS:%s' has no metrics",
				    ver->label);
	while (pos < len) {
		size_t start, end;
		/* s[pos] is '/' here: the prefix scan and the loop stop there */
		start = pos + 1;
		end = start;
		while (end < len && s[end] != '/')
			end++;
		if (end == start) {
			if (start == len)
				return al_error_set(err, AL_EINVAL,
						    "cvss: vector ends with "
						    "'/'");
			return al_error_set(err, AL_EINVAL,
					    "cvss: empty component at offset "
					    "%zu",
					    start);
		}
		rc = cvss_parse_component(ver, s + start, end - start, vals,
					  &last, err);
		if (rc < 0)
			return rc;
		pos = end;
	}
	for (size_t i = 0; i < ver->nbase; i++)
		if (!vals[i])
			return al_error_set(err, AL_EINVAL,
					    "cvss: base metric '%s' is missing",
					    ver->base[i].name);
	return 0;
}

/* ---- CVSS v3.1 score -------------------------------------------------- */

/*
 * Roundup from the v3.1 specification, Appendix A: the smallest number with
 * one decimal that is at least x, computed on x rounded to five decimals so
 * that 4.000000000000001 is 4.0.  Returns tenths.  x is in [0, 10].
 */
static int cvss31_roundup10(double x)
{
	long long i = (long long)(x * 100000.0 + 0.5);

	if (i % 10000 == 0)
		return (int)(i / 10000);
	return (int)(i / 10000 + 1);
}

static double cvss31_weight(char metric, char v, bool changed)
{
	switch (metric) {
	case 'V': /* AV */
		return v == 'N'   ? 0.85
		       : v == 'A' ? 0.62
		       : v == 'L' ? 0.55
				  : 0.2;
	case 'X': /* AC */
		return v == 'L' ? 0.77 : 0.44;
	case 'P': /* PR */
		if (v == 'N')
			return 0.85;
		if (v == 'L')
			return changed ? 0.68 : 0.62;
		return changed ? 0.5 : 0.27;
	case 'U': /* UI */
		return v == 'N' ? 0.85 : 0.62;
	default: /* C, I, A */
		return v == 'H' ? 0.56 : v == 'L' ? 0.22 : 0.0;
	}
}

/* vals in table 15 order: AV AC PR UI S C I A */
static int cvss31_score10(const char *vals)
{
	bool changed = vals[4] == 'C';
	double iss, impact, expl, base, p;

	iss = 1.0 - ((1.0 - cvss31_weight('C', vals[5], changed)) *
		     (1.0 - cvss31_weight('C', vals[6], changed)) *
		     (1.0 - cvss31_weight('C', vals[7], changed)));
	if (changed) {
		p = 1.0; /* (ISS - 0.02)^15 without libm */
		for (int i = 0; i < 15; i++)
			p *= iss - 0.02;
		impact = 7.52 * (iss - 0.029) - 3.25 * p;
	} else {
		impact = 6.42 * iss;
	}
	expl = 8.22 * cvss31_weight('V', vals[0], changed) *
	       cvss31_weight('X', vals[1], changed) *
	       cvss31_weight('P', vals[2], changed) *
	       cvss31_weight('U', vals[3], changed);
	if (impact <= 0)
		return 0;
	base = changed ? 1.08 * (impact + expl) : impact + expl;
	if (base > 10.0)
		base = 10.0;
	return cvss31_roundup10(base);
}

/* ---- CVSS v4.0 score -------------------------------------------------- */

/* Index of each metric in the severity-distance arrays of the tables. */
enum {
	D_AV,
	D_PR,
	D_UI,
	D_AC,
	D_AT,
	D_VC,
	D_VI,
	D_VA,
	D_SC,
	D_SI,
	D_SA,
	D_CR,
	D_IR,
	D_AR,
	D_N
};

/* vals in table 23 order: AV AC AT PR UI VC VI VA SC SI SA */
enum { V_AV, V_AC, V_AT, V_PR, V_UI, V_VC, V_VI, V_VA, V_SC, V_SI, V_SA };

/* Severity level of a value, in 0.1 steps, as the calculator numbers them
 * (0 most severe).  SC counts from 1 because it has no "S" value. */
static int cvss40_level(int d, char v)
{
	switch (d) {
	case D_AV:
		return v == 'N' ? 0 : v == 'A' ? 1 : v == 'L' ? 2 : 3;
	case D_PR:
		return v == 'N' ? 0 : v == 'L' ? 1 : 2;
	case D_UI:
		return v == 'N' ? 0 : v == 'P' ? 1 : 2;
	case D_AC:
		return v == 'L' ? 0 : 1;
	case D_AT:
		return v == 'N' ? 0 : 1;
	case D_SC:
	case D_SI:
	case D_SA:
		return v == 'S' ? 0 : v == 'H' ? 1 : v == 'L' ? 2 : 3;
	default: /* VC VI VA */
		return v == 'H' ? 0 : v == 'L' ? 1 : 2;
	}
}

/* Score of a MacroVector in tenths, -1 if it does not exist. */
static int cvss40_lookup(int e1, int e2, int e3, int e4, int e5, int e6)
{
	if (e1 < 0 || e1 > 2 || e2 < 0 || e2 > 1 || e3 < 0 || e3 > 2 ||
	    e4 < 0 || e4 > 2 || e5 < 0 || e5 > 2 || e6 < 0 || e6 > 1)
		return -1;
	return al_cvss40_lookup[e1][e2][e3][e4][e5][e6];
}

static void cvss40_overlay(int *max, const signed char *frag)
{
	for (int d = 0; d < D_N; d++)
		if (frag[d] >= 0)
			max[d] = frag[d];
}

/*
 * The highest-severity vector of the MacroVector that the calculator
 * measures from: the first, in its composition order, that the vector does
 * not exceed in any metric.  If none qualifies the last one tried is kept,
 * as the calculator keeps the distances of its last try.
 */
static void cvss40_max_vector(const int *sel, int e1, int e2, int e3, int e4,
			      int e6, int *max)
{
	unsigned n1 = al_cvss40_max_n_eq1[e1], n2 = al_cvss40_max_n_eq2[e2];
	unsigned n3 = al_cvss40_max_n_eq3eq6[e3][e6];
	unsigned n4 = al_cvss40_max_n_eq4[e4];

	memset(max, 0, sizeof(int) * D_N);
	for (unsigned i1 = 0; i1 < n1; i1++)
		for (unsigned i2 = 0; i2 < n2; i2++)
			for (unsigned i3 = 0; i3 < n3; i3++)
				for (unsigned i4 = 0; i4 < n4; i4++) {
					bool ok = true;
					memset(max, 0, sizeof(int) * D_N);
					cvss40_overlay(
						max, al_cvss40_max_eq1[e1][i1]);
					cvss40_overlay(
						max, al_cvss40_max_eq2[e2][i2]);
					cvss40_overlay(
						max,
						al_cvss40_max_eq3eq6[e3][e6]
								    [i3]);
					cvss40_overlay(
						max, al_cvss40_max_eq4[e4][i4]);
					for (int d = 0; d < D_N; d++)
						if (sel[d] < max[d])
							ok = false;
					if (ok)
						return;
				}
}

/* A level or a table score as the calculator holds it: the double nearest
 * k/10, which is what its literals 0.1, 9.8, ... are. */
static double cvss40_tenths(int k)
{
	return (double)k / 10.0;
}

/* JavaScript's Math.round for 0 <= x <= 100: nearest, halves up. */
static int cvss40_js_round(double x)
{
	long long t = (long long)x; /* floor, since x >= 0 */
	double frac = x - (double)t;

	return (int)(frac >= 0.5 ? t + 1 : t);
}

/*
 * The score of the MacroVector less the mean proportional distance to the
 * next lower MacroVectors (specification section 8), rounded to one
 * decimal.  This is done in IEEE doubles with the official calculator's
 * operations in its order, one operation a statement (so that no compiler
 * fuses a multiply and an add), because the calculator's answer is the
 * reference: where the exact mean ends in a 5 in the second decimal, the
 * calculator's rounding error decides the score (docs/cvss.md).
 */
static int cvss40_interpolate(int value10, const int *low10, const int *sel,
			      const int *max, const int *depth)
{
	double d[D_N], cur[4], value, norm, sum = 0.0, mean, v;
	int n = 0;

	for (int i = 0; i < D_N; i++)
		d[i] = cvss40_tenths(sel[i]) - cvss40_tenths(max[i]);
	cur[0] = d[D_AV] + d[D_PR];
	cur[0] = cur[0] + d[D_UI];
	cur[1] = d[D_AC] + d[D_AT];
	cur[2] = d[D_VC] + d[D_VI];
	cur[2] = cur[2] + d[D_VA];
	cur[2] = cur[2] + d[D_CR];
	cur[2] = cur[2] + d[D_IR];
	cur[2] = cur[2] + d[D_AR];
	cur[3] = d[D_SC] + d[D_SI];
	cur[3] = cur[3] + d[D_SA];

	value = cvss40_tenths(value10);
	for (int i = 0; i < 4; i++) {
		double avail, step_depth, pct;
		if (low10[i] < 0)
			continue; /* no lower MacroVector: left out */
		n++;
		avail = value - cvss40_tenths(low10[i]);
		step_depth = (double)depth[i] * 0.1;
		pct = cur[i] / step_depth;
		norm = avail * pct;
		sum = sum + norm;
	}
	if (low10[4] >= 0)
		n++; /* EQ5 counts, with a proportion of 0 */
	mean = n ? sum / (double)n : 0.0;
	v = value - mean;
	if (v < 0.0)
		v = 0.0;
	if (v > 10.0)
		v = 10.0;
	v = v * 10.0;
	return cvss40_js_round(v);
}

static int cvss40_score10(const char *vals)
{
	int sel[D_N], max[D_N];
	int e1, e2, e3, e4, e5 = 0, e6, value, low[5], depth[4];
	bool av_n = vals[V_AV] == 'N', pr_n = vals[V_PR] == 'N',
	     ui_n = vals[V_UI] == 'N';
	bool vc_h = vals[V_VC] == 'H', vi_h = vals[V_VI] == 'H',
	     va_h = vals[V_VA] == 'H';

	/* no impact on any system: 0, before any lookup */
	if (vals[V_VC] == 'N' && vals[V_VI] == 'N' && vals[V_VA] == 'N' &&
	    vals[V_SC] == 'N' && vals[V_SI] == 'N' && vals[V_SA] == 'N')
		return 0;

	/* equivalence classes of a base vector: threat and environmental
	 * metrics are at their defaults (E:A, CR/IR/AR:H, no modified
	 * metrics), so EQ5 is 0 and EQ4 cannot be 0 */
	if (av_n && pr_n && ui_n)
		e1 = 0;
	else if ((av_n || pr_n || ui_n) && vals[V_AV] != 'P')
		e1 = 1;
	else
		e1 = 2;
	e2 = (vals[V_AC] == 'L' && vals[V_AT] == 'N') ? 0 : 1;
	if (vc_h && vi_h)
		e3 = 0;
	else if (vc_h || vi_h || va_h)
		e3 = 1;
	else
		e3 = 2;
	e4 = (vals[V_SC] == 'H' || vals[V_SI] == 'H' || vals[V_SA] == 'H') ? 1
									   : 2;
	e6 = (vc_h || vi_h || va_h) ? 0 : 1;

	value = cvss40_lookup(e1, e2, e3, e4, e5, e6);
	if (value < 0)
		return -1; /* cannot happen for a base vector */

	/* next lower MacroVector of each EQ (EQ3 and EQ6 move together) */
	low[0] = cvss40_lookup(e1 + 1, e2, e3, e4, e5, e6);
	low[1] = cvss40_lookup(e1, e2 + 1, e3, e4, e5, e6);
	if (e3 == 0 && e6 == 0) {
		/* two ways down: the higher-scoring one (both always exist
		 * in the table; if one did not, the calculator would get NaN
		 * and leave EQ3/EQ6 out, as this does) */
		int left = cvss40_lookup(e1, e2, e3, e4, e5, e6 + 1);
		int right = cvss40_lookup(e1, e2, e3 + 1, e4, e5, e6);
		low[2] = (left < 0 || right < 0) ? -1
			 : left > right          ? left
						 : right;
	} else if (e3 == 1 && e6 == 0) {
		low[2] = cvss40_lookup(e1, e2, e3, e4, e5, e6 + 1);
	} else if (e3 <= 1 && e6 == 1) {
		low[2] = cvss40_lookup(e1, e2, e3 + 1, e4, e5, e6);
	} else {
		low[2] = cvss40_lookup(e1, e2, e3 + 1, e4, e5, e6 + 1);
	}
	low[3] = cvss40_lookup(e1, e2, e3, e4 + 1, e5, e6);
	low[4] = cvss40_lookup(e1, e2, e3, e4, e5 + 1, e6);

	sel[D_AV] = cvss40_level(D_AV, vals[V_AV]);
	sel[D_PR] = cvss40_level(D_PR, vals[V_PR]);
	sel[D_UI] = cvss40_level(D_UI, vals[V_UI]);
	sel[D_AC] = cvss40_level(D_AC, vals[V_AC]);
	sel[D_AT] = cvss40_level(D_AT, vals[V_AT]);
	sel[D_VC] = cvss40_level(D_VC, vals[V_VC]);
	sel[D_VI] = cvss40_level(D_VI, vals[V_VI]);
	sel[D_VA] = cvss40_level(D_VA, vals[V_VA]);
	sel[D_SC] = cvss40_level(D_SC, vals[V_SC]);
	sel[D_SI] = cvss40_level(D_SI, vals[V_SI]);
	sel[D_SA] = cvss40_level(D_SA, vals[V_SA]);
	sel[D_CR] = sel[D_IR] = sel[D_AR] = 0; /* CR/IR/AR default to H */
	cvss40_max_vector(sel, e1, e2, e3, e4, e6, max);

	depth[0] = al_cvss40_max_sev_eq1[e1];
	depth[1] = al_cvss40_max_sev_eq2[e2];
	depth[2] = al_cvss40_max_sev_eq3eq6[e3][e6];
	depth[3] = al_cvss40_max_sev_eq4[e4];
	for (int i = 0; i < 4; i++)
		if (low[i] >= 0 && depth[i] <= 0)
			return -1; /* table error: a set without a depth */
	return cvss40_interpolate(value, low, sel, max, depth);
}

/* ---- public ----------------------------------------------------------- */

const char *al_cvss_rating(int score10)
{
	if (score10 < 0 || score10 > 100)
		return "invalid";
	if (score10 == 0)
		return "none";
	if (score10 < 40)
		return "low";
	if (score10 < 70)
		return "medium";
	if (score10 < 90)
		return "high";
	return "critical";
}

static int cvss_format(const struct cvss_version *ver, const char *vals,
		       char *buf, size_t bufsz)
{
	size_t off;
	int n = snprintf(buf, bufsz, "CVSS:%s", ver->label);

	if (n < 0 || (size_t)n >= bufsz)
		return -1;
	off = (size_t)n;
	for (size_t i = 0; i < ver->nbase; i++) {
		n = snprintf(buf + off, bufsz - off, "/%s:%c",
			     ver->base[i].name, vals[i]);
		if (n < 0 || (size_t)n >= bufsz - off)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

int al_cvss_parse(const char *vector, struct al_cvss *out, struct al_error *err)
{
	const struct cvss_version *ver = NULL;
	char vals[AL_CVSS_MAX_METRICS] = {0};
	size_t len, pos = 0;
	int rc, score;

	if (!out)
		return al_error_set(err, AL_EUSAGE, "cvss: no output given");
	memset(out, 0, sizeof(*out));
	if (!vector) {
		rc = al_error_set(err, AL_EINVAL, "cvss: no vector given");
		goto out;
	}
	len = strnlen(vector, AL_CVSS_MAX_INPUT + 1);
	if (len == 0) {
		rc = al_error_set(err, AL_EINVAL, "cvss: vector is empty");
		goto out;
	}
	if (len > AL_CVSS_MAX_INPUT) {
		rc = al_error_set(err, AL_EINVAL,
				  "cvss: vector is longer than %d bytes",
				  AL_CVSS_MAX_INPUT);
		goto out;
	}
	rc = cvss_check_bytes(vector, len, err);
	if (rc < 0)
		goto out;
	rc = cvss_parse_prefix(vector, len, &pos, &ver, err);
	if (rc < 0)
		goto out;
	rc = cvss_parse_metrics(ver, vector, len, pos, vals, err);
	if (rc < 0)
		goto out;

	score = ver->version == AL_CVSS_V31 ? cvss31_score10(vals)
					    : cvss40_score10(vals);
	if (score < 0 || score > 100 ||
	    cvss_format(ver, vals, out->vector, sizeof(out->vector)) < 0) {
		rc = al_error_set(err, AL_EINVAL,
				  "cvss: cannot score vector (internal "
				  "table error)");
		goto out;
	}
	out->version = ver->version;
	out->score10 = score;
	out->rating = al_cvss_rating(score);
	al_error_clear(err);
	rc = 0;
out:
	if (rc < 0)
		memset(out, 0, sizeof(*out));
	return rc;
}
