# End-to-end: `mxscan --domains` against the lab's standard scenario (ground
# truth, conduct, resume after kill -9 and SIGINT, shards, dry run, refusals).
add_test(NAME "e2e: scan the lab"
  COMMAND python3 ${PROJECT_SOURCE_DIR}/tests/e2e/scan_lab.py ${PROJECT_SOURCE_DIR}
          ${PROJECT_BINARY_DIR} ${PROJECT_BINARY_DIR}/e2e --kills 5)
set_tests_properties("e2e: scan the lab" PROPERTIES LABELS "e2e;lab" TIMEOUT 900
  RESOURCE_LOCK lab)
