"""What the lab-driven end-to-end tests share: a fresh work folder, running
scripts/lab, reading its lab.env, the mxscan command line that points at the
lab, running a command and failing with its stderr, reading JSON Lines, host
records without their timing, a folder's contents as digests (the last also
used by tests which need no lab: tests/app/cli/validate_refusals.py,
tests/scanner/dns/resolver_probe_cli.py).

Each test keeps its own tuning (rates, timeouts) on top of lab_scan_args().
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys


class LabKit:
    def __init__(self, src, build, lab_dir, name, seed=None):
        self.src, self.build, self.lab_dir = src, build, lab_dir
        self.name, self.seed = name, seed
        self.mxscan = os.path.join(build, "mxscan")

    def fail(self, msg):
        seed = f" (seed {self.seed})" if self.seed is not None else ""
        print(f"{self.name}: FAIL {msg}{seed}", file=sys.stderr)
        sys.exit(1)

    def step(self, title):
        print(f"{self.name}: --- {title}", flush=True)

    def lab(self, *args):
        """scripts/lab ARGS --dir LAB; its stdout."""
        env = dict(os.environ, MXSCAN_BUILD_DIR=self.build)
        return subprocess.run([os.path.join(self.src, "scripts", "lab"), *args,
                               "--dir", self.lab_dir],
                              env=env, check=True, capture_output=True, text=True).stdout

    def fresh_workdir(self, work):
        """`scripts/lab down` of a lab an earlier run left up (its lab.env is in the
        folder), then an empty `work` folder (the lab's parent)."""
        if os.path.exists(os.path.join(self.lab_dir, "lab.env")):
            try:
                self.lab("down")
            except subprocess.CalledProcessError:
                pass
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)

    def env(self):
        """The lab's lab.env as a dict (ports, PIDs)."""
        values = {}
        for line in open(os.path.join(self.lab_dir, "lab.env")):
            m = re.match(r"(\w+)=(.*)", line.strip())
            if m:
                values[m.group(1)] = m.group(2).strip("'\"")
        return values

    def lab_scan_args(self, domains=None):
        """mxscan pointed at the lab: resolver, port, CA, ASN data, allowed range, EHLO name."""
        e = self.env()
        return [self.mxscan, "--domains",
                domains or os.path.join(self.lab_dir, "scenario", "domains.txt"),
                "--resolver", f"127.0.0.1:{e['DNS_PORT']}", "--smtp-port", e["SMTP_PORT"],
                "--ca-file", os.path.join(self.lab_dir, "pki", "root.pem"),
                "--asn-db", os.path.join(self.lab_dir, "asn", "asn.mmdb"),
                "--allow", "127.0.0.0/9", "--ehlo-name", "scanner.lab.example"]

    def run(self, args, expect=0, timeout=600):
        """Runs a command without stdin; fails unless it exits `expect`."""
        try:
            p = subprocess.run(args, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                               timeout=timeout)
        except subprocess.TimeoutExpired:  # run() kills the child
            self.fail(f"{' '.join(args[:3])}... still running after {timeout} s (hung)")
        if p.returncode != expect:
            self.fail(f"{' '.join(args[:3])}... exited {p.returncode}, expected {expect}:\n"
                      f"{p.stderr[-3000:]}")
        return p


def jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def journal(path, fail):
    """Every line of a results journal, each parsed; `fail` is called for a
    truncated (no newline) or unparsable line."""
    rows = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.endswith("\n"):
                fail(f"{path}:{n}: last line has no newline (truncated)")
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                fail(f"{path}:{n}: not JSON ({e}): {line[:200]!r}")
    return rows


def host_lines(out):
    """Host records without their timing: the same on every run."""
    rows = []
    for r in jsonl(os.path.join(out, "hosts.jsonl")):
        r.pop("duration_ms", None)
        rows.append(json.dumps(r, sort_keys=True))
    return sorted(rows)


def tree_digest(path):
    """Every file's path relative to `path` and the SHA-256 of its bytes: equal
    before and after a command only if it left the folder byte-identical."""
    out = {}
    for root, _, files in os.walk(path):
        for f in files:
            p = os.path.join(root, f)
            out[os.path.relpath(p, path)] = hashlib.sha256(open(p, "rb").read()).hexdigest()
    return out
