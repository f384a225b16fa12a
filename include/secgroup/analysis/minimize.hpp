// secgroup/analysis/minimize.hpp: an equivalent rule list without redundant rules.
//
// Redundant rules are not jointly removable (of two identical accepts, each is redundant), so
// minimisation is defined by rounds, per direction and family: every dead user rule at once
// (a rule that decides nothing can go with the others that decide nothing), else the last
// rule whose packets fall through to the same action; then the analysis runs again, until no
// user rule is redundant. minimal_rules() computes that result without the rounds: one
// painting and a sweep from the last rule up (see its comment). The result is proved
// equivalent to the input by the diff engine. The default SMTP rules are not the user's to
// remove and stay.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "../box.hpp"
#include "../config.hpp"
#include "../detail/box_index.hpp"
#include "../lower.hpp"
#include "../security_group.hpp"
#include "anomalies.hpp"
#include "diff.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace analysis {

namespace detail {

/// The rules of `pol` listed in `kept` (indices into pol.rules, ascending), in order.
template <class S>
policy<S> rules_kept(const policy<S>& pol, const std::vector<std::uint32_t>& kept) {
  policy<S> out;
  out.default_action = pol.default_action;
  for (auto i : kept) {
    out.rules.push_back(pol.rules[i]);
    out.origin.push_back(pol.origin[i]);
  }
  return out;
}

/// The rules of `pol` in a box index (secgroup::detail::box_index) under their indices, to list
/// the rules meeting a box without scanning them all.
template <class S>
secgroup::detail::box_index<S> index_rules(const policy<S>& pol) {
  secgroup::detail::box_index<S> index;
  for (std::uint32_t i = 0; i < pol.rules.size(); ++i) index.add(i, pol.rules[i].match);
  index.build();
  return index;
}

/// True iff rule `k` of `pol` (live) falls through once the rules marked in `gone` (all after
/// `k`) are removed: every packet it decides is matched next, among the rules left, by a rule
/// of its action, or by none with the default policy taking it. Paints the rules left that
/// meet k's box (found through `index`, index_rules(pol)), clipped to it. Cost: the painting
/// of the rules overlapping k's box.
template <class S>
bool falls_through_without(const policy<S>& pol, secgroup::detail::box_index<S>& index,
                           std::uint32_t k, const std::vector<char>& gone,
                           std::vector<std::uint32_t>& meeting) {
  const auto& b = pol.rules[k].match;
  index.meeting(b, static_cast<std::uint32_t>(pol.rules.size()), meeting);
  policy<S> clipped;
  clipped.default_action = pol.default_action;
  std::uint32_t at = 0;
  bool placed = false;
  auto place = [&] {
    at = static_cast<std::uint32_t>(clipped.rules.size());
    clipped.rules.push_back(pol.rules[k]);
    placed = true;
  };
  for (auto j : meeting) {  // ascending
    if (j == k) continue;
    if (!placed && j > k) place();
    if (gone[j]) continue;
    clipped.rules.push_back({intersect(pol.rules[j].match, b), pol.rules[j].action});
  }
  if (!placed) place();
  const auto painted = paint(clipped, false);
  return painted.live[at] && painted.falls[at];
}

}  // namespace detail

/// Returns the indices (ascending) of the rules of `pol` to keep so that no removable rule is
/// redundant and every decision is unchanged; rules with `removable[i]` false are always kept.
/// The result is what removing, round after round, every dead removable rule at once, else the
/// last removable rule that falls through, would keep (tests/analysis/diff.test.cpp checks both
/// against brute force; tests/analysis/minimize.test.cpp against the former rounds). Computed
/// with one painting (two with dead rules) and a sweep from the last rule up:
///   - removing rules never takes packets from a rule, so no rule becomes dead after the first
///     round, and a rule that does not fall through never starts to (it only gains packets);
///   - so the removals after the dead ones come in descending order: after removing the last
///     falls-through rule r, every later rule still does not fall through. When rule k's turn
///     comes, the rules before it are all there (the packets it decides, E_k, are those of the
///     painting) and the rules after it are final;
///   - k falls through iff every packet of E_k is next matched, among the final later rules,
///     with its action. Those next matches are the painting's second owners unless one of
///     them was removed; only then is k's verdict computed again, by painting the rules left
///     that overlap k's box (falls_through_without).
/// Cost: the painting's (a sweep of the port axis, analysis/anomalies.hpp), plus, per rule that
/// lost a second owner, a painting of the rules overlapping its box. It used to repaint the whole
/// policy once per round, and the rounds grew with the rules (60 on the generated acl set of
/// 10K rules).
template <class S>
std::vector<std::uint32_t> minimal_rules(const policy<S>& pol, const std::vector<bool>& removable) {
  std::vector<std::uint32_t> kept(pol.rules.size());
  for (std::uint32_t i = 0; i < kept.size(); ++i) kept[i] = i;
  auto current = detail::rules_kept(pol, kept);
  auto painted = detail::paint(current, false);
  std::vector<std::uint32_t> alive;
  for (std::uint32_t k = 0; k < kept.size(); ++k)
    if (!removable[kept[k]] || painted.live[k]) alive.push_back(kept[k]);
  if (alive.size() != kept.size()) {  // the dead removable rules go, all at once
    kept = std::move(alive);
    current = detail::rules_kept(pol, kept);
    painted = detail::paint(current, false);
  }
  const auto count = static_cast<std::uint32_t>(kept.size());
  auto index = detail::index_rules(current);
  std::vector<char> gone(count, 0);
  std::vector<std::uint32_t> meeting;
  for (std::uint32_t k = count; k-- > 0;) {
    if (!removable[kept[k]]) continue;
    const bool lost_taker = std::any_of(painted.takers[k].begin(), painted.takers[k].end(),
                                        [&](std::uint32_t t) { return gone[t] != 0; });
    gone[k] = lost_taker ? detail::falls_through_without(current, index, k, gone, meeting)
                         : painted.falls[k] != 0;
  }
  std::vector<std::uint32_t> out;
  for (std::uint32_t k = 0; k < count; ++k)
    if (!gone[k]) out.push_back(kept[k]);
  return out;
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
