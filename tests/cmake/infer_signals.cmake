# `mxscan infer` with signals beside the paper's result (tests/data/signals).
add_test(NAME "cli: mxscan infer with signals"
  COMMAND bash ${PROJECT_SOURCE_DIR}/tests/app/cli/infer_signals.sh $<TARGET_FILE:mxscan>
          ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/infer-signals-test)
set_tests_properties("cli: mxscan infer with signals" PROPERTIES LABELS "unit;cli")
