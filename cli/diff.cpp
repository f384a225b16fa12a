// cli/diff.cpp: `secgroup diff`: equivalence and semantic diff of two groups.
#include <iostream>

#include "cli.hpp"

namespace secgroup::cli {
namespace {

struct diff_options {
  std::string file_a, file_b;
  std::optional<std::string> group, group_a, group_b;
  output_format format = output_format::text;
};

void print_text(const analysis::group_diff& d) {
  if (d.equivalent) {
    std::cout << "equivalent\n";
    return;
  }
  std::cout << "not equivalent: " << d.regions.size()
            << (d.regions.size() == 1 ? " region differs\n" : " regions differ\n");
  if (d.witness)
    std::cout << "witness: " << to_string(d.witness->packet)
              << "\n  A: " << decision_text(d.witness->a, d.rules_a)
              << "\n  B: " << decision_text(d.witness->b, d.rules_b) << "\n";
  for (const auto& r : d.regions) {
    std::cout << (r.opened() ? "opened" : "closed") << "\t" << to_string(r.direction) << " "
              << to_string(r.af) << " " << to_string(r.protocol);
    if (has_ports(r.protocol))
      std::cout << (r.ports.lo == r.ports.hi ? " port " : " ports ")
                << ports_text(r.ports.lo, r.ports.hi);
    std::cout << " remote " << range_text(r.first, r.last)
              << "\n  A: " << decision_text(r.a, d.rules_a)
              << "\n  B: " << decision_text(r.b, d.rules_b) << "\n";
  }
}

int run_diff(const diff_options& o) {
  auto option = [&](const std::optional<std::string>& own, const char* name) {
    return own || !o.group ? std::string(name) : std::string("--group");
  };
  auto a = load_group(o.file_a, o.group_a ? o.group_a : o.group, option(o.group_a, "--group-a"));
  auto b = load_group(o.file_b, o.group_b ? o.group_b : o.group, option(o.group_b, "--group-b"));
  auto d = analysis::diff(a, b);
  if (o.format == output_format::json)
    print_json(diff_to_json(d));
  else
    print_text(d);
  return d.equivalent ? exit_ok : exit_negative;
}

}  // namespace

void register_diff(CLI::App& app, command& run) {
  auto o = std::make_shared<diff_options>();
  auto* cmd = app.add_subcommand(
      "diff", "Compare the decisions of two groups (exit 0 equivalent, 1 different)");
  cmd->add_option("A", o->file_a, "First group file (A)")->required();
  cmd->add_option("B", o->file_b, "Second group file (B)")->required();
  cmd->add_option("--group", o->group, "Group id or name in both files, when they hold several");
  cmd->add_option("--group-a", o->group_a, "Group id or name in A (overrides --group)");
  cmd->add_option("--group-b", o->group_b, "Group id or name in B (overrides --group)");
  add_format_option(*cmd, o->format);
  cmd->callback([o, &run] { run = [o] { return run_diff(*o); }; });
}

}  // namespace secgroup::cli
