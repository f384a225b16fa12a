// Packets: text form, packet files, protocol matching, and the reference `matches` of one rule.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <secgroup/io/packets.hpp>
#include <secgroup/secgroup.hpp>

#include "support/random_groups.hpp"

using namespace secgroup;

namespace {

rule make_rule(protocol p, const char* cidr, std::optional<port_range> ports = std::nullopt,
               direction d = direction::inbound) {
  rule r;
  r.protocol = p;
  r.direction = d;
  r.ip_range = parse_network(cidr);
  r.ports = ports;
  return normalize(r);
}

packet make(direction d, std::uint8_t proto, const char* remote, std::uint16_t port = 0) {
  return {d, proto, parse_address(remote), port};
}

}  // namespace

// -- Text --------------------------------------------------------------------------------

TEST_CASE("packet: parse_packet reads DIRECTION PROTOCOL REMOTE [PORT]", "[packet]") {
  struct sample {
    const char* line;
    packet expected;
    const char* text;  // to_string of the packet
  };
  auto s = GENERATE(values<sample>({
      {"inbound tcp 203.0.113.7 22", {direction::inbound, 6, ip_address::v4(0xcb007107u), 22},
       "inbound tcp 203.0.113.7 22"},
      {"outbound icmp ::1", {direction::outbound, 58, ip_address::v6(1), 0}, "outbound icmpv6 ::1"},
      {"outbound icmp 10.0.0.1", {direction::outbound, 1, ip_address::v4(0x0a000001u), 0},
       "outbound icmp 10.0.0.1"},
      {"inbound 47 10.0.0.1", {direction::inbound, 47, ip_address::v4(0x0a000001u), 0},
       "inbound 47 10.0.0.1"},
      {"inbound icmpv6 10.0.0.1", {direction::inbound, 58, ip_address::v4(0x0a000001u), 0},
       "inbound icmpv6 10.0.0.1"},
      {"  OUTBOUND  UDP\t2001:db8::1   65535  ",
       {direction::outbound, 17, ip_address::v6({0x20010db800000000, 1}), 65535},
       "outbound udp 2001:db8::1 65535"},
      {"inbound 6 1.2.3.4 0", {direction::inbound, 6, ip_address::v4(0x01020304u), 0},
       "inbound tcp 1.2.3.4 0"},
      {"inbound 0 1.2.3.4", {direction::inbound, 0, ip_address::v4(0x01020304u), 0},
       "inbound 0 1.2.3.4"},
      {"inbound 255 ::", {direction::inbound, 255, ip_address::v6(0), 0}, "inbound 255 ::"},
      {"inbound 17 ::ffff:1.2.3.4 53",
       {direction::inbound, 17, ip_address::v6({0, 0x0000ffff01020304}), 53},
       "inbound udp ::ffff:1.2.3.4 53"},
  }));
  CAPTURE(s.line);
  auto p = parse_packet(s.line);
  CHECK(p == s.expected);
  CHECK(to_string(p) == s.text);
  CHECK(parse_packet(to_string(p)) == p);
}

