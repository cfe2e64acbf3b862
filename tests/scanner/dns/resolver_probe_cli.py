#!/usr/bin/env python3
"""`mxscan` against resolvers that do not answer (no lab needed).

  resolver_probe_cli.py SRC BUILD WORK

1. Nothing listening on the resolver's port, a resolver that never replies and
   one that answers REFUSED: exit 2 before anything else, a message naming the
   resolver and what was asked, no results folder (nor a staging one); the
   silent resolver was asked only the root's SOA (no domain was looked up).
2. One of two resolvers silent: a warning naming it (stderr, scan.log, manifest
   notes), the scan goes on.
3. --resume of that folder while no resolver answers: exit 2, the folder
   unchanged byte for byte.
4. --probe-name: the SOA of that name is asked; a name that is not a host name
   is refused.
5. No busy waiting: a full scan whose every query times out (the resolver
   answers only the probe) uses under 5 % of its wall time in CPU, and the
   summary and report say that the domains ended in DNS errors.
6. SIGINT while an outage is waited out (the resolver went silent after the
   probe): exit 3 at once, state interrupted, no domain recorded.
"""
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "e2e"))
from flaky_resolver_client import FlakyResolver  # noqa: E402
from outage_config import outage_config  # noqa: E402
from labkit import tree_digest  # noqa: E402

SRC, BUILD, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
MXSCAN = os.path.join(BUILD, "mxscan")
NAME = "resolver_probe_cli"
resolvers = []


def fail(msg):
    print(f"{NAME}: FAIL {msg}", file=sys.stderr)
    sys.exit(1)


def closed_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def flaky(tag, mode):
    """tests/support/flaky_resolver.py in a mode, stopped when the test ends."""
    r = FlakyResolver(WORK, tag, mode, fail)
    resolvers.append(r)
    return r


