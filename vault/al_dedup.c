/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The duplicate index and the candidate search (al_dedup.h).
 *
 * Tables (al_db.c): sketches (content-addressed, named by import events);
 * dedup_docs (a report's index number and sketch), dedup_terms (document
 * frequencies), dedup_postings (term -> doc), dedup_files (attachment hash
 * -> doc).  All but sketches are derived: al_state_rebuild makes them anew
 * from the events.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "al_dedup.h"
#include "al_hash.h"
#include "al_ledger.h"
#include "al_uuid.h"

/* ---- the key and the sketch ---- */

static int hexval(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
				      : -1;
}

int al_dedup_key(sqlite3 *db, uint8_t key[AL_TERMS_KEY_LEN],
		 struct al_error *err)
{
	char hex[AL_SHA256_HEX], uuid[AL_UUID_LEN];
	struct al_error e;
	int rc;

	rc = al_db_meta_get(db, "dedup_key", hex, sizeof(hex), &e);
	if (rc == AL_EINTEGRITY) {
		/* first use: 16 random bytes, from a version-4 UUID's
		 * random bits and a hash of a second one */
		uint8_t raw[AL_SHA256_LEN];
		struct al_sha256 *h;

		if ((rc = al_sha256_new(&h, err)))
			return rc;
		for (int i = 0; i < 2; i++) {
			if ((rc = al_uuid_v4(uuid, err))) {
				al_sha256_free(h);
				return rc;
			}
			al_sha256_update(h, uuid, strlen(uuid));
		}
		al_sha256_final(h, hex, raw);
		al_sha256_free(h);
		hex[2 * AL_TERMS_KEY_LEN] = '\0';
		if ((rc = al_db_meta_set(db, "dedup_key", hex, err)))
			return rc;
	} else if (rc) {
		*err = e;
		return rc;
	}
	if (strlen(hex) != 2 * AL_TERMS_KEY_LEN)
		return al_error_set(err, AL_EINTEGRITY,
				    "ledger: meta 'dedup_key' is not %d hex "
				    "digits",
				    2 * AL_TERMS_KEY_LEN);
	for (int i = 0; i < AL_TERMS_KEY_LEN; i++) {
		int a = hexval(hex[2 * i]), b = hexval(hex[2 * i + 1]);

		if (a < 0 || b < 0)
			return al_error_set(err, AL_EINTEGRITY,
					    "ledger: meta 'dedup_key' is not "
					    "hex");
		key[i] = (uint8_t)(a << 4 | b);
	}
	return 0;
}

/* "0", "0.0.0", "0.0.0-0": how a range says "every version before" */
static bool least_version(const char *v)
{
	if (*v++ != '0')
		return false;
	while (v[0] == '.' && v[1] == '0')
		v += 2;
	if (v[0] == '-' && v[1] == '0')
		v += 2;
	return !*v;
}

static int add_versions(struct al_terms *t, const uint8_t *key,
			const json_t *affected, struct al_error *err)
{
	static const char *const kinds[] = {"introduced", "fixed",
					    "last_affected"};
	const json_t *a, *r, *e, *x;
	size_t i, j, k;
	int rc;

	json_array_foreach(affected, i, a)
	{
		json_array_foreach(json_object_get(a, "ranges"), j, r)
		{
			json_array_foreach(json_object_get(r, "events"), k, e)
			{
				for (size_t n = 0; n < 3; n++) {
					const char *v = json_string_value(
						json_object_get(e, kinds[n]));

					/* "from the first version" names none */
					if (v &&
					    !(n == 0 && least_version(v)) &&
					    (rc = al_terms_add_version(t, key,
								       v, err)))
						return rc;
				}
			}
		}
		json_array_foreach(json_object_get(a, "versions"), j, x)
		{
			if (json_is_string(x) &&
			    (rc = al_terms_add_version(
				     t, key, json_string_value(x), err)))
				return rc;
		}
	}
	return 0;
}