TEST_CASE("packet: parse_packet rejects malformed lines", "[packet]") {
  struct sample {
    const char* line;
    const char* id;
    const char* field;
  };
  auto s = GENERATE(values<sample>({
      {"inbound tcp 203.0.113.7", "secgroup.parse.108", "f.txt:3 port"},
      {"inbound udp ::1", "secgroup.parse.108", "f.txt:3 port"},
      {"inbound tcp 1.2.3.4 65536", "secgroup.parse.107", "f.txt:3 port"},
      {"inbound tcp 1.2.3.4 -1", "secgroup.parse.107", "f.txt:3 port"},
      {"inbound tcp 1.2.3.4 022", "secgroup.parse.107", "f.txt:3 port"},
      {"inbound tcp 1.2.3.4 http", "secgroup.parse.107", "f.txt:3 port"},
      {"in tcp 1.2.3.4 22", "secgroup.parse.103", "f.txt:3 direction"},
      {"sideways tcp 1.2.3.4 22", "secgroup.parse.103", "f.txt:3 direction"},
      {"inbound sctp 1.2.3.4 22", "secgroup.parse.103", "f.txt:3 protocol"},
      {"inbound 256 1.2.3.4", "secgroup.parse.103", "f.txt:3 protocol"},
      {"inbound -1 1.2.3.4", "secgroup.parse.103", "f.txt:3 protocol"},
      {"inbound any 1.2.3.4", "secgroup.parse.103", "f.txt:3 protocol"},
      {"inbound tcp 1.2.3.256 22", "secgroup.parse.101", "f.txt:3 remote"},
      {"inbound tcp 1.2.3.0/24 22", "secgroup.parse.101", "f.txt:3 remote"},
      {"inbound tcp 1.2.3.4 22 extra", "secgroup.parse.108", "f.txt:3"},
      {"inbound tcp", "secgroup.parse.108", "f.txt:3"},
      {"", "secgroup.parse.108", "f.txt:3"},
      {"   ", "secgroup.parse.108", "f.txt:3"},
  }));
  CAPTURE(s.line);
  try {
    parse_packet(s.line, "f.txt:3");
    FAIL("accepted");
  } catch (const parse_error& e) {
    CHECK(e.id() == s.id);
    CHECK(e.field() == s.field);
  }
}

TEST_CASE("packet: make_packet names the part at fault without a location", "[packet]") {
  try {
    make_packet("inbound", "tcp", "1.2.3.4", std::nullopt);
    FAIL("accepted a TCP packet without port");
  } catch (const parse_error& e) {
    CHECK(e.id() == "secgroup.parse.108");
    CHECK(e.field() == "port");
  }
  auto p = make_packet("outbound", "ICMP", "2001:db8::5", std::nullopt);
  CHECK(p.protocol == ip_proto::icmpv6);
  CHECK(make_packet("outbound", "icmp", "1.2.3.4", std::nullopt).protocol == ip_proto::icmp);
  CHECK(make_packet("inbound", "1", "::1", std::nullopt).protocol == 1);  // numbers are literal
  CHECK(make_packet("inbound", "icmp", "1.2.3.4", std::string_view("7")).port == 7);
}

TEST_CASE("packet: random packets round-trip through their text", "[packet][random]") {
  secgroup_test::rng_type rng(0xface);
  for (int i = 0; i < 3000; ++i) {
    packet p;
    p.direction = secgroup_test::chance(rng, 50) ? direction::inbound : direction::outbound;
    p.protocol = static_cast<std::uint8_t>(secgroup_test::uniform(rng, 0, 255));
    if (secgroup_test::chance(rng, 50)) p.protocol = secgroup_test::chance(rng, 50) ? 6 : 17;
    p.remote = secgroup_test::random_ip(rng, secgroup_test::chance(rng, 50) ? family::v4
                                                                            : family::v6);
    p.port = carries_ports(p.protocol) ? static_cast<std::uint16_t>(secgroup_test::uniform(rng, 0, 65535))
                                       : 0;
    if (p.protocol == ip_proto::icmp && p.remote.af == family::v6) continue;  // see below
    CAPTURE(to_string(p));
    CHECK(parse_packet(to_string(p)) == p);
  }
}

TEST_CASE("packet: ICMP (1) and ICMPv6 (58) round-trip with either family", "[packet]") {
  // Text 'icmp' means 1 for an IPv4 remote and 58 for an IPv6 one (docs/semantics.md), so the
  // text of protocol 1 to an IPv6 remote must not be 'icmp'.
  for (std::uint8_t proto : {ip_proto::icmp, ip_proto::icmpv6})
    for (const char* remote : {"192.0.2.1", "2001:db8::1"}) {
      packet p{direction::inbound, proto, parse_address(remote), 0};
      CAPTURE(to_string(p));
      CHECK(parse_packet(to_string(p)) == p);
    }
}

