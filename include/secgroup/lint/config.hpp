// secgroup/lint/config.hpp: lint configuration: which checks run, at what severity, with
// which parameters, and which findings are suppressed (and why).
//
// The configuration file is JSON (conventionally `.secgroup.json`; `//` and `/* */` comments
// are allowed). The same document in YAML (`.secgroup.yaml`, a `.yaml`/`.yml` file) is read by
// secgroup/yaml/lint_config.hpp, in builds with the optional secgroup::yaml; the core reads no
// YAML, and load_config() refuses a YAML file by name. Every key is checked: an unknown key, a
// wrong type or a bad value throws a secgroup::error whose field is the full path ("lint.json:
// checks.SG001.severity"). Shape:
//
//   {
//     "fail_on": "medium",                        // none | info | low | medium | high | critical
//     "trusted_ranges": ["198.51.100.0/24"],      // addresses that are not "the internet"
//     "ephemeral_ports": "32768-60999",           // client ports replies go to (SG009, SG010)
//     "checks": {
//       "SG014": {"enabled": true},               // key: check id or name
//       "SG001": {"severity": "critical",
//                 "services": [...],              // replaces the catalogue
//                 "extra_services": [{"name": "grafana", "title": "Grafana",
//                                     "ports": ["tcp/3000"], "severity": "high"}],
//                 "ignore_services": ["dns"]},
//       "SG015": {"min_prefix_v4": 24, "min_prefix_v6": 48},
//       "SG017": {"max_rules": 50}
//     },
//     "suppressions": [
//       {"check": "SG001", "group": "bastion", "rule": "<rule id>", "reason": "bastion host"}
//     ]
//   }
//
// A suppression needs a reason and at least one of check (id, name or "*"), group (id or
// name) and rule (rule id). Without a rule it suppresses every matching finding; with one, a
// finding is suppressed once every rule it is about is suppressed (see lint.hpp).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../address.hpp"
#include "../config.hpp"
#include "../error.hpp"
#include "../io/json.hpp"
#include "../space.hpp"
#include "catalogue.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace lint {

/// Whether a check runs, and the severity of its findings.
struct check_setting {
  bool enabled = true;
  severity level = severity::medium;
  friend bool operator==(const check_setting&, const check_setting&) = default;
};

/// A suppression of findings, with its reason. Empty fields match anything.
struct suppression {
  std::string check;   ///< check id, or "" for every check
  std::string group;   ///< group id or name
  std::string rule;    ///< rule id: suppresses the findings about that rule
  std::string reason;  ///< why; required
  std::string field;   ///< where it is configured, e.g. ".secgroup.json: suppressions[2]"
  friend bool operator==(const suppression&, const suppression&) = default;
};

/// The severity at and above which findings fail a run; nullopt never fails.
using fail_threshold = std::optional<severity>;

/// Parses "none" or a severity (any case); throws parse_error naming `field`.
inline fail_threshold parse_fail_on(std::string_view text, const std::string& field = "fail_on") {
  if (secgroup::detail::iequals(text, "none")) return std::nullopt;
  if (secgroup::detail::iequals(text, "never")) return std::nullopt;
  for (auto s : all_severities)
    if (secgroup::detail::iequals(text, to_string(s))) return s;
  SECGROUP_THROW(parse_error(errc::bad_enum, field,
                             "unknown threshold " + secgroup::detail::quoted(text) +
                                 " (expected one of none, info, low, medium, high, critical)"));
}

/// The whole configuration; a default-constructed one is the documented defaults.
struct lint_config {
  std::array<check_setting, checks.size()> settings;  ///< by catalogue index
  std::vector<service> services = default_services();
  std::vector<ip_network> trusted_ranges;
  interval<std::uint32_t> ephemeral_ports{32768, 60999};
  unsigned min_prefix_v4 = 24;
  unsigned min_prefix_v6 = 48;
  std::size_t max_rules = 50;
  std::vector<suppression> suppressions;
  std::optional<fail_threshold> fail_on;  ///< unset: the caller's default

  lint_config() {
    for (std::size_t i = 0; i < checks.size(); ++i)
      settings[i] = {checks[i].enabled, checks[i].level};
  }

  /// The setting of check `id` (a catalogue id).
  const check_setting& setting(std::string_view id) const { return settings[index(id)]; }
  check_setting& setting(std::string_view id) { return settings[index(id)]; }

