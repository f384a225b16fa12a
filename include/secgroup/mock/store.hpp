// secgroup/mock/store.hpp: the state of the mock Instance API and its typed C++ API.
//
// A store holds the security groups of every zone as model objects (secgroup::security_group,
// user rules included), so any of them can go straight to the analysis engine. Its methods are
// the API's endpoints (spec §2), typed: list/create/get/replace/update/delete groups, and
// list/set-all/create/get/replace/update/delete rules plus the default rules; and, for tests
// only, servers attached to groups, an injected clock and id generator, and a JSON snapshot.
//
// Behaviour follows docs/mock-api.md: default rules are implied by `enable_default_security`
// and never stored; user rules are kept in position order, numbered 1..N (inbound and outbound
// share the sequence) and renumbered on every insert, move and delete; `modification_date`
// moves only when a call really changes the group; `state` stays `available`; a project has at
// most one `project_default` group per zone.
// Failures throw mock::api_error (mock/errors.hpp) in the API's shapes, after complete
// validation: every invalid argument of a call is reported at once, and a failed call leaves
// the store exactly as it was (each call builds the new group aside and commits it last).
// Thread safety: one mutex guards the whole state; every public method takes it, and calls the
// clock and the id generator with it held, so they never run concurrently for one store.
// Complexity: groups are found by a linear scan (O(groups)); ids are checked for uniqueness over
// the whole store (O(groups + rules)). The mock is a test double, not a database.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../address.hpp"
#include "../config.hpp"
#include "../default_rules.hpp"
#include "../error.hpp"
#include "../io/json.hpp"
#include "../port_range.hpp"
#include "../protocol.hpp"
#include "../rule.hpp"
#include "../security_group.hpp"
#include "errors.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace mock {

// -- Zones, ids, dates ---------------------------------------------------------------------

/// The Instance zones of the Go SDK (spec §1), the zones a store serves by default.
inline const std::vector<std::string>& instance_zones() {
  static const std::vector<std::string> zones{"fr-par-1", "fr-par-2", "fr-par-3", "nl-ams-1",
                                              "nl-ams-2", "nl-ams-3", "pl-waw-1", "pl-waw-2",
                                              "pl-waw-3", "it-mil-1"};
  return zones;
}

/// True iff `s` is a UUID in 8-4-4-4-12 hexadecimal form (either case).
constexpr bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

/// Returns `tp` in the API's date format, UTC with microseconds:
/// "2026-07-30T12:54:21.436730+00:00".
inline std::string format_api_date(std::chrono::system_clock::time_point tp) {
  using namespace std::chrono;
  auto day = floor<days>(tp);
  year_month_day ymd{day};
  hh_mm_ss<microseconds> time{floor<microseconds>(tp - day)};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%06lld+00:00",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(time.hours().count()),
                static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()),
                static_cast<long long>(time.subseconds().count()));
  return buf;
}

/// Returns the current date in the API's format; called for each change.
using clock_fn = std::function<std::string()>;
/// Returns a fresh id (a UUID) for a new group or rule.
using id_fn = std::function<std::string()>;

/// A clock reading the system time.
inline clock_fn wall_clock() {
  return [] { return format_api_date(std::chrono::system_clock::now()); };
}

/// A deterministic clock: `start`, then `start + step`, `start + 2 step`, ... one per reading.
inline clock_fn stepping_clock(std::chrono::system_clock::time_point start,
                               std::chrono::microseconds step = std::chrono::seconds(1)) {
  return [next = start, step]() mutable {
    auto now = format_api_date(next);
    next += step;
    return now;
  };
}

