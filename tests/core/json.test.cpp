// JSON I/O: every accepted form, the API's wire shapes, defaults, default-rule dedup, round
// trips (fixed-seed random groups and the bundled examples) and every error with its field path.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <secgroup/io/json.hpp>
#include <secgroup/io/source.hpp>
#include <secgroup/reference.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/files.hpp"

using namespace secgroup;
namespace fs = std::filesystem;

namespace {

const fs::path examples_dir = fs::path(SECGROUP_SOURCE_DIR) / "examples" / "groups";

using secgroup_test::read_text;

/// Runs `fn` and returns the exception of type E it throws; fails the test otherwise.
template <class E, class Fn>
E thrown(Fn&& fn) {
  try {
    fn();
  } catch (const E& e) {
    return e;
  }
  FAIL("expected an exception, none was thrown");
  throw std::logic_error("unreachable");
}

#define CHECK_ERROR(Type, expr, expected_id, expected_field)      \
  do {                                                            \
    auto e_ = thrown<Type>([&] { (void)(expr); });                \
    CHECK(std::string(e_.id()) == std::string(expected_id));      \
    CHECK(e_.field() == std::string(expected_field));             \
  } while (0)

std::vector<security_group> from_text(const std::string& text) {
  return groups_from_json(json::parse(text));
}

/// A minimal valid API rule object with the given overrides merged in.
json api_rule(const json& overrides = json::object()) {
  json r = json::parse(R"({"id": "0d3fdb6e-3c7a-4f39-8c0e-0b6a7a2f1d11", "protocol": "TCP",
      "direction": "inbound", "ip_range": "0.0.0.0/0", "dest_ip_range": null,
      "dest_port_from": 22, "dest_port_to": null, "position": 1, "editable": true,
      "action": "accept", "zone": "fr-par-1"})");
  for (auto& [k, v] : overrides.items()) r[k] = v;
  return r;
}

/// `rules` with an id of its own for every rule not bearing a default id: rule ids are unique
/// in a group, while api_rule() gives every rule the same one.
json distinct_ids(json rules) {
  for (std::size_t k = 0; k < rules.size(); ++k) {
    if (is_default_rule_id(rules[k].value("id", ""))) continue;
    auto n = std::to_string(k);
    rules[k]["id"] = "0d3fdb6e-3c7a-4f39-8c0e-" + std::string(12 - n.size(), '0') + n;
  }
  return rules;
}

/// The six default rules as the API returns them (spec §6), zone fr-par-1.
json api_default_rules() {
  return json::parse(R"([
  {"id": "11111111-2222-4333-8444-000000000001", "protocol": "TCP", "direction": "outbound", "ip_range": "0.0.0.0/0", "dest_ip_range": null, "dest_port_from": 25, "dest_port_to": null, "position": 1, "editable": false, "action": "drop", "zone": "fr-par-1"},
  {"id": "11111111-2222-4333-8444-000000000002", "protocol": "TCP", "direction": "outbound", "ip_range": "0.0.0.0/0", "dest_ip_range": null, "dest_port_from": 465, "dest_port_to": null, "position": 2, "editable": false, "action": "drop", "zone": "fr-par-1"},
  {"id": "11111111-2222-4333-8444-000000000003", "protocol": "TCP", "direction": "outbound", "ip_range": "0.0.0.0/0", "dest_ip_range": null, "dest_port_from": 587, "dest_port_to": null, "position": 3, "editable": false, "action": "drop", "zone": "fr-par-1"},
  {"id": "11111111-2222-4333-8444-000000000004", "protocol": "TCP", "direction": "outbound", "ip_range": "::/0", "dest_ip_range": null, "dest_port_from": 25, "dest_port_to": null, "position": 4, "editable": false, "action": "drop", "zone": "fr-par-1"},
  {"id": "11111111-2222-4333-8444-000000000005", "protocol": "TCP", "direction": "outbound", "ip_range": "::/0", "dest_ip_range": null, "dest_port_from": 465, "dest_port_to": null, "position": 5, "editable": false, "action": "drop", "zone": "fr-par-1"},
  {"id": "11111111-2222-4333-8444-000000000006", "protocol": "TCP", "direction": "outbound", "ip_range": "::/0", "dest_ip_range": null, "dest_port_from": 587, "dest_port_to": null, "position": 6, "editable": false, "action": "drop", "zone": "fr-par-1"}
  ])");
}

/// A group object exactly as GET /security_groups/{id} returns it (tf: cassette shape).
json api_group() {
  return json::parse(R"({"id": "a5f1e1d2-9f0b-4c55-b1b8-6c3e0f6d9b10",
    "creation_date": "2026-07-30T12:54:21.436730+00:00",
    "modification_date": "2026-07-30T12:54:22.011245+00:00", "name": "tf-sg",
    "description": null, "organization": "105bdce1-64c0-48ab-899d-868455867ecf",
    "project": "105bdce1-64c0-48ab-899d-868455867ecf", "servers": [], "stateful": true,
    "inbound_default_policy": "drop", "outbound_default_policy": "accept",
    "organization_default": false, "project_default": false, "enable_default_security": true,
    "state": "available", "tags": ["foo", "bar"], "zone": "fr-par-1"})");
}

std::vector<std::string> keys_of(const json& j) {
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  return keys;
}

// -- Random groups -----------------------------------------------------------------------

std::string random_hex(std::mt19937& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += "0123456789abcdef"[rng() % 16];
  return s;
}

std::string random_uuid(std::mt19937& rng) {
  return random_hex(rng, 8) + "-" + random_hex(rng, 4) + "-4" + random_hex(rng, 3) + "-a" +
         random_hex(rng, 3) + "-" + random_hex(rng, 12);
}

ip_network random_network(std::mt19937& rng) {
  if (rng() % 2) {
    std::string text = std::to_string(rng() % 256) + "." + std::to_string(rng() % 256) + "." +
                       std::to_string(rng() % 256) + "." + std::to_string(rng() % 256);
    return ip_network::of(parse_address(text), rng() % 33);
  }
  std::string text;
  for (int i = 0; i < 8; ++i)
    text += (i ? ":" : "") + (rng() % 3 == 0 ? std::string("0") : random_hex(rng, 1 + rng() % 4));
  return ip_network::of(parse_address(text), rng() % 129);
}

rule random_rule(std::mt19937& rng, std::uint32_t position) {
  rule r;
  r.id = rng() % 8 == 0 ? std::string() : random_uuid(rng);
  r.protocol = static_cast<protocol>(rng() % 4);
  r.direction = static_cast<direction>(rng() % 2);
  r.action = static_cast<action>(rng() % 2);
  r.ip_range = random_network(rng);
  if ((r.protocol == protocol::tcp || r.protocol == protocol::udp) && rng() % 4 != 0) {
    auto from = static_cast<std::uint16_t>(1 + rng() % 65535);
    auto to = rng() % 2 ? from : static_cast<std::uint16_t>(from + rng() % (65536 - from));
    r.ports = port_range{from, to};
  }
  r.position = position;
  r.editable = true;  // a group file refuses `editable: false` on a rule not a default one
  r.zone = rng() % 5 == 0 ? std::string() : std::string("nl-ams-1");
  return r;
}

security_group random_group(std::mt19937& rng) {
  security_group g;
  g.id = random_uuid(rng);
  g.name = "sg-" + random_hex(rng, 6) + (rng() % 4 == 0 ? " \"quoted\" \\ \xc3\xa9t\xc3\xa9" : "");
  if (rng() % 2) g.description = "desc " + random_hex(rng, 10);
  g.organization = random_uuid(rng);
  g.project = rng() % 2 ? g.organization : random_uuid(rng);
  for (unsigned i = rng() % 4; i > 0; --i) g.tags.push_back("tag-" + random_hex(rng, 3));
  for (unsigned i = rng() % 3; i > 0; --i)
    g.servers.push_back({random_uuid(rng), "srv-" + random_hex(rng, 4)});
  g.stateful = rng() % 2;
  g.inbound_default_policy = static_cast<action>(rng() % 2);
  g.outbound_default_policy = static_cast<action>(rng() % 2);
  g.organization_default = rng() % 5 == 0;
  g.project_default = rng() % 3 == 0;
  g.enable_default_security = rng() % 3 != 0;
  g.state = static_cast<group_state>(rng() % 3);
  if (rng() % 4) g.creation_date = "2026-07-30T12:54:21.436730+00:00";
  if (rng() % 4) g.modification_date = "2026-08-01T00:00:00.000001+00:00";
  g.zone = std::array{"fr-par-1", "fr-par-2", "nl-ams-1", "pl-waw-3"}[rng() % 4];
  std::uint32_t position = 1 + rng() % 3;
  for (unsigned i = rng() % 14; i > 0; --i) {
    g.rules.push_back(random_rule(rng, position));
    position += rng() % 3;  // duplicates allowed: ties keep stored order
  }
  return g;
}

}  // namespace

