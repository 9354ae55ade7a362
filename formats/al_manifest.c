/* SPDX-License-Identifier: Apache-2.0 */
/*
 * manifest.json of a bundle (spec bundle-v1, docs/bundle.md): strict
 * decoding, a check that reports every problem with its JSON path, entry
 * name rules shared with the archive reader and writer, and a deterministic
 * serialisation.
 */
#include "al_manifest.h"
#include "al_json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <uninorm.h>

#include "al_cvss.h"
#include "al_text.h"
#include "al_time.h"
#include "al_uuid.h"
#include "al_vrange.h"

#define MANIFEST_MAX_DEPTH 32
#define PATH_MAX_LEN       96   /* a JSON path in a message */
#define SHOW_LEN           80   /* an untrusted value shown in a message */
#define LINE_MAX_CHARS     1000 /* one-line fields other than the title */

const char *const al_manifest_classes[] = {
	"rce", "sqli",         "auth-bypass", "privilege-escalation",
	"xss", "admin-action", "csrf",        "other",
	NULL,
};

const char *const al_manifest_ratings[] = {
	"critical", "high", "medium", "low", NULL,
};

static const char *const required_keys[] = {
	"airlock",  "id",          "created", "project", "title", "class",
	"affected", "description", "steps",   "files",   NULL,
};

void al_limits_default(struct al_limits *lim)
{
	lim->bundle_bytes = UINT64_C(4) << 30;
	lim->entries = 1000;
	lim->name_bytes = 255;
	lim->manifest_bytes = UINT64_C(1) << 20;
}

static bool in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static bool is_lower_hex(const char *s, size_t want)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == want;
}

int al_entry_name_check(const char *name, size_t len,
			const struct al_limits *lim, struct al_error *err)
{
	struct al_limits def;
	char show[SHOW_LEN];
	int rc;

	if (!lim) {
		al_limits_default(&def);
		lim = &def;
	}
	if ((rc = al_relpath_check(name, len, lim->name_bytes, "entry", err)))
		return rc;
	al_text_visible(name, len, show, sizeof(show));
	if (!(len == 13 && memcmp(name, "manifest.json", 13) == 0) &&
	    !(len == 14 && memcmp(name, "keys/reply.asc", 14) == 0) &&
	    !(len > 12 && memcmp(name, "attachments/", 12) == 0))
		return al_error_set(err, AL_EINVAL,
				    "entry '%s': not 'manifest.json', "
				    "'keys/reply.asc' or under 'attachments/'",
				    show);
	/* Not required to be NFC (the spec does not ask it, and tar on macOS
	 * writes NFD): al_name_fold composes before comparing, so two names
	 * that differ only in normalisation still collide. */
	return 0;
}

int al_name_fold(const char *name, size_t len, char **out, struct al_error *err)
{
	char show[SHOW_LEN];
	uint8_t *f = NULL;
	size_t flen = 0;
	char *s;

	*out = NULL;
	al_text_visible(name, len, show, sizeof(show));
	if (!al_utf8_valid(name, len))
		return al_error_set(err, AL_EINVAL,
				    "name '%s': not valid UTF-8", show);
	if (memchr(name, '\0', len))
		return al_error_set(err, AL_EINVAL,
				    "name '%s': contains a NUL byte", show);
	if (len > 0) {
		f = u8_casefold((const uint8_t *)name, len, NULL, UNINORM_NFC,
				NULL, &flen);
		if (!f) {
			if (errno == ENOMEM)
				return al_error_set(err, AL_ENOMEM,
						    "name '%s': out of memory",
						    show);
			return al_error_set(err, AL_EINVAL,
					    "name '%s': cannot be case folded",
					    show);
		}
	}
	s = malloc(flen + 1);
	if (!s) {
		free(f);
		return al_error_set(err, AL_ENOMEM, "name '%s': out of memory",
				    show);
	}
	if (flen)
		memcpy(s, f, flen);
	s[flen] = '\0';
	free(f);
	*out = s;
	return 0;
}

