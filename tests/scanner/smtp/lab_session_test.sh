#!/usr/bin/env bash
# The SMTP stage against the lab (docs/lab.md): persona server faults, real Postfix, the
# lab PKI, and the conduct records the lab keeps (connections and peak concurrency per
# address and /24, every command received, Postfix's per-session command counts).
#   lab_session_test.sh BUILD_DIR WORKDIR
set -euo pipefail
build=$(cd "$1" && pwd)
work=$2
src=$(cd "$(dirname "$0")/../../.." && pwd)
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
lab=$work/lab
export MXSCAN_BUILD_DIR=$build
trap '"$src/scripts/lab" down --dir "$lab" >/dev/null 2>&1 || true' EXIT
"$src/scripts/lab" up --dir "$lab" >"$work/up.log" 2>&1 || { cat "$work/up.log"; exit 1; }
cmd=$("$src/scripts/lab" command --dir "$lab")
port=$(sed -n 's/.*--smtp-port \([0-9]*\).*/\1/p' <<<"$cmd")
ca=$(sed -n 's/.*--ca-file \([^ ]*\).*/\1/p' <<<"$cmd")
[[ -n $port && -n $ca ]] || { echo "cannot read the lab's port and CA from: $cmd"; exit 1; }

# Every single-address persona of the standard scenario, plus duplicates (one session
# each), a mapped form, an address without persona and the blocked canary.
cat >"$work/addresses" <<A
127.15.169.1
127.15.169.2
127.15.169.3
127.80.75.10
127.64.0.7
127.64.9.1
127.65.1.1
127.65.1.2
127.65.1.3
127.65.1.4
127.65.1.5
127.65.1.6
127.65.11.1
127.65.12.1
127.65.13.1
127.65.14.1
127.65.15.1
127.65.16.1
127.65.17.1
127.65.18.1
127.65.19.1
127.65.20.1
127.65.21.1
127.65.22.1
127.65.23.1
127.65.24.1
127.65.25.1
127.255.0.25
::ffff:127.255.0.25
127.15.169.1
::ffff:127.15.169.2
A
"$build/mxscan-smtp-probe" --port "$port" --ca-file "$ca" --allow 127.0.0.0/9 --timeout-ms 4000 \
  <"$work/addresses" >"$work/results.tsv"
sleep 1.5  # the persona server rewrites its stats every second
"$src/scripts/lab" down --dir "$lab" >/dev/null
trap - EXIT

python3 - "$work/results.tsv" "$lab" <<'PY'
import sys, re, collections
results_path, lab = sys.argv[1], sys.argv[2]
rows = {}
for line in open(results_path):
    f = line.rstrip("\n").split("\t")
    rows[f[0]] = dict(status=f[1], phase=f[2], starttls=f[3] == "1", tls=f[4] == "1", trusted=f[5] == "1",
                      verify=f[6], injected=int(f[7]), certs=int(f[8]), banner=f[9], error=f[10])
fail = []
def expect(addr, status, phase=None, **kw):
    r = rows.get(addr)
    if r is None:
        fail.append(f"{addr}: no result"); return
    if r["status"] != status or (phase and r["phase"] != phase):
        fail.append(f"{addr}: {r['status']}/{r['phase']} (want {status}/{phase}) {r['error']}")
    for k, v in kw.items():
        if r[k] != v:
            fail.append(f"{addr}: {k}={r[k]!r} (want {v!r})")
expect("127.15.169.1", "success", "done", tls=True, trusted=True, certs=2)
expect("127.80.75.10", "success", "done", tls=True, trusted=True,
       banner="220 bn8nam12ft011.mail.protection.outlook.com Microsoft ESMTP MAIL Service ready")
