/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading a draft folder: report.md, attachments/ and reply.asc, checked
 * and hashed, into the manifest a bundle will carry.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "al_io.h"
#include "al_manifest.h"
#include "al_scope.h"
#include "al_config.h"
#include "al_text.h"
#include "al_time.h"
#include "pack.h"

#define PACK_MAX_DEPTH     16
#define PACK_REPLY_KEY_MAX (1024u * 1024u)

struct walk {
	struct pack_draft *pd;
	const struct al_limits *lim;
	char **folded; /* fold keys of the names so far, for collisions */
	size_t nfolded;
	size_t cap;
	int fatal; /* an AL_E* code that stops the walk (ENOMEM) */
};

static const char *type_name(mode_t m)
{
	if (S_ISLNK(m))
		return "a symbolic link";
	if (S_ISDIR(m))
		return "a folder";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISFIFO(m))
		return "a named pipe";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

/* Hash the regular file at dirfd/name; refuse anything that is not a
 * regular file by the time it is open. */
static int hash_file(int dirfd, const char *name, const char *shown,
		     uint64_t *size, char hex[AL_SHA256_HEX],
		     struct al_error *err)
{
	struct stat st;
	int fd, rc;

	fd = openat(dirfd, name,
		    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return al_error_set(err, AL_EIO, "%s: %s", shown,
				    strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return al_error_set(err, AL_EINVAL,
				    "%s: is not a regular file (only regular "
				    "files are sealed)",
				    shown);
	}
	rc = al_sha256_fd(fd, hex, size, shown, err);
	close(fd);
	if (rc == 0 && *size != (uint64_t)st.st_size)
		rc = al_error_set(err, AL_EIO, "%s: changed while being read",
				  shown);
	return rc;
}

static int add_file(struct walk *w, const char *path, const char *src,
		    uint64_t size, const char *hex)
{
	struct pack_draft *pd = w->pd;
	struct pack_file *nv;

	nv = realloc(pd->files, (pd->nfiles + 1) * sizeof(*nv));
	if (!nv)
		return AL_ENOMEM;
	pd->files = nv;
	nv[pd->nfiles].path = strdup(path);
	nv[pd->nfiles].src = strdup(src);
	if (!nv[pd->nfiles].path || !nv[pd->nfiles].src) {
		free(nv[pd->nfiles].path);
		free(nv[pd->nfiles].src);
		return AL_ENOMEM;
	}
	nv[pd->nfiles].size = size;
	memcpy(nv[pd->nfiles].sha256, hex, AL_SHA256_HEX);
	pd->nfiles++;
	pd->total_bytes += size;
	return 0;
}

/* The rule part of a name check's message ("entry 'NAME': rule"): the
 * problem names the file itself, once. */
static const char *rule_of(const char *msg)
{
	const char *p = strstr(msg, "': ");

	return p ? p + 3 : msg;
}

/* Check an archive name: valid, and unique after case folding. */
static int name_ok(struct walk *w, const char *path)
{
	struct al_error err;
	char *key = NULL;

	if (al_entry_name_check(path, strlen(path), w->lim, &err) < 0) {
		al_problems_add(&w->pd->other, 0, "%s: %s", path,
				rule_of(err.msg));
		return 0;
	}
	if (al_name_fold(path, strlen(path), &key, &err) < 0) {
		al_problems_add(&w->pd->other, 0, "%s: %s", path, err.msg);
		return 0;
	}
	for (size_t i = 0; i < w->nfolded; i++) {
		if (strcmp(w->folded[i], key) == 0) {
			al_problems_add(&w->pd->other, 0,
					"%s: same name as another attachment "
					"once case is ignored",
					path);
			free(key);
			return 0;
		}
	}
	if (w->nfolded == w->cap) {
		size_t ncap = w->cap ? w->cap * 2 : 16;
		char **nv = realloc(w->folded, ncap * sizeof(*nv));
		if (!nv) {
			free(key);
			w->fatal = AL_ENOMEM;
			return 0;
		}
		w->folded = nv;
		w->cap = ncap;
	}
	w->folded[w->nfolded++] = key;
	return 1;
}

/*
 * A regular file found at dfd/name (path in the archive's terms, src on
 * disk): its entry name is path in Unicode NFC (macOS writes names
 * decomposed; the bundle wants them composed), checked, hashed, listed.
 */
static void add_regular(struct walk *w, int dfd, const char *name,
			const char *path, const char *src)
{
	struct al_error err;
	char hex[AL_SHA256_HEX], *entry = NULL;
	uint64_t size = 0;

	if (al_name_nfc(path, strlen(path), &entry, &err) == AL_ENOMEM) {
		w->fatal = AL_ENOMEM;
		return;
	}
	if (!name_ok(w, entry ? entry : path))
		goto out;
	if (hash_file(dfd, name, path, &size, hex, &err) < 0) {
		al_problems_add(&w->pd->other, 0, "%s", err.msg);
		goto out;
	}
	if (add_file(w, entry, src, size, hex) < 0)
		w->fatal = AL_ENOMEM;
out:
	free(entry);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walk dirfd (shown as prefix, e.g. "attachments") depth-first in byte
 * order of names. */
static void walk_dir(struct walk *w, int topfd, const char *prefix,
		     const char *srcdir, int depth)
{
	DIR *d;
	struct dirent *de;
	int dfd;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (depth > PACK_MAX_DEPTH) {
		al_problems_add(&w->pd->other, 0,
				"%s: folders nested more than %d deep", prefix,
				PACK_MAX_DEPTH);
		close(topfd);
		return;
	}
	d = fdopendir(topfd);
	if (!d) {
		al_problems_add(&w->pd->other, 0, "%s: %s", prefix,
				strerror(errno));
		close(topfd);
		return;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			char **nv = realloc(names, ncap * sizeof(*nv));
			if (!nv) {
				w->fatal = AL_ENOMEM;
				goto out;
			}
			names = nv;
			cap = ncap;
		}
		if (!(names[n] = strdup(de->d_name))) {
			w->fatal = AL_ENOMEM;
			goto out;
		}
		n++;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	dfd = dirfd(d);
	for (size_t i = 0; i < n && !w->fatal; i++) {
		char path[4096], src[4096];
		struct stat st;

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", prefix,
				     names[i]) >= sizeof(path) ||
		    (size_t)snprintf(src, sizeof(src), "%s/%s", srcdir,
				     names[i]) >= sizeof(src)) {
			al_problems_add(&w->pd->other, 0, "%s: path too long",
					prefix);
			continue;
		}
		if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			al_problems_add(&w->pd->other, 0, "%s: %s", path,
					strerror(errno));
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dfd, names[i],
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
						 O_CLOEXEC);
			if (sub < 0) {
				al_problems_add(&w->pd->other, 0, "%s: %s",
						path, strerror(errno));
				continue;
			}
			walk_dir(w, sub, path, src, depth + 1);
		} else if (!S_ISREG(st.st_mode)) {
			al_problems_add(&w->pd->other, 0,
					"%s: is %s (only regular files are "
					"sealed)",
					path, type_name(st.st_mode));
		} else {
			add_regular(w, dfd, names[i], path, src);
		}
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
}

