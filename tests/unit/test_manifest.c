/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "al_error.h"
#include "al_io.h"
#include "al_manifest.h"
#include "al_problems.h"
#include "test_data.h"

/* ---- helpers ---------------------------------------------------------- */

#define read_data(name, len) al_test_read(len, "manifests/%s", name)

static json_t *parse_ok(const char *name)
{
	struct al_problems p;
	struct al_error err = {0};
	json_t *m = NULL;
	size_t len;
	char *buf = read_data(name, &len);
	int rc;

	al_problems_init(&p);
	rc = al_manifest_parse(buf, len, NULL, &m, &p, &err);
	if (rc != 0)
		fail_msg("'%s' refused: %s (%zu problems)", name, err.msg,
			 al_problems_count(&p));
	assert_int_equal(al_problems_count(&p), 0);
	assert_non_null(m);
	al_problems_release(&p);
	free(buf);
	return m;
}

/*
 * Parse buf with lim; it must be refused with code, with exactly one
 * problem, and both the error and that problem must contain every one of
 * the (NULL-terminated) substrings.
 */
static void expect_refused_buf(const char *what, const char *buf, size_t len,
			       const struct al_limits *lim, int code, ...)
{
	struct al_problems p;
	struct al_error err = {0};
	json_t *m = (json_t *)1;
	const char *sub;
	va_list ap;
	int rc;

	al_problems_init(&p);
	rc = al_manifest_parse(buf, len, lim, &m, &p, &err);
	if (rc != code)
		fail_msg("'%s': got %d (%s), expected %d", what, rc, err.msg,
			 code);
	assert_null(m);
	if (al_problems_count(&p) != 1) {
		for (size_t i = 0; i < p.n; i++)
			print_error("  %s\n", p.v[i].msg);
		fail_msg("'%s': %zu problems, expected 1", what,
			 al_problems_count(&p));
	}
	assert_string_equal(p.v[0].msg, err.msg);
	va_start(ap, code);
	while ((sub = va_arg(ap, const char *)) != NULL)
		if (!strstr(err.msg, sub))
			fail_msg("'%s': message '%s' lacks '%s'", what, err.msg,
				 sub);
	va_end(ap);
	al_problems_release(&p);
}

#define expect_refused(file, ...)                                     \
	do {                                                          \
		size_t len_;                                          \
		char *buf_ = read_data(file, &len_);                  \
		expect_refused_buf(file, buf_, len_, NULL, AL_EINVAL, \
				   __VA_ARGS__, (const char *)NULL);  \
		free(buf_);                                           \
	} while (0)

static char *dump_ok(const json_t *m, size_t *len)
{
	struct al_error err = {0};
	char *s = NULL;

	if (al_manifest_dump(m, &s, len, &err) != 0)
		fail_msg("dump: %s", err.msg);
	assert_int_equal(strlen(s), *len);
	return s;
}

static int name_check(const char *name, const char *want)
{
	struct al_error err = {0};
	int rc = al_entry_name_check(name, strlen(name), NULL, &err);

	if (want == NULL) {
		if (rc != 0)
			fail_msg("'%s' refused: %s", name, err.msg);
	} else {
		if (rc != AL_EINVAL)
			fail_msg("'%s' accepted, expected '%s'", name, want);
		if (!strstr(err.msg, want))
			fail_msg("'%s': message '%s' lacks '%s'", name, err.msg,
				 want);
		if (strncmp(err.msg, "entry '", 7) != 0)
			fail_msg("'%s': message '%s' does not name the entry",
				 name, err.msg);
	}
	return rc;
}

static void fold_is(const char *name, const char *want)
{
	struct al_error err = {0};
	char *out = NULL;

	if (al_name_fold(name, strlen(name), &out, &err) != 0)
		fail_msg("fold '%s': %s", name, err.msg);
	assert_string_equal(out, want);
	free(out);
}

/* ---- good manifests --------------------------------------------------- */

static void test_manifest__accepts_minimal(void **state)
{
	json_t *m = parse_ok("good-minimal.json");

	(void)state;
	assert_int_equal(json_integer_value(json_object_get(m, "airlock")), 1);
	assert_int_equal(json_array_size(json_object_get(m, "files")), 0);
	json_decref(m);
}

static void test_manifest__accepts_full(void **state)
{
	json_t *m = parse_ok("good-full.json");
	json_t *files = json_object_get(m, "files");

	(void)state;
	assert_int_equal(json_array_size(files), 3);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(files, 2), "path")),
			    "keys/reply.asc");
	json_decref(m);
}

static void test_manifest__keeps_unknown_keys(void **state)
{
	json_t *m = parse_ok("good-unknown-keys.json");

	(void)state;
	assert_non_null(json_object_get(m, "zz"));
	assert_non_null(json_object_get(m, "x-future"));
	json_decref(m);
}

