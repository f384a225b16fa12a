// tests/support/random_groups.hpp: random policies, groups and packets for the test suites.
//
// Every generator draws from a caller-seeded `rng_type` (std::mt19937_64), so a failing case is
// reproduced from its seed alone. The distributions are chosen to hit boundaries, not to look
// like real traffic:
//
// random_policy<S> (any space, tiny ones enumerated by all_points<S>):
//   - 0..max_rules rules, uniform; default action and rule actions fair coins.
//   - protocol mask: all four classes 1/4, a single class 1/2, another non-empty mask otherwise;
//     the empty mask with probability `empty_percent`.
//   - address interval: CIDR-aligned with a uniform prefix 0..AddrBits (`cidr_percent`), else
//     two ordered addresses. Addresses cluster around three anchors per policy (one of which is
//     often 0 or the top of the space): an anchor with its low k bits randomised, k uniform.
//   - port interval: all ports [0, max] 1/4, [1, max] 15%, one port 20% (0 or max half the
//     time), two ordered ports otherwise; reversed (empty) with probability `empty_percent`.
//   - origin: strictly increasing, gaps of 1..3, so mapping through `origin` is observable.
//
// random_group (real widths, the model): 0..max_rules user rules.
//   - protocol TCP 35%, UDP 25%, ICMP 15%, ANY 25%; direction and action fair coins (accept 55%).
//   - family IPv6 with `v6_percent`. Networks cluster around three anchors per family (often
//     including the bottom or top of the family); the prefix is 0 (10%), the host prefix (20%)
//     or uniform otherwise, so rules nest and overlap.
//   - ports (drawn for every protocol, since ordered_rules() clears them for ICMP/ANY): none
//     25%, 1-65535 10%, a single port 25% (often 25/465/587/1/65535), a range otherwise.
//   - positions uniform in 1..n/2+1 (ties exercise the stable order); an id is one of the six
//     default ids with `default_id_percent` (ordinary user rules for ordered_rules(), unless
//     they happen to equal that default rule: see is_default_rule()).
//   - enable_default_security and both default policies are fair coins.
//
// edge_packets(group): for every ordered rule, the first and last address of its network and
// their neighbours (±1, within the family), in the rule's direction, for TCP and UDP on its
// port bounds ±1 plus 0, 65535, 25, 465, 587, and for protocols 1, 58, 47, 0, 255 (with a port
// that must be ignored). random_packets mixes edges of different rules with uniform values.
//
// Exact oracles for the analyses (brute force, independent of the partition engine):
//   - atoms: sets of packets that every rule holds entirely or not at all, each given by the
//     ascending indices of the rules holding it. On a tiny space the atoms are its points
//     (point_atoms); on a group they are the elementary cells of one direction and family
//     (group_cells: every rule bound cuts the address and port axes, one representative packet
//     per cell and protocol class, decided by reference_evaluator).
//   - brute_force_anomalies(atoms): dead, contradicted and removal-redundant rules, the rules
//     deciding a rule's packets once it is removed, the pairs whose order matters, and the
//     number of atoms any two rules share (overlap, containment).
//   - find_difference(a, b): exact equivalence of two groups, probing every cell of both.
//   - random_network_near(group): a network around the edges of the group's rules (for query
//     boxes and connection endpoints).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <secgroup/secgroup.hpp>

namespace secgroup_test {

using rng_type = std::mt19937_64;
using secgroup::detail::uint128;

// -- Draws --------------------------------------------------------------------------------

/// Returns a uniform integer of [lo, hi].
inline std::uint64_t uniform(rng_type& rng, std::uint64_t lo, std::uint64_t hi) {
  return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng);
}

/// Returns true with probability percent / 100.
inline bool chance(rng_type& rng, unsigned percent) { return uniform(rng, 0, 99) < percent; }

/// Returns a uniform element of `values`.
template <class T, std::size_t N>
T pick(rng_type& rng, const std::array<T, N>& values) {
  return values[uniform(rng, 0, N - 1)];
}

// -- Addresses of a space -----------------------------------------------------------------

/// The value with the low `bits` bits set, in the address type of S (bits <= S::address_bits).
template <class S>
typename S::address_type low_mask(unsigned bits) {
  using A = typename S::address_type;
  if (bits == 0) return A{};
  if constexpr (std::is_same_v<A, uint128>) {
    return secgroup::detail::uint128_max >> (128 - bits);
  } else {
    return bits >= sizeof(A) * 8 ? static_cast<A>(~A{0}) : static_cast<A>((A{1} << bits) - 1);
  }
}

