/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Streamed decrypt-and-verify of a bundle's outer OpenPGP layer: gpgme on a
 * worker thread, the ciphertext in through a read callback (teed), the
 * plain text out through a write callback into a socket pair the caller
 * reads.  gpg's status lines are watched as they come, so that what must be
 * refused (no encryption, no integrity protection, a second plain text)
 * stops gpg at once, and so that gpgme's vague errors become precise
 * messages.  See docs/decrypt.md.
 */
#include "al_decrypt.h"
#include "al_gpg_int.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gpgme.h>

#include "al_text.h"

/* Recipients named in the "not encrypted to this vault's key" message. */
#define AL_DECRYPT_SHOWN_RECIPIENTS 8
/* What the first ERROR status line is kept as, for the message. */
#define AL_DECRYPT_ERROR_LINE 64

/* Why we stopped gpg before it finished; the first reason wins. */
enum stop_reason {
	STOP_NONE = 0,
	STOP_TEE,           /* opts->tee failed */
	STOP_READ,          /* reading in_fd failed */
	STOP_CAP,           /* the plain text passed opts->cap */
	STOP_READER,        /* the caller's end of the socket is gone */
	STOP_NOT_ENCRYPTED, /* a plain text came before any decryption */
	STOP_NO_MDC,        /* decryption without integrity protection */
	STOP_PLAINTEXTS,    /* a second plain text or encrypted message */
	STOP_NESTED,        /* an encrypted message inside another */
};

/* What gpg's status lines said, as they came. */
struct watch {
	unsigned depth;       /* BEGIN_DECRYPTION not yet ENDed */
	unsigned decryptions; /* BEGIN_DECRYPTION lines */
	unsigned plaintexts;  /* PLAINTEXT lines */
	bool need_sym;  /* gpg wanted a passphrase (NEED_PASSPHRASE_SYM) */
	bool failed;    /* DECRYPTION_FAILED */
	bool okay;      /* DECRYPTION_OKAY */
	bool bad_mdc;   /* BADMDC: the encrypted data was modified */
	bool info;      /* DECRYPTION_INFO seen */
	bool protected; /* ... and it named an MDC or an AEAD mode */
	int nodata;     /* the first NODATA reason, or 0 */
	/* The first agent failure of an ERROR or FAILURE line, except
	 * get_passphrase: that one is only gpg asking for a symmetric
	 * passphrase, which is refused for its own reason. */
	gpgme_error_t agent_err;
	char error[AL_DECRYPT_ERROR_LINE]; /* first ERROR line's arguments */
	/* DECRYPTION_KEY <fpr> <primary fpr> <trust>: the key gpg used */
	char used[AL_FPR_MAX];
	/* ENC_TO <long key id> ...: the recipients, as the message names
	 * them (at most 16 kept) */
	char enc_to[16][17];
	unsigned nenc_to;
};

struct al_decrypt {
	struct al_gpg *g;
	struct al_decrypt_opts opts;
	int in_fd;  /* the caller's; never closed here */
	int out_fd; /* our end of the socket pair */
	gpgme_data_t cipher, plain;
	pthread_t tid;

	/* Written by the worker thread only, read after it is joined. */
	gpgme_error_t op_err;
	enum stop_reason stop;
	uint64_t written;        /* plain text bytes passed to the caller */
	int read_errno;          /* reading in_fd failed: errno */
	int send_errno;          /* sending the plain text failed: errno */
	int tee_rc;              /* opts->tee failed: its code ... */
	struct al_error tee_err; /* ... and message */
	struct watch w;
};

const char *al_sig_state_name(enum al_sig_state s)
{
	switch (s) {
	case AL_SIG_NONE:
		return "none";
	case AL_SIG_UNKNOWN:
		return "unknown";
	case AL_SIG_KNOWN:
		return "known";
	}
	return "?";
}

/* Record why gpg is being stopped; returns what stops it. */
static gpgme_error_t stop(struct al_decrypt *d, enum stop_reason why)
{
	if (d->stop == STOP_NONE)
		d->stop = why;
	return gpg_error(GPG_ERR_CANCELED);
}

