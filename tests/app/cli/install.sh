#!/usr/bin/env bash
# `cmake --install` gives a working mxscan that reads its own configuration,
# and a binary copied alone fails clearly instead of reading the checkout:
#  1. install into a temporary prefix: bin/mxscan, every file of configs/ in
#     share/mxscan/configs, the man page;
#  2. from a folder outside the checkout, the installed binary's --version and
#     --help work, and `infer` on the sample uses the installed providers.toml;
#  3. the prefix moved elsewhere still works, and the scan reads the moved
#     prefix's mxscan.toml (a broken one there is reported by its path);
#  4. the binary copied alone: a scan and `infer` exit 2, name every place looked
#     and how to fix it, and write nothing; --version still works;
#  5. MXSCAN_CONFIG_DIR is used when set, and is the only place looked.
#   tests/app/cli/install.sh CMAKE BUILD_DIR SOURCE_DIR
set -euo pipefail
cmake=$1 build=$2 src=$3
unset MXSCAN_CONFIG_DIR
tmp=$(mktemp -d /tmp/mxscan-install-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
case "$tmp" in "$src"/*) fail "the temporary folder $tmp is inside the checkout" ;; esac

# 1. Install.
"$cmake" --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" 2>&1 \
  || fail "cmake --install: $(cat "$tmp/install.log")"
prefix=$tmp/prefix
[ -x "$prefix/bin/mxscan" ] || fail "no bin/mxscan"
[ -f "$prefix/share/man/man1/mxscan.1" ] || fail "no share/man/man1/mxscan.1"
cmp -s "$src/docs/mxscan.1" "$prefix/share/man/man1/mxscan.1" || fail "installed man page differs"
for f in "$src"/configs/*; do
  cmp -s "$f" "$prefix/share/mxscan/configs/$(basename "$f")" \
    || fail "configs/$(basename "$f") not installed in share/mxscan/configs"
done
# Every file the default configuration names by a relative path is installed beside it.
while read -r name; do
  [ -f "$prefix/share/mxscan/configs/$name" ] || fail "mxscan.toml names $name, which is not installed"
done < <(grep -oE '"[^"/]+\.(conf|toml|txt|dat|mmdb)"' "$src/configs/mxscan.toml" | tr -d '"')

# 2. The installed binary, run from outside the checkout.
mkdir "$tmp/cwd" && cd "$tmp/cwd"
"$prefix/bin/mxscan" --version >"$tmp/version" || fail "installed --version exit $?"
grep -Eq '^mxscan +[0-9]+\.[0-9]+\.[0-9]+ \(git ([0-9a-f]+, (clean|dirty)|unknown)\)$' "$tmp/version" \
  || fail "installed --version: $(head -1 "$tmp/version")"
"$prefix/bin/mxscan" --help >"$tmp/help" || fail "installed --help exit $?"
grep -q -- '--domains' "$tmp/help" || fail "installed --help lacks --domains"
"$prefix/bin/mxscan" infer "$src/tests/data/sample" -o "$tmp/cwd/infer" >"$tmp/out" 2>"$tmp/err" \
  || fail "installed infer exit $?: $(cat "$tmp/err")"
jq -e --arg p "$prefix/share/mxscan/configs/providers.toml" \
  '.settings.providers_config == $p and .domains_total == 29 and .domains_with_provider == 21' \
  "$tmp/cwd/infer/summary.json" >/dev/null \
  || fail "installed infer did not use the installed providers.toml: $(jq -c .settings "$tmp/cwd/infer/summary.json")"

# 3. A moved prefix: the scan reads the configuration beside the moved binary.
#    A key mxscan.toml cannot hold makes the scan stop at loading (exit 2)
#    with that file's path, before anything is contacted or written.
mv "$prefix" "$tmp/moved"
printf 'bogus_key_from_install_test = 1\n' >>"$tmp/moved/share/mxscan/configs/mxscan.toml"
printf 'example.com\n' >"$tmp/list.txt"
set +e
"$tmp/moved/bin/mxscan" --domains "$tmp/list.txt" --resolver 127.0.0.1:9 -o "$tmp/cwd/scan" >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "moved prefix, broken mxscan.toml: exit $rc (want 2): $(cat "$tmp/err")"
grep -q "$tmp/moved/share/mxscan/configs/mxscan.toml" "$tmp/err" \
  || fail "the scan did not read the moved prefix's mxscan.toml: $(cat "$tmp/err")"
[ ! -e "$tmp/cwd/scan" ] || fail "a refused scan left $tmp/cwd/scan behind"

# 4. The binary copied alone.
mkdir "$tmp/alone" && cp "$tmp/moved/bin/mxscan" "$tmp/alone/mxscan"
"$tmp/alone/mxscan" --version >/dev/null || fail "copied binary: --version exit $?"
check_refusal() {  # what, stderr file, out folder, file looked for, fix hint
  local what=$1 err=$2 out=$3 file=$4 hint=$5
  grep -q "cannot find the default $file; looked in:" "$err" || fail "$what: no 'cannot find' message: $(cat "$err")"
  grep -Fq "$tmp/share/mxscan/configs (installed layout, beside $tmp/alone/mxscan)" "$err" \
    || fail "$what: the installed-layout place is not named: $(cat "$err")"
  grep -Fq "$src/configs (source tree): not used" "$err" \
    || fail "$what: the source tree is not named as skipped: $(cat "$err")"
  grep -Fq -- "$hint" "$err" || fail "$what: no fix ($hint) named: $(cat "$err")"
  grep -q "MXSCAN_CONFIG_DIR" "$err" || fail "$what: MXSCAN_CONFIG_DIR not named"
  [ ! -e "$out" ] || fail "$what: $out was written"
}
set +e
"$tmp/alone/mxscan" --domains "$tmp/list.txt" --resolver 127.0.0.1:9 -o "$tmp/cwd/scan2" >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "copied binary, scan: exit $rc (want 2): $(cat "$tmp/err")"
check_refusal "copied binary, scan" "$tmp/err" "$tmp/cwd/scan2" mxscan.toml "pass --config FILE"
set +e
"$tmp/alone/mxscan" infer "$src/tests/data/sample" -o "$tmp/cwd/infer2" >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "copied binary, infer: exit $rc (want 2): $(cat "$tmp/err")"
check_refusal "copied binary, infer" "$tmp/err" "$tmp/cwd/infer2" providers.toml "--providers FILE or --config-dir DIR"
[ -z "$(ls -A "$tmp/cwd" | grep -v '^infer$')" ] || fail "refusals left files in the working folder: $(ls -A "$tmp/cwd")"

# 5. MXSCAN_CONFIG_DIR: used when set, and nothing else is looked at.
MXSCAN_CONFIG_DIR=$src/configs "$tmp/alone/mxscan" infer "$src/tests/data/sample" -o "$tmp/cwd/infer3" \
  >/dev/null 2>"$tmp/err" || fail "MXSCAN_CONFIG_DIR: infer exit $?: $(cat "$tmp/err")"
jq -e --arg p "$src/configs/providers.toml" '.settings.providers_config == $p' \
  "$tmp/cwd/infer3/summary.json" >/dev/null || fail "MXSCAN_CONFIG_DIR not used"
set +e
MXSCAN_CONFIG_DIR=$tmp/nowhere "$tmp/moved/bin/mxscan" infer "$src/tests/data/sample" \
  -o "$tmp/cwd/infer4" >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "MXSCAN_CONFIG_DIR=nowhere: exit $rc (want 2)"
grep -Fq "$tmp/nowhere (\$MXSCAN_CONFIG_DIR): no providers.toml there" "$tmp/err" \
  || fail "MXSCAN_CONFIG_DIR=nowhere: $(cat "$tmp/err")"
! grep -q "installed layout" "$tmp/err" || fail "MXSCAN_CONFIG_DIR set, yet other places were looked at"
[ ! -e "$tmp/cwd/infer4" ] || fail "MXSCAN_CONFIG_DIR=nowhere: infer4 written"
echo "install: PASS (prefix, moved prefix, copied binary, MXSCAN_CONFIG_DIR)"
