// secgroup/io/terraform.hpp: security groups read from Terraform plans and state.
//
// Reads three documents: `terraform show -json` of a plan (format_version 1.x: the
// `resource_changes` with `before`, `after` and `after_unknown`, plus the `configuration` for
// references), `terraform show -json` of state (format_version 1.x: `values.root_module` and its
// `child_modules`), and the raw state file (`terraform.tfstate`, version 4). Of their resources
// it reads the managed `scaleway_instance_security_group` and
// `scaleway_instance_security_group_rules` instances, in every module, with `count` and
// `for_each` addresses; everything else is skipped, as are deposed objects and data sources.
//
// Each group is built as the provider would send it to the API (io/terraform_provider.hpp):
// its own rule blocks, or, with `external_rules = true`, those of the one rules resource whose
// `security_group_id` is the group's id (in a plan where that id is not known yet: whose
// configuration refers to the group, directly or through module outputs and variables). What
// cannot be determined is unknown, never guessed: values unknown at plan time, rules managed
// outside the document, a rules resource whose group cannot be told, two resources writing
// the same group's rules. A rules resource whose group is not in the document yields a group
// of which only the rules are known (in_document false).
//
// Each terraform_group names its Terraform address, module, the module's directory (from the
// configuration's module sources) and, after locate_terraform_sources(), the .tf file and
// line of its resource block.
//
// Errors: parse_error secgroup.parse.111 when the JSON is no Terraform document,
// secgroup.parse.112 for an unsupported format_version major or state version,
// secgroup.parse.113 for a resource entry of unknown shape, and the model's parse and
// validation errors for attribute values; each names the resource address and the attribute
// path ("plan.json: module.net.scaleway_instance_security_group.web.inbound_rule[0].port").
// A document is read whole or not at all. See docs/terraform.md.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../error.hpp"
#include "../partial_group.hpp"
#include "../security_group.hpp"
#include "json.hpp"
#include "terraform_config.hpp"
#include "terraform_provider.hpp"

SECGROUP_BEGIN_NAMESPACE

// -- Types ----------------------------------------------------------------------------------

/// The kind of document read.
enum class terraform_format : std::uint8_t {
  plan,       ///< terraform show -json <planfile>
  state,      ///< terraform show -json (state)
  raw_state,  ///< terraform.tfstate, version 4
};

constexpr std::string_view to_string(terraform_format f) {
  return f == terraform_format::plan    ? "plan"
         : f == terraform_format::state ? "state"
                                        : "raw state";
}

/// What a plan does to a resource instance.
enum class terraform_change : std::uint8_t {
  none,     ///< a state document: no change
  no_op,    ///< ["no-op"]
  create,   ///< ["create"]
  update,   ///< ["update"]
  replace,  ///< ["delete","create"], ["create","delete"] or ["create","forget"]
  destroy,  ///< ["delete"]
  forget,   ///< ["forget"]: removed from state, left in place
};

constexpr std::string_view to_string(terraform_change c) {
  constexpr std::string_view names[] = {"none",    "no-op",   "create", "update",
                                        "replace", "destroy", "forget"};
  return names[static_cast<std::size_t>(c)];
}

/// A security group as a Terraform document describes it.
struct terraform_group {
  /// The address of the scaleway_instance_security_group instance
  /// ("module.net.scaleway_instance_security_group.web[\"a\"]"); for a group not in the
  /// document, the address of its rules resource.
  std::string address;
  std::string module_address;  ///< "module.net", "module.net[0]"; "" at the root
  std::string name;            ///< the resource name, "web"
  std::string index;           ///< the instance key as written in the address: "[0]", "[\"a\"]", ""
  /// False when only a rules resource of the group is in the document: the group's own
  /// fields (policies, stateful, enable_default_security) are then unknown.
  bool in_document = true;
  /// The scaleway_instance_security_group_rules instances writing the group's rules after the
  /// change (or as recorded).
  std::vector<std::string> rules_addresses;
  /// The module's directory relative to the root module ("." for the root, "modules/net"),
  /// "" when not known (a registry module; child modules of a state document).
  std::string module_dir;
  std::string source_file;      ///< the .tf file of the resource block, once located
  std::size_t source_line = 0;  ///< its 1-based line, 0 when not located
  terraform_change change = terraform_change::none;  ///< plans; none for state documents
  /// Plans: the group before the change; absent when the plan creates it.
  std::optional<partial_group> before;
  /// The group after the change (plans; absent when the plan destroys or forgets it), or as
  /// the state records it.
  std::optional<partial_group> after;
  /// Full attribute paths unknown in `after` until apply, in document order, e.g.
  /// "scaleway_instance_security_group.web.zone",
  /// "scaleway_instance_security_group_rules.web.inbound_rule[1].port".
  std::vector<std::string> unknown;
  /// How the provider treats surprising inputs of this group, and conflicts between resources.
  std::vector<terraform_note> notes;

