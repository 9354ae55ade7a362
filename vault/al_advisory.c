/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exports for publication (docs/exports.md): an advisory for a report
 * (OSV 1.7 JSON, or a Markdown draft of the same content), the credits,
 * and the table of reports (CSV or JSON).
 *
 * The builders are pure (JSON in, bytes out) so that the unit tests can
 * drive them; the vault's side reads the reports table, decrypts a
 * report's bundle again for its texts (the vault keeps no Markdown), and
 * records each export as an "export" event naming the bytes' SHA-256.
 *
 * Everything a reporter wrote is untrusted: it reaches the output
 * verbatim only where the format quotes it safely (JSON strings, CSV
 * quoted cells, Markdown code blocks); control, bidi and invisible
 * characters are escaped everywhere.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "al_bundle.h"
#include "al_cvss.h"
#include "al_decrypt.h"
#include "al_exports.h"
#include "al_import.h"
#include "al_io.h"
#include "al_ledger.h"
#include "al_text.h"
#include "al_time.h"
#include "al_triage.h"
#include "al_vrange.h"

#define OSV_SCHEMA_VERSION "1.7.0"
#define ID_MAX             128
#define SHOW               64 /* untrusted text quoted in a note */

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void note(struct al_notes *n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(struct al_notes *n, const char *fmt, ...)
{
	va_list ap;

	if (!n || n->n >= AL_NOTES_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(n->text[n->n++], sizeof(n->text[0]), fmt, ap);
	va_end(ap);
}

static const char *vis(const char *s, char *buf, size_t bufsz)
{
	return al_text_visible(s, strlen(s), buf, bufsz);
}

static int nomem(struct al_error *err)
{
	return al_error_set(err, AL_ENOMEM, "out of memory");
}

/* Set key to a new value in o (taking it); false when out of memory. */
static bool put(json_t *o, const char *key, json_t *val)
{
	return val && !json_object_set_new(o, key, val);
}

/* Finish an open_memstream buffer: its bytes in *out, *len. */
static int mem_close(FILE *f, char **buf, size_t *blen, char **out, size_t *len,
		     struct al_error *err)
{
	if (fclose(f) || !*buf) {
		free(*buf);
		*buf = NULL;
		return nomem(err);
	}
	*out = *buf;
	*len = *blen;
	*buf = NULL;
	return 0;
}

/* ---- ids ---------------------------------------------------------- */

void al_advisory_default_id(const char *report, char out[20])
{
	size_t j = 8;

	memcpy(out, "AIRLOCK-", 8);
	for (size_t i = 0; report && report[i] && j < 16; i++)
		if (isxdigit((unsigned char)report[i]))
			out[j++] = (char)toupper((unsigned char)report[i]);
	out[j] = '\0';
}

int al_advisory_id_check(const char *id, struct al_error *err)
{
	char buf[SHOW + 8];
	size_t len = id ? strlen(id) : 0;
	bool dash = false;

	if (len < 3 || len > ID_MAX)
		return al_error_set(err, AL_EUSAGE,
				    "advisory id '%s': give 3 to %d characters "
				    "(e.g. GHSA-xxxx-xxxx-xxxx or "
				    "CVE-2026-12345)",
				    id ? vis(id, buf, sizeof(buf)) : "",
				    ID_MAX);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)id[i];

		if (!isascii(c) || !(isalnum(c) || c == '-' || c == '.' ||
				     c == '_' || c == ':')) {
			return al_error_set(err, AL_EUSAGE,
					    "advisory id '%s': only ASCII "
					    "letters, digits and - . _ : are "
					    "allowed",
					    vis(id, buf, sizeof(buf)));
		}
		dash = dash || (i > 0 && c == '-');
	}
	if (!isalnum((unsigned char)id[0]) || !dash)
		return al_error_set(err, AL_EUSAGE,
				    "advisory id '%s': it must be PREFIX-ID, "
				    "the prefix naming the database (GHSA-, "
				    "CVE-, ...)",
				    vis(id, buf, sizeof(buf)));
	return 0;
}

/* ---- OSV ---------------------------------------------------------- */

/* A vector as OSV's severity entry: CVSS_V3 or CVSS_V4 and the vector in
 * the specification's metric order.  NULL when the vector is not valid
 * (c gets the parse either way). */
static json_t *severity_entry(const char *vector, struct al_cvss *c)
{
	struct al_error e;

	if (al_cvss_parse(vector, c, &e))
		return NULL;
	return json_pack("{s:s, s:s}", "type",
			 c->version == AL_CVSS_V40 ? "CVSS_V4" : "CVSS_V3",
			 "score", c->vector);
}

/*
 * severity: the maintainers' vector when they gave one; otherwise the
 * reporter's proposed vectors, v4.0 first, leaving out a vector whose
 * rating is not the maintainers' (an advisory never publishes a severity
 * the maintainers disagree with).  *source: "maintainers", "reporter" or
 * NULL when there is none.
 */
static int severity(const struct al_advisory_in *in, json_t **out,
		    const char **source, struct al_notes *notes,
		    struct al_error *err)
{
	static const char *const keys[] = {"cvss_v4", "cvss_v3"};
	const json_t *sev = json_object_get(in->manifest, "severity");
	json_t *arr = json_array();
	struct al_cvss c;
	char buf[SHOW + 8];

	*out = NULL;
	*source = NULL;
	if (!arr)
		return nomem(err);
	if (in->cvss && *in->cvss) {
		json_t *e = severity_entry(in->cvss, &c);

		if (!e) {
			json_decref(arr);
			return al_error_set(err, AL_EINVAL,
					    "the maintainers' CVSS vector '%s' "
					    "is not valid",
					    vis(in->cvss, buf, sizeof(buf)));
		}
		if (json_array_append_new(arr, e)) {
			json_decref(arr);
			return nomem(err);
		}
		*source = "maintainers";
		*out = arr;
		return 0;
	}
	for (size_t i = 0; i < 2; i++) {
		const char *vec = str(sev, keys[i]);
		json_t *e;

		if (!vec)
			continue;
		if (!(e = severity_entry(vec, &c))) {
			note(notes,
			     "severity: the reporter's %s '%s' is not a valid "
			     "vector: left out",
			     keys[i], vis(vec, buf, sizeof(buf)));
			continue;
		}
		if (in->rating && strcmp(c.rating, in->rating)) {
			note(notes,
			     "severity: the reporter's %s rates %s, the "
			     "maintainers rated %s: left out (give yours with "
			     "'airlock-vault triage ID --cvss VECTOR')",
			     keys[i], c.rating, in->rating);
			json_decref(e);
			continue;
		}
		if (json_array_append_new(arr, e)) {
			json_decref(arr);
			return nomem(err);
		}
		*source = "reporter";
	}
	if (!json_array_size(arr)) {
		json_decref(arr);
		return 0;
	}
	*out = arr;
	return 0;
}