/// Returns a uniform address of S.
template <class S>
typename S::address_type random_address(rng_type& rng) {
  using A = typename S::address_type;
  if constexpr (std::is_same_v<A, uint128>)
    return uint128{rng(), rng()} & S::max_address;
  else
    return static_cast<A>(rng() & static_cast<std::uint64_t>(S::max_address));
}

/// Returns `anchor` with its low k bits replaced by random bits, k uniform in 0..bits.
template <class S>
typename S::address_type near(rng_type& rng, typename S::address_type anchor) {
  auto low = low_mask<S>(static_cast<unsigned>(uniform(rng, 0, S::address_bits)));
  return (anchor & ~low) | (random_address<S>(rng) & low);
}

// -- Policies of a space ------------------------------------------------------------------

/// Knobs of random_policy.
struct policy_options {
  std::size_t max_rules = 12;
  unsigned cidr_percent = 50;  ///< CIDR-aligned address intervals; the rest are arbitrary
  unsigned empty_percent = 3;  ///< empty protocol masks and reversed (empty) intervals
};

/// Returns a random protocol mask (see the file comment).
inline secgroup::proto_mask random_mask(rng_type& rng, const policy_options& o) {
  if (chance(rng, o.empty_percent)) return 0;
  auto k = uniform(rng, 0, 3);
  if (k == 0) return secgroup::all_protocols;
  if (k <= 2) return static_cast<secgroup::proto_mask>(1u << uniform(rng, 0, 3));
  return static_cast<secgroup::proto_mask>(uniform(rng, 1, 15));
}

/// Returns a random port interval of S (see the file comment).
template <class S>
secgroup::interval<typename S::port_type> random_ports(rng_type& rng, const policy_options& o) {
  using P = typename S::port_type;
  const P max = S::max_port;
  if (chance(rng, o.empty_percent) && max > 0) {
    auto lo = static_cast<P>(uniform(rng, 1, max));
    return {lo, static_cast<P>(uniform(rng, 0, lo - 1))};
  }
  auto k = uniform(rng, 0, 99);
  if (k < 25) return {0, max};
  if (k < 40) return {1, max};
  if (k < 60) {
    P p = chance(rng, 50) ? (chance(rng, 50) ? P{0} : max) : static_cast<P>(uniform(rng, 0, max));
    return {p, p};
  }
  auto a = static_cast<P>(uniform(rng, 0, max)), b = static_cast<P>(uniform(rng, 0, max));
  return {std::min(a, b), std::max(a, b)};
}

/// Returns a random address interval of S around `anchors` (see the file comment).
template <class S, std::size_t N>
secgroup::interval<typename S::address_type> random_addresses(
    rng_type& rng, const std::array<typename S::address_type, N>& anchors,
    const policy_options& o) {
  auto a = near<S>(rng, pick(rng, anchors)), b = near<S>(rng, pick(rng, anchors));
  if (chance(rng, o.cidr_percent)) {
    auto host = low_mask<S>(S::address_bits - static_cast<unsigned>(uniform(rng, 0, S::address_bits)));
    return {a & ~host, (a & ~host) | host};
  }
  if (b < a) std::swap(a, b);
  if (a < b && chance(rng, o.empty_percent)) return {b, a};
  return {a, b};
}

/// Returns a random policy of space S (see the file comment).
template <class S>
secgroup::policy<S> random_policy(rng_type& rng, const policy_options& o = {}) {
  using A = typename S::address_type;
  auto anchor = [&]() -> A {
    switch (uniform(rng, 0, 3)) {
      case 0: return A{};
      case 1: return S::max_address;
      default: return random_address<S>(rng);
    }
  };
  const std::array<A, 3> anchors{anchor(), anchor(), anchor()};
  secgroup::policy<S> pol;
  pol.default_action = chance(rng, 50) ? secgroup::action::accept : secgroup::action::drop;
  auto n = uniform(rng, 0, o.max_rules);
  std::uint32_t origin = static_cast<std::uint32_t>(uniform(rng, 0, 2));
  for (std::size_t i = 0; i < n; ++i) {
    secgroup::box_rule<S> r;
    r.match.protocols = random_mask(rng, o);
    r.match.addresses = random_addresses<S>(rng, anchors, o);
    r.match.ports = random_ports<S>(rng, o);
    r.action = chance(rng, 50) ? secgroup::action::accept : secgroup::action::drop;
    pol.rules.push_back(r);
    pol.origin.push_back(origin);
    origin += static_cast<std::uint32_t>(uniform(rng, 1, 3));
  }
  return pol;
}

