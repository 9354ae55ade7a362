/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The time of one duplicate check in a large vault (docs/dedup.md), by
 * hand: bench/dedup-scale [N] [CHECKS] builds a ledger of N synthetic
 * reports (default 100000) straight into the derived tables the index
 * reads (reports, metas, sketches, dedup_*: no gpg, no events), then times
 * CHECKS (default 200) calls of al_vault_dups on reports picked at random,
 * and prints the median, p90 and max, and the ledger's size.  With DB
 * (a path), the ledger is kept there, and reused when it exists (only the
 * checks run).
 *
 * The texts: 120 to 400 words drawn from a Zipf-distributed vocabulary of
 * 200,000 words (s = 1.1), plus a few versions and identifiers; every
 * 50th report is a near copy of an earlier one (a duplicate to find).
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "al_dedup.h"
#include "al_hash.h"
#include "al_vault.h"

#define VOCAB 200000

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double *cdf;

/* A word index from the Zipf distribution (binary search of the CDF). */
static size_t zipf(void)
{
	double u = (double)(next() >> 11) / (double)(1ull << 53);
	size_t lo = 0, hi = VOCAB - 1;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void text(char *buf, size_t cap, uint64_t seed)
{
	uint64_t keep = rng;
	size_t n = 0, words;

	rng = seed * 0x2545f4914f6cdd1dull + 1;
	words = 120 + next() % 280;
	for (size_t i = 0; i < words && n + 40 < cap; i++) {
		size_t w = zipf();

		if (i % 37 == 5)
			n += (size_t)snprintf(buf + n, cap - n, "%u.%u.%u ",
					      (unsigned)(next() % 9),
					      (unsigned)(next() % 30),
					      (unsigned)(next() % 20));
		else if (i % 53 == 7)
			n += (size_t)snprintf(buf + n, cap - n, "fn%zu.call%zu ",
					      w, (size_t)(next() % 1000));
		else
			n += (size_t)snprintf(buf + n, cap - n, "w%zu ", w);
	}
	buf[n] = '\0';
	rng = keep;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "dedup-scale: %s: %s\n", what,
		db ? sqlite3_errmsg(db) : "");
	return 1;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	long checks = argc > 2 ? atol(argv[2]) : 200;
	char dir[] = "/tmp/airlock-dedup-scale.XXXXXX", path[256];
	uint8_t key[AL_TERMS_KEY_LEN] = {1, 2, 3};
	static char buf[8192];
	struct al_error err = {0};
	struct al_vault v = {0};
	sqlite3_stmt *meta, *rep, *sk;
	double t0, *times, sum = 0;
	struct stat st;
	sqlite3 *db;

	const char *keep = argc > 3 ? argv[3] : NULL;
	bool reuse = keep && !stat(keep, &st);

	if (n < 10 || checks < 1 || (!keep && !mkdtemp(dir)))
		return die(NULL, "usage: dedup-scale [N >= 10] [CHECKS] [DB]");
	snprintf(path, sizeof(path), "%s", keep ? keep : dir);
	if (!keep)
		snprintf(path, sizeof(path), "%s/ledger.sqlite", dir);
	if (al_db_open(path, true, &db, &err))
		return die(NULL, err.msg);
	cdf = malloc(VOCAB * sizeof(*cdf));
	times = malloc((size_t)checks * sizeof(*times));
	for (size_t i = 0; i < VOCAB; i++)
		sum += 1.0 / pow((double)(i + 1), 1.1);
	for (size_t i = 0; i < VOCAB; i++) {
		static double c;

		c += 1.0 / pow((double)(i + 1), 1.1) / sum;
		cdf[i] = c;
	}
	sqlite3_exec(db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(db,
			       "INSERT OR IGNORE INTO metas (sha256, json) "
			       "VALUES (?1, ?2)",
			       -1, &meta, NULL) ||
	    sqlite3_prepare_v2(
		    db,
		    "INSERT INTO reports (id, imported, updated, revision, "
		    "bundle, meta, title, project, class, created, "
		    "imported_at, credit, signature, state, imported_t, "
		    "state_t) VALUES (?1, ?2, ?2, 1, ?1, ?3, ?4, 'p', 'other', "
		    "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', "
		    "'anonymous', 'none', 'new', 0, 0)",
		    -1, &rep, NULL) ||
	    sqlite3_prepare_v2(db,
			       "INSERT OR IGNORE INTO sketches (sha256, data) "
			       "VALUES (?1, ?2)",
			       -1, &sk, NULL))
		return die(db, "preparing");
	t0 = now_ms();
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (long i = 0; i < n && !reuse; i++) {
		char id[64], msha[AL_SHA256_HEX], ssha[AL_SHA256_HEX];
		char mjson[512];
		struct al_terms t = {0};
		uint8_t *blob;
		size_t blen;
		json_t *m;
		/* every 50th report: a near copy of an earlier one */
		uint64_t seed = i % 50 == 49 ? (uint64_t)(next() % (uint64_t)i)
					     : (uint64_t)i;

		snprintf(id, sizeof(id), "%08lx-0000-4000-8000-000000000000", i & 0xffffffffL);
		text(buf, sizeof(buf), seed);
		if (al_terms_add_text(&t, key, buf, strlen(buf), 0, &err) ||
		    al_terms_encode(&t, &blob, &blen, &err))
			return die(NULL, err.msg);
		al_terms_free(&t);
		al_sha256_hex(blob, blen, ssha);
		snprintf(mjson, sizeof(mjson),
			 "{\"id\":\"%s\",\"class\":\"other\",\"affected\":[{"
			 "\"package\":{\"ecosystem\":\"npm\",\"name\":\"pkg%ld\"},"
			 "\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{"
			 "\"introduced\":\"0\"},{\"fixed\":\"1.%ld.0\"}]}]}]}",
			 id, i % 20, i % 40);
		al_sha256_hex(mjson, strlen(mjson), msha);
		sqlite3_bind_text(meta, 1, msha, -1, SQLITE_STATIC);
		sqlite3_bind_text(meta, 2, mjson, -1, SQLITE_STATIC);
		sqlite3_bind_text(rep, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(rep, 2, i);
		sqlite3_bind_text(rep, 3, msha, -1, SQLITE_STATIC);
		sqlite3_bind_text(rep, 4, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(sk, 1, ssha, -1, SQLITE_STATIC);
		sqlite3_bind_blob(sk, 2, blob, (int)blen, SQLITE_STATIC);
		if (sqlite3_step(meta) != SQLITE_DONE ||
		    sqlite3_step(rep) != SQLITE_DONE ||
		    sqlite3_step(sk) != SQLITE_DONE)
			return die(db, "inserting");
		sqlite3_reset(meta);
		sqlite3_reset(rep);
		sqlite3_reset(sk);
		m = json_loads(mjson, 0, NULL);
		if (al_dedup_index(db, id, m, ssha, &err))
			return die(NULL, err.msg);
		json_decref(m);
		free(blob);
		if (i % 10000 == 9999) {
			sqlite3_exec(db, "COMMIT; BEGIN", NULL, NULL, NULL);
			fprintf(stderr, "\r%ld reports indexed", i + 1);
		}
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(meta);
	sqlite3_finalize(rep);
	sqlite3_finalize(sk);
	fprintf(stderr, "\n");
	if (!reuse)
		printf("indexed %ld synthetic reports in %.1f s (%.2f ms a "
		       "report)\n",
		       n, (now_ms() - t0) / 1e3, (now_ms() - t0) / (double)n);
	v.db = db;
	{
		size_t found = 0, likely = 0;

		for (long c = 0; c < checks; c++) {
			long i = (long)(next() % (uint64_t)n);
			char id[64];
			struct al_dup *d;
			size_t k;
			double t;

			snprintf(id, sizeof(id),
				 "%08lx-0000-4000-8000-000000000000", i & 0xffffffffL);
			t = now_ms();
			if (al_vault_dups(&v, id, 10, false, &d, &k, &err))
				return die(NULL, err.msg);
			times[c] = now_ms() - t;
			found += k;
			likely += k && d[0].m.verdict == AL_DUP_LIKELY;
			free(d);
		}
		qsort(times, (size_t)checks, sizeof(*times), cmp_double);
		printf("dups at %ld reports: %ld checks, median %.2f ms, p90 "
		       "%.2f ms, max %.2f ms (%zu candidates listed, %zu with "
		       "a likely first)\n",
		       n, checks, times[checks / 2], times[checks * 9 / 10],
		       times[checks - 1], found, likely);
	}
	sqlite3_close(db);
	if (!stat(path, &st))
		printf("ledger.sqlite: %.1f MiB (%.1f KiB a report; the index "
		       "only: no events, bundles or checkpoints)\n",
		       st.st_size / 1048576.0, st.st_size / 1024.0 / (double)n);
	if (!keep) {
		snprintf(buf, sizeof(buf), "%s-wal", path);
		unlink(buf);
		snprintf(buf, sizeof(buf), "%s-shm", path);
		unlink(buf);
		unlink(path);
		rmdir(dir);
	}
	free(cdf);
	free(times);
	return 0;
}
