#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Replies end to end (docs/reply.md): a researcher in a keyring of their
# own seals a bundle with their reply key, the vault imports it and
# answers with 'airlock-vault reply', the researcher reads the answer with
# 'airlock-pack read-reply' and with plain gpg.  Every refusal on both
# sides: exit status, a distinctive part of the one-line message, nothing
# changed in the vault (and audit passes).
. "$(dirname "$0")/vault_lib.sh"

# Keyrings: the maintainers' ($GNUPGHOME, lib.sh), the researcher's, a
# stranger's (another reporter), and one for keys that must not work.
RH="$WORK/researcher-home"
SH="$WORK/stranger-home"
BH="$WORK/bad-keys-home"
extra_home "$RH"
extra_home "$SH"
extra_home "$BH"
M=$(gen_key maintainer) || { echo "Bail out! cannot generate keys"; exit 1; }
O=$(gen_key other)
R=$(GNUPGHOME="$RH" gen_key researcher)
X=$(GNUPGHOME="$SH" gen_key stranger)
check "test keys were generated (maintainer, other, researcher, stranger)" \
    test -n "$M" -a -n "$O" -a -n "$R" -a -n "$X"

V="$WORK/vault"
vault_init "$V" "$M"
ID=3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60

# av ARGS...: airlock-vault on $V from the scratch folder (run: $WORK/out,
# $WORK/err, RC).
av() { RC=0; (cd "$SCRATCH/cwd" && "$VAULT_BIN" --vault "$V" "$@") >"$WORK/out" 2>"$WORK/err" || RC=$?; }
# rr ARGS...: airlock-pack read-reply in the researcher's keyring.
rr() { GNUPGHOME="$RH" run "$PACK" read-reply "$@"; }
nevents() { ledger "$V" "SELECT count(*) FROM events"; }
one_line_err() { [ "$(wc -l <"$WORK/err")" -eq 1 ]; }
audit_ok() { "$VAULT_BIN" --vault "$V" audit >/dev/null 2>&1; }

# vault_refused NAME RC WANT... -- ARGS...: airlock-vault ARGS exits RC
# (not by a signal), says every WANT in one line on stderr, nothing on
# stdout, adds no event, leaves no file in the scratch folder, and audit
# still passes.
vault_refused() {
    local name=$1 want_rc=$2 why="" w before
    shift 2
    local wants=()
    while [ "$1" != -- ]; do wants+=("$1"); shift; done
    shift
    before=$(nevents)
    av "$@"
    expect_exit "$want_rc" || why="$why exit $RC, want $want_rc;"
    for w in "${wants[@]}"; do err_has "$w" || why="$why stderr lacks '$w';"; done
    one_line_err || why="$why $(wc -l <"$WORK/err") lines on stderr;"
    [ -s "$WORK/out" ] && why="$why stdout not empty;"
    no_raw_controls "$WORK/err" || why="$why raw control characters on stderr;"
    [ "$(nevents)" = "$before" ] || why="$why events $before -> $(nevents);"
    scratch_clean || why="$why files left: $(tr '\n' ' ' <"$WORK/scratchdiff");"
    audit_ok || why="$why audit fails;"
    if [ -z "$why" ]; then ok "$name"; else not_ok "$name:$why"; fi
}

# reader_refused NAME RC WANT... -- ARGS...: read-reply ARGS (in the
# researcher's keyring) exits RC, says every WANT on stderr, prints nothing
# on stdout.
reader_refused() {
    local name=$1 want_rc=$2 why="" w
    shift 2
    local wants=()
    while [ "$1" != -- ]; do wants+=("$1"); shift; done
    shift
    rr "$@"
    expect_exit "$want_rc" || why="$why exit $RC, want $want_rc;"
    for w in "${wants[@]}"; do err_has "$w" || why="$why stderr lacks '$w';"; done
    one_line_err || why="$why $(wc -l <"$WORK/err") lines on stderr;"
    [ -s "$WORK/out" ] && why="$why stdout not empty;"
    no_raw_controls "$WORK/err" || why="$why raw control characters on stderr;"
    if [ -z "$why" ]; then ok "$name"; else not_ok "$name:$why"; fi
}

