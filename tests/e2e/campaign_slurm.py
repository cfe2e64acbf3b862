#!/usr/bin/env python3
"""A campaign on a real Slurm (scripts/cluster) against the lab's standard scenario.

Usage: campaign_slurm.py SOURCE_DIR BUILD_DIR WORK_DIR

Brings up the lab and a one-node Slurm (scripts/cluster up; a Slurm that does not start
fails the test: it needs root and the packages scripts/setup installs), scans the lab once
on one machine (`mxscan --domains`, the reference), then submits a campaign with
`scripts/cluster submit` (scripts/cluster.d/*.sbatch: 4 resolve tasks, 3 probe tasks
after them, the merge after those) and checks, each as its own step:
  kill -9       one probe task's mxscan is killed with SIGKILL once its hosts.jsonl has a
                record; the task fails, `scripts/cluster requeue` puts it back, it resumes
                its folder and the campaign finishes
  results       providers.jsonl of the merge identical, byte for byte, to the reference's;
                domains.jsonl of the resolve folders and hosts.jsonl of the probe folders
                the same records as the reference's (hosts without timing), each domain and
                address in exactly one folder, once; `mxscan status` says complete
  one contact   the persona server's counts and Postfix's log: every address contacted by
                the campaign as often as by the reference scan (once, the lab's resetting
                personas aside), except the addresses the killed task had in flight
  old shards    for comparison, the same lab scanned by `mxscan --domains --shard I/4`:
                how many addresses were contacted more than once (printed)
and brings both down. Exits non-zero on the first failed check.
"""
import json
import os
import re
import signal
import subprocess
import sys
import time

SRC, BUILD, WORK = (os.path.abspath(p) for p in sys.argv[1:4])
LAB = os.path.join(WORK, "lab")
CLUSTER_DIR = os.path.join(WORK, "cluster")
CAMPAIGN = os.path.join(WORK, "campaign")
CLUSTER = os.path.join(SRC, "scripts", "cluster")
NRESOLVE, NPROBE = 4, 3
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labkit import LabKit, journal as read_journal, jsonl  # noqa: E402

kit = LabKit(SRC, BUILD, LAB, "campaign")
fail, step, lab, run = kit.fail, kit.step, kit.lab, kit.run
MXSCAN = kit.mxscan
ENV = dict(os.environ, SLURM_CONF=os.path.join(CLUSTER_DIR, "etc", "slurm.conf"),
           MXSCAN_BUILD_DIR=BUILD)


def options():
    """The lab's mxscan options without the list and the output (the campaign's options)."""
    args = kit.lab_scan_args()[1:]
    i = args.index("--domains")
    del args[i:i + 2]
    return [*args, "--per-24", "2", "--per-24-rate", "20", "--rate", "200",
            "--connect-timeout", "3", "--greeting-timeout", "5", "--reply-timeout", "5",
            "--session-timeout", "20"]


def domains_list():
    return os.path.join(LAB, "scenario", "domains.txt")


def cluster(*args, check=True):
    p = subprocess.run([CLUSTER, args[0], "--dir", CLUSTER_DIR, *args[1:]], env=ENV, capture_output=True,
                       text=True, stdin=subprocess.DEVNULL)
    if check and p.returncode != 0:
        fail(f"scripts/cluster {' '.join(args)} exited {p.returncode}:\n{p.stdout}{p.stderr}")
    return p


def slurm(*args):
    p = subprocess.run(list(args), env=ENV, capture_output=True, text=True)
    if p.returncode != 0:
        fail(f"{' '.join(args)} exited {p.returncode}: {p.stderr}")
    return p.stdout


def job_state(job):
    out = slurm("scontrol", "show", "job", "-o", job)
    m = re.search(r"JobState=(\S+)", out)
    return m.group(1) if m else "?"


def wait_for(what, cond, timeout=300):
    """Polls cond() until it is true; the timeout only guards against a hang."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return
        time.sleep(0.05)
    fail(f"{what}: not after {timeout} s\n{slurm('squeue')}")


# --- what the servers saw -------------------------------------------------------------

def stats_path():
    return os.path.join(LAB, "persona", "stats.tsv")


def persona_counts(after):
    """Connections per address as of now: from a rewrite of stats.tsv after `after`, or,
    the file being rewritten once a second only when something changed, from one left
    unchanged for over two seconds."""
    deadline = time.time() + 30
    while time.time() < deadline:
        mtime = os.stat(stats_path()).st_mtime
        if mtime > after or time.time() - mtime > 2.5:
            break
        time.sleep(0.05)
    else:
        fail("persona stats.tsv neither rewritten nor settled for 30 s")
    counts = {}
    for line in open(stats_path()):
        kind, addr, conns, _ = line.rstrip("\n").split("\t")
        if kind == "addr":
            counts[addr] = int(conns)
    return counts


def postfix_counts():
    """Sessions per Postfix persona (its syslog name) in Postfix's own log."""
    counts = {}
    for line in open(os.path.join(LAB, "postfix", "log", "maillog"), errors="replace"):
        m = re.search(r"postfix/([\w.-]+)/smtpd\[\d+\]: connect from", line)
        if m:
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return counts


