#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The vault under stress: imports running at once, a store changed behind
# the vault's back, imports killed mid-way, a read-only vault, a full disk
# and failing syncs.  After each, the ledger and the store must agree:
# every report recorded once with its blob, events numbered without a gap,
# nothing half-written, and the vault still imports.
. "$(dirname "$0")/vault_lib.sh"

M=$(gen_key maintainer) || { echo "Bail out! cannot generate keys"; exit 1; }
B="$WORK/b"
mkdir -p "$B"

# skip REASON: a check that cannot run here.
skip() { AL_T=$((AL_T + 1)); echo "ok $AL_T # SKIP $1"; }

# vcheck.py VAULT [--orphans-ok] [--tmp-ok]: the ledger and the store
# agree.  Prints what does not, one problem after another.
cat >"$WORK/vcheck.py" <<'PY'
import json, os, re, sqlite3, stat, sys

vault, flags = sys.argv[1], set(sys.argv[2:])
bad = []
db = sqlite3.connect("file:%s?mode=ro" % os.path.join(vault, "ledger.sqlite"),
                     uri=True)
ic = db.execute("PRAGMA integrity_check").fetchall()
if ic != [("ok",)]:
    bad.append("integrity_check says %s" % ic[:3])
seqs = [r[0] for r in db.execute("SELECT seq FROM events ORDER BY seq")]
if seqs != list(range(len(seqs))):
    bad.append("event seqs are not 0..N-1: %s" % seqs)
rows = {r[0]: (r[1], r[2]) for r in
        db.execute("SELECT sha256, report, event FROM bundles")}
reports = {r[0]: (r[1], r[2]) for r in
           db.execute("SELECT id, bundle, revision FROM reports")}
imports = [(r[0], r[1], json.loads(r[2])) for r in db.execute(
    "SELECT seq, report, data FROM events WHERE kind = 'import'")]

# the store: NN/NNHEX regular files, nothing else but tmp/
store = os.path.join(vault, "store")
blobs, strays = set(), []
for d in sorted(os.listdir(store)):
    p = os.path.join(store, d)
    if d == "tmp":
        continue
    if not re.fullmatch("[0-9a-f]{2}", d) or not stat.S_ISDIR(os.lstat(p).st_mode):
        strays.append(d)
        continue
    for f in os.listdir(p):
        if re.fullmatch(d + "[0-9a-f]{62}", f) and \
                stat.S_ISREG(os.lstat(os.path.join(p, f)).st_mode):
            blobs.add(f)
        else:
            strays.append(d + "/" + f)
if strays:
    bad.append("stray entries in store/: %s" % strays)
tmp = os.listdir(os.path.join(store, "tmp"))
if tmp and "--tmp-ok" not in flags:
    bad.append("left in store/tmp: %s" % tmp)
if set(rows) - blobs:
    bad.append("bundles rows without a blob: %s" %
               [h[:12] for h in set(rows) - blobs])
if blobs - set(rows) and "--orphans-ok" not in flags:
    bad.append("blobs no bundles row names: %s" %
               [h[:12] for h in blobs - set(rows)])

# one import event a bundle row, naming it, its report and its seq
by_bundle = {}
for seq, rep, d in imports:
    by_bundle.setdefault(d["bundle"], []).append((seq, rep))
for sha, (rep, ev) in rows.items():
    if by_bundle.get(sha) != [(ev, rep)]:
        bad.append("bundle %s of %s (event %s): import events %s" %
                   (sha[:12], rep, ev, by_bundle.get(sha)))
    if rep not in reports:
        bad.append("bundle %s names no report (%s)" % (sha[:12], rep))
for sha in set(by_bundle) - set(rows):
    bad.append("import event for bundle %s without its row" % sha[:12])

# every report: revisions 1..N, each imported once, its current bundle its own
for rid, (bundle, revision) in reports.items():
    revs = sorted(d["revision"] for _, rep, d in imports if rep == rid)
    if revs != list(range(1, revision + 1)):
        bad.append("report %s at revision %s has import events for "
                   "revisions %s" % (rid, revision, revs))
    if rows.get(bundle, (None,))[0] != rid:
        bad.append("report %s: current bundle %s is not one of its own" %
                   (rid, str(bundle)[:12]))
for rep, in db.execute("SELECT report FROM events WHERE kind IN "
                       "('import', 'replay', 'open')"):
    if rep not in reports:
        bad.append("an event names report %s, which is not recorded" % rep)
if bad:
    print("; ".join(bad))
sys.exit(1 if bad else 0)
PY

# consistent NAME VAULT [--orphans-ok] [--tmp-ok]: one check, passing when
# vcheck.py finds nothing wrong (what it found is shown otherwise).
consistent() {
    local name=$1 v=$2
    shift 2
    if "$PY" "$WORK/vcheck.py" "$v" "$@" >"$WORK/vcheck.out" 2>&1 &&
        "$VAULT_BIN" --vault "$v" audit >>"$WORK/vcheck.out" 2>&1; then
        ok "$name"
    else
        rm -f "$WORK/out" "$WORK/err"
        not_ok "$name: $(head -c 600 "$WORK/vcheck.out")"
    fi
}