// -- Rules: API shapes -------------------------------------------------------------------

TEST_CASE("a rule in the API shape is read field by field") {
  auto r = rule_from_json(api_default_rules()[4]);
  CHECK(r.id == "11111111-2222-4333-8444-000000000005");
  CHECK(r.protocol == protocol::tcp);
  CHECK(r.direction == direction::outbound);
  CHECK(r.action == action::drop);
  CHECK(r.ip_range == ip_network::any(family::v6));
  REQUIRE(r.ports);
  CHECK(r.ports->from == 465);
  CHECK(r.ports->to == 465);
  CHECK(r.position == 5);
  CHECK_FALSE(r.editable);
  CHECK(r.zone == "fr-par-1");
  CHECK(rule_to_json(r) == api_default_rules()[4]);
}

TEST_CASE("rule output keeps the API key order") {
  CHECK(keys_of(rule_to_json(rule{})) ==
        std::vector<std::string>{"id", "protocol", "direction", "ip_range", "dest_ip_range",
                                 "dest_port_from", "dest_port_to", "position", "editable",
                                 "action", "zone"});
}

TEST_CASE("enum values are case-insensitive on input and canonical on output") {
  auto r = rule_from_json(api_rule(
      json{{"protocol", "udp"}, {"direction", "OutBound"}, {"action", "DROP"}}));
  CHECK(r.protocol == protocol::udp);
  CHECK(r.direction == direction::outbound);
  CHECK(r.action == action::drop);
  auto j = rule_to_json(r);
  CHECK(j["protocol"] == "UDP");
  CHECK(j["direction"] == "outbound");
  CHECK(j["action"] == "drop");

  auto g = group_from_json(
      json{{"name", "x"}, {"inbound_default_policy", "DROP"}, {"state", "Syncing"}});
  CHECK(g.inbound_default_policy == action::drop);
  CHECK(g.state == group_state::syncing);
  CHECK(group_to_json(g)["inbound_default_policy"] == "drop");
  CHECK(group_to_json(g)["state"] == "syncing");
}

