# `mxscan catalog check` on the shipped provider catalog (must be clean) and on a
# broken one (every problem reported, exit 1), plus its usage errors.
add_test(NAME "cli: mxscan catalog check"
  COMMAND bash ${PROJECT_SOURCE_DIR}/tests/app/cli/catalog_check.sh $<TARGET_FILE:mxscan>
          ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/catalog-check-test)
set_tests_properties("cli: mxscan catalog check" PROPERTIES LABELS "unit;cli")
