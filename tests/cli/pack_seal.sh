# SPDX-License-Identifier: Apache-2.0
# airlock-pack seal, checked with plain gpg, tar and Python's tarfile.
. "$(dirname "$0")/lib.sh"

M=$(gen_key maintainer) || { echo "Bail out! cannot generate keys"; exit 1; }
M2=$(gen_key second)
R=$(gen_key researcher)
SIGNONLY=$(gen_key signonly none)
check "test keys were generated" test -n "$M" -a -n "$M2" -a -n "$R" -a -n "$SIGNONLY"

D="$WORK/draft"
make_draft "$D"
mkdir -p "$D/attachments/logs"
printf 'line 1\n' >"$D/attachments/logs/server.log"
printf 'caf\xc3\xa9\n' >"$D/attachments/r$(printf '\xc3\xa9')sum$(printf '\xc3\xa9').txt"
gpg --batch --armor --export "$R" >"$D/reply.asc"
export SOURCE_DATE_EPOCH=1795341600   # 2026-11-22T10:00:00Z

B="$WORK/b1.gpg"
run "$PACK" seal "$D" --to "$M" --sign "$R" -o "$B"
check "seal writes a bundle (exit 0)" sh -c "[ $RC -eq 0 ] && test -s '$B'"
check "seal reports the bundle's sha256" err_has "bundle sha256 $(sha256sum "$B" | cut -d' ' -f1)"

RC=0; gpg --batch --status-fd 3 --decrypt "$B" >"$WORK/inner.tar" 2>"$WORK/err" 3>"$WORK/status" || RC=$?
check "plain gpg decrypts the bundle" expect_exit 0
check "the signature is good and by the researcher's key" \
    sh -c "grep -q '^\[GNUPG:\] GOODSIG' '$WORK/status' && grep -q \"^\\[GNUPG:\\] VALIDSIG .* $R\$\" '$WORK/status'"
check "the message is integrity-protected" \
    sh -c "grep -Eq '^\[GNUPG:\] (DECRYPTION_OKAY|GOODMDC)' '$WORK/status' && ! grep -q 'DECRYPTION_FAILED' '$WORK/status'"
check "the bundle holds no compressed-data packet (sealed uncompressed)" \
    sh -c "! gpg --batch --list-packets '$B' 2>/dev/null | grep -q 'compressed packet'"
check "plain tar lists the inner archive" sh -c "tar -tf '$WORK/inner.tar' >'$WORK/list' && head -1 '$WORK/list' | grep -qx manifest.json"

cat >"$WORK/verify.py" <<'PY'
import hashlib, json, sys, tarfile
tar_path, draft = sys.argv[1], sys.argv[2]
with tarfile.open(tar_path) as t:
    members = t.getmembers()
    names = [m.name for m in members]
    assert names[0] == "manifest.json", names
    assert names[1:] == sorted(names[1:], key=lambda n: n.encode()), names
    m = json.load(t.extractfile("manifest.json"))
    assert m["airlock"] == 1
    assert m["id"] == "3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60"
    assert m["created"] == "2026-11-22T10:00:00Z", m["created"]
    assert m["project"] == "chatwoot" and m["class"] == "xss"
    assert m["title"] == "Stored XSS in conversation notes"
    assert m["cwe"] == ["CWE-79"]
    assert m["severity"]["cvss_v3"] == "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N"
    aff = m["affected"][0]
    assert aff["package"] == {"ecosystem": "npm", "name": "chatwoot"}, aff
    assert aff["ranges"][0]["type"] == "SEMVER"
    assert aff["ranges"][0]["events"] == [{"introduced": "4.0.0"}, {"fixed": "4.2.1"}], aff
    assert m["reporter"] == {"name": "Jane Doe", "contact": "jane@example.net", "credit": "public"}, m["reporter"]
    assert "img src=x" in m["steps"] and m["description"].startswith("A note")
    assert m["tool"].startswith("airlock-pack ")
    files = {f["path"]: f for f in m["files"]}
    assert set(files) == set(names[1:]), (files.keys(), names)
    for mem in members:
        assert mem.isreg(), mem.name
        assert mem.mode == 0o644 and mem.uid == 0 and mem.gid == 0, mem.name
        assert mem.uname == "" and mem.gname == "", mem.name
        assert mem.mtime == 1795341600, mem.mtime
        if mem.name == "manifest.json":
            continue
        data = t.extractfile(mem).read()
        assert files[mem.name]["size"] == len(data)
        assert files[mem.name]["sha256"] == hashlib.sha256(data).hexdigest()
    assert "keys/reply.asc" in files
    assert "attachments/logs/server.log" in files
    assert "attachments/r\u00e9sum\u00e9.txt" in files
    src = open(draft + "/attachments/poc.html", "rb").read()
    assert t.extractfile("attachments/poc.html").read() == src