/* The ecosystem in OSV's spelling: a known base (any case) as OSV spells
 * it, with its release suffix ("Debian:12") kept; "GIT" for git; an
 * unknown one as sent (with a note). */
static json_t *ecosystem(const char *eco, size_t i, struct al_notes *notes)
{
	char base[64], out[320], buf[SHOW + 8];
	size_t n = strcspn(eco, ":");
	const char *canon = NULL;

	if (n < sizeof(base)) {
		memcpy(base, eco, n);
		base[n] = '\0';
		canon = !strcasecmp(base, "git") ? "GIT"
						 : al_ecosystem_canonical(base);
	}
	if (!canon || strlen(eco) - n + strlen(canon) >= sizeof(out)) {
		note(notes,
		     "affected[%zu]: ecosystem '%s' is not one OSV 1.7 names: "
		     "kept as sent",
		     i, vis(eco, buf, sizeof(buf)));
		return json_string(eco);
	}
	snprintf(out, sizeof(out), "%s%s", canon, eco + n);
	return json_string(out);
}

static const char *const event_keys[] = {"introduced", "fixed", "last_affected",
					 "limit"};

/* One range with OSV's keys only: type, repo, events (each one known key
 * with a string).  *has_fix: it has a fixed or last_affected event. */
static int copy_range(const json_t *r, const char *path, json_t **out,
		      bool *has_fix, struct al_error *err)
{
	const json_t *events = json_object_get(r, "events"), *e;
	json_t *o = json_object(), *evs = json_array();
	size_t i;

	*out = NULL;
	*has_fix = false;
	if (!o || !evs)
		goto nomem;
	if (!json_is_object(r) || !str(r, "type") || !json_is_array(events)) {
		json_decref(o);
		json_decref(evs);
		return al_error_set(err, AL_EINVAL,
				    "manifest: '%s' is not a range with a type "
				    "and events",
				    path);
	}
	if (!put(o, "type", json_string(str(r, "type"))) ||
	    (str(r, "repo") && !put(o, "repo", json_string(str(r, "repo")))))
		goto nomem;
	json_array_foreach(events, i, e)
	{
		for (size_t k = 0; k < 4; k++) {
			const char *val = str(e, event_keys[k]);
			json_t *ev;

			if (!val)
				continue;
			*has_fix = *has_fix || k == 1 || k == 2;
			ev = json_pack("{s:s}", event_keys[k], val);
			if (!ev || json_array_append_new(evs, ev))
				goto nomem;
			break;
		}
	}
	if (!put(o, "events", evs)) {
		evs = NULL;
		goto nomem;
	}
	*out = o;
	return 0;
nomem:
	json_decref(o);
	json_decref(evs);
	return nomem(err);
}

/* The maintainers' fixed version as an event of a range of this type,
 * normalised as OSV writes it (SEMVER without a leading v); NULL with a
 * note when it cannot be (a GIT range wants a commit). */
static json_t *fixed_event(const char *type, const json_t *events,
			   const char *version, const char *path,
			   struct al_notes *notes)
{
	char norm[AL_VERSION_MAX + 1], buf[SHOW + 8];
	const char *intro = NULL;
	enum al_vscheme s;
	struct al_error e;
	const json_t *ev;
	size_t i;
	int c;

	if (!strcmp(type, "GIT")) {
		note(notes,
		     "%s: a GIT range takes a commit, not the fixed version "
		     "'%s': add its fixed commit by hand",
		     path, vis(version, buf, sizeof(buf)));
		return NULL;
	}
	s = !strcmp(type, "SEMVER") ? AL_VS_SEMVER : AL_VS_ECOSYSTEM;
	if (al_version_normalise(s, version, norm, sizeof(norm), &e)) {
		note(notes,
		     "%s: the fixed version '%s' is not a %s version: add the "
		     "fix by hand",
		     path, vis(version, buf, sizeof(buf)), type);
		return NULL;
	}
	/* a fix closes the range only after where it opens, and a range
	 * bounded by a limit is the reporter's to close */
	json_array_foreach(events, i, ev)
	{
		if (str(ev, "limit")) {
			note(notes,
			     "%s: the range ends at a limit: the fixed version "
			     "is not added to it",
			     path);
			return NULL;
		}
		if (str(ev, "introduced"))
			intro = str(ev, "introduced");
	}
	if (intro && strcmp(intro, "0") &&
	    (al_version_cmp(s, norm, intro, &c, &e) || c <= 0)) {
		note(notes,
		     "%s: the fixed version '%s' does not come after the "
		     "range's introduced version: add the fix by hand",
		     path, vis(version, buf, sizeof(buf)));
		return NULL;
	}
	return json_pack("{s:s}", "fixed", norm);
}

/* One affected entry: package (ecosystem, name, purl), ranges (with the
 * fix added), versions; the reporter's database_specific and
 * ecosystem_specific are left out (unreviewed). */
static int copy_affected(const json_t *a, size_t i, const char *fix,
			 json_t **out, struct al_notes *notes,
			 struct al_error *err)
{
	const json_t *pkg = json_object_get(a, "package");
	const json_t *ranges = json_object_get(a, "ranges");
	const json_t *versions = json_object_get(a, "versions"), *r, *x;
	json_t *o = json_object(), *p = NULL, *rs = NULL, *vs = NULL;
	char path[64];
	size_t j;
	int rc;