TEST_CASE("go:cas-rule PATCH results are reproduced in the API shape") {
  // Rule created as TCP inbound accept 8.8.8.8/32 1-1024 position 1 (spec §3.14).
  auto created = rule_to_json(rule_from_json(json::parse(
      R"({"protocol": "TCP", "direction": "inbound", "action": "accept",
          "ip_range": "8.8.8.8/32", "dest_port_from": 1, "dest_port_to": 1024, "position": 1})")));
  CHECK(created["ip_range"] == "8.8.8.8");
  CHECK(created["dest_port_from"] == 1);
  CHECK(created["dest_port_to"] == 1024);

  SECTION("UDP outbound drop 1.1.1.1/32 1-2048") {
    auto j = rule_to_json(rule_from_json(json::parse(
        R"({"protocol": "UDP", "direction": "outbound", "action": "drop",
            "ip_range": "1.1.1.1/32", "dest_port_from": 1, "dest_port_to": 2048, "position": 1})")));
    CHECK(j == json::parse(R"({"id": null, "protocol": "UDP", "direction": "outbound",
        "ip_range": "1.1.1.1", "dest_ip_range": null, "dest_port_from": 1, "dest_port_to": 2048,
        "position": 1, "editable": true, "action": "drop", "zone": ""})"));
  }
  SECTION("ports 22,22 collapse to dest_port_to null") {
    auto j = rule_to_json(rule_from_json(api_rule(json{{"dest_port_from", 22}, {"dest_port_to", 22}})));
    CHECK(j["dest_port_from"] == 22);
    CHECK(j["dest_port_to"].is_null());
  }
  SECTION("ICMP clears both ports") {
    auto r = rule_from_json(api_rule(
        json{{"protocol", "ICMP"}, {"dest_port_from", 1}, {"dest_port_to", 1024}}));
    CHECK_FALSE(r.ports.has_value());
    auto j = rule_to_json(r);
    CHECK(j["dest_port_from"].is_null());
    CHECK(j["dest_port_to"].is_null());
  }
  SECTION("ANY clears both ports") {
    auto r = rule_from_json(api_rule(json{{"protocol", "any"}, {"dest_port_from", 80}}));
    CHECK_FALSE(r.ports.has_value());
  }
  SECTION("ports 0,0 unset the range, the protocol stays TCP") {
    auto r = rule_from_json(api_rule(json{{"dest_port_from", 0}, {"dest_port_to", 0}}));
    CHECK(r.protocol == protocol::tcp);
    CHECK_FALSE(r.ports.has_value());
    CHECK(rule_to_json(r)["dest_port_from"].is_null());
  }
}

TEST_CASE("ip_range is normalised as the API writes it (spec §5.2)") {
  auto out = [](const char* in) {
    return rule_to_json(rule_from_json(api_rule(json{{"ip_range", in}})))["ip_range"]
        .get<std::string>();
  };
  CHECK(out("8.8.8.8/32") == "8.8.8.8");
  CHECK(out("8.8.8.8") == "8.8.8.8");
  CHECK(out("1.2.3.0/32") == "1.2.3.0");
  CHECK(out("2002::1234:abcd:ffff:c0a8:101/128") == "2002::1234:abcd:ffff:c0a8:101");
  CHECK(out("0.0.0.0/0") == "0.0.0.0/0");
  CHECK(out("::/0") == "::/0");
  CHECK(out("1.2.0.0/16") == "1.2.0.0/16");
  CHECK(out("2002::/24") == "2002::/24");
  CHECK(out("2002:0:0:1234::/64") == "2002:0:0:1234::/64");
  CHECK(out("1.2.3.4/16") == "1.2.0.0/16");
  CHECK(out("2001:DB8:0:0:0:0:0:1/64") == "2001:db8::/64");
}

TEST_CASE("optional rule fields: defaults, nulls, unknown keys") {
  auto r = rule_from_json(json::parse(
      R"({"protocol": "TCP", "direction": "inbound", "action": "accept", "ip_range": "10.0.0.0/8",
          "some_future_field": {"x": 1}})"));
  CHECK(r.id.empty());
  CHECK_FALSE(r.ports.has_value());
  CHECK(r.position == 0);
  CHECK(r.editable);
  CHECK(r.zone.empty());

  auto n = rule_from_json(api_rule(json{{"id", nullptr}, {"editable", nullptr},
                                        {"position", nullptr}, {"zone", nullptr},
                                        {"dest_port_from", nullptr}, {"dest_ip_range", nullptr}}));
  CHECK(n.id.empty());
  CHECK(n.editable);
  CHECK(n.position == 0);
  CHECK(n.zone.empty());
  CHECK_FALSE(n.ports.has_value());
  CHECK(rule_to_json(n)["id"].is_null());
  CHECK(rule_to_json(n)["dest_ip_range"].is_null());
}

// -- Groups ------------------------------------------------------------------------------

TEST_CASE("group output keeps the API key order and has no rules key") {
  security_group g;
  g.rules.push_back(rule{});
  CHECK(keys_of(group_to_json(g)) ==
        std::vector<std::string>{"id", "creation_date", "modification_date", "name",
                                 "description", "organization", "project", "servers",
                                 "stateful", "inbound_default_policy", "outbound_default_policy",
                                 "organization_default", "project_default",
                                 "enable_default_security", "state", "tags", "zone"});
}

TEST_CASE("a group in the API shape reads and writes back unchanged") {
  auto g = group_from_json(api_group());
  CHECK(g.id == "a5f1e1d2-9f0b-4c55-b1b8-6c3e0f6d9b10");
  CHECK(g.name == "tf-sg");
  CHECK_FALSE(g.description.has_value());
  CHECK(g.inbound_default_policy == action::drop);
  CHECK(g.tags == std::vector<std::string>{"foo", "bar"});
  CHECK(g.creation_date == std::optional<std::string>("2026-07-30T12:54:21.436730+00:00"));
  CHECK(g.rules.empty());
  CHECK(group_to_json(g) == api_group());
}

TEST_CASE("missing group fields take the API defaults") {
  auto g = group_from_json(json{{"name", "bare"}});
  CHECK(g.id.empty());
  CHECK(g.name == "bare");
  CHECK_FALSE(g.description.has_value());
  CHECK(g.tags.empty());
  CHECK(g.servers.empty());
  CHECK(g.stateful);
  CHECK(g.inbound_default_policy == action::accept);
  CHECK(g.outbound_default_policy == action::accept);
  CHECK_FALSE(g.project_default);
  CHECK_FALSE(g.organization_default);
  CHECK(g.enable_default_security);
  CHECK(g.state == group_state::available);
  CHECK_FALSE(g.creation_date.has_value());
  CHECK_FALSE(g.modification_date.has_value());
  CHECK(g.zone == "fr-par-1");
  CHECK(g.rules.empty());
  CHECK(group_to_json(g) == json::parse(R"({"id": "", "creation_date": null,
      "modification_date": null, "name": "bare", "description": null, "organization": "",
      "project": "", "servers": [], "stateful": true, "inbound_default_policy": "accept",
      "outbound_default_policy": "accept", "organization_default": false,
      "project_default": false, "enable_default_security": true, "state": "available",
      "tags": [], "zone": "fr-par-1"})"));

  // null stands for absent (as the Python SDK reads it), except where null is a value
  auto n = group_from_json(json::parse(
      R"({"name": "n", "stateful": null, "tags": null, "servers": null, "zone": null,
          "organization_default": null, "state": null, "rules": null, "unknown": [1, 2]})"));
  CHECK(n.stateful);
  CHECK(n.tags.empty());
  CHECK(n.servers.empty());
  CHECK(n.zone == "fr-par-1");
  CHECK(n.state == group_state::available);
}

TEST_CASE("servers are read as {id, name}") {
  auto g = group_from_json(json::parse(
      R"({"name": "s", "servers": [{"id": "6b2c1b9e-0f5d-4d7e-9c1a-3a7e2b8f4d21", "name": "web-1"},
                                   {"id": "0e8a4f7c-5b3d-4a9e-8f1c-2d6b7a9e3c54", "name": "web-2"}]})"));
  REQUIRE(g.servers.size() == 2);
  CHECK(g.servers[1].id == "0e8a4f7c-5b3d-4a9e-8f1c-2d6b7a9e3c54");
  CHECK(g.servers[1].name == "web-2");
  CHECK(group_to_json(g)["servers"][0] ==
        json::parse(R"({"id": "6b2c1b9e-0f5d-4d7e-9c1a-3a7e2b8f4d21", "name": "web-1"})"));
}

// -- Document forms --------------------------------------------------------------------

TEST_CASE("every export form yields the same groups") {
  json group = api_group();
  json rules = api_default_rules();
  rules.push_back(api_rule(json{{"position", 1}}));
  rules.push_back(api_rule(json{{"id", "7c9e2a4b-1d3f-4e6a-8b5c-9f0e1d2c3b4a"}, {"position", 2},
                                {"dest_port_from", 443}}));
  json embedded = group;
  embedded["rules"] = rules;

  auto reference = from_text(R"({"security_group": )" + group.dump() + R"(, "rules": )" +
                             rules.dump() + "}");
  REQUIRE(reference.size() == 1);
  REQUIRE(reference[0].rules.size() == 2);
  CHECK(reference[0].rules[1].ports == port_range{443, 443});

  SECTION("bare group with embedded rules") { CHECK(groups_from_json(embedded) == reference); }
  SECTION("export wrapper with rules inside security_group") {
    CHECK(groups_from_json(json{{"security_group", embedded}}) == reference);
  }
  // Group ids are unique in a document, so the copies below get ids of their own.
  const std::array<std::string, 3> ids{group["id"].get<std::string>(),
                                       "0b7d5c1e-2f4a-4b6c-9d8e-1a2b3c4d5e6f",
                                       "3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7"};
  auto with_id = [](json j, const std::string& id) {
    (j.contains("security_group") ? j["security_group"] : j)["id"] = id;
    return j;
  };
  auto expected = [&](std::size_t k) {
    auto g = reference[0];
    g.id = ids[k];
    return g;
  };
  SECTION("list form, with the total_count the Python SDK adds") {
    auto gs = groups_from_json(
        json{{"security_groups", json::array({embedded, with_id(embedded, ids[1])})},
             {"total_count", "2"}});
    REQUIRE(gs.size() == 2);
    CHECK(gs[0] == reference[0]);
    CHECK(gs[1] == expected(1));
  }
  SECTION("top-level array mixing the forms") {
    json doc = json::array({json{{"security_group", group}, {"rules", rules}},
                            with_id(embedded, ids[1]),
                            json{{"security_groups", json::array({with_id(embedded, ids[2])})}}});
    auto gs = groups_from_json(doc);
    REQUIRE(gs.size() == 3);
    for (std::size_t k = 0; k < gs.size(); ++k) CHECK(gs[k] == expected(k));
  }
  SECTION("export wrapper without rules") {
    auto gs = groups_from_json(json{{"security_group", group}});
    REQUIRE(gs.size() == 1);
    CHECK(gs[0].rules.empty());
    CHECK(gs[0].name == "tf-sg");
  }
  SECTION("bare group without rules") {
    auto gs = groups_from_json(group);
    REQUIRE(gs.size() == 1);
    CHECK(gs[0].rules.empty());
  }
  SECTION("empty lists") {
    CHECK(groups_from_json(json::parse(R"({"security_groups": []})")).empty());
    CHECK(groups_from_json(json::array()).empty());
  }
  SECTION("j.get<security_group>() reads the embedded rules") {
    CHECK(embedded.get<security_group>() == reference[0]);
  }
}

TEST_CASE("default rules are dropped on load and exported exactly once") {
  json doc{{"security_group", api_group()}, {"rules", api_default_rules()}};
  doc["rules"].push_back(api_rule(json{{"position", 1}}));
  auto g = groups_from_json(doc).at(0);
  REQUIRE(g.rules.size() == 1);
  CHECK(g.rules[0].id == "0d3fdb6e-3c7a-4f39-8c0e-0b6a7a2f1d11");

  auto out = export_to_json(g);
  CHECK(out == doc);  // the API export reads and writes back unchanged
  for (auto id : default_rule_ids)
    CHECK(std::count_if(out["rules"].begin(), out["rules"].end(),
                        [&](const json& r) { return r["id"] == id; }) == 1);
  CHECK(groups_from_json(out).at(0) == g);

  SECTION("default rules take the group's zone on export") {
    g.zone = "nl-ams-1";
    auto rules = export_to_json(g)["rules"];
    CHECK(rules[0]["zone"] == "nl-ams-1");
    CHECK(rules[5]["zone"] == "nl-ams-1");
  }
  SECTION("disabled default security: no default rules exported, file ones dropped") {
    doc["security_group"]["enable_default_security"] = false;
    auto off = groups_from_json(doc).at(0);
    CHECK(off.rules.size() == 1);
    auto rules = export_to_json(off)["rules"];
    REQUIRE(rules.size() == 1);
    CHECK(rules[0]["id"] == "0d3fdb6e-3c7a-4f39-8c0e-0b6a7a2f1d11");
  }
}

TEST_CASE("user rule positions") {
  auto rules_of = [](json rules) {
    return groups_from_json(json{{"name", "p"}, {"rules", distinct_ids(std::move(rules))}})
        .at(0)
        .rules;
  };
  auto positions = [](const std::vector<rule>& rs) {
    std::vector<std::uint32_t> out;
    for (const auto& r : rs) out.push_back(r.position);
    return out;
  };
  SECTION("none given: numbered 1..N in file order, default rules not counted") {
    json rs = api_default_rules();
    for (int port : {80, 443, 22}) {
      json r = api_rule(json{{"dest_port_from", port}});
      r.erase("position");
      rs.push_back(r);
    }
    rs[7]["position"] = 0;  // 0 means unset
    rs[8]["position"] = nullptr;
    auto got = rules_of(rs);
    CHECK(positions(got) == std::vector<std::uint32_t>{1, 2, 3});
    CHECK(got[0].ports->from == 80);
    CHECK(got[2].ports->from == 22);
  }
  SECTION("all given: kept as given, file order kept, evaluation sorts") {
    auto got = rules_of(json::array({api_rule(json{{"position", 3}, {"dest_port_from", 3}}),
                                     api_rule(json{{"position", 1}, {"dest_port_from", 1}}),
                                     api_rule(json{{"position", 2}, {"dest_port_from", 2}})}));
    CHECK(positions(got) == std::vector<std::uint32_t>{3, 1, 2});
    security_group g;
    g.enable_default_security = false;
    g.rules = got;
    auto ordered = ordered_rules(g);
    CHECK(ordered[0].ports->from == 1);
    CHECK(ordered[2].ports->from == 3);
  }
  SECTION("mixed: the first user rule lacking one is named by its file index") {
    json rs = api_default_rules();
    rs.push_back(api_rule(json{{"position", 1}}));
    rs.push_back(api_rule(json{{"position", 0}}));
    rs.push_back(api_rule(json{{"position", nullptr}}));
    CHECK_ERROR(parse_error, rules_of(rs), errc::missing_field, "rules[7].position");
  }
}

// -- Round trips ---------------------------------------------------------------------------

TEST_CASE("random groups round-trip through every writer (fixed seed)") {
  std::mt19937 rng(20260730);
  std::vector<security_group> all;
  for (int i = 0; i < 200; ++i) {
    auto g = random_group(rng);
    INFO("group " << i << ": " << export_to_json(g).dump());
    CHECK(groups_from_json(export_to_json(g)) == std::vector{g});
    CHECK(parse_groups(export_to_json(g).dump(2)) == std::vector{g});
    json embedded = group_to_json(g);
    embedded["rules"] = export_to_json(g)["rules"];
    CHECK(group_from_json(embedded) == g);
    for (const auto& r : g.rules) {
      json j = r;
      CHECK(j.get<rule>() == r);
      auto fixed = r;  // a single rule reads any `editable`; only group files check it
      fixed.editable = false;
      CHECK(json(fixed).get<rule>() == fixed);
    }
    security_group no_rules = g;
    no_rules.rules.clear();
    json j = g;
    CHECK(j.get<security_group>() == no_rules);
    all.push_back(std::move(g));
  }
  CHECK(groups_from_json(groups_to_json(all)) == all);
  CHECK(parse_groups(groups_to_json(all).dump()) == all);
}

TEST_CASE("groups_to_json writes the list form with embedded rules after zone") {
  security_group g;
  g.name = "a";
  rule r;
  r.position = 1;
  g.rules.push_back(r);
  auto j = groups_to_json({g});
  REQUIRE(j["security_groups"].size() == 1);
  auto keys = keys_of(j["security_groups"][0]);
  CHECK(keys.back() == "rules");
  CHECK(keys[keys.size() - 2] == "zone");
  CHECK(j["security_groups"][0]["rules"].size() == 7);
}

// -- Bundled examples ----------------------------------------------------------------------

TEST_CASE("examples/groups/web.json reads and writes back unchanged") {
  auto path = examples_dir / "web.json";
  auto text = read_text(path);
  auto groups = load_groups(path);
  REQUIRE(groups.size() == 1);
  const auto& g = groups[0];
  CHECK(g.name == "web-frontend");
  CHECK(g.enable_default_security);
  CHECK(g.inbound_default_policy == action::drop);
  CHECK(g.outbound_default_policy == action::accept);
  CHECK(g.rules.size() == 10);
  CHECK(std::none_of(g.rules.begin(), g.rules.end(),
                     [](const rule& r) { return is_default_rule_id(r.id); }));
  CHECK(export_to_json(g) == json::parse(text));
  CHECK(export_to_json(g).dump(2) + "\n" == text);
}

TEST_CASE("examples/groups/fleet.json reads and writes back unchanged") {
  auto path = examples_dir / "fleet.json";
  auto groups = load_groups(path);
  REQUIRE(groups.size() == 3);
  CHECK(groups[0].name == "app-backend");
  CHECK(groups[0].rules.size() == 7);
  CHECK(groups[1].name == "edge-lb");
  CHECK_FALSE(groups[1].enable_default_security);
  CHECK_FALSE(groups[1].description.has_value());
  CHECK(groups[2].project_default);
  CHECK(groups[2].rules.empty());
  CHECK(groups_to_json(groups) == json::parse(read_text(path)));
}

TEST_CASE("examples/groups/packets.txt decisions match their expectations on web.json") {
  auto g = load_groups(examples_dir / "web.json").at(0);
  reference_evaluator eval(g);
  std::istringstream lines(read_text(examples_dir / "packets.txt"));
  std::string line, expectation;
  int count = 0, line_no = 0;
  bool saw_v6 = false, saw_default_rule = false, saw_by_default = false;
  while (std::getline(lines, line)) {
    ++line_no;
    if (line.rfind("# expect ", 0) == 0) {
      expectation = line.substr(9, line.find(':') - 9);
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    INFO("packets.txt:" << line_no << ": " << line << " (expect " << expectation << ")");
    REQUIRE_FALSE(expectation.empty());
    auto p = parse_packet(line, "packets.txt:" + std::to_string(line_no));
    auto d = eval.evaluate(p);
    bool by_default = expectation.find(" by default") != std::string::npos;
    auto want = parse_action(expectation.substr(0, expectation.find(' ')));
    CHECK(d.action == want);
    CHECK(d.by_default() == by_default);
    saw_v6 |= p.remote.af == family::v6;
    saw_by_default |= d.by_default();
    saw_default_rule |= !d.by_default() && is_default_rule_id(eval.rules()[d.rule].id);
    expectation.clear();
    ++count;
  }
  CHECK(count >= 15);
  CHECK(saw_v6);
  CHECK(saw_default_rule);
  CHECK(saw_by_default);
}

// -- Errors --------------------------------------------------------------------------------

TEST_CASE("malformed JSON names the source, line and column") {
  auto e = thrown<parse_error>(
      [] { parse_groups("{\n  \"security_group\": {,\n}", "bad.json"); });
  CHECK(std::string(e.id()) == errc::bad_json);
  CHECK(e.field() == "bad.json");
  CHECK(e.message().rfind("invalid JSON at line 2, column 22: ", 0) == 0);

  auto end = thrown<parse_error>([] { parse_groups("[1,2"); });
  CHECK(end.field().empty());
  CHECK(end.message().rfind("invalid JSON at line 1, column 5: ", 0) == 0);

  auto empty = thrown<parse_error>([] { parse_groups("", "empty.json"); });
  CHECK(empty.message().rfind("invalid JSON at line 1, column 1: ", 0) == 0);

  auto trailing = thrown<parse_error>([] { parse_groups("{\"name\": \"a\"}\n\n  x"); });
  CHECK(trailing.message().rfind("invalid JSON at line 3, column 3: ", 0) == 0);
}

TEST_CASE("wrong JSON types name the field") {
  auto group_with = [](const char* key, json value) {
    json g = api_group();
    g[key] = std::move(value);
    return json{{"security_group", g}};
  };
  auto rule_with = [](const char* key, json value) {
    return json{{"security_group", api_group()},
                {"rules", json::array({api_rule(json{{key, std::move(value)}})})}};
  };
  CHECK_ERROR(parse_error, groups_from_json(rule_with("protocol", 6)), errc::wrong_type,
              "rules[0].protocol");
  CHECK_ERROR(parse_error, groups_from_json(rule_with("ip_range", json::array())),
              errc::wrong_type, "rules[0].ip_range");
  CHECK_ERROR(parse_error, groups_from_json(rule_with("dest_port_from", "22")), errc::wrong_type,
              "rules[0].dest_port_from");
  CHECK_ERROR(parse_error, groups_from_json(rule_with("dest_port_to", 22.5)), errc::wrong_type,
              "rules[0].dest_port_to");
  CHECK_ERROR(parse_error, groups_from_json(rule_with("position", "1")), errc::wrong_type,
              "rules[0].position");
  CHECK_ERROR(parse_error, groups_from_json(rule_with("editable", "yes")), errc::wrong_type,
              "rules[0].editable");
  CHECK_ERROR(parse_error, groups_from_json(rule_with("dest_ip_range", 1)), errc::wrong_type,
              "rules[0].dest_ip_range");
  CHECK_ERROR(parse_error, groups_from_json(rule_with("id", 7)), errc::wrong_type,
              "rules[0].id");
  CHECK_ERROR(parse_error, groups_from_json(group_with("tags", "web")), errc::wrong_type,
              "security_group.tags");
  CHECK_ERROR(parse_error, groups_from_json(group_with("tags", json::array({"a", 1}))),
              errc::wrong_type, "security_group.tags[1]");
  CHECK_ERROR(parse_error, groups_from_json(group_with("stateful", "yes")), errc::wrong_type,
              "security_group.stateful");
  CHECK_ERROR(parse_error, groups_from_json(group_with("description", false)), errc::wrong_type,
              "security_group.description");
  CHECK_ERROR(parse_error, groups_from_json(group_with("creation_date", 0)), errc::wrong_type,
              "security_group.creation_date");
  CHECK_ERROR(parse_error,
              groups_from_json(group_with("servers", json::parse(R"([{"id": "a"}, {"id": 5}])"))),
              errc::wrong_type, "security_group.servers[1].id");
  CHECK_ERROR(parse_error, groups_from_json(group_with("servers", json::array({"srv"}))),
              errc::wrong_type, "security_group.servers[0]");
  CHECK_ERROR(parse_error,
              groups_from_json(json{{"security_group", api_group()}, {"rules", json::object()}}),
              errc::wrong_type, "rules");
  CHECK_ERROR(parse_error,
              groups_from_json(json{{"security_group", api_group()},
                                    {"rules", json::array({api_rule(), "rule"})}}),
              errc::wrong_type, "rules[1]");
  CHECK_ERROR(parse_error, groups_from_json(json{{"security_group", json::array()}}),
              errc::wrong_type, "security_group");
  CHECK_ERROR(parse_error, groups_from_json(json{{"security_groups", json::object()}}),
              errc::wrong_type, "security_groups");
  CHECK_ERROR(parse_error, groups_from_json(json{{"security_groups", json::array({1})}}),
              errc::wrong_type, "security_groups[0]");

  auto e = thrown<parse_error>([&] { groups_from_json(rule_with("protocol", 6)); });
  CHECK(e.message() == "expected a string, got number");
}

TEST_CASE("unknown enum values are parse errors with full paths") {
  json bad = api_group();
  bad["rules"] = json::array({api_rule(json{{"protocol", "SCTP"}})});
  json doc{{"security_groups", json::array({api_group(), bad})}};
  CHECK_ERROR(parse_error, groups_from_json(doc), errc::bad_enum,
              "security_groups[1].rules[0].protocol");
  CHECK_ERROR(parse_error, groups_from_json(json::array({api_group(), doc})), errc::bad_enum,
              "[1].security_groups[1].rules[0].protocol");

  json g = api_group();
  g["inbound_default_policy"] = "reject";
  CHECK_ERROR(parse_error, groups_from_json(json{{"security_group", g}}), errc::bad_enum,
              "security_group.inbound_default_policy");
  g = api_group();
  g["state"] = "deleted";
  CHECK_ERROR(parse_error, groups_from_json(g), errc::bad_enum, "state");
  CHECK_ERROR(parse_error, rule_from_json(api_rule(json{{"direction", "in"}}), "rules[4]"),
              errc::bad_enum, "rules[4].direction");
  CHECK_ERROR(parse_error, rule_from_json(api_rule(json{{"action", "allow"}})), errc::bad_enum,
              "action");
}

TEST_CASE("bad CIDRs are parse errors") {
  json g = api_group();
  g["rules"] = distinct_ids(
      json::array({api_rule(), api_rule(), api_rule(json{{"ip_range", "10.0.0.0/33"}})}));
  CHECK_ERROR(parse_error, group_from_json(g), errc::bad_cidr, "rules[2].ip_range");
  CHECK_ERROR(parse_error, group_from_json(g, "groups[3]"), errc::bad_cidr,
              "groups[3].rules[2].ip_range");
  CHECK_ERROR(parse_error, rule_from_json(api_rule(json{{"ip_range", "10.0.0.256"}})),
              errc::bad_cidr, "ip_range");
  CHECK_ERROR(parse_error, rule_from_json(api_rule(json{{"ip_range", "::1/129"}})),
              errc::bad_cidr, "ip_range");
  CHECK_ERROR(parse_error, rule_from_json(api_rule(json{{"ip_range", ""}})), errc::bad_cidr,
              "ip_range");
}

TEST_CASE("port and position values out of range are validation errors") {
  auto with = [](json overrides) { return rule_from_json(api_rule(overrides), "rules[0]"); };
  CHECK_ERROR(validation_error, with(json{{"dest_port_from", 70000}}), errc::port_out_of_range,
              "rules[0].dest_port_from");
  CHECK_ERROR(validation_error, with(json{{"dest_port_to", 70000}}), errc::port_out_of_range,
              "rules[0].dest_port_to");
  CHECK_ERROR(validation_error, with(json{{"dest_port_from", -1}}), errc::port_out_of_range,
              "rules[0].dest_port_from");
  CHECK_ERROR(validation_error, with(json::parse(R"({"dest_port_from": 18446744073709551615})")),
              errc::port_out_of_range, "rules[0].dest_port_from");
  CHECK_ERROR(validation_error, with(json{{"dest_port_from", 443}, {"dest_port_to", 80}}),
              errc::port_order, "rules[0].dest_port_to");
  CHECK_ERROR(validation_error, with(json{{"dest_port_from", nullptr}, {"dest_port_to", 80}}),
              errc::port_order, "rules[0].dest_port_from");
  CHECK_ERROR(validation_error, with(json{{"dest_port_from", 0}, {"dest_port_to", 80}}),
              errc::port_order, "rules[0].dest_port_from");
  CHECK_ERROR(validation_error, with(json{{"position", -1}}), errc::bad_value,
              "rules[0].position");
  CHECK_ERROR(validation_error, with(json{{"position", 4294967296LL}}), errc::bad_value,
              "rules[0].position");
  CHECK(with(json{{"position", 4294967295LL}}).position == 4294967295u);
  CHECK(with(json{{"dest_port_from", 65535}}).ports == port_range{65535, 65535});

  auto e = thrown<validation_error>([&] { with(json{{"dest_port_from", 70000}}); });
  CHECK(e.message() == "port 70000 is outside 0..65535");
}

TEST_CASE("missing required rule fields are named") {
  for (const char* key : {"protocol", "direction", "action", "ip_range"}) {
    json r = api_rule();
    r.erase(key);
    json doc{{"security_groups", json::array({json{{"name", "a"}, {"rules", json::array({r})}}})}};
    CHECK_ERROR(parse_error, groups_from_json(doc), errc::missing_field,
                std::string("security_groups[0].rules[0].") + key);
    CHECK_ERROR(parse_error, rule_from_json(api_rule(json{{key, nullptr}})), errc::missing_field,
                key);
  }
}

TEST_CASE("documents of no accepted form are rejected") {
  CHECK_ERROR(parse_error, groups_from_json(json(42)), errc::bad_file, "");
  CHECK_ERROR(parse_error, groups_from_json(json("security_group")), errc::bad_file, "");
  CHECK_ERROR(parse_error, groups_from_json(json::object()), errc::bad_file, "");
  CHECK_ERROR(parse_error, groups_from_json(json{{"rules", json::array({api_rule()})}}),
              errc::bad_file, "");
  CHECK_ERROR(parse_error, groups_from_json(json::array({api_group(), json::array()})),
              errc::bad_file, "[1]");
  CHECK_ERROR(parse_error,
              groups_from_json(json{{"security_group", api_group()},
                                    {"security_groups", json::array()}}),
              errc::bad_file, "");
  json inside = api_group();
  inside["rules"] = json::array();
  CHECK_ERROR(parse_error,
              groups_from_json(json{{"security_group", inside}, {"rules", json::array()}}),
              errc::bad_file, "rules");
  CHECK_ERROR(parse_error, group_from_json(json{{"security_group", api_group()}}),
              errc::bad_file, "");
  CHECK_ERROR(parse_error, parse_groups("{}", "x.json"), errc::bad_file, "x.json");

  auto e = thrown<parse_error>([] { groups_from_json(json(42)); });
  CHECK(e.message().find("{\"security_groups\": [...]}") != std::string::npos);
}

TEST_CASE("nested errors carry the path inside the embedded rules") {
  json g = api_group();
  g["rules"] = json::array({api_rule(), api_rule(json{{"dest_port_from", 70000}})});
  CHECK_ERROR(validation_error, groups_from_json(json{{"security_group", g}}),
              errc::port_out_of_range, "security_group.rules[1].dest_port_from");
  CHECK_ERROR(validation_error, g.get<security_group>(), errc::port_out_of_range,
              "rules[1].dest_port_from");
  CHECK_ERROR(parse_error, api_rule(json{{"protocol", "SCTP"}}).get<rule>(), errc::bad_enum,
              "protocol");
}

TEST_CASE("load_groups prefixes error fields with the path") {
  auto dir = fs::temp_directory_path() /
             ("secgroup-json-test-" + std::to_string(static_cast<long>(::getpid())));
  fs::create_directories(dir);
  auto path = dir / "web.json";
  json doc{{"security_group", api_group()},
           {"rules", distinct_ids(json::array(
                         {api_rule(), api_rule(), api_rule(json{{"ip_range", "10.0.0.0/33"}})}))}};
  { std::ofstream(path) << doc.dump(2); }

  auto e = thrown<parse_error>([&] { load_groups(path); });
  CHECK(std::string(e.id()) == errc::bad_cidr);
  CHECK(e.field() == path.string() + ": rules[2].ip_range");
  CHECK(std::string(e.what()) == "[secgroup.parse.102] " + path.string() +
                                     ": rules[2].ip_range: " + e.message());

  { std::ofstream(path) << "{\n  \"name\": \"x\",\n}"; }
  auto syntax = thrown<parse_error>([&] { load_groups(path); });
  CHECK(std::string(syntax.id()) == errc::bad_json);
  CHECK(syntax.field() == path.string());
  CHECK(syntax.message().rfind("invalid JSON at line 3, column 1: ", 0) == 0);

  { std::ofstream(path) << "[]"; }
  CHECK(load_groups(path).empty());

  CHECK_ERROR(parse_error, load_groups(dir / "missing.json"), errc::bad_file,
              (dir / "missing.json").string());
  CHECK_ERROR(parse_error, load_groups(dir), errc::bad_file, dir.string());
  CHECK_ERROR(validation_error,
              parse_groups(R"({"name": "a", "rules": [{"protocol": "TCP", "direction": "inbound",
                  "action": "accept", "ip_range": "::/0", "dest_port_from": 80,
                  "dest_port_to": 8}]})",
                           "web.json"),
              errc::port_order, "web.json: rules[0].dest_port_to");
  fs::remove_all(dir);
}