  /// The catalogue index of check `id`.
  static std::size_t index(std::string_view id) {
    return static_cast<std::size_t>(&check_of(id) - checks.data());
  }
};

/// \cond
namespace detail::lint_config_io {

inline std::string join(const std::string& base, std::string_view key) {
  return base.empty() ? std::string(key) : base + "." + std::string(key);
}

[[noreturn]] inline void wrong_type(const std::string& field, std::string_view expected,
                                    const json& v) {
  SECGROUP_THROW(parse_error(errc::wrong_type, field,
                             "expected " + std::string(expected) + ", got " + v.type_name()));
}

inline void expect_keys(const json& obj, const std::string& field,
                        std::initializer_list<std::string_view> keys) {
  if (!obj.is_object()) wrong_type(field, "an object", obj);
  for (const auto& [key, value] : obj.items()) {
    bool known = false;
    for (auto k : keys) known = known || k == key;
    if (known) continue;
    std::string allowed;
    for (auto k : keys) allowed += (allowed.empty() ? "" : ", ") + std::string(k);
    SECGROUP_THROW(parse_error(
        errc::bad_enum, join(field, key),
        "unknown key " + secgroup::detail::quoted(key) + " (expected one of " + allowed + ")"));
  }
}

inline std::string get_string(const json& v, const std::string& field) {
  if (!v.is_string()) wrong_type(field, "a string", v);
  return v.get<std::string>();
}

inline std::int64_t get_integer(const json& v, const std::string& field, std::int64_t lo,
                                std::int64_t hi) {
  secgroup::detail::json_io::expect_integer(v, field);
  // JSON reads non-negative integers as unsigned: compared as such, both bounds.
  const bool outside = v.is_number_unsigned()
                           ? v.get<std::uint64_t>() > static_cast<std::uint64_t>(hi) ||
                                 (lo > 0 && v.get<std::uint64_t>() < static_cast<std::uint64_t>(lo))
                           : v.get<std::int64_t>() < lo || v.get<std::int64_t>() > hi;
  if (outside)
    SECGROUP_THROW(validation_error(
        errc::bad_value, field,
        "value " + v.dump() + " is outside " + std::to_string(lo) + ".." + std::to_string(hi)));
  return v.get<std::int64_t>();
}

inline const json& get_array(const json& v, const std::string& field) {
  if (!v.is_array()) wrong_type(field, "an array", v);
  return v;
}

inline std::string indexed(const std::string& field, std::size_t i) {
  return field + "[" + std::to_string(i) + "]";
}

inline service read_service(const json& v, const std::string& field) {
  expect_keys(v, field, {"name", "title", "ports", "severity"});
  service s;
  if (!v.contains("name"))
    SECGROUP_THROW(
        parse_error(errc::missing_field, join(field, "name"), "required field is missing"));
  s.name = get_string(v["name"], join(field, "name"));
  if (s.name.empty())
    SECGROUP_THROW(validation_error(errc::bad_value, join(field, "name"), "must not be empty"));
  s.title = v.contains("title") ? get_string(v["title"], join(field, "title")) : s.name;
  if (!v.contains("ports"))
    SECGROUP_THROW(
        parse_error(errc::missing_field, join(field, "ports"), "required field is missing"));
  const auto& ports = get_array(v["ports"], join(field, "ports"));
  if (ports.empty())
    SECGROUP_THROW(validation_error(errc::bad_value, join(field, "ports"),
                                    "a service needs at least one port"));
  for (std::size_t i = 0; i < ports.size(); ++i) {
    auto f = indexed(join(field, "ports"), i);
    s.ports.push_back(parse_service_port(get_string(ports[i], f), f));
  }
  if (v.contains("severity"))
    s.level =
        parse_severity(get_string(v["severity"], join(field, "severity")), join(field, "severity"));
  return s;
}

inline std::vector<service> read_services(const json& v, const std::string& field) {
  std::vector<service> out;
  const auto& arr = get_array(v, field);
  for (std::size_t i = 0; i < arr.size(); ++i) {
    auto s = read_service(arr[i], indexed(field, i));
    for (const auto& prior : out)
      if (prior.name == s.name)
        SECGROUP_THROW(
            validation_error(errc::bad_value, join(indexed(field, i), "name"),
                             "service " + secgroup::detail::quoted(s.name) + " is listed twice"));
    out.push_back(std::move(s));
  }
  return out;
}

inline void read_check(const json& v, const std::string& field, const check_info& check,
                       lint_config& c) {
  const std::string id(check.id);
  if (check.id == check_id::sensitive_service)
    expect_keys(v, field, {"enabled", "severity", "services", "extra_services", "ignore_services"});
  else if (check.id == check_id::wide_prefix)
    expect_keys(v, field, {"enabled", "severity", "min_prefix_v4", "min_prefix_v6"});
  else if (check.id == check_id::too_many_rules)
    expect_keys(v, field, {"enabled", "severity", "max_rules"});
  else
    expect_keys(v, field, {"enabled", "severity"});
  auto& setting = c.setting(id);
  if (v.contains("enabled")) {
    if (!v["enabled"].is_boolean()) wrong_type(join(field, "enabled"), "a boolean", v["enabled"]);
    setting.enabled = v["enabled"].get<bool>();
  }
  if (v.contains("severity"))
    setting.level =
        parse_severity(get_string(v["severity"], join(field, "severity")), join(field, "severity"));
  if (v.contains("services")) c.services = read_services(v["services"], join(field, "services"));
  if (v.contains("extra_services")) {
    for (auto& s : read_services(v["extra_services"], join(field, "extra_services"))) {
      auto it = std::find_if(c.services.begin(), c.services.end(),
                             [&](const service& x) { return x.name == s.name; });
      if (it != c.services.end())
        *it = std::move(s);
      else
        c.services.push_back(std::move(s));
    }
  }
  if (v.contains("ignore_services")) {
    const auto f = join(field, "ignore_services");
    const auto& arr = get_array(v["ignore_services"], f);
    for (std::size_t i = 0; i < arr.size(); ++i) {
      auto name = get_string(arr[i], indexed(f, i));
      auto it = std::find_if(c.services.begin(), c.services.end(),
                             [&](const service& x) { return x.name == name; });
      if (it == c.services.end()) {
        std::string names;
        for (const auto& s : c.services) names += (names.empty() ? "" : ", ") + s.name;
        SECGROUP_THROW(parse_error(
            errc::bad_enum, indexed(f, i),
            "unknown service " + secgroup::detail::quoted(name) + " (services: " + names + ")"));
      }
      c.services.erase(it);
    }
  }
  if (v.contains("min_prefix_v4"))
    c.min_prefix_v4 =
        static_cast<unsigned>(get_integer(v["min_prefix_v4"], join(field, "min_prefix_v4"), 0, 32));
  if (v.contains("min_prefix_v6"))
    c.min_prefix_v6 = static_cast<unsigned>(
        get_integer(v["min_prefix_v6"], join(field, "min_prefix_v6"), 0, 128));
  if (v.contains("max_rules"))
    c.max_rules =
        static_cast<std::size_t>(get_integer(v["max_rules"], join(field, "max_rules"), 0, 1000000));
}

inline interval<std::uint32_t> read_port_interval(const json& v, const std::string& field) {
  if (v.is_number()) {
    auto p = static_cast<std::uint32_t>(get_integer(v, field, 1, 65535));
    return {p, p};
  }
  const auto ports = parse_port_text(get_string(v, field), field, "PORT or FROM-TO");
  return {ports.from, ports.to};
}

inline suppression read_suppression(const json& v, const std::string& field) {
  expect_keys(v, field, {"check", "group", "rule", "reason"});
  suppression s;
  s.field = field;
  if (v.contains("check")) {
    auto key = get_string(v["check"], join(field, "check"));
    if (key != "*") {
      const auto* check = find_check(key);
      if (!check)
        SECGROUP_THROW(parse_error(errc::bad_enum, join(field, "check"),
                                   "unknown check " + secgroup::detail::quoted(key) +
                                       " (expected an id SG001.." + std::string(checks.back().id) +
                                       ", a check name or *)"));
      s.check = std::string(check->id);
    }
  }
  // A blank group or rule would match every group or rule (empty means "any" below): refused.
  auto name = [&](const char* key) {
    auto value = get_string(v[key], join(field, key));
    if (secgroup::detail::trim(value).empty())
      SECGROUP_THROW(validation_error(
          errc::bad_value, join(field, key),
          std::string("a suppression's ") + key + " names one; leave the key out to match any"));
    return value;
  };
  if (v.contains("group")) s.group = name("group");
  if (v.contains("rule")) s.rule = name("rule");
  if (!v.contains("reason"))
    SECGROUP_THROW(parse_error(errc::missing_field, join(field, "reason"),
                               "every suppression needs a reason"));
  s.reason = get_string(v["reason"], join(field, "reason"));
  if (secgroup::detail::trim(s.reason).empty())
    SECGROUP_THROW(validation_error(errc::bad_value, join(field, "reason"),
                                    "every suppression needs a non-empty reason"));
  if (!v.contains("check") && !v.contains("group") && !v.contains("rule"))
    SECGROUP_THROW(parse_error(errc::missing_field, field,
                               "a suppression names at least one of check, group and rule"));
  return s;
}

}  // namespace detail::lint_config_io
/// \endcond

