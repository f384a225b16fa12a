// End-to-end tests of `secgroup lint`: the tool's code (secgroup_cli_commands) is driven in
// process through secgroup::cli::run, as cli/main.cpp drives it, so arguments, configuration
// discovery, formats and exit codes are checked with the output captured.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "support/run_cli.hpp"
#include "lint/support.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path data = fs::path(SECGROUP_SOURCE_DIR) / "tests" / "lint" / "data";

using outcome = secgroup_test::cli_outcome;

/// Runs `secgroup lint ARGS...` as cli/main.cpp would, in directory `cwd`.
outcome lint_cli(std::vector<std::string> args, const fs::path& cwd = data) {
  args.insert(args.begin(), "lint");
  return secgroup_test::run_cli(args, cwd);
}

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("cli lint: exit codes 0, 1 and 2") {
  auto o = lint_cli({"clean.json"});
  CHECK(o.code == 0);
  CHECK(has(o.out, "internal-api"));
  CHECK(has(o.out, "PASSED"));
  o = lint_cli({"ssh-open.json"});
  CHECK(o.code == 1);
  CHECK(has(o.out, "SG001"));
  CHECK(has(o.out, "FAILED (--fail-on low)"));
  CHECK(lint_cli({"ssh-open.json", "--fail-on", "critical"}).code == 0);
  CHECK(lint_cli({"ssh-open.json", "--fail-on", "HIGH"}).code == 1);
  CHECK(lint_cli({"ssh-open.json", "--fail-on", "none"}).code == 0);
  o = lint_cli({"ssh-open.json", "--fail-on", "sometimes"});
  CHECK(o.code == 2);
  CHECK(has(o.err, "--fail-on"));
  o = lint_cli({"bad-cidr.json"});
  CHECK(o.code == 2);
  CHECK(has(o.err, "secgroup.parse.102"));
  CHECK(o.out.empty());
  o = lint_cli({"clean.json", "missing.json"});
  CHECK(o.code == 2);
  CHECK(has(o.err, "missing.json"));
  CHECK(o.out.empty());
  o = lint_cli({});
  CHECK(o.code == 2);
  CHECK(has(o.err, "FILE_OR_DIR"));
  CHECK(lint_cli({"clean.json", "--format", "xml"}).code == 2);
  CHECK(lint_cli({"clean.json", "--config", "suppress.json", "--no-config"}).code == 2);
  CHECK(lint_cli({"clean.json", "--config", "missing-config.json"}).code == 2);
}