expect("127.64.0.7", "success", "done", starttls=False, tls=False, banner="220 ip-4-5-6-7 ESMTP Postfix")
expect("127.64.9.1", "success", "done", tls=True, trusted=True)
expect("127.65.1.1", "success", "done", trusted=False, verify="certificate has expired")
expect("127.65.1.2", "success", "done", trusted=False, verify="certificate is not yet valid")
expect("127.65.1.3", "success", "done", trusted=False, verify="self-signed certificate")
expect("127.65.1.4", "success", "done", trusted=False, verify="self-signed certificate in certificate chain")
expect("127.65.1.5", "success", "done", trusted=False, verify="unable to get local issuer certificate", certs=1)
expect("127.65.1.6", "tls-failed", "tls_handshake")
expect("127.65.11.1", "greeting-timeout", "greeting")
expect("127.65.12.1", "success", "done")          # drip: slow, but an answer
expect("127.65.13.1", "closed", "greeting")
expect("127.65.14.1", "reset", "greeting")
expect("127.65.15.1", "not-smtp", "greeting")
expect("127.65.16.1", "greeting-timeout", "greeting")
expect("127.65.17.1", "protocol-error", "greeting")
expect("127.65.18.1", "protocol-error", "greeting")
expect("127.65.19.1", "protocol-error", "ehlo")
expect("127.65.20.1", "greeting-4xx", "greeting")
expect("127.65.21.1", "greeting-5xx", "greeting")
expect("127.65.22.1", "starttls-refused", "starttls")
expect("127.65.23.1", "tls-failed", "tls_handshake")
expect("127.65.24.1", "tls-failed", "tls_handshake")
expect("127.65.25.1", "success", "done")          # 1.5 s greeting delay
expect("127.255.0.25", "blocked", "none")
if len(rows) != 28:
    fail.append(f"{len(rows)} results for 28 unique addresses (duplicates and mapped forms must fold)")

# Conduct, from the lab's own records.
stats = collections.defaultdict(dict)
for line in open(f"{lab}/persona/stats.tsv"):
    if line.startswith("#"): continue
    kind, addr, conns, peak = line.split("\t")
    stats[kind][addr] = (int(conns), int(peak))
if "127.255.0.25" in stats["addr"]:
    fail.append("the blocked canary 127.255.0.25 was contacted")
for addr, (conns, peak) in stats["addr"].items():
    if conns != 1:
        fail.append(f"{addr}: {conns} connections (each address once per scan)")
for net, (conns, peak) in stats["net24"].items():
    if peak > 2:
        fail.append(f"{net}: {peak} sessions at once (per-/24 cap 2)")
forbidden = re.compile(r"^(MAIL|RCPT|DATA|VRFY|EXPN|AUTH)\b", re.I)
quit_seen = set()
for line in open(f"{lab}/persona/commands.log"):
    # address, session number, channel (plain/tls/fwd), command
    fields = line.rstrip("\n").split("\t")
    addr, command = fields[0], fields[-1]
    if forbidden.match(command):
        fail.append(f"{addr}: forbidden command {command!r}")
    if command.upper() == "QUIT":
        quit_seen.add(addr)
# QUIT whenever the connection was usable (the relay sees Postfix sessions only up to STARTTLS;
# the 421 persona closes right after its greeting, so its QUIT finds no listener).
for addr in ["127.15.169.1", "127.65.1.1", "127.65.12.1", "127.65.21.1", "127.65.22.1",
             "127.65.25.1", "127.64.0.7"]:
    if addr not in quit_seen:
        fail.append(f"{addr}: no QUIT in the persona server's command log")
maillog = open(f"{lab}/postfix/log/maillog").read()
disconnects = re.findall(r"disconnect from .*", maillog)
for d in disconnects:
    if re.search(r"\b(mail|rcpt|data|vrfy|expn|auth)=", d):
        fail.append(f"postfix: forbidden command in {d}")
    if "quit=1" not in d:
        fail.append(f"postfix: session without QUIT: {d}")
if len(disconnects) != 3:
    fail.append(f"postfix: {len(disconnects)} sessions (want 3)")
print(f"{len(rows)} addresses, {len(stats['addr'])} contacted, {len(quit_seen)} QUITs seen, "
      f"{len(disconnects)} Postfix sessions")
for f in fail:
    print("FAIL", f)
sys.exit(1 if fail else 0)
PY
