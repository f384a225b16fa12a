// find_anomalies against brute force on every point of tiny spaces: dead, shadowed and
// redundant rules, reasons, blocking sets (Batfish's approach D recomputed by enumeration),
// witnesses, the correlated / generalization pairs and the `order` pairs, and the reorder law
// "keeping every order pair in order preserves every decision".
#include <algorithm>
#include <catch2/catch.hpp>
#include <numeric>
#include <secgroup/analysis.hpp>
#include <secgroup/secgroup.hpp>
#include <set>
#include <string>
#include <vector>

#include "support/random_groups.hpp"
#include "support/scale.hpp"

using namespace secgroup;
using secgroup_test::describe;
using secgroup_test::rng_type;

namespace {

template <class S>
action action_at(const policy<S>& pol, const point<S>& x) {
  auto i = first_match(pol, x);
  return i == decision::no_rule ? pol.default_action : pol.rules[i].action;
}

/// The action of `x` once rule `skip` is removed.
template <class S>
action action_without(const policy<S>& pol, std::uint32_t skip, const point<S>& x) {
  for (std::uint32_t i = 0; i < pol.rules.size(); ++i)
    if (i != skip && pol.rules[i].match.contains(x)) return pol.rules[i].action;
  return pol.default_action;
}

template <class S>
policy<S> permuted(const policy<S>& pol, const std::vector<std::uint32_t>& order) {
  policy<S> out;
  out.default_action = pol.default_action;
  for (auto i : order) {
    out.rules.push_back(pol.rules[i]);
    out.origin.push_back(pol.origin[i]);
  }
  return out;
}

std::string list(const std::vector<std::uint32_t>& v) {
  std::string out = "{";
  for (auto x : v) out += (out.size() > 1 ? "," : "") + std::to_string(x);
  return out + "}";
}

/// Returns "" if witness `w` is a point for which `ok` holds and whose protocol class is the
/// first among the points of `points` for which `ok` holds (TCP before UDP before ...).
template <class S, class Ok>
std::string check_witness(const std::optional<point<S>>& w, const std::vector<point<S>>& points,
                          Ok&& ok, const std::string& what) {
  auto best = std::find_if(points.begin(), points.end(), ok);
  if (best == points.end())
    return w ? what + ": witness " + describe(*w) + " where none exists" : "";
  if (!w) return what + ": no witness, expected one such as " + describe(*best);
  if (!ok(*w)) return what + ": invalid witness " + describe(*w);
  if (w->protocol != best->protocol)
    return what + ": witness " + describe(*w) + " is not of the first protocol class, as " +
           describe(*best) + " is";
  return "";
}

/// Batfish's approach D, by enumeration: the earlier rules meeting rule i by decreasing overlap
/// (ties by index), the shortest prefix covering it, plus the largest overlapping rule of the
/// other action when shadowed and the prefix has none.
std::vector<std::uint32_t> approach_d(const secgroup_test::brute_anomalies& b,
                                      const std::vector<std::vector<std::uint32_t>>& atoms,
                                      const std::vector<action>& actions, std::uint32_t i,
                                      bool shadowed) {
  std::vector<std::uint32_t> overlaps;
  for (std::uint32_t j = 0; j < i; ++j)
    if (b.meet(j, i)) overlaps.push_back(j);
  std::stable_sort(overlaps.begin(), overlaps.end(), [&](std::uint32_t x, std::uint32_t y) {
    return b.common[x][i] > b.common[y][i];
  });
  auto covers = [&](std::size_t k) {
    for (const auto& m : atoms) {
      if (!std::binary_search(m.begin(), m.end(), i)) continue;
      bool hit = false;
      for (std::size_t q = 0; q < k && !hit; ++q)
        hit = std::binary_search(m.begin(), m.end(), overlaps[q]);
      if (!hit) return false;
    }
    return true;
  };
  std::size_t k = overlaps.empty() ? 0 : 1;
  while (k < overlaps.size() && !covers(k)) ++k;
  std::vector<std::uint32_t> out(overlaps.begin(), overlaps.begin() + static_cast<long>(k));
  const auto other = !actions[i];
  if (shadowed &&
      std::none_of(out.begin(), out.end(), [&](std::uint32_t j) { return actions[j] == other; }))
    for (auto j : overlaps)
      if (actions[j] == other) {
        out.push_back(j);
        break;
      }
  std::sort(out.begin(), out.end());
  return out;
}

/// Returns "" if find_anomalies(pol) agrees with brute force on every point, else the first
/// disagreement. `check_blocking_heuristic` also compares blocking sets with approach D.
/// Optional checks: by default blocking sets are only checked to be valid (earlier rules that
/// meet the rule, cover it, and hold one of the other action when it is shadowed).
struct checks {
  bool approach_d = false;  ///< blocking sets equal approach D recomputed by enumeration
};

template <class S>
std::string check_anomalies(const policy<S>& pol, const std::vector<point<S>>& points,
                            const checks& what) {
  const auto n = static_cast<std::uint32_t>(pol.rules.size());
  const auto atoms = secgroup_test::point_atoms(pol, points);
  std::vector<action> actions;
  for (const auto& r : pol.rules) actions.push_back(r.action);
  const auto b = secgroup_test::brute_force_anomalies(actions, pol.default_action, atoms);
  const auto found = analysis::find_anomalies(pol);
  if (found.rules.size() != n) return "one verdict per rule expected";

  for (std::uint32_t i = 0; i < n; ++i) {
    const auto& v = found.rules[i];
    const auto& m = pol.rules[i].match;
    const auto a = pol.rules[i].action;
    const std::string rule = "rule " + std::to_string(i);
    const bool shadowed = b.dead[i] && b.contradicted[i];
    const bool redundant = b.removable[i] && !shadowed;
    if (v.dead != bool(b.dead[i])) return rule + ": dead = " + std::to_string(v.dead);
    if (v.shadowed != shadowed) return rule + ": shadowed = " + std::to_string(v.shadowed);
    if (v.redundant != redundant) return rule + ": redundant = " + std::to_string(v.redundant);
    if (v.redundant && (v.reason == analysis::redundancy::covered) != v.dead)
      return rule + ": reason " + std::string(analysis::to_string(v.reason)) +
             " but dead = " + std::to_string(v.dead);

    if (v.dead) {
      // Blocking set: earlier rules meeting the box, covering it, one of the other action.
      for (auto j : v.related) {
        if (j >= i) return rule + ": blocking rule " + std::to_string(j) + " is not earlier";
        if (!b.meet(j, i)) return rule + ": blocking rule " + std::to_string(j) + " is disjoint";
      }
      for (const auto& atom : atoms) {
        if (!std::binary_search(atom.begin(), atom.end(), i)) continue;
        if (std::none_of(v.related.begin(), v.related.end(), [&](std::uint32_t j) {
              return std::binary_search(atom.begin(), atom.end(), j);
            }))
          return rule + ": blocking set " + list(v.related) + " does not cover the rule";
      }
      if (shadowed && std::none_of(v.related.begin(), v.related.end(),
                                   [&](std::uint32_t j) { return actions[j] != a; }))
        return rule + ": blocking set " + list(v.related) + " has no rule of the other action";
      if (!std::is_sorted(v.related.begin(), v.related.end()))
        return rule + ": blocking set not sorted";
      if (what.approach_d) {
        auto want = approach_d(b, atoms, actions, i, shadowed);
        if (v.related != want)
          return rule + ": blocking set " + list(v.related) + ", approach D gives " + list(want);
      }
    } else if (v.redundant) {
      std::vector<std::uint32_t> want(b.takers[i].begin(), b.takers[i].end());
      if (v.related != want)
        return rule + ": falls through to " + list(v.related) + ", expected " + list(want);
    } else if (!v.related.empty()) {
      return rule + ": related rules " + list(v.related) + " on a rule without anomaly";
    }

    std::string error;
    if (shadowed) {
      error = check_witness<S>(
          v.witness, points,
          [&](const point<S>& x) { return m.contains(x) && action_at(pol, x) != a; },
          rule + " (shadowed)");
    } else if (v.dead) {
      error = check_witness<S>(
          v.witness, points,
          [&](const point<S>& x) { return m.contains(x) && action_at(pol, x) == a; },
          rule + " (covered)");
    } else if (v.redundant) {
      error = check_witness<S>(
          v.witness, points,
          [&](const point<S>& x) {
            return first_match(pol, x) == i && action_without(pol, i, x) == a;
          },
          rule + " (falls_through)");
    } else if (v.witness) {
      error = rule + ": witness " + describe(*v.witness) + " on a rule without anomaly";
    }
    if (!error.empty()) return error;
  }

  // Pairs whose order matters, and the correlated / generalization ones among them.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> got_order, got_pairs, want_pairs;
  for (const auto& p : found.order) got_order.push_back({p.earlier, p.later});
  for (const auto& p : found.pairs) got_pairs.push_back({p.earlier, p.later});
  for (const auto& [e, l] : b.order)
    if (!b.subset(l, e)) want_pairs.push_back({e, l});
  auto pairs_text = [](const std::vector<std::pair<std::uint32_t, std::uint32_t>>& v) {
    std::string out;
    for (const auto& [e, l] : v) out += "(" + std::to_string(e) + "," + std::to_string(l) + ")";
    return out;
  };
  if (got_order != b.order)
    return "order pairs " + pairs_text(got_order) + ", expected " + pairs_text(b.order);
  if (got_pairs != want_pairs)
    return "correlated/generalization pairs " + pairs_text(got_pairs) + ", expected " +
           pairs_text(want_pairs);
  for (const auto* v : {&found.order, &found.pairs})
    for (const auto& p : *v) {
      const std::string pair =
          "pair (" + std::to_string(p.earlier) + "," + std::to_string(p.later) + ")";
      if (v == &found.pairs && p.generalization != b.subset(p.earlier, p.later))
        return pair + ": generalization = " + std::to_string(p.generalization);
      auto error = check_witness<S>(
          std::optional(p.witness), points,
          [&](const point<S>& x) {
            return pol.rules[p.later].match.contains(x) && first_match(pol, x) == p.earlier;
          },
          pair);
      if (!error.empty()) return error;
    }
  return "";
}

/// Returns a random order of 0..n-1 keeping every pair of `order` (earlier before later).
std::vector<std::uint32_t> random_linear_extension(
    rng_type& rng, std::uint32_t n,
    const std::vector<std::pair<std::uint32_t, std::uint32_t>>& order) {
  std::vector<std::vector<std::uint32_t>> after(n);
  std::vector<std::uint32_t> before(n, 0), ready, out;
  for (const auto& [e, l] : order) {
    after[e].push_back(l);
    ++before[l];
  }
  for (std::uint32_t i = 0; i < n; ++i)
    if (before[i] == 0) ready.push_back(i);
  while (!ready.empty()) {
    auto k = secgroup_test::uniform(rng, 0, ready.size() - 1);
    auto i = ready[k];
    ready.erase(ready.begin() + static_cast<long>(k));
    out.push_back(i);
    for (auto l : after[i])
      if (--before[l] == 0) ready.push_back(l);
  }
  return out;
}

/// Returns "" if every order keeping the `order` pairs decides every point alike, and every
/// swap of two neighbouring rules changes a decision iff they form an `order` pair.
template <class S>
std::string check_reorder_law(rng_type& rng, const policy<S>& pol,
                              const std::vector<point<S>>& points) {
  const auto n = static_cast<std::uint32_t>(pol.rules.size());
  const auto found = analysis::find_anomalies(pol);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> order;
  for (const auto& p : found.order) order.push_back({p.earlier, p.later});
  auto same_actions = [&](const policy<S>& other) {
    return std::all_of(points.begin(), points.end(),
                       [&](const point<S>& x) { return action_at(pol, x) == action_at(other, x); });
  };
  for (int k = 0; k < 4; ++k) {
    auto perm = random_linear_extension(rng, n, order);
    if (perm.size() != n) return "the order pairs have a cycle";
    if (!same_actions(permuted(pol, perm)))
      return "the order " + list(perm) + " keeps every order pair but changes a decision";
  }
  for (std::uint32_t i = 0; i + 1 < n; ++i) {
    std::vector<std::uint32_t> perm(n);
    std::iota(perm.begin(), perm.end(), 0u);
    std::swap(perm[i], perm[i + 1]);
    const bool constrained =
        std::find(order.begin(), order.end(), std::pair{i, i + 1}) != order.end();
    if (same_actions(permuted(pol, perm)) == constrained)
      return "swapping rules " + std::to_string(i) + " and " + std::to_string(i + 1) +
             (constrained ? " (an order pair) changes no decision"
                          : " (not an order pair) changes a decision");
  }
  return "";
}

template <class S>
void run_anomalies(std::uint64_t seed, int policies, secgroup_test::policy_options options,
                   const checks& what = {}) {
  const auto points = secgroup_test::all_points<S>();
  rng_type rng(seed);
  int dead = 0, shadowed = 0, falls = 0, pairs = 0;
  policies = secgroup_test::scaled(policies);
  for (int n = 0; n < policies; ++n) {
    const auto pol = secgroup_test::random_policy<S>(rng, options);
    auto error = check_anomalies(pol, points, what);
    if (error.empty()) error = check_reorder_law(rng, pol, points);
    if (!error.empty()) {
      INFO("seed " << seed << ", policy " << n << ":\n" << describe(pol));
      FAIL(error);
    }
    const auto found = analysis::find_anomalies(pol);
    for (const auto& v : found.rules) {
      dead += v.dead;
      shadowed += v.shadowed;
      falls += v.redundant && !v.dead;
    }
    pairs += static_cast<int>(found.pairs.size());
  }
  // The generator must produce every kind of finding, or agreement proves little.
  CHECK(dead > policies / 4);
  CHECK(shadowed > policies / 10);
  CHECK(falls > policies / 10);
  CHECK(pairs > policies / 4);
}

}  // namespace

