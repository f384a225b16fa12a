// Tests of lint runs over files and directories (inputs, exit codes, locations), of the text,
// JSON and SARIF outputs (golden files, SARIF 2.1.0's required fields checked structurally),
// and properties on random groups: every witness holds, SG001 agrees with evaluate_query over
// the internet, scan() agrees with evaluate_query, and removing a rule SG011/SG012 reports
// leaves the group equivalent (analysis::diff).
//
// Golden files live in tests/lint/data/expected/; SECGROUP_UPDATE_GOLDEN=1 rewrites them (then
// review the diff by hand).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <secgroup/analysis/diff.hpp>
#include <secgroup/analysis/query.hpp>
#include <secgroup/io/json_spool.hpp>
#include <secgroup/lint/report.hpp>
#include <secgroup/lint/run.hpp>
#include <secgroup/lint/sarif.hpp>
#include <set>
#include <sstream>

#include "lint/support.hpp"
#include "support/files.hpp"
#include "support/random_groups.hpp"

using namespace lint_test;
using secgroup::lint::lint_config;
namespace fs = std::filesystem;

namespace {

const fs::path here = fs::path(SECGROUP_SOURCE_DIR) / "tests" / "lint";
const fs::path data = here / "data";
const fs::path examples = here.parent_path().parent_path() / "examples";

using secgroup_test::read_text;

/// Compares `actual` with the golden file `name`, or rewrites it when asked.
void golden(const std::string& name, const std::string& actual) {
  const auto path = data / "expected" / name;
  if (const char* u = std::getenv("SECGROUP_UPDATE_GOLDEN"); u && std::string(u) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
    WARN("rewrote " << path);
    return;
  }
  REQUIRE(fs::exists(path));
  CHECK(actual == read_text(path));
}

/// Runs `fn` with the working directory set to `dir`.
template <class Fn>
auto in_directory(const fs::path& dir, Fn&& fn) {
  struct restore {
    fs::path old = fs::current_path();
    ~restore() { fs::current_path(old); }
  } guard;
  fs::current_path(dir);
  return fn();
}

std::string str(const fs::path& p) { return p.string(); }

// -- SARIF 2.1.0 required fields ------------------------------------------------------------

bool is_text(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() &&
         !j[key].get<std::string>().empty();
}

bool is_message(const json& j) { return j.is_object() && is_text(j, "text"); }

bool is_level(const json& j) {
  static const std::set<std::string> levels{"none", "note", "warning", "error"};
  return j.is_string() && levels.count(j.get<std::string>()) == 1;
}

bool is_location(const json& j) {
  if (!j.is_object() || !j.contains("physicalLocation")) return false;
  const auto& p = j["physicalLocation"];
  if (!p.is_object() || !p.contains("artifactLocation")) return false;
  const auto& a = p["artifactLocation"];
  if (!is_text(a, "uri")) return false;
  const auto uri = a["uri"].get<std::string>();
  if (uri.find('\\') != std::string::npos) return false;
  if (uri.front() == '/' || uri.find(' ') != std::string::npos) return false;
  if (!p.contains("region")) return true;
  const auto& r = p["region"];
  return r.is_object() && r.contains("startLine") && r["startLine"].is_number_integer() &&
         r["startLine"].get<long>() >= 1;
}

/// Checks what SARIF 2.1.0 requires and what GitHub code scanning reads.
void require_valid_sarif(const json& log) {
  REQUIRE(log.is_object());
  CHECK(is_text(log, "$schema"));
  REQUIRE(log.contains("version"));
  CHECK(log["version"] == "2.1.0");
  REQUIRE(log.contains("runs"));
  REQUIRE(log["runs"].is_array());
  REQUIRE(!log["runs"].empty());
  for (const auto& run : log["runs"]) {
    REQUIRE(run.contains("tool"));
    REQUIRE(run["tool"].contains("driver"));
    const auto& driver = run["tool"]["driver"];
    CHECK(is_text(driver, "name"));
    REQUIRE(driver.contains("rules"));
    REQUIRE(driver["rules"].is_array());
    std::vector<std::string> ids;
    for (const auto& r : driver["rules"]) {
      REQUIRE(is_text(r, "id"));
      ids.push_back(r["id"]);
      INFO(ids.back());
      CHECK(is_message(r["shortDescription"]));
      CHECK(is_message(r["fullDescription"]));
      CHECK(is_message(r["help"]));
      REQUIRE(r.contains("defaultConfiguration"));
      CHECK(is_level(r["defaultConfiguration"]["level"]));
      const auto& props = r["properties"];
      CHECK(is_text(props, "security-severity"));
      CHECK(std::stod(props["security-severity"].get<std::string>()) > 0);
    }
    CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == ids.size());
    REQUIRE(run.contains("results"));
    REQUIRE(run["results"].is_array());
    for (const auto& res : run["results"]) {
      REQUIRE(is_text(res, "ruleId"));
      INFO(res["ruleId"]);
      auto it = std::find(ids.begin(), ids.end(), res["ruleId"].get<std::string>());
      REQUIRE(it != ids.end());
      if (res.contains("ruleIndex")) CHECK(res["ruleIndex"] == it - ids.begin());
      CHECK(is_level(res["level"]));
      CHECK(is_message(res["message"]));
      REQUIRE(res.contains("locations"));
      REQUIRE(res["locations"].is_array());
      REQUIRE(!res["locations"].empty());
      for (const auto& l : res["locations"]) CHECK(is_location(l));
      if (res.contains("relatedLocations"))
        for (const auto& l : res["relatedLocations"]) {
          CHECK(is_location(l));
          CHECK(l["id"].is_number_integer());
        }
      if (res.contains("partialFingerprints"))
        for (const auto& [k, v] : res["partialFingerprints"].items()) CHECK(v.is_string());
      if (res.contains("suppressions"))
        for (const auto& s : res["suppressions"]) {
          CHECK((s["kind"] == "external" || s["kind"] == "inSource"));
          CHECK(is_text(s, "justification"));
        }
    }
  }
}

}  // namespace

