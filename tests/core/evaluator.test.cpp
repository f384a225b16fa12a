// Evaluator agreement: decision_map and compiled_policy against the linear first match on every
// point of tiny spaces; compiled_group against reference_evaluator on random groups at real
// widths; and hand-written cases whose expected decisions follow from docs/semantics.md.
#include <algorithm>
#include <catch2/catch.hpp>
#include <secgroup/secgroup.hpp>
#include <span>
#include <string>
#include <vector>

#include "support/random_groups.hpp"
#include "support/scale.hpp"

using namespace secgroup;
using secgroup_test::describe;
using secgroup_test::rng_type;

namespace {

// -- Region checks (any width) ------------------------------------------------------------

/// Returns "" if the regions of `map` are in canonical order and tile the space exactly
/// (see decision_map::for_each_region), else a description of the first violation.
/// `each` is called with every region.
template <class S, class F>
std::string check_region_order(const decision_map<S>& map, F&& each) {
  using A = typename S::address_type;
  std::string error;
  bool first = true;
  region<S> prev;
  std::size_t count = 0;
  auto fail = [&](const std::string& what, const region<S>& r) {
    if (error.empty())
      error = "region " + std::to_string(count) + " (" + std::string(to_string(r.protocol)) +
              " a=[" + secgroup_test::describe_value(r.addresses.lo) + "," +
              secgroup_test::describe_value(r.addresses.hi) + "] p=[" + std::to_string(r.ports.lo) +
              "," + std::to_string(r.ports.hi) + "] rule " + std::to_string(r.rule) + "): " + what;
  };
  auto class_max_port = [](proto_class c) ->
      typename S::port_type { return has_ports(c) ? S::max_port : 0; };
  map.for_each_region([&](const region<S>& r) {
    if (r.addresses.hi < r.addresses.lo) fail("empty address interval", r);
    if (r.ports.hi < r.ports.lo) fail("empty port interval", r);
    if (r.ports.hi > class_max_port(r.protocol)) fail("port beyond the class", r);
    const bool class_start = first || r.protocol != prev.protocol;
    if (!first && class_start) {
      if (static_cast<int>(r.protocol) < static_cast<int>(prev.protocol))
        fail("protocol classes out of order", r);
      if (!(prev.addresses.hi == S::max_address && prev.ports.hi == class_max_port(prev.protocol)))
        fail("previous class not covered to its end", r);
    }
    if (class_start) {
      if (static_cast<int>(r.protocol) != (first ? 0 : static_cast<int>(prev.protocol) + 1))
        fail("a protocol class is missing", r);
      if (!(r.addresses.lo == A{} && r.ports.lo == 0)) fail("class does not start at 0", r);
    } else if (r.ports == prev.ports) {
      if (prev.addresses.hi == S::max_address || !(r.addresses.lo == prev.addresses.hi + A{1}))
        fail("address gap or overlap", r);
      if (r.rule == prev.rule) fail("address-adjacent regions share a rule", r);
    } else {
      if (!(prev.addresses.hi == S::max_address && r.addresses.lo == A{}))
        fail("port interval changed before the address axis ended", r);
      if (prev.ports.hi == class_max_port(r.protocol) || r.ports.lo != prev.ports.hi + 1)
        fail("port gap or overlap", r);
    }
    each(r);
    prev = r;
    first = false;
    ++count;
  });
  if (error.empty()) {
    if (first) return "no regions";
    if (prev.protocol != proto_class::other || !(prev.addresses.hi == S::max_address))
      return "the last class is not covered to its end";
  }
  return error;
}

// -- Tiny spaces, exhaustively ------------------------------------------------------------

/// Index of a point of a tiny space in all_points<S>() order.
template <class S>
std::size_t point_index(const point<S>& x) {
  const std::size_t addresses = std::size_t{S::max_address} + 1;
  const std::size_t ports = std::size_t{S::max_port} + 1;
  const std::size_t c = static_cast<std::size_t>(x.protocol);
  // tcp and udp hold ports × addresses points each, icmp and other one port each.
  const std::size_t offset = c <= 2 ? c * ports * addresses : 2 * ports * addresses + addresses;
  return offset + std::size_t{x.port} * addresses + std::size_t{x.address};
}

/// Returns "" if decision_map and compiled_policy agree with first_match on every point of S
/// and the regions tile S correctly, else a description of the first disagreement.
template <class S>
std::string check_exhaustive(const policy<S>& pol, const std::vector<point<S>>& points) {
  static_assert(std::is_same_v<typename S::address_type, std::uint32_t>);
  const decision_map<S> map(pol);
  const compiled_policy<S> from_map(pol, map.parts());
  const compiled_policy<S> direct(pol);
  const compiled_policy<S> joint(pol, port_layout::joint), split(pol, port_layout::split);
  if (map.default_action() != pol.default_action) return "default action lost";
  if (joint.layout() != port_layout::joint || split.layout() != port_layout::split)
    return "a layout asked for was not taken";
  // Batches of up to 64 points, over every point, reading the values with the last level and
  // apart (find_many's Apart: the same decisions).
  for (const auto* c : {&joint, &split})
    for (bool apart : {false, true}) {
      std::vector<decision> batch(points.size());
      for (std::size_t at = 0, n = 1; at < points.size(); at += n, n = n % 64 + 1) {
        n = std::min(n, points.size() - at);
        auto point_at = [&](std::size_t j) { return points[at + j]; };
        auto put = [&](std::size_t j, decision d) { batch[at + j] = d; };
        if (apart)
          c->template find_many<isa::baseline, true>(n, point_at, put);
        else
          c->find_many(n, point_at, put);
      }
      for (std::size_t k = 0; k < points.size(); ++k)
        if (!(batch[k] == secgroup_test::decide_linear(pol, points[k])))
          return "compiled_policy(pol, " + std::string(c == &joint ? "joint" : "split") +
                 ")::find_many" + (apart ? "<apart>(" : "(") + describe(points[k]) +
                 ") = " + describe(batch[k]) + ", expected " +
                 describe(secgroup_test::decide_linear(pol, points[k]));
    }
  for (const auto& x : points) {
    const auto expected = first_match(pol, x);
    if (auto got = map.find(x); got != expected)
      return "decision_map::find(" + describe(x) + ") = " + std::to_string(got) +
             ", first_match = " + std::to_string(expected);
    const auto want = secgroup_test::decide_linear(pol, x);
    if (auto got = from_map.find(x); !(got == want))
      return "compiled_policy::find(" + describe(x) + ") = " + describe(got) + ", expected " +
             describe(want);
    if (auto got = direct.find(x); !(got == want))
      return "compiled_policy(pol)::find(" + describe(x) + ") = " + describe(got) + ", expected " +
             describe(want);
    if (auto got = joint.find(x); !(got == want))
      return "compiled_policy(pol, joint)::find(" + describe(x) + ") = " + describe(got) +
             ", expected " + describe(want);
    if (auto got = split.find(x); !(got == want))
      return "compiled_policy(pol, split)::find(" + describe(x) + ") = " + describe(got) +
             ", expected " + describe(want);
  }
  // Regions: canonical order, exact cover, and every point's first match is its region's rule.
  std::vector<char> seen(points.size(), 0);
  std::uint64_t covered = 0;
  std::string error;
  auto order = check_region_order(map, [&](const region<S>& r) {
    for (auto p = r.ports.lo; p <= r.ports.hi; ++p)
      for (auto a = r.addresses.lo; a <= r.addresses.hi; ++a) {
        point<S> x{r.protocol, a, p};
        auto k = point_index(x);
        if (k >= seen.size() || seen[k]++) {
          if (error.empty()) error = "point " + describe(x) + " covered twice";
          continue;
        }
        ++covered;
        if (first_match(pol, x) != r.rule && error.empty())
          error = "point " + describe(x) + " lies in a region of rule " + std::to_string(r.rule) +
                  " but first_match = " + std::to_string(first_match(pol, x));
      }
  });
  if (!order.empty()) return order;
  if (!error.empty()) return error;
  if (covered != points.size())
    return "regions cover " + std::to_string(covered) + " of " + std::to_string(points.size()) +
           " points";
  return "";
}

template <class S>
void run_exhaustive(std::uint64_t seed, int policies, secgroup_test::policy_options options) {
  const auto points = secgroup_test::all_points<S>();
  REQUIRE(points.size() == secgroup_test::point_count<S>());
  for (std::size_t k = 0; k < points.size(); ++k) REQUIRE(point_index(points[k]) == k);
  rng_type rng(seed);
  for (int i = 0; i < secgroup_test::scaled(policies); ++i) {
    const auto pol = secgroup_test::random_policy<S>(rng, options);
    const auto error = check_exhaustive(pol, points);
    if (!error.empty()) {
      INFO("seed " << seed << ", policy " << i << ":\n" << describe(pol));
      FAIL(error);
    }
  }
}

}  // namespace

