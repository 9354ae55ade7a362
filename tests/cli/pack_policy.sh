# SPDX-License-Identifier: Apache-2.0
# Policy kits made with plain gpg: pinned, verified, expiry, scope, and
# the recipients they name.
. "$(dirname "$0")/lib.sh"

M=$(gen_key maintainer) || { echo "Bail out! cannot generate keys"; exit 1; }
M2=$(gen_key second)
OTHER=$(gen_key stranger)
check "test keys were generated" test -n "$M" -a -n "$M2" -a -n "$OTHER"

# make_kit DIR SIGNER [EXTRA-JSON]: a kit as maintainers would publish it
make_kit() {
    local dir=$1 signer=$2 extra=${3:-}
    mkdir -p "$dir"
    cat >"$dir/policy.json" <<JSON
{
  "airlock_policy": 1,
  "project": "chatwoot",
  "contact": "security@example.org",
  "recipients": ["$M", "$M2"],
  "expires": "2099-01-01T00:00:00Z"$extra
}
JSON
    gpg --batch --yes --armor --local-user "$signer" --detach-sign -o "$dir/policy.json.asc" "$dir/policy.json"
    gpg --batch --armor --export "$M" "$M2" >"$dir/keys.asc"
}

KIT="$WORK/kit"
make_kit "$KIT" "$M"
D="$WORK/draft"
make_draft "$D"

run "$PACK" check "$D" --policy "$KIT" --policy-key "$M"
check "a draft within a good, pinned kit passes" sh -c "[ $RC -eq 0 ] && grep -q 'within the policy' '$WORK/err'"
run "$PACK" check "$D" --policy "$KIT/policy.json" --policy-key "$M"
check "the kit may be named by its policy.json" expect_exit 0

run "$PACK" check "$D" --policy "$KIT"
check "a kit without --policy-key is a usage error (exit 2)" sh -c "[ $RC -eq 2 ] && grep -q -- '--policy-key' '$WORK/err'"

run "$PACK" check "$D" --policy "$KIT" --policy-key "$OTHER"
check "a kit signed by another key than the pin is refused (exit 3)" sh -c "[ $RC -eq 3 ] && grep -q '$OTHER' '$WORK/err'"

T="$WORK/tampered"; cp -r "$KIT" "$T"; sed -i 's/"chatwoot"/"chatwoot2"/' "$T/policy.json"
run "$PACK" check "$D" --policy "$T" --policy-key "$M"
check "a tampered policy.json is refused (exit 3)" expect_exit 3

S="$WORK/stranger-kit"; make_kit "$S" "$OTHER"
gpg --batch --armor --export "$M" "$M2" "$OTHER" >"$S/keys.asc"
run "$PACK" check "$D" --policy "$S" --policy-key "$M"
check "a kit signed by a stranger is refused even with the stranger's key inside (exit 3)" expect_exit 3

N="$WORK/nosig"; cp -r "$KIT" "$N"; rm "$N/policy.json.asc"
run "$PACK" check "$D" --policy "$N" --policy-key "$M"
check "a kit without its signature is refused" sh -c "[ $RC -ne 0 ] && [ $RC -le 128 ] && grep -q 'policy.json.asc' '$WORK/err'"

E="$WORK/expired"; mkdir -p "$E"
sed 's/2099-01-01/2020-01-01/' "$KIT/policy.json" >"$E/policy.json"
gpg --batch --yes --armor --local-user "$M" --detach-sign -o "$E/policy.json.asc" "$E/policy.json"
cp "$KIT/keys.asc" "$E/"
run "$PACK" check "$D" --policy "$E" --policy-key "$M"
check "an expired policy is refused" sh -c "[ $RC -eq 1 ] && grep -q 'expired' '$WORK/err'"

B="$WORK/badjson"; mkdir -p "$B"; printf '{"airlock_policy": 1, "project": "x", "recipients": ["%s"], "colour": 1}\n' "$M" >"$B/policy.json"
gpg --batch --yes --armor --local-user "$M" --detach-sign -o "$B/policy.json.asc" "$B/policy.json"; cp "$KIT/keys.asc" "$B/"
run "$PACK" check "$D" --policy "$B" --policy-key "$M"
check "a signed policy with an unknown key is refused, naming it" sh -c "[ $RC -eq 1 ] && grep -q 'colour' '$WORK/err'"

