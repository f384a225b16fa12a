// secgroup/mock/wire.hpp: the mock API's request bodies and query strings, and its JSON text.
//
// Readers turn a request body (JSON) or query string into the typed requests of
// mock/requests.hpp, recording every invalid field in an argument_errors (so one 400 lists them
// all) instead of stopping at the first. Field values are read with the helpers of
// secgroup/io/json.hpp (types, enums in any case, CIDRs, ports with 0 = unset), so the mock
// accepts exactly what the JSON reader accepts. `null` counts as absent, as the SDKs send it;
// unknown keys are ignored, as are the read-only fields a PUT echoes back (id, dates, servers,
// state, zone) and a rule's `editable` and `zone` (their types are still checked).
// Writing: dump() prints JSON the way the API does, Python style (`", "` and `": "`
// separators, non-ASCII escaped), keys in insertion order.
#pragma once

#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../detail/text.hpp"
#include "../error.hpp"
#include "../io/json.hpp"
#include "../port_range.hpp"
#include "../protocol.hpp"
#include "../rule.hpp"
#include "errors.hpp"
#include "requests.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace mock::wire {

// -- JSON text -----------------------------------------------------------------------------

/// Returns `j` as the API prints it: `{"a": 1, "b": [true, null]}`, non-ASCII as \uXXXX.
inline std::string dump(const json& j) {
  if (j.is_object()) {
    std::string out = "{";
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it != j.begin()) out += ", ";
      out += json(it.key()).dump(-1, ' ', true, json::error_handler_t::replace) + ": " +
             dump(it.value());
    }
    return out + "}";
  }
  if (j.is_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < j.size(); ++i) out += (i ? ", " : "") + dump(j[i]);
    return out + "]";
  }
  return j.dump(-1, ' ', true, json::error_handler_t::replace);
}

/// True iff `s` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
inline bool valid_utf8(std::string_view s) {
  static constexpr std::uint32_t least[] = {0, 0x80, 0x800, 0x10000};
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;  // continuation bytes
    std::uint32_t cp = c;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07u;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3Fu);
    }
    if (cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

/// Parses a request body: empty (or blank) text is `{}`; anything but a JSON object throws
/// invalid_arguments naming `body`, and a number no double holds (`1e309`) names its path
/// (`rules[0].position`).
inline json parse_body(std::string_view text) {
  if (secgroup::detail::trim(text).empty()) return json::object();
  if (!valid_utf8(text))
    SECGROUP_THROW(invalid_argument_error("body", reason::format, "the body is not valid UTF-8"));
  json doc;
  try {
    doc = parse_json(text);
  } catch (const parse_error& e) {
    SECGROUP_THROW(invalid_argument_error(e.field().empty() ? "body" : e.field(), reason::format,
                                          e.message()));
  }
  if (!doc.is_object())
    SECGROUP_THROW(invalid_argument_error(
        "body", reason::format, std::string("expected a JSON object, got ") + doc.type_name()));
  return doc;
}

}  // namespace mock::wire

/// \cond
namespace detail::mock_wire {
namespace jio = json_io;

/// `s` with its %XX escapes decoded, and `+` read as a space when `plus_is_space` (a query);
/// a malformed escape stays as written.
inline std::string percent_decoded(std::string_view s, bool plus_is_space) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (plus_is_space && s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 &&
               hex_digit(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

/// An array of strings at `key` (absent or null: nullopt); elements are named `key[i]`.
inline std::optional<std::vector<std::string>> optional_strings(const json& obj, const char* key) {
  const json* v = jio::find(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_array()) jio::wrong_type(key, "an array", *v);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_string()) jio::wrong_type(jio::indexed(key, i), "a string", (*v)[i]);
    out.push_back((*v)[i].get<std::string>());
  }
  return out;
}

/// An optional non-negative uint32 at `key` (a rule position).
inline std::optional<std::uint32_t> optional_position(const json& obj, const char* key) {
  auto p = jio::optional_integer(obj, key, std::numeric_limits<std::uint32_t>::max(),
                                 errc::bad_value, "position");
  if (p && *p < 0)
    SECGROUP_THROW(validation_error(errc::bad_value, key,
                                    "position " + std::to_string(*p) + " is negative"));
  return p ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(*p)) : std::nullopt;
}