// -- Hostile input: nothing hidden, nothing ignored, nothing crashes (issue 12) --------------

TEST_CASE("a rule bearing a default-rule id must be that default rule") {
  auto doc_with = [](json rules) {
    return json{{"security_group", api_group()}, {"rules", std::move(rules)}};
  };
  SECTION("an inbound SSH accept behind default rule 1's id is refused, not dropped") {
    json rules = api_default_rules();
    rules[0] = api_rule(json{{"id", rules[0]["id"]}, {"position", 1}});  // TCP in 0.0.0.0/0 22
    auto e = thrown<validation_error>([&] { parse_groups(doc_with(rules).dump(), "x.json"); });
    CHECK(std::string(e.id()) == errc::not_default_rule);
    CHECK(e.field() == "x.json: rules[0].id");
    CHECK(e.message().find("inbound accept TCP 0.0.0.0/0 22") != std::string::npos);
    CHECK(e.message().find("outbound drop TCP 0.0.0.0/0 25") != std::string::npos);
    // The same in the list form, embedded: the full path is named.
    json g = api_group();
    g["rules"] = rules;
    CHECK_ERROR(validation_error, groups_from_json(json{{"security_groups", json::array({g})}}),
                errc::not_default_rule, "security_groups[0].rules[0].id");
  }
  SECTION("every field that decides something must be the default rule's") {
    const std::vector<std::pair<const char*, json>> changes{
        {"direction", "inbound"}, {"action", "accept"},        {"protocol", "UDP"},
        {"protocol", "ANY"},      {"ip_range", "10.0.0.0/8"},  {"ip_range", "::/0"},
        {"dest_port_from", 22},   {"dest_port_from", nullptr}, {"dest_port_to", 587}};
    for (const auto& [key, value] : changes) {
      CAPTURE(key, value.dump());
      json rules = api_default_rules();
      rules[1][key] = value;  // TCP outbound drop 0.0.0.0/0 465
      CHECK_ERROR(validation_error, groups_from_json(doc_with(rules)), errc::not_default_rule,
                  "rules[1].id");
    }
  }
  SECTION("position and editable, when given, must be the default rule's") {
    json rules = api_default_rules();
    rules[2]["position"] = 7;
    CHECK_ERROR(validation_error, groups_from_json(doc_with(rules)), errc::not_default_rule,
                "rules[2].position");
    rules = api_default_rules();
    rules[4]["editable"] = true;
    CHECK_ERROR(validation_error, groups_from_json(doc_with(rules)), errc::not_default_rule,
                "rules[4].editable");
  }
  SECTION("the exact default rules are dropped, also written by hand (null = absent)") {
    json rules = api_default_rules();
    for (auto& r : rules) {
      r.erase("position");
      r["editable"] = nullptr;
      r.erase("zone");
      r["protocol"] = "tcp";
    }
    rules[0]["ip_range"] = "0.0.0.0/0";
    rules[1]["dest_port_to"] = 465;  // a single port written as a range
    rules.push_back(api_rule());
    auto g = groups_from_json(doc_with(rules)).at(0);
    REQUIRE(g.rules.size() == 1);
    CHECK(g.rules[0].id == api_rule()["id"]);
    CHECK(g.rules[0].position == 1);  // numbered among user rules only
  }
  SECTION("only default rules may say editable: false") {
    json rules = api_default_rules();
    rules.push_back(api_rule(json{{"editable", false}}));
    CHECK_ERROR(validation_error, groups_from_json(doc_with(rules)), errc::not_default_rule,
                "rules[6].editable");
  }
}