# kinds VAULT: the events' kinds and their counts, "import=2 init=1 ...",
# checkpoints aside (each command adds one).
kinds() { ledger "$1" "SELECT kind || '=' || count(*) FROM events WHERE kind != 'checkpoint' GROUP BY kind ORDER BY kind" | tr '\n' ' ' | sed 's/ $//'; }
nevents() { ledger "$1" "SELECT count(*) FROM events"; }
# blobs VAULT: the store's files (not tmp/), sorted, one a line.
blobs() { (cd "$1/store" && find . -path ./tmp -prune -o -type f -print | sort); }

# ---- 1. imports at once ------------------------------------------------
# par_start VAULT I FILE...: an import in the background, started when
# $WORK/go appears (so that they all start together); its stdout, stderr
# and exit status in $WORK/parI.{out,err,rc}.
par_start() {
    local v=$1 i=$2
    shift 2
    rm -f "$WORK/par$i".*
    (
        while [ ! -e "$WORK/go" ]; do sleep 0.01; done
        rc=0
        cd "$SCRATCH/cwd" && timeout 120 "$VAULT_BIN" --vault "$v" import "$@" \
            >"$WORK/par$i.out" 2>"$WORK/par$i.err" || rc=$?
        echo "$rc" >"$WORK/par$i.rc"
    ) &
}
# par_go: start them, wait for all.
par_go() { touch "$WORK/go"; wait; rm -f "$WORK/go"; }
# par_ok N: the N imports all exited 0 and wrote nothing on stderr.
par_ok() {
    local i
    for i in $(seq 1 "$1"); do
        if [ "$(cat "$WORK/par$i.rc" 2>/dev/null)" != 0 ] || [ -s "$WORK/par$i.err" ]; then
            echo "# import $i: exit $(cat "$WORK/par$i.rc" 2>/dev/null)" >&2
            sed "s/^/# import $i: /" "$WORK/par$i.err" >&2
            return 1
        fi
    done
}
# par_lines N: every import's stdout lines, the file name cut off, sorted
# (without the indented lines that name likely duplicates: the bundles share a text).
par_lines() { local i; for i in $(seq 1 "$1"); do grep -v '^  ' "$WORK/par$i.out"; done | sed 's/^[^:]*: //' | sort; }
# tally N: how many lines of each kind, "imported=1 replay=3 ".
tally() { par_lines "$1" | awk '{print $1}' | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}'; }
# par_ids N: how many different report ids the lines name.
par_ids() { par_lines "$1" | grep -oE '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}' | sort -u | wc -l; }

mkb --batch --to "$M" <<EOF || { echo "Bail out! mkbundle failed"; exit 1; }
good $B/d1.gpg --attach one.txt=one
good $B/d2.asc --armor --attach two.txt=two
good $B/same2.gpg --attach same.txt=same2
good $B/f1.gpg --attach f.txt=f1
good $B/f2.asc --armor --attach f.txt=f2
good $B/f3.gpg --attach f.txt=f3
good $B/f4.gpg --attach f.txt=f4
good $B/f5.asc --armor --attach f.txt=f5
good $B/f6.gpg --attach f.txt=f6
good $B/same4.gpg --attach same.txt=same4
good $B/enc1.gpg --attach enc.txt=once --tar-out $B/enc.tar
good $B/rev1.gpg --id 7e7e7e7e-0000-4000-8000-000000000001 --attach r.txt=1
good $B/rev2.gpg --id 7e7e7e7e-0000-4000-8000-000000000001 --attach r.txt=2
good $B/rev3.gpg --id 7e7e7e7e-0000-4000-8000-000000000001 --attach r.txt=3
good $B/rev4.gpg --id 7e7e7e7e-0000-4000-8000-000000000001 --attach r.txt=4
EOF
for i in 2 3 4; do mkb good "$B/enc$i.gpg" --from-tar "$B/enc.tar" --to "$M"; done
check "the same inner archive encrypted four times: four different files" \
    test "$(sha256sum "$B"/enc?.gpg | cut -d' ' -f1 | sort -u | wc -l)" = 4

rm -f "$WORK/out" "$WORK/err"
P2="$WORK/par2"
vault_init "$P2" "$M" || { echo "Bail out! cannot create a vault"; exit 1; }
par_start "$P2" 1 "$B/d1.gpg"
par_start "$P2" 2 "$B/d2.asc"
par_go
check "two imports at once, different bundles: both exit 0" par_ok 2
check "...both imported" test "$(par_lines 2 | grep -c '^imported ')" = 2
par_start "$P2" 1 "$B/same2.gpg"
par_start "$P2" 2 "$B/same2.gpg"
par_go
check "two imports at once of the same bundle: both exit 0" par_ok 2
check "...one imported it, the other says replay of the same report" \
    test "$(tally 2)/$(par_ids 2)" = "imported=1 replay=1 /1"
check "...the ledger: 3 imports, 1 replay" test "$(kinds "$P2")" = "import=3 init=1 replay=1"
consistent "...integrity ok, seqs without a gap, one import event a report, rows = blobs, store/tmp empty" "$P2"

