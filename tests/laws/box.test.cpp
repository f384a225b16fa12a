// Laws of the box algebra (box.hpp, covers() in partition.hpp) and of policy::decision_of,
// checked against point membership (box::contains(point)) on every point of a tiny space.
// The random boxes are those of random policies with many empty spellings (empty masks,
// reversed address and port intervals), so the laws are exercised on empty boxes too.
#include <catch2/catch.hpp>
#include <cstdint>
#include <secgroup/box.hpp>
#include <secgroup/secgroup.hpp>
#include <string>
#include <vector>

#include "laws/law_check.hpp"
#include "support/random_groups.hpp"

using namespace secgroup;
using secgroup_test::rng_type;

// Everything in a named namespace: the suite may be compiled as one unit (SECGROUP_UNITY).
namespace box_laws {

using S = space<4, 3>;
const auto& points() {
  static const auto all = secgroup_test::all_points<S>();
  return all;
}

constexpr int pairs_per_law = 3000;

/// Random boxes, a third of them empty in some spelling.
std::vector<box<S>> random_boxes(rng_type& rng, std::size_t n) {
  secgroup_test::policy_options o;
  o.max_rules = 24;
  o.empty_percent = 12;
  std::vector<box<S>> out;
  while (out.size() < n)
    for (const auto& r : secgroup_test::random_policy<S>(rng, o).rules) out.push_back(r.match);
  out.resize(n);
  return out;
}

/// The points of `b`, as flags over points().
std::vector<char> members(const box<S>& b) {
  std::vector<char> out;
  for (const auto& x : points()) out.push_back(b.contains(x) ? 1 : 0);
  return out;
}

std::string describe(const box<S>& b) {
  secgroup::policy<S> pol;
  pol.rules.push_back({b, action::accept});
  pol.origin.push_back(0);
  return secgroup_test::describe(pol);
}

/// Counts a check in `law_checks`; a violation FAILs with the test case's `context()`.
#define LAW_CHECK(cond) SECGROUP_LAW_CHECK(cond, context())


TEST_CASE("law: interval intersection holds the common values", "[laws][box]") {
  std::uint64_t law_checks = 0;
  int empty = 0, non_empty = 0, both_non_empty = 0;
  for (std::uint32_t a = 0; a < 6; ++a)
    for (std::uint32_t b = 0; b < 6; ++b)
      for (std::uint32_t c = 0; c < 6; ++c)
        for (std::uint32_t d = 0; d < 6; ++d) {
          const interval<std::uint32_t> x{a, b}, y{c, d};
          auto context = [&] {
            return "[" + std::to_string(a) + ", " + std::to_string(b) + "] and [" +
                   std::to_string(c) + ", " + std::to_string(d) + "]";
          };
          const auto z = intersect(x, y);
          bool any = false;
          for (std::uint32_t v = 0; v < 6; ++v) {
            LAW_CHECK(z.contains(v) == (x.contains(v) && y.contains(v)));
            any = any || z.contains(v);
          }
          LAW_CHECK(z.empty() == !any);
          if (!x.empty() && !y.empty()) {
            LAW_CHECK(x.overlaps(y) == any);
            ++both_non_empty;
          }
          ++(any ? non_empty : empty);
        }
  CHECK(both_non_empty == 21 * 21);  // [0, 5] has 21 non-empty intervals
  CHECK(law_checks == 6 * 6 * 6 * 6 * 7 + 21 * 21);
  CHECK(empty > 900);
  CHECK(non_empty > 200);
}

TEST_CASE("law: intersect, meets, contains and volume agree with the points", "[laws][box]") {
  const std::uint64_t seed = 71;
  rng_type rng(seed);
  const auto boxes = random_boxes(rng, 2 * pairs_per_law);
  std::uint64_t law_checks = 0;
  int met = 0, apart = 0, inside = 0, inside_non_empty = 0, outside = 0, empty = 0;
  for (std::size_t n = 0; n + 1 < boxes.size(); n += 2) {
    const auto& a = boxes[n];
    const auto& b = boxes[n + 1];
    auto context = [&] {
      return "seed " + std::to_string(seed) + ", pair " + std::to_string(n / 2) + ":\n" +
             describe(a) + "\n" + describe(b);
    };
    const auto in_a = members(a), in_b = members(b), in_both = members(intersect(a, b));
    bool common = false, a_in_b = true, b_in_a = true;
    long double count = 0;
    for (std::size_t k = 0; k < in_a.size(); ++k) {
      LAW_CHECK(in_both[k] == (in_a[k] && in_b[k]));
      common = common || in_both[k];
      a_in_b = a_in_b && (!in_a[k] || in_b[k]);
      b_in_a = b_in_a && (!in_b[k] || in_a[k]);
      count += in_a[k];
    }
    LAW_CHECK(meets(a, b) == common);
    LAW_CHECK(meets(b, a) == common);
    LAW_CHECK(contains(b, a) == a_in_b);
    LAW_CHECK(contains(a, b) == b_in_a);
    LAW_CHECK(volume(a) == count);
    ++(common ? met : apart);
    ++(a_in_b ? inside : outside);
    if (a_in_b && count > 0) ++inside_non_empty;
    if (count == 0) ++empty;
  }
  CHECK(law_checks == pairs_per_law * (points().size() + 5));
  // Guards against passing vacuously: every outcome occurs often.
  CHECK(met > 300);
  CHECK(apart > 300);
  CHECK(inside_non_empty > 100);
  CHECK(outside > 300);
  CHECK(empty > 100);
}

TEST_CASE("law: volume counts the points of IPv6 boxes", "[laws][box]") {
  using V6 = ipv6_space;
  // All of the space: 2^128 addresses, each with 2 × 65536 ports plus ICMP and OTHER.
  const long double addresses = 340282366920938463463374607431768211456.0L;
  CHECK(volume(box<V6>{}) == addresses * (2 * 65536.0L + 2));
  // Classes without ports ignore a reversed port interval.
  box<V6> portless{mask_of(proto_class::icmp), {uint128{1, 0}, uint128{1, 9}}, {5, 4}};
  CHECK(volume(portless) == 10);
  portless.protocols = mask_of(proto_class::tcp);
  CHECK(volume(portless) == 0);
  CHECK(volume(box<V6>{all_protocols, {uint128{2, 0}, uint128{1, 0}}, {0, 65535}}) == 0);
}

TEST_CASE("law: covers holds iff the union holds every point", "[laws][box]") {
  const std::uint64_t seed = 72;
  constexpr int cases = 1000;
  rng_type rng(seed);
  std::uint64_t law_checks = 0;
  int covered = 0, uncovered = 0;
  for (int n = 0; n < cases; ++n) {
    const auto target = random_boxes(rng, 1).front();
    auto cover = random_boxes(rng, secgroup_test::uniform(rng, 0, 4));
    switch (secgroup_test::uniform(rng, 0, 2)) {
      case 0:  // random boxes
        break;
      case 1:  // pieces of the target
        for (auto& b : cover) b = intersect(b, target);
        break;
      default: {  // the target cut in two along the addresses, maybe with a piece missing
        const auto& a = target.addresses;
        if (a.empty()) break;
        const auto cut = static_cast<std::uint32_t>(secgroup_test::uniform(rng, a.lo, a.hi));
        auto low = target, high = target;
        low.addresses.hi = cut;
        high.addresses.lo = cut + 1;
        if (!secgroup_test::chance(rng, 20)) cover.push_back(low);
        if (!secgroup_test::chance(rng, 20)) cover.push_back(high);
      }
    }
    std::vector<char> in_union(points().size(), 0);
    for (const auto& b : cover) {
      const auto in_b = members(b);
      for (std::size_t k = 0; k < in_b.size(); ++k) in_union[k] = in_union[k] || in_b[k];
    }
    const auto in_target = members(target);
    bool all = true;
    for (std::size_t k = 0; k < in_target.size(); ++k) all = all && (!in_target[k] || in_union[k]);
    auto context = [&] {
      std::string out = "seed " + std::to_string(seed) + ", case " + std::to_string(n) +
                        ": target\n" + describe(target) + "\ncover";
      for (const auto& b : cover) out += "\n" + describe(b);
      return out;
    };
    LAW_CHECK(covers(cover, target) == all);
    ++(all && volume(target) > 0 ? covered : uncovered);
  }
  CHECK(law_checks == cases);
  CHECK(covered > 100);
  CHECK(uncovered > 300);
}

TEST_CASE("law: decision_of maps a rule index to the group's decision", "[laws][box]") {
  const std::uint64_t seed = 73;
  constexpr int policies = 200;
  rng_type rng(seed);
  std::uint64_t law_checks = 0;
  int by_default = 0, by_rule = 0;
  for (int n = 0; n < policies; ++n) {
    const auto pol = secgroup_test::random_policy<S>(rng);
    auto context = [&] {
      return "seed " + std::to_string(seed) + ", policy " + std::to_string(n) + ":\n" +
             secgroup_test::describe(pol);
    };
    for (const auto& x : points()) {
      const auto i = first_match(pol, x);
      const auto d = pol.decision_of(i);
      LAW_CHECK(d == secgroup_test::decide_linear(pol, x));
      LAW_CHECK(pol.action_of(i) == d.action);
      LAW_CHECK(pol.origin_of(i) == d.rule);
      ++(d.by_default() ? by_default : by_rule);
    }
  }
  CHECK(law_checks == policies * 3 * points().size());
  CHECK(by_default > 1000);
  CHECK(by_rule > 1000);
}

#undef LAW_CHECK

}  // namespace box_laws