/* ---- the worker's callbacks ---- */

/* Pass n bytes of the ciphertext to the tee; false (and gpg stopped) when
 * it fails. */
static bool tee_bytes(struct al_decrypt *d, const void *buf, size_t n)
{
	int rc = d->opts.tee(d->opts.tee_ctx, buf, n, &d->tee_err);

	if (rc == 0)
		return true;
	if (rc > 0 || d->tee_err.code == 0)
		rc = al_error_set(&d->tee_err, AL_EIO,
				  "copying the bundle failed");
	d->tee_rc = rc;
	stop(d, STOP_TEE);
	return false;
}

/* gpgme's read callback: the ciphertext, each byte teed once, in order. */
static ssize_t cipher_read(void *handle, void *buf, size_t size)
{
	struct al_decrypt *d = handle;
	ssize_t n;

	if (d->stop != STOP_NONE) {
		errno = ECANCELED;
		return -1;
	}
	do
		n = read(d->in_fd, buf, size);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		d->read_errno = errno;
		stop(d, STOP_READ);
		errno = d->read_errno;
		return -1;
	}
	if (n > 0 && d->opts.tee && !tee_bytes(d, buf, (size_t)n)) {
		errno = EIO;
		return -1;
	}
	return n;
}

/* gpgme's write callback: the plain text, counted, into the socket. */
static ssize_t plain_write(void *handle, const void *buf, size_t size)
{
	struct al_decrypt *d = handle;
	const char *b = buf;
	size_t left = size;

	if (d->stop != STOP_NONE) {
		errno = ECANCELED;
		return -1;
	}
	/* written never passes cap, so the subtraction cannot wrap. */
	if (d->opts.cap && size > d->opts.cap - d->written) {
		stop(d, STOP_CAP);
		errno = EFBIG;
		return -1;
	}
	while (left > 0) {
		ssize_t n = send(d->out_fd, b, left, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			d->send_errno = n < 0 ? errno : EPIPE;
			stop(d, STOP_READER);
			errno = d->send_errno;
			return -1;
		}
		b += n;
		left -= (size_t)n;
	}
	d->written += size;
	return (ssize_t)size;
}

static struct gpgme_data_cbs cipher_cbs = {.read = cipher_read};
static struct gpgme_data_cbs plain_cbs = {.write = plain_write};

/* The number at the start of s (a status argument), or -1. */
static long leading_number(const char *s)
{
	char *end = NULL;
	long v;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || v > 0x7fffffffL)
		return -1;
	return v;
}

/* The argument after the first n space-separated ones, or NULL. */
static const char *nth_arg(const char *args, int n)
{
	for (; args && n > 0; n--) {
		args = strchr(args, ' ');
		if (args)
			args++;
	}
	return args;
}

/* "ERROR <where> <code>" / "FAILURE <op> <code>": an agent failure, not
 * counting a refused symmetric passphrase. */
static void note_agent_error(struct watch *w, const char *args)
{
	long code = leading_number(nth_arg(args, 1));

	if (w->agent_err || code < 0 || !al_gpg_is_agent_error((unsigned)code))
		return;
	if (strncmp(args, "get_passphrase ", 15) == 0)
		return;
	w->agent_err = (gpgme_error_t)code;
}

/* DECRYPTION_INFO <mdc_method> <sym_algo> [<aead_algo>] */
static gpgme_error_t note_info(struct al_decrypt *d, const char *args)
{
	long mdc = leading_number(args);
	long aead = leading_number(nth_arg(args, 2));

	d->w.info = true;
	d->w.protected = mdc > 0 || aead > 0;
	return d->w.protected ? 0 : stop(d, STOP_NO_MDC);
}

/*
 * gpgme's status callback (every line: the session runs with
 * "full-status").  Runs on the worker thread, inside the operation;
 * returning an error stops gpg.
 */
