/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "al_archive.h"
#include "al_error.h"
#include "al_hash.h"

#define MTIME 1763805600 /* 2025-11-22T10:00:00Z */
#define MIB   (1024 * 1024)

static char tmpdir[64];

/* ---- sinks ---- */

/* Collects everything in memory; can be told to fail. */
struct membuf {
	unsigned char *data;
	size_t len, cap;
	size_t calls;
	size_t max_call;
	size_t fail_at; /* fail a call that would pass this many bytes */
	int fail_code;
	int fail_quietly; /* fail without setting a message */
};

static int mem_sink(void *ctx, const void *buf, size_t len,
		    struct al_error *err)
{
	struct membuf *m = ctx;

	m->calls++;
	if (len > m->max_call)
		m->max_call = len;
	if (m->fail_at && m->len + len > m->fail_at) {
		if (m->fail_quietly)
			return m->fail_code;
		return al_error_set(err, m->fail_code,
				    "output 'vault.tmp': no space left");
	}
	if (m->len + len > m->cap) {
		size_t cap = m->cap ? m->cap : 4096;

		while (cap < m->len + len)
			cap *= 2;
		m->data = realloc(m->data, cap);
		assert_non_null(m->data);
		m->cap = cap;
	}
	memcpy(m->data + m->len, buf, len);
	m->len += len;
	return 0;
}

static void membuf_release(struct membuf *m)
{
	free(m->data);
	memset(m, 0, sizeof(*m));
}

/* Counts without keeping: for the big streaming case. */
struct counter {
	uint64_t total;
	size_t max_call;
};

static int count_sink(void *ctx, const void *buf, size_t len,
		      struct al_error *err)
{
	struct counter *c = ctx;

	(void)buf;
	(void)err;
	c->total += len;
	if (len > c->max_call)
		c->max_call = len;
	return 0;
}

/* ---- helpers ---- */

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/al-archive-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void tmp_path(char *out, size_t outsz, const char *leaf)
{
	int n = snprintf(out, outsz, "%s/%s", tmpdir, leaf);

	assert_true(n > 0 && (size_t)n < outsz);
}

static void write_bytes(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static int open_file(const char *leaf, const void *buf, size_t len)
{
	char path[128];
	int fd;

	tmp_path(path, sizeof(path), leaf);
	write_bytes(path, buf, len);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	return fd;
}

/* Run argv, capturing stdout and stderr together into out (cut at
 * outsz - 1).  Returns the exit status, or -1 if it did not exit. */
static int run_capture(char *const argv[], char *out, size_t outsz)
{
	int pfd[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;
	char drop[4096];

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		if (len + 1 < outsz)
			n = read(pfd[0], out + len, outsz - 1 - len);
		else
			n = read(pfd[0], drop, sizeof(drop));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (len + 1 < outsz)
			len += (size_t)n;
	}
	out[len] = '\0';
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0)
		assert_int_equal(errno, EINTR);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* List archive bytes with Python's tarfile (tests/data/archive/). */
static void list_with_python(const struct membuf *m, char *out, size_t outsz)
{
	const char *data = getenv("AL_TEST_DATA");
	char path[128], script[1024];
	char *argv[4];

	assert_non_null(data);
	tmp_path(path, sizeof(path), "list.tar");
	write_bytes(path, m->data, m->len);
	snprintf(script, sizeof(script), "%s/archive/list_tar.py", data);
	argv[0] = (char *)"python3";
	argv[1] = script;
	argv[2] = path;
	argv[3] = NULL;
	assert_int_equal(run_capture(argv, out, outsz), 0);
}

/* One expected line of list_tar.py's output for a member. */
static void expect_line(char *out, size_t outsz, const char *name,
			const void *data, size_t len, const char *paxkeys)
{
	char hex[AL_SHA256_HEX];

	al_sha256_hex(data, len, hex);
	snprintf(out, outsz, "%s|%zu|644|0|0|||%d|0|%s|%s\n", name, len, MTIME,
		 hex, paxkeys);
}

static uint64_t octal(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n && p[i] >= '0' && p[i] <= '7'; i++)
		v = v * 8 + (uint64_t)(p[i] - '0');
	return v;
}

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Is word one of the space-separated words of list? */
static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; *p;) {
		size_t wl = strcspn(p, " ");

		if (wl == n && memcmp(p, word, n) == 0)
			return true;
		p += wl;
		p += strspn(p, " ");
	}
	return false;
}