static void test_manifest__dump_is_sorted_with_final_newline(void **state)
{
	json_t *m = parse_ok("good-full.json");
	size_t len;
	char *s = dump_ok(m, &len);
	const char *prev = NULL;

	(void)state;
	assert_true(len > 2);
	assert_int_equal(s[len - 1], '\n');
	assert_int_not_equal(s[len - 2], '\n');
	/* two-space indent, UTF-8 kept as is */
	assert_non_null(strstr(s, "\n  \"additional\": "));
	assert_non_null(strstr(s, "attachments/Straße/naïve.txt"));
	assert_null(strstr(s, "\\u"));
	/* top-level keys in byte order */
	for (char *line = s; (line = strstr(line, "\n  \"")) != NULL;
	     line += 4) {
		const char *key = line + 4;
		size_t klen = strcspn(key, "\"");

		if (prev)
			assert_true(strncmp(prev, key, klen + 1) < 0);
		prev = key;
	}
	assert_true(strstr(s, "\"additional\"") < strstr(s, "\"affected\""));
	assert_true(strstr(s, "\"tool\"") < strstr(s, "\"x-future\""));
	free(s);
	json_decref(m);
}

static void test_manifest__round_trips(void **state)
{
	static const char *const files[] = {"good-minimal.json",
					    "good-full.json",
					    "good-unknown-keys.json", NULL};

	(void)state;
	for (size_t i = 0; files[i]; i++) {
		json_t *m = parse_ok(files[i]), *again = NULL;
		struct al_error err = {0};
		size_t len, len2;
		char *s = dump_ok(m, &len), *s2;

		if (al_manifest_parse(s, len, NULL, &again, NULL, &err) != 0)
			fail_msg("'%s' dumped and refused: %s", files[i],
				 err.msg);
		assert_true(json_equal(m, again));
		s2 = dump_ok(again, &len2);
		assert_int_equal(len, len2);
		assert_memory_equal(s, s2, len);
		free(s);
		free(s2);
		json_decref(again);
		json_decref(m);
	}
}

static void test_manifest__dump_ignores_key_order(void **state)
{
	json_t *a = json_pack("{s:i, s:s, s:[i]}", "b", 1, "a", "x", "c", 2);
	json_t *b = json_pack("{s:[i], s:s, s:i}", "c", 2, "a", "x", "b", 1);
	size_t la, lb;
	char *sa, *sb;

	(void)state;
	sa = dump_ok(a, &la);
	sb = dump_ok(b, &lb);
	assert_string_equal(sa, sb);
	assert_string_equal(sa, "{\n  \"a\": \"x\",\n  \"b\": 1,\n  \"c\": [\n"
				"    2\n  ]\n}\n");
	free(sa);
	free(sb);
	json_decref(a);
	json_decref(b);
}

static void test_manifest__dump_refuses_non_object(void **state)
{
	json_t *a = json_array();
	struct al_error err = {0};
	char *s = (char *)1;
	size_t len = 1;

	(void)state;
	assert_int_equal(al_manifest_dump(a, &s, &len, &err), AL_EINVAL);
	assert_null(s);
	assert_non_null(strstr(err.msg, "not a JSON object"));
	json_decref(a);
}

/* ---- strict decoding -------------------------------------------------- */

static void test_manifest__rejects_duplicate_key(void **state)
{
	(void)state;
	expect_refused("bad-duplicate-key.json", "duplicate object key",
		       "line 7");
}

static void test_manifest__rejects_33_deep(void **state)
{
	(void)state;
	expect_refused("bad-deep-nesting.json", "nested more than 32 deep");
}

static void test_manifest__rejects_5000_deep_arrays(void **state)
{
	(void)state;
	expect_refused("bad-deep-arrays.json", "nested more than 32 deep");
}

/* The limit is exact: 32 levels (the manifest itself is one) pass the
 * depth check, 33 do not; brackets inside strings do not count. */
static void test_manifest__depth_limit_is_32(void **state)
{
	size_t len;
	char *base = read_data("good-minimal.json", &len);
	char buf[4096];
	struct al_error err = {0};
	json_t *m = NULL;
	char *tail;
	int n;

	(void)state;
	tail = strrchr(base, '}');
	assert_non_null(tail);
	for (int extra = 31; extra <= 32; extra++) {
		n = snprintf(buf, sizeof(buf),
			     "%.*s, \"x\": \"[[[[{{{{\", "
			     "\"deep\": ",
			     (int)(tail - base), base);
		for (int i = 0; i < extra; i++)
			n += snprintf(buf + n, sizeof(buf) - (size_t)n, "[");
		for (int i = 0; i < extra; i++)
			n += snprintf(buf + n, sizeof(buf) - (size_t)n, "]");
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "}\n");
		if (extra == 31) {
			if (al_manifest_parse(buf, (size_t)n, NULL, &m, NULL,
					      &err) != 0)
				fail_msg("32 deep refused: %s", err.msg);
			json_decref(m);
		} else {
			expect_refused_buf("33 deep", buf, (size_t)n, NULL,
					   AL_EINVAL, "32 deep",
					   (const char *)NULL);
		}
	}
	free(base);
}

