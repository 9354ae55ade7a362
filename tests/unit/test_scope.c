/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "al_policy.h"
#include "al_scope.h"

/* A policy from JSON text, with the fields the tests vary. */
static void policy_from(struct al_policy *p, const char *extra)
{
	char buf[2048];
	struct al_error err;

	snprintf(
		buf, sizeof(buf),
		"{\"airlock_policy\": 1, \"project\": \"chatwoot\", "
		"\"recipients\": [\"0123456789ABCDEF0123456789ABCDEF01234567\"]"
		"%s}",
		extra);
	if (al_policy_parse(buf, strlen(buf), p, &err) != 0)
		fail_msg("policy: %s", err.msg);
}

static json_t *report(const char *klass, const char *affected_json)
{
	json_error_t je;
	char buf[2048];
	json_t *m;

	snprintf(buf, sizeof(buf),
		 "{\"project\": \"chatwoot\", \"class\": \"%s\", "
		 "\"description\": \"d\", \"steps\": \"s\", "
		 "\"affected\": [%s]}",
		 klass, affected_json);
	m = json_loads(buf, 0, &je);
	if (!m)
		fail_msg("json: %s", je.text);
	return m;
}

#define NPM_4_0_TO_4_2_1                                                     \
	"{\"package\": {\"ecosystem\": \"npm\", \"name\": \"chatwoot\"}, "   \
	"\"ranges\": [{\"type\": \"SEMVER\", \"events\": [{\"introduced\": " \
	"\"4.0.0\"}, {\"fixed\": \"4.2.1\"}]}]}"

static unsigned fake_line(void *ctx, const char *key, size_t index)
{
	(void)ctx;
	if (!strcmp(key, "class"))
		return 4;
	if (!strcmp(key, "affected"))
		return 7 + (unsigned)index;
	return 0;
}

static size_t check(const struct al_policy *p, json_t *m,
		    struct al_problems *probs)
{
	al_problems_init(probs);
	al_scope_check(p, m, NULL, fake_line, NULL, probs);
	return al_problems_count(probs);
}

static void test_scope__report_within_default_policy_passes(void **state)
{
	struct al_policy p;
	struct al_problems probs;
	json_t *m = report("xss", NPM_4_0_TO_4_2_1);

	(void)state;
	policy_from(&p, "");
	assert_int_equal(check(&p, m, &probs), 0);
	assert_int_equal(al_scope_check(&p, m, NULL, NULL, NULL, &probs), 0);
	al_problems_release(&probs);
	json_decref(m);
	al_policy_release(&p);
}

static void test_scope__class_out_of_scope_names_the_allowed(void **state)
{
	struct al_policy p;
	struct al_problems probs;
	json_t *m = report("other", NPM_4_0_TO_4_2_1);

	(void)state;
	policy_from(&p, "");
	assert_int_equal(check(&p, m, &probs), 1);
	assert_int_equal(probs.v[0].line, 4);
	assert_non_null(strstr(probs.v[0].msg, "'other' is out of"));
	assert_non_null(strstr(probs.v[0].msg, "rce, sqli"));
	al_problems_release(&probs);
	json_decref(m);
	al_policy_release(&p);
}

static void test_scope__other_project_is_refused(void **state)
{
	struct al_policy p;
	struct al_problems probs;
	json_t *m = report("xss", NPM_4_0_TO_4_2_1);

	(void)state;
	policy_from(&p, "");
	json_object_set_new(m, "project", json_string("mastodon"));
	assert_int_equal(check(&p, m, &probs), 1);
	assert_non_null(strstr(probs.v[0].msg, "'mastodon'"));
	al_problems_release(&probs);
	json_decref(m);
	al_policy_release(&p);
}

static void test_scope__required_key_missing_or_empty(void **state)
{
	struct al_policy p;
	struct al_problems probs;
	json_t *m = report("xss", NPM_4_0_TO_4_2_1);

	(void)state;
	policy_from(&p, ", \"required\": [\"steps\", \"impact\"]");
	json_object_set_new(m, "steps", json_string(""));
	assert_int_equal(check(&p, m, &probs), 2);
	assert_non_null(strstr(probs.v[0].msg, "'steps'"));
	assert_non_null(strstr(probs.v[1].msg, "'impact'"));
	al_problems_release(&probs);
	json_decref(m);
	al_policy_release(&p);
}