/*
 * Walk the raw tar bytes with no library: every header ustar, checksum
 * right, type '0' (or 'x' for a pax header holding only the keys in
 * allowed, a space-separated list), mode 0644, uid/gid 0, no user or
 * group name; the stream ends with exactly two zero records.  Returns the
 * number of regular entries.
 */
static int walk_raw(const struct membuf *m, const char *allowed)
{
	size_t off = 0;
	int entries = 0;

	assert_int_equal(m->len % 512, 0);
	for (;;) {
		const unsigned char *h = m->data + off;
		uint64_t size, sum = 0;

		assert_true(off + 512 <= m->len);
		if (all_zero(h, 512)) {
			assert_int_equal(off + 1024, m->len);
			assert_true(all_zero(h + 512, 512));
			return entries;
		}
		assert_memory_equal(h + 257,
				    "ustar\0"
				    "00",
				    8);
		for (size_t i = 0; i < 512; i++)
			sum += (i >= 148 && i < 156) ? ' ' : h[i];
		assert_int_equal(octal(h + 148, 8), sum);
		assert_memory_equal(h + 100, "000644 \0", 8);
		assert_memory_equal(h + 108, "000000 \0", 8);
		assert_memory_equal(h + 116, "000000 \0", 8);
		assert_true(all_zero(h + 265, 32)); /* uname */
		assert_true(all_zero(h + 297, 32)); /* gname */
		size = octal(h + 124, 12);
		assert_true(off + 512 + size <= m->len);
		if (h[156] == 'x') {
			const char *r = (const char *)h + 512;
			const char *end = r + size;

			while (r < end) {
				char *sp, key[64];
				unsigned long rlen = strtoul(r, &sp, 10);
				const char *eq;

				assert_true(*sp == ' ' && rlen > 0 &&
					    r + rlen <= end);
				eq = memchr(sp, '=', (size_t)(r + rlen - sp));
				assert_non_null(eq);
				assert_true((size_t)(eq - sp - 1) <
					    sizeof(key));
				memcpy(key, sp + 1, (size_t)(eq - sp - 1));
				key[eq - sp - 1] = '\0';
				if (!has_word(allowed, key))
					fail_msg("unexpected pax record '%s'",
						 key);
				assert_int_equal(r[rlen - 1], '\n');
				r += rlen;
			}
		} else {
			assert_int_equal(h[156], '0');
			entries++;
		}
		off += 512 + (size + 511) / 512 * 512;
	}
}

static struct al_tar_writer *new_writer(struct membuf *m)
{
	struct al_tar_writer *w = NULL;
	struct al_error err;

	assert_int_equal(al_tar_writer_new(&w, mem_sink, m, MTIME, &err), 0);
	assert_non_null(w);
	return w;
}

static const char manifest[] = "{\"airlock\":1}\n";
#define NAME_NONASCII "attachments/r\xc3\xa9sum\xc3\xa9-\xe2\x9c\x93.txt"
#define NAME_NFD      "attachments/cafe\xcc\x81.log"

/* A name of exactly len bytes under attachments/. */
static void long_name(char *out, size_t len, char fill)
{
	memcpy(out, "attachments/", 12);
	memset(out + 12, fill, len - 12);
	out[len] = '\0';
}

/* The same archive every time: mixed names, an empty file, an fd entry. */
static void write_sample(struct membuf *m)
{
	static const char poc[] = "#!/bin/sh\necho pwned\n";
	char n101[128], n255[256];
	struct al_tar_writer *w = new_writer(m);
	struct al_error err;
	int fd = open_file("poc.sh", poc, sizeof(poc) - 1);

	long_name(n101, 101, 'a');
	long_name(n255, 255, 'z');
	assert_int_equal(al_tar_writer_add_mem(w, "manifest.json", manifest,
					       sizeof(manifest) - 1, &err),
			 0);
	assert_int_equal(al_tar_writer_add_mem(w, NAME_NFD, "x", 1, &err), 0);
	assert_int_equal(al_tar_writer_add_mem(w, NAME_NONASCII, "y", 1, &err),
			 0);
	assert_int_equal(al_tar_writer_add_mem(w, n101, "101", 3, &err), 0);
	assert_int_equal(al_tar_writer_add_mem(w, n255, "255", 3, &err), 0);
	assert_int_equal(
		al_tar_writer_add_mem(w, "attachments/empty", NULL, 0, &err),
		0);
	assert_int_equal(al_tar_writer_add_fd(w, "attachments/poc.sh", fd,
					      sizeof(poc) - 1, NULL, &err),
			 0);
	assert_int_equal(al_tar_writer_finish(w, &err), 0);
	al_tar_writer_free(w);
	close(fd);
}

