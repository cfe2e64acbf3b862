#!/usr/bin/env python3
"""Checks a running lab (scripts/lab up) part by part; exits non-zero on any failure.

    lab_check.py LAB_DIR

DNS: every ground-truth domain answers as its status says (NXDOMAIN, SERVFAIL, null MX,
no MX, MX records). ASN: the .mmdb read back with mmdblookup (libmaxminddb) gives each
range's ASN, the pfx2as file agrees. PKI: each leaf verifies (or fails) against the lab
root as its kind says. SMTP: every persona of faults.tsv (persona server and Postfix)
behaves as declared. Conduct records: the persona server's stats and command log show
what this check did (connections, peak concurrency per address and /24, commands), and the
blocked canary was never contacted.
"""
import concurrent.futures
import json
import os
import socket
import ssl
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import labprobe  # noqa: E402

FAILURES = []
CHECKS = [0]


def check(cond, what):
    CHECKS[0] += 1
    if not cond:
        FAILURES.append(what)
        print(f"FAIL {what}", flush=True)
    return cond


def read_env(lab):
    env = {}
    with open(os.path.join(lab, "lab.env")) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            env[k] = v
    return env


# --------------------------------------------------------------------------- DNS
def check_dns(lab, port):
    zone_mx = {}
    with open(os.path.join(lab, "scenario", "root.zone")) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 4 and parts[1] == "MX":
                zone_mx.setdefault(parts[0].rstrip(".").lower(), set()).add(
                    f"{parts[2]} {parts[3].rstrip('.') or '.'}")
    truth = [json.loads(line) for line in open(os.path.join(lab, "scenario",
                                                            "ground_truth.jsonl"))]
    for t in truth[:5000]:
        d, status = t["domain"], t["status"]
        if status == "invalid":
            continue
        rcode, answers = labprobe.dns_query("127.0.0.1", port, d, "MX")
        mx = {a for typ, a in answers if typ == "MX"}
        if status == "nxdomain":
            check(rcode == "NXDOMAIN", f"dns {d}: NXDOMAIN expected, got {rcode}")
        elif status == "dns_error":
            check(rcode == "SERVFAIL", f"dns {d}: SERVFAIL expected, got {rcode}")
        elif status == "null_mx":
            check(rcode == "NOERROR" and mx == {"0 ."}, f"dns {d}: null MX expected, got {mx}")
        elif status == "no_mx":
            check(rcode == "NOERROR" and not mx, f"dns {d}: no MX expected, got {rcode} {mx}")
        else:
            check(rcode == "NOERROR" and mx == zone_mx.get(d),
                  f"dns {d}: MX {zone_mx.get(d)} expected, got {rcode} {mx}")
    print(f"dns: {min(len(truth), 5000)} domains checked", flush=True)


# --------------------------------------------------------------------------- ASN
def check_asn(lab):
    rows = [line.rstrip("\n").split("\t") for line in open(os.path.join(lab, "scenario",
                                                                         "asn.tsv"))]
    pfx = {}
    for line in open(os.path.join(lab, "asn", "pfx2as.txt")):
        p, ln, origin = line.split()
        pfx[(p, ln)] = origin
    mmdb = os.path.join(lab, "asn", "asn.mmdb")
    for prefix, length, asn, org in rows:
        a, b, c, d = (int(x) for x in prefix.split("."))
        probe = f"{a}.{b}.{c}.{d + 1}"
        out = subprocess.run(["mmdblookup", "--file", mmdb, "--ip", probe,
                              "autonomous_system_number"], capture_output=True, text=True)
        got = out.stdout.split()
        check(out.returncode == 0 and got[:2] == [asn, "<uint32>"],
              f"asn {probe}: mmdb {asn} <uint32> expected, got {out.stdout.strip()}")
        out = subprocess.run(["mmdblookup", "--file", mmdb, "--ip", probe,
                              "autonomous_system_organization"], capture_output=True, text=True)
        check(f'"{org}"' in out.stdout, f"asn {probe}: organisation {org} expected")
        check(pfx.get((prefix, length), "").split("_")[0] == asn,
              f"pfx2as {prefix}/{length}: first origin {asn} expected")
    out = subprocess.run(["mmdblookup", "--file", mmdb, "--ip", "127.99.0.1"],
                         capture_output=True, text=True)
    check("Could not find" in out.stdout + out.stderr, "asn 127.99.0.1 must be unknown")
    print(f"asn: {len(rows)} ranges checked", flush=True)