	*out = NULL;
	if (!o)
		return nomem(err);
	if (!json_is_object(a) || !str(pkg, "ecosystem") || !str(pkg, "name")) {
		json_decref(o);
		return al_error_set(err, AL_EINVAL,
				    "manifest: 'affected[%zu]' has no package "
				    "ecosystem and name",
				    i);
	}
	if (!(p = json_object()) || !put(o, "package", p) ||
	    !put(p, "ecosystem", ecosystem(str(pkg, "ecosystem"), i, notes)) ||
	    !put(p, "name", json_string(str(pkg, "name"))) ||
	    (str(pkg, "purl") &&
	     !put(p, "purl", json_string(str(pkg, "purl")))))
		goto nomem;
	if (json_is_array(ranges)) {
		if (!(rs = json_array()) || !put(o, "ranges", rs))
			goto nomem;
		json_array_foreach(ranges, j, r)
		{
			json_t *copy, *fe;
			bool has_fix;

			snprintf(path, sizeof(path),
				 "affected[%zu].ranges[%zu]", i, j);
			if ((rc = copy_range(r, path, &copy, &has_fix, err))) {
				json_decref(o);
				return rc;
			}
			if (json_array_append_new(rs, copy))
				goto nomem;
			if (!fix || has_fix)
				continue;
			fe = fixed_event(str(copy, "type"),
					 json_object_get(copy, "events"), fix,
					 path, notes);
			if (fe && json_array_append_new(
					  json_object_get(copy, "events"), fe))
				goto nomem;
		}
	}
	if (json_is_array(versions)) {
		if (!(vs = json_array()) || !put(o, "versions", vs))
			goto nomem;
		json_array_foreach(versions, j, x)
		{
			json_t *copy = json_string(json_string_value(x));

			if (json_is_string(x) &&
			    json_array_append_new(vs, copy))
				goto nomem;
		}
		if (fix && !json_array_size(ranges))
			note(notes,
			     "affected[%zu] lists versions only: the fixed "
			     "version is not added to it",
			     i);
	}
	*out = o;
	return 0;
nomem:
	json_decref(o);
	return nomem(err);
}

static int affected(const struct al_advisory_in *in, int state, json_t **out,
		    struct al_notes *notes, struct al_error *err)
{
	const json_t *list = json_object_get(in->manifest, "affected"), *a;
	const char *fix = NULL;
	json_t *arr = json_array();
	size_t i;
	int rc;

	*out = NULL;
	if (!arr)
		return nomem(err);
	if ((state == AL_STATE_FIXED || state == AL_STATE_DISCLOSED) &&
	    in->fixed_version && *in->fixed_version)
		fix = in->fixed_version;
	json_array_foreach(list, i, a)
	{
		json_t *copy;

		if ((rc = copy_affected(a, i, fix, &copy, notes, err))) {
			json_decref(arr);
			return rc;
		}
		if (json_array_append_new(arr, copy)) {
			json_decref(arr);
			return nomem(err);
		}
	}
	*out = arr;
	return 0;
}

/* details: the description, then the impact under its own heading; the
 * steps to reproduce and the additional information stay out. */
static json_t *details(const json_t *m)
{
	const char *desc = str(m, "description"), *impact = str(m, "impact");
	char *text = NULL;
	json_t *out;

	if (!desc && !impact)
		return NULL;
	if (asprintf(&text, "%s%s%s", desc ? desc : "",
		     impact && *impact ? "\n\n## Impact\n\n" : "",
		     impact && *impact ? impact : "") < 0)
		return NULL;
	out = json_string(text);
	free(text);
	return out;
}

/* credits: the reporter, as FINDER, only when they asked for public
 * credit and gave a name; never their contact. */
static json_t *credits(const json_t *m)
{
	const json_t *r = json_object_get(m, "reporter");
	const char *name = str(r, "name"), *credit = str(r, "credit");

	if (!credit || strcmp(credit, "public") || !name || !*name)
		return NULL;
	return json_pack("[{s:s, s:s}]", "name", name, "type", "FINDER");
}

static json_t *airlock_specific(const struct al_advisory_in *in,
				const char *source)
{
	const json_t *cwe = json_object_get(in->manifest, "cwe");
	json_t *o = json_pack("{s:s, s:s}", "report", in->report, "state",
			      in->state);

	if (!o)
		return NULL;
	if ((in->rating && !put(o, "rating", json_string(in->rating))) ||
	    (str(in->manifest, "class") &&
	     !put(o, "class", json_string(str(in->manifest, "class")))) ||
	    (json_is_array(cwe) && !put(o, "cwe", json_deep_copy(cwe))) ||
	    (source && !put(o, "severity_source", json_string(source)))) {
		json_decref(o);
		return NULL;
	}
	return json_pack("{s:o}", "airlock", o);
}

static int check_state(const char *report, const char *state, int *out,
		       struct al_error *err)
{
	char buf[SHOW + 8];
	int s = al_report_state_from_name(state);

	*out = s;
	if (s < 0)
		return al_error_set(
			err, AL_EINVAL, "report %s has an unknown state '%s'",
			report, vis(state ? state : "", buf, sizeof(buf)));
	if (al_report_state_closing((enum al_report_state)s))
		return al_error_set(err, AL_EINVAL,
				    "report %s is %s: nothing to advise",
				    report, state);
	return 0;
}

int al_advisory_osv(const struct al_advisory_in *in, json_t **out,
		    struct al_notes *notes, struct al_error *err)
{
	char id[20], when[AL_RFC3339_LEN];
	const char *title = str(in->manifest, "title"), *source = NULL;
	json_t *osv = NULL, *sev = NULL, *aff = NULL, *x;
	int state, rc;

