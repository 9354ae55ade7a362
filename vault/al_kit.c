/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The policy kit (spec policy-v1): what the maintainers publish beside
 * their SECURITY.md so that researchers can check and seal a report
 * offline: policy.json, its detached signature by the vault's key, and
 * the recipients' public keys.  airlock-pack reads it (tools/pack/kit.c),
 * pinned by the fingerprint the project prints in SECURITY.md.
 *
 * The kit is written into a temporary folder beside the destination and
 * renamed into place with its "export" event, so it appears whole or not
 * at all, and never over an existing path.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "al_exports.h"
#include "al_io.h"
#include "al_ledger.h"
#include "al_text.h"
#include "al_time.h"

#define KIT_POLICY_MAX (1024 * 1024)

/* The vault's policy.json, byte for byte. */
static int read_policy(struct al_vault *v, char **buf, size_t *len,
		       struct al_error *err)
{
	struct stat st;
	size_t n = 0;
	int fd;

	*buf = NULL;
	fd = openat(v->dirfd, AL_VAULT_POLICY,
		    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT)
		return al_error_set(err, AL_ENOTFOUND,
				    "this vault has no policy.json (it uses "
				    "the reference defaults, which name no "
				    "project or recipients): a kit needs the "
				    "project's policy, given to 'airlock-vault "
				    "init --policy FILE'");
	if (fd < 0)
		return al_error_set(err,
				    errno == ELOOP ? AL_EINTEGRITY : AL_EIO,
				    "vault policy.json: %s", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > KIT_POLICY_MAX) {
		close(fd);
		return al_error_set(err, AL_EINTEGRITY,
				    "vault policy.json: not a regular file of "
				    "at most 1 MiB");
	}
	if (!(*buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return al_error_set(err, AL_ENOMEM, "out of memory");
	}
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, *buf + n, (size_t)st.st_size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n != (size_t)st.st_size) {
		free(*buf);
		*buf = NULL;
		return al_error_set(err, AL_EIO,
				    "vault policy.json: short read");
	}
	(*buf)[n] = '\0';
	*len = n;
	return 0;
}

/* The policy's hash must be the one the init event recorded (as audit
 * checks): a kit signs what the vault was created with, never a file
 * changed behind its back. */
static int check_recorded(struct al_vault *v, const char *hex,
			  struct al_error *err)
{
	sqlite3_stmt *st;
	const char *want;
	int rc;

	if (sqlite3_prepare_v2(v->db,
			       "SELECT json_extract(data, '$.policy') FROM "
			       "events WHERE kind = 'init' ORDER BY seq "
			       "LIMIT 1",
			       -1, &st, NULL))
		return al_db_fail(v->db, "reading the log", err);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return rc == SQLITE_DONE
			       ? al_error_set(err, AL_EINTEGRITY,
					      "ledger: no init event "
					      "(airlock-vault audit says "
					      "more)")
			       : al_db_fail(v->db, "reading the log", err);
	}
	want = (const char *)sqlite3_column_text(st, 0);
	rc = want && !strcmp(want, hex)
		     ? 0
		     : al_error_set(err, AL_EINTEGRITY,
				    "vault policy.json: its SHA-256 is not "
				    "the one the init event recorded "
				    "(airlock-vault audit says more); nothing "
				    "exported");
	sqlite3_finalize(st);
	return rc;
}

/* Append s[0..n) to the growing buffer *buf (length *len). */
static int append(char **buf, size_t *len, const char *s, size_t n,
		  struct al_error *err)
{
	char *p = realloc(*buf, *len + n + 1);

	if (!p)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	memcpy(p + *len, s, n);
	*len += n;
	p[*len] = '\0';
	*buf = p;
	return 0;
}

/* A recipient's key, usable for encryption, minimal and armored, appended
 * to keys; its primary fingerprint into primary. */
static int add_recipient(struct al_vault *v, const char *fpr, char **keys,
			 size_t *klen, char primary[AL_FPR_MAX],
			 struct al_error *err)
{
	char msg[sizeof(err->msg)];
	char *k = NULL;
	size_t n = 0;
	int rc;

