#!/usr/bin/env python3
"""MTA-STS policies over HTTPS (--mta-sts, docs/mta-sts.md), proved in the lab.

Usage: mta_sts_lab.py SOURCE_DIR BUILD_DIR WORK_DIR

Brings up the standard lab (its MTA-STS cases: scripts/lib/lab_mta_sts.py, served by the
lab's nginx), then:
  - scans the MTA-STS domains without --mta-sts: no policy is recorded and nginx sees
    no connection at all (the web contact is opt-in);
  - scans them with --mta-sts: each domain's recorded policy has the ground truth's
    status (and for a fetched policy its mode and whether it covers the MX);
  - nginx's access log shows exactly one request per policy host that completed TLS,
    none for the bad-certificate hosts (their one handshake is in nginx's error log)
    and nothing at all for the blocked one, which nginx serves too;
  - refusals (exit 2, nothing contacted): --resume with --mta-sts (the folder unchanged),
    and mta_sts.port = 0 in the configuration (no folder left).
Brings the lab down; exits non-zero on the first failed check.
"""
import collections
import os
import re
import shutil
import subprocess
import sys
import time

SRC, BUILD, WORK = (os.path.abspath(p) for p in sys.argv[1:4])
LAB = os.path.join(WORK, "lab")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labkit import LabKit, jsonl, tree_digest  # noqa: E402

kit = LabKit(SRC, BUILD, LAB, "mta-sts")
fail = kit.fail
# The slow host sends its file at 1 byte/s: the fetch ends at its 10 s deadline, and nginx
# logs the request once it notices the closed connection.
LOG_DEADLINE_S = 120


def scan(domains, out, *extra):
    e = kit.env()
    kit.run(kit.lab_scan_args(domains) + ["--mta-sts-port", e["WEB_PORT"], "-q", "-o", out,
                                          *extra])
    return {r["domain"]: r for r in jsonl(os.path.join(out, "domains.jsonl"))}


def access_lines():
    with open(os.path.join(LAB, "web", "access.log")) as f:
        return [line.split() for line in f if line.strip()]


def handshakes_failed():
    """Policy host addresses (server side) of handshakes nginx saw fail."""
    with open(os.path.join(LAB, "web", "error.log")) as f:
        return [m.group(1) for m in re.finditer(r"SSL_do_handshake\(\) failed.*?server: "
                                                r"([0-9.]+):\d+", f.read())]


