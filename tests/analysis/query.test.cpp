// evaluate_query and check_connection on random groups at real widths, against
// reference_evaluator: exactly over the elementary cells of the group and the query box, and
// port by port when the remote is a single address; witnesses inside the box, decided as
// labelled, and the most readable ones (TCP before UDP ..., well-known ports, IPv4 first), the
// same as the whole partition names when the box is clipped.
// Hand-written stateful / stateless connections.
#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <optional>
#include <secgroup/analysis.hpp>
#include <secgroup/secgroup.hpp>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "support/random_groups.hpp"

using namespace secgroup;
using secgroup_test::chance;
using secgroup_test::describe;
using secgroup_test::rng_type;
using secgroup_test::uniform;

namespace {

using rank_type = std::tuple<int, int, int>;
constexpr std::array<std::uint32_t, 10> well_known{80,   443,  22,  53,   25,
                                                   3389, 8080, 123, 5432, 3306};

/// The readability rank of a packet: protocol class, index of its port among the well-known
/// ones (10 if none, or without ports), family.
rank_type rank_of(const packet& p) {
  auto c = class_of(p.protocol);
  int port = 10;
  if (has_ports(c))
    for (std::size_t k = 0; k < well_known.size(); ++k)
      if (well_known[k] == p.port) port = static_cast<int>(k);
  return {static_cast<int>(c), port, p.remote.af == family::v4 ? 0 : 1};
}

/// The best rank of a packet in a cell clipped to ports [lo, hi].
rank_type best_rank(proto_class c, std::uint32_t lo, std::uint32_t hi, family f) {
  int port = 10;
  if (has_ports(c))
    for (std::size_t k = 0; k < well_known.size(); ++k)
      if (lo <= well_known[k] && well_known[k] <= hi) {
        port = static_cast<int>(k);
        break;
      }
  return {static_cast<int>(c), port, f == family::v4 ? 0 : 1};
}

std::string text_of(const std::optional<analysis::query_witness>& w) {
  return w ? to_string(w->packet) + " (" + describe(w->decision) + ")" : "none";
}

/// True iff packet `p` lies in the box of query `q`.
bool in_box(const analysis::query& q, const packet& p) {
  if (p.direction != q.direction || !(q.protocols & mask_of(class_of(p.protocol)))) return false;
  if (carries_ports(p.protocol) && !(q.ports.lo <= p.port && p.port <= q.ports.hi)) return false;
  if (q.remotes.empty()) return true;
  return std::any_of(q.remotes.begin(), q.remotes.end(),
                     [&](const ip_network& n) { return n.contains(p.remote); });
}

/// Returns a random query near the rules of `g` (see the file comment).
analysis::query random_query(rng_type& rng, const security_group& g) {
  analysis::query q;
  q.direction = chance(rng, 50) ? direction::inbound : direction::outbound;
  auto k = uniform(rng, 0, 99);
  q.protocols = k < 5    ? proto_mask{0}
                : k < 35 ? all_protocols
                         : static_cast<proto_mask>(uniform(rng, 1, 15));
  if (!chance(rng, 10)) {
    auto n = uniform(rng, 1, 3);
    const auto f = chance(rng, 60) ? family::v4 : family::v6;
    for (std::uint64_t i = 0; i < n; ++i)
      q.remotes.push_back(secgroup_test::random_network_near(
          rng, g, chance(rng, 80) ? f : (f == family::v4 ? family::v6 : family::v4)));
  }
  constexpr std::array<std::uint32_t, 8> usual{0, 1, 22, 25, 80, 443, 587, 65535};
  auto port = [&] {
    return chance(rng, 50) ? usual[uniform(rng, 0, usual.size() - 1)]
                           : static_cast<std::uint32_t>(uniform(rng, 0, 65535));
  };
  k = uniform(rng, 0, 99);
  if (k < 25) {
    q.ports = {0, 65535};
  } else if (k < 45) {
    auto p = port();
    q.ports = {p, p};
  } else if (k < 50) {
    q.ports = {1000, 999};  // empty
  } else {
    auto a = port(), b = port();
    q.ports = {std::min(a, b), std::max(a, b)};
  }
  return q;
}

/// Returns "" if evaluate_query(g, q) is exact over the cells of g and the box, else the
/// first problem.
std::string check_query(const security_group& g, const analysis::query& q) {
  const auto result = analysis::evaluate_query(g, q);
  const reference_evaluator ref(g);
  std::optional<rank_type> accepted_rank, dropped_rank;
  for (auto f : {family::v4, family::v6}) {
    std::vector<ip_network> networks;
    for (const auto& n : q.remotes)
      if (n.af() == f) networks.push_back(n);
    if (q.remotes.empty()) networks.push_back(ip_network::any(f));
    if (networks.empty()) continue;
    std::vector<uint128> address_starts;
    for (const auto& n : networks) {
      address_starts.push_back(n.first().value);
      if (n.last().value < secgroup_test::family_max(f))
        address_starts.push_back(n.last().value + 1);
    }
    for (const auto& c : secgroup_test::group_cells(ref.rules(), q.direction, f, address_starts,
                                                    {q.ports.lo, q.ports.hi + 1})) {
      if (!in_box(q, c.packet)) continue;
      const auto d = ref.evaluate(c.packet);
      auto& best = d.action == action::accept ? accepted_rank : dropped_rank;
      auto r = has_ports(c.protocol) ? best_rank(c.protocol, c.port_lo, c.port_hi, f)
                                     : best_rank(c.protocol, 0, 0, f);
      if (!best || r < *best) best = r;
    }
  }
  const auto want = accepted_rank && dropped_rank ? analysis::coverage::partial
                    : accepted_rank               ? analysis::coverage::all
                                                  : analysis::coverage::none;
  if (result.answer != want)
    return "answer " + std::string(analysis::to_string(result.answer)) + ", expected " +
           std::string(analysis::to_string(want)) + "; accepted witness " +
           text_of(result.accepted) + ", dropped witness " + text_of(result.dropped);
  for (auto [w, rank, act] : {std::tuple{&result.accepted, accepted_rank, action::accept},
                              std::tuple{&result.dropped, dropped_rank, action::drop}}) {
    if (bool(*w) != bool(rank)) return "witness " + text_of(*w) + " present iff one exists";
    if (!*w) continue;
    const auto& x = **w;
    if (!in_box(q, x.packet)) return "witness " + text_of(x) + " outside the box";
    if (!(ref.evaluate(x.packet) == x.decision) || x.decision.action != act)
      return "witness " + text_of(x) + " is decided " + describe(ref.evaluate(x.packet));
    if (rank_of(x.packet) != *rank) return "witness " + text_of(x) + " is not the most readable";
  }
  return "";
}

/// Port by port, for a query whose remote is one address: the answer from every packet.
std::string check_query_ports(const security_group& g, const analysis::query& q) {
  const reference_evaluator ref(g);
  bool accepted = false, dropped = false;
  for (auto c : all_proto_classes) {
    if (!(q.protocols & mask_of(c))) continue;
    const auto protocol = secgroup_test::representative_protocol(c, q.remotes.front().af());
    const std::uint32_t lo = has_ports(c) ? q.ports.lo : 0, hi = has_ports(c) ? q.ports.hi : 0;
    for (auto p = lo; p <= hi; ++p) {
      packet x{q.direction, protocol, q.remotes.front().first(), static_cast<std::uint16_t>(p)};
      (ref.evaluate(x).action == action::accept ? accepted : dropped) = true;
    }
  }
  const auto want = accepted && dropped ? analysis::coverage::partial
                    : accepted          ? analysis::coverage::all
                                        : analysis::coverage::none;
  const auto got = analysis::evaluate_query(g, q).answer;
  return got == want ? "" : "port by port: answer " + std::string(analysis::to_string(got));
}

std::string text_of(const analysis::query& q) {
  std::string remotes;
  for (const auto& n : q.remotes) remotes += to_string(n) + " ";
  return std::string(to_string(q.direction)) + " mask " + std::to_string(q.protocols) +
         " remotes " + (remotes.empty() ? "all " : remotes) + "ports " +
         std::to_string(q.ports.lo) + "-" + std::to_string(q.ports.hi);
}

}  // namespace

