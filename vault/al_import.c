/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Import: one bundle file into the vault (docs/import.md).  The outer
 * message streams once: gpg reads it (each byte also goes to the store's
 * temp blob and the bundle hash), its plain text streams into the inner
 * archive reader.  Nothing is published or recorded until gpg has
 * finished successfully; then the blob and the ledger rows go in under one
 * write lock, the blob first, so a crash leaves at worst an unreferenced
 * blob (fsck), never a record without its ciphertext.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "al_bundle.h"
#include "al_dedup.h"
#include "al_import.h"
#include "al_jcs.h"
#include "al_ledger.h"
#include "al_pgp_scan.h"
#include "al_time.h"
#include "al_uuid.h"

void al_import_result_release(struct al_import_result *r)
{
	if (!r)
		return;
	free(r->title);
	r->title = NULL;
}

/* The largest outer file and plain text the policy's limits allow: the
 * entries' bytes and the manifest, plus tar's headers (a pax header and
 * padding: at most 2 KiB an entry), its end blocks and blocking. */
uint64_t al_import_plain_cap(const struct al_limits *lim)
{
	return lim->bundle_bytes + lim->manifest_bytes +
	       (lim->entries + 1) * 2048 + 64 * 1024;
}

static uint64_t outer_cap(const struct al_limits *lim, bool armored)
{
	uint64_t binary = al_import_plain_cap(lim) + 1024 * 1024;

	return armored ? binary / 3 * 4 + binary / 32 + 4096 : binary;
}

struct tee {
	struct al_blob *blob;
	struct al_sha256 *sha;
	uint64_t bytes;
};

static int tee_write(void *ctx, const void *buf, size_t len,
		     struct al_error *err)
{
	struct tee *t = ctx;

	al_sha256_update(t->sha, buf, len);
	t->bytes += len;
	return al_blob_write(t->blob, buf, len, err);
}

static int refuse(struct al_import_result *r, const struct al_error *why)
{
	r->status = AL_IMPORT_REFUSED;
	r->err = *why;
	if (!r->err.code)
		r->err.code = AL_EINVAL;
	return 0;
}

static int refusef(struct al_import_result *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int refusef(struct al_import_result *r, int code, const char *fmt, ...)
{
	struct al_error e = {.code = code};
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	return refuse(r, &e);
}

/* Codes that mean the bundle is at fault, not the vault. */
static bool bundle_fault(int code)
{
	return code == AL_EINVAL || code == AL_EINTEGRITY ||
	       code == AL_ELIMIT || code == AL_ENOTFOUND;
}

/* ---- opening the file ---- */

static int open_bundle(const char *path, bool from_folder, int *fd,
		       struct stat *st, struct al_import_result *r,
		       struct al_error *err)
{
	int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;

	if (from_folder)
		flags |= O_NOFOLLOW;
	*fd = open(path, flags);
	if (*fd < 0) {
		if (errno == ENOENT)
			return refusef(r, AL_ENOTFOUND, "no such file");
		if (errno == ELOOP)
			return refusef(r, AL_EINVAL,
				       "a symlink; not followed in a folder");
		return refusef(r, AL_EIO, "cannot open: %s", strerror(errno));
	}
	if (fstat(*fd, st) < 0)
		return refusef(r, AL_EIO, "cannot read: %s", strerror(errno));
	if (!S_ISREG(st->st_mode))
		return refusef(r, AL_EINVAL,
			       "not a regular file (a folder, FIFO, device or "
			       "socket)");
	if (fcntl(*fd, F_SETFL, O_RDONLY) < 0)
		return al_error_set(err, AL_EIO, "%s", strerror(errno));
	return 0;
}

/*
 * keys/reply.asc must be what the spec says, an armored public key: the
 * vault keeps it in its ledger, and a reporter who sent their secret key
 * by mistake must not have it stored there.
 */
static bool is_public_key_block(const char *buf, size_t len)
{
	static const char begin[] = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
	static const char end[] = "-----END PGP PUBLIC KEY BLOCK-----";
	size_t i = 0;

	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' ||
			   buf[i] == '\n'))
		i++;
	const char *endp;

	if (len - i < sizeof(begin) - 1 ||
	    memcmp(buf + i, begin, sizeof(begin) - 1) != 0)
		return false;
	if (memmem(buf, len, "PRIVATE KEY", 11))
		return false;
	/* one block, and nothing after it but white space (gpg would read
	 * only the first block; what trails it would be stored unread) */
	endp = memmem(buf, len, end, sizeof(end) - 1);
	if (!endp || memmem(buf + i + 1, len - i - 1, begin, sizeof(begin) - 1))
		return false;
	for (i = (size_t)(endp - buf) + sizeof(end) - 1; i < len; i++)
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r' &&
		    buf[i] != '\n')
			return false;
	return true;
}

