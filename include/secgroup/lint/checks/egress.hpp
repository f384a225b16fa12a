// secgroup/lint/checks/egress.hpp: SG006 (every outbound packet accepted to the internet) and
// SG007 (outbound SMTP open while enable_default_security is off).
//
// SG006 asks, per family, whether every outbound packet to every public address is accepted,
// SMTP (TCP 25, 465, 587) aside, since the default SMTP rules may drop it. SG007 asks whether
// some public address is reached on TCP 25, 465 or 587, and words each port's addresses (ports
// reaching the same ones together).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "../../analysis/query.hpp"
#include "../../config.hpp"
#include "../../space.hpp"
#include "../catalogue.hpp"
#include "../context.hpp"
#include "../effective.hpp"
#include "../message.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace lint {

/// SG006: every outbound packet (SMTP aside) to every public address of a family is accepted.
inline void check_unrestricted_egress(check_context& cx) {
  if (!cx.enabled(check_id::unrestricted_egress)) return;
  const std::array<interval<std::uint32_t>, 4> tcp_parts{
      {{0, 24}, {26, 464}, {466, 586}, {588, 65535}}};
  region_scan all;
  std::array<range_set, 2> open;
  for (auto f : both_families) {
    std::array<range_set, 2> target;
    target[index_of(f)] = cx.net.of(f);
    region_scan fam;
    bool full = true;
    for (const auto& p : tcp_parts) {
      auto s = cx.eg.scan(direction::outbound, mask_of(proto_class::tcp), target, p);
      full = full && s.answer() == analysis::coverage::all;
      fam.merge(s);
    }
    auto rest = cx.eg.scan(
        direction::outbound,
        mask_of(proto_class::udp) | mask_of(proto_class::icmp) | mask_of(proto_class::other),
        target, {0, 65535});
    full = full && rest.answer() == analysis::coverage::all;
    fam.merge(rest);
    if (!full) continue;
    open[index_of(f)] = cx.net.of(f);
    all.merge(fam);
  }
  if (open[0].empty() && open[1].empty()) return;
  auto f = cx.make(
      check_id::unrestricted_egress, "outbound",
      "Outbound packets of every protocol and port (SMTP aside) are accepted to " + cx.where(open));
  cx.accepted_from(f, all);
  cx.emit(std::move(f));
}

/// SG007: enable_default_security is false and outbound SMTP reaches a public address.
inline void check_smtp_egress(check_context& cx) {
  if (!cx.enabled(check_id::smtp_egress) || cx.group().enable_default_security) return;
  region_scan all;
  struct reach {  // ports accepted to the same addresses
    std::vector<interval<std::uint32_t>> ports;
    std::array<range_set, 2> addresses;
  };
  std::vector<reach> reaches;
  for (std::uint32_t port : {25u, 465u, 587u}) {
    auto s =
        cx.eg.scan(direction::outbound, mask_of(proto_class::tcp), cx.net.ranges, {port, port});
    if (!s.accepted) continue;
    auto same = std::find_if(reaches.begin(), reaches.end(),
                             [&](const reach& r) { return r.addresses == s.accepted_addresses; });
    if (same == reaches.end()) same = reaches.insert(reaches.end(), {{}, s.accepted_addresses});
    same->ports.push_back({port, port});
    all.merge(s);
  }
  if (reaches.empty()) return;
  std::string message = "enable_default_security is false and outbound SMTP ";
  if (reaches.size() == 1) {
    message += "(TCP " + ports_text(reaches[0].ports) + ") is accepted to " +
               cx.where(reaches[0].addresses);
  } else {
    message += "is accepted: ";
    for (std::size_t k = 0; k < reaches.size(); ++k)
      message += (k == 0 ? "TCP " : "; TCP ") + ports_text(reaches[k].ports) + " to " +
                 cx.where(reaches[k].addresses);
  }
  auto f = cx.make(check_id::smtp_egress, "outbound/smtp", message);
  cx.accepted_from(f, all);
  cx.emit(std::move(f));
}

}  // namespace lint
SECGROUP_END_NAMESPACE
