/* SPDX-License-Identifier: Apache-2.0 */
/*
 * open: a stored bundle decrypted into a new folder for the maintainer.
 * The entries are written under a temporary folder beside the target,
 * through directory descriptors, O_EXCL|O_NOFOLLOW at every step; the
 * folder is renamed into place only when gpg, the blob's hash and every
 * entry's hash all passed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "al_bundle.h"
#include "al_decrypt.h"
#include "al_import.h"
#include "al_ledger.h"
#include "al_manifest.h"
#include "al_text.h"
#include "al_time.h"

struct writer {
	int root; /* the temporary folder */
	int fd;   /* the entry being written, or -1 */
	struct al_error *err;
};

/* Open (creating) the folders of name's path under root; the last
 * component's folder descriptor goes to *dirfd and its base name to *base. */
static int make_parents(int root, const char *name, int *dirfd,
			const char **base, struct al_error *err)
{
	char part[256];
	const char *p = name, *slash;
	int fd = dup(root);

	if (fd < 0)
		return al_error_set(err, AL_EIO, "open: %s", strerror(errno));
	while ((slash = strchr(p, '/'))) {
		size_t len = (size_t)(slash - p);
		int next;

		if (len >= sizeof(part)) {
			close(fd);
			return al_error_set(err, AL_EINVAL,
					    "open: a name component is too "
					    "long");
		}
		memcpy(part, p, len);
		part[len] = '\0';
		if (mkdirat(fd, part, 0700) < 0 && errno != EEXIST) {
			close(fd);
			return al_error_set(err, AL_EIO, "open: %s",
					    strerror(errno));
		}
		next = openat(fd, part,
			      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (next < 0)
			return al_error_set(err, AL_EIO, "open: %s",
					    strerror(errno));
		fd = next;
		p = slash + 1;
	}
	*dirfd = fd;
	*base = p;
	return 0;
}

static int create_file(int root, const char *name, int *out,
		       struct al_error *err)
{
	const char *base = NULL;
	int dirfd = -1, rc;

	if ((rc = make_parents(root, name, &dirfd, &base, err)))
		return rc;
	*out = openat(dirfd, base,
		      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		      0600);
	close(dirfd);
	if (*out < 0) {
		char vis[300];

		al_text_visible(name, strlen(name), vis, sizeof(vis));
		return al_error_set(err, AL_EIO, "open: '%s': %s", vis,
				    strerror(errno));
	}
	return 0;
}

volatile sig_atomic_t al_vault_stop;

static int interrupted(struct al_error *err)
{
	return al_error_set(err, AL_EIO,
			    "open: interrupted; nothing was written");
}

static int entry_begin(void *ctx, const char *name, uint64_t size,
		       struct al_error *err)
{
	struct writer *w = ctx;

	(void)size;
	if (al_vault_stop)
		return interrupted(err);
	return create_file(w->root, name, &w->fd, err);
}

static int entry_data(void *ctx, const void *buf, size_t len,
		      struct al_error *err)
{
	struct writer *w = ctx;

	if (al_vault_stop)
		return interrupted(err);
	return al_write_all(w->fd, buf, len, "open", err);
}

static int entry_end(void *ctx, struct al_error *err)
{
	struct writer *w = ctx;
	int rc = 0;

	if (close(w->fd) < 0)
		rc = al_error_set(err, AL_EIO, "open: %s", strerror(errno));
	w->fd = -1;
	return rc;
}

static int write_whole(int root, const char *name, const char *buf, size_t len,
		       struct al_error *err)
{
	int fd, rc;

	if ((rc = create_file(root, name, &fd, err)))
		return rc;
	rc = al_write_all(fd, buf, len, name, err);
	close(fd);
	return rc;
}

/* report.md: the texts of the manifest, to read. */
static int write_texts(int root, const json_t *m, struct al_error *err)
{
	static const char *const parts[][2] = {
		{"description", "Description"},
		{"steps", "Steps to reproduce"},
		{"impact", "Impact"},
		{"additional", "Additional information"},
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	if (!f)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	fprintf(f, "# %s\n", json_string_value(json_object_get(m, "title")));
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		const char *s =
			json_string_value(json_object_get(m, parts[i][0]));

		if (s)
			fprintf(f, "\n## %s\n\n%s\n", parts[i][1], s);
	}
	if (fclose(f)) {
		free(buf);
		return al_error_set(err, AL_ENOMEM, "out of memory");
	}
	rc = write_whole(root, "report.md", buf, len, err);
	free(buf);
	return rc;
}

/* Remove a folder tree we made (never following links). */
struct hash_tee {
	struct al_sha256 *sha;
};

static int hash_write(void *ctx, const void *buf, size_t len,
		      struct al_error *err)
{
	(void)err;
	al_sha256_update(((struct hash_tee *)ctx)->sha, buf, len);
	return 0;
}

/* What import recorded: the current bundle (and its signature, shown). */
struct recorded {
	char hex[AL_SHA256_HEX];
	char signature[16];
	char signer[AL_FPR_MAX];
};

static int current_bundle(struct al_vault *v, const char *id,
			  struct recorded *rec, struct al_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(v->db,
			       "SELECT r.bundle, r.signature, "
			       "coalesce(r.signer, ''), b.purged FROM reports "
			       "r JOIN bundles b ON b.sha256 = r.bundle WHERE "
			       "r.id = ?",
			       -1, &st, NULL))
		return al_db_fail(v->db, "reading a report", err);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(rec->hex, sizeof(rec->hex), "%s",
			 sqlite3_column_text(st, 0));
		snprintf(rec->signature, sizeof(rec->signature), "%s",
			 sqlite3_column_text(st, 1));
		snprintf(rec->signer, sizeof(rec->signer), "%s",
			 sqlite3_column_text(st, 2));
		rc = sqlite3_column_int(st, 3)
			     ? al_error_set(err, AL_ENOTFOUND,
					    "report %s was purged (retention): "
					    "its bundle is deleted, nothing to "
					    "open (airlock-vault log %s says "
					    "why)",
					    id, id)
			     : 0;
	} else if (rc == SQLITE_DONE) {
		rc = al_error_set(err, AL_ENOTFOUND, "no report '%s'", id);
	} else {
		rc = al_db_fail(v->db, "reading a report", err);
	}
	sqlite3_finalize(st);
	return rc;
}

