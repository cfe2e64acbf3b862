#!/usr/bin/env python3
"""Compares a scan of the lab with the ground truth, and checks the scanner's conduct.

    e2e_check.py LAB_DIR OUT_DIR [--per24-in-flight N] [--connect-retries N]

Results (docs/formats.md): OUT_DIR/providers.jsonl must give, for every input domain,
exactly one line whose status and per-ID credit equal the ground truth (and, where it names
them, whose per-company credit equals its `companies`, with no provider flagged)
(LAB_DIR/scenario/ground_truth.jsonl); OUT_DIR/domains.jsonl must have one line per input.
Conduct (docs/conduct.md, read from the lab's own records, not from the scanner's):
no MAIL/RCPT/DATA/VRFY/EXPN/AUTH/BDAT ever received (persona command log and Postfix's
per-session command counts), every EHLO/HELO carries the scanner's --ehlo-name, every
session on a well-behaved persona ends with QUIT, no blocked address was contacted (the
canary), each address was contacted once (plus retries after a reset), and no /24 saw more
sessions in flight than the per-/24 cap.
"""
import argparse
import collections
import json
import os
import re
import sys

FORBIDDEN = {"MAIL", "RCPT", "DATA", "VRFY", "EXPN", "AUTH", "BDAT", "TURN", "ETRN"}


def load_jsonl(path):
    rows, bad = [], 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                bad += 1
    return rows, bad


def credit_of(rec):
    out = collections.defaultdict(float)
    for p in rec.get("providers") or []:
        if p.get("id") is not None:
            out[p["id"]] += float(p.get("credit", 0))
    return dict(out)


def company_credit_of(rec):
    out = collections.defaultdict(float)
    for p in rec.get("providers") or []:
        if p.get("company") is not None:
            out[p["company"]] += float(p.get("credit", 0))
    return dict(out)


