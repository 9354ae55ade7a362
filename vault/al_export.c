/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The auditor's export (docs/ledger.md "Export"): the log's canonical
 * bytes, every signed checkpoint, the vault's public key and a README that
 * says how to check them without Airlock.  Written into a temporary folder
 * beside the destination and renamed into place, so the folder appears
 * whole or not at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "al_gpg.h"
#include "al_io.h"
#include "al_ledger.h"
#include "al_text.h"

static const char readme[] =
	"This folder is the export of an Airlock vault's ledger: its history\n"
	"of events and the checkpoints the maintainers signed.  You can check\n"
	"it without Airlock, with any SHA-256 and gpg.\n"
	"\n"
	"  origin       %s\n"
	"  signed by    %s\n"
	"  events       %lld (events.jsonl, one a line)\n"
	"  checkpoints  %lld (checkpoints/N.txt, signature N.txt.asc)\n"
	"\n"
	"1. The key.  Import keys.asc into an empty keyring and compare its\n"
	"   fingerprint with the one the project publishes (its SECURITY.md):\n"
	"\n"
	"     export GNUPGHOME=$(mktemp -d)\n"
	"     gpg --import keys.asc && gpg --fingerprint\n"
	"\n"
	"2. The signatures.  Each checkpoint's text is signed:\n"
	"\n"
	"     for f in checkpoints/*.txt; do gpg --verify \"$f.asc\" \"$f\" "
	"|| echo \"BAD $f\"; done\n"
	"\n"
	"3. The events.  Line i of events.jsonl (without its newline) is "
	"event\n"
	"   i's canonical JSON (RFC 8785); its \"seq\" is i.  Its leaf hash "
	"is\n"
	"   SHA-256(0x00 || line).  A checkpoint N.txt has three lines: the\n"
	"   origin, N, and the Merkle tree root (RFC 9162 section 2.1) of the\n"
	"   first N leaves in base64: node = SHA-256(0x01 || left || right), "
	"a\n"
	"   tree of n > 1 leaves split at the largest power of two below n.\n"
	"   Event N-1 is the \"checkpoint\" event announcing N.  In Python 3:\n"
	"\n"
	"     import base64, glob, hashlib\n"
	"     H = lambda b: hashlib.sha256(b).digest()\n"
	"     lines = open('events.jsonl', 'rb').read().split(b'\\n')[:-1]\n"
	"     leaves = [H(b'\\0' + line) for line in lines]\n"
	"     def root(v):\n"
	"         if len(v) <= 1:\n"
	"             return v[0] if v else H(b'')\n"
	"         k = 1\n"
	"         while 2 * k < len(v):\n"
	"             k *= 2\n"
	"         return H(b'\\1' + root(v[:k]) + root(v[k:]))\n"
	"     for f in sorted(glob.glob('checkpoints/*.txt')):\n"
	"         origin, n, r = open(f).read().split('\\n')[:3]\n"
	"         good = base64.b64decode(r) == root(leaves[:int(n)])\n"
	"         print(f, 'root ok' if good else 'ROOT DOES NOT MATCH')\n"
	"\n"
	"If every signature is good and every root matches, no event before\n"
	"the newest checkpoint was changed, removed or reordered since it was\n"
	"signed.  Keep this export: a later export of the same vault must "
	"give\n"
	"the same root for these first events.\n";

static int write_file(int dir, const char *name, const void *buf, size_t len,
		      struct al_error *err)
{
	return al_write_new_file(dir, name, buf, len, "export", err);
}

static int write_events(struct al_vault *v, int dir, int64_t size,
			struct al_error *err)
{
	sqlite3_stmt *st;
	int fd, rc = 0, step;
	int64_t n = 0;

