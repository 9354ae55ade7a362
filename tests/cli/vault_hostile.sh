# SPDX-License-Identifier: Apache-2.0
# airlock-vault import against hostile bundles made by other tools than
# ours (tests/cli/mkbundle.py: Python tarfile, hand-made tar bytes, the gpg
# command line, a hand-made SEIPD packet).  Each refusal is one TAP line
# checking the exit status, that stderr names the file and the reason, that
# the vault is unchanged (reports, bundles, the store's files; the ledger
# may gain one 'refused' event) and that nothing was written outside it.
. "$(dirname "$0")/vault_lib.sh"

M=$(gen_key maintainer) || { echo "Bail out! cannot generate keys"; exit 1; }
R=$(gen_key researcher)
R2=$(gen_key second)
OTHER_HOME="$WORK/gnupg-other"
extra_home "$OTHER_HOME"
O=$(GNUPGHOME="$OTHER_HOME" gen_key other)
check "test keys were generated" test -n "$M" -a -n "$R" -a -n "$R2" -a -n "$O"

V="$WORK/vault"
VL="$WORK/vault-limits"
vault_init "$V" "$M" || { echo "Bail out! cannot create the vault"; exit 1; }
vault_init "$VL" "$M" '{"limits": {"bundle_bytes": 1048576, "entries": 5, "manifest_bytes": 8192}}' ||
    { echo "Bail out! cannot create the second vault"; exit 1; }

ID_S=5a5a5a5a-5555-4555-8555-555555555555
# Every bundle, made at once (one Python process); each breaks one rule.
B="$WORK/b"
mkdir -p "$B"
head -c 2200000 /dev/urandom >"$WORK/random.bin"
printf -- '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQ==\n-----END PGP PRIVATE KEY BLOCK-----\n' >"$WORK/secret.asc"
printf 'my key is on the keyserver\n' >"$WORK/notakey.asc"
mkb --batch --to "$M" --escape "$SCRATCH" <<EOF || { echo "Bail out! mkbundle failed"; exit 1; }
good $B/control.gpg --attach poc.html=x --attach a.txt=y
good $B/control-handmade.gpg --outer handmade-signed --sign $R --attach poc.html=x --id $ID_S
good $B/revision-unsigned.gpg --id $ID_S --title "revised, unsigned"
good $B/revision-other-signer.gpg --id $ID_S --title "revised by another" --sign $R2
entries $B/control-limits.gpg --count 4
dotdot $B/dotdot.gpg
dotdot-inner $B/dotdot-inner.gpg
dotdot-listed $B/dotdot-listed.gpg
absolute $B/absolute.gpg
symlink $B/symlink.gpg
symlink-through $B/symlink-through.gpg
hardlink $B/hardlink.gpg
hardlink-data $B/hardlink-data.gpg --format ustar
chardev $B/chardev.gpg
fifo $B/fifo.gpg
directory $B/directory.gpg
duplicate $B/duplicate.gpg
duplicate-other $B/duplicate-other.gpg
case-twins $B/case-twins.gpg
case-twins-archive $B/case-twins-archive.gpg
fold-twins $B/fold-twins.gpg
nfd-twins $B/nfd-twins.gpg --format ustar
no-manifest $B/no-manifest.gpg
manifest-not-first $B/manifest-not-first.gpg
manifest-twice $B/manifest-twice.gpg
manifest-symlink $B/manifest-symlink.gpg
manifest-invalid-json $B/manifest-invalid-json.gpg
manifest-big $B/manifest-big.gpg
manifest-no-title $B/manifest-no-title.gpg
manifest-no-files $B/manifest-no-files.gpg
manifest-version-2 $B/manifest-version-2.gpg
manifest-bad-id $B/manifest-bad-id.gpg
manifest-uuid-v1 $B/manifest-uuid-v1.gpg
manifest-duplicate-key $B/manifest-duplicate-key.gpg
manifest-array $B/manifest-array.gpg
title-escape $B/title-escape.gpg
reporter-escape $B/reporter-escape.gpg
hash-mismatch $B/hash-mismatch.gpg
size-mismatch $B/size-mismatch.gpg
reply-key-mismatch $B/reply-key-mismatch.gpg
good $B/reply-key-secret.gpg --reply-key $WORK/secret.asc
good $B/reply-key-text.gpg --reply-key $WORK/notakey.asc
good $B/file-and-folder.gpg --attach poc=x --attach poc/run.sh=y
unlisted $B/unlisted.gpg
missing $B/missing.gpg
outside-prefix $B/outside-prefix.gpg
control-name $B/control-name.gpg
backslash-name $B/backslash-name.gpg
long-name $B/long-name.gpg
too-many $B/too-many.gpg
gzip $B/gzip.gpg
gnu-sparse $B/gnu-sparse.gpg
pax-sparse $B/pax-sparse.gpg
global-pax $B/global-pax.gpg
pax-nul-path $B/pax-nul-path.gpg
pax-linkpath $B/pax-linkpath.gpg
gnu-longname $B/gnu-longname.gpg
appended $B/appended.gpg
trailing-junk $B/trailing-junk.gpg
lying-size $B/lying-size.gpg
bad-checksum $B/bad-checksum.gpg
non-utf8-name $B/non-utf8-name.gpg
non-utf8-pax $B/non-utf8-pax.gpg
empty-tar $B/empty-tar.gpg
not-tar $B/not-tar.gpg
random $B/random.gpg
text $B/text.txt
empty $B/empty.gpg
armor-garbage $B/armor-garbage.asc
symmetric $B/symmetric.gpg
signed-only $B/signed-only.gpg --sign $R
signed-only $B/signed-only-z0.gpg --sign $R -z 0
clearsigned $B/clearsigned.asc --sign $R
no-mdc $B/no-mdc.gpg
truncated $B/truncated.gpg
truncated-tail $B/truncated-tail.gpg
bitflip $B/bitflip.gpg -z 0
wrapped $B/wrapped.gpg
bad-signature $B/bad-signature.gpg --sign $R --extra SIGNED-AND-THEN-CHANGED
two-plaintexts $B/two-plaintexts.gpg
good $B/two-signatures.gpg --sign $R --sign $R2 --attach poc.html=x
good $B/armored-no-mdc.asc --outer no-mdc --armor
entries $B/limits-entries.gpg --count 5
good $B/limits-manifest.gpg --extra $(printf 'M%.0s' $(seq 9000))
good $B/limits-oversize.gpg -z 0 --attach big.bin=@$WORK/random.bin
EOF
GNUPGHOME="$OTHER_HOME" mkb good "$B/wrong-recipient.gpg" --to "$O" --attach poc.html=x
O_KEYID=$(GNUPGHOME="$OTHER_HOME" gpg --batch --with-colons --list-keys "$O" 2>/dev/null | awk -F: '/^sub/ && $12 ~ /e/ {print $5; exit}')
check "the hostile bundles were made" test -s "$B/wrong-recipient.gpg" -a -s "$B/limits-oversize.gpg"

