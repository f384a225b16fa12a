// secgroup/analysis/anomalies.hpp: per-rule anomalies of a policy, exactly.
//
// Definitions (shared/spec/analysis-semantics.md §1, refinements in docs/semantics.md), for the
// rules r_0..r_{n-1} of one direction and family, E_i being the packets r_i decides:
//   dead         E_i is empty;
//   shadowed     dead, and some packet of r_i's box is decided with the other action;
//   redundant    removing r_i changes no decision: either dead and never contradicted
//                ("covered"), or every packet of E_i falls through to a later rule or the
//                default with the same action ("falls_through");
//   correlated   i < j, opposite actions, overlapping boxes, neither contains the other, and
//                some packet of both boxes is decided by r_i (so their order matters);
//   generalization  the same, with r_i's box strictly inside r_j's.
// NOTE: redundant rules are not jointly removable: of two identical accepts each is redundant.
//
// Algorithm. For every protocol class, the port axis is swept (detail/port_sweep.hpp): the
// rules are painted onto the address segments in priority order, recording each segment's
// first *and second* matching rule, and from one elementary port class to the next only the
// segments of the rules starting or stopping there are repainted. A rule is live iff it is some
// point's first owner; it falls through iff every (first, second) pair with it first has a
// second owner (or the default) with its action; a dead rule is contradicted iff some point of
// its box is decided with the other action, checked on the repainted segments with "next
// action change" links. Its effective region comes out as boxes maximal along the ports.
// Cost O(port classes × candidates + repainted segments + segments per protocol class).
// Blocking sets follow Batfish's approach D: earlier overlapping rules by decreasing overlap,
// the shortest prefix that covers the dead rule (prefixes of 1, 2, 4, ... rules, each a
// partition of the boxes clipped to it), plus the largest overlapping rule of the other
// action; when the first largest overlap contains the dead rule (the usual case) it is the
// prefix, after one scan.
// Pairs and blocking sets take the earlier rules meeting a rule from an index of the boxes
// (detail/box_index.hpp: by protocol class and address / port width, binary searches), then
// pairs find an effective box of the earlier rule meeting the later one: a binary search on
// first addresses, then a walk back while the boxes before can still reach it.
// Cost O(n log n + rules meeting + boxes walked) on top of the painting.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "../box.hpp"
#include "../config.hpp"
#include "../decision.hpp"
#include "../detail/box_index.hpp"
#include "../detail/port_sweep.hpp"
#include "../detail/sorted.hpp"
#include "../lower.hpp"
#include "../packet.hpp"
#include "../partition.hpp"
#include "../rule.hpp"
#include "../security_group.hpp"
#include "../space.hpp"
#include "witness.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace analysis {

/// Why a rule is redundant.
enum class redundancy : std::uint8_t { covered, falls_through };

constexpr std::string_view to_string(redundancy r) {
  return r == redundancy::covered ? "covered" : "falls_through";
}

/// What the analysis found about one rule of a policy.
template <class S>
struct rule_verdict {
  bool dead = false;       ///< no packet is decided by the rule
  bool shadowed = false;   ///< dead, and some packet it matches is decided the other way
  bool redundant = false;  ///< removing it alone changes no decision
  redundancy reason = redundancy::covered;
  /// Shadowed or covered: a small set of earlier rules covering it, one of the other action
  /// when shadowed. Falls through: the rules deciding its packets once it is removed.
  std::vector<std::uint32_t> related;
  bool to_default = false;  ///< falls through: some of its packets go to the default policy
  std::optional<point<S>>
      witness;  ///< shadowed: decided the other way; else decided by it or its cover
};

/// A pair of rules whose order matters: correlated, or a later generalization.
template <class S>
struct rule_pair {
  std::uint32_t earlier = 0;
  std::uint32_t later = 0;
  bool generalization = false;  ///< earlier's box lies strictly inside later's
  point<S> witness;             ///< matched by both, decided by `earlier`
  friend bool operator==(const rule_pair&, const rule_pair&) = default;
};

