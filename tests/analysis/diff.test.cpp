// diff_regions and minimal_rules against brute force on every point of tiny spaces: regions are
// disjoint, cover exactly the points decided differently, carry both first matches, and are the
// canonical form recomputed by enumeration; equivalence, mirror symmetry, readable witnesses;
// minimised lists are equivalent, keep no removable redundant rule, and keep what one removal
// per round keeps.
#include <algorithm>
#include <catch2/catch.hpp>
#include <secgroup/analysis.hpp>
#include <secgroup/secgroup.hpp>
#include <string>
#include <vector>

#include "support/random_groups.hpp"

using namespace secgroup;
using secgroup_test::describe;
using secgroup_test::rng_type;

namespace {

/// Index of a point of a tiny space in all_points<S>() order.
template <class S>
std::size_t point_index(const point<S>& x) {
  const std::size_t addresses = std::size_t{S::max_address} + 1;
  const std::size_t ports = std::size_t{S::max_port} + 1;
  const auto c = static_cast<std::size_t>(x.protocol);
  const std::size_t offset = c <= 2 ? c * ports * addresses : 2 * ports * addresses + addresses;
  return offset + std::size_t{x.port} * addresses + std::size_t{x.address};
}

/// The decision of `x` with `rule` indexing pol.rules (as diff regions label it).
template <class S>
decision decide(const policy<S>& pol, const point<S>& x) {
  auto i = first_match(pol, x);
  return {i == decision::no_rule ? pol.default_action : pol.rules[i].action, i};
}

template <class S>
std::string describe_region(const analysis::diff_region<S>& r) {
  return std::string(to_string(r.protocol)) + " a=[" + std::to_string(r.addresses.lo) + "," +
         std::to_string(r.addresses.hi) + "] p=[" + std::to_string(r.ports.lo) + "," +
         std::to_string(r.ports.hi) + "] " + describe(r.a) + " / " + describe(r.b);
}

/// The canonical diff by enumeration: per protocol class and port, the maximal address runs of
/// differing points with equal labels; then neighbouring ports with equal runs merge.
template <class S>
std::vector<analysis::diff_region<S>> brute_diff(const policy<S>& a, const policy<S>& b) {
  using R = analysis::diff_region<S>;
  std::vector<R> out;
  for (auto c : all_proto_classes) {
    const typename S::port_type top = has_ports(c) ? S::max_port : 0;
    std::vector<R> previous;
    for (typename S::port_type p = 0; p <= top; ++p) {
      std::vector<R> pieces;
      for (std::uint64_t v = 0; v <= std::uint64_t{S::max_address}; ++v) {
        const point<S> x{c, static_cast<typename S::address_type>(v), p};
        auto da = decide(a, x), db = decide(b, x);
        if (da.action == db.action) continue;
        if (!pieces.empty() && pieces.back().addresses.hi + 1 == x.address &&
            pieces.back().a == da && pieces.back().b == db)
          pieces.back().addresses.hi = x.address;
        else
          pieces.push_back({c, {x.address, x.address}, {p, p}, da, db});
      }
      auto same =
          !previous.empty() && previous.size() == pieces.size() &&
          std::equal(pieces.begin(), pieces.end(), previous.begin(), [](const R& x, const R& y) {
            return x.addresses == y.addresses && x.a == y.a && x.b == y.b;
          });
      if (same) {
        for (auto& r : previous) r.ports.hi = p;
        continue;
      }
      out.insert(out.end(), previous.begin(), previous.end());
      previous = std::move(pieces);
    }
    out.insert(out.end(), previous.begin(), previous.end());
  }
  return out;
}

/// Returns "" if diff_regions(a, b) is exact (see the file comment), else the first problem.
template <class S>
std::string check_diff(const policy<S>& a, const policy<S>& b,
                       const std::vector<point<S>>& points) {
  const auto regions = analysis::diff_regions(a, b);
  std::vector<char> seen(points.size(), 0);
  for (const auto& r : regions) {
    const auto text = "region " + describe_region(r);
    const typename S::port_type top = has_ports(r.protocol) ? S::max_port : 0;
    if (r.addresses.hi < r.addresses.lo || r.ports.hi < r.ports.lo || r.ports.hi > top)
      return text + ": bad intervals";
    if (r.a.action == r.b.action) return text + ": both sides decide alike";
    for (auto p = r.ports.lo; p <= r.ports.hi; ++p)
      for (std::uint64_t v = r.addresses.lo; v <= r.addresses.hi; ++v) {
        const point<S> x{r.protocol, static_cast<typename S::address_type>(v), p};
        if (seen[point_index(x)]++) return text + ": overlaps another region at " + describe(x);
        if (!(decide(a, x) == r.a) || !(decide(b, x) == r.b))
          return text + ": " + describe(x) + " is decided " + describe(decide(a, x)) + " / " +
                 describe(decide(b, x));
      }
  }
  bool equivalent = true;
  for (std::size_t k = 0; k < points.size(); ++k) {
    const bool differs = decide(a, points[k]).action != decide(b, points[k]).action;
    equivalent = equivalent && !differs;
    if (differs && !seen[k]) return describe(points[k]) + " differs but lies in no region";
  }
  if (regions.empty() != equivalent) return "regions empty = " + std::to_string(regions.empty());
  const auto want = brute_diff(a, b);
  if (regions != want) {
    std::string text = "not the canonical form; got\n";
    for (const auto& r : regions) text += "  " + describe_region(r) + "\n";
    text += "expected\n";
    for (const auto& r : want) text += "  " + describe_region(r) + "\n";
    return text;
  }
  // Mirror: the same boxes with the labels swapped.
  auto mirrored = analysis::diff_regions(b, a);
  if (mirrored.size() != regions.size()) return "diff(b, a) has another number of regions";
  for (std::size_t k = 0; k < regions.size(); ++k) {
    auto swapped = regions[k];
    std::swap(swapped.a, swapped.b);
    if (!(mirrored[k] == swapped))
      return "diff(b, a) region " + describe_region(mirrored[k]) + " mirrors " +
             describe_region(regions[k]);
  }
  // The witness: a differing point of the region it names, of the first protocol class.
  auto w = analysis::best_region_witness(regions);
  if (regions.empty()) return w ? "a witness without regions" : "";
  if (!w || w->second >= regions.size()) return "no witness for a non-empty diff";
  const auto& r = regions[w->second];
  const auto& x = w->first;
  if (x.protocol != r.protocol || !r.addresses.contains(x.address) ||
      !(has_ports(x.protocol) ? r.ports.contains(x.port) : x.port == 0))
    return "witness " + describe(x) + " outside its region " + describe_region(r);
  if (x.protocol != regions.front().protocol)
    return "witness " + describe(x) + " is not of the first protocol class that differs";
  return "";
}

template <class S>
policy<S> without(policy<S> pol, std::size_t i) {
  pol.rules.erase(pol.rules.begin() + static_cast<long>(i));
  pol.origin.erase(pol.origin.begin() + static_cast<long>(i));
  return pol;
}

/// Returns `a` changed a little (or a fresh policy), so that diffs are small or empty.
template <class S>
policy<S> mutate(rng_type& rng, const policy<S>& a, const secgroup_test::policy_options& o) {
  using secgroup_test::uniform;
  auto b = a;
  const auto n = a.rules.size();
  switch (uniform(rng, 0, 7)) {
    case 0:
      return secgroup_test::random_policy<S>(rng, o);
    case 1:
      if (n) return without(b, uniform(rng, 0, n - 1));
      break;
    case 2:
      if (n) {
        auto& r = b.rules[uniform(rng, 0, n - 1)];
        r.action = !r.action;
      }
      break;
    case 3:
      if (n > 1) {
        auto i = uniform(rng, 0, n - 2);
        std::swap(b.rules[i], b.rules[i + 1]);
      }
      break;
    case 4: {
      auto extra = secgroup_test::random_policy<S>(rng, o);
      if (!extra.rules.empty()) {
        auto at = b.rules.begin() + static_cast<long>(uniform(rng, 0, n));
        b.rules.insert(at, extra.rules.front());
        b.origin.push_back(b.origin.empty() ? 0 : b.origin.back() + 1);
      }
      break;
    }
    case 5:
      b.default_action = !b.default_action;
      break;
    case 6:
      if (n) {  // move one bound of one rule by one
        auto& m = b.rules[uniform(rng, 0, n - 1)].match;
        auto& bound = secgroup_test::chance(rng, 50) ? m.addresses.lo : m.addresses.hi;
        if (secgroup_test::chance(rng, 50) && bound < S::max_address)
          ++bound;
        else if (bound > 0)
          --bound;
      }
      break;
    default:
      break;  // identical
  }
  return b;
}

template <class S>
void run_diff(std::uint64_t seed, int pairs, secgroup_test::policy_options options) {
  const auto points = secgroup_test::all_points<S>();
  rng_type rng(seed);
  int equivalent = 0;
  for (int n = 0; n < pairs; ++n) {
    const auto a = secgroup_test::random_policy<S>(rng, options);
    const auto b = mutate(rng, a, options);
    auto error = check_diff(a, b, points);
    if (error.empty() && !analysis::diff_regions(a, a).empty()) error = "diff(a, a) is not empty";
    if (!error.empty()) {
      INFO("seed " << seed << ", pair " << n << ":\na:\n"
                   << describe(a) << "\nb:\n"
                   << describe(b));
      FAIL(error);
    }
    equivalent += analysis::diff_regions(a, b).empty();
  }
  // Both verdicts must be common, or agreement proves little.
  CHECK(equivalent > pairs / 10);
  CHECK(equivalent < pairs * 9 / 10);
}

}  // namespace