# Controls: what the generator makes when it breaks nothing imports, so
# each refusal below is the broken rule's doing.
vimport "$V" "$B/control.gpg"
check "control: a tarfile + gpg bundle with attachments imports" \
    sh -c "[ $RC -eq 0 ] && grep -q ': imported ' '$WORK/out'"
vimport "$V" "$B/control-handmade.gpg"
check "control: a signed bundle in a hand-made SEIPD packet imports" \
    sh -c "[ $RC -eq 0 ] && grep -q ': imported $ID_S ' '$WORK/out'"
vimport "$VL" "$B/control-limits.gpg"
check "control: 5 entries import where the policy allows 5" \
    sh -c "[ $RC -eq 0 ] && grep -q ': imported ' '$WORK/out'"
check "control: the imports wrote nothing outside the vault" scratch_clean
vault_snapshot "$V"
vault_snapshot "$VL"

# ---- names -----------------------------------------------------------------
# Names in messages are shown through al_text_visible once: '\x07', '\xff'.
refused "path traversal: an entry '../x' is refused" "$V" "$B/dotdot.gpg" 1 \
    "entry '../airlock-escape-dotdot': has a '..' component"
refused "path traversal: 'attachments/../../x' is refused" "$V" "$B/dotdot-inner.gpg" 1 \
    "entry 'attachments/../../airlock-escape-inner': has a '..' component"
refused "path traversal listed in the manifest too is refused" "$V" "$B/dotdot-listed.gpg" 1 \
    "manifest: 'files[0].path': entry 'attachments/../airlock-escape-listed': has a '..' component"
refused "an absolute entry name is refused" "$V" "$B/absolute.gpg" 1 \
    "entry '$SCRATCH/airlock-escape-abs': absolute path"
