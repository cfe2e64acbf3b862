# Tests on optional third-party data that the repository does not carry (MaxMind's
# GeoLite2-ASN test database). They run when the data is present and show as skipped,
# naming the missing file, when it is not: the executable exits 77 (SKIP_RETURN_CODE).
# The mmdb reader is also tested on data the project generates (tests/scanner).
# Included by tests/CMakeLists.txt like every tests/cmake/*.cmake fragment.
add_executable(test_geolite2_asn ${CMAKE_CURRENT_SOURCE_DIR}/thirdparty/geolite2_asn_test.cpp)
target_link_libraries(test_geolite2_asn PRIVATE Catch2::Catch2 mxscan_scanner)
target_compile_definitions(test_geolite2_asn PRIVATE MXSCAN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
mxscan_set_warnings(test_geolite2_asn)
foreach(mxscan_case IN ITEMS
    "mmdb: MaxMind's GeoLite2-ASN test database agrees with its JSON source"
    "mmdb: answers match the mmdblookup tool")
  add_test(NAME "scanner:${mxscan_case}" COMMAND test_geolite2_asn --warn NoTests "${mxscan_case}")
  set_tests_properties("scanner:${mxscan_case}" PROPERTIES
    LABELS "unit;scanner;thirdparty" SKIP_RETURN_CODE 77 TIMEOUT 60)
endforeach()
