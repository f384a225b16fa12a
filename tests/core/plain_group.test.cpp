// Reading a group of an export without a JSON value (io/plain_group.hpp): read_plain_group()
// reads every group written the API's way, and whatever it returns is what read_listed_group()
// returns from the parsed text; on every text read_listed_group() refuses (a value of the wrong
// type, out of range, refused by a parser, a repeated key, broken JSON) it gives up, so the
// usual read names the error. Random groups, each broken or bent in one of many ways (fixed
// seeds).
#include <array>
#include <catch2/catch.hpp>
#include <cstddef>
#include <optional>
#include <secgroup/io/group_list_split.hpp>
#include <secgroup/io/json.hpp>
#include <secgroup/io/plain_group.hpp>
#include <string>
#include <vector>

#include "support/random_groups.hpp"

namespace plain_group_test {

using namespace secgroup;
using secgroup::detail::json_io::read_plain_group;

/// `g` as an element of `{"security_groups": [...]}`: group_to_json() with its rules (default
/// rules included when enabled), as groups_to_json() writes it.
json element_of(const security_group& g) {
  json item = group_to_json(g);
  json rules = json::array();
  for (const auto& r : ordered_rules(g)) rules.push_back(rule_to_json(r));
  item["rules"] = std::move(rules);
  return item;
}

/// A random group with servers, tags, dates and strings that need escapes; `default_ids` percent
/// of its user rules bear a default rule's id (an error).
security_group random_listed_group(secgroup_test::rng_type& rng, unsigned default_ids = 0) {
  secgroup_test::group_options o;
  o.max_rules = 12;
  o.default_id_percent = default_ids;
  auto g = secgroup_test::random_group(rng, o);
  g.name = secgroup_test::chance(rng, 50) ? "web \"front\" \\ \xc3\xa9\n" : "";
  if (secgroup_test::chance(rng, 50)) g.description = "d\t\x01";
  if (secgroup_test::chance(rng, 50)) g.creation_date = "2026-01-02T03:04:05.000000+00:00";
  g.organization = "org";
  g.project = "proj";
  g.stateful = secgroup_test::chance(rng, 50);
  g.project_default = secgroup_test::chance(rng, 20);
  g.state = secgroup_test::chance(rng, 80) ? group_state::available : group_state::syncing;
  if (secgroup_test::chance(rng, 50)) g.tags = {"a", "", "\u00e9"};
  if (secgroup_test::chance(rng, 50)) g.servers = {{"s-1", "one"}, {"", ""}};
  if (secgroup_test::chance(rng, 30)) g.zone = "nl-ams-2";
  if (secgroup_test::chance(rng, 20))
    for (auto& r : g.rules) r.id.clear();
  return g;
}

/// What the usual read of an element gives for `text` (read_group_list without this reader:
/// parsed, refused if it may repeat a key, read by read_listed_group): the group, or nullopt
/// for an error.
std::optional<security_group> usual_read(const std::string& text) {
  json item;
  if (!detail::json_io::parses(text, &item)) return std::nullopt;
  try {
    return detail::json_io::read_listed_group(item, 0);
  } catch (const error&) {
    return std::nullopt;
  }
}

/// Values a mutation puts in a field: every JSON type, numbers at and past the readers'
/// limits, strings each reader takes or refuses, and raw tokens written in place of
/// "@raw:...@" (numbers nlohmann reads apart: -0, 22.0, 1e999).
json field_values() {
  return json::parse(R"([
      null, true, false, 0, 1, 22, 443, 65535, 65536, -1, 4294967295, 4294967296,
      "@raw:-0@", "@raw:22.0@", "@raw:2.2e1@", "@raw:1e999@", "@raw:-1@",
      "", "tcp", "TCP", "Udp", "ICMP", "ANY", "inbound", "OUTBOUND", "accept", "drop",
      "syncing", "bogus", "10.0.0.0/8", "::/0", "10.0.0.1/33", "10.0.0.1", "fr-par-1",
      [], [1], ["a"], [{}], [{"id": "s", "name": "n"}], {}, {"id": "x"},
      [{"protocol": "TCP", "direction": "inbound", "action": "accept", "ip_range": "0.0.0.0/0"}]
  ])");
}

