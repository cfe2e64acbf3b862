#!/usr/bin/env bash
# `mxscan report DIR --export FIGS` on the bundled sample (plus an AS whose
# name is full of TeX's special characters): every SVG parses and renders
# (rsvg-convert), every PDF parses with its fonts embedded and the page size of
# a one- or two-column figure (pdfinfo, pdffonts), every CSV has the rows of its
# figure, every LaTeX table compiles with pdflatex and booktabs, the company
# figure ranks as summary.csv does; and the refusals: FIGS existing, a folder
# that is not a results folder, no rsvg-convert, rsvg-convert failing.
#   tests/app/cli/report_export.sh MXSCAN SOURCE_DIR WORK_DIR
set -euo pipefail
mxscan=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work/obs"
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in rsvg-convert pdfinfo pdffonts pdflatex; do
  command -v "$tool" >/dev/null || fail "$tool is not installed: run scripts/setup (librsvg2-bin, poppler-utils, texlive-latex-recommended)"
done

cp "$src/tests/data/sample/domains.jsonl" "$src/tests/data/sample/hosts.jsonl" "$work/obs/"
for i in 1 2 3 4 5 6; do
  cat >>"$work/obs/hosts.jsonl" <<JSON
{"schema":"mxscan/host/1","address":"192.0.2.20$i","port":25,"asn":64999,"as_name":"R&D_Net #1 100% {x} \\\\input{/etc/passwd} ~^ \$y\$ Zürich 日本","status":"success","phase":"done","banner":"220 x ESMTP","ehlo":"","ehlo_tls":"","starttls_offered":false,"starttls_accepted":false,"plaintext_after_starttls":0,"tls":null,"error":null,"duration_ms":1}
JSON
done
"$mxscan" infer "$work/obs" -o "$work/res" --providers "$src/configs/providers.toml" >"$work/infer.out" 2>&1 \
  || fail "mxscan infer: $(cat "$work/infer.out")"

figs=$work/figs
"$mxscan" report "$work/res" --export "$figs" >"$work/export.out" 2>&1 || fail "mxscan report --export: $(cat "$work/export.out")"
grep -q "Figures and tables written to $figs" "$work/export.out" || fail "no line saying where the export went"
[ ! -e "$figs.partial" ] || fail "$figs.partial left behind"

figures=0
for fig in company id classes status sources tls ases; do
  [ -s "$figs/$fig.csv" ] || fail "$fig.csv missing"
  rows=$(python3 -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1]))); assert r[0][0]=="label" and r[0][2]=="value_text", r[0]; print(len(r)-1)' "$figs/$fig.csv") \
    || fail "$fig.csv does not parse as CSV with a header"
  for size in 1col 2col; do
    svg=$figs/$fig-$size.svg pdf=$figs/$fig-$size.pdf
    [ -s "$svg" ] || fail "$fig-$size.svg missing"
    bars=$(python3 -c 'import sys, xml.etree.ElementTree as E; t=E.parse(sys.argv[1]).getroot(); print(len(t.findall("{http://www.w3.org/2000/svg}rect"))-1)' "$svg") \
      || fail "$fig-$size.svg is not well-formed XML"
    [ "$bars" -eq "$rows" ] || fail "$fig-$size.svg has $bars bars, $fig.csv $rows rows"
    rsvg-convert --format=png --output="$work/check.png" "$svg" || fail "rsvg-convert cannot render $fig-$size.svg"
    pdfinfo "$pdf" >"$work/pdfinfo.txt" 2>&1 || fail "$fig-$size.pdf does not parse: $(cat "$work/pdfinfo.txt")"
    width=$(awk '/^Page size:/ {print $3}' "$work/pdfinfo.txt")
    want=$([ "$size" = 1col ] && echo 252 || echo 504)
    awk -v w="$width" -v t="$want" 'BEGIN {exit !(w > t - 1 && w < t + 1)}' || fail "$fig-$size.pdf is $width pt wide, not $want"
    pdffonts "$pdf" | tail -n +3 >"$work/fonts.txt"
    [ -s "$work/fonts.txt" ] || fail "$fig-$size.pdf has no font"
    awk '{ if ($(NF-4) != "yes") bad=1 } END {exit bad}' "$work/fonts.txt" || fail "$fig-$size.pdf has a font not embedded: $(cat "$work/fonts.txt")"
    grep -q DejaVuSans "$work/fonts.txt" || fail "$fig-$size.pdf does not use DejaVu Sans"
  done
  figures=$((figures + 1))