  friend bool operator==(const terraform_group&, const terraform_group&) = default;
};

/// The groups of one Terraform document.
struct terraform_document {
  terraform_format format = terraform_format::plan;
  std::string format_version;     ///< "1.2"; the state version ("4") for a raw state
  std::string terraform_version;  ///< "1.13.2", "" when absent
  std::vector<terraform_group>
      groups;  ///< groups in document order, then groups known only by their rules
  /// Remarks on the document: deferred resources, rules resources whose group cannot be told.
  std::vector<terraform_note> notes;

  friend bool operator==(const terraform_document&, const terraform_document&) = default;
};

/// \cond
namespace detail::terraform {

inline constexpr std::string_view sg_type = "scaleway_instance_security_group";
inline constexpr std::string_view rules_type = "scaleway_instance_security_group_rules";

// -- Errors ---------------------------------------------------------------------------------

[[noreturn]] inline void bad_resource(const std::string& field, const std::string& message) {
  SECGROUP_THROW(parse_error(errc::bad_resource, field, message));
}

/// Runs `fn`, prefixing `address` to the field of its errors ("address.inbound_rule[0]") and
/// `context` to their message.
template <class Fn>
decltype(auto) in_resource(const std::string& address, const std::string& context, Fn&& fn) {
  auto join = [&](const error& e) {
    return e.field().empty() ? address
                             : address + (e.field().front() == '[' ? "" : ".") + e.field();
  };
  try {
    return std::forward<Fn>(fn)();
  } catch (const parse_error& e) {
    SECGROUP_THROW(parse_error(e.id(), join(e), context + e.message()));
  } catch (const validation_error& e) {
    SECGROUP_THROW(validation_error(e.id(), join(e), context + e.message()));
  } catch (const lookup_error& e) {
    SECGROUP_THROW(lookup_error(e.id(), join(e), context + e.message()));
  }
}

// -- Instances ------------------------------------------------------------------------------

/// One resource instance of a type this reader knows, whatever the document.
struct instance {
  std::string address, module_address, type, name, index;
  terraform_change change = terraform_change::none;
  const json* before = nullptr;         ///< plans: change.before (null when absent)
  const json* after = nullptr;          ///< plans: change.after; state: values / attributes
  const json* after_unknown = nullptr;  ///< plans: change.after_unknown
  bool deferred = false;                ///< listed in deferred_changes