d="$WORK/scope"; cp -r "$D" "$d"; sed -i 's/^Class: .*/Class: other/' "$d/report.md"
run "$PACK" check "$d" --policy "$KIT" --policy-key "$M"
check "a class out of the policy's scope is reported with its line" \
    sh -c "[ $RC -eq 1 ] && grep -q \"report.md:4: class 'other' is out of the policy's scope\" '$WORK/err'"

d="$WORK/atonce"; cp -r "$D" "$d"
sed -i -e 's/^Class: .*/Class: other/' -e 's/^CWE: .*/CWE: 79/' "$d/report.md"
run "$PACK" check "$d" --policy "$KIT" --policy-key "$M"
check "report.md problems and policy problems are listed in the same run" \
    sh -c "[ $RC -eq 1 ] && grep -q 'report.md:5:' '$WORK/err' && grep -q \"report.md:4: class 'other' is out of\" '$WORK/err'"
d="$WORK/nosteps"; cp -r "$D" "$d"; sed -i '/^## Steps to reproduce/,/^## Impact/{/^## Impact/!d}' "$d/report.md"
run "$PACK" check "$d" --policy "$KIT" --policy-key "$M"
check "a missing section the policy also requires is reported once" \
    sh -c "[ $RC -eq 1 ] && [ \$(grep -c -i '^report.md.*steps' '$WORK/err') -eq 1 ]"

d="$WORK/project"; cp -r "$D" "$d"; sed -i 's/^Project: .*/Project: mastodon/' "$d/report.md"
run "$PACK" check "$d" --policy "$KIT" --policy-key "$M"
check "a report for another project is reported with its line" sh -c "[ $RC -eq 1 ] && grep -q 'report.md:3:' '$WORK/err'"

L="$WORK/latest"
make_kit "$L" "$M" ',
  "supported": [{"package": {"ecosystem": "npm", "name": "chatwoot"},
                 "ranges": [{"type": "SEMVER", "events": [{"introduced": "4.2.0"}]}]}],
  "required": ["description", "steps", "affected", "impact"]'
d="$WORK/old"; cp -r "$D" "$d"; sed -i 's#^Affected: .*#Affected: npm/chatwoot >=3.0.0 <3.5.0#' "$d/report.md"
run "$PACK" check "$d" --policy "$L" --policy-key "$M"
check "affected versions outside the supported ones are reported with their line" \
    sh -c "[ $RC -eq 1 ] && grep -q 'report.md:7:.*outside the versions the policy supports' '$WORK/err'"
run "$PACK" check "$D" --policy "$L" --policy-key "$M"
check "affected versions that reach a supported release pass" expect_exit 0
d="$WORK/noimpact"; cp -r "$D" "$d"; sed -i '/^## Impact/,$d' "$d/report.md"
run "$PACK" check "$d" --policy "$L" --policy-key "$M"
check "a field the policy requires (impact) is reported missing" sh -c "[ $RC -eq 1 ] && grep -q \"requires 'impact'\" '$WORK/err'"

export SOURCE_DATE_EPOCH=1795341600
run "$PACK" seal "$D" --policy "$KIT" --policy-key "$M" -o "$WORK/kit.gpg"
check "seal --policy encrypts to the kit's recipients" sh -c "[ $RC -eq 0 ] && test -s '$WORK/kit.gpg'"
pkts=$(gpg --batch --list-packets "$WORK/kit.gpg" 2>/dev/null | grep -c '^:pubkey enc packet')
check "...to both of them" test "$pkts" = 2
gpg --batch --decrypt "$WORK/kit.gpg" 2>/dev/null | tar -xOf - manifest.json >"$WORK/m.json"
check "the manifest records the SHA-256 of the policy it was checked against" \
    python3 -c 'import json,sys,hashlib; m=json.load(open(sys.argv[1])); assert m["policy_sha256"]==hashlib.sha256(open(sys.argv[2],"rb").read()).hexdigest()' "$WORK/m.json" "$KIT/policy.json"

