/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gpgme wrappers: every gpgme call of the project is here, and every gpgme
 * error is turned into an al_error at this boundary.  See docs/crypto.md.
 */
#include "al_gpg.h"
#include "al_gpg_int.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gpgme.h>

#include "al_text.h"

/* gpgme_op_encrypt_ext / encrypt_sign_ext need 1.11; gpg 2.1.14 is the
 * first with "--import-options show-only" (gpgme_op_keylist_from_data). */
#define AL_GPGME_MIN      "1.11.0"
#define AL_GPG_ENGINE_MIN 2, 1, 14
/* An encryption to more keys than this is a mistake, not a policy. */
#define AL_GPG_MAX_RECIPIENTS 64
/* The longest text we look at as a fingerprint (spaces included). */
#define AL_FPR_INPUT_MAX 200

static pthread_once_t gpgme_once = PTHREAD_ONCE_INIT;
static const char *gpgme_found;

static void gpgme_init_once(void)
{
	/* The first call initialises gpgme (and sets SIGPIPE to SIG_IGN when
	 * it was SIG_DFL); it is not thread-safe, hence the once. */
	gpgme_found = gpgme_check_version(NULL);
}

/* gpgme_strerror is not thread-safe; this is. */
const char *al_gpg_text(gpgme_error_t e, char *buf, size_t size)
{
	if (gpgme_strerror_r(e, buf, size) != 0 && size > 0)
		buf[size - 1] = '\0';
	return buf;
}

bool al_gpg_is_agent_error(gpgme_error_t e)
{
	switch (gpgme_err_code(e)) {
	case GPG_ERR_NO_AGENT:
	case GPG_ERR_AGENT:
	case GPG_ERR_NO_PIN_ENTRY:
	case GPG_ERR_PIN_ENTRY:
		return true;
	default:
		return false;
	}
}

/* Translate a gpgme failure: "<what>: <gpgme's text>". */
int al_gpg_fail(struct al_error *err, gpgme_error_t e, const char *what)
{
	char text[128];

	al_gpg_text(e, text, sizeof(text));
	if (al_gpg_is_agent_error(e))
		return al_error_set(err, AL_ECRYPTO,
				    "gpg-agent is not available: %s", text);
	return al_error_set(err, AL_ECRYPTO, "%s: %s", what, text);
}

/*
 * gpgme's status callback (every status line, "full-status"): remember the
 * first agent failure of "ERROR <where> <code>" or "FAILURE <op> <code>".
 * The lines come from gpg; anything not of that shape is ignored.
 */
gpgme_error_t al_gpg_watch_status(void *hook, const char *keyword,
				  const char *args)
{
	struct al_gpg *g = hook;
	const char *sp;
	unsigned long code;
	char *end = NULL;

	if (!keyword || !args || g->agent_err ||
	    (strcmp(keyword, "ERROR") != 0 && strcmp(keyword, "FAILURE") != 0))
		return 0;
	sp = strchr(args, ' ');
	if (!sp || sp[1] < '0' || sp[1] > '9')
		return 0;
	errno = 0;
	code = strtoul(sp + 1, &end, 10);
	if (errno || code > UINT32_MAX || (*end != '\0' && *end != ' '))
		return 0;
	if (al_gpg_is_agent_error((gpgme_error_t)code))
		g->agent_err = (gpgme_error_t)code;
	return 0;
}

/* Parse "2.2.40" into three numbers; false when it is not that shape. */
static bool parse_version(const char *s, long v[3])
{
	for (int i = 0; i < 3; i++) {
		char *end = NULL;

		if (!s || *s < '0' || *s > '9')
			return false;
		errno = 0;
		v[i] = strtol(s, &end, 10);
		if (errno || v[i] > 100000)
			return false;
		if (i < 2) {
			if (*end != '.')
				return false;
			s = end + 1;
		}
	}
	return true;
}

static int check_engine(struct al_error *err)
{
	static const long need[3] = {AL_GPG_ENGINE_MIN};
	gpgme_engine_info_t info = NULL;
	gpgme_error_t e;
	long have[3];
	char text[128];

	e = gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP);
	if (e)
		return al_error_set(err, AL_ECRYPTO,
				    "gpg is missing or too old: %s",
				    al_gpg_text(e, text, sizeof(text)));
	e = gpgme_get_engine_info(&info);
	if (e)
		return al_gpg_fail(err, e, "cannot ask gpgme about gpg");
	for (; info; info = info->next) {
		if (info->protocol != GPGME_PROTOCOL_OpenPGP)
			continue;
		if (!parse_version(info->version, have))
			break;
		for (int i = 0; i < 3; i++) {
			if (have[i] > need[i])
				return 0;
			if (have[i] < need[i])
				break;
			if (i == 2)
				return 0;
		}
		return al_error_set(err, AL_ECRYPTO,
				    "gpg '%s' is too old (need 2.1.14)",
				    info->version ? info->version : "?");
	}
	return al_error_set(err, AL_ECRYPTO, "cannot tell which gpg is in use");
}

/* One context as every call wants it. */
static int setup_ctx(struct al_gpg *g, gpgme_ctx_t *ctx, struct al_error *err)
{
	gpgme_error_t e;

	e = gpgme_new(ctx);
	if (e) {
		*ctx = NULL;
		return al_gpg_fail(err, e, "cannot start a gpgme session");
	}
	e = gpgme_set_protocol(*ctx, GPGME_PROTOCOL_OpenPGP);
	if (!e)
		e = gpgme_set_keylist_mode(*ctx, GPGME_KEYLIST_MODE_LOCAL);
	if (e)
		return al_gpg_fail(err, e, "cannot set up the gpgme session");
	/* Offline makes gpgme pass --disable-dirmngr: nothing reaches the
	 * network, whatever gpg.conf says. */
	gpgme_set_offline(*ctx, 1);
	gpgme_set_armor(*ctx, 0);
	gpgme_set_textmode(*ctx, 0);
	e = gpgme_set_ctx_flag(*ctx, "auto-key-retrieve", "0");
	if (e && gpgme_err_code(e) != GPG_ERR_UNKNOWN_NAME)
		return al_gpg_fail(err, e, "cannot turn off key retrieval");
	/* Every status line to al_gpg_watch_status, for the agent failures
	 * gpgme does not pass on (a gpgme without the flag just passes
	 * fewer). */
	e = gpgme_set_ctx_flag(*ctx, "full-status", "1");
	if (e && gpgme_err_code(e) != GPG_ERR_UNKNOWN_NAME)
		return al_gpg_fail(err, e, "cannot watch gpg's status");
	gpgme_set_status_cb(*ctx, al_gpg_watch_status, g);
	return 0;
}

int al_gpg_new(struct al_gpg **out, struct al_error *err)
{
	struct al_gpg *g = NULL;
	int rc;

	*out = NULL;
	pthread_once(&gpgme_once, gpgme_init_once);
	if (!gpgme_found || !gpgme_check_version(AL_GPGME_MIN))
		return al_error_set(
			err, AL_ECRYPTO, "gpgme '%s' is too old (need %s)",
			gpgme_found ? gpgme_found : "?", AL_GPGME_MIN);
	rc = check_engine(err);
	if (rc)
		return rc;
	g = calloc(1, sizeof(*g));
	if (!g)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	rc = setup_ctx(g, &g->ctx, err);
	if (!rc)
		rc = setup_ctx(g, &g->keys, err);
	if (rc)
		goto out;
	*out = g;
	g = NULL;
	rc = 0;
out:
	al_gpg_free(g);
	return rc;
}

