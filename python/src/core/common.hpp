// python/src/core/common.hpp: what the binding translation units of secgroup._core share.
//
// Conversions between secgroup::json and Python objects, the argument parsers every binding
// uses (groups, packets, port intervals, engines), the decision value returned to Python, and
// one init function per concept; module.cpp calls them in order.
#pragma once

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <secgroup/io/json.hpp>
#include <secgroup/secgroup.hpp>

namespace secgroup::python {

namespace py = pybind11;

/// Returns `j` as plain Python objects (dict, list, str, int, float, bool, None).
py::object to_python(const json& j);
/// Returns the Python value `o` (dict, list, tuple, str, int, float, bool, None) as JSON;
/// throws parse_error (secgroup.parse.105) naming `field` for other types.
json from_python(const py::handle& o, const std::string& field = "");

/// The decision of a group on a packet, with the deciding rule's id and position.
struct py_decision {
  action verdict = action::drop;
  std::optional<std::uint32_t> rule;  ///< index into ordered_rules(), nullopt: default policy
  std::optional<std::string> rule_id;
  std::optional<std::uint32_t> position;
};

/// Returns `d` for a group whose ordered_rules() are `rules`.
py_decision make_decision(const decision& d, const std::vector<rule>& rules);

/// Returns a packet from a Packet object, a "DIRECTION PROTOCOL REMOTE [PORT]" string, or a
/// (direction, protocol, remote[, port]) tuple; errors name `field`.
packet packet_from(const py::handle& o, const std::string& field = "packet");

/// Returns an inclusive port interval from an int, "A-B"/"N" or a (from, to) pair.
interval<std::uint32_t> port_interval_from(const py::handle& o, const std::string& field);

/// Returns the ports of a rule from None, a port, "N"/"A-B" (parse_port_range) or a (from, to)
/// pair; errors name "ports" (or "ports[0]", "ports[1]").
std::optional<port_range> rule_ports_from(const py::handle& o);

/// True iff `o` is a str whose first character after spaces, tabs and line ends is one of
/// `openers`: JSON text rather than a path.
bool is_json_text(const py::handle& o, std::string_view openers = "{[");

/// Returns the single group of `o`: a SecurityGroup, or anything load() reads holding one group.
security_group group_from(const py::handle& o, const std::string& field = "group");

/// Reads groups from a path, JSON text, dict or list.
std::vector<security_group> groups_from(const py::handle& source);

/// The pickle state of a group: its fields and stored user rules (order and positions kept),
/// as JSON text; group_from_state() reads it back.
std::string group_state(const security_group& g);
security_group group_from_state(const std::string& text);

void init_errors(py::module_& m);
void init_model(py::module_& m);
void init_evaluate(py::module_& m);
void init_analysis(py::module_& m);
void init_lint(py::module_& m);
void init_mock(py::module_& m);
void init_verify(py::module_& m);
void init_server(py::module_& m);  ///< optional/server.cpp, when SECGROUP_HAS_SERVER

}  // namespace secgroup::python