static void test_manifest__rejects_integer_above_2_63(void **state)
{
	(void)state;
	expect_refused("bad-huge-size.json", "too big integer");
}

static void test_manifest__rejects_integer_below_minus_2_63(void **state)
{
	(void)state;
	expect_refused("bad-huge-negative.json", "too big negative integer");
}

static void test_manifest__rejects_real_overflow(void **state)
{
	(void)state;
	expect_refused("bad-real-overflow.json", "real number overflow");
}

static void test_manifest__rejects_nul_escape(void **state)
{
	(void)state;
	expect_refused("bad-nul-escape.json", "\\\\u0000 is not allowed");
}

static void test_manifest__rejects_nul_escape_in_key(void **state)
{
	(void)state;
	expect_refused("bad-nul-in-key.json", "NUL byte in object key");
}

static void test_manifest__rejects_invalid_utf8(void **state)
{
	(void)state;
	expect_refused("bad-invalid-utf8.json", "manifest: not valid UTF-8");
}

static void test_manifest__rejects_overlong_utf8(void **state)
{
	(void)state;
	expect_refused("bad-overlong-utf8.json", "manifest: not valid UTF-8");
}

static void test_manifest__rejects_lone_surrogate_escape(void **state)
{
	(void)state;
	expect_refused("bad-surrogate-escape.json", "manifest: line",
		       "invalid Unicode '\\\\uD800'");
}

static void test_manifest__rejects_top_level_array(void **state)
{
	(void)state;
	expect_refused("bad-top-level-array.json",
		       "manifest: not a JSON object");
}

static void test_manifest__rejects_trailing_garbage(void **state)
{
	(void)state;
	expect_refused("bad-trailing-garbage.json", "end of file expected");
}

static void test_manifest__rejects_empty_input(void **state)
{
	(void)state;
	expect_refused("bad-empty.json", "manifest: line 1");
}

static void test_manifest__rejects_byte_order_mark(void **state)
{
	(void)state;
	expect_refused("bad-bom.json",
		       "manifest: starts with a byte order mark");
}

static void test_manifest__rejects_over_size_limit(void **state)
{
	struct al_limits lim;
	size_t len;
	char *buf = read_data("good-full.json", &len);
	json_t *m = NULL;
	struct al_error err = {0};

	(void)state;
	al_limits_default(&lim);
	lim.manifest_bytes = len - 1;
	expect_refused_buf("size limit", buf, len, &lim, AL_ELIMIT,
			   "more than the limit", (const char *)NULL);
	lim.manifest_bytes = len;
	assert_int_equal(al_manifest_parse(buf, len, &lim, &m, NULL, &err), 0);
	json_decref(m);
	free(buf);
}

/* ---- fields ----------------------------------------------------------- */

static void test_manifest__rejects_airlock_as_real(void **state)
{
	(void)state;
	expect_refused("bad-float-airlock.json", "'airlock'",
		       "must be an integer");
}

static void test_manifest__rejects_unknown_version(void **state)
{
	(void)state;
	expect_refused("bad-airlock-2.json", "'airlock'",
		       "unsupported version 2");
}

static void test_manifest__rejects_size_as_real(void **state)
{
	(void)state;
	expect_refused("bad-float-size.json", "'files[0].size'",
		       "must be an integer");
}

static void test_manifest__rejects_negative_size(void **state)
{
	(void)state;
	expect_refused("bad-negative-size.json", "'files[0].size'",
		       "must not be negative");
}

static void test_manifest__rejects_uppercase_sha256(void **state)
{
	(void)state;
	expect_refused("bad-sha256-upper.json",
		       "manifest: 'files[2].sha256': not 64 lowercase hex "
		       "digits");
}

static void test_manifest__rejects_missing_title(void **state)
{
	(void)state;
	expect_refused("bad-missing-title.json", "manifest: 'title': missing");
}

static void test_manifest__rejects_uppercase_uuid(void **state)
{
	(void)state;
	expect_refused("bad-uuid.json", "'id'", "lowercase version-4 UUID");
}

static void test_manifest__rejects_uuid_v1(void **state)
{
	(void)state;
	expect_refused("bad-uuid-v1.json", "'id'", "version-4 UUID");
}

static void test_manifest__rejects_created_not_utc(void **state)
{
	(void)state;
	expect_refused("bad-created-offset.json", "'created'", "not UTC");
}

