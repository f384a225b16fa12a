// python/src/core/optional/server.cpp: the mock API over HTTP in-process (secgroup/server/http.hpp),
// compiled only when cpp-httplib and the server header are present (SECGROUP_HAS_SERVER).
#include <memory>

#include <secgroup/server/http.hpp>

#include "../common.hpp"

namespace secgroup::python {
namespace {

/// The fault plan of a `faults` dict (see the MockServer docstring); errors name "faults.KEY".
mock::fault_options faults_of(const py::dict& d) {
  mock::fault_options o;
  for (const auto& [key, value] : d) {
    const auto name = py::str(key).cast<std::string>();
    const auto field = "faults." + name;
    try {
      if (name == "rate") o.rate = value.cast<double>();
      else if (name == "statuses") o.statuses = value.cast<std::vector<int>>();
      else if (name == "retry_after") o.retry_after = value.cast<std::optional<unsigned>>();
      else if (name == "delay_ms") o.delay_ms = value.cast<unsigned>();
      else if (name == "seed") o.seed = value.cast<std::uint64_t>();
      else
        throw validation_error(errc::bad_value, field,
                               "unknown key (expected rate, statuses, retry_after, delay_ms, seed)");
    } catch (const py::cast_error&) {
      throw parse_error(errc::wrong_type, field, "a value of the wrong type");
    }
  }
  mock::validate(o, {"faults.rate", "faults.statuses", "faults.retry_after", "faults.delay_ms"});
  return o;
}

}  // namespace

void init_server(py::module_& m) {
  struct py_server {
    std::shared_ptr<mock::store> store;
    std::unique_ptr<server::http_server> http;
  };
  py::class_<py_server>(m, "MockServer", R"pbdoc(
The mock API served over HTTP on a background thread (cpp-httplib), for tests of real clients.
``start()`` binds (port 0: a free port) and returns once connections are accepted; ``stop()``
stops it; also a context manager. ``url`` is "http://host:port". ``tokens`` maps each accepted
X-Auth-Token to the projects it may see (None: no authentication). ``faults`` injects failures
deterministically, as ``secgroup serve --fault-*`` does (docs/mock-api.md): a dict with ``rate``
(0..1 of requests), ``statuses`` (drawn from, default [429, 503]), ``retry_after`` (seconds,
sent with each failure), ``delay_ms`` (before every answer) and ``seed``; ValidationError names
the key ("faults.rate") of a bad value. ``port`` is 0..65535 (0: a free port), else
ValidationError naming ``port``.
)pbdoc")
      .def(py::init([](std::shared_ptr<mock::store> s, const std::string& host, const py::object& port,
                       const std::optional<std::map<std::string, std::vector<std::string>>>& tokens,
                       const std::optional<std::string>& state_file, const std::optional<py::dict>& faults) {
             if (!s) throw validation_error(errc::bad_value, "store", "a MockStore is required");
             // Checked here: the server keeps the low 16 bits of a larger port (70000 listened
             // on 4464 while the server reported 70000).
             const auto bound = static_cast<int>(unsigned_from(port, "port", 65535));
             mock::router_options routing;
             if (tokens) routing.tokens.emplace(tokens->begin(), tokens->end());
             if (faults) routing.faults = faults_of(*faults);
             server::http_options o;
             o.host = host;
             o.port = bound;
             if (state_file) o.state_file = *state_file;
             o.log = [](std::string_view) {};
             py_server out{s, nullptr};
             out.http = std::make_unique<server::http_server>(*s, std::move(routing), std::move(o));
             return out;
           }),
           py::arg("store"), py::arg("host") = "127.0.0.1", py::arg("port") = 0, py::arg("tokens") = py::none(),
           py::arg("state_file") = py::none(), py::kw_only(), py::arg("faults") = py::none())
      .def("start", [](py_server& s) {
        py::gil_scoped_release release;
        s.http->start();
      })
      .def("stop", [](py_server& s) {
        py::gil_scoped_release release;
        s.http->stop();
      })
      .def_property_readonly("running", [](const py_server& s) { return s.http->running(); })
      .def_property_readonly("port", [](const py_server& s) { return s.http->port(); })
      .def_property_readonly("url", [](const py_server& s) { return s.http->url(); })
      .def_property_readonly("store", [](const py_server& s) { return s.store; })
      .def("__enter__", [](py_server& s) -> py_server& {
        {
          py::gil_scoped_release release;
          s.http->start();
        }
        return s;
      }, py::return_value_policy::reference)
      .def("__exit__", [](py_server& s, const py::args&) {
        py::gil_scoped_release release;
        s.http->stop();
      });
}

}  // namespace secgroup::python
