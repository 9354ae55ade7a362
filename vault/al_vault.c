/* SPDX-License-Identifier: Apache-2.0 */
/* The vault folder: where it is, creating it, opening it, reading it. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "al_config.h"
#include "al_hash.h"
#include "al_io.h"
#include "al_text.h"
#include "al_time.h"
#include "al_uuid.h"
#include "al_due.h"
#include "al_ledger.h"
#include "al_triage.h"
#include "al_vault.h"

int al_vault_path(const char *given, char **out, struct al_error *err)
{
	const char *env = getenv("AIRLOCK_VAULT");
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	int n;

	*out = NULL;
	if (given && *given)
		*out = strdup(given);
	else if (env && *env)
		*out = strdup(env);
	else if (xdg && *xdg == '/')
		n = asprintf(out, "%s/airlock", xdg);
	else if (home && *home == '/')
		n = asprintf(out, "%s/.local/share/airlock", home);
	else
		return al_error_set(err, AL_EUSAGE,
				    "no vault folder: give --vault DIR or set "
				    "AIRLOCK_VAULT");
	(void)n;
	if (!*out)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	return 0;
}

int al_vault_append(struct al_vault *v, int64_t at, const char *kind,
		    const char *report, const json_t *data, int64_t *seq,
		    struct al_error *err)
{
	int64_t n = -1;
	int rc = al_db_append(v->db, at, kind, report, v->actor, data, &n, err);

	sqlite3_stmt *st;
	struct al_own_event *o;

	if (rc)
		return rc;
	/* an own event numbered n or more was rolled back (n is the next
	 * number now): forget it, so own stays in increasing order */
	while (v->nown && v->own[v->nown - 1].seq >= n)
		v->nown--;
	if (v->nown == v->cown) {
		size_t c = v->cown ? v->cown * 2 : 16;

		if (!(o = realloc(v->own, c * sizeof(*o))))
			return al_error_set(err, AL_ENOMEM, "out of memory");
		v->own = o;
		v->cown = c;
	}
	o = &v->own[v->nown];
	o->seq = n;
	if (sqlite3_prepare_v2(v->db, "SELECT leaf FROM events WHERE seq = ?",
			       -1, &st, NULL))
		return al_db_fail(v->db, "reading the log", err);
	sqlite3_bind_int64(st, 1, n);
	if (sqlite3_step(st) != SQLITE_ROW ||
	    sqlite3_column_bytes(st, 0) != (int)sizeof(o->leaf)) {
		sqlite3_finalize(st);
		return al_db_fail(v->db, "reading the log", err);
	}
	memcpy(o->leaf, sqlite3_column_blob(st, 0), sizeof(o->leaf));
	sqlite3_finalize(st);
	v->nown++;
	if (seq)
		*seq = n;
	return 0;
}

int al_vault_lock(struct al_vault *v, void (*waiting)(void),
		  struct al_error *err)
{
	if (v->lockfd >= 0)
		return 0;
	v->lockfd = openat(v->dirfd, "lock",
			   O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (v->lockfd < 0)
		return al_error_set(err, AL_EIO, "vault lock: %s",
				    strerror(errno));
	if (flock(v->lockfd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno == EWOULDBLOCK && waiting)
		waiting();
	while (flock(v->lockfd, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		return al_error_set(err, AL_EIO, "vault lock: %s",
				    strerror(errno));
	}
	return 0;
}

int al_vault_now(int64_t *out, struct al_error *err)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return al_error_set(err, AL_EIO, "cannot read the clock: %s",
				    strerror(errno));
	*out = (int64_t)ts.tv_sec;
	return 0;
}

int al_vault_event_time(struct al_vault *v, int64_t *out, struct al_error *err)
{
	struct al_error e;
	sqlite3_stmt *st;
	int64_t last;
	int rc;

	if ((rc = al_vault_now(out, err)))
		return rc;
	if (sqlite3_prepare_v2(
		    v->db, "SELECT at FROM events ORDER BY seq DESC LIMIT 1",
		    -1, &st, NULL))
		return al_db_fail(v->db, "reading the log", err);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    !al_time_parse((const char *)sqlite3_column_text(st, 0), &last,
			   &e) &&
	    last > *out)
		*out = last;
	sqlite3_finalize(st);
	return 0;
}

/* Owned by us, a directory or regular file, no group or other bits. */
static int check_private(const struct stat *st, const char *path, bool dir,
			 struct al_error *err)
{
	char vis[256];

