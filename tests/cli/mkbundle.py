# SPDX-License-Identifier: Apache-2.0
"""Make Airlock bundles (spec bundle-v1) with other tools than ours.

The inner archive is written by Python's tarfile (pax, ustar or GNU), or
by hand where tarfile cannot make the case (a GNU sparse 'S' header, a
lying size, a bad header checksum); the outer message by the gpg command
line (GNUPGHOME from the environment), or by hand where gpg will not make
it (a bad signature, two plain texts: a SEIPD packet built here around the
session key of a message gpg made).

    mkbundle.py CASE OUT --to FPR [--sign FPR]... [--armor] [-z N] ...
    mkbundle.py --list
    mkbundle.py --batch [ARG...] <LINES   (one call a line, ARGs appended)

A CASE is "good" (a valid bundle) or one of the hostile cases listed by
--list; each breaks exactly one rule of the spec and keeps the rest valid
(the manifest lists every regular file with its right size and SHA-256
unless the case is about that).  OUT "-" is standard output.
"""
import argparse
import base64
import ctypes
import ctypes.util
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import uuid

CREATED = "2026-11-22T10:00:00Z"
MTIME = 1795341600  # CREATED as seconds since the epoch
BLOCK = 512
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
FORMATS = {
    "pax": tarfile.PAX_FORMAT,
    "ustar": tarfile.USTAR_FORMAT,
    "gnu": tarfile.GNU_FORMAT,
}


class Bundle:
    """What a case builds: the manifest (a dict, or raw bytes when the case
    is about the manifest's bytes) and the entries after it, in order."""

    def __init__(self, opts):
        self.opts = opts
        self.manifest = base_manifest(opts)
        self.manifest_bytes = None  # raw bytes overriding the dict
        self.entries = []  # (tarfile.TarInfo, bytes or None)
        self.listed = set()

    def add(self, name, data=b"", listed=True, **kw):
        """Add an entry (a regular file unless kw says otherwise); when
        listed, the manifest's files gets its path, size and SHA-256."""
        ti = tar_info(name, len(data) if data is not None else 0, **kw)
        self.entries.append((ti, data))
        if listed:
            self.list_file(name, data or b"")
        return ti

    def list_file(self, name, data, size=None, sha256=None):
        self.manifest["files"].append({
            "path": name,
            "size": len(data) if size is None else size,
            "sha256": hashlib.sha256(data).hexdigest() if sha256 is None
            else sha256,
        })

    def manifest_data(self):
        if self.manifest_bytes is not None:
            return self.manifest_bytes
        return (json.dumps(self.manifest, indent=2, ensure_ascii=False,
                           sort_keys=True) + "\n").encode()

    def tar(self, fmt=None, manifest_first=True, global_pax=None):
        """The inner archive's bytes, written by tarfile."""
        fmt = FORMATS[fmt or self.opts.format]
        buf = io.BytesIO()
        kw = {}
        if global_pax is not None:
            kw["pax_headers"] = global_pax
        mi = (tar_info("manifest.json", len(self.manifest_data())),
              self.manifest_data())
        entries = list(self.entries)
        if manifest_first:
            entries.insert(0, mi)
        else:
            entries.append(mi)
        with tarfile.open(fileobj=buf, mode="w", format=fmt,
                          encoding="utf-8", errors="surrogateescape",
                          **kw) as t:
            for ti, data in entries:
                t.addfile(ti, io.BytesIO(data) if data is not None else None)
        return buf.getvalue()


def base_manifest(opts):
    m = {
        "airlock": 1,
        "id": opts.id or str(uuid.uuid4()),
        "created": CREATED,
        "project": opts.project,
        "title": opts.title,
        "class": "xss",
        "cwe": ["CWE-79"],
        "severity": {
            "cvss_v3": "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N",
            "rating": "medium",
        },
        "affected": [{
            "package": {"ecosystem": "npm", "name": "chatwoot"},
            "ranges": [{"type": "SEMVER", "events": [
                {"introduced": "4.0.0"}, {"fixed": "4.2.1"}]}],
        }],
        "description": opts.description,
        "steps": opts.steps if opts.steps is not None else
                 "1. Add a note with <img src=x onerror=alert(1)>\n"
                 "2. Open it as another agent",
        "impact": "Session theft.",
        "reporter": {"name": opts.reporter, "contact": "r@example.net",
                     "credit": "public"},
        "files": [],
        "tool": "mkbundle.py (Python tarfile + gpg)",
    }
    if opts.extra:
        m["additional"] = opts.extra
    for spec in opts.set:
        path, sep, value = spec.partition("=")
        if not sep or not path:
            raise SystemExit("mkbundle: --set wants KEY=JSON, not %r" % spec)
        set_path(m, path, json.loads(value))
    for path in opts.unset:
        unset_path(m, path)
    return m


def set_path(m, path, value):
    """m[a][b]... = value for the dotted path "a.b..." (objects on the way
    are made as needed; an object value is merged into one already
    there)."""
    keys = path.split(".")
    for k in keys[:-1]:
        m = m.setdefault(k, {})
    last = keys[-1]
    if isinstance(value, dict) and isinstance(m.get(last), dict):
        m[last].update(value)
    else:
        m[last] = value


