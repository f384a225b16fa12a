// secgroup/lint/report.hpp: a lint run as terminal text or as JSON, with the same fields.
//
// Text: one header line per group, then per finding its severity, check id and name, message,
// witness packet with its decision, the rules it is about (id, line, rule), related rules and
// the fix hint; then a summary and the verdict against the threshold. ANSI colours only when
// asked (the CLI asks when stdout is a terminal and NO_COLOR is unset). Suppressed findings
// are counted, and listed only on request. Text from input (names, ids, paths, messages quoting
// values) is escaped (detail::escaped(), docs/cli.md), so every line of the report is one line.
// JSON: {"version", "tool", "fail_on", "failed", "summary", "groups": [{"source", "id",
// "name", "line", "findings": [...]}]}; every finding has check, name, title, severity,
// subject, message, line, witness (or null), rules, related, default_policy, fix and
// suppressed (the reasons, or null). When some input is a Terraform document, the summary adds
// "undecided" and the document "notes" (groups not linted); each group read from Terraform adds
// "address", "change", "file" (the file "line" refers to), "unknown" and "notes", and each of
// its findings "undecided". Text names such groups by address, prints their notes, and counts
// undecided findings in the summary. Documented in docs/lint.md and docs/terraform.md.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "../config.hpp"
#include "../format.hpp"
#include "../io/analysis_json.hpp"
#include "../io/json.hpp"
#include "../io/json_sink.hpp"
#include "../io/json_spool.hpp"
#include "../packet.hpp"
#include "../version.hpp"
#include "catalogue.hpp"
#include "lint.hpp"
#include "run.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace lint {

/// How a report names the failure threshold: as the CLI's option (`--fail-on low`), as the
/// Python argument (`fail_on='low'`), or as the configuration's key when the threshold came from
/// there (`fail_on: low in the configuration`), so each reader sees where to change it.
enum class threshold_style : std::uint8_t { cli_option, python_argument, configuration };

/// Options of the text report.
struct text_options {
  bool color = false;            ///< ANSI colours
  bool show_suppressed = false;  ///< list suppressed findings too
  bool show_fix = true;          ///< print each finding's fix hint
  threshold_style threshold = threshold_style::cli_option;  ///< how the verdict names it
};

/// Returns "the inbound default policy" or "rule at position 2 (...)" for a witness decision,
/// naming the rule from `rules` (the group's ordered rules, or their rule_descriptions).
template <class Rules>
std::string describe_decision(const decision& d, const Rules& rules, direction dir) {
  if (d.by_default()) return std::string("the ") + std::string(to_string(dir)) + " default policy";
  if constexpr (std::is_same_v<Rules, rule_descriptions>)
    return rules[d.rule];
  else
    return describe_rule(rules[d.rule]);
}

/// "inbound tcp 8.8.8.8 22 -> accept by rule at position 2 (...)"; `rules` as for
/// describe_decision().
template <class Rules = std::vector<rule>>
std::string describe_witness(const analysis::query_witness& w, const Rules& rules) {
  return to_string(w.packet) + " -> " + std::string(to_string(w.decision.action)) + " by " +
         describe_decision(w.decision, rules, w.packet.direction);
}

/// "none" or the severity name.
inline std::string threshold_text(fail_threshold t) {
  return t ? std::string(to_string(*t)) : std::string("none");
}

/// A run's failure threshold and how its report names it.
struct threshold_choice {
  fail_threshold threshold = severity::low;
  threshold_style style = threshold_style::cli_option;
};

/// The threshold `given` (the CLI's --fail-on or Python's fail_on, as `given_style` names it;
/// parsed as field `given_style`'s name) over the configuration's fail_on over low, named by
/// where it came from (the default low, as the option that would change it).
inline threshold_choice choose_threshold(const lint_config& config,
                                         const std::optional<std::string>& given,
                                         threshold_style given_style) {
  if (given)
    return {parse_fail_on(*given, given_style == threshold_style::python_argument ? "fail_on"
                                                                                 : "--fail-on"),
            given_style};
  if (config.fail_on) return {*config.fail_on, threshold_style::configuration};
  return {severity::low, given_style};
}

