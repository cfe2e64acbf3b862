#!/usr/bin/env python3
"""End-to-end tests of `mxscan --domains` against the lab (standard scenario).

Usage: scan_lab.py SOURCE_DIR BUILD_DIR WORK_DIR [--kills N] [--seed S]

Brings the lab up, then checks, each as its own step:
  ground truth    the providers of 100% of domains equal the scenario's ground truth;
                  every input domain has exactly one line in providers.jsonl and domains.jsonl
  conduct         blocked addresses never contacted; no forbidden SMTP command received;
                  every session that said EHLO also said QUIT; per-/24 concurrency within the cap
  refuse          an existing output folder is never overwritten
  progress        without a terminal, progress is plain lines (no \\r, no escapes), once a second
  kill -9         N scans killed at random moments, each resumed, equal the uninterrupted scan
  SIGINT          a scan stopped by SIGINT says how to resume, and resuming equals the scan
  shards          three shards merged by `mxscan infer` equal the unsharded scan
  dry run         resolves only: no SMTP server sees a connection
and brings the lab down. Exits non-zero on the first failed check.
"""
import json
import os
import random
import re
import signal
import subprocess
import sys
import time

SRC, BUILD, WORK = (os.path.abspath(p) for p in sys.argv[1:4])
KILLS = int(sys.argv[sys.argv.index("--kills") + 1]) if "--kills" in sys.argv else 5
SEED = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else int(time.time())
MXSCAN = os.path.join(BUILD, "mxscan")
LAB = os.path.join(WORK, "lab")
FORBIDDEN = ("MAIL", "RCPT", "DATA", "VRFY", "EXPN", "AUTH")
PER_24 = 2
rng = random.Random(SEED)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labkit import LabKit, host_lines, jsonl  # noqa: E402

kit = LabKit(SRC, BUILD, LAB, "e2e", SEED)
fail, step, lab, run = kit.fail, kit.step, kit.lab, kit.run


def scan_args(out, extra=()):
    return [*kit.lab_scan_args(),
            "--per-24", str(PER_24), "--per-24-rate", "20", "--rate", "200",
            "--connect-timeout", "3", "--greeting-timeout", "5", "--reply-timeout", "5",
            "--session-timeout", "20", "-o", out, *extra]


def providers_by_domain(out):
    rows = jsonl(os.path.join(out, "providers.jsonl"))
    return {r["domain"]: r for r in rows}, rows


def same_results(a, b, what):
    pa = open(os.path.join(a, "providers.jsonl")).read()
    pb = open(os.path.join(b, "providers.jsonl")).read()
    if pa != pb:
        da, _ = providers_by_domain(a)
        db, _ = providers_by_domain(b)
        diff = [d for d in set(da) | set(db) if da.get(d) != db.get(d)]
        fail(f"{what}: providers.jsonl differs for {sorted(diff)[:10]}")
    la = sorted(open(os.path.join(a, "domains.jsonl")).read().splitlines())
    lb = sorted(open(os.path.join(b, "domains.jsonl")).read().splitlines())
    if la != lb:
        fail(f"{what}: domains.jsonl records differ ({len(la)} vs {len(lb)} lines)")
    if host_lines(a) != host_lines(b):
        fail(f"{what}: hosts.jsonl records differ")


def persona_stats():
    time.sleep(1.2)  # the persona server rewrites its stats file every second
    stats = {}
    for line in open(os.path.join(LAB, "persona", "stats.tsv")):
        if line.startswith("#"):
            continue
        kind, addr, conns, peak = line.rstrip("\n").split("\t")
        stats[(kind, addr)] = (int(conns), int(peak))
    return stats


def check_ground_truth(out):
    truth = {r["domain"]: r for r in jsonl(os.path.join(LAB, "scenario", "ground_truth.jsonl"))}
    got, rows = providers_by_domain(out)
    if len(rows) != len(got):
        fail("a domain has more than one line in providers.jsonl")
    domains = [r["domain"] for r in jsonl(os.path.join(out, "domains.jsonl"))]
    if len(domains) != len(set(domains)):
        fail("a domain has more than one line in domains.jsonl")
    if set(domains) != set(got):
        fail("domains.jsonl and providers.jsonl name different domains")
    if set(truth) != set(got):
        fail(f"domains missing {sorted(set(truth) - set(got))[:5]}, "
             f"unexpected {sorted(set(got) - set(truth))[:5]}")
    wrong = []
    for d, t in truth.items():
        r = got[d]
        credit = {}
        for p in r["providers"]:
            if p["id"]:
                credit[p["id"]] = round(credit.get(p["id"], 0) + p["credit"], 6)
        want = {k: round(v, 6) for k, v in (t.get("providers") or {}).items()}
        if r["status"] != t["status"] or credit != want:
            wrong.append(f"{d}: want {t['status']} {want}, got {r['status']} {credit}")
    if wrong:
        fail("ground truth differs:\n  " + "\n  ".join(wrong))
    print(f"e2e: ground truth: {len(truth)} of {len(truth)} domains as expected")


