/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Version ranges: every line of tests/data/versions.data, the ecosystem
 * table, and OSV sets (containment, overlap, every refusal).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "al_vrange.h"
#include "test_data.h"

/* ---- helpers ------------------------------------------------------------ */

#define open_data(name) al_test_open("%s", name)

static json_t *parse_json(const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);

	if (!j)
		print_message("bad test JSON: %s\n", je.text);
	assert_non_null(j);
	return j;
}

static struct al_vset *set_from(const char *text)
{
	struct al_error err = {0};
	struct al_vset *set = NULL;
	json_t *j = parse_json(text);
	int rc = al_vset_from_osv(j, &set, &err);

	if (rc != 0)
		print_message("refused: %s\n", err.msg);
	assert_int_equal(rc, 0);
	assert_non_null(set);
	json_decref(j);
	return set;
}

/* The affected object is refused with AL_EINVAL, a message holding needle,
 * and no set. */
static void refused_json(json_t *j, const char *needle)
{
	struct al_error err = {0};
	struct al_vset *set = (struct al_vset *)&err; /* must become NULL */
	int rc = al_vset_from_osv(j, &set, &err);

	assert_int_equal(rc, AL_EINVAL);
	assert_int_equal(err.code, AL_EINVAL);
	assert_null(set);
	if (!strstr(err.msg, needle))
		print_message("message '%s' lacks '%s'\n", err.msg, needle);
	assert_non_null(strstr(err.msg, needle));
}

static void refused(const char *text, const char *needle)
{
	json_t *j = parse_json(text);

	refused_json(j, needle);
	json_decref(j);
}

static bool has(const struct al_vset *set, enum al_vscheme s, const char *v)
{
	struct al_error err = {0};
	bool in = true;
	int rc = al_vset_contains(set, s, v, &in, &err);

	if (rc != 0)
		print_message("contains '%s': %s\n", v, err.msg);
	assert_int_equal(rc, 0);
	return in;
}

/* Overlap of two affected objects, checked to be symmetric. */
static bool overlap(const char *a_text, const char *b_text)
{
	struct al_vset *a = set_from(a_text), *b = set_from(b_text);
	struct al_error err = {0};
	bool ab = false, ba = false;

	assert_int_equal(al_vset_overlaps(a, b, &ab, &err), 0);
	assert_int_equal(al_vset_overlaps(b, a, &ba, &err), 0);
	assert_int_equal(ab, ba);
	al_vset_free(a);
	al_vset_free(b);
	return ab;
}

/* Split line at spaces and newlines into at most max fields. */
static size_t split_fields(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (*p && n < max) {
		while (*p == ' ' || *p == '\n')
			*p++ = '\0';
		if (!*p)
			break;
		f[n++] = p;
		while (*p && *p != ' ' && *p != '\n')
			p++;
	}
	while (*p) {
		if (*p == '\n')
			*p = '\0';
		p++;
	}
	return n;
}

/* ---- versions.data ------------------------------------------------------ */

static int scheme_named(const char *name, enum al_vscheme *s)
{
	if (strcmp(name, "semver") == 0)
		*s = AL_VS_SEMVER;
	else if (strcmp(name, "ecosystem") == 0)
		*s = AL_VS_ECOSYSTEM;
	else if (strcmp(name, "git") == 0)
		*s = AL_VS_GIT;
	else
		return -1;
	return 0;
}

static int expect_cmp(enum al_vscheme s, const char *a, const char *b, int want,
		      char *why, size_t whysz)
{
	struct al_error err = {0};
	int c = 99, r = 99;

	if (al_version_cmp(s, a, b, &c, &err) != 0) {
		snprintf(why, whysz, "refused: %s", err.msg);
		return -1;
	}
	if (al_version_cmp(s, b, a, &r, &err) != 0) {
		snprintf(why, whysz, "refused reversed: %s", err.msg);
		return -1;
	}
	if (c != want || r != -want) {
		snprintf(why, whysz, "got %d (reversed %d), wanted %d", c, r,
			 want);
		return -1;
	}
	return 0;
}

/* Run one line; 0 when it holds, else -1 with why set. */
static int run_line(char *line, char *why, size_t whysz)
{
	char *f[5] = {0};
	char norm[AL_VERSION_MAX + 1];
	struct al_error err = {0};
	enum al_vscheme s;
	size_t n = split_fields(line, f, 5);
	int c = 99;

	if (n < 3 || scheme_named(f[0], &s) < 0) {
		snprintf(why, whysz, "malformed test line");
		return -1;
	}
	if (n == 3 && strcmp(f[2], "invalid") == 0) {
		int rc =
			al_version_normalise(s, f[1], norm, sizeof(norm), &err);

		if (rc != AL_EINVAL || !strstr(err.msg, "version")) {
			snprintf(why, whysz, "accepted (rc %d)", rc);
			return -1;
		}
		return 0;
	}
	if (n == 3 && strcmp(f[2], "valid") == 0) {
		if (al_version_normalise(s, f[1], norm, sizeof(norm), &err)) {
			snprintf(why, whysz, "refused: %s", err.msg);
			return -1;
		}
		/* and equal to itself */
		return expect_cmp(s, f[1], f[1], 0, why, whysz);
	}
	if (n != 4) {
		snprintf(why, whysz, "malformed test line");
		return -1;
	}
	if (strcmp(f[2], "->") == 0) {
		if (al_version_normalise(s, f[1], norm, sizeof(norm), &err)) {
			snprintf(why, whysz, "refused: %s", err.msg);
			return -1;
		}
		if (strcmp(norm, f[3]) != 0) {
			snprintf(why, whysz, "normalised to '%s'", norm);
			return -1;
		}
		return 0;
	}
	if (strcmp(f[2], "!=") == 0) {
		if (al_version_cmp(s, f[1], f[3], &c, &err) != AL_EINVAL ||
		    !strstr(err.msg, "no order")) {
			snprintf(why, whysz, "compared (%d)", c);
			return -1;
		}
		return 0;
	}
	if (strcmp(f[2], "<") == 0)
		return expect_cmp(s, f[1], f[3], -1, why, whysz);
	if (strcmp(f[2], ">") == 0)
		return expect_cmp(s, f[1], f[3], 1, why, whysz);
	if (strcmp(f[2], "=") == 0)
		return expect_cmp(s, f[1], f[3], 0, why, whysz);
	snprintf(why, whysz, "unknown operator '%s'", f[2]);
	return -1;
}

static void test_vrange__versions_data_holds(void **state)
{
	char line[1024], why[512];
	unsigned lineno = 0, cases = 0, failed = 0;
	FILE *f = open_data("versions.data");

	(void)state;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		cases++;
		if (run_line(line, why, sizeof(why)) < 0) {
			print_message("versions.data:%u: %s\n", lineno, why);
			failed++;
		}
	}
	fclose(f);
	print_message("versions.data: %u cases, %u failed\n", cases, failed);
	assert_true(cases > 80);
	assert_int_equal(failed, 0);
}

/* Every ordered line also holds transitively against every other line of
 * its scheme: a < b and b < c give a < c. */
