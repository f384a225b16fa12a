// secgroup/lint/checks/default_policy.hpp: SG004 (the inbound default policy accepts packets)
// and SG005 (the project's default group accepts inbound packets).
//
// Both are decided on the effective inbound policy: SG004 only when the default policy decides
// some packet (a final catch-all rule hides it), SG005 whatever accepts (rules or default).
#pragma once

#include <string>

#include "../../config.hpp"
#include "../../space.hpp"
#include "../catalogue.hpp"
#include "../context.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace lint {

/// SG004: the inbound default policy is accept and decides some packet.
inline void check_inbound_default_accept(check_context& cx) {
  if (!cx.enabled(check_id::inbound_default_accept) ||
      cx.group().inbound_default_policy != action::accept)
    return;
  auto s = cx.eg.scan_all(direction::inbound, all_protocols, {0, 65535});
  if (!s.accept_by_default) return;
  auto pub = cx.eg.scan(direction::inbound, all_protocols, cx.net.ranges, {0, 65535});
  auto f = cx.make(check_id::inbound_default_accept, "inbound",
                   std::string("The inbound default policy is accept and decides the packets no "
                               "rule matches") +
                       (pub.accept_by_default ? ", including packets from the internet"
                                              : " (from non-public addresses only)"));
  f.witness = pub.accept_by_default ? pub.by_default : s.by_default;
  f.by_default = true;
  cx.emit(std::move(f));
}

/// SG005: the project's default group accepts some inbound packet.
inline void check_project_default_inbound(check_context& cx) {
  if (!cx.enabled(check_id::project_default_inbound) || !cx.group().project_default) return;
  auto s = cx.eg.scan_all(direction::inbound, all_protocols, {0, 65535});
  if (!s.accepted) return;
  std::string how;
  if (!s.accept_rules.empty())
    how = std::to_string(s.accept_rules.size()) + (s.accept_rules.size() == 1 ? " rule" : " rules");
  if (s.accept_by_default) how += std::string(how.empty() ? "" : " and ") + "the default policy";
  auto f = cx.make(check_id::project_default_inbound, "inbound",
                   "The project's default group accepts inbound packets (" + how +
                       "); new instances get this exposure without asking");
  cx.accepted_from(f, s);
  cx.emit(std::move(f));
}

}  // namespace lint
SECGROUP_END_NAMESPACE
