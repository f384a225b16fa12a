# FindZ3.cmake: finds the Z3 SMT solver and its C++ API, creating the imported target z3::libz3.
#
# Debian's libz3-dev (4.8.12) ships no Z3Config.cmake, so this module looks for `z3++.h` and
# libz3 directly. A Z3 that does ship a CMake config (e.g. built from source) is preferred when
# one is found: it already defines z3::libz3.
#
# Result variables:
#   Z3_FOUND, Z3_VERSION (from z3_version.h, e.g. 4.8.12), Z3_INCLUDE_DIR, Z3_LIBRARY
# Imported target:
#   z3::libz3   the shared (or static) libz3 with its include directory
# Hints: Z3_ROOT (standard <Package>_ROOT search prefix), Z3_INCLUDE_DIR, Z3_LIBRARY (cache).

if(TARGET z3::libz3)
  set(Z3_FOUND TRUE)
  return()
endif()

# A CMake package config wins over the manual search.
find_package(Z3 CONFIG QUIET NO_CMAKE_PACKAGE_REGISTRY)
if(Z3_FOUND AND TARGET z3::libz3)
  if(NOT Z3_VERSION AND Z3_VERSION_STRING)
    set(Z3_VERSION "${Z3_VERSION_STRING}")
  endif()
  include(FindPackageHandleStandardArgs)
  find_package_handle_standard_args(Z3 CONFIG_MODE)
  return()
endif()
set(Z3_FOUND FALSE)

find_path(Z3_INCLUDE_DIR NAMES z3++.h PATH_SUFFIXES z3 DOC "Directory holding z3++.h")
find_library(Z3_LIBRARY NAMES z3 libz3 DOC "The Z3 library")
mark_as_advanced(Z3_INCLUDE_DIR Z3_LIBRARY)

if(Z3_INCLUDE_DIR AND EXISTS "${Z3_INCLUDE_DIR}/z3_version.h")
  file(STRINGS "${Z3_INCLUDE_DIR}/z3_version.h" _z3_version_lines
       REGEX "^#define[ \t]+Z3_(MAJOR|MINOR|BUILD|REVISION)_(VERSION|NUMBER)[ \t]+[0-9]+")
  foreach(_z3_part MAJOR_VERSION MINOR_VERSION BUILD_NUMBER)
    string(REGEX REPLACE ".*#define[ \t]+Z3_${_z3_part}[ \t]+([0-9]+).*" "\\1" _z3_${_z3_part}
           "${_z3_version_lines}")
  endforeach()
  set(Z3_VERSION "${_z3_MAJOR_VERSION}.${_z3_MINOR_VERSION}.${_z3_BUILD_NUMBER}")
  unset(_z3_version_lines)
  unset(_z3_MAJOR_VERSION)
  unset(_z3_MINOR_VERSION)
  unset(_z3_BUILD_NUMBER)
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Z3
  REQUIRED_VARS Z3_LIBRARY Z3_INCLUDE_DIR
  VERSION_VAR Z3_VERSION)

if(Z3_FOUND AND NOT TARGET z3::libz3)
  add_library(z3::libz3 UNKNOWN IMPORTED)
  set_target_properties(z3::libz3 PROPERTIES
    IMPORTED_LOCATION "${Z3_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${Z3_INCLUDE_DIR}")
endif()
