/* SPDX-License-Identifier: Apache-2.0 */
/*
 * airlock-pack seal DIR: the draft, checked, as a deterministic tar
 * (manifest.json first, then every file in byte order of name) streamed
 * straight into gpg's encryption, written atomically.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "al_archive.h"
#include "al_io.h"
#include "al_manifest.h"
#include "al_time.h"
#include "pack.h"

/* --to options; with the kit's, gpg takes at most 64 in all */
#define SEAL_MAX_RECIPIENTS 64

static const char usage_text[] =
	"usage: airlock-pack seal DIR (--policy KIT --policy-key FPR | --to "
	"FPR...)\n"
	"                         [--sign FPR] [-o OUT] [--armor] [--force] "
	"[--json]\n\n"
	"Check the draft DIR (as 'check' does) and, only if it has no "
	"problem,\n"
	"seal it into one bundle: a tar archive (manifest.json first, then "
	"the\n"
	"attachments and reply key) encrypted to every recipient, signed when\n"
	"--sign is given.  The bundle appears whole or not at all.\n\n"
	"  --policy KIT        the project's policy kit: its recipients, "
	"checks\n"
	"  --policy-key FPR    the fingerprint that must have signed the kit\n"
	"  --to FPR            a recipient's full fingerprint (repeatable; "
	"adds to\n"
	"                      the kit's recipients)\n"
	"  --sign FPR          sign with your key (a policy may require it)\n"
	"  -o, --output OUT    the bundle's path (default: ID.airlock.gpg, or\n"
	"                      ID.airlock.asc with --armor); - for standard\n"
	"                      output\n"
	"  --armor             ASCII-armored output\n"
	"  --force             replace OUT if it exists\n"
	"  --json              print the result as JSON on stdout\n\n"
	"SOURCE_DATE_EPOCH, when set, is the report's 'created' time: the "
	"same\n"
	"draft sealed twice then gives the same inner archive, byte for byte.\n"
	"\nExit status: 0 sealed, 1 refused or failed, 2 usage, 3 the kit's\n"
	"signature is bad or not by FPR.\n";

struct seal_ctx {
	const struct pack_draft *pd;
	const char *manifest;
	size_t manifest_len;
	int64_t created;
	struct al_sha256 *content; /* SHA-256 of the inner tar */
	al_sink_fn sink;
	void *sink_ctx;
};

/* The tar's bytes: hashed on the way to gpg. */
static int hash_sink(void *ctx, const void *buf, size_t len,
		     struct al_error *err)
{
	struct seal_ctx *s = ctx;

	al_sha256_update(s->content, buf, len);
	return s->sink(s->sink_ctx, buf, len, err);
}

static int add_file(struct al_tar_writer *w, const struct pack_file *f,
		    struct al_error *err)
{
	struct al_sha256 *h = NULL;
	char hex[AL_SHA256_HEX];
	struct stat st;
	int fd, rc;

	fd = open(f->src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return al_error_set(err, AL_EIO, "%s: %s", f->path,
				    strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size != f->size) {
		close(fd);
		return al_error_set(err, AL_EIO,
				    "%s: changed while sealing; run seal again",
				    f->path);
	}
	if ((rc = al_sha256_new(&h, err)) < 0) {
		close(fd);
		return rc;
	}
	rc = al_tar_writer_add_fd(w, f->path, fd, f->size, h, err);
	close(fd);
	if (rc == 0) {
		al_sha256_final(h, hex, NULL);
		if (strcmp(hex, f->sha256) != 0)
			rc = al_error_set(err, AL_EIO,
					  "%s: changed while sealing; run seal "
					  "again",
					  f->path);
	}
	al_sha256_free(h);
	return rc;
}

/* Runs on gpg's producer thread. */
static int produce(void *ctx, al_sink_fn sink, void *sink_ctx,
		   struct al_error *err)
{
	struct seal_ctx *s = ctx;
	struct al_tar_writer *w = NULL;
	int rc;