static gpgme_error_t on_status(void *hook, const char *kw, const char *args)
{
	struct al_decrypt *d = hook;
	struct watch *w = &d->w;

	if (!kw || !args)
		return 0;
	if (strcmp(kw, "BEGIN_DECRYPTION") == 0) {
		if (w->depth > 0)
			return stop(d, STOP_NESTED);
		if (w->decryptions++ > 0)
			return stop(d, STOP_PLAINTEXTS);
		w->depth++;
	} else if (strcmp(kw, "END_DECRYPTION") == 0) {
		if (w->depth > 0)
			w->depth--;
	} else if (strcmp(kw, "PLAINTEXT") == 0) {
		/* gpg would write a signed-only or stored message out as it
		 * is: stop it before it does. */
		if (w->decryptions == 0)
			return stop(d, STOP_NOT_ENCRYPTED);
		if (++w->plaintexts > 1 || w->depth == 0)
			return stop(d, STOP_PLAINTEXTS);
	} else if (strcmp(kw, "DECRYPTION_INFO") == 0) {
		return note_info(d, args);
	} else if (strcmp(kw, "ENC_TO") == 0) {
		size_t n = strcspn(args, " ");

		if (w->nenc_to < 16 && n == 16) {
			memcpy(w->enc_to[w->nenc_to], args, 16);
			w->enc_to[w->nenc_to++][16] = '\0';
		}
	} else if (strcmp(kw, "DECRYPTION_KEY") == 0) {
		const char *p = strchr(args, ' ');
		size_t n = p ? strcspn(p + 1, " ") : 0;

		if (p && n < sizeof(w->used)) {
			memcpy(w->used, p + 1, n);
			w->used[n] = '\0';
		}
	} else if (strcmp(kw, "NEED_PASSPHRASE_SYM") == 0) {
		w->need_sym = true;
	} else if (strcmp(kw, "DECRYPTION_FAILED") == 0) {
		w->failed = true;
	} else if (strcmp(kw, "DECRYPTION_OKAY") == 0) {
		w->okay = true;
	} else if (strcmp(kw, "BADMDC") == 0) {
		w->bad_mdc = true;
	} else if (strcmp(kw, "NODATA") == 0) {
		if (!w->nodata)
			w->nodata = (int)leading_number(args);
	} else if (strcmp(kw, "ERROR") == 0 || strcmp(kw, "FAILURE") == 0) {
		note_agent_error(w, args);
		if (kw[0] == 'F')
			return 0;
		if (!w->error[0])
			al_text_visible(args, strlen(args), w->error,
					sizeof(w->error));
		/* gpg's "multiple plaintexts seen" */
		if (strncmp(args, "proc_pkt.plaintext ", 19) == 0 ||
		    strncmp(args, "decryption.early_plaintext ", 27) == 0)
			return stop(d, STOP_PLAINTEXTS);
	}
	return 0;
}

/* Read what gpg left of in_fd, for the tee. */
static void drain(struct al_decrypt *d)
{
	char buf[16384];

	for (;;) {
		ssize_t n = read(d->in_fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			d->read_errno = errno;
			stop(d, STOP_READ);
			return;
		}
		if (n == 0 || !tee_bytes(d, buf, (size_t)n))
			return;
	}
}

static void *worker_main(void *arg)
{
	struct al_decrypt *d = arg;

	d->op_err = gpgme_op_decrypt_ext(d->g->ctx, GPGME_DECRYPT_VERIFY,
					 d->cipher, d->plain);
	/* The caller sees the end of the plain text now, not after the
	 * drain. */
	shutdown(d->out_fd, SHUT_WR);
	if (d->opts.tee && !d->tee_rc && !d->read_errno)
		drain(d);
	return NULL;
}

/* ---- start ---- */

static void decrypt_free(struct al_decrypt *d)
{
	if (!d)
		return;
	gpgme_data_release(d->cipher);
	gpgme_data_release(d->plain);
	if (d->out_fd >= 0)
		close(d->out_fd);
	free(d);
}

