#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""TAP self-test of verify_ledger.py: known-answer vectors, then synthetic
exports and proofs, a good one and one forgery per rule.

Everything happens in a temporary folder with throwaway GNUPGHOMEs; the
user's keyring is never touched. Run: python3 tests/ledger/selftest.py
"""

import base64
import contextlib
import datetime
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import verify_ledger as vl  # noqa: E402

VERIFY = os.path.join(HERE, "verify_ledger.py")

# ---------------------------------------------------------------------------
# Known answers.

# RFC 6962 / Certificate Transparency reference tree: the eight leaf inputs,
# the roots of its first 1..8 leaves, and audit paths. From
# google/certificate-transparency, cpp/merkletree/merkle_tree_test.cc
# (kInputs, kSHA256EmptyTreeHash, kSHA256Roots, kSHA256Paths; the paths
# there are indexed from 1, here from 0).
CT_INPUTS = ["", "00", "10", "2021", "3031", "40414243",
             "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
CT_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_PATHS = [  # (index from 0, tree size, path)
    (0, 1, []),
    (0, 8, [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, [
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]

# RFC 8785 section 3.2.3 (sorting of properties by UTF-16 code units).
RFC8785_SORT_IN = ('{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", '
                   '"\\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", '
                   '"\\ud83d\\ude00": "Emoji: Grinning Face", '
                   '"\\u0080": "Control", '
                   '"\\u00f6": "Latin Small Letter O With Diaeresis"}')
RFC8785_SORT_OUT = ('{"\\r":"Carriage Return","1":"One","\u0080":"Control",'
                    '"\u00f6":"Latin Small Letter O With Diaeresis",'
                    '"\u20ac":"Euro Sign","\U0001f600":"Emoji: Grinning Face",'
                    '"\ufb33":"Hebrew Letter Dalet With Dagesh"}')
# RFC 8785 section 3.2.2, its "string" and "literals" members (the
# "numbers" member is floats, which Airlock events never hold).
RFC8785_STR_IN = ('{"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022'
                  '\\u005c\\\\\\"\\/", "literals": [null, true, false]}')
RFC8785_STR_OUT = ('{"literals":[null,true,false],'
                   '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}')


# ---------------------------------------------------------------------------
# A second, deliberately naive Merkle implementation (RFC 9162 2.1.1 and
# 2.1.3.1 recursions over the data), used to build the test exports.

def ref_mth(leaves):
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1 << ((n - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + ref_mth(leaves[:k]) +
                          ref_mth(leaves[k:])).digest()


def ref_path(m, leaves):
    n = len(leaves)
    if n <= 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if m < k:
        return ref_path(m, leaves[:k]) + [ref_mth(leaves[k:])]
    return ref_path(m - k, leaves[k:]) + [ref_mth(leaves[:k])]


# ---------------------------------------------------------------------------
# TAP.

TESTS = []


def test(name):
    def deco(fn):
        TESTS.append((name, fn))
        return fn
    return deco


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


# ---------------------------------------------------------------------------
# gpg and the test world.

class World:
    pass


W = World()


def gpg(*args, home=None, stdin=None):
    env = dict(os.environ, GNUPGHOME=home or W.home, LC_ALL="C")
    r = subprocess.run(["gpg", "--batch", "--no-tty", "--pinentry-mode",
                        "loopback", "--passphrase", ""] + list(args),
                       env=env, input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise RuntimeError("gpg %s: %s" % (args[:2], r.stderr.decode()))
    return r.stdout


def make_key(uid):
    gpg("--quick-gen-key", uid, "ed25519", "sign", "never")
    out = gpg("--with-colons", "--list-keys", uid).decode()
    prev = None
    for line in out.splitlines():
        f = line.split(":")
        if f[0] == "fpr" and prev == "pub":
            return f[9]
        prev = f[0]
    raise RuntimeError("no fingerprint for " + uid)


def sign(path, fpr):
    gpg("--yes", "--local-user", fpr, "--detach-sign", "--armor",
        "--output", path + ".asc", path)


def sign_text(text, fpr):
    return gpg("--local-user", fpr, "--detach-sign", "--armor",
               stdin=text).decode()


def canon(ev):
    # Not the verifier's JCS: the standard library's json, which gives the
    # same bytes for ASCII keys, integers, strings and literals.
    return json.dumps(ev, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


T0 = datetime.datetime(2026, 11, 23, 10, 0, 0)


def event(seq, kind, report, data, actor=None):
    at = (T0 + datetime.timedelta(seconds=seq)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"seq": seq, "at": at, "kind": kind, "report": report,
            "actor": actor or W.fpr_a, "data": data}


def sha(s):
    return hashlib.sha256(s.encode()).hexdigest()


R = ["0b5f6c1e-2a3d-4e5f-8a9b-0c1d2e3f4a5b",
     "1c6a7d2f-3b4e-4f60-9bac-1d2e3f4a5b6c",
     "2d7b8e30-4c5f-4071-acbd-2e3f4a5b6c7d",
     "3e8c9f41-5d60-4182-bdce-3f4a5b6c7d8e"]
ORIGIN = "airlock/2f6c2a0e-8a51-4a0b-9d1e-1d3c2b5d7e90"
ORIGIN2 = "airlock/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"


def import_data(tag, rev=1):
    return {"bundle": sha("bundle" + tag), "bytes": 1234 + len(tag),
            "content": sha("content" + tag),
            "manifest": sha("manifest" + tag),
            "meta": sha("meta" + tag), "revision": rev,
            "signature": {"state": "known", "fpr": W.fpr_a,
                          "time": "2026-11-20T08:00:00Z"}}


def history(origin=ORIGIN, variant=""):
    """15 events with checkpoints at 2, 4, 8, 11 and 15."""
    specs = [
        ("init", None, {"key": W.fpr_a, "origin": origin,
                        "policy": sha("policy"), "version": "1.0.0"}),
        ("checkpoint", None, {"size": 2}),
        ("import", R[0], import_data("r0" + variant)),
        ("checkpoint", None, {"size": 4}),
        ("import", R[1], import_data("r1")),
        ("import", R[2], import_data("r2")),
        ("replay", R[1], {"bundle": sha("bundler1"),
                          "content": sha("contentr1"),
                          "signature": {"state": "none"},
                          "restored": True}),
        ("checkpoint", None, {"size": 8}),
        ("open", R[0], {"bundle": sha("bundler0")}),
        ("export", None, {"what": "ledger"}),
        ("checkpoint", None, {"size": 11}),
        ("refused", None, {"bundle": sha("junk"),
                           "reason": "tab\tquote\"back\\slash "
                                     "\u00e9\u20ac\U0001f600 \x01\x1f\x7f /"}),
        ("import", R[3], import_data("r3")),
        ("tombstone", R[2], {"bundles": [sha("bundler2"), sha("b2")],
                             "reason": "retention"}),
        ("checkpoint", None, {"size": 15}),
    ]
    return [event(i, k, r, d) for i, (k, r, d) in enumerate(specs)]


def checkpoint_text(origin, lines, n):
    root = ref_mth(lines[:n])
    return ("%s\n%d\n%s\n" % (origin, n,
                              base64.b64encode(root).decode())).encode()


def write_export(folder, events=None, lines=None, origin=ORIGIN,
                 sizes=None, signer=None, keys=None):
    """An export folder as docs/ledger.md "Export" describes it."""
    if lines is None:
        lines = [canon(e) for e in events]
    if sizes is None:
        sizes = [e["seq"] + 1 for e in events if e["kind"] == "checkpoint"]
    os.makedirs(os.path.join(folder, "checkpoints"))
    with open(os.path.join(folder, "events.jsonl"), "wb") as f:
        f.write(b"".join(l + b"\n" for l in lines))
    with open(os.path.join(folder, "README"), "w") as f:
        f.write("how to verify\n")
    for n in sizes:
        p = os.path.join(folder, "checkpoints", "%d.txt" % n)
        with open(p, "wb") as f:
            f.write(checkpoint_text(origin, lines, n))
        sign(p, signer or W.fpr_a)
    with open(os.path.join(folder, "keys.asc"), "wb") as f:
        f.write(gpg("--export", "--armor", *(keys or [W.fpr_a])))
    return folder


def fresh(name):
    d = os.path.join(W.tmp, name)
    shutil.copytree(W.good, d)
    return d


def ev_path(d):
    return os.path.join(d, "events.jsonl")


def read_lines(d):
    with open(ev_path(d), "rb") as f:
        return f.read().split(b"\n")[:-1]


def write_lines(d, lines, final_newline=True):
    with open(ev_path(d), "wb") as f:
        f.write(b"\n".join(lines) + (b"\n" if final_newline else b""))


def ckpt(d, n):
    return os.path.join(d, "checkpoints", "%d.txt" % n)


def rewrite_checkpoint(d, n, data, fpr=None):
    with open(ckpt(d, n), "wb") as f:
        f.write(data)
    sign(ckpt(d, n), fpr or W.fpr_a)


def run(*args, cli=False):
    """Run the verifier: in this process (fast), or as a program (cli)."""
    if cli:
        r = subprocess.run([sys.executable, VERIFY] + list(args),
                           stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        return r.returncode, r.stdout.decode("utf-8", "replace"), \
            r.stderr.decode("utf-8", "replace")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = vl.main(list(args))
        except SystemExit as e:
            rc = e.code
    return rc, out.getvalue(), err.getvalue()


def no_controls(s):
    return all(c == "\n" or 0x20 <= ord(c) < 0x7f for c in s)


def expect_ok(*args, want="ok: ", cli=False):
    rc, out, err = run(*args, cli=cli)
    check(rc == 0, "exit %d, stderr %r" % (rc, err))
    check(out.startswith("ok: ") and out.count("\n") == 1,
          "stdout %r" % out)
    check(want in out, "stdout %r lacks %r" % (out, want))
    return out


def expect_fail(needles, *args, cli=False):
    rc, out, err = run(*args, cli=cli)
    check(rc == 1, "exit %d (want 1), stdout %r stderr %r" % (rc, out, err))
    check(out == "", "stdout not empty: %r" % out)
    check(err.startswith("verify_ledger: ") and err.count("\n") == 1,
          "stderr is not one verify_ledger line: %r" % err)
    check(no_controls(err), "raw control characters in %r" % err)
    if isinstance(needles, str):
        needles = (needles,)
    for needle in needles:
        check(needle in err, "stderr %r lacks %r" % (err, needle))


# ---------------------------------------------------------------------------
# Merkle known answers.

@test("merkle: MTH of the CT reference tree, sizes 0..8 (recursive and "
      "streaming)")
def _():
    data = [bytes.fromhex(x) for x in CT_INPUTS]
    leaves = [vl.leaf_hash(x) for x in data]
    check(vl.mth([]).hex() == CT_EMPTY, "empty tree")
    check(vl.CompactTree().root().hex() == CT_EMPTY, "empty compact tree")
    t = vl.CompactTree()
    for n in range(1, 9):
        t.append(leaves[n - 1])
        check(vl.mth(leaves[:n]).hex() == CT_ROOTS[n - 1],
              "mth size %d" % n)
        check(t.root().hex() == CT_ROOTS[n - 1], "compact size %d" % n)
        check(ref_mth(data[:n]).hex() == CT_ROOTS[n - 1],
              "selftest ref_mth size %d" % n)


@test("merkle: CT reference audit paths verify by RFC 9162 2.1.3.2, and "
      "only for their index and size")
def _():
    data = [bytes.fromhex(x) for x in CT_INPUTS]
    for index, size, hexpath in CT_PATHS:
        path = [bytes.fromhex(h) for h in hexpath]
        root = bytes.fromhex(CT_ROOTS[size - 1])
        leaf = vl.leaf_hash(data[index])
        check(ref_path(index, data[:size]) == path,
              "selftest ref_path %d/%d" % (index, size))
        check(vl.root_from_inclusion(index, size, leaf, path) == root,
              "path %d/%d" % (index, size))
        for wi, ws in ((index + 1, size), (index - 1, size),
                       (index ^ 2, size), (index, size * 2),
                       (index, size // 2)):
            if wi < 0:
                continue
            check(vl.root_from_inclusion(wi, ws, leaf, path) != root,
                  "path %d/%d accepted as %d/%d"
                  % (index, size, wi, ws))
        check(vl.root_from_inclusion(index, size, leaf,
                                     path + [root]) != root,
              "path with extra hash %d/%d" % (index, size))
        if path:
            check(vl.root_from_inclusion(index, size, leaf,
                                         path[:-1]) != root,
                  "short path %d/%d" % (index, size))


@test("merkle: every path of trees up to 70 leaves verifies; streaming "
      "roots equal MTH up to 300 leaves")
def _():
    data = [b"leaf %d" % i for i in range(300)]
    leaves = [vl.leaf_hash(x) for x in data]
    t = vl.CompactTree()
    for n in range(1, 301):
        t.append(leaves[n - 1])
        check(t.root() == ref_mth(data[:n]), "compact size %d" % n)
    for n in range(1, 71):
        root = ref_mth(data[:n])
        for m in range(n):
            path = ref_path(m, data[:n])
            check(vl.root_from_inclusion(m, n, leaves[m], path) == root,
                  "path %d/%d" % (m, n))
            if path:
                bad = list(path)
                bad[-1] = bytes(32)
                check(vl.root_from_inclusion(m, n, leaves[m],
                                             bad) != root,
                      "bad path %d/%d" % (m, n))
        check(vl.root_from_inclusion(n, n, leaves[0], []) is None,
              "index == size accepted")


# ---------------------------------------------------------------------------
# JCS known answers and refusals.

@test("jcs: RFC 8785 3.2.3 sorting example (UTF-16 code units)")
def _():
    v = vl.parse_json_strict(RFC8785_SORT_IN.encode())
    got = vl.jcs_serialize(v)
    check(got == RFC8785_SORT_OUT.encode("utf-8"), "got %r" % got)
    vl.parse_canonical(got)


@test("jcs: RFC 8785 3.2.2 string escapes and literals")
def _():
    v = vl.parse_json_strict(RFC8785_STR_IN.encode())
    got = vl.jcs_serialize(v)
    check(got == RFC8785_STR_OUT.encode("utf-8"), "got %r" % got)
    got = vl.jcs_serialize({"s": "\x00\x08\t\n\x0b\x0c\r\x1f\x7f/\u2028"})
    check(got == b'{"s":"\\u0000\\b\\t\\n\\u000b\\f\\r\\u001f\x7f/'
                 b'\xe2\x80\xa8"}', "got %r" % got)


@test("jcs: a non-BMP key sorts before U+E000..U+FFFF keys")
def _():
    v = {"\uffff": 1, "\U00010000": 2, "\ue000": 3, "z": 4, "": 5,
         "\ud7ff": 6}
    got = vl.jcs_serialize(v)
    want = '{"":5,"z":4,"\ud7ff":6,"\U00010000":2,"\ue000":3,"\uffff":1}'
    check(got == want.encode("utf-8"), "got %r" % got)
    # Code-point order would put U+E000 and U+FFFF before U+10000.
    bad = '{"":5,"z":4,"\ud7ff":6,"\ue000":3,"\uffff":1,"\U00010000":2}'
    try:
        vl.parse_canonical(bad.encode("utf-8"))
    except vl.Failure as e:
        check("not canonical" in str(e), str(e))
    else:
        raise Fail("code-point order accepted")


JCS_AGREE = [
    {"s": "".join(chr(c) for c in range(0x80))},
    {"s": "\u00e9\u0080\u009f\u2028\u2029\ufeff\ud7ff"},
    {"s": "\ue000\uffff\U00010000\U0001f600\U0010ffff"},
    {"\U0001f600": 1, "\ufb33": 2, "\u20ac": 3},
    {"b": [{"z": None, "a": [True, False, -1, 0, 9007199254740991]}],
     "a": {}, "": [], "A": "", "\u00e9": {"\u00e8": 1}},
    {"\x7f": 1, "\x1f": 2, " ": 3, "~": 4, "\\": 5, "\"": 6},
]


@test("jcs: the fast path (json.dumps) never accepts a line the JCS "
      "serializer would not write (%d values)" % len(JCS_AGREE))
def _():
    for v in JCS_AGREE:
        line = vl.jcs_serialize(v)
        check(vl.parse_canonical(line) == v, "canonical %r refused" % line)
        fast = vl._fast_canonical(line)
        check(fast is None or fast == v, "fast path: %r" % line)
        # Code-point order where it differs from UTF-16 order: refused.
        dumped = json.dumps(v, sort_keys=True, separators=(",", ":"),
                            ensure_ascii=False).encode("utf-8")
        if dumped != line:
            check(vl._fast_canonical(dumped) is None,
                  "fast path accepts %r" % dumped)
            try:
                vl.parse_canonical(dumped)
            except vl.Failure as e:
                check("not canonical" in str(e), str(e))
            else:
                raise Fail("accepted %r" % dumped)


JCS_BAD = [
    (b'{"a":1.0}', "not an integer"),
    (b'{"a":1e3}', "not an integer"),
    (b'{"a":NaN}', "is not JSON"),
    (b'{"a":1,"a":1}', "duplicate key"),
    (b'{"a":"\xff"}', "invalid UTF-8"),
    (b'{"a":"\xed\xa0\x80"}', "invalid UTF-8"),
    (b'{"a":"\\ud800"}', "lone surrogate"),
    (b'{"a": 1}', "not canonical"),
    (b'{"b":1,"a":1}', "not canonical"),
    (b'{"a":"\\u001F"}', "not canonical"),
    (b'{"a":"\\u0041"}', "not canonical"),
    (b'{"a":"\\/"}', "not canonical"),
    (b'{"a":-0}', "not canonical"),
    (b'{"a":01}', "not JSON"),
    (b'{"a":9007199254740992}', "out of the exact range"),
    (b'{"a":1} ', "not canonical"),
    (b'\xef\xbb\xbf{"a":1}', "not JSON"),
]


@test("jcs: the checker refuses floats, NaN, duplicates, bad UTF-8, lone "
      "surrogates, white space, unsorted keys, needless escapes, -0, big "
      "integers (%d cases)" % len(JCS_BAD))
def _():
    for data, needle in JCS_BAD:
        try:
            vl.parse_canonical(data)
        except vl.Failure as e:
            check(needle in str(e), "%r: %s" % (data, e))
        else:
            raise Fail("%r accepted" % data)
    vl.parse_canonical(b'{"a":[1,-2,true,false,null,{}],"b":9007199254740991}')


# ---------------------------------------------------------------------------
# Exports.

@test("export: a good export passes")
def _():
    expect_ok("export", W.good,
              want="ok: 15 events, 5 checkpoints, newest 15, origin %s, "
                   "signed by %s" % (ORIGIN, W.fpr_a), cli=True)


@test("export: a good export passes with --key-fpr and with --known from an "
      "older export")
def _():
    expect_ok("export", W.good, "--key-fpr", W.fpr_a.lower())
    expect_ok("export", W.good, "--known", ckpt(W.old, 8),
              "--known", ckpt(W.old, 11), "--key-fpr", W.fpr_a,
              want="2 known checkpoints consistent")


@test("export: a changed byte in an event fails at the first checkpoint "
      "covering it")
def _():
    d = fresh("byte")
    lines = read_lines(d)
    i = lines[4].index(b'"bundle":"') + 12
    lines[4] = lines[4][:i] + bytes([lines[4][i] ^ 1]) + lines[4][i + 1:]
    write_lines(d, lines)
    expect_fail("checkpoints/8.txt: root does not match the Merkle root of "
                "events 0..7", "export", d)


@test("export: a deleted event line fails")
def _():
    d = fresh("deleted")
    lines = read_lines(d)
    del lines[5]
    write_lines(d, lines)
    expect_fail("line 6 (event 5): seq 6, expected 5", "export", d,
                cli=True)


@test("export: two swapped event lines fail")
def _():
    d = fresh("swapped")
    lines = read_lines(d)
    lines[4], lines[5] = lines[5], lines[4]
    write_lines(d, lines)
    expect_fail("line 5 (event 4): seq 5, expected 4", "export", d)


@test("export: a non-canonical event (extra space) fails")
def _():
    d = fresh("space")
    lines = read_lines(d)
    lines[2] = lines[2].replace(b'"kind":', b'"kind": ')
    write_lines(d, lines)
    expect_fail("line 3 (event 2): not canonical JCS", "export", d)


@test("export: a non-canonical event (unsorted keys) fails")
def _():
    d = fresh("unsorted")
    lines = read_lines(d)
    ev = json.loads(lines[2])
    lines[2] = json.dumps(dict(reversed(list(ev.items()))),
                          separators=(",", ":")).encode()
    write_lines(d, lines)
    expect_fail("line 3 (event 2): not canonical JCS", "export", d)


EVENT_BAD = [
    # (name, change to event 4 as a dict, or raw line bytes, needle)
    ("duplicate key", b'DUP', "duplicate key \"seq\""),
    ("float", lambda e: e["data"].update(bytes=1.5), "not an integer"),
    ("invalid UTF-8", b'BADUTF8', "invalid UTF-8"),
    ("extra key", lambda e: e.update(extra=1), "unexpected key \"extra\""),
    ("missing key", lambda e: e.pop("actor"), "missing key \"actor\""),
    ("bad at", lambda e: e.update(at="2026-11-23 10:00:04Z"),
     "is not YYYY-MM-DDTHH:MM:SSZ"),
    ("impossible at", lambda e: e.update(at="2026-02-30T10:00:04Z"),
     "is not a valid time"),
    ("data not an object", lambda e: e.update(data=[1]),
     "data is not an object"),
    ("seq as string", lambda e: e.update(seq="4"), "seq is not an integer"),
    ("second init", lambda e: e.update(kind="init"),
     "event 0 must be init, and only event 0"),
    ("control characters escaped", lambda e: e.update(at="\x1b[31m\n"),
     "at \"\\x1b[31m\\n\" is not YYYY-MM-DDTHH:MM:SSZ"),
    ("top-level array", b'[1]', "not a JSON object"),
]


@test("export: refused events (%s)" % ", ".join(x[0] for x in EVENT_BAD))
def _():
    for name, change, needle in EVENT_BAD:
        d = fresh("ev-" + name.replace(" ", "-"))
        lines = read_lines(d)
        if change == b'DUP':
            lines[4] = b'{"seq":4,' + lines[4][1:]
        elif change == b'BADUTF8':
            lines[4] = lines[4].replace(b'"import"', b'"imp\xc3rt"')
        elif isinstance(change, bytes):
            lines[4] = change
        else:
            ev = json.loads(lines[4])
            change(ev)
            lines[4] = canon(ev)
        write_lines(d, lines)
        try:
            expect_fail(("line 5 (event 4): ", needle), "export", d)
        except Fail as e:
            raise Fail("%s: %s" % (name, e))


@test("export: a missing final newline and an empty line fail")
def _():
    d = fresh("nonl")
    write_lines(d, read_lines(d), final_newline=False)
    expect_fail("events.jsonl: line 15: no final newline", "export", d)
    d = fresh("emptyline")
    lines = read_lines(d)
    write_lines(d, lines[:3] + [b""] + lines[3:])
    expect_fail("line 4 (event 3): empty line", "export", d)


@test("export: a checkpoint event with a wrong data.size fails")
def _():
    d = fresh("ckptsize")
    lines = read_lines(d)
    lines[7] = lines[7].replace(b'"size":8', b'"size":7')
    write_lines(d, lines)
    expect_fail("line 8 (event 7): checkpoint event: data.size must be "
                "seq + 1 = 8", "export", d)


@test("export: a checkpoint with a wrong root (validly signed) fails")
def _():
    d = fresh("wrongroot")
    lines = read_lines(d)
    rewrite_checkpoint(d, 8, checkpoint_text(ORIGIN, lines, 7)
                       .replace(b"\n7\n", b"\n8\n"))
    expect_fail("checkpoints/8.txt: root does not match", "export", d)


@test("export: a checkpoint signature over other text fails")
def _():
    d = fresh("othersig")
    with open(ckpt(d, 8) + ".asc", "w") as f:
        f.write(sign_text(b"something else\n", W.fpr_a))
    expect_fail("checkpoints/8.txt.asc: bad signature", "export", d)
    d = fresh("swapsig")
    shutil.copy(ckpt(d, 4) + ".asc", ckpt(d, 8) + ".asc")
    expect_fail("checkpoints/8.txt.asc: bad signature", "export", d)


@test("export: a missing .asc, and an .asc without its .txt, fail")
def _():
    d = fresh("noasc")
    os.unlink(ckpt(d, 8) + ".asc")
    expect_fail("checkpoints/8.txt: has no signature", "export", d)
    d = fresh("notxt")
    os.unlink(ckpt(d, 8))
    expect_fail("checkpoints/8.txt.asc: has no checkpoint", "export", d)


@test("export: a checkpoint event without its checkpoint file fails")
def _():
    d = fresh("nockpt")
    os.unlink(ckpt(d, 8))
    os.unlink(ckpt(d, 8) + ".asc")
    expect_fail("checkpoint event 7 has no checkpoints/8.txt", "export", d)


@test("export: a checkpoint file without its checkpoint event fails")
def _():
    d = fresh("noevent")
    rewrite_checkpoint(d, 6, checkpoint_text(ORIGIN, read_lines(d), 6))
    expect_fail("checkpoints/6.txt: event 5 is not a checkpoint event",
                "export", d)


@test("export: a newest checkpoint that does not cover every event fails")
def _():
    d = fresh("uncovered")
    lines = read_lines(d)
    lines.append(canon(event(15, "open", R[3], {"bundle": sha("b")})))
    write_lines(d, lines)
    expect_fail("checkpoints/15.txt: the newest checkpoint does not cover "
                "all 16 events", "export", d)


@test("export: a checkpoint beyond the log, or whose size is not its name, "
      "fails")
def _():
    d = fresh("beyond")
    lines = read_lines(d)
    rewrite_checkpoint(d, 20, checkpoint_text(ORIGIN, lines, 15)
                       .replace(b"\n15\n", b"\n20\n"))
    expect_fail("checkpoints/20.txt: size 20 is larger than the 15 events",
                "export", d)
    d = fresh("misnamed")
    rewrite_checkpoint(d, 8, checkpoint_text(ORIGIN, lines, 4))
    expect_fail("checkpoints/8.txt: size 4 is not the file's name",
                "export", d)


@test("export: stray or misnamed entries in checkpoints/ fail")
def _():
    for name in ("08.txt", "8.TXT", "notes", "8.txt.sig", "0.txt"):
        d = fresh("stray-" + name)
        with open(os.path.join(d, "checkpoints", name), "w") as f:
            f.write("x\n")
        expect_fail("checkpoints/%s: not N.txt or N.txt.asc" % name,
                    "export", d)
    d = fresh("subdir")
    os.mkdir(os.path.join(d, "checkpoints", "9.txt"))
    os.rename(ckpt(d, 8) + ".asc", ckpt(d, 9) + ".asc")
    expect_fail("checkpoints/9.txt: not a regular file", "export", d)


CKPT_TEXT_BAD = [
    ("CRLF", lambda t: t.replace(b"\n", b"\r\n"),
     "origin \"%s\\x0d\" is not airlock/UUID" % ORIGIN),
    ("four lines", lambda t: t + b"\n", "has 4 lines, expected 3"),
    ("no final newline", lambda t: t[:-1], "does not end with a newline"),
    ("leading zero size", lambda t: t.replace(b"\n8\n", b"\n08\n"),
     "is not a decimal number without leading zeros"),
    ("unpadded root", lambda t: t.replace(b"=\n", b"\n"),
     "root hash is not standard base64 of 32 bytes"),
    ("urlsafe root", None, "root hash is not standard base64 of 32 bytes"),
    ("root with non-zero pad bits", None,
     "root hash is not canonical base64 of 32 bytes"),
    ("uppercase origin", lambda t: t.replace(b"airlock/2f6c2a0e",
                                             b"airlock/2F6C2A0E"),
     "is not airlock/UUID (lowercase)"),
]


@test("export: malformed checkpoint texts fail, even validly signed (%s)"
      % ", ".join(x[0] for x in CKPT_TEXT_BAD))
def _():
    good = checkpoint_text(ORIGIN, read_lines(W.good), 8)
    root = good.split(b"\n")[2]
    for name, change, needle in CKPT_TEXT_BAD:
        if name == "urlsafe root":
            raw = bytearray(base64.b64decode(root))
            raw[0] = 0xfb  # b64 of 0xfb.. starts with "+"
            t = good.replace(root, base64.urlsafe_b64encode(bytes(raw)))
        elif name == "root with non-zero pad bits":
            last = root[-2:-1]
            alphabet = (b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrs"
                        b"tuvwxyz0123456789+/")
            i = alphabet.index(last)
            t = good.replace(root, root[:-2] + alphabet[i ^ 1:(i ^ 1) + 1]
                             + b"=")
        else:
            t = change(good)
        d = fresh("text-" + name.replace(" ", "-"))
        rewrite_checkpoint(d, 8, t)
        try:
            expect_fail(("checkpoints/8.txt: ", needle), "export", d)
        except Fail as e:
            raise Fail("%s: %s" % (name, e))


@test("export: checkpoints naming another origin fail (one differs; all "
      "differ from init)")
def _():
    lines = read_lines(W.good)
    d = fresh("origin1")
    rewrite_checkpoint(d, 8, checkpoint_text(ORIGIN2, lines, 8))
    expect_fail("checkpoints/8.txt: origin %s differs from %s"
                % (ORIGIN2, ORIGIN), "export", d)
    d = os.path.join(W.tmp, "origin-all")
    write_export(d, lines=lines, sizes=[2, 4, 8, 11, 15], origin=ORIGIN2)
    expect_fail("origin %s is not the init event's data.origin" % ORIGIN2,
                "export", d)


@test("export: a signature by a key not in keys.asc fails")
def _():
    d = fresh("otherkey")
    sign(ckpt(d, 8), W.fpr_b)
    expect_fail("checkpoints/8.txt.asc: signed by a key not in the given "
                "keys", "export", d)


@test("export: a signature by a key of keys.asc that is not the init "
      "event's key fails")
def _():
    d = fresh("twokeys")
    sign(ckpt(d, 8), W.fpr_b)
    with open(os.path.join(d, "keys.asc"), "wb") as f:
        f.write(gpg("--export", "--armor", W.fpr_a, W.fpr_b))
    expect_fail("checkpoints/8.txt.asc: signed by %s, not the key of the "
                "init event" % W.fpr_b, "export", d)


@test("export: checkpoints signed before the key expired stay good")
def _():
    # a key made and used in 2020 with a one-day expiry: expired now
    gpg("--faked-system-time", "20200101T000000", "--quick-gen-key",
        "Old <old@example.org>", "ed25519", "sign", "1d")
    out = gpg("--with-colons", "--list-keys", "<old@example.org>").decode()
    old = [l.split(":")[9] for l in out.splitlines()
           if l.startswith("fpr:")][0]
    d = os.path.join(W.tmp, "expired")
    lines = read_lines(W.good)
    origin = json.loads(lines[0])["data"]["origin"]
    evs = [json.loads(l) for l in lines]
    for e in evs:
        e["actor"] = old
    evs[0]["data"]["key"] = old
    lines = [canon(e) for e in evs]
    os.makedirs(os.path.join(d, "checkpoints"))
    write_lines(d, lines)
    for e in evs:
        if e["kind"] == "checkpoint":
            n = e["data"]["size"]
            with open(ckpt(d, n), "wb") as f:
                f.write(checkpoint_text(origin, lines, n))
            gpg("--yes", "--faked-system-time", "20200101T010000",
                "--local-user", old, "--detach-sign", "--armor",
                "--output", ckpt(d, n) + ".asc", ckpt(d, n))
    with open(os.path.join(d, "keys.asc"), "wb") as f:
        f.write(gpg("--export", "--armor", old))
    expect_ok("export", d, "--key-fpr", old)


@test("export: a wrong --key-fpr fails")
def _():
    expect_fail("checkpoints/2.txt.asc: signed by %s, expected --key-fpr %s"
                % (W.fpr_a, W.fpr_b), "export", W.good, "--key-fpr",
                W.fpr_b)


@test("export: keys.asc without a key fails")
def _():
    d = fresh("nokeys")
    with open(os.path.join(d, "keys.asc"), "w") as f:
        f.write("not a key\n")
    expect_fail("keys.asc: no OpenPGP public key could be imported",
                "export", d)


@test("export: a --known checkpoint from a different history fails")
def _():
    expect_fail("root does not match the first 4 events of this export "
                "(the log was rewritten)", "export", W.good,
                "--known", ckpt(W.other, 4))


@test("export: a --known checkpoint newer than a rolled-back log fails")
def _():
    expect_fail("size 15 but the export has only 11 events (the log was "
                "rolled back)", "export", W.old, "--known", ckpt(W.good, 15))


@test("export: a --known checkpoint unsigned, badly signed, or of another "
      "vault fails")
def _():
    k = os.path.join(W.tmp, "known-unsigned.txt")
    shutil.copy(ckpt(W.good, 8), k)
    expect_fail("known-unsigned.txt.asc: missing", "export", W.good,
                "--known", k)
    k = os.path.join(W.tmp, "known-badsig.txt")
    shutil.copy(ckpt(W.good, 8), k)
    shutil.copy(ckpt(W.good, 4) + ".asc", k + ".asc")
    expect_fail("known-badsig.txt.asc: bad signature", "export", W.good,
                "--known", k)
    k = os.path.join(W.tmp, "known-origin.txt")
    with open(k, "wb") as f:
        f.write(checkpoint_text(ORIGIN2, read_lines(W.good), 8))
    sign(k, W.fpr_a)
    expect_fail("known-origin.txt: origin %s is not this export's" % ORIGIN2,
                "export", W.good, "--known", k)


@test("usage: bad arguments exit 2; a missing folder exits 1")
def _():
    for args in ([], ["frob", "x"], ["export"], ["export", "a", "b"],
                 ["export", W.good, "--key-fpr", "xyz"],
                 ["export", W.good, "--bogus"], ["proof", "p", "--known", "k"],
                 ["export", W.good, "--known"]):
        rc, out, err = run(*args, cli=(args == []))
        check(rc == 2 and err.startswith("verify_ledger: "),
              "%r: exit %d %r" % (args, rc, err))
    expect_fail("not a directory", "export", os.path.join(W.tmp, "nope"),
                cli=True)
    d = fresh("noevents")
    os.unlink(ev_path(d))
    expect_fail("events.jsonl: missing", "export", d)


# ---------------------------------------------------------------------------
# Proofs.

def make_proof(index, size, report=None, lines=None, fpr=None):
    lines = lines or read_lines(W.good)
    ev = json.loads(lines[index])
    text = checkpoint_text(ORIGIN, lines, size)
    return {
        "airlock_proof": 1,
        "report": report or ev["report"],
        "index": index,
        "event": lines[index].decode("utf-8"),
        "path": [base64.b64encode(h).decode()
                 for h in ref_path(index, lines[:size])],
        "checkpoint": text.decode(),
        "signature": sign_text(text, fpr or W.fpr_a),
        "key": gpg("--export", "--armor", fpr or W.fpr_a).decode(),
    }


def write_proof(name, proof, raw=None):
    p = os.path.join(W.tmp, name + ".json")
    with open(p, "wb") as f:
        f.write(raw if raw is not None else
                json.dumps(proof, indent=2).encode())
    return p


@test("proof: good proofs pass (import events against the newest and "
      "older checkpoints)")
def _():
    for index, size in ((2, 15), (12, 15), (4, 8), (2, 4)):
        p = write_proof("good-%d-%d" % (index, size),
                        make_proof(index, size))
        expect_ok("proof", p, "--key-fpr", W.fpr_a,
                  want="event %d of %d in checkpoint %s, signed by %s"
                       % (index, size, ORIGIN, W.fpr_a),
                  cli=(index == 2 and size == 15))


@test("proof: a flipped path element fails")
def _():
    pr = dict(W.proof)
    raw = bytearray(base64.b64decode(pr["path"][1]))
    raw[7] ^= 0x20
    pr["path"] = list(pr["path"])
    pr["path"][1] = base64.b64encode(bytes(raw)).decode()
    expect_fail("inclusion path does not lead to the checkpoint's root",
                "proof", write_proof("flipped", pr), cli=True)


@test("proof: a wrong index fails")
def _():
    pr = dict(W.proof, index=5)
    expect_fail("event: seq 4 is not index 5", "proof",
                write_proof("index", pr))
    # index and event of import 5, path of import 4
    lines = read_lines(W.good)
    pr = dict(W.proof, index=5, event=lines[5].decode(), report=R[2])
    expect_fail("inclusion path does not lead", "proof",
                write_proof("index2", pr))
    pr = dict(W.proof, checkpoint=checkpoint_text(ORIGIN, lines, 4).decode())
    expect_fail("index 4 is not inside the checkpoint's 4 events",
                "proof", write_proof("index3", pr))


@test("proof: a wrong event fails")
def _():
    ev = json.loads(W.proof["event"])
    ev["data"]["bytes"] += 1
    pr = dict(W.proof, event=canon(ev).decode())
    expect_fail("inclusion path does not lead", "proof",
                write_proof("event", pr))
    pr = dict(W.proof, report=R[0])
    expect_fail("is not the proof's report", "proof",
                write_proof("event-report", pr))
    pr = make_proof(6, 15)
    expect_fail("event: kind \"replay\" is not import", "proof",
                write_proof("event-kind", pr))
    ev = json.loads(W.proof["event"])
    pr = dict(W.proof, event=json.dumps(dict(reversed(list(ev.items()))),
                                        separators=(",", ":")))
    expect_fail("event: not canonical JCS", "proof",
                write_proof("event-canon", pr))


@test("proof: a bad signature fails")
def _():
    pr = dict(W.proof, signature=sign_text(b"other text\n", W.fpr_a))
    expect_fail("signature: bad signature", "proof", write_proof("sig", pr))
    pr = dict(W.proof, signature=sign_text(W.proof["checkpoint"].encode(),
                                           W.fpr_b))
    expect_fail("signature: signed by a key not in the given keys", "proof",
                write_proof("sig-otherkey", pr))
    pr = dict(W.proof, signature="not a signature")
    expect_fail("signature is not an ASCII-armored OpenPGP signature",
                "proof", write_proof("sig-garbage", pr))


@test("proof: a wrong --key-fpr fails")
def _():
    p = write_proof("pin", W.proof)
    expect_fail("signature: signed by %s, expected --key-fpr %s"
                % (W.fpr_a, W.fpr_b), "proof", p, "--key-fpr", W.fpr_b)
    pr = make_proof(4, 15, fpr=W.fpr_b)
    expect_ok("proof", write_proof("pin-b", pr))
    expect_fail("expected --key-fpr %s" % W.fpr_a, "proof",
                write_proof("pin-b", pr), "--key-fpr", W.fpr_a)


PROOF_BAD = [
    ("extra key", lambda p: p.update(extra=1), "unexpected key \"extra\""),
    ("missing key", lambda p: p.pop("key"), "missing key \"key\""),
    ("airlock_proof 2", lambda p: p.update(airlock_proof=2),
     "airlock_proof is not 1"),
    ("airlock_proof true", lambda p: p.update(airlock_proof=True),
     "airlock_proof is not 1"),
    ("index string", lambda p: p.update(index="4"),
     "index is not a non-negative integer"),
    ("path element 31 bytes",
     lambda p: p["path"].__setitem__(0, base64.b64encode(bytes(31)).decode()),
     "path[0] is not standard base64 of 32 bytes"),
    ("path too long", lambda p: p["path"].append(p["path"][0]),
     "path has 5 hashes, wrong length for index 4 in a tree of 15"),
    ("path too short", lambda p: p["path"].pop(),
     "path has 3 hashes, wrong length"),
    ("checkpoint malformed", lambda p: p.update(
        checkpoint=p["checkpoint"].replace("\n15\n", "\n15 \n")),
     "checkpoint: size \"15 \" is not a decimal number"),
    # same path shape for 4 in 14 or 15 leaves: the signature catches it
    ("checkpoint size changed", lambda p: p.update(
        checkpoint=p["checkpoint"].replace("\n15\n", "\n14\n")),
     "signature: bad signature"),
]


@test("proof: malformed proofs fail (%s)" % ", ".join(x[0] for x in PROOF_BAD))
def _():
    for name, change, needle in PROOF_BAD:
        pr = json.loads(json.dumps(W.proof))
        change(pr)
        try:
            p = write_proof("bad-" + name.replace(" ", "-"), pr)
            expect_fail(needle, "proof", p)
        except Fail as e:
            raise Fail("%s: %s" % (name, e))
    p = write_proof("dup", None, raw=b'{"index":1,"index":1}')
    expect_fail("duplicate key \"index\"", "proof", p)
    p = write_proof("float", None, raw=b'{"index":1.0}')
    expect_fail("not an integer", "proof", p)


# ---------------------------------------------------------------------------
# Size.

@test("export: 300000 events, 3 checkpoints, all roots in one pass, verify "
      "in under 30 s")
def _():
    n, step = 300000, 100000
    d = os.path.join(W.tmp, "big")
    os.makedirs(os.path.join(d, "checkpoints"))
    first = canon(event(0, "init", None, {
        "key": W.fpr_a, "origin": ORIGIN, "policy": None,
        "version": "1.0.0"}))
    # Import events, written from a template (canonical: keys in order).
    imp = canon(event(1, "import", R[1], import_data("big")))
    imp = imp.replace(b'"seq":1}', b'"seq":%d}').replace(
        import_data("big")["bundle"].encode(), b"%064x")
    ck = canon(event(1, "checkpoint", None, {"size": 2}))
    ck = ck.replace(b'"seq":1}', b'"seq":%d}').replace(
        b'"size":2}', b'"size":%d}')
    lines = [first]
    for seq in range(1, n):
        if (seq + 1) % step == 0:
            lines.append(ck % (seq + 1, seq))
        else:
            lines.append(imp % (seq, seq))
    with open(ev_path(d), "wb") as f:
        f.write(b"".join(l + b"\n" for l in lines))
    t = vl.CompactTree()
    for i, l in enumerate(lines):
        t.append(vl.leaf_hash(l))
        if (i + 1) % step == 0:
            p = ckpt(d, i + 1)
            with open(p, "wb") as f:
                root = base64.b64encode(t.root()).decode()
                f.write(("%s\n%d\n%s\n" % (ORIGIN, i + 1, root)).encode())
            sign(p, W.fpr_a)
    with open(os.path.join(d, "keys.asc"), "wb") as f:
        f.write(gpg("--export", "--armor", W.fpr_a))
    start = time.monotonic()
    expect_ok("export", d, want="ok: 300000 events, 3 checkpoints, "
                                "newest 300000")
    took = time.monotonic() - start
    print("# 300000 events (%d MB) verified in %.1f s"
          % (os.path.getsize(ev_path(d)) >> 20, took))
    check(took < 30, "took %.1f s" % took)


# ---------------------------------------------------------------------------

def setup():
    W.tmp = tempfile.mkdtemp(prefix="vl-selftest-")
    W.home = os.path.join(W.tmp, "gnupg")
    os.mkdir(W.home, 0o700)
    W.fpr_a = make_key("Vault A <a@example.org>")
    W.fpr_b = make_key("Other B <b@example.org>")
    events = history()
    W.good = write_export(os.path.join(W.tmp, "good"), events)
    lines = [canon(e) for e in events]
    # The same vault, earlier: its first 11 events.
    W.old = write_export(os.path.join(W.tmp, "old"), lines=lines[:11],
                         sizes=[2, 4, 8, 11])
    # Another history of the same vault (event 2 differs).
    W.other = write_export(os.path.join(W.tmp, "other"),
                           history(variant="x"))
    W.proof = make_proof(4, 15)


def teardown():
    subprocess.run(["gpgconf", "--kill", "all"],
                   env=dict(os.environ, GNUPGHOME=W.home),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.rmtree(W.tmp, ignore_errors=True)


def main():
    start = time.monotonic()
    print("1..%d" % len(TESTS))
    failed = 0
    try:
        setup()
        for i, (name, fn) in enumerate(TESTS, 1):
            try:
                fn()
                print("ok %d - %s" % (i, name))
            except Exception as e:
                failed += 1
                print("not ok %d - %s" % (i, name))
                for line in str(e).splitlines() or ["?"]:
                    print("# " + vl.visible(line, 400))
            sys.stdout.flush()
    finally:
        teardown()
    print("# %d failed, %.1f s" % (failed, time.monotonic() - start))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
