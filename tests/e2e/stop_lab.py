#!/usr/bin/env python3
"""Ctrl-C, counts and the progress line of `mxscan --domains`, against the lab.

Usage: stop_lab.py SOURCE_DIR BUILD_DIR WORK_DIR

Brings the lab (standard scenario) up in WORK_DIR/lab, then checks, each as its own step:
  SIGINT          a scan at --rate 1 is interrupted once the persona server has seen
                  some sessions: from the signal on, no new TCP connection reaches the
                  lab (persona server's statistics and Postfix's log: at most the one
                  connect under way and one the statistics could not show yet); exit 3
                  within the session timeout plus a second; scan.log says what was
                  dropped, QUIT or recorded; the manifest says interrupted; every
                  Postfix session that said EHLO said QUIT; no host record is made up
                  for a dropped or cut session; `--resume` completes and the providers
                  equal the lab's ground truth
  rate shown      the progress line's SMTP rate counts sessions opened (about 1/s under
                  --rate 1, beside "(limit 1/s)"), not addresses queued
  in-flight QUIT  a scan of the slow-greeting and tarpit domains stopped while both are
                  in flight: the slow one gets QUIT right after its greeting (the persona
                  server's command log) and no host record; the tarpit is cut at its
                  deadline; exit 3 within the session timeout; `--resume` equals an
                  uninterrupted scan
  second SIGINT   a second Ctrl-C (the tarpit still in flight) ends the scan at once
                  (exit 3, within a second), resumable: `--resume` equals an
                  uninterrupted scan
  terminal        under a pseudo-terminal of 80 columns no progress line is longer
                  than 79 characters (nothing wraps), and the line is rewritten in place;
                  --rate 0 warns on stderr and in scan.log
  counts          a list with invalid lines prints one stderr summary with the first
                  three (line, text, reason); the printed totals and "% of all" leave them
                  out; summary.json is unchanged (domains_total, by_status.invalid)
  rates           --rate 0.5 is accepted (manifest config smtp.rate 0.5); --rate nan,
                  --rate -1 and --dns-rate inf are usage errors (exit 2, nothing written)
and brings the lab down. Exits non-zero on the first failed check.
"""
import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

SRC, BUILD, WORK = (os.path.abspath(p) for p in sys.argv[1:4])
LAB = os.path.join(WORK, "lab")
SESSION_TIMEOUT = 8
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labkit import LabKit, host_lines, jsonl  # noqa: E402

kit = LabKit(SRC, BUILD, LAB, "stop")
fail, step, lab, run = kit.fail, kit.step, kit.lab, kit.run
MXSCAN = kit.mxscan


def scan_args(out, rate="1", extra=(), domains=None):
    return [*kit.lab_scan_args(domains), "--rate", rate, "--per-24", "2", "--per-24-rate", "0",
            "--connect-timeout", "3", "--greeting-timeout", "5", "--reply-timeout", "5",
            "--session-timeout", str(SESSION_TIMEOUT), "-o", out, *extra]


def stats_path():
    return os.path.join(LAB, "persona", "stats.tsv")


def persona_total():
    for line in open(stats_path()):
        if line.startswith("total\t"):
            return int(line.split("\t")[2])
    fail("persona stats.tsv has no total row")


def fresh_persona_total(after):
    """The persona server's connection count as of now: from a rewrite of stats.tsv
    after `after` (time.time()), or, the file being rewritten once a second only when
    something changed, from one left unchanged for over two seconds."""
    deadline = time.time() + 30
    while time.time() < deadline:
        mtime = os.stat(stats_path()).st_mtime
        if mtime > after or time.time() - mtime > 2.5:
            return persona_total()
        time.sleep(0.01)
    fail("persona stats.tsv neither rewritten nor settled for 30 s")


def postfix_connects():
    log = os.path.join(LAB, "postfix", "log", "maillog")
    return sum(1 for line in open(log, errors="replace") if "]: connect from" in line)