TEST_CASE("query: random groups and boxes, exact over every cell",
          "[analysis][query][random][slow]") {
  auto seed = GENERATE(range<std::uint64_t>(601, 604));
  rng_type rng(seed);
  int answers[3] = {0, 0, 0};
  for (int n = 0; n < 100; ++n) {
    const auto g = secgroup_test::random_group(rng, {30, 40, 3});
    for (int k = 0; k < 12; ++k) {
      const auto q = random_query(rng, g);
      auto error = check_query(g, q);
      if (error.empty() && q.remotes.size() == 1 && q.ports.hi < q.ports.lo + 4096) {
        auto host = q;
        host.remotes = {ip_network::of(q.remotes[0].first(), address_bits(q.remotes[0].af()))};
        error = check_query(g, host);
        if (error.empty()) error = check_query_ports(g, host);
      }
      if (!error.empty()) {
        INFO("seed " << seed << ", group " << n << ", query " << text_of(q) << ":\n"
                     << describe(g));
        FAIL(error);
      }
      ++answers[static_cast<int>(analysis::evaluate_query(g, q).answer)];
    }
  }
  CHECK(answers[0] > 20);  // all
  CHECK(answers[1] > 20);  // none
  CHECK(answers[2] > 20);  // partial
}

TEST_CASE("query: single addresses, every port of a range", "[analysis][query][random]") {
  rng_type rng(611);
  for (int n = 0; n < 150; ++n) {
    const auto g = secgroup_test::random_group(rng, {30, 40, 3});
    for (int k = 0; k < 4; ++k) {
      analysis::query q = random_query(rng, g);
      const auto f = chance(rng, 50) ? family::v4 : family::v6;
      const auto at = secgroup_test::random_network_near(rng, g, f);
      q.remotes = {ip_network::of(chance(rng, 50) ? at.first() : at.last(), address_bits(f))};
      const auto lo = static_cast<std::uint32_t>(uniform(rng, 0, 65535 - 2000));
      q.ports = {lo, lo + static_cast<std::uint32_t>(uniform(rng, 0, 2000))};
      auto error = check_query_ports(g, q);
      if (error.empty()) error = check_query(g, q);
      if (!error.empty()) {
        INFO("seed 611, group " << n << ", query " << text_of(q) << ":\n" << describe(g));
        FAIL(error);
      }
    }
  }
}

