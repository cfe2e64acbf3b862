# The one-node Slurm of scripts/cluster (docs/distributed.md): it starts, runs an array,
# reports a daemon that cannot start, and stops everything it started. Needs root and
# Debian's munge/slurmctld/slurmd/slurm-client (scripts/setup installs them): without
# them the test fails, it does not skip.
add_test(NAME "cluster: one-node Slurm up, array, down"
  COMMAND ${PROJECT_SOURCE_DIR}/tests/cluster/cluster_test.sh ${PROJECT_BINARY_DIR})
set_tests_properties("cluster: one-node Slurm up, array, down" PROPERTIES
  LABELS "cluster" TIMEOUT 300 RESOURCE_LOCK cluster)

# A campaign on that Slurm against the lab (tests/e2e/campaign_slurm.py): 4 resolve tasks,
# 3 probe tasks, the merge; results identical to the one-machine scan, every address
# contacted once campaign-wide, a probe task killed with SIGKILL and requeued resumes.
add_test(NAME "e2e: campaign on Slurm (resolve, probe, merge; kill -9 and requeue)"
  COMMAND python3 ${PROJECT_SOURCE_DIR}/tests/e2e/campaign_slurm.py ${PROJECT_SOURCE_DIR}
          ${PROJECT_BINARY_DIR} ${PROJECT_BINARY_DIR}/e2e-campaign)
set_tests_properties("e2e: campaign on Slurm (resolve, probe, merge; kill -9 and requeue)"
  PROPERTIES LABELS "e2e;lab;cluster" TIMEOUT 600 RESOURCE_LOCK "lab;cluster"
  REQUIRED_FILES "${PROJECT_BINARY_DIR}/mxscan-persona;${PROJECT_BINARY_DIR}/mxscan")

# docs/distributed.md shows the sbatch scripts the campaign test submits: each file of
# scripts/cluster.d must appear there whole, as it is.
add_test(NAME "cluster: the sbatch scripts in docs/distributed.md are the ones submitted"
  COMMAND bash -c [[
    n=0
    for f in "$1"/scripts/cluster.d/*.sbatch; do
      python3 -c 'import sys; sys.exit(open(sys.argv[1]).read() not in open(sys.argv[2]).read())' \
        "$f" "$1/docs/distributed.md" || { echo "docs/distributed.md does not show ${f#"$1"/} as it is"; exit 1; }
      n=$((n + 1))
    done
    ((n == 3)) || { echo "expected 3 sbatch scripts, found $n"; exit 1; }]]
    cluster-doc ${PROJECT_SOURCE_DIR})
set_tests_properties("cluster: the sbatch scripts in docs/distributed.md are the ones submitted"
  PROPERTIES LABELS "cluster;docs")
