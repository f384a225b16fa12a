// secgroup/lint/check_table.hpp: the lint checks as a table, in the order they run.
//
// Each row names the catalogue checks one function decides (its metadata is check_of(id) in
// catalogue.hpp) and the function, which adds its findings to a check_context. A function
// decides one check, or a small family whose checks share their work (SG003 and SG002 share
// the scan of the exposure, SG011 to SG014 one anomaly analysis). The runner (lint.hpp) calls
// the function of every row with at least one enabled check, in table order; each function
// still consults the setting of each of its checks.
// The order matters in one place: SG001 reads what SG003 and SG002 reported, so all_open runs
// first. The final order of findings does not depend on it (lint.hpp sorts them by severity,
// then catalogue order, keeping the emission order of equal keys).
// Every catalogue check appears in exactly one row (tests/lint/checks.test.cpp).
#pragma once

#include <array>
#include <span>
#include <string_view>

#include "../config.hpp"
#include "catalogue.hpp"
#include "checks/all_open.hpp"
#include "checks/anomalies.hpp"
#include "checks/default_policy.hpp"
#include "checks/dual_stack.hpp"
#include "checks/egress.hpp"
#include "checks/prefixes.hpp"
#include "checks/sensitive_service.hpp"
#include "checks/stateless.hpp"
#include "checks/text.hpp"
#include "context.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace lint {

/// A check function: decides its checks on the group of `cx` and emits the findings there.
using check_function = void (*)(check_context& cx);

/// One row of the table: the catalogue ids a function decides, and the function.
struct check_row {
  std::span<const std::string_view> ids;  ///< in the order the function emits them
  check_function run;

  /// The catalogue entry of the row's first check.
  const check_info& info() const { return check_of(ids.front()); }
};

namespace detail {
/// A row for the single check `id` (a check_id constant).
constexpr check_row single_check(const std::string_view& id, check_function run) {
  return {std::span<const std::string_view>(&id, 1), run};
}
}  // namespace detail

/// Every check, in the order the runner calls them.
inline constexpr std::array<check_row, 13> check_table{{
    {all_open_checks, &check_all_open},  // SG003, SG002
    detail::single_check(check_id::sensitive_service, &check_sensitive_services),
    detail::single_check(check_id::inbound_default_accept, &check_inbound_default_accept),
    detail::single_check(check_id::project_default_inbound, &check_project_default_inbound),
    detail::single_check(check_id::unrestricted_egress, &check_unrestricted_egress),
    detail::single_check(check_id::smtp_egress, &check_smtp_egress),
    detail::single_check(check_id::dual_stack, &check_dual_stack),
    detail::single_check(check_id::stateless_no_reply, &check_stateless_no_reply),
    detail::single_check(check_id::stateless_no_return, &check_stateless_no_return),
    {anomaly_checks, &check_anomalies},  // SG011 .. SG014
    {prefix_checks, &check_prefixes},    // SG015, SG016
    detail::single_check(check_id::too_many_rules, &check_too_many_rules),
    detail::single_check(check_id::missing_description, &check_missing_description),
}};

}  // namespace lint
SECGROUP_END_NAMESPACE
