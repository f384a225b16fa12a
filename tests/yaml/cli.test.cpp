// `secgroup lint` with a YAML configuration, driven in process as cli/main.cpp drives it (only
// when the CLI is built: its commands library is then linked to this suite).
#if __has_include("app.hpp")
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "support/run_cli.hpp"

namespace yaml_cli_test {

namespace fs = std::filesystem;

const fs::path cli_lint_data = fs::path(SECGROUP_SOURCE_DIR) / "tests" / "lint" / "data";

using outcome = secgroup_test::cli_outcome;

/// Runs `secgroup lint --color never ARGS...` in directory `cwd`.
outcome run_lint_in(const fs::path& cwd, std::vector<std::string> args) {
  args.insert(args.begin(), {"lint", "--color", "never"});
  return secgroup_test::run_cli(args, cwd);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace yaml_cli_test

using namespace yaml_cli_test;

TEST_CASE("yaml cli: --config takes a YAML file, with the JSON one's outcome") {
  const auto from_yaml = run_lint_in(cli_lint_data, {"ssh-open.json", "--config", "suppress.yaml"});
  const auto from_json = run_lint_in(cli_lint_data, {"ssh-open.json", "--config", "suppress.json"});
  CHECK(from_yaml.code == 0);
  CHECK(from_yaml.code == from_json.code);
  CHECK(from_yaml.out == from_json.out);
  // The unused suppression is named by file and line.
  CHECK(contains(from_yaml.err, "suppress.yaml:7: suppressions[1]"));
  CHECK(contains(from_yaml.err, "matched no finding"));
}

TEST_CASE("yaml cli: ./.secgroup.yaml is found, and bad YAML is exit 2 naming file:line") {
  const auto dir = fs::temp_directory_path() / "secgroup-yaml-cli-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy_file(cli_lint_data / "ssh-open.json", dir / "ssh-open.json");
  std::ofstream(dir / ".secgroup.yaml") << "fail_on: critical\n";
  CHECK(run_lint_in(dir, {"ssh-open.json"}).code == 0);
  CHECK(run_lint_in(dir, {"ssh-open.json", "--no-config"}).code == 1);
  std::ofstream(dir / ".secgroup.yaml") << "fail_on: critical\nchecks:\n  SG001: {severity: high\n";
  auto o = run_lint_in(dir, {"ssh-open.json"});
  CHECK(o.code == 2);
  CHECK(contains(o.err, "[secgroup.parse.115] .secgroup.yaml:4:"));
  std::ofstream(dir / ".secgroup.yaml") << "fail_on: critical\nchecks:\n  SG001:\n    severity: urgent\n";
  o = run_lint_in(dir, {"ssh-open.json"});
  CHECK(o.code == 2);
  CHECK(contains(o.err, "[secgroup.parse.103] .secgroup.yaml:4: checks.SG001.severity: "));
  fs::remove_all(dir);
}
#endif