/* RFC 3339 spells UTC 'Z', 'z' or a zero offset: all are UTC. */
static void test_manifest__accepts_every_utc_spelling(void **state)
{
	static const char *const spellings[] = {
		"2026-11-22t10:00:00z",
		"2026-11-22T10:00:00+00:00",
		"2026-11-22T10:00:00.5-00:00",
	};
	size_t len;
	char *buf = read_data("good-full.json", &len);
	char *at = strstr(buf, "2026-11-22T10:00:00Z");

	(void)state;
	assert_non_null(at);
	for (size_t i = 0; i < 3; i++) {
		struct al_error err = {0};
		json_t *m = NULL;
		char *copy = NULL;
		size_t n;
		int w = asprintf(&copy, "%.*s%s%s", (int)(at - buf), buf,
				 spellings[i], at + 20);

		assert_true(w > 0);
		n = (size_t)w;
		if (al_manifest_parse(copy, n, NULL, &m, NULL, &err) != 0)
			fail_msg("'%s' refused: %s", spellings[i], err.msg);
		json_decref(m);
		free(copy);
	}
	free(buf);
}

static void test_manifest__rejects_created_february_30(void **state)
{
	(void)state;
	expect_refused("bad-created-feb30.json", "'created'",
		       "not an RFC 3339 date-time");
}

static void test_manifest__rejects_unknown_class(void **state)
{
	(void)state;
	expect_refused("bad-class.json", "'class'", "'XSS' is not one of",
		       "privilege-escalation");
}

static void test_manifest__rejects_malformed_cwe(void **state)
{
	(void)state;
	expect_refused("bad-cwe.json", "'cwe[1]'", "'79' is not CWE-<number>");
}

static void test_manifest__rejects_v4_vector_as_cvss_v3(void **state)
{
	(void)state;
	expect_refused("bad-cvss-version.json", "'severity.cvss_v3'",
		       "not a CVSS 3.1 vector");
}

static void test_manifest__rejects_incomplete_vector(void **state)
{
	(void)state;
	expect_refused("bad-cvss-vector.json", "'severity.cvss_v4'", "cvss");
}

static void test_manifest__rejects_unknown_rating(void **state)
{
	(void)state;
	expect_refused("bad-rating.json", "'severity.rating'",
		       "'severe' is not one of critical, high");
}

static void test_manifest__rejects_title_over_200_chars(void **state)
{
	(void)state;
	expect_refused("bad-title-long.json", "'title'",
		       "longer than 200 characters");
}

static void test_manifest__accepts_title_of_200_chars(void **state)
{
	json_t *m = parse_ok("good-minimal.json");
	struct al_problems p;
	char title[401];

	(void)state;
	for (int i = 0; i < 200; i++)
		memcpy(title + 2 * i, "\xc3\xa9", 2); /* é */
	title[400] = '\0';
	json_object_set_new(m, "title", json_string(title));
	al_problems_init(&p);
	assert_int_equal(al_manifest_check(m, NULL, &p), 0);
	al_problems_release(&p);
	json_decref(m);
}

static void test_manifest__rejects_multiline_title(void **state)
{
	(void)state;
	expect_refused("bad-title-newline.json", "'title'",
		       "control or bidi character");
}

static void test_manifest__rejects_bidi_title(void **state)
{
	(void)state;
	expect_refused("bad-title-bidi.json", "'title'",
		       "control or bidi character");
}

static void test_manifest__rejects_title_not_string(void **state)
{
	(void)state;
	expect_refused("bad-title-type.json", "'title'", "must be a string");
}

static void test_manifest__rejects_affected_without_versions(void **state)
{
	(void)state;
	expect_refused("bad-affected-empty-entry.json", "'affected[2]'",
		       "no ranges and no versions");
}

static void test_manifest__rejects_affected_without_package(void **state)
{
	(void)state;
	expect_refused("bad-affected-no-package.json",
		       "'affected[0].package': missing");
}

static void test_manifest__rejects_empty_package_name(void **state)
{
	(void)state;
	expect_refused("bad-affected-empty-name.json",
		       "'affected[0].package.name'", "must not be empty");
}

static void test_manifest__rejects_git_range_without_repo(void **state)
{
	(void)state;
	expect_refused("bad-affected-git-no-repo.json",
		       "'affected[1].ranges[0].repo': missing");
}

static void test_manifest__rejects_event_with_two_keys(void **state)
{
	(void)state;
	expect_refused("bad-affected-event-two-keys.json",
		       "'affected[0].ranges[0].events[1]'", "exactly one of");
}

static void test_manifest__rejects_unknown_range_type(void **state)
{
	(void)state;
	expect_refused("bad-affected-range-type.json",
		       "'affected[0].ranges[0].type'",
		       "'semver' is not one of SEMVER, ECOSYSTEM, GIT");
}

static void test_manifest__rejects_invalid_semver_event(void **state)
{
	(void)state;
	expect_refused("bad-affected-semver.json", "'affected[0]'",
		       "not.a.version");
}