/// Number of points of space S: every address with every port for TCP and UDP, port 0 for the
/// two classes without ports.
template <class S>
std::uint64_t point_count() {
  static_assert(S::address_bits + S::port_bits <= 40, "space too large to enumerate");
  const std::uint64_t addresses = std::uint64_t{S::max_address} + 1;
  return addresses * (2 * (std::uint64_t{S::max_port} + 1) + 2);
}

/// Returns every point of space S in canonical order (class, port, address).
template <class S>
std::vector<secgroup::point<S>> all_points() {
  static_assert(S::address_bits + S::port_bits <= 24, "space too large to enumerate");
  std::vector<secgroup::point<S>> out;
  out.reserve(point_count<S>());
  for (auto c : secgroup::all_proto_classes) {
    const typename S::port_type ports = secgroup::has_ports(c) ? S::max_port : 0;
    for (typename S::port_type p = 0; p <= ports; ++p)
      for (std::uint64_t a = 0; a <= std::uint64_t{S::max_address}; ++a)
        out.push_back({c, static_cast<typename S::address_type>(a), p});
  }
  return out;
}

/// Returns the policy's decision for `x` by linear first match: {action, origin index or no_rule}.
template <class S>
secgroup::decision decide_linear(const secgroup::policy<S>& pol, const secgroup::point<S>& x) {
  auto i = secgroup::first_match(pol, x);
  if (i == secgroup::decision::no_rule) return {pol.default_action, secgroup::decision::no_rule};
  return {pol.rules[i].action, pol.origin[i]};
}

// -- Groups of the model ------------------------------------------------------------------

/// Knobs of random_group.
struct group_options {
  std::size_t max_rules = 60;
  unsigned v6_percent = 40;
  unsigned default_id_percent = 3;  ///< user rules carrying one of the default-rule ids
};

/// Returns an address of family `f` from its number (the low 32 bits for IPv4).
inline secgroup::ip_address address_of(secgroup::family f, uint128 v) {
  return f == secgroup::family::v4 ? secgroup::ip_address::v4(static_cast<std::uint32_t>(v.lo))
                                   : secgroup::ip_address::v6(v);
}

/// The largest address value of family `f`.
inline uint128 family_max(secgroup::family f) {
  return f == secgroup::family::v4 ? uint128{0xffffffffu} : secgroup::detail::uint128_max;
}

/// Returns a uniform address of family `f`.
inline secgroup::ip_address random_ip(rng_type& rng, secgroup::family f) {
  return address_of(f, uint128{rng(), rng()} & family_max(f));
}

/// Returns a random port range (or none) as a user would write it (see the file comment).
inline std::optional<secgroup::port_range> random_port_range(rng_type& rng) {
  constexpr std::array<std::uint16_t, 9> usual{1, 22, 25, 80, 443, 465, 587, 8080, 65535};
  auto port = [&] {
    return chance(rng, 50) ? pick(rng, usual) : static_cast<std::uint16_t>(uniform(rng, 1, 65535));
  };
  auto k = uniform(rng, 0, 99);
  if (k < 25) return std::nullopt;
  if (k < 35) return secgroup::port_range{1, 65535};
  if (k < 60) {
    auto p = port();
    return secgroup::port_range{p, p};
  }
  auto a = port(), b = port();
  return secgroup::port_range{std::min(a, b), std::max(a, b)};
}

