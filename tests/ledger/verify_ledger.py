#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Independent verifier of Airlock ledger exports and inclusion proofs.

Written from docs/ledger.md (Events, The tree, Checkpoints, Export, Proofs)
and /work/shared/spec/ledger-v1.md only, never from the C code: it is the
second implementation, so that the format and the C code cannot drift
together. RFC 9162 section 2.1 is the tree, RFC 8785 (JCS) the canonical
form of an event. Python 3 standard library and the gpg program only.

  verify_ledger.py export DIR [--known FILE.txt ...] [--key-fpr FPR]
  verify_ledger.py proof FILE [--key-fpr FPR]

Success: one line on stdout starting "ok: ", exit 0. Failure: one line on
stderr starting "verify_ledger: " naming the file, the event or checkpoint
and the rule, exit 1. Usage errors exit 2.
"""

import base64
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

PROG = "verify_ledger"

USAGE = """\
usage: verify_ledger.py export DIR [--known FILE.txt ...] [--key-fpr FPR]
       verify_ledger.py proof FILE [--key-fpr FPR]"""

EVENT_KEYS = frozenset(("seq", "at", "kind", "report", "actor", "data"))
PROOF_KEYS = frozenset(("airlock_proof", "report", "index", "event", "path",
                        "checkpoint", "signature", "key"))
AT_RE = re.compile(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T"
                   r"[0-9]{2}:[0-9]{2}:[0-9]{2}Z\Z")
ORIGIN_RE = re.compile(r"\Aairlock/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
                       r"[0-9a-f]{4}-[0-9a-f]{12}\Z")
SIZE_RE = re.compile(r"\A[1-9][0-9]*\Z")
CKPT_NAME_RE = re.compile(r"\A([1-9][0-9]*)\.txt(\.asc)?\Z")
FPR_RE = re.compile(r"\A(?:[0-9A-F]{40}|[0-9A-F]{64})\Z")
MAX_SAFE_INT = 2 ** 53 - 1  # I-JSON / JCS: integers exact in a double
MAX_CHECKPOINT_TEXT = 4096
MAX_SIGNATURE = 64 * 1024
MAX_PROOF = 16 * 1024 * 1024


class Failure(Exception):
    """One verification failure: the message names the file and the rule."""


def visible(text, limit=80):
    """Untrusted text made printable: ASCII 0x20-0x7e kept, all else escaped.

    Non-ASCII is escaped too, so a message prints in any locale."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "backslashreplace")
    text = str(text)
    cut = len(text) > limit
    if cut:
        text = text[:limit]
    out = []
    for ch in text:
        o = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif 0x20 <= o < 0x7f:
            out.append(ch)
        elif o == 0x0a:
            out.append("\\n")
        elif o <= 0xff:
            out.append("\\x%02x" % o)
        elif o <= 0xffff:
            out.append("\\u%04x" % o)
        else:
            out.append("\\U%08x" % o)
    return "".join(out) + ("..." if cut else "")


# ---------------------------------------------------------------------------
# JCS (RFC 8785) for what events hold: objects, arrays, strings, integers,
# true, false, null. Floats are refused, not serialized.

_JCS_ESCAPES = {i: "\\u%04x" % i for i in range(0x20)}
_JCS_ESCAPES.update({0x08: "\\b", 0x09: "\\t", 0x0a: "\\n", 0x0c: "\\f",
                     0x0d: "\\r", 0x22: '\\"', 0x5c: "\\\\"})


def _utf16_key(key):
    # RFC 8785 3.2.3: property names sorted by their UTF-16 code units;
    # big-endian UTF-16 bytes compare in the same order as the code units.
    return key.encode("utf-16-be", "surrogatepass")


def _jcs_string(s):
    return '"' + s.translate(_JCS_ESCAPES) + '"'


