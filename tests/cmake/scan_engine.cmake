# `mxscan --resume` of a folder whose manifest names an unknown state: exit 2,
# folder unchanged (a whole scan against an in-script NXDOMAIN server first).
add_test(NAME "cli: resume refuses a manifest state it does not know"
  COMMAND python3 ${PROJECT_SOURCE_DIR}/tests/app/cli/resume_unknown_state.py $<TARGET_FILE:mxscan>
          ${PROJECT_BINARY_DIR}/resume-unknown-state-test)
set_tests_properties("cli: resume refuses a manifest state it does not know"
  PROPERTIES LABELS "unit;cli" TIMEOUT 600)
