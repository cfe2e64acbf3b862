#!/usr/bin/env python3
"""The mailbox behind each gateway, scanned in the lab and checked against its truth.

Usage: signals_infer_lab.py SOURCE_DIR BUILD_DIR WORK_DIR

Brings up the standard lab and scans (DNS with signals, then SMTP) every domain the ground
truth names a mailbox company for. For each: providers.jsonl says `gateway` true, its inbound
company is of kind filtering, and `mailbox` holds the truth's company with the SPF name that
named it. Then `mxscan infer` over the scan's saved observations gives the same providers.jsonl,
byte for byte (offline equals live), and summary.json's gateway x mailbox matrix counts every
gateway domain. Brings the lab down.
"""
import json
import os
import sys

SRC, BUILD, WORK = (os.path.abspath(p) for p in sys.argv[1:4])
LAB = os.path.join(WORK, "lab")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labkit import LabKit, jsonl  # noqa: E402

kit = LabKit(SRC, BUILD, LAB, "signals-infer")
fail = kit.fail


def tests():
    truth = {r["domain"]: r for r in jsonl(os.path.join(LAB, "scenario", "ground_truth.jsonl"))}
    gateways = {n: t["mailbox"] for n, t in truth.items() if t.get("mailbox")}
    if len(gateways) < 4:
        fail(f"the truth names a mailbox for only {len(gateways)} domains")
    names = os.path.join(WORK, "gateways.txt")
    with open(names, "w") as f:
        f.write("".join(n + "\n" for n in sorted(gateways)))

    kit.step(f"scan the {len(gateways)} gateway domains of the lab")
    out = os.path.join(WORK, "scan")
    kit.run(kit.lab_scan_args(names) + ["-q", "--connect-timeout", "3", "--greeting-timeout",
                                        "5", "--reply-timeout", "5", "-o", out])
    rows = {r["domain"]: r for r in jsonl(os.path.join(out, "providers.jsonl"))}
    problems = []
    for name, company in sorted(gateways.items()):
        r = rows.get(name)
        if r is None:
            problems.append(f"{name}: no line in providers.jsonl")
            continue
        if r.get("gateway") is not True:
            problems.append(f"{name}: gateway is {r.get('gateway')!r} (inbound {r.get('inbound')})")
        if not any(c["kind"] == "filtering" for c in r.get("inbound", [])):
            problems.append(f"{name}: no filtering company inbound: {r.get('inbound')}")
        mailbox = r.get("mailbox") or []
        if company not in [m["company"] for m in mailbox]:
            problems.append(f"{name}: mailbox {mailbox}, truth says {company}")
        if any(not m["include"] for m in mailbox):
            problems.append(f"{name}: mailbox without the SPF name that named it: {mailbox}")
    if problems:
        fail("gateway domains differ from the truth:\n  " + "\n  ".join(problems))
    print(f"signals-infer: {len(gateways)} gateway domains name their truth's mailbox company")

    kit.step("mxscan infer over the saved observations gives the same providers.jsonl")
    offline = os.path.join(WORK, "offline")
    kit.run([kit.mxscan, "infer", out, "-o", offline, "--providers",
             os.path.join(SRC, "configs", "providers.toml")])
    with open(os.path.join(out, "providers.jsonl")) as a, \
            open(os.path.join(offline, "providers.jsonl")) as b:
        if a.read() != b.read():
            fail("providers.jsonl of mxscan infer differs from the scan's")
    with open(os.path.join(offline, "summary.json")) as f:
        signals = json.load(f).get("signals")
    if signals is None or signals["behind_gateway"] != len(gateways):
        fail(f"summary.json signals: {signals}")
    matrix = sum(c["domains"] for c in signals["gateway_mailbox"] if c["mailbox"])
    if matrix < len(gateways):
        fail(f"gateway x mailbox matrix counts {matrix} of {len(gateways)}: {signals}")


def main():
    kit.fresh_workdir(WORK)
    kit.lab("up")
    try:
        tests()
    finally:
        kit.lab("down")
    print("signals-infer: PASS")


if __name__ == "__main__":
    main()
