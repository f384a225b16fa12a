// secgroup/mock/store.hpp: the state of the mock Instance API and its typed C++ API.
//
// A store holds the security groups of every zone as model objects (secgroup::security_group,
// user rules included), so any of them can go straight to the analysis engine. Its methods are
// the API's endpoints (spec §2), typed: list/create/get/replace/update/delete groups, and
// list/set-all/create/get/replace/update/delete rules plus the default rules; and, for tests
// only, servers attached to groups, an injected clock (mock/clock.hpp) and id generator
// (mock/ids.hpp), and a snapshot of the whole state (mock/snapshot.hpp). Requests are the types
// of mock/requests.hpp; the store speaks no JSON (the wire and snapshot layers do).
//
// Behaviour follows docs/mock-api.md: default rules are implied by `enable_default_security`
// and never stored; user rules are kept in position order, numbered 1..N (inbound and outbound
// share the sequence) and renumbered on every insert, move and delete; `modification_date`
// moves only when a call really changes the group; a project has at most one `project_default`
// group per zone.
// Sync (spec §7): a call that really changes a group dates the change and, unless
// store_options::sync_delay is 0, leaves the group `syncing` until the clock reaches the date
// of the change plus the delay; then the group is `available` and its modification_date is
// that deadline, with no client call. The transition is made lazily and once: every call that
// takes the lock first settles the groups whose deadline has passed (reading the clock once,
// only while some group is syncing) and reports them to the change listener, so every reader
// (get, list, snapshot, the state file's journal) sees the same answer. A syncing group's
// deadline is always its modification_date plus the delay, so a snapshot needs no field of its
// own for it: restore() recomputes it (docs/mock-api.md, "Sync").
// Failures throw mock::api_error (mock/errors.hpp) in the API's shapes, after complete
// validation: every invalid argument of a call is reported at once, and a failed call leaves
// the store exactly as it was. Every call that changes a group takes one path, mutate_group():
// path (400), request (400), then under the lock existence (404) and project (403), then the
// call's own checks on a copy of the group, committed last.
// Change feed: set_change_listener() installs a function called, under the lock, after every
// call that changed something, with the groups it wrote and those it deleted (the state file's
// journal, server/state_file.hpp, is built on it), and after every end of a sync (a change of
// its own, made by whichever call settles it, a read included); restore() is not reported.
// Thread safety: one mutex guards the whole state; every public method takes it, and calls the
// clock and the id generator with it held, so they never run concurrently for one store.
// Complexity: groups are found by a linear scan (O(groups)); ids are checked for uniqueness over
// the whole store (O(groups + rules), once per call: set-rules gathers the store's ids in one
// set for all its new rules); a change copies its group (O(rules)). A group holds at most
// store_options::max_rules_per_group user rules (403 quotas_exceeded), counted before the lock,
// so no call holds the lock for long. The mock is a test double, not a database.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../default_rules.hpp"
#include "../detail/text.hpp"
#include "../error.hpp"
#include "../port_range.hpp"
#include "../rule.hpp"
#include "../security_group.hpp"
#include "../zones.hpp"
#include "clock.hpp"
#include "errors.hpp"
#include "ids.hpp"
#include "requests.hpp"
#include "snapshot.hpp"
#include "stored_rules.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace mock {

/// Returns `zones` if each is a zone name (is_zone_name); throws validation_error (bad_value,
/// `field`) naming the first that is not.
inline std::vector<std::string> checked_zone_names(std::vector<std::string> zones,
                                                   std::string_view field) {
  for (const auto& z : zones)
    if (!is_zone_name(z))
      throw validation_error(errc::bad_value, std::string(field),
                             detail::quoted(z) + " is not a zone name like fr-par-1");
  return zones;
}

/// Construction parameters of a store.
/// The default cap on the user rules of one group. The API's own limit is not known (the spec
/// is silent): this one is documented in docs/mock-api.md and generous for real groups.
inline constexpr std::size_t default_max_rules_per_group = 1000;

/// The default time a changed group stays `syncing`. The real API takes about 0.2–0.5 s
/// (spec §7): 300 ms of the store's clock is in that range, long enough for a client's
/// wait-until-available loop to see `syncing` at least once, short enough not to slow it.
inline constexpr std::chrono::milliseconds default_sync_delay{300};

/// The longest sync delay a store accepts (an hour).
inline constexpr std::chrono::milliseconds max_sync_delay{3'600'000};

struct store_options {
  std::vector<std::string> zones = instance_zones();  ///< the zones served; others are refused
  clock_fn clock;                                     ///< empty: wall_clock()
  id_fn new_id;                                       ///< empty: random_id_generator()
  /// User rules one group may hold; a call that would exceed it is refused (403
  /// quotas_exceeded). A restored snapshot is not checked against it.
  std::size_t max_rules_per_group = default_max_rules_per_group;
  /// How long, on the store's clock, a changed group stays `syncing` before it becomes
  /// `available` with its modification_date bumped (spec §7); 0: never syncing, a change
  /// answers `available`. At most max_sync_delay.
  std::chrono::milliseconds sync_delay = default_sync_delay;
};

