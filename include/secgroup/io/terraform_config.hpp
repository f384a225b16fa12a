// secgroup/io/terraform_config.hpp: what a plan's `configuration` tells about its resources.
//
// `terraform show -json` of a plan carries the configuration: per module its resources with
// their argument expressions, its module calls (with their `source`) and its outputs. An
// expression that is not a constant lists only the `references` it makes ("x.web[0].id",
// "x.web[0]", "x.web", "count.index"), not the expression itself. Two questions are answered
// from it:
//   - the directory of a module instance: its calls' local `source` paths, joined;
//   - the group a rules resource's `security_group_id` names, when its value is not known yet:
//     a reference to a group resource (with a constant index, or of a single instance),
//     followed through module outputs and module variables. Anything else (a local value, a
//     data source, an index computed from count.index or each.key, two candidate sources) does
//     not determine the group, and the answer is nullopt: never a guess.
// Internal to io/terraform.hpp.
#pragma once

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "json.hpp"

SECGROUP_BEGIN_NAMESPACE

/// \cond
namespace detail::terraform {

/// One step of a reference or address: a name and an optional instance key ("[0]").
struct ref_step {
  std::string name;
  std::string index;
};

/// Splits "module.net[\"a\"].scaleway_instance_security_group.web[0].id" into steps; returns
/// an empty vector when the text is not of that form.
inline std::vector<ref_step> split_reference(std::string_view s) {
  std::vector<ref_step> out;
  std::size_t i = 0;
  while (i < s.size()) {
    ref_step step;
    while (i < s.size() && s[i] != '.' && s[i] != '[') step.name += s[i++];
    if (step.name.empty()) return {};
    if (i < s.size() && s[i] == '[') {
      std::size_t begin = i++;
      bool in_string = false;
      for (; i < s.size(); ++i) {
        if (in_string && s[i] == '\\') {
          ++i;
        } else if (s[i] == '"') {
          in_string = !in_string;
        } else if (!in_string && s[i] == ']') {
          break;
        }
      }
      if (i >= s.size()) return {};
      step.index = std::string(s.substr(begin, ++i - begin));
    }
    out.push_back(std::move(step));
    if (i < s.size()) {
      if (s[i] != '.') return {};
      ++i;
    }
  }
  return out;
}

/// A group instance of the document, as references may name it.
struct group_instance {
  std::string address;         ///< "module.net.scaleway_instance_security_group.web[0]"
  std::string module_address;  ///< "module.net"
  std::string name;            ///< "web"
};

/// The `configuration` of a plan, and the group instances its references may name.
class config_resolver {
 public:
  /// `configuration` may be null (no configuration: nothing is determined).
  config_resolver(const json* configuration, std::vector<group_instance> groups)
      : groups_(std::move(groups)) {
    if (configuration && configuration->is_object())
      root_ = json_io::find(*configuration, "root_module");
  }

  /// The configuration module object of module instance `module_address`, or null.
  const json* module_config(const std::string& module_address) const {
    const json* m = root_;
    auto steps = split_reference(module_address);
    if (!module_address.empty() && steps.empty()) return nullptr;
    for (std::size_t i = 0; m && i < steps.size(); i += 2) {
      if (steps[i].name != "module" || i + 1 >= steps.size()) return nullptr;
      auto* calls = m->is_object() ? json_io::find(*m, "module_calls") : nullptr;
      auto* call =
          calls && calls->is_object() ? json_io::find(*calls, steps[i + 1].name.c_str()) : nullptr;
      m = call && call->is_object() ? json_io::find(*call, "module") : nullptr;
    }
    return m && m->is_object() ? m : nullptr;
  }

  /// The directory of module instance `module_address` relative to the root module: "." for
  /// the root, "" when a module's source is not a local path.
  std::string module_dir(const std::string& module_address) const {
    std::filesystem::path dir = ".";
    const json* m = root_;
    auto steps = split_reference(module_address);
    for (std::size_t i = 0; i + 1 < steps.size(); i += 2) {
      auto* calls = m && m->is_object() ? json_io::find(*m, "module_calls") : nullptr;
      auto* call =
          calls && calls->is_object() ? json_io::find(*calls, steps[i + 1].name.c_str()) : nullptr;
      auto* source = call && call->is_object() ? json_io::find(*call, "source") : nullptr;
      if (!source || !source->is_string()) return {};
      const std::string s = source->get<std::string>();
      if (s.rfind("./", 0) != 0 && s.rfind("../", 0) != 0) return {};
      dir /= s;
      m = json_io::find(*call, "module");
    }
    if (!module_address.empty() && steps.empty()) return {};
    auto out = dir.lexically_normal().generic_string();
    if (out.size() > 1 && out.back() == '/') out.pop_back();
    return out.empty() ? "." : out;
  }

  /// The address of the group instance that the `security_group_id` of the rules resource
  /// `name` in module instance `module_address` refers to, or nullopt when the configuration
  /// does not determine one.
  std::optional<std::string> group_of_rules(const std::string& module_address,
                                            const std::string& name) const {
    const json* m = module_config(module_address);
    auto* resources = m ? json_io::find(*m, "resources") : nullptr;
    if (!resources || !resources->is_array()) return std::nullopt;
    const std::string config_address = "scaleway_instance_security_group_rules." + name;
    for (const auto& res : *resources) {
      if (!res.is_object()) continue;
      auto* a = json_io::find(res, "address");
      if (!a || !a->is_string() || a->get<std::string>() != config_address) continue;
      auto* expressions = json_io::find(res, "expressions");
      auto* e = expressions && expressions->is_object()
                    ? json_io::find(*expressions, "security_group_id")
                    : nullptr;
      if (!e) return std::nullopt;
      return resolve(module_address, *e, 0);
    }
    return std::nullopt;
  }

