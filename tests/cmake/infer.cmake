# `mxscan infer` on the bundled observation sample (tests/data/sample).
add_test(NAME "cli: mxscan infer on the bundled sample"
  COMMAND bash ${PROJECT_SOURCE_DIR}/tests/cli/infer_sample.sh $<TARGET_FILE:mxscan>
          ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/infer-sample-test)
set_tests_properties("cli: mxscan infer on the bundled sample" PROPERTIES LABELS "unit;cli")
