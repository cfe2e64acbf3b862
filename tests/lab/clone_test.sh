#!/usr/bin/env bash
# CTest "lab: a clone in a private home folder scans the lab": what a new user does. The
# repository (its committed HEAD) is cloned into a 0700 folder, as a home directory on
# Debian 12 is, with nothing beside it (no ../shared); from that clone, with the build tree
# given, the lab comes up inside the private folder, a short scan of it matches the lab's
# ground truth, and the lab comes down leaving nothing running. The clone's other NSD and
# Postfix starters (tests/scanner/dns/run.sh, tests/scanner/smtp/postfix_session_test.sh) run there too,
# with their work folders inside the private folder.
#   tests/lab/clone_test.sh SOURCE_DIR BUILD_DIR [TEST_SCANNER TEST_SMTP]
set -euo pipefail
SRC=$(cd "$1" && pwd)
BUILD=$(cd "$2" && pwd)
TEST_SCANNER=${3:-}
TEST_SMTP=${4:-}
fail() { echo "clone_test: FAIL $*" >&2; exit 1; }
if ! git -C "$SRC" rev-parse --verify -q HEAD >/dev/null; then
  echo "clone_test: SKIPPED: $SRC is not a git checkout with a commit (nothing to clone)"
  exit 77
fi

PRIVATE=$(mktemp -d /tmp/mxscan-clone-test.XXXXXX)
chmod 0700 "$PRIVATE"
HOME_DIR=$PRIVATE/home
mkdir -m 0700 "$HOME_DIR"
CLONE=$HOME_DIR/mxscan
LAB=$HOME_DIR/lab
cleanup() {
  [[ ! -x $CLONE/scripts/lab ]] || MXSCAN_BUILD_DIR=$BUILD "$CLONE/scripts/lab" down --dir "$LAB" >/dev/null 2>&1 || true
  rm -rf "$PRIVATE"
}
trap cleanup EXIT

git clone -q "$SRC" "$CLONE"
[[ ! -e $HOME_DIR/shared ]] || fail "$HOME_DIR/shared exists"
[[ $(stat -c %a "$HOME_DIR") == 700 && $(stat -c %a "$PRIVATE") == 700 ]] || fail "the folders are not private"
echo "clone_test: cloned $(git -C "$CLONE" rev-parse --short HEAD) into $CLONE (parents 0700)"

cd "$CLONE"
export MXSCAN_BUILD_DIR=$BUILD
start=$(date +%s)
scripts/lab up --dir "$LAB" >"$PRIVATE/up.log" 2>&1 || { cat "$PRIVATE/up.log" >&2; fail "lab up from the clone"; }
echo "clone_test: lab up in $(($(date +%s) - start)) s in $LAB"
[[ -L $LAB/postfix ]] || fail "$LAB/postfix is not a link to the runtime folder"
runtime=$(readlink "$LAB/postfix")
[[ $(stat -c %a "$runtime") == 755 ]] || fail "runtime folder $runtime is not 0755"
grep -qx "POSTFIX_RUNTIME=$runtime" "$LAB/lab.env" || fail "lab.env does not record $runtime"
scripts/lab status --dir "$LAB"

# shellcheck disable=SC1091
source "$LAB/lab.env"
# Lab-sized timeouts, as scripts/demo: the lab's tarpits would otherwise hold sessions for
# mxscan's 30 s defaults.
"$BUILD/mxscan" --domains "$LAB/scenario/domains.txt" \
  --resolver "127.0.0.1:$DNS_PORT" --smtp-port "$SMTP_PORT" \
  --ca-file "$LAB/pki/root.pem" --asn-db "$LAB/asn/asn.mmdb" \
  --allow 127.0.0.0/9 --ehlo-name scanner.lab.example \
  --connect-timeout 3 --greeting-timeout 5 --reply-timeout 5 --session-timeout 20 \
  -q -o "$HOME_DIR/results" >"$PRIVATE/scan.log" 2>&1 || { cat "$PRIVATE/scan.log" >&2; fail "the scan"; }
python3 tests/lab/e2e_check.py "$LAB" "$HOME_DIR/results" --results-only
grep -q "postfix/.*/smtpd.*connect from" "$LAB/postfix/log/maillog" || fail "Postfix saw no session"

scripts/lab down --dir "$LAB"
[[ ! -e $runtime ]] || fail "lab down left the runtime folder $runtime"
[[ -s $LAB/postfix/log/maillog ]] || fail "Postfix's log is gone after down"

if [[ -n $TEST_SCANNER ]]; then
  TMPDIR=$HOME_DIR tests/scanner/dns/run.sh "$TEST_SCANNER" >"$PRIVATE/dns.log" 2>&1 ||
    { tail -40 "$PRIVATE/dns.log" >&2; fail "tests/scanner/dns/run.sh from the clone"; }
  echo "clone_test: tests/scanner/dns/run.sh passed with its NSD under $HOME_DIR"
fi
if [[ -n $TEST_SMTP ]]; then
  tests/scanner/smtp/postfix_session_test.sh "$TEST_SMTP" "$HOME_DIR/smtp-postfix" >"$PRIVATE/smtp.log" 2>&1 ||
    { tail -40 "$PRIVATE/smtp.log" >&2; fail "tests/scanner/smtp/postfix_session_test.sh from the clone"; }
  echo "clone_test: tests/scanner/smtp/postfix_session_test.sh passed with its Postfix under $HOME_DIR"
fi
echo "clone_test: PASS"
