// secgroup/lint/checks/text.hpp: SG017 (too many rules) and SG018 (no description), the checks
// that are about the group's text by nature and read its fields directly.
#pragma once

#include <cstddef>
#include <string>

#include "../../config.hpp"
#include "../../default_rules.hpp"
#include "../../detail/text.hpp"
#include "../catalogue.hpp"
#include "../context.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace lint {

/// SG017: more user rules than the configured maximum.
inline void check_too_many_rules(check_context& cx) {
  if (!cx.enabled(check_id::too_many_rules)) return;
  std::size_t n = 0;
  for (const auto& r : cx.group().rules) n += is_default_rule_id(r.id) ? 0 : 1;
  if (n > cx.cfg.max_rules)
    cx.emit(cx.make(check_id::too_many_rules, "rules",
                    "The group has " + std::to_string(n) + " user rules, more than " +
                        std::to_string(cx.cfg.max_rules)));
}

/// SG018: the group's description is missing or blank.
inline void check_missing_description(check_context& cx) {
  const auto& g = cx.group();
  if (cx.enabled(check_id::missing_description) &&
      (!g.description || secgroup::detail::trim(*g.description).empty()))
    cx.emit(cx.make(
        check_id::missing_description, "description",
        g.description ? "The group's description is blank" : "The group has no description"));
}

}  // namespace lint
SECGROUP_END_NAMESPACE
