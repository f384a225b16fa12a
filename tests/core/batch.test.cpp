// Batches and kernels: search_forest against std::upper_bound with every kernel this CPU runs;
// compiled_group's batches (groups of 64 descending their trees together) against the reference
// on large generated groups whose address tables have several depths, with batches of one
// policy, of mixed policies and of every awkward length.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <random>
#include <secgroup/secgroup.hpp>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "../../bench/classbench.hpp"
#include "support/random_groups.hpp"

using namespace secgroup;

namespace batch_test {

constexpr std::array all_isas{isa::baseline, isa::avx2, isa::avx512};

/// The kernels this CPU runs (baseline at least).
std::vector<isa> runnable_isas() {
  std::vector<isa> out;
  for (auto i : all_isas)
    if (isa_supported(i)) out.push_back(i);
  return out;
}

/// The segment of `x` among sorted `starts` (the first is 0): the last start <= x.
template <class Key>
std::size_t expected_segment(const std::vector<Key>& starts, const Key& x) {
  return static_cast<std::size_t>(std::upper_bound(starts.begin(), starts.end(), x) -
                                  starts.begin()) -
         1;
}

/// f(std::integral_constant<isa, i>{}): the kernels of `i` as a template argument.
template <class F>
auto with_isa(isa i, F&& f) {
  switch (i) {
    case isa::avx512:
      return f(std::integral_constant<isa, isa::avx512>{});
    case isa::avx2:
      return f(std::integral_constant<isa, isa::avx2>{});
    case isa::baseline:
      break;
  }
  return f(std::integral_constant<isa, isa::baseline>{});
}

template <class Key>
using tree_of = typename detail::search_forest<Key>::tree;

/// The segment of `x` in tree `t` by segment(), with the kernels of `i`.
template <class Key>
std::size_t segment_with(isa i, const detail::search_forest<Key>& f, const tree_of<Key>& t,
                         const Key& x) {
  return with_isa(i, [&](auto I) { return f.template segment<decltype(I)::value>(t, x); });
}

/// The same, descended level by level through descend(), as a batch does.
template <class Key>
std::size_t descended_with(isa i, const detail::search_forest<Key>& f, const tree_of<Key>& t,
                           const Key& x) {
  return with_isa(i, [&](auto I) {
    std::uint32_t r = 0;
    for (std::uint32_t l = 0; l < t.depth; ++l)
      r = f.template descend<decltype(I)::value>(t, l, r, x);
    return static_cast<std::size_t>(r);
  });
}

}  // namespace batch_test

using namespace batch_test;

TEST_CASE("batch: search_forest finds every segment with every kernel, width and padding",
          "[batch][forest]") {
  using forest = detail::search_forest<std::uint32_t>;
  for (std::size_t width : {std::size_t{16}, std::size_t{32}}) {
    INFO("blocks of " << width);
    std::mt19937_64 rng(41);
    forest f(width);
    REQUIRE(f.block() == width);
    std::vector<std::vector<std::uint32_t>> all_starts;
    std::vector<forest::tree> trees;
    // Sizes around the block widths and their powers: one level, full blocks, one key over.
    for (std::size_t n : {1,   2,   15,   16,   17,   18,   31,   32,    33,    34,
                          257, 258, 1023, 1024, 1025, 1057, 4097, 32768, 32769, 40000}) {
      std::vector<std::uint32_t> starts{0};
      while (starts.size() < n) starts.push_back(static_cast<std::uint32_t>(rng()) | 1u);
      if (n > 2) starts.back() = 0xffffffffu;  // a segment of the maximum alone
      std::sort(starts.begin(), starts.end());
      starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
      const auto before = f.size();
      trees.push_back(f.add(starts, 0xffffffffu));
      CHECK(trees.back().depth == forest::depth_of(starts.size(), width));
      CHECK(f.size() - before == forest::keys_of(starts.size(), width));
      all_starts.push_back(std::move(starts));
    }
    CHECK(trees.front().depth == 1);
    CHECK(std::any_of(trees.begin(), trees.end(), [](auto& t) { return t.depth == 4; }));
    // Each tree padded to 6 levels, as a batch descends it: the same segments.
    std::vector<forest::tree> padded;
    for (const auto& t : trees) {
      padded.push_back(f.padded(t, 6, 0xffffffffu));
      CHECK(padded.back().depth == 6);
      CHECK(std::equal(t.level.begin(), t.level.begin() + t.depth,
                       padded.back().level.begin() + (6 - t.depth)));
    }
    for (auto i : runnable_isas()) {
      INFO("isa " << to_string(i));
      for (std::size_t k = 0; k < trees.size(); ++k) {
        const auto& starts = all_starts[k];
        INFO(starts.size() << " segments");
        std::vector<std::uint32_t> probes{0, 1, 0x7fffffffu, 0x80000000u, 0xfffffffeu, 0xffffffffu};
        for (std::size_t s = 0; s < starts.size(); s += 1 + starts.size() / 300) {
          probes.push_back(starts[s]);
          if (starts[s] > 0) probes.push_back(starts[s] - 1);
          probes.push_back(starts[s] + 1);
        }
        for (int r = 0; r < 200; ++r) probes.push_back(static_cast<std::uint32_t>(rng()));
        for (auto x : probes) {
          INFO("x = " << x);
          const auto expected = expected_segment(starts, x);
          REQUIRE(segment_with(i, f, trees[k], x) == expected);
          REQUIRE(descended_with(i, f, trees[k], x) == expected);
          REQUIRE(segment_with(i, f, padded[k], x) == expected);
          REQUIRE(descended_with(i, f, padded[k], x) == expected);
        }
      }
    }
  }
}