/// Returns a random security group of the model (see the file comment).
inline secgroup::security_group random_group(rng_type& rng, const group_options& o = {}) {
  using namespace secgroup;
  security_group g;
  g.id = "sg-" + std::to_string(rng() % 1000000);
  g.name = "random";
  g.enable_default_security = chance(rng, 50);
  g.inbound_default_policy = chance(rng, 50) ? action::accept : action::drop;
  g.outbound_default_policy = chance(rng, 50) ? action::accept : action::drop;
  std::array<std::array<uint128, 3>, 2> anchors;
  for (auto f : {family::v4, family::v6})
    for (auto& a : anchors[static_cast<std::size_t>(f)]) {
      auto k = uniform(rng, 0, 4);
      a = k == 0 ? uint128{} : k == 1 ? family_max(f) : random_ip(rng, f).value;
    }
  auto n = uniform(rng, 0, o.max_rules);
  for (std::size_t i = 0; i < n; ++i) {
    rule r;
    r.id = chance(rng, o.default_id_percent)
               ? std::string(pick(rng, default_rule_ids))
               : "rule-" + std::to_string(i);
    constexpr std::array<protocol, 20> protocols{
        protocol::tcp, protocol::tcp, protocol::tcp, protocol::tcp, protocol::tcp,
        protocol::tcp, protocol::tcp, protocol::udp, protocol::udp, protocol::udp,
        protocol::udp, protocol::udp, protocol::icmp, protocol::icmp, protocol::icmp,
        protocol::any, protocol::any, protocol::any, protocol::any, protocol::any};
    r.protocol = pick(rng, protocols);
    r.direction = chance(rng, 50) ? direction::inbound : direction::outbound;
    r.action = chance(rng, 55) ? action::accept : action::drop;
    const auto f = chance(rng, o.v6_percent) ? family::v6 : family::v4;
    const unsigned bits = address_bits(f);
    auto anchor = pick(rng, anchors[static_cast<std::size_t>(f)]);
    auto low_bits = static_cast<unsigned>(uniform(rng, 0, bits));
    auto low = low_bits == 0 ? uint128{} : secgroup::detail::uint128_max >> (128 - low_bits);
    auto value = (anchor & ~low) | (random_ip(rng, f).value & low);
    auto k = uniform(rng, 0, 9);
    unsigned prefix = k == 0 ? 0 : k <= 2 ? bits : static_cast<unsigned>(uniform(rng, 1, bits));
    r.ip_range = ip_network::of(address_of(f, value), prefix);
    r.ports = random_port_range(rng);
    r.position = static_cast<std::uint32_t>(uniform(rng, 1, n / 2 + 1));
    r.zone = g.zone;
    g.rules.push_back(r);
  }
  return g;
}

// -- Packets ------------------------------------------------------------------------------

/// The IP protocol numbers edge and random packets use.
inline constexpr std::array<std::uint8_t, 7> test_protocols{6, 17, 1, 58, 47, 0, 255};

/// Returns the first and last address of `n` and their neighbours within the family.
inline std::vector<secgroup::ip_address> edge_addresses(const secgroup::ip_network& n) {
  const auto f = n.af();
  const uint128 first = n.first().value, last = n.last().value;
  std::vector<uint128> v{first, last};
  if (first > uint128{}) v.push_back(first - 1);
  if (first < last) v.push_back(first + 1), v.push_back(last - 1);
  if (last < family_max(f)) v.push_back(last + 1);
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  std::vector<secgroup::ip_address> out;
  for (auto x : v) out.push_back(address_of(f, x));
  return out;
}

/// Returns the port bounds of `r` and their neighbours, plus 0, 65535, 25, 465 and 587.
inline std::vector<std::uint16_t> edge_ports(const secgroup::rule& r) {
  std::vector<std::uint32_t> v{0, 65535, 25, 465, 587};
  if (r.has_ports()) {
    for (std::uint32_t p : {std::uint32_t{r.ports->from}, std::uint32_t{r.ports->to}}) {
      v.push_back(p);
      if (p > 0) v.push_back(p - 1);
      if (p < 65535) v.push_back(p + 1);
    }
  }
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return {v.begin(), v.end()};
}

/// Returns the boundary packets of every rule of `g` (see the file comment).
inline std::vector<secgroup::packet> edge_packets(const secgroup::security_group& g) {
  std::vector<secgroup::packet> out;
  for (const auto& r : secgroup::ordered_rules(g)) {
    auto ports = edge_ports(r);
    for (const auto& a : edge_addresses(r.ip_range)) {
      for (std::uint8_t proto : test_protocols) {
        if (secgroup::carries_ports(proto)) {
          for (auto p : ports) out.push_back({r.direction, proto, a, p});
        } else {
          out.push_back({r.direction, proto, a, ports[out.size() % ports.size()]});
        }
      }
    }
  }
  return out;
}