static void test_manifest__rejects_unknown_credit(void **state)
{
	(void)state;
	expect_refused("bad-credit.json", "'reporter.credit'",
		       "'yes' is not one of public, anonymous");
}

static void test_manifest__rejects_bad_policy_sha256(void **state)
{
	(void)state;
	expect_refused("bad-policy-sha256.json", "'policy_sha256'",
		       "not 64 lowercase hex digits");
}

/* ---- files ------------------------------------------------------------ */

static void test_manifest__rejects_dotdot_path(void **state)
{
	(void)state;
	expect_refused("bad-path-dotdot.json", "'files[0].path'",
		       "has a '..' component");
}

static void test_manifest__rejects_backslash_path(void **state)
{
	(void)state;
	expect_refused("bad-path-backslash.json", "'files[0].path'",
		       "contains a backslash");
}

static void test_manifest__rejects_control_in_path(void **state)
{
	(void)state;
	expect_refused("bad-path-control.json", "'files[0].path'",
		       "'attachments/po\\x07c.html'",
		       "control or bidi character");
}

static void test_manifest__rejects_bidi_in_path(void **state)
{
	(void)state;
	expect_refused("bad-path-bidi.json", "'files[0].path'",
		       "control or bidi character");
}

static void test_manifest__rejects_absolute_path(void **state)
{
	(void)state;
	expect_refused("bad-path-absolute.json", "'files[0].path'",
		       "absolute path");
}

/* A name cannot be both a file and a folder: such a bundle could never be
 * written out (open), so it is refused, after case folding too. */
static void test_manifest__rejects_file_used_as_folder(void **state)
{
	(void)state;
	expect_refused("bad-path-nested.json", "'files[1].path'",
		       "inside 'attachments/POC'");
}

static void test_manifest__rejects_path_outside_attachments(void **state)
{
	(void)state;
	expect_refused("bad-path-outside.json", "'files[0].path'",
		       "under 'attachments/'");
}

/* The spec does not ask for NFC (tar on macOS writes NFD names): a
 * decomposed name is accepted as it is; al_name_fold still composes it
 * when names are compared. */
static void test_manifest__accepts_decomposed_path(void **state)
{
	(void)state;
	json_decref(parse_ok("good-path-nfd.json"));
}

static void test_manifest__rejects_listing_manifest(void **state)
{
	(void)state;
	expect_refused("bad-path-manifest.json", "'files[0].path'",
		       "'manifest.json' cannot be listed");
}

static void test_manifest__rejects_case_fold_collision(void **state)
{
	(void)state;
	expect_refused("bad-fold-case.json", "'files[4].path'",
		       "same name as 'files[3].path' ('attachments/A.txt')",
		       "case folding");
}

static void test_manifest__rejects_sharp_s_collision(void **state)
{
	(void)state;
	expect_refused("bad-fold-sharp-s.json", "'files[3].path'",
		       "same name as 'files[1].path'", "case folding");
}

static void test_manifest__rejects_repeated_path(void **state)
{
	(void)state;
	expect_refused("bad-repeated-path.json", "'files[3].path'",
		       "repeats 'files[0].path'");
}

static void test_manifest__rejects_second_reply_key(void **state)
{
	(void)state;
	expect_refused("bad-reply-key-twice.json", "'files[3].path'",
		       "repeats 'files[2].path' ('keys/reply.asc')");
}

static void test_manifest__rejects_more_files_than_entries(void **state)
{
	struct al_limits lim;
	size_t len;
	char *buf = read_data("good-full.json", &len);
	json_t *m = NULL;
	struct al_error err = {0};

	(void)state;
	al_limits_default(&lim);
	lim.entries = 3; /* manifest + 2 files; good-full.json has 3 */
	expect_refused_buf("entries", buf, len, &lim, AL_EINVAL, "'files'",
			   "3 files, more than the limit of 2",
			   (const char *)NULL);
	lim.entries = 4;
	assert_int_equal(al_manifest_parse(buf, len, &lim, &m, NULL, &err), 0);
	json_decref(m);
	free(buf);
}

static void test_manifest__rejects_file_larger_than_bundle(void **state)
{
	struct al_limits lim;
	size_t len;
	char *buf = read_data("good-full.json", &len);

	(void)state;
	al_limits_default(&lim);
	lim.bundle_bytes = 3200; /* 120 + 0 + 3100 = 3220 in all */
	expect_refused_buf("total", buf, len, &lim, AL_EINVAL, "'files'",
			   "add up to 3220 bytes", (const char *)NULL);
	lim.bundle_bytes = 3000;
	expect_refused_buf("one", buf, len, &lim, AL_EINVAL, "'files[2].size'",
			   "bundle limit of 3000", (const char *)NULL);
	free(buf);
}

