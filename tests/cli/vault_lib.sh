# SPDX-License-Identifier: Apache-2.0
# Shared by vault_import.sh and vault_hostile.sh: the vault binary, keys,
# vaults, bundles made by tests/cli/mkbundle.py (Python tarfile + gpg), a
# cheap snapshot of a vault's state, and the checks every refusal must pass.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VAULT_BIN=${AIRLOCK_VAULT_BIN:?AIRLOCK_VAULT_BIN must name the airlock-vault binary}
# The interpreter itself, not a version manager's shim in front of it (a
# shell script that can cost half a second a call).
PY=$(python3 -c 'import sys; print(sys.executable)')
MKB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/mkbundle.py"

# mkb ARGS...: run the bundle generator (see mkbundle.py --help).
mkb() { "$PY" "$MKB" "$@"; }

# extra_home DIR: another throwaway GNUPGHOME (a stranger's keyring); its
# gpg-agent is stopped at the end like the main one's.
EXTRA_HOMES=()
extra_home() {
    mkdir -m 700 "$1" && echo allow-loopback-pinentry >"$1/gpg-agent.conf" &&
        echo no-auto-key-retrieve >"$1/gpg.conf" && EXTRA_HOMES+=("$1")
}
vault_cleanup() {
    local h
    for h in "${EXTRA_HOMES[@]}"; do
        GNUPGHOME="$h" gpgconf --kill all >/dev/null 2>&1 || true
    done
    cleanup
}
trap vault_cleanup EXIT

# vault_policy FILE FPR [JSON]: a policy for project chatwoot encrypted to
# FPR; JSON (an object) is merged into it.
vault_policy() {
    local extra=${3:-}
    [ -n "$extra" ] || extra='{}'
    "$PY" - "$1" "$2" "$extra" <<'PY'
import json, sys
p = {"airlock_policy": 1, "project": "chatwoot", "recipients": [sys.argv[2]]}
p.update(json.loads(sys.argv[3]))
open(sys.argv[1], "w").write(json.dumps(p, indent=2) + "\n")
PY
}

# vault_init DIR FPR [JSON]: a new vault at DIR with the key FPR and a
# policy (vault_policy's JSON); prints nothing, fails loudly.
vault_init() {
    local dir=$1 fpr=$2 extra=${3:-'{}'}
    vault_policy "$WORK/policy-$(basename "$dir").json" "$fpr" "$extra" &&
        "$VAULT_BIN" init --vault "$dir" --key "$fpr" \
            --policy "$WORK/policy-$(basename "$dir").json" \
            >"$WORK/init.out" 2>"$WORK/init.err" && return 0
    echo "# vault init $dir failed:" >&2
    sed 's/^/#   /' "$WORK/init.out" "$WORK/init.err" >&2
    return 1
}

# sign_subkey FPR: add a signing subkey to FPR (so that a signature is made
# by the subkey and the vault must name the primary key); prints the
# subkey's fingerprint.
sign_subkey() {
    gpg --batch --pinentry-mode loopback --passphrase '' \
        --quick-add-key "$1" ed25519 sign 2y >>"$WORK/genkey.log" 2>&1 || return 1
    gpg --batch --with-colons --list-keys "$1" 2>/dev/null |
        awk -F: '/^sub/ {s = ($12 ~ /s/)} /^fpr/ && s {f = $10} END {print f}'
}

# ledger VAULT SQL [ARGS...]: run a read-only query on the vault's ledger
# with Python's sqlite3 (no sqlite3 program assumed); one row a line, the
# columns separated by tabs.
ledger() {
    "$PY" - "$@" <<'PY'
import os, sqlite3, sys
vault, sql, args = sys.argv[1], sys.argv[2], sys.argv[3:]
db = sqlite3.connect("file:%s?mode=ro" % os.path.join(vault, "ledger.sqlite"),
                     uri=True)
for row in db.execute(sql, args):
    print("\t".join("" if v is None else str(v) for v in row))
PY
}

