// secgroup/verify/detail/encode.hpp: groups, rules, queries and packets as Z3 bit-vector
// formulas (the Z3 backend's encoding; see docs/z3.md).
//
// A packet is five terms: `inbound` (Bool), `v6` (Bool), `address` (128 bits; an IPv4 address
// lives in the low 32 bits and the high 96 bits are zero, which well_formed() asserts),
// `protocol` (8 bits, the IP protocol number) and `port` (16 bits, the destination port, which
// only TCP and UDP packets carry). A rule matches when the direction and family agree, the
// protocol number is one its protocol matches (ICMP: 1 or 58; ANY: all 256), the leading
// `prefix` bits of the address equal the network's, and, for a TCP/UDP rule with ports, the
// port lies in its range. Exact widths: no integer arithmetic, nothing approximated.
//
// First match is a chain of if-then-else over one Boolean literal per rule, `b_i ⇔ rule i
// matches`: decision = ite(b_0, a_0, ite(b_1, a_1, ... default)), and the deciding rule's index
// is the same chain over 32-bit constants. The literals are named after the rule's index in
// ordered_rules() ("<tag>r<i>"), so models and unsat cores name rules.
//
// Order of construction. Z3's models depend on the order in which terms are created, so every
// term is built in an order the language fixes: `&&`, `||` and braced lists evaluate left to
// right, while `==` and function arguments do not (GCC and clang differ), so the operands of
// those are named first. Otherwise the same binary built by two compilers names different
// witnesses.
// This header is an implementation detail of secgroup::z3 (it includes <z3++.h>).
#pragma once

#include <z3++.h>

#include <cstdint>
#include <string>
#include <vector>

#include "../../address.hpp"
#include "../../analysis/query.hpp"
#include "../../config.hpp"
#include "../../decision.hpp"
#include "../../packet.hpp"
#include "../../rule.hpp"
#include "../../security_group.hpp"
#include "../../space.hpp"
#include "../../where.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace verify::detail {

/// Width of the decider terms: a rule index, or decision::no_rule.
inline constexpr unsigned index_bits = 32;

/// The fields of a symbolic packet.
struct packet_terms {
  z3::expr inbound;
  z3::expr v6;
  z3::expr address;
  z3::expr protocol;
  z3::expr port;
};

/// Returns fresh packet terms named "<tag>inbound", "<tag>address", ...
inline packet_terms make_packet_terms(z3::context& c, const std::string& tag = "") {
  return {c.bool_const((tag + "inbound").c_str()), c.bool_const((tag + "v6").c_str()),
          c.bv_const((tag + "address").c_str(), 128), c.bv_const((tag + "protocol").c_str(), 8),
          c.bv_const((tag + "port").c_str(), 16)};
}

/// Returns the low `width` bits of `v` as a bit-vector constant (1 <= width <= 128).
inline z3::expr bits(z3::context& c, secgroup::detail::uint128 v, unsigned width) {
  if (width < 128) v = v & (secgroup::detail::uint128_max >> (128 - width));
  return c.bv_val(secgroup::detail::to_decimal(v).c_str(), width);
}

/// IPv4 packets have zero in the high 96 address bits.
inline z3::expr well_formed(const packet_terms& p) {
  auto& c = p.address.ctx();
  const auto zero = c.bv_val(0, 96);  // made before the extract (see "Order of construction")
  return p.v6 || p.address.extract(127, 32) == zero;
}

/// The remote address lies in network `n` (and is of its family).
inline z3::expr in_network(const packet_terms& p, const ip_network& n) {
  const bool v6 = n.af() == family::v6;
  auto family_ok = v6 ? p.v6 : !p.v6;
  if (n.prefix == 0) return family_ok;
  const unsigned width = address_bits(n.af());
  const unsigned low = width - n.prefix;
  auto& c = p.address.ctx();
  const auto network = bits(c, n.address.value >> low, n.prefix);  // made before the extract
  return family_ok && p.address.extract(width - 1, low) == network;
}

/// The protocol number equals `number`.
inline z3::expr protocol_is(const packet_terms& p, std::uint8_t number) {
  return p.protocol == p.protocol.ctx().bv_val(static_cast<unsigned>(number), 8);
}

/// The packet carries a destination port (TCP or UDP).
inline z3::expr carries_ports(const packet_terms& p) {
  return protocol_is(p, ip_proto::tcp) || protocol_is(p, ip_proto::udp);
}

