# SPDX-License-Identifier: Apache-2.0
# airlock-pack check: good drafts pass, every bad one is refused with its
# line, and check never changes the draft.
. "$(dirname "$0")/lib.sh"

D="$WORK/good"
make_draft "$D"
run "$PACK" check "$D"
check "a complete draft passes (exit 0)" expect_exit 0
check "check says the draft is ready" err_has "ready to seal"
check "check shows the proposed vector's base score and rating" \
    err_has "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N: base score 5.4 (medium)"

run "$PACK" check --json "$D"
check "check --json gives ok true and no problems" \
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["ok"] is True and d["problems"]==[] and d["report"]=="3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60"' "$WORK/out"

# bad_draft NAME SED-EXPR EXPECTED-TEXT: a copy of the good draft edited by
# sed must be refused, naming EXPECTED-TEXT, and left unchanged.
bad_draft() {
    local name=$1 expr=$2 want=$3 d="$WORK/bad-$AL_T"
    cp -r "$D" "$d"
    sed -i "$expr" "$d/report.md"
    local before; before=$(tree_sum "$d")
    run "$PACK" check "$d"
    if expect_exit 1 && err_has "$want" && [ "$(tree_sum "$d")" = "$before" ]; then
        ok "$name"
    else
        not_ok "$name (want exit 1 and '$want')"
    fi
}

bad_draft "an invalid CVSS vector is refused with its line" \
    's#^CVSS: .*#CVSS: CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:X#' "report.md:6:"
bad_draft "a CVSS vector missing a metric is refused" \
    's#^CVSS: .*#CVSS: CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L#' "report.md:6:"
bad_draft "a CVSS v4.0 vector with a bad value is refused" \
    's#^CVSS: .*#CVSS: CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:Q#' "report.md:6:"
bad_draft "a malformed Affected line is refused with its line" \
    's#^Affected: .*#Affected: chatwoot 4.0#' "report.md:7:"
bad_draft "an Affected line with an unknown comparator is refused" \
    's#^Affected: .*#Affected: npm/chatwoot ~>4.0.0#' "report.md:7:"
bad_draft "an Affected line with an invalid semantic version is refused" \
    's#^Affected: .*#Affected: npm/chatwoot >=4.0 <4.2.1#' "report.md:7:"
bad_draft "a missing steps section is refused" \
    '/^## Steps to reproduce/,/^## Impact/{/^## Impact/!d}' "report.md"
bad_draft "a missing title is refused" '/^Title:/d' "title"
bad_draft "an unknown class is refused naming the allowed ones" \
    's/^Class: .*/Class: clickjacking/' "report.md:4:"
bad_draft "an unknown header is refused with its line" \
    '1a Colour: blue' "report.md:2:"
bad_draft "a repeated Title is refused" '2a Title: again' "report.md:3:"
bad_draft "a malformed CWE is refused" 's/^CWE: .*/CWE: XSS/' "report.md:5:"
bad_draft "an invalid report id is refused" 's/^Id: .*/Id: not-a-uuid/' "report.md:1:"
bad_draft "an unknown rating is refused" '2a Rating: urgent' "report.md:3:"
bad_draft "an unknown credit choice is refused" 's/^Credit: .*/Credit: everyone/' "report.md:9:"
bad_draft "a title with a terminal escape is refused" \
    's/^Title: .*/Title: evil \x1b[2J title/' "report.md:2:"

# several problems at once: all listed
d="$WORK/many"; cp -r "$D" "$d"
sed -i -e 's/^Class: .*/Class: nope/' -e 's/^CWE: .*/CWE: 79x/' \
    -e 's#^CVSS: .*#CVSS: CVSS:3.1/AV:Z#' "$d/report.md"
run "$PACK" check "$d"
check "every problem is listed at once" \
    sh -c "[ $RC -eq 1 ] && grep -q 'report.md:4:' '$WORK/err' && grep -q 'report.md:5:' '$WORK/err' && grep -q 'report.md:6:' '$WORK/err'"
