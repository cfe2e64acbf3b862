# `cmake --install BUILD --prefix PREFIX`: the executable, its default
# configuration and the man page. The layout is fixed (not GNUInstallDirs'
# cache variables) because the executable finds its configuration relative to
# itself, at <bin>/../share/mxscan/configs (app/cli/config_search.hpp), so
# a prefix can be moved or copied whole.
install(TARGETS mxscan RUNTIME DESTINATION bin)
# Every file of configs/: mxscan.toml names the blocklist and the provider
# catalog relative to its own folder, so they must sit beside it.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/configs/ DESTINATION share/mxscan/configs)
install(FILES ${PROJECT_SOURCE_DIR}/docs/mxscan.1 DESTINATION share/man/man1)
