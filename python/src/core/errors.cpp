// python/src/core/errors.cpp: C++ secgroup errors as Python exceptions.
//
// secgroup::error and its kinds become secgroup.Error, ParseError, ValidationError,
// GroupLookupError (also a builtin LookupError) and ApiError (mock api_error, with the HTTP
// status and the response body); where_error becomes WhereError (a ParseError with a column).
// Each exception carries `id`, `field` and `message`; str() is the C++ what().
#include <secgroup/mock/errors.hpp>
#include <secgroup/where.hpp>

#include "common.hpp"

namespace secgroup::python {
namespace {

PyObject* error_type = nullptr;
PyObject* parse_type = nullptr;
PyObject* validation_type = nullptr;
PyObject* lookup_type = nullptr;
PyObject* where_type = nullptr;
PyObject* api_type = nullptr;

PyObject* new_type(py::module_& m, const char* name, py::handle bases, const char* doc) {
  std::string qualified = std::string("secgroup.") + name;
  PyObject* t = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
  if (!t) throw py::error_already_set();
  m.add_object(name, py::handle(t));
  return t;
}

void raise(PyObject* type, const error& e, const std::function<void(py::object&)>& extra = {}) {
  py::object exc = py::reinterpret_borrow<py::object>(type)(e.what());
  exc.attr("id") = e.id();
  exc.attr("field") = e.field();
  exc.attr("message") = e.message();
  if (extra) extra(exc);
  PyErr_SetObject(type, exc.ptr());
}

}  // namespace

void init_errors(py::module_& m) {
  error_type = new_type(m, "Error", py::handle(PyExc_Exception),
                        "Base of every secgroup error: attributes id, field, message.");
  parse_type = new_type(m, "ParseError", py::make_tuple(py::handle(error_type), py::handle(PyExc_ValueError)),
                        "Malformed input: an address, a CIDR, an enum value, JSON.");
  validation_type =
      new_type(m, "ValidationError", py::make_tuple(py::handle(error_type), py::handle(PyExc_ValueError)),
               "Well-formed input with a value the model does not allow.");
  lookup_type = new_type(m, "GroupLookupError",
                         py::make_tuple(py::handle(error_type), py::handle(PyExc_LookupError)),
                         "A name or id that designates nothing, or several things.");
  where_type = new_type(m, "WhereError", py::handle(parse_type),
                        "A malformed where expression; attribute column (1-based).");
  api_type = new_type(m, "ApiError", py::handle(error_type),
                      "A failed mock API call: attributes status (int), body (dict), type.");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const mock::api_error& e) {
      raise(api_type, e, [&](py::object& x) {
        x.attr("status") = e.status();
        x.attr("body") = to_python(e.body());
        x.attr("type") = e.type();
      });
    } catch (const where_error& e) {
      raise(where_type, e, [&](py::object& x) { x.attr("column") = e.column(); });
    } catch (const parse_error& e) {
      raise(parse_type, e);
    } catch (const validation_error& e) {
      raise(validation_type, e);
    } catch (const lookup_error& e) {
      raise(lookup_type, e);
    } catch (const error& e) {
      raise(error_type, e);
    } catch (const nlohmann::json::exception& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
}

}  // namespace secgroup::python