	al_text_visible(path, strlen(path), vis, sizeof(vis));
	if (dir ? !S_ISDIR(st->st_mode) : !S_ISREG(st->st_mode))
		return al_error_set(err, AL_EINTEGRITY, "'%s' is not a %s", vis,
				    dir ? "folder" : "regular file");
	if (st->st_uid != geteuid())
		return al_error_set(err, AL_EINTEGRITY,
				    "'%s' belongs to another user (uid %u)",
				    vis, (unsigned)st->st_uid);
	if (st->st_mode & 077)
		return al_error_set(err, AL_EINTEGRITY,
				    "'%s' has mode %04o: group or others may "
				    "reach it; 'chmod %s %s' if that was not "
				    "meant",
				    vis, (unsigned)(st->st_mode & 07777),
				    dir ? "700" : "600", vis);
	return 0;
}

static int open_folder(const char *path, int *fd, struct al_error *err)
{
	char vis[256];
	struct stat st;

	al_text_visible(path, strlen(path), vis, sizeof(vis));
	*fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0) {
		if (errno == ENOENT)
			return al_error_set(err, AL_ENOTFOUND,
					    "no vault at '%s' ('airlock-vault "
					    "init --key FPR' creates one)",
					    vis);
		if (errno == ELOOP || errno == ENOTDIR)
			return al_error_set(err, AL_EINTEGRITY,
					    "vault '%s' is a symlink or not a "
					    "folder; refusing to follow it",
					    vis);
		return al_error_set(err, AL_EIO, "vault '%s': %s", vis,
				    strerror(errno));
	}
	if (fstat(*fd, &st) < 0) {
		close(*fd);
		*fd = -1;
		return al_error_set(err, AL_EIO, "vault '%s': %s", vis,
				    strerror(errno));
	}
	return 0;
}

static char *join(const char *dir, const char *name)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		return NULL;
	return p;
}