/// Returns `n` packets mixing the edge addresses and ports of different rules of `g` (70% each)
/// with uniform addresses and ports, over both directions and families.
inline std::vector<secgroup::packet> random_packets(rng_type& rng,
                                                    const secgroup::security_group& g,
                                                    std::size_t n) {
  using namespace secgroup;
  std::vector<ip_address> addresses;
  std::vector<std::uint16_t> ports;
  for (const auto& r : ordered_rules(g)) {
    for (const auto& a : edge_addresses(r.ip_range)) addresses.push_back(a);
    for (auto p : edge_ports(r)) ports.push_back(p);
  }
  std::vector<packet> out;
  for (std::size_t i = 0; i < n; ++i) {
    packet p;
    p.direction = chance(rng, 50) ? direction::inbound : direction::outbound;
    p.protocol = chance(rng, 70) ? pick(rng, std::array<std::uint8_t, 2>{6, 17})
                                 : pick(rng, test_protocols);
    p.remote = !addresses.empty() && chance(rng, 70)
                   ? addresses[uniform(rng, 0, addresses.size() - 1)]
                   : random_ip(rng, chance(rng, 50) ? family::v4 : family::v6);
    p.port = !ports.empty() && chance(rng, 70) ? ports[uniform(rng, 0, ports.size() - 1)]
                                               : static_cast<std::uint16_t>(uniform(rng, 0, 65535));
    out.push_back(p);
  }
  return out;
}

// -- Descriptions for failure messages ----------------------------------------------------

/// "accept by rule 3" or "drop by default".
inline std::string describe(const secgroup::decision& d) {
  return std::string(secgroup::to_string(d.action)) +
         (d.by_default() ? " by default" : " by rule " + std::to_string(d.rule));
}

/// Text of an address value of any width: decimal up to 64 bits, else "0x<hi>:<lo>" in hex.
template <class A>
std::string describe_value(const A& v) {
  if constexpr (std::is_same_v<A, uint128>) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "0x%016llx:%016llx", static_cast<unsigned long long>(v.hi),
                  static_cast<unsigned long long>(v.lo));
    return buf;
  } else {
    return std::to_string(v);
  }
}

/// "tcp a=5 p=3".
template <class S>
std::string describe(const secgroup::point<S>& x) {
  return std::string(secgroup::to_string(x.protocol)) + " a=" + describe_value(x.address) +
         " p=" + std::to_string(x.port);
}

/// One line per rule: "0: mask=0x3 a=[lo,hi] p=[lo,hi] accept (origin 2)", then the default.
template <class S>
std::string describe(const secgroup::policy<S>& pol) {
  std::string out;
  for (std::size_t i = 0; i < pol.rules.size(); ++i) {
    const auto& m = pol.rules[i].match;
    out += std::to_string(i) + ": mask=" + std::to_string(m.protocols) + " a=[" +
           describe_value(m.addresses.lo) + "," + describe_value(m.addresses.hi) + "] p=[" +
           std::to_string(m.ports.lo) + "," + std::to_string(m.ports.hi) + "] " +
           std::string(secgroup::to_string(pol.rules[i].action)) + " (origin " +
           std::to_string(pol.origin[i]) + ")\n";
  }
  return out + "default " + std::string(secgroup::to_string(pol.default_action));
}

/// The ordered rules of a group, one per line, then the default policies.
inline std::string describe(const secgroup::security_group& g) {
  std::string out;
  auto rules = secgroup::ordered_rules(g);
  for (std::size_t i = 0; i < rules.size(); ++i)
    out += std::to_string(i) + ": " + secgroup::to_string(rules[i]) + "\n";
  return out + "inbound default " + std::string(secgroup::to_string(g.inbound_default_policy)) +
         ", outbound default " + std::string(secgroup::to_string(g.outbound_default_policy));
}

// -- Brute-force oracles ------------------------------------------------------------------

/// The rules of `pol` holding point `x`, ascending.
template <class S>
std::vector<std::uint32_t> matching_rules(const secgroup::policy<S>& pol,
                                          const secgroup::point<S>& x) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t i = 0; i < pol.rules.size(); ++i)
    if (pol.rules[i].match.contains(x)) out.push_back(i);
  return out;
}

/// The atoms of a tiny space: the rules holding each point of `points`, in the same order.
template <class S>
std::vector<std::vector<std::uint32_t>> point_atoms(const secgroup::policy<S>& pol,
                                                    const std::vector<secgroup::point<S>>& points) {
  std::vector<std::vector<std::uint32_t>> out;
  out.reserve(points.size());
  for (const auto& x : points) out.push_back(matching_rules(pol, x));
  return out;
}

