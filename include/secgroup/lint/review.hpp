// secgroup/lint/review.hpp: a semantic review of a change to security groups: what it does to
// traffic, and the lint findings it introduces and resolves.
//
// A change is a Terraform plan (each group before and after it), or two group files (OLD and NEW:
// API exports or Terraform state, read through io/source.hpp), whose groups are paired by id,
// else Terraform address, else name (a name shared by several groups of one side pairs nothing).
// For every group the change creates, updates, replaces or deletes, review() gives:
//
// - Traffic: the regions of packets newly accepted ("opened") and newly dropped ("closed"),
//   from analysis::diff() of the group before and after. Regions are merged for reading: per
//   direction, verb and protocol class, ports with the same addresses become one item, worded
//   by traffic_words() ("opens TCP 22 from every IPv4 address", "closes UDP 53 to 10.0.0.0/8")
//   with the most readable witness packet of its regions (analysis/witness.hpp) and both
//   decisions. An update that changes no decision says whether its rules are unchanged,
//   reordered or rewritten. A created group is reviewed against no group (every packet dropped):
//   its items are what it opens. A deleted group is not compared: its rules no longer apply;
//   the API refuses to delete a group still attached to servers (409 "Group is in use"), so a
//   server it filtered is filtered by another group from then on, to be reviewed on its own.
// - Lint: each side is linted (lint_partial(), so values unknown until apply give undecided
//   findings, never passed ones) and the findings are matched by finding_identity(): the check
//   and its subject, where a rule the subject names (by id, or "#index" for rules without one)
//   is replaced by the rule's content. Identities survive renumbering and rewording; a finding
//   matched on both sides is neither introduced nor resolved (matching is one to one, so a
//   second copy of an identical finding is introduced).
//
// Values unknown until apply are never guessed: a side whose policies or rules hold one is not
// compared, and the unknown values are named (an unknown `stateful` alone decides no packet, so
// it does not stop the comparison, and it is named in the notes).
//
// Verdict: failed() when some unsuppressed introduced finding that is decided is at or above the
// threshold; else undecided() when some group's traffic could not be compared or some
// unsuppressed introduced undecided finding is at or above the threshold; exit_code() 1, 4, 0.
// Cost: one diff and two lint runs per changed group.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <tuple>
#include <utility>
#include <vector>

#include "../analysis/diff.hpp"
#include "../analysis/witness.hpp"
#include "../config.hpp"
#include "../error.hpp"
#include "../format.hpp"
#include "../io/source.hpp"
#include "../io/terraform.hpp"
#include "../partial_group.hpp"
#include "../security_group.hpp"
#include "context.hpp"
#include "effective.hpp"
#include "finding.hpp"
#include "lint.hpp"
#include "message.hpp"
#include "partial.hpp"
#include "run.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace lint {

// -- What is reviewed -----------------------------------------------------------------------

/// One side of a group's change: the group with its unknown values.
struct review_side {
  partial_group group;
  /// The values deciding traffic that are unknown until apply (decision_unknowns()).
  std::vector<std::string> unknown;
  bool description_unknown = false;
};

/// A group as a change sees it.
struct change_input {
  std::string address;  ///< the Terraform address; "" for a group of an API export
  terraform_change change = terraform_change::update;
  std::optional<review_side> before;  ///< absent when created
  std::optional<review_side> after;   ///< absent when destroyed or forgotten (review_group
                                      ///< compares a forgotten group with itself)
  std::string source;                 ///< the file the group was read from (after, else before)
  std::string file;                   ///< the .tf file of its resource block, when located
  std::uint32_t line = 0;             ///< the line of the group in `file`, else in `source`
};

// -- What a review says ---------------------------------------------------------------------

/// A merged region of packets a change newly accepts (opened) or newly drops (closed).
struct traffic_change {
  secgroup::direction direction = secgroup::direction::inbound;
  bool opened = true;
  proto_class protocol = proto_class::tcp;
  std::vector<interval<std::uint32_t>> ports;  ///< ascending; [0, 0] for classes without ports
  std::array<range_set, 2> addresses;          ///< remote addresses, by index_of(family)
  std::string text;                            ///< traffic_words()
  bool internet = false;                       ///< some remote address is public
  /// The most readable packet of the region; `a` decides it before, `b` after the change
  /// (their rules index group_review::rules_before / rules_after).
  analysis::diff_witness witness;
};