def unset_path(m, path):
    keys = path.split(".")
    for k in keys[:-1]:
        m = m.get(k, {})
    m.pop(keys[-1], None)


def tar_info(name, size, type=tarfile.REGTYPE, linkname="", mode=0o644):
    ti = tarfile.TarInfo(name)
    ti.size = size
    ti.type = type
    ti.linkname = linkname
    ti.mode = mode
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = ""
    ti.mtime = MTIME
    return ti


# ---- hand-made tar pieces -------------------------------------------------

def pad(data):
    return data + b"\0" * (-len(data) % BLOCK)


def octal(n, width):
    return b"%0*o\0" % (width - 1, n)


def raw_header(name, size, typeflag=b"0", linkname=b"", gnu=False,
               extra=None, checksum=True):
    """A 512-byte ustar (or GNU, gnu=True) header; extra: {offset: bytes}
    placed before the checksum is computed."""
    h = bytearray(BLOCK)

    def put(off, val):
        h[off:off + len(val)] = val
    put(0, name[:100])
    put(100, octal(0o644, 8))
    put(108, octal(0, 8))
    put(116, octal(0, 8))
    put(124, octal(size, 12))
    put(136, octal(MTIME, 12))
    put(148, b" " * 8)
    put(156, typeflag)
    put(157, linkname[:100])
    put(257, b"ustar  \0" if gnu else b"ustar\x0000")
    put(329, octal(0, 8))
    put(337, octal(0, 8))
    for off, val in (extra or {}).items():
        put(off, val)
    if checksum:
        put(148, b"%06o\0 " % sum(h))
    return bytes(h)


def pax_records(records):
    """A pax extended header's data: records is a list of (key, value)
    bytes pairs, written as given (NULs and all)."""
    out = b""
    for k, v in records:
        body = b" " + k + b"=" + v + b"\n"
        n = len(body) + 1
        while len(b"%d" % n) + len(body) != n:
            n = len(b"%d" % n) + len(body)
        out += b"%d" % n + body
    return out


def raw_entry(name, data, typeflag=b"0", pax=None, **kw):
    """Header (with a pax 'x' header first when pax is given) and data."""
    out = b""
    if pax is not None:
        recs = pax_records(pax)
        out += raw_header(b"PaxHeader/" + name[-80:], len(recs), b"x")
        out += pad(recs)
    out += raw_header(name, len(data), typeflag, **kw) + pad(data)
    return out


END = b"\0" * (2 * BLOCK)


def manifest_entry(b):
    return raw_entry(b"manifest.json", b.manifest_data())


# ---- cases ----------------------------------------------------------------
# Each takes a Bundle (attachments from --attach already added when the
# case keeps them) and returns the inner archive's bytes.

CASES = {}


def case(name, help):
    def reg(fn):
        CASES[name] = (fn, help)
        return fn
    return reg


def attach_default(b):
    b.add("attachments/poc.html", b"<img src=x onerror=alert(1)>\n")


@case("good", "a valid bundle (attachments from --attach, --reply-key)")
def c_good(b):
    return b.tar()


def escape_name(b, leaf):
    """A path outside the scratch area that must never be created."""
    return os.path.join(b.opts.escape or "/tmp", leaf)


@case("dotdot", "an entry '../NAME' (path traversal)")
def c_dotdot(b):
    attach_default(b)
    b.add("../airlock-escape-dotdot", b"escaped\n", listed=False)
    return b.tar()


@case("dotdot-inner", "an entry 'attachments/../../NAME'")
def c_dotdot_inner(b):
    attach_default(b)
    b.add("attachments/../../airlock-escape-inner", b"escaped\n",
          listed=False)
    return b.tar()


@case("dotdot-listed", "'attachments/../x' listed in the manifest too")
def c_dotdot_listed(b):
    b.add("attachments/../airlock-escape-listed", b"escaped\n")
    return b.tar()


@case("absolute", "an absolute entry name (under --escape)")
def c_absolute(b):
    attach_default(b)
    b.add(escape_name(b, "airlock-escape-abs"), b"escaped\n", listed=False)
    return b.tar()


@case("symlink", "attachments/link, a symlink to /etc/passwd")
def c_symlink(b):
    attach_default(b)
    b.add("attachments/link", None, type=tarfile.SYMTYPE,
          linkname="/etc/passwd", listed=False)
    b.list_file("attachments/link", b"")
    return b.tar()


@case("symlink-through", "a symlink to --escape, then a file written "
      "through it (attachments/d -> DIR, attachments/d/x)")
def c_symlink_through(b):
    b.add("attachments/d", None, type=tarfile.SYMTYPE,
          linkname=b.opts.escape or "/tmp", listed=False)
    b.list_file("attachments/d", b"")
    b.add("attachments/d/airlock-escape-link", b"escaped\n")
    return b.tar()


