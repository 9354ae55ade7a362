/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Version ranges: semver 2.0 precedence, a generic "ecosystem" order, git
 * commit ids, and the sets of versions that one OSV "affected" object
 * names.  docs/versions.md states the rules and every decision taken here.
 *
 * Every version is bounded by AL_VERSION_MAX before it is looked at, and
 * numbers are compared as digit strings, so no input can overflow.
 */
#include "al_vrange.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "al_text.h"

/* At most this many events (all ranges together) and explicit versions in
 * one affected object; anything larger is refused, not truncated. */
#define AL_VRANGE_MAX_EVENTS   1000
#define AL_VRANGE_MAX_VERSIONS 1000

/* GIT commit ids: abbreviated ids down to 4 digits, up to SHA-256. */
#define GIT_MIN 4
#define GIT_MAX 64

/* Untrusted text quoted in a message is made visible and cut here. */
#define SHOW_MAX 48

/* An equality key: at most 3 bytes for each byte of the version. */
#define KEY_MAX (3 * AL_VERSION_MAX + 8)

#define IS_DIGIT(c) ((c) >= '0' && (c) <= '9')
#define IS_ALPHA(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))
#define IS_ALNUM(c) (IS_DIGIT(c) || IS_ALPHA(c))
#define IS_HEX(c)                                     \
	(IS_DIGIT(c) || ((c) >= 'a' && (c) <= 'f') || \
	 ((c) >= 'A' && (c) <= 'F'))

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static const char *show(const char *s, char *buf, size_t bufsz)
{
	return al_text_visible(s, strnlen(s, AL_VERSION_MAX + 1), buf, bufsz);
}

static int sign(int c)
{
	return (c > 0) - (c < 0);
}

/* Case-insensitive (ASCII only, no locale) equality of two C strings. */
static bool ascii_caseeq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		if (lower(*a) != lower(*b))
			return false;
	}
	return *a == *b;
}

/* ---- ecosystems ------------------------------------------------------ */

/* The OSV schema's ecosystem names (schema 1.7.5), in their spelling. */
static const char *const ecosystems[] = {
	"AlmaLinux",
	"Alpaquita",
	"Alpine",
	"Android",
	"Azure Linux",
	"BellSoft Hardened Containers",
	"Bioconductor",
	"Bitnami",
	"Chainguard",
	"CleanStart",
	"ConanCenter",
	"CRAN",
	"crates.io",
	"Debian",
	"Docker Hardened Images",
	"Echo",
	"FreeBSD",
	"GHC",
	"GitHub Actions",
	"Go",
	"Hackage",
	"Hex",
	"Julia",
	"Kubernetes",
	"Linux",
	"Mageia",
	"Maven",
	"MinimOS",
	"npm",
	"NuGet",
	"opam",
	"openEuler",
	"openSUSE",
	"OSS-Fuzz",
	"Packagist",
	"Photon OS",
	"Pub",
	"PyPI",
	"Red Hat",
	"Rocky Linux",
	"Root",
	"RubyGems",
	"SUSE",
	"SwiftURL",
	"TuxCare",
	"Ubuntu",
	"VSCode",
	"Wolfi",
};

/* The ecosystems whose OSV ranges osv.dev evaluates as SEMVER. */
static const char *const semver_ecosystems[] = {
	"Bitnami", "crates.io", "Go", "Hex", "npm", "SwiftURL",
};

const char *al_ecosystem_canonical(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < sizeof(ecosystems) / sizeof(ecosystems[0]); i++) {
		if (ascii_caseeq(name, ecosystems[i]))
			return ecosystems[i];
	}
	return NULL;
}

enum al_vscheme al_ecosystem_scheme(const char *canonical)
{
	char base[64];
	size_t i, n;

	if (!canonical)
		return AL_VS_ECOSYSTEM;
	/* "Debian:11" and the like: the part before the first ':' decides */
	n = strcspn(canonical, ":");
	if (n >= sizeof(base))
		return AL_VS_ECOSYSTEM;
	memcpy(base, canonical, n);
	base[n] = '\0';
	for (i = 0;
	     i < sizeof(semver_ecosystems) / sizeof(semver_ecosystems[0]);
	     i++) {
		if (ascii_caseeq(base, semver_ecosystems[i]))
			return AL_VS_SEMVER;
	}
	return AL_VS_ECOSYSTEM;
}

const char *al_vscheme_name(enum al_vscheme s)
{
	switch (s) {
	case AL_VS_SEMVER:
		return "SEMVER";
	case AL_VS_ECOSYSTEM:
		return "ECOSYSTEM";
	case AL_VS_GIT:
		return "GIT";
	}
	return "UNKNOWN";
}

/* ---- digit strings ---------------------------------------------------- */

/* Compare two runs of digits as numbers of any length. */
static int numcmp(const char *a, size_t la, const char *b, size_t lb)
{
	int c;

	while (la > 0 && *a == '0') {
		a++;
		la--;
	}
	while (lb > 0 && *b == '0') {
		b++;
		lb--;
	}
	if (la != lb)
		return la < lb ? -1 : 1;
	c = la ? memcmp(a, b, la) : 0;
	return sign(c);
}

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!IS_DIGIT(s[i]))
			return false;
	}
	return n > 0;
}

/* ---- SEMVER ------------------------------------------------------------ */

struct semver {
	const char *num[3];
	size_t numlen[3];
	const char *pre; /* pre-release without the '-'; NULL when none */
	size_t prelen;
	size_t corelen; /* length without build metadata */
};