 private:
  /// The group instance expression `e` (in module instance `module`) evaluates to.
  std::optional<std::string> resolve(const std::string& module, const json& e, int depth) const {
    if (depth > 32 || !e.is_object()) return std::nullopt;
    auto* refs = json_io::find(e, "references");
    if (!refs || !refs->is_array()) return std::nullopt;
    // The value sources named: a group resource, a module output or a variable. References
    // list each traversal and its prefixes ("x.web[0].id", "x.web[0]", "x.web"): keep the
    // most specific per source. count.index and each.* select among instances.
    std::map<std::string, std::vector<ref_step>> sources;
    std::map<std::string, std::string> keys;  // per source: the constant instance key named
    for (const auto& ref : *refs) {
      if (!ref.is_string()) return std::nullopt;
      auto steps = split_reference(ref.get<std::string>());
      if (steps.empty()) return std::nullopt;
      const std::string& head = steps[0].name;
      if (head == "count" || head == "each" || head == "path" || head == "terraform") continue;
      std::string key;
      if (head == group_type && steps.size() >= 2 && steps[0].index.empty()) {
        key = "sg." + steps[1].name;
        steps.resize(2);
      } else if (head == "module" && steps.size() >= 2) {
        key = "module." + steps[1].name + (steps.size() >= 3 ? "." + steps[2].name : "");
        if (steps.size() > 3) steps.resize(3);
      } else if (head == "var" && steps.size() >= 2) {
        key = "var." + steps[1].name;
        steps.resize(2);
      } else {
        return std::nullopt;  // a local value, a data source, another resource: not followed
      }
      // The step selecting an instance: the resource or the module call.
      if (const std::string& index = steps[1].index; !index.empty()) {
        auto [at, fresh] = keys.emplace(key, index);
        if (!fresh && at->second != index) return std::nullopt;  // two instances named
      }
      auto& best = sources[key];
      if (steps.size() > best.size()) best = steps;
    }
    // "module.x" alone accompanies "module.x.out": drop it when the longer one is present.
    for (auto it = sources.begin(); it != sources.end();) {
      bool prefix = it->first.rfind("module.", 0) == 0 && it->second.size() == 2 &&
                    std::any_of(sources.begin(), sources.end(), [&](const auto& o) {
                      return o.first.rfind(it->first + ".", 0) == 0;
                    });
      it = prefix ? sources.erase(it) : std::next(it);
    }
    if (sources.size() != 1) return std::nullopt;
    auto steps = sources.begin()->second;
    if (auto k = keys.find(sources.begin()->first); k != keys.end()) steps[1].index = k->second;
    const std::string prefix = module.empty() ? "" : module + ".";
    if (steps[0].name == group_type) {
      if (!steps[1].index.empty()) {
        std::string address = prefix + group_type + "." + steps[1].name + steps[1].index;
        for (const auto& g : groups_)
          if (g.address == address) return address;
        return std::nullopt;
      }
      const group_instance* only = nullptr;
      for (const auto& g : groups_) {
        if (g.module_address != module || g.name != steps[1].name) continue;
        if (only) return std::nullopt;  // several instances: the index is not a constant
        only = &g;
      }
      return only ? std::optional(only->address) : std::nullopt;
    }
    if (steps[0].name == "module") {
      if (steps.size() < 3) return std::nullopt;
      const json* m = module_config(module);
      auto* calls = m ? json_io::find(*m, "module_calls") : nullptr;
      auto* call =
          calls && calls->is_object() ? json_io::find(*calls, steps[1].name.c_str()) : nullptr;
      if (!call || !call->is_object()) return std::nullopt;
      if (steps[1].index.empty() &&
          (json_io::find(*call, "count_expression") || json_io::find(*call, "for_each_expression")))
        return std::nullopt;
      const std::string child = prefix + "module." + steps[1].name + steps[1].index;
      auto* child_config = json_io::find(*call, "module");
      auto* outputs = child_config ? json_io::find(*child_config, "outputs") : nullptr;
      auto* output = outputs && outputs->is_object()
                         ? json_io::find(*outputs, steps[2].name.c_str())
                         : nullptr;
      auto* expression =
          output && output->is_object() ? json_io::find(*output, "expression") : nullptr;
      return expression ? resolve(child, *expression, depth + 1) : std::nullopt;
    }
    // A variable of a child module: the calling module's argument.
    auto module_steps = split_reference(module);
    if (module_steps.size() < 2) return std::nullopt;
    const std::string call_name = module_steps.back().name;
    module_steps.resize(module_steps.size() - 2);
    std::string parent;
    for (const auto& s : module_steps) parent += (parent.empty() ? "" : ".") + s.name + s.index;
    const json* m = module_config(parent);
    auto* calls = m ? json_io::find(*m, "module_calls") : nullptr;
    auto* call = calls && calls->is_object() ? json_io::find(*calls, call_name.c_str()) : nullptr;
    auto* expressions = call && call->is_object() ? json_io::find(*call, "expressions") : nullptr;
    auto* argument = expressions && expressions->is_object()
                         ? json_io::find(*expressions, steps[1].name.c_str())
                         : nullptr;
    return argument ? resolve(parent, *argument, depth + 1) : std::nullopt;
  }

  static constexpr const char* group_type = "scaleway_instance_security_group";

  const json* root_ = nullptr;
  std::vector<group_instance> groups_;
};

}  // namespace detail::terraform
/// \endcond

SECGROUP_END_NAMESPACE
