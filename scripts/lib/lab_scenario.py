#!/usr/bin/env python3
"""Writes a lab scenario: DNS zone, PKI requests, Postfix and persona configurations, ASN
tables, the scanner's input list and the ground truth (what mxscan must infer).

    lab_scenario.py --out DIR --smtp-port P --postfix-port Q --pki-dir PKI
                    [--scenario standard|scale|bypass] [--domains N] [--seed S]

Every case is declared once, in CASES below or by the scale generator, with the data the
servers will show and the expected result written by hand from docs/method.md (never
computed by an implementation of the method). docs/lab.md explains how to add a case.

Outputs (in DIR): root.zone, servfail.zones (names of zones NSD serves without data, so
that it answers SERVFAIL), pki.tsv, postfix.tsv, personas.toml, asn.tsv, pfx2as.txt,
domains.txt, ground_truth.jsonl, faults.tsv, blocked.txt, summary.json.

Address plan (everything in 127.0.0.0/8; the scanner allows 127.0.0.0/9 only, so
127.255.0.0/16 stays blocked and is where the "blocked" case points):
  127.15.169.0/24 Google (AS15169)        127.15.170.0/24 Google Cloud customers (AS15169)
  127.30.238.0/24 Cisco IronPort (AS30238) 127.22.84.0/24 ProofPoint (AS22843)
  127.26.49.0/24  GoDaddy (AS26496)        127.20.77.0/24 Host Europe, GoDaddy (AS20773)
  127.80.75.0/24  Microsoft (AS8075)       127.16.27.0/24 OVH (AS16276)
  127.46.60.0/24  EIG (AS46606)            127.64.0.0/16  self-hosted (AS64500)
  127.65.0.0/16   fault personas (AS64501): certificates in 127.65.1.0/24, each fault in
                  a /24 of its own (127.65.11.1 ...), since scanners cap sessions per /24
  127.99.0.0/16   no ASN known
  127.110.0.0/16  real-convention customers (lab_real_customers.toml): entry N on 127.110.N.1,
                  its /24 in the company's real AS
  127.40.0.0/13   scale: bulk provider blocks, 127.100.0.0/14 scale: self-hosted tail;
                  consecutive addresses go to different /24s (the /24 varies fastest), so
                  per-/24 caps see realistic spreads
  127.200.0.0/24  bypass scenario: blocklist bypass canaries (outside the allowed range)
  127.255.0.0/16  blocked (outside the allowed range)
"""
import argparse
import json
import os
import random
import sys
import tomllib

import lab_signals

ALLOWED = "127.0.0.0/9"

# ASN table: (prefix, length, asn, organisation, pfx2as origin field)
ASNS = [
    ("127.15.169.0", 24, 15169, "GOOGLE", "15169"),
    ("127.15.170.0", 24, 15169, "GOOGLE", "15169"),
    ("127.30.238.0", 24, 30238, "IRONPORT-SYSTEMS-INC", "30238"),
    # A multi-origin pfx2as entry: the first AS is the one that counts (both are ProofPoint's).
    ("127.22.84.0", 24, 22843, "PROOFPOINT-ASN-US-WEST", "22843_26211"),
    ("127.26.49.0", 24, 26496, "AS-26496-GO-DADDY-COM-LLC", "26496"),
    ("127.20.77.0", 24, 20773, "HOSTEUROPE-AS", "20773"),
    ("127.80.75.0", 24, 8075, "MICROSOFT-CORP-MSN-AS-BLOCK", "8075"),
    ("127.16.27.0", 24, 16276, "OVH", "16276"),
    ("127.46.60.0", 24, 46606, "UNIFIEDLAYER-AS-1", "46606"),
    ("127.64.0.0", 16, 64500, "LAB-SELF-HOSTED", "64500"),
    ("127.65.0.0", 16, 64501, "LAB-FAULTS", "64501"),
    ("127.255.0.0", 16, 64502, "LAB-BLOCKED", "64502"),
]

# ---------------------------------------------------------------------------------------
# Personas of the standard scenario. kind "persona": the project's persona server;
# kind "postfix": a real Postfix smtpd (reached through the persona server's relay).
# cert: name of a PKI request (see PKI below) or None.
PKI = [
    # name, kind, CN, SANs
    ("google-mx", "trusted", "mx.google.com", "mx.google.com"),
    ("siteground", "trusted", "*.mailspamprotection.com", "*.mailspamprotection.com"),
    ("utexas", "trusted", "inbound.mail.utexas-lab.edu", "inbound.mail.utexas-lab.edu"),
    ("hosteurope-mx1", "trusted", "mx1.hosteurope.de", "mx1.hosteurope.de,mx2.hosteurope.de"),
    ("hosteurope-mx2", "trusted", "mx2.hosteurope.de", "mx2.hosteurope.de,mx1.hosteurope.de"),
    ("myvps", "trusted", "lvps87-230-14-18.dedicated.hosteurope.de",
     "lvps87-230-14-18.dedicated.hosteurope.de"),
    ("outlook", "trusted", "mail.protection.outlook.com",
     "mail.protection.outlook.com,*.mail.protection.outlook.com,outlook.com"),
    ("postfix-lab", "trusted", "mail.postfix-lab.org", "mail.postfix-lab.org"),
    ("alpha", "trusted", "mx.alpha-mail.net", "mx.alpha-mail.net"),
    ("beta", "trusted", "mx.beta-mail.net", "mx.beta-mail.net"),
    ("gamma", "trusted", "mx.gamma-mail.net", "mx.gamma-mail.net"),
    ("tie", "trusted", "a.zeta-host.net", "a.zeta-host.net,mx.alpha-host.com"),
    ("expired", "expired", "mx.expired-lab.com", "mx.expired-lab.com"),
    ("notyet", "notyet", "mx.notyet-lab.com", "mx.notyet-lab.com"),
    ("selfsigned", "selfsigned", "mx.selfsigned-lab.com", "mx.selfsigned-lab.com"),
    ("unknownca", "unknownca", "mx.unknownca-lab.com", "mx.unknownca-lab.com"),
    ("nointermediate", "nointermediate", "mx.nochain-lab.com", "mx.nochain-lab.com"),
    ("oversized", "oversized", "mx.bigchain-lab.com", "mx.bigchain-lab.com"),
]


