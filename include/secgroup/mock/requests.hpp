// secgroup/mock/requests.hpp: the typed requests of the mock Instance API, and their validation.
//
// What a caller hands the store besides the model types: the fields of a created or replaced
// group (group_spec), partial updates (group_patch, rule_patch), the filters and page of a list
// (group_filter, answered by a group_page), and the projects a caller may reach (scope). The
// wire readers (mock/wire.hpp) build them from JSON bodies and query strings; C++ and Python
// callers build them directly.
// Validation: each validate_*() checks what can be judged from the request alone (no state) and
// adds every invalid field to an argument_errors, so one 400 names them all; the store runs
// them again, so a request built in C++ is checked like one read from the wire. Checks that
// need the store (does the group exist, may it move) belong to the store.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../address.hpp"
#include "../config.hpp"
#include "../detail/text.hpp"
#include "../port_range.hpp"
#include "../protocol.hpp"
#include "../rule.hpp"
#include "../security_group.hpp"
#include "errors.hpp"
#include "ids.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace mock {

// -- Requests ------------------------------------------------------------------------------

/// Page size of group lists when none is asked (spec §3.1), and the largest allowed.
inline constexpr std::int64_t default_per_page = 50;
inline constexpr std::int64_t max_per_page = 100;
/// Page size of rule lists when none is asked (a gap of the spec; see docs/mock-api.md).
inline constexpr std::int64_t default_rules_per_page = 100;

/// The projects a caller may read and change: every project, or the listed ones.
struct scope {
  std::optional<std::vector<std::string>> projects;  ///< nullopt: every project

  /// True iff the caller may see groups of `project`.
  bool allows(std::string_view project) const {
    return !projects || std::find(projects->begin(), projects->end(), project) != projects->end();
  }
};

/// The fields of a created group (POST) or of a replaced one (PUT). Defaults are the API's
/// defaults for an omitted field.
struct group_spec {
  std::string name;                        ///< required, not empty
  std::optional<std::string> description;  ///< nullopt: null
  std::string project;       ///< create: "" = the organization's default project (same UUID)
  std::string organization;  ///< create: "" = the project's organization; replace: "" = keep
  std::vector<std::string> tags;
  bool project_default = false;
  bool organization_default = false;
  bool stateful = true;
  action inbound_default_policy = action::accept;
  action outbound_default_policy = action::accept;
  bool enable_default_security = true;
};

/// A partial update of a group (PATCH): each set field replaces the group's.
struct group_patch {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::vector<std::string>> tags;
  std::optional<bool> project_default;
  std::optional<bool> organization_default;
  std::optional<bool> stateful;
  std::optional<action> inbound_default_policy;
  std::optional<action> outbound_default_policy;
  std::optional<bool> enable_default_security;
  /// As in a PUT: when non-empty, must be the group's own (groups never move); never applied.
  std::optional<std::string> project;
  std::optional<std::string> organization;
};

/// A partial update of a rule (PATCH). Ports are the API's raw values: 0 unsets the bound, and
/// an unset `dest_port_to` (or one equal to `dest_port_from`) means a single port.
struct rule_patch {
  std::optional<secgroup::protocol> protocol;
  std::optional<secgroup::direction> direction;
  std::optional<secgroup::action> action;
  std::optional<ip_network> ip_range;
  std::optional<std::int64_t> dest_port_from;
  std::optional<std::int64_t> dest_port_to;
  std::optional<std::uint32_t> position;  ///< 0 keeps the position
};

/// The filters and page of a group list.
struct group_filter {
  std::string name;               ///< substring of the name (case-sensitive); "" = any
  std::string organization;       ///< exact; "" = any
  std::string project;            ///< exact; "" = any
  std::vector<std::string> tags;  ///< the group must have every one
  std::optional<bool> project_default;
  std::int64_t page = 1;
  std::int64_t per_page = default_per_page;
};

/// One page of a group list.
struct group_page {
  std::vector<security_group> security_groups;
  std::size_t total_count = 0;  ///< groups matching the filters, over every page
  std::int64_t page = 1;
  std::int64_t per_page = default_per_page;
  std::int64_t last_page = 1;  ///< the last page with content (1 when nothing matches)
};