/* Dot-separated identifiers [0-9A-Za-z-]+ from *i; pre-release numeric
 * identifiers may not have leading zeros. */
static int semver_ids(const char *v, size_t len, size_t *i, bool pre,
		      const char **why)
{
	for (;;) {
		size_t st = *i;

		while (*i < len && (IS_ALNUM(v[*i]) || v[*i] == '-'))
			(*i)++;
		if (*i == st) {
			*why = pre ? "empty pre-release identifier"
				   : "empty build metadata identifier";
			return -1;
		}
		if (pre && *i - st > 1 && v[st] == '0' &&
		    all_digits(v + st, *i - st)) {
			*why = "numeric pre-release identifier has a leading "
			       "zero";
			return -1;
		}
		if (*i < len && v[*i] == '.') {
			(*i)++;
			continue;
		}
		return 0;
	}
}

static int semver_parse(const char *v, size_t len, struct semver *sv,
			const char **why)
{
	size_t i = 0;
	int k;

	memset(sv, 0, sizeof(*sv));
	for (k = 0; k < 3; k++) {
		size_t st = i;

		while (i < len && IS_DIGIT(v[i]))
			i++;
		if (i == st) {
			*why = k == 0   ? "major is not a number"
			       : k == 1 ? "minor is not a number"
					: "patch is not a number";
			return -1;
		}
		if (i - st > 1 && v[st] == '0') {
			*why = k == 0   ? "major has a leading zero"
			       : k == 1 ? "minor has a leading zero"
					: "patch has a leading zero";
			return -1;
		}
		sv->num[k] = v + st;
		sv->numlen[k] = i - st;
		if (k < 2) {
			if (i >= len || v[i] != '.') {
				*why = "expected MAJOR.MINOR.PATCH";
				return -1;
			}
			i++;
		}
	}
	if (i < len && v[i] == '-') {
		size_t st = ++i;

		if (semver_ids(v, len, &i, true, why) < 0)
			return -1;
		sv->pre = v + st;
		sv->prelen = i - st;
	}
	sv->corelen = i;
	if (i < len && v[i] == '+') {
		i++;
		if (semver_ids(v, len, &i, false, why) < 0)
			return -1;
	}
	if (i != len) {
		*why = "unexpected character";
		return -1;
	}
	return 0;
}

/* semver.org section 11, steps 3 and 4, on two pre-release strings. */
static int semver_pre_cmp(const char *a, size_t la, const char *b, size_t lb)
{
	size_t i = 0, j = 0;

	for (;;) {
		size_t ei, ej, na, nb;
		bool da, db;
		int c;

		if (i >= la && j >= lb)
			return 0;
		if (i >= la)
			return -1; /* fewer fields: lower */
		if (j >= lb)
			return 1;
		for (ei = i; ei < la && a[ei] != '.'; ei++)
			;
		for (ej = j; ej < lb && b[ej] != '.'; ej++)
			;
		na = ei - i;
		nb = ej - j;
		da = all_digits(a + i, na);
		db = all_digits(b + j, nb);
		if (da && db) {
			c = numcmp(a + i, na, b + j, nb);
		} else if (da) {
			c = -1; /* numeric < alphanumeric */
		} else if (db) {
			c = 1;
		} else {
			c = sign(memcmp(a + i, b + j, na < nb ? na : nb));
			if (c == 0 && na != nb)
				c = na < nb ? -1 : 1;
		}
		if (c)
			return c;
		i = ei + 1;
		j = ej + 1;
	}
}

/* Precedence of two valid semver versions (without a leading 'v'). */
static int semver_cmp(const char *a, const char *b)
{
	struct semver x, y;
	const char *why = NULL;
	int k, c;

	if (semver_parse(a, strlen(a), &x, &why) < 0 ||
	    semver_parse(b, strlen(b), &y, &why) < 0)
		return strcmp(a, b); /* not reached: callers normalise */
	for (k = 0; k < 3; k++) {
		c = numcmp(x.num[k], x.numlen[k], y.num[k], y.numlen[k]);
		if (c)
			return c;
	}
	if (!x.pre && !y.pre)
		return 0;
	if (!x.pre)
		return 1; /* a release is above its pre-releases */
	if (!y.pre)
		return -1;
	return semver_pre_cmp(x.pre, x.prelen, y.pre, y.prelen);
}

/* ---- ECOSYSTEM ------------------------------------------------------- */

/* Token kinds in the order they take at one position: a pre-release word
 * is below the end of the version, a post-release word above it, and a
 * number above both (1.0rc1 < 1.0 < 1.0p1 < 1.0.1). */
enum tok_kind {
	TK_PRE = 0,
	TK_END = 1,
	TK_POST = 2,
	TK_NUM = 3,
};

struct tok {
	enum tok_kind kind;
	const char *p;
	size_t len;
};

static bool word_is(const char *p, size_t len, const char *w)
{
	size_t i;

	if (strlen(w) != len)
		return false;
	for (i = 0; i < len; i++) {
		if (lower(p[i]) != w[i])
			return false;
	}
	return true;
}

static bool word_in(const char *p, size_t len, const char *const *list)
{
	for (; *list; list++) {
		if (word_is(p, len, *list))
			return true;
	}
	return false;
}

/* Words that mark a release after the one they follow. */
static const char *const post_words[] = {
	"p", "pl", "patch", "post", "r", "rev", "sp", "hotfix", NULL,
};

