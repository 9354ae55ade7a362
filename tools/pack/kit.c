/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Policy kits: policy.json, its detached signature policy.json.asc and the
 * recipients' keys keys.asc, published by the maintainers beside their
 * SECURITY.md and pinned by the signing key's fingerprint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "al_io.h"
#include "al_time.h"
#include "pack.h"

#define KIT_POLICY_MAX (1024u * 1024u)
#define KIT_SIG_MAX    (64u * 1024u)
#define KIT_KEYS_MAX   (4u * 1024u * 1024u)

/* The kit's folder: KIT itself, or the folder of KIT/policy.json. */
static int kit_dir(const char *kit, char *out, size_t outsz,
		   struct al_error *err)
{
	struct stat st;
	const char *slash;

	if (stat(kit, &st) < 0)
		return al_error_set(err, AL_ENOTFOUND,
				    "policy kit '%s': no such file or folder",
				    kit);
	if (S_ISDIR(st.st_mode)) {
		snprintf(out, outsz, "%s", kit);
		return 0;
	}
	slash = strrchr(kit, '/');
	if (!slash)
		snprintf(out, outsz, ".");
	else
		snprintf(out, outsz, "%.*s", (int)(slash - kit), kit);
	if (strcmp(slash ? slash + 1 : kit, "policy.json") != 0)
		return al_error_set(err, AL_EINVAL,
				    "policy kit '%s': give the kit's folder or "
				    "its policy.json",
				    kit);
	return 0;
}

static int read_part(const char *dir, const char *name, size_t cap, char **buf,
		     size_t *len, struct al_error *err)
{
	char path[4096];
	struct al_error e;
	int rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return al_error_set(err, AL_EINVAL,
				    "policy kit: path too long");
	rc = al_read_file(path, cap, buf, len, &e);
	if (rc < 0)
		return al_error_set(err, rc, "policy kit: %s", e.msg);
	return 0;
}

int pack_kit_load(struct al_gpg *g, const char *kit, const char *pin,
		  struct al_policy *out, struct al_error *err)
{
	char dir[4096], signer[AL_FPR_MAX], when[AL_RFC3339_LEN];
	char *policy = NULL, *sig = NULL, *keys = NULL;
	size_t plen = 0, slen = 0, klen = 0, nkeys = 0;
	int64_t now, sig_time = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!pin)
		return al_error_set(err, AL_EUSAGE,
				    "policy kit '%s': give --policy-key FPR, "
				    "the fingerprint the project publishes in "
				    "its SECURITY.md, to pin the kit",
				    kit);
	if ((rc = kit_dir(kit, dir, sizeof(dir), err)) < 0)
		return rc;
	if ((rc = read_part(dir, "policy.json", KIT_POLICY_MAX, &policy, &plen,
			    err)) < 0 ||
	    (rc = read_part(dir, "policy.json.asc", KIT_SIG_MAX, &sig, &slen,
			    err)) < 0 ||
	    (rc = read_part(dir, "keys.asc", KIT_KEYS_MAX, &keys, &klen, err)) <
		    0)
		goto out;
	/* The kit's keys go into the keyring as "gpg --import keys.asc"
	 * would: public keys only; the pin below decides what is trusted. */
	if ((rc = al_gpg_import_public(g, keys, klen, &nkeys, err)) < 0)
		goto out;
	rc = al_gpg_verify_detached(g, policy, plen, sig, slen, pin, signer,
				    &sig_time, err);
	if (rc < 0) {
		char msg[sizeof(err->msg)];
		snprintf(msg, sizeof(msg), "%s", err->msg);
		rc = al_error_set(err, rc, "policy kit '%s': %s", kit, msg);
		goto out;
	}
	if ((rc = al_policy_parse(policy, plen, out, err)) < 0) {
		char msg[sizeof(err->msg)];
		snprintf(msg, sizeof(msg), "%s", err->msg);
		rc = al_error_set(err, rc, "policy kit '%s': %s", kit, msg);
		goto out;
	}
	now = (int64_t)time(NULL); /* real time: not SOURCE_DATE_EPOCH */
	/* a signature from the future would stretch "a year after signing"
	 * without bound; allow a day of clock skew */
	if (sig_time > now + 86400) {
		al_time_format(sig_time, when);
		rc = al_error_set(err, AL_EINVAL,
				  "policy kit '%s': signed on %s, in the "
				  "future; check this machine's clock or ask "
				  "the project for a kit signed today",
				  kit, when);
		al_policy_release(out);
		goto out;
	}
	if (out->expires && out->expires < now) {
		al_time_format(out->expires, when);
		rc = al_error_set(err, AL_EINVAL,
				  "policy kit '%s': expired on %s; ask the "
				  "project for its current kit",
				  kit, when);
		al_policy_release(out);
		goto out;
	}
	/* No expires: the policy lasts a year from its signature. */
	if (!out->expires && sig_time + 365 * 86400 < now) {
		al_time_format(sig_time + 365 * 86400, when);
		rc = al_error_set(err, AL_EINVAL,
				  "policy kit '%s': expired on %s (a year "
				  "after it was signed); ask the project for "
				  "its current kit",
				  kit, when);
		al_policy_release(out);
		goto out;
	}
out:
	free(policy);
	free(sig);
	free(keys);
	return rc;
}
