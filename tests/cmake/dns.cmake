# DNS stage against real servers: NSD on 127.0.0.1 plus silent, SERVFAIL,
# counting and malformed responders on 127.0.0.2-5 (tests/scanner/dns/run.sh starts and
# stops them). Self-contained and ~10 s, so also part of the "unit" pass.
find_program(MXSCAN_NSD nsd PATHS /usr/sbin)
if(MXSCAN_NSD)
  add_test(NAME "dns: stage against NSD and responders"
    COMMAND ${PROJECT_SOURCE_DIR}/tests/scanner/dns/run.sh $<TARGET_FILE:test_scanner>)
  set_tests_properties("dns: stage against NSD and responders" PROPERTIES
    LABELS "dns;unit" TIMEOUT 120)
endif()

# Driver of scripts/bench dns (built with the tests; not installed).
add_executable(dns_bench_driver ${PROJECT_SOURCE_DIR}/tests/bench/dns_bench_driver.cpp)
target_link_libraries(dns_bench_driver PRIVATE mxscan_scanner)
mxscan_set_warnings(dns_bench_driver)
set_target_properties(dns_bench_driver PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
