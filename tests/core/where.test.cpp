// The where language (secgroup/where.hpp, core): grammar, precedence, meaning, errors with
// columns, and the round trip through the canonical text. Nothing here needs Z3, so these tests
// run in every build; the Z3 engine's answers to where expressions are tested in
// tests/verify/custom.test.cpp and encode.test.cpp.
#include <catch2/catch.hpp>
#include <random>
#include <secgroup/where.hpp>
#include <string>
#include <vector>

#include "support/random_groups.hpp"

using namespace secgroup;
using kind = where_expr::kind;

namespace {

where_expr atom(kind k) { return {k, {0, 0}, {}, {}}; }
where_expr protocols(std::uint32_t lo, std::uint32_t hi) { return {kind::protocol, {lo, hi}, {}, {}}; }
where_expr ports(std::uint32_t lo, std::uint32_t hi) { return {kind::port, {lo, hi}, {}, {}}; }
where_expr remote(const char* cidr) { return {kind::remote, {0, 0}, parse_network(cidr), {}}; }
where_expr op(kind k, std::vector<where_expr> xs) { return {k, {0, 0}, {}, std::move(xs)}; }

packet pk(const char* text) { return parse_packet(text); }

}  // namespace

TEST_CASE("where: atoms and their canonical text", "[where]") {
  struct row {
    const char* text;
    where_expr tree;
    const char* canonical;
  };
  const std::vector<row> rows{
      {"any", atom(kind::any), "any"},
      {"inbound", atom(kind::inbound), "inbound"},
      {"OUTBOUND", atom(kind::outbound), "outbound"},
      {"IPv4", atom(kind::ipv4), "ipv4"},
      {"ipv6", atom(kind::ipv6), "ipv6"},
      {"tcp", protocols(6, 6), "tcp"},
      {"Udp", protocols(17, 17), "udp"},
      {"icmp", atom(kind::icmp), "icmp"},
      {"protocol 47", protocols(47, 47), "protocol 47"},
      {"protocol 6", protocols(6, 6), "tcp"},
      {"protocol 0-255", protocols(0, 255), "protocol 0-255"},
      {"protocol 50 - 51", protocols(50, 51), "protocol 50-51"},
      {"port 5432", ports(5432, 5432), "port 5432"},
      {"port 1000-2000", ports(1000, 2000), "port 1000-2000"},
      {"port 0-65535", ports(0, 65535), "port 0-65535"},
      {"remote in 10.0.0.0/8", remote("10.0.0.0/8"), "remote in 10.0.0.0/8"},
      {"remote in 10.1.2.3/8", remote("10.0.0.0/8"), "remote in 10.0.0.0/8"},
      {"remote in 203.0.113.7", remote("203.0.113.7/32"), "remote in 203.0.113.7"},
      {"remote in 2001:DB8::/32", remote("2001:db8::/32"), "remote in 2001:db8::/32"},
      {"REMOTE IN ::/0", remote("::/0"), "remote in ::/0"},
      {"  \ttcp\n", protocols(6, 6), "tcp"},
  };
  for (const auto& r : rows) {
    INFO(r.text);
    auto e = parse_where(r.text);
    CHECK(e == r.tree);
    CHECK(to_string(e) == r.canonical);
  }
}

TEST_CASE("where: not binds tighter than and, and tighter than or", "[where]") {
  const auto in = atom(kind::inbound), tcp = protocols(6, 6), udp = protocols(17, 17);
  CHECK(parse_where("inbound or tcp and udp") ==
        op(kind::disjunction, {in, op(kind::conjunction, {tcp, udp})}));
  CHECK(parse_where("inbound and tcp or udp") ==
        op(kind::disjunction, {op(kind::conjunction, {in, tcp}), udp}));
  CHECK(parse_where("not inbound and tcp") ==
        op(kind::conjunction, {op(kind::negation, {in}), tcp}));
  CHECK(parse_where("not (inbound and tcp)") ==
        op(kind::negation, {op(kind::conjunction, {in, tcp})}));
  CHECK(parse_where("not not inbound") == op(kind::negation, {op(kind::negation, {in})}));
  CHECK(parse_where("inbound and tcp and udp") == op(kind::conjunction, {in, tcp, udp}));
  CHECK(parse_where("(inbound and tcp) and udp") ==
        op(kind::conjunction, {op(kind::conjunction, {in, tcp}), udp}));
  CHECK(parse_where("((inbound))") == in);
  CHECK(parse_where("inbound and(tcp or udp)") ==
        op(kind::conjunction, {in, op(kind::disjunction, {tcp, udp})}));
  CHECK(to_string(parse_where("inbound and (tcp or udp)")) == "inbound and (tcp or udp)");
  CHECK(to_string(parse_where("(inbound and tcp) or udp")) == "inbound and tcp or udp");
  CHECK(to_string(parse_where("not (tcp or udp)")) == "not (tcp or udp)");
  CHECK(to_string(parse_where("inbound and (tcp and udp)")) == "inbound and (tcp and udp)");
}

