#!/usr/bin/env python3
"""Writes tests/data/signals/domains.jsonl: the bundled sample's netflix.com (Google MX) and
utexas.edu (Cisco gateway) with signals as a scan records them, plus a domain without signals.
Run from the repository root; the expected fields are checked by tests/app/cli/infer_signals.sh."""
import json

SIGNALS = {
    "netflix.com": {
        "spf": {"status": "ok", "record": "v=spf1 include:_spf.google.com include:mailgun.org ~all",
                "reached": ["_spf.google.com", "_netblocks.google.com", "mailgun.org"],
                "result": "ok", "error": None, "lookups": 3},
        "mta_sts": {"status": "ok", "record": "v=STSv1; id=20260101", "id": "20260101",
                    "policy": {"status": "ok", "error": None, "mode": "enforce",
                               "mx": ["*.l.google.com"], "max_age": 86400, "covers_mx": True}},
        "tls_rpt": {"status": "ok", "record": "v=TLSRPTv1; rua=mailto:tls@reports.example.co.uk",
                    "rua": ["mailto:tls@reports.example.co.uk"]},
        "dmarc": {"status": "ok", "record": "v=DMARC1; p=reject; rua=mailto:d@rua.vendor.example.com!10m",
                  "policy": "reject", "rua": ["mailto:d@rua.vendor.example.com!10m"], "ruf": []},
    },
    "utexas.edu": {
        "spf": {"status": "ok", "record": "v=spf1 include:spf.protection.outlook.com -all",
                "reached": ["spf.protection.outlook.com", "spfd.protection.outlook.com"],
                "result": "ok", "error": None, "lookups": 2},
        "mta_sts": {"status": "nxdomain", "record": "", "id": "", "policy": None},
        "tls_rpt": {"status": "nodata", "record": "", "rua": []},
        "dmarc": {"status": "ok", "record": "v=DMARC1; p=quarantine", "policy": "quarantine",
                  "rua": [], "ruf": []},
    },
}
TLSA = {"inbound.utexas.edu": {"status": "ok", "authenticated": True,
                               "records": [{"usage": 3, "selector": 1, "matching_type": 1,
                                            "data": "ab" * 32}]},
        "aspmx.l.google.com": {"status": "nodata", "authenticated": False, "records": []}}

out = []
with open("tests/data/sample/domains.jsonl") as f:
    for line in f:
        d = json.loads(line)
        if d["domain"] == "split-example.com":
            out.append(line.rstrip("\n"))
        if d["domain"] not in SIGNALS:
            continue
        for m in d["mx"]:
            if m["exchange"] in TLSA:
                m["tlsa"] = TLSA[m["exchange"]]
        d["signals"] = SIGNALS[d["domain"]]
        out.append(json.dumps(d, separators=(",", ":")))
with open("tests/data/signals/domains.jsonl", "w") as f:
    f.write("\n".join(out) + "\n")