int al_name_nfc(const char *name, size_t len, char **out, struct al_error *err)
{
	uint8_t *n = NULL;
	size_t nlen = 0;
	char *s;

	*out = NULL;
	if (!al_utf8_valid(name, len) || memchr(name, '\0', len))
		return al_error_set(err, AL_EINVAL, "name: not valid UTF-8");
	if (len) {
		n = u8_normalize(UNINORM_NFC, (const uint8_t *)name, len, NULL,
				 &nlen);
		if (!n)
			return al_error_set(
				err, errno == ENOMEM ? AL_ENOMEM : AL_EINVAL,
				"name: cannot be normalised");
	}
	s = malloc(nlen + 1);
	if (!s) {
		free(n);
		return al_error_set(err, AL_ENOMEM, "out of memory");
	}
	if (nlen)
		memcpy(s, n, nlen);
	s[nlen] = '\0';
	free(n);
	*out = s;
	return 0;
}

/* ---- the check ---- */

static void problem(struct al_problems *p, const char *path, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));

static void problem(struct al_problems *p, const char *path, const char *fmt,
		    ...)
{
	char msg[224];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	al_problems_add(p, 0, "manifest: '%s': %s", path, msg);
}

/* A path cut to fit ends in "...". */
static void path_fit(char *out, int n)
{
	if (n < 0 || n >= PATH_MAX_LEN)
		memcpy(out + PATH_MAX_LEN - 4, "...", 4);
}

static void key_path(char *out, const char *prefix, const char *key)
{
	path_fit(out, snprintf(out, PATH_MAX_LEN, "%s%s%s", prefix,
			       *prefix ? "." : "", key));
}

static void index_path(char *out, const char *prefix, size_t i)
{
	path_fit(out, snprintf(out, PATH_MAX_LEN, "%s[%zu]", prefix, i));
}

/*
 * The value of key in obj, or NULL.  When missing and required, or
 * present but not of type (a json_type), a problem is added and NULL
 * returned.
 */
static const json_t *get(const json_t *obj, const char *prefix, const char *key,
			 json_type type, bool required, struct al_problems *p)
{
	static const char *const names[] = {
		[JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array",
		[JSON_STRING] = "a string",  [JSON_INTEGER] = "an integer",
		[JSON_REAL] = "a number",    [JSON_TRUE] = "a boolean",
		[JSON_FALSE] = "a boolean",  [JSON_NULL] = "null",
	};
	char path[PATH_MAX_LEN];
	const json_t *v = json_object_get(obj, key);

	key_path(path, prefix, key);
	if (!v) {
		if (required)
			problem(p, path, "missing");
		return NULL;
	}
	if (json_typeof(v) != type) {
		problem(p, path, "must be %s", names[type]);
		return NULL;
	}
	return v;
}

/* A string that must hold text without NUL and be valid UTF-8 (jansson
 * guarantees both for parsed input; a caller's object may not). */
static bool text_ok(const json_t *v, const char *path, struct al_problems *p)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);

	if (memchr(s, '\0', len)) {
		problem(p, path, "contains a NUL");
		return false;
	}
	if (!al_utf8_valid(s, len)) {
		problem(p, path, "not valid UTF-8");
		return false;
	}
	return true;
}

/* A non-empty line of at most max characters without control or bidi
 * characters. */
static bool line_ok(const json_t *v, const char *path, size_t max,
		    struct al_problems *p)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);

	if (!text_ok(v, path, p))
		return false;
	if (len == 0) {
		problem(p, path, "must not be empty");
		return false;
	}
	if (al_text_has_control(s, len)) {
		problem(p, path, "contains a control or bidi character");
		return false;
	}
	if (al_utf8_length(s, len) > max) {
		problem(p, path, "longer than %zu characters", max);
		return false;
	}
	return true;
}