# a policy without "expires" lasts a year from its signature (spec default)
gpg --batch --pinentry-mode loopback --passphrase '' --faked-system-time '20220101T000000!' \
    --quick-gen-key "old <old@example.org>" ed25519 sign never >>"$WORK/genkey.log" 2>&1
OLD=$(gpg --batch --with-colons --list-keys "<old@example.org>" | awk -F: '/^fpr/ {print $10; exit}')
Y="$WORK/yearold"; mkdir -p "$Y"
cat >"$Y/policy.json" <<JSON
{
  "airlock_policy": 1,
  "project": "chatwoot",
  "contact": "security@example.org",
  "recipients": ["$M", "$M2"]
}
JSON
gpg --batch --yes --armor --local-user "$OLD" --faked-system-time '20220102T000000!' \
    --detach-sign -o "$Y/policy.json.asc" "$Y/policy.json" 2>/dev/null
gpg --batch --armor --export "$M" "$M2" "$OLD" >"$Y/keys.asc"
run "$PACK" check "$D" --policy "$Y" --policy-key "$OLD"
check "a policy without expires is refused a year after it was signed" \
    sh -c "[ $RC -eq 1 ] && grep -q 'expired on 2023-01-02T00:00:00Z (a year after it was signed)' '$WORK/err'"
gpg --batch --yes --armor --local-user "$OLD" --detach-sign -o "$Y/policy.json.asc" "$Y/policy.json" 2>/dev/null
run "$PACK" check "$D" --policy "$Y" --policy-key "$OLD"
check "...and accepted within the year" expect_exit 0
gpg --batch --yes --armor --local-user "$OLD" --faked-system-time '20460101T000000!' \
    --detach-sign -o "$Y/policy.json.asc" "$Y/policy.json" 2>/dev/null
run "$PACK" check "$D" --policy "$Y" --policy-key "$OLD"
check "a kit signed in the future is refused" sh -c "[ $RC -eq 1 ] && grep -q 'in the future' '$WORK/err'"

SMALL="$WORK/small"
make_kit "$SMALL" "$M" ',
  "limits": {"manifest_bytes": 1024}'
run "$PACK" check "$D" --policy "$SMALL" --policy-key "$M"
check "check refuses a manifest over the policy's size limit (as seal would)" \
    sh -c "[ $RC -eq 1 ] && grep -q 'manifest.json: [0-9]* bytes is over the limit of 1024' '$WORK/err'"
run "$PACK" seal "$D" --policy "$SMALL" --policy-key "$M" -o "$WORK/small.gpg"
check "...and so does seal, writing nothing" sh -c "[ $RC -eq 1 ] && [ ! -e '$WORK/small.gpg' ]"

FEW="$WORK/few"
make_kit "$FEW" "$M" ',
  "limits": {"entries": 2}'
run "$PACK" check "$D" --policy "$FEW" --policy-key "$M"
check "more files than the policy's entry limit are refused" \
    sh -c "[ $RC -eq 1 ] && grep -q 'attachments: 2 files .* over the limit of 1 besides manifest.json' '$WORK/err'"

many=(); for i in $(seq 63); do many+=(--to "$M"); done
run "$PACK" seal "$D" --policy "$KIT" --policy-key "$M" "${many[@]}" -o "$WORK/many.gpg"
check "more recipients than a bundle can take (kit's 2 + 63) is refused, not overflowed" \
    sh -c "[ $RC -eq 2 ] && grep -q 'more than the 64' '$WORK/err' && [ ! -e '$WORK/many.gpg' ]"

RS="$WORK/reqsig"
make_kit "$RS" "$M" ',
  "require_signature": true'
run "$PACK" seal "$D" --policy "$RS" --policy-key "$M" -o "$WORK/unsigned.gpg"
check "a policy that requires a signature refuses an unsigned seal" \
    sh -c "[ $RC -eq 1 ] && grep -q -- '--sign' '$WORK/err' && [ ! -e '$WORK/unsigned.gpg' ]"
R=$(gen_key researcher)
run "$PACK" seal "$D" --policy "$RS" --policy-key "$M" --sign "$R" -o "$WORK/signed.gpg"
check "...and accepts a signed one" expect_exit 0

done_testing