/* Words that name the release itself (Maven's 1.0.Final is 1.0). */
static const char *const release_words[] = {
	"final",
	"ga",
	"release",
	NULL,
};

/* The next token of s[0..len) from *pos; TK_END at the end. */
static void eco_next(const char *s, size_t len, size_t *pos, struct tok *t)
{
	size_t i = *pos;

	/* one leading 'v' before a digit is not part of the version */
	if (i == 0 && len >= 2 && (s[0] == 'v' || s[0] == 'V') &&
	    IS_DIGIT(s[1]))
		i = 1;
	for (;;) {
		size_t st;

		while (i < len && !IS_ALNUM(s[i]))
			i++;
		if (i >= len) {
			*pos = i;
			t->kind = TK_END;
			t->p = NULL;
			t->len = 0;
			return;
		}
		st = i;
		if (IS_DIGIT(s[i])) {
			while (i < len && IS_DIGIT(s[i]))
				i++;
			t->kind = TK_NUM;
		} else {
			while (i < len && IS_ALPHA(s[i]))
				i++;
			if (word_in(s + st, i - st, release_words))
				continue;
			t->kind = word_in(s + st, i - st, post_words) ? TK_POST
								      : TK_PRE;
		}
		t->p = s + st;
		t->len = i - st;
		*pos = i;
		return;
	}
}

/* Words compare bytewise after ASCII case folding. */
static int word_cmp(const struct tok *a, const struct tok *b)
{
	size_t i, n = a->len < b->len ? a->len : b->len;

	for (i = 0; i < n; i++) {
		char x = lower(a->p[i]), y = lower(b->p[i]);

		if (x != y)
			return x < y ? -1 : 1;
	}
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return 0;
}

static int eco_cmp(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), pa = 0, pb = 0;

	for (;;) {
		struct tok x, y;
		int c;

		eco_next(a, la, &pa, &x);
		eco_next(b, lb, &pb, &y);
		if (x.kind != y.kind)
			return x.kind < y.kind ? -1 : 1;
		if (x.kind == TK_END)
			return 0;
		if (x.kind == TK_NUM)
			c = numcmp(x.p, x.len, y.p, y.len);
		else
			c = word_cmp(&x, &y);
		if (c)
			return c;
	}
}

static int eco_check(const char *v, size_t len, const char **why)
{
	size_t i;
	bool alnum = false;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c <= 0x20 || c >= 0x7f) {
			*why = "only printable ASCII without spaces is allowed";
			return -1;
		}
		if (IS_ALNUM(v[i]))
			alnum = true;
	}
	if (!alnum) {
		*why = "it has no letter or digit";
		return -1;
	}
	return 0;
}

/* ---- any scheme -------------------------------------------------------- */

int al_version_normalise(enum al_vscheme s, const char *v, char *out,
			 size_t outsz, struct al_error *err)
{
	char shown[SHOW_MAX];
	const char *why = NULL;
	struct semver sv;
	size_t len, start = 0, i;

	if (out && outsz)
		out[0] = '\0';
	if (!v)
		return al_error_set(err, AL_EINVAL, "version is missing");
	len = strnlen(v, AL_VERSION_MAX + 1);
	if (len == 0)
		return al_error_set(err, AL_EINVAL, "version is empty");
	if (len > AL_VERSION_MAX)
		return al_error_set(
			err, AL_EINVAL, "version '%s' is longer than %d bytes",
			show(v, shown, sizeof(shown)), AL_VERSION_MAX);
	switch (s) {
	case AL_VS_SEMVER:
		if (v[0] == 'v')
			start = 1;
		if (semver_parse(v + start, len - start, &sv, &why) < 0)
			return al_error_set(
				err, AL_EINVAL,
				"version '%s' is not semver 2.0: %s",
				show(v, shown, sizeof(shown)), why);
		break;
	case AL_VS_ECOSYSTEM:
		if (eco_check(v, len, &why) < 0)
			return al_error_set(
				err, AL_EINVAL,
				"version '%s' is not an ecosystem version: %s",
				show(v, shown, sizeof(shown)), why);
		break;
	case AL_VS_GIT:
		for (i = 0; i < len; i++) {
			if (!IS_HEX(v[i]))
				break;
		}
		if (i < len || len < GIT_MIN || len > GIT_MAX)
			return al_error_set(err, AL_EINVAL,
					    "version '%s' is not a commit id: "
					    "%d to %d hex digits are needed",
					    show(v, shown, sizeof(shown)),
					    GIT_MIN, GIT_MAX);
		break;
	default:
		return al_error_set(err, AL_EUSAGE, "unknown version scheme %d",
				    (int)s);
	}
	if (!out || outsz <= len - start)
		return al_error_set(err, AL_ELIMIT,
				    "version '%s' does not fit in %zu bytes",
				    show(v, shown, sizeof(shown)), outsz);
	for (i = start; i < len; i++)
		out[i - start] = s == AL_VS_GIT ? lower(v[i]) : v[i];
	out[len - start] = '\0';
	return 0;
}

/* Order of two normalised versions of scheme s (GIT: bytes, which is only
 * meaningful as equality). */
static int vcmp(enum al_vscheme s, const char *a, const char *b)
{
	switch (s) {
	case AL_VS_SEMVER:
		return semver_cmp(a, b);
	case AL_VS_ECOSYSTEM:
		return eco_cmp(a, b);
	case AL_VS_GIT:
		break;
	}
	return sign(strcmp(a, b));
}

