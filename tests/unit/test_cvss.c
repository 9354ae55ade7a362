/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "al_cvss.h"
#include "al_error.h"
#include "test_data.h"

/* ---- helpers ---------------------------------------------------------- */

#define open_data(name) al_test_open("cvss/%s", name)

/* "5.8", "7", "10" -> tenths; -1 if malformed */
static int parse_tenths(const char *s)
{
	char *end;
	long whole, frac = 0;

	errno = 0;
	whole = strtol(s, &end, 10);
	if (end == s || errno || whole < 0 || whole > 10)
		return -1;
	if (*end == '.') {
		const char *f = end + 1;
		if (f[0] < '0' || f[0] > '9' || f[1] != '\0')
			return -1;
		frac = f[0] - '0';
	} else if (*end != '\0') {
		return -1;
	}
	return (int)(whole * 10 + frac);
}

/*
 * Score every "vector<TAB>score" line of a file; fail listing every
 * mismatch.  Returns the number of vectors checked.
 */
static int check_vector_file(const char *name, enum al_cvss_version version)
{
	FILE *f = open_data(name);
	char line[512];
	int lineno = 0, checked = 0, bad = 0;

	while (fgets(line, sizeof(line), f)) {
		char *tab, *nl;
		struct al_cvss c;
		struct al_error err;
		int want, rc;

		lineno++;
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (line[0] == '\0')
			continue;
		tab = strchr(line, '\t');
		if (!tab) {
			print_error("%s:%d: no tab\n", name, lineno);
			bad++;
			continue;
		}
		*tab = '\0';
		want = parse_tenths(tab + 1);
		if (want < 0) {
			print_error("%s:%d: bad score '%s'\n", name, lineno,
				    tab + 1);
			bad++;
			continue;
		}
		checked++;
		rc = al_cvss_parse(line, &c, &err);
		if (rc != 0) {
			print_error("%s:%d: %s refused: %s\n", name, lineno,
				    line, err.msg);
			bad++;
			continue;
		}
		if (c.score10 != want || c.version != version ||
		    strcmp(c.vector, line) != 0 ||
		    strcmp(c.rating, al_cvss_rating(want)) != 0) {
			print_error("%s:%d: %s: got %d.%d (%s) '%s', want "
				    "%d.%d\n",
				    name, lineno, line, c.score10 / 10,
				    c.score10 % 10, c.rating, c.vector,
				    want / 10, want % 10);
			bad++;
		}
	}
	fclose(f);
	if (bad)
		fail_msg("%s: %d of %d vectors disagree", name, bad, checked);
	return checked;
}

static void expect_score(const char *vector, int score10, const char *norm)
{
	struct al_cvss c;
	struct al_error err;

	if (al_cvss_parse(vector, &c, &err) != 0)
		fail_msg("'%s' refused: %s", vector, err.msg);
	assert_int_equal(c.score10, score10);
	assert_string_equal(c.vector, norm);
	assert_string_equal(c.rating, al_cvss_rating(score10));
}

static void expect_refused(const char *vector, const char *msgpart)
{
	struct al_cvss c;
	struct al_error err;
	int rc;

	memset(&c, 0x5a, sizeof(c));
	rc = al_cvss_parse(vector, &c, &err);
	if (rc != AL_EINVAL)
		fail_msg("'%s': expected AL_EINVAL, got %d", vector, rc);
	assert_int_equal(err.code, AL_EINVAL);
	if (!strstr(err.msg, msgpart))
		fail_msg("'%s': message '%s' does not mention '%s'", vector,
			 err.msg, msgpart);
	if (strncmp(err.msg, "cvss: ", 6) != 0)
		fail_msg("message '%s' does not start with 'cvss: '", err.msg);
	/* out is zeroed on failure */
	assert_int_equal(c.score10, 0);
	assert_int_equal((int)c.version, 0);
	assert_null(c.rating);
	assert_int_equal(c.vector[0], '\0');
}

/* ---- reference vectors ------------------------------------------------ */

static void test_cvss__scores_all_v31_reference_vectors(void **state)
{
	(void)state;
	assert_int_equal(check_vector_file("cvss31-vectors.tsv", AL_CVSS_V31),
			 400);
}

static void test_cvss__scores_all_v40_reference_vectors(void **state)
{
	(void)state;
	assert_int_equal(check_vector_file("cvss40-vectors.tsv", AL_CVSS_V40),
			 394);
}

/*
 * Vectors whose exact score ends in 5 in the second decimal but whose
 * official-calculator score, through its floating-point error, rounds
 * down (see tests/data/cvss/README.md): pins that Airlock follows the
 * calculator there, not exact arithmetic.
 */
