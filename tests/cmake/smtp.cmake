# SMTP/TLS stage: the test SMTP server (faults a real MTA cannot show), the
# benchmark tools, and the tests driven by a real Postfix instance.
# Included by tests/CMakeLists.txt like every tests/cmake/*.cmake fragment.
add_library(mxscan_test_smtpd STATIC ${CMAKE_CURRENT_SOURCE_DIR}/tools/test_smtp_server.cpp)
target_include_directories(mxscan_test_smtpd PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/tools)
target_link_libraries(mxscan_test_smtpd PUBLIC Boost::headers OpenSSL::SSL OpenSSL::Crypto Threads::Threads)
target_compile_definitions(mxscan_test_smtpd PUBLIC BOOST_ASIO_NO_DEPRECATED)
mxscan_set_warnings(mxscan_test_smtpd)

# The in-process fault tests live in tests/scanner (test_scanner) and use it.
target_link_libraries(test_scanner PRIVATE mxscan_test_smtpd)

# Stand-alone server and client for scripts/bench smtp.
add_executable(mxscan-test-smtpd ${CMAKE_CURRENT_SOURCE_DIR}/tools/test_smtpd_main.cpp)
target_link_libraries(mxscan-test-smtpd PRIVATE mxscan_test_smtpd)
set_target_properties(mxscan-test-smtpd PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
mxscan_set_warnings(mxscan-test-smtpd)

add_executable(mxscan-smtp-bench ${CMAKE_CURRENT_SOURCE_DIR}/tools/smtp_bench_main.cpp)
target_link_libraries(mxscan-smtp-bench PRIVATE mxscan_scanner)
set_target_properties(mxscan-smtp-bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
mxscan_set_warnings(mxscan-smtp-bench)

# Real Postfix (scripts/lib/lab_postfix.sh) with the lab PKI: hidden [.postfix] Catch tests.
add_test(NAME "smtp: session against real Postfix"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/smtp/postfix_session_test.sh
          $<TARGET_FILE:test_scanner> ${PROJECT_BINARY_DIR}/smtp-postfix-test)
set_tests_properties("smtp: session against real Postfix" PROPERTIES
  LABELS "smtp;lab" TIMEOUT 120 RUN_SERIAL TRUE)
target_compile_definitions(mxscan-smtp-bench PRIVATE MXSCAN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
