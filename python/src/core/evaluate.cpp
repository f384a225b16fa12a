// python/src/core/evaluate.cpp: evaluation, reference and compiled, single and vectorised; the
// compiled group; the decision-map regions the plots draw.
#include <pybind11/numpy.h>

#include <secgroup/decision_map.hpp>

#include "common.hpp"

namespace secgroup::python {

// -- Regions of the decision map (for plots) --------------------------------------------------

namespace {

template <family F>
py::list regions_of(const security_group& g, direction d) {
  using S = space_of<F>;
  auto rules = ordered_rules(g);
  // ordered_rules() puts the default SMTP rules first when the group enables them.
  const std::size_t defaults = g.enable_default_security ? default_rules(g.zone).size() : 0;
  auto pol = lower<F>(rules, d, g.default_policy(d));
  decision_map<S> map(pol);
  py::list out;
  map.for_each_region([&](const region<S>& r) {
    auto address = [](typename S::address_type v) {
      if constexpr (F == family::v4)
        return to_string(ip_address::v4(v));
      else
        return to_string(ip_address::v6(v));
    };
    const decision dec = pol.decision_of(r.rule);
    std::optional<std::uint32_t> index;
    if (!dec.by_default()) index = dec.rule;
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
    item["default_rule"] = index && *index < defaults;  // a default SMTP rule decides it
    item["action"] = std::string(to_string(dec.action));
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
                           "was compiled from another group (" + secgroup::quoted(given->group.id) +
                               "); compile this group, or pass the group it was compiled from");
  return given->table;
}

/// Decides every packet of `in` with evaluator `engine`: "compiled" (with `given` when set)
/// or "reference". Releases the GIL while the compiled tables run.
std::vector<decision> decide_all(const security_group& g, const py_compiled* given,
                                 const std::vector<packet>& in, const std::string& engine) {
  std::vector<decision> out(in.size());
  if (parse_evaluator(engine, "engine") == evaluator::reference) {
    reference_evaluator ref(g);
    for (std::size_t k = 0; k < in.size(); ++k) out[k] = ref.evaluate(in[k]);
  } else {
    std::optional<compiled_group> own;
    const auto& table = compiled_for(g, given, own);
    py::gil_scoped_release release;
    table.evaluate(in, out);
  }
  return out;
}

/// The NumPy arrays of decisions `out`: accepted (bool) and rule (int64 index into
/// ordered_rules(), -1 for the default policy).
std::pair<py::array_t<bool>, py::array_t<std::int64_t>> arrays_from(const std::vector<decision>& out) {
  const auto n = static_cast<py::ssize_t>(out.size());
  py::array_t<bool> accepted(n);
  py::array_t<std::int64_t> index(n);
  auto a = accepted.mutable_unchecked<1>();
  auto r = index.mutable_unchecked<1>();
  for (py::ssize_t k = 0; k < n; ++k) {
    const auto& d = out[static_cast<std::size_t>(k)];
    a(k) = d.action == action::accept;
    r(k) = d.by_default() ? -1 : static_cast<std::int64_t>(d.rule);
  }
  return {std::move(accepted), std::move(index)};
}

/// The batch result (secgroup._results.Decisions) of decisions `out` of group `g`, for the
/// packets given as `packets` (a list of Packet) or as `columns` (the parallel columns as given).
py::object batch(const security_group& g, const std::vector<decision>& out, py::object packets,
                 py::object columns) {
  auto [accepted, index] = arrays_from(out);
  return result("Decisions", g, accepted, index, packets, columns);
}

/// The decisions of `packets` (Packets, strings or tuples), as a Decisions batch.
py::object decisions_of(const security_group& g, const py_compiled* compiled,
                        const py::iterable& packets, const std::string& engine) {
  std::vector<packet> in;
  std::size_t i = 0;
  for (auto p : packets) in.push_back(packet_from(p, "packets[" + std::to_string(i++) + "]"));
  const auto out = decide_all(g, compiled, in, engine);
  return batch(g, out, py::cast(in), py::none());
}

/// The Decision objects of the arrays of a batch (the items of a Decisions result): `accepted`
/// and `rule` as arrays_from() makes them, for group `g`.
std::vector<py_decision> decisions_from(const security_group& g, const py::array_t<bool>& accepted,
                                        const py::array_t<std::int64_t>& rule) {
  if (accepted.ndim() != 1 || rule.ndim() != 1 || accepted.shape(0) != rule.shape(0))
    throw validation_error(errc::bad_value, "rule", "accepted and rule must be arrays of one length");
  const auto rules = ordered_rules(g);
  const auto a = accepted.unchecked<1>();
  const auto r = rule.unchecked<1>();
  std::vector<py_decision> out;
  out.reserve(static_cast<std::size_t>(accepted.shape(0)));
  for (py::ssize_t k = 0; k < accepted.shape(0); ++k) {
    decision d;
    d.action = a(k) ? action::accept : action::drop;
    if (r(k) >= 0) d.rule = static_cast<std::uint32_t>(r(k));
    out.push_back(make_decision(d, rules));
  }
  return out;
}

/// One field of the packets in the parallel form: a sequence (one item per packet: a list, a
/// tuple, a NumPy array) or one value for every packet (a str, a number, an ipaddress object).
struct packet_column {
  const char* name;
  py::object value;
  bool broadcast() const { return py::isinstance<py::str>(value) || !py::isinstance<py::sequence>(value); }
  py::object at(std::size_t k) const {
    return broadcast() ? value : py::object(value[py::int_(k)]);
  }
};

/// The decisions of the packets of parallel columns (a negative port: none; ports None: none),
/// as a Decisions batch (arrays_from(): accepted and rule). Columns given as one value apply to
/// every packet; the sequences must agree in length (their length is the number of packets; 1
/// when every column is one value).
py::object arrays_of(const security_group& g, const py_compiled* compiled,
                    const std::vector<packet_column>& columns, const std::string& engine) {
  const packet_column* sized = nullptr;
  for (const auto& c : columns)
    if (!c.broadcast() && !c.value.is_none()) {
      if (!sized) {
        sized = &c;
      } else if (py::len(c.value) != py::len(sized->value)) {
        throw validation_error(errc::bad_value, c.name,
                               std::string(c.name) + " has " + std::to_string(py::len(c.value)) +
                                   " items, " + sized->name + " has " +
                                   std::to_string(py::len(sized->value)));
      }
    }
  const std::size_t n = sized ? static_cast<std::size_t>(py::len(sized->value)) : 1;
  const auto& directions = columns[0];
  const auto& protocols = columns[1];
  const auto& remotes = columns[2];
  const auto& ports = columns[3];
  std::vector<packet> in(n);
  for (std::size_t k = 0; k < n; ++k) {
    auto field = "packets[" + std::to_string(k) + "]";
    py::object port = ports.value.is_none() ? py::object(py::none()) : ports.at(k);
    if (!port.is_none() && !py::isinstance<py::int_>(port) && py::hasattr(port, "__index__"))
      port = py::int_(port);  // numpy integers
    py::object proto = protocols.at(k);
    if (!py::isinstance<py::str>(proto) && py::hasattr(proto, "__index__")) proto = py::int_(proto);
    // Compared as Python ints: a port beyond 64 bits is then refused by the packet parser
    // (ParseError naming the packet's port), not by a failed cast to a C++ integer.
    bool portless = !port.is_none() && py::isinstance<py::int_>(port) && port < py::int_(0);
    in[k] = packet_from(portless || port.is_none()
                            ? py::make_tuple(directions.at(k), proto, remotes.at(k))
                            : py::make_tuple(directions.at(k), proto, remotes.at(k), port),
                        field);
  }
  const auto out = decide_all(g, compiled, in, engine);
  py::dict given;
  for (const auto& c : columns) given[c.name] = c.value;
  return batch(g, out, py::none(), given);
}

py::object evaluate_many(const security_group& g, const py::object& packets, const py::object& directions,
                         const py::object& protocols, const py::object& remotes, const py::object& ports,
                         const std::string& engine, const py_compiled* compiled) {
  if (!packets.is_none()) {
    if (!directions.is_none() || !protocols.is_none() || !remotes.is_none() || !ports.is_none())
      throw py::value_error("give either packets or directions/protocols/remotes/ports");
    if (!py::isinstance<py::iterable>(packets)) throw py::type_error("packets must be iterable");
    return decisions_of(g, compiled, py::reinterpret_borrow<py::iterable>(packets), engine);
  }
  if (directions.is_none() || protocols.is_none() || remotes.is_none())
    throw py::value_error("give packets, or directions, protocols and remotes");
  return arrays_of(g, compiled,
                   {{"directions", directions},
                    {"protocols", protocols},
                    {"remotes", remotes},
                    {"ports", ports}},
                   engine);
}

py::list regions(const security_group& g, const std::string& direction, const std::string& family_name) {
  auto d = parse_direction(direction);
  return parse_family(family_name) == family::v4 ? regions_of<family::v4>(g, d) : regions_of<family::v6>(g, d);
}

}  // namespace

// -- Bindings ---------------------------------------------------------------------------------

void init_evaluate(py::module_& m) {
  py::class_<security_group> group = m.attr("SecurityGroup");
  group.def("evaluate", [](const security_group& g, const py::object& p, const std::string& engine) {
             return make_decision(decide_all(g, nullptr, {packet_from(p)}, engine)[0], ordered_rules(g));
           }, py::arg("packet"), py::arg("engine") = "compiled",
           "Decides one packet (Packet, 'DIRECTION PROTOCOL REMOTE [PORT]' or a tuple; remotes as text, "
           "ipaddress objects or integers): returns a Decision. engine 'compiled' or 'reference'. "
           "Raises ParseError for a malformed packet (secgroup.parse.108 for a missing port) or an "
           "unknown engine, ValidationError for a value out of range (an integer that is no address).");
  group.def("plot", [](const py::object& self, const py::kwargs& options) {
    return py::module_::import("secgroup.plot").attr("decision_map")(self, **options);
  }, "Draws the decision map: secgroup.plot.decision_map(self, **options); returns the axes.");

  py::class_<py_compiled>(m, "CompiledGroup", R"pbdoc(
A group compiled for fast lookups (flat tables). Build once with ``group.compile()``, then
``compiled.evaluate(packet)`` or ``compiled.evaluate_many(...)`` (or ``evaluate_many(group, ...,
compiled=)``) for many packets of that same group.
)pbdoc")
      .def_property_readonly("group", [](const py_compiled& c) { return c.group; },
                             "The group this was compiled from (a copy).")
      .def("memory", [](const py_compiled& c) { return c.table.memory(); },
           "Bytes used by the lookup tables.")
      .def("evaluate", [](const py_compiled& c, const py::object& p) {
             return make_decision(decide_all(c.group, &c, {packet_from(p)}, "compiled")[0],
                                  ordered_rules(c.group));
           }, py::arg("packet"),
           "Decides one packet (Packet, text or tuple) with the tables: returns a Decision. Raises "
           "ParseError for a malformed packet, ValidationError for a value out of range.")
      .def("evaluate_many", [](const py_compiled& c, const py::object& packets, const py::object& directions,
                               const py::object& protocols, const py::object& remotes, const py::object& ports) {
             return evaluate_many(c.group, packets, directions, protocols, remotes, ports, "compiled", &c);
           }, py::arg("packets") = py::none(), py::kw_only(), py::arg("directions") = py::none(),
           py::arg("protocols") = py::none(), py::arg("remotes") = py::none(), py::arg("ports") = py::none(),
           "secgroup.evaluate_many(self.group, ..., compiled=self): the same arguments; returns the "
           "same Decisions batch (one Decision per packet; NumPy arrays accepted and rule). Raises "
           "as secgroup.evaluate_many does: ParseError naming the packet or column at fault, "
           "ValidationError for columns of different lengths, ValueError when both or neither form "
           "of packets is given.")
      .def("__repr__", [](const py_compiled& c) {
        return "CompiledGroup(" + secgroup::quoted(c.group.id) + ", memory=" +
               std::to_string(c.table.memory()) + ")";
      })
      .def(py::pickle([](const py_compiled& c) { return group_state(c.group); },
                      [](const std::string& s) {  // the tables are rebuilt, not shipped
                        auto g = group_from_state(s);
                        return py_compiled{g, compiled_group(g)};
                      }));

  bind_group_function(m, "compile", "group", [](const security_group& g) {
    py::gil_scoped_release release;
    return py_compiled{g, compiled_group(g)};
  }, "Compiles the group for fast lookups: returns a CompiledGroup (``.evaluate``, "
     "``.evaluate_many``), or pass it to ``evaluate_many(..., compiled=)``. Raises TypeError for "
     "anything but a SecurityGroup.");
  bind_group_function(m, "evaluate_many", "group", &evaluate_many, py::arg("packets") = py::none(), py::kw_only(),
                      py::arg("directions") = py::none(), py::arg("protocols") = py::none(),
                      py::arg("remotes") = py::none(), py::arg("ports") = py::none(),
                      py::arg("engine") = "compiled", py::arg("compiled") = py::none(), R"pbdoc(
Decides many packets at once, compiling the group once (or using ``compiled``, a CompiledGroup of
this same group). Returns a Decisions batch: ``len()``, iteration and ``batch[k]`` give one
Decision per packet, ``batch.accepted`` (bool) and ``batch.rule`` (int64 index into
``group.ordered_rules()``, -1 for the default policy) are NumPy arrays, ``frame()`` and
``to_dict()`` as for every result.

The packets are either ``packets`` (an iterable of Packets, strings or tuples) or the parallel
columns ``directions``, ``protocols``, ``remotes`` and optionally ``ports`` (a negative port
stands for none). A column is a sequence (list, tuple, NumPy array) with one item per packet, or
one value for every packet (``directions="inbound"``, ``protocols="tcp"``, ``ports=443``).
Remotes are strings, ``ipaddress`` objects or integers (below 2**32: IPv4, as
``ipaddress.ip_address`` reads them).

Raises ParseError naming the packet or column at fault (``packets[3]``), ValidationError when
sequences differ in length or ``compiled`` belongs to another group, ValueError when both or
neither form of packets is given.
)pbdoc");
  m.def("_decisions", &decisions_from, py::arg("group"), py::arg("accepted"), py::arg("rule"),
        "The Decision objects of a Decisions batch's arrays (its items).");
  bind_group_function(m, "regions", "group", &regions, py::arg("direction") = "inbound",
                      py::arg("family") = "ipv4",
                      "The first-match regions of one direction and family (dicts), as plotted.");

  // The names secgroup.plot reads, parsed by the library (its errors and messages).
  m.def("_family", [](const std::string& text, const std::string& field) {
    return parse_family(text, field) == family::v4 ? "ipv4" : "ipv6";
  }, py::arg("text"), py::arg("field") = "family",
     "'ipv4' or 'ipv6' of a family name (parse_family(): ParseError secgroup.parse.103).");
  m.def("_direction", [](const std::string& text, const std::string& field) {
    return std::string(to_string(parse_direction(text, field)));
  }, py::arg("text"), py::arg("field") = "direction",
     "'inbound' or 'outbound' of a direction, any case (ParseError secgroup.parse.103).");
  m.def("_protocol_class", [](const std::string& text, const std::string& field) {
    return std::string(
        to_string(detail::parse_enum(text, all_proto_classes, "protocol class", field)));
  }, py::arg("text"), py::arg("field") = "protocol",
     "The protocol class (tcp, udp, icmp, other) of a name, any case (ParseError "
     "secgroup.parse.103).");
  m.def("_window", [](const std::string& within, const std::string& family_name) {
    const auto net = parse_network(within, "within");
    const auto f = parse_family(family_name);
    if (net.af() != f)
      throw validation_error(errc::bad_value, "within",
                             secgroup::quoted(within) + " is not of family " +
                                 std::string(to_string(f)));
    return py::make_tuple(to_string(net.first()), to_string(net.last()));
  }, py::arg("within"), py::arg("family"),
     "The first and last addresses of the network `within` of `family` (ParseError "
     "secgroup.parse.102 for a malformed one, ValidationError naming within for another family).");
  m.def(
      "_address_text",
      [](std::uint64_t hi, std::uint64_t lo, const std::string& family_name) {
        const auto f = parse_family(family_name);
        return to_string(f == family::v4 ? ip_address::v4(static_cast<std::uint32_t>(lo))
                                         : ip_address::v6(detail::uint128{hi, lo}));
      },
      py::arg("hi"), py::arg("lo"), py::arg("family"),
      "The address whose value is hi * 2**64 + lo (IPv4: the low 32 bits of lo) as the library "
      "prints it (to_string: RFC 5952, IPv4-mapped addresses ending in a dotted quad).");
}

}  // namespace secgroup::python
