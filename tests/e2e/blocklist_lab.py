#!/usr/bin/env python3
"""The blocklist cannot be bypassed (docs/reliability.md), proved in the lab.

Usage: blocklist_lab.py SOURCE_DIR BUILD_DIR WORK_DIR

Brings up the lab's bypass scenario (the standard cases plus exchanges that reach a
blocked range directly, via CNAME, via IPv4-mapped AAAA ::ffff:a.b.c.d, directly or via
CNAME, through 0.0.0.0 and through ::), scans those domains and one allowed control
domain with --ipv6, then checks:
  - every bypass domain has the ground truth's status (blocked);
  - every blocked address has a host record with status blocked and phase none;
  - the persona server, which counts every connection to any 127.x.y.z on the lab's
    SMTP port, saw none to 127.200.0.0/24 (the canaries), none to 127.0.0.1 (where a
    connect to 0.0.0.0 lands) and none outside the allowed 127.0.0.0/9;
  - a listener of this test on [::1] at the same port (where a connect to :: lands)
    saw no connection;
  - the control domain's address was contacted (the count is not vacuous).
Brings the lab down; exits non-zero on the first failed check.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

SRC, BUILD, WORK = (os.path.abspath(p) for p in sys.argv[1:4])
MXSCAN = os.path.join(BUILD, "mxscan")
LAB = os.path.join(WORK, "lab")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labkit import LabKit, jsonl  # noqa: E402

kit = LabKit(SRC, BUILD, LAB, "blocklist")
fail, lab, lab_env = kit.fail, kit.lab, kit.env
CONTROL = "netflix-lab.com"  # Google MX at 127.15.169.1/.2: allowed, answers SMTP


class V6Listener:
    """Counts connections to [::1]:port (a connect to :: lands there)."""

    def __init__(self, port):
        self.count = 0
        self.sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("::1", port))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            try:
                c, _ = self.sock.accept()
                self.count += 1
                c.close()
            except socket.timeout:
                continue
            except OSError:
                return

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


def tests():
    e = lab_env()
    truth = {r["domain"]: r for r in jsonl(os.path.join(LAB, "scenario", "ground_truth.jsonl"))}
    bypass = sorted(d for d, r in truth.items() if r["case"].startswith("bypass:"))
    if len(bypass) != 6:
        fail(f"expected 6 bypass cases in the scenario, found {bypass}")
    listener = V6Listener(int(e["SMTP_PORT"]))
    try:
        domains = os.path.join(WORK, "domains.txt")
        with open(domains, "w") as f:
            f.write("".join(d + "\n" for d in bypass + [CONTROL]))
        out = os.path.join(WORK, "out")
        p = subprocess.run(
            [*kit.lab_scan_args(domains), "--ipv6", "--connect-timeout", "3",
             "--greeting-timeout", "5", "--reply-timeout", "5", "--session-timeout", "20",
             "-o", out],
            capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if p.returncode != 0:
            fail(f"mxscan exited {p.returncode}:\n{p.stderr[-3000:]}")
        time.sleep(1.5)  # the persona server rewrites its stats file every second
    finally:
        listener.close()

    got = {r["domain"]: r for r in jsonl(os.path.join(out, "providers.jsonl"))}
    wrong = [f"{d}: want {truth[d]['status']}, got {got.get(d, {}).get('status')}"
             for d in bypass if got.get(d, {}).get("status") != truth[d]["status"]]
    if got.get(CONTROL, {}).get("status") != "ok":
        wrong.append(f"{CONTROL} (control): want ok, got {got.get(CONTROL, {}).get('status')}")
    if wrong:
        fail("statuses differ:\n  " + "\n  ".join(wrong))

    hosts = {r["address"]: r for r in jsonl(os.path.join(out, "hosts.jsonl"))}
    blocked_forms = {"127.200.0.1", "127.200.0.2", "127.200.0.3", "127.200.0.4", "0.0.0.0", "::"}
    for a, r in hosts.items():
        folded = a[len("::ffff:"):] if a.startswith("::ffff:") else a
        if folded in blocked_forms or a in blocked_forms:
            if r["status"] != "blocked":
                fail(f"host {a}: status {r['status']}, want blocked")
    seen = {a[len("::ffff:"):] if a.startswith("::ffff:") else a for a in hosts}
    missing = blocked_forms - seen
    if missing:
        fail(f"no host record for {sorted(missing)}")

    stats = {}
    for line in open(os.path.join(LAB, "persona", "stats.tsv")):
        if line.startswith("#"):
            continue
        kind, addr, conns, _ = line.rstrip("\n").split("\t")
        stats[(kind, addr)] = int(conns)
    contacted = {a: n for (k, a), n in stats.items() if k == "addr" and n > 0}
    bad = {a: n for a, n in contacted.items()
           if a == "127.0.0.1" or int(a.split(".")[1]) >= 128}
    if bad:
        fail(f"blocked addresses were contacted: {bad}")
    if listener.count:
        fail(f"[::1] (where :: lands) saw {listener.count} connection(s)")
    control = [a for a in ("127.15.169.1", "127.15.169.2") if contacted.get(a)]
    if not control:
        fail("the control domain's exchange was not contacted: the counts prove nothing")
    print(f"blocklist: {len(bypass)} bypass forms blocked, 0 connections to 127.200.0.0/24, "
          f"127.0.0.1 or [::1]; control contacted at {control}")


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    try:
        lab("down")
    except subprocess.CalledProcessError:
        pass
    lab("up", "--scenario", "bypass")
    try:
        tests()
    finally:
        lab("down")
    print("blocklist: PASS")


if __name__ == "__main__":
    main()
