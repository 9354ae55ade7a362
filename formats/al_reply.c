/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The reply document (docs/reply.md): what airlock-vault reply seals for a
 * reporter and airlock-pack read-reply reads back, and the check of the
 * inclusion proof it carries.  Canonical JSON both ways, so that the bytes
 * the vault signed have one spelling: whatever parses formats back to the
 * same bytes.
 */
#include "al_reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "al_base64.h"
#include "al_io.h"
#include "al_jcs.h"
#include "al_json.h"
#include "al_merkle.h"
#include "al_text.h"
#include "al_uuid.h"

/* JSON nesting: the reply, its proof, the proof's path */
#define REPLY_DEPTH 4
/* an event: its object and data, with room for what a kind adds */
#define EVENT_DEPTH 16
/* untrusted text quoted in a message */
#define SHOW_MAX 48
/* integers JSON carries exactly (RFC 8785, I-JSON) */
#define INT_MAX53 9007199254740991LL

static const char *const reply_keys[] = {
	"airlock_reply", "at",     "from",  "message", "proof",
	"rating",        "report", "state", "title",   "vault",
};
#define NREPLY_KEYS (sizeof(reply_keys) / sizeof(reply_keys[0]))

static const char *const proof_keys[] = {
	"airlock_proof", "checkpoint", "event",  "index",
	"key",           "path",       "report", "signature",
};
#define NPROOF_KEYS (sizeof(proof_keys) / sizeof(proof_keys[0]))

/* A report's states (docs/triage.md). */
static const char *const states[] = {
	"new",          "acknowledged", "triaged",        "needs-info",
	"fixing",       "fixed",        "disclosed",      "duplicate",
	"out-of-scope", "informative",  "not-applicable", "not-reproducible",
	"spam",         "withdrawn",
};

static const char *const ratings[] = {"critical", "high", "medium", "low"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* "PREFIX: rule" with code; prefix is "reply" or "proof". */
static int refuse(struct al_error *err, int code, const char *prefix,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int refuse(struct al_error *err, int code, const char *prefix,
		  const char *fmt, ...)
{
	char rule[224];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rule, sizeof(rule), fmt, ap);
	va_end(ap);
	return al_error_set(err, code, "%s: %s", prefix, rule);
}

static bool in_list(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], s))
			return true;
	return false;
}

/* s[0..len) is a JSON string's value without a NUL inside. */
static bool whole(const json_t *v)
{
	return json_string_length(v) == strlen(json_string_value(v));
}

/* ---- the fields ---- */

int al_reply_check_message(const char *text, size_t len, struct al_error *err)
{
	const unsigned char *s = (const unsigned char *)text;

	if (!text || len == 0)
		return al_error_set(err, AL_EINVAL, "message: empty");
	if (len > AL_REPLY_MESSAGE_MAX)
		return al_error_set(err, AL_EINVAL,
				    "message: %zu bytes; at most %u", len,
				    AL_REPLY_MESSAGE_MAX);
	if (!al_utf8_valid(text, len))
		return al_error_set(err, AL_EINVAL,
				    "message: not valid UTF-8 text");
	for (size_t i = 0; i < len; i++) {
		bool c1 = s[i] == 0xc2 && i + 1 < len && s[i + 1] >= 0x80 &&
			  s[i + 1] <= 0x9f;

		if ((s[i] < 0x20 && s[i] != '\n' && s[i] != '\t') ||
		    s[i] == 0x7f || c1)
			return al_error_set(err, AL_EINVAL,
					    "message: a control character at "
					    "byte %zu (only newlines and tabs)",
					    i + 1);
	}
	return 0;
}

static bool is_fpr(const char *s)
{
	size_t n = strlen(s);

	if (n != 40 && n != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'F')))
			return false;
	return true;
}