# ---- the researcher seals a report with a reply key ---------------------------
gpg --batch --armor --export "$M" >"$WORK/maintainer.asc"
GNUPGHOME="$RH" gpg --batch --import "$WORK/maintainer.asc" 2>/dev/null
D="$WORK/draft"
make_draft "$D"
GNUPGHOME="$RH" gpg --batch --armor --export "$R" >"$D/reply.asc"
GNUPGHOME="$RH" run "$PACK" seal "$D" --to "$M" --sign "$R" -o "$WORK/report.airlock.gpg"
check "the researcher seals a draft with reply.asc (in their own keyring)" expect_exit 0
check "...the bundle holds keys/reply.asc" \
    sh -c "gpg --batch --decrypt '$WORK/report.airlock.gpg' 2>/dev/null | tar -tf - | grep -qx keys/reply.asc"
vimport "$V" "$WORK/report.airlock.gpg"
check "the vault imports it" sh -c "[ $RC -eq 0 ] && grep -q 'imported $ID' '$WORK/out'"
check "...the reporter's key is not in the maintainers' keyring" \
    sh -c "! gpg --batch --list-keys '$R' >/dev/null 2>&1"
IMPORT_SEQ=$(ledger "$V" "SELECT min(seq) FROM events WHERE kind = 'import' AND report = ?" "$ID")

# ---- the reply ------------------------------------------------------------------
printf 'Thank you for the report.\nWe reproduced it:\tthe fix ships in 4.2.1.\n' >"$WORK/msg.txt"
before=$(nevents)
av reply 3f1c2a9e --message "$WORK/msg.txt"
OUT1="$SCRATCH/cwd/reply-3f1c2a9e-1.asc"
check "reply: exit 0, written to reply-3f1c2a9e-1.asc in the current folder" \
    sh -c "[ $RC -eq 0 ] && [ -f '$OUT1' ] && grep -q 'reply-3f1c2a9e-1.asc' '$WORK/out'"
REPLY_SEQ=$(ledger "$V" "SELECT max(seq) FROM events WHERE kind = 'reply'")
check "...it says the report, the key sealed to and the event" \
    sh -c "grep -qF 'reply to report $ID sealed to key $R' '$WORK/out' && grep -qF '(event $REPLY_SEQ, new, with the proof of event $IMPORT_SEQ)' '$WORK/out'"
check "...nothing on stderr" test ! -s "$WORK/err"
check "...the file is ASCII-armored OpenPGP, private (0600)" \
    sh -c "head -1 '$OUT1' | grep -qx -- '-----BEGIN PGP MESSAGE-----' && [ \$(stat -c %a '$OUT1') = 600 ]"
check "...two events: the reply and its checkpoint" \
    test "$(ledger "$V" "SELECT group_concat(kind, ',') FROM (SELECT kind FROM events WHERE seq >= $before ORDER BY seq)")" = "reply,checkpoint"
SHA1=$(sha256sum "$OUT1" | cut -d' ' -f1)
check "...the event's data: the file's SHA-256, the state, the import it proves" \
    test "$(ledger "$V" "SELECT data FROM events WHERE seq = ?" "$REPLY_SEQ")" = "{\"proof\":$IMPORT_SEQ,\"sha256\":\"$SHA1\",\"state\":\"new\"}"
check "...the message is not in the vault" \
    sh -c "! grep -rqa 'the fix ships in 4.2.1' '$V'"
check "...the reporter's key was not imported into the maintainers' keyring" \
    sh -c "! gpg --batch --list-keys '$R' >/dev/null 2>&1"
check "...no temporary key file left behind" \
    sh -c "! ls -d /tmp/airlock-key.* '${TMPDIR:-/tmp}'/airlock-key.* 2>/dev/null | grep -q ."
check "audit passes after the reply" audit_ok
mv "$OUT1" "$WORK/reply1.asc"
OUT1="$WORK/reply1.asc"
av log "$ID"
check "log ID shows the reply event" \
    sh -c "[ $RC -eq 0 ] && grep -E '^ *$REPLY_SEQ .*reply .*${SHA1:0:12}.*new' '$WORK/out' >/dev/null"