/// What the change does to the traffic of a group.
enum class traffic_outcome : std::uint8_t {
  changed,    ///< some decision changes (`traffic` lists how)
  unchanged,  ///< no decision changes
  undecided,  ///< not compared: values unknown until apply
  removed,    ///< the group is deleted: its rules no longer apply
};

constexpr std::string_view to_string(traffic_outcome o) {
  constexpr std::string_view names[] = {"changed", "unchanged", "undecided", "removed"};
  return names[static_cast<std::size_t>(o)];
}

/// How an update that changes no decision changes the rules.
enum class rules_edit : std::uint8_t {
  none,       ///< the rules are the same, in the same order
  reordered,  ///< the same rules in another order
  rewritten,  ///< other rules
};

/// The review of one group.
struct group_review {
  std::string address, id, name;
  terraform_change change = terraform_change::update;
  std::string source, file;
  std::uint32_t line = 0;
  traffic_outcome traffic = traffic_outcome::unchanged;
  rules_edit edit = rules_edit::none;  ///< for traffic_outcome::unchanged
  std::vector<traffic_change> opened, closed;
  /// The values deciding traffic unknown until apply; those of the side before the change end
  /// in " (before the change)".
  std::vector<std::string> unknown;
  std::vector<std::string> notes;
  std::vector<rule> rules_before, rules_after;  ///< ordered_rules() of each side, when known
  /// Findings of the group after the change that it had not before (rules index rules_after),
  /// and findings before that are gone after (rules index rules_before).
  std::vector<finding> introduced, resolved;
  /// Lint reports of each side (absent for a side that does not exist).
  std::optional<group_report> lint_before, lint_after;

  /// One sentence on what the change does to the group's traffic.
  std::string summary() const;
};

/// The review of a change.
struct review_result {
  std::vector<std::string> sources;  ///< the plan, or OLD and NEW
  std::vector<group_review> groups;  ///< in document order (NEW's order, then deleted groups)
  fail_threshold threshold = severity::low;
  std::size_t unchanged_groups = 0;  ///< groups on both sides the change leaves as they are

  /// True iff some unsuppressed, decided introduced finding is at or above the threshold.
  bool failed() const {
    if (!threshold) return false;
    for (const auto& g : groups)
      for (const auto& f : g.introduced)
        if (!f.suppressed && !f.undecided && f.level >= *threshold) return true;
    return false;
  }
  /// True iff a verdict depends on values unknown until apply: some group's traffic was not
  /// compared, or some unsuppressed introduced finding at or above the threshold is undecided.
  bool undecided() const {
    for (const auto& g : groups) {
      if (g.traffic == traffic_outcome::undecided) return true;
      if (threshold)
        for (const auto& f : g.introduced)
          if (!f.suppressed && f.undecided && f.level >= *threshold) return true;
    }
    return false;
  }
  /// 1 when failed(), else 4 when undecided(), else 0.
  int exit_code() const { return failed() ? 1 : undecided() ? 4 : 0; }
};

// -- Words ----------------------------------------------------------------------------------

/// Words a set of addresses of family `f`, exactly when it is short: "every IPv4 address",
/// "every IPv4 address except 10.0.0.0/8", "10.0.0.0/8, 192.168.0.0/16" (up to three
/// networks; a host as its address); else relative to the internet `net` (where_text(): "every
/// public IPv4 address", ...), followed by "and N other IPv4 addresses" for the non-public rest.
inline std::string address_words(const lint::internet& net, const range_set& s, family f) {
  const std::string fam(to_string(f));
  auto listed = [](const std::vector<ip_network>& nets) {
    std::string out;
    for (const auto& n : nets) out += (out.empty() ? "" : ", ") + to_string(n);
    return out;
  };
  const range_set all = whole_family(f);
  if (s == all) return "every " + fam + " address";
  if (auto gaps = networks_of(all - s, f, 3); gaps.size() <= 3)
    return "every " + fam + " address except " + listed(gaps);
  if (auto nets = networks_of(s, f, 3); nets.size() <= 3) return listed(nets);
  std::array<range_set, 2> pub;
  pub[index_of(f)] = s & net.of(f);
  const range_set rest = s - net.of(f);
  if (pub[index_of(f)].empty())
    return count_text(rest.count()) + " " + fam + " addresses in " + std::to_string(rest.size()) +
           " ranges";
  std::string out = where_text(net, pub);
  if (!rest.empty()) out += " and " + count_text(rest.count()) + " other " + fam + " addresses";
  return out;
}

