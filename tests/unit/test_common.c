/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "al_error.h"
#include "al_hash.h"
#include "al_io.h"
#include "al_problems.h"
#include "al_text.h"
#include "al_time.h"
#include "al_uuid.h"

static char tmpdir[64];

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/al-common-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(s, f);
	fclose(f);
}

static void test_error__set_returns_code_and_cuts_long_messages(void **state)
{
	struct al_error err;
	char big[600];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(al_error_set(&err, AL_EINVAL, "%s", big), AL_EINVAL);
	assert_int_equal(err.code, AL_EINVAL);
	assert_int_equal(strlen(err.msg), sizeof(err.msg) - 1);
	assert_int_equal(al_error_set(NULL, AL_EIO, "ignored"), AL_EIO);
	al_error_clear(&err);
	assert_int_equal(err.code, 0);
	assert_string_equal(err.msg, "");
}

static void test_problems__keeps_every_problem_sorted_by_line(void **state)
{
	struct al_problems p;

	(void)state;
	al_problems_init(&p);
	al_problems_add(&p, 9, "nine");
	al_problems_add(&p, 0, "none");
	al_problems_add(&p, 2, "two");
	al_problems_add(&p, 2, "two again");
	al_problems_sort(&p);
	assert_int_equal(al_problems_count(&p), 4);
	assert_string_equal(p.v[0].msg, "two");
	assert_string_equal(p.v[1].msg, "two again");
	assert_string_equal(p.v[2].msg, "nine");
	assert_string_equal(p.v[3].msg, "none");
	al_problems_release(&p);
}

static void test_problems__caps_the_list_but_counts_the_rest(void **state)
{
	struct al_problems p;

	(void)state;
	al_problems_init(&p);
	for (int i = 0; i < AL_PROBLEMS_MAX + 50; i++)
		al_problems_add(&p, (unsigned)i + 1, "p%d", i);
	assert_int_equal(p.n, AL_PROBLEMS_MAX);
	assert_int_equal(al_problems_count(&p), AL_PROBLEMS_MAX + 50);
	al_problems_release(&p);
}

static void test_text__utf8_validity(void **state)
{
	(void)state;
	assert_true(al_utf8_valid("plain", 5));
	assert_true(al_utf8_valid("Stra\xc3\x9f"
				  "e",
				  7));
	assert_true(al_utf8_valid("\xf0\x9f\x98\x80", 4));
	assert_false(al_utf8_valid("\xc0\xaf", 2));         /* overlong '/' */
	assert_false(al_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
	assert_false(al_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	assert_false(al_utf8_valid("\xe2\x82", 2));         /* truncated */
	assert_false(al_utf8_valid("\xff", 1));
}

static void test_text__finds_controls_and_bidi(void **state)
{
	(void)state;
	assert_false(al_text_has_control("a normal title", 14));
	assert_true(al_text_has_control("tab\there", 8));
	assert_true(al_text_has_control("esc\x1b[31m", 8));
	assert_true(al_text_has_control("del\x7f", 4));
	assert_true(al_text_has_control("c1\xc2\x85", 4));      /* NEL */
	assert_true(al_text_has_control("rlo\xe2\x80\xae", 6)); /* U+202E */
	assert_true(al_text_has_control("iso\xe2\x81\xa6", 6)); /* U+2066 */
	assert_true(al_text_has_control("bad\xff", 4));
	/* invisible characters */
	assert_true(al_text_has_control("soft\xc2\xad", 6));     /* U+00AD */
	assert_true(al_text_has_control("zw\xe2\x80\x8bsp", 7)); /* U+200B */
	assert_true(al_text_has_control("bom\xef\xbb\xbf", 6));  /* U+FEFF */
	assert_true(al_text_has_control("ls\xe2\x80\xa8", 5));   /* U+2028 */
	assert_true(al_text_has_control("ps\xe2\x80\xa9", 5));   /* U+2029 */
	assert_false(al_text_has_control("zwj\xe2\x80\x8d", 6)); /* U+200D */
}

static void test_text__visible_escapes_untrusted_text(void **state)
{
	char out[64];

	(void)state;
	assert_string_equal(al_text_visible("a\x1b[2Jb\n", 7, out, sizeof(out)),
			    "a\\x1b[2Jb\\n");
	assert_string_equal(
		al_text_visible("x\xe2\x80\xaey", 5, out, sizeof(out)),
		"x\\u{202e}y");
	assert_string_equal(al_text_visible("\xff", 1, out, sizeof(out)),
			    "\\xff");
	assert_string_equal(al_text_visible("caf\xc3\xa9", 5, out, sizeof(out)),
			    "caf\xc3\xa9");
	assert_string_equal(
		al_text_visible("back\\slash", 10, out, sizeof(out)),
		"back\\\\slash");
}

static void test_text__visible_cuts_long_text_with_ellipsis(void **state)
{
	char out[8];

	(void)state;
	al_text_visible("abcdefghijkl", 12, out, sizeof(out));
	assert_true(strlen(out) < sizeof(out));
	assert_non_null(strstr(out, "..."));
}

static void test_text__relpath_check_refuses_unsafe_names(void **state)
{
	static const struct {
		const char *name;
		size_t len;
		const char *msg;
	} bad[] = {
		{"", 0, "empty name"},
		{"a/../b", 6, "'..' component"},
		{"./a", 3, "'.' component"},
		{"a//b", 4, "empty component"},
		{"a/", 2, "empty component"},
		{"/abs", 4, "absolute path"},
		{"a\\b", 3, "backslash"},
		{"a\0b", 3, "NUL byte"},
		{"a\x1b"
		 "b",
		 3, "control"},
		{"\xe2\x80\xaetxt.exe", 10, "bidi"},
		{"\xff", 1, "not valid UTF-8"},
		{"abcdefghijk", 11, "more than the limit of 10"},
	};
	struct al_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(al_relpath_check(bad[i].name, bad[i].len, 10,
						  "entry", &err),
				 AL_EINVAL);
		if (!strstr(err.msg, bad[i].msg) ||
		    strncmp(err.msg, "entry '", 7) != 0)
			fail_msg("case %zu: got '%s'", i, err.msg);
	}
	assert_int_equal(al_relpath_check("a/b.c", 5, 10, "entry", &err), 0);
	assert_int_equal(
		al_relpath_check("caf\xc3\xa9/..x", 9, 10, "entry", &err), 0);
}

static void test_hash__sha256_known_vectors(void **state)
{
	char hex[AL_SHA256_HEX];
	struct al_sha256 *h = NULL;

	(void)state;
	al_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb924"
				 "27ae41e4649b934ca495991b7852b855");
	al_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
				 "b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(al_sha256_new(&h, NULL), 0);
	al_sha256_update(h, "a", 1);
	al_sha256_update(h, "bc", 2);
	al_sha256_final(h, hex, NULL);
	al_sha256_free(h);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
				 "b00361a396177a9cb410ff61f20015ad");
}

