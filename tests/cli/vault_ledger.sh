#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The signed ledger end to end (docs/ledger.md): audit of a real vault and
# of copies an attacker with write access changed (tests/cli/
# ledger_attack.py: triggers dropped and re-created as they were, every
# rewritten event consistent with itself), checkpoints after every
# changing command, log, export ledger checked by the independent verifier
# (tests/ledger/verify_ledger.py) and by gpg alone, inclusion proofs,
# purge, and a ledger of schema version 1.
. "$(dirname "$0")/vault_lib.sh"

HERE="$(cd "$(dirname "$0")" && pwd)"
SRC=${AL_SOURCE_ROOT:-$(cd "$HERE/../.." && pwd)}
ATTACK="$HERE/ledger_attack.py"
VERIFY="$SRC/tests/ledger/verify_ledger.py"
attack() { "$PY" "$ATTACK" "$@"; }
verify() { "$PY" "$VERIFY" "$@"; }

M=$(gen_key maintainer) || { echo "Bail out! cannot generate keys"; exit 1; }
R=$(gen_key researcher)
O=$(gen_key other)
check "test keys were generated (the vault's, a reporter's, another in the same keyring)" \
    test -n "$M" -a -n "$R" -a -n "$O"

# av VAULT ARGS...: airlock-vault on VAULT (run: $WORK/out, $WORK/err, RC).
av() { local v=$1; shift; run "$VAULT_BIN" --vault "$v" "$@"; }
nevents() { ledger "$1" "SELECT count(*) FROM events"; }
ncheckpoints() { ledger "$1" "SELECT count(*) FROM checkpoints"; }
newest() { ledger "$1" "SELECT coalesce(max(size), 0) FROM checkpoints"; }
# covered VAULT: the newest checkpoint covers every event.
covered() { [ "$(newest "$1")" = "$(nevents "$1")" ]; }
# uncovered VAULT N: exactly N events after the newest checkpoint.
uncovered() { [ $(($(nevents "$1") - $(newest "$1"))) -eq "$2" ]; }
kinds() { ledger "$1" "SELECT group_concat(kind, ',') FROM (SELECT kind FROM events ORDER BY seq)"; }
# exit0 CMD...: the last run exited 0 and CMD succeeds.
exit0() { [ "$RC" -eq 0 ] && "$@"; }
blob() { echo "$1/store/${2:0:2}/$2"; }

# ---- the good vault ---------------------------------------------------------
B="$WORK/b"
mkdir -p "$B"
ID_A=a1a1a1a1-1111-4111-8111-111111111111
ID_B=b2b2b2b2-2222-4222-9222-222222222222
ID_C=c3c3c3c3-3333-4333-a333-333333333333
ID_D=d4d4d4d4-4444-4444-b444-444444444444
ID_E=e5e5e5e5-5555-4555-8555-555555555555
ID_F=f6f6f6f6-6666-4666-8666-666666666666
T_A="Ledger alpha: webhook token leak"
T_B="Ledger bravo: signed SSRF in importer"
T_C1="Ledger charlie: first draft"
T_C2="Ledger charlie: second revision"
T_D="Ledger delta: late report"
T_E="Ledger echo: to be purged"
T_F="Ledger foxtrot: uncovered"
RN="Quentin Ledgerwood"
mkb --batch --to "$M" --reporter "$RN" <<EOF || { echo "Bail out! mkbundle failed"; exit 1; }
good $B/a.gpg --id $ID_A --title "$T_A" --attach poc.txt=alpha
good $B/b.asc --id $ID_B --title "$T_B" --armor --sign $R --attach poc.txt=bravo
good $B/c1.gpg --id $ID_C --title "$T_C1" --attach v.txt=1
good $B/c2.gpg --id $ID_C --title "$T_C2" --attach v.txt=2
good $B/d.gpg --id $ID_D --title "$T_D"
good $B/e.gpg --id $ID_E --title "$T_E"
good $B/f.gpg --id $ID_F --title "$T_F"
title-escape $B/hostile.gpg
control-name $B/ctl.gpg
EOF

G="$WORK/good"
vault_init "$G" "$M" || { echo "Bail out! cannot create the vault"; exit 1; }
av "$G" import "$B/a.gpg" "$B/b.asc" "$B/c1.gpg"
check "three bundles imported (unsigned, signed, a first revision)" \
    sh -c "[ $RC -eq 0 ] && [ \$(grep -c ': imported ' '$WORK/out') -eq 3 ]"
av "$G" import "$B/c2.gpg"
check "a second revision of one report imported" \
    sh -c "[ $RC -eq 0 ] && grep -q ': revision 2 of $ID_C ' '$WORK/out'"
av "$G" import "$B/a.gpg" "$B/hostile.gpg" "$B/ctl.gpg"
check "a replay and two hostile bundles refused (exit 1)" \
    sh -c "[ $RC -eq 1 ] && grep -q 'replay of $ID_A' '$WORK/out' && [ \$(grep -c 'contains a control or bidi character' '$WORK/err') -eq 2 ]"
av "$G" open "$ID_B" -o "$WORK/open-b"
check "a report opened" test "$RC" = 0 -a -f "$WORK/open-b/manifest.json"
KINDS0="init,checkpoint,import,import,import,checkpoint,import,checkpoint,replay,refused,refused,checkpoint,open,checkpoint"
check "the log: each command's events, then its checkpoint" test "$(kinds "$G")" = "$KINDS0"
check "...checkpoints 2, 6, 8, 12, 14, each signed in the checkpoints table" \
    test "$(ledger "$G" "SELECT group_concat(size, ',') FROM (SELECT size FROM checkpoints ORDER BY size)")" = "2,6,8,12,14"
