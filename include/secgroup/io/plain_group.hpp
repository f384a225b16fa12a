// secgroup/io/plain_group.hpp: one group of an export read straight from its text, without
// building a JSON value.
//
// read_listed_group() reads a group from nlohmann's DOM: every object, key and string of the
// text is allocated, read once and freed, a third of one thread's time when linting an export
// (docs/benchmarks.md, "An estate"). read_plain_group() reads the group from the parser's events
// as they come, when it is written the plain way: only the keys of the API's SecurityGroup,
// ServerSummary and SecurityGroupRule objects, each at most once per object, each of its JSON
// type or null; every string value one the readers accept. On anything else (an unknown or
// repeated key, a value of another type, a value the readers refuse, a JSON syntax error) it
// gives up and returns nullopt: the caller then reads the text the usual way, which gives the
// group or names the error exactly as before. So it never decides an error; what it returns
// equals what read_listed_group() returns for the same text (tests/core/plain_group.test.cpp
// checks both on random and broken groups). The events come from scan_plain_json()
// (detail/plain_json.hpp) when the text is written plainly, else from nlohmann's parser.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../address.hpp"
#include "../config.hpp"
#include "../detail/plain_json.hpp"
#include "../port_range.hpp"
#include "../protocol.hpp"
#include "../rule.hpp"
#include "../security_group.hpp"
#include "json.hpp"

SECGROUP_BEGIN_NAMESPACE
/// \cond
namespace detail::json_io {

/// A SAX consumer (nlohmann's json::sax_parse) that builds one security_group from a group
/// object's events, and stops the parse (returns false) at the first event it is not sure of.
class plain_group_reader {
 public:
  /// The group, once the parse has run to its end without stopping; nullopt otherwise.
  std::optional<security_group> finish() {
    // number_rules() finds positions given for some rules only: the usual read names that.
    if (at_ != where::done || number_rules(group_.rules)) return std::nullopt;
    return std::move(group_);
  }

  bool null() { return scalar(value_kind::null); }
  bool boolean(bool v) {
    flag_ = v;
    return scalar(value_kind::boolean);
  }
  bool number_integer(json::number_integer_t v) {
    if (v < 0) return false;  // only "-0" reaches here as a number the readers take
    number_ = static_cast<std::uint64_t>(v);
    return scalar(value_kind::number);
  }
  bool number_unsigned(json::number_unsigned_t v) {
    number_ = v;
    return scalar(value_kind::number);
  }
  bool number_float(json::number_float_t, const json::string_t&) { return false; }
  bool string(json::string_t& v) {
    text_ = &v;
    return scalar(value_kind::string);
  }
  bool binary(json::binary_t&) { return false; }

  bool start_object(std::size_t) {
    switch (at_) {
      case where::top:
        at_ = where::group;
        return true;
      case where::servers:
        at_ = where::server;
        server_ = {};
        seen_ = 0;
        return true;
      case where::rules:
        at_ = where::rule;
        rule_ = {};
        seen_ = 0;
        return true;
      default:
        return false;
    }
  }
  bool key(json::string_t& k) {
    const auto names = keys_here();
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == k) {
        auto& seen = at_ == where::group ? group_seen_ : seen_;
        if (seen & (1u << i)) return false;  // a repeated key: the usual read names it
        seen |= 1u << i;
        key_ = i;
        return true;
      }
    return false;  // a key no reader reads (or "security_group(s)", an error)
  }
  bool end_object() {
    switch (at_) {
      case where::group:
        at_ = where::done;
        return true;
      case where::server:
        group_.servers.push_back(std::move(server_));
        at_ = where::servers;
        return true;
      case where::rule:
        at_ = where::rules;
        return add_rule();
      default:
        return false;
    }
  }
  bool start_array(std::size_t) {
    if (at_ != where::group) return false;
    switch (key_) {
      case g_tags:
        at_ = where::tags;
        return true;
      case g_servers:
        at_ = where::servers;
        return true;
      case g_rules:
        at_ = where::rules;
        return true;
      default:
        return false;
    }
  }
  bool end_array() {
    if (at_ != where::tags && at_ != where::servers && at_ != where::rules) return false;
    at_ = where::group;
    return true;
  }
  template <class Exception>
  bool parse_error(std::size_t, const std::string&, const Exception&) {
    return false;
  }

