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
#   Boost.ICL) and HEADERS; or reuses <other>'s, which must have been compiled with the same
#   flags. Parsing these costs 3-10 s per translation unit. secgroup's own umbrella headers join
#   them only with SECGROUP_UNITY (builds from scratch, where they save a parse per suite):
#   without it (quick, dev: the edit-test loop) an edit to any secgroup header would make every
#   precompiled header stale and so recompile every test, CLI and module source.
#   NOTE: a precompiled header makes the headers it holds visible in every source of the
#   target; header self-containment is checked by tests/hygiene/, which never uses one.
#   With SECGROUP_UNITY, a target compiles as one translation unit: it gets no precompiled
#   header of its own (it would be parsed once anyway), but still reuses a shared one; SHARED
#   marks the target whose header others reuse, which is always compiled.
#
# secgroup_unity(<target>)
#   With SECGROUP_UNITY (default OFF; ON in the presets ci, asan-ubsan and no-optional-deps),
#   compiles all sources of <target> as one translation unit (CMake's UNITY_BUILD). The test
#   suites, CLI commands, Python module and benches instantiate the same analysis templates in each of
#   their sources; one unit instantiates and optimises them once: measured about half the
#   compile time of the separate sources. The quick preset keeps it OFF, so that an edit to one
#   test file recompiles that file alone. Sources must not clash in their anonymous namespaces.

option(SECGROUP_CCACHE "Compile secgroup's own targets through ccache when it is installed"
       ${PROJECT_IS_TOP_LEVEL})
option(SECGROUP_PCH "Precompiled headers for secgroup's own tests, CLI, benches and module"
       ${PROJECT_IS_TOP_LEVEL})
option(SECGROUP_UNITY
       "Compile each test suite, the CLI commands, the Python module and the benches as one unit"
       OFF)

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
    <boost/icl/interval_map.hpp> <boost/icl/interval_set.hpp> <nlohmann/json.hpp>)
if(SECGROUP_UNITY)
  list(APPEND SECGROUP_PCH_HEADERS <secgroup/secgroup.hpp> <secgroup/analysis.hpp>)
endif()

function(secgroup_precompile target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "SHARED" "REUSE_FROM" "HEADERS")
  if(NOT SECGROUP_PCH OR (SECGROUP_UNITY AND NOT arg_REUSE_FROM AND NOT arg_SHARED))
    return()
  endif()
  if(arg_REUSE_FROM)
    target_precompile_headers(${target} REUSE_FROM ${arg_REUSE_FROM})
  else()
    target_precompile_headers(${target} PRIVATE ${SECGROUP_PCH_HEADERS} ${arg_HEADERS})
  endif()
endfunction()

function(secgroup_unity target)
  if(SECGROUP_UNITY)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 0)
  endif()
endfunction()