TEST_CASE("a non-null dest_ip_range is refused, not ignored") {
  for (const char* value : {"10.0.0.1", "0.0.0.0/0", ""}) {
    CAPTURE(value);
    json doc{{"security_group", api_group()},
             {"rules", json::array({api_rule(json{{"dest_ip_range", value}})})}};
    auto e = thrown<validation_error>([&] { groups_from_json(doc); });
    CHECK(std::string(e.id()) == errc::unsupported);
    CHECK(e.field() == "rules[0].dest_ip_range");
    CHECK_ERROR(validation_error, rule_from_json(api_rule(json{{"dest_ip_range", value}})),
                errc::unsupported, "dest_ip_range");
  }
  CHECK(rule_from_json(api_rule(json{{"dest_ip_range", nullptr}})).id == api_rule()["id"]);
}

TEST_CASE("ids are unique: rules within a group, groups within a document") {
  json g = api_group();
  g["rules"] = distinct_ids(json::array({api_rule(), api_rule(), api_rule()}));
  g["rules"][2]["id"] = g["rules"][0]["id"];
  auto e = thrown<validation_error>([&] { groups_from_json(g); });
  CHECK(std::string(e.id()) == errc::duplicate_id);
  CHECK(e.field() == "rules[2].id");
  CHECK(e.message().find("rules[0].id") != std::string::npos);
  // A default rule listed twice is a repeated id too.
  json twice = api_default_rules();
  twice.push_back(twice[5]);
  CHECK_ERROR(validation_error,
              groups_from_json(json{{"security_group", api_group()}, {"rules", twice}}),
              errc::duplicate_id, "rules[6].id");
  // Rules without id are new rules, never duplicates.
  g["rules"] = json::array({api_rule(json{{"id", nullptr}}), api_rule(json{{"id", nullptr}})});
  CHECK(groups_from_json(g).at(0).rules.size() == 2);

  json a = api_group(), b = api_group();
  b["name"] = "other";
  CHECK_ERROR(validation_error, groups_from_json(json{{"security_groups", json::array({a, b})}}),
              errc::duplicate_id, "security_groups[1].id");
  CHECK_ERROR(validation_error,
              parse_groups(json::array({json{{"security_group", a}}, b}).dump(), "f.json"),
              errc::duplicate_id, "f.json: [1].id");
  CHECK_ERROR(validation_error,
              groups_from_json(json::array({a, json{{"security_groups", json::array({b})}}})),
              errc::duplicate_id, "[1].security_groups[0].id");
  b["id"] = "0b7d5c1e-2f4a-4b6c-9d8e-1a2b3c4d5e6f";
  CHECK(groups_from_json(json{{"security_groups", json::array({a, b})}}).size() == 2);
  a.erase("id");
  b.erase("id");
  CHECK(groups_from_json(json{{"security_groups", json::array({a, b})}}).size() == 2);
}

