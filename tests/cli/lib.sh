# SPDX-License-Identifier: Apache-2.0
# Shared by the CLI tests: TAP output, a throwaway GNUPGHOME with generated
# keys, and checks that a crash never passes for an expected failure.
set -u

AL_T=0
AL_FAILED=0
PACK=${AIRLOCK_PACK:?AIRLOCK_PACK must name the airlock-pack binary}
WORK=$(mktemp -d /tmp/airlock-cli.XXXXXX)
export GNUPGHOME="$WORK/gnupg"
unset GPG_AGENT_INFO
export TZ=UTC LC_ALL=C.UTF-8

cleanup() {
    gpgconf --kill all >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

ok() { AL_T=$((AL_T + 1)); echo "ok $AL_T - $1"; }
not_ok() {
    AL_T=$((AL_T + 1)); AL_FAILED=$((AL_FAILED + 1))
    echo "not ok $AL_T - $1"
    [ -f "$WORK/out" ] && sed 's/^/# out: /' "$WORK/out" | head -20
    [ -f "$WORK/err" ] && sed 's/^/# err: /' "$WORK/err" | head -20
    return 0
}
done_testing() { echo "1..$AL_T"; [ "$AL_FAILED" -eq 0 ]; exit $?; }

# check NAME CMD...: passes when CMD succeeds.
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }

# run CMD...: runs it with stdout/stderr in $WORK/out, $WORK/err; sets RC.
run() { RC=0; "$@" >"$WORK/out" 2>"$WORK/err" || RC=$?; }

# expect_exit CODE: the last run exited CODE, and never by a signal.
expect_exit() { [ "$RC" -eq "$1" ] && [ "$RC" -le 128 ]; }
err_has() { grep -qF -- "$1" "$WORK/err"; }
out_has() { grep -qF -- "$1" "$WORK/out"; }

# under_strace STRACE-OPTIONS... -- CMD...: run CMD under strace (for fault
# injection).  LeakSanitizer cannot work under ptrace, so a sanitizer build
# checks leaks everywhere else but not there.
under_strace() {
    local opts=()
    while [ "$1" != -- ]; do opts+=("$1"); shift; done
    shift
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" strace -f -o /dev/null "${opts[@]}" "$@"
}

# gen_key NAME [ALGO_ENC|none] [EXTRA gpg options...]: a key without
# passphrase; prints its fingerprint.  gpg's messages go to
# $WORK/genkey.log (shown on failure); a failed attempt is tried again, as
# gpg-agent can refuse a request under load.
gen_key() {
    local name=$1 enc=${2:-cv25519} fpr try
    shift 2 || shift $#
    for try in 1 2 3; do
        fpr=$(gpg --batch --with-colons --list-secret-keys "<$name@example.org>" 2>/dev/null |
            awk -F: '/^fpr/ {print $10; exit}')
        if [ -z "$fpr" ]; then
            gpg --batch --pinentry-mode loopback --passphrase '' "$@" \
                --quick-gen-key "$name <$name@example.org>" ed25519 cert,sign 2y \
                >>"$WORK/genkey.log" 2>&1 || continue
            fpr=$(gpg --batch --with-colons --list-secret-keys "<$name@example.org>" |
                awk -F: '/^fpr/ {print $10; exit}')
            [ -n "$fpr" ] || continue
        fi
        if [ "$enc" != none ] && ! gpg --batch --with-colons --list-keys "$fpr" | grep -q '^sub:.*:e:'; then
            gpg --batch --pinentry-mode loopback --passphrase '' "$@" \
                --quick-add-key "$fpr" "$enc" encr 2y >>"$WORK/genkey.log" 2>&1 || continue
        fi
        echo "$fpr"
        return 0
    done
    echo "# gen_key $name failed:" >&2
    sed 's/^/#   /' "$WORK/genkey.log" >&2
    return 1
}

setup_gnupg() {
    mkdir -m 700 "$GNUPGHOME"
    echo allow-loopback-pinentry >"$GNUPGHOME/gpg-agent.conf"
    echo "no-auto-key-retrieve" >"$GNUPGHOME/gpg.conf"
}

# A complete, valid draft in $1 (report id fixed).
make_draft() {
    local d=$1
    mkdir -p "$d/attachments"
    cat >"$d/report.md" <<'MD'
Id: 3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60
Title: Stored XSS in conversation notes
Project: chatwoot
Class: xss
CWE: CWE-79
CVSS: CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N
Affected: npm/chatwoot >=4.0.0 <4.2.1
Reporter: Jane Doe <jane@example.net>
Credit: public

## Description
A note's body is rendered without escaping, so a script in it runs in
the browser of every agent who opens the conversation.

## Steps to reproduce
1. Log in as any agent.
2. Add a note with `<img src=x onerror=alert(1)>`.
3. Open the conversation as another agent: the alert fires.

## Impact
Session theft of every agent, including administrators.
MD
    printf 'alert(1)\n' >"$d/attachments/poc.html"
    printf 'GET /notes HTTP/1.1\n' >"$d/attachments/request.txt"
}

# tree_sum DIR: a fingerprint of a folder's names, types and contents.
tree_sum() {
    (cd "$1" && find . -printf '%p %y %s\n' | sort && find . -type f -print0 | sort -z | xargs -0 -r sha256sum) | sha256sum
}

setup_gnupg