TEST_CASE("evaluator: tiny spaces, every point, random policies", "[evaluator][exhaustive][slow]") {
  secgroup_test::policy_options mixed;
  secgroup_test::policy_options cidr_only;
  cidr_only.cidr_percent = 100;
  secgroup_test::policy_options arbitrary;
  arbitrary.cidr_percent = 0;
  arbitrary.empty_percent = 10;
  SECTION("space<3,2>") {
    run_exhaustive<space<3, 2>>(1, 3000, mixed);
    run_exhaustive<space<3, 2>>(2, 1000, cidr_only);
    run_exhaustive<space<3, 2>>(3, 1000, arbitrary);
  }
  SECTION("space<4,3>") {
    run_exhaustive<space<4, 3>>(4, 2000, mixed);
    run_exhaustive<space<4, 3>>(5, 800, cidr_only);
    run_exhaustive<space<4, 3>>(6, 800, arbitrary);
  }
  SECTION("space<5,3>") {
    run_exhaustive<space<5, 3>>(7, 1600, mixed);
    run_exhaustive<space<5, 3>>(8, 600, cidr_only);
    run_exhaustive<space<5, 3>>(9, 600, arbitrary);
  }
  SECTION("space<1,1>") { run_exhaustive<space<1, 1>>(10, 1000, mixed); }
  SECTION("space<2,10>: port tables with several high bytes") {
    run_exhaustive<space<2, 10>>(11, 240, mixed);
  }
  SECTION("more rules than points along an axis") {
    secgroup_test::policy_options many;
    many.max_rules = 40;
    run_exhaustive<space<3, 2>>(12, 600, many);
    run_exhaustive<space<4, 3>>(13, 300, many);
  }
}

