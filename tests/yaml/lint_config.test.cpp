// Tests of secgroup/yaml/lint_config.hpp: a YAML lint configuration reads as the same JSON one
// does, and its errors name the file and line.
#include <catch2/catch.hpp>
#include <filesystem>
#include <secgroup/yaml/lint_config.hpp>
#include <string>

#include "support/files.hpp"

namespace yaml_lint_test {

namespace fs = std::filesystem;
namespace lint = secgroup::lint;
namespace yaml = secgroup::yaml;

const fs::path lint_data = fs::path(SECGROUP_SOURCE_DIR) / "tests" / "lint" / "data";

/// The error `text` raises as a YAML configuration, as what() reads, or "" when accepted.
std::string config_error(const std::string& text) {
  try {
    (void)yaml::parse_lint_config(text, "lint.yaml");
  } catch (const secgroup::error& e) {
    return e.what();
  }
  return "";
}

}  // namespace yaml_lint_test

using namespace yaml_lint_test;

TEST_CASE("yaml lint config: every field reads as in JSON") {
  const auto from_json = lint::parse_config(R"({
    "version": 1,
    "fail_on": "Medium",
    "trusted_ranges": ["198.51.100.0/24", "2001:db8:1::/48"],
    "ephemeral_ports": "1024-65535",
    "checks": {
      "SG014": {"enabled": true},
      "wide-public-prefix": {"min_prefix_v4": 20, "min_prefix_v6": 40, "severity": "high"},
      "SG001": {"severity": "critical",
                "extra_services": [{"name": "grafana", "title": "Grafana", "ports": ["tcp/3000"]}],
                "ignore_services": ["dns"]},
      "SG017": {"max_rules": 10, "enabled": false}
    },
    "suppressions": [
      {"check": "SG001", "group": "bastion", "rule": "r1", "reason": "the bastion"},
      {"check": "*", "group": "legacy", "reason": "being decommissioned"}
    ]
  })");
  const auto from_yaml = yaml::parse_lint_config(R"(version: 1
fail_on: Medium
trusted_ranges: [198.51.100.0/24, "2001:db8:1::/48"]
ephemeral_ports: 1024-65535
checks:
  SG014: {enabled: true}
  wide-public-prefix:
    min_prefix_v4: 20
    min_prefix_v6: 40
    severity: high
  SG001:
    severity: critical
    extra_services:
      - name: grafana
        title: Grafana
        ports: [tcp/3000]
    ignore_services: [dns]
  SG017:
    max_rules: 10
    enabled: false
suppressions:
  - {check: SG001, group: bastion, rule: r1, reason: the bastion}
  - check: "*"
    group: legacy
    reason: being decommissioned
)");
  CHECK(from_yaml.settings == from_json.settings);
  CHECK(from_yaml.services == from_json.services);
  CHECK(from_yaml.trusted_ranges == from_json.trusted_ranges);
  CHECK(from_yaml.ephemeral_ports == from_json.ephemeral_ports);
  CHECK(from_yaml.min_prefix_v4 == 20);
  CHECK(from_yaml.min_prefix_v6 == from_json.min_prefix_v6);
  CHECK(from_yaml.max_rules == 10);
  CHECK(from_yaml.fail_on == from_json.fail_on);
  REQUIRE(from_yaml.suppressions.size() == from_json.suppressions.size());
  for (std::size_t i = 0; i < from_json.suppressions.size(); ++i) {
    const auto& y = from_yaml.suppressions[i];
    const auto& j = from_json.suppressions[i];
    CHECK(y.check == j.check);
    CHECK(y.group == j.group);
    CHECK(y.rule == j.rule);
    CHECK(y.reason == j.reason);
  }
  // Where each is configured: the YAML form knows the line.
  CHECK(from_yaml.suppressions[1].field == "line 23: suppressions[1]");
  CHECK(from_json.suppressions[1].field == "suppressions[1]");
}

TEST_CASE("yaml lint config: the files suppress.yaml and suppress.json are the same") {
  const auto y = yaml::load_lint_config(lint_data / "suppress.yaml");
  const auto j = yaml::load_lint_config(lint_data / "suppress.json");  // JSON by its extension
  REQUIRE(y.suppressions.size() == 2);
  CHECK(y.settings == j.settings);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(y.suppressions[i].check == j.suppressions[i].check);
    CHECK(y.suppressions[i].group == j.suppressions[i].group);
    CHECK(y.suppressions[i].reason == j.suppressions[i].reason);
  }
  // Where each suppression is configured: the file and its line.
  CHECK(y.suppressions[0].field == (lint_data / "suppress.yaml").string() + ":4: suppressions[0]");
  CHECK(y.suppressions[1].field == (lint_data / "suppress.yaml").string() + ":7: suppressions[1]");
  CHECK(j.suppressions[1].field == (lint_data / "suppress.json").string() + ": suppressions[1]");
}

TEST_CASE("yaml lint config: an empty document is the defaults") {
  const auto c = yaml::parse_lint_config("# nothing configured yet\n", "lint.yaml");
  CHECK(c.settings == lint::lint_config{}.settings);
  CHECK(c.suppressions.empty());
}

TEST_CASE("yaml lint config: errors name file:line and the field") {
  CHECK(config_error("checks:\n  SG001:\n    severity: urgent\n").find(
            "[secgroup.parse.103] lint.yaml:3: checks.SG001.severity: ") == 0);
  CHECK(config_error("fail_on: high\nchecks:\n  SG001: {sevrity: high}\n")
            .find("[secgroup.parse.103] lint.yaml:3: checks.SG001.sevrity: unknown key 'sevrity'") ==
        0);
  // YAML 1.1's `yes` is text: a boolean field refuses it, at its line.
  CHECK(config_error("checks:\n  SG014:\n    enabled: yes\n") ==
        "[secgroup.parse.105] lint.yaml:3: checks.SG014.enabled: expected a boolean, got string");
  CHECK(config_error("suppressions:\n  - check: SG001\n  - check: SG002\n    reason: ''\n")
            .find("[secgroup.parse.106] lint.yaml:2: suppressions[0].reason") == 0);
  CHECK(config_error("trusted_ranges: [10.0.0.0/8, 10.0.0.0/33]\n")
            .find("[secgroup.parse.102] lint.yaml:1: trusted_ranges[1]") == 0);
  // Syntax errors give the column too.
  CHECK(config_error("checks:\n  SG001: {severity: high\n") .find("[secgroup.parse.115] lint.yaml:") == 0);
  CHECK(config_error("- a\n- b\n") == "[secgroup.parse.105] lint.yaml:1: expected an object, got array");
}

TEST_CASE("yaml lint config: the file's errors name its path") {
  const auto missing = lint_data / "no-such-config.yaml";
  try {
    (void)yaml::load_lint_config(missing);
    FAIL("a missing file was read");
  } catch (const secgroup::parse_error& e) {
    CHECK(std::string(e.id()) == "secgroup.parse.109");
    CHECK(e.field() == missing.string());
  }
}