/// Throws validation_error (bad_value, `field`) unless 0 <= `delay` <= max_sync_delay.
inline void check_sync_delay(std::chrono::milliseconds delay, std::string_view field) {
  if (delay.count() < 0 || delay > max_sync_delay)
    throw validation_error(errc::bad_value, std::string(field),
                           "the sync delay is a number of milliseconds in 0.." +
                               std::to_string(max_sync_delay.count()) + ", not " +
                               std::to_string(delay.count()));
}

/// A group a change deleted.
struct deleted_group {
  std::string zone;
  std::string id;
};

/// What one call changed, as a change listener sees it: every group it wrote, in its new
/// state (the pointers are valid only during the call), and every group it deleted.
struct store_change {
  std::vector<const security_group*> written;
  std::vector<deleted_group> deleted;
};

/// Receives each store_change; called with the store's lock held, so changes arrive in the
/// order they were made. It must not call the store, and should not throw (a throw reaches the
/// caller of the change, which is made all the same).
using change_fn = std::function<void(const store_change&)>;

}  // namespace mock

/// \cond
namespace detail::mock_store {

/// Returns the items [(page-1)*per_page, page*per_page) of `all` (empty past the end).
template <class T>
std::vector<T> page_of(const std::vector<T>& all, std::int64_t page, std::int64_t per_page) {
  auto pages_before = static_cast<std::uint64_t>(page - 1);
  if (pages_before >= all.size()) return {};  // per_page >= 1; also keeps the product small
  auto first = pages_before * static_cast<std::uint64_t>(per_page);
  if (first >= all.size()) return {};
  auto last = std::min<std::uint64_t>(all.size(), first + static_cast<std::uint64_t>(per_page));
  return {all.begin() + static_cast<std::ptrdiff_t>(first),
          all.begin() + static_cast<std::ptrdiff_t>(last)};
}

/// Replaces rules[at] with `r` placed at `position` (1-based; 0 keeps the place of rules[at],
/// past the end appends) and renumbers.
inline void replace_at(std::vector<rule>& rules, std::size_t at, rule r, std::uint32_t position) {
  if (position == 0) position = rules[at].position;
  rules.erase(rules.begin() + static_cast<std::ptrdiff_t>(at));
  insert_at(rules, std::move(r), position);
}

inline const char* const group_id_param = "security_group_id";
inline const char* const rule_id_param = "security_group_rule_id";

}  // namespace detail::mock_store
/// \endcond

namespace mock {

/// The in-memory Instance API: every security group of every zone, behind one mutex.
class store {
 public:
  /// A store serving `options.zones`, empty. Throws validation_error (`sync_delay`) for a
  /// delay check_sync_delay() refuses.
  explicit store(store_options options = {})
      : zones_(std::move(options.zones)),
        clock_(options.clock ? std::move(options.clock) : wall_clock()),
        new_id_(options.new_id ? std::move(options.new_id) : random_id_generator()),
        max_rules_(options.max_rules_per_group),
        sync_delay_(checked_delay(options.sync_delay)) {}

  store(const store&) = delete;
  store& operator=(const store&) = delete;

  // -- Configuration -----------------------------------------------------------------------

  /// Replaces the clock (empty: the wall clock).
  void set_clock(clock_fn clock) {
    std::lock_guard lock(mutex_);
    clock_ = clock ? std::move(clock) : wall_clock();
  }
  /// Replaces the id generator (empty: random UUIDs).
  void set_id_generator(id_fn new_id) {
    std::lock_guard lock(mutex_);
    new_id_ = new_id ? std::move(new_id) : random_id_generator();
  }
  /// Replaces the change listener (empty: none); see change_fn.
  void set_change_listener(change_fn listener) {
    std::lock_guard lock(mutex_);
    on_change_ = std::move(listener);
  }
  /// The zones served, fixed at construction.
  const std::vector<std::string>& zones() const noexcept { return zones_; }
  /// The cap on the user rules of one group, fixed at construction.
  std::size_t max_rules_per_group() const noexcept { return max_rules_; }
  /// How long a changed group stays `syncing` (0: never), fixed at construction.
  std::chrono::milliseconds sync_delay() const noexcept { return sync_delay_; }
  /// True iff `zone` is served.
  bool has_zone(std::string_view zone) const {
    return std::find(zones_.begin(), zones_.end(), zone) != zones_.end();
  }
  /// Throws invalid_arguments (`zone`) unless `zone` is served.
  void check_zone(std::string_view zone) const {
    if (has_zone(zone)) return;
    std::string known;
    for (const auto& z : zones_) known += (known.empty() ? "" : ", ") + z;
    SECGROUP_THROW(invalid_argument_error(
        "zone", reason::constraint,
        "unknown zone " + detail::quoted(zone) + " (expected one of " + known + ")"));
  }

  /// Throws invalid_arguments for an unknown zone, else for a malformed group id
  /// (`security_group_id`) or rule id (`security_group_rule_id`, when given).
  void check_path(std::string_view zone, const std::string& group_id,
                  const std::string* rule_id = nullptr) const {
    check_zone(zone);
    argument_errors errs;
    expect_uuid(detail::mock_store::group_id_param, group_id, errs);
    if (rule_id) expect_uuid(detail::mock_store::rule_id_param, *rule_id, errs);
    errs.raise_if_any();
  }

