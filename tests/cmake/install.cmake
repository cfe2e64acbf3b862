# Installing and shipping mxscan: `cmake --install` layout and configuration
# lookup (a copied binary refuses clearly), the man page covering every option
# of every --help, subcommand help without the scan's options, and --version's
# git commit (docs/reliability.md, "Honest failure: an installed or copied binary").
add_test(NAME "cli: installed mxscan finds its configuration; a copied one refuses clearly"
  COMMAND bash ${PROJECT_SOURCE_DIR}/tests/app/cli/install.sh ${CMAKE_COMMAND} ${PROJECT_BINARY_DIR}
          ${PROJECT_SOURCE_DIR})
add_test(NAME "cli: the man page documents every option of every --help"
  COMMAND bash ${PROJECT_SOURCE_DIR}/tests/app/cli/man_page_options.sh $<TARGET_FILE:mxscan>
          ${PROJECT_SOURCE_DIR}/docs/mxscan.1)
add_test(NAME "cli: subcommand help shows only the subcommand's options"
  COMMAND bash ${PROJECT_SOURCE_DIR}/tests/app/cli/subcommand_help.sh $<TARGET_FILE:mxscan>)
add_test(NAME "cli: --version names the git commit of the build"
  COMMAND bash ${PROJECT_SOURCE_DIR}/tests/app/cli/git_revision.sh ${CMAKE_COMMAND} ${PROJECT_SOURCE_DIR}
          $<TARGET_FILE:mxscan> ${PROJECT_SOURCE_DIR}/cmake/MxscanGitRevisionWrite.cmake)
set_tests_properties(
  "cli: installed mxscan finds its configuration; a copied one refuses clearly"
  "cli: the man page documents every option of every --help"
  "cli: subcommand help shows only the subcommand's options"
  "cli: --version names the git commit of the build"
  PROPERTIES LABELS "unit;cli;install" TIMEOUT 120 REQUIRED_FILES ${PROJECT_BINARY_DIR}/mxscan)

# The installed binary on the lab: results equal the ground truth, read with the
# installed configuration.
add_test(NAME "e2e: installed mxscan scans the lab with its installed configuration"
  COMMAND bash ${PROJECT_SOURCE_DIR}/tests/app/cli/install_lab.sh ${CMAKE_COMMAND} ${PROJECT_BINARY_DIR}
          ${PROJECT_SOURCE_DIR})
set_tests_properties("e2e: installed mxscan scans the lab with its installed configuration"
  PROPERTIES LABELS "e2e;lab;install" TIMEOUT 300 RESOURCE_LOCK lab
  REQUIRED_FILES "${PROJECT_BINARY_DIR}/mxscan-persona;${PROJECT_BINARY_DIR}/mxscan")
