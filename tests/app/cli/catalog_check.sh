#!/usr/bin/env bash
# `mxscan catalog check`: the shipped catalog is clean (exit 0); a broken one has
# every problem listed at its file:line (exit 1); a catalog that does not parse is
# a problem too (exit 1); a missing catalog or list is a usage error (exit 2).
# The command only reads: the folder it runs in stays empty.
#   tests/app/cli/catalog_check.sh MXSCAN SOURCE_DIR WORK_DIR
set -euo pipefail
mxscan=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work/cwd"
fail() { echo "FAIL: $*" >&2; exit 1; }
run() {  # run EXPECTED_EXIT ARGS...: stdout/stderr into $work/out, $work/err
  local want=$1 rc=0
  shift
  (cd "$work/cwd" && "$mxscan" catalog check "$@") >"$work/out" 2>"$work/err" || rc=$?
  [ "$rc" -eq "$want" ] || fail "mxscan catalog check $* exited $rc, not $want
stdout: $(cat "$work/out")
stderr: $(cat "$work/err")"
}

# 1. The shipped catalog, named and found by the default search.
shipped=$src/configs/providers.toml
run 0 --providers "$shipped"
grep -qx "$shipped: [0-9]* companies, [0-9]* VPS rules, [0-9]* example names: clean" "$work/out" \
  || fail "no clean summary: $(cat "$work/out")"
[ "$(wc -l <"$work/out")" -eq 1 ] || fail "a clean catalog printed problems: $(cat "$work/out")"
[ ! -s "$work/err" ] || fail "stderr on a clean catalog: $(cat "$work/err")"
run 0
grep -q "providers.toml: .*: clean$" "$work/out" || fail "default catalog: $(cat "$work/out")"

# 2. A broken catalog: every problem, at the line of its entry, and exit 1.
broken=$src/tests/inference/data/catalog_check_broken.toml
run 1 --providers "$broken"
for want in \
  "$broken:13: pattern matches nothing: VPS rule 2 for 'hoster.net' decides none of the block's examples" \
  "$broken:18: VPS rules of no company: VPS rules for 'nobody.net', which no company claims" \
  "shared ID: provider ID 'shared.net' is claimed by Hoster and Filter" \
  "shared ID: provider ID 'hoster.net' of Hoster also matches 'hoster\*.net' of Greedy" \
  "no source: Filter has no sources" \
  "pattern matches nothing: ID pattern 'filter-\*.net' of Filter matches none of its examples" \
  "pattern matches nothing: ID pattern 'hoster\*.net' of Greedy matches none of its examples" \
  "example not mapped: example 'mx.unknown.net' of Filter has ID 'unknown.net', which no company claims"; do
  grep -q -- "$want" "$work/out" || fail "missing problem: $want
got: $(cat "$work/out")"
done
tail -1 "$work/out" | grep -qx "$broken: 3 companies, 2 VPS rules, 6 example names: 8 problem(s)" \
  || fail "summary: $(tail -1 "$work/out")"
[ "$(grep -c "^$broken:[0-9]*: " "$work/out")" -eq 8 ] || fail "not 8 problem lines: $(cat "$work/out")"

# 3. A catalog that does not parse: its file:line:column, exit 1.
printf '[[company]]\nname = "A"\nids = ["a.net"]\nasns = [1]\ncolour = "red"\n' >"$work/bad.toml"
run 1 --providers "$work/bad.toml"
grep -q "^mxscan catalog check: $work/bad.toml:5:1: unknown key 'colour' in \[\[company\]\]" "$work/err" \
  || fail "parse error: $(cat "$work/err")"

# 4. Usage errors: no such catalog, a file that is no public suffix list, no action.
run 2 --providers "$work/none.toml"
grep -q "^mxscan catalog check: $work/none.toml: no such file (--providers)" "$work/err" \
  || fail "missing catalog: $(cat "$work/err")"
echo "not a list" >"$work/psl.dat"
run 2 --providers "$shipped" --psl-file "$work/psl.dat"
grep -q "$work/psl.dat: not a public suffix list" "$work/err" || fail "bad list: $(cat "$work/err")"
rc=0
"$mxscan" catalog >"$work/out" 2>"$work/err" || rc=$?
[ "$rc" -eq 2 ] || fail "mxscan catalog without an action exited $rc"

# 5. Its help is its own: no scan option, its own exit codes.
"$mxscan" catalog check --help >"$work/out"
grep -q -- "--providers" "$work/out" && grep -q "Exit codes: 0 clean, 1 any problem" "$work/out" \
  || fail "help: $(cat "$work/out")"
if grep -qE -- "--(domains|rate|ehlo-name|resume)" "$work/out"; then fail "help shows scan options"; fi

# 6. Nothing was written where it ran.
[ -z "$(ls -A "$work/cwd")" ] || fail "files written: $(ls -A "$work/cwd")"
echo "catalog_check: shipped catalog clean, 8 problems of the broken one, errors as documented"