/// Words what a protocol class and its ports stand for: "TCP 22", "TCP 80, 443", "every TCP
/// port", "ICMP", "other protocols (GRE, ESP, ...)".
inline std::string service_words(proto_class c, const std::vector<interval<std::uint32_t>>& ports) {
  if (!has_ports(c)) return class_name(c);
  if (ports.size() == 1 && ports.front().lo == 0 && ports.front().hi == 65535)
    return "every " + class_name(c) + " port";
  return class_name(c) + " " + ports_text(ports);
}

/// "opens TCP 22 from every IPv4 address", "closes UDP 53 to 10.0.0.0/8": the verb, the
/// service, "from" (inbound) or "to" (outbound) and the addresses of both families.
inline std::string traffic_words(const lint::internet& net, const traffic_change& t) {
  std::string where;
  if (t.addresses[0] == whole_family(family::v4) && t.addresses[1] == whole_family(family::v6)) {
    where = "every address";
  } else {
    for (auto f : both_families)
      if (!t.addresses[index_of(f)].empty())
        where += (where.empty() ? "" : " and ") + address_words(net, t.addresses[index_of(f)], f);
  }
  return std::string(t.opened ? "opens " : "closes ") + service_words(t.protocol, t.ports) +
         (t.direction == direction::inbound ? " from " : " to ") + where;
}

// -- Traffic --------------------------------------------------------------------------------

