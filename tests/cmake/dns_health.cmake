# Resolvers that do not answer (docs/reliability.md, "Honest failure: a resolver
# that does not answer"): refused at start-up with exit 2 and nothing written,
# a partial answer warned about, --resume refused untouched, and a scan waiting
# on timeouts using under 5 % CPU. No lab: tests/support/flaky_resolver.py plays the
# resolver on 127.0.0.1.
add_test(NAME "dns: resolvers probed before a scan; waiting on timeouts is idle"
  COMMAND python3 ${PROJECT_SOURCE_DIR}/tests/scanner/dns/resolver_probe_cli.py ${PROJECT_SOURCE_DIR}
          ${PROJECT_BINARY_DIR} ${PROJECT_BINARY_DIR}/resolver-probe-cli)
set_tests_properties("dns: resolvers probed before a scan; waiting on timeouts is idle" PROPERTIES
  LABELS "unit;cli;dns" TIMEOUT 180 REQUIRED_FILES "${PROJECT_BINARY_DIR}/mxscan")

# The lab's resolver dying mid-scan (a relay in front of its NSD): exit 1, state
# failed, no timeout rows recorded, --resume completes with the results of an
# uninterrupted scan; a resolver back within dns.outage_wait_ms is waited for.
add_test(NAME "e2e: a resolver dying mid-scan fails the scan, resumably"
  COMMAND python3 ${PROJECT_SOURCE_DIR}/tests/e2e/dns_outage_lab.py ${PROJECT_SOURCE_DIR}
          ${PROJECT_BINARY_DIR} ${PROJECT_BINARY_DIR}/dns-outage-lab)
set_tests_properties("e2e: a resolver dying mid-scan fails the scan, resumably" PROPERTIES
  LABELS "e2e;lab" TIMEOUT 600 RESOURCE_LOCK lab
  REQUIRED_FILES "${PROJECT_BINARY_DIR}/mxscan-persona;${PROJECT_BINARY_DIR}/mxscan")
