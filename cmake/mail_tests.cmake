# customsdesk_mail_server_test(NAME SOURCES ... LIBS ...)
#
# Builds one GoogleTest executable whose tests need a real mail server, and registers them with the
# ctest fixture "mail_server": mail_server_start runs scripts/mail-test-server.sh start <build>/mailtest
# (a throwaway Postfix instance on a free loopback port) before them, mail_server_stop removes it
# after. The tests find the instance through CUSTOMSDESK_TEST_MAIL_DIR (files smtp_port, maildir_path,
# inbound_path, pipe_command_path; see the script). Postfix's master needs root: when the script cannot
# start it, it says why, the fixture fails and ctest reports these tests as not run (a failure), and
# a test started by hand without the fixture fails with the reason too. Label: mail.
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
    PROPERTIES LABELS mail FIXTURES_REQUIRED mail_server TIMEOUT 300
               ENVIRONMENT "CUSTOMSDESK_TEST_MAIL_DIR=${CUSTOMSDESK_MAIL_TEST_DIR}")
endfunction()