seq_of() { ledger "$G" "SELECT min(seq) FROM events WHERE kind = ? AND coalesce(report, '') = ?" "$1" "${2:-}"; }
SEQ_A=$(seq_of import $ID_A)
SEQ_B=$(seq_of import $ID_B)
SEQ_OPEN=$(seq_of open $ID_B)
SEQ_REFUSED=$(seq_of refused)
HA=$(ledger "$G" "SELECT sha256 FROM bundles WHERE report = ?" $ID_A)
HB=$(ledger "$G" "SELECT sha256 FROM bundles WHERE report = ?" $ID_B)

# ---- 1. audit of a good vault ------------------------------------------------
before=$(vstate "$G")
av "$G" audit
check "audit of the good vault: exit 0, one line with the counts" \
    test "$RC/$(cat "$WORK/out")" = "0/audit: ok: 14 events, 5 checkpoints (newest 14, signed by $M), 3 reports, 4 bundles (0 purged), store verified"
check "...nothing on stderr" test ! -s "$WORK/err"
check "...audit changed nothing (every table, the store; still 14 events)" \
    test "$(vstate "$G")/$(nevents "$G")" = "$before/14"

# Every attack starts from a copy of this vault.
G0="$WORK/good0"
cp -a "$G" "$G0"
# copy NAME: a fresh copy of the good vault at $WORK/NAME (its path).
copy() { rm -rf "${WORK:?}/$1"; cp -a "$G0" "$WORK/$1"; echo "$WORK/$1"; }
# first_cp SEQ: the oldest checkpoint covering event SEQ.
first_cp() { ledger "$G0" "SELECT min(size) FROM checkpoints WHERE size > ?" "$1"; }

# ---- 2. the attacks -------------------------------------------------------------
# (a) an import backdated: the event's 'at' everywhere (column, bytes, leaf)
# and the report's imported_at, so that the reports table agrees.
X=$(copy edit)
attack "$X" edit "$SEQ_A" 'at="2025-01-01T00:00:00Z"' \
    --sql "UPDATE reports SET imported_at = '2025-01-01T00:00:00Z' WHERE id = '$ID_A'"
check "attack (a): the backdated ledger holds the new time everywhere" \
    test "$(ledger "$X" "SELECT at FROM events WHERE seq = $SEQ_A")/$(ledger "$X" "SELECT imported_at FROM reports WHERE id = '$ID_A'")" = "2025-01-01T00:00:00Z/2025-01-01T00:00:00Z"
audit_refused "...audit: exit 3, the event dated before the one before it" "$X" \
    "event $SEQ_A: dated 2025-01-01T00:00:00Z, before the event before it"
X=$(copy edit-sig)
SIG_NONE=$(ledger "$X" "SELECT json_extract(data, '\$.signature') FROM events WHERE seq = $SEQ_A")
attack "$X" edit "$SEQ_B" "data.signature=$SIG_NONE" \
    --sql "UPDATE reports SET signature = 'none', signer = NULL WHERE id = '$ID_B'"
N=$(first_cp "$SEQ_B")
audit_refused "attack (a'): a signed import made unsigned (event and report row): exit 3, checkpoint $N" "$X" \
    "checkpoint $N: its root is not the root of events 0-$((N - 1))"

# (b) an event deleted: the opening of a report hidden
X=$(copy delete)
attack "$X" delete "$SEQ_OPEN"
audit_refused "attack (b): the open event deleted: exit 3, naming the missing event" "$X" \
    "event $SEQ_OPEN is missing (the log goes from $((SEQ_OPEN - 1)) to $((SEQ_OPEN + 1)))"
X=$(copy renumber)
attack "$X" delete "$SEQ_REFUSED" --renumber
check "attack (b'): a refusal deleted and every later event renumbered (seqs 0..N-1, leaves right)" \
    "$PY" -c '
import hashlib, json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT seq, canonical, leaf FROM events ORDER BY seq").fetchall()
assert [r[0] for r in rows] == list(range(13)), rows
for s, c, l in rows:
    assert json.loads(c)["seq"] == s and hashlib.sha256(b"\0" + c).digest() == l
' "$X/ledger.sqlite"
N=$(first_cp "$SEQ_REFUSED")
audit_refused "...audit: exit 3, the moved checkpoint event announces a checkpoint that does not exist" "$X" \
    "event $((N - 2)) announces checkpoint $((N - 1)), which is missing"

# (c) two events swapped
X=$(copy swap)
attack "$X" swap "$SEQ_A" "$SEQ_B"
audit_refused "attack (c): two import events swapped as rows: exit 3, its bytes say it is another event" "$X" \
    "event $SEQ_A: its bytes say it is another event (seq $SEQ_B)"
X=$(copy swap-renumber)
attack "$X" swap "$SEQ_A" "$SEQ_B" --renumber
N=$(first_cp "$SEQ_A")
# (events made in different seconds are also out of time order; either
# way the first bad event or checkpoint is named)
run "$VAULT_BIN" --vault "$X" audit
check "...swapped with their seqs rewritten and leaves recomputed: exit 3, checkpoint $N's root or the time order" \
    sh -c "[ $RC -eq 3 ] && grep -qE 'checkpoint $N: its root is not the root of events 0-$((N - 1))|event $SEQ_A: dated .*, before the event before it' '$WORK/err'"