PY
check "the inner archive matches the spec in every field (python tarfile)" \
    python3 "$WORK/verify.py" "$WORK/inner.tar" "$D"

B2="$WORK/b2.gpg"
run "$PACK" seal "$D" --to "$M" --sign "$R" -o "$B2"
gpg --batch --decrypt "$B2" >"$WORK/inner2.tar" 2>/dev/null
check "sealing twice under SOURCE_DATE_EPOCH gives byte-identical inner archives" \
    cmp -s "$WORK/inner.tar" "$WORK/inner2.tar"
check "...while the encrypted bundles differ (fresh session keys)" sh -c "! cmp -s '$B' '$B2'"

run "$PACK" seal --json "$D" --to "$M" --to "$M2" -o "$WORK/two.gpg"
check "seal --json reports the bundle and its hashes" \
    python3 -c 'import json,sys,hashlib; d=json.load(open(sys.argv[1])); b=open(sys.argv[2],"rb").read(); assert d["bundle_sha256"]==hashlib.sha256(b).hexdigest() and d["report"].startswith("3f1c") and d["signed_by"] is None and len(d["recipients"])==2' "$WORK/out" "$WORK/two.gpg"
gpg --batch --decrypt "$WORK/two.gpg" >"$WORK/two.tar" 2>"$WORK/err"
check "content_sha256 is the SHA-256 of the inner archive" \
    python3 -c 'import json,sys,hashlib; d=json.load(open(sys.argv[1])); assert d["content_sha256"]==hashlib.sha256(open(sys.argv[2],"rb").read()).hexdigest()' "$WORK/out" "$WORK/two.tar"
check "an unsigned bundle carries no signature" sh -c "! grep -q 'Good signature' '$WORK/err'"
pkts=$(gpg --batch --list-packets --pinentry-mode loopback --passphrase '' "$WORK/two.gpg" 2>/dev/null | grep -c '^:pubkey enc packet')
check "a bundle for two recipients is encrypted to both keys" test "$pkts" = 2

run "$PACK" seal "$D" --to "$M" -o "$WORK/armored.asc" --armor
check "--armor writes an ASCII-armored message" sh -c "[ $RC -eq 0 ] && head -1 '$WORK/armored.asc' | grep -q 'BEGIN PGP MESSAGE'"

(cd "$WORK" && "$PACK" seal "$D" --to "$M" >/dev/null 2>&1)
check "the default output name is ID.airlock.gpg" test -s "$WORK/3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60.airlock.gpg"

echo old >"$WORK/exists.gpg"
run "$PACK" seal "$D" --to "$M" -o "$WORK/exists.gpg"
check "seal refuses to replace an existing file" sh -c "[ $RC -eq 1 ] && grep -qx old '$WORK/exists.gpg' && grep -q 'already exists' '$WORK/err'"
run "$PACK" seal "$D" --to "$M" -o "$WORK/exists.gpg" --force
check "--force replaces it" sh -c "[ $RC -eq 0 ] && ! grep -qx old '$WORK/exists.gpg'"

RC=0; "$PACK" seal "$D" --to "$M" -o - 2>"$WORK/err" | gpg --batch --decrypt 2>/dev/null | tar -tf - >"$WORK/list" || RC=$?
check "-o - writes the bundle to standard output" sh -c "[ $RC -eq 0 ] && head -1 '$WORK/list' | grep -qx manifest.json"
check "...and says so, without a made-up size" sh -c "grep -q 'to standard output' '$WORK/err' && ! grep -q '0 bytes' '$WORK/err'"
run "$PACK" seal "$D" --to "$M" -o - --json
check "-o - with --json is a usage error" expect_exit 2

