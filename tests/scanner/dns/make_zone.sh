#!/usr/bin/env bash
# Writes the zone "test." covering every DNS outcome of the DNS stage
# (docs/dns.md); tests/scanner/dns/run.sh serves it with NSD on loopback.
#   tests/scanner/dns/make_zone.sh OUTFILE
set -euo pipefail
out=$1
{
cat <<'ZONE'
$ORIGIN test.
$TTL 300
@          SOA   ns.test. hostmaster.test. 1 3600 600 86400 300
@          NS    ns.test.
ns         A     127.0.0.1
; exchanges
mx1.mail   A     127.0.1.1
mx2.mail   A     127.0.1.2
mx2.mail   AAAA  2001:db8::2
v6only.mail AAAA 2001:db8::6
alias.mail CNAME mx1.mail
noaddr.mail TXT  "exists, no address"
; MX answers
ok         MX    20 mx2.mail
ok         MX    10 mx1.mail
xn--bcher-kva MX 10 mx1.mail
nodata     A     127.0.0.9
nullmx     MX    0 .
noaddr     MX    10 noaddr.mail
nxmx       MX    10 gone.test.
literal    MX    10 192.0.2.1.
badname    MX    10 bad_name.test.
cname-mx   MX    10 alias.mail
cname-dom  CNAME ok
v6only     MX    10 v6only.mail
loop-mx    MX    10 loop1
loop1      CNAME loop2
loop2      CNAME loop1
ext-mx     MX    10 ext-alias
ext-alias  CNAME mx.outside.example.
mixed-null MX    0 .
mixed-null MX    10 mx1.mail
chain-mx   MX    10 c0
ZONE
for i in $(seq 0 9); do echo "c$i CNAME c$((i + 1))"; done
echo "c10 A 127.0.1.10"
# 20 domains sharing one exchange: it must be resolved once.
for i in $(seq 1 20); do echo "shared$i MX 10 mx1.mail"; done
# 40 MX records with long exchange names: the answer (~3 kB) exceeds the
# 1232-byte EDNS size, so the UDP answer is truncated and c-ares retries over TCP.
for i in $(seq 1 40); do
  printf 'many MX %d mail-exchange-number-%02d.a-rather-long-label-to-overflow-udp.test.\n' "$i" "$i"
  printf 'mail-exchange-number-%02d.a-rather-long-label-to-overflow-udp A 127.0.2.%d\n' "$i" "$i"
done
# Names for the rate-limit and load tests.
for i in $(seq 1 300); do echo "load$i MX 10 mx1.mail"; done
} >"$out"