static void test_cvss__v40_follows_calculator_rounding_at_ties(void **state)
{
	(void)state;
	assert_int_equal(check_vector_file("cvss40-ties.tsv", AL_CVSS_V40),
			 522);
	expect_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:L/VA:N/SC:H/"
		     "SI:H/SA:H",
		     85,
		     "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:L/VA:N/SC:H/"
		     "SI:H/SA:H");
}

/* ---- accepted --------------------------------------------------------- */

static void test_cvss__scores_well_known_v31_vectors(void **state)
{
	(void)state;
	expect_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 98,
		     "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
	expect_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 100,
		     "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H");
	expect_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 61,
		     "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N");
	expect_score("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 78,
		     "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H");
	expect_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0,
		     "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N");
	expect_score("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 16,
		     "CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N");
}

static void test_cvss__scores_well_known_v40_vectors(void **state)
{
	(void)state;
	expect_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/"
		     "SI:H/SA:H",
		     100,
		     "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/"
		     "SI:H/SA:H");
	expect_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/"
		     "SI:N/SA:N",
		     93,
		     "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/"
		     "SI:N/SA:N");
	expect_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/"
		     "SI:N/SA:N",
		     69,
		     "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/"
		     "SI:N/SA:N");
}

static void test_cvss__no_impact_scores_zero_in_v40(void **state)
{
	(void)state;
	expect_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/"
		     "SI:N/SA:N",
		     0,
		     "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/"
		     "SI:N/SA:N");
}

static void test_cvss__v31_accepts_any_order_and_normalises(void **state)
{
	(void)state;
	expect_score("CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N", 98,
		     "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
	expect_score("CVSS:3.1/S:C/AV:N/C:L/AC:L/I:L/PR:N/A:N/UI:R", 61,
		     "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N");
}

static void test_cvss__sets_version_and_rating(void **state)
{
	struct al_cvss c;
	struct al_error err;

	(void)state;
	assert_int_equal(al_cvss_parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/"
				       "C:H/I:H/A:H",
				       &c, &err),
			 0);
	assert_int_equal(c.version, AL_CVSS_V31);
	assert_string_equal(c.rating, "critical");
	assert_int_equal(al_cvss_parse("CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/"
				       "VC:L/VI:N/VA:N/SC:N/SI:N/SA:N",
				       &c, &err),
			 0);
	assert_int_equal(c.version, AL_CVSS_V40);
	assert_string_equal(c.rating, al_cvss_rating(c.score10));
	assert_true(c.score10 > 0 && c.score10 < 40);
	assert_string_equal(c.rating, "low");
}

static void test_cvss__accepts_null_error(void **state)
{
	struct al_cvss c;

	(void)state;
	assert_int_equal(al_cvss_parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/"
				       "C:H/I:H/A:H",
				       &c, NULL),
			 0);
	assert_int_equal(al_cvss_parse("CVSS:3.1/", &c, NULL), AL_EINVAL);
}

/* ---- refused ---------------------------------------------------------- */

#define V31 "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
#define V40 "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"