  // -- Security groups ---------------------------------------------------------------------

  /// Returns one page of the groups of `zone` that match `filter` and `who`, in creation
  /// order. A page past the end is empty.
  group_page list_groups(const std::string& zone, const group_filter& filter = {},
                         const scope& who = {}) const {
    check_zone(zone);
    argument_errors errs;
    validate_group_filter(filter, errs);
    errs.raise_if_any();
    if (!filter.project.empty() && !who.allows(filter.project))
      SECGROUP_THROW(permissions_denied_error(resource::security_group, "read", "project"));
    std::vector<security_group> matching;
    {
      std::lock_guard lock(mutex_);
      settle();
      for (const auto& g : groups_)
        if (g.zone == zone && who.allows(g.project) && matches(g, filter)) matching.push_back(g);
    }
    group_page out;
    out.total_count = matching.size();
    out.page = filter.page;
    out.per_page = filter.per_page;
    out.last_page = std::max<std::int64_t>(
        1, static_cast<std::int64_t>(
               (matching.size() + static_cast<std::size_t>(filter.per_page) - 1) /
               static_cast<std::size_t>(filter.per_page)));
    out.security_groups = detail::mock_store::page_of(matching, filter.page, filter.per_page);
    return out;
  }

  /// Creates a group in `zone` and returns it (creation and modification dates equal).
  /// Setting project_default clears it on the project's previous default group of the zone.
  /// The group's organization is its project's (organization_of()), never the spec's: a spec
  /// naming another one is refused, 403 when `who` may not use it, else 400 (check_owner()).
  security_group create_group(const std::string& zone, const group_spec& spec,
                              const scope& who = {}) {
    check_zone(zone);
    argument_errors errs;
    validate_group_spec(spec, true, errs);
    errs.raise_if_any();
    std::lock_guard lock(mutex_);
    settle();
    touched_.clear();
    deleted_.clear();
    security_group g;
    g.project = spec.project.empty() ? spec.organization : spec.project;
    if (!who.allows(g.project))
      SECGROUP_THROW(permissions_denied_error(resource::security_group, "write", "project"));
    g.organization = organization_of(g.project);
    check_owner(g, "", spec.organization, who);
    apply(spec, g);
    g.state = group_state::available;
    g.zone = zone;
    g.id = fresh_id({});
    g.creation_date = date_change(g, false, false);
    groups_.push_back(g);
    touched_.push_back(g.id);
    publish();
    return g;
  }

  /// Returns the group `id` of `zone`, user rules included: the model object that the
  /// analysis engine takes.
  security_group get_group(const std::string& zone, const std::string& id,
                           const scope& who = {}) const {
    check_path(zone, id);
    std::lock_guard lock(mutex_);
    settle();
    return groups_[locate(zone, id, who, "read")];
  }

  /// Replaces the fields of group `id` with `spec` (PUT): every field takes the spec's value;
  /// a non-empty project or organization must be the group's own (groups never move): 403 when
  /// `who` may not use it, else 400.
  security_group replace_group(const std::string& zone, const std::string& id,
                               const group_spec& spec, const scope& who = {}) {
    return mutate_group(
        zone, id, nullptr, who,
        [&](argument_errors& errs) { validate_group_spec(spec, false, errs); },
        [&](security_group& g) {
          check_owner(g, spec.project, spec.organization, who);
          apply(spec, g);
        });
  }

  /// Applies the set fields of `patch` to group `id` (PATCH). A patch that changes nothing
  /// leaves the group, modification_date included, as it was. A `project` or `organization`,
  /// when set, must be the group's own, as for a PUT (403 or 400 otherwise).
  security_group update_group(const std::string& zone, const std::string& id,
                              const group_patch& patch, const scope& who = {}) {
    return mutate_group(
        zone, id, nullptr, who, [&](argument_errors& errs) { validate_group_patch(patch, errs); },
        [&](security_group& g) {
          check_owner(g, patch.project.value_or(""), patch.organization.value_or(""), who);
          apply(patch, g);
        });
  }

  /// Deletes group `id`; throws conflict (409) while servers are attached to it.
  void delete_group(const std::string& zone, const std::string& id, const scope& who = {}) {
    write_group(zone, id, nullptr, who, no_checks, [&](std::size_t index) {
      if (!groups_[index].servers.empty())
        SECGROUP_THROW(
            conflict_error("Group is in use. You cannot delete it.", "security_group_id"));
      deleted_.push_back({groups_[index].zone, groups_[index].id});
      deadlines_.erase(groups_[index].id);
      groups_.erase(groups_.begin() + static_cast<std::ptrdiff_t>(index));
    });
  }

  // -- Rules -------------------------------------------------------------------------------

  /// Returns one page of the six default SMTP rules of `zone`.
  std::vector<rule> list_default_rules(const std::string& zone, std::int64_t page = 1,
                                       std::int64_t per_page = default_rules_per_page) const {
    check_zone(zone);
    argument_errors errs;
    validate_page(page, per_page, errs);
    errs.raise_if_any();
    return detail::mock_store::page_of(secgroup::default_rules(zone), page, per_page);
  }

