/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Comparing two reports (al_dedup.h): the features of a pair, their
 * logistic combination, the verdict and a reason per axis.  Pure: what a
 * report is comes from its metas row and its terms; document frequencies
 * come from the caller.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "al_dedup.h"
#include "al_vrange.h"

const char *const al_dedup_feature_names[AL_DF_COUNT] = {
	"text",      "rare",    "vshare", "vdisjoint",
	"rdisjoint", "package", "class",  "cwe",
};

/*
 * The weights of the features, then the bias: fitted by `bench/dedup
 * --fit` on half A of the evaluation set (docs/dedup.md).
 */
static const double weights[AL_DF_COUNT + 1] = {
	2.95, 2.46, 0.0, -2.03, -1.76, 0.0, 0.0, 0.0, -1.68,
};

/* A shared term no other report has (df counts both), in a vault large
 * enough for that to mean something: among a few reports most terms are. */
#define RARE_DF       2
#define RARE_MIN_DOCS 50
#define RARE_FULL     5.0
/* An attachment shared is as good as this score. */
#define EXACT_SCORE 0.99

const char *al_dup_verdict_name(enum al_dup_verdict v)
{
	return v == AL_DUP_LIKELY     ? "likely"
	       : v == AL_DUP_POSSIBLE ? "possible"
				      : NULL;
}