def run(args, expect, timeout=120):
    start = time.monotonic()
    p = subprocess.Popen([MXSCAN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, text=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        fail(f"mxscan {' '.join(args)}: still running after {timeout} s")
    wall = time.monotonic() - start
    if p.returncode != expect:
        fail(f"mxscan {' '.join(args)}: exit {p.returncode}, expected {expect}:\n{err[-3000:]}")
    return out, err, wall


def scan_args(resolvers, out, *extra):
    args = ["--domains", os.path.join(WORK, "domains.txt"), "--ehlo-name", "scanner.lab.example",
            "-o", out, "-q"]
    for r in resolvers:
        args += ["--resolver", r]
    return args + list(extra)


def expect_no_folder(out):
    if os.path.exists(out):
        fail(f"{out} was created")
    left = [n for n in os.listdir(WORK) if n.startswith("." + os.path.basename(out))]
    if left:
        fail(f"staging folder left behind: {left}")


def need(text, err, what):
    if text not in err:
        fail(f"{what}: stderr lacks {text!r}:\n{err}")


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    with open(os.path.join(WORK, "domains.txt"), "w") as f:
        f.write("alpha.example\nbeta.example\ngamma.example\n")

    # 1. Closed port, silent, REFUSED.
    port = closed_udp_port()
    out = os.path.join(WORK, "closed")
    _, err, _ = run(scan_args([f"127.0.0.1:{port}"], out), 2)
    need("no DNS resolver answers", err, "closed port")
    need(f"127.0.0.1:{port}: resolver refused the connection", err, "closed port")
    need('SOA of "."', err, "closed port")
    need("no results folder was created", err, "closed port")
    expect_no_folder(out)

    silent = flaky("silent", "silent")
    out = os.path.join(WORK, "silent")
    _, err, wall = run(scan_args([silent.addr], out, "--dns-timeout", "0.2"), 2)
    need(f"{silent.addr}: no answer (timed out on every try)", err, "silent")
    need("timeout 200 ms, doubled on each of 3 tries", err, "silent")
    expect_no_folder(out)
    asked = silent.queries()
    if not asked or any(q != "6 ." for q in asked):
        fail(f"the silent resolver was asked more than the root's SOA: {asked}")

    refusing = flaky("refused", "refused")
    out = os.path.join(WORK, "refused")
    _, err, _ = run(scan_args([refusing.addr], out, "--dry-run"), 2)
    need(f"{refusing.addr}: answered REFUSED", err, "refused")
    expect_no_folder(out)

    # 2. One of two resolvers answers: a warning, and the scan goes on.
    helper = flaky("helper", "probe-only")
    out = os.path.join(WORK, "partial")
    _, err, _ = run(scan_args([silent.addr, helper.addr], out, "--dry-run", "--dns-timeout", "0.2"), 0)
    need(f"warning: 1 of 2 DNS resolvers do not answer ({silent.addr}: no answer", err, "partial")
    if f"1 of 2 DNS resolvers do not answer ({silent.addr}" not in open(os.path.join(out, "scan.log")).read():
        fail("scan.log lacks the resolver warning")
    notes = json.load(open(os.path.join(out, "manifest.json"))).get("notes", [])
    if not any(silent.addr in n for n in notes):
        fail(f"manifest notes lack the resolver warning: {notes}")

    # 3. --resume while no resolver answers: refused, the folder untouched.
    helper.set("silent")
    before = tree_digest(out)
    _, err, _ = run(["--resume", out], 2)
    need("no DNS resolver answers", err, "resume")
    need(f"{out} is unchanged: continue with mxscan --resume {out} once the resolver answers", err,
         "resume")
    if tree_digest(out) != before:
        fail("--resume refused by the probe changed the folder")

    # 4. --probe-name.
    helper.set("probe-only")
    n = len(helper.queries())
    out = os.path.join(WORK, "named")
    run(scan_args([helper.addr], out, "--dry-run", "--dns-timeout", "0.2", "--probe-name",
                  "Example.ORG."), 0)
    if helper.queries()[n] != "6 example.org":
        fail(f"--probe-name: first query {helper.queries()[n]!r}, not the SOA of example.org")
    out = os.path.join(WORK, "badname")
    _, err, _ = run(scan_args([helper.addr], out, "--probe-name", "not a name"), 2)
    need("is not a host name", err, "bad --probe-name")
    expect_no_folder(out)

    # 5. A whole scan waiting on timeouts costs (almost) no CPU. The wait is long
    # (1 s timeouts) so that the start-up's fixed cost (public suffix list,
    # catalog; ~0.4 s under ASan) does not pass for busy waiting: that grows with the wait.
    out = os.path.join(WORK, "idle")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    stdout, err, wall = run(scan_args([helper.addr], out, "--dns-timeout", "1"), 0)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if wall < 3:
        fail(f"the scan took {wall:.1f} s: its queries did not time out")
    if cpu > 0.05 * wall:
        fail(f"{cpu:.2f} s of CPU in {wall:.1f} s of waiting on timeouts (over 5 %): busy waiting")
    rows = [json.loads(l) for l in open(os.path.join(out, "domains.jsonl"))]
    if sorted(r["mx_status"] for r in rows) != ["timeout"] * 3:
        fail(f"expected 3 timeouts: {rows}")
    print(f"{NAME}: idle scan {wall:.1f} s wall, {cpu:.3f} s CPU ({100 * cpu / wall:.1f} %)")
    check_dns_error_reporting(out, stdout)

    # 6. Ctrl-C while an outage is being waited out stops at once.
    interrupt_during_outage(helper)

    print(f"{NAME}: closed, silent and refusing resolvers refused with exit 2 and nothing written; "
          "a partial answer warns; --resume refused untouched; --probe-name asked; idle scan idle")


def interrupt_during_outage(resolver):
    resolver.set("probe-only")
    names = os.path.join(WORK, "twelve.txt")
    with open(names, "w") as f:
        f.write("".join(f"d{i}.example\n" for i in range(12)))
    cfg = os.path.join(WORK, "outage.toml")
    outage_config(SRC, cfg, 10, 600000, retries=0)
    out = os.path.join(WORK, "sigint")
    p = subprocess.Popen([MXSCAN, "--domains", names, "--resolver", resolver.addr, "--config", cfg,
                          "--ehlo-name", "scanner.lab.example", "--dns-timeout", "0.2", "-o", out],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                         text=True)
    log = os.path.join(out, "scan.log")
    deadline = time.monotonic() + 60
    while not (os.path.exists(log) and "scan started" in open(log).read()):
        if time.monotonic() > deadline or p.poll() is not None:
            p.kill()
            fail("the scan did not start")
        time.sleep(0.02)
    resolver.set("silent")  # the probe passed; now nothing answers, re-probes included
    while "DNS outage: " not in open(log).read():
        if time.monotonic() > deadline or p.poll() is not None:
            p.kill()
            fail(f"no outage declared: {open(log).read()}")
        time.sleep(0.02)
    start = time.monotonic()
    p.send_signal(signal.SIGINT)
    try:
        _, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        fail("SIGINT during an outage: still running after 30 s (waiting for the verdict)")
    took = time.monotonic() - start
    if p.returncode != 3:
        fail(f"SIGINT during an outage: exit {p.returncode}, not 3:\n{err[-2000:]}")
    if took > 5:
        fail(f"SIGINT during an outage took {took:.1f} s")
    if json.load(open(os.path.join(out, "manifest.json")))["state"] != "interrupted":
        fail("SIGINT during an outage: state is not interrupted")
    rows = [json.loads(l) for l in open(os.path.join(out, "domains.jsonl"))]
    if rows:
        fail(f"domains recorded with the resolver gone: {rows[:2]}")
    print(f"{NAME}: SIGINT during an outage: exit 3 after {took:.2f} s, nothing recorded")


def check_dns_error_reporting(out, stdout):
    summary = json.load(open(os.path.join(out, "summary.json")))
    dns = summary.get("dns_errors")
    if not dns or dns.get("domains") != 3 or dns.get("causes", {}).get("timeout") != 3:
        fail(f"summary.json dns_errors: {dns}")
    need("3 of 3 domains (100.0 %) ended in DNS errors: timeout 3. Most of this run measured its "
         "DNS resolver", stdout, "printed summary")
    html = open(os.path.join(out, "report.html")).read()
    if "ended in DNS errors" not in html or "timeout" not in html:
        fail("report.html does not say the domains ended in DNS errors")
    if "scan without --asn-db or --pfx2as" in html:
        fail("report.html blames a missing ASN file for a scan that met no address")


if __name__ == "__main__":
    try:
        main()
    finally:
        for r in resolvers:
            r.stop()