int al_decrypt_start(struct al_gpg *g, int in_fd,
		     const struct al_decrypt_opts *opts,
		     struct al_decrypt **out, int *plain_fd,
		     struct al_error *err)
{
	struct al_decrypt *d = NULL;
	gpgme_error_t e;
	int sv[2] = {-1, -1};
	int rc;

	assert(g && out && plain_fd && in_fd >= 0);
	*out = NULL;
	*plain_fd = -1;
	d = calloc(1, sizeof(*d));
	if (!d)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	d->g = g;
	d->in_fd = in_fd;
	d->out_fd = -1;
	if (opts)
		d->opts = *opts;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		rc = al_error_set(err, AL_EIO, "cannot make a socket pair: %s",
				  strerror(errno));
		goto out;
	}
	/* Plain text flows one way only. */
	shutdown(sv[0], SHUT_WR);
	shutdown(sv[1], SHUT_RD);
	d->out_fd = sv[1];
	e = gpgme_data_new_from_cbs(&d->cipher, &cipher_cbs, d);
	if (!e)
		e = gpgme_data_new_from_cbs(&d->plain, &plain_cbs, d);
	if (e) {
		rc = al_gpg_fail(err, e, "cannot set up gpgme data");
		goto out;
	}
	al_gpg_set_data_flags(d->cipher, false);
	al_gpg_set_data_flags(d->plain, true);
	gpgme_set_status_cb(g->ctx, on_status, d);
	if (pthread_create(&d->tid, NULL, worker_main, d) != 0) {
		gpgme_set_status_cb(g->ctx, al_gpg_watch_status, g);
		rc = al_error_set(err, AL_EIO, "cannot start the decryption");
		goto out;
	}
	*plain_fd = sv[0];
	sv[0] = -1;
	*out = d;
	d = NULL;
	rc = 0;
out:
	if (sv[0] >= 0)
		close(sv[0]);
	decrypt_free(d);
	return rc;
}

/* ---- finish: the verdict ---- */

/* s (a key id or fingerprint from gpg) for a message. */
static const char *shown_id(const char *s, char *buf, size_t size)
{
	if (!s || !*s)
		return "(no key id)";
	return al_text_visible(s, strlen(s), buf, size);
}

/* "not encrypted to this vault's key (recipients: A, B)" */
static int wrong_key(gpgme_decrypt_result_t r, struct al_error *err)
{
	char list[200] = "", shown[40];
	size_t used = 0, n = 0;

	for (gpgme_recipient_t p = r->recipients; p; p = p->next, n++) {
		const char *id = p->keyid;

		if (n == AL_DECRYPT_SHOWN_RECIPIENTS) {
			snprintf(list + used, sizeof(list) - used, ", ...");
			break;
		}
		if (id && strspn(id, "0") == strlen(id) && *id)
			id = "hidden";
		else
			id = shown_id(id, shown, sizeof(shown));
		used += (size_t)snprintf(list + used, sizeof(list) - used,
					 "%s%s", n ? ", " : "", id);
		if (used >= sizeof(list))
			break;
	}
	return al_error_set(err, AL_EINVAL,
			    "not encrypted to this vault's key (recipients: "
			    "%s)",
			    list);
}

/* "corrupt or truncated OpenPGP message (why)": the most precise reason
 * gpg gave. */
static int corrupt(const struct al_decrypt *d, struct al_error *err)
{
	static const char *const nodata[] = {
		NULL,
		"no OpenPGP data found",
		"an expected packet is missing",
		"invalid packet",
		"a signature was expected",
	};
	const struct watch *w = &d->w;
	char text[128];
	const char *why;

	if (w->bad_mdc)
		why = "integrity check failed: the encrypted data was modified";
	else if (w->nodata > 0 && w->nodata <= 4)
		why = nodata[w->nodata];
	else if (d->op_err)
		why = al_gpg_text(d->op_err, text, sizeof(text));
	else if (w->error[0])
		why = w->error;
	else if (w->failed)
		why = "decryption failed";
	else
		why = "gpg did not finish the decryption";
	return al_error_set(err, AL_EINVAL,
			    "corrupt or truncated OpenPGP message (%s)", why);
}

