// secgroup/lint/sarif.hpp: a lint run as SARIF 2.1.0, as GitHub code scanning ingests it.
//
// One run; tool.driver names secgroup and lists every check of the catalogue as a reporting
// descriptor (id, name, shortDescription = title, fullDescription = rationale, help = fix,
// defaultConfiguration {level, enabled} from the configuration, properties.tags and
// properties["security-severity"], which GitHub uses to rank alerts: critical 9.5, high 8.0,
// medium 5.5, low 3.0, info 1.0). Each finding is a result: ruleId and ruleIndex, level
// (critical/high: error, medium: warning, low/info: note), message.text (message and witness),
// one location (the file as a relative URI when the path is relative, a file:// URI otherwise,
// and the line of the first rule it is about, else of its group, else 1; for a group read from
// Terraform, its resource block in the .tf file when located, else its address in the
// document), related locations
// for the other rules, partialFingerprints (a stable hash of check, group and subject, so
// alerts survive line moves) and, when suppressed, suppressions [{kind: external,
// justification}].
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../detail/text.hpp"
#include "../io/json.hpp"
#include "../io/json_sink.hpp"
#include "../io/json_spool.hpp"
#include "../version.hpp"
#include "catalogue.hpp"
#include "config.hpp"
#include "report.hpp"
#include "run.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace lint {

inline constexpr std::string_view sarif_schema = "https://json.schemastore.org/sarif-2.1.0.json";

/// SARIF result level of a severity: "error", "warning" or "note".
constexpr std::string_view sarif_level(severity s) {
  return s >= severity::high ? "error" : s == severity::medium ? "warning" : "note";
}

/// GitHub's security-severity score of a severity, as SARIF wants it (a string).
constexpr std::string_view security_severity(severity s) {
  switch (s) {
    case severity::critical:
      return "9.5";
    case severity::high:
      return "8.0";
    case severity::medium:
      return "5.5";
    case severity::low:
      return "3.0";
    case severity::info:
      return "1.0";
  }
  return "1.0";
}

/// Returns `path` as a SARIF artifact URI: relative paths stay relative (with '/'), absolute
/// ones become file:// URIs; characters outside RFC 3986 unreserved, '/' and ':' are
/// percent-encoded.
inline std::string artifact_uri(const std::string& path) {
  const std::filesystem::path p(path);
  return (p.is_absolute() ? "file://" : "") +
         secgroup::detail::percent_encode(p.lexically_normal().generic_string(), "/:");
}

/// A stable 64-bit FNV-1a hash, in hexadecimal.
inline std::string fingerprint(std::string_view text) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = hex[h & 15];
  return out;
}

/// Writes the SARIF result of each finding of `lr`, in order, to a JSON sink
/// (io/json_sink.hpp) as values where it stands (elements of "results").
template <class Sink>
void write_sarif_results(Sink& o, const located_report& lr) {
  const auto& r = lr.report;
  const std::string uri = artifact_uri(lr.located_file());
  // A location object; a related one adds its id and message.
  auto location = [&](std::uint32_t line, int id = 0, std::string_view text = {}) {
    o.begin_object();
    object_field(o, "physicalLocation", [&] {
      object_field(o, "artifactLocation", [&] { o.field("uri", uri); });
      object_field(o, "region", [&] { o.field("startLine", line); });
    });
    if (id) {
      o.field("id", id);
      object_field(o, "message", [&] { o.field("text", text); });
    }
    o.end_object();
  };
  // Findings name the same rules and group over and over: each is worded once.
  const rule_descriptions described(r.rules);
  const std::string group_text = " Group: " + detail_report::group_title(r) + ".";
  const std::string& group_key = !r.address.empty()   ? r.address
                                 : r.group.id.empty() ? r.group.name
                                                      : r.group.id;
  for (const auto& f : r.findings) {
    o.begin_object();
    o.field("ruleId", f.check);
    o.field("ruleIndex", lint_config::index(f.check));
    o.field("level", sarif_level(f.level));
    std::string text = f.message + ".";
    if (f.witness) text += " Witness: " + describe_witness(*f.witness, described) + ".";
    text += group_text;
    object_field(o, "message", [&] { o.field("text", text); });
    const std::uint32_t line = f.rules.empty()
                                   ? (lr.location.group_line ? lr.location.group_line : 1)
                                   : lr.location.line_of_rule(f.rules.front());
    array_field(o, "locations", [&] { location(line); });
    if (f.rules.size() > 1 || !f.related.empty()) {
      array_field(o, "relatedLocations", [&] {
        int id = 1;
        auto related = [&](std::uint32_t i) {
          location(lr.location.line_of_rule(i), id++, described[i]);
        };
        for (std::size_t k = 1; k < f.rules.size(); ++k) related(f.rules[k]);
        for (auto i : f.related) related(i);
      });
    }
    object_field(o, "partialFingerprints", [&] {
      o.field("secgroupFinding/v1", fingerprint(f.check + "|" + group_key + "|" + f.subject));
    });
    object_field(o, "properties", [&] {
      o.field("severity", to_string(f.level));
      object_field(o, "group", [&] {
        o.field("id", r.group.id);
        o.field("name", r.group.name);
        if (lr.terraform) o.field("address", r.address);
      });
      if (lr.terraform) o.field("undecided", f.undecided);
      if (f.witness) {
        o.key("witness");
        write_witness_json(o, *f.witness, r.rules);
      }
      array_field(o, "rules", [&] {
        for (auto i : f.rules) o.value(r.rules[i].id);
      });
      o.field("default_policy", f.by_default);
    });
    if (f.suppressed) {
      array_field(o, "suppressions", [&] {
        o.begin_object();
        o.field("kind", "external");
        o.field("justification", *f.suppressed);
        o.end_object();
      });
    }
    o.end_object();
  }
}