	rc = al_gpg_check_key(v->gpg, fpr, AL_KEY_ENCRYPT, primary, err);
	if (rc == AL_ENOTFOUND)
		return al_error_set(err, rc,
				    "policy.json names recipient %s, which is "
				    "not in the keyring: import its public "
				    "key first (gpg --import); nothing "
				    "exported",
				    fpr);
	if (rc) {
		snprintf(msg, sizeof(msg), "%s", err->msg);
		return al_error_set(err, rc,
				    "policy.json recipient: %s; nothing "
				    "exported",
				    msg);
	}
	if ((rc = al_gpg_export_public(v->gpg, primary, &k, &n, err)))
		return rc;
	rc = append(keys, klen, k, n, err);
	free(k);
	return rc;
}

/* keys.asc: every recipient once (by primary key), in the policy's
 * order, then the vault's key when it is not one of them (so that the
 * kit's signature can be checked). */
static int collect_keys(struct al_vault *v, const struct al_policy *p,
			char **keys, size_t *klen, struct al_kit_result *out,
			struct al_error *err)
{
	char(*seen)[AL_FPR_MAX] = calloc(p->nrecipients + 1, sizeof(*seen));
	bool signer_in = false;
	size_t nseen = 0;
	int rc = 0;

	if (!seen)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	for (size_t i = 0; i < p->nrecipients && !rc; i++) {
		char primary[AL_FPR_MAX];
		size_t before = *klen;
		bool dup = false;

		if ((rc = add_recipient(v, p->recipients[i], keys, klen,
					primary, err)))
			break;
		for (size_t j = 0; j < nseen; j++)
			dup = dup || !strcmp(seen[j], primary);
		if (dup) {
			/* a subkey's fingerprint naming a key given before */
			*klen = before;
			(*keys)[before] = '\0';
			continue;
		}
		memcpy(seen[nseen++], primary, AL_FPR_MAX);
		signer_in = signer_in || !strcmp(primary, v->key);
	}
	if (!rc && !signer_in) {
		char *k = NULL;
		size_t n = 0;

		if (!(rc = al_gpg_export_public(v->gpg, v->key, &k, &n, err)))
			rc = append(keys, klen, k, n, err);
		free(k);
		out->signer_added = true;
	}
	out->recipients = nseen;
	free(seen);
	return rc;
}

static int write_file(int dir, const char *name, const void *buf, size_t len,
		      struct al_error *err)
{
	return al_write_new_file(dir, name, buf, len, "kit", err);
}

/* The three files, into the folder root. */
static int write_kit(int root, const char *policy, size_t plen, const char *sig,
		     size_t slen, const char *keys, size_t klen,
		     struct al_error *err)
{
	int rc;

	if ((rc = write_file(root, "policy.json", policy, plen, err)) ||
	    (rc = write_file(root, "policy.json.asc", sig, slen, err)) ||
	    (rc = write_file(root, "keys.asc", keys, klen, err)))
		return rc;
	if (fsync(root) < 0)
		return al_error_set(err, AL_EIO, "kit: %s", strerror(errno));
	return 0;
}

/* Everything that can refuse, before anything is written: the policy
 * (present, recorded, valid, not expired), the keys, the signature. */
static int prepare(struct al_vault *v, char **policy, size_t *plen, char **keys,
		   size_t *klen, char **sig, size_t *slen,
		   struct al_kit_result *out, struct al_error *err)
{
	char when[AL_RFC3339_LEN], msg[sizeof(err->msg)];
	struct al_policy p = {0};
	int64_t now;
	int rc;