def tests():
    truth = [r for r in jsonl(os.path.join(LAB, "scenario", "ground_truth.jsonl"))
             if "mta_sts_policy" in r]
    for r in truth:
        r["mta_sts"] = r["mta_sts_policy"]
    if len(truth) < 10:
        fail(f"the lab has {len(truth)} MTA-STS cases, expected 10")
    sites = {}  # domain -> policy host address served by nginx
    for line in open(os.path.join(LAB, "scenario", "nginx.tsv")):
        if line.startswith("#"):
            continue
        domain, addr = line.split("\t")[:2]
        sites[domain] = addr
    domains = os.path.join(WORK, "mta-sts-domains.txt")
    with open(domains, "w") as f:
        f.writelines(r["domain"] + "\n" for r in truth)

    kit.step("without --mta-sts: nothing fetched, nothing recorded")
    off = scan(domains, os.path.join(WORK, "off"))
    for r in truth:
        rec = off.get(r["domain"])
        if rec is None:
            fail(f"{r['domain']}: no domain record")
        mta_sts = (rec.get("signals") or {}).get("mta_sts") or {}
        if not mta_sts.get("record", "").startswith("v=STSv1"):
            fail(f"{r['domain']}: the DNS stage did not record the MTA-STS TXT: {mta_sts}")
        if mta_sts.get("policy") is not None:
            fail(f"{r['domain']}: a policy without --mta-sts: {mta_sts['policy']}")
    if access_lines() or handshakes_failed():
        fail(f"nginx was contacted without --mta-sts: {access_lines()} {handshakes_failed()}")

    kit.step("refusals: --resume with --mta-sts; mta_sts.port = 0")
    off_dir = os.path.join(WORK, "off")
    before = tree_digest(off_dir)
    p = kit.run([kit.mxscan, "--resume", off_dir, "--mta-sts"], expect=2)
    if "--mta-sts would change what is measured" not in p.stderr:
        fail(f"--resume --mta-sts: {p.stderr}")
    if tree_digest(off_dir) != before:
        fail("--resume --mta-sts changed the folder")
    cfg = os.path.join(WORK, "cfg")
    shutil.copytree(os.path.join(SRC, "configs"), cfg)
    toml = os.path.join(cfg, "mxscan.toml")
    text = open(toml).read()
    if "\nport = 443 " not in text:
        fail("configs/mxscan.toml has no mta_sts port = 443 line")
    with open(toml, "w") as f:
        f.write(text.replace("\nport = 443 ", "\nport = 0 ", 1))
    refused = os.path.join(WORK, "refused")
    args = kit.lab_scan_args(domains) + ["--config", toml, "-q", "-o", refused, "--mta-sts"]
    p = kit.run(args, expect=2)
    if "mta_sts.port must be a TCP port, 1 to 65535" not in p.stderr:
        fail(f"mta_sts.port = 0: {p.stderr}")
    if os.path.exists(refused):
        fail("mta_sts.port = 0 left a results folder")
    if access_lines() or handshakes_failed():
        fail("nginx was contacted by a refused scan")

    kit.step("with --mta-sts: each case's policy as the truth says")
    on = scan(domains, os.path.join(WORK, "on"), "--mta-sts")
    for r in truth:
        policy = on[r["domain"]]["signals"]["mta_sts"].get("policy")
        want = r["mta_sts"]
        if policy is None:
            fail(f"{r['domain']}: no policy recorded with --mta-sts")
        got = {k: policy.get(k) for k in want}
        if got != want:
            fail(f"{r['domain']} ({r['why']}): policy {policy}, expected {want}")
        if want["status"] == "ok" and not policy.get("mx"):
            fail(f"{r['domain']}: a fetched policy without its mx patterns: {policy}")
        if want["status"] != "ok" and not policy.get("error"):
            fail(f"{r['domain']}: status {want['status']} without its detail: {policy}")

    kit.step("nginx saw one request per policy host, none for the blocked one")
    status = {r["domain"]: r["mta_sts"]["status"] for r in truth}
    blocked = {sites[d] for d, s in status.items() if s == "blocked"}
    bad_cert = sorted(sites[d] for d, s in status.items() if s == "bad_certificate")
    served = {sites[d] for d, s in status.items()
              if d in sites and s not in ("blocked", "bad_certificate")}
    deadline = time.monotonic() + LOG_DEADLINE_S
    while time.monotonic() < deadline:
        seen = {line[0] for line in access_lines()}
        if served <= seen and len(handshakes_failed()) >= len(bad_cert):
            break
        time.sleep(0.2)
    per_host = collections.Counter(line[0] for line in access_lines())
    if set(per_host) != served or any(n != 1 for n in per_host.values()):
        fail(f"requests per policy host {dict(per_host)}, expected one each for {sorted(served)}")
    if sorted(handshakes_failed()) != bad_cert:
        fail(f"failed handshakes at {sorted(handshakes_failed())}, expected one each at {bad_cert}")
    if blocked & (set(per_host) | set(handshakes_failed())):
        fail(f"the blocked policy host {blocked} was contacted")
    log = open(os.path.join(WORK, "on", "scan.log")).read()
    if f"mta-sts stage: domains {len(truth)} fetches {len(served) + len(bad_cert)} " not in log:
        fail(f"scan.log's mta-sts stage line: {re.findall(r'mta-sts stage.*', log)}")


def main():
    kit.fresh_workdir(WORK)
    kit.lab("up")
    try:
        tests()
    finally:
        kit.lab("down")
    print("mta-sts: PASS")


if __name__ == "__main__":
    main()