	fd = openat(dir, "events.jsonl",
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return al_error_set(err, AL_EIO, "export: events.jsonl: %s",
				    strerror(errno));
	if (sqlite3_prepare_v2(v->db,
			       "SELECT seq, canonical FROM events WHERE seq < "
			       "? ORDER BY seq",
			       -1, &st, NULL)) {
		close(fd);
		return al_db_fail(v->db, "reading the log", err);
	}
	sqlite3_bind_int64(st, 1, size);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_int64(st, 0) != n++) {
			rc = al_error_set(err, AL_EINTEGRITY,
					  "export: event %lld is missing "
					  "(airlock-vault audit says more)",
					  (long long)n - 1);
			break;
		}
		if ((rc = al_write_all(fd, sqlite3_column_blob(st, 1),
				       (size_t)sqlite3_column_bytes(st, 1),
				       "events.jsonl", err)) ||
		    (rc = al_write_all(fd, "\n", 1, "events.jsonl", err)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = al_db_fail(v->db, "reading the log", err);
	sqlite3_finalize(st);
	if (!rc && n != size)
		rc = al_error_set(err, AL_EINTEGRITY,
				  "export: the log has %lld events, not %lld",
				  (long long)n, (long long)size);
	if (!rc && fsync(fd) < 0)
		rc = al_error_set(err, AL_EIO, "export: events.jsonl: %s",
				  strerror(errno));
	close(fd);
	return rc;
}

static int write_checkpoints(struct al_vault *v, int dir, int64_t size,
			     int64_t *count, struct al_error *err)
{
	sqlite3_stmt *st;
	int sub, rc = 0, step;

	if (mkdirat(dir, "checkpoints", 0755) < 0 ||
	    (sub = openat(dir, "checkpoints",
			  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return al_error_set(err, AL_EIO, "export: checkpoints: %s",
				    strerror(errno));
	if (sqlite3_prepare_v2(v->db,
			       "SELECT size, text, signature FROM checkpoints "
			       "WHERE size <= ? ORDER BY size",
			       -1, &st, NULL)) {
		close(sub);
		return al_db_fail(v->db, "reading the checkpoints", err);
	}
	sqlite3_bind_int64(st, 1, size);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		char name[40];
		long long n = sqlite3_column_int64(st, 0);

		snprintf(name, sizeof(name), "%lld.txt", n);
		if ((rc = write_file(sub, name, sqlite3_column_text(st, 1),
				     (size_t)sqlite3_column_bytes(st, 1), err)))
			break;
		snprintf(name, sizeof(name), "%lld.txt.asc", n);
		if ((rc = write_file(sub, name, sqlite3_column_text(st, 2),
				     (size_t)sqlite3_column_bytes(st, 2), err)))
			break;
		(*count)++;
	}
	if (!rc && step != SQLITE_DONE)
		rc = al_db_fail(v->db, "reading the checkpoints", err);
	sqlite3_finalize(st);
	if (!rc && fsync(sub) < 0)
		rc = al_error_set(err, AL_EIO, "export: checkpoints: %s",
				  strerror(errno));
	close(sub);
	return rc;
}

static int write_readme(struct al_vault *v, int dir, int64_t events,
			int64_t checkpoints, struct al_error *err)
{
	char *text = NULL;
	int len, rc;

	len = asprintf(&text, readme, v->origin, v->key, (long long)events,
		       (long long)checkpoints);
	if (len < 0)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	rc = write_file(dir, "README", text, (size_t)len, err);
	free(text);
	return rc;
}

/* Record the export and sign a checkpoint that covers it: the size of
 * the log the export holds. */
static int record(struct al_vault *v, int64_t *size, struct al_error *err)
{
	struct al_checkpoint_result cp;
	json_t *data = json_pack("{s:s}", "what", "ledger");
	int64_t now;
	int rc;

	if (!data)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	if ((rc = al_vault_event_time(v, &now, err)) ||
	    (rc = al_db_begin(v->db, err)))
		goto out;
	if ((rc = al_vault_append(v, now, "export", NULL, data, NULL, err)) ||
	    (rc = al_vault_checkpoint_locked(v, true, -1, &cp, err))) {
		al_db_rollback(v->db);
		goto out;
	}
	if ((rc = al_db_commit(v->db, err)))
		goto out;
	*size = (int64_t)cp.size;
out:
	json_decref(data);
	return rc;
}

int al_vault_export_ledger(struct al_vault *v, const char *dir,
			   struct al_export_result *out, struct al_error *err)
{
	char vis[256], tmpl[64];
	char *copy = NULL, *key = NULL;
	const char *base;
	int parent = -1, root = -1, rc;
	int64_t size = 0;
	size_t klen;
	struct stat st;
	bool reading = false;

	memset(out, 0, sizeof(*out));
	al_text_visible(dir, strlen(dir), vis, sizeof(vis));
	if (!*dir)
		return al_error_set(err, AL_EUSAGE,
				    "export: -o names no folder");
	if (fstatat(AT_FDCWD, dir, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return al_error_set(err, AL_EEXIST,
				    "export: '%s' exists; the export goes into "
				    "a new folder",
				    vis);
	if (!(copy = strdup(dir)))
		return al_error_set(err, AL_ENOMEM, "out of memory");
	parent = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent < 0) {
		rc = al_error_set(err, AL_EIO, "export: '%s': %s", vis,
				  strerror(errno));
		goto out;
	}
	/* the key first: a vault whose key is gone records nothing */
	if ((rc = al_gpg_export_public(v->gpg, v->key, &key, &klen, err)) ||
	    (rc = record(v, &size, err)))
		goto out;
	snprintf(tmpl, sizeof(tmpl), ".airlock-export-%d", (int)getpid());
	if (mkdirat(parent, tmpl, 0755) < 0 ||
	    (root = openat(parent, tmpl,
			   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) <
		    0) {
		rc = al_error_set(err, AL_EIO, "export: '%s': %s", vis,
				  strerror(errno));
		goto out;
	}
	/* one read snapshot for the events and the checkpoints */
	if (sqlite3_exec(v->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		rc = al_db_fail(v->db, "reading the log", err);
		goto fail;
	}
	reading = true;
	if ((rc = write_events(v, root, size, err)) ||
	    (rc = write_checkpoints(v, root, size, &out->checkpoints, err)) ||
	    (rc = write_file(root, "keys.asc", key, klen, err)) ||
	    (rc = write_readme(v, root, size, out->checkpoints, err)))
		goto fail;
	sqlite3_exec(v->db, "COMMIT", NULL, NULL, NULL);
	reading = false;
	if (fsync(root) < 0) {
		rc = al_error_set(err, AL_EIO, "export: '%s': %s", vis,
				  strerror(errno));
		goto fail;
	}
	free(copy);
	if (!(copy = strdup(dir))) {
		rc = al_error_set(err, AL_ENOMEM, "out of memory");
		goto fail;
	}
	base = basename(copy);
	if (renameat2(parent, tmpl, parent, base, RENAME_NOREPLACE) < 0) {
		rc = al_error_set(err, errno == EEXIST ? AL_EEXIST : AL_EIO,
				  "export: '%s': %s", vis, strerror(errno));
		goto fail;
	}
	fsync(parent);
	out->events = size;
	goto out;
fail:
	if (reading)
		sqlite3_exec(v->db, "COMMIT", NULL, NULL, NULL);
	al_remove_tree(parent, tmpl);
out:
	if (root >= 0)
		close(root);
	if (parent >= 0)
		close(parent);
	free(copy);
	free(key);
	return rc;
}