// -- Inputs and exit codes ------------------------------------------------------------------

TEST_CASE(
    "run: directories expand to their *.json and *.tfstate files, sorted, hidden names "
    "skipped") {
  auto files = lint::collect_inputs({str(data / "tree"), str(data / "clean.json")});
  CHECK(files == std::vector<std::string>{(data / "tree/a/c.json").generic_string(),
                                          (data / "tree/b.json").generic_string(),
                                          str(data / "clean.json")});
  CHECK_THROWS_WITH(lint::collect_inputs({str(data / "missing.json")}),
                    Catch::Contains("secgroup.parse.109") && Catch::Contains("missing.json"));
  const auto empty = fs::temp_directory_path() / "secgroup-lint-empty-dir";
  fs::create_directories(empty);
  std::ofstream(empty / "notes.txt") << "no groups here\n";
  CHECK_THROWS_WITH(lint::collect_inputs({str(empty)}),
                    Catch::Contains("secgroup.parse.109") && Catch::Contains("no *.json"));
  // A raw Terraform state file (terraform.tfstate) is an input like a JSON document.
  fs::copy_file(examples / "terraform" / "terraform.tfstate", empty / "terraform.tfstate");
  CHECK(lint::collect_inputs({str(empty)}) ==
        std::vector<std::string>{(empty / "terraform.tfstate").generic_string()});
  fs::remove_all(empty);
}

TEST_CASE("run: exit codes follow the threshold, bad input throws before any report") {
  const auto clean = str(data / "clean.json"), ssh = str(data / "ssh-open.json");
  CHECK(lint::run_lint({clean}, {}, lint::severity::info).exit_code() == 0);
  auto run = lint::run_lint({ssh}, {}, lint::severity::low);
  CHECK(run.exit_code() == 1);
  CHECK(run.failed());
  CHECK(lint::run_lint({ssh}, {}, lint::severity::high).exit_code() == 1);
  CHECK(lint::run_lint({ssh}, {}, lint::severity::critical).exit_code() == 0);
  CHECK(lint::run_lint({ssh}, {}, std::nullopt).exit_code() == 0);
  CHECK(lint::run_lint({clean, ssh}, {}, lint::severity::low).exit_code() == 1);

  auto suppressing = lint::load_config(data / "suppress.json");
  run = lint::run_lint({clean, ssh}, suppressing, lint::severity::low);
  CHECK(run.exit_code() == 0);
  CHECK(run.unused_suppressions == std::vector<std::size_t>{1});

  try {
    lint::run_lint({clean, str(data / "bad-cidr.json")}, {}, lint::severity::low);
    FAIL("no error");
  } catch (const parse_error& e) {
    CHECK(e.id() == errc::bad_cidr);
    CHECK(e.field() == str(data / "bad-cidr.json") + ": rules[0].ip_range");
  }
}