// `2.2e1` (and `22.0`) is 22, yet nlohmann reads it as a float: refused, as before, but the
// message said "non-integer number 22.0", which it is not.
TEST_CASE("an integer field written with a fraction or an exponent is refused in plain words") {
  const std::string rule = R"({"name": "g", "rules": [{"protocol": "TCP", "direction": "inbound",
      "action": "accept", "ip_range": "0.0.0.0/0", "dest_port_from": )";
  struct sample {
    std::string written, message;
  };
  const std::string whole =
      ", a number written with a fraction or an exponent (as 22.0 or 2.2e1 are), which is not "
      "read as an integer even when whole: write ";
  const std::vector<sample> samples{
      {"2.2e1", "expected an integer, got 22.0" + whole + "22"},
      {"22.0", "expected an integer, got 22.0" + whole + "22"},
      {"2E1", "expected an integer, got 20.0" + whole + "20"},
      {"-0.0", "expected an integer, got -0.0" + whole + "0"},
      {"-3e0", "expected an integer, got -3.0" + whole + "-3"},
      {"1e19", "expected an integer, got 1e+19" + whole + "10000000000000000000"},
      {"22.5", "expected an integer, got 22.5, a number with a fraction"},
      {"2.25e1", "expected an integer, got 22.5, a number with a fraction"},
      // nlohmann reads an integer beyond 64 bits as a float too, however it is written.
      {"100000000000000000000", "expected an integer, got 1e+20, a number beyond 64 bits"},
      {"-9223372036854775809",
       "expected an integer, got -9.223372036854776e+18, a number "
       "beyond 64 bits"},
  };
  for (const auto& s : samples) {
    CAPTURE(s.written);
    auto e = thrown<parse_error>([&] { parse_groups(rule + s.written + "}]}", "g.json"); });
    CHECK(std::string(e.id()) == errc::wrong_type);
    CHECK(e.field() == "g.json: rules[0].dest_port_from");
    CHECK(e.message() == s.message);
    CHECK(e.message().find("non-integer") == std::string::npos);
  }
  // Every integer field of every reader says the same (the one helper, expect_integer).
  auto position =
      thrown<parse_error>([&] { parse_groups(rule + "22, \"position\": 1.0e0}]}", "g.json"); });
  CHECK(position.field() == "g.json: rules[0].position");
  CHECK(position.message() == "expected an integer, got 1.0" + whole + "1");
  // Integers keep their range errors, other types their words.
  CHECK_ERROR(validation_error, parse_groups(rule + "70000}]}"), errc::port_out_of_range,
              "rules[0].dest_port_from");
  CHECK(thrown<parse_error>([&] { parse_groups(rule + "\"22\"}]}"); }).message() ==
        "expected an integer, got string");
}