  bool is_group() const { return type == sg_type; }
};

inline std::string string_member(const json& obj, const char* key, const std::string& where,
                                 bool required) {
  auto* v = json_io::find(obj, key);
  if (!v) {
    if (required) bad_resource(join_path(where, key), "required key is missing or null");
    return {};
  }
  if (!v->is_string()) json_io::wrong_type(join_path(where, key), "a string", *v);
  return v->get<std::string>();
}

/// The instance key `[0]` / `["a"]` of an `index` / `index_key` value, "" when null.
inline std::string index_text(const json* index, const std::string& field) {
  if (!index) return {};
  if (index->is_number_integer() || index->is_string()) return "[" + index->dump() + "]";
  json_io::wrong_type(field, "an integer or a string", *index);
}

inline bool known_type(const std::string& type) { return type == sg_type || type == rules_type; }

/// Checks a `schema_version` of a known type: the provider's schemas are at version 0.
inline void check_schema_version(const json& obj, const std::string& type,
                                 const std::string& where) {
  auto* v = json_io::find(obj, "schema_version");
  if (!v) return;
  json_io::expect_integer(*v, join_path(where, "schema_version"));
  if (v->get<std::int64_t>() != 0)
    bad_resource(join_path(where, "schema_version"),
                 "schema version " + v->dump() + " of " + type +
                     " is not known to this reader (it knows version 0): its attributes may "
                     "mean something else");
}

inline terraform_change parse_actions(const json* actions, const std::string& field) {
  if (!actions) bad_resource(field, "required key is missing or null");
  if (!actions->is_array()) json_io::wrong_type(field, "an array of strings", *actions);
  std::vector<std::string> a;
  for (std::size_t i = 0; i < actions->size(); ++i) {
    if (!(*actions)[i].is_string())
      json_io::wrong_type(json_io::indexed(field, i), "a string", (*actions)[i]);
    a.push_back((*actions)[i].get<std::string>());
  }
  auto is = [&](std::initializer_list<std::string_view> want) {
    return std::equal(a.begin(), a.end(), want.begin(), want.end());
  };
  if (is({"no-op"})) return terraform_change::no_op;
  if (is({"create"})) return terraform_change::create;
  if (is({"update"})) return terraform_change::update;
  if (is({"delete", "create"}) || is({"create", "delete"}) || is({"create", "forget"}))
    return terraform_change::replace;
  if (is({"delete"})) return terraform_change::destroy;
  if (is({"forget"})) return terraform_change::forget;
  std::string text;
  for (const auto& s : a) text += (text.empty() ? "" : ", ") + s;
  bad_resource(field, "unknown actions [" + text + "] for a managed resource");
}

/// Calls `fn(entry, field, module_address)` for every managed resource entry of a known type
/// (its schema_version checked) in the values representation of module `module`, at JSON path
/// `where`, and in its child_modules, recursively.
template <class Fn>
void for_each_resource(const json& module, const std::string& where,
                       const std::string& module_address, Fn&& fn) {
  if (!module.is_object()) json_io::wrong_type(where, "an object", module);
  if (auto* resources = json_io::find(module, "resources")) {
    if (!resources->is_array())
      json_io::wrong_type(join_path(where, "resources"), "an array", *resources);
    for (std::size_t i = 0; i < resources->size(); ++i) {
      const json& r = (*resources)[i];
      const std::string at = json_io::indexed(join_path(where, "resources"), i);
      if (!r.is_object()) json_io::wrong_type(at, "an object", r);
      const std::string mode = string_member(r, "mode", at, false);
      const std::string type = string_member(r, "type", at, true);
      if ((!mode.empty() && mode != "managed") || !known_type(type)) continue;
      check_schema_version(r, type, at);
      fn(r, at, module_address);
    }
  }
  if (auto* children = json_io::find(module, "child_modules")) {
    if (!children->is_array())
      json_io::wrong_type(join_path(where, "child_modules"), "an array", *children);
    for (std::size_t i = 0; i < children->size(); ++i) {
      const std::string at = json_io::indexed(join_path(where, "child_modules"), i);
      const json& child = (*children)[i];
      if (!child.is_object()) json_io::wrong_type(at, "an object", child);
      for_each_resource(child, at, string_member(child, "address", at, true), fn);
    }
  }
}

/// Reads resource_changes (and checks planned_values against it) into instances.
inline std::vector<instance> plan_instances(const json& doc, std::vector<terraform_note>& notes) {
  std::vector<instance> out;
  auto read_change = [&](const json& rc, const std::string& where, bool deferred) {
    if (!rc.is_object()) json_io::wrong_type(where, "an object", rc);
    const std::string mode = string_member(rc, "mode", where, false);
    const std::string type = string_member(rc, "type", where, true);
    if ((!mode.empty() && mode != "managed") || !known_type(type)) return;
    if (json_io::find(rc, "deposed"))
      return;  // an old object of a create_before_destroy replacement
    instance in;
    in.type = type;
    in.address = string_member(rc, "address", where, true);
    in.name = string_member(rc, "name", where, true);
    in.module_address = string_member(rc, "module_address", where, false);
    in.index = index_text(json_io::find(rc, "index"), join_path(where, "index"));
    in.deferred = deferred;
    auto* change = json_io::find(rc, "change");
    if (!change) bad_resource(join_path(where, "change"), "required key is missing or null");
    if (!change->is_object()) json_io::wrong_type(join_path(where, "change"), "an object", *change);
    in.change =
        parse_actions(json_io::find(*change, "actions"), join_path(where, "change.actions"));
    in.before = json_io::find(*change, "before");
    in.after = json_io::find(*change, "after");
    in.after_unknown = json_io::find(*change, "after_unknown");
    const bool has_after =
        in.change != terraform_change::destroy && in.change != terraform_change::forget;
    const bool has_before = in.change != terraform_change::create;
    if (has_after && !in.after)
      bad_resource(join_path(where, "change.after"),
                   "missing for action " + std::string(to_string(in.change)));
    if (has_before && !in.before)
      bad_resource(join_path(where, "change.before"),
                   "missing for action " + std::string(to_string(in.change)));
    if (!has_after) in.after = in.after_unknown = nullptr;
    if (!has_before) in.before = nullptr;
    for (const json* v : {in.before, in.after})
      if (v && !v->is_object())
        json_io::wrong_type(join_path(where, v == in.before ? "change.before" : "change.after"),
                            "an object", *v);
    out.push_back(std::move(in));
  };
  if (auto* changes = json_io::find(doc, "resource_changes")) {
    if (!changes->is_array()) json_io::wrong_type("resource_changes", "an array", *changes);
    for (std::size_t i = 0; i < changes->size(); ++i)
      read_change((*changes)[i], json_io::indexed("resource_changes", i), false);
  }
  if (auto* deferred = json_io::find(doc, "deferred_changes")) {
    if (!deferred->is_array()) json_io::wrong_type("deferred_changes", "an array", *deferred);
    for (std::size_t i = 0; i < deferred->size(); ++i) {
      const std::string where = json_io::indexed("deferred_changes", i);
      const json& d = (*deferred)[i];
      if (!d.is_object()) json_io::wrong_type(where, "an object", d);
      auto* rc = json_io::find(d, "resource_change");
      if (!rc) bad_resource(join_path(where, "resource_change"), "required key is missing or null");
      const auto before = out.size();
      read_change(*rc, join_path(where, "resource_change"), true);
      if (out.size() > before)
        notes.push_back({out.back().address, "deferred to a later plan (" +
                                                 string_member(d, "reason", where, false) +
                                                 "): this apply does not change it"});
    }
  }
  // planned_values must not hold an instance resource_changes lacks: its unknowns would be
  // indistinguishable from nulls.
  std::vector<std::string> planned;
  if (auto* pv = json_io::find(doc, "planned_values")) {
    if (!pv->is_object()) json_io::wrong_type("planned_values", "an object", *pv);
    if (auto* root = json_io::find(*pv, "root_module"))
      for_each_resource(*root, "planned_values.root_module", "",
                        [&](const json& r, const std::string& at, const std::string&) {
                          planned.push_back(string_member(r, "address", at, true));
                        });
  }
  for (const auto& address : planned)
    if (std::none_of(out.begin(), out.end(),
                     [&](const instance& in) { return in.address == address; }))
      bad_resource(address,
                   "in planned_values but not in resource_changes: its unknown values "
                   "cannot be told from nulls");
  return out;
}

/// Reads values.root_module of a state document into instances.
inline std::vector<instance> state_instances(const json& doc) {
  std::vector<instance> out;
  auto add = [&](const json& r, const std::string& at, const std::string& module_address) {
    if (json_io::find(r, "deposed_key")) return;
    instance in;
    in.type = string_member(r, "type", at, true);
    in.address = string_member(r, "address", at, true);
    in.name = string_member(r, "name", at, true);
    in.module_address = module_address;
    in.index = index_text(json_io::find(r, "index"), join_path(at, "index"));
    in.after = json_io::find(r, "values");
    if (!in.after) bad_resource(join_path(at, "values"), "required key is missing or null");
    if (!in.after->is_object())
      json_io::wrong_type(join_path(at, "values"), "an object", *in.after);
    out.push_back(std::move(in));
  };
  if (auto* values = json_io::find(doc, "values")) {
    if (!values->is_object()) json_io::wrong_type("values", "an object", *values);
    if (auto* root = json_io::find(*values, "root_module"))
      for_each_resource(*root, "values.root_module", "", add);
  }
  return out;
}

/// Reads the resources of a raw state file (version 4) into instances.
inline std::vector<instance> raw_state_instances(const json& doc) {
  std::vector<instance> out;
  auto* resources = json_io::find(doc, "resources");
  if (!resources) return out;
  if (!resources->is_array()) json_io::wrong_type("resources", "an array", *resources);
  for (std::size_t i = 0; i < resources->size(); ++i) {
    const json& r = (*resources)[i];
    const std::string at = json_io::indexed("resources", i);
    if (!r.is_object()) json_io::wrong_type(at, "an object", r);
    const std::string mode = string_member(r, "mode", at, true);
    const std::string type = string_member(r, "type", at, true);
    if (mode != "managed" || !known_type(type)) continue;
    const std::string name = string_member(r, "name", at, true);
    const std::string module = string_member(r, "module", at, false);
    auto* instances = json_io::find(r, "instances");
    if (!instances) bad_resource(join_path(at, "instances"), "required key is missing or null");
    if (!instances->is_array())
      json_io::wrong_type(join_path(at, "instances"), "an array", *instances);
    for (std::size_t k = 0; k < instances->size(); ++k) {
      const json& o = (*instances)[k];
      const std::string oat = json_io::indexed(join_path(at, "instances"), k);
      if (!o.is_object()) json_io::wrong_type(oat, "an object", o);
      if (json_io::find(o, "deposed")) continue;
      check_schema_version(o, type, oat);
      instance in;
      in.type = type;
      in.name = name;
      in.module_address = module;
      in.index = index_text(json_io::find(o, "index_key"), join_path(oat, "index_key"));
      in.address = (module.empty() ? "" : module + ".") + type + "." + name + in.index;
      in.after = json_io::find(o, "attributes");
      if (!in.after)
        bad_resource(join_path(oat, "attributes"),
                     json_io::find(o, "attributes_flat")
                         ? "only attributes_flat (a state written before Terraform 0.12) is "
                           "present: upgrade the state with a current Terraform"
                         : "required key is missing or null");
      if (!in.after->is_object())
        json_io::wrong_type(join_path(oat, "attributes"), "an object", *in.after);
      out.push_back(std::move(in));
    }
  }
  return out;
}

// -- Groups ---------------------------------------------------------------------------------

/// Appends the full path of every unknown leaf of `mirror` under `path`.
inline void unknown_paths(const json* mirror, const std::string& path,
                          std::vector<std::string>& out) {
  if (!mirror) return;
  if (mirror->is_boolean()) {
    if (mirror->get<bool>()) out.push_back(path);
  } else if (mirror->is_object()) {
    for (auto it = mirror->begin(); it != mirror->end(); ++it)
      unknown_paths(&*it, path + "." + it.key(), out);
  } else if (mirror->is_array()) {
    for (std::size_t i = 0; i < mirror->size(); ++i)
      unknown_paths(&(*mirror)[i], json_io::indexed(path, i), out);
  }
}

/// Numbers the rules 1..N as the API does and gives them the group's zone.
inline void finish(partial_group& g) {
  for (std::size_t i = 0; i < g.rules.size(); ++i) {
    g.rules[i].value.position = static_cast<std::uint32_t>(i + 1);
    g.rules[i].value.zone = g.group.zone;
  }
}

/// Marks both rule lists unknown and drops the rules read so far.
inline void rules_unknown(partial_group& g) {
  g.rules.clear();
  g.unknown.inbound_rules = g.unknown.outbound_rules = true;
}

/// One side of the document: the values before the change, or after it (state: as recorded).
enum class side : std::uint8_t { before, after };

inline const json* value_of(const instance& in, side s) {
  return s == side::before ? in.before : in.after;
}

inline tf_value tf_of(const instance& in, side s) {
  return s == side::before ? tf_value{in.before, nullptr} : tf_value{in.after, in.after_unknown};
}

/// The `security_group_id` of a rules instance on side `s`, "" when unknown.
inline std::string target_id(const instance& r, side s) {
  auto v = tf_of(r, s);
  if (!v.value) return {};
  return in_resource(r.address, s == side::before ? "before the change: " : "", [&] {
    return string_of(v.at("security_group_id"), "security_group_id").value_or("");
  });
}

/// Builds every group of a document from its instances.
class builder {
 public:
  builder(const std::vector<instance>& instances, terraform_format format,
          const json* configuration)
      : instances_(instances), format_(format), resolver_(configuration, groups(instances)) {}

