// cli/lint.cpp: `secgroup lint`: order-aware lint of groups, as text, JSON or SARIF.
//
// A thin layer over secgroup/lint/: it parses arguments, finds the configuration, calls
// lint::run_lint (which reads API exports and Terraform documents alike) and prints. Exit codes: 0
// no unsuppressed finding at or above --fail-on, 1 some, 2 bad input (thrown as secgroup::error and
// printed by main).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <secgroup/lint/report.hpp>
#include <secgroup/lint/run.hpp>
#include <secgroup/lint/sarif.hpp>
#if SECGROUP_HAS_YAML
#include <secgroup/yaml/lint_config.hpp>
#endif

#include "cli.hpp"
#include "options.hpp"

namespace secgroup::cli {
namespace {

enum class lint_format { text, json, sarif };
enum class color_mode { automatic, always, never };

struct lint_options {
  std::vector<std::string> inputs;
  lint_format format = lint_format::text;
  std::optional<std::string> fail_on, config;
  color_mode color = color_mode::automatic;
  bool no_config = false, list_checks = false, show_suppressed = false, no_fix = false;
};

/// Reads the configuration file `path`: JSON, or YAML (by its extension) in builds with the
/// YAML part; without it a YAML file is refused with a message naming SECGROUP_WITH_YAML.
lint::lint_config load_config_file(const std::string& path) {
#if SECGROUP_HAS_YAML
  return yaml::load_lint_config(path, max_input_size());
#else
  return lint::load_config(path, max_input_size());
#endif
}

/// The configuration file: --config, else the one of ./.secgroup.json, ./.secgroup.yaml and
/// ./.secgroup.yml that exists (unless --no-config); two of them existing is an error.
lint::lint_config find_config(const lint_options& o, std::string& used) {
  if (o.config) {
    used = *o.config;
    return load_config_file(*o.config);
  }
  if (o.no_config) return {};
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

bool use_color(color_mode mode) {
  if (mode != color_mode::automatic) return mode == color_mode::always;
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  return isatty(STDOUT_FILENO) && !(no_color && *no_color) &&
         !(term && std::string_view(term) == "dumb");
}

int run_lint(const lint_options& o) {
  std::string config_file;
  auto config = find_config(o, config_file);
  if (o.list_checks) {
    lint::write_catalogue(std::cout, config, o.format == lint_format::json);
    return exit_ok;
  }
  if (o.inputs.empty())
    throw parse_error(errc::missing_field, "FILE_OR_DIR",
                      "give at least one group file or directory to lint");
  lint::fail_threshold threshold = lint::severity::low;
  if (config.fail_on) threshold = *config.fail_on;
  if (o.fail_on) threshold = lint::parse_fail_on(*o.fail_on, "--fail-on");
  const auto warn_unused = [&](const std::vector<std::size_t>& unused) {
    for (auto k : unused)
      std::cerr << "secgroup: warning: "
                << escaped(config.suppressions[k].field, detail::backslash::keep)
                << ": this suppression matched no finding\n";
  };
  if (o.format == lint_format::text) {  // each group is printed as soon as it is linted
    const lint::text_options text{use_color(o.color), o.show_suppressed, !o.no_fix};
    auto outcome = lint::lint_each(
        o.inputs, config, threshold, max_input_size(),
        [&](lint::located_report&& r) { lint::write_text_group(std::cout, r, text); });
    warn_unused(outcome.unused_suppressions);
    lint::write_text_summary(std::cout, outcome, text);
    return outcome.exit_code();
  }
  auto run = lint::run_lint(o.inputs, config, threshold, max_input_size());
  warn_unused(run.unused_suppressions);
  if (o.format == lint_format::json)
    lint::write_json(std::cout, run);
  else
    lint::write_sarif(std::cout, run, config);
  return run.exit_code();
}

}  // namespace

void register_lint(CLI::App& app, command& run) {
  auto o = std::make_shared<lint_options>();
  auto* cmd = app.add_subcommand(
      "lint", "Lint groups on their effective policy (order, drops, defaults, IPv4 and IPv6)");
  cmd->add_option("inputs", o->inputs,
                  "Group files (API JSON exports, Terraform plans or state) or directories "
                  "(every *.json below, sorted)");
  add_enum_option(
      *cmd, "--format", o->format,
      {{"text", lint_format::text}, {"json", lint_format::json}, {"sarif", lint_format::sarif}},
      "Output: text (default), json or sarif");
  cmd->add_option("--fail-on", o->fail_on,
                  "Exit 1 when an unsuppressed finding is at or above this severity: info, low "
                  "(default), medium, high, critical, or none");
  auto* config = cmd->add_option("--config", o->config,
                                 "Configuration file: JSON, or YAML (.yaml, .yml) in builds with "
                                 "SECGROUP_WITH_YAML; default ./.secgroup.json, .yaml or .yml "
                                 "if present");
  cmd->add_flag("--no-config", o->no_config, "Ignore ./.secgroup.{json,yaml,yml}")
      ->excludes(config);
  add_enum_option(*cmd, "--color", o->color,
                  {{"auto", color_mode::automatic},
                   {"always", color_mode::always},
                   {"never", color_mode::never}},
                  "Colour text output: auto (default), always, never");
  cmd->add_flag("--show-suppressed", o->show_suppressed, "List suppressed findings in text output");
  cmd->add_flag("--no-fix", o->no_fix, "Leave the fix hints out of text output");
  cmd->add_flag("--list-checks", o->list_checks, "Print the checks and their settings, then exit");
  cmd->callback([&run, o] { run = [o] { return run_lint(*o); }; });
}

}  // namespace secgroup::cli
