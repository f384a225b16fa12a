// secgroup/io/source.hpp: a group file of either kind, API export or Terraform document, told
// apart by its content.
//
// Every front end reads its group files through read_group_input() / load_group_input(): a JSON
// document with the top-level keys of a Terraform document (looks_like_terraform(): the output
// of `terraform show -json` of a plan or of state, or a terraform.tfstate file) is read by
// read_terraform() (io/terraform.hpp), anything else as an API export by groups_from_json()
// (io/json.hpp), exactly as load_groups() reads it. Errors name the file first, as load_groups()
// and load_terraform() do; a file is read whole or not at all.
//
// The groups an analysis reads (input_groups()) are an export's groups, or the Terraform groups
// as they are after the change (for a plan; destroyed and forgotten groups are skipped, named by
// skipped_groups()) or as recorded (for state). A Terraform group whose values deciding traffic
// are all known carries its security_group; one with unknown values carries none, and names
// those values (decision_unknowns(): "scaleway_instance_security_group.app[\"api\"]
// .inbound_rule[1].ip_range"): an analysis that needs the whole group must say it cannot answer,
// never guess.
//
// pick_input_group() chooses one group as every front end does: by Terraform address, else by id,
// else by name (a name shared by several groups is an error), or the only one.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../error.hpp"
#include "../partial_group.hpp"
#include "../security_group.hpp"
#include "group_list_split.hpp"
#include "json.hpp"
#include "read.hpp"
#include "terraform.hpp"

SECGROUP_BEGIN_NAMESPACE

/// One group file as read: an API export's groups, or a Terraform document.
struct group_input {
  std::string path;                             ///< the file as given ("" for text)
  std::optional<terraform_document> terraform;  ///< set iff the file is a Terraform document
  std::vector<security_group> groups;           ///< an API export's groups (empty for Terraform)

  /// True iff the file is a Terraform document.
  bool is_terraform() const { return terraform.has_value(); }
};

/// One group an analysis can read from a group_input.
struct input_group {
  /// The Terraform address ("module.net.scaleway_instance_security_group.bastion[0]"); "" for a
  /// group of an API export.
  std::string address;
  /// The group when every value deciding traffic is known; nullopt when some is unknown.
  std::optional<security_group> group;
  /// Terraform groups: the group as the document describes it, unknown values included.
  std::optional<partial_group> partial;
  /// The values deciding traffic that are unknown (decision_unknowns()); empty iff `group`.
  std::vector<std::string> unknown;
  /// Terraform groups: the index of the group in terraform_document::groups.
  std::size_t terraform_index = 0;

  /// The group's name (known or not, for messages and selection).
  const std::string& name() const { return group ? group->name : partial->group.name; }
  /// The group's id ("" when not known yet).
  const std::string& id() const { return group ? group->id : partial->group.id; }
};

/// Returns the paths of the values of `p` that decide traffic and are unknown, in order: the
/// group's own fields under `address` ("ADDRESS.stateful", "ADDRESS.inbound_rule" for a rule
/// list unknown as a whole), then each rule's fields under its origin ("ORIGIN.ip_range",
/// "ORIGIN.ports"; the origin alone for a block unknown as a whole). Empty iff p.complete().
inline std::vector<std::string> decision_unknowns(const partial_group& p,
                                                  const std::string& address) {
  std::vector<std::string> out;
  const auto& u = p.unknown;
  auto at = [&](const char* field) { out.push_back(address + "." + field); };
  if (u.inbound_default_policy) at("inbound_default_policy");
  if (u.outbound_default_policy) at("outbound_default_policy");
  if (u.stateful) at("stateful");
  if (u.enable_default_security) at("enable_default_security");
  if (u.inbound_rules) at("inbound_rule");
  if (u.outbound_rules) at("outbound_rule");
  for (const auto& r : p.rules) {
    if (!r.unknown.any()) continue;
    const std::string origin = r.origin.empty() ? address : r.origin;
    if (r.unknown == unknown_rule_fields::all()) {
      out.push_back(origin);
      continue;
    }
    if (r.unknown.action) out.push_back(origin + ".action");
    if (r.unknown.protocol) out.push_back(origin + ".protocol");
    if (r.unknown.ip_range) out.push_back(origin + ".ip_range");
    if (r.unknown.ports) out.push_back(origin + ".ports");
  }
  return out;
}

