// Tests of the lint configuration file (every field, every error names its field) and of
// suppressions (per group, per check, per rule, with reasons).
#include <filesystem>
#include <secgroup/lint/config.hpp>

#include "lint/support.hpp"

using namespace lint_test;
using secgroup::lint::lint_config;

namespace {

const lint::service* service_named(const lint_config& c, std::string_view name) {
  for (const auto& s : c.services)
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace

TEST_CASE("config: the defaults are the catalogue's") {
  lint_config c;
  for (const auto& check : lint::checks) {
    CHECK(c.setting(check.id).enabled == check.enabled);
    CHECK(c.setting(check.id).level == check.level);
  }
  CHECK(!c.setting("SG014").enabled);
  CHECK(c.services == lint::default_services());
  CHECK(c.ephemeral_ports == interval<std::uint32_t>{32768, 60999});
  CHECK(c.min_prefix_v4 == 24);
  CHECK(c.min_prefix_v6 == 48);
  CHECK(c.max_rules == 50);
  CHECK(c.suppressions.empty());
  CHECK(!c.fail_on);
}

TEST_CASE("config: every field is read") {
  auto c = lint::parse_config(R"({
    // comments are allowed
    "version": 1,
    "fail_on": "Medium",
    "trusted_ranges": ["198.51.100.0/24", "2001:db8:1::/48"],
    "ephemeral_ports": "1024-65535",
    "checks": {
      "SG014": {"enabled": true},
      "wide-public-prefix": {"min_prefix_v4": 20, "min_prefix_v6": 40, "severity": "high"},
      "SG001": {"severity": "critical",
                "extra_services": [{"name": "grafana", "title": "Grafana", "ports": ["tcp/3000"]},
                                   {"name": "ssh", "ports": ["tcp/22", "tcp/2222"], "severity": "low"}],
                "ignore_services": ["dns"]},
      "SG017": {"max_rules": 10, "enabled": false}
    },
    "suppressions": [
      {"check": "SG001", "group": "bastion", "rule": "r1", "reason": "the bastion"},
      {"check": "*", "group": "legacy", "reason": "being decommissioned"},
      {"check": "shadowed-rule", "reason": "known"}
    ]
  })",
                              "cfg.json");
  REQUIRE(c.fail_on);
  CHECK(*c.fail_on == lint::severity::medium);
  CHECK(c.trusted_ranges == std::vector<ip_network>{parse_network("198.51.100.0/24"),
                                                    parse_network("2001:db8:1::/48")});
  CHECK(c.ephemeral_ports == interval<std::uint32_t>{1024, 65535});
  CHECK(c.setting("SG014").enabled);
  CHECK(c.setting("SG015").level == lint::severity::high);
  CHECK(c.min_prefix_v4 == 20);
  CHECK(c.min_prefix_v6 == 40);
  CHECK(c.setting("SG001").level == lint::severity::critical);
  CHECK(!c.setting("SG017").enabled);
  CHECK(c.max_rules == 10);
  REQUIRE(service_named(c, "grafana"));
  CHECK(service_named(c, "grafana")->title == "Grafana");
  CHECK(!service_named(c, "grafana")->level);
  REQUIRE(service_named(c, "ssh"));
  CHECK(service_named(c, "ssh")->ports.size() == 2);
  CHECK(service_named(c, "ssh")->level == lint::severity::low);
  CHECK(!service_named(c, "dns"));
  CHECK(c.services.size() == lint::default_services().size());  // +grafana, -dns
  REQUIRE(c.suppressions.size() == 3);
  CHECK(c.suppressions[0] ==
        lint::suppression{"SG001", "bastion", "r1", "the bastion", "cfg.json: suppressions[0]"});
  CHECK(c.suppressions[1].check.empty());
  CHECK(c.suppressions[2].check == "SG011");
  CHECK(!lint::parse_config(R"({"fail_on": "none"})").fail_on->has_value());

