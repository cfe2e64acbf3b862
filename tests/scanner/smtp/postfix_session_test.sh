#!/usr/bin/env bash
# The SMTP session against a real Postfix (scripts/lib/lab_postfix.sh) presenting the
# lab PKI (scripts/lib/lab_pki.sh): banner, EHLO, STARTTLS, a chain with an
# intermediate, an expired leaf, a listener without TLS. Runs the hidden [postfix]
# Catch tests, then reads Postfix's own per-session command counts from its log:
# every session must end with QUIT and no forbidden command may appear.
#   postfix_session_test.sh TEST_SMTP WORKDIR
set -euo pipefail
test_scanner=$1
work=$2
src=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=/dev/null
source "$src/scripts/lib/lab_pki.sh"
# shellcheck source=/dev/null
source "$src/scripts/lib/lab_postfix.sh"

rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)  # Postfix resolves chain files from its own directory
printf 'multisan\ttrusted\tmx1.postfix.lab.example\tmx1.postfix.lab.example,mx2.postfix.lab.example\nexpired\texpired\told.postfix.lab.example\t\n' \
  >"$work/pki.requests"
pki_build "$work/pki" "$work/pki.requests"
port=$((20000 + RANDOM % 20000))
cat >"$work/personas" <<P
pftls	127.62.0.1:$port	mx1.postfix.lab.example	mx1.postfix.lab.example ESMTP Postfix lab	$work/pki/multisan.pem
pfplain	127.62.0.2:$port	plain.postfix.lab.example	plain.postfix.lab.example ESMTP	-
pfexpired	127.62.0.3:$port	old.postfix.lab.example	old.postfix.lab.example ESMTP	$work/pki/expired.pem
P
trap 'postfix_lab_stop "$work/postfix"' EXIT
postfix_lab_start "$work/postfix" "$work/personas" >/dev/null

MXSCAN_POSTFIX_PORT=$port MXSCAN_POSTFIX_CA=$work/pki/root.pem "$test_scanner" "[postfix]"

# Postfix logs "disconnect from ... ehlo=2 starttls=1 quit=1 commands=4" per session.
log=$work/postfix/log/maillog
for i in $(seq 1 50); do
  (( $(grep -c 'disconnect from' "$log" || true) >= 3 )) && break
  sleep 0.1
done
fail=0
for persona in pftls pfplain pfexpired; do
  n=$(grep -c "postfix/$persona/smtpd.*connect from" "$log" | head -1 || true)
  c=$(grep "postfix/$persona/smtpd.*disconnect from" "$log" | grep -c . || true)
  line=$(grep "postfix/$persona/smtpd.*disconnect from" "$log" | tail -1)
  echo "$persona: ${line#*disconnect from }"
  [[ $c == 1 ]] || { echo "FAIL $persona: $c sessions (want exactly 1)"; fail=1; }
  [[ $line == *quit=1* ]] || { echo "FAIL $persona: no QUIT"; fail=1; }
  if grep -E "postfix/$persona/smtpd.*disconnect from.*(mail|rcpt|data|vrfy|expn|auth)=" "$log"; then
    echo "FAIL $persona: forbidden command"; fail=1
  fi
  : "$n"
done
grep -q 'pftls/smtpd.*disconnect from.* ehlo=2 starttls=1 quit=1 commands=4' "$log" || {
  echo "FAIL pftls: expected ehlo=2 starttls=1 quit=1 commands=4"; fail=1; }
grep -q 'pfplain/smtpd.*disconnect from.* ehlo=1 quit=1 commands=2' "$log" || {
  echo "FAIL pfplain: expected ehlo=1 quit=1 commands=2"; fail=1; }
exit $fail
