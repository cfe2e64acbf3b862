# The lab (docs/lab.md): the persona server and the lab's own tests.
# Included by tests/CMakeLists.txt like every tests/cmake/*.cmake fragment.
set(MXSCAN_PERSONA_DIR ${CMAKE_CURRENT_SOURCE_DIR}/lab/persona)

# Configuration and records: no Asio, unit-tested on their own.
add_library(mxscan_lab_persona_core STATIC
  ${MXSCAN_PERSONA_DIR}/persona_config.cpp ${MXSCAN_PERSONA_DIR}/conduct_record.cpp)
target_include_directories(mxscan_lab_persona_core PUBLIC ${MXSCAN_PERSONA_DIR})
target_link_libraries(mxscan_lab_persona_core PRIVATE tomlplusplus::tomlplusplus)
mxscan_set_warnings(mxscan_lab_persona_core)

add_executable(mxscan-persona ${MXSCAN_PERSONA_DIR}/persona_server.cpp)
target_link_libraries(mxscan-persona PRIVATE mxscan_lab_persona_core Boost::headers
  OpenSSL::SSL OpenSSL::Crypto CLI11::CLI11 Threads::Threads)
target_compile_definitions(mxscan-persona PRIVATE BOOST_ASIO_NO_DEPRECATED)
set_target_properties(mxscan-persona PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
mxscan_set_warnings(mxscan-persona)

file(GLOB MXSCAN_LAB_UNIT_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/lab/unit/*.cpp)
add_executable(test_lab ${MXSCAN_LAB_UNIT_SOURCES} $<TARGET_OBJECTS:mxscan_catch_main>)
target_link_libraries(test_lab PRIVATE mxscan_lab_persona_core Catch2::Catch2)
mxscan_set_warnings(test_lab)
catch_discover_tests(test_lab TEST_PREFIX "lab: " PROPERTIES LABELS "unit;lab")

# The lab's own test: every part answers as declared, and `down` leaves nothing running.
add_test(NAME "lab: parts answer as declared"
  COMMAND ${PROJECT_SOURCE_DIR}/tests/lab/lab_test.sh ${PROJECT_BINARY_DIR})
set_tests_properties("lab: parts answer as declared" PROPERTIES
  LABELS "lab" TIMEOUT 180 RESOURCE_LOCK lab
  REQUIRED_FILES "${PROJECT_BINARY_DIR}/mxscan-persona;${PROJECT_BINARY_DIR}/mxscan")

# The scale scenario at a CI-friendly size: generator, range personas and sampling.
add_test(NAME "lab: scale scenario answers"
  COMMAND ${PROJECT_SOURCE_DIR}/tests/lab/lab_test.sh ${PROJECT_BINARY_DIR}
          --scenario scale --domains 20000)
set_tests_properties("lab: scale scenario answers" PROPERTIES
  LABELS "lab" TIMEOUT 240 RESOURCE_LOCK lab
  REQUIRED_FILES ${PROJECT_BINARY_DIR}/mxscan-persona)

# End to end at mxscan's default settings (rates, caps, timeouts): results and conduct read
# from the lab's own records.
# tests/e2e/scan_lab.py covers resume, shards, dry run and refusals with faster settings.
add_test(NAME "e2e: standard lab scan at default settings"
  COMMAND ${PROJECT_SOURCE_DIR}/tests/lab/e2e_test.sh ${PROJECT_BINARY_DIR})
set_tests_properties("e2e: standard lab scan at default settings" PROPERTIES
  LABELS "e2e;lab" TIMEOUT 600 RESOURCE_LOCK lab
  REQUIRED_FILES ${PROJECT_BINARY_DIR}/mxscan-persona)