static void test_manifest__rejects_name_over_name_bytes(void **state)
{
	struct al_limits lim;
	size_t len;
	char *buf = read_data("good-full.json", &len);

	(void)state;
	al_limits_default(&lim);
	lim.name_bytes = 20; /* "attachments/poc.html" is 20 bytes */
	expect_refused_buf("name bytes", buf, len, &lim, AL_EINVAL,
			   "'files[1].path'", "more than the limit of 20",
			   (const char *)NULL);
	free(buf);
}

/* ---- the whole check ---------------------------------------------------- */

static void test_manifest__reports_every_problem_with_path(void **state)
{
	json_t *m = parse_ok("good-full.json");
	static const char *const want[] = {
		"manifest: 'steps': missing",
		"manifest: 'airlock': unsupported version 3 (expected 1)",
		"manifest: 'class': 'worm' is not one of",
		"manifest: 'files[0].sha256': not 64 lowercase hex digits",
		"manifest: 'files[1].size': missing",
		"manifest: 'reporter': must be an object",
		NULL,
	};
	struct al_problems p;
	json_t *f0 = json_array_get(json_object_get(m, "files"), 0);
	json_t *f1 = json_array_get(json_object_get(m, "files"), 1);

	(void)state;
	json_object_del(m, "steps");
	json_object_set_new(m, "airlock", json_integer(3));
	json_object_set_new(m, "class", json_string("worm"));
	json_object_set_new(f0, "sha256", json_string("xyz"));
	json_object_del(f1, "size");
	json_object_set_new(m, "reporter", json_string("me"));
	al_problems_init(&p);
	assert_int_equal(al_manifest_check(m, NULL, &p), AL_EINVAL);
	assert_int_equal(al_problems_count(&p), 6);
	for (size_t i = 0; want[i]; i++) {
		bool found = false;

		for (size_t j = 0; j < p.n; j++)
			if (strncmp(p.v[j].msg, want[i], strlen(want[i])) == 0)
				found = true;
		if (!found)
			fail_msg("no problem '%s'", want[i]);
		assert_int_equal(p.v[i].line, 0);
	}
	al_problems_release(&p);
	json_decref(m);
}

static void test_manifest__check_rejects_non_object(void **state)
{
	json_t *a = json_array();
	struct al_problems p;

	(void)state;
	al_problems_init(&p);
	assert_int_equal(al_manifest_check(a, NULL, &p), AL_EINVAL);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.v[0].msg, "manifest: not a JSON object");
	al_problems_release(&p);
	json_decref(a);
}

static void test_manifest__check_rejects_nul_in_built_string(void **state)
{
	json_t *m = parse_ok("good-minimal.json");
	struct al_problems p;

	(void)state;
	json_object_set_new(m, "title", json_stringn("a\0b", 3));
	al_problems_init(&p);
	assert_int_equal(al_manifest_check(m, NULL, &p), AL_EINVAL);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.v[0].msg, "manifest: 'title': contains a NUL");
	al_problems_release(&p);
	json_decref(m);
}

/* ---- names -------------------------------------------------------------- */

