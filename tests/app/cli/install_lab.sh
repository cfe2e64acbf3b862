#!/usr/bin/env bash
# The installed mxscan scans the lab with its installed configuration: install
# into a temporary prefix, bring the lab up, run the lab's scan command with
# PREFIX/bin/mxscan from a folder outside the checkout, and compare the results
# with the lab's ground truth (tests/lab/e2e_check.py --results-only). The
# manifest must name the installed blocklist and provider catalog, never the
# source tree's, and carry the version and commit --version prints.
#   tests/app/cli/install_lab.sh CMAKE BUILD_DIR SOURCE_DIR
set -euo pipefail
cmake=$1 build=$(cd "$2" && pwd) src=$(cd "$3" && pwd)
unset MXSCAN_CONFIG_DIR
tmp=$(mktemp -d /tmp/mxscan-install-lab.XXXXXX)
lab=$build/lab-install
fail() { echo "FAIL: $*" >&2; exit 1; }
cleanup() {
  "$src/scripts/lab" down --dir "$lab" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

"$cmake" --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" 2>&1 \
  || fail "cmake --install: $(cat "$tmp/install.log")"
"$src/scripts/lab" down --dir "$lab" >/dev/null 2>&1 || true
MXSCAN_BUILD_DIR=$build "$src/scripts/lab" up --dir "$lab" >"$tmp/lab.log" 2>&1 \
  || fail "lab up: $(cat "$tmp/lab.log")"
# The lab's command names $MXSCAN_BUILD_DIR/mxscan: point it at the installed one.
cmd=$(MXSCAN_BUILD_DIR=$tmp/prefix/bin "$src/scripts/lab" command --dir "$lab")
grep -q "^$tmp/prefix/bin/mxscan " <<<"$cmd" || fail "the lab command does not run the installed binary: $cmd"
grep -q -- "--resolver 127.0.0.1:" <<<"$cmd" || fail "the lab command has no loopback resolver: $cmd"
cmd=${cmd//-o $lab\/out/-o $lab\/out --greeting-timeout 5 --reply-timeout 5 --per-24-rate 20 -q}
rm -rf "$lab/out"
mkdir "$tmp/cwd" && cd "$tmp/cwd"
echo "install_lab: $cmd"
eval "$cmd" >"$tmp/scan.out" 2>"$tmp/scan.err" || fail "installed scan exit $?: $(tail -20 "$tmp/scan.err")"
python3 "$src/tests/lab/e2e_check.py" "$lab" "$lab/out" --results-only
configs=$tmp/prefix/share/mxscan/configs
jq -e --arg c "$configs" '.configuration.conduct.blocklists[0] == ($c + "/blocklist.conf")
      and .configuration.inference.providers == ($c + "/providers.toml") and .state == "complete"' \
  "$lab/out/manifest.json" >/dev/null \
  || fail "the manifest does not name the installed configuration: $(jq -c '.configuration.conduct, .configuration.inference, .state' "$lab/out/manifest.json")"
version=$("$tmp/prefix/bin/mxscan" --version | sed -n 's/^mxscan  *//p')
jq -e --arg v "$version" '.versions.mxscan == $v' "$lab/out/manifest.json" >/dev/null \
  || fail "manifest versions.mxscan $(jq -c .versions.mxscan "$lab/out/manifest.json") is not --version's '$version'"
[ -z "$(ls -A "$tmp/cwd")" ] || fail "the scan wrote into the working folder: $(ls -A "$tmp/cwd")"
echo "install_lab: PASS"