  void build(terraform_document& doc) {
    // Group fields per side, read once.
    for (std::size_t i = 0; i < instances_.size(); ++i) {
      const auto& in = instances_[i];
      if (!in.is_group() || in.deferred) continue;
      for (side s : {side::before, side::after}) {
        if (!value_of(in, s)) continue;
        fields_[{i, s}] =
            in_resource(in.address, context(s), [&] { return expand_group_fields(tf_of(in, s)); });
      }
    }
    link(side::before);
    link(side::after, &doc.notes);
    for (std::size_t i = 0; i < instances_.size(); ++i) {
      const auto& in = instances_[i];
      if (!in.is_group() || in.deferred) continue;
      terraform_group g = header(in);
      g.in_document = true;
      g.module_dir = format_ == terraform_format::plan ? resolver_.module_dir(in.module_address)
                     : in.module_address.empty()       ? "."
                                                       : "";
      for (side s : {side::before, side::after}) {
        if (!value_of(in, s)) continue;
        auto group = group_side(i, s, g);
        (s == side::before ? g.before : g.after) = std::move(group);
      }
      doc.groups.push_back(std::move(g));
    }
    orphans(doc);
  }

 private:
  using key = std::pair<std::size_t, side>;

  static std::vector<group_instance> groups(const std::vector<instance>& instances) {
    std::vector<group_instance> out;
    for (const auto& in : instances)
      if (in.is_group()) out.push_back({in.address, in.module_address, in.name});
    return out;
  }