/* The rules of every field but the proof, on the struct. */
static int check_fields(const struct al_reply *r, struct al_error *err)
{
	size_t len;
	int rc;

	if (!al_uuid_valid_v4(r->report))
		return refuse(err, AL_EINVAL, "reply",
			      "'report' must be a lowercase UUID v4");
	len = r->title ? strlen(r->title) : 0;
	if (!len || !al_utf8_valid(r->title, len) ||
	    al_text_has_control(r->title, len) ||
	    al_utf8_length(r->title, len) > AL_REPLY_TITLE_MAX)
		return refuse(err, AL_EINVAL, "reply",
			      "'title' must be one line of 1 to %d "
			      "characters without control characters",
			      AL_REPLY_TITLE_MAX);
	if (!in_list(states, COUNT(states), r->state))
		return refuse(err, AL_EINVAL, "reply",
			      "'state' is not a report's state");
	if (r->rating[0] && !in_list(ratings, COUNT(ratings), r->rating))
		return refuse(err, AL_EINVAL, "reply",
			      "'rating' must be critical, high, medium, low "
			      "or null");
	if (r->at < 0 || r->at > 253402300799LL) /* 9999-12-31T23:59:59Z */
		return refuse(err, AL_EINVAL, "reply", "'at' is out of range");
	len = strlen(r->vault);
	if (!len || len > AL_CHECKPOINT_ORIGIN_MAX - 1 ||
	    !al_utf8_valid(r->vault, len) || al_text_has_control(r->vault, len))
		return refuse(err, AL_EINVAL, "reply",
			      "'vault' must be a vault's origin name (1 to "
			      "255 bytes, no control characters)");
	if (!is_fpr(r->from))
		return refuse(err, AL_EINVAL, "reply",
			      "'from' must be a full fingerprint in "
			      "uppercase hex");
	if ((rc = al_reply_check_message(r->message, r->message_len, err))) {
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err ? err->msg : "");
		return refuse(err, rc, "reply", "%s", msg);
	}
	return 0;
}

/* ---- the proof's shape ---- */

struct shape {
	uint64_t index;
	const char *event;
	size_t event_len;
	uint8_t path[AL_MERKLE_MAX_PATH][AL_MERKLE_HASH];
	size_t path_len;
	struct al_checkpoint cp;
};

/* A string member within [1, max] bytes starting with head (or any when
 * head is NULL); NULL otherwise. */
static const json_t *text_member(const json_t *o, const char *key, size_t max,
				 const char *head)
{
	const json_t *v = json_object_get(o, key);
	size_t len;

	if (!json_is_string(v) || !whole(v))
		return NULL;
	len = json_string_length(v);
	if (!len || len > max ||
	    (head && (len < strlen(head) ||
		      memcmp(json_string_value(v), head, strlen(head)))))
		return NULL;
	return v;
}

/*
 * The proof object as al_vault_proof writes it: exactly its keys, each of
 * its type and within its limits, the path's hashes decoded, the
 * checkpoint's text parsed.  code: AL_EINVAL for a reply that is
 * malformed, AL_EINTEGRITY for a proof that does not hold.
 */