/// \cond
namespace detail_review {

/// The most readable packet of region `r` on `ports` (a part of r.ports) and its rank
/// (protocol, port, family: smaller is better), as diff() ranks its witness.
template <family F>
std::pair<packet, std::tuple<int, int, int>> region_witness(const analysis::group_diff_region& r,
                                                            const interval<std::uint32_t>& ports) {
  using S = space_of<F>;
  using A = typename S::address_type;
  auto value = [](const ip_address& a) {
    if constexpr (F == family::v4)
      return static_cast<A>(a.v4_bits());
    else
      return a.value;
  };
  const interval<A> addresses{value(r.first), value(r.last)};
  const auto [pc, port_rank] = analysis::witness_rank<S>(r.protocol, ports);
  return {
      analysis::to_packet<F>(analysis::witness_point<S>(r.protocol, addresses, ports), r.direction),
      {pc, port_rank, F == family::v4 ? 0 : 1}};
}

inline std::pair<packet, std::tuple<int, int, int>> region_witness(
    const analysis::group_diff_region& r, const interval<std::uint32_t>& ports) {
  return r.af == family::v4 ? region_witness<family::v4>(r, ports)
                            : region_witness<family::v6>(r, ports);
}

/// The items of one direction, verb and protocol class, from its diff regions `regions`:
/// ports with equal address sets merge (as exposure() merges them).
inline void merge_regions(const lint::internet& net,
                          const std::vector<const analysis::group_diff_region*>& regions,
                          std::vector<traffic_change>& out) {
  if (regions.empty()) return;
  std::vector<std::uint32_t> cuts;  // elementary port intervals start at the cuts
  for (const auto* r : regions) {
    cuts.push_back(r->ports.lo);
    if (r->ports.hi < 65535) cuts.push_back(r->ports.hi + 1);
  }
  secgroup::detail::sort_unique(cuts);
  struct item {
    std::array<range_set, 2> addresses;
    interval_set<std::uint32_t> ports;
    std::vector<const analysis::group_diff_region*> regions;
  };
  std::vector<item> items;
  for (std::size_t k = 0; k < cuts.size(); ++k) {
    const std::uint32_t lo = cuts[k];
    const std::uint32_t hi = k + 1 < cuts.size() ? cuts[k + 1] - 1 : 65535;
    std::array<range_set, 2> addresses;
    std::vector<const analysis::group_diff_region*> in;
    for (const auto* r : regions)
      if (r->ports.lo <= lo && hi <= r->ports.hi) {
        addresses[index_of(r->af)].add({r->first.value, r->last.value});
        in.push_back(r);
      }
    if (in.empty()) continue;
    auto same = std::find_if(items.begin(), items.end(),
                             [&](const item& i) { return i.addresses == addresses; });
    if (same == items.end()) {
      items.push_back({addresses, {}, {}});
      same = items.end() - 1;
    }
    same->ports.add({lo, has_ports(regions.front()->protocol) ? hi : lo});
    for (const auto* r : in)
      if (std::find(same->regions.begin(), same->regions.end(), r) == same->regions.end())
        same->regions.push_back(r);
  }
  for (auto& i : items) {
    traffic_change t;
    const auto& first = *regions.front();
    t.direction = first.direction;
    t.opened = first.opened();
    t.protocol = first.protocol;
    t.ports = i.ports.runs();
    t.addresses = std::move(i.addresses);
    for (auto f : both_families)
      t.internet = t.internet || !(t.addresses[index_of(f)] & net.of(f)).empty();
    // The witness: the best packet of the item's own ports in one of its regions (a region
    // may reach ports of other items, whose addresses differ).
    std::optional<std::tuple<int, int, int>> best;
    for (const auto* r : i.regions)
      for (const auto& run : t.ports) {
        const interval<std::uint32_t> ports{std::max(run.lo, r->ports.lo),
                                            std::min(run.hi, r->ports.hi)};
        if (ports.lo > ports.hi) continue;
        auto [p, rank] = region_witness(*r, has_ports(r->protocol) ? ports : r->ports);
        if (best && !(rank < *best)) continue;
        best = rank;
        t.witness = {p, r->a, r->b};
      }
    t.text = traffic_words(net, t);
    out.push_back(std::move(t));
  }
  std::stable_sort(out.end() - static_cast<std::ptrdiff_t>(items.size()), out.end(),
                   [](const traffic_change& a, const traffic_change& b) {
                     return a.ports.front().lo < b.ports.front().lo;
                   });
}

/// True iff `p`'s policies and rules are known (an unknown `stateful` decides no packet).
inline bool decisions_known(const partial_group& p) {
  const auto& u = p.unknown;
  if (u.inbound_default_policy || u.outbound_default_policy || u.enable_default_security ||
      u.inbound_rules || u.outbound_rules)
    return false;
  return std::none_of(p.rules.begin(), p.rules.end(),
                      [](const partial_rule& r) { return r.unknown.any(); });
}

/// `p` as a plain group, when decisions_known(p) (`stateful` as it is).
inline security_group decided_group(const partial_group& p) {
  security_group g = p.group;
  g.rules.clear();
  for (const auto& r : p.rules) g.rules.push_back(r.value);
  return g;
}

/// The group that accepts nothing: what a created group is compared with.
inline security_group nothing_group() {
  security_group g;
  g.inbound_default_policy = action::drop;
  g.outbound_default_policy = action::drop;
  g.enable_default_security = false;
  return g;
}

/// The rules of `g` as their contents, in order.
inline std::vector<std::string> rule_texts(const std::vector<rule>& rules) {
  std::vector<std::string> out;
  for (const auto& r : rules) out.push_back(to_string(r));
  return out;
}

}  // namespace detail_review
/// \endcond

/// Returns the traffic items of `d` (A before, B after the change): opened, then closed, each
/// by direction, protocol class and first port.
inline std::pair<std::vector<traffic_change>, std::vector<traffic_change>> traffic_changes(
    const lint::internet& net, const analysis::group_diff& d) {
  std::pair<std::vector<traffic_change>, std::vector<traffic_change>> out;
  for (bool opened : {true, false})
    for (auto dir : {direction::inbound, direction::outbound})
      for (auto c : all_proto_classes) {
        std::vector<const analysis::group_diff_region*> regions;
        for (const auto& r : d.regions)
          if (r.opened() == opened && r.direction == dir && r.protocol == c) regions.push_back(&r);
        detail_review::merge_regions(net, regions, opened ? out.first : out.second);
      }
  return out;
}

