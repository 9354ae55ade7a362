# SPDX-License-Identifier: Apache-2.0
# airlock-vault import, list, show and open with bundles made by other
# tools than ours (tests/cli/mkbundle.py: Python tarfile + the gpg command
# line, following spec/bundle-v1.md) and by airlock-pack: the good paths.
. "$(dirname "$0")/vault_lib.sh"

M=$(gen_key maintainer) || { echo "Bail out! cannot generate keys"; exit 1; }
R=$(gen_key researcher)
RS=$(sign_subkey "$R")
SH="$WORK/gnupg-stranger"
extra_home "$SH"
S=$(GNUPGHOME="$SH" gen_key stranger)
gpg --batch --export "$M" | GNUPGHOME="$SH" gpg --batch --import 2>/dev/null
check "test keys were generated (the researcher's with a signing subkey)" \
    test -n "$M" -a -n "$R" -a -n "$RS" -a -n "$S" -a "$RS" != "$R"

V="$WORK/vault"
vault_init "$V" "$M" || { echo "Bail out! cannot create the vault"; exit 1; }
check "init made the vault 0700 with its ledger and store" \
    sh -c "[ \"\$(stat -c %a '$V')\" = 700 ] && [ -f '$V/ledger.sqlite' ] && [ -d '$V/store' ]"

B="$WORK/b"
mkdir -p "$B"
gpg --batch --armor --export "$R" >"$WORK/reply.asc"
printf '<img src=x onerror=alert(1)>\n' >"$WORK/poc.html"
head -c 70000 /dev/urandom >"$WORK/capture.bin"

ID_A=1a1a1a1a-1111-4111-8111-111111111111
ID_B=2b2b2b2b-2222-4222-9222-222222222222
ID_C=3c3c3c3c-3333-4333-a333-333333333333
ID_D=4d4d4d4d-4444-4444-b444-444444444444
ID_E=5e5e5e5e-5555-4555-8555-555555555555
T_A="A: pax, binary, unsigned, uncompressed, attachments"
T_B="B: ustar, armored, signed, zlib, reply key"
T_C="C: pax, binary, unknown signer, zip, no attachments"
T_D="D: ustar, armored, unsigned, bzip2, no attachments"
T_E="E: non-ASCII names, signed, binary: Überprüfung 日本語"
mkb --batch --to "$M" <<EOF || { echo "Bail out! mkbundle failed"; exit 1; }
good $B/a.gpg --id $ID_A --title "$T_A" --format pax -z 0 --attach poc.html=@$WORK/poc.html --attach capture.bin=@$WORK/capture.bin --tar-out $B/a.tar
good $B/b.asc --id $ID_B --title "$T_B" --format ustar --armor --sign $R --compress-algo zlib --reply-key $WORK/reply.asc --attach poc.html=@$WORK/poc.html
good $B/d.asc --id $ID_D --title "$T_D" --format ustar --armor --compress-algo bzip2
good $B/e.gpg --id $ID_E --title "$T_E" --format pax -z 0 --sign $R --attach "résumé.txt=café" --attach "logs/server.log=line 1"
EOF
GNUPGHOME="$SH" mkb good "$B/c.gpg" --id $ID_C --title "$T_C" --to "$M" --sign "$S" --compress-algo zip
check "plain gpg and tar read the generated bundles (manifest.json first)" \
    sh -c "for f in a.gpg b.asc c.gpg d.asc e.gpg; do gpg --batch -d '$B/'\$f 2>/dev/null | tar -tf - | head -1 | grep -qx manifest.json || exit 1; done"
check "the researcher's signature is made by the signing subkey (so the vault must look up the primary)" \
    sh -c "gpg --batch --status-fd 1 -o /dev/null -d '$B/b.asc' 2>/dev/null | grep -q '^\[GNUPG:\] VALIDSIG $RS .* $R\$'"
check "the compressed ones hold a compressed packet, the others none" \
    sh -c "gpg --batch --list-packets '$B/b.asc' 2>/dev/null | grep -q 'compressed packet' &&
        ! gpg --batch --list-packets '$B/a.gpg' 2>/dev/null | grep -q 'compressed packet'"

