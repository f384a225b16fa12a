// Custom questions of the Z3 engine: where expressions (ALL / NONE / PARTIAL with witnesses)
// and inclusion ("does A accept everything B accepts?"), checked on the exact cell grid of
// oracle.hpp with the reference evaluator and where.hpp's matches(); a few hand-written cases.
#include <catch2/catch.hpp>
#include <map>
#include <secgroup/analysis.hpp>
#include <secgroup/reference.hpp>
#include <secgroup/verify/z3.hpp>
#include <string>
#include <vector>

#include "support/random_groups.hpp"
#include "support/scale.hpp"
#include "verify/oracle.hpp"

using namespace secgroup;
using secgroup_test::chance;
using secgroup_test::rng_type;
using secgroup_test::uniform;
using kind = where_expr::kind;

namespace {

/// A random expression over the material of `g`: its networks (and sub/supernetworks), its
/// port bounds, protocol numbers around the classes; depth at most `depth`.
where_expr random_where(rng_type& rng, const security_group& g, int depth) {
  const auto rules = ordered_rules(g);
  if (depth == 0 || chance(rng, 45)) {
    where_expr e;
    switch (uniform(rng, 0, 11)) {
      case 0:
        e.op = kind::any;
        break;
      case 1:
      case 2:
        e.op = chance(rng, 50) ? kind::inbound : kind::outbound;
        break;
      case 3:
        e.op = chance(rng, 50) ? kind::ipv4 : kind::ipv6;
        break;
      case 4:
        e.op = kind::icmp;
        break;
      case 5: {
        e.op = kind::protocol;
        auto a = secgroup_test::pick(rng, std::array<std::uint32_t, 8>{0, 1, 6, 17, 47, 58, 59, 255});
        e.range = {a, chance(rng, 60) ? a : static_cast<std::uint32_t>(uniform(rng, a, 255))};
        break;
      }
      case 6:
      case 7: {
        e.op = kind::port;
        std::uint32_t a = 0;
        if (!rules.empty() && chance(rng, 60)) {
          const auto& r = rules[uniform(rng, 0, rules.size() - 1)];
          a = r.ports ? (chance(rng, 50) ? r.ports->from : r.ports->to) : 0u;
        } else {
          a = static_cast<std::uint32_t>(uniform(rng, 0, 65535));
        }
        auto b = chance(rng, 50) ? a : static_cast<std::uint32_t>(uniform(rng, a, 65535));
        e.range = {a, b};
        break;
      }
      default: {
        e.op = kind::remote;
        if (!rules.empty() && chance(rng, 75)) {
          auto n = rules[uniform(rng, 0, rules.size() - 1)].ip_range;
          auto prefix = chance(rng, 50) ? n.prefix
                                        : static_cast<unsigned>(uniform(rng, 0, address_bits(n.af())));
          e.network = ip_network::of(n.address, prefix);
        } else {
          auto f = chance(rng, 50) ? family::v4 : family::v6;
          e.network = ip_network::of(secgroup_test::random_ip(rng, f),
                                     static_cast<unsigned>(uniform(rng, 0, address_bits(f))));
        }
        break;
      }
    }
    return e;
  }
  auto k = uniform(rng, 0, 4);
  if (k == 0) return {kind::negation, {0, 0}, {}, {random_where(rng, g, depth - 1)}};
  where_expr e{k <= 2 ? kind::conjunction : kind::disjunction, {0, 0}, {}, {}};
  for (auto n = uniform(rng, 2, 3); n-- > 0;) e.operands.push_back(random_where(rng, g, depth - 1));
  return e;
}

void check_where_witness(const security_group& g, const where_expr& e,
                         const std::optional<analysis::query_witness>& w, action expected) {
  REQUIRE(w);
  INFO("witness " << to_string(w->packet));
  CHECK(matches(e, w->packet));
  auto d = evaluate_reference(g, w->packet);
  CHECK(w->decision == d);
  CHECK(d.action == expected);
  if (!carries_ports(w->packet.protocol)) CHECK(w->packet.port == 0);
}

}  // namespace