def postfix_addresses():
    """Each Postfix persona's listener addresses, from the lab's master.cf."""
    names = {}
    for line in open(os.path.join(LAB, "postfix", "master.cf")):
        m = re.match(r"(127\.[\d.]+):\d+\s+inet\b.*syslog_name=postfix/([\w.-]+)", line)
        if m:
            names.setdefault(m.group(2), set()).add(m.group(1))
    return names


def delta(before, after):
    return {k: after.get(k, 0) - before.get(k, 0) for k in set(before) | set(after)
            if after.get(k, 0) != before.get(k, 0)}


class Contacts:
    """What the persona server and Postfix saw while `body` ran."""

    def __init__(self, body):
        t0 = time.time()
        p0, f0 = persona_counts(t0 - 3), postfix_counts()
        self.result = body()
        t1 = time.time()
        self.persona = delta(p0, persona_counts(t1))
        self.postfix = delta(f0, postfix_counts())


# --- records --------------------------------------------------------------------------

def host_rows(rows):
    out = []
    for r in rows:
        r.pop("duration_ms", None)
        # A persona that resets at once is seen at connect or at the greeting
        # depending on timing (uninterrupted scans differ too): same status.
        if "reset by peer" in (r.get("error") or ""):
            r["phase"] = r["error"] = "reset"
        out.append(json.dumps(r, sort_keys=True))
    return sorted(out)


def journal(path):
    return read_journal(path, fail)


def folder(kind, i):
    return os.path.join(CAMPAIGN, f"{kind}-{i}")


# --- the steps ------------------------------------------------------------------------

def reference():
    step("single-machine scan (the reference)")
    ref = os.path.join(WORK, "reference")
    t0 = time.time()
    contacts = Contacts(lambda: run([MXSCAN, "--domains", domains_list(), *options(),
                                     "-o", ref, "--quiet"]))
    hosts = jsonl(os.path.join(ref, "hosts.jsonl"))
    print(f"campaign: reference: {len(hosts)} addresses, "
          f"{sum(contacts.persona.values())} connections in {time.time() - t0:.1f} s",
          flush=True)
    return ref, contacts


def probe_pid(j):
    """The PID of the mxscan running probe task j (its batch script execs mxscan)."""
    want = folder("probe", j)
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            argv = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
        except OSError:
            continue
        args = [a.decode(errors="replace") for a in argv]
        if args and args[0] == MXSCAN and want in args and ("probe" in args or "--resume" in args):
            return int(pid)
    return None


def records(path):
    """Complete lines of a journal that is being written."""
    try:
        data = open(path).read()
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in data.split("\n")[:-1] if line]


