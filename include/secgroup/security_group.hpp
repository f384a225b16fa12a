// secgroup/security_group.hpp: a security group, every field of the API object.
//
// `rules` holds the user (editable) rules. The six default SMTP rules are not stored: they
// exist iff `enable_default_security` is true, and ordered_rules() puts them first. The file
// readers drop a listed default rule only when it is exactly that rule, and refuse any other
// rule bearing a default id; in memory, such a rule is an ordinary user rule (docs/semantics.md).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config.hpp"
#include "default_rules.hpp"
#include "detail/text.hpp"
#include "error.hpp"
#include "protocol.hpp"
#include "rule.hpp"

SECGROUP_BEGIN_NAMESPACE

/// The lifecycle state the API reports for a group.
enum class group_state : std::uint8_t { available, syncing, syncing_error };

constexpr std::string_view to_string(group_state s) {
  return s == group_state::available ? "available"
         : s == group_state::syncing ? "syncing"
                                     : "syncing_error";
}

/// Parses "available", "syncing", "syncing_error" (any case); throws parse_error naming `field`.
inline group_state parse_group_state(std::string_view text, const std::string& field = "state") {
  return detail::parse_enum(
      text, std::array{group_state::available, group_state::syncing, group_state::syncing_error},
      "state", field);
}

/// A server attached to a group, as the API lists it.
struct server_ref {
  std::string id;
  std::string name;
  friend bool operator==(const server_ref&, const server_ref&) = default;
};

/// A security group. Defaults are the API's defaults for a group created without the field.
struct security_group {
  std::string id;
  std::string name;
  std::optional<std::string> description;  ///< null when never set
  std::string organization;
  std::string project;
  std::vector<std::string> tags;
  std::vector<server_ref> servers;
  bool stateful = true;
  action inbound_default_policy = action::accept;
  action outbound_default_policy = action::accept;
  bool organization_default = false;
  bool project_default = false;
  bool enable_default_security = true;
  group_state state = group_state::available;
  std::optional<std::string> creation_date;      ///< as the API writes it, e.g. "...+00:00"
  std::optional<std::string> modification_date;  ///< idem
  std::string zone = "fr-par-1";
  std::vector<rule> rules;  ///< user rules; default rules are implied by the flag

  /// The default policy of direction `d`.
  action default_policy(direction d) const {
    return d == direction::inbound ? inbound_default_policy : outbound_default_policy;
  }

  friend bool operator==(const security_group&, const security_group&) = default;
};

/// Returns the rules in evaluation order: the default SMTP rules (when enabled), then the user
/// rules by ascending position, ties kept in stored order. A stored copy of a default rule
/// (is_default_rule) is left out when the flag already implies it: it could decide nothing.
/// Every other stored rule is listed, whatever its id.
inline std::vector<rule> ordered_rules(const security_group& g) {
  std::vector<rule> out;
  if (g.enable_default_security) out = default_rules(g.zone);
  auto user_begin = out.size();
  for (const auto& r : g.rules)
    if (!(g.enable_default_security && is_default_rule(r))) out.push_back(normalize(r));
  std::stable_sort(out.begin() + static_cast<std::ptrdiff_t>(user_begin), out.end(),
                   [](const rule& a, const rule& b) { return a.position < b.position; });
  return out;
}

/// \cond
namespace detail {
/// `names` for an error message, "A, B, C": the first ten, then how many more, so that a
/// message about a large input stays one readable line.
inline std::string name_list(const std::vector<std::string>& names) {
  constexpr std::size_t shown = 10;
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < shown; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > shown) out += ", and " + std::to_string(names.size() - shown) + " more";
  return out;
}

/// The names of `groups` (the id where a group has no name) as name_list() writes them.
inline std::string group_names(const std::vector<security_group>& groups) {
  std::vector<std::string> names;
  for (const auto& g : groups) names.push_back(g.name.empty() ? g.id : g.name);
  return name_list(names);
}
}  // namespace detail
/// \endcond

/// Returns the group of `groups` whose id is `key`, else the one whose name is `key`.
/// Throws lookup_error: secgroup.lookup.301 when none matches, secgroup.lookup.302 when several
/// groups bear that name. The message lists the candidates.
inline const security_group& select_group(const std::vector<security_group>& groups,
                                          std::string_view key,
                                          const std::string& field = "group") {
  for (const auto& g : groups)
    if (g.id == key) return g;
  const security_group* found = nullptr;
  for (const auto& g : groups) {
    if (g.name != key) continue;
    if (found)
      SECGROUP_THROW(
          lookup_error(errc::ambiguous, field,
                       "several groups are named " + detail::quoted(key) + "; select one by id"));
    found = &g;
  }
  if (!found)
    SECGROUP_THROW(lookup_error(errc::not_found, field,
                                "no group has id or name " + detail::quoted(key) + " (groups: " +
                                    (groups.empty() ? "none" : detail::group_names(groups)) + ")"));
  return *found;
}

/// Throws parse_error secgroup.parse.109 naming `source`, "<holder> holds no security group",
/// when `groups` is empty: every front end refuses an input with nothing to analyse (`[]`,
/// `{"security_groups": []}`) rather than answer about nothing.
inline void require_groups(const std::vector<security_group>& groups, const std::string& source,
                           std::string_view holder = "the file") {
  if (groups.empty())
    SECGROUP_THROW(
        parse_error(errc::bad_file, source, std::string(holder) + " holds no security group"));
}

/// Returns a group of `groups` chosen the way every front end chooses one: the group `key`
/// selects (select_group, errors naming `field`), or without a key the only group. Throws
/// require_groups()'s parse_error when `groups` is empty, and lookup_error secgroup.lookup.302
/// naming `source` when there is no key and `groups` holds several; its message reads
/// "<holder> holds N groups; <how_to_choose> (names)".
inline security_group pick_group(const std::vector<security_group>& groups,
                                 const std::optional<std::string>& key, const std::string& field,
                                 const std::string& source, std::string_view holder,
                                 std::string_view how_to_choose) {
  require_groups(groups, source, holder);
  if (key) return select_group(groups, *key, field);
  if (groups.size() != 1) {
    SECGROUP_THROW(lookup_error(errc::ambiguous, source,
                                std::string(holder) + " holds " + std::to_string(groups.size()) +
                                    " groups; " + std::string(how_to_choose) + " (" +
                                    detail::group_names(groups) + ")"));
  }
  return groups.front();
}

SECGROUP_END_NAMESPACE