TEST_CASE("evaluator: the empty policy decides everything by default", "[evaluator]") {
  using S = space<3, 2>;
  for (auto a : {action::accept, action::drop}) {
    policy<S> pol;
    pol.default_action = a;
    decision_map<S> map(pol);
    compiled_policy<S> c(pol);
    std::size_t regions = 0;
    map.for_each_region([&](const region<S>& r) {
      ++regions;
      CHECK(r.rule == decision::no_rule);
    });
    CHECK(regions == 4);  // one per protocol class
    for (const auto& x : secgroup_test::all_points<S>()) {
      CHECK(map.find(x) == decision::no_rule);
      CHECK(c.find(x) == decision{a, decision::no_rule});
    }
  }
}

// -- Wide spaces, sampled -----------------------------------------------------------------

namespace {

/// Boundary points of every rule of `pol` (bounds ±1 on both axes), for every class.
template <class S>
std::vector<point<S>> edge_points(const policy<S>& pol) {
  using A = typename S::address_type;
  using P = typename S::port_type;
  std::vector<A> addresses{A{}, S::max_address};
  std::vector<P> ports{0, S::max_port};
  for (const auto& r : pol.rules) {
    for (A a : {r.match.addresses.lo, r.match.addresses.hi}) {
      addresses.push_back(a);
      if (a > A{}) addresses.push_back(a - A{1});
      if (a < S::max_address) addresses.push_back(a + A{1});
    }
    for (P p : {r.match.ports.lo, r.match.ports.hi}) {
      ports.push_back(p);
      if (p > 0) ports.push_back(p - 1);
      if (p < S::max_port) ports.push_back(p + 1);
    }
  }
  std::vector<point<S>> out;
  for (const auto& a : addresses) {
    out.push_back({proto_class::icmp, a, 0});
    out.push_back({proto_class::other, a, 0});
    for (auto p : ports) {
      out.push_back({proto_class::tcp, a, p});
      out.push_back({proto_class::udp, a, p});
    }
  }
  return out;
}

template <class S>
void run_sampled(std::uint64_t seed, int policies) {
  rng_type rng(seed);
  secgroup_test::policy_options options;
  options.max_rules = 16;
  for (int i = 0; i < secgroup_test::scaled(policies); ++i) {
    const auto pol = secgroup_test::random_policy<S>(rng, options);
    const decision_map<S> map(pol);
    const compiled_policy<S> compiled(pol, map.parts()), split(pol, port_layout::split);
    std::string error;
    auto check_point = [&](const point<S>& x, std::uint32_t region_rule) {
      if (!error.empty()) return;
      const auto expected = first_match(pol, x);
      if (region_rule != expected)
        error = "region of rule " + std::to_string(region_rule) + " holds " + describe(x) +
                ", first_match = " + std::to_string(expected);
      else if (map.find(x) != expected)
        error = "decision_map::find(" + describe(x) + ") = " + std::to_string(map.find(x)) +
                ", first_match = " + std::to_string(expected);
      else if (!(compiled.find(x) == secgroup_test::decide_linear(pol, x)))
        error = "compiled_policy::find(" + describe(x) + ") = " + describe(compiled.find(x)) +
                ", expected " + describe(secgroup_test::decide_linear(pol, x));
      else if (!(split.find(x) == secgroup_test::decide_linear(pol, x)))
        error = "compiled_policy(split)::find(" + describe(x) + ") = " + describe(split.find(x)) +
                ", expected " + describe(secgroup_test::decide_linear(pol, x));
    };
    for (const auto& x : edge_points(pol)) check_point(x, first_match(pol, x));
    auto order = check_region_order(map, [&](const region<S>& r) {
      // The four corners of every region.
      for (auto a : {r.addresses.lo, r.addresses.hi})
        for (auto p : {r.ports.lo, r.ports.hi}) check_point({r.protocol, a, p}, r.rule);
    });
    if (!order.empty() || !error.empty()) {
      INFO("seed " << seed << ", policy " << i << ":\n" << describe(pol));
      FAIL((order.empty() ? error : order));
    }
  }
}

}  // namespace

