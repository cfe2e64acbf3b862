"""`mxscan report --export` on a scan of the lab's standard scenario.

Usage: report_export_lab.py SOURCE_DIR BUILD_DIR WORK_DIR

Brings up the lab, scans it, runs `mxscan report OUT --export figs`, and checks:
  - every SVG renders (rsvg-convert), every PDF parses (pdfinfo) with its fonts
    embedded, every CSV has as many rows as its figure has bars, every LaTeX table
    compiles with pdflatex and booktabs;
  - the split of credit outside the catalog (classes.csv) and the candidates to add
    (candidates.csv) equal what this test computes itself from the scan's
    providers.jsonl (self-hosted: the ID is the domain or a parent of it; not in the
    catalog: no company and not the domain's own; no ID), and the company figure ranks
    as summary.csv does. Nothing here is a count of the lab: the lab's scenario may
    change.
Brings the lab down; exits non-zero on the first failed check.
"""
import csv
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

SRC, BUILD, WORK = (os.path.abspath(p) for p in sys.argv[1:4])
LAB = os.path.join(WORK, "lab")
sys.path.insert(0, os.path.join(SRC, "tests", "e2e"))
from labkit import LabKit, jsonl  # noqa: E402

kit = LabKit(SRC, BUILD, LAB, "report-export")
fail, step = kit.fail, kit.step
SVG = "{http://www.w3.org/2000/svg}"


def own(domain, pid):
    return domain == pid or domain.endswith("." + pid)