def P(name, addrs, host=None, banner=None, ehlo=None, cert=None, starttls=None, fault="none",
      kind="persona", **extra):
    """A persona: host is the name in banner and EHLO unless banner/ehlo say otherwise."""
    if banner is None and host is not None:
        banner = f"220 {host} ESMTP lab"
    if ehlo is None and host is not None:
        ehlo = [host, "PIPELINING", "SIZE 10240000", "8BITMIME"]
    if starttls is None:
        starttls = "offer" if cert else "none"
    return dict(name=name, addresses=addrs if isinstance(addrs, list) else [addrs], host=host,
                banner=banner, ehlo=ehlo or [], cert=cert, starttls=starttls, fault=fault,
                kind=kind, **extra)


PERSONAS = [
    # Google: the banner and EHLO of Google's MX, its certificate.
    P("google", ["127.15.169.1", "127.15.169.2", "127.15.169.3"],
      banner="220 mx.google.com ESMTP lab-%ipdash% - gsmtp",
      ehlo=["mx.google.com at your service, [127.0.0.1]", "SIZE 157286400", "8BITMIME",
            "ENHANCEDSTATUSCODES", "PIPELINING", "CHUNKING", "SMTPUTF8"],
      cert="google-mx"),
    # SiteGround's filtering service on a Google Cloud address (beats24-7.com).
    P("siteground", "127.15.170.26", host="se26.mailspamprotection.com", cert="siteground"),
    # utexas.edu: the customer's certificate on an IronPort in Cisco's AS.
    P("utexas", "127.30.238.10", host="inbound.mail.utexas-lab.edu", cert="utexas"),
    # lodi.gov: two IronPorts at the same preference; one shows the customer's name.
    P("lodi-esa1", "127.30.238.21", host="esa1.lodi-lab.gov"),
    P("lodi-esa2", "127.30.238.22", host="mx2.hc1000-01.iphmx.com"),
    # A ProofPoint appliance showing the customer's name (AS relabelling to pphosted.com).
    P("pp-customer", "127.22.84.10", host="mx0a.pp-customer.com"),
    # summitorganization.org: a customer VPS at GoDaddy.
    P("godaddy-vps", "127.26.49.121",
      banner="220 s132-148-130-121.secureserver.net ESMTP Exim 4.94 lab",
      ehlo=["s132-148-130-121.secureserver.net Hello lab", "SIZE 52428800", "PIPELINING"]),
    # Table 3 with a real hoster's names: provider.com = hosteurope.de.
    P("hosteurope-mx1", "127.20.77.1", host="mx1.hosteurope.de", cert="hosteurope-mx1"),
    P("hosteurope-mx2", "127.20.77.2", host="mx2.hosteurope.de", cert="hosteurope-mx2"),
    P("hosteurope-vps", "127.20.77.3", host="lvps87-230-14-18.dedicated.hosteurope.de",
      cert="myvps"),
    # An OVH customer VPS (banner pattern vps*.ovh.net).
    P("ovh-vps", "127.16.27.97", host="vps797297.ovh.net"),
    # EIG's special banner token.
    P("eig", "127.46.60.12", banner="220 atl4mhob12.bosimpinc.net ESMTP lab",
      ehlo=["atl4mhob12.bosimpinc.net", "PIPELINING"]),
    # Self-hosted servers with the odd details the method must handle.
    P("disagree-a", "127.64.2.1", host="mx.alpha-mail.net", cert="alpha"),
    P("disagree-b", "127.64.2.2", host="mx.beta-mail.net", cert="beta"),
    P("partial-tls-a", "127.64.3.1", host="mx.gamma-mail.net", cert="gamma"),
    P("partial-tls-b", "127.64.3.2", host="mx.delta-mail.net"),
    P("shop-couk", "127.64.4.1", host="mail.shop-lab.co.uk"),
    P("tanaka-cojp", "127.64.4.2", host="smtp01.mailhost-lab.ne.jp"),
    P("heroku-app", "127.64.5.1", host="ip-10-0-0-1.ec2.internal"),
    P("fake-google", "127.64.7.1", banner="220 mx.google.com ESMTP lab",
      ehlo=["mx.google.com at your service", "PIPELINING"]),
    P("tie", "127.64.8.1", host="mx.zeta-host.net", cert="tie"),
    P("idn", "127.64.10.1", host="mail.xn--bcher-lab-q9a.de"),
    P("normalised", "127.64.10.2", host="mx.mixed-case-lab.com"),
    P("noasn-google", "127.99.0.1", banner="220 mx.google.com ESMTP lab",
      ehlo=["mx.google.com at your service", "PIPELINING"]),
    # A canary in the blocked range: the conduct test checks nobody ever reached it.
    P("blocked-canary", "127.255.0.25", host="mx.blocked-lab.com"),
    # Real Postfix instances.
    P("outlook", "127.80.75.10", kind="postfix", host="bn8nam12ft011.mail.protection.outlook.com",
      banner="220 bn8nam12ft011.mail.protection.outlook.com Microsoft ESMTP MAIL Service ready",
      cert="outlook"),
    P("pf-selfhosted", "127.64.0.7", kind="postfix", host="ip-4-5-6-7",
      banner="220 ip-4-5-6-7 ESMTP Postfix"),
    P("pf-tls", "127.64.9.1", kind="postfix", host="mail.postfix-lab.org",
      banner="220 mail.postfix-lab.org ESMTP Postfix", cert="postfix-lab"),
    # Certificates that are not trusted: the banner names a different RD, so the result
    # shows whether the certificate was (wrongly) used.
    P("cert-expired", "127.65.1.1", host="mail.expired-host.net", cert="expired"),
    P("cert-notyet", "127.65.1.2", host="mail.notyet-host.net", cert="notyet"),
    P("cert-selfsigned", "127.65.1.3", host="mail.selfsigned-host.net", cert="selfsigned"),
    P("cert-unknownca", "127.65.1.4", host="mail.unknownca-host.net", cert="unknownca"),
    P("cert-nointermediate", "127.65.1.5", host="mail.nochain-host.net", cert="nointermediate"),
    P("cert-oversized", "127.65.1.6", host="mx.bigchain-lab.com", cert="oversized"),
    # Faults.
    P("f-tarpit", "127.65.11.1", fault="tarpit"),
    P("f-drip", "127.65.12.1", host="mail.drip-host.net", drip_ms=5),
    P("f-close", "127.65.13.1", fault="close"),
    P("f-reset", "127.65.14.1", fault="reset"),
    P("f-garbage", "127.65.15.1", fault="garbage"),
    P("f-noeol", "127.65.16.1", host="mail.noeol-host.net", fault="no_eol"),
    P("f-hugeline", "127.65.17.1", host="mail.hugeline-host.net", fault="huge_line"),
    P("f-endless-greeting", "127.65.18.1", host="mail.endless-host.net", fault="endless_greeting"),
    P("f-endless-ehlo", "127.65.19.1", host="mail.endlessehlo-host.net", fault="endless_ehlo"),
    P("f-421", "127.65.20.1", banner="421 mx.busy-host.net Service temporarily unavailable",
      ehlo=["mx.busy-host.net"]),
    P("f-554", "127.65.21.1",
      banner="554 5.7.1 Service unavailable; client [127.0.0.1] blocked using zen.spamhaus.org",
      ehlo=["mx.reject-lab.com"]),
    P("f-starttls-454", "127.65.22.1", host="mail.tls454-host.net", starttls="refuse"),
    P("f-tls-alert", "127.65.23.1", host="mail.tlsalert-host.net", starttls="offer",
      fault="tls_alert"),
    P("f-tls-garbage", "127.65.24.1", host="mail.tlsgarbage-host.net", starttls="offer",
      fault="tls_garbage"),
    P("f-delay", "127.65.25.1", host="mail.delay-host.net", greeting_delay_ms=1500),
]