	*out = NULL;
	if ((rc = check_state(in->report, in->state, &state, err)))
		return rc;
	if (!json_is_object(in->manifest) || !title)
		return al_error_set(err, AL_EINVAL,
				    "manifest: not an object with a title");
	if (in->id && (rc = al_advisory_id_check(in->id, err)))
		return rc;
	al_advisory_default_id(in->report, id);
	if (!in->id)
		note(notes,
		     "advisory id %s is Airlock's placeholder: OSV ids begin "
		     "with a registered database's prefix (GHSA-, CVE-, ...); "
		     "give --id before publishing",
		     id);
	if (state != AL_STATE_FIXED && state != AL_STATE_DISCLOSED)
		note(notes,
		     "report %s is %s, not fixed: the advisory names no "
		     "fixed version",
		     in->report, in->state);
	if ((rc = severity(in, &sev, &source, notes, err)) ||
	    (rc = affected(in, state, &aff, notes, err)))
		goto fail;
	al_time_format(in->modified, when);
	osv = json_pack("{s:s, s:s, s:s}", "schema_version", OSV_SCHEMA_VERSION,
			"id", in->id ? in->id : id, "modified", when);
	if (!osv)
		goto nomem;
	if (in->published) {
		al_time_format(in->published, when);
		if (!put(osv, "published", json_string(when)))
			goto nomem;
	}
	if (!put(osv, "summary", json_string(title)))
		goto nomem;
	if ((x = details(in->manifest)) && !put(osv, "details", x))
		goto nomem;
	if (sev) {
		x = sev;
		sev = NULL;
		if (json_object_set_new(osv, "severity", x))
			goto nomem;
	}
	x = aff;
	aff = NULL;
	if (json_object_set_new(osv, "affected", x))
		goto nomem;
	if ((x = credits(in->manifest)) && !put(osv, "credits", x))
		goto nomem;
	if (!put(osv, "database_specific", airlock_specific(in, source)))
		goto nomem;
	*out = osv;
	return 0;
nomem:
	rc = nomem(err);
fail:
	json_decref(osv);
	json_decref(sev);
	json_decref(aff);
	return rc;
}

/* JSON text for a file or a terminal: every control, bidi and invisible
 * character escaped, a final newline. */
static int json_text(const json_t *doc, size_t flags, char **out, size_t *len,
		     struct al_error *err)
{
	char *raw = json_dumps(doc, flags), *safe, *p;
	size_t n;

	*out = NULL;
	if (!raw)
		return nomem(err);
	safe = al_text_json_controls(raw, strlen(raw));
	free(raw);
	if (!safe)
		return nomem(err);
	n = strlen(safe);
	if (!(p = realloc(safe, n + 2))) {
		free(safe);
		return nomem(err);
	}
	p[n] = '\n';
	p[n + 1] = '\0';
	*out = p;
	*len = n + 1;
	return 0;
}

int al_advisory_osv_text(const json_t *osv, char **out, size_t *len,
			 struct al_error *err)
{
	return json_text(osv, JSON_INDENT(2) | JSON_PRESERVE_ORDER, out, len,
			 err);
}

/* ---- Markdown ------------------------------------------------------- */

/* The length of the UTF-8 character at s (1 for an invalid byte). */
static size_t char_len(const unsigned char *s, size_t left)
{
	size_t n = s[0] < 0x80         ? 1
		   : (s[0] >> 5) == 6  ? 2
		   : (s[0] >> 4) == 14 ? 3
		   : (s[0] >> 3) == 30 ? 4
				       : 1;

	return n <= left && al_utf8_valid((const char *)s, n) ? n : 1;
}

/* A character that must not reach the reader raw (control, bidi,
 * invisible, or an invalid byte), written as \u{XXXX} or \xNN. */
static bool dangerous(const char *s, size_t n)
{
	return !al_utf8_valid(s, n) || al_text_has_control(s, n);
}

static void put_visible(FILE *f, const char *s, size_t n)
{
	char buf[32];

	fputs(al_text_visible(s, n, buf, sizeof(buf)), f);
}

/* One-line untrusted text inline: every ASCII punctuation character
 * backslash-escaped (CommonMark: it then stands for itself: no HTML, no
 * link, no emphasis, no heading), dangerous characters made visible. */
static void md_inline(FILE *f, const char *s)
{
	size_t len = s ? strlen(s) : 0;

	for (size_t i = 0; i < len;) {
		size_t n = char_len((const unsigned char *)s + i, len - i);

		if (dangerous(s + i, n))
			put_visible(f, s + i, n);
		else if (n == 1 && ispunct((unsigned char)s[i]))
			fprintf(f, "\\%c", s[i]);
		else
			fwrite(s + i, 1, n, f);
		i += n;
	}
}

/* One-line untrusted text as a code span: delimited by more backticks
 * than the longest run inside (padded with a space when it begins or ends
 * with one), so nothing in it is read as Markdown or HTML; dangerous
 * characters made visible. */
static void md_code(FILE *f, const char *s)
{
	size_t len = s ? strlen(s) : 0, run = 0, longest = 0;
	bool pad;

	for (size_t i = 0; i < len; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		longest = run > longest ? run : longest;
	}
	pad = len && (s[0] == '`' || s[len - 1] == '`' || s[0] == ' ');
	for (size_t i = 0; i <= longest; i++)
		fputc('`', f);
	if (pad)
		fputc(' ', f);
	for (size_t i = 0; i < len;) {
		size_t n = char_len((const unsigned char *)s + i, len - i);

		if (dangerous(s + i, n))
			put_visible(f, s + i, n);
		else
			fwrite(s + i, 1, n, f);
		i += n;
	}
	if (pad)
		fputc(' ', f);
	for (size_t i = 0; i <= longest; i++)
		fputc('`', f);
}

/* Multi-line untrusted text, byte for byte, in a fenced code block whose
 * fence is longer than any run of backticks inside (so the text cannot
 * close it); CRLF read as LF, dangerous characters made visible. */
static void md_block(FILE *f, const char *s)
{
	size_t len = strlen(s), run = 0, longest = 0, fence;

	for (size_t i = 0; i < len; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		longest = run > longest ? run : longest;
	}
	fence = longest >= 3 ? longest + 1 : 3;
	for (size_t i = 0; i < fence; i++)
		fputc('`', f);
	fputs("text\n", f);
	for (size_t i = 0; i < len;) {
		size_t n = char_len((const unsigned char *)s + i, len - i);

		if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')
			; /* CRLF: the LF follows */
		else if (s[i] == '\n' || s[i] == '\t')
			fputc(s[i], f);
		else if (dangerous(s + i, n))
			put_visible(f, s + i, n);
		else
			fwrite(s + i, 1, n, f);
		i += n;
	}
	if (len && s[len - 1] != '\n')
		fputc('\n', f);
	for (size_t i = 0; i < fence; i++)
		fputc('`', f);
	fputc('\n', f);
}

/* "- Label: value", the value untrusted (a code span) or Airlock's own. */
static void md_item(FILE *f, const char *label, const char *value)
{
	fprintf(f, "- %s: ", label);
	md_code(f, value);
	fputc('\n', f);
}

static void md_own(FILE *f, const char *label, const char *value)
{
	fprintf(f, "- %s: %s\n", label, value ? value : "");
}