TEST_CASE("run: lint_each hands on each report at once and adds them up as run_lint does") {
  const auto clean = str(data / "clean.json"), ssh = str(data / "ssh-open.json");
  const auto examples_dir = str(examples / "groups");
  const auto suppressing = lint::load_config(data / "suppress.json");
  for (const auto threshold :
       {lint::fail_threshold{lint::severity::low}, lint::fail_threshold{lint::severity::critical},
        lint::fail_threshold{}}) {
    const std::vector<std::string> inputs = {clean, ssh, examples_dir};
    const auto run = lint::run_lint(inputs, suppressing, threshold);
    std::ostringstream streamed;
    std::vector<std::string> order;
    lint::text_report_writer writer(streamed);
    const auto outcome = lint::lint_each(inputs, suppressing, threshold, default_max_input_size,
                                         [&](lint::located_report&& r) {
                                           order.push_back(r.report.group.id);
                                           writer.add(r);
                                         });
    writer.finish(outcome);
    std::ostringstream whole;
    lint::write_text(whole, run);
    CHECK(streamed.str() == whole.str());
    REQUIRE(order.size() == run.groups.size());
    for (std::size_t i = 0; i < order.size(); ++i) CHECK(order[i] == run.groups[i].report.group.id);
    const auto expected = run.outcome();
    CHECK(outcome.files == expected.files);
    CHECK(outcome.groups == expected.groups);
    CHECK(outcome.findings.by_severity == expected.findings.by_severity);
    CHECK(outcome.findings.suppressed == expected.findings.suppressed);
    CHECK(outcome.failed == run.failed());
    CHECK(outcome.exit_code() == run.exit_code());
    CHECK(outcome.unused_suppressions == run.unused_suppressions);
  }
  // Bad input throws before any report is handed on.
  std::size_t reports = 0;
  CHECK_THROWS_AS(
      lint::lint_each({clean, str(data / "bad-cidr.json")}, {}, lint::severity::low,
                      default_max_input_size, [&](lint::located_report&&) { ++reports; }),
      parse_error);
  CHECK(reports == 0);
}

namespace output_writers {

// Feeds `writer` the reports of lint_each() over `inputs`, then the outcome.
template <class Writer>
void streamed(const std::vector<std::string>& inputs, const lint_config& config, Writer&& writer) {
  const auto outcome = lint::lint_each(inputs, config, lint::severity::low, default_max_input_size,
                                       [&](lint::located_report&& r) { writer.add(r); });
  writer.finish(outcome);
}

}  // namespace output_writers

TEST_CASE("run: the JSON and SARIF writers write what the run keeping every report writes") {
  const auto suppressing = lint::load_config(data / "suppress.json");
  // Names, ids and a path holding what JSON escapes: the writers write text themselves
  // (io/json_sink.hpp), the run's report is nlohmann's dump of its DOM.
  const auto hostile_dir = fs::temp_directory_path() / "secgroup-lint-writers-test";
  fs::create_directories(hostile_dir);
  const auto hostile = hostile_dir / "h\u00e9 \"q\" \xc3\xa9\\.json";
  {
    json doc = json::parse(read_text(data / "ssh-open.json"));
    doc["security_group"]["name"] = "b\"a\\s\nt\ti\x01o\x7fn \xc3\xa9\xf0\x9f\x94\x92";
    doc["security_group"]["id"] = "id \"with\" \\ \x1f";
    doc["rules"][0]["id"] = "rule\n\"one\"";
    std::ofstream(hostile) << doc.dump(2);
  }
  const std::vector<std::vector<std::string>> runs = {
      {str(data / "clean.json")},
      {str(data / "clean.json"), str(data / "ssh-open.json"), str(examples / "groups")},
      {str(examples / "terraform" / "plan.json"), str(examples / "terraform" / "state.json"),
       str(data / "ssh-open.json")},
      {str(hostile)}};
  for (const auto& inputs : runs) {
    for (const auto& config : {lint_config{}, suppressing}) {
      const auto run = lint::run_lint(inputs, config, lint::severity::low);
      std::ostringstream json_whole, json_streamed, sarif_whole, sarif_streamed;
      lint::write_json(json_whole, run);
      lint::write_sarif(sarif_whole, run, config);
      output_writers::streamed(inputs, config, lint::json_report_writer(json_streamed));
      output_writers::streamed(inputs, config, lint::sarif_report_writer(sarif_streamed, config));
      CHECK(json_streamed.str() == json_whole.str());
      CHECK(sarif_streamed.str() == sarif_whole.str());
      CHECK(json::parse(json_streamed.str()) == lint::json_report(run));
    }
  }
  fs::remove_all(hostile_dir);
}