static int load_policy(int dirfd, struct al_policy *p, struct al_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	struct stat st;
	int fd, rc;

	fd = openat(dirfd, AL_VAULT_POLICY,
		    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return al_policy_init_default(p, err);
		return al_error_set(err,
				    errno == ELOOP ? AL_EINTEGRITY : AL_EIO,
				    "vault policy.json: %s", strerror(errno));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > 1024 * 1024) {
		close(fd);
		return al_error_set(err, AL_EINTEGRITY,
				    "vault policy.json: not a regular file of "
				    "at most 1 MiB");
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return al_error_set(err, AL_ENOMEM, "out of memory");
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	rc = al_policy_parse(buf, len, p, err);
	free(buf);
	if (rc) {
		struct al_error inner = *err;

		return al_error_set(err, rc, "vault policy.json: %s",
				    inner.msg);
	}
	return 0;
}

int al_vault_open(const char *path, struct al_vault **out, struct al_error *err)
{
	struct al_vault *v;
	struct statvfs vfs;
	struct stat st;
	char *ledger = NULL;
	int rc;

	*out = NULL;
	v = calloc(1, sizeof(*v));
	if (!v || !(v->path = strdup(path))) {
		free(v);
		return al_error_set(err, AL_ENOMEM, "out of memory");
	}
	v->dirfd = -1;
	v->lockfd = -1;
	if ((rc = open_folder(path, &v->dirfd, err)))
		goto fail;
	if (fstat(v->dirfd, &st) < 0) {
		rc = al_error_set(err, AL_EIO, "vault: %s", strerror(errno));
		goto fail;
	}
	if ((rc = check_private(&st, path, true, err)))
		goto fail;
	if (fstatvfs(v->dirfd, &vfs) == 0 && (vfs.f_flag & ST_RDONLY)) {
		char vis[256];

		al_text_visible(path, strlen(path), vis, sizeof(vis));
		rc = al_error_set(err, AL_EIO,
				  "vault '%s' is on a read-only file system "
				  "(the ledger is written even to read it: "
				  "SQLite's WAL); copy it somewhere writable",
				  vis);
		goto fail;
	}
	if (fstatat(v->dirfd, AL_VAULT_LEDGER, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		char vis[256];

		al_text_visible(path, strlen(path), vis, sizeof(vis));
		rc = al_error_set(err, errno == ENOENT ? AL_ENOTFOUND : AL_EIO,
				  "no vault at '%s' (no %s: 'airlock-vault "
				  "init --key FPR' creates one)",
				  vis, AL_VAULT_LEDGER);
		goto fail;
	}
	if (!(ledger = join(path, AL_VAULT_LEDGER))) {
		rc = al_error_set(err, AL_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = check_private(&st, ledger, false, err)) ||
	    (rc = al_db_open(ledger, false, &v->db, err)) ||
	    (rc = al_db_meta_get(v->db, "origin", v->origin, sizeof(v->origin),
				 err)) ||
	    (rc = al_db_meta_get(v->db, "key", v->key, sizeof(v->key), err)) ||
	    (rc = al_store_open(v->dirfd, false, &v->store, err)) ||
	    (rc = load_policy(v->dirfd, &v->policy, err)) ||
	    (rc = al_gpg_new(&v->gpg, err)))
		goto fail;
	snprintf(v->actor, sizeof(v->actor), "%s", v->key);
	free(ledger);
	*out = v;
	return 0;
fail:
	free(ledger);
	al_vault_close(v);
	return rc;
}

void al_vault_close(struct al_vault *v)
{
	if (!v)
		return;
	if (v->db)
		sqlite3_close(v->db);
	al_store_close(v->store);
	al_gpg_free(v->gpg);
	al_policy_release(&v->policy);
	if (v->dirfd >= 0)
		close(v->dirfd);
	if (v->lockfd >= 0)
		close(v->lockfd);
	free(v->own);
	free(v->path);
	free(v);
}

/* ---- init ---- */

static bool folder_empty(int fd)
{
	int dup_fd = dup(fd);
	DIR *d;
	struct dirent *e;
	bool empty = true;

	if (dup_fd < 0 || !(d = fdopendir(dup_fd))) {
		if (dup_fd >= 0)
			close(dup_fd);
		return false;
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			empty = false;
			break;
		}
	closedir(d);
	return empty;
}

static void init_cleanup(int dirfd, const char *path, bool made)
{
	static const char *const files[] = {
		AL_VAULT_LEDGER,        AL_VAULT_LEDGER "-wal",
		AL_VAULT_LEDGER "-shm", AL_VAULT_LEDGER "-journal",
		AL_VAULT_POLICY,
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlinkat(dirfd, files[i], 0);
	unlinkat(dirfd, "store/tmp", AT_REMOVEDIR);
	unlinkat(dirfd, "store", AT_REMOVEDIR);
	if (made)
		rmdir(path);
}

static int write_policy(int dirfd, const char *buf, size_t len,
			struct al_error *err)
{
	int fd = openat(dirfd, AL_VAULT_POLICY,
			O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			0600);
	int rc;

	if (fd < 0)
		return al_error_set(err, AL_EIO, "vault policy.json: %s",
				    strerror(errno));
	rc = al_write_all(fd, buf, len, "vault policy.json", err);
	if (!rc && fsync(fd) < 0)
		rc = al_error_set(err, AL_EIO, "vault policy.json: %s",
				  strerror(errno));
	close(fd);
	return rc;
}

static int init_ledger(const char *ledger, const char *key, const char *origin,
		       const char *policy_sha, struct al_error *err)
{
	sqlite3 *db = NULL;
	json_t *data = NULL;
	char when[AL_RFC3339_LEN];
	int64_t now;
	int rc;

	if ((rc = al_vault_now(&now, err)) ||
	    (rc = al_db_open(ledger, true, &db, err)))
		return rc;
	al_time_format(now, when);
	data = json_pack("{s:s, s:s, s:s?, s:s}", "key", key, "origin", origin,
			 "policy", policy_sha, "version", AL_VERSION);
	if (!data) {
		rc = al_error_set(err, AL_ENOMEM, "out of memory");
		goto out;
	}
	if (!policy_sha)
		json_object_set_new(data, "policy", json_null());
	if ((rc = al_db_begin(db, err)))
		goto out;
	if ((rc = al_db_meta_set(db, "origin", origin, err)) ||
	    (rc = al_db_meta_set(db, "key", key, err)) ||
	    (rc = al_db_meta_set(db, "created", when, err)) ||
	    (rc = al_db_append(db, now, "init", NULL, key, data, NULL, err)) ||
	    (rc = al_db_commit(db, err)))
		al_db_rollback(db);
out:
	json_decref(data);
	if (sqlite3_close(db) != SQLITE_OK && !rc)
		rc = al_error_set(err, AL_EIO, "ledger: closing failed");
	return rc;
}

/* A vault begins signed: its init event is covered by checkpoint 2 (the
 * init event and the checkpoint's own). */
static int first_checkpoint(const char *path, struct al_error *err)
{
	struct al_checkpoint_result cp;
	struct al_vault *v = NULL;
	int rc;

	if ((rc = al_vault_open(path, &v, err)))
		return rc;
	rc = al_vault_checkpoint(v, false, -1, &cp, err);
	al_vault_close(v);
	return rc;
}

int al_vault_init(const char *path, const char *key, const char *policy_buf,
		  size_t policy_len, struct al_error *err)
{
	char primary[AL_FPR_MAX], uuid[AL_UUID_LEN];
	char origin[AL_ORIGIN_MAX], vis[256];
	char policy_sha[AL_SHA256_HEX];
	struct al_policy pol = {0};
	struct al_gpg *g = NULL;
	struct al_store *store = NULL;
	char *ledger = NULL;
	bool made = false;
	int dirfd = -1, rc;
	mode_t old = umask(077);

	al_text_visible(path, strlen(path), vis, sizeof(vis));
	if (policy_buf) {
		if ((rc = al_policy_parse(policy_buf, policy_len, &pol, err)))
			goto out;
		al_sha256_hex(policy_buf, policy_len, policy_sha);
	}
	if ((rc = al_gpg_new(&g, err)) ||
	    (rc = al_gpg_check_key(g, key, AL_KEY_ENCRYPT, primary, err)) ||
	    (rc = al_gpg_check_key(g, primary, AL_KEY_SIGN, NULL, err)) ||
	    (rc = al_uuid_v4(uuid, err)))
		goto out;
	snprintf(origin, sizeof(origin), "airlock/%s", uuid);

	if (mkdir(path, 0700) == 0) {
		made = true;
	} else if (errno != EEXIST) {
		rc = al_error_set(err, AL_EIO, "vault '%s': %s", vis,
				  strerror(errno));
		goto out;
	}
	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0) {
		rc = al_error_set(err, AL_EIO, "vault '%s': %s", vis,
				  errno == ELOOP ? "is a symlink"
						 : strerror(errno));
		goto out;
	}
	if (!made) {
		struct stat st;

		if (!folder_empty(dirfd)) {
			rc = al_error_set(err, AL_EEXIST,
					  "vault '%s' already exists (and is "
					  "not empty); nothing changed",
					  vis);
			close(dirfd);
			dirfd = -1;
			goto out;
		}
		if (fstat(dirfd, &st) < 0 || st.st_uid != geteuid() ||
		    fchmod(dirfd, 0700) < 0) {
			rc = al_error_set(err, AL_EIO,
					  "vault '%s': cannot make it private "
					  "(0700)",
					  vis);
			goto cleanup;
		}
	}
	if (!(ledger = join(path, AL_VAULT_LEDGER))) {
		rc = al_error_set(err, AL_ENOMEM, "out of memory");
		goto cleanup;
	}
	if ((rc = al_store_open(dirfd, true, &store, err)) ||
	    (policy_buf &&
	     (rc = write_policy(dirfd, policy_buf, policy_len, err))) ||
	    (rc = init_ledger(ledger, primary, origin,
			      policy_buf ? policy_sha : NULL, err)) ||
	    (rc = first_checkpoint(path, err)))
		goto cleanup;
	if (fsync(dirfd) < 0) {
		rc = al_error_set(err, AL_EIO, "vault '%s': %s", vis,
				  strerror(errno));
		goto cleanup;
	}
	goto out;
cleanup:
	al_store_close(store);
	store = NULL;
	init_cleanup(dirfd, path, made);
out:
	al_store_close(store);
	if (dirfd >= 0)
		close(dirfd);
	free(ledger);
	al_gpg_free(g);
	al_policy_release(&pol);
	umask(old);
	return rc;
}

/* ---- reading ---- */

int al_vault_find(struct al_vault *v, const char *given, char out[37],
		  struct al_error *err)
{
	char want[37], vis[128];
	size_t len = strlen(given);
	sqlite3_stmt *st;
	int n = 0, rc;

	al_text_visible(given, len, vis, sizeof(vis));
	if (len < 8 || len > 36)
		return al_error_set(err, len > 36 ? AL_ENOTFOUND : AL_EUSAGE,
				    len > 36 ? "no report '%s'"
					     : "report id '%s' is too short "
					       "(at least 8 characters)",
				    vis);
	for (size_t i = 0; i < len; i++) {
		if (!isxdigit((unsigned char)given[i]) && given[i] != '-')
			return al_error_set(err, AL_ENOTFOUND, "no report '%s'",
					    vis);
		want[i] = (char)tolower((unsigned char)given[i]);
	}
	want[len] = '\0';
	if (sqlite3_prepare_v2(v->db,
			       "SELECT id FROM reports WHERE id >= ?1 AND "
			       "id < ?1 || '{' ORDER BY id LIMIT 2",
			       -1, &st, NULL))
		return al_db_fail(v->db, "finding a report", err);
	sqlite3_bind_text(st, 1, want, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);

		if (n++ == 0)
			snprintf(out, 37, "%s", id ? id : "");
		if (id && !strcmp(id, want)) {
			n = 1;
			break;
		}
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		return al_db_fail(v->db, "finding a report", err);
	}
	sqlite3_finalize(st);
	if (n == 0)
		return al_error_set(err, AL_ENOTFOUND, "no report '%s'", vis);
	if (n > 1)
		return al_error_set(err, AL_EUSAGE,
				    "'%s' matches more than one report; give "
				    "more of the id",
				    vis);
	return 0;
}

#define REPORT_COLUMNS                                                      \
	"id, title, state, rating, class, project, created, imported_at, "  \
	"revision, signature, signer, bundle, reporter, credit, proposed, " \
	"imported, meta, (SELECT b.purged FROM bundles b WHERE b.sha256 = " \
	"reports.bundle)"

static json_t *column_json(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		return json_null();
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, i));
	default:
		return json_stringn((const char *)sqlite3_column_text(st, i),
				    (size_t)sqlite3_column_bytes(st, i));
	}
}

