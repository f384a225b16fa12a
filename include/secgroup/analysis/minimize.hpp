// secgroup/analysis/minimize.hpp: an equivalent rule list without redundant rules.
//
// Redundant rules are not jointly removable (of two identical accepts, each is redundant), so
// minimisation removes them in rounds, per direction and family: every dead user rule at once
// (a rule that decides nothing can go with the others that decide nothing), else the last
// rule whose packets fall through to the same action; then the analysis runs again, until no
// user rule is redundant. The result is proved equivalent to the input by the diff engine.
// The default SMTP rules are not the user's to remove and stay.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../config.hpp"
#include "../lower.hpp"
#include "../security_group.hpp"
#include "anomalies.hpp"
#include "diff.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace analysis {

/// Returns the indices (ascending) of the rules of `pol` to keep so that no removable rule is
/// redundant and every decision is unchanged; rules with `removable[i]` false are always kept.
template <class S>
std::vector<std::uint32_t> minimal_rules(const policy<S>& pol, const std::vector<bool>& removable) {
  std::vector<std::uint32_t> kept(pol.rules.size());
  for (std::uint32_t i = 0; i < kept.size(); ++i) kept[i] = i;
  for (;;) {
    policy<S> current;
    current.default_action = pol.default_action;
    for (auto i : kept) {
      current.rules.push_back(pol.rules[i]);
      current.origin.push_back(i);
    }
    auto verdicts = find_anomalies(current).rules;
    std::vector<std::uint32_t> dead, falls;
    for (std::uint32_t k = 0; k < verdicts.size(); ++k) {
      if (!removable[kept[k]]) continue;
      if (verdicts[k].dead)
        dead.push_back(k);
      else if (verdicts[k].redundant)
        falls.push_back(k);
    }
    if (dead.empty() && falls.empty()) return kept;
    std::vector<bool> drop(kept.size(), false);
    for (auto k : dead) drop[k] = true;
    if (dead.empty()) drop[falls.back()] = true;
    std::vector<std::uint32_t> next;
    for (std::uint32_t k = 0; k < kept.size(); ++k)
      if (!drop[k]) next.push_back(kept[k]);
    kept = std::move(next);
  }
}

/// A minimised group and the proof that it decides like the original.
struct minimized {
  security_group group;              ///< the input with only the kept user rules, renumbered 1..k
  std::vector<std::uint32_t> removed;  ///< removed rules: indices into ordered_rules(input)
  group_diff proof;                  ///< diff(input, group): equivalent by construction
};

namespace detail {
template <family F>
void keep_rules(const std::vector<rule>& rules, direction d, action default_action,
                std::vector<bool>& keep) {
  auto pol = lower<F>(rules, d, default_action);
  std::vector<bool> removable;
  for (auto i : pol.origin) removable.push_back(rules[i].editable);
  for (std::uint32_t i = 0; i < pol.origin.size(); ++i) keep[pol.origin[i]] = false;
  for (auto i : minimal_rules(pol, removable)) keep[pol.origin[i]] = true;
}
}  // namespace detail

/// Returns `g` without redundant user rules, and the equivalence proof.
inline minimized minimize(const security_group& g) {
  auto rules = ordered_rules(g);
  std::vector<bool> keep(rules.size(), true);
  for (auto d : {direction::inbound, direction::outbound}) {
    detail::keep_rules<family::v4>(rules, d, g.default_policy(d), keep);
    detail::keep_rules<family::v6>(rules, d, g.default_policy(d), keep);
  }
  minimized out{g, {}, {}};
  out.group.rules.clear();
  std::uint32_t position = 0;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (!rules[i].editable) continue;
    if (!keep[i]) {
      out.removed.push_back(static_cast<std::uint32_t>(i));
      continue;
    }
    auto r = rules[i];
    r.position = ++position;
    out.group.rules.push_back(r);
  }
  out.proof = diff(g, out.group);
  return out;
}

}  // namespace analysis
SECGROUP_END_NAMESPACE