/// Returns the version-4 UUID made of the 128 bits `hi`:`lo` (version and variant bits forced).
inline std::string make_uuid_v4(std::uint64_t hi, std::uint64_t lo) {
  hi = (hi & ~std::uint64_t{0xf000}) | std::uint64_t{0x4000};
  lo = (lo & ~(std::uint64_t{0xc} << 60)) | (std::uint64_t{0x8} << 60);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(hi >> 32),
                static_cast<unsigned long long>((hi >> 16) & 0xffff),
                static_cast<unsigned long long>(hi & 0xffff),
                static_cast<unsigned long long>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

/// A deterministic generator of version-4 UUIDs drawn from a mt19937_64 seeded with `seed`.
inline id_fn seeded_id_generator(std::uint64_t seed) {
  return [rng = std::mt19937_64(seed)]() mutable {
    auto hi = rng();
    return make_uuid_v4(hi, rng());
  };
}

/// A generator of random version-4 UUIDs, seeded from std::random_device.
inline id_fn random_id_generator() {
  std::random_device device;
  return seeded_id_generator((std::uint64_t{device()} << 32) ^ device());
}

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

/// Adds to `errs` every invalid field of `spec`; `creating` requires a project or organization.
inline void validate_group_spec(const group_spec& spec, bool creating, argument_errors& errs) {
  if (spec.name.empty()) errs.add("name", reason::constraint, "name must not be empty");
  const std::pair<const char*, const std::string*> ids[] = {{"project", &spec.project},
                                                             {"organization", &spec.organization}};
  for (const auto& [key, value] : ids)
    if (!value->empty() && !is_uuid(*value))
      errs.add(key, reason::format, detail::quoted(*value) + " is not a UUID");
  if (creating && spec.project.empty() && spec.organization.empty())
    errs.add("project", reason::required, "precisely one of project, organization must be set");
}

/// Adds to `errs` every invalid field of `patch`.
inline void validate_group_patch(const group_patch& patch, argument_errors& errs) {
  if (patch.name && patch.name->empty())
    errs.add("name", reason::constraint, "name must not be empty");
}

/// Adds to `errs` every invalid field of the typed rule `r`, named under `prefix`; `check_id`
/// requires a non-empty id to be a UUID.
inline void validate_rule(const rule& r, const std::string& prefix, bool check_id,
                          argument_errors& errs) {
  auto name = [&](const char* key) { return prefix.empty() ? key : prefix + "." + key; };
  if (check_id && !r.id.empty() && !is_uuid(r.id))
    errs.add(name("id"), reason::format, detail::quoted(r.id) + " is not a UUID");
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
    errs.add("per_page", reason::constraint,
             "per_page " + std::to_string(per_page) + " is outside 1.." +
                 std::to_string(max_per_page));
}

/// Adds to `errs` every invalid field of `filter`.
inline void validate_group_filter(const group_filter& filter, argument_errors& errs) {
  if (!filter.organization.empty() && !is_uuid(filter.organization))
    errs.add("organization", reason::format, detail::quoted(filter.organization) + " is not a UUID");
  if (!filter.project.empty() && !is_uuid(filter.project))
    errs.add("project", reason::format, detail::quoted(filter.project) + " is not a UUID");
  validate_page(filter.page, filter.per_page, errs);
}

// -- The store -----------------------------------------------------------------------------

/// Construction parameters of a store.
struct store_options {
  std::vector<std::string> zones = instance_zones();  ///< the zones served; others are refused
  clock_fn clock;                                     ///< empty: wall_clock()
  id_fn new_id;                                       ///< empty: random_id_generator()
};

}  // namespace mock

/// \cond
namespace detail::mock_store {

/// Numbers the rules 1..N in their order.
inline void renumber(std::vector<rule>& rules) {
  for (std::size_t i = 0; i < rules.size(); ++i)
    rules[i].position = static_cast<std::uint32_t>(i + 1);
}

/// Inserts `r` at `position` (1-based; 0 or past the end appends) and renumbers.
inline void insert_at(std::vector<rule>& rules, rule r, std::uint32_t position) {
  std::size_t index = position == 0 || position > rules.size() ? rules.size() : position - 1;
  rules.insert(rules.begin() + static_cast<std::ptrdiff_t>(index), std::move(r));
  renumber(rules);
}

/// `r` as the store keeps it: normalised ports and network, editable, in `zone`.
inline rule stored_rule(rule r, const std::string& zone) {
  r.ip_range = ip_network::of(r.ip_range.address, r.ip_range.prefix);
  r.editable = true;
  r.zone = zone;
  return normalize(std::move(r));
}

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

inline const char* const group_id_param = "security_group_id";
inline const char* const rule_id_param = "security_group_rule_id";

}  // namespace detail::mock_store
/// \endcond

