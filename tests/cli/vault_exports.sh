#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# What the maintainers publish (docs/exports.md): the policy kit (checked
# by airlock-pack in a researcher's own keyring, and by gpg alone), OSV
# advisories (every one validated against the vendored OSV 1.7 schema,
# tests/data/osv/schema.json, with Python's jsonschema), Markdown drafts,
# credits and the reports table; every refusal changes nothing.
. "$(dirname "$0")/vault_lib.sh"

HERE="$(cd "$(dirname "$0")" && pwd)"
SRC=${AL_SOURCE_ROOT:-$(cd "$HERE/../.." && pwd)}
SCHEMA="$SRC/tests/data/osv/schema.json"

M=$(gen_key maintainer) || { echo "Bail out! cannot generate keys"; exit 1; }
M2=$(gen_key second-maintainer)
RH="$WORK/researcher"
extra_home "$RH"
R=$(GNUPGHOME="$RH" gen_key researcher)
SH="$WORK/stranger"
extra_home "$SH"
S=$(GNUPGHOME="$SH" gen_key stranger)
check "test keys were generated (two maintainers; a researcher and a stranger in keyrings of their own)" \
    test -n "$M" -a -n "$M2" -a -n "$R" -a -n "$S"

# av VAULT ARGS...: airlock-vault on VAULT (run: $WORK/out, $WORK/err, RC).
av() { local v=$1; shift; run "$VAULT_BIN" --vault "$v" "$@"; }
nevents() { ledger "$1" "SELECT count(*) FROM events"; }
one_line_err() { [ "$(wc -l <"$WORK/err")" -eq 1 ]; }
# jcheck FILE EXPR: json_check with an expression that may span lines.
jcheck() { "$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$1" "$2"; }
last_export() { ledger "$1" "SELECT coalesce(report, '-'), data FROM events WHERE kind = 'export' ORDER BY seq DESC LIMIT 1"; }

# vstate VAULT: a digest of every row of every ledger table and of the
# store: "nothing changed" is the same digest.
cat >"$WORK/vstate.py" <<'PY'
import hashlib, os, sqlite3, sys
vault = sys.argv[1]
db = sqlite3.connect("file:%s?mode=ro" % os.path.join(vault, "ledger.sqlite"),
                     uri=True)
h = hashlib.sha256()
for t, in db.execute("SELECT name FROM sqlite_schema WHERE type = 'table' "
                     "ORDER BY name").fetchall():
    for row in db.execute('SELECT * FROM "%s" ORDER BY 1' % t):
        h.update(repr((t, row)).encode())
for root, dirs, names in sorted(os.walk(os.path.join(vault, "store"))):
    for n in sorted(dirs + names):
        p = os.path.join(root, n)
        h.update(p.encode())
        if os.path.isfile(p):
            h.update(open(p, "rb").read())
print(h.hexdigest())
PY
vstate() { "$PY" "$WORK/vstate.py" "$1"; }

# refused_cmd NAME VAULT RC WANT... -- CMD...: CMD exits RC (not by a
# signal), says every WANT on stderr in one line, prints nothing on
# stdout, the vault is as it was (every table, the store: the events
# count with them) and its audit still passes.
refused_cmd() {
    local name=$1 v=$2 want_rc=$3 why="" w before n
    shift 3
    local wants=()
    while [ "$1" != -- ]; do wants+=("$1"); shift; done
    shift
    before=$(vstate "$v")
    n=$(nevents "$v")
    run "$@"
    expect_exit "$want_rc" || why="$why exit $RC, want $want_rc;"
    for w in "${wants[@]}"; do err_has "$w" || why="$why stderr lacks '$w';"; done
    one_line_err || why="$why $(wc -l <"$WORK/err") lines on stderr, want 1;"
    [ -s "$WORK/out" ] && why="$why stdout not empty;"
    no_raw_controls "$WORK/err" || why="$why raw control characters on stderr;"
    [ "$(vstate "$v")" = "$before" ] || why="$why the vault changed;"
    [ "$(nevents "$v")" = "$n" ] || why="$why events $n -> $(nevents "$v");"
    "$VAULT_BIN" --vault "$v" audit >/dev/null 2>&1 || why="$why audit fails;"
    if [ -z "$why" ]; then ok "$name"; else not_ok "$name:$why"; fi
    [ -z "${AL_VERBOSE:-}" ] || sed 's/^/#   said: /' "$WORK/err"
}

