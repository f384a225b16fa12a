// cli/common.cpp: the helpers of cli.hpp, compiled once for every subcommand.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <secgroup/client/source.hpp>
#include <secgroup/lint/config.hpp>

#if SECGROUP_HAS_YAML
#include <secgroup/yaml/lint_config.hpp>
#endif

#include "cli.hpp"
#include "lint_config.hpp"
#include "options.hpp"

namespace secgroup::cli {
namespace {
std::size_t input_limit = default_max_input_size;
}  // namespace

std::size_t max_input_size() { return input_limit; }
void set_max_input_size(std::size_t bytes) { input_limit = bytes; }

void add_format_option(CLI::App& cmd, output_format& format, const char* help) {
  add_enum_option(cmd, "--format", format,
                  {{"text", output_format::text}, {"json", output_format::json}}, help);
}

group_input load_input(const std::string& file) {
  if (client::is_api_source(file)) return parse_group_input(read_api_source(file), file);
  return load_group_input(file, max_input_size());
}

input_group choose_group(const group_input& in, const std::string& file,
                         const std::optional<std::string>& key, const std::string& option) {
  return pick_input_group(in, key, file + ": " + option, file, "the file",
                          "choose one with " + option + " ID_OR_NAME");
}

security_group whole_group(const input_group& g, const std::string& file) {
  if (g.group) return *g.group;
  throw unknown_values(file + ": " + g.address + ": " + unknown_text(g) +
                       "; this command needs every value of the group (secgroup lint reports "
                       "what the plan decides)");
}

security_group load_group(const std::string& file, const std::optional<std::string>& key,
                          const std::string& option) {
  return whole_group(choose_group(load_input(file), file, key, option), file);
}

void print_json(const json& j) { std::cout << j.dump(2) << "\n"; }

namespace {

/// Reads the configuration file `path`: JSON, or YAML (by its extension) in builds with the
/// YAML part; without it a YAML file is refused with a message naming SECGROUP_WITH_YAML.
lint::lint_config load_config_file(const std::string& path) {
#if SECGROUP_HAS_YAML
  return yaml::load_lint_config(path, max_input_size());
#else
  return lint::load_config(path, max_input_size());
#endif
}

}  // namespace

lint::lint_config find_lint_config(const std::optional<std::string>& config, bool no_config,
                                   std::string& used) {
  used.clear();
  if (config) {
    used = *config;
    return load_config_file(*config);
  }
  if (no_config) return {};
  for (auto name : lint::default_config_names) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(name, ec)) continue;
    if (!used.empty())
      throw lookup_error(errc::ambiguous, "--config",
                         "both ./" + used + " and ./" + std::string(name) +
                             " exist; keep one, or choose with --config");
    used = name;
  }
  return used.empty() ? lint::lint_config{} : load_config_file(used);
}

}  // namespace secgroup::cli
