// python/src/core/model.cpp: the model as Python classes (decisions, packets, rules, groups)
// with their reprs, comparisons and pickling, and JSON I/O of groups.
#include <pybind11/operators.h>

#include <limits>

#include "common.hpp"

namespace secgroup::python {

// -- Pickle state of a group -----------------------------------------------------------------

std::string group_state(const security_group& g) {
  json rules = json::array();
  for (const auto& r : g.rules) rules.push_back(rule_to_json(r));
  json j = json::object();
  j["security_group"] = group_to_json(g);
  j["rules"] = std::move(rules);
  return j.dump();
}

// Reads a pickle state (any bytes a pickle holds) as parse_json() reads untrusted text: errors
// are ParseError naming "pickle state" and the field, never the JSON library's own.
security_group group_from_state(const std::string& text) {
  const std::string source = "pickle state";
  const auto j = parse_json(text, source);
  const auto member = [&](const char* key) -> const json& {
    if (!j.is_object() || !j.contains(key))
      throw parse_error(errc::missing_field, source + ": " + key,
                        "required field is missing (not a secgroup pickle state)");
    return j[key];
  };
  auto g = group_from_json(member("security_group"), source + ": security_group");
  const auto& rules = member("rules");
  if (!rules.is_array())
    throw parse_error(errc::wrong_type, source + ": rules",
                      std::string("expected an array, got ") + rules.type_name());
  g.rules.clear();
  rule_list_checker checker;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const auto field = source + ": rules[" + std::to_string(i) + "]";
    g.rules.push_back(rule_from_json(rules[i], field));
    if (checker.check(g.rules.back(), field, g.rules.back().editable))
      throw validation_error(errc::not_default_rule, field + ".id",
                             "a default SMTP rule is no user rule (not a secgroup pickle state)");
  }
  return g;
}

namespace {

// `rules` as a group's rule list: each checked as the readers check a file's
// (rule_list_checker: a default-rule id only on exactly that default rule, `editable=False` only
// on one, no id twice; validation.205 / .206 naming rules[i]), the listed default SMTP rules
// dropped as the readers drop them (enable_default_security implies them), the others
// normalised and numbered as a file's are (number_rules): 1..N when none has a position; some
// with and some without is a ParseError (secgroup.parse.106, as in a file) naming the first
// without.
std::vector<rule> numbered(const std::vector<rule>& rules) {
  rule_list_checker checker;
  std::vector<rule> out;
  std::vector<std::size_t> given;  // the index in `rules` of each rule of `out`
  for (std::size_t i = 0; i < rules.size(); ++i) {
    auto r = normalize(rules[i]);
    if (checker.check(r, "rules[" + std::to_string(i) + "]", r.editable)) continue;
    out.push_back(std::move(r));
    given.push_back(i);
  }
  if (auto mix = number_rules(out))
    throw parse_error(errc::missing_field,
                      "rules[" + std::to_string(given[mix->without]) + "].position",
                      "rule has no position while rules[" + std::to_string(given[mix->with]) +
                          "] has one: give every rule a position (>= 1), or none");
  return out;
}

// `r` checked as the next rule of `g`'s list (rule_list_checker; errors name "rule"): a copy,
// normalised. A default SMTP rule itself is refused too: enable_default_security implies it,
// so it is no user rule to add (a list assigned to `rules` drops it, as the readers do).
rule checked_new_rule(const security_group& g, const rule& r) {
  rule_list_checker checker;
  for (std::size_t i = 0; i < g.rules.size(); ++i)
    checker.check(g.rules[i], "rules[" + std::to_string(i) + "]", g.rules[i].editable);
  auto copy = normalize(r);
  if (checker.check(copy, "rule", copy.editable))
    throw validation_error(
        errc::not_default_rule, "rule.id",
        "this is default SMTP rule " + std::to_string(*default_rule_index(copy.id) + 1) +
            ", which enable_default_security implies: it is no user rule to add");
  return copy;
}

// Ports given to an ICMP or ANY rule are an error here, where a user writes them: the API would
// drop them (and the JSON readers do, as the API does), so the rule would not say what its
// author meant.
// A rule position given in Python: 0 (unset) .. 2**32-1; a negative one is validation.203, as
// in a file.
std::uint32_t position_from(const py::handle& o) {
  return static_cast<std::uint32_t>(
      unsigned_from(o, "position", std::numeric_limits<std::uint32_t>::max()));
}

void refuse_portless_ports(const rule& r) {
  if (r.ports && (r.protocol == protocol::icmp || r.protocol == protocol::any))
    throw validation_error(errc::bad_value, "ports",
                           std::string(to_string(r.protocol)) +
                               " rules have no ports (the API would drop them); give ports=None");
}

py::object ports_to_python(const std::optional<port_range>& r) {
  if (!r) return py::none();
  return py::make_tuple(r->from, r->to);
}

std::string rule_repr(const rule& r) {
  std::string out = "Rule(" + secgroup::quoted(to_string(r));
  if (!r.id.empty()) out += ", id=" + secgroup::quoted(r.id);
  if (r.position) out += ", position=" + std::to_string(r.position);
  return out + ")";
}

std::string group_label(const security_group& g) {
  return g.name.empty() ? (g.id.empty() ? std::string("(unnamed)") : g.id) : g.name;
}

}  // namespace