# the schema
X=$(copy drop-trigger)
attack "$X" drop-trigger events_no_update
audit_refused "a trigger dropped (nothing else changed): exit 3, 'trigger events_no_update is missing'" "$X" \
    "ledger schema: trigger events_no_update is missing"
X=$(copy add-trigger)
attack "$X" add-trigger attacker_watch
audit_refused "a trigger of the attacker's own added: exit 3, 'is not airlock's'" "$X" \
    "ledger schema: trigger 'attacker_watch' is not airlock's"

# the derived state
X=$(copy title)
attack "$X" sql "UPDATE reports SET title = 'Harmless typo' WHERE id = '$ID_B'"
audit_refused "a report's title edited in the reports table only: exit 3, naming the report and the column" "$X" \
    "report $ID_B: its title in the reports table is not what its events say"
X=$(copy metas)
MSHA=$(ledger "$X" "SELECT sha256 FROM metas WHERE json LIKE ?" "%$T_A%")
attack "$X" sql "UPDATE metas SET json = replace(json, '$T_A', 'Harmless typo') WHERE sha256 = '$MSHA'"
audit_refused "a metas row's json edited: exit 3, 'metas', naming the row" "$X" \
    "metas: the row '$MSHA' does not hold what its hash names"

X=$(copy texts)
TSHA=$(ledger "$X" "SELECT json_extract(data, '\$.reason_sha256') FROM events WHERE seq = $SEQ_REFUSED")
attack "$X" sql "UPDATE texts SET text = 'nothing was refused' WHERE sha256 = '$TSHA'"
audit_refused "a refusal's reason edited in the texts table: exit 3, 'texts', naming the row" "$X" \
    "texts: the row '$TSHA' does not hold what its hash names"

# the checkpoints
X=$(copy no-checkpoint-row)
attack "$X" sql "DELETE FROM checkpoints WHERE size = 8"
audit_refused "a checkpoints row deleted (its trigger dropped, re-created): exit 3, naming its checkpoint event" "$X" \
    "event 7 announces checkpoint 8, which is missing"
X=$(copy other-key)
attack "$X" dump-checkpoint 6 "$WORK/cp6.txt"
gpg --batch --yes --pinentry-mode loopback --passphrase '' --detach-sign --armor \
    -u "$O" -o "$WORK/cp6-other.asc" "$WORK/cp6.txt" 2>>"$WORK/genkey.log"
check "another key of the same keyring signed checkpoint 6's exact text" \
    sh -c "gpg --batch --verify '$WORK/cp6-other.asc' '$WORK/cp6.txt' 2>/dev/null"
attack "$X" set-signature 6 "$WORK/cp6-other.asc"
audit_refused "checkpoint 6 signed by another key of the keyring: exit 3, naming checkpoint 6 and both keys" "$X" \
    "checkpoint 6: signed by $O, expected $M"
X=$(copy other-text)
ledger "$X" "SELECT signature FROM checkpoints WHERE size = 8" >"$WORK/cp8.asc"
attack "$X" set-signature 6 "$WORK/cp8.asc"
audit_refused "checkpoint 6 with the vault's signature over other text (checkpoint 8's): exit 3, a bad signature" "$X" \
    "checkpoint 6: signature is bad"

# the store and the policy
X=$(copy blob-gone)
chmod u+w "$(dirname "$(blob "$X" "$HB")")"
rm -f "$(blob "$X" "$HB")"
audit_refused "a stored blob removed: exit 3, naming the report and the blob" "$X" \
    "report $ID_B: store: blob $HB is missing"
X=$(copy blob-changed)
chmod u+w "$(blob "$X" "$HA")"
"$PY" -c 'import sys; p = sys.argv[1]; d = bytearray(open(p, "rb").read()); d[len(d) // 2] ^= 1; open(p, "wb").write(d)' "$(blob "$X" "$HA")"
audit_refused "a blob's bytes changed (same size): exit 3, naming the report and the blob" "$X" \
    "report $ID_A: store: blob $HA does not match its hash"
X=$(copy policy)
chmod u+w "$X/policy.json"
sed -i 's/"chatwoot"/"chatwoot-fork"/' "$X/policy.json"
audit_refused "policy.json changed: exit 3, its SHA-256 is not the init event's" "$X" \
    "policy.json: its SHA-256 is not the one the init event recorded"

# events after the newest checkpoint
X=$(copy uncovered)
av "$X" import --no-checkpoint "$B/d.gpg"
check "import --no-checkpoint: exit 0, one event after the newest checkpoint" \
    exit0 uncovered "$X" 1
audit_refused "...audit: exit 3, event 14 not covered, naming airlock-vault checkpoint" "$X" \
    "event 14 is not covered by a signed checkpoint" "airlock-vault checkpoint"
av "$X" checkpoint
check "...checkpoint: exit 0, 'checkpoint 16 signed'" \
    sh -c "[ $RC -eq 0 ] && grep -q '^checkpoint 16 signed: ' '$WORK/out'"
av "$X" audit
check "...then audit passes" sh -c "[ $RC -eq 0 ] && grep -q '^audit: ok: 16 events, 6 checkpoints (newest 16' '$WORK/out'"