/* ---- tests ---- */

static void test_archive__lists_entries_with_fixed_metadata(void **state)
{
	struct membuf m = {0};
	char out[4096], want[4096], line[600];
	struct al_tar_writer *w;
	struct al_error err;

	(void)state;
	w = new_writer(&m);
	assert_int_equal(al_tar_writer_add_mem(w, "manifest.json", manifest,
					       sizeof(manifest) - 1, &err),
			 0);
	assert_int_equal(
		al_tar_writer_add_mem(w, "attachments/b.txt", "bee", 3, &err),
		0);
	assert_int_equal(al_tar_writer_add_mem(w, "attachments/a.txt",
					       "a\0binary\xff", 10, &err),
			 0);
	assert_int_equal(al_tar_writer_finish(w, &err), 0);
	al_tar_writer_free(w);

	list_with_python(&m, out, sizeof(out));
	want[0] = '\0';
	expect_line(line, sizeof(line), "manifest.json", manifest,
		    sizeof(manifest) - 1, "");
	strncat(want, line, sizeof(want) - strlen(want) - 1);
	expect_line(line, sizeof(line), "attachments/b.txt", "bee", 3, "");
	strncat(want, line, sizeof(want) - strlen(want) - 1);
	expect_line(line, sizeof(line), "attachments/a.txt", "a\0binary\xff",
		    10, "");
	strncat(want, line, sizeof(want) - strlen(want) - 1);
	assert_string_equal(out, want);
	membuf_release(&m);
}

static void test_archive__raw_headers_hold_nothing_varying(void **state)
{
	struct membuf m = {0};

	(void)state;
	write_sample(&m);
	/* the 101- and 255-byte names and the non-ASCII ones need a pax
	 * header; nothing but 'path' may appear in it */
	assert_int_equal(walk_raw(&m, "path"), 7);
	/* ustar mtime field of the first header */
	assert_int_equal(octal(m.data + 136, 12), MTIME);
	membuf_release(&m);
}

static void test_archive__same_input_gives_same_bytes(void **state)
{
	struct membuf a = {0}, b = {0};

	(void)state;
	write_sample(&a);
	write_sample(&b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	membuf_release(&a);
	membuf_release(&b);
}

static void test_archive__same_bytes_in_another_process(void **state)
{
	struct membuf a = {0}, b = {0};
	char path[128];
	pid_t pid;
	int status;

	(void)state;
	tmp_path(path, sizeof(path), "child.tar");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* another process, another locale and time zone */
		struct membuf c = {0};

		setenv("TZ", "Asia/Kathmandu", 1);
		tzset();
		setlocale(LC_ALL, "C.UTF-8");
		write_sample(&c);
		write_bytes(path, c.data, c.len);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	write_sample(&a);
	{
		char *buf = NULL;
		FILE *f = fopen(path, "rb");
		long n;

		assert_non_null(f);
		assert_int_equal(fseek(f, 0, SEEK_END), 0);
		n = ftell(f);
		rewind(f);
		assert_true(n > 0);
		buf = malloc((size_t)n);
		assert_non_null(buf);
		assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
		fclose(f);
		b.data = (unsigned char *)buf;
		b.len = (size_t)n;
	}
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	membuf_release(&a);
	membuf_release(&b);
}

static void test_archive__non_ascii_names_kept_byte_exact(void **state)
{
	struct membuf m = {0};
	char out[4096], want[2048], line[600];
	struct al_tar_writer *w;
	struct al_error err;

	(void)state;
	w = new_writer(&m);
	assert_int_equal(al_tar_writer_add_mem(w, NAME_NONASCII, "1", 1, &err),
			 0);
	/* decomposed form stays decomposed: the writer does not normalise */
	assert_int_equal(al_tar_writer_add_mem(w, NAME_NFD, "2", 1, &err), 0);
	assert_int_equal(al_tar_writer_finish(w, &err), 0);
	al_tar_writer_free(w);

	assert_int_equal(walk_raw(&m, "path"), 2);
	list_with_python(&m, out, sizeof(out));
	want[0] = '\0';
	expect_line(line, sizeof(line), NAME_NONASCII, "1", 1, "path");
	strncat(want, line, sizeof(want) - strlen(want) - 1);
	expect_line(line, sizeof(line), NAME_NFD, "2", 1, "path");
	strncat(want, line, sizeof(want) - strlen(want) - 1);
	assert_string_equal(out, want);
	membuf_release(&m);
}

static void test_archive__long_names_round_trip(void **state)
{
	static const size_t lens[] = {100, 101, 155, 200, 255};
	struct membuf m = {0};
	char out[8192], want[8192], line[600], name[256];
	struct al_tar_writer *w;
	struct al_error err;

	(void)state;
	w = new_writer(&m);
	want[0] = '\0';
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		long_name(name, lens[i], (char)('a' + i));
		assert_int_equal(
			al_tar_writer_add_mem(w, name, name, lens[i], &err), 0);
		/* ustar splits at the '/' when the rest fits in 100 */
		expect_line(line, sizeof(line), name, name, lens[i],
			    lens[i] - 12 > 100 ? "path" : "");
		strncat(want, line, sizeof(want) - strlen(want) - 1);
	}
	/* 101 bytes with no '/' to split at */
	memset(name, 'n', 101);
	name[101] = '\0';
	assert_int_equal(al_tar_writer_add_mem(w, name, "n", 1, &err), 0);
	expect_line(line, sizeof(line), name, "n", 1, "path");
	strncat(want, line, sizeof(want) - strlen(want) - 1);
	/* an ASCII name ustar can split at a '/': no pax header at all */
	memset(name, 'd', 150);
	memcpy(name + 100, "/", 1);
	name[150] = '\0';
	assert_int_equal(al_tar_writer_add_mem(w, name, "s", 1, &err), 0);
	expect_line(line, sizeof(line), name, "s", 1, "");
	strncat(want, line, sizeof(want) - strlen(want) - 1);
	assert_int_equal(al_tar_writer_finish(w, &err), 0);
	al_tar_writer_free(w);

	assert_int_equal(walk_raw(&m, "path"), 7);
	list_with_python(&m, out, sizeof(out));
	assert_string_equal(out, want);
	membuf_release(&m);
}