# ---- the researcher reads it ------------------------------------------------------
rr "$OUT1" --from "$M"
check "read-reply --from the vault key: exit 0" expect_exit 0
check "...shows the report, title, state, rating" \
    sh -c "grep -qx 'report:  $ID' '$WORK/out' && grep -qx 'title:   Stored XSS in conversation notes' '$WORK/out' && grep -qx 'state:   new' '$WORK/out' && grep -qx 'rating:  not rated yet' '$WORK/out'"
check "...shows the message, line by line, with its tab" \
    sh -c "grep -qx 'Thank you for the report.' '$WORK/out' && grep -qxP 'We reproduced it:\tthe fix ships in 4.2.1.' '$WORK/out'"
NEWEST=$(ledger "$V" "SELECT max(size) FROM checkpoints WHERE size <= $REPLY_SEQ")
check "...says what the proof says: the import's event number, the checkpoint, the signer" \
    grep -qF "your report was recorded as event $IMPORT_SEQ of the vault's ledger" "$WORK/out"
check "...covered by the checkpoint signed by the vault key, pinned by --from" \
    sh -c "grep -qF 'covered by the checkpoint of size $NEWEST signed by $M' '$WORK/out' && grep -qF 'signed:  $M (the key named by --from)' '$WORK/out'"
check "...nothing on stderr" test ! -s "$WORK/err"

rr "$OUT1"
check "read-reply without a pin: exit 0, says plainly the signer is not pinned, with its fingerprint" \
    sh -c "[ $RC -eq 0 ] && grep -qF 'the signer is not pinned: the reply is signed by $M' '$WORK/err' && grep -qF 'NOT PINNED' '$WORK/out'"

rr "$OUT1" --from "$M" --json
check "read-reply --json: the message, the proof's index and size, the signer" \
    json_check "$WORK/out" "d['message'] == open('$WORK/msg.txt').read() and d['proof']['index'] == $IMPORT_SEQ and d['proof']['size'] == $NEWEST and d['signer'] == '$M' and d['pinned'] == 'from' and d['rating'] is None and d['report'] == '$ID'"

GNUPGHOME="$RH" gpg --batch --decrypt "$OUT1" >"$WORK/plain.json" 2>"$WORK/gpg.err"
check "plain gpg decrypts the reply in the researcher's keyring, good signature by the vault key" \
    sh -c "grep -q 'Good signature' '$WORK/gpg.err' && grep -q '$M' '$WORK/gpg.err'"
check "...the plain text is the reply document (JSON, version 1, the message)" \
    json_check "$WORK/plain.json" "d['airlock_reply'] == 1 and d['report'] == '$ID' and d['message'] == open('$WORK/msg.txt').read() and d['from'] == '$M' and d['proof']['index'] == $IMPORT_SEQ"
check "...in canonical form (sorted keys, no white space)" \
    "$PY" -c 'import json,sys; b=open(sys.argv[1],"rb").read(); d=json.loads(b); sys.exit(0 if json.dumps(d,sort_keys=True,separators=(",",":"),ensure_ascii=False).encode()==b else 1)' "$WORK/plain.json"
check "...the maintainers can read what they sent (encrypted to the vault key too)" \
    sh -c "gpg --batch --decrypt '$OUT1' 2>/dev/null | grep -q 'the fix ships'"

# a policy kit as the project publishes it
KIT="$WORK/kit"
mkdir -p "$KIT"
vault_policy "$KIT/policy.json" "$M" '{"expires": "2099-01-01T00:00:00Z"}'
gpg --batch --yes --armor --local-user "$M" --detach-sign -o "$KIT/policy.json.asc" "$KIT/policy.json"
gpg --batch --armor --export "$M" >"$KIT/keys.asc"
rr "$OUT1" --policy "$KIT" --policy-key "$M"
check "read-reply --policy KIT --policy-key: the signer is a key of the kit, exit 0" \
    sh -c "[ $RC -eq 0 ] && grep -qF '(a key of the policy kit)' '$WORK/out'"

