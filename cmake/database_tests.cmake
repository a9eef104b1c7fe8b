# customsdesk_db_test(NAME SOURCES ... LIBS ... [LABELS ...])
#
# Builds one GoogleTest executable and registers its tests twice with ctest:
#   sqlite/NAME.Suite.Case    env CUSTOMSDESK_TEST_DB=sqlite                    label sqlite
#   postgres/NAME.Suite.Case  env CUSTOMSDESK_TEST_DB=postgres,
#                                 CUSTOMSDESK_TEST_PG_DIR=<build>/pgtest       label postgres
# The PostgreSQL tests require the ctest fixture "postgres": postgres_server_start starts a
# throwaway cluster with scripts/pg-test-server.sh before them, postgres_server_stop removes it.
# Tests open their database through tests/support/test_database.hpp (customsdesk_test_support).
include_guard(GLOBAL)

set(CUSTOMSDESK_PG_TEST_DIR ${CMAKE_BINARY_DIR}/pgtest CACHE INTERNAL "Throwaway PostgreSQL cluster for tests")

function(_customsdesk_postgres_fixture)
  get_property(defined GLOBAL PROPERTY CUSTOMSDESK_POSTGRES_FIXTURE_DEFINED)
  if(defined)
    return()
  endif()
  set_property(GLOBAL PROPERTY CUSTOMSDESK_POSTGRES_FIXTURE_DEFINED TRUE)
  add_test(NAME postgres_server_start
           COMMAND ${PROJECT_SOURCE_DIR}/scripts/pg-test-server.sh start ${CUSTOMSDESK_PG_TEST_DIR})
  set_tests_properties(postgres_server_start PROPERTIES FIXTURES_SETUP postgres LABELS postgres TIMEOUT 120
                       RESOURCE_LOCK postgres_server)
  add_test(NAME postgres_server_stop
           COMMAND ${PROJECT_SOURCE_DIR}/scripts/pg-test-server.sh stop ${CUSTOMSDESK_PG_TEST_DIR})
  set_tests_properties(postgres_server_stop PROPERTIES FIXTURES_CLEANUP postgres LABELS postgres TIMEOUT 60
                       RESOURCE_LOCK postgres_server)
endfunction()

function(customsdesk_db_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT CUSTOMSDESK_BUILD_TESTS)
    return()
  endif()
  _customsdesk_postgres_fixture()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} customsdesk_test_support GTest::gtest GTest::gtest_main)
  gtest_discover_tests(${name}
    TEST_PREFIX "sqlite/${name}."
    TEST_LIST ${name}_SQLITE_TESTS
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    DISCOVERY_TIMEOUT 60
    PROPERTIES ENVIRONMENT "CUSTOMSDESK_TEST_DB=sqlite" LABELS "sqlite" TIMEOUT 300)
  gtest_discover_tests(${name}
    TEST_PREFIX "postgres/${name}."
    TEST_LIST ${name}_POSTGRES_TESTS
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "postgres" FIXTURES_REQUIRED postgres TIMEOUT 300)
  # A two-variable ENVIRONMENT list does not survive gtest_discover_tests' PROPERTIES pass-through
  # (it is split into separate arguments), so set it from a ctest include file that runs after the
  # discovered tests are defined and sees their names in ${name}_POSTGRES_TESTS.
  set(env_file ${CMAKE_CURRENT_BINARY_DIR}/${name}_postgres_env.cmake)
  file(WRITE ${env_file}
    "foreach(t IN LISTS ${name}_POSTGRES_TESTS)\n"
    "  set_tests_properties(\"\${t}\" PROPERTIES ENVIRONMENT "
    "\"CUSTOMSDESK_TEST_DB=postgres;CUSTOMSDESK_TEST_PG_DIR=${CUSTOMSDESK_PG_TEST_DIR}\")\n"
    "endforeach()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${env_file})
endfunction()
