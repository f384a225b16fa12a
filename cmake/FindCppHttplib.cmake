# FindCppHttplib.cmake: finds the compiled cpp-httplib library through pkg-config, creating the
# imported target cpp-httplib::cpp-httplib.
#
# Debian's libcpp-httplib-dev (0.11.4) ships a compiled libcpp-httplib.so and a pkg-config file
# `cpp-httplib.pc`, but no CMake config. The library is built with OpenSSL, zlib and Brotli
# support, and its .pc file carries the matching -DCPPHTTPLIB_*_SUPPORT flags: every translation
# unit that includes <httplib.h> must be compiled with exactly those, or its view of the classes
# differs from the library's. The imported target forwards them verbatim.
#
# Result variables:
#   CppHttplib_FOUND, CppHttplib_VERSION, CppHttplib_INCLUDE_DIR, CppHttplib_LIBRARY,
#   CppHttplib_DEFINITIONS (the -D flags of the .pc file, without the -D)
# Imported target:
#   cpp-httplib::cpp-httplib
#
# CAUTION: without pkg-config (or without the .pc file) the defines cannot be known, so the
# package is reported as not found even when httplib.h and the library exist.

if(TARGET cpp-httplib::cpp-httplib)
  set(CppHttplib_FOUND TRUE)
  return()
endif()

find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(PC_CppHttplib QUIET cpp-httplib)
endif()

find_path(CppHttplib_INCLUDE_DIR NAMES httplib.h HINTS ${PC_CppHttplib_INCLUDE_DIRS}
          DOC "Directory holding httplib.h")
find_library(CppHttplib_LIBRARY NAMES cpp-httplib HINTS ${PC_CppHttplib_LIBRARY_DIRS}
             DOC "The compiled cpp-httplib library")
mark_as_advanced(CppHttplib_INCLUDE_DIR CppHttplib_LIBRARY)

set(CppHttplib_DEFINITIONS "")
set(_cpphttplib_other_flags "")
foreach(_cpphttplib_flag IN LISTS PC_CppHttplib_CFLAGS_OTHER)
  if(_cpphttplib_flag MATCHES "^-D(.+)$")
    list(APPEND CppHttplib_DEFINITIONS "${CMAKE_MATCH_1}")
  else()
    list(APPEND _cpphttplib_other_flags "${_cpphttplib_flag}")
  endif()
endforeach()
set(CppHttplib_VERSION "${PC_CppHttplib_VERSION}")

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(CppHttplib
  REQUIRED_VARS CppHttplib_LIBRARY CppHttplib_INCLUDE_DIR PC_CppHttplib_FOUND
  VERSION_VAR CppHttplib_VERSION
  REASON_FAILURE_MESSAGE "pkg-config and cpp-httplib.pc are required to learn the library's defines")

if(CppHttplib_FOUND AND NOT TARGET cpp-httplib::cpp-httplib)
  add_library(cpp-httplib::cpp-httplib UNKNOWN IMPORTED)
  set_target_properties(cpp-httplib::cpp-httplib PROPERTIES
    IMPORTED_LOCATION "${CppHttplib_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${CppHttplib_INCLUDE_DIR}"
    INTERFACE_COMPILE_DEFINITIONS "${CppHttplib_DEFINITIONS}")
  if(_cpphttplib_other_flags)
    set_target_properties(cpp-httplib::cpp-httplib PROPERTIES
      INTERFACE_COMPILE_OPTIONS "${_cpphttplib_other_flags}")
  endif()
endif()
unset(_cpphttplib_flag)
unset(_cpphttplib_other_flags)
