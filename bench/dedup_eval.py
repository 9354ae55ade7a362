#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The duplicate-detection benchmark (bench/dedup runs this; see
docs/dedup.md): reports from the evaluation set, sealed, imported into a
fresh vault, checked with `airlock-vault dups --json --all`, and scored
against the set's labels.  Python 3, standard library only.

Only the texts (summary_redacted, details_redacted), the weakness class,
the CWE, the package and the affected versions of a record reach its
report.  Its identifiers (id, aliases), the pair-level fields (label,
shared_ids, cluster_id, ...) and record_key stay in this program and in
the work folder's records.json, which the vault never sees.
"""

import argparse
import calendar
import concurrent.futures
import functools
import hashlib
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid

FEATURES = ("text", "rare", "vshare", "vdisjoint", "rdisjoint", "package",
            "class", "cwe")
STEPS = "Not given: this report was built from a public advisory."
PROJECT = "dedup-eval"
TITLE_MAX = 200
CLASS_MAP = {
    "xss": "xss",
    "sql-injection": "sqli",
    "command-injection": "rce",
    "deserialization": "rce",
    "authn-authz": "auth-bypass",
    "csrf": "csrf",
}
# The draft parser knows OSV's ecosystems; the Ruby interpreters (rubysec's
# rubies/<engine>/) are not one, so they go under RubyGems with the
# engine's name as the package (ruby, jruby).
ECOSYSTEM_MAP = {"Go": "Go", "crates.io": "crates.io", "RubyGems": "RubyGems",
                 "Ruby": "RubyGems"}
SEMVER_ECOSYSTEMS = ("Go", "crates.io")
# What a record's source is: each gets its own signing key (--signers db).
SOURCES = ("go-vulndb", "rustsec", "rubysec", "cve", "cve-adp")
LIKELY_AT = 0.6  # AL_DUP_LIKELY_AT in vault/al_dedup.h


def say(msg):
    print(msg, file=sys.stderr, flush=True)


def die(msg, code=1):
    say("bench/dedup: " + msg)
    sys.exit(code)


# ---- versions -----------------------------------------------------------
#
# Two orders, as Airlock has them (docs/versions.md): SEMVER precedence for
# Go and crates.io, the generic dotted order for RubyGems.  Intervals are
# (lo, lo_incl, hi, hi_incl); None is an open end.

# "Every version" in a SEMVER ecosystem: ">=0" (OSV's introduced "0") if
# the draft parser takes it (probe_all), else the least SEMVER version.
# The latter is a version like any other to the vault: two such reports
# name a version in common.
SEMVER_ALL = [">=0.0.0-0"]

SEMVER_RE = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?"
                       r"(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$")


def semver_coerce(v):
    """A version as SEMVER 2.0 text (MAJOR.MINOR.PATCH, a missing part is
    0, as Cargo reads "0.6"), or None when it cannot be one."""
    m = SEMVER_RE.match(v.strip())
    if not m:
        return None
    out = ".".join(str(int(x)) if x is not None else "0"
                   for x in m.group(1, 2, 3))
    for sep, part, pre in (("-", m.group(4), True), ("+", m.group(5), False)):
        if part is None:
            continue
        ids = part.split(".")
        if any(not i for i in ids):
            return None
        if pre:
            ids = [str(int(i)) if i.isdigit() else i for i in ids]
        out += sep + ".".join(ids)
    return out


def eco_coerce(v):
    v = v.strip()
    if len(v) > 1 and v[0] in "vV" and v[1].isdigit():
        v = v[1:]  # "Fixed in v1.10.4"
    if (not v or len(v) > 256 or not re.fullmatch(r"[!-~]+", v)
            or not re.search(r"[0-9A-Za-z]", v)):
        return None
    return v


def semver_cmp(a, b):
    def parse(v):
        v = v.split("+", 1)[0]
        core, _, pre = v.partition("-")
        return [int(x) for x in core.split(".")], pre.split(".") if pre else []
    (ca, pa), (cb, pb) = parse(a), parse(b)
    if ca != cb:
        return -1 if ca < cb else 1
    if not pa or not pb:
        return (len(pa) == 0) - (len(pb) == 0) if pa or pb else 0
    for x, y in zip(pa, pb):
        if x == y:
            continue
        dx, dy = x.isdigit(), y.isdigit()
        if dx and dy:
            return -1 if int(x) < int(y) else 1
        if dx != dy:
            return -1 if dx else 1
        return -1 if x.encode() < y.encode() else 1
    return (len(pa) > len(pb)) - (len(pa) < len(pb))


POST_WORDS = {"p", "pl", "patch", "post", "r", "rev", "sp", "hotfix"}
DROP_WORDS = {"final", "ga", "release"}


def eco_tokens(v):
    if len(v) > 1 and v[0] in "vV" and v[1].isdigit():
        v = v[1:]
    out = []
    for run in re.findall(r"[0-9]+|[A-Za-z]+", v):
        if run.isdigit():
            out.append((3, int(run)))
        elif run.lower() in DROP_WORDS:
            continue
        else:
            w = run.lower()
            out.append((2 if w in POST_WORDS else 0, w.encode()))
    return out


def eco_cmp(a, b):
    ta, tb = eco_tokens(a), eco_tokens(b)
    for i in range(max(len(ta), len(tb))):
        x = ta[i] if i < len(ta) else (1, b"")
        y = tb[i] if i < len(tb) else (1, b"")
        if x != y:
            return -1 if x < y else 1
    return 0


class Scheme:
    def __init__(self, ecosystem):
        self.semver = ecosystem in SEMVER_ECOSYSTEMS
        self.coerce = semver_coerce if self.semver else eco_coerce
        self.cmp = semver_cmp if self.semver else eco_cmp
        self.all = SEMVER_ALL[0] if self.semver else ">=0"

    def lo_key(self, iv):
        return (0,) if iv[0] is None else (1, iv[0], not iv[1])

    def empty(self, iv):
        lo, li, hi, hi_incl = iv
        if lo is None or hi is None:
            return False
        c = self.cmp(lo, hi)
        return c > 0 or (c == 0 and not (li and hi_incl))

    def intersect(self, ivs):
        lo, li, hi, hin = None, True, None, True
        for a, ai, b, bi in ivs:
            if a is not None:
                c = 1 if lo is None else self.cmp(a, lo)
                if c > 0 or (c == 0 and not ai):
                    lo, li = a, ai
            if b is not None:
                c = -1 if hi is None else self.cmp(b, hi)
                if c < 0 or (c == 0 and not bi):
                    hi, hin = b, bi
        iv = (lo, li, hi, hin)
        return None if self.empty(iv) else iv

    def union(self, ivs):
        """Sorted, overlapping or touching intervals merged."""
        key = functools.cmp_to_key(self._lo_cmp)
        out = []
        for iv in sorted(ivs, key=key):
            if out and self._touches(out[-1], iv):
                lo, li, hi, hin = out[-1]
                if hi is not None:
                    c = 1 if iv[2] is None else self.cmp(iv[2], hi)
                    if c > 0 or (c == 0 and iv[3]):
                        hi, hin = iv[2], iv[3]
                out[-1] = (lo, li, hi, hin)
            else:
                out.append(iv)
        return out

    def _lo_cmp(self, x, y):
        if x[0] is None or y[0] is None:
            return (x[0] is not None) - (y[0] is not None)
        c = self.cmp(x[0], y[0])
        return c if c else (not x[1]) - (not y[1])

    def _touches(self, a, b):
        if a[2] is None or b[0] is None:
            return True
        c = self.cmp(b[0], a[2])
        return c < 0 or (c == 0 and (a[3] or b[1]))

    def complement(self, ivs):
        """The versions in none of ivs, as intervals."""
        out, lo, li = [], None, True  # the next gap starts at lo
        for a, ai, b, bi in self.union(ivs):
            if a is not None and not self.empty((lo, li, a, not ai)):
                out.append((lo, li, a, not ai))
            if b is None:
                return out
            lo, li = b, not bi
        out.append((lo, li, None, True))
        return out

    def next_after(self, v):
        """The least version above v, where the scheme has one (SEMVER:
        v's patch + 1 with pre-release 0, or v's pre-release with '.0'
        added); None in the generic order, which has none."""
        if not self.semver:
            return None
        core, plus, _ = v.partition("+")
        if "-" in core:
            return core + ".0"
        ma, mi, pa = core.split(".")
        return "%s.%s.%d-0" % (ma, mi, int(pa) + 1)


class Versions:
    """What one record says about one package's versions: intervals and
    exact versions, and what could not be used."""

    def __init__(self, scheme):
        self.s = scheme
        self.intervals = []
        self.exact = []
        self.had_data = False
        self.dropped = 0
        self.approx = 0

    def bound(self, v):
        c = self.s.coerce(v)
        if c is None:
            self.dropped += 1
        return c

    def lines(self):
        """The comparator parts of the Affected lines; [] means "every
        version" (the caller writes the scheme's all-versions line)."""
        out = []
        for lo, li, hi, hin in self.s.union(self.intervals):
            words = []
            if lo is not None:
                if not li:
                    nxt = self.s.next_after(lo)
                    if nxt is None:
                        self.approx += 1
                        nxt = lo
                    lo = nxt
                words.append(">=" + lo)
            if hi is not None:
                if lo is not None and hin and self.s.cmp(lo, hi) == 0:
                    words = ["=" + hi]
                else:
                    words.append(("<=" if hin else "<") + hi)
            if not words:
                return []
            out.append(" ".join(words))
        seen = set()
        exact = []
        for v in self.exact:
            if v not in seen and not any(self._inside(v, iv)
                                         for iv in self.intervals):
                seen.add(v)
                exact.append(v)
        for i in range(0, len(exact), 100):
            out.append(" ".join(exact[i:i + 100]))
        return out

    def _inside(self, v, iv):
        lo, li, hi, hin = iv
        if lo is not None:
            c = self.s.cmp(v, lo)
            if c < 0 or (c == 0 and not li):
                return False
        if hi is not None:
            c = self.s.cmp(v, hi)
            if c > 0 or (c == 0 and not hin):
                return False
        return True