static void test_vrange__order_is_transitive_over_data(void **state)
{
	char line[1024];
	char *vs[600];
	enum al_vscheme sc[600];
	size_t n = 0, i, j, k;
	FILE *f = open_data("versions.data");

	(void)state;
	while (fgets(line, sizeof(line), f) && n + 2 <= 600) {
		char *fl[4] = {0}, *a, *op, *b;
		enum al_vscheme s;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (split_fields(line, fl, 4) != 4)
			continue;
		a = fl[1];
		op = fl[2];
		b = fl[3];
		if (scheme_named(fl[0], &s) < 0 || s == AL_VS_GIT ||
		    strcmp(op, "->") == 0)
			continue;
		vs[n] = strdup(a);
		sc[n++] = s;
		vs[n] = strdup(b);
		sc[n++] = s;
	}
	fclose(f);
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			int ij, jk, ik;

			if (sc[i] != sc[j] ||
			    al_version_cmp(sc[i], vs[i], vs[j], &ij, NULL))
				continue;
			for (k = 0; k < n; k++) {
				if (sc[k] != sc[i] ||
				    al_version_cmp(sc[i], vs[j], vs[k], &jk,
						   NULL) ||
				    al_version_cmp(sc[i], vs[i], vs[k], &ik,
						   NULL))
					continue;
				if (ij <= 0 && jk <= 0 && ik > 0)
					fail_msg("'%s' <= '%s' <= '%s' but "
						 "not '%s' <= '%s'",
						 vs[i], vs[j], vs[k], vs[i],
						 vs[k]);
			}
		}
	}
	for (i = 0; i < n; i++)
		free(vs[i]);
}

/* ---- versions, directly --------------------------------------------------- */

static void test_vrange__refuses_overlong_version(void **state)
{
	char v[AL_VERSION_MAX + 2], out[AL_VERSION_MAX + 1];
	struct al_error err = {0};

	(void)state;
	memset(v, '1', AL_VERSION_MAX);
	v[AL_VERSION_MAX] = '\0';
	assert_int_equal(al_version_normalise(AL_VS_ECOSYSTEM, v, out,
					      sizeof(out), &err),
			 0);
	assert_string_equal(out, v);
	v[AL_VERSION_MAX] = '1';
	v[AL_VERSION_MAX + 1] = '\0';
	assert_int_equal(al_version_normalise(AL_VS_ECOSYSTEM, v, out,
					      sizeof(out), &err),
			 AL_EINVAL);
	assert_non_null(strstr(err.msg, "longer than 256 bytes"));
}

static void test_vrange__refuses_missing_and_empty_version(void **state)
{
	char out[64];
	struct al_error err = {0};

	(void)state;
	assert_int_equal(al_version_normalise(AL_VS_SEMVER, NULL, out,
					      sizeof(out), &err),
			 AL_EINVAL);
	assert_non_null(strstr(err.msg, "missing"));
	assert_int_equal(
		al_version_normalise(AL_VS_SEMVER, "", out, sizeof(out), &err),
		AL_EINVAL);
	assert_non_null(strstr(err.msg, "empty"));
	assert_string_equal(out, "");
}

static void test_vrange__refuses_small_output_buffer(void **state)
{
	char out[6];
	struct al_error err = {0};

	(void)state;
	assert_int_equal(
		al_version_normalise(AL_VS_SEMVER, "v1.2.3", out, 5, &err),
		AL_ELIMIT);
	assert_int_equal(
		al_version_normalise(AL_VS_SEMVER, "v1.2.3", out, 6, &err), 0);
	assert_string_equal(out, "1.2.3");
}

static void test_vrange__message_names_version_and_rule(void **state)
{
	char out[64];
	struct al_error err = {0};

	(void)state;
	assert_int_equal(al_version_normalise(AL_VS_SEMVER, "01.2.3", out,
					      sizeof(out), &err),
			 AL_EINVAL);
	assert_string_equal(err.msg, "version '01.2.3' is not semver 2.0: "
				     "major has a leading zero");
	assert_int_equal(al_version_normalise(AL_VS_SEMVER, "1.2.3-01", out,
					      sizeof(out), &err),
			 AL_EINVAL);
	assert_non_null(strstr(err.msg, "leading zero"));
	assert_int_equal(
		al_version_normalise(AL_VS_GIT, "xyz1", out, sizeof(out), &err),
		AL_EINVAL);
	assert_non_null(strstr(err.msg, "'xyz1' is not a commit id"));
}

static void test_vrange__message_shows_control_characters(void **state)
{
	char out[64];
	struct al_error err = {0};

	(void)state;
	assert_int_equal(al_version_normalise(AL_VS_ECOSYSTEM, "1.0\n\x1b[2J",
					      out, sizeof(out), &err),
			 AL_EINVAL);
	assert_null(strchr(err.msg, '\n'));
	assert_null(strchr(err.msg, '\x1b'));
	assert_non_null(strstr(err.msg, "\\n"));
}

static void test_vrange__ecosystem_refuses_spaces_and_tabs(void **state)
{
	char out[64];
	struct al_error err = {0};

	(void)state;
	assert_int_equal(al_version_normalise(AL_VS_ECOSYSTEM, "1.0 beta", out,
					      sizeof(out), &err),
			 AL_EINVAL);
	assert_non_null(strstr(err.msg, "printable ASCII"));
	assert_int_equal(al_version_normalise(AL_VS_ECOSYSTEM, "1.0\t1", out,
					      sizeof(out), &err),
			 AL_EINVAL);
}

static void test_vrange__refuses_unknown_scheme(void **state)
{
	char out[64];
	struct al_error err = {0};
	int c;

	(void)state;
	assert_int_equal(al_version_normalise((enum al_vscheme)7, "1.0.0", out,
					      sizeof(out), &err),
			 AL_EUSAGE);
	assert_int_equal(al_version_cmp((enum al_vscheme)7, "1", "1", &c, &err),
			 AL_EUSAGE);
	assert_string_equal(al_vscheme_name((enum al_vscheme)7), "UNKNOWN");
}

static void test_vrange__cmp_refuses_invalid_operand(void **state)
{
	struct al_error err = {0};
	int c = 5;

	(void)state;
	assert_int_equal(al_version_cmp(AL_VS_SEMVER, "1.0.0", "1.0", &c, &err),
			 AL_EINVAL);
	assert_non_null(strstr(err.msg, "'1.0'"));
	assert_int_equal(c, 0);
	assert_int_equal(al_version_cmp(AL_VS_GIT, "abcd", "abce", &c, &err),
			 AL_EINVAL);
	assert_non_null(strstr(err.msg, "no order"));
}

static void test_vrange__scheme_names(void **state)
{
	(void)state;
	assert_string_equal(al_vscheme_name(AL_VS_SEMVER), "SEMVER");
	assert_string_equal(al_vscheme_name(AL_VS_ECOSYSTEM), "ECOSYSTEM");
	assert_string_equal(al_vscheme_name(AL_VS_GIT), "GIT");
}

/* ---- ecosystems ----------------------------------------------------------- */