static void md_ranges(FILE *f, const json_t *a)
{
	const json_t *r, *e, *v;
	size_t i, j;

	json_array_foreach(json_object_get(a, "ranges"), i, r)
	{
		fprintf(f, "  - %s", str(r, "type"));
		if (str(r, "repo")) {
			fputc(' ', f);
			md_code(f, str(r, "repo"));
		}
		fputc(':', f);
		json_array_foreach(json_object_get(r, "events"), j, e)
		{
			const char *key = json_object_iter_key(
				json_object_iter((json_t *)e));

			fprintf(f, "%s %s ", j ? "," : "", key);
			md_code(f, str(e, key));
		}
		fputc('\n', f);
	}
	if (json_array_size(json_object_get(a, "versions"))) {
		fputs("  - versions:", f);
		json_array_foreach(json_object_get(a, "versions"), j, v)
		{
			fputs(j ? ", " : " ", f);
			md_code(f, json_string_value(v));
		}
		fputc('\n', f);
	}
}

int al_advisory_markdown(const json_t *osv, char **out, size_t *len,
			 struct al_error *err)
{
	const json_t *air = json_object_get(
		json_object_get(osv, "database_specific"), "airlock");
	const char *source = str(air, "severity_source");
	const json_t *x;
	char *buf = NULL;
	size_t blen = 0, i;
	FILE *f;

	*out = NULL;
	if (!(f = open_memstream(&buf, &blen)))
		return nomem(err);
	fputs("# Draft advisory: ", f);
	md_inline(f, str(osv, "summary"));
	fputs("\n\nA draft made by airlock-vault from a report in its vault. "
	      "The reporter's\ntext is quoted as it was sent: review every "
	      "part before publishing.\n\n",
	      f);
	md_item(f, "Advisory id", str(osv, "id"));
	md_own(f, "Report", str(air, "report"));
	md_own(f, "State", str(air, "state"));
	md_own(f, "Rating",
	       str(air, "rating") ? str(air, "rating") : "not rated yet");
	md_item(f, "Class", str(air, "class"));
	json_array_foreach(json_object_get(air, "cwe"), i, x)
	{
		md_item(f, "Weakness", json_string_value(x));
	}
	json_array_foreach(json_object_get(osv, "severity"), i, x)
	{
		fputs("- Severity: ", f);
		md_code(f, str(x, "score"));
		fprintf(f, " (%s)\n",
			source && !strcmp(source, "maintainers")
				? "the maintainers' assessment"
				: "proposed by the reporter");
	}
	md_own(f, "Published",
	       str(osv, "published") ? str(osv, "published")
				     : "not yet (the report is not disclosed)");
	md_own(f, "Modified", str(osv, "modified"));
	fputs("\n## Affected\n\n", f);
	json_array_foreach(json_object_get(osv, "affected"), i, x)
	{
		const json_t *p = json_object_get(x, "package");

		fputs("- ", f);
		md_code(f, str(p, "ecosystem"));
		fputs(" ", f);
		md_code(f, str(p, "name"));
		fputc('\n', f);
		md_ranges(f, x);
	}
	if (str(osv, "details")) {
		fputs("\n## Details\n\n", f);
		md_block(f, str(osv, "details"));
	}
	if (json_array_size(json_object_get(osv, "credits"))) {
		fputs("\n## Credits\n\n", f);
		json_array_foreach(json_object_get(osv, "credits"), i, x)
		{
			fputs("- ", f);
			md_inline(f, str(x, "name"));
			fputs(" (finder)\n", f);
		}
	}
	return mem_close(f, &buf, &blen, out, len, err);
}

/* ---- CSV and the reports table ------------------------------------- */

const char *const al_report_columns[] = {
	"id",
	"state",
	"rating",
	"score",
	"cvss",
	"class",
	"project",
	"title",
	"reporter",
	"imported_at",
	"acknowledged_at",
	"triaged_at",
	"fixed_at",
	"fixed_version",
	"closed_at",
	"reason",
	"duplicate_of",
	NULL,
};

