// Laws of the decision map, checked exhaustively on tiny spaces: its regions tile the space, are
// the level sets of first_match cut into boxes, and depend on nothing but the first-match
// function (dead rules, rules after a catch-all and re-lowering the regions leave them unchanged).
#include <algorithm>
#include <map>
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

template <class S>
std::vector<region<S>> regions_of(const decision_map<S>& map) {
  std::vector<region<S>> out;
  map.for_each_region([&](const region<S>& r) { out.push_back(r); });
  return out;
}

template <class S>
std::vector<region<S>> regions_of(const policy<S>& pol) {
  return regions_of(decision_map<S>(pol));
}

/// The regions with every rule index i replaced by f(i) (no_rule stays).
template <class S, class F>
std::vector<region<S>> relabel(std::vector<region<S>> rs, F&& f) {
  for (auto& r : rs)
    if (r.rule != decision::no_rule) r.rule = f(r.rule);
  return rs;
}

template <class S>
std::string text(const std::vector<region<S>>& rs) {
  std::string out;
  for (const auto& r : rs)
    out += std::string(to_string(r.protocol)) + " a=[" + std::to_string(r.addresses.lo) + "," +
           std::to_string(r.addresses.hi) + "] p=[" + std::to_string(r.ports.lo) + "," +
           std::to_string(r.ports.hi) + "] -> " +
           (r.rule == decision::no_rule ? std::string("default") : std::to_string(r.rule)) + "\n";
  return out;
}

template <class S>
std::vector<char> live_rules(const policy<S>& pol) {
  std::vector<char> live(pol.rules.size(), 0);
  for (const auto& x : secgroup_test::all_points<S>())
    if (auto i = first_match(pol, x); i != decision::no_rule) live[i] = 1;
  return live;
}

/// Counts a check in `law_checks`; a violation FAILs, naming the seed and the policy and
/// showing both region lists.
#define LAW_REQUIRE_EQUAL(a, b)                                                            \
  SECGROUP_LAW_CHECK((a) == (b), "seed " << seed << ", policy " << n << ":\n"             \
                                         << describe(pol) << "left:\n"                    \
                                         << text(a) << "right:\n"                         \
                                         << text(b))

template <class S>
void law_tiling(std::uint64_t seed, int count) {
  rng_type rng(seed);
  for (int n = 0; n < count; ++n) {
    const auto pol = secgroup_test::random_policy<S>(rng);
    std::uint64_t total = 0;
    bool level_sets = true;
    for (const auto& r : regions_of(pol)) {
      for (auto p = r.ports.lo; p <= r.ports.hi; ++p)
        for (auto a = r.addresses.lo; a <= r.addresses.hi; ++a) {
          ++total;
          level_sets = level_sets && first_match(pol, point<S>{r.protocol, a, p}) == r.rule;
        }
    }
    INFO("seed " << seed << ", policy " << n << ":\n" << describe(pol));
    REQUIRE(total == secgroup_test::point_count<S>());
    REQUIRE(level_sets);
  }
}

template <class S>
void law_deterministic(std::uint64_t seed, int count) {
  rng_type rng(seed);
  std::uint64_t law_checks = 0;
  for (int n = 0; n < count; ++n) {
    const auto pol = secgroup_test::random_policy<S>(rng);
    const auto once = regions_of(pol);
    const auto twice = regions_of(pol);
    LAW_REQUIRE_EQUAL(once, twice);
    const decision_map<S> map(pol);
    const compiled_policy<S> a(pol, map.parts()), b(pol);
    REQUIRE(map.map_count() == decision_map<S>(pol).map_count());
    for (const auto& x : secgroup_test::all_points<S>()) REQUIRE(a.find(x) == b.find(x));
  }
  CHECK(law_checks == static_cast<std::uint64_t>(count));
}

template <class S>
void law_fixed_point(std::uint64_t seed, int count) {
  rng_type rng(seed);
  std::uint64_t law_checks = 0;
  for (int n = 0; n < count; ++n) {
    const auto pol = secgroup_test::random_policy<S>(rng);
    const auto regions = regions_of(pol);
    // One disjoint box per decided region, in region order; origin = the original rule.
    policy<S> again;
    again.default_action = pol.default_action;
    for (const auto& r : regions) {
      if (r.rule == decision::no_rule) continue;
      box<S> b;
      b.protocols = mask_of(r.protocol);
      b.addresses = r.addresses;
      b.ports = has_ports(r.protocol) ? r.ports : interval<typename S::port_type>{0, S::max_port};
      again.rules.push_back({b, pol.rules[r.rule].action});
      again.origin.push_back(r.rule);
    }
    const auto back = relabel(regions_of(again), [&](std::uint32_t i) { return again.origin[i]; });
    LAW_REQUIRE_EQUAL(back, regions);
    // The region policy decides every point as the original does (any rule order would do).
    std::reverse(again.rules.begin(), again.rules.end());
    std::reverse(again.origin.begin(), again.origin.end());
    const compiled_policy<S> c(again);
    for (const auto& x : secgroup_test::all_points<S>()) {
      const auto i = first_match(pol, x);
      const decision expected = i == decision::no_rule ? decision{pol.default_action, i}
                                                       : decision{pol.rules[i].action, i};
      REQUIRE(c.find(x) == expected);
    }
  }
  CHECK(law_checks == static_cast<std::uint64_t>(count));
}