/// "--fail-on low", "fail_on='low'" or "fail_on: low in the configuration": the threshold as
/// the reader of `style` would set it.
inline std::string threshold_setting(fail_threshold t, threshold_style style) {
  switch (style) {
    case threshold_style::python_argument:
      return "fail_on='" + threshold_text(t) + "'";
    case threshold_style::configuration:
      return "fail_on: " + threshold_text(t) + " in the configuration";
    case threshold_style::cli_option:
      break;
  }
  return "--fail-on " + threshold_text(t);
}

// -- Text -----------------------------------------------------------------------------------

namespace detail_report {
inline std::string paint(const text_options& o, std::string_view code, const std::string& s) {
  return o.color ? "\x1b[" + std::string(code) + "m" + s + "\x1b[0m" : s;
}
inline std::string_view color_of(severity s) {
  switch (s) {
    case severity::critical:
      return "1;35";
    case severity::high:
      return "1;31";
    case severity::medium:
      return "33";
    case severity::low:
      return "36";
    case severity::info:
      return "2";
  }
  return "0";
}
inline std::string group_title(const security_group& g) {
  const auto name = secgroup::escaped(g.name), id = secgroup::escaped(g.id);
  if (name.empty()) return id.empty() ? std::string("(unnamed group)") : id;
  return id.empty() ? name : name + " (" + id + ")";
}
/// The group of a report: its Terraform address and name when it has an address
/// ("module.net.scaleway_instance_security_group.bastion[0] (bastion)"), else group_title().
inline std::string group_title(const group_report& r) {
  if (r.address.empty()) return group_title(r.group);
  const auto name = secgroup::escaped(r.group.name);
  return secgroup::escaped(r.address) + (name.empty() ? "" : " (" + name + ")");
}
/// Whole lines built by the library (messages, paths) with values escaped in them already.
inline std::string line_text(std::string_view s) {
  return secgroup::detail::escaped(s, secgroup::detail::backslash::keep);
}
/// "r3 line 12: rule at position 3 (...)": rule i of `rules`, described by `described`.
inline std::string rule_line(const std::vector<rule>& rules, const rule_descriptions& described,
                             const source_location& at, std::uint32_t i) {
  const auto& r = rules[i];
  std::string id = r.id.empty() ? "(no id)" : secgroup::escaped(r.id);
  std::string line = at.rule_lines.size() > i && at.rule_lines[i] != 0
                         ? " line " + std::to_string(at.rule_lines[i])
                         : std::string();
  return id + line + ": " + described[i];
}
}  // namespace detail_report

