// secgroup/box.hpp: set operations on the boxes of a header space (space.hpp).
//
// A box<S> stands for a set of points: a point (c, a, p) is in it iff class c is in its
// protocol mask, a in its address interval and, for a class with ports (TCP, UDP), p in its
// port interval; classes without ports carry port 0 and ignore the port interval. A reversed
// interval (hi < lo) is empty, so a box can be empty in several spellings: no protocol class, a
// reversed address interval, or a reversed port interval with only port classes. The functions
// here answer for the point sets, whatever the spelling.
// CAUTION: a reversed port interval does not empty a box holding ICMP or OTHER: those points
// ignore ports. intersect() of two boxes with disjoint ports keeps them.
// Cost: O(1) each; the union of several boxes is the partition's business (covers(),
// partition.hpp).
#pragma once

#include <type_traits>

#include "config.hpp"
#include "detail/uint128.hpp"
#include "space.hpp"

SECGROUP_BEGIN_NAMESPACE

/// Returns the box of the points in both `a` and `b`: componentwise intersection, with reversed
/// intervals or an empty mask where they do not overlap.
template <class S>
constexpr box<S> intersect(const box<S>& a, const box<S>& b) {
  return {static_cast<proto_mask>(a.protocols & b.protocols), intersect(a.addresses, b.addresses),
          intersect(a.ports, b.ports)};
}

/// Returns true iff `a` and `b` share a point.
template <class S>
constexpr bool meets(const box<S>& a, const box<S>& b) {
  const proto_mask common = a.protocols & b.protocols;
  if (!common || a.addresses.empty() || b.addresses.empty() || !a.addresses.overlaps(b.addresses))
    return false;
  return (common & ~port_protocols) ||
         (!a.ports.empty() && !b.ports.empty() && a.ports.overlaps(b.ports));
}

/// Returns true iff every point of `inner` is in `outer` (always, when `inner` is empty).
template <class S>
constexpr bool contains(const box<S>& outer, const box<S>& inner) {
  proto_mask classes = inner.protocols;  // the classes holding points of `inner`
  if (inner.ports.empty()) classes &= static_cast<proto_mask>(~port_protocols);
  if (!classes || inner.addresses.empty()) return true;
  if ((classes & ~outer.protocols) || outer.addresses.empty() ||
      !outer.addresses.contains(inner.addresses))
    return false;
  return !(classes & port_protocols) || (!outer.ports.empty() && outer.ports.contains(inner.ports));
}

/// Returns the number of points of `b`, as a floating-point estimate (exact below 2^64), for
/// ordering overlaps. Classes without ports count once per address, even when the port interval
/// is reversed.
template <class S>
long double volume(const box<S>& b) {
  auto width = [](auto lo, auto hi) {
    if constexpr (std::is_same_v<decltype(lo), detail::uint128>)
      return static_cast<long double>(hi.hi - lo.hi) * 18446744073709551616.0L +
             static_cast<long double>(hi.lo) - static_cast<long double>(lo.lo) + 1;
    else
      return static_cast<long double>(hi - lo) + 1;
  };
  if (b.addresses.empty()) return 0;
  const long double ports = b.ports.empty() ? 0 : width(b.ports.lo, b.ports.hi);
  long double classes = 0;
  for (auto c : all_proto_classes)
    if (b.protocols & mask_of(c)) classes += has_ports(c) ? ports : 1;
  return classes * width(b.addresses.lo, b.addresses.hi);
}

SECGROUP_END_NAMESPACE
