# Core modules (everything but the two programs' main files), shared by ingestd, the unit
# tests and the fuzz targets.
file(GLOB CORE_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.c)
list(REMOVE_ITEM CORE_SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/main.c
     ${CMAKE_CURRENT_SOURCE_DIR}/ingestctl.c ${CMAKE_CURRENT_SOURCE_DIR}/record.c
     ${CMAKE_CURRENT_SOURCE_DIR}/utf8.c ${CMAKE_CURRENT_SOURCE_DIR}/hash.c
     ${CMAKE_CURRENT_SOURCE_DIR}/xalloc.c ${CMAKE_CURRENT_SOURCE_DIR}/crashpoint.c)
add_library(ingestd_core STATIC ${CORE_SOURCES})
target_include_directories(ingestd_core PUBLIC ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_SOURCE_DIR}/include)
target_link_libraries(ingestd_core PUBLIC ingestd_record PkgConfig::LIBUV PkgConfig::JANSSON
                      PkgConfig::SQLITE3 PkgConfig::LIBCURL PkgConfig::LIBXML2 Threads::Threads ${CMAKE_DL_LIBS} m)
target_compile_definitions(ingestd_core PUBLIC INGESTD_VERSION="${PROJECT_VERSION}"
                           INGESTD_PLUGIN_SUBDIR="${INGESTD_PLUGIN_SUBDIR}")

if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/main.c)
  add_executable(ingestd main.c)
  target_link_libraries(ingestd PRIVATE ingestd_core)
  install(TARGETS ingestd RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/ingestctl.c)
  add_executable(ingestctl ingestctl.c)
  target_link_libraries(ingestctl PRIVATE ingestd_core)
  install(TARGETS ingestctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES ${CMAKE_SOURCE_DIR}/completions/ingestctl.bash
          DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME ingestctl)
endif()
