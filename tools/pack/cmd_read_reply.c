/* SPDX-License-Identifier: Apache-2.0 */
/*
 * airlock-pack read-reply: decrypt a reply the maintainers sealed with
 * airlock-vault reply, check its signature, its document and the proof it
 * carries, and show it (docs/reply.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "al_decrypt.h"
#include "al_io.h"
#include "al_reply.h"
#include "al_text.h"
#include "cli.h"
#include "pack.h"

static const char usage_text[] =
	"usage: airlock-pack read-reply FILE [--from FPR | --policy KIT "
	"--policy-key FPR] [--json]\n\n"
	"Decrypt a reply the project's maintainers sealed for you with\n"
	"'airlock-vault reply', check it and show it: the report it answers,\n"
	"its state and rating, the maintainers' message, and what the proof "
	"in\n"
	"it says (the position of your report's import in the vault's signed\n"
	"ledger).  The reply must carry exactly one good signature; name the\n"
	"key it must be from, as the project publishes it in its "
	"SECURITY.md:\n\n"
	"  --from FPR          the vault's key: the reply must be signed by "
	"it\n"
	"  --policy KIT        the project's policy kit: the reply must be "
	"signed\n"
	"                      by one of its recipients' keys (or the key "
	"that\n"
	"                      signed the kit)\n"
	"  --policy-key FPR    the fingerprint that must have signed the kit\n"
	"  --json              the reply as JSON on standard output\n\n"
	"Without --from or --policy the signer is not pinned: its fingerprint\n"
	"is shown for you to compare.  Exit 3 when a signature or the proof\n"
	"does not verify, or the signer is not the one named.\n";

/* The largest reply file read: the document's cap, armored and signed. */
#define REPLY_FILE_MAX (4u << 20)

struct opts {
	const char *file, *from, *kit, *pin;
	bool json;
};

/* Who may have signed the reply. */
struct pins {
	char from[AL_FPR_MAX]; /* --from, normalised; "" when none */
	struct al_policy policy;
	char kit_key[AL_FPR_MAX]; /* --policy-key, normalised */
	bool have_policy;
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option opts[] = {
		{"from", required_argument, NULL, 'f'},
		{"policy", required_argument, NULL, 'p'},
		{"policy-key", required_argument, NULL, 'k'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->from = optarg;
			break;
		case 'p':
			o->kit = optarg;
			break;
		case 'k':
			o->pin = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		default:
			fputs(usage_text, stderr);
			return AL_EUSAGE;
		}
	}
	if (argc - optind != 1 || (o->from && o->kit) || (o->pin && !o->kit)) {
		fputs(usage_text, stderr);
		return AL_EUSAGE;
	}
	o->file = argv[optind];
	return 0;
}

/* A full fingerprint given by the user: spaces dropped, uppercase, 40 or
 * 64 hex digits.  AL_EUSAGE otherwise. */
static int norm_fpr(const char *in, char out[AL_FPR_MAX], struct al_error *err)
{
	char shown[96];
	size_t n = 0, len = strnlen(in, 200);

	for (size_t i = 0; i < len; i++) {
		char c = in[i];

		if (c == ' ' || c == '\t')
			continue;
		if (n == AL_FPR_MAX - 1)
			goto bad;
		if (c >= 'a' && c <= 'f')
			c = (char)(c - 'a' + 'A');
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')))
			goto bad;
		out[n++] = c;
	}
	if (n == 40 || n == 64) {
		out[n] = '\0';
		return 0;
	}
bad:
	out[0] = '\0';
	al_text_visible(in, len, shown, sizeof(shown));
	return al_error_set(err, AL_EUSAGE,
			    "--from '%s' is not a full fingerprint", shown);
}

/* ---- decrypting ---- */

struct plain {
	char *buf;
	size_t len;
	struct al_sig sig;
};

static void plain_release(struct plain *p)
{
	if (p->buf)
		al_secure_zero(p->buf, p->len);
	free(p->buf);
	memset(p, 0, sizeof(*p));
}

/* Read the plain text to its end (gpg's verdict needs it), keeping at most
 * cap bytes and counting the rest in *over. */
