// secgroup/analysis/reorder.hpp: which rule pairs must keep their order, and whether a given
// reordering of a group's rules preserves every decision.
//
// A pair (earlier, later) constrains the order iff their actions differ and some packet of the
// later rule's box is decided by the earlier rule: swapping them could flip it. Keeping every
// such pair in order preserves every decision (any packet keeps a first match of the same
// action); the check of a concrete reordering is exact, by the diff engine.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "../config.hpp"
#include "../error.hpp"
#include "../lower.hpp"
#include "../security_group.hpp"
#include "anomalies.hpp"
#include "diff.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace analysis {

/// Two user rules whose relative order matters. Indices refer to ordered_rules(group).
struct order_constraint {
  std::uint32_t earlier = 0;
  std::uint32_t later = 0;
  secgroup::direction direction = secgroup::direction::inbound;
  friend bool operator==(const order_constraint&, const order_constraint&) = default;
};

namespace detail {
template <family F>
void add_constraints(const std::vector<rule>& rules, direction d, action default_action,
                     std::vector<order_constraint>& out) {
  auto pol = lower<F>(rules, d, default_action);
  for (const auto& p : find_anomalies(pol).order) {
    auto e = pol.origin[p.earlier], l = pol.origin[p.later];
    if (rules[e].editable && rules[l].editable) out.push_back({e, l, d});
  }
}
}  // namespace detail

/// Returns the pairs of user rules of `g` that must keep their relative order, sorted.
inline std::vector<order_constraint> order_constraints(const security_group& g) {
  auto rules = ordered_rules(g);
  std::vector<order_constraint> out;
  for (auto d : {direction::inbound, direction::outbound}) {
    detail::add_constraints<family::v4>(rules, d, g.default_policy(d), out);
    detail::add_constraints<family::v6>(rules, d, g.default_policy(d), out);
  }
  std::sort(out.begin(), out.end(), [](const order_constraint& a, const order_constraint& b) {
    return std::tie(a.earlier, a.later) < std::tie(b.earlier, b.later);
  });
  return out;
}

/// Returns `g` with its user rules in the order of `ids` (positions 1..n). Throws
/// validation_error naming "order" unless `ids` lists every user rule id exactly once.
inline security_group reordered(const security_group& g, const std::vector<std::string>& ids) {
  auto user = ordered_rules(g);
  user.erase(std::remove_if(user.begin(), user.end(), [](const rule& r) { return !r.editable; }),
             user.end());
  if (ids.size() != user.size())
    SECGROUP_THROW(validation_error(errc::bad_value, "order",
                                    "expected " + std::to_string(user.size()) + " rule ids, got " +
                                        std::to_string(ids.size())));
  // Each id names its rules in order: a repeated id takes the next rule carrying it.
  std::unordered_map<std::string_view, std::vector<std::uint32_t>> by_id;
  for (auto k = static_cast<std::uint32_t>(user.size()); k-- > 0;) by_id[user[k].id].push_back(k);
  security_group out = g;
  out.rules.clear();
  for (const auto& id : ids) {
    auto it = by_id.find(id);
    if (it == by_id.end() || it->second.empty())
      SECGROUP_THROW(validation_error(errc::bad_value, "order",
                                      "rule id " + secgroup::detail::quoted(id) +
                                          " is not a user rule of the group, or is repeated"));
    out.rules.push_back(user[it->second.back()]);
    it->second.pop_back();
    out.rules.back().position = static_cast<std::uint32_t>(out.rules.size());
  }
  return out;
}

/// Returns the diff between `g` and `g` reordered by `ids`: equivalent iff the reordering
/// preserves every decision.
inline group_diff check_reorder(const security_group& g, const std::vector<std::string>& ids) {
  return diff(g, reordered(g, ids));
}

}  // namespace analysis
SECGROUP_END_NAMESPACE
