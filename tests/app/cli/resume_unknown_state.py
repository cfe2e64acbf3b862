#!/usr/bin/env python3
"""`mxscan --resume DIR` refuses a folder whose manifest names a state it does
not know: exit 2, the file and the state named on stderr, the folder left as it
was, and no DNS question asked (docs/cli.md, "Exit codes").

A real results folder is made first by a whole scan against a DNS server in
this script (127.0.0.1, answers NXDOMAIN to everything: no SMTP server is
contacted), then its manifest's state is changed to "bogus".
    tests/app/cli/resume_unknown_state.py MXSCAN WORK_DIR
"""
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


class NxdomainServer:
    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.questions = 0
        self.done = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.done:
            try:
                data, peer = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            if len(data) < 12:
                continue
            end = 12
            while end < len(data) and data[end] != 0:
                end += data[end] + 1
            end += 5
            if end > len(data):
                continue
            self.questions += 1
            header = bytes([data[0], data[1], 0x80 | (data[2] & 0x79), 0x83, 0, 1, 0, 0, 0, 0, 0, 0])
            self.sock.sendto(header + data[12:end], peer)

    def stop(self):
        self.done = True
        self.thread.join()


def digests(folder):
    return {name: hashlib.sha256(open(os.path.join(folder, name), "rb").read()).hexdigest()
            for name in sorted(os.listdir(folder))}


def main():
    mxscan, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    domains = os.path.join(work, "domains.txt")
    with open(domains, "w") as f:
        f.write("a.lab.example\nb.lab.example\n")
    out = os.path.join(work, "out")
    dns = NxdomainServer()
    try:
        scan = subprocess.run(
            [mxscan, "--domains", domains, "--resolver", f"127.0.0.1:{dns.port}",
             "--ehlo-name", "scanner.lab.example", "--quiet", "-o", out],
            capture_output=True, text=True, timeout=300)
        if scan.returncode != 0:
            fail(f"the first scan: exit {scan.returncode}: {scan.stderr}")
        manifest_path = os.path.join(out, "manifest.json")
        manifest = json.load(open(manifest_path))
        if manifest["state"] != "complete":
            fail(f"the first scan's state is {manifest['state']!r}")
        manifest["state"] = "bogus"
        with open(manifest_path, "w") as f:
            json.dump(manifest, f, indent=2)
        before = digests(out)
        asked = dns.questions

        resumed = subprocess.run([mxscan, "--resume", out, "--quiet"],
                                 capture_output=True, text=True, timeout=300)
        if resumed.returncode != 2:
            fail(f"--resume of a bogus state: exit {resumed.returncode}, not 2: {resumed.stderr}")
        want = f"{manifest_path}: unknown state 'bogus'"
        if want not in resumed.stderr:
            fail(f"stderr lacks {want!r}: {resumed.stderr!r}")
        if digests(out) != before:
            fail("the folder changed")
        if dns.questions != asked:
            fail(f"{dns.questions - asked} DNS questions asked by the refused resume")
    finally:
        dns.stop()
    print("resume of an unknown manifest state: exit 2, state named, folder unchanged, nothing asked")


if __name__ == "__main__":
    main()