/* All recipients were keys gpg says we have no secret for. */
static bool none_of_ours(gpgme_decrypt_result_t r)
{
	if (!r || !r->recipients)
		return false;
	for (gpgme_recipient_t p = r->recipients; p; p = p->next)
		if (gpgme_err_code(p->status) != GPG_ERR_NO_SECKEY)
			return false;
	return true;
}

/* The fingerprint of the public (sub)key whose long key id is keyid;
 * false when no key in the keyring has it, or more than one does (two
 * keys can share a key id; a fingerprint found that way would be a
 * guess). */
static bool fpr_of_keyid(struct al_gpg *g, const char *keyid,
			 char fpr[AL_FPR_MAX])
{
	gpgme_key_t k = NULL;
	unsigned found = 0;

	fpr[0] = '\0';
	if (!keyid || strlen(keyid) != 16 ||
	    strspn(keyid, "0123456789ABCDEFabcdef") != 16 ||
	    strspn(keyid, "0") == 16)
		return false;
	if (gpgme_op_keylist_start(g->keys, keyid, 0) != 0)
		return false;
	while (found < 2 && gpgme_op_keylist_next(g->keys, &k) == 0) {
		for (gpgme_subkey_t s = k->subkeys; s; s = s->next)
			if (s->keyid && s->fpr &&
			    strcasecmp(s->keyid, keyid) == 0) {
				if (found++ == 0)
					al_gpg_copy_fpr(fpr, s->fpr);
				break;
			}
		gpgme_key_unref(k);
		k = NULL;
	}
	gpgme_op_keylist_end(g->keys);
	if (found != 1)
		fpr[0] = '\0';
	return found == 1;
}

/* The primary fingerprint of the key gpg names by id (a fingerprint, or a
 * long key id only one key in the keyring has), for a message; id as gpg
 * gave it when no such key is found. */
static const char *signer_name(struct al_gpg *g, const char *id, char *buf,
			       size_t size)
{
	char sub[AL_FPR_MAX], norm[AL_FPR_MAX];
	const char *fpr = id;
	gpgme_key_t k = NULL;

	if (id && strlen(id) == 16 && fpr_of_keyid(g, id, sub))
		fpr = sub;
	if (fpr && al_gpg_norm_fpr(fpr, norm, NULL) == 0 &&
	    al_gpg_get_key(g, norm, false, &k, NULL) == 0) {
		char primary[AL_FPR_MAX];

		al_gpg_copy_fpr(primary, k->subkeys->fpr);
		gpgme_key_unref(k);
		snprintf(buf, size, "%s", primary);
		return buf;
	}
	return shown_id(id, buf, size);
}

/*
 * gpg found no secret key for any recipient.  Without gpg-agent it cannot
 * tell and says the same, so each recipient whose public key we have is
 * looked up in the secret keyring, where an unreachable agent shows.
 */
static int no_secret_key(struct al_decrypt *d, gpgme_decrypt_result_t r,
			 struct al_error *err)
{
	for (gpgme_recipient_t p = r->recipients; p; p = p->next) {
		char fpr[AL_FPR_MAX];
		gpgme_key_t k = NULL;
		int rc;

		if (!fpr_of_keyid(d->g, p->keyid, fpr))
			continue;
		rc = al_gpg_get_key(d->g, fpr, true, &k, err);
		gpgme_key_unref(k);
		if (rc == AL_ENOTFOUND)
			continue;
		if (rc)
			return rc;
		return al_error_set(err, AL_ECRYPTO,
				    "gpg cannot use the secret key %s", fpr);
	}
	return wrong_key(r, err);
}

/* gpg stops at a bad signature, before the end of the decryption: the
 * signature is the reason then. */