/// Reads a configuration document; errors name fields relative to it ("checks.SG001.severity").
inline lint_config config_from_json(const json& doc) {
  using namespace detail::lint_config_io;
  expect_keys(doc, "",
              {"$schema", "version", "fail_on", "trusted_ranges", "ephemeral_ports", "checks",
               "suppressions"});
  lint_config c;
  if (doc.contains("version") && get_integer(doc["version"], "version", 1, 1) != 1)
    SECGROUP_THROW(validation_error(errc::bad_value, "version", "only version 1 exists"));
  if (doc.contains("fail_on"))
    c.fail_on = parse_fail_on(get_string(doc["fail_on"], "fail_on"), "fail_on");
  if (doc.contains("trusted_ranges")) {
    const auto& arr = get_array(doc["trusted_ranges"], "trusted_ranges");
    for (std::size_t i = 0; i < arr.size(); ++i) {
      auto f = indexed("trusted_ranges", i);
      c.trusted_ranges.push_back(parse_network(get_string(arr[i], f), f));
    }
  }
  if (doc.contains("ephemeral_ports"))
    c.ephemeral_ports = read_port_interval(doc["ephemeral_ports"], "ephemeral_ports");
  if (doc.contains("checks")) {
    const auto& obj = doc["checks"];
    if (!obj.is_object()) wrong_type("checks", "an object", obj);
    for (const auto& [key, value] : obj.items()) {
      const auto* check = find_check(key);
      if (!check)
        SECGROUP_THROW(parse_error(errc::bad_enum, join("checks", key),
                                   "unknown check " + secgroup::detail::quoted(key) +
                                       " (expected an id SG001.." + std::string(checks.back().id) +
                                       " or a check name)"));
      read_check(value, join("checks", key), *check, c);
    }
  }
  if (doc.contains("suppressions")) {
    const auto& arr = get_array(doc["suppressions"], "suppressions");
    for (std::size_t i = 0; i < arr.size(); ++i)
      c.suppressions.push_back(read_suppression(arr[i], indexed("suppressions", i)));
  }
  return c;
}

