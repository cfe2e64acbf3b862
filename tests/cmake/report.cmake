# `mxscan report` rendered in headless Chromium (Debian chromium; scripts/setup
# installs it), and `mxscan diff` / `mxscan infer --from` on fixtures.
add_test(NAME "report: report.html rendered in headless Chromium"
  COMMAND bash ${PROJECT_SOURCE_DIR}/tests/app/cli/report_chromium.sh $<TARGET_FILE:mxscan>
          ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/report-chromium-test)
set_tests_properties("report: report.html rendered in headless Chromium" PROPERTIES
  LABELS "report" TIMEOUT 600)

add_test(NAME "cli: mxscan diff and infer --from on fixtures"
  COMMAND bash ${PROJECT_SOURCE_DIR}/tests/app/cli/diff_import.sh $<TARGET_FILE:mxscan>
          ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/diff-import-test)
set_tests_properties("cli: mxscan diff and infer --from on fixtures" PROPERTIES LABELS "unit;cli")
