// secgroup/lint/checks/stateless.hpp: SG009 (a stateless group's inbound services cannot answer)
// and SG010 (its outbound connections get no reply).
//
// In a stateless group replies are ordinary packets to the client's ephemeral ports
// (lint_config::ephemeral_ports). For the services a direction accepts (ports outside the
// ephemeral range), the opposite direction must accept packets to the ephemeral ports of the
// peers; a dropped reply is reported with its witness and the rules that drop it.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "../../analysis/query.hpp"
#include "../../config.hpp"
#include "../../interval_set.hpp"
#include "../../space.hpp"
#include "../catalogue.hpp"
#include "../context.hpp"
#include "../effective.hpp"
#include "../message.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace lint {

namespace detail {
/// SG009 for services = inbound, SG010 for services = outbound.
inline void stateless(check_context& cx, direction services) {
  const auto id =
      services == direction::inbound ? check_id::stateless_no_reply : check_id::stateless_no_return;
  if (!cx.enabled(id) || cx.group().stateful) return;
  const auto replies = services == direction::inbound ? direction::outbound : direction::inbound;
  const auto eph = cx.cfg.ephemeral_ports;
  const auto& ex = cx.exposure(services);
  for (auto c : {proto_class::tcp, proto_class::udp}) {
    std::array<range_set, 2> peers;
    interval_set<std::uint32_t> service_ports;
    for (const auto& e : ex) {
      if (e.protocol != c) continue;
      bool any = false;
      for (const auto& p : e.ports) {  // the ports from 1 outside the ephemeral range
        using ports = interval<std::uint32_t>;
        const auto q = intersect(p, ports{1, 65535});
        if (q.empty()) continue;
        for (const auto& part :
             {intersect(q, ports{0, eph.lo - 1}), intersect(q, ports{eph.hi + 1, q.hi})}) {
          if (part.empty()) continue;
          service_ports.add(part);
          any = true;
        }
      }
      if (!any) continue;
      peers[index_of(e.af)] |= ranges_of(e.accepted);
    }
    if (peers[0].empty() && peers[1].empty()) continue;
    auto reply = cx.eg.scan(replies, mask_of(c), peers, eph);
    if (!reply.dropped) continue;
    const auto& merged = service_ports.runs();
    const auto offered = cx.eg.scan_all(services, mask_of(c), service_ports);
    const std::string name = class_name(c);
    const std::string eph_text = ports_text({eph});
    const bool none = reply.answer() == analysis::coverage::none;
    std::string message =
        services == direction::inbound
            ? "Stateless group: inbound " + name + " to " + port_word(merged) + ports_text(merged) +
                  " is accepted, but replies (outbound " + name + " to " + port_word({eph}) +
                  eph_text + ") are dropped for " +
                  (none ? "every client" : "some clients or ports")
            : "Stateless group: outbound " + name + " to " + port_word(merged) +
                  ports_text(merged) + " is accepted, but replies (inbound " + name + " to " +
                  port_word({eph}) + eph_text + ") are dropped from " +
                  (none ? "every server" : "some servers or ports");
    auto f = cx.make(id, std::string(to_string(services)) + "/" + std::string(to_string(c)),
                     std::move(message));
    f.witness = reply.dropped;
    f.rules = reply.drop_rules;
    f.by_default = reply.drop_by_default;
    f.related = offered.accept_rules;
    cx.emit(std::move(f));
  }
}
}  // namespace detail

/// SG009: inbound services of a stateless group whose replies are dropped.
inline void check_stateless_no_reply(check_context& cx) {
  detail::stateless(cx, direction::inbound);
}

/// SG010: outbound connections of a stateless group whose replies are dropped.
inline void check_stateless_no_return(check_context& cx) {
  detail::stateless(cx, direction::outbound);
}

}  // namespace lint
SECGROUP_END_NAMESPACE