  static std::string context(side s) { return s == side::before ? "before the change: " : ""; }

  bool planned(side s) const { return format_ == terraform_format::plan && s == side::after; }

  terraform_group header(const instance& in) const {
    terraform_group g;
    g.address = in.address;
    g.module_address = in.module_address;
    g.name = in.name;
    g.index = in.index;
    g.change = in.change;
    return g;
  }

  /// Links every rules instance of side `s` to its group: targets_[{rules index, s}].
  void link(side s, std::vector<terraform_note>* notes = nullptr) {
    for (std::size_t r = 0; r < instances_.size(); ++r) {
      const auto& in = instances_[r];
      if (in.is_group() || !value_of(in, s)) continue;
      if (in.deferred) {
        undetermined_[s] = true;
        continue;
      }
      const std::string id = target_id(in, s);
      std::optional<std::size_t> target;
      if (!id.empty()) {
        for (const auto& [k, f] : fields_)
          if (k.second == s && f.zoned_id == id) target = k.first;
        if (!target) outside_[{r, s}] = id;
      } else if (planned(s)) {
        if (auto address = resolver_.group_of_rules(in.module_address, in.name))
          for (std::size_t i = 0; i < instances_.size(); ++i)
            if (instances_[i].is_group() && instances_[i].address == *address) target = i;
        if (!target) {
          undetermined_[s] = true;
          if (notes)
            notes->push_back({in.address + ".security_group_id",
                              "not known until apply, and the configuration does not determine "
                              "which group it is: the rules of every group with external_rules "
                              "are unknown"});
        }
      } else {
        SECGROUP_THROW(parse_error(errc::missing_field, in.address + ".security_group_id",
                                   context(s) + "required attribute is missing or null"));
      }
      if (target) targets_[{*target, s}].push_back(r);
    }
  }

