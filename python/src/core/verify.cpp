// python/src/core/verify.cpp: where expressions (always) and the Z3 engine (when built with
// SECGROUP_HAS_Z3): the Z3 side of anomalies, equivalence and queries (analysis.cpp chooses the
// engine), and the questions only Z3 answers: inclusion, where queries, explanations. Results
// use the interval engine's JSON shapes, with the CLI's additions for UNKNOWN answers.
//
// A build without Z3 has the same functions: asking one for Z3 raises the ValidationError of
// require_z3(), as `engine="z3"` does.
#include <secgroup/io/analysis_json.hpp>
#if SECGROUP_HAS_Z3
#include <secgroup/verify/json.hpp>
#include <secgroup/verify/z3.hpp>
#endif

#include "common.hpp"

namespace secgroup::python {

// -- Engines ----------------------------------------------------------------------------------

void require_z3() {
  if constexpr (!SECGROUP_HAS_Z3)
    throw validation_error(errc::bad_value, "engine", "this build of secgroup has no Z3 engine");
}

bool use_z3(const std::string& name) {
  if (parse_engine(name) != engine::z3) return false;
  require_z3();
  return true;
}

#if SECGROUP_HAS_Z3

namespace {

verify::options options_of(const z3_limits& limits, bool pairs = true) {
  verify::options o;
  o.timeout_ms = limits.timeout_ms;
  o.resource_limit = limits.resource_limit;
  o.pairs = pairs;
  return o;
}

}  // namespace

anomaly_answer z3_anomalies(const security_group& g, const z3_limits& limits, bool pairs) {
  verify::anomaly_result result;
  {
    py::gil_scoped_release release;
    result = verify::analyze(g, options_of(limits, pairs));
  }
  auto document = verify::anomalies_to_json(result);
  return {std::move(result.report), std::move(document)};
}

json z3_equivalence(const security_group& a, const security_group& b, const z3_limits& limits) {
  verdict<analysis::diff_witness> v;
  {
    py::gil_scoped_release release;
    v = verify::equivalence(a, b, options_of(limits));
  }
  return verify::verdict_to_json(v, ordered_rules(a), ordered_rules(b), "equivalent", true);
}

analysis::query_result z3_query(const security_group& g, const analysis::query& q,
                                const z3_limits& limits) {
  py::gil_scoped_release release;
  return verify::evaluate_query(g, q, options_of(limits));
}

namespace {

/// The questions only Z3 answers.
void bind_z3_questions(py::module_& m) {
  m.def("_includes", [](const py::object& a, const py::object& b, const py::object& where,
                        const py::object& timeout_ms, const py::object& resource_limit) {
    const auto limits = limits_from(timeout_ms, resource_limit);
    auto ga = group_from(a, "a"), gb = group_from(b, "b");
    std::optional<where_expr> w;
    if (!where.is_none()) w = parse_where(py::str(where).cast<std::string>(), "where");
    verdict<analysis::diff_witness> v;
    {
      py::gil_scoped_release release;
      auto o = options_of(limits);
      v = w ? verify::includes(ga, gb, *w, o) : verify::includes(ga, gb, o);
    }
    return result("Verdict", to_python(verify::verdict_to_json(v, ordered_rules(ga), ordered_rules(gb),
                                                                "includes", false)));
  }, py::arg("a"), py::arg("b"), py::arg("where"), py::arg("timeout_ms"), py::arg("resource_limit"));
  m.def("_where", [](const py::object& g, const py::object& expression,
                     const py::object& timeout_ms, const py::object& resource_limit) {
    const auto limits = limits_from(timeout_ms, resource_limit);
    auto e = parse_where(py::str(expression).cast<std::string>(), "where");
    auto group = group_from(g);
    analysis::query_result r;
    {
      py::gil_scoped_release release;
      r = verify::evaluate_where(group, e, options_of(limits));
    }
    return result("QueryResult", to_python(query_to_json(r, ordered_rules(group))));
  }, py::arg("group"), py::arg("expression"), py::arg("timeout_ms"), py::arg("resource_limit"));
  m.def("_explain", [](const py::object& g, const py::object& p) {
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
}

}  // namespace

#else  // no Z3: use_z3() and require_z3() refuse before any of these runs

anomaly_answer z3_anomalies(const security_group&, const z3_limits&, bool) {
  require_z3();
  return {};
}
json z3_equivalence(const security_group&, const security_group&, const z3_limits&) {
  require_z3();
  return {};
}
analysis::query_result z3_query(const security_group&, const analysis::query&, const z3_limits&) {
  require_z3();
  return {};
}

namespace {

void bind_z3_questions(py::module_& m) {
  for (const char* name : {"_includes", "_where", "_explain"})
    m.def(name, [](const py::args&, const py::kwargs&) { require_z3(); });
}

}  // namespace

#endif

// -- Bindings ---------------------------------------------------------------------------------

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
  bind_z3_questions(m);
}

}  // namespace secgroup::python
