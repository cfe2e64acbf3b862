#!/usr/bin/env bash
# `mxscan report` rendered by a real browser: the bundled sample is inferred into
# a results folder (plus a host whose AS name is an HTML injection attempt),
# report.html is written, headless Chromium loads it, and the test checks the
# DOM Chromium built (every chart and the expected provider names there, no
# element injected from data) and a screenshot (not blank, the bar colours of
# the charts painted).
#   tests/app/cli/report_chromium.sh MXSCAN SOURCE_DIR WORK_DIR
set -euo pipefail
mxscan=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work/obs"
fail() { echo "FAIL: $*" >&2; exit 1; }
chromium=$(command -v chromium || true)
[ -n "$chromium" ] || fail "chromium is not installed: run scripts/setup (Debian packages chromium, chromium-driver)"

# A results folder: the sample's observations, inferred; a host with a hostile AS name
# (infer copies the host records into the new folder it writes).
cp "$src/tests/data/sample/domains.jsonl" "$src/tests/data/sample/hosts.jsonl" "$work/obs/"
cat >>"$work/obs/hosts.jsonl" <<'JSON'
{"schema":"mxscan/host/1","address":"192.0.2.200","port":25,"asn":64666,"as_name":"<img src=x onerror=alert(1)><script>document.title='pwned'</script>","status":"success","phase":"done","banner":"220 <b>evil</b> ESMTP","ehlo":"","ehlo_tls":"","starttls_offered":false,"starttls_accepted":false,"plaintext_after_starttls":0,"tls":null,"error":null,"duration_ms":1}
JSON
"$mxscan" infer "$work/obs" -o "$work/res" --providers "$src/configs/providers.toml" >"$work/infer.out" 2>&1 \
  || fail "mxscan infer: $(cat "$work/infer.out")"
"$mxscan" report "$work/res" >"$work/report.out" 2>&1 || fail "mxscan report: $(cat "$work/report.out")"
grep -q "Top companies by credit" "$work/report.out" || fail "no company table in the summary"
html=$work/res/report.html
[ -s "$html" ] || fail "no report.html"

# Chromium, isolated: a fresh profile, no network features, no sandbox (root).
browse() {
  local profile
  profile=$(mktemp -d "$work/profile.XXXXXX")
  timeout 180 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-dev-shm-usage --user-data-dir="$profile" "$@" 2>>"$work/chromium.log"
}

browse --dump-dom "file://$html" >"$work/dom.html" || fail "chromium --dump-dom failed: $(tail -5 "$work/chromium.log")"
[ -s "$work/dom.html" ] || fail "empty DOM dump"
charts=$(grep -o '<svg class="chart"' "$work/dom.html" | wc -l)
[ "$charts" -ge 6 ] || fail "expected at least 6 charts in the DOM, found $charts"
for chart in company id status sources tls ases; do
  grep -q "data-chart=\"$chart\"" "$work/dom.html" || fail "chart $chart missing from the DOM"
done
bars=$(grep -o '<rect class="bar"' "$work/dom.html" | wc -l)
[ "$bars" -ge 30 ] || fail "only $bars bars in the DOM"
for name in Google Microsoft "Cisco" google.com outlook.com iphmx.com "AS15169 GOOGLE" "Scan manifest"; do
  grep -qF "$name" "$work/dom.html" || fail "\"$name\" missing from the DOM"
done
# The hostile AS name is text, not elements.
grep -q '<img' "$work/dom.html" && fail "an <img> element was injected from data"
scripts=$(grep -o '<script' "$work/dom.html" | wc -l)
[ "$scripts" -eq 1 ] || fail "$scripts <script> elements in the DOM: one is the domain filter's, any other was injected"
# The filter ran under the page's CSP (its hash allows it): it unhid its box.
grep -q '<input id="domain-search"[^>]*hidden' "$work/dom.html" && fail "the domain filter did not run under the page's CSP"
grep -q '<input id="domain-search"' "$work/dom.html" || fail "no domain filter box"
grep -qF '&lt;img src=x onerror=alert(1)&gt;' "$work/dom.html" || fail "the hostile AS name is not shown escaped"
grep -q '<title>mxscan report' "$work/dom.html" || fail "document title changed"

browse --screenshot="$work/shot.png" --window-size=1280,2000 --hide-scrollbars "file://$html" >/dev/null \
  || fail "chromium --screenshot failed: $(tail -5 "$work/chromium.log")"
[ -s "$work/shot.png" ] || fail "no screenshot"
python3 "$src/tests/support/png_stats.py" "$work/shot.png" "#0072b2" "#1f3a5f" >"$work/png.txt"
cat "$work/png.txt"
read -r _ size < <(grep '^size' "$work/png.txt")
[ "$size" = "1280x2000" ] || fail "screenshot is $size, not 1280x2000"
colours=$(awk '/^colours/ {print $2}' "$work/png.txt")
[ "$colours" -ge 50 ] || fail "screenshot has only $colours colours: blank?"
awk '/^non_background/ {exit !($2 > 0.05)}' "$work/png.txt" || fail "screenshot is almost all background"
awk '$1 == "colour" && $2 == "#0072b2" {exit !($3 > 2000)}' "$work/png.txt" || fail "company bars not painted"
awk '$1 == "colour" && $2 == "#1f3a5f" {exit !($3 > 20000)}' "$work/png.txt" || fail "header not painted"

# --compare adds the migration section, also rendered.
"$mxscan" report "$work/res" --compare "$src/tests/data/diff/old" >"$work/compare.out" 2>&1 \
  || fail "mxscan report --compare: $(cat "$work/compare.out")"
browse --dump-dom "file://$html" >"$work/dom2.html" || fail "chromium --dump-dom (compare) failed"
grep -q 'id="comparison"' "$work/dom2.html" || fail "no comparison section in the DOM"
grep -q 'data-chart="gains"' "$work/dom2.html" || fail "no gains chart in the DOM"
echo "PASS: report.html rendered by $("$chromium" --version 2>/dev/null | head -1): $charts charts, $bars bars, $colours colours"