ln -s "$WORK/nowhere/at/all" "$WORK/dangling.gpg"
run "$PACK" seal "$D" --to "$M" -o "$WORK/dangling.gpg"
check "a dangling symlink as OUT is refused with the --force hint" \
    sh -c "[ $RC -eq 1 ] && grep -q 'use --force' '$WORK/err' && [ -L '$WORK/dangling.gpg' ]"
run "$PACK" seal "$D" --to "$M" -o "$WORK/dangling.gpg" --force
check "--force replaces the link itself, never what it points to" \
    sh -c "[ $RC -eq 0 ] && [ ! -L '$WORK/dangling.gpg' ] && [ ! -e '$WORK/nowhere' ]"

nfd="$WORK/nfd"; cp -r "$D" "$nfd"; printf 'x\n' >"$nfd/attachments/$(printf 'cafe\xcc\x81.txt')"
run "$PACK" seal "$nfd" --to "$M" -o "$WORK/nfd.gpg"
gpg --batch --decrypt "$WORK/nfd.gpg" 2>/dev/null | tar -tf - >"$WORK/list" 2>/dev/null
check "a decomposed (macOS) file name is sealed in NFC" \
    sh -c "[ $RC -eq 0 ] && grep -qx \"attachments/caf$(printf '\xc3\xa9').txt\" '$WORK/list'"

# refusals: nothing written, no temporary file left behind
refused() {
    local name=$1 want=$2; shift 2
    local out="$WORK/refused-$AL_T.gpg"
    run "$PACK" seal "$@" -o "$out"
    if expect_exit 1 && err_has "$want" && [ ! -e "$out" ] && ! ls "$WORK" | grep -q 'tmp-'; then
        ok "$name"
    else
        not_ok "$name (want exit 1, '$want', no output)"
    fi
}
bad="$WORK/bad"; cp -r "$D" "$bad"
sed -i 's#^CVSS: .*#CVSS: CVSS:3.1/AV:N#' "$bad/report.md"
refused "seal refuses a draft with an invalid CVSS vector" "report.md:6:" "$bad" --to "$M"
bad2="$WORK/bad2"; cp -r "$D" "$bad2"; ln -s /etc/hostname "$bad2/attachments/host"
refused "seal refuses a draft with a symlinked attachment" "attachments/host: is a symbolic link" "$bad2" --to "$M"
bad3="$WORK/bad3"; cp -r "$D" "$bad3"
sed -i '/^## Steps to reproduce/,/^## Impact/{/^## Impact/!d}' "$bad3/report.md"
refused "seal refuses a draft without steps to reproduce" "steps" "$bad3" --to "$M"
bad4="$WORK/bad4"; cp -r "$D" "$bad4"; sed -i 's#^Affected: .*#Affected: npm/chatwoot >=4.0.0 <#' "$bad4/report.md"
refused "seal refuses a malformed Affected line" "report.md:7:" "$bad4" --to "$M"
refused "seal refuses an unknown recipient, naming it" "0123456789ABCDEF0123456789ABCDEF01234567" \
    "$D" --to 0123456789ABCDEF0123456789ABCDEF01234567
refused "seal refuses a recipient without an encryption subkey" "$SIGNONLY" "$D" --to "$SIGNONLY"
refused "seal refuses a short key id as recipient" "fingerprint" "$D" --to "${M: -16}"

# a signer without secret key: export M2's public key into a fresh home
export GNUPGHOME2="$WORK/gnupg2"; mkdir -m 700 "$GNUPGHOME2"
gpg --batch --export "$M" "$M2" | GNUPGHOME="$GNUPGHOME2" gpg --batch --import 2>/dev/null
RC=0; GNUPGHOME="$GNUPGHOME2" "$PACK" seal "$D" --to "$M" --sign "$M2" -o "$WORK/nosecret.gpg" >"$WORK/out" 2>"$WORK/err" || RC=$?
check "seal refuses to sign with a key whose secret is not here" \
    sh -c "[ $RC -eq 1 ] && [ ! -e '$WORK/nosecret.gpg' ] && grep -q '$M2' '$WORK/err'"
