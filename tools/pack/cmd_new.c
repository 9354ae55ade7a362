/* SPDX-License-Identifier: Apache-2.0 */
/* airlock-pack new DIR: a draft folder with a report.md template. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "al_draft.h"
#include "al_io.h"
#include "al_uuid.h"
#include "pack.h"

static const char usage_text[] =
	"usage: airlock-pack new DIR\n\n"
	"Make the draft folder DIR (it must not exist, or be empty) with a\n"
	"commented report.md template, a fresh report id, and an empty\n"
	"attachments/ folder.  Edit report.md, put proof-of-concept files in\n"
	"attachments/, optionally put your public key in reply.asc, then run\n"
	"'airlock-pack check DIR' and 'airlock-pack seal DIR'.\n";

static int dir_is_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int empty = 1;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = 0;
	closedir(d);
	return empty;
}

int cmd_new(int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct al_error err = {0};
	struct al_atomic a = {.fd = -1};
	char id[AL_UUID_LEN], path[4096], *text = NULL;
	const char *dir;
	struct stat st;
	int c, rc = 0, made_dir = 0, made_attachments = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_text, stdout);
			return 0;
		}
		fputs(usage_text, stderr);
		return AL_EUSAGE;
	}
	if (argc - optind != 1) {
		fputs(usage_text, stderr);
		return AL_EUSAGE;
	}
	dir = argv[optind];
	if (lstat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode) || !dir_is_empty(dir)) {
			al_error_set(&err, AL_EEXIST,
				     "'%s' already exists; a new draft needs a "
				     "new folder",
				     dir);
			pack_fail(&err);
			return AL_EEXIST;
		}
	} else if (mkdir(dir, 0700) < 0) {
		al_error_set(&err, AL_EIO, "'%s': %s", dir, strerror(errno));
		pack_fail(&err);
		return AL_EIO;
	} else {
		made_dir = 1;
	}
	snprintf(path, sizeof(path), "%s/attachments", dir);
	if (mkdir(path, 0700) < 0) {
		rc = al_error_set(&err, AL_EIO, "'%s': %s", path,
				  strerror(errno));
		goto out;
	}
	made_attachments = 1;
	if ((rc = al_uuid_v4(id, &err)) < 0 ||
	    (rc = al_draft_template(id, &text, &err)) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/report.md", dir);
	if ((rc = al_atomic_open(&a, path, &err)) < 0)
		goto out;
	pack_tmp_set(a.tmp);
	rc = al_write_all(a.fd, text, strlen(text), path, &err);
	if (rc < 0)
		al_atomic_abort(&a);
	else
		rc = al_atomic_commit(&a, 0, &err);
	pack_tmp_set(NULL);
	if (rc < 0)
		goto out;
	pack_say("made draft '%s' for report %s", dir, id);
	pack_say("next: edit %s/report.md, add files to %s/attachments/, then "
		 "'airlock-pack check %s'",
		 dir, dir, dir);
out:
	free(text);
	if (rc < 0) {
		/* leave the folder as it was: remove only what we made */
		if (made_attachments) {
			snprintf(path, sizeof(path), "%s/attachments", dir);
			rmdir(path);
		}
		if (made_dir)
			rmdir(dir);
		pack_fail(&err);
	}
	return rc;
}
