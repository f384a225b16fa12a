// secgroup/io/terraform_provider.hpp: what the Scaleway Terraform provider sends to the API
// for a resource's attribute values (shared/spec/terraform-and-clients.md §A).
//
// The provider's create and update of `scaleway_instance_security_group` send the group's
// fields, then one PUT of every configured rule; `scaleway_instance_security_group_rules` sends
// the same PUT for a group whose `external_rules` is true. This header reproduces the
// expansion (securityGroupRuleExpand) rule by rule:
//   - ports: a non-empty `port_range` wins over `port`; it is read like Go's
//     fmt.Sscanf("%d-%d") with errors ignored (so "ssh" means every port); equal ends are one
//     port; nothing (or 0) is every port; ICMP and ANY rules lose their ports (the API nulls
//     them);
//   - remote: `ip_range`, else the deprecated `ip` + "/32" (also for an IPv6 address, which so
//     becomes a /32 network), else 0.0.0.0/0 (IPv4 only: no ::/0);
//   - null, "" and 0 mean unset for `port`, `port_range`, `ip` and `ip_range`; `protocol`
//     defaults to TCP, the policies to accept, `stateful` and `enable_default_security` to
//     true, `external_rules` to false, as the schema does;
//   - rules keep their block order per direction; inbound rules are sent first (the provider
//     iterates a Go map, so the order of the two directions varies; it never changes a
//     decision); positions are 1..N in that order, as the API numbers them.
// The group's own attributes and its two rule lists are read the same way (detail::terraform::
// expand_group_fields, expand_rule_lists); which resource writes a group's rules is decided by
// io/terraform.hpp.
// Where the provider's input gives a surprising result (a port_range that does not parse, an
// IPv6 `ip`, no range at all) a terraform_note says so. Inputs whose effect at the API is not
// known (ports above 65535, a range that ends before it starts, "0-80") throw
// validation_error: never guessed.
// Values unknown at plan time come with an `after_unknown` mirror (true where unknown); they
// become unknown fields of the partial_group (partial_group.hpp), never defaults.
// Every error names the attribute path ("inbound_rule[1].port_range"); the document reader
// (io/terraform.hpp) prefixes the resource address.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../address.hpp"
#include "../config.hpp"
#include "../error.hpp"
#include "../partial_group.hpp"
#include "../port_range.hpp"
#include "../protocol.hpp"
#include "../rule.hpp"
#include "../security_group.hpp"
#include "json.hpp"

SECGROUP_BEGIN_NAMESPACE

/// A remark on how the provider treats an input: the attribute path and what happens.
struct terraform_note {
  std::string field;    ///< "module.net.scaleway_instance_security_group.web.inbound_rule[0].ip"
  std::string message;  ///< "the provider sends 2001:db8::1/32: ..."

  friend bool operator==(const terraform_note&, const terraform_note&) = default;
};

/// \cond
namespace detail::terraform {

/// A Terraform value with its `after_unknown` mirror. `value` is null when the attribute is
/// absent or JSON null; `unknown` is null when nothing below is unknown, `true` when the whole
/// value is unknown, else an object or array mirroring `value` (Terraform's unknownAsBool).
struct tf_value {
  const json* value = nullptr;
  const json* unknown = nullptr;

  /// True iff the whole value is unknown.
  bool is_unknown() const { return unknown && unknown->is_boolean() && unknown->get<bool>(); }

  /// The attribute `key` of an object value (the caller checked the value is an object).
  tf_value at(const char* key) const {
    tf_value out;
    if (value) {
      auto it = value->find(key);
      if (it != value->end() && !it->is_null()) out.value = &*it;
    }
    if (unknown && unknown->is_object()) {
      auto it = unknown->find(key);
      if (it != unknown->end()) out.unknown = &*it;
    }
    check_mirror(out.unknown, key);
    return out;
  }

  /// Element `i` of an array value (the caller checked the value is an array).
  tf_value at(std::size_t i) const {
    tf_value out;
    if (value && i < value->size() && !(*value)[i].is_null()) out.value = &(*value)[i];
    if (unknown && unknown->is_array() && i < unknown->size()) out.unknown = &(*unknown)[i];
    check_mirror(out.unknown, json_io::indexed("", i));
    return out;
  }