const char *al_dup_axis_name(enum al_dup_axis_id a)
{
	static const char *const names[AL_AXIS_COUNT] = {"exact", "structural",
							 "textual", "reporter"};

	return a < AL_AXIS_COUNT ? names[a] : "?";
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static double sigmoid(double z)
{
	return 1.0 / (1.0 + exp(-z));
}

/* ---- packages ---- */

/* name normalised for its ecosystem into out (size outsz). */
static void norm_name(const char *eco, const char *name, char *out,
		      size_t outsz)
{
	size_t n = 0, len = strlen(name);
	bool pypi = !strcasecmp(eco, "PyPI");

	/* Go: a module's major-version suffix names the same code */
	if (!strcasecmp(eco, "Go") && len > 3) {
		const char *s = strrchr(name, '/');

		if (s && s[1] == 'v' && s[2] &&
		    strspn(s + 2, "0123456789") == strlen(s + 2))
			len = (size_t)(s - name);
	}
	for (size_t i = 0; i < len && n + 1 < outsz; i++) {
		char c = (char)tolower((unsigned char)name[i]);

		if (pypi && (c == '_' || c == '.' || c == '-')) {
			if (n && out[n - 1] == '-')
				continue;
			c = '-';
		}
		out[n++] = c;
	}
	out[n] = '\0';
}

json_t *al_dedup_packages(const json_t *meta)
{
	const json_t *aff = json_object_get(meta, "affected"), *a;
	json_t *out = json_array();
	size_t i;

	if (!out)
		return NULL;
	json_array_foreach(aff, i, a)
	{
		const json_t *pkg = json_object_get(a, "package");
		const char *eco = str(pkg, "ecosystem"),
			   *name = str(pkg, "name");
		char norm[512], full[600];
		bool seen = false;
		size_t j;
		json_t *x;

		if (!eco || !name)
			continue;
		norm_name(eco, name, norm, sizeof(norm));
		snprintf(full, sizeof(full), "%s/%s", eco, norm);
		json_array_foreach(out, j, x) seen |=
			!strcmp(json_string_value(x), full);
		if (!seen && json_array_append_new(out, json_string(full))) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

static bool in_array(const json_t *arr, const char *s)
{
	size_t i;
	json_t *x;

	json_array_foreach(arr, i,
			   x) if (json_is_string(x) &&
				  !strcmp(json_string_value(x), s)) return true;
	return false;
}

/*
 * Packages in common (*shared, the first into first), and whether every
 * shared package's affected sets share no version (*disjoint).
 */
static int packages(const json_t *qm, const json_t *cm, size_t *shared,
		    char *first, size_t firstsz, bool *disjoint,
		    struct al_error *err)
{
	json_t *qp = al_dedup_packages(qm), *cp = al_dedup_packages(cm), *x;
	size_t i;
	int checked = 0, overlapping = 0;

	*shared = 0;
	*disjoint = false;
	first[0] = '\0';
	if (!qp || !cp) {
		json_decref(qp);
		json_decref(cp);
		return al_error_set(err, AL_ENOMEM, "out of memory");
	}
	json_array_foreach(qp, i, x)
	{
		const char *p = json_string_value(x);

		if (!in_array(cp, p))
			continue;
		if (!(*shared)++)
			snprintf(first, firstsz, "%s", p);
	}
	/* the ranges of each pair of affected entries of one package */
	if (*shared) {
		const json_t *qa = json_object_get(qm, "affected");
		const json_t *ca = json_object_get(cm, "affected"), *a, *b;
		size_t j, k;

		json_array_foreach(qa, j, a)
		{
			json_array_foreach(ca, k, b)
			{
				const json_t *x1 =
					json_object_get(a, "package");
				const json_t *x2 =
					json_object_get(b, "package");
				char n1[512], n2[512];
				struct al_vset *s1 = NULL, *s2 = NULL;
				struct al_error e;
				bool ov = true;

				if (!str(x1, "ecosystem") ||
				    !str(x2, "ecosystem") || !str(x1, "name") ||
				    !str(x2, "name") ||
				    strcmp(str(x1, "ecosystem"),
					   str(x2, "ecosystem")))
					continue;
				norm_name(str(x1, "ecosystem"), str(x1, "name"),
					  n1, sizeof(n1));
				norm_name(str(x2, "ecosystem"), str(x2, "name"),
					  n2, sizeof(n2));
				if (strcmp(n1, n2))
					continue;
				if (al_vset_from_osv(a, &s1, &e) ||
				    al_vset_from_osv(b, &s2, &e) ||
				    al_vset_overlaps(s1, s2, &ov, &e)) {
					al_vset_free(s1);
					al_vset_free(s2);
					continue;
				}
				al_vset_free(s1);
				al_vset_free(s2);
				checked++;
				overlapping += ov;
			}
		}
	}
	*disjoint = checked && !overlapping;
	json_decref(qp);
	json_decref(cp);
	return 0;
}

/* ---- class, CWE, attachments, reporter ---- */

static int cwe_relation(const json_t *qm, const json_t *cm, char *which,
			size_t whichsz)
{
	const json_t *qc = json_object_get(qm, "cwe"),
		     *cc = json_object_get(cm, "cwe"), *x;
	size_t i;

	which[0] = '\0';
	if (!json_array_size(qc) || !json_array_size(cc))
		return 0;
	json_array_foreach(qc, i, x)
	{
		if (json_is_string(x) && in_array(cc, json_string_value(x))) {
			snprintf(which, whichsz, "%s", json_string_value(x));
			return 1;
		}
	}
	return -1;
}

static int class_relation(const json_t *qm, const json_t *cm)
{
	const char *a = str(qm, "class"), *b = str(cm, "class");

	if (!a || !b || !strcmp(a, "other") || !strcmp(b, "other"))
		return 0;
	return strcmp(a, b) ? -1 : 1;
}

/* A file both list (same SHA-256, not empty, not a key): its path. */
static const char *shared_file(const json_t *qm, const json_t *cm)
{
	const json_t *qf = json_object_get(qm, "files"),
		     *cf = json_object_get(cm, "files"), *a, *b;
	size_t i, j;

	json_array_foreach(qf, i, a)
	{
		const char *sha = str(a, "sha256"), *path = str(a, "path");

		if (!sha || !path || !strncmp(path, "keys/", 5) ||
		    json_integer_value(json_object_get(a, "size")) <= 0)
			continue;
		json_array_foreach(cf, j, b)
		{
			const char *p2 = str(b, "path");

			if (p2 && strncmp(p2, "keys/", 5) && str(b, "sha256") &&
			    !strcmp(str(b, "sha256"), sha))
				return path;
		}
	}
	return NULL;
}

static const char *contact(const json_t *m)
{
	const char *c = str(json_object_get(m, "reporter"), "contact");

	return c && *c ? c : NULL;
}

/* ---- text ---- */

static double idf(const struct al_dedup_corpus *c, uint32_t term)
{
	double n = (double)c->docs, df = c->df ? c->df(term, c->ctx) : 1;

	return log((n + 1.0) / (df + 1.0)) + 1.0;
}

static double weight(const struct al_dedup_corpus *c, const struct al_term *t)
{
	return (1.0 + log((double)t->tf)) * idf(c, t->hash);
}

struct textsim {
	double cosine;
	unsigned rare;
	unsigned vq, vc, vshared; /* version terms of each, shared */
};

static void text_compare(const struct al_terms *q, const struct al_terms *c,
			 const struct al_dedup_corpus *corpus,
			 struct textsim *out)
{
	double dot = 0, nq = 0, nc = 0;
	size_t i = 0, j = 0;

	memset(out, 0, sizeof(*out));
	while (i < q->n || j < c->n) {
		const struct al_term *a = i < q->n ? &q->v[i] : NULL;
		const struct al_term *b = j < c->n ? &c->v[j] : NULL;

		if (a && (!b || a->hash < b->hash)) {
			if (a->flags & AL_TERM_VERSION)
				out->vq++;
			else
				nq += pow(weight(corpus, a), 2);
			i++;
		} else if (b && (!a || b->hash < a->hash)) {
			if (b->flags & AL_TERM_VERSION)
				out->vc++;
			else
				nc += pow(weight(corpus, b), 2);
			j++;
		} else {
			bool va = a->flags & AL_TERM_VERSION,
			     vb = b->flags & AL_TERM_VERSION;

			if (va && vb) {
				out->vq++;
				out->vc++;
				out->vshared++;
			} else {
				double wa = weight(corpus, a),
				       wb = weight(corpus, b);

				if (va)
					out->vq++;
				else
					nq += wa * wa;
				if (vb)
					out->vc++;
				else
					nc += wb * wb;
				if (!va && !vb) {
					dot += wa * wb;
					if (corpus->df &&
					    corpus->docs >= RARE_MIN_DOCS &&
					    corpus->df(a->hash, corpus->ctx) <=
						    RARE_DF)
						out->rare++;
				}
			}
			i++;
			j++;
		}
	}
	out->cosine = nq > 0 && nc > 0 ? dot / sqrt(nq * nc) : 0;
	if (out->cosine > 1)
		out->cosine = 1;
}

/* ---- the pair ---- */

/* Add a clause to an axis's reason ("; " between clauses). */
static void axis_add(struct al_dup_axis *a, const char *what, const char *s)
{
	size_t n = strlen(a->why);

	a->set = true;
	snprintf(a->why + n, sizeof(a->why) - n, "%s%s%s", n ? "; " : "", what,
		 s ? s : "");
}

int al_dedup_compare(const struct al_dedup_doc *q, const struct al_dedup_doc *c,
		     const struct al_dedup_corpus *corpus,
		     struct al_dup_match *m, struct al_error *err)
{
	struct al_dup_axis *ex = &m->axes[AL_AXIS_EXACT],
			   *st = &m->axes[AL_AXIS_STRUCTURAL],
			   *tx = &m->axes[AL_AXIS_TEXTUAL],
			   *rp = &m->axes[AL_AXIS_REPORTER];
	double *f = m->features, z = weights[AL_DF_COUNT];
	char pkg[600], cwe[64], buf[300];
	struct textsim ts = {0};
	size_t shared = 0;
	bool rdis = false;
	const char *file;
	int rc, cls;

	memset(m, 0, sizeof(*m));
	if ((rc = packages(q->meta, c->meta, &shared, pkg, sizeof(pkg), &rdis,
			   err)))
		return rc;
	if (q->terms && c->terms)
		text_compare(q->terms, c->terms, corpus, &ts);
	cls = class_relation(q->meta, c->meta);
	f[AL_DF_TEXT] = ts.cosine;
	f[AL_DF_RARE] = fmin(ts.rare / RARE_FULL, 1.0);
	f[AL_DF_VSHARE] = ts.vshared ? 1 : 0;
	f[AL_DF_VDISJOINT] = ts.vq && ts.vc && !ts.vshared ? 1 : 0;
	f[AL_DF_RDISJOINT] = rdis ? 1 : 0;
	f[AL_DF_PACKAGE] = shared ? 1 : 0;
	f[AL_DF_CLASS] = cls;
	f[AL_DF_CWE] = cwe_relation(q->meta, c->meta, cwe, sizeof(cwe));

	for (int i = 0; i < AL_DF_COUNT; i++)
		z += weights[i] * f[i];
	m->score = sigmoid(z);

	/* textual */
	if (q->terms && c->terms) {
		snprintf(buf, sizeof(buf),
			 "text similarity %.2f (idf-weighted cosine of "
			 "title, description and steps)",
			 ts.cosine);
		axis_add(tx, buf, NULL);
		if (ts.rare) {
			snprintf(buf, sizeof(buf),
				 "%u rare term%s no other report has", ts.rare,
				 ts.rare == 1 ? "" : "s");
			axis_add(tx, buf, NULL);
		}
		tx->score = ts.cosine;
	} else {
		axis_add(tx,
			 "no text terms (imported before duplicate "
			 "detection)",
			 NULL);
	}

	/* structural: the share of what both say that agrees (package,
	 * affected versions, class, CWE); what the score makes of it is in
	 * the weights, which count only disagreement (docs/dedup.md) */
	{
		int agree = shared ? 1 : 0, known = 1;

		if (shared) {
			known++;
			agree += !rdis;
		}
		if (cls) {
			known++;
			agree += cls > 0;
		}
		if (f[AL_DF_CWE] != 0) {
			known++;
			agree += f[AL_DF_CWE] > 0;
		}
		st->score = (double)agree / known;
	}
	if (shared)
		axis_add(st, "same package ", pkg);
	else
		axis_add(st, "no package in common", NULL);
	if (rdis)
		axis_add(st, "affected versions do not overlap", NULL);
	if (ts.vshared) {
		snprintf(buf, sizeof(buf), "%u version%s in common", ts.vshared,
			 ts.vshared == 1 ? "" : "s");
		axis_add(st, buf, NULL);
	} else if (ts.vq && ts.vc) {
		axis_add(st, "no version in common", NULL);
	}
	if (cls > 0)
		axis_add(st, "same class ", str(q->meta, "class"));
	else if (cls < 0) {
		snprintf(buf, sizeof(buf), "classes differ (%s, %s)",
			 str(q->meta, "class"), str(c->meta, "class"));
		axis_add(st, buf, NULL);
	}
	if (f[AL_DF_CWE] > 0)
		axis_add(st, "in both: ", cwe);
	else if (f[AL_DF_CWE] < 0)
		axis_add(st, "no CWE in common", NULL);

	/* exact */
	if ((file = shared_file(q->meta, c->meta))) {
		axis_add(ex, "an attachment in both: ", file);
		ex->score = 1;
		if (m->score < EXACT_SCORE)
			m->score = EXACT_SCORE;
	}

	/* reporter: said, and not counted as someone else's finding */
	if (q->signer && c->signer && *q->signer &&
	    !strcmp(q->signer, c->signer)) {
		snprintf(buf, sizeof(buf),
			 "same signing key %.16s: a re-send, not another "
			 "finder",
			 c->signer);
		axis_add(rp, buf, NULL);
		m->same_reporter = true;
	} else if (contact(q->meta) && contact(c->meta) &&
		   !strcasecmp(contact(q->meta), contact(c->meta))) {
		axis_add(rp, "same contact: a re-send, not another finder",
			 NULL);
		m->same_reporter = true;
	}
	if (rp->set)
		rp->score = 1;

	m->verdict = m->score >= AL_DUP_LIKELY_AT     ? AL_DUP_LIKELY
		     : m->score >= AL_DUP_POSSIBLE_AT ? AL_DUP_POSSIBLE
						      : AL_DUP_NONE;
	return 0;
}