static void test_vrange__ecosystem_names_match_any_case(void **state)
{
	(void)state;
	assert_string_equal(al_ecosystem_canonical("pypi"), "PyPI");
	assert_string_equal(al_ecosystem_canonical("CRATES.IO"), "crates.io");
	assert_string_equal(al_ecosystem_canonical("NPM"), "npm");
	assert_string_equal(al_ecosystem_canonical("go"), "Go");
	assert_string_equal(al_ecosystem_canonical("maven"), "Maven");
	assert_string_equal(al_ecosystem_canonical("rubygems"), "RubyGems");
	assert_string_equal(al_ecosystem_canonical("PACKAGIST"), "Packagist");
	assert_string_equal(al_ecosystem_canonical("nuget"), "NuGet");
	assert_string_equal(al_ecosystem_canonical("debian"), "Debian");
	assert_string_equal(al_ecosystem_canonical("alpine"), "Alpine");
	assert_string_equal(al_ecosystem_canonical("hex"), "Hex");
	assert_string_equal(al_ecosystem_canonical("pub"), "Pub");
	assert_string_equal(al_ecosystem_canonical("hackage"), "Hackage");
	assert_string_equal(al_ecosystem_canonical("cran"), "CRAN");
	assert_string_equal(al_ecosystem_canonical("swifturl"), "SwiftURL");
	assert_string_equal(al_ecosystem_canonical("ubuntu"), "Ubuntu");
	assert_string_equal(al_ecosystem_canonical("github actions"),
			    "GitHub Actions");
	assert_string_equal(al_ecosystem_canonical("BITNAMI"), "Bitnami");
	assert_string_equal(al_ecosystem_canonical("red hat"), "Red Hat");
	assert_string_equal(al_ecosystem_canonical("oss-fuzz"), "OSS-Fuzz");
	assert_string_equal(al_ecosystem_canonical("OPENSUSE"), "openSUSE");
	assert_string_equal(al_ecosystem_canonical("Wolfi"), "Wolfi");
}

static void test_vrange__unknown_ecosystems_are_null(void **state)
{
	(void)state;
	assert_null(al_ecosystem_canonical("git"));
	assert_null(al_ecosystem_canonical("GIT"));
	assert_null(al_ecosystem_canonical(""));
	assert_null(al_ecosystem_canonical(NULL));
	assert_null(al_ecosystem_canonical("pypi "));
	assert_null(al_ecosystem_canonical("Debian:11"));
	assert_null(al_ecosystem_canonical("cargo"));
	assert_null(al_ecosystem_canonical("githubactions"));
}

static void test_vrange__ecosystem_scheme_follows_osv(void **state)
{
	(void)state;
	assert_int_equal(al_ecosystem_scheme("npm"), AL_VS_SEMVER);
	assert_int_equal(al_ecosystem_scheme("crates.io"), AL_VS_SEMVER);
	assert_int_equal(al_ecosystem_scheme("Go"), AL_VS_SEMVER);
	assert_int_equal(al_ecosystem_scheme("Hex"), AL_VS_SEMVER);
	assert_int_equal(al_ecosystem_scheme("Bitnami"), AL_VS_SEMVER);
	assert_int_equal(al_ecosystem_scheme("SwiftURL"), AL_VS_SEMVER);
	assert_int_equal(al_ecosystem_scheme("PyPI"), AL_VS_ECOSYSTEM);
	assert_int_equal(al_ecosystem_scheme("Maven"), AL_VS_ECOSYSTEM);
	assert_int_equal(al_ecosystem_scheme("NuGet"), AL_VS_ECOSYSTEM);
	assert_int_equal(al_ecosystem_scheme("Pub"), AL_VS_ECOSYSTEM);
	assert_int_equal(al_ecosystem_scheme("RubyGems"), AL_VS_ECOSYSTEM);
	assert_int_equal(al_ecosystem_scheme("Packagist"), AL_VS_ECOSYSTEM);
	assert_int_equal(al_ecosystem_scheme("Debian"), AL_VS_ECOSYSTEM);
	assert_int_equal(al_ecosystem_scheme("Debian:11"), AL_VS_ECOSYSTEM);
	assert_int_equal(al_ecosystem_scheme("Bitnami:x"), AL_VS_SEMVER);
	assert_int_equal(al_ecosystem_scheme(NULL), AL_VS_ECOSYSTEM);
	assert_int_equal(al_ecosystem_scheme("nonsense"), AL_VS_ECOSYSTEM);
}

/* ---- sets: containment ---------------------------------------------------- */

#define SEMVER_RANGE(evs) \
	"{\"ranges\":[{\"type\":\"SEMVER\",\"events\":[" evs "]}]}"
#define ECO_RANGE(evs) \
	"{\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[" evs "]}]}"

static void test_vrange__fixed_is_exclusive(void **state)
{
	struct al_vset *s = set_from(SEMVER_RANGE(
		"{\"introduced\":\"1.0.0\"},{\"fixed\":\"2.0.0\"}"));

	(void)state;
	assert_false(has(s, AL_VS_SEMVER, "0.9.9"));
	assert_false(has(s, AL_VS_SEMVER, "1.0.0-rc.1"));
	assert_true(has(s, AL_VS_SEMVER, "1.0.0"));
	assert_true(has(s, AL_VS_SEMVER, "v1.5.0"));
	assert_true(has(s, AL_VS_SEMVER, "1.99.99"));
	assert_true(has(s, AL_VS_SEMVER, "2.0.0-rc.1"));
	assert_false(has(s, AL_VS_SEMVER, "2.0.0"));
	assert_false(has(s, AL_VS_SEMVER, "2.0.0+build"));
	assert_false(has(s, AL_VS_SEMVER, "2.0.1"));
	al_vset_free(s);
}

static void test_vrange__last_affected_is_inclusive(void **state)
{
	struct al_vset *s = set_from(ECO_RANGE(
		"{\"introduced\":\"0\"},{\"last_affected\":\"2.1.214\"}"));

	(void)state;
	assert_true(has(s, AL_VS_ECOSYSTEM, "0"));
	assert_true(has(s, AL_VS_ECOSYSTEM, "1.0"));
	assert_true(has(s, AL_VS_ECOSYSTEM, "2.1.214"));
	assert_true(has(s, AL_VS_ECOSYSTEM, "2.1.214rc1"));
	assert_false(has(s, AL_VS_ECOSYSTEM, "2.1.214.1"));
	assert_false(has(s, AL_VS_ECOSYSTEM, "2.1.215"));
	al_vset_free(s);
}

static void test_vrange__introduced_zero_is_the_beginning(void **state)
{
	struct al_vset *s = set_from(
		SEMVER_RANGE("{\"introduced\":\"0\"},{\"fixed\":\"1.0.2\"}"));

	(void)state;
	assert_true(has(s, AL_VS_SEMVER, "0.0.0-0"));
	assert_true(has(s, AL_VS_SEMVER, "0.0.0"));
	assert_true(has(s, AL_VS_SEMVER, "1.0.1"));
	assert_true(has(s, AL_VS_SEMVER, "1.0.2-beta"));
	assert_false(has(s, AL_VS_SEMVER, "1.0.2"));
	al_vset_free(s);
}

static void test_vrange__introduced_alone_is_unbounded(void **state)
{
	struct al_vset *s = set_from(SEMVER_RANGE("{\"introduced\":\"0\"}"));
	struct al_vset *t =
		set_from(SEMVER_RANGE("{\"introduced\":\"3.0.0\"}"));

	(void)state;
	assert_true(has(s, AL_VS_SEMVER, "0.0.0"));
	assert_true(has(s, AL_VS_SEMVER, "99999999999999999999.0.0"));
	assert_false(has(t, AL_VS_SEMVER, "2.9.9"));
	assert_true(has(t, AL_VS_SEMVER, "3.0.0"));
	assert_true(has(t, AL_VS_SEMVER, "99999999999999999999.0.0"));
	al_vset_free(s);
	al_vset_free(t);
}