TEST_CASE("evaluator: wide spaces, rule edges and region corners", "[evaluator][random][slow]") {
  SECTION("space<32,16> (IPv4)") { run_sampled<ipv4_space>(21, 300); }
  SECTION("space<128,16> (IPv6)") { run_sampled<ipv6_space>(22, 300); }
  SECTION("space<64,16>") { run_sampled<space<64, 16>>(23, 150); }
  SECTION("space<40,5>") { run_sampled<space<40, 5>>(24, 150); }
}

// -- Real widths: compiled_group vs reference_evaluator -----------------------------------

namespace {

/// Returns "" if compiled_group agrees with reference_evaluator on `packets` (single and batch).
std::string check_group(const security_group& g, const std::vector<packet>& packets,
                        port_layout layout) {
  const compiled_group compiled(g, layout);
  const reference_evaluator reference(g);
  std::vector<decision> batch(packets.size() + 1, decision{action::accept, 12345});
  compiled.evaluate(packets, std::span<decision>(batch));
  if (!(batch.back() == decision{action::accept, 12345})) return "batch wrote past its input";
  for (auto i : {isa::baseline, isa::avx2, isa::avx512}) {  // every kernel this CPU runs
    if (!isa_supported(i)) continue;
    std::vector<decision> again(packets.size());
    compiled.evaluate(packets, std::span<decision>(again), i);
    if (again != std::vector<decision>(batch.begin(), batch.end() - 1))
      return "the " + std::string(to_string(i)) + " batch differs from the default one";
  }
  for (std::size_t k = 0; k < packets.size(); ++k) {
    const auto& p = packets[k];
    const auto want = reference.evaluate(p);
    if (!want.by_default() &&
        (want.rule >= reference.rules().size() || !matches(reference.rules()[want.rule], p)))
      return "reference decided " + to_string(p) + " by a rule that does not match";
    if (auto got = compiled.evaluate(p); !(got == want))
      return "evaluate(" + to_string(p) + ") = " + describe(got) + ", reference " + describe(want);
    if (!(batch[k] == want))
      return "batch evaluate(" + to_string(p) + ") = " + describe(batch[k]) + ", reference " +
             describe(want);
  }
  return "";
}

}  // namespace

