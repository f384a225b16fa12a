// secgroup/analysis/query.hpp: reachability questions, answered for whole regions.
//
// A query is a box of one direction: protocols × remote networks × destination ports. The
// answer is ALL (every packet of the box is accepted), NONE (none is), or PARTIAL with one
// accepted and one dropped witness, each with its deciding rule — exact, from the first-match
// partition, never by sampling (Batfish's searchFilters semantics).
//
// A connection check asks whether a client group and a server group let a connection through:
// the client's outbound rules must accept (protocol, server, port) and the server's inbound
// rules (protocol, client, port). A stateful group admits replies by itself; a stateless one
// must also accept them: the server's outbound rules to the client's ephemeral ports, the
// client's inbound rules from the server to those ports (a parameter, 32768–60999 by default,
// Linux's range). Port sets are interval_sets (interval_set.hpp).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "../address.hpp"
#include "../box.hpp"
#include "../config.hpp"
#include "../decision.hpp"
#include "../detail/text.hpp"
#include "../error.hpp"
#include "../interval_set.hpp"
#include "../lower.hpp"
#include "../packet.hpp"
#include "../partition.hpp"
#include "../security_group.hpp"
#include "../space.hpp"
#include "witness.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace analysis {

/// How much of a query box a group accepts. `unknown` only comes from an engine that can time
/// out (the Z3 backend); the interval engine always knows.
enum class coverage : std::uint8_t { all, none, partial, unknown };

constexpr std::string_view to_string(coverage c) {
  return c == coverage::all       ? "ALL"
         : c == coverage::none    ? "NONE"
         : c == coverage::partial ? "PARTIAL"
                                  : "UNKNOWN";
}

/// A box of packets of one direction.
struct query {
  secgroup::direction direction = secgroup::direction::inbound;
  proto_mask protocols = all_protocols;     ///< protocol classes (mask_of(protocol::any): all)
  std::vector<ip_network> remotes;          ///< empty: every address of both families
  interval<std::uint32_t> ports{0, 65535};  ///< destination ports; TCP and UDP only
};

/// Parses destination ports "N" or "A-B" (0..65535, spaces around the numbers allowed) as an
/// interval for query::ports or connection ports. Throws parse_error (secgroup.parse.107) or
/// validation_error (secgroup.validation.202, from > to) naming `field`.
inline interval<std::uint32_t> parse_port_interval(std::string_view text,
                                                   const std::string& field = "ports") {
  auto port = [&](std::string_view part) -> std::uint32_t {
    if (auto n = secgroup::detail::parse_decimal(secgroup::detail::trim(part), 5); n && *n <= 65535)
      return *n;
    SECGROUP_THROW(parse_error(
        errc::bad_number, field,
        "invalid ports " + secgroup::detail::quoted(text) + " (expected N or A-B, 0..65535)"));
  };
  auto dash = text.find('-');
  if (dash == std::string_view::npos) {
    auto p = port(text);
    return {p, p};
  }
  auto from = port(text.substr(0, dash)), to = port(text.substr(dash + 1));
  if (to < from)
    SECGROUP_THROW(validation_error(errc::port_order, field,
                                    "port range " + std::string(text) + " ends before it starts"));
  return {from, to};
}

/// Parses the protocols of a query: any, tcp, udp, icmp or icmpv6 (any case; both ICMPs are
/// one class), or an IP protocol number 0..255 (its class). Throws parse_error
/// (secgroup.parse.103) naming `field`.
inline proto_mask parse_protocol_classes(std::string_view text,
                                         const std::string& field = "protocol") {
  using secgroup::detail::iequals;
  if (iequals(text, "any")) return all_protocols;
  if (iequals(text, "tcp")) return mask_of(proto_class::tcp);
  if (iequals(text, "udp")) return mask_of(proto_class::udp);
  if (iequals(text, "icmp") || iequals(text, "icmpv6")) return mask_of(proto_class::icmp);
  if (auto n = secgroup::detail::parse_decimal(text, 3); n && *n <= 255)
    return mask_of(class_of(static_cast<std::uint8_t>(*n)));
  SECGROUP_THROW(parse_error(errc::bad_enum, field,
                             "unknown protocol " + secgroup::detail::quoted(text) +
                                 " (expected any, tcp, udp, icmp, icmpv6 or a number 0..255)"));
}

/// A packet of a query box, and how the group decides it.
struct query_witness {
  secgroup::packet packet;
  secgroup::decision decision;  ///< `rule` indexes ordered_rules()
  friend bool operator==(const query_witness&, const query_witness&) = default;
};

/// The answer to a query.
struct query_result {
  coverage answer = coverage::none;
  std::optional<query_witness> accepted;  ///< set for PARTIAL and ALL
  std::optional<query_witness> dropped;   ///< set for PARTIAL and NONE
  std::string reason;                     ///< why the answer is UNKNOWN
};