done

# One definition of company: the exported ranking is summary.csv's.
python3 - "$work/res/summary.csv" "$figs/company.csv" <<'PY' || fail "company.csv does not rank as summary.csv"
import csv, sys
summary = [r["key"] for r in csv.DictReader(open(sys.argv[1])) if r["level"] == "company"]
figure = [r["label"] for r in csv.DictReader(open(sys.argv[2]))]
assert figure == summary[:len(figure)], (figure, summary[:len(figure)])
PY

# Every table compiles; the hostile AS name is text in the PDF, no file was read.
tables=0
for tex in "$figs"/table-*.tex; do
  name=$(basename "$tex" .tex)
  mkdir -p "$work/tex/$name"
  printf '\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{booktabs}\n\\begin{document}\n\\input{%s}\n\\end{document}\n' "$tex" >"$work/tex/$name/doc.tex"
  (cd "$work/tex/$name" && timeout 120 pdflatex -interaction=nonstopmode -halt-on-error -no-shell-escape doc.tex >pdflatex.log 2>&1) \
    || fail "$name.tex does not compile: $(grep -A3 '^!' "$work/tex/$name/pdflatex.log" | head -8)"
  pdfinfo "$work/tex/$name/doc.pdf" >/dev/null || fail "$name: no PDF from pdflatex"
  grep -q 'Overfull' "$work/tex/$name/pdflatex.log" && echo "note: $name is wider than a one-column page"
  tables=$((tables + 1))
done
[ "$tables" -eq 6 ] || fail "expected 6 tables (companies, ids, candidates, status, tls, ases), got $tables"
grep -qF 'R\&D\_Net \#1 100\% \{x\} \textbackslash{}input\{/etc/passwd\}' "$figs/table-ases.tex" || fail "the AS name is not escaped in table-ases.tex"
pdftotext "$work/tex/table-ases/doc.pdf" - | grep -qF 'R&D_Net #1 100% {x} \input{/etc/passwd}' || fail "the AS name is not printed as text"
grep -qF 'Zürich ??' "$figs/table-ases.tex" || fail "Latin letters not kept or CJK not replaced in table-ases.tex"
grep -q 'root:' "$work/tex/table-ases/pdflatex.log" && fail "a file was read through the AS name"

# Refusals: nothing written.
snapshot() { (cd "$work/res" && find . -type f -printf '%p %s %T@\n' | sort); }
before=$(snapshot)
set +e
"$mxscan" report "$work/res" --export "$figs" >/dev/null 2>"$work/err"; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "existing --export folder: exit $rc, expected 2"
grep -q "already exists" "$work/err" || fail "existing --export folder: message $(cat "$work/err")"
[ "$(snapshot)" = "$before" ] || fail "the refused export wrote into the results folder"

mkdir -p "$work/not-results"
set +e
"$mxscan" report "$work/not-results" --export "$work/figs2" >/dev/null 2>"$work/err"; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "a folder without providers.jsonl: exit $rc, expected 2"
grep -q "holds no providers.jsonl" "$work/err" || fail "not a results folder: message $(cat "$work/err")"
[ ! -e "$work/figs2" ] && [ -z "$(ls -A "$work/not-results")" ] || fail "something was written for a folder that is not a results folder"

set +e
MXSCAN_RSVG_CONVERT=/nonexistent/rsvg-convert "$mxscan" report "$work/res" --export "$work/figs3" >/dev/null 2>"$work/err"; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "no rsvg-convert: exit $rc, expected 1"
grep -q "librsvg2-bin" "$work/err" || fail "no rsvg-convert: message $(cat "$work/err")"
[ ! -e "$work/figs3" ] || fail "no rsvg-convert: $work/figs3 written"
[ "$(snapshot)" = "$before" ] || fail "no rsvg-convert: the results folder changed"

