/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_DEDUP_H
#define AL_DEDUP_H

/*
 * Duplicate detection (docs/dedup.md): which earlier reports a report may
 * duplicate, with a score in [0, 1], a verdict and a reason per axis.
 *
 * What is compared, per pair of reports:
 * - exact: an attachment with the same SHA-256 (key files aside);
 * - structural: the same package (ecosystem and normalised name), whether
 *   their affected ranges share a version, the versions they name (fixed,
 *   introduced, last affected, and versions written in the text), class
 *   and CWE;
 * - textual: the idf-weighted cosine of the terms of title, description
 *   and steps (al_terms.h), and the rare terms they share;
 * - reporter: the same signing key or contact (a re-send: listed, but not
 *   someone else's finding).
 * The features are combined by a logistic model whose weights were fitted
 * on one half of the evaluation set (bench/dedup; docs/dedup.md has the
 * figures for both halves).
 *
 * The index (derived from the events, rebuilt with them): each import
 * event names a sketch (al_terms_encode) in the content-addressed table
 * sketches; al_dedup_index adds the report's terms to dedup_terms
 * (document frequencies) and dedup_postings (term -> report), its
 * attachments to dedup_files.  A check reads the postings of the report's
 * rarest terms only, so it does not scan every report.
 */

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "al_error.h"
#include "al_terms.h"
#include "al_vault.h"

/* The features of one pair, in this order (JSON names in
 * al_dedup_feature_names). */
enum al_dup_feature {
	AL_DF_TEXT,      /* idf-weighted cosine of the non-version terms */
	AL_DF_RARE,      /* shared terms no other report has, /5, at most 1 */
	AL_DF_VSHARE,    /* 1: they name a version in common */
	AL_DF_VDISJOINT, /* 1: both name versions, none in common */
	AL_DF_RDISJOINT, /* 1: same package, affected sets share no version */
	AL_DF_PACKAGE,   /* 1: a package in common */
	AL_DF_CLASS,     /* 1 same class, -1 different (other aside), else 0 */
	AL_DF_CWE,       /* 1 a CWE in common, -1 both name CWEs, none shared */
	AL_DF_COUNT
};

extern const char *const al_dedup_feature_names[AL_DF_COUNT];

enum al_dup_axis_id {
	AL_AXIS_EXACT,
	AL_AXIS_STRUCTURAL,
	AL_AXIS_TEXTUAL,
	AL_AXIS_REPORTER,
	AL_AXIS_COUNT
};

struct al_dup_axis {
	bool set;     /* this axis had something to say */
	double score; /* its own share of the evidence, in [0, 1] */
	char why[240];
};

enum al_dup_verdict { AL_DUP_NONE, AL_DUP_POSSIBLE, AL_DUP_LIKELY };

/* The score from which a pair is "possible" and "likely". */
#define AL_DUP_POSSIBLE_AT 0.30
#define AL_DUP_LIKELY_AT   0.6

/* One side of a comparison: what the vault keeps of a report. */
struct al_dedup_doc {
	const char *report;           /* id */
	const json_t *meta;           /* its metas row (class, cwe, affected,
					 files, reporter) */
	const char *signer;           /* signing key's fingerprint or NULL */
	const struct al_terms *terms; /* NULL: imported without a sketch */
};

/* Document frequencies: how many indexed reports have a term. */
struct al_dedup_corpus {
	uint64_t docs; /* reports in the index */
	uint32_t (*df)(uint32_t term, void *ctx);
	void *ctx;
};

struct al_dup_match {
	double score;
	enum al_dup_verdict verdict;
	double features[AL_DF_COUNT];
	struct al_dup_axis axes[AL_AXIS_COUNT];
	bool same_reporter;
};

/* Compare report c (a candidate) with q: features, score, verdict and the
 * reasons per axis.  AL_ENOMEM. */
int al_dedup_compare(const struct al_dedup_doc *q, const struct al_dedup_doc *c,
		     const struct al_dedup_corpus *corpus,
		     struct al_dup_match *m, struct al_error *err);

/* "likely", "possible" or NULL */
const char *al_dup_verdict_name(enum al_dup_verdict v);
const char *al_dup_axis_name(enum al_dup_axis_id a);

/*
 * The package names of a report's "affected" as "ecosystem/name", with the
 * name normalised for its ecosystem (lowercase; PyPI's runs of -_. as one
 * '-'; Go's trailing major-version "/vN" dropped), each once, into a JSON
 * array of strings.  NULL on ENOMEM.
 */
json_t *al_dedup_packages(const json_t *meta);

/* ---- the vault's side ---- */

/*
 * The sketch of a report being imported: title, description and steps of
 * its manifest, plus the versions of its affected ranges.  *out malloc'ed.
 */
int al_dedup_sketch(const uint8_t key[AL_TERMS_KEY_LEN], const json_t *manifest,
		    uint8_t **out, size_t *len, struct al_error *err);

/* The vault's term key (meta 'dedup_key'), made on first use inside the
 * caller's transaction. */
int al_dedup_key(sqlite3 *db, uint8_t key[AL_TERMS_KEY_LEN],
		 struct al_error *err);

/*
 * From an import event (al_state.c): index report (its new revision) with
 * its meta and sketch (sketch_sha NULL: no text terms).  A revision's old
 * terms are taken out first.
 */
int al_dedup_index(sqlite3 *db, const char *report, const json_t *meta,
		   const char *sketch_sha, struct al_error *err);

/* The original a report's duplicate decisions lead to (the report itself
 * when it has none), following duplicate_of. */
int al_dedup_original(sqlite3 *db, const char *id, char root[40],
		      struct al_error *err);

/* Empty the index (before a rebuild). */
int al_dedup_clear(sqlite3 *db, struct al_error *err);

struct al_dup {
	char report[40];
	char title[808]; /* as imported (untrusted) */
	char via[40];    /* the candidate found, when report is its original */
	bool earlier;    /* imported before the report checked */
	struct al_dup_match m;
};

/*
 * The candidates for report id, best first: at most max, "possible" and
 * better (all: every candidate scored, verdict NONE included).  A candidate
 * recorded as a duplicate is replaced by its original (via), unless that
 * is id itself.  *out malloc'ed.  AL_ENOTFOUND for an unknown report.
 */
int al_vault_dups(struct al_vault *v, const char *id, size_t max, bool all,
		  struct al_dup **out, size_t *n, struct al_error *err);

/*
 * Record that id duplicates of (event "duplicate"): of is followed to its
 * original first (*original gets the id recorded); refused when of is id,
 * is not earlier in the ledger than id, or id already has a decision.
 * Also refused for a report closed in another state than duplicate.
 */
int al_vault_dup(struct al_vault *v, const char *id, const char *of,
		 char original[40], struct al_error *err);

/*
 * Reverse a decision (event "undup"): id is no longer a duplicate; a
 * report closed as duplicate is reopened to acknowledged.  reason (one
 * line, optional) is kept in texts; out (may be NULL) gets the move.
 */
struct al_move;
int al_vault_undup(struct al_vault *v, const char *id, const char *reason,
		   struct al_move *out, struct al_error *err);

#endif