static int read_plain(int fd, char *buf, size_t cap, size_t *len, bool *over)
{
	char sink[4096];

	*len = 0;
	*over = false;
	for (;;) {
		char *to = *len < cap ? buf + *len : sink;
		size_t room = *len < cap ? cap - *len : sizeof(sink);
		ssize_t n = read(fd, to, room);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		if (to == sink)
			*over = true;
		else
			*len += (size_t)n;
	}
}

/* Words for the decryption's failures that name the reply, not a vault. */
static int decrypt_failed(const char *file, int rc, const struct al_error *e,
			  struct al_error *err)
{
	const char *rcpt = strstr(e->msg, "(recipients:");

	if (rc == AL_EINVAL && rcpt &&
	    !strncmp(e->msg, "not encrypted to this vault's key", 33))
		return al_error_set(err, rc,
				    "reply '%s' is not addressed to you: no "
				    "secret key of yours opens it %s",
				    file, rcpt);
	if (rc == AL_ELIMIT)
		return al_error_set(err, rc,
				    "reply '%s': larger than %u bytes once "
				    "decrypted: not a reply",
				    file, AL_REPLY_MAX);
	return al_error_set(err, rc, "reply '%s': %s", file, e->msg);
}

static int decrypt(struct al_gpg *g, int fd, const char *file, struct plain *p,
		   struct al_error *err)
{
	struct al_decrypt_opts o = {.cap = AL_REPLY_MAX};
	struct al_decrypt *d = NULL;
	struct al_error e = {0};
	bool over = false;
	int pfd = -1, rc, rrc;

	plain_release(p);
	if (lseek(fd, 0, SEEK_SET) < 0)
		return al_error_set(err, AL_EIO, "reply '%s': %s", file,
				    strerror(errno));
	if (!(p->buf = malloc(AL_REPLY_MAX + 1)))
		return al_error_set(err, AL_ENOMEM, "out of memory");
	if ((rc = al_decrypt_start(g, fd, &o, &d, &pfd, &e)))
		return decrypt_failed(file, rc, &e, err);
	rrc = read_plain(pfd, p->buf, AL_REPLY_MAX, &p->len, &over);
	close(pfd);
	if ((rc = al_decrypt_finish(d, &p->sig, &e)))
		return decrypt_failed(file, rc, &e, err);
	if (rrc < 0)
		return al_error_set(err, AL_EIO,
				    "reply '%s': reading the "
				    "plain text failed",
				    file);
	if (over)
		return al_error_set(err, AL_ELIMIT,
				    "reply '%s': larger than %u bytes once "
				    "decrypted: not a reply",
				    file, AL_REPLY_MAX);
	p->buf[p->len] = '\0';
	return 0;
}

/* ---- who signed ---- */

static bool in_policy(const struct pins *k, const char *fpr)
{
	if (!strcmp(k->kit_key, fpr))
		return true;
	for (size_t i = 0; i < k->policy.nrecipients; i++)
		if (!strcmp(k->policy.recipients[i], fpr))
			return true;
	return false;
}

/* Is fpr (a primary fingerprint) a key the user allowed; true without a
 * pin. */
static bool allowed(const struct pins *k, const char *fpr)
{
	if (k->from[0])
		return !strcmp(k->from, fpr);
	if (k->have_policy)
		return in_policy(k, fpr);
	return true;
}

static int wrong_signer(const char *file, const struct pins *k, const char *fpr,
			struct al_error *err)
{
	if (k->from[0])
		return al_error_set(err, AL_EINTEGRITY,
				    "reply '%s': signed by %s, expected %s "
				    "(--from)",
				    file, fpr, k->from);
	return al_error_set(err, AL_EINTEGRITY,
			    "reply '%s': signed by %s, which is not a key of "
			    "the policy kit",
			    file, fpr);
}

/*
 * A good signature by a key we do not have: the vault's key travels in the
 * proof, for a reporter who never imported it.  It is imported (public
 * only, as a kit's keys are) when it is the key the user allowed, and the
 * reply decrypted again to verify the signature with it.
 */
