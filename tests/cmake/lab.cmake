# The lab (docs/lab.md): the persona server and the lab's own tests.
# Included by tests/CMakeLists.txt like every tests/cmake/*.cmake fragment.
file(GLOB MXSCAN_PERSONA_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/lab/persona/*.cpp)
add_executable(mxscan-persona ${MXSCAN_PERSONA_SOURCES})
target_link_libraries(mxscan-persona PRIVATE Boost::headers OpenSSL::SSL OpenSSL::Crypto
  tomlplusplus::tomlplusplus CLI11::CLI11 Threads::Threads)
target_compile_definitions(mxscan-persona PRIVATE BOOST_ASIO_NO_DEPRECATED)
set_target_properties(mxscan-persona PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
mxscan_set_warnings(mxscan-persona)