# imported NAME FILE ID TITLE: the import succeeded with the human line.
imported() {
    local name=$1 file=$2 id=$3 title=$4
    vimport "$V" "$file"
    # the first line (a second names likely duplicates: the fixtures share a text)
    if expect_exit 0 && [ "$(head -n 1 "$WORK/out")" = "$file: imported $id \"$title\"" ] &&
        scratch_clean; then
        ok "$name"
    else
        not_ok "$name (want exit 0 and '$file: imported $id \"$title\"')"
    fi
}
imported "tarfile pax + gpg, binary, unsigned, uncompressed, attachments imports" "$B/a.gpg" $ID_A "$T_A"
imported "tarfile ustar + gpg, armored, signed, zlib, keys/reply.asc imports" "$B/b.asc" $ID_B "$T_B"
imported "signed by a key not in the vault's keyring, zip, no attachments imports" "$B/c.gpg" $ID_C "$T_C"
imported "armored, unsigned, bzip2, no attachments imports" "$B/d.asc" $ID_D "$T_D"
imported "non-ASCII names and title (pax), signed, binary imports; title as is" "$B/e.gpg" $ID_E "$T_E"
NFD=$(printf 'cafe\xcc\x81.txt')
mkb good "$B/nfd-ustar.gpg" --to "$M" --id 6f6f6f6f-0001-4000-8000-000000000001 --format ustar --attach "$NFD=x"
mkb good "$B/nfd-pax.gpg" --to "$M" --id 6f6f6f6f-0002-4000-8000-000000000002 --format pax --attach "$NFD=x"
imported "an NFD (macOS) attachment name, ustar, imports" "$B/nfd-ustar.gpg" 6f6f6f6f-0001-4000-8000-000000000001 "Stored XSS in conversation notes"
imported "an NFD (macOS) attachment name, pax path record, imports" "$B/nfd-pax.gpg" 6f6f6f6f-0002-4000-8000-000000000002 "Stored XSS in conversation notes"

run "$VAULT_BIN" --vault "$V" list --json
cp "$WORK/out" "$WORK/list.json"
sig() { json_get "$WORK/list.json" "[(r['signature'], r['signer']) for r in d if r['id'] == '$1'][0]"; }
check "list --json: unsigned -> signature none, signer null" \
    test "$(sig $ID_A)" = "('none', None)"
check "list --json: signed by the researcher's subkey -> known, the PRIMARY fingerprint" \
    test "$(sig $ID_B)" = "('known', '$R')"
check "list --json: signed by a stranger -> unknown, with its fingerprint" \
    test "$(sig $ID_C)" = "('unknown', '$S')"
check "list --json: every list field is there, with the bundle's sha256 and reporter" \
    json_check "$WORK/list.json" "len(d) == $(count "$V" reports) and all(set(r) >= {'id','title','state','rating','class','project','created','imported_at','revision','signature','signer','bundle','reporter'} for r in d) and [r for r in d if r['id'] == '$ID_A'][0]['bundle'] == '$(sha256sum "$B/a.gpg" | cut -d' ' -f1)' and all(r['reporter'] == 'Jane Doe' and r['project'] == 'chatwoot' and r['class'] == 'xss' and r['revision'] == 1 for r in d)"