TEST_CASE("a number beyond a double's range is a parse error naming its path") {
  auto rule_text = [](const std::string& port) {
    return R"({"protocol": "TCP", "direction": "inbound", "action": "accept",
               "ip_range": "0.0.0.0/0", "dest_port_from": )" +
           port + "}";
  };
  const std::string group = R"({"name": "g", "rules": [)" + rule_text("22") + ", " +
                            rule_text("1e309") + "]}";
  auto e = thrown<parse_error>([&] { parse_groups(group, "web.json"); });
  CHECK(std::string(e.id()) == errc::bad_number);
  CHECK(e.field() == "web.json: rules[1].dest_port_from");
  CHECK(e.message().find("1e309") != std::string::npos);

  const std::vector<std::pair<std::string, std::string>> cases{
      {"1e309", ""},
      {"-1e309", ""},
      {"[1, 2, 1E+400]", "[2]"},
      {R"({"security_groups": [{"name": "a"}, )" + group + "]}",
       "security_groups[1].rules[1].dest_port_from"},
      {R"([{"name": "a"}, {"security_group": {"name": "b", "position": )" + std::string(400, '9') +
           "}}]",
       "[1].security_group.position"},
      {R"({"name": "a", "unknown": [[], {"deep": [0, {"x": -2e308}]}]})", "unknown[1].deep[1].x"},
      {R"({"name": "a", "tags": [], "rules": [], "x": 1e309, "y": 1})", "x"}};
  for (const auto& [text_binding, path_binding] : cases) {
    const auto& text = text_binding;  // a lambda in CHECK_ERROR captures them: Clang 14 cannot
    const auto& path = path_binding;  // capture structured bindings
    CAPTURE(text);
    CHECK_ERROR(parse_error, parse_groups(text), errc::bad_number, path);
    CHECK_ERROR(parse_error, parse_json(text, "s.json"), errc::bad_number,
                path.empty() ? "s.json" : "s.json: " + path);
  }
  // In range, however written: read as usual.
  CHECK(parse_json("[1e308, -1.7976931348623157e308, 1e-400]").size() == 3);
  // Comments, when allowed, do not shift the path.
  CHECK_ERROR(parse_error, parse_json("{/* c */ \"a\": [0, // x\n 1e999]}", "c.json", true),
              errc::bad_number, "c.json: a[1]");
}

// A duplicate key hides a value: nlohmann keeps the last, other readers (and a reviewer reading
// top down) may take the first. `"ip_range": "10.0.0.0/8", ..., "ip_range": "0.0.0.0/0"` was
// read as a rule open to the world that a reader of the first value sees as internal.
TEST_CASE("an object that repeats a key is refused, naming the key, its path and line") {
  const std::string hidden = R"({"name": "web", "rules": [
  {"protocol": "TCP", "direction": "inbound", "action": "accept", "ip_range": "10.0.0.0/8",
   "dest_port_from": 22},
  {"protocol": "TCP", "direction": "inbound", "action": "accept", "ip_range": "10.0.0.0/8",
   "dest_port_from": 22,
   "ip_range": "0.0.0.0/0"}]})";
  auto e = thrown<parse_error>([&] { parse_groups(hidden, "web.json"); });
  CHECK(std::string(e.id()) == errc::bad_json);
  CHECK(e.field() == "web.json: rules[1].ip_range");
  CHECK(e.message() ==
        "duplicate key 'ip_range' at line 6, column 4 (also at line 4, column 67): JSON readers "
        "differ on which value of a repeated key counts, so an object that repeats one is "
        "refused");
  // Every reader of group files, serial or on several threads, and parse_json itself.
  CHECK_ERROR(parse_error, parse_group_input(hidden, "web.json"), errc::bad_json,
              "web.json: rules[1].ip_range");
  CHECK_ERROR(parse_error, parse_group_input(hidden, "web.json", 3), errc::bad_json,
              "web.json: rules[1].ip_range");
  CHECK_ERROR(parse_error, parse_json(hidden), errc::bad_json, "rules[1].ip_range");

  const std::vector<std::pair<std::string, std::string>> cases{
      {R"({"a": 1, "a": 1})", "a"},
      {R"({"a": 1, "b": {"c": [1, {"d": 2, "d": 3}]}})", "b.c[1].d"},
      {R"([{"a": 1}, {"b": 1, "c": 2, "b": 1}])", "[1].b"},
      {R"([[0], [1, [2, {"x": null, "x": null}]]])", "[1][1][1].x"},
      {R"({"security_groups": [{"name": "a"}, {"name": "b", "tags": [], "name": "c"}]})",
       "security_groups[1].name"},
      {R"({"security_groups": [], "total_count": 0, "security_groups": []})", "security_groups"},
      {R"({"security_group": {"name": "a", "rules": []}, "rules": [], "rules": []})", "rules"},
      // Keys are compared as read: escapes spell the same key, case differs.
      {R"({"ip_range": "10.0.0.0/8", "ip_\u0072ange": "0.0.0.0/0"})", "ip_range"},
      {R"({"\"": 1, "\"": 2})", "\""},
      // An object far into the document, after many keys.
      {"{" +
           [] {
             std::string keys;
             for (int k = 0; k < 300; ++k) keys += "\"k" + std::to_string(k) + "\": " + "1, ";
             return keys;
           }() +
           "\"k7\": 2}",
       "k7"},
  };
  for (const auto& [text_binding, path_binding] : cases) {
    const auto& text = text_binding;  // a lambda in CHECK_ERROR captures them: Clang 14 cannot
    const auto& path = path_binding;  // capture structured bindings
    CAPTURE(text);
    CHECK_ERROR(parse_error, parse_json(text, "d.json"), errc::bad_json, "d.json: " + path);
    CHECK_ERROR(parse_error, parse_groups(text, "d.json"), errc::bad_json, "d.json: " + path);
    CHECK_ERROR(parse_error, parse_group_input(text, "d.json", 2), errc::bad_json,
                "d.json: " + path);
  }
  // The line and column are those of each occurrence's opening quote (in bytes: the BOM counts).
  auto at = thrown<parse_error>([&] {
    parse_json("\xef\xbb\xbf{/* \"a\": */ \"a\": 1,\n // \"a\"\n  \"a\" : 2}", "", true);
  });
  CHECK(at.field() == "a");
  CHECK_THAT(at.message(), Catch::StartsWith("duplicate key 'a' at line 3, column 3 (also at line "
                                             "1, column 16)"));
  // A syntax error anywhere is reported first, as before.
  CHECK_ERROR(parse_error, parse_json(R"({"a": 1, "a": 2, })", "s.json"), errc::bad_json, "s.json");
  CHECK_THAT(thrown<parse_error>([&] { parse_json(R"({"a": 1, "a": 2, })"); }).message(),
             Catch::StartsWith("invalid JSON at line 1"));
  // The same key in different objects, at any depth, is no repeat.
  for (const char* fine : {R"([{"a": 1}, {"a": 2}])", R"({"a": {"a": {"a": 1}}, "b": {"a": 2}})",
                           R"({"a": {"b": 1}, "b": {"a": 1, "b": 2}, "c": [{"a": 1, "b": 2}]})",
                           R"({"a": 1, "A": 2, "a ": 3, "\u0061b": 4})"}) {
    CAPTURE(fine);
    CHECK(parse_json(fine).is_structured());
  }
  std::string many = "{";
  for (int k = 0; k < 5000; ++k) many += (k ? ", \"" : "\"") + std::to_string(k) + "\": {}";
  CHECK(parse_json(many + "}").size() == 5000);
  // The exact second pass clears a suspicion that is no repeat (as two keys of equal hashes).
  detail::json_io::refuse_repeated_key(R"({"a": 1, "b": {"a": 2}})", "", false);
}

