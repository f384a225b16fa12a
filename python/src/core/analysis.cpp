// python/src/core/analysis.cpp: the interval engine's analyses. Each returns the JSON of
// io/analysis_json.hpp as Python objects (the CLI prints the same documents), and the typed
// pieces the Python layer needs beyond them (minimised groups, order constraints).
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

}  // namespace

/// The query box of the Python arguments (shared with the Z3 bindings through _query_box).
analysis::query make_query(const std::string& dir, const py::object& protocol, const py::object& remotes,
                           const py::object& ports) {
  analysis::query q;
  q.direction = parse_direction(dir);
  if (!protocol.is_none())
    q.protocols = analysis::parse_protocol_classes(py::isinstance<py::int_>(protocol) ? std::string(py::str(protocol))
                                                                      : protocol.cast<std::string>());
  q.remotes = networks_from(remotes);
  if (!ports.is_none()) q.ports = port_interval_from(ports, "ports");
  return q;
}

void init_analysis(py::module_& m) {
  m.def("_analyze", [](const py::object& g) { return to_python(anomalies_to_json(analysis::analyze(group_from(g)))); },
        py::arg("group"));
  m.def("_diff", [](const py::object& a, const py::object& b) {
    return to_python(diff_to_json(analysis::diff(group_from(a, "a"), group_from(b, "b"))));
  }, py::arg("a"), py::arg("b"));
  m.def("_query", [](const py::object& g, const std::string& direction, const py::object& protocol,
                     const py::object& remotes, const py::object& ports) {
    auto q = make_query(direction, protocol, remotes, ports);
    auto group = group_from(g);
    return to_python(query_to_json(analysis::evaluate_query(group, q), ordered_rules(group)));
  }, py::arg("group"), py::arg("direction"), py::arg("protocol"), py::arg("remotes"), py::arg("ports"));
  m.def("_connect", [](const py::object& client_group, const py::object& server_group,
                       const std::string& client, const std::string& server, const py::object& protocol,
                       const py::object& ports, const py::object& ephemeral) {
    analysis::connection c;
    c.client = parse_address(client, "client");
    c.server = parse_address(server, "server");
    if (c.client.af != c.server.af)
      throw validation_error(errc::bad_value, "server",
                             "the client and server addresses must be of the same family");
    c.protocol = parse_ip_protocol(py::isinstance<py::int_>(protocol) ? std::string(py::str(protocol))
                                                                      : protocol.cast<std::string>(),
                                   c.client.af, "protocol");
    if (!ports.is_none())
      c.ports = port_interval_from(ports, "ports");
    else if (carries_ports(c.protocol))
      throw parse_error(errc::bad_packet, "ports",
                        "a " + protocol_name(c.protocol) + " connection needs a server port");
    if (!ephemeral.is_none()) c.ephemeral = port_interval_from(ephemeral, "ephemeral");
    auto cg = group_from(client_group, "client_group");
    auto sg = group_from(server_group, "server_group");
    auto result = analysis::check_connection(cg, sg, c);
    return to_python(connection_to_json(result, c, ordered_rules(cg), ordered_rules(sg)));
  }, py::arg("client_group"), py::arg("server_group"), py::arg("client"), py::arg("server"),
     py::arg("protocol"), py::arg("ports"), py::arg("ephemeral"));
  m.def("_exposure", [](const py::object& g, const std::string& direction) {
    auto d = parse_direction(direction);
    return to_python(exposure_to_json(analysis::exposure(group_from(g), d), d));
  }, py::arg("group"), py::arg("direction"));
  m.def("_minimize", [](const py::object& g) {
    auto group = group_from(g);
    auto result = analysis::minimize(group);
    auto rules = ordered_rules(group);
    py::list removed;
    for (auto i : result.removed) removed.append(rules[i]);
    return py::make_tuple(result.group, removed, to_python(diff_to_json(result.proof)));
  }, py::arg("group"));
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
    return to_python(diff_to_json(analysis::check_reorder(group_from(g), ids)));
  }, py::arg("group"), py::arg("ids"));
}

}  // namespace secgroup::python