// -- Validation of request values (no state needed) ----------------------------------------

/// Adds to `errs` a `format` detail for `argument_name` unless `value` is a UUID.
inline void expect_uuid(std::string argument_name, std::string_view value, argument_errors& errs) {
  if (!is_uuid(value))
    errs.add(std::move(argument_name), reason::format, detail::quoted(value) + " is not a UUID");
}

/// Adds to `errs` every invalid field of `spec`; `creating` requires a project or organization.
inline void validate_group_spec(const group_spec& spec, bool creating, argument_errors& errs) {
  if (spec.name.empty()) errs.add("name", reason::constraint, "name must not be empty");
  if (!spec.project.empty()) expect_uuid("project", spec.project, errs);
  if (!spec.organization.empty()) expect_uuid("organization", spec.organization, errs);
  if (creating && spec.project.empty() && spec.organization.empty())
    errs.add("project", reason::required, "precisely one of project, organization must be set");
}

/// Adds to `errs` every invalid field of `patch`.
inline void validate_group_patch(const group_patch& patch, argument_errors& errs) {
  if (patch.name && patch.name->empty())
    errs.add("name", reason::constraint, "name must not be empty");
  if (patch.project && !patch.project->empty()) expect_uuid("project", *patch.project, errs);
  if (patch.organization && !patch.organization->empty())
    expect_uuid("organization", *patch.organization, errs);
}

/// Adds to `errs` every invalid field of the typed rule `r`, named under `prefix`; `check_id`
/// requires a non-empty id to be a UUID.
inline void validate_rule(const rule& r, const std::string& prefix, bool check_id,
                          argument_errors& errs) {
  auto name = [&](const char* key) { return prefix.empty() ? key : prefix + "." + key; };
  if (check_id && !r.id.empty()) expect_uuid(name("id"), r.id, errs);
  if (r.ip_range.prefix > address_bits(r.ip_range.af()))
    errs.add(name("ip_range"), reason::constraint, "the prefix length exceeds the address size");
  if (r.ports && r.ports->from == 0)
    errs.add(name("dest_port_from"), reason::constraint, "port 0 is not a port (use no range)");
  if (r.ports && r.ports->to < r.ports->from)
    errs.add(name("dest_port_to"), reason::constraint,
             "port range " + std::to_string(r.ports->from) + "-" + std::to_string(r.ports->to) +
                 " ends before it starts");
}

/// Adds to `errs` every invalid field of `patch` that needs no current rule to judge.
inline void validate_rule_patch(const rule_patch& patch, argument_errors& errs) {
  if (patch.ip_range && patch.ip_range->prefix > address_bits(patch.ip_range->af()))
    errs.add("ip_range", reason::constraint, "the prefix length exceeds the address size");
  const std::pair<const char*, std::optional<std::int64_t>> ports[] = {
      {"dest_port_from", patch.dest_port_from}, {"dest_port_to", patch.dest_port_to}};
  for (const auto& [key, value] : ports)
    if (value && (*value < 0 || *value > 65535))
      errs.add(key, reason::constraint, "port " + std::to_string(*value) + " is outside 0..65535");
}

/// Adds to `errs` an invalid `page` (below 1) or `per_page` (outside 1..100).
inline void validate_page(std::int64_t page, std::int64_t per_page, argument_errors& errs) {
  if (page < 1)
    errs.add("page", reason::constraint,
             "page " + std::to_string(page) + " is not a positive integer");
  if (per_page < 1 || per_page > max_per_page)
    errs.add(
        "per_page", reason::constraint,
        "per_page " + std::to_string(per_page) + " is outside 1.." + std::to_string(max_per_page));
}

/// Adds to `errs` every invalid field of `filter`.
inline void validate_group_filter(const group_filter& filter, argument_errors& errs) {
  if (!filter.organization.empty()) expect_uuid("organization", filter.organization, errs);
  if (!filter.project.empty()) expect_uuid("project", filter.project, errs);
  validate_page(filter.page, filter.per_page, errs);
}

}  // namespace mock
SECGROUP_END_NAMESPACE
