#!/usr/bin/env bash
# Every option a `--help` shows is documented in docs/mxscan.1, in the right
# place: the scan's options (mxscan --help) in the OPTIONS section, each
# subcommand's (mxscan SUB --help) in its "mxscan SUB" subsection of COMMANDS.
# An option added without its man page entry fails here, by name.
#   tests/app/cli/man_page_options.sh MXSCAN MAN_PAGE
set -euo pipefail
mxscan=$1 man=$2
fail=0

# The option names of a --help text: the first column of the option lines
# ("  -o,--output TEXT  ..."), split at commas; -h/--help is everyone's.
options_of() {
  "$mxscan" "$@" --help | grep -E '^  +-' | awk '{print $1}' | tr ',' '\n' \
    | grep -E '^--?[A-Za-z0-9]' | grep -vxE -- '-h|--help' | sort -u
}

# A section of the man page as plain text: roff's \- becomes -, font escapes go.
section_of() {
  local sub=$1
  if [ -z "$sub" ]; then
    awk '/^\.SH /{on = ($0 ~ /^\.SH OPTIONS/)} on' "$man"
  else
    awk -v head=".SS \"mxscan $sub" '
      /^\.SH / {on = 0}
      /^\.SS / {on = (index($0, head) == 1)}
      on' "$man"
  fi | sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g'
}

for sub in "" infer report diff "catalog check" resolve probe; do
  label=${sub:-scan}
  text=$(section_of "$sub")
  if [ -z "$text" ]; then
    echo "FAIL: $man has no section for $label (.SH OPTIONS or .SS \"mxscan $sub ...\")" >&2
    fail=1
    continue
  fi
  count=0
  while read -r opt; do
    count=$((count + 1))
    grep -Eq -- "(^|[^A-Za-z0-9-])${opt}([^A-Za-z0-9-]|\$)" <<<"$text" || {
      echo "FAIL: $label option $opt (in mxscan ${sub:+$sub }--help) is not documented in $man" >&2
      fail=1
    }
  done < <(options_of $sub)
  [ "$count" -gt 0 ] || { echo "FAIL: no options parsed from mxscan ${sub:+$sub }--help" >&2; fail=1; }
  echo "man_page_options: $label: $count options checked"
done
exit $fail
