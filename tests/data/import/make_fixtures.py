#!/usr/bin/env python3
"""Writes the import fixtures from the bundled sample (tests/data/sample).

The same scan is written twice: in other tools' formats, following the layouts
documented in docs/import.md (ZDNS MXLOOKUP lines, odd lines in the flat v1 layout,
even lines in the nested v2 layout; ZGrab2 smtp module lines, with the leaf's
raw DER on every other TLS host and only the parsed names on the rest; Censys
port-25 records), and as native observation files holding exactly what those
formats can carry (no CNAME chains, no EHLO after TLS, no AS names from pfx2as,
an exchange without addresses as "nodata" since ZDNS does not say why).
Importing the first must give the inference results of the second
(tests/results/importers_test.cpp). Run from anywhere; needs python3 only.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "..", "sample")


def load(name):
    with open(os.path.join(SAMPLE, name)) as f:
        return [json.loads(line) for line in f if line.strip()]


def dump(name, records):
    with open(os.path.join(HERE, name), "w") as f:
        for r in records:
            f.write(json.dumps(r, separators=(",", ":"), ensure_ascii=False) + "\n")


def crlf(text):
    return "".join(line + "\r\n" for line in text.split("\n")) if text else ""


ZDNS_STATUS = {"ok": "NOERROR", "nodata": "NOERROR", "null_mx": "NOERROR", "nxdomain": "NXDOMAIN",
               "servfail": "SERVFAIL", "invalid_name": "ILLEGAL_INPUT"}

domains = load("domains.jsonl")
hosts = load("hosts.jsonl")

zdns, native_domains = [], []
for d in domains:
    status = ZDNS_STATUS[d["mx_status"]]
    exchanges = []
    for mx in d["mx"]:
        v4 = [a for a in mx["addresses"] if ":" not in a]
        v6 = [a for a in mx["addresses"] if ":" in a]
        ex = {"name": mx["exchange"] + ".", "type": "MX", "preference": mx["preference"], "ttl": 300}
        if v4:
            ex["ipv4_addresses"] = v4
        if v6:
            ex["ipv6_addresses"] = v6
        exchanges.append(ex)
    if d["mx_status"] == "null_mx":
        exchanges = [{"name": ".", "type": "MX", "preference": 0, "ttl": 300}]
    lookup = {"status": status, "timestamp": "2026-11-29T11:40:00Z"}
    if status == "NOERROR":
        lookup["data"] = {"exchanges": exchanges}
    if d["line"] % 2 == 1:
        zdns.append({"name": d["domain"], "class": "IN", **lookup})
    else:
        lookup["duration"] = 0.012
        zdns.append({"name": d["domain"], "results": {"MXLOOKUP": lookup}})
    n = json.loads(json.dumps(d))
    n["error"] = None if status == "NOERROR" else "ZDNS status " + status
    for mx in n["mx"]:
        mx["cnames"] = []
        if not mx["addresses"]:
            mx["addr_status"] = "nodata"
    native_domains.append(n)

zgrab, censys, native_hosts, native_censys, pfx2as = [], [], [], [], []
tls_seen = 0
for h in hosts:
    if h["asn"] is not None:
        bits = 128 if ":" in h["address"] else 32
        pfx2as.append(f"{h['address']}\t{bits}\t{h['asn']}")
    status = {"success": "success", "connect-timeout": "connection-timeout", "blocked": "blocklisted-target"}[h["status"]]
    result = {}
    if h["banner"]:
        result["banner"] = crlf(h["banner"])
    if h["ehlo"]:
        result["ehlo"] = crlf(h["ehlo"])
    t = h["tls"]
    if h["starttls_accepted"]:
        result["starttls"] = "220 2.0.0 Ready to start TLS\r\n"
    if t:
        leaf = t["leaf"]
        parsed = {"subject": {"common_name": [leaf["cn"]] if leaf["cn"] else []},
                  "extensions": {"subject_alt_name": {"dns_names": leaf["sans"]}},
                  "fingerprint_sha256": leaf["sha256"],
                  "validity": {"start": leaf["not_before"], "end": leaf["not_after"]}}
        cert = {"parsed": parsed}
        tls_seen += 1
        if tls_seen % 2 == 1:
            cert["raw"] = t["chain"][0]
        result["tls"] = {"handshake_log": {
            "server_hello": {"version": {"name": t["version"], "value": {"TLSv1.2": 771, "TLSv1.3": 772}[t["version"]]},
                             "cipher_suite": {"name": t["cipher"]}},
            "server_certificates": {"certificate": cert,
                                    "chain": [{"raw": c} for c in t["chain"][1:]],
                                    "validation": {"browser_trusted": t["trusted"],
                                                   "browser_error": t["verify_error"] or ""}}}}
    if h["banner"]:
        result["quit"] = "221 2.0.0 Bye\r\n"
    smtp = {"status": status, "protocol": "smtp", "timestamp": "2026-11-29T11:41:00Z"}
    if result:
        smtp["result"] = result
    if h["error"]:
        smtp["error"] = h["error"]
    zgrab.append({"ip": h["address"], "domain": "", "data": {"smtp": smtp}})

    n = json.loads(json.dumps(h))
    n["as_name"] = None
    n["ehlo_tls"] = ""
    native_hosts.append(n)

    if h["status"] == "success":
        st = {"banner": crlf(h["banner"]), "ehlo": crlf(h["ehlo"])}
        if h["starttls_accepted"]:
            st["starttls"] = "220 2.0.0 Ready to start TLS\r\n"
        c = json.loads(json.dumps(h))
        c["ehlo_tls"] = ""
        if t:
            leaf = t["leaf"]
            names = ([leaf["cn"]] if leaf["cn"] else []) + [s for s in leaf["sans"] if s != leaf["cn"]]
            st["tls"] = {"version": t["version"], "cipher_suite": {"name": t["cipher"]},
                         "certificate": {"parsed": {"names": names,
                                                    "subject": {"common_name": [leaf["cn"]] if leaf["cn"] else []},
                                                    "fingerprint_sha256": leaf["sha256"]}},
                         "validation": {"browser_trusted": t["trusted"]}}
            c["tls"]["chain"] = []
            c["tls"]["leaf"]["sans"] = names
        rec = {"ip": h["address"], "smtp": {"starttls": st}}
        if h["asn"] is not None:
            rec["autonomous_system"] = {"asn": h["asn"], "name": h["as_name"]}
        censys.append(rec)
        native_censys.append(c)

os.makedirs(os.path.join(HERE, "native"), exist_ok=True)
dump("zdns.jsonl", zdns)
dump("zgrab2.jsonl", zgrab)
dump("censys.jsonl", censys)
dump("native/domains.jsonl", native_domains)
dump("native/hosts.jsonl", native_hosts)
dump("native/hosts_censys.jsonl", native_censys)
with open(os.path.join(HERE, "pfx2as.txt"), "w") as f:
    f.write("\n".join(pfx2as) + "\n")