# --------------------------------------------------------------------------- PKI
EXPECTED_VERIFY = {"trusted": "OK", "oversized": "OK", "expired": "error 10 ",
                   "notyet": "error 9 ", "selfsigned": "error 18 ", "unknownca": "error 19 ",
                   "nointermediate": "error 20 "}


def check_pki(lab):
    root = os.path.join(lab, "pki", "root.pem")
    kinds = {}
    for line in open(os.path.join(lab, "scenario", "pki.tsv")):
        name, kind, cn, sans = line.rstrip("\n").split("\t")
        kinds[name] = kind
        pem = os.path.join(lab, "pki", name + ".pem")
        out = subprocess.run(["openssl", "verify", "-CAfile", root, "-untrusted", pem, pem],
                             capture_output=True, text=True)
        text = out.stdout + out.stderr
        want = EXPECTED_VERIFY[kind]
        check((want == "OK" and out.returncode == 0) or (want != "OK" and want in text),
              f"pki {name} ({kind}): {want} expected, got {text.strip()[-120:]}")
        x = subprocess.run(["openssl", "x509", "-in", pem, "-noout", "-subject", "-ext",
                            "subjectAltName"], capture_output=True, text=True).stdout
        check(f"CN = {cn}" in x, f"pki {name}: CN {cn} expected")
        for san in sans.split(","):
            check(f"DNS:{san}" in x, f"pki {name}: SAN {san} expected")
    size = os.path.getsize(os.path.join(lab, "pki", "oversized.pem"))
    check(size > 320000, f"pki oversized chain is {size} bytes, > 320 kB expected")
    print(f"pki: {len(kinds)} leaves checked", flush=True)
    return kinds


# --------------------------------------------------------------------------- SMTP
def recv_for(sock, seconds, limit=4 << 20):
    """Everything received within `seconds` (or until close / limit)."""
    data, end = b"", time.monotonic() + seconds
    while len(data) < limit:
        left = end - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            return data, True
        data += chunk
    return data, False


def tls_context(lab):
    ctx = ssl.create_default_context(cafile=os.path.join(lab, "pki", "root.pem"))
    ctx.check_hostname = False
    return ctx


def personas_toml(lab):
    import tomllib
    with open(os.path.join(lab, "scenario", "personas.toml"), "rb") as f:
        return {p["name"]: p for p in tomllib.load(f)["persona"]}