static int learn_signer(struct al_gpg *g, int fd, const char *file,
			const struct pins *k, const struct al_reply *doc,
			struct plain *p, struct al_error *err)
{
	const char *key = NULL;
	char kfpr[AL_FPR_MAX], issuer[AL_FPR_MAX];
	struct al_error e = {0};
	int rc;

	snprintf(issuer, sizeof(issuer), "%s", p->sig.fpr);
	if (doc->proof)
		key = json_string_value(json_object_get(doc->proof, "key"));
	if (!key)
		return al_error_set(err, AL_EINTEGRITY,
				    "reply '%s': signed by %s, a key not in "
				    "your keyring (import the project's keys, "
				    "or give --policy)",
				    file, issuer);
	/* a key is learnt only when the user named it: an unpinned reader
	 * must not have a stranger's key put into the keyring */
	if (!k->from[0] && !k->have_policy)
		return al_error_set(err, AL_EINTEGRITY,
				    "reply '%s': signed by %s, a key not in "
				    "your keyring: give --from FPR (the "
				    "project's fingerprint, from its "
				    "SECURITY.md) to take it from the reply",
				    file, issuer);
	if ((rc = al_gpg_key_block(g, key, strlen(key), false, kfpr, &e)))
		return al_error_set(err, AL_EINTEGRITY,
				    "reply '%s': the key in its proof: %s",
				    file, e.msg);
	if (!allowed(k, kfpr))
		return wrong_signer(file, k, kfpr, err);
	if (strlen(issuer) == strlen(kfpr) && strcmp(issuer, kfpr))
		return al_error_set(err, AL_EINTEGRITY,
				    "reply '%s': signed by %s, but the key in "
				    "its proof is %s",
				    file, issuer, kfpr);
	if ((rc = al_gpg_import_public(g, key, strlen(key), NULL, &e)))
		return al_error_set(err, rc,
				    "reply '%s': importing the key in its "
				    "proof: %s",
				    file, e.msg);
	if ((rc = decrypt(g, fd, file, p, err)))
		return rc;
	if (p->sig.state != AL_SIG_KNOWN)
		return al_error_set(err, AL_EINTEGRITY,
				    "reply '%s': signed by %s, a key not in "
				    "your keyring nor in its proof",
				    file, issuer);
	return 0;
}

/* ---- the proof ---- */

static int check_proof(struct al_gpg *g, const char *file,
		       const struct al_reply *doc, const char *signer,
		       struct al_reply_proof_info *info, struct al_error *err)
{
	char kfpr[AL_FPR_MAX];
	struct al_error e = {0};
	int rc;

	if ((rc = al_reply_proof_check(doc->proof, doc->report, doc->vault,
				       info, &e)))
		return al_error_set(err, rc, "reply '%s': %s", file, e.msg);
	if ((rc = al_gpg_key_block(g, info->key, info->key_len, false, kfpr,
				   &e)))
		return al_error_set(err, AL_EINTEGRITY,
				    "reply '%s': the key in its proof: %s",
				    file, e.msg);
	if (strcmp(kfpr, signer))
		return al_error_set(err, AL_EINTEGRITY,
				    "reply '%s': its proof carries key %s, not "
				    "the signer's %s",
				    file, kfpr, signer);
	/* the checkpoint signed by the key that signed the reply: an old
	 * checkpoint stays good after the key expired */
	if ((rc = al_gpg_verify_detached_ex(
		     g, info->checkpoint, info->checkpoint_len, info->signature,
		     info->signature_len, signer, AL_VERIFY_EXPIRED_OK, NULL,
		     NULL, &e)))
		return al_error_set(err, rc,
				    "reply '%s': the checkpoint of its proof: "
				    "%s",
				    file, e.msg);
	return 0;
}

/* ---- printing ---- */

/* text[0..len) with real newlines and tabs, every other control character,
 * bidi control and invalid byte made visible. */