# what a checkpoint will not sign (a made-up newest checkpoint, a
# malformed event, a log that grew since it was read)
X=$(copy fake-checkpoint-beyond)
attack "$X" sql "INSERT INTO checkpoints (size, text, signature) VALUES (16, 'junk', 'junk')"
av "$X" import "$B/d.gpg"
check "a made-up checkpoint beyond the log: the next import is recorded, exit 3, nothing signed" \
    sh -c "[ $RC -eq 3 ] && grep -qF 'checkpoint 16 claims more events than the log has (15); nothing signed' '$WORK/err' &&
        [ '$(nevents "$X")' = 15 ]"
X=$(copy fake-checkpoint-covering)
attack "$X" sql "INSERT INTO checkpoints (size, text, signature) VALUES (15, 'junk', 'junk')"
av "$X" import "$B/d.gpg"
check "a made-up checkpoint 'covering' the next import: exit 3, not this vault's, nothing signed" \
    sh -c "[ $RC -eq 3 ] && grep -qF 'checkpoint 15 is not this vault' '$WORK/err' &&
        [ '$(ncheckpoints "$X")/$(nevents "$X")' = 6/15 ]"
X=$(copy through)
av "$X" import --no-checkpoint "$B/d.gpg"
refused_cmd "checkpoint --through an older event: exit 1, the log ends later, nothing signed" "$X" 1 \
    "the log ends at event 14, not 13 (--through)" -- \
    "$VAULT_BIN" --vault "$X" checkpoint --through 13
av "$X" checkpoint --through 14
check "...--through the last event: signed" \
    sh -c "[ $RC -eq 0 ] && grep -q '^checkpoint 16 signed: events 14-15' '$WORK/out'"
X=$(copy malformed-tail)
av "$X" import --no-checkpoint "$B/d.gpg"
attack "$X" edit 14 'at="2026-11-23 10:00:00"'
refused_cmd "checkpoint over an event with a malformed time: exit 3, naming it, nothing signed" "$X" 3 \
    "event 14: its time is not RFC 3339 UTC" -- "$VAULT_BIN" --vault "$X" checkpoint
X=$(copy texts-extra)
attack "$X" sql "INSERT INTO texts (sha256, text) VALUES ('$(printf 'x\nsmuggled' | sha256sum | cut -c1-64)', 'x' || char(10) || 'smuggled')"
audit_refused "a texts row no event names: exit 3" "$X" "texts: the row '" "is named by no event"

refused_cmd "audit --key pinning another key of the keyring: exit 3" "$G" 3 \
    "airlock-vault: audit: the vault names key $M, not the pinned $O" -- \
    "$VAULT_BIN" --vault "$G" audit --key "$O"
av "$G" audit --key "$M"
check "audit --key the vault's own key: exit 0" sh -c "[ $RC -eq 0 ] && grep -q '^audit: ok: ' '$WORK/out'"

# ---- 3. every changing command ends with a checkpoint ---------------------------
n=$(nevents "$G")
av "$G" checkpoint
check "checkpoint when already covered: exit 0, 'already covers', no event added" \
    sh -c "[ $RC -eq 0 ] && grep -qx 'checkpoint $n already covers every event; nothing signed' '$WORK/out' && [ $(nevents "$G") -eq $n ]"
av "$G" import "$B/e.gpg"
check "import: covered by the newest checkpoint" exit0 covered "$G"
av "$G" open "$ID_E" -o "$WORK/open-e"
check "open: covered by the newest checkpoint" exit0 covered "$G"
av "$G" import --no-checkpoint "$B/d.gpg"
check "import --no-checkpoint: its event is not covered" exit0 uncovered "$G" 1
av "$G" open --no-checkpoint "$ID_D" -o "$WORK/open-d"
check "open --no-checkpoint: its event is not covered either" exit0 uncovered "$G" 2
n=$(nevents "$G")
av "$G" checkpoint
check "checkpoint: exit 0, 'checkpoint $((n + 1)) signed', covering them and itself" \
    exit0 sh -c "grep -q '^checkpoint $((n + 1)) signed: events $((n - 2))-$n, root ' '$WORK/out' && [ $(newest "$G") -eq $(nevents "$G") ]"
av "$G" purge --no-checkpoint "$ID_E" --reason "test data, not a report"
check "purge --no-checkpoint: exit 0, its tombstone not covered" \
    exit0 sh -c "[ $(($(nevents "$G") - $(newest "$G"))) -eq 1 ] && [ \"$(ledger "$G" "SELECT kind FROM events ORDER BY seq DESC LIMIT 1")\" = tombstone ]"
av "$G" checkpoint
check "...checkpoint covers it" exit0 covered "$G"

# When signing fails, the command's own change stays and nothing of the
# checkpoint is kept: a keyring holding only the vault's public key.
PUB="$WORK/gnupg-public"
extra_home "$PUB"
gpg --batch --export "$M" 2>/dev/null | GNUPGHOME="$PUB" gpg --batch --import 2>/dev/null
X=$(copy nosign)
n=$(nevents "$X")
c=$(ncheckpoints "$X")
refused_cmd "export ledger when the key cannot sign: exit 1, 'no secret key', no export event" "$X" 1 \
    "airlock-vault: no secret key for '$M'" -- \
    env GNUPGHOME="$PUB" "$VAULT_BIN" --vault "$X" export ledger -o "$WORK/export-nosign"
check "...no folder, no temporary folder" \
    sh -c "[ ! -e '$WORK/export-nosign' ] && [ -z \"\$(ls -A '$WORK' | grep airlock-export)\" ]"
