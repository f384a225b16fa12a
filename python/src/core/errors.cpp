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
#include <cerrno>
#include <filesystem>
#include <string_view>
#include <system_error>

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

/// secgroup.MissingFileError, set by init_errors().
py::handle& missing_file_class() {
  static py::handle type;
  return type;
}

/// True iff `e` says a file cannot be read because there is none (io/read.hpp, lint/run.hpp)
/// and the path it names does not exist (other secgroup.parse.109 errors name fields too).
bool is_missing_file(const error& e) {
  constexpr std::string_view no_such_file = "no such file";
  const std::string& m = e.message();
  if (e.id() != errc::bad_file || e.field().empty() || !m.ends_with(no_such_file)) return false;
  std::error_code ec;
  return !std::filesystem::exists(std::filesystem::path(e.field()), ec) && !ec;
}

/// The Python class an error `e` of C++ type E is raised as.
template <class E>
py::handle class_of(const E&) {
  return python_class<E>();
}
template <>
py::handle class_of(const parse_error& e) {
  return is_missing_file(e) ? missing_file_class() : python_class<parse_error>();
}

/// The OSError attributes of a MissingFileError (its str() stays the C++ what()).
void add_file_attributes(py::object& x, const error& e) {
  x.attr("errno") = ENOENT;
  x.attr("strerror") = std::generic_category().message(ENOENT);
  x.attr("filename") = e.field();
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
      const py::handle type = class_of(e);
      py::object exc = type(e.what());
      exc.attr("id") = e.id();
      exc.attr("field") = e.field();
      exc.attr("message") = e.message();
      add_attributes(exc, e);
      if (type.is(missing_file_class())) add_file_attributes(exc, e);
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
  // Not a C++ type of its own: the parse_error translator picks it (class_of()). OSError's
  // __str__ would print "[Errno 2] ..." once filename is set; BaseException's keeps what().
  py::handle missing(PyErr_NewExceptionWithDoc(
      "secgroup.MissingFileError",
      "A file that does not exist: a ParseError (secgroup.parse.109) and a FileNotFoundError "
      "(errno ENOENT, filename the path).",
      py::make_tuple(parse, py::handle(PyExc_FileNotFoundError)).ptr(), nullptr));
  if (!missing) throw py::error_already_set();
  missing.attr("__str__") = py::handle(PyExc_BaseException).attr("__str__");
  m.attr("MissingFileError") = missing;
  missing_file_class() = missing;
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