// -- Findings -------------------------------------------------------------------------------

/// The identity of finding `f` (whose rule indices refer to `rules`) across a change: its check
/// and subject, each '/'-separated part of the subject that names a rule (its id, or "#i" for
/// index i) replaced by the rule's content ("[inbound accept TCP 0.0.0.0/0 22]").
inline std::string finding_identity(const finding& f, const std::vector<rule>& rules) {
  std::string out = f.check + "|";
  std::size_t start = 0;
  while (true) {
    const auto end = f.subject.find('/', start);
    const std::string part = f.subject.substr(start, end == std::string::npos ? end : end - start);
    const rule* named = nullptr;
    for (std::size_t i = 0; i < rules.size() && !named; ++i)
      if ((!rules[i].id.empty() && rules[i].id == part) || part == "#" + std::to_string(i))
        named = &rules[i];
    out += named ? "[" + to_string(*named) + "]" : part;
    if (end == std::string::npos) break;
    out += "/";
    start = end + 1;
  }
  return out;
}

/// Matches the findings of `before` and `after` one to one by finding_identity(): sets
/// `introduced` (after's unmatched findings) and `resolved` (before's unmatched findings whose
/// check is not undecided after the change), in their reports' order.
inline void match_findings(const group_report* before, const group_report* after,
                           std::vector<finding>& introduced, std::vector<finding>& resolved) {
  std::vector<std::string> old_ids;
  std::vector<char> matched;
  if (before)
    for (const auto& f : before->findings) old_ids.push_back(finding_identity(f, before->rules));
  matched.assign(old_ids.size(), 0);
  if (after)
    for (const auto& f : after->findings) {
      const auto id = finding_identity(f, after->rules);
      bool found = false;
      for (std::size_t k = 0; k < old_ids.size() && !found; ++k)
        if (!matched[k] && old_ids[k] == id) matched[k] = 1, found = true;
      if (!found) introduced.push_back(f);
    }
  // A check undecided after the change resolves nothing for sure: its findings before stay.
  auto undecided_after = [&](const std::string& check) {
    return after && std::any_of(after->findings.begin(), after->findings.end(),
                                [&](const finding& f) { return f.undecided && f.check == check; });
  };
  for (std::size_t k = 0; k < old_ids.size(); ++k)
    if (!matched[k] && !undecided_after(before->findings[k].check))
      resolved.push_back(before->findings[k]);
}

// -- Review ---------------------------------------------------------------------------------

inline std::string group_review::summary() const {
  switch (traffic) {
    case traffic_outcome::removed:
      return "deleted: its rules no longer apply (the API deletes a group only once no server "
             "uses it, so the servers it filtered are filtered by another group)";
    case traffic_outcome::undecided:
      return "not compared: unknown until apply: " + joined_list(unknown);
    case traffic_outcome::unchanged:
      if (change == terraform_change::create) return "created: accepts no packet";
      return edit == rules_edit::none        ? "no decision changes: the rules are unchanged"
             : edit == rules_edit::reordered ? "no decision changes: the rules are only reordered"
                                             : "no decision changes: the rules are rewritten "
                                               "without changing any decision";
    case traffic_outcome::changed:
      break;
  }
  auto count = [](std::size_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
  };
  std::string out = change == terraform_change::create ? "created, compared with no group: "
                                                       : "decisions change: ";
  if (!opened.empty()) out += "opens " + count(opened.size(), "region");
  if (!closed.empty())
    out += std::string(opened.empty() ? "" : ", ") + "closes " + count(closed.size(), "region");
  return out;
}

