# Torture programs (tests/torture/*_torture.py): the quick variants run in ctest (label
# "torture", each well under 30 s); the full variants run with tests/torture/run.sh and their
# figures are recorded in BENCHMARKS.md (Reliability). Included from tests/CMakeLists.txt.
find_program(PYTHON3_EXECUTABLE NAMES python3 REQUIRED)
file(GLOB TORTURE_PROGRAMS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*_torture.py)
foreach(script ${TORTURE_PROGRAMS})
  get_filename_component(name ${script} NAME_WE)
  string(REGEX REPLACE "_torture$" "" name ${name})
  add_test(NAME torture_${name} COMMAND ${PYTHON3_EXECUTABLE} ${script} --quick)
  set_tests_properties(torture_${name} PROPERTIES
    LABELS torture
    TIMEOUT 180
    SKIP_RETURN_CODE 77
    ENVIRONMENT "INGESTD_BIN=${CMAKE_BINARY_DIR}/bin;INGESTD_SOURCE_DIR=${CMAKE_SOURCE_DIR};INGESTD_FIXTURE_PLUGINS=${CMAKE_BINARY_DIR}/tests/fixture-plugins;PYTHONDONTWRITEBYTECODE=1")
endforeach()

# Regression tests found by the torture programs (tests/torture/regress_*.py), named after what
# they guard.
file(GLOB TORTURE_REGRESSIONS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/regress_*.py)
foreach(script ${TORTURE_REGRESSIONS})
  get_filename_component(name ${script} NAME_WE)
  add_test(NAME ${name} COMMAND ${PYTHON3_EXECUTABLE} ${script})
  set_tests_properties(${name} PROPERTIES
    LABELS "torture;regress"
    TIMEOUT 120
    ENVIRONMENT "INGESTD_BIN=${CMAKE_BINARY_DIR}/bin;INGESTD_SOURCE_DIR=${CMAKE_SOURCE_DIR};INGESTD_FIXTURE_PLUGINS=${CMAKE_BINARY_DIR}/tests/fixture-plugins;PYTHONDONTWRITEBYTECODE=1")
endforeach()
