// secgroup/lint/review_report.hpp: a review (review.hpp) as terminal text, JSON, Markdown ready
// to post as a pull-request comment, or SARIF 2.1.0.
//
// Every format says the same things: per group its address and name, its change, one sentence
// on its traffic (group_review::summary()), the opened and closed items with their witness
// packets and both decisions, the findings introduced and resolved, the unknown values and the
// notes; then the counts and the verdict (PASSED, FAILED or UNDECIDED against --fail-on).
// - Text: one header line per group, then an indented line per item; values from input are
//   escaped (detail::escaped(), docs/cli.md), so every line is one line.
// - JSON: {"version", "tool", "sources", "fail_on", "failed", "undecided", "exit_code",
//   "summary", "groups": [...]}; documented in docs/review.md.
// - Markdown: a heading, the verdict, and a table per group (items, then findings), witnesses
//   in code spans; a table of more than 10 rows folds into <details>. Text from input is
//   escaped for Markdown and HTML.
// - SARIF: lint's log and reporting descriptors (sarif_log()) plus one for opened traffic
//   (`review.opened`); a result per introduced finding and per opened item, located at the
//   group's resource block (or its line in the file), with its Terraform address (else its
//   name or id) as a logical location, and fingerprints stable across line moves.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "../config.hpp"
#include "../detail/text.hpp"
#include "../format.hpp"
#include "../io/json.hpp"
#include "../version.hpp"
#include "catalogue.hpp"
#include "report.hpp"
#include "review.hpp"
#include "sarif.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace lint {

/// \cond
namespace detail_review {

/// "scaleway_instance_security_group.web (web)", "web (ID)", "ID": the group, escaped.
inline std::string title(const group_review& g) {
  const auto name = secgroup::escaped(g.name), id = secgroup::escaped(g.id);
  if (!g.address.empty())
    return secgroup::escaped(g.address) + (name.empty() ? "" : " (" + name + ")");
  if (name.empty()) return id.empty() ? std::string("(unnamed group)") : id;
  return id.empty() ? name : name + " (" + id + ")";
}

/// The change as a word: "create", "update", "replace", "destroy", "forget".
inline std::string change_word(const group_review& g) { return std::string(to_string(g.change)); }

/// "drop by the default policy", or "no group" for the side before a creation.
inline std::string before_text(const group_review& g, const decision& d) {
  if (g.change == terraform_change::create) return "no group";
  return decision_text(d, g.rules_before);
}

/// "inbound tcp 8.8.8.8 22: before no group, after accept by rule at position 1".
inline std::string witness_text(const group_review& g, const traffic_change& t) {
  return to_string(t.witness.packet) + ": before " + before_text(g, t.witness.a) + ", after " +
         decision_text(t.witness.b, g.rules_after);
}

/// The rules a finding's indices refer to: after the change for introduced findings.
inline const std::vector<rule>& rules_of(const group_review& g, bool introduced) {
  static const std::vector<rule> none;
  const auto& r = introduced ? g.lint_after : g.lint_before;
  return r ? r->rules : none;
}

/// The undecided findings of `findings`, grouped by message: (message, "SG001 (critical),
/// SG002 (critical)"), in order of first appearance.
inline std::vector<std::pair<std::string, std::string>> undecided_lines(
    const std::vector<finding>& findings) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& f : findings) {
    if (!f.undecided) continue;
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const auto& line) { return line.first == f.message; });
    if (it == out.end()) it = out.insert(out.end(), {f.message, ""});
    it->second += (it->second.empty() ? "" : ", ") + f.check + " (" +
                  std::string(to_string(f.level)) + (f.suppressed ? ", suppressed" : "") + ")";
  }
  return out;
}

inline std::string count(std::size_t n, std::string_view what) {
  return std::to_string(n) + " " + std::string(what) + (n == 1 ? "" : "s");
}