cat >"$WORK/vault_snap.py" <<'PY'
# vault_snap.py take VAULT SNAP: write the vault's state to SNAP.
# vault_snap.py same VAULT SNAP: compare the vault with SNAP (reports and
#   bundles rows and the store's files identical, events only appended, at
#   most one and only of kind 'refused'), print what differs, then record
#   the current state in SNAP so that the next comparison starts from it.
# vault_snap.py refused VAULT SNAP FILE WANT_RC RC OUT ERR SCRATCH WANT...:
#   the checks of a refusal (see refused in vault_lib.sh) in one process;
#   prints what failed, nothing when all passed.
import json, os, re, sqlite3, sys

def state(vault):
    db = sqlite3.connect("file:%s?mode=ro" %
                         os.path.join(vault, "ledger.sqlite"), uri=True)
    s = {}
    for t in ("reports", "bundles"):
        s[t] = sorted(repr(r) for r in db.execute("SELECT * FROM " + t))
    s["events"] = [[r[0], r[1], repr(r[2:])] for r in
                   db.execute("SELECT seq, kind, * FROM events ORDER BY seq")]
    db.close()
    files = []
    top = os.path.join(vault, "store")
    for root, dirs, names in os.walk(top):
        for n in dirs + names:
            p = os.path.join(root, n)
            st = os.lstat(p)
            size = 0 if os.path.isdir(p) else st.st_size
            files.append("%s %o %d" % (os.path.relpath(p, top), st.st_mode,
                                       size))
    s["store"] = sorted(files)
    return s

def same(vault, snap):
    now = state(vault)
    old = json.load(open(snap))
    bad = []
    for k in ("reports", "bundles", "store"):
        if old[k] != now[k]:
            gone = [x for x in old[k] if x not in now[k]]
            new = [x for x in now[k] if x not in old[k]]
            bad.append("%s changed (gone %s, new %s)" % (k, gone[:3], new[:3]))
    n = len(old["events"])
    if now["events"][:n] != old["events"]:
        bad.append("earlier events changed")
    added = [e[1] for e in now["events"][n:]]
    # a refusal is recorded, and the command ends by signing a checkpoint
    # that covers it; a refusal that is not the bundle's fault adds nothing
    if added not in ([], ["refused", "checkpoint"]):
        bad.append("new events other than one refused and its checkpoint: "
                   "%s" % added)
    json.dump(now, open(snap, "w"))
    return bad

RAW = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|"
                 rb"\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]")

def clean(data):
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not RAW.search(data)

def refused(vault, snap, file, want_rc, rc, out, err, scratch, *wants):
    why = []
    if rc != want_rc:
        why.append("exit %s, want %s" % (rc, want_rc))
    e = open(err, "rb").read()
    if b"airlock-vault: %s: " % os.fsencode(file) not in e:
        why.append("stderr does not name the file")
    for w in wants:
        if os.fsencode(w) not in e:
            why.append("stderr lacks '%s'" % w)
    if os.path.getsize(out):
        why.append("stdout not empty")
    if not clean(e):
        why.append("raw control characters on stderr")
    bad = same(vault, snap)
    if bad:
        why.append("vault changed: " + "; ".join(bad))
    extra = []
    for root, dirs, names in os.walk(scratch):
        for n in dirs + names:
            p = os.path.relpath(os.path.join(root, n), scratch)
            if p not in ("cwd", "tmp"):
                extra.append(p)
    if extra:
        why.append("written outside the vault: %s" % " ".join(sorted(extra)))
    return why

mode, vault, snap = sys.argv[1:4]
if mode == "take":
    json.dump(state(vault), open(snap, "w"))
elif mode == "same":
    bad = same(vault, snap)
    print("; ".join(bad))
    sys.exit(1 if bad else 0)
else:
    a = sys.argv[4:]
    why = refused(vault, snap, a[0], a[1], a[2], a[3], a[4], a[5], *a[6:])
    if why:
        print("; ".join(why))
    sys.exit(1 if why else 0)
PY

# vault_snapshot VAULT: remember the vault's state (in $WORK/snap.VAULT).
vault_snapshot() { "$PY" "$WORK/vault_snap.py" take "$1" "$WORK/snap.$(basename "$1")"; }

# vault_unchanged VAULT: the vault is as the last snapshot, but for at most
# one new 'refused' event (the differences go to $WORK/snapdiff); the
# snapshot then moves on to the current state.
vault_unchanged() {
    "$PY" "$WORK/vault_snap.py" same "$1" "$WORK/snap.$(basename "$1")" >"$WORK/snapdiff" 2>&1
}

