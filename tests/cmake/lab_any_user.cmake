# The lab and the tests as any user's clone meets them (docs/lab.md, "Where the lab's files
# live"): a private (0700) home folder, nothing beside the clone.
# Included by tests/CMakeLists.txt like every tests/cmake/*.cmake fragment.

# A part that cannot start (its port held by another program) is named, with its own
# error text and advice; nothing is left running.
add_test(NAME "lab: a part that cannot start is named, with its own error text"
  COMMAND ${PROJECT_SOURCE_DIR}/tests/lab/lab_failure_test.sh ${PROJECT_BINARY_DIR})
set_tests_properties("lab: a part that cannot start is named, with its own error text" PROPERTIES
  LABELS "lab" TIMEOUT 240 RESOURCE_LOCK lab
  REQUIRED_FILES "${PROJECT_BINARY_DIR}/mxscan-persona")

# git clone of the source tree's HEAD into a 0700 folder with no ../shared beside it, then,
# from the clone with this build tree: lab up/scan/down against the ground truth, and the
# NSD and Postfix tests with their folders inside the private folder.
find_program(MXSCAN_GIT git)
if(MXSCAN_GIT)
  add_test(NAME "lab: a clone in a private home folder scans the lab"
    COMMAND ${PROJECT_SOURCE_DIR}/tests/lab/clone_test.sh ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}
            $<TARGET_FILE:test_scanner> $<TARGET_FILE:test_smtp>)
  set_tests_properties("lab: a clone in a private home folder scans the lab" PROPERTIES
    LABELS "lab;e2e" TIMEOUT 300 RESOURCE_LOCK lab RUN_SERIAL TRUE SKIP_RETURN_CODE 77
    REQUIRED_FILES "${PROJECT_BINARY_DIR}/mxscan-persona;${PROJECT_BINARY_DIR}/mxscan")
endif()