  /// Returns one page of the rules of group `group_id`: the default rules (when enabled),
  /// then the user rules by position.
  std::vector<rule> list_rules(const std::string& zone, const std::string& group_id,
                               std::int64_t page = 1,
                               std::int64_t per_page = default_rules_per_page,
                               const scope& who = {}) const {
    check_path(zone, group_id);
    argument_errors errs;
    validate_page(page, per_page, errs);
    errs.raise_if_any();
    std::lock_guard lock(mutex_);
    settle();
    return detail::mock_store::page_of(ordered_rules(groups_[locate(zone, group_id, who, "read")]),
                                       page, per_page);
  }

  /// Replaces the user rules of group `group_id` with `rules` (PUT .../rules) and returns the
  /// complete resulting list. A rule with the id of a user rule of the group updates it, one
  /// without id is created, user rules not named are deleted; rules bearing a default-rule id
  /// are ignored, as are `editable` and `zone`. Rules with a position come first, by position
  /// (ties in request order), then those with position 0 in request order; all are renumbered
  /// 1..N.
  std::vector<rule> set_rules(const std::string& zone, const std::string& group_id,
                              const std::vector<rule>& rules, const scope& who = {}) {
    // Everything that does not need the store runs before the lock: the cap (403), then the
    // rules and their duplicate ids (400). Under the lock the work is linear in the store.
    auto validate = [&](argument_errors& errs) {
      const auto user_rules = static_cast<std::size_t>(std::count_if(
          rules.begin(), rules.end(), [](const rule& r) { return !is_default_rule_id(r.id); }));
      if (user_rules > max_rules_)
        SECGROUP_THROW(
            quotas_exceeded_error(resource::security_group_rule, max_rules_, user_rules, "rules"));
      std::unordered_map<std::string_view, std::size_t> first;
      for (std::size_t i = 0; i < rules.size(); ++i) {
        auto name = "rules[" + std::to_string(i) + "]";
        validate_rule(rules[i], name, true, errs);
        if (rules[i].id.empty() || is_default_rule_id(rules[i].id)) continue;
        auto [at, fresh] = first.emplace(rules[i].id, i);
        if (!fresh)
          errs.add(name + ".id", reason::constraint,
                   "rule id " + rules[i].id + " appears twice (also rules[" +
                       std::to_string(at->second) + "])");
      }
    };
    auto change = [&](security_group& g) {
      std::unordered_set<std::string_view> existing;
      for (const auto& r : g.rules) existing.insert(r.id);
      std::size_t missing_ids = 0;
      for (std::size_t i = 0; i < rules.size(); ++i) {
        const auto& id = rules[i].id;
        if (id.empty()) ++missing_ids;
        if (id.empty() || is_default_rule_id(id)) continue;
        if (!existing.contains(id))
          SECGROUP_THROW(not_found_error(resource::security_group_rule, id,
                                         "rules[" + std::to_string(i) + "].id"));
      }
      auto new_ids = fresh_ids(missing_ids);
      std::size_t next_id = 0;
      std::vector<rule> positioned, appended;
      for (const auto& r : rules) {
        if (is_default_rule_id(r.id)) continue;
        auto stored = detail::mock_store::stored_rule(r, g.zone);
        if (stored.id.empty()) stored.id = std::move(new_ids[next_id++]);
        (r.position == 0 ? appended : positioned).push_back(std::move(stored));
      }
      std::stable_sort(positioned.begin(), positioned.end(),
                       [](const rule& a, const rule& b) { return a.position < b.position; });
      positioned.insert(positioned.end(), appended.begin(), appended.end());
      detail::mock_store::renumber(positioned);
      g.rules = std::move(positioned);
    };
    return ordered_rules(mutate_group(zone, group_id, nullptr, who, validate, change));
  }

  /// Creates a user rule in group `group_id` and returns it. Its position is `r.position`
  /// (later rules move down by one); 0 or past the end appends. `r.id`, `r.editable` and
  /// `r.zone` are ignored.
  rule create_rule(const std::string& zone, const std::string& group_id, const rule& r,
                   const scope& who = {}) {
    std::string id;
    auto committed = mutate_group(
        zone, group_id, nullptr, who,
        [&](argument_errors& errs) { validate_rule(r, "", false, errs); },
        [&](security_group& g) {
          if (g.rules.size() >= max_rules_)
            SECGROUP_THROW(quotas_exceeded_error(resource::security_group_rule, max_rules_,
                                                 g.rules.size(), "security_group_id"));
          auto stored = detail::mock_store::stored_rule(r, g.zone);
          id = stored.id = fresh_id({});
          detail::mock_store::insert_at(g.rules, std::move(stored), r.position);
        });
    return committed.rules[find_rule(committed, id)];
  }

  /// Returns rule `rule_id` of group `group_id` (a default rule too, while enabled).
  rule get_rule(const std::string& zone, const std::string& group_id, const std::string& rule_id,
                const scope& who = {}) const {
    check_path(zone, group_id, &rule_id);
    std::lock_guard lock(mutex_);
    settle();
    const auto& g = groups_[locate(zone, group_id, who, "read")];
    if (g.enable_default_security && is_default_rule_id(rule_id))
      for (const auto& d : secgroup::default_rules(g.zone))
        if (d.id == rule_id) return d;
    auto at = find_rule(g, rule_id);
    if (at == g.rules.size())
      SECGROUP_THROW(not_found_error(resource::security_group_rule, rule_id,
                                     detail::mock_store::rule_id_param));
    return g.rules[at];
  }