// -- Bindings ---------------------------------------------------------------------------------

void init_model(py::module_& m) {
  py::class_<py_decision>(m, "Decision", R"pbdoc(
How a group decides a packet: ``action`` ("accept" or "drop"), ``accepted``, ``by_default``
(the default policy decided), ``decided_by`` (the deciding Rule itself, None for the default
policy), ``rule_text`` (its text, e.g. "inbound accept TCP 0.0.0.0/0 22"), ``smtp_default``
(True when one of the default SMTP rules of enable_default_security decided), ``label``
("rule ID (position N)", "default SMTP rule ID (position N)", "the default policy"),
``rule`` (index into ``group.ordered_rules()``, None for the default policy), ``rule_id`` and
``position``. ``to_dict()`` is the CLI's ``check --format json`` line.
)pbdoc")
      .def_property_readonly("action", [](const py_decision& d) { return std::string(to_string(d.verdict)); })
      .def_property_readonly("accepted", [](const py_decision& d) { return d.verdict == action::accept; })
      .def_readonly("rule", &py_decision::rule)
      .def_readonly("rule_id", &py_decision::rule_id)
      .def_readonly("position", &py_decision::position)
      .def_readonly("decided_by", &py_decision::decided_by)
      .def_readonly("label", &py_decision::label)
      .def_property_readonly("rule_text", [](const py_decision& d) -> std::optional<std::string> {
        if (!d.decided_by) return std::nullopt;
        return to_string(*d.decided_by);
      })
      .def_property_readonly("smtp_default", [](const py_decision& d) {
        return d.decided_by && !d.decided_by->editable && is_default_rule_id(d.decided_by->id);
      })
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
        return a.verdict == b.verdict && a.rule == b.rule && a.rule_id == b.rule_id &&
               a.position == b.position && a.decided_by == b.decided_by;
      })
      .def("__hash__", [](const py_decision& d) {
        return py::hash(py::make_tuple(static_cast<int>(d.verdict), d.rule, d.rule_id, d.position,
                                       d.decided_by ? py::object(py::str(to_string(*d.decided_by)))
                                                    : py::object(py::none())));
      })
      .def("__repr__", [](const py_decision& d) {
        return "Decision(" + std::string(to_string(d.verdict)) + " by " + d.label +
               (d.decided_by ? ": " + to_string(*d.decided_by) : std::string()) + ")";
      })
      .def(py::pickle(
          [](const py_decision& d) {
            return py::make_tuple(static_cast<int>(d.verdict), d.rule, d.rule_id, d.position,
                                  d.decided_by, d.label);
          },
          [](const py::tuple& t) {
            py_decision d;
            d.verdict = t[0].cast<int>() == 0 ? action::accept : action::drop;
            d.rule = t[1].cast<std::optional<std::uint32_t>>();
            d.rule_id = t[2].cast<std::optional<std::string>>();
            d.position = t[3].cast<std::optional<std::uint32_t>>();
            d.decided_by = t[4].cast<std::optional<secgroup::rule>>();
            d.label = t[5].cast<std::string>();
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
      .def("__repr__", [](const packet& p) { return "Packet.parse(" + secgroup::quoted(to_string(p)) + ")"; })
      .def(py::self == py::self)
      .def("__hash__", [](const packet& p) { return py::hash(py::str(to_string(p))); })
      .def(py::pickle([](const packet& p) { return to_string(p); },
                      [](const std::string& s) { return parse_packet(s, "packet"); }));

  py::class_<rule>(m, "Rule", R"pbdoc(
A security-group rule, field names as in the API. ``ports`` is None (every port), a port, a
(from, to) pair or "A-B"; ports given to an ICMP or ANY rule are a ValidationError (the API would
drop them), and changing a rule's protocol to one of those clears them, as the API does.
)pbdoc")
      .def(py::init([](const std::string& protocol, const std::string& direction,
                       const std::string& act, const std::string& ip_range, const py::object& ports,
                       const py::object& position, const std::string& id, bool editable,
                       const std::string& zone) {
             rule r;
             r.protocol = parse_protocol(protocol);
             r.direction = parse_direction(direction);
             r.action = parse_action(act);
             r.ip_range = parse_network(ip_range, "ip_range");
             r.ports = rule_ports_from(ports);
             refuse_portless_ports(r);
             r.position = position_from(position);
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
                    [](rule& r, const py::object& o) {
                      auto changed = r;
                      changed.ports = rule_ports_from(o);
                      refuse_portless_ports(changed);
                      r = changed;
                    })
      .def_property("position", [](const rule& r) { return r.position; },
                    [](rule& r, const py::object& o) { r.position = position_from(o); })
      .def_readwrite("editable", &rule::editable)
      .def_readwrite("zone", &rule::zone)
      .def("matches", [](const rule& r, const py::object& p) { return matches(r, packet_from(p)); },
           py::arg("packet"), "True iff the rule matches the packet.")
      .def("__str__", [](const rule& r) { return to_string(r); })
      .def("__repr__", &rule_repr)
      .def(py::self == py::self)
      .def(py::pickle([](const rule& r) { return rule_to_json(r).dump(); },
                      [](const std::string& s) {
                        return rule_from_json(parse_json(s, "pickle state"), "pickle state");
                      }));

  py::class_<security_group>(m, "SecurityGroup", R"pbdoc(
A security group with every field of the API object; ``rules`` are the user rules (the default
SMTP rules are implied by ``enable_default_security``; see ``ordered_rules()``). ``rules``
returns a copy: assign the list back, or use ``add_rule``. Rules given (to the constructor or
assigned to ``rules``) without positions are numbered 1..N in list order, as a file's are; a
list where some rules have a position and some not is a ParseError (secgroup.parse.106, as in a
file). Rules are checked as
the file readers check them, at the change, which leaves the group unchanged when refused: an
id twice (secgroup.validation.206), a default SMTP rule's id on another rule or
``editable=False`` on a user rule (secgroup.validation.205) raise ValidationError naming the
rule (``rules[2].id``); the default SMTP rules themselves in a list are dropped, as the readers
drop them (``enable_default_security`` implies them).
)pbdoc")
      .def(py::init([](const std::string& name, const std::vector<rule>& rules, const std::string& id,
                       bool stateful, const std::string& inbound, const std::string& outbound,
                       bool enable_default_security, const std::string& zone,
                       std::optional<std::string> description, const std::string& project,
                       const std::string& organization, std::vector<std::string> tags) {
             security_group g;
             g.name = name;
             g.rules = numbered(rules);
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
                    [](security_group& g, const std::vector<rule>& rules) { g.rules = numbered(rules); })
      .def("add_rule", [](security_group& g, const rule& r) {
             auto copy = checked_new_rule(g, r);
             if (copy.position == 0) {
               std::uint32_t last = 0;
               for (const auto& x : g.rules) last = std::max(last, x.position);
               copy.position = last + 1;
             }
             g.rules.push_back(copy);
             return copy;
           }, py::arg("rule"),
           "Appends a copy of `rule` (position: after the last when 0); returns it. Raises "
           "ValidationError naming `rule.id` or `rule.editable`, the group unchanged, as the "
           "readers refuse a rule list: an id some rule of the group has (secgroup.validation."
           "206), a default SMTP rule's id on another rule, editable=False on a user rule, or a "
           "default SMTP rule itself (secgroup.validation.205).")
      .def("ordered_rules", &ordered_rules, "The rules in evaluation order, default rules first.")
      .def("default_policy", [](const security_group& g, const std::string& d) {
             return std::string(to_string(g.default_policy(parse_direction(d))));
           }, py::arg("direction"))
      .def("__str__", [](const security_group& g) { return group_label(g); })
      .def("__repr__", [](const security_group& g) {
        return "SecurityGroup(name=" + secgroup::quoted(g.name) + ", id=" + secgroup::quoted(g.id) +
               ", rules=" + std::to_string(g.rules.size()) + ", stateful=" + (g.stateful ? "True" : "False") +
               ", inbound=" + std::string(to_string(g.inbound_default_policy)) +
               ", outbound=" + std::string(to_string(g.outbound_default_policy)) + ")";
      })
      .def(py::self == py::self)
      .def(py::pickle([](const security_group& g) { return group_state(g); },
                      [](const std::string& s) { return group_from_state(s); }));

  m.def("load", &groups_from, py::arg("source"), R"pbdoc(
Reads every group of `source`: a path (str or os.PathLike), JSON text (a str starting with '{'
or '['), bytes, a dict or a list in any export form of the API, or a Terraform document
(`terraform show -json` of a plan or state, a terraform.tfstate): its groups after the change.
A Terraform group with values unknown until apply raises ValidationError naming them.
)pbdoc");
  m.def("load_group", [](const py::object& source, const std::optional<std::string>& key) {
    auto in = input_from(source);
    if (!in.is_terraform())
      return pick_group(in.groups, key, "group", "group", "the input",
                        "choose one by id or name");
    return whole_group(pick_input_group(in, key, "group", "group", "the input",
                                        "choose one by address, id or name"),
                       in);
  }, py::arg("source"), py::arg("key") = py::none(),
     "Reads the group of `source` with id or name `key` (for Terraform also its address; the "
     "only group when key is None).");
  m.def("groups_to_dict", [](const std::vector<security_group>& groups) {
    return to_python(groups_to_json(groups));
  }, py::arg("groups"), "{'security_groups': [...]}, each group with its ordered rules.");
  m.def("default_rules", [](const std::string& zone) { return default_rules(zone); },
        py::arg("zone") = "fr-par-1", "The six default SMTP rules of a zone.");
}

}  // namespace secgroup::python
