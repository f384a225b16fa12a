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
#include <secgroup/client/source.hpp>
#include <secgroup/lint/report.hpp>
#include <secgroup/lint/run.hpp>
#include <secgroup/lint/sarif.hpp>

#include "cli.hpp"
#include "lint_config.hpp"
#include "options.hpp"

namespace secgroup::cli {
namespace {

enum class lint_format { text, json, sarif };
enum class color_mode { automatic, always, never };

struct lint_options {
  std::vector<std::string> inputs;
  lint_format format = lint_format::text;
  std::optional<std::string> fail_on, config, jobs;
  color_mode color = color_mode::automatic;
  bool no_config = false, list_checks = false, show_suppressed = false, no_fix = false;
};

/// The configuration file: --config, else the one of ./.secgroup.json, ./.secgroup.yaml and
/// ./.secgroup.yml that exists (unless --no-config); two of them existing is an error.
lint::lint_config find_config(const lint_options& o, std::string& used) {
  return find_lint_config(o.config, o.no_config, used);
}

bool use_color(color_mode mode) {
  if (mode != color_mode::automatic) return mode == color_mode::always;
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  return isatty(STDOUT_FILENO) && !(no_color && *no_color) &&
         !(term && std::string_view(term) == "dumb");
}

/// The text of an `api:` argument (read_api_source()); nullopt for a file or directory.
std::optional<std::string> api_text(const std::string& argument) {
  if (!client::is_api_source(argument)) return std::nullopt;
  return read_api_source(argument);
}

/// The thread count --jobs gives: 0 (every hardware thread, the default) to 1024.
unsigned jobs_of(const std::optional<std::string>& jobs) {
  if (!jobs) return 0;
  unsigned n = 0;
  bool digits = !jobs->empty() && jobs->size() <= 4;
  for (char c : *jobs) {
    digits = digits && c >= '0' && c <= '9';
    if (digits) n = n * 10 + static_cast<unsigned>(c - '0');
  }
  if (!digits || n > 1024)
    throw validation_error(errc::bad_value, "--jobs",
                           "expected a thread count from 0 (every hardware thread) to 1024, got " +
                               detail::quoted(*jobs));
  return n;
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
  const auto threshold =
      lint::choose_threshold(config, o.fail_on, lint::threshold_style::cli_option);
  const unsigned jobs = jobs_of(o.jobs);
  const auto warn_unused = [&](const std::vector<std::size_t>& unused) {
    for (auto k : unused)
      std::cerr << "secgroup: warning: "
                << escaped(config.suppressions[k].field, detail::backslash::keep)
                << ": this suppression matched no finding\n";
  };
  // Each report is handed to the writer as soon as it is made, none kept, and rendered on the
  // --jobs threads (lint::lint_each, lint::rendering_writer).
  const auto run_with = [&](auto&& writer) {
    auto outcome = lint::lint_each(o.inputs, config, threshold.threshold, max_input_size(), writer,
                                   api_text, jobs);
    warn_unused(outcome.unused_suppressions);
    writer.finish(outcome);
    return outcome.exit_code();
  };
  switch (o.format) {
    case lint_format::json:
      return run_with(lint::json_report_writer(std::cout));
    case lint_format::sarif:
      return run_with(lint::sarif_report_writer(std::cout, config));
    case lint_format::text:
      break;
  }
  return run_with(lint::text_report_writer(
      std::cout, {use_color(o.color), o.show_suppressed, !o.no_fix, threshold.style}));
}

}  // namespace

void register_lint(CLI::App& app, command& run) {
  auto o = std::make_shared<lint_options>();
  auto* cmd = app.add_subcommand(
      "lint", "Lint groups on their effective policy (order, drops, defaults, IPv4 and IPv6)");
  cmd->add_option("inputs", o->inputs,
                  "Group files (API JSON exports, Terraform plans or state), directories "
                  "(every *.json below, sorted) or API sources (api:, api:ZONE[,ZONE...], "
                  "api:ZONE/GROUP_ID)");
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
  cmd->add_option("--jobs", o->jobs,
                  "Threads that lint groups: 0 (default) every hardware thread, 1 one thread; the "
                  "output is the same for any count");
  cmd->add_flag("--show-suppressed", o->show_suppressed, "List suppressed findings in text output");
  cmd->add_flag("--no-fix", o->no_fix, "Leave the fix hints out of text output");
  cmd->add_flag("--list-checks", o->list_checks, "Print the checks and their settings, then exit");
  cmd->callback([&run, o] { run = [o] { return run_lint(*o); }; });
}

}  // namespace secgroup::cli
