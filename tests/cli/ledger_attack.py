# SPDX-License-Identifier: Apache-2.0
"""Tamper with a vault's ledger.sqlite as an attacker with write access.

    ledger_attack.py VAULT ACTION [ARGS...]

The attacker knows the schema: the append-only triggers are dropped
first and re-created afterwards with their exact original SQL (so the
schema check of airlock-vault audit passes and only the content checks
can catch the change).  Whatever is rewritten is rewritten whole and
consistently: an event's columns, its canonical bytes (RFC 8785,
re-serialized) and its leaf hash, SHA-256(0x00 || bytes).  Run it on a
COPY of a vault (cp -a): it changes the file in place.

Actions:
  edit SEQ KEY=JSON...     set keys of event SEQ ("at", "data.reason",
                           "data.signature.state", ...) to JSON values
  delete SEQ [--renumber]  remove event SEQ; with --renumber every later
                           event moves down one (seq in the column and
                           the bytes, leaf recomputed; a checkpoint
                           event's data.size fixed to match)
  swap A B [--renumber]    swap the contents of events A and B (raw:
                           the rows as they are; --renumber: each keeps
                           its row's seq in its bytes, leaf recomputed)
  sql STATEMENT            any SQL (on reports, metas, checkpoints...)
  set-signature SIZE FILE  checkpoint SIZE's signature := FILE's text
  dump-checkpoint SIZE OUT write checkpoint SIZE's text (exact bytes)
  drop-trigger NAME        drop one trigger and leave it dropped
  add-trigger NAME         add a trigger of the attacker's own
  user-version N           PRAGMA user_version = N

Any action but edit/delete/swap/sql may be followed by --sql STATEMENT
(repeatable): more SQL in the same session, e.g. to keep a derived
table consistent with an edited event.  Prints nothing; exits 1 with a
message when the ledger is not what it expects.
"""
import hashlib
import json
import os
import sqlite3
import sys