static void test_vrange__several_pairs_in_one_range(void **state)
{
	struct al_vset *s = set_from(SEMVER_RANGE(
		"{\"introduced\":\"1.0.0\"},{\"fixed\":\"1.0.2\"},"
		"{\"introduced\":\"3.0.0\"},{\"fixed\":\"3.2.5\"}"));

	(void)state;
	assert_false(has(s, AL_VS_SEMVER, "0.1.0"));
	assert_true(has(s, AL_VS_SEMVER, "1.0.1"));
	assert_false(has(s, AL_VS_SEMVER, "1.0.2"));
	assert_false(has(s, AL_VS_SEMVER, "2.0.0"));
	assert_true(has(s, AL_VS_SEMVER, "3.0.0"));
	assert_true(has(s, AL_VS_SEMVER, "3.2.4"));
	assert_false(has(s, AL_VS_SEMVER, "3.2.5"));
	assert_false(has(s, AL_VS_SEMVER, "4.0.0"));
	al_vset_free(s);
}

static void test_vrange__unsorted_events_are_sorted(void **state)
{
	struct al_vset *s = set_from(SEMVER_RANGE(
		"{\"introduced\":\"3.0.0\"},{\"fixed\":\"3.2.5\"},"
		"{\"introduced\":\"1.0.0\"},{\"fixed\":\"1.0.2\"}"));

	(void)state;
	assert_true(has(s, AL_VS_SEMVER, "1.0.1"));
	assert_false(has(s, AL_VS_SEMVER, "2.0.0"));
	assert_true(has(s, AL_VS_SEMVER, "3.1.0"));
	assert_false(has(s, AL_VS_SEMVER, "3.2.5"));
	al_vset_free(s);
}

static void test_vrange__fixed_then_introduced_at_one_version(void **state)
{
	struct al_vset *s = set_from(SEMVER_RANGE(
		"{\"introduced\":\"1.0.0\"},{\"fixed\":\"2.0.0\"},"
		"{\"introduced\":\"2.0.0\"},{\"fixed\":\"3.0.0\"}"));

	(void)state;
	assert_true(has(s, AL_VS_SEMVER, "1.9.9"));
	assert_true(has(s, AL_VS_SEMVER, "2.0.0"));
	assert_true(has(s, AL_VS_SEMVER, "2.0.0+b"));
	assert_false(has(s, AL_VS_SEMVER, "3.0.0"));
	al_vset_free(s);
}

static void test_vrange__touching_ranges_merge(void **state)
{
	struct al_vset *s = set_from(
		"{\"ranges\":["
		"{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"2.0.0\"},"
		"{\"fixed\":\"3.0.0\"}]},"
		"{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"1.0.0\"},"
		"{\"fixed\":\"2.0.0\"}]},"
		"{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"1.5.0\"},"
		"{\"fixed\":\"1.6.0\"}]}]}");

	(void)state;
	assert_true(has(s, AL_VS_SEMVER, "1.0.0"));
	assert_true(has(s, AL_VS_SEMVER, "1.5.5"));
	assert_true(has(s, AL_VS_SEMVER, "2.0.0"));
	assert_true(has(s, AL_VS_SEMVER, "2.9.9"));
	assert_false(has(s, AL_VS_SEMVER, "3.0.0"));
	assert_false(has(s, AL_VS_SEMVER, "0.9.0"));
	al_vset_free(s);
}

static void test_vrange__limit_caps_the_range(void **state)
{
	struct al_vset *s = set_from(SEMVER_RANGE(
		"{\"introduced\":\"1.0.0\"},{\"limit\":\"2.0.0\"}"));
	struct al_vset *t = set_from(SEMVER_RANGE(
		"{\"introduced\":\"0\"},{\"last_affected\":\"3.0.0\"},"
		"{\"limit\":\"2.0.0\"}"));
	struct al_vset *u = set_from(SEMVER_RANGE(
		"{\"introduced\":\"1.0.0\"},{\"limit\":\"1.5.0\"},"
		"{\"limit\":\"2.0.0\"},{\"introduced\":\"2.5.0\"}"));

	(void)state;
	assert_true(has(s, AL_VS_SEMVER, "1.9.9"));
	assert_false(has(s, AL_VS_SEMVER, "2.0.0"));
	assert_false(has(s, AL_VS_SEMVER, "5.0.0"));
	assert_true(has(t, AL_VS_SEMVER, "1.9.9"));
	assert_false(has(t, AL_VS_SEMVER, "2.0.0"));
	assert_false(has(t, AL_VS_SEMVER, "3.0.0"));
	/* the highest limit counts; what starts above it is dropped */
	assert_true(has(u, AL_VS_SEMVER, "1.7.0"));
	assert_false(has(u, AL_VS_SEMVER, "2.0.0"));
	assert_false(has(u, AL_VS_SEMVER, "2.6.0"));
	al_vset_free(s);
	al_vset_free(t);
	al_vset_free(u);
}

static void test_vrange__star_limit_is_infinity(void **state)
{
	struct al_vset *s = set_from(
		SEMVER_RANGE("{\"introduced\":\"1.0.0\"},{\"limit\":\"2.0.0\"},"
			     "{\"limit\":\"*\"}"));

	(void)state;
	assert_true(has(s, AL_VS_SEMVER, "7.0.0"));
	assert_false(has(s, AL_VS_SEMVER, "0.7.0"));
	al_vset_free(s);
}

static void test_vrange__ecosystem_range_orders_prereleases(void **state)
{
	struct al_vset *s = set_from(
		ECO_RANGE("{\"introduced\":\"1.0a1\"},{\"fixed\":\"1.0\"}"));

	(void)state;
	assert_false(has(s, AL_VS_ECOSYSTEM, "0.9"));
	assert_true(has(s, AL_VS_ECOSYSTEM, "1.0a1"));
	assert_true(has(s, AL_VS_ECOSYSTEM, "1.0b2"));
	assert_true(has(s, AL_VS_ECOSYSTEM, "1.0rc1"));
	assert_false(has(s, AL_VS_ECOSYSTEM, "1.0"));
	assert_false(has(s, AL_VS_ECOSYSTEM, "1.0.post1"));
	al_vset_free(s);
}

static void test_vrange__contains_only_ranges_of_the_scheme(void **state)
{
	struct al_vset *s = set_from(SEMVER_RANGE(
		"{\"introduced\":\"1.0.0\"},{\"fixed\":\"2.0.0\"}"));

	(void)state;
	assert_true(has(s, AL_VS_SEMVER, "1.5.0"));
	assert_false(has(s, AL_VS_ECOSYSTEM, "1.5.0"));
	assert_false(has(s, AL_VS_GIT, "abcdef12"));
	al_vset_free(s);
}

static void test_vrange__contains_refuses_invalid_version(void **state)
{
	struct al_vset *s = set_from(SEMVER_RANGE("{\"introduced\":\"0\"}"));
	struct al_error err = {0};
	bool in = true;

	(void)state;
	assert_int_equal(al_vset_contains(s, AL_VS_SEMVER, "1.0", &in, &err),
			 AL_EINVAL);
	assert_false(in);
	assert_non_null(strstr(err.msg, "'1.0'"));
	assert_int_equal(al_vset_contains(s, AL_VS_GIT, "nothex", &in, &err),
			 AL_EINVAL);
	assert_int_equal(
		al_vset_contains(NULL, AL_VS_SEMVER, "1.0.0", &in, &err),
		AL_EUSAGE);
	al_vset_free(s);
}

