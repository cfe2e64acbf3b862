#!/usr/bin/env python3
"""Honest failure in the lab: data files, resume overrides, merged folders
(docs/reliability.md, "Honest failure: data files, usage errors, folders").

Usage: validate_lab.py SOURCE_DIR BUILD_DIR WORK_DIR

Brings up the lab's standard scenario, then checks:
  - `--pfx2as` given the lab's asn.mmdb, or a file of junk: exit 2, no folder, and
    neither the resolver (a UDP socket of this test) nor the persona server (its
    connection count) saw anything;
  - a pfx2as file that covers none of the lab's addresses: the scan completes and the
    manifest's notes, scan.log, stderr and report.html say that no address matched;
  - a scan killed with kill -9: `--resume` with `--ehlo-name` is refused (exit 2, folder
    byte-identical); `--resume` with `--rate` and `--per-24-rate` is accepted, the scan
    completes and manifest.json records both changes in resume_overrides;
  - two shards merged with `mxscan infer`: the merged folder has manifest.json (inputs,
    SHA-256 of their files, their states) and hosts.jsonl (every address once), and
    `mxscan report` on it shows the STARTTLS and AS sections with the shards' figures;
    infer into an existing shard folder is exit 2 and leaves it byte-identical.
Brings the lab down; exits non-zero on the first failed check.
"""
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

SRC, BUILD, WORK = (os.path.abspath(p) for p in sys.argv[1:4])
LAB = os.path.join(WORK, "lab")
sys.path.insert(0, os.path.join(SRC, "tests", "e2e"))
from labkit import LabKit, jsonl, tree_digest  # noqa: E402

kit = LabKit(SRC, BUILD, LAB, "validate")
fail, step = kit.fail, kit.step
MXSCAN = kit.mxscan


def fast(args, out, extra=()):
    """The lab scan at test speed (the lab's own politeness is not what is tested here)."""
    return [*args, "--per-24", "8", "--per-24-rate", "50", "--rate", "0", "--connect-timeout", "3",
            "--greeting-timeout", "5", "--reply-timeout", "5", "--session-timeout", "20", "--quiet",
            "-o", out, *extra]


MARKER = "127.254.254.254"  # no persona there: the server counts the connection and closes it
markers = 0


def persona_connections():
    """Connections the persona server counted, not counting this test's markers. The
    stats file is rewritten only when something changed, so a marker connection made
    now is waited for: once it is in the file, so is every connection made before."""
    global markers
    port = int(kit.env()["SMTP_PORT"])
    with socket.create_connection((MARKER, port), timeout=10):
        pass
    markers += 1
    path = os.path.join(LAB, "persona", "stats.tsv")
    deadline = time.time() + 60
    while True:
        rows = {}
        for line in open(path):
            f = line.rstrip("\n").split("\t")
            if len(f) == 4 and not f[0].startswith("#"):
                rows[(f[0], f[1])] = int(f[2])
        if rows.get(("addr", MARKER), 0) >= markers:
            return rows[("total", "-")] - markers
        if time.time() > deadline:
            fail("the persona server did not count the marker connection")
        time.sleep(0.1)


def refused_before_contact(name, args, want, out):
    """Exit 2 with `want` on stderr, no folder, no staging folder, nothing contacted."""
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.setblocking(False)
    args = [a if a != "RESOLVER" else f"127.0.0.1:{udp.getsockname()[1]}" for a in args]
    before = persona_connections()
    p = kit.run(args, expect=2, timeout=120)
    if want not in p.stderr:
        fail(f"{name}: stderr lacks {want!r}: {p.stderr[-600:]}")
    parent = os.path.dirname(out)
    left = [n for n in os.listdir(parent) if n == os.path.basename(out) or ".starting-" in n]
    if left:
        fail(f"{name}: left on disk: {left}")
    try:
        udp.recvfrom(4096)
        fail(f"{name}: a DNS query reached the resolver")
    except BlockingIOError:
        pass
    after = persona_connections()
    if after != before:
        fail(f"{name}: the persona server saw {after - before} connections")
    print(f"validate: {name}: exit 2, nothing written, nothing contacted")


