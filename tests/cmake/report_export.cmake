# `mxscan report`: report.html laid out by headless Chromium at 1400 and 700 px
# (and printed), and `--export` (SVG/PDF/CSV/LaTeX checked with rsvg-convert,
# poppler's pdfinfo/pdffonts and pdflatex; scripts/setup installs them).
add_test(NAME "report: report.html layout at 1400 and 700 px in headless Chromium"
  COMMAND bash ${PROJECT_SOURCE_DIR}/tests/app/cli/report_layout.sh $<TARGET_FILE:mxscan>
          ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/report-layout-test)
set_tests_properties("report: report.html layout at 1400 and 700 px in headless Chromium"
  PROPERTIES LABELS "report" TIMEOUT 600)

add_test(NAME "report: --export figures, CSVs and LaTeX tables parse and compile"
  COMMAND bash ${PROJECT_SOURCE_DIR}/tests/app/cli/report_export.sh $<TARGET_FILE:mxscan>
          ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/report-export-test)
set_tests_properties("report: --export figures, CSVs and LaTeX tables parse and compile"
  PROPERTIES LABELS "report;cli" TIMEOUT 600)

add_test(NAME "e2e: report --export on a scan of the lab"
  COMMAND python3 ${PROJECT_SOURCE_DIR}/tests/e2e/report_export_lab.py ${PROJECT_SOURCE_DIR}
          ${PROJECT_BINARY_DIR} ${PROJECT_BINARY_DIR}/e2e-report-export)
set_tests_properties("e2e: report --export on a scan of the lab" PROPERTIES
  LABELS "e2e;lab;report" TIMEOUT 600 RESOURCE_LOCK lab
  REQUIRED_FILES "${PROJECT_BINARY_DIR}/mxscan-persona;${PROJECT_BINARY_DIR}/mxscan")
