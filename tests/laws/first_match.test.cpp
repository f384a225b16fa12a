// Laws of first-match evaluation, checked on every point of tiny spaces. Each law is stated for
// the linear first_match (the semantics) and re-checked on decision_map and compiled_policy (the
// fast paths), so a fast path that breaks a law fails here even where the oracle agrees.
#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <secgroup/secgroup.hpp>

#include "laws/law_check.hpp"
#include "support/random_groups.hpp"

using namespace secgroup;
using secgroup_test::describe;
using secgroup_test::rng_type;

namespace {

using S = space<4, 3>;
const auto& points() {
  static const auto all = secgroup_test::all_points<S>();
  return all;
}

constexpr int policies_per_law = 400;

/// first_match of every point.
std::vector<std::uint32_t> first_matches(const policy<S>& pol) {
  std::vector<std::uint32_t> out;
  for (const auto& x : points()) out.push_back(first_match(pol, x));
  return out;
}

/// The decision of every point by each engine: {linear, decision_map, compiled}.
std::vector<std::vector<decision>> decisions(const policy<S>& pol) {
  std::vector<std::vector<decision>> out(3);
  const decision_map<S> map(pol);
  const compiled_policy<S> compiled(pol, map.parts());
  for (const auto& x : points()) {
    out[0].push_back(secgroup_test::decide_linear(pol, x));
    auto i = map.find(x);
    out[1].push_back(i == decision::no_rule ? decision{pol.default_action, i}
                                            : decision{pol.rules[i].action, pol.origin[i]});
    out[2].push_back(compiled.find(x));
  }
  return out;
}

/// Returns the policy without rule `i`, or with rule `i` moved to index `to` (of the result).
policy<S> without(policy<S> pol, std::size_t i) {
  pol.rules.erase(pol.rules.begin() + static_cast<std::ptrdiff_t>(i));
  pol.origin.erase(pol.origin.begin() + static_cast<std::ptrdiff_t>(i));
  return pol;
}
policy<S> moved(const policy<S>& pol, std::size_t i, std::size_t to) {
  auto out = without(pol, i);
  out.rules.insert(out.rules.begin() + static_cast<std::ptrdiff_t>(to), pol.rules[i]);
  out.origin.insert(out.origin.begin() + static_cast<std::ptrdiff_t>(to), pol.origin[i]);
  return out;
}

/// A box holding every point.
box_rule<S> catch_all(action a) { return {box<S>{}, a}; }

/// Indices of the rules that decide no point.
std::vector<std::size_t> dead_rules(const policy<S>& pol) {
  std::vector<char> live(pol.rules.size(), 0);
  for (auto i : first_matches(pol))
    if (i != decision::no_rule) live[i] = 1;
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < live.size(); ++i)
    if (!live[i]) out.push_back(i);
  return out;
}

/// Counts a check in `law_checks`; a violation FAILs, naming the seed and the policy.
#define LAW_CHECK(cond) \
  SECGROUP_LAW_CHECK(cond, "seed " << seed << ", policy " << n << ":\n" << describe(pol))

}  // namespace

TEST_CASE("law: first_match of a concatenation", "[laws][first_match]") {
  const std::uint64_t seed = 31;
  rng_type rng(seed);
  std::uint64_t law_checks = 0;
  for (int n = 0; n < policies_per_law; ++n) {
    auto pol = secgroup_test::random_policy<S>(rng);
    auto second = secgroup_test::random_policy<S>(rng);
    auto both = pol;
    both.rules.insert(both.rules.end(), second.rules.begin(), second.rules.end());
    both.origin.insert(both.origin.end(), second.origin.begin(), second.origin.end());
    const auto offset = static_cast<std::uint32_t>(pol.rules.size());
    for (const auto& x : points()) {
      auto a = first_match(pol, x), b = first_match(second, x);
      auto expected = a != decision::no_rule ? a : b == decision::no_rule ? b : b + offset;
      LAW_CHECK(first_match(both, x) == expected);
    }
    // The fast paths see the same concatenation.
    const auto engines = decisions(both);
    LAW_CHECK(engines[1] == engines[0]);
    LAW_CHECK(engines[2] == engines[0]);
  }
  CHECK(law_checks == policies_per_law * (points().size() + 2));
}