/// The protocol number is one that a rule of protocol `r` matches.
inline z3::expr protocol_matches(const packet_terms& p, protocol r) {
  switch (r) {
    case protocol::tcp:
      return protocol_is(p, ip_proto::tcp);
    case protocol::udp:
      return protocol_is(p, ip_proto::udp);
    case protocol::icmp:
      return protocol_is(p, ip_proto::icmp) || protocol_is(p, ip_proto::icmpv6);
    case protocol::any:
      break;
  }
  return p.protocol.ctx().bool_val(true);
}

/// The protocol number belongs to class `k` of the header space.
inline z3::expr class_is(const packet_terms& p, proto_class k) {
  switch (k) {
    case proto_class::tcp:
      return protocol_is(p, ip_proto::tcp);
    case proto_class::udp:
      return protocol_is(p, ip_proto::udp);
    case proto_class::icmp:
      return protocol_is(p, ip_proto::icmp) || protocol_is(p, ip_proto::icmpv6);
    case proto_class::other:
      break;
  }
  return !(carries_ports(p) || protocol_is(p, ip_proto::icmp) || protocol_is(p, ip_proto::icmpv6));
}

/// The port lies in [lo, hi] (unsigned 16-bit comparisons).
inline z3::expr port_in(const packet_terms& p, std::uint32_t lo, std::uint32_t hi) {
  auto& c = p.port.ctx();
  if (lo == hi) return p.port == c.bv_val(lo, 16);
  return z3::uge(p.port, c.bv_val(lo, 16)) && z3::ule(p.port, c.bv_val(hi, 16));
}

/// The direction is `d`.
inline z3::expr direction_is(const packet_terms& p, direction d) {
  return d == direction::inbound ? p.inbound : !p.inbound;
}

/// Rule `r` matches the packet (the encoding of reference.hpp's matches()).
inline z3::expr rule_matches(const packet_terms& p, const rule& r) {
  auto m = direction_is(p, r.direction) && protocol_matches(p, r.protocol) &&
           in_network(p, r.ip_range);
  if (r.has_ports()) m = m && port_in(p, r.ports->from, r.ports->to);
  return m;
}

/// The packet satisfies where expression `e` (the encoding of where.hpp's matches()).
inline z3::expr where_holds(const packet_terms& p, const where_expr& e) {
  using k = where_expr::kind;
  auto& c = p.address.ctx();
  switch (e.op) {
    case k::any:
      return c.bool_val(true);
    case k::inbound:
      return p.inbound;
    case k::outbound:
      return !p.inbound;
    case k::ipv4:
      return !p.v6;
    case k::ipv6:
      return p.v6;
    case k::protocol:
      if (e.range.lo == e.range.hi) return protocol_is(p, static_cast<std::uint8_t>(e.range.lo));
      return z3::uge(p.protocol, c.bv_val(e.range.lo, 8)) &&
             z3::ule(p.protocol, c.bv_val(e.range.hi, 8));
    case k::icmp:
      return protocol_is(p, ip_proto::icmp) || protocol_is(p, ip_proto::icmpv6);
    case k::port:
      return carries_ports(p) && port_in(p, e.range.lo, e.range.hi);
    case k::remote:
      return in_network(p, e.network);
    case k::negation:
      return !where_holds(p, e.operands.front());
    case k::conjunction:
    case k::disjunction: {
      z3::expr_vector v(c);
      for (const auto& x : e.operands) v.push_back(where_holds(p, x));
      return e.op == k::conjunction ? z3::mk_and(v) : z3::mk_or(v);
    }
  }
  return c.bool_val(false);
}

/// The packet lies in the box of query `q` (ports constrain only TCP and UDP).
inline z3::expr query_holds(const packet_terms& p, const analysis::query& q) {
  auto& c = p.address.ctx();
  z3::expr_vector classes(c), remotes(c);
  for (auto k : all_proto_classes)
    if (q.protocols & mask_of(k)) classes.push_back(class_is(p, k));
  for (const auto& n : q.remotes) remotes.push_back(in_network(p, n));
  auto ports = q.ports.lo <= q.ports.hi && q.ports.hi <= 65535
                   ? port_in(p, q.ports.lo, q.ports.hi)
                   : c.bool_val(false);
  return direction_is(p, q.direction) && z3::mk_or(classes) &&
         (q.remotes.empty() ? c.bool_val(true) : z3::mk_or(remotes)) &&
         z3::implies(carries_ports(p), ports);
}

