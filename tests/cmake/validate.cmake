# Honest failure (docs/reliability.md): bad settings and data files refused before the
# results folder exists, infer/diff never overwrite, resume overrides, merged folders.
add_test(NAME "cli: bad settings and data files refused, nothing written or contacted"
  COMMAND python3 ${PROJECT_SOURCE_DIR}/tests/app/cli/validate_refusals.py $<TARGET_FILE:mxscan>
          ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/validate-refusals-test)
set_tests_properties("cli: bad settings and data files refused, nothing written or contacted"
  PROPERTIES LABELS "unit;cli" TIMEOUT 300)

add_test(NAME "e2e: lab data files, resume overrides and merged folders"
  COMMAND python3 ${PROJECT_SOURCE_DIR}/tests/e2e/validate_lab.py ${PROJECT_SOURCE_DIR}
          ${PROJECT_BINARY_DIR} ${PROJECT_BINARY_DIR}/e2e-validate)
set_tests_properties("e2e: lab data files, resume overrides and merged folders" PROPERTIES
  LABELS "e2e;lab" TIMEOUT 600 RESOURCE_LOCK lab
  REQUIRED_FILES "${PROJECT_BINARY_DIR}/mxscan-persona;${PROJECT_BINARY_DIR}/mxscan")