# ---------------------------------------------------------------------------------------
# Zone data for hosts (name -> A addresses, or CNAME target).
HOSTS = {
    "aspmx.l.google.com": ["127.15.169.1"],
    "alt1.aspmx.l.google.com": ["127.15.169.2"],
    "mailhost.gsipartners-lab.com": ["127.15.169.3"],
    "ghs.google.com": ["127.15.169.200"],  # Google's web front end: nothing speaks SMTP
    "mx10.mailspamprotection.com": ["127.15.170.26"],
    "inbound.utexas-lab.edu": ["127.30.238.10"],
    "mx1.hc1000-01.iphmx.com": ["127.30.238.21"],
    "mx2.hc1000-01.iphmx.com": ["127.30.238.22"],
    "mx.pp-customer.com": ["127.22.84.10"],
    "mail.summitorganization-lab.org": ["127.26.49.121"],
    "mx1.hosteurope.de": ["127.20.77.1"],
    "mx2.hosteurope.de": ["127.20.77.2"],
    "mx.myvps.com": ["127.20.77.3"],
    "mx.selfhosted.com": ["127.64.0.7"],
    "mail.ovhvps-lab.fr": ["127.16.27.97"],
    "mx.eig-lab.com": ["127.46.60.12"],
    "contoso-lab-com.mail.protection.outlook.com": ["127.80.75.10"],
    "mail.postfix-lab.org": ["127.64.9.1"],
    "mx-dead.backup-lab.com": ["127.64.1.1"],  # no persona: closes at once
    "mx.disagree-lab.com": ["127.64.2.1", "127.64.2.2"],
    "mx.partial-tls-lab.com": ["127.64.3.1", "127.64.3.2"],
    "mail.shop-lab.co.uk": ["127.64.4.1"],
    "mx.tanaka-lab.co.jp": ["127.64.4.2"],
    "mx.myapp-lab.herokuapp.com": ["127.64.5.1"],
    "mx.fakegoogle-lab.com": ["127.64.7.1"],
    "mx.zeta-host.net": ["127.64.8.1"],
    "mail.xn--bcher-lab-q9a.de": ["127.64.10.1"],
    "mx.mixed-case-lab.com": ["127.64.10.2"],
    "mx.noasn-lab.com": ["127.99.0.1"],
    "mx.blocked-lab.com": ["127.255.0.25"],
    "mx.cname-lab.com": "CNAME aspmx.l.google.com",
    "mx.noaddr-lab.com": 'TXT "this exchange has no address"',
    "mx.expired-lab.com": ["127.65.1.1"],
    "mx.notyet-lab.com": ["127.65.1.2"],
    "mx.selfsigned-lab.com": ["127.65.1.3"],
    "mx.unknownca-lab.com": ["127.65.1.4"],
    "mx.nochain-lab.com": ["127.65.1.5"],
    "mx.bigchain-lab.com": ["127.65.1.6"],
    "mx.tarpit-lab.com": ["127.65.11.1"],
    "mx.drip-lab.com": ["127.65.12.1"],
    "mx.close-lab.com": ["127.65.13.1"],
    "mx.reset-lab.com": ["127.65.14.1"],
    "mx.garbage-lab.com": ["127.65.15.1"],
    "mx.noeol-lab.com": ["127.65.16.1"],
    "mx.hugeline-lab.com": ["127.65.17.1"],
    "mx.endless-lab.com": ["127.65.18.1"],
    "mx.endlessehlo-lab.com": ["127.65.19.1"],
    "mx.busy-lab.com": ["127.65.20.1"],
    "mx.reject-lab.com": ["127.65.21.1"],
    "mx.tls454-lab.com": ["127.65.22.1"],
    "mx.tlsalert-lab.com": ["127.65.23.1"],
    "mx.tlsgarbage-lab.com": ["127.65.24.1"],
    "mx.delay-lab.com": ["127.65.25.1"],
    "nomx-lab.com": ["127.64.6.1"],  # the domain itself has an address but no MX
}


def C(domain, mx, expect, case, why, input_name=None, status="ok"):
    """A domain case. mx: [(pref, exchange)], "NULL" for RFC 7505, None for no MX record,
    "NXDOMAIN" (absent from the zone) or "SERVFAIL" (under a zone NSD cannot load).
    expect: {provider_id: credit} for status ok."""
    return dict(domain=domain, input=input_name or domain, mx=mx, expect=expect or {},
                status=status, case=case, why=why)