static void print_text(FILE *f, const char *text, size_t len)
{
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		char *buf;
		size_t n = i - start, room;

		if (i < len && text[i] != '\n' && text[i] != '\t')
			continue;
		/* \u{NNNNN} for a 4-byte character is the most it grows */
		room = n * 10 + 16;
		if ((buf = malloc(room))) {
			fputs(al_text_visible(text + start, n, buf, room), f);
			free(buf);
		}
		if (i < len)
			fputc(text[i], f);
		start = i + 1;
	}
}

static const char *pin_text(const struct pins *k)
{
	if (k->from[0])
		return "the key named by --from";
	if (k->have_policy)
		return "a key of the policy kit";
	return "NOT PINNED: compare this fingerprint with the project's "
	       "SECURITY.md, or give --from FPR";
}

static void print_line(const char *label, const char *value)
{
	printf("%-9s", label);
	al_cli_print_visible(stdout, value);
	putchar('\n');
}

static void print_reply(const struct al_reply *doc, const char *signer,
			const struct pins *k,
			const struct al_reply_proof_info *info)
{
	char at[AL_RFC3339_LEN];

	al_time_format(doc->at, at);
	print_line("report:", doc->report);
	print_line("title:", doc->title);
	print_line("state:", doc->state);
	print_line("rating:", doc->rating[0] ? doc->rating : "not rated yet");
	print_line("sent:", at);
	print_line("vault:", doc->vault);
	printf("%-9s%s (%s)\n", "signed:", signer, pin_text(k));
	if (doc->proof)
		printf("%-9syour report was recorded as event %llu of the "
		       "vault's ledger (at %s), covered by the checkpoint of "
		       "size %llu signed by %s\n",
		       "proof:", (unsigned long long)info->index, info->at,
		       (unsigned long long)info->size, signer);
	else
		printf("%-9snone: no signed checkpoint covered your report's "
		       "import yet when the reply was sealed\n",
		       "proof:");
	putchar('\n');
	print_text(stdout, doc->message, doc->message_len);
	if (doc->message_len && doc->message[doc->message_len - 1] != '\n')
		putchar('\n');
}

static int print_json(const struct al_reply *doc, const char *file,
		      const char *signer, const struct pins *k,
		      const struct al_reply_proof_info *info)
{
	char at[AL_RFC3339_LEN];
	json_t *o, *proof = NULL;
	int rc;

	al_time_format(doc->at, at);
	if (doc->proof)
		proof = json_pack("{s:I, s:I, s:s, s:s, s:s}", "index",
				  (json_int_t)info->index, "size",
				  (json_int_t)info->size, "at", info->at,
				  "origin", info->origin, "signer", signer);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:s, "
		      "s:s?, s:s%, s:o}",
		      "file", file, "report", doc->report, "title", doc->title,
		      "state", doc->state, "rating",
		      doc->rating[0] ? doc->rating : NULL, "at", at, "vault",
		      doc->vault, "from", doc->from, "signer", signer, "pinned",
		      k->from[0]       ? "from"
		      : k->have_policy ? "policy"
				       : NULL,
		      "message", doc->message, doc->message_len, "proof",
		      proof ? proof : json_null());
	if (!o)
		return AL_ENOMEM;
	rc = pack_print_json(o);
	json_decref(o);
	return rc;
}

/* ---- the command ---- */

/*
 * The reply's bytes, read once into an anonymous memory file: the file
 * may be decrypted twice (learn_signer), and both passes must see the same
 * bytes whatever happens to the file meanwhile.  A FIFO, a device or a
 * symlink is refused without blocking (al_read_file).
 */
static int open_reply(const char *file, int *fd, struct al_error *err)
{
	struct al_error e = {0};
	char *buf = NULL;
	size_t len = 0;
	int rc;

	*fd = -1;
	if ((rc = al_read_file(file, REPLY_FILE_MAX, &buf, &len, &e)))
		return al_error_set(err, rc == AL_ELIMIT ? AL_EINVAL : rc,
				    "reply '%s': %s", file,
				    rc == AL_ENOTFOUND ? "no such file"
				    : rc == AL_ELIMIT || rc == AL_EINVAL
					    ? "not a regular file of at most "
					      "1 MiB"
					    : e.msg);
	*fd = memfd_create("airlock-reply", MFD_CLOEXEC);
	if (*fd < 0)
		rc = al_error_set(err, AL_EIO, "reply '%s': %s", file,
				  strerror(errno));
	else if ((rc = al_write_all(*fd, buf, len, file, err))) {
		close(*fd);
		*fd = -1;
	}
	free(buf);
	return rc;
}