  /// Replaces rule `rule_id` with `r` (PUT): every field takes r's value; position 0 keeps the
  /// rule's place. A non-empty `r.id` must be `rule_id`. Default rules are not editable.
  rule replace_rule(const std::string& zone, const std::string& group_id,
                    const std::string& rule_id, const rule& r, const scope& who = {}) {
    auto committed = mutate_group(
        zone, group_id, &rule_id, who,
        [&](argument_errors& errs) {
          validate_rule(r, "", false, errs);
          if (!r.id.empty() && r.id != rule_id)
            errs.add("id", reason::constraint,
                     "the rule id " + detail::quoted(r.id) + " differs from the path's " + rule_id);
        },
        [&](security_group& g) {
          auto at = editable_rule(g, rule_id);
          auto stored = detail::mock_store::stored_rule(r, g.zone);
          stored.id = rule_id;
          detail::mock_store::replace_at(g.rules, at, std::move(stored), r.position);
        });
    return committed.rules[find_rule(committed, rule_id)];
  }

  /// Applies the set fields of `patch` to rule `rule_id` (PATCH). Ports merge field by field
  /// (0 unsets), ICMP and ANY clear them; a position moves the rule. A patch that changes
  /// nothing leaves the group as it was.
  rule update_rule(const std::string& zone, const std::string& group_id, const std::string& rule_id,
                   const rule_patch& patch, const scope& who = {}) {
    auto committed = mutate_group(
        zone, group_id, &rule_id, who,
        [&](argument_errors& errs) { validate_rule_patch(patch, errs); },
        [&](security_group& g) {
          auto at = editable_rule(g, rule_id);
          detail::mock_store::replace_at(
              g.rules, at, detail::mock_store::stored_rule(patched(g.rules[at], patch), g.zone),
              patch.position.value_or(0));
        });
    return committed.rules[find_rule(committed, rule_id)];
  }

  /// Deletes rule `rule_id`; the rules after it move up by one. Default rules are not editable.
  void delete_rule(const std::string& zone, const std::string& group_id, const std::string& rule_id,
                   const scope& who = {}) {
    mutate_group(zone, group_id, &rule_id, who, no_checks, [&](security_group& g) {
      auto at = editable_rule(g, rule_id);
      g.rules.erase(g.rules.begin() + static_cast<std::ptrdiff_t>(at));
      detail::mock_store::renumber(g.rules);
    });
  }

  // -- Test hooks (C++ only, not endpoints) ------------------------------------------------

  /// Attaches server `server` (a UUID id and a name) to group `group_id`, detaching it from
  /// any other group of the zone (a server has one group). The group's dates do not move.
  void attach_server(const std::string& zone, const std::string& group_id,
                     const server_ref& server) {
    write_group(
        zone, group_id, nullptr, {},
        [&](argument_errors& errs) { expect_uuid("server.id", server.id, errs); },
        [&](std::size_t index) {
          for (auto& g : groups_) {
            if (g.zone != zone) continue;
            auto& s = g.servers;
            auto gone = std::remove_if(s.begin(), s.end(),
                                       [&](const server_ref& have) { return have.id == server.id; });
            if (gone != s.end()) touched_.push_back(g.id);
            s.erase(gone, s.end());
          }
          groups_[index].servers.push_back(server);
          touched_.push_back(groups_[index].id);
        });
  }

  /// Detaches server `server_id` from group `group_id`; throws not_found (resource
  /// `instance_server`) when it is not attached there.
  void detach_server(const std::string& zone, const std::string& group_id,
                     const std::string& server_id) {
    write_group(zone, group_id, nullptr, {}, no_checks, [&](std::size_t index) {
      auto& servers = groups_[index].servers;
      auto it = std::find_if(servers.begin(), servers.end(),
                             [&](const server_ref& s) { return s.id == server_id; });
      if (it == servers.end())
        SECGROUP_THROW(not_found_error("instance_server", server_id, "server_id"));
      servers.erase(it);
      touched_.push_back(groups_[index].id);
    });
  }

  /// Returns every group of every zone, in creation order, user rules included.
  std::vector<security_group> groups() const {
    std::lock_guard lock(mutex_);
    settle();
    return groups_;
  }

  /// Returns the number of groups in every zone.
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return groups_.size();
  }

  /// Returns the whole state as `{"security_groups": [...]}`, each group in the API's shape
  /// with its rules embedded (mock::to_snapshot): a file every secgroup reader accepts.
  json snapshot() const { return to_snapshot(groups()); }