static void test_archive__refuses_name_over_255_bytes(void **state)
{
	struct membuf m = {0};
	char name[300];
	struct al_tar_writer *w;
	struct al_error err;

	(void)state;
	w = new_writer(&m);
	long_name(name, 256, 'q');
	assert_int_equal(al_tar_writer_add_mem(w, name, "x", 1, &err),
			 AL_EINVAL);
	assert_non_null(strstr(
		err.msg, "name is 256 bytes, more than the limit of 255"));
	assert_int_equal(m.len, 0);
	/* nothing was written: the writer goes on */
	assert_int_equal(al_tar_writer_add_mem(w, "ok", "x", 1, &err), 0);
	assert_int_equal(al_tar_writer_finish(w, &err), 0);
	assert_int_equal(walk_raw(&m, ""), 1);
	al_tar_writer_free(w);
	membuf_release(&m);
}

static void test_archive__refuses_unsafe_names(void **state)
{
	static const struct {
		const char *name;
		const char *msg;
	} bad[] = {
		{"", "archive entry '': empty name"},
		{"/etc/passwd", "archive entry '/etc/passwd': absolute path"},
		{"attachments/../x", "'..' component"},
		{"..", "'..' component"},
		{"./x", "has a '.' component"},
		{"a//b", "has an empty component"},
		{"attachments/", "has an empty component"},
		{"a\\b", "contains a backslash"},
		{"a\nb", "archive entry 'a\\nb': contains a control "
			 "or bidi character"},
		{"a\xe2\x80\xae"
		 "exe.txt",
		 "contains a control or bidi character"},
		{"a\xff.txt", "archive entry 'a\\xff.txt': not valid "
			      "UTF-8"},
		{"a\xc0\xaf", "not valid UTF-8"},
	};
	struct membuf m = {0};
	struct al_tar_writer *w;
	struct al_error err;
	int fd = open_file("unsafe", "x", 1);

	(void)state;
	w = new_writer(&m);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(
			al_tar_writer_add_mem(w, bad[i].name, "x", 1, &err),
			AL_EINVAL);
		if (!strstr(err.msg, bad[i].msg))
			fail_msg("'%s': got '%s'", bad[i].msg, err.msg);
		assert_int_equal(
			al_tar_writer_add_fd(w, bad[i].name, fd, 1, NULL, &err),
			AL_EINVAL);
	}
	assert_int_equal(al_tar_writer_add_mem(w, NULL, "x", 1, &err),
			 AL_EINVAL);
	assert_int_equal(m.len, 0);
	assert_int_equal(al_tar_writer_finish(w, &err), 0);
	assert_int_equal(walk_raw(&m, ""), 0);
	al_tar_writer_free(w);
	membuf_release(&m);
	close(fd);
}

