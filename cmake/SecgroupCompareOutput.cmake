# Runs COMMAND with ARGS (arguments joined by '|', since ctest flattens ;-lists) and fails unless its standard output equals the file
# EXPECTED and its exit code equals EXIT_CODE (default 0); with STDERR_REGEX, its standard error
# must also match that regular expression. Used by golden tests:
#   cmake -DCOMMAND=prog -DARGS="a|b" -DEXPECTED=out.txt [-DEXIT_CODE=N] [-DSTDERR_REGEX=re]
#         -P SecgroupCompareOutput.cmake
if(NOT DEFINED EXIT_CODE)
  set(EXIT_CODE 0)
endif()
string(REPLACE "|" ";" ARGS "${ARGS}")
execute_process(COMMAND ${COMMAND} ${ARGS} OUTPUT_VARIABLE out ERROR_VARIABLE err
                RESULT_VARIABLE code)
file(READ ${EXPECTED} expected)
if(NOT code STREQUAL EXIT_CODE)
  message(FATAL_ERROR "exit code ${code}, expected ${EXIT_CODE}\nstderr:\n${err}\nstdout:\n${out}")
endif()
if(NOT out STREQUAL expected)
  message(FATAL_ERROR "output differs from ${EXPECTED}; actual output:\n${out}")
endif()
if(DEFINED STDERR_REGEX AND NOT err MATCHES "${STDERR_REGEX}")
  message(FATAL_ERROR "stderr does not match '${STDERR_REGEX}':\n${err}")
endif()