	if ((rc = read_policy(v, policy, plen, err)))
		return rc;
	al_sha256_hex(*policy, *plen, out->policy_sha256);
	if ((rc = check_recorded(v, out->policy_sha256, err)))
		return rc;
	if ((rc = al_policy_parse(*policy, *plen, &p, err))) {
		snprintf(msg, sizeof(msg), "%s", err->msg);
		return al_error_set(err, rc, "vault policy.json: %s", msg);
	}
	out->expires = p.expires;
	if ((rc = al_vault_now(&now, err)))
		goto out;
	if (p.expires && p.expires <= now) {
		al_time_format(p.expires, when);
		rc = al_error_set(err, AL_EINVAL,
				  "the vault's policy.json expired on %s: "
				  "airlock-pack refuses an expired kit; "
				  "nothing exported",
				  when);
		goto out;
	}
	if ((rc = collect_keys(v, &p, keys, klen, out, err)) ||
	    (rc = al_gpg_sign_detached(v->gpg, v->key, *policy, *plen, sig,
				       slen, err)))
		goto out;
	/* what a researcher's airlock-pack will do with it */
	rc = al_gpg_verify_detached(v->gpg, *policy, *plen, *sig, *slen, v->key,
				    out->signer, NULL, err);
out:
	al_policy_release(&p);
	return rc;
}

/* Append the event, rename the folder into place, commit. */
static int publish(struct al_vault *v, int parent, const char *tmpl,
		   const char *base, const char *vis, struct al_kit_result *out,
		   struct al_error *err)
{
	json_t *data = json_pack("{s:s, s:s}", "what", "policy", "policy",
				 out->policy_sha256);
	int64_t now;
	int rc;

	if (!data)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	if ((rc = al_vault_event_time(v, &now, err)) ||
	    (rc = al_db_begin(v->db, err)))
		goto out;
	if ((rc = al_vault_append(v, now, "export", NULL, data, &out->seq,
				  err)) ||
	    (rc = al_state_apply(v->db, out->seq, err))) {
		al_db_rollback(v->db);
		goto out;
	}
	if (renameat2(parent, tmpl, parent, base, RENAME_NOREPLACE) < 0) {
		rc = al_error_set(err, errno == EEXIST ? AL_EEXIST : AL_EIO,
				  "kit: '%s': %s", vis, strerror(errno));
		al_db_rollback(v->db);
		goto out;
	}
	if ((rc = al_db_commit(v->db, err))) {
		al_remove_tree(parent, base);
		goto out;
	}
	fsync(parent);
out:
	json_decref(data);
	return rc;
}

int al_vault_policy_export(struct al_vault *v, const char *dir,
			   struct al_kit_result *out, struct al_error *err)
{
	char vis[256], tmpl[64];
	char *policy = NULL, *keys = NULL, *sig = NULL;
	char *pcopy = NULL, *bcopy = NULL;
	size_t plen = 0, klen = 0, slen = 0;
	int parent = -1, root = -1, rc;
	struct stat st;

	memset(out, 0, sizeof(*out));
	out->seq = -1;
	al_text_visible(dir, strlen(dir), vis, sizeof(vis));
	if (!*dir)
		return al_error_set(err, AL_EUSAGE, "kit: -o names no folder");
	if (fstatat(AT_FDCWD, dir, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return al_error_set(err, AL_EEXIST,
				    "'%s' exists; the kit goes into a new "
				    "folder",
				    vis);
	if (!(pcopy = strdup(dir)) || !(bcopy = strdup(dir))) {
		rc = al_error_set(err, AL_ENOMEM, "out of memory");
		goto out;
	}
	parent = open(dirname(pcopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent < 0) {
		rc = al_error_set(err, AL_EIO, "kit: '%s': %s", vis,
				  strerror(errno));
		goto out;
	}
	if ((rc = prepare(v, &policy, &plen, &keys, &klen, &sig, &slen, out,
			  err)))
		goto out;
	snprintf(tmpl, sizeof(tmpl), ".airlock-kit-%d", (int)getpid());
	if (mkdirat(parent, tmpl, 0755) < 0 ||
	    (root = openat(parent, tmpl,
			   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) <
		    0) {
		rc = al_error_set(err, AL_EIO, "kit: '%s': %s", vis,
				  strerror(errno));
		goto out;
	}
	if ((rc = write_kit(root, policy, plen, sig, slen, keys, klen, err)) ||
	    (rc = publish(v, parent, tmpl, basename(bcopy), vis, out, err)))
		al_remove_tree(parent, tmpl);
out:
	if (rc)
		out->seq = -1;
	if (root >= 0)
		close(root);
	if (parent >= 0)
		close(parent);
	free(pcopy);
	free(bcopy);
	free(policy);
	free(keys);
	free(sig);
	return rc;
}
