# The executables that scan allocate with mimalloc when MXSCAN_MIMALLOC is on
# (docs/dependencies.md). Debian's linker drops a library nothing calls, which
# would silently bring glibc's malloc back: check what the built binaries use.
if(MXSCAN_MIMALLOC)
  foreach(exe mxscan mxscan-smtp-bench)
    add_test(NAME "cli: ${exe} allocates with mimalloc"
      COMMAND bash -c "ldd \"$1\" | grep -q 'libmimalloc[.]so' && \
{ [ \"$2\" != mxscan ] || \"$1\" --version | grep -Eq '^allocator +mimalloc 2[.]'; }"
        _ $<TARGET_FILE:${exe}> ${exe})
    set_tests_properties("cli: ${exe} allocates with mimalloc" PROPERTIES LABELS "unit;cli")
  endforeach()
endif()