TEST_CASE("json_spool: a spliced array is what dump(2) writes, kept in memory or spilled") {
  json doc = {{"a", 1}, {"items", json::array()}, {"z", {{"nested", json::array()}}}};
  const std::vector<json> elements = {
      json{{"k", "v\nwith \"quotes\" and \"items\": []"}, {"list", {1, 2, {{"x", nullptr}}}}},
      json::array(), json::object(), json(42), json("text")};
  for (std::size_t count = 0; count <= elements.size(); ++count) {
    for (std::size_t memory_limit : {std::size_t{0}, std::size_t{1} << 20}) {
      json expected = doc;
      json_spool spool(2, memory_limit);
      for (std::size_t i = 0; i < count; ++i) {
        expected["items"].push_back(elements[i]);
        spool.push_back(elements[i]);
      }
      std::ostringstream out;
      write_spliced(out, doc, "items", 2, spool);
      CHECK(out.str() == expected.dump(2) + "\n");
      CHECK(spool.size() == count);
    }
  }
  // A nested array: the key's indentation tells it apart from a top-level one of the same name.
  json spool_doc = {{"nested", json::array()}, {"z", {{"nested", json::array()}}}};
  json expected = spool_doc;
  expected["z"]["nested"].push_back(7);
  json_spool nested(4);
  nested.push_back(7);
  std::ostringstream out;
  write_spliced(out, spool_doc, "nested", 4, nested);
  CHECK(out.str() == expected.dump(2) + "\n");
  json_spool none(2);
  std::ostringstream ignored;
  CHECK_THROWS_AS(write_spliced(ignored, spool_doc, "absent", 2, none), std::logic_error);
}

TEST_CASE("json_spool: elements written apart and appended are what push_back() spools") {
  const std::vector<json> elements = {
      json{{"k", "v\nwith \"quotes\" and \"items\": []"}, {"list", {1, 2, {{"x", nullptr}}}}},
      json::array(),
      json::object(),
      json(42),
      json("text"),
      json{{"a", {{"b", {{"c", 1}}}}}}};
  json doc = {{"a", 1}, {"items", json::array()}};
  for (std::size_t memory_limit : {std::size_t{0}, std::size_t{1} << 20}) {
    // Pushed one by one, then appended in runs of 0, 1, 2 and 3 elements, alike.
    json_spool pushed(2, memory_limit), appended(2, memory_limit);
    for (const auto& e : elements) pushed.push_back(e);
    std::size_t at = 0;
    for (std::size_t run : {0, 1, 2, 3, 0}) {
      std::string text;
      json_text writer(text, appended.element_indent());
      for (std::size_t i = at; i < at + run; ++i) write_json_value(writer, elements[i]);
      REQUIRE(writer.count() == run);
      appended.append_dumped(text, run);
      at += run;
    }
    REQUIRE(at == elements.size());
    CHECK(appended.size() == pushed.size());
    std::ostringstream from_pushed, from_appended;
    write_spliced(from_pushed, doc, "items", 2, pushed);
    write_spliced(from_appended, doc, "items", 2, appended);
    CHECK(from_appended.str() == from_pushed.str());
    json expected = doc;
    for (const auto& e : elements) expected["items"].push_back(e);
    CHECK(from_appended.str() == expected.dump(2) + "\n");
  }
}

TEST_CASE("json_list_writer: the document is what dump(2) writes, element by element") {
  const std::vector<json> elements = {
      json{{"k", "v\nwith \"quotes\" and \"items\": []"}, {"list", {1, 2, {{"x", nullptr}}}}},
      json::array(), json::object(), json(42), json("text")};
  for (std::size_t count = 0; count <= elements.size(); ++count) {
    json expected = {{"findings", json::array()}};
    std::ostringstream out;
    json_list_writer writer(out, "findings");
    for (std::size_t i = 0; i < count; ++i) {
      expected["findings"].push_back(elements[i]);
      writer.push_back(elements[i]);
    }
    writer.close();
    CHECK(out.str() == expected.dump(2) + "\n");
    CHECK(writer.size() == count);
  }
}

TEST_CASE("run: findings point at the lines of their rules") {
  const auto file = examples / "groups" / "exposed.json";
  auto run = lint::run_lint({str(file)}, {}, lint::severity::low);
  std::vector<std::string> lines;
  {
    std::istringstream in(read_text(file));
    for (std::string l; std::getline(in, l);) lines.push_back(l);
  }
  REQUIRE(run.groups.size() == 4);
  std::size_t checked = 0;
  for (const auto& g : run.groups) {
    REQUIRE(g.location.group_line >= 1);
    CHECK(lines[g.location.group_line - 1].find(g.report.group.id) != std::string::npos);
    for (const auto& f : g.report.findings)
      for (auto i : f.rules) {
        const auto& r = g.report.rules[i];
        if (!r.editable) continue;
        auto line = g.location.line_of_rule(i);
        INFO(r.id);
        CHECK(lines[line - 1].find("\"" + r.id + "\"") != std::string::npos);
        CHECK(line > g.location.group_line);
        ++checked;
      }
  }
  CHECK(checked > 10);
}