namespace detail {

/// Keeps the most readable accepted and dropped witnesses of the regions offered.
struct witness_pair {
  std::optional<query_witness> accepted, dropped;
  std::tuple<int, int, int> accepted_rank{}, dropped_rank{};

  template <family F>
  void offer(const policy<space_of<F>>& pol, direction d, proto_class c,
             const interval<typename space_of<F>::address_type>& a,
             const interval<std::uint32_t>& ports, std::uint32_t rule) {
    using S = space_of<F>;
    const auto dec = pol.decision_of(rule);
    auto [pc, port_rank] = witness_rank<S>(c, ports);
    std::tuple<int, int, int> rank{pc, port_rank, F == family::v4 ? 0 : 1};
    auto& slot = dec.action == action::accept ? accepted : dropped;
    auto& slot_rank = dec.action == action::accept ? accepted_rank : dropped_rank;
    if (slot && !(rank < slot_rank)) return;
    slot = query_witness{to_packet<F>(witness_point<S>(c, a, ports), d), dec};
    slot_rank = rank;
  }

  query_result result() const {
    coverage c = accepted && dropped ? coverage::partial
                 : accepted          ? coverage::all
                                     : coverage::none;
    return {c, accepted, dropped, {}};
  }
};

template <family F>
void query_family(const std::vector<rule>& rules, const security_group& g, const query& q,
                  const std::vector<ip_network>& networks, witness_pair& out) {
  using S = space_of<F>;
  if (networks.empty()) return;
  auto pol = lower<F>(rules, q.direction, g.default_policy(q.direction));
  auto box_of = [&](const ip_network& n) {
    return box<S>{q.protocols,
                  {secgroup::detail::address_value<S>(n.first()),
                   secgroup::detail::address_value<S>(n.last())},
                  q.ports};
  };
  if (networks.size() > 1) {
    partition<S> part(pol);
    for (const auto& n : networks)
      part.for_each_region_in(
          box_of(n), [&](proto_class c, const auto& a, const auto& ports, std::uint32_t rule) {
            out.offer<F>(pol, q.direction, c, a, ports, rule);
          });
    return;
  }
  // One box: partition the rules clipped to it. Inside the box it decides alike, and its
  // port classes are unions of the whole partition's, which changes no witness but one: a
  // region starting at port 0 names port 1 only when the whole partition does not split
  // ports 0 and 1 (asked of a partition of the rules clipped to those two ports).
  const auto b = box_of(networks.front());
  policy<S> clipped = pol, low_ports = pol;
  for (auto& r : clipped.rules) {
    if (meets(r.match, b))
      r.match = intersect(r.match, b);
    else
      r.match.addresses = {S::max_address, {}};
  }
  for (auto& r : low_ports.rules)
    r.match.ports.hi = std::min(r.match.ports.hi, typename S::port_type{1});
  std::optional<partition<S>> split;
  partition<S>(clipped).for_each_region_in(
      b, [&](proto_class c, const auto& a, const auto& ports, std::uint32_t rule) {
        if (has_ports(c) && ports.lo == 0 && ports.hi > 0) {
          if (!split) split.emplace(low_ports);
          if (split->port_class_of_port(c, 0) != split->port_class_of_port(c, 1)) {
            out.offer<F>(pol, q.direction, c, a, interval<std::uint32_t>{0, 0}, rule);
            out.offer<F>(pol, q.direction, c, a, interval<std::uint32_t>{1, ports.hi}, rule);
            return;
          }
        }
        out.offer<F>(pol, q.direction, c, a, ports, rule);
      });
}

}  // namespace detail

/// Returns how group `g` decides the packets of query `q`: ALL, NONE or PARTIAL, with
/// witnesses. An empty box (no protocol, or an empty port range for port protocols only)
/// answers NONE without witnesses.
inline query_result evaluate_query(const security_group& g, const query& q) {
  std::array<std::vector<ip_network>, 2> by_family;
  if (q.remotes.empty()) {
    by_family = {std::vector{ip_network::any(family::v4)},
                 std::vector{ip_network::any(family::v6)}};
  } else {
    for (const auto& n : q.remotes) by_family[n.af() == family::v4 ? 0 : 1].push_back(n);
  }
  auto rules = ordered_rules(g);
  detail::witness_pair w;
  detail::query_family<family::v4>(rules, g, q, by_family[0], w);
  detail::query_family<family::v6>(rules, g, q, by_family[1], w);
  return w.result();
}

// -- Connections ----------------------------------------------------------------------------

/// A connection from a client to a server.
struct connection {
  std::uint8_t protocol = ip_proto::tcp;            ///< IP protocol number
  ip_address client, server;                        ///< same family
  interval<std::uint32_t> ports{443, 443};          ///< server ports (TCP and UDP)
  interval<std::uint32_t> ephemeral{32768, 60999};  ///< client ports replies go to
};