P4="$WORK/par4"
vault_init "$P4" "$M" || { echo "Bail out! cannot create a vault"; exit 1; }
F=("$B/f1.gpg" "$B/f2.asc" "$B/f3.gpg" "$B/f4.gpg" "$B/f5.asc" "$B/f6.gpg")
par_start "$P4" 1 "${F[@]}"
par_start "$P4" 2 "${F[@]:2}" "${F[@]:0:2}"
par_start "$P4" 3 "${F[@]:4}" "${F[@]:0:4}"
par_start "$P4" 4 "${F[5]}" "${F[4]}" "${F[3]}" "${F[2]}" "${F[1]}" "${F[0]}"
par_go
check "four imports at once of the same six bundles (in different orders): all exit 0" par_ok 4
check "...each bundle imported by exactly one of them, a replay for the three others" \
    sh -c "for f in ${F[*]}; do
        [ \$(cat '$WORK'/par?.out | grep -c \"^\$f: imported \") -eq 1 ] &&
        [ \$(cat '$WORK'/par?.out | grep -c \"^\$f: replay of \") -eq 3 ] || exit 1; done"
check "...six reports, 6 import and 18 replay events" \
    test "$(count "$P4" reports)/$(kinds "$P4")" = "6/import=6 init=1 replay=18"
consistent "...integrity ok, seqs without a gap, rows = blobs, store/tmp empty" "$P4"

for i in 1 2 3 4; do par_start "$P4" $i "$B/same4.gpg"; done
par_go
check "four imports at once of one new bundle: all exit 0" par_ok 4
check "...one imported, three replays of the same report" \
    test "$(tally 4)/$(par_ids 4)" = "imported=1 replay=3 /1"

for i in 1 2 3 4; do par_start "$P4" $i "$B/enc$i.gpg"; done
par_go
check "four imports at once of one archive encrypted four times: all exit 0" par_ok 4
check "...one imported, three replays of it (same content)" \
    test "$(tally 4)/$(par_ids 4)" = "imported=1 replay=3 /1"
ENC_ID=$(cat "$WORK"/par?.out | awk '/imported/ {print $3}')
check "...one bundle row and one blob for that report" \
    test "$(ledger "$P4" "SELECT count(*) FROM bundles WHERE report = ?" "$ENC_ID")" = 1

for i in 1 2 3 4; do par_start "$P4" $i "$B/rev$i.gpg"; done
par_go
check "four imports at once of four revisions of one report: all exit 0" par_ok 4
check "...numbered 1 to 4, each once" \
    test "$(par_lines 4 | sed -E 's/^imported .*/1/; s/^revision ([0-9]+) .*/\1/' | sort | tr '\n' ' ')" = "1 2 3 4 "
check "...the report is at revision 4 with four bundles" \
    test "$(ledger "$P4" "SELECT revision, (SELECT count(*) FROM bundles WHERE report = id) FROM reports WHERE id = '7e7e7e7e-0000-4000-8000-000000000001'")" = "4	4"
check "...the ledger: 12 imports, 24 replays, no refusal" \
    test "$(kinds "$P4")" = "import=12 init=1 replay=24"
consistent "...integrity ok, seqs without a gap, rows = blobs (names and count), store/tmp empty" "$P4"
check "...and every blob is 0400, every folder 0700" \
    sh -c "[ -z \"\$(find '$P4/store' -type f ! -perm 400)\" ] && [ -z \"\$(find '$P4/store' -type d ! -perm 700)\" ]"

# ---- 2. the store as the vault sees it ----------------------------------
VS="$WORK/vs"
vault_init "$VS" "$M" || { echo "Bail out! cannot create a vault"; exit 1; }
mkb --batch --to "$M" <<EOF
good $B/s-bin.gpg --id 5a5a5a5a-0000-4000-8000-000000000001 --attach poc.txt=binary
good $B/s-arm.asc --id 5a5a5a5a-0000-4000-8000-000000000002 --armor --attach poc.txt=armored
good $B/s-other.gpg --id 5a5a5a5a-0000-4000-8000-000000000003 --attach poc.txt=other
EOF
vimport "$VS" "$B/s-bin.gpg" "$B/s-arm.asc" "$B/s-other.gpg"
check "three bundles imported for the store checks" expect_exit 0
SID=5a5a5a5a-0000-4000-8000-000000000001
AID=5a5a5a5a-0000-4000-8000-000000000002
SH=$(ledger "$VS" "SELECT bundle FROM reports WHERE id = ?" $SID)
AH=$(ledger "$VS" "SELECT bundle FROM reports WHERE id = ?" $AID)
OH=$(ledger "$VS" "SELECT bundle FROM reports WHERE id = '5a5a5a5a-0000-4000-8000-000000000003'")
SBLOB="$VS/store/${SH:0:2}/$SH"
ABLOB="$VS/store/${AH:0:2}/$AH"
cp "$SBLOB" "$WORK/s-bin.blob"
cp "$ABLOB" "$WORK/s-arm.blob"
check "the blobs are the bundles' bytes, named by their SHA-256" \
    sh -c "cmp -s '$SBLOB' '$B/s-bin.gpg' && [ $SH = \$(sha256sum <'$B/s-bin.gpg' | cut -d' ' -f1) ]"

# restore: the genuine blobs back, 0400.
restore() {
    rm -rf "$SBLOB" "$ABLOB"
    cp "$WORK/s-bin.blob" "$SBLOB"
    cp "$WORK/s-arm.blob" "$ABLOB"
    chmod 400 "$SBLOB" "$ABLOB"
}
# flip FILE OFFSET: invert the low bit of one byte.
flip() { "$PY" -c 'import sys; p, o = sys.argv[1], int(sys.argv[2]); d = bytearray(open(p, "rb").read()); d[o] ^= 1; open(p, "wb").write(d)' "$1" "$2"; }

# open_refused NAME ID RC WANT...: open ID must exit RC (within 20 s, not
# by a signal), say every WANT on stderr, write no folder (nor a temporary
# one beside it) and record no 'open' event.
open_refused() {
    local name=$1 id=$2 want_rc=$3 why="" w opens
    shift 3
    opens=$(ledger "$VS" "SELECT count(*) FROM events WHERE kind = 'open'")
    run timeout 20 "$VAULT_BIN" --vault "$VS" open "$id" -o "$WORK/opened"
    [ "$RC" -eq 124 ] && why="$why a hang (killed after 20 s);"
    [ "$RC" -eq "$want_rc" ] || why="$why exit $RC, want $want_rc;"
    for w in "$@"; do
        grep -qF -- "$w" "$WORK/err" || why="$why stderr lacks '$w';"
    done
    [ -e "$WORK/opened" ] && why="$why the folder was written;"
    compgen -G "$WORK/.airlock-open*" >/dev/null && why="$why a temporary folder was left;"
    [ "$(ledger "$VS" "SELECT count(*) FROM events WHERE kind = 'open'")" = "$opens" ] ||
        why="$why an open event was recorded;"
    rm -rf "$WORK/opened" "$WORK"/.airlock-open*
    restore
    if [ -z "$why" ]; then ok "$name"; else not_ok "$name:$why"; fi
}

chmod u+w "$SBLOB"
flip "$SBLOB" $(($(stat -c %s "$SBLOB") / 2))
open_refused "open: a blob with a byte flipped on disk is refused (3), naming the blob" $SID 3 "$SH"
chmod u+w "$SBLOB"
flip "$SBLOB" 3
open_refused "open: a byte flipped in the blob's first packet: refused (3), naming the blob" $SID 3 "$SH"
chmod u+w "$SBLOB"
head -c $(($(stat -c %s "$WORK/s-bin.blob") - 40)) "$WORK/s-bin.blob" >"$SBLOB"
open_refused "open: a truncated blob is refused (3), naming the blob" $SID 3 "$SH"
chmod u+w "$ABLOB"
echo >>"$ABLOB"
open_refused "open: an armored blob with a line added (gpg still reads it) is refused (3): hash" $AID 3 "$AH" "does not match its hash"
chmod u+w "$SBLOB"
cat "$VS/store/${OH:0:2}/$OH" >"$SBLOB"
open_refused "open: a blob replaced by another report's valid blob is refused (3): hash" $SID 3 "$SH" "does not match its hash"
rm -f "$SBLOB"
open_refused "open: a missing blob: exit 1, 'missing', naming it" $SID 1 "$SH" "missing"
rm -f "$SBLOB"
ln -s "$WORK/s-bin.blob" "$SBLOB"
open_refused "open: a blob replaced by a symlink (to the genuine bytes) is refused (3)" $SID 3 "symbolic link"
rm -f "$SBLOB"
mkfifo "$SBLOB"
open_refused "open: a FIFO at a blob's name: no hang, refused (3)" $SID 3 "not a regular file"
rm -f "$SBLOB"
mkdir "$SBLOB"
open_refused "open: a folder at a blob's name is refused (3)" $SID 3 "not a regular file"
chmod 444 "$SBLOB"
open_refused "open: a blob readable by others (0444) is refused (3), with the mode" $SID 3 "0444"
run "$VAULT_BIN" --vault "$VS" open $SID -o "$WORK/opened"
check "open: the restored blob opens (exit 0) and the open is recorded" \
    test "$RC/$(cat "$WORK/opened/attachments/poc.txt")/$(ledger "$VS" "SELECT count(*) FROM events WHERE kind = 'open'")" = "0/binary/1"
rm -rf "$WORK/opened"
consistent "after the tampering, restored: the store and the ledger agree" "$VS"

# ---- 2b. imports killed mid-way --------------------------------------------
VK="$WORK/vk"
vault_init "$VK" "$M" || { echo "Bail out! cannot create a vault"; exit 1; }
BIG="$B/big.gpg"
BIG_ID=b1b1b1b1-0000-4000-8000-000000000001
mkb good "$BIG" --to "$M" -z 0 --zero-attachment big.bin=200000000 --id $BIG_ID --title "Big one"
check "a 200 MB bundle (no compression) sealed once" test "$(stat -c %s "$BIG")" -gt 200000000

# temp_fd PID: the path of PID's open file under $VK/store/tmp/ once it is
# past 4 MB (waits up to 60 s); prints it, or fails.
temp_fd() {
    local pid=$1 f
    for _ in $(seq 1 3000); do
        for f in /proc/"$pid"/fd/*; do
            case $(readlink "$f" 2>/dev/null) in
            "$VK/store/tmp/"*)
                if [ "$(stat -L -c %s "$f" 2>/dev/null || echo 0)" -gt 4000000 ]; then
                    readlink "$f"
                    return 0
                fi ;;
            esac
        done
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.02
    done
    return 1
}

events0=$(nevents "$VK")
AL_STORE_NO_TMPFILE=1 "$VAULT_BIN" --vault "$VK" import "$BIG" >"$WORK/out" 2>"$WORK/err" &
pid=$!
tmpfile=$(temp_fd $pid)
kill -9 $pid 2>/dev/null
RC=0
wait $pid 2>/dev/null || RC=$?
check "AL_STORE_NO_TMPFILE=1: an import killed (SIGKILL) mid-way through a 200 MB blob" \
    test -n "$tmpfile" -a "$RC" = 137
LEFT=$(ls "$VK/store/tmp")
check "...leaves its named temp file in store/tmp (blob- and 16 hex digits)" \
    sh -c "[ \"\$(echo '$LEFT' | wc -l)\" = 1 ] && echo '$LEFT' | grep -qxE 'blob-[0-9a-f]{16}' && [ '$tmpfile' = '$VK/store/tmp/$LEFT' ]"
LEFT_SUM=$(cd "$VK/store/tmp" && ls -l --time-style=+%s "$LEFT" && sha256sum "$LEFT")
check "...and no report, no bundle, no blob, no event" \
    test "$(count "$VK" reports)/$(count "$VK" bundles)/$(blobs "$VK" | wc -l)/$(nevents "$VK")" = "0/0/0/$events0"
consistent "...the ledger is whole" "$VK" --tmp-ok

mkb --batch --to "$M" <<EOF
good $B/k1.gpg --attach k.txt=1
good $B/k2.gpg --attach k.txt=2
good $B/k3.gpg --attach k.txt=3
good $B/k4.gpg --attach k.txt=4
good $B/k5.gpg --attach k.txt=5
good $B/k6.gpg --attach k.txt=6
EOF
vimport "$VK" "$B/k1.gpg"
check "with the leftover there, an import (O_TMPFILE) works" \
    sh -c "[ $RC -eq 0 ] && grep -q ': imported ' '$WORK/out'"
RC=0
(cd "$SCRATCH/cwd" && AL_STORE_NO_TMPFILE=1 "$VAULT_BIN" --vault "$VK" import "$B/k2.gpg") >"$WORK/out" 2>"$WORK/err" || RC=$?
check "...and one with named temp files" \
    sh -c "[ $RC -eq 0 ] && grep -q ': imported ' '$WORK/out'"
check "...the leftover is left as it is (name, size, time, bytes), nothing else in store/tmp" \
    test "$(cd "$VK/store/tmp" && ls && ls -l --time-style=+%s "$LEFT" && sha256sum "$LEFT")" = "$LEFT
$LEFT_SUM"
consistent "...the two imports recorded, with their blobs" "$VK" --tmp-ok

events0=$(nevents "$VK")
blobs0=$(blobs "$VK")
"$VAULT_BIN" --vault "$VK" import "$BIG" >"$WORK/out" 2>"$WORK/err" &
pid=$!
tmpfile=$(temp_fd $pid)
kill -9 $pid 2>/dev/null
RC=0
wait $pid 2>/dev/null || RC=$?
check "an import (O_TMPFILE) killed mid-way through the 200 MB blob" \
    test -n "$tmpfile" -a "$RC" = 137
check "...leaves no report, no bundle row, no blob, no event" \
    test "$(ledger "$VK" "SELECT count(*) FROM reports WHERE id = ?" "$BIG_ID")/$(count "$VK" bundles)/$(blobs "$VK")/$(nevents "$VK")" = "0/2/$blobs0/$events0"
case $tmpfile in
*"/#"*)
    check "...and nothing new in store/tmp (the unnamed file went with it)" \
        test "$(ls "$VK/store/tmp")" = "$LEFT" ;;
*) skip "O_TMPFILE not supported here: the killed import left '$tmpfile'" ;;
esac
RC=0
(cd "$SCRATCH/cwd" && timeout 120 "$VAULT_BIN" --vault "$VK" import "$BIG") >"$WORK/out" 2>"$WORK/err" || RC=$?
check "the same 200 MB file imports afterwards" \
    test "$RC/$(head -n 1 "$WORK/out")" = "0/$BIG: imported $BIG_ID \"Big one\""
check "...exactly once: one report, one bundle row, one import event" \
    test "$(ledger "$VK" "SELECT count(*) FROM reports WHERE id = ?" "$BIG_ID")/$(ledger "$VK" "SELECT count(*) FROM bundles WHERE report = ?" "$BIG_ID")/$(ledger "$VK" "SELECT count(*) FROM events WHERE kind = 'import' AND report = ?" "$BIG_ID")" = "1/1/1"
consistent "...its blob stored, the ledger and the store agree" "$VK" --tmp-ok
rm -f "$BIG"

# killed at a given system call (strace), small bundles: all or nothing.
if ! strace -f -o /dev/null true 2>/dev/null; then
    skip "strace cannot trace here: no kill at a system call"
    STRACE=no
else
    STRACE=yes
    # killed_at NAME INJECT FILE WHAT [FLAGS]: import FILE with SIGKILL
    # injected at a system call; it must die there and leave the vault
    # consistent (FLAGS for vcheck) with nothing recorded (WHAT "nothing")
    # or either nothing or all of it ("either"); then the file imports,
    # recorded exactly once.
    killed_at() {
        local name=$1 inj=$2 file=$3 what=$4 flags=${5:-} id before bundles
        before=$(nevents "$VK")
        bundles=$(count "$VK" bundles)
        RC=0
        under_strace -b execve -e "inject=$inj" -- "$VAULT_BIN" --vault "$VK" import "$file" \
            >"$WORK/out" 2>"$WORK/err" || RC=$?
        check "$name: killed there" test "$RC" = 137
        [ "$what" != nothing ] || check "...no bundle row, no event" \
            test "$(nevents "$VK")/$(count "$VK" bundles)" = "$before/$bundles"
        # shellcheck disable=SC2086
        consistent "...all or nothing: the ledger and the store agree" "$VK" --tmp-ok $flags
        vimport "$VK" "$file"
        id=$(grep -oE '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}' "$WORK/out")
        check "...the file imports afterwards, recorded once" \
            test "$RC/$(ledger "$VK" "SELECT count(*) FROM events WHERE kind = 'import' AND report = ?" "$id")" = "0/1"
        consistent "...and the store agrees" "$VK" --tmp-ok
    }
    # Once the blob is published (linked), a kill before the commit leaves
    # a blob no row names (docs/import.md, step 9): allowed, and the next
    # import of the file adopts it.
    killed_at "killed at linkat (blob complete, not published)" \
        linkat:signal=KILL "$B/k3.gpg" nothing
    killed_at "killed at the sub-folder's fsync (blob published)" \
        fsync:signal=KILL:when=2 "$B/k4.gpg" nothing --orphans-ok
    killed_at "killed at the ledger's 12th pwrite64 (the WAL half-written)" \
        pwrite64:signal=KILL:when=12 "$B/k5.gpg" nothing --orphans-ok
    killed_at "killed at the ledger's first fdatasync" \
        fdatasync:signal=KILL:when=1 "$B/k6.gpg" either --orphans-ok
fi

# ---- 3. a read-only vault --------------------------------------------------
VR="$WORK/vr"
vault_init "$VR" "$M" || { echo "Bail out! cannot create a vault"; exit 1; }
mkb --batch --to "$M" <<EOF
good $B/r1.gpg --attach r.txt=1
good $B/r2.gpg --attach r.txt=2
EOF
vimport "$VR" "$B/r1.gpg"
# ro_refused NAME CMD...: the import of r2.gpg under CMD fails with exit 1
# and one line naming the cause, and the vault is unchanged.
ro_refused() {
    local name=$1 before why=""
    shift
    before=$(tree_sum "$VR")
    run "$@"
    [ "$RC" -eq 1 ] || why="$why exit $RC, want 1;"
    [ "$(wc -l <"$WORK/err")" -eq 1 ] || why="$why $(wc -l <"$WORK/err") lines on stderr, want 1;"
    grep -q '^airlock-vault: ' "$WORK/err" || why="$why stderr not 'airlock-vault: ...';"
    grep -qiE 'read-?only|EROFS' "$WORK/err" || why="$why stderr does not say read-only;"
    [ -s "$WORK/out" ] && why="$why stdout not empty;"
    [ "$(tree_sum "$VR")" = "$before" ] || why="$why the vault changed;"
    if [ -z "$why" ]; then ok "$name"; else not_ok "$name:$why"; fi
}
if unshare -rm sh -c "mount --bind '$VR' '$VR' && mount -o remount,ro,bind '$VR'" 2>/dev/null; then
    ro_refused "a vault on a read-only mount: import fails (1) with one line saying read-only, nothing changed" \
        unshare -rm sh -c "mount --bind '$VR' '$VR' && mount -o remount,ro,bind '$VR' && exec \"\$0\" --vault '$VR' import '$B/r2.gpg'" "$VAULT_BIN"
    ro_refused "only store/ read-only: import fails (1), saying read-only, nothing changed" \
        unshare -rm sh -c "mount --bind '$VR/store' '$VR/store' && mount -o remount,ro,bind '$VR/store' && exec \"\$0\" --vault '$VR' import '$B/r2.gpg'" "$VAULT_BIN"
else
    skip "no read-only bind mount (unshare -rm) here"
fi
if [ "$(id -u)" != 0 ]; then
    chmod 500 "$VR"
    chmod 400 "$VR/ledger.sqlite"
    ro_refused "a vault chmod 500, ledger 400: import fails (1) with one line, nothing changed" \
        "$VAULT_BIN" --vault "$VR" import "$B/r2.gpg"
    chmod 700 "$VR"
    chmod 600 "$VR/ledger.sqlite"
else
    skip "running as root: chmod 500 does not stop writes"
fi
vimport "$VR" "$B/r2.gpg"
check "writable again, the vault imports" sh -c "[ $RC -eq 0 ] && grep -q ': imported ' '$WORK/out'"
consistent "...and is consistent" "$VR"

# ---- 4. a full disk, failing syncs ------------------------------------------
VF="$WORK/vf"
vault_init "$VF" "$M" || { echo "Bail out! cannot create a vault"; exit 1; }
for i in $(seq 0 12); do echo "good $B/x$i.gpg --attach x.txt=$i"; done | mkb --batch --to "$M"
vimport "$VF" "$B/x0.gpg"
N=0
# failed_import NAME INJECT WANT: import a new bundle with the fault
# injected (strace -f -b execve: the vault's own threads, not gpg): exit 1
# (not a signal), WANT on stderr, nothing recorded (not even a refusal),
# the store unchanged; then the same file imports, exactly once.
failed_import() {
    local name=$1 inj=$2 want=$3 why="" events store id
    N=$((N + 1))
    events=$(nevents "$VF")
    store=$(blobs "$VF")
    RC=0
    under_strace -b execve -e "inject=$inj" -- "$VAULT_BIN" --vault "$VF" import "$B/x$N.gpg" \
        >"$WORK/out" 2>"$WORK/err" || RC=$?
    [ "$RC" -eq 1 ] || why="$why exit $RC, want 1;"
    grep -qF -- "$want" "$WORK/err" || why="$why stderr lacks '$want';"
    grep -qF -- "airlock-vault: $B/x$N.gpg: " "$WORK/err" || why="$why stderr does not name the file;"
    [ "$(nevents "$VF")" = "$events" ] || why="$why events recorded: $(ledger "$VF" "SELECT kind FROM events WHERE seq >= $events" | tr '\n' ' ');"
    [ "$(blobs "$VF")" = "$store" ] || why="$why the store changed: $(blobs "$VF" | grep -vxF "$store" | tr '\n' ' ');"
    [ -z "$(ls "$VF/store/tmp")" ] || why="$why left in store/tmp;"
    if [ -z "$why" ]; then ok "$name"; else not_ok "$name:$why"; fi
    vimport "$VF" "$B/x$N.gpg"
    id=$(grep -oE '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}' "$WORK/out")
    check "...then the file imports, recorded once" \
        test "$RC/$(ledger "$VF" "SELECT count(*) FROM events WHERE kind = 'import' AND report = ?" "$id")" = "0/1"
}
if [ "$STRACE" = yes ]; then
    failed_import "fsync of the new blob fails with ENOSPC: exit 1, nothing recorded" \
        fsync:error=ENOSPC:when=1 "No space left on device"
    failed_import "fsync of the new blob fails with EIO: exit 1, nothing recorded" \
        fsync:error=EIO:when=1 "Input/output error"
    failed_import "linking the blob fails with ENOSPC: exit 1, nothing recorded" \
        linkat:error=ENOSPC "No space left on device"
    failed_import "fsync of the blob's sub-folder fails with ENOSPC (after the link): exit 1, nothing recorded, no blob left" \
        fsync:error=ENOSPC:when=2 "No space left on device"
    failed_import "fsync of store/ fails with EIO (after the link): exit 1, nothing recorded, no blob left" \
        fsync:error=EIO:when=3 "Input/output error"
    failed_import "the ledger's commit fdatasync fails with EIO: exit 1, nothing recorded, the blob removed" \
        fdatasync:error=EIO:when=1 "I/O error"
    failed_import "the ledger's commit fdatasync fails with ENOSPC: exit 1, says No space left on device" \
        fdatasync:error=ENOSPC:when=1 "No space left on device"
    for k in 10 20; do
        failed_import "the ledger's pwrite64 number $k fails with ENOSPC: exit 1, says No space left on device" \
            "pwrite64:error=ENOSPC:when=$k" "No space left on device"
    done
    RC=0
    under_strace -b execve -e inject=pwrite64:error=ENOSPC:when=1 -- \
        "$VAULT_BIN" --vault "$VF" import "$B/x0.gpg" >"$WORK/out" 2>"$WORK/err" || RC=$?
    check "no space for the ledger's shared memory (-shm): exit 1, says No space left on device" \
        sh -c "[ $RC -eq 1 ] && grep -qF 'No space left on device' '$WORK/err'"
    consistent "after the injected failures the ledger and the store agree" "$VF"
else
    skip "strace cannot trace here: no injected ENOSPC or EIO"
fi

# A real full disk: the vault on a small tmpfs (in a private mount
# namespace), filled up by another file.
cat >"$WORK/full.sh" <<'SH'
# full.sh MNT VAULT_BIN PY VCHECK OUT B: run inside unshare -rm.
set -u
mnt=$1 bin=$2 py=$3 vcheck=$4 out=$5 b=$6
mount -t tmpfs -o size=8m,mode=700 tmpfs "$mnt" || exit 1
v=$mnt/v
"$bin" --vault "$v" init --key "$FPR" >/dev/null 2>&1 || exit 2
"$bin" --vault "$v" import "$b/t0.gpg" >/dev/null 2>&1 || exit 3
avail() { df -B1 --output=avail "$mnt" | tail -1; }
# step NAME FILE: import FILE; its results in $out/NAME.*
step() {
    local rc=0
    "$bin" --vault "$v" import "$2" >"$out/$1.out" 2>"$out/$1.err" || rc=$?
    echo $rc >"$out/$1.rc"
    "$py" "$vcheck" "$v" >"$out/$1.check" 2>&1
    "$py" -c 'import sqlite3, sys; c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True); print(c.execute("SELECT count(*) FROM events").fetchone()[0], c.execute("SELECT count(*) FROM bundles").fetchone()[0])' "$v/ledger.sqlite" >"$out/$1.counts"
    ls -A "$v/store/tmp" >"$out/$1.tmp"
}
step before "$b/t0.gpg"
head -c $(($(avail) - 256 * 1024)) /dev/zero >"$mnt/filler" 2>/dev/null
step blobfull "$b/t1.gpg"
rm -f "$mnt/filler"
step freed "$b/t1.gpg"
size=$(stat -c %s "$b/t2.gpg")
for slack in 0 8192 16384 32768; do
    rm -f "$mnt/filler"
    head -c $(($(avail) - (size + 4095) / 4096 * 4096 - slack)) /dev/zero >"$mnt/filler" 2>/dev/null
    step "ledgerfull$slack" "$b/t2.gpg"
done
rm -f "$mnt/filler"
step after "$b/t2.gpg"
SH
mkdir -p "$WORK/mnt" "$WORK/full"
if unshare -rm sh -c "mount -t tmpfs -o size=1m tmpfs '$WORK/mnt'" 2>/dev/null; then
    head -c 1000000 /dev/urandom >"$WORK/rnd.bin"
    mkb --batch --to "$M" <<EOF
good $B/t0.gpg --attach t.txt=0
good $B/t1.gpg -z 0 --attach rnd.bin=@$WORK/rnd.bin
good $B/t2.gpg -z 0 --attach rnd.bin=@$WORK/rnd.bin --title "Another"
EOF
    rm -f "$WORK/out" "$WORK/err"
    RC=0
    FPR="$M" unshare -rm bash "$WORK/full.sh" "$WORK/mnt" "$VAULT_BIN" "$PY" "$WORK/vcheck.py" "$WORK/full" "$B" || RC=$?
    FD="$WORK/full"
    check "a vault on an 8 MB tmpfs (a private mount)" test "$RC" = 0
    check "a full disk while the blob is written: exit 1, 'No space left on device', naming the file" \
        sh -c "[ \"\$(cat '$FD/blobfull.rc')\" = 1 ] && grep -qF 'No space left on device' '$FD/blobfull.err' && grep -qF '$B/t1.gpg: ' '$FD/blobfull.err'"
    check "...nothing recorded (not even a refusal), no blob, nothing in store/tmp" \
        sh -c "cmp -s '$FD/before.counts' '$FD/blobfull.counts' && [ ! -s '$FD/blobfull.tmp' ] && [ ! -s '$FD/blobfull.check' ]"
    check "space freed, the same file imports" \
        sh -c "[ \"\$(cat '$FD/freed.rc')\" = 0 ] && grep -q ': imported ' '$FD/freed.out' && [ ! -s '$FD/freed.check' ]"
    hit=0 bad="" prev=freed
    for slack in 0 8192 16384 32768; do
        r=$(cat "$FD/ledgerfull$slack.rc")
        if [ "$r" = 1 ] && grep -q 'ledger' "$FD/ledgerfull$slack.err"; then
            hit=$((hit + 1))
            grep -qF 'No space left on device' "$FD/ledgerfull$slack.err" ||
                bad="$bad slack $slack: '$(cat "$FD/ledgerfull$slack.err")';"
        fi
        { [ "$r" = 0 ] || cmp -s "$FD/$prev.counts" "$FD/ledgerfull$slack.counts"; } &&
            [ ! -s "$FD/ledgerfull$slack.check" ] && [ ! -s "$FD/ledgerfull$slack.tmp" ] ||
            bad="$bad slack $slack: exit $r, $(tr '\n' ' ' <"$FD/ledgerfull$slack.counts") $(cat "$FD/ledgerfull$slack.check");"
        prev=ledgerfull$slack
    done
    check "room for the blob but not the ledger: the ledger's write fails (seen $hit times)" test "$hit" -gt 0
    if [ -z "$bad" ]; then
        ok "...exit 1 saying 'No space left on device', nothing recorded, the blob removed"
    else
        not_ok "...exit 1 saying 'No space left on device', nothing recorded, the blob removed:$bad"
    fi
    check "space freed, the vault imports again, consistent" \
        sh -c "[ \"\$(cat '$FD/after.rc')\" = 0 ] && [ ! -s '$FD/after.check' ]"
else
    skip "no tmpfs in a private mount namespace (unshare -rm) here: no real full disk"
fi
done_testing
