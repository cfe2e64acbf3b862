# The one-node Slurm of scripts/cluster (docs/distributed.md): it starts, runs an array,
# reports a daemon that cannot start, and stops everything it started. Needs root and
# Debian's munge/slurmctld/slurmd/slurm-client (scripts/setup installs them): without
# them the test fails, it does not skip.
add_test(NAME "cluster: one-node Slurm up, array, down"
  COMMAND ${PROJECT_SOURCE_DIR}/tests/cluster/cluster_test.sh ${PROJECT_BINARY_DIR})
set_tests_properties("cluster: one-node Slurm up, array, down" PROPERTIES
  LABELS "cluster" TIMEOUT 300 RESOURCE_LOCK cluster)
