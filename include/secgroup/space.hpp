// secgroup/space.hpp: the header space a group decides over, generic in its widths.
//
// For one direction and one address family a packet is a point (protocol class, address, port).
// Protocols fall into four classes: TCP, UDP, ICMP (ICMP and ICMPv6) and OTHER (every other IP
// protocol, which only ANY rules match). Ports exist only for TCP and UDP; the port of any other
// class is normalised to 0 so that region sizes are not inflated.
// `space<AddrBits, PortBits>` fixes the widths: space<32> is IPv4, space<128> IPv6, and tests
// use tiny spaces such as space<4, 3> to enumerate every point.
// Also here: closed intervals, points, boxes (protocol classes × address interval × port
// interval), and policies (ordered box rules with a default action). Set operations on boxes
// live in box.hpp.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <vector>

#include "config.hpp"
#include "decision.hpp"
#include "detail/uint128.hpp"
#include "protocol.hpp"

SECGROUP_BEGIN_NAMESPACE

/// The protocol axis of the header space.
enum class proto_class : std::uint8_t { tcp, udp, icmp, other };
inline constexpr std::size_t proto_class_count = 4;
inline constexpr std::array<proto_class, 4> all_proto_classes{
    proto_class::tcp, proto_class::udp, proto_class::icmp, proto_class::other};

/// A set of protocol classes, one bit per class.
using proto_mask = std::uint8_t;
constexpr proto_mask mask_of(proto_class c) {
  return static_cast<proto_mask>(1u << static_cast<unsigned>(c));
}
inline constexpr proto_mask all_protocols = 0xf;
/// The classes whose packets carry ports: TCP and UDP.
inline constexpr proto_mask port_protocols = mask_of(proto_class::tcp) | mask_of(proto_class::udp);

/// True iff packets of class `c` carry ports (TCP, UDP).
constexpr bool has_ports(proto_class c) { return c == proto_class::tcp || c == proto_class::udp; }

/// The classes a rule protocol matches.
constexpr proto_mask mask_of(protocol p) {
  switch (p) {
    case protocol::tcp:
      return mask_of(proto_class::tcp);
    case protocol::udp:
      return mask_of(proto_class::udp);
    case protocol::icmp:
      return mask_of(proto_class::icmp);
    case protocol::any:
      return all_protocols;
  }
  return 0;
}

/// The class of an IP protocol number.
constexpr proto_class class_of(std::uint8_t ip_protocol) {
  switch (ip_protocol) {
    case 6:
      return proto_class::tcp;
    case 17:
      return proto_class::udp;
    case 1:
    case 58:
      return proto_class::icmp;
    default:
      return proto_class::other;
  }
}

constexpr std::string_view to_string(proto_class c) {
  constexpr std::array<std::string_view, 4> names{"tcp", "udp", "icmp", "other"};
  return names[static_cast<std::size_t>(c)];
}

namespace detail {
template <unsigned Bits>
using uint_for_bits = std::conditional_t<(Bits <= 32), std::uint32_t,
                                         std::conditional_t<(Bits <= 64), std::uint64_t, uint128>>;

template <class T, unsigned Bits>
constexpr T all_ones() {
  if constexpr (std::is_same_v<T, uint128>)
    return uint128_max >> (128 - Bits);
  else if constexpr (Bits == sizeof(T) * 8)
    return ~T{0};
  else
    return static_cast<T>((T{1} << Bits) - 1);
}
}  // namespace detail

/// A header space with `AddrBits`-bit addresses and `PortBits`-bit ports.
template <unsigned AddrBits, unsigned PortBits = 16>
struct space {
  static_assert(AddrBits >= 1 && AddrBits <= 128, "address width must be 1..128 bits");
  static_assert(PortBits >= 1 && PortBits <= 16, "port width must be 1..16 bits");
  using address_type = detail::uint_for_bits<AddrBits>;
  using port_type = std::uint32_t;
  static constexpr unsigned address_bits = AddrBits;
  static constexpr unsigned port_bits = PortBits;
  static constexpr address_type max_address = detail::all_ones<address_type, AddrBits>();
  static constexpr port_type max_port = detail::all_ones<port_type, PortBits>();
};

using ipv4_space = space<32>;
using ipv6_space = space<128>;

/// A closed interval [lo, hi] of an ordered type.
template <class T>
struct interval {
  T lo{};
  T hi{};
  /// True iff the interval is reversed (hi < lo): it holds no value.
  constexpr bool empty() const { return hi < lo; }
  constexpr bool contains(const T& v) const { return !(v < lo) && !(hi < v); }
  constexpr bool contains(const interval& o) const { return !(o.lo < lo) && !(hi < o.hi); }
  constexpr bool overlaps(const interval& o) const { return !(o.hi < lo) && !(hi < o.lo); }
  friend constexpr bool operator==(const interval&, const interval&) = default;
};

/// The intersection of `a` and `b`: reversed (hi < lo, empty) when they do not overlap.
template <class T>
constexpr interval<T> intersect(const interval<T>& a, const interval<T>& b) {
  return {std::max(a.lo, b.lo), std::min(a.hi, b.hi)};
}

/// A point of the header space. For classes without ports, `port` is 0.
template <class S>
struct point {
  proto_class protocol = proto_class::tcp;
  typename S::address_type address{};
  typename S::port_type port = 0;
  friend constexpr bool operator==(const point&, const point&) = default;
};

/// A box of the header space: protocol classes × address interval × port interval. The port
/// interval constrains only the classes with ports.
template <class S>
struct box {
  proto_mask protocols = all_protocols;
  interval<typename S::address_type> addresses{{}, S::max_address};
  interval<typename S::port_type> ports{0, S::max_port};

  /// True iff the box holds point `p`.
  constexpr bool contains(const point<S>& p) const {
    return (protocols & mask_of(p.protocol)) && addresses.contains(p.address) &&
           (!has_ports(p.protocol) || ports.contains(p.port));
  }
  friend constexpr bool operator==(const box&, const box&) = default;
};

/// A rule of the header space: a box and the action for the packets it decides.
template <class S>
struct box_rule {
  box<S> match;
  secgroup::action action = secgroup::action::accept;
  friend constexpr bool operator==(const box_rule&, const box_rule&) = default;
};

/// An ordered rule list with a default action: one direction and family of a group.
/// `origin[i]` is the index of rules[i] in the group's ordered_rules().
template <class S>
struct policy {
  std::vector<box_rule<S>> rules;
  std::vector<std::uint32_t> origin;
  secgroup::action default_action = secgroup::action::accept;

  /// The action of rule `rule` (an index into `rules`), or the default action for
  /// decision::no_rule.
  secgroup::action action_of(std::uint32_t rule) const {
    return rule == decision::no_rule ? default_action : rules[rule].action;
  }
  /// The index in ordered_rules() of rule `rule` (an index into `rules`); decision::no_rule
  /// stays decision::no_rule.
  std::uint32_t origin_of(std::uint32_t rule) const {
    return rule == decision::no_rule ? rule : origin[rule];
  }
  /// The decision, in terms of ordered_rules(), for the packets rule `rule` (an index into
  /// `rules`, or decision::no_rule for the default policy) decides.
  decision decision_of(std::uint32_t rule) const { return {action_of(rule), origin_of(rule)}; }
};

SECGROUP_END_NAMESPACE