// -- Outputs --------------------------------------------------------------------------------

TEST_CASE("output: text, JSON and SARIF of the bundled example match their golden files") {
  auto run = in_directory(
      examples, [] { return lint::run_lint({"groups/exposed.json"}, {}, lint::severity::low); });
  std::ostringstream text;
  lint::write_text(text, run);
  golden("exposed.txt", text.str());
  std::ostringstream plain;
  lint::write_text(plain, run, {false, false, false});
  CHECK(plain.str().find(" fix     ") == std::string::npos);
  std::ostringstream colored;
  lint::write_text(colored, run, {true, false, true});
  CHECK(colored.str().find("\x1b[") != std::string::npos);
  CHECK(text.str().find("\x1b[") == std::string::npos);

  std::ostringstream js;
  lint::write_json(js, run);
  golden("exposed.json", js.str());
  std::ostringstream sarif;
  lint::write_sarif(sarif, run);
  golden("exposed.sarif", sarif.str());
  require_valid_sarif(json::parse(sarif.str()));
}

TEST_CASE("output: the verdict names the threshold as the CLI option or the Python argument") {
  auto run = lint::run_lint({str(data / "ssh-open.json")}, {}, lint::severity::low);
  std::ostringstream cli, python;
  lint::write_text(cli, run);
  lint::write_text(python, run, {.threshold = lint::threshold_style::python_argument});
  const std::string cli_end = "FAILED (--fail-on low)\n", python_end = "FAILED (fail_on='low')\n";
  CHECK(cli.str().ends_with(cli_end));
  CHECK(python.str().ends_with(python_end));
  CHECK(python.str().find("--fail-on") == std::string::npos);
  CHECK(lint::threshold_setting(std::nullopt, lint::threshold_style::python_argument) ==
        "fail_on='none'");
  CHECK(lint::threshold_setting(lint::severity::high, lint::threshold_style::cli_option) ==
        "--fail-on high");
}

TEST_CASE("output: a threshold from the configuration is named as its key, not as an option") {
  lint::lint_config config;
  config.fail_on = lint::severity::critical;
  const auto named = [&](std::optional<std::string> given, lint::threshold_style style) {
    const auto c = lint::choose_threshold(config, given, style);
    return lint::threshold_setting(c.threshold, c.style);
  };
  // Given: the option or argument, over the configuration.
  CHECK(named("high", lint::threshold_style::cli_option) == "--fail-on high");
  CHECK(named("none", lint::threshold_style::python_argument) == "fail_on='none'");
  // Not given: the configuration's, named as its key.
  CHECK(named(std::nullopt, lint::threshold_style::cli_option) ==
        "fail_on: critical in the configuration");
  CHECK(named(std::nullopt, lint::threshold_style::python_argument) ==
        "fail_on: critical in the configuration");
  // Neither: low, named as what would change it.
  config.fail_on.reset();
  CHECK(named(std::nullopt, lint::threshold_style::cli_option) == "--fail-on low");
  CHECK(named(std::nullopt, lint::threshold_style::python_argument) == "fail_on='low'");
  // A bad value names the option or argument it came from.
  CHECK_THROWS_WITH(named("urgent", lint::threshold_style::cli_option),
                    Catch::Contains("--fail-on"));
  CHECK_THROWS_WITH(named("urgent", lint::threshold_style::python_argument),
                    Catch::Contains("fail_on"));
}

TEST_CASE("output: the JSON report carries the text report's fields") {
  auto run = lint::run_lint({str(data / "ssh-open.json")}, {}, lint::severity::low);
  auto j = lint::json_report(run);
  CHECK(j["failed"] == true);
  CHECK(j["fail_on"] == "low");
  REQUIRE(j["groups"].size() == 1);
  const auto& g = j["groups"][0];
  CHECK(g["name"] == "bastion");
  const json* ssh = nullptr;
  for (const auto& f : g["findings"])
    if (f["check"] == "SG001") ssh = &f;
  REQUIRE(ssh);
  CHECK((*ssh)["severity"] == "high");
  CHECK((*ssh)["subject"] == "ssh");
  CHECK((*ssh)["witness"]["port"] == 22);
  CHECK((*ssh)["witness"]["action"] == "accept");
  CHECK((*ssh)["witness"]["rule_id"] == "5e7a1c90-2b3d-4e5f-8a9b-0c1d2e3f4a51");
  REQUIRE((*ssh)["rules"].size() == 2);
  CHECK((*ssh)["rules"][0]["line"] == 13);
  CHECK((*ssh)["rules"][1]["line"] == 22);
  CHECK((*ssh)["line"] == 13);
  CHECK((*ssh)["suppressed"].is_null());
  CHECK(j["summary"]["by_severity"]["high"] == 1);
}

