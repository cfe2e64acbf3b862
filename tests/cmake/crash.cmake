# Crash consistency (issue 8): a scale-lab scan killed with SIGKILL at 20 random
# moments and resumed each time equals an uninterrupted scan; a results folder on
# a full tmpfs gives a clear error and resumes (needs root). 20,000 domains keep
# it within CI's budget; the 100,000-domain run of the issue is
#   python3 tests/e2e/crash_lab.py . build /tmp/crash --domains 100000
# (figures in docs/reliability.md).
add_test(NAME "e2e: crash consistency (kill -9, disk full)"
  COMMAND python3 ${PROJECT_SOURCE_DIR}/tests/e2e/crash_lab.py ${PROJECT_SOURCE_DIR}
          ${PROJECT_BINARY_DIR} ${PROJECT_BINARY_DIR}/crash --domains 20000 --kills 20)
set_tests_properties("e2e: crash consistency (kill -9, disk full)" PROPERTIES
  LABELS "e2e;lab" TIMEOUT 900 RESOURCE_LOCK lab)