static void test_hash__sha256_fd_hashes_to_the_end(void **state)
{
	char path[128], hex[AL_SHA256_HEX];
	struct al_error err;
	uint64_t size = 0;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/abc.txt", tmpdir);
	write_file(path, "abc");
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(al_sha256_fd(fd, hex, &size, path, &err), 0);
	close(fd);
	assert_int_equal(size, 3);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
				 "b00361a396177a9cb410ff61f20015ad");
	/* a descriptor that cannot be read: the error names the file */
	fd = open(path, O_WRONLY);
	assert_int_equal(al_sha256_fd(fd, hex, &size, "abc.txt", &err), AL_EIO);
	close(fd);
	assert_non_null(strstr(err.msg, "abc.txt"));
}

static void test_io__read_file_reads_whole_file(void **state)
{
	char path[128], *buf = NULL;
	size_t len = 0;
	struct al_error err;

	(void)state;
	snprintf(path, sizeof(path), "%s/f.txt", tmpdir);
	write_file(path, "hello\n");
	assert_int_equal(al_read_file(path, 100, &buf, &len, &err), 0);
	assert_int_equal(len, 6);
	assert_string_equal(buf, "hello\n");
	free(buf);
}

static void test_io__read_file_refuses_over_cap(void **state)
{
	char path[128], *buf = NULL;
	size_t len = 0;
	struct al_error err;

	(void)state;
	snprintf(path, sizeof(path), "%s/big.txt", tmpdir);
	write_file(path, "0123456789");
	assert_int_equal(al_read_file(path, 5, &buf, &len, &err), AL_ELIMIT);
	assert_null(buf);
	assert_non_null(strstr(err.msg, "over the limit"));
}

static void test_io__read_file_refuses_symlink_and_dir(void **state)
{
	char path[128], link_path[128], *buf = NULL;
	size_t len = 0;
	struct al_error err;

	(void)state;
	snprintf(path, sizeof(path), "%s/target", tmpdir);
	snprintf(link_path, sizeof(link_path), "%s/link", tmpdir);
	write_file(path, "secret");
	assert_int_equal(symlink(path, link_path), 0);
	assert_int_equal(al_read_file(link_path, 100, &buf, &len, &err),
			 AL_EINVAL);
	assert_non_null(strstr(err.msg, "symbolic link"));
	assert_int_equal(al_read_file(tmpdir, 100, &buf, &len, &err),
			 AL_EINVAL);
	assert_non_null(strstr(err.msg, "not a regular file"));
	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	assert_int_equal(al_read_file(path, 100, &buf, &len, &err),
			 AL_ENOTFOUND);
}