TEST_CASE("query: empty boxes answer NONE without witnesses", "[analysis][query][hand]") {
  security_group g;  // default accept everywhere
  g.enable_default_security = false;
  analysis::query q;
  q.protocols = 0;
  auto r = analysis::evaluate_query(g, q);
  CHECK(r.answer == analysis::coverage::none);
  CHECK(!r.accepted);
  CHECK(!r.dropped);
  q.protocols = mask_of(protocol::tcp) | mask_of(protocol::udp);
  q.ports = {10, 9};
  r = analysis::evaluate_query(g, q);
  CHECK(r.answer == analysis::coverage::none);
  CHECK(!r.accepted);
  // ICMP has no port: an empty port range does not empty its part of the box.
  q.protocols = all_protocols;
  r = analysis::evaluate_query(g, q);
  CHECK(r.answer == analysis::coverage::all);
  REQUIRE(r.accepted);
  CHECK(r.accepted->packet == parse_packet("inbound icmp 8.8.8.8"));
}

TEST_CASE("query: parse_port_interval takes N and A-B within 0..65535", "[analysis][query][hand]") {
  using analysis::parse_port_interval;
  CHECK(parse_port_interval("22") == interval<std::uint32_t>{22, 22});
  CHECK(parse_port_interval("0-65535") == interval<std::uint32_t>{0, 65535});
  CHECK(parse_port_interval(" 80 - 443 ") == interval<std::uint32_t>{80, 443});
  CHECK(parse_port_interval("7-7") == interval<std::uint32_t>{7, 7});
  struct bad_case {
    const char* text;
    const char* id;
  };
  auto s = GENERATE(values<bad_case>({
      {"", "secgroup.parse.107"},
      {"65536", "secgroup.parse.107"},
      {"70000-70001", "secgroup.parse.107"},
      {"-5", "secgroup.parse.107"},
      {"5-", "secgroup.parse.107"},
      {"1-2-3", "secgroup.parse.107"},
      {"x", "secgroup.parse.107"},
      {"443-80", "secgroup.validation.202"},
  }));
  CAPTURE(s.text);
  try {
    parse_port_interval(s.text, "--ports");
    FAIL("accepted");
  } catch (const error& e) {
    CHECK(e.id() == s.id);
    CHECK(e.field() == "--ports");
  }
}

// -- Connections ----------------------------------------------------------------------------

