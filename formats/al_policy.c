/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy.json (spec policy-v1, docs/policy.md): a strict reader that fills
 * every field the file leaves out from the reference defaults, and refuses
 * any key it does not know, so that a typo cannot weaken a policy.
 */
#include "al_policy.h"
#include "al_json.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "al_hash.h"
#include "al_text.h"
#include "al_time.h"
#include "al_vrange.h"

#define POLICY_MAX_BYTES (UINT64_C(1) << 20)
#define POLICY_MAX_DEPTH 32
#define PATH_LEN         96
#define SHOW_LEN         80
#define MAX_SUPPORTED    256
#define MAX_OUT_OF_SCOPE 256
#define MAX_TEXT_CHARS   500
#define MAX_ID_BYTES     64
#define MAX_ACK_HOURS    8760 /* a year */
#define MAX_FIX_DAYS     3650 /* ten years */
#define LIMITS_FACTOR    16
#define MIN_NAME_BYTES   14 /* "keys/reply.asc" must fit */

static const char *const weekdays[] = {
	"monday", "tuesday",  "wednesday", "thursday",
	"friday", "saturday", "sunday",    NULL,
};

static const char *const default_in_scope[] = {
	"rce", "sqli",         "auth-bypass", "privilege-escalation",
	"xss", "admin-action", "csrf",        NULL,
};

static const struct {
	const char *id;
	const char *text;
} default_out_of_scope[] = {
	{"missing-security-headers",
	 "Missing security headers without a demonstrated exploit"},
	{"spf-dkim", "Missing or weak SPF, DKIM or DMARC records"},
	{"scanner-report", "Unverified output of automated scanners"},
	{"theoretical", "Theoretical issues without a working proof"},
	{"social-engineering", "Social engineering or phishing"},
	{"reflected-file-download", "Reflected file download"},
	{"physical-access", "Attacks that need physical access to a device"},
	{"weak-tls", "Weak TLS ciphers or protocol versions"},
	{"mitm", "Attacks that need a man-in-the-middle position"},
	{"self-attack", "Attacks users can only carry out on themselves"},
	{"dos", "Denial of service"},
	{"brute-force", "Brute force or missing rate limits"},
	{"dnssec", "Missing DNSSEC"},
};

static const char *const default_required[] = {"description", "steps",
					       "affected", NULL};

/* Keys a manifest may have (spec bundle-v1), for "required". */
static const char *const manifest_keys[] = {
	"airlock",       "id",          "created", "project",
	"title",         "class",       "cwe",     "severity",
	"affected",      "description", "steps",   "impact",
	"additional",    "reporter",    "files",   "tool",
	"policy_sha256", NULL,
};

/* ---- defaults and release ---- */

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void free_reasons(struct al_policy_reason *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].id);
		free(r[i].text);
	}
	free(r);
}

void al_policy_release(struct al_policy *p)
{
	if (!p)
		return;
	free(p->project);
	free(p->contact);
	free_strv(p->recipients, p->nrecipients);
	json_decref(p->supported);
	free_strv(p->in_scope, p->nin_scope);
	free_reasons(p->out_of_scope, p->nout_of_scope);
	free_strv(p->required, p->nrequired);
	memset(p, 0, sizeof(*p));
}

/* A copy of a NULL-terminated list; *n its length. */
static char **dup_list(const char *const *list, size_t *n)
{
	size_t count = 0;
	char **v;

	while (list[count])
		count++;
	v = calloc(count + 1, sizeof(*v));
	if (!v)
		return NULL;
	for (size_t i = 0; i < count; i++) {
		v[i] = strdup(list[i]);
		if (!v[i]) {
			free_strv(v, i);
			return NULL;
		}
	}
	*n = count;
	return v;
}