RC=0
GNUPGHOME="$PUB" "$VAULT_BIN" --vault "$X" purge "$ID_A" --reason "retention" >"$WORK/out" 2>"$WORK/err" || RC=$?
check "purge when the key cannot sign: exit 1, 'no checkpoint was signed', the cause, naming airlock-vault checkpoint" \
    sh -c "[ $RC -eq 1 ] && [ \$(wc -l <'$WORK/err') -eq 1 ] &&
        grep -qF \"airlock-vault: this command's change is recorded, but no checkpoint was signed: no secret key for '$M'\" '$WORK/err' &&
        grep -qF \"('airlock-vault checkpoint' signs it\" '$WORK/err'"
check "...the tombstone is recorded, no checkpoint event or row kept" \
    test "$(nevents "$X")/$(ncheckpoints "$X")/$(ledger "$X" "SELECT kind FROM events ORDER BY seq DESC LIMIT 1")" = "$((n + 1))/$c/tombstone"
# A command signs only what it wrote: with that tombstone unsigned, the
# next import is recorded but signs nothing.
av "$X" import "$B/d.gpg"
check "the next import, an unsigned event before it: recorded, exit 3, nothing signed unseen" \
    sh -c "[ $RC -eq 3 ] && grep -q ': imported $ID_D ' '$WORK/out' && [ \$(wc -l <'$WORK/err') -eq 1 ] &&
        grep -qF \"this command's change is recorded, but no checkpoint was signed: event $n, not this command's, is not covered by a checkpoint and would be signed unseen\" '$WORK/err' &&
        grep -qF 'airlock-vault checkpoint signs it' '$WORK/err'"
check "...the import event is there, the newest checkpoint is the one before the tombstone" \
    test "$(nevents "$X")/$(newest "$X")/$(ncheckpoints "$X")" = "$((n + 2))/$n/$c"
av "$X" checkpoint
check "...the explicit checkpoint signs them all: 'checkpoint $((n + 3)) signed: events $n-$((n + 2))'" \
    sh -c "[ $RC -eq 0 ] && grep -q '^checkpoint $((n + 3)) signed: events $n-$((n + 2)), root ' '$WORK/out'"
av "$X" audit
check "...and audit passes" sh -c "[ $RC -eq 0 ] && grep -q '^audit: ok: $((n + 3)) events, ' '$WORK/out'"

# ---- 4. log ---------------------------------------------------------------------
av "$G" log
check "log: exit 0, one line an event" test "$RC/$(wc -l <"$WORK/out")" = "0/$(nevents "$G")"
check "...each line: seq, time, kind, report (or -), in order" \
    test "$(awk '{print $1, $3, $4}' "$WORK/out")" = "$(ledger "$G" "SELECT seq || ' ' || kind || ' ' || coalesce(report, '-') FROM events ORDER BY seq")"
check "...the hostile title's refusal reason is in the log" \
    out_has "refused    -  bundle $(sha256sum "$B/hostile.gpg" | cut -c1-12): manifest: 'title': contains a control or bidi character"
CTL_SHOWN='attachments/a\\x07b\\x1b[2J.txt'
check "...the control-name refusal shown escaped, no raw ESC on stdout" \
    sh -c "grep -qF -- '$CTL_SHOWN' '$WORK/out' && ! grep -q \"\$(printf '\\033')\" '$WORK/out'"
check "...stdout and stderr free of raw control and bidi characters" outputs_clean
check "...no report title or reporter name in the log" \
    sh -c "! grep -qF -e '$T_A' -e '$T_B' -e '$T_C2' -e '$RN' '$WORK/out'"
av "$G" log "$ID_C"
check "log ID: only that report's events (two imports)" \
    test "$RC/$(awk '{print $1, $3, $4}' "$WORK/out" | tr '\n' ' ')" = "0/$(ledger "$G" "SELECT seq || ' ' || kind || ' ' || report FROM events WHERE report = '$ID_C' ORDER BY seq" | tr '\n' ' ')"
check "...revisions 1 and 2" sh -c "grep -c 'import *$ID_C  revision [12],' '$WORK/out' | grep -qx 2"
cp "$WORK/out" "$WORK/log-c"
av "$G" log "${ID_C:0:8}"
check "log PREFIX: the same" sh -c "[ $RC -eq 0 ] && cmp -s '$WORK/out' '$WORK/log-c'"
refused_cmd "log of an unknown id: exit 1, 'no report'" "$G" 1 "no report" -- \
    "$VAULT_BIN" --vault "$G" log 99999999-9999-4999-8999-999999999999
av "$G" log --json
check "log --json: a JSON array of every event, each exactly seq/at/kind/report/actor/data, equal to its canonical bytes" \
    "$PY" -c '
import json, sqlite3, sys
d = json.load(open(sys.argv[1]))
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[2], uri=True)
rows = [json.loads(c) for c, in db.execute("SELECT canonical FROM events ORDER BY seq")]
assert isinstance(d, list) and len(d) == len(rows), len(d)
assert all(set(e) == {"seq", "at", "kind", "report", "actor", "data"} for e in d)
assert [e["seq"] for e in d] == list(range(len(d)))
assert d == rows
' "$WORK/out" "$G/ledger.sqlite"
av "$G" log --json "$ID_B"
check "log --json ID: that report's events only" \
    json_check "$WORK/out" "[e['kind'] for e in d] == ['import', 'open'] and all(e['report'] == '$ID_B' for e in d)"
