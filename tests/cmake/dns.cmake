# DNS stage against real servers: NSD on 127.0.0.1 plus silent, SERVFAIL,
# counting and malformed responders on 127.0.0.2-5 (tests/dns/run.sh starts and
# stops them). Self-contained and ~10 s, so also part of the "unit" pass.
find_program(MXSCAN_NSD nsd PATHS /usr/sbin)
if(MXSCAN_NSD)
  add_test(NAME "dns: stage against NSD and responders"
    COMMAND ${PROJECT_SOURCE_DIR}/tests/dns/run.sh $<TARGET_FILE:test_scanner>)
  set_tests_properties("dns: stage against NSD and responders" PROPERTIES
    LABELS "dns;unit" TIMEOUT 120)
endif()