# osv_valid FILE: FILE is an OSV advisory the vendored schema accepts
# (formats checked too); prints the errors otherwise.  osv_errors FILE:
# the paths of the schema's complaints, one a line.
cat >"$WORK/osv.py" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[2]))
V = jsonschema.Draft202012Validator
doc = json.load(open(sys.argv[3]))
errs = sorted(V(schema, format_checker=V.FORMAT_CHECKER).iter_errors(doc),
              key=lambda e: list(e.path))
if sys.argv[1] == "valid":
    for e in errs:
        print("# schema: %s: %s" % ("/".join(map(str, e.path)), e.message[:200]))
    sys.exit(1 if errs else 0)
for e in errs:
    print("/".join(map(str, e.path)))
PY
osv_valid() { "$PY" "$WORK/osv.py" valid "$SCHEMA" "$1"; }
osv_errors() { "$PY" "$WORK/osv.py" errors "$SCHEMA" "$1"; }
check "the vendored OSV schema is a valid JSON Schema (2020-12)" \
    "$PY" -c 'import json, sys, jsonschema; jsonschema.Draft202012Validator.check_schema(json.load(open(sys.argv[1])))' "$SCHEMA"

# A year from now, RFC 3339.
NEXT_YEAR=$("$PY" -c 'import datetime; print((datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%SZ"))')

# ---- 1. the policy kit -------------------------------------------------------
NP="$WORK/nopolicy"
"$VAULT_BIN" init --vault "$NP" --key "$M" >/dev/null 2>&1
refused_cmd "policy export from a vault without policy.json: exit 1, 'init --policy FILE'" "$NP" 1 \
    "airlock-vault: this vault has no policy.json" "'airlock-vault init --policy FILE'" -- \
    "$VAULT_BIN" --vault "$NP" policy export -o "$WORK/kit-np"
check "...no kit folder, no temporary folder" \
    sh -c "[ ! -e '$WORK/kit-np' ] && ! ls -A '$WORK' | grep -q airlock-kit"

EX="$WORK/expired"
vault_init "$EX" "$M" '{"expires": "2020-01-01T00:00:00Z"}'
refused_cmd "policy export of an expired policy: exit 1, 'expired on 2020-01-01T00:00:00Z'" "$EX" 1 \
    "airlock-vault: the vault's policy.json expired on 2020-01-01T00:00:00Z" "nothing exported" -- \
    "$VAULT_BIN" --vault "$EX" policy export -o "$WORK/kit-ex"
check "...no kit folder" test ! -e "$WORK/kit-ex"

MR="$WORK/missing-recipient"
vault_init "$MR" "$M" "{\"recipients\": [\"$M\", \"$S\"], \"expires\": \"$NEXT_YEAR\"}"
refused_cmd "policy export with a recipient not in the keyring: exit 1, naming its fingerprint" "$MR" 1 \
    "airlock-vault: policy.json names recipient $S, which is not in the keyring" -- \
    "$VAULT_BIN" --vault "$MR" policy export -o "$WORK/kit-mr"
check "...no kit folder" test ! -e "$WORK/kit-mr"

G="$WORK/good"
vault_init "$G" "$M" "{\"recipients\": [\"$M\", \"$M2\"], \"expires\": \"$NEXT_YEAR\"}"
KIT="$WORK/kit"
n=$(nevents "$G")
av "$G" policy export -o "$KIT"
check "policy export: exit 0, the kit's three files, the fingerprint to publish on a line of its own" \
    sh -c "[ $RC -eq 0 ] && [ \"\$(ls '$KIT' | tr '\n' ' ')\" = 'keys.asc policy.json policy.json.asc ' ] &&
        grep -qx '  $M' '$WORK/out' && grep -qF -- '--policy-key $M' '$WORK/out' && [ ! -s '$WORK/err' ]"
check "...policy.json is the vault's, byte for byte" cmp -s "$KIT/policy.json" "$G/policy.json"
POLICY_SHA=$(sha256sum "$G/policy.json" | cut -c1-64)
check "...events: an export {what: policy, policy: SHA-256 of policy.json}, then its checkpoint" \
    test "$(($(nevents "$G") - n))/$(last_export "$G")/$(ledger "$G" "SELECT kind FROM events ORDER BY seq DESC LIMIT 1")" = \
    "2/-	{\"policy\":\"$POLICY_SHA\",\"what\":\"policy\"}/checkpoint"
