# SecgroupBuildSpeed.cmake: how secgroup's own targets compile fast (docs/building.md, "Build
# times"). Nothing here reaches consumers of the library.
#
# secgroup_use_ccache()
#   With SECGROUP_CCACHE (default ON at top level) and ccache installed, compiles through ccache
#   unless the user chose a launcher. The base directory is the source tree, so the presets'
#   build directories (build-ci, build-min, ...) share cache entries: a translation unit
#   compiled with the same flags in two presets is compiled once. Sloppiness allows caching the
#   translation units that use precompiled headers (ccache's manual, "Precompiled headers").
#
# secgroup_precompile(<target> [HEADERS <header>...] [REUSE_FROM <target>])
#   With SECGROUP_PCH (default ON), gives <target> a precompiled header holding the third-party
#   headers every secgroup translation unit parses (the standard library, nlohmann/json,
#   Boost.ICL), secgroup's core umbrella headers, and HEADERS; or reuses <other>'s, which must
#   have been compiled with the same flags. Parsing these costs 3-10 s per translation unit.
#   NOTE: a precompiled header makes the headers it holds visible in every source of the
#   target; header self-containment is checked by tests/hygiene/, which never uses one.

option(SECGROUP_CCACHE "Compile secgroup's own targets through ccache when it is installed"
       ${PROJECT_IS_TOP_LEVEL})
option(SECGROUP_PCH "Precompiled headers for secgroup's own tests, CLI, benches and module"
       ${PROJECT_IS_TOP_LEVEL})

macro(secgroup_use_ccache)
  if(SECGROUP_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
    find_program(SECGROUP_CCACHE_PROGRAM ccache)
    if(SECGROUP_CCACHE_PROGRAM)
      set(CMAKE_CXX_COMPILER_LAUNCHER
          ${CMAKE_COMMAND} -E env "CCACHE_BASEDIR=${PROJECT_SOURCE_DIR}"
          "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
          ${SECGROUP_CCACHE_PROGRAM})
      message(STATUS "secgroup: compiling through ${SECGROUP_CCACHE_PROGRAM}")
    endif()
  endif()
endmacro()

set(SECGROUP_PCH_HEADERS
    <algorithm> <array> <cstdint> <functional> <iostream> <map> <memory> <optional> <random>
    <set> <sstream> <string> <string_view> <tuple> <utility> <vector>
    <boost/icl/interval_map.hpp> <boost/icl/interval_set.hpp> <nlohmann/json.hpp>
    <secgroup/secgroup.hpp> <secgroup/analysis.hpp>)

function(secgroup_precompile target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "REUSE_FROM" "HEADERS")
  if(NOT SECGROUP_PCH)
    return()
  endif()
  if(arg_REUSE_FROM)
    target_precompile_headers(${target} REUSE_FROM ${arg_REUSE_FROM})
  else()
    target_precompile_headers(${target} PRIVATE ${SECGROUP_PCH_HEADERS} ${arg_HEADERS})
  endif()
endfunction()