run "$PACK" check --json "$d"
check "check --json lists the problems with their lines" \
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["ok"] is False; assert {4,5,6} <= {p["line"] for p in d["problems"] if p["file"]=="report.md"}' "$WORK/out"

# attachments that are not regular files
d="$WORK/symlink"; cp -r "$D" "$d"; ln -s /etc/passwd "$d/attachments/passwd"
before=$(tree_sum "$d")
run "$PACK" check "$d"
check "an attachment that is a symlink is refused" \
    sh -c "[ $RC -eq 1 ] && grep -q 'attachments/passwd: is a symbolic link' '$WORK/err'"
check "the refused draft is unchanged" test "$(tree_sum "$d")" = "$before"

d="$WORK/fifo"; cp -r "$D" "$d"; mkfifo "$d/attachments/pipe"
run timeout 20 "$PACK" check "$d"
check "an attachment that is a named pipe is refused (and not read)" \
    sh -c "[ $RC -eq 1 ] && grep -q 'attachments/pipe: is a named pipe' '$WORK/err'"

d="$WORK/dev"; cp -r "$D" "$d"
if mknod "$d/attachments/null" c 1 3 2>/dev/null; then
    run timeout 20 "$PACK" check "$d"
    check "an attachment that is a device is refused" \
        sh -c "[ $RC -eq 1 ] && grep -q 'attachments/null: is a character device' '$WORK/err'"
else
    echo "ok $((AL_T += 1)) - an attachment that is a device is refused # SKIP mknod needs root"
fi

d="$WORK/linkdir"; cp -r "$D" "$d"; rm -rf "$d/attachments"; ln -s /etc "$d/attachments"
run "$PACK" check "$d"
check "an attachments folder that is a symlink is refused" \
    sh -c "[ $RC -eq 1 ] && grep -q 'attachments: is a symbolic link' '$WORK/err'"

d="$WORK/fold"; cp -r "$D" "$d"; echo a >"$d/attachments/Notes.txt"; echo b >"$d/attachments/notes.TXT"
run "$PACK" check "$d"
check "two attachments whose names differ only in case are refused" \
    sh -c "[ $RC -eq 1 ] && grep -q 'once case is ignored' '$WORK/err'"

d="$WORK/ctl"; cp -r "$D" "$d"; echo x >"$d/attachments/$(printf 'bad\033name')"
run "$PACK" check "$d"
check "an attachment name with a control character is refused, shown escaped" \
    sh -c "[ $RC -eq 1 ] && grep -qF 'bad\\x1bname' '$WORK/err'"

d="$WORK/longname"; cp -r "$D" "$d"; echo x >"$d/attachments/$(printf 'x%.0s' $(seq 250))"
run "$PACK" check "$d"
check "a name over 255 bytes is refused with the rule still readable" \
    sh -c "[ $RC -eq 1 ] && grep -q 'more than the limit of 255' '$WORK/err'"

d="$WORK/secret"; cp -r "$D" "$d"
printf -- '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nxx\n-----END PGP PRIVATE KEY BLOCK-----\n' >"$d/reply.asc"
run "$PACK" check "$d"
check "a reply.asc holding a secret key is refused" \
    sh -c "[ $RC -eq 1 ] && grep -q 'reply.asc: ' '$WORK/err'"

d="$WORK/nested"; cp -r "$D" "$d"; mkdir -p "$d/attachments/logs/2026"; echo log >"$d/attachments/logs/2026/a.log"
run "$PACK" check "$d"
check "attachments in sub-folders are accepted" expect_exit 0

run "$PACK" check "$WORK/nowhere"
check "a missing draft folder is refused (exit 1)" sh -c "[ $RC -eq 1 ] && grep -q 'not a draft folder' '$WORK/err'"

d="$WORK/nul"; cp -r "$D" "$d"; printf 'Title: a\0b\n' >"$d/report.md"
run "$PACK" check "$d"
check "a report.md with a NUL byte is refused, not crashed on" expect_exit 1

done_testing