 private:
  static void check_mirror(const json* u, const std::string& field) {
    if (u && !u->is_boolean() && !u->is_object() && !u->is_array())
      SECGROUP_THROW(parse_error(errc::wrong_type, field,
                                 std::string("after_unknown: expected true, false, an object or "
                                             "an array, got ") +
                                     u->type_name()));
  }
};

/// Throws parse_error wrong_type naming `field`.
[[noreturn]] inline void wrong_type(const std::string& field, std::string_view expected,
                                    const json& v) {
  json_io::wrong_type(field, expected, v);
}

/// The string value of an attribute, or nullopt when null or absent.
inline std::optional<std::string> string_of(const tf_value& v, const char* field) {
  if (!v.value) return std::nullopt;
  if (!v.value->is_string()) wrong_type(field, "a string or null", *v.value);
  return v.value->get<std::string>();
}

/// The boolean value of an attribute, or nullopt when null or absent.
inline std::optional<bool> bool_of(const tf_value& v, const char* field) {
  if (!v.value) return std::nullopt;
  if (!v.value->is_boolean()) wrong_type(field, "a boolean or null", *v.value);
  return v.value->get<bool>();
}

/// What Go's fmt.Sscanf(text, "%d-%d", &from, &to) leaves in two uint32 starting at 0: each
/// number is assigned only when it scans (leading blanks skipped, decimal digits only, no
/// sign, at most 2^32 - 1), and scanning stops at the first mismatch; the rest is ignored.
struct scanned_ports {
  std::uint64_t from = 0, to = 0;
  bool canonical = false;  ///< the text is "<digits>-<digits>" and both numbers scanned
};

inline scanned_ports go_scan_port_range(std::string_view s) {
  scanned_ports out;
  std::size_t i = 0;
  auto number = [&](std::uint64_t& into) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\v' || s[i] == '\f' ||
                            (s[i] == '\r' && (i + 1 >= s.size() || s[i + 1] != '\n'))))
      ++i;
    std::size_t begin = i;
    std::uint64_t v = 0;
    bool overflow = false;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      v = v * 10 + static_cast<std::uint64_t>(s[i] - '0');
      if (v > 0xffffffffu) overflow = true;
    }
    if (i == begin || overflow) return false;
    into = v;
    return true;
  };
  auto dash = s.find('-');
  auto digits = [](std::string_view t) {
    return !t.empty() && t.find_first_not_of("0123456789") == std::string_view::npos;
  };
  const bool form =
      dash != std::string_view::npos && digits(s.substr(0, dash)) && digits(s.substr(dash + 1));
  if (!number(out.from)) return out;
  if (i >= s.size() || s[i] != '-') return out;
  ++i;
  out.canonical = number(out.to) && form;
  return out;
}

/// "a.b", or "a[0]" when `b` is an index; either part may be empty.
inline std::string join_path(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + (b.front() == '[' ? "" : ".") + b;
}

/// Appends a note.
inline void note(std::vector<terraform_note>* notes, std::string field, std::string message) {
  if (notes) notes->push_back({std::move(field), std::move(message)});
}

/// The ports the provider sends for a rule block, or nullopt when unknown at plan time.
/// `ports` receives the range (unset = every port).
inline bool expand_ports(const tf_value& block, std::optional<port_range>& ports,
                         std::vector<terraform_note>* notes) {
  const tf_value range = block.at("port_range");
  if (range.is_unknown()) return false;
  const std::string range_text = string_of(range, "port_range").value_or("");
  std::uint64_t from = 0, to = 0;
  std::string from_field = "port", to_field = "port";
  if (!range_text.empty()) {
    from_field = to_field = "port_range";
    auto scanned = go_scan_port_range(range_text);
    from = scanned.from;
    to = scanned.to;
    if (!scanned.canonical) {
      std::string sent = from == 0 && to == 0 ? "no ports (every port)"
                         : to == 0            ? "port " + std::to_string(from) + " alone"
                                   : "ports " + std::to_string(from) + "-" + std::to_string(to);
      note(notes, "port_range",
           "port_range " + detail::quoted(range_text) +
               " is not of the form FROM-TO: the provider reads it with fmt.Sscanf(\"%d-%d\") "
               "and ignores errors, so it sends " +
               sent);
    }
  } else {
    const tf_value port = block.at("port");
    if (port.is_unknown()) return false;
    if (port.value) {
      json_io::expect_integer(*port.value, "port", "an integer or null");
      if (port.value->is_number_unsigned()) {
        from = port.value->get<std::uint64_t>();
      } else {
        auto v = port.value->get<std::int64_t>();
        if (v < 0)
          SECGROUP_THROW(validation_error(errc::port_out_of_range, "port",
                                          "port " + std::to_string(v) +
                                              " is negative: the provider would send it as a "
                                              "32-bit unsigned number, with an unknown effect"));
        from = static_cast<std::uint64_t>(v);
      }
      to = from;
    }
  }
  for (auto [v, field] : {std::pair{from, from_field}, std::pair{to, to_field}})
    if (v > 65535)
      SECGROUP_THROW(validation_error(errc::port_out_of_range, field,
                                      "port " + std::to_string(v) +
                                          " is outside 0..65535: the API's handling of it is "
                                          "not known"));
  if (from == 0 && to != 0)
    SECGROUP_THROW(validation_error(errc::port_order, to_field,
                                    "port_range " + detail::quoted(range_text) +
                                        " starts at 0: the provider sends dest_port_from 0 (unset) "
                                        "with dest_port_to " +
                                        std::to_string(to) +
                                        ", whose effect at the API is not known"));
  if (to != 0 && to < from)
    SECGROUP_THROW(validation_error(errc::port_order, to_field,
                                    "port range " + std::to_string(from) + "-" +
                                        std::to_string(to) +
                                        " ends before it starts: the provider sends it as is, "
                                        "and the API's handling of it is not known"));
  if (from != 0 && to == 0 && !range_text.empty())
    note(notes, "port_range",
         "port_range " + detail::quoted(range_text) +
             " has no end: the provider sends dest_port_to 0, which the API reads as unset, "
             "so the rule is for port " +
             std::to_string(from) + " alone");
  ports = make_port_range(static_cast<std::int64_t>(from), static_cast<std::int64_t>(to),
                          from_field, to_field);
  return true;
}