/// `doc` written as text, each "@raw:T@" string replaced by the token T.
std::string with_raw_tokens(const json& doc) {
  std::string text = doc.dump(-1);
  for (std::size_t at; (at = text.find("\"@raw:")) != std::string::npos;) {
    const std::size_t end = text.find("@\"", at);
    text.replace(at, end + 2 - at, text.substr(at + 6, end - at - 6));
  }
  return text;
}

// The keys a mutation sets or removes: each key a reader reads, and keys it must not ignore.
// clang-format off
constexpr std::array<const char*, 20> group_keys{
    "id", "creation_date", "modification_date", "name", "description", "organization",
    "project", "servers", "stateful", "inbound_default_policy", "outbound_default_policy",
    "organization_default", "project_default", "enable_default_security", "state", "tags",
    "zone", "rules", "security_group", "unknown"};
constexpr std::array<const char*, 12> rule_keys{
    "id", "protocol", "direction", "action", "ip_range", "dest_ip_range", "dest_port_from",
    "dest_port_to", "position", "editable", "zone", "unknown"};
// clang-format on

/// `element` bent in one random way: a field of the group, of a rule or of a server set to one
/// of field_values(), or removed; a key written twice; a rule's id or position copied from
/// another; a key spelled with an escape.
std::string mutated(secgroup_test::rng_type& rng, json element) {
  using secgroup_test::pick;
  using secgroup_test::uniform;
  static const auto values = field_values();
  const auto any_value = [&] { return values[uniform(rng, 0, values.size() - 1)]; };
  const json& rules = element.at("rules");  // read before any change to the element
  const std::size_t way = uniform(rng, 0, 7);
  if (way <= 1) {
    const char* key = pick(rng, group_keys);
    if (way == 0)
      element[key] = any_value();
    else
      element.erase(key);
  } else if (way <= 3 && !rules.empty()) {
    json& r = element["rules"][uniform(rng, 0, rules.size() - 1)];
    const char* key = pick(rng, rule_keys);
    if (way == 2)
      r[key] = any_value();
    else
      r.erase(key);
  } else if (way == 4 && rules.size() >= 2) {
    const char* key = secgroup_test::chance(rng, 50) ? "id" : "position";
    const json copied = rules[uniform(rng, 0, rules.size() - 1)][key];
    element["rules"][uniform(rng, 0, rules.size() - 1)][key] = copied;
  } else if (way == 5 && !element["servers"].empty()) {
    element["servers"][0][secgroup_test::chance(rng, 50) ? "id" : "name"] = any_value();
  } else if (way == 6) {  // a key written twice: in the group, or in its first rule
    std::string text = with_raw_tokens(element);
    const std::size_t at = rules.empty() || secgroup_test::chance(rng, 50)
                               ? 1
                               : text.find("{", text.find("\"rules\"")) + 1;
    text.insert(at, std::string("\"") + (at == 1 ? pick(rng, group_keys) : pick(rng, rule_keys)) +
                        "\":null,");
    return text;
  } else {  // a key spelled with an escape: the same key once parsed
    std::string text = with_raw_tokens(element);
    if (auto at = text.find("\"zone\""); at != std::string::npos)
      text.replace(at + 1, 1, "\\u007a");
    return text;
  }
  return with_raw_tokens(element);
}

}  // namespace plain_group_test

