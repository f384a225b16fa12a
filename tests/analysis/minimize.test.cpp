// minimal_rules (one painting and a sweep from the last rule up) against its former
// implementation (rounds, each repainting the whole policy and removing falls-through rules from
// the last one down until one has a removed second owner), on random policies of small spaces
// and on the lowered policies of random groups; and the index of its rules (index_rules, a
// detail::box_index) against a scan of every rule. diff.test.cpp checks minimal_rules against brute force on every point; timings
// are in bench/growth.bench.cpp and bench/analysis.bench.cpp, not here.
#include <algorithm>
#include <catch2/catch.hpp>
#include <secgroup/analysis.hpp>
#include <secgroup/secgroup.hpp>
#include <string>
#include <vector>

#include "support/random_groups.hpp"

namespace minimize_test {

using namespace secgroup;
using secgroup_test::rng_type;

/// The former minimal_rules, verbatim but for names: rounds of a full painting.
template <class S>
std::vector<std::uint32_t> minimal_by_rounds(const policy<S>& pol,
                                             const std::vector<bool>& removable) {
  std::vector<std::uint32_t> kept(pol.rules.size());
  for (std::uint32_t i = 0; i < kept.size(); ++i) kept[i] = i;
  for (;;) {
    policy<S> current;
    current.default_action = pol.default_action;
    for (auto i : kept) {
      current.rules.push_back(pol.rules[i]);
      current.origin.push_back(i);
    }
    const auto painted = analysis::detail::paint(current, false);
    const auto count = static_cast<std::uint32_t>(kept.size());
    std::vector<bool> drop(count, false);
    bool any = false;
    for (std::uint32_t k = 0; k < count; ++k)
      if (removable[kept[k]] && !painted.live[k]) drop[k] = any = true;
    if (!any) {
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

inline std::string indices(const std::vector<std::uint32_t>& v) {
  std::string out;
  for (auto i : v) out += std::to_string(i) + " ";
  return out;
}

/// Compares both on `pol` with `removable_percent` % of its rules removable; returns the number
/// of rules removed.
template <class S>
std::size_t compare(const policy<S>& pol, rng_type& rng, unsigned removable_percent,
                    const std::string& where) {
  std::vector<bool> removable;
  for (std::size_t i = 0; i < pol.rules.size(); ++i)
    removable.push_back(secgroup_test::chance(rng, removable_percent));
  const auto got = analysis::minimal_rules(pol, removable);
  const auto want = minimal_by_rounds(pol, removable);
  INFO(where << ": " << pol.rules.size() << " rules; kept " << indices(got)
             << "; the rounds keep " << indices(want));
  REQUIRE(got == want);
  return pol.rules.size() - got.size();
}

TEST_CASE("minimal_rules: the sweep keeps what the rounds kept, on random policies",
          "[analysis][minimize]") {
  secgroup_test::policy_options many;
  many.max_rules = 40;
  rng_type rng(20261205);
  std::size_t removed = 0, rules = 0;
  for (int n = 0; n < 1500; ++n) {
    const auto pol = n % 2 ? secgroup_test::random_policy<space<5, 3>>(rng, many)
                           : secgroup_test::random_policy<space<5, 3>>(rng);
    removed += compare(pol, rng, n % 3 ? 85 : 100, "policy " + std::to_string(n));
    rules += pol.rules.size();
  }
  CHECK(removed > rules / 10);  // not vacuous: rules go, and most stay
  CHECK(removed < rules * 9 / 10);
}

TEST_CASE("minimal_rules: the sweep keeps what the rounds kept, on random groups",
          "[analysis][minimize]") {
  rng_type rng(20261206);
  std::size_t removed = 0, rules = 0;
  for (int n = 0; n < 150; ++n) {
    secgroup_test::group_options o;
    o.max_rules = n % 5 == 0 ? 400 : 120;
    const auto g = secgroup_test::random_group(rng, o);
    const auto ordered = ordered_rules(g);
    for (auto d : {direction::inbound, direction::outbound}) {
      const auto where = "group " + std::to_string(n) + " " + std::string(to_string(d));
      const auto v4 = lower<family::v4>(ordered, d, g.default_policy(d));
      const auto v6 = lower<family::v6>(ordered, d, g.default_policy(d));
      removed += compare(v4, rng, 90, where + " IPv4") + compare(v6, rng, 90, where + " IPv6");
      rules += v4.rules.size() + v6.rules.size();
    }
  }
  CHECK(removed > rules / 20);
  CHECK(removed < rules * 9 / 10);
}

template <class S>
void check_meeting(const policy<S>& pol, const std::string& where) {
  auto index = analysis::detail::index_rules(pol);
  const auto rules = static_cast<std::uint32_t>(pol.rules.size());
  std::vector<box<S>> queries{box<S>{}};  // the whole space, then every rule's own box
  for (const auto& r : pol.rules) queries.push_back(r.match);
  std::vector<std::uint32_t> got;
  for (std::size_t q = 0; q < queries.size(); ++q) {
    index.meeting(queries[q], rules, got);
    std::vector<std::uint32_t> want;
    for (std::uint32_t i = 0; i < pol.rules.size(); ++i)
      if (meets(pol.rules[i].match, queries[q])) want.push_back(i);
    INFO(where << ", query " << q);
    REQUIRE(got == want);
  }
}

TEST_CASE("index_rules: meeting() lists the rules a scan finds", "[analysis][minimize]") {
  rng_type rng(20261207);
  secgroup_test::policy_options many;
  many.max_rules = 40;
  for (int n = 0; n < 300; ++n)
    check_meeting(secgroup_test::random_policy<space<5, 3>>(rng, many),
                  "space<5,3> policy " + std::to_string(n));
  for (int n = 0; n < 60; ++n) {
    secgroup_test::group_options o;
    o.max_rules = 150;
    const auto g = secgroup_test::random_group(rng, o);
    const auto ordered = ordered_rules(g);
    check_meeting(lower<family::v4>(ordered, direction::inbound, action::drop),
                  "IPv4 group " + std::to_string(n));
    check_meeting(lower<family::v6>(ordered, direction::inbound, action::drop),
                  "IPv6 group " + std::to_string(n));
  }
}

}  // namespace minimize_test
