# customsdesk_unit_test(NAME SOURCES... LIBS ...): one GoogleTest executable, each test registered with ctest.
function(customsdesk_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT CUSTOMSDESK_BUILD_TESTS)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main)
  # `unit_tests` builds every unit test (and nothing else): the sanitizer build of `make test` uses it.
  if(NOT TARGET unit_tests)
    add_custom_target(unit_tests)
  endif()
  add_dependencies(unit_tests ${name})
  gtest_discover_tests(${name} PROPERTIES LABELS unit WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                       DISCOVERY_TIMEOUT 60)
endfunction()

# customsdesk_embed(TARGET NAMESPACE ns SYMBOL kName FILE path): compiles the file's bytes into TARGET as
# `extern const std::string_view ns::kName` (regenerated when the file changes), so the binary needs no
# data folder at run time.
function(customsdesk_embed target)
  cmake_parse_arguments(ARG "" "NAMESPACE;SYMBOL;FILE" "" ${ARGN})
  get_filename_component(abs "${ARG_FILE}" ABSOLUTE BASE_DIR "${PROJECT_SOURCE_DIR}")
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded_${ARG_SYMBOL}.cpp")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DINPUT=${abs} -DOUTPUT=${out} -DNAMESPACE=${ARG_NAMESPACE} -DSYMBOL=${ARG_SYMBOL}
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake
    DEPENDS "${abs}" ${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake
    COMMENT "Embedding ${ARG_FILE}"
    VERBATIM)
  target_sources(${target} PRIVATE "${out}")
endfunction()