static void test_io__atomic_commit_publishes_whole_file(void **state)
{
	char path[128], *buf = NULL;
	size_t len = 0;
	struct al_atomic a;
	struct al_error err;
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/out.bin", tmpdir);
	assert_int_equal(al_atomic_open(&a, path, &err), 0);
	assert_int_equal(stat(path, &st), -1); /* not visible yet */
	assert_int_equal(al_write_all(a.fd, "data", 4, path, &err), 0);
	assert_int_equal(al_atomic_commit(&a, 0, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(al_read_file(path, 100, &buf, &len, &err), 0);
	assert_string_equal(buf, "data");
	free(buf);
}

static void test_io__atomic_refuses_to_overwrite(void **state)
{
	char path[128], *buf = NULL;
	size_t len = 0;
	struct al_atomic a;
	struct al_error err;

	(void)state;
	snprintf(path, sizeof(path), "%s/exists.bin", tmpdir);
	write_file(path, "old");
	assert_int_equal(al_atomic_open(&a, path, &err), 0);
	assert_int_equal(al_write_all(a.fd, "new", 3, path, &err), 0);
	assert_int_equal(al_atomic_commit(&a, 0, &err), AL_EEXIST);
	assert_int_equal(al_read_file(path, 100, &buf, &len, &err), 0);
	assert_string_equal(buf, "old");
	free(buf);
}

static void test_io__atomic_abort_leaves_nothing(void **state)
{
	char path[128], cmd[256];
	struct al_atomic a;
	struct al_error err;

	(void)state;
	snprintf(path, sizeof(path), "%s/aborted.bin", tmpdir);
	assert_int_equal(al_atomic_open(&a, path, &err), 0);
	assert_int_equal(al_write_all(a.fd, "partial", 7, path, &err), 0);
	al_atomic_abort(&a);
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls '%s' | grep aborted)\"",
		 tmpdir);
	assert_int_equal(system(cmd), 0);
}

static void test_time__parses_rfc3339(void **state)
{
	int64_t t;
	struct al_error err;

	(void)state;
	assert_int_equal(al_time_parse("1970-01-01T00:00:00Z", &t, &err), 0);
	assert_int_equal(t, 0);
	assert_int_equal(al_time_parse("2026-11-22T10:00:00Z", &t, &err), 0);
	assert_int_equal(t, 1795341600);
	assert_int_equal(al_time_parse("2026-11-22T12:00:00+02:00", &t, &err),
			 0);
	assert_int_equal(t, 1795341600);
	assert_int_equal(al_time_parse("2024-02-29T00:00:00.123Z", &t, &err),
			 0);
}

static void test_time__refuses_malformed_dates(void **state)
{
	static const char *bad[] = {
		"2026-02-30T00:00:00Z",     "2023-02-29T00:00:00Z",
		"2026-13-01T00:00:00Z",     "2026-11-22 10:00:00Z",
		"2026-11-22T10:00:00",      "2026-11-22T24:00:00Z",
		"2026-11-22T10:00:00Zjunk", "26-11-22T10:00:00Z",
		"2026-11-22T10:00:00.Z",    "",
	};
	int64_t t;
	struct al_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(al_time_parse(bad[i], &t, &err), AL_EINVAL);
		assert_non_null(strstr(err.msg, "RFC 3339"));
	}
}

static void test_time__format_round_trips(void **state)
{
	char buf[AL_RFC3339_LEN];
	int64_t t;

	(void)state;
	al_time_format(1795341600, buf);
	assert_string_equal(buf, "2026-11-22T10:00:00Z");
	al_time_format(951782400, buf); /* 2000-02-29 */
	assert_string_equal(buf, "2000-02-29T00:00:00Z");
	assert_int_equal(al_time_parse(buf, &t, NULL), 0);
	assert_int_equal(t, 951782400);
}

