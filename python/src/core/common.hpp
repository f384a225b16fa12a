// python/src/core/common.hpp: what the binding translation units of secgroup._core share.
//
// Conversions between secgroup::json and Python objects, the argument parsers every binding
// uses (groups, packets, port intervals, engines), the decision value returned to Python, the
// package's result objects, the Z3 entry points, and one init function per concept; module.cpp
// calls them in order.
//
// Methods of SecurityGroup are bound in C++ by the file of their concept, on the class
// model.cpp creates; nothing is patched onto a class from Python. A method that is also a
// function of the package (analyze, diff, query, exposure, minimize, lint, compile,
// evaluate_many, regions) is one C++ function bound twice by bind_group_function(): as the
// method and as `_core._<name>`, which the package's function of that name calls with the same
// arguments. The package's functions stay Python functions because pybind11 functions do not
// pickle (`pool.map(secgroup.analyze, groups)` must work) and show no signature to inspect.
// Results are the classes of secgroup/_results.py (documents equal to the CLI's JSON, pickling,
// HTML reprs): result() calls them, importing that module when a call returns, so importing
// _core never imports the package. The one method that is Python at heart, plot(), calls
// secgroup.plot the same way (matplotlib stays optional).
#pragma once

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <secgroup/analysis/anomalies.hpp>
#include <secgroup/analysis/query.hpp>
#include <secgroup/io/json.hpp>
#include <secgroup/io/source.hpp>
#include <secgroup/secgroup.hpp>
#include <secgroup/where.hpp>