TEST_CASE("output: findings of a group in memory have no line in JSON, line 1 in SARIF") {
  const auto path = data / "ssh-open.json";
  const auto groups = secgroup::load_groups(path);
  auto run = lint::lint_groups(groups, "<memory>", {}, lint::severity::low);
  const auto j = lint::json_report(run);
  REQUIRE(j["groups"].size() == 1);
  CHECK(j["groups"][0]["line"].is_null());
  REQUIRE(!j["groups"][0]["findings"].empty());
  for (const auto& f : j["groups"][0]["findings"]) {
    INFO(f["check"]);
    CHECK(f["line"].is_null());  // was 1: no source, so no line
    for (const auto& r : f["rules"]) CHECK(r["line"].is_null());
  }
  // SARIF's region.startLine must be >= 1: a result keeps line 1 there, and the log is valid.
  const auto log = lint::to_sarif(run);
  require_valid_sarif(log);
  for (const auto& res : log["runs"][0]["results"])
    CHECK(res["locations"][0]["physicalLocation"]["region"]["startLine"] == 1);
  // The same group read from its file is located: its lines are unchanged.
  const auto on_file = lint::json_report(lint::run_lint({str(path)}, {}, lint::severity::low));
  for (const auto& f : on_file["groups"][0]["findings"]) CHECK(f["line"].is_number());

  lint::source_location at;
  CHECK(at.known_line_of_rule(0) == std::nullopt);
  CHECK(at.line_of_rule(0) == 1);
  at.group_line = 4;
  at.rule_lines = {0, 9};
  CHECK(at.known_line_of_rule(0) == 4u);
  CHECK(at.known_line_of_rule(1) == 9u);
  CHECK(at.known_line_of_rule(7) == 4u);
}

TEST_CASE("output: SARIF marks suppressions and survives awkward paths") {
  auto run = lint::run_lint({str(data / "ssh-open.json")},
                            lint::load_config(data / "suppress.json"), lint::severity::low);
  auto log = lint::to_sarif(run);
  require_valid_sarif(log);
  bool seen = false;
  for (const auto& res : log["runs"][0]["results"])
    if (res["ruleId"] == "SG001") {
      seen = true;
      REQUIRE(res.contains("suppressions"));
      CHECK(res["suppressions"][0]["justification"] == "the bastion is the SSH entry point");
      CHECK(res["locations"][0]["physicalLocation"]["region"]["startLine"] == 13);
    }
  CHECK(seen);
  CHECK(lint::artifact_uri("groups/my file.json") == "groups/my%20file.json");
  CHECK(lint::artifact_uri("./groups/../web.json") == "web.json");
  CHECK(lint::artifact_uri("/srv/web.json") == "file:///srv/web.json");
  CHECK(lint::fingerprint("a") != lint::fingerprint("b"));
  CHECK(lint::fingerprint("SG001|g|ssh").size() == 16);
}

TEST_CASE("output: the catalogue listing") {
  std::ostringstream text, js;
  lint_config c;
  c.setting("SG014").enabled = true;
  lint::write_catalogue(text, c, false);
  lint::write_catalogue(js, c, true);
  CHECK(text.str().find("SG014  info     on   generalization") != std::string::npos);
  auto arr = json::parse(js.str());
  REQUIRE(arr.size() == lint::checks.size());
  CHECK(arr[13]["enabled"] == true);
  CHECK(arr[0]["id"] == "SG001");
}

// -- Properties on random groups ------------------------------------------------------------