TEST_CASE("anomalies: exact on every point of tiny spaces, non-empty boxes",
          "[analysis][anomalies][exhaustive][slow]") {
  secgroup_test::policy_options mixed;
  mixed.empty_percent = 0;
  secgroup_test::policy_options cidr = mixed;
  cidr.cidr_percent = 100;
  secgroup_test::policy_options arbitrary = mixed;
  arbitrary.cidr_percent = 0;
  secgroup_test::policy_options many = mixed;
  many.max_rules = 20;
  SECTION("space<3,2>") { run_anomalies<space<3, 2>>(301, 1500, mixed); }
  SECTION("space<4,3>, CIDR addresses") { run_anomalies<space<4, 3>>(302, 1000, cidr); }
  SECTION("space<4,3>, arbitrary addresses") { run_anomalies<space<4, 3>>(303, 1000, arbitrary); }
  SECTION("space<5,3>") { run_anomalies<space<5, 3>>(304, 800, mixed); }
  SECTION("space<4,2>, up to 20 rules") { run_anomalies<space<4, 2>>(305, 600, many); }
}

TEST_CASE("anomalies: blocking sets are approach D's shortest prefix by decreasing overlap",
          "[analysis][anomalies][exhaustive][blocking][slow]") {
  // The overlap of two boxes counts their common points; ICMP and OTHER points have no port,
  // so boxes with disjoint port ranges still overlap on those classes.
  secgroup_test::policy_options mixed;
  mixed.empty_percent = 0;
  checks what;
  what.approach_d = true;
  SECTION("space<3,2>") { run_anomalies<space<3, 2>>(321, 1000, mixed, what); }
  SECTION("space<4,3>") { run_anomalies<space<4, 3>>(322, 800, mixed, what); }
}