TEST_CASE("evaluator: compiled_group agrees with the reference on random groups",
          "[evaluator][random][slow]") {
  auto seed = GENERATE(range<std::uint64_t>(100, 104));
  rng_type rng(seed);
  std::size_t packets_checked = 0;
  for (int i = 0; i < 100; ++i) {
    secgroup_test::group_options options;
    if (i % 10 == 0) options.max_rules = 5;
    if (i % 7 == 0) options.v6_percent = 90;
    const auto g = secgroup_test::random_group(rng, options);
    auto packets = secgroup_test::edge_packets(g);
    auto extra = secgroup_test::random_packets(rng, g, 400);
    packets.insert(packets.end(), extra.begin(), extra.end());
    packets_checked += packets.size();
    std::string error;
    for (auto layout : {port_layout::automatic, port_layout::joint, port_layout::split})
      if (error.empty()) error = check_group(g, packets, layout);
    if (!error.empty()) {
      INFO("seed " << seed << ", group " << i << ":\n" << describe(g));
      FAIL(error);
    }
  }
  CHECK(packets_checked > 10000);
}

TEST_CASE("evaluator: edge_packets probe both sides of every rule bound", "[evaluator]") {
  // A guard on the generator itself: without the neighbours, agreement would be vacuous.
  security_group g;
  g.enable_default_security = false;
  rule r;
  r.ip_range = parse_network("10.0.0.0/8");
  r.ports = port_range{100, 200};
  g.rules = {r};
  auto packets = secgroup_test::edge_packets(g);
  auto has = [&](const char* a, std::uint16_t port) {
    return std::any_of(packets.begin(), packets.end(), [&](const packet& p) {
      return p.protocol == 6 && p.remote == parse_address(a) && p.port == port;
    });
  };
  CHECK(has("9.255.255.255", 99));
  CHECK(has("10.0.0.0", 100));
  CHECK(has("10.255.255.255", 201));
  CHECK(has("11.0.0.0", 200));
  CHECK(has("10.0.0.1", 0));
  CHECK(has("10.255.255.254", 65535));
}

// -- Hand-written cases -------------------------------------------------------------------

