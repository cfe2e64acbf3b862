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
