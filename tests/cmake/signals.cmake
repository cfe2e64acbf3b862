# The signals beyond the MX record (SPF walk, MTA-STS, TLS-RPT, DMARC, TLSA) scanned in the
# lab and checked field by field against its ground truth (tests/e2e/signals_lab.py).
add_test(NAME "e2e: signals in the lab match the truth"
  COMMAND python3 ${PROJECT_SOURCE_DIR}/tests/e2e/signals_lab.py ${PROJECT_SOURCE_DIR}
          ${PROJECT_BINARY_DIR} ${PROJECT_BINARY_DIR}/e2e-signals)
set_tests_properties("e2e: signals in the lab match the truth" PROPERTIES
  LABELS "e2e;lab" TIMEOUT 600 RESOURCE_LOCK lab)
