# Fixture of the package tests: wipes the consumers' build trees and the install prefix, then,
# if INSTALL is true, installs the current build into the prefix.
#   cmake -DBUILD_DIR=... -DPREFIX=... -DCONSUMERS_DIR=... [-DCONFIG=...] [-DINSTALL=ON]
#         -P install.cmake
foreach(var IN ITEMS BUILD_DIR PREFIX CONSUMERS_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "install.cmake: ${var} is not set")
  endif()
endforeach()
file(REMOVE_RECURSE "${PREFIX}" "${CONSUMERS_DIR}")
if(NOT INSTALL)
  return()
endif()
set(config_args "")
if(CONFIG)
  set(config_args --config "${CONFIG}")
endif()
execute_process(
  COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}" ${config_args}
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${result})")
endif()
foreach(file IN ITEMS include/secgroup/secgroup.hpp share/cmake/secgroup/secgroupConfig.cmake
                      share/cmake/secgroup/secgroupTargets.cmake)
  if(NOT EXISTS "${PREFIX}/${file}")
    message(FATAL_ERROR "the install did not produce ${file}")
  endif()
endforeach()
