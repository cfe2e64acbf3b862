# Third-party libraries, all from Debian 12 packages (see docs/dependencies.md).
# Their headers are included as SYSTEM so project warnings do not apply to them.
find_package(PkgConfig REQUIRED)
pkg_check_modules(CARES REQUIRED IMPORTED_TARGET libcares)
pkg_check_modules(PSL REQUIRED IMPORTED_TARGET libpsl)
pkg_check_modules(MAXMINDDB REQUIRED IMPORTED_TARGET libmaxminddb)
pkg_check_modules(IDN2 REQUIRED IMPORTED_TARGET libidn2)
find_package(Boost 1.81.0 EXACT CONFIG REQUIRED COMPONENTS headers)
find_package(OpenSSL 3 REQUIRED)
find_package(fmt 9 REQUIRED)
find_package(simdjson REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(CLI11 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(Threads REQUIRED)

# mimalloc replaces malloc in the executables that scan: OpenSSL 3.0 allocates
# ~2,000 times per TLS handshake (docs/dependencies.md, docs/performance.md).
if(MXSCAN_MIMALLOC)
  find_package(mimalloc 2.0 CONFIG REQUIRED)
  add_library(mxscan_mimalloc_link OBJECT ${PROJECT_SOURCE_DIR}/app/allocator/mimalloc_link.cpp)
  target_link_libraries(mxscan_mimalloc_link PUBLIC mimalloc)
endif()

# Makes `target` allocate with mimalloc when MXSCAN_MIMALLOC is on.
function(mxscan_use_mimalloc target)
  if(MXSCAN_MIMALLOC)
    target_link_libraries(${target} PRIVATE mxscan_mimalloc_link)
  endif()
endfunction()
