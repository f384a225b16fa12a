// secgroup/lint/checks/all_open.hpp: SG003 (every protocol and port accepted from the internet)
// and SG002 (every TCP or UDP port accepted from the internet).
//
// Both read the inbound exposure (analysis/exposure.hpp): an address has every port of a class
// open when the exposure entries of that class accept it on ports covering 1-65535 (every
// packet, for ICMP and OTHER). SG003 reports the public addresses open on every class; SG002
// those open on every TCP (UDP) port that SG003 did not already report. What an unsuppressed
// finding reports is kept in check_context::wide for SG001 (sensitive_service.hpp).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../../analysis/exposure.hpp"
#include "../../config.hpp"
#include "../../interval_set.hpp"
#include "../../space.hpp"
#include "../catalogue.hpp"
#include "../context.hpp"
#include "../effective.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace lint {

/// The checks check_all_open() decides, in the order it emits them.
inline constexpr std::array<std::string_view, 2> all_open_checks{check_id::all_protocols,
                                                                 check_id::all_ports};

namespace detail {
/// Addresses of family `f` for which every port 1-65535 of class `c` is accepted (every
/// packet, for ICMP and OTHER).
inline range_set open_everywhere(const std::vector<analysis::exposure_entry>& entries, family f,
                                 proto_class c) {
  std::optional<range_set> acc;
  interval_set<std::uint32_t> covered;
  for (const auto& e : entries) {
    if (e.af != f || e.protocol != c) continue;
    if (!has_ports(c)) return ranges_of(e.accepted);
    bool touches = false;
    for (const auto& p : e.ports) {
      const auto q = intersect(p, interval<std::uint32_t>{1, 65535});
      if (q.empty()) continue;
      touches = true;
      covered.add(q);
    }
    if (!touches) continue;
    acc = acc ? *acc & ranges_of(e.accepted) : ranges_of(e.accepted);
  }
  if (!acc || !has_ports(c)) return {};
  return covered.contains(interval<std::uint32_t>{1, 65535}) ? *acc : range_set{};
}
}  // namespace detail

/// SG003, SG002: the public addresses that every protocol (every TCP or UDP port) reaches.
inline void check_all_open(check_context& cx) {
  const bool want3 = cx.enabled(check_id::all_protocols), want2 = cx.enabled(check_id::all_ports);
  if (!want3 && !want2) return;
  const auto& ex = cx.exposure(direction::inbound);
  std::array<std::array<range_set, 2>, 2> ports_open;  // [tcp|udp][family]
  std::array<range_set, 2> every;
  for (auto f : both_families) {
    const auto k = index_of(f);
    ports_open[0][k] = detail::open_everywhere(ex, f, proto_class::tcp) & cx.net.of(f);
    ports_open[1][k] = detail::open_everywhere(ex, f, proto_class::udp) & cx.net.of(f);
    every[k] = (ports_open[0][k] & ports_open[1][k]) &
               (detail::open_everywhere(ex, f, proto_class::icmp) &
                detail::open_everywhere(ex, f, proto_class::other));
  }
  if (want3 && !(every[0].empty() && every[1].empty())) {
    auto s = cx.eg.scan(direction::inbound, all_protocols, every, {1, 65535});
    auto f = cx.make(check_id::all_protocols, "inbound",
                     "Every protocol and every port is accepted inbound from " + cx.where(every) +
                         ": the group filters nothing for these addresses");
    cx.accepted_from(f, s);
    auto at = cx.emit(std::move(f));
    if (!cx.report.findings[at].suppressed) {
      cx.wide.all_protocols_finding = at;
      cx.wide.all_protocols_open = every;
    }
  }
  if (!want2) return;
  const auto level = cx.cfg.setting(check_id::all_ports).level;
  for (std::size_t c = 0; c < 2; ++c) {
    std::array<range_set, 2> shown;
    for (std::size_t k = 0; k < 2; ++k)
      if (!cx.covered(cx.wide.all_protocols_finding, cx.wide.all_protocols_open[k], level)
               .includes(ports_open[c][k]))
        shown[k] = ports_open[c][k];
    if (shown[0].empty() && shown[1].empty()) continue;
    const auto cls = c == 0 ? proto_class::tcp : proto_class::udp;
    const std::string name = c == 0 ? "TCP" : "UDP";
    auto s = cx.eg.scan(direction::inbound, mask_of(cls), shown, {1, 65535});
    auto f =
        cx.make(check_id::all_ports, c == 0 ? "inbound/tcp" : "inbound/udp",
                "Every " + name + " port (1-65535) is accepted inbound from " + cx.where(shown));
    cx.accepted_from(f, s);
    auto at = cx.emit(std::move(f));
    if (!cx.report.findings[at].suppressed) {
      cx.wide.all_ports_finding[c] = at;
      cx.wide.all_ports_open[c] = shown;
    }
  }
}

}  // namespace lint
SECGROUP_END_NAMESPACE