void al_gpg_keep_keys(struct al_gpg *g, bool on)
{
	g->keep_keys = on;
	if (!on && g->cached) {
		gpgme_key_unref(g->cached);
		g->cached = NULL;
	}
}

void al_gpg_free(struct al_gpg *g)
{
	if (!g)
		return;
	if (g->ctx)
		gpgme_release(g->ctx);
	if (g->keys)
		gpgme_release(g->keys);
	if (g->cached)
		gpgme_key_unref(g->cached);
	free(g);
}

/*
 * Fingerprints: spaces and tabs dropped, hex digits uppercased, exactly 40
 * (v4) or 64 (v5) digits.  Anything else, a key id in particular, is
 * refused: a key id is not a pin.
 */
int al_gpg_norm_fpr(const char *in, char out[AL_FPR_MAX], struct al_error *err)
{
	char shown[96];
	size_t len, n = 0;

	out[0] = '\0';
	if (!in)
		return al_error_set(err, AL_EINVAL, "no fingerprint given");
	len = strnlen(in, AL_FPR_INPUT_MAX + 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == ' ' || c == '\t')
			continue;
		if (n == AL_FPR_MAX - 1)
			goto bad;
		if (c >= '0' && c <= '9')
			out[n++] = (char)c;
		else if (c >= 'a' && c <= 'f')
			out[n++] = (char)(c - 'a' + 'A');
		else if (c >= 'A' && c <= 'F')
			out[n++] = (char)c;
		else
			goto bad;
	}
	if (len <= AL_FPR_INPUT_MAX && (n == 40 || n == 64)) {
		out[n] = '\0';
		return 0;
	}
bad:
	out[0] = '\0';
	al_text_visible(in, len, shown, sizeof(shown));
	return al_error_set(err, AL_EINVAL, "'%s' is not a full fingerprint",
			    shown);
}