	s->sink = sink;
	s->sink_ctx = sink_ctx;
	if ((rc = al_tar_writer_new(&w, hash_sink, s, s->created, err)) < 0)
		return rc;
	rc = al_tar_writer_add_mem(w, "manifest.json", s->manifest,
				   s->manifest_len, err);
	for (size_t i = 0; rc == 0 && i < s->pd->nfiles; i++)
		rc = add_file(w, &s->pd->files[i], err);
	if (rc == 0)
		rc = al_tar_writer_finish(w, err);
	al_tar_writer_free(w);
	return rc;
}

static int hash_path(const char *path, char hex[AL_SHA256_HEX], uint64_t *size,
		     struct al_error *err)
{
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return al_error_set(err, AL_EIO, "'%s': %s", path,
				    strerror(errno));
	rc = al_sha256_fd(fd, hex, size, path, err);
	close(fd);
	return rc;
}

struct seal_opts;
static int write_file(struct al_gpg *g, const char *const *rcpt, size_t nr,
		      const struct seal_opts *o, struct seal_ctx *s,
		      const char *out, char bundle_hex[AL_SHA256_HEX],
		      uint64_t *bundle_size, struct al_error *err);

struct seal_opts {
	const char *dir, *kit, *pin, *signer, *out;
	const char *to[SEAL_MAX_RECIPIENTS];
	size_t nto;
	int armor, force, json;
};

static int parse_opts(int argc, char **argv, struct seal_opts *o)
{
	static const struct option opts[] = {
		{"policy", required_argument, NULL, 'p'},
		{"policy-key", required_argument, NULL, 'k'},
		{"to", required_argument, NULL, 't'},
		{"sign", required_argument, NULL, 's'},
		{"output", required_argument, NULL, 'o'},
		{"armor", no_argument, NULL, 'a'},
		{"force", no_argument, NULL, 'f'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->kit = optarg;
			break;
		case 'k':
			o->pin = optarg;
			break;
		case 't':
			if (o->nto == SEAL_MAX_RECIPIENTS) {
				fprintf(stderr,
					"airlock-pack: at most %d "
					"recipients\n",
					SEAL_MAX_RECIPIENTS);
				return AL_EUSAGE;
			}
			o->to[o->nto++] = optarg;
			break;
		case 's':
			o->signer = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'a':
			o->armor = 1;
			break;
		case 'f':
			o->force = 1;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		default:
			fputs(usage_text, stderr);
			return AL_EUSAGE;
		}
	}
	if (argc - optind != 1 || (!o->kit && !o->nto) || (o->pin && !o->kit)) {
		fputs(usage_text, stderr);
		return AL_EUSAGE;
	}
	o->dir = argv[optind];
	if (o->out && strcmp(o->out, "-") == 0) {
		if (o->json) {
			fprintf(stderr, "airlock-pack: -o - and --json both "
					"want standard output\n");
			return AL_EUSAGE;
		}
		if (!o->armor && isatty(STDOUT_FILENO)) {
			fprintf(stderr, "airlock-pack: refusing to write a "
					"binary bundle to a terminal; redirect "
					"it or use --armor\n");
			return AL_EUSAGE;
		}
	}
	return 0;
}

static json_t *result_json(const struct seal_opts *o, const char *out,
			   const char *id, const char *const *rcpt, size_t nr,
			   const char *signer, const char *bundle_hex,
			   uint64_t bundle_size, const char *content_hex,
			   size_t nfiles)
{
	json_t *r = json_array();

	for (size_t i = 0; r && i < nr; i++)
		json_array_append_new(r, json_string(rcpt[i]));
	(void)o;
	return json_pack("{s:s, s:s, s:I, s:s, s:s, s:I, s:o, s:s?}", "bundle",
			 out, "report", id, "bundle_bytes",
			 (json_int_t)bundle_size, "bundle_sha256", bundle_hex,
			 "content_sha256", content_hex, "files",
			 (json_int_t)nfiles, "recipients", r, "signed_by",
			 signer);
}

/*
 * Write the bundle to the file out: whole or not at all.  Its SHA-256 is
 * taken from the temporary file before it gets its name, so the hash
 * printed is of the bytes published.
 */
static int write_file(struct al_gpg *g, const char *const *rcpt, size_t nr,
		      const struct seal_opts *o, struct seal_ctx *s,
		      const char *out, char bundle_hex[AL_SHA256_HEX],
		      uint64_t *bundle_size, struct al_error *err)
{
	struct al_atomic a = {.fd = -1};
	struct stat st;
	int rc;

	/* lstat: a dangling symlink exists too (and --force replaces the
	 * link, never what it points to) */
	if (!o->force && lstat(out, &st) == 0)
		return al_error_set(err, AL_EEXIST,
				    "'%s' already exists (use --force to "
				    "replace it)",
				    out);
	if ((rc = al_atomic_open(&a, out, err)) < 0)
		return rc;
	pack_tmp_set(a.tmp);
	rc = al_gpg_encrypt(g, rcpt, nr, o->signer, o->armor, produce, s, a.fd,
			    err);
	if (rc == 0)
		rc = hash_path(a.tmp, bundle_hex, bundle_size, err);
	if (rc < 0) {
		al_atomic_abort(&a);
		pack_tmp_set(NULL);
		return rc;
	}
	rc = al_atomic_commit(&a, o->force, err);
	pack_tmp_set(NULL);
	if (rc == AL_EEXIST)
		rc = al_error_set(err, AL_EEXIST,
				  "'%s' already exists (use --force to replace "
				  "it)",
				  out);
	return rc;
}

int cmd_seal(int argc, char **argv)
{
	struct seal_opts o;
	struct al_policy policy = {0};
	struct pack_draft pd = {0};
	struct al_error err = {0};
	struct al_gpg *g = NULL;
	struct seal_ctx s = {0};
	const char *rcpt[AL_POLICY_MAX_RECIPIENTS + SEAL_MAX_RECIPIENTS];
	char *manifest = NULL, outbuf[4096], signer[AL_FPR_MAX] = "";
	char content_hex[AL_SHA256_HEX], bundle_hex[AL_SHA256_HEX] = "";
	const char *out, *id;
	size_t nr = 0, mlen = 0, n;
	uint64_t bundle_size = 0;
	int rc, have_policy = 0, found = 0;
	int64_t created;

	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc > 0 ? 0 : rc;
	if ((rc = al_time_now(&created, &err)) < 0 ||
	    (rc = al_gpg_new(&g, &err)) < 0)
		goto out;
	if (o.kit) {
		if ((rc = pack_kit_load(g, o.kit, o.pin, &policy, &err)) < 0)
			goto out;
		have_policy = 1;
		for (size_t i = 0; i < policy.nrecipients; i++)
			rcpt[nr++] = policy.recipients[i];
		if (policy.require_signature && !o.signer) {
			rc = al_error_set(&err, AL_EINVAL,
					  "the policy of '%s' requires a "
					  "signed report; give --sign FPR",
					  policy.project);
			goto out;
		}
	}
	for (size_t i = 0; i < o.nto; i++)
		rcpt[nr++] = o.to[i];
	if (nr > AL_POLICY_MAX_RECIPIENTS) {
		rc = al_error_set(&err, AL_EUSAGE,
				  "%zu recipients, more than the %d a bundle "
				  "can be encrypted to",
				  nr, AL_POLICY_MAX_RECIPIENTS);
		goto out;
	}

	/* check: every problem, and nothing written when there is one */
	rc = pack_draft_load(o.dir, have_policy ? &policy : NULL, &pd, &err);
	if (rc < 0)
		goto out;
	if (pd.manifest && !pack_draft_problems(&pd) &&
	    (rc = pack_manifest_finish(&pd, have_policy ? &policy : NULL,
				       created, &err)) < 0)
		goto out;
	if ((n = pack_draft_problems(&pd))) {
		pack_draft_print(&pd);
		pack_say("%s: %zu problem%s; nothing was sealed", o.dir, n,
			 n == 1 ? "" : "s");
		rc = AL_EINVAL;
		found = 1;
		goto out;
	}
	if ((rc = al_manifest_dump(pd.manifest, &manifest, &mlen, &err)) < 0)
		goto out;
	id = json_string_value(json_object_get(pd.manifest, "id"));

	/* keys: every recipient and the signer, before any file appears */
	for (size_t i = 0; i < nr; i++)
		if ((rc = al_gpg_check_key(g, rcpt[i], AL_KEY_ENCRYPT, NULL,
					   &err)) < 0)
			goto out;
	if (o.signer &&
	    (rc = al_gpg_check_key(g, o.signer, AL_KEY_SIGN, signer, &err)) < 0)
		goto out;

	out = o.out;
	if (!out) {
		snprintf(outbuf, sizeof(outbuf), "%s.airlock.%s", id,
			 o.armor ? "asc" : "gpg");
		out = outbuf;
	}
	if ((rc = al_sha256_new(&s.content, &err)) < 0)
		goto out;
	s.pd = &pd;
	s.manifest = manifest;
	s.manifest_len = mlen;
	s.created = created;
	if (strcmp(out, "-") == 0)
		rc = al_gpg_encrypt(g, rcpt, nr, o.signer, o.armor, produce, &s,
				    STDOUT_FILENO, &err);
	else
		rc = write_file(g, rcpt, nr, &o, &s, out, bundle_hex,
				&bundle_size, &err);
	if (rc < 0)
		goto out;
	al_sha256_final(s.content, content_hex, NULL);

	if (strcmp(out, "-") == 0)
		pack_say("sealed report %s to standard output (%zu file%s, %s)",
			 id, pd.nfiles, pd.nfiles == 1 ? "" : "s",
			 o.signer ? "signed" : "not signed");
	else
		pack_say("sealed report %s into '%s' (%zu file%s, %llu bytes, "
			 "%s)",
			 id, out, pd.nfiles, pd.nfiles == 1 ? "" : "s",
			 (unsigned long long)bundle_size,
			 o.signer ? "signed" : "not signed");
	if (bundle_hex[0])
		pack_say("bundle sha256 %s", bundle_hex);
	if (o.json) {
		json_t *doc = result_json(&o, out, id, rcpt, nr,
					  o.signer ? signer : NULL, bundle_hex,
					  bundle_size, content_hex, pd.nfiles);
		if (!doc) {
			rc = al_error_set(&err, AL_ENOMEM, "out of memory");
			goto out;
		}
		pack_print_json(doc);
		json_decref(doc);
	}
out:
	if (rc < 0 && !found)
		pack_fail(&err);
	al_sha256_free(s.content);
	if (manifest) {
		al_secure_zero(manifest, mlen);
		free(manifest);
	}
	pack_draft_release(&pd);
	if (have_policy)
		al_policy_release(&policy);
	al_gpg_free(g);
	return rc;
}