  auto replaced = lint::parse_config(
      R"({"checks": {"SG001": {"services": [{"name": "ssh", "ports": ["tcp/22"]}]}}})");
  REQUIRE(replaced.services.size() == 1);
  CHECK(replaced.services[0].title == "ssh");
  CHECK(lint::parse_config(R"({"ephemeral_ports": 40000})").ephemeral_ports ==
        interval<std::uint32_t>{40000, 40000});
}

TEST_CASE("config: errors are typed and name the field") {
  struct bad {
    const char* text;
    const char* id;
    const char* field;
  };
  const std::vector<bad> cases{
      {R"({"checks": {"SG001": {"sevrity": "high"}}})", errc::bad_enum, "checks.SG001.sevrity"},
      {R"({"checks": {"SG099": {}}})", errc::bad_enum, "checks.SG099"},
      {R"({"checks": {"SG001": {"severity": "urgent"}}})", errc::bad_enum, "checks.SG001.severity"},
      {R"({"checks": {"SG001": {"enabled": "yes"}}})", errc::wrong_type, "checks.SG001.enabled"},
      {R"({"checks": {"SG001": []}})", errc::wrong_type, "checks.SG001"},
      {R"({"checks": {"SG001": {"services": [{"name": "x", "ports": ["tcp/0"]}]}}})",
       errc::bad_number, "checks.SG001.services[0].ports[0]"},
      {R"({"checks": {"SG001": {"services": [{"name": "x", "ports": ["icmp/1"]}]}}})",
       errc::bad_enum, "checks.SG001.services[0].ports[0]"},
      {R"({"checks": {"SG001": {"services": [{"name": "x", "ports": ["tcp/30-20"]}]}}})",
       errc::port_order, "checks.SG001.services[0].ports[0]"},
      {R"({"checks": {"SG001": {"services": [{"name": "x", "ports": []}]}}})", errc::bad_value,
       "checks.SG001.services[0].ports"},
      {R"({"checks": {"SG001": {"services": [{"name": "x", "ports": ["tcp/1"]}, {"name": "x", "ports": ["tcp/2"]}]}}})",
       errc::bad_value, "checks.SG001.services[1].name"},
      {R"({"checks": {"SG001": {"extra_services": [{"name": "x"}]}}})", errc::missing_field,
       "checks.SG001.extra_services[0].ports"},
      {R"({"checks": {"SG001": {"ignore_services": ["nope"]}}})", errc::bad_enum,
       "checks.SG001.ignore_services[0]"},
      {R"({"checks": {"SG015": {"min_prefix_v4": 40}}})", errc::bad_value,
       "checks.SG015.min_prefix_v4"},
      {R"({"checks": {"SG017": {"max_rules": -1}}})", errc::bad_value, "checks.SG017.max_rules"},
      {R"({"checks": {"SG017": {"max_rules": 1e2}}})", errc::wrong_type, "checks.SG017.max_rules"},
      {R"({"checks": {"SG017": {"min_prefix_v4": 20}}})", errc::bad_enum,
       "checks.SG017.min_prefix_v4"},
      {R"({"trusted_ranges": ["10.0.0.0/33"]})", errc::bad_cidr, "trusted_ranges[0]"},
      {R"({"trusted_ranges": "10.0.0.0/8"})", errc::wrong_type, "trusted_ranges"},
      {R"({"ephemeral_ports": "60999-32768"})", errc::port_order, "ephemeral_ports"},
      {R"({"ephemeral_ports": 70000})", errc::bad_value, "ephemeral_ports"},
      {R"({"ephemeral_ports": 0})", errc::bad_value, "ephemeral_ports"},
      {R"({"ephemeral_ports": "0-65535"})", errc::bad_number, "ephemeral_ports"},
      {R"({"version": 0})", errc::bad_value, "version"},
      {R"({"suppressions": [{"check": "SG001"}]})", errc::missing_field, "suppressions[0].reason"},
      {R"({"suppressions": [{"reason": "x"}]})", errc::missing_field, "suppressions[0]"},
      {R"({"suppressions": [{"check": "SG001", "reason": " "}]})", errc::bad_value,
       "suppressions[0].reason"},
      {R"({"suppressions": [{"check": "nope", "reason": "x"}]})", errc::bad_enum,
       "suppressions[0].check"},
      // A blank group or rule would match every group or finding: refused.
      {R"({"suppressions": [{"rule": "", "reason": "x"}]})", errc::bad_value,
       "suppressions[0].rule"},
      {R"({"suppressions": [{"check": "SG001", "group": " ", "reason": "x"}]})", errc::bad_value,
       "suppressions[0].group"},
      {R"({"suppressions": [{"check": "SG001", "reason": "x", "why": "y"}]})", errc::bad_enum,
       "suppressions[0].why"},
      {R"({"fail_on": "sometimes"})", errc::bad_enum, "fail_on"},
      {R"({"version": 2})", errc::bad_value, "version"},
      {R"({"colour": 1})", errc::bad_enum, "colour"},
      // A repeated key: a reader of the file and secgroup could see different settings.
      {R"({"fail_on": "critical", "fail_on": "info"})", errc::bad_json, "fail_on"},
      {R"({"checks": {"SG001": {"enabled": false}, "SG001": {}}})", errc::bad_json, "checks.SG001"},
      {R"({"suppressions": [{"check": "SG001", "reason": "x", "check": "SG002"}]})", errc::bad_json,
       "suppressions[0].check"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    try {
      lint::parse_config(c.text, "cfg.json");
      FAIL("no error");
    } catch (const secgroup::error& e) {
      CHECK(e.id() == c.id);
      CHECK(e.field() == std::string("cfg.json: ") + c.field);
      const bool validation = e.id().find(".validation.") != std::string::npos;
      CHECK(validation == (dynamic_cast<const validation_error*>(&e) != nullptr));
    }
  }
  // A port range is quoted as written, not as a service port.
  try {
    lint::parse_config(R"({"ephemeral_ports": "0-65535"})", "cfg.json");
    FAIL("no error");
  } catch (const parse_error& e) {
    CHECK_THAT(e.what(), Catch::Matchers::Contains("invalid port '0-65535': ports are 1..65535 "
                                                   "(expected PORT or FROM-TO)"));
  }
  // An integer written with a fraction or an exponent is named as such (a port was read as a
  // "PORT or FROM-TO" string: "expected a string, got number").
  for (const char* text : {R"({"ephemeral_ports": 3.2768e4})", R"({"ephemeral_ports": 32768.0})"}) {
    INFO(text);
    try {
      lint::parse_config(text, "cfg.json");
      FAIL("no error");
    } catch (const parse_error& e) {
      CHECK(e.id() == errc::wrong_type);
      CHECK(e.field() == "cfg.json: ephemeral_ports");
      CHECK_THAT(e.message(), Catch::Matchers::StartsWith(
                                  "expected an integer, got 32768.0, a number written with a "
                                  "fraction or an exponent") &&
                                  Catch::Matchers::EndsWith("write 32768"));
    }
  }
  // The unknown-check message names the last id as it is written.
  try {
    lint::parse_config(R"({"checks": {"SG099": {}}})", "cfg.json");
    FAIL("no error");
  } catch (const parse_error& e) {
    const std::string last(lint::checks.back().id);
    CHECK_THAT(e.what(), Catch::Matchers::Contains("SG001.." + last + " "));
  }
  try {
    lint::parse_config("[1]", "cfg.json");
    FAIL("no error");
  } catch (const parse_error& e) {
    CHECK(e.id() == errc::wrong_type);
    CHECK(e.field() == "cfg.json");
  }
  try {
    lint::parse_config("{\n  \"fail_on\": \"low\",\n}", "cfg.json");
    FAIL("no error");
  } catch (const parse_error& e) {
    CHECK(e.id() == errc::bad_json);
    CHECK(e.field() == "cfg.json");
    CHECK(std::string(e.what()).find("line 3") != std::string::npos);
  }
}

TEST_CASE("config: files that cannot be read") {
  CHECK_THROWS_WITH(lint::load_config("/nonexistent/.secgroup.json"),
                    Catch::Contains("secgroup.parse.109") && Catch::Contains("no such file"));
  CHECK_THROWS_WITH(lint::load_config(std::filesystem::temp_directory_path()),
                    Catch::Contains("secgroup.parse.109") && Catch::Contains("is a directory"));
}

TEST_CASE("config: the core reader refuses YAML by name, pointing at SECGROUP_WITH_YAML") {
  CHECK(lint::is_yaml_path("dir/.secgroup.yaml"));
  CHECK(lint::is_yaml_path("lint.YML"));
  CHECK(!lint::is_yaml_path("lint.json"));
  CHECK(!lint::is_yaml_path("yaml"));
  // Refused before it is read: the file need not exist.
  CHECK_THROWS_WITH(lint::load_config("/nonexistent/lint.yaml"),
                    Catch::StartsWith("[secgroup.parse.109] /nonexistent/lint.yaml: YAML "
                                      "configuration needs secgroup's optional YAML part") &&
                        Catch::Contains("SECGROUP_WITH_YAML"));
}

// -- Suppressions ---------------------------------------------------------------------------

TEST_CASE("suppressions: by check and group, with the reason kept and no failure") {
  auto g = group_of({"inbound accept tcp 0.0.0.0/0 22", "inbound accept tcp ::/0 22"});
  auto plain = linted(g);
  REQUIRE(of(plain, "SG001").size() == 1);
  CHECK(lint::fails(plain, lint::severity::low));

  for (const char* group : {"test", "g-test"}) {
    INFO(group);
    lint_config c;
    c.suppressions.push_back({"SG001", group, "", "bastion host", "x"});
    auto r = linted(g, c);
    auto f = of(r, "SG001");
    REQUIRE(f.size() == 1);
    CHECK(f[0].suppressed == std::optional<std::string>("bastion host"));
    CHECK(r.used_suppressions == std::vector<std::size_t>{0});
    CHECK(!lint::fails(r, lint::severity::low));
    CHECK(lint::fails(r, lint::severity::info));  // SG006 (info) is left
  }
  lint_config other;
  other.suppressions.push_back({"SG001", "another-group", "", "x", "x"});
  auto r = linted(g, other);
  CHECK(!of(r, "SG001")[0].suppressed);
  CHECK(r.used_suppressions.empty());

  lint_config everything;
  everything.suppressions.push_back({"", "test", "", "legacy", "x"});
  r = linted(g, everything);
  REQUIRE(!r.findings.empty());
  for (const auto& f : r.findings) CHECK(f.suppressed);
  CHECK(!lint::fails(r, lint::severity::info));
}

TEST_CASE("suppressions: by rule, once every rule a finding is about is covered") {
  auto g = group_of({"inbound accept tcp 0.0.0.0/0 22", "inbound accept tcp ::/0 22"});
  lint_config c;
  c.suppressions.push_back({"SG001", "", "r1", "office", "x"});
  auto r = linted(g, c);
  auto f = of(r, "SG001");
  REQUIRE(f.size() == 1);
  CHECK(ids(r, f[0].rules) == std::vector<std::string>{"r1", "r2"});
  CHECK(!f[0].suppressed);
  c.suppressions.push_back({"SG001", "", "r2", "office v6", "x"});
  r = linted(g, c);
  CHECK(of(r, "SG001")[0].suppressed == std::optional<std::string>("office; office v6"));
  CHECK(r.used_suppressions == std::vector<std::size_t>{0, 1});
  // A rule suppression never hides what the default policy decides.
  options o;
  o.inbound = action::accept;
  auto open = group_of({"inbound accept tcp 0.0.0.0/0 22"}, o);
  r = linted(open, c);
  for (const auto& x : r.findings) CHECK(!x.suppressed);
  // A rule suppression without a check applies to every finding about the rule.
  lint_config any;
  any.suppressions.push_back({"", "", "r2", "legacy rule", "x"});
  r = linted(group_of({"inbound drop tcp 0.0.0.0/0 22", "inbound accept tcp 10.0.0.0/8 22"}), any);
  REQUIRE(of(r, "SG011").size() == 1);
  CHECK(of(r, "SG011")[0].suppressed);
}