refused "a name with control characters is refused, shown escaped once" "$V" "$B/control-name.gpg" 1 \
    "entry 'attachments/a\\x07b\\x1b[2J.txt': contains a control or bidi character"
refused "a name with backslashes is refused, shown escaped once" "$V" "$B/backslash-name.gpg" 1 \
    "entry 'attachments\\\\..\\\\..\\\\airlock-escape-bs': contains a backslash"
refused "a name outside attachments/ is refused" "$V" "$B/outside-prefix.gpg" 1 \
    "entry 'etc/passwd': not 'manifest.json', 'keys/reply.asc' or under 'attachments/'"
refused "a name over 255 bytes is refused" "$V" "$B/long-name.gpg" 1 \
    "entry 'attachments/nnnn" "': name is 300 bytes, more than the limit of 255"
refused "a non-UTF-8 name (ustar) is refused, shown escaped once" "$V" "$B/non-utf8-name.gpg" 1 \
    "entry 'attachments/\\xff.txt': not valid UTF-8"
refused "a non-UTF-8 name (pax hdrcharset=BINARY) is refused, shown escaped once" "$V" "$B/non-utf8-pax.gpg" 1 \
    "entry 'attachments/\\xff.txt': not valid UTF-8"
refused "a NUL inside a pax path is refused" "$V" "$B/pax-nul-path.gpg" 1 \
    "entry 'attachments/a.txt\\x00../../airlock-escape-nul': NUL byte inside the pax path"
refused "the same name twice (same bytes) is refused" "$V" "$B/duplicate.gpg" 1 \
    "entry 'attachments/a.txt': repeats an earlier entry"
refused "the same name twice (other bytes) is refused" "$V" "$B/duplicate-other.gpg" 1 \
    "entry 'attachments/a.txt': repeats an earlier entry"
refused "case twins listed in the manifest are refused" "$V" "$B/case-twins.gpg" 1 \
    "manifest: 'files[1].path': same name as 'files[0].path' ('attachments/A.txt') under case folding"
refused "case twins in the archive are refused" "$V" "$B/case-twins-archive.gpg" 1 \
    "entry 'attachments/readme': same name as 'attachments/README' under case folding"
refused "full case folding twins (Straße, STRASSE) are refused" "$V" "$B/fold-twins.gpg" 1 \
    "entry 'attachments/Straße': same name as 'attachments/STRASSE' under case folding"
refused "composed and decomposed twins (café) are refused" "$V" "$B/nfd-twins.gpg" 1 \
    "entry 'attachments/cafe$(printf '\xcc\x81').txt': same name as 'attachments/café.txt' under case folding"

# ---- entry types -----------------------------------------------------------
refused "a symlink entry is refused" "$V" "$B/symlink.gpg" 1 \
    "entry 'attachments/link': symbolic link (type '2'); only regular files are allowed"
refused "a symlink then a file through it is refused" "$V" "$B/symlink-through.gpg" 1 \
    "manifest: 'files[1].path': inside 'attachments/d', which 'files[0].path' lists as a file"
refused "a hard link entry is refused" "$V" "$B/hardlink.gpg" 1 \
    "entry 'attachments/hl': hard link (type '1'); only regular files are allowed"
refused "a hard link entry carrying data is refused" "$V" "$B/hardlink-data.gpg" 1 \
    "entry 'attachments/hl': hard link (type '1'); only regular files are allowed"
refused "a regular file with a pax linkpath is refused" "$V" "$B/pax-linkpath.gpg" 1 \
    "entry 'attachments/a.txt': regular file with a link name"
refused "a character device entry is refused" "$V" "$B/chardev.gpg" 1 \
    "entry 'attachments/null': character device (type '3'); only regular files are allowed"
refused "a FIFO entry is refused" "$V" "$B/fifo.gpg" 1 \
    "entry 'attachments/fifo': FIFO (type '6'); only regular files are allowed"
refused "a directory entry is refused" "$V" "$B/directory.gpg" 1 \
    "entry 'attachments/dir/': directory (type '5'); only regular files are allowed"
refused "a GNU sparse ('S') entry is refused" "$V" "$B/gnu-sparse.gpg" 1 \
    "entry 'attachments/sparse.bin': GNU sparse file (type 'S'); only regular files are allowed"
