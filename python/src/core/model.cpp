// python/src/core/model.cpp: the model (rules, groups, packets, decisions), JSON I/O and
// evaluation, reference and compiled, single and vectorised; the decision-map regions the
// plots draw.
#include <cmath>

#include <pybind11/numpy.h>
#include <pybind11/operators.h>

#include <secgroup/analysis/query.hpp>
#include <secgroup/decision_map.hpp>

#include "common.hpp"

namespace secgroup::python {

// -- JSON <-> Python --------------------------------------------------------------------------

py::object to_python(const json& j) {
  switch (j.type()) {
    case json::value_t::null:
      return py::none();
    case json::value_t::boolean:
      return py::bool_(j.get<bool>());
    case json::value_t::number_integer:
      return py::int_(j.get<std::int64_t>());
    case json::value_t::number_unsigned:
      return py::int_(j.get<std::uint64_t>());
    case json::value_t::number_float:
      return py::float_(j.get<double>());
    case json::value_t::string:
      return py::str(j.get_ref<const std::string&>());
    case json::value_t::array: {
      py::list out;
      for (const auto& v : j) out.append(to_python(v));
      return out;
    }
    case json::value_t::object: {
      py::dict out;
      for (const auto& [k, v] : j.items()) out[py::str(k)] = to_python(v);
      return out;
    }
    default:
      return py::none();
  }
}

namespace {
json from_python_at(const py::handle& o, const std::string& field, int depth);
}

json from_python(const py::handle& o, const std::string& field) { return from_python_at(o, field, 0); }

namespace {
json from_python_at(const py::handle& o, const std::string& field, int depth) {
  if (depth > 200)
    throw parse_error(errc::wrong_type, field, "nested deeper than 200 levels (a cycle?)");
  if (o.is_none()) return nullptr;
  if (py::isinstance<py::bool_>(o)) return o.cast<bool>();
  if (py::isinstance<py::int_>(o)) {
    try {
      return o.cast<std::int64_t>();
    } catch (const py::cast_error&) {
      throw validation_error(errc::bad_value, field, "integer out of range");
    }
  }
  if (py::isinstance<py::float_>(o)) {
    const double d = o.cast<double>();  // json.loads("1e309") gives inf: no JSON number is one
    if (!std::isfinite(d))
      throw parse_error(errc::bad_number, field,
                        "number " + std::string(py::str(o)) + " is not finite");
    return d;
  }
  if (py::isinstance<py::str>(o)) return o.cast<std::string>();
  if (py::isinstance<py::dict>(o)) {
    json out = json::object();
    for (auto [k, v] : o.cast<py::dict>()) {
      if (!py::isinstance<py::str>(k))
        throw parse_error(errc::wrong_type, field, "dictionary keys must be strings");
      auto key = k.cast<std::string>();
      out[key] = from_python_at(v, field.empty() ? key : field + "." + key, depth + 1);
    }
    return out;
  }
  if (py::isinstance<py::list>(o) || py::isinstance<py::tuple>(o)) {
    json out = json::array();
    std::size_t i = 0;
    for (auto v : o) out.push_back(from_python_at(v, field + "[" + std::to_string(i++) + "]", depth + 1));
    return out;
  }
  throw parse_error(errc::wrong_type, field,
                    "cannot convert a " + std::string(py::str(o.get_type().attr("__name__"))) +
                        " to JSON");
}
}  // namespace

// -- Argument parsers -------------------------------------------------------------------------

py_decision make_decision(const decision& d, const std::vector<rule>& rules) {
  py_decision out;
  out.verdict = d.action;
  if (!d.by_default() && d.rule < rules.size()) {
    out.rule = d.rule;
    const auto& r = rules[d.rule];
    if (!r.id.empty()) out.rule_id = r.id;
    out.position = r.position;
  }
  return out;
}

namespace {

std::string text_of(const py::handle& o, const std::string& field, const char* what) {
  if (py::isinstance<py::str>(o)) return o.cast<std::string>();
  throw parse_error(errc::wrong_type, field,
                    std::string("expected ") + what + ", got a " +
                        std::string(py::str(o.get_type().attr("__name__"))));
}

std::optional<std::string> port_text(const py::handle& o, const std::string& field) {
  if (o.is_none()) return std::nullopt;
  if (py::isinstance<py::int_>(o) && !py::isinstance<py::bool_>(o)) return std::string(py::str(o));
  return text_of(o, field, "a port (int or str)");
}

std::int64_t int_of(const py::handle& o, const std::string& field) {
  if (!py::isinstance<py::int_>(o) || py::isinstance<py::bool_>(o))
    throw parse_error(errc::wrong_type, field, "expected an integer");
  try {
    return o.cast<std::int64_t>();
  } catch (const py::cast_error&) {
    throw validation_error(errc::port_out_of_range, field, "integer out of range");
  }
}

/// Rule ports: None, 22, "22", "1-1024", (1, 1024).
std::optional<port_range> ports_from(const py::handle& o) {
  if (o.is_none()) return std::nullopt;
  if (py::isinstance<py::tuple>(o) || py::isinstance<py::list>(o)) {
    auto seq = o.cast<py::sequence>();
    if (seq.size() != 2)
      throw parse_error(errc::wrong_type, "ports", "expected a (from, to) pair");
    return make_port_range(int_of(seq[0], "ports[0]"), int_of(seq[1], "ports[1]"), "ports[0]",
                           "ports[1]");
  }
  if (py::isinstance<py::str>(o)) {
    auto text = o.cast<std::string>();
    auto dash = text.find('-');
    auto number = [&](std::string_view part) -> std::int64_t {
      auto n = detail::parse_decimal(detail::trim(part), 6);
      if (!n) throw parse_error(errc::bad_number, "ports", "invalid ports " + detail::quoted(text));
      return *n;
    };
    if (dash == std::string::npos) return make_port_range(number(text), std::nullopt, "ports", "ports");
    return make_port_range(number(std::string_view(text).substr(0, dash)),
                           number(std::string_view(text).substr(dash + 1)), "ports", "ports");
  }
  return make_port_range(int_of(o, "ports"), std::nullopt, "ports", "ports");
}

py::object ports_to_python(const std::optional<port_range>& r) {
  if (!r) return py::none();
  return py::make_tuple(r->from, r->to);
}

std::string rule_repr(const rule& r) {
  std::string out = "Rule(" + detail::quoted(to_string(r));
  if (!r.id.empty()) out += ", id=" + detail::quoted(r.id);
  if (r.position) out += ", position=" + std::to_string(r.position);
  return out + ")";
}

std::string group_label(const security_group& g) {
  return g.name.empty() ? (g.id.empty() ? std::string("(unnamed)") : g.id) : g.name;
}

/// Pickle state of a group: the group fields and its stored user rules, as JSON text.
std::string group_state(const security_group& g) {
  json rules = json::array();
  for (const auto& r : g.rules) rules.push_back(rule_to_json(r));
  json j = json::object();
  j["security_group"] = group_to_json(g);
  j["rules"] = std::move(rules);
  return j.dump();
}

security_group group_from_state(const std::string& text) {
  auto j = json::parse(text);
  auto g = group_from_json(j.at("security_group"));
  g.rules.clear();
  for (const auto& r : j.at("rules")) g.rules.push_back(rule_from_json(r));
  return g;
}

bool looks_like_json_text(const std::string& s) {
  auto t = detail::trim(s);
  return !t.empty() && (t.front() == '{' || t.front() == '[');
}

}  // namespace

packet packet_from(const py::handle& o, const std::string& field) {
  if (py::isinstance<packet>(o)) return o.cast<packet>();
  if (py::isinstance<py::str>(o)) return parse_packet(o.cast<std::string>(), field);
  if (py::isinstance<py::tuple>(o) || py::isinstance<py::list>(o)) {
    auto seq = o.cast<py::sequence>();
    if (seq.size() < 3 || seq.size() > 4)
      throw parse_error(errc::bad_packet, field,
                        "expected (direction, protocol, remote[, port]), got " +
                            std::to_string(seq.size()) + " items");
    auto proto = py::isinstance<py::int_>(seq[1]) ? std::string(py::str(seq[1]))
                                                  : text_of(seq[1], field + " protocol", "a protocol");
    std::optional<std::string> port = seq.size() == 4 ? port_text(seq[3], field + " port") : std::nullopt;
    return make_packet(text_of(seq[0], field + " direction", "a direction"), proto,
                       text_of(seq[2], field + " remote", "an address"),
                       port ? std::optional<std::string_view>(*port) : std::nullopt, field + " ");
  }
  throw parse_error(errc::bad_packet, field,
                    "expected a Packet, a 'DIRECTION PROTOCOL REMOTE [PORT]' string or a tuple");
}

interval<std::uint32_t> port_interval_from(const py::handle& o, const std::string& field) {
  if (py::isinstance<py::tuple>(o) || py::isinstance<py::list>(o)) {
    auto seq = o.cast<py::sequence>();
    if (seq.size() != 2) throw parse_error(errc::wrong_type, field, "expected a (from, to) pair");
    auto a = int_of(seq[0], field), b = int_of(seq[1], field);
    if (a < 0 || a > 65535 || b < 0 || b > 65535)
      throw validation_error(errc::port_out_of_range, field, "ports must lie in 0..65535");
    if (b < a) throw validation_error(errc::port_order, field, "port range ends before it starts");
    return {static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(b)};
  }
  std::string text = py::isinstance<py::int_>(o) && !py::isinstance<py::bool_>(o)
                         ? std::string(py::str(o))
                         : text_of(o, field, "ports (N, 'A-B' or a pair)");
  return analysis::parse_port_interval(text, field);
}

std::vector<security_group> groups_from(const py::handle& source) {
  if (py::isinstance<security_group>(source)) return {source.cast<security_group>()};
  if (py::isinstance<py::str>(source)) {
    auto s = source.cast<std::string>();
    if (looks_like_json_text(s)) return parse_groups(s);
    return load_groups(s);
  }
  if (py::hasattr(source, "__fspath__"))
    return load_groups(py::str(source.attr("__fspath__")()).cast<std::string>());
  if (py::isinstance<py::bytes>(source)) return parse_groups(source.cast<std::string>());
  if (py::isinstance<py::dict>(source)) return groups_from_json(from_python(source));
  if (py::isinstance<py::list>(source) || py::isinstance<py::tuple>(source)) {
    bool all_groups = py::len(source) > 0;
    for (auto item : source) all_groups = all_groups && py::isinstance<security_group>(item);
    if (all_groups) return source.cast<std::vector<security_group>>();
    return groups_from_json(from_python(source));
  }
  throw parse_error(errc::wrong_type, "source",
                    "expected a path, JSON text, a dict, a list or a SecurityGroup");
}

security_group group_from(const py::handle& o, const std::string& field) {
  if (py::isinstance<security_group>(o)) return o.cast<security_group>();
  auto groups = groups_from(o);
  if (groups.size() != 1)
    throw lookup_error(errc::ambiguous, field,
                       "expected one group, the input holds " + std::to_string(groups.size()) +
                           "; select one with secgroup.load_group(source, key)");
  return groups.front();
}

bool use_z3(const std::string& engine) {
  if (detail::iequals(engine, "interval")) return false;
  if (detail::iequals(engine, "z3")) {
#if SECGROUP_HAS_Z3
    return true;
#else
    throw validation_error(errc::bad_value, "engine", "this build of secgroup has no Z3 engine");
#endif
  }
  throw parse_error(errc::bad_enum, "engine",
                    "unknown engine " + detail::quoted(engine) + " (expected interval or z3)");
}

// -- Regions of the decision map (for plots) --------------------------------------------------

namespace {

template <family F>
py::list regions_of(const security_group& g, direction d) {
  using S = space_of<F>;
  auto rules = ordered_rules(g);
  auto pol = lower<F>(rules, d, g.default_policy(d));
  decision_map<S> map(pol);
  py::list out;
  map.for_each_region([&](const region<S>& r) {
    auto address = [](typename S::address_type v) {
      ip_address a;
      a.af = F;
      if constexpr (F == family::v4)
        a.value = detail::uint128{0, v};
      else
        a.value = v;
      return to_string(a);
    };
    std::optional<std::uint32_t> index;
    action act = pol.default_action;
    if (r.rule != decision::no_rule) {
      index = pol.origin[r.rule];
      act = pol.rules[r.rule].action;
    }
    py::dict item;
    item["protocol"] = std::string(to_string(r.protocol));
    item["first"] = address(r.addresses.lo);
    item["last"] = address(r.addresses.hi);
    item["port_from"] = static_cast<std::uint32_t>(r.ports.lo);
    item["port_to"] = static_cast<std::uint32_t>(r.ports.hi);
    item["rule"] = index ? py::object(py::int_(*index)) : py::object(py::none());
    item["rule_id"] = index && !rules[*index].id.empty() ? py::object(py::str(rules[*index].id))
                                                        : py::object(py::none());
    item["position"] = index ? py::object(py::int_(rules[*index].position)) : py::object(py::none());
    item["action"] = std::string(to_string(act));
    out.append(item);
  });
  return out;
}

}  // namespace

// -- Compiled groups ------------------------------------------------------------------------

namespace {

/// A compiled group with the group it was compiled from: its decisions index that group's
/// ordered_rules(), so evaluating another group with it must be refused, not trusted.
struct py_compiled {
  security_group group;
  compiled_group table;
};

/// The compiled form to evaluate `g` with: `given` when it was compiled from `g` (else a
/// validation error naming "compiled"), or `own`, built here.
const compiled_group& compiled_for(const security_group& g, const py_compiled* given,
                                   std::optional<compiled_group>& own) {
  if (!given) return own.emplace(g);
  if (!(given->group == g))
    throw validation_error(errc::bad_value, "compiled",
                           "was compiled from another group (" + detail::quoted(given->group.id) +
                               "); compile this group, or pass the group it was compiled from");
  return given->table;
}

/// Decides every packet of `in` with evaluator `engine`: "compiled" (with `given` when set)
/// or "reference". Releases the GIL while the compiled tables run.
std::vector<decision> decide_all(const security_group& g, const py_compiled* given,
                                 const std::vector<packet>& in, const std::string& engine) {
  std::vector<decision> out(in.size());
  if (detail::iequals(engine, "reference")) {
    reference_evaluator ref(g);
    for (std::size_t k = 0; k < in.size(); ++k) out[k] = ref.evaluate(in[k]);
  } else if (detail::iequals(engine, "compiled")) {
    std::optional<compiled_group> own;
    const auto& table = compiled_for(g, given, own);
    py::gil_scoped_release release;
    table.evaluate(in, out);
  } else {
    throw parse_error(errc::bad_enum, "engine",
                      "unknown evaluator " + detail::quoted(engine) + " (expected compiled or reference)");
  }
  return out;
}

}  // namespace

// -- Bindings ---------------------------------------------------------------------------------

void init_model(py::module_& m) {
  py::class_<py_decision>(m, "Decision", R"pbdoc(
How a group decides a packet: ``action`` ("accept" or "drop"), ``rule`` (index into
``group.ordered_rules()``, None when the default policy decided), ``rule_id`` and ``position``.
)pbdoc")
      .def_property_readonly("action", [](const py_decision& d) { return std::string(to_string(d.verdict)); })
      .def_property_readonly("accepted", [](const py_decision& d) { return d.verdict == action::accept; })
      .def_readonly("rule", &py_decision::rule)
      .def_readonly("rule_id", &py_decision::rule_id)
      .def_readonly("position", &py_decision::position)
      .def_property_readonly("by_default", [](const py_decision& d) { return !d.rule.has_value(); })
      .def("to_dict", [](const py_decision& d) {
        py::dict j;
        j["action"] = std::string(to_string(d.verdict));
        j["rule_id"] = d.rule_id ? py::object(py::str(*d.rule_id)) : py::object(py::none());
        j["position"] = d.position ? py::object(py::int_(*d.position)) : py::object(py::none());
        j["default"] = !d.rule.has_value();
        return j;
      }, "The CLI's `check --format json` line: action, rule_id, position, default.")
      .def("__eq__", [](const py_decision& a, const py_decision& b) {
        return a.verdict == b.verdict && a.rule == b.rule && a.rule_id == b.rule_id && a.position == b.position;
      })
      .def("__hash__", [](const py_decision& d) {
        return py::hash(py::make_tuple(static_cast<int>(d.verdict), d.rule, d.rule_id, d.position));
      })
      .def("__repr__", [](const py_decision& d) {
        std::string by = !d.rule ? "default policy"
                                 : "rule " + (d.rule_id ? *d.rule_id + " " : std::string()) +
                                       "(position " + std::to_string(d.position.value_or(0)) + ")";
        return "Decision(" + std::string(to_string(d.verdict)) + " by " + by + ")";
      })
      .def(py::pickle(
          [](const py_decision& d) {
            return py::make_tuple(static_cast<int>(d.verdict), d.rule, d.rule_id, d.position);
          },
          [](const py::tuple& t) {
            py_decision d;
            d.verdict = t[0].cast<int>() == 0 ? action::accept : action::drop;
            d.rule = t[1].cast<std::optional<std::uint32_t>>();
            d.rule_id = t[2].cast<std::optional<std::string>>();
            d.position = t[3].cast<std::optional<std::uint32_t>>();
            return d;
          }));

  py::class_<packet>(m, "Packet", R"pbdoc(
A packet as one group sees it: direction, IP protocol number, remote address, destination port.
``Packet("inbound", "tcp", "203.0.113.7", 22)`` or ``Packet.parse("inbound tcp 203.0.113.7 22")``.
)pbdoc")
      .def(py::init([](const py::object& dir, const py::object& proto, const py::object& remote,
                       const py::object& port) {
             return packet_from(port.is_none() ? py::make_tuple(dir, proto, remote)
                                               : py::make_tuple(dir, proto, remote, port));
           }),
           py::arg("direction"), py::arg("protocol"), py::arg("remote"), py::arg("port") = py::none())
      .def_static("parse", [](const std::string& s) { return parse_packet(s, "packet"); }, py::arg("text"),
                  "Parses 'DIRECTION PROTOCOL REMOTE [PORT]'.")
      .def_property_readonly("direction", [](const packet& p) { return std::string(to_string(p.direction)); })
      .def_property_readonly("protocol", [](const packet& p) { return p.protocol; })
      .def_property_readonly("protocol_name", [](const packet& p) { return protocol_name(p.protocol); })
      .def_property_readonly("remote", [](const packet& p) { return to_string(p.remote); })
      .def_property_readonly("family", [](const packet& p) { return std::string(to_string(p.remote.af)); })
      .def_property_readonly("port", [](const packet& p) -> py::object {
        return carries_ports(p.protocol) ? py::object(py::int_(p.port)) : py::object(py::none());
      })
      .def("to_dict", [](const packet& p) {
        py::dict j;
        j["direction"] = std::string(to_string(p.direction));
        j["protocol"] = protocol_name(p.protocol);
        j["remote"] = to_string(p.remote);
        j["port"] = carries_ports(p.protocol) ? py::object(py::int_(p.port)) : py::object(py::none());
        return j;
      })
      .def("__str__", [](const packet& p) { return to_string(p); })
      .def("__repr__", [](const packet& p) { return "Packet.parse(" + detail::quoted(to_string(p)) + ")"; })
      .def(py::self == py::self)
      .def("__hash__", [](const packet& p) { return py::hash(py::str(to_string(p))); })
      .def(py::pickle([](const packet& p) { return to_string(p); },
                      [](const std::string& s) { return parse_packet(s, "packet"); }));

  py::class_<rule>(m, "Rule", R"pbdoc(
A security-group rule, field names as in the API. ``ports`` is None (every port), a port, a
(from, to) pair or "A-B"; ICMP and ANY rules never keep ports.
)pbdoc")
      .def(py::init([](const std::string& protocol, const std::string& direction,
                       const std::string& act, const std::string& ip_range, const py::object& ports,
                       std::uint32_t position, const std::string& id, bool editable,
                       const std::string& zone) {
             rule r;
             r.protocol = parse_protocol(protocol);
             r.direction = parse_direction(direction);
             r.action = parse_action(act);
             r.ip_range = parse_network(ip_range, "ip_range");
             r.ports = ports_from(ports);
             r.position = position;
             r.id = id;
             r.editable = editable;
             r.zone = zone;
             return normalize(r);
           }),
           py::arg("protocol") = "TCP", py::arg("direction") = "inbound", py::arg("action") = "accept",
           py::arg("ip_range") = "0.0.0.0/0", py::arg("ports") = py::none(), py::arg("position") = 0,
           py::arg("id") = "", py::arg("editable") = true, py::arg("zone") = "")
      .def_static("from_dict", [](const py::object& d) { return rule_from_json(from_python(d)); },
                  py::arg("data"), "Reads a SecurityGroupRule object (dict).")
      .def("to_dict", [](const rule& r) { return to_python(rule_to_json(r)); },
           "The rule as the API writes it.")
      .def_readwrite("id", &rule::id)
      .def_property("protocol", [](const rule& r) { return std::string(to_string(r.protocol)); },
                    [](rule& r, const std::string& s) { r.protocol = parse_protocol(s); r = normalize(r); })
      .def_property("direction", [](const rule& r) { return std::string(to_string(r.direction)); },
                    [](rule& r, const std::string& s) { r.direction = parse_direction(s); })
      .def_property("action", [](const rule& r) { return std::string(to_string(r.action)); },
                    [](rule& r, const std::string& s) { r.action = parse_action(s); })
      .def_property("ip_range", [](const rule& r) { return to_string(r.ip_range); },
                    [](rule& r, const std::string& s) { r.ip_range = parse_network(s, "ip_range"); })
      .def_property("ports", [](const rule& r) { return ports_to_python(r.ports); },
                    [](rule& r, const py::object& o) { r.ports = ports_from(o); r = normalize(r); })
      .def_readwrite("position", &rule::position)
      .def_readwrite("editable", &rule::editable)
      .def_readwrite("zone", &rule::zone)
      .def("matches", [](const rule& r, const py::object& p) { return matches(r, packet_from(p)); },
           py::arg("packet"), "True iff the rule matches the packet.")
      .def("__str__", [](const rule& r) { return to_string(r); })
      .def("__repr__", &rule_repr)
      .def(py::self == py::self)
      .def(py::pickle([](const rule& r) { return rule_to_json(r).dump(); },
                      [](const std::string& s) { return rule_from_json(json::parse(s)); }));

  py::class_<security_group>(m, "SecurityGroup", R"pbdoc(
A security group with every field of the API object; ``rules`` are the user rules (the default
SMTP rules are implied by ``enable_default_security``; see ``ordered_rules()``). ``rules``
returns a copy: assign the list back, or use ``add_rule``.
)pbdoc")
      .def(py::init([](const std::string& name, const std::vector<rule>& rules, const std::string& id,
                       bool stateful, const std::string& inbound, const std::string& outbound,
                       bool enable_default_security, const std::string& zone,
                       std::optional<std::string> description, const std::string& project,
                       const std::string& organization, std::vector<std::string> tags) {
             security_group g;
             g.name = name;
             for (const auto& r : rules) g.rules.push_back(normalize(r));
             g.id = id;
             g.stateful = stateful;
             g.inbound_default_policy = parse_action(inbound, "inbound_default_policy");
             g.outbound_default_policy = parse_action(outbound, "outbound_default_policy");
             g.enable_default_security = enable_default_security;
             g.zone = zone;
             g.description = std::move(description);
             g.project = project;
             g.organization = organization;
             g.tags = std::move(tags);
             return g;
           }),
           py::arg("name") = "", py::arg("rules") = std::vector<rule>{}, py::arg("id") = "",
           py::arg("stateful") = true, py::arg("inbound_default_policy") = "accept",
           py::arg("outbound_default_policy") = "accept", py::arg("enable_default_security") = true,
           py::arg("zone") = "fr-par-1", py::arg("description") = py::none(), py::arg("project") = "",
           py::arg("organization") = "", py::arg("tags") = std::vector<std::string>{})
      .def_static("from_dict", [](const py::object& d) { return group_from(d, "data"); }, py::arg("data"),
                  "Reads one group from a dict in any export form.")
      .def_static("from_json", [](const std::string& s) { return group_from(py::str(s), "text"); },
                  py::arg("text"), "Reads one group from JSON text.")
      .def("to_dict", [](const security_group& g) { return to_python(export_to_json(g)); },
           "The group as the API exports it: {'security_group': {...}, 'rules': [...]} with the "
           "rules in evaluation order (default rules included when enabled).")
      .def("to_json", [](const security_group& g, int indent) { return export_to_json(g).dump(indent); },
           py::arg("indent") = 2)
      .def_readwrite("id", &security_group::id)
      .def_readwrite("name", &security_group::name)
      .def_readwrite("description", &security_group::description)
      .def_readwrite("organization", &security_group::organization)
      .def_readwrite("project", &security_group::project)
      .def_readwrite("tags", &security_group::tags)
      .def_readwrite("stateful", &security_group::stateful)
      .def_property("inbound_default_policy",
                    [](const security_group& g) { return std::string(to_string(g.inbound_default_policy)); },
                    [](security_group& g, const std::string& s) {
                      g.inbound_default_policy = parse_action(s, "inbound_default_policy");
                    })
      .def_property("outbound_default_policy",
                    [](const security_group& g) { return std::string(to_string(g.outbound_default_policy)); },
                    [](security_group& g, const std::string& s) {
                      g.outbound_default_policy = parse_action(s, "outbound_default_policy");
                    })
      .def_readwrite("organization_default", &security_group::organization_default)
      .def_readwrite("project_default", &security_group::project_default)
      .def_readwrite("enable_default_security", &security_group::enable_default_security)
      .def_property("state", [](const security_group& g) { return std::string(to_string(g.state)); },
                    [](security_group& g, const std::string& s) { g.state = parse_group_state(s); })
      .def_readwrite("creation_date", &security_group::creation_date)
      .def_readwrite("modification_date", &security_group::modification_date)
      .def_readwrite("zone", &security_group::zone)
      .def_property("servers",
                    [](const security_group& g) {
                      py::list out;
                      for (const auto& s : g.servers) out.append(py::make_tuple(s.id, s.name));
                      return out;
                    },
                    [](security_group& g, const std::vector<std::pair<std::string, std::string>>& v) {
                      g.servers.clear();
                      for (const auto& [id, name] : v) g.servers.push_back({id, name});
                    })
      .def_property("rules", [](const security_group& g) { return g.rules; },
                    [](security_group& g, const std::vector<rule>& rules) {
                      g.rules.clear();
                      for (const auto& r : rules) g.rules.push_back(normalize(r));
                    })
      .def("add_rule", [](security_group& g, const rule& r) {
             auto copy = normalize(r);
             if (copy.position == 0) {
               std::uint32_t last = 0;
               for (const auto& x : g.rules) last = std::max(last, x.position);
               copy.position = last + 1;
             }
             g.rules.push_back(copy);
             return copy;
           }, py::arg("rule"), "Appends a copy of `rule` (position: after the last when 0); returns it.")
      .def("ordered_rules", &ordered_rules, "The rules in evaluation order, default rules first.")
      .def("default_policy", [](const security_group& g, const std::string& d) {
             return std::string(to_string(g.default_policy(parse_direction(d))));
           }, py::arg("direction"))
      .def("evaluate", [](const security_group& g, const py::object& p, const std::string& engine) {
             return make_decision(decide_all(g, nullptr, {packet_from(p)}, engine)[0], ordered_rules(g));
           }, py::arg("packet"), py::arg("engine") = "compiled",
           "Decides one packet (Packet, text or tuple); engine 'compiled' or 'reference'.")
      .def("__str__", [](const security_group& g) { return group_label(g); })
      .def("__repr__", [](const security_group& g) {
        return "SecurityGroup(name=" + detail::quoted(g.name) + ", id=" + detail::quoted(g.id) +
               ", rules=" + std::to_string(g.rules.size()) + ", stateful=" + (g.stateful ? "True" : "False") +
               ", inbound=" + std::string(to_string(g.inbound_default_policy)) +
               ", outbound=" + std::string(to_string(g.outbound_default_policy)) + ")";
      })
      .def(py::self == py::self)
      .def(py::pickle([](const security_group& g) { return group_state(g); },
                      [](const std::string& s) { return group_from_state(s); }));

  py::class_<py_compiled>(m, "CompiledGroup", R"pbdoc(
A group compiled for fast lookups (flat tables). Build once with ``group.compile()`` and decide
many packets of that same group with ``evaluate_many(..., compiled=)``.
)pbdoc")
      .def_property_readonly("group", [](const py_compiled& c) { return c.group; },
                             "The group this was compiled from (a copy).")
      .def("memory", [](const py_compiled& c) { return c.table.memory(); },
           "Bytes used by the lookup tables.")
      .def("__repr__", [](const py_compiled& c) {
        return "CompiledGroup(" + detail::quoted(c.group.id) + ", memory=" +
               std::to_string(c.table.memory()) + ")";
      })
      .def(py::pickle([](const py_compiled& c) { return group_state(c.group); },
                      [](const std::string& s) {  // the tables are rebuilt, not shipped
                        auto g = group_from_state(s);
                        return py_compiled{g, compiled_group(g)};
                      }));

  m.def("_compile", [](const security_group& g) {
    py::gil_scoped_release release;
    return py_compiled{g, compiled_group(g)};
  }, py::arg("group"));

  m.def("_evaluate_many", [](const security_group& g, const py_compiled* compiled,
                             const py::iterable& packets, const std::string& engine) {
    std::vector<packet> in;
    std::size_t i = 0;
    for (auto p : packets) in.push_back(packet_from(p, "packets[" + std::to_string(i++) + "]"));
    auto rules = ordered_rules(g);
    const auto out = decide_all(g, compiled, in, engine);
    std::vector<py_decision> result;
    result.reserve(out.size());
    for (const auto& d : out) result.push_back(make_decision(d, rules));
    return result;
  }, py::arg("group"), py::arg("compiled"), py::arg("packets"), py::arg("engine") = "compiled");

  m.def("_evaluate_arrays", [](const security_group& g, const py_compiled* compiled,
                               const py::sequence& directions, const py::sequence& protocols,
                               const py::sequence& remotes, const py::object& ports,
                               const std::string& engine) {
    const auto n = static_cast<std::size_t>(py::len(directions));
    auto check_len = [&](const py::handle& s, const char* name) {
      if (static_cast<std::size_t>(py::len(s)) != n)
        throw validation_error(errc::bad_value, name,
                               std::string(name) + " has " + std::to_string(py::len(s)) +
                                   " items, directions has " + std::to_string(n));
    };
    check_len(protocols, "protocols");
    check_len(remotes, "remotes");
    if (!ports.is_none()) check_len(ports, "ports");
    std::vector<packet> in(n);
    py::sequence port_seq = ports.is_none() ? py::sequence(py::list()) : ports.cast<py::sequence>();
    for (std::size_t k = 0; k < n; ++k) {
      auto field = "packets[" + std::to_string(k) + "]";
      py::object port = ports.is_none() ? py::object(py::none()) : py::object(port_seq[k]);
      if (!port.is_none() && !py::isinstance<py::int_>(port) && py::hasattr(port, "__index__"))
        port = py::int_(port);  // numpy integers
      py::object proto = protocols[k];
      if (!py::isinstance<py::str>(proto) && py::hasattr(proto, "__index__")) proto = py::int_(proto);
      bool portless = !port.is_none() && py::isinstance<py::int_>(port) && port.cast<long long>() < 0;
      in[k] = packet_from(portless || port.is_none()
                              ? py::make_tuple(directions[k], proto, remotes[k])
                              : py::make_tuple(directions[k], proto, remotes[k], port),
                          field);
    }
    const auto out = decide_all(g, compiled, in, engine);
    py::array_t<bool> accepted(static_cast<py::ssize_t>(n));
    py::array_t<std::int64_t> index(static_cast<py::ssize_t>(n));
    auto a = accepted.mutable_unchecked<1>();
    auto r = index.mutable_unchecked<1>();
    for (std::size_t k = 0; k < n; ++k) {
      a(static_cast<py::ssize_t>(k)) = out[k].action == action::accept;
      r(static_cast<py::ssize_t>(k)) = out[k].by_default() ? -1 : static_cast<std::int64_t>(out[k].rule);
    }
    return py::make_tuple(accepted, index);
  }, py::arg("group"), py::arg("compiled"), py::arg("directions"), py::arg("protocols"),
     py::arg("remotes"), py::arg("ports"), py::arg("engine") = "compiled");

  m.def("load", &groups_from, py::arg("source"), R"pbdoc(
Reads every group of `source`: a path (str or os.PathLike), JSON text (a str starting with '{'
or '['), bytes, a dict or a list in any export form of the API.
)pbdoc");
  m.def("load_group", [](const py::object& source, const std::optional<std::string>& key) {
    return pick_group(groups_from(source), key, "group", "group", "the input",
                      "choose one by id or name");
  }, py::arg("source"), py::arg("key") = py::none(),
     "Reads the group of `source` with id or name `key` (the only group when key is None).");
  m.def("groups_to_dict", [](const std::vector<security_group>& groups) {
    return to_python(groups_to_json(groups));
  }, py::arg("groups"), "{'security_groups': [...]}, each group with its ordered rules.");
  m.def("default_rules", [](const std::string& zone) { return default_rules(zone); },
        py::arg("zone") = "fr-par-1", "The six default SMTP rules of a zone.");
  m.def("_regions", [](const security_group& g, const std::string& d, const std::string& fam) {
    auto dir = parse_direction(d);
    if (detail::iequals(fam, "ipv4") || detail::iequals(fam, "v4")) return regions_of<family::v4>(g, dir);
    if (detail::iequals(fam, "ipv6") || detail::iequals(fam, "v6")) return regions_of<family::v6>(g, dir);
    throw parse_error(errc::bad_enum, "family", "unknown family " + detail::quoted(fam) + " (expected ipv4 or ipv6)");
  }, py::arg("group"), py::arg("direction"), py::arg("family"));
}

}  // namespace secgroup::python