/// The string at `key` read by `parse(text, key)` (absent or null: nullopt).
template <class Parse>
auto optional_parsed(const json& obj, const char* key, Parse&& parse)
    -> std::optional<decltype(parse(std::string(), key))> {
  auto v = jio::optional_string(obj, key);
  if (!v) return std::nullopt;
  return parse(*v, key);
}

/// Returns `read()`, an optional field of a body; on a secgroup::error records it in `errs`
/// (under the field's own name) and returns nullopt.
template <class Read>
auto optional_field(mock::argument_errors& errs, Read&& read) -> std::invoke_result_t<Read> {
  return errs.attempt("", std::forward<Read>(read)).value_or(std::nullopt);
}

/// Records `body` (or `prefix`) as not an object; returns true iff `j` is one.
inline bool expect_object(const json& j, const std::string& prefix, mock::argument_errors& errs) {
  if (j.is_object()) return true;
  errs.add(prefix.empty() ? "body" : prefix, mock::reason::format,
           std::string("expected an object, got ") + j.type_name());
  return false;
}

}  // namespace detail::mock_wire
/// \endcond

namespace mock::wire {

// -- Bodies --------------------------------------------------------------------------------

/// Reads a group PATCH body: every field optional, null = absent.
inline group_patch read_group_patch(const json& body, argument_errors& errs) {
  namespace jio = secgroup::detail::json_io;
  using secgroup::detail::mock_wire::optional_field;
  group_patch p;
  if (!detail::mock_wire::expect_object(body, "", errs)) return p;
  auto text = [&](const char* key) {
    return optional_field(errs, [&] { return jio::optional_string(body, key); });
  };
  auto flag = [&](const char* key) {
    return optional_field(errs, [&] { return jio::optional_bool(body, key); });
  };
  auto policy = [&](const char* key) {
    return optional_field(errs, [&] {
      return detail::mock_wire::optional_parsed(
          body, key, [](const std::string& v, const char* k) { return parse_action(v, k); });
    });
  };
  p.name = text("name");
  p.description = text("description");
  p.tags = optional_field(errs, [&] { return detail::mock_wire::optional_strings(body, "tags"); });
  p.project_default = flag("project_default");
  p.organization_default = flag("organization_default");
  p.stateful = flag("stateful");
  p.inbound_default_policy = policy("inbound_default_policy");
  p.outbound_default_policy = policy("outbound_default_policy");
  p.enable_default_security = flag("enable_default_security");
  p.project = text("project");
  p.organization = text("organization");
  validate_group_patch(p, errs);
  return p;
}

/// Reads a group POST (`creating`) or PUT body: `name` is required; omitted fields take the
/// API defaults (description null, tags [], stateful, accept/accept, default security on).
inline group_spec read_group_spec(const json& body, bool creating, argument_errors& errs) {
  namespace jio = secgroup::detail::json_io;
  group_spec s;
  auto p = read_group_patch(body, errs);
  if (!body.is_object()) return s;
  if (!jio::find(body, "name")) errs.add("name", reason::required, "required key not provided");
  s.name = p.name.value_or("");
  s.description = p.description;
  s.tags = p.tags.value_or(std::vector<std::string>{});
  s.project_default = p.project_default.value_or(false);
  s.organization_default = p.organization_default.value_or(false);
  s.stateful = p.stateful.value_or(true);
  s.inbound_default_policy = p.inbound_default_policy.value_or(action::accept);
  s.outbound_default_policy = p.outbound_default_policy.value_or(action::accept);
  s.enable_default_security = p.enable_default_security.value_or(true);
  for (auto [key, field] : {std::pair{"project", &s.project}, {"organization", &s.organization}})
    *field = detail::mock_wire::optional_field(errs, [&, key = key] {
               return jio::optional_string(body, key);
             }).value_or("");
  validate_group_spec(s, creating, errs);
  return s;
}

/// Reads one rule object of a POST, PUT or set-rules body, its fields named under `prefix`
/// ("rules[2]"). Position 0 (or absent) is unset; ICMP/ANY ports are cleared.
inline rule read_rule(const json& body, const std::string& prefix, argument_errors& errs) {
  namespace jio = secgroup::detail::json_io;
  rule r;
  if (!detail::mock_wire::expect_object(body, prefix, errs)) return r;
  if (auto v = errs.attempt(prefix, [&] { return jio::optional_string(body, "id"); }))
    r.id = v->value_or("");
  if (auto v = errs.attempt(
          prefix, [&] { return parse_protocol(jio::required_string(body, "protocol"), "protocol"); }))
    r.protocol = *v;
  if (auto v = errs.attempt(prefix, [&] {
        return parse_direction(jio::required_string(body, "direction"), "direction");
      }))
    r.direction = *v;
  if (auto v = errs.attempt(
          prefix, [&] { return parse_action(jio::required_string(body, "action"), "action"); }))
    r.action = *v;
  if (auto v = errs.attempt(
          prefix, [&] { return parse_network(jio::required_string(body, "ip_range"), "ip_range"); }))
    r.ip_range = *v;
  auto from = errs.attempt(prefix, [&] { return jio::optional_port(body, "dest_port_from"); });
  auto to = errs.attempt(prefix, [&] { return jio::optional_port(body, "dest_port_to"); });
  if (from && to)
    if (auto ports = errs.attempt(prefix, [&] { return make_port_range(*from, *to); }))
      r.ports = *ports;
  if (auto v = errs.attempt(prefix, [&] { return detail::mock_wire::optional_position(body, "position"); }))
    r.position = v->value_or(0);
  errs.attempt(prefix, [&] { return jio::optional_bool(body, "editable"); });
  errs.attempt(prefix, [&] { return jio::optional_string(body, "zone"); });
  if (jio::find(body, "dest_ip_range"))
    errs.add(prefix.empty() ? "dest_ip_range" : prefix + ".dest_ip_range", reason::constraint,
             "dest_ip_range is not supported (the mock models no destination range)");
  validate_rule(r, prefix, false, errs);
  return normalize(r);
}

/// Reads a set-rules body `{"rules": [...]}`.
inline std::vector<rule> read_rule_list(const json& body, argument_errors& errs) {
  std::vector<rule> out;
  if (!detail::mock_wire::expect_object(body, "", errs)) return out;
  auto it = body.find("rules");
  if (it == body.end() || it->is_null()) {
    errs.add("rules", reason::required, "required key not provided");
    return out;
  }
  if (!it->is_array()) {
    errs.add("rules", reason::format, std::string("expected an array, got ") + it->type_name());
    return out;
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    auto prefix = "rules[" + std::to_string(i) + "]";
    out.push_back(read_rule((*it)[i], prefix, errs));
    validate_rule(out.back(), prefix, true, errs);
  }
  return out;
}

/// Reads a rule PATCH body: every field optional, null = absent.
inline rule_patch read_rule_patch(const json& body, argument_errors& errs) {
  namespace jio = secgroup::detail::json_io;
  using secgroup::detail::mock_wire::optional_field;
  rule_patch p;
  if (!detail::mock_wire::expect_object(body, "", errs)) return p;
  auto field = [&](const char* key, auto parse) {
    return optional_field(errs,
                          [&] { return detail::mock_wire::optional_parsed(body, key, parse); });
  };
  p.protocol = field("protocol", [](const std::string& v, const char* k) {
    return parse_protocol(v, k);
  });
  p.direction = field("direction", [](const std::string& v, const char* k) {
    return parse_direction(v, k);
  });
  p.action = field("action", [](const std::string& v, const char* k) { return parse_action(v, k); });
  p.ip_range = field("ip_range", [](const std::string& v, const char* k) {
    return parse_network(v, k);
  });
  p.dest_port_from =
      optional_field(errs, [&] { return jio::optional_port(body, "dest_port_from"); });
  p.dest_port_to = optional_field(errs, [&] { return jio::optional_port(body, "dest_port_to"); });
  p.position =
      optional_field(errs, [&] { return detail::mock_wire::optional_position(body, "position"); });
  if (jio::find(body, "dest_ip_range"))
    errs.add("dest_ip_range", reason::constraint,
             "dest_ip_range is not supported (the mock models no destination range)");
  validate_rule_patch(p, errs);
  return p;
}

// -- Query strings -------------------------------------------------------------------------

/// One `key=value` of a query string: decoded key and value, and the text as received.
struct query_param {
  std::string key;
  std::string value;
  std::string raw;
};

/// Decodes the %XX escapes of one path segment (`+` stays); a malformed escape stays as
/// written. `%2F` becomes a '/' inside the segment: it never splits a path.
inline std::string decode_segment(std::string_view s) {
  return secgroup::detail::mock_wire::percent_decoded(s, false);
}

/// Decodes %XX escapes and `+` (a space); a malformed escape stays as written.
inline std::string percent_decode(std::string_view s) {
  return secgroup::detail::mock_wire::percent_decoded(s, true);
}

/// Escapes everything but unreserved characters (RFC 3986) as %XX.
inline std::string percent_encode(std::string_view s) { return secgroup::detail::percent_encode(s); }

/// Splits a query string (without `?`) into its parameters, in order; empty parts are skipped.
/// Throws invalid_arguments (format, naming the parameter, or `query` for its name) when a
/// decoded name or value is not valid UTF-8.
inline std::vector<query_param> parse_query(std::string_view query) {
  std::vector<query_param> out;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (part.empty()) continue;
    auto eq = part.find('=');
    query_param p{
        percent_decode(part.substr(0, eq)),
        eq == std::string_view::npos ? std::string() : percent_decode(part.substr(eq + 1)),
        std::string(part)};
    if (!valid_utf8(p.key) || !valid_utf8(p.value))
      SECGROUP_THROW(invalid_argument_error(valid_utf8(p.key) ? p.key : "query", reason::format,
                                            "the query string is not valid UTF-8 once decoded"));
    out.push_back(std::move(p));
  }
  return out;
}

