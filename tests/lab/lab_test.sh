#!/usr/bin/env bash
# CTest "lab: parts answer": brings the standard lab up, checks every part
# (tests/lab/lab_check.py), brings it down and checks nothing is left running.
#   tests/lab/lab_test.sh BUILD_DIR [scripts/lab up options, e.g. --scenario scale --domains N]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "$1" && pwd)
shift
UP_ARGS=("$@")
DIR=$BUILD/lab-test${UP_ARGS[*]:+-scale}
export MXSCAN_BUILD_DIR=$BUILD
PERSONA=$BUILD/mxscan-persona
fail() { echo "lab_test: FAIL $*" >&2; exit 1; }

# The persona server refuses bad configurations with a clear error.
bad=$(mktemp -d)
trap 'rm -rf "$bad"' EXIT
printf '[[persona]]\nname = "a"\naddresses = ["10.0.0.1"]\nbanner = "220 x"\n' >"$bad/outside.toml"
printf '[[persona]]\nname = "a"\naddresses = ["127.1.0.0/16"]\nbanner = "220 x"\n[[persona]]\nname = "b"\naddresses = ["127.1.2.0/24"]\nbanner = "220 y"\n' >"$bad/overlap.toml"
printf '[[persona]]\nname = "a"\naddresses = ["127.1.0.1"]\nbanner = "220 x"\nfault = "explode"\n' >"$bad/fault.toml"
for f in outside:outside overlap:overlap fault:"unknown fault"; do
  file=${f%%:*} want=${f#*:}
  if out=$("$PERSONA" --config "$bad/$file.toml" --check 2>&1); then fail "$file.toml accepted"; fi
  grep -q "$want" <<<"$out" || fail "$file.toml: '$want' expected in: $out"
done

"$ROOT/scripts/lab" down --dir "$DIR" >/dev/null 2>&1 || true
trap 'rm -rf "$bad"; "$ROOT/scripts/lab" down --dir "$DIR" >/dev/null 2>&1 || true' EXIT
start=$(date +%s%N)
"$ROOT/scripts/lab" up --dir "$DIR" "${UP_ARGS[@]}" | tee "$BUILD/lab-test.up.log"
took_ms=$((($(date +%s%N) - start) / 1000000))
echo "lab_test: lab up (${UP_ARGS[*]:-standard}) in $took_ms ms"
# The contract is < 10 s on an idle machine; the bound here leaves room for a loaded one.
((took_ms < ${LAB_UP_LIMIT_MS:-30000})) || fail "lab up took $took_ms ms"
grep -q -- "--resolver 127.0.0.1:" "$BUILD/lab-test.up.log" || fail "no scan command printed"

# shellcheck disable=SC1091
source "$DIR/lab.env"
python3 "$ROOT/tests/lab/lab_check.py" "$DIR"

"$ROOT/scripts/lab" down --dir "$DIR"
for pid in $NSD_PID $POSTFIX_PID $PERSONA_PID; do
  ! kill -0 "$pid" 2>/dev/null || fail "pid $pid still running after down"
done
if ps -eo pid=,args= | grep -F "$DIR" | grep -v grep; then fail "processes of $DIR left"; fi
if ss -Hltn "sport = :$SMTP_PORT or sport = :$POSTFIX_PORT" | grep -q .; then fail "SMTP listeners left"; fi
if ss -Hlun "sport = :$DNS_PORT" | grep -q .; then fail "DNS listener left"; fi
[[ ! -f $DIR/lab.env ]] || fail "lab.env left behind"
echo "lab_test: PASS"
