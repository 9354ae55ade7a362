# SPDX-License-Identifier: Apache-2.0
# airlock-pack new, --help, usage errors.
. "$(dirname "$0")/lib.sh"

run "$PACK" new "$WORK/d1"
check "new makes a draft folder" expect_exit 0
check "new writes report.md and attachments/" test -f "$WORK/d1/report.md" -a -d "$WORK/d1/attachments"
id=$(sed -n 's/^Id: *//p' "$WORK/d1/report.md")
check "new gives a lowercase UUID v4 id" \
    python3 -c 'import sys,uuid; u=uuid.UUID(sys.argv[1]); assert u.version==4 and str(u)==sys.argv[1]' "$id"
run "$PACK" new "$WORK/d2"
id2=$(sed -n 's/^Id: *//p' "$WORK/d2/report.md")
check "each new draft has a fresh id" test "$id" != "$id2"
check "the draft folder is private (0700)" test "$(stat -c %a "$WORK/d2")" = 700

before=$(tree_sum "$WORK/d1")
run "$PACK" new "$WORK/d1"
check "new refuses an existing folder (exit 1)" expect_exit 1
check "the refusal names the folder" err_has "already exists"
check "the refused folder is unchanged" test "$(tree_sum "$WORK/d1")" = "$before"

RC=0; under_strace -e inject=write:error=ENOSPC -- \
    "$PACK" new "$WORK/d3" >"$WORK/out" 2>"$WORK/err" || RC=$?
check "new that cannot write report.md fails and leaves no folder behind" \
    sh -c "[ $RC -eq 1 ] && [ ! -e '$WORK/d3' ]"

mkdir "$WORK/empty"
run "$PACK" new "$WORK/empty"
check "new accepts an existing empty folder" expect_exit 0

run "$PACK" check "$WORK/d1"
check "a fresh template is not ready to seal (exit 1)" expect_exit 1
check "the template's problems say what is missing, at the empty header's line" \
    err_has "report.md:9: missing title"
check "no problem is reported for the template's own syntax" \
    sh -c "! grep -E 'report.md:[0-9]+: (unknown|repeated)' '$WORK/err'"

run "$PACK" --help
check "--help exits 0 and lists the commands" sh -c "[ $RC -eq 0 ] && grep -q seal '$WORK/out'"
for c in new check seal; do
    run "$PACK" $c --help
    check "$c --help exits 0" sh -c "[ $RC -eq 0 ] && grep -q 'usage: airlock-pack $c' '$WORK/out'"
done
run "$PACK" frobnicate
check "an unknown command is a usage error (exit 2)" expect_exit 2
check "the message names the command" err_has "'frobnicate' is not an airlock-pack command"
run "$PACK" new
check "new without DIR is a usage error" expect_exit 2
run "$PACK" seal "$WORK/d1"
check "seal without --to or --policy is a usage error" expect_exit 2
run "$PACK" --version
check "--version prints the version" out_has "airlock-pack "

done_testing