static void test_archive__empty_files(void **state)
{
	struct membuf m = {0};
	char out[2048], want[2048], line[600];
	struct al_tar_writer *w;
	struct al_error err;
	int fd = open_file("empty", "", 0);

	(void)state;
	w = new_writer(&m);
	assert_int_equal(al_tar_writer_add_mem(w, "a", NULL, 0, &err), 0);
	assert_int_equal(al_tar_writer_add_fd(w, "b", fd, 0, NULL, &err), 0);
	assert_int_equal(al_tar_writer_finish(w, &err), 0);
	al_tar_writer_free(w);
	close(fd);

	/* two headers and the two end records, nothing else */
	assert_int_equal(m.len, 4 * 512);
	assert_int_equal(walk_raw(&m, ""), 2);
	list_with_python(&m, out, sizeof(out));
	want[0] = '\0';
	expect_line(line, sizeof(line), "a", "", 0, "");
	strncat(want, line, sizeof(want) - strlen(want) - 1);
	expect_line(line, sizeof(line), "b", "", 0, "");
	strncat(want, line, sizeof(want) - strlen(want) - 1);
	assert_string_equal(out, want);
	membuf_release(&m);
}

static void test_archive__sink_error_propagates(void **state)
{
	struct membuf m = {0};
	struct al_tar_writer *w;
	struct al_error err;
	unsigned char *big = calloc(1, 3 * 10240);
	size_t calls;

	(void)state;
	assert_non_null(big);
	m.fail_at = 10240; /* the second block fails */
	m.fail_code = AL_EIO;
	w = new_writer(&m);
	assert_int_equal(al_tar_writer_add_mem(w, "big", big, 3 * 10240, &err),
			 AL_EIO);
	assert_int_equal(err.code, AL_EIO);
	assert_string_equal(err.msg, "output 'vault.tmp': no space left");
	calls = m.calls;
	/* the archive is spoilt: no more entries, no end blocks */
	assert_int_equal(al_tar_writer_add_mem(w, "more", "x", 1, &err),
			 AL_EUSAGE);
	assert_non_null(strstr(err.msg, "an earlier write failed"));
	assert_int_equal(al_tar_writer_finish(w, &err), AL_EUSAGE);
	al_tar_writer_free(w);
	assert_int_equal(m.calls, calls);
	assert_int_equal(m.len, 10240);
	free(big);
	membuf_release(&m);
}

static void test_archive__sink_error_at_finish_propagates(void **state)
{
	struct membuf m = {0};
	struct al_tar_writer *w;
	struct al_error err;

	(void)state;
	m.fail_at = 1; /* any write at all */
	m.fail_code = AL_ECRYPTO;
	m.fail_quietly = 1; /* a sink that forgot its message */
	w = new_writer(&m);
	/* small entries stay in libarchive's block until finish */
	assert_int_equal(al_tar_writer_add_mem(w, "a", "x", 1, &err), 0);
	assert_int_equal(al_tar_writer_finish(w, &err), AL_ECRYPTO);
	assert_string_equal(err.msg, "archive: writing failed (gpg error)");
	al_tar_writer_free(w);
	assert_int_equal(m.len, 0);
	membuf_release(&m);
}

static void test_archive__add_fd_refuses_short_file(void **state)
{
	struct membuf m = {0};
	struct al_tar_writer *w;
	struct al_error err;
	int fd = open_file("short", "12345", 5);
	size_t len;

	(void)state;
	w = new_writer(&m);
	assert_int_equal(
		al_tar_writer_add_fd(w, "attachments/short", fd, 6, NULL, &err),
		AL_EIO);
	assert_string_equal(err.msg, "'attachments/short': changed while "
				     "being read (ended after 5 of 6 bytes)");
	len = m.len;
	assert_int_equal(al_tar_writer_add_mem(w, "b", "x", 1, &err),
			 AL_EUSAGE);
	al_tar_writer_free(w);
	/* freeing wrote nothing: no padding, no end records */
	assert_int_equal(m.len, len);
	close(fd);
	membuf_release(&m);
}