/// The packet is `x`: every field pinned (the port too, though only TCP/UDP read it).
inline z3::expr is_packet(const packet_terms& p, const packet& x) {
  auto& c = p.address.ctx();
  return direction_is(p, x.direction) && (x.remote.af == family::v6 ? p.v6 : !p.v6) &&
         p.address == bits(c, x.remote.value, 128) && protocol_is(p, x.protocol) &&
         p.port == c.bv_val(static_cast<unsigned>(x.port), 16);
}

/// Returns the value of a bit-vector term of at most 64 bits in `m` (completed).
inline std::uint64_t value_of(const z3::model& m, const z3::expr& e) {
  std::uint64_t v = 0;
  m.eval(e, true).is_numeral_u64(v);
  return v;
}

/// Returns the packet that model `m` assigns to the terms.
inline packet read_packet(const z3::model& m, const packet_terms& p) {
  packet x;
  x.direction = m.eval(p.inbound, true).is_true() ? direction::inbound : direction::outbound;
  const bool v6 = m.eval(p.v6, true).is_true();
  secgroup::detail::uint128 a{value_of(m, p.address.extract(127, 64)),
                              value_of(m, p.address.extract(63, 0))};
  x.remote = v6 ? ip_address::v6(a) : ip_address::v4(static_cast<std::uint32_t>(a.lo));
  x.protocol = static_cast<std::uint8_t>(value_of(m, p.protocol));
  x.port = static_cast<std::uint16_t>(value_of(m, p.port));
  return x;
}

// -- A whole group --------------------------------------------------------------------------

/// A group's first-match decision over packet terms: one literal per rule of ordered_rules(),
/// constrained by definitions (b_i == rule i matches) that the caller asserts.
struct encoded_group {
  std::vector<rule> rules;          ///< ordered_rules(group)
  std::vector<z3::expr> matched;    ///< b_i, named "<tag>r<i>"
  std::vector<z3::expr> definitions;
  z3::expr accepted;                ///< Bool: the group accepts the packet
  z3::expr decider;                 ///< 32 bits: index of the deciding rule, or no_rule
};

/// Encodes group `g` over packet `p`; literal names start with `tag`.
inline encoded_group encode_group(const security_group& g, const packet_terms& p,
                                  const std::string& tag) {
  auto& c = p.address.ctx();
  auto rules = ordered_rules(g);
  std::vector<z3::expr> matched, definitions;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    matched.push_back(c.bool_const((tag + "r" + std::to_string(i)).c_str()));
    definitions.push_back(matched.back() == rule_matches(p, rules[i]));
  }
  auto chain = [&](direction d) {
    z3::expr accept = c.bool_val(g.default_policy(d) == action::accept);
    z3::expr who = c.bv_val(decision::no_rule, index_bits);
    for (std::size_t i = rules.size(); i-- > 0;) {
      if (rules[i].direction != d) continue;
      accept = z3::ite(matched[i], c.bool_val(rules[i].action == action::accept), accept);
      who = z3::ite(matched[i], c.bv_val(static_cast<unsigned>(i), index_bits), who);
    }
    return std::pair{accept, who};
  };
  auto [in_accept, in_who] = chain(direction::inbound);
  auto [out_accept, out_who] = chain(direction::outbound);
  return {std::move(rules), std::move(matched), std::move(definitions),
          z3::ite(p.inbound, in_accept, out_accept), z3::ite(p.inbound, in_who, out_who)};
}

/// Returns the decision that model `m` gives the encoded group.
inline decision read_decision(const z3::model& m, const encoded_group& e) {
  decision d;
  d.action = m.eval(e.accepted, true).is_true() ? action::accept : action::drop;
  d.rule = static_cast<std::uint32_t>(value_of(m, e.decider));
  return d;
}

// -- One direction and family, for the per-rule anomaly questions ----------------------------

/// The rules of one direction and family of a group, each with its literal `b_i` (named
/// "<in|out><4|6>.r<index in ordered_rules()>") and its definition `b_i == rule i matches`,
/// which the caller asserts (all of them, or those of a neighbourhood).
struct encoded_slice {
  direction dir = direction::inbound;
  family af = family::v4;
  action default_action = action::accept;
  std::vector<std::uint32_t> origin;  ///< slice index -> index in ordered_rules()
  std::vector<action> actions;
  std::vector<z3::expr> matched;
  std::vector<z3::expr> definitions;
  std::vector<z3::expr> fixed;  ///< the slice's direction and family, to assert
};