/// Reviews one group's change `c` with `lint`, whose internet words the addresses.
inline group_review review_group(const linter& lint, const change_input& c) {
  // A forgotten group leaves Terraform's state, not the cloud: its rules keep applying as they
  // are, so it is compared with itself (nothing opens, closes, or is resolved).
  if (c.change == terraform_change::forget && c.before && !c.after) {
    auto kept = c;
    kept.after = c.before;
    return review_group(lint, kept);
  }
  group_review out;
  out.address = c.address;
  out.change = c.change;
  out.source = c.source;
  out.file = c.file;
  out.line = c.line;
  const auto& named = c.after ? c.after->group.group : c.before->group.group;
  out.id = named.id;
  out.name = named.name;
  const auto& net = lint.public_addresses();
  if (c.before)
    out.lint_before = lint_partial(lint, c.before->group, c.before->unknown,
                                   c.before->description_unknown, c.source, c.address);
  if (c.after)
    out.lint_after = lint_partial(lint, c.after->group, c.after->unknown,
                                  c.after->description_unknown, c.source, c.address);
  match_findings(out.lint_before ? &*out.lint_before : nullptr,
                 out.lint_after ? &*out.lint_after : nullptr, out.introduced, out.resolved);
  if (!c.after) {
    out.traffic = traffic_outcome::removed;
    return out;
  }
  const std::string where_stateful = c.address.empty() ? "stateful" : c.address + ".stateful";
  bool known = true;
  for (const auto* side : {c.before ? &*c.before : nullptr, &*c.after}) {
    if (!side) continue;
    if (!detail_review::decisions_known(side->group)) known = false;
    for (const auto& u : side->unknown)
      out.unknown.push_back(side == &*c.after ? u : u + " (before the change)");
  }
  if (!known) {
    out.traffic = traffic_outcome::undecided;
    return out;
  }
  if (c.after->group.unknown.stateful)
    out.notes.push_back(where_stateful +
                        " is unknown until apply: whether replies are admitted by themselves is "
                        "not known (it decides no other packet)");
  const security_group after = detail_review::decided_group(c.after->group);
  const security_group before =
      c.before ? detail_review::decided_group(c.before->group) : detail_review::nothing_group();
  if (c.before && !c.before->group.unknown.stateful && !c.after->group.unknown.stateful &&
      before.stateful != after.stateful)
    out.notes.push_back(after.stateful
                            ? std::string("becomes stateful: replies to accepted packets are "
                                          "admitted whatever the rules say")
                            : std::string("becomes stateless: replies are no longer admitted by "
                                          "themselves, the rules must accept them"));
  const auto d = analysis::diff(before, after);
  if (c.before) out.rules_before = d.rules_a;
  out.rules_after = d.rules_b;
  std::tie(out.opened, out.closed) = traffic_changes(net, d);
  if (!d.equivalent) {
    out.traffic = traffic_outcome::changed;
    return out;
  }
  out.traffic = traffic_outcome::unchanged;
  if (c.before) {
    auto a = detail_review::rule_texts(d.rules_a), b = detail_review::rule_texts(d.rules_b);
    if (a != b) {
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      out.edit = a == b ? rules_edit::reordered : rules_edit::rewritten;
    }
  }
  return out;
}

/// Reviews every change of `changes` with `config`, failing at `threshold`.
inline review_result review_changes(const std::vector<change_input>& changes,
                                    const lint_config& config, fail_threshold threshold) {
  review_result out;
  out.threshold = threshold;
  const linter lint(config);
  for (const auto& c : changes) out.groups.push_back(review_group(lint, c));
  return out;
}

// -- Changes from inputs --------------------------------------------------------------------

/// \cond
namespace detail_review {
inline review_side side_of(const partial_group& p, const std::string& address,
                           const std::vector<std::string>& all_unknown = {}) {
  review_side s{p, decision_unknowns(p, address), false};
  s.description_unknown = std::find(all_unknown.begin(), all_unknown.end(),
                                    address + ".description") != all_unknown.end();
  return s;
}

/// Locates the groups of `doc`, read from `file`, at their resource blocks (as lint does).
inline void locate(terraform_document& doc, const std::string& file) {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(file).parent_path();
  locate_terraform_sources(doc, root.empty() ? fs::path(".") : root);
}

inline void set_location(change_input& c, const terraform_group& g, const std::string& file) {
  namespace fs = std::filesystem;
  if (g.source_line == 0) return;
  const fs::path root = fs::path(file).parent_path();
  c.file = (root / g.source_file).lexically_normal().generic_string();
  c.line = static_cast<std::uint32_t>(g.source_line);
}
}  // namespace detail_review
/// \endcond