TEST_CASE("where: meaning on packets", "[where]") {
  struct row {
    const char* expression;
    const char* packet;
    bool holds;
  };
  const std::vector<row> rows{
      {"any", "outbound 47 ::1", true},
      {"inbound", "inbound tcp 1.2.3.4 22", true},
      {"inbound", "outbound tcp 1.2.3.4 22", false},
      {"ipv4", "inbound udp 1.2.3.4 53", true},
      {"ipv4", "inbound udp ::ffff:1.2.3.4 53", false},
      {"ipv6", "inbound udp ::ffff:1.2.3.4 53", true},
      {"tcp", "inbound tcp 1.2.3.4 22", true},
      {"tcp", "inbound udp 1.2.3.4 22", false},
      {"icmp", "inbound icmp 1.2.3.4", true},
      {"icmp", "inbound icmpv6 1.2.3.4", true},  // ICMPv6 over IPv4: an ICMP rule matches it too
      {"icmp", "inbound icmp ::1", true},
      {"icmp", "inbound 2 1.2.3.4", false},
      {"protocol 47", "inbound 47 1.2.3.4", true},
      {"protocol 47", "inbound 48 1.2.3.4", false},
      {"protocol 0-5", "inbound 0 1.2.3.4", true},
      {"protocol 0-5", "inbound tcp 1.2.3.4 80", false},
      {"port 22", "inbound tcp 1.2.3.4 22", true},
      {"port 22", "inbound udp 1.2.3.4 22", true},
      {"port 22", "inbound tcp 1.2.3.4 23", false},
      {"port 0", "inbound tcp 1.2.3.4 0", true},
      {"port 0", "inbound icmp 1.2.3.4", false},  // only TCP and UDP packets have ports
      {"not port 22", "inbound icmp 1.2.3.4", true},
      {"port 1000-2000", "inbound tcp 1.2.3.4 999", false},
      {"port 1000-2000", "inbound tcp 1.2.3.4 1000", true},
      {"port 1000-2000", "inbound tcp 1.2.3.4 2000", true},
      {"port 1000-2000", "inbound tcp 1.2.3.4 2001", false},
      {"remote in 10.0.0.0/8", "inbound tcp 10.255.255.255 1", true},
      {"remote in 10.0.0.0/8", "inbound tcp 11.0.0.0 1", false},
      {"remote in 10.0.0.0/8", "inbound tcp ::ffff:10.0.0.1 1", false},
      {"remote in 0.0.0.0/0", "inbound tcp ::1 1", false},
      {"remote in ::/0", "inbound tcp ::1 1", true},
      {"remote in 2001:db8::/32", "inbound tcp 2001:db8:ffff::1 1", true},
      {"remote in 2001:db8::/32", "inbound tcp 2001:db9::1 1", false},
      {"inbound and tcp and port 5432 and not remote in 10.0.0.0/8",
       "inbound tcp 192.0.2.1 5432", true},
      {"inbound and tcp and port 5432 and not remote in 10.0.0.0/8", "inbound tcp 10.0.0.1 5432",
       false},
      {"inbound and tcp and port 5432 and not remote in 10.0.0.0/8",
       "outbound tcp 192.0.2.1 5432", false},
      {"udp or tcp and port 80", "inbound udp 1.1.1.1 53", true},
      {"(udp or tcp) and port 80", "inbound udp 1.1.1.1 53", false},
  };
  for (const auto& r : rows) {
    INFO(r.expression << " on " << r.packet);
    CHECK(matches(parse_where(r.expression), pk(r.packet)) == r.holds);
  }
}

