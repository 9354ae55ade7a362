/* SPDX-License-Identifier: Apache-2.0 */
/* airlock-vault import FILE|DIR...: bring bundles into the vault. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "al_dedup.h"
#include "al_import.h"
#include "al_text.h"
#include "vault.h"

static const char usage_text[] =
	"usage: airlock-vault [--vault DIR] import [--json] [--quiet] "
	"FILE|DIR...\n\n"
	"Import bundles: decrypt and verify each, check its archive and\n"
	"manifest, store its ciphertext and record it in the ledger.  A DIR\n"
	"imports every file in it (not sub-folders, not hidden files, no\n"
	"symlinks), in name order.  Each file is imported, a replay (seen\n"
	"before), or refused with the reason; one refusal does not stop the\n"
	"others.\n\n"
	"  --json     print a JSON array, one object a file: file, status\n"
	"             (imported, replay, refused), report, revision,\n"
	"             duplicates, error, bundle (its SHA-256)\n"
	"  --quiet    no line per imported file\n"
	"  --no-checkpoint  do not sign a checkpoint at the end (bulk work:\n"
	"             run airlock-vault checkpoint afterwards)\n"
	"\nExit status: 0 every file imported or replayed, 1 a file was\n"
	"refused, 3 a refusal was an integrity failure (bad signature, hash\n"
	"or size mismatch).\n";

struct job {
	char *path;
	bool from_folder;
};

struct jobs {
	struct job *v;
	size_t n, cap;
};

static int add_job(struct jobs *j, char *path, bool from_folder)
{
	if (j->n == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 16;
		struct job *v = realloc(j->v, cap * sizeof(*v));

		if (!v) {
			free(path);
			return AL_ENOMEM;
		}
		j->v = v;
		j->cap = cap;
	}
	j->v[j->n].path = path;
	j->v[j->n].from_folder = from_folder;
	j->n++;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files of a folder, sorted; not hidden, not sub-folders. */
static int add_folder(struct jobs *j, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!d)
		return AL_EIO;
	while ((e = readdir(d))) {
		struct stat st;

		if (e->d_name[0] == '.' || e->d_type == DT_DIR)
			continue;
		/* some file systems do not fill d_type in */
		if (e->d_type == DT_UNKNOWN &&
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) ==
			    0 &&
		    S_ISDIR(st.st_mode))
			continue;
		if (n == cap) {
			char **v;

			cap = cap ? cap * 2 : 64;
			v = realloc(names, cap * sizeof(*v));
			if (!v) {
				rc = AL_ENOMEM;
				break;
			}
			names = v;
		}
		if (!(names[n] = strdup(e->d_name))) {
			rc = AL_ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (!rc)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		char *p = NULL;

		if (!rc && asprintf(&p, "%s/%s", dir, names[i]) < 0)
			rc = AL_ENOMEM;
		if (!rc)
			rc = add_job(j, p, true);
		free(names[i]);
	}
	free(names);
	return rc;
}

static const char *status_name(enum al_import_status s)
{
	switch (s) {
	case AL_IMPORT_IMPORTED:
		return "imported";
	case AL_IMPORT_REPLAY:
		return "replay";
	default:
		return "refused";
	}
}

/* A JSON string for text that may not be UTF-8 (a file name). */
static json_t *text_json(const char *s)
{
	char buf[1024];
	json_t *j = json_string(s);

	return j ? j
		 : json_string(al_text_visible(s, strlen(s), buf, sizeof(buf)));
}

/* The likely duplicates of an imported report (at most DUPS_MAX). */
#define DUPS_MAX 5

struct likely {
	struct al_dup *v;
	size_t n;
};

static void find_likely(struct al_vault *v, const struct al_import_result *r,
			struct likely *l)
{
	struct al_error err = {0};
	size_t n = 0;

	l->v = NULL;
	l->n = 0;
	if (r->status != AL_IMPORT_IMPORTED)
		return;
	if (al_vault_dups(v, r->report, DUPS_MAX, false, &l->v, &n, &err)) {
		/* the import stands; only the suggestion is missing */
		vault_fail_on("duplicates", &err);
		return;
	}
	while (l->n < n && l->v[l->n].m.verdict == AL_DUP_LIKELY)
		l->n++;
}