int al_dedup_sketch(const uint8_t key[AL_TERMS_KEY_LEN], const json_t *manifest,
		    uint8_t **out, size_t *len, struct al_error *err)
{
	static const char *const fields[] = {"title", "description", "steps"};
	struct al_terms t = {0};
	int rc = 0;

	*out = NULL;
	*len = 0;
	for (size_t i = 0; i < 3 && !rc; i++) {
		const json_t *s = json_object_get(manifest, fields[i]);

		if (json_is_string(s))
			rc = al_terms_add_text(&t, key, json_string_value(s),
					       json_string_length(s),
					       i ? 0 : AL_TERM_TITLE, err);
	}
	if (!rc)
		rc = add_versions(&t, key,
				  json_object_get(manifest, "affected"), err);
	if (!rc)
		rc = al_terms_encode(&t, out, len, err);
	al_terms_free(&t);
	return rc;
}

/* ---- the index ---- */

static int run(sqlite3 *db, sqlite3_stmt *st, struct al_error *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return al_db_fail(db, "indexing for duplicates", err);
	return 0;
}

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st,
		   struct al_error *err)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL))
		return al_db_fail(db, "indexing for duplicates", err);
	return 0;
}

int al_dedup_clear(sqlite3 *db, struct al_error *err)
{
	if (sqlite3_exec(db,
			 "DELETE FROM dedup_postings; DELETE FROM dedup_terms; "
			 "DELETE FROM dedup_files; DELETE FROM dedup_docs;",
			 NULL, NULL, NULL) != SQLITE_OK)
		return al_db_fail(db, "emptying the duplicate index", err);
	return 0;
}

/* Take doc's terms and files out of the index (a revision). */
static int unindex(sqlite3 *db, int64_t doc, struct al_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prepare(db,
			  "UPDATE dedup_terms SET df = df - 1 WHERE term IN "
			  "(SELECT term FROM dedup_postings WHERE doc = ?1)",
			  &st, err)))
		return rc;
	sqlite3_bind_int64(st, 1, doc);
	rc = run(db, st, err);
	sqlite3_finalize(st);
	if (rc)
		return rc;
	if ((rc = prepare(db, "DELETE FROM dedup_postings WHERE doc = ?1; ",
			  &st, err)))
		return rc;
	sqlite3_bind_int64(st, 1, doc);
	rc = run(db, st, err);
	sqlite3_finalize(st);
	if (rc)
		return rc;
	if ((rc = prepare(db, "DELETE FROM dedup_files WHERE doc = ?1", &st,
			  err)))
		return rc;
	sqlite3_bind_int64(st, 1, doc);
	rc = run(db, st, err);
	sqlite3_finalize(st);
	if (rc)
		return rc;
	if (sqlite3_exec(db, "DELETE FROM dedup_terms WHERE df <= 0", NULL,
			 NULL, NULL) != SQLITE_OK)
		return al_db_fail(db, "indexing for duplicates", err);
	return 0;
}

/* The blob a content-addressed row holds: sketches.data. */
static int load_sketch(sqlite3 *db, const char *sha, struct al_terms *t,
		       struct al_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = prepare(db, "SELECT data FROM sketches WHERE sha256 = ?", &st,
			  err)))
		return rc;
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rc = al_terms_decode(sqlite3_column_blob(st, 0),
				     (size_t)sqlite3_column_bytes(st, 0), t,
				     err);
	} else if (rc == SQLITE_DONE) {
		rc = al_error_set(err, AL_ENOTFOUND,
				  "sketch %.16s... is not in the sketches "
				  "table",
				  sha);
	} else {
		rc = al_db_fail(db, "reading a sketch", err);
	}
	sqlite3_finalize(st);
	return rc;
}

static int index_files(sqlite3 *db, int64_t doc, const json_t *meta,
		       struct al_error *err)
{
	const json_t *f;
	sqlite3_stmt *st;
	size_t i;
	int rc = 0;