static void test_archive__add_fd_refuses_long_file(void **state)
{
	struct membuf m = {0};
	struct al_tar_writer *w;
	struct al_error err;
	int fd = open_file("long", "1234567", 7);

	(void)state;
	w = new_writer(&m);
	assert_int_equal(
		al_tar_writer_add_fd(w, "attachments/long", fd, 6, NULL, &err),
		AL_EIO);
	assert_string_equal(err.msg, "'attachments/long': changed while "
				     "being read (more than 6 bytes)");
	assert_int_equal(al_tar_writer_finish(w, &err), AL_EUSAGE);
	al_tar_writer_free(w);
	close(fd);
	membuf_release(&m);
}

static void test_archive__add_fd_reports_read_error(void **state)
{
	struct membuf m = {0};
	struct al_tar_writer *w;
	struct al_error err;
	int fd = open(tmpdir, O_RDONLY | O_DIRECTORY);

	(void)state;
	assert_true(fd >= 0);
	w = new_writer(&m);
	assert_int_equal(al_tar_writer_add_fd(w, "dir", fd, 10, NULL, &err),
			 AL_EIO);
	assert_string_equal(err.msg, "'dir': read failed: Is a directory");
	al_tar_writer_free(w);
	close(fd);
	membuf_release(&m);
}

static void test_archive__add_fd_hash_is_sha256_of_content(void **state)
{
	/* not a multiple of the 64 KiB chunk nor of a tar record */
	const size_t len = 3 * 65536 + 12345;
	unsigned char *data = malloc(len);
	struct membuf m = {0};
	struct al_tar_writer *w;
	struct al_sha256 *h = NULL;
	struct al_error err;
	char got[AL_SHA256_HEX], want[AL_SHA256_HEX];
	char out[1024], line[600];
	uint32_t x = 12345;
	int fd;

	(void)state;
	assert_non_null(data);
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		data[i] = (unsigned char)(x >> 24);
	}
	fd = open_file("random.bin", data, len);
	assert_int_equal(al_sha256_new(&h, &err), 0);
	w = new_writer(&m);
	assert_int_equal(al_tar_writer_add_fd(w, "attachments/random.bin", fd,
					      len, h, &err),
			 0);
	assert_int_equal(al_tar_writer_finish(w, &err), 0);
	al_tar_writer_free(w);
	al_sha256_final(h, got, NULL);
	al_sha256_free(h);
	al_sha256_hex(data, len, want);
	assert_string_equal(got, want);

	list_with_python(&m, out, sizeof(out));
	expect_line(line, sizeof(line), "attachments/random.bin", data, len,
		    "");
	assert_string_equal(out, line);
	close(fd);
	free(data);
	membuf_release(&m);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void test_archive__add_fd_survives_short_reads_and_eintr(void **state)
{
	struct membuf m = {0};
	struct al_tar_writer *w;
	struct al_error err;
	struct sigaction sa, old;
	struct itimerval it = {{0, 500}, {0, 500}}, off = {{0, 0}, {0, 0}};
	char out[1024], line[600], piece[1000];
	int pfd[2], status;
	pid_t pid;

	(void)state;
	memset(piece, 'p', sizeof(piece));
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* a slow writer: 20 pieces of 1000 bytes */
		struct timespec ts = {0, 5 * 1000 * 1000};

		close(pfd[0]);
		for (int i = 0; i < 20; i++) {
			if (write(pfd[1], piece, sizeof(piece)) !=
			    (ssize_t)sizeof(piece))
				_exit(1);
			nanosleep(&ts, NULL);
		}
		_exit(0);
	}
	close(pfd[1]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm; /* no SA_RESTART: read sees EINTR */
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);

	w = new_writer(&m);
	assert_int_equal(
		al_tar_writer_add_fd(w, "piped", pfd[0], 20000, NULL, &err), 0);
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	assert_int_equal(al_tar_writer_finish(w, &err), 0);
	al_tar_writer_free(w);
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	{
		char *all = malloc(20000);

		assert_non_null(all);
		memset(all, 'p', 20000);
		list_with_python(&m, out, sizeof(out));
		expect_line(line, sizeof(line), "piped", all, 20000, "");
		assert_string_equal(out, line);
		free(all);
	}
	membuf_release(&m);
}