/// Parses configuration text; error fields start with `source` ("lint.json: checks...").
/// Invalid JSON throws parse_error (secgroup.parse.104) with the line and column.
inline lint_config parse_config(std::string_view text, const std::string& source = "") {
  const json doc = parse_json(text, source, true);
  auto c = secgroup::detail::json_io::from_source(source, [&] { return config_from_json(doc); });
  for (auto& s : c.suppressions) s.field = source.empty() ? s.field : source + ": " + s.field;
  return c;
}

/// True iff `path` names a YAML file: its extension is `.yaml` or `.yml` (any case).
inline bool is_yaml_path(const std::filesystem::path& path) {
  const auto ext = path.extension().string();
  return secgroup::detail::iequals(ext, ".yaml") || secgroup::detail::iequals(ext, ".yml");
}

/// The configuration files looked for in a directory when none is given, in this order.
inline constexpr std::array<std::string_view, 3> default_config_names = {
    ".secgroup.json", ".secgroup.yaml", ".secgroup.yml"};

/// Reads a JSON configuration file; throws parse_error naming the path when it cannot be read
/// (secgroup.parse.109), holds more than `max_size` bytes (secgroup.parse.114), or is a YAML
/// file (is_yaml_path(); secgroup.parse.109: YAML needs secgroup::yaml and
/// yaml::load_lint_config()).
inline lint_config load_config(const std::filesystem::path& path,
                               std::size_t max_size = default_max_input_size) {
  if (is_yaml_path(path))
    SECGROUP_THROW(parse_error(errc::bad_file, path.string(),
                               "YAML configuration needs secgroup's optional YAML part "
                               "(yaml::load_lint_config(), in builds configured with "
                               "SECGROUP_WITH_YAML and libyaml-cpp-dev); this reader takes JSON"));
  return parse_config(read_text_file(path, max_size), path.string());
}

}  // namespace lint
SECGROUP_END_NAMESPACE