/// The anomalies of one policy.
template <class S>
struct policy_anomalies {
  std::vector<rule_verdict<S>> rules;  ///< one per policy rule
  std::vector<rule_pair<S>> pairs;     ///< correlated and generalization, by (later, earlier)
  /// Every pair whose relative order decides some packet: opposite actions and a packet of the
  /// later rule's box decided by the earlier rule (pairs, plus the shadowing ones). Keeping
  /// these pairs in order preserves every decision.
  std::vector<rule_pair<S>> order;
};

namespace detail {

/// The length of the shortest prefix of `overlaps` (pairs whose second is a rule index of
/// `pol`) whose boxes cover `target`, or the list's length when it does not cover. Prefixes of
/// 1, 2, 4, ... rules are tried, their boxes clipped to `target`; once one covers, the answer is
/// one more than the largest first-match index over the regions of `target` in that prefix's
/// partition (each region's first covering rule in list order), so that no prefix more than
/// twice the answer's length is partitioned.
template <class S, class Overlaps>
std::size_t shortest_covering_prefix(const policy<S>& pol, const Overlaps& overlaps,
                                     const box<S>& target) {
  policy<S> prefix;
  for (std::size_t k = 1; k <= overlaps.size(); k = std::min(2 * k, overlaps.size())) {
    while (prefix.rules.size() < k)
      prefix.rules.push_back(
          {intersect(pol.rules[overlaps[prefix.rules.size()].second].match, target),
           action::accept});
    bool covered = true;
    std::uint32_t last_first = 0;  // the largest first-match index of a region
    partition<S>(prefix).for_each_region_in(target, [&](auto, auto&, auto&, std::uint32_t rule) {
      covered = covered && rule != decision::no_rule;
      if (rule != decision::no_rule) last_first = std::max(last_first, rule);
    });
    if (covered) return std::size_t{last_first} + 1;
    if (k == overlaps.size()) break;
  }
  return overlaps.size();
}

/// Batfish-style blocking set of dead rule `i`: the shortest prefix of the earlier
/// overlapping rules, by decreasing overlap, that covers it; plus, when `other` is set, the
/// largest overlapping rule of that action if the prefix has none. `meeting` lists the
/// earlier rules whose box meets rule i's, ascending (box_index::meeting).
template <class S>
std::vector<std::uint32_t> blocking_set(const policy<S>& pol, std::uint32_t i,
                                        std::optional<action> other,
                                        const std::vector<std::uint32_t>& meeting) {
  const auto& target = pol.rules[i].match;
  std::vector<std::pair<long double, std::uint32_t>> overlaps;
  // The head of the list (first largest overlap) and the first largest of each action.
  std::array<std::optional<std::pair<long double, std::uint32_t>>, 2> best_of;
  std::optional<std::pair<long double, std::uint32_t>> head;
  for (auto j : meeting) {
    overlaps.push_back({volume(intersect(pol.rules[j].match, target)), j});
    const auto& o = overlaps.back();
    if (!head || head->first < o.first) head = o;
    auto& b = best_of[static_cast<std::size_t>(pol.rules[j].action)];
    if (!b || b->first < o.first) b = o;
  }
  // Almost always one earlier rule contains the dead rule: then it heads the list alone.
  if (head && contains(pol.rules[head->second].match, target)) {
    std::vector<std::uint32_t> out{head->second};
    if (other && pol.rules[head->second].action != *other) {
      if (const auto& b = best_of[static_cast<std::size_t>(*other)]) out.push_back(b->second);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::stable_sort(overlaps.begin(), overlaps.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  const std::size_t length = shortest_covering_prefix(pol, overlaps, target);
  std::vector<std::uint32_t> out;
  for (std::size_t m = 0; m < length; ++m) out.push_back(overlaps[m].second);
  if (other && std::none_of(out.begin(), out.end(),
                            [&](std::uint32_t j) { return pol.rules[j].action == *other; }))
    for (const auto& [v, j] : overlaps)
      if (pol.rules[j].action == *other) {
        out.push_back(j);
        break;
      }
  std::sort(out.begin(), out.end());
  return out;
}

/// Keeps the most readable of the witness candidates offered.
template <class S>
struct best_witness {
  std::optional<point<S>> point_;
  std::tuple<int, int> rank_{};
  void offer(proto_class c, const interval<typename S::address_type>& a,
             const interval<typename S::port_type>& p) {
    auto r = witness_rank<S>(c, p);
    if (point_ && !(r < rank_)) return;
    point_ = witness_point<S>(c, a, p);
    rank_ = r;
  }
};

/// What painting the first and second owners of every point tells about each rule.
template <class S>
struct painting {
  std::vector<char> live, contradicted, falls, to_default;
  std::vector<std::vector<std::uint32_t>> takers;  ///< second owners over E_i (may repeat)
  std::vector<best_witness<S>> own, opposite;      ///< with details only
  /// E_i as disjoint boxes, by class, then ascending first address, then first port; with
  /// details only.
  std::vector<std::vector<box<S>>> effective;
};

/// Paints the rules of `pol` (see the file comment); without `details`, only liveness,
/// fall-through and the takers (the rest of `contradicted` stays 0).
template <class S>
painting<S> paint(const policy<S>& pol, bool details) {
  const auto n_rules = static_cast<std::uint32_t>(pol.rules.size());
  painting<S> out;
  out.live.assign(n_rules, 0);
  out.contradicted.assign(n_rules, 0);
  out.falls.assign(n_rules, 1);
  out.to_default.assign(n_rules, 0);
  out.takers.resize(n_rules);
  if (details) {
    out.own.resize(n_rules);
    out.opposite.resize(n_rules);
    out.effective.resize(n_rules);
  }
  struct visitor {
    const policy<S>& pol;
    painting<S>& out;
    bool details;
    /// Some point's first owner is `first` and its second `second`.
    void owners(std::uint32_t first, std::uint32_t second) {
      out.live[first] = 1;
      if (pol.action_of(second) != pol.rules[first].action) out.falls[first] = 0;
      if (second == decision::no_rule) {
        out.to_default[first] = 1;
        return;
      }
      auto& takers = out.takers[first];
      if (takers.empty() || takers.back() != second) takers.push_back(second);
    }
    /// `b` is a box of the effective region of `rule`.
    void region(std::uint32_t rule, const box<S>& b) {
      if (details) out.effective[rule].push_back(b);
    }
    /// The points of `b`, in rule's box, are decided with the other action.
    void opposite(std::uint32_t rule, const box<S>& b) {
      out.contradicted[rule] = 1;
      out.opposite[rule].offer(class_of(b), b.addresses, b.ports);
    }
    static proto_class class_of(const box<S>& b) {
      return all_proto_classes[static_cast<std::size_t>(__builtin_ctz(b.protocols))];
    }
  } v{pol, out, details};
  secgroup::detail::port_sweep<S> sweep(pol);
  for (auto c : all_proto_classes) sweep.sweep(c, {.regions = details, .opposites = details}, v);
  if (details)
    for (std::uint32_t i = 0; i < n_rules; ++i) {
      auto& boxes = out.effective[i];
      std::sort(boxes.begin(), boxes.end(), [](const box<S>& x, const box<S>& y) {
        return std::tuple(__builtin_ctz(x.protocols), x.addresses.lo, x.ports.lo) <
               std::tuple(__builtin_ctz(y.protocols), y.addresses.lo, y.ports.lo);
      });
      for (const auto& b : boxes) out.own[i].offer(visitor::class_of(b), b.addresses, b.ports);
    }
  return out;
}

/// find_anomalies(), leaving `order` empty unless `with_order`.
template <class S>
policy_anomalies<S> anomalies_of(const policy<S>& pol, bool with_order) {
  using P = typename S::port_type;
  const auto n_rules = static_cast<std::uint32_t>(pol.rules.size());
  auto painted = detail::paint(pol, true);

  policy_anomalies<S> out;
  out.rules.resize(n_rules);
  // Rules meeting a box, found through indices (detail/box_index.hpp) rather than by scanning
  // every earlier rule: every rule, for blocking sets; the live ones by action, for pairs.
  secgroup::detail::box_index<S> every_rule;
  std::array<secgroup::detail::box_index<S>, 2> by_action;
  for (std::uint32_t i = 0; i < n_rules; ++i) {
    every_rule.add(i, pol.rules[i].match);
    if (painted.live[i])
      by_action[static_cast<std::size_t>(pol.rules[i].action)].add(i, pol.rules[i].match);
  }
  every_rule.build();
  for (auto& index : by_action) index.build();
  std::vector<std::uint32_t> candidates;
  for (std::uint32_t i = 0; i < n_rules; ++i) {
    auto& v = out.rules[i];
    v.dead = !painted.live[i];
    if (v.dead) {
      v.shadowed = painted.contradicted[i];
      v.redundant = !v.shadowed;
      v.reason = redundancy::covered;
      every_rule.meeting(pol.rules[i].match, i, candidates);
      v.related = detail::blocking_set(
          pol, i, v.shadowed ? std::optional(!pol.rules[i].action) : std::nullopt, candidates);
      if (v.shadowed) {
        v.witness = painted.opposite[i].point_;
      } else {
        detail::best_witness<S> any;
        const auto& m = pol.rules[i].match;
        for (auto c : all_proto_classes)
          if ((m.protocols & mask_of(c)) && !m.addresses.empty() &&
              !(has_ports(c) && m.ports.empty()))
            any.offer(c, m.addresses, has_ports(c) ? m.ports : interval<P>{0, 0});
        v.witness = any.point_;
      }
    } else if (painted.falls[i]) {
      v.redundant = true;
      v.reason = redundancy::falls_through;
      v.related = std::move(painted.takers[i]);
      secgroup::detail::sort_unique(v.related);
      v.to_default = painted.to_default[i];
      v.witness = painted.own[i].point_;
    }
  }

  // Pairs whose order matters: opposite actions, overlapping boxes, some packet of both
  // decided by the earlier rule.
  // effective[i] lists its boxes by class, then ascending first address: class_from[i][c] is
  // the first box of class c (and class_from[i][proto_class_count] the end), reach[i][k] the
  // largest last address of the boxes of its class up to k.
  using A = typename S::address_type;
  std::vector<box<S>> bounds(n_rules);  // bounding box of effective[i]
  std::vector<std::array<std::uint32_t, proto_class_count + 1>> class_from(n_rules);
  std::vector<std::vector<A>> reach(n_rules);
  for (std::uint32_t i = 0; i < n_rules; ++i) {
    const auto& m = pol.rules[i].match;
    if (!painted.live[i] || m.addresses.empty()) continue;
    const auto& effective = painted.effective[i];
    auto& b = bounds[i];
    b = effective.front();
    auto& from = class_from[i];
    from.fill(0);
    reach[i].resize(effective.size());
    for (std::uint32_t k = 0; k < effective.size(); ++k) {
      const auto& e = effective[k];
      const auto c = static_cast<std::size_t>(__builtin_ctz(e.protocols));
      ++from[c + 1];
      reach[i][k] = k > 0 && e.protocols == effective[k - 1].protocols
                        ? std::max(reach[i][k - 1], e.addresses.hi)
                        : e.addresses.hi;
      b.protocols |= e.protocols;
      b.addresses = {std::min(b.addresses.lo, e.addresses.lo),
                     std::max(b.addresses.hi, e.addresses.hi)};
      b.ports = {std::min(b.ports.lo, e.ports.lo), std::max(b.ports.hi, e.ports.hi)};
    }
    for (std::size_t c = 1; c <= proto_class_count; ++c) from[c] += from[c - 1];
  }
  // A box of effective[i] meeting `later`, or nullptr: for each class of `later`, the boxes
  // starting at or before its last address (a binary search), from the last back while the
  // reach of those before still gets to its first address.
  auto first_meeting = [&](std::uint32_t i, const box<S>& later) -> const box<S>* {
    const auto& boxes = painted.effective[i];
    for (std::uint8_t c = 0; c < proto_class_count; ++c) {
      const auto cls = all_proto_classes[c];
      if (!(later.protocols & mask_of(cls)) || (has_ports(cls) && later.ports.empty())) continue;
      const auto begin = boxes.begin() + class_from[i][c];
      auto k = std::partition_point(
                   begin, boxes.begin() + class_from[i][c + 1],
                   [&](const box<S>& e) { return !(later.addresses.hi < e.addresses.lo); }) -
               boxes.begin();
      while (k-- > begin - boxes.begin() && !(reach[i][k] < later.addresses.lo)) {
        const auto& e = boxes[k];
        if (!(e.addresses.hi < later.addresses.lo) &&
            !(has_ports(cls) && (later.ports.hi < e.ports.lo || e.ports.hi < later.ports.lo)))
          return &e;
      }
    }
    return nullptr;
  };
  for (std::uint32_t j = 0; j < n_rules; ++j) {
    const auto& later = pol.rules[j];
    by_action[static_cast<std::size_t>(!later.action)].meeting(later.match, j, candidates);
    for (auto i : candidates) {
      const auto& earlier = pol.rules[i];
      if (!meets(bounds[i], later.match)) continue;
      const auto* hit = first_meeting(i, later.match);
      if (!hit) continue;
      const bool shadowing = contains(earlier.match, later.match);
      const bool inside = !shadowing && contains(later.match, earlier.match);
      auto x = intersect(*hit, later.match);
      proto_class c = all_proto_classes[static_cast<std::size_t>(__builtin_ctz(x.protocols))];
      rule_pair<S> pair{i, j, inside, witness_point<S>(c, x.addresses, x.ports)};
      if (with_order) out.order.push_back(pair);
      if (!shadowing) out.pairs.push_back(pair);  // a shadowed later rule is reported alone
    }
  }
  return out;
}
}  // namespace detail

/// Returns the anomalies of every rule of `pol`, and its correlated / generalization pairs.
template <class S>
policy_anomalies<S> find_anomalies(const policy<S>& pol) {
  return detail::anomalies_of(pol, true);
}

// -- Groups -------------------------------------------------------------------------------

/// The kinds of finding, in report order.
enum class finding_kind : std::uint8_t { shadowed, redundant, correlated, generalization };

constexpr std::string_view to_string(finding_kind k) {
  constexpr std::array<std::string_view, 4> names{"shadowed", "redundant", "correlated",
                                                  "generalization"};
  return names[static_cast<std::size_t>(k)];
}

/// Why a finding holds: blocked (shadowed), covered or falls_through (redundant),
/// partial_overlap (correlated), generalizes (generalization).
enum class finding_reason : std::uint8_t {
  blocked,
  covered,
  falls_through,
  partial_overlap,
  generalizes
};

/// The name every output prints: "blocked", "covered", "falls_through", "partial_overlap",
/// "generalizes".
constexpr std::string_view to_string(finding_reason r) {
  constexpr std::array<std::string_view, 5> names{"blocked", "covered", "falls_through",
                                                  "partial_overlap", "generalizes"};
  return names[static_cast<std::size_t>(r)];
}

/// One finding about a rule of a group. Rule indices refer to ordered_rules(group).
struct finding {
  finding_kind kind = finding_kind::shadowed;
  std::uint32_t rule = 0;
  secgroup::direction direction = secgroup::direction::inbound;
  std::vector<std::uint32_t> related;
  finding_reason reason = finding_reason::blocked;
  bool to_default = false;  ///< falls_through: some packets go to the default policy
  std::optional<packet> witness;
  friend bool operator==(const finding&, const finding&) = default;
};

/// Every finding about a group's user rules, sorted by rule, then kind, then related rules.
struct anomaly_report {
  std::vector<rule> rules;  ///< ordered_rules(group): what the indices refer to
  std::vector<finding> findings;
};

namespace detail {
/// The anomalies of the rules of one direction and family of a group, worded as findings.
template <family F>
struct block_anomalies {
  policy<space_of<F>> pol;
  policy_anomalies<space_of<F>> found;
  direction d;
  /// The pairs of later rule i are found.pairs[pairs_from[i] .. pairs_from[i + 1]).
  std::vector<std::uint32_t> pairs_from;

  block_anomalies(const std::vector<rule>& rules, direction dir, action default_action)
      : pol(lower<F>(rules, dir, default_action)), found(anomalies_of(pol, false)), d(dir) {
    pairs_from.assign(pol.rules.size() + 1, 0);
    for (const auto& p : found.pairs) ++pairs_from[p.later + 1];
    for (std::size_t i = 1; i < pairs_from.size(); ++i) pairs_from[i] += pairs_from[i - 1];
  }

  /// The number of findings at most.
  std::size_t size() const { return found.rules.size() + found.pairs.size(); }

  /// Passes the findings of the block's rule `i` to `out(finding&&)` in report order: its
  /// shadowed or redundant finding, then its correlated pairs and its generalizations, each by
  /// earlier rule.
  template <class Out>
  void add_findings(std::uint32_t i, Out&& out) const {
    auto origin = [&](std::vector<std::uint32_t> v) {
      for (auto& k : v) k = pol.origin[k];
      return v;
    };
    const auto& v = found.rules[i];
    if (v.shadowed || v.redundant) {
      const auto why = v.shadowed                        ? finding_reason::blocked
                       : v.reason == redundancy::covered ? finding_reason::covered
                                                         : finding_reason::falls_through;
      out(finding{v.shadowed ? finding_kind::shadowed : finding_kind::redundant, pol.origin[i], d,
                  origin(v.related), why, v.to_default,
                  v.witness ? std::optional(to_packet<F>(*v.witness, d)) : std::nullopt});
    }
    for (bool generalization : {false, true})
      for (auto k = pairs_from[i]; k < pairs_from[i + 1]; ++k) {
        const auto& p = found.pairs[k];
        if (p.generalization != generalization) continue;
        out(finding{generalization ? finding_kind::generalization : finding_kind::correlated,
                    pol.origin[i],
                    d,
                    {pol.origin[p.earlier]},
                    generalization ? finding_reason::generalizes : finding_reason::partial_overlap,
                    false,
                    to_packet<F>(p.witness, d)});
      }
  }
};
}  // namespace detail

namespace detail {
/// Passes the findings of every user rule of `g` (indices into `rules`, ordered_rules(g)) to
/// `out(finding&&)` in report order, after calling `at_most(n)` with an upper bound of their
/// number.
template <class AtMost, class Out>
void walk_findings(const security_group& g, const std::vector<rule>& rules, AtMost&& at_most,
                   Out&& out) {
  auto policy_of = [&](direction d) { return g.default_policy(d); };
  const std::array<block_anomalies<family::v4>, 2> v4{
      block_anomalies<family::v4>(rules, direction::inbound, policy_of(direction::inbound)),
      block_anomalies<family::v4>(rules, direction::outbound, policy_of(direction::outbound))};
  const std::array<block_anomalies<family::v6>, 2> v6{
      block_anomalies<family::v6>(rules, direction::inbound, policy_of(direction::inbound)),
      block_anomalies<family::v6>(rules, direction::outbound, policy_of(direction::outbound))};
  // Every rule lies in exactly one block (its direction and family), under a local index; the
  // findings of a rule come from its block alone, so walking the rules in order and each
  // rule's findings in (kind, related) order gives the report sorted, with no sort.
  std::vector<std::uint32_t> local(rules.size());
  std::size_t total = 0;
  auto index = [&](const auto& block) {
    for (std::uint32_t k = 0; k < block.pol.origin.size(); ++k) local[block.pol.origin[k]] = k;
    total += block.size();
  };
  for (std::size_t d = 0; d < 2; ++d) {
    index(v4[d]);
    index(v6[d]);
  }
  at_most(total);
  for (std::uint32_t r = 0; r < rules.size(); ++r) {
    if (!rules[r].editable) continue;
    const auto d = static_cast<std::size_t>(rules[r].direction);
    if (rules[r].ip_range.af() == family::v4)
      v4[d].add_findings(local[r], out);
    else
      v6[d].add_findings(local[r], out);
  }
}
}  // namespace detail

/// Returns the anomalies of every user rule of `g`, in both directions and families, with the
/// default SMTP rules and the default policies taking part.
inline anomaly_report analyze(const security_group& g) {
  anomaly_report report{ordered_rules(g), {}};
  detail::walk_findings(
      g, report.rules, [&](std::size_t n) { report.findings.reserve(n); },
      [&](finding&& f) { report.findings.push_back(std::move(f)); });
  return report;
}

/// Calls `f(const finding&)` for each finding of analyze(g), in the same order, without
/// keeping them: for reports too large to hold (cb-acl2_10k's 1.48 M findings take 140 MiB).
/// Rule indices refer to ordered_rules(g), as in analyze().
template <class F>
void for_each_finding(const security_group& g, F&& f) {
  const auto rules = ordered_rules(g);
  detail::walk_findings(
      g, rules, [](std::size_t) {}, [&](finding&& x) { f(std::as_const(x)); });
}

}  // namespace analysis
SECGROUP_END_NAMESPACE