/* ---- the signature rule ---- */

static int signature_rule(const struct al_policy *p, const struct al_sig *sig,
			  struct al_import_result *r)
{
	if (!p->require_signature)
		return 0;
	if (sig->state == AL_SIG_NONE)
		return refusef(r, AL_EINTEGRITY,
			       "unsigned; the vault's policy requires a "
			       "signature by a known key");
	if (sig->state == AL_SIG_UNKNOWN)
		return refusef(r, AL_EINTEGRITY,
			       "signed by %s, a key not in the keyring; the "
			       "vault's policy requires a signature by a known "
			       "key",
			       sig->fpr);
	return 0;
}

/* ---- what the ledger keeps ---- */

static json_t *sig_json(const struct al_sig *sig)
{
	char when[AL_RFC3339_LEN];
	json_t *o;

	if (sig->state == AL_SIG_NONE)
		return json_pack("{s:s}", "state", "none");
	o = json_pack("{s:s, s:s}", "state", al_sig_state_name(sig->state),
		      "fpr", sig->fpr);
	if (o && sig->time) {
		al_time_format(sig->time, when);
		json_object_set_new(o, "time", json_string(when));
	}
	return o;
}

/* The manifest's fields the vault keeps in the clear (the long Markdown
 * texts stay in the encrypted bundle). */
static json_t *meta_of(const json_t *m, const char *reply_sha)
{
	static const char *const keep[] = {
		"airlock", "id",   "created",       "project",  "title",
		"class",   "cwe",  "severity",      "affected", "reporter",
		"files",   "tool", "policy_sha256",
	};
	json_t *o = json_object();

	if (!o)
		return NULL;
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		json_t *val = json_object_get(m, keep[i]);

		if (val && json_object_set(o, keep[i], val)) {
			json_decref(o);
			return NULL;
		}
	}
	if (reply_sha && json_object_set_new(o, "reply_key_sha256",
					     json_string(reply_sha))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static const char *str_at(const json_t *m, const char *obj, const char *key)
{
	const json_t *o = obj ? json_object_get(m, obj) : m;

	return json_string_value(json_object_get(o, key));
}

/* ---- identity and the transaction ---- */

static int lookup(sqlite3 *db, const char *sql, const char *arg, char *id,
		  int64_t *num, struct al_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL))
		return al_db_fail(db, "reading", err);
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(id, 37, "%s", sqlite3_column_text(st, 0));
		if (num)
			*num = sqlite3_column_int64(st, 1);
		rc = 1;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = al_db_fail(db, "reading", err);
	}
	sqlite3_finalize(st);
	return rc;
}

struct found {
	char *signature; /* of the report being revised */
	char *signer;
};

static int previous_signer(sqlite3 *db, const char *id, struct found *f,
			   struct al_error *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(db,
			       "SELECT signature, signer FROM reports WHERE "
			       "id = ?",
			       -1, &st, NULL))
		return al_db_fail(db, "reading", err);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(st, 0);
		const char *b = (const char *)sqlite3_column_text(st, 1);

		f->signature = strdup(a ? a : "");
		f->signer = strdup(b ? b : "");
		if (!f->signature || !f->signer)
			rc = al_error_set(err, AL_ENOMEM, "out of memory");
	} else {
		rc = al_db_fail(db, "reading", err);
	}
	sqlite3_finalize(st);
	return rc;
}

/* A revision must come from whoever sent the report: the same signature
 * state and key.  An unsigned report can only be revised unsigned. */