int al_version_cmp(enum al_vscheme s, const char *a, const char *b, int *out,
		   struct al_error *err)
{
	char na[AL_VERSION_MAX + 1], nb[AL_VERSION_MAX + 1];
	char sa[SHOW_MAX], sb[SHOW_MAX];
	int rc;

	if (out)
		*out = 0;
	rc = al_version_normalise(s, a, na, sizeof(na), err);
	if (rc < 0)
		return rc;
	rc = al_version_normalise(s, b, nb, sizeof(nb), err);
	if (rc < 0)
		return rc;
	if (s == AL_VS_GIT && strcmp(na, nb) != 0)
		return al_error_set(err, AL_EINVAL,
				    "commits '%s' and '%s' have no order "
				    "without the repository",
				    show(a, sa, sizeof(sa)),
				    show(b, sb, sizeof(sb)));
	if (out)
		*out = vcmp(s, na, nb);
	return 0;
}

/*
 * A string that is equal for two normalised versions exactly when vcmp
 * says they are equal: semver without build metadata, the ecosystem
 * tokens, the lowercased commit id.  key must hold KEY_MAX bytes.
 */
static void version_key(enum al_vscheme s, const char *v, char *key)
{
	size_t len = strlen(v), pos = 0, k = 0, i;
	struct semver sv;
	const char *why = NULL;
	struct tok t;

	switch (s) {
	case AL_VS_SEMVER:
		if (semver_parse(v, len, &sv, &why) == 0)
			len = sv.corelen;
		memcpy(key, v, len);
		key[len] = '\0';
		return;
	case AL_VS_ECOSYSTEM:
		for (;;) {
			eco_next(v, len, &pos, &t);
			if (t.kind == TK_END)
				break;
			if (k)
				key[k++] = '.';
			if (t.kind == TK_NUM) {
				key[k++] = 'n';
				while (t.len > 1 && *t.p == '0') {
					t.p++;
					t.len--;
				}
			} else {
				key[k++] = t.kind == TK_PRE ? 'a' : 'z';
			}
			for (i = 0; i < t.len; i++)
				key[k++] = lower(t.p[i]);
		}
		key[k] = '\0';
		return;
	case AL_VS_GIT:
		break;
	}
	memcpy(key, v, len);
	key[len] = '\0';
}

/* ---- sets ---------------------------------------------------------------- */

/* [lo, hi) or [lo, hi]; lo is always included. */
struct al_ivl {
	const char *lo; /* NULL: below every version */
	const char *hi; /* NULL: no upper end */
	bool hi_incl;
};

struct ivls {
	struct al_ivl *v;
	size_t n, cap;
};

struct strv {
	const char **v;
	size_t n, cap;
};

struct al_vset {
	struct ivls ivl[2];  /* SEMVER, ECOSYSTEM: sorted, disjoint */
	struct strv git;     /* commit ids known affected, sorted */
	unsigned schemes;    /* bit (1 << scheme) for each range type seen */
	struct strv raw;     /* explicit versions as given, sorted */
	struct strv ekey[3]; /* their equality keys by scheme, sorted */
	struct strv pool;    /* every string the set owns */
};

static int strv_push(struct strv *sv, const char *s)
{
	if (sv->n == sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 16;
		const char **v = realloc(sv->v, cap * sizeof(*v));

		if (!v)
			return -1;
		sv->v = v;
		sv->cap = cap;
	}
	sv->v[sv->n++] = s;
	return 0;
}

static int ivls_push(struct ivls *iv, const struct al_ivl *x)
{
	if (iv->n == iv->cap) {
		size_t cap = iv->cap ? iv->cap * 2 : 16;
		struct al_ivl *v = realloc(iv->v, cap * sizeof(*v));

		if (!v)
			return -1;
		iv->v = v;
		iv->cap = cap;
	}
	iv->v[iv->n++] = *x;
	return 0;
}

/* A copy of s owned by the set, or NULL when out of memory. */
static const char *pool_dup(struct al_vset *set, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	if (strv_push(&set->pool, p) < 0) {
		free(p);
		return NULL;
	}
	return p;
}

/* Free a set and every string it owns; NULL-safe. */
void al_vset_free(struct al_vset *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < set->pool.n; i++)
		free((char *)set->pool.v[i]);
	free(set->pool.v);
	for (i = 0; i < 3; i++)
		free(set->ekey[i].v);
	free(set->raw.v);
	free(set->git.v);
	free(set->ivl[0].v);
	free(set->ivl[1].v);
	free(set);
}

static int str_qcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void strv_sort(struct strv *sv)
{
	if (sv->n > 1)
		qsort(sv->v, sv->n, sizeof(sv->v[0]), str_qcmp);
}

static bool strv_has(const struct strv *sv, const char *s)
{
	return sv->n && bsearch(&s, sv->v, sv->n, sizeof(sv->v[0]), str_qcmp);
}

/* Is lo (NULL: lowest) at or below the upper end hi (NULL: none)? */
static bool lo_reaches(enum al_vscheme s, const char *lo, const char *hi,
		       bool hi_incl)
{
	int c;

	if (!hi || !lo)
		return true;
	c = vcmp(s, lo, hi);
	return c < 0 || (c == 0 && hi_incl);
}

