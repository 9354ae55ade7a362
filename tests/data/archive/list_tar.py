# SPDX-License-Identifier: Apache-2.0
# An independent reader for test_archive: list a tar file with Python's
# tarfile module, one line per member:
#   name|size|mode|uid|gid|uname|gname|mtime|type|sha256|pax keys
# Names are printed as their raw bytes (pax 'path' decoded as UTF-8 and
# encoded back), so non-ASCII names compare byte for byte.
import hashlib
import sys
import tarfile

out = sys.stdout.buffer
with tarfile.open(sys.argv[1], "r:") as t:
    for m in t.getmembers():
        data = t.extractfile(m).read() if m.isreg() else b""
        keys = ",".join(sorted(m.pax_headers))
        fields = [
            m.name.encode("utf-8", "surrogateescape"),
            b"%d" % m.size,
            b"%o" % m.mode,
            b"%d" % m.uid,
            b"%d" % m.gid,
            m.uname.encode(),
            m.gname.encode(),
            b"%d" % int(m.mtime),
            m.type,
            hashlib.sha256(data).hexdigest().encode(),
            keys.encode(),
        ]
        out.write(b"|".join(fields) + b"\n")
