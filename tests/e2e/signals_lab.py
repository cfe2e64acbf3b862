#!/usr/bin/env python3
"""The signals beyond the MX record, scanned in the lab and checked against its truth.

Usage: signals_lab.py SOURCE_DIR BUILD_DIR WORK_DIR

Brings up the standard lab, resolves it with `mxscan --dry-run` (the DNS stage only;
signals are on by default) and checks, for every domain of the ground truth, every DNS
field of "signals" in domains.jsonl: the SPF record, result, error, the names reached and
the lookup count (where the truth states it); DMARC record, policy, rua, ruf; MTA-STS
record and id; TLS-RPT record and rua; TLSA (records, AD bit clear: NSD is no validating
resolver) on every primary exchange and on no other. Also: a TXT answer over 1232 bytes
(NSD sets TC over UDP) comes back whole, so it was read over TCP; `--signals off` writes
records without "signals" or "tlsa" and the same MX part; a bad --signals value is
refused. Brings the lab down.
"""
import json
import os
import sys

SRC, BUILD, WORK = (os.path.abspath(p) for p in sys.argv[1:4])
LAB = os.path.join(WORK, "lab")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labkit import LabKit, jsonl  # noqa: E402

kit = LabKit(SRC, BUILD, LAB, "signals")
fail = kit.fail


def check_domain(d, t, problems):
    name = d["domain"]
    want = t.get("signals")
    if want is None:
        return
    got = d.get("signals")
    if not want["collected"]:
        if got is None or got["spf"]["status"] != "not_queried" or got["spf"]["result"] != "":
            problems.append(f"{name}: signals must be present and not queried: {got}")
        return
    if got is None:
        problems.append(f"{name}: no signals")
        return

    def same(field, have, expect):
        if have != expect:
            problems.append(f"{name}: {field} is {have!r}, truth says {expect!r}")

    spf = got["spf"]
    w = want["spf"]
    same("spf.result", spf["result"], w["result"])
    same("spf.reached", spf["reached"], w["reached"])
    same("spf.record", spf["record"], w["record"])
    same("spf.error", spf["error"] or None, w.get("error"))
    if "lookups" in w:
        same("spf.lookups", spf["lookups"], w["lookups"])
    for part in ("dmarc", "mta_sts", "tls_rpt"):
        for field, value in want[part].items():
            same(f"{part}.{field}", got[part][field], value)
    mx = d["mx"]
    usable = [m for m in mx if m["addr_status"] not in ("invalid_name", "address_literal")]
    primary = min((m["preference"] for m in usable), default=None)
    for m in mx:
        is_primary = m in usable and m["preference"] == primary
        if not is_primary:
            if "tlsa" in m:
                problems.append(f"{name}: TLSA asked for non-primary exchange {m['exchange']}")
            continue
        tlsa = m.get("tlsa")
        if tlsa is None:
            problems.append(f"{name}: no TLSA for primary exchange {m['exchange']}")
            continue
        expect = want["tlsa"].get(m["exchange"], [])
        same(f"tlsa({m['exchange']}).records", tlsa["records"], expect)
        same(f"tlsa({m['exchange']}).status", tlsa["status"], "ok" if expect else "nxdomain")
        same(f"tlsa({m['exchange']}).authenticated", tlsa["authenticated"], False)


def tests():
    truth = {r["domain"]: r for r in jsonl(os.path.join(LAB, "scenario", "ground_truth.jsonl"))}
    kit.step("scan the lab's DNS (signals on by default)")
    out = os.path.join(WORK, "on")
    kit.run(kit.lab_scan_args() + ["--dry-run", "-q", "-o", out])
    domains = {d["domain"]: d for d in jsonl(os.path.join(out, "domains.jsonl"))}
    if set(domains) != set(truth):
        fail(f"domains differ from the truth: {sorted(set(domains) ^ set(truth))}")
    problems = []
    for name, t in sorted(truth.items()):
        check_domain(domains[name], t, problems)
    if problems:
        fail("signals differ from the truth:\n  " + "\n  ".join(problems))
    checked = [n for n, t in truth.items() if t.get("signals", {}).get("collected")]
    with_spf = [n for n in checked if truth[n]["signals"]["spf"]["result"] != "none"]
    if len(checked) < 80 or len(with_spf) < 15:
        fail(f"too few domains checked ({len(checked)}, {len(with_spf)} with SPF)")
    long_record = domains["lodi-lab.gov"]["signals"]["spf"]["record"]
    if len(long_record) < 1232:
        fail(f"the long SPF record came back with {len(long_record)} bytes")
    print(f"signals: {len(checked)} domains match the truth ({len(with_spf)} with SPF)")

    kit.step("--signals off: no signals, no TLSA, and fewer queries")
    off = os.path.join(WORK, "off")
    kit.run(kit.lab_scan_args() + ["--dry-run", "-q", "--signals", "off", "-o", off])
    for d in jsonl(os.path.join(off, "domains.jsonl")):
        if "signals" in d or any("tlsa" in m for m in d["mx"]):
            fail(f"{d['domain']}: signals written with --signals off")
        same_mx = dict(d)
        on_mx = dict(domains[d["domain"]])
        on_mx.pop("signals", None)
        on_mx["mx"] = [{k: v for k, v in m.items() if k != "tlsa"} for m in on_mx["mx"]]
        same_mx.pop("line", None)
        on_mx.pop("line", None)
        if same_mx != on_mx:
            fail(f"{d['domain']}: MX part differs with signals off:\n{same_mx}\n{on_mx}")
    with open(os.path.join(off, "config.toml")) as f:
        if "signals = false" not in f.read():
            fail("config.toml does not record signals = false")

    kit.step("a bad --signals value is refused before anything is written")
    bad = os.path.join(WORK, "bad")
    p = kit.run(kit.lab_scan_args() + ["--dry-run", "-q", "--signals", "maybe", "-o", bad],
                expect=2)
    if "--signals" not in p.stderr or os.path.exists(bad):
        fail(f"--signals maybe: {p.stderr!r}, folder exists: {os.path.exists(bad)}")


def main():
    kit.fresh_workdir(WORK)
    kit.lab("up")
    try:
        tests()
    finally:
        kit.lab("down")
    print("signals: PASS")


if __name__ == "__main__":
    main()