TEST_CASE("packet: protocol names and numbers", "[packet]") {
  CHECK(protocol_name(6) == "tcp");
  CHECK(protocol_name(17) == "udp");
  CHECK(protocol_name(1) == "icmp");
  CHECK(protocol_name(58) == "icmpv6");
  CHECK(protocol_name(47) == "47");
  CHECK(protocol_name(0) == "0");
  CHECK(parse_ip_protocol("ICMP", family::v6) == 58);
  CHECK(parse_ip_protocol("icmp", family::v4) == 1);
  CHECK(parse_ip_protocol("IcmpV6", family::v4) == 58);
  CHECK(parse_ip_protocol("255", family::v4) == 255);
  CHECK_THROWS_AS(parse_ip_protocol("01", family::v4), parse_error);
  CHECK(parse_port("0") == 0);
  CHECK(parse_port("65535") == 65535);
  CHECK_THROWS_AS(parse_port("65536"), parse_error);
  CHECK_THROWS_AS(parse_port("100000"), parse_error);
  CHECK_THROWS_AS(parse_port(""), parse_error);
  CHECK(carries_ports(6));
  CHECK(carries_ports(17));
  for (int n : {0, 1, 47, 58, 132, 255}) CHECK_FALSE(carries_ports(static_cast<std::uint8_t>(n)));
}

// -- Matching ----------------------------------------------------------------------------

TEST_CASE("packet: protocol_matches over all 256 protocol numbers", "[packet]") {
  for (int n = 0; n < 256; ++n) {
    auto ip = static_cast<std::uint8_t>(n);
    CAPTURE(n);
    CHECK(protocol_matches(protocol::any, ip));
    CHECK(protocol_matches(protocol::tcp, ip) == (n == 6));
    CHECK(protocol_matches(protocol::udp, ip) == (n == 17));
    CHECK(protocol_matches(protocol::icmp, ip) == (n == 1 || n == 58));
    auto c = class_of(ip);
    CHECK(c == (n == 6 ? proto_class::tcp : n == 17 ? proto_class::udp
                : n == 1 || n == 58 ? proto_class::icmp : proto_class::other));
    for (auto p : {protocol::tcp, protocol::udp, protocol::icmp, protocol::any})
      CHECK(protocol_matches(p, ip) == ((mask_of(p) & mask_of(c)) != 0));
  }
}

TEST_CASE("packet: ports constrain only TCP and UDP", "[packet][matches]") {
  auto tcp22 = make_rule(protocol::tcp, "0.0.0.0/0", port_range{22, 22});
  CHECK(matches(tcp22, make(direction::inbound, 6, "1.2.3.4", 22)));
  CHECK_FALSE(matches(tcp22, make(direction::inbound, 6, "1.2.3.4", 23)));
  CHECK_FALSE(matches(tcp22, make(direction::inbound, 6, "1.2.3.4", 21)));
  CHECK_FALSE(matches(tcp22, make(direction::inbound, 17, "1.2.3.4", 22)));
  CHECK_FALSE(matches(tcp22, make(direction::inbound, 1, "1.2.3.4", 22)));
  CHECK_FALSE(matches(tcp22, make(direction::outbound, 6, "1.2.3.4", 22)));

  auto icmp = make_rule(protocol::icmp, "0.0.0.0/0");
  CHECK(matches(icmp, make(direction::inbound, 1, "1.2.3.4", 12345)));  // port ignored
  CHECK(matches(icmp, make(direction::inbound, 58, "1.2.3.4")));
  CHECK_FALSE(matches(icmp, make(direction::inbound, 6, "1.2.3.4", 0)));

  // A rule whose stored ports were not normalised still ignores them for ICMP and ANY.
  rule raw_any;
  raw_any.protocol = protocol::any;
  raw_any.ports = port_range{80, 80};
  CHECK(matches(raw_any, make(direction::inbound, 6, "1.2.3.4", 22)));
  CHECK(matches(raw_any, make(direction::inbound, 47, "1.2.3.4")));
}