/// "3 groups changed (1 created, 1 updated, 1 deleted; 2 unchanged): 3 regions opened, 1
/// closed; 2 findings introduced, 1 resolved".
inline std::string totals(const review_result& r) {
  std::size_t created = 0, updated = 0, deleted = 0, opened = 0, closed = 0, introduced = 0,
              resolved = 0;
  for (const auto& g : r.groups) {
    created += g.change == terraform_change::create;
    deleted += !g.lint_after;
    updated += g.lint_after && g.change != terraform_change::create;
    opened += g.opened.size();
    closed += g.closed.size();
    introduced += g.introduced.size();
    resolved += g.resolved.size();
  }
  std::string parts;
  auto add = [&](std::size_t n, const char* what) {
    if (n) parts += (parts.empty() ? "" : ", ") + std::to_string(n) + " " + what;
  };
  add(created, "created");
  add(updated, "updated");
  add(deleted, "deleted");
  if (r.unchanged_groups)
    parts += (parts.empty() ? "" : "; ") + std::to_string(r.unchanged_groups) + " unchanged";
  return count(r.groups.size(), "group") + " changed" + (parts.empty() ? "" : " (" + parts + ")") +
         ": " + count(opened, "region") + " opened, " + std::to_string(closed) + " closed; " +
         count(introduced, "finding") + " introduced, " + std::to_string(resolved) + " resolved";
}

/// "PASSED", "FAILED" or "UNDECIDED".
inline std::string verdict_word(const review_result& r) {
  return r.failed() ? "FAILED" : r.undecided() ? "UNDECIDED" : "PASSED";
}

/// What the verdict means, one sentence.
inline std::string verdict_reason(const review_result& r) {
  const std::string at = threshold_text(r.threshold);
  if (r.failed()) return "the change introduces findings at or above " + at;
  if (r.undecided())
    return "the verdict depends on values unknown until apply (no finding at or above " + at +
           " is introduced for sure)";
  return "the change introduces no finding at or above " + at;
}

}  // namespace detail_review
/// \endcond

// -- Text -----------------------------------------------------------------------------------

/// Writes the text of review `r`: each group, then the totals and the verdict, its threshold
/// named as `style` says.
inline void write_review_text(std::ostream& out, const review_result& r,
                              threshold_style style = threshold_style::cli_option) {
  using namespace detail_review;
  using detail_report::line_text;
  if (r.groups.empty()) out << "the change leaves every security group as it is\n";
  for (const auto& g : r.groups) {
    out << line_text(g.source) << ": " << title(g) << ": " << change_word(g) << ": "
        << line_text(g.summary()) << "\n";
    for (const auto& n : g.notes) out << "  note       " << line_text(n) << "\n";
    for (const auto* items : {&g.opened, &g.closed})
      for (const auto& t : *items) {
        out << "  " << (t.opened ? "opens      " : "closes     ")
            << t.text.substr(t.text.find(' ') + 1) << "\n";
        out << "             witness " << witness_text(g, t) << "\n";
      }
    for (bool introduced : {true, false})
      for (const auto& f : introduced ? g.introduced : g.resolved) {
        if (introduced && f.undecided) continue;  // below, one line per message
        std::string level(to_string(f.level));
        level.resize(9, ' ');
        out << "  " << (introduced ? "introduces " : "resolves   ") << level << f.check << " "
            << check_of(f.check).name << ": " << line_text(f.message)
            << (f.suppressed ? " (suppressed)" : "") << "\n";
        if (f.witness)
          out << "             witness " << describe_witness(*f.witness, rules_of(g, introduced))
              << "\n";
      }
    for (const auto& [message, ids] : undecided_lines(g.introduced))
      out << "  undecided  " << ids << ": " << line_text(message) << "\n";
  }
  out << "\n" << totals(r) << "\n";
  out << verdict_word(r) << " (" << threshold_setting(r.threshold, style) << ")\n";
}

// -- JSON -----------------------------------------------------------------------------------