/* Order of two upper ends: NULL highest, exclusive below inclusive. */
static int hi_cmp(enum al_vscheme s, const struct al_ivl *a,
		  const struct al_ivl *b)
{
	int c;

	if (!a->hi || !b->hi)
		return (a->hi == NULL) - (b->hi == NULL);
	c = vcmp(s, a->hi, b->hi);
	if (c)
		return c;
	return (int)a->hi_incl - (int)b->hi_incl;
}

static int lo_cmp(enum al_vscheme s, const char *a, const char *b)
{
	if (!a || !b)
		return (b == NULL) - (a == NULL);
	return vcmp(s, a, b);
}

/* qsort has no context: one comparator a scheme. */
static int ivl_cmp_semver(const void *a, const void *b)
{
	return lo_cmp(AL_VS_SEMVER, ((const struct al_ivl *)a)->lo,
		      ((const struct al_ivl *)b)->lo);
}

static int ivl_cmp_eco(const void *a, const void *b)
{
	return lo_cmp(AL_VS_ECOSYSTEM, ((const struct al_ivl *)a)->lo,
		      ((const struct al_ivl *)b)->lo);
}

/* Sort by lower end and merge what touches, leaving disjoint intervals. */
static void ivls_normalise(struct ivls *iv, enum al_vscheme s)
{
	size_t i, n = 0;

	if (iv->n < 2)
		return;
	qsort(iv->v, iv->n, sizeof(iv->v[0]),
	      s == AL_VS_SEMVER ? ivl_cmp_semver : ivl_cmp_eco);
	for (i = 1; i < iv->n; i++) {
		struct al_ivl *cur = &iv->v[n], *nx = &iv->v[i];

		/* lower ends are inclusive: [a, b) and [b, c) touch */
		if (lo_reaches(s, nx->lo, cur->hi, true)) {
			if (hi_cmp(s, nx, cur) > 0) {
				cur->hi = nx->hi;
				cur->hi_incl = nx->hi_incl;
			}
		} else {
			iv->v[++n] = *nx;
		}
	}
	iv->n = n + 1;
}