TEST_CASE("cli lint: formats") {
  auto o = lint_cli({"ssh-open.json", "--format", "json"});
  CHECK(o.code == 1);
  auto j = secgroup::json::parse(o.out);
  CHECK(j["failed"] == true);
  o = lint_cli({"ssh-open.json", "clean.json", "--format", "SARIF"});
  CHECK(o.code == 1);
  j = secgroup::json::parse(o.out);
  CHECK(j["version"] == "2.1.0");
  CHECK(j["runs"][0]["artifacts"].size() == 2);
  CHECK(j["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] ==
        "ssh-open.json");
  o = lint_cli({"ssh-open.json"});
  CHECK(!has(o.out, "\x1b["));
  o = lint_cli({"ssh-open.json", "--color", "always"});
  CHECK(has(o.out, "\x1b["));
  o = lint_cli({"ssh-open.json", "--no-fix"});
  CHECK(!has(o.out, " fix     "));
  o = lint_cli({"--list-checks"});
  CHECK(o.code == 0);
  CHECK(has(o.out, "SG018"));
  o = lint_cli({"--list-checks", "--format", "json"});
  CHECK(secgroup::json::parse(o.out).size() == secgroup::lint::checks.size());
}

TEST_CASE("cli lint: configuration from --config or ./.secgroup.json") {
  auto o = lint_cli({"ssh-open.json", "--config", "suppress.json"});
  CHECK(o.code == 0);
  CHECK(has(o.err, "suppress.json: suppressions[1]"));
  CHECK(has(o.err, "matched no finding"));
  o = lint_cli({"ssh-open.json", "--config", "suppress.json", "--show-suppressed"});
  CHECK(has(o.out, "the bastion is the SSH entry point"));
  // data/tree/.secgroup.json sets fail_on: critical; the tree holds the SSH bastion.
  const auto tree = data / "tree";
  CHECK(lint_cli({"."}, tree).code == 0);
  CHECK(lint_cli({".", "--no-config"}, tree).code == 1);
  CHECK(lint_cli({".", "--fail-on", "high"}, tree).code == 1);
  o = lint_cli({"."}, tree);
  CHECK(has(o.out, "./a/c.json: bastion"));
  CHECK(has(o.out, "2 groups in 2 files"));
  // The verdict names where its threshold came from.
  CHECK(o.out.ends_with("PASSED (fail_on: critical in the configuration)\n"));
  CHECK(lint_cli({".", "--fail-on", "high"}, tree).out.ends_with("FAILED (--fail-on high)\n"));
  CHECK(lint_cli({".", "--no-config"}, tree).out.ends_with("FAILED (--fail-on low)\n"));
}

TEST_CASE("cli lint: two default configuration files are ambiguous, exit 2") {
  const auto dir = fs::temp_directory_path() / "secgroup-cli-lint-two-configs";
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy_file(data / "ssh-open.json", dir / "ssh-open.json");
  std::ofstream(dir / ".secgroup.json") << R"({"fail_on": "critical"})";
  std::ofstream(dir / ".secgroup.yml") << "fail_on: critical\n";
  auto o = lint_cli({"ssh-open.json"}, dir);
  CHECK(o.code == 2);
  CHECK(has(o.err, "[secgroup.lookup.302] --config: both ./.secgroup.json and ./.secgroup.yml "
                   "exist; keep one, or choose with --config"));
  // --config chooses; --no-config ignores both.
  CHECK(lint_cli({"ssh-open.json", "--config", ".secgroup.json"}, dir).code == 0);
  CHECK(lint_cli({"ssh-open.json", "--no-config"}, dir).code == 1);
  fs::remove_all(dir);
}

TEST_CASE("cli lint: a number no double holds is exit 2 naming its field, not exit 3") {
  // Issue 12, item 10: 1e309 anywhere (here the configuration) was an "internal error".
  const auto config = fs::temp_directory_path() /
                      ("secgroup-cli-lint-huge-" + std::to_string(static_cast<long>(::getpid())) +
                       ".json");
  std::ofstream(config) << R"({"ephemeral_ports": [1e309, 2]})";
  auto o = lint_cli({"clean.json", "--config", config.string()});
  CHECK(o.code == 2);
  CHECK(o.out.empty());
  CHECK(has(o.err, "[secgroup.parse.107] " + config.string() +
                       ": ephemeral_ports[0]: number 1e309 is out of range"));
  fs::remove(config);
}

TEST_CASE("cli lint: a file of no group is exit 2 naming it, never a vacuous PASSED") {
  // Issue 12, item 14: `[]` used to lint as PASSED with exit 0.
  const auto dir = fs::temp_directory_path() /
                   ("secgroup-cli-lint-empty-" + std::to_string(static_cast<long>(::getpid())));
  fs::create_directories(dir / "tree");
  std::ofstream(dir / "empty.json") << "[]";
  std::ofstream(dir / "empty-list.json") << R"({"security_groups": []})";
  std::ofstream(dir / "tree" / "a.json") << "[]";
  for (const auto* file : {"empty.json", "empty-list.json"}) {
    auto o = lint_cli({file}, dir);
    CAPTURE(file, o.out, o.err);
    CHECK(o.code == 2);
    CHECK(o.out.empty());
    CHECK(has(o.err, "[secgroup.parse.109] " + std::string(file) +
                         ": the file holds no security group"));
  }
  // One file of no group among others fails the run too, named.
  auto o = lint_cli({(data / "clean.json").string(), "tree"}, dir);
  CHECK(o.code == 2);
  CHECK(o.out.empty());
  CHECK(has(o.err, "tree/a.json: the file holds no security group"));
  fs::remove_all(dir);
}

TEST_CASE("cli lint: --jobs gives the same output for any thread count, and refuses bad counts") {
  for (const char* format : {"text", "json", "sarif"}) {
    const std::string examples = SECGROUP_SOURCE_DIR "/examples/groups";
    const auto one =
        lint_cli({examples, "tree", "ssh-open.json", "--format", format, "--jobs", "1", "--no-config"});
    REQUIRE(one.code == 1);
    for (const char* jobs : {"2", "7", "0"}) {
      INFO(format << " --jobs " << jobs);
      const auto many = lint_cli(
          {examples, "tree", "ssh-open.json", "--format", format, "--jobs", jobs, "--no-config"});
      CHECK(many.code == one.code);
      CHECK(many.out == one.out);
    }
  }
  for (const char* bad : {"-1", "1025", "x", "", "99999"}) {
    INFO("--jobs '" << bad << "'");
    const auto o = lint_cli({"ssh-open.json", "--jobs", bad});
    CHECK(o.code == 2);
    CHECK(has(o.err, "--jobs"));
    CHECK(o.out.empty());
  }
}