def _jcs(value, out):
    t = type(value)
    if t is str:
        out.append(_jcs_string(value))
    elif t is dict:
        out.append("{")
        first = True
        for k in sorted(value, key=_utf16_key):
            if not first:
                out.append(",")
            first = False
            out.append(_jcs_string(k))
            out.append(":")
            _jcs(value[k], out)
        out.append("}")
    elif t is list:
        out.append("[")
        for i, v in enumerate(value):
            if i:
                out.append(",")
            _jcs(v, out)
        out.append("]")
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif t is int:
        if value > MAX_SAFE_INT or value < -MAX_SAFE_INT:
            raise Failure("integer %s out of the exact range of JCS "
                          "(|n| <= 2^53-1)" % visible(str(value), 30))
        out.append(str(value))
    else:
        raise Failure("value of type %s is not allowed" % t.__name__)


def jcs_serialize(value):
    """RFC 8785 bytes of a dict/list/str/int/bool/None value, else Failure."""
    out = []
    _jcs(value, out)
    try:
        return "".join(out).encode("utf-8")
    except UnicodeEncodeError:
        raise Failure("lone surrogate in a string (not valid Unicode)")


def _pairs_no_dup(pairs):
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen = set()
        for k, _ in pairs:
            if k in seen:
                raise Failure("duplicate key \"%s\"" % visible(k, 40))
            seen.add(k)
    return obj


def _no_float(text):
    raise Failure("number %s is not an integer (floats are not allowed)"
                  % visible(text, 30))


def _no_constant(text):
    raise Failure("%s is not JSON" % visible(text, 30))


def _int(text):
    if len(text) > 15:
        n = int(text)
        if n > MAX_SAFE_INT or n < -MAX_SAFE_INT:
            raise Failure("integer %s out of the exact range of JCS "
                          "(|n| <= 2^53-1)" % visible(text, 30))
        return n
    return int(text)


_DECODERS = {
    hook: json.JSONDecoder(object_pairs_hook=hook, parse_float=_no_float,
                           parse_int=_int, parse_constant=_no_constant)
    for hook in (None, _pairs_no_dup)
}
_FAST_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"),
                                 ensure_ascii=False)


def _loads(text, hook):
    try:
        return _DECODERS[hook].decode(text)
    except Failure:
        raise
    except (ValueError, RecursionError) as e:
        raise Failure("not JSON (%s)" % visible(str(e), 60))