/// Facts about an ordered rule list computed by brute force over its atoms (see the file
/// comment); indices refer to the list `actions` describes.
struct brute_anomalies {
  std::vector<char> dead;          ///< no atom has the rule as its first match
  std::vector<char> contradicted;  ///< an atom of the rule's box is decided the other way
  std::vector<char> removable;     ///< removing the rule alone changes no atom's action
  /// The rules (not the default) first matching the rule's own atoms once it is removed.
  std::vector<std::set<std::uint32_t>> takers;
  /// (earlier, later): opposite actions and an atom of later's box decided by earlier; sorted by
  /// (later, earlier).
  std::vector<std::pair<std::uint32_t, std::uint32_t>> order;
  /// common[i][j]: number of atoms held by both rules (common[i][i]: atoms of rule i).
  std::vector<std::vector<std::uint64_t>> common;

  /// True iff rule i's box holds a point (given that the atoms cover the space).
  bool nonempty(std::uint32_t i) const { return common[i][i] > 0; }
  /// True iff the boxes of rules i and j share a point.
  bool meet(std::uint32_t i, std::uint32_t j) const { return common[i][j] > 0; }
  /// True iff every point of rule i's box is in rule j's.
  bool subset(std::uint32_t i, std::uint32_t j) const { return common[i][j] == common[i][i]; }
};

/// Returns the brute-force facts of the rules with `actions` and default `default_action`,
/// from `atoms` (each the ascending rules holding it; together they must cover the space).
inline brute_anomalies brute_force_anomalies(const std::vector<secgroup::action>& actions,
                                             secgroup::action default_action,
                                             const std::vector<std::vector<std::uint32_t>>& atoms) {
  const auto n = actions.size();
  brute_anomalies b;
  b.dead.assign(n, 1);
  b.contradicted.assign(n, 0);
  b.removable.assign(n, 1);
  b.takers.resize(n);
  b.common.assign(n, std::vector<std::uint64_t>(n, 0));
  std::set<std::pair<std::uint32_t, std::uint32_t>> order;  // (later, earlier)
  for (const auto& m : atoms) {
    for (auto i : m)
      for (auto j : m) ++b.common[i][j];
    if (m.empty()) continue;
    const auto first = m[0];
    const auto decided = actions[first];
    b.dead[first] = 0;
    const auto fallback = m.size() > 1 ? actions[m[1]] : default_action;
    if (fallback != decided) b.removable[first] = 0;
    if (m.size() > 1) b.takers[first].insert(m[1]);
    for (std::size_t k = 1; k < m.size(); ++k)
      if (actions[m[k]] != decided) {
        b.contradicted[m[k]] = 1;
        order.insert({m[k], first});
      }
  }
  for (const auto& [later, earlier] : order) b.order.push_back({earlier, later});
  return b;
}

/// An elementary cell of one direction and family of a group: a protocol class, an address
/// interval and a port interval ([0, 0] without ports) that every rule holds entirely or not at
/// all, with one representative packet (its first address and port).
struct group_cell {
  secgroup::proto_class protocol = secgroup::proto_class::tcp;
  uint128 first, last;
  std::uint32_t port_lo = 0, port_hi = 0;
  secgroup::packet packet;
};

/// The IP protocol number representing class `c` in family `f`: 6, 17, 1 (58 for IPv6), 47.
inline std::uint8_t representative_protocol(secgroup::proto_class c, secgroup::family f) {
  switch (c) {
    case secgroup::proto_class::tcp:
      return 6;
    case secgroup::proto_class::udp:
      return 17;
    case secgroup::proto_class::icmp:
      return f == secgroup::family::v4 ? 1 : 58;
    case secgroup::proto_class::other:
      return 47;
  }
  return 0;
}