av "$G" audit
check "...audit passes" test "$RC" = 0

# gpg alone, in an empty keyring, as a researcher without Airlock would
AUD="$WORK/auditor"
extra_home "$AUD"
GNUPGHOME="$AUD" gpg --batch --import "$KIT/keys.asc" >/dev/null 2>&1
check "keys.asc holds exactly the two recipients' public keys, no secret key" \
    test "$(GNUPGHOME="$AUD" gpg --batch --with-colons --list-keys 2>/dev/null | awk -F: '/^pub/ {getline; print $10}' | sort | tr '\n' ' ')/$(GNUPGHOME="$AUD" gpg --batch --list-secret-keys 2>/dev/null | wc -l)" = \
    "$(printf '%s\n' "$M" "$M2" | sort | tr '\n' ' ')/0"
check "policy.json.asc is a good signature by the vault's key (gpg --verify)" \
    sh -c "GNUPGHOME='$AUD' gpg --batch --status-fd 1 --verify '$KIT/policy.json.asc' '$KIT/policy.json' 2>/dev/null | grep -q '^\[GNUPG:\] VALIDSIG $M '"

refused_cmd "policy export into an existing folder: exit 1, 'exists', the kit untouched" "$G" 1 \
    "airlock-vault: '$KIT' exists; the kit goes into a new folder" -- \
    "$VAULT_BIN" --vault "$G" policy export -o "$KIT"
before=$(vstate "$G")
av "$G" policy export
check "policy export without -o: exit 2, the usage on stderr, nothing changed" \
    sh -c "[ $RC -eq 2 ] && grep -qF 'usage: airlock-vault [--vault DIR] policy export -o KIT' '$WORK/err' &&
        [ ! -s '$WORK/out' ] && [ '$(vstate "$G")' = '$before' ]"

# The researcher's side, in a keyring of their own.
D="$WORK/draft"
make_draft "$D"
RC=0
GNUPGHOME="$RH" "$PACK" check "$D" --policy "$KIT" --policy-key "$M" >"$WORK/out" 2>"$WORK/err" || RC=$?
check "airlock-pack check --policy KIT --policy-key FPR in the researcher's keyring: exit 0" \
    sh -c "[ $RC -eq 0 ] && grep -q 'within the policy' '$WORK/err'"
RC=0
GNUPGHOME="$RH" "$PACK" seal "$D" --policy "$KIT" --policy-key "$M" --sign "$R" -o "$WORK/sealed.gpg" \
    >"$WORK/out" 2>"$WORK/err" || RC=$?
check "airlock-pack seal with the kit: exit 0, a bundle" sh -c "[ $RC -eq 0 ] && [ -s '$WORK/sealed.gpg' ]"
av "$G" import "$WORK/sealed.gpg"
check "...the vault imports it (encrypted to the kit's recipients)" \
    sh -c "[ $RC -eq 0 ] && grep -q ': imported 3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60 ' '$WORK/out'"
check "...the bundle is encrypted to both recipients" \
    sh -c "[ \$(gpg --batch --list-packets --pinentry-mode cancel '$WORK/sealed.gpg' 2>&1 | grep -c '^:pubkey enc packet') -eq 2 ]"

cp -r "$KIT" "$WORK/kit-changed"
sed -i 's/"chatwoot"/"chatwoot2"/' "$WORK/kit-changed/policy.json"
RC=0
GNUPGHOME="$RH" "$PACK" check "$D" --policy "$WORK/kit-changed" --policy-key "$M" >"$WORK/out" 2>"$WORK/err" || RC=$?
check "a kit whose policy.json was changed: airlock-pack refuses it (exit 3, the signature is bad)" \
    sh -c "[ $RC -eq 3 ] && grep -qF \"policy kit '$WORK/kit-changed': signature is bad\" '$WORK/err'"