refused "a pax GNU.sparse.map entry is refused" "$V" "$B/pax-sparse.gpg" 1 \
    "entry 'attachments/sparse.bin': sparse file (pax 'GNU.sparse.size'); only regular files are allowed"
refused "a global pax header is refused" "$V" "$B/global-pax.gpg" 1 \
    "global pax header (type 'g'); only regular files are allowed"
refused "a GNU long name ('L') is refused" "$V" "$B/gnu-longname.gpg" 1 \
    "GNU long name (type 'L'); only regular files are allowed"

# ---- the archive -----------------------------------------------------------
refused "a gzip-compressed inner archive is refused" "$V" "$B/gzip.gpg" 1 \
    "archive: compressed (gzip); the inner archive must be an uncompressed tar"
refused "a second archive appended is refused" "$V" "$B/appended.gpg" 1 \
    "archive: non-zero byte at offset 10240 after the end-of-archive marker (another archive or other data appended)"
refused "junk after the end-of-archive marker is refused" "$V" "$B/trailing-junk.gpg" 1 \
    "archive: non-zero byte at offset 10240 after the end-of-archive marker"
refused "an entry whose header claims more data than there is is refused" "$V" "$B/lying-size.gpg" 1 \
    "entry 'attachments/big.bin': truncated after 1536 of 100000 bytes"
refused "a header with a bad checksum is refused" "$V" "$B/bad-checksum.gpg" 1 \
    "archive: header at offset 2048: bad checksum (damaged, or not a tar archive)"
refused "an archive with no entries is refused" "$V" "$B/empty-tar.gpg" 1 \
    "archive: no entries; 'manifest.json' must be the first"
refused "a plain text that is not tar is refused" "$V" "$B/not-tar.gpg" 1 \
    "archive: header at offset 0: bad checksum (damaged, or not a tar archive)"
refused "1001 entries are refused (default limit 1000)" "$V" "$B/too-many.gpg" 1 \
    "manifest: 'files': 1000 files, more than the limit of 999"
refused "6 entries are refused where the policy allows 5" "$VL" "$B/limits-entries.gpg" 1 \
    "manifest: 'files': 5 files, more than the limit of 4"

# ---- the manifest ----------------------------------------------------------
refused "a bundle without manifest.json is refused" "$V" "$B/no-manifest.gpg" 1 \
    "entry 'attachments/poc.html': the first entry must be 'manifest.json'"
refused "manifest.json not first is refused" "$V" "$B/manifest-not-first.gpg" 1 \
    "entry 'attachments/poc.html': the first entry must be 'manifest.json'"
refused "a second manifest.json is refused" "$V" "$B/manifest-twice.gpg" 1 \
    "entry 'manifest.json': repeats an earlier entry"
refused "manifest.json as a symlink is refused" "$V" "$B/manifest-symlink.gpg" 1 \
    "entry 'manifest.json': symbolic link (type '2'); only regular files are allowed"
refused "a manifest that is not JSON is refused" "$V" "$B/manifest-invalid-json.gpg" 1 \
    "manifest: line 1 column 37: premature end of input"
refused "a manifest over 1 MiB is refused" "$V" "$B/manifest-big.gpg" 1 \
    "entry 'manifest.json': 1049615 bytes, more than the limit of 1048576"
refused "a manifest over the policy's manifest_bytes is refused" "$VL" "$B/limits-manifest.gpg" 1 \
    "entry 'manifest.json': 10039 bytes, more than the limit of 8192"
refused "a manifest without title is refused" "$V" "$B/manifest-no-title.gpg" 1 \
    "manifest: 'title': missing"
refused "a manifest without files is refused" "$V" "$B/manifest-no-files.gpg" 1 \
    "manifest: 'files': missing"
refused "a manifest of airlock version 2 is refused" "$V" "$B/manifest-version-2.gpg" 1 \
    "manifest: 'airlock': unsupported version 2 (expected 1)"
refused "a manifest id that is not a UUID is refused" "$V" "$B/manifest-bad-id.gpg" 1 \
    "manifest: 'id': '../../etc/passwd' is not a lowercase version-4 UUID"
refused "a manifest id that is a version-1 UUID is refused" "$V" "$B/manifest-uuid-v1.gpg" 1 \
    "manifest: 'id': 'c232ab00-9414-11ec-b3c8-9f6bdeced846' is not a lowercase version-4 UUID"