/// \cond
namespace detail_review {
inline json item_json(const group_review& g, const traffic_change& t) {
  json j;
  j["text"] = t.text;
  j["direction"] = to_string(t.direction);
  j["protocol"] = to_string(t.protocol);
  if (has_ports(t.protocol)) {
    json ports = json::array();
    for (const auto& p : t.ports) ports.push_back({{"from", p.lo}, {"to", p.hi}});
    j["ports"] = std::move(ports);
  } else {
    j["ports"] = nullptr;
  }
  json addresses = json::object();
  for (auto f : both_families) {
    json nets = json::array();
    for (const auto& n : networks_of(t.addresses[index_of(f)], f)) nets.push_back(to_string(n));
    addresses[std::string(to_string(f))] = std::move(nets);
  }
  j["addresses"] = std::move(addresses);
  j["internet"] = t.internet;
  j["witness"] = {{"packet", to_string(t.witness.packet)},
                  {"before", before_text(g, t.witness.a)},
                  {"after", decision_text(t.witness.b, g.rules_after)}};
  return j;
}

inline json finding_json(const finding& f, const std::vector<rule>& rules) {
  json j;
  j["check"] = f.check;
  j["name"] = check_of(f.check).name;
  j["severity"] = to_string(f.level);
  j["subject"] = f.subject;
  j["identity"] = finding_identity(f, rules);
  j["message"] = f.message;
  j["undecided"] = f.undecided;
  j["suppressed"] = f.suppressed ? json(*f.suppressed) : json(nullptr);
  j["witness"] = f.witness ? witness_json(*f.witness, rules) : json(nullptr);
  json rs = json::array();
  for (auto i : f.rules) rs.push_back(describe_rule(rules[i]));
  j["rules"] = std::move(rs);
  return j;
}
}  // namespace detail_review
/// \endcond

/// Returns the JSON document of review `r` (docs/review.md).
inline json review_json(const review_result& r) {
  using namespace detail_review;
  json doc;
  doc["version"] = 1;
  doc["tool"] = {{"name", "secgroup"}, {"version", version_string}};
  doc["sources"] = r.sources;
  doc["fail_on"] = threshold_text(r.threshold);
  doc["failed"] = r.failed();
  doc["undecided"] = r.undecided();
  doc["exit_code"] = r.exit_code();
  std::size_t opened = 0, closed = 0, introduced = 0, resolved = 0;
  json groups = json::array();
  for (const auto& g : r.groups) {
    opened += g.opened.size();
    closed += g.closed.size();
    introduced += g.introduced.size();
    resolved += g.resolved.size();
    json j;
    j["address"] = g.address;
    j["id"] = g.id;
    j["name"] = g.name;
    j["change"] = to_string(g.change);
    j["source"] = g.source;
    j["file"] = g.file.empty() ? g.source : g.file;
    j["line"] = g.line ? json(g.line) : json(nullptr);
    j["traffic"] = to_string(g.traffic);
    j["rules"] = g.traffic != traffic_outcome::unchanged || g.change == terraform_change::create
                     ? json(nullptr)
                 : g.edit == rules_edit::none      ? json("unchanged")
                 : g.edit == rules_edit::reordered ? json("reordered")
                                                   : json("rewritten");
    j["summary"] = g.summary();
    j["unknown"] = g.unknown;
    j["notes"] = g.notes;
    json o = json::array(), c = json::array(), in = json::array(), re = json::array();
    for (const auto& t : g.opened) o.push_back(item_json(g, t));
    for (const auto& t : g.closed) c.push_back(item_json(g, t));
    for (const auto& f : g.introduced) in.push_back(finding_json(f, rules_of(g, true)));
    for (const auto& f : g.resolved) re.push_back(finding_json(f, rules_of(g, false)));
    j["opened"] = std::move(o);
    j["closed"] = std::move(c);
    j["introduced"] = std::move(in);
    j["resolved"] = std::move(re);
    groups.push_back(std::move(j));
  }
  doc["summary"] = {{"groups", r.groups.size()}, {"unchanged_groups", r.unchanged_groups},
                    {"opened", opened},          {"closed", closed},
                    {"introduced", introduced},  {"resolved", resolved}};
  doc["groups"] = std::move(groups);
  return doc;
}

// -- Markdown -------------------------------------------------------------------------------