 private:
  enum class where { top, group, tags, servers, server, rules, rule, done };
  enum class value_kind { null, boolean, number, string };

  // The keys of read_group_fields() and read_listed_group(), of read_rule(), of a server; each
  // enum numbers the names before it.
  // clang-format off
  static constexpr std::array<std::string_view, 18> group_keys{
      "id", "creation_date", "modification_date", "name", "description", "organization",
      "project", "servers", "stateful", "inbound_default_policy", "outbound_default_policy",
      "organization_default", "project_default", "enable_default_security", "state", "tags",
      "zone", "rules"};
  enum group_key : std::size_t {
      g_id, g_creation_date, g_modification_date, g_name, g_description, g_organization,
      g_project, g_servers, g_stateful, g_inbound, g_outbound,
      g_organization_default, g_project_default, g_enable_default_security, g_state, g_tags,
      g_zone, g_rules};
  static constexpr std::array<std::string_view, 11> rule_keys{
      "id", "protocol", "direction", "action", "ip_range", "dest_ip_range", "dest_port_from",
      "dest_port_to", "position", "editable", "zone"};
  enum rule_key : std::size_t {
      r_id, r_protocol, r_direction, r_action, r_ip_range, r_dest_ip_range, r_port_from,
      r_port_to, r_position, r_editable, r_zone};
  static constexpr std::array<std::string_view, 2> server_keys{"id", "name"};
  // clang-format on

  /// The keys the object at_ is in may have.
  std::span<const std::string_view> keys_here() const {
    switch (at_) {
      case where::group:
        return group_keys;
      case where::rule:
        return rule_keys;
      case where::server:
        return server_keys;
      default:
        return {};
    }
  }

  /// The fields of a rule object as written, before the readers' checks.
  struct rule_text {
    std::optional<std::string> id, protocol, direction, action, ip_range, zone;
    std::optional<std::int64_t> port_from, port_to, position;
    std::optional<bool> editable;
  };

  /// A scalar value of kind `kind` (its value in flag_, number_ or text_), for key_ of the
  /// object at_ is in, or an element of the tags.
  bool scalar(value_kind kind) {
    switch (at_) {
      case where::group:
        return group_field(kind);
      case where::rule:
        return rule_field(kind);
      case where::server:
        if (kind == value_kind::null) return true;
        if (kind != value_kind::string) return false;
        (key_ == 0 ? server_.id : server_.name) = *text_;
        return true;
      case where::tags:
        if (kind != value_kind::string) return false;
        group_.tags.push_back(*text_);
        return true;
      default:
        return false;
    }
  }

  bool group_field(value_kind kind) {
    if (kind == value_kind::null) return true;  // null is absent for every key of a group
    auto& g = group_;
    switch (key_) {
      case g_stateful:
      case g_organization_default:
      case g_project_default:
      case g_enable_default_security: {
        if (kind != value_kind::boolean) return false;
        bool& field = key_ == g_stateful               ? g.stateful
                      : key_ == g_organization_default ? g.organization_default
                      : key_ == g_project_default      ? g.project_default
                                                       : g.enable_default_security;
        field = flag_;
        return true;
      }
      default:
        break;
    }
    // The keys left take a string, but for servers, tags and rules (arrays: no scalar).
    if (kind != value_kind::string) return false;
    const std::string& s = *text_;
    switch (key_) {
      case g_id:
        g.id = s;
        return true;
      case g_creation_date:
        g.creation_date = s;
        return true;
      case g_modification_date:
        g.modification_date = s;
        return true;
      case g_name:
        g.name = s;
        return true;
      case g_description:
        g.description = s;
        return true;
      case g_organization:
        g.organization = s;
        return true;
      case g_project:
        g.project = s;
        return true;
      case g_zone:
        g.zone = s;
        return true;
      case g_inbound:
        return parsed(s, g.inbound_default_policy, parse_action);
      case g_outbound:
        return parsed(s, g.outbound_default_policy, parse_action);
      case g_state:
        return parsed(s, g.state, parse_group_state);
      default:
        return false;
    }
  }