int al_vault_read_bundle(struct al_vault *v, const char *hex,
			 const struct al_bundle_entry_cb *cb,
			 struct al_bundle *b, struct al_error *err)
{
	struct hash_tee t = {0};
	struct al_decrypt_opts o = {
		.cap = al_import_plain_cap(&v->policy.limits),
		.tee = hash_write,
		.tee_ctx = &t,
		.key = v->key,
	};
	struct al_error rerr = {0};
	struct al_decrypt *d;
	struct al_sig sig;
	char got[AL_SHA256_HEX];
	int fd = -1, plain = -1, rc, rc_read;

	if ((rc = al_store_open_blob(v->store, hex, &fd, err)) ||
	    (rc = al_sha256_new(&t.sha, err)))
		goto out;
	if ((rc = al_decrypt_start(v->gpg, fd, &o, &d, &plain, err)))
		goto out;
	rc_read = al_bundle_read(al_read_fd, &plain, &v->policy.limits, cb, b,
				 NULL, &rerr);
	close(plain);
	rc = al_decrypt_finish(d, &sig, err);
	/* the tee saw the whole blob, whatever gpg said: a changed blob is
	 * named as such, before gpg's opinion of it */
	al_sha256_final(t.sha, got, NULL);
	if (strcmp(got, hex)) {
		rc = al_error_set(err, AL_EINTEGRITY,
				  "store: blob %s does not match its hash; "
				  "the store was changed",
				  hex);
		goto out;
	}
	if (rc)
		goto out;
	/* The blob's hash is what proves it is the bundle imported; its
	 * signature is not compared again, since the keyring may have
	 * learnt the signer's key since (unknown then, known now). */
	if (rc_read) {
		*err = rerr;
		rc = rc_read;
	}
out:
	al_sha256_free(t.sha);
	if (fd >= 0)
		close(fd);
	return rc;
}