static json_t *result_json(const char *file, const struct al_import_result *r,
			   const struct likely *l)
{
	json_t *dups = json_array();

	json_t *o = json_object();
	bool refused = r->status == AL_IMPORT_REFUSED;

	if (!o || !dups) {
		json_decref(o);
		json_decref(dups);
		return NULL;
	}
	for (size_t i = 0; i < l->n; i++) {
		json_t *d = json_pack(
			"{s:s, s:f}", "report", l->v[i].report, "score",
			(double)(long long)(l->v[i].m.score * 1000.0 + 0.5) /
				1000.0);

		if (d && *l->v[i].via)
			json_object_set_new(d, "via", json_string(l->v[i].via));
		json_array_append_new(dups, d);
	}
	json_object_set_new(o, "file", text_json(file));
	json_object_set_new(o, "status", json_string(status_name(r->status)));
	json_object_set_new(o, "report",
			    *r->report ? json_string(r->report) : json_null());
	json_object_set_new(o, "revision",
			    r->status == AL_IMPORT_IMPORTED
				    ? json_integer(r->revision)
				    : json_null());
	json_object_set_new(o, "duplicates", dups);
	json_object_set_new(o, "error",
			    refused ? text_json(r->err.msg) : json_null());
	json_object_set_new(o, "bundle",
			    *r->bundle ? json_string(r->bundle) : json_null());
	return o;
}

static void say_result(const char *file, const struct al_import_result *r,
		       const struct likely *l, bool quiet)
{
	if (r->status == AL_IMPORT_REFUSED) {
		vault_fail_on(file, &r->err);
		return;
	}
	if (quiet)
		return;
	vault_print_visible(stdout, file);
	if (r->status == AL_IMPORT_REPLAY) {
		printf(": replay of %s\n", r->report);
		return;
	}
	if (r->revision > 1)
		printf(": revision %lld of %s \"", (long long)r->revision,
		       r->report);
	else
		printf(": imported %s \"", r->report);
	vault_print_visible(stdout, r->title ? r->title : "");
	fputs("\"\n", stdout);
	/* a second line, so that the first stays the import's own */
	for (size_t i = 0; l && i < l->n; i++)
		printf("%s%.8s (%.2f)%s", i ? ", " : "  likely duplicate of ",
		       l->v[i].report, l->v[i].m.score,
		       i + 1 == l->n ? " (airlock-vault dups)\n" : "");
}

static int worst(int a, int b)
{
	if (a == AL_EINTEGRITY || b == AL_EINTEGRITY)
		return AL_EINTEGRITY;
	return a ? a : b;
}

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		NO_CHECKPOINT_OPTION,
		VAULT_OPTION,
		{NULL, 0, NULL, 0},
	};
	struct al_vault *v = NULL;
	struct jobs jobs = {0};
	json_t *out = NULL;
	bool json = false, quiet = false, tty = isatty(2), skip = false;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "hq", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'N':
			skip = true;
			break;
		case 'V':
			vault_given = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return vault_usage_error(usage_text);
		}
	}
	if (optind >= argc)
		return vault_usage_error(usage_text);
	for (int i = optind; i < argc && !rc; i++) {
		struct stat st;
		char *p;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if ((rc = add_folder(&jobs, argv[i])))
				vault_say("airlock-vault: %s: cannot read the "
					  "folder: %s",
					  argv[i], strerror(errno));
			continue;
		}
		if (!(p = strdup(argv[i])))
			rc = AL_ENOMEM;
		else
			rc = add_job(&jobs, p, false);
	}
	if (rc || (rc = vault_open_rw(&v)))
		goto out;
	if (json && !(out = json_array())) {
		rc = AL_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < jobs.n; i++) {
		struct al_import_opts o = {.from_folder =
						   jobs.v[i].from_folder};
		struct al_import_result r;
		struct al_error err = {0};
		struct likely l = {0};
		int one;

		if (tty && !json && jobs.n > 1)
			fprintf(stderr, "\r[%zu/%zu] ", i + 1, jobs.n);
		one = al_import_file(v, jobs.v[i].path, &o, &r, &err);
		if (tty && !json && jobs.n > 1)
			fputs("\r\033[K", stderr);
		find_likely(v, &r, &l);
		if (json) {
			json_t *res = result_json(jobs.v[i].path, &r, &l);

			if (!res || json_array_append_new(out, res))
				one = AL_ENOMEM;
		}
		if (!json || r.status == AL_IMPORT_REFUSED)
			say_result(jobs.v[i].path, &r, &l, quiet || json);
		free(l.v);
		if (r.status == AL_IMPORT_REFUSED)
			rc = worst(rc, one ? one : r.err.code);
		al_import_result_release(&r);
		if (one && !(one == AL_EINVAL || one == AL_ELIMIT ||
			     one == AL_EINTEGRITY || one == AL_ENOTFOUND)) {
			/* the vault failed, not the bundle: stop here */
			rc = one;
			break;
		}
	}
	rc = vault_end(v, skip, rc);
	if (json && vault_print_json(out) && !rc)
		rc = AL_EIO;
out:
	json_decref(out);
	for (size_t i = 0; i < jobs.n; i++)
		free(jobs.v[i].path);
	free(jobs.v);
	al_vault_close(v);
	return rc;
}
