// Laws of the port sweep (detail/port_sweep.hpp), the machinery under the anomaly analysis,
// checked on every point of a tiny space: the boxes it reports as a rule's effective region
// are disjoint and hold exactly the points the rule decides; the (first, second) pairs it
// reports are exactly those of the points; each opposite box lies in its rule's box and is
// decided with the other action, and a rule has one in a protocol class iff some point of its
// box in that class is decided with the other action.
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <secgroup/detail/port_sweep.hpp>
#include <secgroup/secgroup.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "laws/law_check.hpp"
#include "support/random_groups.hpp"

using namespace secgroup;
using secgroup_test::rng_type;

// Everything in a named namespace: the suite may be compiled as one unit (SECGROUP_UNITY).
namespace port_sweep_laws {

using S = space<4, 3>;

/// The first two rules of `pol` holding point `x`, or decision::no_rule.
std::pair<std::uint32_t, std::uint32_t> first_two(const policy<S>& pol, const point<S>& x) {
  std::pair<std::uint32_t, std::uint32_t> out{decision::no_rule, decision::no_rule};
  for (std::uint32_t i = 0; i < pol.rules.size(); ++i) {
    if (!pol.rules[i].match.contains(x)) continue;
    if (out.first == decision::no_rule) {
      out.first = i;
    } else {
      out.second = i;
      break;
    }
  }
  return out;
}

/// What the sweep reported for one protocol class.
struct recorder {
  std::set<std::pair<std::uint32_t, std::uint32_t>> pairs;
  std::map<std::uint32_t, std::vector<box<S>>> regions, opposites;
  void owners(std::uint32_t first, std::uint32_t second) { pairs.insert({first, second}); }
  void region(std::uint32_t rule, const box<S>& b) { regions[rule].push_back(b); }
  void opposite(std::uint32_t rule, const box<S>& b) { opposites[rule].push_back(b); }
};

TEST_CASE("law: the port sweep reports each rule's effective region, owner pairs and opposites",
          "[laws][port_sweep]") {
  const std::uint64_t seed = 82;
  constexpr int policies = 400;
  rng_type rng(seed);
  std::uint64_t law_checks = 0, expected = 0, points = 0, opposite_rules = 0, merged = 0;
  const auto every_point = secgroup_test::all_points<S>();
  for (int n = 0; n < policies; ++n) {
    const auto pol = secgroup_test::random_policy<S>(rng);
    auto context = [&] {
      return "seed " + std::to_string(seed) + ", policy " + std::to_string(n) + ":\n" +
             secgroup_test::describe(pol);
    };
#define LAW_CHECK(cond) SECGROUP_LAW_CHECK(cond, context())
    detail::port_sweep<S> sweep(pol);
    for (auto c : all_proto_classes) {
      recorder r;
      sweep.sweep(c, {.regions = true, .opposites = true}, r);
      std::set<std::pair<std::uint32_t, std::uint32_t>> pairs;
      std::set<std::uint32_t> contradicted;
      for (const auto& x : every_point) {
        if (x.protocol != c) continue;
        ++points;
        const auto [first, second] = first_two(pol, x);
        if (first != decision::no_rule) pairs.insert({first, second});
        // The boxes of every rule holding x: x lies in one box of its first rule, none other.
        std::size_t in_first = 0, in_others = 0;
        for (const auto& [rule, boxes] : r.regions)
          for (const auto& b : boxes) (rule == first ? in_first : in_others) += b.contains(x);
        LAW_CHECK(in_first == (first == decision::no_rule ? 0u : 1u) && in_others == 0);
        ++expected;
        for (std::uint32_t i = 0; i < pol.rules.size(); ++i)
          if (pol.rules[i].match.contains(x) && pol.action_of(first) != pol.rules[i].action)
            contradicted.insert(i);
      }
      LAW_CHECK(r.pairs == pairs);
      recorder bare;  // owner pairs alone: the same pairs, nothing else
      sweep.sweep(c, {.regions = false, .opposites = false}, bare);
      LAW_CHECK(bare.pairs == pairs && bare.regions.empty() && bare.opposites.empty());
      expected += 2;
      for (const auto& [rule, boxes] : r.regions)
        for (const auto& b : boxes) {
          LAW_CHECK(b.protocols == mask_of(c) && !b.addresses.empty() && !b.ports.empty());
          ++expected;
          merged += b.ports.lo < b.ports.hi;
        }
      std::set<std::uint32_t> reported;
      for (const auto& [rule, boxes] : r.opposites) {
        reported.insert(rule);
        for (const auto& b : boxes)
          for (const auto& x : every_point)
            if (b.contains(x)) {
              LAW_CHECK(pol.rules[rule].match.contains(x) &&
                        pol.action_of(first_two(pol, x).first) != pol.rules[rule].action);
              ++expected;
            }
      }
      LAW_CHECK(reported == contradicted);
      ++expected;
      opposite_rules += contradicted.size();
    }
#undef LAW_CHECK
  }
  CHECK(points == policies * every_point.size());
  CHECK(law_checks == expected);
  // The random policies exercise what the laws speak of.
  CHECK(opposite_rules > 1000);
  CHECK(merged > 1000);  // boxes spanning several ports
}

}  // namespace port_sweep_laws
