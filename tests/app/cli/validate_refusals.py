#!/usr/bin/env python3
"""Usage errors and bad data files leave nothing behind (docs/reliability.md, "Honest
failure: data files, usage errors, folders").

Usage: validate_refusals.py MXSCAN SOURCE_DIR WORK_DIR

Every case runs mxscan with a resolver that is a UDP socket this test holds, and
checks: exit code 2, the message on stderr, no results folder and no staging folder
(.NAME.starting-PID) on disk, and at the end that the socket never received a query
(nothing could leave 127.0.0.0/8, and nothing was contacted at all). Covers a resolver
that is not an address, pfx2as/mmdb/CA/catalog/PSL/blocklist/opt-out files that are
not what they claim, empty domain lists (file and standard input), and
`mxscan infer/diff -o` on an existing folder (left byte-identical) or with bad data
files (no folder created).
"""
import os
import shutil
import socket
import subprocess
import sys

MXSCAN, SRC, WORK = (os.path.abspath(p) for p in sys.argv[1:4])
sys.path.insert(0, os.path.join(SRC, "tests", "e2e"))
from labkit import tree_digest  # noqa: E402
MMDB = os.path.join(SRC, "..", "shared", "data", "GeoLite2-ASN-Test.mmdb")
SAMPLE = os.path.join(SRC, "tests", "data", "sample")
PROVIDERS = os.path.join(SRC, "configs", "providers.toml")


def fail(msg):
    print(f"validate refusals: FAIL {msg}", file=sys.stderr)
    sys.exit(1)


def write(name, text, mode="w"):
    path = os.path.join(WORK, name)
    with open(path, mode) as f:
        f.write(text)
    return path


def leftovers():
    return sorted(n for n in os.listdir(WORK) if n.startswith(".") or n.startswith("out"))


shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
resolver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
resolver.bind(("127.0.0.1", 0))
resolver.setblocking(False)
RESOLVER = f"127.0.0.1:{resolver.getsockname()[1]}"

domains = write("domains.txt", "example.com\nexample.net\n")
junk = write("junk.txt", "hello world\nthis is not data\n")
empty = write("empty.txt", "")
comments = write("comments.txt", "# opted out: nobody yet\n\n")
no_names = write("no-names.txt", "not a domain!\n-bad-.example\n# comment\n")
pfx_bad = write("bad.pfx2as", "".join(f"10.{i}.0.0\t16\t64500\n" for i in range(50)) +
                "".join(f"garbage {i}\n" for i in range(11)))


def scan(*args, stdin=None, resolver=RESOLVER):
    p = subprocess.run([MXSCAN, "--resolver", resolver, "--ehlo-name", "scanner.lab.example", *args],
                       capture_output=True, text=True, input=stdin,
                       stdin=None if stdin is not None else subprocess.DEVNULL, timeout=120)
    return p


def refused(name, want, args, stdin=None, out="out", resolver=RESOLVER):
    target = os.path.join(WORK, out)
    p = scan(*args, "-o", target, stdin=stdin, resolver=resolver)
    if p.returncode != 2:
        fail(f"{name}: exit {p.returncode}, not 2; stderr: {p.stderr[-800:]}")
    for w in want:
        if w not in p.stderr:
            fail(f"{name}: stderr lacks {w!r}: {p.stderr[-800:]}")
    if leftovers():
        fail(f"{name}: left on disk: {leftovers()}")
    print(f"validate refusals: {name}: exit 2, {p.stderr.strip().splitlines()[0][:110]}")


refused("resolver not an address", ["resolver 'not-an-ip'", "not a numeric IPv4 address"],
        ["--domains", domains, "--resolver", "not-an-ip"])
refused("pfx2as of junk", ["--pfx2as", "not a CAIDA prefix-to-AS file", "junk.txt:1:", "junk.txt:2:"],
        ["--domains", domains, "--pfx2as", junk])
refused("pfx2as given an .mmdb", ["--pfx2as", "not a CAIDA prefix-to-AS file", "--asn-db"],
        ["--domains", domains, "--pfx2as", MMDB])
refused("pfx2as with 11 malformed lines", ["11 of 61 lines", "bad.pfx2as:51:"],
        ["--domains", domains, "--pfx2as", pfx_bad])
refused("asn-db of text", ["--asn-db", "cannot open MaxMind DB"], ["--domains", domains, "--asn-db", junk])
refused("ca-file without a certificate", ["--ca-file", "no PEM certificate"],
        ["--domains", domains, "--ca-file", junk])
refused("providers of junk", ["junk.txt:1:"], ["--domains", domains, "--providers", junk])
refused("providers empty", ["without a single [[company]]"], ["--domains", domains, "--providers", empty])
refused("psl of junk", ["not a public suffix list"], ["--domains", domains, "--psl-file", junk])
refused("psl empty", ["not a public suffix list"], ["--domains", domains, "--psl-file", comments])
refused("blocklist of junk", ["junk.txt:1: not an address or CIDR", "junk.txt:2:"],
        ["--domains", domains, "--blocklist", junk])
