#!/usr/bin/env bash
# A configuration value beyond what its option can hold is refused with exit 2
# and the stage's own message, never wrapped into a valid value (4294967298
# retries once became 2); nothing is written.
#   tests/app/cli/stage_option_refusals.sh MXSCAN SOURCE_DIR WORK_DIR
set -euo pipefail
mxscan=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
printf 'example.lab\n' >"$work/domains.txt"

# Copies the shipped configuration (with the files it names) and sets one value in it.
refused_setting() {
  local pattern=$1 value=$2 want=$3 name=$4
  rm -rf "$work/cfg" && cp -r "$src/configs" "$work/cfg"
  sed -i "s/^$pattern = [0-9]*/$pattern = $value/" "$work/cfg/mxscan.toml"
  grep -q "^$pattern = $value" "$work/cfg/mxscan.toml" || fail "could not set $pattern"
  local rc=0
  # A loopback resolver that answers nothing: no question leaves 127.0.0.0/8.
  "$mxscan" --resolver 127.0.0.1:9 --config "$work/cfg/mxscan.toml" --domains "$work/domains.txt" \
    --ehlo-name scanner.lab.example -o "$work/$name" >"$work/stdout" 2>"$work/stderr" || rc=$?
  [ "$rc" = 2 ] || fail "$pattern = $value: exit $rc, not 2 (stderr: $(cat "$work/stderr"))"
  grep -qF -- "$want" "$work/stderr" || fail "$pattern = $value: stderr lacks '$want': $(cat "$work/stderr")"
  [ ! -e "$work/$name" ] || fail "$pattern = $value: a results folder was created"
}

refused_setting retries 4294967298 "DNS retries must be in 0-10" dns-retries
refused_setting connect_retries 4294967297 "SMTP options: retries must be <= 10" smtp-retries
refused_setting port 4294967321 "--smtp-port must be 1..65535" smtp-port
ls -A "$work" | grep -q '^\.' && fail "a staging folder was left behind: $(ls -A "$work")"

echo "stage option refusals: out-of-range settings refused with exit 2 and the stage's message, nothing written"