# ---- airlock-pack's own bundles -------------------------------------------
export SOURCE_DATE_EPOCH=1795341600
pack_bundle() {  # ID OUT OPTIONS...: a draft with that id, sealed
    local id=$1 out=$2 d="$WORK/draft-$1"
    shift 2
    make_draft "$d"
    sed -i "s/^Id: .*/Id: $id/; s/^Title: .*/Title: pack $id/" "$d/report.md"
    case " $* " in *" --no-attachments "*) rm -f "$d/attachments/"* ;; esac
    case " $* " in *" --reply "*) cp "$WORK/reply.asc" "$d/reply.asc" ;; esac
    local opts=() o
    for o in "$@"; do case $o in --no-attachments|--reply) ;; *) opts+=("$o") ;; esac; done
    "$PACK" seal "$d" --to "$M" -o "$out" "${opts[@]}" >/dev/null 2>"$WORK/pack.err"
}
P1=aaaaaaaa-0001-4000-8000-000000000001
P2=aaaaaaaa-0002-4000-8000-000000000002
P3=aaaaaaaa-0003-4000-8000-000000000003
P4=aaaaaaaa-0004-4000-8000-000000000004
pack_bundle $P1 "$B/p1.gpg"
pack_bundle $P2 "$B/p2.asc" --armor --sign "$R" --reply
pack_bundle $P3 "$B/p3.gpg" --sign "$R" --no-attachments
pack_bundle $P4 "$B/p4.asc" --armor --no-attachments
check "airlock-pack sealed four bundles" test -s "$B/p1.gpg" -a -s "$B/p2.asc" -a -s "$B/p3.gpg" -a -s "$B/p4.asc"
imported "airlock-pack: binary, unsigned, attachments imports" "$B/p1.gpg" $P1 "pack $P1"
imported "airlock-pack: armored, signed, attachments, reply key imports" "$B/p2.asc" $P2 "pack $P2"
imported "airlock-pack: binary, signed, no attachments imports" "$B/p3.gpg" $P3 "pack $P3"
imported "airlock-pack: armored, unsigned, no attachments imports" "$B/p4.asc" $P4 "pack $P4"
run "$VAULT_BIN" --vault "$V" list --json
check "airlock-pack's signed bundles are known, by the primary fingerprint" \
    json_check "$WORK/out" "[(r['signature'], r['signer']) for r in d if r['id'] in ('$P2', '$P3')] == [('known', '$R')] * 2"

# ---- replays and revisions ------------------------------------------------
reports=$(count "$V" reports)
bundles=$(count "$V" bundles)
vimport "$V" "$B/a.gpg"
check "importing the same file again is a replay (exit 0, 'replay of ID')" \
    sh -c "[ $RC -eq 0 ] && [ \"\$(cat '$WORK/out')\" = '$B/a.gpg: replay of $ID_A' ]"
check "...and adds no report and no bundle" \
    test "$(count "$V" reports)/$(count "$V" bundles)" = "$reports/$bundles"
vimport "$V" --json "$B/a.gpg"
check "...--json says status replay with the report" \
    json_check "$WORK/out" "len(d) == 1 and d[0]['status'] == 'replay' and d[0]['report'] == '$ID_A' and d[0]['error'] is None"

mkb good "$B/a-again.gpg" --from-tar "$B/a.tar" --to "$M"
check "the same inner archive encrypted again is another file" \
    sh -c "! cmp -s '$B/a.gpg' '$B/a-again.gpg' && gpg --batch -d '$B/a-again.gpg' 2>/dev/null | cmp -s - '$B/a.tar'"
vimport "$V" "$B/a-again.gpg"
check "...and a replay of the same report (content hash)" \
    sh -c "[ $RC -eq 0 ] && [ \"\$(cat '$WORK/out')\" = '$B/a-again.gpg: replay of $ID_A' ]"
check "...adding no report" test "$(count "$V" reports)" = "$reports"

mkb good "$B/a-rev2.gpg" --to "$M" --id $ID_A --title "A, revised" --attach poc.html=@"$WORK/poc.html" --attach fix.patch=diff
vimport "$V" "$B/a-rev2.gpg"
check "the same report id with new content is revision 2 (with its title)" \
    sh -c "[ $RC -eq 0 ] && [ \"\$(head -n 1 '$WORK/out')\" = '$B/a-rev2.gpg: revision 2 of $ID_A \"A, revised\"' ]"
check "...adding no report but a bundle" \
    test "$(count "$V" reports)/$(count "$V" bundles)" = "$reports/$((bundles + 1))"
mkb good "$B/a-rev3.gpg" --to "$M" --id $ID_A --title "A, revised twice"
vimport "$V" --json "$B/a-rev3.gpg"
check "...a third: --json status imported, revision 3, the bundle's sha256" \
    json_check "$WORK/out" "len(d) == 1 and {k: d[0][k] for k in ('file', 'status', 'report', 'revision', 'error', 'bundle')} == {'file': '$B/a-rev3.gpg', 'status': 'imported', 'report': '$ID_A', 'revision': 3, 'error': None, 'bundle': '$(sha256sum "$B/a-rev3.gpg" | cut -d' ' -f1)'}"