void al_csv_cell(FILE *f, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	char *shown = NULL;
	const char *t = s;
	bool quote, defuse;

	if (!n)
		return;
	if (dangerous(s, n)) {
		size_t cap = 8 * n + 8;

		if ((shown = malloc(cap)))
			t = al_text_visible(s, n, shown, cap);
		else
			t = "?";
	}
	/* judged on the text as given: a tab made visible is harmless, but
	 * the rule stays one a reader can check by eye */
	defuse = strchr("=+-@\t\r", s[0]) != NULL ||
		 strchr("=+-@", t[0]) != NULL;
	quote = strpbrk(t, ",\"\r\n") != NULL;
	if (quote)
		fputc('"', f);
	if (defuse)
		fputc('\'', f);
	for (const char *p = t; *p; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	if (quote)
		fputc('"', f);
	free(shown);
}

int al_reports_csv(const json_t *rows, char **out, size_t *len,
		   struct al_error *err)
{
	const json_t *row;
	char *buf = NULL;
	size_t blen = 0, i;
	FILE *f;

	*out = NULL;
	if (!(f = open_memstream(&buf, &blen)))
		return nomem(err);
	for (size_t c = 0; al_report_columns[c]; c++) {
		if (c)
			fputc(',', f);
		al_csv_cell(f, al_report_columns[c]);
	}
	fputs("\r\n", f);
	json_array_foreach(rows, i, row)
	{
		for (size_t c = 0; al_report_columns[c]; c++) {
			const json_t *v =
				json_object_get(row, al_report_columns[c]);

			if (c)
				fputc(',', f);
			if (json_is_integer(v)) {
				json_int_t s = json_integer_value(v);

				fprintf(f, "%lld.%lld", (long long)s / 10,
					(long long)s % 10);
			} else {
				al_csv_cell(f, json_string_value(v));
			}
		}
		fputs("\r\n", f);
	}
	return mem_close(f, &buf, &blen, out, len, err);
}

int al_reports_json(const json_t *rows, char **out, size_t *len,
		    struct al_error *err)
{
	json_t *arr = json_array(), *o;
	const json_t *row;
	size_t i;
	int rc;

	*out = NULL;
	if (!arr)
		return nomem(err);
	json_array_foreach(rows, i, row)
	{
		if (!(o = json_object()) || json_array_append_new(arr, o))
			goto nomem;
		for (size_t c = 0; al_report_columns[c]; c++) {
			const json_t *v =
				json_object_get(row, al_report_columns[c]);
			json_t *val;

			if (json_is_integer(v))
				val = json_real((double)json_integer_value(v) /
						10.0);
			else if (json_is_string(v))
				val = json_string(json_string_value(v));
			else
				val = json_null();
			if (!put(o, al_report_columns[c], val))
				goto nomem;
		}
	}
	rc = json_text(arr,
		       JSON_INDENT(2) | JSON_PRESERVE_ORDER |
			       JSON_REAL_PRECISION(4),
		       out, len, err);
	json_decref(arr);
	return rc;
nomem:
	json_decref(arr);
	return nomem(err);
}

/* ---- credits ---------------------------------------------------------- */

static int credit_cmp(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a;
	const json_t *y = *(const json_t *const *)b;
	int c = strcmp(str(x, "name"), str(y, "name"));

	if (!c)
		c = strcmp(str(x, "fixed_at") ? str(x, "fixed_at") : "",
			   str(y, "fixed_at") ? str(y, "fixed_at") : "");
	if (!c)
		c = strcmp(str(x, "report") ? str(x, "report") : "",
			   str(y, "report") ? str(y, "report") : "");
	return c;
}

/* Does the row earn a public credit: asked for, named, fixed or
 * disclosed? */
static bool credited(const json_t *row)
{
	const char *credit = str(row, "credit"), *name = str(row, "name");
	const char *state = str(row, "state");

	return credit && !strcmp(credit, "public") && name && *name && state &&
	       (!strcmp(state, "fixed") || !strcmp(state, "disclosed"));
}

static json_t *credit_entry(const json_t *row)
{
	static const char *const keys[] = {"report",        "state",
					   "fixed_version", "fixed_at",
					   "disclosed_at",  "role"};
	const char *state = str(row, "state");
	json_t *o = json_object();

	if (!o)
		return NULL;
	for (size_t k = 0; k < 5; k++)
		if (!put(o, keys[k],
			 str(row, keys[k]) ? json_string(str(row, keys[k]))
					   : json_null()))
			goto nomem;
	/* the reporter of the report, or of a duplicate of it */
	if (!put(o, keys[5],
		 json_string(str(row, "role") ? str(row, "role") : "finder")))
		goto nomem;
	/* a fixed report's title waits for its disclosure */
	if (!put(o, "title",
		 !strcmp(state, "disclosed") && str(row, "title")
			 ? json_string(str(row, "title"))
			 : json_null()))
		goto nomem;
	return o;
nomem:
	json_decref(o);
	return NULL;
}

int al_credits_build(const json_t *rows, json_t **out, struct al_error *err)
{
	size_t n = 0, i;
	const json_t **keep = calloc(json_array_size(rows) + 1, sizeof(*keep));
	json_t *arr = json_array(), *group = NULL, *list = NULL;
	const json_t *row;

	*out = NULL;
	if (!keep || !arr)
		goto nomem;
	json_array_foreach(rows, i, row)
	{
		if (credited(row))
			keep[n++] = row;
	}
	qsort(keep, n, sizeof(*keep), credit_cmp);
	for (i = 0; i < n; i++) {
		json_t *e;

		if (!group ||
		    strcmp(str(group, "name"), str(keep[i], "name"))) {
			group = json_pack("{s:s, s:[]}", "name",
					  str(keep[i], "name"), "reports");
			if (!group || json_array_append_new(arr, group))
				goto nomem;
			list = json_object_get(group, "reports");
		}
		if (!(e = credit_entry(keep[i])) ||
		    json_array_append_new(list, e))
			goto nomem;
	}
	free(keep);
	*out = arr;
	return 0;
nomem:
	free(keep);
	json_decref(arr);
	return nomem(err);
}

/* Untrusted one-line text for a plain-text document: verbatim when clean,
 * made visible otherwise. */
static void text_cell(FILE *f, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!n)
		return;
	if (!dangerous(s, n)) {
		fputs(s, f);
		return;
	}
	for (size_t i = 0; i < n;) {
		size_t c = char_len((const unsigned char *)s + i, n - i);

		if (dangerous(s + i, c))
			put_visible(f, s + i, c);
		else
			fwrite(s + i, 1, c, f);
		i += c;
	}
}

int al_credits_text(const json_t *credits, char **out, size_t *len,
		    struct al_error *err)
{
	const json_t *g, *r;
	char *buf = NULL;
	size_t blen = 0, i, j;
	FILE *f;

	*out = NULL;
	if (!(f = open_memstream(&buf, &blen)))
		return nomem(err);
	json_array_foreach(credits, i, g)
	{
		if (i)
			fputc('\n', f);
		text_cell(f, str(g, "name"));
		fputc('\n', f);
		json_array_foreach(json_object_get(g, "reports"), j, r)
		{
			fprintf(f, "  %s  %-9s  ", str(r, "report"),
				str(r, "state"));
			if (str(r, "fixed_version")) {
				fputs("fixed in ", f);
				text_cell(f, str(r, "fixed_version"));
			}
			fputs("  ", f);
			if (str(r, "title"))
				text_cell(f, str(r, "title"));
			else
				fputs("(title withheld until disclosure)", f);
			if (str(r, "role") && strcmp(str(r, "role"), "finder"))
				fprintf(f, " (%s)", str(r, "role"));
			fputc('\n', f);
		}
	}
	return mem_close(f, &buf, &blen, out, len, err);
}

int al_credits_json(const json_t *credits, char **out, size_t *len,
		    struct al_error *err)
{
	return json_text(credits, JSON_INDENT(2) | JSON_PRESERVE_ORDER, out,
			 len, err);
}

/* ---- the vault's side ------------------------------------------------- */

const char *al_export_format_name(enum al_export_format f)
{
	static const char *const names[] = {"osv", "md", "csv", "json", "text"};

	return (unsigned)f < sizeof(names) / sizeof(names[0]) ? names[f] : NULL;
}

