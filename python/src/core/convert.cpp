// python/src/core/convert.cpp: Python objects to and from the library's types: JSON documents,
// packets, ports and groups in every form the bindings accept, and decisions for Python.
#include <cmath>
#include <limits>

#include <secgroup/analysis/query.hpp>
#include <secgroup/client/source.hpp>

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
    out.decided_by = r;
    out.label = rule_label(rules, d.rule);
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

}  // namespace

std::uint64_t unsigned_from(const py::handle& o, const std::string& field, std::uint64_t max) {
  if (py::isinstance<py::bool_>(o) || !py::hasattr(o, "__index__"))
    throw parse_error(
        errc::wrong_type, field,
        "expected an integer, got a " + std::string(py::str(o.get_type().attr("__name__"))));
  const py::int_ value(py::reinterpret_borrow<py::object>(o));
  if (value < py::int_(0) || value > py::int_(max))
    throw validation_error(
        errc::bad_value, field,
        field + " " + std::string(py::repr(value)) + " is outside 0.." + std::to_string(max));
  return value.cast<std::uint64_t>();
}

z3_limits limits_from(const py::handle& timeout_ms, const py::handle& resource_limit) {
  constexpr std::uint64_t most = std::numeric_limits<std::uint32_t>::max();
  return {static_cast<std::uint32_t>(unsigned_from(timeout_ms, "timeout_ms", most)),
          static_cast<std::uint32_t>(unsigned_from(resource_limit, "resource_limit", most))};
}

std::optional<port_range> rule_ports_from(const py::handle& o) {
  if (o.is_none()) return std::nullopt;
  if (py::isinstance<py::tuple>(o) || py::isinstance<py::list>(o)) {
    auto seq = o.cast<py::sequence>();
    if (seq.size() != 2)
      throw parse_error(errc::wrong_type, "ports", "expected a (from, to) pair");
    return make_port_range(int_of(seq[0], "ports[0]"), int_of(seq[1], "ports[1]"), "ports[0]",
                           "ports[1]");
  }
  if (py::isinstance<py::str>(o)) return parse_port_range(o.cast<std::string>(), "ports");
  return make_port_range(int_of(o, "ports"), std::nullopt, "ports", "ports");
}

void refuse_blank(const py::handle& o, const std::string& field) {
  if (py::isinstance<py::str>(o) &&
      o.cast<std::string>().find_first_not_of(" \t\r\n") == std::string::npos)
    throw parse_error(errc::bad_file, field, "a blank string is neither a path nor JSON text");
}

bool is_json_text(const py::handle& o, std::string_view openers) {
  if (!py::isinstance<py::str>(o)) return false;
  auto s = o.cast<std::string>();
  auto first = s.find_first_not_of(" \t\r\n");
  return first != std::string::npos && openers.find(s[first]) != std::string_view::npos;
}

std::string remote_text(const py::handle& o, const std::string& field) {
  if (py::isinstance<py::str>(o)) return o.cast<std::string>();
  const py::module_ ipaddress = py::module_::import("ipaddress");  // a sys.modules lookup
  // ipaddress.IPv4Address / IPv6Address, and integers as ipaddress.ip_address() reads them
  // (below 2**32: IPv4), NumPy integers included.
  if (py::isinstance(o, ipaddress.attr("IPv4Address")) ||
      py::isinstance(o, ipaddress.attr("IPv6Address")))
    return std::string(py::str(o));
  if (!py::isinstance<py::bool_>(o) && py::hasattr(o, "__index__")) {
    const py::int_ value(py::reinterpret_borrow<py::object>(o));
    try {
      return std::string(py::str(ipaddress.attr("ip_address")(value)));
    } catch (const py::error_already_set&) {
      throw validation_error(errc::bad_value, field,
                             "the integer " + std::string(py::repr(value)) +
                                 " is no address (IPv4: 0..2**32-1, IPv6: 2**32..2**128-1)");
    }
  }
  return text_of(o, field, "an address (str, int or ipaddress object)");
}

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
                       remote_text(seq[2], field + " remote"),
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

#if !SECGROUP_HAS_CLIENT
std::optional<api_text> api_text_of(const py::handle& source) {
  if (!py::isinstance<py::str>(source) || !client::is_api_source(source.cast<std::string>()))
    return std::nullopt;
  const auto parsed = client::parse_api_source(source.cast<std::string>());
  throw parse_error(errc::bad_file, parsed.text,
                    "this secgroup module was built without the Instance API client (CMake "
                    "option SECGROUP_WITH_CLIENT, which needs cpp-httplib with OpenSSL): it "
                    "cannot read api: sources; read an export file instead");
}
#endif

group_input input_from(const py::handle& source) {
  if (auto api = api_text_of(source)) return parse_group_input(api->text, api->name);
  group_input in;
  if (py::isinstance<security_group>(source)) {
    in.groups = {source.cast<security_group>()};
    return in;
  }
  if (py::isinstance<py::str>(source)) {
    refuse_blank(source, "source");
    auto s = source.cast<std::string>();
    return is_json_text(source) ? parse_group_input(s) : load_group_input(s);
  }
  if (py::hasattr(source, "__fspath__"))
    return load_group_input(py::str(source.attr("__fspath__")()).cast<std::string>());
  if (py::isinstance<py::bytes>(source)) return parse_group_input(source.cast<std::string>());
  if (py::isinstance<py::dict>(source)) return read_group_input(from_python(source));
  if (py::isinstance<py::list>(source) || py::isinstance<py::tuple>(source)) {
    bool all_groups = py::len(source) > 0;
    for (auto item : source) all_groups = all_groups && py::isinstance<security_group>(item);
    in.groups = all_groups ? source.cast<std::vector<security_group>>()
                           : groups_from_json(from_python(source));
    return in;
  }
  throw parse_error(errc::wrong_type, "source",
                    "expected a path, JSON text, a dict, a list or a SecurityGroup");
}

security_group whole_group(const input_group& g, const group_input& in) {
  if (g.group) return *g.group;
  throw validation_error(errc::bad_value, in.path.empty() ? g.address : in.path + ": " + g.address,
                         unknown_text(g) +
                             "; an analysis needs every value of the group (secgroup.lint() "
                             "reports what the plan decides)");
}

std::vector<security_group> groups_from(const py::handle& source) {
  auto in = input_from(source);
  if (!in.is_terraform()) return std::move(in.groups);
  std::vector<security_group> out;
  for (const auto& g : input_groups(in)) out.push_back(whole_group(g, in));
  return out;
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

}  // namespace secgroup::python