CASES = [
    # Worked examples of docs/method.md.
    C("netflix-lab.com", [(10, "aspmx.l.google.com"), (20, "alt1.aspmx.l.google.com")],
      {"google.com": 1.0}, "METHOD netflix.com",
      "Google MX, Google IP, trusted cert mx.google.com: TLS gives google.com"),
    C("gsipartners-lab.com", [(10, "mailhost.gsipartners-lab.com")], {"google.com": 1.0},
      "METHOD gsipartners.com",
      "own MX name on a Google IP with banner and cert mx.google.com: TLS beats the MX name"),
    C("beats24-7-lab.com", [(10, "mx10.mailspamprotection.com")],
      {"mailspamprotection.com": 1.0}, "METHOD beats24-7.com",
      "SiteGround on a Google Cloud IP: trusted *.mailspamprotection.com; AS 15169 is one of "
      "SiteGround's, so no relabelling to Google"),
    C("jeniustoto-lab.net", [(10, "ghs.google.com")], None, "METHOD jeniustoto.net",
      "MX on Google's web front end, nothing answers SMTP: no provider", status="no_smtp"),
    C("utexas-lab.edu", [(10, "inbound.utexas-lab.edu")], {"iphmx.com": 1.0}, "METHOD utexas.edu",
      "TLS gives utexas-lab.edu (score 1 < 5), every live IP in Cisco's AS 30238 and "
      "utexas-lab.edu is no known company: relabelled iphmx.com"),
    C("summitorganization-lab.org", [(10, "mail.summitorganization-lab.org")],
      {"summitorganization-lab.org": 1.0}, "METHOD summitorganization.org",
      "banner s132-148-130-121.secureserver.net: GoDaddy ID in GoDaddy's AS 26496 but the "
      "name matches the VPS pattern: flagged VPS, falls back to the MX name (self-hosted)"),
    C("lodi-lab.gov", [(10, "mx1.hc1000-01.iphmx.com"), (10, "mx2.hc1000-01.iphmx.com")],
      {"iphmx.com": 1.0}, "METHOD lodi.gov",
      "two MX at the same preference: mx1's banner says lodi-lab.gov (relabelled iphmx.com by "
      "Cisco's AS), mx2's says iphmx.com: 0.5 + 0.5 to iphmx.com"),
    C("third-party1.com", [(10, "mx1.hosteurope.de")], {"hosteurope.de": 1.0},
      "METHOD Table 3 third-party1.com",
      "certificates of mx1/mx2.hosteurope.de share names and merge into group hosteurope.de; "
      "dedicated names (first label mx)"),
    C("third-party2.com", [(10, "mx2.hosteurope.de")], {"hosteurope.de": 1.0},
      "METHOD Table 3 third-party2.com", "as third-party1.com"),
    C("myvps.com", [(10, "mx.myvps.com")], {"myvps.com": 1.0}, "METHOD Table 3 myvps.com",
      "trusted cert and banner lvps87-230-14-18.dedicated.hosteurope.de: Host Europe VPS "
      "pattern (first label lvps) flags both TLS and banner IDs: MX name myvps.com"),
    C("selfhosted.com", [(10, "mx.selfhosted.com")], {"selfhosted.com": 1.0},
      "METHOD Table 3 selfhosted.com",
      "real Postfix without STARTTLS, banner/EHLO ip-4-5-6-7 is no valid FQDN: MX name"),
    # The cases the lab exists to show (docs/lab.md, scenarios).
    C("split-lab.com", [(10, "aspmx.l.google.com"),
                        (10, "contoso-lab-com.mail.protection.outlook.com")],
      {"google.com": 0.5, "outlook.com": 0.5}, "equal-preference split",
      "two MX at preference 10, one Google, one Microsoft (real Postfix, multi-SAN cert)"),
    C("contoso-lab.com", [(0, "contoso-lab-com.mail.protection.outlook.com")],
      {"outlook.com": 1.0}, "Microsoft via real Postfix",
      "trusted multi-SAN cert mail.protection.outlook.com, *.mail.protection.outlook.com, "
      "outlook.com: group outlook.com"),
    C("backup-lab.com", [(10, "mx-dead.backup-lab.com"), (20, "aspmx.l.google.com")],
      {"google.com": 1.0}, "lower preference used when the primary is dead",
      "preference 10 answers no SMTP, so P(d) is the live preference-20 MX"),
    C("disagree-lab.com", [(10, "mx.disagree-lab.com")], {"disagree-lab.com": 1.0},
      "disagreeing IPs",
      "two IPs with trusted certs and banners of alpha-mail.net and beta-mail.net: TLS and "
      "banner disagree, the MX name decides"),
    C("partial-tls-lab.com", [(10, "mx.partial-tls-lab.com")], {"gamma-mail.net": 1.0},
      "IP without certificate neither votes nor vetoes",
      "one IP with trusted cert mx.gamma-mail.net, the other without TLS (banner delta): TLS"),
    C("shop-lab.co.uk", [(10, "mail.shop-lab.co.uk")], {"shop-lab.co.uk": 1.0},
      "PSL multi-level suffix", "co.uk suffix: RD shop-lab.co.uk"),
    C("tanaka-lab.co.jp", [(10, "mx.tanaka-lab.co.jp")], {"mailhost-lab.ne.jp": 1.0},
      "PSL multi-level suffix (provider)", "banner smtp01.mailhost-lab.ne.jp: RD under ne.jp"),
    C("app-lab.com", [(10, "mx.myapp-lab.herokuapp.com")], {"myapp-lab.herokuapp.com": 1.0},
      "PSL private suffix",
      "banner ip-10-0-0-1.ec2.internal has no known suffix: MX name RD under the private "
      "suffix herokuapp.com"),
    C("nullmx-lab.com", "NULL", None, "null MX", "MX 0 . (RFC 7505)", status="null_mx"),
    C("nomx-lab.com", None, None, "no MX", "the name has an A record but no MX", status="no_mx"),
    C("nxdomain-lab.com", "NXDOMAIN", None, "NXDOMAIN", "absent from the zone",
      status="nxdomain"),
    C("servfail-lab.net", "SERVFAIL", None, "SERVFAIL",
      "NSD serves zone servfail-lab.net without data: SERVFAIL", status="dns_error"),
    C("cname-lab.com", [(10, "mx.cname-lab.com")], {"google.com": 1.0}, "CNAME'd exchange",
      "the exchange is a CNAME to aspmx.l.google.com"),
    C("noaddr-lab.com", [(10, "mx.noaddr-lab.com")], None, "exchange without address",
      "mx.noaddr-lab.com exists (TXT) but has no A record", status="no_smtp"),
    C("danglingmx-lab.com", [(10, "mx.missing-lab.net")], None, "exchange that does not exist",
      "the exchange is NXDOMAIN", status="no_smtp"),
    C("blocked-lab.com", [(10, "mx.blocked-lab.com")], None, "exchange in a blocked range",
      "127.255.0.25 is outside the allowed 127.0.0.0/9: never contacted", status="blocked"),
    C("xn--bcher-lab-q9a.de", [(10, "mail.xn--bcher-lab-q9a.de")],
      {"xn--bcher-lab-q9a.de": 1.0}, "IDN domain", "input in UTF-8, zone and result in A-labels",
      input_name="bücher-lab.de"),
    C("mixed-case-lab.com", [(10, "mx.mixed-case-lab.com")], {"mixed-case-lab.com": 1.0},
      "input normalisation", "input in mixed case with a trailing dot",
      input_name="Mixed-Case-Lab.COM."),
    C("bad..lab.com", None, None, "invalid input", "empty label", status="invalid"),
    C("pp-customer.com", [(10, "mx.pp-customer.com")], {"pphosted.com": 1.0},
      "relabelling by AS (ProofPoint)",
      "banner pp-customer.com, every live IP in ProofPoint's AS 22843: pphosted.com"),
    C("ovhvps-lab.fr", [(10, "mail.ovhvps-lab.fr")], {"ovhvps-lab.fr": 1.0},
      "VPS customer at OVH", "banner vps797297.ovh.net: OVH VPS pattern, MX name"),
    C("eig-lab.com", [(10, "mx.eig-lab.com")], {"eigbox.net": 1.0}, "bosimpinc token",
      "banner atl4mhob12.bosimpinc.net means eigbox.net (EIG, AS 46606)"),
    C("fakegoogle-lab.com", [(10, "mx.fakegoogle-lab.com")], {"fakegoogle-lab.com": 1.0},
      "unseen AS", "banner mx.google.com from AS 64500: flagged unseen AS, MX name"),
    C("noasn-lab.com", [(10, "mx.noasn-lab.com")], {"google.com": 1.0}, "no ASN known",
      "banner mx.google.com from an IP without known ASN: the AS check needs a known ASN "
      "outside Google's, so google.com stays"),
    C("tie-lab.com", [(10, "mx.zeta-host.net")], {"zeta-host.net": 1.0},
      "certificate group name tie",
      "cert names a.zeta-host.net and mx.alpha-host.com, both RDs counted 2: the tie goes to "
      "the RD of the smallest name, a.zeta-host.net"),
    C("tie2-lab.com", [(10, "mx.zeta-host.net")], {"zeta-host.net": 1.0},
      "certificate group name tie", "as tie-lab.com"),
    C("postfix-lab.org", [(10, "mail.postfix-lab.org")], {"postfix-lab.org": 1.0},
      "self-hosted real Postfix with TLS", "trusted cert mail.postfix-lab.org"),
    # Certificates that must not count.
    C("expired-lab.com", [(10, "mx.expired-lab.com")], {"expired-host.net": 1.0},
      "expired certificate", "untrusted cert ignored: banner mail.expired-host.net"),
    C("notyet-lab.com", [(10, "mx.notyet-lab.com")], {"notyet-host.net": 1.0},
      "not-yet-valid certificate", "untrusted cert ignored: banner"),
    C("selfsigned-lab.com", [(10, "mx.selfsigned-lab.com")], {"selfsigned-host.net": 1.0},
      "self-signed certificate", "untrusted cert ignored: banner"),
    C("unknownca-lab.com", [(10, "mx.unknownca-lab.com")], {"unknownca-host.net": 1.0},
      "certificate from an unknown CA", "untrusted cert ignored: banner"),
    C("nochain-lab.com", [(10, "mx.nochain-lab.com")], {"nochain-host.net": 1.0},
      "chain missing the intermediate", "untrusted (intermediate not sent): banner"),
    C("bigchain-lab.com", [(10, "mx.bigchain-lab.com")], {"bigchain-lab.com": 1.0},
      "oversized chain",
      "chain over 320 kB: cert, banner and MX all name bigchain-lab.com, whatever the TLS "
      "outcome"),
    # Faults.
    C("tarpit-lab.com", [(10, "mx.tarpit-lab.com")], None, "tarpit",
      "accepts, never speaks", status="no_smtp"),
    C("drip-lab.com", [(10, "mx.drip-lab.com")], {"drip-host.net": 1.0}, "slow drip",
      "replies one byte every 5 ms (about 1 s per reply): still a banner"),
    C("close-lab.com", [(10, "mx.close-lab.com")], None, "immediate close",
      "closes at once", status="no_smtp"),
    C("reset-lab.com", [(10, "mx.reset-lab.com")], None, "reset", "RST at once",
      status="no_smtp"),
    C("garbage-lab.com", [(10, "mx.garbage-lab.com")], None, "garbage bytes",
      "binary bytes, no reply code", status="no_smtp"),
    C("noeol-lab.com", [(10, "mx.noeol-lab.com")], None, "missing CRLF",
      "greeting never terminated", status="no_smtp"),
    C("hugeline-lab.com", [(10, "mx.hugeline-lab.com")], None, "1 MB line",
      "1 MiB greeting line: no usable greeting", status="no_smtp"),
    C("endless-lab.com", [(10, "mx.endless-lab.com")], None, "endless multi-line greeting",
      "220- lines forever: the greeting never completes", status="no_smtp"),
    C("endlessehlo-lab.com", [(10, "mx.endlessehlo-lab.com")], {"endlessehlo-host.net": 1.0},
      "endless multi-line EHLO reply", "the greeting was complete: banner"),
    C("busy-lab.com", [(10, "mx.busy-lab.com")], {"busy-host.net": 1.0}, "421 greeting",
      "a 4xx greeting is still a banner: mx.busy-host.net"),
    C("reject-lab.com", [(10, "mx.reject-lab.com")], {"reject-lab.com": 1.0}, "554 greeting",
      "rejection banner naming zen.spamhaus.org (never an ID): MX name"),
    C("tls454-lab.com", [(10, "mx.tls454-lab.com")], {"tls454-host.net": 1.0},
      "STARTTLS advertised then 454", "no certificate: banner"),
    C("tlsalert-lab.com", [(10, "mx.tlsalert-lab.com")], {"tlsalert-host.net": 1.0},
      "TLS alert", "handshake fails: banner"),
    C("tlsgarbage-lab.com", [(10, "mx.tlsgarbage-lab.com")], {"tlsgarbage-host.net": 1.0},
      "garbage instead of TLS", "handshake fails: banner"),
    C("delay-lab.com", [(10, "mx.delay-lab.com")], {"delay-host.net": 1.0},
      "slow greeting", "greeting after 1.5 s"),
]