/* An optional or required one-line string field. */
static const char *line_field(const json_t *obj, const char *prefix,
			      const char *key, bool required, size_t max,
			      struct al_problems *p)
{
	char path[PATH_MAX_LEN];
	const json_t *v = get(obj, prefix, key, JSON_STRING, required, p);

	key_path(path, prefix, key);
	if (!v || !line_ok(v, path, max, p))
		return NULL;
	return json_string_value(v);
}

/* "a, b, c" from a NULL-terminated list. */
static void join_list(const char *const *list, char *out, size_t outsz)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; list[i] && used < outsz; i++) {
		int n = snprintf(out + used, outsz - used, "%s%s",
				 i ? ", " : "", list[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* An optional or required string field from a fixed list. */
static void enum_field(const json_t *obj, const char *prefix, const char *key,
		       bool required, const char *const *list,
		       struct al_problems *p)
{
	char path[PATH_MAX_LEN], show[SHOW_LEN], opts[128];
	const json_t *v = get(obj, prefix, key, JSON_STRING, required, p);

	if (!v)
		return;
	key_path(path, prefix, key);
	if (json_string_length(v) == strlen(json_string_value(v)) &&
	    in_list(list, json_string_value(v)))
		return;
	al_text_visible(json_string_value(v), json_string_length(v), show,
			sizeof(show));
	join_list(list, opts, sizeof(opts));
	problem(p, path, "'%s' is not one of %s", show, opts);
}

static void check_airlock(const json_t *m, struct al_problems *p)
{
	const json_t *v = json_object_get(m, "airlock");

	if (!v)
		return; /* reported as missing already */
	if (!json_is_integer(v)) {
		problem(p, "airlock", "must be an integer");
		return;
	}
	if (json_integer_value(v) != AL_MANIFEST_VERSION)
		problem(p, "airlock", "unsupported version %lld (expected %d)",
			(long long)json_integer_value(v), AL_MANIFEST_VERSION);
}

/* s is a valid RFC 3339 date-time: is its offset UTC? */
static bool is_utc(const char *s, size_t len)
{
	const char *end = s + len;

	return end[-1] == 'Z' || end[-1] == 'z' ||
	       (len >= 6 && (memcmp(end - 6, "+00:00", 6) == 0 ||
			     memcmp(end - 6, "-00:00", 6) == 0));
}

static void check_id_created(const json_t *m, struct al_problems *p)
{
	const json_t *v = get(m, "", "id", JSON_STRING, false, p);
	struct al_error err = {0};
	char show[SHOW_LEN];
	int64_t t;

	if (v && !al_uuid_valid_v4(json_string_value(v))) {
		al_text_visible(json_string_value(v), json_string_length(v),
				show, sizeof(show));
		problem(p, "id", "'%s' is not a lowercase version-4 UUID",
			show);
	}
	v = get(m, "", "created", JSON_STRING, false, p);
	if (!v || !text_ok(v, "created", p))
		return;
	al_text_visible(json_string_value(v), json_string_length(v), show,
			sizeof(show));
	if (al_time_parse(json_string_value(v), &t, &err) != 0) {
		problem(p, "created", "'%s' is not an RFC 3339 date-time",
			show);
		return;
	}
	/* UTC: a final 'Z' (or 'z', which RFC 3339 allows) or a zero
	 * offset ("+00:00"; "-00:00" is UTC with the local offset unknown) */
	if (!is_utc(json_string_value(v), json_string_length(v))) {
		problem(p, "created", "'%s' is not UTC ('Z' or '+00:00')",
			show);
		return;
	}
	if (t < 0)
		problem(p, "created", "'%s' is before 1970", show);
}

static void check_cwe(const json_t *m, struct al_problems *p)
{
	const json_t *a = get(m, "", "cwe", JSON_ARRAY, false, p);
	char path[PATH_MAX_LEN], show[SHOW_LEN];

	for (size_t i = 0; a && i < json_array_size(a); i++) {
		const json_t *v = json_array_get(a, i);
		const char *s;
		size_t n;

		index_path(path, "cwe", i);
		if (!json_is_string(v)) {
			problem(p, path, "must be a string");
			continue;
		}
		s = json_string_value(v);
		n = json_string_length(v);
		bool ok = n > 4 && n <= 11 && memcmp(s, "CWE-", 4) == 0 &&
			  s[4] != '0';
		for (size_t j = 4; ok && j < n; j++)
			ok = s[j] >= '0' && s[j] <= '9';
		if (!ok) {
			al_text_visible(s, n, show, sizeof(show));
			problem(p, path, "'%s' is not CWE-<number>", show);
		}
	}
}

static void check_vector(const json_t *sev, const char *key,
			 enum al_cvss_version want, struct al_problems *p)
{
	const json_t *v = get(sev, "severity", key, JSON_STRING, false, p);
	char path[PATH_MAX_LEN];
	struct al_error err = {0};
	struct al_cvss c;

	if (!v)
		return;
	key_path(path, "severity", key);
	if (!text_ok(v, path, p))
		return;
	if (al_cvss_parse(json_string_value(v), &c, &err) != 0) {
		problem(p, path, "%s", err.msg);
		return;
	}
	if (c.version != want)
		problem(p, path, "not a CVSS %s vector",
			want == AL_CVSS_V31 ? "3.1" : "4.0");
}

static void check_severity(const json_t *m, struct al_problems *p)
{
	const json_t *sev = get(m, "", "severity", JSON_OBJECT, false, p);

	if (!sev)
		return;
	check_vector(sev, "cvss_v3", AL_CVSS_V31, p);
	check_vector(sev, "cvss_v4", AL_CVSS_V40, p);
	enum_field(sev, "severity", "rating", false, al_manifest_ratings, p);
}

static const char *const range_types[] = {"SEMVER", "ECOSYSTEM", "GIT", NULL};
static const char *const event_keys[] = {"introduced", "fixed", "last_affected",
					 "limit", NULL};

static void check_event(const json_t *e, const char *path,
			struct al_problems *p)
{
	const char *found = NULL;
	int n = 0;

	if (!json_is_object(e)) {
		problem(p, path, "must be an object");
		return;
	}
	for (size_t k = 0; event_keys[k]; k++)
		if (json_object_get(e, event_keys[k])) {
			found = event_keys[k];
			n++;
		}
	if (n != 1) {
		problem(p, path,
			"must have exactly one of introduced, fixed, "
			"last_affected, limit");
		return;
	}
	line_field(e, path, found, true, LINE_MAX_CHARS, p);
}

static void check_range(const json_t *r, const char *path,
			struct al_problems *p)
{
	const json_t *type, *events;
	char epath[PATH_MAX_LEN];

	if (!json_is_object(r)) {
		problem(p, path, "must be an object");
		return;
	}
	enum_field(r, path, "type", true, range_types, p);
	type = json_object_get(r, "type");
	if (json_is_string(type) && strcmp(json_string_value(type), "GIT") == 0)
		line_field(r, path, "repo", true, LINE_MAX_CHARS, p);
	else
		line_field(r, path, "repo", false, LINE_MAX_CHARS, p);
	events = get(r, path, "events", JSON_ARRAY, true, p);
	if (!events)
		return;
	if (json_array_size(events) == 0) {
		key_path(epath, path, "events");
		problem(p, epath, "must not be empty");
	}
	for (size_t i = 0; i < json_array_size(events); i++) {
		char ipath[PATH_MAX_LEN];

		key_path(epath, path, "events");
		index_path(ipath, epath, i);
		check_event(json_array_get(events, i), ipath, p);
	}
}

static void check_affected_one(const json_t *a, const char *path,
			       struct al_problems *p)
{
	size_t before = al_problems_count(p);
	const json_t *pkg, *ranges, *versions;
	char kpath[PATH_MAX_LEN], ipath[PATH_MAX_LEN];
	struct al_error err = {0};
	struct al_vset *set = NULL;

	if (!json_is_object(a)) {
		problem(p, path, "must be an object");
		return;
	}
	key_path(kpath, path, "package");
	pkg = get(a, path, "package", JSON_OBJECT, true, p);
	if (pkg) {
		line_field(pkg, kpath, "ecosystem", true, LINE_MAX_CHARS, p);
		line_field(pkg, kpath, "name", true, LINE_MAX_CHARS, p);
	}
	ranges = get(a, path, "ranges", JSON_ARRAY, false, p);
	key_path(kpath, path, "ranges");
	for (size_t i = 0; ranges && i < json_array_size(ranges); i++) {
		index_path(ipath, kpath, i);
		check_range(json_array_get(ranges, i), ipath, p);
	}
	versions = get(a, path, "versions", JSON_ARRAY, false, p);
	key_path(kpath, path, "versions");
	for (size_t i = 0; versions && i < json_array_size(versions); i++) {
		const json_t *v = json_array_get(versions, i);

		index_path(ipath, kpath, i);
		if (!json_is_string(v))
			problem(p, ipath, "must be a string");
		else
			line_ok(v, ipath, LINE_MAX_CHARS, p);
	}
	if (json_array_size(json_object_get(a, "ranges")) == 0 &&
	    json_array_size(json_object_get(a, "versions")) == 0)
		problem(p, path, "has no ranges and no versions");
	if (al_problems_count(p) != before)
		return;
	/* well-formed: now the version semantics */
	if (al_vset_from_osv(a, &set, &err) != 0)
		problem(p, path, "%s", err.msg);
	al_vset_free(set);
}

static void check_affected(const json_t *m, struct al_problems *p)
{
	const json_t *a = get(m, "", "affected", JSON_ARRAY, false, p);
	char path[PATH_MAX_LEN];

	for (size_t i = 0; a && i < json_array_size(a); i++) {
		index_path(path, "affected", i);
		check_affected_one(json_array_get(a, i), path, p);
	}
}

static void check_texts(const json_t *m, struct al_problems *p)
{
	static const char *const keys[] = {"description", "steps", "impact",
					   "additional", NULL};

	for (size_t i = 0; keys[i]; i++) {
		const json_t *v = get(m, "", keys[i], JSON_STRING, false, p);
		if (v)
			text_ok(v, keys[i], p);
	}
}

static void check_reporter(const json_t *m, struct al_problems *p)
{
	static const char *const credits[] = {"public", "anonymous", NULL};
	const json_t *r = get(m, "", "reporter", JSON_OBJECT, false, p);

	if (!r)
		return;
	line_field(r, "reporter", "name", false, LINE_MAX_CHARS, p);
	line_field(r, "reporter", "contact", false, LINE_MAX_CHARS, p);
	enum_field(r, "reporter", "credit", false, credits, p);
}

struct folded {
	char *key;
	const char *name;
	size_t idx;
};

static int folded_cmp(const void *a, const void *b)
{
	const struct folded *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Check one files[] entry; its folded path goes to *f when valid.  The
 * valid size is added to *total. */
static void check_file(const json_t *f, size_t i, const struct al_limits *lim,
		       struct folded *fo, size_t *nfo, uint64_t *total,
		       struct al_problems *p)
{
	char path[PATH_MAX_LEN], kpath[PATH_MAX_LEN];
	const json_t *v;
	struct al_error err = {0};

	index_path(path, "files", i);
	if (!json_is_object(f)) {
		problem(p, path, "must be an object");
		return;
	}
	key_path(kpath, path, "path");
	v = get(f, path, "path", JSON_STRING, true, p);
	if (v) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		char *key = NULL;

		if (al_entry_name_check(s, n, lim, &err) != 0) {
			problem(p, kpath, "%s", err.msg);
		} else if (strcmp(s, "manifest.json") == 0) {
			problem(p, kpath, "'manifest.json' cannot be listed");
		} else if (al_name_fold(s, n, &key, &err) != 0) {
			problem(p, kpath, "%s", err.msg);
		} else {
			fo[*nfo].key = key;
			fo[*nfo].name = s;
			fo[*nfo].idx = i;
			(*nfo)++;
		}
	}
	key_path(kpath, path, "size");
	v = json_object_get(f, "size");
	if (!v) {
		problem(p, kpath, "missing");
	} else if (!json_is_integer(v)) {
		problem(p, kpath, "must be an integer");
	} else if (json_integer_value(v) < 0) {
		problem(p, kpath, "must not be negative");
	} else if ((uint64_t)json_integer_value(v) > lim->bundle_bytes) {
		problem(p, kpath,
			"%lld bytes, more than the bundle limit of %" PRIu64,
			(long long)json_integer_value(v), lim->bundle_bytes);
	} else {
		*total += (uint64_t)json_integer_value(v);
	}
	key_path(kpath, path, "sha256");
	v = get(f, path, "sha256", JSON_STRING, true, p);
	if (v && (json_string_length(v) != 64 ||
		  !is_lower_hex(json_string_value(v), 64)))
		problem(p, kpath, "not 64 lowercase hex digits");
}

static int key_cmp(const void *k, const void *elem)
{
	return strcmp(k, ((const struct folded *)elem)->key);
}

/*
 * A file cannot also be a folder: "attachments/a" and "attachments/a/b"
 * (or "attachments/A/b", after folding) cannot both be written out, so a
 * bundle naming both could never be opened.  fo is sorted by key.
 */
static void check_nesting(const struct folded *fo, size_t nfo,
			  struct al_problems *p)
{
	for (size_t i = 0; i < nfo; i++) {
		const char *key = fo[i].key;

		for (const char *slash = strchr(key, '/'); slash;
		     slash = strchr(slash + 1, '/')) {
			char path[PATH_MAX_LEN], show[SHOW_LEN];
			const struct folded *hit;
			char *prefix = strndup(key, (size_t)(slash - key));

			if (!prefix) {
				problem(p, "files", "out of memory");
				return;
			}
			hit = bsearch(prefix, fo, nfo, sizeof(*fo), key_cmp);
			free(prefix);
			if (!hit)
				continue;
			path_fit(path, snprintf(path, sizeof(path),
						"files[%zu].path", fo[i].idx));
			al_text_visible(hit->name, strlen(hit->name), show,
					sizeof(show));
			problem(p, path,
				"inside '%s', which 'files[%zu].path' lists "
				"as a file",
				show, hit->idx);
			break;
		}
	}
}

static void check_files(const json_t *m, const struct al_limits *lim,
			struct al_problems *p)
{
	const json_t *files = get(m, "", "files", JSON_ARRAY, false, p);
	struct folded *fo = NULL;
	size_t n, nfo = 0;
	uint64_t max, total = 0;

	if (!files)
		return;
	n = json_array_size(files);
	max = lim->entries > 0 ? lim->entries - 1 : 0;
	if (n > max)
		problem(p, "files",
			"%zu files, more than the limit of %" PRIu64, n, max);
	if (n == 0)
		return;
	fo = calloc(n, sizeof(*fo));
	if (!fo) {
		problem(p, "files", "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++)
		check_file(json_array_get(files, i), i, lim, fo, &nfo, &total,
			   p);
	if (total > lim->bundle_bytes)
		problem(p, "files",
			"sizes add up to %" PRIu64
			" bytes, more than the bundle limit of %" PRIu64,
			total, lim->bundle_bytes);
	qsort(fo, nfo, sizeof(*fo), folded_cmp);
	for (size_t i = 1, first = 0; i < nfo; i++) {
		char path[PATH_MAX_LEN], show[SHOW_LEN];

		if (strcmp(fo[i].key, fo[first].key) != 0) {
			first = i;
			continue;
		}
		path_fit(path, snprintf(path, sizeof(path), "files[%zu].path",
					fo[i].idx));
		al_text_visible(fo[first].name, strlen(fo[first].name), show,
				sizeof(show));
		if (strcmp(fo[i].name, fo[first].name) == 0)
			problem(p, path, "repeats 'files[%zu].path' ('%s')",
				fo[first].idx, show);
		else
			problem(p, path,
				"same name as 'files[%zu].path' ('%s') under "
				"case folding",
				fo[first].idx, show);
	}
	check_nesting(fo, nfo, p);
	for (size_t i = 0; i < nfo; i++)
		free(fo[i].key);
	free(fo);
}

static void check_trailer(const json_t *m, struct al_problems *p)
{
	const json_t *v;

	line_field(m, "", "tool", false, LINE_MAX_CHARS, p);
	v = get(m, "", "policy_sha256", JSON_STRING, false, p);
	if (v && (json_string_length(v) != 64 ||
		  !is_lower_hex(json_string_value(v), 64)))
		problem(p, "policy_sha256", "not 64 lowercase hex digits");
}

int al_manifest_check(const json_t *m, const struct al_limits *lim,
		      struct al_problems *p)
{
	size_t before = al_problems_count(p);
	struct al_limits def;

	if (!lim) {
		al_limits_default(&def);
		lim = &def;
	}
	if (!json_is_object(m)) {
		al_problems_add(p, 0, "manifest: not a JSON object");
		return AL_EINVAL;
	}
	for (size_t i = 0; required_keys[i]; i++)
		if (!json_object_get(m, required_keys[i]))
			problem(p, required_keys[i], "missing");
	check_airlock(m, p);
	check_id_created(m, p);
	line_field(m, "", "project", false, AL_TITLE_MAX_CHARS, p);
	line_field(m, "", "title", false, AL_TITLE_MAX_CHARS, p);
	enum_field(m, "", "class", false, al_manifest_classes, p);
	check_cwe(m, p);
	check_severity(m, p);
	check_affected(m, p);
	check_texts(m, p);
	check_reporter(m, p);
	check_files(m, lim, p);
	check_trailer(m, p);
	return al_problems_count(p) == before ? 0 : AL_EINVAL;
}

/* ---- parsing and dumping ---- */

int al_manifest_parse(const char *buf, size_t len, const struct al_limits *lim,
		      json_t **out, struct al_problems *p, struct al_error *err)
{
	struct al_problems local;
	struct al_limits def;
	json_t *j = NULL;
	size_t before;
	int rc;

	*out = NULL;
	if (!lim) {
		al_limits_default(&def);
		lim = &def;
	}
	rc = al_json_decode_object(buf, len, lim->manifest_bytes,
				   MANIFEST_MAX_DEPTH, "manifest", &j, err);
	if (rc) {
		if (p)
			al_problems_add(p, 0, "%s", err->msg);
		return rc;
	}
	al_problems_init(&local);
	if (!p)
		p = &local;
	before = p->n;
	rc = al_manifest_check(j, lim, p);
	if (rc) {
		if (p->n > before)
			al_error_set(err, AL_EINVAL, "%s", p->v[before].msg);
		else
			al_error_set(err, AL_EINVAL, "manifest: invalid");
		json_decref(j);
		j = NULL;
	}
	al_problems_release(&local);
	*out = j;
	return rc;
}

int al_manifest_dump(const json_t *m, char **out, size_t *len,
		     struct al_error *err)
{
	char *s, *t;
	size_t n;

	*out = NULL;
	*len = 0;
	if (!json_is_object(m))
		return al_error_set(err, AL_EINVAL,
				    "manifest: not a JSON object");
	s = json_dumps(m, JSON_SORT_KEYS | JSON_INDENT(2));
	if (!s)
		return al_error_set(err, AL_ENOMEM,
				    "manifest: cannot be serialised");
	n = strlen(s);
	t = realloc(s, n + 2);
	if (!t) {
		free(s);
		return al_error_set(err, AL_ENOMEM, "manifest: out of memory");
	}
	t[n] = '\n';
	t[n + 1] = '\0';
	*out = t;
	*len = n + 1;
	return 0;
}