run "$VAULT_BIN" --vault "$V" list --json
check "list shows the report at revision 3" \
    json_check "$WORK/out" "[r['revision'] for r in d if r['id'] == '$ID_A'] == [3]"

# ---- a folder -------------------------------------------------------------
F="$WORK/folder"
mkdir "$F"
F1=f0f0f0f0-0001-4000-8000-000000000001
F3=f0f0f0f0-0003-4000-8000-000000000003
FH=f0f0f0f0-00ff-4000-8000-0000000000ff
mkb --batch --to "$M" <<EOF
good $F/1-good.gpg --id $F1 --attach poc.html=one
good $F/3-good.asc --id $F3 --armor
good $F/.hidden.gpg --id $FH
EOF
# fixed bytes: random ones can, now and then, parse as OpenPGP packets
printf 'not a bundle, just text %.0s' $(seq 100) >"$F/2-bad.gpg"
vimport "$V" --json "$F"
check "a folder with one bad file: exit 1" expect_exit 1
check "...--json: one result a visible file, by name, with the right statuses" \
    json_check "$WORK/out" "[(r['file'], r['status'], r['report'], r['revision']) for r in d] == [('$F/1-good.gpg', 'imported', '$F1', 1), ('$F/2-bad.gpg', 'refused', None, None), ('$F/3-good.asc', 'imported', '$F3', 1)]"
check "...every result has the contract's keys and types" \
    json_check "$WORK/out" "all(set(r) >= {'file','status','report','revision','duplicates','error'} and isinstance(r['duplicates'], list) and (r['error'] is None) == (r['status'] != 'refused') for r in d) and 'not an OpenPGP message' in d[1]['error']"
check "...the good ones are in the vault, the hidden file was skipped" \
    test "$(ledger "$V" "SELECT count(*) FROM reports WHERE id IN ('$F1', '$F3')")/$(ledger "$V" "SELECT count(*) FROM reports WHERE id = '$FH'")" = "2/0"
mkb good "$WORK/f4.gpg" --to "$M" --attach poc.html=four
vimport "$V" "$WORK/f4.gpg" "$F/2-bad.gpg" "$F/1-good.gpg"
check "several files: human lines on stdout in order, the refusal on stderr, exit 1" \
    sh -c "[ $RC -eq 1 ] && [ \$(grep -vc '^  ' '$WORK/out') -eq 2 ] && head -1 '$WORK/out' | grep -q '^$WORK/f4.gpg: imported ' &&
        grep -v '^  ' '$WORK/out' | sed -n 2p | grep -qx '$F/1-good.gpg: replay of $F1' && grep -q '^airlock-vault: $F/2-bad.gpg: ' '$WORK/err'"

# ---- list, show ------------------------------------------------------------
run "$VAULT_BIN" --vault "$V" list
check "list: one line a report" test "$(wc -l <"$WORK/out")" = "$(count "$V" reports)"
check "list: ID STATE RATING CLASS TITLE, rating '-' before triage" \
    sh -c "grep '^$ID_B ' '$WORK/out' | awk '{ exit !(\$1 == \"$ID_B\" && \$3 == \"-\" && \$4 == \"xss\") }' && grep '^$ID_B ' '$WORK/out' | grep -qF '$T_B'"
check "list: a non-ASCII title is shown as it is" grep -qF "$T_E" "$WORK/out"

run "$VAULT_BIN" --vault "$V" show "$ID_B"
cp "$WORK/out" "$WORK/show-full"
check "show ID: the title, the reporter and the import in its history" \
    sh -c "[ $RC -eq 0 ] && grep -qF '$T_B' '$WORK/out' && grep -qF 'Jane Doe' '$WORK/out' && grep -qi 'import' '$WORK/out'"