static int same_sender(const struct found *f, const struct al_sig *sig,
		       const char *id, struct al_import_result *r)
{
	char msg[200];
	struct al_error e;

	if (!strcmp(f->signature, al_sig_state_name(sig->state)) &&
	    !strcmp(f->signer, sig->fpr))
		return 0;
	/* signed by a key the keyring did not have then and has now: the
	 * revision's signature is checked, and names the same key */
	if (!strcmp(f->signature, "unknown") && sig->state == AL_SIG_KNOWN &&
	    !strcmp(f->signer, sig->fpr))
		return 0;
	snprintf(msg, sizeof(msg), "%s%s%s", f->signature,
		 *f->signer ? " by " : "", f->signer);
	al_error_set(&e, AL_EINTEGRITY,
		     "report %s exists (signature: %s); a revision must come "
		     "with the same signature (this one: %s%s%s)",
		     id, msg, al_sig_state_name(sig->state),
		     *sig->fpr ? " by " : "", sig->fpr);
	return refuse(r, &e);
}

static int insert_meta(sqlite3 *db, const char *sha, const char *json,
		       size_t len, struct al_error *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(db,
			       "INSERT OR IGNORE INTO metas (sha256, json) "
			       "VALUES (?, ?)",
			       -1, &st, NULL))
		return al_db_fail(db, "recording", err);
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, json, (int)len, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = al_db_fail(db, "recording", err);
	sqlite3_finalize(st);
	return rc;
}

static int insert_sketch(sqlite3 *db, const char *sha, const void *data,
			 size_t len, struct al_error *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(db,
			       "INSERT OR IGNORE INTO sketches (sha256, data) "
			       "VALUES (?, ?)",
			       -1, &st, NULL))
		return al_db_fail(db, "recording", err);
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, data, (int)len, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = al_db_fail(db, "recording", err);
	sqlite3_finalize(st);
	return rc;
}

static int insert_key(sqlite3 *db, const char *sha, const void *key, size_t len,
		      struct al_error *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(db,
			       "INSERT OR IGNORE INTO keys (sha256, key) "
			       "VALUES (?, ?)",
			       -1, &st, NULL))
		return al_db_fail(db, "recording", err);
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, key, (int)len, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = al_db_fail(db, "recording", err);
	sqlite3_finalize(st);
	return rc;
}

/*
 * Inside the write lock: replay, revision or new.  The blob is published
 * (fsync, link) before the rows that name it, and removed again when the
 * transaction fails and the blob was not there before.
 */
static int record(struct al_vault *v, const struct al_bundle *b,
		  const struct al_sig *sig, struct al_blob **blob,
		  uint64_t size, struct al_import_result *r,
		  struct al_error *err)
{
	const char *id = str_at(b->manifest, NULL, "id");
	char of[37] = "", hex[AL_SHA256_HEX];
	char meta_sha[AL_SHA256_HEX], rk[AL_SHA256_HEX];
	char sketch_sha[AL_SHA256_HEX];
	uint8_t dkey[AL_TERMS_KEY_LEN], *sketch = NULL;
	size_t sketch_len = 0;
	struct found prev = {0};
	json_t *meta = NULL, *data = NULL;
	char *meta_json = NULL;
	size_t meta_len;
	uint64_t blob_size;
	bool existed = true, published = false, same_bundle;
	int64_t now, revision = 0, purged = 0, seq = -1;
	int rc, hit;

	if ((rc = al_vault_event_time(v, &now, err)) ||
	    (rc = al_db_begin(v->db, err)))
		return rc;

	/* replay: the same bundle bytes, or the same inner archive */
	hit = lookup(v->db,
		     "SELECT report, purged FROM bundles WHERE sha256 = ?",
		     r->bundle, of, &purged, err);
	same_bundle = hit == 1;
	if (hit == 0)
		hit = lookup(v->db,
			     "SELECT report, purged FROM bundles WHERE "
			     "content = ?",
			     b->content_sha256, of, &purged, err);
	if (hit < 0) {
		rc = hit;
		goto fail;
	}
	if (hit) {
		/* the same bytes again: if the store lost its copy, this one
		 * (just read and checked) puts it back, unless the report
		 * was purged (retention): then nothing is stored again */
		if (same_bundle && !purged) {
			rc = al_blob_commit(*blob, hex, &blob_size, &existed,
					    err);
			*blob = NULL;
			if (rc)
				goto fail;
		}
		data = json_pack("{s:s, s:s, s:o*}", "bundle", r->bundle,
				 "content", b->content_sha256, "signature",
				 sig_json(sig));
		if (!data) {
			rc = al_error_set(err, AL_ENOMEM, "out of memory");
			goto fail;
		}
		if (((same_bundle && !purged && !existed &&
		      json_object_set_new(data, "restored", json_true())) ||
		     (purged &&
		      json_object_set_new(data, "purged", json_true())))) {
			rc = al_error_set(err, AL_ENOMEM, "out of memory");
			goto fail;
		}
		if ((rc = al_vault_append(v, now, "replay", of, data, &r->seq,
					  err)) ||
		    (rc = al_state_apply(v->db, r->seq, err)) ||
		    (rc = al_db_commit(v->db, err)))
			goto fail;
		al_blob_abort(*blob);
		*blob = NULL;
		snprintf(r->report, sizeof(r->report), "%s", of);
		r->status = AL_IMPORT_REPLAY;
		json_decref(data);
		return 0;
	}