RC=0
GNUPGHOME="$RH" "$PACK" check "$D" --policy "$KIT" --policy-key "$M2" >"$WORK/out" 2>"$WORK/err" || RC=$?
check "the kit pinned to another fingerprint: airlock-pack refuses it (exit 3, 'signed by $M')" \
    sh -c "[ $RC -eq 3 ] && grep -qF \"policy kit '$KIT': signed by $M, expected $M2\" '$WORK/err'"

NR="$WORK/notrecipient"
vault_init "$NR" "$M" "{\"recipients\": [\"$M2\"]}"
av "$NR" policy export -o "$WORK/kit-nr"
check "a vault whose key is not a recipient: exported with a warning; keys.asc has the recipient and the signer" \
    sh -c "[ $RC -eq 0 ] && grep -qF \"airlock-vault: warning: the vault's key $M is not one of the policy's recipients\" '$WORK/err' &&
        grep -q \"no 'expires'\" '$WORK/out' &&
        [ \$(GNUPGHOME='$AUD' gpg --batch --with-colons --show-keys '$WORK/kit-nr/keys.asc' 2>/dev/null | grep -c '^pub') -eq 2 ]"

# ---- 2. reports to export ---------------------------------------------------------
# Bundles made from manifests written here (Python tarfile), encrypted by
# plain gpg (mkbundle.py --from-tar).
cat >"$WORK/mkman.py" <<'PY'
import io, json, sys, tarfile
out, extra = sys.argv[1], json.loads(sys.argv[2])
m = {
    "airlock": 1, "created": "2026-11-22T10:00:00Z", "project": "chatwoot",
    "class": "xss", "cwe": ["CWE-79"],
    "severity": {"cvss_v3": "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N"},
    "affected": [{"package": {"ecosystem": "npm", "name": "chatwoot"},
                  "ranges": [{"type": "SEMVER",
                              "events": [{"introduced": "4.0.0"}]}]}],
    "description": "A note is rendered without escaping.",
    "steps": "1. STEP-SECRET paste the payload",
    "impact": "Session theft.",
    "files": [], "tool": "vault_exports.sh",
}
m.update(extra)
data = (json.dumps(m, indent=2, ensure_ascii=False) + "\n").encode()
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
    ti = tarfile.TarInfo("manifest.json")
    ti.size, ti.mode, ti.mtime = len(data), 0o644, 1795341600
    t.addfile(ti, io.BytesIO(data))
open(out, "wb").write(buf.getvalue())
PY
# bundle NAME JSON: $WORK/NAME.gpg for the vault's key.
bundle() {
    "$PY" "$WORK/mkman.py" "$WORK/$1.tar" "$2" &&
        mkb good "$WORK/$1.gpg" --to "$M" --from-tar "$WORK/$1.tar"
}
ID_A=a1a1a1a1-1111-4111-8111-111111111111
ID_B=b2b2b2b2-2222-4222-9222-222222222222
ID_C=c3c3c3c3-3333-4333-a333-333333333333
ID_D=d4d4d4d4-4444-4444-b444-444444444444
DESC_A=$(printf 'Stored XSS.\n\n````\n<img src=x onerror=alert(1)>\n````\nbidi \u202e here')
bundle a "$("$PY" -c 'import json, sys; print(json.dumps({"id": sys.argv[1], "title": "Alpha: <img src=x onerror=alert(1)> in notes", "description": sys.argv[2], "reporter": {"name": "Jane Doe", "contact": "jane@example.net", "credit": "public"}, "affected": [{"package": {"ecosystem": "npm", "name": "chatwoot"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "4.0.0"}]}]}, {"package": {"ecosystem": "PyPI", "name": "chatwoot-sdk"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"last_affected": "1.5"}]}]}]}))' "$ID_A" "$DESC_A")"
bundle b "{\"id\": \"$ID_B\", \"title\": \"Bravo: SQL injection in search\", \"class\": \"sqli\", \"reporter\": {\"name\": \"Secret Person\", \"contact\": \"secret@example.net\", \"credit\": \"anonymous\"}}"
bundle c "{\"id\": \"$ID_C\", \"title\": \"=HYPERLINK(\\\"http://evil.example\\\",\\\"click\\\")\", \"reporter\": {\"name\": \"Bob, the \\\"Builder\\\"\", \"credit\": \"public\"}}"
bundle d "{\"id\": \"$ID_D\", \"title\": \"Delta: buy cheap watches\", \"reporter\": {\"name\": \"Spammer\", \"credit\": \"public\"}}"
av "$G" import "$WORK/a.gpg" "$WORK/b.gpg" "$WORK/c.gpg" "$WORK/d.gpg"
check "four reports imported (public credit, anonymous, a formula for a title, spam)" \
    sh -c "[ $RC -eq 0 ] && [ \$(grep -c ': imported ' '$WORK/out') -eq 4 ]"