static int proof_shape(const json_t *p, const char *report, int code,
		       struct shape *s, struct al_error *err)
{
	const json_t *v, *h;
	const char *key;
	char show[SHOW_MAX + 16];
	struct al_error e;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (!json_is_object(p))
		return refuse(err, code, "proof", "not a JSON object");
	json_object_foreach((json_t *)p, key, v)
	{
		if (!in_list(proof_keys, NPROOF_KEYS, key))
			return refuse(err, code, "proof", "unknown key '%s'",
				      al_text_visible(key, strlen(key), show,
						      sizeof(show)));
	}
	for (i = 0; i < NPROOF_KEYS; i++)
		if (!json_object_get(p, proof_keys[i]))
			return refuse(err, code, "proof", "'%s' is missing",
				      proof_keys[i]);
	v = json_object_get(p, "airlock_proof");
	if (!json_is_integer(v) || json_integer_value(v) != 1)
		return refuse(err, code, "proof",
			      "'airlock_proof' must be 1 (this is version 1)");
	v = json_object_get(p, "report");
	if (!json_is_string(v) || strcmp(json_string_value(v), report))
		return refuse(err, code, "proof",
			      "'report' is not the reply's report");
	v = json_object_get(p, "index");
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > INT_MAX53)
		return refuse(err, code, "proof",
			      "'index' must be an integer from 0 to 2^53-1");
	s->index = (uint64_t)json_integer_value(v);
	if (!(v = text_member(p, "event", AL_REPLY_EVENT_MAX, "{")))
		return refuse(err, code, "proof",
			      "'event' must be an event's JSON text of at "
			      "most %u bytes",
			      AL_REPLY_EVENT_MAX);
	s->event = json_string_value(v);
	s->event_len = json_string_length(v);
	v = json_object_get(p, "path");
	if (!json_is_array(v) || json_array_size(v) > AL_MERKLE_MAX_PATH)
		return refuse(err, code, "proof",
			      "'path' must be an array of at most %d hashes",
			      AL_MERKLE_MAX_PATH);
	json_array_foreach(v, i, h)
	{
		size_t n = 0;

		if (!json_is_string(h) ||
		    al_base64_decode(json_string_value(h),
				     json_string_length(h), s->path[i],
				     AL_MERKLE_HASH, &n, &e) ||
		    n != AL_MERKLE_HASH)
			return refuse(err, code, "proof",
				      "'path' item %zu is not a SHA-256 hash "
				      "in base64",
				      i);
	}
	s->path_len = json_array_size(v);
	if (!(v = text_member(p, "checkpoint", AL_CHECKPOINT_TEXT_MAX - 1,
			      NULL)) ||
	    al_checkpoint_parse(json_string_value(v), json_string_length(v),
				&s->cp, &e))
		return refuse(err, code, "proof",
			      "'checkpoint' is not a checkpoint's text");
	if (!text_member(p, "signature", AL_REPLY_SIGNATURE_MAX,
			 "-----BEGIN PGP SIGNATURE-----"))
		return refuse(err, code, "proof",
			      "'signature' must be an ASCII-armored OpenPGP "
			      "signature of at most %u bytes",
			      AL_REPLY_SIGNATURE_MAX);
	if (!text_member(p, "key", AL_REPLY_KEY_MAX,
			 "-----BEGIN PGP PUBLIC KEY BLOCK-----"))
		return refuse(err, code, "proof",
			      "'key' must be an ASCII-armored OpenPGP public "
			      "key of at most %u bytes",
			      AL_REPLY_KEY_MAX);
	return 0;
}

/* ---- format ---- */

int al_reply_format(const struct al_reply *r, char **out, size_t *len,
		    struct al_error *err)
{
	struct shape s;
	char at[AL_RFC3339_LEN];
	json_t *o = NULL;
	int rc;

	*out = NULL;
	*len = 0;
	if ((rc = check_fields(r, err)))
		return rc;
	if (r->proof &&
	    (rc = proof_shape(r->proof, r->report, AL_EINVAL, &s, err)))
		return rc;
	al_time_format(r->at, at);
	o = json_pack("{s:i, s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:s%, s:O?}",
		      "airlock_reply", 1, "report", r->report, "title",
		      r->title, "state", r->state, "rating",
		      r->rating[0] ? r->rating : NULL, "at", at, "vault",
		      r->vault, "from", r->from, "message", r->message,
		      r->message_len, "proof", r->proof);
	if (!o)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	rc = al_jcs_dump(o, out, len, err);
	json_decref(o);
	if (!rc && *len > AL_REPLY_MAX) {
		free(*out);
		*out = NULL;
		rc = al_error_set(err, AL_ELIMIT,
				  "reply: %zu bytes; at most %u", *len,
				  AL_REPLY_MAX);
		*len = 0;
	}
	return rc;
}

/* ---- parse ---- */

void al_reply_release(struct al_reply *r)
{
	if (!r)
		return;
	free((char *)r->title);
	if (r->message)
		al_secure_zero((char *)r->message, r->message_len);
	free((char *)r->message);
	json_decref(r->proof);
	memset(r, 0, sizeof(*r));
}

/* The string member key copied into out (room for outsz, max bytes
 * allowed) ; AL_EINVAL "reply: 'key' must be ..." otherwise. */
static int copy_string(const json_t *o, const char *key, char *out,
		       size_t outsz, const char *what, struct al_error *err)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_string(v) || !whole(v) || json_string_length(v) >= outsz)
		return refuse(err, AL_EINVAL, "reply", "'%s' must be %s", key,
			      what);
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int read_fields(const json_t *o, struct al_reply *r,
		       struct al_error *err)
{
	const json_t *v;
	char at[AL_RFC3339_LEN], canon[AL_RFC3339_LEN] = "";
	int rc;