/// Writes the text of one group's report: its title line, its Terraform notes, then each
/// finding with its details.
inline void write_text_group(std::ostream& out, const located_report& lr,
                             const text_options& o = {}) {
  using namespace detail_report;
  const std::string pad(11, ' ');
  const auto& r = lr.report;
  std::size_t shown = 0, hidden = 0;
  for (const auto& f : r.findings) (f.suppressed ? hidden : shown) += 1;
  // Findings name the same rules over and over: each rule's text is built once.
  const rule_descriptions described(r.rules);
  std::vector<std::string> lines(r.rules.size());  // rule_line() of each rule, once met
  auto line_of = [&](std::uint32_t i) -> const std::string& {
    if (lines[i].empty()) lines[i] = rule_line(r.rules, described, lr.location, i);
    return lines[i];
  };
  out << paint(o, "1", line_text(r.source) + ": " + group_title(r)) << ": ";
  out << (shown == 0 ? std::string("no findings")
                     : std::to_string(shown) + (shown == 1 ? " finding" : " findings"));
  if (hidden) out << " (" << hidden << " suppressed)";
  out << "\n";
  if (lr.terraform)
    for (const auto& n : lr.terraform->notes)
      out << "  " << paint(o, "2", "note     ") << " " << line_text(n.field) << ": "
          << line_text(n.message) << "\n";
  for (const auto& f : r.findings) {
    if (f.suppressed && !o.show_suppressed) continue;
    const auto& check = check_of(f.check);
    std::string level = f.suppressed ? std::string("suppressed") : std::string(to_string(f.level));
    level.resize(std::max<std::size_t>(level.size(), 9), ' ');
    out << "  " << paint(o, f.suppressed ? "2" : color_of(f.level), level) << " "
        << paint(o, "1", std::string(check.id)) << " " << check.name << ": " << line_text(f.message)
        << "\n";
    if (f.suppressed) out << pad << paint(o, "2", "reason  ") << line_text(*f.suppressed) << "\n";
    if (f.witness)
      out << pad << paint(o, "2", "witness ") << describe_witness(*f.witness, described) << "\n";
    for (auto i : f.rules) out << pad << paint(o, "2", "rule    ") << line_of(i) << "\n";
    if (f.by_default) out << pad << paint(o, "2", "rule    ") << "the default policy takes part\n";
    for (auto i : f.related) out << pad << paint(o, "2", "related ") << line_of(i) << "\n";
    if (o.show_fix && !f.suppressed) out << pad << paint(o, "2", "fix     ") << check.fix << "\n";
  }
}

/// Writes the closing lines of a text report: the run's notes, the counts, then PASSED or
/// FAILED.
inline void write_text_summary(std::ostream& out, const run_outcome& run,
                               const text_options& o = {}) {
  using namespace detail_report;
  for (const auto& n : run.notes) out << line_text(n) << "\n";
  const auto& t = run.findings;
  out << "\n"
      << run.groups << (run.groups == 1 ? " group" : " groups") << " in " << run.files.size()
      << (run.files.size() == 1 ? " file" : " files") << ": ";
  std::string parts;
  for (std::size_t k = all_severities.size(); k-- > 0;)
    if (t.by_severity[k])
      parts += (parts.empty() ? "" : ", ") + std::to_string(t.by_severity[k]) + " " +
               std::string(to_string(all_severities[k]));
  out << (parts.empty() ? std::string("no findings") : parts);
  if (t.undecided) out << " (" << t.undecided << " undecided until apply)";
  if (t.suppressed) out << " (" << t.suppressed << " suppressed)";
  out << "\n";
  out << (run.failed ? paint(o, "1;31", "FAILED") : paint(o, "1;32", "PASSED")) << " ("
      << threshold_setting(run.threshold, o.threshold) << ")\n";
}

/// Writes the text report of `run`: each group's, then the summary.
inline void write_text(std::ostream& out, const lint_run& run, const text_options& o = {}) {
  for (const auto& lr : run.groups) write_text_group(out, lr, o);
  write_text_summary(out, run.outcome(), o);
}

/// The text report written as lint_each() hands on the reports: each group as soon as it is
/// linted, the summary at the end (finish()). The three report writers (text, JSON, SARIF)
/// share this shape: constructed on a stream, add() per group, finish() with the outcome.
class text_report_writer {
 public:
  explicit text_report_writer(std::ostream& out, text_options o = {}) : out_(out), o_(o) {}
  /// Writes the report of the next group.
  void add(const located_report& lr) { write_text_group(out_, lr, o_); }
  /// What add(lr) writes, made apart from the writer: lint_each() renders reports on its
  /// threads (see rendering_writer), then hands each on with add(lr, rendered).
  std::string render(const located_report& lr) const {
    std::ostringstream text;
    write_text_group(text, lr, o_);
    return text.str();
  }
  /// Writes the report of the next group, `rendered` being render(lr).
  void add(const located_report&, std::string&& rendered) { out_ << rendered; }
  /// Writes the summary; `outcome` is what lint_each() returned.
  void finish(const run_outcome& outcome) { write_text_summary(out_, outcome, o_); }

 private:
  std::ostream& out_;
  text_options o_;
};