# Triage with the lead's commands (airlock-vault ack/triage/status).
V4="CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
triaged=0
{
    "$VAULT_BIN" --vault "$G" ack "$ID_A" && "$VAULT_BIN" --vault "$G" triage "$ID_A" --cvss "$V4" &&
        "$VAULT_BIN" --vault "$G" status "$ID_A" fixing &&
        "$VAULT_BIN" --vault "$G" status "$ID_A" fixed --version 4.2.1 &&
        "$VAULT_BIN" --vault "$G" status "$ID_A" disclosed &&
        "$VAULT_BIN" --vault "$G" ack "$ID_B" && "$VAULT_BIN" --vault "$G" triage "$ID_B" --rating high &&
        "$VAULT_BIN" --vault "$G" status "$ID_B" fixing &&
        "$VAULT_BIN" --vault "$G" status "$ID_B" fixed --version 4.3.0 &&
        "$VAULT_BIN" --vault "$G" ack "$ID_C" &&
        "$VAULT_BIN" --vault "$G" status "$ID_D" spam
} >"$WORK/triage.log" 2>&1 || triaged=$?
check "triage: A disclosed (CVSS v4.0, fixed in 4.2.1), B fixed (high), C acknowledged, D spam" \
    test "$triaged/$(ledger "$G" "SELECT group_concat(state, ',') FROM (SELECT state FROM reports WHERE id > 'a' ORDER BY id)")" = \
    "0/disclosed,fixed,acknowledged,spam"
[ "$triaged" = 0 ] || sed 's/^/# triage: /' "$WORK/triage.log"

# ---- 3. advisories ------------------------------------------------------------------
# export_ok NAME VAULT FILE-OR-- REPORT WHAT FORMAT ARGS...: the export
# exits 0, adds its export event (report, what, format, the SHA-256 of the
# bytes written to FILE, or to stdout with "--") and a checkpoint, and
# the vault still audits; FILE gets stdout's bytes when "--".
export_ok() {
    local name=$1 v=$2 file=$3 report=$4 what=$5 format=$6 why="" n sha
    shift 6
    n=$(nevents "$v")
    run "$VAULT_BIN" --vault "$v" export "$@"
    [ "$RC" -eq 0 ] || why="$why exit $RC;"
    if [ "$file" = -- ]; then file="$WORK/stdout.$what.$format"; cp "$WORK/out" "$file"; fi
    LAST="$file"
    sha=$(sha256sum "$file" 2>/dev/null | cut -c1-64)
    [ "$(($(nevents "$v") - n))" -eq 2 ] || why="$why $(($(nevents "$v") - n)) events added, want 2;"
    [ "$(last_export "$v")" = "$report	{\"format\":\"$format\",\"sha256\":\"$sha\",\"what\":\"$what\"}" ] ||
        why="$why export event is '$(last_export "$v")';"
    "$VAULT_BIN" --vault "$v" audit >/dev/null 2>&1 || why="$why audit fails;"
    no_raw_controls "$WORK/err" || why="$why raw control characters on stderr;"
    if [ -z "$why" ]; then ok "$name"; else not_ok "$name:$why"; fi
}

export_ok "export advisory A --format osv --id GHSA-...: exit 0, its event (report, what, format, sha256 of the file)" \
    "$G" "$WORK/a.osv.json" "$ID_A" advisory osv advisory "$ID_A" --format osv --id GHSA-2x7m-9q4v-xxxx -o "$WORK/a.osv.json"
check "...it validates against the OSV 1.7 schema" osv_valid "$WORK/a.osv.json"
PUBLISHED=$(ledger "$G" "SELECT at FROM events WHERE report = ? AND kind = 'status' ORDER BY seq DESC LIMIT 1" "$ID_A")
check "...id, schema_version, summary, published (the time it entered disclosed), details (description + impact, no steps)" \
    jcheck "$WORK/a.osv.json" "d['id'] == 'GHSA-2x7m-9q4v-xxxx' and d['schema_version'] == '1.7.0' and
        d['summary'] == 'Alpha: <img src=x onerror=alert(1)> in notes' and d['published'] == '$PUBLISHED' and
        d['details'].startswith('Stored XSS.') and d['details'].endswith('## Impact\n\nSession theft.') and
        'STEP-SECRET' not in d['details']"