set +e
MXSCAN_RSVG_CONVERT=/bin/false "$mxscan" report "$work/res" --export "$work/figs4" --no-html >/dev/null 2>"$work/err"; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "rsvg-convert failing: exit $rc, expected 1"
grep -q "/bin/false failed" "$work/err" || fail "rsvg-convert failing: message $(cat "$work/err")"
[ ! -e "$work/figs4" ] && [ ! -e "$work/figs4.partial" ] || fail "rsvg-convert failing: a partial export was left"
# FIGS given with a trailing slash is the same folder (its .partial a sibling).
"$mxscan" report "$work/res" --no-html --export "$work/figs7/" >/dev/null 2>&1 || fail "--export DIR/ failed"
[ -s "$work/figs7/company-1col.pdf" ] && [ ! -e "$work/figs7.partial" ] || fail "--export DIR/ did not write DIR"

# AS names from an mmdb for ASes hosts.jsonl left unnamed (--asn-db): a database
# written by MaxMind's writer from tests/data/asn/asn_sample.tsv.
mkdir -p "$work/obs2"
cp "$src/tests/data/sample/domains.jsonl" "$src/tests/data/sample/hosts.jsonl" "$work/obs2/"
for i in 1 2 3 4 5 6; do
  echo "{\"schema\":\"mxscan/host/1\",\"address\":\"127.10.5.$i\",\"port\":25,\"asn\":64501,\"as_name\":\"\",\"status\":\"success\",\"phase\":\"done\",\"banner\":\"220 x ESMTP\",\"ehlo\":\"\",\"ehlo_tls\":\"\",\"starttls_offered\":false,\"starttls_accepted\":false,\"plaintext_after_starttls\":0,\"tls\":null,\"error\":null,\"duration_ms\":1}" >>"$work/obs2/hosts.jsonl"
done
"$mxscan" infer "$work/obs2" -o "$work/res2" --providers "$src/configs/providers.toml" >"$work/infer2.out" 2>&1 \
  || fail "mxscan infer (unnamed AS): $(cat "$work/infer2.out")"
perl "$src/scripts/lib/lab_mmdb.pl" "$src/tests/data/asn/asn_sample.tsv" "$work/asn.mmdb" >"$work/mmdb.out" 2>&1 \
  || fail "cannot write the test mmdb: $(cat "$work/mmdb.out")"
"$mxscan" report "$work/res2" --no-html --export "$work/figs5" >/dev/null 2>&1 || fail "export without --asn-db"
grep -q '^1 & AS64501 & -- & 6 & 6' "$work/figs5/table-ases.tex" || fail "the unnamed AS is not unnamed without --asn-db: $(grep AS64501 "$work/figs5/table-ases.tex")"
"$mxscan" report "$work/res2" --asn-db "$work/asn.mmdb" --export "$work/figs6" >"$work/asn.out" 2>&1 || fail "export with --asn-db: $(cat "$work/asn.out")"
grep -q '^1 & AS64501 & Inner Mail GmbH & 6 & 6' "$work/figs6/table-ases.tex" || fail "--asn-db did not name AS64501: $(grep AS64501 "$work/figs6/table-ases.tex")"
grep -q 'AS64501 Inner Mail GmbH' "$work/res2/report.html" || fail "report.html does not name AS64501 from --asn-db"
set +e
"$mxscan" report "$work/res2" --asn-db "$work/missing.mmdb" >/dev/null 2>"$work/err"; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "--asn-db of a missing file: exit $rc, expected 2"
grep -q "no such file" "$work/err" || fail "--asn-db of a missing file: message $(cat "$work/err")"
echo "not an mmdb" >"$work/bad.mmdb"
rm -f "$work/res2/report.html"
set +e
"$mxscan" report "$work/res2" --asn-db "$work/bad.mmdb" >/dev/null 2>"$work/err"; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "--asn-db of a file that is no mmdb: exit $rc, expected 1"
grep -q "asn-db" "$work/err" || fail "--asn-db of a bad file: message $(cat "$work/err")"
[ ! -e "$work/res2/report.html" ] || fail "--asn-db of a bad file: report.html written anyway"

echo "PASS: $figures figures (SVG and PDF at 1 and 2 columns, CSV) and $tables LaTeX tables; refusals leave nothing"