def probe_persona(lab, port, row, persona, pki_kind):
    """Returns a list of failure texts for one persona."""
    name, addr, fault, starttls, banner = row
    errs = []

    def expect(cond, what):
        if not cond:
            errs.append(f"smtp {name} ({addr}, {fault}): {what}")

    def dialog_after_greeting(s, greeting_code="220"):
        s.send("EHLO lab-check.lab.example")
        ehlo = s.read_reply()
        expect(ehlo.startswith(b"250"), f"EHLO: 250 expected, got {ehlo[:80]!r}")
        lines = ehlo.decode(errors="replace")
        advertised = "STARTTLS" in lines
        if starttls == "none":
            expect(not advertised, "STARTTLS advertised but persona has none")
            s.send("QUIT")
            expect(s.read_reply().startswith(b"221"), "QUIT: 221 expected")
            return
        expect(advertised, "STARTTLS not advertised")
        s.send("STARTTLS")
        r = s.read_reply()
        if starttls == "refuse":
            expect(r.startswith(b"454"), f"STARTTLS: 454 expected, got {r[:60]!r}")
            s.send("QUIT")
            expect(s.read_reply().startswith(b"221"), "QUIT: 221 expected")
            return
        expect(r.startswith(b"220"), f"STARTTLS: 220 expected, got {r[:60]!r}")
        ctx = tls_context(lab)
        kind = pki_kind
        if fault in ("tls_alert", "tls_garbage") or kind not in ("trusted", None):
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE if kind not in ("oversized",) else ssl.CERT_REQUIRED
        try:
            s.sock = ctx.wrap_socket(s.sock)
        except (ssl.SSLError, OSError) as e:
            text = str(e)
            if fault == "tls_alert":
                expect("HANDSHAKE_FAILURE" in text.upper() or "ALERT" in text.upper(),
                       f"TLS alert expected, got {text}")
            elif fault == "tls_garbage":
                expect("WRONG_VERSION" in text.upper() or "RECORD" in text.upper()
                       or "PACKET" in text.upper(), f"non-TLS bytes expected, got {text}")
            elif kind == "oversized":
                expect("EXCESSIVE" in text.upper(),
                       f"chain over the 100 kB client limit expected, got {text}")
            else:
                expect(False, f"TLS handshake failed: {text}")
            return
        expect(fault not in ("tls_alert", "tls_garbage") and kind != "oversized",
               "TLS handshake succeeded but should not")
        if kind not in ("trusted", None):
            # Untrusted kinds: the handshake ran unverified; now prove verification fails.
            pass
        s.send("EHLO lab-check.lab.example")
        r = s.read_reply()
        expect(r.startswith(b"250") and b"STARTTLS" not in r,
               f"EHLO over TLS: 250 without STARTTLS expected, got {r[:60]!r}")
        s.send("QUIT")
        expect(s.read_reply().startswith(b"221"), "QUIT over TLS: 221 expected")

    try:
        if fault == "tarpit":
            sock = socket.create_connection((addr, port), timeout=3)
            data, closed = recv_for(sock, 1.5)
            expect(data == b"" and not closed, f"silence expected, got {data[:40]!r} closed={closed}")
            sock.close()
            return errs
        if fault in ("close", "reset"):
            sock = None
            try:
                sock = socket.create_connection((addr, port), timeout=3)
                data, closed = recv_for(sock, 2)
                expect(fault == "close" and closed and data == b"",
                       f"immediate close expected, got {data[:40]!r} closed={closed}")
            except ConnectionResetError:
                expect(fault == "reset", "reset received but close expected")
            if sock is not None:
                sock.close()
            return errs
        if fault == "garbage":
            sock = socket.create_connection((addr, port), timeout=3)
            data, _ = recv_for(sock, 1.0)
            expect(len(data) >= 512 and not data[:3].isdigit(),
                   f"binary garbage expected, got {data[:20]!r}")
            sock.close()
            return errs
        if fault == "no_eol":
            sock = socket.create_connection((addr, port), timeout=3)
            data, _ = recv_for(sock, 1.0)
            expect(data.startswith(b"220 ") and b"\n" not in data,
                   f"greeting without line end expected, got {data[:60]!r}")
            sock.close()
            return errs
        if fault == "huge_line":
            sock = socket.create_connection((addr, port), timeout=3)
            data, _ = recv_for(sock, 5.0, limit=(1 << 20) + 10)
            expect(data.startswith(b"220 ") and len(data) >= (1 << 20)
                   and b"\n" not in data[:1 << 20], f"1 MiB line expected, got {len(data)} bytes")
            sock.close()
            return errs
        if fault == "endless_greeting":
            sock = socket.create_connection((addr, port), timeout=3)
            data, closed = recv_for(sock, 5.0, limit=2 << 20)
            expect(len(data) >= 2 << 20 and not closed and
                   all(line.startswith(b"220-") for line in data.split(b"\r\n")[:-1]),
                   f"2 MiB of 220- lines expected, got {len(data)} bytes")
            sock.close()
            return errs

        t0 = time.monotonic()
        s = labprobe.Smtp(addr, port, timeout=10)
        greeting = s.read_reply()
        took = time.monotonic() - t0
        want = banner if fault != "postfix" else banner
        expect(greeting.decode(errors="replace").startswith(want.split("%")[0].rstrip()),
               f"greeting {want!r} expected, got {greeting[:80]!r}")
        if fault == "lf_only":
            expect(b"\r\n" not in greeting, "LF-only line ends expected")
        else:
            expect(greeting.endswith(b"\r\n"), f"CRLF expected, got {greeting[-10:]!r}")
        if persona.get("drip_ms"):
            expect(took >= persona["drip_ms"] * len(greeting) / 1000.0 * 0.8,
                   f"drip: greeting took {took:.2f} s")
        if persona.get("greeting_delay_ms"):
            expect(took >= persona["greeting_delay_ms"] / 1000.0 * 0.9,
                   f"delay: greeting took {took:.2f} s")
        if greeting.startswith(b"421"):
            data, closed = recv_for(s.sock, 2)
            expect(closed, "421: the server must close")
            s.close()
            return errs
        if greeting.startswith(b"554"):
            s.send("EHLO lab-check.lab.example")
            r = s.read_reply()
            expect(r.startswith(b"554"), f"554 greeting: EHLO must be refused, got {r[:40]!r}")
            s.send("QUIT")
            expect(s.read_reply().startswith(b"221"), "QUIT: 221 expected")
            s.close()
            return errs
        if fault == "endless_ehlo":
            s.send("EHLO lab-check.lab.example")
            data, closed = recv_for(s.sock, 5.0, limit=2 << 20)
            expect(len(data) >= 2 << 20 and not closed and data.startswith(b"250-"),
                   f"endless 250- lines expected, got {len(data)} bytes")
            s.close()
            return errs
        dialog_after_greeting(s)
        s.close()
    except (OSError, ssl.SSLError) as e:
        expect(False, f"unexpected {type(e).__name__}: {e}")
    return errs