static void test_vrange__explicit_versions_use_scheme_equality(void **state)
{
	struct al_vset *s =
		set_from("{\"versions\":[\"1.0.0\",\"2.0.0-rc.1\",\"1.0RC1\","
			 "\"ABCDEF01\",\"weird version\"]}");

	(void)state;
	assert_true(has(s, AL_VS_SEMVER, "1.0.0"));
	assert_true(has(s, AL_VS_SEMVER, "v1.0.0"));
	assert_true(has(s, AL_VS_SEMVER, "1.0.0+build.7"));
	assert_true(has(s, AL_VS_SEMVER, "2.0.0-rc.1"));
	assert_false(has(s, AL_VS_SEMVER, "2.0.0"));
	assert_false(has(s, AL_VS_SEMVER, "1.0.1"));
	assert_true(has(s, AL_VS_ECOSYSTEM, "1.0-rc1"));
	assert_true(has(s, AL_VS_ECOSYSTEM, "1.0.0"));
	assert_false(has(s, AL_VS_ECOSYSTEM, "1.0"));
	assert_true(has(s, AL_VS_GIT, "abcdef01"));
	assert_false(has(s, AL_VS_GIT, "abcdef02"));
	al_vset_free(s);
}

static void test_vrange__empty_lists_make_an_empty_set(void **state)
{
	struct al_vset *s = set_from("{\"ranges\":[],\"versions\":[]}");

	(void)state;
	assert_false(has(s, AL_VS_SEMVER, "1.0.0"));
	assert_false(overlap("{\"ranges\":[],\"versions\":[]}",
			     SEMVER_RANGE("{\"introduced\":\"0\"}")));
	al_vset_free(s);
}

static void test_vrange__git_contains_named_commits_only(void **state)
{
	struct al_vset *s = set_from(
		"{\"ranges\":[{\"type\":\"GIT\",\"repo\":\"https://x/y\","
		"\"events\":[{\"introduced\":\"AAAA1111\"},"
		"{\"fixed\":\"bbbb2222\"},{\"introduced\":\"cccc3333\"},"
		"{\"limit\":\"dddd4444\"}]},"
		"{\"type\":\"GIT\",\"repo\":\"https://x/y\","
		"\"events\":[{\"introduced\":\"0\"},"
		"{\"last_affected\":\"eeee5555\"}]}]}");

	(void)state;
	assert_true(has(s, AL_VS_GIT, "aaaa1111"));
	assert_true(has(s, AL_VS_GIT, "AAAA1111"));
	assert_true(has(s, AL_VS_GIT, "cccc3333"));
	assert_true(has(s, AL_VS_GIT, "eeee5555"));
	assert_false(has(s, AL_VS_GIT, "bbbb2222"));
	assert_false(has(s, AL_VS_GIT, "dddd4444"));
	assert_false(has(s, AL_VS_GIT, "ffff6666"));
	al_vset_free(s);
}

static void
test_vrange__last_affected_at_introduced_is_one_version(void **state)
{
	struct al_vset *s = set_from(ECO_RANGE(
		"{\"introduced\":\"1.2\"},{\"last_affected\":\"1.2\"}"));

	(void)state;
	assert_true(has(s, AL_VS_ECOSYSTEM, "1.2"));
	assert_false(has(s, AL_VS_ECOSYSTEM, "1.2.0"));
	assert_false(has(s, AL_VS_ECOSYSTEM, "1.1"));
	al_vset_free(s);
}

/* ---- sets: overlap ------------------------------------------------------------ */

static void test_vrange__adjacent_fixed_ranges_do_not_overlap(void **state)
{
	(void)state;
	assert_false(overlap(
		SEMVER_RANGE(
			"{\"introduced\":\"1.0.0\"},{\"fixed\":\"2.0.0\"}"),
		SEMVER_RANGE(
			"{\"introduced\":\"2.0.0\"},{\"fixed\":\"3.0.0\"}")));
}

static void test_vrange__last_affected_touching_overlaps(void **state)
{
	(void)state;
	assert_true(overlap(SEMVER_RANGE("{\"introduced\":\"1.0.0\"},"
					 "{\"last_affected\":\"2.0.0\"}"),
			    SEMVER_RANGE("{\"introduced\":\"2.0.0\"}")));
	assert_false(overlap(SEMVER_RANGE("{\"introduced\":\"1.0.0\"},"
					  "{\"last_affected\":\"2.0.0\"}"),
			     SEMVER_RANGE("{\"introduced\":\"2.0.1\"}")));
}

static void test_vrange__nested_ranges_overlap(void **state)
{
	(void)state;
	assert_true(overlap(
		SEMVER_RANGE(
			"{\"introduced\":\"1.0.0\"},{\"fixed\":\"10.0.0\"}"),
		SEMVER_RANGE(
			"{\"introduced\":\"2.0.0\"},{\"fixed\":\"3.0.0\"}")));
}

static void test_vrange__disjoint_ranges_do_not_overlap(void **state)
{
	(void)state;
	assert_false(overlap(
		SEMVER_RANGE(
			"{\"introduced\":\"1.0.0\"},{\"fixed\":\"2.0.0\"},"
			"{\"introduced\":\"5.0.0\"},{\"fixed\":\"6.0.0\"}"),
		SEMVER_RANGE("{\"introduced\":\"3.0.0\"},{\"fixed\":\"4.0.0\"},"
			     "{\"introduced\":\"7.0.0\"}")));
	assert_true(overlap(
		SEMVER_RANGE(
			"{\"introduced\":\"1.0.0\"},{\"fixed\":\"2.0.0\"},"
			"{\"introduced\":\"5.0.0\"},{\"fixed\":\"6.0.0\"}"),
		SEMVER_RANGE("{\"introduced\":\"3.0.0\"},{\"fixed\":\"4.0.0\"},"
			     "{\"introduced\":\"5.9.0\"}")));
}

static void test_vrange__unbounded_ranges_overlap(void **state)
{
	(void)state;
	assert_true(overlap(SEMVER_RANGE("{\"introduced\":\"0\"}"),
			    SEMVER_RANGE("{\"introduced\":\"0\"}")));
	assert_true(overlap(SEMVER_RANGE("{\"introduced\":\"5.0.0\"}"),
			    SEMVER_RANGE("{\"introduced\":\"0\"},"
					 "{\"fixed\":\"6.0.0\"}")));
	assert_false(overlap(SEMVER_RANGE("{\"introduced\":\"5.0.0\"}"),
			     SEMVER_RANGE("{\"introduced\":\"0\"},"
					  "{\"fixed\":\"5.0.0\"}")));
	assert_true(overlap(SEMVER_RANGE("{\"introduced\":\"5.0.0\"}"),
			    SEMVER_RANGE("{\"introduced\":\"9.0.0\"}")));
}

static void test_vrange__limit_ends_overlap(void **state)
{
	(void)state;
	assert_false(overlap(
		SEMVER_RANGE(
			"{\"introduced\":\"1.0.0\"},{\"limit\":\"2.0.0\"}"),
		SEMVER_RANGE("{\"introduced\":\"2.0.0\"}")));
	assert_true(overlap(
		SEMVER_RANGE(
			"{\"introduced\":\"1.0.0\"},{\"limit\":\"2.0.0\"}"),
		SEMVER_RANGE("{\"introduced\":\"1.9.0\"}")));
}

static void test_vrange__prerelease_lies_inside_fixed_range(void **state)
{
	(void)state;
	assert_true(overlap(
		SEMVER_RANGE(
			"{\"introduced\":\"1.0.0\"},{\"fixed\":\"2.0.0\"}"),
		"{\"versions\":[\"2.0.0-rc.1\"]}"));
	assert_false(overlap(
		SEMVER_RANGE(
			"{\"introduced\":\"1.0.0\"},{\"fixed\":\"2.0.0\"}"),
		"{\"versions\":[\"2.0.0\",\"0.9.0\",\"1.0.0-rc.1\"]}"));
}

