/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "al_error.h"
#include "al_hash.h"
#include "al_io.h"
#include "al_store.h"

/* sha256("hello"), sha256("") */
#define HELLO "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
#define EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* the blob write is an al_sink_fn */
static const al_sink_fn blob_sink = al_blob_write;

/* ---- fixture: a fresh vault folder per test ---------------------------- */

struct fx {
	char dir[64];
	int vault_fd;
	struct al_store *s;
};

static char *at(struct fx *f, const char *rel)
{
	static char path[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(path[i], sizeof(path[i]), "%s/%s", f->dir, rel);
	return path[i];
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	unsetenv("AL_STORE_NO_TMPFILE");
	snprintf(f->dir, sizeof(f->dir), "/tmp/al-store-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->vault_fd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->vault_fd < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];
	int rc;

	unsetenv("AL_STORE_NO_TMPFILE");
	al_store_close(f->s);
	close(f->vault_fd);
	snprintf(cmd, sizeof(cmd), "chmod -R u+rwX '%s' && rm -rf '%s'", f->dir,
		 f->dir);
	rc = system(cmd);
	free(f);
	return rc == 0 ? 0 : -1;
}

/* The fixture's store, created. */
static struct al_store *store(struct fx *f)
{
	struct al_error err = {0};

	if (!f->s && al_store_open(f->vault_fd, true, &f->s, &err) != 0)
		fail_msg("al_store_open: %s", err.msg);
	return f->s;
}

/* Store buf as a blob; rc is commit's. */
static int put(struct fx *f, const void *buf, size_t len, char hex[65],
	       bool *existed, struct al_error *err)
{
	struct al_blob *b;
	uint64_t size;
	bool ex;
	int rc;

	if (al_blob_begin(store(f), &b, err) != 0)
		fail_msg("al_blob_begin: %s", err->msg);
	if (al_blob_write(b, buf, len, err) != 0)
		fail_msg("al_blob_write: %s", err->msg);
	rc = al_blob_commit(b, hex, &size, existed ? existed : &ex, err);
	if (rc == 0)
		assert_int_equal(size, len);
	return rc;
}

static void put_ok(struct fx *f, const char *s, char hex[65], bool *existed)
{
	struct al_error err = {0};

	if (put(f, s, strlen(s), hex, existed, &err) != 0)
		fail_msg("commit: %s", err.msg);
}

static void expect_err(int rc, const struct al_error *err, int code,
		       const char *part)
{
	assert_int_equal(rc, code);
	assert_int_equal(err->code, code);
	if (!strstr(err->msg, part))
		fail_msg("message '%s' lacks '%s'", err->msg, part);
}

/* What al_store_walk saw. */
struct seen {
	int blobs, others;
	char hex[8][65];
	char other[8][300];
	int stop_at; /* return 7 at this call (1-based), 0: never */
	int calls;
};

static int collect(void *ctx, const char *hex, const char *name,
		   struct al_error *err)
{
	struct seen *s = ctx;

	(void)err;
	assert_non_null(name);
	if (hex) {
		if (s->blobs < 8)
			snprintf(s->hex[s->blobs], 65, "%s", hex);
		s->blobs++;
		assert_int_equal(strlen(name), 67);
		assert_memory_equal(name, hex, 2);
		assert_string_equal(name + 3, hex);
	} else {
		if (s->others < 8)
			snprintf(s->other[s->others], 300, "%s", name);
		s->others++;
	}
	return ++s->calls == s->stop_at ? 7 : 0;
}

static struct seen walk(struct fx *f)
{
	struct al_error err = {0};
	struct seen s;

	memset(&s, 0, sizeof(s));
	if (al_store_walk(store(f), collect, &s, &err) != 0)
		fail_msg("walk: %s", err.msg);
	return s;
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode;
}

static void write_file(const char *path, const char *s, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static bool tmpfile_works(const char *dir)
{
	int fd = open(dir, O_TMPFILE | O_WRONLY, 0600);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* ---- publishing -------------------------------------------------------- */

static void test_store__write_commit_read_back_verify(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	char hex[65], back[16];
	bool existed = true;
	struct stat st;
	int fd;

	put_ok(f, "hello", hex, &existed);
	assert_string_equal(hex, HELLO);
	assert_false(existed);
	/* layout and modes */
	assert_int_equal(mode_of(at(f, "store")) & 07777, 0700);
	assert_int_equal(mode_of(at(f, "store/tmp")) & 07777, 0700);
	assert_int_equal(mode_of(at(f, "store/2c")) & 07777, 0700);
	assert_int_equal(lstat(at(f, "store/2c/" HELLO), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0400);
	assert_int_equal(st.st_nlink, 1);
	/* read back */
	assert_int_equal(al_store_open_blob(f->s, HELLO, &fd, &err), 0);
	assert_int_equal(read(fd, back, sizeof(back)), 5);
	assert_memory_equal(back, "hello", 5);
	assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	assert_int_equal(al_store_verify(f->s, HELLO, 5, &err), 0);
	assert_int_equal(al_store_verify(f->s, HELLO, UINT64_MAX, &err), 0);
	/* a store opened again (without create) finds it */
	al_store_close(f->s);
	f->s = NULL;
	assert_int_equal(al_store_open(f->vault_fd, false, &f->s, &err), 0);
	assert_int_equal(al_store_verify(f->s, HELLO, 5, &err), 0);
}

static void test_store__same_bytes_twice_is_one_blob(void **state)
{
	struct fx *f = *state;
	char hex[65], hex2[65];
	bool existed;
	struct seen s;
	struct stat st;

	put_ok(f, "hello", hex, &existed);
	assert_false(existed);
	put_ok(f, "hello", hex2, &existed);
	assert_true(existed);
	assert_string_equal(hex, hex2);
	s = walk(f);
	assert_int_equal(s.blobs, 1);
	assert_int_equal(s.others, 0);
	assert_string_equal(s.hex[0], HELLO);
	assert_int_equal(lstat(at(f, "store/2c/" HELLO), &st), 0);
	assert_int_equal(st.st_nlink, 1);
}

static void test_store__existing_blob_of_another_size_is_refused(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	char hex[65];
	struct seen s;

	store(f);
	assert_int_equal(mkdir(at(f, "store/2c"), 0700), 0);
	write_file(at(f, "store/2c/" HELLO), "hell", 0400);
	expect_err(put(f, "hello", 5, hex, NULL, &err), &err, AL_EINTEGRITY,
		   "store: blob " HELLO " already exists with 4 bytes, not 5");
	assert_string_equal(hex, "");
	/* nothing left behind, the planted file untouched */
	s = walk(f);
	assert_int_equal(s.blobs, 1);
	assert_int_equal(s.others, 0);
	expect_err(al_store_verify(f->s, HELLO, UINT64_MAX, &err), &err,
		   AL_EINTEGRITY, "does not match its hash");
}

static void test_store__empty_blob(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_blob *b;
	char hex[65];
	uint64_t size = 9;
	bool existed;

	assert_int_equal(al_blob_begin(store(f), &b, &err), 0);
	assert_int_equal(al_blob_commit(b, hex, &size, &existed, &err), 0);
	assert_string_equal(hex, EMPTY);
	assert_int_equal(size, 0);
	assert_false(existed);
	assert_int_equal(al_store_verify(f->s, EMPTY, 0, &err), 0);
	expect_err(al_store_verify(f->s, EMPTY, 1, &err), &err, AL_EINTEGRITY,
		   "(0 bytes, expected 1)");
}

static void test_store__large_blob_streamed_in_small_writes(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	size_t total = 3 * 1024 * 1024 + 13, off = 0, step = 1;
	unsigned char *data = malloc(total), *back = malloc(total);
	struct al_blob *b;
	char want[65], hex[65];
	uint64_t size;
	bool existed;
	ssize_t got = 0, r;
	int fd;

	assert_non_null(data);
	assert_non_null(back);
	for (size_t i = 0; i < total; i++)
		data[i] = (unsigned char)(i * 2654435761u >> 13);
	al_sha256_hex(data, total, want);
	assert_int_equal(al_blob_begin(store(f), &b, &err), 0);
	while (off < total) {
		/* 1, 2, ..., 4099 bytes, then one write over the buffer */
		size_t n = off > total / 2 && step < 200000 ? 200000 : step;

		if (n > total - off)
			n = total - off;
		assert_int_equal(blob_sink(b, data + off, n, &err), 0);
		off += n;
		step = step % 4099 + 1;
	}
	assert_int_equal(al_blob_commit(b, hex, &size, &existed, &err), 0);
	assert_string_equal(hex, want);
	assert_int_equal(size, total);
	assert_int_equal(al_store_verify(f->s, want, total, &err), 0);
	assert_int_equal(al_store_open_blob(f->s, want, &fd, &err), 0);
	while ((r = read(fd, back + got, total - (size_t)got)) > 0)
		got += r;
	close(fd);
	assert_int_equal(got, total);
	assert_memory_equal(back, data, total);
	free(data);
	free(back);
}

static void test_store__abort_leaves_nothing(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_blob *b;
	struct seen s;

	assert_int_equal(al_blob_begin(store(f), &b, &err), 0);
	assert_int_equal(al_blob_write(b, "hello", 5, &err), 0);
	/* an O_TMPFILE blob has no name while it is written */
	s = walk(f);
	if (tmpfile_works(at(f, "store/tmp")))
		assert_int_equal(s.others, 0);
	al_blob_abort(b);
	al_blob_abort(NULL);
	s = walk(f);
	assert_int_equal(s.blobs + s.others, 0);

	/* the same with a named temp file: seen while written, then gone */
	setenv("AL_STORE_NO_TMPFILE", "1", 1);
	assert_int_equal(al_blob_begin(store(f), &b, &err), 0);
	assert_int_equal(al_blob_write(b, "hello", 5, &err), 0);
	s = walk(f);
	assert_int_equal(s.others, 1);
	assert_memory_equal(s.other[0], "tmp/blob-", 9);
	al_blob_abort(b);
	s = walk(f);
	assert_int_equal(s.blobs + s.others, 0);
}

static void test_store__fallback_named_temp_publishes(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	char hex[65];
	bool existed;
	struct seen s;
	struct stat st;

	setenv("AL_STORE_NO_TMPFILE", "1", 1);
	put_ok(f, "hello", hex, &existed);
	assert_string_equal(hex, HELLO);
	assert_false(existed);
	put_ok(f, "hello", hex, &existed);
	assert_true(existed);
	s = walk(f);
	assert_int_equal(s.blobs, 1);
	assert_int_equal(s.others, 0); /* the temp names are gone */
	assert_int_equal(lstat(at(f, "store/2c/" HELLO), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0400);
	assert_int_equal(st.st_nlink, 1);
	assert_int_equal(al_store_verify(f->s, HELLO, 5, &err), 0);
}

static void test_store__fallback_leftover_is_found_and_removed(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct seen s;
	pid_t pid;
	int status;

	store(f);
	/* an import that dies while writing (no abort, no commit) */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct al_blob *b;

		setenv("AL_STORE_NO_TMPFILE", "1", 1);
		if (al_blob_begin(f->s, &b, &err) != 0 ||
		    al_blob_write(b, "hello", 5, &err) != 0)
			_exit(1);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	s = walk(f);
	assert_int_equal(s.blobs, 0);
	assert_int_equal(s.others, 1);
	assert_int_equal(strlen(s.other[0]), strlen("tmp/blob-") + 16);
	assert_memory_equal(s.other[0], "tmp/blob-", 9);
	assert_int_equal(al_store_remove_tmp(f->s, s.other[0], &err), 0);
	assert_int_equal(walk(f).others, 0);
	expect_err(al_store_remove_tmp(f->s, s.other[0], &err), &err,
		   AL_ENOTFOUND, "store: 'store/tmp/blob-");
	assert_non_null(strstr(err.msg, "' is missing"));
	/* the bare name works too; nothing outside tmp/ can be named */
	write_file(at(f, "store/tmp/left"), "x", 0600);
	assert_int_equal(al_store_remove_tmp(f->s, "left", &err), 0);
	expect_err(al_store_remove_tmp(f->s, "../2c", &err), &err, AL_EINVAL,
		   "store: '../2c' is not a name in 'store/tmp'");
	expect_err(al_store_remove_tmp(f->s, "tmp/a/b", &err), &err, AL_EINVAL,
		   "is not a name in");
	expect_err(al_store_remove_tmp(f->s, "tmp/..", &err), &err, AL_EINVAL,
		   "is not a name in");
	expect_err(al_store_remove_tmp(f->s, "", &err), &err, AL_EINVAL,
		   "is not a name in");
}

/* ---- refusals ---------------------------------------------------------- */

static void test_store__refuses_symlinked_store(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_store *s = (struct al_store *)1;

	assert_int_equal(mkdir(at(f, "elsewhere"), 0700), 0);
	assert_int_equal(symlink("elsewhere", at(f, "store")), 0);
	expect_err(al_store_open(f->vault_fd, false, &s, &err), &err,
		   AL_EINTEGRITY, "store: 'store' is a symbolic link");
	assert_null(s);
	expect_err(al_store_open(f->vault_fd, true, &s, &err), &err,
		   AL_EINTEGRITY, "store: 'store' is a symbolic link");
	/* nothing was created through the link */
	assert_int_equal(access(at(f, "elsewhere/tmp"), F_OK), -1);
	/* a file where the folder should be */
	assert_int_equal(unlink(at(f, "store")), 0);
	write_file(at(f, "store"), "x", 0600);
	expect_err(al_store_open(f->vault_fd, true, &s, &err), &err,
		   AL_EINTEGRITY, "store: 'store' is not a folder");
}

static void test_store__refuses_symlinked_sub_folder(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	char hex[65];
	struct seen s;
	int fd;

	store(f);
	assert_int_equal(mkdir(at(f, "real-2c"), 0700), 0);
	assert_int_equal(symlink("../real-2c", at(f, "store/2c")), 0);
	expect_err(put(f, "hello", 5, hex, NULL, &err), &err, AL_EINTEGRITY,
		   "store: 'store/2c' is a symbolic link");
	expect_err(al_store_open_blob(f->s, HELLO, &fd, &err), &err,
		   AL_EINTEGRITY, "store: 'store/2c' is a symbolic link");
	assert_int_equal(fd, -1);
	expect_err(al_store_remove(f->s, HELLO, true, &err), &err,
		   AL_EINTEGRITY, "'store/2c' is a symbolic link");
	/* nothing went through it; walk reports it as a stray */
	assert_int_equal(access(at(f, "real-2c/" HELLO), F_OK), -1);
	s = walk(f);
	assert_int_equal(s.blobs, 0);
	assert_int_equal(s.others, 1);
	assert_string_equal(s.other[0], "2c");
	/* the tmp/ folder too */
	al_store_close(f->s);
	f->s = NULL;
	assert_int_equal(rmdir(at(f, "store/tmp")), 0);
	assert_int_equal(symlink("../real-2c", at(f, "store/tmp")), 0);
	expect_err(al_store_open(f->vault_fd, true, &f->s, &err), &err,
		   AL_EINTEGRITY, "store: 'store/tmp' is a symbolic link");
}

static void test_store__refuses_symlinked_blob(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	char hex[65];
	struct seen s;
	int fd;

	store(f);
	write_file(at(f, "target"), "hello", 0400);
	assert_int_equal(mkdir(at(f, "store/2c"), 0700), 0);
	assert_int_equal(symlink("../../target", at(f, "store/2c/" HELLO)), 0);
	expect_err(al_store_open_blob(f->s, HELLO, &fd, &err), &err,
		   AL_EINTEGRITY,
		   "store: 'store/2c/" HELLO "' is a symbolic link");
	expect_err(al_store_verify(f->s, HELLO, 5, &err), &err, AL_EINTEGRITY,
		   "is a symbolic link");
	/* a replay of those bytes does not accept the link as the blob */
	expect_err(put(f, "hello", 5, hex, NULL, &err), &err, AL_EINTEGRITY,
		   "is a symbolic link");
	expect_err(al_store_remove(f->s, HELLO, false, &err), &err,
		   AL_EINTEGRITY, "is a symbolic link");
	s = walk(f);
	assert_int_equal(s.blobs, 0);
	assert_int_equal(s.others, 1);
	assert_string_equal(s.other[0], "2c/" HELLO);
}

static void test_store__refuses_group_or_other_permissions(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_store *s2;
	char hex[65];
	int fd;

	put_ok(f, "hello", hex, NULL);
	assert_int_equal(chmod(at(f, "store"), 0770), 0);
	expect_err(al_store_open(f->vault_fd, false, &s2, &err), &err,
		   AL_EINTEGRITY,
		   "store: 'store' has mode 0770: group or other permission "
		   "bits are not allowed");
	assert_int_equal(chmod(at(f, "store"), 0700), 0);
	assert_int_equal(chmod(at(f, "store/tmp"), 0705), 0);
	expect_err(al_store_open(f->vault_fd, false, &s2, &err), &err,
		   AL_EINTEGRITY, "'store/tmp' has mode 0705");
	assert_int_equal(chmod(at(f, "store/tmp"), 0700), 0);
	/* a sub-folder, then the blob itself */
	assert_int_equal(chmod(at(f, "store/2c"), 0755), 0);
	expect_err(al_store_open_blob(f->s, HELLO, &fd, &err), &err,
		   AL_EINTEGRITY, "'store/2c' has mode 0755");
	expect_err(put(f, "hello", 5, hex, NULL, &err), &err, AL_EINTEGRITY,
		   "'store/2c' has mode 0755");
	assert_int_equal(chmod(at(f, "store/2c"), 0700), 0);
	assert_int_equal(chmod(at(f, "store/2c/" HELLO), 0440), 0);
	expect_err(al_store_open_blob(f->s, HELLO, &fd, &err), &err,
		   AL_EINTEGRITY,
		   "'store/2c/" HELLO "' has mode 0440: group or other");
	assert_int_equal(chmod(at(f, "store/2c/" HELLO), 0400), 0);
	assert_int_equal(al_store_verify(f->s, HELLO, 5, &err), 0);
}

static void test_store__refuses_another_owner(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_store *s2;
	char hex[65];
	int fd;

	if (geteuid() != 0) {
		skip(); /* only root can give a file away */
		return;
	}
	put_ok(f, "hello", hex, NULL);
	assert_int_equal(chown(at(f, "store/2c/" HELLO), 12345, 0), 0);
	expect_err(al_store_open_blob(f->s, HELLO, &fd, &err), &err,
		   AL_EINTEGRITY,
		   "'store/2c/" HELLO "' is owned by uid 12345, not by uid 0");
	assert_int_equal(chown(at(f, "store/2c"), 12345, 0), 0);
	expect_err(al_store_verify(f->s, HELLO, 5, &err), &err, AL_EINTEGRITY,
		   "store: 'store/2c' is owned by uid 12345");
	assert_int_equal(chown(at(f, "store"), 12345, 0), 0);
	expect_err(al_store_open(f->vault_fd, false, &s2, &err), &err,
		   AL_EINTEGRITY, "store: 'store' is owned by uid 12345");
}

static void test_store__fifo_at_blob_name_does_not_block(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	int fd;

	store(f);
	assert_int_equal(mkdir(at(f, "store/2c"), 0700), 0);
	assert_int_equal(mkfifo(at(f, "store/2c/" HELLO), 0600), 0);
	alarm(10); /* a blocking open would hang: fail instead */
	expect_err(al_store_open_blob(f->s, HELLO, &fd, &err), &err,
		   AL_EINTEGRITY,
		   "store: 'store/2c/" HELLO "' is not a regular file");
	expect_err(al_store_verify(f->s, HELLO, 5, &err), &err, AL_EINTEGRITY,
		   "is not a regular file");
	expect_err(al_store_remove(f->s, HELLO, false, &err), &err,
		   AL_EINTEGRITY, "is not a regular file");
	alarm(0);
	/* a folder at the name */
	assert_int_equal(unlink(at(f, "store/2c/" HELLO)), 0);
	assert_int_equal(mkdir(at(f, "store/2c/" HELLO), 0700), 0);
	expect_err(al_store_open_blob(f->s, HELLO, &fd, &err), &err,
		   AL_EINTEGRITY, "is not a regular file");
}

/* ---- verify, missing, remove ------------------------------------------ */

static void test_store__verify_detects_a_flipped_byte(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	char hex[65];
	int fd;

	put_ok(f, "hello", hex, NULL);
	assert_int_equal(chmod(at(f, "store/2c/" HELLO), 0600), 0);
	fd = open(at(f, "store/2c/" HELLO), O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "j", 1, 0), 1);
	close(fd);
	expect_err(al_store_verify(f->s, HELLO, 5, &err), &err, AL_EINTEGRITY,
		   "store: blob " HELLO " does not match its hash");
	expect_err(al_store_verify(f->s, HELLO, UINT64_MAX, &err), &err,
		   AL_EINTEGRITY, "does not match its hash");
}

static void test_store__verify_detects_a_truncated_blob(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	char hex[65];

	put_ok(f, "hello", hex, NULL);
	assert_int_equal(chmod(at(f, "store/2c/" HELLO), 0600), 0);
	assert_int_equal(truncate(at(f, "store/2c/" HELLO), 4), 0);
	expect_err(al_store_verify(f->s, HELLO, 5, &err), &err, AL_EINTEGRITY,
		   "store: blob " HELLO
		   " does not match its size (4 bytes, expected 5)");
	expect_err(al_store_verify(f->s, HELLO, UINT64_MAX, &err), &err,
		   AL_EINTEGRITY, "does not match its hash");
}

static void test_store__missing_blob(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	char hex[65];
	int fd = 5;

	store(f);
	/* no sub-folder */
	expect_err(al_store_open_blob(f->s, HELLO, &fd, &err), &err,
		   AL_ENOTFOUND, "store: blob " HELLO " is missing");
	assert_int_equal(fd, -1);
	expect_err(al_store_verify(f->s, HELLO, 5, &err), &err, AL_ENOTFOUND,
		   "is missing");
	expect_err(al_store_remove(f->s, HELLO, false, &err), &err,
		   AL_ENOTFOUND, "store: blob " HELLO " is missing");
	assert_int_equal(al_store_remove(f->s, HELLO, true, &err), 0);
	/* a sub-folder without the blob */
	put_ok(f, "hello", hex, NULL);
	assert_int_equal(rename(at(f, "store/2c/" HELLO), at(f, "moved")), 0);
	expect_err(al_store_open_blob(f->s, HELLO, &fd, &err), &err,
		   AL_ENOTFOUND, "store: blob " HELLO " is missing");
	expect_err(al_store_remove(f->s, HELLO, false, &err), &err,
		   AL_ENOTFOUND, "is missing");
	assert_int_equal(al_store_remove(f->s, HELLO, true, &err), 0);
}

static void test_store__remove(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	char hex[65];
	int fd;

	put_ok(f, "hello", hex, NULL);
	put_ok(f, "", hex, NULL);
	assert_int_equal(al_store_remove(f->s, HELLO, false, &err), 0);
	expect_err(al_store_open_blob(f->s, HELLO, &fd, &err), &err,
		   AL_ENOTFOUND, "is missing");
	assert_int_equal(walk(f).blobs, 1);
	assert_int_equal(al_store_verify(f->s, EMPTY, 0, &err), 0);
	/* stored again after removal: a new blob, not a replay */
	{
		bool existed = true;

		put_ok(f, "hello", hex, &existed);
		assert_false(existed);
	}
}

static void test_store__refuses_bad_blob_names(void **state)
{
	static const char *const bad[] = {
		"2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B98"
		"24",
		"2cf24dba",
		HELLO "0",
		"../../../../etc/passwd",
		"2c/"
		"24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
		"",
	};
	struct fx *f = *state;
	struct al_error err = {0};
	int fd;

	store(f);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_err(al_store_open_blob(f->s, bad[i], &fd, &err), &err,
			   AL_EINVAL, "is not a blob name (64 lowercase hex");
		expect_err(al_store_verify(f->s, bad[i], 1, &err), &err,
			   AL_EINVAL, "is not a blob name");
		expect_err(al_store_remove(f->s, bad[i], true, &err), &err,
			   AL_EINVAL, "is not a blob name");
	}
	expect_err(al_store_open_blob(f->s, "a\nb", &fd, &err), &err, AL_EINVAL,
		   "store: 'a\\nb' is not a blob name");
}

static void test_store__open_without_create(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_store *s = (struct al_store *)1;

	expect_err(al_store_open(f->vault_fd, false, &s, &err), &err,
		   AL_ENOTFOUND, "store: 'store' is missing");
	assert_null(s);
	assert_int_equal(mkdir(at(f, "store"), 0700), 0);
	expect_err(al_store_open(f->vault_fd, false, &s, &err), &err,
		   AL_ENOTFOUND, "store: 'store/tmp' is missing");
	/* create makes tmp/ in an existing store, 0700 whatever the umask */
	{
		mode_t old = umask(0);

		assert_int_equal(al_store_open(f->vault_fd, true, &s, &err), 0);
		umask(old);
	}
	assert_int_equal(mode_of(at(f, "store/tmp")) & 07777, 0700);
	al_store_close(s);
	al_store_close(NULL);
}

/* ---- walk -------------------------------------------------------------- */

static void test_store__walk_reports_blobs_leftovers_and_strays(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	char hex[65];
	struct seen s;
	int found = 0;

	put_ok(f, "hello", hex, NULL);
	put_ok(f, "", hex, NULL);
	write_file(at(f, "store/junk"), "x", 0600);
	write_file(at(f, "store/2c/notablob"), "x", 0600);
	assert_int_equal(mkdir(at(f, "store/zz"), 0700), 0);
	/* a blob in the wrong sub-folder is not a blob */
	assert_int_equal(mkdir(at(f, "store/ab"), 0700), 0);
	write_file(at(f, "store/ab/" HELLO), "hello", 0400);
	write_file(at(f, "store/tmp/blob-0000000000000000"), "x", 0600);
	s = walk(f);
	assert_int_equal(s.blobs, 2);
	assert_int_equal(s.others, 5);
	for (int i = 0; i < s.others && i < 8; i++)
		found += !strcmp(s.other[i], "junk") +
			 !strcmp(s.other[i], "2c/notablob") +
			 !strcmp(s.other[i], "zz") +
			 !strcmp(s.other[i], "ab/" HELLO) +
			 !strcmp(s.other[i], "tmp/blob-0000000000000000");
	assert_int_equal(found, 5);
	/* fn's first non-zero return stops the walk and is returned */
	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	assert_int_equal(al_store_walk(f->s, collect, &s, &err), 7);
	assert_int_equal(s.calls, 2);
	/* a sub-folder that is not ours stops the walk */
	assert_int_equal(chmod(at(f, "store/ab"), 0750), 0);
	memset(&s, 0, sizeof(s));
	expect_err(al_store_walk(f->s, collect, &s, &err), &err, AL_EINTEGRITY,
		   "'store/ab' has mode 0750");
}

static void test_store__two_blobs_written_at_once(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_blob *a, *b;
	char ha[65], hb[65];
	uint64_t size;
	bool existed;

	/* two blobs written at once, interleaved */
	assert_int_equal(al_blob_begin(store(f), &a, &err), 0);
	assert_int_equal(al_blob_begin(f->s, &b, &err), 0);
	assert_int_equal(al_blob_write(a, "hel", 3, &err), 0);
	assert_int_equal(al_blob_write(b, "x", 1, &err), 0);
	assert_int_equal(al_blob_write(a, "lo", 2, &err), 0);
	assert_int_equal(al_blob_commit(b, hb, &size, &existed, &err), 0);
	assert_int_equal(al_blob_commit(a, ha, &size, &existed, &err), 0);
	assert_string_equal(ha, HELLO);
	assert_int_equal(walk(f).blobs, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_store__write_commit_read_back_verify),
		T(test_store__same_bytes_twice_is_one_blob),
		T(test_store__existing_blob_of_another_size_is_refused),
		T(test_store__empty_blob),
		T(test_store__large_blob_streamed_in_small_writes),
		T(test_store__abort_leaves_nothing),
		T(test_store__fallback_named_temp_publishes),
		T(test_store__fallback_leftover_is_found_and_removed),
		T(test_store__refuses_symlinked_store),
		T(test_store__refuses_symlinked_sub_folder),
		T(test_store__refuses_symlinked_blob),
		T(test_store__refuses_group_or_other_permissions),
		T(test_store__refuses_another_owner),
		T(test_store__fifo_at_blob_name_does_not_block),
		T(test_store__verify_detects_a_flipped_byte),
		T(test_store__verify_detects_a_truncated_blob),
		T(test_store__missing_blob),
		T(test_store__remove),
		T(test_store__refuses_bad_blob_names),
		T(test_store__open_without_create),
		T(test_store__walk_reports_blobs_leftovers_and_strays),
		T(test_store__two_blobs_written_at_once),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
