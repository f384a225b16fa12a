// cli/analyze.cpp: `secgroup analyze`: per-rule anomalies of a group.
#include <CLI/CLI.hpp>
#include <array>
#include <iostream>
#include <secgroup/analysis/anomalies.hpp>
#include <secgroup/format.hpp>
#include <secgroup/io/analysis_json.hpp>
#include <secgroup/io/json_spool.hpp>

#include "cli.hpp"
#include "engine.hpp"

namespace secgroup::cli {
namespace {

struct analyze_options {
  std::string file;
  std::optional<std::string> group;
  output_format format = output_format::text;
  engine_options engine;
};

/// How the related rules of a finding stand to it, for text output.
std::string relation(const analysis::finding& f) {
  switch (f.kind) {
    case analysis::finding_kind::shadowed:
      return "blocked by";
    case analysis::finding_kind::redundant:
      return f.reason == analysis::finding_reason::falls_through ? "its packets fall through to"
                                                                 : "covered by";
    case analysis::finding_kind::correlated:
      return "overlaps, with the opposite action";
    case analysis::finding_kind::generalization:
      return "generalizes, with the opposite action";
  }
  return "related";
}

/// Prints findings as text as they come, then how many there were of each kind.
class text_printer {
 public:
  /// `rules`: ordered_rules() of the analysed group, which the findings index.
  explicit text_printer(const std::vector<rule>& rules) : rules_(rules) {}

  void operator()(const analysis::finding& f) {
    ++counts_[static_cast<std::size_t>(f.kind)];
    ++total_;
    std::cout << to_string(f.kind);
    if (f.kind == analysis::finding_kind::redundant)
      std::cout << " (" << to_string(f.reason) << ")";
    std::cout << "\t" << rule_label(rules_, f.rule) << ": " << to_string(rules_[f.rule]) << "\n  "
              << relation(f) << ": ";
    for (std::size_t k = 0; k < f.related.size(); ++k)
      std::cout << (k ? ", " : "") << rule_label(rules_, f.related[k]);
    if (f.to_default) std::cout << (f.related.empty() ? "" : ", ") << "the default policy";
    std::cout << "\n";
    if (f.witness) std::cout << "  witness: " << to_string(*f.witness) << "\n";
  }

  /// Prints the count of findings by kind, or "no findings".
  void finish() const {
    if (!total_) {
      std::cout << "no findings\n";
      return;
    }
    std::cout << total_ << (total_ == 1 ? " finding:" : " findings:");
    const char* sep = " ";
    for (auto k : {analysis::finding_kind::shadowed, analysis::finding_kind::redundant,
                   analysis::finding_kind::correlated, analysis::finding_kind::generalization}) {
      if (auto n = counts_[static_cast<std::size_t>(k)]) {
        std::cout << sep << n << " " << to_string(k);
        sep = ", ";
      }
    }
    std::cout << "\n";
  }

 private:
  const std::vector<rule>& rules_;
  std::array<std::size_t, 4> counts_{};
  std::size_t total_ = 0;
};

/// The Z3 engine's report, then the questions it left open (exit 4 when there are some).
int run_z3(const analyze_options& o, const security_group& group) {
#if SECGROUP_HAS_Z3
  const auto result = verify::analyze(group, z3_options(o.engine));
  if (o.format == output_format::json) {
    print_json(verify::anomalies_to_json(result));
  } else {
    text_printer print(result.report.rules);
    for (const auto& f : result.report.findings) print(f);
    print.finish();
    for (const auto& u : result.unknown)
      std::cout << "unknown\t" << rule_label(result.report.rules, u.rule) << " "
                << to_string(u.direction) << ": " << to_string(u.question) << ": " << u.reason
                << "\n";
  }
  if (result.complete()) return exit_ok;
  return report_unknown(std::to_string(result.unknown.size()) + " question(s) left open",
                        result.unknown.front().reason);
#else
  (void)o, (void)group;
  return exit_internal;
#endif
}

int run_analyze(const analyze_options& o) {
  const bool z3 = o.engine.use_z3();
  auto group = load_group(o.file, o.group);
  if (z3) return run_z3(o, group);
  // Streamed: a large group's report (a million findings at 10K rules) is never held whole.
  const auto rules = ordered_rules(group);
  if (o.format == output_format::json) {
    json_list_writer out(std::cout, "findings");
    analysis::for_each_finding(group, [&](const analysis::finding& f) {
      out.push_written([&](json_text& text) { write_finding_json(text, f, rules); });
    });
    out.close();
  } else {
    text_printer print(rules);
    analysis::for_each_finding(group, print);
    print.finish();
  }
  return exit_ok;
}

}  // namespace

void register_analyze(CLI::App& app, command& run) {
  auto o = std::make_shared<analyze_options>();
  auto* cmd = app.add_subcommand("analyze",
                                 "Report shadowed, redundant, correlated and generalization rules");
  cmd->add_option("file", o->file, "Group file: an API export or a Terraform document")->required();
  cmd->add_option("--group", o->group,
                  "Group id or name (or Terraform address), when the file holds several");
  add_format_option(*cmd, o->format);
  add_engine_options(*cmd, o->engine);
  cmd->callback([o, &run] { run = [o] { return run_analyze(*o); }; });
}

}  // namespace secgroup::cli