int al_policy_init_default(struct al_policy *p, struct al_error *err)
{
	size_t nout =
		sizeof(default_out_of_scope) / sizeof(default_out_of_scope[0]);

	memset(p, 0, sizeof(*p));
	p->in_scope = dup_list(default_in_scope, &p->nin_scope);
	p->required = dup_list(default_required, &p->nrequired);
	p->out_of_scope = calloc(nout, sizeof(*p->out_of_scope));
	if (!p->in_scope || !p->required || !p->out_of_scope)
		goto nomem;
	for (size_t i = 0; i < nout; i++) {
		p->out_of_scope[i].id = strdup(default_out_of_scope[i].id);
		p->out_of_scope[i].text = strdup(default_out_of_scope[i].text);
		p->nout_of_scope = i + 1;
		if (!p->out_of_scope[i].id || !p->out_of_scope[i].text)
			goto nomem;
	}
	p->ack_hours = 72;
	p->fix_days[AL_RATING_CRITICAL] = 7;
	p->fix_days[AL_RATING_HIGH] = 30;
	p->fix_days[AL_RATING_MEDIUM] = 60;
	p->fix_days[AL_RATING_LOW] = 90;
	p->triage_weekday = 0;
	p->require_signature = false;
	al_limits_default(&p->limits);
	return 0;
nomem:
	al_policy_release(p);
	return al_error_set(err, AL_ENOMEM, "policy: out of memory");
}

/* ---- small checks ---- */

static int bad(struct al_error *err, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(struct al_error *err, const char *path, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return al_error_set(err, AL_EINVAL, "policy: '%s': %s", path, msg);
}

static int nomem(struct al_error *err)
{
	return al_error_set(err, AL_ENOMEM, "policy: out of memory");
}

static void path_fit(char *out, int n)
{
	if (n < 0 || n >= PATH_LEN)
		memcpy(out + PATH_LEN - 4, "...", 4);
}

static void key_path(char *out, const char *prefix, const char *key)
{
	char show[SHOW_LEN];

	al_text_visible(key, strlen(key), show, sizeof(show));
	path_fit(out, snprintf(out, PATH_LEN, "%s%s%s", prefix,
			       *prefix ? "." : "", show));
}

static void index_path(char *out, const char *prefix, size_t i)
{
	path_fit(out, snprintf(out, PATH_LEN, "%s[%zu]", prefix, i));
}

static bool in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/* Refuse keys of obj that are not in allowed. */
static int only_keys(json_t *obj, const char *path, const char *const *allowed,
		     struct al_error *err)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
	{
		char kpath[PATH_LEN];

		if (in_list(allowed, key))
			continue;
		key_path(kpath, path, key);
		return bad(err, kpath, "unknown key");
	}
	return 0;
}

/* A non-empty line of at most max characters, no control or bidi
 * characters (jansson has checked UTF-8 and refused NUL). */
static int line(const json_t *v, const char *path, size_t max,
		struct al_error *err)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);

	if (!json_is_string(v))
		return bad(err, path, "must be a string");
	if (len == 0)
		return bad(err, path, "must not be empty");
	if (al_text_has_control(s, len))
		return bad(err, path, "contains a control or bidi character");
	if (al_utf8_length(s, len) > max)
		return bad(err, path, "longer than %zu characters", max);
	return 0;
}

static int dup_line(const json_t *v, const char *path, size_t max, char **out,
		    struct al_error *err)
{
	int rc = line(v, path, max, err);

	if (rc)
		return rc;
	free(*out);
	*out = strdup(json_string_value(v));
	return *out ? 0 : nomem(err);
}

static int uint_in(const json_t *v, const char *path, uint64_t min,
		   uint64_t max, uint64_t *out, struct al_error *err)
{
	if (!json_is_integer(v))
		return bad(err, path, "must be an integer");
	if (json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) < min ||
	    (uint64_t)json_integer_value(v) > max)
		return bad(err, path, "must be from %" PRIu64 " to %" PRIu64,
			   min, max);
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int array_of(const json_t *v, const char *path, size_t min, size_t max,
		    struct al_error *err)
{
	if (!json_is_array(v))
		return bad(err, path, "must be an array");
	if (json_array_size(v) < min)
		return bad(err, path, "must have at least %zu entr%s", min,
			   min == 1 ? "y" : "ies");
	if (json_array_size(v) > max)
		return bad(err, path, "more than %zu entries", max);
	return 0;
}

/*
 * A list of unique strings each from list (what names the list in
 * messages), into a new vector that replaces *out.
 */