TEST_CASE("read_plain_group reads every group written the API's way, as the usual read does") {
  using namespace plain_group_test;
  secgroup_test::rng_type rng(20261208);
  for (int round = 0; round < 150; ++round) {
    const auto g = random_listed_group(rng);
    const json element = element_of(g);
    for (int indent : {-1, 2}) {
      const std::string text = element.dump(indent);
      CAPTURE(text);
      const auto plain = read_plain_group(text);
      REQUIRE(plain);
      const auto usual = usual_read(text);
      REQUIRE(usual);
      CHECK(*plain == *usual);
    }
  }
  // Nulls for every optional field, -0 as a port, keys in any order, an empty group.
  const char* plain_texts[] = {
      R"({"id": null, "name": null, "description": null, "creation_date": null,
          "modification_date": null, "organization": null, "project": null, "servers": null,
          "stateful": null, "inbound_default_policy": null, "outbound_default_policy": null,
          "organization_default": null, "project_default": null,
          "enable_default_security": null, "state": null, "tags": null, "zone": null,
          "rules": null})",
      R"({"rules": [{"zone": null, "editable": null, "position": null, "dest_port_to": null,
          "dest_port_from": -0, "dest_ip_range": null, "ip_range": "::/0", "action": "DROP",
          "direction": "Outbound", "protocol": "udp", "id": null}], "zone": "pl-waw-3"})",
      R"({"servers": [{}, {"id": null, "name": null}], "tags": []})",
      "{}",
  };
  for (const char* text : plain_texts) {
    CAPTURE(text);
    const auto plain = read_plain_group(text);
    REQUIRE(plain);
    CHECK(*plain == *usual_read(text));
  }
}

TEST_CASE("read_plain_group returns only what the usual read returns, and gives up on errors") {
  using namespace plain_group_test;
  secgroup_test::rng_type rng(20261209);
  std::size_t read = 0, refused = 0, given_up = 0;
  for (int round = 0; round < 1500; ++round) {
    const std::string text = mutated(rng, element_of(random_listed_group(rng, 2)));
    CAPTURE(text);
    const auto plain = read_plain_group(text);
    const auto usual = usual_read(text);
    if (plain) {
      REQUIRE(usual);
      CHECK(*plain == *usual);
      ++read;
    } else {
      ++(usual ? given_up : refused);
    }
  }
  // The mutations reach both sides: bent texts read, and errors refused.
  CHECK(read > 300);
  CHECK(refused > 300);
  CAPTURE(read, refused, given_up);
  // Each error class the usual read names, refused here too.
  const char* errors[] = {
      R"({"rules": [{"protocol": "TCP", "direction": "inbound", "action": "accept",
          "ip_range": "0.0.0.0/0", "dest_port_from": 70000}]})",
      R"({"rules": [{"protocol": "TCP", "direction": "inbound", "action": "accept",
          "ip_range": "0.0.0.0/0", "dest_port_from": 80, "dest_port_to": 79}]})",
      R"({"rules": [{"protocol": "TCP", "direction": "inbound", "action": "accept",
          "ip_range": "0.0.0.0/0", "dest_ip_range": "10.0.0.0/8"}]})",
      R"({"rules": [{"protocol": "TCP", "direction": "inbound", "action": "accept",
          "ip_range": "0.0.0.0/0", "editable": false}]})",
      R"({"rules": [{"protocol": "TCP", "direction": "inbound", "action": "accept",
          "ip_range": "0.0.0.0/0", "position": 1}, {"protocol": "TCP",
          "direction": "inbound", "action": "accept", "ip_range": "0.0.0.0/0"}]})",
      R"({"rules": [{"id": "a", "protocol": "TCP", "direction": "inbound", "action": "accept",
          "ip_range": "0.0.0.0/0"}, {"id": "a", "protocol": "TCP", "direction": "inbound",
          "action": "accept", "ip_range": "0.0.0.0/0"}]})",
      R"({"rules": [{"protocol": "TCP", "direction": "inbound", "action": "accept",
          "ip_range": "0.0.0.0/0", "position": 22.0}]})",
      R"({"rules": [{"protocol": "TCP", "direction": "inbound", "action": "accept"}]})",
      R"({"inbound_default_policy": "maybe"})",
      R"({"state": "gone"})",
      R"({"tags": ["a", 1]})",
      R"({"servers": [null]})",
      R"({"name": "a", "name": "b"})",
      R"({"security_groups": []})",
      R"({"name": "a")",
      R"({"name": "a"} x)",
      R"([])",
  };
  for (const char* text : errors) {
    CAPTURE(text);
    CHECK_FALSE(usual_read(text));
    CHECK_FALSE(read_plain_group(text));
  }
}
