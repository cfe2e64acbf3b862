#!/usr/bin/env python3
"""Regenerates the bundled observation sample (domains.jsonl, hosts.jsonl).

The sample is a small, realistic scan result: domains on Google, Microsoft,
Cisco IronPort and ProofPoint (by name and by AS only), GoDaddy dedicated and
customer VPS, an OVH VPS, self-hosted servers, no MX, null MX, NXDOMAIN,
SERVFAIL, no SMTP answer, a blocked address and an invalid name. Certificates
are real DER made here with openssl under a throw-away "mxscan sample" CA (so
their names are only labels: "trusted" is what a scanner would have recorded).
The lines use the exact form mxscan's writer emits (a Catch2 test reads and
rewrites them byte for byte). Run from anywhere; needs python3 and openssl.
"""
import base64
import datetime
import hashlib
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def run(*args, cwd):
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def der_of(pem_path):
    with open(pem_path, "rb") as f:
        pem = f.read().decode()
    body = "".join(l for l in pem.splitlines() if l and not l.startswith("-----"))
    return base64.b64decode(body)


def dates_of(pem_path, cwd):
    out = subprocess.run(["openssl", "x509", "-in", pem_path, "-noout", "-startdate", "-enddate"],
                         cwd=cwd, check=True, capture_output=True, text=True).stdout
    vals = dict(l.split("=", 1) for l in out.strip().splitlines())
    fmt = "%b %d %H:%M:%S %Y GMT"
    iso = lambda s: datetime.datetime.strptime(" ".join(s.split()), fmt).strftime("%Y-%m-%dT%H:%M:%SZ")
    return iso(vals["notBefore"]), iso(vals["notAfter"])


class Pki:
    def __init__(self, tmp):
        self.tmp = tmp
        self.n = 0
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "root.key", "-out", "root.pem", "-days", "3650", "-subj", "/O=mxscan sample/CN=mxscan sample root",
            cwd=tmp)
        with open(os.path.join(tmp, "ca.ext"), "w") as f:
            f.write("basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n")
        run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
            "-out", "ca.csr", "-subj", "/O=mxscan sample/CN=mxscan sample CA R1", cwd=tmp)
        run("openssl", "x509", "-req", "-in", "ca.csr", "-CA", "root.pem", "-CAkey", "root.key", "-CAcreateserial",
            "-out", "ca.pem", "-days", "1825", "-extfile", "ca.ext", cwd=tmp)
        self.ca_der = der_of(os.path.join(tmp, "ca.pem"))

    def leaf(self, cn, sans, self_signed=False):
        """Returns (chain_der list, leaf dict)."""
        self.n += 1
        name = f"leaf{self.n}"
        subj = f"/CN={cn}" if cn else "/O=mxscan sample"
        ext = os.path.join(self.tmp, f"{name}.ext")
        with open(ext, "w") as f:
            if sans:
                f.write("subjectAltName=" + ",".join("DNS:" + s for s in sans) + "\n")
            f.write("extendedKeyUsage=serverAuth\n")
        if self_signed:
            run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "3650", "-subj", subj,
                *( ["-addext", "subjectAltName=" + ",".join("DNS:" + s for s in sans)] if sans else []),
                cwd=self.tmp)
        else:
            run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subj, cwd=self.tmp)
            run("openssl", "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", f"{name}.pem", "-days", "90", "-extfile", ext, cwd=self.tmp)
        der = der_of(os.path.join(self.tmp, f"{name}.pem"))
        nb, na = dates_of(f"{name}.pem", self.tmp)
        leaf = {"cn": cn or None, "sans": sans, "sha256": hashlib.sha256(der).hexdigest(),
                "not_before": nb, "not_after": na}
        return ([der] if self_signed else [der, self.ca_der]), leaf


