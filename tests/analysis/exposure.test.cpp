// exposure() on random groups at real widths, against reference_evaluator: the entries are
// recomputed from the elementary cells (accepted address sets per port interval, equal sets
// merged, counts in decimal up to 2^128), and probed at every accepted range's edges ±1 on
// every port interval's edges ±1, plus random packets. Hand-written expected maps.
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
using secgroup_test::uint128;

namespace {

__extension__ typedef unsigned __int128 u128;

u128 wide(uint128 v) { return (u128{v.hi} << 64) | v.lo; }

/// The number of addresses of `ranges` in decimal, computed independently of the library.
std::string count_of(const std::vector<analysis::address_range>& ranges) {
  u128 sum = 0;
  bool whole = false;  // 2^128 does not fit
  for (const auto& r : ranges) {
    if (r.first.af == family::v6 && r.first.value == uint128{} &&
        r.last.value == secgroup::detail::uint128_max)
      whole = true;
    sum += wide(r.last.value) - wide(r.first.value) + 1;
  }
  if (whole) return "340282366920938463463374607431768211456";
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(sum % 10)));
    sum /= 10;
  } while (sum != 0);
  return {digits.rbegin(), digits.rend()};
}

std::string text_of(const analysis::exposure_entry& e) {
  std::string out =
      std::string(to_string(e.af)) + " " + std::string(to_string(e.protocol)) + " ports";
  for (const auto& p : e.ports) out += " " + std::to_string(p.lo) + "-" + std::to_string(p.hi);
  out += " from";
  for (const auto& r : e.accepted) out += " " + to_string(r.first) + "-" + to_string(r.last);
  return out + " (" + e.address_count + ")";
}

std::vector<std::string> text_of(const std::vector<analysis::exposure_entry>& v) {
  std::vector<std::string> out;
  for (const auto& e : v) out.push_back(text_of(e));
  return out;
}

/// The exposure of `g` in direction `d`, recomputed from its elementary cells.
std::vector<analysis::exposure_entry> brute_exposure(const security_group& g, direction d) {
  const reference_evaluator ref(g);
  std::vector<analysis::exposure_entry> out;
  for (auto f : {family::v4, family::v6}) {
    const auto cells = secgroup_test::group_cells(ref.rules(), d, f);
    for (auto c : all_proto_classes) {
      std::vector<analysis::exposure_entry> entries;
      for (std::size_t k = 0; k < cells.size();) {
        if (cells[k].protocol != c) {
          ++k;
          continue;
        }
        const interval<std::uint32_t> ports{cells[k].port_lo, cells[k].port_hi};
        std::vector<analysis::address_range> accepted;
        for (; k < cells.size() && cells[k].protocol == c && cells[k].port_lo == ports.lo; ++k) {
          if (ref.evaluate(cells[k].packet).action != action::accept) continue;
          const auto first = secgroup_test::address_of(f, cells[k].first);
          const auto last = secgroup_test::address_of(f, cells[k].last);
          if (!accepted.empty() && accepted.back().last.value + 1 == first.value)
            accepted.back().last = last;
          else
            accepted.push_back({first, last});
        }
        if (accepted.empty()) continue;
        auto same = std::find_if(entries.begin(), entries.end(),
                                 [&](const auto& e) { return e.accepted == accepted; });
        if (same == entries.end()) {
          entries.push_back({f, c, {ports}, accepted, count_of(accepted)});
        } else if (same->ports.back().hi + 1 == ports.lo) {
          same->ports.back().hi = ports.hi;
        } else {
          same->ports.push_back(ports);
        }
      }
      out.insert(out.end(), entries.begin(), entries.end());
    }
  }
  return out;
}

/// True iff `entries` say that `p` is accepted.
bool exposed(const std::vector<analysis::exposure_entry>& entries, const packet& p) {
  const auto c = class_of(p.protocol);
  for (const auto& e : entries) {
    if (e.af != p.remote.af || e.protocol != c) continue;
    const std::uint32_t port = has_ports(c) ? p.port : 0;
    if (std::none_of(e.ports.begin(), e.ports.end(),
                     [&](const interval<std::uint32_t>& r) { return r.contains(port); }))
      continue;
    return std::any_of(e.accepted.begin(), e.accepted.end(), [&](const analysis::address_range& r) {
      return !(p.remote < r.first) && !(r.last < p.remote);
    });
  }
  return false;
}

/// Returns "" if the entries of exposure(g, d) decide every probe as the reference does.
std::string probe(const security_group& g, direction d,
                  const std::vector<analysis::exposure_entry>& entries, rng_type& rng) {
  const reference_evaluator ref(g);
  std::vector<packet> probes;
  for (const auto& e : entries) {
    std::vector<std::uint32_t> ports;
    for (const auto& p : e.ports)
      for (std::int64_t x :
           {std::int64_t{p.lo} - 1, std::int64_t{p.lo}, std::int64_t{p.hi}, std::int64_t{p.hi} + 1})
        if (x >= 0 && x <= 65535) ports.push_back(static_cast<std::uint32_t>(x));
    for (const auto& r : e.accepted) {
      std::vector<uint128> addresses{r.first.value, r.last.value};
      if (r.first.value > uint128{}) addresses.push_back(r.first.value - 1);
      if (r.last.value < secgroup_test::family_max(e.af)) addresses.push_back(r.last.value + 1);
      for (auto a : addresses)
        for (auto port : ports)
          probes.push_back({d, secgroup_test::representative_protocol(e.protocol, e.af),
                            secgroup_test::address_of(e.af, a), static_cast<std::uint16_t>(port)});
    }
  }
  for (const auto& p : secgroup_test::edge_packets(g))
    if (p.direction == d) probes.push_back(p);
  for (auto p : secgroup_test::random_packets(rng, g, 300)) {
    p.direction = d;
    probes.push_back(p);
  }
  for (const auto& p : probes)
    if (exposed(entries, p) != (ref.evaluate(p).action == action::accept))
      return to_string(p) + " is " + std::string(to_string(ref.evaluate(p).action)) +
             "ed but the exposure says otherwise";
  return "";
}

}  // namespace