void al_gpg_copy_fpr(char out[AL_FPR_MAX], const char *fpr)
{
	size_t n = fpr ? strnlen(fpr, AL_FPR_MAX - 1) : 0;

	memcpy(out, fpr ? fpr : "", n);
	out[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (out[i] >= 'a' && out[i] <= 'f')
			out[i] = (char)(out[i] - 'a' + 'A');
}

/* The subkey of k (the primary included) whose fingerprint is fpr. */
gpgme_subkey_t al_gpg_find_subkey(gpgme_key_t k, const char *fpr)
{
	for (gpgme_subkey_t s = k ? k->subkeys : NULL; s; s = s->next)
		if (s->fpr && strcasecmp(s->fpr, fpr) == 0)
			return s;
	return NULL;
}

const char *al_gpg_key_unusable(gpgme_key_t k)
{
	if (k->revoked)
		return "is revoked";
	if (k->expired)
		return "has expired";
	if (k->disabled)
		return "is disabled";
	if (k->invalid)
		return "is not valid";
	return NULL;
}

bool al_gpg_subkey_usable(gpgme_subkey_t s)
{
	return !s->revoked && !s->expired && !s->disabled && !s->invalid;
}

/* The primary fingerprints of a and b are the same. */
static bool same_key(gpgme_key_t a, gpgme_key_t b)
{
	return a->subkeys && b->subkeys && a->subkeys->fpr && b->subkeys->fpr &&
	       strcasecmp(a->subkeys->fpr, b->subkeys->fpr) == 0;
}

/*
 * The one key gpg lists for fpr (the secret listing when secret), on the
 * lookup context with the status lines watched: gpgme_get_key would list
 * on a context of its own, where an agent failure is lost and the listing
 * just ends empty.  GPG_ERR_EOF when there is none, GPG_ERR_AMBIGUOUS_NAME
 * when two different keys match.
 */
static gpgme_error_t list_one(struct al_gpg *g, const char *fpr, bool secret,
			      gpgme_key_t *out)
{
	gpgme_key_t k = NULL, next = NULL;
	gpgme_error_t e;

	*out = NULL;
	g->agent_err = 0;
	e = gpgme_op_keylist_start(g->keys, fpr, secret);
	if (e)
		return e;
	e = gpgme_op_keylist_next(g->keys, &k);
	while (!e) {
		e = gpgme_op_keylist_next(g->keys, &next);
		if (!e && !same_key(k, next))
			e = gpg_error(GPG_ERR_AMBIGUOUS_NAME);
		gpgme_key_unref(next);
		next = NULL;
	}
	gpgme_op_keylist_end(g->keys);
	if (gpgme_err_code(e) != GPG_ERR_EOF || !k) {
		gpgme_key_unref(k);
		/* An empty listing may only mean gpg could not ask the
		 * agent whether it holds the secret key. */
		if (gpgme_err_code(e) == GPG_ERR_EOF && g->agent_err)
			e = g->agent_err;
		return e;
	}
	*out = k;
	return 0;
}

/*
 * Look a fingerprint up (normalised in fpr) and make sure gpg gave us the
 * key that really has it: gpg takes any pattern, and a fingerprint must
 * not match a different key by accident.  AL_ENOTFOUND without a message
 * (the caller words it), or AL_ECRYPTO with one.
 */
int al_gpg_get_key(struct al_gpg *g, const char *fpr, bool secret,
		   gpgme_key_t *out, struct al_error *err)
{
	gpgme_key_t k = NULL;
	gpgme_error_t e;

	*out = NULL;
	if (!secret && g->keep_keys && g->cached &&
	    al_gpg_find_subkey(g->cached, fpr)) {
		gpgme_key_ref(g->cached);
		*out = g->cached;
		return 0;
	}
	e = list_one(g, fpr, secret, &k);
	if (e) {
		switch (gpgme_err_code(e)) {
		case GPG_ERR_EOF:
		case GPG_ERR_NOT_FOUND:
		case GPG_ERR_NO_PUBKEY:
		case GPG_ERR_NO_SECKEY:
			return AL_ENOTFOUND;
		default:
			return al_gpg_fail(err, e, "cannot look up a key");
		}
	}
	if (!al_gpg_find_subkey(k, fpr)) {
		gpgme_key_unref(k);
		return AL_ENOTFOUND;
	}
	if (!secret && g->keep_keys) {
		if (g->cached)
			gpgme_key_unref(g->cached);
		gpgme_key_ref(k);
		g->cached = k;
	}
	*out = k;
	return 0;
}

static int find_key(struct al_gpg *g, const char *given, enum al_key_use use,
		    gpgme_key_t *out, char primary[AL_FPR_MAX],
		    struct al_error *err)
{
	char fpr[AL_FPR_MAX];
	gpgme_key_t k = NULL;
	const char *why;
	bool found = false;
	int rc;

	*out = NULL;
	rc = al_gpg_norm_fpr(given, fpr, err);
	if (rc)
		return rc;
	rc = al_gpg_get_key(g, fpr, use == AL_KEY_SIGN, &k, err);
	if (rc == AL_ENOTFOUND && use == AL_KEY_SIGN) {
		/* Tell "no such key" from "no secret for it". */
		rc = al_gpg_get_key(g, fpr, false, &k, err);
		gpgme_key_unref(k);
		k = NULL;
		if (rc == 0)
			rc = al_error_set(err, AL_ECRYPTO,
					  "no secret key for '%s' in the "
					  "keyring",
					  fpr);
	}
	if (rc == AL_ENOTFOUND)
		rc = al_error_set(err, AL_ENOTFOUND,
				  "no key '%s' in the keyring", fpr);
	if (rc)
		goto out;
	why = al_gpg_key_unusable(k);
	if (why) {
		rc = al_error_set(err, AL_ECRYPTO, "key '%s' %s", fpr, why);
		goto out;
	}
	for (gpgme_subkey_t s = k->subkeys; s && !found; s = s->next) {
		if (!al_gpg_subkey_usable(s))
			continue;
		if (use == AL_KEY_ENCRYPT)
			found = s->can_encrypt;
		else
			found = s->can_sign && s->secret;
	}
	if (!found) {
		rc = al_error_set(err, AL_ECRYPTO,
				  use == AL_KEY_ENCRYPT
					  ? "key '%s' has no usable encryption "
					    "subkey"
					  : "key '%s' has no usable signing "
					    "key with its secret part",
				  fpr);
		goto out;
	}
	if (primary)
		al_gpg_copy_fpr(primary, k->subkeys->fpr);
	*out = k;
	k = NULL;
out:
	gpgme_key_unref(k);
	return rc;
}

int al_gpg_check_key(struct al_gpg *g, const char *fpr, enum al_key_use use,
		     char primary[AL_FPR_MAX], struct al_error *err)
{
	gpgme_key_t k = NULL;
	int rc;

	assert(g);
	if (primary)
		primary[0] = '\0';
	rc = find_key(g, fpr, use, &k, primary, err);
	gpgme_key_unref(k);
	return rc;
}

/* ---- encryption: a producer thread, a socket pair, gpgme callbacks ---- */

struct producer {
	al_produce_fn produce;
	void *ctx;
	int fd; /* our end of the socket pair; the thread closes it */
	int rc;
	bool sink_failed;   /* the producer's failure came from gpg's side */
	atomic_bool failed; /* set before the socket is shut down */
	struct al_error err;
};

struct reader {
	int fd; /* the caller's end of the socket pair */
	struct producer *prod;
};

struct writer {
	int fd;
	int error;       /* errno of a failed write, or 0 */
	bool armor;      /* what the caller asked for */
	bool started;    /* the first byte has been seen */
	bool wrong_kind; /* gpg wrote armor when binary was asked, or back */
};

static int sink_send(void *ctx, const void *buf, size_t len,
		     struct al_error *err)
{
	struct producer *p = ctx;
	const char *b = buf;

	if (p->sink_failed)
		return al_error_set(err, AL_EIO,
				    "gpg stopped reading the plain text");
	while (len > 0) {
		ssize_t n = send(p->fd, b, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			p->sink_failed = true;
			return al_error_set(err, AL_EIO,
					    "gpg stopped reading the plain "
					    "text: %s",
					    strerror(errno));
		}
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

static void *producer_main(void *arg)
{
	struct producer *p = arg;

	al_error_clear(&p->err);
	p->rc = p->produce(p->ctx, sink_send, p, &p->err);
	if (p->rc == 0 && p->sink_failed)
		p->rc = al_error_set(&p->err, AL_EIO,
				     "gpg stopped reading the plain text");
	if (p->rc != 0) {
		if (p->rc > 0 || p->err.code == 0)
			p->rc = al_error_set(&p->err, AL_EIO,
					     "producing the plain text failed");
		/* Before the end of stream: the reader must see a failure,
		 * not a clean end that gpg would seal as a whole message. */
		atomic_store(&p->failed, true);
	}
	shutdown(p->fd, SHUT_WR);
	close(p->fd);
	return NULL;
}

/* gpgme's read callback for the plain text. */
static ssize_t plain_read(void *handle, void *buf, size_t size)
{
	struct reader *r = handle;

	for (;;) {
		ssize_t n = read(r->fd, buf, size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 && atomic_load(&r->prod->failed)) {
			errno = EIO;
			return -1;
		}
		return n;
	}
}

/* gpgme's write callback for the encrypted output. */
static ssize_t cipher_write(void *handle, const void *buf, size_t size)
{
	struct writer *w = handle;
	const char *b = buf;
	size_t left = size;

	/* gpgme only ever adds --armor: an "armor" line in gpg.conf would
	 * turn a binary request into text.  Binary OpenPGP starts with a
	 * packet tag (high bit set), armor with '-'. */
	if (!w->started && size > 0) {
		w->started = true;
		if (((unsigned char)b[0] & 0x80) == (w->armor ? 0x80 : 0)) {
			w->wrong_kind = true;
			w->error = EINVAL;
			errno = EINVAL;
			return -1;
		}
	}
	while (left > 0) {
		ssize_t n = write(w->fd, b, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			w->error = n < 0 ? errno : EIO;
			errno = w->error;
			return -1;
		}
		b += n;
		left -= (size_t)n;
	}
	return (ssize_t)size;
}

void al_gpg_set_data_flags(gpgme_data_t d, bool sensitive)
{
	/* Both are hints; an older gpgme refusing them changes nothing. */
	(void)gpgme_data_set_flag(d, "io-buffer-size", AL_GPG_IO_BUFFER);
	if (sensitive)
		(void)gpgme_data_set_flag(d, "sensitive", "1");
}

/* The keys for recipients, checked, each primary once, NULL-terminated. */
static int recipient_keys(struct al_gpg *g, const char *const *recipients,
			  size_t n, gpgme_key_t **out, struct al_error *err)
{
	gpgme_key_t *keys = NULL;
	size_t used = 0;
	int rc = 0;

	*out = NULL;
	if (n == 0 || !recipients)
		return al_error_set(err, AL_EUSAGE,
				    "no recipient given: refusing to encrypt");
	if (n > AL_GPG_MAX_RECIPIENTS)
		return al_error_set(err, AL_ELIMIT,
				    "too many recipients: %zu (at most %d)", n,
				    AL_GPG_MAX_RECIPIENTS);
	keys = calloc(n + 1, sizeof(*keys));
	if (!keys)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		gpgme_key_t k = NULL;
		bool dup = false;

		rc = find_key(g, recipients[i], AL_KEY_ENCRYPT, &k, NULL, err);
		if (rc)
			goto out;
		for (size_t j = 0; j < used && !dup; j++)
			dup = strcasecmp(keys[j]->subkeys->fpr,
					 k->subkeys->fpr) == 0;
		if (dup)
			gpgme_key_unref(k);
		else
			keys[used++] = k;
	}
	*out = keys;
	keys = NULL;
out:
	for (size_t j = 0; keys && j < used; j++)
		gpgme_key_unref(keys[j]);
	free(keys);
	return rc;
}

static void free_keys(gpgme_key_t *keys)
{
	for (size_t i = 0; keys && keys[i]; i++)
		gpgme_key_unref(keys[i]);
	free(keys);
}

/* After gpgme said yes: did it encrypt to everyone and sign exactly once,
 * with the signer's key? */
/* gpg named the signer it refused (sign or encrypt-and-sign): say so. */
static bool refused_signer(struct al_gpg *g, struct al_error *err)
{
	gpgme_sign_result_t sr = gpgme_op_sign_result(g->ctx);
	char text[128];

	if (!sr || !sr->invalid_signers)
		return false;
	al_error_set(
		err, AL_ECRYPTO, "gpg refused signer '%s': %s",
		sr->invalid_signers->fpr ? sr->invalid_signers->fpr : "?",
		al_gpg_text(sr->invalid_signers->reason, text, sizeof(text)));
	return true;
}

static int check_results(struct al_gpg *g, gpgme_key_t signer,
			 struct al_error *err)
{
	gpgme_encrypt_result_t er = gpgme_op_encrypt_result(g->ctx);
	gpgme_sign_result_t sr;
	gpgme_new_signature_t s;
	int count = 0;

	if (er && er->invalid_recipients)
		return al_error_set(err, AL_ECRYPTO,
				    "gpg refused recipient '%s'",
				    er->invalid_recipients->fpr
					    ? er->invalid_recipients->fpr
					    : "?");
	if (!signer)
		return 0;
	sr = gpgme_op_sign_result(g->ctx);
	if (!sr)
		return al_error_set(err, AL_ECRYPTO, "gpg made no signature");
	if (sr->invalid_signers)
		return al_error_set(err, AL_ECRYPTO, "gpg refused signer '%s'",
				    signer->subkeys->fpr);
	for (s = sr->signatures; s; s = s->next)
		count++;
	if (count != 1)
		return al_error_set(err, AL_ECRYPTO,
				    "gpg made %d signatures, not one", count);
	if (!sr->signatures->fpr ||
	    !al_gpg_find_subkey(signer, sr->signatures->fpr))
		return al_error_set(err, AL_ECRYPTO,
				    "gpg signed with a key other than '%s'",
				    signer->subkeys->fpr);
	return 0;
}

static int encrypt_failed(struct al_gpg *g, gpgme_error_t e,
			  const struct writer *w, struct al_error *err)
{
	gpgme_encrypt_result_t er;

	if (w->wrong_kind)
		return al_error_set(err, AL_ECRYPTO,
				    "gpg wrote %s output where %s was asked "
				    "(is 'armor' set in gpg.conf?)",
				    w->armor ? "binary" : "armored",
				    w->armor ? "armor" : "binary");
	if (w->error)
		return al_error_set(err, AL_EIO,
				    "cannot write the encrypted output: %s",
				    strerror(w->error));
	/* Before the invalid signer, whose reason is only "general error":
	 * the agent could not sign (no agent, no pinentry for the
	 * passphrase). */
	if (al_gpg_is_agent_error(e))
		return al_gpg_fail(err, e, "gpg cannot sign");
	if (g->agent_err)
		return al_gpg_fail(err, g->agent_err, "gpg cannot sign");
	er = gpgme_op_encrypt_result(g->ctx);
	if (er && er->invalid_recipients) {
		char text[128];

		return al_error_set(err, AL_ECRYPTO,
				    "gpg refused recipient '%s': %s",
				    er->invalid_recipients->fpr
					    ? er->invalid_recipients->fpr
					    : "?",
				    al_gpg_text(er->invalid_recipients->reason,
						text, sizeof(text)));
	}
	if (refused_signer(g, err))
		return AL_ECRYPTO;
	return al_gpg_fail(err, e, "gpg cannot encrypt");
}

static gpgme_error_t run_encrypt(struct al_gpg *g, gpgme_key_t *keys,
				 gpgme_key_t signer, gpgme_data_t plain,
				 gpgme_data_t cipher)
{
	/* The fingerprint the caller gave is the pin: the web of trust has
	 * nothing to add, and these keys are rarely certified.  Our own
	 * encrypt-to keys from gpg.conf must not read the bundle either.
	 * No compression: attachments are mostly compressed already, and
	 * zlib over a large one costs several times the encryption itself
	 * (measured: 512 MiB sealed in 14 s with it, against 3 s for
	 * "tar | gpg -z 0"). */
	gpgme_encrypt_flags_t flags = GPGME_ENCRYPT_ALWAYS_TRUST |
				      GPGME_ENCRYPT_NO_ENCRYPT_TO |
				      GPGME_ENCRYPT_NO_COMPRESS;

	if (signer)
		return gpgme_op_encrypt_sign_ext(g->ctx, keys, NULL, flags,
						 plain, cipher);
	return gpgme_op_encrypt_ext(g->ctx, keys, NULL, flags, plain, cipher);
}

int al_gpg_encrypt(struct al_gpg *g, const char *const *recipients,
		   size_t nrecipients, const char *signer, bool armor,
		   al_produce_fn produce, void *produce_ctx, int out_fd,
		   struct al_error *err)
{
	struct gpgme_data_cbs plain_cbs = {.read = plain_read};
	struct gpgme_data_cbs cipher_cbs = {.write = cipher_write};
	struct producer prod = {.produce = produce, .ctx = produce_ctx};
	struct writer w = {.fd = out_fd, .armor = armor};
	struct reader reader = {.fd = -1, .prod = &prod};
	gpgme_key_t *keys = NULL;
	gpgme_key_t skey = NULL;
	gpgme_data_t plain = NULL, cipher = NULL;
	gpgme_error_t e;
	pthread_t tid;
	int sv[2] = {-1, -1};
	int rc;

	assert(g && produce && out_fd >= 0);
	rc = recipient_keys(g, recipients, nrecipients, &keys, err);
	if (rc)
		goto out;
	if (signer) {
		rc = find_key(g, signer, AL_KEY_SIGN, &skey, NULL, err);
		if (rc)
			goto out;
	}
	gpgme_signers_clear(g->ctx);
	if (skey) {
		e = gpgme_signers_add(g->ctx, skey);
		if (e) {
			rc = al_gpg_fail(err, e, "cannot add the signer");
			goto out;
		}
	}
	gpgme_set_armor(g->ctx, armor);

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		rc = al_error_set(err, AL_EIO, "cannot make a socket pair: %s",
				  strerror(errno));
		goto out;
	}
	e = gpgme_data_new_from_cbs(&plain, &plain_cbs, &reader);
	if (!e)
		e = gpgme_data_new_from_cbs(&cipher, &cipher_cbs, &w);
	if (e) {
		rc = al_gpg_fail(err, e, "cannot set up gpgme data");
		goto out;
	}
	al_gpg_set_data_flags(plain, true);
	al_gpg_set_data_flags(cipher, false);

	prod.fd = sv[1];
	atomic_init(&prod.failed, false);
	if (pthread_create(&tid, NULL, producer_main, &prod) != 0) {
		rc = al_error_set(err, AL_EIO,
				  "cannot start the plain text producer");
		goto out;
	}
	sv[1] = -1; /* the thread owns it now */
	reader.fd = sv[0];

	g->agent_err = 0;
	e = run_encrypt(g, keys, skey, plain, cipher);

	/* Whatever happened, the producer must end: with gpg gone its
	 * sends fail with EPIPE, never block. */
	shutdown(sv[0], SHUT_RDWR);
	pthread_join(tid, NULL);

	if (prod.rc != 0 && (!prod.sink_failed || !e)) {
		/* The producer's own failure comes first. */
		if (err)
			*err = prod.err;
		rc = prod.rc;
	} else if (e) {
		rc = encrypt_failed(g, e, &w, err);
	} else {
		rc = check_results(g, skey, err);
	}
out:
	gpgme_signers_clear(g->ctx);
	gpgme_set_armor(g->ctx, 0);
	gpgme_data_release(plain);
	gpgme_data_release(cipher);
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	gpgme_key_unref(skey);
	free_keys(keys);
	return rc;
}

/* ---- import ---- */

/*
 * List what buf holds without importing it (gpg --import-options
 * show-only, through gpgme_op_keylist_from_data): the number of keys, and
 * whether any of them carries secret key material.
 */
static int survey_keys(struct al_gpg *g, const void *buf, size_t len,
		       size_t *nkeys, bool *secret, struct al_error *err)
{
	gpgme_data_t d = NULL;
	gpgme_key_t k = NULL;
	gpgme_error_t e;
	bool listing = false;
	int rc = 0;

	*nkeys = 0;
	*secret = false;
	e = gpgme_data_new_from_mem(&d, buf, len, 0);
	if (e)
		return al_gpg_fail(err, e, "cannot set up gpgme data");
	e = gpgme_op_keylist_from_data_start(g->ctx, d, 0);
	if (e) {
		rc = al_gpg_fail(err, e, "cannot read the keys");
		goto out;
	}
	listing = true;
	while (!(e = gpgme_op_keylist_next(g->ctx, &k))) {
		(*nkeys)++;
		if (k->secret)
			*secret = true;
		for (gpgme_subkey_t s = k->subkeys; s; s = s->next)
			if (s->secret)
				*secret = true;
		gpgme_key_unref(k);
		k = NULL;
	}
	if (gpgme_err_code(e) != GPG_ERR_EOF) {
		rc = al_gpg_fail(err, e, "cannot read the keys");
		goto out;
	}
	listing = false;
out:
	if (listing)
		gpgme_op_keylist_end(g->ctx);
	gpgme_data_release(d);
	return rc;
}

int al_gpg_import_public(struct al_gpg *g, const void *buf, size_t len,
			 size_t *considered, struct al_error *err)
{
	gpgme_import_result_t r;
	gpgme_data_t d = NULL;
	gpgme_error_t e;
	size_t nkeys = 0;
	bool secret = false;
	int rc;

	assert(g);
	if (considered)
		*considered = 0;
	if (g->cached) {
		gpgme_key_unref(g->cached);
		g->cached = NULL;
	}
	if (!buf || len == 0)
		return al_error_set(err, AL_EINVAL,
				    "no OpenPGP key in the input");
	rc = survey_keys(g, buf, len, &nkeys, &secret, err);
	if (rc)
		return rc;
	if (secret)
		return al_error_set(err, AL_EINVAL,
				    "the input holds a secret key; only public "
				    "keys may be imported");
	if (nkeys == 0)
		return al_error_set(err, AL_EINVAL,
				    "no OpenPGP key in the input");
	e = gpgme_data_new_from_mem(&d, buf, len, 0);
	if (e)
		return al_gpg_fail(err, e, "cannot set up gpgme data");
	e = gpgme_op_import(g->ctx, d);
	if (e) {
		rc = al_gpg_fail(err, e, "gpg cannot import the keys");
		goto out;
	}
	r = gpgme_op_import_result(g->ctx);
	if (!r) {
		rc = al_error_set(err, AL_ECRYPTO, "gpg reported no import");
		goto out;
	}
	/* The survey should have caught it; say so if it did not (what
	 * gpg took cannot be told apart from a secret the user already had,
	 * so it is not deleted). */
	if (r->secret_read > 0 || r->secret_imported > 0) {
		rc = al_error_set(err, AL_EINVAL,
				  "the input holds a secret key; only public "
				  "keys may be imported");
		goto out;
	}
	if (r->imported + r->unchanged <= 0) {
		rc = al_error_set(err, AL_ECRYPTO,
				  "gpg accepted none of the %d keys in the "
				  "input",
				  r->considered);
		goto out;
	}
	if (considered)
		*considered = (size_t)r->imported + (size_t)r->unchanged;
	rc = 0;
out:
	gpgme_data_release(d);
	return rc;
}

/*
 * What gpg wrote into d, released, as a malloc'd NUL-ended text in *out
 * (its length in *len): it must start with the armor line head.  AL_ENOMEM;
 * 1 (no message) when gpg wrote nothing or not that, for the caller to
 * word.
 */
static int take_armor(gpgme_data_t d, const char *head, char **out, size_t *len,
		      struct al_error *err)
{
	size_t n = 0, hlen = strlen(head);
	char *mem = gpgme_data_release_and_get_mem(d, &n);
	int rc = 1;

	*out = NULL;
	*len = 0;
	if (!mem || n < hlen || memcmp(mem, head, hlen) != 0 ||
	    memchr(mem, '\0', n))
		goto out;
	*out = malloc(n + 1);
	if (!*out) {
		rc = al_error_set(err, AL_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(*out, mem, n);
	(*out)[n] = '\0';
	*len = n;
	rc = 0;
out:
	gpgme_free(mem);
	return rc;
}

/* ---- export ---- */

int al_gpg_export_public(struct al_gpg *g, const char *fpr, char **out,
			 size_t *len, struct al_error *err)
{
	static const char head[] = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
	gpgme_key_t keys[2] = {NULL, NULL};
	gpgme_data_t d = NULL;
	gpgme_error_t e;
	char want[AL_FPR_MAX];
	size_t n = 0;
	int rc;

	assert(g && out);
	*out = NULL;
	if (len)
		*len = 0;
	rc = al_gpg_norm_fpr(fpr, want, err);
	if (rc)
		return rc;
	rc = al_gpg_get_key(g, want, false, &keys[0], err);
	if (rc == AL_ENOTFOUND)
		rc = al_error_set(err, AL_ENOTFOUND,
				  "no key '%s' in the keyring", want);
	if (rc)
		return rc;
	e = gpgme_data_new(&d);
	if (e) {
		rc = al_gpg_fail(err, e, "cannot set up gpgme data");
		goto out;
	}
	/* The key as gpg lists it, by its primary fingerprint: the whole
	 * key, never a secret part (that takes GPGME_EXPORT_MODE_SECRET),
	 * and only the latest self-signatures (export-minimal). */
	gpgme_set_armor(g->ctx, 1);
	e = gpgme_op_export_keys(g->ctx, keys, GPGME_EXPORT_MODE_MINIMAL, d);
	gpgme_set_armor(g->ctx, 0);
	if (e) {
		rc = al_gpg_fail(err, e, "gpg cannot export the key");
		goto out;
	}
	rc = take_armor(d, head, out, &n, err);
	d = NULL;
	if (rc == 1)
		rc = al_error_set(err, AL_ECRYPTO,
				  "gpg exported no armored public key for "
				  "'%s'",
				  want);
	if (rc == 0 && len)
		*len = n;
out:
	gpgme_data_release(d);
	gpgme_key_unref(keys[0]);
	return rc;
}

/* ---- detached signatures ---- */

/* Why a signature gpg looked at is not good enough, or NULL.  With
 * AL_VERIFY_EXPIRED_OK an expired key is left to key_problem, which
 * compares the expiry with the signature's time. */
static const char *sig_problem(gpgme_signature_t s, unsigned flags)
{
	bool expired_ok = flags & AL_VERIFY_EXPIRED_OK;

	switch (gpgme_err_code(s->status)) {
	case GPG_ERR_NO_ERROR:
		break;
	case GPG_ERR_BAD_SIGNATURE:
		return "signature is bad";
	case GPG_ERR_KEY_EXPIRED:
		if (expired_ok)
			break;
		return "its key has expired";
	case GPG_ERR_CERT_REVOKED:
		return "its key is revoked";
	case GPG_ERR_SIG_EXPIRED:
		return "the signature has expired";
	default:
		return "signature is not valid";
	}
	if (s->summary & GPGME_SIGSUM_KEY_REVOKED)
		return "its key is revoked";
	if ((s->summary & GPGME_SIGSUM_KEY_EXPIRED) && !expired_ok)
		return "its key has expired";
	if (s->summary & GPGME_SIGSUM_SIG_EXPIRED)
		return "the signature has expired";
	if (s->wrong_key_usage)
		return "its key is not meant for signing";
	return NULL;
}

/* The signature's time is before sub's expiry (sub never expires: it has
 * not expired).  A key whose expiry was moved since counts with its latest
 * one, which is all gpg shows. */
static bool made_before_expiry(gpgme_signature_t s, gpgme_subkey_t sub)
{
	if (sub->expires <= 0)
		return !sub->expired;
	return s->timestamp > 0 && s->timestamp < (unsigned long)sub->expires;
}

/* Why key k (sub: its subkey that made s) may not vouch for s, or NULL. */
static const char *key_problem(gpgme_key_t k, gpgme_subkey_t sub,
			       gpgme_signature_t s, unsigned flags)
{
	const char *why;

	if (!(flags & AL_VERIFY_EXPIRED_OK)) {
		why = al_gpg_key_unusable(k);
		if (!why && sub->revoked)
			why = "is revoked";
		if (!why && sub->expired)
			why = "has expired";
		return why;
	}
	/* Expiry is no longer the question; revocation and the rest are. */
	if (k->revoked || sub->revoked)
		return "is revoked";
	if (k->disabled)
		return "is disabled";
	if (k->invalid || sub->invalid)
		return "is not valid";
	if (!made_before_expiry(s, k->subkeys) || !made_before_expiry(s, sub))
		return "had expired when the signature was made";
	return NULL;
}

/* The one signature's key, resolved to its primary, checked usable. */
static int signing_key(struct al_gpg *g, gpgme_signature_t s, unsigned flags,
		       char primary[AL_FPR_MAX], struct al_error *err)
{
	char shown[96], fpr[AL_FPR_MAX];
	gpgme_subkey_t sub;
	gpgme_key_t k = NULL;
	const char *why;
	int rc;

	al_text_visible(s->fpr ? s->fpr : "?", s->fpr ? strlen(s->fpr) : 1,
			shown, sizeof(shown));
	if (!s->fpr || al_gpg_norm_fpr(s->fpr, fpr, NULL) != 0)
		return al_error_set(err, AL_EINTEGRITY,
				    "signed by unknown key %s", shown);
	rc = al_gpg_get_key(g, fpr, false, &k, err);
	if (rc == AL_ENOTFOUND)
		return al_error_set(err, AL_EINTEGRITY,
				    "signed by unknown key %s", fpr);
	if (rc)
		return rc;
	al_gpg_copy_fpr(primary, k->subkeys->fpr);
	sub = al_gpg_find_subkey(k, fpr);
	why = key_problem(k, sub, s, flags);
	if (why)
		rc = al_error_set(err, AL_EINTEGRITY, "signed by %s, which %s",
				  primary, why);
	gpgme_key_unref(k);
	return rc;
}

static int verify_result(struct al_gpg *g, const char *pin, unsigned flags,
			 char signer[AL_FPR_MAX], int64_t *sig_time,
			 struct al_error *err)
{
	gpgme_verify_result_t r = gpgme_op_verify_result(g->ctx);
	gpgme_signature_t s;
	char primary[AL_FPR_MAX], shown[96];
	const char *why;
	int rc;

	if (!r || !r->signatures)
		return al_error_set(err, AL_EINTEGRITY, "no signature");
	if (r->signatures->next)
		return al_error_set(err, AL_EINTEGRITY,
				    "more than one signature");
	s = r->signatures;
	if (gpgme_err_code(s->status) == GPG_ERR_NO_PUBKEY) {
		al_text_visible(s->fpr ? s->fpr : "?",
				s->fpr ? strlen(s->fpr) : 1, shown,
				sizeof(shown));
		return al_error_set(err, AL_EINTEGRITY,
				    "signed by unknown key %s", shown);
	}
	why = sig_problem(s, flags);
	if (why && gpgme_err_code(s->status) == GPG_ERR_BAD_SIGNATURE)
		return al_error_set(err, AL_EINTEGRITY, "%s", why);
	rc = signing_key(g, s, flags, primary, err);
	if (rc)
		return rc;
	if (why)
		return al_error_set(err, AL_EINTEGRITY,
				    "signature by %s is not accepted: %s",
				    primary, why);
	if (pin && strcmp(primary, pin) != 0)
		return al_error_set(err, AL_EINTEGRITY,
				    "signed by %s, expected %s", primary, pin);
	if (signer)
		al_gpg_copy_fpr(signer, primary);
	/* gpg reads a 32-bit creation time; 0 when it gave none. */
	if (sig_time && s->timestamp <= INT64_MAX)
		*sig_time = (int64_t)s->timestamp;
	return 0;
}

/*
 * Whether sig starts like a detached signature: an armor block of type
 * SIGNATURE, or a binary signature packet (tag 2).  gpg reports other
 * OpenPGP data (a key, a message) only as a general error, which would
 * read like a broken gpg rather than a wrong file.
 */
static bool looks_like_signature(const unsigned char *sig, size_t len)
{
	static const char armor[] = "-----BEGIN PGP ";
	static const char want[] = "-----BEGIN PGP SIGNATURE-----";
	size_t i = 0;

	while (i < len && i < 1024 &&
	       (sig[i] == ' ' || sig[i] == '\t' || sig[i] == '\r' ||
		sig[i] == '\n'))
		i++;
	if (len - i >= sizeof(armor) - 1 &&
	    memcmp(sig + i, armor, sizeof(armor) - 1) == 0)
		return len - i >= sizeof(want) - 1 &&
		       memcmp(sig + i, want, sizeof(want) - 1) == 0;
	if (len == 0 || !(sig[0] & 0x80))
		return true; /* not binary OpenPGP: gpg says "no data" */
	if (sig[0] & 0x40)
		return (sig[0] & 0x3f) == 2;
	return ((sig[0] >> 2) & 0x0f) == 2;
}

int al_gpg_verify_detached(struct al_gpg *g, const void *data, size_t len,
			   const void *sig, size_t siglen, const char *pin,
			   char signer[AL_FPR_MAX], int64_t *sig_time,
			   struct al_error *err)
{
	return al_gpg_verify_detached_ex(g, data, len, sig, siglen, pin, 0,
					 signer, sig_time, err);
}

int al_gpg_verify_detached_ex(struct al_gpg *g, const void *data, size_t len,
			      const void *sig, size_t siglen, const char *pin,
			      unsigned flags, char signer[AL_FPR_MAX],
			      int64_t *sig_time, struct al_error *err)
{
	gpgme_data_t sd = NULL, dd = NULL;
	gpgme_error_t e;
	char want[AL_FPR_MAX];
	int rc;

	assert(g);
	assert((flags & ~(unsigned)AL_VERIFY_EXPIRED_OK) == 0);
	if (signer)
		signer[0] = '\0';
	if (sig_time)
		*sig_time = 0;
	if (pin) {
		rc = al_gpg_norm_fpr(pin, want, err);
		if (rc)
			return rc;
	}
	if (!sig || siglen == 0 || !looks_like_signature(sig, siglen))
		return al_error_set(err, AL_EINTEGRITY, "no signature");
	e = gpgme_data_new_from_mem(&sd, sig, siglen, 0);
	if (!e)
		e = gpgme_data_new_from_mem(&dd, len ? data : "", len, 0);
	if (e) {
		rc = al_gpg_fail(err, e, "cannot set up gpgme data");
		goto out;
	}
	e = gpgme_op_verify(g->ctx, sd, dd, NULL);
	if (e) {
		switch (gpgme_err_code(e)) {
		case GPG_ERR_NO_DATA:
		case GPG_ERR_BAD_DATA:
		case GPG_ERR_INV_PACKET:
			rc = al_error_set(err, AL_EINTEGRITY, "no signature");
			break;
		default:
			rc = al_gpg_fail(err, e,
					 "gpg cannot verify the signature");
		}
		goto out;
	}
	rc = verify_result(g, pin ? want : NULL, flags, signer, sig_time, err);
out:
	gpgme_data_release(sd);
	gpgme_data_release(dd);
	return rc;
}

/* ---- detached signing ---- */

/* SHA-256 or stronger (gpgme names no SHA-3). */
static bool strong_digest(gpgme_hash_algo_t a)
{
	return a == GPGME_MD_SHA256 || a == GPGME_MD_SHA384 ||
	       a == GPGME_MD_SHA512;
}

/* After gpgme said yes: exactly one detached binary-mode signature by the
 * signer's key, with a strong digest. */
static int check_signature_made(struct al_gpg *g, gpgme_key_t signer,
				struct al_error *err)
{
	gpgme_new_signature_t s;
	const char *name;
	int rc;

	rc = check_results(g, signer, err);
	if (rc)
		return rc;
	s = gpgme_op_sign_result(g->ctx)->signatures;
	if (s->type != GPGME_SIG_MODE_DETACH)
		return al_error_set(err, AL_ECRYPTO,
				    "gpg made a signature that is not "
				    "detached");
	/* Class 0x00 signs the bytes; 0x01 (gpg.conf "textmode") would
	 * sign the text with its line endings made canonical. */
	if (s->sig_class != 0)
		return al_error_set(err, AL_ECRYPTO,
				    "gpg made a signature of class 0x%02x, "
				    "not a binary one (is 'textmode' set in "
				    "gpg.conf?)",
				    s->sig_class & 0xffu);
	if (!strong_digest(s->hash_algo)) {
		name = gpgme_hash_algo_name(s->hash_algo);
		return al_error_set(err, AL_ECRYPTO,
				    "gpg signed with digest %s, weaker than "
				    "SHA-256 (is 'digest-algo' set in "
				    "gpg.conf?)",
				    name ? name : "unknown");
	}
	return 0;
}

static int sign_failed(struct al_gpg *g, gpgme_error_t e, struct al_error *err)
{
	/* Before the invalid signer, whose reason is only "general error"
	 * when the agent could not sign. */
	if (al_gpg_is_agent_error(e))
		return al_gpg_fail(err, e, "gpg cannot sign");
	if (g->agent_err)
		return al_gpg_fail(err, g->agent_err, "gpg cannot sign");
	if (refused_signer(g, err))
		return AL_ECRYPTO;
	return al_gpg_fail(err, e, "gpg cannot sign");
}

int al_gpg_sign_detached(struct al_gpg *g, const char *signer, const void *data,
			 size_t len, char **sig, size_t *siglen,
			 struct al_error *err)
{
	static const char head[] = "-----BEGIN PGP SIGNATURE-----";
	gpgme_data_t plain = NULL, out = NULL;
	gpgme_key_t skey = NULL;
	gpgme_error_t e;
	char *made = NULL;
	size_t n = 0;
	int rc;

	assert(g && sig);
	*sig = NULL;
	if (siglen)
		*siglen = 0;
	rc = find_key(g, signer, AL_KEY_SIGN, &skey, NULL, err);
	if (rc)
		return rc;
	/* Exactly this key: nothing left from an earlier call, and gpg.conf's
	 * default-key is not used when a signer is given. */
	gpgme_signers_clear(g->ctx);
	e = gpgme_signers_add(g->ctx, skey);
	if (e) {
		rc = al_gpg_fail(err, e, "cannot add the signer");
		goto out;
	}
	e = gpgme_data_new_from_mem(&plain, len ? data : "", len, 0);
	if (!e)
		e = gpgme_data_new(&out);
	if (e) {
		rc = al_gpg_fail(err, e, "cannot set up gpgme data");
		goto out;
	}
	gpgme_set_armor(g->ctx, 1);
	g->agent_err = 0;
	e = gpgme_op_sign(g->ctx, plain, out, GPGME_SIG_MODE_DETACH);
	if (e) {
		rc = sign_failed(g, e, err);
		goto out;
	}
	rc = check_signature_made(g, skey, err);
	if (rc)
		goto out;
	rc = take_armor(out, head, &made, &n, err);
	out = NULL;
	if (rc == 1)
		rc = al_error_set(err, AL_ECRYPTO,
				  "gpg wrote no armored signature");
	if (rc)
		goto out;
	*sig = made;
	if (siglen)
		*siglen = n;
	made = NULL;
out:
	gpgme_signers_clear(g->ctx);
	gpgme_set_armor(g->ctx, 0);
	gpgme_data_release(plain);
	gpgme_data_release(out);
	gpgme_key_unref(skey);
	free(made);
	return rc;
}

/* ---- a key that is not in the keyring: a reporter's reply key ---- */

int al_gpg_key_block(struct al_gpg *g, const void *buf, size_t len,
		     bool encrypt, char primary[AL_FPR_MAX],
		     struct al_error *err)
{
	gpgme_data_t d = NULL;
	gpgme_key_t k = NULL, first = NULL;
	gpgme_error_t e;
	size_t nkeys = 0;
	bool secret = false, listing = false, found = false;
	const char *why;
	int rc = 0;

	assert(g && primary);
	primary[0] = '\0';
	if (!buf || len == 0)
		return al_error_set(err, AL_EINVAL, "holds no OpenPGP key");
	e = gpgme_data_new_from_mem(&d, buf, len, 0);
	if (e)
		return al_gpg_fail(err, e, "cannot set up gpgme data");
	e = gpgme_op_keylist_from_data_start(g->ctx, d, 0);
	if (e) {
		rc = al_gpg_fail(err, e, "cannot read the key");
		goto out;
	}
	listing = true;
	while (!(e = gpgme_op_keylist_next(g->ctx, &k))) {
		nkeys++;
		if (k->secret)
			secret = true;
		for (gpgme_subkey_t s = k->subkeys; s; s = s->next)
			if (s->secret)
				secret = true;
		if (!first)
			first = k;
		else
			gpgme_key_unref(k);
		k = NULL;
	}
	listing = false;
	gpgme_op_keylist_end(g->ctx);
	/* gpg finds nothing in data that is not OpenPGP: no key, or an
	 * error about the data, both "no key" here */
	if (gpgme_err_code(e) != GPG_ERR_EOF && nkeys == 0 &&
	    (gpgme_err_code(e) == GPG_ERR_NO_DATA ||
	     gpgme_err_code(e) == GPG_ERR_INV_PACKET ||
	     gpgme_err_code(e) == GPG_ERR_BAD_DATA ||
	     gpgme_err_code(e) == GPG_ERR_INV_KEYRING))
		e = gpg_error(GPG_ERR_EOF);
	if (gpgme_err_code(e) != GPG_ERR_EOF) {
		rc = al_gpg_fail(err, e, "cannot read the key");
		goto out;
	}
	if (nkeys == 0 || !first->subkeys || !first->subkeys->fpr) {
		rc = al_error_set(err, AL_EINVAL, "holds no OpenPGP key");
		goto out;
	}
	if (nkeys > 1) {
		rc = al_error_set(err, AL_EINVAL, "holds %zu keys, not one",
				  nkeys);
		goto out;
	}
	if (secret) {
		rc = al_error_set(err, AL_EINVAL,
				  "holds secret key material; only a public "
				  "key may be given");
		goto out;
	}
	if (al_gpg_norm_fpr(first->subkeys->fpr, primary, NULL)) {
		rc = al_error_set(err, AL_ECRYPTO,
				  "gpg gave no fingerprint for the key");
		goto out;
	}
	if (!encrypt)
		goto out;
	why = al_gpg_key_unusable(first);
	if (why) {
		rc = al_error_set(err, AL_ECRYPTO, "key '%s' %s", primary, why);
		goto out;
	}
	for (gpgme_subkey_t s = first->subkeys; s && !found; s = s->next)
		found = al_gpg_subkey_usable(s) && s->can_encrypt;
	if (!found)
		rc = al_error_set(err, AL_ECRYPTO,
				  "key '%s' has no usable encryption subkey",
				  primary);
out:
	if (listing)
		gpgme_op_keylist_end(g->ctx);
	if (rc)
		primary[0] = '\0';
	gpgme_key_unref(k);
	gpgme_key_unref(first);
	gpgme_data_release(d);
	return rc;
}

/* A temporary file for a key gpg reads by name: a private folder (0700)
 * under $TMPDIR (when it is an absolute path without a newline, which
 * gpgme's recipient string could not carry) or /tmp, the key in it 0600. */
struct key_file {
	char dir[PATH_MAX];
	char path[PATH_MAX + 16];
	bool made_dir, made_file;
};

static int key_file_write(struct key_file *f, const void *buf, size_t len,
			  struct al_error *err)
{
	const char *tmp = getenv("TMPDIR");
	const unsigned char *b = buf;
	int fd;

	if (!tmp || tmp[0] != '/' || strchr(tmp, '\n') ||
	    strlen(tmp) > sizeof(f->dir) - 32)
		tmp = "/tmp";
	snprintf(f->dir, sizeof(f->dir), "%s/airlock-key.XXXXXX", tmp);
	if (!mkdtemp(f->dir))
		return al_error_set(err, AL_EIO,
				    "cannot make a temporary folder in '%s': "
				    "%s",
				    tmp, strerror(errno));
	f->made_dir = true;
	snprintf(f->path, sizeof(f->path), "%s/key.asc", f->dir);
	fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return al_error_set(err, AL_EIO, "'%s': %s", f->path,
				    strerror(errno));
	f->made_file = true;
	while (len > 0) {
		ssize_t n = write(fd, b, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int saved = n < 0 ? errno : EIO;

			close(fd);
			return al_error_set(err, AL_EIO, "'%s': %s", f->path,
					    strerror(saved));
		}
		b += n;
		len -= (size_t)n;
	}
	if (close(fd) < 0)
		return al_error_set(err, AL_EIO, "'%s': %s", f->path,
				    strerror(errno));
	return 0;
}

static void key_file_remove(struct key_file *f)
{
	if (f->made_file)
		unlink(f->path);
	if (f->made_dir)
		rmdir(f->dir);
}

/* gpgme's recipient string: the key file (--file), then the keyring's
 * keys by primary fingerprint, one a line. */
static char *recipient_string(const char *file, gpgme_key_t *keys)
{
	size_t len = strlen("--file\n") + strlen(file) + strlen("\n--no-file");
	char *s;

	for (size_t i = 0; keys && keys[i]; i++)
		len += 1 + strlen(keys[i]->subkeys->fpr);
	s = malloc(len + 1);
	if (!s)
		return NULL;
	len = (size_t)snprintf(s, len + 1, "--file\n%s\n--no-file", file);
	for (size_t i = 0; keys && keys[i]; i++) {
		s[len++] = '\n';
		memcpy(s + len, keys[i]->subkeys->fpr,
		       strlen(keys[i]->subkeys->fpr));
		len += strlen(keys[i]->subkeys->fpr);
	}
	s[len] = '\0';
	return s;
}

int al_gpg_encrypt_key_block(struct al_gpg *g, const void *key_block,
			     size_t key_len, const char *const *recipients,
			     size_t nrecipients, const char *signer,
			     const void *plain, size_t len, char **out,
			     size_t *outlen, struct al_error *err)
{
	static const char head[] = "-----BEGIN PGP MESSAGE-----";
	/* gpg's output is in memory: encrypt_failed's writer saw nothing */
	const struct writer w = {.fd = -1, .armor = true};
	gpgme_encrypt_flags_t flags = GPGME_ENCRYPT_ALWAYS_TRUST |
				      GPGME_ENCRYPT_NO_ENCRYPT_TO |
				      GPGME_ENCRYPT_NO_COMPRESS;
	struct key_file kf = {0};
	char fpr[AL_FPR_MAX], *rs = NULL, *made = NULL;
	gpgme_key_t *keys = NULL;
	gpgme_key_t skey = NULL;
	gpgme_data_t pd = NULL, cd = NULL;
	gpgme_error_t e;
	size_t n = 0;
	int rc;

	assert(g && out);
	*out = NULL;
	if (outlen)
		*outlen = 0;
	if ((rc = al_gpg_key_block(g, key_block, key_len, true, fpr, err)))
		return rc;
	if (nrecipients &&
	    (rc = recipient_keys(g, recipients, nrecipients, &keys, err)))
		goto out;
	if (signer && (rc = find_key(g, signer, AL_KEY_SIGN, &skey, NULL, err)))
		goto out;
	if ((rc = key_file_write(&kf, key_block, key_len, err)))
		goto out;
	if (!(rs = recipient_string(kf.path, keys))) {
		rc = al_error_set(err, AL_ENOMEM, "out of memory");
		goto out;
	}
	gpgme_signers_clear(g->ctx);
	if (skey && (e = gpgme_signers_add(g->ctx, skey))) {
		rc = al_gpg_fail(err, e, "cannot add the signer");
		goto out;
	}
	e = gpgme_data_new_from_mem(&pd, len ? plain : "", len, 0);
	if (!e)
		e = gpgme_data_new(&cd);
	if (e) {
		rc = al_gpg_fail(err, e, "cannot set up gpgme data");
		goto out;
	}
	al_gpg_set_data_flags(pd, true);
	gpgme_set_armor(g->ctx, 1);
	g->agent_err = 0;
	if (skey)
		e = gpgme_op_encrypt_sign_ext(g->ctx, NULL, rs, flags, pd, cd);
	else
		e = gpgme_op_encrypt_ext(g->ctx, NULL, rs, flags, pd, cd);
	if (e) {
		rc = encrypt_failed(g, e, &w, err);
		goto out;
	}
	if ((rc = check_results(g, skey, err)))
		goto out;
	rc = take_armor(cd, head, &made, &n, err);
	cd = NULL;
	if (rc == 1)
		rc = al_error_set(err, AL_ECRYPTO,
				  "gpg wrote no armored message");
	if (rc)
		goto out;
	*out = made;
	if (outlen)
		*outlen = n;
	made = NULL;
out:
	key_file_remove(&kf);
	gpgme_signers_clear(g->ctx);
	gpgme_set_armor(g->ctx, 0);
	gpgme_data_release(pd);
	gpgme_data_release(cd);
	gpgme_key_unref(skey);
	free_keys(keys);
	free(rs);
	free(made);
	return rc;
}