static int decrypt_into(struct al_vault *v, const struct recorded *rec,
			int root, struct al_bundle *b, struct al_error *err)
{
	struct writer w = {.root = root, .fd = -1, .err = err};
	struct al_bundle_entry_cb cb = {
		.begin = entry_begin,
		.data = entry_data,
		.end = entry_end,
		.ctx = &w,
	};
	int rc = al_vault_read_bundle(v, rec->hex, &cb, b, err);

	if (w.fd >= 0)
		close(w.fd);
	return rc;
}

int al_vault_extract(struct al_vault *v, const char *id, const char *dir,
		     struct al_error *err)
{
	struct recorded rec = {0};
	char vis[300], tmpl[64];
	char *copy = NULL, *parent_path, *base;
	struct al_bundle b = {0};
	struct stat st;
	json_t *data = NULL;
	int parent = -1, root = -1, rc;
	int64_t now, seq = -1;

	al_text_visible(dir, strlen(dir), vis, sizeof(vis));
	if (fstatat(AT_FDCWD, dir, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return al_error_set(err, AL_EEXIST,
				    "'%s' already exists; give a new folder",
				    vis);
	if ((rc = current_bundle(v, id, &rec, err)))
		return rc;
	if (!(copy = strdup(dir)))
		return al_error_set(err, AL_ENOMEM, "out of memory");
	parent_path = dirname(copy);
	parent = open(parent_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent < 0) {
		rc = al_error_set(err, AL_EIO, "'%s': %s", vis,
				  strerror(errno));
		goto out;
	}
	snprintf(tmpl, sizeof(tmpl), ".airlock-open-%.8s-%d", id,
		 (int)getpid());
	if (mkdirat(parent, tmpl, 0700) < 0 ||
	    (root = openat(parent, tmpl,
			   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) <
		    0) {
		rc = al_error_set(err, AL_EIO, "'%s': %s", vis,
				  strerror(errno));
		goto out;
	}
	if ((rc = decrypt_into(v, &rec, root, &b, err)) ||
	    (rc = write_whole(root, "manifest.json", b.manifest_raw,
			      b.manifest_len, err)) ||
	    (rc = write_texts(root, b.manifest, err)))
		goto fail;
	free(copy);
	copy = strdup(dir);
	if (!copy) {
		rc = al_error_set(err, AL_ENOMEM, "out of memory");
		goto fail;
	}
	base = basename(copy);
	/* the event and the folder appear together: the event is written
	 * first, the folder renamed into place, then the event committed; a
	 * failed commit takes the folder away again */
	data = json_pack("{s:s}", "bundle", rec.hex);
	if (!data) {
		rc = al_error_set(err, AL_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = al_vault_event_time(v, &now, err)) ||
	    (rc = al_db_begin(v->db, err)))
		goto fail;
	if ((rc = al_vault_append(v, now, "open", id, data, &seq, err)) ||
	    (rc = al_state_apply(v->db, seq, err))) {
		al_db_rollback(v->db);
		goto fail;
	}
	if (renameat2(parent, tmpl, parent, base, RENAME_NOREPLACE) < 0) {
		rc = al_error_set(err, errno == EEXIST ? AL_EEXIST : AL_EIO,
				  "'%s': %s", vis, strerror(errno));
		al_db_rollback(v->db);
		goto fail;
	}
	if ((rc = al_db_commit(v->db, err))) {
		al_remove_tree(parent, base);
		goto out;
	}
	fsync(parent);
	goto out;
fail:
	al_remove_tree(parent, tmpl);
out:
	json_decref(data);
	al_bundle_release(&b);
	if (root >= 0)
		close(root);
	if (parent >= 0)
		close(parent);
	free(copy);
	return rc;
}