/// One leg of a connection: a group, a direction, and how it decides the leg's packets.
struct connection_leg {
  std::string_view name;  ///< "client outbound", "server inbound", "server outbound (reply)", ...
  bool client = false;    ///< decided by the client group (else the server group)
  query_result result;
};

/// Whether a connection gets through, leg by leg.
struct connection_result {
  coverage answer =
      coverage::none;  ///< over the server ports (and, stateless, the ephemeral ports)
  std::vector<connection_leg> legs;
  /// Forward: server ports both forward legs accept. Reply: ephemeral ports every required
  /// reply leg accepts (all of them when both groups are stateful).
  interval_set<std::uint32_t> forward_ports, reply_ports;
};

namespace detail {
template <family F>
void add_accepted_ports(const security_group& g, direction d, proto_class c,
                        const ip_address& remote, interval<std::uint32_t> ports,
                        interval_set<std::uint32_t>& out) {
  using S = space_of<F>;
  auto pol = lower<F>(ordered_rules(g), d, g.default_policy(d));
  auto v = secgroup::detail::address_value<S>(remote);
  partition<S>(pol).for_each_region_in(
      box<S>{mask_of(c), {v, v}, ports},
      [&](proto_class, const auto&, const interval<std::uint32_t>& p, std::uint32_t rule) {
        if (pol.action_of(rule) == action::accept) out.add(p);
      });
}

/// The ports of `ports` on which group `g`, direction `d`, accepts `protocol` from/to `remote`
/// ({0} stands for every packet of a protocol without ports).
inline interval_set<std::uint32_t> accepted_ports(const security_group& g, direction d,
                                                  std::uint8_t protocol, const ip_address& remote,
                                                  interval<std::uint32_t> ports) {
  interval_set<std::uint32_t> out;
  auto c = class_of(protocol);
  if (remote.af == family::v4)
    add_accepted_ports<family::v4>(g, d, c, remote, ports, out);
  else
    add_accepted_ports<family::v6>(g, d, c, remote, ports, out);
  return out;
}

inline coverage coverage_of(const interval_set<std::uint32_t>& accepted,
                            interval<std::uint32_t> wanted) {
  auto got = accepted & interval_set<std::uint32_t>{wanted};
  if (got.empty()) return coverage::none;
  return got.contains(wanted) ? coverage::all : coverage::partial;
}
}  // namespace detail

/// Returns whether `c` gets from `client` to `server`, with replies when a group is stateless.
inline connection_result check_connection(const security_group& client,
                                          const security_group& server, const connection& c) {
  if (c.client.af != c.server.af)
    SECGROUP_THROW(validation_error(errc::bad_value, "server",
                                    "client and server addresses must be of the same family"));
  const bool ports = carries_ports(c.protocol);
  const interval<std::uint32_t> fwd = ports ? c.ports : interval<std::uint32_t>{0, 0};
  const interval<std::uint32_t> rep = ports ? c.ephemeral : interval<std::uint32_t>{0, 0};
  auto leg = [&](std::string_view name, const security_group& g, direction d,
                 const ip_address& remote, interval<std::uint32_t> p) {
    query q{d, mask_of(class_of(c.protocol)), {ip_network::of(remote, address_bits(remote.af))}, p};
    return connection_leg{name, &g == &client, evaluate_query(g, q)};
  };
  connection_result out;
  out.legs.push_back(leg("client outbound", client, direction::outbound, c.server, fwd));
  out.legs.push_back(leg("server inbound", server, direction::inbound, c.client, fwd));
  out.forward_ports =
      detail::accepted_ports(client, direction::outbound, c.protocol, c.server, fwd) &
      detail::accepted_ports(server, direction::inbound, c.protocol, c.client, fwd);
  out.reply_ports.add(rep);
  if (!server.stateful) {
    out.legs.push_back(leg("server outbound (reply)", server, direction::outbound, c.client, rep));
    out.reply_ports &=
        detail::accepted_ports(server, direction::outbound, c.protocol, c.client, rep);
  }
  if (!client.stateful) {
    out.legs.push_back(leg("client inbound (reply)", client, direction::inbound, c.server, rep));
    out.reply_ports &=
        detail::accepted_ports(client, direction::inbound, c.protocol, c.server, rep);
  }
  auto forward = detail::coverage_of(out.forward_ports, fwd);
  auto reply = detail::coverage_of(out.reply_ports, rep);
  out.answer = forward == coverage::none || reply == coverage::none ? coverage::none
               : forward == coverage::all && reply == coverage::all ? coverage::all
                                                                    : coverage::partial;
  return out;
}

}  // namespace analysis
SECGROUP_END_NAMESPACE