def same_credit(a, b):
    keys = set(a) | set(b)
    return all(abs(a.get(k, 0.0) - b.get(k, 0.0)) < 1e-9 for k in keys)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lab")
    ap.add_argument("out")
    ap.add_argument("--per24-in-flight", type=int, default=2)
    ap.add_argument("--connect-retries", type=int, default=1)
    ap.add_argument("--ehlo-name", default="scanner.lab.example")
    ap.add_argument("--show", type=int, default=50, help="mismatches printed at most")
    ap.add_argument("--results-only", action="store_true",
                    help="compare the results only (outputs not produced by a scan of this lab)")
    a = ap.parse_args()
    failures = []

    def fail(text):
        failures.append(text)
        if len(failures) <= a.show:
            print("FAIL " + text, flush=True)

    scen = os.path.join(a.lab, "scenario")
    truth, _ = load_jsonl(os.path.join(scen, "ground_truth.jsonl"))
    inputs = [line.rstrip("\n") for line in open(os.path.join(scen, "domains.txt"),
                                                 encoding="utf-8") if line.strip()]

    # ------------------------------------------------------------ results
    prov, bad = load_jsonl(os.path.join(a.out, "providers.jsonl"))
    if bad:
        fail(f"providers.jsonl: {bad} lines are not JSON")
    if len(prov) != len(inputs):
        fail(f"providers.jsonl: {len(prov)} lines for {len(inputs)} input domains")
    by_domain = collections.defaultdict(list)
    for rec in prov:
        by_domain[rec.get("domain")].append(rec)
    for d, recs in by_domain.items():
        if len(recs) > 1:
            fail(f"providers.jsonl: {len(recs)} lines for {d}")
    matched = 0
    for t in truth:
        d = t["domain"]
        recs = by_domain.get(d) or by_domain.get(t.get("input", d))
        if not recs:
            fail(f"{d} ({t['case']}): no line in providers.jsonl")
            continue
        got = recs[0]
        got_credit = credit_of(got)
        if got.get("status") != t["status"] or (t["status"] == "ok" and
                                                 not same_credit(got_credit, t["providers"])):
            detail = [(p.get("mx"), p.get("id"), p.get("source"), p.get("credit"), p.get("flag"))
                      for p in got.get("providers") or []]
            fail(f"{d} ({t['case']}): expected {t['status']} {t['providers']}, got "
                 f"{got.get('status')} {got_credit} {detail} reason={got.get('reason')!r}; "
                 f"why: {t.get('why', '')}")
            continue
        # Real-convention customers also name the company their provider must map to.
        if t.get("companies") and not same_credit(company_credit_of(got), t["companies"]):
            fail(f"{d} ({t['case']}): expected companies {t['companies']}, got "
                 f"{company_credit_of(got)}")
            continue
        # ... and are configured as the company's customers really are: no check of
        # step 4 may flag them (a shared certificate taken for a VPS, a hosted AS for unseen).
        flagged = [(p.get("id"), p.get("flag"), p.get("flag_reason"))
                   for p in got.get("providers") or [] if p.get("flag")]
        if t.get("companies") and flagged:
            fail(f"{d} ({t['case']}): flagged {flagged}")
            continue
        matched += 1
    if a.results_only:
        print(f"e2e_check: {matched}/{len(truth)} domains match the ground truth, "
              f"{len(failures)} failures (results only)")
        return 1 if failures else 0

    doms, bad = load_jsonl(os.path.join(a.out, "domains.jsonl"))
    if bad:
        fail(f"domains.jsonl: {bad} lines are not JSON")
    if len(doms) != len(inputs):
        fail(f"domains.jsonl: {len(doms)} lines for {len(inputs)} input domains")

    # ------------------------------------------------------------ conduct
    personas = {}
    for line in open(os.path.join(scen, "faults.tsv")):
        if line.startswith("#"):
            continue
        name, addr, fault, starttls, banner = line.rstrip("\n").split("\t")
        personas[addr] = (name, fault, starttls, banner)
    sessions = collections.defaultdict(list)
    for line in open(os.path.join(a.lab, "persona", "commands.log"), errors="replace"):
        parts = line.rstrip("\n").split("\t", 3)
        if len(parts) != 4:
            fail(f"commands.log: malformed line {line!r}")
            continue
        addr, sid, channel, cmd = parts
        sessions[(addr, sid)].append((channel, cmd))
        verb = cmd.split(" ", 1)[0].upper()
        if verb in FORBIDDEN:
            fail(f"forbidden command {cmd!r} sent to {addr}")
        if verb in ("EHLO", "HELO") and cmd.split(" ", 1)[1:] != [a.ehlo_name]:
            fail(f"{verb} to {addr} names {cmd!r}, not {a.ehlo_name}")
    well_behaved = {addr for addr, (_, fault, _, banner) in personas.items()
                    if fault in ("none", "postfix") and banner.startswith("220")}
    for (addr, sid), cmds in sessions.items():
        if addr in well_behaved and cmds and cmds[-1][1].upper() != "QUIT" and cmds[-1][0] != "fwd":
            fail(f"session {sid} on {addr} ({personas[addr][0]}) ended with {cmds[-1]}, not QUIT")
    stats = {}
    for line in open(os.path.join(a.lab, "persona", "stats.tsv")):
        if line.startswith("#"):
            continue
        kind, addr, conns, peak = line.rstrip("\n").split("\t")
        stats[(kind, addr)] = (int(conns), int(peak))
    for (kind, addr), (conns, peak) in stats.items():
        if kind == "addr":
            first, second = (int(x) for x in addr.split(".")[:2])
            if first != 127 or second >= 128:
                fail(f"blocked address {addr} was contacted {conns} time(s)")
            limit = 1 + (a.connect_retries if personas.get(addr, ("", ""))[1] == "reset" else 0)
            if conns > limit:
                fail(f"{addr} contacted {conns} times (at most {limit} expected)")
        if kind == "net24" and peak > a.per24_in_flight:
            fail(f"{addr}: {peak} sessions in flight at once (cap {a.per24_in_flight})")
    maillog = os.path.join(a.lab, "postfix", "log", "maillog")
    for line in open(maillog, errors="replace"):
        m = re.search(r"disconnect from .*", line)
        if m and re.search(r"\b(mail|rcpt|data|vrfy|expn|auth|bdat)=", m.group(0)):
            fail(f"Postfix saw a forbidden command: {line.strip()}")

    print(f"e2e_check: {matched}/{len(truth)} domains match the ground truth, "
          f"{len(sessions)} sessions checked, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
