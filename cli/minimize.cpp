// cli/minimize.cpp: `secgroup minimize`: the group without redundant user rules.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <secgroup/analysis/minimize.hpp>
#include <secgroup/format.hpp>

#include "cli.hpp"

namespace secgroup::cli {
namespace {

struct minimize_options {
  std::string file;
  std::optional<std::string> group;
  output_format format = output_format::json;
};

int run_minimize(const minimize_options& o) {
  auto group = load_group(o.file, o.group);
  auto m = analysis::minimize(group);
  if (!m.proof.equivalent) {
    std::cerr << "secgroup: internal error: the minimised group is not equivalent to the input\n";
    return exit_internal;
  }
  auto rules = ordered_rules(group);
  std::vector<std::pair<bool, std::string>> fates;  // kept, "LABEL: RULE"
  std::uint32_t position = 0;                       // kept rules are renumbered 1..k
  for (std::uint32_t i = 0; i < rules.size(); ++i) {
    if (!rules[i].editable) continue;
    bool kept = std::find(m.removed.begin(), m.removed.end(), i) == m.removed.end();
    auto label = rule_label(rules, i);
    if (kept && ++position != rules[i].position)  // "(position 3, now 1)"
      label.insert(label.size() - (rules[i].id.empty() ? 0 : 1),
                   (rules[i].id.empty() ? ", now position " : ", now ") + std::to_string(position));
    fates.push_back({kept, label + ": " + to_string(rules[i])});
  }
  const std::string summary = std::to_string(m.removed.size()) + " of " +
                              std::to_string(fates.size()) +
                              " user rules removed; the result decides every packet as the "
                              "input does (checked by diff)";
  if (o.format == output_format::json) {
    print_json(export_to_json(m.group));
    for (const auto& [kept, line] : fates)
      if (!kept) std::cerr << "secgroup: removed " << line << "\n";
    std::cerr << "secgroup: " << summary << "\n";
    return exit_ok;
  }
  std::cout << summary << "\n";
  for (const auto& [kept, line] : fates)
    std::cout << (kept ? "kept\t" : "removed\t") << line << "\n";
  return exit_ok;
}

}  // namespace

void register_minimize(CLI::App& app, command& run) {
  auto o = std::make_shared<minimize_options>();
  auto* cmd = app.add_subcommand(
      "minimize", "Print an equivalent group without redundant user rules (API JSON)");
  cmd->add_option("file", o->file, "Group file: an API export or a Terraform document")->required();
  cmd->add_option("--group", o->group,
                  "Group id or name (or Terraform address), when the file holds several");
  add_format_option(*cmd, o->format,
                    "Output format: json (default; the minimal group as an API export, the "
                    "summary on stderr) or text (the summary)");
  cmd->callback([o, &run] { run = [o] { return run_minimize(*o); }; });
}

}  // namespace secgroup::cli
