// python/src/core/module.cpp: the private compiled core of the `secgroup` Python package.
//
// Defines `secgroup._core`: the version, the build flags, and the bindings of each concept
// (errors first, so every later binding raises the Python exceptions).
#include <secgroup/version.hpp>

#include "common.hpp"

PYBIND11_MODULE(_core, m) {
  namespace sp = secgroup::python;
  m.doc() = "secgroup._core: compiled bindings of the secgroup C++ library (use `import secgroup`).";
  m.attr("__version__") = SECGROUP_VERSION_STRING;
  m.attr("HAS_Z3") = static_cast<bool>(SECGROUP_HAS_Z3);
  sp::init_errors(m);
  sp::init_model(m);
  sp::init_evaluate(m);
  sp::init_analysis(m);
  sp::init_lint(m);
  sp::init_mock(m);
  sp::init_verify(m);
  m.attr("HAS_SERVER") = static_cast<bool>(SECGROUP_HAS_SERVER);
#if SECGROUP_HAS_SERVER
  sp::init_server(m);
#endif
  m.attr("HAS_CLIENT") = static_cast<bool>(SECGROUP_HAS_CLIENT);
#if SECGROUP_HAS_CLIENT
  sp::init_client(m);
#endif
}