/* The report's current bundle (refused when it was purged). */
static int current_bundle(struct al_vault *v, const char *id,
			  char hex[AL_SHA256_HEX], struct al_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(v->db,
			       "SELECT r.bundle, b.purged FROM reports r JOIN "
			       "bundles b ON b.sha256 = r.bundle WHERE r.id = "
			       "?",
			       -1, &st, NULL))
		return al_db_fail(v->db, "reading a report", err);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(hex, AL_SHA256_HEX, "%s", sqlite3_column_text(st, 0));
		rc = sqlite3_column_int(st, 1)
			     ? al_error_set(err, AL_ENOTFOUND,
					    "report %s was purged (retention): "
					    "its bundle is deleted, so its "
					    "texts cannot be read",
					    id)
			     : 0;
	} else if (rc == SQLITE_DONE) {
		rc = al_error_set(err, AL_ENOTFOUND, "no report '%s'", id);
	} else {
		rc = al_db_fail(v->db, "reading a report", err);
	}
	sqlite3_finalize(st);
	return rc;
}

int al_vault_manifest(struct al_vault *v, const char *id, json_t **out,
		      struct al_error *err)
{
	char hex[AL_SHA256_HEX];
	struct al_bundle b = {0};
	int rc;

	*out = NULL;
	/* no entry callback: the attachments are read through, checked
	 * against the manifest and dropped; only manifest.json is kept */
	if (!(rc = current_bundle(v, id, hex, err)) &&
	    !(rc = al_vault_read_bundle(v, hex, NULL, &b, err)))
		*out = json_incref(b.manifest);
	if (b.manifest_raw)
		al_secure_zero(b.manifest_raw, b.manifest_len);
	if (b.reply_key)
		al_secure_zero(b.reply_key, b.reply_key_len);
	al_bundle_release(&b);
	return rc;
}

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* A column as JSON: a time column (seconds) as RFC 3339, NULL as null. */
static json_t *col_json(sqlite3_stmt *st, int i, bool time)
{
	char when[AL_RFC3339_LEN];

	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		return json_null();
	case SQLITE_INTEGER:
		if (!time)
			return json_integer(sqlite3_column_int64(st, i));
		al_time_format(sqlite3_column_int64(st, i), when);
		return json_string(when);
	default:
		return json_stringn(col(st, i),
				    (size_t)sqlite3_column_bytes(st, i));
	}
}

/* Rows of a query as JSON objects keyed by names; the columns in times
 * (a bit a column) are times. */
static int query_rows(struct al_vault *v, const char *sql,
		      const char *const *names, unsigned times, json_t **out,
		      struct al_error *err)
{
	json_t *arr = json_array(), *o;
	sqlite3_stmt *st;
	int rc = 0, step;

	*out = NULL;
	if (!arr)
		return nomem(err);
	if (sqlite3_prepare_v2(v->db, sql, -1, &st, NULL)) {
		json_decref(arr);
		return al_db_fail(v->db, "reading the reports", err);
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (!(o = json_object()) || json_array_append_new(arr, o)) {
			rc = nomem(err);
			break;
		}
		for (int i = 0; names[i]; i++)
			if (!put(o, names[i],
				 col_json(st, i, times & (1u << i)))) {
				rc = nomem(err);
				break;
			}
		if (rc)
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = al_db_fail(v->db, "reading the reports", err);
	sqlite3_finalize(st);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

struct triage_row {
	char state[32], rating[16], cvss[192], fixed[128];
	int64_t state_t;
};

static int triage_row(struct al_vault *v, const char *id, struct triage_row *r,
		      struct al_error *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(r, 0, sizeof(*r));
	if (sqlite3_prepare_v2(v->db,
			       "SELECT state, coalesce(rating, ''), "
			       "coalesce(cvss, ''), coalesce(fixed_version, "
			       "''), state_t FROM reports WHERE id = ?",
			       -1, &st, NULL))
		return al_db_fail(v->db, "reading a report", err);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(r->state, sizeof(r->state), "%s", col(st, 0));
		snprintf(r->rating, sizeof(r->rating), "%s", col(st, 1));
		snprintf(r->cvss, sizeof(r->cvss), "%s", col(st, 2));
		snprintf(r->fixed, sizeof(r->fixed), "%s", col(st, 3));
		r->state_t = sqlite3_column_int64(st, 4);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = al_error_set(err, AL_ENOTFOUND, "no report '%s'", id);
	} else {
		rc = al_db_fail(v->db, "reading a report", err);
	}
	sqlite3_finalize(st);
	return rc;
}

int al_vault_advisory(struct al_vault *v, const char *id,
		      const char *advisory_id, enum al_export_format format,
		      char **out, size_t *len, struct al_notes *notes,
		      struct al_error *err)
{
	struct al_advisory_in in = {.report = id, .id = advisory_id};
	struct triage_row r;
	json_t *m = NULL, *osv = NULL;
	int state, rc;