static void load_attachments(struct walk *w, const char *dir)
{
	char src[4096];
	struct stat st;
	int fd;

	snprintf(src, sizeof(src), "%s/attachments", dir);
	if (lstat(src, &st) < 0)
		return; /* no attachments: fine */
	if (!S_ISDIR(st.st_mode)) {
		al_problems_add(&w->pd->other, 0,
				"attachments: is %s (it must be a folder)",
				type_name(st.st_mode));
		return;
	}
	fd = open(src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		al_problems_add(&w->pd->other, 0, "attachments: %s",
				strerror(errno));
		return;
	}
	walk_dir(w, fd, "attachments", src, 1);
}

static void load_reply_key(struct walk *w, const char *dir)
{
	static const char begin[] = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
	char src[4096], *buf = NULL, hex[AL_SHA256_HEX];
	const char *p;
	struct al_error err;
	struct stat st;
	size_t len = 0;

	snprintf(src, sizeof(src), "%s/reply.asc", dir);
	if (lstat(src, &st) < 0)
		return; /* optional */
	if (!S_ISREG(st.st_mode)) {
		al_problems_add(&w->pd->other, 0,
				"reply.asc: is %s (only regular files are "
				"sealed)",
				type_name(st.st_mode));
		return;
	}
	if (al_read_file(src, PACK_REPLY_KEY_MAX, &buf, &len, &err) < 0) {
		al_problems_add(&w->pd->other, 0, "reply.asc: %s", err.msg);
		return;
	}
	for (p = buf; *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'; p++)
		;
	if (strlen(buf) != len || strncmp(p, begin, sizeof(begin) - 1) != 0) {
		al_problems_add(
			&w->pd->other, 0,
			"reply.asc: not an ASCII-armored OpenPGP public "
			"key (gpg --armor --export FPR > reply.asc)");
	} else if (strstr(buf, "PRIVATE KEY BLOCK")) {
		al_problems_add(
			&w->pd->other, 0,
			"reply.asc: holds a secret key; export only the "
			"public key (gpg --armor --export FPR)");
	} else {
		al_sha256_hex(buf, len, hex);
		if (add_file(w, "keys/reply.asc", src, len, hex) < 0)
			w->fatal = AL_ENOMEM;
	}
	al_secure_zero(buf, len);
	free(buf);
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct pack_file *)a)->path,
		      ((const struct pack_file *)b)->path);
}