	/* revision: the same report id with other content */
	hit = lookup(v->db, "SELECT id, revision FROM reports WHERE id = ?", id,
		     of, &revision, err);
	if (hit < 0) {
		rc = hit;
		goto fail;
	}
	if (hit) {
		if ((rc = previous_signer(v->db, id, &prev, err)))
			goto fail;
		same_sender(&prev, sig, id, r);
		if (r->status == AL_IMPORT_REFUSED) {
			al_db_rollback(v->db);
			rc = 0;
			goto out;
		}
	}

	meta = meta_of(b->manifest, NULL);
	if (!meta) {
		rc = al_error_set(err, AL_ENOMEM, "out of memory");
		goto fail;
	}
	if (b->reply_key) {
		al_sha256_hex(b->reply_key, b->reply_key_len, rk);
		if (json_object_set_new(meta, "reply_key_sha256",
					json_string(rk))) {
			rc = al_error_set(err, AL_ENOMEM, "out of memory");
			goto fail;
		}
	}
	if ((rc = al_jcs_dump(meta, &meta_json, &meta_len, err)))
		goto fail;
	al_sha256_hex(meta_json, meta_len, meta_sha);
	/* the terms duplicate detection compares (the text itself stays in
	 * the bundle) */
	if ((rc = al_dedup_key(v->db, dkey, err)) ||
	    (rc = al_dedup_sketch(dkey, b->manifest, &sketch, &sketch_len,
				  err)))
		goto fail;
	al_sha256_hex(sketch, sketch_len, sketch_sha);

	if ((rc = al_blob_commit(*blob, hex, &blob_size, &existed, err))) {
		*blob = NULL;
		goto fail;
	}
	*blob = NULL;
	published = true;
	if (strcmp(hex, r->bundle) || blob_size != size) {
		rc = al_error_set(err, AL_EINTEGRITY,
				  "store: the blob written (%s) is not the "
				  "bundle read (%s)",
				  hex, r->bundle);
		goto fail;
	}
	data = json_pack(
		"{s:s, s:I, s:s, s:s, s:s, s:I, s:o*, s:s}", "bundle", r->bundle,
		"bytes", (json_int_t)size, "content", b->content_sha256,
		"manifest", b->manifest_sha256, "meta", meta_sha, "revision",
		(json_int_t)(revision + 1), "signature", sig_json(sig),
		"sketch", sketch_sha);
	if (!data) {
		rc = al_error_set(err, AL_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = insert_meta(v->db, meta_sha, meta_json, meta_len, err)) ||
	    (rc = insert_sketch(v->db, sketch_sha, sketch, sketch_len, err)) ||
	    (b->reply_key && (rc = insert_key(v->db, rk, b->reply_key,
					      b->reply_key_len, err))) ||
	    (rc = al_vault_append(v, now, "import", id, data, &seq, err)) ||
	    (rc = al_state_apply(v->db, seq, err)) ||
	    (rc = al_db_commit(v->db, err)))
		goto fail;
	r->status = AL_IMPORT_IMPORTED;
	r->seq = seq;
	r->revision = revision + 1;
	snprintf(r->report, sizeof(r->report), "%s", id);
	goto out;
fail:
	al_db_rollback(v->db);
	if (published && !existed) {
		struct al_error ignored;

		al_store_remove(v->store, r->bundle, true, &ignored);
	}
out:
	free(prev.signature);
	free(prev.signer);
	free(meta_json);
	free(sketch);
	json_decref(meta);
	json_decref(data);
	return rc;
}

/* A refusal is recorded: the bundle hash (when known) and the reason. */
static int record_refusal(struct al_vault *v, struct al_import_result *r,
			  struct al_error *err)
{
	json_t *data;
	int64_t now;
	int rc;

