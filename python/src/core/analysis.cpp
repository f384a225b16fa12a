// python/src/core/analysis.cpp: the analyses: anomalies, diff and equivalence (on either
// engine), queries (on either engine), connections, exposure, minimisation and reordering.
// Each returns the package's result object around the JSON of io/analysis_json.hpp, the
// document the CLI prints. analyze, diff, query, exposure and minimize are also methods of
// SecurityGroup (bind_group_function()); the Z3-only questions are in verify.cpp.
#include <secgroup/analysis.hpp>
#include <secgroup/io/analysis_json.hpp>

#include "common.hpp"

namespace secgroup::python {
namespace {

std::vector<ip_network> networks_from(const py::object& remotes) {
  std::vector<ip_network> out;
  if (remotes.is_none()) return out;
  if (py::isinstance<py::str>(remotes)) return {parse_network(remotes.cast<std::string>(), "remote")};
  std::size_t i = 0;
  for (auto r : remotes) {
    auto field = "remotes[" + std::to_string(i++) + "]";
    if (!py::isinstance<py::str>(r)) throw parse_error(errc::wrong_type, field, "expected a CIDR string");
    out.push_back(parse_network(r.cast<std::string>(), field));
  }
  return out;
}

/// The text of a protocol given as a str or an int.
std::string protocol_text(const py::object& protocol) {
  return py::isinstance<py::int_>(protocol) ? std::string(py::str(protocol)) : protocol.cast<std::string>();
}

/// The query box of the Python arguments.
analysis::query make_query(const std::string& dir, const py::object& protocol, const py::object& remotes,
                           const py::object& ports) {
  analysis::query q;
  q.direction = parse_direction(dir);
  if (!protocol.is_none()) q.protocols = analysis::parse_protocol_classes(protocol_text(protocol));
  q.remotes = networks_from(remotes);
  if (!ports.is_none()) q.ports = port_interval_from(ports, "ports");
  return q;
}

/// The rules of finding `f` of a report on `rules` (ordered_rules() of its group): {"rule":
/// Rule, "label": its rule_label(), "related": [Rule], "related_labels": [str],
/// "related_smtp_default": [bool] (a default SMTP rule of enable_default_security)}. A Finding
/// of the package reads them beside the CLI's document, which names rules by id only.
py::dict rules_of(const analysis::finding& f, const std::vector<rule>& rules) {
  py::list related, labels, smtp;
  for (auto i : f.related) {
    related.append(rules[i]);
    labels.append(rule_label(rules, i));
    smtp.append(!rules[i].editable && is_default_rule_id(rules[i].id));
  }
  py::dict item;
  item["rule"] = rules[f.rule];
  item["label"] = rule_label(rules, f.rule);
  item["related"] = related;
  item["related_labels"] = labels;
  item["related_smtp_default"] = smtp;
  return item;
}

/// rules_of() each finding of `report`, in its order.
py::list finding_rules(const analysis::anomaly_report& report) {
  py::list out;
  for (const auto& f : report.findings) out.append(rules_of(f, report.rules));
  return out;
}

py::object analyze(const py::object& g, const std::string& engine, const py::object& timeout_ms,
                   const py::object& resource_limit, bool pairs) {
  const auto limits = limits_from(timeout_ms, resource_limit);
  auto group = group_from(g);
  if (use_z3(engine)) {
    const auto answer = z3_anomalies(group, limits, pairs);
    return result("AnomalyReport", to_python(answer.document), finding_rules(answer.report));
  }
  // Finding by finding into Python objects, without the JSON document of the whole report
  // (1.48 M findings: 3 GB of JSON; 7.0 GB peak before, 5.2 now). The report is made first,
  // then the two lists one after the other: streaming from the analysis, or making the two
  // lists' objects alternately, took 10-15 % longer.
  const auto report = analysis::analyze(group);
  py::list findings;
  for (const auto& f : report.findings)
    findings.append(to_python(finding_to_json(f, report.rules)));
  py::dict document;
  document["findings"] = findings;
  return result("AnomalyReport", document, finding_rules(report));
}

py::object diff(const py::object& a, const py::object& b) {
  return result("Diff", to_python(diff_to_json(analysis::diff(group_from(a, "a"), group_from(b, "b")))));
}

py::object query(const py::object& g, const std::string& direction, const py::object& protocol,
                 const py::object& remotes, const py::object& ports, const std::string& engine,
                 const py::object& timeout_ms, const py::object& resource_limit) {
  const auto limits = limits_from(timeout_ms, resource_limit);
  const bool z3 = use_z3(engine);
  auto q = make_query(direction, protocol, remotes, ports);
  auto group = group_from(g);
  auto r = z3 ? z3_query(group, q, limits) : analysis::evaluate_query(group, q);
  return result("QueryResult", to_python(query_to_json(r, ordered_rules(group))));
}

py::object exposure(const py::object& g, const std::string& direction) {
  auto d = parse_direction(direction);
  return result("Exposure", to_python(exposure_to_json(analysis::exposure(group_from(g), d), d)));
}

py::object minimize(const py::object& g) {
  auto group = group_from(g);
  auto minimal = analysis::minimize(group);
  auto rules = ordered_rules(group);
  py::list removed;
  for (auto i : minimal.removed) removed.append(rules[i]);
  return result("Minimized", minimal.group, removed, result("Diff", to_python(diff_to_json(minimal.proof))));
}

}  // namespace

void init_analysis(py::module_& m) {
  bind_group_function(m, "analyze", "group", &analyze, py::kw_only(), py::arg("engine") = "interval",
                      py::arg("timeout_ms") = 10000, py::arg("resource_limit") = 0, py::arg("pairs") = true,
                      "Shadowed, redundant, correlated and generalization findings (``secgroup analyze``): "
                      "returns an AnomalyReport, its items the Findings (``help(secgroup.Finding)`` "
                      "explains each ``reason``). engine 'interval' or 'z3' (with timeout_ms, "
                      "resource_limit, pairs). Raises ParseError for an unknown engine, "
                      "ValidationError for engine 'z3' when the module was built without Z3 (HAS_Z3).");
  bind_group_function(m, "diff", "a", &diff, py::arg("b"),
                      "The semantic diff with group ``b`` (``secgroup diff``): returns a Diff whose "
                      "items are the regions decided differently; ``.differs`` / ``.equivalent`` "
                      "answer (a Diff has no truth value), ``.witness`` is one packet. Raises as "
                      "secgroup.diff does for ``b`` (MissingFileError, ParseError, ValidationError, "
                      "GroupLookupError).");
  bind_group_function(m, "query", "group", &query, py::arg("direction"), py::kw_only(),
                      py::arg("protocol") = py::none(), py::arg("remotes") = py::none(),
                      py::arg("ports") = py::none(), py::arg("engine") = "interval",
                      py::arg("timeout_ms") = 10000, py::arg("resource_limit") = 0,
                      "Does the group accept ALL, NONE or PARTIAL of a box of packets (``secgroup query``)? "
                      "Returns a QueryResult (``.answer``). Raises ParseError for an unknown direction, "
                      "protocol or engine, ValidationError for ports out of range or reversed.");
  bind_group_function(m, "exposure", "group", &exposure, py::arg("direction") = "inbound",
                      "What the group accepts, by protocol class and ports (``secgroup exposure``): "
                      "returns an Exposure, its items the ExposureEntries. Raises ParseError for an "
                      "unknown direction.");
  bind_group_function(m, "minimize", "group", &minimize,
                      "The group without redundant user rules: returns a Minimized (``.group``; items: "
                      "the removed rules; ``.proof``, the Diff showing both decide alike). Raises as "
                      "secgroup.minimize does.");

  m.def("_equivalent", [](const py::object& a, const py::object& b, const std::string& engine,
                          const py::object& timeout_ms, const py::object& resource_limit) {
    const auto limits = limits_from(timeout_ms, resource_limit);
    if (!use_z3(engine)) return diff(a, b);
    auto ga = group_from(a, "a"), gb = group_from(b, "b");
    return result("Verdict", to_python(z3_equivalence(ga, gb, limits)));
  }, py::arg("a"), py::arg("b"), py::arg("engine"), py::arg("timeout_ms"), py::arg("resource_limit"));
  m.def("_connect", [](const py::object& client_group, const py::object& server_group,
                       const std::string& client, const std::string& server, const py::object& protocol,
                       const py::object& ports, const py::object& ephemeral) {
    analysis::connection c;
    c.client = parse_address(client, "client");
    c.server = parse_address(server, "server");
    if (c.client.af != c.server.af)
      throw validation_error(errc::bad_value, "server",
                             "the client and server addresses must be of the same family");
    c.protocol = parse_ip_protocol(protocol_text(protocol), c.client.af, "protocol");
    if (!ports.is_none())
      c.ports = port_interval_from(ports, "ports");
    else if (carries_ports(c.protocol))
      throw parse_error(errc::bad_packet, "ports",
                        "a " + protocol_name(c.protocol) + " connection needs a server port");
    if (!ephemeral.is_none()) c.ephemeral = port_interval_from(ephemeral, "ephemeral");
    auto cg = group_from(client_group, "client_group");
    auto sg = group_from(server_group, "server_group");
    auto answer = analysis::check_connection(cg, sg, c);
    return result("ConnectionResult",
                  to_python(connection_to_json(answer, c, ordered_rules(cg), ordered_rules(sg))));
  }, py::arg("client_group"), py::arg("server_group"), py::arg("client"), py::arg("server"),
     py::arg("protocol"), py::arg("ports"), py::arg("ephemeral"));
  m.def("_order_constraints", [](const py::object& g) {
    auto group = group_from(g);
    auto rules = ordered_rules(group);
    py::list out;
    for (const auto& c : analysis::order_constraints(group)) {
      py::dict item;
      item["earlier"] = rules[c.earlier];
      item["later"] = rules[c.later];
      item["direction"] = std::string(to_string(c.direction));
      out.append(item);
    }
    return out;
  }, py::arg("group"));
  m.def("_reordered", [](const py::object& g, const std::vector<std::string>& ids) {
    return analysis::reordered(group_from(g), ids);
  }, py::arg("group"), py::arg("ids"));
  m.def("_check_reorder", [](const py::object& g, const std::vector<std::string>& ids) {
    return result("Diff", to_python(diff_to_json(analysis::check_reorder(group_from(g), ids))));
  }, py::arg("group"), py::arg("ids"));
}

}  // namespace secgroup::python