TEST_CASE("batch: search_forest finds every 128-bit segment with every kernel and padding",
          "[batch][forest]") {
  using detail::uint128;
  using forest = detail::search_forest<uint128>;
  const uint128 max = ~uint128{};
  std::mt19937_64 rng(43);
  forest f;
  REQUIRE(f.block() == 8);
  std::vector<std::vector<uint128>> all_starts;
  std::vector<forest::tree> trees, padded;
  for (std::size_t n : {1, 2, 7, 8, 9, 10, 63, 64, 65, 513, 4097, 5000}) {
    // Few high words, so that many keys share one and compare by their low words.
    std::vector<uint128> starts{uint128{}};
    while (starts.size() < n) starts.push_back(uint128{rng() % 4, rng() | 1u});
    if (n > 2) starts.back() = max;  // a segment of the maximum alone
    std::sort(starts.begin(), starts.end());
    starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
    const auto before = f.size();
    trees.push_back(f.add(starts, max));
    CHECK(trees.back().depth == forest::depth_of(starts.size(), 8));
    CHECK(f.size() - before == forest::keys_of(starts.size(), 8));
    all_starts.push_back(std::move(starts));
  }
  CHECK(std::any_of(trees.begin(), trees.end(), [](auto& t) { return t.depth == 4; }));
  for (const auto& t : trees) padded.push_back(f.padded(t, 6, max));
  for (auto i : runnable_isas()) {
    INFO("isa " << to_string(i));
    for (std::size_t k = 0; k < trees.size(); ++k) {
      const auto& starts = all_starts[k];
      INFO(starts.size() << " segments");
      std::vector<uint128> probes{uint128{}, 1, uint128{1, 0}, uint128{0, ~0ull}, max - 1, max};
      for (std::size_t s = 0; s < starts.size(); s += 1 + starts.size() / 300) {
        probes.push_back(starts[s]);
        if (starts[s] != uint128{}) probes.push_back(starts[s] - 1);
        if (starts[s] != max) probes.push_back(starts[s] + 1);
      }
      for (int r = 0; r < 200; ++r) probes.push_back(uint128{rng() % 5, rng()});
      for (const auto& x : probes) {
        INFO("x = " << x.hi << ":" << x.lo);
        const auto expected = expected_segment(starts, x);
        REQUIRE(segment_with(i, f, trees[k], x) == expected);
        REQUIRE(descended_with(i, f, trees[k], x) == expected);
        REQUIRE(descended_with(i, f, padded[k], x) == expected);
      }
    }
  }
}

TEST_CASE("batch: an instruction set this CPU lacks is refused, naming isa", "[batch]") {
  const compiled_group compiled;
  std::vector<packet> in(3);
  std::vector<decision> out(3);
  for (auto i : all_isas) {
    INFO("isa " << to_string(i));
    if (isa_supported(i)) {
      CHECK_NOTHROW(compiled.evaluate(in, out, i));
      CHECK_NOTHROW(compiled.evaluate(in[0], i));
    } else {
      try {
        compiled.evaluate(in, out, i);
        FAIL("no error");
      } catch (const validation_error& e) {
        CHECK(e.field() == "isa");
        CHECK(e.id() == errc::bad_value);
      }
      try {
        compiled.evaluate(in[0], i);
        FAIL("no error");
      } catch (const validation_error& e) {
        CHECK(e.field() == "isa");
      }
    }
  }
  CHECK(isa_supported(isa::baseline));
  CHECK(isa_supported(best_isa()));
}