static void test_vrange__explicit_versions_overlap(void **state)
{
	(void)state;
	assert_true(overlap("{\"versions\":[\"1.0\",\"x y\"]}",
			    "{\"versions\":[\"x y\"]}"));
	assert_false(overlap("{\"versions\":[\"1.0\"]}",
			     "{\"versions\":[\"1.0.0\"]}"));
	/* no range names a scheme: bytes only */
	assert_false(overlap("{\"versions\":[\"v1.0.0\"]}",
			     "{\"versions\":[\"1.0.0\"]}"));
	/* a SEMVER range in either set brings semver equality */
	assert_true(overlap("{\"versions\":[\"v1.0.0\"]}",
			    "{\"versions\":[\"1.0.0+b\"],\"ranges\":[{\"type\":"
			    "\"SEMVER\",\"events\":[{\"introduced\":\"9.0.0\"}"
			    "]}]}"));
	assert_true(overlap("{\"versions\":[\"1.2.3\"]}",
			    ECO_RANGE("{\"introduced\":\"1.0\"},"
				      "{\"fixed\":\"2.0\"}")));
	assert_false(overlap("{\"versions\":[\"2.0\"]}",
			     ECO_RANGE("{\"introduced\":\"1.0\"},"
				       "{\"fixed\":\"2.0\"}")));
}

static void test_vrange__schemes_do_not_overlap_each_other(void **state)
{
	(void)state;
	assert_false(overlap(
		SEMVER_RANGE(
			"{\"introduced\":\"1.0.0\"},{\"fixed\":\"2.0.0\"}"),
		ECO_RANGE("{\"introduced\":\"1.0\"},{\"fixed\":\"2.0\"}")));
}

static void test_vrange__git_overlaps_by_shared_commit(void **state)
{
	(void)state;
	assert_true(overlap(
		"{\"ranges\":[{\"type\":\"GIT\",\"repo\":\"r\",\"events\":["
		"{\"introduced\":\"ABCDEF12\"},{\"fixed\":\"11112222\"}]}]}",
		"{\"ranges\":[{\"type\":\"GIT\",\"repo\":\"r\",\"events\":["
		"{\"introduced\":\"abcdef12\"}]}]}"));
	/* a shared fix says nothing about affected commits */
	assert_false(overlap(
		"{\"ranges\":[{\"type\":\"GIT\",\"repo\":\"r\",\"events\":["
		"{\"introduced\":\"aaaa0000\"},{\"fixed\":\"11112222\"}]}]}",
		"{\"ranges\":[{\"type\":\"GIT\",\"repo\":\"r\",\"events\":["
		"{\"introduced\":\"bbbb0000\"},{\"fixed\":\"11112222\"}]}]}"));
	/* an explicit version that is a commit of the other's range */
	assert_true(overlap(
		"{\"ranges\":[{\"type\":\"GIT\",\"repo\":\"r\",\"events\":["
		"{\"introduced\":\"0\"},{\"last_affected\":\"cafe0001\"}]}]}",
		"{\"versions\":[\"CAFE0001\"]}"));
}

static void test_vrange__overlaps_refuses_null(void **state)
{
	struct al_error err = {0};
	bool o = true;

	(void)state;
	assert_int_equal(al_vset_overlaps(NULL, NULL, &o, &err), AL_EUSAGE);
	assert_false(o);
}

/* ---- sets: refusals ----------------------------------------------------------- */

static void test_vrange__refuses_non_object(void **state)
{
	(void)state;
	refused("[]", "not an object");
	refused("\"1.0.0\"", "not an object");
}

static void test_vrange__refuses_without_ranges_or_versions(void **state)
{
	(void)state;
	refused("{\"package\":{\"name\":\"x\",\"ecosystem\":\"npm\"}}",
		"neither 'ranges' nor 'versions'");
}

static void test_vrange__refuses_ranges_not_array(void **state)
{
	(void)state;
	refused("{\"ranges\":{}}", "'ranges' is not an array");
	refused("{\"ranges\":[\"SEMVER\"]}", "ranges[0]: range is not an "
					     "object");
}

static void test_vrange__refuses_unknown_type(void **state)
{
	(void)state;
	refused("{\"ranges\":[{\"type\":\"semver\",\"events\":["
		"{\"introduced\":\"0\"}]}]}",
		"ranges[0]: unknown type 'semver'");
	refused("{\"ranges\":[{\"events\":[{\"introduced\":\"0\"}]}]}",
		"ranges[0]: 'type' is missing");
	refused("{\"ranges\":[{\"type\":3,\"events\":[]}]}",
		"'type' is missing or not a string");
}

static void test_vrange__refuses_missing_events(void **state)
{
	(void)state;
	refused("{\"ranges\":[{\"type\":\"SEMVER\"}]}",
		"ranges[0]: 'events' is missing");
	refused("{\"ranges\":[{\"type\":\"SEMVER\",\"events\":{}}]}",
		"'events' is missing or not an array");
}

static void test_vrange__refuses_event_not_object(void **state)
{
	(void)state;
	refused(SEMVER_RANGE("{\"introduced\":\"0\"},\"1.0.0\""),
		"ranges[0].events[1]: event is not an object");
}

static void test_vrange__refuses_event_with_two_keys(void **state)
{
	(void)state;
	refused(SEMVER_RANGE("{\"introduced\":\"1.0.0\",\"fixed\":\"1.0.2\"}"),
		"ranges[0].events[0]: an event needs exactly one key, not 2");
}

static void test_vrange__refuses_event_with_no_key(void **state)
{
	(void)state;
	refused(SEMVER_RANGE("{\"introduced\":\"0\"},{}"),
		"ranges[0].events[1]: an event needs exactly one key, not 0");
}

static void test_vrange__refuses_unknown_event(void **state)
{
	(void)state;
	refused(SEMVER_RANGE("{\"introduced\":\"0\"},{\"fixd\":\"1.0.0\"}"),
		"ranges[0].events[1]: unknown event 'fixd'");
	refused(SEMVER_RANGE("{\"Introduced\":\"0\"}"),
		"unknown event 'Introduced'");
	{
		/* a key with a NUL can only be built, not parsed */
		json_t *j = parse_json(SEMVER_RANGE("{\"introduced\":\"0\"}"));
		json_t *ev = json_array_get(
			json_object_get(
				json_array_get(json_object_get(j, "ranges"), 0),
				"events"),
			0);

		json_object_del(ev, "introduced");
		json_object_setn_new(ev, "introduced\0x", 12, json_string("0"));
		refused_json(j, "unknown event 'introduced'");
		json_decref(j);
	}
}

static void test_vrange__refuses_non_string_version(void **state)
{
	(void)state;
	refused(SEMVER_RANGE("{\"introduced\":0}"),
		"ranges[0].events[0]: 'introduced' is not a string");
	refused(SEMVER_RANGE("{\"introduced\":\"0\"},{\"fixed\":null}"),
		"ranges[0].events[1]: 'fixed' is not a string");
	refused(SEMVER_RANGE("{\"introduced\":\"0\"},{\"fixed\":[\"1.0.0\"]}"),
		"'fixed' is not a string");
}

static void test_vrange__refuses_version_with_nul(void **state)
{
	(void)state;
	refused(SEMVER_RANGE("{\"introduced\":\"1.0.0\\u0000junk\"}"),
		"'introduced' is not a string");
	refused("{\"versions\":[\"1.0\\u0000\"]}", "versions[0]: not a string");
}

