// cli/review.cpp: `secgroup review`: a semantic review of a change (a Terraform plan, or two
// group files OLD NEW): what it does to traffic, and the lint findings it introduces and
// resolves, as text, JSON, Markdown or SARIF. A thin layer over lint::review()
// (secgroup/lint/review.hpp) and its renderings (secgroup/lint/review_report.hpp).
// Exit codes: 0 no introduced finding at or above --fail-on; 1 some; 4 the verdict depends on
// values unknown until apply; 2 bad input.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <secgroup/lint/review.hpp>
#include <secgroup/lint/review_report.hpp>

#include "cli.hpp"
#include "lint_config.hpp"
#include "options.hpp"

namespace secgroup::cli {
namespace {

enum class review_format { text, json, markdown, sarif };

struct review_options {
  std::vector<std::string> files;
  review_format format = review_format::text;
  std::optional<std::string> fail_on, config;
  bool no_config = false;
};

int run_review(const review_options& o) {
  std::string config_file;
  const auto config = find_lint_config(o.config, o.no_config, config_file);
  const auto threshold =
      lint::choose_threshold(config, o.fail_on, lint::threshold_style::cli_option);
  // Through load_input(), as every command reads its groups: files and `api:` sources alike.
  std::vector<group_input> inputs;
  for (const auto& file : o.files) inputs.push_back(load_input(file));
  const auto r =
      lint::review_inputs(std::move(inputs), config, threshold.threshold, max_input_size());
  switch (o.format) {
    case review_format::text:
      lint::write_review_text(std::cout, r, threshold.style);
      break;
    case review_format::json:
      print_json(lint::review_json(r));
      break;
    case review_format::markdown:
      lint::write_review_markdown(std::cout, r, threshold.style);
      break;
    case review_format::sarif:
      print_json(lint::review_sarif(r, config));
      break;
  }
  if (r.failed()) return exit_negative;
  if (!r.undecided()) return exit_ok;
  std::cerr << "secgroup: unknown: the verdict depends on values unknown until apply\n";
  return exit_unknown;
}

}  // namespace

void register_review(CLI::App& app, command& run) {
  auto o = std::make_shared<review_options>();
  auto* cmd = app.add_subcommand(
      "review",
      "Review a change (a Terraform plan, or OLD NEW group files): traffic opened and closed, "
      "lint findings introduced and resolved (exit 1 when findings at or above --fail-on are "
      "introduced)");
  cmd->add_option("files", o->files,
                  "A Terraform plan (terraform show -json), or two group files OLD NEW (API "
                  "exports or Terraform state)")
      ->required()
      ->expected(1, 2);
  add_enum_option(*cmd, "--format", o->format,
                  {{"text", review_format::text},
                   {"json", review_format::json},
                   {"markdown", review_format::markdown},
                   {"sarif", review_format::sarif}},
                  "Output: text (default), json, markdown or sarif");
  cmd->add_option("--fail-on", o->fail_on,
                  "Exit 1 when the change introduces an unsuppressed finding at or above this "
                  "severity: info, low (default), medium, high, critical, or none");
  auto* config = cmd->add_option("--config", o->config,
                                 "Lint configuration file; default ./.secgroup.json if present");
  cmd->add_flag("--no-config", o->no_config, "Ignore ./.secgroup.json")->excludes(config);
  cmd->callback([&run, o] { run = [o] { return run_review(*o); }; });
}

}  // namespace secgroup::cli
