#!/usr/bin/env bash
# report.html laid out by headless Chromium at 1400 and 700 px: a copy of the
# page gets tests/app/cli/report_layout.js (which measures the layout Chromium
# computed and writes its findings into the DOM); --dump-dom carries them out.
# Checks: nothing wider than the viewport, no text overflowing its box, every
# chart present with its bars, no chart text outside its drawing, chart text
# at least 11 px at 700 px; and the print stylesheet produces a PDF (pdfinfo).
#   tests/app/cli/report_layout.sh MXSCAN SOURCE_DIR WORK_DIR
set -euo pipefail
mxscan=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work/obs"
fail() { echo "FAIL: $*" >&2; exit 1; }
chromium=$(command -v chromium || true)
[ -n "$chromium" ] || fail "chromium is not installed: run scripts/setup"
command -v pdfinfo >/dev/null || fail "pdfinfo is not installed: run scripts/setup (poppler-utils)"

# The bundled sample, plus domains whose names and IDs are long (a wide ID
# table at 700 px) and a provider the catalog does not list (a candidate).
cp "$src/tests/data/sample/domains.jsonl" "$src/tests/data/sample/hosts.jsonl" "$work/obs/"
# Domains with signals (tests/data/signals, renamed): the "Beyond the MX" tables are laid out too.
jq -c '.domain |= "signals-" + . | .line += 1000' "$src/tests/data/signals/domains.jsonl" \
  >>"$work/obs/domains.jsonl"
"$mxscan" infer "$work/obs" -o "$work/res" --providers "$src/configs/providers.toml" >"$work/infer.out" 2>&1 \
  || fail "mxscan infer: $(cat "$work/infer.out")"
python3 - "$work/res/providers.jsonl" <<'PY'
import json, sys
path = sys.argv[1]
long_id = "a-provider-with-a-very-long-registered-domain-name-nobody-wraps.example"
with open(path, "a") as f:
    for i in range(3):
        f.write(json.dumps({"schema": "mxscan/providers/1", "domain": f"customer{i}-of-a-long-named-provider.example",
            "status": "ok", "line": 100 + i, "reason": None,
            "providers": [{"mx": "mx." + long_id, "id": long_id, "company": None, "source": "banner", "score": 1,
                           "credit": 1, "flag": None, "original_id": None, "flag_reason": None, "reason": None,
                           "live_ips": 1}]}) + "\n")
PY
"$mxscan" report "$work/res" >"$work/report.out" 2>&1 || fail "mxscan report: $(cat "$work/report.out")"
html=$work/res/report.html
[ -s "$html" ] || fail "no report.html"
[ -s "$work/res/report-domains.csv" ] || fail "no report-domains.csv beside report.html"
grep -q 'id="gateway-mailbox"' "$html" || fail "no gateway x mailbox table in report.html"
expected_charts=$(grep -o 'data-chart="[a-z_-]*"' "$html" | sort -u | wc -l)
[ "$expected_charts" -ge 8 ] || fail "only $expected_charts charts in report.html"

# The measured copy: the page's CSP forbids scripts, so the copy drops it.
probe=$work/res/report-probe.html
python3 - "$html" "$src/tests/app/cli/report_layout.js" "$probe" <<'PY'
import sys
page = open(sys.argv[1]).read()
lines = [l for l in page.split("\n") if "Content-Security-Policy" not in l]
page = "\n".join(lines).replace("</body>", "<script>" + open(sys.argv[2]).read() + "</script></body>")
open(sys.argv[3], "w").write(page)
PY

browse() {
  local profile
  profile=$(mktemp -d "$work/profile.XXXXXX")
  timeout 180 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-dev-shm-usage --hide-scrollbars --user-data-dir="$profile" "$@" 2>>"$work/chromium.log"
}

for width in 1400 700; do
  browse --window-size="$width,3000" --dump-dom "file://$probe" >"$work/dom-$width.html" \
    || fail "chromium --dump-dom at $width px failed: $(tail -5 "$work/chromium.log")"
  python3 - "$work/dom-$width.html" >"$work/facts-$width.txt" <<'PY' || fail "no layout facts in the DOM at $width px (script did not run?)"
import html, re, sys
m = re.search(r'<pre id="layout-facts">(.*?)</pre>', open(sys.argv[1]).read(), re.S)
if not m:
    sys.exit(1)
print(html.unescape(m.group(1)).strip())
PY
  facts=$work/facts-$width.txt
  echo "== $width px"; grep -v '^chart ' "$facts" | head -20
  read -r _ viewport < <(grep '^viewport ' "$facts")
  [ "$viewport" -eq "$width" ] || fail "viewport is $viewport px, not $width"
  read -r _ scroll < <(grep '^scroll_width ' "$facts")
  [ "$scroll" -le "$width" ] || fail "page scrolls sideways at $width px ($scroll px wide)"
  read -r _ problems < <(grep '^problems ' "$facts")
  [ "$problems" -eq 0 ] || fail "$problems layout problems at $width px: $(grep '^problem ' "$facts" | head -5)"
  charts=$(grep -c '^chart ' "$facts")
  [ "$charts" -eq "$expected_charts" ] || fail "$charts charts laid out at $width px, report.html has $expected_charts"
  for chart in company id classes candidates status sources tls ases; do
    grep -Eq "^chart $chart [1-9]" "$facts" || fail "chart $chart missing or without bars at $width px"
  done
  read -r _ rows shown wrong _ < <(grep '^filter ' "$facts") || fail "no domain filter measured at $width px"
  [ "$rows" -gt "$shown" ] && [ "$shown" -gt 0 ] && [ "$wrong" -eq 0 ] \
    || fail "the domain filter for google.com showed $shown of $rows rows, $wrong without it"
  min_font=$(awk '/^min_chart_font_px/ {print $2}' "$facts")
  awk -v f="$min_font" 'BEGIN {exit !(f >= 11)}' || fail "chart text is $min_font px at $width px"
done

# Printing: the print stylesheet applied by Chromium's own PDF output.
browse --print-to-pdf="$work/print.pdf" --no-pdf-header-footer "file://$html" >/dev/null \
  || fail "chromium --print-to-pdf failed: $(tail -5 "$work/chromium.log")"
pages=$(pdfinfo "$work/print.pdf" | awk '/^Pages:/ {print $2}')
[ "${pages:-0}" -ge 2 ] || fail "printed report has ${pages:-0} pages"
echo "PASS: report.html laid out at 1400 and 700 px without overflow ($expected_charts charts), printed to $pages pages"