TEST_CASE(
    "properties: witnesses hold, SG001 agrees with evaluate_query, SG011/SG012 removals "
    "keep the group equivalent") {
  secgroup_test::rng_type rng(20260827);
  const auto net = lint::make_internet();
  std::vector<ip_network> internet = lint::networks_of(net.of(family::v4), family::v4);
  auto v6 = lint::networks_of(net.of(family::v6), family::v6);
  internet.insert(internet.end(), v6.begin(), v6.end());
  lint_config all;
  all.setting("SG014").enabled = true;
  for (int round = 0; round < 60; ++round) {
    secgroup_test::group_options o;
    o.max_rules = 14;
    auto g = secgroup_test::random_group(rng, o);
    g.stateful = secgroup_test::chance(rng, 50);
    g.project_default = secgroup_test::chance(rng, 20);
    INFO("round " << round << "\n" << secgroup_test::describe(g));
    auto r = linted(g, all);  // every witness holds
    bool wide = !of(r, "SG002").empty() || !of(r, "SG003").empty();
    for (const auto& s : all.services) {
      bool exposed = false;
      for (const auto& p : s.ports) {
        analysis::query q{
            direction::inbound, mask_of(p.protocol), internet, {p.ports.from, p.ports.to}};
        exposed = exposed || analysis::evaluate_query(g, q).answer != analysis::coverage::none;
      }
      INFO(s.name);
      const bool reported = [&] {
        for (const auto& f : of(r, "SG001"))
          if (f.subject == s.name) return true;
        return false;
      }();
      if (!exposed) CHECK(!reported);
      if (exposed) CHECK((reported || wide));
    }
    for (const auto& f : r.findings) {
      if (f.check != "SG011" && f.check != "SG012") continue;
      auto without = g;
      // By content, not id: random groups may give two rules one default-rule id.
      const auto& target = r.rules[f.rules.front()];
      auto it = std::find_if(without.rules.begin(), without.rules.end(),
                             [&](const rule& x) { return normalize(x) == target; });
      REQUIRE(it != without.rules.end());
      without.rules.erase(it);
      INFO(f.message);
      CHECK(analysis::diff(g, without).equivalent);
    }
  }
}

namespace scan_oracle {

/// What a plain walk of every region of the box finds, for one family: each decision kind's
/// best (class, port, family) rank, the deciding rules and the accepted addresses.
struct found {
  std::array<std::optional<std::tuple<int, int, int>>, 3> best;  // accepted, dropped, default
  std::set<std::uint32_t> accept_rules, drop_rules;
  lint::range_set accepted;
};

template <family F>
void walk(const security_group& g, direction d, proto_mask protocols,
          const lint::range_set& remotes, interval<std::uint32_t> ports, found& out) {
  using S = space_of<F>;
  const auto pol = lower<F>(ordered_rules(g), d, g.default_policy(d));
  const partition<S> part(pol);
  for (const auto& r : remotes) {
    const box<S> b{protocols,
                   {secgroup::detail::address_value<S>({F, r.lo}),
                    secgroup::detail::address_value<S>({F, r.hi})},
                   ports};
    part.for_each_region_in(b, [&](proto_class c, const auto& a, const auto& p, std::uint32_t i) {
      const auto dec = pol.decision_of(i);
      const auto [pc, port_rank] = analysis::witness_rank<S>(c, p);
      const std::tuple<int, int, int> rank{pc, port_rank, F == family::v4 ? 0 : 1};
      auto keep = [&](std::size_t k) {
        if (!out.best[k] || rank < *out.best[k]) out.best[k] = rank;
      };
      keep(dec.action == action::accept ? 0 : 1);
      if (dec.by_default()) keep(2);
      if (dec.action == action::accept) {
        if (!dec.by_default()) out.accept_rules.insert(dec.rule);
        out.accepted.add({secgroup::detail::uint128(a.lo), secgroup::detail::uint128(a.hi)});
      } else if (!dec.by_default()) {
        out.drop_rules.insert(dec.rule);
      }
    });
  }
}

/// The (class, port, family) rank of witness packet `p`.
std::tuple<int, int, int> rank_of(const packet& p) {
  const auto c = secgroup::detail::protocol_classes[p.protocol];
  const auto [pc, port_rank] =
      analysis::witness_rank<ipv4_space>(c, interval<std::uint32_t>{p.port, p.port});
  return {pc, port_rank, p.remote.af == family::v4 ? 0 : 1};
}

}  // namespace scan_oracle

