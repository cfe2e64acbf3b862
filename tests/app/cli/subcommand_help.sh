#!/usr/bin/env bash
# `mxscan SUB --help` shows what applies to SUB and nothing of the scan: each
# subcommand's help names its own options, exits 0, and mentions no option that
# only the scan has (e.g. --rate, --ehlo-name, --resume), not even in a footer
# or an example.
#   tests/app/cli/subcommand_help.sh MXSCAN
set -euo pipefail
mxscan=$1
fail=0
names() { grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u; }

scan_help=$("$mxscan" --help) || { echo "FAIL: mxscan --help exit $?" >&2; exit 1; }
scan_options=$(names <<<"$scan_help")
for must in --domains --rate --ehlo-name --resume; do
  grep -qx -- "$must" <<<"$scan_options" || { echo "FAIL: mxscan --help lacks $must" >&2; fail=1; }
done

declare -A own=(
  [infer]="--from --asn-db --pfx2as --out --providers --config-dir --psl-file --keep-flagged --threshold --top"
  [report]="--compare --top --no-html --export --examples --asn-db"
  [diff]="--out --top"
)
for sub in infer report diff; do
  help=$("$mxscan" "$sub" --help) || { echo "FAIL: mxscan $sub --help exit $?" >&2; fail=1; continue; }
  head -1 <<<"$help" | grep -q . || { echo "FAIL: mxscan $sub --help is empty" >&2; fail=1; }
  grep -q "^Usage: mxscan $sub " <<<"$help" || { echo "FAIL: mxscan $sub --help: no usage line" >&2; fail=1; }
  shown=$(names <<<"$help")
  for opt in ${own[$sub]}; do
    grep -qx -- "$opt" <<<"$shown" || { echo "FAIL: mxscan $sub --help does not show its $opt" >&2; fail=1; }
  done
  # Scan options the subcommand does not have itself must not appear at all.
  for opt in $scan_options; do
    case " ${own[$sub]} --help --version " in *" $opt "*) continue ;; esac
    if grep -qx -- "$opt" <<<"$shown"; then
      echo "FAIL: mxscan $sub --help mentions the scan's $opt:" >&2
      grep -n -- "$opt" <<<"$help" | sed 's/^/    /' >&2
      fail=1
    fi
  done
  echo "subcommand_help: $sub: $(wc -w <<<"${own[$sub]}") own options shown, no scan-only option"
done
exit $fail
