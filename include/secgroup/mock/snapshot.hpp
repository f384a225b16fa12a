// secgroup/mock/snapshot.hpp: the whole state of a mock store as a JSON document, and back.
//
// A snapshot is `{"security_groups": [...]}`, each group in the API's shape with its rules
// embedded (groups_to_json of secgroup/io/json.hpp): a file every secgroup reader accepts, and
// the state file of `secgroup serve`. Reading one back checks all of it before anything is
// used: ids are UUIDs and unique over groups and rules, zones are served, names, projects,
// organizations and dates are present, a server sits in one group of a zone, a project has one
// default group per zone. User rules are brought to the store's form (mock/stored_rules.hpp) and
// numbered 1..N in position order. Errors name the field as it stands in the document, rules by
// their index in its `rules` array (default rules included): "security_groups[0].rules[7].id".
// mock::store::snapshot() and restore() call these two functions.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "../config.hpp"
#include "../default_rules.hpp"
#include "../detail/text.hpp"
#include "../error.hpp"
#include "../io/json.hpp"
#include "../rule.hpp"
#include "../security_group.hpp"
#include "ids.hpp"
#include "stored_rules.hpp"

SECGROUP_BEGIN_NAMESPACE
/// \cond
namespace detail::mock_snapshot {

/// Checks the groups read from `list` (the snapshot's `security_groups`) for a store serving
/// `zones`, and brings their user rules to the store's form, numbered 1..N in position order.
inline void check(const json& list, const std::vector<std::string>& zones,
                  std::vector<security_group>& loaded) {
  auto bad = [](const std::string& field, const std::string& message) {
    SECGROUP_THROW(validation_error(errc::bad_value, field, message));
  };
  auto need_uuid = [&](const std::string& v, const std::string& field) {
    if (!is_uuid(v)) bad(field, detail::quoted(v) + " is not a UUID");
  };
  std::vector<std::string> ids, servers;
  for (std::size_t i = 0; i < loaded.size(); ++i) {
    auto& g = loaded[i];
    auto at = "security_groups[" + std::to_string(i) + "]";
    need_uuid(g.id, at + ".id");
    if (std::find(ids.begin(), ids.end(), g.id) != ids.end())
      bad(at + ".id", "id " + g.id + " appears twice");
    ids.push_back(g.id);
    if (std::find(zones.begin(), zones.end(), g.zone) == zones.end())
      bad(at + ".zone", "unknown zone " + detail::quoted(g.zone));
    if (g.name.empty()) bad(at + ".name", "name must not be empty");
    need_uuid(g.project, at + ".project");
    need_uuid(g.organization, at + ".organization");
    if (!g.creation_date) bad(at + ".creation_date", "a date is required");
    if (!g.modification_date) bad(at + ".modification_date", "a date is required");
    for (std::size_t k = 0; k < g.servers.size(); ++k) {
      auto field = at + ".servers[" + std::to_string(k) + "].id";
      need_uuid(g.servers[k].id, field);
      auto key = g.zone + "/" + g.servers[k].id;
      if (std::find(servers.begin(), servers.end(), key) != servers.end())
        bad(field, "server " + g.servers[k].id + " is attached to two groups of " + g.zone);
      servers.push_back(key);
    }
    for (std::size_t k = 0; k < i; ++k)
      if (g.project_default && loaded[k].project_default && loaded[k].project == g.project &&
          loaded[k].zone == g.zone)
        bad(at + ".project_default", "security_groups[" + std::to_string(k) +
                                         "] is already the default group of project " + g.project +
                                         " in " + g.zone);
    const json* raw = json_io::find(list[i], "rules");
    for (std::size_t k = 0, user = 0; raw && k < raw->size(); ++k) {
      auto id = (*raw)[k].value("id", json()).is_string() ? (*raw)[k]["id"].get<std::string>()
                                                          : std::string();
      if (is_default_rule_id(id)) continue;
      auto field = at + ".rules[" + std::to_string(k) + "].id";
      if (id.empty())
        SECGROUP_THROW(parse_error(errc::missing_field, field, "a stored rule needs its id"));
      need_uuid(id, field);
      if (std::find(ids.begin(), ids.end(), id) != ids.end())
        bad(field, "id " + id + " appears twice");
      ids.push_back(id);
      SECGROUP_ASSERT(user < g.rules.size() && g.rules[user].id == id);
      g.rules[user] = mock_store::stored_rule(g.rules[user], g.zone);
      ++user;
    }
    std::stable_sort(g.rules.begin(), g.rules.end(),
                     [](const rule& a, const rule& b) { return a.position < b.position; });
    mock_store::renumber(g.rules);
  }
}

}  // namespace detail::mock_snapshot
/// \endcond

namespace mock {

/// Returns `groups` as a snapshot: `{"security_groups": [...]}`, each group in the API's shape
/// with its rules embedded.
inline json to_snapshot(const std::vector<security_group>& groups) {
  return groups_to_json(groups);
}

/// Returns the groups of `doc`, a document of to_snapshot()'s form, for a store serving
/// `zones`, after validating all of it. Throws parse_error or validation_error naming the
/// field, e.g. "security_groups[1].rules[7].id".
inline std::vector<security_group> read_snapshot(const json& doc,
                                                 const std::vector<std::string>& zones) {
  const json* list = doc.is_object() ? detail::json_io::find(doc, "security_groups") : nullptr;
  if (!list || !list->is_array())
    SECGROUP_THROW(
        parse_error(errc::bad_file, "", "expected a snapshot: {\"security_groups\": [...]}"));
  auto loaded = groups_from_json(doc);
  detail::mock_snapshot::check(*list, zones, loaded);
  return loaded;
}

}  // namespace mock
SECGROUP_END_NAMESPACE