TEST_CASE("law: first_match of a prefix", "[laws][first_match]") {
  const std::uint64_t seed = 32;
  rng_type rng(seed);
  std::uint64_t law_checks = 0;
  for (int n = 0; n < policies_per_law; ++n) {
    auto pol = secgroup_test::random_policy<S>(rng);
    auto k = secgroup_test::uniform(rng, 0, pol.rules.size());
    auto prefix = pol;
    prefix.rules.resize(k);
    prefix.origin.resize(k);
    auto full = first_matches(pol), cut = first_matches(prefix);
    for (std::size_t j = 0; j < full.size(); ++j)
      LAW_CHECK(cut[j] == (full[j] < k ? full[j] : decision::no_rule));
  }
  CHECK(law_checks == policies_per_law * points().size());
}

TEST_CASE("law: rules after a catch-all change nothing", "[laws][first_match]") {
  const std::uint64_t seed = 33;
  rng_type rng(seed);
  std::uint64_t law_checks = 0;
  for (int n = 0; n < policies_per_law; ++n) {
    auto pol = secgroup_test::random_policy<S>(rng);
    pol.rules.push_back(catch_all(secgroup_test::chance(rng, 50) ? action::accept : action::drop));
    pol.origin.push_back(pol.origin.empty() ? 0 : pol.origin.back() + 1);
    const auto before = decisions(pol);
    auto extended = pol;
    auto tail = secgroup_test::random_policy<S>(rng);
    for (std::size_t i = 0; i < tail.rules.size(); ++i) {
      extended.rules.push_back(tail.rules[i]);
      extended.origin.push_back(extended.origin.back() + 1);
    }
    extended.default_action = !pol.default_action;  // never reached either
    const auto after = decisions(extended);
    for (int engine = 0; engine < 3; ++engine) LAW_CHECK(after[engine] == before[0]);
    for (const auto& d : before[0]) LAW_CHECK(!d.by_default());
  }
  CHECK(law_checks == policies_per_law * (3 + points().size()));
}

TEST_CASE("law: removing or postponing a dead rule changes no decision", "[laws][first_match]") {
  const std::uint64_t seed = 34;
  rng_type rng(seed);
  std::uint64_t law_checks = 0;
  std::uint64_t dead_seen = 0;
  secgroup_test::policy_options options;
  options.max_rules = 14;
  for (int n = 0; n < policies_per_law; ++n) {
    auto pol = secgroup_test::random_policy<S>(rng, options);
    const auto before = decisions(pol)[0];
    for (auto i : dead_rules(pol)) {
      ++dead_seen;
      const auto removed = decisions(without(pol, i));
      for (int engine = 0; engine < 3; ++engine) LAW_CHECK(removed[engine] == before);
      // Any later position keeps it dead (an earlier one need not: it may then decide).
      auto to = secgroup_test::uniform(rng, i, pol.rules.size() - 1);
      const auto later = decisions(moved(pol, i, to));
      for (int engine = 0; engine < 3; ++engine) LAW_CHECK(later[engine] == before);
    }
  }
  CHECK(dead_seen > 100);  // the law was exercised
  CHECK(law_checks == 6 * dead_seen);
}

TEST_CASE("law: a rule repeated right after itself is dead", "[laws][first_match]") {
  const std::uint64_t seed = 35;
  rng_type rng(seed);
  std::uint64_t law_checks = 0, repeated = 0;
  for (int n = 0; n < policies_per_law; ++n) {
    auto pol = secgroup_test::random_policy<S>(rng);
    if (pol.rules.empty()) continue;
    ++repeated;
    auto i = secgroup_test::uniform(rng, 0, pol.rules.size() - 1);
    auto twice = pol;
    twice.rules.insert(twice.rules.begin() + static_cast<std::ptrdiff_t>(i) + 1, pol.rules[i]);
    twice.origin.insert(twice.origin.begin() + static_cast<std::ptrdiff_t>(i) + 1, 999);
    auto dead = dead_rules(twice);
    LAW_CHECK(std::find(dead.begin(), dead.end(), i + 1) != dead.end());
    LAW_CHECK(decisions(twice)[2] == decisions(pol)[0]);
  }
  CHECK(repeated > policies_per_law / 2u);
  CHECK(law_checks == 2 * repeated);
}