static void test_manifest__entry_names(void **state)
{
	static const char *const cases[][2] = {
		{"manifest.json", NULL},
		{"keys/reply.asc", NULL},
		{"attachments/poc.py", NULL},
		{"attachments/a/b/c.txt", NULL},
		{"attachments/Straße.txt", NULL},
		{"attachments/.hidden", NULL},
		{"attachments/...", NULL},
		{"", "empty name"},
		{"attachments/", "empty component"},
		{"attachments//x", "empty component"},
		{"attachments/./x", "'.' component"},
		{"attachments/..", "'..' component"},
		{"../attachments/x", "'..' component"},
		{"/attachments/x", "absolute path"},
		{"attachments\\x", "backslash"},
		{"attachments/a\tb", "control or bidi"},
		{"attachments/a\x7f", "control or bidi"},
		{"attachments/a\xc2\x85", "control or bidi"},     /* NEL */
		{"attachments/a\xe2\x80\x8f", "control or bidi"}, /* RLM */
		{"attachments/a\xe2\x81\xa6", "control or bidi"}, /* LRI */
		{"attachments/\xff", "not valid UTF-8"},
		{"attachments/\xed\xa0\x80", "not valid UTF-8"}, /* surrogate */
		{"attachments/e\xcc\x81",
		 NULL}, /* e + U+0301: NFD is allowed */
		{"attachments", "under 'attachments/'"},
		{"Attachments/x", "under 'attachments/'"},
		{"keys/other.asc", "under 'attachments/'"},
		{"MANIFEST.JSON", "under 'attachments/'"},
		{"manifest.json/", "empty component"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		name_check(cases[i][0], cases[i][1]);
}

static void test_manifest__entry_name_rejects_nul(void **state)
{
	struct al_error err = {0};

	(void)state;
	assert_int_equal(
		al_entry_name_check("attachments/a\0b", 15, NULL, &err),
		AL_EINVAL);
	assert_string_equal(err.msg,
			    "entry 'attachments/a\\x00b': contains a NUL byte");
}

static void test_manifest__entry_name_length_limit(void **state)
{
	struct al_limits lim;
	struct al_error err = {0};
	char name[300];

	(void)state;
	al_limits_default(&lim);
	memset(name, 'a', sizeof(name));
	memcpy(name, "attachments/", 12);
	assert_int_equal(al_entry_name_check(name, 255, &lim, &err), 0);
	assert_int_equal(al_entry_name_check(name, 256, &lim, &err), AL_EINVAL);
	assert_non_null(strstr(err.msg, "256 bytes, more than the limit of "
					"255"));
}

static void test_manifest__folds_names(void **state)
{
	struct al_error err = {0};
	char *out = (char *)1;

	(void)state;
	fold_is("attachments/A.txt", "attachments/a.txt");
	fold_is("attachments/Straße", "attachments/strasse");
	fold_is("attachments/STRASSE", "attachments/strasse");
	fold_is("attachments/\xef\xac\x81le", "attachments/file"); /* ﬁ */
	fold_is("attachments/e\xcc\x81", "attachments/\xc3\xa9");  /* NFC */
	fold_is("ΣΑΣ", "σασ");
	fold_is("", "");
	assert_int_equal(al_name_fold("a\xff", 2, &out, &err), AL_EINVAL);
	assert_null(out);
	assert_non_null(strstr(err.msg, "not valid UTF-8"));
	assert_int_equal(al_name_fold("a\0b", 3, &out, &err), AL_EINVAL);
	assert_null(out);
	assert_non_null(strstr(err.msg, "NUL"));
}

/* ---- every data file ---------------------------------------------------- */

static void test_manifest__data_files_good_pass_bad_fail(void **state)
{
	const char *dir = getenv("AL_TEST_DATA");
	char path[1024];
	struct dirent *de;
	int good = 0, bad = 0;
	DIR *d;

	(void)state;
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/manifests", dir);
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		struct al_error err = {0};
		json_t *m = NULL;
		size_t len;
		char *buf;
		int rc;

		if (strncmp(de->d_name, "good-", 5) != 0 &&
		    strncmp(de->d_name, "bad-", 4) != 0)
			continue;
		buf = read_data(de->d_name, &len);
		rc = al_manifest_parse(buf, len, NULL, &m, NULL, &err);
		if (de->d_name[0] == 'g') {
			if (rc != 0)
				fail_msg("'%s' refused: %s", de->d_name,
					 err.msg);
			good++;
		} else {
			if (rc == 0 || strncmp(err.msg, "manifest: ", 10) != 0)
				fail_msg("'%s': rc %d, '%s'", de->d_name, rc,
					 err.msg);
			bad++;
		}
		json_decref(m);
		free(buf);
	}
	closedir(d);
	assert_true(good >= 3);
	assert_true(bad >= 50);
}

static void test_manifest__name_nfc_composes_decomposed_names(void **state)
{
	/* "e" + combining acute (NFD, as macOS writes it) -> U+00E9 */
	static const char nfd[] = "attachments/re\xcc\x81sume\xcc\x81";
	char *out = NULL;
	struct al_error err;

	(void)state;

	assert_int_equal(al_name_nfc(nfd, strlen(nfd), &out, &err), 0);
	assert_string_equal(out, "attachments/r\xc3\xa9sum\xc3\xa9");
	assert_int_equal(al_entry_name_check(out, strlen(out), NULL, &err), 0);
	free(out);
	assert_int_equal(al_name_nfc("a\xff", 2, &out, &err), AL_EINVAL);
	assert_null(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_manifest__name_nfc_composes_decomposed_names),
		cmocka_unit_test(test_manifest__accepts_minimal),
		cmocka_unit_test(test_manifest__accepts_full),
		cmocka_unit_test(test_manifest__keeps_unknown_keys),
		cmocka_unit_test(
			test_manifest__dump_is_sorted_with_final_newline),
		cmocka_unit_test(test_manifest__round_trips),
		cmocka_unit_test(test_manifest__dump_ignores_key_order),
		cmocka_unit_test(test_manifest__dump_refuses_non_object),
		cmocka_unit_test(test_manifest__rejects_duplicate_key),
		cmocka_unit_test(test_manifest__rejects_33_deep),
		cmocka_unit_test(test_manifest__rejects_5000_deep_arrays),
		cmocka_unit_test(test_manifest__depth_limit_is_32),
		cmocka_unit_test(test_manifest__rejects_integer_above_2_63),
		cmocka_unit_test(
			test_manifest__rejects_integer_below_minus_2_63),
		cmocka_unit_test(test_manifest__rejects_real_overflow),
		cmocka_unit_test(test_manifest__rejects_nul_escape),
		cmocka_unit_test(test_manifest__rejects_nul_escape_in_key),
		cmocka_unit_test(test_manifest__rejects_invalid_utf8),
		cmocka_unit_test(test_manifest__rejects_overlong_utf8),
		cmocka_unit_test(test_manifest__rejects_lone_surrogate_escape),
		cmocka_unit_test(test_manifest__rejects_top_level_array),
		cmocka_unit_test(test_manifest__rejects_trailing_garbage),
		cmocka_unit_test(test_manifest__rejects_empty_input),
		cmocka_unit_test(test_manifest__rejects_byte_order_mark),
		cmocka_unit_test(test_manifest__rejects_over_size_limit),
		cmocka_unit_test(test_manifest__rejects_airlock_as_real),
		cmocka_unit_test(test_manifest__rejects_unknown_version),
		cmocka_unit_test(test_manifest__rejects_size_as_real),
		cmocka_unit_test(test_manifest__rejects_negative_size),
		cmocka_unit_test(test_manifest__rejects_uppercase_sha256),
		cmocka_unit_test(test_manifest__rejects_missing_title),
		cmocka_unit_test(test_manifest__rejects_uppercase_uuid),
		cmocka_unit_test(test_manifest__rejects_uuid_v1),
		cmocka_unit_test(test_manifest__rejects_created_not_utc),
		cmocka_unit_test(test_manifest__accepts_every_utc_spelling),
		cmocka_unit_test(test_manifest__rejects_created_february_30),
		cmocka_unit_test(test_manifest__rejects_unknown_class),
		cmocka_unit_test(test_manifest__rejects_malformed_cwe),
		cmocka_unit_test(test_manifest__rejects_v4_vector_as_cvss_v3),
		cmocka_unit_test(test_manifest__rejects_incomplete_vector),
		cmocka_unit_test(test_manifest__rejects_unknown_rating),
		cmocka_unit_test(test_manifest__rejects_title_over_200_chars),
		cmocka_unit_test(test_manifest__accepts_title_of_200_chars),
		cmocka_unit_test(test_manifest__rejects_multiline_title),
		cmocka_unit_test(test_manifest__rejects_bidi_title),
		cmocka_unit_test(test_manifest__rejects_title_not_string),
		cmocka_unit_test(
			test_manifest__rejects_affected_without_versions),
		cmocka_unit_test(
			test_manifest__rejects_affected_without_package),
		cmocka_unit_test(test_manifest__rejects_empty_package_name),
		cmocka_unit_test(test_manifest__rejects_git_range_without_repo),
		cmocka_unit_test(test_manifest__rejects_event_with_two_keys),
		cmocka_unit_test(test_manifest__rejects_unknown_range_type),
		cmocka_unit_test(test_manifest__rejects_invalid_semver_event),
		cmocka_unit_test(test_manifest__rejects_unknown_credit),
		cmocka_unit_test(test_manifest__rejects_bad_policy_sha256),
		cmocka_unit_test(test_manifest__rejects_dotdot_path),
		cmocka_unit_test(test_manifest__rejects_backslash_path),
		cmocka_unit_test(test_manifest__rejects_control_in_path),
		cmocka_unit_test(test_manifest__rejects_bidi_in_path),
		cmocka_unit_test(test_manifest__rejects_absolute_path),
		cmocka_unit_test(
			test_manifest__rejects_path_outside_attachments),
		cmocka_unit_test(test_manifest__accepts_decomposed_path),
		cmocka_unit_test(test_manifest__rejects_file_used_as_folder),
		cmocka_unit_test(test_manifest__rejects_listing_manifest),
		cmocka_unit_test(test_manifest__rejects_case_fold_collision),
		cmocka_unit_test(test_manifest__rejects_sharp_s_collision),
		cmocka_unit_test(test_manifest__rejects_repeated_path),
		cmocka_unit_test(test_manifest__rejects_second_reply_key),
		cmocka_unit_test(
			test_manifest__rejects_more_files_than_entries),
		cmocka_unit_test(
			test_manifest__rejects_file_larger_than_bundle),
		cmocka_unit_test(test_manifest__rejects_name_over_name_bytes),
		cmocka_unit_test(
			test_manifest__reports_every_problem_with_path),
		cmocka_unit_test(test_manifest__check_rejects_non_object),
		cmocka_unit_test(
			test_manifest__check_rejects_nul_in_built_string),
		cmocka_unit_test(test_manifest__entry_names),
		cmocka_unit_test(test_manifest__entry_name_rejects_nul),
		cmocka_unit_test(test_manifest__entry_name_length_limit),
		cmocka_unit_test(test_manifest__folds_names),
		cmocka_unit_test(test_manifest__data_files_good_pass_bad_fail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