/// Returns the elementary cells of the rules of direction `d` and family `f` among `rules` (cut
/// at every address and port bound of those rules, and at the extra address and port starts
/// given), in the order protocol class, ports, addresses.
inline std::vector<group_cell> group_cells(const std::vector<secgroup::rule>& rules,
                                           secgroup::direction d, secgroup::family f,
                                           std::vector<uint128> address_starts = {},
                                           std::vector<std::uint32_t> port_starts = {}) {
  using namespace secgroup;
  const uint128 max = family_max(f);
  address_starts.push_back(uint128{});
  port_starts.push_back(0);
  for (const auto& r : rules) {
    if (r.direction != d || r.ip_range.af() != f) continue;
    address_starts.push_back(r.ip_range.first().value);
    if (r.ip_range.last().value < max) address_starts.push_back(r.ip_range.last().value + 1);
    if (r.has_ports()) {
      port_starts.push_back(r.ports->from);
      if (r.ports->to < 65535) port_starts.push_back(std::uint32_t{r.ports->to} + 1);
    }
  }
  std::sort(address_starts.begin(), address_starts.end());
  address_starts.erase(std::unique(address_starts.begin(), address_starts.end()),
                       address_starts.end());
  std::sort(port_starts.begin(), port_starts.end());
  port_starts.erase(std::unique(port_starts.begin(), port_starts.end()), port_starts.end());
  while (!port_starts.empty() && port_starts.back() > 65535) port_starts.pop_back();
  std::vector<group_cell> out;
  for (auto c : all_proto_classes) {
    const std::size_t port_cells = has_ports(c) ? port_starts.size() : 1;
    for (std::size_t j = 0; j < port_cells; ++j) {
      const std::uint32_t plo = has_ports(c) ? port_starts[j] : 0;
      const std::uint32_t phi = !has_ports(c)                ? 0
                                : j + 1 < port_starts.size() ? port_starts[j + 1] - 1
                                                             : 65535;
      for (std::size_t k = 0; k < address_starts.size(); ++k) {
        group_cell cell;
        cell.protocol = c;
        cell.first = address_starts[k];
        cell.last = k + 1 < address_starts.size() ? address_starts[k + 1] - 1 : max;
        cell.port_lo = plo;
        cell.port_hi = phi;
        cell.packet = {d, representative_protocol(c, f), address_of(f, cell.first),
                       static_cast<std::uint16_t>(plo)};
        out.push_back(cell);
      }
    }
  }
  return out;
}

/// The atoms of `cells`: for each, the indices into `rules` of the rules matching its packet.
inline std::vector<std::vector<std::uint32_t>> cell_atoms(const std::vector<secgroup::rule>& rules,
                                                          const std::vector<group_cell>& cells) {
  std::vector<std::vector<std::uint32_t>> out;
  out.reserve(cells.size());
  for (const auto& c : cells) {
    std::vector<std::uint32_t> m;
    for (std::uint32_t i = 0; i < rules.size(); ++i)
      if (secgroup::matches(rules[i], c.packet)) m.push_back(i);
    out.push_back(std::move(m));
  }
  return out;
}

/// Returns a network of family `f` near the rules of `g`: often one of their networks, a
/// sub- or super-network of one, or a neighbour of one of their edges; sometimes /0 or random.
inline secgroup::ip_network random_network_near(rng_type& rng, const secgroup::security_group& g,
                                                secgroup::family f) {
  using namespace secgroup;
  std::vector<ip_address> edges;
  for (const auto& r : ordered_rules(g))
    if (r.ip_range.af() == f)
      for (const auto& a : edge_addresses(r.ip_range)) edges.push_back(a);
  const unsigned bits = address_bits(f);
  auto k = uniform(rng, 0, 99);
  if (k < 8) return ip_network::any(f);
  const ip_address base =
      edges.empty() || k < 20 ? random_ip(rng, f) : edges[uniform(rng, 0, edges.size() - 1)];
  unsigned prefix = chance(rng, 30) ? bits : static_cast<unsigned>(uniform(rng, 0, bits));
  return ip_network::of(base, prefix);
}

/// Returns a packet that groups `a` and `b` decide with different actions, or nullopt when they
/// decide every packet alike (exact: one packet per elementary cell of both groups' rules, for
/// both directions and families, decided by reference_evaluator).
inline std::optional<secgroup::packet> find_difference(const secgroup::security_group& a,
                                                       const secgroup::security_group& b) {
  using namespace secgroup;
  const reference_evaluator ra(a), rb(b);
  auto rules = ra.rules();
  rules.insert(rules.end(), rb.rules().begin(), rb.rules().end());
  for (auto d : {direction::inbound, direction::outbound})
    for (auto f : {family::v4, family::v6})
      for (const auto& c : group_cells(rules, d, f))
        if (ra.evaluate(c.packet).action != rb.evaluate(c.packet).action) return c.packet;
  return std::nullopt;
}
}  // namespace secgroup_test