TEST_CASE("diff: exact regions on every point of tiny spaces", "[analysis][diff][exhaustive]") {
  secgroup_test::policy_options mixed;
  secgroup_test::policy_options cidr;
  cidr.cidr_percent = 100;
  secgroup_test::policy_options arbitrary;
  arbitrary.cidr_percent = 0;
  SECTION("space<3,2>") { run_diff<space<3, 2>>(401, 1500, mixed); }
  SECTION("space<4,3>, CIDR addresses") { run_diff<space<4, 3>>(402, 1000, cidr); }
  SECTION("space<4,3>, arbitrary addresses") { run_diff<space<4, 3>>(403, 1000, arbitrary); }
  SECTION("space<5,3>") { run_diff<space<5, 3>>(404, 600, mixed); }
}

TEST_CASE("diff: lists equal up to dead rules are equivalent", "[analysis][diff][exhaustive]") {
  using S = space<4, 3>;
  const auto points = secgroup_test::all_points<S>();
  rng_type rng(405);
  int removed = 0;
  for (int n = 0; n < 800; ++n) {
    const auto a = secgroup_test::random_policy<S>(rng);
    // Dead rules by enumeration: no point has them as first match.
    std::vector<char> live(a.rules.size(), 0);
    for (const auto& x : points)
      if (auto i = first_match(a, x); i != decision::no_rule) live[i] = 1;
    auto pruned = a;
    for (auto i = a.rules.size(); i-- > 0;)
      if (!live[i]) {
        pruned = without(pruned, i);
        ++removed;
      }
    // A copy of a rule right after it is dead too.
    auto doubled = a;
    if (!a.rules.empty()) {
      auto i = secgroup_test::uniform(rng, 0, a.rules.size() - 1);
      doubled.rules.insert(doubled.rules.begin() + static_cast<long>(i) + 1, a.rules[i]);
      doubled.origin.push_back(a.origin.empty() ? 0 : a.origin.back() + 1);
    }
    auto error = check_diff(a, pruned, points);
    if (error.empty()) error = check_diff(a, doubled, points);
    if (error.empty() && !analysis::diff_regions(a, pruned).empty()) error = "pruned differs";
    if (error.empty() && !analysis::diff_regions(doubled, a).empty()) error = "doubled differs";
    if (!error.empty()) {
      INFO("seed 405, policy " << n << ":\n" << describe(a));
      FAIL(error);
    }
  }
  CHECK(removed > 100);
}