run "$VAULT_BIN" --vault "$V" show "${ID_B:0:8}"
check "show PREFIX (8 characters) shows the same report" cmp -s "$WORK/out" "$WORK/show-full"
run "$VAULT_BIN" --vault "$V" show --json "$ID_B"
check "show --json: list fields, the manifest, its events" \
    json_check "$WORK/out" "d['id'] == '$ID_B' and d['title'] == '$T_B' and d['signature'] == 'known' and d['manifest']['id'] == '$ID_B' and [f['path'] for f in d['manifest']['files']] == ['attachments/poc.html', 'keys/reply.asc'] and len(d['events']) >= 1 and all(set(e) >= {'seq','at','kind','actor','data'} for e in d['events'])"
run "$VAULT_BIN" --vault "$V" show 99999999-9999-4999-8999-999999999999
check "show of an unknown id: exit 1, 'no report'" sh -c "[ $RC -eq 1 ] && grep -q 'no report' '$WORK/err'"

# ---- open ------------------------------------------------------------------
run "$VAULT_BIN" --vault "$V" open "$ID_B" -o "$WORK/open-b"
check "open -o DIR: exit 0, DIR made 0700" \
    sh -c "[ $RC -eq 0 ] && [ \"\$(stat -c %a '$WORK/open-b')\" = 700 ]"
check "...the attachment and the reply key are the bytes sent" \
    sh -c "cmp -s '$WORK/poc.html' '$WORK/open-b/attachments/poc.html' && cmp -s '$WORK/reply.asc' '$WORK/open-b/keys/reply.asc'"
