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

# The end-to-end checker must pass a perfect scan and catch a wrong one. A perfect scan's
# outputs are synthesised from the ground truth (nothing has contacted the lab yet).
fake=$DIR/fake-out
rm -rf "$fake" "$DIR/observed" "$DIR/inferred"
mkdir -p "$fake"
python3 - "$DIR/scenario/ground_truth.jsonl" "$fake" <<'PY'
import json, sys
truth = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
with open(sys.argv[2] + "/providers.jsonl", "w") as p, open(sys.argv[2] + "/domains.jsonl", "w") as d:
    for t in truth:
        company = next(iter(t.get("companies", {})), None)  # real-convention cases: one each
        provs = [{"mx": "x", "id": k, "credit": v, "company": company}
                 for k, v in t["providers"].items()]
        p.write(json.dumps({"domain": t["domain"], "status": t["status"], "providers": provs}) + "\n")
        d.write(json.dumps({"domain": t["domain"]}) + "\n")
PY
python3 "$ROOT/tests/lab/e2e_check.py" "$DIR" "$fake" || fail "e2e_check rejects a perfect scan"
# A real-convention customer credited to the right ID but the wrong company is a mismatch.
cp "$fake/providers.jsonl" "$fake/p.orig"
sed -i '0,/"company": "Apple"/s//"company": "Google"/' "$fake/providers.jsonl"
if python3 "$ROOT/tests/lab/e2e_check.py" "$DIR" "$fake" --show 0 --results-only; then
  fail "e2e_check accepts a wrong company"
fi
# ... and so is one under the right company whose ID a check of step 4 flagged.
cp "$fake/p.orig" "$fake/p.flagged"
sed -i '0,/"company": "GoDaddy"/s//"company": "GoDaddy", "flag": "vps"/' "$fake/p.flagged"
mv "$fake/p.flagged" "$fake/providers.jsonl"
if python3 "$ROOT/tests/lab/e2e_check.py" "$DIR" "$fake" --show 0 --results-only; then
  fail "e2e_check accepts a flagged real-convention customer"
fi
mv "$fake/p.orig" "$fake/providers.jsonl"
sed -i '0,/"google.com", "credit": 1.0/s//"gmail.com", "credit": 1.0/' "$fake/providers.jsonl"
if python3 "$ROOT/tests/lab/e2e_check.py" "$DIR" "$fake" --show 0; then fail "e2e_check accepts a wrong provider"; fi
head -n -1 "$fake/domains.jsonl" >"$fake/d" && mv "$fake/d" "$fake/domains.jsonl"

# The ground truth against the project's inference, on observations taken by an independent
# minimal observer (tests/lab/lab_observe.py): `mxscan infer` must agree on every domain.
if true; then
  python3 "$ROOT/tests/lab/lab_observe.py" "$DIR" "$DIR/observed"
  "$BUILD/mxscan" infer "$DIR/observed" -o "$DIR/inferred" \
    --providers "$ROOT/configs/providers.toml" >"$DIR/inferred.log"
  python3 "$ROOT/tests/lab/e2e_check.py" "$DIR" "$DIR/inferred" --results-only ||
    fail "mxscan infer disagrees with the ground truth"
fi

python3 "$ROOT/tests/lab/lab_check.py" "$DIR"

# After lab_check's own sessions (another EHLO name, repeated contacts), conduct must fail.
python3 - "$ROOT/tests/lab" "$DIR" "$SMTP_PORT" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import labprobe
s = labprobe.Smtp("127.64.4.1", int(sys.argv[3]))
s.read_reply(); s.send("EHLO scanner.lab.example"); s.read_reply()
s.send("MAIL FROM:<probe@lab.example>"); s.read_reply(); s.send("QUIT"); s.read_reply(); s.close()
PY
sleep 1.2
out=$(python3 "$ROOT/tests/lab/e2e_check.py" "$DIR" "$fake" --show 100000000 || true)
n=$(wc -l <"$DIR/scenario/domains.txt")
for want in "forbidden command 'MAIL FROM:<probe@lab.example>' sent to 127.64.4.1" \
            "names 'EHLO lab-check.lab.example', not scanner.lab.example" \
            "127.65.11.1 contacted" "sessions in flight at once" \
            "domains.jsonl: $((n - 1)) lines for $n input domains"; do
  grep -qF "$want" <<<"$out" || fail "e2e_check did not report: $want"
done

# Every process of the lab: the three daemons and all their descendants (Postfix's
# children do not name the lab folder in their arguments, so they are found by parentage).
descendants() {
  local p
  for p in "$@"; do
    echo "$p"
    # shellcheck disable=SC2046
    descendants $(ps -o pid= --ppid "$p" 2>/dev/null || true)
  done
}
# shellcheck disable=SC2207
lab_pids=($(descendants "$NSD_PID" "$POSTFIX_PID" "$PERSONA_PID"))
((${#lab_pids[@]} >= 5)) || fail "expected the daemons and their children, found ${lab_pids[*]}"
"$ROOT/scripts/lab" down --dir "$DIR"
for pid in "${lab_pids[@]}"; do
  ! kill -0 "$pid" 2>/dev/null || fail "pid $pid ($(ps -o args= -p "$pid")) still running after down"
done
echo "lab_test: ${#lab_pids[@]} lab processes, none left after down"
if pgrep -af -- "$DIR" | grep -v pgrep; then fail "processes of $DIR left"; fi
if ss -Hltn "sport = :$SMTP_PORT or sport = :$POSTFIX_PORT" | grep -q .; then fail "SMTP listeners left"; fi
if ss -Hlun "sport = :$DNS_PORT" | grep -q .; then fail "DNS listener left"; fi
[[ ! -f $DIR/lab.env ]] || fail "lab.env left behind"
echo "lab_test: PASS"