namespace {

rule hand_rule(const char* id, direction d, action a, protocol p, const char* cidr,
               std::optional<port_range> ports = std::nullopt) {
  rule r;
  r.id = id;
  r.direction = d;
  r.action = a;
  r.protocol = p;
  r.ip_range = parse_network(cidr);
  r.ports = ports;
  r.position = 1;
  return r;
}

security_group hand_group(bool stateful, action inbound, action outbound, std::vector<rule> rules) {
  security_group g;
  g.enable_default_security = false;
  g.stateful = stateful;
  g.inbound_default_policy = inbound;
  g.outbound_default_policy = outbound;
  for (std::size_t k = 0; k < rules.size(); ++k)
    rules[k].position = static_cast<std::uint32_t>(k + 1);
  g.rules = std::move(rules);
  return g;
}

using port_set = interval_set<std::uint32_t>;

port_set ports_of(std::initializer_list<std::pair<std::uint32_t, std::uint32_t>> v) {
  port_set s;
  for (auto [lo, hi] : v) s.add({lo, hi});
  return s;
}

std::vector<std::string> leg_names(const analysis::connection_result& r) {
  std::vector<std::string> names;
  for (const auto& leg : r.legs)
    names.push_back(std::string(leg.name) + " " +
                    std::string(analysis::to_string(leg.result.answer)));
  return names;
}

/// The coverage of the accepted subset `ok` of `wanted` ports.
analysis::coverage coverage_of(const std::vector<char>& ok) {
  const bool any = std::find(ok.begin(), ok.end(), 1) != ok.end();
  const bool all = std::find(ok.begin(), ok.end(), 0) == ok.end();
  return !any  ? analysis::coverage::none
         : all ? analysis::coverage::all
               : analysis::coverage::partial;
}

port_set set_of(const std::vector<char>& ok, std::uint32_t lo) {
  port_set s;
  for (std::uint32_t k = 0; k < ok.size(); ++k)
    if (ok[k]) s.add({lo + k, lo + k});
  return s;
}

/// Returns "" if check_connection agrees with reference_evaluator on every server port and
/// every ephemeral port, leg by leg; else the first problem.
std::string check_connection_exact(const security_group& client, const security_group& server,
                                   const analysis::connection& c) {
  const reference_evaluator rc(client), rs(server);
  const bool ports = carries_ports(c.protocol);
  const auto fwd = ports ? c.ports : interval<std::uint32_t>{0, 0};
  const auto rep = ports ? c.ephemeral : interval<std::uint32_t>{0, 0};
  auto accepts = [&](const reference_evaluator& ref, direction d, const ip_address& remote,
                     std::uint32_t port) {
    return ref.evaluate({d, c.protocol, remote, static_cast<std::uint16_t>(port)}).action ==
           action::accept;
  };
  struct leg {
    std::string name;
    std::vector<char> ok;
  };
  std::vector<leg> legs(2);
  legs[0].name = "client outbound";
  legs[1].name = "server inbound";
  std::vector<char> forward, reply;
  for (auto p = fwd.lo; p <= fwd.hi; ++p) {
    legs[0].ok.push_back(accepts(rc, direction::outbound, c.server, p));
    legs[1].ok.push_back(accepts(rs, direction::inbound, c.client, p));
    forward.push_back(legs[0].ok.back() && legs[1].ok.back());
  }
  reply.assign(rep.hi - rep.lo + 1, 1);
  if (!server.stateful) {
    legs.push_back({"server outbound (reply)", {}});
    for (auto p = rep.lo; p <= rep.hi; ++p) {
      legs.back().ok.push_back(accepts(rs, direction::outbound, c.client, p));
      reply[p - rep.lo] = reply[p - rep.lo] && legs.back().ok.back();
    }
  }
  if (!client.stateful) {
    legs.push_back({"client inbound (reply)", {}});
    for (auto p = rep.lo; p <= rep.hi; ++p) {
      legs.back().ok.push_back(accepts(rc, direction::inbound, c.server, p));
      reply[p - rep.lo] = reply[p - rep.lo] && legs.back().ok.back();
    }
  }
  const auto result = analysis::check_connection(client, server, c);
  if (result.legs.size() != legs.size()) return "number of legs";
  for (std::size_t k = 0; k < legs.size(); ++k) {
    if (result.legs[k].name != legs[k].name)
      return "leg " + std::to_string(k) + " is " + std::string(result.legs[k].name);
    if (result.legs[k].result.answer != coverage_of(legs[k].ok))
      return legs[k].name + ": " + std::string(analysis::to_string(result.legs[k].result.answer));
    for (const auto* w : {&result.legs[k].result.accepted, &result.legs[k].result.dropped})
      if (*w) {
        const auto& p = (*w)->packet;
        const auto& ref = legs[k].name.rfind("client", 0) == 0 ? rc : rs;
        const auto want_remote = legs[k].name.rfind("client", 0) == 0 ? c.server : c.client;
        const auto& range = k < 2 ? fwd : rep;
        if (p.remote != want_remote || class_of(p.protocol) != class_of(c.protocol) ||
            (ports && !(range.lo <= p.port && p.port <= range.hi)) ||
            !(ref.evaluate(p) == (*w)->decision))
          return legs[k].name + ": invalid witness " + to_string(p);
      }
  }
  if (result.forward_ports != set_of(forward, fwd.lo)) return "forward_ports differ";
  if (result.reply_ports != set_of(reply, rep.lo)) return "reply_ports differ";
  const auto f = coverage_of(forward), r = coverage_of(reply);
  const auto want =
      f == analysis::coverage::none || r == analysis::coverage::none ? analysis::coverage::none
      : f == analysis::coverage::all && r == analysis::coverage::all ? analysis::coverage::all
                                                                     : analysis::coverage::partial;
  if (result.answer != want)
    return "answer " + std::string(analysis::to_string(result.answer)) + ", expected " +
           std::string(analysis::to_string(want));
  return "";
}

}  // namespace

