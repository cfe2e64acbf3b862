# The lab (docs/lab.md): the persona server and the lab's own tests.
# Included by tests/CMakeLists.txt like every tests/cmake/*.cmake fragment.
file(GLOB MXSCAN_PERSONA_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/lab/persona/*.cpp)
add_executable(mxscan-persona ${MXSCAN_PERSONA_SOURCES})
target_link_libraries(mxscan-persona PRIVATE Boost::headers OpenSSL::SSL OpenSSL::Crypto
  tomlplusplus::tomlplusplus CLI11::CLI11 Threads::Threads)
target_compile_definitions(mxscan-persona PRIVATE BOOST_ASIO_NO_DEPRECATED)
set_target_properties(mxscan-persona PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
mxscan_set_warnings(mxscan-persona)

# The lab's own test: every part answers as declared, and `down` leaves nothing running.
add_test(NAME "lab: parts answer as declared"
  COMMAND ${PROJECT_SOURCE_DIR}/tests/lab/lab_test.sh ${PROJECT_BINARY_DIR})
set_tests_properties("lab: parts answer as declared" PROPERTIES
  LABELS "lab" TIMEOUT 180 RESOURCE_LOCK lab
  REQUIRED_FILES ${PROJECT_BINARY_DIR}/mxscan-persona)

# The scale scenario at a CI-friendly size: generator, range personas and sampling.
add_test(NAME "lab: scale scenario answers"
  COMMAND ${PROJECT_SOURCE_DIR}/tests/lab/lab_test.sh ${PROJECT_BINARY_DIR}
          --scenario scale --domains 20000)
set_tests_properties("lab: scale scenario answers" PROPERTIES
  LABELS "lab" TIMEOUT 240 RESOURCE_LOCK lab
  REQUIRED_FILES ${PROJECT_BINARY_DIR}/mxscan-persona)