/* Is normalised v inside one of the sorted, disjoint intervals? */
static bool ivls_contains(const struct ivls *iv, enum al_vscheme s,
			  const char *v)
{
	size_t lo = 0, hi = iv->n;

	/* the last interval whose lower end is at or below v */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (lo_cmp(s, iv->v[mid].lo, v) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	return lo_reaches(s, v, iv->v[lo - 1].hi, iv->v[lo - 1].hi_incl);
}

static bool ivls_overlap(const struct ivls *a, const struct ivls *b,
			 enum al_vscheme s)
{
	size_t i = 0, j = 0;

	while (i < a->n && j < b->n) {
		const struct al_ivl *x = &a->v[i], *y = &b->v[j];

		if (lo_reaches(s, x->lo, y->hi, y->hi_incl) &&
		    lo_reaches(s, y->lo, x->hi, x->hi_incl))
			return true;
		if (hi_cmp(s, x, y) < 0)
			i++;
		else
			j++;
	}
	return false;
}

/* ---- building a set from OSV --------------------------------------------- */

enum ev_kind {
	EV_INTRO,
	EV_FIXED,
	EV_LAST,
	EV_LIMIT,
};

static const char *const ev_names[] = {"introduced", "fixed", "last_affected",
				       "limit"};

struct ev {
	enum ev_kind kind;
	const char *v; /* normalised; NULL for introduced "0", limit "*" */
};

/* At one version: a fixed first, then an introduced, then a
 * last_affected.  So [a, b) followed by [b, c) stays one run, and
 * introduced X with last_affected X is the single version X. */
static int ev_rank(enum ev_kind k)
{
	switch (k) {
	case EV_FIXED:
		return 0;
	case EV_INTRO:
		return 1;
	case EV_LAST:
		return 2;
	case EV_LIMIT:
		break;
	}
	return 3;
}

static int ev_cmp(enum al_vscheme s, const struct ev *a, const struct ev *b)
{
	int c = lo_cmp(s, a->v, b->v);

	if (c)
		return c;
	return ev_rank(a->kind) - ev_rank(b->kind);
}

static int ev_cmp_semver(const void *a, const void *b)
{
	return ev_cmp(AL_VS_SEMVER, a, b);
}

static int ev_cmp_eco(const void *a, const void *b)
{
	return ev_cmp(AL_VS_ECOSYSTEM, a, b);
}

static int scheme_of(const char *type, enum al_vscheme *s)
{
	if (strcmp(type, "SEMVER") == 0)
		*s = AL_VS_SEMVER;
	else if (strcmp(type, "ECOSYSTEM") == 0)
		*s = AL_VS_ECOSYSTEM;
	else if (strcmp(type, "GIT") == 0)
		*s = AL_VS_GIT;
	else
		return -1;
	return 0;
}

/* A JSON string without embedded NUL, or NULL. */
static const char *json_cstr(const json_t *j)
{
	const char *s;

	if (!json_is_string(j))
		return NULL;
	s = json_string_value(j);
	if (strlen(s) != json_string_length(j))
		return NULL;
	return s;
}

/* Parse events[ei] into *e (its version in the set's pool). */
static int parse_event(struct al_vset *set, const json_t *evj,
		       enum al_vscheme s, size_t ri, size_t ei, struct ev *e,
		       struct al_error *err)
{
	char norm[AL_VERSION_MAX + 1], shown[SHOW_MAX];
	struct al_error verr = {0};
	const char *key, *v;
	json_t *val;
	void *it;
	int k;

	if (!json_is_object(evj))
		return al_error_set(err, AL_EINVAL,
				    "ranges[%zu].events[%zu]: event is not an "
				    "object",
				    ri, ei);
	if (json_object_size(evj) != 1)
		return al_error_set(err, AL_EINVAL,
				    "ranges[%zu].events[%zu]: an event needs "
				    "exactly one key, not %zu",
				    ri, ei, json_object_size(evj));
	/* jansson's iterator takes a non-const object; it is only read */
	it = json_object_iter((json_t *)evj);
	key = json_object_iter_key(it);
	val = json_object_iter_value(it);
	for (k = 0; k < 4; k++) {
		if (strcmp(key, ev_names[k]) == 0)
			break;
	}
#if JANSSON_VERSION_HEX >= 0x020e00
	/* "introduced\u0000x" is not "introduced" */
	if (json_object_iter_key_len(it) != strlen(key))
		k = 4;
#endif
	if (k == 4)
		return al_error_set(err, AL_EINVAL,
				    "ranges[%zu].events[%zu]: unknown event "
				    "'%s'",
				    ri, ei, show(key, shown, sizeof(shown)));
	e->kind = (enum ev_kind)k;
	v = json_cstr(val);
	if (!v)
		return al_error_set(err, AL_EINVAL,
				    "ranges[%zu].events[%zu]: '%s' is not a "
				    "string",
				    ri, ei, ev_names[k]);
	if ((e->kind == EV_INTRO && strcmp(v, "0") == 0) ||
	    (e->kind == EV_LIMIT && strchr(v, '*'))) {
		e->v = NULL;
		return 0;
	}
	if (al_version_normalise(s, v, norm, sizeof(norm), &verr) < 0)
		return al_error_set(err, AL_EINVAL,
				    "ranges[%zu].events[%zu]: %s '%s' is not a "
				    "%s version",
				    ri, ei, ev_names[k],
				    show(v, shown, sizeof(shown)),
				    al_vscheme_name(s));
	e->v = pool_dup(set, norm);
	if (!e->v)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	return 0;
}

/* The rules OSV sets on one range's events, checked in array order. */
static int check_events(const struct ev *evs, size_t n, enum al_vscheme s,
			size_t ri, struct al_error *err)
{
	char sa[SHOW_MAX], sb[SHOW_MAX];
	bool intro = false, fixed = false, last = false;
	size_t i;

	for (i = 0; i < n; i++) {
		intro |= evs[i].kind == EV_INTRO;
		fixed |= evs[i].kind == EV_FIXED;
		last |= evs[i].kind == EV_LAST;
	}
	if (!intro)
		return al_error_set(err, AL_EINVAL,
				    "ranges[%zu]: no 'introduced' event", ri);
	if (fixed && last)
		return al_error_set(err, AL_EINVAL,
				    "ranges[%zu]: both 'fixed' and "
				    "'last_affected' events",
				    ri);
	/* an introduced directly followed by its end must not be empty */
	for (i = 0; i + 1 < n; i++) {
		const struct ev *a = &evs[i], *b = &evs[i + 1];
		int c;

		if (a->kind != EV_INTRO || !a->v ||
		    (b->kind != EV_FIXED && b->kind != EV_LAST))
			continue;
		c = vcmp(s, b->v, a->v);
		if (s == AL_VS_GIT && c != 0)
			continue; /* no order known: only equality */
		if ((b->kind == EV_FIXED && c <= 0) ||
		    (b->kind == EV_LAST && c < 0))
			return al_error_set(
				err, AL_EINVAL,
				"ranges[%zu].events[%zu]: %s '%s' is not "
				"%s introduced '%s', the range is empty",
				ri, i + 1, ev_names[b->kind],
				show(b->v, sa, sizeof(sa)),
				b->kind == EV_FIXED ? "above" : "at or above",
				show(a->v, sb, sizeof(sb)));
	}
	return 0;
}

/* OSV's evaluation as intervals: sweep the sorted events, then cap
 * everything at the highest limit (a "*" limit lifts the cap). */
static int add_intervals(struct al_vset *set, struct ev *evs, size_t n,
			 enum al_vscheme s, struct al_error *err)
{
	struct ivls *iv = &set->ivl[s];
	size_t first = iv->n, i;
	const char *start = NULL, *cap = NULL;
	bool open = false, capped = false, star = false;

	for (i = 0; i < n; i++) {
		if (evs[i].kind != EV_LIMIT)
			continue;
		if (!evs[i].v)
			star = true;
		else if (!cap || vcmp(s, evs[i].v, cap) > 0)
			cap = evs[i].v;
	}
	capped = cap && !star;
	qsort(evs, n, sizeof(evs[0]),
	      s == AL_VS_SEMVER ? ev_cmp_semver : ev_cmp_eco);
	for (i = 0; i < n; i++) {
		struct al_ivl x;

		if (evs[i].kind == EV_INTRO && !open) {
			open = true;
			start = evs[i].v;
		} else if ((evs[i].kind == EV_FIXED ||
			    evs[i].kind == EV_LAST) &&
			   open) {
			open = false;
			x.lo = start;
			x.hi = evs[i].v;
			x.hi_incl = evs[i].kind == EV_LAST;
			if (ivls_push(iv, &x) < 0)
				goto nomem;
		}
	}
	if (open) {
		struct al_ivl x = {start, NULL, false};

		if (ivls_push(iv, &x) < 0)
			goto nomem;
	}
	if (capped) {
		size_t m = first;

		for (i = first; i < iv->n; i++) {
			struct al_ivl x = iv->v[i];

			if (!lo_reaches(s, x.lo, cap, false))
				continue; /* at or above the limit */
			if (!x.hi || vcmp(s, x.hi, cap) >= 0) {
				x.hi = cap;
				x.hi_incl = false;
			}
			iv->v[m++] = x;
		}
		iv->n = m;
	}
	return 0;
nomem:
	return al_error_set(err, AL_ENOMEM, "out of memory");
}

/* GIT: only commits named as affected can be matched without the
 * repository: each introduced (but "0") and last_affected commit. */
static int add_git_points(struct al_vset *set, const struct ev *evs, size_t n,
			  struct al_error *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((evs[i].kind == EV_INTRO || evs[i].kind == EV_LAST) &&
		    evs[i].v && strv_push(&set->git, evs[i].v) < 0)
			return al_error_set(err, AL_ENOMEM, "out of memory");
	}
	return 0;
}