def check_conduct():
    stats = persona_stats()
    contacted = [a for (k, a), (n, _) in stats.items() if k == "addr" and n > 0]
    outside = [a for a in contacted if not a.startswith("127.") or int(a.split(".")[1]) >= 128]
    if outside:
        fail(f"addresses outside --allow 127.0.0.0/9 were contacted: {outside}")
    over = {a: p for (k, a), (_, p) in stats.items() if k == "net24" and p > PER_24}
    if over:
        fail(f"per-/24 concurrency above --per-24 {PER_24}: {over}")
    log = open(os.path.join(LAB, "persona", "commands.log")).read().splitlines()
    bad = [line for line in log if line.split("\t")[-1].split(" ")[0].upper() in FORBIDDEN]
    if bad:
        fail(f"forbidden SMTP commands received: {bad[:5]}")
    # Sessions that ended normally said QUIT. After STARTTLS on a forwarded
    # (Postfix) persona the commands are encrypted: Postfix's own log counts them.
    said = {}
    for line in log:
        parts = line.split("\t")
        said.setdefault(parts[0], set()).add((parts[-2], parts[-1].split(" ")[0].upper()))
    no_quit = []
    for r in jsonl(os.path.join(WORK, "base", "hosts.jsonl")):
        cmds = said.get(r["address"], set())
        forwarded = any(mode == "fwd" for mode, _ in cmds)
        if r["status"] in ("success", "starttls-refused") and not forwarded and \
                not any(c == "QUIT" for _, c in cmds):
            no_quit.append(r["address"])
    if no_quit:
        fail(f"sessions without QUIT on {no_quit[:5]}")
    maillog = open(os.path.join(LAB, "postfix", "log", "maillog")).read()
    for line in maillog.splitlines():
        if "disconnect from" in line:
            counts = dict(kv.split("=") for kv in line.split("]")[-1].split() if "=" in kv)
            if any(c.lower() in counts for c in FORBIDDEN):
                fail(f"Postfix saw a forbidden command: {line}")
            if "ehlo" in counts and counts.get("quit") != "1":
                fail(f"Postfix session without QUIT: {line}")
    print(f"e2e: conduct: {len(contacted)} addresses contacted, none blocked; "
          f"{len(log)} commands, none forbidden; per-/24 peak within {PER_24}")


def main():
    kit.fresh_workdir(WORK)
    step("lab up")
    lab("up")
    try:
        tests()
    finally:
        lab("down")
    print("e2e: PASS")


