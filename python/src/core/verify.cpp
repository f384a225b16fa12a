// python/src/core/verify.cpp: where expressions (always) and the Z3 engine (when built with
// SECGROUP_HAS_Z3): anomalies, equivalence, inclusion, queries, where queries, explanations.
// Results use the interval engine's JSON shapes, with the CLI's additions for UNKNOWN answers.
#include <secgroup/analysis/query.hpp>
#include <secgroup/io/analysis_json.hpp>
#include <secgroup/where.hpp>
#if SECGROUP_HAS_Z3
#include <secgroup/verify/json.hpp>
#include <secgroup/verify/z3.hpp>
#endif

#include "common.hpp"

namespace secgroup::python {

analysis::query make_query(const std::string& dir, const py::object& protocol, const py::object& remotes,
                           const py::object& ports);

namespace {

#if SECGROUP_HAS_Z3
verify::options limits(std::uint32_t timeout_ms, std::uint32_t resource_limit, bool pairs) {
  verify::options o;
  o.timeout_ms = timeout_ms;
  o.resource_limit = resource_limit;
  o.pairs = pairs;
  return o;
}
#endif

}  // namespace

void init_verify(py::module_& m) {
  py::class_<where_expr>(m, "Where", R"pbdoc(
A parsed where expression, e.g. ``Where("inbound and tcp and port 5432 and not remote in 10.0.0.0/8")``.
``str()`` is the canonical text; ``matches(packet)`` is its meaning on one packet.
)pbdoc")
      .def(py::init([](const std::string& text) { return parse_where(text); }), py::arg("text"))
      .def("matches", [](const where_expr& e, const py::object& p) { return matches(e, packet_from(p)); },
           py::arg("packet"))
      .def("__str__", [](const where_expr& e) { return to_string(e); })
      .def("__repr__", [](const where_expr& e) { return "Where(" + secgroup::quoted(to_string(e)) + ")"; })
      .def("__eq__", [](const where_expr& a, const where_expr& b) { return a == b; })
      .def("__hash__", [](const where_expr& e) { return py::hash(py::str(to_string(e))); })
      .def(py::pickle([](const where_expr& e) { return to_string(e); },
                      [](const std::string& s) { return parse_where(s); }));

#if SECGROUP_HAS_Z3
  m.def("_z3_analyze", [](const py::object& g, std::uint32_t timeout_ms, std::uint32_t resource_limit, bool pairs) {
    auto group = group_from(g);
    verify::anomaly_result result;
    {
      py::gil_scoped_release release;
      result = verify::analyze(group, limits(timeout_ms, resource_limit, pairs));
    }
    return to_python(verify::anomalies_to_json(result));
  }, py::arg("group"), py::arg("timeout_ms"), py::arg("resource_limit"), py::arg("pairs"));
  m.def("_z3_equivalence", [](const py::object& a, const py::object& b, std::uint32_t timeout_ms,
                              std::uint32_t resource_limit) {
    auto ga = group_from(a, "a"), gb = group_from(b, "b");
    verdict<analysis::diff_witness> v;
    {
      py::gil_scoped_release release;
      v = verify::equivalence(ga, gb, limits(timeout_ms, resource_limit, true));
    }
    return to_python(verify::verdict_to_json(v, ordered_rules(ga), ordered_rules(gb), "equivalent", true));
  }, py::arg("a"), py::arg("b"), py::arg("timeout_ms"), py::arg("resource_limit"));
  m.def("_z3_includes", [](const py::object& a, const py::object& b, const std::optional<std::string>& within,
                           std::uint32_t timeout_ms, std::uint32_t resource_limit) {
    auto ga = group_from(a, "a"), gb = group_from(b, "b");
    std::optional<where_expr> w;
    if (within) w = parse_where(*within, "where");
    verdict<analysis::diff_witness> v;
    {
      py::gil_scoped_release release;
      auto o = limits(timeout_ms, resource_limit, true);
      v = w ? verify::includes(ga, gb, *w, o) : verify::includes(ga, gb, o);
    }
    return to_python(verify::verdict_to_json(v, ordered_rules(ga), ordered_rules(gb), "includes", false));
  }, py::arg("a"), py::arg("b"), py::arg("where"), py::arg("timeout_ms"), py::arg("resource_limit"));
  m.def("_z3_query", [](const py::object& g, const std::string& direction, const py::object& protocol,
                        const py::object& remotes, const py::object& ports, std::uint32_t timeout_ms,
                        std::uint32_t resource_limit) {
    auto q = make_query(direction, protocol, remotes, ports);
    auto group = group_from(g);
    analysis::query_result r;
    {
      py::gil_scoped_release release;
      r = verify::evaluate_query(group, q, limits(timeout_ms, resource_limit, true));
    }
    return to_python(query_to_json(r, ordered_rules(group)));
  }, py::arg("group"), py::arg("direction"), py::arg("protocol"), py::arg("remotes"), py::arg("ports"),
     py::arg("timeout_ms"), py::arg("resource_limit"));
  m.def("_z3_where", [](const py::object& g, const std::string& text, std::uint32_t timeout_ms,
                        std::uint32_t resource_limit) {
    auto e = parse_where(text, "where");
    auto group = group_from(g);
    analysis::query_result r;
    {
      py::gil_scoped_release release;
      r = verify::evaluate_where(group, e, limits(timeout_ms, resource_limit, true));
    }
    return to_python(query_to_json(r, ordered_rules(group)));
  }, py::arg("group"), py::arg("where"), py::arg("timeout_ms"), py::arg("resource_limit"));
  m.def("_z3_explain", [](const py::object& g, const py::object& p) {
    auto group = group_from(g);
    auto x = packet_from(p);
    auto e = verify::explain(group, x);
    auto rules = ordered_rules(group);
    std::vector<rule> matched;
    for (auto i : e.matched) matched.push_back(rules[i]);
    return py::make_tuple(e.packet, matched, make_decision(e.decision, rules));
  }, py::arg("group"), py::arg("packet"));
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const z3::exception& e) {
      PyErr_SetString(PyExc_RuntimeError, (std::string("Z3 error: ") + e.msg()).c_str());
    }
  });
#endif
}

}  // namespace secgroup::python