refused("blocklist without a range", ["without a single address or CIDR"],
        ["--domains", domains, "--blocklist", comments])
refused("allow range not a CIDR", ["--allow", "not an address or CIDR"],
        ["--domains", domains, "--allow", "10.0.0.0/33"])
refused("missing opt-out list", ["--exclude-domains", "no such file"],
        ["--domains", domains, "--exclude-domains", os.path.join(WORK, "none.txt")])
refused("empty domain list", ["no domains", "0 lines"], ["--domains", empty])
refused("domain list without a valid name", ["no domains", "2 invalid names"], ["--domains", no_names])
# Standard input is known empty only once read, after the resolvers were probed
# (docs/cli.md, "Resolvers that do not answer"): here the resolver answers that
# probe (tests/support/flaky_resolver.py) and must see nothing else.
probe_mode = write("probe.mode", "probe-only\n")
probe_log = os.path.join(WORK, "probe.queries")
prober = subprocess.Popen([sys.executable, os.path.join(SRC, "tests", "support", "flaky_resolver.py"),
                           "127.0.0.1", probe_mode, probe_log], stdout=subprocess.PIPE, text=True)
try:
    ready = prober.stdout.readline().split()
    if len(ready) != 2 or ready[0] != "ready":
        fail(f"flaky_resolver did not start: {ready}")
    refused("standard input without a valid name", ["no domains: standard input", "removed"],
            ["--domains", "-"], stdin="not a domain!\n# comment\n",
            resolver=f"127.0.0.1:{ready[1]}")
finally:
    prober.kill()
    prober.wait()
asked = open(probe_log).read().splitlines() if os.path.exists(probe_log) else []
if asked != ["6 ."]:
    fail(f"standard input without a valid name: the resolver was asked {asked}, not only the probe")
refused("dry run of an empty list", ["no domains"], ["--domains", empty, "--dry-run"])

# infer and diff: an existing -o is refused and left byte-identical.
existing = os.path.join(WORK, "existing")
os.makedirs(existing)
write("existing/manifest.json", '{"state":"complete"}\n')
write("existing/providers.jsonl", "keep\n")
before = tree_digest(existing)
for name, args in [("infer", ["infer", SAMPLE, "-o", existing, "--providers", PROVIDERS]),
                   ("diff", ["diff", os.path.join(SRC, "tests/data/diff/old"),
                             os.path.join(SRC, "tests/data/diff/new"), "-o", existing])]:
    p = subprocess.run([MXSCAN, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if p.returncode != 2 or f"output folder {existing} already exists" not in p.stderr:
        fail(f"{name} -o EXISTING: exit {p.returncode}: {p.stderr[-500:]}")
    if tree_digest(existing) != before:
        fail(f"{name} -o EXISTING changed the folder")
    print(f"validate refusals: {name} -o EXISTING: exit 2, folder byte-identical")

# infer: data files checked before the output folder is created.
for name, args, want in [
        ("infer --pfx2as junk", ["--pfx2as", junk], "not a CAIDA prefix-to-AS file"),
        ("infer --pfx2as mmdb", ["--pfx2as", MMDB], "not a CAIDA prefix-to-AS file"),
        ("infer --asn-db junk", ["--asn-db", junk], "--asn-db"),
        ("infer --providers empty", ["--providers", empty], "without a single [[company]]"),
        ("infer --psl-file junk", ["--psl-file", junk], "not a public suffix list")]:
    out = os.path.join(WORK, "out-infer")
    extra = [] if "--providers" in args else ["--providers", PROVIDERS]
    p = subprocess.run([MXSCAN, "infer", SAMPLE, "-o", out, *extra, *args], capture_output=True,
                       text=True, stdin=subprocess.DEVNULL)
    if p.returncode != 2 or want not in p.stderr:
        fail(f"{name}: exit {p.returncode}: {p.stderr[-500:]}")
    if os.path.exists(out):
        fail(f"{name}: created {out}")
    print(f"validate refusals: {name}: exit 2, no folder")

# A valid infer still works, and writes its own manifest and hosts.
out = os.path.join(WORK, "merged")
p = subprocess.run([MXSCAN, "infer", SAMPLE, "-o", out, "--providers", PROVIDERS], capture_output=True,
                   text=True, stdin=subprocess.DEVNULL)
if p.returncode != 0:
    fail(f"infer: exit {p.returncode}: {p.stderr[-500:]}")
for f in ("manifest.json", "hosts.jsonl", "providers.jsonl"):
    if not os.path.isfile(os.path.join(out, f)):
        fail(f"infer: no {f} in {out}")

try:
    data, peer = resolver.recvfrom(4096)
    fail(f"the resolver socket received {len(data)} bytes from {peer}: something was contacted")
except BlockingIOError:
    pass
print("validate refusals: PASS (no query reached the resolver socket)")