# a researcher who never imported the vault's key: the proof carries it
FH="$WORK/fresh-home"
extra_home "$FH"
GNUPGHOME="$RH" gpg --batch --pinentry-mode loopback --passphrase '' --armor --export-secret-keys "$R" >"$WORK/r-secret.asc"
GNUPGHOME="$FH" gpg --batch --import "$WORK/r-secret.asc" 2>/dev/null
GNUPGHOME="$FH" run "$PACK" read-reply "$OUT1"
check "a keyring without the vault key and no pin: exit 3, asks for --from, imports nothing" \
    sh -c "[ $RC -eq 3 ] && grep -qF 'a key not in your keyring: give --from FPR' '$WORK/err' && ! GNUPGHOME='$FH' gpg --batch --list-keys '$M' >/dev/null 2>&1"
GNUPGHOME="$FH" run "$PACK" read-reply "$OUT1" --from "$O"
check "a keyring without the vault key, --from another key: exit 3, the key in the proof not imported" \
    sh -c "[ $RC -eq 3 ] && grep -qF 'expected $O' '$WORK/err' && ! GNUPGHOME='$FH' gpg --batch --list-keys '$M' >/dev/null 2>&1"
GNUPGHOME="$FH" run "$PACK" read-reply "$OUT1" --from "$M"
check "...--from the vault key: the key in the proof is imported and the signature verified, exit 0" \
    sh -c "[ $RC -eq 0 ] && grep -qF 'signed:  $M (the key named by --from)' '$WORK/out' && GNUPGHOME='$FH' gpg --batch --list-keys '$M' >/dev/null 2>&1"

# ---- a second reply, --json, and one with no proof yet ----------------------------
cp "$OUT1" "$SCRATCH/cwd/reply-3f1c2a9e-1.asc"
av reply "$ID" --message - --json <"$WORK/msg.txt"
OUT2="$SCRATCH/cwd/reply-3f1c2a9e-2.asc"
check "a second reply (message on standard input) goes to reply-3f1c2a9e-2.asc; --json" \
    sh -c "[ $RC -eq 0 ] && [ -f '$OUT2' ]" 
check "...the JSON names the file, event, hash, state, proof and key" \
    json_check "$WORK/out" "d['file'] == 'reply-3f1c2a9e-2.asc' and d['sha256'] == '$(sha256sum "$OUT2" | cut -d' ' -f1)' and d['proof'] == $IMPORT_SEQ and d['state'] == 'new' and d['to'] == '$R' and d['report'] == '$ID'"
check "...the first reply, still there, was not overwritten" \
    test "$(sha256sum "$SCRATCH/cwd/reply-3f1c2a9e-1.asc" | cut -d' ' -f1)" = "$SHA1"
rm -f "$OUT2" "$SCRATCH/cwd/reply-3f1c2a9e-1.asc"

# a report whose import no checkpoint covers yet: the reply has no proof
NP_ID=6b0a4e3c-1f2d-4c5b-8a9e-0d1c2b3a4f5e
GNUPGHOME="$SH" gpg --batch --armor --export "$X" >"$WORK/x.asc"
mkb good "$WORK/np.gpg" --to "$M" --id "$NP_ID" --reply-key "$WORK/x.asc" >/dev/null
vimport "$V" --no-checkpoint "$WORK/np.gpg"
av reply "$NP_ID" --message "$WORK/msg.txt" -o "$WORK/np-reply.asc" --no-checkpoint
check "a reply while the import is not covered by a checkpoint: exit 0, 'no proof'" \
    sh -c "[ $RC -eq 0 ] && grep -qF 'no proof' '$WORK/out'"
check "...its event says proof null" \
    test "$(ledger "$V" "SELECT json_extract(data, '\$.proof') IS NULL FROM events WHERE kind = 'reply' AND report = ?" "$NP_ID")" = 1
"$VAULT_BIN" --vault "$V" checkpoint >/dev/null 2>&1
check "...airlock-vault checkpoint signs both; audit passes" audit_ok
GNUPGHOME="$SH" run "$PACK" read-reply "$WORK/np-reply.asc" --from "$M"
check "...a reader without the vault's key and no proof to carry it: exit 3, says so" \
    sh -c "[ $RC -eq 3 ] && grep -qF 'signed by $M, a key not in your keyring' '$WORK/err'"
