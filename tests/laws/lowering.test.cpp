// Laws linking the model to the header space, on random groups at real widths: lowering
// partitions the ordered rules by direction and family, a rule's box holds a packet's point iff
// the rule matches the packet (normalised or not), lowering preserves every decision, and the rule order depends on
// positions only.
#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <secgroup/secgroup.hpp>

#include "support/random_groups.hpp"

using namespace secgroup;
using secgroup_test::describe;
using secgroup_test::rng_type;

namespace {

constexpr int groups_per_law = 150;

/// The decision of the lowered policy of `p`'s direction and family, by linear first match.
decision decide_lowered(const security_group& g, const packet& p) {
  if (p.remote.af == family::v4)
    return secgroup_test::decide_linear(lower<family::v4>(g, p.direction), point_of<ipv4_space>(p));
  return secgroup_test::decide_linear(lower<family::v6>(g, p.direction), point_of<ipv6_space>(p));
}

template <family F>
void append_origins(const security_group& g, const std::vector<rule>& rules, direction d,
                    std::vector<int>& owners, int owner) {
  auto pol = lower<F>(g, d);
  REQUIRE(pol.default_action == g.default_policy(d));
  REQUIRE(pol.rules.size() == pol.origin.size());
  REQUIRE(std::is_sorted(pol.origin.begin(), pol.origin.end()));
  for (std::size_t i = 0; i < pol.rules.size(); ++i) {
    const auto k = pol.origin[i];
    REQUIRE(k < rules.size());
    const auto& r = rules[k];
    CHECK(r.direction == d);
    CHECK(r.ip_range.af() == F);
    CHECK(pol.rules[i].action == r.action);
    CHECK(pol.rules[i].match == box_of<space_of<F>>(r));
    CHECK(owners[k] == -1);
    owners[k] = owner;
  }
}

}  // namespace

TEST_CASE("law: lowering partitions the ordered rules by direction and family",
          "[laws][lowering]") {
  rng_type rng(61);
  for (int n = 0; n < groups_per_law; ++n) {
    const auto g = secgroup_test::random_group(rng);
    INFO("group " << n << ":\n" << describe(g));
    const auto rules = ordered_rules(g);
    std::vector<int> owners(rules.size(), -1);
    append_origins<family::v4>(g, rules, direction::inbound, owners, 0);
    append_origins<family::v6>(g, rules, direction::inbound, owners, 1);
    append_origins<family::v4>(g, rules, direction::outbound, owners, 2);
    append_origins<family::v6>(g, rules, direction::outbound, owners, 3);
    CHECK(std::count(owners.begin(), owners.end(), -1) == 0);  // every rule lands somewhere
  }
}

TEST_CASE("law: a rule's box holds a packet's point iff the rule matches the packet",
          "[laws][lowering]") {
  rng_type rng(62);
  std::size_t both = 0, checked = 0;
  for (int n = 0; n < groups_per_law; ++n) {
    const auto g = secgroup_test::random_group(rng);
    // The ordered (normalised) rules, and the rules as stored: ICMP/ANY rules may carry ports
    // there, which box_of must ignore just as matches() does.
    auto rules = ordered_rules(g);
    rules.insert(rules.end(), g.rules.begin(), g.rules.end());
    auto packets = secgroup_test::random_packets(rng, g, 300);
    for (const auto& r : rules)
      for (const auto& p : packets) {
        if (p.direction != r.direction || p.remote.af != r.ip_range.af()) {
          if (matches(r, p)) FAIL(to_string(r) << " matches " << to_string(p));
          continue;
        }
        bool in = r.ip_range.af() == family::v4
                      ? box_of<ipv4_space>(r).contains(point_of<ipv4_space>(p))
                      : box_of<ipv6_space>(r).contains(point_of<ipv6_space>(p));
        ++checked;
        both += in;
        if (in != matches(r, p))
          FAIL(to_string(r) << (in ? " holds " : " does not hold ") << to_string(p)
                            << " but matches() says " << matches(r, p));
      }
  }
  CHECK(checked > 10000);
  CHECK(both > 500);
}

TEST_CASE("law: lowering preserves every decision", "[laws][lowering][slow]") {
  rng_type rng(63);
  std::uint64_t checked = 0;
  for (int n = 0; n < groups_per_law; ++n) {
    const auto g = secgroup_test::random_group(rng);
    const reference_evaluator reference(g);
    auto packets = secgroup_test::random_packets(rng, g, 200);
    for (const auto& p : packets) {
      ++checked;
      const auto want = reference.evaluate(p), got = decide_lowered(g, p);
      if (!(want == got)) {
        INFO("group " << n << ":\n" << describe(g));
        FAIL(to_string(p) << ": lowered " << describe(got) << ", reference " << describe(want));
      }
    }
  }
  CHECK(checked == groups_per_law * 200u);  // every packet was decided both ways
}

TEST_CASE("law: rule order depends on positions, not on storage order", "[laws][lowering]") {
  rng_type rng(64);
  for (int n = 0; n < groups_per_law; ++n) {
    auto g = secgroup_test::random_group(rng);
    // Distinct positions: any storage order yields the same evaluation order.
    for (std::size_t i = 0; i < g.rules.size(); ++i)
      g.rules[i].position = static_cast<std::uint32_t>(secgroup_test::uniform(rng, 0, 1u << 20) * 64 + i);
    const auto before = ordered_rules(g);
    std::shuffle(g.rules.begin(), g.rules.end(), rng);
    CHECK(ordered_rules(g) == before);
    // Re-storing the evaluation order (user part) changes nothing either.
    auto again = g;
    again.rules.assign(before.begin() + (g.enable_default_security ? 6 : 0), before.end());
    CHECK(ordered_rules(again) == before);
    CHECK(ordered_rules(again).size() ==
          (g.enable_default_security ? 6u : 0u) +
              static_cast<std::size_t>(std::count_if(g.rules.begin(), g.rules.end(), [&](const rule& r) {
                return !(g.enable_default_security && is_default_rule(r));
              })));
  }
}