/// The groups Terraform plan `plan` (read from `file`) changes: every group whose change is
/// not a no-op, in document order, located at their resource blocks when found.
inline std::vector<change_input> plan_changes(terraform_document plan, const std::string& file) {
  if (plan.format != terraform_format::plan)
    SECGROUP_THROW(validation_error(errc::bad_value, file,
                                    "a Terraform " + std::string(to_string(plan.format)) +
                                        " holds no change: review it against another file "
                                        "(secgroup review OLD NEW)"));
  detail_review::locate(plan, file);
  std::vector<change_input> out;
  for (const auto& g : plan.groups) {
    if (g.change == terraform_change::no_op || g.change == terraform_change::none) continue;
    change_input c;
    c.address = g.address;
    c.change = g.change;
    c.source = file;
    if (g.before) c.before = detail_review::side_of(*g.before, g.address);
    if (g.after) c.after = detail_review::side_of(*g.after, g.address, g.unknown);
    detail_review::set_location(c, g, file);
    out.push_back(std::move(c));
  }
  return out;
}

/// The changes from group file `old_in` to `new_in` (exports or Terraform state; a plan's
/// groups after the change): groups paired by id, else Terraform address, else name (unique
/// on both sides); a NEW group paired with none is created, an OLD one deleted; a pair whose
/// groups are equal is unchanged (counted in `unchanged`). NEW's order, then the deleted groups
/// in OLD's order.
inline std::vector<change_input> file_changes(const group_input& old_in, const group_input& new_in,
                                              std::size_t& unchanged) {
  auto side_groups = [](const group_input& in) {
    std::vector<std::pair<input_group, std::vector<std::string>>> out;  // with all unknown paths
    for (auto& g : input_groups(in))
      out.emplace_back(g, in.terraform ? in.terraform->groups[g.terraform_index].unknown
                                       : std::vector<std::string>{});
    return out;
  };
  auto olds = side_groups(old_in), news = side_groups(new_in);
  auto partial_of = [](const input_group& g) {
    if (g.partial) return *g.partial;
    return make_partial(*g.group);
  };
  std::vector<char> old_used(olds.size(), 0);
  auto unique_name = [](const auto& list, const std::string& name) {
    return std::count_if(list.begin(), list.end(),
                         [&](const auto& x) { return x.first.name() == name; }) == 1;
  };
  auto pair_of = [&](const input_group& n) -> std::optional<std::size_t> {
    for (std::size_t k = 0; k < olds.size(); ++k)
      if (!old_used[k] && !n.id().empty() && olds[k].first.id() == n.id()) return k;
    for (std::size_t k = 0; k < olds.size(); ++k)
      if (!old_used[k] && !n.address.empty() && olds[k].first.address == n.address) return k;
    if (n.name().empty() || !unique_name(news, n.name()) || !unique_name(olds, n.name()))
      return std::nullopt;
    for (std::size_t k = 0; k < olds.size(); ++k)
      if (!old_used[k] && olds[k].first.name() == n.name()) return k;
    return std::nullopt;
  };
  std::vector<change_input> out;
  unchanged = 0;
  for (const auto& [n, n_unknown] : news) {
    change_input c;
    c.address = n.address;
    c.source = new_in.path;
    c.after = detail_review::side_of(partial_of(n), n.address, n_unknown);
    if (new_in.terraform) {
      const auto& tg = new_in.terraform->groups[n.terraform_index];
      detail_review::set_location(c, tg, new_in.path);
    }
    if (auto k = pair_of(n)) {
      old_used[*k] = 1;
      const auto& o = olds[*k].first;
      if (o.group && n.group && *o.group == *n.group) {
        ++unchanged;
        continue;
      }
      c.change = terraform_change::update;
      c.before = detail_review::side_of(partial_of(o), o.address, olds[*k].second);
      if (c.address.empty()) c.address = o.address;
    } else {
      c.change = terraform_change::create;
    }
    out.push_back(std::move(c));
  }
  for (std::size_t k = 0; k < olds.size(); ++k) {
    if (old_used[k]) continue;
    const auto& o = olds[k].first;
    change_input c;
    c.address = o.address;
    c.change = terraform_change::destroy;
    c.source = old_in.path;
    c.before = detail_review::side_of(partial_of(o), o.address, olds[k].second);
    if (old_in.terraform)
      detail_review::set_location(c, old_in.terraform->groups[o.terraform_index], old_in.path);
    out.push_back(std::move(c));
  }
  return out;
}

