// secgroup/default_rules.hpp: the six outbound SMTP drop rules of `enable_default_security`.
//
// They are identical in every recorded API response, across accounts: fixed ids, positions 1..6
// (default rules number apart from user rules), TCP outbound drop to ports 25, 465 and 587, for
// 0.0.0.0/0 and then ::/0, not editable. They precede every user rule.
// TRAP: an id alone does not make a default rule. A rule is default rule k only when it also
// matches what default rule k matches (is_default_rule); anything else bearing one of these ids
// is an ordinary rule (in memory) or an error (in a file), never silently dropped, or an
// `inbound accept TCP 0.0.0.0/0 22` could hide behind a default id (issue 12, item 9).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config.hpp"
#include "rule.hpp"

SECGROUP_BEGIN_NAMESPACE

/// The fixed ids of the default rules, in order.
inline constexpr std::array<std::string_view, 6> default_rule_ids{
    "11111111-2222-4333-8444-000000000001", "11111111-2222-4333-8444-000000000002",
    "11111111-2222-4333-8444-000000000003", "11111111-2222-4333-8444-000000000004",
    "11111111-2222-4333-8444-000000000005", "11111111-2222-4333-8444-000000000006"};

/// True iff `id` is the id of one of the six default rules. Says nothing about the rule that
/// bears it: see is_default_rule().
inline bool is_default_rule_id(std::string_view id) {
  return std::find(default_rule_ids.begin(), default_rule_ids.end(), id) != default_rule_ids.end();
}

/// The index (0..5) of the default rule whose id is `id`, or nullopt.
inline std::optional<std::size_t> default_rule_index(std::string_view id) {
  auto it = std::find(default_rule_ids.begin(), default_rule_ids.end(), id);
  if (it == default_rule_ids.end()) return std::nullopt;
  return static_cast<std::size_t>(it - default_rule_ids.begin());
}

/// Returns default rule `k` (0..5) of a group in `zone`: id, position k+1, not editable.
inline rule default_rule(std::size_t k, const std::string& zone = "") {
  constexpr std::array<std::uint16_t, 3> smtp_ports{25, 465, 587};
  rule r;
  r.id = std::string(default_rule_ids.at(k));
  r.protocol = protocol::tcp;
  r.direction = direction::outbound;
  r.action = action::drop;
  r.ip_range = ip_network::any(k < 3 ? family::v4 : family::v6);
  r.ports = port_range{smtp_ports[k % 3], smtp_ports[k % 3]};
  r.position = static_cast<std::uint32_t>(k + 1);
  r.editable = false;
  r.zone = zone;
  return r;
}

/// Returns the six default SMTP drop rules of a group in `zone`, in evaluation order.
inline std::vector<rule> default_rules(const std::string& zone = "") {
  std::vector<rule> out;
  for (std::size_t k = 0; k < default_rule_ids.size(); ++k) out.push_back(default_rule(k, zone));
  return out;
}

/// True iff `r` is a default rule: its id is default rule k's and it matches exactly what
/// default rule k matches and decides (direction, protocol, action, ip_range, ports, after
/// normalize()). Position, `editable` and `zone` are bookkeeping that changes no decision; the
/// file readers check them separately (docs/json.md).
inline bool is_default_rule(const rule& r) {
  auto k = default_rule_index(r.id);
  if (!k) return false;
  const rule d = default_rule(*k);
  const rule n = normalize(r);
  return n.direction == d.direction && n.protocol == d.protocol && n.action == d.action &&
         n.ip_range == d.ip_range && n.ports == d.ports;
}

SECGROUP_END_NAMESPACE
