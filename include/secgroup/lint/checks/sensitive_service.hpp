// secgroup/lint/checks/sensitive_service.hpp: SG001, a service of the sensitive-service catalogue
// reachable from the internet.
//
// For each service of the configuration, every port of it is scanned on the effective inbound
// policy from the public addresses. A service whose whole exposure lies inside what SG003 or
// SG002 reported at no lower severity than the service's (check_context::wide and covered(),
// filled by all_open.hpp, which runs first) is not reported again: that finding names it
// instead ("sensitive services included: SSH, RDP").
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "../../config.hpp"
#include "../../protocol.hpp"
#include "../../space.hpp"
#include "../catalogue.hpp"
#include "../context.hpp"
#include "../effective.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace lint {

/// SG001: the services of the configuration that public addresses reach; runs after
/// check_all_open().
inline void check_sensitive_services(check_context& cx) {
  if (!cx.enabled(check_id::sensitive_service)) return;
  for (const auto& svc : cx.cfg.services) {
    region_scan all;
    std::vector<std::string> exposed;
    bool implied = true, by_protocols = true;
    const auto level = svc.level ? *svc.level : cx.cfg.setting(check_id::sensitive_service).level;
    for (const auto& p : svc.ports) {
      const auto cls = p.protocol == protocol::tcp ? proto_class::tcp : proto_class::udp;
      auto s =
          cx.eg.scan(direction::inbound, mask_of(cls), cx.net.ranges, {p.ports.from, p.ports.to});
      if (!s.accepted) continue;
      exposed.push_back(to_string(p));
      const auto c = cls == proto_class::tcp ? 0u : 1u;
      for (std::size_t k = 0; k < 2; ++k) {
        const auto by_all_protocols =
            cx.covered(cx.wide.all_protocols_finding, cx.wide.all_protocols_open[k], level);
        const auto cover =
            cx.covered(cx.wide.all_ports_finding[c], cx.wide.all_ports_open[c][k], level) |
            by_all_protocols;
        implied = implied && cover.includes(s.accepted_addresses[k]);
        by_protocols = by_protocols && by_all_protocols.includes(s.accepted_addresses[k]);
      }
      all.merge(s);
    }
    if (exposed.empty()) continue;
    if (implied) {
      if (by_protocols)
        cx.wide.implied_by_protocols.push_back(svc.title);
      else
        for (const auto& p : svc.ports)
          cx.wide.implied_by_ports[p.protocol == protocol::tcp ? 0 : 1].push_back(svc.title);
      continue;
    }
    std::string specs;
    for (const auto& e : exposed) specs += (specs.empty() ? "" : ", ") + e;
    auto f = cx.make(
        check_id::sensitive_service, svc.name,
        svc.title + " (" + specs + ") is reachable from " + cx.where(all.accepted_addresses));
    if (svc.level) f.level = *svc.level;
    cx.accepted_from(f, all);
    cx.emit(std::move(f));
  }
  // Name the services left out in the SG003 / SG002 findings that include them.
  auto note = [&](std::optional<std::size_t> at, const std::vector<std::string>& names) {
    if (!at || names.empty()) return;
    std::vector<std::string> unique;
    for (const auto& n : names)
      if (std::find(unique.begin(), unique.end(), n) == unique.end()) unique.push_back(n);
    constexpr std::size_t shown = 8;
    std::string list;
    for (std::size_t k = 0; k < std::min(unique.size(), shown); ++k)
      list += (k == 0 ? "" : ", ") + unique[k];
    if (unique.size() > shown) list += " and " + std::to_string(unique.size() - shown) + " more";
    cx.report.findings[*at].message += "; sensitive services included: " + list;
  };
  note(cx.wide.all_protocols_finding, cx.wide.implied_by_protocols);
  note(cx.wide.all_ports_finding[0], cx.wide.implied_by_ports[0]);
  note(cx.wide.all_ports_finding[1], cx.wide.implied_by_ports[1]);
}

}  // namespace lint
SECGROUP_END_NAMESPACE
