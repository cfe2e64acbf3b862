#!/usr/bin/env bash
# CTest "e2e: standard lab scan matches the ground truth": lab up, the scan command the lab
# prints, tests/lab/e2e_check.py (results and conduct), lab down.
#   tests/lab/e2e_test.sh BUILD_DIR
# Exits 77 (CTest: skipped) while build/mxscan has no scanning command line (--domains).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "$1" && pwd)
DIR=$BUILD/lab-e2e
export MXSCAN_BUILD_DIR=$BUILD
if ! "$BUILD/mxscan" --help 2>&1 | grep -q -- '--domains'; then
  echo "e2e_test: SKIP: $BUILD/mxscan has no --domains option yet"
  exit 77
fi
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
"$ROOT/scripts/lab" down --dir "$DIR"
echo "e2e_test: PASS"