check "...manifest.json is the manifest sent" \
    sh -c "gpg --batch -d '$B/b.asc' 2>/dev/null | tar -xOf - manifest.json >'$WORK/sent.json' &&
        $PY -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); assert {k: a[k] for k in (\"id\",\"title\",\"files\",\"reporter\",\"affected\")} == {k: b[k] for k in (\"id\",\"title\",\"files\",\"reporter\",\"affected\")}' '$WORK/sent.json' '$WORK/open-b/manifest.json'"
check "...files 0600, folders 0700, nothing else (no link, no device)" \
    sh -c "[ -z \"\$(find '$WORK/open-b' -type f ! -perm 600)\" ] && [ -z \"\$(find '$WORK/open-b' -type d ! -perm 700)\" ] && [ -z \"\$(find '$WORK/open-b' ! -type f ! -type d)\" ]"
check "...an 'open' event is recorded" \
    test "$(ledger "$V" "SELECT count(*) FROM events WHERE kind = 'open' AND report = ?" "$ID_B")" -ge 1
RC=0; (cd "$SCRATCH/cwd" && "$VAULT_BIN" --vault "$V" open "$ID_E") >"$WORK/out" 2>"$WORK/err" || RC=$?
check "open without -o writes ./airlock-ID, non-ASCII and sub-folder names intact" \
    sh -c "[ $RC -eq 0 ] && [ \"\$(cat '$SCRATCH/cwd/airlock-$ID_E/attachments/résumé.txt')\" = café ] && [ \"\$(cat '$SCRATCH/cwd/airlock-$ID_E/attachments/logs/server.log')\" = 'line 1' ]"
rm -rf "$SCRATCH/cwd/airlock-$ID_E"
mkdir "$WORK/exists"
echo keep >"$WORK/exists/marker"
run "$VAULT_BIN" --vault "$V" open "$ID_B" -o "$WORK/exists"
check "open refuses an existing DIR (exit 1), leaving it as it was" \
    sh -c "[ $RC -eq 1 ] && [ \"\$(ls -A '$WORK/exists')\" = marker ] && grep -qx keep '$WORK/exists/marker'"
mkdir "$WORK/target"
ln -s "$WORK/target" "$WORK/link"
run "$VAULT_BIN" --vault "$V" open "$ID_B" -o "$WORK/link"
check "open refuses a symlink at DIR (exit 1), writing nothing through it" \
    sh -c "[ $RC -eq 1 ] && [ -L '$WORK/link' ] && [ -z \"\$(ls -A '$WORK/target')\" ]"
ln -s "$WORK/nowhere" "$WORK/dangling"
run "$VAULT_BIN" --vault "$V" open "$ID_B" -o "$WORK/dangling"
check "open refuses a dangling symlink at DIR, creating nothing at its target" \
    sh -c "[ $RC -eq 1 ] && [ -L '$WORK/dangling' ] && [ ! -e '$WORK/nowhere' ]"

# ---- require_signature -------------------------------------------------------
V2="$WORK/vault-signed"
vault_init "$V2" "$M" '{"require_signature": true}'
vault_snapshot "$V2"
refused "require_signature: an unsigned bundle is refused (3)" "$V2" "$B/a.gpg" 3 \
    "unsigned; the vault's policy requires a signature by a known key"
refused "require_signature: a bundle by an unknown signer is refused (3)" "$V2" "$B/c.gpg" 3 \
    "signed by $S, a key not in the keyring; the vault's policy requires a signature by a known key"
vimport "$V2" "$B/b.asc"
check "require_signature: a bundle by a known signer imports" \
    sh -c "[ $RC -eq 0 ] && [ \"\$(cat '$WORK/out')\" = '$B/b.asc: imported $ID_B \"$T_B\"' ]"

# ---- hostile text -----------------------------------------------------------
SQLT="x'); DROP TABLE reports; --"
mkb good "$B/sql.gpg" --to "$M" --title "$SQLT" --reporter "Robert'); DROP TABLE events; --"
vimport "$V" "$B/sql.gpg"
check "a title like an SQL injection imports" expect_exit 0
SQL_ID=$(awk 'NR == 1 {print $3}' "$WORK/out")
run "$VAULT_BIN" --vault "$V" show --json "$SQL_ID"
check "...stored verbatim (show --json)" \
    json_check "$WORK/out" "d['title'] == \"$SQLT\" and d['reporter'] == \"Robert'); DROP TABLE events; --\""
check "...stored verbatim (the ledger, read with Python's sqlite3)" \
    test "$(ledger "$V" "SELECT title FROM reports WHERE id = ?" "$SQL_ID")" = "$SQLT"
check "...and the tables are all still there" \
    test "$(ledger "$V" "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('events', 'reports', 'bundles') ORDER BY name)")" = "bundles,events,reports"

ESC_TEXT=$'Clear: \e[2J, title: \e]0;pwned\a, bidi: \u202egnp.exe, C1: \u009b31m'
mkb good "$B/esc.gpg" --to "$M" --title "Escapes in the texts" --description "$ESC_TEXT" --extra "$ESC_TEXT"
ESCF="$WORK/esc/evil"$'\e[2J\e]0;x\a\u202e'".gpg"
mkdir -p "$WORK/esc"
cp "$B/esc.gpg" "$ESCF"
vimport "$V" "$ESCF"
check "a bundle whose file name holds ESC, BEL and U+202E imports" expect_exit 0
check "...the import line shows them escaped" grep -qF 'evil\x1b[2J' "$WORK/out"
check "...no raw control character on stdout or stderr" outputs_clean
ok_and_clean() { expect_exit 0 && outputs_clean; }
ESC_ID=$(ledger "$V" "SELECT id FROM reports WHERE title = 'Escapes in the texts'")
for cmd in "list" "list --json" "show $ESC_ID" "show --json $ESC_ID"; do
    run "$VAULT_BIN" --vault "$V" $cmd
    check "$cmd: no raw ESC, BEL, C1 or bidi byte reaches the terminal" \
        ok_and_clean
done
run "$VAULT_BIN" --vault "$V" open "$ESC_ID" -o "$WORK/open-esc"
check "open: the texts come back verbatim (the vault keeps them encrypted only)" \
    "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["description"] == d["additional"] == sys.argv[2], d' "$WORK/open-esc/manifest.json" "$ESC_TEXT"
check "...and open prints no raw control character" outputs_clean

vault_snapshot "$V"
mkb good "$B/title-esc.gpg" --to "$M" --title $'evil \e[2J\e]0;pwned\a \u202egnp.exe'
refused "a title with ESC [2J, an OSC title and U+202E is refused, no raw byte shown" "$V" "$B/title-esc.gpg" 1 \
    "manifest: 'title': contains a control or bidi character"
done_testing