# count VAULT TABLE: rows in a ledger table.
count() { ledger "$1" "SELECT count(*) FROM $2"; }

# no_raw_controls FILE: FILE is valid UTF-8 and holds no raw control
# character but newline and tab, and no bidi control.
no_raw_controls() {
    ! LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]' "$1" &&
        ! LC_ALL=C.UTF-8 grep -axvq '.*' "$1"
}

# outputs_clean: the last run's stdout and stderr hold no raw control or
# bidi character.
outputs_clean() { no_raw_controls "$WORK/out" && no_raw_controls "$WORK/err"; }

# An empty scratch area: imports run from $SCRATCH/cwd with TMPDIR
# $SCRATCH/tmp, and hostile bundles aim their escapes at $SCRATCH itself.
SCRATCH="$WORK/scratch"
mkdir -p "$SCRATCH/cwd" "$SCRATCH/tmp"

# scratch_clean: nothing but the two empty folders in $SCRATCH (what was
# found goes to $WORK/scratchdiff, and is removed for the next check).
scratch_clean() {
    (cd "$SCRATCH" && find . -mindepth 1 ! -path ./cwd ! -path ./tmp) >"$WORK/scratchdiff"
    if [ -s "$WORK/scratchdiff" ]; then
        find "$SCRATCH" -mindepth 1 -delete
        mkdir -p "$SCRATCH/cwd" "$SCRATCH/tmp"
        return 1
    fi
}

# vimport VAULT ARGS...: airlock-vault import from the scratch cwd (run's
# $WORK/out, $WORK/err, RC); a hang (past $VIMPORT_TIMEOUT seconds, 60 by
# default) counts as exit 124.
vimport() {
    local v=$1; shift
    RC=0
    (cd "$SCRATCH/cwd" && TMPDIR="$SCRATCH/tmp" timeout "${VIMPORT_TIMEOUT:-60}" "$VAULT_BIN" --vault "$v" import "$@") \
        >"$WORK/out" 2>"$WORK/err" || RC=$?
}

# refused NAME VAULT FILE RC WANT...: import FILE into VAULT; passes when
# it exits RC (not by a signal, not a hang), prints nothing on stdout,
# stderr says "airlock-vault: FILE: " and holds every WANT, with no raw
# control character, the vault is unchanged (vault_unchanged) and nothing
# was written outside it (scratch_clean).  The failing parts are named.
# The checks run in one Python process (vault_snap.py refused), to keep
# the many refusals fast.
refused() {
    local name=$1 v=$2 file=$3 want_rc=$4 why
    shift 4
    vimport "$v" "$file"
    if why=$("$PY" "$WORK/vault_snap.py" refused "$v" "$WORK/snap.$(basename "$v")" \
        "$file" "$want_rc" "$RC" "$WORK/out" "$WORK/err" "$SCRATCH" "$@"); then
        ok "$name"
    else
        not_ok "$name: $why"
        find "$SCRATCH" -mindepth 1 -delete
        mkdir -p "$SCRATCH/cwd" "$SCRATCH/tmp"
    fi
    # AL_VERBOSE=1 shows every refusal's message (to pin them).
    [ -z "${AL_VERBOSE:-}" ] || sed 's/^/#   said: /' "$WORK/err"
}

# json_get FILE EXPR: evaluate a Python expression on the JSON document in
# FILE (bound to d); prints the result (str() of it).
json_get() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# json_check FILE EXPR: passes when the expression (d: the JSON in FILE) is
# true.
json_check() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"; }

one_line_err() { [ "$(wc -l <"$WORK/err")" -eq 1 ]; }

# vstate VAULT: a digest of every row of every ledger table and of the
# store's names, modes and bytes: "nothing changed" is the same digest.
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
h.update(repr(db.execute("PRAGMA user_version").fetchone()).encode())
top = os.path.join(vault, "store")
for root, dirs, names in sorted(os.walk(top)):
    for n in sorted(dirs + names):
        p = os.path.join(root, n)
        st = os.lstat(p)
        h.update(("%s %o\n" % (os.path.relpath(p, top), st.st_mode)).encode())
        if os.path.isfile(p):
            h.update(open(p, "rb").read())
print(h.hexdigest())
PY
vstate() { "$PY" "$WORK/vstate.py" "$1"; }

