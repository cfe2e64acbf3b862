# Crash consistency (docs/reliability.md): a 100,000-domain scale-lab scan killed with SIGKILL
# at 20 random moments and resumed each time equals an uninterrupted scan; a
# results folder on a full tmpfs gives a clear error and resumes (needs root).
# Sanitized builds (5-20 times slower) run the same test on 5,000 domains with 5
# kills: there the point is the threads and memory on the crash path, not scale.
if(MXSCAN_SANITIZE OR MXSCAN_SANITIZE_THREAD)
  set(MXSCAN_CRASH_ARGS --domains 5000 --kills 5)
else()
  set(MXSCAN_CRASH_ARGS --domains 100000 --kills 20)
endif()
add_test(NAME "e2e: crash consistency (kill -9, disk full)"
  COMMAND python3 ${PROJECT_SOURCE_DIR}/tests/e2e/crash_lab.py ${PROJECT_SOURCE_DIR}
          ${PROJECT_BINARY_DIR} ${PROJECT_BINARY_DIR}/crash ${MXSCAN_CRASH_ARGS})
set_tests_properties("e2e: crash consistency (kill -9, disk full)" PROPERTIES
  LABELS "e2e;lab" TIMEOUT 1200 RESOURCE_LOCK lab)