static void test_cvss__rejects_missing_or_other_prefix(void **state)
{
	(void)state;
	expect_refused("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		       "does not start with 'CVSS:3.1/' or 'CVSS:4.0/'");
	expect_refused("cvss:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		       "does not start with");
	expect_refused("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		       "version '3.0' is not supported");
	expect_refused("CVSS:2.0/AV:N/AC:L/Au:N/C:C/I:C/A:C",
		       "version '2.0' is not supported");
	expect_refused("CVSS:3.10/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		       "version '3.10' is not supported");
	expect_refused("CVSS:/AV:N", "no version after 'CVSS:'");
	expect_refused("CVSS:3.1", "has no metrics");
	expect_refused("CVSS", "does not start with");
}

static void test_cvss__rejects_empty_and_null(void **state)
{
	struct al_cvss c;
	struct al_error err;

	(void)state;
	expect_refused("", "vector is empty");
	assert_int_equal(al_cvss_parse(NULL, &c, &err), AL_EINVAL);
	assert_string_equal(err.msg, "cvss: no vector given");
	assert_int_equal(al_cvss_parse(V31, NULL, &err), AL_EUSAGE);
}

static void test_cvss__rejects_non_base_metric(void **state)
{
	(void)state;
	expect_refused(V31 "/E:P", "'E' is not a base metric");
	expect_refused(V31 "/CR:H", "'CR' is not a base metric");
	expect_refused(V31 "/MAV:N", "'MAV' is not a base metric");
	expect_refused(V40 "/E:A", "'E' is not a base metric");
	expect_refused(V40 "/MSI:S", "'MSI' is not a base metric");
	/* S is a base metric in 3.1 (scope) but supplemental in 4.0 */
	expect_refused(V40 "/S:P", "'S' is not a base metric");
	expect_refused(V40 "/AU:Y", "'AU' is not a base metric");
}

static void test_cvss__rejects_unknown_metric(void **state)
{
	(void)state;
	expect_refused(V31 "/XX:Y", "unknown metric 'XX' in a CVSS 3.1 vector");
	/* a 4.0 metric in a 3.1 vector, and the other way round */
	expect_refused("CVSS:3.1/AV:N/AC:L/AT:N/PR:N/UI:N/S:U/C:H/I:H/A:H",
		       "unknown metric 'AT'");
	expect_refused(
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/"
		"SA:N/C:H",
		"unknown metric 'C' in a CVSS 4.0 vector");
	expect_refused("CVSS:3.1/av:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		       "unknown metric 'av'");
}

static void test_cvss__rejects_repeated_metric(void **state)
{
	(void)state;
	expect_refused(V31 "/AV:N", "metric 'AV' appears more than once");
	expect_refused("CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		       "metric 'AV' appears more than once");
	expect_refused(V40 "/SA:N", "metric 'SA' appears more than once");
}

static void test_cvss__rejects_missing_metric(void **state)
{
	(void)state;
	expect_refused("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
		       "base metric 'A' is missing");
	expect_refused("CVSS:3.1/AV:N", "base metric 'AC' is missing");
	expect_refused("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/"
		       "SC:N/SI:N",
		       "base metric 'SA' is missing");
}

static void test_cvss__rejects_undefined_or_bad_value(void **state)
{
	(void)state;
	expect_refused("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		       "metric 'AV' has no value 'X'");
	expect_refused("CVSS:3.1/AV:N/AC:L/PR:N/UI:P/S:U/C:H/I:H/A:H",
		       "metric 'UI' has no value 'P'");
	expect_refused("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:h",
		       "metric 'A' has no value 'h'");
	expect_refused("CVSS:3.1/AV:NN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		       "metric 'AV' has no value 'NN'");
	expect_refused("CVSS:3.1/AV:N:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		       "metric 'AV' has no value 'N:L'");
	expect_refused("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/"
		       "SC:N/SI:S/SA:N",
		       "metric 'SI' has no value 'S'");
	expect_refused("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:R/VC:H/VI:H/VA:H/"
		       "SC:N/SI:N/SA:N",
		       "metric 'UI' has no value 'R'");
	expect_refused("CVSS:3.1/AV:/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		       "metric 'AV' has no value");
}

static void test_cvss__rejects_malformed_components(void **state)
{
	(void)state;
	expect_refused(V31 "/", "vector ends with '/'");
	expect_refused(V40 "/", "vector ends with '/'");
	expect_refused("CVSS:3.1/", "vector ends with '/'");
	expect_refused("CVSS:3.1//AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		       "empty component at offset 9");
	expect_refused("CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		       "empty component at offset 14");
	expect_refused("CVSS:3.1/AVN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		       "component 'AVN' is not of the form metric:value");
	expect_refused("CVSS:3.1/:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		       "component ':N' has no metric name");
}

static void test_cvss__rejects_whitespace_and_control_bytes(void **state)
{
	(void)state;
	expect_refused(" " V31, "whitespace at offset 0");
	expect_refused(V31 " ", "whitespace at offset 44");
	expect_refused(V31 "\n", "whitespace at offset 44");
	expect_refused("CVSS:3.1/AV:N/\tAC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		       "whitespace at offset 14");
	expect_refused("CVSS:3.1/AV:N/AC:L\x1b/PR:N/UI:N/S:U/C:H/I:H/A:H",
		       "byte 0x1b at offset 18");
	expect_refused("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:\xc3\xa9",
		       "byte 0xc3 at offset 43");
}

static void test_cvss__rejects_over_long_input(void **state)
{
	char big[4096];

	(void)state;
	/* a valid vector padded with repeats is long before it is wrong */
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "CVSS:3.1/", 9);
	expect_refused(big, "vector is longer than 128 bytes");
	/* 129 bytes exactly */
	big[129] = '\0';
	expect_refused(big, "vector is longer than 128 bytes");
	/* 128 bytes is looked at (and refused for what it says) */
	big[128] = '\0';
	expect_refused(big, "component 'AAAAAAAAAAAAAAAAAAAAAAAA' is not of "
			    "the form metric:value");
}

static void test_cvss__v40_requires_specification_order(void **state)
{
	(void)state;
	expect_refused("CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/"
		       "SC:N/SI:N/SA:N",
		       "metric 'AV' is out of order (CVSS 4.0 lists base "
		       "metrics as AV/AC/AT/PR/UI/VC/VI/VA/SC/SI/SA)");
	expect_refused("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/SC:N/VI:H/"
		       "SI:N/VA:H/SA:N",
		       "metric 'VI' is out of order");
}

static void test_cvss__quotes_untrusted_text_bounded(void **state)
{
	struct al_cvss c;
	struct al_error err;

	(void)state;
	assert_int_equal(al_cvss_parse("CVSS:3.1/"
				       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:N",
				       &c, &err),
			 AL_EINVAL);
	assert_non_null(strstr(err.msg, "'ABCDEFGHIJKLMNOPQRSTUVWX'"));
	assert_null(strstr(err.msg, "YZ0123"));
}

static void test_cvss__rejects_hostile_vectors_file(void **state)
{
	/* refusals kept as data, including any input the fuzzer found:
	 * "<expected message part><TAB><vector>"; \xNN escapes allowed */
	FILE *f = open_data("hostile.tsv");
	char line[1024];
	int n = 0;

	(void)state;
	while (fgets(line, sizeof(line), f)) {
		char vec[1024], *tab, *nl;
		size_t o = 0;

		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		tab = strchr(line, '\t');
		assert_non_null(tab);
		*tab = '\0';
		for (const char *p = tab + 1; *p && o + 1 < sizeof(vec); p++) {
			if (p[0] == '\\' && p[1] == 'x' && p[2] && p[3]) {
				char hex[3] = {p[2], p[3], '\0'};
				vec[o++] = (char)strtol(hex, NULL, 16);
				p += 3;
			} else {
				vec[o++] = *p;
			}
		}
		vec[o] = '\0';
		expect_refused(vec, line);
		n++;
	}
	fclose(f);
	assert_true(n >= 5);
}

/* ---- rating ----------------------------------------------------------- */

static void test_cvss__rating_boundaries(void **state)
{
	(void)state;
	assert_string_equal(al_cvss_rating(0), "none");
	assert_string_equal(al_cvss_rating(1), "low");
	assert_string_equal(al_cvss_rating(39), "low");
	assert_string_equal(al_cvss_rating(40), "medium");
	assert_string_equal(al_cvss_rating(69), "medium");
	assert_string_equal(al_cvss_rating(70), "high");
	assert_string_equal(al_cvss_rating(89), "high");
	assert_string_equal(al_cvss_rating(90), "critical");
	assert_string_equal(al_cvss_rating(100), "critical");
}

static void test_cvss__rating_out_of_range_is_invalid(void **state)
{
	(void)state;
	assert_string_equal(al_cvss_rating(-1), "invalid");
	assert_string_equal(al_cvss_rating(101), "invalid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cvss__scores_all_v31_reference_vectors),
		cmocka_unit_test(test_cvss__scores_all_v40_reference_vectors),
		cmocka_unit_test(
			test_cvss__v40_follows_calculator_rounding_at_ties),
		cmocka_unit_test(test_cvss__scores_well_known_v31_vectors),
		cmocka_unit_test(test_cvss__scores_well_known_v40_vectors),
		cmocka_unit_test(test_cvss__no_impact_scores_zero_in_v40),
		cmocka_unit_test(
			test_cvss__v31_accepts_any_order_and_normalises),
		cmocka_unit_test(test_cvss__sets_version_and_rating),
		cmocka_unit_test(test_cvss__accepts_null_error),
		cmocka_unit_test(test_cvss__rejects_missing_or_other_prefix),
		cmocka_unit_test(test_cvss__rejects_empty_and_null),
		cmocka_unit_test(test_cvss__rejects_non_base_metric),
		cmocka_unit_test(test_cvss__rejects_unknown_metric),
		cmocka_unit_test(test_cvss__rejects_repeated_metric),
		cmocka_unit_test(test_cvss__rejects_missing_metric),
		cmocka_unit_test(test_cvss__rejects_undefined_or_bad_value),
		cmocka_unit_test(test_cvss__rejects_malformed_components),
		cmocka_unit_test(
			test_cvss__rejects_whitespace_and_control_bytes),
		cmocka_unit_test(test_cvss__rejects_over_long_input),
		cmocka_unit_test(test_cvss__v40_requires_specification_order),
		cmocka_unit_test(test_cvss__quotes_untrusted_text_bounded),
		cmocka_unit_test(test_cvss__rejects_hostile_vectors_file),
		cmocka_unit_test(test_cvss__rating_boundaries),
		cmocka_unit_test(test_cvss__rating_out_of_range_is_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
