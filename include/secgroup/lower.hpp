// secgroup/lower.hpp: from the model to the header space.
//
// A group's rules of one direction and one family become an ordered list of boxes: the remote
// network becomes an address interval, the protocol a set of protocol classes, the ports a port
// interval (all ports when unset). Rules of the other family or direction are left out; `origin`
// maps each box back to the group's ordered_rules().
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "config.hpp"
#include "decision.hpp"
#include "packet.hpp"
#include "rule.hpp"
#include "security_group.hpp"
#include "space.hpp"

SECGROUP_BEGIN_NAMESPACE

/// The header space of a family: ipv4_space or ipv6_space.
template <family F>
using space_of = std::conditional_t<F == family::v4, ipv4_space, ipv6_space>;

namespace detail {
template <class S>
typename S::address_type address_value(const ip_address& a) {
  if constexpr (std::is_same_v<typename S::address_type, uint128>)
    return a.value;
  else
    return static_cast<typename S::address_type>(a.value.lo);
}
}  // namespace detail

/// Returns the box of rule `r` in space `S` (whose family must be the rule's).
template <class S>
box<S> box_of(const rule& r) {
  box<S> b;
  b.protocols = mask_of(r.protocol);
  b.addresses = {detail::address_value<S>(r.ip_range.first()),
                 detail::address_value<S>(r.ip_range.last())};
  if (r.has_ports()) b.ports = {r.ports->from, r.ports->to};
  return b;
}

/// Returns the rules of direction `d` and family `F` of `rules` (in evaluation order) as boxes.
template <family F>
policy<space_of<F>> lower(const std::vector<rule>& rules, direction d, action default_action) {
  policy<space_of<F>> p;
  p.default_action = default_action;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const auto& r = rules[i];
    if (r.direction != d || r.ip_range.af() != F) continue;
    p.rules.push_back({box_of<space_of<F>>(r), r.action});
    p.origin.push_back(static_cast<std::uint32_t>(i));
  }
  return p;
}

/// Returns direction `d` and family `F` of group `g` as a policy over the header space.
template <family F>
policy<space_of<F>> lower(const security_group& g, direction d) {
  return lower<F>(ordered_rules(g), d, g.default_policy(d));
}

namespace detail {
/// class_of() of every IP protocol number: a lookup instead of a switch, for the hot path
/// (the protocols of a batch vary, and a switch on them mispredicts).
inline constexpr auto protocol_classes = [] {
  std::array<proto_class, 256> classes{};
  for (std::size_t i = 0; i < classes.size(); ++i)
    classes[i] = class_of(static_cast<std::uint8_t>(i));
  return classes;
}();
}  // namespace detail

/// Returns the point of packet `p` in space `S` (the port is 0 for classes without ports).
template <class S>
point<S> point_of(const packet& p) {
  const auto c = detail::protocol_classes[p.protocol];
  return {c, detail::address_value<S>(p.remote), has_ports(c) ? p.port : 0u};
}

/// Returns the index in `pol.rules` of the first rule holding `x`, or decision::no_rule.
/// Linear: the generic oracle for tiny spaces.
template <class S>
std::uint32_t first_match(const policy<S>& pol, const point<S>& x) {
  for (std::size_t i = 0; i < pol.rules.size(); ++i)
    if (pol.rules[i].match.contains(x)) return static_cast<std::uint32_t>(i);
  return decision::no_rule;
}

SECGROUP_END_NAMESPACE