static int parse_range(struct al_vset *set, const json_t *r, size_t ri,
		       size_t *nevents, struct al_error *err)
{
	char shown[SHOW_MAX];
	const json_t *events, *repo;
	const char *type;
	struct ev *evs = NULL;
	enum al_vscheme s;
	size_t n, i;
	int rc;

	if (!json_is_object(r))
		return al_error_set(err, AL_EINVAL,
				    "ranges[%zu]: range is not an object", ri);
	type = json_cstr(json_object_get(r, "type"));
	if (!type)
		return al_error_set(err, AL_EINVAL,
				    "ranges[%zu]: 'type' is missing or not a "
				    "string",
				    ri);
	if (scheme_of(type, &s) < 0)
		return al_error_set(err, AL_EINVAL,
				    "ranges[%zu]: unknown type '%s' (SEMVER, "
				    "ECOSYSTEM or GIT)",
				    ri, show(type, shown, sizeof(shown)));
	repo = json_object_get(r, "repo");
	if (repo && (!json_cstr(repo) || !*json_cstr(repo)))
		return al_error_set(err, AL_EINVAL,
				    "ranges[%zu]: 'repo' is not a non-empty "
				    "string",
				    ri);
	if (s == AL_VS_GIT && !repo)
		return al_error_set(err, AL_EINVAL,
				    "ranges[%zu]: GIT range without 'repo'",
				    ri);
	events = json_object_get(r, "events");
	if (!json_is_array(events))
		return al_error_set(
			err, AL_EINVAL,
			"ranges[%zu]: 'events' is missing or not an "
			"array",
			ri);
	n = json_array_size(events);
	if (n > AL_VRANGE_MAX_EVENTS - *nevents)
		return al_error_set(err, AL_EINVAL,
				    "ranges[%zu]: more than %d events in one "
				    "affected object",
				    ri, AL_VRANGE_MAX_EVENTS);
	*nevents += n;
	if (n == 0)
		return al_error_set(err, AL_EINVAL,
				    "ranges[%zu]: no 'introduced' event", ri);
	evs = calloc(n, sizeof(*evs));
	if (!evs)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		rc = parse_event(set, json_array_get(events, i), s, ri, i,
				 &evs[i], err);
		if (rc < 0)
			goto out;
	}
	rc = check_events(evs, n, s, ri, err);
	if (rc < 0)
		goto out;
	set->schemes |= 1u << s;
	if (s == AL_VS_GIT)
		rc = add_git_points(set, evs, n, err);
	else
		rc = add_intervals(set, evs, n, s, err);
out:
	free(evs);
	return rc;
}

static int parse_versions(struct al_vset *set, const json_t *versions,
			  struct al_error *err)
{
	char norm[AL_VERSION_MAX + 1], key[KEY_MAX];
	size_t n, i;
	int s;

	if (!json_is_array(versions))
		return al_error_set(err, AL_EINVAL,
				    "'versions' is not an array");
	n = json_array_size(versions);
	if (n > AL_VRANGE_MAX_VERSIONS)
		return al_error_set(err, AL_EINVAL,
				    "'versions' has %zu entries, more than %d",
				    n, AL_VRANGE_MAX_VERSIONS);
	for (i = 0; i < n; i++) {
		const char *v = json_cstr(json_array_get(versions, i));
		const char *copy;
		size_t len;

		if (!v)
			return al_error_set(err, AL_EINVAL,
					    "versions[%zu]: not a string", i);
		len = strnlen(v, AL_VERSION_MAX + 1);
		if (len == 0 || len > AL_VERSION_MAX)
			return al_error_set(err, AL_EINVAL,
					    "versions[%zu]: length must be 1 "
					    "to %d bytes",
					    i, AL_VERSION_MAX);
		if (!al_utf8_valid(v, len) || al_text_has_control(v, len))
			return al_error_set(err, AL_EINVAL,
					    "versions[%zu]: not UTF-8 text "
					    "without control characters",
					    i);
		copy = pool_dup(set, v);
		if (!copy || strv_push(&set->raw, copy) < 0)
			goto nomem;
		for (s = 0; s < 3; s++) {
			const char *k;

			if (al_version_normalise((enum al_vscheme)s, v, norm,
						 sizeof(norm), NULL) < 0)
				continue;
			version_key((enum al_vscheme)s, norm, key);
			k = pool_dup(set, key);
			if (!k || strv_push(&set->ekey[s], k) < 0)
				goto nomem;
		}
	}
	return 0;
nomem:
	return al_error_set(err, AL_ENOMEM, "out of memory");
}

