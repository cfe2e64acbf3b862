"""The lab's signals beyond the MX record (docs/lab.md, "Signals"): SPF records with their
include targets (lab copies of the big providers' include names with realistic records),
MTA-STS, TLS-RPT and DMARC TXT records, TLSA records, the policy hosts mta-sts.<domain>,
and what the scanner must report for each (the ground truth's "signals" and "mailbox").

Every expectation below is written by hand from RFC 7208/8461/8460/7489 (never computed by
the scanner's code). lab_scenario.py adds the zone lines and the truth; the domains are
cases it already has, so the lab's domain count does not change.
"""

# Lab copies of provider include names, records as the providers publish them.
PROVIDER_SPF = {
    "spf.protection.outlook.com": [
        "v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/14 ip4:104.47.0.0/17 "
        "ip6:2a01:111:f400::/48 ip6:2a01:111:f403::/49 ip6:2a01:111:f403:8000::/51 "
        "ip6:2a01:111:f403:c000::/51 ip6:2a01:111:f403:f000::/52 -all"],
    "_spf.google.com": [
        "v=spf1 include:_netblocks.google.com include:_netblocks2.google.com "
        "include:_netblocks3.google.com ~all"],
    "_netblocks.google.com": [
        "v=spf1 ip4:35.190.247.0/24 ip4:64.233.160.0/19 ip4:66.102.0.0/20 ip4:66.249.80.0/20 "
        "ip4:72.14.192.0/18 ip4:74.125.0.0/16 ip4:108.177.8.0/21 ip4:173.194.0.0/16 "
        "ip4:209.85.128.0/17 ip4:216.58.192.0/19 ip4:216.239.32.0/19 ~all"],
    "_netblocks2.google.com": [
        "v=spf1 ip6:2001:4860:4000::/36 ip6:2404:6800:4000::/36 ip6:2607:f8b0:4000::/36 "
        "ip6:2800:3f0:4000::/36 ip6:2a00:1450:4000::/36 ip6:2c0f:fb50:4000::/36 ~all"],
    "_netblocks3.google.com": [
        "v=spf1 ip4:172.217.0.0/19 ip4:172.217.32.0/20 ip4:172.217.128.0/19 "
        "ip4:172.217.160.0/20 ip4:172.217.192.0/19 ip4:172.253.56.0/21 ip4:172.253.112.0/20 "
        "ip4:108.177.96.0/19 ip4:35.191.0.0/16 ip4:130.211.0.0/22 ~all"],
}
GOOGLE_REACHED = ["_spf.google.com", "_netblocks.google.com", "_netblocks2.google.com",
                  "_netblocks3.google.com"]
OUTLOOK = "spf.protection.outlook.com"

# A record longer than the 1232-byte EDNS payload c-ares offers: NSD answers TC over UDP
# and the scanner must read it over TCP.
LONG_SPF = ("v=spf1 " + " ".join(f"ip4:198.51.100.{i}/32" for i in range(60))
            + " include:spf.protection.outlook.com -all")

CHAIN = [f"c{i}.chain-spf-lab.net" for i in range(1, 13)]

# Policy hosts mta-sts.<domain> in 127.120.0.0/24, one address each; the web server that
# serves them (HTTPS with the lab PKI) shows the behaviour named here.
MTA_STS_HOSTS = [
    ("netflix-lab.com", "127.120.0.1", "good"),
    ("utexas-lab.edu", "127.120.0.2", "bad_certificate"),
    ("gsipartners-lab.com", "127.120.0.3", "redirect"),
    ("beats24-7-lab.com", "127.120.0.4", "too_large"),
    ("jeniustoto-lab.net", "127.120.0.5", "slow"),
    ("pp-essentials-customer-lab.com", "127.120.0.6", "good"),
    ("mimecast-customer-lab.com", "127.120.0.7", "good"),
]

# TLSA records at _25._tcp.<exchange> (the data need not match the certificate: the
# scanner reports, it does not validate).
TLSA = {
    "mail.postfix-lab.org": [(3, 1, 1, "8cb0fc6c527506a053f4f14c8464bebbd6dede2738d11468dd953d7d6a3021f1")],
    "inbound.mail.utexas-lab.edu": [
        (2, 0, 1, "0b9fa5a59eed715c26c1020c711b4f6ec42d58b0015e14337a39dad301c5afc3"),
        (3, 1, 1, "d2abde240d7cd3ee6b4b28c54df034b97983a1d16e8a410e4561cb106618e971")],
}


def spf(result, reached=(), error=None, record=None, lookups=None):
    out = {"result": result, "reached": list(reached)}
    if error is not None:
        out["error"] = error
    if lookups is not None:
        out["lookups"] = lookups
    if record is not None:
        out["record"] = record
    return out


