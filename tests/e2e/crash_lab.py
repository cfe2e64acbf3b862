#!/usr/bin/env python3
"""Crash consistency of `mxscan --domains` on the lab's scale scenario.

Usage: crash_lab.py SOURCE_DIR BUILD_DIR WORK_DIR [--domains N] [--kills K] [--seed S]
                    [--skip-kills] [--skip-disk-full]

Brings up `scripts/lab up --scenario scale --domains N` (default 20,000), scans it once
without interruption (the reference), then checks, each as its own step:
  kill -9      one scan killed with SIGKILL at K random moments (default 20), resumed
               after each kill with `mxscan --resume`, ends identical to the reference:
               providers.jsonl byte for byte, domains.jsonl and hosts.jsonl as sets of
               records (hosts without duration_ms); no domain or address lost or
               duplicated; every line of both journals parses as JSON
  disk full    a scan whose results folder is on a tmpfs too small for it exits 1 with
               a message naming the file, "No space left on device" and --resume; the
               folder is resumable: after the tmpfs is enlarged, `mxscan --resume`
               completes and equals the reference (needs root: mount -t tmpfs)
Exits non-zero on the first failed check. The 100,000-domain figures of docs/reliability.md come
from `--domains 100000` (docs/reliability.md).
"""
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time

SRC, BUILD, WORK = (os.path.abspath(p) for p in sys.argv[1:4])


def arg(name, default):
    return type(default)(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


DOMAINS = arg("--domains", 20000)
KILLS = arg("--kills", 20)
SEED = arg("--seed", int(time.time()))
MXSCAN = os.path.join(BUILD, "mxscan")
LAB = os.path.join(WORK, "lab")
rng = random.Random(SEED)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labkit import LabKit, journal as read_journal  # noqa: E402

kit = LabKit(SRC, BUILD, LAB, "crash", SEED)
fail, step, lab, run, lab_env = kit.fail, kit.step, kit.lab, kit.run, kit.env


def scan_args(out, extra=()):
    # Lab-friendly: no rate limits or per-/24 caps (the lab is one machine), short
    # timeouts; still long enough for the slow personas (1.5 s greeting, slow drip).
    return [*kit.lab_scan_args(),
            "--rate", "0", "--dns-rate", "0", "--per-24", "0", "--per-24-rate", "0",
            "--concurrency", "1000",
            "--connect-timeout", "3", "--greeting-timeout", "5", "--reply-timeout", "5",
            "--session-timeout", "20", "--quiet", "-o", out, *extra]


def journal(path):
    return read_journal(path, fail)


def check_journals(out):
    """No record lost, duplicated or truncated; returns comparable forms."""
    domains = journal(os.path.join(out, "domains.jsonl"))
    hosts = journal(os.path.join(out, "hosts.jsonl"))
    names = [r["domain"] for r in domains]
    if len(names) != len(set(names)):
        dup = sorted({n for n in names if names.count(n) > 1})[:5] if len(names) < 5000 else "…"
        fail(f"{out}: a domain has more than one line in domains.jsonl ({dup})")
    addrs = [r["address"] for r in hosts]
    if len(addrs) != len(set(addrs)):
        fail(f"{out}: an address has more than one line in hosts.jsonl")
    wanted = {a for r in domains for mx in r.get("mx") or [] for a in mx.get("addresses") or []}
    missing = wanted - set(addrs)
    if missing:
        fail(f"{out}: addresses of done domains without a host record: {sorted(missing)[:5]}")
    host_rows = []
    for r in hosts:
        r.pop("duration_ms", None)
        # A persona that resets at once is seen at connect or at the greeting
        # depending on timing (uninterrupted scans differ too): same status.
        if "reset by peer" in (r.get("error") or ""):
            r["phase"] = r["error"] = "reset"
        host_rows.append(json.dumps(r, sort_keys=True))
    return (sorted(json.dumps(r, sort_keys=True) for r in domains), sorted(host_rows),
            set(names))


def same_results(ref, out, what):
    d_ref, h_ref, _ = REFERENCE
    d_out, h_out, names = check_journals(out)
    if names != INPUT:
        fail(f"{what}: domains missing {sorted(INPUT - names)[:5]}, "
             f"unexpected {sorted(names - INPUT)[:5]}")
    if d_out != d_ref:
        fail(f"{what}: domains.jsonl records differ from the uninterrupted scan")
    if h_out != h_ref:
        fail(f"{what}: hosts.jsonl records differ from the uninterrupted scan "
             f"({len(h_out)} vs {len(h_ref)})")
    pa = open(os.path.join(ref, "providers.jsonl")).read()
    pb = open(os.path.join(out, "providers.jsonl")).read()
    if pa != pb:
        fail(f"{what}: providers.jsonl differs from the uninterrupted scan")
    m = json.load(open(os.path.join(out, "manifest.json")))
    if m["state"] != "complete":
        fail(f"{what}: manifest state {m['state']}")


def input_domains():
    """The input as domains.jsonl names it (A-labels): the ground truth's domains."""
    return {json.loads(line)["domain"]
            for line in open(os.path.join(LAB, "scenario", "ground_truth.jsonl"))}


def main():
    global REFERENCE, INPUT
    kit.fresh_workdir(WORK)
    step(f"lab up: scale scenario, {DOMAINS} domains")
    t0 = time.time()
    lab("up", "--scenario", "scale", "--domains", str(DOMAINS))
    print(f"crash: lab up in {time.time() - t0:.1f} s", flush=True)
    try:
        INPUT = input_domains()
        ref = os.path.join(WORK, "reference")
        step("uninterrupted reference scan")
        t0 = time.time()
        run(scan_args(ref))
        scan_s = time.time() - t0
        REFERENCE = check_journals(ref)
        if REFERENCE[2] != INPUT:
            fail(f"reference: {len(REFERENCE[2])} domains done of {len(INPUT)}")
        print(f"crash: reference: {len(REFERENCE[0])} domains, {len(REFERENCE[1])} hosts "
              f"in {scan_s:.1f} s", flush=True)
        if "--skip-kills" not in sys.argv:
            kills(ref, scan_s)
        if "--skip-disk-full" not in sys.argv:
            disk_full(ref)
    finally:
        lab("down")
    print("crash: PASS")


def kills(ref, scan_s):
    step(f"kill -9 at {KILLS} random moments, --resume after each")
    out = os.path.join(WORK, "killed")
    t_start = time.time()
    # Each run lives for a random time, 0.75/KILLS of the reference scan on
    # average: the kills spread over most of the scan, and the scan (which also
    # reads its journal back and redoes lost work on each resume) is still
    # running at every kill.
    done_kills = 0
    for i in range(KILLS):
        # A results folder appears with its manifest (renamed into place), so a
        # kill leaves none (start afresh) or one --resume reads.
        resuming = os.path.exists(out)
        if resuming and not os.path.exists(os.path.join(out, "manifest.json")):
            fail(f"kill {i}: a results folder without a manifest")
        args = [MXSCAN, "--resume", out, "--quiet"] if resuming else scan_args(out)
        delay = rng.uniform(0.1, max(0.3, 1.5 * scan_s / KILLS))
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL)
        try:
            proc.wait(timeout=delay)
            finished = True
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            finished = False
        err = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        if finished:
            if proc.returncode != 0:
                fail(f"run {i} exited {proc.returncode}: {err[-2000:]}")
            print(f"crash: run {i} finished before its kill at {delay:.2f} s", flush=True)
            break
        done_kills += 1
        size = sum(os.path.getsize(os.path.join(out, f)) for f in ("domains.jsonl",
                   "hosts.jsonl") if os.path.exists(os.path.join(out, f)))
        ref_size = sum(os.path.getsize(os.path.join(ref, f)) for f in ("domains.jsonl",
                       "hosts.jsonl"))
        print(f"crash: kill {i + 1} after {delay:.2f} s (journal {size} bytes, "
              f"{100 * size / ref_size:.0f}% of the reference)", flush=True)
    if os.path.exists(os.path.join(out, "manifest.json")):
        m = json.load(open(os.path.join(out, "manifest.json")))
        if m["state"] != "complete":
            run([MXSCAN, "--resume", out, "--quiet"])
    else:
        run(scan_args(out))
    if done_kills < KILLS:
        fail(f"only {done_kills} of {KILLS} kills landed while scanning")
    same_results(ref, out, f"{done_kills} kills")
    log = open(os.path.join(out, "scan.log")).read()
    cut = sum(int(x) for x in re.findall(r"(\d+) bytes of partial records cut", log))
    resumes = json.load(open(os.path.join(out, "manifest.json")))["resumes"]
    print(f"crash: {done_kills} kills, {resumes} resumes, {cut} bytes of partial records cut "
          f"in all, {time.time() - t_start:.1f} s: identical to the uninterrupted scan",
          flush=True)