static int bad_signature(struct al_decrypt *d, struct al_error *err)
{
	gpgme_verify_result_t r = gpgme_op_verify_result(d->g->ctx);
	char name[96];

	for (gpgme_signature_t s = r ? r->signatures : NULL; s; s = s->next)
		if (gpgme_err_code(s->status) == GPG_ERR_BAD_SIGNATURE)
			return al_error_set(
				err, AL_EINTEGRITY, "bad signature by %s",
				signer_name(d->g, s->fpr, name, sizeof(name)));
	return 0;
}

/* Our own stops and I/O failures come first: they explain the rest.  The
 * tee's failure and a read error are returned even when they happened
 * while draining the input after another stop. */
static int judge_stop(const struct al_decrypt *d, struct al_error *err)
{
	if (d->tee_rc) {
		if (err)
			*err = d->tee_err;
		return d->tee_rc;
	}
	if (d->read_errno)
		return al_error_set(err, AL_EIO, "cannot read the bundle: %s",
				    strerror(d->read_errno));
	switch (d->stop) {
	case STOP_NONE:
		return 0;
	case STOP_TEE:
	case STOP_READ:
		break; /* not without tee_rc or read_errno */
	case STOP_CAP:
		return al_error_set(err, AL_ELIMIT,
				    "plain text larger than %llu bytes",
				    (unsigned long long)d->opts.cap);
	case STOP_READER:
		return al_error_set(err, AL_ESTOPPED,
				    "the plain text was not read to its end "
				    "(%s): decryption stopped",
				    strerror(d->send_errno));
	case STOP_NOT_ENCRYPTED:
		return al_error_set(err, AL_EINVAL, "not encrypted");
	case STOP_NO_MDC:
		return al_error_set(err, AL_EINVAL, "no integrity protection");
	case STOP_PLAINTEXTS:
		return al_error_set(err, AL_EINVAL, "more than one plain text");
	case STOP_NESTED:
		return al_error_set(err, AL_EINVAL,
				    "nested encryption (an encrypted message "
				    "inside another)");
	}
	return al_error_set(err, AL_ECRYPTO, "decryption stopped");
}

/* The decryption: to one of our keys, protected, whole, one plain text. */
static int judge_decryption(struct al_decrypt *d, struct al_error *err)
{
	gpgme_decrypt_result_t r = gpgme_op_decrypt_result(d->g->ctx);
	const struct watch *w = &d->w;
	bool done = !d->op_err && w->okay && !w->failed && !w->bad_mdc &&
		    w->depth == 0;
	int rc;

	/* gpg asks for a passphrase (and gpgme may end the operation when
	 * that is refused) before any decryption starts. */
	if ((w->need_sym || w->decryptions > 0) && (!r || !r->recipients))
		return al_error_set(err, AL_EINVAL,
				    "symmetric-only encryption");
	if (w->decryptions == 0)
		return corrupt(d, err);
	/* An agent failure matters only when it kept gpg from decrypting:
	 * gpg may have tried a key of ours it could not unlock before the
	 * one that worked. */
	if (!done && w->agent_err)
		return al_gpg_fail(err, w->agent_err, "gpg cannot decrypt");
	if (!done && al_gpg_is_agent_error(d->op_err))
		return al_gpg_fail(err, d->op_err, "gpg cannot decrypt");
	if (!done && none_of_ours(r))
		return no_secret_key(d, r, err);
	if (r->legacy_cipher_nomdc || (w->info && !w->protected))
		return al_error_set(err, AL_EINVAL, "no integrity protection");
	if (!done) {
		rc = bad_signature(d, err);
		return rc ? rc : corrupt(d, err);
	}
	if (!w->info)
		return al_error_set(err, AL_EINVAL, "no integrity protection");
	if (w->plaintexts != 1)
		return al_error_set(err, AL_EINVAL,
				    "corrupt or truncated OpenPGP message (no "
				    "plain text)");
	return 0;
}

/* Why the key k, whose (sub)key sub made a good signature, must not be
 * believed, or NULL. */