# domain -> (TXT records by owner, expected signals, mailbox company for gateway domains)
DOMAINS = {
    # Gateways with the mailbox provider in SPF.
    "pp-essentials-customer-lab.com": dict(
        txt={"@": ["v=spf1 include:spf.protection.outlook.com -all"],
             "_dmarc": ["v=DMARC1; p=quarantine; rua=mailto:dmarc_rua@emaildefense.proofpoint.com"],
             "_mta-sts": ["v=STSv1; id=20261201T000000"],
             "_smtp._tls": ["v=TLSRPTv1; rua=mailto:tlsrpt@pp-essentials-customer-lab.com"]},
        spf=spf("ok", [OUTLOOK], lookups=1), mailbox="Microsoft"),
    "mimecast-customer-lab.com": dict(
        txt={"@": ["v=spf1 include:_spf.google.com ~all"],
             "_dmarc": ["v=DMARC1; p=none; rua=mailto:x@rua.agari.com; ruf=mailto:f@ruf.agari.com"],
             "_mta-sts": ["v=STSv1; id=mimecast2026"]},
        spf=spf("ok", GOOGLE_REACHED, lookups=4), mailbox="Google"),
    "barracuda-customer-lab.com": dict(
        txt={"@": ["v=spf1 include:spf.protection.outlook.com ~all"],
             "_dmarc": ["v=DMARC1; p=reject; rua=mailto:x@ag.dmarcian.com"]},
        spf=spf("ok", [OUTLOOK], lookups=1), mailbox="Microsoft"),
    "symantec-customer-lab.com": dict(
        txt={"@": ["v=spf1 ip4:192.0.2.0/24 include:_spf.google.com -all"]},
        spf=spf("ok", GOOGLE_REACHED, lookups=4), mailbox="Google"),
    # A macro include is counted, not followed.
    "pp-customer.com": dict(
        txt={"@": ["v=spf1 include:%{i}._spf.pphosted.com include:spf.protection.outlook.com -all"]},
        spf=spf("ok", [OUTLOOK], lookups=2), mailbox="Microsoft"),
    # Nested includes, MTA-STS, TLS-RPT, DMARC with a vendor.
    "netflix-lab.com": dict(
        txt={"@": ["v=spf1 include:_spf.google.com include:spf-a.netflix-lab.com a mx -all",
                   "google-site-verification=lab"],
             "spf-a": ["v=spf1 include:spf-b.netflix-lab.com ip4:192.0.2.1 -all"],
             "spf-b": ["v=spf1 ip4:192.0.2.2 -all"],
             "_dmarc": ["v=DMARC1; p=reject; rua=mailto:x@ag.dmarcian.com"],
             "_mta-sts": ["v=STSv1; id=netflix20261207"],
             "_smtp._tls": ["v=TLSRPTv1; rua=mailto:tls@netflix-lab.com,https://tlsrpt.netflix-lab.com/v1"]},
        spf=spf("ok", GOOGLE_REACHED + ["spf-a.netflix-lab.com", "spf-b.netflix-lab.com"],
                lookups=8)),
    "utexas-lab.edu": dict(
        txt={"@": ["V=SPF1 include:_spf.google.com ~all"],  # the version tag in any case
             "_mta-sts": ["v=STSv1; id=utexas1"]},
        spf=spf("ok", GOOGLE_REACHED, lookups=4)),
    "gsipartners-lab.com": dict(txt={"_mta-sts": ["v=STSv1; id=gsi1"]}, spf=spf("none")),
    "beats24-7-lab.com": dict(txt={"_mta-sts": ["v=STSv1; id=beats1"]}, spf=spf("none")),
    "jeniustoto-lab.net": dict(txt={"_mta-sts": ["v=STSv1; id=jenius1"]}, spf=spf("none")),
    # Error cases.
    "split-lab.com": dict(
        txt={"@": ["v=spf1 include:loop1.split-lab.com -all"],
             "loop1": ["v=spf1 include:loop2.split-lab.com -all"],
             "loop2": ["v=spf1 include:loop1.split-lab.com -all"]},
        spf=spf("permerror", ["loop1.split-lab.com", "loop2.split-lab.com"],
                error="include loop at loop1.split-lab.com")),
    "contoso-lab.com": dict(
        txt={"@": ["v=spf1 include:c1.chain-spf-lab.net -all"]},
        spf=spf("permerror", CHAIN[:10], error="more than 10 DNS-querying terms", lookups=11)),
    "backup-lab.com": dict(
        txt={"@": ["v=spf1 mx -all", "v=spf1 include:spf.protection.outlook.com -all"]},
        spf=spf("permerror", error="two SPF records", record="")),
    "disagree-lab.com": dict(
        txt={"@": ["v=spf1 mx foo:bar.example -all"]},
        spf=spf("permerror", error="syntax: foo:bar.example")),
    "lodi-lab.gov": dict(
        txt={"@": [LONG_SPF], "_dmarc": ["v=DMARC1; p=none"]},
        spf=spf("ok", [OUTLOOK], lookups=1, record=LONG_SPF)),
    "partial-tls-lab.com": dict(
        txt={"@": ["v=spf1 exists:v1.void-spf-lab.net exists:v2.void-spf-lab.net "
                   "exists:v3.void-spf-lab.net -all"]},
        spf=spf("permerror", error="more than 2 void lookups", lookups=3)),
    "shop-lab.co.uk": dict(
        txt={"@": ["v=spf1 redirect=_spf.shop-lab.co.uk"],
             "_spf": ["v=spf1 include:spf.protection.outlook.com -all"]},
        spf=spf("ok", ["_spf.shop-lab.co.uk", OUTLOOK], lookups=2)),
    "tanaka-lab.co.jp": dict(
        txt={"@": ["v=spf1 include:nospf.tanaka-lab.co.jp -all"]},
        spf=spf("permerror", ["nospf.tanaka-lab.co.jp"],
                error="nospf.tanaka-lab.co.jp: no SPF record")),
    "app-lab.com": dict(
        txt={"@": ["v=spf1 include:_spf.servfail-lab.net -all"]},
        spf=spf("temperror", ["_spf.servfail-lab.net"], error="_spf.servfail-lab.net: servfail")),
}