namespace batch_test {

/// Returns "" if every batch of `packets` (every kernel this CPU runs, batches around the
/// group size of 64) and every single lookup (by default and with every kernel) agrees with
/// the reference, `g` compiled in `layout`.
std::string check_batches(const security_group& g, const std::vector<packet>& packets,
                          port_layout layout = port_layout::automatic) {
  const reference_evaluator reference(g);
  const compiled_group compiled(g, layout);
  std::vector<decision> want;
  for (const auto& p : packets) {
    want.push_back(reference.evaluate(p));
    if (!(compiled.evaluate(p) == want.back())) return "single lookup of " + to_string(p);
  }
  for (auto i : runnable_isas())
    for (std::size_t k = 0; k < packets.size(); ++k)
      if (!(compiled.evaluate(packets[k], i) == want[k]))
        return std::string(to_string(i)) + " single lookup of " + to_string(packets[k]);
  for (auto i : runnable_isas())
    for (std::size_t size : {std::size_t{1}, std::size_t{63}, std::size_t{64}, std::size_t{65},
                             std::size_t{257}, packets.size()}) {
      std::vector<decision> got(packets.size() + 1, decision{action::accept, 4242});
      const std::span<const packet> all(packets);
      for (std::size_t at = 0; at < packets.size(); at += size) {
        const auto n = std::min(size, packets.size() - at);
        compiled.evaluate(all.subspan(at, n), std::span<decision>(got).subspan(at, n), i);
      }
      const auto where = std::string(to_string(i)) + " batches of " + std::to_string(size);
      if (!(got.back() == decision{action::accept, 4242})) return where + " wrote past the end";
      for (std::size_t k = 0; k < packets.size(); ++k)
        if (!(got[k] == want[k]))
          return where + ": " + to_string(packets[k]) + " decided " +
                 secgroup_test::describe(got[k]) + ", reference " +
                 secgroup_test::describe(want[k]);
    }
  return "";
}

rule host_rule(std::uint8_t proto_rule, ip_network net, std::uint16_t port, std::size_t i) {
  rule r;
  r.protocol = proto_rule == 6 ? protocol::tcp : protocol::udp;
  r.direction = direction::inbound;
  r.action = i % 2 == 0 ? action::accept : action::drop;
  r.ip_range = net;
  r.ports = port_range{port, port};
  return r;
}

/// Appends `n` rules of `proto_rule` to `port` from random IPv4 hosts (/32) to `g`, alternately
/// accept and drop; returns the hosts.
std::vector<std::uint32_t> add_host_rules(security_group& g, std::mt19937_64& rng, std::size_t n,
                                          std::uint8_t proto_rule, std::uint16_t port) {
  std::vector<std::uint32_t> hosts;
  for (std::size_t i = 0; i < n; ++i) {
    hosts.push_back(static_cast<std::uint32_t>(rng()));
    g.rules.push_back(host_rule(proto_rule, ip_network{ip_address::v4(hosts.back()), 32}, port, i));
  }
  return hosts;
}

/// Numbers the rules of `g` 1, 2, ... in list order.
void number_positions(security_group& g) {
  for (std::size_t i = 0; i < g.rules.size(); ++i)
    g.rules[i].position = static_cast<std::uint32_t>(i + 1);
}

}  // namespace batch_test