TEST_CASE("where: answers on random groups match the exact grid", "[verify][where][slow]") {
  rng_type rng(6001);
  std::map<analysis::coverage, int> seen;
  for (int n = 0; n < secgroup_test::scaled(1200); ++n) {
    auto g = secgroup_test::random_group(rng, {12, 40, 3});
    auto e = random_where(rng, g, 3);
    // Through the text, as a user would give it.
    e = parse_where(to_string(e));
    INFO("case " << n << ": " << to_string(e) << "\n" << secgroup_test::describe(g));
    auto r = verify::evaluate_where(g, e);
    REQUIRE(r.answer != analysis::coverage::unknown);
    ++seen[r.answer];
    secgroup_test::grid grid;
    grid.add(g);
    grid.add(e);
    const auto cells = grid.packets();
    CHECK(secgroup_test::exact_coverage(g, cells, [&](const packet& p) { return matches(e, p); }) ==
          r.answer);
    const bool selects = secgroup_test::find_cell(cells, [&](const packet& p) { return matches(e, p); })
                             .has_value();
    CHECK(r.accepted.has_value() == (r.answer != analysis::coverage::none));
    CHECK(r.dropped.has_value() == (selects && r.answer != analysis::coverage::all));
    if (r.accepted) check_where_witness(g, e, r.accepted, action::accept);
    if (r.dropped) check_where_witness(g, e, r.dropped, action::drop);
  }
  for (auto c : {analysis::coverage::all, analysis::coverage::none, analysis::coverage::partial})
    CHECK(seen[c] > secgroup_test::scaled(50));
}

TEST_CASE("where: a query box written as an expression gets the interval engine's answer",
          "[verify][where]") {
  rng_type rng(6002);
  for (int n = 0; n < 300; ++n) {
    auto g = secgroup_test::random_group(rng, {14, 40, 3});
    auto rules = ordered_rules(g);
    analysis::query q;
    q.direction = chance(rng, 50) ? direction::inbound : direction::outbound;
    q.protocols = mask_of(secgroup_test::pick(
        rng, std::array<protocol, 4>{protocol::tcp, protocol::udp, protocol::icmp, protocol::any}));
    std::string text = q.direction == direction::inbound ? "inbound" : "outbound";
    if (q.protocols == mask_of(protocol::tcp)) text += " and tcp";
    if (q.protocols == mask_of(protocol::udp)) text += " and udp";
    if (q.protocols == mask_of(protocol::icmp)) text += " and icmp";
    if (!rules.empty() && chance(rng, 70)) {
      q.remotes.push_back(rules[uniform(rng, 0, rules.size() - 1)].ip_range);
      text += " and remote in " + to_string(q.remotes.back());
    }
    if (chance(rng, 60)) {
      auto a = static_cast<std::uint32_t>(uniform(rng, 0, 65535));
      q.ports = {a, static_cast<std::uint32_t>(uniform(rng, a, 65535))};
      // Ports constrain only TCP and UDP in a query box.
      text += " and (port " + std::to_string(q.ports.lo) + "-" + std::to_string(q.ports.hi) +
              " or not (tcp or udp))";
    }
    INFO(text << "\n" << secgroup_test::describe(g));
    auto z3 = verify::evaluate_where(g, parse_where(text));
    CHECK(z3.answer == analysis::evaluate_query(g, q).answer);
  }
}

TEST_CASE("where: hand-written questions", "[verify][where]") {
  security_group g;
  g.enable_default_security = true;
  g.inbound_default_policy = action::drop;
  g.outbound_default_policy = action::accept;
  auto add = [&](protocol p, action a, const char* net, std::optional<port_range> ports) {
    rule r;
    r.id = "r" + std::to_string(g.rules.size());
    r.protocol = p;
    r.action = a;
    r.ip_range = parse_network(net);
    r.ports = ports;
    r.position = static_cast<std::uint32_t>(g.rules.size() + 1);
    g.rules.push_back(r);
  };
  add(protocol::tcp, action::drop, "10.0.0.0/8", port_range{5432, 5432});
  add(protocol::tcp, action::accept, "0.0.0.0/0", port_range{5432, 5432});
  add(protocol::tcp, action::accept, "::/0", port_range{443, 443});
  auto ask = [&](const char* text) { return verify::evaluate_where(g, parse_where(text)); };
  using analysis::coverage;
  CHECK(ask("inbound and tcp and port 5432 and not remote in 10.0.0.0/8").answer ==
        coverage::partial);  // IPv6 remotes are dropped by default
  CHECK(ask("inbound and tcp and port 5432 and ipv4 and not remote in 10.0.0.0/8").answer ==
        coverage::all);
  CHECK(ask("inbound and tcp and port 5432 and remote in 10.1.0.0/16").answer == coverage::none);
  CHECK(ask("inbound and udp").answer == coverage::none);
  CHECK(ask("inbound and ipv6 and tcp and port 443").answer == coverage::all);
  CHECK(ask("outbound and tcp and port 25").answer == coverage::none);     // default SMTP rules
  CHECK(ask("outbound and tcp and port 24-26").answer == coverage::partial);
  CHECK(ask("outbound and protocol 47").answer == coverage::all);
  auto r = ask("inbound and tcp and port 5432 and ipv4");
  CHECK(r.answer == coverage::partial);
  REQUIRE(r.dropped);
  CHECK(r.dropped->decision == decision{action::drop, 6});
  CHECK(parse_network("10.0.0.0/8").contains(r.dropped->packet.remote));
  REQUIRE(r.accepted);
  CHECK(r.accepted->decision == decision{action::accept, 7});
  // An empty selection: NONE, no witnesses.
  r = ask("inbound and outbound");
  CHECK(r.answer == coverage::none);
  CHECK_FALSE(r.accepted);
  CHECK_FALSE(r.dropped);
  r = ask("tcp and icmp");
  CHECK(r.answer == coverage::none);
  CHECK_FALSE(r.dropped);
  // Witnesses respect protocol numbers the expression names.
  r = ask("outbound and protocol 50");
  REQUIRE(r.accepted);
  CHECK(r.accepted->packet.protocol == 50);
  r = ask("outbound and protocol 2-5 and ipv6");
  REQUIRE(r.accepted);
  CHECK(r.accepted->packet.protocol >= 2);
  CHECK(r.accepted->packet.protocol <= 5);
  CHECK(r.accepted->packet.remote.af == family::v6);
}