// The hand-written cases below, in their own namespace: the suite compiles as one unity unit,
// and names such as `in` and `out` must not reach the other files.
namespace evaluator_hand {

rule hand_rule(direction d, action a, protocol p, const char* cidr,
               std::optional<port_range> ports = std::nullopt, std::uint32_t position = 1) {
  rule r;
  r.id = std::string("r-") + cidr;
  r.direction = d;
  r.action = a;
  r.protocol = p;
  r.ip_range = parse_network(cidr);
  r.ports = ports;
  r.position = position;
  return r;
}

struct hand_case {
  const char* packet;
  decision expected;
};

/// Checks every case with both evaluators.
void check_cases(const security_group& g, const std::vector<hand_case>& cases) {
  const compiled_group compiled(g);
  const reference_evaluator reference(g);
  for (const auto& c : cases) {
    INFO(c.packet << " should be " << describe(c.expected));
    const auto p = parse_packet(c.packet);
    CHECK(describe(reference.evaluate(p)) == describe(c.expected));
    CHECK(describe(compiled.evaluate(p)) == describe(c.expected));
    CHECK(describe(evaluate_reference(g, p)) == describe(c.expected));
  }
}

constexpr auto in = direction::inbound;
constexpr auto out = direction::outbound;
constexpr auto accepted = action::accept;
constexpr auto dropped = action::drop;
constexpr auto none = decision::no_rule;

TEST_CASE("evaluator: 0.0.0.0/0 and ::/0 never cross families", "[evaluator][hand]") {
  security_group g;
  g.enable_default_security = false;
  g.inbound_default_policy = dropped;
  g.rules = {hand_rule(in, accepted, protocol::tcp, "0.0.0.0/0", port_range{22, 22}, 1),
             hand_rule(in, accepted, protocol::udp, "::/0", std::nullopt, 2)};
  check_cases(g, {
                     {"inbound tcp 1.2.3.4 22", {accepted, 0}},
                     {"inbound tcp 0.0.0.0 22", {accepted, 0}},
                     {"inbound tcp 255.255.255.255 22", {accepted, 0}},
                     {"inbound tcp ::1 22", {dropped, none}},
                     {"inbound tcp ::ffff:1.2.3.4 22", {dropped, none}},
                     {"inbound udp ::ffff:1.2.3.4 53", {accepted, 1}},
                     {"inbound udp ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 0", {accepted, 1}},
                     {"inbound udp 10.0.0.1 53", {dropped, none}},
                 });
}

TEST_CASE("evaluator: host rules, top of each family", "[evaluator][hand]") {
  security_group g;
  g.enable_default_security = false;
  g.inbound_default_policy = accepted;
  g.rules = {
      hand_rule(in, dropped, protocol::tcp, "203.0.113.7/32", std::nullopt, 1),
      hand_rule(in, dropped, protocol::any, "2001:db8::1/128", std::nullopt, 2),
      hand_rule(in, dropped, protocol::any, "255.255.255.255", std::nullopt, 3),
      hand_rule(in, dropped, protocol::any, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", std::nullopt,
                4),
      hand_rule(in, dropped, protocol::udp, "::ffff:0:0/96", std::nullopt, 5),
      hand_rule(in, accepted, protocol::any, "128.0.0.0/1", std::nullopt, 6),
  };
  check_cases(g, {
                     {"inbound tcp 203.0.113.7 80", {dropped, 0}},
                     {"inbound tcp 203.0.113.6 80", {accepted, 5}},
                     {"inbound tcp 203.0.113.8 80", {accepted, 5}},
                     {"inbound udp 203.0.113.7 80", {accepted, 5}},
                     {"inbound tcp 2001:db8::1 80", {dropped, 1}},
                     {"inbound tcp 2001:db8:: 80", {accepted, none}},
                     {"inbound tcp 2001:db8::2 80", {accepted, none}},
                     {"inbound 47 255.255.255.255", {dropped, 2}},
                     {"inbound 47 255.255.255.254", {accepted, 5}},
                     {"inbound icmp ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", {dropped, 3}},
                     {"inbound icmp ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", {accepted, none}},
                     {"inbound udp ::ffff:ffff:ffff 9", {dropped, 4}},  // top of the mapped block
                     {"inbound udp ::ffff:0:0 9", {dropped, 4}},
                     {"inbound udp ::fffe:ffff:ffff 9", {accepted, none}},
                     {"inbound udp ::1:0:0:0 9", {accepted, none}},
                     {"inbound tcp ::ffff:ffff:ffff 9", {accepted, none}},
                     {"inbound tcp 127.255.255.255 9", {accepted, none}},
                     {"inbound tcp 128.0.0.0 9", {accepted, 5}},
                 });
}

TEST_CASE("evaluator: port 0 and 65535, ports of other protocols", "[evaluator][hand]") {
  security_group g;
  g.enable_default_security = false;
  g.inbound_default_policy = dropped;
  g.rules = {
      hand_rule(in, accepted, protocol::tcp, "10.0.0.0/8", port_range{1, 65535}, 1),
      hand_rule(in, accepted, protocol::udp, "10.0.0.0/8", std::nullopt, 2),
      hand_rule(in, accepted, protocol::tcp, "20.0.0.0/8", port_range{443, 443}, 3),
      hand_rule(in, accepted, protocol::icmp, "30.0.0.0/8", std::nullopt, 4),
  };
  check_cases(g, {
                     {"inbound tcp 10.1.1.1 0", {dropped, none}},  // 1-65535 is not 'all ports'
                     {"inbound tcp 10.1.1.1 1", {accepted, 0}},
                     {"inbound tcp 10.1.1.1 65535", {accepted, 0}},
                     {"inbound udp 10.1.1.1 0", {accepted, 1}},  // no ports: every port
                     {"inbound udp 10.1.1.1 65535", {accepted, 1}},
                     {"inbound icmp 20.0.0.1 443", {dropped, none}},  // ICMP never matches TCP
                     {"inbound 47 20.0.0.1 443", {dropped, none}},
                     {"inbound udp 20.0.0.1 443", {dropped, none}},
                     {"inbound tcp 20.0.0.1 443", {accepted, 2}},
                     {"inbound tcp 20.0.0.1 444", {dropped, none}},
                     {"inbound icmp 30.0.0.1 443", {accepted, 3}},  // port ignored
                     {"inbound icmpv6 30.0.0.1", {accepted, 3}},
                     {"inbound 1 30.0.0.1 0", {accepted, 3}},
                     {"inbound tcp 30.0.0.1 0", {dropped, none}},
                 });
}

TEST_CASE("evaluator: ANY matches every protocol, ICMP both ICMPs", "[evaluator][hand]") {
  security_group g;
  g.enable_default_security = false;
  g.inbound_default_policy = dropped;
  g.rules = {
      hand_rule(in, accepted, protocol::tcp, "10.0.0.0/8", std::nullopt, 1),
      hand_rule(in, accepted, protocol::icmp, "2001:db8::/32", std::nullopt, 2),
      hand_rule(in, accepted, protocol::any, "10.0.0.0/8", std::nullopt, 3),
  };
  check_cases(g, {
                     {"inbound 47 10.0.0.1", {accepted, 2}},
                     {"inbound 0 10.0.0.1", {accepted, 2}},
                     {"inbound 255 10.0.0.1", {accepted, 2}},
                     {"inbound tcp 10.0.0.1 5", {accepted, 0}},
                     {"inbound udp 10.0.0.1 5", {accepted, 2}},
                     {"inbound 47 11.0.0.1", {dropped, none}},
                     {"inbound icmp 2001:db8::9", {accepted, 1}},  // ICMPv6 (58)
                     {"inbound 1 2001:db8::9", {accepted, 1}},
                     {"inbound 47 2001:db8::9", {dropped, none}},
                 });
}

TEST_CASE("evaluator: the first match wins, drop before accept", "[evaluator][hand]") {
  security_group g;
  g.enable_default_security = false;
  g.inbound_default_policy = accepted;
  // Stored out of order: positions decide.
  g.rules = {hand_rule(in, accepted, protocol::tcp, "10.0.0.0/8", std::nullopt, 2),
             hand_rule(in, dropped, protocol::tcp, "10.0.0.0/8", port_range{22, 22}, 1)};
  check_cases(g, {
                     {"inbound tcp 10.1.2.3 22", {dropped, 0}},
                     {"inbound tcp 10.1.2.3 23", {accepted, 1}},
                     {"inbound tcp 11.1.2.3 22", {accepted, none}},
                 });
  std::swap(g.rules[0].position, g.rules[1].position);
  check_cases(g, {
                     {"inbound tcp 10.1.2.3 22", {accepted, 0}},  // the accept now comes first
                     {"inbound tcp 10.1.2.3 23", {accepted, 0}},
                 });
}

TEST_CASE("evaluator: default SMTP rules decide outbound TCP 25, 465, 587", "[evaluator][hand]") {
  security_group g;
  g.enable_default_security = true;
  g.outbound_default_policy = accepted;
  g.inbound_default_policy = dropped;
  g.rules = {hand_rule(out, accepted, protocol::tcp, "::/0", std::nullopt, 1),
             hand_rule(out, accepted, protocol::tcp, "0.0.0.0/0", port_range{20, 30}, 2),
             hand_rule(in, accepted, protocol::tcp, "0.0.0.0/0", port_range{25, 25}, 3)};
  check_cases(g, {
                     {"outbound tcp 1.2.3.4 25", {dropped, 0}},
                     {"outbound tcp 1.2.3.4 465", {dropped, 1}},
                     {"outbound tcp 1.2.3.4 587", {dropped, 2}},
                     {"outbound tcp 2001:db8::1 25", {dropped, 3}},
                     {"outbound tcp 2001:db8::1 465", {dropped, 4}},
                     {"outbound tcp :: 587", {dropped, 5}},
                     {"outbound tcp 2001:db8::1 26", {accepted, 6}},
                     {"outbound tcp 1.2.3.4 26", {accepted, 7}},
                     {"outbound tcp 1.2.3.4 588", {accepted, none}},
                     {"outbound udp 1.2.3.4 25", {accepted, none}},  // only TCP is blocked
                     {"outbound udp ::1 25", {accepted, none}},
                     {"inbound tcp 1.2.3.4 25", {accepted, 8}},  // only outbound is blocked
                     {"inbound tcp 1.2.3.4 26", {dropped, none}},
                 });
  g.enable_default_security = false;
  check_cases(g, {
                     {"outbound tcp 1.2.3.4 25", {accepted, 1}},
                     {"outbound tcp 2001:db8::1 25", {accepted, 0}},
                     {"outbound tcp 1.2.3.4 465", {accepted, none}},
                     {"inbound tcp 1.2.3.4 25", {accepted, 2}},
                 });
}

TEST_CASE("evaluator: default policies decide when no rule matches", "[evaluator][hand]") {
  security_group g;
  g.enable_default_security = false;
  for (auto in_policy : {accepted, dropped})
    for (auto out_policy : {accepted, dropped}) {
      g.inbound_default_policy = in_policy;
      g.outbound_default_policy = out_policy;
      check_cases(g, {
                         {"inbound tcp 1.2.3.4 80", {in_policy, none}},
                         {"inbound 47 ::1", {in_policy, none}},
                         {"outbound udp ::1 53", {out_policy, none}},
                         {"outbound icmp 8.8.8.8", {out_policy, none}},
                     });
      const auto d = reference_evaluator(g).evaluate(parse_packet("inbound tcp 1.2.3.4 80"));
      CHECK(d.by_default());
      CHECK(d.rule == 0xffffffffu);
    }
  // A rule of the other direction does not decide.
  g.inbound_default_policy = dropped;
  g.rules = {hand_rule(out, accepted, protocol::any, "0.0.0.0/0")};
  check_cases(
      g, {{"inbound tcp 1.2.3.4 80", {dropped, none}}, {"outbound tcp 1.2.3.4 80", {accepted, 0}}});
}

TEST_CASE("evaluator: ICMP/ANY rules stored with ports ignore them", "[evaluator][hand]") {
  security_group g;
  g.enable_default_security = false;
  g.inbound_default_policy = dropped;
  g.rules = {hand_rule(in, accepted, protocol::any, "10.0.0.0/8", port_range{80, 80}, 1),
             hand_rule(in, accepted, protocol::icmp, "20.0.0.0/8", port_range{80, 80}, 2)};
  check_cases(g, {
                     {"inbound tcp 10.0.0.1 22", {accepted, 0}},
                     {"inbound udp 10.0.0.1 0", {accepted, 0}},
                     {"inbound icmp 20.0.0.1 22", {accepted, 1}},
                 });
}

TEST_CASE("evaluator: a default-constructed compiled_group decides by default", "[evaluator]") {
  const compiled_group empty;
  for (const char* line : {"inbound tcp 1.2.3.4 22", "outbound udp ::1 53", "inbound 47 ::"})
    CHECK(empty.evaluate(parse_packet(line)).by_default());
}

}  // namespace evaluator_hand
