#!/usr/bin/env bash
# Runs the DNS stage's server-backed tests: NSD on 127.0.0.1 serving the zone of
# make_zone.sh, plus responders that stay silent (127.0.0.2), answer SERVFAIL
# (127.0.0.3), answer NXDOMAIN while logging arrival times (127.0.0.4) and send
# malformed answers (127.0.0.5), all on one free port, and the hostile server of
# hostile.py (127.0.0.7, decoy replies from 127.0.0.8); then the [nsd] test cases.
#   tests/scanner/dns/run.sh TEST_SCANNER_BINARY [catch args...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
support=$root/tests/support
bin=$1
shift
# shellcheck source=../../../scripts/lib/nsd.sh
source "$root/scripts/lib/nsd.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/mxscan-dns-test.XXXXXX")
pids=()
nsd_pid=""
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  nsd_stop "$nsd_pid"
  rm -rf "$work"
}
trap cleanup EXIT

port=$(nsd_free_port 127.0.0.1 127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5 127.0.0.7)

"$here/make_zone.sh" "$work/test.zone"
nsd_pid=$(nsd_start "$work/nsd" "$work/test.zone" "$port" 127.0.0.1 test.)

wait_ready() {  # NAME
  for _ in $(seq 1 100); do
    grep -q ready "$work/$1.out" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "responder $1 did not start:" >&2
  cat "$work/$1.out" >&2
  return 1
}
start_responder() {  # MODE ADDR [LOG]
  python3 "$support/responder.py" "$1" "$2" "$port" ${3:+"$3"} >"$work/$1.out" 2>&1 &
  pids+=($!)
  wait_ready "$1"
}
start_responder silent 127.0.0.2
start_responder servfail 127.0.0.3
start_responder nxdomain 127.0.0.4 "$work/arrivals.log"
start_responder garbage 127.0.0.5
python3 "$support/hostile.py" 127.0.0.7 "$port" 127.0.0.8 "$work/hostile.log" >"$work/hostile.out" 2>&1 &
pids+=($!)
wait_ready hostile

export MXSCAN_TEST_NSD="127.0.0.1:$port"
export MXSCAN_TEST_SILENT="127.0.0.2:$port"
export MXSCAN_TEST_SERVFAIL="127.0.0.3:$port"
export MXSCAN_TEST_COUNTER="127.0.0.4:$port"
export MXSCAN_TEST_COUNTER_LOG="$work/arrivals.log"
export MXSCAN_TEST_GARBAGE="127.0.0.5:$port"
export MXSCAN_TEST_HOSTILE="127.0.0.7:$port"
export MXSCAN_TEST_HOSTILE_LOG="$work/hostile.log"
"$bin" "[nsd]" "$@"