def check_smtp(lab, port, pki_kinds):
    personas = personas_toml(lab)
    rows = [line.rstrip("\n").split("\t") for line in open(os.path.join(lab, "scenario",
                                                                         "faults.tsv"))
            if not line.startswith("#")]
    # The PKI kind each persona serves (to know which handshakes must verify).
    gen = {}
    for p in personas.values():
        chain = p.get("chain", "")
        gen[p["name"]] = pki_kinds.get(os.path.basename(chain)[:-4]) if chain else None
    postfix_chain = {}
    for line in open(os.path.join(lab, "scenario", "postfix.tsv")):
        name, _, _, _, chain = line.rstrip("\n").split("\t")
        postfix_chain[name] = pki_kinds.get(os.path.basename(chain)[:-4]) if chain != "-" else None
    todo = []
    for row in rows:
        name = row[0]
        if name == "blocked-canary":
            continue  # never contacted, by anyone
        kind = postfix_chain.get(name) if row[2] == "postfix" else gen.get(name)
        todo.append((row, personas.get(name, {}), kind))
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda t: probe_persona(lab, port, *t), todo))
    for errs in results:
        for e in errs:
            check(False, e)
    CHECKS[0] += len(todo)
    # An address without persona closes at once (no SMTP there).
    sock = socket.create_connection(("127.15.169.200", port), timeout=3)
    data, closed = recv_for(sock, 2)
    check(closed and data == b"", "address without persona must close at once")
    sock.close()
    print(f"smtp: {len(todo)} personas probed", flush=True)
    return todo


def check_untrusted_leaves_served(lab, port):
    """The chain each certificate persona serves verifies (or not) like its PEM file."""
    cases = {"127.15.169.1": None, "127.65.1.1": "expired", "127.65.1.2": "not yet valid",
             "127.65.1.3": "self-signed", "127.65.1.4": "self-signed certificate in",
             "127.65.1.5": "unable to get local issuer"}
    for addr, err in cases.items():
        s = labprobe.Smtp(addr, port)
        s.read_reply()
        s.send("EHLO lab-check.lab.example")
        s.read_reply()
        s.send("STARTTLS")
        s.read_reply()
        try:
            s.starttls(os.path.join(lab, "pki", "root.pem"))
            check(err is None, f"tls {addr}: verification must fail with {err}")
        except ssl.SSLCertVerificationError as e:
            check(err is not None and err in str(e), f"tls {addr}: {err} expected, got {e}")
        s.close()