# refused_cmd NAME VAULT RC WANT... -- CMD...: CMD exits RC (not by a
# signal), says every WANT on stderr in one line, prints nothing on
# stdout, and VAULT is as it was (every table, the store).
refused_cmd() {
    local name=$1 v=$2 want_rc=$3 why="" w before
    shift 3
    local wants=()
    while [ "$1" != -- ]; do wants+=("$1"); shift; done
    shift
    before=$(vstate "$v")
    run "$@"
    expect_exit "$want_rc" || why="$why exit $RC, want $want_rc;"
    for w in "${wants[@]}"; do err_has "$w" || why="$why stderr lacks '$w';"; done
    one_line_err || why="$why $(wc -l <"$WORK/err") lines on stderr, want 1;"
    [ -s "$WORK/out" ] && why="$why stdout not empty;"
    no_raw_controls "$WORK/err" || why="$why raw control characters on stderr;"
    [ "$(vstate "$v")" = "$before" ] || why="$why the vault changed;"
    if [ -z "$why" ]; then ok "$name"; else not_ok "$name:$why"; fi
    [ -z "${AL_VERBOSE:-}" ] || sed 's/^/#   said: /' "$WORK/err"
}

# audit_refused NAME VAULT WANT...: audit exits 3 with one line
# "airlock-vault: audit: ..." holding every WANT, and changes nothing.
audit_refused() {
    local name=$1 v=$2
    shift 2
    refused_cmd "$name" "$v" 3 "airlock-vault: audit: " "$@" -- "$VAULT_BIN" --vault "$v" audit
}

# forge VAULT KIND REPORT DATA [AT] [--sql SQL]: what an attacker who can
# write the ledger does: append a consistent-looking event (right seq, leaf
# and canonical bytes; dated AT or as the last event) and, with --sql, edit
# the derived rows to match.
forge() {
    "$PY" - "$@" <<'PY'
import hashlib, json, sqlite3, sys
vault, kind, report, data = sys.argv[1:5]
rest = sys.argv[5:]
sql = None
if "--sql" in rest:
    sql = rest[rest.index("--sql") + 1]
    rest = rest[:rest.index("--sql")]
db = sqlite3.connect(vault + "/ledger.sqlite")
seq, = db.execute("SELECT max(seq) + 1 FROM events").fetchone()
actor, at = db.execute("SELECT actor, at FROM events ORDER BY seq DESC LIMIT 1").fetchone()
at = rest[0] if rest else at
data = json.loads(data)
ev = {"actor": actor, "at": at, "data": data, "kind": kind, "report": report, "seq": seq}
canon = json.dumps(ev, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
db.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
           (seq, at, kind, report, actor, json.dumps(data, sort_keys=True, separators=(",", ":")),
            canon, hashlib.sha256(b"\0" + canon).digest()))
if sql:
    db.execute(sql)
db.commit()
PY
}

# forged NAME KIND REPORT DATA [AT] -- WANT [SQL]: on a fresh copy of $V (SQL run
# on it after the event, to make the rows agree), the forged event is
# refused by the explicit checkpoint (which runs audit's checks of each
# event it signs and of the state they derive) with exit 3 naming WANT,
# and audit refuses the copy too (exit 3).
forged() {
    local name=$1 kind=$2 report=$3 data=$4 at=${5:-} want=$7 sql=${8:-} f="$WORK/forged-$RANDOM"
    cp -a "$V" "$f"
    forge "$f" "$kind" "$report" "$data" ${at:+"$at"} ${sql:+--sql "$sql"}
    run "$VAULT_BIN" --vault "$f" checkpoint
    local crc=$RC cerr
    cerr=$(cat "$WORK/err")
    run "$VAULT_BIN" --vault "$f" audit
    # (audit names the first thing wrong: the event itself, or that no
    # checkpoint covers it, since checkpoint refused to sign it)
    if [ "$crc" -eq 3 ] && grep -qF -- "$want" <<<"$cerr" && [ "$RC" -eq 3 ] &&
        { err_has "$want" || err_has "is not covered by a signed checkpoint"; }; then
        ok "$name"
    else
        not_ok "$name: checkpoint exit $crc ($cerr); audit exit $RC ($(cat "$WORK/err"))"
    fi
}