static void test_vrange__refuses_range_without_introduced(void **state)
{
	(void)state;
	refused(SEMVER_RANGE("{\"fixed\":\"1.0.0\"}"),
		"ranges[0]: no 'introduced' event");
	refused("{\"ranges\":[{\"type\":\"SEMVER\",\"events\":[]}]}",
		"ranges[0]: no 'introduced' event");
	refused("{\"ranges\":[" /* the second range is the bad one */
		"{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"}]},"
		"{\"type\":\"SEMVER\",\"events\":[{\"limit\":\"1.0.0\"}]}]}",
		"ranges[1]: no 'introduced' event");
}

static void test_vrange__refuses_fixed_and_last_affected(void **state)
{
	(void)state;
	refused(SEMVER_RANGE("{\"introduced\":\"0\"},{\"fixed\":\"1.0.0\"},"
			     "{\"introduced\":\"2.0.0\"},"
			     "{\"last_affected\":\"2.1.0\"}"),
		"ranges[0]: both 'fixed' and 'last_affected' events");
}

static void test_vrange__refuses_empty_introduced_fixed_pair(void **state)
{
	(void)state;
	refused(SEMVER_RANGE(
			"{\"introduced\":\"1.0.0\"},{\"fixed\":\"1.0.0\"}"),
		"ranges[0].events[1]: fixed '1.0.0' is not above introduced "
		"'1.0.0', the range is empty");
	refused(SEMVER_RANGE("{\"introduced\":\"0\"},{\"fixed\":\"1.0.0\"},"
			     "{\"introduced\":\"2.0.0\"},"
			     "{\"fixed\":\"1.5.0\"}"),
		"ranges[0].events[3]: fixed '1.5.0' is not above introduced "
		"'2.0.0'");
	refused(SEMVER_RANGE("{\"introduced\":\"1.0.0+a\"},"
			     "{\"fixed\":\"1.0.0+b\"}"),
		"is not above introduced");
	refused(ECO_RANGE("{\"introduced\":\"1.0\"},{\"fixed\":\"1.0rc1\"}"),
		"fixed '1.0rc1' is not above introduced '1.0'");
	refused("{\"ranges\":[{\"type\":\"GIT\",\"repo\":\"r\",\"events\":["
		"{\"introduced\":\"abcd1234\"},{\"fixed\":\"ABCD1234\"}]}]}",
		"ranges[0].events[1]: fixed 'abcd1234' is not above");
}

static void test_vrange__refuses_last_affected_below_introduced(void **state)
{
	(void)state;
	refused(ECO_RANGE("{\"introduced\":\"2.0\"},"
			  "{\"last_affected\":\"1.9\"}"),
		"ranges[0].events[1]: last_affected '1.9' is not at or above "
		"introduced '2.0'");
}

static void test_vrange__refuses_git_without_repo(void **state)
{
	(void)state;
	refused("{\"ranges\":[{\"type\":\"GIT\",\"events\":["
		"{\"introduced\":\"abcd1234\"}]}]}",
		"ranges[0]: GIT range without 'repo'");
	refused("{\"ranges\":[{\"type\":\"GIT\",\"repo\":7,\"events\":["
		"{\"introduced\":\"abcd1234\"}]}]}",
		"ranges[0]: 'repo' is not a non-empty string");
	refused("{\"ranges\":[{\"type\":\"GIT\",\"repo\":\"\",\"events\":["
		"{\"introduced\":\"abcd1234\"}]}]}",
		"'repo' is not a non-empty string");
}

static void test_vrange__refuses_versions_invalid_for_type(void **state)
{
	(void)state;
	refused(SEMVER_RANGE("{\"introduced\":\"1.0\"}"),
		"ranges[0].events[0]: introduced '1.0' is not a SEMVER "
		"version");
	refused(SEMVER_RANGE("{\"introduced\":\"0\"},{\"fixed\":\"01.0.0\"}"),
		"ranges[0].events[1]: fixed '01.0.0' is not a SEMVER version");
	refused(SEMVER_RANGE("{\"introduced\":\"0\"},{\"limit\":\"2.0\"}"),
		"limit '2.0' is not a SEMVER version");
	refused(ECO_RANGE("{\"introduced\":\"0\"},{\"fixed\":\"1.0 final\"}"),
		"fixed '1.0 final' is not a ECOSYSTEM version");
	refused("{\"ranges\":[{\"type\":\"GIT\",\"repo\":\"r\",\"events\":["
		"{\"introduced\":\"v1.2.3\"}]}]}",
		"introduced 'v1.2.3' is not a GIT version");
	refused(SEMVER_RANGE("{\"introduced\":\"0\"},"
			     "{\"last_affected\":\"*\"}"),
		"last_affected '*' is not a SEMVER version");
}

static json_t *many_events(size_t ranges, size_t per_range)
{
	json_t *aff = json_object(), *rs = json_array();
	size_t r, e;

	for (r = 0; r < ranges; r++) {
		json_t *range = json_object(), *evs = json_array();

		json_object_set_new(range, "type", json_string("SEMVER"));
		for (e = 0; e < per_range; e++) {
			char v[64];
			json_t *ev = json_object();

			snprintf(v, sizeof(v), "%zu.%zu.0", r, e);
			json_object_set_new(ev, e % 2 ? "fixed" : "introduced",
					    json_string(v));
			json_array_append_new(evs, ev);
		}
		json_object_set_new(range, "events", evs);
		json_array_append_new(rs, range);
	}
	json_object_set_new(aff, "ranges", rs);
	return aff;
}

static void test_vrange__refuses_more_than_1000_events(void **state)
{
	struct al_error err = {0};
	struct al_vset *set = NULL;
	json_t *ok = many_events(2, 500), *bad = many_events(2, 501);
	bool in = false;

	(void)state;
	assert_int_equal(al_vset_from_osv(ok, &set, &err), 0);
	assert_int_equal(
		al_vset_contains(set, AL_VS_SEMVER, "1.498.5", &in, &err), 0);
	assert_true(in);
	assert_int_equal(
		al_vset_contains(set, AL_VS_SEMVER, "1.499.5", &in, &err), 0);
	assert_false(in);
	al_vset_free(set);
	refused_json(bad, "ranges[1]: more than 1000 events");
	json_decref(ok);
	json_decref(bad);
}

static void test_vrange__refuses_more_than_1000_versions(void **state)
{
	struct al_error err = {0};
	struct al_vset *set = NULL;
	json_t *aff = json_object(), *vs = json_array();
	size_t i;
	bool in = false;

	(void)state;
	for (i = 0; i < 1000; i++) {
		char v[32];

		snprintf(v, sizeof(v), "1.%zu.0", i);
		json_array_append_new(vs, json_string(v));
	}
	json_object_set(aff, "versions", vs);
	assert_int_equal(al_vset_from_osv(aff, &set, &err), 0);
	assert_int_equal(
		al_vset_contains(set, AL_VS_SEMVER, "1.999.0", &in, &err), 0);
	assert_true(in);
	al_vset_free(set);
	json_array_append_new(vs, json_string("2.0.0"));
	refused_json(aff, "'versions' has 1001 entries, more than 1000");
	json_decref(vs);
	json_decref(aff);
}

