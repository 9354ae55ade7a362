#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Make the OpenPGP messages of tests/data/pgp with the gpg command line, in
# a throwaway GNUPGHOME, for tests/unit/test_pgpscan.c.  Run once; the
# outputs are checked in (keys are random, so every run makes other bytes).
#
#   tests/data/pgp/make.sh        writes the files beside this script
#
# keyids gets the 64-bit key ids of the two encryption subkeys, which the
# test compares with the ids found in the PKESK packets.
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)
GNUPGHOME=$(mktemp -d /tmp/airlock-pgp.XXXXXX)
export GNUPGHOME
chmod 700 "$GNUPGHOME"
cleanup() {
    gpgconf --kill all || true
    rm -rf "$GNUPGHOME"
}
trap cleanup EXIT

g() { gpg --batch --quiet --no-tty --trust-model always --passphrase '' \
          --pinentry-mode loopback "$@"; }

key() {     # key NAME: ed25519 primary (sign), cv25519 subkey (encrypt)
    local fpr
    g --quick-gen-key "$1 <$1@example.org>" ed25519 sign never 2>/dev/null
    fpr=$(gpg --list-keys --with-colons "$1@example.org" |
          awk -F: '/^fpr/ { print $10; exit }')
    g --quick-add-key "$fpr" cv25519 encr never
    echo "$fpr"
}
subkeyid() {    # the encryption subkey's key id
    gpg --list-keys --with-colons "$1" | awk -F: '/^sub/ { print $5; exit }'
}

one=$(key one)
two=$(key two)
printf '%s %s\n' one "$(subkeyid "$one")" two "$(subkeyid "$two")" \
    >"$out/keyids"

in="$GNUPGHOME/report.tar"
printf 'a small inner archive stands in here\n' >"$in"
cd "$out"
rm -f ./*.gpg ./*.asc ./*.sig

# what the vault accepts
g -r "$one" -o enc-one.gpg -e "$in"
g -r "$one" -r "$two" -o enc-two.gpg -e "$in"
g --hidden-recipient "$one" -o enc-hidden.gpg -e "$in"
g -r "$one" --armor -o enc-one.asc -e "$in"
g -r "$one" --armor --emit-version --comment 'airlock test' \
    -o enc-headers.asc -e "$in"
g -r "$one" -u "$two" -o sign-enc.gpg -s -e "$in"
g -r "$one" --passphrase x -o sym-pub.gpg --symmetric -e "$in"

# what it refuses
g --passphrase x -o sym.gpg --symmetric "$in"
g -u "$two" -z 0 -o signed.gpg --sign "$in"
g -u "$two" -o signed-z.gpg --sign "$in"
g -u "$two" -o clearsigned.asc --clearsign "$in"
g -u "$two" -o detached.sig --detach-sign "$in"
g -u "$two" --armor -o detached.asc --detach-sign "$in"
g -z 0 -o literal.gpg --store "$in"
g -o compressed.gpg --store "$in"
g -r "$one" --rfc2440 --cipher-algo CAST5 -o nomdc.gpg -e "$in" 2>/dev/null
g -o pubkey.gpg --export "$one"
g --armor -o pubkey.asc --export "$one"
