# Fuzz harnesses (tests/fuzz/fuzz_<name>.cpp, one per parser of untrusted bytes).
# Each is compiled into the Catch2 executable of the library it exercises, where
# "corpus replay: <name>" feeds it tests/fuzz/<name>/ (seeds and regressions) in
# every build; with MXSCAN_FUZZ=ON (clang) tests/fuzz/CMakeLists.txt also makes
# it a libFuzzer executable, run by scripts/fuzz.
#   name:test-folder (the folder names the library: common, inference, scanner)
set(MXSCAN_FUZZ_HARNESSES
  domain_list:common
  names:common
  scan_config:common
  observation_jsonl:common
  pfx2as:common
  cert_names:common
  fqdn_extractor:inference
  provider_catalog:inference
  smtp_reply:scanner
  dns_message:scanner
  blocklist:scanner
)

foreach(entry IN LISTS MXSCAN_FUZZ_HARNESSES)
  string(REPLACE ":" ";" parts ${entry})
  list(GET parts 0 name)
  list(GET parts 1 folder)
  target_sources(test_${folder} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_${name}.cpp)
  target_include_directories(test_${folder} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)
endforeach()

if(MXSCAN_FUZZ)
  add_subdirectory(fuzz)
endif()
