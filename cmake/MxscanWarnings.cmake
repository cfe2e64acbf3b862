# Warnings and sanitizers are set here once and applied to each project target.
function(mxscan_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                                           -Wnon-virtual-dtor -Wold-style-cast)
  if(MXSCAN_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# clang < 15 cannot emit -fsanitize=function (part of "undefined") for coroutines:
# "error: Cannot represent a difference across sections" (llvm-project#49689).
set(MXSCAN_UBSAN_EXCLUDE "")
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 15)
  set(MXSCAN_UBSAN_EXCLUDE -fno-sanitize=function)
endif()

if(MXSCAN_SANITIZE)
  add_compile_options(-fsanitize=address,undefined ${MXSCAN_UBSAN_EXCLUDE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  # g++ 12 with -fsanitize reports Asio's coroutine frames (awaitable_frame_base
  # declares its own matching operator new and sized delete) as
  # -Wmismatched-new-delete in Resolver::addresses: a false positive that broke
  # the ASan build under -Werror.
  # It also reports libstdc++'s own std::regex internals (std::function inside
  # _State, used by tests) as -Wmaybe-uninitialized: the sanitizer's
  # instrumentation defeats g++'s flow analysis, a known source of false positives.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-mismatched-new-delete -Wno-maybe-uninitialized)
  endif()
  add_link_options(-fsanitize=address,undefined)
endif()

# ThreadSanitizer cannot be combined with ASan; its own build (build-tsan).
if(MXSCAN_SANITIZE_THREAD)
  if(MXSCAN_SANITIZE OR MXSCAN_FUZZ)
    message(FATAL_ERROR "MXSCAN_SANITIZE_THREAD cannot be combined with MXSCAN_SANITIZE or MXSCAN_FUZZ")
  endif()
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  # g++ warns that TSan does not model std::atomic_thread_fence (Asio's
  # std_fenced_block); Asio's handoffs between threads also go through its
  # scheduler's mutex, which TSan does see.
  # The same g++ 12 false positives as under ASan (see above): instrumentation
  # defeats its flow analysis (seen at -O1 in Resolver::addresses).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-tsan -Wno-mismatched-new-delete -Wno-maybe-uninitialized)
  endif()
  add_link_options(-fsanitize=thread)
endif()

# Every library is instrumented for coverage and checked by ASan+UBSan; only the
# fuzz executables link libFuzzer itself (tests/fuzz/CMakeLists.txt).
if(MXSCAN_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "MXSCAN_FUZZ needs clang (libFuzzer): configure with CXX=clang++")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined ${MXSCAN_UBSAN_EXCLUDE}
                      -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
