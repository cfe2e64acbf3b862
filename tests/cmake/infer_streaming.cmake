# `mxscan infer`: the streaming merge against the in-memory batch, on the sample
# and on a generated campaign of shard folders.
add_test(NAME "cli: mxscan infer streams files and matches the in-memory batch"
  COMMAND bash ${PROJECT_SOURCE_DIR}/tests/app/cli/infer_streaming.sh $<TARGET_FILE:mxscan>
          $<TARGET_FILE:mxscan-gen-observations> ${PROJECT_SOURCE_DIR}
          ${PROJECT_BINARY_DIR}/infer-streaming-test)
set_tests_properties("cli: mxscan infer streams files and matches the in-memory batch"
  PROPERTIES LABELS "unit;cli")