namespace secgroup::python {

namespace py = pybind11;

// -- Conversions ------------------------------------------------------------------------------

/// Returns `j` as plain Python objects (dict, list, str, int, float, bool, None).
py::object to_python(const json& j);
/// Returns the Python value `o` (dict, list, tuple, str, int, float, bool, None) as JSON;
/// throws parse_error (secgroup.parse.105) naming `field` for other types.
json from_python(const py::handle& o, const std::string& field = "");

/// The decision of a group on a packet, with the deciding rule itself, its id and position.
struct py_decision {
  action verdict = action::drop;
  std::optional<std::uint32_t> rule;  ///< index into ordered_rules(), nullopt: default policy
  std::optional<std::string> rule_id;
  std::optional<std::uint32_t> position;
  std::optional<secgroup::rule> decided_by;  ///< the deciding rule; nullopt: default policy
  /// "rule ID (position N)", "default SMTP rule ID (position N)" or "the default policy".
  std::string label = "the default policy";
};

/// Returns `d` for a group whose ordered_rules() are `rules`.
py_decision make_decision(const decision& d, const std::vector<rule>& rules);

/// Returns a packet from a Packet object, a "DIRECTION PROTOCOL REMOTE [PORT]" string, or a
/// (direction, protocol, remote[, port]) tuple; errors name `field`.
packet packet_from(const py::handle& o, const std::string& field = "packet");

/// Returns the Python integer `o` (an int or an object with __index__, such as a NumPy
/// integer; not a bool) when it lies in 0..`max`. Errors name `field`: ParseError
/// (secgroup.parse.105) for another type, ValidationError (secgroup.validation.203) for a value
/// outside the range, a negative one included, which pybind11's own conversion to an unsigned
/// C++ parameter reports as a TypeError naming no field.
std::uint64_t unsigned_from(const py::handle& o, const std::string& field, std::uint64_t max);

/// Returns an inclusive port interval from an int, "A-B"/"N" or a (from, to) pair.
interval<std::uint32_t> port_interval_from(const py::handle& o, const std::string& field);

/// Returns the ports of a rule from None, a port, "N"/"A-B" (parse_port_range) or a (from, to)
/// pair; errors name "ports" (or "ports[0]", "ports[1]").
std::optional<port_range> rule_ports_from(const py::handle& o);

/// True iff `o` is a str whose first character after spaces, tabs and line ends is one of
/// `openers`: JSON text rather than a path.
bool is_json_text(const py::handle& o, std::string_view openers = "{[");

/// Throws ParseError (secgroup.parse.109) naming `field` when `o` is a str of nothing but spaces,
/// tabs and line ends: neither a path nor JSON text ("" would be read as a file of no name).
void refuse_blank(const py::handle& o, const std::string& field);

/// Returns the single group of `o`: a SecurityGroup, or anything load() reads holding one group.
security_group group_from(const py::handle& o, const std::string& field = "group");

/// Reads groups from a path, JSON text, dict or list.
std::vector<security_group> groups_from(const py::handle& source);

/// Reads a source as groups_from() does, keeping a Terraform document whole (io/source.hpp):
/// a path, JSON text, bytes or a dict may be an API export or a Terraform document.
group_input input_from(const py::handle& source);

/// An `api:` source as the CLI reads it: its name (the argument) and the export text of what
/// was read, by which findings are located.
struct api_text {
  std::string name;
  std::string text;
};

/// When `source` is an `api:...` string (read now, every zone must answer) or an ApiRead
/// (optional/client.cpp), its api_text; nullopt for any other source. A build without
/// secgroup::client raises ParseError (secgroup.parse.109) for an `api:` string, naming
/// SECGROUP_WITH_CLIENT.
std::optional<api_text> api_text_of(const py::handle& source);

/// The whole group of `g` (of `in`); throws validation_error secgroup.validation.203 naming
/// it and its values unknown until apply when it holds some.
security_group whole_group(const input_group& g, const group_input& in);

/// The pickle state of a group: its fields and stored user rules (order and positions kept),
/// as JSON text; group_from_state() reads it back.
std::string group_state(const security_group& g);
security_group group_from_state(const std::string& text);

// -- Results and methods ----------------------------------------------------------------------

/// Returns secgroup._results.`name`(args...): the package's result object around a document.
template <class... Args>
py::object result(const char* name, Args&&... args) {
  return py::module_::import("secgroup._results").attr(name)(std::forward<Args>(args)...);
}

/// Binds `f` as method `name` of SecurityGroup, whose self is `f`'s first argument, and as
/// `_core._<name>`, whose first argument `first` is anything group_from() reads (or a
/// SecurityGroup, as `f` takes it). `extra`, the further py::arg and py::kw_only and the
/// docstring, is the same for both, so the method and the function take the same arguments.
template <class F, class... Extra>
void bind_group_function(py::module_& m, const char* name, const char* first, const F& f,
                         const Extra&... extra) {
  py::class_<security_group> group = m.attr("SecurityGroup");
  group.def(name, f, extra...);
  m.def(("_" + std::string(name)).c_str(), f, py::arg(first), extra...);
}

// -- Engines ----------------------------------------------------------------------------------

/// Throws validation_error (secgroup.validation.203, field "engine") unless this build has the
/// Z3 engine.
void require_z3();

/// True iff `name` names the Z3 engine (parse_engine(): "interval" or "z3", any case), which
/// require_z3() then checks.
bool use_z3(const std::string& name);

/// The limits of one Z3 question.
struct z3_limits {
  std::uint32_t timeout_ms;
  std::uint32_t resource_limit;
};

/// The limits of the Python arguments `timeout_ms` and `resource_limit` (unsigned_from(): each
/// 0..2**32-1, errors naming it).
z3_limits limits_from(const py::handle& timeout_ms, const py::handle& resource_limit);

/// The Z3 side of the analyses that run on either engine (verify.cpp), in the interval engine's
/// shapes; they release the GIL while Z3 works. Call use_z3() first: a build without Z3
/// defines them to throw as require_z3() does.
/// An anomaly report (whose findings index its rules) and its document, the CLI's JSON.
struct anomaly_answer {
  analysis::anomaly_report report;
  json document;
};

anomaly_answer z3_anomalies(const security_group& g, const z3_limits& limits, bool pairs);
json z3_equivalence(const security_group& a, const security_group& b, const z3_limits& limits);
analysis::query_result z3_query(const security_group& g, const analysis::query& q,
                                const z3_limits& limits);

void init_errors(py::module_& m);
void init_model(py::module_& m);
void init_evaluate(py::module_& m);
void init_analysis(py::module_& m);
void init_lint(py::module_& m);
void init_mock(py::module_& m);
void init_verify(py::module_& m);
void init_server(py::module_& m);  ///< optional/server.cpp, when SECGROUP_HAS_SERVER
void init_client(py::module_& m);  ///< optional/client.cpp, when SECGROUP_HAS_CLIENT

}  // namespace secgroup::python
