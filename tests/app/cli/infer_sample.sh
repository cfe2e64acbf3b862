#!/usr/bin/env bash
# `mxscan infer` on the bundled sample (tests/data/sample): expected provider IDs
# and flags per domain, well-formed outputs, malformed lines reported and
# skipped, documented exit codes.
#   tests/app/cli/infer_sample.sh MXSCAN SOURCE_DIR WORK_DIR
set -euo pipefail
mxscan=$1 src=$2 work=$3
sample=$src/tests/data/sample
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. The sample: exit 0, expected providers for every domain.
"$mxscan" infer "$sample" -o "$work/out" >"$work/stdout" 2>"$work/stderr" \
  || fail "exit $? (stderr: $(cat "$work/stderr"))"
for f in providers.jsonl summary.csv summary.json; do [ -s "$work/out/$f" ] || fail "no $f"; done
[ ! -e "$work/out/malformed.txt" ] || fail "malformed.txt written for a clean sample"
jq -e . "$work/out/providers.jsonl" >/dev/null || fail "providers.jsonl is not JSON Lines"
jq -e . "$work/out/summary.json" >/dev/null || fail "summary.json is not JSON"
jq -r '[.domain, .status, (.providers | map(.id // "-") | join(",")),
        (.providers | map(.flag // "-") | join(","))] | @tsv' "$work/out/providers.jsonl" \
  | sort >"$work/actual.tsv"
grep -v '^#' "$sample/expected.tsv" | sort >"$work/expected.tsv"
diff -u "$work/expected.tsv" "$work/actual.tsv" >"$work/diff" \
  || fail "providers differ from tests/data/sample/expected.tsv:
$(cat "$work/diff")"

# Every field of providers.jsonl (docs/formats.md), on every provider entry.
jq -e -s 'all(.[]; has("domain") and has("status") and has("providers")) and
          all(.[].providers[]; has("mx") and has("id") and has("company") and has("source")
              and has("score") and has("credit") and has("flag") and has("original_id"))' \
  "$work/out/providers.jsonl" >/dev/null || fail "a providers.jsonl field is missing"
# Credit sums to 1 per domain with a provider.
jq -e -s 'all(.[] | select(.status == "ok"); ((.providers | map(.credit) | add) - 1 | fabs) < 1e-9)' \
  "$work/out/providers.jsonl" >/dev/null || fail "credit does not sum to 1"
jq -e '.domains_total == 29 and .malformed_lines == 0 and .domains_with_provider == 21
       and .denominators.share_of_all == "domains_total"
       and ((([.by_id[].credit] | add) + .credit_without_id - .domains_with_provider) | fabs) < 1e-9' \
  "$work/out/summary.json" >/dev/null || fail "summary.json totals: $(head -c 600 "$work/out/summary.json")"
head -1 "$work/out/summary.csv" | grep -q '^level,key,company,credit,domains,share_of_with_provider,share_of_all' \
  || fail "summary.csv header"
grep -q '^id,google.com,Google,' "$work/out/summary.csv" || fail "summary.csv lacks google.com"
grep -Eq '^ *1  google\.com +Google ' "$work/stdout" || fail "top table: $(cat "$work/stdout")"

# 2. Several inputs (folder + files) merge into one batch; malformed lines are
#    reported with file:line, counted and skipped.
mkdir -p "$work/extra"
printf '%s\n' '{"schema":"mxscan/domain/1","domain":"late.example","mx_status":"nodata","mx":[]}' \
  'this is not json' \
  '{"schema":"mxscan/domain/1","domain":"x.example","mx":[]}' >"$work/extra/more.jsonl"
"$mxscan" infer "$sample" "$work/extra/more.jsonl" -o "$work/out2" >"$work/stdout2" 2>"$work/stderr2" \
  || fail "exit $? with malformed lines"
grep -q "more.jsonl:2: " "$work/stderr2" || fail "no file:line report: $(cat "$work/stderr2")"
grep -q "more.jsonl:3: .*mx_status" "$work/stderr2" || fail "no missing-field report"
[ "$(wc -l <"$work/out2/malformed.txt")" -eq 2 ] || fail "malformed.txt"
jq -e '.domains_total == 30 and .malformed_lines == 2' "$work/out2/summary.json" >/dev/null \
  || fail "summary.json with malformed lines"
grep -q '"domain":"late.example","status":"no_mx"' "$work/out2/providers.jsonl" || fail "merged input lost"

# 3. Exit codes: 2 for usage errors.
set +e
"$mxscan" infer "$work/does-not-exist" -o "$work/out3" 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "missing input: exit $rc, want 2"
"$mxscan" infer "$sample" 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "missing -o: exit $rc, want 2"
"$mxscan" infer "$sample" -o "$work/out4" --providers "$work/none.toml" 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "unreadable providers config: exit $rc, want 2"
[ ! -e "$work/out4" ] || fail "unreadable providers config: $work/out4 was created"
# A write error while writing providers.jsonl (on the writer thread): exit 1, said
# clearly. OUT must be a new folder, so the error comes from a file size limit of 0
# (SIGXFSZ ignored: write(2) fails with EFBIG); stderr goes through a pipe, which the
# limit does not touch.
(trap '' XFSZ; ulimit -f 0; exec "$mxscan" infer "$sample" -o "$work/out5" 2>&1 >/dev/null) \
  | cat >"$work/stderr5"; rc=${PIPESTATUS[0]}
[ $rc -eq 1 ] || fail "write error: exit $rc, want 1 ($(cat "$work/stderr5"))"
grep -q "providers.jsonl: File too large" "$work/stderr5" || fail "write error: $(cat "$work/stderr5")"
set -e
echo "infer sample: all checks passed"