TEST_CASE("exposure: random groups, exact against every cell and at every edge",
          "[analysis][exposure][random][slow]") {
  auto seed = GENERATE(range<std::uint64_t>(701, 704));
  rng_type rng(seed);
  std::size_t entries = 0, multi_port = 0;
  for (int n = 0; n < 120; ++n) {
    secgroup_test::group_options options;
    options.max_rules = n % 4 == 0 ? 60 : 25;
    const auto g = secgroup_test::random_group(rng, options);
    for (auto d : {direction::inbound, direction::outbound}) {
      const auto got = analysis::exposure(g, d);
      INFO("seed " << seed << ", group " << n << ", " << to_string(d) << ":\n" << describe(g));
      CHECK(text_of(got) == text_of(brute_exposure(g, d)));
      const auto error = probe(g, d, got, rng);
      if (!error.empty()) FAIL(error);
      entries += got.size();
      for (const auto& e : got) multi_port += e.ports.size() > 1;
    }
  }
  CHECK(entries > 500);
  CHECK(multi_port > 20);  // merging of distant port classes is exercised
}

TEST_CASE("exposure: hand-written groups", "[analysis][exposure][hand]") {
  auto group = [](std::vector<rule> rules, bool default_security = false) {
    security_group g;
    g.enable_default_security = default_security;
    g.inbound_default_policy = action::drop;
    for (std::size_t k = 0; k < rules.size(); ++k) {
      rules[k].id = "r" + std::to_string(k);
      rules[k].position = static_cast<std::uint32_t>(k + 1);
    }
    g.rules = std::move(rules);
    return g;
  };
  auto rule_of = [](action a, protocol p, const char* cidr, std::optional<port_range> ports) {
    rule r;
    r.action = a;
    r.protocol = p;
    r.ip_range = parse_network(cidr);
    r.ports = ports;
    return r;
  };
  const auto accept = action::accept, drop = action::drop;
  SECTION("a drop punches a hole in an accept") {
    auto g = group({rule_of(drop, protocol::tcp, "10.0.0.0/8", port_range{22, 22}),
                    rule_of(accept, protocol::tcp, "0.0.0.0/0", port_range{22, 22})});
    CHECK(text_of(analysis::exposure(g)) ==
          std::vector<std::string>{"IPv4 tcp ports 22-22 from 0.0.0.0-9.255.255.255 "
                                   "11.0.0.0-255.255.255.255 (4278190080)"});
  }
  SECTION("::/0 for every protocol: the whole IPv6 space") {
    auto g = group({rule_of(accept, protocol::any, "::/0", std::nullopt)});
    const std::string all =
        " from ::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
        "(340282366920938463463374607431768211456)";
    CHECK(text_of(analysis::exposure(g)) ==
          std::vector<std::string>{"IPv6 tcp ports 0-65535" + all, "IPv6 udp ports 0-65535" + all,
                                   "IPv6 icmp ports 0-0" + all, "IPv6 other ports 0-0" + all});
  }
  SECTION("ports far apart share one entry") {
    auto g = group({rule_of(drop, protocol::tcp, "0.0.0.0/0", port_range{22, 22}),
                    rule_of(accept, protocol::tcp, "0.0.0.0/0", std::nullopt)});
    CHECK(text_of(analysis::exposure(g)) ==
          std::vector<std::string>{
              "IPv4 tcp ports 0-21 23-65535 from 0.0.0.0-255.255.255.255 (4294967296)"});
  }
  SECTION("equal address sets merge, others stay apart") {
    auto g = group({rule_of(accept, protocol::tcp, "10.0.0.0/8", port_range{80, 80}),
                    rule_of(accept, protocol::tcp, "10.0.0.0/8", port_range{443, 443}),
                    rule_of(accept, protocol::tcp, "0.0.0.0/0", port_range{8080, 8080}),
                    rule_of(accept, protocol::udp, "10.0.0.0/8", port_range{53, 53})});
    CHECK(text_of(analysis::exposure(g)) ==
          std::vector<std::string>{
              "IPv4 tcp ports 80-80 443-443 from 10.0.0.0-10.255.255.255 (16777216)",
              "IPv4 tcp ports 8080-8080 from 0.0.0.0-255.255.255.255 (4294967296)",
              "IPv4 udp ports 53-53 from 10.0.0.0-10.255.255.255 (16777216)"});
  }
  SECTION("outbound, with the default SMTP rules") {
    auto g = group({}, true);
    auto got = analysis::exposure(g, direction::outbound);
    REQUIRE(got.size() == 8);
    CHECK(text_of(got[0]) ==
          "IPv4 tcp ports 0-24 26-464 466-586 588-65535 from "
          "0.0.0.0-255.255.255.255 (4294967296)");
    CHECK(text_of(got[4]).rfind("IPv6 tcp ports 0-24 26-464 466-586 588-65535 from ::-", 0) == 0);
    CHECK(analysis::exposure(g).empty());  // inbound: default drop, no rule
  }
}