namespace mock {

/// The in-memory Instance API: every security group of every zone, behind one mutex.
class store {
 public:
  /// A store serving `options.zones`, empty.
  explicit store(store_options options = {})
      : zones_(std::move(options.zones)),
        clock_(options.clock ? std::move(options.clock) : wall_clock()),
        new_id_(options.new_id ? std::move(options.new_id) : random_id_generator()) {}

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
  /// The zones served, fixed at construction.
  const std::vector<std::string>& zones() const noexcept { return zones_; }
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
    if (!is_uuid(group_id))
      errs.add(detail::mock_store::group_id_param, reason::format,
               detail::quoted(group_id) + " is not a UUID");
    if (rule_id && !is_uuid(*rule_id))
      errs.add(detail::mock_store::rule_id_param, reason::format,
               detail::quoted(*rule_id) + " is not a UUID");
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
      for (const auto& g : groups_)
        if (g.zone == zone && who.allows(g.project) && matches(g, filter)) matching.push_back(g);
    }
    group_page out;
    out.total_count = matching.size();
    out.page = filter.page;
    out.per_page = filter.per_page;
    out.last_page = std::max<std::int64_t>(
        1, static_cast<std::int64_t>((matching.size() + static_cast<std::size_t>(filter.per_page) -
                                      1) /
                                     static_cast<std::size_t>(filter.per_page)));
    out.security_groups = detail::mock_store::page_of(matching, filter.page, filter.per_page);
    return out;
  }

  /// Creates a group in `zone` and returns it (creation and modification dates equal).
  /// Setting project_default clears it on the project's previous default group of the zone.
  security_group create_group(const std::string& zone, const group_spec& spec,
                              const scope& who = {}) {
    check_zone(zone);
    argument_errors errs;
    validate_group_spec(spec, true, errs);
    errs.raise_if_any();
    std::lock_guard lock(mutex_);
    security_group g;
    g.project = spec.project.empty() ? spec.organization : spec.project;
    if (!who.allows(g.project))
      SECGROUP_THROW(permissions_denied_error(resource::security_group, "write", "project"));
    g.organization = spec.organization.empty() ? organization_of(g.project) : spec.organization;
    apply(spec, g);
    g.state = group_state::available;
    g.zone = zone;
    g.id = fresh_id({});
    auto now = clock_();
    g.creation_date = g.modification_date = now;
    if (g.project_default) clear_project_default(g, now);
    groups_.push_back(g);
    return g;
  }

  /// Returns the group `id` of `zone`, user rules included: the model object that the
  /// analysis engine takes.
  security_group get_group(const std::string& zone, const std::string& id,
                           const scope& who = {}) const {
    check_path(zone, id);
    std::lock_guard lock(mutex_);
    return groups_[locate(zone, id, who, "read")];
  }

  /// Replaces the fields of group `id` with `spec` (PUT): every field takes the spec's value;
  /// a non-empty project or organization must be the group's own (groups never move).
  security_group replace_group(const std::string& zone, const std::string& id,
                               const group_spec& spec, const scope& who = {}) {
    check_path(zone, id);
    argument_errors errs;
    validate_group_spec(spec, false, errs);
    errs.raise_if_any();
    std::lock_guard lock(mutex_);
    auto index = locate(zone, id, who, "write");
    security_group g = groups_[index];
    if (!spec.project.empty() && spec.project != g.project)
      errs.add("project", reason::constraint,
               "a group cannot move to another project (it belongs to " + g.project + ")");
    if (!spec.organization.empty() && spec.organization != g.organization)
      errs.add("organization", reason::constraint,
               "a group cannot move to another organization (it belongs to " + g.organization +
                   ")");
    errs.raise_if_any();
    apply(spec, g);
    return commit(index, std::move(g));
  }

  /// Applies the set fields of `patch` to group `id` (PATCH). A patch that changes nothing
  /// leaves the group, modification_date included, as it was.
  security_group update_group(const std::string& zone, const std::string& id,
                              const group_patch& patch, const scope& who = {}) {
    check_path(zone, id);
    argument_errors errs;
    validate_group_patch(patch, errs);
    errs.raise_if_any();
    std::lock_guard lock(mutex_);
    auto index = locate(zone, id, who, "write");
    security_group g = groups_[index];
    if (patch.name) g.name = *patch.name;
    if (patch.description) g.description = *patch.description;
    if (patch.tags) g.tags = *patch.tags;
    if (patch.project_default) g.project_default = *patch.project_default;
    if (patch.organization_default) g.organization_default = *patch.organization_default;
    if (patch.stateful) g.stateful = *patch.stateful;
    if (patch.inbound_default_policy) g.inbound_default_policy = *patch.inbound_default_policy;
    if (patch.outbound_default_policy) g.outbound_default_policy = *patch.outbound_default_policy;
    if (patch.enable_default_security) g.enable_default_security = *patch.enable_default_security;
    return commit(index, std::move(g));
  }

  /// Deletes group `id`; throws conflict (409) while servers are attached to it.
  void delete_group(const std::string& zone, const std::string& id, const scope& who = {}) {
    check_path(zone, id);
    std::lock_guard lock(mutex_);
    auto index = locate(zone, id, who, "write");
    if (!groups_[index].servers.empty())
      SECGROUP_THROW(conflict_error("Group is in use. You cannot delete it.", "security_group_id"));
    groups_.erase(groups_.begin() + static_cast<std::ptrdiff_t>(index));
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
    check_path(zone, group_id);
    argument_errors errs;
    for (std::size_t i = 0; i < rules.size(); ++i) {
      auto name = "rules[" + std::to_string(i) + "]";
      validate_rule(rules[i], name, true, errs);
      if (rules[i].id.empty() || is_default_rule_id(rules[i].id)) continue;
      for (std::size_t k = 0; k < i; ++k)
        if (rules[k].id == rules[i].id)
          errs.add(name + ".id", reason::constraint,
                   "rule id " + rules[i].id + " appears twice (also rules[" + std::to_string(k) +
                       "])");
    }
    errs.raise_if_any();
    std::lock_guard lock(mutex_);
    auto index = locate(zone, group_id, who, "write");
    security_group g = groups_[index];
    for (std::size_t i = 0; i < rules.size(); ++i) {
      const auto& id = rules[i].id;
      if (id.empty() || is_default_rule_id(id)) continue;
      if (find_rule(g, id) == g.rules.size())
        SECGROUP_THROW(not_found_error(resource::security_group_rule, id,
                                       "rules[" + std::to_string(i) + "].id"));
    }
    std::vector<rule> positioned, appended;
    std::vector<std::string> new_ids;
    for (const auto& r : rules) {
      if (is_default_rule_id(r.id)) continue;
      auto stored = detail::mock_store::stored_rule(r, g.zone);
      if (stored.id.empty()) {
        stored.id = fresh_id(new_ids);
        new_ids.push_back(stored.id);
      }
      (r.position == 0 ? appended : positioned).push_back(std::move(stored));
    }
    std::stable_sort(positioned.begin(), positioned.end(),
                     [](const rule& a, const rule& b) { return a.position < b.position; });
    positioned.insert(positioned.end(), appended.begin(), appended.end());
    detail::mock_store::renumber(positioned);
    g.rules = std::move(positioned);
    return ordered_rules(commit(index, std::move(g)));
  }

  /// Creates a user rule in group `group_id` and returns it. Its position is `r.position`
  /// (later rules move down by one); 0 or past the end appends. `r.id`, `r.editable` and
  /// `r.zone` are ignored.
  rule create_rule(const std::string& zone, const std::string& group_id, const rule& r,
                   const scope& who = {}) {
    check_path(zone, group_id);
    argument_errors errs;
    validate_rule(r, "", false, errs);
    errs.raise_if_any();
    std::lock_guard lock(mutex_);
    auto index = locate(zone, group_id, who, "write");
    security_group g = groups_[index];
    auto stored = detail::mock_store::stored_rule(r, g.zone);
    stored.id = fresh_id({});
    auto id = stored.id;
    detail::mock_store::insert_at(g.rules, std::move(stored), r.position);
    const auto& committed = commit(index, std::move(g));
    return committed.rules[find_rule(committed, id)];
  }

  /// Returns rule `rule_id` of group `group_id` (a default rule too, while enabled).
  rule get_rule(const std::string& zone, const std::string& group_id, const std::string& rule_id,
                const scope& who = {}) const {
    check_path(zone, group_id, &rule_id);
    std::lock_guard lock(mutex_);
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
    check_path(zone, group_id, &rule_id);
    argument_errors errs;
    validate_rule(r, "", false, errs);
    if (!r.id.empty() && r.id != rule_id)
      errs.add("id", reason::constraint,
               "the rule id " + detail::quoted(r.id) + " differs from the path's " + rule_id);
    errs.raise_if_any();
    std::lock_guard lock(mutex_);
    auto index = locate(zone, group_id, who, "write");
    security_group g = groups_[index];
    auto at = editable_rule(g, rule_id);
    auto stored = detail::mock_store::stored_rule(r, g.zone);
    stored.id = rule_id;
    auto position = r.position != 0 ? r.position : g.rules[at].position;
    g.rules.erase(g.rules.begin() + static_cast<std::ptrdiff_t>(at));
    detail::mock_store::insert_at(g.rules, std::move(stored), position);
    const auto& committed = commit(index, std::move(g));
    return committed.rules[find_rule(committed, rule_id)];
  }

  /// Applies the set fields of `patch` to rule `rule_id` (PATCH). Ports merge field by field
  /// (0 unsets), ICMP and ANY clear them; a position moves the rule. A patch that changes
  /// nothing leaves the group as it was.
  rule update_rule(const std::string& zone, const std::string& group_id,
                   const std::string& rule_id, const rule_patch& patch, const scope& who = {}) {
    check_path(zone, group_id, &rule_id);
    argument_errors errs;
    validate_rule_patch(patch, errs);
    errs.raise_if_any();
    std::lock_guard lock(mutex_);
    auto index = locate(zone, group_id, who, "write");
    security_group g = groups_[index];
    auto at = editable_rule(g, rule_id);
    rule r = g.rules[at];
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
    auto ports = errs.attempt("", [&] { return make_port_range(from, to); });
    errs.raise_if_any();
    r.ports = *ports;
    auto position = patch.position && *patch.position != 0 ? *patch.position : r.position;
    g.rules.erase(g.rules.begin() + static_cast<std::ptrdiff_t>(at));
    detail::mock_store::insert_at(g.rules, detail::mock_store::stored_rule(std::move(r), g.zone),
                                  position);
    const auto& committed = commit(index, std::move(g));
    return committed.rules[find_rule(committed, rule_id)];
  }

  /// Deletes rule `rule_id`; the rules after it move up by one. Default rules are not editable.
  void delete_rule(const std::string& zone, const std::string& group_id,
                   const std::string& rule_id, const scope& who = {}) {
    check_path(zone, group_id, &rule_id);
    std::lock_guard lock(mutex_);
    auto index = locate(zone, group_id, who, "write");
    security_group g = groups_[index];
    auto at = editable_rule(g, rule_id);
    g.rules.erase(g.rules.begin() + static_cast<std::ptrdiff_t>(at));
    detail::mock_store::renumber(g.rules);
    commit(index, std::move(g));
  }

  // -- Test hooks (C++ only, not endpoints) ------------------------------------------------

  /// Attaches server `server` (a UUID id and a name) to group `group_id`, detaching it from
  /// any other group of the zone (a server has one group). The group's dates do not move.
  void attach_server(const std::string& zone, const std::string& group_id,
                     const server_ref& server) {
    check_path(zone, group_id);
    if (!is_uuid(server.id))
      SECGROUP_THROW(invalid_argument_error("server.id", reason::format,
                                            detail::quoted(server.id) + " is not a UUID"));
    std::lock_guard lock(mutex_);
    auto index = locate(zone, group_id, {}, "write");
    for (auto& g : groups_) {
      if (g.zone != zone) continue;
      auto& s = g.servers;
      s.erase(std::remove_if(s.begin(), s.end(),
                             [&](const server_ref& have) { return have.id == server.id; }),
              s.end());
    }
    groups_[index].servers.push_back(server);
  }

  /// Detaches server `server_id` from group `group_id`; throws not_found (resource
  /// `instance_server`) when it is not attached there.
  void detach_server(const std::string& zone, const std::string& group_id,
                     const std::string& server_id) {
    check_path(zone, group_id);
    std::lock_guard lock(mutex_);
    auto& servers = groups_[locate(zone, group_id, {}, "write")].servers;
    auto it = std::find_if(servers.begin(), servers.end(),
                           [&](const server_ref& s) { return s.id == server_id; });
    if (it == servers.end())
      SECGROUP_THROW(not_found_error("instance_server", server_id, "server_id"));
    servers.erase(it);
  }

  /// Returns every group of every zone, in creation order, user rules included.
  std::vector<security_group> groups() const {
    std::lock_guard lock(mutex_);
    return groups_;
  }

  /// Returns the number of groups in every zone.
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return groups_.size();
  }

  /// Returns the whole state as `{"security_groups": [...]}`, each group in the API's shape
  /// with its rules embedded (groups_to_json): a file every secgroup reader accepts.
  json snapshot() const {
    std::lock_guard lock(mutex_);
    return groups_to_json(groups_);
  }

  /// Replaces the whole state with the groups of `doc`, a document of snapshot()'s form, after
  /// validating all of it; on error the store is unchanged. Throws parse_error or
  /// validation_error naming the field, e.g. "security_groups[1].rules[7].id".
  void restore(const json& doc) {
    auto* list = doc.is_object() ? secgroup::detail::json_io::find(doc, "security_groups") : nullptr;
    if (!list || !list->is_array())
      SECGROUP_THROW(parse_error(errc::bad_file, "",
                                 "expected a snapshot: {\"security_groups\": [...]}"));
    auto loaded = groups_from_json(doc);
    validate_snapshot(*list, loaded);
    std::lock_guard lock(mutex_);
    groups_ = std::move(loaded);
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

  // The members below expect mutex_ to be held.

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
      SECGROUP_THROW(not_found_error(resource::security_group_rule, id,
                                     detail::mock_store::rule_id_param));
    return at;
  }

  /// The organization of an existing group of `project`, else `project` itself (a default
  /// project shares its organization's UUID).
  std::string organization_of(const std::string& project) const {
    for (const auto& g : groups_)
      if (g.project == project) return g.organization;
    return project;
  }

  /// True iff `id` names a group or rule of the store, a default rule, or one of `reserved`.
  bool id_taken(const std::string& id, const std::vector<std::string>& reserved) const {
    if (is_default_rule_id(id) ||
        std::find(reserved.begin(), reserved.end(), id) != reserved.end())
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

  /// Clears project_default on the other groups of g's project and zone, dating the change.
  void clear_project_default(const security_group& g, const std::string& now) {
    for (auto& other : groups_)
      if (other.project_default && other.id != g.id && other.project == g.project &&
          other.zone == g.zone) {
        other.project_default = false;
        other.modification_date = now;
      }
  }

  /// Stores `g` at `index` and returns it; when it differs from the stored group, dates the
  /// change and keeps project_default unique. Nothing here can fail after the clock is read.
  const security_group& commit(std::size_t index, security_group g) {
    if (g == groups_[index]) return groups_[index];
    auto now = clock_();
    g.modification_date = now;
    if (g.project_default && !groups_[index].project_default) clear_project_default(g, now);
    groups_[index] = std::move(g);
    return groups_[index];
  }

  /// Checks the groups restore() read from `list`: ids, zones, projects, dates, uniqueness;
  /// numbers the user rules 1..N in position order. Throws naming "security_groups[i]...",
  /// rules by their index in `list` (default rules included).
  void validate_snapshot(const json& list, std::vector<security_group>& loaded) const {
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
      if (!has_zone(g.zone)) bad(at + ".zone", "unknown zone " + detail::quoted(g.zone));
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
                                           "] is already the default group of project " +
                                           g.project + " in " + g.zone);
      const json* raw = secgroup::detail::json_io::find(list[i], "rules");
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
        g.rules[user] = detail::mock_store::stored_rule(g.rules[user], g.zone);
        ++user;
      }
      std::stable_sort(g.rules.begin(), g.rules.end(),
                       [](const rule& a, const rule& b) { return a.position < b.position; });
      detail::mock_store::renumber(g.rules);
    }
  }

  mutable std::mutex mutex_;
  const std::vector<std::string> zones_;
  clock_fn clock_;
  id_fn new_id_;
  std::vector<security_group> groups_;
};

}  // namespace mock
SECGROUP_END_NAMESPACE
