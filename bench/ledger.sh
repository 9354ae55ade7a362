#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The signed ledger's costs, by hand (not in CI): N small bundles imported
# one command each (so one checkpoint each: 2N+2 events, N+1 checkpoints),
# then the time of one more checkpointed import, of audit, of export ledger
# and of a proof, against the plain tools an auditor would use on the same
# export: sha256sum over events.jsonl and gpg --verify of each checkpoint.
#   bench/ledger.sh [N]        (default 300)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-300}
builddir=build/bench
[ -f "$builddir/build.ninja" ] || meson setup "$builddir" --buildtype=release >/dev/null
ninja -C "$builddir" >/dev/null
VAULT="$PWD/$builddir/tools/vault/airlock-vault"
MKB="$PWD/tests/cli/mkbundle.py"

work=$(mktemp -d /tmp/airlock-bench-ledger.XXXXXX)
export GNUPGHOME="$work/gnupg"
mkdir -m 700 "$GNUPGHOME"
echo allow-loopback-pinentry >"$GNUPGHOME/gpg-agent.conf"
cleanup() { gpgconf --kill all 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
    --quick-gen-key 'Bench <b@example.org>' ed25519 cert,sign 1y 2>/dev/null
FPR=$(gpg --batch --with-colons --list-keys | awk -F: '/^fpr/ {print $10; exit}')
gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
    --quick-add-key "$FPR" cv25519 encr 1y 2>/dev/null
"$VAULT" --vault "$work/v" init --key "$FPR" 2>/dev/null

mkdir "$work/b"
for i in $(seq 1 $((N + 1))); do echo "good $work/b/$i.gpg"; done |
    python3 "$MKB" --batch --to "$FPR"
t() { # LABEL CMD...: wall seconds of one run
    local s e
    s=$(date +%s.%N)
    "${@:2}" >/dev/null 2>&1
    e=$(date +%s.%N)
    printf '%-44s %8.3f s\n' "$1" "$(echo "$e - $s" | bc)"
}
s=$(date +%s.%N)
for i in $(seq 1 "$N"); do "$VAULT" --vault "$work/v" import --quiet "$work/b/$i.gpg"; done
e=$(date +%s.%N)
events=$(( 2 * N + 2 ))
printf 'vault of %d reports: %d events, %d checkpoints\n' "$N" "$events" "$((N + 1))"
printf '%-44s %8.3f s\n' "mean import + checkpoint, one file a command" "$(echo "($e - $s) / $N" | bc -l)"
t "one more import with its checkpoint" "$VAULT" --vault "$work/v" import "$work/b/$((N + 1)).gpg"
t "the same, --no-checkpoint" "$VAULT" --vault "$work/v" import --no-checkpoint "$work/b/1.gpg"
t "checkpoint alone" "$VAULT" --vault "$work/v" checkpoint
t "audit" "$VAULT" --vault "$work/v" audit
t "export ledger" "$VAULT" --vault "$work/v" export ledger -o "$work/export"
t "proof" "$VAULT" --vault "$work/v" proof "$(ls "$work/v/store" | head -0; "$VAULT" --vault "$work/v" list --limit 1 | cut -c1-36)" -o "$work/proof.json"
verify_plain() {
    (cd "$work/export" && sha256sum events.jsonl >/dev/null &&
        for f in checkpoints/*.txt; do gpg --batch --verify "$f.asc" "$f" 2>/dev/null; done)
}
t "plain: sha256sum + gpg --verify every checkpoint" verify_plain
t "tests/ledger/verify_ledger.py export" python3 tests/ledger/verify_ledger.py export "$work/export"
printf 'ledger.sqlite: %d KiB\n' "$(( $(stat -c %s "$work/v/ledger.sqlite") / 1024 ))"
