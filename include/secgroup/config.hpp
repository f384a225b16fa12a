// secgroup/config.hpp: the overridable macros of the library.
//
// Every macro can be defined by the user before the first secgroup include; the CMake option
// of the same name forwards to it. The list, with defaults, is in docs/configuration.md.
#pragma once

#include <cassert>

/// Opens the versioned inline namespace `secgroup::v0`. Bump the version whenever the layout of
/// a public type changes, so translation units built against different layouts fail to link.
#define SECGROUP_BEGIN_NAMESPACE \
  namespace secgroup {           \
  inline namespace v0 {
#define SECGROUP_END_NAMESPACE \
  }                            \
  }

/// Raises an exception object. Override to log or to abort in builds without exceptions.
#ifndef SECGROUP_THROW
#define SECGROUP_THROW(exception) throw exception
#endif

/// Checks an internal invariant (never user input: that raises secgroup::error).
#ifndef SECGROUP_ASSERT
#define SECGROUP_ASSERT(condition) assert(condition)
#endif

/// 1 when the optional Z3 backend (secgroup::z3) is available to this translation unit.
#ifndef SECGROUP_HAS_Z3
#define SECGROUP_HAS_Z3 0
#endif

/// 1 when the optional HTTP server (secgroup::server) is available to this translation unit.
#ifndef SECGROUP_HAS_SERVER
#define SECGROUP_HAS_SERVER 0
#endif

/// 1 when the optional Instance API client (secgroup::client) is available to this translation
/// unit.
#ifndef SECGROUP_HAS_CLIENT
#define SECGROUP_HAS_CLIENT 0
#endif

/// 1 when the optional YAML part (secgroup::yaml, yaml-cpp) is available to this translation unit.
#ifndef SECGROUP_HAS_YAML
#define SECGROUP_HAS_YAML 0
#endif
