# SMTP/TLS stage: the test SMTP server (faults a real MTA cannot show), the
# benchmark tools, and the tests driven by a real Postfix instance.
# Included by tests/CMakeLists.txt like every tests/cmake/*.cmake fragment.
add_library(mxscan_test_smtpd STATIC ${CMAKE_CURRENT_SOURCE_DIR}/support/test_smtp_server.cpp)
target_include_directories(mxscan_test_smtpd PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/support)
target_link_libraries(mxscan_test_smtpd PUBLIC Boost::headers OpenSSL::SSL OpenSSL::Crypto Threads::Threads
  PRIVATE mxscan_scanner)  # TlsLink only
target_compile_definitions(mxscan_test_smtpd PUBLIC BOOST_ASIO_NO_DEPRECATED)
mxscan_set_warnings(mxscan_test_smtpd)

# Sessions against the in-process fault server and the lab PKI (self-contained, each
# well under 30 s): labels smtp and unit. The [postfix] cases are hidden here and run
# by the Postfix test below.
add_executable(test_smtp ${CMAKE_CURRENT_SOURCE_DIR}/scanner/smtp/smtp_stage_test.cpp
                         ${CMAKE_CURRENT_SOURCE_DIR}/scanner/smtp/hostile_smtp_test.cpp
                         ${CMAKE_CURRENT_SOURCE_DIR}/scanner/smtp/smtp_postfix_test.cpp
                         $<TARGET_OBJECTS:mxscan_catch_main>)
target_link_libraries(test_smtp PRIVATE Catch2::Catch2 mxscan_scanner mxscan_test_smtpd)
target_compile_definitions(test_smtp PRIVATE
  MXSCAN_SOURCE_DIR="${PROJECT_SOURCE_DIR}" MXSCAN_BINARY_DIR="${PROJECT_BINARY_DIR}")
mxscan_set_warnings(test_smtp)
# One CTest entry for the whole executable (~6 s): catch_discover_tests writes
# multi-value LABELS as separate words, which CTest reads as one label.
add_test(NAME "smtp: sessions against the fault server and the lab PKI" COMMAND test_smtp)
set_tests_properties("smtp: sessions against the fault server and the lab PKI" PROPERTIES
  LABELS "smtp;unit" TIMEOUT 60)

# Stand-alone server and client for scripts/bench smtp.
add_executable(mxscan-test-smtpd ${CMAKE_CURRENT_SOURCE_DIR}/bench/test_smtpd_main.cpp)
target_link_libraries(mxscan-test-smtpd PRIVATE mxscan_test_smtpd)
set_target_properties(mxscan-test-smtpd PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
mxscan_set_warnings(mxscan-test-smtpd)

add_executable(mxscan-smtp-bench ${CMAKE_CURRENT_SOURCE_DIR}/bench/smtp_bench_main.cpp)
target_link_libraries(mxscan-smtp-bench PRIVATE mxscan_scanner)
set_target_properties(mxscan-smtp-bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
mxscan_set_warnings(mxscan-smtp-bench)
mxscan_use_mimalloc(mxscan-smtp-bench)  # measures the scanner as it ships

# What OpenSSL alone costs per session (scripts/bench tls-floor).
add_executable(mxscan-tls-floor ${CMAKE_CURRENT_SOURCE_DIR}/bench/tls_floor_main.cpp)
target_link_libraries(mxscan-tls-floor PRIVATE mxscan_scanner mxscan_test_smtpd)
set_target_properties(mxscan-tls-floor PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
mxscan_set_warnings(mxscan-tls-floor)

# Real Postfix (scripts/lib/lab_postfix.sh) with the lab PKI: hidden [.postfix] Catch tests.
add_test(NAME "smtp: session against real Postfix"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/scanner/smtp/postfix_session_test.sh
          $<TARGET_FILE:test_smtp> ${PROJECT_BINARY_DIR}/smtp-postfix-test)
set_tests_properties("smtp: session against real Postfix" PROPERTIES
  LABELS "smtp;lab;postfix" TIMEOUT 120 RUN_SERIAL TRUE)
target_compile_definitions(mxscan-smtp-bench PRIVATE MXSCAN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

# Probe tool and the session test against the lab (persona server + Postfix + PKI).
add_executable(mxscan-smtp-probe ${CMAKE_CURRENT_SOURCE_DIR}/lab/smtp_probe_main.cpp)
target_link_libraries(mxscan-smtp-probe PRIVATE mxscan_scanner)
target_compile_definitions(mxscan-smtp-probe PRIVATE MXSCAN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
set_target_properties(mxscan-smtp-probe PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
mxscan_set_warnings(mxscan-smtp-probe)
add_test(NAME "smtp: sessions against the lab personas"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/scanner/smtp/lab_session_test.sh ${PROJECT_BINARY_DIR}
          ${PROJECT_BINARY_DIR}/smtp-lab-test)
set_tests_properties("smtp: sessions against the lab personas" PROPERTIES
  LABELS "smtp;lab" TIMEOUT 300 RUN_SERIAL TRUE)
