// detail::box_index (the index of boxes behind the anomaly pairs and blocking sets) against
// the scan it replaces: for every rule of random policies, the earlier indexed rules whose box
// meets it, by meets() on each, in the same (ascending) order.
#include <catch2/catch.hpp>
#include <secgroup/detail/box_index.hpp>
#include <secgroup/secgroup.hpp>
#include <string>
#include <vector>

#include "support/random_groups.hpp"
#include "support/scale.hpp"

namespace box_index_test {

using namespace secgroup;
using secgroup_test::rng_type;

/// The former scan: the rules below `end` kept by `listed` whose box meets `b`, ascending.
template <class S, class Listed>
std::vector<std::uint32_t> scan(const policy<S>& pol, const box<S>& b, std::uint32_t end,
                                Listed&& listed) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t i = 0; i < end; ++i)
    if (listed(i) && meets(pol.rules[i].match, b)) out.push_back(i);
  return out;
}

/// Compares the index with the scan on `policies` random policies of up to `max_rules` rules,
/// for every rule as the query, below it and over the whole policy; half the indices list only
/// the accept rules (as the pairs' indices list one action). Returns the queries that found
/// something, so that the test can check it was not vacuous.
template <class S>
std::size_t compare(std::uint64_t seed, int policies, std::size_t max_rules) {
  rng_type rng(seed);
  secgroup_test::policy_options options;
  options.max_rules = max_rules;
  std::size_t found = 0;
  std::vector<std::uint32_t> got;
  policies = secgroup_test::scaled(policies);
  for (int n = 0; n < policies; ++n) {
    const auto pol = secgroup_test::random_policy<S>(rng, options);
    const auto rules = static_cast<std::uint32_t>(pol.rules.size());
    const bool accepts_only = n % 2 == 1;
    auto listed = [&](std::uint32_t i) {
      return !accepts_only || pol.rules[i].action == action::accept;
    };
    secgroup::detail::box_index<S> index;
    for (std::uint32_t i = 0; i < rules; ++i)
      if (listed(i)) index.add(i, pol.rules[i].match);
    index.build();
    for (std::uint32_t j = 0; j < rules; ++j)
      for (auto end : {j, rules}) {
        const auto& b = pol.rules[j].match;
        index.meeting(b, end, got);
        const auto want = scan(pol, b, end, listed);
        if (got != want) {
          INFO("seed " << seed << ", policy " << n << ", rule " << j << ", end " << end << ":\n"
                       << secgroup_test::describe(pol));
          CHECK(got == want);
          return found;
        }
        found += !got.empty();
      }
  }
  return found;
}

}  // namespace box_index_test

TEST_CASE("box_index: the rules meeting a box, as the scan finds them",
          "[analysis][anomalies][box_index]") {
  using box_index_test::compare;
  using secgroup::space;
  SECTION("space<4,3>, up to 60 rules") { CHECK((compare<space<4, 3>>(1401, 200, 60) > 0)); }
  SECTION("space<3,2>") { CHECK((compare<space<3, 2>>(1402, 200, 30) > 0)); }
  SECTION("IPv4, up to 300 rules") { CHECK(compare<secgroup::ipv4_space>(1403, 60, 300) > 0); }
  SECTION("IPv6, up to 300 rules") { CHECK(compare<secgroup::ipv6_space>(1404, 40, 300) > 0); }
}