def tests():
    base = os.path.join(WORK, "base")
    step("scan and ground truth")
    t0 = time.time()
    p = run(scan_args(base))
    scan_s = time.time() - t0
    check_ground_truth(base)
    if "provider ID" not in p.stdout:
        fail("no provider table printed")
    manifest = json.load(open(os.path.join(base, "manifest.json")))
    if manifest["state"] != "complete" or manifest["ehlo_name"] != "scanner.lab.example":
        fail(f"manifest: {manifest['state']} {manifest['ehlo_name']}")
    for f in ("summary.csv", "summary.json", "scan.log", "config.toml", "report.html"):
        if not os.path.exists(os.path.join(base, f)):
            fail(f"{f} missing from the results folder")

    step("conduct")
    check_conduct()

    step("refuse to overwrite")
    p = run(scan_args(base), expect=2)
    if "already exists" not in p.stderr or "--resume" not in p.stderr:
        fail(f"overwrite refusal message unclear: {p.stderr}")

    step("a refused setting leaves no results folder")
    refused = os.path.join(WORK, "refused")
    args = scan_args(refused)
    args[args.index("--ehlo-name") + 1] = "not-a-fqdn"
    for attempt in (1, 2):  # the same -o works again: nothing was left behind
        p = run(args, expect=2)
        if "fully-qualified" not in p.stderr:
            fail(f"refused EHLO name: unclear message: {p.stderr}")
        left = [n for n in os.listdir(WORK) if n == "refused" or ".starting-" in n]
        if left:
            fail(f"refused EHLO name (attempt {attempt}) left {left} behind")

    step("progress without a terminal")
    lines = [l for l in p.stderr.splitlines()]
    # (with a trailing slash on -o, which names the same folder)
    plain = run(scan_args(os.path.join(WORK, "progress") + "/")).stderr
    if "\r" in plain or "\x1b" in plain:
        fail("progress output has terminal control characters without a terminal")
    prog = [l for l in plain.splitlines() if re.match(r"^\d\d:\d\d:\d\d domains \d+/\d+ ", l)]
    if not prog:
        fail(f"no progress lines in: {plain[:500]}")
    last = prog[-1]
    if not re.search(r"domains (\d+)/\1 \(100\.0%\)", last):
        fail(f"last progress line is not complete: {last}")
    del lines

    step(f"kill -9 at {KILLS} random moments, then --resume")
    for i in range(KILLS):
        out = os.path.join(WORK, f"kill{i}")
        delay = rng.uniform(0.05, max(0.2, scan_s * 0.9))
        proc = subprocess.Popen(scan_args(out, ["--quiet"]), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if not os.path.exists(out):
            # Killed before the folder appeared (it is renamed into place with its
            # manifest, docs/reliability.md): start afresh, as a user would.
            run(scan_args(out, ["--quiet"]))
        elif not os.path.exists(os.path.join(out, "manifest.json")):
            fail(f"kill -9 after {delay:.2f} s left a results folder without a manifest")
        else:
            run([MXSCAN, "--resume", out, "--quiet"])
        same_results(base, out, f"kill -9 after {delay:.2f} s")
        print(f"e2e: killed after {delay:.2f} s, resumed: identical")

    step("SIGINT, then --resume")
    out = os.path.join(WORK, "sigint")
    proc = subprocess.Popen(scan_args(out), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True)
    time.sleep(min(1.0, scan_s / 3))
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 3:
        if f"--resume {out}" not in err:
            fail(f"SIGINT: no resume hint in: {err[-500:]}")
        m = json.load(open(os.path.join(out, "manifest.json")))
        if m["state"] != "interrupted":
            fail(f"SIGINT: manifest state {m['state']}")
        run([MXSCAN, "--resume", out, "--quiet"])
    elif proc.returncode != 0:
        fail(f"SIGINT: exit {proc.returncode}: {err[-500:]}")
    same_results(base, out, "SIGINT and resume")

    step("shards merged equal the unsharded scan")
    shards = []
    for i in range(3):
        out = os.path.join(WORK, f"shard{i}")
        run(scan_args(out, ["--shard", f"{i}/3", "--quiet"]))
        shards.append(out)
    merged = os.path.join(WORK, "merged")
    run([MXSCAN, "infer", *shards, "-o", merged])
    a = open(os.path.join(base, "providers.jsonl")).read()
    b = open(os.path.join(merged, "providers.jsonl")).read()
    da = {json.loads(l)["domain"]: json.loads(l) for l in a.splitlines()}
    db = {json.loads(l)["domain"]: json.loads(l) for l in b.splitlines()}
    for rows in (da, db):
        for r in rows.values():
            r.pop("line", None)  # each shard numbers its own input lines
    if da != db:
        fail(f"shards: results differ for {[d for d in da if da[d] != db.get(d)][:5]}")

    step("dry run contacts no SMTP server")
    before = persona_stats().get(("total", "-"), (0, 0))[0]
    maillog_before = os.path.getsize(os.path.join(LAB, "postfix", "log", "maillog"))
    p = run(scan_args(os.path.join(WORK, "dry"), ["--dry-run", "--quiet"]))
    if "would contact" not in p.stdout:
        fail(f"dry run report missing: {p.stdout}")
    after = persona_stats().get(("total", "-"), (0, 0))[0]
    if after != before:
        fail(f"dry run: the persona server saw {after - before} connections")
    if os.path.getsize(os.path.join(LAB, "postfix", "log", "maillog")) != maillog_before:
        fail("dry run: Postfix logged activity")
    report = json.load(open(os.path.join(WORK, "dry", "dry_run.json")))
    if f"would contact {report['addresses']} addresses" not in p.stdout:
        fail(f"dry run: dry_run.json says {report['addresses']} addresses, stdout: {p.stdout}")
    if (len(report["by_as"]) != report["ases"] or not report["by_as"]
            or sum(a["addresses"] for a in report["by_as"])
            != report["addresses"] - report["addresses_without_as"]):
        fail(f"dry run: by_as does not add up: {report}")
    print(f"e2e: {p.stdout.strip().splitlines()[0]}")


if __name__ == "__main__":
    main()