refused "a manifest with a duplicate key is refused" "$V" "$B/manifest-duplicate-key.gpg" 1 \
    "manifest: line 7 column 9: duplicate object key near '\"title\"'"
refused "a manifest that is an array is refused" "$V" "$B/manifest-array.gpg" 1 \
    "manifest: not a JSON object"
refused "a title with terminal escapes is refused, no raw byte shown" "$V" "$B/title-escape.gpg" 1 \
    "manifest: 'title': contains a control or bidi character"
refused "a reporter name with terminal escapes is refused, no raw byte shown" "$V" "$B/reporter-escape.gpg" 1 \
    "manifest: 'reporter.name': contains a control or bidi character"
refused "an attachment whose SHA-256 differs from the manifest: integrity (3)" "$V" "$B/hash-mismatch.gpg" 3 \
    "entry 'attachments/poc.html': SHA-256 differs from the manifest"
refused "an attachment whose size differs from the manifest: integrity (3)" "$V" "$B/size-mismatch.gpg" 3 \
    "entry 'attachments/poc.html': size 29 differs from the manifest (30)"
refused "keys/reply.asc whose SHA-256 differs: integrity (3)" "$V" "$B/reply-key-mismatch.gpg" 3 \
    "entry 'keys/reply.asc': SHA-256 differs from the manifest"
refused "a secret key sent as keys/reply.asc is refused, not stored" "$V" "$B/reply-key-secret.gpg" 1 \
    "entry 'keys/reply.asc': not an ASCII-armored OpenPGP public key block"
refused "a keys/reply.asc that is not a key is refused" "$V" "$B/reply-key-text.gpg" 1 \
    "entry 'keys/reply.asc': not an ASCII-armored OpenPGP public key block"
refused "a name that is both a file and a folder is refused (it could never be opened)" "$V" "$B/file-and-folder.gpg" 1 \
    "manifest: 'files[1].path': inside 'attachments/poc', which 'files[0].path' lists as a file"
refused "a file in the archive not listed in the manifest is refused" "$V" "$B/unlisted.gpg" 1 \
    "entry 'attachments/extra.txt': not listed in the manifest's files"
refused "a listed file missing from the archive is refused" "$V" "$B/missing.gpg" 1 \
    "entry 'attachments/gone.txt': listed in the manifest but not in the archive"

# ---- the OpenPGP message ---------------------------------------------------
refused "random bytes are refused" "$V" "$B/random.gpg" 1 \
    "not an OpenPGP message (neither binary OpenPGP nor an ASCII armor)"
refused "a text file is refused" "$V" "$B/text.txt" 1 \
    "not an OpenPGP message (neither binary OpenPGP nor an ASCII armor)"
refused "an empty file is refused" "$V" "$B/empty.gpg" 1 \
    "not an OpenPGP message (the input is empty)"
refused "an armor around garbage is refused" "$V" "$B/armor-garbage.asc" 1 \
    "not an OpenPGP message (the first byte is not a packet header)"
refused "symmetric encryption (a passphrase) is refused, never prompting" "$V" "$B/symmetric.gpg" 1 \
    "symmetric-only encryption (no public-key recipient)"
refused "a signed (compressed) but not encrypted message is refused" "$V" "$B/signed-only.gpg" 1 \
    "not encrypted (compressed data first)"
refused "a signed (uncompressed) but not encrypted message is refused" "$V" "$B/signed-only-z0.gpg" 1 \
    "signed but not encrypted (one-pass signature packet, tag 4)"
refused "a clear-signed text is refused" "$V" "$B/clearsigned.asc" 1 \
    "signed but not encrypted (clearsigned text)"
refused "a message without integrity protection is refused" "$V" "$B/no-mdc.gpg" 1 \
    "no integrity protection (symmetrically encrypted data packet, tag 9)"
refused "...armored as well" "$V" "$B/armored-no-mdc.asc" 1 \
    "no integrity protection (symmetrically encrypted data packet, tag 9)"
refused "a message cut in half is refused" "$V" "$B/truncated.gpg" 1 \
    "corrupt or truncated OpenPGP message"
refused "a message missing its last 30 bytes is refused" "$V" "$B/truncated-tail.gpg" 1 \
    "corrupt or truncated OpenPGP message"
refused "a message with one bit flipped is refused" "$V" "$B/bitflip.gpg" 1 \
    "corrupt or truncated OpenPGP message (integrity check failed: the encrypted data was modified)"
