// secgroup/lint/suppression.hpp: which configured suppressions silence a finding.
//
// A suppression (config.hpp) matches a finding when its check and group are empty or name the
// finding's check and group (id or name). One without a rule suppresses every finding it
// matches. Rule suppressions only act together: a finding is suppressed by them once every rule
// it is about has one (matched by rule id), and never when the default policy takes part, since
// no rule suppression can speak for it. Suppressions without a rule take precedence: when one
// applies, the rule suppressions are neither needed nor reported as used.
// Suppressed findings are kept, with the reasons joined by "; ", and never fail a run.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "../config.hpp"
#include "../rule.hpp"
#include "../security_group.hpp"
#include "config.hpp"
#include "finding.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace lint {

/// Suppresses `f` (about group `g`, whose ordered rules are `rules`) if `suppressions` say so:
/// sets f.suppressed to the reasons and appends the indices of the suppressions used to `used`.
/// Returns true iff `f` is suppressed. A suppression's group matches the group's id or name, or
/// `address` (the group's Terraform address) when not empty.
inline bool apply_suppressions(finding& f, const std::vector<suppression>& suppressions,
                               const security_group& g, const std::vector<rule>& rules,
                               std::vector<std::size_t>& used, const std::string& address = "") {
  std::vector<std::string> reasons;
  std::vector<std::size_t> matched;
  std::vector<std::string> covered;  // rule ids covered by rule suppressions
  std::vector<std::size_t> rule_used;
  std::vector<std::string> rule_reasons;
  for (std::size_t k = 0; k < suppressions.size(); ++k) {
    const auto& s = suppressions[k];
    if (!s.check.empty() && s.check != f.check) continue;
    if (!s.group.empty() && s.group != g.id && s.group != g.name &&
        (address.empty() || s.group != address))
      continue;
    if (s.rule.empty()) {
      reasons.push_back(s.reason);
      matched.push_back(k);
    } else {
      bool about = false;
      for (auto i : f.rules) about = about || rules[i].id == s.rule;
      if (!about) continue;
      covered.push_back(s.rule);
      rule_used.push_back(k);
      rule_reasons.push_back(s.reason);
    }
  }
  if (reasons.empty() && !f.rules.empty() && !f.by_default) {
    bool all = true;
    for (auto i : f.rules)
      all = all && std::find(covered.begin(), covered.end(), rules[i].id) != covered.end();
    if (all) {
      reasons = rule_reasons;
      matched = rule_used;
    }
  }
  if (reasons.empty()) return false;
  std::string joined;
  for (const auto& r : reasons) joined += (joined.empty() ? "" : "; ") + r;
  f.suppressed = joined;
  used.insert(used.end(), matched.begin(), matched.end());
  return true;
}

}  // namespace lint
SECGROUP_END_NAMESPACE