# A MaxMind DB with records but no AS numbers (a country database), written with
# MaxMind's own writer as scripts/lib/lab_mmdb.pl writes the lab's ASN database.
COUNTRY_DB = r"""
use strict; use warnings; use MaxMind::DB::Writer::Tree;
my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version => 4, record_size => 24, database_type => 'GeoLite2-Country',
    languages => ['en'], description => { en => 'mxscan test: no ASN' },
    map_key_type_callback => sub { { country => 'map', iso_code => 'utf8_string' }->{ $_[0] } },
    remove_reserved_networks => 0);
$tree->insert_network('127.0.0.0/8', { country => { iso_code => 'ZZ' } });
open(my $fh, '>:raw', $ARGV[0]) or die; $tree->write_tree($fh); close $fh or die;
"""


def with_resolver(args, resolver):
    args = list(args)
    args[args.index("--resolver") + 1] = resolver
    return args


def tests():
    base = kit.lab_scan_args()
    no_asn = [a for i, a in enumerate(base)
              if a != "--asn-db" and (i == 0 or base[i - 1] != "--asn-db")]
    mmdb = os.path.join(LAB, "asn", "asn.mmdb")

    step("--pfx2as given the lab's .mmdb, or junk: exit 2 before anything is contacted")
    junk = os.path.join(WORK, "junk.pfx2as")
    with open(junk, "w") as f:
        f.write("".join(f"line {i} of a file that is no pfx2as\n" for i in range(40)))
    for name, data in (("pfx2as = asn.mmdb", mmdb), ("pfx2as = junk", junk)):
        out = os.path.join(WORK, "refused")
        refused_before_contact(name, fast(with_resolver(no_asn, "RESOLVER"), out, ["--pfx2as", data]),
                               "not a CAIDA prefix-to-AS file", out)

    step("--asn-db given a MaxMind DB of another schema (country): exit 2")
    country = os.path.join(WORK, "country.mmdb")
    subprocess.run(["perl", "-e", COUNTRY_DB, country], check=True)
    out = os.path.join(WORK, "refused")
    refused_before_contact("asn-db = country.mmdb",
                           fast(with_resolver(no_asn, "RESOLVER"), out, ["--asn-db", country]),
                           "no autonomous_system_number in its records", out)

    step("a pfx2as file that covers no lab address: the scan says so everywhere")
    far = os.path.join(WORK, "far.pfx2as")
    with open(far, "w") as f:
        f.write("10.0.0.0\t8\t64999\n192.0.2.0\t24\t64998\n")
    out = os.path.join(WORK, "far")
    p = kit.run(fast(no_asn, out, ["--pfx2as", far]))
    note = "no contacted address matched an entry of the ASN source"
    manifest = json.load(open(os.path.join(out, "manifest.json")))
    if not any(note in n for n in manifest["notes"]):
        fail(f"manifest notes lack the no-match note: {manifest['notes']}")
    if note not in open(os.path.join(out, "scan.log")).read():
        fail("scan.log lacks the no-match note")
    if note not in p.stderr:
        fail(f"stderr lacks the no-match note: {p.stderr[-600:]}")
    if "although an ASN source was given" not in open(os.path.join(out, "report.html")).read():
        fail("report.html does not say the ASN source matched nothing")
    if any(h.get("asn") is not None for h in jsonl(os.path.join(out, "hosts.jsonl"))):
        fail("a host has an ASN from a file that covers no lab address")
    print("validate: no-match note in manifest, scan.log, stderr and report.html")

    step("kill -9, then --resume with --ehlo-name (refused) and with --rate (recorded)")
    out = os.path.join(WORK, "killed")
    slow = fast(base, out)
    slow[slow.index("--rate") + 1] = "2"
    proc = subprocess.Popen(slow, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL)
    hosts = os.path.join(out, "hosts.jsonl")
    deadline = time.time() + 120
    while not (os.path.exists(hosts) and os.path.getsize(hosts) > 0):
        if time.time() > deadline or proc.poll() is not None:
            proc.kill()
            fail("the slow scan wrote no host record")
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = tree_digest(out)
    p = kit.run([MXSCAN, "--resume", out, "--ehlo-name", "other.lab.example"], expect=2)
    if "--ehlo-name would change what is measured" not in p.stderr:
        fail(f"--resume --ehlo-name: {p.stderr[-600:]}")
    if tree_digest(out) != before:
        fail("--resume --ehlo-name changed the folder")
    print("validate: --resume --ehlo-name: exit 2, folder byte-identical")
    p = kit.run([MXSCAN, "--resume", out, "--quiet", "--rate", "0", "--per-24-rate", "60"])
    if "resuming with --rate 0 (was 2)" not in p.stderr:
        fail(f"no resume override message: {p.stderr[-600:]}")
    manifest = json.load(open(os.path.join(out, "manifest.json")))
    got = [(o["resume"], o["option"], o["setting"], o["old"], o["new"])
           for o in manifest["resume_overrides"]]
    want = [(1, "--rate", "smtp.rate", "2", "0"), (1, "--per-24-rate", "smtp.per24_rate", "50", "60")]
    if sorted(got) != sorted(want) or manifest["state"] != "complete":
        fail(f"resume_overrides {got} (want {want}), state {manifest['state']}")
    if manifest["configuration"]["smtp"]["rate"] != 0:
        fail("the new rate is not in the manifest's configuration")
    print(f"validate: --resume --rate: accepted, recorded {got}")
    # A second resume appends to the list (a finished folder resumes to the same results).
    kit.run([MXSCAN, "--resume", out, "--quiet", "--rate", "3", "--per-24-rate", "60"])
    manifest = json.load(open(os.path.join(out, "manifest.json")))
    got = [(o["resume"], o["option"], o["old"], o["new"]) for o in manifest["resume_overrides"]]
    if got[-1] != (2, "--rate", "0", "3") or len(got) != 3 or manifest["resumes"] != 2:
        fail(f"second resume: resume_overrides {got}, resumes {manifest['resumes']}")
    print("validate: a second --resume --rate appended to resume_overrides (unchanged values not recorded)")

    step("two shards merged: manifest.json, hosts.jsonl, report sections")
    shards = []
    for i in range(2):
        shard = os.path.join(WORK, f"shard{i}")
        kit.run(fast(base, shard, ["--shard", f"{i}/2"]))
        shards.append(shard)
    merged = os.path.join(WORK, "merged")
    kit.run([MXSCAN, "infer", *shards, "-o", merged])
    m = json.load(open(os.path.join(merged, "manifest.json")))
    if m["schema"] != "mxscan/merge/1" or m["state"] != "complete":
        fail(f"merged manifest: {m.get('schema')} {m.get('state')}")
    for inp, shard in zip(m["inputs"], shards):
        if inp["path"] != shard or inp["manifest_state"] != "complete":
            fail(f"merged manifest input {inp}")
        for f in inp["files"]:
            if f["sha256"] != hashlib.sha256(open(f["path"], "rb").read()).hexdigest():
                fail(f"merged manifest: wrong digest of {f['path']}")
    addresses = set()
    for shard in shards:
        addresses |= {h["address"] for h in jsonl(os.path.join(shard, "hosts.jsonl"))}
    merged_hosts = [h["address"] for h in jsonl(os.path.join(merged, "hosts.jsonl"))]
    if sorted(merged_hosts) != sorted(addresses):
        fail(f"merged hosts.jsonl: {len(merged_hosts)} records for {len(addresses)} addresses")
    p = kit.run([MXSCAN, "report", merged])
    if "STARTTLS offered" not in p.stdout or "Top ASes" not in p.stdout or "AS15169" not in p.stdout:
        fail(f"report on the merge lacks the STARTTLS/AS figures:\n{p.stdout[-1500:]}")
    html = open(os.path.join(merged, "report.html")).read()
    for section in ('id="tls"', 'id="ases"', 'id="manifest"', "mxscan/merge/1"):
        if section not in html:
            fail(f"report.html of the merge lacks {section}")
    print(f"validate: merge of 2 shards: {len(merged_hosts)} hosts, report shows STARTTLS and AS")

    before = tree_digest(shards[0])
    p = kit.run([MXSCAN, "infer", shards[1], "-o", shards[0]], expect=2)
    if "already exists" not in p.stderr or tree_digest(shards[0]) != before:
        fail(f"infer -o EXISTING: {p.stderr[-400:]}")
    print("validate: infer -o EXISTING: exit 2, folder byte-identical")


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    step("lab up")
    kit.lab("up")
    try:
        tests()
    finally:
        kit.lab("down")
    print("validate: PASS")


main()