	if ((rc = prepare(db,
			  "INSERT OR IGNORE INTO dedup_files (sha256, doc) "
			  "VALUES (?, ?)",
			  &st, err)))
		return rc;
	json_array_foreach(json_object_get(meta, "files"), i, f)
	{
		const char *sha =
			json_string_value(json_object_get(f, "sha256"));
		const char *path =
			json_string_value(json_object_get(f, "path"));

		if (!sha || !path || !strncmp(path, "keys/", 5) ||
		    json_integer_value(json_object_get(f, "size")) <= 0)
			continue;
		sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, doc);
		if ((rc = run(db, st, err)))
			break;
	}
	sqlite3_finalize(st);
	return rc;
}

int al_dedup_index(sqlite3 *db, const char *report, const json_t *meta,
		   const char *sketch_sha, struct al_error *err)
{
	struct al_terms t = {0};
	sqlite3_stmt *st = NULL, *post = NULL, *df = NULL;
	int64_t doc = -1;
	int rc;

	if ((rc = prepare(db, "SELECT doc FROM dedup_docs WHERE report = ?",
			  &st, err)))
		return rc;
	sqlite3_bind_text(st, 1, report, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		doc = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (doc >= 0) {
		if ((rc = unindex(db, doc, err)) ||
		    (rc = prepare(db,
				  "UPDATE dedup_docs SET sketch = ?2 WHERE "
				  "doc = ?1",
				  &st, err)))
			return rc;
		sqlite3_bind_int64(st, 1, doc);
	} else {
		if ((rc = prepare(db,
				  "INSERT INTO dedup_docs (report, sketch) "
				  "VALUES (?1, ?2)",
				  &st, err)))
			return rc;
		sqlite3_bind_text(st, 1, report, -1, SQLITE_STATIC);
	}
	if (sketch_sha)
		sqlite3_bind_text(st, 2, sketch_sha, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 2);
	rc = run(db, st, err);
	sqlite3_finalize(st);
	if (rc)
		return rc;
	if (doc < 0)
		doc = sqlite3_last_insert_rowid(db);
	if ((rc = index_files(db, doc, meta, err)))
		return rc;
	if (!sketch_sha)
		return 0;
	if ((rc = load_sketch(db, sketch_sha, &t, err)))
		return rc;
	if ((rc = prepare(db,
			  "INSERT OR IGNORE INTO dedup_postings (term, doc) "
			  "VALUES (?, ?)",
			  &post, err)) ||
	    (rc = prepare(db,
			  "INSERT INTO dedup_terms (term, df) VALUES (?, 1) "
			  "ON CONFLICT (term) DO UPDATE SET df = df + 1",
			  &df, err)))
		goto out;
	for (size_t i = 0; i < t.n; i++) {
		sqlite3_bind_int64(post, 1, t.v[i].hash);
		sqlite3_bind_int64(post, 2, doc);
		sqlite3_bind_int64(df, 1, t.v[i].hash);
		if ((rc = run(db, post, err)) || (rc = run(db, df, err)))
			break;
	}
out:
	sqlite3_finalize(post);
	sqlite3_finalize(df);
	al_terms_free(&t);
	return rc;
}

/* ---- document frequencies, cached for one search ---- */

struct dfcache {
	sqlite3 *db;
	sqlite3_stmt *st;
	uint32_t *keys, *vals;
	uint8_t *used;
	size_t cap, n;
	int failed;
};

static uint32_t df_lookup(struct dfcache *c, uint32_t term)
{
	sqlite3_int64 v = 1;

	sqlite3_bind_int64(c->st, 1, term);
	if (sqlite3_step(c->st) == SQLITE_ROW)
		v = sqlite3_column_int64(c->st, 0);
	sqlite3_reset(c->st);
	return v < 1 ? 1 : v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static bool df_grow(struct dfcache *c)
{
	size_t cap = c->cap ? c->cap * 2 : 4096;
	uint32_t *k = calloc(cap, sizeof(*k)), *v = calloc(cap, sizeof(*v));
	uint8_t *u = calloc(cap, 1);

	if (!k || !v || !u) {
		free(k);
		free(v);
		free(u);
		return false;
	}
	for (size_t i = 0; i < c->cap; i++) {
		size_t h;

		if (!c->used[i])
			continue;
		for (h = (c->keys[i] * 2654435761u) & (cap - 1); u[h];
		     h = (h + 1) & (cap - 1))
			;
		u[h] = 1;
		k[h] = c->keys[i];
		v[h] = c->vals[i];
	}
	free(c->keys);
	free(c->vals);
	free(c->used);
	c->keys = k;
	c->vals = v;
	c->used = u;
	c->cap = cap;
	return true;
}

static uint32_t df_cached(uint32_t term, void *ctx)
{
	struct dfcache *c = ctx;
	size_t h;

	if (c->n * 2 >= c->cap && !df_grow(c)) {
		c->failed = 1;
		return df_lookup(c, term);
	}
	for (h = (term * 2654435761u) & (c->cap - 1); c->used[h];
	     h = (h + 1) & (c->cap - 1))
		if (c->keys[h] == term)
			return c->vals[h];
	c->used[h] = 1;
	c->keys[h] = term;
	c->vals[h] = df_lookup(c, term);
	c->n++;
	return c->vals[h];
}

static void df_free(struct dfcache *c)
{
	sqlite3_finalize(c->st);
	free(c->keys);
	free(c->vals);
	free(c->used);
}

/* ---- the search ---- */

/* How many of the report's rarest terms are looked up, how many reports
 * a term may have to be looked up at all, how many postings are read in
 * all, how many candidates are scored. */
#define SEEK_TERMS    64
#define SEEK_DF_MIN   50
#define SEEK_DF_SHARE 200   /* a term in more than 1/200 of the reports: no */
#define SEEK_BUDGET   16384 /* postings read at most */
#define CANDIDATES    24
#define FOLLOW_MAX    64

struct side {
	char report[40];
	char title[808];
	char duplicate_of[40];
	int64_t imported;
	char *signer;
	json_t *meta;
	struct al_terms terms;
	bool has_terms;
};

static void side_free(struct side *s)
{
	free(s->signer);
	json_decref(s->meta);
	al_terms_free(&s->terms);
	memset(s, 0, sizeof(*s));
}

/* Load a report for comparing: by id (doc < 0) or by doc number. */
static int side_load(sqlite3 *db, const char *id, int64_t doc, struct side *s,
		     struct al_error *err)
{
	sqlite3_stmt *st;
	json_error_t je;
	int rc;

	memset(s, 0, sizeof(*s));
#define SIDE_COLUMNS                                                       \
	"SELECT r.id, m.json, r.signer, s.data, r.imported, "              \
	"r.duplicate_of, r.title FROM reports r JOIN metas m ON m.sha256 " \
	"= r.meta LEFT JOIN dedup_docs d ON d.report = r.id LEFT JOIN "    \
	"sketches s ON s.sha256 = d.sketch "
	if ((rc = prepare(db,
			  id ? SIDE_COLUMNS "WHERE r.id = ?1"
			     : SIDE_COLUMNS "WHERE d.doc = ?2",
			  &st, err)))
		return rc;
	if (id)
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 2, doc);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		rc = AL_ENOTFOUND;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		rc = al_db_fail(db, "reading a report", err);
		goto out;
	}
	rc = 0;
	snprintf(s->report, sizeof(s->report), "%s",
		 (const char *)sqlite3_column_text(st, 0));
	s->meta = json_loadb((const char *)sqlite3_column_blob(st, 1),
			     (size_t)sqlite3_column_bytes(st, 1), 0, &je);
	if (!json_is_object(s->meta)) {
		rc = al_error_set(err, AL_EINTEGRITY,
				  "report %.8s: its metadata is not JSON "
				  "(audit says more)",
				  s->report);
		goto out;
	}
	if (sqlite3_column_type(st, 2) == SQLITE_TEXT &&
	    !(s->signer = strdup((const char *)sqlite3_column_text(st, 2)))) {
		rc = al_error_set(err, AL_ENOMEM, "out of memory");
		goto out;
	}
	if (sqlite3_column_type(st, 3) == SQLITE_BLOB) {
		if ((rc = al_terms_decode(sqlite3_column_blob(st, 3),
					  (size_t)sqlite3_column_bytes(st, 3),
					  &s->terms, err)))
			goto out;
		s->has_terms = true;
	}
	s->imported = sqlite3_column_int64(st, 4);
	if (sqlite3_column_type(st, 5) == SQLITE_TEXT)
		snprintf(s->duplicate_of, sizeof(s->duplicate_of), "%s",
			 (const char *)sqlite3_column_text(st, 5));
	if (sqlite3_column_type(st, 6) == SQLITE_TEXT)
		snprintf(s->title, sizeof(s->title), "%s",
			 (const char *)sqlite3_column_text(st, 6));
out:
	sqlite3_finalize(st);
	if (rc)
		side_free(s);
	return rc;
}

