# mxscan_forbid_links(target forbidden...): fail the configure step when `target`
# reaches any of `forbidden` through its link graph. This is how the layering of
# docs/architecture.md (common <- inference <- scanner) is enforced.
function(_mxscan_collect_links target out_var)
  set(seen ${${out_var}})
  get_target_property(libs ${target} LINK_LIBRARIES)
  get_target_property(ilibs ${target} INTERFACE_LINK_LIBRARIES)
  foreach(lib IN LISTS libs ilibs)
    if(TARGET ${lib} AND NOT lib IN_LIST seen)
      list(APPEND seen ${lib})
      _mxscan_collect_links(${lib} seen)
    endif()
  endforeach()
  set(${out_var} ${seen} PARENT_SCOPE)
endfunction()

function(mxscan_forbid_links target)
  set(reached "")
  _mxscan_collect_links(${target} reached)
  foreach(forbidden IN LISTS ARGN)
    if(forbidden IN_LIST reached)
      message(FATAL_ERROR "Layering violation: ${target} links ${forbidden} "
                          "(see docs/architecture.md)")
    endif()
  endforeach()
endfunction()

# mxscan_require_link_for_header(header imported_target targets...): fail the
# configure step when a source of one of `targets` includes `header` but the
# target does not link `imported_target`. simdjson's target carries a compile
# definition (SIMDJSON_THREADS_ENABLED) that changes dom::parser's layout; a
# file that includes the header without it breaks the one-definition rule
# (UBSan's "member call on misaligned address" in the sanitizer build).
function(mxscan_require_link_for_header header imported)
  foreach(target IN LISTS ARGN)
    get_target_property(sources ${target} SOURCES)
    get_target_property(dir ${target} SOURCE_DIR)
    get_target_property(libs ${target} LINK_LIBRARIES)
    foreach(source IN LISTS sources)
      cmake_path(ABSOLUTE_PATH source BASE_DIRECTORY ${dir})
      file(STRINGS ${source} hits REGEX "#include [<\"]${header}[>\"]")
      if(hits AND NOT "${imported}" IN_LIST libs)
        message(FATAL_ERROR "${target}: ${source} includes ${header} but the target does not "
                            "link ${imported} (its compile definitions must reach every user)")
      endif()
    endforeach()
  endforeach()
endfunction()
