# End-to-end: `mxscan --domains` against the lab's standard scenario (ground
# truth, conduct, resume after kill -9 and SIGINT, shards, dry run, refusals).
add_test(NAME "e2e: scan the lab"
  COMMAND python3 ${PROJECT_SOURCE_DIR}/tests/e2e/scan_lab.py ${PROJECT_SOURCE_DIR}
          ${PROJECT_BINARY_DIR} ${PROJECT_BINARY_DIR}/e2e --kills 5)
set_tests_properties("e2e: scan the lab" PROPERTIES LABELS "e2e;lab" TIMEOUT 900
  RESOURCE_LOCK lab)

# The blocklist cannot be bypassed (docs/reliability.md): the lab's bypass scenario scanned
# with --ipv6, connections counted at every listener (tests/e2e/blocklist_lab.py).
add_test(NAME "e2e: blocklist bypass forms never contacted"
  COMMAND python3 ${PROJECT_SOURCE_DIR}/tests/e2e/blocklist_lab.py ${PROJECT_SOURCE_DIR}
          ${PROJECT_BINARY_DIR} ${PROJECT_BINARY_DIR}/e2e-blocklist)
set_tests_properties("e2e: blocklist bypass forms never contacted" PROPERTIES
  LABELS "e2e;lab" TIMEOUT 300 RESOURCE_LOCK lab
  REQUIRED_FILES "${PROJECT_BINARY_DIR}/mxscan-persona;${PROJECT_BINARY_DIR}/mxscan")