struct acc {
	int64_t doc;
	double w;
};

static int acc_cmp(const void *a, const void *b)
{
	const struct acc *x = a, *y = b;

	if (x->w != y->w)
		return x->w < y->w ? 1 : -1;
	return x->doc < y->doc ? -1 : x->doc > y->doc;
}

struct seek {
	uint32_t term, df;
};

static int seek_cmp(const void *a, const void *b)
{
	const struct seek *x = a, *y = b;

	if (x->df != y->df)
		return x->df < y->df ? -1 : 1;
	return x->term < y->term ? -1 : x->term > y->term;
}

/* The candidates' weights: a list, and an open-addressing table from doc
 * to its place in the list. */
struct accs {
	struct acc *v;
	size_t n, cap;
	int64_t *slot; /* index + 1, 0 free */
	size_t scap;
};

static int acc_add(struct accs *a, int64_t doc, double w)
{
	size_t h;

	if ((a->n + 1) * 2 > a->scap) {
		size_t cap = a->scap ? a->scap * 2 : 1024;
		int64_t *s = calloc(cap, sizeof(*s));

		if (!s)
			return -1;
		for (size_t i = 0; i < a->n; i++) {
			for (h = ((uint64_t)a->v[i].doc *
				  11400714819323198485ull) >>
					 20 &
				 (cap - 1);
			     s[h]; h = (h + 1) & (cap - 1))
				;
			s[h] = (int64_t)i + 1;
		}
		free(a->slot);
		a->slot = s;
		a->scap = cap;
	}
	for (h = ((uint64_t)doc * 11400714819323198485ull) >> 20 &
		 (a->scap - 1);
	     a->slot[h]; h = (h + 1) & (a->scap - 1))
		if (a->v[a->slot[h] - 1].doc == doc) {
			a->v[a->slot[h] - 1].w += w;
			return 0;
		}
	if (a->n == a->cap) {
		size_t c = a->cap ? a->cap * 2 : 256;
		struct acc *x = realloc(a->v, c * sizeof(*x));

		if (!x)
			return -1;
		a->v = x;
		a->cap = c;
	}
	a->v[a->n] = (struct acc){doc, w};
	a->slot[h] = (int64_t)++a->n;
	return 0;
}