@case("hardlink", "attachments/hl, a hard link to manifest.json")
def c_hardlink(b):
    attach_default(b)
    b.add("attachments/hl", None, type=tarfile.LNKTYPE,
          linkname="manifest.json", listed=False)
    b.list_file("attachments/hl", b"")
    return b.tar()


@case("hardlink-data", "a hard link entry carrying data (listed with it)")
def c_hardlink_data(b):
    attach_default(b)
    b.add("attachments/hl", b"data in a hard link\n", type=tarfile.LNKTYPE,
          linkname="attachments/poc.html")
    return b.tar()


@case("chardev", "attachments/null, a character device 1,3")
def c_chardev(b):
    attach_default(b)
    ti = b.add("attachments/null", None, type=tarfile.CHRTYPE,
               listed=False)
    ti.devmajor, ti.devminor = 1, 3
    b.list_file("attachments/null", b"")
    return b.tar()


@case("fifo", "attachments/fifo, a FIFO")
def c_fifo(b):
    attach_default(b)
    b.add("attachments/fifo", None, type=tarfile.FIFOTYPE, listed=False)
    b.list_file("attachments/fifo", b"")
    return b.tar()


@case("directory", "a directory entry attachments/dir/")
def c_directory(b):
    attach_default(b)
    b.add("attachments/dir", None, type=tarfile.DIRTYPE, mode=0o755,
          listed=False)
    return b.tar()


@case("duplicate", "attachments/a.txt twice, same bytes")
def c_duplicate(b):
    b.add("attachments/a.txt", b"same\n")
    b.add("attachments/a.txt", b"same\n", listed=False)
    return b.tar()


@case("duplicate-other", "attachments/a.txt twice, the second other bytes")
def c_duplicate_other(b):
    b.add("attachments/a.txt", b"first\n")
    b.add("attachments/a.txt", b"second, overwriting\n", listed=False)
    return b.tar()


@case("case-twins", "attachments/A.txt and attachments/a.txt, both listed")
def c_case_twins(b):
    b.add("attachments/A.txt", b"upper\n")
    b.add("attachments/a.txt", b"lower\n")
    return b.tar()


@case("case-twins-archive", "attachments/README and attachments/readme in "
      "the archive, only the first listed")
def c_case_twins_archive(b):
    b.add("attachments/README", b"upper\n")
    b.add("attachments/readme", b"upper\n", listed=False)
    return b.tar()


@case("fold-twins", "attachments/Stra\u00dfe and attachments/STRASSE")
def c_fold_twins(b):
    b.add("attachments/STRASSE", b"one\n")
    b.add("attachments/Stra\u00dfe", b"two\n", listed=False)
    return b.tar()


@case("no-manifest", "no manifest.json at all")
def c_no_manifest(b):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        data = b"<img src=x>\n"
        ti = tar_info("attachments/poc.html", len(data))
        t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


@case("manifest-not-first", "manifest.json after an attachment")
def c_manifest_not_first(b):
    attach_default(b)
    return b.tar(manifest_first=False)


@case("manifest-twice", "a second manifest.json at the end")
def c_manifest_twice(b):
    attach_default(b)
    other = dict(b.manifest, title="The second manifest wins")
    data = json.dumps(other).encode()
    b.add("manifest.json", data, listed=False)
    return b.tar()


@case("manifest-symlink", "manifest.json is a symlink")
def c_manifest_symlink(b):
    ti = tar_info("manifest.json", 0, type=tarfile.SYMTYPE,
                  linkname="/etc/passwd")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        t.addfile(ti)
    return buf.getvalue()


@case("manifest-invalid-json", "manifest.json is not JSON")
def c_manifest_invalid(b):
    b.manifest_bytes = b'{"airlock": 1, "title": "unterminated'
    return b.tar()


@case("manifest-big", "manifest.json over 1 MiB (valid JSON)")
def c_manifest_big(b):
    b.manifest["additional"] = "A" * (1024 * 1024)
    return b.tar()


@case("manifest-no-title", "manifest.json without the required title")
def c_manifest_no_title(b):
    del b.manifest["title"]
    return b.tar()


@case("manifest-no-files", "manifest.json without the required files")
def c_manifest_no_files(b):
    del b.manifest["files"]
    return b.tar()


@case("manifest-version-2", "\"airlock\": 2")
def c_manifest_v2(b):
    b.manifest["airlock"] = 2
    return b.tar()


@case("manifest-bad-id", "\"id\" not a UUID")
def c_manifest_bad_id(b):
    b.manifest["id"] = "../../etc/passwd"
    return b.tar()


@case("manifest-uuid-v1", "\"id\" a version-1 UUID")
def c_manifest_uuid_v1(b):
    b.manifest["id"] = "c232ab00-9414-11ec-b3c8-9f6bdeced846"
    return b.tar()


@case("manifest-duplicate-key", "manifest.json with \"title\" twice")
def c_manifest_dup_key(b):
    text = json.dumps(b.manifest, indent=2)
    text = text.replace('"title": ',
                        '"title": "the first title",\n  "title": ', 1)
    b.manifest_bytes = text.encode()
    return b.tar()