TEST_CASE("diff: hand-made regions of space<4,3>", "[analysis][diff][hand]") {
  using S = space<4, 3>;
  using R = analysis::diff_region<S>;
  const proto_mask tcp = mask_of(proto_class::tcp);
  policy<S> a, b;
  a.default_action = b.default_action = action::drop;
  a.rules = {{box<S>{tcp, {0, 7}, {2, 3}}, action::accept}};
  a.origin = {0};
  b.rules = {{box<S>{tcp, {0, 3}, {2, 2}}, action::accept},
             {box<S>{tcp, {4, 7}, {2, 3}}, action::accept}};
  b.origin = {0, 1};
  // a accepts TCP [0,7] x [2,3]; b accepts [0,3] x {2} and [4,7] x [2,3]: they differ on
  // [0,3] x {3}, where a accepts by rule 0 and b drops by default.
  const decision by_a{action::accept, 0}, by_default{action::drop, decision::no_rule};
  CHECK(analysis::diff_regions(a, b) ==
        std::vector<R>{{proto_class::tcp, {0, 3}, {3, 3}, by_a, by_default}});
  // Equal labels merge across ports: b2 drops [0,3] x [2,3] entirely.
  auto b2 = b;
  b2.rules.erase(b2.rules.begin());
  b2.origin.erase(b2.origin.begin());
  CHECK(analysis::diff_regions(a, b2) ==
        std::vector<R>{{proto_class::tcp, {0, 3}, {2, 3}, by_a, by_default}});
}

// -- Minimisation on tiny spaces ----------------------------------------------------------

