#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Make the inner-archive fixtures for tests/unit/test_bundle.c.

    python3 tests/data/tar/make.py [OUTDIR]

Writes good-*.tar (archives the reader must accept) and bad-*.tar (one
refusal each) into OUTDIR (this folder by default).  Python's tarfile makes
whatever it can; the rest is written by hand: headers patched and their
checksums recomputed.  The output is deterministic, and kept in git; run
this again only to change the fixtures.

Each archive starts with a valid manifest.json listing the benign entries
with their sizes and SHA-256, so that the one thing wrong with a bad-*
fixture is the thing its name says.  Archives end right after the two zero
records (tarfile's padding to 10240 bytes is cut) to keep them small,
except good-padded.tar, which keeps it.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

MTIME = 1763805600  # 2025-11-22T10:00:00Z
BLOCK = 512
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else HERE

POC = b"<script>alert(1)</script>\n"
KEY = (b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n"
       b"mDMEZQAAABYJKwYBBAHaRw8BAQdA\n"
       b"-----END PGP PUBLIC KEY BLOCK-----\n")


def manifest(files):
    """manifest.json bytes listing files, a list of (path, data)."""
    m = {
        "airlock": 1,
        "id": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "created": "2025-11-22T10:00:00Z",
        "project": "chatwoot",
        "title": "Stored XSS in conversation notes",
        "class": "xss",
        "affected": [{"package": {"ecosystem": "npm", "name": "chatwoot"},
                      "versions": ["4.1.0"]}],
        "description": "Notes are rendered without escaping.",
        "steps": "1. Add a note\n2. View it",
        "files": [{"path": p, "size": len(d),
                   "sha256": hashlib.sha256(d).hexdigest()} for p, d in files],
    }
    return json.dumps(m, ensure_ascii=False, sort_keys=True).encode()


def info(name, size=0, type=tarfile.REGTYPE, **kw):
    t = tarfile.TarInfo(name)
    t.size = size
    t.type = type
    t.mode = 0o644
    t.mtime = MTIME
    t.uid = t.gid = 0
    t.uname = t.gname = ""
    for k, v in kw.items():
        setattr(t, k, v)
    return t


def tar(members, format=tarfile.PAX_FORMAT, pad=False, **kw):
    """A tar of members: (TarInfo, data or None).  Cut after the end
    records unless pad."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=format,
                      encoding="utf-8", **kw) as t:
        for ti, data in members:
            t.addfile(ti, io.BytesIO(data) if data is not None else None)
        end = t.offset
    out = buf.getvalue()
    return out if pad else out[:end] + bytes(2 * BLOCK)


def reg(name, data):
    return (info(name, len(data)), data)


def with_manifest(listed, *others, **kw):
    """manifest.json (listing the (path, data) pairs of listed), those
    files, then the other members."""
    members = [reg("manifest.json", manifest(listed))]
    members += [reg(p, d) for p, d in listed]
    members += list(others)
    return tar(members, **kw)


def checksum(h):
    """Recompute a header's checksum in place (bytearray of 512)."""
    h[148:156] = b" " * 8
    h[148:156] = b"%06o\0 " % sum(h)


def header(name, size, type=b"0", magic=b"ustar\x0000", linkname=b"",
           prefix=b""):
    """A ustar (or GNU, by magic) header, by hand."""
    h = bytearray(BLOCK)
    h[0:len(name)] = name
    h[100:108] = b"000644 \0"
    h[108:116] = b"000000 \0"
    h[116:124] = b"000000 \0"
    h[124:136] = b"%011o " % size
    h[136:148] = b"%011o " % MTIME
    h[156:157] = type
    h[157:157 + len(linkname)] = linkname
    h[257:265] = magic
    h[345:345 + len(prefix)] = prefix
    checksum(h)
    return h


def member(h, data=b""):
    """A header and its data, padded to whole records."""
    pad = (-len(data)) % BLOCK
    return bytes(h) + data + bytes(pad)


def pax(records, name=b"PaxHeader/x"):
    """A local pax header ('x') holding records, a list of (key, value)
    bytes pairs."""
    body = b""
    for k, v in records:
        rec = b" " + k + b"=" + v + b"\n"
        n = len(rec) + 1
        while len(str(n).encode()) + len(rec) != n:
            n += 1
        body += str(n).encode() + rec
    return member(header(name, len(body), type=b"x"), body)


def start(listed):
    """manifest.json (listing listed) and the listed files, by hand."""
    m = manifest(list(listed))
    out = member(header(b"manifest.json", len(m)), m)
    for p, d in listed:
        out += member(header(p.encode(), len(d)), d)
    return out


def by_hand(*members, listed=()):
    """start(listed), hand-made members, then the end records."""
    return start(listed) + b"".join(members) + bytes(2 * BLOCK)


def next_header(archive, off):
    """The offset of the header after the one at off (octal sizes)."""
    size = int(archive[off + 124:off + 136].strip(b" \0") or b"0", 8)
    return off + BLOCK + (size + BLOCK - 1) // BLOCK * BLOCK


def fixtures():
    f = {}
    poc = ("attachments/poc.html", POC)
    # ---- good ----
    f["good-ustar.tar"] = with_manifest(
        [poc, ("keys/reply.asc", KEY)], format=tarfile.USTAR_FORMAT)
    long = "attachments/" + "l" * 120 + ".txt"
    f["good-pax.tar"] = with_manifest(
        [("attachments/r\u00e9sum\u00e9 \u2713.txt", b"caf\xc3\xa9\n"),
         (long, b"long name\n"), ("attachments/empty", b""), poc])
    f["good-gnu.tar"] = with_manifest(
        [poc, ("attachments/\u00fcn\u00efc\u00f6d\u00e9.txt", b"gnu\n")],
        format=tarfile.GNU_FORMAT)
    f["good-padded.tar"] = with_manifest([poc], format=tarfile.USTAR_FORMAT,
                                         pad=True)
    f["good-no-files.tar"] = with_manifest([], format=tarfile.USTAR_FORMAT)
    h = header(b"attachments/poc.html", 0, magic=b"ustar  \0")
    h[124:136] = b"\x80" + len(POC).to_bytes(11, "big")
    checksum(h)
    m = manifest([poc])
    f["good-base256.tar"] = (member(header(b"manifest.json", len(m)), m) +
                             member(h, POC) + bytes(2 * BLOCK))

    # ---- entry types tarfile can write ----
    f["bad-symlink.tar"] = with_manifest(
        [poc], (info("attachments/link", type=tarfile.SYMTYPE,
                     linkname="/etc/passwd"), None))
    f["bad-hardlink.tar"] = with_manifest(
        [poc], (info("attachments/hard", type=tarfile.LNKTYPE,
                     linkname="attachments/poc.html"), None))
    f["bad-chardev.tar"] = with_manifest(
        [poc], (info("attachments/null", type=tarfile.CHRTYPE,
                     devmajor=1, devminor=3), None))
    f["bad-blockdev.tar"] = with_manifest(
        [poc], (info("attachments/sda", type=tarfile.BLKTYPE,
                     devmajor=8, devminor=0), None))
    f["bad-fifo.tar"] = with_manifest(
        [poc], (info("attachments/fifo", type=tarfile.FIFOTYPE), None))
    f["bad-dir.tar"] = with_manifest(
        [poc], (info("attachments/dir", type=tarfile.DIRTYPE), None))
    f["bad-global-pax.tar"] = with_manifest(
        [poc], pax_headers={"comment": "global"})
    f["bad-gnu-longname.tar"] = with_manifest(
        [poc], reg("attachments/" + "n" * 120, b"x"),
        format=tarfile.GNU_FORMAT)
    f["bad-pax-sparse-0x.tar"] = with_manifest(
        [poc], (info("attachments/sparse", 4, pax_headers={
            "GNU.sparse.numblocks": "1", "GNU.sparse.offset": "0",
            "GNU.sparse.numbytes": "4", "GNU.sparse.size": "8192"}),
            b"data"))
    f["bad-pax-sparse-10.tar"] = with_manifest(
        [poc], (info("attachments/GNUSparseFile.0/s", 512, pax_headers={
            "GNU.sparse.major": "1", "GNU.sparse.minor": "0",
            "GNU.sparse.name": "attachments/s",
            "GNU.sparse.realsize": "8192"}),
            b"1\n0\n4\n".ljust(512, b"\0")))
    # names tarfile writes as given
    for fx, name in [("bad-dotdot.tar", "../x"),
                     ("bad-dotdot-inner.tar", "attachments/../../x"),
                     ("bad-absolute.tar", "/etc/passwd"),
                     ("bad-control.tar", "attachments/a\x07b"),
                     ("bad-backslash.tar", "attachments\\..\\x")]:
        f[fx] = with_manifest([poc], reg(name, b"x"))
    f["bad-pax-non-utf8.tar"] = by_hand(
        pax([(b"path", b"attachments/\xff\xfe.txt")]),
        member(header(b"attachments/x.txt", 1), b"x"), listed=[poc])

    # ---- types and tricks by hand ----
    f["bad-hardlink-data.tar"] = by_hand(
        pax([(b"path", b"attachments/hard")]),
        member(header(b"attachments/hard", 5, type=b"1",
                      linkname=b"attachments/poc.html"), b"data\n"),
        listed=[poc])
    for t, fx in [(b"7", "bad-contiguous.tar"), (b"K", "bad-gnu-longlink.tar"),
                  (b"V", "bad-gnu-volume.tar"),
                  (b"M", "bad-gnu-multivolume.tar"),
                  (b"Z", "bad-unknown-type.tar")]:
        f[fx] = by_hand(member(header(b"attachments/t", 1, type=t), b"x"),
                        listed=[poc])
    gs = header(b"attachments/sparse", 4, type=b"S", magic=b"ustar  \0")
    gs[386:398] = b"%011o " % 0        # sparse[0].offset
    gs[398:410] = b"%011o " % 4        # sparse[0].numbytes
    gs[483:495] = b"%011o " % 8192     # realsize
    checksum(gs)
    f["bad-gnu-sparse.tar"] = by_hand(member(gs, b"data"), listed=[poc])
    g0 = header(b"attachments/sparse", 4, magic=b"ustar  \0")
    g0[386:398] = b"%011o " % 4096
    g0[398:410] = b"%011o " % 4
    checksum(g0)
    f["bad-gnu-sparse-fields.tar"] = by_hand(member(g0, b"data"),
                                             listed=[poc])
    f["bad-pax-nul-path.tar"] = by_hand(
        pax([(b"path", b"attachments/ok\0../../x")]),
        member(header(b"attachments/ok", 1), b"x"), listed=[poc])
    f["bad-pax-nul-record.tar"] = by_hand(
        pax([(b"comment", b"a\0b"), (b"path", b"attachments/ok")]),
        member(header(b"attachments/ok", 1), b"x"), listed=[poc])
    f["bad-pax-linkpath.tar"] = by_hand(
        pax([(b"linkpath", b"attachments/poc.html")]),
        member(header(b"attachments/x", 1), b"x"), listed=[poc])
    f["bad-pax-twice.tar"] = by_hand(
        pax([(b"path", b"attachments/x")]), pax([(b"path", b"attachments/y")]),
        member(header(b"attachments/x", 1), b"x"), listed=[poc])
    f["bad-pax-at-end.tar"] = by_hand(pax([(b"path", b"attachments/x")]),
                                      listed=[poc])
    f["bad-pax-malformed.tar"] = by_hand(
        member(header(b"PaxHeader/x", 12, type=b"x"), b"99 path=x\n\n\n"),
        member(header(b"attachments/x", 1), b"x"), listed=[poc])
    v7 = header(b"attachments/v7", 1, magic=bytes(8))
    f["bad-v7.tar"] = by_hand(member(v7, b"x"), listed=[poc])
    f["bad-non-utf8.tar"] = by_hand(
        member(header(b"attachments/\xff\xfe.txt", 1), b"x"), listed=[poc])
    f["bad-pax-sparse-key-only.tar"] = by_hand(
        pax([(b"SCHILY.realsize", b"100")]),
        member(header(b"attachments/x", 1), b"x"), listed=[poc])

    x = member(header(b"attachments/x", 1), b"x")
    f["bad-pax-size-word.tar"] = by_hand(pax([(b"size", b"1k")]), x,
                                         listed=[poc])
    f["bad-pax-size-twice.tar"] = by_hand(
        pax([(b"size", b"1"), (b"size", b"1")]), x, listed=[poc])
    f["bad-pax-path-twice.tar"] = by_hand(
        pax([(b"path", b"attachments/x"), (b"path", b"attachments/y")]), x,
        listed=[poc])
    f["bad-pax-empty-path.tar"] = by_hand(pax([(b"path", b"")]), x,
                                          listed=[poc])
    f["bad-pax-nul-key.tar"] = by_hand(pax([(b"pa\0th", b"attachments/x")]),
                                       x, listed=[poc])
    h = header(b"attachments/x", 1)
    h[124:136] = b"00000000x01 "
    checksum(h)
    f["bad-size-field.tar"] = by_hand(member(h, b"x"), listed=[poc])
    h = header(b"attachments/x", 1, magic=b"ustar  \0")
    h[124:136] = b"\xff" * 12  # base-256, negative
    checksum(h)
    f["bad-size-negative.tar"] = by_hand(member(h, b"x"), listed=[poc])
    f["bad-linkname.tar"] = by_hand(
        member(header(b"attachments/x", 1, linkname=b"/etc/shadow"), b"x"),
        listed=[poc])
    # libarchive joins prefix and name without doubling a '/'
    f["bad-prefix-slash.tar"] = by_hand(
        member(header(b"x", 1, prefix=b"attachments/"), b"x"),
        listed=[("attachments/x", b"x")])
    f["bad-truncated-pax.tar"] = (start([poc]) +
                                  pax([(b"path", b"attachments/x")])[:600])
    f["bad-truncated-padding.tar"] = start([poc])[:-100]

    # Found by fuzzing: a first header the walk takes but libarchive's
    # format check does not (a digit after the NUL that ends the mode
    # field), then a header with a bad checksum.  libarchive's refusal
    # comes first in the stream and must be the one reported.
    m = manifest([])
    h = header(b"manifest.json", len(m))
    h[100:108] = b"00006\0" b"00"
    checksum(h)
    bad = bytearray(header(b"attachments/x", 1))
    bad[148:156] = b"000000\0 "
    f["bad-fuzz-bid.tar"] = member(h, m) + member(bad, b"x")

    # ---- the stream around the entries ----
    good = f["good-ustar.tar"]
    f["bad-appended.tar"] = good + good
    f["bad-garbage.tar"] = good + b"garbage\n"
    hidden = reg("attachments/hidden", b"not seen by a lenient reader")
    one = with_manifest([poc], format=tarfile.USTAR_FORMAT)[:-2 * BLOCK]
    f["bad-lone-zero.tar"] = (one + bytes(BLOCK) +
                              tar([hidden], format=tarfile.USTAR_FORMAT))
    f["bad-truncated.tar"] = with_manifest(
        [("attachments/big", b"B" * 1000)],
        format=tarfile.USTAR_FORMAT)[:-3 * BLOCK]  # the marker, and data
    bad = bytearray(good)
    bad[next_header(good, 0) + 10] ^= 1  # the second header's name
    f["bad-checksum.tar"] = bytes(bad)
    f["bad-one-zero-record.tar"] = good[:-BLOCK]
    f["bad-gzip.tar.gz"] = gzip.compress(good, mtime=0)
    return f


def main():
    for name, data in sorted(fixtures().items()):
        with open(os.path.join(OUT, name), "wb") as fh:
            fh.write(data)


if __name__ == "__main__":
    main()