	v = json_object_get(o, "airlock_reply");
	if (!json_is_integer(v) || json_integer_value(v) != 1)
		return refuse(err, AL_EINVAL, "reply",
			      "'airlock_reply' must be 1 (this is version 1)");
	if ((rc = copy_string(o, "report", r->report, sizeof(r->report),
			      "a lowercase UUID v4", err)) ||
	    (rc = copy_string(o, "state", r->state, sizeof(r->state),
			      "a report's state", err)) ||
	    (rc = copy_string(o, "at", at, sizeof(at),
			      "an RFC 3339 UTC time like "
			      "2026-11-22T10:00:00Z",
			      err)) ||
	    (rc = copy_string(o, "vault", r->vault, sizeof(r->vault),
			      "a vault's origin name (1 to 255 bytes, no "
			      "control characters)",
			      err)) ||
	    (rc = copy_string(o, "from", r->from, sizeof(r->from),
			      "a full fingerprint in uppercase hex", err)))
		return rc;
	v = json_object_get(o, "rating");
	if (!json_is_null(v) &&
	    copy_string(o, "rating", r->rating, sizeof(r->rating), "", NULL))
		return refuse(err, AL_EINVAL, "reply",
			      "'rating' must be critical, high, medium, low "
			      "or null");
	if (!al_time_parse(at, &r->at, NULL))
		al_time_format(r->at, canon);
	if (al_time_parse(at, &r->at, NULL) || strcmp(canon, at))
		return refuse(err, AL_EINVAL, "reply",
			      "'at' must be an RFC 3339 UTC time like "
			      "2026-11-22T10:00:00Z");
	v = json_object_get(o, "title");
	if (!json_is_string(v) || !whole(v))
		return refuse(err, AL_EINVAL, "reply",
			      "'title' must be a string");
	if (!(r->title = strdup(json_string_value(v))))
		return al_error_set(err, AL_ENOMEM, "out of memory");
	v = json_object_get(o, "message");
	if (!json_is_string(v) || !whole(v))
		return refuse(err, AL_EINVAL, "reply",
			      "'message' must be a string");
	r->message_len = json_string_length(v);
	if (!(r->message = malloc(r->message_len + 1)))
		return al_error_set(err, AL_ENOMEM, "out of memory");
	memcpy((char *)r->message, json_string_value(v), r->message_len + 1);
	return check_fields(r, err);
}

int al_reply_parse(const char *buf, size_t len, struct al_reply *out,
		   struct al_error *err)
{
	const json_t *v;
	const char *key;
	char show[SHOW_MAX + 16], *canon = NULL;
	size_t clen = 0;
	struct shape s;
	json_t *o = NULL;
	int rc;

	al_reply_release(out);
	if (len > AL_REPLY_MAX)
		return al_error_set(err, AL_ELIMIT,
				    "reply: %zu bytes; at most %u", len,
				    AL_REPLY_MAX);
	if ((rc = al_json_decode_object(buf, len, AL_REPLY_MAX, REPLY_DEPTH,
					"reply", &o, err)))
		return rc;
	/* one spelling: the bytes are their own canonical form */
	if (al_jcs_dump(o, &canon, &clen, NULL) || clen != len ||
	    memcmp(canon, buf, len)) {
		rc = refuse(err, AL_EINVAL, "reply",
			    "not in canonical JSON form (RFC 8785: keys "
			    "sorted, no white space, integers only)");
		goto out;
	}
	json_object_foreach(o, key, v)
	{
		if (!in_list(reply_keys, NREPLY_KEYS, key)) {
			rc = refuse(err, AL_EINVAL, "reply", "unknown key '%s'",
				    al_text_visible(key, strlen(key), show,
						    sizeof(show)));
			goto out;
		}
	}
	for (size_t i = 0; i < NREPLY_KEYS; i++)
		if (!json_object_get(o, reply_keys[i])) {
			rc = refuse(err, AL_EINVAL, "reply", "'%s' is missing",
				    reply_keys[i]);
			goto out;
		}
	if ((rc = read_fields(o, out, err)))
		goto out;
	v = json_object_get(o, "proof");
	if (!json_is_null(v)) {
		if ((rc = proof_shape(v, out->report, AL_EINVAL, &s, err))) {
			char msg[sizeof(err->msg)];

			snprintf(msg, sizeof(msg), "%s", err ? err->msg : "");
			rc = refuse(err, rc, "reply", "%s", msg);
			goto out;
		}
		out->proof = json_incref((json_t *)v);
	}
out:
	free(canon);
	json_decref(o);
	if (rc)
		al_reply_release(out);
	return rc;
}

