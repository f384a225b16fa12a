// secgroup/analysis/plan_diff.hpp: what a Terraform plan changes in the decisions of each
// group, as the semantic diff of the group before and after the change.
//
// For every group the plan creates, updates, replaces, destroys or forgets (or the one group a
// key selects, whatever its change), diff_plan() compares the group before the change (A) with
// the group after it (B) by analysis::diff(): only decisions count, so an update that rewrites
// or reorders rules without changing a decision is equivalent. A group that exists on one side
// only (created, destroyed, forgotten) has nothing to compare with; a side with values unknown
// until apply is not compared either, and its unknown values are named: never guessed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "../config.hpp"
#include "../error.hpp"
#include "../io/analysis_json.hpp"
#include "../io/source.hpp"
#include "../io/terraform.hpp"
#include "diff.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace analysis {

/// One group of a plan, before and after the change.
struct plan_group_diff {
  std::string address;
  terraform_change change = terraform_change::none;
  /// The diff of the group before (A) and after (B) the change, when both exist and are known.
  std::optional<group_diff> diff;
  /// The values deciding traffic that are unknown on either side; those of the side before
  /// the change end in " (before the change)".
  std::vector<std::string> unknown;

  /// True iff both sides exist (the plan neither creates nor removes the group).
  bool both_sides() const {
    return change != terraform_change::create && change != terraform_change::destroy &&
           change != terraform_change::forget;
  }
};

/// Returns the diff of `g`, one group of a plan.
inline plan_group_diff diff_plan_group(const terraform_group& g) {
  plan_group_diff out;
  out.address = g.address;
  out.change = g.change;
  if (!g.before || !g.after) return out;
  out.unknown = decision_unknowns(*g.after, g.address);
  for (auto& u : decision_unknowns(*g.before, g.address))
    out.unknown.push_back(u + " (before the change)");
  auto a = g.before->known(), b = g.after->known();
  if (a && b) out.diff = diff(*a, *b);
  return out;
}

/// Returns the diff of every group plan `doc` changes (see the file comment), in document
/// order; with a key, of the one group of that address, id or name (find_terraform_group(),
/// errors naming `field`). Throws validation_error secgroup.validation.203 naming `field` when
/// `doc` is not a plan, lookup_error secgroup.lookup.301 when the key selects no group.
inline std::vector<plan_group_diff> diff_plan(const terraform_document& doc,
                                              const std::optional<std::string>& key = {},
                                              const std::string& field = "--group") {
  if (doc.format != terraform_format::plan)
    SECGROUP_THROW(validation_error(errc::bad_value, field,
                                    "a Terraform " + std::string(to_string(doc.format)) +
                                        " holds no change: compare it with another file"));
  std::vector<plan_group_diff> out;
  if (key) {
    const auto* g = find_terraform_group(doc.groups, *key, field);
    if (!g)
      SECGROUP_THROW(lookup_error(errc::not_found, field,
                                  "no group has address, id or name " +
                                      secgroup::detail::quoted(*key) +
                                      " (groups: " + terraform_addresses(doc.groups) + ")"));
    out.push_back(diff_plan_group(*g));
    return out;
  }
  for (const auto& g : doc.groups)
    if (g.change != terraform_change::no_op) out.push_back(diff_plan_group(g));
  return out;
}

/// Returns {"groups": [{"address", "change", "equivalent" (null when not compared), "unknown",
/// "witness", "regions"}]}: diff_to_json()'s keys for each compared group, A being the group
/// before the change and B after it.
inline json plan_diff_to_json(const std::vector<plan_group_diff>& diffs) {
  json groups = json::array();
  for (const auto& d : diffs) {
    json j = json::object();
    j["address"] = d.address;
    j["change"] = to_string(d.change);
    j["unknown"] = d.unknown;
    if (d.diff) {
      const json compared = diff_to_json(*d.diff);
      for (const auto& [key, value] : compared.items()) j[key] = value;
    } else {
      j["equivalent"] = nullptr;
      j["witness"] = nullptr;
      j["regions"] = nullptr;
    }
    groups.push_back(std::move(j));
  }
  return json{{"groups", std::move(groups)}};
}

}  // namespace analysis
SECGROUP_END_NAMESPACE