def tls(pki, version, cipher, cn, sans, trusted=True, self_signed=False, verify_error=None):
    chain, leaf = pki.leaf(cn, sans, self_signed)
    return {"version": version, "cipher": cipher,
            "chain": [base64.b64encode(c).decode() for c in chain],
            "leaf": leaf, "trusted": trusted, "verify_error": verify_error, "chain_truncated": False}


EHLO_GOOGLE = ("250-mx.google.com at your service, [192.0.2.10]\n250-SIZE 157286400\n250-8BITMIME\n"
               "250-STARTTLS\n250-ENHANCEDSTATUSCODES\n250-PIPELINING\n250-CHUNKING\n250 SMTPUTF8")
EHLO_MS = ("250-AM4PEPF00027A6C.mail.protection.outlook.com Hello [192.0.2.10]\n250-SIZE 157286400\n"
           "250-PIPELINING\n250-DSN\n250-ENHANCEDSTATUSCODES\n250-STARTTLS\n250-8BITMIME\n250-BINARYMIME\n"
           "250-CHUNKING\n250 SMTPUTF8")


def ehlo_tls(ehlo):
    return "\n".join(l for l in ehlo.split("\n") if "STARTTLS" not in l)


def host(address, asn, as_name, banner, ehlo, tls_obs=None, offered=None, status="success", phase="done",
         error=None, duration=None):
    offered = (tls_obs is not None) if offered is None else offered
    return {"schema": "mxscan/host/1", "address": address, "port": 25, "asn": asn, "as_name": as_name,
            "status": status, "phase": phase, "banner": banner, "ehlo": ehlo,
            "ehlo_tls": ehlo_tls(ehlo) if tls_obs else "",
            "starttls_offered": offered, "starttls_accepted": tls_obs is not None,
            "plaintext_after_starttls": 0, "tls": tls_obs, "error": error, "duration_ms": duration}


def mx(exchange, preference, addresses, addr_status="ok", cnames=()):
    return {"exchange": exchange, "preference": preference, "addr_status": addr_status,
            "cnames": list(cnames), "addresses": addresses}