TEST_CASE("connection: stateful groups need only the forward legs",
          "[analysis][connection][hand]") {
  const auto client_address = parse_address("198.51.100.7");
  const auto server_address = parse_address("203.0.113.10");
  auto client = hand_group(true, action::drop, action::accept, {});
  auto server = hand_group(true, action::drop, action::drop,
                           {hand_rule("web", direction::inbound, action::accept, protocol::tcp,
                                      "198.51.100.0/24", port_range{443, 443})});
  analysis::connection c;
  c.client = client_address;
  c.server = server_address;
  auto r = analysis::check_connection(client, server, c);
  CHECK(r.answer == analysis::coverage::all);
  CHECK(leg_names(r) == std::vector<std::string>{"client outbound ALL", "server inbound ALL"});
  CHECK(r.forward_ports == ports_of({{443, 443}}));
  CHECK(r.reply_ports == ports_of({{32768, 60999}}));
  // Ports 440-450: only 443 gets through.
  c.ports = {440, 450};
  r = analysis::check_connection(client, server, c);
  CHECK(r.answer == analysis::coverage::partial);
  CHECK(r.forward_ports == ports_of({{443, 443}}));
  // The client's outbound drop of 443 blocks it, whatever the server says.
  client.rules = {hand_rule("no-web", direction::outbound, action::drop, protocol::tcp,
                            "203.0.113.0/24", port_range{443, 443})};
  c.ports = {443, 443};
  r = analysis::check_connection(client, server, c);
  CHECK(r.answer == analysis::coverage::none);
  CHECK(leg_names(r) == std::vector<std::string>{"client outbound NONE", "server inbound ALL"});
  REQUIRE(r.legs[0].result.dropped);
  CHECK(r.legs[0].result.dropped->decision == decision{action::drop, 0});
  // UDP is another protocol: the server accepts no UDP.
  client.rules.clear();
  c.protocol = ip_proto::udp;
  CHECK(analysis::check_connection(client, server, c).answer == analysis::coverage::none);
}