int al_vset_from_osv(const json_t *affected, struct al_vset **out,
		     struct al_error *err)
{
	struct al_vset *set = NULL;
	const json_t *ranges, *versions;
	size_t nevents = 0, i;
	int rc;

	if (!out)
		return al_error_set(err, AL_EUSAGE, "no place for the set");
	*out = NULL;
	if (!json_is_object(affected))
		return al_error_set(err, AL_EINVAL,
				    "affected entry is not an object");
	ranges = json_object_get(affected, "ranges");
	versions = json_object_get(affected, "versions");
	if (!ranges && !versions)
		return al_error_set(err, AL_EINVAL,
				    "affected entry has neither 'ranges' nor "
				    "'versions'");
	if (ranges && !json_is_array(ranges))
		return al_error_set(err, AL_EINVAL, "'ranges' is not an array");
	set = calloc(1, sizeof(*set));
	if (!set)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	for (i = 0; ranges && i < json_array_size(ranges); i++) {
		rc = parse_range(set, json_array_get(ranges, i), i, &nevents,
				 err);
		if (rc < 0)
			goto out;
	}
	if (versions) {
		rc = parse_versions(set, versions, err);
		if (rc < 0)
			goto out;
	}
	ivls_normalise(&set->ivl[AL_VS_SEMVER], AL_VS_SEMVER);
	ivls_normalise(&set->ivl[AL_VS_ECOSYSTEM], AL_VS_ECOSYSTEM);
	strv_sort(&set->git);
	strv_sort(&set->raw);
	for (i = 0; i < 3; i++)
		strv_sort(&set->ekey[i]);
	*out = set;
	set = NULL;
	rc = 0;
out:
	al_vset_free(set);
	return rc;
}

/* ---- queries --------------------------------------------------------------- */

/* Is normalised v (of scheme s, with equality key key) in the ranges of s
 * or equal to an explicit version under s? */
static bool in_scheme(const struct al_vset *set, enum al_vscheme s,
		      const char *norm, const char *key)
{
	if (strv_has(&set->ekey[s], key))
		return true;
	if (s == AL_VS_GIT)
		return strv_has(&set->git, key);
	return ivls_contains(&set->ivl[s], s, norm);
}

int al_vset_contains(const struct al_vset *set, enum al_vscheme s,
		     const char *v, bool *out, struct al_error *err)
{
	char norm[AL_VERSION_MAX + 1], key[KEY_MAX];
	int rc;

	if (!out)
		return al_error_set(err, AL_EUSAGE, "no place for the answer");
	*out = false;
	if (!set)
		return al_error_set(err, AL_EUSAGE, "no version set");
	rc = al_version_normalise(s, v, norm, sizeof(norm), err);
	if (rc < 0)
		return rc;
	version_key(s, norm, key);
	/* an explicit version byte-equal to v is valid in s like v, so its
	 * key is among ekey[s] */
	*out = in_scheme(set, s, norm, key);
	return 0;
}

/* Does explicit version e of one set lie in other?  Byte equality, or
 * inside other under a scheme some range of either set uses. */
static bool explicit_in(const char *e, const struct al_vset *other,
			unsigned schemes)
{
	char norm[AL_VERSION_MAX + 1], key[KEY_MAX];
	int s;

	if (strv_has(&other->raw, e))
		return true;
	for (s = 0; s < 3; s++) {
		if (!(schemes & (1u << s)))
			continue;
		if (al_version_normalise((enum al_vscheme)s, e, norm,
					 sizeof(norm), NULL) < 0)
			continue;
		version_key((enum al_vscheme)s, norm, key);
		if (in_scheme(other, (enum al_vscheme)s, norm, key))
			return true;
	}
	return false;
}

static bool git_overlap(const struct strv *a, const struct strv *b)
{
	size_t i = 0, j = 0;

	while (i < a->n && j < b->n) {
		int c = strcmp(a->v[i], b->v[j]);

		if (c == 0)
			return true;
		if (c < 0)
			i++;
		else
			j++;
	}
	return false;
}

int al_vset_overlaps(const struct al_vset *a, const struct al_vset *b,
		     bool *out, struct al_error *err)
{
	unsigned schemes;
	size_t i;

	if (!out)
		return al_error_set(err, AL_EUSAGE, "no place for the answer");
	*out = false;
	if (!a || !b)
		return al_error_set(err, AL_EUSAGE, "no version set");
	schemes = a->schemes | b->schemes;
	if (ivls_overlap(&a->ivl[AL_VS_SEMVER], &b->ivl[AL_VS_SEMVER],
			 AL_VS_SEMVER) ||
	    ivls_overlap(&a->ivl[AL_VS_ECOSYSTEM], &b->ivl[AL_VS_ECOSYSTEM],
			 AL_VS_ECOSYSTEM) ||
	    git_overlap(&a->git, &b->git)) {
		*out = true;
		return 0;
	}
	for (i = 0; i < a->raw.n; i++) {
		if (explicit_in(a->raw.v[i], b, schemes)) {
			*out = true;
			return 0;
		}
	}
	for (i = 0; i < b->raw.n; i++) {
		if (explicit_in(b->raw.v[i], a, schemes)) {
			*out = true;
			return 0;
		}
	}
	return 0;
}