template <class S>
void law_dead_rules(std::uint64_t seed, int count) {
  rng_type rng(seed);
  secgroup_test::policy_options options;
  options.max_rules = 14;
  std::uint64_t law_checks = 0, dead = 0;
  for (int n = 0; n < count; ++n) {
    const auto pol = secgroup_test::random_policy<S>(rng, options);
    const auto regions = regions_of(pol);
    const auto live = live_rules(pol);
    // The regions name exactly the live rules.
    std::vector<char> named(pol.rules.size(), 0);
    for (const auto& r : regions)
      if (r.rule != decision::no_rule) named[r.rule] = 1;
    REQUIRE(named == live);
    for (std::size_t i = 0; i < live.size(); ++i) {
      if (live[i]) continue;
      ++dead;
      auto smaller = pol;
      smaller.rules.erase(smaller.rules.begin() + static_cast<std::ptrdiff_t>(i));
      smaller.origin.erase(smaller.origin.begin() + static_cast<std::ptrdiff_t>(i));
      const auto shifted = relabel(regions_of(smaller), [&](std::uint32_t j) {
        return j >= i ? j + 1 : j;
      });
      LAW_REQUIRE_EQUAL(shifted, regions);
    }
  }
  CHECK(dead > 50);
  CHECK(law_checks == dead);
}

template <class S>
void law_catch_all(std::uint64_t seed, int count) {
  rng_type rng(seed);
  std::uint64_t law_checks = 0;
  for (int n = 0; n < count; ++n) {
    auto pol = secgroup_test::random_policy<S>(rng);
    pol.rules.push_back({box<S>{}, action::drop});
    pol.origin.push_back(1000);
    auto longer = pol;
    auto tail = secgroup_test::random_policy<S>(rng);
    longer.rules.insert(longer.rules.end(), tail.rules.begin(), tail.rules.end());
    longer.origin.insert(longer.origin.end(), tail.origin.begin(), tail.origin.end());
    const auto regions = regions_of(pol);
    LAW_REQUIRE_EQUAL(regions_of(longer), regions);
    for (const auto& r : regions) REQUIRE(r.rule != decision::no_rule);
  }
  CHECK(law_checks == static_cast<std::uint64_t>(count));
}

template <class S>
void law_class_independence(std::uint64_t seed, int count) {
  rng_type rng(seed);
  std::uint64_t law_checks = 0;
  for (int n = 0; n < count; ++n) {
    const auto pol = secgroup_test::random_policy<S>(rng);
    const auto regions = regions_of(pol);
    for (auto c : all_proto_classes) {
      // Only the rules holding class c shape the regions of c.
      policy<S> only;
      std::vector<std::uint32_t> index;
      for (std::size_t i = 0; i < pol.rules.size(); ++i)
        if (pol.rules[i].match.protocols & mask_of(c)) {
          only.rules.push_back(pol.rules[i]);
          only.origin.push_back(pol.origin[i]);
          index.push_back(static_cast<std::uint32_t>(i));
        }
      auto of_class = [&](const std::vector<region<S>>& rs) {
        std::vector<region<S>> out;
        for (const auto& r : rs)
          if (r.protocol == c) out.push_back(r);
        return out;
      };
      const auto mapped = relabel(of_class(regions_of(only)), [&](std::uint32_t j) { return index[j]; });
      LAW_REQUIRE_EQUAL(mapped, of_class(regions));
    }
  }
  CHECK(law_checks == proto_class_count * static_cast<std::uint64_t>(count));
}

}  // namespace

TEST_CASE("law: regions tile the space and are level sets of first_match", "[laws][regions]") {
  law_tiling<space<3, 2>>(41, 500);
  law_tiling<space<4, 3>>(42, 300);
}

TEST_CASE("law: building a decision map is deterministic", "[laws][regions]") {
  law_deterministic<space<4, 3>>(43, 200);
}

TEST_CASE("law: re-lowering the regions gives the same regions", "[laws][regions]") {
  law_fixed_point<space<3, 2>>(44, 400);
  law_fixed_point<space<4, 3>>(45, 300);
  law_fixed_point<space<2, 10>>(46, 40);
}

TEST_CASE("law: dead rules leave the regions unchanged", "[laws][regions]") {
  law_dead_rules<space<3, 2>>(47, 300);
  law_dead_rules<space<4, 3>>(48, 200);
}

TEST_CASE("law: rules after a catch-all leave the regions unchanged", "[laws][regions]") {
  law_catch_all<space<4, 3>>(49, 300);
}

TEST_CASE("law: the regions of a class depend only on the rules holding it", "[laws][regions]") {
  law_class_independence<space<3, 2>>(50, 300);
  law_class_independence<space<4, 3>>(51, 200);
}