GNUPGHOME="$SH" gpg --batch --import "$WORK/maintainer.asc" 2>/dev/null
GNUPGHOME="$SH" run "$PACK" read-reply "$WORK/np-reply.asc" --from "$M"
check "...with it, the stranger reads it: 'proof: none'" \
    sh -c "[ $RC -eq 0 ] && grep -qF 'proof:   none' '$WORK/out'"
check "...the maintainers' keyring still lacks the stranger's key" \
    sh -c "! gpg --batch --list-keys '$X' >/dev/null 2>&1"

# ---- the vault's refusals -------------------------------------------------------
NK_ID=0c4b2a19-7e6d-4f5a-9b8c-3d2e1f0a9b8c
mkb good "$WORK/nokey.gpg" --to "$M" --id "$NK_ID" >/dev/null
vimport "$V" "$WORK/nokey.gpg"
check "a report without a reply key is imported" sh -c "[ $RC -eq 0 ]"
vault_refused "a report that came without a reply key: exit 1, says so and names the contact; no event" 1 \
    "report $NK_ID came without a reply key (keys/reply.asc)" "answer them another way (contact: r@example.net)" \
    -- reply "$NK_ID" --message "$WORK/msg.txt"
touch "$WORK/taken.asc"
vault_refused "an existing OUT: exit 1, 'exists; nothing sealed', the file untouched" 1 \
    "'$WORK/taken.asc' exists; nothing sealed" \
    -- reply "$ID" --message "$WORK/msg.txt" -o "$WORK/taken.asc"
check "...it is still empty" test ! -s "$WORK/taken.asc"
: >"$WORK/empty.txt"
vault_refused "an empty message: exit 1" 1 "message: empty" \
    -- reply "$ID" --message "$WORK/empty.txt"
head -c 65537 /dev/zero | tr '\0' a >"$WORK/big.txt"
vault_refused "a message over 64 KiB: exit 1" 1 "65537 bytes is over the limit of 65536" \
    -- reply "$ID" --message "$WORK/big.txt"
head -c 65537 /dev/zero | tr '\0' a >"$WORK/big-stdin.txt"
RC=0; (cd "$SCRATCH/cwd" && "$VAULT_BIN" --vault "$V" reply "$ID" --message - <"$WORK/big-stdin.txt") >"$WORK/out" 2>"$WORK/err" || RC=$?
check "...on standard input too" sh -c "[ $RC -eq 1 ] && grep -qF 'more than 65536 bytes' '$WORK/err'"
printf 'binary\001\002\377' >"$WORK/bin.txt"
vault_refused "a binary message (not UTF-8): exit 1" 1 "message: not valid UTF-8 text" \
    -- reply "$ID" --message "$WORK/bin.txt"
printf 'escape \033[2J here\n' >"$WORK/esc.txt"
vault_refused "a message with a control character: exit 1, naming the byte" 1 \
    "message: a control character at byte 8 (only newlines and tabs)" \
    -- reply "$ID" --message "$WORK/esc.txt"
printf 'a\0b' >"$WORK/nul.txt"
vault_refused "a message with a NUL byte: exit 1" 1 "message: a control character at byte 2" \
    -- reply "$ID" --message "$WORK/nul.txt"
vault_refused "an unknown report: exit 1" 1 "no report 'deadbeef'" \
    -- reply deadbeef --message "$WORK/msg.txt"
av reply "$ID"
check "no --message: usage error (exit 2)" sh -c "[ $RC -eq 2 ] && grep -q 'usage: airlock-vault' '$WORK/err'"
av reply --help
check "reply --help: exit 0, the usage on stdout" sh -c "[ $RC -eq 0 ] && grep -q -- '--message FILE' '$WORK/out'"