TEST_CASE(
    "properties: scan() finds the rules, addresses and best-ranked witnesses of a walk of "
    "every region") {
  // scan() lists rules and addresses as they come, merges neighbours and builds a witness
  // only when it can win: the answers must stay those of the plain walk.
  secgroup_test::rng_type rng(4343);
  for (int round = 0; round < 150; ++round) {
    secgroup_test::group_options o;
    o.max_rules = 14;
    auto g = secgroup_test::random_group(rng, o);
    const lint::effective_group eg(g);
    for (int k = 0; k < 6; ++k) {
      const auto d = secgroup_test::chance(rng, 50) ? direction::inbound : direction::outbound;
      const auto protocols = static_cast<proto_mask>(secgroup_test::uniform(rng, 1, 15));
      // Every port, or one to three random intervals (scan()'s overload of a port set: the
      // checks that scan many port runs at once).
      interval_set<std::uint32_t> ports;
      const auto pieces = secgroup_test::chance(rng, 30) ? 0 : secgroup_test::uniform(rng, 1, 3);
      if (pieces == 0) ports.add({0, 65535});
      for (std::uint64_t n = 0; n < pieces; ++n) {
        const auto a = static_cast<std::uint32_t>(secgroup_test::uniform(rng, 0, 65535));
        const auto b = static_cast<std::uint32_t>(secgroup_test::uniform(rng, 0, 65535));
        ports.add({std::min(a, b), std::max(a, b)});
      }
      std::array<lint::range_set, 2> ranges{lint::whole_family(family::v4),
                                            lint::whole_family(family::v6)};
      if (secgroup_test::chance(rng, 50))
        for (auto f : lint::both_families) {
          const auto net = ip_network::of(
              secgroup_test::random_ip(rng, f),
              static_cast<unsigned>(secgroup_test::uniform(rng, 0, address_bits(f))));
          ranges[lint::index_of(f)] = lint::range_set{{net.first().value, net.last().value}};
        }
      std::array<scan_oracle::found, 2> want;
      for (const auto& p : ports) {
        scan_oracle::walk<family::v4>(g, d, protocols, ranges[0], p, want[0]);
        scan_oracle::walk<family::v6>(g, d, protocols, ranges[1], p, want[1]);
      }
      const auto got = ports.runs().size() == 1 ? eg.scan(d, protocols, ranges, ports.runs()[0])
                                                : eg.scan(d, protocols, ranges, ports);
      INFO(secgroup_test::describe(g));
      const std::array<const std::optional<analysis::query_witness>*, 3> witnesses{
          &got.accepted, &got.dropped, &got.by_default};
      for (std::size_t w = 0; w < 3; ++w) {
        auto best = want[0].best[w];
        if (want[1].best[w] && (!best || *want[1].best[w] < *best)) best = want[1].best[w];
        INFO("witness " << w);
        REQUIRE(witnesses[w]->has_value() == best.has_value());
        if (best) CHECK(scan_oracle::rank_of((*witnesses[w])->packet) == *best);
      }
      std::set<std::uint32_t> accept_rules = want[0].accept_rules, drop_rules = want[0].drop_rules;
      accept_rules.insert(want[1].accept_rules.begin(), want[1].accept_rules.end());
      drop_rules.insert(want[1].drop_rules.begin(), want[1].drop_rules.end());
      CHECK(std::vector<std::uint32_t>(accept_rules.begin(), accept_rules.end()) ==
            got.accept_rules);
      CHECK(std::vector<std::uint32_t>(drop_rules.begin(), drop_rules.end()) == got.drop_rules);
      CHECK(got.accepted_addresses[0].runs() == want[0].accepted.runs());
      CHECK(got.accepted_addresses[1].runs() == want[1].accepted.runs());
    }
  }
}

TEST_CASE("properties: scan() answers as evaluate_query over the same box") {
  secgroup_test::rng_type rng(4242);
  for (int round = 0; round < 80; ++round) {
    secgroup_test::group_options o;
    o.max_rules = 12;
    auto g = secgroup_test::random_group(rng, o);
    const lint::effective_group eg(g);
    for (int k = 0; k < 10; ++k) {
      analysis::query q;
      q.direction = secgroup_test::chance(rng, 50) ? direction::inbound : direction::outbound;
      q.protocols = static_cast<proto_mask>(secgroup_test::uniform(rng, 1, 15));
      auto a = static_cast<std::uint32_t>(secgroup_test::uniform(rng, 0, 65535));
      auto b = static_cast<std::uint32_t>(secgroup_test::uniform(rng, 0, 65535));
      q.ports = {std::min(a, b), std::max(a, b)};
      const auto n = secgroup_test::uniform(rng, 0, 3);
      std::array<lint::range_set, 2> ranges;
      for (std::uint64_t m = 0; m < n; ++m) {
        const auto f = secgroup_test::chance(rng, 40) ? family::v6 : family::v4;
        const auto net =
            ip_network::of(secgroup_test::random_ip(rng, f),
                           static_cast<unsigned>(secgroup_test::uniform(rng, 0, address_bits(f))));
        q.remotes.push_back(net);
        ranges[lint::index_of(f)].add({net.first().value, net.last().value});
      }
      if (n == 0) ranges = {lint::whole_family(family::v4), lint::whole_family(family::v6)};
      auto expected = analysis::evaluate_query(g, q);
      auto got = eg.scan(q.direction, q.protocols, ranges, q.ports);
      INFO(secgroup_test::describe(g));
      CHECK(got.answer() == expected.answer);
      for (const auto* w : {&got.accepted, &got.dropped, &got.by_default})
        if (*w) CHECK(evaluate_reference(g, (*w)->packet) == (*w)->decision);
      for (auto i : got.accept_rules) CHECK(eg.rules()[i].action == action::accept);
      for (auto i : got.drop_rules) CHECK(eg.rules()[i].action == action::drop);
    }
  }
}