def campaign():
    step(f"campaign on Slurm: {NRESOLVE} resolve tasks, {NPROBE} probe tasks, 1 merge")
    t0 = time.time()
    out = cluster("submit", "--domains", domains_list(), "--out", CAMPAIGN,
                  "--resolve", str(NRESOLVE), "--probe", str(NPROBE), "--", *options()).stdout
    m = re.search(r"RESOLVE=(\d+) PROBE=(\d+) MERGE=(\d+)", out)
    if not m:
        fail(f"submit printed no job IDs: {out}")
    resolve, probe, merge = m.groups()
    print(f"campaign: submitted: resolve {resolve}, probe {probe}, merge {merge}", flush=True)

    step("kill -9 one probe task once its hosts.jsonl has a record")
    victim = {}

    def kill_one():
        for j in range(NPROBE):
            hosts = os.path.join(folder("probe", j), "hosts.jsonl")
            if not records(hosts):
                continue
            pid = probe_pid(j)
            if pid is None:
                continue
            queue = slurm("squeue")
            os.kill(pid, signal.SIGKILL)
            victim.update(j=j, pid=pid, squeue=queue)
            return True
        # Asking slurmctld on every poll would load it: once a second is enough.
        if time.time() - victim.get("asked", 0) > 1:
            victim["asked"] = time.time()
            if all(job_state(f"{probe}_{j}") == "COMPLETED" for j in range(NPROBE)):
                fail("every probe task finished before one could be killed mid-scan")
        return False

    wait_for("a probe task with a record in hosts.jsonl", kill_one)
    j = victim["j"]
    task = f"{probe}_{j}"
    wait_for(f"task {task} failed after SIGKILL", lambda: job_state(task) == "FAILED", 120)
    killed_hosts = os.path.join(folder("probe", j), "hosts.jsonl")
    before = records(killed_hosts)
    victim["recorded"] = {r["address"] for r in before}
    m = json.load(open(os.path.join(folder("probe", j), "manifest.json")))
    if m["state"] == "complete":
        fail(f"probe {j} was killed after it completed")
    print("campaign: squeue at the kill:\n" + "\n".join("  " + l for l in victim["squeue"].splitlines()),
          flush=True)
    print(f"campaign: probe task {task} (mxscan PID {victim['pid']}) killed with SIGKILL "
          f"with {len(before)} host records; state {job_state(task)}; merge "
          f"{slurm('squeue', '-h', '-j', merge, '-o', '%r').strip()}", flush=True)

    step(f"scripts/cluster requeue {task}; the campaign goes on")
    print("campaign: " + cluster("requeue", task).stdout.strip().replace("\n", "\ncampaign: "),
          flush=True)

    def merged():
        state = job_state(merge)
        if state in ("FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY"):
            log = open(os.path.join(CAMPAIGN, "logs", "merge.log")).read()
            fail(f"merge job {state}:\n{log[-2000:]}")
        return state == "COMPLETED"

    wait_for("the merge completed", merged, 600)
    log = open(os.path.join(CAMPAIGN, "logs", f"probe-{j}.log")).read()
    m = json.load(open(os.path.join(folder("probe", j), "manifest.json")))
    if m.get("resumes", 0) < 1:
        fail(f"probe {j}: the requeued task did not resume its folder (manifest resumes "
             f"{m.get('resumes')}); its log:\n{log[-1500:]}")
    print(f"campaign: requeued task resumed its folder ({m['resumes']} resume); "
          f"campaign done in {time.time() - t0:.1f} s", flush=True)
    return victim


def check_results(ref):
    step("results equal the single-machine scan")
    a = open(os.path.join(ref, "providers.jsonl"), "rb").read()
    b = open(os.path.join(CAMPAIGN, "all", "providers.jsonl"), "rb").read()
    if a != b:
        ra = {json.loads(l)["domain"]: l for l in a.decode().splitlines()}
        rb = {json.loads(l)["domain"]: l for l in b.decode().splitlines()}
        diff = sorted(d for d in set(ra) | set(rb) if ra.get(d) != rb.get(d))
        fail(f"providers.jsonl differs from the single-machine scan: {diff[:10]} "
             f"({len(a)} vs {len(b)} bytes)")
    domains, hosts = [], []
    for i in range(NRESOLVE):
        domains += journal(os.path.join(folder("resolve", i), "domains.jsonl"))
    where = {}
    for j in range(NPROBE):
        for r in journal(os.path.join(folder("probe", j), "hosts.jsonl")):
            where.setdefault(r["address"], []).append(j)
            hosts.append(r)
    twice = {a: js for a, js in where.items() if len(js) > 1}
    if twice:
        fail(f"addresses with more than one host record (probe shards): {dict(list(twice.items())[:5])}")
    names = [r["domain"] for r in domains]
    if len(names) != len(set(names)):
        fail("a domain is in more than one resolve folder, or twice in one")
    ref_domains = sorted(json.dumps(r, sort_keys=True)
                         for r in jsonl(os.path.join(ref, "domains.jsonl")))
    if sorted(json.dumps(r, sort_keys=True) for r in domains) != ref_domains:
        fail("the resolve folders' domains.jsonl records differ from the reference's")
    ref_hosts = host_rows(jsonl(os.path.join(ref, "hosts.jsonl")))
    got = host_rows(hosts)
    if got != ref_hosts:
        missing = sorted(set(ref_hosts) - set(got))[:3]
        extra = sorted(set(got) - set(ref_hosts))[:3]
        fail(f"the probe folders' host records differ from the reference's "
             f"({len(got)} vs {len(ref_hosts)}): missing {missing}, unexpected {extra}")
    folders = [folder("resolve", i) for i in range(NRESOLVE)] + \
        [folder("probe", j) for j in range(NPROBE)]
    p = run([MXSCAN, "status", *folders])
    if "complete" not in p.stdout:
        fail(f"mxscan status: {p.stdout}")
    print(f"campaign: providers.jsonl byte-identical to the single-machine scan "
          f"({len(a.splitlines())} lines); {len(domains)} domains and {len(hosts)} addresses, "
          f"each in one folder once; mxscan status exit 0", flush=True)
    print("\n".join("  " + line for line in p.stdout.splitlines()), flush=True)


