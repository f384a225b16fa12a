// secgroup/lint/lint.hpp: runs the lint checks of catalogue.hpp on a group.
//
// Every check about traffic is decided on the effective policy (effective.hpp, exposure(),
// analyze()): first match, default SMTP rules, default policies, both families, port ranges
// and protocol classes. Only the checks that are about the text by nature read fields
// directly: the description, the number of rules, and the prefix length of an accept rule —
// and the latter only fires when that rule actually decides packets from public addresses.
// Each finding (finding.hpp) names the rules it is about (indices into ordered_rules()), whether
// the default policy takes part, and a witness packet with its decision, so that a reader can
// check why.
//
// The checks are rows of check_table (check_table.hpp), one header each (or per small family)
// under checks/; the linter runs the rows in order on a check_context (context.hpp), then
// orders the findings by severity (highest first) and catalogue order.
// Checks that imply each other are not repeated: SG002 (all ports) is left out for addresses
// SG003 (all protocols) already reports, and SG001 leaves out a service whose whole exposure
// lies inside an SG002/SG003 finding, which then names it ("this includes SSH, RDP"). A
// suppressed or disabled SG002/SG003 implies nothing.
//
// Suppressions (config.hpp, applied by suppression.hpp) apply as findings are made: one without
// a rule suppresses every matching finding; rule suppressions suppress a finding once every rule
// it is about is covered (and the default policy is not involved). Suppressed findings are kept,
// marked with the reasons, and never fail a run.
// Cost: a few dozen scans of four partitions per group, plus analyze(); milliseconds for
// groups of hundreds of rules.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../detail/sorted.hpp"
#include "../security_group.hpp"
#include "catalogue.hpp"
#include "check_table.hpp"
#include "config.hpp"
#include "context.hpp"
#include "effective.hpp"
#include "finding.hpp"
#include "message.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace lint {

namespace detail {
/// Orders the findings of `r` by severity (highest first), then catalogue order, keeping the
/// emission order of equal keys; sorts the used suppressions and drops repeats.
inline void order_report(group_report& r) {
  std::vector<std::size_t> idx(r.findings.size());
  // The keys once per finding: lint_config::index() searches the catalogue.
  std::vector<std::tuple<int, std::size_t>> keys(r.findings.size());
  for (std::size_t i = 0; i < idx.size(); ++i) {
    idx[i] = i;
    keys[i] = {-static_cast<int>(r.findings[i].level), lint_config::index(r.findings[i].check)};
  }
  std::stable_sort(idx.begin(), idx.end(),
                   [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
  std::vector<finding> sorted;
  for (auto i : idx) sorted.push_back(std::move(r.findings[i]));
  r.findings = std::move(sorted);
  secgroup::detail::sort_unique(r.used_suppressions);
}
}  // namespace detail

/// Runs the checks of a configuration on groups.
class linter {
 public:
  explicit linter(lint_config c = {})
      : config_(std::move(c)), internet_(make_internet(config_.trusted_ranges)) {}

  const lint_config& config() const { return config_; }
  /// The addresses that count as the internet (public, not trusted).
  const lint::internet& public_addresses() const { return internet_; }

  /// Returns the findings of every enabled check about `g`; `source` and `address` (a
  /// Terraform address, which suppressions may name as the group) are recorded as given.
  group_report run(const security_group& g, std::string source = "",
                   const std::string& address = "") const {
    check_context cx(config_, internet_, g);
    cx.report.source = std::move(source);
    cx.report.address = address;
    for (const auto& row : check_table)
      if (std::any_of(row.ids.begin(), row.ids.end(),
                      [&](std::string_view id) { return cx.enabled(id); }))
        row.run(cx);
    detail::order_report(cx.report);
    return std::move(cx.report);
  }

 private:
  lint_config config_;
  lint::internet internet_;
};

/// Returns the findings about `g` under configuration `config`.
inline group_report lint_group(const security_group& g, const lint_config& config = {},
                               std::string source = "") {
  return linter(config).run(g, std::move(source));
}

/// True iff some unsuppressed finding of `report` is at or above `threshold`.
inline bool fails(const group_report& report, fail_threshold threshold) {
  if (!threshold) return false;
  for (const auto& f : report.findings)
    if (!f.suppressed && f.level >= *threshold) return true;
  return false;
}

}  // namespace lint
SECGROUP_END_NAMESPACE