	char reason[AL_SHA256_HEX], salt[AL_UUID_LEN];
	char salted[AL_UUID_LEN + sizeof(r->err.msg) + 1];

	if (!bundle_fault(r->err.code))
		return 0;
	/* the reason can quote what was inside the bundle (an entry's
	 * name): the event names it by hash, the text stays in the vault
	 * (texts), out of the auditor's export; a random first line keeps
	 * the hash from confirming a guessed reason */
	if ((rc = al_uuid_v4(salt, err)))
		return rc;
	snprintf(salted, sizeof(salted), "%s\n%s", salt, r->err.msg);
	al_sha256_hex(salted, strlen(salted), reason);
	data = json_pack("{s:s, s:s*}", "reason_sha256", reason, "bundle",
			 *r->bundle ? r->bundle : NULL);
	if (!data)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	if (!*r->bundle)
		json_object_set_new(data, "bundle", json_null());
	if ((rc = al_vault_event_time(v, &now, err)) ||
	    (rc = al_db_begin(v->db, err)))
		goto out;
	if ((rc = al_db_put_text(v->db, reason, salted, err)) ||
	    (rc = al_vault_append(v, now, "refused", NULL, data, &r->seq,
				  err)) ||
	    (rc = al_state_apply(v->db, r->seq, err)) ||
	    (rc = al_db_commit(v->db, err)))
		al_db_rollback(v->db);
out:
	json_decref(data);
	return rc;
}

/*
 * After the reader refused: read and drop the rest of the plain text so
 * that gpg finishes and judges the whole message (a modified message is
 * named as such, not as the broken archive it decrypts to), but only as
 * much as the message itself weighs, twice over: a compressed message that
 * expands beyond that is stopped instead of costing the cap.
 */
static void drain(int fd, uint64_t limit)
{
	char buf[16384];
	uint64_t seen = 0;

	while (seen < limit) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		seen += (uint64_t)n;
	}
}

static int decrypt_and_read(struct al_vault *v, int fd, uint64_t outer_bytes,
			    struct tee *t, struct al_bundle *b,
			    struct al_sig *sig, struct al_import_result *r,
			    struct al_error *err)
{
	struct al_decrypt_opts o = {
		.cap = al_import_plain_cap(&v->policy.limits),
		.tee = tee_write,
		.tee_ctx = t,
		.key = v->key,
	};
	struct al_error rerr = {0}, derr = {0};
	struct al_decrypt *d;
	int plain = -1, rc_read, rc_dec, rc;

	if ((rc = al_decrypt_start(v->gpg, fd, &o, &d, &plain, err)))
		return rc;
	rc_read = al_bundle_read(al_read_fd, &plain, &v->policy.limits, NULL, b,
				 NULL, &rerr);
	if (rc_read)
		drain(plain, 2 * outer_bytes + 1024 * 1024);
	close(plain);
	rc_dec = al_decrypt_finish(d, sig, &derr);
	/* gpg stopped because the reader closed its end: the reader's
	 * reason is the one */
	if (rc_read && rc_dec == AL_ESTOPPED)
		rc_dec = 0;
	if (rc_dec) {
		if (!bundle_fault(rc_dec)) {
			*err = derr;
			return rc_dec;
		}
		return refuse(r, &derr);
	}
	if (rc_read) {
		if (!bundle_fault(rc_read)) {
			*err = rerr;
			return rc_read;
		}
		return refuse(r, &rerr);
	}
	return 0;
}

int al_import_file(struct al_vault *v, const char *path,
		   const struct al_import_opts *opts,
		   struct al_import_result *r, struct al_error *err)
{
	unsigned char head[AL_PGP_SCAN_HEAD];
	struct al_pgp_info info;
	struct al_bundle b = {0};
	struct al_error e = {0};
	struct tee t = {0};
	struct stat st;
	bool examined = false;
	ssize_t n;
	int fd = -1, rc;

	memset(r, 0, sizeof(*r));
	r->seq = -1;
	if ((rc = open_bundle(path, opts && opts->from_folder, &fd, &st, r,
			      err)) ||
	    r->status == AL_IMPORT_REFUSED)
		goto done;
	/* from here on, a refusal is about bytes that arrived: recorded */
	examined = true;

