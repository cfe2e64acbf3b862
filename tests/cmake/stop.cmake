# Ctrl-C stops contacting servers at once (no connection after the signal, as the
# lab's servers count them; exit 3 within the session timeout; resumable), a second
# Ctrl-C ends at once, the progress line shows sessions opened beside --rate and
# fits an 80-column terminal, fractional rates (tests/e2e/stop_lab.py).
add_test(NAME "e2e: Ctrl-C stops contacting servers; progress fits the terminal"
  COMMAND python3 ${PROJECT_SOURCE_DIR}/tests/e2e/stop_lab.py ${PROJECT_SOURCE_DIR}
          ${PROJECT_BINARY_DIR} ${PROJECT_BINARY_DIR}/e2e-stop)
set_tests_properties("e2e: Ctrl-C stops contacting servers; progress fits the terminal"
  PROPERTIES LABELS "e2e;lab" TIMEOUT 900 RESOURCE_LOCK lab
  REQUIRED_FILES "${PROJECT_BINARY_DIR}/mxscan-persona;${PROJECT_BINARY_DIR}/mxscan")