SERVFAIL_ZONES = ["servfail-lab.net"]

# ---------------------------------------------------------------------------------------
# Bypass scenario (docs/reliability.md): the standard cases plus exchanges that reach a
# blocked range in every form an address can take. 127.200.0.0/24 (outside the allowed
# 127.0.0.0/9) stands in for a private range; 0.0.0.0 and :: are blocked by the default
# blocklist (a connect to them would reach this host's 127.0.0.1 or ::1). The mapped
# and unspecified IPv6 forms are only resolved by a scan with --ipv6
# (tests/e2e/blocklist_lab.py), which counts connections at every listener.
BYPASS_PERSONAS = [
    P("bypass-canary", ["127.200.0.0/24"], host="mx.bypass-canary.lab.example"),
]
BYPASS_HOSTS = {
    "mx.direct-bypass-lab.com": ["127.200.0.1"],
    "mx.cname-bypass-lab.com": "CNAME target.bypass-lab.net",
    "target.bypass-lab.net": ["127.200.0.2"],
    "mx.mapped-bypass-lab.com": ["::ffff:127.200.0.3"],
    "mx.mappedcname-bypass-lab.com": "CNAME target6.bypass-lab.net",
    "target6.bypass-lab.net": ["::ffff:127.200.0.4"],
    "mx.zero-bypass-lab.com": ["0.0.0.0"],
    "mx.unspec-bypass-lab.com": ["::"],
}
BYPASS_CASES = [
    C("direct-bypass-lab.com", [(10, "mx.direct-bypass-lab.com")], None, "bypass: direct A",
      "A 127.200.0.1 is outside the allowed 127.0.0.0/9: never contacted", status="blocked"),
    C("cname-bypass-lab.com", [(10, "mx.cname-bypass-lab.com")], None, "bypass: via CNAME",
      "the exchange is a CNAME to a name with A 127.200.0.2: never contacted", status="blocked"),
    C("mapped-bypass-lab.com", [(10, "mx.mapped-bypass-lab.com")], None,
      "bypass: IPv4-mapped AAAA", "AAAA ::ffff:127.200.0.3 is 127.200.0.3: never contacted",
      status="blocked"),
    C("mappedcname-bypass-lab.com", [(10, "mx.mappedcname-bypass-lab.com")], None,
      "bypass: IPv4-mapped AAAA via CNAME",
      "CNAME to a name with AAAA ::ffff:127.200.0.4: never contacted", status="blocked"),
    C("zero-bypass-lab.com", [(10, "mx.zero-bypass-lab.com")], None, "bypass: 0.0.0.0",
      "A 0.0.0.0 (a connect would reach this host): never contacted", status="blocked"),
    C("unspec-bypass-lab.com", [(10, "mx.unspec-bypass-lab.com")], None, "bypass: ::",
      "AAAA :: (a connect would reach ::1): never contacted", status="blocked"),
]