  bool rule_field(value_kind kind) {
    auto& r = rule_;
    if (kind == value_kind::null)  // absent, except where the rule requires a value
      return key_ != r_protocol && key_ != r_direction && key_ != r_action && key_ != r_ip_range;
    switch (key_) {
      case r_port_from:
      case r_port_to:
      case r_position: {
        const std::uint64_t limit =
            key_ == r_position ? std::numeric_limits<std::uint32_t>::max() : 65535;
        if (kind != value_kind::number || number_ > limit) return false;
        (key_ == r_port_from ? r.port_from
         : key_ == r_port_to ? r.port_to
                             : r.position) = static_cast<std::int64_t>(number_);
        return true;
      }
      case r_editable:
        if (kind != value_kind::boolean) return false;
        r.editable = flag_;
        return true;
      case r_dest_ip_range:
        return false;  // a string here is refused (not modelled)
      default:
        break;
    }
    if (kind != value_kind::string) return false;
    auto& field = key_ == r_id          ? r.id
                  : key_ == r_protocol  ? r.protocol
                  : key_ == r_direction ? r.direction
                  : key_ == r_action    ? r.action
                  : key_ == r_ip_range  ? r.ip_range
                                        : r.zone;
    field = *text_;
    return true;
  }

  /// Sets `out` to `parse(text)`; false when it refuses the text.
  template <class T, class Parse>
  static bool parsed(const std::string& text, T& out, Parse parse) {
    try {
      out = parse(text, "");
      return true;
    } catch (...) {
      return false;
    }
  }

  /// Reads rule_ as read_rule() and read_user_rules() do; false when either would refuse it.
  bool add_rule() {
    auto& t = rule_;
    if (!t.protocol || !t.direction || !t.action || !t.ip_range) return false;
    rule r;
    try {
      r.id = std::move(t.id).value_or("");
      r.protocol = parse_protocol(*t.protocol);
      r.direction = parse_direction(*t.direction);
      r.action = parse_action(*t.action);
      auto network = try_parse_network(*t.ip_range);
      if (!network) return false;
      r.ip_range = *network;
      r.ports = make_port_range(t.port_from, t.port_to);
      r.position = static_cast<std::uint32_t>(t.position.value_or(0));
      r.editable = t.editable.value_or(true);
      r.zone = std::move(t.zone).value_or("");
      r = normalize(std::move(r));
      if (checker_.check(r, "", t.editable.value_or(false))) return true;  // a default rule
    } catch (...) {
      return false;
    }
    group_.rules.push_back(std::move(r));
    return true;
  }

  where at_ = where::top;
  std::size_t key_ = 0;           ///< the index of the last key read, in its object's keys
  std::uint32_t group_seen_ = 0;  ///< the group's keys read so far, one bit each
  std::uint32_t seen_ = 0;        ///< the open rule's or server's keys read so far
  bool flag_ = false;
  std::uint64_t number_ = 0;
  /// The parser's buffer holding the string value: copied, never moved (a move would hand on
  /// its capacity, that of the longest string yet, and make the parser allocate again).
  const std::string* text_ = nullptr;
  security_group group_;
  server_ref server_;
  rule_text rule_;
  secgroup::rule_list_checker checker_;
};

/// The group `text` holds, read without a JSON value when it is written the plain way (see the
/// file comment); nullopt when it is not, or when it holds an error (the usual read names it).
/// Most groups are read by scan_plain_json(); text it is unsure of (escapes, non-ASCII
/// strings) by nlohmann's parser.
inline std::optional<security_group> read_plain_group(std::string_view text) {
  {
    plain_group_reader reader;
    switch (secgroup::detail::scan_plain_json(text, reader)) {
      case secgroup::detail::plain_scan::done:
        return reader.finish();
      case secgroup::detail::plain_scan::stopped:
        return std::nullopt;  // nlohmann's parser gives the event refused too
      case secgroup::detail::plain_scan::unsure:
        break;
    }
  }
  plain_group_reader reader;
  if (!json::sax_parse(text.begin(), text.end(), &reader, json::input_format_t::json, true, false))
    return std::nullopt;
  return reader.finish();
}

}  // namespace detail::json_io
/// \endcond
SECGROUP_END_NAMESPACE