/// Adds to `files` the file `lr`'s lines refer to when it is not an input (a Terraform group's
/// .tf file) and not there yet: the artifacts are the inputs, then the .tf files located.
inline void add_located_file(std::vector<std::string>& files, const located_report& lr) {
  if (!lr.file.empty() && std::find(files.begin(), files.end(), lr.file) == files.end())
    files.push_back(lr.file);
}

/// The SARIF 2.1.0 log naming `files` as artifacts, with an empty results array; `config` gives
/// the checks' configured levels.
inline json sarif_log(const std::vector<std::string>& files, const lint_config& config) {
  json rules = json::array();
  for (const auto& c : checks) {
    const auto& s = config.setting(c.id);
    json r;
    r["id"] = c.id;
    r["name"] = c.name;
    r["shortDescription"] = {{"text", c.title}};
    r["fullDescription"] = {{"text", c.rationale}};
    r["help"] = {{"text", c.fix},
                 {"markdown", "**" + std::string(c.title) + "**\n\n" + std::string(c.rationale) +
                                  "\n\n**Fix:** " + std::string(c.fix)}};
    r["defaultConfiguration"] = {{"level", sarif_level(s.level)}, {"enabled", s.enabled}};
    r["properties"] = {{"tags", json::array({"security", "network", "security-group"})},
                       {"precision", "very-high"},
                       {"problem.severity", s.level >= severity::high     ? "error"
                                            : s.level == severity::medium ? "warning"
                                                                          : "recommendation"},
                       {"security-severity", security_severity(s.level)}};
    rules.push_back(std::move(r));
  }
  json artifacts = json::array();
  for (const auto& file : files) artifacts.push_back({{"location", {{"uri", artifact_uri(file)}}}});
  json driver;
  driver["name"] = "secgroup";
  driver["version"] = version_string;
  driver["semanticVersion"] = version_string;
  driver["rules"] = std::move(rules);
  json one;
  one["tool"] = {{"driver", std::move(driver)}};
  one["artifacts"] = std::move(artifacts);
  one["results"] = json::array();
  one["columnKind"] = "unicodeCodePoints";
  json doc;
  doc["$schema"] = sarif_schema;
  doc["version"] = "2.1.0";
  doc["runs"] = json::array({std::move(one)});
  return doc;
}

/// Returns the SARIF 2.1.0 log of `run`; `config` gives the checks' configured levels.
inline json to_sarif(const lint_run& run, const lint_config& config = {}) {
  std::vector<std::string> files = run.files;
  json_builder results;
  results.begin_array();
  for (const auto& lr : run.groups) {
    add_located_file(files, lr);
    write_sarif_results(results, lr);
  }
  results.end_array();
  json doc = sarif_log(files, config);
  doc["runs"][0]["results"] = results.take();
  return doc;
}

/// Writes the SARIF log of `run`, indented, with a final newline.
inline void write_sarif(std::ostream& out, const lint_run& run, const lint_config& config = {}) {
  out << to_sarif(run, config).dump(2) << "\n";
}

/// The SARIF log written as lint_each() hands on the reports: each result is spooled
/// (io/json_spool.hpp) the moment it is made, so memory holds one report, not the run's.
/// finish() then writes byte for byte what write_sarif() of the run keeping every report would.
class sarif_report_writer {
 public:
  /// `config` gives the checks' configured levels (copied: the writer outlives no argument).
  sarif_report_writer(std::ostream& out, lint_config config)
      : out_(out), config_(std::move(config)) {}
  /// Adds the report of the next group.
  void add(const located_report& lr) { add(lr, render(lr)); }
  /// The results of a report as add() spools them: `count` of them, joined in `text`.
  struct rendered_results {
    std::string text;
    std::size_t count = 0;
  };
  /// The results of `lr`, made apart from the writer (see rendering_writer).
  rendered_results render(const located_report& lr) const {
    rendered_results out;
    json_text o(out.text, results_.element_indent());
    write_sarif_results(o, lr);
    out.count = o.count();
    return out;
  }
  /// Adds the report of the next group, `rendered` being render(lr).
  void add(const located_report& lr, rendered_results&& rendered) {
    add_located_file(located_files_, lr);
    results_.append_dumped(rendered.text, rendered.count);
  }
  /// Writes the log, indented, with a final newline; `outcome` is what lint_each() returned.
  void finish(const run_outcome& outcome) {
    std::vector<std::string> files = outcome.files;
    for (const auto& f : located_files_)
      if (std::find(files.begin(), files.end(), f) == files.end()) files.push_back(f);
    write_spliced(out_, sarif_log(files, config_), "results", 6, results_);
  }

 private:
  std::ostream& out_;
  lint_config config_;
  std::vector<std::string> located_files_;  // the .tf files located, in order
  json_spool results_{6};
};

}  // namespace lint
SECGROUP_END_NAMESPACE
