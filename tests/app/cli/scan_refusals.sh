#!/usr/bin/env bash
# `mxscan` refuses to start a scan on a usage error with exit code 2, before it
# reads the domain list or contacts anything, and leaves the file system as it
# was (docs/cli.md, "Exit codes").
#   tests/app/cli/scan_refusals.sh MXSCAN WORK_DIR
set -euo pipefail
mxscan=$1 work=$2
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
printf 'example.lab\n' >"$work/domains.txt"

# Runs mxscan with the given arguments; expects exit 2 and `$1` in stderr.
refused() {
  local want=$1; shift
  local rc=0
  # A loopback resolver that answers nothing: were a refusal to come too late, no
  # question would leave 127.0.0.0/8.
  "$mxscan" --resolver 127.0.0.1:9 "$@" >"$work/stdout" 2>"$work/stderr" || rc=$?
  [ "$rc" = 2 ] || fail "mxscan $*: exit $rc, not 2 (stderr: $(cat "$work/stderr"))"
  grep -qF -- "$want" "$work/stderr" || fail "mxscan $*: stderr lacks '$want': $(cat "$work/stderr")"
}

# 1. An existing output folder: named, with how to resume it; its contents untouched.
mkdir -p "$work/old" && echo keep >"$work/old/providers.jsonl"
refused "output folder $work/old already exists" --domains "$work/domains.txt" --ehlo-name scanner.lab.example -o "$work/old"
grep -qF -- "--resume $work/old" "$work/stderr" || fail "no --resume hint: $(cat "$work/stderr")"
[ "$(ls "$work/old")" = providers.jsonl ] && [ "$(cat "$work/old/providers.jsonl")" = keep ] \
  || fail "the existing folder was changed"

# 2. A missing domain list, and an EHLO name that is not a FQDN: no folder appears.
refused "no such file" --domains "$work/none.txt" --ehlo-name scanner.lab.example -o "$work/new1"
[ ! -e "$work/new1" ] || fail "a folder was created for a missing domain list"
refused "is not a fully-qualified domain name" --domains "$work/domains.txt" --ehlo-name localhost -o "$work/new2"
[ ! -e "$work/new2" ] || fail "a folder was left behind by a refused EHLO name"
ls -A "$work" | grep -q '^\.new' && fail "a staging folder was left behind: $(ls -A "$work")"

echo "scan refusals: existing folder, missing list and bad EHLO name refused with exit 2, nothing written"