# ---------------------------------------------------------------------------------------
def ip_dash(a):
    return a.replace(".", "-")


def toml_str(s):
    return json.dumps(s, ensure_ascii=False)


class Scenario:
    def __init__(self):
        self.zone = []          # zone lines
        self.personas = list(PERSONAS)
        self.hosts = dict(HOSTS)
        self.truth = []         # JSON lines
        self.inputs = []        # scanner input lines
        self.asns = list(ASNS)
        self.pki = list(PKI)

    def add_case(self, c):
        d = c["domain"]
        mx = c["mx"]
        if mx == "NULL":
            self.zone.append(f"{d}. MX 0 .")
        elif isinstance(mx, list):
            for pref, exch in mx:
                self.zone.append(f"{d}. MX {pref} {exch}.")
        self.inputs.append(c["input"])
        rec = {"domain": d, "status": c["status"], "providers": c["expect"],
               "case": c["case"], "why": c["why"]}
        if c.get("companies"):
            rec["companies"] = c["companies"]
        if c["input"] != d:
            rec["input"] = c["input"]
        rec.update(lab_signals.truth(d, c["status"]))
        self.truth.append(json.dumps(rec, ensure_ascii=False, sort_keys=True))

    def write(self, out, args):
        pki_dir = args.pki_dir
        # Zone.
        self.zone += lab_signals.zone_lines()
        for name, val in self.hosts.items():
            if isinstance(val, str):
                self.zone.append(f"{name}. {val}" + ("." if val.startswith("CNAME") else ""))
            else:
                for a in val:
                    self.zone.append(f"{name}. {'AAAA' if ':' in a else 'A'} {a}")
        with open(os.path.join(out, "root.zone"), "w") as f:
            f.write("$TTL 3600\n"
                    ". IN SOA ns.lab.example. hostmaster.lab.example. 1 3600 600 86400 300\n"
                    ". IN NS ns.lab.example.\n"
                    "ns.lab.example. IN A 127.0.0.1\n")
            f.write("\n".join(self.zone))
            f.write("\n")
        with open(os.path.join(out, "servfail.zones"), "w") as f:
            f.write("".join(z + "\n" for z in SERVFAIL_ZONES))
        # PKI requests.
        with open(os.path.join(out, "pki.tsv"), "w") as f:
            for name, kind, cn, sans in self.pki:
                f.write(f"{name}\t{kind}\t{cn}\t{sans}\n")
        # Postfix listeners and personas.
        pf_lines, toml = [], ["# Generated by scripts/lib/lab_scenario.py; see docs/lab.md."]
        faults = []
        for p in self.personas:
            chain = os.path.join(pki_dir, p["cert"] + ".pem") if p.get("cert") else ""
            if p["kind"] == "postfix":
                addr = p["addresses"][0]
                banner = p["banner"][4:] if p["banner"].startswith("220 ") else p["banner"]
                pf_lines.append(f"{p['name']}\t{addr}:{args.postfix_port}\t{p['host']}\t"
                                f"{banner}\t{chain or '-'}\n")
                toml += ["", "[[persona]]", f"name = {toml_str(p['name'])}",
                         f"addresses = {toml_str(p['addresses'])}",
                         f"forward = {toml_str(addr + ':' + str(args.postfix_port))}"]
                faults.append((p["name"], addr, "postfix", p["starttls"], p["banner"]))
                continue
            toml += ["", "[[persona]]", f"name = {toml_str(p['name'])}",
                     f"addresses = {toml_str(p['addresses'])}"]
            if p.get("banner"):
                toml.append(f"banner = {toml_str(p['banner'])}")
            if p.get("ehlo"):
                toml.append(f"ehlo = {toml_str(p['ehlo'])}")
            toml.append(f"starttls = {toml_str(p['starttls'])}")
            if chain:
                toml.append(f"chain = {toml_str(chain)}")
            toml.append(f"fault = {toml_str(p['fault'])}")
            for k in ("greeting_delay_ms", "reply_delay_ms", "drip_ms"):
                if p.get(k):
                    toml.append(f"{k} = {p[k]}")
            if "/" not in p["addresses"][0] and "-" not in p["addresses"][0]:
                faults.append((p["name"], p["addresses"][0], p["fault"], p["starttls"],
                               p.get("banner") or ""))
        with open(os.path.join(out, "postfix.tsv"), "w") as f:
            f.writelines(pf_lines)
        with open(os.path.join(out, "personas.toml"), "w") as f:
            f.write("\n".join(toml) + "\n")
        with open(os.path.join(out, "faults.tsv"), "w") as f:
            f.write("# persona\taddress\tfault\tstarttls\tbanner\n")
            for row in faults:
                f.write("\t".join(row) + "\n")
        # ASN data.
        with open(os.path.join(out, "asn.tsv"), "w") as f:
            for pfx, ln, asn, org, _ in self.asns:
                f.write(f"{pfx}\t{ln}\t{asn}\t{org}\n")
        with open(os.path.join(out, "pfx2as.txt"), "w") as f:
            for pfx, ln, _, _, origin in self.asns:
                f.write(f"{pfx}\t{ln}\t{origin}\n")
        with open(os.path.join(out, "domains.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(self.inputs) + "\n")
        with open(os.path.join(out, "ground_truth.jsonl"), "w", encoding="utf-8") as f:
            f.write("\n".join(self.truth) + "\n")
        with open(os.path.join(out, "blocked.txt"), "w") as f:
            f.write("127.255.0.0/16\n")
        summary = {"scenario": args.scenario, "domains": len(self.inputs),
                   "allowed": ALLOWED, "personas": len(self.personas),
                   "postfix_listeners": len(pf_lines)}
        with open(os.path.join(out, "summary.json"), "w") as f:
            json.dump(summary, f, indent=1)
        return summary


# ---------------------------------------------------------------------------------------
# Scale: N domains over about N/10 addresses. A few provider blocks carry most domains
# (each provider address shared by hundreds of domains); a long tail of self-hosted
# addresses carries one to a few domains each.
SCALE_PROVIDERS = [
    # id, weight, block (first address), ASN, org, MX name template, banner, ehlo host, cert
    ("google.com", 0.30, "127.40.0.0", 15169, "GOOGLE", "mx{i}.aspmx.l.google.com",
     "220 mx.google.com ESMTP %ipdash% - gsmtp", "mx.google.com at your service", "google-mx"),
    ("outlook.com", 0.20, "127.41.0.0", 8075, "MICROSOFT-CORP-MSN-AS-BLOCK",
     "m{i}.mail.protection.outlook.com",
     "220 %ipdash%.mail.protection.outlook.com Microsoft ESMTP MAIL Service ready",
     "%ipdash%.mail.protection.outlook.com", "outlook"),
    ("secureserver.net", 0.05, "127.42.0.0", 26496, "AS-26496-GO-DADDY-COM-LLC",
     "mx{i}.smtp.secureserver.net", "220 smtp.secureserver.net ESMTP", "smtp.secureserver.net",
     None),
    ("iphmx.com", 0.04, "127.43.0.0", 30238, "IRONPORT-SYSTEMS-INC", "mx{i}.hc{i}.iphmx.com",
     "220 mx%ipdash%.iphmx.com ESMTP", "mx%ipdash%.iphmx.com", None),
    ("mimecast.com", 0.03, "127.44.0.0", 1290, "MIMECAST", "eu-smtp-inbound-{i}.mimecast.com",
     "220 eu-smtp-%ipdash%.mimecast.com ESMTP", "eu-smtp-%ipdash%.mimecast.com", None),
]
SCALE_TAIL_BLOCK = (127 << 24) | (100 << 16)  # 127.100.0.0/14
SCALE_TAIL_SIZE = 1 << 18
SCALE_TAIL_SHARE = 0.33
SCALE_ERRORS = [("nxdomain", 0.02), ("no_mx", 0.015), ("null_mx", 0.005), ("tarpit", 0.0005)]


def ip_of(n):
    return f"{n >> 24}.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def ip_num(s):
    a, b, c, d = (int(x) for x in s.split("."))
    return (a << 24) | (b << 16) | (c << 8) | d


def build_scale(sc, n_total, seed):
    rng = random.Random(seed)
    n = max(0, n_total - len(sc.inputs))
    zone, inputs, truth = sc.zone, sc.inputs, sc.truth
    target_addresses = max(10, n_total // 10)
    counts = {}
    for pid, w, *_ in SCALE_PROVIDERS:
        counts[pid] = int(n * w)
    for kind, w in SCALE_ERRORS:
        counts[kind] = int(n * w)
    counts["tail"] = n - sum(counts.values())
    # Provider addresses: about 200 domains each (at least 1, at most a /16 block).
    prov_addrs = {pid: max(1, min(256 * 254, counts[pid] // 200)) for pid, *_ in SCALE_PROVIDERS}
    tail_addrs = max(1, min(1024 * 254,
                            target_addresses - sum(prov_addrs.values()), counts["tail"]))
    seq = 0

    def name(tag):
        nonlocal seq
        seq += 1
        return f"s{seq}-{tag}.com"

    for pid, _, block, asn, org, mxt, banner, ehlo, cert in SCALE_PROVIDERS:
        k = prov_addrs[pid]
        base = ip_num(block)
        sc.asns.append((block, 16, asn, org, str(asn)))
        sc.personas.append(P(f"scale-{pid}", [f"{block}/16"], banner=banner,
                             ehlo=[ehlo, "PIPELINING", "SIZE 36700160", "8BITMIME"],
                             cert=cert))
        for i in range(1, k + 1):
            spread = base + (((i - 1) % 256) << 8) + 1 + (i - 1) // 256
            zone.append(f"{mxt.format(i=i)}. A {ip_of(spread)}")
        tag = pid.split(".")[0]
        rnd = rng.random
        for _ in range(counts[pid]):
            d = name(tag)
            i = 1 + int(k * rnd())
            zone.append(f"{d}. MX 10 {mxt.format(i=i)}.")
            inputs.append(d)
            truth.append('{"domain":"%s","providers":{"%s":1.0},"status":"ok","case":"scale"}'
                         % (d, pid))
    # Self-hosted tail: owner domain sh-A-B-C-D.com with mail.sh-A-B-C-D.com, then the rest
    # of the tail domains share those servers with a skew (a few small hosters, many singles).
    asn_base = 64600
    for b in range(4):
        sc.asns.append((f"127.{100 + b}.0.0", 16, asn_base + b, f"LAB-TAIL-{b}", str(asn_base + b)))
    sc.personas.append(P("scale-tail", [f"{ip_of(SCALE_TAIL_BLOCK)}/14"],
                         banner="220 mail.sh-%ipdash%.com ESMTP lab",
                         ehlo=["mail.sh-%ipdash%.com", "PIPELINING", "8BITMIME"]))
    tail_ips = []
    for j in range(tail_addrs):
        a = ip_of(SCALE_TAIL_BLOCK + ((j % 1024) << 8) + 1 + j // 1024)
        dash = ip_dash(a)
        owner = f"sh-{dash}.com"
        zone.append(f"mail.{owner}. A {a}")
        zone.append(f"{owner}. MX 10 mail.{owner}.")
        inputs.append(owner)
        truth.append('{"domain":"%s","providers":{"%s":1.0},"status":"ok","case":"scale tail"}'
                     % (owner, owner))
        tail_ips.append(owner)
    rnd = rng.random
    for _ in range(max(0, counts["tail"] - tail_addrs)):
        owner = tail_ips[int(tail_addrs * rnd() ** 3)]
        d = name("tail")
        zone.append(f"{d}. MX 10 mail.{owner}.")
        inputs.append(d)
        truth.append('{"domain":"%s","providers":{"%s":1.0},"status":"ok","case":"scale tail"}'
                     % (d, owner))
    # Failures at scale.
    tarpits = ["127.65.%d.1" % (30 + i) for i in range(10)]  # one /24 each
    sc.personas.append(P("scale-tarpit", [f"{tarpits[0]}-{tarpits[-1]}"], fault="tarpit"))
    for t in tarpits:
        zone.append(f"tarpit-{ip_dash(t)}.scale-lab.net. A {t}")
    for kind, _ in SCALE_ERRORS:
        for _ in range(counts[kind]):
            d = name(kind.replace("_", ""))
            status = {"nxdomain": "nxdomain", "no_mx": "no_mx", "null_mx": "null_mx",
                      "tarpit": "no_smtp"}[kind]
            if kind == "no_mx":
                zone.append(f"{d}. A 127.64.6.1")
            elif kind == "null_mx":
                zone.append(f"{d}. MX 0 .")
            elif kind == "tarpit":
                t = tarpits[int(len(tarpits) * rnd())]
                zone.append(f"{d}. MX 10 tarpit-{ip_dash(t)}.scale-lab.net.")
            inputs.append(d)
            truth.append('{"domain":"%s","providers":{},"status":"%s","case":"scale %s"}'
                         % (d, status, kind))
    # Visit order is the scanner's business; the input is shuffled so that it does not
    # depend on the generator's order.
    order = list(range(len(inputs)))
    rng.shuffle(order)
    sc.inputs = [inputs[i] for i in order]


REAL_CUSTOMERS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "lab_real_customers.toml")


def add_real_customers(sc):
    """Customers of real mail companies as they really look (lab_real_customers.toml)."""
    with open(REAL_CUSTOMERS, "rb") as f:
        entries = tomllib.load(f)["customer"]
    if len(entries) > 254:
        sys.exit(f"{REAL_CUSTOMERS}: at most 254 customers (one /24 each in 127.110.0.0/16)")
    for n, e in enumerate(entries, start=1):
        net, addr = f"127.110.{n}.0", f"127.110.{n}.1"
        slug = e["domain"].split(".")[0]
        host = e.get("banner", e["mx"])
        cert = None
        if e.get("cert"):
            cert = "real-" + slug
            sc.pki.append((cert, "trusted", e["cert"][0], ",".join(e["cert"])))
        sc.personas.append(P("real-" + slug, addr, host=host, cert=cert))
        sc.hosts[e["mx"]] = [addr]
        sc.asns.append((net, 24, e["asn"], e["org"], str(e["asn"])))
        c = C(e["domain"], [(10, e["mx"])], {e["id"]: 1.0}, "REAL " + e["company"], e["why"])
        c["companies"] = {e["company"]: 1.0}
        sc.add_case(c)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--scenario", choices=["standard", "scale", "bypass"], default="standard")
    ap.add_argument("--domains", type=int, default=100000)
    ap.add_argument("--smtp-port", type=int, required=True)
    ap.add_argument("--postfix-port", type=int, required=True)
    ap.add_argument("--pki-dir", required=True)
    ap.add_argument("--seed", type=int, default=2021)
    args = ap.parse_args()
    if not 1 <= args.domains <= 5_000_000:
        ap.error("--domains must be 1..5000000")
    os.makedirs(args.out, exist_ok=True)
    sc = Scenario()
    for c in CASES:
        sc.add_case(c)
    add_real_customers(sc)
    if args.scenario == "scale":
        build_scale(sc, args.domains, args.seed)
    if args.scenario == "bypass":
        sc.personas += BYPASS_PERSONAS
        sc.hosts.update(BYPASS_HOSTS)
        for c in BYPASS_CASES:
            sc.add_case(c)
    summary = sc.write(args.out, args)
    print(json.dumps(summary))


if __name__ == "__main__":
    sys.exit(main())