/* The candidates' doc numbers: those sharing an attachment, then the best
 * by the summed idf of the rare terms they share. */
static int gather(sqlite3 *db, const struct side *q, int64_t qdoc,
		  struct dfcache *dc, uint64_t docs, struct acc **out,
		  size_t *nout, struct al_error *err)
{
	struct accs a = {0};
	size_t nseek = 0, budget = 0;
	struct seek *seek = NULL;
	sqlite3_stmt *st = NULL;
	uint64_t dfmax = docs / SEEK_DF_SHARE;
	const json_t *f;
	size_t i;
	int rc = 0;

	if (dfmax < SEEK_DF_MIN)
		dfmax = SEEK_DF_MIN;
	/* exact: attachments */
	if ((rc = prepare(db,
			  "SELECT doc FROM dedup_files WHERE sha256 = ? AND "
			  "doc != ?",
			  &st, err)))
		return rc;
	json_array_foreach(json_object_get(q->meta, "files"), i, f)
	{
		const char *sha =
			json_string_value(json_object_get(f, "sha256"));

		if (!sha)
			continue;
		sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, qdoc);
		while (sqlite3_step(st) == SQLITE_ROW)
			if (acc_add(&a, sqlite3_column_int64(st, 0), 1e9)) {
				rc = al_error_set(err, AL_ENOMEM,
						  "out of memory");
				goto out;
			}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;

	/* textual and versions: the rarest terms' postings */
	if (q->has_terms && q->terms.n) {
		if (!(seek = malloc(q->terms.n * sizeof(*seek)))) {
			rc = al_error_set(err, AL_ENOMEM, "out of memory");
			goto out;
		}
		for (i = 0; i < q->terms.n; i++) {
			uint32_t d = df_cached(q->terms.v[i].hash, dc);

			/* df 1: no other report has it */
			if (d >= 2 && d <= dfmax)
				seek[nseek++] =
					(struct seek){q->terms.v[i].hash, d};
		}
		qsort(seek, nseek, sizeof(*seek), seek_cmp);
		if (nseek > SEEK_TERMS)
			nseek = SEEK_TERMS;
		if ((rc = prepare(db,
				  "SELECT doc FROM dedup_postings WHERE term = "
				  "? AND doc != ? LIMIT ?",
				  &st, err)))
			goto out;
		for (i = 0; i < nseek && budget < SEEK_BUDGET; i++) {
			double w = log(((double)docs + 1.0) /
				       ((double)seek[i].df + 1.0)) +
				   1.0;

			budget += seek[i].df;

			sqlite3_bind_int64(st, 1, seek[i].term);
			sqlite3_bind_int64(st, 2, qdoc);
			sqlite3_bind_int64(st, 3, (sqlite3_int64)dfmax);
			while (sqlite3_step(st) == SQLITE_ROW)
				if (acc_add(&a, sqlite3_column_int64(st, 0),
					    w * w)) {
					rc = al_error_set(err, AL_ENOMEM,
							  "out of memory");
					goto out;
				}
			sqlite3_reset(st);
		}
	}
	if (a.n)
		qsort(a.v, a.n, sizeof(*a.v), acc_cmp);
	if (a.n > CANDIDATES)
		a.n = CANDIDATES;
out:
	sqlite3_finalize(st);
	free(seek);
	free(a.slot);
	if (rc) {
		free(a.v);
		a.v = NULL;
		a.n = 0;
	}
	*out = a.v;
	*nout = a.n;
	return rc;
}