static json_t *report_row(sqlite3_stmt *st)
{
	static const char *const names[] = {
		"id",       "title",     "state",    "rating",
		"class",    "project",   "created",  "imported_at",
		"revision", "signature", "signer",   "bundle",
		"reporter", "credit",    "proposed", "seq",
	};
	json_t *o = json_object();

	if (!o)
		return NULL;
	for (int i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++) {
		json_t *val = column_json(st, i);

		if (!val || json_object_set_new(o, names[i], val)) {
			json_decref(o);
			return NULL;
		}
	}
	/* column 16 is the meta hash; 17 whether the bundle was purged */
	if (json_object_set_new(o, "purged",
				json_boolean(sqlite3_column_int(st, 17)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* list --overdue: is the row's clock (columns 18 to 21: state,
 * imported_t, fix_due, fix_left) overdue at now? */
static bool row_overdue(struct al_vault *v, sqlite3_stmt *st, int64_t now)
{
	const char *state = (const char *)sqlite3_column_text(st, 18);
	struct al_clock c;

	return al_due_row_clock(&v->policy, state ? state : "",
				sqlite3_column_int64(st, 19),
				sqlite3_column_int64(st, 20),
				sqlite3_column_int64(st, 21), now, &c) &&
	       c.overdue;
}

int al_vault_list(struct al_vault *v, const struct al_list_filter *f,
		  json_t **out, struct al_error *err)
{
	bool overdue = f && f->overdue;
	int64_t limit = f && f->limit > 0 ? f->limit : -1, n = 0;
	char running[256];
	sqlite3_stmt *st;
	json_t *arr = json_array();
	int rc = SQLITE_DONE;

	*out = NULL;
	if (!arr)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	/* with --overdue the limit counts the rows kept, so it is applied
	 * here rather than by SQL */
	if (sqlite3_prepare_v2(v->db,
			       "SELECT " REPORT_COLUMNS ", state, imported_t, "
			       "coalesce(fix_due, 0), coalesce(fix_left, 0) "
			       "FROM reports "
			       "WHERE (?1 IS NULL OR state = ?1) "
			       "AND (?2 IS NULL OR rating = ?2) "
			       "AND (?4 IS NULL OR state IN (SELECT value "
			       "FROM json_each(?4))) "
			       "ORDER BY imported DESC LIMIT ?3",
			       -1, &st, NULL)) {
		json_decref(arr);
		return al_db_fail(v->db, "listing reports", err);
	}
	if (f && f->state)
		sqlite3_bind_text(st, 1, f->state, -1, SQLITE_STATIC);
	if (f && f->rating)
		sqlite3_bind_text(st, 2, f->rating, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, overdue ? -1 : limit);
	if (overdue) {
		/* only the states whose clock runs can be overdue */
		al_due_states_json(&v->policy, AL_DUE_RUNNING, running,
				   sizeof(running));
		sqlite3_bind_text(st, 4, running, -1, SQLITE_STATIC);
	}
	while ((limit < 0 || n < limit) &&
	       (rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *row;

		if (overdue && !row_overdue(v, st, f->now))
			continue;
		row = report_row(st);
		if (!row || json_array_append_new(arr, row)) {
			sqlite3_finalize(st);
			json_decref(arr);
			return al_error_set(err, AL_ENOMEM, "out of memory");
		}
		n++;
	}
	if (!(limit >= 0 && n == limit) && rc != SQLITE_DONE) {
		rc = al_db_fail(v->db, "listing reports", err);
		sqlite3_finalize(st);
		json_decref(arr);
		return rc;
	}
	sqlite3_finalize(st);
	*out = arr;
	return 0;
}

static int report_events(struct al_vault *v, const char *id, json_t *o,
			 struct al_error *err)
{
	sqlite3_stmt *st;
	json_t *arr = json_array();
	int rc;

	if (!arr || json_object_set_new(o, "events", arr))
		return al_error_set(err, AL_ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(v->db,
			       "SELECT seq, at, kind, actor, data FROM events "
			       "WHERE report = ? ORDER BY seq",
			       -1, &st, NULL))
		return al_db_fail(v->db, "reading the history", err);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *data = json_loadb(
			(const char *)sqlite3_column_text(st, 4),
			(size_t)sqlite3_column_bytes(st, 4), 0, NULL);
		json_t *ev = json_pack(
			"{s:I, s:s, s:s, s:s, s:o*}", "seq",
			(json_int_t)sqlite3_column_int64(st, 0), "at",
			(const char *)sqlite3_column_text(st, 1), "kind",
			(const char *)sqlite3_column_text(st, 2), "actor",
			(const char *)sqlite3_column_text(st, 3), "data", data);

		if (!ev || json_array_append_new(arr, ev)) {
			sqlite3_finalize(st);
			return al_error_set(err, AL_ENOMEM, "out of memory");
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return al_db_fail(v->db, "reading the history", err);
	return 0;
}

int al_vault_report(struct al_vault *v, const char *id, json_t **out,
		    struct al_error *err)
{
	sqlite3_stmt *st;
	json_t *o = NULL, *meta = NULL, *triage = NULL;
	int64_t now;
	int rc;

	*out = NULL;
	if (sqlite3_prepare_v2(v->db,
			       "SELECT " REPORT_COLUMNS ", m.json FROM "
			       "reports JOIN metas m ON m.sha256 = meta "
			       "WHERE id = ?",
			       -1, &st, NULL))
		return al_db_fail(v->db, "reading a report", err);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(st);
		return al_error_set(err, AL_ENOTFOUND, "no report '%s'", id);
	}
	if (rc != SQLITE_ROW) {
		rc = al_db_fail(v->db, "reading a report", err);
		sqlite3_finalize(st);
		return rc;
	}
	o = report_row(st);
	meta = json_loadb((const char *)sqlite3_column_text(st, 18),
			  (size_t)sqlite3_column_bytes(st, 18), 0, NULL);
	sqlite3_finalize(st);
	if (!o || !meta || json_object_set_new(o, "manifest", meta)) {
		if (!o)
			json_decref(meta);
		json_decref(o);
		return al_error_set(err, !o ? AL_ENOMEM : AL_EINTEGRITY,
				    "ledger: report '%s': unreadable metadata",
				    id);
	}
	if ((rc = report_events(v, id, o, err)) ||
	    (rc = al_vault_now(&now, err)) ||
	    (rc = al_vault_triage_json(v, id, now, &triage, err)) ||
	    json_object_set_new(o, "triage", triage)) {
		json_decref(o);
		return rc ? rc : al_error_set(err, AL_ENOMEM, "out of memory");
	}
	*out = o;
	return 0;
}