static int set_files(struct pack_draft *pd)
{
	json_t *files = json_array();

	if (!files)
		return AL_ENOMEM;
	for (size_t i = 0; i < pd->nfiles; i++) {
		json_t *o =
			json_pack("{s:s, s:I, s:s}", "path", pd->files[i].path,
				  "size", (json_int_t)pd->files[i].size,
				  "sha256", pd->files[i].sha256);
		if (!o || json_array_append_new(files, o) < 0) {
			json_decref(files);
			return AL_ENOMEM;
		}
	}
	return json_object_set_new(pd->manifest, "files", files) ? AL_ENOMEM
								 : 0;
}

static unsigned draft_line(void *ctx, const char *key, size_t index)
{
	const struct al_draft *d = ctx;

	if (!strcmp(key, "project"))
		return d->project.line;
	if (!strcmp(key, "class"))
		return d->klass.line;
	if (!strcmp(key, "title"))
		return d->title.line;
	if (!strcmp(key, "affected"))
		return al_draft_affected_line(d, index);
	if (!strcmp(key, "description"))
		return d->description.line;
	if (!strcmp(key, "steps"))
		return d->steps.line;
	if (!strcmp(key, "impact"))
		return d->impact.line;
	if (!strcmp(key, "additional"))
		return d->additional.line;
	if (!strcmp(key, "cwe"))
		return d->ncwe ? d->cwe[0].line : 0;
	if (!strcmp(key, "severity"))
		return d->cvss.line ? d->cvss.line : d->rating.line;
	if (!strcmp(key, "reporter"))
		return d->reporter.line;
	return 0;
}

static int check_totals(struct pack_draft *pd, const struct al_limits *lim)
{
	if (pd->nfiles + 1 > lim->entries)
		al_problems_add(&pd->other, 0,
				"attachments: %zu files (with reply.asc, if "
				"any) is over the limit of %llu besides "
				"manifest.json",
				pd->nfiles,
				(unsigned long long)lim->entries - 1);
	if (pd->total_bytes > lim->bundle_bytes)
		al_problems_add(&pd->other, 0,
				"attachments: %llu bytes in all is over the "
				"limit of %llu",
				(unsigned long long)pd->total_bytes,
				(unsigned long long)lim->bundle_bytes);
	return 0;
}

int pack_draft_load(const char *dir, const struct al_policy *policy,
		    struct pack_draft *pd, struct al_error *err)
{
	struct al_limits deflim;
	const struct al_limits *lim;
	struct walk w = {0};
	char path[4096], *buf = NULL;
	struct stat st;
	size_t len = 0;
	int rc = 0;

	memset(pd, 0, sizeof(*pd));
	al_problems_init(&pd->report);
	al_problems_init(&pd->other);
	al_limits_default(&deflim);
	lim = policy ? &policy->limits : &deflim;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return al_error_set(err, AL_ENOTFOUND,
				    "'%s' is not a draft folder (make one with "
				    "'airlock-pack new %s')",
				    dir, dir);
	if (!(pd->dir = strdup(dir)))
		return al_error_set(err, AL_ENOMEM, "out of memory");

