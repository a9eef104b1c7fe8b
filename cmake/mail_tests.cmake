# customsdesk_mail_server_test(NAME SOURCES ... LIBS ...)
#
# Builds one GoogleTest executable whose tests need a real mail server, and registers them with the
# ctest fixture "mail_server": mail_server_start runs scripts/mail-test-server.sh start <build>/mailtest
# (a throwaway Postfix instance on a free loopback port) before them, mail_server_stop removes it
# after. The tests find the instance through CUSTOMSDESK_TEST_MAIL_DIR (files smtp_port, maildir_path,
# inbound_path, pipe_command_path; see the script). Postfix's master needs root: when the script cannot
# start it, it says why, the fixture fails and ctest reports these tests as not run (a failure), and
# a test started by hand without the fixture fails with the reason too. Label: mail. The tests share
# one instance and its pipe command, so they hold the resource lock mail_pipe (never run in parallel).
include_guard(GLOBAL)

set(CUSTOMSDESK_MAIL_TEST_DIR ${CMAKE_BINARY_DIR}/mailtest CACHE INTERNAL "Throwaway Postfix instance for tests")

function(_customsdesk_mail_server_fixture)
  get_property(defined GLOBAL PROPERTY CUSTOMSDESK_MAIL_FIXTURE_DEFINED)
  if(defined)
    return()
  endif()
  set_property(GLOBAL PROPERTY CUSTOMSDESK_MAIL_FIXTURE_DEFINED TRUE)
  add_test(NAME mail_server_start
           COMMAND ${PROJECT_SOURCE_DIR}/scripts/mail-test-server.sh start ${CUSTOMSDESK_MAIL_TEST_DIR})
  set_tests_properties(mail_server_start PROPERTIES FIXTURES_SETUP mail_server LABELS mail TIMEOUT 120
                       RESOURCE_LOCK mail_server)
  add_test(NAME mail_server_stop
           COMMAND ${PROJECT_SOURCE_DIR}/scripts/mail-test-server.sh stop ${CUSTOMSDESK_MAIL_TEST_DIR})
  set_tests_properties(mail_server_stop PROPERTIES FIXTURES_CLEANUP mail_server LABELS mail TIMEOUT 60
                       RESOURCE_LOCK mail_server)
endfunction()

function(customsdesk_mail_server_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  if(NOT CUSTOMSDESK_BUILD_TESTS)
    return()
  endif()
  _customsdesk_mail_server_fixture()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main)
  gtest_discover_tests(${name}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS mail FIXTURES_REQUIRED mail_server RESOURCE_LOCK mail_pipe TIMEOUT 300
               ENVIRONMENT "CUSTOMSDESK_TEST_MAIL_DIR=${CUSTOMSDESK_MAIL_TEST_DIR}")
endfunction()

# customsdesk_mail_db_test(NAME SOURCES ... LIBS ...): a database test (customsdesk_db_test: SQLite and
# PostgreSQL) whose tests also need the mail server fixture and get CUSTOMSDESK_TEST_MAIL_DIR.
function(customsdesk_mail_db_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  if(NOT CUSTOMSDESK_BUILD_TESTS)
    return()
  endif()
  include(${PROJECT_SOURCE_DIR}/cmake/database_tests.cmake)
  _customsdesk_mail_server_fixture()
  customsdesk_db_test(${name} SOURCES ${ARG_SOURCES} LIBS ${ARG_LIBS})
  # Runs after customsdesk_db_test's own include file and sets the whole lists again (set_property
  # APPEND on tests is not available in ctest's include files): environment, fixtures, labels.
  set(mail_env "CUSTOMSDESK_TEST_MAIL_DIR=${CUSTOMSDESK_MAIL_TEST_DIR}")
  set(mail_file ${CMAKE_CURRENT_BINARY_DIR}/${name}_mail_env.cmake)
  file(WRITE ${mail_file}
    "foreach(t IN LISTS ${name}_SQLITE_TESTS)\n"
    "  set_tests_properties(\"\${t}\" PROPERTIES ENVIRONMENT \"CUSTOMSDESK_TEST_DB=sqlite;${mail_env}\" "
    "FIXTURES_REQUIRED mail_server RESOURCE_LOCK mail_pipe LABELS \"sqlite;mail\")\n"
    "endforeach()\n"
    "foreach(t IN LISTS ${name}_POSTGRES_TESTS)\n"
    "  set_tests_properties(\"\${t}\" PROPERTIES ENVIRONMENT "
    "\"CUSTOMSDESK_TEST_DB=postgres;CUSTOMSDESK_TEST_PG_DIR=${CUSTOMSDESK_PG_TEST_DIR};${mail_env}\" "
    "FIXTURES_REQUIRED \"postgres;mail_server\" RESOURCE_LOCK mail_pipe LABELS \"postgres;mail\")\n"
    "endforeach()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${mail_file})
endfunction()
