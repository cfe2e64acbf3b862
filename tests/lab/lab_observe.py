#!/usr/bin/env python3
"""An independent, minimal observer of the lab: writes domains.jsonl and hosts.jsonl
(docs/formats.md) from plain Python DNS, SMTP and TLS clients, so that `mxscan infer` can be
run on the lab before (and besides) mxscan's own scanner, cross-checking the ground truth
against the inference and the inference against the ground truth.

    lab_observe.py LAB_DIR OUT_DIR

Deliberately simple: one session per unique address, greeting and EHLO with short limits,
STARTTLS verified against the lab root (a failed verification ends the session: the
certificate is recorded as untrusted without names, which the method ignores anyway).
Addresses outside 127.0.0.0/9 are recorded as blocked and never contacted.
"""
import concurrent.futures
import ipaddress
import json
import os
import socket
import ssl
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import labprobe  # noqa: E402

ALLOWED = ipaddress.ip_network("127.0.0.0/9")
MAX_LINE, MAX_LINES, TIMEOUT = 4096, 200, 5.0
RCODE_STATUS = {"NXDOMAIN": "nxdomain", "SERVFAIL": "servfail", "REFUSED": "refused"}


def normalise(name):
    name = name.strip().rstrip(".").lower()
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = name.split(".")
    if len(labels) < 2 or any(not lab or len(lab) > 63 for lab in labels):
        return None
    return name


def resolve_exchange(dns, name):
    rcode, answers = labprobe.dns_query("127.0.0.1", dns, name, "A")
    cnames = [a for t, a in answers if t == "CNAME"]
    addrs = [a for t, a in answers if t == "A"]
    if rcode != "NOERROR":
        return RCODE_STATUS.get(rcode, "error"), cnames, []
    return ("ok" if addrs else "nodata"), cnames, addrs


def observe_domain(dns, line_no, raw):
    d = normalise(raw)
    if d is None:
        return {"schema": "mxscan/domain/1", "domain": raw, "line": line_no,
                "mx_status": "invalid_name", "mx": []}
    rcode, answers = labprobe.dns_query("127.0.0.1", dns, d, "MX")
    mx = []
    if rcode != "NOERROR":
        status = RCODE_STATUS.get(rcode, "error")
    else:
        recs = sorted((int(p), e) for t, a in answers if t == "MX" for p, e in [a.split()])
        if recs == [(0, ".")]:
            status = "null_mx"
        elif not recs:
            status = "nodata"
        else:
            status = "ok"
            for pref, exch in recs:
                st, cnames, addrs = resolve_exchange(dns, exch)
                mx.append({"exchange": exch, "preference": pref, "addr_status": st,
                           "cnames": cnames, "addresses": addrs})
    return {"schema": "mxscan/domain/1", "domain": d, "line": line_no, "mx_status": status,
            "mx": mx}


class Reader:
    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def reply(self):
        """One complete reply as text lines, or None (closed, timeout, garbage, too long)."""
        lines = []
        while True:
            while b"\n" not in self.buf:
                if len(self.buf) > MAX_LINE:
                    return None
                chunk = self.sock.recv(65536)
                if not chunk:
                    return None
                self.buf += chunk
            raw, self.buf = self.buf.split(b"\n", 1)
            line = raw.rstrip(b"\r").decode("utf-8", "replace")
            if len(raw) > MAX_LINE or len(line) < 3 or not line[:3].isdigit() or \
                    (len(line) > 3 and line[3] not in " -"):
                return None
            lines.append(line)
            if len(lines) > MAX_LINES:
                return None
            if len(line) == 3 or line[3] == " ":
                return lines


