// python/src/core/errors.cpp: C++ secgroup errors as Python exceptions.
//
// secgroup::error and its kinds become secgroup.Error, ParseError, ValidationError,
// GroupLookupError (also a builtin LookupError), RemoteError (a failed read of the live Instance
// API: refused key, unreachable host, error status, partial read) and ApiError (mock api_error,
// with the HTTP status and the response body); where_error becomes WhereError (a ParseError with a column).
// Each exception carries `id`, `field` and `message`; str() is the C++ what(). JSON errors that
// escape the library's own checks become ValueError.
//
// Each class is a pybind11 py::exception<E> with its own translator, pybind11's registration
// for exceptions that carry more than a message (py::register_exception alone raises with the
// what() text, without attributes). pybind11 tries the latest translator first, so every base is
// registered before its kinds. The classes say they live in `secgroup`, which re-exports them:
// tracebacks read `secgroup.ParseError`, and pickles name the public module.
#include <secgroup/mock/errors.hpp>
#include <secgroup/where.hpp>

#include "common.hpp"

namespace secgroup::python {
namespace {

/// The Python class of E, set once by bind_error<E>() and kept for the life of the process
/// (never released: no destructor runs after the interpreter has gone).
template <class E>
py::handle& python_class() {
  static py::handle type;
  return type;
}

/// The attributes an exception of each kind has beyond id, field and message.
void add_attributes(py::object&, const error&) {}
void add_attributes(py::object& x, const where_error& e) { x.attr("column") = e.column(); }
void add_attributes(py::object& x, const mock::api_error& e) {
  x.attr("status") = e.status();
  x.attr("body") = to_python(e.body());
  x.attr("type") = e.type();
}

/// Registers the C++ error type E as the Python exception secgroup.`name`, a subclass of
/// `bases` (a class or a tuple of classes), and returns the class.
template <class E>
py::handle bind_error(py::module_& m, const char* name, py::handle bases, const char* doc) {
  py::exception<E> created(m, name, bases);
  created.attr("__module__") = "secgroup";
  created.attr("__doc__") = doc;
  python_class<E>() = created.release();
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const E& e) {
      const py::handle type = python_class<E>();
      py::object exc = type(e.what());
      exc.attr("id") = e.id();
      exc.attr("field") = e.field();
      exc.attr("message") = e.message();
      add_attributes(exc, e);
      PyErr_SetObject(type.ptr(), exc.ptr());
    }
  });
  return python_class<E>();
}

}  // namespace

void init_errors(py::module_& m) {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const nlohmann::json::exception& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
  auto base = bind_error<error>(m, "Error", py::handle(PyExc_Exception),
                                "Base of every secgroup error: attributes id, field, message.");
  auto parse =
      bind_error<parse_error>(m, "ParseError", py::make_tuple(base, py::handle(PyExc_ValueError)),
                              "Malformed input: an address, a CIDR, an enum value, JSON.");
  bind_error<validation_error>(m, "ValidationError",
                               py::make_tuple(base, py::handle(PyExc_ValueError)),
                               "Well-formed input with a value the model does not allow.");
  bind_error<lookup_error>(m, "GroupLookupError",
                           py::make_tuple(base, py::handle(PyExc_LookupError)),
                           "A name or id that designates nothing, or several things.");
  bind_error<remote_error>(m, "RemoteError", base,
                           "A failed read of the live Instance API (api: sources): a refused key "
                           "(named by who supplied it, never shown), an unreachable host, an "
                           "error status after the retries, a refused partial read.");
  bind_error<where_error>(m, "WhereError", parse,
                          "A malformed where expression; attribute column (1-based).");
  bind_error<mock::api_error>(
      m, "ApiError", base, "A failed mock API call: attributes status (int), body (dict), type.");
}

}  // namespace secgroup::python
