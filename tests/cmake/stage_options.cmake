# Configuration values beyond what the stage options hold: refused, not wrapped.
add_test(NAME "cli: mxscan refuses out-of-range stage settings"
  COMMAND bash ${PROJECT_SOURCE_DIR}/tests/app/cli/stage_option_refusals.sh $<TARGET_FILE:mxscan>
          ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/stage-option-refusals-test)
set_tests_properties("cli: mxscan refuses out-of-range stage settings"
  PROPERTIES LABELS "unit;cli")