// -- JSON -----------------------------------------------------------------------------------

/// Writes the witness to a JSON sink (io/json_sink.hpp): packet text and parts, action,
/// deciding rule id/position or default.
template <class Sink>
void write_witness_json(Sink& o, const analysis::query_witness& w, const std::vector<rule>& rules) {
  const rule* r = w.decision.by_default() ? nullptr : &rules[w.decision.rule];
  o.begin_object();
  o.field("packet", to_string(w.packet));
  write_packet_fields(o, w.packet);
  o.field("action", to_string(w.decision.action));
  o.field("rule_id", r ? std::optional<std::string_view>(r->id) : std::nullopt);
  o.field("position", r ? std::optional(r->position) : std::nullopt);
  o.field("default", w.decision.by_default());
  o.end_object();
}

/// The witness as JSON (write_witness_json()).
inline json witness_json(const analysis::query_witness& w, const std::vector<rule>& rules) {
  json_builder b;
  write_witness_json(b, w, rules);
  return b.take();
}

/// Writes rule `i` of `rules`, as a finding refers to it, to a JSON sink.
template <class Sink>
void write_rule_json(Sink& o, const std::vector<rule>& rules, const source_location& at,
                     std::uint32_t i) {
  const auto& r = rules[i];
  o.begin_object();
  o.field("id", r.id.empty() ? std::nullopt : std::optional<std::string_view>(r.id));
  o.field("position", r.position);
  o.field("default_rule", !r.editable && is_default_rule_id(r.id));
  o.field("line", at.rule_lines.size() > i && at.rule_lines[i] != 0
                      ? std::optional(at.rule_lines[i])
                      : std::nullopt);
  o.field("rule", to_string(r));
  o.end_object();
}

/// Writes one group's report to a JSON sink, as an element of the report's "groups".
template <class Sink>
void write_group_json(Sink& o, const located_report& lr) {
  const auto& r = lr.report;
  o.begin_object();
  o.field("source", r.source);
  o.field("id", r.group.id);
  o.field("name", r.group.name);
  o.field("line", lr.location.group_line ? std::optional(lr.location.group_line) : std::nullopt);
  if (lr.terraform) {
    o.field("address", r.address);
    o.field("change", to_string(lr.terraform->change));
    o.field("file", lr.located_file());
    array_field(o, "unknown", [&] {
      for (const auto& field : lr.terraform->unknown) o.value(field);
    });
    array_field(o, "notes", [&] {
      for (const auto& n : lr.terraform->notes) {
        o.begin_object();
        o.field("field", n.field);
        o.field("message", n.message);
        o.end_object();
      }
    });
  }
  // Findings name the same rules over and over: each rule's JSON is made once.
  std::vector<std::optional<typename Sink::fragment>> rule_jsons(r.rules.size());
  auto rule_refs = [&](std::string_view key, const std::vector<std::uint32_t>& indices) {
    array_field(o, key, [&] {
      for (auto i : indices)
        o.fragment_value(rule_jsons[i],
                         [&](Sink& made) { write_rule_json(made, r.rules, lr.location, i); });
    });
  };
  array_field(o, "findings", [&] {
    for (const auto& f : r.findings) {
      const auto& check = check_of(f.check);
      o.begin_object();
      o.field("check", f.check);
      o.field("name", check.name);
      o.field("title", check.title);
      o.field("severity", to_string(f.level));
      o.field("subject", f.subject);
      o.field("message", f.message);
      std::optional<std::uint32_t> line;  // of the first rule it is about, else of its group
      if (!f.rules.empty())
        line = lr.location.known_line_of_rule(f.rules.front());
      else if (lr.location.group_line != 0)
        line = lr.location.group_line;
      o.field("line", line);
      o.key("witness");
      if (f.witness)
        write_witness_json(o, *f.witness, r.rules);
      else
        o.value(nullptr);
      rule_refs("rules", f.rules);
      rule_refs("related", f.related);
      o.field("default_policy", f.by_default);
      o.field("fix", check.fix);
      o.field("suppressed", f.suppressed);
      if (lr.terraform) o.field("undecided", f.undecided);
      o.end_object();
    }
  });
  o.end_object();
}