/// The value of the last parameter named `key`, or nullopt.
inline std::optional<std::string> query_value(const std::vector<query_param>& params,
                                              std::string_view key) {
  std::optional<std::string> out;
  for (const auto& p : params)
    if (p.key == key) out = p.value;
  return out;
}

/// Parses "true" / "false" in any case ("True" from the Python SDK), else nullopt.
inline std::optional<bool> parse_bool(std::string_view text) {
  if (secgroup::detail::iequals(text, "true")) return true;
  if (secgroup::detail::iequals(text, "false")) return false;
  return std::nullopt;
}

/// Reads integer parameter `key` into `out` (unchanged when absent); records a format error
/// for anything but a decimal integer, an empty value (`page=`) included.
inline void read_integer(const std::vector<query_param>& params, const char* key, std::int64_t& out,
                         argument_errors& errs) {
  auto v = query_value(params, key);
  if (!v) return;
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || end != v->data() + v->size())
    errs.add(key, reason::format, secgroup::detail::quoted(*v) + " is not an integer");
  else
    out = n;
}

/// Reads the filters and page of a group list (`tags` is comma-separated and may repeat).
inline group_filter read_group_filter(const std::vector<query_param>& params,
                                      argument_errors& errs) {
  group_filter f;
  f.name = query_value(params, "name").value_or("");
  f.organization = query_value(params, "organization").value_or("");
  f.project = query_value(params, "project").value_or("");
  for (const auto& p : params) {
    if (p.key != "tags") continue;
    std::string_view rest = p.value;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      if (comma != 0) f.tags.emplace_back(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
  }
  if (auto v = query_value(params, "project_default"); v && !v->empty()) {
    f.project_default = parse_bool(*v);
    if (!f.project_default)
      errs.add("project_default", reason::format,
               secgroup::detail::quoted(*v) + " is not a boolean (true or false, any case)");
  }
  read_integer(params, "page", f.page, errs);
  read_integer(params, "per_page", f.per_page, errs);
  validate_group_filter(f, errs);
  return f;
}

}  // namespace mock::wire
SECGROUP_END_NAMESPACE