/// Reviews the change `inputs` stand for (io/source.hpp; any source a group_input holds): one
/// input, a Terraform plan; two, OLD and NEW. A group not located in a .tf file is located at
/// its first line in its input when that input is a readable file of at most `max_size` bytes.
/// Throws secgroup::error on bad input (parse_error secgroup.parse.106 for a wrong number of
/// inputs, secgroup.parse.109 for one of no group; validation_error secgroup.validation.203
/// for one input that is not a plan).
inline review_result review_inputs(std::vector<group_input> inputs, const lint_config& config,
                                   fail_threshold threshold,
                                   std::size_t max_size = default_max_input_size) {
  if (inputs.empty() || inputs.size() > 2)
    SECGROUP_THROW(parse_error(errc::missing_field, "FILE",
                               "give a Terraform plan, or two group files (OLD NEW)"));
  for (const auto& in : inputs) {
    // A file of no group is refused, as lint refuses it: never a vacuous review.
    if (in.terraform && in.terraform->groups.empty())
      SECGROUP_THROW(parse_error(errc::bad_file, in.path, "the file holds no security group"));
    if (!in.terraform) require_groups(in.groups, in.path);
  }
  std::vector<change_input> changes;
  std::size_t unchanged = 0;
  if (inputs.size() == 1) {
    if (!inputs[0].terraform || inputs[0].terraform->format != terraform_format::plan)
      SECGROUP_THROW(validation_error(
          errc::bad_value, inputs[0].path,
          "one file is reviewed only when it is a Terraform plan (terraform show -json of a "
          "plan); else give two group files, OLD NEW"));
    changes = plan_changes(std::move(*inputs[0].terraform), inputs[0].path);
  } else {
    for (auto* d : {&inputs[0], &inputs[1]})
      if (d->terraform) detail_review::locate(*d->terraform, d->path);
    changes = file_changes(inputs[0], inputs[1], unchanged);
  }
  std::vector<std::pair<std::string, source_text>> texts;  // read once each, when needed
  for (auto& c : changes) {  // a group not located in a .tf file: its first line in the file
    if (c.line != 0) continue;
    const auto& key = !c.address.empty() ? c.address
                      : c.after          ? c.after->group.group.id
                                         : c.before->group.group.id;
    std::error_code ec;
    if (key.empty() || !std::filesystem::is_regular_file(c.source, ec)) continue;
    auto it = std::find_if(texts.begin(), texts.end(),
                           [&](const auto& t) { return t.first == c.source; });
    if (it == texts.end())
      it = texts.emplace(texts.end(), c.source, source_text(read_text_file(c.source, max_size)));
    c.line = line_of_value(it->second, key);
  }
  auto out = review_changes(changes, config, threshold);
  for (const auto& in : inputs) out.sources.push_back(in.path);
  out.unchanged_groups = unchanged;
  return out;
}

/// Reviews the change `paths` stand for, as `secgroup review` does: one path, a Terraform plan;
/// two, OLD and NEW group files (load_group_input(), files of at most `max_size` bytes), by
/// review_inputs(). Throws as review_inputs() does, and on a file that cannot be read.
inline review_result review(const std::vector<std::string>& paths, const lint_config& config,
                            fail_threshold threshold,
                            std::size_t max_size = default_max_input_size) {
  if (paths.empty() || paths.size() > 2)
    SECGROUP_THROW(parse_error(errc::missing_field, "FILE",
                               "give a Terraform plan, or two group files (OLD NEW)"));
  std::vector<group_input> inputs;
  for (const auto& p : paths) inputs.push_back(load_group_input(p, max_size));
  return review_inputs(std::move(inputs), config, threshold, max_size);
}

}  // namespace lint
SECGROUP_END_NAMESPACE