def parse_json_strict(data):
    """Parse bytes as strict JSON: UTF-8, no duplicate keys, no floats."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Failure("invalid UTF-8 at byte %d" % e.start)
    return _loads(text, _pairs_no_dup)


_HIGH_BYTES = re.compile(rb"[\xee-\xff]")


def _fast_canonical(data):
    """The value of data if it is certainly canonical, else None.

    An optimisation only (300,000 events in seconds, not minutes): the
    standard library's json.dumps with sorted keys, no white space and
    ensure_ascii=False writes exactly the JCS form of a value without floats
    (refused while parsing) and with integers within 2^53 (checked while
    parsing), except that it sorts keys by code point instead of UTF-16 code
    unit. The two orders differ only between a character above U+FFFF and
    one in U+E000..U+FFFF; when no byte of the line is 0xEE or above, the
    line holds neither as UTF-8, so the orders agree (one written as a \\u
    escape makes the line differ from the re-serialization, which writes
    it raw). A line with duplicate keys
    never equals the re-serialization (it has more members). Whenever this
    path does not accept, the line goes to the full check, whose verdict
    and message are the ones given."""
    if not data or (not data.isascii() and _HIGH_BYTES.search(data)):
        return None
    try:
        value = _loads(data.decode("utf-8"), None)
        out = _FAST_ENCODER.encode(value).encode("utf-8")
    except (Failure, UnicodeError):
        return None
    return value if out == data else None


def parse_canonical(data):
    """Parse bytes that must be exactly the JCS form of their own value."""
    value = _fast_canonical(data)
    if value is not None:
        return value
    value = parse_json_strict(data)
    canon = jcs_serialize(value)
    if canon != data:
        n = 0
        while n < min(len(canon), len(data)) and canon[n] == data[n]:
            n += 1
        raise Failure("not canonical JCS (first difference at byte %d)" % n)
    return value


_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def valid_time(at):
    """A real UTC time to the second (at already matches AT_RE)."""
    y, mo, d = int(at[0:4]), int(at[5:7]), int(at[8:10])
    h, mi, s = int(at[11:13]), int(at[14:16]), int(at[17:19])
    if not 1 <= mo <= 12 or not 1 <= d <= _MONTH_DAYS[mo - 1]:
        return False
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    if mo == 2 and d == 29 and not leap:
        return False
    return h < 24 and mi < 60 and s < 60


def check_event(value, seq):
    """The shape docs/ledger.md "Events" gives every event."""
    if type(value) is not dict:
        raise Failure("not a JSON object")
    keys = set(value)
    if keys != EVENT_KEYS:
        extra = sorted(keys - EVENT_KEYS)
        missing = sorted(EVENT_KEYS - keys)
        if extra:
            raise Failure("unexpected key \"%s\"" % visible(extra[0], 40))
        raise Failure("missing key \"%s\"" % missing[0])
    s = value["seq"]
    if type(s) is not int:
        raise Failure("seq is not an integer")
    if s != seq:
        raise Failure("seq %d, expected %d (events must be in seq order "
                      "with no gap)" % (s, seq))
    at = value["at"]
    if type(at) is not str or not AT_RE.match(at):
        raise Failure("at \"%s\" is not YYYY-MM-DDTHH:MM:SSZ"
                      % visible(at, 40))
    if not valid_time(at):
        raise Failure("at \"%s\" is not a valid time" % visible(at, 40))
    if type(value["kind"]) is not str or not value["kind"]:
        raise Failure("kind is not a non-empty string")
    if value["report"] is not None and type(value["report"]) is not str:
        raise Failure("report is neither a string nor null")
    if type(value["actor"]) is not str or not value["actor"]:
        raise Failure("actor is not a non-empty string")
    if type(value["data"]) is not dict:
        raise Failure("data is not an object")


# ---------------------------------------------------------------------------
# Merkle tree, RFC 9162 section 2.1.

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def mth(leaves):
    """MTH(D[n]) of RFC 9162 2.1.1 over leaf hashes, by its recursion."""
    n = len(leaves)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


class CompactTree:
    """Streaming MTH: the perfect subtrees the leaves so far decompose into.

    A tree of n leaves is, left to right, perfect subtrees of decreasing
    powers of two (the bits of n); its RFC 9162 root folds them from the
    right: MTH = H(s1, H(s2, ... H(sk-1, sk))). Appending a leaf merges equal
    neighbours like a binary counter, so n leaves cost n - 1 node hashes
    and the root at any size costs O(log n)."""

    def __init__(self):
        self.size = 0
        self.stack = []  # [(subtree size, hash)], sizes decreasing

    def append(self, leaf):
        size, h = 1, leaf
        while self.stack and self.stack[-1][0] == size:
            _, left = self.stack.pop()
            h = node_hash(left, h)
            size *= 2
        self.stack.append((size, h))
        self.size += 1

    def root(self):
        if not self.stack:
            return EMPTY_ROOT
        r = self.stack[-1][1]
        for _, h in reversed(self.stack[:-1]):
            r = node_hash(h, r)
        return r


def root_from_inclusion(index, size, leaf, path):
    """RFC 9162 2.1.3.2: the root the path gives, or None if it cannot fit."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        return None
    return r


# ---------------------------------------------------------------------------
# Checkpoints (C2SP tlog-checkpoint form, docs/ledger.md "Checkpoints").

def strict_b64_32(text, what):
    """Standard base64 with padding of exactly 32 bytes, one spelling only."""
    if type(text) is not str or not re.fullmatch(r"[A-Za-z0-9+/]{43}=", text):
        raise Failure("%s is not standard base64 of 32 bytes" % what)
    raw = base64.b64decode(text, validate=True)
    if len(raw) != 32 or base64.b64encode(raw).decode("ascii") != text:
        raise Failure("%s is not canonical base64 of 32 bytes" % what)
    return raw