refused "a bundle encrypted twice (a message in the message) is refused" "$V" "$B/wrapped.gpg" 1 \
    "archive: header at offset 0: bad checksum (damaged, or not a tar archive)"
refused "a message encrypted to another key is refused, naming its recipients" "$V" "$B/wrong-recipient.gpg" 1 \
    "not encrypted to this vault's key (recipients: $O_KEYID)"
refused "a bad signature is refused: integrity (3)" "$V" "$B/bad-signature.gpg" 3 \
    "bad signature by $R"
refused "two signatures are refused" "$V" "$B/two-signatures.gpg" 1 \
    "more than one signature (2)"
refused "two plain texts in one message are refused" "$V" "$B/two-plaintexts.gpg" 1 \
    "more than one plain text"
refused "a revision of a signed report, unsigned, is refused (3)" "$V" "$B/revision-unsigned.gpg" 3 \
    "report $ID_S exists (signature: known by $R); a revision must come with the same signature (this one: none)"
refused "a revision of a signed report by another known key is refused (3)" "$V" "$B/revision-other-signer.gpg" 3 \
    "report $ID_S exists (signature: known by $R); a revision must come with the same signature (this one: known by $R2)"

# ---- policy limits ---------------------------------------------------------
refused "a bundle file over the policy's bundle_bytes is refused before decryption" "$VL" "$B/limits-oversize.gpg" 1 \
    "larger than the vault's policy allows (limits.bundle_bytes)"

mkb good "$B/bomb.gpg" --to "$M" --zero-attachment zeros.bin=209715200 -z 9
start=$(date +%s)
# the manifest's sizes refuse it first; reading on (so gpg can judge the
# message) then meets gpg's cap on the plain text, whose verdict comes first
refused "a compression bomb (200 MB of zeros in 200 KB) is refused by the limit" "$VL" "$B/bomb.gpg" 1 \
    "plain text larger than "
check "...and fast (under 10 s)" test $(( $(date +%s) - start )) -lt 10

# ---- what is given to import ----------------------------------------------
mkfifo "$B/fifo-file.gpg"
VIMPORT_TIMEOUT=10 refused "a FIFO given as the file is refused without hanging" "$V" "$B/fifo-file.gpg" 1 \
    "not a regular file (a folder, FIFO, device or socket)"
VIMPORT_TIMEOUT=10 refused "a character device (/dev/zero) given as the file is refused" "$V" /dev/zero 1 \
    "not a regular file (a folder, FIFO, device or socket)"

LD="$WORK/linkdir"
mkdir "$LD"
mkb good "$B/linked.gpg" --to "$M" --attach poc.html=linked
ln -s "$B/linked.gpg" "$LD/linked.gpg"
vimport "$V" "$LD"
check "a folder holding a symlink to a bundle: the link is refused (exit 1), named" \
    sh -c "[ $RC -eq 1 ] && grep -qF 'airlock-vault: $LD/linked.gpg: ' '$WORK/err' && grep -q 'a symlink; not followed in a folder' '$WORK/err'"
check "...and nothing was imported" vault_unchanged "$V"
vimport "$V" --json "$LD"
check "...its --json result says refused" \
    json_check "$WORK/out" 'len(d) == 1 and d[0]["status"] == "refused" and d[0]["report"] is None and d[0]["error"] == "a symlink; not followed in a folder"'
vault_snapshot "$V"

vimport "$V" --json "$B/hash-mismatch.gpg"
check "--json for a refusal: status refused, no report, the reason, exit 3" \
    sh -c "[ $RC -eq 3 ] && $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d[0]; assert len(d)==1 and r[\"status\"]==\"refused\" and r[\"report\"] is None and \"SHA-256\" in r[\"error\"]' '$WORK/out'"
check "...and changes nothing" vault_unchanged "$V"

check "the ledger recorded the refusals as 'refused' events" \
    test "$(ledger "$V" "SELECT count(*) FROM events WHERE kind = 'refused'")" -ge 60
check "no escape target exists anywhere under the test folder" \
    sh -c "! find '$WORK' -name 'airlock-escape-*' | grep -q . && ! ls /tmp/airlock-escape-* 2>/dev/null | grep -q ."
check "the vault holds only the control reports" test "$(count "$V" reports)" = 2

done_testing