# The texts that reach the log: a refusal's reason (kept in the texts
# table, the event has its hash) and a tombstone's (in the event), both
# changed by the attacker to hold ESC, BEL, U+202E, the C1 CSI and DEL.
X="$WORK/log-esc"
cp -a "$G" "$X"
EVIL="'evil ' || char(27) || '[2J' || char(27) || ']0;pwned' || char(7) || ' ' || char(8238) || 'gnp.exe ' || char(155) || '31m ' || char(127) || 'end'"
EVIL_SHOWN='evil \x1b[2J\x1b]0;pwned\x07 \u{202e}gnp.exe \u{009b}31m \x7fend'
SEQ_TOMB=$(ledger "$X" "SELECT seq FROM events WHERE kind = 'tombstone' AND report = '$ID_E'")
# the attacker keeps the texts row what its hash names (a row that is not
# is not shown at all: tested below) and points the refusal at it
EVIL_HASH=$("$PY" -c 'import hashlib, sys
print(hashlib.sha256(("salt\nevil \x1b[2J\x1b]0;pwned\x07 \u202egnp.exe \u009b31m \x7fend").encode()).hexdigest())')
attack "$X" sql "INSERT INTO texts (sha256, text) VALUES ('$EVIL_HASH', 'salt' || char(10) || $EVIL)"
attack "$X" edit "$SEQ_REFUSED" "data.reason_sha256=\"$EVIL_HASH\""
attack "$X" edit "$SEQ_TOMB" 'data.reason="evil \u001b[2J\u001b]0;pwned\u0007 \u202egnp.exe \u009b31m \u007fend"'
av "$X" log
check "log of a ledger whose texts hold ESC, BEL, U+202E, C1, DEL: exit 0, the refusal's reason shown escaped" \
    sh -c "[ $RC -eq 0 ] && grep -E '^ +$SEQ_REFUSED ' '$WORK/out' | grep -qF -- '$EVIL_SHOWN'"
check "...the tombstone's reason shown escaped" \
    sh -c "grep -E '^ +$SEQ_TOMB ' '$WORK/out' | grep -qF -- '$EVIL_SHOWN'"
check "...no raw control or bidi character on stdout" outputs_clean
av "$X" show "$ID_E"
check "show ID of that report: exit 0, its tombstone shown escaped" \
    sh -c "[ $RC -eq 0 ] && grep -qF -- '$EVIL_SHOWN' '$WORK/out'"
check "...no raw control or bidi character on stdout" outputs_clean
av "$X" log --json
check "...log --json: exit 0, the tombstone's reason intact in the JSON" \
    json_check "$WORK/out" "d[$SEQ_TOMB]['data']['reason'] == 'evil \\x1b[2J\\x1b]0;pwned\\x07 \\u202egnp.exe \\x9b31m \\x7fend'"
# JSON escapes U+0000-U+001F itself; DEL, the C1 control U+009B (CSI) and
# the bidi control U+202E must not reach the terminal raw either.
mv "$WORK/out" "$WORK/log-esc.json"
if no_raw_controls "$WORK/log-esc.json"; then
    ok "...log --json: no raw C1, DEL or bidi character on stdout (escaped as \\uXXXX)"
else
    not_ok "...log --json: no raw C1, DEL or bidi character on stdout (escaped as \\uXXXX): the reason came out as $(grep -a '"reason": "evil' "$WORK/log-esc.json" | "$PY" -c 'import sys; print(ascii(sys.stdin.buffer.read().strip()))')"
fi

# ---- 5. export ledger --------------------------------------------------------
E1="$WORK/export1"
n=$(nevents "$G")
av "$G" export ledger -o "$E1"
check "export ledger -o DIR: exit 0, an export event and its checkpoint" \
    test "$RC/$(cat "$WORK/out")/$(ledger "$G" "SELECT kind FROM events WHERE seq = $n")" = "0/ledger exported to $E1: $((n + 2)) events, $(ncheckpoints "$G") checkpoints/export"
check "...covered by the newest checkpoint" covered "$G"
check "...README, events.jsonl (a line an event), keys.asc, checkpoints/N.txt and N.txt.asc for every checkpoint" \
    sh -c "[ -s '$E1/README' ] && [ -s '$E1/keys.asc' ] && [ \$(wc -l <'$E1/events.jsonl') -eq $(nevents "$G") ] &&
        [ \"\$(ls '$E1/checkpoints' | sort)\" = \"$(ledger "$G" "SELECT size || '.txt' FROM checkpoints UNION ALL SELECT size || '.txt.asc' FROM checkpoints" | sort)\" ]"
run verify export "$E1" --key-fpr "$M"
check "...the independent verifier: ok" sh -c "[ $RC -eq 0 ] && grep -q '^ok: $(nevents "$G") events, $(ncheckpoints "$G") checkpoints, newest $(nevents "$G"), ' '$WORK/out'"
AUD="$WORK/gnupg-auditor"
extra_home "$AUD"
GNUPGHOME="$AUD" gpg --batch --import "$E1/keys.asc" >/dev/null 2>&1
bad=""
for t in "$E1"/checkpoints/*.txt; do
    GNUPGHOME="$AUD" gpg --batch --status-fd 1 --verify "$t.asc" "$t" >"$WORK/gv" 2>/dev/null &&
        grep -q "^\[GNUPG:\] GOODSIG " "$WORK/gv" && grep -q "^\[GNUPG:\] VALIDSIG .* $M\$" "$WORK/gv" ||
        bad="$bad $(basename "$t")"
done
check "...gpg --verify of every checkpoint, in an empty GNUPGHOME with only keys.asc: good, by the vault's key" \
    test -z "$bad" -a "$(ls "$E1"/checkpoints/*.txt | wc -l)" -eq "$(ncheckpoints "$G")"
check "...events.jsonl holds no report title, reporter name or attachment" \
    sh -c "! grep -qF -e '$T_A' -e '$T_B' -e '$T_C1' -e '$T_C2' -e '$T_D' -e '$T_E' -e '$RN' -e 'poc.txt' '$E1/events.jsonl'"
E1SUM=$(tree_sum "$E1")
refused_cmd "export to an existing path: exit 1, 'exists', no event, the folder untouched" "$G" 1 \
    "exists; the export goes into a new folder" -- "$VAULT_BIN" --vault "$G" export ledger -o "$E1"
check "...(the earlier export is as it was)" test "$(tree_sum "$E1")" = "$E1SUM"
refused_cmd "export into a folder that does not exist: exit 1, no event" "$G" 1 \
    "No such file or directory" -- "$VAULT_BIN" --vault "$G" export ledger -o "$WORK/nowhere/export"
check "...nothing made, no temporary folder left" \
    sh -c "[ ! -e '$WORK/nowhere' ] && [ -z \"\$(ls -A '$WORK' | grep airlock-export)\" ]"

# ---- 6. proof -------------------------------------------------------------------
PA="$WORK/proof-a.json"
av "$G" proof "$ID_A" -o "$PA"
check "proof ID -o FILE: exit 0, naming the report, its event and the newest checkpoint" \
    sh -c "[ $RC -eq 0 ] && grep -q '^proof of report $ID_A (event $SEQ_A, in signed checkpoint $(newest "$G")) written to ' '$WORK/out'"
run verify proof "$PA" --key-fpr "$M"
check "...the verifier says ok" sh -c "[ $RC -eq 0 ] && grep -q '^ok: ' '$WORK/out'"
check "...its checkpoint is the newest, its event the report's import" \
    json_check "$PA" "d['checkpoint'] == '''$(ledger "$G" "SELECT text FROM checkpoints ORDER BY size DESC LIMIT 1")
''' and d['index'] == $SEQ_A and d['report'] == '$ID_A' and '\"kind\":\"import\"' in d['event']"
echo keep >"$WORK/exists.json"
refused_cmd "proof to an existing FILE: exit 1, 'already exists'" "$G" 1 "already exists" -- \
    "$VAULT_BIN" --vault "$G" proof "$ID_A" -o "$WORK/exists.json"
check "...the file is not overwritten" test "$(cat "$WORK/exists.json")" = keep
refused_cmd "proof of an unknown id: exit 1, 'no report'" "$G" 1 "no report" -- \
    "$VAULT_BIN" --vault "$G" proof 99999999-9999-4999-8999-999999999999 -o "$WORK/proof-x.json"
av "$G" import --no-checkpoint "$B/f.gpg"
refused_cmd "proof of a report whose import is not yet covered: exit 1, naming airlock-vault checkpoint" "$G" 1 \
    "not yet covered by a signed checkpoint" "airlock-vault checkpoint" -- \
    "$VAULT_BIN" --vault "$G" proof "$ID_F" -o "$WORK/proof-f.json"
check "...no file written" test ! -e "$WORK/proof-f.json"
av "$G" checkpoint
av "$G" proof "$ID_F" -o -
cp "$WORK/out" "$WORK/proof-f.json"
check "after checkpoint, proof -o -: the proof on stdout" \
    sh -c "[ $RC -eq 0 ] && [ ! -s '$WORK/err' ] && [ ! -e ./- ]"
run verify proof "$WORK/proof-f.json" --key-fpr "$M"
check "...and it verifies" sh -c "[ $RC -eq 0 ] && grep -q '^ok: ' '$WORK/out'"
"$PY" - "$PA" "$WORK/proof-bad.json" <<'PY'
import base64, json, sys
d = json.load(open(sys.argv[1]))
h = bytearray(base64.b64decode(d["path"][0]))
h[0] ^= 1
d["path"][0] = base64.b64encode(bytes(h)).decode()
json.dump(d, open(sys.argv[2], "w"))
PY
run verify proof "$WORK/proof-bad.json" --key-fpr "$M"
check "a proof with one bit of a path element flipped: the verifier fails (1)" \
    sh -c "[ $RC -eq 1 ] && grep -q '^verify_ledger: ' '$WORK/err'"
run verify proof "$PA" --key-fpr "$O"
check "a good proof checked against another key: the verifier fails (1)" test "$RC" = 1

# ---- 7. purge -------------------------------------------------------------------
PC="$WORK/proof-c-before.json"
av "$G" proof "$ID_C" -o "$PC"
HC=$(ledger "$G" "SELECT sha256 FROM bundles WHERE report = '$ID_C' ORDER BY event" | tr '\n' ' ')
check "report C has two stored bundles before the purge" \
    sh -c "for h in $HC; do [ -f \"$G/store/\${h%\${h#??}}/\$h\" ] || exit 1; done; [ \$(echo $HC | wc -w) -eq 2 ]"
P=("$VAULT_BIN" --vault "$G" purge)
refused_cmd "purge without --reason: exit 2" "$G" 2 "--reason is required" -- "${P[@]}" "$ID_C"
refused_cmd "purge --reason '': exit 2" "$G" 2 "--reason is required" -- "${P[@]}" "$ID_C" --reason ''
refused_cmd "purge with a reason holding a newline: exit 2" "$G" 2 "one line of UTF-8 text without control characters" -- \
    "${P[@]}" "$ID_C" --reason $'line one\nline two'
refused_cmd "purge with a reason holding ESC: exit 2, no raw ESC echoed" "$G" 2 "one line of UTF-8 text without control characters" -- \
    "${P[@]}" "$ID_C" --reason $'clear \e[2J'
refused_cmd "purge with a reason of 501 bytes: exit 2, 'at most 500'" "$G" 2 "--reason is 501 bytes; at most 500" -- \
    "${P[@]}" "$ID_C" --reason "$(printf 'x%.0s' $(seq 501))"
refused_cmd "purge with an 8-character id prefix: exit 2, 'full id'" "$G" 2 "full id" -- \
    "${P[@]}" "${ID_C:0:8}" --reason "retention"
refused_cmd "purge of an unknown full id: exit 1, 'no report'" "$G" 1 "no report" -- \
    "${P[@]}" 99999999-9999-4999-8999-999999999999 --reason "retention"
av "$G" purge "$ID_C" --reason "retention: 90 days after the fix"
check "purge ID --reason: exit 0, two bundles deleted" \
    sh -c "[ $RC -eq 0 ] && grep -q '^report $ID_C purged: 2 bundles deleted (event ' '$WORK/out'"
check "...its blobs are gone from the store" \
    sh -c "for h in $HC; do [ ! -e \"$G/store/\${h%\${h#??}}/\$h\" ] || exit 1; done"
check "...a tombstone event with both bundles and the reason" \
    "$PY" -c '
import json, sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
r = db.execute("SELECT data FROM events WHERE kind = \"tombstone\" AND report = ?", (sys.argv[2],)).fetchall()
assert len(r) == 1, r
d = json.loads(r[0][0])
assert d == {"bundles": sys.argv[3].split(), "reason": "retention: 90 days after the fix"}, d
' "$G/ledger.sqlite" "$ID_C" "$HC"
check "...covered by the newest checkpoint" covered "$G"
av "$G" audit
check "...audit passes, counting 3 purged bundles (C's two, E's one)" \
    sh -c "[ $RC -eq 0 ] && grep -q '^audit: ok: $(nevents "$G") events, .* 7 bundles (3 purged), store verified\$' '$WORK/out'"
run verify proof "$PC" --key-fpr "$M"
check "...the proof written before the purge still verifies" test "$RC" = 0
PC2="$WORK/proof-c-after.json"
av "$G" proof "$ID_C" -o "$PC2"
run verify proof "$PC2" --key-fpr "$M"
check "...a proof made after the purge verifies" test "$RC" = 0
refused_cmd "open of the purged report: exit 1, 'purged', nothing opened or recorded" "$G" 1 "was purged (retention)" -- \
    "$VAULT_BIN" --vault "$G" open "$ID_C" -o "$WORK/open-c"
check "...no folder" test ! -e "$WORK/open-c"
store0=$(tree_sum "$G/store")
av "$G" import "$B/c1.gpg"
check "importing a purged bundle again: a replay" \
    test "$RC/$(cat "$WORK/out")" = "0/$B/c1.gpg: replay of $ID_C"
check "...its event says purged: true" \
    json_check <(ledger "$G" "SELECT data FROM events WHERE kind = 'replay' ORDER BY seq DESC LIMIT 1") \
    "d.get('purged') is True and 'restored' not in d"
check "...nothing stored again (the store unchanged)" test "$(tree_sum "$G/store")" = "$store0"
refused_cmd "purge of a purged report: exit 1, 'purged already', nothing changed" "$G" 1 "was purged already; nothing changed" -- \
    "${P[@]}" "$ID_C" --reason "again"

E2="$WORK/export2"
av "$G" export ledger -o "$E2"
run verify export "$E2" --key-fpr "$M"
check "the export after the purge verifies" test "$RC" = 0
K1="$E1/checkpoints/$(ls "$E1/checkpoints" | sed -n 's/\.txt$//p' | sort -n | tail -1).txt"
K2="$E2/checkpoints/$(ls "$E2/checkpoints" | sed -n 's/\.txt$//p' | sort -n | tail -1).txt"
run verify export "$E2" --known "$K1" --key-fpr "$M"
check "...and holds the first export's newest checkpoint (--known)" test "$RC" = 0
run verify export "$E1" --known "$K2" --key-fpr "$M"
check "the first export checked against the second's newest checkpoint: fails, rolled back" \
    sh -c "[ $RC -eq 1 ] && grep -q 'rolled back' '$WORK/err'"

# ---- 8. a ledger of schema version 1 -------------------------------------------
V1=$(copy v1)
attack "$V1" user-version 1
for cmd in audit log list checkpoint "import $B/a.gpg" "export ledger -o $WORK/export-v1"; do
    # shellcheck disable=SC2086
    refused_cmd "schema version 1: $cmd: exit 1, saying version 1 and what to do" "$V1" 1 \
        "schema version 1, from a development build without signed checkpoints" \
        "create a new vault and import the bundles again" -- "$VAULT_BIN" --vault "$V1" $cmd
done
done_testing