def expected(out):
    """Credit per class and the candidates, computed from providers.jsonl."""
    classes = {"known": 0.0, "self": 0.0, "foreign": 0.0, "none": 0.0}
    foreign = {}  # ID -> [other domains, credit]
    ok = 0
    for r in jsonl(os.path.join(out, "providers.jsonl")):
        if r["status"] != "ok":
            continue
        ok += 1
        seen = set()
        for p in r["providers"]:
            if not p["id"]:
                classes["none"] += p["credit"]
            elif p["company"]:
                classes["known"] += p["credit"]
            elif own(r["domain"], p["id"]):
                classes["self"] += p["credit"]
            else:
                classes["foreign"] += p["credit"]
                row = foreign.setdefault(p["id"], [0, 0.0])
                row[1] += p["credit"]
                if p["id"] not in seen:
                    row[0] += 1
            if p["id"]:
                seen.add(p["id"])
    ranked = sorted(foreign.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
    return classes, ranked, ok


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def check_export(figs, out):
    names = sorted(os.listdir(figs))
    figures = [n[:-4] for n in names if n.endswith(".csv")]
    for fig in ("company", "id", "classes", "status", "sources", "tls", "ases"):
        if fig not in figures:
            fail(f"figure {fig} not exported: {names}")
    for fig in figures:
        bars = len(rows(os.path.join(figs, fig + ".csv")))
        for size, width in (("1col", 252), ("2col", 504)):
            svg = os.path.join(figs, f"{fig}-{size}.svg")
            pdf = os.path.join(figs, f"{fig}-{size}.pdf")
            rects = ET.parse(svg).getroot().findall(SVG + "rect")
            if len(rects) - 1 != bars:
                fail(f"{fig}-{size}.svg: {len(rects) - 1} bars, CSV {bars} rows")
            kit.run(["rsvg-convert", "--format=png", "--output", os.path.join(WORK, "x.png"), svg])
            info = kit.run(["pdfinfo", pdf]).stdout
            size_line = [l for l in info.splitlines() if l.startswith("Page size:")][0]
            if abs(float(size_line.split()[2]) - width) > 1:
                fail(f"{fig}-{size}.pdf: {size_line}")
            fonts = kit.run(["pdffonts", pdf]).stdout.splitlines()[2:]
            if not fonts or any(l.split()[-5] != "yes" for l in fonts):
                fail(f"{fig}-{size}.pdf: a font is not embedded:\n" + "\n".join(fonts))
    tables = [n for n in names if n.endswith(".tex")]
    for t in tables:
        d = os.path.join(WORK, "tex", t[:-4])
        os.makedirs(d)
        with open(os.path.join(d, "doc.tex"), "w") as f:
            f.write("\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n"
                    f"\\input{{{os.path.join(figs, t)}}}\n\\end{{document}}\n")
        p = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                            "-no-shell-escape", "doc.tex"], cwd=d, capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, timeout=120)
        if p.returncode != 0:
            fail(f"{t} does not compile:\n{p.stdout[-1500:]}")
    # The lab scan collects signals (on by default): the three tables beside the method's.
    signal_tables = {"table-mailbox.tex", "table-gateway_mailbox.tex", "table-inbound_signals.tex"}
    if len(tables) != 9 or not signal_tables <= set(tables):
        fail(f"expected 6 tables and the 3 signal tables, got {tables}")

    classes, candidates, ok = expected(out)
    got = {r["label"]: float(r["credit"]) for r in rows(os.path.join(figs, "classes.csv"))}
    want = {"company in the catalog": classes["known"],
            "self-hosted (ID is the domain's own)": classes["self"],
            "provider ID not in the catalog": classes["foreign"],
            "no provider ID": classes["none"]}
    for label, credit in want.items():
        if abs(got.get(label, -1) - credit) > 1e-6:
            fail(f"classes.csv {label}: {got.get(label)}, computed {credit}")
    if abs(sum(want.values()) - ok) > 1e-6:
        fail(f"the classes hold {sum(want.values())} credit for {ok} domains with a provider")
    shown = rows(os.path.join(figs, "candidates.csv")) if candidates else []
    top = candidates[:len(shown)]
    if [r["label"] for r in shown] != [k for k, _ in top] or len(shown) != min(10, len(candidates)):
        fail(f"candidates.csv {[r['label'] for r in shown]}, computed {[k for k, _ in top]}")
    for r, (_, (domains, _)) in zip(shown, top):
        if int(float(r["domains"])) != domains:
            fail(f"candidates.csv {r['label']}: {r['domains']} domains, computed {domains}")
    summary = [r["key"] for r in rows(os.path.join(out, "summary.csv")) if r["level"] == "company"]
    company = [r["label"] for r in rows(os.path.join(figs, "company.csv"))]
    if company != summary[:len(company)]:
        fail(f"company.csv ranks {company}, summary.csv {summary[:len(company)]}")
    print(f"report-export: {len(figures)} figures, {len(tables)} tables; outside the catalog: "
          f"self-hosted {classes['self']:g}, not in the catalog {classes['foreign']:g} "
          f"({len(candidates)} candidates), no ID {classes['none']:g} of {ok}")


def main():
    for tool in ("rsvg-convert", "pdfinfo", "pdffonts", "pdflatex"):
        if shutil.which(tool) is None:
            fail(f"{tool} is not installed: run scripts/setup")
    kit.fresh_workdir(WORK)
    step("lab up")
    kit.lab("up")
    try:
        out = os.path.join(WORK, "out")
        step("scan")
        kit.run([*kit.lab_scan_args(), "--per-24", "8", "--per-24-rate", "50", "--rate", "0",
                 "--connect-timeout", "3", "--greeting-timeout", "5", "--reply-timeout", "5",
                 "--session-timeout", "20", "--quiet", "-o", out])
        step("report --export")
        figs = os.path.join(WORK, "figs")
        p = kit.run([kit.mxscan, "report", out, "--export", figs])
        if "Figures and tables written to" not in p.stdout:
            fail(f"no export line:\n{p.stdout[-800:]}")
        lines = sum(1 for _ in open(os.path.join(out, "report-domains.csv"))) - 1
        domains = len(jsonl(os.path.join(out, "providers.jsonl")))
        if lines != domains:
            fail(f"report-domains.csv has {lines} rows for {domains} domains")
        check_export(figs, out)
    finally:
        kit.lab("down")
    print("report-export: PASS")


main()