TEST_CASE("law: swapping adjacent disjoint or same-action rules keeps every action",
          "[laws][first_match]") {
  const std::uint64_t seed = 36;
  rng_type rng(seed);
  std::uint64_t law_checks = 0;
  std::uint64_t swaps = 0;
  for (int n = 0; n < policies_per_law; ++n) {
    auto pol = secgroup_test::random_policy<S>(rng);
    const auto x0 = decisions(pol)[0];
    for (std::size_t i = 0; i + 1 < pol.rules.size(); ++i) {
      const auto &a = pol.rules[i], &b = pol.rules[i + 1];
      bool disjoint = std::none_of(points().begin(), points().end(), [&](const point<S>& x) {
        return a.match.contains(x) && b.match.contains(x);
      });
      if (!disjoint && a.action != b.action) continue;
      ++swaps;
      auto swapped = moved(pol, i, i + 1);
      const auto x1 = decisions(swapped);
      for (int engine = 0; engine < 3; ++engine)
        for (std::size_t j = 0; j < x0.size(); ++j) {
          LAW_CHECK(x1[engine][j].action == x0[j].action);
          // Disjoint boxes: even the deciding rule is the same.
          if (disjoint) LAW_CHECK(x1[engine][j] == x0[j]);
        }
    }
  }
  CHECK(swaps > 100);
  CHECK(law_checks >= 3 * swaps * points().size());  // and one more per point of a disjoint pair
}

TEST_CASE("law: the default action decides exactly the unmatched points", "[laws][first_match]") {
  const std::uint64_t seed = 37;
  rng_type rng(seed);
  std::uint64_t law_checks = 0;
  for (int n = 0; n < policies_per_law; ++n) {
    auto pol = secgroup_test::random_policy<S>(rng);
    auto flipped = pol;
    flipped.default_action = !pol.default_action;
    auto x0 = decisions(pol), x1 = decisions(flipped);
    for (int engine = 0; engine < 3; ++engine)
      for (std::size_t j = 0; j < x0[0].size(); ++j) {
        bool unmatched = x0[0][j].by_default();
        LAW_CHECK(x1[engine][j].rule == x0[0][j].rule);
        LAW_CHECK((x1[engine][j].action != x0[0][j].action) == unmatched);
      }
  }
  CHECK(law_checks == policies_per_law * 3 * 2 * points().size());
}

TEST_CASE("law: a box holds a point iff first_match of the one-rule policy finds it",
          "[laws][first_match]") {
  const std::uint64_t seed = 38;
  rng_type rng(seed);
  std::uint64_t law_checks = 0, rules = 0;
  for (int n = 0; n < policies_per_law; ++n) {
    auto pol = secgroup_test::random_policy<S>(rng);
    for (const auto& r : pol.rules) {
      ++rules;
      policy<S> one;
      one.rules = {r};
      one.origin = {0};
      const decision_map<S> map(one);
      for (const auto& x : points()) {
        // Independent reading of box::contains: protocol bit, address and (for TCP/UDP) port.
        bool in = (r.match.protocols >> static_cast<unsigned>(x.protocol) & 1) &&
                  r.match.addresses.lo <= x.address && x.address <= r.match.addresses.hi &&
                  (!has_ports(x.protocol) || (r.match.ports.lo <= x.port && x.port <= r.match.ports.hi));
        LAW_CHECK(r.match.contains(x) == in);
        LAW_CHECK((map.find(x) == 0) == in);
      }
    }
  }
  CHECK(rules > static_cast<std::uint64_t>(policies_per_law));
  CHECK(law_checks == 2 * rules * points().size());
}

#undef LAW_CHECK
