#!/usr/bin/env bash
# `mxscan diff` on the fixtures of tests/data/diff (expected matrix, gains and
# losses, changed domains, files and exit codes), and `mxscan infer --from` on
# the import fixtures of tests/data/import: ZDNS + ZGrab2 (+ pfx2as) and ZDNS +
# Censys give the providers.jsonl of the native files describing the same scan;
# malformed lines are listed with file:line and are not fatal.
#   tests/app/cli/diff_import.sh MXSCAN SOURCE_DIR WORK_DIR
set -euo pipefail
mxscan=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
providers=$src/configs/providers.toml
diffs=$src/tests/data/diff
imp=$src/tests/data/import

# 1. diff
"$mxscan" diff "$diffs/old" "$diffs/new" -o "$work/diff" >"$work/diff.out" 2>&1 || fail "diff: $(cat "$work/diff.out")"
grep -q "6 domains in OLD, 6 in NEW, 5 in both; 5 changed; 5.00 domains' worth of credit moved" "$work/diff.out" \
  || fail "diff summary: $(cat "$work/diff.out")"
diff -u "$diffs/expected_matrix.csv" "$work/diff/migration_matrix.csv" || fail "migration matrix differs"
grep -qx 'google.com,Google,1.5,3,1.5,2,0.5,2,3' "$work/diff/provider_changes.csv" || fail "google.com gains"
grep -qx 'alpha.example,,1,0,-1,0,1,1,0' "$work/diff/provider_changes.csv" || fail "alpha.example losses"
[ "$(tail -n +2 "$work/diff/changed_domains.csv" | cut -d, -f1 | tr '\n' ' ')" = \
  "alpha.example delta.example epsilon.example gamma.example zeta.example " ] || fail "changed domains"
grep -qx 'delta.example,no_smtp,ok,(no provider),other,,delta.example=1' "$work/diff/changed_domains.csv" \
  || fail "delta.example row"
jq -e '.schema == "mxscan/diff/1" and .changed_domains == 5 and (.matrix | length) == 8
       and (.providers | map(select(.id == "delta.example"))[0].net) == 1' "$work/diff/diff.json" >/dev/null \
  || fail "diff.json"
"$mxscan" diff "$diffs/old" "$diffs/old" >"$work/same.out" || fail "diff of a folder with itself"
grep -q "0 changed; 0.00 domains' worth" "$work/same.out" || fail "a folder differs from itself"
set +e
"$mxscan" diff "$diffs/old" "$work/nowhere" >/dev/null 2>"$work/err"; rc=$?
set -e
[ "$rc" = 2 ] || fail "missing NEW: exit $rc, want 2"
grep -q "no providers.jsonl" "$work/err" || fail "missing NEW: message"

# 2. infer --from: imported == native
"$mxscan" infer "$imp/native" -o "$work/native" --providers "$providers" >/dev/null 2>&1 || fail "infer native"
"$mxscan" infer --from zdns "$imp/zdns.jsonl" --from zgrab2 "$imp/zgrab2.jsonl" --pfx2as "$imp/pfx2as.txt" \
  -o "$work/zz" --providers "$providers" >"$work/zz.out" 2>&1 || fail "infer --from: $(cat "$work/zz.out")"
diff -u "$work/native/providers.jsonl" "$work/zz/providers.jsonl" || fail "ZDNS+ZGrab2 != native"
grep -q "29 domain and 21 host records from 2 files, 0 malformed" "$work/zz.out" || fail "counts: $(cat "$work/zz.out")"
jq -e '.inputs | map(.path) | index("zdns:'"$imp/zdns.jsonl"'") != null' "$work/zz/summary.json" >/dev/null \
  || fail "summary.json does not name the imported files"
mkdir -p "$work/nc" && cp "$imp/native/domains.jsonl" "$work/nc/" && cp "$imp/native/hosts_censys.jsonl" "$work/nc/hosts.jsonl"
"$mxscan" infer "$work/nc" -o "$work/native_censys" --providers "$providers" >/dev/null 2>&1 || fail "infer native censys"
"$mxscan" infer --from zdns "$imp/zdns.jsonl" --from censys "$imp/censys.jsonl" -o "$work/zc" \
  --providers "$providers" >/dev/null 2>&1 || fail "infer --from censys"
diff -u "$work/native_censys/providers.jsonl" "$work/zc/providers.jsonl" || fail "ZDNS+Censys != native"

# 3. malformed import lines: listed, not fatal; native inputs and imports combine.
{ head -n 3 "$imp/zgrab2.jsonl"; echo '{"ip":"192.0.2.1"'; echo '{"ip":"192.0.2.1","data":{"smtp":{"status":"bogus"}}}'; } >"$work/bad.jsonl"
"$mxscan" infer "$imp/native/domains.jsonl" --from zgrab2 "$work/bad.jsonl" -o "$work/bad" --providers "$providers" \
  >"$work/bad.out" 2>&1 || fail "malformed lines were fatal: $(cat "$work/bad.out")"
grep -q "^$work/bad.jsonl:4: invalid JSON" "$work/bad/malformed.txt" || fail "line 4 not listed: $(cat "$work/bad/malformed.txt")"
grep -q "^$work/bad.jsonl:5: unknown ZGrab2 status \"bogus\"" "$work/bad/malformed.txt" || fail "line 5 not listed"
set +e
"$mxscan" infer --from zmap "$work/bad.jsonl" -o "$work/x" --providers "$providers" >/dev/null 2>"$work/err"; rc=$?
set -e
[ "$rc" = 2 ] || fail "unknown kind: exit $rc, want 2"
grep -q "unknown kind; use zdns, zgrab2 or censys" "$work/err" || fail "unknown kind: message"
echo PASS