/* The original a duplicate decision leads to: follow duplicate_of. */
static int follow(sqlite3 *db, const char *from, char root[40],
		  struct al_error *err)
{
	sqlite3_stmt *st;
	char cur[40];
	int rc = 0;

	snprintf(cur, sizeof(cur), "%s", from);
	if ((rc = prepare(db, "SELECT duplicate_of FROM reports WHERE id = ?",
			  &st, err)))
		return rc;
	for (int i = 0; i < FOLLOW_MAX; i++) {
		const char *next;

		sqlite3_bind_text(st, 1, cur, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_ROW ||
		    !(next = (const char *)sqlite3_column_text(st, 0)) ||
		    !*next) {
			sqlite3_reset(st);
			break;
		}
		snprintf(cur, sizeof(cur), "%s", next);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	snprintf(root, 40, "%s", cur);
	return rc;
}

int al_dedup_original(sqlite3 *db, const char *id, char root[40],
		      struct al_error *err)
{
	return follow(db, id, root, err);
}

static int dup_cmp(const void *a, const void *b)
{
	const struct al_dup *x = a, *y = b;

	if (x->m.score != y->m.score)
		return x->m.score < y->m.score ? 1 : -1;
	if (x->earlier != y->earlier)
		return x->earlier ? -1 : 1;
	return strcmp(x->report, y->report);
}

int al_vault_dups(struct al_vault *v, const char *id, size_t max, bool all,
		  struct al_dup **out, size_t *nout, struct al_error *err)
{
	sqlite3 *db = v->db;
	struct dfcache dc = {.db = db};
	struct side q = {0}, c = {0};
	struct al_dup *res = NULL;
	struct acc *cand = NULL;
	size_t ncand = 0, n = 0;
	int64_t docs = 0, qdoc = -1;
	int rc;

