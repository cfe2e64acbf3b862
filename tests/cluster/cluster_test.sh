#!/usr/bin/env bash
# CTest "cluster: one-node Slurm": scripts/cluster up starts munged, slurmctld and slurmd
# in their own folder; a 4-task array writes its 4 outputs; `up` twice is harmless; a
# daemon that cannot start is named with its log and leaves nothing running; `down`
# stops everything, a running job included, and leaves no process of the cluster.
#   tests/cluster/cluster_test.sh BUILD_DIR
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "$1" && pwd)
DIR=$BUILD/cluster-test
BAD=$BUILD/cluster-test-bad
CLUSTER=$ROOT/scripts/cluster
fail() { echo "cluster_test: FAIL $*" >&2; exit 1; }
# Waits (up to a generous $1 seconds, a guard for a loaded machine) for a command to succeed.
wait_for() {
  local limit=$1 t0=$SECONDS
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS - t0 < limit)) || return 1
    sleep 0.2
  done
}
# Every process that belongs to a cluster folder: its daemons name the folder on their
# command line, its job steps carry its SLURM_CONF.
ours() {
  local p
  for p in $(pgrep -f "$1/" || true); do [[ $p != "$$" ]] && echo "$p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"; done
  for p in $(pgrep -x slurmstepd || true); do
    { tr '\0' '\n' <"/proc/$p/environ"; } 2>/dev/null | grep -qxF "SLURM_CONF=$1/etc/slurm.conf" && echo "$p slurmstepd"
  done
  return 0
}

"$CLUSTER" down --dir "$DIR" >/dev/null 2>&1 || true
"$CLUSTER" down --dir "$BAD" >/dev/null 2>&1 || true
rm -rf "$DIR" "$BAD"
trap '"$CLUSTER" down --dir "$DIR" >/dev/null 2>&1 || true; "$CLUSTER" down --dir "$BAD" >/dev/null 2>&1 || true' EXIT

start=$SECONDS
"$CLUSTER" up --dir "$DIR" || fail "up failed"
echo "cluster_test: up in $((SECONDS - start)) s"
out=$("$CLUSTER" up --dir "$DIR") || fail "a second up failed: $out"
grep -q "already up" <<<"$out" || fail "a second up did not say it is already up: $out"
eval "$("$CLUSTER" env --dir "$DIR")"
[[ $SLURM_CONF == "$DIR/etc/slurm.conf" ]] || fail "env printed SLURM_CONF=$SLURM_CONF"
for p in munged slurmctld slurmd; do
  kill -0 "$(cat "$DIR/run/$p.pid" 2>/dev/null)" 2>/dev/null || fail "$p has no live PID file"
done
grep -q '^ProctrackType=proctrack/linuxproc$' "$SLURM_CONF" || fail "slurm.conf: ProctrackType"
port=$(sed -n 's/^SlurmctldPort=//p' "$SLURM_CONF")
[[ $port != 6817 ]] || fail "the controller took Slurm's default port"

# A 4-task array: every task writes its own output file.
start=$SECONDS
# shellcheck disable=SC2016 # expanded by the job
job=$(sbatch --parsable --array=0-3 --output="$DIR/array-%a.out" \
  --wrap 'echo "task $SLURM_ARRAY_TASK_ID of job $SLURM_ARRAY_JOB_ID"') || fail "sbatch failed"
done_array() {
  [[ -z $(squeue -h -j "$job") ]] &&
    (($(scontrol show job "$job" | grep -c 'JobState=COMPLETED') == 4))
}
wait_for 120 done_array || fail "the array did not complete: $(scontrol show job "$job" | grep -E 'JobState|Reason')"
for a in 0 1 2 3; do
  grep -qx "task $a of job $job" "$DIR/array-$a.out" 2>/dev/null ||
    fail "array-$a.out: $(cat "$DIR/array-$a.out" 2>&1)"
done
echo "cluster_test: 4-task array done in $((SECONDS - start)) s, 4 outputs"

# submit refuses without a list, and on a cluster that is not up.
if out=$("$CLUSTER" submit --dir "$DIR" --out "$DIR/c" 2>&1); then fail "submit without --domains passed"; fi
grep -q "needs --domains" <<<"$out" || fail "submit without --domains: $out"
if out=$("$CLUSTER" submit --dir "$BAD" --domains /dev/null --out "$BAD/c" 2>&1); then
  fail "submit to a cluster that is not up passed"
fi
grep -q "is not up" <<<"$out" || fail "submit to a cluster that is not up: $out"

# A daemon that cannot start (a second cluster configured on the first one's ports):
# named, its log shown, nothing of that folder left running.
mkdir -p "$BAD/etc"
sed -e "s|$DIR|$BAD|g" "$SLURM_CONF" >"$BAD/etc/slurm.conf"
start=$SECONDS
if out=$("$CLUSTER" up --dir "$BAD" 2>&1); then fail "up on a taken port passed"; fi
grep -q "up failed: slurmctld" <<<"$out" || fail "the failed daemon is not named: $out"
grep -q "the end of $BAD/log/slurmctld.log" <<<"$out" || fail "no log shown: $out"
grep -q "Address already in use" <<<"$out" || fail "the log's reason is not shown: $out"
((SECONDS - start < 30)) || fail "the failed start took $((SECONDS - start)) s to report"
left=$(ours "$BAD")
[[ -z $left ]] || fail "a failed up left processes: $left"
echo "cluster_test: a slurmctld that cannot start is named: $(grep -m1 'up failed' <<<"$out")"

# down stops a running job too.
job=$(sbatch --parsable --output=/dev/null --wrap "exec bash -c 'exec -a $DIR-marker sleep 600'") ||
  fail "sbatch failed"
wait_for 60 pgrep -f "$DIR-marker" || fail "the job did not start"
start=$SECONDS
"$CLUSTER" down --dir "$DIR" || fail "down failed"
echo "cluster_test: down in $((SECONDS - start)) s with a job running"
left=$(ours "$DIR")
[[ -z $left ]] || fail "down left processes: $left"
pgrep -f "$DIR-marker" >/dev/null && fail "down left the job's process running"
"$CLUSTER" down --dir "$DIR" >/dev/null || fail "a second down failed"
if "$CLUSTER" status --dir "$DIR" >/dev/null; then fail "status says up after down"; fi
echo "cluster_test: PASS"
