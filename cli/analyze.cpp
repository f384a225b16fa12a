// cli/analyze.cpp: `secgroup analyze`: per-rule anomalies of a group.
#include <array>
#include <iostream>

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
      return f.reason == "falls_through" ? "its packets fall through to" : "covered by";
    case analysis::finding_kind::correlated:
      return "overlaps, with the opposite action";
    case analysis::finding_kind::generalization:
      return "generalizes, with the opposite action";
  }
  return "related";
}

void print_text(const analysis::anomaly_report& report) {
  std::array<std::size_t, 4> counts{};
  for (const auto& f : report.findings) {
    ++counts[static_cast<std::size_t>(f.kind)];
    std::cout << to_string(f.kind);
    if (f.kind == analysis::finding_kind::redundant) std::cout << " (" << f.reason << ")";
    std::cout << "\t" << rule_label(report.rules, f.rule) << ": " << to_string(report.rules[f.rule])
              << "\n  " << relation(f) << ": ";
    for (std::size_t k = 0; k < f.related.size(); ++k)
      std::cout << (k ? ", " : "") << rule_label(report.rules, f.related[k]);
    if (f.to_default) std::cout << (f.related.empty() ? "" : ", ") << "the default policy";
    std::cout << "\n";
    if (f.witness) std::cout << "  witness: " << to_string(*f.witness) << "\n";
  }
  if (report.findings.empty()) {
    std::cout << "no findings\n";
    return;
  }
  std::cout << report.findings.size() << (report.findings.size() == 1 ? " finding:" : " findings:");
  const char* sep = " ";
  for (auto k : {analysis::finding_kind::shadowed, analysis::finding_kind::redundant,
                 analysis::finding_kind::correlated, analysis::finding_kind::generalization}) {
    if (auto n = counts[static_cast<std::size_t>(k)]) {
      std::cout << sep << n << " " << to_string(k);
      sep = ", ";
    }
  }
  std::cout << "\n";
}

/// The questions the Z3 engine left open, one per rule and question.
struct open_question {
  std::uint32_t rule = 0;
  secgroup::direction direction = secgroup::direction::inbound;
  std::string question, reason;
};

int run_analyze(const analyze_options& o) {
  const bool z3 = o.engine.use_z3();
  auto group = load_group(o.file, o.group);
  analysis::anomaly_report report;
  std::vector<open_question> open;
  if (!z3) {
    report = analysis::analyze(group);
  } else {
#if SECGROUP_HAS_Z3
    auto result = verify::analyze(group, z3_options(o.engine));
    report = std::move(result.report);
    for (const auto& u : result.unknown)
      open.push_back({u.rule, u.direction, u.question, u.reason});
#endif
  }
  if (o.format == output_format::json) {
    auto j = anomalies_to_json(report);
    if (!open.empty()) {
      json list = json::array();
      for (const auto& u : open) {
        json item = json::object();
        item["rule_id"] = report.rules[u.rule].id.empty() ? json(nullptr)
                                                          : json(report.rules[u.rule].id);
        item["position"] = report.rules[u.rule].position;
        item["direction"] = std::string(to_string(u.direction));
        item["question"] = u.question;
        item["reason"] = u.reason;
        list.push_back(std::move(item));
      }
      j["unknown"] = std::move(list);
    }
    print_json(j);
  } else {
    print_text(report);
    for (const auto& u : open)
      std::cout << "unknown\t" << rule_label(report.rules, u.rule) << " " << to_string(u.direction)
                << ": " << u.question << ": " << u.reason << "\n";
  }
  if (open.empty()) return exit_ok;
  return report_unknown(std::to_string(open.size()) + " question(s) left open",
                        open.front().reason);
}

}  // namespace

void register_analyze(CLI::App& app, command& run) {
  auto o = std::make_shared<analyze_options>();
  auto* cmd = app.add_subcommand("analyze",
                                 "Report shadowed, redundant, correlated and generalization rules");
  cmd->add_option("file", o->file, "Group file (API JSON export)")->required();
  cmd->add_option("--group", o->group, "Group id or name, when the file holds several");
  add_format_option(*cmd, o->format);
  add_engine_options(*cmd, o->engine);
  cmd->callback([o, &run] { run = [o] { return run_analyze(*o); }; });
}

}  // namespace secgroup::cli