	*out = NULL;
	*nout = 0;
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return al_db_fail(db, "reading the ledger", err);
	rc = side_load(db, id, -1, &q, err);
	if (rc == AL_ENOTFOUND)
		rc = al_error_set(err, AL_ENOTFOUND, "no report '%.40s'", id);
	if (rc)
		goto out;
	if ((rc = al_db_scalar(db, "SELECT count(*) FROM dedup_docs", &docs,
			       err)) ||
	    (rc = prepare(db, "SELECT df FROM dedup_terms WHERE term = ?",
			  &dc.st, err)))
		goto out;
	{
		sqlite3_stmt *st;

		if ((rc = prepare(db,
				  "SELECT doc FROM dedup_docs WHERE report = ?",
				  &st, err)))
			goto out;
		sqlite3_bind_text(st, 1, q.report, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			qdoc = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	if ((rc = gather(db, &q, qdoc, &dc, (uint64_t)docs, &cand, &ncand,
			 err)))
		goto out;
	if (ncand && !(res = calloc(ncand, sizeof(*res)))) {
		rc = al_error_set(err, AL_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < ncand; i++) {
		struct al_dedup_corpus corpus = {
			.docs = (uint64_t)docs, .df = df_cached, .ctx = &dc};
		struct al_dedup_doc qd = {q.report, q.meta, q.signer,
					  q.has_terms ? &q.terms : NULL};
		struct al_dedup_doc cd;
		struct al_dup *d = &res[n];
		char root[40];
		bool merged = false;

		rc = side_load(db, NULL, cand[i].doc, &c, err);
		if (rc == AL_ENOTFOUND) {
			rc = 0;
			continue;
		}
		if (rc)
			goto out;
		cd = (struct al_dedup_doc){c.report, c.meta, c.signer,
					   c.has_terms ? &c.terms : NULL};
		if ((rc = al_dedup_compare(&qd, &cd, &corpus, &d->m, err)))
			goto out;
		snprintf(d->report, sizeof(d->report), "%s", c.report);
		snprintf(d->title, sizeof(d->title), "%s", c.title);
		d->earlier = c.imported < q.imported;
		/* a candidate recorded as a duplicate: its original */
		if (*c.duplicate_of) {
			if ((rc = follow(db, c.report, root, err)))
				goto out;
			if (strcmp(root, q.report)) {
				struct side o;

				snprintf(d->via, sizeof(d->via), "%s",
					 c.report);
				snprintf(d->report, sizeof(d->report), "%s",
					 root);
				if (!side_load(db, root, -1, &o, err)) {
					d->earlier = o.imported < q.imported;
					snprintf(d->title, sizeof(d->title),
						 "%s", o.title);
					side_free(&o);
				}
			}
		}
		side_free(&c);
		if (!strcmp(d->report, q.report))
			continue;
		for (size_t j = 0; j < n; j++)
			if (!strcmp(res[j].report, d->report)) {
				if (d->m.score > res[j].m.score)
					res[j] = *d;
				merged = true;
				break;
			}
		if (!merged && (all || d->m.verdict != AL_DUP_NONE))
			n++;
	}
	if (n)
		qsort(res, n, sizeof(*res), dup_cmp);
	if (dc.failed)
		rc = al_error_set(err, AL_ENOMEM, "out of memory");
out:
	al_db_rollback(db);
	df_free(&dc);
	side_free(&q);
	side_free(&c);
	free(cand);
	if (rc) {
		free(res);
		return rc;
	}
	if (max && n > max)
		n = max;
	*out = res;
	*nout = n;
	return 0;
}