  /// The group instance `i` on side `s`, with its rules.
  partial_group group_side(std::size_t i, side s, terraform_group& g) {
    const auto& in = instances_[i];
    const auto& f = fields_.at({i, s});
    partial_group out = f.group;
    const auto v = tf_of(in, s);
    const std::string ctx = context(s);
    std::vector<terraform_note> notes;
    const auto& rules = targets_[{i, s}];
    auto rule_names = [&] {
      std::string names;
      for (auto r : rules) names += (names.empty() ? "" : ", ") + instances_[r].address;
      return names;
    };
    if (s == side::after) {
      for (auto r : rules) g.rules_addresses.push_back(instances_[r].address);
      unknown_paths(in.after_unknown, in.address, g.unknown);
    }
    if (!f.external_rules) {
      rules_unknown(out);  // inline rules or a rules resource: which one is not known
    } else if (!*f.external_rules) {
      in_resource(in.address, ctx, [&] { expand_rule_lists(v, in.address, out, notes); });
      if (!rules.empty()) {
        notes.push_back({in.address + ".external_rules",
                         "false, yet " + rule_names() +
                             " also writes this group's rules: each resource replaces the "
                             "other's rules on apply"});
        if (planned(s)) rules_unknown(out);
      }
    } else {
      if (rule_block_count(v) != 0)
        bad_resource(in.address + ".inbound_rule",
                     ctx +
                         "external_rules is true, yet the group has rule blocks: the "
                         "provider rejects this configuration");
      if (undetermined_[s]) {
        notes.push_back({in.address,
                         "a rules resource whose group is not known until apply may write "
                         "this group's rules (see the document's notes)"});
        rules_unknown(out);
      } else if (rules.size() == 1) {
        const auto& r = instances_[rules[0]];
        in_resource(r.address, ctx, [&] { expand_rule_lists(tf_of(r, s), r.address, out, notes); });
        if (s == side::after) unknown_paths(r.after_unknown, r.address, g.unknown);
      } else if (rules.size() > 1) {
        notes.push_back({in.address, "its rules are written by several resources (" + rule_names() +
                                         "): each replaces the others' rules on apply"});
        rules_unknown(out);
      } else if (planned(s) && (in.change == terraform_change::create ||
                                in.change == terraform_change::replace)) {
        notes.push_back({in.address,
                         "created with external_rules and no rules resource: it "
                         "has no user rules"});
      } else if (planned(s) && destroyed_rules_of(i)) {
        notes.push_back({in.address,
                         "its rules resource is destroyed, which clears every "
                         "user rule"});
      } else {
        notes.push_back({in.address,
                         "external_rules is true and no rules resource in this "
                         "document writes its rules: they are managed elsewhere"});
        rules_unknown(out);
      }
    }
    // Create ends after the POST when external_rules is true, and the Go SDK omits
    // `stateful: false` from that POST: the API's default applies until an update sends it.
    if (planned(s) && f.external_rules.value_or(false) && !out.unknown.stateful &&
        !out.group.stateful &&
        (in.change == terraform_change::create || in.change == terraform_change::replace)) {
      out.unknown.stateful = true;
      notes.push_back({in.address + ".stateful",
                       "false, but with external_rules the provider creates the group in one "
                       "call that omits stateful = false: the API's default applies until the "
                       "next apply updates it"});
    }
    finish(out);
    if (s == side::after) g.notes.insert(g.notes.end(), notes.begin(), notes.end());
    return out;
  }