static int string_set(const json_t *v, const char *path, size_t min,
		      const char *const *list, const char *what, char ***out,
		      size_t *nout, struct al_error *err)
{
	size_t n = json_array_size(v);
	char **vec = NULL;
	int rc = array_of(v, path, min, SIZE_MAX, err);

	if (rc)
		return rc;
	vec = calloc(n + 1, sizeof(*vec));
	if (!vec)
		return nomem(err);
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(v, i);
		char ipath[PATH_LEN], show[SHOW_LEN];

		index_path(ipath, path, i);
		rc = line(e, ipath, SHOW_LEN, err);
		if (rc)
			goto fail;
		al_text_visible(json_string_value(e), json_string_length(e),
				show, sizeof(show));
		if (!in_list(list, json_string_value(e))) {
			rc = bad(err, ipath, "'%s' is not %s", show, what);
			goto fail;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(vec[j], json_string_value(e)) == 0) {
				rc = bad(err, ipath, "'%s' is listed twice",
					 show);
				goto fail;
			}
		vec[i] = strdup(json_string_value(e));
		if (!vec[i]) {
			rc = nomem(err);
			goto fail;
		}
	}
	free_strv(*out, *nout);
	*out = vec;
	*nout = n;
	return 0;
fail:
	free_strv(vec, n);
	return rc;
}

/* ---- the keys ---- */

static int key_version(json_t *v, struct al_policy *p, struct al_error *err)
{
	(void)p;
	if (!json_is_integer(v))
		return bad(err, "airlock_policy", "must be an integer");
	if (json_integer_value(v) != AL_POLICY_VERSION)
		return bad(err, "airlock_policy",
			   "unsupported version %lld (expected %d)",
			   (long long)json_integer_value(v), AL_POLICY_VERSION);
	return 0;
}

static int key_project(json_t *v, struct al_policy *p, struct al_error *err)
{
	return dup_line(v, "project", AL_TITLE_MAX_CHARS, &p->project, err);
}

static int key_contact(json_t *v, struct al_policy *p, struct al_error *err)
{
	return dup_line(v, "contact", MAX_TEXT_CHARS, &p->contact, err);
}

/* A fingerprint without spaces, uppercased, into out (65 bytes); false
 * unless 40 or 64 hex digits. */
static bool fingerprint(const char *s, char out[65])
{
	size_t n = 0;

	for (; *s; s++) {
		char c = *s;

		if (c == ' ')
			continue;
		if (c >= 'a' && c <= 'f')
			c = (char)(c - 'a' + 'A');
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')))
			return false;
		if (n == 64)
			return false;
		out[n++] = c;
	}
	out[n] = '\0';
	return n == 40 || n == 64;
}

static int key_recipients(json_t *v, struct al_policy *p, struct al_error *err)
{
	size_t n = json_array_size(v);
	char **vec = NULL;
	int rc = array_of(v, "recipients", 1, AL_POLICY_MAX_RECIPIENTS, err);

	if (rc)
		return rc;
	vec = calloc(n, sizeof(*vec));
	if (!vec)
		return nomem(err);
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(v, i);
		char path[PATH_LEN], show[SHOW_LEN], fpr[65];

		index_path(path, "recipients", i);
		if (!json_is_string(e)) {
			rc = bad(err, path, "must be a string");
			goto fail;
		}
		al_text_visible(json_string_value(e), json_string_length(e),
				show, sizeof(show));
		if (!fingerprint(json_string_value(e), fpr)) {
			rc = bad(err, path,
				 "'%s' is not a fingerprint of 40 or 64 hex "
				 "digits",
				 show);
			goto fail;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(vec[j], fpr) == 0) {
				rc = bad(err, path, "'%s' is listed twice",
					 show);
				goto fail;
			}
		vec[i] = strdup(fpr);
		if (!vec[i]) {
			rc = nomem(err);
			goto fail;
		}
	}
	free_strv(p->recipients, p->nrecipients);
	p->recipients = vec;
	p->nrecipients = n;
	return 0;
fail:
	free_strv(vec, n);
	return rc;
}

static int key_expires(json_t *v, struct al_policy *p, struct al_error *err)
{
	struct al_error terr = {0};
	char show[SHOW_LEN];
	int64_t t;

	if (!json_is_string(v))
		return bad(err, "expires", "must be a string");
	al_text_visible(json_string_value(v), json_string_length(v), show,
			sizeof(show));
	if (al_time_parse(json_string_value(v), &t, &terr) != 0)
		return bad(err, "expires", "'%s' is not an RFC 3339 date-time",
			   show);
	if (t <= 0)
		return bad(err, "expires", "'%s' is not after 1970", show);
	p->expires = t;
	return 0;
}

