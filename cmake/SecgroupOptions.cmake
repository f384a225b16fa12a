# SecgroupOptions.cmake: helpers for secgroup's own cache options.
#
# secgroup_tristate_option(NAME DOC): declares NAME as a cache STRING AUTO|ON|OFF (default AUTO)
# and normalises it: the usual CMake booleans (YES, TRUE, 1, NO, FALSE, 0, any case) map to ON
# or OFF, anything else is a configure error.
#
# secgroup_optional_package(OPTION PACKAGE [find_package args...]): finds PACKAGE as OPTION asks
# (OFF: never looked for; AUTO: quietly, may be missing; ON: REQUIRED) and sets
# SECGROUP_USE_<PACKAGE> to TRUE iff it was found and wanted.

function(secgroup_tristate_option name doc)
  set(${name} AUTO CACHE STRING "${doc} (AUTO: if found, ON: required, OFF: never)")
  set_property(CACHE ${name} PROPERTY STRINGS AUTO ON OFF)
  string(TOUPPER "${${name}}" value)
  if(value MATCHES "^(ON|YES|TRUE|Y|1)$")
    set(value ON)
  elseif(value MATCHES "^(OFF|NO|FALSE|N|0)$")
    set(value OFF)
  elseif(NOT value STREQUAL "AUTO")
    message(FATAL_ERROR "${name} must be AUTO, ON or OFF (got '${${name}}')")
  endif()
  set(${name} ${value} PARENT_SCOPE)
endfunction()

macro(secgroup_optional_package option package)
  set(SECGROUP_USE_${package} FALSE)
  if(${option} STREQUAL "ON")
    find_package(${package} ${ARGN} REQUIRED)
  elseif(${option} STREQUAL "AUTO")
    find_package(${package} ${ARGN} QUIET)
  endif()
  if(NOT ${option} STREQUAL "OFF" AND ${package}_FOUND)
    set(SECGROUP_USE_${package} TRUE)
  endif()
endmacro()
