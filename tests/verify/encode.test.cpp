// The encoding (secgroup/verify/detail/encode.hpp) against the model: a rule's formula, a where
// expression's formula and a query box's formula evaluated on concrete packets agree with
// reference.hpp's matches(), where.hpp's matches() and the query's meaning; packets survive
// the trip through a model; explain() names the rules a packet matches and the decision the
// reference evaluator takes.
#include <catch2/catch.hpp>
#include <secgroup/reference.hpp>
#include <secgroup/verify/z3.hpp>
#include <string>
#include <vector>

#include "support/random_groups.hpp"
#include "verify/oracle.hpp"

using namespace secgroup;
namespace vd = secgroup::verify::detail;

namespace {

/// Packet terms, and a solver over them, to evaluate formulas on concrete packets.
struct pinned {
  z3::context& c = vd::thread_context();
  vd::packet_terms p = vd::make_packet_terms(c, "pin.");
  z3::solver s{c, z3::solver::simple()};

  pinned() { s.add(vd::well_formed(p)); }

  /// The value of formula `f` (over the packet terms only) on packet `x`: the fields are
  /// substituted by constants and the result simplified, which must leave true or false.
  bool holds(const z3::expr& f, const packet& x) {
    z3::expr_vector from(c), to(c);
    for (const auto* t : {&p.inbound, &p.v6, &p.address, &p.protocol, &p.port}) from.push_back(*t);
    to.push_back(c.bool_val(x.direction == direction::inbound));
    to.push_back(c.bool_val(x.remote.af == family::v6));
    to.push_back(vd::bits(c, x.remote.value, 128));
    to.push_back(c.bv_val(static_cast<unsigned>(x.protocol), 8));
    to.push_back(c.bv_val(static_cast<unsigned>(x.port), 16));
    auto v = z3::expr(f).substitute(from, to).simplify();
    REQUIRE((v.is_true() || v.is_false()));
    return v.is_true();
  }
};

}  // namespace

TEST_CASE("encode: rule formulas agree with the reference matcher", "[verify][encode][slow]") {
  secgroup_test::rng_type rng(5001);
  pinned pin;
  std::size_t checked = 0, matched = 0;
  for (int n = 0; n < 60; ++n) {
    auto g = secgroup_test::random_group(rng, {8, 50, 3});
    auto rules = ordered_rules(g);
    auto packets = secgroup_test::random_packets(rng, g, 40);
    auto edges = secgroup_test::edge_packets(g);
    for (std::size_t k = 0; k < edges.size(); k += 7) packets.push_back(edges[k]);
    for (const auto& r : rules) {
      auto f = vd::rule_matches(pin.p, r);
      for (const auto& x : packets) {
        INFO(to_string(r) << " on " << to_string(x));
        const bool want = matches(r, x);
        CHECK(pin.holds(f, x) == want);
        ++checked;
        matched += want;
      }
    }
  }
  CHECK(checked > 5000);
  CHECK(matched > checked / 50);
}

TEST_CASE("encode: packets read back from models", "[verify][encode]") {
  secgroup_test::rng_type rng(5002);
  pinned pin;
  for (int n = 0; n < 300; ++n) {
    packet x;
    x.direction = secgroup_test::chance(rng, 50) ? direction::inbound : direction::outbound;
    x.remote = secgroup_test::random_ip(rng, secgroup_test::chance(rng, 50) ? family::v4 : family::v6);
    x.protocol = static_cast<std::uint8_t>(secgroup_test::uniform(rng, 0, 255));
    x.port = static_cast<std::uint16_t>(secgroup_test::uniform(rng, 0, 65535));
    pin.s.push();
    pin.s.add(vd::is_packet(pin.p, x));
    REQUIRE(pin.s.check() == z3::sat);
    CHECK(vd::read_packet(pin.s.get_model(), pin.p) == x);
    pin.s.pop();
  }
  // An IPv4 packet cannot carry bits above the low 32 (well_formed).
  pin.s.push();
  pin.s.add(!pin.p.v6);
  pin.s.add(pin.p.address.extract(127, 127) == pin.c.bv_val(1, 1));
  CHECK(pin.s.check() == z3::unsat);
  pin.s.pop();
}

