// cli/diff.cpp: `secgroup diff`: equivalence and semantic diff of two groups, or of each group
// of a Terraform plan before and after the change.
#include <CLI/CLI.hpp>
#include <iostream>
#include <secgroup/analysis/diff.hpp>
#include <secgroup/analysis/plan_diff.hpp>
#include <secgroup/format.hpp>
#include <secgroup/io/analysis_json.hpp>

#include "cli.hpp"
#include "engine.hpp"

namespace secgroup::cli {
namespace {

struct diff_options {
  std::string file_a;
  std::optional<std::string> file_b;  ///< absent: file_a is a plan, compared with itself
  std::optional<std::string> group, group_a, group_b;
  std::optional<std::string> where;
  bool includes = false;
  output_format format = output_format::text;
  engine_options engine;
};

void print_text(const analysis::group_diff& d, const char* a = "A", const char* b = "B") {
  if (d.equivalent) {
    std::cout << "equivalent\n";
    return;
  }
  std::cout << "not equivalent: " << d.regions.size()
            << (d.regions.size() == 1 ? " region differs\n" : " regions differ\n");
  if (d.witness)
    std::cout << "witness: " << to_string(d.witness->packet) << "\n  " << a << ": "
              << decision_text(d.witness->a, d.rules_a) << "\n  " << b << ": "
              << decision_text(d.witness->b, d.rules_b) << "\n";
  for (const auto& r : d.regions) {
    std::cout << (r.opened() ? "opened" : "closed") << "\t" << to_string(r.direction) << " "
              << to_string(r.af) << " " << to_string(r.protocol);
    if (has_ports(r.protocol))
      std::cout << (r.ports.lo == r.ports.hi ? " port " : " ports ")
                << ports_text(r.ports.lo, r.ports.hi);
    std::cout << " remote " << address_range_text(r.first, r.last) << "\n  " << a << ": "
              << decision_text(r.a, d.rules_a) << "\n  " << b << ": "
              << decision_text(r.b, d.rules_b) << "\n";
  }
}

/// The Z3 engine's answer: equivalence, or with --includes inclusion, with a witness and no
/// regions (JSON "regions": null).
int run_z3(const diff_options& o, const security_group& a, const security_group& b,
           const std::optional<where_expr>& within) {
#if SECGROUP_HAS_Z3
  const auto limits = z3_options(o.engine);
  verdict<analysis::diff_witness> v;
  if (!o.includes)
    v = verify::equivalence(a, b, limits);
  else if (within)
    v = verify::includes(a, b, *within, limits);
  else
    v = verify::includes(a, b, limits);
  const auto rules_a = ordered_rules(a), rules_b = ordered_rules(b);
  const char* key = o.includes ? "includes" : "equivalent";
  if (o.format == output_format::json) {
    print_json(verify::verdict_to_json(v, rules_a, rules_b, key, !o.includes));
  } else if (v.result == outcome::unknown) {
    std::cout << "unknown: " << v.reason << "\n";
  } else {
    const bool holds = v.result == outcome::holds;
    std::cout << (o.includes ? (holds ? "A includes B" : "A does not include B")
                             : (holds ? "equivalent" : "not equivalent"))
              << "\n";
    if (const auto& w = v.counterexample)
      std::cout << "witness: " << to_string(w->packet) << "\n  A: " << decision_text(w->a, rules_a)
                << "\n  B: " << decision_text(w->b, rules_b) << "\n";
  }
  if (v.result == outcome::unknown) return report_unknown(key, v.reason);
  return v.result == outcome::holds ? exit_ok : exit_negative;
#else
  (void)o, (void)a, (void)b, (void)within;
  return exit_internal;
#endif
}

/// `secgroup diff PLAN`: each group the plan changes, before (A) and after (B) the change.
/// Exit 1 when some group's decisions change, else 4 when some group could not be compared
/// for unknown values, else 0.
int run_plan_diff(const diff_options& o, const terraform_document& plan) {
  if (o.group_a || o.group_b)
    throw validation_error(errc::bad_value, o.group_a ? "--group-a" : "--group-b",
                           "a plan alone is compared with itself: select a group with --group");
  if (o.includes || o.where || o.engine.use_z3())
    throw validation_error(errc::bad_value,
                           o.includes ? "--includes"
                           : o.where  ? "--where"
                                      : "--engine",
                           "a plan alone is compared with the interval engine only");
  const auto diffs = analysis::diff_plan(plan, o.group, o.file_a + ": --group");
  bool differs = false, unknown = false;
  for (const auto& d : diffs) {
    differs = differs || (d.diff && !d.diff->equivalent);
    unknown = unknown || (d.both_sides() && !d.diff);
  }
  if (o.format == output_format::json) {
    print_json(analysis::plan_diff_to_json(diffs));
  } else if (diffs.empty()) {
    std::cout << "the plan changes no security group\n";
  } else {
    for (const auto& d : diffs) {
      std::cout << escaped(d.address) << ": " << to_string(d.change);
      if (!d.both_sides()) {
        std::cout << (d.change == terraform_change::create ? ": no group before the change"
                                                           : ": no group after the change")
                  << ", nothing to compare\n";
      } else if (!d.diff) {
        std::cout << ": not compared: unknown until apply: " << escaped(joined_list(d.unknown))
                  << "\n";
      } else {
        std::cout << " (before, after)\n";
        print_text(*d.diff, "before", "after");
      }
    }
  }
  if (differs) return exit_negative;
  if (!unknown) return exit_ok;
  std::cerr << "secgroup: unknown: "
            << escaped(o.file_a +
                           ": some groups hold values unknown until apply; they are not "
                           "compared",
                       detail::backslash::keep)
            << "\n";
  return exit_unknown;
}

int run_diff(const diff_options& o) {
  if (!o.file_b) {
    auto in = load_input(o.file_a);
    if (!in.terraform || in.terraform->format != terraform_format::plan)
      throw parse_error(errc::missing_field, "B",
                        "B is required (only a Terraform plan is compared with itself, before "
                        "and after the change)");
    return run_plan_diff(o, *in.terraform);
  }
  if (o.where && !o.includes)
    throw validation_error(errc::bad_value, "--where", "applies to --includes only");
  const bool z3 = o.engine.use_z3(o.includes ? "--includes" : nullptr);
  std::optional<where_expr> within;
  if (o.where) within = parse_where(*o.where, "--where");
  auto option = [&](const std::optional<std::string>& own, const char* name) {
    return own || !o.group ? std::string(name) : std::string("--group");
  };
  auto a = load_group(o.file_a, o.group_a ? o.group_a : o.group, option(o.group_a, "--group-a"));
  auto b = load_group(*o.file_b, o.group_b ? o.group_b : o.group, option(o.group_b, "--group-b"));
  if (z3) return run_z3(o, a, b, within);
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
      "diff",
      "Compare the decisions of two groups, or of each group of a Terraform plan before and "
      "after the change (exit 0 equivalent, 1 different)");
  cmd->add_option("A", o->file_a, "First group file (A): an API export or a Terraform document")
      ->required();
  cmd->add_option("B", o->file_b,
                  "Second group file (B); omitted when A is a Terraform plan, compared with "
                  "itself before (A) and after (B) the change");
  cmd->add_option("--group", o->group, "Group id or name in both files, when they hold several");
  cmd->add_option("--group-a", o->group_a, "Group id or name in A (overrides --group)");
  cmd->add_option("--group-b", o->group_b, "Group id or name in B (overrides --group)");
  cmd->add_flag("--includes", o->includes,
                "Instead: does A accept every packet B accepts? (exit 0 yes, 1 no; z3 engine)");
  cmd->add_option("--where", o->where,
                  "With --includes: only the packets of this where expression (docs/z3.md)");
  add_format_option(*cmd, o->format);
  add_engine_options(*cmd, o->engine);
  cmd->callback([o, &run] { run = [o] { return run_diff(*o); }; });
}

}  // namespace secgroup::cli