  /// True iff a rules instance destroyed by the plan wrote the rules of group instance `i`.
  bool destroyed_rules_of(std::size_t i) const {
    auto it = fields_.find({i, side::before});
    if (it == fields_.end() || it->second.zoned_id.empty()) return false;
    for (const auto& in : instances_)
      if (!in.is_group() && in.change == terraform_change::destroy &&
          target_id(in, side::before) == it->second.zoned_id)
        return true;
    return false;
  }

  /// Groups known only by their rules resource (its group is not in the document).
  void orphans(terraform_document& doc) {
    std::vector<std::size_t> seen;
    for (const auto& [k, id] : outside_) {
      if (std::find(seen.begin(), seen.end(), k.first) != seen.end()) continue;
      seen.push_back(k.first);
    }
    std::sort(seen.begin(), seen.end());
    for (auto r : seen) {
      const auto& in = instances_[r];
      terraform_group g = header(in);
      g.in_document = false;
      g.rules_addresses.push_back(in.address);
      g.module_dir = format_ == terraform_format::plan ? resolver_.module_dir(in.module_address)
                     : in.module_address.empty()       ? "."
                                                       : "";
      for (side s : {side::before, side::after}) {
        auto it = outside_.find({r, s});
        if (it == outside_.end()) continue;
        partial_group p;
        p.group.zone.clear();
        auto slash = it->second.find('/');
        p.group.id = slash == std::string::npos ? it->second : it->second.substr(slash + 1);
        if (slash != std::string::npos) p.group.zone = it->second.substr(0, slash);
        p.unknown.inbound_default_policy = p.unknown.outbound_default_policy = true;
        p.unknown.stateful = p.unknown.enable_default_security = true;
        std::vector<terraform_note> notes;
        in_resource(in.address, context(s),
                    [&] { expand_rule_lists(tf_of(in, s), in.address, p, notes); });
        finish(p);
        if (s == side::after) {
          unknown_paths(in.after_unknown, in.address, g.unknown);
          notes.push_back({in.address + ".security_group_id",
                           "the group " + it->second +
                               " is not in this document: its policies, stateful and "
                               "enable_default_security are unknown"});
          g.notes.insert(g.notes.end(), notes.begin(), notes.end());
        }
        (s == side::before ? g.before : g.after) = std::move(p);
      }
      doc.groups.push_back(std::move(g));
    }
  }

  const std::vector<instance>& instances_;
  terraform_format format_;
  config_resolver resolver_;
  std::map<key, group_fields> fields_;
  std::map<key, std::vector<std::size_t>> targets_;
  std::map<key, std::string> outside_;  ///< rules instances whose group is not in the document
  std::map<side, bool> undetermined_;
};

// -- Documents ------------------------------------------------------------------------------

inline constexpr const char* accepted_forms =
    "expected a Terraform document: `terraform show -json` of a plan or of state "
    "(format_version 1.x), or a terraform.tfstate file (version 4)";

inline bool plan_keys(const json& doc) {
  for (const char* k : {"planned_values", "resource_changes", "configuration", "prior_state",
                        "resource_drift", "output_changes", "variables", "relevant_attributes",
                        "deferred_changes", "applyable", "complete", "errored"})
    if (doc.contains(k)) return true;
  return false;
}

inline terraform_document read(const json& doc) {
  if (!doc.is_object())
    SECGROUP_THROW(parse_error(errc::not_terraform, "",
                               std::string(accepted_forms) + ", got " + doc.type_name()));
  terraform_document out;
  std::vector<instance> instances;
  const json* configuration = nullptr;
  if (doc.contains("format_version")) {
    auto* v = json_io::find(doc, "format_version");
    if (!v || !v->is_string()) json_io::wrong_type("format_version", "a string", v ? *v : json());
    out.format_version = v->get<std::string>();
    if (out.format_version.substr(0, out.format_version.find('.')) != "1")
      SECGROUP_THROW(parse_error(errc::unsupported_version, "format_version",
                                 "format_version " + detail::quoted(out.format_version) +
                                     " is not supported: this reader knows major version 1 "
                                     "(Terraform 0.12 and later)"));
    out.terraform_version = string_member(doc, "terraform_version", "", false);
    if (plan_keys(doc)) {
      out.format = terraform_format::plan;
      if (auto* errored = json_io::find(doc, "errored");
          errored && errored->is_boolean() && errored->get<bool>())
        SECGROUP_THROW(parse_error(errc::bad_file, "errored",
                                   "the plan errored: it is incomplete, and none of it is read"));
      configuration = json_io::find(doc, "configuration");
      if (configuration && !configuration->is_object())
        json_io::wrong_type("configuration", "an object", *configuration);
      instances = plan_instances(doc, out.notes);
    } else {
      out.format = terraform_format::state;
      instances = state_instances(doc);
    }
  } else if (doc.contains("version") && (doc.contains("resources") || doc.contains("lineage"))) {
    out.format = terraform_format::raw_state;
    auto* v = json_io::find(doc, "version");
    if (!v) json_io::wrong_type("version", "an integer", json());
    json_io::expect_integer(*v, "version");
    out.format_version = v->dump();
    if (v->get<std::int64_t>() != 4)
      SECGROUP_THROW(parse_error(errc::unsupported_version, "version",
                                 "state version " + out.format_version +
                                     " is not supported: this reader knows version 4 "
                                     "(Terraform 0.12 and later)"));
    out.terraform_version = string_member(doc, "terraform_version", "", false);
    instances = raw_state_instances(doc);
  } else {
    const bool api = doc.contains("security_group") || doc.contains("security_groups") ||
                     json_io::looks_like_group(doc);
    SECGROUP_THROW(parse_error(
        errc::not_terraform, "",
        std::string(accepted_forms) + (api ? "; this looks like an API export of security groups"
                                           : "; found none of their keys")));
  }
  builder(instances, out.format, configuration).build(out);
  return out;
}

}  // namespace detail::terraform
/// \endcond