/// \cond
namespace detail_review {
/// `s` as Markdown text in a table cell: Markdown punctuation backslash-escaped, HTML
/// characters as entities, line breaks as spaces.
inline std::string md(std::string_view s) {
  std::string out;
  for (char c : secgroup::escaped(s)) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '|':
      case '#':
      case '~':
        out += '\\';
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

/// `s` as a code span in a table cell (backticks become quotes, '|' is escaped).
inline std::string md_code(std::string_view s) {
  std::string out = "`";
  for (char c : secgroup::escaped(s)) {
    if (c == '`')
      out += '\'';
    else if (c == '|')
      out += "\\|";
    else
      out += c;
  }
  return out + "`";
}
}  // namespace detail_review
/// \endcond

/// Writes review `r` as Markdown for a pull-request comment: a heading, the verdict and
/// totals (the threshold named as `style` says), then per group a heading, its summary, notes,
/// unknown values and a table.
inline void write_review_markdown(std::ostream& out, const review_result& r,
                                  threshold_style style = threshold_style::cli_option) {
  using namespace detail_review;
  const std::string word = verdict_word(r);
  const char* icon = r.failed() ? "❌" : r.undecided() ? "❔" : "✅";
  out << "## secgroup review\n\n";
  out << icon << " **" << word << "** (`" << threshold_setting(r.threshold, style)
      << "`): " << md(verdict_reason(r)) << ".\n\n";
  std::string sources;
  for (const auto& s : r.sources) sources += (sources.empty() ? "" : " → ") + md_code(s);
  out << sources << ": " << md(totals(r)) << ".\n";
  for (const auto& g : r.groups) {
    out << "\n### " << md_code(g.address.empty() ? (g.name.empty() ? g.id : g.name) : g.address);
    if (!g.address.empty() && !g.name.empty()) out << " (" << md(g.name) << ")";
    out << ": " << md(change_word(g)) << "\n\n";
    if (g.traffic == traffic_outcome::undecided) {  // the values as code spans
      std::vector<std::string> values;
      for (const auto& u : g.unknown) values.push_back(md_code(u));
      out << "Not compared: unknown until apply: " << joined_list(values) << ".\n";
    } else {
      std::string summary = g.summary();
      summary[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(summary[0])));
      out << md(summary) << ".\n";
    }
    for (const auto& n : g.notes) out << "\n- " << md(n);
    if (!g.notes.empty()) out << "\n";
    std::vector<std::string> rows;
    for (const auto* items : {&g.opened, &g.closed})
      for (const auto& t : *items)
        rows.push_back("| " + std::string(t.opened ? "opens" : "closes") + " | " +
                       md(t.text.substr(t.text.find(' ') + 1)) + " | " +
                       md_code(to_string(t.witness.packet)) + ": " +
                       md(before_text(g, t.witness.a)) + " → " +
                       md(decision_text(t.witness.b, g.rules_after)) + " |");
    for (bool introduced : {true, false})
      for (const auto& f : introduced ? g.introduced : g.resolved)
        if (!introduced || !f.undecided)
          rows.push_back("| " + std::string(introduced ? "introduces" : "resolves") + " | **" +
                         std::string(to_string(f.level)) + "** " + f.check + " " +
                         std::string(check_of(f.check).name) + ": " + md(f.message) +
                         (f.suppressed ? " (suppressed)" : "") + " | " +
                         (f.witness ? md_code(to_string(f.witness->packet)) + ": " +
                                          std::string(to_string(f.witness->decision.action))
                                    : std::string()) +
                         " |");
    for (const auto& [message, ids] : undecided_lines(g.introduced))
      rows.push_back("| undecided | " + md(ids) + ": " + md(message) + " | |");
    if (rows.empty()) continue;
    const bool fold = rows.size() > 10;
    out << "\n";
    if (fold) out << "<details><summary>" << rows.size() << " rows</summary>\n\n";
    out << "| | what | witness |\n|---|---|---|\n";
    for (const auto& row : rows) out << row << "\n";
    if (fold) out << "\n</details>\n";
  }
}

