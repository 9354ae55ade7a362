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
#include "al_hash.h"
#include "al_io.h"
#include "al_policy.h"
#include "test_data.h"

#define FP40 "0123456789ABCDEF0123456789ABCDEF01234567"

/* ---- helpers ---------------------------------------------------------- */

#define read_data(name, len) al_test_read(len, "policies/%s", name)

static void parse_ok(const char *name, struct al_policy *p)
{
	struct al_error err = {0};
	size_t len;
	char *buf = read_data(name, &len);

	if (al_policy_parse(buf, len, p, &err) != 0)
		fail_msg("'%s' refused: %s", name, err.msg);
	free(buf);
}

static bool all_zero(const void *v, size_t n)
{
	const unsigned char *b = v;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* buf must be refused with code, the policy left zeroed, and the message
 * must contain every (NULL-terminated) substring. */
static void expect_refused_buf(const char *what, const char *buf, size_t len,
			       int code, ...)
{
	struct al_policy p;
	struct al_error err = {0};
	const char *sub;
	va_list ap;
	int rc;

	memset(&p, 0xa5, sizeof(p));
	rc = al_policy_parse(buf, len, &p, &err);
	if (rc != code)
		fail_msg("'%s': got %d (%s), expected %d", what, rc, err.msg,
			 code);
	assert_true(all_zero(&p, sizeof(p)));
	if (strncmp(err.msg, "policy: ", 8) != 0)
		fail_msg("'%s': message '%s' lacks 'policy: '", what, err.msg);
	va_start(ap, code);
	while ((sub = va_arg(ap, const char *)) != NULL)
		if (!strstr(err.msg, sub))
			fail_msg("'%s': message '%s' lacks '%s'", what, err.msg,
				 sub);
	va_end(ap);
}

#define expect_refused(file, ...)                                            \
	do {                                                                 \
		size_t len_;                                                 \
		char *buf_ = read_data(file, &len_);                         \
		expect_refused_buf(file, buf_, len_, AL_EINVAL, __VA_ARGS__, \
				   (const char *)NULL);                      \
		free(buf_);                                                  \
	} while (0)

static void assert_reference_defaults(const struct al_policy *p, bool lists,
				      bool sla, bool limits)
{
	static const char *const in[] = {
		"rce", "sqli",         "auth-bypass", "privilege-escalation",
		"xss", "admin-action", "csrf",
	};
	static const char *const out[] = {
		"missing-security-headers",
		"spf-dkim",
		"scanner-report",
		"theoretical",
		"social-engineering",
		"reflected-file-download",
		"physical-access",
		"weak-tls",
		"mitm",
		"self-attack",
		"dos",
		"brute-force",
		"dnssec",
	};

	if (lists) {
		assert_int_equal(p->nin_scope, 7);
		for (size_t i = 0; i < 7; i++)
			assert_string_equal(p->in_scope[i], in[i]);
		assert_int_equal(p->nout_of_scope, 13);
		for (size_t i = 0; i < 13; i++) {
			assert_string_equal(p->out_of_scope[i].id, out[i]);
			assert_true(strlen(p->out_of_scope[i].text) > 3);
		}
		assert_int_equal(p->nrequired, 3);
		assert_string_equal(p->required[0], "description");
		assert_string_equal(p->required[1], "steps");
		assert_string_equal(p->required[2], "affected");
		assert_null(p->supported);
		assert_null(p->contact);
		assert_int_equal(p->expires, 0);
		assert_false(p->require_signature);
	}
	if (sla) {
		assert_int_equal(p->ack_hours, 72);
		assert_int_equal(p->fix_days[AL_RATING_CRITICAL], 7);
		assert_int_equal(p->fix_days[AL_RATING_HIGH], 30);
		assert_int_equal(p->fix_days[AL_RATING_MEDIUM], 60);
		assert_int_equal(p->fix_days[AL_RATING_LOW], 90);
		assert_int_equal(p->triage_weekday, 0);
	}
	if (limits) {
		assert_int_equal(p->limits.bundle_bytes, 4ull << 30);
		assert_int_equal(p->limits.entries, 1000);
		assert_int_equal(p->limits.name_bytes, 255);
		assert_int_equal(p->limits.manifest_bytes, 1u << 20);
	}
}

/* ---- defaults and good policies ----------------------------------------- */

static void test_policy__default_is_reference_policy(void **state)
{
	struct al_policy p;
	struct al_error err = {0};

	(void)state;
	assert_int_equal(al_policy_init_default(&p, &err), 0);
	assert_reference_defaults(&p, true, true, true);
	assert_null(p.project);
	assert_int_equal(p.nrecipients, 0);
	assert_string_equal(p.sha256, "");
	al_policy_release(&p);
	assert_true(all_zero(&p, sizeof(p)));
	al_policy_release(&p); /* twice is fine */
	al_policy_release(NULL);
}

static void test_policy__minimal_gets_defaults(void **state)
{
	struct al_policy p;

	(void)state;
	parse_ok("good-minimal.json", &p);
	assert_string_equal(p.project, "chatwoot");
	assert_int_equal(p.nrecipients, 1);
	assert_string_equal(p.recipients[0], FP40);
	assert_reference_defaults(&p, true, true, true);
	al_policy_release(&p);
}

static void test_policy__full_sets_every_field(void **state)
{
	struct al_policy p;

	(void)state;
	parse_ok("good-full.json", &p);
	assert_string_equal(p.project, "chatwoot");
	assert_string_equal(p.contact, "security@chatwoot.example");
	assert_int_equal(p.nrecipients, 2);
	assert_int_equal(p.expires, 1826877600); /* 2027-11-22T10:00:00Z */
	assert_true(json_is_array(p.supported));
	assert_int_equal(json_array_size(p.supported), 1);
	assert_int_equal(p.nin_scope, 3);
	assert_string_equal(p.in_scope[2], "other");
	assert_int_equal(p.nout_of_scope, 2);
	assert_string_equal(p.out_of_scope[1].id, "self-xss");
	assert_string_equal(p.out_of_scope[1].text, "XSS against yourself");
	assert_int_equal(p.nrequired, 4);
	assert_string_equal(p.required[3], "impact");
	assert_int_equal(p.ack_hours, 48);
	assert_int_equal(p.fix_days[AL_RATING_CRITICAL], 3);
	assert_int_equal(p.fix_days[AL_RATING_HIGH], 14);
	assert_int_equal(p.fix_days[AL_RATING_MEDIUM], 45);
	assert_int_equal(p.fix_days[AL_RATING_LOW], 120);
	assert_int_equal(p.triage_weekday, 3);
	assert_true(p.require_signature);
	assert_int_equal(p.limits.bundle_bytes, 1073741824);
	assert_int_equal(p.limits.entries, 200);
	assert_int_equal(p.limits.name_bytes, 128);
	assert_int_equal(p.limits.manifest_bytes, 262144);
	al_policy_release(&p);
}

static void test_policy__normalises_fingerprints(void **state)
{
	struct al_policy p;

	(void)state;
	parse_ok("good-full.json", &p);
	/* "0123 4567 89ab cdef 0123  4567 89AB CDEF 0123 4567" */
	assert_string_equal(p.recipients[0], FP40);
	assert_int_equal(strlen(p.recipients[1]), 64);
	assert_string_equal(p.recipients[1],
			    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
			    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF");
	al_policy_release(&p);
}

static void test_policy__partial_sla_and_limits_keep_defaults(void **state)
{
	struct al_policy p;

	(void)state;
	parse_ok("good-partial-sla.json", &p);
	assert_int_equal(p.fix_days[AL_RATING_CRITICAL], 2);
	assert_int_equal(p.fix_days[AL_RATING_HIGH], 30);
	assert_int_equal(p.fix_days[AL_RATING_LOW], 90);
	assert_int_equal(p.ack_hours, 72);
	assert_int_equal(p.triage_weekday, 0);
	assert_int_equal(p.limits.entries, 50);
	assert_int_equal(p.limits.bundle_bytes, 4ull << 30);
	assert_int_equal(p.limits.name_bytes, 255);
	al_policy_release(&p);
}

static void test_policy__expired_policy_parses(void **state)
{
	struct al_policy p;

	(void)state;
	parse_ok("good-expired.json", &p);
	assert_int_equal(p.expires, 978307200); /* 2001-01-01 */
	al_policy_release(&p);
}

static void test_policy__sha256_is_of_the_bytes(void **state)
{
	struct al_policy p;
	struct al_error err = {0};
	char want[AL_SHA256_HEX];
	size_t len;
	char *buf = read_data("good-full.json", &len);

	(void)state;
	assert_int_equal(al_policy_parse(buf, len, &p, &err), 0);
	al_sha256_hex(buf, len, want);
	assert_string_equal(p.sha256, want);
	al_policy_release(&p);
	free(buf);
}

static void test_policy__in_scope_and_ratings(void **state)
{
	struct al_policy p;

	(void)state;
	parse_ok("good-full.json", &p);
	assert_true(al_policy_in_scope(&p, "rce"));
	assert_true(al_policy_in_scope(&p, "other"));
	assert_false(al_policy_in_scope(&p, "sqli"));
	assert_false(al_policy_in_scope(&p, "RCE"));
	assert_false(al_policy_in_scope(&p, NULL));
	assert_false(al_policy_in_scope(NULL, "rce"));
	al_policy_release(&p);
	assert_int_equal(al_rating_from_name("critical"), AL_RATING_CRITICAL);
	assert_int_equal(al_rating_from_name("low"), AL_RATING_LOW);
	assert_int_equal(al_rating_from_name("Low"), -1);
	assert_int_equal(al_rating_from_name("none"), -1);
	assert_int_equal(al_rating_from_name(NULL), -1);
	assert_string_equal(al_rating_name(AL_RATING_MEDIUM), "medium");
	assert_null(al_rating_name(AL_RATING_COUNT));
}

/* ---- unknown keys ------------------------------------------------------- */

static void test_policy__rejects_unknown_key(void **state)
{
	(void)state;
	expect_refused("bad-unknown-key.json",
		       "policy: 'requires_signature': unknown key");
}

static void test_policy__rejects_unknown_sla_key(void **state)
{
	(void)state;
	expect_refused("bad-unknown-sla-key.json",
		       "'sla.acknowledge_hour': unknown key");
}

static void test_policy__rejects_unknown_fix_days_key(void **state)
{
	(void)state;
	expect_refused("bad-unknown-fix-days-key.json",
		       "'sla.fix_days.urgent': unknown key");
}

static void test_policy__rejects_unknown_limits_key(void **state)
{
	(void)state;
	expect_refused("bad-unknown-limits-key.json",
		       "'limits.bundle_size': unknown key");
}

static void test_policy__rejects_unknown_reason_key(void **state)
{
	(void)state;
	expect_refused("bad-unknown-reason-key.json",
		       "'out_of_scope[0].note': unknown key");
}

static void test_policy__rejects_unknown_supported_key(void **state)
{
	(void)state;
	expect_refused("bad-unknown-supported-key.json",
		       "'supported[0].database_specific': unknown key");
}

/* ---- required keys and recipients --------------------------------------- */

static void test_policy__rejects_missing_project(void **state)
{
	(void)state;
	expect_refused("bad-missing-project.json", "'project': missing");
}

static void test_policy__rejects_missing_recipients(void **state)
{
	(void)state;
	expect_refused("bad-missing-recipients.json", "'recipients': missing");
}

/* The spec gives "airlock_policy" a default of 1: a policy written to the
 * spec without it must be read as version 1. */
static void test_policy__missing_version_defaults_to_1(void **state)
{
	struct al_policy p;
	struct al_error err;
	char *buf = NULL;
	size_t len = 0;

	(void)state;
	buf = read_data("good-no-version.json", &len);
	assert_int_equal(al_policy_parse(buf, len, &p, &err), 0);
	assert_string_equal(p.project, "chatwoot");
	al_policy_release(&p);
	free(buf);
}

static void test_policy__rejects_empty_recipients(void **state)
{
	(void)state;
	expect_refused("bad-empty-recipients.json", "'recipients'",
		       "at least 1 entry");
}

static void test_policy__rejects_short_fingerprint(void **state)
{
	(void)state;
	expect_refused("bad-short-fingerprint.json", "'recipients[0]'",
		       "40 or 64 hex digits");
}

static void test_policy__rejects_fingerprint_with_0x(void **state)
{
	(void)state;
	expect_refused("bad-fingerprint-chars.json", "'recipients[0]'",
		       "'0x23456789", "40 or 64 hex digits");
}

static void test_policy__rejects_duplicate_recipient(void **state)
{
	(void)state;
	expect_refused("bad-duplicate-recipient.json", "'recipients[1]'",
		       "listed twice");
}

static void test_policy__rejects_version_2(void **state)
{
	(void)state;
	expect_refused("bad-version-2.json", "'airlock_policy'",
		       "unsupported version 2");
}

static void test_policy__rejects_version_as_real(void **state)
{
	(void)state;
	expect_refused("bad-version-float.json", "'airlock_policy'",
		       "must be an integer");
}

static void test_policy__rejects_bad_expires(void **state)
{
	(void)state;
	expect_refused("bad-expires.json", "'expires'",
		       "'next year' is not an RFC 3339 date-time");
}

static void test_policy__rejects_control_in_project(void **state)
{
	(void)state;
	expect_refused("bad-project-control.json", "'project'",
		       "control or bidi");
}

/* ---- lists -------------------------------------------------------------- */

static void test_policy__rejects_unknown_class(void **state)
{
	(void)state;
	expect_refused("bad-in-scope-class.json", "'in_scope[1]'",
		       "'phishing' is not a manifest class");
}

static void test_policy__rejects_repeated_class(void **state)
{
	(void)state;
	expect_refused("bad-in-scope-twice.json", "'in_scope[1]'",
		       "'rce' is listed twice");
}

static void test_policy__rejects_empty_in_scope(void **state)
{
	(void)state;
	expect_refused("bad-in-scope-empty.json", "'in_scope'",
		       "at least 1 entry");
}

static void test_policy__rejects_repeated_reason(void **state)
{
	(void)state;
	expect_refused("bad-out-of-scope-twice.json", "'out_of_scope[2].id'",
		       "'dos' is listed twice");
}

static void test_policy__rejects_reason_without_text(void **state)
{
	(void)state;
	expect_refused("bad-out-of-scope-no-text.json",
		       "'out_of_scope[1].text': missing");
}

static void test_policy__rejects_bad_reason_id(void **state)
{
	(void)state;
	expect_refused("bad-out-of-scope-id.json", "'out_of_scope[1].id'",
		       "'Self XSS' is not");
}

static void test_policy__rejects_unknown_required_key(void **state)
{
	(void)state;
	expect_refused("bad-required-key.json", "'required[1]'",
		       "'proof' is not a manifest key");
}

static void test_policy__rejects_empty_supported(void **state)
{
	(void)state;
	expect_refused("bad-supported-empty.json", "'supported'",
		       "at least 1 entry");
}

static void test_policy__rejects_supported_without_versions(void **state)
{
	(void)state;
	expect_refused("bad-supported-no-versions.json", "'supported[0]'",
		       "no ranges and no versions");
}

static void test_policy__rejects_supported_bad_version(void **state)
{
	(void)state;
	expect_refused("bad-supported-event.json", "'supported[0]'", "x.y");
}

/* ---- sla, limits, signature --------------------------------------------- */

static void test_policy__rejects_zero_fix_days(void **state)
{
	(void)state;
	expect_refused("bad-fix-days-zero.json", "'sla.fix_days.high'",
		       "must be from 1 to 3650");
}

static void test_policy__rejects_fix_days_over_ten_years(void **state)
{
	(void)state;
	expect_refused("bad-fix-days-big.json", "'sla.fix_days.low'",
		       "must be from 1 to 3650");
}

static void test_policy__rejects_hours_as_real(void **state)
{
	(void)state;
	expect_refused("bad-ack-float.json", "'sla.acknowledge_hours'",
		       "must be an integer");
}

static void test_policy__rejects_capitalised_weekday(void **state)
{
	(void)state;
	expect_refused("bad-weekday.json", "'sla.triage_weekday'",
		       "'Thursday' is not a day name");
}

static void test_policy__rejects_limit_over_16_times_default(void **state)
{
	(void)state;
	expect_refused("bad-limits-big.json", "'limits.entries'",
		       "must be from 1 to 16000");
}

static void test_policy__rejects_tiny_name_bytes(void **state)
{
	(void)state;
	expect_refused("bad-limits-name-bytes.json", "'limits.name_bytes'",
		       "must be from 14 to 4080");
}

static void test_policy__rejects_limit_above_2_64(void **state)
{
	(void)state;
	expect_refused("bad-limits-huge.json", "policy: line",
		       "too big integer");
}

static void test_policy__rejects_signature_as_string(void **state)
{
	(void)state;
	expect_refused("bad-signature-string.json", "'require_signature'",
		       "must be true or false");
}

/* ---- decoding ----------------------------------------------------------- */

static void test_policy__rejects_duplicate_key(void **state)
{
	(void)state;
	expect_refused("bad-duplicate-key.json", "duplicate object key");
}

static void test_policy__rejects_deep_nesting(void **state)
{
	(void)state;
	expect_refused("bad-deep-nesting.json", "nested more than 32 deep");
}

static void test_policy__rejects_invalid_utf8(void **state)
{
	(void)state;
	expect_refused("bad-invalid-utf8.json", "policy: not valid UTF-8");
}

static void test_policy__rejects_nul_escape(void **state)
{
	(void)state;
	expect_refused("bad-nul-escape.json", "\\\\u0000 is not allowed");
}

static void test_policy__rejects_top_level_string(void **state)
{
	(void)state;
	expect_refused("bad-top-level-string.json", "policy: line 1");
}

static void test_policy__rejects_over_1_mib(void **state)
{
	size_t len = (1u << 20) + 1;
	char *buf = malloc(len);

	(void)state;
	assert_non_null(buf);
	memset(buf, ' ', len);
	buf[0] = '{';
	buf[len - 1] = '}';
	expect_refused_buf("1 MiB + 1", buf, len, AL_ELIMIT,
			   "more than the limit of 1048576",
			   (const char *)NULL);
	free(buf);
}

/* ---- every data file ---------------------------------------------------- */

static void test_policy__data_files_good_pass_bad_fail(void **state)
{
	const char *dir = getenv("AL_TEST_DATA");
	char path[1024];
	struct dirent *de;
	int good = 0, bad = 0;
	DIR *d;

	(void)state;
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/policies", dir);
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		struct al_policy p;
		struct al_error err = {0};
		size_t len;
		char *buf;
		int rc;

		if (strncmp(de->d_name, "good-", 5) != 0 &&
		    strncmp(de->d_name, "bad-", 4) != 0)
			continue;
		buf = read_data(de->d_name, &len);
		rc = al_policy_parse(buf, len, &p, &err);
		if (de->d_name[0] == 'g') {
			if (rc != 0)
				fail_msg("'%s' refused: %s", de->d_name,
					 err.msg);
			good++;
		} else {
			if (rc == 0 || strncmp(err.msg, "policy: ", 8) != 0)
				fail_msg("'%s': rc %d, '%s'", de->d_name, rc,
					 err.msg);
			bad++;
		}
		al_policy_release(&p);
		free(buf);
	}
	closedir(d);
	assert_true(good >= 5);
	assert_true(bad >= 39);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy__default_is_reference_policy),
		cmocka_unit_test(test_policy__minimal_gets_defaults),
		cmocka_unit_test(test_policy__full_sets_every_field),
		cmocka_unit_test(test_policy__normalises_fingerprints),
		cmocka_unit_test(
			test_policy__partial_sla_and_limits_keep_defaults),
		cmocka_unit_test(test_policy__expired_policy_parses),
		cmocka_unit_test(test_policy__sha256_is_of_the_bytes),
		cmocka_unit_test(test_policy__in_scope_and_ratings),
		cmocka_unit_test(test_policy__rejects_unknown_key),
		cmocka_unit_test(test_policy__rejects_unknown_sla_key),
		cmocka_unit_test(test_policy__rejects_unknown_fix_days_key),
		cmocka_unit_test(test_policy__rejects_unknown_limits_key),
		cmocka_unit_test(test_policy__rejects_unknown_reason_key),
		cmocka_unit_test(test_policy__rejects_unknown_supported_key),
		cmocka_unit_test(test_policy__rejects_missing_project),
		cmocka_unit_test(test_policy__rejects_missing_recipients),
		cmocka_unit_test(test_policy__missing_version_defaults_to_1),
		cmocka_unit_test(test_policy__rejects_empty_recipients),
		cmocka_unit_test(test_policy__rejects_short_fingerprint),
		cmocka_unit_test(test_policy__rejects_fingerprint_with_0x),
		cmocka_unit_test(test_policy__rejects_duplicate_recipient),
		cmocka_unit_test(test_policy__rejects_version_2),
		cmocka_unit_test(test_policy__rejects_version_as_real),
		cmocka_unit_test(test_policy__rejects_bad_expires),
		cmocka_unit_test(test_policy__rejects_control_in_project),
		cmocka_unit_test(test_policy__rejects_unknown_class),
		cmocka_unit_test(test_policy__rejects_repeated_class),
		cmocka_unit_test(test_policy__rejects_empty_in_scope),
		cmocka_unit_test(test_policy__rejects_repeated_reason),
		cmocka_unit_test(test_policy__rejects_reason_without_text),
		cmocka_unit_test(test_policy__rejects_bad_reason_id),
		cmocka_unit_test(test_policy__rejects_unknown_required_key),
		cmocka_unit_test(test_policy__rejects_empty_supported),
		cmocka_unit_test(
			test_policy__rejects_supported_without_versions),
		cmocka_unit_test(test_policy__rejects_supported_bad_version),
		cmocka_unit_test(test_policy__rejects_zero_fix_days),
		cmocka_unit_test(test_policy__rejects_fix_days_over_ten_years),
		cmocka_unit_test(test_policy__rejects_hours_as_real),
		cmocka_unit_test(test_policy__rejects_capitalised_weekday),
		cmocka_unit_test(
			test_policy__rejects_limit_over_16_times_default),
		cmocka_unit_test(test_policy__rejects_tiny_name_bytes),
		cmocka_unit_test(test_policy__rejects_limit_above_2_64),
		cmocka_unit_test(test_policy__rejects_signature_as_string),
		cmocka_unit_test(test_policy__rejects_duplicate_key),
		cmocka_unit_test(test_policy__rejects_deep_nesting),
		cmocka_unit_test(test_policy__rejects_invalid_utf8),
		cmocka_unit_test(test_policy__rejects_nul_escape),
		cmocka_unit_test(test_policy__rejects_top_level_string),
		cmocka_unit_test(test_policy__rejects_over_1_mib),
		cmocka_unit_test(test_policy__data_files_good_pass_bad_fail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