static const char *signer_problem(gpgme_key_t k, gpgme_subkey_t sub,
				  gpgme_signature_t s)
{
	if (k->revoked || sub->revoked ||
	    (s->summary & GPGME_SIGSUM_KEY_REVOKED))
		return "revoked";
	if (k->expired || sub->expired ||
	    (s->summary & GPGME_SIGSUM_KEY_EXPIRED))
		return "expired";
	if (k->disabled || sub->disabled)
		return "disabled";
	if (k->invalid || sub->invalid)
		return "invalid";
	if (!sub->can_sign || s->wrong_key_usage)
		return "non-signing";
	return NULL;
}

/* A good signature: believed only when its key is in the keyring and
 * usable; the key's primary fingerprint is what is recorded. */
static int known_signer(struct al_decrypt *d, gpgme_signature_t s,
			struct al_sig *out, struct al_error *err)
{
	char fpr[AL_FPR_MAX], shown[96];
	gpgme_subkey_t sub;
	gpgme_key_t k = NULL;
	const char *why;
	int rc;

	if (!s->fpr || al_gpg_norm_fpr(s->fpr, fpr, NULL) != 0)
		return al_error_set(err, AL_EINTEGRITY,
				    "signature by %s: gpg gave no fingerprint",
				    shown_id(s->fpr, shown, sizeof(shown)));
	rc = al_gpg_get_key(d->g, fpr, false, &k, err);
	if (rc == AL_ENOTFOUND)
		return al_error_set(err, AL_EINTEGRITY,
				    "signature by %s: key not in the keyring",
				    fpr);
	if (rc)
		return rc;
	sub = al_gpg_find_subkey(k, fpr);
	al_gpg_copy_fpr(out->fpr, k->subkeys->fpr);
	why = signer_problem(k, sub, s);
	if (why)
		rc = al_error_set(err, AL_EINTEGRITY, "signature by %s key %s",
				  why, out->fpr);
	gpgme_key_unref(k);
	if (rc)
		return rc;
	if (s->summary & GPGME_SIGSUM_SIG_EXPIRED)
		return al_error_set(err, AL_EINTEGRITY,
				    "expired signature by %s", out->fpr);
	out->state = AL_SIG_KNOWN;
	out->time = (int64_t)s->timestamp;
	return 0;
}

/* A signature by a key we do not have: recorded as gpg names its issuer
 * (a fingerprint, or a long key id), uppercase. */
static int unknown_signer(gpgme_signature_t s, struct al_sig *out,
			  struct al_error *err)
{
	size_t n = s->fpr ? strlen(s->fpr) : 0;
	char shown[96];

	if (n != 16 && n != 40 && n != 64)
		goto bad;
	for (size_t i = 0; i < n; i++) {
		char c = s->fpr[i];

		if (c >= 'a' && c <= 'f')
			c = (char)(c - 'a' + 'A');
		else if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')))
			goto bad;
		out->fpr[i] = c;
	}
	out->fpr[n] = '\0';
	out->state = AL_SIG_UNKNOWN;
	out->time = (int64_t)s->timestamp;
	return 0;
bad:
	return al_error_set(err, AL_EINTEGRITY,
			    "signature by an unknown key gpg names '%s'",
			    shown_id(s->fpr, shown, sizeof(shown)));
}

static int judge_signature(struct al_decrypt *d, struct al_sig *out,
			   struct al_error *err)
{
	gpgme_verify_result_t r = gpgme_op_verify_result(d->g->ctx);
	gpgme_signature_t s = r ? r->signatures : NULL;
	char name[96], text[128];
	unsigned n = 0;

