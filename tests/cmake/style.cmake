# Habits checked like behaviour: every C++ source formatted as .clang-format
# says. clang-tidy runs on the changed files in .ci/run (scripts/tidy --changed),
# since a whole-tree pass costs minutes.
add_test(NAME "style: every C++ source is clang-formatted"
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/format-check)
set_tests_properties("style: every C++ source is clang-formatted" PROPERTIES LABELS "style")
# The check itself fails on a badly formatted file and names it.
add_test(NAME "style: the format check names an unformatted file"
  COMMAND bash -c [[
    dir=$1/style-check; mkdir -p "$dir"; printf 'int  f( ){return 0;}\n' >"$dir/bad.cpp"
    if out=$("$2/scripts/format-check" "$dir/bad.cpp" 2>&1); then echo "passed a bad file"; exit 1; fi
    grep -q "not formatted: .*style-check/bad.cpp" <<<"$out" || { echo "$out"; exit 1; }]]
    style ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR})
set_tests_properties("style: the format check names an unformatted file" PROPERTIES LABELS "style")