def wait_for(what, cond, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return
        time.sleep(0.05)
    fail(f"waited {timeout} s for {what}")


def check_ground_truth(out, what):
    truth = {r["domain"]: r for r in jsonl(os.path.join(LAB, "scenario", "ground_truth.jsonl"))}
    got = {r["domain"]: r for r in jsonl(os.path.join(out, "providers.jsonl"))}
    if set(truth) != set(got):
        fail(f"{what}: domains missing {sorted(set(truth) - set(got))[:5]}, "
             f"unexpected {sorted(set(got) - set(truth))[:5]}")
    wrong = []
    for d, t in truth.items():
        credit = {}
        for p in got[d]["providers"]:
            if p["id"]:
                credit[p["id"]] = round(credit.get(p["id"], 0) + p["credit"], 6)
        want = {k: round(v, 6) for k, v in (t.get("providers") or {}).items()}
        if got[d]["status"] != t["status"] or credit != want:
            wrong.append(f"{d}: want {t['status']} {want}, got {got[d]['status']} {credit}")
    if wrong:
        fail(f"{what}: ground truth differs:\n  " + "\n  ".join(wrong))
    hosts = [r["address"] for r in jsonl(os.path.join(out, "hosts.jsonl"))]
    if len(hosts) != len(set(hosts)):
        fail(f"{what}: an address has more than one host record")
    m = json.load(open(os.path.join(out, "manifest.json")))
    if m["state"] != "complete":
        fail(f"{what}: manifest state {m['state']} after --resume")
    print(f"stop: {what}: {len(truth)} of {len(truth)} domains as the ground truth says")


def check_journal_honest(out, what):
    """Every host record is a measurement: none for an address whose session was cut."""
    hosts = jsonl(os.path.join(out, "hosts.jsonl"))
    made_up = [r for r in hosts if re.search(r"stop|cancel|interrupt", r.get("error") or "", re.I)]
    if made_up:
        fail(f"{what}: host records for stopped sessions: {made_up[:3]}")
    wanted = {a for r in jsonl(os.path.join(out, "domains.jsonl"))
              for mx in r.get("mx") or [] for a in mx.get("addresses") or []}
    return len(wanted - {r["address"] for r in hosts})


def start_scan(out, rate="1", extra=(), domains=None):
    err = open(os.path.join(WORK, os.path.basename(out) + ".stderr"), "w+")
    proc = subprocess.Popen(scan_args(out, rate, extra, domains), stdout=subprocess.DEVNULL,
                            stderr=err, stdin=subprocess.DEVNULL)
    return proc, err


def interrupt(proc, timeout=SESSION_TIMEOUT + 60, what="SIGINT"):
    """Sends SIGINT to the scan and waits for it to end; the seconds that took.
    Fails if it is still running `timeout` seconds after the signal."""
    proc.send_signal(signal.SIGINT)
    t0 = time.time()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        fail(f"still running {timeout} s after {what}")
    return time.time() - t0


def test_sigint():
    step("SIGINT at --rate 1: no new connection, exit 3 in time, then --resume")
    out = os.path.join(WORK, "sigint")
    base = fresh_persona_total(time.time())
    proc, err = start_scan(out)
    wait_for("the persona server to see 10 sessions of the scan",
             lambda: persona_total() - base >= 10 or proc.poll() is not None)
    if proc.poll() is not None:
        fail(f"the scan ended before the signal (exit {proc.returncode})")
    # Signal right after a rewrite of the statistics: they then lag the signal by
    # a few milliseconds only.
    before = fresh_persona_total(os.stat(stats_path()).st_mtime)
    pf_before = postfix_connects()
    took = interrupt(proc)
    err.seek(0)
    stderr = err.read()
    if proc.returncode != 3:
        fail(f"SIGINT: exit {proc.returncode}, expected 3:\n{stderr[-2000:]}")
    if took > SESSION_TIMEOUT + 1:
        fail(f"SIGINT: exit {took:.1f} s after the signal (session timeout {SESSION_TIMEOUT} s)")
    after = fresh_persona_total(time.time())
    pf_after = postfix_connects()
    new = after - before
    # One connect may have been under way at the signal; one more may have been
    # made in the few milliseconds between the statistics' rewrite and the signal.
    if new > 2:
        fail(f"SIGINT: the persona server saw {new} connections after the signal")
    if pf_after - pf_before > new:
        fail(f"SIGINT: Postfix logged {pf_after - pf_before} connects after the signal, "
             f"more than the {new} the persona server relayed")
    if f"--resume {out}" not in stderr:
        fail(f"SIGINT: no resume hint in: {stderr[-500:]}")
    log = open(os.path.join(out, "scan.log")).read()
    if not re.search(r"signal SIGINT: admission stopped; no new connection; \d+ sessions in "
                     r"flight", log):
        fail(f"SIGINT: scan.log does not say admission stopped:\n{log[-1500:]}")
    m = re.search(r"stop: (\d+) queued addresses dropped \(re-queued on resume\); (\d+) sessions "
                  r"in flight sent QUIT or ended before their connect \(re-queued on resume\), "
                  r"(\d+) finished whole and recorded; stopped after ([\d.]+) s", log)
    if not m:
        fail(f"SIGINT: scan.log has no stop summary:\n{log[-1500:]}")
    dropped, quit_sent, finished, stopped_after = (int(m[1]), int(m[2]), int(m[3]),
                                                   float(m[4]))
    if dropped < 10:
        fail(f"SIGINT: only {dropped} queued addresses dropped at --rate 1 (the queue drained?)")
    if stopped_after > SESSION_TIMEOUT + 1:
        fail(f"SIGINT: scan.log says stopped after {stopped_after} s")
    manifest = json.load(open(os.path.join(out, "manifest.json")))
    if manifest["state"] != "interrupted":
        fail(f"SIGINT: manifest state {manifest['state']}")
    maillog = open(os.path.join(LAB, "postfix", "log", "maillog"), errors="replace").read()
    for line in maillog.splitlines():
        if "disconnect from" in line:
            counts = dict(kv.split("=") for kv in line.split("]")[-1].split() if "=" in kv)
            if "ehlo" in counts and counts.get("quit") != "1":
                fail(f"SIGINT: a Postfix session said EHLO and no QUIT: {line}")
    pending = check_journal_honest(out, "SIGINT")
    if pending < dropped:
        fail(f"SIGINT: {dropped} addresses dropped but only {pending} addresses of done "
             f"domains lack a host record")
    print(f"stop: SIGINT: {new} connections after the signal, exit 3 after {took:.2f} s; "
          f"{dropped} dropped, {quit_sent} QUIT, {finished} recorded; {pending} addresses "
          f"of done domains left for --resume")

    step("the progress line's SMTP rate is sessions opened, beside the limit")
    rates = [float(r) for r in re.findall(r" smtp ([\d.]+)/s \(limit 1/s\)", stderr)]
    if len(rates) < 5:
        fail(f"progress lines without 'smtp N/s (limit 1/s)': {stderr[:800]}")
    # A one-second window may hold two connects when they fall on its two edges;
    # the last report is the run's average, which the bucket's first token (there
    # at the start) lifts by 1/elapsed.
    if max(rates) > 2 or sum(rates[:-1]) / len(rates[:-1]) > 1.25 or rates[-1] > 1.25:
        fail(f"SMTP rate shown above --rate 1: {rates}")
    print(f"stop: rate shown: {len(rates)} progress lines, max {max(rates)}/s, "
          f"mean {sum(rates) / len(rates):.2f}/s under --rate 1")

    step("--resume after SIGINT")
    p = run([MXSCAN, "--resume", out, "--quiet"], timeout=900)
    if not re.search(rf"resume #1: \d+ domains and \d+ hosts done, {pending} addresses re-queued",
                     open(os.path.join(out, "scan.log")).read()):
        fail(f"--resume did not re-queue the {pending} addresses left: {p.stderr[-500:]}")
    check_ground_truth(out, "SIGINT then --resume")


SLOW = "127.65.25.1"     # f-delay: greets after 1.5 s
TARPIT = "127.65.11.1"   # f-tarpit: never greets


def slow_list():
    """The lab's domains on the slow-greeting and tarpit personas, and an
    uninterrupted scan of them (the reference for resumed ones)."""
    names = os.path.join(WORK, "slow.txt")
    ref = os.path.join(WORK, "slow-ref")
    if os.path.exists(ref):
        return names, ref
    ground = os.path.join(WORK, "ground")
    run(scan_args(ground, "0", ["--dry-run", "--quiet"]))
    done = jsonl(os.path.join(ground, "domains.jsonl"))
    pick = sorted({r["domain"] for r in done for mx in r.get("mx") or []
                   if {SLOW, TARPIT} & set(mx.get("addresses") or [])})
    if len(pick) < 2:
        fail(f"the lab has no domains on {SLOW} and {TARPIT}: {pick}")
    open(names, "w").write("\n".join(pick) + "\n")
    run(scan_args(ref, "0", ["--quiet"], names))
    return names, ref


def same_as(out, ref, what):
    if host_lines(out) != host_lines(ref):
        fail(f"{what}: hosts.jsonl after --resume differs from the uninterrupted scan")
    if open(os.path.join(out, "providers.jsonl")).read() != \
            open(os.path.join(ref, "providers.jsonl")).read():
        fail(f"{what}: providers.jsonl after --resume differs from the uninterrupted scan")
    if json.load(open(os.path.join(out, "manifest.json")))["state"] != "complete":
        fail(f"{what}: not complete after --resume")


def test_quit_in_flight():
    step("sessions in flight at the signal say QUIT and are redone on --resume")
    names, ref = slow_list()
    commands = os.path.join(LAB, "persona", "commands.log")
    for attempt in range(1, 4):
        out = os.path.join(WORK, f"slow-{attempt}")
        base = fresh_persona_total(time.time())
        proc, err = start_scan(out, "0", domains=names)
        wait_for("the persona server to see both sessions",
                 lambda: persona_total() - base >= 2 or proc.poll() is not None)
        took = interrupt(proc)
        log = open(os.path.join(out, "scan.log")).read()
        m = re.search(r"stop: \d+ queued addresses dropped \(re-queued on resume\); (\d+) "
                      r"sessions in flight sent QUIT", log)
        if proc.returncode == 0 or not m or int(m[1]) == 0:
            print(f"stop: attempt {attempt}: the slow greeting came before the signal")
            continue
        if proc.returncode != 3:
            fail(f"in-flight QUIT: exit {proc.returncode}")
        if took > SESSION_TIMEOUT + 1:
            fail(f"in-flight QUIT: exit {took:.1f} s after the signal")
        hosts = {r["address"] for r in jsonl(os.path.join(out, "hosts.jsonl"))}
        if SLOW in hosts:
            fail(f"in-flight QUIT: the session cut by the stop has a host record")
        # The persona server's record of that session: QUIT right after the greeting.
        sessions = {}
        for line in open(commands):
            parts = line.rstrip("\n").split("\t")
            if parts[0] == SLOW:
                sessions.setdefault(int(parts[1]), []).append(parts[-1].split(" ")[0].upper())
        last = sessions[max(sessions)] if sessions else []
        if last != ["QUIT"]:
            fail(f"in-flight QUIT: the persona server saw {last} from the stopped session")
        check_journal_honest(out, "in-flight QUIT")
        run([MXSCAN, "--resume", out, "--quiet"])
        same_as(out, ref, "in-flight QUIT")
        print(f"stop: in-flight QUIT: {m[1]} sessions said QUIT at the stop, exit 3 after "
              f"{took:.2f} s (a tarpit held to its deadline); resumed: identical")
        return
    fail("in 3 attempts the signal never came while the slow greeting was awaited")


def test_invalid_counts():
    step("invalid lines: one stderr summary with examples; left out of the shares")
    truth = [r for r in jsonl(os.path.join(LAB, "scenario", "ground_truth.jsonl"))
             if r["status"] == "ok" and r.get("providers")][:4]
    junk = ["foo bar", "-leading-hyphen.example", "no_underscores_here.example",
            "a..b.example", "x" * 300 + ".example", "foo bar baz", "!!!"]
    lines = [truth[0]["domain"], junk[0], truth[1]["domain"], junk[1], junk[2],
             truth[2]["domain"], junk[3], junk[4], truth[3]["domain"], junk[5], junk[6]]
    names = os.path.join(WORK, "junk.txt")
    open(names, "w").write("\n".join(lines) + "\n")
    out = os.path.join(WORK, "junk")
    p = run(scan_args(out, "0", ["--quiet"], names))
    invalid = json.load(open(os.path.join(out, "manifest.json")))["input"]["invalid"]
    if invalid != len(junk):
        fail(f"invalid lines: manifest input.invalid {invalid}, expected {len(junk)}")
    said = [l for l in p.stderr.splitlines() if "were not domain names" in l]
    if len(said) != 1:
        fail(f"invalid lines: expected one summary line on stderr, got: {p.stderr[-1500:]}")
    m = re.match(r"mxscan: (\d+) of (\d+) lines were not domain names \(first: line 2 "
                 r"'foo bar': [^;]+; line 4 '-leading-hyphen\.example': [^;]+; line 5 "
                 r"'no_underscores_here\.example': [^)]+\); they are counted in manifest\.json "
                 r"input\.invalid", said[0])
    if not m or int(m[1]) != len(junk) or int(m[2]) != len(lines):
        fail(f"invalid lines: summary line unclear: {said[0]}")
    # The printed totals and shares are over the 4 domain names only.
    if not re.search(rf"^4 domains, (\d) with a provider \([\d.]+%\) \({len(junk)} input lines "
                     r"that are not domain names left out\)", p.stdout, re.M):
        fail(f"invalid lines: printed summary counts them as domains: {p.stdout[:600]}")
    head = p.stdout.splitlines()
    table = [l for l in head if "provider ID" in l]
    if not table or "% of all 4" not in table[0]:
        fail(f"invalid lines: the table's denominator is not the 4 domains: {table}")
    summary = json.load(open(os.path.join(out, "summary.json")))
    if summary["domains_total"] != len(lines) or summary["by_status"]["invalid"] != len(junk):
        fail(f"invalid lines: summary.json changed: {summary['domains_total']}, "
             f"{summary['by_status']}")
    print(f"stop: invalid lines: {said[0][:160]}...")


def test_second_sigint():
    step("a second SIGINT stops at once, resumable")
    # The tarpit holds its session to the greeting timeout: the first signal
    # leaves it in flight, and only the second can end the scan promptly.
    names, ref = slow_list()
    for attempt in range(1, 4):
        out = os.path.join(WORK, f"sigint2-{attempt}")
        base = fresh_persona_total(time.time())
        proc, err = start_scan(out, "0", domains=names)
        wait_for("the persona server to see both sessions",
                 lambda: persona_total() - base >= 2 or proc.poll() is not None)
        proc.send_signal(signal.SIGINT)
        log_path = os.path.join(out, "scan.log")
        wait_for("scan.log to note the first signal",
                 lambda: proc.poll() is not None or (os.path.exists(log_path) and
                                                     "signal SIGINT" in open(log_path).read()))
        if proc.poll() is not None:
            print(f"stop: attempt {attempt}: nothing was in flight, the first signal ended it")
            continue
        took = interrupt(proc, 30, "the second SIGINT")
        err.seek(0)
        stderr = err.read()
        log = open(log_path).read()
        if "second signal: stopped at once" not in log:
            print(f"stop: attempt {attempt}: the scan had ended before the second signal")
            continue
        if proc.returncode != 3:
            fail(f"second SIGINT: exit {proc.returncode}, expected 3: {stderr[-1000:]}")
        if took > 1.0:
            fail(f"second SIGINT: exit {took:.2f} s after it")
        if f"--resume {out}" not in stderr:
            fail(f"second SIGINT: no resume hint: {stderr[-500:]}")
        if json.load(open(os.path.join(out, "manifest.json")))["state"] != "interrupted":
            fail("second SIGINT: manifest not interrupted")
        check_journal_honest(out, "second SIGINT")
        print(f"stop: second SIGINT: exit 3 after {took:.3f} s")
        run([MXSCAN, "--resume", out, "--quiet"], timeout=900)
        same_as(out, ref, "second SIGINT then --resume")
        print("stop: second SIGINT then --resume: identical to the uninterrupted scan")
        return
    fail("in 3 attempts no second SIGINT arrived while sessions were in flight")


def test_terminal():
    step("progress under an 80-column pseudo-terminal; --rate 0 warns")
    out = os.path.join(WORK, "pty")
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen(scan_args(out, "0"), stdin=slave, stdout=slave, stderr=slave,
                            close_fds=True)
    os.close(slave)
    data = b""
    deadline = time.time() + 600
    while time.time() < deadline:
        r, _, _ = select.select([master], [], [], 1.0)
        if r:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            data += chunk
        elif proc.poll() is not None:
            break
    os.close(master)
    proc.wait(timeout=60)
    text = data.decode(errors="replace")
    if proc.returncode != 0:
        fail(f"pty scan: exit {proc.returncode}: {text[-1500:]}")
    # Every rewrite starts with \r and ends with erase-to-end; the terminal turns \n into \r\n.
    segments = [s.replace("\x1b[K", "") for s in re.split(r"\r\n|\r|\n", text)]
    progress = [s for s in segments if re.match(r"\d\d:\d\d:\d\d domains ", s)]
    if len(progress) < 2:
        fail(f"pty scan: fewer than 2 progress lines: {text[:1000]!r}")
    long = [s for s in progress if len(s) > 79]
    if long:
        fail(f"pty scan: progress lines longer than 79 columns: {long[:3]}")
    if "\r" not in text or "\x1b[K" not in text:
        fail("pty scan: the progress line is not rewritten in place on a terminal")
    log_lines = [l for l in open(os.path.join(out, "scan.log")) if re.search(r"\d\d:\d\d:\d\d domains ", l)]
    if not log_lines or max(len(l.split(" ", 1)[1].rstrip("\n")) for l in log_lines) <= 79:
        fail("scan.log does not have the full progress lines")
    warning = "--rate 0: new SMTP sessions per second are not limited"
    if warning not in text:
        fail(f"--rate 0: no warning on the terminal: {text[:800]!r}")
    if warning not in open(os.path.join(out, "scan.log")).read():
        fail("--rate 0: no warning in scan.log")
    print(f"stop: terminal: {len(progress)} progress lines, longest "
          f"{max(len(s) for s in progress)} columns; full lines in scan.log "
          f"(longest {max(len(l) for l in log_lines)})")


def test_rates():
    step("fractional rates accepted; nan, inf and negative refused")
    out = os.path.join(WORK, "half")
    run(scan_args(out, "0.5", ["--dry-run", "--quiet"]))
    cfg = json.load(open(os.path.join(out, "manifest.json")))
    text = json.dumps(cfg)
    if not re.search(r'"rate": 0\.5\b', text):
        fail(f"--rate 0.5 not recorded in the manifest: {text[:1500]}")
    for opt, value in (("--rate", "nan"), ("--rate", "-1"), ("--dns-rate", "inf")):
        bad = os.path.join(WORK, "bad-rate")
        args = scan_args(bad)
        if opt == "--rate":
            args[args.index("--rate") + 1] = value
        else:
            args += [opt, value]
        p = run(args, expect=2)
        if opt not in p.stderr or value not in p.stderr:
            fail(f"{opt} {value}: unclear message: {p.stderr}")
        if os.path.exists(bad):
            fail(f"{opt} {value}: left a results folder")
    print("stop: rates: 0.5 accepted; nan, -1, inf refused with exit 2")


def main():
    kit.fresh_workdir(WORK)
    step("lab up")
    lab("up")
    try:
        only = sys.argv[4:]
        for name, test in (("rates", test_rates), ("counts", test_invalid_counts),
                           ("terminal", test_terminal),
                           ("sigint", test_sigint), ("quit", test_quit_in_flight),
                           ("second", test_second_sigint)):
            if not only or name in only:
                test()
    finally:
        lab("down")
    print("stop: PASS")


if __name__ == "__main__":
    main()