	for (gpgme_signature_t p = s; p; p = p->next)
		n++;
	if (n == 0)
		return 0;
	if (n > 1)
		return al_error_set(err, AL_EINVAL,
				    "more than one signature (%u)", n);
	switch (gpgme_err_code(s->status)) {
	case GPG_ERR_NO_ERROR:
		return known_signer(d, s, out, err);
	case GPG_ERR_NO_PUBKEY:
		return unknown_signer(s, out, err);
	case GPG_ERR_BAD_SIGNATURE:
		return al_error_set(
			err, AL_EINTEGRITY, "bad signature by %s",
			signer_name(d->g, s->fpr, name, sizeof(name)));
	case GPG_ERR_CERT_REVOKED:
		return al_error_set(
			err, AL_EINTEGRITY, "signature by revoked key %s",
			signer_name(d->g, s->fpr, name, sizeof(name)));
	case GPG_ERR_KEY_EXPIRED:
		return al_error_set(
			err, AL_EINTEGRITY, "signature by expired key %s",
			signer_name(d->g, s->fpr, name, sizeof(name)));
	case GPG_ERR_SIG_EXPIRED:
		return al_error_set(
			err, AL_EINTEGRITY, "expired signature by %s",
			signer_name(d->g, s->fpr, name, sizeof(name)));
	default:
		return al_error_set(
			err, AL_EINTEGRITY, "invalid signature by %s (%s)",
			signer_name(d->g, s->fpr, name, sizeof(name)),
			al_gpg_text(s->status, text, sizeof(text)));
	}
}

/* Was it the key the caller allows (the vault's) that decrypted? */
static int judge_key(struct al_decrypt *d, struct al_error *err)
{
	gpgme_key_t k = NULL;
	bool named = false, hidden = false;

	if (!d->opts.key)
		return 0;
	if (!d->w.used[0])
		return al_error_set(err, AL_EINVAL,
				    "gpg did not say which key decrypted the "
				    "message; refused");
	if (strcasecmp(d->w.used, d->opts.key) == 0)
		return 0;
	/* gpg took another secret key it holds; the message is still for
	 * the vault when it names one of the vault key's subkeys too */
	if (al_gpg_get_key(d->g, d->opts.key, false, &k, NULL) == 0) {
		for (gpgme_subkey_t sk = k->subkeys; sk && !named;
		     sk = sk->next)
			for (unsigned i = 0; i < d->w.nenc_to && !named; i++)
				named = sk->keyid &&
					strcasecmp(sk->keyid, d->w.enc_to[i]) ==
						0;
		gpgme_key_unref(k);
	}
	for (unsigned i = 0; i < d->w.nenc_to && !named; i++)
		hidden = hidden ||
			 strcmp(d->w.enc_to[i], "0000000000000000") == 0;
	if (!named && hidden)
		/* gpg tries hidden recipients with each secret key it holds
		 * and took another one first: whether the vault's key was
		 * among them cannot be told */
		return al_error_set(err, AL_EINVAL,
				    "hidden recipients, opened by another key "
				    "in the keyring (%.40s), not the vault's; "
				    "import with a GNUPGHOME that holds only "
				    "the vault's secret key",
				    d->w.used);
	if (!named)
		return al_error_set(err, AL_EINVAL,
				    "not encrypted to this vault's key "
				    "(decrypted by another key in the keyring, "
				    "%.40s)",
				    d->w.used);
	return 0;
}

int al_decrypt_finish(struct al_decrypt *d, struct al_sig *sig,
		      struct al_error *err)
{
	struct al_sig s = {AL_SIG_NONE, "", 0};
	int rc;

	assert(d && sig);
	memset(sig, 0, sizeof(*sig));
	/* A caller that has not closed its end must not hang here: with
	 * ours shut down, a send that waits for room fails at once. */
	shutdown(d->out_fd, SHUT_RDWR);
	pthread_join(d->tid, NULL);
	gpgme_set_status_cb(d->g->ctx, al_gpg_watch_status, d->g);

	rc = judge_stop(d, err);
	if (!rc)
		rc = judge_decryption(d, err);
	if (!rc)
		rc = judge_key(d, err);
	if (!rc)
		rc = judge_signature(d, &s, err);
	if (!rc)
		*sig = s;
	decrypt_free(d);
	return rc;
}