def parse_checkpoint(data):
    """(origin, size, root) of a checkpoint text given as bytes."""
    if not data.endswith(b"\n"):
        raise Failure("does not end with a newline")
    lines = data[:-1].split(b"\n")
    if len(lines) != 3:
        raise Failure("has %d lines, expected 3 (origin, size, root)"
                      % len(lines))
    try:
        origin, size, root = (x.decode("ascii") for x in lines)
    except UnicodeDecodeError:
        raise Failure("is not ASCII")
    if not ORIGIN_RE.match(origin):
        raise Failure("origin \"%s\" is not airlock/UUID (lowercase)"
                      % visible(origin, 60))
    if not SIZE_RE.match(size):
        raise Failure("size \"%s\" is not a decimal number without "
                      "leading zeros" % visible(size, 30))
    return origin, int(size), strict_b64_32(root, "root hash")


# ---------------------------------------------------------------------------
# gpg, always in a throwaway GNUPGHOME.

class Gpg:
    """A temporary GNUPGHOME (0700) holding only the keys given to it."""

    def __init__(self):
        if shutil.which("gpg") is None:
            raise Failure("gpg: not found in PATH")
        self.home = tempfile.mkdtemp(prefix="vl-gnupg-")
        os.chmod(self.home, 0o700)
        self.env = dict(os.environ, GNUPGHOME=self.home, LC_ALL="C")
        self.primaries = set()
        self.expiry = {}

    def run(self, args, stdin=None):
        cmd = ["gpg", "--batch", "--no-tty", "--no-auto-key-retrieve",
               "--trust-model", "always", "--status-fd", "1"] + args
        return subprocess.run(cmd, env=self.env, input=stdin,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)

    def import_keys(self, path, what):
        r = self.run(["--import", path])
        imported = any(l.startswith(b"[GNUPG:] IMPORT_OK ")
                       for l in r.stdout.splitlines())
        if r.returncode != 0 or not imported:
            raise Failure("%s: no OpenPGP public key could be imported"
                          % what)
        r = self.run(["--with-colons", "--fixed-list-mode",
                      "--list-keys"])
        prev = None
        for line in r.stdout.decode("ascii", "replace").splitlines():
            f = line.split(":")
            if f[0] == "fpr" and prev in ("pub", "sub"):
                fpr = f[9].upper()
                if prev == "pub":
                    self.primaries.add(fpr)
                    primary = fpr
                # when the key expires (None: never), and its primary key
                self.expiry[fpr] = (int(pexp) if pexp else None, primary)
            if f[0] in ("pub", "sub"):
                pexp = f[6]
            prev = f[0]
        if not self.primaries:
            raise Failure("%s: holds no public key" % what)

    def verify(self, sig, data, what):
        """Primary fingerprint of a good detached signature, else Failure."""
        r = self.run(["--verify", "--", sig, data])
        st = {}
        for line in r.stdout.decode("ascii", "replace").splitlines():
            if line.startswith("[GNUPG:] "):
                f = line[9:].split(" ")
                st.setdefault(f[0], []).append(f[1:])
        expired = "EXPKEYSIG" in st
        for bad, why in (("BADSIG", "bad signature"),
                         ("REVKEYSIG", "signed by a revoked key"),
                         ("EXPSIG", "the signature has expired"),
                         ("NO_PUBKEY", "signed by a key not in the "
                                       "given keys"),
                         ("ERRSIG", "signature cannot be checked")):
            if bad in st:
                raise Failure("%s: %s" % (what, why))
        if "PLAINTEXT" in st:
            raise Failure("%s: not a detached signature" % what)
        if len(st.get("NEWSIG", [[]])) != 1:
            raise Failure("%s: holds more than one signature" % what)
        # A key that has expired since: the signature stays good when it
        # was made before the signing key and its primary key expired
        # (docs/ledger.md "Audit"); gpg --verify also calls it good.
        good = st.get("EXPKEYSIG" if expired else "GOODSIG", [])
        valid = st.get("VALIDSIG", [])
        if expired and len(valid) == 1 and len(valid[0]) >= 10:
            made = int(valid[0][2]) if valid[0][2].isdigit() else None
            for fpr in (valid[0][0].upper(), valid[0][9].upper()):
                until = self.expiry.get(fpr, (None, None))[0]
                if made is None or (until is not None and made >= until):
                    raise Failure("%s: signed by a key that had expired "
                                  "when the signature was made" % what)
        if r.returncode != 0 or len(good) != 1 or len(valid) != 1:
            raise Failure("%s: no good signature (gpg exit %d)"
                          % (what, r.returncode))
        v = valid[0]
        if len(v) < 10:
            raise Failure("%s: VALIDSIG without the primary "
                          "fingerprint" % what)
        if v[8] not in ("00", "01"):
            raise Failure("%s: signature class %s is not a "
                          "document signature" % (what, visible(v[8])))
        primary = v[9].upper()
        if primary not in self.primaries:
            raise Failure("%s: signer %s is not a key of the given "
                          "keys" % (what, visible(primary)))
        return primary

    def close(self):
        subprocess.run(["gpgconf", "--kill", "all"], env=self.env,
                       stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        shutil.rmtree(self.home, ignore_errors=True)


def verify_all(gpg, jobs):
    """Verify [(sig, data, what)] in parallel; return fingerprints in order.

    Every job runs; the first failure in list order is raised, so the
    message does not depend on scheduling."""
    workers = max(1, min(8, os.cpu_count() or 1, len(jobs)))
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        futs = [pool.submit(gpg.verify, s, d, w) for s, d, w in jobs]
    return [f.result() for f in futs]


def check_pin(fpr, pin, what):
    if pin is not None and fpr != pin:
        raise Failure("%s: signed by %s, expected --key-fpr %s"
                      % (what, fpr, pin))


# ---------------------------------------------------------------------------
# Export.

def read_small(path, limit, what, follow=False):
    """A regular file of at most limit bytes (a symlink only if follow)."""
    try:
        st = os.stat(path) if follow else os.lstat(path)
    except FileNotFoundError:
        raise Failure("%s: missing" % what)
    if not stat.S_ISREG(st.st_mode):
        raise Failure("%s: not a regular file" % what)
    if st.st_size > limit:
        raise Failure("%s: larger than %d bytes" % (what, limit))
    with open(path, "rb") as f:
        return f.read(limit + 1)


def list_checkpoints(cdir):
    """{N: path of N.txt}, checking every entry is N.txt or N.txt.asc."""
    try:
        st = os.lstat(cdir)
    except FileNotFoundError:
        raise Failure("checkpoints/: missing")
    if not stat.S_ISDIR(st.st_mode):
        raise Failure("checkpoints/: not a directory")
    txt, asc = set(), set()
    for name in sorted(os.listdir(cdir)):
        m = CKPT_NAME_RE.match(name)
        if not m:
            raise Failure("checkpoints/%s: not N.txt or N.txt.asc "
                          "(N decimal, no leading zeros)"
                          % visible(name, 60))
        if not stat.S_ISREG(os.lstat(os.path.join(cdir, name)).st_mode):
            raise Failure("checkpoints/%s: not a regular file"
                          % visible(name, 60))
        (asc if m.group(2) else txt).add(int(m.group(1)))
    for n in sorted(txt - asc):
        raise Failure("checkpoints/%d.txt: has no signature "
                      "checkpoints/%d.txt.asc" % (n, n))
    for n in sorted(asc - txt):
        raise Failure("checkpoints/%d.txt.asc: has no checkpoint "
                      "checkpoints/%d.txt" % (n, n))
    return {n: os.path.join(cdir, "%d.txt" % n) for n in sorted(txt)}


def scan_events(path, wanted):
    """Check events.jsonl line by line and compute the roots at `wanted`.

    Returns (count, {size: root}, checkpoint seqs, init event data)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise Failure("events.jsonl: missing")
    if not stat.S_ISREG(st.st_mode):
        raise Failure("events.jsonl: not a regular file")
    with open(path, "rb") as f:
        data = f.read()
    if not data:
        raise Failure("events.jsonl: empty (an export has at least "
                      "the init event)")
    if not data.endswith(b"\n"):
        raise Failure("events.jsonl: line %d: no final newline"
                      % (data.count(b"\n") + 1))
    tree = CompactTree()
    roots = {}
    want = set(wanted)
    ckpt_seqs = []
    init_data = None
    start = 0
    seq = 0
    end = len(data)
    while start < end:
        nl = data.index(b"\n", start)
        line = data[start:nl]
        where = "events.jsonl: line %d (event %d)" % (seq + 1, seq)
        if not line:
            raise Failure("%s: empty line" % where)
        try:
            ev = parse_canonical(line)
            check_event(ev, seq)
            kind = ev["kind"]
            if (kind == "init") != (seq == 0):
                raise Failure("event 0 must be init, and only "
                              "event 0 (kind \"%s\")"
                              % visible(kind, 30))
            if kind == "init":
                init_data = ev["data"]
            if kind == "checkpoint":
                size = ev["data"].get("size")
                if type(size) is not int or size != seq + 1:
                    raise Failure("checkpoint event: "
                                  "data.size must be "
                                  "seq + 1 = %d" % (seq + 1))
                ckpt_seqs.append(seq)
        except Failure as e:
            raise Failure("%s: %s" % (where, e))
        tree.append(leaf_hash(line))
        seq += 1
        if seq in want:
            roots[seq] = tree.root()
        start = nl + 1
    return seq, roots, ckpt_seqs, init_data


def check_export(folder, known, pin):
    if not os.path.isdir(folder):
        raise Failure("%s: not a directory" % visible(folder))
    for name in ("keys.asc",):
        p = os.path.join(folder, name)
        if not os.path.isfile(p) or os.path.islink(p):
            raise Failure("%s: missing or not a regular file" % name)
    ckpts = list_checkpoints(os.path.join(folder, "checkpoints"))
    if not ckpts:
        raise Failure("checkpoints/: no checkpoint")

    texts = {}
    origin = None
    for n, path in ckpts.items():
        what = "checkpoints/%d.txt" % n
        data = read_small(path, MAX_CHECKPOINT_TEXT, what)
        read_small(path + ".asc", MAX_SIGNATURE, what + ".asc")
        try:
            o, size, root = parse_checkpoint(data)
        except Failure as e:
            raise Failure("%s: %s" % (what, e))
        if size != n:
            raise Failure("%s: size %d is not the file's name"
                          % (what, size))
        if origin is None:
            origin = o
        elif o != origin:
            raise Failure("%s: origin %s differs from %s in the "
                          "other checkpoints" % (what, o, origin))
        texts[n] = root

    known_list = []
    for kpath in known:
        what = "--known %s" % visible(kpath)
        data = read_small(kpath, MAX_CHECKPOINT_TEXT, what, True)
        read_small(kpath + ".asc", MAX_SIGNATURE, what + ".asc", True)
        try:
            o, size, root = parse_checkpoint(data)
        except Failure as e:
            raise Failure("%s: %s" % (what, e))
        known_list.append((kpath, what, o, size, root))

    wanted = set(texts) | {k[3] for k in known_list}
    count, roots, ckpt_seqs, init_data = scan_events(
        os.path.join(folder, "events.jsonl"), wanted)

    ckpt_events = set(ckpt_seqs)
    for n, root in texts.items():
        what = "checkpoints/%d.txt" % n
        if n > count:
            raise Failure("%s: size %d is larger than the %d events "
                          "of events.jsonl" % (what, n, count))
        if n - 1 not in ckpt_events:
            raise Failure("%s: event %d is not a checkpoint event "
                          "(a checkpoint without its event)"
                          % (what, n - 1))
        if roots[n] != root:
            raise Failure("%s: root does not match the Merkle root "
                          "of events 0..%d" % (what, n - 1))
    for s in ckpt_seqs:
        if s + 1 not in texts:
            raise Failure("events.jsonl: checkpoint event %d has no "
                          "checkpoints/%d.txt (a removed "
                          "checkpoint)" % (s, s + 1))
    newest = max(texts)
    if newest != count:
        raise Failure("checkpoints/%d.txt: the newest checkpoint does "
                      "not cover all %d events of events.jsonl"
                      % (newest, count))
    iorigin = init_data.get("origin")
    if iorigin != origin:
        raise Failure("checkpoints/: origin %s is not the init "
                      "event's data.origin \"%s\""
                      % (origin, visible(iorigin, 60)))
    ikey = init_data.get("key")
    for kpath, what, o, size, root in known_list:
        if o != origin:
            raise Failure("%s: origin %s is not this export's %s"
                          % (what, visible(o), origin))
        if size > count:
            raise Failure("%s: size %d but the export has only %d "
                          "events (the log was rolled back)"
                          % (what, size, count))
        if roots[size] != root:
            raise Failure("%s: root does not match the first %d "
                          "events of this export (the log was "
                          "rewritten)" % (what, size))

    gpg = Gpg()
    try:
        gpg.import_keys(os.path.join(folder, "keys.asc"), "keys.asc")
        jobs = [(p + ".asc", p, "checkpoints/%d.txt.asc" % n)
                for n, p in ckpts.items()]
        jobs += [(k[0] + ".asc", k[0], k[1] + ".asc")
                 for k in known_list]
        fprs = verify_all(gpg, jobs)
    finally:
        gpg.close()
    for (_, _, what), fpr in zip(jobs, fprs):
        check_pin(fpr, pin, what)
        if type(ikey) is not str or fpr != ikey.upper():
            raise Failure("%s: signed by %s, not the key of the init "
                          "event (data.key \"%s\")"
                          % (what, fpr, visible(ikey, 70)))
    extra = ""
    if known_list:
        extra = ", %d known checkpoint%s consistent" % (
            len(known_list), "" if len(known_list) == 1 else "s")
    return ("ok: %d events, %d checkpoints, newest %d%s, origin %s, "
            "signed by %s" % (count, len(texts), newest, extra, origin,
                              fprs[0]))


# ---------------------------------------------------------------------------
# Proof.

def check_proof(path, pin):
    data = read_small(path, MAX_PROOF, visible(path), True)
    where = visible(path)
    try:
        proof = parse_json_strict(data)
    except Failure as e:
        raise Failure("%s: %s" % (where, e))
    if type(proof) is not dict:
        raise Failure("%s: not a JSON object" % where)
    keys = set(proof)
    if keys != PROOF_KEYS:
        extra = sorted(keys - PROOF_KEYS)
        if extra:
            raise Failure("%s: unexpected key \"%s\""
                          % (where, visible(extra[0], 40)))
        raise Failure("%s: missing key \"%s\""
                      % (where, sorted(PROOF_KEYS - keys)[0]))
    if type(proof["airlock_proof"]) is not int or \
       proof["airlock_proof"] != 1:
        raise Failure("%s: airlock_proof is not 1" % where)
    report = proof["report"]
    if type(report) is not str or not report:
        raise Failure("%s: report is not a non-empty string" % where)
    index = proof["index"]
    if type(index) is not int or index < 0:
        raise Failure("%s: index is not a non-negative integer" % where)
    for k in ("event", "checkpoint", "signature", "key"):
        if type(proof[k]) is not str:
            raise Failure("%s: %s is not a string" % (where, k))
    try:
        raw = proof["event"].encode("utf-8")
    except UnicodeEncodeError:
        raise Failure("%s: event: lone surrogate" % where)
    try:
        ev = parse_canonical(raw)
        check_event(ev, ev.get("seq") if type(ev) is dict else 0)
    except Failure as e:
        raise Failure("%s: event: %s" % (where, e))
    if ev["seq"] != index:
        raise Failure("%s: event: seq %d is not index %d"
                      % (where, ev["seq"], index))
    if ev["kind"] != "import":
        raise Failure("%s: event: kind \"%s\" is not import"
                      % (where, visible(ev["kind"], 30)))
    if ev["report"] != report:
        raise Failure("%s: event: report \"%s\" is not the proof's "
                      "report \"%s\"" % (where, visible(ev["report"]),
                                         visible(report)))
    if type(proof["path"]) is not list:
        raise Failure("%s: path is not an array" % where)
    hashes = []
    for i, p in enumerate(proof["path"]):
        hashes.append(strict_b64_32(p, "%s: path[%d]" % (where, i)))
    try:
        ctext = proof["checkpoint"].encode("utf-8")
        origin, size, root = parse_checkpoint(ctext)
    except (Failure, UnicodeEncodeError) as e:
        raise Failure("%s: checkpoint: %s" % (where, e))
    if index >= size:
        raise Failure("%s: index %d is not inside the checkpoint's %d "
                      "events" % (where, index, size))
    got = root_from_inclusion(index, size, leaf_hash(raw), hashes)
    if got is None:
        raise Failure("%s: path has %d hashes, wrong length for index "
                      "%d in a tree of %d" % (where, len(hashes), index,
                                              size))
    if got != root:
        raise Failure("%s: inclusion path does not lead to the "
                      "checkpoint's root (RFC 9162 2.1.3.2)" % where)
    sig = proof["signature"]
    if not sig.startswith("-----BEGIN PGP SIGNATURE-----"):
        raise Failure("%s: signature is not an ASCII-armored OpenPGP "
                      "signature" % where)
    if not proof["key"].startswith("-----BEGIN PGP PUBLIC KEY BLOCK-----"):
        raise Failure("%s: key is not an ASCII-armored OpenPGP public "
                      "key" % where)
    gpg = Gpg()
    try:
        tmp = os.path.join(gpg.home, "proof")
        os.mkdir(tmp, 0o700)
        files = {}
        for name, content in (("key.asc", proof["key"]),
                              ("checkpoint.txt", proof["checkpoint"]),
                              ("checkpoint.txt.asc", sig)):
            files[name] = os.path.join(tmp, name)
            with open(files[name], "wb") as f:
                f.write(content.encode("utf-8"))
        gpg.import_keys(files["key.asc"], "%s: key" % where)
        fpr = gpg.verify(files["checkpoint.txt.asc"],
                         files["checkpoint.txt"],
                         "%s: signature" % where)
    finally:
        gpg.close()
    check_pin(fpr, pin, "%s: signature" % where)
    return ("ok: proof of report %s: event %d of %d in checkpoint %s, "
            "signed by %s" % (visible(report), index, size, origin, fpr))


# ---------------------------------------------------------------------------

def parse_args(argv):
    if not argv:
        raise SystemExit(usage("no command"))
    if argv[0] in ("-h", "--help"):
        return None
    mode = argv[0]
    if mode not in ("export", "proof"):
        raise SystemExit(usage("unknown command '%s'" % visible(mode)))
    target, known, pin = None, [], None
    i = 1
    while i < len(argv):
        a = argv[i]
        if a in ("--known", "--key-fpr"):
            if i + 1 >= len(argv):
                raise SystemExit(usage("%s needs a value" % a))
            v = argv[i + 1]
            i += 2
            if a == "--known":
                if mode != "export":
                    raise SystemExit(usage(
                        "--known is for export"))
                known.append(v)
            else:
                if pin is not None:
                    raise SystemExit(usage(
                        "--key-fpr given twice"))
                pin = v.replace(" ", "").upper()
                if not FPR_RE.match(pin):
                    raise SystemExit(usage(
                        "--key-fpr '%s' is not a "
                        "fingerprint" % visible(v)))
        elif a.startswith("-") and a != "-":
            raise SystemExit(usage("unknown option '%s'"
                                   % visible(a)))
        elif target is None:
            target = a
            i += 1
        else:
            raise SystemExit(usage("too many arguments"))
    if target is None:
        raise SystemExit(usage("%s needs a %s" % (
            mode, "DIR" if mode == "export" else "FILE")))
    return mode, target, known, pin


def usage(msg):
    sys.stderr.write("%s: %s\n%s\n" % (PROG, msg, USAGE))
    return 2


def main(argv):
    args = parse_args(argv)
    if args is None:
        print(USAGE)
        return 0
    mode, target, known, pin = args
    try:
        if mode == "export":
            line = check_export(target, known, pin)
        else:
            line = check_proof(target, pin)
    except Failure as e:
        sys.stderr.write("%s: %s\n" % (PROG, str(e).replace("\n", " ")))
        return 1
    except OSError as e:
        sys.stderr.write("%s: %s: %s\n" % (
            PROG, visible(e.filename or target), visible(e.strerror)))
        return 1
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