TEST_CASE("includes: random group pairs match the exact grid", "[verify][includes][slow]") {
  rng_type rng(6003);
  std::map<outcome, int> seen;
  for (int n = 0; n < secgroup_test::scaled(1200); ++n) {
    auto a = secgroup_test::random_group(rng, {12, 40, 3});
    auto b = secgroup_test::random_group(rng, {12, 40, 3});
    if (chance(rng, 40)) {  // B = A with fewer rules, or more: inclusion often holds
      b = a;
      if (!b.rules.empty()) b.rules.erase(b.rules.begin() + static_cast<std::ptrdiff_t>(uniform(rng, 0, b.rules.size() - 1)));
    }
    std::optional<where_expr> within;
    if (chance(rng, 40)) within = random_where(rng, a, 2);
    INFO("case " << n << (within ? " within " + to_string(*within) : std::string()) << "\nA:\n"
                 << secgroup_test::describe(a) << "\nB:\n" << secgroup_test::describe(b));
    auto v = within ? verify::includes(a, b, *within) : verify::includes(a, b);
    REQUIRE(v.result != outcome::unknown);
    ++seen[v.result];
    secgroup_test::grid grid;
    grid.add(a);
    grid.add(b);
    if (within) grid.add(*within);
    auto missing = secgroup_test::find_cell(grid.packets(), [&](const packet& p) {
      return (!within || matches(*within, p)) &&
             evaluate_reference(b, p).action == action::accept &&
             evaluate_reference(a, p).action == action::drop;
    });
    CHECK(missing.has_value() == (v.result == outcome::violated));
    if (v.result == outcome::violated) {
      REQUIRE(v.counterexample);
      const auto& w = *v.counterexample;
      INFO("witness " << to_string(w.packet));
      if (within) CHECK(matches(*within, w.packet));
      CHECK(w.a == evaluate_reference(a, w.packet));
      CHECK(w.b == evaluate_reference(b, w.packet));
      CHECK(w.a.action == action::drop);
      CHECK(w.b.action == action::accept);
    }
  }
  CHECK(seen[outcome::holds] > secgroup_test::scaled(100));
  CHECK(seen[outcome::violated] > secgroup_test::scaled(100));
}

TEST_CASE("includes: laws", "[verify][includes]") {
  rng_type rng(6004);
  for (int n = 0; n < 150; ++n) {
    auto a = secgroup_test::random_group(rng, {12, 40, 3});
    auto b = secgroup_test::random_group(rng, {12, 40, 3});
    INFO("case " << n);
    // Every group includes itself; equivalence is inclusion both ways.
    CHECK(verify::includes(a, a).result == outcome::holds);
    const bool both = verify::includes(a, b).result == outcome::holds &&
                      verify::includes(b, a).result == outcome::holds;
    CHECK(both == (verify::equivalence(a, b).result == outcome::holds));
    // A group accepting everything includes all; one dropping everything is included in all.
    security_group open, closed;
    open.enable_default_security = closed.enable_default_security = false;
    closed.inbound_default_policy = closed.outbound_default_policy = action::drop;
    CHECK(verify::includes(open, a).result == outcome::holds);
    CHECK(verify::includes(a, closed).result == outcome::holds);
  }
}