	*out = NULL;
	if (format != AL_EXPORT_OSV && format != AL_EXPORT_MD)
		return al_error_set(err, AL_EUSAGE, "an advisory is osv or md");
	if ((advisory_id && (rc = al_advisory_id_check(advisory_id, err))) ||
	    (rc = triage_row(v, id, &r, err)) ||
	    (rc = check_state(id, r.state, &state, err)) ||
	    (rc = al_vault_now(&in.modified, err)) ||
	    (rc = al_vault_manifest(v, id, &m, err)))
		return rc;
	in.manifest = m;
	in.state = r.state;
	in.rating = *r.rating ? r.rating : NULL;
	in.cvss = *r.cvss ? r.cvss : NULL;
	in.fixed_version = *r.fixed ? r.fixed : NULL;
	in.published = state == AL_STATE_DISCLOSED ? r.state_t : 0;
	if (!(rc = al_advisory_osv(&in, &osv, notes, err)))
		rc = format == AL_EXPORT_OSV
			     ? al_advisory_osv_text(osv, out, len, err)
			     : al_advisory_markdown(osv, out, len, err);
	json_decref(osv);
	json_decref(m);
	return rc;
}

int al_vault_credits(struct al_vault *v, enum al_export_format format,
		     char **out, size_t *len, struct al_error *err)
{
	static const char *const names[] = {
		"name",     "credit",       "report", "state", "fixed_version",
		"fixed_at", "disclosed_at", "title",  "role",  NULL,
	};
	json_t *rows = NULL, *credits = NULL;
	int rc;

	*out = NULL;
	if (format != AL_EXPORT_TEXT && format != AL_EXPORT_JSON)
		return al_error_set(err, AL_EUSAGE, "credits are text or json");
	/* the finder of each report, and the reporters of its duplicates
	 * (followed to the original) as independent finders, once each: not
	 * when the same key, contact or name sent both (a re-send) */
	if ((rc = query_rows(v,
			     "WITH RECURSIVE up (id, root, depth) AS (SELECT "
			     "id, duplicate_of, 1 FROM reports WHERE "
			     "duplicate_of IS NOT NULL UNION ALL SELECT "
			     "up.id, r.duplicate_of, depth + 1 FROM up JOIN "
			     "reports r ON r.id = up.root WHERE "
			     "r.duplicate_of IS NOT NULL AND depth < 64), "
			     "dups (id, root) AS (SELECT id, root FROM up u "
			     "WHERE NOT EXISTS (SELECT 1 FROM reports r WHERE "
			     "r.id = u.root AND r.duplicate_of IS NOT NULL)) "
			     "SELECT reporter, credit, id, state, "
			     "fixed_version, fixed_t, CASE WHEN state = "
			     "'disclosed' THEN state_t END, title, 'finder' "
			     "FROM reports UNION ALL SELECT DISTINCT "
			     "d.reporter, "
			     "d.credit, o.id, o.state, o.fixed_version, "
			     "o.fixed_t, CASE WHEN o.state = 'disclosed' THEN "
			     "o.state_t END, o.title, 'independent finder' "
			     "FROM dups x JOIN reports d ON d.id = x.id JOIN "
			     "reports o ON o.id = x.root JOIN metas dm ON "
			     "dm.sha256 = d.meta JOIN metas om ON om.sha256 = "
			     "o.meta WHERE (d.signer IS NULL OR o.signer IS "
			     "NULL OR d.signer != o.signer) AND d.reporter IS "
			     "NOT o.reporter AND (json_extract(dm.json, "
			     "'$.reporter.contact') IS NULL OR "
			     "json_extract(dm.json, '$.reporter.contact') IS "
			     "NOT json_extract(om.json, "
			     "'$.reporter.contact'))",
			     names, (1u << 5) | (1u << 6), &rows, err)) ||
	    (rc = al_credits_build(rows, &credits, err)))
		goto out;
	rc = format == AL_EXPORT_JSON ? al_credits_json(credits, out, len, err)
				      : al_credits_text(credits, out, len, err);
out:
	json_decref(rows);
	json_decref(credits);
	return rc;
}

int al_vault_reports(struct al_vault *v, enum al_export_format format,
		     char **out, size_t *len, struct al_error *err)
{
	json_t *rows = NULL;
	int rc;

	*out = NULL;
	if (format != AL_EXPORT_CSV && format != AL_EXPORT_JSON)
		return al_error_set(err, AL_EUSAGE, "reports are csv or json");
	/* the reporter's name only when they asked for public credit */
	if ((rc = query_rows(v,
			     "SELECT id, state, rating, score, cvss, class, "
			     "project, title, CASE WHEN credit = 'public' "
			     "THEN reporter END, imported_at, acked_t, "
			     "triaged_t, fixed_t, fixed_version, closed_t, "
			     "reason, duplicate_of FROM reports ORDER BY "
			     "imported",
			     al_report_columns,
			     (1u << 10) | (1u << 11) | (1u << 12) | (1u << 14),
			     &rows, err)))
		return rc;
	rc = format == AL_EXPORT_CSV ? al_reports_csv(rows, out, len, err)
				     : al_reports_json(rows, out, len, err);
	json_decref(rows);
	return rc;
}

/* Append and apply the export event inside the caller's transaction. */
static int append_event(struct al_vault *v, const char *report,
			const json_t *data, int64_t *seq, struct al_error *err)
{
	int64_t now, n = -1;
	int rc;

	if ((rc = al_vault_event_time(v, &now, err)) ||
	    (rc = al_vault_append(v, now, "export", report, data, &n, err)) ||
	    (rc = al_state_apply(v->db, n, err)))
		return rc;
	if (seq)
		*seq = n;
	return 0;
}

int al_vault_export_record(struct al_vault *v, const char *report,
			   const char *what, const char *format,
			   const char *buf, size_t len, const char *path,
			   int64_t *seq, struct al_error *err)
{
	char hex[AL_SHA256_HEX], shown[256];
	struct al_atomic a;
	struct stat st;
	json_t *data;
	int rc;

	if (seq)
		*seq = -1;
	al_sha256_hex(buf, len, hex);
	data = json_pack("{s:s, s:s}", "what", what, "sha256", hex);
	if (!data || (format && !put(data, "format", json_string(format)))) {
		json_decref(data);
		return nomem(err);
	}
	if (!path || !strcmp(path, "-")) {
		if (!(rc = al_db_begin(v->db, err))) {
			if ((rc = append_event(v, report, data, seq, err)) ||
			    (rc = al_db_commit(v->db, err)))
				al_db_rollback(v->db);
		}
		json_decref(data);
		return rc;
	}
	al_text_visible(path, strlen(path), shown, sizeof(shown));
	if (!*path) {
		json_decref(data);
		return al_error_set(err, AL_EUSAGE, "export: -o names no file");
	}
	if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		json_decref(data);
		return al_error_set(err, AL_EEXIST,
				    "'%s' exists; the export goes into a new "
				    "file",
				    shown);
	}
	if ((rc = al_atomic_open(&a, path, err))) {
		json_decref(data);
		return rc;
	}
	if ((rc = al_write_all(a.fd, buf, len, shown, err)) ||
	    (rc = al_db_begin(v->db, err))) {
		al_atomic_abort(&a);
		goto out;
	}
	/* the file and the event appear together: the event is appended,
	 * the file renamed into place, then the event committed; a failed
	 * commit takes the file away again */
	if ((rc = append_event(v, report, data, seq, err))) {
		al_db_rollback(v->db);
		al_atomic_abort(&a);
		goto out;
	}
	if ((rc = al_atomic_commit(&a, 0, err))) {
		al_db_rollback(v->db);
		goto out;
	}
	if ((rc = al_db_commit(v->db, err)))
		unlink(path);
out:
	if (rc && seq)
		*seq = -1;
	json_decref(data);
	return rc;
}
