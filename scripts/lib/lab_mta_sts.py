"""The lab's MTA-STS cases (RFC 8461): domains that publish an _mta-sts TXT record and a
policy host mta-sts.<domain> served by the lab's nginx (scripts/lib/lab_nginx.sh) with
the lab PKI, one case per way a policy fetch can end. Imported by lab_scenario.py.

Each case declares what the servers show and, written by hand from RFC 8461 and
docs/mta-sts.md, the policy a scan with --mta-sts must record: the truth line of the
domain gains "signals": {"mta_sts": {"record", "id"}} (what the DNS stage finds) and
"mta_sts_policy": {"status", and for status ok "mode" and "covers_mx"}, what
signals.mta_sts.policy must hold.

nginx also serves the policy hosts lab_signals.py gives some standard cases
(MTA_STS_HOSTS, 127.120.0.0/24), with the behaviour named there; their truth is
lab_signals.py's (no policy expectation).

Address plan: 127.66.N.1 is the policy host of case N (a /24 each, since the scanner caps
contacts per /24); the blocked case points into 127.255.0.0/16, which the lab never
allows, and nginx serves it there too, so that a contact would show in its logs. Every case's MX is Google's lab exchange, so its provider truth is the one of
netflix-lab.com.
"""
import json
import os

import lab_signals

GOOGLE_MX = [(10, "aspmx.l.google.com")]
RECORD_ID = "20261207T000000"
GOOD = "version: STSv1\nmode: enforce\nmx: *.l.google.com\nmax_age: 604800\n"
UNCOVERED = "version: STSv1\nmode: testing\nmx: mx.elsewhere.lab.example\nmax_age: 86400\n"
MALFORMED = "<html><body>Welcome to our web site</body></html>\n"
# More than RFC 8461's 64 KiB: a valid policy followed by comment-like padding.
TOO_LARGE = GOOD + "".join(f"x-padding-{i:05d}: {'x' * 60}\n" for i in range(1100))

# domain, policy host address or None, certificate (pki name) or None, nginx behaviour,
# policy text, expected policy, why
CASES = [
    ("sts-good-lab.com", "127.66.1.1", "sts-good", "serve", GOOD,
     {"status": "ok", "mode": "enforce", "covers_mx": True},
     "a trusted certificate for the policy host; *.l.google.com covers aspmx.l.google.com"),
    ("sts-uncovered-lab.com", "127.66.2.1", "sts-uncovered", "serve", UNCOVERED,
     {"status": "ok", "mode": "testing", "covers_mx": False},
     "a good policy whose only mx pattern does not match the domain's MX"),
    ("sts-badca-lab.com", "127.66.3.1", "sts-badca", "serve", GOOD,
     {"status": "bad_certificate"},
     "the certificate names the policy host but comes from a root nobody trusts"),
    ("sts-wrongname-lab.com", "127.66.4.1", "sts-good", "serve", GOOD,
     {"status": "bad_certificate"},
     "a trusted certificate for another name (mta-sts.sts-good-lab.com)"),
    ("sts-redirect-lab.com", "127.66.5.1", "sts-redirect", "redirect", GOOD,
     {"status": "redirect"}, "a 301 to another host: RFC 8461 3.3 forbids following it"),
    ("sts-toolarge-lab.com", "127.66.6.1", "sts-toolarge", "serve", TOO_LARGE,
     {"status": "too_large"}, "a policy file over 64 KiB"),
    ("sts-slow-lab.com", "127.66.7.1", "sts-slow", "slow", GOOD,
     {"status": "timeout"}, "the file sent at 1 byte per second: longer than the fetch timeout"),
    ("sts-malformed-lab.com", "127.66.8.1", "sts-malformed", "serve", MALFORMED,
     {"status": "malformed"}, "an HTML page where the policy should be"),
    ("sts-blocked-lab.com", "127.255.0.66", "sts-blocked", "serve", GOOD,
     {"status": "blocked"},
     "the policy host is in a blocked range: never contacted (nginx serves it, to see that)"),
    ("sts-noaddr-lab.com", None, None, None, None,
     {"status": "no_address"}, "an MTA-STS record but no address for mta-sts.<domain>"),
]


def add_mta_sts(sc, C, out, pki_dir):
    """Adds the cases to scenario `sc` (lab_scenario.Scenario, C its case constructor) and
    writes out/nginx.tsv and the policy files under out/mta-sts/."""
    www = os.path.join(out, "mta-sts")
    os.makedirs(www, exist_ok=True)
    pki_names = set()
    sites = []
    for domain, addr, cert, behaviour, policy, expect, why in CASES:
        host = f"mta-sts.{domain}"
        sc.add_case(C(domain, GOOGLE_MX, {"google.com": 1.0}, "MTA-STS " + expect["status"],
                      "Google MX; MTA-STS: " + why))
        rec = json.loads(sc.truth[-1])
        rec["signals"]["mta_sts"] = {"record": f"v=STSv1; id={RECORD_ID}", "id": RECORD_ID}
        rec["mta_sts_policy"] = expect  # with --mta-sts only: beside the DNS stage's truth
        sc.truth[-1] = json.dumps(rec, ensure_ascii=False, sort_keys=True)
        sc.zone.append(f'_mta-sts.{domain}. TXT "v=STSv1; id={RECORD_ID}"')
        if addr:
            sc.hosts[host] = [addr]
        if cert is None:
            continue
        if cert not in pki_names:
            pki_names.add(cert)
            kind = "unknownca" if cert == "sts-badca" else "trusted"
            cn = f"mta-sts.{domain}"
            sc.pki.append((cert, kind, cn, cn))
        path = os.path.join(www, f"{domain}.txt")
        with open(path, "w") as f:
            f.write(policy)
        sites.append("\t".join([domain, addr, host, os.path.join(pki_dir, cert + ".pem"),
                                behaviour, path]) + "\n")
    sites += _signals_sites(sc, www, pki_dir)
    with open(os.path.join(out, "nginx.tsv"), "w") as f:
        f.write("# domain\taddress\tserver name\tchain\tbehaviour\tpolicy file\n")
        f.writelines(sites)


# lab_signals.py's behaviours, as this file's cases show them.
SIGNALS_BEHAVIOUR = {"good": ("serve", None), "bad_certificate": ("serve", "unknownca"),
                     "redirect": ("redirect", None), "too_large": ("serve", "large"),
                     "slow": ("slow", None)}


def _signals_sites(sc, www, pki_dir):
    """nginx sites for lab_signals.MTA_STS_HOSTS; a good policy names the domain's MX."""
    sites = []
    for domain, addr, kind in lab_signals.MTA_STS_HOSTS:
        behaviour, variant = SIGNALS_BEHAVIOUR[kind]
        host = f"mta-sts.{domain}"
        cert = "sts-" + domain.replace(".", "-")
        sc.pki.append((cert, "unknownca" if variant == "unknownca" else "trusted", host, host))
        mx = [line.split()[-1].rstrip(".") for line in sc.zone
              if line.startswith(f"{domain}. MX ") and line.split()[-1] != "."]
        policy = ("version: STSv1\nmode: enforce\n" + "".join(f"mx: {m}\n" for m in mx)
                  + "max_age: 604800\n")
        if variant == "large":
            policy = policy + TOO_LARGE
        path = os.path.join(www, f"{domain}.txt")
        with open(path, "w") as f:
            f.write(policy)
        sites.append("\t".join([domain, addr, host, os.path.join(pki_dir, cert + ".pem"),
                                 behaviour, path]) + "\n")
    return sites
