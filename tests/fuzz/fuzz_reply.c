/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for reply documents (formats/al_reply.h): a document
 * that parses must format back to the same bytes (one spelling), and its
 * proof, when it has one, must either check or be refused as an integrity
 * failure; what is refused must say why.  The input is also read as a
 * proof object alone (the file airlock-vault proof writes) and given to
 * the proof checker.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "al_json.h"
#include "al_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void refused_says_why(int rc, const struct al_error *err,
			     const char *prefix)
{
	if (rc == 0 || err->code != rc ||
	    strncmp(err->msg, prefix, strlen(prefix)) != 0)
		abort();
}

/* The proof checker on p: 0 with its parts filled, or an integrity
 * failure "proof: ...". */
static void check_proof(const json_t *p, const char *report, const char *origin)
{
	struct al_reply_proof_info info;
	struct al_error err = {0};
	int rc = al_reply_proof_check(p, report, origin, &info, &err);

	if (rc == AL_ENOMEM)
		return;
	if (rc) {
		if (rc != AL_EINTEGRITY || info.checkpoint)
			abort();
		refused_says_why(rc, &err, "proof: ");
		return;
	}
	if (!info.checkpoint || !info.signature || !info.key ||
	    strlen(info.checkpoint) != info.checkpoint_len ||
	    info.index >= info.size || (origin && strcmp(info.origin, origin)))
		abort();
}

static void reply(const uint8_t *data, size_t size)
{
	struct al_error err = {0};
	struct al_reply r = {0};
	char *out = NULL;
	size_t len = 0;
	int rc;

	rc = al_reply_parse((const char *)data, size, &r, &err);
	if (rc) {
		if (rc != AL_EINVAL && rc != AL_ELIMIT && rc != AL_ENOMEM)
			abort();
		if (rc != AL_ENOMEM)
			refused_says_why(rc, &err, "reply: ");
		if (r.title || r.message || r.proof)
			abort();
		return;
	}
	if (al_reply_format(&r, &out, &len, &err) != 0 || len != size ||
	    memcmp(out, data, size) != 0)
		abort();
	free(out);
	if (r.proof)
		check_proof(r.proof, r.report, r.vault);
	al_reply_release(&r);
}

static void proof_alone(const uint8_t *data, size_t size)
{
	struct al_error err = {0};
	const char *report;
	json_t *o = NULL;

	if (al_json_decode_object((const char *)data, size, AL_REPLY_MAX, 8,
				  "proof", &o, &err))
		return;
	report = json_string_value(json_object_get(o, "report"));
	check_proof(o, report ? report : "", NULL);
	json_decref(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	reply(data, size);
	proof_alone(data, size);
	return 0;
}