// -- Reading --------------------------------------------------------------------------------

/// True iff `doc` has the top-level shape of a Terraform document (format_version, or a state
/// file's version and resources), so a front end can tell it from an API export.
inline bool looks_like_terraform(const json& doc) {
  return doc.is_object() &&
         (doc.contains("format_version") ||
          (doc.contains("version") && (doc.contains("resources") || doc.contains("lineage"))));
}

/// Reads the security groups of a Terraform document (see the file comment). Throws
/// parse_error or validation_error naming the resource address and attribute path.
inline terraform_document read_terraform(const json& doc) { return detail::terraform::read(doc); }

/// Parses JSON text (parse_json()) and reads its groups. Error fields start with `source`
/// ("plan.json: ..."); a syntax error throws parse_error (secgroup.parse.104) with the line and
/// column.
inline terraform_document parse_terraform(std::string_view text, const std::string& source = "") {
  const json doc = parse_json(text, source);
  return detail::json_io::from_source(source, [&] { return read_terraform(doc); });
}

/// Reads the groups of a Terraform JSON file; error fields start with the path as given. A file
/// of more than `max_size` bytes is refused (secgroup.parse.114; see io/read.hpp).
inline terraform_document load_terraform(const std::filesystem::path& path,
                                         std::size_t max_size = default_max_input_size) {
  return parse_terraform(read_text_file(path, max_size), path.string());
}

// -- Sources --------------------------------------------------------------------------------

/// Fills source_file and source_line of every group whose module directory is known, by
/// finding its `resource "<type>" "<name>" {` block in the .tf files of that directory under
/// `root` (the root module's directory). source_file is relative to `root`
/// ("modules/net/main.tf"). Groups whose block is not found keep them empty; unreadable
/// files and files above default_max_input_size are skipped.
inline void locate_terraform_sources(terraform_document& doc, const std::filesystem::path& root) {
  namespace fs = std::filesystem;
  for (auto& g : doc.groups) {
    if (g.module_dir.empty()) continue;
    const std::string type(g.in_document ? detail::terraform::sg_type
                                         : detail::terraform::rules_type);
    const std::string want = "resource \"" + type + "\" \"" + g.name + "\"";
    std::error_code ec;
    std::vector<fs::path> files;
    for (fs::directory_iterator it(root / g.module_dir, ec), end; !ec && it != end;
         it.increment(ec))
      if (it->path().extension() == ".tf") files.push_back(it->path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      std::string content;
      try {
        content = read_text_file(file);
      } catch (const parse_error&) {
        continue;
      }
      std::istringstream in(std::move(content));
      std::string line;
      for (std::size_t n = 1; std::getline(in, line); ++n) {
        // Blanks between the words do not matter: compare with runs of blanks collapsed.
        std::string words;
        for (char c : detail::trim(line)) {
          const bool blank = c == ' ' || c == '\t';
          if (!blank || (!words.empty() && words.back() != ' ')) words += blank ? ' ' : c;
        }
        if (words.rfind(want, 0) != 0) continue;
        auto rest = detail::trim(std::string_view(words).substr(want.size()));
        if (!rest.empty() && rest.front() != '{') continue;
        g.source_file =
            (fs::path(g.module_dir) / file.filename()).lexically_normal().generic_string();
        g.source_line = n;
        break;
      }
      if (g.source_line) break;
    }
  }
}

SECGROUP_END_NAMESPACE
