#!/usr/bin/env bash
# `mxscan infer` on saved observations with signals (tests/data/signals, made by its
# make_fixture.py from the bundled sample): the fields beside the paper's result in
# providers.jsonl and summary.json, the paper's fields byte for byte those of the same
# observations without signals, and signal fields absent (not false) where none were
# observed.
#   tests/app/cli/infer_signals.sh MXSCAN SOURCE_DIR WORK_DIR
set -euo pipefail
mxscan=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
fixture=$src/tests/data/signals/domains.jsonl
hosts=$src/tests/data/sample/hosts.jsonl
providers=$src/configs/providers.toml

"$mxscan" infer "$fixture" "$hosts" -o "$work/with" --providers "$providers" \
  >"$work/stdout" 2>"$work/stderr" || fail "exit $? (stderr: $(cat "$work/stderr"))"
out=$work/with/providers.jsonl
get() { jq -c --arg d "$1" "select(.domain == \$d) | $2" "$out"; }
expect() { # domain, jq filter, expected compact JSON
  local got; got=$(get "$1" "$2")
  [ "$got" = "$3" ] || fail "$1 $2: expected $3, got $got"
}

# A filtering gateway (Cisco) whose SPF names the mailbox provider (Microsoft).
expect utexas.edu '.gateway' 'true'
expect utexas.edu '.inbound' '[{"company":"Cisco","kind":"filtering"}]'
expect utexas.edu '.mailbox' '[{"company":"Microsoft","kind":"mailbox","include":"spf.protection.outlook.com"}]'
expect utexas.edu '.agreement' 'false'
expect utexas.edu '.signals.dane' '{"exchanges":1,"with_tlsa":1,"authenticated":true}'
expect utexas.edu '.signals.mta_sts' '{"id":null}'
expect utexas.edu '.signals.dmarc.policy' '"quarantine"'
# A mailbox provider at the MX: SPF agrees; a sender (Mailgun) is not a mailbox.
expect netflix.com '.gateway' 'false'
expect netflix.com '.agreement' 'true'
expect netflix.com '[.mailbox[].company]' '["Google"]'
expect netflix.com '[.signals.spf.companies[].company]' '["Google","Mailgun"]'
expect netflix.com '.signals.mta_sts.policy' '{"status":"ok","mode":"enforce","covers_mx":true}'
expect netflix.com '.signals.tls_rpt.rua_domains' '["example.co.uk"]'
expect netflix.com '.signals.dmarc.rua_domains' '["example.com"]'
# No signals observed: no signal field at all.
expect split-example.com '[has("inbound"), has("gateway"), has("mailbox"), has("agreement"), has("signals")]' \
  '[false,false,false,false,false]'

s=$work/with/summary.json
[ "$(jq -c '.signals | [.domains, .behind_gateway, .gateway_share, .gateway_mailbox]' "$s")" = \
  '[2,1,0.5,[{"gateway":"Cisco","mailbox":"Microsoft","credit":1,"domains":1}]]' ] \
  || fail "summary.json signals: $(jq -c .signals "$s")"
[ "$(jq -c '[.signals.by_mailbox[].key]' "$s")" = '["Google","Microsoft"]' ] \
  || fail "by_mailbox: $(jq -c .signals.by_mailbox "$s")"
[ "$(jq -c '.signals.by_inbound[] | select(.key == "Google") | [.spf_agreement_rate, .mta_sts.enforce, .tls_rpt, .dane]' "$s")" = '[1,1,1,0]' ] \
  || fail "by_inbound Google: $(jq -c .signals.by_inbound "$s")"
grep -qx 'gateway_mailbox,Cisco,Microsoft,1,1,0.3333333333333333,0.3333333333333333,3,3' \
  "$work/with/summary.csv" || fail "summary.csv has no gateway x mailbox row"

# The paper's result is untouched: the same observations without signals give the
# same lines once the signal fields are taken out, and carry none of them.
jq -c 'del(.signals) | .mx |= map(del(.tlsa))' "$fixture" >"$work/plain.jsonl"
"$mxscan" infer "$work/plain.jsonl" "$hosts" -o "$work/without" --providers "$providers" \
  >/dev/null 2>"$work/stderr2" || fail "exit $? without signals ($(cat "$work/stderr2"))"
! grep -q '"signals"\|"inbound"\|"gateway"\|"mailbox"\|"agreement"' "$work/without/providers.jsonl" \
  || fail "signal fields written without signals"
! jq -e 'has("signals")' "$work/without/summary.json" >/dev/null \
  || fail "summary.json has signals without signals"
jq -c 'del(.inbound, .gateway, .mailbox, .agreement, .signals)' "$out" >"$work/stripped.jsonl"
jq -c . "$work/without/providers.jsonl" >"$work/plain-out.jsonl"
diff -u "$work/plain-out.jsonl" "$work/stripped.jsonl" || fail "the paper's fields changed"
# summary.csv without signals is a prefix-equal file: the paper's rows are unchanged.
grep -v '^mailbox,\|^gateway_mailbox,' "$work/with/summary.csv" | diff -u "$work/without/summary.csv" - \
  || fail "summary.csv paper rows changed"
# Streaming (two passes over the files) gives the same lines, signals included.
"$mxscan" infer --stream "$fixture" "$hosts" -o "$work/stream" --providers "$providers" \
  >/dev/null 2>"$work/stderr3" || fail "exit $? with --stream ($(cat "$work/stderr3"))"
sort "$out" >"$work/batch-sorted"
sort "$work/stream/providers.jsonl" | diff -u "$work/batch-sorted" - || fail "--stream differs"
echo "ok"
