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

}  // namespace


// -- Bindings ---------------------------------------------------------------------------------

void init_evaluate(py::module_& m) {
  py::class_<security_group> group = m.attr("SecurityGroup");
  group.def("evaluate", [](const security_group& g, const py::object& p, const std::string& engine) {
             return make_decision(decide_all(g, nullptr, {packet_from(p)}, engine)[0], ordered_rules(g));
           }, py::arg("packet"), py::arg("engine") = "compiled",
           "Decides one packet (Packet, text or tuple); engine 'compiled' or 'reference'.");

  py::class_<py_compiled>(m, "CompiledGroup", R"pbdoc(
A group compiled for fast lookups (flat tables). Build once with ``group.compile()`` and decide
many packets of that same group with ``evaluate_many(..., compiled=)``.
)pbdoc")
      .def_property_readonly("group", [](const py_compiled& c) { return c.group; },
                             "The group this was compiled from (a copy).")
      .def("memory", [](const py_compiled& c) { return c.table.memory(); },
           "Bytes used by the lookup tables.")
      .def("__repr__", [](const py_compiled& c) {
        return "CompiledGroup(" + secgroup::quoted(c.group.id) + ", memory=" +
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

  m.def("_regions", [](const security_group& g, const std::string& d, const std::string& fam) {
    auto dir = parse_direction(d);
    return parse_family(fam) == family::v4 ? regions_of<family::v4>(g, dir) : regions_of<family::v6>(g, dir);
  }, py::arg("group"), py::arg("direction"), py::arg("family"));
}

}  // namespace secgroup::python
