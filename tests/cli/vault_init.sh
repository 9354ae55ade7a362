#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# airlock-vault init, and opening a vault: where it is, who may reach it,
# what a ledger must be.  Each refusal leaves nothing behind.
. "$(dirname "$0")/lib.sh"
VAULT_BIN=${AIRLOCK_VAULT_BIN:?AIRLOCK_VAULT_BIN must name the airlock-vault binary}
vault() { "$VAULT_BIN" "$@"; }

KEY=$(gen_key maint) || exit 1
NOSEC=$(gen_key other) || exit 1
# a key we hold only the public part of
gpg --batch --yes --delete-secret-keys "$NOSEC" >/dev/null 2>&1 ||
    gpg --batch --yes --pinentry-mode loopback --passphrase '' \
        --delete-secret-keys "$NOSEC" >/dev/null 2>&1

V=$WORK/v
run vault --vault "$V" init --key "$KEY"
check "init creates a vault" expect_exit 0
check "init says where" err_has "vault created at $V"
check "vault folder is 0700" [ "$(stat -c %a "$V")" = 700 ]
check "ledger is 0600" [ "$(stat -c %a "$V/ledger.sqlite")" = 600 ]
check "store is 0700" [ "$(stat -c %a "$V/store")" = 700 ]
check "no policy.json without --policy" [ ! -e "$V/policy.json" ]
ledger_q() { python3 -c 'import sqlite3,sys; c=sqlite3.connect("file:"+sys.argv[1]+"?mode=ro", uri=True); print("\n".join("|".join(map(str,r)) for r in c.execute(sys.argv[2])))' "$1" "$2"; }
check "first event is init with the key, then the first checkpoint" \
    [ "$(ledger_q "$V/ledger.sqlite" "select seq, kind, actor from events")" = "0|init|$KEY
1|checkpoint|$KEY" ]
check "a new vault begins with signed checkpoint 2" \
    [ "$(ledger_q "$V/ledger.sqlite" "select size from checkpoints")" = 2 ]
check "schema version 4" [ "$(ledger_q "$V/ledger.sqlite" "pragma user_version")" = 4 ]
check "WAL journal" [ "$(ledger_q "$V/ledger.sqlite" "pragma journal_mode")" = wal ]
run vault --vault "$V" list
check "list of an empty vault" expect_exit 0
check "list prints nothing" [ ! -s "$WORK/out" ]

before=$(tree_sum "$V")
run vault --vault "$V" init --key "$KEY"
check "init refuses an existing vault" expect_exit 1
check "says it exists" err_has "already exists"
check "existing vault unchanged" [ "$(tree_sum "$V")" = "$before" ]

run vault --vault "$WORK/v2" init --key "$NOSEC"
check "init refuses a key without secret part" expect_exit 1
check "names the key" err_has "$NOSEC"
check "nothing left behind (no secret key)" [ ! -e "$WORK/v2" ]

run vault --vault "$WORK/v2" init --key 0123456789ABCDEF
check "init refuses a short key id" expect_exit 1
check "nothing left behind (short id)" [ ! -e "$WORK/v2" ]

run vault --vault "$WORK/v2" init
check "init without --key is a usage error" expect_exit 2

printf '{"airlock_policy": 1, "project": "demo", "recipients": ["%s"], "sla": {"acknowledge_hours": 0}}\n' "$KEY" >"$WORK/bad-policy.json"
run vault --vault "$WORK/v2" init --key "$KEY" --policy "$WORK/bad-policy.json"
check "init refuses a bad policy" expect_exit 1
check "names the policy key" err_has "acknowledge_hours"
check "nothing left behind (bad policy)" [ ! -e "$WORK/v2" ]

printf '{"airlock_policy": 1, "project": "demo", "recipients": ["%s"], "require_signature": true}\n' "$KEY" >"$WORK/policy.json"
run vault --vault "$WORK/v3" init --key "$KEY" --policy "$WORK/policy.json"
check "init with a policy" expect_exit 0
check "policy copied, 0600" [ "$(stat -c %a "$WORK/v3/policy.json")" = 600 ]
check "policy bytes kept" cmp -s "$WORK/policy.json" "$WORK/v3/policy.json"
check "init event names the policy's hash" \
    [ "$(ledger_q "$WORK/v3/ledger.sqlite" "select json_extract(data, '\$.policy') from events where seq = 0")" = "$(sha256sum <"$WORK/policy.json" | cut -d' ' -f1)" ]

mkdir -m 700 "$WORK/empty"
run vault --vault "$WORK/empty" init --key "$KEY"
check "init accepts an empty folder" expect_exit 0

# where the vault is
run env AIRLOCK_VAULT="$V" "$VAULT_BIN" list
check "AIRLOCK_VAULT names the vault" expect_exit 0
run env -u AIRLOCK_VAULT XDG_DATA_HOME="$WORK/xdg" "$VAULT_BIN" list
check "the XDG default is used" expect_exit 1
check "and named when missing" err_has "no vault at '$WORK/xdg/airlock'"
mkdir -p "$WORK/home/.local/share"
run env -u AIRLOCK_VAULT -u XDG_DATA_HOME HOME="$WORK/home" "$VAULT_BIN" init --key "$KEY"
check "init in ~/.local/share/airlock" [ -f "$WORK/home/.local/share/airlock/ledger.sqlite" ]
run vault list --vault "$V"
check "--vault after the command" expect_exit 0

# who may reach it
chmod 750 "$V"
run vault --vault "$V" list
check "a group-readable vault is refused" expect_exit 3
check "says the mode and the fix" err_has "chmod 700"
chmod 700 "$V"
chmod 644 "$V/ledger.sqlite"
run vault --vault "$V" list
check "a world-readable ledger is refused" expect_exit 3
check "names the ledger" err_has "ledger.sqlite"
chmod 600 "$V/ledger.sqlite"
ln -s "$V" "$WORK/vlink"
run vault --vault "$WORK/vlink" list
check "a symlinked vault folder is refused" expect_exit 3
check "says symlink" err_has "symlink"
mv "$V/ledger.sqlite" "$V/real.sqlite"
ln -s real.sqlite "$V/ledger.sqlite"
run vault --vault "$V" list
check "a symlinked ledger is refused" expect_exit 3
rm "$V/ledger.sqlite"; mv "$V/real.sqlite" "$V/ledger.sqlite"
mv "$V/store" "$WORK/store-elsewhere"
ln -s "$WORK/store-elsewhere" "$V/store"
run vault --vault "$V" list
check "a symlinked store is refused" expect_exit 3
check "names the store" err_has "store"
rm "$V/store"; mv "$WORK/store-elsewhere" "$V/store"
run vault --vault "$V" list
check "the restored vault opens" expect_exit 0

# what a ledger must be
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("pragma user_version = 7"); c.commit()' "$WORK/v3/ledger.sqlite"
run vault --vault "$WORK/v3" list
check "another schema version is refused" expect_exit 1
check "names the version" err_has "schema version 7"
printf 'not a database at all, just text that is long enough to look like a header..........\n' >"$WORK/empty/ledger.sqlite"
run vault --vault "$WORK/empty" list
check "a ledger that is not SQLite is refused" expect_exit 3
check "and says so" err_has "ledger"

# the triggers keep events append-only, even for a plain SQL client
run python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("update events set kind = ? where seq = 0", ("x",)); c.commit()' "$V/ledger.sqlite"
check "an UPDATE of an event is refused" [ "$RC" -ne 0 ]
check "by the trigger" err_has "append-only"
run python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("delete from events"); c.commit()' "$V/ledger.sqlite"
check "a DELETE of events is refused" err_has "append-only"
run python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("insert into events values (5, ?, ?, NULL, ?, ?, ?, ?)", ("t","k","a","{}",b"x",b"0"*32)); c.commit()' "$V/ledger.sqlite"
check "an event out of order is refused" err_has "in order"

# a bundle only another secret key in the keyring can open is not for the vault
THIRD=$(gen_key third) || exit 1
make_draft "$WORK/draft"
"$PACK" seal "$WORK/draft" --to "$THIRD" -o "$WORK/third.gpg" >/dev/null 2>&1
before=$(ledger_q "$V/ledger.sqlite" "select count(*) from reports")
run vault --vault "$V" import "$WORK/third.gpg"
check "a bundle for another key of the keyring is refused" expect_exit 1
check "...as not for the vault's key" err_has "not encrypted to this vault's key (decrypted by another key"
check "...and no report is added" [ "$(ledger_q "$V/ledger.sqlite" "select count(*) from reports")" = "$before" ]
"$PACK" seal "$WORK/draft" --to "$THIRD" --to "$KEY" -o "$WORK/both.gpg" >/dev/null 2>&1
run vault --vault "$V" import "$WORK/both.gpg"
check "a bundle for both keys imports (the vault's key opens it)" expect_exit 0

# hidden recipients: fine when gpg opens the message with the vault's key; not
# when it took another secret key of the keyring first (the vault cannot tell)
gpg --batch --quiet -o "$WORK/inner.tar" --decrypt "$WORK/both.gpg" 2>/dev/null
python3 - "$WORK/inner.tar" "$WORK/inner2.tar" <<'PY'
import io, json, sys, tarfile
src = tarfile.open(sys.argv[1])
m = json.load(src.extractfile("manifest.json"))
m["id"] = "9e9e9e9e-0000-4000-8000-000000000001"
b = json.dumps(m).encode()
with tarfile.open(sys.argv[2], "w", format=tarfile.PAX_FORMAT) as out:
    i = tarfile.TarInfo("manifest.json"); i.size = len(b); out.addfile(i, io.BytesIO(b))
    for e in src.getmembers()[1:]:
        out.addfile(e, src.extractfile(e))
PY
gpg --batch --quiet --trust-model always --throw-keyids -r "$KEY" -r "$THIRD" \
    -o "$WORK/hidden-ours-first.gpg" --encrypt "$WORK/inner2.tar"
run vault --vault "$V" import "$WORK/hidden-ours-first.gpg"
check "hidden recipients opened by the vault's key import" expect_exit 0
gpg --batch --quiet --trust-model always --throw-keyids -r "$THIRD" -r "$KEY" \
    -o "$WORK/hidden-other-first.gpg" --encrypt "$WORK/inner.tar"
run vault --vault "$V" import "$WORK/hidden-other-first.gpg"
check "hidden recipients opened by another key are refused" expect_exit 1
check "...saying why" err_has "hidden recipients, opened by another key in the keyring"

run vault --help
check "--help" expect_exit 0
run vault frobnicate
check "unknown command is a usage error" expect_exit 2
done_testing
