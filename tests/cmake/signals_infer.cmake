# The mailbox company behind every gateway domain of the lab, live and offline
# (tests/e2e/signals_infer_lab.py).
add_test(NAME "e2e: gateway domains of the lab name their truth's mailbox"
  COMMAND python3 ${PROJECT_SOURCE_DIR}/tests/e2e/signals_infer_lab.py ${PROJECT_SOURCE_DIR}
          ${PROJECT_BINARY_DIR} ${PROJECT_BINARY_DIR}/e2e-signals-infer)
set_tests_properties("e2e: gateway domains of the lab name their truth's mailbox" PROPERTIES
  LABELS "e2e;lab" TIMEOUT 600 RESOURCE_LOCK lab)