static void test_time__source_date_epoch(void **state)
{
	int64_t t;
	struct al_error err;

	(void)state;
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	assert_int_equal(al_time_now(&t, &err), 0);
	assert_int_equal(t, 1700000000);
	setenv("SOURCE_DATE_EPOCH", "17e8", 1);
	assert_int_equal(al_time_now(&t, &err), AL_EINVAL);
	assert_non_null(strstr(err.msg, "SOURCE_DATE_EPOCH"));
	setenv("SOURCE_DATE_EPOCH", "-5", 1);
	assert_int_equal(al_time_now(&t, &err), AL_EINVAL);
	unsetenv("SOURCE_DATE_EPOCH");
	assert_int_equal(al_time_now(&t, &err), 0);
	assert_true(t > 1700000000);
}

static void test_uuid__v4_is_valid_and_fresh(void **state)
{
	char a[AL_UUID_LEN], b[AL_UUID_LEN];

	(void)state;
	assert_int_equal(al_uuid_v4(a, NULL), 0);
	assert_int_equal(al_uuid_v4(b, NULL), 0);
	assert_true(al_uuid_valid_v4(a));
	assert_true(al_uuid_valid_v4(b));
	assert_string_not_equal(a, b);
}

static void test_uuid__validation_refuses_other_forms(void **state)
{
	(void)state;
	assert_true(al_uuid_valid_v4("0b8f2e4c-1d6a-4f3e-9a2b-7c5d8e9f0a1b"));
	/* uppercase, version 1, variant wrong, short, no dashes */
	assert_false(al_uuid_valid_v4("0B8F2E4C-1D6A-4F3E-9A2B-7C5D8E9F0A1B"));
	assert_false(al_uuid_valid_v4("0b8f2e4c-1d6a-1f3e-9a2b-7c5d8e9f0a1b"));
	assert_false(al_uuid_valid_v4("0b8f2e4c-1d6a-4f3e-7a2b-7c5d8e9f0a1b"));
	assert_false(al_uuid_valid_v4("0b8f2e4c-1d6a-4f3e-9a2b-7c5d8e9f0a1"));
	assert_false(al_uuid_valid_v4("0b8f2e4c1d6a4f3e9a2b7c5d8e9f0a1b0000"));
}

static void test_text__json_controls_escaped(void **state)
{
	/* as jansson writes it: newlines of the indent, a string holding
	 * DEL, C1 CSI, RLO, a zero-width space, U+2028 and plain UTF-8 */
	static const char in[] = "{\n  \"t\": \"a\x7f b\xc2\x9b c\xe2\x80\xae "
				 "d\xe2\x80\x8b e\xe2\x80\xa8 caf\xc3\xa9 "
				 "\\u001b\"\n}";
	char *out = al_text_json_controls(in, strlen(in));

	(void)state;
	assert_non_null(out);
	assert_string_equal(out, "{\n  \"t\": \"a\\u007f b\\u009b c\\u202e "
				 "d\\u200b e\\u2028 caf\xc3\xa9 \\u001b\"\n}");
	free(out);
	/* an invalid byte is kept as it is (jansson never writes one) */
	out = al_text_json_controls("\"\xff\"", 3);
	assert_string_equal(out, "\"\xff\"");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_error__set_returns_code_and_cuts_long_messages),
		cmocka_unit_test(
			test_problems__keeps_every_problem_sorted_by_line),
		cmocka_unit_test(
			test_problems__caps_the_list_but_counts_the_rest),
		cmocka_unit_test(test_text__utf8_validity),
		cmocka_unit_test(test_text__finds_controls_and_bidi),
		cmocka_unit_test(test_text__json_controls_escaped),
		cmocka_unit_test(test_text__visible_escapes_untrusted_text),
		cmocka_unit_test(
			test_text__visible_cuts_long_text_with_ellipsis),
		cmocka_unit_test(test_text__relpath_check_refuses_unsafe_names),
		cmocka_unit_test(test_hash__sha256_known_vectors),
		cmocka_unit_test(test_hash__sha256_fd_hashes_to_the_end),
		cmocka_unit_test(test_io__read_file_reads_whole_file),
		cmocka_unit_test(test_io__read_file_refuses_over_cap),
		cmocka_unit_test(test_io__read_file_refuses_symlink_and_dir),
		cmocka_unit_test(test_io__atomic_commit_publishes_whole_file),
		cmocka_unit_test(test_io__atomic_refuses_to_overwrite),
		cmocka_unit_test(test_io__atomic_abort_leaves_nothing),
		cmocka_unit_test(test_time__parses_rfc3339),
		cmocka_unit_test(test_time__refuses_malformed_dates),
		cmocka_unit_test(test_time__format_round_trips),
		cmocka_unit_test(test_time__source_date_epoch),
		cmocka_unit_test(test_uuid__v4_is_valid_and_fresh),
		cmocka_unit_test(test_uuid__validation_refuses_other_forms),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
