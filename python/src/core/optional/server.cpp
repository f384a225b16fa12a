// python/src/core/optional/server.cpp: the mock API over HTTP in-process (secgroup/server/http.hpp),
// compiled only when cpp-httplib and the server header are present (SECGROUP_HAS_SERVER).
#include <memory>

#include <secgroup/server/http.hpp>

#include "../common.hpp"

namespace secgroup::python {

void init_server(py::module_& m) {
  struct py_server {
    std::shared_ptr<mock::store> store;
    std::unique_ptr<server::http_server> http;
  };
  py::class_<py_server>(m, "MockServer", R"pbdoc(
The mock API served over HTTP on a background thread (cpp-httplib), for tests of real clients.
``start()`` binds (port 0: a free port) and returns once connections are accepted; ``stop()``
stops it; also a context manager. ``url`` is "http://host:port".
)pbdoc")
      .def(py::init([](std::shared_ptr<mock::store> s, const std::string& host, int port,
                       const std::optional<std::map<std::string, std::vector<std::string>>>& tokens,
                       const std::optional<std::string>& state_file) {
             if (!s) throw validation_error(errc::bad_value, "store", "a MockStore is required");
             mock::router_options routing;
             if (tokens) routing.tokens.emplace(tokens->begin(), tokens->end());
             server::http_options o;
             o.host = host;
             o.port = port;
             if (state_file) o.state_file = *state_file;
             o.log = [](std::string_view) {};
             py_server out{s, nullptr};
             out.http = std::make_unique<server::http_server>(*s, std::move(routing), std::move(o));
             return out;
           }),
           py::arg("store"), py::arg("host") = "127.0.0.1", py::arg("port") = 0, py::arg("tokens") = py::none(),
           py::arg("state_file") = py::none())
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
