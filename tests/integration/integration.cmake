# Integration tests: Python 3 (standard library only) scripts that run the real ingestd and
# ingestctl binaries, the built plugins, real SQLite files and a real Unix socket.
# Included from tests/CMakeLists.txt.
find_program(PYTHON3_EXECUTABLE NAMES python3 REQUIRED)

file(GLOB INTEGRATION_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_*.py)
foreach(script ${INTEGRATION_TESTS})
  get_filename_component(name ${script} NAME_WE)
  string(REGEX REPLACE "^test_" "" name ${name})
  add_test(NAME integration_${name} COMMAND ${PYTHON3_EXECUTABLE} ${script})
  set_tests_properties(integration_${name} PROPERTIES
    LABELS integration
    TIMEOUT 300
    ENVIRONMENT "INGESTD_BIN=${CMAKE_BINARY_DIR}/bin;INGESTD_SOURCE_DIR=${CMAKE_SOURCE_DIR};INGESTD_FIXTURE_PLUGINS=${CMAKE_BINARY_DIR}/tests/fixture-plugins;PYTHONDONTWRITEBYTECODE=1")
endforeach()