	snprintf(path, sizeof(path), "%s/report.md", dir);
	rc = al_read_file(path, AL_DRAFT_MAX_BYTES, &buf, &len, err);
	if (rc == AL_ENOTFOUND) {
		al_problems_add(&pd->report, 0,
				"missing (a draft folder holds "
				"report.md; see 'airlock-pack "
				"new')");
		rc = 0;
	} else if (rc == AL_ENOMEM) {
		goto out;
	} else if (rc < 0) {
		al_problems_add(&pd->report, 0, "%s", err->msg);
		rc = 0;
	} else {
		rc = al_draft_parse(buf, len, &pd->draft, &pd->report, err);
		if (rc < 0)
			goto out;
		if (al_draft_to_manifest(pd->draft, &pd->manifest, &pd->report,
					 err) == AL_ENOMEM) {
			rc = AL_ENOMEM;
			goto out;
		}
	}

	w.pd = pd;
	w.lim = lim;
	load_attachments(&w, dir);
	if (!w.fatal)
		load_reply_key(&w, dir);
	if (w.fatal) {
		rc = al_error_set(err, w.fatal, "out of memory");
		goto out;
	}
	if (pd->nfiles > 1)
		qsort(pd->files, pd->nfiles, sizeof(*pd->files), cmp_file);
	check_totals(pd, lim);

	if (pd->manifest) {
		if (set_files(pd) < 0) {
			rc = al_error_set(err, AL_ENOMEM, "out of memory");
			goto out;
		}
		if (policy)
			al_scope_check(policy, pd->manifest,
				       al_draft_required_keys, draft_line,
				       pd->draft, &pd->report);
	}
	al_problems_sort(&pd->report);
out:
	for (size_t i = 0; i < w.nfolded; i++)
		free(w.folded[i]);
	free(w.folded);
	if (buf) {
		al_secure_zero(buf, len);
		free(buf);
	}
	return rc;
}

void pack_draft_release(struct pack_draft *pd)
{
	if (!pd)
		return;
	al_draft_free(pd->draft);
	json_decref(pd->manifest);
	for (size_t i = 0; i < pd->nfiles; i++) {
		free(pd->files[i].path);
		free(pd->files[i].src);
	}
	free(pd->files);
	free(pd->dir);
	al_problems_release(&pd->report);
	al_problems_release(&pd->other);
	memset(pd, 0, sizeof(*pd));
}

int pack_manifest_finish(struct pack_draft *pd, const struct al_policy *policy,
			 int64_t created, struct al_error *err)
{
	struct al_limits deflim;
	const struct al_limits *lim;
	char when[AL_RFC3339_LEN], *bytes = NULL;
	json_t *m = pd->manifest;
	size_t len = 0;

	al_limits_default(&deflim);
	al_time_format(created, when);
	if (json_object_set_new(m, "airlock",
				json_integer(AL_MANIFEST_VERSION)) ||
	    json_object_set_new(m, "created", json_string(when)) ||
	    json_object_set_new(m, "tool",
				json_string("airlock-pack " AL_VERSION)))
		return al_error_set(err, AL_ENOMEM, "out of memory");
	if (policy && policy->sha256[0] &&
	    json_object_set_new(m, "policy_sha256",
				json_string(policy->sha256)))
		return al_error_set(err, AL_ENOMEM, "out of memory");
	lim = policy ? &policy->limits : &deflim;
	al_manifest_check(m, lim, &pd->other);
	/* the size seal will write, so that check and seal agree */
	if (al_manifest_dump(m, &bytes, &len, err) < 0)
		return err->code;
	if (len > lim->manifest_bytes)
		al_problems_add(&pd->other, 0,
				"manifest.json: %zu bytes is over the limit of "
				"%llu; shorten the report or move text into "
				"attachments",
				len, (unsigned long long)lim->manifest_bytes);
	al_secure_zero(bytes, len); /* the report's text, unsealed */
	free(bytes);
	return 0;
}
