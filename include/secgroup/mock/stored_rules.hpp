// secgroup/mock/stored_rules.hpp: the form in which the mock keeps a group's user rules.
//
// A stored user rule is normalised (host bits of its network cleared, ICMP and ANY without
// ports), editable, and in its group's zone; a group's user rules are numbered 1..N in their
// order (inbound and outbound share the sequence; default rules are never stored). The store
// (mock/store.hpp) keeps that form on every insert, move and delete, and a restored snapshot
// (mock/snapshot.hpp) is brought to it. Internal: these helpers are not part of the API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "../address.hpp"
#include "../config.hpp"
#include "../rule.hpp"

SECGROUP_BEGIN_NAMESPACE
/// \cond
namespace detail::mock_store {

/// Numbers the rules 1..N in their order.
inline void renumber(std::vector<rule>& rules) {
  for (std::size_t i = 0; i < rules.size(); ++i)
    rules[i].position = static_cast<std::uint32_t>(i + 1);
}

/// Inserts `r` at `position` (1-based; 0 or past the end appends) and renumbers.
inline void insert_at(std::vector<rule>& rules, rule r, std::uint32_t position) {
  std::size_t index = position == 0 || position > rules.size() ? rules.size() : position - 1;
  rules.insert(rules.begin() + static_cast<std::ptrdiff_t>(index), std::move(r));
  renumber(rules);
}

/// `r` as the store keeps it: normalised ports and network, editable, in `zone`.
inline rule stored_rule(rule r, const std::string& zone) {
  r.ip_range = ip_network::of(r.ip_range.address, r.ip_range.prefix);
  r.editable = true;
  r.zone = zone;
  return normalize(std::move(r));
}

}  // namespace detail::mock_store
/// \endcond
SECGROUP_END_NAMESPACE