# A comparator: ">= 1.2", "<1.3", "~> 5.2.4", "^0.3", "= 1.0", "1.0".
CMP_RE = re.compile(r"^\s*(>=|<=|~>|>|<|=|\^|~)?\s*(\S+)\s*$")


def gem_bump(v):
    """Gem::Version#bump: drop the non-numeric tail, then the last
    segment, and add one to the new last: ~> 5.2.4 is >= 5.2.4, < 5.3."""
    segs = re.split(r"[.-]", v)
    nums = []
    for s in segs:
        if not s.isdigit():
            break
        nums.append(int(s))
    if not nums:
        return None
    if len(nums) > 1:
        nums.pop()
    nums[-1] += 1
    return ".".join(str(n) for n in nums)


def cargo_parts(v):
    m = re.match(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?", v)
    return [int(x) if x is not None else None for x in m.group(1, 2, 3)] \
        if m else None


def requirement(vs, text, cargo):
    """One requirement ("~> 5.2.4, >= 5.2.4.3"; a Cargo one when cargo):
    its comparators, all of which hold, as one interval or None."""
    ivs = []
    for part in text.split(","):
        m = CMP_RE.match(part)
        if not m:
            vs.dropped += 1
            return None
        op, v = m.group(1) or ("^" if cargo else "="), m.group(2)
        if op in ("~>", "^", "~"):
            lo = vs.bound(v)
            if op == "~>":
                up = gem_bump(v)
            else:
                p = cargo_parts(v)
                if p is None:
                    up = None
                elif op == "~" and p[1] is not None:
                    up = "%d.%d.0" % (p[0], p[1] + 1)
                elif op == "~" or p[0] > 0 or p[1] is None:
                    up = "%d.0.0" % (p[0] + 1)
                elif p[1] > 0 or p[2] is None:
                    up = "0.%d.0" % (p[1] + 1)
                else:
                    up = "0.0.%d" % (p[2] + 1)
            hi = vs.bound(up) if up else None
            if lo is None or hi is None:
                if up is None:
                    vs.dropped += 1
                return None
            ivs.append((lo, True, hi, False))
            continue
        c = vs.bound(v)
        if c is None:
            return None
        ivs.append({">=": (c, True, None, True), ">": (c, False, None, True),
                    "<": (None, True, c, False), "<=": (None, True, c, True),
                    "=": (c, True, c, True)}[op])
    return vs.s.intersect(ivs) if ivs else None


def from_requirements(vs, texts, cargo):
    """The versions no requirement in texts (patched or unaffected ones)
    allows: the affected ones."""
    ivs = []
    for t in texts:
        vs.had_data = True
        iv = requirement(vs, t, cargo)
        if iv is not None:
            ivs.append(iv)
        else:
            vs.dropped += 1
    if texts and not ivs:
        return  # nothing usable: every version, and counted as lost
    vs.intervals.extend(vs.s.complement(ivs))


def from_osv(vs, entry):
    """An OSV affected entry's ranges and versions (Go's ranges)."""
    for rg in entry.get("ranges") or []:
        lo, open_ = None, False
        for ev in rg.get("events") or []:
            vs.had_data = True
            if "introduced" in ev:
                v = ev["introduced"]
                lo = None if v == "0" else vs.bound(v)
                open_ = lo is not None or v == "0"
            elif ("fixed" in ev or "last_affected" in ev) and open_:
                v = ev.get("fixed", ev.get("last_affected"))
                hi = vs.bound(v)
                if hi is not None:
                    iv = (lo, True, hi, "fixed" not in ev)
                    if not vs.s.empty(iv):
                        vs.intervals.append(iv)
                open_ = False
        if open_:
            vs.intervals.append((lo, True, None, True))
    for v in entry.get("versions") or []:
        vs.had_data = True
        c = vs.bound(v)
        if c is not None:
            vs.exact.append(c)


# CVE's affected_text: "owner/repo: >= 1.46.0, < 1.74.3; < 0.9",
# "A: 0.14.0 to 0.14.1", "A: 0.2 <= 0.2.2; 0.3.0", "A: Fixed in v1.10.4",
# "A: All versions", "A: 1.0, 1.1, 1.2", "A: n/a".
NOTHING = {"n/a", "na", "unknown", "unspecified", "none", ""}


def cve_text_split(text):
    if not text or ": " not in text:
        return None, None
    product, _, ranges = text.rpartition(": ")
    return product, ranges


def from_cve_text(vs, ranges):
    for seg in ranges.split(";"):
        # "< 1.11.2 (plus Red Hat OpenShift packages)": the note goes
        seg = re.sub(r"\s*\([^()]*\)\s*$", "", seg).strip()
        low = seg.lower()
        if low in NOTHING:
            continue
        vs.had_data = True
        if low in ("all versions", "all"):
            vs.intervals.append((None, True, None, True))
            continue
        m = re.fullmatch(r"fixed in\s+(\S+)", seg, re.I)
        if m:
            c = vs.bound(m.group(1))
            if c is not None:
                vs.intervals.append((None, True, c, False))
            continue
        m = re.fullmatch(r"(\S+)\s+(?:to|-)\s+(\S+)", seg) or \
            re.fullmatch(r"(\S+)\s*(<=|<)\s*(\S+)", seg)
        if m:
            a = vs.bound(m.group(1))
            b = vs.bound(m.group(m.lastindex))
            incl = m.lastindex == 2 or m.group(2) == "<="
            if a is not None and b is not None:
                iv = (a, True, b, incl)
                if not vs.s.empty(iv):
                    vs.intervals.append(iv)
            continue
        if re.match(r"^(>=|<=|>|<|=)", seg):
            iv = requirement(vs, seg, False)
            if iv is not None:
                vs.intervals.append(iv)
            else:
                vs.dropped += 1
            continue
        # a list of versions, maybe with words around them ("Podman 4.3.0")
        words = re.findall(r"v?\d[^\s,]*", seg)
        if not words:
            vs.dropped += 1
        for w in words:
            c = vs.bound(w)
            if c is not None:
                vs.exact.append(c)


def go_base(path):
    return re.sub(r"/v[0-9]+$", "", path).lower()


def basename(name):
    name = re.sub(r"\s*\(.*$", "", name).strip()
    return go_base(name).rsplit("/", 1)[-1].lower()


# ---- records and reports ------------------------------------------------

def load_set(data):
    """The records (one per record_key, first seen), the packages each is
    filed under in the set, and the pairs."""
    records, packages, order = {}, {}, []

    def add(r):
        k = r["record_key"]
        if k not in records:
            records[k] = r
            order.append(k)
        pk = (r["ecosystem"], r["package"])
        packages.setdefault(k, [])
        if pk not in packages[k]:
            packages[k].append(pk)

    pairs = []
    with open(os.path.join(data, "pairs.jsonl"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                p = json.loads(line)
                pairs.append(p)
                add(p["a"])
                add(p["b"])
    with open(os.path.join(data, "clusters.jsonl"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                for r in json.loads(line)["members"]:
                    add(r)
    return records, packages, order, pairs


def affected_lines(rec, pkgs):
    """The Affected: values of a record, and how its version data fared:
    'none' (the source gives none), 'full', 'partial' (some dropped or
    approximated) or 'lost' (there was some, none usable)."""
    key = rec["record_key"]
    src = key.split(":", 1)[0]
    aff = rec.get("affected")
    per_pkg = []
    product, ranges = cve_text_split(rec.get("affected_text") or "")
    for eco, name in pkgs:
        scheme = Scheme(ECOSYSTEM_MAP.get(eco, "RubyGems"))
        vs = Versions(scheme)
        if src == "go-vulndb" and isinstance(aff, list):
            for entry in aff:
                if go_base(entry.get("package", "")) == go_base(name):
                    sub = Versions(scheme)
                    from_osv(sub, entry)
                    per_pkg.append((eco, entry["package"], sub))
            continue
        if src == "rustsec" and isinstance(aff, dict):
            # "patched": [] says that no version is fixed: all affected
            vs.had_data = "patched" in aff or "unaffected" in aff
            from_requirements(vs, (aff.get("patched") or []) +
                              (aff.get("unaffected") or []), True)
        elif src == "rubysec" and isinstance(aff, dict):
            from_requirements(vs, (aff.get("patched_versions") or []) +
                              (aff.get("unaffected_versions") or []), False)
        elif src in ("cve", "cve-adp") and ranges is not None:
            names = [basename(n) for _, n in pkgs]
            if len(pkgs) == 1 or basename(product) not in names or \
                    basename(product) == basename(name):
                from_cve_text(vs, ranges)
        elif src in ("cve", "cve-adp") and rec.get("affected_text") and \
                rec["affected_text"].strip().lower() not in NOTHING:
            vs.had_data = True  # a text with no "product: versions" shape
            vs.dropped += 1
        per_pkg.append((eco, name, vs))
    lines, had, dropped, approx, empty = [], False, 0, 0, 0
    for eco, name, vs in per_pkg:
        comps = vs.lines()
        had = had or vs.had_data
        dropped += vs.dropped
        approx += vs.approx
        if not comps:
            comps = [vs.s.all]
            if vs.had_data and vs.intervals == [] and vs.exact == []:
                empty += 1
        for c in comps:
            lines.append("%s/%s %s" % (ECOSYSTEM_MAP.get(eco, "RubyGems"),
                                       name, c))
    if not per_pkg:  # a Go record none of whose entries is its package
        scheme = Scheme(ECOSYSTEM_MAP.get(rec["ecosystem"], "RubyGems"))
        lines.append("%s/%s %s" % (ECOSYSTEM_MAP.get(rec["ecosystem"],
                                                     "RubyGems"),
                                   rec["package"], scheme.all))
        had, empty = bool(aff), 1
    if not had:
        fate = "none"
    elif empty:
        fate = "lost"
    elif dropped or approx:
        fate = "partial"
    else:
        fate = "full"
    return lines, fate


INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                       "\u2066-\u2069\u00ad\u200b\u2060\ufeff\u2028\u2029]")


def clean_line(s):
    """One line of text the title rule accepts (no control, bidi or
    invisible character; runs of blanks as one space)."""
    s = re.sub(r"\s+", " ", s)
    return INVISIBLE.sub("", s).strip()


def cut(s, n=TITLE_MAX):
    if len(s) <= n:
        return s
    head = s[:n + 1]
    sp = head.rfind(" ")
    head = head[:sp] if sp > n // 2 else s[:n]
    return head.rstrip(" ,;:-")


def make_title(rec):
    t = clean_line(rec.get("summary_redacted") or "")
    if not t:
        d = clean_line(rec.get("details_redacted") or "")
        m = re.match(r"^(.+?[.!?])(\s|$)", d)
        t = m.group(1) if m else d
    return cut(t)


FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


def make_body(text):
    """Markdown the draft reader reads as one section's text: outside code,
    a '## ' line would be a section heading (it becomes '### ', which is
    text) and a '<!--' line a comment (it gets a backslash); a code fence
    left open is closed."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "",
                  text.replace("\r\n", "\n").replace("\r", "\n"))
    out, fence = [], None
    for line in text.strip("\n").split("\n"):
        m = FENCE_RE.match(line)
        if fence is None:
            if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
                fence = m.group(1)
            elif re.match(r"^ {0,3}##([ \t]|$)", line):
                line = "#" + line.lstrip(" ")  # "## Impact": "### Impact"
            elif re.match(r"^ {0,3}<!--", line):
                line = "\\" + line.lstrip(" ")
        elif m and m.group(1)[0] == fence[0] and \
                len(m.group(1)) >= len(fence) and not m.group(2).strip():
            fence = None
        out.append(line)
    if fence is not None:
        out.append(fence)
    return "\n".join(out).strip("\n")


def report_md(rid, rec, lines, n):
    desc = make_body(rec.get("details_redacted") or
                     rec.get("summary_redacted") or "")
    if not desc.strip():
        desc = make_title(rec)
    head = ["Id: " + rid, "Title: " + make_title(rec),
            "Project: " + PROJECT,
            "Class: " + CLASS_MAP.get(rec.get("weakness_class"), "other")]
    seen = set()
    for c in rec.get("cwe") or []:
        c = c.strip().upper()
        if re.fullmatch(r"CWE-[1-9][0-9]{0,6}", c) and c not in seen:
            seen.add(c)
            head.append("CWE: " + c)
    head += ["Affected: " + a for a in lines]
    head += ["Reporter: Eval Reporter %d <eval+%d@example.org>" % (n, n),
             "Credit: public"]
    return ("\n".join(head) + "\n\n## Description\n" + desc +
            "\n\n## Steps to reproduce\n" + STEPS + "\n")


def report_id(n):
    """A UUID v4 made from the report's place in the import order only, so
    that a run is repeatable and the id says nothing about the record."""
    h = bytearray(hashlib.sha256(b"airlock dedup-eval %d" % n).digest()[:16])
    h[6] = (h[6] & 0x0F) | 0x40
    h[8] = (h[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(h)))


def import_order(keys, records, pairs):
    """Publication order; records published the same day keep every pair's
    a before its b where they can (the set orders each pair by date, and
    by the pair for equal dates), then record_key."""
    keys = set(keys)
    after = {k: set() for k in keys}
    indeg = {k: 0 for k in keys}
    for p in pairs:
        a, b = p["a"]["record_key"], p["b"]["record_key"]
        if a in keys and b in keys and \
                records[a]["published"] == records[b]["published"] and \
                b not in after[a]:
            after[a].add(b)
            indeg[b] += 1
    out = []
    by_day = {}
    for k in keys:
        by_day.setdefault(records[k]["published"] or "", []).append(k)
    for day in sorted(by_day):
        todo = set(by_day[day])
        while todo:
            ready = sorted(k for k in todo if indeg[k] == 0)
            k = ready[0] if ready else min(todo)  # a cycle: by key
            todo.discard(k)
            out.append(k)
            for x in after[k]:
                indeg[x] -= 1
    return out


# ---- programs -----------------------------------------------------------

def run(cmd, env=None, check=True, timeout=600):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env, timeout=timeout)
    if check and p.returncode != 0:
        die("%s failed (exit %d): %s" % (" ".join(cmd[:3]), p.returncode,
                                         p.stderr.decode(errors="replace")
                                         .strip()[:2000]))
    return p


def gpg(*args, check=True):
    return run(["gpg", "--batch", "--quiet", "--pinentry-mode", "loopback",
                "--passphrase", ""] + list(args), check=check)


def gen_key(name, encrypt):
    uid = "%s <%s@example.org>" % (name, name.lower().replace(" ", "-"))
    for _ in range(3):
        if gpg("--quick-gen-key", uid, "ed25519", "cert,sign", "2y",
               check=False).returncode == 0:
            break
    out = run(["gpg", "--batch", "--with-colons", "--list-secret-keys",
               "=" + uid]).stdout.decode()
    fpr = next(line.split(":")[9] for line in out.splitlines()
               if line.startswith("fpr:"))
    if encrypt:
        gpg("--quick-add-key", fpr, "cv25519", "encr", "2y")
    return fpr


def epoch(n):
    """SOURCE_DATE_EPOCH (the manifest's 'created') of the n-th report: a
    minute after the one before, from 2026-01-01.  Not the publication
    date: two advisories of one vulnerability are often published the same
    day, so the dates would tell the label to any rule that looked at
    them; the order alone is what the import order says anyway."""
    return str(calendar.timegm((2026, 1, 1, 0, 0, 0, 0, 0, 0)) + 60 * n)


# ---- step 1 and 2: reports, bundles, the vault ---------------------------

def probe_all(P, work):
    """Whether airlock-pack takes "Go/x >=0" (every version, no version
    named): then that is how every version is written."""
    d = os.path.join(work, "probe")
    run([P["pack"], "new", d])
    with open(os.path.join(d, "report.md"), encoding="utf-8") as f:
        rid = re.search(r"(?m)^Id: *(\S+)", f.read()).group(1)
    with open(os.path.join(d, "report.md"), "w", encoding="utf-8") as f:
        f.write(report_md(rid, {"summary_redacted": "probe",
                                "details_redacted": "probe"},
                          ["Go/example.org/probe >=0",
                           "crates.io/probe >=0"], 0))
    ok = run([P["pack"], "check", d], check=False).returncode == 0
    shutil.rmtree(d)
    if ok:
        SEMVER_ALL[0] = ">=0"
    return ok


def build(args, P):
    records, packages, order, pairs = load_set(args.data)
    os.makedirs(args.work, exist_ok=True)
    probe_all(P, args.work)
    keys = order[:args.limit] if args.limit else order
    seq = import_order(keys, records, pairs)
    work = args.work
    for d in ("drafts", "bundles"):
        os.makedirs(os.path.join(work, d), exist_ok=True)

    say("keys: the vault's and the researchers' (--signers %s)"
        % args.signers)
    vault_fpr = gen_key("Vault", True)
    groups = {}
    signer_of = {}
    for k in seq:
        g = {"db": k.split(":", 1)[0], "one": "researcher",
             "record": k}[args.signers]
        if g not in groups:
            groups[g] = gen_key("Researcher %d" % (len(groups) + 1), False)
        signer_of[k] = groups[g]

    meta = []
    for n, k in enumerate(seq, 1):
        rec = records[k]
        lines, fate = affected_lines(rec, packages[k])
        meta.append({"n": n, "record_key": k, "report": report_id(n),
                     "signer": signer_of[k], "published": rec["published"],
                     "fate": fate, "affected": lines})

    def seal(m):
        rec = records[m["record_key"]]
        d = os.path.join(work, "drafts", "%04d" % m["n"])
        out = os.path.join(work, "bundles", "%04d.airlock.gpg" % m["n"])
        if os.path.exists(d):
            shutil.rmtree(d)
        run([P["pack"], "new", d])
        # the template's own id is replaced by one made from n (repeatable)
        with open(os.path.join(d, "report.md"), "w", encoding="utf-8") as f:
            f.write(report_md(m["report"], rec, m["affected"], m["n"]))
        env = dict(os.environ, SOURCE_DATE_EPOCH=epoch(m["n"]))
        cmd = [P["pack"], "seal", d, "--to", vault_fpr, "--sign",
               m["signer"], "-o", out, "--force"]
        p = run(cmd, env=env, check=False)
        if p.returncode != 0 and b": affected " in p.stderr:
            # the parser refused a version we made: every version instead
            scheme = {}
            for line in m["affected"]:
                pkg = line.split(" ", 1)[0]
                scheme.setdefault(pkg, Scheme(pkg.split("/", 1)[0]).all)
            m["affected"] = ["%s %s" % kv for kv in scheme.items()]
            m["fate"] = "refused"
            m["refusal"] = p.stderr.decode(errors="replace").strip()
            with open(os.path.join(d, "report.md"), "w",
                      encoding="utf-8") as f:
                f.write(report_md(m["report"], rec, m["affected"], m["n"]))
            p = run(cmd, env=env, check=False)
        if p.returncode != 0:
            die("cannot seal %s (%s): %s" % (d, m["record_key"],
                                            p.stderr.decode(errors="replace")
                                            .strip()))
        return m

    say("sealing %d reports (%d at a time)" % (len(meta), args.jobs))
    done = 0
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
        for _ in ex.map(seal, meta):
            done += 1
            if done % 50 == 0 or done == len(meta):
                say("  sealed %d/%d" % (done, len(meta)))

    vault = os.path.join(work, "vault")
    say("airlock-vault init")
    run([P["vault"], "--vault", vault, "init", "--key", vault_fpr])
    say("airlock-vault import (%d bundles, one call)" % len(meta))
    t0 = time.perf_counter()
    p = run([P["vault"], "--vault", vault, "import",
             os.path.join(work, "bundles"), "--json"], check=False,
            timeout=7200)
    t_import = time.perf_counter() - t0
    try:
        results = json.loads(p.stdout)
    except ValueError:
        die("import --json printed no JSON (exit %d): %s"
            % (p.returncode, p.stderr.decode(errors="replace")[:2000]))
    by_file = {os.path.basename(r.get("file", "")): r for r in results}
    refused = 0
    for m in meta:
        r = by_file.get("%04d.airlock.gpg" % m["n"])
        if not r or r.get("status") != "imported":
            refused += 1
            m["imported"] = False
            say("  not imported: %04d (%s): %s" % (
                m["n"], m["record_key"], r and r.get("error")))
        else:
            m["imported"] = True
            if r.get("report") != m["report"]:
                die("import gave report %s for %04d, want %s"
                    % (r.get("report"), m["n"], m["report"]))
    info = {"signers": args.signers, "limit": args.limit,
            "semver_all": SEMVER_ALL[0],
            "import_seconds": round(t_import, 2), "refused": refused,
            "data": data_digest(args.data), "records": meta}
    with open(os.path.join(work, "records.json"), "w") as f:
        json.dump(info, f, indent=1)
    return info


def data_digest(data):
    h = {}
    for name in ("pairs.jsonl", "clusters.jsonl"):
        with open(os.path.join(data, name), "rb") as f:
            h[name] = hashlib.sha256(f.read()).hexdigest()
    return h


# ---- step 3: dups ----------------------------------------------------------

def dups_all(args, P, info):
    vault = os.path.join(args.work, "vault")
    out, times, inproc = {}, [], []
    todo = [m for m in info["records"] if m.get("imported")]
    say("airlock-vault dups ID --json --all --limit 0, for %d reports"
        % len(todo))
    raw = open(os.path.join(args.work, "dups.jsonl"), "w")
    for i, m in enumerate(todo, 1):
        # --limit 0: every candidate (the command lists 10 by default)
        cmd = [P["vault"], "--vault", vault, "dups", m["report"], "--json",
               "--all", "--limit", "0"]
        t0 = time.perf_counter()
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        dt = time.perf_counter() - t0
        if p.returncode != 0:
            die("dups %s failed (exit %d): %s" % (
                m["report"], p.returncode,
                p.stderr.decode(errors="replace").strip()))
        try:
            doc = json.loads(p.stdout)
        except ValueError:
            die("dups %s printed no JSON: %r" % (m["report"], p.stdout[:200]))
        lst = doc
        if isinstance(doc, dict):  # an object with a timing and a list
            lst = doc.get("candidates") or doc.get("dups") or []
            for k in ("elapsed_ms", "time_ms", "ms"):
                if isinstance(doc.get(k), (int, float)):
                    inproc.append(doc[k] / 1000.0)
                    break
        if not isinstance(lst, list):
            die("dups %s: not a JSON array" % m["report"])
        out[m["report"]] = lst
        times.append(dt)
        raw.write(json.dumps({"report": m["report"], "seconds": dt,
                              "dups": lst}) + "\n")
        if i % 50 == 0 or i == len(todo):
            say("  checked %d/%d" % (i, len(todo)))
    raw.close()
    # what any command pays to start and open the vault (gpg-agent, the
    # ledger), for comparison: 'list --limit 1', as many times as useful
    base = []
    for _ in range(min(20, len(todo))):
        t0 = time.perf_counter()
        run([P["vault"], "--vault", vault, "list", "--limit", "1"])
        base.append(time.perf_counter() - t0)
    return out, times, inproc, base


# ---- step 4: figures -------------------------------------------------------

def half_of(pair):
    d = hashlib.sha256(pair["a"]["package"].encode("utf-8")).hexdigest()[0]
    return "A" if int(d, 16) % 2 == 0 else "B"


class Pair:
    """One pair of the set as the vault saw it: q is the report imported
    later (b, but for a cycle of same-day pairs), o the earlier one."""

    def __init__(self, p, ids, seqs, lists):
        self.p = p
        self.label = p["label"]
        self.type = p["pair_type"]
        self.cross = self.type == "db-vs-db-cross-package"
        self.half = half_of(p)
        a, b = ids[p["a"]["record_key"]], ids[p["b"]["record_key"]]
        self.flipped = seqs[a] > seqs[b]
        self.q, self.o = (a, b) if self.flipped else (b, a)
        qs = seqs[self.q]

        def entry(lst, other):
            for e in lst:
                if e.get("report") == other or e.get("via") == other:
                    return e
            return None
        self.known = set()  # q's duplicates by the labels (main sets it)
        self.fwd = entry(lists.get(self.q, []), self.o)
        self.back = entry(lists.get(self.o, []), self.q)
        # q's candidates imported before it, best first (by our own order;
        # the JSON's "earlier" is checked against it)
        self.earlier = [e for e in lists.get(self.q, [])
                        if seqs.get(e.get("report"), 1 << 30) < qs]
        self.earlier.sort(key=lambda e: -float(e.get("score") or 0))
        self.bad_earlier = sum(
            1 for e in lists.get(self.q, []) if "earlier" in e and
            bool(e["earlier"]) != (seqs.get(e.get("report"), 1 << 30) < qs))

    def score(self):
        return float(self.fwd["score"]) if self.fwd else 0.0

    def top(self):
        return self.earlier[0] if self.earlier else None

    def is_top(self):
        t = self.top()
        return bool(t) and (t.get("report") == self.o or
                            t.get("via") == self.o)

    def hit(self):
        return self.is_top() and self.top().get("verdict") == "likely"

    def hit_any_dup(self):
        """The top earlier candidate is likely and a duplicate of q by the
        set's labels: o, or another report of the same vulnerability
        (in a cluster, either is a right answer)."""
        t = self.top()
        return bool(t) and t.get("verdict") == "likely" and \
            (t.get("report") in self.known or t.get("via") in self.known)

    def in_likely(self):
        return any((e.get("report") == self.o or e.get("via") == self.o)
                   and e.get("verdict") == "likely" for e in self.earlier)

    def called_likely(self):
        return any(e and e.get("verdict") == "likely"
                   for e in (self.fwd, self.back))

    def max_score(self):
        return max(float(e["score"]) if e else 0.0
                   for e in (self.fwd, self.back))


def share(k, n):
    return "%5.3f" % (k / n) if n else "    -"


def figures_row(name, pairs):
    dup = [p for p in pairs if p.label == "duplicate"]
    dis = [p for p in pairs if p.label != "duplicate"]
    h = sum(p.hit() for p in dup)
    hk = sum(p.hit_any_dup() for p in dup)
    il = sum(p.in_likely() for p in dup)
    ta = sum(p.is_top() for p in dup)
    ff = sum(p.called_likely() for p in dis)
    return ("%-24s %4d  %s  %s  %s  %s   %4d  %s  (%d/%d, %d/%d)"
            % (name, len(dup), share(h, len(dup)), share(hk, len(dup)),
               share(il, len(dup)), share(ta, len(dup)), len(dis),
               share(ff, len(dis)), h, len(dup), ff, len(dis)))


def subsets(pairs):
    for hname, hp in (("whole set", pairs),
                      ("half A (tuning)", [p for p in pairs
                                           if p.half == "A"]),
                      ("half B (held out)", [p for p in pairs
                                             if p.half == "B"])):
        yield hname, hp
        yield "  without cross-package", [p for p in hp if not p.cross]
        yield "  cross-package only", [p for p in hp if p.cross]


def print_figures(pairs):
    print("recall: the earlier report is the later one's top 'likely' "
          "candidate (among those\nimported before it); any-dup: that top "
          "likely candidate is a duplicate of it by the\nlabels (the "
          "earlier report or another of its cluster); in-lk: the earlier "
          "report is\namong its likely candidates; top: its top candidate "
          "whatever the verdict.\nfalse: distinct pairs called 'likely' in "
          "either direction.\n")
    print("%-24s %4s  %5s  %5s  %5s  %5s   %4s  %5s  (hits, flagged)" % (
        "", "dups", "recall", "anydp", "in-lk", "top", "dist", "false"))
    for name, sub in subsets(pairs):
        print(figures_row(name, sub))
    print()
    for lab in ("duplicate", "distinct"):
        sub = [p for p in pairs if p.label == lab]
        print("%s pairs absent from the later report's --all list (never "
              "retrieved): %d of %d" % (lab, sum(p.fwd is None for p in sub),
                                        len(sub)))
    print()
    print("By pair type:")
    types = {}
    for p in pairs:
        types.setdefault((p.label, p.type), []).append(p)
    print("  %-9s %-30s %4s  %5s  %5s  %6s" % (
        "label", "pair_type", "n", "hit", "likely", "mean s"))
    for (label, t), sub in sorted(types.items()):
        hits = sum(p.hit() for p in sub)
        lk = sum(p.called_likely() for p in sub)
        print("  %-9s %-30s %4d  %5s  %5s  %6.3f" % (
            label, t, len(sub),
            share(hits, len(sub)) if label == "duplicate" else "    -",
            share(lk, len(sub)), statistics.mean(p.score() for p in sub)))
    print()


def roc(pairs, score, top):
    """Rows (t, recall top, recall any, false flags) for t in 0.30..0.90."""
    dup = [p for p in pairs if p.label == "duplicate"]
    dis = [p for p in pairs if p.label != "duplicate"]
    rows = []
    for i in range(13):
        t = 0.30 + 0.05 * i
        rt = sum(1 for p in dup if top(p) and score(p) >= t - 1e-12)
        ra = sum(1 for p in dup if score(p) >= t - 1e-12)
        ff = sum(1 for p in dis if score(p, True) >= t - 1e-12)
        rows.append((t, rt / len(dup) if dup else 0,
                     ra / len(dup) if dup else 0,
                     ff / len(dis) if dis else 0))
    return rows


def print_roc(pairs):
    print("By score threshold (a pair's score: the earlier report's score in "
          "the later one's\n--all list, 0 when absent; 'recall top': it is "
          "also the top earlier candidate;\nfalse flags: the higher of the "
          "two directions):")
    print("  %5s   %-23s   %-23s" % ("", "whole set", "without cross-pkg"))
    print("  %5s   %7s %7s %7s   %7s %7s %7s" % (
        "t", "rc top", "rc any", "false", "rc top", "rc any", "false"))

    def score(p, both=False):
        return p.max_score() if both else p.score()
    r1 = roc(pairs, score, Pair.is_top)
    r2 = roc([p for p in pairs if not p.cross], score, Pair.is_top)
    for a, b in zip(r1, r2):
        print("  %5.2f   %7.3f %7.3f %7.3f   %7.3f %7.3f %7.3f"
              % (a[0], a[1], a[2], a[3], b[1], b[2], b[3]))
    print()


def print_times(times, inproc, base, n_reports):
    ms = sorted(t * 1000 for t in times)
    print("Time per 'dups ID --json --all --limit 0' call (%d calls, a "
          "vault of %d reports),\naround the process:" % (len(ms), n_reports))
    if ms:
        print("  median %.1f ms, p90 %.1f ms, max %.1f ms" % (
            statistics.median(ms), ms[int(0.9 * (len(ms) - 1))], ms[-1]))
    if base:
        print("  for comparison, 'list --limit 1' on the same vault (starting "
              "the program and\n  opening the vault): median %.1f ms over %d "
              "runs" % (statistics.median(base) * 1000, len(base)))
    if inproc:
        ip = sorted(t * 1000 for t in inproc)
        print("  in-process (from the JSON): median %.2f ms, max %.2f ms"
              % (statistics.median(ip), ip[-1]))
    else:
        print("  in-process: the JSON gives no timing")
    print()


# ---- step 5: fitting -------------------------------------------------------

def feats(e):
    if not e:
        return None
    f = e.get("features") or {}
    return [float(f.get(k) or 0) for k in FEATURES]


def sigmoid(z):
    if z < -60:
        return 0.0
    if z > 60:
        return 1.0
    return 1.0 / (1.0 + math.exp(-z))


def fit(X, y, held=(), l2=0.001, lr=1.0, iters=20000, tol=1e-7, signs=None):
    """Logistic regression by plain (full-batch) gradient descent on the
    mean log loss + l2/2 |w|^2 (the bias is not penalised); the features
    in held keep the weight 0; signs (feature index: +1 or -1) keeps a
    weight on that side of 0 (projected gradient)."""
    signs = signs or {}
    d = len(X[0])
    w = [0.0] * (d + 1)
    n = len(X)
    for it in range(iters):
        g = [0.0] * (d + 1)
        for x, t in zip(X, y):
            z = w[d]
            for j in range(d):
                z += w[j] * x[j]
            r = sigmoid(z) - t
            for j in range(d):
                g[j] += r * x[j]
            g[d] += r
        for j in range(d):
            g[j] = 0.0 if j in held else g[j] / n + l2 * w[j]
        g[d] /= n
        for j in range(d + 1):
            w[j] -= lr * g[j]
        moved = False
        for j, sg in signs.items():
            if w[j] * sg < 0:
                w[j] = 0.0
                g[j] = 0.0
                moved = True
        if not moved and max(abs(v) for v in g) < tol:
            return w, it + 1
        if moved and max(abs(g[j]) for j in range(d + 1)
                         if j not in signs or w[j] != 0.0) < tol:
            return w, it + 1
    return w, iters


def rescore(w, e):
    x = feats(e)
    if x is None:
        return 0.0
    return sigmoid(w[-1] + sum(a * b for a, b in zip(w, x)))


def refigure(pairs, w, t):
    """Recall (the earlier report is the later one's top candidate by the
    new score, and scores >= t) and false flags (either direction >= t)."""
    dup = [p for p in pairs if p.label == "duplicate"]
    dis = [p for p in pairs if p.label != "duplicate"]
    hits = 0
    for p in dup:
        best = max(p.earlier, key=lambda e: rescore(w, e), default=None)
        if best is not None and p.fwd is not None and \
                (best.get("report") == p.o or best.get("via") == p.o) \
                and rescore(w, p.fwd) >= t:
            hits += 1
    ff = sum(1 for p in dis if max(rescore(w, p.fwd),
                                   rescore(w, p.back)) >= t)
    return hits, len(dup), ff, len(dis)


def print_fit(pairs):
    A = [p for p in pairs if p.half == "A"]
    X, y, absent = [], [], 0
    for p in A:
        x = feats(p.fwd)
        if x is None:
            absent += 1
            continue
        X.append(x)
        y.append(1.0 if p.label == "duplicate" else 0.0)
    print("Fit (--fit): logistic regression, plain gradient descent, L2 "
          "0.001, features not\nstandardised (they are in [-1, 1]); on "
          "half A only: %d pairs, %d of them absent\nfrom the later "
          "report's --all list (not fitted, counted as misses below)."
          % (len(A), absent))
    if not X or len(set(y)) < 2:
        print("  not enough pairs of both labels in half A to fit\n")
        return
    print()
    fit_one(pairs, A, X, y, (), "1. every feature free")
    fit_one(pairs, A, X, y, (FEATURES.index("package"),),
            "2. package held at 0: in this set every distinct pair is in one "
            "package by\n   construction, so a fitted package weight learns "
            "the set, not duplicates")
    fx = FEATURES.index
    fit_one(pairs, A, X, y, (fx("package"),),
            "3. package held at 0, and each weight on the side its feature "
            "says: a version,\n   class or CWE in common never counts "
            "against a pair, disjoint versions never\n   for it (in this "
            "set half the distinct pairs share a class by construction)",
            signs={fx("text"): 1, fx("rare"): 1, fx("vshare"): 1,
                   fx("class"): 1, fx("cwe"): 1, fx("vdisjoint"): -1,
                   fx("rdisjoint"): -1})


def fit_one(pairs, A, X, y, held, title, signs=None):
    print(title)
    t0 = time.perf_counter()
    w, iters = fit(X, y, held, signs=signs)
    print("  %d iterations, %.1f s" % (iters, time.perf_counter() - t0))
    print("  weights (text, rare, vshare, vdisjoint, rdisjoint, package, "
          "class, cwe, bias):")
    print("  static const double weights[AL_DF_COUNT + 1] = {\n\t%s\n};"
          % ", ".join("%.4f" % v for v in w))
    # the threshold: the lowest where half A's false flags are <= 0.04
    cands = sorted({round(max(rescore(w, p.fwd), rescore(w, p.back)), 6)
                    for p in A} | {0.5})
    best = None
    for t in cands:
        h, nd, ff, ns = refigure(A, w, t)
        if ns and ff / ns <= 0.04:
            best = t
            break
    if best is None:
        print("  no threshold keeps half A's false flags at 0.04 or "
              "below\n")
        return
    t = best
    shift = math.log(LIKELY_AT / (1 - LIKELY_AT)) - \
        math.log(t / (1 - t)) if 0 < t < 1 else 0.0
    print("  threshold on half A with false flags <= 0.04: %.4f" % t)
    print("  the same with the threshold folded into the bias (likely at "
          "%.2f, AL_DUP_LIKELY_AT):" % LIKELY_AT)
    w2 = w[:-1] + [w[-1] + shift]
    print("  static const double weights[AL_DF_COUNT + 1] = {\n\t%s\n};"
          % ", ".join("%.4f" % v for v in w2))
    print("  figures with these weights at that threshold (recomputed here "
          "from the features):")
    for name, sub in subsets(pairs):
        h, nd, ff, ns = refigure(sub, w, t)
        print("  %-24s recall %s (%3d/%3d)   false flags %s (%3d/%3d)" % (
            name, share(h, nd), h, nd, share(ff, ns), ff, ns))
    # 'possible': the lowest score (folded as above) where half A's false
    # flags are <= 0.20, in steps of 0.05
    for tp in [x / 100 for x in range(5, 60, 5)]:
        h, nd, ff, ns = refigure(A, w2, tp)
        if ns and ff / ns <= 0.20:
            print("  possible (AL_DUP_POSSIBLE_AT, half A's false flags <= "
                  "0.20): %.2f" % tp)
            for name, sub in subsets(pairs):
                h, nd, ff, ns = refigure(sub, w2, tp)
                print("  %-24s recall %s (%3d/%3d)   false flags %s "
                      "(%3d/%3d)" % (name, share(h, nd), h, nd,
                                     share(ff, ns), ff, ns))
            break
    print()


# ---- self-test -----------------------------------------------------------

def self_test():
    """The conversions above, on the shapes the set holds (--self-test)."""
    def lines(src, aff, eco="RubyGems", pkg="p", text=None):
        rec = {"record_key": src + ":x", "affected": aff,
               "affected_text": text, "ecosystem": eco, "package": pkg}
        return [x.split(" ", 1)[1] for x in
                affected_lines(rec, [(eco, pkg)])[0]]

    checks = [
        (semver_coerce("0.6"), "0.6.0"),
        (semver_coerce("v2020.03.16.00"), None),
        (semver_coerce("0.31.1-0.20200311080807-483ed864d69f"),
         "0.31.1-0.20200311080807-483ed864d69f"),
        (gem_bump("5.2.4"), "5.3"), (gem_bump("1.8.5-p2"), "1.9"),
        (gem_bump("0.1.0.1"), "0.1.1"),
        (lines("rubysec", {"patched_versions": [
            "~> 5.2.4, >= 5.2.4.3", ">= 6.0.3.1"]}),
         ["<5.2.4.3", ">=5.3 <6.0.3.1"]),
        (lines("rubysec", {"patched_versions": ["> 2.0.0"]}), ["<=2.0.0"]),
        (lines("rubysec", {"patched_versions": ["~> 2.7.9", ">= 3.0.3"],
                           "unaffected_versions": ["< 2.6"]}),
         [">=2.6 <2.7.9", ">=2.8 <3.0.3"]),
        (lines("rubysec", {}), [">=0"]),
        (lines("rustsec", {"patched": [">= 0.2.5, <0.3.0", ">=0.3.3"]},
               "crates.io"), ["<0.2.5", ">=0.3.0 <0.3.3"]),
        (lines("rustsec", {"patched": [">= 0.9.0"],
                           "unaffected": ["<= 0.8.6"]}, "crates.io"),
         [">=0.8.7-0 <0.9.0"]),
        (lines("rustsec", {"patched": ["^0.3.4"]}, "crates.io"),
         ["<0.3.4", ">=0.4.0"]),
        (lines("rustsec", {"patched": []}, "crates.io"), [SEMVER_ALL[0]]),
        (lines("go-vulndb", [{"package": "example.org/m/v2", "ranges": [
            {"type": "SEMVER", "events": [
                {"introduced": "0"}, {"fixed": "1.2.3"},
                {"introduced": "2.0.0"}, {"fixed": "2.1.0"}]}]},
            {"package": "example.org/other", "ranges": [
                {"type": "SEMVER", "events": [{"introduced": "0"},
                                              {"fixed": "9.0.0"}]}]}],
            "Go", "example.org/m"), ["<1.2.3", ">=2.0.0 <2.1.0"]),
        (lines("cve", None, text="Ruby/resolv: 0.2 <= 0.2.2; 0.3.0; "
               "0.6 <= 0.6.1", pkg="resolv"),
         [">=0.2 <=0.2.2", ">=0.6 <=0.6.1", "0.3.0"]),
        (lines("cve", None, "Go", text="coredns: < 1.11.2 (plus Red Hat "
               "OpenShift packages)"), ["<1.11.2"]),
        (lines("cve", None, "Go", text="docconv: 1.0, 1.1, 1.2"),
         ["1.0.0 1.1.0 1.2.0"]),
        (lines("cve", None, text="Nokogiri (ruby gem): Fixed in v1.10.4"),
         ["<1.10.4"]),
        (lines("cve", None, text="A/B: 0.14.0 to 0.14.1"),
         [">=0.14.0 <=0.14.1"]),
        (lines("cve", None, "Go", text="F/T: < v2020.03.16.00"),
         [SEMVER_ALL[0]]),
        (lines("cve", None, text="n/a"), [">=0"]),
        ([eco_cmp("1.0rc1", "1.0"), eco_cmp("1.0", "1.0p1"),
          eco_cmp("1.0p1", "1.0.1"), eco_cmp("1.0RC1", "1.0-rc1")],
         [-1, -1, -1, 0]),
        ([semver_cmp("1.0.0-alpha", "1.0.0-alpha.1"),
          semver_cmp("1.0.0-rc.1", "1.0.0"), semver_cmp("1.10.0", "1.9.0")],
         [-1, -1, 1]),
        (make_body("a\n## Impact\n<!-- x\n```\n## in code\n"),
         "a\n### Impact\n\\<!-- x\n```\n## in code\n```"),
        (make_title({"summary_redacted": "",
                     "details_redacted": "First one.  Second."}),
         "First one."),
        (len(make_title({"summary_redacted": "word " * 60})) <= TITLE_MAX,
         True),
        (import_order(["k:b", "k:a", "k:c"], {
            "k:a": {"published": "2020-01-01"},
            "k:b": {"published": "2020-01-01"},
            "k:c": {"published": "2019-01-01"}},
            [{"a": {"record_key": "k:b"}, "b": {"record_key": "k:a"}}]),
         ["k:c", "k:b", "k:a"]),
    ]
    bad = 0
    for i, (got, want) in enumerate(checks, 1):
        if got != want:
            bad += 1
            print("not ok %d - got %r, want %r" % (i, got, want))
    print("self-test: %d of %d checks passed" % (len(checks) - bad,
                                                 len(checks)))
    return 1 if bad else 0


# ---- main -----------------------------------------------------------------

def main():
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(self_test())
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", required=True)
    ap.add_argument("--pack", required=True)
    ap.add_argument("--vault-bin", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--fit", action="store_true")
    ap.add_argument("--signers", choices=("db", "one", "record"),
                    default="db")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--command", default="")
    args = ap.parse_args()
    P = {"pack": args.pack, "vault": args.vault_bin}

    print("command: %s" % args.command)
    t_start = time.perf_counter()
    if args.reuse:
        try:
            with open(os.path.join(args.work, "records.json")) as f:
                info = json.load(f)
        except OSError as e:
            die("--reuse %s: no records.json from an earlier run (%s)"
                % (args.work, e.strerror), 2)
        say("reusing the vault in %s" % args.work)
    else:
        info = build(args, P)
    t_built = time.perf_counter()

    records, _, _, set_pairs = load_set(args.data)
    if info.get("data") and info["data"] != data_digest(args.data):
        say("warning: the evaluation set changed since the vault was built")
    meta = info["records"]
    fates = {}
    for m in meta:
        fates[m["fate"]] = fates.get(m["fate"], 0) + 1
    print("evaluation set: %s (pairs.jsonl sha256 %s)" % (
        args.data, info["data"]["pairs.jsonl"][:16]))
    print("reports: %d (one per distinct record), signed by %s; "
          "%d not imported" % (
              len(meta), {"db": "one key per source database",
                          "one": "one key",
                          "record": "one key per record"}[info["signers"]],
              info["refused"]))
    print("affected versions: %d used in full, %d partly (a bound dropped "
          "or approximated),\n  %d lost (had versions, none usable: every "
          "version), %d refused by the draft\n  parser (every version "
          "instead), %d with none in the source (every version)" % (
              fates.get("full", 0), fates.get("partial", 0),
              fates.get("lost", 0), fates.get("refused", 0),
              fates.get("none", 0)))
    print("  every version is written '%s' in Go and crates.io, "
          "'>=0' in RubyGems" % info.get("semver_all", ">=0.0.0-0"))
    print("  records that lost version data: %d" % (
        fates.get("partial", 0) + fates.get("lost", 0) +
        fates.get("refused", 0)))
    if not args.reuse:
        print("import: %d bundles in one call, %.1f s" % (
            len(meta), info["import_seconds"]))

    lists, times, inproc, base = dups_all(args, P, info)
    ids = {m["record_key"]: m["report"] for m in meta if m.get("imported")}
    seqs = {m["report"]: m["n"] for m in meta if m.get("imported")}
    pairs = [Pair(p, ids, seqs, lists) for p in set_pairs
             if p["a"]["record_key"] in ids and p["b"]["record_key"] in ids]
    known = {}
    for p in pairs:
        if p.label == "duplicate":
            known.setdefault(p.q, set()).add(p.o)
            known.setdefault(p.o, set()).add(p.q)
    for p in pairs:
        p.known = known.get(p.q, set())
    flipped = sum(p.flipped for p in pairs)
    bad = sum(p.bad_earlier for p in pairs)
    same_signer = {"duplicate": 0, "distinct": 0}
    signer = {m["report"]: m["signer"] for m in meta}
    for p in pairs:
        if signer[p.q] == signer[p.o]:
            same_signer[p.label] = same_signer.get(p.label, 0) + 1
    print("pairs: %d with both reports in the vault (%d duplicate, %d "
          "distinct); %d checked\n  against the later-imported side's "
          "list the other way round (same-day cycles)"
          % (len(pairs), sum(p.label == "duplicate" for p in pairs),
             sum(p.label != "duplicate" for p in pairs), flipped))
    print("  same signing key on both sides: %d duplicate pairs, %d "
          "distinct pairs" % (same_signer["duplicate"],
                              same_signer["distinct"]))
    if bad:
        print("  warning: %d list entries whose 'earlier' disagrees with "
              "the import order" % bad)
    print()
    if not pairs:
        print("no pair has both reports in the vault (raise --limit)")
        return
    print_figures(pairs)
    print_roc(pairs)
    print_times(times, inproc, base, len(seqs))
    if args.fit:
        print_fit(pairs)
    print("run time: %.0f s (building and importing %.0f s)" % (
        time.perf_counter() - t_start, t_built - t_start))


if __name__ == "__main__":
    main()
