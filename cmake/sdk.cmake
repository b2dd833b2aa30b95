# The plugin SDK: what `cmake --install` adds so that a plugin builds out of tree against the
# installed ingestd alone (header + pkg-config file + CMake package). Included from the top
# CMakeLists.txt after INGESTD_PLUGIN_SUBDIR is set.
#
#   <prefix>/include/ingestd/plugin.h                    (installed by the top CMakeLists.txt)
#   <prefix>/share/pkgconfig/ingestd-plugin.pc           pkg-config --cflags ingestd-plugin
#   <prefix>/share/cmake/IngestdPlugin/*.cmake           find_package(IngestdPlugin) -> Ingestd::plugin
#
# The SDK's version is the plugin ABI version read from plugin.h (a plugin needs the same major
# and at least its minor); the daemon's version is a separate variable.
file(STRINGS ${CMAKE_SOURCE_DIR}/include/ingestd/plugin.h ig_abi_lines
     REGEX "^#define INGESTD_ABI_(MAJOR|MINOR) [0-9]+")
string(REGEX REPLACE ".*INGESTD_ABI_MAJOR ([0-9]+).*" "\\1" INGESTD_ABI_MAJOR "${ig_abi_lines}")
string(REGEX REPLACE ".*INGESTD_ABI_MINOR ([0-9]+).*" "\\1" INGESTD_ABI_MINOR "${ig_abi_lines}")
set(INGESTD_ABI_VERSION "${INGESTD_ABI_MAJOR}.${INGESTD_ABI_MINOR}")

set(ig_sdk_dir ${CMAKE_BINARY_DIR}/sdk)
configure_file(${CMAKE_CURRENT_LIST_DIR}/IngestdPluginConfig.cmake.in
               ${ig_sdk_dir}/IngestdPluginConfig.cmake @ONLY)
include(CMakePackageConfigHelpers)
write_basic_package_version_file(${ig_sdk_dir}/IngestdPluginConfigVersion.cmake
                                 VERSION ${INGESTD_ABI_VERSION} COMPATIBILITY SameMajorVersion
                                 ARCH_INDEPENDENT)
# The CMake package is relocatable (it finds the prefix from its own location).
install(FILES ${ig_sdk_dir}/IngestdPluginConfig.cmake ${ig_sdk_dir}/IngestdPluginConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_DATADIR}/cmake/IngestdPlugin)
# The pkg-config file names the prefix chosen at install time (`--prefix P` included).
configure_file(${CMAKE_CURRENT_LIST_DIR}/ingestd-plugin.pc.in ${ig_sdk_dir}/ingestd-plugin.pc.in
               @ONLY)
install(CODE "
  file(READ \"${ig_sdk_dir}/ingestd-plugin.pc.in\" ig_pc)
  string(REPLACE \"%PREFIX%\" \"\${CMAKE_INSTALL_PREFIX}\" ig_pc \"\${ig_pc}\")
  set(ig_pc_dir \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/pkgconfig\")
  file(MAKE_DIRECTORY \"\${ig_pc_dir}\")
  file(WRITE \"\${ig_pc_dir}/ingestd-plugin.pc\" \"\${ig_pc}\")
  message(STATUS \"Installing: \${ig_pc_dir}/ingestd-plugin.pc\")
")
install(FILES ${CMAKE_SOURCE_DIR}/PLUGINS.md DESTINATION ${CMAKE_INSTALL_DOCDIR} OPTIONAL)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/examples/plugins/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
        OPTIONAL)