# --------------------------------------------------------------------------- conduct
def check_conduct_records(lab, port):
    tarpit = [line.split("\t")[1] for line in open(os.path.join(lab, "scenario", "faults.tsv"))
              if line.split("\t")[2:3] == ["tarpit"]][0]
    net = tarpit.rsplit(".", 1)[0] + ".0/24"
    # Concurrency: six sessions at once on one tarpit address.
    socks = [socket.create_connection((tarpit, port), timeout=3) for _ in range(6)]
    time.sleep(0.3)
    for s in socks:
        s.close()
    time.sleep(1.5)  # the stats file is rewritten every second
    stats = {}
    for line in open(os.path.join(lab, "persona", "stats.tsv")):
        if line.startswith("#"):
            continue
        kind, addr, conns, peak = line.rstrip("\n").split("\t")
        stats[(kind, addr)] = (int(conns), int(peak))
    check(stats.get(("addr", tarpit), (0, 0))[1] >= 6,
          f"stats: peak concurrency >= 6 on {tarpit} expected, got {stats.get(('addr', tarpit))}")
    check(stats.get(("net24", net), (0, 0))[1] >= 6,
          f"stats: peak concurrency >= 6 on {net} expected")
    check(stats.get(("addr", tarpit), (0, 0))[0] >= 7, "stats: >= 7 connections on tarpit")
    check(("addr", "127.255.0.25") not in stats, "the blocked canary must never be contacted")
    log = open(os.path.join(lab, "persona", "commands.log")).read().splitlines()
    rows = [line.split("\t") for line in log]
    check(all(len(r) == 4 and r[1].isdigit() for r in rows), "command log: 4 columns")
    ehlo = [r for r in rows if r[3] == "EHLO lab-check.lab.example"]
    plain = {r[1] for r in ehlo if r[0] == "127.15.169.1" and r[2] == "plain"}
    tls = {r[1] for r in ehlo if r[0] == "127.15.169.1" and r[2] == "tls"}
    check(plain, "command log: plain EHLO on 127.15.169.1 expected")
    check(plain & tls, "command log: EHLO over TLS in the same session expected")
    check(any(r[0] == "127.80.75.10" and r[2] == "fwd" for r in ehlo),
          "command log: forwarded EHLO on the Postfix persona expected")
    maillog = open(os.path.join(lab, "postfix", "log", "maillog")).read()
    for name in ("outlook", "pf-selfhosted", "pf-tls"):
        check(f"postfix/{name}/smtpd" in maillog and "connect from" in maillog,
              f"Postfix maillog: sessions of {name} expected")
    print("conduct records: checked", flush=True)


def check_scale_sample(lab, dns, port):
    """Scale scenario: a sample of bulk domains resolves to a server whose greeting names
    the expected provider (the range personas expand %ipdash% per address)."""
    n = sampled = 0
    for line in open(os.path.join(lab, "scenario", "ground_truth.jsonl")):
        t = json.loads(line)
        if not t["case"].startswith("scale") or t["status"] != "ok":
            continue
        n += 1
        if n % 97:
            continue
        sampled += 1
        (pid,) = t["providers"]
        rcode, mx = labprobe.dns_query("127.0.0.1", dns, t["domain"], "MX")
        if not check(rcode == "NOERROR" and mx, f"scale {t['domain']}: MX expected"):
            continue
        exch = mx[0][1].split()[1]
        rcode, a = labprobe.dns_query("127.0.0.1", dns, exch, "A")
        if not check(a, f"scale {exch}: address expected"):
            continue
        s = labprobe.Smtp(a[0][1], port)
        greeting = s.read_reply().decode(errors="replace")
        s.close()
        check(greeting.startswith("220 ") and pid in greeting,
              f"scale {t['domain']} at {a[0][1]}: greeting naming {pid} expected, got {greeting!r}")
        if sampled >= 200:
            break
    print(f"scale: {sampled} bulk domains sampled", flush=True)


def main():
    lab = sys.argv[1]
    env = read_env(lab)
    port, dns = int(env["SMTP_PORT"]), int(env["DNS_PORT"])
    check_dns(lab, dns)
    check_asn(lab)
    kinds = check_pki(lab)
    check_smtp(lab, port, kinds)
    check_untrusted_leaves_served(lab, port)
    check_conduct_records(lab, port)
    if json.load(open(os.path.join(lab, "scenario", "summary.json")))["scenario"] == "scale":
        check_scale_sample(lab, dns, port)
    print(f"lab_check: {CHECKS[0]} checks, {len(FAILURES)} failures")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