check "...severity: the maintainers' CVSS v4.0 vector only" \
    jcheck "$WORK/a.osv.json" "d['severity'] == [{'type': 'CVSS_V4', 'score': '$V4'}] and
        d['database_specific']['airlock']['severity_source'] == 'maintainers' and
        d['database_specific']['airlock']['rating'] == 'critical'"
check "...affected: the fixed version added to the open SEMVER range, the last_affected range untouched" \
    jcheck "$WORK/a.osv.json" "d['affected'][0]['ranges'][0]['events'] == [{'introduced': '4.0.0'}, {'fixed': '4.2.1'}] and
        d['affected'][1]['ranges'][0]['events'] == [{'introduced': '1.0'}, {'last_affected': '1.5'}] and
        d['affected'][1]['package']['ecosystem'] == 'PyPI'"
check "...credits: the reporter who asked for it, as FINDER, without the contact" \
    jcheck "$WORK/a.osv.json" "d['credits'] == [{'name': 'Jane Doe', 'type': 'FINDER'}] and
        'jane@example.net' not in open('$WORK/a.osv.json').read()"
check "...the bidi character of the description is escaped (\\u202e), never raw" \
    "$PY" -c 'import sys; b = open(sys.argv[1], "rb").read(); sys.exit(0 if b"bidi \\u202e here" in b and "\u202e".encode() not in b else 1)' "$WORK/a.osv.json"

export_ok "export advisory A --format osv to stdout, no --id: exit 0, recorded, the bytes printed are the ones hashed" \
    "$G" -- "$ID_A" advisory osv advisory "$ID_A" --format osv
A_STDOUT=$LAST
check "...a note says the AIRLOCK- id is a placeholder" \
    sh -c "grep -qF 'airlock-vault: note: advisory id AIRLOCK-A1A1A1A1 is Airlock'\\''s placeholder' '$WORK/err'"
check "...the schema refuses only that id (no registered prefix), nothing else" \
    test "$(osv_errors "$A_STDOUT" | tr '\n' ' ')" = "id "

export_ok "export advisory B (anonymous reporter) --format osv: exit 0" \
    "$G" "$WORK/b.osv.json" "$ID_B" advisory osv advisory "$ID_B" --format osv --id CVE-2026-12345 -o "$WORK/b.osv.json"
check "...it validates against the OSV 1.7 schema" osv_valid "$WORK/b.osv.json"
check "...no credits, the reporter's name and contact nowhere, the fix added, not published" \
    jcheck "$WORK/b.osv.json" "'credits' not in d and 'secret' not in open('$WORK/b.osv.json').read().lower() and
        d['affected'][0]['ranges'][0]['events'][-1] == {'fixed': '4.3.0'} and 'published' not in d"
check "...no severity: the reporter's medium vector contradicts the maintainers' high, and a note says so" \
    sh -c "! grep -q '\"severity\"' '$WORK/b.osv.json' &&
        grep -qF \"the reporter's cvss_v3 rates medium, the maintainers rated high: left out\" '$WORK/err'"

export_ok "export advisory C (acknowledged, not rated) --format osv: exit 0" \
    "$G" "$WORK/c.osv.json" "$ID_C" advisory osv advisory "$ID_C" --format osv --id GHSA-cccc-cccc-cccc -o "$WORK/c.osv.json"
check "...it validates against the OSV 1.7 schema" osv_valid "$WORK/c.osv.json"
check "...the reporter's vector as severity, no fixed event, the public reporter credited" \
    jcheck "$WORK/c.osv.json" "d['severity'][0]['type'] == 'CVSS_V3' and
        d['database_specific']['airlock']['severity_source'] == 'reporter' and
        'fixed' not in json.dumps(d['affected']) and d['credits'] == [{'name': 'Bob, the \"Builder\"', 'type': 'FINDER'}]"