/// The prefix of the literal names of a slice: "in4.", "in6.", "out4." or "out6.".
inline std::string slice_tag(direction d, family f) {
  return std::string(d == direction::inbound ? "in" : "out") + (f == family::v4 ? "4." : "6.");
}

/// Encodes the rules of `rules` (ordered) of direction `d` and family `f` over packet `p`.
inline encoded_slice encode_slice(const std::vector<rule>& rules, direction d, family f,
                                  action default_action, const packet_terms& p) {
  auto& c = p.address.ctx();
  encoded_slice s;
  s.dir = d;
  s.af = f;
  s.default_action = default_action;
  const std::string tag = slice_tag(d, f);
  s.fixed.push_back(direction_is(p, d));
  s.fixed.push_back(f == family::v6 ? p.v6 : !p.v6);
  for (std::uint32_t i = 0; i < rules.size(); ++i) {
    const auto& r = rules[i];
    if (r.direction != d || r.ip_range.af() != f) continue;
    s.origin.push_back(i);
    s.actions.push_back(r.action);
    s.matched.push_back(c.bool_const((tag + "r" + std::to_string(i)).c_str()));
    s.definitions.push_back(s.matched.back() == rule_matches(p, r));
  }
  return s;
}

/// Literals over a whole slice of n rules, for every rule i at once (definitions to assert):
///   before[i]     no rule before i matches (before[0] is true);
///   accept[i]     the first rule matching among i..n-1, else the default, accepts;
///   decider[i]    the slice index of that rule, or decision::no_rule (a term, not a literal).
struct slice_chains {
  std::vector<z3::expr> before, accept, decider, definitions;
};

/// Encodes the chains of slice `s` (n + 1 entries each).
inline slice_chains encode_chains(const encoded_slice& s, const std::string& tag) {
  auto& c = s.fixed.front().ctx();
  const auto n = s.matched.size();
  slice_chains out;
  for (std::size_t i = 0; i <= n; ++i) {
    out.before.push_back(c.bool_const((tag + "before" + std::to_string(i)).c_str()));
    out.accept.push_back(c.bool_const((tag + "accept" + std::to_string(i)).c_str()));
  }
  out.definitions.push_back(out.before[0]);
  for (std::size_t i = 0; i < n; ++i)
    out.definitions.push_back(out.before[i + 1] == (out.before[i] && !s.matched[i]));
  out.definitions.push_back(out.accept[n] == c.bool_val(s.default_action == action::accept));
  std::vector<z3::expr> who{c.bv_val(decision::no_rule, index_bits)};
  for (std::size_t i = n; i-- > 0;) {
    out.definitions.push_back(
        out.accept[i] ==
        z3::ite(s.matched[i], c.bool_val(s.actions[i] == action::accept), out.accept[i + 1]));
    who.push_back(
        z3::ite(s.matched[i], c.bv_val(static_cast<unsigned>(i), index_bits), who.back()));
  }
  for (std::size_t i = 0; i <= n; ++i) out.decider.push_back(who[n - i]);
  return out;
}

/// First match over `members` (ascending slice indices), then the slice's default: whether it
/// accepts (Bool) and which member decides (32 bits, a slice index or decision::no_rule).
inline std::pair<z3::expr, z3::expr> first_match(const encoded_slice& s,
                                                 const std::vector<std::uint32_t>& members) {
  auto& c = s.fixed.front().ctx();
  z3::expr accept = c.bool_val(s.default_action == action::accept);
  z3::expr who = c.bv_val(decision::no_rule, index_bits);
  for (auto k = members.size(); k-- > 0;) {
    const auto j = members[k];
    accept = z3::ite(s.matched[j], c.bool_val(s.actions[j] == action::accept), accept);
    who = z3::ite(s.matched[j], c.bv_val(j, index_bits), who);
  }
  return {accept, who};
}

/// False only if no packet can match both rules (same direction and family assumed): their
/// protocols, networks or port ranges are disjoint. Used to leave, from the questions about a
/// rule, the rules that cannot match any of its packets.
inline bool may_overlap(const rule& a, const rule& b) {
  const bool protocols = a.protocol == b.protocol || a.protocol == protocol::any ||
                         b.protocol == protocol::any;
  const bool networks = a.ip_range.contains(b.ip_range) || b.ip_range.contains(a.ip_range);
  const bool ports = !a.has_ports() || !b.has_ports() ||
                     (a.ports->from <= b.ports->to && b.ports->from <= a.ports->to);
  return protocols && networks && ports;
}

}  // namespace verify::detail
SECGROUP_END_NAMESPACE