TEST_CASE("connection: stateless groups need the reply legs", "[analysis][connection][hand]") {
  analysis::connection c;
  c.client = parse_address("2001:db8::7");
  c.server = parse_address("2001:db8:1::10");
  c.ports = {22, 22};
  auto client = hand_group(true, action::drop, action::accept, {});
  auto server = hand_group(false, action::drop, action::drop,
                           {hand_rule("ssh", direction::inbound, action::accept, protocol::tcp,
                                      "2001:db8::/48", port_range{22, 22})});
  // The stateless server drops its replies by default.
  auto r = analysis::check_connection(client, server, c);
  CHECK(r.answer == analysis::coverage::none);
  CHECK(leg_names(r) == std::vector<std::string>{"client outbound ALL", "server inbound ALL",
                                                 "server outbound (reply) NONE"});
  CHECK(r.forward_ports == ports_of({{22, 22}}));
  CHECK(r.reply_ports.empty());
  // Replies to half the ephemeral range: PARTIAL.
  server.rules.push_back(hand_rule("replies", direction::outbound, action::accept, protocol::tcp,
                                   "2001:db8::/32", port_range{40000, 65535}));
  server.rules.back().position = 2;
  r = analysis::check_connection(client, server, c);
  CHECK(r.answer == analysis::coverage::partial);
  CHECK(r.reply_ports == ports_of({{40000, 60999}}));
  // A stateless client also needs its inbound replies, to its own ephemeral range.
  server.rules.back().ports = port_range{1024, 65535};
  client.stateful = false;
  c.ephemeral = {49152, 65535};
  r = analysis::check_connection(client, server, c);
  CHECK(r.answer == analysis::coverage::none);
  CHECK(leg_names(r) == std::vector<std::string>{"client outbound ALL", "server inbound ALL",
                                                 "server outbound (reply) ALL",
                                                 "client inbound (reply) NONE"});
  client.rules = {hand_rule("back", direction::inbound, action::accept, protocol::tcp,
                            "2001:db8:1::/48", port_range{49152, 65535})};
  CHECK(analysis::check_connection(client, server, c).answer == analysis::coverage::all);
  // A stateful server needs nothing back, even with its outbound default drop.
  server.stateful = true;
  server.rules.pop_back();
  r = analysis::check_connection(client, server, c);
  CHECK(r.answer == analysis::coverage::all);
  CHECK(r.legs.size() == 3);
}

TEST_CASE("connection: protocols without ports, and mixed families",
          "[analysis][connection][hand]") {
  auto client = hand_group(false, action::accept, action::accept, {});
  auto server = hand_group(
      false, action::drop, action::drop,
      {hand_rule("ping", direction::inbound, action::accept, protocol::icmp, "0.0.0.0/0"),
       hand_rule("pong", direction::outbound, action::accept, protocol::icmp, "0.0.0.0/0")});
  analysis::connection c;
  c.protocol = ip_proto::icmp;
  c.client = parse_address("192.0.2.1");
  c.server = parse_address("192.0.2.2");
  c.ports = {5, 1};  // ignored without ports
  auto r = analysis::check_connection(client, server, c);
  CHECK(r.answer == analysis::coverage::all);
  CHECK(r.forward_ports == ports_of({{0, 0}}));
  CHECK(r.reply_ports == ports_of({{0, 0}}));
  c.protocol = 47;  // GRE: no rule accepts it
  CHECK(analysis::check_connection(client, server, c).answer == analysis::coverage::none);
  c.server = parse_address("2001:db8::1");
  try {
    analysis::check_connection(client, server, c);
    FAIL("no error for mixed families");
  } catch (const validation_error& e) {
    CHECK(e.field() == "server");
  }
}