  /// Replaces the whole state with the groups of `doc`, a document of snapshot()'s form, after
  /// validating all of it (mock::read_snapshot); on error the store is unchanged. Throws
  /// parse_error or validation_error naming the field, e.g. "security_groups[1].rules[7].id".
  /// A group `syncing` in `doc` stays so until its modification_date plus this store's delay,
  /// as it would have in the store that wrote `doc`, so its modification_date must be a date of
  /// the API's format (parse_api_date), else validation_error
  /// ("security_groups[i].modification_date"). With a delay of 0 (no sync), it is restored
  /// `available`, its modification_date as stored.
  void restore(const json& doc) {
    auto loaded = read_snapshot(doc, zones_);
    std::unordered_map<std::string, time_point> deadlines;
    for (std::size_t i = 0; i < loaded.size(); ++i) {
      auto& g = loaded[i];
      if (g.state != group_state::syncing) continue;
      if (sync_delay_.count() == 0) {
        g.state = group_state::available;
        continue;
      }
      auto started = parse_api_date(g.modification_date.value_or(""));
      if (!started)
        throw validation_error(errc::bad_value,
                               "security_groups[" + std::to_string(i) + "].modification_date",
                               "a syncing group needs the date its sync started, in the API's "
                               "format (2026-07-30T12:54:21.436730+00:00), not " +
                                   detail::quoted(g.modification_date.value_or("")));
      deadlines.emplace(g.id, *started + sync_delay_);
    }
    std::lock_guard lock(mutex_);
    groups_ = std::move(loaded);
    deadlines_ = std::move(deadlines);
  }

 private:
  /// True iff `g` passes every filter of `f` (page aside).
  static bool matches(const security_group& g, const group_filter& f) {
    if (!f.name.empty() && g.name.find(f.name) == std::string::npos) return false;
    if (!f.organization.empty() && g.organization != f.organization) return false;
    if (!f.project.empty() && g.project != f.project) return false;
    if (f.project_default && g.project_default != *f.project_default) return false;
    for (const auto& t : f.tags)
      if (std::find(g.tags.begin(), g.tags.end(), t) == g.tags.end()) return false;
    return true;
  }

  /// Copies the replaceable fields of `spec` into `g`.
  static void apply(const group_spec& spec, security_group& g) {
    g.name = spec.name;
    g.description = spec.description;
    g.tags = spec.tags;
    g.project_default = spec.project_default;
    g.organization_default = spec.organization_default;
    g.stateful = spec.stateful;
    g.inbound_default_policy = spec.inbound_default_policy;
    g.outbound_default_policy = spec.outbound_default_policy;
    g.enable_default_security = spec.enable_default_security;
  }

  /// Copies the set fields of `patch` into `g`.
  static void apply(const group_patch& patch, security_group& g) {
    if (patch.name) g.name = *patch.name;
    if (patch.description) g.description = *patch.description;
    if (patch.tags) g.tags = *patch.tags;
    if (patch.project_default) g.project_default = *patch.project_default;
    if (patch.organization_default) g.organization_default = *patch.organization_default;
    if (patch.stateful) g.stateful = *patch.stateful;
    if (patch.inbound_default_policy) g.inbound_default_policy = *patch.inbound_default_policy;
    if (patch.outbound_default_policy) g.outbound_default_policy = *patch.outbound_default_policy;
    if (patch.enable_default_security) g.enable_default_security = *patch.enable_default_security;
  }

  /// Returns `r` with the set fields of `patch` (position aside): ports merge bound by bound,
  /// 0 unsets one. Throws invalid_arguments for a merged range that is not one.
  static rule patched(rule r, const rule_patch& patch) {
    if (patch.protocol) r.protocol = *patch.protocol;
    if (patch.direction) r.direction = *patch.direction;
    if (patch.action) r.action = *patch.action;
    if (patch.ip_range) r.ip_range = *patch.ip_range;
    std::optional<std::int64_t> from, to;
    if (r.ports) {
      from = r.ports->from;
      if (!r.ports->single()) to = r.ports->to;
    }
    if (patch.dest_port_from) from = *patch.dest_port_from;
    if (patch.dest_port_to) to = *patch.dest_port_to;
    argument_errors errs;
    auto ports = errs.attempt("", [&] { return make_port_range(from, to); });
    errs.raise_if_any();
    r.ports = *ports;
    return r;
  }

  /// The request check of a call that has nothing to check beyond its path.
  static void no_checks(argument_errors&) {}

  // -- The write path ----------------------------------------------------------------------

  /// The one path of every call that writes to group `group_id` of `zone`: checks the path
  /// (zone, then the group id and `rule_id` when given: 400), lets `validate(errs)` record
  /// what is wrong with the request and throws all of it (400); then, holding the lock,
  /// locates the group for writing (404, or 403 outside `who`) and returns `write(index)`.
  template <class Validate, class Write>
  std::invoke_result_t<Write&, std::size_t> write_group(std::string_view zone,
                                                        const std::string& group_id,
                                                        const std::string* rule_id,
                                                        const scope& who, Validate&& validate,
                                                        Write&& write) {
    check_path(zone, group_id, rule_id);
    argument_errors errs;
    validate(errs);
    errs.raise_if_any();
    std::lock_guard lock(mutex_);
    settle();
    touched_.clear();
    deleted_.clear();
    if constexpr (std::is_void_v<std::invoke_result_t<Write&, std::size_t>>) {
      write(locate(zone, group_id, who, "write"));
      publish();
    } else {
      auto result = write(locate(zone, group_id, who, "write"));
      publish();
      return result;
    }
  }

