#!/usr/bin/env python3
"""A resolver that dies in the middle of a lab scan, then comes back.

  dns_outage_lab.py SRC BUILD WORK

The scan's resolver is tests/support/flaky_resolver.py relaying to the lab's NSD;
it answers the first queries and then goes silent. With a small outage window
and a short outage wait (a --config file), mxscan must pause admission, log the
outage (scan.log and stderr), re-probe, give up after the wait and end with
exit 1, manifest state "failed" and the --resume advice, without recording a
domain whose lookups timed out. With the resolver back, --resume completes and
gives the results of an uninterrupted scan of the lab (providers.jsonl and
domains.jsonl). A run whose resolver comes back within the wait resumes by
itself and completes with the same results.
"""
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from flaky_resolver_client import FlakyResolver  # noqa: E402
from outage_config import outage_config  # noqa: E402
from labkit import LabKit, jsonl  # noqa: E402

SRC, BUILD, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
kit = LabKit(SRC, BUILD, os.path.join(WORK, "lab"), "dns_outage_lab")
fail = kit.fail


def domain_rows(out):
    return jsonl(os.path.join(out, "domains.jsonl"))


def failed_lookups(rows):
    bad = ("timeout", "refused", "error")
    return [r["domain"] for r in rows
            if r["mx_status"] in bad or any(m.get("addr_status") in bad for m in r.get("mx", []))]


def same_results(a, b, what):
    for name in ("providers.jsonl", "domains.jsonl"):
        la = sorted(open(os.path.join(a, name)).read().splitlines())
        lb = sorted(open(os.path.join(b, name)).read().splitlines())
        if la != lb:
            diff = sorted(set(la) ^ set(lb))
            fail(f"{what}: {name} differs from the uninterrupted scan ({len(la)} vs {len(lb)} "
                 f"lines): {diff[:4]}")


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    kit.step("lab up")
    kit.lab("up")
    flaky = None
    try:
        env = kit.env()
        base_args = kit.lab_scan_args()
        resolver_at = base_args.index("--resolver") + 1

        kit.step("uninterrupted scan (the reference)")
        reference = os.path.join(WORK, "reference")
        kit.run(base_args + ["-o", reference, "-q"])

        flaky = FlakyResolver(WORK, "resolver", "forward", fail, int(env["DNS_PORT"]))
        args = list(base_args)
        args[resolver_at] = flaky.addr
        cfg = os.path.join(WORK, "outage.toml")
        outage_config(SRC, cfg, 20, 1500, retries=1)
        args += ["--config", cfg, "--dns-timeout", "0.3"]

        kit.step("resolver dies after 40 queries: exit 1, state failed")
        flaky.set("forward 40")
        out = os.path.join(WORK, "out")
        p = kit.run(args + ["-o", out], expect=1)
        manifest = json.load(open(os.path.join(out, "manifest.json")))
        if manifest["state"] != "failed":
            fail(f"manifest state {manifest['state']!r}, not 'failed'")
        want = f"continue with mxscan --resume {out} once the resolver answers"
        if want not in p.stderr:
            fail(f"stderr lacks {want!r}:\n{p.stderr[-2000:]}")
        if "DNS outage:" not in p.stderr:
            fail(f"stderr does not report the outage:\n{p.stderr[-2000:]}")
        log = open(os.path.join(out, "scan.log")).read()
        for line in ("DNS outage: ", "no new domains admitted", "still do not answer after",
                     "scan failed"):
            if line not in log:
                fail(f"scan.log lacks {line!r}")
        rows = domain_rows(out)
        if failed_lookups(rows):
            fail(f"domains recorded with failed lookups during the outage: {failed_lookups(rows)}")
        total = sum(1 for l in open(os.path.join(kit.lab_dir, "scenario", "domains.txt"))
                    if l.strip() and not l.startswith("#"))
        if not 0 < len(rows) < total:
            fail(f"{len(rows)} domains recorded before the outage (of {total}): the outage "
                 "did not fall mid-scan")
        print(f"dns_outage_lab: {len(rows)} domains recorded before the outage, none with a "
              "failed lookup")

        kit.step("resolver back: --resume completes with the uninterrupted results")
        flaky.set("forward")
        kit.run([kit.mxscan, "--resume", out, "-q"])
        if json.load(open(os.path.join(out, "manifest.json")))["state"] != "complete":
            fail("the resumed scan is not complete")
        same_results(reference, out, "failed then resumed")

        kit.step("resolver back within the wait: the scan resumes by itself")
        outage_config(SRC, cfg, 20, 60000, retries=1)
        flaky.set("forward 40")
        out2 = os.path.join(WORK, "out2")
        proc = subprocess.Popen(args + ["-o", out2], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        log2 = os.path.join(out2, "scan.log")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if os.path.exists(log2) and "DNS outage: " in open(log2).read():
                break
            if proc.poll() is not None:
                fail(f"the scan ended before an outage was declared:\n{proc.stderr.read()[-2000:]}")
            time.sleep(0.05)
        else:
            fail("no outage declared within 120 s")
        flaky.set("forward")
        try:
            _, err = proc.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            proc.kill()
            fail("the scan did not finish after the resolver came back")
        if proc.returncode != 0:
            fail(f"exit {proc.returncode} after the resolver came back:\n{err[-2000:]}")
        if "DNS outage over after" not in open(log2).read():
            fail("scan.log does not say the outage ended")
        same_results(reference, out2, "outage ridden out")
        print("dns_outage_lab: a dead resolver fails the scan (exit 1, state failed, no timeout "
              "rows), --resume completes it; a returning one is waited for; results equal")
    finally:
        if flaky is not None:
            flaky.stop()
        kit.step("lab down")
        kit.lab("down")


if __name__ == "__main__":
    main()
