#!/usr/bin/env bash
# `mxscan infer --stream` reads its files twice (the streaming merge, the
# default above 2 GiB of input), `--in-memory` holds one batch; both paths must write the same
# providers.jsonl (up to line order: docs/formats.md), summary.csv and
# summary.json, on the bundled sample and on a generated campaign of shard
# folders with a domain present in two folders, a hand-written record and
# malformed lines.
#   tests/app/cli/infer_streaming.sh MXSCAN GEN_OBSERVATIONS SOURCE_DIR WORK_DIR
set -euo pipefail
mxscan=$1 gen=$2 src=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
providers=(--providers "$src/configs/providers.toml")

# Runs both paths over the inputs after the name; compares their outputs.
both() {
  local name=$1
  shift
  "$mxscan" infer --stream "$@" "${providers[@]}" -o "$work/$name-stream" >"$work/$name-stream.out" \
    2>"$work/$name-stream.err" || fail "$name: streaming exit $? ($(cat "$work/$name-stream.err"))"
  "$mxscan" infer --in-memory "$@" "${providers[@]}" -o "$work/$name-mem" >"$work/$name-mem.out" \
    2>"$work/$name-mem.err" || fail "$name: in-memory exit $? ($(cat "$work/$name-mem.err"))"
  cmp "$work/$name-stream/summary.csv" "$work/$name-mem/summary.csv" || fail "$name: summary.csv differs"
  cmp "$work/$name-stream/summary.json" "$work/$name-mem/summary.json" \
    || fail "$name: summary.json differs"
  sort "$work/$name-stream/providers.jsonl" >"$work/$name-stream.sorted"
  sort "$work/$name-mem/providers.jsonl" >"$work/$name-mem.sorted"
  cmp "$work/$name-stream.sorted" "$work/$name-mem.sorted" || fail "$name: providers.jsonl differs"
  [ -s "$work/$name-stream.sorted" ] || fail "$name: no results"
  for f in malformed.txt hosts.jsonl; do
    if [ -e "$work/$name-mem/$f" ]; then
      cmp <(sort "$work/$name-stream/$f") <(sort "$work/$name-mem/$f") || fail "$name: $f differs"
    else
      [ ! -e "$work/$name-stream/$f" ] || fail "$name: $f only from the streaming path"
    fi
  done
  # The printed totals and top table are the same too.
  cmp <(sed "s#$work/$name-stream#OUT#" "$work/$name-stream.out") \
    <(sed "s#$work/$name-mem#OUT#" "$work/$name-mem.out") || fail "$name: printed summary differs"
}

# 1. The sample: even the line order is the same (one folder, records in line order).
both sample "$src/tests/data/sample"
cmp "$work/sample-stream/providers.jsonl" "$work/sample-mem/providers.jsonl" \
  || fail "sample: providers.jsonl line order differs"

# 2. A campaign: 4 resolve folders, one probe folder, plus a folder repeating
#    part of resolve-1 with other answers (a domain in two folders), a record
#    not written by mxscan (schema last) and malformed lines.
"$gen" --domains 20000 --shards 4 -o "$work/campaign" 2>/dev/null
mkdir -p "$work/campaign/again"
head -300 "$work/campaign/resolve-1/domains.jsonl" | sed 's/"mx_status":"ok"/"mx_status":"servfail"/' \
  >"$work/campaign/again/domains.jsonl"
head -200 "$work/campaign/resolve-2/domains.jsonl" >>"$work/campaign/again/domains.jsonl"
printf '%s\n' '{"domain":"hand.example","mx_status":"nodata","mx":[],"schema":"mxscan/domain/1"}' \
  'not json at all' '{"schema":"mxscan/domain/1","domain":"cut.example","mx":[' \
  >>"$work/campaign/again/domains.jsonl"
both campaign "$work"/campaign/resolve-* "$work/campaign/probe" "$work/campaign/again"
jq -e '.batch.duplicate_domains == 500 and .malformed_lines == 2 and .domains_total == 20001' \
  "$work/campaign-stream/summary.json" >/dev/null \
  || fail "campaign totals: $(jq -c '{batch, malformed_lines, domains_total}' "$work/campaign-stream/summary.json")"
grep -q '"domain":"hand.example","status":"no_mx"' "$work/campaign-stream/providers.jsonl" \
  || fail "the hand-written record is lost"
[ "$(wc -l <"$work/campaign-stream/malformed.txt")" -eq 2 ] || fail "malformed.txt: each line once"
grep -q 'again/domains.jsonl:502: ' "$work/campaign-stream.err" || fail "no file:line report"
grep -q 'again/domains.jsonl:503: ' "$work/campaign-stream.err" || fail "no file:line report"
# Streaming keeps each file's order: resolve-0's results come first, in its order.
head -5 "$work/campaign/resolve-0/domains.jsonl" | jq -r .domain >"$work/first.want"
head -5 "$work/campaign-stream/providers.jsonl" | jq -r .domain >"$work/first.got"
cmp "$work/first.want" "$work/first.got" || fail "streamed order is not the files' order"

# 3. Small inputs take the in-memory path by default: input-line order.
"$mxscan" infer "$work"/campaign/resolve-* "$work/campaign/probe" "${providers[@]}" \
  -o "$work/default" >/dev/null 2>&1 || fail "default: exit $?"
"$mxscan" infer --in-memory "$work"/campaign/resolve-* "$work/campaign/probe" "${providers[@]}" \
  -o "$work/default-mem" >/dev/null 2>&1 || fail "default-mem: exit $?"
cmp "$work/default/providers.jsonl" "$work/default-mem/providers.jsonl" \
  || fail "a small merge does not default to the in-memory path"

# 4. Refusals: exit 2, a message, OUT not created.
set +e
"$mxscan" infer --stream --from zdns "$src/tests/data/sample/domains.jsonl" "${providers[@]}" \
  -o "$work/refused" >/dev/null 2>"$work/refused.err"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "--stream with --from: exit $rc"
grep -q -- "--stream reads files twice; --from imports are read once" "$work/refused.err" \
  || fail "--stream with --from: $(cat "$work/refused.err")"
[ ! -e "$work/refused" ] || fail "--stream with --from created OUT"
set +e
"$mxscan" infer --stream --in-memory "$src/tests/data/sample" "${providers[@]}" -o "$work/refused" \
  >/dev/null 2>"$work/refused2.err"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "--stream with --in-memory: exit $rc"
grep -q "excludes" "$work/refused2.err" || fail "--stream with --in-memory: $(cat "$work/refused2.err")"
[ ! -e "$work/refused" ] || fail "--stream with --in-memory created OUT"

echo "PASS: streaming and in-memory merges agree"