  /// write_group() for a change to the group itself: `change(g)` edits a copy of the group
  /// (and throws for what it cannot do), then the copy is committed. Returns the group as
  /// committed. A throw from `change` leaves the store as it was.
  template <class Validate, class Change>
  security_group mutate_group(std::string_view zone, const std::string& group_id,
                              const std::string* rule_id, const scope& who, Validate&& validate,
                              Change&& change) {
    return write_group(zone, group_id, rule_id, who, validate,
                       [&](std::size_t index) -> security_group {
                         security_group g = groups_[index];
                         change(g);
                         return commit(index, std::move(g));
                       });
  }

  // The members below expect mutex_ to be held.

  /// Checks the `project` and `organization` a request names for group `g` (a new group, whose
  /// project and organization are already set, or a stored one): each, when non-empty, must be
  /// g's own, since a group never moves and its organization is its project's. Throws
  /// permissions_denied (403, "write") when `who` may not use one of them (a project outside
  /// its scope, an organization none of its projects is in), else invalid_arguments (400,
  /// constraint) naming each that differs.
  void check_owner(const security_group& g, const std::string& project,
                   const std::string& organization, const scope& who) const {
    const bool other_project = !project.empty() && project != g.project;
    const bool other_organization = !organization.empty() && organization != g.organization;
    if (other_project && !who.allows(project))
      SECGROUP_THROW(permissions_denied_error(resource::security_group, "write", "project"));
    if (other_organization && !may_use_organization(who, organization))
      SECGROUP_THROW(permissions_denied_error(resource::security_group, "write", "organization"));
    argument_errors errs;
    if (other_project)
      errs.add("project", reason::constraint,
               "a group cannot move to another project (it belongs to " + g.project + ")");
    if (other_organization)
      errs.add("organization", reason::constraint,
               "project " + g.project + " belongs to organization " + g.organization + ", not " +
                   organization + " (a group's organization is its project's)");
    errs.raise_if_any();
  }

  /// The index of group `id` of `zone`; throws not_found (404), or permissions_denied (403)
  /// when `who` may not see its project.
  std::size_t locate(std::string_view zone, const std::string& id, const scope& who,
                     std::string_view action_name) const {
    for (std::size_t i = 0; i < groups_.size(); ++i) {
      if (groups_[i].zone != zone || groups_[i].id != id) continue;
      if (!who.allows(groups_[i].project))
        SECGROUP_THROW(permissions_denied_error(resource::security_group, action_name,
                                                detail::mock_store::group_id_param));
      return i;
    }
    SECGROUP_THROW(
        not_found_error(resource::security_group, id, detail::mock_store::group_id_param));
  }

  /// The index of user rule `id` in `g`, or g.rules.size().
  static std::size_t find_rule(const security_group& g, std::string_view id) {
    for (std::size_t i = 0; i < g.rules.size(); ++i)
      if (g.rules[i].id == id) return i;
    return g.rules.size();
  }

  /// The index of user rule `id` in `g`; throws for a default rule (400) or no rule (404).
  static std::size_t editable_rule(const security_group& g, const std::string& id) {
    if (g.enable_default_security && is_default_rule_id(id))
      SECGROUP_THROW(invalid_argument_error(detail::mock_store::rule_id_param, reason::constraint,
                                            "default rule " + id + " is not editable"));
    auto at = find_rule(g, id);
    if (at == g.rules.size())
      SECGROUP_THROW(
          not_found_error(resource::security_group_rule, id, detail::mock_store::rule_id_param));
    return at;
  }

  /// The organization of `project`: that of its groups (all made here take it, so only a
  /// restored snapshot can set another), else `project` itself (a project without groups is
  /// taken for its organization's default project, which shares the organization's UUID).
  std::string organization_of(std::string_view project) const {
    for (const auto& g : groups_)
      if (g.project == project) return g.organization;
    return std::string(project);
  }

  /// True iff `who` may act in `organization`: every caller of an unscoped store, else one with
  /// a project in it.
  bool may_use_organization(const scope& who, std::string_view organization) const {
    if (!who.projects) return true;
    return std::any_of(who.projects->begin(), who.projects->end(),
                       [&](const std::string& p) { return organization_of(p) == organization; });
  }

  /// True iff `id` names a group or rule of the store, a default rule, or one of `reserved`.
  bool id_taken(const std::string& id, const std::vector<std::string>& reserved) const {
    if (is_default_rule_id(id) || std::find(reserved.begin(), reserved.end(), id) != reserved.end())
      return true;
    for (const auto& g : groups_) {
      if (g.id == id) return true;
      for (const auto& r : g.rules)
        if (r.id == id) return true;
    }
    return false;
  }

  /// A new id from the generator, unused in the store and not in `reserved`.
  std::string fresh_id(const std::vector<std::string>& reserved) const {
    for (int attempt = 0; attempt < 64; ++attempt) {
      auto id = new_id_();
      if (!is_uuid(id))
        SECGROUP_THROW(internal_error("the id generator returned " + detail::quoted(id) +
                                      ", which is not a UUID"));
      if (!id_taken(id, reserved)) return id;
    }
    SECGROUP_THROW(internal_error("the id generator returned 64 ids in use in a row"));
  }