static void test_scope__skips_required_keys_already_reported(void **state)
{
	static const char *const skip[] = {"steps", NULL};
	struct al_policy p;
	struct al_problems probs;
	json_t *m = report("xss", NPM_4_0_TO_4_2_1);

	(void)state;
	policy_from(&p, ", \"required\": [\"steps\", \"impact\"]");
	json_object_del(m, "steps");
	al_problems_init(&probs);
	al_scope_check(&p, m, skip, NULL, NULL, &probs);
	assert_int_equal(al_problems_count(&probs), 1);
	assert_non_null(strstr(probs.v[0].msg, "'impact'"));
	al_problems_release(&probs);
	json_decref(m);
	al_policy_release(&p);
}

static void test_scope__affected_outside_supported_is_reported(void **state)
{
	struct al_policy p;
	struct al_problems probs;
	json_t *m = report("xss", "{\"package\": {\"ecosystem\": \"npm\", "
				  "\"name\": \"chatwoot\"}, "
				  "\"ranges\": [{\"type\": \"SEMVER\", "
				  "\"events\": [{\"introduced\": "
				  "\"3.0.0\"}, {\"fixed\": \"4.2.0\"}]}]}");

	(void)state;
	/* "latest only": introduced at the latest release, 4.2.0 */
	policy_from(&p, ", \"supported\": [{\"package\": {\"ecosystem\": "
			"\"npm\", \"name\": \"chatwoot\"}, \"ranges\": "
			"[{\"type\": \"SEMVER\", \"events\": "
			"[{\"introduced\": \"4.2.0\"}]}]}]");
	/* [3.0.0, 4.2.0) and [4.2.0, inf) share nothing */
	assert_int_equal(check(&p, m, &probs), 1);
	assert_int_equal(probs.v[0].line, 7);
	assert_non_null(strstr(probs.v[0].msg, "outside the versions"));
	al_problems_release(&probs);
	json_decref(m);
	m = report("xss", NPM_4_0_TO_4_2_1); /* reaches 4.2.0 */
	assert_int_equal(check(&p, m, &probs), 0);
	al_problems_release(&probs);
	json_decref(m);
	al_policy_release(&p);
}

static void test_scope__package_not_supported_is_reported(void **state)
{
	struct al_policy p;
	struct al_problems probs;
	json_t *m = report("xss",
			   "{\"package\": {\"ecosystem\": \"PyPI\", \"name\": "
			   "\"other\"}, \"versions\": [\"1.0\"]}");

	(void)state;
	policy_from(&p, ", \"supported\": [{\"package\": {\"ecosystem\": "
			"\"npm\", \"name\": \"chatwoot\"}, \"ranges\": "
			"[{\"type\": \"SEMVER\", \"events\": "
			"[{\"introduced\": \"4.2.0\"}]}]}]");
	assert_int_equal(check(&p, m, &probs), 1);
	assert_non_null(strstr(probs.v[0].msg, "'PyPI/other'"));
	al_problems_release(&probs);
	json_decref(m);
	al_policy_release(&p);
}

static void test_scope__supported_without_package_applies_to_all(void **state)
{
	struct al_policy p;
	struct al_problems probs;
	json_t *m = report("xss", NPM_4_0_TO_4_2_1);

	(void)state;
	policy_from(&p, ", \"supported\": [{\"ranges\": [{\"type\": "
			"\"SEMVER\", \"events\": [{\"introduced\": "
			"\"5.0.0\"}]}]}]");
	assert_int_equal(check(&p, m, &probs), 1);
	assert_int_equal(probs.v[0].line, 7);
	al_problems_release(&probs);
	json_decref(m);
	al_policy_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_scope__report_within_default_policy_passes),
		cmocka_unit_test(
			test_scope__class_out_of_scope_names_the_allowed),
		cmocka_unit_test(test_scope__other_project_is_refused),
		cmocka_unit_test(test_scope__required_key_missing_or_empty),
		cmocka_unit_test(
			test_scope__skips_required_keys_already_reported),
		cmocka_unit_test(
			test_scope__affected_outside_supported_is_reported),
		cmocka_unit_test(test_scope__package_not_supported_is_reported),
		cmocka_unit_test(
			test_scope__supported_without_package_applies_to_all),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