/// The JSON of one group's report, as an element of the report's "groups".
inline json group_json(const located_report& lr) {
  json_builder b;
  write_group_json(b, lr);
  return b.take();
}

/// The JSON report of a run that added up to `outcome`, with "groups" an empty array.
inline json json_report_head(const run_outcome& outcome) {
  json doc;
  doc["version"] = 1;
  doc["tool"] = {{"name", "secgroup"}, {"version", version_string}};
  doc["fail_on"] = threshold_text(outcome.threshold);
  const auto& t = outcome.findings;
  doc["failed"] = outcome.failed;
  json by = json::object();
  for (auto s : all_severities)
    by[std::string(to_string(s))] = t.by_severity[static_cast<std::size_t>(s)];
  doc["summary"] = {{"files", outcome.files.size()},
                    {"groups", outcome.groups},
                    {"findings", t.total()},
                    {"suppressed", t.suppressed},
                    {"by_severity", by}};
  if (outcome.terraform) {
    doc["summary"]["undecided"] = t.undecided;
    doc["notes"] = outcome.notes;
  }
  doc["groups"] = json::array();
  return doc;
}

/// Returns the JSON report of `run`.
inline json json_report(const lint_run& run) {
  json doc = json_report_head(run.outcome());
  for (const auto& lr : run.groups) doc["groups"].push_back(group_json(lr));
  return doc;
}

/// The JSON report written as lint_each() hands on the reports: each group's JSON is spooled
/// (io/json_spool.hpp) the moment it is made, so memory holds one report, not the run's.
/// finish() then writes byte for byte what write_json() of the run keeping every report would.
class json_report_writer {
 public:
  explicit json_report_writer(std::ostream& out) : out_(out) {}
  /// Adds the report of the next group.
  void add(const located_report& lr) { add(lr, render(lr)); }
  /// The group's JSON as add(lr) spools it, made apart from the writer (see rendering_writer).
  std::string render(const located_report& lr) const {
    std::string text;
    json_text o(text, groups_.element_indent());
    write_group_json(o, lr);
    return text;
  }
  /// Adds the report of the next group, `rendered` being render(lr).
  void add(const located_report&, std::string&& rendered) { groups_.append_dumped(rendered, 1); }
  /// Writes the report, indented, with a final newline; `outcome` is what lint_each() returned.
  void finish(const run_outcome& outcome) {
    write_spliced(out_, json_report_head(outcome), "groups", 2, groups_);
  }

 private:
  std::ostream& out_;
  json_spool groups_{2};
};

/// Writes the catalogue of checks with their configured severity and state: a text table, or
/// JSON (`json` true) as an array of {id, name, title, severity, enabled, rationale, fix}.
inline void write_catalogue(std::ostream& out, const lint_config& config, bool as_json) {
  if (as_json) {
    json arr = json::array();
    for (const auto& c : checks) {
      const auto& s = config.setting(c.id);
      arr.push_back({{"id", c.id},
                     {"name", c.name},
                     {"title", c.title},
                     {"severity", to_string(s.level)},
                     {"enabled", s.enabled},
                     {"rationale", c.rationale},
                     {"fix", c.fix}});
    }
    out << arr.dump(2) << "\n";
    return;
  }
  for (const auto& c : checks) {
    const auto& s = config.setting(c.id);
    std::string level(to_string(s.level)), name(c.name);
    level.resize(9, ' ');
    name.resize(32, ' ');
    out << c.id << "  " << level << (s.enabled ? "on   " : "off  ") << name << c.title << "\n";
  }
}

/// Writes the JSON report of `run`, indented, with a final newline.
inline void write_json(std::ostream& out, const lint_run& run) {
  out << json_report(run).dump(2) << "\n";
}

}  // namespace lint
SECGROUP_END_NAMESPACE