/// Returns "A, B and C".
inline std::string joined_list(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t k = 0; k < items.size(); ++k)
    out += (k == 0 ? "" : k + 1 == items.size() ? " and " : ", ") + items[k];
  return out;
}

/// Reads a parsed JSON document as a group file named `path` (see the file comment). Errors
/// name `path` first, as load_groups() and load_terraform() do; an object with the keys of
/// neither kind throws parse_error secgroup.parse.109 naming both.
inline group_input read_group_input(const json& doc, const std::string& path = "") {
  group_input in;
  in.path = path;
  if (doc.is_object() && !looks_like_terraform(doc) && !doc.contains("security_group") &&
      !doc.contains("security_groups") && !detail::json_io::looks_like_group(doc))
    SECGROUP_THROW(parse_error(
        errc::bad_file, path,
        "expected an API export of security groups ({\"security_group\": {...}, \"rules\": "
        "[...]}, a group object, {\"security_groups\": [...]} or an array of these) or a "
        "Terraform document (`terraform show -json` of a plan or of state, or a "
        "terraform.tfstate file); found none of their keys"));
  if (looks_like_terraform(doc))
    in.terraform = detail::json_io::from_source(path, [&] { return read_terraform(doc); });
  else
    in.groups = detail::json_io::from_source(path, [&] { return groups_from_json(doc); });
  return in;
}

/// \cond
namespace detail::json_io {
/// parse_group_input() on one thread, every document through parse_json(): an export's list
/// of groups is read while it is parsed (io/json.hpp, group_list_reader), one group's JSON in
/// memory at a time. The reading the faster paths are tested against.
inline group_input parse_group_input_serially(std::string_view text, const std::string& path) {
  group_list_reader reader;
  const json doc = parse_json(text, path, false, reader.callback());
  if (!reader.streamed() || looks_like_terraform(doc)) return read_group_input(doc, path);
  group_input in;
  in.path = path;
  in.groups = from_source(path, [&] { return reader.finish(doc); });
  return in;
}
}  // namespace detail::json_io
/// \endcond

/// Parses JSON text (parse_json()) and reads it as a group file named `path`. A
/// `{"security_groups": [...]}` export is split into its groups and each is read on its own,
/// on `jobs` threads (io/group_list_split.hpp), most without building a JSON value
/// (io/plain_group.hpp); any other document, or one the split is unsure of, is read by
/// detail::json_io::parse_group_input_serially(). Every path gives the same result and errors.
inline group_input parse_group_input(std::string_view text, const std::string& path = "",
                                     unsigned jobs = 1) {
  if (auto groups = detail::json_io::read_group_list(text, path, jobs)) {
    group_input in;
    in.path = path;
    in.groups = std::move(*groups);
    return in;
  }
  return detail::json_io::parse_group_input_serially(text, path);
}

/// Reads the group file at `path`, of at most `max_size` bytes (io/read.hpp).
inline group_input load_group_input(const std::filesystem::path& path,
                                    std::size_t max_size = default_max_input_size) {
  return parse_group_input(read_text_file(path, max_size), path.string());
}

/// Returns `g` (of a Terraform document) as an input_group with index `index`.
inline input_group make_input_group(const terraform_group& g, std::size_t index) {
  input_group out;
  out.address = g.address;
  out.partial = *g.after;
  out.group = g.after->known();
  out.unknown = decision_unknowns(*g.after, g.address);
  out.terraform_index = index;
  return out;
}

/// The groups an analysis reads from `in`: an export's groups; a Terraform document's groups
/// after the change (or as recorded), in document order, without those the plan destroys or
/// forgets.
inline std::vector<input_group> input_groups(const group_input& in) {
  std::vector<input_group> out;
  if (!in.terraform) {
    for (const auto& g : in.groups) out.push_back({"", g, std::nullopt, {}, 0});
    return out;
  }
  const auto& groups = in.terraform->groups;
  for (std::size_t i = 0; i < groups.size(); ++i)
    if (groups[i].after) out.push_back(make_input_group(groups[i], i));
  return out;
}

/// The Terraform groups of `in` that input_groups() skips: those a plan destroys or forgets.
inline std::vector<const terraform_group*> skipped_groups(const group_input& in) {
  std::vector<const terraform_group*> out;
  if (in.terraform)
    for (const auto& g : in.terraform->groups)
      if (!g.after) out.push_back(&g);
  return out;
}

