/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy export: the policy kit the maintainers publish beside their
 * SECURITY.md (docs/exports.md "Policy kit").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "al_exports.h"
#include "al_time.h"
#include "cli.h"
#include "vault.h"

static const char policy_usage[] =
	"usage: airlock-vault [--vault DIR] policy export -o KIT\n\n"
	"Write the policy kit to publish beside SECURITY.md into a new folder\n"
	"KIT: policy.json (the vault's policy, byte for byte), "
	"policy.json.asc\n"
	"(its signature by the vault's key) and keys.asc (the recipients'\n"
	"public keys).  Researchers give it to airlock-pack with --policy KIT\n"
	"--policy-key FPR, FPR being the fingerprint this command prints:\n"
	"print it in SECURITY.md.  The export is recorded in the ledger.\n\n"
	"  -o, --output KIT   the new folder (it must not exist)\n"
	"  --no-checkpoint    do not sign a checkpoint at the end\n";

struct policy_opts {
	const char *dir;
	bool skip;
};

static int policy_opt(int c, void *ctx)
{
	struct policy_opts *o = ctx;

	if (c == 'o')
		o->dir = optarg;
	else if (c == 'N')
		o->skip = true;
	else
		return 1;
	return 0;
}

static void print_kit(const struct al_vault *v, const char *dir,
		      const struct al_kit_result *r)
{
	char when[AL_RFC3339_LEN];

	printf("policy kit written to ");
	vault_print_visible(stdout, dir);
	printf(": policy.json (project ");
	vault_print_visible(stdout,
			    v->policy.project ? v->policy.project : "?");
	printf("), policy.json.asc, keys.asc (%zu recipient%s%s)\n",
	       r->recipients, r->recipients == 1 ? "" : "s",
	       r->signer_added ? " and the vault's key" : "");
	if (r->expires) {
		al_time_format(r->expires, when);
		printf("the policy expires on %s\n", when);
	} else {
		printf("policy.json has no 'expires': airlock-pack accepts "
		       "the kit for a year from its signature\n");
	}
	printf("publish it beside SECURITY.md, with the fingerprint that "
	       "pins it:\n\n  %s\n\nresearchers check and seal against it "
	       "with:\n  airlock-pack seal DRAFT --policy KIT --policy-key "
	       "%s\n",
	       r->signer, r->signer);
}

int cmd_policy(int argc, char **argv)
{
	static const struct option extra[] = {
		{"output", required_argument, NULL, 'o'},
		NO_CHECKPOINT_OPTION,
	};
	struct policy_opts o = {0};
	struct al_kit_result r;
	struct al_error err = {0};
	struct al_vault *v = NULL;
	int rc;

	if ((rc = vault_parse(argc, argv, policy_usage, extra, 2, policy_opt,
			      &o)))
		return rc < 0 ? rc : 0;
	if (argc - optind != 1 || strcmp(argv[optind], "export") || !o.dir)
		return vault_usage_error(policy_usage);
	if ((rc = vault_open_rw(&v)))
		return rc;
	if ((rc = al_vault_policy_export(v, o.dir, &r, &err))) {
		vault_fail(&err);
	} else {
		if (r.signer_added)
			vault_say("airlock-vault: warning: the vault's key %s "
				  "is not one of the policy's recipients: "
				  "bundles sealed with this kit cannot be "
				  "imported into this vault (keys.asc carries "
				  "the key so that the signature can be "
				  "checked)",
				  r.signer);
		print_kit(v, o.dir, &r);
		if (fflush(stdout))
			rc = AL_EIO;
	}
	rc = vault_end(v, o.skip, rc);
	al_vault_close(v);
	return rc;
}