/* ---- the proof ---- */

/* The event's bytes: canonical JSON of an "import" event of report whose
 * seq is index; its time goes to at. */
static int check_event(const struct shape *s, const char *report,
		       char at[AL_RFC3339_LEN], struct al_error *err)
{
	char *canon = NULL;
	size_t clen = 0;
	json_t *ev = NULL;
	const json_t *v;
	int64_t t;
	int rc = 0;

	if (al_json_decode_object(s->event, s->event_len, AL_REPLY_EVENT_MAX,
				  EVENT_DEPTH, "event", &ev, NULL))
		return refuse(err, AL_EINTEGRITY, "proof",
			      "its event is not a JSON object");
	if (al_jcs_dump(ev, &canon, &clen, NULL) || clen != s->event_len ||
	    memcmp(canon, s->event, clen)) {
		rc = refuse(err, AL_EINTEGRITY, "proof",
			    "its event is not in canonical JSON form (the "
			    "bytes the ledger hashes)");
		goto out;
	}
	v = json_object_get(ev, "kind");
	if (!json_is_string(v) || strcmp(json_string_value(v), "import")) {
		rc = refuse(err, AL_EINTEGRITY, "proof",
			    "its event is not an import");
		goto out;
	}
	v = json_object_get(ev, "report");
	if (!json_is_string(v) || strcmp(json_string_value(v), report)) {
		rc = refuse(err, AL_EINTEGRITY, "proof",
			    "its event is the import of another report");
		goto out;
	}
	v = json_object_get(ev, "seq");
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) != s->index) {
		rc = refuse(err, AL_EINTEGRITY, "proof",
			    "its event's seq is not its index %llu",
			    (unsigned long long)s->index);
		goto out;
	}
	v = json_object_get(ev, "at");
	if (!json_is_string(v) ||
	    al_time_parse(json_string_value(v), &t, NULL)) {
		rc = refuse(err, AL_EINTEGRITY, "proof",
			    "its event has no valid time");
		goto out;
	}
	al_time_format(t, at);
out:
	free(canon);
	json_decref(ev);
	return rc;
}

int al_reply_proof_check(const json_t *proof, const char *report,
			 const char *origin, struct al_reply_proof_info *out,
			 struct al_error *err)
{
	uint8_t leaf[AL_MERKLE_HASH];
	struct shape shape, *s = &shape;
	struct al_error e;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = proof_shape(proof, report, AL_EINTEGRITY, s, err)) ||
	    (rc = check_event(s, report, out->at, err)))
		goto out;
	if (origin && strcmp(s->cp.origin, origin)) {
		rc = refuse(err, AL_EINTEGRITY, "proof",
			    "its checkpoint is another vault's");
		goto out;
	}
	al_merkle_leaf(s->event, s->event_len, leaf);
	if (al_merkle_verify_inclusion(
		    s->index, s->cp.size, leaf,
		    (const uint8_t(*)[AL_MERKLE_HASH])s->path, s->path_len,
		    s->cp.root, &e)) {
		rc = refuse(err, AL_EINTEGRITY, "proof",
			    "event %llu is not in the checkpoint of size "
			    "%llu (%s)",
			    (unsigned long long)s->index,
			    (unsigned long long)s->cp.size, e.msg);
		goto out;
	}
	out->index = s->index;
	out->size = s->cp.size;
	memcpy(out->origin, s->cp.origin, sizeof(out->origin));
	out->checkpoint =
		json_string_value(json_object_get(proof, "checkpoint"));
	out->checkpoint_len = strlen(out->checkpoint);
	out->signature = json_string_value(json_object_get(proof, "signature"));
	out->signature_len = strlen(out->signature);
	out->key = json_string_value(json_object_get(proof, "key"));
	out->key_len = strlen(out->key);
out:
	if (rc)
		memset(out, 0, sizeof(*out));
	return rc;
}