def txt_rdata(text):
    """A TXT record's data in zone-file form: character-strings of at most 255 bytes."""
    parts = [text[i:i + 255] for i in range(0, len(text), 255)] or [""]
    return " ".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in parts)


def zone_lines():
    lines = []
    for name, records in PROVIDER_SPF.items():
        lines += [f"{name}. TXT {txt_rdata(r)}" for r in records]
    for i, name in enumerate(CHAIN):
        nxt = CHAIN[i + 1] if i + 1 < len(CHAIN) else None
        rec = f"v=spf1 include:{nxt} -all" if nxt else "v=spf1 -all"
        lines.append(f"{name}. TXT {txt_rdata(rec)}")
    for domain, d in DOMAINS.items():
        for owner, records in d["txt"].items():
            name = domain if owner == "@" else f"{owner}.{domain}"
            lines += [f"{name}. TXT {txt_rdata(r)}" for r in records]
    for domain, address, _ in MTA_STS_HOSTS:
        lines.append(f"mta-sts.{domain}. A {address}")
    for exchange, records in TLSA.items():
        for u, s, m, data in records:
            lines.append(f"_25._tcp.{exchange}. TLSA {u} {s} {m} {data}")
    return lines


def _tag_record(domain, owner, version):
    for r in DOMAINS.get(domain, {}).get("txt", {}).get(owner, []):
        if r.split(";")[0].strip() == f"v={version}":
            return r
    return None


def _uris(record, tag):
    for part in (record or "").split(";"):
        k, _, v = part.partition("=")
        if k.strip() == tag:
            return [u.strip() for u in v.split(",") if u.strip()]
    return []


def truth(domain, status):
    """The truth's "signals" (and "mailbox") for one domain with this expected status."""
    if status == "invalid":
        return {"signals": {"collected": False}}
    d = DOMAINS.get(domain, {})
    if status == "dns_error":  # its zone answers SERVFAIL to everything
        s = spf("temperror", error=f"{domain}: servfail")
    elif status == "nxdomain":
        s = spf("none")
    else:
        s = dict(d.get("spf") or spf("none"))
    if "record" not in s:
        own = [r for r in d.get("txt", {}).get("@", []) if r.lower().startswith("v=spf1")]
        s["record"] = own[0] if len(own) == 1 else ""
    dmarc = _tag_record(domain, "_dmarc", "DMARC1")
    mta = _tag_record(domain, "_mta-sts", "STSv1")
    rpt = _tag_record(domain, "_smtp._tls", "TLSRPTv1")
    sig = {
        "collected": True,
        "spf": s,
        "dmarc": {"record": dmarc or "", "policy": (_uris(dmarc, "p") or [""])[0],
                  "rua": _uris(dmarc, "rua"), "ruf": _uris(dmarc, "ruf")},
        "mta_sts": {"record": mta or "", "id": (_uris(mta, "id") or [""])[0]},
        "tls_rpt": {"record": rpt or "", "rua": _uris(rpt, "rua")},
        "tlsa": {x: [{"usage": u, "selector": s_, "matching_type": m, "data": h}
                     for u, s_, m, h in recs] for x, recs in TLSA.items()},
    }
    out = {"signals": sig}
    if d.get("mailbox"):
        out["mailbox"] = d["mailbox"]
    return out