export_ok "export advisory A --format md -o FILE: exit 0, recorded with the file's SHA-256" \
    "$G" "$WORK/a.md" "$ID_A" advisory md advisory "$ID_A" --format md --id GHSA-2x7m-9q4v-xxxx -o "$WORK/a.md"
check "...a draft whose title is escaped: no raw HTML" \
    grep -qxF '# Draft advisory: Alpha\: \<img src\=x onerror\=alert\(1\)\> in notes' "$WORK/a.md"
check "...the details in a fence longer than the text's own, the bidi character shown, no steps" \
    sh -c "grep -qx '\`\`\`\`\`text' '$WORK/a.md' && grep -qF 'bidi \\u{202e} here' '$WORK/a.md' &&
        ! grep -q 'STEP-SECRET' '$WORK/a.md'"
check "...the finder credited, the maintainers' vector as severity" \
    sh -c "grep -qxF -- '- Jane Doe (finder)' '$WORK/a.md' &&
        grep -qxF -- '- Severity: \`$V4\` (the maintainers'\"'\"' assessment)' '$WORK/a.md'"
check "...the Markdown holds no raw control or bidi character" no_raw_controls "$WORK/a.md"

refused_cmd "export advisory of a spam report: exit 1, 'is spam: nothing to advise'" "$G" 1 \
    "airlock-vault: report $ID_D is spam: nothing to advise" -- \
    "$VAULT_BIN" --vault "$G" export advisory "$ID_D" --format osv
refused_cmd "export advisory of an unknown report: exit 1, 'no report'" "$G" 1 \
    "airlock-vault: no report 'deadbeef'" -- \
    "$VAULT_BIN" --vault "$G" export advisory deadbeef --format osv
refused_cmd "export advisory --format xml: exit 2, naming the formats" "$G" 2 \
    "airlock-vault: export advisory: --format 'xml' is not osv or md" -- \
    "$VAULT_BIN" --vault "$G" export advisory "$ID_A" --format xml
refused_cmd "export advisory without --format: exit 2" "$G" 2 \
    "airlock-vault: export advisory: give --format osv or md" -- \
    "$VAULT_BIN" --vault "$G" export advisory "$ID_A"
refused_cmd "export advisory --id with a space: exit 2, 'advisory id'" "$G" 2 \
    "airlock-vault: advisory id 'GHSA x': only ASCII letters, digits and - . _ : are allowed" -- \
    "$VAULT_BIN" --vault "$G" export advisory "$ID_A" --format osv --id "GHSA x"
cp "$WORK/a.md" "$WORK/a.md.before"
refused_cmd "export advisory -o an existing file: exit 1, 'exists', the file untouched" "$G" 1 \
    "airlock-vault: '$WORK/a.md' exists; the export goes into a new file" -- \
    "$VAULT_BIN" --vault "$G" export advisory "$ID_A" --format md -o "$WORK/a.md"
check "...the file is as it was, no temporary file left" \
    sh -c "cmp -s '$WORK/a.md' '$WORK/a.md.before' && ! ls '$WORK' | grep -q 'a.md.tmp'"
refused_cmd "export reports --format xml: exit 2" "$G" 2 \
    "airlock-vault: export reports: --format 'xml' is not csv or json" -- \
    "$VAULT_BIN" --vault "$G" export reports --format xml
refused_cmd "export credits --id: exit 2" "$G" 2 \
    "airlock-vault: export: --id is for advisories" -- \
    "$VAULT_BIN" --vault "$G" export credits --id GHSA-1-2

# ---- 4. credits ----------------------------------------------------------------------
export_ok "export credits: exit 0, recorded (what credits, format text)" "$G" -- - credits text credits
check "...Jane Doe with A (disclosed, its title) and nobody else: B is anonymous, C not fixed, D spam" \
    sh -c "[ \"\$(grep -v '^ ' '$WORK/stdout.credits.text')\" = 'Jane Doe' ] &&
        grep -qF '  $ID_A  disclosed  fixed in 4.2.1  Alpha: <img src=x onerror=alert(1)> in notes' '$WORK/stdout.credits.text' &&
        [ \$(wc -l <'$WORK/stdout.credits.text') -eq 2 ]"
check "...the anonymous reporter appears in no credits, not even counted" \
    sh -c "! grep -qi 'secret\|anonym\|$ID_B' '$WORK/stdout.credits.text'"