def probe(addr, port, root, asn):
    rec = {"schema": "mxscan/host/1", "address": addr, "port": port, "asn": asn[0],
           "as_name": asn[1], "status": "success", "phase": "done", "banner": "", "ehlo": "",
           "ehlo_tls": "", "starttls_offered": False, "starttls_accepted": False, "tls": None}
    if ipaddress.ip_address(addr) not in ALLOWED:
        rec.update(status="blocked", phase="none")
        return rec
    try:
        sock = socket.create_connection((addr, port), timeout=TIMEOUT)
    except OSError:
        rec.update(status="refused", phase="connect")
        return rec
    try:
        r = Reader(sock)
        g = r.reply()
        if g is None:
            rec.update(status="not-smtp", phase="greeting")
            return rec
        rec["banner"] = "\n".join(g)
        if not g[0].startswith("2"):
            rec.update(status="greeting-4xx" if g[0][0] == "4" else "greeting-5xx",
                       phase="greeting")
            sock.sendall(b"QUIT\r\n")
            return rec
        sock.sendall(b"EHLO observer.lab.example\r\n")
        e = r.reply()
        if e is None:
            rec.update(status="protocol-error", phase="ehlo")
            return rec
        rec["ehlo"] = "\n".join(e)
        rec["starttls_offered"] = any(line[4:].upper().startswith("STARTTLS") for line in e)
        if rec["starttls_offered"]:
            sock.sendall(b"STARTTLS\r\n")
            s = r.reply()
            if s is None or not s[0].startswith("220"):
                rec.update(status="starttls-refused", phase="starttls")
                sock.sendall(b"QUIT\r\n")
                return rec
            rec["starttls_accepted"] = True
            ctx = ssl.create_default_context(cafile=root)
            ctx.check_hostname = False
            try:
                tls = ctx.wrap_socket(sock)
            except ssl.SSLCertVerificationError as err:
                rec.update(status="tls-failed", phase="tls_handshake",
                           tls={"version": "", "cipher": "", "chain": [],
                                "leaf": {"cn": None, "sans": []}, "trusted": False,
                                "verify_error": err.verify_message})
                return rec
            except (ssl.SSLError, OSError):
                rec.update(status="tls-failed", phase="tls_handshake")
                return rec
            cert = tls.getpeercert()
            cn = next((v for rdn in cert.get("subject", ()) for k, v in rdn if k == "commonName"),
                      None)
            sans = [v for k, v in cert.get("subjectAltName", ()) if k == "DNS"]
            rec["tls"] = {"version": tls.version(), "cipher": tls.cipher()[0], "chain": [],
                          "leaf": {"cn": cn, "sans": sans}, "trusted": True,
                          "verify_error": None}
            sock = tls
            r = Reader(tls)
            tls.sendall(b"EHLO observer.lab.example\r\n")
            e2 = r.reply()
            rec["ehlo_tls"] = "\n".join(e2 or [])
        sock.sendall(b"QUIT\r\n")
        r.reply()
    except ConnectionResetError:
        rec.update(status="reset", phase="greeting")
    except socket.timeout:
        rec.update(status="greeting-timeout" if not rec["banner"] else "io-timeout",
                   phase="greeting" if not rec["banner"] else "ehlo")
    except OSError:
        if rec["status"] == "success":
            rec.update(status="closed", phase="greeting" if not rec["banner"] else "ehlo")
    finally:
        sock.close()
    return rec


def main():
    lab, out = sys.argv[1], sys.argv[2]
    env = dict(line.strip().split("=", 1) for line in open(os.path.join(lab, "lab.env")))
    dns, port = int(env["DNS_PORT"]), int(env["SMTP_PORT"])
    nets = []
    for line in open(os.path.join(lab, "scenario", "asn.tsv")):
        p, ln, a, org = line.rstrip("\n").split("\t")
        nets.append((ipaddress.ip_network(f"{p}/{ln}"), int(a), org))
    inputs = [line.rstrip("\n") for line in open(os.path.join(lab, "scenario", "domains.txt"),
                                                 encoding="utf-8")]
    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        domains = list(pool.map(lambda t: observe_domain(dns, t[0] + 1, t[1]), enumerate(inputs)))
    addrs = sorted({a for d in domains for m in d["mx"] for a in m["addresses"]})

    def asn_of(a):
        hits = [(n.prefixlen, asn, org) for n, asn, org in nets if ipaddress.ip_address(a) in n]
        return max(hits)[1:] if hits else (None, None)

    root = os.path.join(lab, "pki", "root.pem")
    with concurrent.futures.ThreadPoolExecutor(64) as pool:
        hosts = list(pool.map(lambda a: probe(a, port, root, asn_of(a)), addrs))
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "domains.jsonl"), "w", encoding="utf-8") as f:
        for d in domains:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    with open(os.path.join(out, "hosts.jsonl"), "w", encoding="utf-8") as f:
        for h in hosts:
            f.write(json.dumps(h, ensure_ascii=False) + "\n")
    print(f"lab_observe: {len(domains)} domains, {len(hosts)} hosts -> {out}")


if __name__ == "__main__":
    sys.exit(main())