namespace json_streaming {

/// What reading `text` gives: the groups written back, or the error's text.
template <class Read>
std::string outcome(Read&& read) {
  try {
    return groups_to_json(read()).dump();
  } catch (const error& e) {
    return std::string("error: ") + e.what();
  }
}

}  // namespace json_streaming

TEST_CASE("a list of groups read while it is parsed gives what the parsed document gives") {
  using json_streaming::outcome;
  const std::string g1 = R"({"id": "a", "name": "web", "rules": [{"protocol": "TCP",
      "direction": "inbound", "action": "accept", "ip_range": "0.0.0.0/0", "dest_port_from": 22}]})";
  const std::string g2 = R"({"id": "b", "name": "db", "stateful": false})";
  const std::string bad = R"({"id": "c", "rules": [{"protocol": "TCP", "direction": "in"}]})";
  const std::string bad2 = R"({"id": "d", "inbound_default_policy": "maybe"})";
  const std::vector<std::string> documents = {
      "{\"security_groups\": [" + g1 + ", " + g2 + "]}",
      "{\"total_count\": 2, \"security_groups\": [" + g1 + ", " + g2 + "], \"x\": [1]}",
      "{\"security_groups\": []}",
      // A repeated key is refused (it was last-wins), before any group is read.
      "{\"security_groups\": [" + bad + "], \"security_groups\": [" + g2 + "]}",
      "{\"security_groups\": [" + g1 + "], \"security_groups\": 3}",
      "{\"security_groups\": 3, \"security_groups\": [" + g1 + "]}",
      // Errors come in the same order: both forms, then the first bad group, then repeated ids.
      "{\"security_group\": " + g1 + ", \"security_groups\": [" + bad + "]}",
      "{\"security_groups\": [" + g1 + ", " + bad + ", " + bad2 + "]}",
      "{\"security_groups\": [" + g1 + ", " + g1 + "]}",
      "{\"security_groups\": [" + g1 + ", " + g1 + ", " + bad + "]}",
      "{\"security_groups\": [" + g1 + ", 7, [1]]}",
      // A syntax error after a bad group is still the syntax error.
      "{\"security_groups\": [" + bad + ", " + g2 + "] ,}",
      // Lists elsewhere are not the document's list.
      "{\"security_group\": " + g1 + ", \"extra\": {\"security_groups\": [" + bad + "]}}",
      "[{\"security_groups\": [" + g1 + "]}, {\"security_groups\": [" + g2 + "]}]",
      "[{\"security_groups\": [" + g1 + "]}, {\"security_groups\": [" + g1 + "]}]",
      g1,
  };
  for (const auto& text : documents) {
    CAPTURE(text);
    const auto streamed = outcome([&] { return parse_groups(text, "f.json"); });
    const auto whole = outcome([&] {
      const json doc = parse_json(text, "f.json");
      return detail::json_io::from_source("f.json", [&] { return groups_from_json(doc); });
    });
    CHECK(streamed == whole);
    // A group file of either kind (io/source.hpp) reads an export the same way.
    CHECK(outcome([&] { return parse_group_input(text, "f.json").groups; }) == whole);
    // And on several threads (io/group_list_split.hpp), however it splits the document.
    CHECK(outcome([&] { return parse_group_input(text, "f.json", 3).groups; }) == whole);
  }
  // The parsed value does not keep the groups read from it: memory follows one group.
  detail::json_io::group_list_reader reader;
  const json doc = parse_json(documents[1], "", false, reader.callback());
  CHECK(doc.at("security_groups").empty());
  CHECK(doc.at("x").size() == 1);
  CHECK(reader.finish(doc).size() == 2);
  // The cases above do reach both outcomes.
  CHECK(outcome([&] { return parse_groups(documents[0]); }).find("error") == std::string::npos);
  CHECK(outcome([&] { return parse_groups(documents[7]); }).find("rules[0].direction") !=
        std::string::npos);
}

// Found by the deep-input run of the fuzz targets (docs/fuzzing.md): nlohmann::json copies
// values recursively, and an ordered object copies its members when it grows, so a deep value
// followed by one more key overflowed the stack while parsing (200 KB of `[[[...` in a
// Terraform plan's after_unknown, or in a `secgroup serve` request body).
TEST_CASE("JSON nesting deeper than max_json_depth is refused before parsing") {
  auto nested = [](std::size_t depth) {
    return std::string(depth, '[') + "0" + std::string(depth, ']');
  };
  CHECK(parse_json(nested(max_json_depth)).is_array());
  auto e = thrown<parse_error>([&] { parse_json(nested(max_json_depth + 1), "deep.json"); });
  CHECK(std::string(e.id()) == errc::too_large);
  CHECK(e.field() == "deep.json");
  CHECK(e.message() == "JSON nests arrays and objects deeper than 512 levels at line 1, column " +
                           std::to_string(max_json_depth + 1));
  // The crash: a deep value with a key after it, far past the stack's reach.
  const std::string hostile = "{\"junk\": " + nested(100000) + ", \"name\": \"x\", \"tags\": []}";
  CHECK_ERROR(parse_error, parse_groups(hostile, "h.json"), errc::too_large, "h.json");
  CHECK_ERROR(parse_error, parse_json(std::string(100000, '{')), errc::too_large, "");
  // Brackets in strings and (when allowed) comments do not count; escaped quotes stay inside.
  const std::string brackets(600, '[');
  CHECK(parse_json("{\"a\": \"" + brackets + "\\\"" + brackets + "\"}").size() == 1);
  CHECK(parse_json("// " + brackets + "\n/* " + brackets + " */ [1]", "", true).size() == 1);
  CHECK_ERROR(parse_error, parse_json("// " + brackets + "\n[1]"), errc::too_large, "");
  // The line and column point at the first bracket too deep.
  auto at = thrown<parse_error>([&] { parse_json("[\n  " + nested(600) + "]"); });
  CHECK(at.message().ends_with("at line 2, column 514"));
}