def disk_full(ref):
    step("disk full on a small tmpfs, then --resume")
    journal_bytes = sum(os.path.getsize(os.path.join(ref, f))
                        for f in ("domains.jsonl", "hosts.jsonl"))
    mnt = tempfile.mkdtemp(prefix="mxscan-full-")
    size_kb = max(64, journal_bytes // 3 // 1024)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0755", "tmpfs", mnt],
                   check=True)
    try:
        out = os.path.join(mnt, "out")
        p = run(scan_args(out), expect=1)
        err = p.stderr
        if "No space left on device" not in err or "--resume " + out not in err or \
                not re.search(r"(domains|hosts)\.jsonl", err):
            fail(f"disk full: message unclear: {err[-1000:]}")
        if "terminate" in err or "Aborted" in err:
            fail(f"disk full: the process aborted: {err[-1000:]}")
        first = [l for l in err.splitlines() if "No space left" in l][0]
        print(f"crash: disk full ({size_kb} KiB): exit 1: {first}", flush=True)
        m = json.load(open(os.path.join(out, "manifest.json")))
        if m["state"] == "complete":
            fail("disk full: manifest says complete")
        subprocess.run(["mount", "-o", f"remount,size={journal_bytes * 4 // 1024 + 4096}k", mnt],
                       check=True)
        run([MXSCAN, "--resume", out, "--quiet"])
        same_results(ref, out, "disk full, enlarged, resumed")
        print("crash: disk full, enlarged, resumed: identical to the uninterrupted scan")
    finally:
        subprocess.run(["umount", mnt], check=False)
        os.rmdir(mnt)


if __name__ == "__main__":
    main()