TEST_CASE("connection: random groups, every server and ephemeral port",
          "[analysis][connection][random]") {
  rng_type rng(621);
  int answers[3] = {0, 0, 0};
  for (int n = 0; n < 400; ++n) {
    auto client = secgroup_test::random_group(rng, {25, 40, 3});
    auto server = secgroup_test::random_group(rng, {25, 40, 3});
    client.stateful = chance(rng, 50);
    server.stateful = chance(rng, 50);
    for (auto* g : {&client, &server}) {  // mostly open defaults, so that rules make the cuts
      g->inbound_default_policy = chance(rng, 75) ? action::accept : action::drop;
      g->outbound_default_policy = chance(rng, 75) ? action::accept : action::drop;
    }
    const auto f = chance(rng, 60) ? family::v4 : family::v6;
    auto endpoint = [&](const security_group& near) {
      auto net = secgroup_test::random_network_near(rng, near, f);
      return chance(rng, 50) ? net.first() : net.last();
    };
    analysis::connection c;
    c.client = endpoint(server);  // where the server's rules look
    c.server = endpoint(client);
    constexpr std::array<std::uint8_t, 6> protocols{6, 6, 17, 1, 58, 47};
    c.protocol = protocols[uniform(rng, 0, protocols.size() - 1)];
    // Port ranges straddling a port bound of either group's rules, so that PARTIAL is common.
    std::vector<std::uint32_t> bounds{25, 443, 32768};
    for (const auto* g : {&client, &server})
      for (const auto& r : ordered_rules(*g)) {
        const auto& remote = g == &client ? c.server : c.client;  // where its rules look
        if (r.has_ports() && r.ip_range.contains(remote))
          for (std::uint32_t p : {r.ports->from, r.ports->to}) bounds.push_back(p);
      }
    auto around = [&](std::uint32_t width) {
      const auto b = static_cast<std::int64_t>(bounds[uniform(rng, 0, bounds.size() - 1)]);
      const auto lo =
          std::clamp<std::int64_t>(b - static_cast<std::int64_t>(uniform(rng, 0, width)), 0, 65535);
      const auto hi =
          std::min<std::int64_t>(lo + static_cast<std::int64_t>(uniform(rng, 0, width)), 65535);
      return interval<std::uint32_t>{static_cast<std::uint32_t>(lo),
                                     static_cast<std::uint32_t>(hi)};
    };
    c.ports = around(40);
    if (!chance(rng, 10)) c.ephemeral = around(64);
    const auto error = check_connection_exact(client, server, c);
    if (!error.empty()) {
      INFO("seed 621, pair " << n << ": protocol " << int(c.protocol) << " client "
                             << to_string(c.client) << " server " << to_string(c.server)
                             << " ports " << c.ports.lo << "-" << c.ports.hi << " ephemeral "
                             << c.ephemeral.lo << "-" << c.ephemeral.hi << "\nclient (stateful "
                             << client.stateful << "):\n"
                             << describe(client) << "\nserver (stateful " << server.stateful
                             << "):\n"
                             << describe(server));
      FAIL(error);
    }
    ++answers[static_cast<int>(analysis::check_connection(client, server, c).answer)];
  }
  INFO("all " << answers[0] << ", none " << answers[1] << ", partial " << answers[2]);
  CHECK(answers[0] > 10);
  CHECK(answers[1] > 10);
  CHECK(answers[2] > 10);
}

namespace {

/// evaluate_query's witnesses from the whole partition of each family, without clipping.
analysis::query_result whole_partition_query(const security_group& g, const analysis::query& q) {
  analysis::detail::witness_pair w;
  const auto rules = ordered_rules(g);
  auto one = [&](auto family_tag) {
    constexpr family F = decltype(family_tag)::value;
    using S = space_of<F>;
    std::vector<ip_network> networks;
    for (const auto& n : q.remotes)
      if (n.af() == F) networks.push_back(n);
    if (q.remotes.empty()) networks.push_back(ip_network::any(F));
    const auto pol = lower<F>(rules, q.direction, g.default_policy(q.direction));
    const partition<S> part(pol);
    for (const auto& n : networks)
      part.for_each_region_in(
          box<S>{q.protocols,
                 {secgroup::detail::address_value<S>(n.first()),
                  secgroup::detail::address_value<S>(n.last())},
                 q.ports},
          [&](proto_class c, const auto& a, const auto& ports, std::uint32_t rule) {
            w.offer<F>(pol, q.direction, c, a, ports, rule);
          });
  };
  one(std::integral_constant<family, family::v4>{});
  one(std::integral_constant<family, family::v6>{});
  return w.result();
}

}  // namespace

TEST_CASE("query: one box names the witnesses of the whole partition",
          "[analysis][query][random][slow]") {
  rng_type rng(621);
  int split = 0;
  for (int n = 0; n < 300; ++n) {
    const auto g = secgroup_test::random_group(rng, {30, 40, 3});
    for (int k = 0; k < 10; ++k) {
      auto q = random_query(rng, g);
      if (q.remotes.size() > 1) q.remotes.resize(1);
      if (chance(rng, 30)) q.ports = {0, static_cast<std::uint32_t>(uniform(rng, 0, 100))};
      const auto got = analysis::evaluate_query(g, q);
      const auto want = whole_partition_query(g, q);
      split += q.ports.lo == 0 && q.ports.hi > 0;
      if (got.answer != want.answer || got.accepted != want.accepted ||
          got.dropped != want.dropped) {
        INFO("seed 621, group " << n << ", query " << text_of(q) << ":\n" << describe(g));
        FAIL("accepted " << text_of(got.accepted) << " / " << text_of(want.accepted)
                         << ", dropped " << text_of(got.dropped) << " / "
                         << text_of(want.dropped));
      }
    }
  }
  CHECK(split > 300);
}