def check_contacts(ref_contacts, contacts, victim):
    step("every address contacted campaign-wide as often as by the single-machine scan")
    j = victim["j"]
    shard_of = {}
    for s in range(NPROBE):
        for r in jsonl(os.path.join(folder("probe", s), "hosts.jsonl")):
            shard_of[r["address"]] = s
    # The killed task's sessions in flight had no record yet: its resume contacts them
    # again, as a resumed one-machine scan would.
    in_flight = {a for a, s in shard_of.items() if s == j and a not in victim["recorded"]}
    ref, got = ref_contacts.persona, contacts.persona
    if set(got) != set(ref):
        fail(f"the campaign contacted other addresses than the reference: missing "
             f"{sorted(set(ref) - set(got))[:5]}, unexpected {sorted(set(got) - set(ref))[:5]}")
    wrong, again = [], []
    for addr, n in sorted(got.items()):
        if n == ref[addr]:
            continue
        if addr in in_flight and ref[addr] < n <= 2 * ref[addr]:
            again.append(addr)
            continue
        wrong.append(f"{addr}: {n} (reference {ref[addr]})")
    if wrong:
        fail("addresses contacted more or less often than by the single-machine scan:\n  "
             + "\n  ".join(wrong[:10]))
    once = sum(1 for a in ref if ref[a] == 1)
    # Postfix: sessions per persona, against the reference, allowing the killed task's
    # in-flight addresses their second session.
    listeners = postfix_addresses()
    for name in set(ref_contacts.postfix) | set(contacts.postfix):
        r, g = ref_contacts.postfix.get(name, 0), contacts.postfix.get(name, 0)
        extra = sum(got[a] - ref[a] for a in listeners.get(name, ()) if a in again)
        if g != r + extra:
            fail(f"Postfix persona {name}: {g} sessions in the campaign, {r} in the reference "
                 f"(+{extra} for resumed in-flight addresses)")
    print(f"campaign: {len(got)} addresses contacted, each as often as by the single-machine "
          f"scan ({once} exactly once, {len(ref) - once} retried after a reset in both, as "
          f"--retries says); the killed task's resume contacted {len(again)} "
          f"in-flight address(es) again, none with a record; Postfix: "
          f"{sum(contacts.postfix.values())} sessions, as in the reference plus those",
          flush=True)


def old_shards(ref_contacts):
    step("for comparison: the one-shot scan sharded by domain (--shard I/4)")

    def scans():
        for i in range(4):
            run([MXSCAN, "--domains", domains_list(), *options(), "--shard", f"{i}/4",
                 "-o", os.path.join(WORK, f"old-shard{i}"), "--quiet"])

    contacts = Contacts(scans)
    repeated = {a: n for a, n in contacts.persona.items() if n > ref_contacts.persona.get(a, 0)}
    extra = sum(n - ref_contacts.persona.get(a, 0) for a, n in repeated.items())
    print(f"campaign: --shard 0/4 ... 3/4: {len(repeated)} address(es) contacted more often "
          f"than once per campaign ({extra} extra sessions, up to "
          f"{max(repeated.values(), default=0)} for one address); the phases: 0", flush=True)
    if not repeated:
        fail("the domain-sharded scan contacted no address twice: the lab no longer shows "
             "what the phases fix")


def main():
    kit.fresh_workdir(WORK)
    cluster("down", check=False)
    step("lab up, cluster up")
    lab("up")
    try:
        t0 = time.time()
        p = cluster("up")
        print(f"campaign: {p.stdout.splitlines()[0]} in {time.time() - t0:.1f} s", flush=True)
        ref, ref_contacts = reference()
        holder = {}
        contacts = Contacts(lambda: holder.update(victim=campaign()))
        check_results(ref)
        check_contacts(ref_contacts, contacts, holder["victim"])
        old_shards(ref_contacts)
    finally:
        cluster("down", check=False)
        lab("down")
    print("campaign: PASS")


if __name__ == "__main__":
    main()
