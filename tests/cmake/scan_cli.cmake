# `mxscan` start-up refusals: exit code 2, nothing contacted, nothing written.
add_test(NAME "cli: mxscan refuses an existing folder, a missing list and a bad EHLO name"
  COMMAND bash ${PROJECT_SOURCE_DIR}/tests/app/cli/scan_refusals.sh $<TARGET_FILE:mxscan>
          ${PROJECT_BINARY_DIR}/scan-refusals-test)
set_tests_properties("cli: mxscan refuses an existing folder, a missing list and a bad EHLO name"
  PROPERTIES LABELS "unit;cli")
