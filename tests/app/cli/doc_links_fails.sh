#!/usr/bin/env bash
# tests/app/cli/doc_links.py fails on each kind of citation a fresh clone cannot follow, naming
# the page, line and target, and passes the same page once every citation resolves.
#   doc_links_fails.sh SOURCE_DIR WORK_DIR
set -euo pipefail
src=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

cat >"$work/broken.md" <<'DOC'
# A page with one good and five bad citations
The method is in docs/method.md and [the command line](docs/cli.md#exit-codes).
The step numbers come from METHOD.md.
See [the lab](missing-lab.md) for the layout.
Rules live in scanner/src/no_such_file.cpp (ported).
The policy is /work/shared/docs/CONDUCT.md.
A page outside the tree: [peers](../../outside/PEERS.md).
Families are not files: tests/cmake/*.cmake, scripts/bench.d/NAME, build/mxscan.
DOC
set +e
out=$(python3 "$src/tests/app/cli/doc_links.py" "$src" "$work/broken.md" 2>&1)
rc=$?
set -e
echo "$out"
[[ $rc == 1 ]] || fail "exit $rc for a page with missing targets, expected 1"
for expect in "broken.md:3: METHOD.md" "broken.md:4: missing-lab.md" \
  "broken.md:5: scanner/src/no_such_file.cpp" "broken.md:6: /work/shared/docs/CONDUCT.md" \
  "broken.md:7: ../../outside/PEERS.md" "5 missing targets"; do
  grep -qF -- "$expect" <<<"$out" || fail "output does not name '$expect'"
done
for good in docs/method.md docs/cli.md "tests/cmake" NAME build/mxscan; do
  if grep "^missing:" <<<"$out" | grep -qF -- "$good"; then fail "reported '$good', which resolves"; fi
done

# The same page with its citations repaired passes.
sed -e 's/METHOD\.md/docs\/method.md/' -e 's/missing-lab\.md/docs\/lab.md/' \
  -e 's/no_such_file\.cpp/names.cpp/' -e 's/^The policy is .*/The policy is docs\/conduct.md./' \
  -e 's/^A page outside.*//' -e 's/scanner\/src\/names/common\/src\/names/' \
  "$work/broken.md" >"$work/fixed.md"
python3 "$src/tests/app/cli/doc_links.py" "$src" "$work/fixed.md" || fail "the repaired page fails"
echo "PASS"
