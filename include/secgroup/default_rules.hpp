// secgroup/default_rules.hpp: the six outbound SMTP drop rules of `enable_default_security`.
//
// They are identical in every recorded API response, across accounts: fixed ids, positions 1..6
// (default rules number apart from user rules), TCP outbound drop to ports 25, 465 and 587, for
// 0.0.0.0/0 and then ::/0, not editable. They precede every user rule.
#pragma once

#include <algorithm>
#include <array>
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

/// True iff `id` is the id of one of the six default rules.
inline bool is_default_rule_id(std::string_view id) {
  return std::find(default_rule_ids.begin(), default_rule_ids.end(), id) != default_rule_ids.end();
}

/// Returns the six default SMTP drop rules of a group in `zone`, in evaluation order.
inline std::vector<rule> default_rules(const std::string& zone = "") {
  constexpr std::array<std::uint16_t, 3> smtp_ports{25, 465, 587};
  std::vector<rule> out;
  for (std::size_t i = 0; i < 6; ++i) {
    rule r;
    r.id = std::string(default_rule_ids[i]);
    r.protocol = protocol::tcp;
    r.direction = direction::outbound;
    r.action = action::drop;
    r.ip_range = ip_network::any(i < 3 ? family::v4 : family::v6);
    r.ports = port_range{smtp_ports[i % 3], smtp_ports[i % 3]};
    r.position = static_cast<std::uint32_t>(i + 1);
    r.editable = false;
    r.zone = zone;
    out.push_back(r);
  }
  return out;
}

SECGROUP_END_NAMESPACE