export_ok "export credits --json -o FILE: exit 0, recorded (format json)" "$G" "$WORK/credits.json" - credits json \
    credits --json -o "$WORK/credits.json"
check "...one name, one report, no anonymous reporter" \
    jcheck "$WORK/credits.json" "[c['name'] for c in d] == ['Jane Doe'] and [r['report'] for r in d[0]['reports']] == ['$ID_A'] and 'Secret' not in json.dumps(d)"

# ---- 5. reports ------------------------------------------------------------------------
export_ok "export reports --format csv: exit 0, recorded" "$G" -- - reports csv reports --format csv
CSV="$WORK/stdout.reports.csv"
cat >"$WORK/csvcheck.py" <<'PY'
import csv, io, sys
raw = open(sys.argv[1], "rb").read()
assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b""), "CRLF line ends"
rows = list(csv.reader(io.StringIO(raw.decode(), newline="")))
head = rows[0]
assert head == ["id", "state", "rating", "score", "cvss", "class", "project",
                "title", "reporter", "imported_at", "acknowledged_at",
                "triaged_at", "fixed_at", "fixed_version", "closed_at",
                "reason", "duplicate_of"], head
r = {row[0]: dict(zip(head, row)) for row in rows[1:]}
a, b, c, d = (r[k] for k in sys.argv[2:6])
assert len(rows) == 6  # the four, and the report sealed with the kit
assert a["state"] == "disclosed" and a["score"] == "9.3" and a["rating"] == "critical"
assert a["fixed_version"] == "4.2.1" and a["reporter"] == "Jane Doe"
for k in ("imported_at", "acknowledged_at", "triaged_at", "fixed_at"):
    assert len(a[k]) == 20 and a[k].endswith("Z"), (k, a[k])
assert b["reporter"] == "" and b["rating"] == "high", b
assert c["title"] == "'=HYPERLINK(\"http://evil.example\",\"click\")", c["title"]
assert c["reporter"] == "Bob, the \"Builder\"", c["reporter"]
assert d["state"] == "spam" and len(d["closed_at"]) == 20
assert "Secret" not in raw.decode()
PY
check "...RFC 4180 with CRLF, a header, every report; the formula title defused; the anonymous reporter's name empty" \
    "$PY" "$WORK/csvcheck.py" "$CSV" "$ID_A" "$ID_B" "$ID_C" "$ID_D"
export_ok "export reports --format json -o FILE: exit 0, recorded" "$G" "$WORK/reports.json" - reports json \
    reports --format json -o "$WORK/reports.json"
check "...every report, score a number, reporter null when anonymous, times RFC 3339" \
    jcheck "$WORK/reports.json" "len(d) == 5 and {r['id']: r for r in d}['$ID_A']['score'] == 9.3 and
        {r['id']: r for r in d}['$ID_B']['reporter'] is None and {r['id']: r for r in d}['$ID_A']['fixed_at'].endswith('Z') and
        list(d[0].keys())[:3] == ['id', 'state', 'rating']"

# ---- 6. every OSV advisory made here validates, and names only credited reporters -------
# (the stdout one has the placeholder id: the schema refuses only that, above)
credited_only() {
    osv_valid "$1" && jcheck "$1" "all(c['name'] in ('Jane Doe', 'Bob, the \"Builder\"') for c in d.get('credits', [])) and
        all(c.get('type') == 'FINDER' and 'contact' not in c for c in d.get('credits', []))"
}
for f in "$WORK/a.osv.json" "$WORK/b.osv.json" "$WORK/c.osv.json"; do
    check "$(basename "$f"): valid OSV 1.7; its credits name only a reporter who asked for public credit" \
        credited_only "$f"
done

# A purged report's texts are gone: its advisory is refused.
"$VAULT_BIN" --vault "$G" purge "$ID_C" --reason "retention test" >/dev/null 2>&1
refused_cmd "export advisory of a purged report: exit 1, 'was purged'" "$G" 1 \
    "airlock-vault: report $ID_C was purged (retention): its bundle is deleted" -- \
    "$VAULT_BIN" --vault "$G" export advisory "$ID_C" --format osv
av "$G" audit
check "the vault audits at the end" sh -c "[ $RC -eq 0 ] && grep -q '^audit: ok: ' '$WORK/out'"

done_testing
