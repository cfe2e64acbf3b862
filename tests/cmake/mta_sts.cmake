# MTA-STS policies over HTTPS (--mta-sts): the lab's nginx policy hosts scanned, each case's
# policy checked against the ground truth, nginx's logs checked for one contact per host
# (tests/e2e/mta_sts_lab.py).
add_test(NAME "e2e: MTA-STS policies from the lab's nginx"
  COMMAND python3 ${PROJECT_SOURCE_DIR}/tests/e2e/mta_sts_lab.py ${PROJECT_SOURCE_DIR}
          ${PROJECT_BINARY_DIR} ${PROJECT_BINARY_DIR}/e2e-mta-sts)
set_tests_properties("e2e: MTA-STS policies from the lab's nginx" PROPERTIES
  LABELS "e2e;lab" TIMEOUT 300 RESOURCE_LOCK lab
  REQUIRED_FILES "${PROJECT_BINARY_DIR}/mxscan-persona;${PROJECT_BINARY_DIR}/mxscan")