  /// `count` new ids from the generator, distinct and unused in the store; the store's ids are
  /// gathered once (linear), not once per id.
  std::vector<std::string> fresh_ids(std::size_t count) const {
    if (count == 0) return {};
    std::unordered_set<std::string_view> taken;
    for (const auto& g : groups_) {
      taken.insert(g.id);
      for (const auto& r : g.rules) taken.insert(r.id);
    }
    std::vector<std::string> fresh;  // owns the ids `taken` views beyond the store's
    fresh.reserve(count);
    while (fresh.size() < count) {
      int attempt = 0;
      for (;; ++attempt) {
        if (attempt == 64)
          SECGROUP_THROW(internal_error("the id generator returned 64 ids in use in a row"));
        auto id = new_id_();
        if (!is_uuid(id))
          SECGROUP_THROW(internal_error("the id generator returned " + detail::quoted(id) +
                                        ", which is not a UUID"));
        if (is_default_rule_id(id) || taken.contains(id)) continue;
        fresh.push_back(std::move(id));
        taken.insert(fresh.back());  // reserved above: the view stays valid
        break;
      }
    }
    return fresh;
  }

  /// Reads the clock into g's modification_date and returns the date; `syncs`: the change
  /// starts a sync of `g` (restarts it if one runs). When `g` becomes its project's default (it
  /// was not: `was_default` false), clears project_default on the other groups of its project
  /// and zone, dating their change alike and starting their sync (a guess: the spec does not
  /// say; their change is as effective as a PATCH of the flag).
  std::string date_change(security_group& g, bool was_default, bool syncs = true) {
    const auto now = clock_();
    const auto date = format_api_date(now);
    g.modification_date = date;
    if (syncs) start_sync(g, now);
    if (g.project_default && !was_default)
      for (auto& other : groups_)
        if (other.project_default && other.id != g.id && other.project == g.project &&
            other.zone == g.zone) {
          other.project_default = false;
          other.modification_date = date;
          start_sync(other, now);
          touched_.push_back(other.id);
        }
    return date;
  }

  /// Makes `g` syncing until `now` plus the delay (with a delay of 0: leaves its state).
  void start_sync(security_group& g, time_point now) {
    if (sync_delay_.count() == 0) return;
    g.state = group_state::syncing;
    deadlines_[g.id] = now + sync_delay_;
  }

  /// Ends the syncs whose deadline has passed: each such group becomes `available` with its
  /// modification_date set to the deadline, reported to the change listener as a change of its
  /// own. Reads the clock once, and only while a group is syncing. Called first by every
  /// method that takes the lock: the state it updates is a function of the clock, so readers
  /// (const) call it too.
  void settle() const {
    if (deadlines_.empty()) return;
    const auto now = clock_();
    touched_.clear();
    deleted_.clear();
    for (auto it = deadlines_.begin(); it != deadlines_.end();) {
      if (it->second > now) {
        ++it;
        continue;
      }
      for (auto& g : groups_)
        if (g.id == it->first) {
          g.state = group_state::available;
          g.modification_date = format_api_date(it->second);
          touched_.push_back(g.id);
          break;
        }
      it = deadlines_.erase(it);
    }
    publish();
  }

  static std::chrono::milliseconds checked_delay(std::chrono::milliseconds delay) {
    check_sync_delay(delay, "sync_delay");
    return delay;
  }

  /// Stores `g` at `index` and returns it; when it differs from the stored group, dates the
  /// change and keeps project_default unique. Nothing here can fail after the clock is read.
  const security_group& commit(std::size_t index, security_group g) {
    if (g == groups_[index]) return groups_[index];
    date_change(g, groups_[index].project_default);
    groups_[index] = std::move(g);
    touched_.push_back(groups_[index].id);
    return groups_[index];
  }

  /// Reports the groups written (touched_) and deleted (deleted_) by the call that ends to the
  /// change listener, if any and if something changed; clears both.
  void publish() const {
    if (on_change_ && (!touched_.empty() || !deleted_.empty())) {
      store_change change;
      for (const auto& g : groups_)
        if (std::find(touched_.begin(), touched_.end(), g.id) != touched_.end())
          change.written.push_back(&g);
      change.deleted = std::move(deleted_);
      touched_.clear();
      deleted_.clear();
      on_change_(change);
    }
    touched_.clear();
    deleted_.clear();
  }

  mutable std::mutex mutex_;
  const std::vector<std::string> zones_;
  clock_fn clock_;
  id_fn new_id_;
  const std::size_t max_rules_;
  const std::chrono::milliseconds sync_delay_;
  // mutable: settle() brings the groups up to date with the clock in const readers too; the
  // state they show is a function of the clock, not changed by reading it.
  mutable std::vector<security_group> groups_;
  /// id -> end of its sync, for each `syncing` group whose sync this store runs
  mutable std::unordered_map<std::string, time_point> deadlines_;
  change_fn on_change_;
  mutable std::vector<std::string> touched_;     ///< ids of the groups written by the current call
  mutable std::vector<deleted_group> deleted_;  ///< the groups deleted by the current call
};

}  // namespace mock
SECGROUP_END_NAMESPACE
