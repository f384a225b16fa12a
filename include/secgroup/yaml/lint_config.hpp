// secgroup/yaml/lint_config.hpp: lint configuration written in YAML. Part of the optional
// secgroup::yaml.
//
// The document is the JSON schema of secgroup/lint/config.hpp written as YAML (see
// docs/configuration.md), read through yaml::parse_located() and lint::config_from_json(), so
// both forms accept and refuse the same documents. Scalars are typed as yaml/json.hpp says:
// `enabled: yes` is the string "yes" and refused ("expected a boolean"); write `true`. Errors
// name the file and the line of the value at fault:
//   [secgroup.parse.103] .secgroup.yaml:7: checks.SG001.severity: unknown severity 'urgent' ...
// and YAML syntax errors the line and column ([secgroup.parse.115] .secgroup.yaml:3:9: ...).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "../config.hpp"
#include "../error.hpp"
#include "../io/read.hpp"
#include "../lint/config.hpp"
#include "json.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace yaml {

/// Parses a YAML lint configuration; error fields start with `source` and the line
/// (".secgroup.yaml:7: checks.SG001.severity"). An empty document is the defaults, as `{}` is.
inline lint::lint_config parse_lint_config(std::string_view text, const std::string& source = "") {
  const located_json doc = parse_located(text, source);
  const json& value = doc.value.is_null() ? json::object() : doc.value;
  auto c = with_field_renamed([&](const error& e) { return field_at(doc, source, e.field()); },
                              [&] { return lint::config_from_json(value); });
  for (auto& s : c.suppressions) s.field = field_at(doc, source, s.field);
  return c;
}

/// Reads a lint configuration file in either form: YAML when lint::is_yaml_path(path) (a
/// `.yaml` or `.yml` file), JSON otherwise. Throws what read_text_file() throws, naming the path.
inline lint::lint_config load_lint_config(const std::filesystem::path& path,
                                          std::size_t max_size = default_max_input_size) {
  if (!lint::is_yaml_path(path)) return lint::load_config(path, max_size);
  return parse_lint_config(read_text_file(path, max_size), path.string());
}

}  // namespace yaml
SECGROUP_END_NAMESPACE
