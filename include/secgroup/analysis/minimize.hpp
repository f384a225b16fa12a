// secgroup/analysis/minimize.hpp: an equivalent rule list without redundant rules.
//
// Redundant rules are not jointly removable (of two identical accepts, each is redundant), so
// minimisation removes them in rounds, per direction and family: every dead user rule at once
// (a rule that decides nothing can go with the others that decide nothing), else the last
// rule whose packets fall through to the same action; then the analysis (the painting alone)
// runs again, until no user rule is redundant. A round goes on removing falls-through rules
// downwards as long as their verdicts cannot have changed, so it removes exactly what one
// removal per round would, in a handful of rounds instead of one per rule. The result is
// proved equivalent to the input by the diff engine. The default SMTP rules are not the
// user's to remove and stay.
#pragma once

#include <algorithm>
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
    const auto painted = detail::paint(current, false);
    const auto count = static_cast<std::uint32_t>(kept.size());
    std::vector<bool> drop(count, false);
    bool any = false;
    for (std::uint32_t k = 0; k < count; ++k)
      if (removable[kept[k]] && !painted.live[k]) drop[k] = any = true;
    if (!any) {
      // Remove the last falls-through rule, as one round per rule would, and keep going down
      // while the verdicts one round per rule would see are still these: removing a rule only
      // changes the verdicts of its takers (which gain packets, so stay decided unless they
      // fell through) and of the rules it takes packets from. Stop at the first removable rule
      // that has a removed taker; the next round computes its verdict afresh.
      for (std::uint32_t k = count; k-- > 0;) {
        if (!removable[kept[k]]) continue;
        if (std::any_of(painted.takers[k].begin(), painted.takers[k].end(),
                        [&](std::uint32_t t) { return drop[t]; }))
          break;
        if (painted.falls[k]) drop[k] = any = true;
      }
    }
    if (!any) return kept;
    std::vector<std::uint32_t> next;
    for (std::uint32_t k = 0; k < count; ++k)
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