// -- SARIF ----------------------------------------------------------------------------------

/// The reporting descriptor of opened traffic, after the catalogue's checks.
inline constexpr std::string_view review_opened_rule = "review.opened";

/// Returns the SARIF 2.1.0 log of review `r`; `config` gives the checks' configured levels.
inline json review_sarif(const review_result& r, const lint_config& config = {}) {
  using namespace detail_review;
  const std::size_t opened_index = checks.size();  // after the catalogue's checks
  json opened_rule;
  opened_rule["id"] = review_opened_rule;
  opened_rule["name"] = "newly-opened-traffic";
  opened_rule["shortDescription"] = {{"text", "The change opens traffic"}};
  opened_rule["fullDescription"] = {
      {"text",
       "Packets the group dropped before the change (or that no group accepted, for a "
       "created group) are accepted after it."}};
  opened_rule["help"] = {{"text", "Check that the change means to accept these packets."}};
  opened_rule["defaultConfiguration"] = {{"level", "note"}, {"enabled", true}};
  opened_rule["properties"] = {{"tags", json::array({"security", "network", "security-group"})}};
  json results = json::array();
  std::vector<std::string> files = r.sources;
  for (const auto& g : r.groups) {
    const std::string file = g.file.empty() ? g.source : g.file;
    if (std::find(files.begin(), files.end(), file) == files.end()) files.push_back(file);
    const std::string who = !g.address.empty() ? g.address : g.id.empty() ? g.name : g.id;
    auto located = [&](json res) {
      res["locations"] =
          json::array({{{"physicalLocation",
                         {{"artifactLocation", {{"uri", artifact_uri(file)}}},
                          {"region", {{"startLine", g.line ? g.line : 1}}}}},
                        {"logicalLocations",
                         json::array({{{"fullyQualifiedName", who},
                                       {"kind", g.address.empty() ? "object" : "resource"}}})}}});
      return res;
    };
    for (const auto& f : g.introduced) {
      const auto& rs = rules_of(g, true);
      json res;
      res["ruleId"] = f.check;
      res["ruleIndex"] = lint_config::index(f.check);
      res["level"] = sarif_level(f.level);
      std::string text = "Introduced by the change: " + f.message + ".";
      if (f.witness) text += " Witness: " + describe_witness(*f.witness, rs) + ".";
      text += " Group: " + title(g) + ".";
      res["message"] = {{"text", text}};
      res["partialFingerprints"] = {
          {"secgroupReview/v1", fingerprint(who + "|" + finding_identity(f, rs))}};
      json props;
      props["severity"] = to_string(f.level);
      props["group"] = {{"id", g.id}, {"name", g.name}, {"address", g.address}};
      props["undecided"] = f.undecided;
      props["change"] = to_string(g.change);
      res["properties"] = std::move(props);
      if (f.suppressed)
        res["suppressions"] =
            json::array({json{{"kind", "external"}, {"justification", *f.suppressed}}});
      results.push_back(located(std::move(res)));
    }
    for (const auto& t : g.opened) {
      json res;
      res["ruleId"] = review_opened_rule;
      res["ruleIndex"] = opened_index;
      res["level"] = t.internet ? "warning" : "note";
      res["message"] = {{"text", "The change " + t.text + ". Witness: " + witness_text(g, t) +
                                     ". Group: " + title(g) + "."}};
      res["partialFingerprints"] = {{"secgroupReview/v1", fingerprint(who + "|" + t.text)}};
      res["properties"] = {{"group", {{"id", g.id}, {"name", g.name}, {"address", g.address}}},
                           {"change", to_string(g.change)},
                           {"internet", t.internet},
                           {"traffic", item_json(g, t)}};
      results.push_back(located(std::move(res)));
    }
  }
  json doc = sarif_log(files, config);
  doc["runs"][0]["tool"]["driver"]["rules"].push_back(std::move(opened_rule));
  doc["runs"][0]["results"] = std::move(results);
  return doc;
}

}  // namespace lint
SECGROUP_END_NAMESPACE