TEST_CASE("packet: 1-65535 is not 'all ports': port 0", "[packet][matches]") {
  auto range = make_rule(protocol::udp, "0.0.0.0/0", port_range{1, 65535});
  auto all = make_rule(protocol::udp, "0.0.0.0/0");
  CHECK_FALSE(matches(range, make(direction::inbound, 17, "9.9.9.9", 0)));
  CHECK(matches(range, make(direction::inbound, 17, "9.9.9.9", 1)));
  CHECK(matches(range, make(direction::inbound, 17, "9.9.9.9", 65535)));
  CHECK(matches(all, make(direction::inbound, 17, "9.9.9.9", 0)));
  CHECK(matches(all, make(direction::inbound, 17, "9.9.9.9", 65535)));
}

TEST_CASE("packet: families never mix in matching", "[packet][matches]") {
  auto v4all = make_rule(protocol::any, "0.0.0.0/0");
  auto v6all = make_rule(protocol::any, "::/0");
  for (const char* a : {"::", "::1", "::ffff:1.2.3.4", "::1.2.3.4", "ffff::"}) {
    CAPTURE(a);
    CHECK_FALSE(matches(v4all, make(direction::inbound, 6, a, 80)));
    CHECK(matches(v6all, make(direction::inbound, 6, a, 80)));
  }
  for (const char* a : {"0.0.0.0", "1.2.3.4", "255.255.255.255"}) {
    CAPTURE(a);
    CHECK(matches(v4all, make(direction::inbound, 6, a, 80)));
    CHECK_FALSE(matches(v6all, make(direction::inbound, 6, a, 80)));
  }
}

TEST_CASE("packet: point_of normalises the port of classes without ports", "[packet][space]") {
  auto p = point_of<ipv4_space>(make(direction::inbound, 1, "10.0.0.1", 99));
  CHECK(p.protocol == proto_class::icmp);
  CHECK(p.address == 0x0a000001u);
  CHECK(p.port == 0);
  auto q = point_of<ipv6_space>(make(direction::inbound, 17, "::2", 99));
  CHECK(q.protocol == proto_class::udp);
  CHECK(q.address == secgroup::detail::uint128{2});
  CHECK(q.port == 99);
  CHECK(point_of<ipv4_space>(make(direction::inbound, 47, "10.0.0.1", 5)).protocol ==
        proto_class::other);
}

// A packet file saved with a byte order mark (as some Windows editors write UTF-8) was refused
// ("unknown direction '\xef\xbb\xbfinbound'"), while a JSON file with one is read.
TEST_CASE("packet files: a leading UTF-8 byte order mark is skipped", "[packet][file]") {
  const auto file = std::filesystem::temp_directory_path() /
                    ("secgroup-packets-bom-" + std::to_string(static_cast<long>(::getpid())));
  const std::string bom = "\xef\xbb\xbf";
  auto load = [&](const std::string& text) {
    std::ofstream(file, std::ios::binary) << text;
    return load_packets(file);
  };
  const std::string lines = "inbound tcp 203.0.113.7 22\n# a comment\noutbound icmp ::1\n";
  const auto plain = load(lines);
  REQUIRE(plain.size() == 2);
  CHECK(load(bom + lines) == plain);
  CHECK(load(bom + "# first line a comment\n" + lines) == plain);
  CHECK(load(bom).empty());
  CHECK(load(bom + "\n").empty());
  // Errors keep their line numbers.
  try {
    load(bom + "inbound tcp 203.0.113.7 22\ninbound tcp 203.0.113.7 70000\n");
    FAIL("no error");
  } catch (const parse_error& e) {
    CHECK(e.field() == file.string() + ":2 port");
  }
  // Only one, only at the start: elsewhere it is a byte of the line, refused.
  for (const std::string& text : {bom + bom + lines, lines + bom + "inbound udp ::1 53\n",
                                  "inbound tcp " + bom + "203.0.113.7 22\n"}) {
    CAPTURE(text);
    CHECK_THROWS_AS(load(text), parse_error);
  }
  std::filesystem::remove(file);
}