TEST_CASE("where: errors name the column", "[where]") {
  struct row {
    const char* text;
    const char* id;
    std::size_t column;
    const char* says;
  };
  const std::vector<row> rows{
      {"", errc::bad_where, 1, "expected a condition, got the end of the expression"},
      {"   ", errc::bad_where, 4, "expected a condition"},
      {"inbound and", errc::bad_where, 12, "expected a condition, got the end"},
      {"inbound tcp", errc::bad_where, 9, "expected 'and', 'or' or the end of the expression, got 'tcp'"},
      {"and tcp", errc::bad_where, 1, "expected a condition before 'and'"},
      {"inbound or or tcp", errc::bad_where, 12, "expected a condition before 'or'"},
      {"inbond", errc::bad_where, 1, "unknown word 'inbond'"},
      {"tcp and prot 5", errc::bad_where, 9, "unknown word 'prot'"},
      {"(tcp or udp", errc::bad_where, 12, "expected ')' to close the '(' of column 1"},
      {"tcp)", errc::bad_where, 4, "got ')'"},
      {"()", errc::bad_where, 2, "expected a condition, got ')'"},
      {"tcp & udp", errc::bad_where, 5, "unexpected character '&'"},
      {"port", errc::bad_where, 5, "expected a number after 'port'"},
      {"port -5", errc::bad_where, 6, "expected a number after 'port', got '-'"},
      {"port 70000", errc::bad_number, 6, "invalid port '70000' (expected 0..65535)"},
      {"port 022", errc::bad_number, 6, "invalid port '022'"},
      {"port 2000-1000", errc::bad_where, 6, "port range 2000-1000 ends before it starts"},
      {"port 10-", errc::bad_where, 9, "expected a number after 'port'"},
      {"protocol 256", errc::bad_number, 10, "invalid protocol '256' (expected 0..255)"},
      {"protocol tcp", errc::bad_number, 10, "invalid protocol 'tcp'"},
      {"remote 10.0.0.0/8", errc::bad_where, 8, "expected 'in' after 'remote'"},
      {"remote in", errc::bad_where, 10, "expected a network after 'remote in'"},
      {"remote in 10.0.0.0/33", errc::bad_cidr, 11, "invalid network '10.0.0.0/33'"},
      {"inbound and remote in 1.2.3", errc::bad_cidr, 23, "invalid network '1.2.3'"},
      {"remote in fe80::1::2", errc::bad_cidr, 11, "invalid network"},
  };
  for (const auto& r : rows) {
    INFO("'" << r.text << "'");
    try {
      parse_where(r.text, "--where");
      FAIL("no error");
    } catch (const where_error& e) {
      CHECK(e.id() == r.id);
      CHECK(e.field() == "--where");
      CHECK(e.column() == r.column);
      CHECK_THAT(e.message(), Catch::Contains(r.says));
      CHECK_THAT(e.what(), Catch::StartsWith(std::string("[") + r.id + "] --where: column " +
                                             std::to_string(r.column) + ": "));
    }
  }
  // A where_error is a parse_error, so callers that catch parse errors see it.
  CHECK_THROWS_AS(parse_where("port 99999"), parse_error);
}

TEST_CASE("where: nesting is bounded", "[where]") {
  CHECK_NOTHROW(parse_where(std::string(150, '(') + "tcp" + std::string(150, ')')));
  auto nots = [](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += "not ";
    return s + "tcp";
  };
  CHECK_NOTHROW(parse_where(nots(150)));
  CHECK_THROWS_AS(parse_where(std::string(5000, '(') + "tcp" + std::string(5000, ')')),
                  where_error);
  CHECK_THROWS_AS(parse_where(nots(5000)), where_error);
}

namespace {

/// A random expression of depth at most `depth`.
where_expr random_expr(secgroup_test::rng_type& rng, int depth) {
  using secgroup_test::chance;
  using secgroup_test::uniform;
  if (depth == 0 || chance(rng, 40)) {
    switch (uniform(rng, 0, 9)) {
      case 0:
        return atom(kind::any);
      case 1:
        return atom(chance(rng, 50) ? kind::inbound : kind::outbound);
      case 2:
        return atom(chance(rng, 50) ? kind::ipv4 : kind::ipv6);
      case 3:
        return atom(kind::icmp);
      case 4: {
        auto a = static_cast<std::uint32_t>(uniform(rng, 0, 255));
        auto b = chance(rng, 50) ? a : static_cast<std::uint32_t>(uniform(rng, a, 255));
        return protocols(a, b);
      }
      case 5:
      case 6: {
        auto a = static_cast<std::uint32_t>(uniform(rng, 0, 65535));
        auto b = chance(rng, 50) ? a : static_cast<std::uint32_t>(uniform(rng, a, 65535));
        return ports(a, b);
      }
      default: {
        auto f = chance(rng, 50) ? family::v4 : family::v6;
        auto prefix = static_cast<unsigned>(uniform(rng, 0, address_bits(f)));
        return {kind::remote, {0, 0}, ip_network::of(secgroup_test::random_ip(rng, f), prefix), {}};
      }
    }
  }
  auto k = uniform(rng, 0, 2);
  if (k == 0) return op(kind::negation, {random_expr(rng, depth - 1)});
  std::vector<where_expr> xs;
  for (auto n = uniform(rng, 2, 3); n-- > 0;) xs.push_back(random_expr(rng, depth - 1));
  return op(k == 1 ? kind::conjunction : kind::disjunction, std::move(xs));
}

}  // namespace

TEST_CASE("where: canonical text parses back to the same tree", "[where]") {
  secgroup_test::rng_type rng(7101);
  for (int n = 0; n < 3000; ++n) {
    auto e = random_expr(rng, 4);
    auto text = to_string(e);
    INFO(text);
    auto back = parse_where(text);
    // Canonical text drops nothing but redundant parentheses: the same tree, except that a
    // conjunction directly inside a conjunction (or a disjunction inside a disjunction) keeps
    // its parentheses and so its shape.
    CHECK(back == e);
    CHECK(to_string(back) == text);
  }
}
