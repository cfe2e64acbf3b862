#!/usr/bin/env bash
# CTest "lab: a part that cannot start is named, with its own error text": for each of
# NSD, Postfix and the persona server, another program holds the part's port, and
# `scripts/lab up` must exit 1 naming the part, quoting the part's own error text
# (NSD's log, the bind error behind Postfix's listeners, the persona server's stderr),
# saying what to do, and leaving nothing running and no runtime folder behind.
# The lab folder sits in a private (0700) folder, as under a user's home.
#   tests/lab/lab_failure_test.sh BUILD_DIR
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "$1" && pwd)
export MXSCAN_BUILD_DIR=$BUILD
fail() { echo "lab_failure_test: FAIL $*" >&2; exit 1; }

PRIVATE=$(mktemp -d "$BUILD/lab-failure.XXXXXX")
chmod 0700 "$PRIVATE"
DIR=$PRIVATE/lab
holder="" port=""
cleanup() {
  [[ -z $holder ]] || kill "$holder" 2>/dev/null || true
  "$ROOT/scripts/lab" down --dir "$DIR" >/dev/null 2>&1 || true
  rm -rf "$PRIVATE"
}
trap cleanup EXIT

# Holds a port (TCP on every address, UDP on 127.0.0.1) until killed; sets holder (its PID)
# and port.
hold_port() {
  rm -f "$PRIVATE/port"
  python3 -u - >"$PRIVATE/port" <<'PY' &
import signal, socket, sys
t = socket.socket(); t.bind(("0.0.0.0", 0)); t.listen()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", t.getsockname()[1]))
print(t.getsockname()[1])
signal.pause()
PY
  holder=$!
  for _ in $(seq 1 200); do [[ -s $PRIVATE/port ]] && break; sleep 0.05; done
  [[ -s $PRIVATE/port ]] || fail "the port holder did not start"
  port=$(cat "$PRIVATE/port")
}

# Fails unless no process is left from the failed start: NSD and Postfix's master by the
# PIDs they reported, and no process still working in a removed Postfix runtime folder.
nothing_left() {  # CASE
  local pid
  for f in "$DIR/up/nsd.pid" "$DIR/up/postfix.pid"; do
    pid=$(cat "$f" 2>/dev/null || true)
    [[ -z $pid ]] || ! kill -0 "$pid" 2>/dev/null || fail "$1: pid $pid from $f still running"
  done
  [[ ! -L $DIR/postfix ]] || fail "$1: $DIR/postfix still links to a runtime folder"
  [[ ! -f $DIR/lab.env ]] || fail "$1: lab.env left behind"
  local cwd
  for cwd in /proc/[0-9]*/cwd; do
    case $(readlink "$cwd" 2>/dev/null || true) in
      /tmp/mxscan-postfix.*"(deleted)") fail "$1: a Postfix process is left: $cwd" ;;
    esac
  done
  pgrep -f -- "--config $DIR/scenario/personas.toml" >/dev/null && fail "$1: persona server left"
  true
}

# CASE OPTION PART TEXT...: lab up with OPTION on a held port must fail naming PART and
# quoting every TEXT.
expect_failure() {
  local name=$1 option=$2 part=$3
  shift 3
  local out rc=0
  hold_port
  out=$("$ROOT/scripts/lab" up --dir "$DIR" "$option" "$port" 2>&1 >/dev/null) || rc=$?
  kill "$holder"; wait "$holder" 2>/dev/null || true; holder=""
  echo "--- $name ($option $port): exit $rc"
  echo "$out"
  ((rc == 1)) || fail "$name: exit $rc, expected 1"
  grep -qF "lab: up failed: $part" <<<"$out" || fail "$name: the part '$part' is not named"
  grep -qF "$port" <<<"$out" || fail "$name: the port $port is not named"
  local text
  for text in "$@"; do grep -qF "$text" <<<"$out" || fail "$name: '$text' missing from the message"; done
  grep -q "lab: what to do: .*$option" <<<"$out" || fail "$name: no advice naming $option"
  grep -q "up failed, cleaning up" <<<"$out" && fail "$name: the old message without a cause"
  nothing_left "$name"
}

expect_failure nsd --dns-port "NSD" "nsd_start: nsd failed to start" "can't bind udp socket" \
  "Address already in use"
expect_failure postfix --postfix-port "Postfix" "cannot be bound" "Address already in use"
expect_failure persona --smtp-port "the persona server" "mxscan-persona: bind" \
  "Address already in use"
echo "lab_failure_test: PASS"