static void test_archive__add_fd_streams_64_mib_in_constant_memory(void **state)
{
	char path[128];
	pid_t pid;
	int status;

	(void)state;
	tmp_path(path, sizeof(path), "sparse.bin");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* in a child, so the peak RSS is this case's alone */
		const uint64_t size = 64 * (uint64_t)MIB;
		struct counter c = {0};
		struct al_tar_writer *w = NULL;
		struct al_sha256 *h = NULL;
		struct al_error err;
		struct rusage before, after;
		char got[AL_SHA256_HEX];
		int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

		if (fd < 0 || ftruncate(fd, (off_t)size) != 0)
			_exit(10);
		if (al_tar_writer_new(&w, count_sink, &c, MTIME, &err) ||
		    al_sha256_new(&h, &err))
			_exit(11);
		/* warm up: the first entry allocates what libarchive needs */
		if (al_tar_writer_add_mem(w, "warm", "x", 1, &err))
			_exit(12);
		getrusage(RUSAGE_SELF, &before);
		if (al_tar_writer_add_fd(w, "attachments/zero.bin", fd, size, h,
					 &err))
			_exit(13);
		if (al_tar_writer_finish(w, &err))
			_exit(14);
		getrusage(RUSAGE_SELF, &after);
		al_tar_writer_free(w);
		al_sha256_final(h, got, NULL);
		al_sha256_free(h);
		/* 64 MiB of zeros */
		if (strcmp(got, "3b6a07d0d404fab4e23b6d34bc6696a6a312dd92821332"
				"385e5af7c01c421351") != 0)
			_exit(15);
		/* two headers, "x" padded, the data, the end records */
		if (c.total != 3 * 512 + size + 1024)
			_exit(16);
		if (c.max_call > 10240)
			_exit(17);
		/* the peak grew by far less than the file (ru_maxrss: KiB) */
		if (after.ru_maxrss - before.ru_maxrss > 8 * 1024)
			_exit(18);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	unlink(path);
}

static void test_archive__gnu_tar_lists_without_warnings(void **state)
{
	struct membuf m = {0};
	char path[128], out[8192];
	char *argv[7];

	(void)state;
	write_sample(&m);
	tmp_path(path, sizeof(path), "gnu.tar");
	write_bytes(path, m.data, m.len);
	/* a UTF-8 locale, or GNU tar shows non-ASCII names as \ooo */
	argv[0] = (char *)"env";
	argv[1] = (char *)"LC_ALL=C.UTF-8";
	argv[2] = (char *)"tar";
	argv[3] = (char *)"--utc";
	argv[4] = (char *)"-tvf";
	argv[5] = path;
	argv[6] = NULL;
	assert_int_equal(run_capture(argv, out, sizeof(out)), 0);
	assert_null(strstr(out, "tar:")); /* no warning of any kind */
	assert_non_null(strstr(out, "-rw-r--r-- 0/0              14 "
				    "2025-11-22 10:00 manifest.json\n"));
	assert_non_null(strstr(out, " " NAME_NONASCII "\n"));
	assert_non_null(strstr(out, " " NAME_NFD "\n"));
	assert_non_null(strstr(out, " attachments/empty\n"));
	membuf_release(&m);
}

static void test_archive__mtime_past_2038_is_kept(void **state)
{
	const int64_t t = 4102444800; /* 2100-01-01 */
	struct membuf m = {0}, m2 = {0};
	struct al_tar_writer *w = NULL;
	struct al_error err;
	char out[1024], want[64];

	(void)state;
	for (int i = 0; i < 2; i++) {
		struct membuf *p = i ? &m2 : &m;

		assert_int_equal(al_tar_writer_new(&w, mem_sink, p, t, &err),
				 0);
		assert_int_equal(al_tar_writer_add_mem(w, "a", "x", 1, &err),
				 0);
		assert_int_equal(al_tar_writer_finish(w, &err), 0);
		al_tar_writer_free(w);
	}
	assert_int_equal(m.len, m2.len);
	assert_memory_equal(m.data, m2.data, m.len);
	/* ustar's field is too narrow for signed readers: a pax 'mtime' */
	assert_int_equal(walk_raw(&m, "mtime"), 1);
	list_with_python(&m, out, sizeof(out));
	snprintf(want, sizeof(want), "|%lld|0|", (long long)t);
	assert_non_null(strstr(out, want));
	membuf_release(&m);
	membuf_release(&m2);
}