static int read_reply(struct al_gpg *g, const struct opts *o,
		      const struct pins *k, struct al_error *err)
{
	struct plain p = {0};
	struct al_reply doc = {0};
	struct al_reply_proof_info info = {0};
	char signer[AL_FPR_MAX];
	int fd = -1, rc;

	if ((rc = open_reply(o->file, &fd, err)) ||
	    (rc = decrypt(g, fd, o->file, &p, err)))
		goto out;
	if (p.sig.state == AL_SIG_NONE) {
		rc = al_error_set(err, AL_EINTEGRITY,
				  "reply '%s' is not signed; a reply from a "
				  "vault always is",
				  o->file);
		goto out;
	}
	if ((rc = al_reply_parse(p.buf, p.len, &doc, err))) {
		char msg[sizeof(err->msg)];

		/* "reply 'FILE': rule", not "reply 'FILE': reply: rule" */
		snprintf(msg, sizeof(msg), "%s",
			 strncmp(err->msg, "reply: ", 7) ? err->msg
							 : err->msg + 7);
		al_error_set(err, rc, "reply '%s': %s", o->file, msg);
		goto out;
	}
	if (p.sig.state == AL_SIG_UNKNOWN) {
		if ((rc = learn_signer(g, fd, o->file, k, &doc, &p, err)))
			goto out;
		/* what is shown is what was verified: the document again,
		 * from the pass whose signature checked */
		al_reply_release(&doc);
		memset(&doc, 0, sizeof(doc));
		if ((rc = al_reply_parse(p.buf, p.len, &doc, err)))
			goto out;
	}
	snprintf(signer, sizeof(signer), "%s", p.sig.fpr);
	if (!allowed(k, signer)) {
		rc = wrong_signer(o->file, k, signer, err);
		goto out;
	}
	if (strcmp(doc.from, signer)) {
		rc = al_error_set(err, AL_EINTEGRITY,
				  "reply '%s': it says it is from %s but is "
				  "signed by %s",
				  o->file, doc.from, signer);
		goto out;
	}
	if (doc.proof &&
	    (rc = check_proof(g, o->file, &doc, signer, &info, err)))
		goto out;
	if (!k->from[0] && !k->have_policy)
		pack_say("airlock-pack: the signer is not pinned: the reply is "
			 "signed by %s; check that this is the project's key "
			 "(its SECURITY.md), or give --from FPR",
			 signer);
	if (o->json)
		rc = print_json(&doc, o->file, signer, k, &info);
	else
		print_reply(&doc, signer, k, &info);
	if (rc)
		rc = al_error_set(err, rc, "cannot print the reply");
out:
	if (fd >= 0)
		close(fd);
	al_reply_release(&doc);
	plain_release(&p);
	return rc;
}

int cmd_read_reply(int argc, char **argv)
{
	struct opts o;
	struct pins k = {0};
	struct al_error err = {0};
	struct al_gpg *g = NULL;
	int rc;

	if ((rc = parse_opts(argc, argv, &o)))
		return rc < 0 ? rc : 0;
	if (o.from && (rc = norm_fpr(o.from, k.from, &err)))
		goto out;
	if ((rc = al_gpg_new(&g, &err)))
		goto out;
	if (o.kit) {
		if ((rc = pack_kit_load(g, o.kit, o.pin, &k.policy, &err)))
			goto out;
		k.have_policy = true;
		/* pack_kit_load checked it is one */
		norm_fpr(o.pin, k.kit_key, NULL);
	}
	rc = read_reply(g, &o, &k, &err);
out:
	if (rc)
		pack_fail(&err);
	if (k.have_policy)
		al_policy_release(&k.policy);
	al_gpg_free(g);
	return rc;
}
