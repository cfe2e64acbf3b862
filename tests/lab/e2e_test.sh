#!/usr/bin/env bash
# CTest "e2e: standard lab scan at default settings": lab up, the scan command the lab
# prints (mxscan's defaults for rates, per-/24 caps and timeouts), tests/lab/e2e_check.py
# (results and conduct), lab down.
#   tests/lab/e2e_test.sh BUILD_DIR
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "$1" && pwd)
DIR=$BUILD/lab-e2e
export MXSCAN_BUILD_DIR=$BUILD
"$ROOT/scripts/lab" down --dir "$DIR" >/dev/null 2>&1 || true
trap '"$ROOT/scripts/lab" down --dir "$DIR" >/dev/null 2>&1 || true' EXIT
"$ROOT/scripts/lab" up --dir "$DIR"
cmd=$("$ROOT/scripts/lab" command --dir "$DIR")
echo "e2e_test: $cmd"
start=$(date +%s)
eval "$cmd"
echo "e2e_test: scan took $(($(date +%s) - start)) s"
sleep 1.5  # the persona server rewrites its stats every second
python3 "$ROOT/tests/lab/e2e_check.py" "$DIR" "$DIR/out"

# The same results with the ASN data from the pfx2as file (multi-origin entry included)
# instead of the .mmdb; shorter timeouts, results only (the conduct records now hold two scans).
cmd=${cmd//--asn-db $DIR\/asn\/asn.mmdb/--pfx2as $DIR\/asn\/pfx2as.txt}
cmd=${cmd//-o $DIR\/out/-o $DIR\/out-pfx2as --greeting-timeout 5 --reply-timeout 5 --per-24-rate 20 -q}
grep -q -- "--pfx2as" <<<"$cmd" || { echo "e2e_test: FAIL could not switch to --pfx2as" >&2; exit 1; }
rm -rf "$DIR/out-pfx2as"
eval "$cmd" >/dev/null
python3 "$ROOT/tests/lab/e2e_check.py" "$DIR" "$DIR/out-pfx2as" --results-only
"$ROOT/scripts/lab" down --dir "$DIR"
echo "e2e_test: PASS"