# reply keys that cannot be used, in bundles (import only checks the armor)
EXP=$(GNUPGHOME="$BH" gen_key expired cv25519 --faked-system-time 20200101T000000)
REV=$(GNUPGHOME="$BH" gen_key revoked)
SIGNONLY=$(GNUPGHOME="$BH" gen_key signonly none)
TWO=$(GNUPGHOME="$BH" gen_key second)
sed 's/^:-----/-----/' "$BH/openpgp-revocs.d/$REV.rev" >"$WORK/rev.asc"
GNUPGHOME="$BH" gpg --batch --import "$WORK/rev.asc" 2>/dev/null
GNUPGHOME="$BH" gpg --batch --armor --export "$EXP" >"$WORK/k-expired.asc"
GNUPGHOME="$BH" gpg --batch --armor --export "$REV" >"$WORK/k-revoked.asc"
GNUPGHOME="$BH" gpg --batch --armor --export "$SIGNONLY" >"$WORK/k-signonly.asc"
GNUPGHOME="$BH" gpg --batch --armor --export "$TWO" "$REV" >"$WORK/k-two.asc"
GNUPGHOME="$BH" gpg --batch --pinentry-mode loopback --passphrase '' --armor --export-secret-keys "$TWO" |
    sed 's/PRIVATE KEY BLOCK/PUBLIC KEY BLOCK/' >"$WORK/k-secret.asc"