static int check_osv_range(json_t *r, const char *path, struct al_error *err)
{
	static const char *const keys[] = {"type", "repo", "events", NULL};
	static const char *const ev_keys[] = {"introduced", "fixed",
					      "last_affected", "limit", NULL};
	char epath[PATH_LEN], ipath[PATH_LEN];
	json_t *events;
	int rc;

	if (!json_is_object(r))
		return bad(err, path, "must be an object");
	rc = only_keys(r, path, keys, err);
	if (rc)
		return rc;
	events = json_object_get(r, "events");
	key_path(epath, path, "events");
	for (size_t i = 0; json_is_array(events) && i < json_array_size(events);
	     i++) {
		json_t *e = json_array_get(events, i);

		index_path(ipath, epath, i);
		if (json_is_object(e)) {
			rc = only_keys(e, ipath, ev_keys, err);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* One "supported" entry: the OSV affected keys Airlock reads and nothing
 * else; the version semantics are al_vset_from_osv's. */
static int check_supported_one(json_t *a, const char *path,
			       struct al_error *err)
{
	static const char *const keys[] = {"package", "ranges", "versions",
					   NULL};
	static const char *const pkg_keys[] = {"ecosystem", "name", NULL};
	char kpath[PATH_LEN], ipath[PATH_LEN];
	struct al_error verr = {0};
	struct al_vset *set = NULL;
	json_t *pkg, *ranges, *versions;
	int rc;

	if (!json_is_object(a))
		return bad(err, path, "must be an object");
	rc = only_keys(a, path, keys, err);
	if (rc)
		return rc;
	pkg = json_object_get(a, "package");
	key_path(kpath, path, "package");
	if (pkg && !json_is_object(pkg))
		return bad(err, kpath, "must be an object");
	if (pkg && (rc = only_keys(pkg, kpath, pkg_keys, err)) != 0)
		return rc;
	for (size_t i = 0; pkg && pkg_keys[i]; i++) {
		json_t *s = json_object_get(pkg, pkg_keys[i]);

		key_path(ipath, kpath, pkg_keys[i]);
		if (s && (rc = line(s, ipath, 1000, err)) != 0)
			return rc;
	}
	ranges = json_object_get(a, "ranges");
	key_path(kpath, path, "ranges");
	if (ranges && !json_is_array(ranges))
		return bad(err, kpath, "must be an array");
	for (size_t i = 0; ranges && i < json_array_size(ranges); i++) {
		index_path(ipath, kpath, i);
		rc = check_osv_range(json_array_get(ranges, i), ipath, err);
		if (rc)
			return rc;
	}
	versions = json_object_get(a, "versions");
	key_path(kpath, path, "versions");
	if (versions && !json_is_array(versions))
		return bad(err, kpath, "must be an array");
	if (json_array_size(ranges) == 0 && json_array_size(versions) == 0)
		return bad(err, path, "has no ranges and no versions");
	if (al_vset_from_osv(a, &set, &verr) != 0)
		return bad(err, path, "%s", verr.msg);
	al_vset_free(set);
	return 0;
}

static int key_supported(json_t *v, struct al_policy *p, struct al_error *err)
{
	int rc = array_of(v, "supported", 1, MAX_SUPPORTED, err);

	for (size_t i = 0; !rc && i < json_array_size(v); i++) {
		char path[PATH_LEN];

		index_path(path, "supported", i);
		rc = check_supported_one(json_array_get(v, i), path, err);
	}
	if (rc)
		return rc;
	json_decref(p->supported);
	p->supported = json_incref(v);
	return 0;
}

static int key_in_scope(json_t *v, struct al_policy *p, struct al_error *err)
{
	return string_set(v, "in_scope", 1, al_manifest_classes,
			  "a manifest class", &p->in_scope, &p->nin_scope, err);
}

static bool reason_id_ok(const char *s, size_t len)
{
	if (len == 0 || len > MAX_ID_BYTES || s[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

static int reason(json_t *e, const char *path, struct al_policy_reason *r,
		  const struct al_policy_reason *prev, size_t nprev,
		  struct al_error *err)
{
	static const char *const keys[] = {"id", "text", NULL};
	char kpath[PATH_LEN], show[SHOW_LEN];
	json_t *id, *text;
	int rc;

	if (!json_is_object(e))
		return bad(err, path, "must be an object");
	rc = only_keys(e, path, keys, err);
	if (rc)
		return rc;
	id = json_object_get(e, "id");
	text = json_object_get(e, "text");
	key_path(kpath, path, "id");
	if (!id)
		return bad(err, kpath, "missing");
	if (!json_is_string(id))
		return bad(err, kpath, "must be a string");
	al_text_visible(json_string_value(id), json_string_length(id), show,
			sizeof(show));
	if (!reason_id_ok(json_string_value(id), json_string_length(id)))
		return bad(err, kpath,
			   "'%s' is not 1 to %d of a-z, 0-9 and '-'", show,
			   MAX_ID_BYTES);
	for (size_t j = 0; j < nprev; j++)
		if (strcmp(prev[j].id, json_string_value(id)) == 0)
			return bad(err, kpath, "'%s' is listed twice", show);
	key_path(kpath, path, "text");
	if (!text)
		return bad(err, kpath, "missing");
	rc = line(text, kpath, MAX_TEXT_CHARS, err);
	if (rc)
		return rc;
	r->id = strdup(json_string_value(id));
	r->text = strdup(json_string_value(text));
	return r->id && r->text ? 0 : nomem(err);
}

static int key_out_of_scope(json_t *v, struct al_policy *p,
			    struct al_error *err)
{
	size_t n = json_array_size(v);
	struct al_policy_reason *vec;
	int rc = array_of(v, "out_of_scope", 0, MAX_OUT_OF_SCOPE, err);

	if (rc)
		return rc;
	vec = calloc(n + 1, sizeof(*vec));
	if (!vec)
		return nomem(err);
	for (size_t i = 0; i < n; i++) {
		char path[PATH_LEN];

		index_path(path, "out_of_scope", i);
		rc = reason(json_array_get(v, i), path, &vec[i], vec, i, err);
		if (rc) {
			free_reasons(vec, i + 1);
			return rc;
		}
	}
	free_reasons(p->out_of_scope, p->nout_of_scope);
	p->out_of_scope = vec;
	p->nout_of_scope = n;
	return 0;
}

static int key_required(json_t *v, struct al_policy *p, struct al_error *err)
{
	return string_set(v, "required", 0, manifest_keys, "a manifest key",
			  &p->required, &p->nrequired, err);
}

static int key_sla(json_t *v, struct al_policy *p, struct al_error *err)
{
	static const char *const keys[] = {"acknowledge_hours", "fix_days",
					   "triage_weekday", NULL};
	static const char *const ratings[] = {"critical", "high", "medium",
					      "low", NULL};
	json_t *e;
	uint64_t u;
	int rc;

	if (!json_is_object(v))
		return bad(err, "sla", "must be an object");
	rc = only_keys(v, "sla", keys, err);
	if (rc)
		return rc;
	e = json_object_get(v, "acknowledge_hours");
	if (e) {
		rc = uint_in(e, "sla.acknowledge_hours", 1, MAX_ACK_HOURS, &u,
			     err);
		if (rc)
			return rc;
		p->ack_hours = (unsigned)u;
	}
	e = json_object_get(v, "fix_days");
	if (e && !json_is_object(e))
		return bad(err, "sla.fix_days", "must be an object");
	if (e && (rc = only_keys(e, "sla.fix_days", ratings, err)) != 0)
		return rc;
	for (int r = 0; e && r < AL_RATING_COUNT; r++) {
		json_t *d = json_object_get(e, ratings[r]);
		char path[PATH_LEN];

		if (!d)
			continue;
		key_path(path, "sla.fix_days", ratings[r]);
		rc = uint_in(d, path, 1, MAX_FIX_DAYS, &u, err);
		if (rc)
			return rc;
		p->fix_days[r] = (unsigned)u;
	}
	e = json_object_get(v, "triage_weekday");
	if (e) {
		char show[SHOW_LEN];

		if (!json_is_string(e))
			return bad(err, "sla.triage_weekday",
				   "must be a string");
		for (int d = 0; weekdays[d]; d++)
			if (strcmp(weekdays[d], json_string_value(e)) == 0) {
				p->triage_weekday = d;
				return 0;
			}
		al_text_visible(json_string_value(e), json_string_length(e),
				show, sizeof(show));
		return bad(err, "sla.triage_weekday",
			   "'%s' is not a day name (monday ... sunday)", show);
	}
	return 0;
}

static int key_signature(json_t *v, struct al_policy *p, struct al_error *err)
{
	if (!json_is_boolean(v))
		return bad(err, "require_signature", "must be true or false");
	p->require_signature = json_is_true(v);
	return 0;
}

static int key_limits(json_t *v, struct al_policy *p, struct al_error *err)
{
	static const char *const keys[] = {"bundle_bytes", "entries",
					   "name_bytes", "manifest_bytes",
					   NULL};
	struct al_limits def;
	uint64_t *field[4] = {&p->limits.bundle_bytes, &p->limits.entries,
			      &p->limits.name_bytes, &p->limits.manifest_bytes};
	uint64_t max[4], min[4] = {1, 1, MIN_NAME_BYTES, 1};
	int rc;

	al_limits_default(&def);
	max[0] = def.bundle_bytes * LIMITS_FACTOR;
	max[1] = def.entries * LIMITS_FACTOR;
	max[2] = def.name_bytes * LIMITS_FACTOR;
	max[3] = def.manifest_bytes * LIMITS_FACTOR;
	if (!json_is_object(v))
		return bad(err, "limits", "must be an object");
	rc = only_keys(v, "limits", keys, err);
	if (rc)
		return rc;
	for (int i = 0; i < 4; i++) {
		json_t *e = json_object_get(v, keys[i]);
		char path[PATH_LEN];

		if (!e)
			continue;
		key_path(path, "limits", keys[i]);
		rc = uint_in(e, path, min[i], max[i], field[i], err);
		if (rc)
			return rc;
	}
	return 0;
}

static const struct {
	const char *key;
	int (*fn)(json_t *v, struct al_policy *p, struct al_error *err);
	bool required;
} policy_keys[] = {
	{"airlock_policy", key_version, false}, /* spec: default 1 */
	{"project", key_project, true},
	{"contact", key_contact, false},
	{"recipients", key_recipients, true},
	{"expires", key_expires, false},
	{"supported", key_supported, false},
	{"in_scope", key_in_scope, false},
	{"out_of_scope", key_out_of_scope, false},
	{"required", key_required, false},
	{"sla", key_sla, false},
	{"require_signature", key_signature, false},
	{"limits", key_limits, false},
};

#define NKEYS (sizeof(policy_keys) / sizeof(policy_keys[0]))

static int parse_root(json_t *root, struct al_policy *p, struct al_error *err)
{
	const char *key;
	json_t *v;
	int rc;

	json_object_foreach(root, key, v)
	{
		char path[PATH_LEN];
		size_t k;

		for (k = 0; k < NKEYS; k++)
			if (strcmp(policy_keys[k].key, key) == 0)
				break;
		if (k == NKEYS) {
			key_path(path, "", key);
			return bad(err, path, "unknown key");
		}
		rc = policy_keys[k].fn(v, p, err);
		if (rc)
			return rc;
	}
	for (size_t k = 0; k < NKEYS; k++)
		if (policy_keys[k].required &&
		    !json_object_get(root, policy_keys[k].key))
			return bad(err, policy_keys[k].key, "missing");
	return 0;
}

/* ---- decoding ---- */

int al_policy_parse(const char *buf, size_t len, struct al_policy *p,
		    struct al_error *err)
{
	json_t *root = NULL;
	int rc;

	rc = al_policy_init_default(p, err);
	if (rc)
		return rc;
	rc = al_json_decode_object(buf, len, POLICY_MAX_BYTES, POLICY_MAX_DEPTH,
				   "policy", &root, err);
	if (rc)
		goto out;
	rc = parse_root(root, p, err);
	if (rc)
		goto out;
	al_sha256_hex(buf, len, p->sha256);
out:
	json_decref(root);
	if (rc)
		al_policy_release(p);
	return rc;
}

/* ---- queries ---- */

bool al_policy_in_scope(const struct al_policy *p, const char *klass)
{
	if (!p || !klass)
		return false;
	for (size_t i = 0; i < p->nin_scope; i++)
		if (strcmp(p->in_scope[i], klass) == 0)
			return true;
	return false;
}

int al_rating_from_name(const char *name)
{
	for (int r = 0; name && r < AL_RATING_COUNT; r++)
		if (strcmp(al_manifest_ratings[r], name) == 0)
			return r;
	return -1;
}

const char *al_rating_name(enum al_rating r)
{
	if ((int)r < 0 || r >= AL_RATING_COUNT)
		return NULL;
	return al_manifest_ratings[r];
}
