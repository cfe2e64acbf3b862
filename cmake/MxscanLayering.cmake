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