static void test_vrange__refuses_bad_explicit_versions(void **state)
{
	char big[AL_VERSION_MAX + 40];
	char text[AL_VERSION_MAX + 80];

	(void)state;
	refused("{\"versions\":\"1.0.0\"}", "'versions' is not an array");
	refused("{\"versions\":[\"1.0.0\",2]}", "versions[1]: not a string");
	refused("{\"versions\":[\"\"]}", "versions[0]: length must be 1");
	refused("{\"versions\":[\"1.0\\n\"]}",
		"versions[0]: not UTF-8 text without control characters");
	refused("{\"versions\":[\"1.0\\u202e\"]}", "versions[0]: not UTF-8");
	memset(big, '9', AL_VERSION_MAX + 1);
	big[AL_VERSION_MAX + 1] = '\0';
	snprintf(text, sizeof(text), "{\"versions\":[\"%s\"]}", big);
	refused(text, "versions[0]: length must be 1 to 256 bytes");
}

static void test_vrange__refusal_leaves_out_null(void **state)
{
	struct al_error err = {0};
	json_t *j = parse_json(SEMVER_RANGE("{\"introduced\":\"x\"}"));
	struct al_vset *set = (struct al_vset *)j;

	(void)state;
	assert_int_equal(al_vset_from_osv(j, &set, &err), AL_EINVAL);
	assert_null(set);
	assert_int_equal(al_vset_from_osv(j, NULL, &err), AL_EUSAGE);
	json_decref(j);
	al_vset_free(NULL);
}

static void test_vrange__regressions_from_data_dir(void **state)
{
	/* tests/data/vrange-*.json: each line "ok|bad JSON"; bad ones must
	 * be refused, ok ones accepted and queried without crashing */
	char line[8192];
	unsigned lineno = 0, cases = 0;
	FILE *f = open_data("vrange-regressions.data");

	(void)state;
	while (fgets(line, sizeof(line), f)) {
		struct al_error err = {0};
		struct al_vset *set = NULL;
		json_error_t je;
		json_t *j;
		bool in;
		int rc;

		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		j = json_loads(line + 3, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
		if (!j)
			fail_msg("vrange-regressions.data:%u: bad JSON",
				 lineno);
		rc = al_vset_from_osv(j, &set, &err);
		if (strncmp(line, "ok ", 3) == 0) {
			if (rc != 0)
				fail_msg("vrange-regressions.data:%u: %s",
					 lineno, err.msg);
			al_vset_contains(set, AL_VS_SEMVER, "1.0.0", &in, &err);
			al_vset_contains(set, AL_VS_ECOSYSTEM, "1.0", &in,
					 &err);
			al_vset_overlaps(set, set, &in, &err);
		} else if (rc != AL_EINVAL) {
			fail_msg("vrange-regressions.data:%u: accepted",
				 lineno);
		}
		al_vset_free(set);
		json_decref(j);
		cases++;
	}
	fclose(f);
	assert_true(cases > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vrange__versions_data_holds),
		cmocka_unit_test(test_vrange__order_is_transitive_over_data),
		cmocka_unit_test(test_vrange__refuses_overlong_version),
		cmocka_unit_test(
			test_vrange__refuses_missing_and_empty_version),
		cmocka_unit_test(test_vrange__refuses_small_output_buffer),
		cmocka_unit_test(test_vrange__message_names_version_and_rule),
		cmocka_unit_test(test_vrange__message_shows_control_characters),
		cmocka_unit_test(
			test_vrange__ecosystem_refuses_spaces_and_tabs),
		cmocka_unit_test(test_vrange__refuses_unknown_scheme),
		cmocka_unit_test(test_vrange__cmp_refuses_invalid_operand),
		cmocka_unit_test(test_vrange__scheme_names),
		cmocka_unit_test(test_vrange__ecosystem_names_match_any_case),
		cmocka_unit_test(test_vrange__unknown_ecosystems_are_null),
		cmocka_unit_test(test_vrange__ecosystem_scheme_follows_osv),
		cmocka_unit_test(test_vrange__fixed_is_exclusive),
		cmocka_unit_test(test_vrange__last_affected_is_inclusive),
		cmocka_unit_test(test_vrange__introduced_zero_is_the_beginning),
		cmocka_unit_test(test_vrange__introduced_alone_is_unbounded),
		cmocka_unit_test(test_vrange__several_pairs_in_one_range),
		cmocka_unit_test(test_vrange__unsorted_events_are_sorted),
		cmocka_unit_test(
			test_vrange__fixed_then_introduced_at_one_version),
		cmocka_unit_test(test_vrange__touching_ranges_merge),
		cmocka_unit_test(test_vrange__limit_caps_the_range),
		cmocka_unit_test(test_vrange__star_limit_is_infinity),
		cmocka_unit_test(
			test_vrange__ecosystem_range_orders_prereleases),
		cmocka_unit_test(
			test_vrange__contains_only_ranges_of_the_scheme),
		cmocka_unit_test(test_vrange__contains_refuses_invalid_version),
		cmocka_unit_test(
			test_vrange__explicit_versions_use_scheme_equality),
		cmocka_unit_test(test_vrange__empty_lists_make_an_empty_set),
		cmocka_unit_test(test_vrange__git_contains_named_commits_only),
		cmocka_unit_test(
			test_vrange__last_affected_at_introduced_is_one_version),
		cmocka_unit_test(
			test_vrange__adjacent_fixed_ranges_do_not_overlap),
		cmocka_unit_test(test_vrange__last_affected_touching_overlaps),
		cmocka_unit_test(test_vrange__nested_ranges_overlap),
		cmocka_unit_test(test_vrange__disjoint_ranges_do_not_overlap),
		cmocka_unit_test(test_vrange__unbounded_ranges_overlap),
		cmocka_unit_test(test_vrange__limit_ends_overlap),
		cmocka_unit_test(
			test_vrange__prerelease_lies_inside_fixed_range),
		cmocka_unit_test(test_vrange__explicit_versions_overlap),
		cmocka_unit_test(
			test_vrange__schemes_do_not_overlap_each_other),
		cmocka_unit_test(test_vrange__git_overlaps_by_shared_commit),
		cmocka_unit_test(test_vrange__overlaps_refuses_null),
		cmocka_unit_test(test_vrange__refuses_non_object),
		cmocka_unit_test(
			test_vrange__refuses_without_ranges_or_versions),
		cmocka_unit_test(test_vrange__refuses_ranges_not_array),
		cmocka_unit_test(test_vrange__refuses_unknown_type),
		cmocka_unit_test(test_vrange__refuses_missing_events),
		cmocka_unit_test(test_vrange__refuses_event_not_object),
		cmocka_unit_test(test_vrange__refuses_event_with_two_keys),
		cmocka_unit_test(test_vrange__refuses_event_with_no_key),
		cmocka_unit_test(test_vrange__refuses_unknown_event),
		cmocka_unit_test(test_vrange__refuses_non_string_version),
		cmocka_unit_test(test_vrange__refuses_version_with_nul),
		cmocka_unit_test(test_vrange__refuses_range_without_introduced),
		cmocka_unit_test(test_vrange__refuses_fixed_and_last_affected),
		cmocka_unit_test(
			test_vrange__refuses_empty_introduced_fixed_pair),
		cmocka_unit_test(
			test_vrange__refuses_last_affected_below_introduced),
		cmocka_unit_test(test_vrange__refuses_git_without_repo),
		cmocka_unit_test(
			test_vrange__refuses_versions_invalid_for_type),
		cmocka_unit_test(test_vrange__refuses_more_than_1000_events),
		cmocka_unit_test(test_vrange__refuses_more_than_1000_versions),
		cmocka_unit_test(test_vrange__refuses_bad_explicit_versions),
		cmocka_unit_test(test_vrange__refusal_leaves_out_null),
		cmocka_unit_test(test_vrange__regressions_from_data_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