namespace {

template <class S>
bool same_actions(const policy<S>& a, const policy<S>& b, const std::vector<point<S>>& points) {
  return std::all_of(points.begin(), points.end(),
                     [&](const point<S>& x) { return decide(a, x).action == decide(b, x).action; });
}

template <class S>
void run_minimal(std::uint64_t seed, int policies, secgroup_test::policy_options options) {
  const auto points = secgroup_test::all_points<S>();
  rng_type rng(seed);
  std::size_t total = 0, kept_total = 0;
  for (int n = 0; n < policies; ++n) {
    const auto pol = secgroup_test::random_policy<S>(rng, options);
    std::vector<bool> removable;
    for (std::size_t i = 0; i < pol.rules.size(); ++i)
      removable.push_back(secgroup_test::chance(rng, 80));
    const auto kept = analysis::minimal_rules(pol, removable);
    std::string error;
    if (!std::is_sorted(kept.begin(), kept.end()) ||
        std::adjacent_find(kept.begin(), kept.end()) != kept.end() ||
        (!kept.empty() && kept.back() >= pol.rules.size()))
      error = "kept indices are not ascending rule indices";
    for (std::uint32_t i = 0; error.empty() && i < pol.rules.size(); ++i)
      if (!removable[i] && !std::binary_search(kept.begin(), kept.end(), i))
        error = "non-removable rule " + std::to_string(i) + " was removed";
    const auto result = secgroup::analysis::detail::rules_kept(pol, kept);
    if (error.empty() && !same_actions(pol, result, points))
      error = "the minimised list decides differently";
    for (std::size_t k = 0; error.empty() && k < kept.size(); ++k) {
      if (!removable[kept[k]]) continue;
      if (same_actions(result, without(result, k), points))
        error = "kept rule " + std::to_string(kept[k]) + " is still redundant";
    }
    if (!error.empty()) {
      std::string text;
      for (auto i : kept) text += std::to_string(i) + " ";
      INFO("seed " << seed << ", policy " << n << ":\n" << describe(pol) << "\nkept: " << text);
      FAIL(error);
    }
    total += pol.rules.size();
    kept_total += kept.size();
  }
  // Some rules must go and some must stay.
  CHECK(kept_total < total * 9 / 10);
  CHECK(kept_total > total / 10);
}

}  // namespace

TEST_CASE("minimal_rules: equivalent, nothing removable left redundant, fixed rules kept",
          "[analysis][minimize][exhaustive]") {
  secgroup_test::policy_options mixed;
  secgroup_test::policy_options many;
  many.max_rules = 20;
  SECTION("space<3,2>") { run_minimal<space<3, 2>>(411, 1500, mixed); }
  SECTION("space<4,3>") { run_minimal<space<4, 3>>(412, 1000, mixed); }
  SECTION("space<5,3>, up to 20 rules") { run_minimal<space<5, 3>>(413, 400, many); }
}

namespace {

/// minimal_rules one removal per round, by enumeration: every dead removable rule at once,
/// else the last removable live rule whose removal changes no decision.
template <class S>
std::vector<std::uint32_t> one_per_round(const policy<S>& pol, const std::vector<bool>& removable,
                                         const std::vector<point<S>>& points) {
  std::vector<std::uint32_t> kept(pol.rules.size());
  for (std::uint32_t i = 0; i < kept.size(); ++i) kept[i] = i;
  for (;;) {
    const auto current = secgroup::analysis::detail::rules_kept(pol, kept);
    std::vector<char> live(kept.size(), 0);
    for (const auto& x : points)
      if (auto i = first_match(current, x); i != decision::no_rule) live[i] = 1;
    std::vector<std::uint32_t> next;
    for (std::uint32_t k = 0; k < kept.size(); ++k)
      if (live[k] || !removable[kept[k]]) next.push_back(kept[k]);
    if (next.size() == kept.size()) {
      for (auto k = static_cast<std::uint32_t>(kept.size()); k-- > 0;)
        if (removable[kept[k]] && same_actions(current, without(current, k), points)) {
          next.erase(next.begin() + k);
          break;
        }
      if (next.size() == kept.size()) return kept;
    }
    kept = std::move(next);
  }
}

}  // namespace

TEST_CASE("minimal_rules: keeps what one removal per round keeps",
          "[analysis][minimize][exhaustive]") {
  using S = space<4, 3>;
  const auto points = secgroup_test::all_points<S>();
  secgroup_test::policy_options many;
  many.max_rules = 24;
  rng_type rng(414);
  std::size_t removed = 0;
  for (int n = 0; n < 500; ++n) {
    const auto pol = secgroup_test::random_policy<S>(rng, many);
    std::vector<bool> removable;
    for (std::size_t i = 0; i < pol.rules.size(); ++i)
      removable.push_back(secgroup_test::chance(rng, 85));
    const auto kept = analysis::minimal_rules(pol, removable);
    const auto want = one_per_round(pol, removable, points);
    if (kept != want) {
      std::string got_text, want_text;
      for (auto i : kept) got_text += std::to_string(i) + " ";
      for (auto i : want) want_text += std::to_string(i) + " ";
      INFO("seed 414, policy " << n << ":\n" << describe(pol));
      FAIL("kept " << got_text << ", one removal per round keeps " << want_text);
    }
    removed += pol.rules.size() - kept.size();
  }
  CHECK(removed > 500);
}