def jcs(obj):
    """RFC 8785 for what events hold (ASCII keys, integers, strings):
    Python's serialization with sorted keys and no white space is it."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"), allow_nan=False).encode()


def leaf(canon):
    return hashlib.sha256(b"\0" + canon).digest()


def die(msg):
    sys.stderr.write("ledger_attack: %s\n" % msg)
    sys.exit(1)


class Ledger:
    def __init__(self, vault):
        path = os.path.join(vault, "ledger.sqlite")
        if not os.path.exists(path):
            die("%s: no ledger" % path)
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA foreign_keys = OFF")
        self.db.execute("BEGIN IMMEDIATE")
        self.triggers = [(n, s) for n, s in self.db.execute(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' "
            "ORDER BY name")]
        # our canonical form must be the vault's, or every rewrite below
        # would be caught for the wrong reason
        for seq, canon in self.db.execute(
                "SELECT seq, canonical FROM events ORDER BY seq"):
            if jcs(json.loads(canon)) != bytes(canon):
                die("event %d: this tool's RFC 8785 differs from the "
                    "vault's" % seq)
        for name, _ in self.triggers:
            self.db.execute('DROP TRIGGER "%s"' % name)

    def event(self, seq):
        row = self.db.execute("SELECT canonical FROM events WHERE seq = ?",
                              (seq,)).fetchone()
        if row is None:
            die("no event %d" % seq)
        return json.loads(row[0])

    def write(self, seq, ev):
        """Store event ev in row seq: every column from it."""
        canon = jcs(ev)
        self.db.execute(
            "UPDATE events SET at = ?, kind = ?, report = ?, actor = ?, "
            "data = ?, canonical = ?, leaf = ? WHERE seq = ?",
            (ev["at"], ev["kind"], ev["report"], ev["actor"],
             jcs(ev["data"]).decode(), canon, leaf(canon), seq))

    def finish(self, keep_dropped=()):
        for name, sql in self.triggers:
            if name not in keep_dropped:
                self.db.execute(sql)
        now = [(n, s) for n, s in self.db.execute(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' "
            "AND name NOT LIKE 'attacker%' ORDER BY name")]
        want = [t for t in self.triggers if t[0] not in keep_dropped]
        if now != want:
            die("the triggers did not come back as they were")
        self.db.execute("COMMIT")
        self.db.close()


def set_key(ev, path, value):
    keys = path.split(".")
    obj = ev
    for k in keys[:-1]:
        obj = obj[k]
    obj[keys[-1]] = value


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        sys.exit(2)
    vault, action, args = argv[1], argv[2], argv[3:]
    extra_sql = []
    while "--sql" in args:
        i = args.index("--sql")
        extra_sql.append(args[i + 1])
        del args[i:i + 2]
    renumber = "--renumber" in args
    args = [a for a in args if a != "--renumber"]

    if action == "dump-checkpoint":
        db = sqlite3.connect("file:%s?mode=ro" %
                             os.path.join(vault, "ledger.sqlite"), uri=True)
        row = db.execute("SELECT text FROM checkpoints WHERE size = ?",
                         (int(args[0]),)).fetchone()
        if row is None:
            die("no checkpoint %s" % args[0])
        open(args[1], "wb").write(row[0].encode())
        return
    if action == "user-version":
        db = sqlite3.connect(os.path.join(vault, "ledger.sqlite"))
        db.execute("PRAGMA user_version = %d" % int(args[0]))
        db.commit()
        db.close()
        return

    lg = Ledger(vault)
    keep_dropped = ()
    if action == "edit":
        seq = int(args[0])
        ev = lg.event(seq)
        for a in args[1:]:
            k, v = a.split("=", 1)
            set_key(ev, k, json.loads(v))
        lg.write(seq, ev)
    elif action == "delete":
        seq = int(args[0])
        lg.event(seq)
        lg.db.execute("DELETE FROM events WHERE seq = ?", (seq,))
        if renumber:
            later = [r[0] for r in lg.db.execute(
                "SELECT seq FROM events WHERE seq > ? ORDER BY seq", (seq,))]
            for s in later:
                ev = lg.event(s)
                ev["seq"] = s - 1
                if ev["kind"] == "checkpoint":
                    ev["data"]["size"] = s
                lg.db.execute("UPDATE events SET seq = ? WHERE seq = ?",
                              (s - 1, s))
                lg.write(s - 1, ev)
    elif action == "swap":
        a, b = int(args[0]), int(args[1])
        cols = "at, kind, report, actor, data, canonical, leaf"
        ra = lg.db.execute("SELECT %s FROM events WHERE seq = ?" % cols,
                           (a,)).fetchone()
        rb = lg.db.execute("SELECT %s FROM events WHERE seq = ?" % cols,
                           (b,)).fetchone()
        if ra is None or rb is None:
            die("no event %d or %d" % (a, b))
        upd = ("UPDATE events SET at = ?, kind = ?, report = ?, actor = ?, "
               "data = ?, canonical = ?, leaf = ? WHERE seq = ?")
        lg.db.execute(upd, rb + (a,))
        lg.db.execute(upd, ra + (b,))
        if renumber:
            for s in (a, b):
                ev = lg.event(s)
                ev["seq"] = s
                lg.write(s, ev)
    elif action == "sql":
        lg.db.execute(args[0])
    elif action == "set-signature":
        sig = open(args[1]).read()
        n = lg.db.execute("UPDATE checkpoints SET signature = ? WHERE "
                          "size = ?", (sig, int(args[0]))).rowcount
        if n != 1:
            die("no checkpoint %s" % args[0])
    elif action == "drop-trigger":
        if args[0] not in [n for n, _ in lg.triggers]:
            die("no trigger %s" % args[0])
        keep_dropped = (args[0],)
    elif action == "add-trigger":
        # harmless-looking, which is the point: nothing but airlock's own
        # schema may run inside the ledger
        lg.db.execute(
            'CREATE TRIGGER "%s" AFTER INSERT ON events WHEN '
            "NEW.kind = 'refused' BEGIN DELETE FROM metas WHERE 0; END"
            % args[0])
    else:
        die("unknown action '%s'" % action)
    for s in extra_sql:
        lg.db.execute(s)
    lg.finish(keep_dropped)


if __name__ == "__main__":
    main(sys.argv)