/// Returns the Terraform group of `groups` whose address is `key`, else the one whose id is
/// `key`, else the one whose name is `key`; nullptr when none. Throws lookup_error
/// secgroup.lookup.302 naming `field` when several share that name.
inline const terraform_group* find_terraform_group(const std::vector<terraform_group>& groups,
                                                   std::string_view key, const std::string& field) {
  auto id_of = [](const terraform_group& g) -> const std::string& {
    return g.after ? g.after->group.id : g.before->group.id;
  };
  auto name_of = [](const terraform_group& g) -> const std::string& {
    return g.after ? g.after->group.name : g.before->group.name;
  };
  for (const auto& g : groups)
    if (g.address == key) return &g;
  for (const auto& g : groups)
    if (!id_of(g).empty() && id_of(g) == key) return &g;
  const terraform_group* found = nullptr;
  for (const auto& g : groups) {
    if (name_of(g).empty() || name_of(g) != key) continue;
    if (found)
      SECGROUP_THROW(lookup_error(errc::ambiguous, field,
                                  "several groups are named " + detail::quoted(key) + " (" +
                                      found->address + ", " + g.address +
                                      "); select one by its Terraform address"));
    found = &g;
  }
  return found;
}

/// The addresses of `groups` for messages, as detail::name_list() writes them; "none" for none.
inline std::string terraform_addresses(const std::vector<terraform_group>& groups) {
  std::vector<std::string> list;
  for (const auto& g : groups) list.push_back(g.address);
  return list.empty() ? std::string("none") : detail::name_list(list);
}

/// Returns the group of `in` that `key` selects, or without a key its only group, as every
/// front end chooses one. API exports: exactly pick_group() (errors naming `field`, `source`,
/// `holder` and `how_to_choose`). Terraform documents: by address, id or name
/// (find_terraform_group()); a group the plan destroys or forgets cannot be chosen
/// (lookup_error secgroup.lookup.301); without a key, the document must hold exactly one group
/// after the change (secgroup.lookup.302 listing the addresses otherwise). The group returned
/// may hold unknown values (input_group::group empty): the caller decides what it can answer.
inline input_group pick_input_group(const group_input& in, const std::optional<std::string>& key,
                                    const std::string& field, const std::string& source,
                                    std::string_view holder, std::string_view how_to_choose) {
  if (!in.terraform)
    return {
        "", pick_group(in.groups, key, field, source, holder, how_to_choose), std::nullopt, {}, 0};
  const auto& groups = in.terraform->groups;
  if (groups.empty())
    SECGROUP_THROW(
        parse_error(errc::bad_file, source, std::string(holder) + " holds no security group"));
  if (key) {
    const terraform_group* g = find_terraform_group(groups, *key, field);
    if (!g)
      SECGROUP_THROW(lookup_error(errc::not_found, field,
                                  "no group has address, id or name " + detail::quoted(*key) +
                                      " (groups: " + terraform_addresses(groups) + ")"));
    if (!g->after)
      SECGROUP_THROW(lookup_error(
          errc::not_found, field,
          g->address + " is " +
              std::string(g->change == terraform_change::forget ? "forgotten" : "destroyed") +
              " by the plan: there is no group after the change"));
    return make_input_group(*g, static_cast<std::size_t>(g - groups.data()));
  }
  auto candidates = input_groups(in);
  if (candidates.size() != 1) {
    std::vector<std::string> names;
    for (const auto& c : candidates) names.push_back(c.address);
    SECGROUP_THROW(lookup_error(
        errc::ambiguous, source,
        candidates.empty()
            ? std::string(holder) + " holds no security group after the change (every group is "
                                    "destroyed or forgotten by the plan)"
            : std::string(holder) + " holds " + std::to_string(candidates.size()) + " groups; " +
                  std::string(how_to_choose) + " (" + detail::name_list(names) + ")"));
  }
  return candidates.front();
}

/// "unknown until apply: A, B" for a group whose values `g.unknown` are unknown.
inline std::string unknown_text(const input_group& g) {
  return "unknown until apply: " + joined_list(g.unknown);
}

SECGROUP_END_NAMESPACE