@case("manifest-array", "manifest.json is a JSON array")
def c_manifest_array(b):
    b.manifest_bytes = json.dumps([b.manifest]).encode()
    return b.tar()


@case("title-escape", "a title holding ESC [2J, an OSC title and U+202E")
def c_title_escape(b):
    b.manifest["title"] = ("evil \x1b[2J\x1b]0;pwned\x07 title "
                           "\u202egnp.exe")
    return b.tar()


@case("reporter-escape", "a reporter name holding ESC [2J")
def c_reporter_escape(b):
    b.manifest["reporter"]["name"] = "Mallory \x1b[2J\x1b]0;pwned\x07"
    return b.tar()


@case("hash-mismatch", "attachments/poc.html listed with a wrong SHA-256")
def c_hash_mismatch(b):
    attach_default(b)
    b.manifest["files"][0]["sha256"] = hashlib.sha256(b"other").hexdigest()
    return b.tar()


@case("size-mismatch", "attachments/poc.html listed one byte larger")
def c_size_mismatch(b):
    attach_default(b)
    b.manifest["files"][0]["size"] += 1
    return b.tar()


@case("reply-key-mismatch", "keys/reply.asc listed with a wrong SHA-256")
def c_reply_mismatch(b):
    b.add("keys/reply.asc", b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n")
    b.manifest["files"][0]["sha256"] = "0" * 64
    return b.tar()


@case("unlisted", "attachments/extra.txt in the archive, not listed")
def c_unlisted(b):
    attach_default(b)
    b.add("attachments/extra.txt", b"not listed\n", listed=False)
    return b.tar()


@case("missing", "attachments/gone.txt listed, not in the archive")
def c_missing(b):
    attach_default(b)
    b.list_file("attachments/gone.txt", b"gone\n")
    return b.tar()


@case("outside-prefix", "an entry 'etc/passwd' (outside attachments/)")
def c_outside_prefix(b):
    attach_default(b)
    b.add("etc/passwd", b"root:x:0:0::/root:/bin/sh\n", listed=False)
    return b.tar()


@case("control-name", "an entry name holding a BEL and an ESC")
def c_control_name(b):
    attach_default(b)
    b.add("attachments/a\x07b\x1b[2J.txt", b"x\n", listed=False)
    return b.tar()


@case("backslash-name", "an entry 'attachments\\..\\..\\x'")
def c_backslash(b):
    attach_default(b)
    b.add("attachments\\..\\..\\airlock-escape-bs", b"x\n", listed=False)
    return b.tar()


@case("long-name", "an entry name of 300 bytes (pax path)")
def c_long_name(b):
    b.add("attachments/" + "n" * 288, b"x\n", listed=False)
    return b.tar(fmt="pax")


@case("too-many", "1001 entries, every attachment listed (1000)")
def c_too_many(b):
    for i in range(1000):
        b.add("attachments/f%04d" % i, b"")
    return b.tar()


@case("entries", "manifest.json and N attachments (--count N, listed)")
def c_entries(b):
    for i in range(b.opts.count):
        b.add("attachments/f%04d" % i, b"%d\n" % i)
    return b.tar()


@case("gzip", "the inner archive gzip-compressed (tar.gz)")
def c_gzip(b):
    attach_default(b)
    return gzip_bytes(b.tar())


def gzip_bytes(data):
    import gzip
    return gzip.compress(data, mtime=0)


@case("gnu-sparse", "a GNU sparse ('S') entry, hand-made header")
def c_gnu_sparse(b):
    real = b"hello" + b"\0" * (1 << 20)
    b.list_file("attachments/sparse.bin", real)
    extra = {
        386: octal(0, 12) + octal(5, 12),   # sp[0]: offset 0, 5 bytes
        482: b"\0",                         # no extension header
        483: octal(len(real), 12),          # real size
    }
    return (manifest_entry(b) +
            raw_entry(b"attachments/sparse.bin", b"hello", b"S", gnu=True,
                      extra=extra) + END)


@case("pax-sparse", "a pax GNU.sparse.map (0.1) entry")
def c_pax_sparse(b):
    real = b"hello" + b"\0" * (1 << 20)
    b.list_file("attachments/sparse.bin", real)
    pax = [(b"GNU.sparse.size", b"%d" % len(real)),
           (b"GNU.sparse.numblocks", b"1"),
           (b"GNU.sparse.map", b"0,5")]
    return (manifest_entry(b) +
            raw_entry(b"attachments/sparse.bin", b"hello", pax=pax) + END)


@case("global-pax", "a global pax header ('g') before the entries")
def c_global_pax(b):
    attach_default(b)
    return b.tar(fmt="pax", global_pax={"comment": "global header"})


@case("pax-nul-path", "a pax path 'attachments/a.txt NUL ../../x'")
def c_pax_nul(b):
    attach_default(b)
    b.list_file("attachments/a.txt", b"x\n")
    pax = [(b"path", b"attachments/a.txt\0../../airlock-escape-nul")]
    return (manifest_entry(b) +
            raw_entry(b"attachments/poc.html",
                      b"<img src=x onerror=alert(1)>\n") +
            raw_entry(b"attachments/a.txt", b"x\n", pax=pax) + END)


@case("pax-linkpath", "a regular file whose pax header holds a linkpath")
def c_pax_linkpath(b):
    attach_default(b)
    b.list_file("attachments/a.txt", b"x\n")
    return (manifest_entry(b) +
            raw_entry(b"attachments/poc.html",
                      b"<img src=x onerror=alert(1)>\n") +
            raw_entry(b"attachments/a.txt", b"x\n",
                      pax=[(b"linkpath", b"/etc/passwd")]) + END)


@case("gnu-longname", "a 120-byte name written as a GNU 'L' long name")
def c_gnu_longname(b):
    b.add("attachments/" + "l" * 120, b"long\n")
    return b.tar(fmt="gnu")


@case("appended", "a second tar archive appended after the first's end")
def c_appended(b):
    attach_default(b)
    first = b.tar()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        data = b"smuggled\n"
        t.addfile(tar_info("attachments/smuggled.txt", len(data)),
                  io.BytesIO(data))
    return first + buf.getvalue()


@case("trailing-junk", "non-zero bytes after the end-of-archive marker")
def c_trailing_junk(b):
    attach_default(b)
    return b.tar() + b"junk" * 128


@case("lying-size", "an entry whose header says 100000 bytes, 100 given")
def c_lying_size(b):
    b.list_file("attachments/big.bin", b"A" * 100000)
    hdr = raw_header(b"attachments/big.bin", 100000)
    return manifest_entry(b) + hdr + pad(b"A" * 100) + END


@case("bad-checksum", "an attachment header with a wrong checksum")
def c_bad_checksum(b):
    attach_default(b)
    data = bytearray(b.tar(fmt="ustar"))
    mlen = len(pad(b.manifest_data()))
    off = BLOCK + mlen  # the attachment's header
    assert data[off:off + 12].startswith(b"attachments/")
    data[off + 100:off + 107] = b"0000755"  # mode, checksum left as it was
    return bytes(data)


@case("non-utf8-name", "an entry name with byte 0xff (ustar, raw)")
def c_non_utf8(b):
    attach_default(b)
    b.add("attachments/\udcff.txt", b"x\n", listed=False)
    return b.tar(fmt="ustar")


@case("non-utf8-pax", "a pax path with byte 0xff (hdrcharset=BINARY)")
def c_non_utf8_pax(b):
    attach_default(b)
    b.add("attachments/\udcff.txt", b"x\n", listed=False)
    return b.tar(fmt="pax")


@case("nfd-twins", "attachments/caf\u00e9.txt twice: composed (listed) "
      "and decomposed")
def c_nfd_twins(b):
    b.add("attachments/caf\u00e9.txt", b"composed\n")
    b.add("attachments/cafe\u0301.txt", b"decomposed\n", listed=False)
    return b.tar()


@case("empty-tar", "an archive with no entries (1024 zero bytes)")
def c_empty_tar(b):
    return END


@case("not-tar", "the plain text is not a tar archive")
def c_not_tar(b):
    return b"This is not a tar archive, only text.\n" * 40


# ---- outer layer ----------------------------------------------------------
# Cases that need no inner archive of their own, or change the OpenPGP
# message gpg made (post), or make it by hand (handmade).

OUTER = {}


def outer(name, help):
    def reg(fn):
        OUTER[name] = (fn, help)
        return fn
    return reg


@outer("random", "4 KiB of pseudo-random bytes (fixed seed), not OpenPGP")
def o_random(opts, tar):
    import random
    return random.Random(4096).randbytes(4096)


@outer("text", "a text file, not OpenPGP")
def o_text(opts, tar):
    return b"Dear maintainers,\nplease find my report attached.\n" * 10


@outer("empty", "an empty file")
def o_empty(opts, tar):
    return b""


@outer("armor-garbage", "an armor header around base64 of random bytes")
def o_armor_garbage(opts, tar):
    import random
    return armor(random.Random(600).randbytes(600))


@outer("symmetric", "gpg --symmetric (a passphrase, no public key)")
def o_symmetric(opts, tar):
    return gpg(opts, ["--symmetric", "--passphrase", "secret",
                      "--pinentry-mode", "loopback"], tar, recipients=False,
               signers=False)


@outer("signed-only", "gpg --sign, not encrypted")
def o_signed_only(opts, tar):
    return gpg(opts, ["--sign"], tar, recipients=False)


@outer("clearsigned", "gpg --clearsign of the tar bytes, not encrypted")
def o_clearsigned(opts, tar):
    return gpg(opts, ["--clearsign"], b"not a tar\n", recipients=False)


@outer("no-mdc", "encrypted without integrity protection (gpg --rfc2440: "
       "a tag 9 packet)")
def o_no_mdc(opts, tar):
    return gpg(opts, ["--rfc2440", "--encrypt"], tar)


@outer("truncated", "a valid bundle cut in half")
def o_truncated(opts, tar):
    data = encrypt(opts, tar)
    return data[:len(data) // 2]


@outer("truncated-tail", "a valid bundle missing its last 30 bytes")
def o_truncated_tail(opts, tar):
    data = encrypt(opts, tar)
    return data[:-30]


@outer("bitflip", "a valid binary bundle with one bit flipped in the middle")
def o_bitflip(opts, tar):
    data = bytearray(encrypt(opts, tar))
    data[len(data) // 2 + 7] ^= 0x10
    return bytes(data)


@outer("wrapped", "a valid bundle encrypted again (a message in a message)")
def o_wrapped(opts, tar):
    return encrypt(opts, encrypt(opts, tar))


@outer("bad-signature", "hand-made SEIPD: a signed message whose signed "
       "data was changed after signing (needs --sign, and the recipient's "
       "secret key here for the session key)")
def o_bad_signature(opts, tar):
    marker = b"SIGNED-AND-THEN-CHANGED"
    assert marker in tar, "bad-signature needs --extra " + marker.decode()
    signed = gpg(opts, ["--sign", "-z", "0"], tar, recipients=False,
                 armored=False)
    assert signed.count(marker) == 1
    tampered = signed.replace(marker, marker.lower())
    return handmade_seipd(opts, tampered)


@outer("handmade-signed", "hand-made SEIPD around gpg --sign -z 0 output, "
       "untouched (the control case for bad-signature)")
def o_handmade_signed(opts, tar):
    signed = gpg(opts, ["--sign", "-z", "0"], tar, recipients=False,
                 armored=False)
    return handmade_seipd(opts, signed)


@outer("two-plaintexts", "hand-made SEIPD holding two literal data packets "
       "(the tar, then another tar)")
def o_two_plaintexts(opts, tar):
    other = io.BytesIO()
    with tarfile.open(fileobj=other, mode="w") as t:
        d = b"second plain text\n"
        t.addfile(tar_info("attachments/second.txt", len(d)), io.BytesIO(d))
    return handmade_seipd(opts, literal(tar) + literal(other.getvalue()))


@outer("handmade", "hand-made SEIPD around one literal packet (a control "
       "case: must import like good)")
def o_handmade(opts, tar):
    return handmade_seipd(opts, literal(tar))


# ---- OpenPGP helpers ------------------------------------------------------

def gpg(opts, args, data, recipients=True, signers=True, armored=None):
    cmd = ["gpg", "--batch", "--yes", "--no-auto-key-retrieve",
           "--trust-model", "always", "--output", "-"]
    if armored if armored is not None else opts.armor:
        cmd.append("--armor")
    if recipients:
        for r in opts.to:
            cmd += ["--recipient", r]
    if signers:
        for s in opts.sign:
            cmd += ["--local-user", s]
    if opts.z is not None:
        cmd += ["-z", str(opts.z)]
    if opts.compress_algo:
        cmd += ["--compress-algo", opts.compress_algo]
    cmd += opts.gpg_option + args
    p = subprocess.run(cmd, input=data, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if p.returncode != 0:
        sys.stderr.write(p.stderr.decode(errors="replace"))
        raise SystemExit("mkbundle: gpg failed: %s" % " ".join(cmd))
    return p.stdout


def encrypt(opts, tar):
    """gpg --encrypt [--sign]: the ordinary way to make a bundle."""
    return gpg(opts, (["--sign"] if opts.sign else []) + ["--encrypt"], tar)


def crc24(data):
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def armor(data):
    b64 = base64.b64encode(data).decode()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    crc = base64.b64encode(crc24(data).to_bytes(3, "big")).decode()
    return ("-----BEGIN PGP MESSAGE-----\n\n" + "\n".join(lines) +
            "\n=" + crc + "\n-----END PGP MESSAGE-----\n").encode()


def packet(tag, body):
    """A new-format packet with a definite length."""
    n = len(body)
    if n < 192:
        hdr = bytes([n])
    elif n < 8384:
        n -= 192
        hdr = bytes([(n >> 8) + 192, n & 0xFF])
    else:
        hdr = b"\xff" + n.to_bytes(4, "big")
    return bytes([0xC0 | tag]) + hdr + body


def literal(data, name=b""):
    return packet(11, b"b" + bytes([len(name)]) + name +
                  MTIME.to_bytes(4, "big") + data)


def session_key_packets(opts):
    """Encrypt a dummy message to the recipients with gpg, then decrypt it
    (the recipient's secret key must be here) to learn its session key:
    returns (the PKESK packets' bytes, cipher algorithm, key)."""
    msg = gpg(opts, ["--encrypt"], b"dummy", signers=False, armored=False)
    p = subprocess.run(["gpg", "--batch", "--status-fd", "2",
                        "--show-session-key", "--output", "/dev/null",
                        "--decrypt"], input=msg, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    m = re.search(rb"\[GNUPG:\] SESSION_KEY (\d+):([0-9A-Fa-f]+)", p.stderr)
    if not m:
        sys.stderr.write(p.stderr.decode(errors="replace"))
        raise SystemExit("mkbundle: no session key (is the recipient's "
                         "secret key in GNUPGHOME?)")
    algo, key = int(m.group(1)), bytes.fromhex(m.group(2).decode())
    off = 0
    while off < len(msg):  # keep every packet before the encrypted data
        ctb = msg[off]
        if ctb & 0x40:
            tag, ln = ctb & 0x3F, msg[off + 1]
            if ln < 192:
                hlen, blen = 2, ln
            elif ln < 224:
                hlen, blen = 3, ((ln - 192) << 8) + msg[off + 2] + 192
            elif ln == 255:
                hlen, blen = 6, int.from_bytes(msg[off + 2:off + 6], "big")
            else:
                hlen, blen = 0, 0  # partial length: only the data packet
        else:
            tag, lt = (ctb >> 2) & 0xF, ctb & 3
            hlen = {0: 2, 1: 3, 2: 5}.get(lt, 1)
            blen = int.from_bytes(msg[off + 1:off + hlen], "big")
        if tag in (18, 20, 9):
            return msg[:off], algo, key
        off += hlen + blen
    raise SystemExit("mkbundle: no encrypted data packet in gpg's message")


def cfb_encrypt(algo, key, data):
    """AES-CFB (full block, IV zero) as OpenPGP's SEIPD uses it: libgcrypt
    through ctypes (a dependency of the project), else the cryptography
    module."""
    if algo not in (7, 8, 9):
        raise SystemExit("mkbundle: session key algorithm %d is not AES" %
                         algo)
    lib = None
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("gcrypt") or
                          "libgcrypt.so.20")
    except OSError:
        pass
    if lib is not None:
        lib.gcry_check_version.restype = ctypes.c_char_p
        lib.gcry_check_version.argtypes = [ctypes.c_char_p]
        lib.gcry_check_version(None)
        h = ctypes.c_void_p()
        # OpenPGP's AES ids 7, 8, 9 are libgcrypt's too; mode 2 is CFB.
        if lib.gcry_cipher_open(ctypes.byref(h), algo, 2, 0) != 0:
            raise SystemExit("mkbundle: gcry_cipher_open failed")
        lib.gcry_cipher_setkey(h, key, ctypes.c_size_t(len(key)))
        lib.gcry_cipher_setiv(h, b"\0" * 16, ctypes.c_size_t(16))
        buf = ctypes.create_string_buffer(data, len(data))
        lib.gcry_cipher_encrypt(h, buf, ctypes.c_size_t(len(data)), None,
                                ctypes.c_size_t(0))
        lib.gcry_cipher_close(h)
        return buf.raw
    from cryptography.hazmat.primitives.ciphers import (Cipher, algorithms,
                                                        modes)
    e = Cipher(algorithms.AES(key), modes.CFB(b"\0" * 16)).encryptor()
    return e.update(data) + e.finalize()


def handmade_seipd(opts, packets):
    """PKESKs from a message gpg made, then a SEIPD (v1) built here around
    the given plain-text packets, with a correct MDC."""
    pkesk, algo, key = session_key_packets(opts)
    prefix = os.urandom(16)
    prefix += prefix[-2:]
    plain = prefix + packets + b"\xd3\x14"
    plain += hashlib.sha1(plain).digest()
    msg = pkesk + packet(18, b"\x01" + cfb_encrypt(algo, key, plain))
    return armor(msg) if opts.armor else msg


# ---- main -----------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Make an Airlock bundle with Python tarfile and gpg.")
    p.add_argument("case", nargs="?", help="case name (see --list)")
    p.add_argument("out", nargs="?", help="output file, - for stdout")
    p.add_argument("--list", action="store_true", help="list the cases")
    p.add_argument("--to", action="append", default=[],
                   help="recipient fingerprint (repeatable)")
    p.add_argument("--sign", action="append", default=[],
                   help="signer fingerprint (repeatable: several signatures)")
    p.add_argument("--armor", action="store_true")
    p.add_argument("-z", type=int, default=None,
                   help="gpg compression level (0: no compressed packet)")
    p.add_argument("--compress-algo", default=None,
                   help="gpg --compress-algo (zip, zlib, bzip2)")
    p.add_argument("--gpg-option", action="append", default=[],
                   help="one more gpg option (repeatable)")
    p.add_argument("--format", choices=sorted(FORMATS), default="pax",
                   help="tar format for tarfile (default pax)")
    p.add_argument("--id", help="report id (default: a random UUID v4)")
    p.add_argument("--title", default="Stored XSS in conversation notes")
    p.add_argument("--project", default="chatwoot")
    p.add_argument("--reporter", default="Jane Doe")
    p.add_argument("--description",
                   default="Notes are rendered without escaping.")
    p.add_argument("--extra", help="the manifest's 'additional' text")
    p.add_argument("--steps", help="the manifest's 'steps' text")
    p.add_argument("--set", action="append", default=[],
                   metavar="KEY=JSON",
                   help="set a manifest field (a dotted path such as "
                        "reporter.contact; an object is merged into the "
                        "one there) to a JSON value, after the others "
                        "(repeatable): affected, class, cwe, steps, ...")
    p.add_argument("--unset", action="append", default=[], metavar="KEY",
                   help="remove a manifest field (a dotted path; "
                        "repeatable)")
    p.add_argument("--attach", action="append", default=[],
                   metavar="NAME=TEXT|NAME=@FILE",
                   help="an attachment attachments/NAME (repeatable)")
    p.add_argument("--reply-key", metavar="FILE",
                   help="an armored public key for keys/reply.asc")
    p.add_argument("--count", type=int, default=4,
                   help="attachments for the 'entries' case")
    p.add_argument("--escape", metavar="DIR",
                   help="where absolute and symlink cases point")
    p.add_argument("--outer", metavar="CASE",
                   help="an outer-layer case applied to the inner archive")
    p.add_argument("--zero-attachment", metavar="NAME=BYTES",
                   help="a zero-filled attachment of BYTES bytes, streamed "
                        "to gpg (compression bombs); good case only")
    p.add_argument("--tar-out", metavar="FILE",
                   help="also write the inner archive there")
    p.add_argument("--from-tar", metavar="FILE",
                   help="encrypt this inner archive instead of making one")
    o = p.parse_args(argv)
    if o.list:
        return o
    if not o.case or not o.out:
        p.error("CASE and OUT are required")
    if o.case not in CASES and o.case not in OUTER:
        p.error("unknown case %r (see --list)" % o.case)
    return o


def build_inner(opts, case_name):
    b = Bundle(opts)
    for spec in opts.attach:
        name, _, text = spec.partition("=")
        if text.startswith("@"):
            with open(text[1:], "rb") as f:
                data = f.read()
        else:
            data = text.encode()
        b.add("attachments/" + name, data)
    if opts.reply_key:
        with open(opts.reply_key, "rb") as f:
            b.add("keys/reply.asc", f.read())
    # Spec order: manifest.json, then the others in byte order of name
    # (hostile cases keep the order they chose).
    if case_name == "good":
        b.entries.sort(key=lambda e: e[0].name.encode())
        b.manifest["files"].sort(key=lambda f: f["path"].encode())
    fn = CASES[case_name][0]
    return fn(b)


def zero_bomb(opts, out):
    """A good bundle with a large zero-filled attachment, the tar streamed
    into gpg (never held in memory or written to disk)."""
    name, _, size = opts.zero_attachment.partition("=")
    size = int(size)
    h = hashlib.sha256()
    chunk = b"\0" * (1 << 20)
    left = size
    while left:
        n = min(left, len(chunk))
        h.update(chunk[:n])
        left -= n
    b = Bundle(opts)
    b.list_file("attachments/" + name, b"", size=size, sha256=h.hexdigest())
    man = b.manifest_data()
    cmd = ["gpg", "--batch", "--yes", "--no-auto-key-retrieve",
           "--trust-model", "always", "--output", out]
    for r in opts.to:
        cmd += ["--recipient", r]
    if opts.z is not None:
        cmd += ["-z", str(opts.z)]
    if opts.compress_algo:
        cmd += ["--compress-algo", opts.compress_algo]
    cmd += ["--encrypt"]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    with tarfile.open(fileobj=p.stdin, mode="w|", format=tarfile.PAX_FORMAT) \
            as t:
        t.addfile(tar_info("manifest.json", len(man)), io.BytesIO(man))
        t.addfile(tar_info("attachments/" + name, size), ZeroReader(size))
    p.stdin.close()
    if p.wait() != 0:
        raise SystemExit("mkbundle: gpg failed")


def batch(argv):
    """--batch [ARG...]: one bundle a line of standard input, each line the
    arguments of one call (shell quoting), the given ARGs appended; saves a
    Python start-up a bundle.  Stops at the first failure."""
    import shlex
    for line in sys.stdin:
        if line.strip() and not line.lstrip().startswith("#"):
            main(shlex.split(line) + argv)
    return 0


class ZeroReader:
    def __init__(self, n):
        self.n = n

    def read(self, k=-1):
        k = self.n if k < 0 else min(k, self.n)
        self.n -= k
        return b"\0" * k


def main(argv):
    if argv[:1] == ["--batch"]:
        return batch(argv[1:])
    opts = parse_args(argv)
    if opts.list:
        for name, (_, help) in list(CASES.items()) + list(OUTER.items()):
            print("%-22s %s" % (name, help))
        return 0
    if opts.zero_attachment:
        zero_bomb(opts, opts.out)
        return 0
    if opts.from_tar:
        with open(opts.from_tar, "rb") as f:
            tar = f.read()
    else:
        tar = build_inner(opts, opts.case if opts.case in CASES else "good")
    if opts.tar_out:
        with open(opts.tar_out, "wb") as f:
            f.write(tar)
    outer_case = opts.outer or (opts.case if opts.case in OUTER else None)
    if outer_case:
        data = OUTER[outer_case][0](opts, tar)
    else:
        if not opts.to:
            raise SystemExit("mkbundle: --to FPR is required")
        data = encrypt(opts, tar)
    if opts.out == "-":
        sys.stdout.buffer.write(data)
    else:
        with open(opts.out, "wb") as f:
            f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