TEST_CASE("batch: batches agree with the reference, tables of several depths in one group",
          "[batch]") {
  // TCP 80 from 3000 hosts (a deep table), UDP 53 from 12 networks (a one-level table), TCP 443
  // from 300 IPv6 hosts; packets to all three and outbound ones, mixed in every group of 64.
  std::mt19937_64 rng(7);
  security_group g;
  g.enable_default_security = false;
  const auto hosts = add_host_rules(g, rng, 3000, 6, 80);
  for (std::uint32_t i = 0; i < 12; ++i)
    g.rules.push_back(host_rule(17, ip_network{ip_address::v4(0xc0a80000u + (i << 8)), 24}, 53, i));
  std::vector<ip_address> hosts6;
  for (std::size_t i = 0; i < 300; ++i) {
    hosts6.push_back(parse_address("2001:db8::" + std::to_string(i * 7 + 1)));
    g.rules.push_back(host_rule(6, ip_network{hosts6.back(), 128}, 443, i));
  }
  number_positions(g);
  std::vector<packet> packets;
  for (std::size_t k = 0; k < 4000; ++k) {
    packet p;
    switch (rng() % 5) {
      case 0:
      case 1:  // TCP 80 to a host or next to one
        p = {
            direction::inbound, ip_proto::tcp,
            ip_address::v4(hosts[rng() % hosts.size()] + static_cast<std::uint32_t>(rng() % 3) - 1),
            80};
        break;
      case 2:  // UDP 53 in or near the networks
        p = {direction::inbound, ip_proto::udp,
             ip_address::v4(0xc0a80000u + static_cast<std::uint32_t>(rng() % 0x1000)), 53};
        break;
      case 3:
        p = {direction::inbound, ip_proto::tcp, hosts6[rng() % hosts6.size()], 443};
        break;
      default:
        p = {direction::outbound, ip_proto::tcp, ip_address::v4(static_cast<std::uint32_t>(rng())),
             80};
    }
    packets.push_back(p);
  }
  const compiled_policy<ipv4_space> inbound(
      lower<family::v4>(ordered_rules(g), direction::inbound, g.inbound_default_policy));
  std::array<std::size_t, 9> at_depth{};  // IPv4 inbound packets by the depth of their table
  for (const auto& p : packets)
    if (p.remote.af == family::v4 && p.direction == direction::inbound)
      ++at_depth[inbound.depth_of(point_of<ipv4_space>(p))];
  CHECK(at_depth[1] > 500);
  CHECK(inbound.depth() >= 3);
  CHECK(at_depth[inbound.depth()] > 1000);
  // The IPv6 descents with their values read apart (find_many's Apart, which compiled_group
  // takes for large tables; these are small) decide as single lookups do.
  const compiled_policy<ipv6_space> inbound6(
      lower<family::v6>(ordered_rules(g), direction::inbound, g.inbound_default_policy));
  std::vector<point<ipv6_space>> points6;
  for (const auto& p : packets)
    if (p.remote.af == family::v6) points6.push_back(point_of<ipv6_space>(p));
  REQUIRE(points6.size() > 500);
  for (std::size_t at = 0; at < points6.size(); at += compiled_policy<ipv6_space>::max_batch) {
    const auto n = std::min(compiled_policy<ipv6_space>::max_batch, points6.size() - at);
    std::vector<decision> got(n);
    inbound6.template find_many<isa::baseline, true>(
        n, [&](std::size_t j) { return points6[at + j]; },
        [&](std::size_t j, decision d) { got[j] = d; });
    for (std::size_t j = 0; j < n; ++j) REQUIRE(got[j] == inbound6.find(points6[at + j]));
  }
  for (auto layout : {port_layout::joint, port_layout::split}) {
    INFO("layout " << (layout == port_layout::joint ? "joint" : "split"));
    const auto error = check_batches(g, packets, layout);
    if (!error.empty()) FAIL(error);
  }
}

TEST_CASE("batch: groups of 64 mixing the four policies in every pattern agree with the reference",
          "[batch]") {
  // Rules in each of the four policies (IPv4/IPv6 × inbound/outbound) from hosts of their own,
  // so that a packet decided by another policy's tables gets another rule or the default. Each
  // group of 64 packets: one policy; one policy but for one packet in the middle (the first and
  // last agree: the optimistic pass gives up); one packet of another policy first or last; the
  // four in turn; two policies at random; any policy at random.
  std::mt19937_64 rng(29);
  security_group g;
  g.enable_default_security = false;
  g.inbound_default_policy = action::drop;
  g.outbound_default_policy = action::accept;
  std::array<std::vector<ip_address>, 4> hosts;  // by policy, in policy_of's order
  for (std::size_t pol = 0; pol < 4; ++pol) {
    const auto dir = pol % 2 == 0 ? direction::inbound : direction::outbound;
    for (std::size_t i = 0; i < 200; ++i) {
      const auto a = pol < 2 ? ip_address::v4(static_cast<std::uint32_t>(rng()))
                             : parse_address("2001:db8:" + std::to_string(pol) +
                                             "::" + std::to_string(i * 13 + 1));
      hosts[pol].push_back(a);
      auto r = host_rule(6, ip_network{a, pol < 2 ? std::uint8_t{32} : std::uint8_t{128}},
                         static_cast<std::uint16_t>(1000 + i % 7), i + pol);
      r.direction = dir;
      g.rules.push_back(r);
    }
  }
  number_positions(g);
  auto packet_of = [&](std::size_t pol) {
    const auto& h = hosts[pol];
    return packet{pol % 2 == 0 ? direction::inbound : direction::outbound, ip_proto::tcp,
                  h[rng() % h.size()], static_cast<std::uint16_t>(1000 + rng() % 8)};
  };
  std::vector<packet> packets;
  for (std::size_t block = 0; block < 96; ++block) {
    const std::size_t one = block % 4, other = (one + 1 + block / 24 % 3) % 4;  // never one
    for (std::size_t k = 0; k < 64; ++k) {
      std::size_t pol = one;
      switch (block / 4 % 6) {
        case 1:
          pol = k == 31 ? other : one;
          break;
        case 2:
          pol = k == (block / 24 % 2 == 0 ? 0 : 63) ? other : one;  // first, last, first, last
          break;
        case 3:
          pol = k % 4;
          break;
        case 4:
          pol = rng() % 2 ? one : other;
          break;
        case 5:
          pol = rng() % 4;
          break;
        default:
          break;
      }
      packets.push_back(packet_of(pol));
    }
  }
  const auto error = check_batches(g, packets);
  if (!error.empty()) FAIL(error);
}