GNUPGHOME="$GNUPGHOME2" gpgconf --kill all 2>/dev/null

# an expired recipient key
EXP=$(gen_key expired cv25519 --faked-system-time 20200101T000000)
check "an expired test key was generated" test -n "$EXP"
run "$PACK" seal "$D" --to "$EXP" -o "$WORK/expired.gpg"
check "seal refuses an expired recipient key" \
    sh -c "[ $RC -eq 1 ] && [ ! -e '$WORK/expired.gpg' ] && grep -q 'expired' '$WORK/err'"

# a filesystem without hard links (FAT, exFAT on USB sticks): link() fails
RC=0; under_strace -e inject=link,linkat:error=EPERM -- \
    "$PACK" seal "$D" --to "$M" -o "$WORK/nolink.gpg" >"$WORK/out" 2>"$WORK/err" || RC=$?
check "seal works where hard links are refused (FAT), leaving no temporary file" \
    sh -c "[ $RC -eq 0 ] && gpg --batch --decrypt '$WORK/nolink.gpg' >/dev/null 2>&1 && ! ls '$WORK' | grep -q 'tmp-'"
RC=0; under_strace -e inject=link,linkat:error=EPERM -- \
    "$PACK" seal "$D" --to "$M" -o "$WORK/nolink.gpg" >"$WORK/out" 2>"$WORK/err" || RC=$?
check "...and still refuses to replace an existing bundle there" \
    sh -c "[ $RC -eq 1 ] && grep -q 'already exists' '$WORK/err' && ! ls '$WORK' | grep -q 'tmp-'"

# interrupted while sealing: no temporary file is left behind, whenever
# the signal lands (before, during or after the write)
big="$WORK/bigdraft"; cp -r "$D" "$big"; head -c 200000000 /dev/zero >"$big/attachments/big.bin"
"$PACK" seal "$big" --to "$M" -o "$WORK/big.gpg" >/dev/null 2>&1 &
pid=$!; sleep 0.5; kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null
check "a seal killed by SIGTERM leaves no temporary file" sh -c "! ls '$WORK' | grep -q 'big.gpg.tmp-'"
(trap '' HUP; exec "$PACK" seal "$big" --to "$M" -o "$WORK/big2.gpg" >/dev/null 2>&1) &
pid=$!; sleep 0.3; kill -HUP $pid 2>/dev/null; wait $pid; rc=$?
check "a seal whose caller ignores SIGHUP (nohup) is not ended by it" \
    sh -c "[ $rc -eq 0 ] && [ -s '$WORK/big2.gpg' ]"
rm -rf "$big" "$WORK/big.gpg" "$WORK/big2.gpg"

unset SOURCE_DATE_EPOCH
run "$PACK" seal "$D" --to "$M" -o "$WORK/now.gpg"
gpg --batch --decrypt "$WORK/now.gpg" 2>/dev/null | tar -xOf - manifest.json >"$WORK/now.json"
check "without SOURCE_DATE_EPOCH, created is the current time" \
    python3 -c 'import json,sys,datetime; c=json.load(open(sys.argv[1]))["created"]; t=datetime.datetime.strptime(c,"%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc); assert abs((datetime.datetime.now(datetime.timezone.utc)-t).total_seconds())<600' "$WORK/now.json"

SOURCE_DATE_EPOCH=garbage run "$PACK" seal "$D" --to "$M" -o "$WORK/sde.gpg"
check "a malformed SOURCE_DATE_EPOCH is refused" sh -c "[ $RC -eq 1 ] && grep -q SOURCE_DATE_EPOCH '$WORK/err' && [ ! -e '$WORK/sde.gpg' ]"

check "no gpg process reached for the network (no dirmngr socket)" \
    sh -c "! ls '$GNUPGHOME' | grep -q dirmngr"

done_testing
