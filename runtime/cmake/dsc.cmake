# dsc.cmake: models compiled by dsc as C libraries of a CMake project, no Node at run time.
#
#   include(<dsc>/runtime/cmake/dsc.cmake)
#   dsc_add_model(<target> MODEL <file> [TARGET cpu])
#   target_link_libraries(my_program PRIVATE <target>)   # then #include "c_api.h"
#
# At configure time `dsc compile <file> --target cpu --emit` writes the model's package into the build
# folder, and its CMakeLists.txt adds <target>: a static library of the kernels (AVX-512/AVX2/baseline
# chosen at load on x86-64), the safetensors loader and the C API of runtime/cpu/c_api.h. Editing the
# model file re-runs the configure step. One model per program: every model defines the same symbols.
# DSC_EXECUTABLE names the dsc command (a list, e.g. "node;/path/to/dsc/bin/dsc.js"); by default the
# dsc this file belongs to, run by node.
include_guard(GLOBAL)

get_filename_component(DSC_ROOT_DIR "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)

function(dsc_add_model target)
  cmake_parse_arguments(PARSE_ARGV 1 DSC "" "MODEL;TARGET" "")
  if(NOT DSC_MODEL)
    message(FATAL_ERROR "dsc_add_model(${target}): MODEL <file> is required")
  endif()
  if(NOT DSC_TARGET)
    set(DSC_TARGET cpu)
  endif()
  if(NOT DSC_TARGET STREQUAL "cpu")
    message(FATAL_ERROR "dsc_add_model(${target}): TARGET ${DSC_TARGET} has no C library; only the cpu target builds one")
  endif()
  get_filename_component(model "${DSC_MODEL}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${model}")
    message(FATAL_ERROR "dsc_add_model(${target}): model file ${model} does not exist")
  endif()

  if(DSC_EXECUTABLE)
    set(dsc_command ${DSC_EXECUTABLE})
  else()
    find_program(DSC_NODE node REQUIRED)
    set(dsc_command "${DSC_NODE}" "${DSC_ROOT_DIR}/bin/dsc.js")
  endif()

  set(package "${CMAKE_CURRENT_BINARY_DIR}/dsc/${target}")
  message(STATUS "dsc: compiling ${DSC_MODEL} for ${DSC_TARGET} into ${package}")
  execute_process(
    COMMAND ${dsc_command} compile "${model}" --target ${DSC_TARGET} --emit -o "${package}"
    RESULT_VARIABLE status
    OUTPUT_VARIABLE output
    ERROR_VARIABLE errors)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "dsc compile ${DSC_MODEL} failed (${status}):\n${errors}${output}")
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${model}")

  # The package's CMakeLists.txt builds a static C library named DSC_C_LIBRARY instead of the Node addon.
  set(DSC_C_LIBRARY ${target})
  add_subdirectory("${package}" "${package}/build" EXCLUDE_FROM_ALL)
endfunction()
