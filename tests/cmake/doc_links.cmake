# The docs cite only files that ship: every relative link, cited page and repository path in
# README.md and docs/*.md exists in the source tree (tests/app/cli/doc_links.py).
add_test(NAME "docs: every cited file ships in the repository"
  COMMAND python3 ${PROJECT_SOURCE_DIR}/tests/app/cli/doc_links.py ${PROJECT_SOURCE_DIR})
set_tests_properties("docs: every cited file ships in the repository" PROPERTIES LABELS "unit;docs")

# The check itself fails on a missing page, naming it (a broken copy of a page in a scratch tree).
add_test(NAME "docs: the link check names a missing file"
  COMMAND bash ${PROJECT_SOURCE_DIR}/tests/app/cli/doc_links_fails.sh ${PROJECT_SOURCE_DIR}
          ${PROJECT_BINARY_DIR}/doc-links-test)
set_tests_properties("docs: the link check names a missing file" PROPERTIES LABELS "unit;docs")
