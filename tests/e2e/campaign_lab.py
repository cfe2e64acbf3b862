#!/usr/bin/env python3
"""A campaign of phases against the lab (docs/distributed.md): `mxscan resolve`
in 4 shards, `mxscan probe` in 3 shards, `mxscan infer` over all of them.

Usage: campaign_lab.py SOURCE_DIR BUILD_DIR WORK_DIR

Brings the lab up, then checks, each as its own step:
  one machine     `mxscan --domains` of the scenario: the reference
  resolve         4 resolve shards contact no SMTP server; addresses.tsv sorted, one line
                  per address, the union equal to the addresses of the reference
  probe, kill -9  3 probe shards; shard 1 killed with SIGKILL once it has a host record,
                  then `mxscan --resume`: no host record lost or duplicated
  once each       every address the reference contacted is contacted by the campaign, and
                  exactly once (the persona server's statistics, Postfix's maillog), except
                  only addresses the killed shard had not recorded when it was killed
  merge           `mxscan infer` refuses a campaign with a probe shard missing or not
                  complete (exit 2, names it, writes nothing), merges it with
                  --allow-partial (manifest state partial); the whole campaign's
                  providers.jsonl is byte-identical to the reference's
  status          `mxscan status` of the folders: one line each, exit 0 when whole, 1 not
  old shards      the one-shot `--shard I/4` scans: how many addresses they contact more
                  than once (printed; must be > 0) and their warning
  refusals        probe with a missing, unfinished or non-resolve folder, a bad --shard,
                  an existing -o; status of a non-results folder: exit 2, message, nothing
                  on disk, nothing contacted
  SIGTERM         a resolve stopped by SIGTERM exits 3 and says how to resume; resumed, its
                  records and addresses.tsv equal the uninterrupted shard's
and brings the lab down. Exits non-zero on the first failed check.
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
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labkit import LabKit, jsonl  # noqa: E402

kit = LabKit(SRC, BUILD, LAB, "campaign")
fail, step, lab, run = kit.fail, kit.step, kit.lab, kit.run
MXSCAN = kit.mxscan
RESOLVES, PROBES = 4, 3
DEADLINE = 120  # a last guard on every wait below; each waits on its condition


def settings(rate="200"):
    """The lab options of scan_lab.py, without the domain list; no connect retries,
    so that one contact is one connection at the persona server."""
    args = kit.lab_scan_args()
    i = args.index("--domains")
    del args[i:i + 2]
    return [*args[1:], "--per-24", "2", "--per-24-rate", "20", "--rate", rate,
            "--retries", "0", "--connect-timeout", "3", "--greeting-timeout", "5",
            "--reply-timeout", "5", "--session-timeout", "20", "--quiet"]


def domains():
    return os.path.join(LAB, "scenario", "domains.txt")


def w(name):
    return os.path.join(WORK, name)


def wait_for(what, condition):
    end = time.time() + DEADLINE
    while time.time() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    fail(f"waited {DEADLINE} s for {what}")


def persona_contacts():
    """Connections per address at the persona server. Its statistics file is
    rewritten every second when something changed: once it is rewritten after
    this call, or not within 5 s (nothing changed), everything accepted before
    this call is in it."""
    path = os.path.join(LAB, "persona", "stats.tsv")
    asked = time.time()
    while os.path.getmtime(path) <= asked + 0.05 and time.time() < asked + 5:
        time.sleep(0.05)
    counts = {}
    for line in open(path):
        kind, addr, conns, _ = line.rstrip("\n").split("\t")
        if kind == "addr":
            counts[addr] = int(conns)
    return counts


def postfix_listeners():
    """syslog_name -> listening address of each Postfix persona (its master.cf)."""
    names = {}
    for line in open(os.path.join(LAB, "postfix", "master.cf")):
        m = re.match(r"^(127\.[\d.]+):\d+\s+inet\s.*syslog_name=postfix/([\w-]+)", line)
        if m:
            names[m.group(2)] = m.group(1)
    if not names:
        fail("no Postfix persona in the lab's master.cf")
    return names


def postfix_contacts():
    """Sessions per Postfix persona address in maillog, once every session
    logged has also logged its end (Postfix writes the log asynchronously)."""
    path = os.path.join(LAB, "postfix", "log", "maillog")

    def settled():
        text = open(path).read()
        connects = re.findall(r"postfix/([\w-]+)/smtpd\[\d+\]: connect from", text)
        ends = re.findall(r"postfix/([\w-]+)/smtpd\[\d+\]: disconnect from", text)
        return (connects,) if len(connects) == len(ends) else None

    connects = wait_for("Postfix's log to settle", settled)[0]
    names = postfix_listeners()
    counts = {a: 0 for a in names.values()}
    for name in connects:
        counts[names[name]] += 1
    return counts


LAST = []


def contacts():
    """Persona and Postfix contacts per address, as one snapshot."""
    LAST[:] = [(persona_contacts(), postfix_contacts())]
    return LAST[0]


def last_contacts():
    """The last snapshot taken: the 'before' of a step that follows commands
    contacting nobody (resolve, infer, status) since it was taken."""
    return LAST[0]


def delta(before, after):
    out = {}
    for b, a in zip(before, after):
        for addr, n in a.items():
            if n - b.get(addr, 0):
                out.setdefault(addr, []).append(n - b.get(addr, 0))
    # an address counted by the persona server and by Postfix (forwarded): Postfix's count
    return {addr: max(ns) for addr, ns in out.items()}


def lines(path):
    return open(path).read().splitlines() if os.path.exists(path) else []


def manifest(folder):
    return json.load(open(os.path.join(folder, "manifest.json")))


def main():
    kit.fresh_workdir(WORK)
    step("lab up")
    lab("up")
    try:
        tests()
    finally:
        lab("down")
    print("campaign: PASS")


def tests():
    t0 = time.time()
    step("one machine: mxscan --domains (the reference)")
    base = w("base")
    before = contacts()
    run([MXSCAN, "--domains", domains(), *settings(), "-o", base])
    reference = delta(before, contacts())
    base_addresses = {r["address"] for r in jsonl(os.path.join(base, "hosts.jsonl"))}
    if not reference or any(n != 1 for n in reference.values()):
        fail(f"the reference scan contacted {reference}: not each address once")
    print(f"campaign: reference: {len(base_addresses)} addresses, {len(reference)} contacted")

    step(f"resolve in {RESOLVES} shards: no SMTP contact")
    before = last_contacts()
    resolves = []
    for i in range(RESOLVES):
        out = w(f"R{i}")
        run([MXSCAN, "resolve", "--domains", domains(), "--shard", f"{i}/{RESOLVES}",
             *settings(), "-o", out])
        m = manifest(out)
        if (m["phase"], m["shard"], m["state"]) != ("resolve", f"{i}/{RESOLVES}", "complete"):
            fail(f"{out}: manifest says {m['phase']} {m['shard']} {m['state']}")
        if lines(os.path.join(out, "hosts.jsonl")):
            fail(f"{out}: a resolve wrote host records")
        rows = [line.split("\t") for line in lines(os.path.join(out, "addresses.tsv"))]
        addrs = [r[0] for r in rows]
        if addrs != sorted(addrs) or len(set(addrs)) != len(addrs) or \
                any(len(r) != 2 for r in rows):
            fail(f"{out}/addresses.tsv: not one sorted ADDRESS<TAB>EXCHANGE line per address")
        resolves.append(out)
    contacted = delta(before, contacts())
    if contacted:
        fail(f"resolving contacted SMTP servers: {contacted}")
    union = set()
    for r in resolves:
        union |= {line.split("\t")[0] for line in lines(os.path.join(r, "addresses.tsv"))}
    if union != base_addresses:
        fail(f"the resolve shards' addresses differ from the reference's: "
             f"missing {sorted(base_addresses - union)[:5]}, extra {sorted(union - base_addresses)[:5]}")
    print(f"campaign: {RESOLVES} resolve shards name {len(union)} addresses, none contacted")

    step(f"probe in {PROBES} shards, shard 1 killed with SIGKILL then resumed")
    before = last_contacts()
    probes = [w(f"P{j}") for j in range(PROBES)]
    for j in (0, 2):
        p = run([MXSCAN, "probe", *resolves, "--shard", f"{j}/{PROBES}", *settings(), "-o",
                 probes[j]])
        share = f"at most {200 / PROBES:g} new SMTP sessions/s (--rate 200 for the campaign"
        if share not in p.stderr:
            fail(f"probe: the rate share is not printed: {p.stderr}")
        m = manifest(probes[j])
        if m["rate"] != {"campaign": 200.0, "share": 200 / PROBES} or m["phase"] != "probe":
            fail(f"{probes[j]}: manifest rate {m['rate']} phase {m['phase']}")
        if len(m["resolve_inputs"]) != RESOLVES or \
                any(len(x["addresses_sha256"]) != 64 for x in m["resolve_inputs"]):
            fail(f"{probes[j]}: manifest resolve_inputs {m['resolve_inputs']}")
    # Shard 1 slowly (3 sessions/s for the campaign: 1/s), so it is under way when killed.
    killed = probes[1]
    proc = subprocess.Popen([MXSCAN, "probe", *resolves, "--shard", f"1/{PROBES}",
                             *settings(rate="3"), "-o", killed],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    hosts = os.path.join(killed, "hosts.jsonl")
    wait_for("a host record of the probe shard to kill", lambda: lines(hosts))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    recorded = {json.loads(x)["address"] for x in lines(hosts) if x.endswith("}")}
    shard_addresses = manifest(killed)["input"]["addresses"]
    if manifest(killed)["state"] != "running" or len(recorded) >= shard_addresses:
        fail(f"the probe shard was not killed mid-scan: {len(recorded)} of "
             f"{shard_addresses} recorded, state {manifest(killed)['state']}")

    step("merge refuses an unfinished or missing probe shard")
    for inputs, named in ((probes, f"probe shard 1/{PROBES} ({killed}) is running, not complete"),
                          (probes[:2], f"probe shard 2/{PROBES} missing")):
        out = w("refused-merge")
        p = run([MXSCAN, "infer", *resolves, *inputs, "-o", out], expect=2)
        if named not in p.stderr or "--allow-partial" not in p.stderr:
            fail(f"merge refusal does not name '{named}': {p.stderr}")
        if os.path.exists(out):
            fail("a refused merge wrote its output folder")
    partial = w("partial")
    run([MXSCAN, "infer", *resolves, *probes[:2], "--allow-partial", "-o", partial])
    if manifest(partial)["state"] != "partial" or \
            not any(f"probe shard 2/{PROBES} missing" in n for n in manifest(partial)["notes"]):
        fail(f"--allow-partial merge: manifest {manifest(partial)['state']} "
             f"{manifest(partial)['notes']}")
    p = run([MXSCAN, "status", *resolves, *probes], expect=1)
    if f"{killed}" not in p.stdout or "running" not in p.stdout or "not complete" not in p.stdout:
        fail(f"status of the unfinished campaign: {p.stdout}")

    step("resume the killed probe shard")
    run([MXSCAN, "--resume", killed, "--rate", "30", "--quiet"])  # this shard's own rate
    after = contacts()
    campaign = delta(before, after)
    records = [json.loads(x)["address"] for x in lines(hosts)]
    if len(records) != len(set(records)) or len(records) != shard_addresses:
        fail(f"resumed probe: {len(records)} host records, {len(set(records))} addresses, "
             f"{shard_addresses} in the shard")
    all_records = [json.loads(x)["address"] for p in probes
                   for x in lines(os.path.join(p, "hosts.jsonl"))]
    if sorted(all_records) != sorted(base_addresses):
        fail("the probe shards' host records are not one per address of the reference")
    if set(campaign) != set(reference):
        fail(f"the campaign contacted other addresses than the reference: "
             f"{sorted(set(campaign) ^ set(reference))[:5]}")
    # A session in flight (or finished but not yet flushed) at the kill has no
    # record: only those may have been contacted again by the resume.
    twice = {a: n for a, n in campaign.items() if n != 1}
    if any(a in recorded or n > 2 for a, n in twice.items()):
        fail(f"addresses contacted more than once by the campaign: {twice} "
             f"(recorded before the kill: {sorted(recorded)})")
    print(f"campaign: {len(campaign)} addresses contacted, {len(campaign) - len(twice)} of them "
          f"exactly once campaign-wide (persona statistics and Postfix's maillog); {len(twice)} "
          f"without a record at the kill contacted again by the resume; the {len(recorded)} "
          f"recorded before the kill not contacted again")

    step("merge equals the one-machine scan; status")
    merged = w("ALL")
    run([MXSCAN, "infer", *resolves, *probes, "-o", merged])
    if open(os.path.join(merged, "providers.jsonl")).read() != \
            open(os.path.join(base, "providers.jsonl")).read():
        fail("providers.jsonl of the campaign differs from the one-machine scan's")
    if manifest(merged)["state"] != "complete":
        fail(f"merge manifest state {manifest(merged)['state']}")
    p = run([MXSCAN, "status", *resolves, *probes])
    rows = p.stdout.splitlines()
    if len(rows) != RESOLVES + PROBES + 1 or not rows[-1].startswith("campaign: complete"):
        fail(f"status of the whole campaign: {p.stdout}")
    print(f"campaign: providers.jsonl identical to the one-machine scan; status:\n"
          + "\n".join("  " + r for r in rows))

    step(f"for contrast: the one-shot --shard I/{RESOLVES} scans")
    before = last_contacts()
    for i in range(RESOLVES):
        p = run([MXSCAN, "--domains", domains(), "--shard", f"{i}/{RESOLVES}", *settings(),
                 "-o", w(f"old{i}")])
        if "contacted once per shard" not in p.stderr or "mxscan resolve" not in p.stderr:
            fail(f"the one-shot --shard gives no warning: {p.stderr[-500:]}")
        if not any("once per shard" in n for n in manifest(w(f"old{i}"))["notes"]):
            fail("the one-shot --shard warning is not in the manifest")
    old = delta(before, contacts())
    repeated = {a: n for a, n in old.items() if n > 1}
    print(f"campaign: one-shot --shard I/{RESOLVES}: {len(repeated)} of {len(old)} addresses "
          f"contacted more than once ({sum(repeated.values())} contacts; "
          f"most: {max(repeated.values(), default=0)}); the campaign: 0 beyond the kill")
    if not repeated:
        fail("the one-shot shards contacted no address twice: the contrast shows nothing")

    refusals(resolves, base)
    print(f"campaign: all steps in {time.time() - t0:.0f} s")


def refusals(resolves, base):
    step("refusals: nothing written, nothing contacted")
    # An unfinished resolve folder: stopped by SIGTERM once its manifest is there (slow DNS).
    unfinished = w("R0-unfinished")
    proc = subprocess.Popen([MXSCAN, "resolve", "--domains", domains(), "--shard", "0/4",
                             *settings(), "--dns-rate", "10", "-o", unfinished],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    wait_for("the resolve's manifest", lambda: os.path.exists(os.path.join(unfinished,
                                                                           "manifest.json")))
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=DEADLINE)
    if proc.returncode != 3 or f"mxscan --resume {unfinished}" not in err or \
            manifest(unfinished)["state"] != "interrupted" or \
            os.path.exists(os.path.join(unfinished, "addresses.tsv")):
        fail(f"resolve stopped by SIGTERM: exit {proc.returncode}, state "
             f"{manifest(unfinished)['state']}: {err[-500:]}")
    before = last_contacts()
    maillog = os.path.getsize(os.path.join(LAB, "postfix", "log", "maillog"))
    out = w("P-refused")
    cases = [
        ("a missing resolve folder", [*resolves, w("nowhere")],
         f"{w('nowhere')}: no such resolve folder"),
        ("a resolve shard missing", resolves[:3], "resolve shard 3/4 missing"),
        ("an unfinished resolve folder", [unfinished, *resolves[1:]],
         f"{unfinished}: resolve shard 0/4 is interrupted, not complete"),
        ("a scan folder", [*resolves, base], f"{base}: a scan folder, not a resolve folder"),
        ("a folder that is no results folder", [*resolves, LAB], f"{LAB}: not a resolve folder"),
    ]
    for what, inputs, message in cases:
        p = run([MXSCAN, "probe", *inputs, "--shard", "0/3", *settings(), "-o", out], expect=2)
        if message not in p.stderr:
            fail(f"probe of {what}: message lacks '{message}': {p.stderr}")
        if os.path.exists(out):
            fail(f"probe of {what}: {out} was written")
    p = run([MXSCAN, "probe", *resolves, "--shard", "3/3", *settings(), "-o", out], expect=2)
    if "--shard I/N needs 0 <= I < N" not in p.stderr or os.path.exists(out):
        fail(f"probe --shard 3/3: {p.stderr}")
    p = run([MXSCAN, "probe", *resolves, "--shard", "one/3", *settings(), "-o", out], expect=2)
    if "--shard expects I/N" not in p.stderr or os.path.exists(out):
        fail(f"probe --shard one/3: {p.stderr}")
    existing = w("P0")
    digest = sorted(os.listdir(existing))
    p = run([MXSCAN, "probe", *resolves, "--shard", "0/3", *settings(), "-o", existing], expect=2)
    if "already exists" not in p.stderr or sorted(os.listdir(existing)) != digest:
        fail(f"probe into an existing folder: {p.stderr}")
    p = run([MXSCAN, "status", LAB], expect=2)
    if f"{LAB}: not a results folder" not in p.stderr or p.stdout:
        fail(f"status of the lab folder: {p.stderr} {p.stdout}")
    contacted = delta(before, contacts())
    if contacted:
        fail(f"a refused probe contacted {contacted}")
    if os.path.getsize(os.path.join(LAB, "postfix", "log", "maillog")) != maillog:
        fail("a refused probe reached Postfix")
    print(f"campaign: refusals: {len(cases) + 4} refused with exit 2, nothing written or "
          f"contacted")

    step("the resolve stopped by SIGTERM, resumed, equals the uninterrupted shard")
    run([MXSCAN, "--resume", unfinished, "--dns-rate", "0", "--quiet"])
    for name in ("addresses.tsv", "domains.jsonl"):
        a = sorted(lines(os.path.join(unfinished, name)))
        b = sorted(lines(os.path.join(resolves[0], name)))
        if a != b:
            fail(f"resumed resolve: {name} differs from the uninterrupted shard's")
    if open(os.path.join(unfinished, "addresses.tsv")).read() != \
            open(os.path.join(resolves[0], "addresses.tsv")).read():
        fail("resumed resolve: addresses.tsv is not byte-identical")
    print("campaign: SIGTERM: exit 3, resumed, domains.jsonl and addresses.tsv as uninterrupted")


if __name__ == "__main__":
    main()