def main():
    with tempfile.TemporaryDirectory() as tmp:
        pki = Pki(tmp)
        T13, C13 = "TLSv1.3", "TLS_AES_256_GCM_SHA384"
        T12, C12 = "TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384"
        google_tls = lambda: tls(pki, T13, C13, "mx.google.com",
                                 ["mx.google.com", "smtp.google.com", "aspmx.l.google.com",
                                  "alt1.aspmx.l.google.com", "*.aspmx.l.google.com",
                                  "gmail-smtp-in.l.google.com", "alt1.gmail-smtp-in.l.google.com"])
        ms_tls = tls(pki, T12, C12, "mail.protection.outlook.com",
                     ["mail.protection.outlook.com", "*.mail.protection.outlook.com",
                      "*.mail.eo.outlook.com", "*.olc.protection.outlook.com"])
        g_banner = "220 mx.google.com ESMTP d9443c01a7336-2a1f3f0e1c5si1234567wmj.12 - gsmtp"
        ms_banner = ("220 AM4PEPF00027A6C.mail.protection.outlook.com Microsoft ESMTP MAIL Service ready at "
                     "Sun, 29 Nov 2026 11:02:17 +0000 [08DE2F1C3A5B7D90]")
        iphmx_tls = tls(pki, T12, "ECDHE-RSA-AES128-GCM-SHA256", "*.iphmx.com", ["*.iphmx.com", "iphmx.com"])
        pp_tls = tls(pki, T12, C12, "*.pphosted.com", ["*.pphosted.com", "pphosted.com"])
        hosts = [
            host("142.250.102.27", 15169, "GOOGLE", g_banner, EHLO_GOOGLE, google_tls(), duration=212.4),
            host("2a00:1450:4013:c00::1b", 15169, "GOOGLE", g_banner.replace("wmj.12", "wmj.13"),
                 EHLO_GOOGLE, google_tls(), duration=198.7),
            host("142.250.153.26", 15169, "GOOGLE", g_banner.replace("wmj.12", "wmj.44"), EHLO_GOOGLE,
                 google_tls(), duration=230.1),
            host("142.250.179.179", 15169, "GOOGLE", "", "", status="connect-timeout", phase="connect",
                 error="no answer to SYN within 10000 ms", duration=10000.5),
            host("52.101.68.2", 8075, "MICROSOFT-CORP-MSN-AS-BLOCK", ms_banner, EHLO_MS, ms_tls, duration=341.9),
            host("52.101.73.20", 8075, "MICROSOFT-CORP-MSN-AS-BLOCK", ms_banner.replace("6C.", "7E."),
                 EHLO_MS.replace("6C.", "7E."), ms_tls, duration=355.2),
            host("68.232.138.7", 30238, "IRONPORT-SYSTEMS-INC", "220 inbound.mail.utexas.edu ESMTP",
                 "250-inbound.mail.utexas.edu\n250-8BITMIME\n250-SIZE 52428800\n250 STARTTLS",
                 tls(pki, T12, C12, "inbound.mail.utexas.edu", ["inbound.mail.utexas.edu"]), duration=95.3),
            host("68.232.129.30", 16417, "IRONPORT-SYSTEMS-INC", "220 mx1.lodi.iphmx.com ESMTP",
                 "250-mx1.lodi.iphmx.com\n250-8BITMIME\n250-SIZE 20971520\n250 STARTTLS", iphmx_tls, duration=88.5),
            host("68.232.129.31", 16417, "IRONPORT-SYSTEMS-INC", "220 mx2.lodi.iphmx.com ESMTP",
                 "250-mx2.lodi.iphmx.com\n250-8BITMIME\n250-SIZE 20971520\n250 STARTTLS", iphmx_tls, duration=90.5),
            host("148.163.152.5", 26211, "PROOFPOINT-ASN-US-WEST", "220 mx0a-00123401.pphosted.com ESMTP mfa-m0214090",
                 "250-mx0a-00123401.pphosted.com Hello [192.0.2.10], pleased to meet you\n250-ENHANCEDSTATUSCODES\n"
                 "250-PIPELINING\n250-8BITMIME\n250-SIZE 52428800\n250 STARTTLS", pp_tls, duration=120.25),
            host("148.163.156.5", 22843, "PROOFPOINT-ASN-US-EAST", "220 mx0b-00123401.pphosted.com ESMTP mfa-m0214091",
                 "250-mx0b-00123401.pphosted.com Hello [192.0.2.10], pleased to meet you\n250-ENHANCEDSTATUSCODES\n"
                 "250-PIPELINING\n250-8BITMIME\n250-SIZE 52428800\n250 STARTTLS", pp_tls, duration=131.75),
            host("67.231.149.20", 26211, "PROOFPOINT-ASN-US-WEST", "220 mail.bigcorp-example.com ESMTP",
                 "250-mail.bigcorp-example.com\n250-8BITMIME\n250 SIZE 52428800", duration=102.5),
            host("68.178.213.37", 26496, "AS-26496-GO-DADDY-COM-LLC",
                 "220 p3plibsmtp02-07.prod.phx3.secureserver.net bizsmtp ESMTP server ready",
                 "250-p3plibsmtp02-07.prod.phx3.secureserver.net hello [192.0.2.10], secureserver.net\n"
                 "250-HELP\n250-SIZE 30000000\n250-PIPELINING\n250-8BITMIME\n250 OK", duration=150.5),
            host("132.148.130.121", 26496, "AS-26496-GO-DADDY-COM-LLC",
                 "220-s132-148-130-121.secureserver.net ESMTP Exim 4.96.2 #2 Sun, 29 Nov 2026 04:02:17 -0700 \n"
                 "220-We do not authorize the use of this system to transport unsolicited, \n220 and/or bulk e-mail.",
                 "250-s132-148-130-121.secureserver.net Hello [192.0.2.10]\n250-SIZE 52428800\n250-8BITMIME\n"
                 "250-PIPELINING\n250-STARTTLS\n250 HELP",
                 tls(pki, T13, C13, "s132-148-130-121.secureserver.net", ["s132-148-130-121.secureserver.net"],
                     trusted=False, self_signed=True, verify_error="self-signed certificate"), duration=410.5),
            host("51.75.10.20", 16276, "OVH SAS", "220 vps797297.ovh.net ESMTP Postfix (Debian/GNU)",
                 "250-vps797297.ovh.net\n250-PIPELINING\n250-SIZE 10240000\n250-STARTTLS\n250-8BITMIME\n250 SMTPUTF8",
                 tls(pki, T13, C13, "vps797297.ovh.net", ["vps797297.ovh.net"]), duration=61.5),
            host("198.51.100.25", 3320, "DTAG Internet service provider operations",
                 "220 mail.selfhosted-example.de ESMTP Postfix (Debian/GNU)",
                 "250-mail.selfhosted-example.de\n250-PIPELINING\n250-SIZE 52428800\n250-STARTTLS\n250 8BITMIME",
                 tls(pki, T13, C13, "mail.selfhosted-example.de", ["mail.selfhosted-example.de"]), duration=45.5),
            host("203.0.113.7", 7922, "COMCAST-7922", "220 ip-4-5-6-7 ESMTP Sendmail 8.15.2/8.15.2; ready",
                 "250-ip-4-5-6-7 Hello [192.0.2.10], pleased to meet you\n250 HELP", duration=77.25),
            host("198.51.100.80", None, None,
                 "220 mail.smallbiz-example.net Microsoft ESMTP MAIL Service ready at Sun, 29 Nov 2026 12:02:17 +0100",
                 "250-mail.smallbiz-example.net Hello [192.0.2.10]\n250-SIZE 37748736\n250-STARTTLS\n250 CHUNKING",
                 tls(pki, T12, "ECDHE-RSA-AES256-SHA384", "EXCH01", [], trusted=False, self_signed=True,
                     verify_error="self-signed certificate"), duration=180.5),
            host("198.51.100.90", 24940, "Hetzner Online GmbH", "220 mail.split-example.com ESMTP Exim 4.97",
                 "250-mail.split-example.com Hello [192.0.2.10]\n250-SIZE 52428800\n250 HELP", duration=66.5),
            host("35.214.157.8", 15169, "GOOGLE",
                 "220-se26.mailspamprotection.com ESMTP Exim 4.96 #2 Sun, 29 Nov 2026 11:02:17 +0000 \n"
                 "220-We do not authorize the use of this system to transport unsolicited, \n220 and/or bulk e-mail.",
                 "250-se26.mailspamprotection.com Hello [192.0.2.10]\n250-SIZE 52428800\n250-STARTTLS\n250 HELP",
                 tls(pki, T13, C13, "*.mailspamprotection.com", ["*.mailspamprotection.com", "mailspamprotection.com"]),
                 duration=140.5),
            host("192.0.2.99", None, None, "", "", status="blocked", phase="none",
                 error="address on the blocklist (configs/blocklist.txt:12)", duration=0.5),
        ]
        G = ["142.250.102.27", "2a00:1450:4013:c00::1b"]
        domains_spec = [
            ("netflix.com", "ok", [mx("aspmx.l.google.com", 1, G), mx("alt1.aspmx.l.google.com", 5, ["142.250.153.26"])], None),
            ("gsipartners.com", "ok", [mx("mailhost.gsipartners.com", 10, ["142.250.102.27"])], None),
            ("bakery-example.com", "ok", [mx("aspmx.l.google.com", 1, G), mx("alt1.aspmx.l.google.com", 5, ["142.250.153.26"])], None),
            ("lawfirm-example.co.uk", "ok", [mx("aspmx.l.google.com", 1, G)], None),
            ("studio-example.io", "ok", [mx("aspmx.l.google.com", 1, G)], None),
            ("ngo-example.org", "ok", [mx("aspmx.l.google.com", 1, G)], None),
            ("xn--mnchen-3ya.de", "ok", [mx("aspmx.l.google.com", 1, G)], None),
            ("contoso-example.com", "ok", [mx("contoso-example-com.mail.protection.outlook.com", 0, ["52.101.68.2", "52.101.73.20"])], None),
            ("fabrikam-example.org", "ok", [mx("fabrikam-example-org.mail.protection.outlook.com", 0, ["52.101.68.2"])], None),
            ("utexas.edu", "ok", [mx("inbound.utexas.edu", 10, ["68.232.138.7"])], None),
            ("lodi.gov", "ok", [mx("mx1.lodi.iphmx.com", 10, ["68.232.129.30"]), mx("mx2.lodi.iphmx.com", 10, ["68.232.129.31"])], None),
            ("acme-widgets.com", "ok", [mx("mx0a-00123401.pphosted.com", 10, ["148.163.152.5"]), mx("mx0b-00123401.pphosted.com", 10, ["148.163.156.5"])], None),
            ("bigcorp-example.com", "ok", [mx("mail.bigcorp-example.com", 10, ["67.231.149.20"])], None),
            ("flowershop-example.com", "ok", [mx("mailstore1.secureserver.net", 10, ["68.178.213.37"]), mx("smtp.secureserver.net", 0, ["68.178.213.37"])], None),
            ("summitorganization.org", "ok", [mx("mail.summitorganization.org", 0, ["132.148.130.121"])], None),
            ("myshop-example.fr", "ok", [mx("mail.myshop-example.fr", 10, ["51.75.10.20"], cnames=["vps797297.ovh.net"])], None),
            ("selfhosted-example.de", "ok", [mx("mail.selfhosted-example.de", 10, ["198.51.100.25"])], None),
            ("selfhosted.com", "ok", [mx("mx.selfhosted.com", 10, ["203.0.113.7"])], None),
            ("smallbiz-example.net", "ok", [mx("mail.smallbiz-example.net", 10, ["198.51.100.80"])], None),
            ("split-example.com", "ok", [mx("aspmx.l.google.com", 10, G), mx("mail.split-example.com", 10, ["198.51.100.90"])], None),
            ("beats24-7.com", "ok", [mx("mx10.mailspamprotection.com", 10, ["35.214.157.8"]), mx("mx20.mailspamprotection.com", 20, ["35.214.157.8"])], None),
            ("nomail-example.com", "nodata", [], None),
            ("example.com", "null_mx", [], None),
            ("no-such-domain-xyz123.com", "nxdomain", [], "NXDOMAIN"),
            ("broken-dns-example.net", "servfail", [], "SERVFAIL after 3 tries"),
            ("jeniustoto.net", "ok", [mx("ghs.google.com", 10, ["142.250.179.179"])], None),
            ("dangling-example.com", "ok", [mx("mail.dangling-example.com", 10, [], addr_status="nxdomain")], None),
            ("blocked-example.com", "ok", [mx("mx.blocked-example.net", 10, ["192.0.2.99"])], None),
            ("bad_name!.com", "invalid_name", [], "not a valid host name: character '!'"),
        ]
        domains = []
        for i, (name, status, mxs, error) in enumerate(domains_spec, start=1):
            mxs = sorted(mxs, key=lambda m: (m["preference"], m["exchange"]))
            domains.append({"schema": "mxscan/domain/1", "domain": name, "line": i, "mx_status": status,
                            "mx_capped": False, "cnames": [], "mx": mxs, "error": error})

    dump = lambda rec: json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n"
    with open(os.path.join(HERE, "domains.jsonl"), "w") as f:
        f.writelines(dump(d) for d in domains)
    with open(os.path.join(HERE, "hosts.jsonl"), "w") as f:
        f.writelines(dump(h) for h in hosts)
    print(f"wrote {len(domains)} domains and {len(hosts)} hosts to {HERE}", file=sys.stderr)


if __name__ == "__main__":
    main()