	/* 1. size, before anything is decrypted */
	if ((uint64_t)st.st_size > outer_cap(&v->policy.limits, true)) {
		char msg[64];

		snprintf(msg, sizeof(msg), "%lld", (long long)st.st_size);
		refusef(r, AL_ELIMIT,
			"%s bytes: larger than the vault's policy allows "
			"(limits.bundle_bytes)",
			msg);
		goto done;
	}
	do
		n = pread(fd, head, sizeof(head), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		rc = al_error_set(err, AL_EIO, "%s", strerror(errno));
		goto done;
	}
	/* 2. the outer message's shape, then gpg */
	if (al_pgp_scan(head, (size_t)n, (off_t)n == st.st_size, &info, &e)) {
		uint64_t ignored;

		if (al_sha256_fd(fd, r->bundle, &ignored, "bundle", err) == 0)
			lseek(fd, 0, SEEK_SET);
		refuse(r, &e);
		goto done;
	}
	/* A symmetric session key beside the public-key ones would make gpg
	 * ask for a passphrase before trying the vault's key: bundles are
	 * encrypted to the project's keys only (spec bundle-v1). */
	if (info.nskesk) {
		refusef(r, AL_EINVAL,
			"also encrypted with a passphrase (a symmetric-key "
			"session key packet); bundles are encrypted to the "
			"project's keys only");
		goto done;
	}
	if (!info.armored &&
	    (uint64_t)st.st_size > outer_cap(&v->policy.limits, false)) {
		refusef(r, AL_ELIMIT,
			"larger than the vault's policy allows "
			"(limits.bundle_bytes)");
		goto done;
	}
	if ((rc = al_blob_begin(v->store, &t.blob, err)) ||
	    (rc = al_sha256_new(&t.sha, err)))
		goto done;
	/* 2-4. decrypt, verify, read the inner archive, check the manifest */
	if ((rc = decrypt_and_read(v, fd, (uint64_t)st.st_size, &t, &b, &r->sig,
				   r, err)))
		goto done;
	al_sha256_final(t.sha, r->bundle, NULL);
	al_sha256_free(t.sha);
	t.sha = NULL;
	if (r->status == AL_IMPORT_REFUSED ||
	    signature_rule(&v->policy, &r->sig, r) ||
	    r->status == AL_IMPORT_REFUSED)
		goto done;
	if (b.reply_key && !is_public_key_block(b.reply_key, b.reply_key_len)) {
		refusef(r, AL_EINVAL,
			"entry 'keys/reply.asc': not an ASCII-armored OpenPGP "
			"public key block");
		goto done;
	}
	/* exactly one public key, no secret material (gpg reads it without
	 * importing it); whether it can be encrypted to is reply's question:
	 * a key may expire while the report is open */
	if (b.reply_key) {
		char fpr[AL_FPR_MAX];
		struct al_error ke;
		int krc = al_gpg_key_block(v->gpg, b.reply_key, b.reply_key_len,
					   false, fpr, &ke);

		if (krc == AL_EINVAL) {
			refusef(r, AL_EINVAL, "entry 'keys/reply.asc': %s",
				ke.msg);
			goto done;
		}
		if (krc) {
			rc = krc;
			*err = ke;
			goto done;
		}
	}
	snprintf(r->content, sizeof(r->content), "%s", b.content_sha256);
	r->title = strdup(str_at(b.manifest, NULL, "title"));
	if (!r->title) {
		rc = al_error_set(err, AL_ENOMEM, "out of memory");
		goto done;
	}
	/* 5-6. identity, store and ledger */
	rc = record(v, &b, &r->sig, &t.blob, t.bytes, r, err);
done:
	if (t.sha) {
		if (!*r->bundle && r->status == AL_IMPORT_REFUSED &&
		    t.bytes == (uint64_t)st.st_size)
			al_sha256_final(t.sha, r->bundle, NULL);
		al_sha256_free(t.sha);
	}
	al_blob_abort(t.blob);
	al_bundle_release(&b);
	if (fd >= 0)
		close(fd);
	if (rc) {
		r->status = AL_IMPORT_REFUSED;
		r->err = *err;
		return rc;
	}
	if (r->status == AL_IMPORT_REFUSED) {
		memset(&r->sig, 0, sizeof(r->sig));
		return examined ? record_refusal(v, r, err) : 0;
	}
	return 0;
}