TEST_CASE("encode: where and query formulas agree with their meaning", "[verify][encode]") {
  secgroup_test::rng_type rng(5003);
  pinned pin;
  const std::vector<std::string> expressions{
      "inbound and tcp and port 5432 and not remote in 10.0.0.0/8",
      "icmp or protocol 47 or protocol 0-5",
      "not port 22",
      "port 0 or port 65535",
      "udp and port 53 and (remote in 2001:db8::/32 or remote in 192.0.2.0/24)",
      "ipv6 and not icmp",
      "outbound and protocol 6-17 and not (tcp or udp)",
      "any",
  };
  for (const auto& text : expressions) {
    auto e = parse_where(text);
    auto f = vd::where_holds(pin.p, e);
    secgroup_test::grid grid;
    grid.add(e);
    for (const auto& x : grid.packets()) {
      INFO(text << " on " << to_string(x));
      CHECK(pin.holds(f, x) == matches(e, x));
    }
  }
  for (int n = 0; n < 40; ++n) {
    analysis::query q;
    q.direction = secgroup_test::chance(rng, 50) ? direction::inbound : direction::outbound;
    q.protocols = static_cast<proto_mask>(secgroup_test::uniform(rng, 0, 15));
    for (auto k = secgroup_test::uniform(rng, 0, 2); k-- > 0;) {
      auto fam = secgroup_test::chance(rng, 50) ? family::v4 : family::v6;
      q.remotes.push_back(ip_network::of(
          secgroup_test::random_ip(rng, fam),
          static_cast<unsigned>(secgroup_test::uniform(rng, 0, address_bits(fam)))));
    }
    auto a = static_cast<std::uint32_t>(secgroup_test::uniform(rng, 0, 65535));
    auto b = static_cast<std::uint32_t>(secgroup_test::uniform(rng, 0, 65535));
    q.ports = {std::min(a, b), std::max(a, b)};
    auto f = vd::query_holds(pin.p, q);
    secgroup_test::grid grid;
    grid.add(q);
    for (const auto& x : grid.packets()) {
      INFO("query case " << n << " on " << to_string(x));
      CHECK(pin.holds(f, x) == secgroup_test::in_query(q, x));
    }
  }
}

TEST_CASE("explain: the rules a packet passes through", "[verify][explain][slow]") {
  secgroup_test::rng_type rng(5004);
  std::size_t several = 0;
  for (int n = 0; n < 150; ++n) {
    auto g = secgroup_test::random_group(rng, {20, 40, 3});
    reference_evaluator ref(g);
    for (const auto& x : secgroup_test::random_packets(rng, g, 12)) {
      INFO(secgroup_test::describe(g) << "\npacket " << to_string(x));
      auto e = verify::explain(g, x);
      CHECK(e.packet == x);
      std::vector<std::uint32_t> want;
      for (std::uint32_t i = 0; i < ref.rules().size(); ++i)
        if (matches(ref.rules()[i], x)) want.push_back(i);
      CHECK(e.matched == want);
      CHECK(e.decision == ref.evaluate(x));
      several += want.size() > 1;
    }
  }
  CHECK(several > 30);
}

TEST_CASE("explain: a hand-written group", "[verify][explain]") {
  security_group g;
  g.inbound_default_policy = action::drop;
  auto add = [&](const char* id, protocol p, action a, const char* net,
                 std::optional<port_range> ports) {
    rule r;
    r.id = id;
    r.protocol = p;
    r.action = a;
    r.ip_range = parse_network(net);
    r.ports = ports;
    r.position = static_cast<std::uint32_t>(g.rules.size() + 1);
    g.rules.push_back(r);
  };
  add("ban", protocol::any, action::drop, "198.51.100.7/32", std::nullopt);
  add("web", protocol::tcp, action::accept, "0.0.0.0/0", port_range{80, 443});
  add("admin", protocol::tcp, action::accept, "198.51.100.0/24", port_range{22, 22});
  // 6 default rules come first (enable_default_security), so user rules are 6, 7, 8.
  auto e = verify::explain(g, parse_packet("inbound tcp 198.51.100.7 80"));
  CHECK(e.matched == std::vector<std::uint32_t>{6, 7});
  CHECK(e.decision == decision{action::drop, 6});
  e = verify::explain(g, parse_packet("inbound tcp 198.51.100.8 22"));
  CHECK(e.matched == std::vector<std::uint32_t>{8});
  CHECK(e.decision == decision{action::accept, 8});
  e = verify::explain(g, parse_packet("inbound udp 198.51.100.8 22"));
  CHECK(e.matched.empty());
  CHECK(e.decision == decision{action::drop, decision::no_rule});
  e = verify::explain(g, parse_packet("outbound tcp 192.0.2.1 465"));
  CHECK(e.matched == std::vector<std::uint32_t>{1});
  CHECK(e.decision == decision{action::drop, 1});
  e = verify::explain(g, parse_packet("outbound tcp 2001:db8::1 587"));
  CHECK(e.matched == std::vector<std::uint32_t>{5});
}
