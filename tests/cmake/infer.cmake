# `mxscan infer` on the bundled observation sample (tests/data/sample).
add_test(NAME "cli: mxscan infer on the bundled sample"
  COMMAND bash ${PROJECT_SOURCE_DIR}/tests/app/cli/infer_sample.sh $<TARGET_FILE:mxscan>
          ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/infer-sample-test)
set_tests_properties("cli: mxscan infer on the bundled sample" PROPERTIES LABELS "unit;cli")

# The synthetic observation generator of `scripts/bench infer`.
add_executable(mxscan-gen-observations ${PROJECT_SOURCE_DIR}/tests/bench/gen_observations.cpp)
target_link_libraries(mxscan-gen-observations PRIVATE mxscan_common)
set_target_properties(mxscan-gen-observations PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
mxscan_set_warnings(mxscan-gen-observations)