TEST_CASE("batch: many port ranges split the wildcard-port rules off, with the same decisions",
          "[batch]") {
  // 1200 TCP rules of every port from hosts, then 500 from networks, each with a port range of
  // its own: joint, each of the ~1000 port classes' tables would repeat the 1200 hosts.
  std::mt19937_64 rng(17);
  security_group g;
  g.enable_default_security = false;
  const auto hosts = add_host_rules(g, rng, 1200, 6, 0);
  for (auto& r : g.rules) r.ports.reset();  // every port
  for (std::size_t i = 0; i < 500; ++i) {
    const auto from = static_cast<std::uint16_t>(i * 120 + 1);
    auto r = host_rule(6, ip_network{ip_address::v4(hosts[rng() % hosts.size()] & ~0xffu), 24},
                       from, i + 1);
    r.ports = port_range{from, static_cast<std::uint16_t>(from + rng() % 100)};
    g.rules.push_back(r);
  }
  number_positions(g);
  const compiled_group automatic(g), joint(g, port_layout::joint);
  CHECK(automatic.v4(direction::inbound).layout() == port_layout::split);
  CHECK(joint.v4(direction::inbound).layout() == port_layout::joint);
  CHECK(automatic.memory() * 4 < joint.memory());
  // Joint, its tables are large (compiled_policy::large()): its single lookups, checked below,
  // take the strongest kernel the CPU has, out of line, and its batches read values apart.
  CHECK(joint.v4(direction::inbound).memory() >= std::size_t{1} << 20);
  // A small group stays joint.
  security_group small = g;
  small.rules.resize(100);
  CHECK(compiled_group(small).v4(direction::inbound).layout() == port_layout::joint);

  std::vector<packet> packets;
  for (std::size_t k = 0; k < 3000; ++k) {
    const auto host = hosts[rng() % hosts.size()];
    const auto address = rng() % 2 ? host + static_cast<std::uint32_t>(rng() % 3) - 1
                                   : (host & ~0xffu) + static_cast<std::uint32_t>(rng() % 256);
    packets.push_back({direction::inbound, ip_proto::tcp, ip_address::v4(address),
                       static_cast<std::uint16_t>(rng() % 61000)});
  }
  for (auto layout : {port_layout::automatic, port_layout::joint}) {
    const auto error = check_batches(g, packets, layout);
    if (!error.empty()) FAIL(error);
  }
}

TEST_CASE("batch: batches agree with the reference on generated groups", "[batch][slow]") {
  for (auto profile : {classbench::profile::acl, classbench::profile::fw}) {
    INFO("profile " << to_string(profile));
    // 4000 rules, a quarter IPv6, every seventh packet from 640 on outbound: groups of 64 of
    // one policy first, then mixed.
    const auto g = classbench::generate_group(4000, 11, profile, 25);
    auto packets = classbench::generate_trace(g, 4000, 5);
    for (std::size_t k = 640; k < packets.size(); k += 7)
      packets[k].direction = direction::outbound;
    for (auto layout : {port_layout::joint, port_layout::split}) {
      const auto error = check_batches(g, packets, layout);
      if (!error.empty()) FAIL(error);
    }
  }
}