/// The network the provider sends for a rule block, or false when unknown at plan time.
inline bool expand_ip_range(const tf_value& block, ip_network& out,
                            std::vector<terraform_note>* notes) {
  const tf_value range = block.at("ip_range");
  if (range.is_unknown()) return false;
  if (auto text = string_of(range, "ip_range"); text && !text->empty()) {
    out = parse_network(*text, "ip_range");
    return true;
  }
  const tf_value ip = block.at("ip");
  if (ip.is_unknown()) return false;
  auto text = string_of(ip, "ip").value_or("");
  if (text.empty()) {
    out = ip_network::any(family::v4);
    note(notes, "ip_range",
         "neither ip_range nor ip is set: the provider sends 0.0.0.0/0, every IPv4 address "
         "and no IPv6 address");
    return true;
  }
  auto address = parse_address(text, "ip");
  out = ip_network::of(address, 32);
  if (address.af == family::v6)
    note(notes, "ip",
         "ip " + detail::quoted(text) + " is IPv6, yet the provider appends /32 to it: it sends " +
             text + "/32, the network " + to_string(out) + " (2^96 addresses)");
  return true;
}

}  // namespace detail::terraform
/// \endcond

// -- Rules ----------------------------------------------------------------------------------

/// Returns the rule the provider sends for one `inbound_rule` / `outbound_rule` block of
/// direction `d`, its fields unknown where `unknown` (the block's `after_unknown` mirror:
/// null, true, or an object) says so. `origin` is recorded in the rule; notes on surprising
/// inputs are appended to `notes` with fields relative to the block. Throws parse_error
/// naming the field for a malformed value, validation_error for ports whose effect at the API
/// is not known (see the file comment).
inline partial_rule expand_terraform_rule(const json& block, direction d,
                                          const json& unknown = json(),
                                          const std::string& origin = "",
                                          std::vector<terraform_note>* notes = nullptr) {
  using detail::terraform::tf_value;
  tf_value v{block.is_null() ? nullptr : &block, unknown.is_null() ? nullptr : &unknown};
  partial_rule out;
  out.origin = origin;
  out.value.direction = d;
  if (v.is_unknown()) {
    out.unknown = unknown_rule_fields::all();
    return out;
  }
  if (!v.value)
    SECGROUP_THROW(parse_error(errc::bad_resource, "",
                               "a rule block is null but not marked unknown in after_unknown"));
  if (!v.value->is_object()) detail::terraform::wrong_type("", "an object", *v.value);
  if (auto action = v.at("action"); action.is_unknown()) {
    out.unknown.action = true;
  } else {
    auto text = detail::terraform::string_of(action, "action");
    if (!text)
      SECGROUP_THROW(
          parse_error(errc::missing_field, "action", "required attribute is missing or null"));
    out.value.action = parse_action(*text, "action");
  }
  if (auto protocol = v.at("protocol"); protocol.is_unknown()) {
    out.unknown.protocol = true;
  } else if (auto text = detail::terraform::string_of(protocol, "protocol")) {
    out.value.protocol = parse_protocol(*text, "protocol");
  }  // null: the schema default, TCP
  out.unknown.ports = !detail::terraform::expand_ports(v, out.value.ports, notes);
  out.unknown.ip_range = !detail::terraform::expand_ip_range(v, out.value.ip_range, notes);
  if (!out.unknown.protocol && !out.unknown.ports && out.value.ports &&
      (out.value.protocol == protocol::icmp || out.value.protocol == protocol::any))
    detail::terraform::note(notes, "protocol",
                            "a " + std::string(to_string(out.value.protocol)) +
                                " rule with ports: the API drops the ports, so the rule matches "
                                "every " +
                                std::string(to_string(out.value.protocol)) +
                                " packet (and every plan shows a diff on it)");
  if (!out.unknown.protocol) out.value = normalize(out.value);
  return out;
}

// -- Groups ---------------------------------------------------------------------------------