static void test_archive__refuses_use_after_finish(void **state)
{
	struct membuf m = {0};
	struct al_tar_writer *w;
	struct al_error err;
	size_t len;

	(void)state;
	w = new_writer(&m);
	assert_int_equal(al_tar_writer_finish(w, &err), 0);
	/* an empty archive is just the two end records */
	assert_int_equal(m.len, 1024);
	assert_true(all_zero(m.data, 1024));
	len = m.len;
	assert_int_equal(al_tar_writer_add_mem(w, "a", "x", 1, &err),
			 AL_EUSAGE);
	assert_string_equal(err.msg, "archive: already finished");
	assert_int_equal(al_tar_writer_finish(w, &err), AL_EUSAGE);
	al_tar_writer_free(w);
	assert_int_equal(m.len, len);
	membuf_release(&m);
}

static void test_archive__free_without_finish_writes_nothing(void **state)
{
	struct membuf m = {0};
	struct al_tar_writer *w;
	struct al_error err;

	(void)state;
	w = new_writer(&m);
	assert_int_equal(al_tar_writer_add_mem(w, "a", "x", 1, &err), 0);
	al_tar_writer_free(w);
	/* the entry sat in libarchive's block and was dropped */
	assert_int_equal(m.calls, 0);
	al_tar_writer_free(NULL);
	membuf_release(&m);
}

static void test_archive__refuses_bad_arguments(void **state)
{
	struct membuf m = {0};
	struct al_tar_writer *w;
	struct al_error err;
	int fd = open_file("args", "x", 1);

	(void)state;
	w = new_writer(&m);
	assert_int_equal(
		al_tar_writer_add_fd(w, "huge", fd, UINT64_MAX, NULL, &err),
		AL_ELIMIT);
	assert_string_equal(err.msg, "archive entry 'huge': size "
				     "18446744073709551615 is too large");
	assert_int_equal(al_tar_writer_add_fd(w, "nofd", -1, 1, NULL, &err),
			 AL_EUSAGE);
	assert_string_equal(err.msg, "archive entry 'nofd': no file given");
	assert_int_equal(al_tar_writer_add_mem(w, "nobuf", NULL, 3, &err),
			 AL_EUSAGE);
	assert_string_equal(err.msg, "archive entry 'nobuf': no data given");
	/* none of these wrote anything: the writer goes on */
	assert_int_equal(m.len, 0);
	assert_int_equal(al_tar_writer_add_fd(w, "x", fd, 1, NULL, &err), 0);
	assert_int_equal(al_tar_writer_finish(w, &err), 0);
	assert_int_equal(walk_raw(&m, ""), 1);
	al_tar_writer_free(w);
	close(fd);
	membuf_release(&m);
}

static void test_archive__new_refuses_missing_sink(void **state)
{
	struct al_tar_writer *w = (struct al_tar_writer *)&w;
	struct al_error err;

	(void)state;
	assert_int_equal(al_tar_writer_new(&w, NULL, NULL, MTIME, &err),
			 AL_EUSAGE);
	assert_null(w);
	assert_string_equal(err.msg, "archive: no sink given");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_archive__lists_entries_with_fixed_metadata),
		cmocka_unit_test(
			test_archive__raw_headers_hold_nothing_varying),
		cmocka_unit_test(test_archive__same_input_gives_same_bytes),
		cmocka_unit_test(test_archive__same_bytes_in_another_process),
		cmocka_unit_test(test_archive__non_ascii_names_kept_byte_exact),
		cmocka_unit_test(test_archive__long_names_round_trip),
		cmocka_unit_test(test_archive__refuses_name_over_255_bytes),
		cmocka_unit_test(test_archive__refuses_unsafe_names),
		cmocka_unit_test(test_archive__empty_files),
		cmocka_unit_test(test_archive__sink_error_propagates),
		cmocka_unit_test(test_archive__sink_error_at_finish_propagates),
		cmocka_unit_test(test_archive__add_fd_refuses_short_file),
		cmocka_unit_test(test_archive__add_fd_refuses_long_file),
		cmocka_unit_test(test_archive__add_fd_reports_read_error),
		cmocka_unit_test(
			test_archive__add_fd_hash_is_sha256_of_content),
		cmocka_unit_test(
			test_archive__add_fd_survives_short_reads_and_eintr),
		cmocka_unit_test(
			test_archive__add_fd_streams_64_mib_in_constant_memory),
		cmocka_unit_test(test_archive__gnu_tar_lists_without_warnings),
		cmocka_unit_test(test_archive__mtime_past_2038_is_kept),
		cmocka_unit_test(test_archive__refuses_use_after_finish),
		cmocka_unit_test(
			test_archive__free_without_finish_writes_nothing),
		cmocka_unit_test(test_archive__refuses_bad_arguments),
		cmocka_unit_test(test_archive__new_refuses_missing_sink),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
