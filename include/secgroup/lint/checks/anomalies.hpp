// secgroup/lint/checks/anomalies.hpp: SG011 (shadowed rule), SG012 (redundant rule), SG013
// (correlated rules) and SG014 (generalization), from the exact anomaly analysis.
//
// analysis::analyze() finds the anomalies; this check words them, names the rules involved and
// gives the witness packet with the group's decision. A redundant rule whose packets would
// partly fall to the default policy says so (effective_group::falls_to_default).
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "../../analysis/anomalies.hpp"
#include "../../config.hpp"
#include "../catalogue.hpp"
#include "../context.hpp"
#include "../message.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace lint {

/// The checks check_anomalies() decides.
inline constexpr std::array<std::string_view, 4> anomaly_checks{
    check_id::shadowed, check_id::redundant, check_id::correlated, check_id::generalization};

/// SG011 .. SG014: the anomalies of the rule list, in the order analysis::analyze() gives them.
inline void check_anomalies(check_context& cx) {
  const bool any = cx.enabled(check_id::shadowed) || cx.enabled(check_id::redundant) ||
                   cx.enabled(check_id::correlated) || cx.enabled(check_id::generalization);
  if (!any) return;
  auto found = analysis::analyze(cx.group());
  for (const auto& a : found.findings) {
    std::string_view id;
    switch (a.kind) {
      case analysis::finding_kind::shadowed:
        id = check_id::shadowed;
        break;
      case analysis::finding_kind::redundant:
        id = check_id::redundant;
        break;
      case analysis::finding_kind::correlated:
        id = check_id::correlated;
        break;
      case analysis::finding_kind::generalization:
        id = check_id::generalization;
        break;
    }
    if (!cx.enabled(id)) continue;
    const auto& r = cx.rules()[a.rule];
    const std::string label = capitalized(cx.described(a.rule));
    const std::string by = cx.rule_list(a.related);
    std::string message;
    bool to_default = false;
    switch (a.kind) {
      case analysis::finding_kind::shadowed:
        message = label + " never decides a packet: all of its packets are matched first by " + by +
                  ", some of them with the opposite action (" + std::string(to_string(!r.action)) +
                  ")";
        break;
      case analysis::finding_kind::redundant:
        if (a.reason == analysis::finding_reason::covered) {
          message = label + " never decides a packet: all of its packets are matched first by " +
                    by + ", with the same action";
        } else {
          to_default = cx.eg.falls_to_default(a.rule);
          message = label +
                    " can be removed without changing any decision: the packets it "
                    "decides get the same action (" +
                    std::string(to_string(r.action)) + ") from " +
                    (a.related.empty() ? std::string("the default policy")
                                       : by + (to_default ? " and the default policy" : ""));
        }
        break;
      case analysis::finding_kind::correlated:
        message = label + " overlaps the earlier " + by +
                  " with the opposite action, and neither contains the other: their order "
                  "decides the packets they share";
        break;
      case analysis::finding_kind::generalization:
        message = capitalized(by) + " is an exception (" + std::string(to_string(!r.action)) +
                  ") carved out of the later, broader " + cx.described(a.rule);
        break;
    }
    std::string subject = r.id.empty() ? "#" + std::to_string(a.rule) : r.id;
    if (a.kind == analysis::finding_kind::correlated ||
        a.kind == analysis::finding_kind::generalization)
      for (auto j : a.related)
        subject += "/" + (cx.rules()[j].id.empty() ? "#" + std::to_string(j) : cx.rules()[j].id);
    auto f = cx.make(id, std::move(subject), std::move(message));
    if (a.witness) f.witness = analysis::query_witness{*a.witness, cx.eg.evaluate(*a.witness)};
    f.rules = {a.rule};
    f.related = a.related;
    f.by_default = to_default;
    cx.emit(std::move(f));
  }
}

}  // namespace lint
SECGROUP_END_NAMESPACE
