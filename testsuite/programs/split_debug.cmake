# Splits INPUT's debug information out, as distributions ship it:
#   OUTPUT        INPUT with .debug_* stripped and a .gnu_debuglink to OUTPUT.debug
#   OUTPUT.debug  the debug information alone (objcopy --only-keep-debug)
#   DEBUG_ROOT/.build-id/xx/rest.debug  a copy of OUTPUT.debug named by build id
# Run with cmake -P; OBJCOPY, STRIP and READELF name the tools.
foreach(var INPUT OUTPUT DEBUG_ROOT OBJCOPY STRIP READELF)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "split_debug.cmake: -D${var}=... is missing")
  endif()
endforeach()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    string(REPLACE ";" " " command "${ARGN}")
    message(FATAL_ERROR "split_debug.cmake: `${command}` failed (${status}): ${err}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

get_filename_component(debug_name ${OUTPUT}.debug NAME)
get_filename_component(output_dir ${OUTPUT} DIRECTORY)
run(${OBJCOPY} --only-keep-debug ${INPUT} ${OUTPUT}.debug)
run(${STRIP} --strip-debug -o ${OUTPUT}.tmp ${INPUT})
# --add-gnu-debuglink records the CRC of the file it is given; it runs in
# the output directory so the link holds the bare name.
execute_process(COMMAND ${OBJCOPY} --add-gnu-debuglink=${debug_name} ${OUTPUT}.tmp ${OUTPUT}
                WORKING_DIRECTORY ${output_dir} RESULT_VARIABLE status ERROR_VARIABLE err)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "split_debug.cmake: objcopy --add-gnu-debuglink failed: ${err}")
endif()
file(REMOVE ${OUTPUT}.tmp)

run(${READELF} -n ${INPUT})
if(NOT run_output MATCHES "Build ID: ([0-9a-f][0-9a-f])([0-9a-f]+)")
  message(FATAL_ERROR "split_debug.cmake: ${INPUT} has no build id (link with -Wl,--build-id)")
endif()
set(build_id_dir ${DEBUG_ROOT}/.build-id/${CMAKE_MATCH_1})
file(REMOVE_RECURSE ${DEBUG_ROOT}/.build-id)
file(MAKE_DIRECTORY ${build_id_dir})
file(COPY_FILE ${OUTPUT}.debug ${build_id_dir}/${CMAKE_MATCH_2}.debug)
# The stamp is the custom command's output: the build-id name is not known in advance.
file(WRITE ${DEBUG_ROOT}/.build-id/stamp "${CMAKE_MATCH_1}${CMAKE_MATCH_2}\n")