/// \cond
namespace detail::terraform {

/// The group-level attributes of a scaleway_instance_security_group value (no rules), and
/// its `external_rules` (nullopt when unknown).
struct group_fields {
  partial_group group;
  std::optional<bool> external_rules;
  std::string zoned_id;  ///< the `id` attribute, "zone/uuid"; "" when unknown
};

inline group_fields expand_group_fields(const tf_value& v) {
  if (!v.value || !v.value->is_object())
    json_io::wrong_type("", "an object", v.value ? *v.value : json());
  group_fields out;
  security_group& g = out.group.group;
  unknown_group_fields& u = out.group.unknown;
  g.zone.clear();
  if (auto text = string_of(v.at("id"), "id")) {
    out.zoned_id = *text;
    auto slash = text->find('/');
    g.id = slash == std::string::npos ? *text : text->substr(slash + 1);
    if (slash != std::string::npos) g.zone = text->substr(0, slash);
  }
  if (auto text = string_of(v.at("zone"), "zone"); text && !text->empty()) g.zone = *text;
  if (!out.zoned_id.empty() && out.zoned_id.find('/') == std::string::npos && !g.zone.empty())
    out.zoned_id = g.zone + "/" + out.zoned_id;
  g.name = string_of(v.at("name"), "name").value_or("");
  if (auto text = string_of(v.at("description"), "description"); text && !text->empty())
    g.description = *text;
  g.project = string_of(v.at("project_id"), "project_id").value_or("");
  g.organization = string_of(v.at("organization_id"), "organization_id").value_or("");
  if (auto tags = v.at("tags"); tags.value) {
    if (!tags.value->is_array()) wrong_type("tags", "an array of strings", *tags.value);
    for (std::size_t i = 0; i < tags.value->size(); ++i) {
      const json& t = (*tags.value)[i];
      if (t.is_null()) continue;  // an unknown tag
      if (!t.is_string()) wrong_type(json_io::indexed("tags", i), "a string", t);
      g.tags.push_back(t.get<std::string>());
    }
  }
  auto flag = [&](const char* key, bool& into, bool& unknown) {
    auto a = v.at(key);
    if (a.is_unknown()) {
      unknown = true;
    } else if (auto b = bool_of(a, key)) {
      into = *b;
    }
  };
  flag("stateful", g.stateful, u.stateful);
  flag("enable_default_security", g.enable_default_security, u.enable_default_security);
  auto policy = [&](const char* key, action& into, bool& unknown) {
    auto a = v.at(key);
    if (a.is_unknown()) {
      unknown = true;
    } else if (auto text = string_of(a, key)) {
      into = parse_action(*text, key);
    }
  };
  policy("inbound_default_policy", g.inbound_default_policy, u.inbound_default_policy);
  policy("outbound_default_policy", g.outbound_default_policy, u.outbound_default_policy);
  if (auto a = v.at("external_rules"); !a.is_unknown())
    out.external_rules = bool_of(a, "external_rules").value_or(false);
  return out;
}

/// Appends to `g` the rules of the `inbound_rule` and `outbound_rule` lists of `v`, with
/// origins under `address`; notes get full fields.
inline void expand_rule_lists(const tf_value& v, const std::string& address, partial_group& g,
                              std::vector<terraform_note>& notes) {
  for (direction d : {direction::inbound, direction::outbound}) {
    const char* key = d == direction::inbound ? "inbound_rule" : "outbound_rule";
    auto list = v.at(key);
    if (list.is_unknown()) {
      (d == direction::inbound ? g.unknown.inbound_rules : g.unknown.outbound_rules) = true;
      continue;
    }
    if (!list.value) continue;
    if (!list.value->is_array()) wrong_type(key, "an array of rule blocks", *list.value);
    for (std::size_t i = 0; i < list.value->size(); ++i) {
      const std::string field = json_io::indexed(key, i);
      auto block = list.at(i);
      std::vector<terraform_note> rule_notes;
      auto r = with_field_prefix(field, [&] {
        return expand_terraform_rule(block.value ? *block.value : json(), d,
                                     block.unknown ? *block.unknown : json(),
                                     join_path(address, field), &rule_notes);
      });
      for (auto& n : rule_notes)
        notes.push_back({join_path(address, join_path(field, n.field)), n.message});
      g.rules.push_back(std::move(r));
    }
  }
}

/// The number of rule blocks of `v` (known lists only).
inline std::size_t rule_block_count(const tf_value& v) {
  std::size_t n = 0;
  for (const char* key : {"inbound_rule", "outbound_rule"}) {
    auto list = v.at(key);
    if (list.is_unknown()) return 1;
    if (list.value && list.value->is_array()) n += list.value->size();
  }
  return n;
}

}  // namespace detail::terraform
/// \endcond

SECGROUP_END_NAMESPACE
