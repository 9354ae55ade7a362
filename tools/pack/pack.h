/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_PACK_H
#define AL_PACK_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "al_draft.h"
#include "al_error.h"
#include "al_gpg.h"
#include "al_hash.h"
#include "al_policy.h"
#include "al_problems.h"

/* Subcommands: each parses its own options and returns an AL_E* code
 * (main maps it to the exit status) after printing its own messages. */
int cmd_new(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_seal(int argc, char **argv);
int cmd_read_reply(int argc, char **argv);

/* One file that goes into the bundle. */
struct pack_file {
	char *path; /* name in the archive: attachments/..., keys/reply.asc */
	char *src;  /* path on disk */
	uint64_t size;
	char sha256[AL_SHA256_HEX];
};

/* A draft folder, read and checked. */
struct pack_draft {
	char *dir;
	struct al_draft *draft;
	json_t *manifest; /* NULL when report.md has problems */
	struct pack_file *files;
	size_t nfiles;
	uint64_t total_bytes;
	struct al_problems report; /* report.md problems, with lines */
	struct al_problems other;  /* "attachments/x: ..." problems */
};

/*
 * Read and check the draft folder dir (docs/draft.md): report.md,
 * attachments/ (regular files only, hashed), reply.asc; against policy when
 * it is not NULL.  Problems go to pd->report / pd->other; the return value
 * is 0 when the draft was read (problems or not), or an AL_E* code when it
 * could not be (dir missing, out of memory) with err set.
 */
int pack_draft_load(const char *dir, const struct al_policy *policy,
		    struct pack_draft *pd, struct al_error *err);
void pack_draft_release(struct pack_draft *pd);
size_t pack_draft_problems(const struct pack_draft *pd);

/*
 * Complete the manifest of a draft that loaded without problems: airlock,
 * created, tool and policy_sha256; then check the whole manifest against
 * the bundle spec (problems go to pd->other).  AL_ENOMEM.
 */
int pack_manifest_finish(struct pack_draft *pd, const struct al_policy *policy,
			 int64_t created, struct al_error *err);

/* Print every problem of pd on stderr, one a line ("report.md:LINE: ..."),
 * untrusted text made visible. */
void pack_draft_print(const struct pack_draft *pd);

/* The problems as a JSON array of {file, line, message}. */
json_t *pack_draft_problems_json(const struct pack_draft *pd);

/*
 * Load a policy kit (a folder with policy.json, policy.json.asc, keys.asc;
 * or the path of its policy.json): import the kit's public keys, verify the
 * signature against the pinned fingerprint pin, parse the policy and refuse
 * it when expired.  AL_EUSAGE without pin, AL_EINTEGRITY on a bad or wrong
 * signature, AL_EINVAL on a bad or expired policy.
 */
int pack_kit_load(struct al_gpg *g, const char *kit, const char *pin,
		  struct al_policy *out, struct al_error *err);

/*
 * Unlink a half-written temporary file if the program is interrupted
 * (SIGINT, SIGTERM, SIGHUP) while it exists: pack_signals_init once in
 * main; pack_tmp_set(path) after creating it, pack_tmp_set(NULL) once it
 * is committed or removed.
 */
void pack_signals_init(void);
void pack_tmp_set(const char *path);

/* Print "airlock-pack: MESSAGE" on stderr, the message made visible. */
void pack_fail(const struct al_error *err);

/* Print to stderr unless --quiet; for messages and progress. */
void pack_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print a JSON document on stdout. */
int pack_print_json(json_t *doc);

#endif