TEST_CASE("anomalies: exact on every point of tiny spaces, with empty boxes",
          "[analysis][anomalies][exhaustive][empty][slow]") {
  // Empty protocol masks and reversed intervals: boxes with no point, or (reversed ports with
  // ICMP or OTHER) boxes holding only portless points. A box without points has no blocking
  // set: nothing covers it.
  secgroup_test::policy_options empty;
  empty.empty_percent = 15;
  SECTION("space<3,2>") { run_anomalies<space<3, 2>>(311, 1500, empty); }
  SECTION("space<4,3>") { run_anomalies<space<4, 3>>(312, 1000, empty); }
}

TEST_CASE("anomalies: hand-made policies of space<4,3>", "[analysis][anomalies][hand]") {
  using S = space<4, 3>;
  const proto_mask tcp = mask_of(proto_class::tcp), icmp = mask_of(proto_class::icmp);
  auto rule = [](proto_mask m, std::uint32_t alo, std::uint32_t ahi, std::uint32_t plo,
                 std::uint32_t phi, action a) {
    return box_rule<S>{box<S>{m, {alo, ahi}, {plo, phi}}, a};
  };
  SECTION("two halves shadow the whole, a duplicate is covered, a narrower drop falls through") {
    policy<S> pol;
    pol.default_action = action::drop;
    pol.rules = {rule(tcp, 0, 7, 0, 7, action::accept), rule(tcp, 8, 15, 0, 7, action::accept),
                 rule(tcp, 0, 15, 2, 2, action::drop), rule(tcp, 0, 7, 0, 7, action::accept),
                 rule(tcp | icmp, 4, 4, 0, 7, action::drop)};
    pol.origin = {0, 1, 2, 3, 4};
    auto found = analysis::find_anomalies(pol);
    REQUIRE(found.rules.size() == 5);
    CHECK(!found.rules[0].dead);
    CHECK(!found.rules[0].redundant);
    CHECK(found.rules[2].shadowed);
    CHECK(found.rules[2].related == std::vector<std::uint32_t>{0, 1});
    CHECK(found.rules[3].dead);
    CHECK(found.rules[3].redundant);
    CHECK(found.rules[3].reason == analysis::redundancy::covered);
    CHECK(found.rules[3].related == std::vector<std::uint32_t>{0});
    // Rule 4 decides ICMP from address 4, which falls through to the default drop.
    CHECK(!found.rules[4].dead);
    CHECK(found.rules[4].redundant);
    CHECK(found.rules[4].reason == analysis::redundancy::falls_through);
    CHECK(found.rules[4].related.empty());
    REQUIRE(found.rules[4].witness);
    CHECK(found.rules[4].witness->protocol == proto_class::icmp);
    CHECK(found.rules[4].witness->address == 4u);
    // Rule 2 is shadowed by the union of rules 0 and 1, neither of which contains it: both
    // pairs are correlated. Rule 4 meets what rule 0 decides (TCP from 4) and holds ICMP, which
    // rule 0 does not: correlated too. Pairs come by (later, earlier).
    REQUIRE(found.pairs.size() == 3);
    CHECK(found.pairs[0].earlier == 0);
    CHECK(found.pairs[0].later == 2);
    CHECK(found.pairs[1].earlier == 1);
    CHECK(found.pairs[1].later == 2);
    CHECK(found.pairs[2].earlier == 0);
    CHECK(found.pairs[2].later == 4);
    for (const auto& p : found.pairs) CHECK(!p.generalization);
    CHECK(found.pairs[0].witness == point<S>{proto_class::tcp, 1, 2});
    CHECK(found.pairs[1].witness == point<S>{proto_class::tcp, 9, 2});
    CHECK(found.pairs[2].witness == point<S>{proto_class::tcp, 4, 1});
    CHECK(found.order == found.pairs);
  }
  SECTION("a later broader rule is a generalization, a partial overlap a correlation") {
    policy<S> pol;
    pol.default_action = action::drop;
    pol.rules = {rule(tcp, 2, 3, 1, 1, action::drop), rule(tcp, 0, 15, 0, 7, action::accept),
                 rule(tcp, 0, 7, 0, 3, action::drop), rule(tcp | icmp, 8, 15, 5, 7, action::drop)};
    pol.origin = {0, 1, 2, 3};
    auto found = analysis::find_anomalies(pol);
    REQUIRE(found.pairs.size() == 2);
    CHECK(found.pairs[0].earlier == 0);
    CHECK(found.pairs[0].later == 1);
    CHECK(found.pairs[0].generalization);
    CHECK(found.pairs[0].witness == point<S>{proto_class::tcp, 2, 1});
    CHECK(found.pairs[1].earlier == 1);
    CHECK(found.pairs[1].later == 3);
    CHECK(!found.pairs[1].generalization);
    CHECK(found.pairs[1].witness == point<S>{proto_class::tcp, 9, 5});
    // Rule 2 lies inside rule 1: shadowed, reported alone, but its order still matters.
    CHECK(found.rules[2].shadowed);
    CHECK(found.rules[2].related == std::vector<std::uint32_t>{1});
    REQUIRE(found.order.size() == 3);
    CHECK(found.order[1].earlier == 1);
    CHECK(found.order[1].later == 2);
    // Rule 3 decides only ICMP, which the default drops as well.
    CHECK(found.rules[3].redundant);
    CHECK(found.rules[3].reason == analysis::redundancy::falls_through);
  }
}