printf -- '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nbm90IGEga2V5\n-----END PGP PUBLIC KEY BLOCK-----\n' >"$WORK/k-garbage.asc"
n=0
for c in "expired|has expired" "revoked|is revoked" "signonly|has no usable encryption subkey"; do
    kind=${c%%|*} want=${c#*|}
    n=$((n + 1))
    kid=$(printf '5e0d%04x-1a2b-4c3d-8e4f-5a6b7c8d9e0f' "$n")
    mkb good "$WORK/k-$kind.gpg" --to "$M" --id "$kid" --reply-key "$WORK/k-$kind.asc" >/dev/null
    vimport "$V" "$WORK/k-$kind.gpg"
    if [ "$RC" -ne 0 ]; then not_ok "a bundle with a $kind reply key is imported: $(cat "$WORK/err")"; continue; fi
    vault_refused "a $kind reply key: exit 1, the report named, '$want'" 1 \
        "report $kid: its reply key (keys/reply.asc) cannot be used" "$want" "nothing sealed" \
        -- reply "$kid" --message "$WORK/msg.txt"
done
# a reply.asc that is not one public key is refused at import
for c in "two|holds 2 keys, not one" "secret|holds secret key material" "garbage|holds no OpenPGP key"; do
    kind=${c%%|*} want=${c#*|}
    n=$((n + 1))
    kid=$(printf '5e0d%04x-1a2b-4c3d-8e4f-5a6b7c8d9e0f' "$n")
    mkb good "$WORK/k-$kind.gpg" --to "$M" --id "$kid" --reply-key "$WORK/k-$kind.asc" >/dev/null
    vault_snapshot "$V"
    refused "a bundle whose reply.asc $want is refused at import" "$V" "$WORK/k-$kind.gpg" 1 \
        "entry 'keys/reply.asc': " "$want"
done
check "no reply key was ever imported into the maintainers' keyring" \
    sh -c "! gpg --batch --list-keys '$EXP' '$REV' '$SIGNONLY' '$TWO' >/dev/null 2>&1"

# a reply.asc with something after its one public key block (a secret key
# appended) is refused at import: it would be stored unread
{ cat "$WORK/k-two.asc"; GNUPGHOME="$BH" gpg --batch --pinentry-mode loopback --passphrase '' --export-secret-keys "$TWO"; } >"$WORK/k-trail.asc" 2>/dev/null
n=$((n + 1))
kid=$(printf '5e0d%04x-1a2b-4c3d-8e4f-5a6b7c8d9e0f' "$n")
mkb good "$WORK/k-trail.gpg" --to "$M" --id "$kid" --reply-key "$WORK/k-trail.asc" >/dev/null
vault_snapshot "$V"
refused "a reply.asc with bytes after its key block is refused at import" "$V" "$WORK/k-trail.gpg" 1 \
    "entry 'keys/reply.asc': not an ASCII-armored OpenPGP public key block"

# ---- the reader's refusals -------------------------------------------------------
reader_refused "read-reply --from a key that did not sign it: exit 3" 3 \
    "signed by $M, expected $O (--from)" -- "$OUT1" --from "$O"
reader_refused "read-reply --from a key id, not a fingerprint: usage (exit 2)" 2 \
    "is not a full fingerprint" -- "$OUT1" --from "${M: -16}"
# a kit the vault key is not part of
KIT2="$WORK/kit2"
mkdir -p "$KIT2"
vault_policy "$KIT2/policy.json" "$O" '{"expires": "2099-01-01T00:00:00Z"}'
gpg --batch --yes --armor --local-user "$O" --detach-sign -o "$KIT2/policy.json.asc" "$KIT2/policy.json"
gpg --batch --armor --export "$O" >"$KIT2/keys.asc"
reader_refused "read-reply with a kit whose keys did not sign it: exit 3" 3 \
    "signed by $M, which is not a key of the policy kit" -- "$OUT1" --policy "$KIT2" --policy-key "$O"

# a tampered file: one character of the armored body changed
"$PY" - "$OUT1" "$WORK/tampered.asc" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
i = len(lines) // 2
s = lines[i]
lines[i] = s[:10] + ("A" if s[10] != "A" else "B") + s[11:]
open(sys.argv[2], "w").write("\n".join(lines))
PY
rr "$WORK/tampered.asc" --from "$M"
check "a tampered reply: exit 1 or 3, a one-line message naming it" \
    sh -c "[ $RC -eq 1 -o $RC -eq 3 ] && grep -qF \"reply '$WORK/tampered.asc'\" '$WORK/err' && [ ! -s '$WORK/out' ]"

# a reply to someone else: the stranger's, which the researcher cannot open
reader_refused "a reply addressed to someone else: exit 1, cannot decrypt" 1 \
    "is not addressed to you" -- "$WORK/np-reply.asc" --from "$M"

# forgeries signed with the vault's key itself (as someone holding it, or a
# bug, could): the document is read strictly and the proof checked
gpg --batch --decrypt "$OUT1" >"$WORK/doc.json" 2>/dev/null
# the researcher's key, for encrypting forgeries to them
GNUPGHOME="$RH" gpg --batch --armor --export "$R" >"$WORK/r.asc"
seal_forgery() {
    local name=$1
    shift
    gpg --batch --yes --always-trust --armor -o "$WORK/$name.asc" "$@" \
        -f "$WORK/r.asc" -r "$M" --encrypt "$WORK/$name.json" 2>"$WORK/forge.err"
}
make_doc() {
    "$PY" - "$WORK/doc.json" "$WORK/$1.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
open(sys.argv[2], "wb").write(json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
PY
}

make_doc same 'pass'
seal_forgery same --sign --local-user "$M"
rr "$WORK/same.asc" --from "$M"
check "the harness: the same document sealed by plain gpg reads back (exit 0)" expect_exit 0

make_doc badpath 'import base64; h = bytearray(base64.b64decode(d["proof"]["path"][0])); h[0] ^= 1; d["proof"]["path"][0] = base64.b64encode(bytes(h)).decode()'
seal_forgery badpath --sign --local-user "$M"
reader_refused "a forged proof (a path hash changed), signed by the vault key: exit 3" 3 \
    "proof: event $IMPORT_SEQ is not in the checkpoint of size $NEWEST" -- "$WORK/badpath.asc" --from "$M"

make_doc badindex 'd["proof"]["index"] += 1'
seal_forgery badindex --sign --local-user "$M"
reader_refused "a forged proof (another index): exit 3" 3 \
    "its event's seq is not its index" -- "$WORK/badindex.asc" --from "$M"

make_doc badcp 'lines = d["proof"]["checkpoint"].split("\n"); lines[1] = str(int(lines[1]) + 1); d["proof"]["checkpoint"] = "\n".join(lines)'
seal_forgery badcp --sign --local-user "$M"
rr "$WORK/badcp.asc" --from "$M"
check "a forged proof (the checkpoint's size changed): exit 3, the path or the checkpoint's signature" \
    sh -c "[ $RC -eq 3 ] && grep -qE 'proof: event|the checkpoint of its proof: (signature is bad|no signature)' '$WORK/err'"

printf 'not the checkpoint\n' >"$WORK/other.txt"
gpg --batch --yes --armor --local-user "$M" --detach-sign -o "$WORK/other.txt.asc" "$WORK/other.txt"
make_doc badsig "d['proof']['signature'] = open('$WORK/other.txt.asc').read()"
seal_forgery badsig --sign --local-user "$M"
reader_refused "a proof whose checkpoint signature is another text's: exit 3" 3 \
    "the checkpoint of its proof: signature is bad" -- "$WORK/badsig.asc" --from "$M"

make_doc otherreport 'd["report"] = "0c4b2a19-7e6d-4f5a-9b8c-3d2e1f0a9b8c"; d["proof"]["report"] = d["report"]'
seal_forgery otherreport --sign --local-user "$M"
reader_refused "a proof of another report's import: exit 3" 3 \
    "proof: its event is the import of another report" -- "$WORK/otherreport.asc" --from "$M"

make_doc fromother "d['from'] = '$O'"
seal_forgery fromother --sign --local-user "$M"
reader_refused "a document that names another key in 'from': exit 3" 3 \
    "it says it is from $O but is signed by $M" -- "$WORK/fromother.asc" --from "$M"

make_doc unknownkey 'd["note"] = "x"'
seal_forgery unknownkey --sign --local-user "$M"
reader_refused "a document with an unknown key: exit 1" 1 \
    "unknownkey.asc': unknown key 'note'" -- "$WORK/unknownkey.asc" --from "$M"

cp "$WORK/same.json" "$WORK/spaced.json"
printf ' ' >>"$WORK/spaced.json"
seal_forgery spaced --sign --local-user "$M"
reader_refused "a document not in canonical form: exit 1" 1 \
    "not in canonical JSON form" -- "$WORK/spaced.asc" --from "$M"

make_doc ctrl 'd["message"] = "clear the screen \u001b[2J"'
seal_forgery ctrl --sign --local-user "$M"
reader_refused "a message with a control character: exit 1" 1 \
    "message: a control character at byte 18" -- "$WORK/ctrl.asc" --from "$M"

seal_forgery same
cp "$WORK/same.asc" "$WORK/unsigned.asc"
reader_refused "an unsigned reply: exit 3" 3 "is not signed" -- "$WORK/unsigned.asc" --from "$M"

seal_forgery same --sign --local-user "$O"
cp "$WORK/same.asc" "$WORK/by-other.asc"
reader_refused "a reply signed by another key of the maintainers' keyring, --from the vault key: exit 3" 3 \
    "signed by $O, expected $M" -- "$WORK/by-other.asc" --from "$M"

mkfifo "$WORK/fifo.asc"
RC=0; timeout 10 "$PACK" read-reply "$WORK/fifo.asc" >"$WORK/out" 2>"$WORK/err" || RC=$?
check "read-reply of a FIFO: refused at once (exit 1), no wait for a writer" \
    sh -c "[ $RC -eq 1 ] && grep -qF 'not a regular file' '$WORK/err'"
reader_refused "a file that does not exist: exit 1" 1 "nothing.asc': no such file" -- "$WORK/nothing.asc"
printf 'hello\n' >"$WORK/text.asc"
rr "$WORK/text.asc" --from "$M"
check "a file that is not OpenPGP: exit 1, one line naming it" \
    sh -c "[ $RC -eq 1 ] && grep -qF \"reply '$WORK/text.asc'\" '$WORK/err' && [ \$(wc -l <'$WORK/err') -eq 1 ]"
GNUPGHOME="$RH" run "$PACK" read-reply
check "read-reply without FILE: usage (exit 2)" sh -c "[ $RC -eq 2 ] && grep -q 'usage: airlock-pack read-reply' '$WORK/err'"
GNUPGHOME="$RH" run "$PACK" read-reply --help
check "read-reply --help: exit 0" sh -c "[ $RC -eq 0 ] && grep -q -- '--from FPR' '$WORK/out'"

check "after everything, audit passes" audit_ok
check "every reply event names a report, a hash and a state" \
    test "$(ledger "$V" "SELECT count(*) FROM events WHERE kind = 'reply' AND length(json_extract(data, '\$.sha256')) = 64 AND json_extract(data, '\$.state') = 'new'")" = 3

done_testing
