// Rule endpoints through the router: the [C] facts of the spec (§3.8-§3.14, §5, §6): the
// go:cas-rule create and PATCH table, set-rules numbering and deletion, default rules with
// their fixed ids, ip_range output, positions; and every rule error with its shape.
#include "fixture.hpp"

using namespace mock_test;

namespace {

/// The rule of go:cas-rule: TCP inbound accept 8.8.8.8/32 1-1024 position 1.
const char* const cas_rule =
    R"({"protocol": "TCP", "direction": "inbound", "action": "accept", "ip_range": "8.8.8.8/32",
        "dest_port_from": 1, "dest_port_to": 1024, "position": 1, "editable": true})";

std::string rules_of(const std::string& group) { return base + "/" + group + "/rules"; }

/// The user rules (editable) of a rule list body, as (position, ip_range) pairs.
std::vector<std::pair<int, std::string>> position_and_range(const mock::response& r) {
  std::vector<std::pair<int, std::string>> out;
  auto body = body_of(r);
  for (const auto& rule : body["rules"])
    if (rule["editable"] == true)
      out.emplace_back(rule["position"].get<int>(), rule["ip_range"].get<std::string>());
  return out;
}

json rule_json(const std::string& ip, json extra = json::object()) {
  json r = {{"protocol", "TCP"}, {"direction", "inbound"}, {"action", "accept"}, {"ip_range", ip}};
  for (auto& [k, v] : extra.items()) r[k] = v;
  return r;
}

}  // namespace

TEST_CASE("POST rule (go:cas-rule): 201, Location, the rule with its own numbering",
          "[mock][rules]") {
  fixture f;
  auto group = f.create("web");
  auto r = f.call("POST", rules_of(group), cas_rule);
  CHECK(r.status == 201);
  const auto rule_id = nth_id(2);
  CHECK(*r.header("Location") ==
        "https://api.scaleway.com/instance/v1/zones/fr-par-1/security_groups/" + group +
            "/rules/" + rule_id);
  CHECK(r.body == R"({"rule": {"id": ")" + rule_id +
                      R"(", "protocol": "TCP", "direction": "inbound", "ip_range": "8.8.8.8", )"
                      R"("dest_ip_range": null, "dest_port_from": 1, "dest_port_to": 1024, )"
                      R"("position": 1, "editable": true, "action": "accept", "zone": "fr-par-1"}})");
  // Creating a rule moves the parent's modification_date.
  auto g = body_of(f.call("GET", base + "/" + group))["security_group"];
  CHECK(g["creation_date"] == date0);
  CHECK(g["modification_date"] == date1);

  auto got = f.call("GET", rules_of(group) + "/" + rule_id);
  CHECK(got.status == 200);
  CHECK(got.body == r.body);
}

TEST_CASE("PATCH rule: the go:cas-rule table", "[mock][rules]") {
  struct row {
    const char* patch;
    const char* protocol;
    const char* direction;
    const char* action;
    const char* ip_range;
    json from, to;
  };
  auto row_ = GENERATE(
      row{R"({"protocol":"UDP","direction":"outbound","action":"drop","ip_range":"1.1.1.1/32","dest_port_from":1,"dest_port_to":2048})",
          "UDP", "outbound", "drop", "1.1.1.1", 1, 2048},
      row{R"({"protocol":"UDP","direction":"outbound","action":"drop","ip_range":"1.1.1.1/32","dest_port_from":22,"dest_port_to":22})",
          "UDP", "outbound", "drop", "1.1.1.1", 22, nullptr},
      row{R"({"protocol":"ICMP"})", "ICMP", "inbound", "accept", "8.8.8.8", nullptr, nullptr},
      row{R"({"dest_port_from":0,"dest_port_to":0})", "TCP", "inbound", "accept", "8.8.8.8",
          nullptr, nullptr});
  CAPTURE(row_.patch);
  fixture f;
  auto group = f.create("web");
  auto id = f.add_rule(group, json::parse(cas_rule));
  auto r = f.call("PATCH", rules_of(group) + "/" + id, row_.patch);
  REQUIRE(r.status == 200);
  auto rule = body_of(r)["rule"];
  CHECK(rule["id"] == id);
  CHECK(rule["protocol"] == row_.protocol);
  CHECK(rule["direction"] == row_.direction);
  CHECK(rule["action"] == row_.action);
  CHECK(rule["ip_range"] == row_.ip_range);
  CHECK(rule["dest_port_from"] == row_.from);
  CHECK(rule["dest_port_to"] == row_.to);
  CHECK(rule["position"] == 1);
  CHECK(rule["editable"] == true);
  CHECK(body_of(f.call("GET", base + "/" + group))["security_group"]["modification_date"] ==
        date2);
}

TEST_CASE("PATCH rule: ports merge field by field, identical values change nothing",
          "[mock][rules]") {
  fixture f;
  auto group = f.create("web");
  auto id = f.add_rule(group, json::parse(cas_rule));
  auto patch = [&](const char* body) {
    auto r = f.call("PATCH", rules_of(group) + "/" + id, body);
    REQUIRE(r.status == 200);
    return body_of(r)["rule"];
  };
  CHECK(patch(R"({"dest_port_to": 2000})")["dest_port_from"] == 1);
  CHECK(patch(R"({"dest_port_from": 2000})")["dest_port_to"].is_null());
  CHECK(patch(R"({"dest_port_to": 2100})")["dest_port_to"] == 2100);
  auto date = body_of(f.call("GET", base + "/" + group))["security_group"]["modification_date"];
  auto same = patch(R"({"protocol": "tcp", "ip_range": "8.8.8.8", "dest_port_from": 2000,
                        "dest_port_to": 2100, "position": 1, "direction": "INBOUND"})");
  CHECK(same["dest_port_from"] == 2000);
  CHECK(body_of(f.call("GET", base + "/" + group))["security_group"]["modification_date"] ==
        date);
  auto ordered = f.call("PATCH", rules_of(group) + "/" + id, R"({"dest_port_from": 3000})");
  CHECK(ordered.status == 400);
  CHECK(argument_names(ordered) == std::vector<std::string>{"dest_port_to"});
  CHECK(patch(R"({"protocol": "ANY"})")["dest_port_from"].is_null());
  CHECK(patch(R"({"protocol": "TCP"})")["dest_port_from"].is_null());  // ANY cleared them
}

TEST_CASE("set rules: inb,inb,out,out numbered 1..4 after the six default rules",
          "[mock][rules]") {
  fixture f;
  auto group = f.create("web");
  auto r = f.call("PUT", rules_of(group), R"({"rules": [
      {"id": null, "protocol": "TCP", "direction": "inbound", "action": "accept",
       "ip_range": "10.0.0.0/8", "dest_port_from": 22, "dest_port_to": null, "position": 0, "editable": null},
      {"id": null, "protocol": "TCP", "direction": "inbound", "action": "accept",
       "ip_range": "10.1.0.0/16", "dest_port_from": 80, "dest_port_to": null, "position": 0, "editable": null},
      {"id": null, "protocol": "UDP", "direction": "outbound", "action": "drop",
       "ip_range": "10.2.0.0/16", "dest_port_from": null, "dest_port_to": null, "position": 0, "editable": null},
      {"id": null, "protocol": "ICMP", "direction": "outbound", "action": "drop",
       "ip_range": "::/0", "dest_port_from": null, "dest_port_to": null, "position": 0, "editable": null}]})");
  REQUIRE(r.status == 200);
  auto rules = body_of(r)["rules"];
  REQUIRE(rules.size() == 10);
  for (int i = 0; i < 6; ++i) {
    CHECK(rules[i]["id"] == "11111111-2222-4333-8444-00000000000" + std::to_string(i + 1));
    CHECK(rules[i]["position"] == i + 1);
    CHECK(rules[i]["editable"] == false);
  }
  using list = std::vector<std::pair<int, std::string>>;
  CHECK(position_and_range(r) == list{{1, "10.0.0.0/8"}, {2, "10.1.0.0/16"}, {3, "10.2.0.0/16"}, {4, "::/0"}});
  for (int i = 6; i < 10; ++i) CHECK(rules[i]["id"] == nth_id(i - 4));  // fresh ids 2..5
  CHECK(body_of(f.call("GET", base + "/" + group))["security_group"]["modification_date"] ==
        date1);
  CHECK(f.call("GET", rules_of(group) + "?page=1").body == r.body);  // and no X-Total-Count
  CHECK(f.call("GET", rules_of(group)).header("X-Total-Count") == nullptr);

  SECTION("{\"rules\": []} leaves only the default rules") {
    auto cleared = f.call("PUT", rules_of(group), R"({"rules": []})");
    CHECK(body_of(cleared)["rules"].size() == 6);
    CHECK(position_and_range(cleared).empty());
    CHECK(body_of(f.call("GET", base + "/" + group))["security_group"]["modification_date"] ==
          date2);
  }
  SECTION("by id: update in place; absent: deleted; without id: created; defaults ignored") {
    auto existing = body_of(r)["rules"];
    json body = {{"rules", json::array()}};
    body["rules"].push_back(existing[0]);  // a default rule, round-tripped: ignored
    auto kept = existing[8];               // the UDP rule
    kept["action"] = "accept";
    kept["editable"] = false;              // editable input is ignored
    body["rules"].push_back(kept);
    body["rules"].push_back(rule_json("192.0.2.0/24"));
    body["rules"].push_back(existing[6]);  // unchanged
    auto out = f.call("PUT", rules_of(group), body.dump());
    REQUIRE(out.status == 200);
    // Round-tripped rules carry their positions (1 and 3): they sort first; the new rule
    // (position 0) appends.
    auto rules2 = body_of(out)["rules"];
    REQUIRE(rules2.size() == 9);
    CHECK(rules2[6]["id"] == existing[6]["id"]);
    CHECK(rules2[6]["position"] == 1);
    CHECK(rules2[7]["id"] == existing[8]["id"]);
    CHECK(rules2[7]["action"] == "accept");
    CHECK(rules2[7]["editable"] == true);
    CHECK(rules2[7]["position"] == 2);
    CHECK(rules2[8]["id"] == nth_id(6));
    CHECK(rules2[8]["position"] == 3);
    CHECK(f.call("GET", rules_of(group) + "/" + existing[7]["id"].get<std::string>()).status ==
          404);
  }
  SECTION("explicit positions sort first, position 0 appends in request order") {
    auto out = f.call("PUT", rules_of(group), json{{"rules", {
                                                      rule_json("1.0.0.0/8", {{"position", 0}}),
                                                      rule_json("2.0.0.0/8", {{"position", 9}}),
                                                      rule_json("3.0.0.0/8", {{"position", 2}}),
                                                      rule_json("4.0.0.0/8"),
                                                  }}}.dump());
    CHECK(position_and_range(out) == list{{1, "3.0.0.0/8"}, {2, "2.0.0.0/8"}, {3, "1.0.0.0/8"}, {4, "4.0.0.0/8"}});
  }
  SECTION("the same rules again (by id) change nothing") {
    auto again = f.call("PUT", rules_of(group), r.body);
    CHECK(again.body == r.body);
    CHECK(body_of(f.call("GET", base + "/" + group))["security_group"]["modification_date"] ==
          date1);
  }
}

TEST_CASE("set rules {\"rules\": []} on a group without user rules changes nothing",
          "[mock][rules]") {
  fixture f;
  auto group = f.create("web");
  auto r = f.call("PUT", rules_of(group), R"({"rules": []})");
  CHECK(r.status == 200);
  CHECK(body_of(r)["rules"].size() == 6);
  auto g = body_of(f.call("GET", base + "/" + group))["security_group"];
  CHECK(g["modification_date"] == date0);
}

TEST_CASE("set rules as the Python SDK sends them: lowercase protocol, ports 0, editable false",
          "[mock][rules]") {
  fixture f;
  auto group = f.create("web");
  auto r = f.call("PUT", rules_of(group), R"({"rules": [
      {"id": null, "action": "accept", "protocol": "tcp", "direction": "inbound",
       "ip_range": "0.0.0.0/0", "dest_port_from": 443, "dest_port_to": 0, "position": 0,
       "editable": false, "zone": "fr-par-1"},
      {"id": null, "action": "drop", "protocol": "icmp", "direction": "inbound",
       "ip_range": "0.0.0.0/0", "dest_port_from": 0, "dest_port_to": 0, "position": 0,
       "editable": false, "zone": null}]})");
  REQUIRE(r.status == 200);
  auto rules = body_of(r)["rules"];
  REQUIRE(rules.size() == 8);
  CHECK(rules[6]["protocol"] == "TCP");
  CHECK(rules[6]["dest_port_from"] == 443);
  CHECK(rules[6]["dest_port_to"].is_null());
  CHECK(rules[6]["editable"] == true);
  CHECK(rules[7]["protocol"] == "ICMP");
  CHECK(rules[7]["dest_port_from"].is_null());
}

TEST_CASE("GET security_groups/default/rules: the six SMTP rules of §6", "[mock][rules]") {
  fixture f;
  auto r = f.call("GET", base + "/default/rules", "{}");
  REQUIRE(r.status == 200);
  auto rules = body_of(r)["rules"];
  REQUIRE(rules.size() == 6);
  const int ports[] = {25, 465, 587, 25, 465, 587};
  for (int i = 0; i < 6; ++i) {
    CAPTURE(i);
    CHECK(rules[i]["id"] == "11111111-2222-4333-8444-00000000000" + std::to_string(i + 1));
    CHECK(rules[i]["protocol"] == "TCP");
    CHECK(rules[i]["direction"] == "outbound");
    CHECK(rules[i]["ip_range"] == (i < 3 ? "0.0.0.0/0" : "::/0"));
    CHECK(rules[i]["dest_ip_range"].is_null());
    CHECK(rules[i]["dest_port_from"] == ports[i]);
    CHECK(rules[i]["dest_port_to"].is_null());
    CHECK(rules[i]["position"] == i + 1);
    CHECK(rules[i]["editable"] == false);
    CHECK(rules[i]["action"] == "drop");
    CHECK(rules[i]["zone"] == "fr-par-1");
  }
  CHECK(body_of(f.call("GET", "/instance/v1/zones/pl-waw-2/security_groups/default/rules"))
            ["rules"][0]["zone"] == "pl-waw-2");
  CHECK(body_of(f.call("GET", base + "/default/rules?per_page=4&page=2"))["rules"].size() == 2);
}

TEST_CASE("ip_range output: host prefixes dropped, other prefixes kept (§5.2)", "[mock][rules]") {
  auto [input, output] = GENERATE(table<const char*, const char*>({
      {"8.8.8.8/32", "8.8.8.8"},
      {"1.2.3.0/32", "1.2.3.0"},
      {"2002::1234:abcd:ffff:c0a8:101/128", "2002::1234:abcd:ffff:c0a8:101"},
      {"0.0.0.0/0", "0.0.0.0/0"},
      {"::/0", "::/0"},
      {"1.2.0.0/16", "1.2.0.0/16"},
      {"2002::/24", "2002::/24"},
      {"2002:0:0:1234::/64", "2002:0:0:1234::/64"},
      {"8.8.8.8", "8.8.8.8"},
      {"2001:DB8:0:0:0:0:0:1/128", "2001:db8::1"},
  }));
  CAPTURE(input);
  fixture f;
  auto group = f.create("web");
  auto r = f.call("POST", rules_of(group), rule_json(input).dump());
  REQUIRE(r.status == 201);
  CHECK(body_of(r)["rule"]["ip_range"] == output);
}

TEST_CASE("positions: insert, append, move and delete renumber the user rules",
          "[mock][rules]") {
  fixture f;
  auto group = f.create("web");
  auto a = f.add_rule(group, rule_json("1.0.0.0/8"));
  auto b = f.add_rule(group, rule_json("2.0.0.0/8", {{"direction", "outbound"}}));
  auto c = f.add_rule(group, rule_json("3.0.0.0/8", {{"position", 1}}));
  auto d = f.add_rule(group, rule_json("4.0.0.0/8", {{"position", 77}}));
  using list = std::vector<std::pair<int, std::string>>;
  CHECK(position_and_range(f.call("GET", rules_of(group))) ==
        list{{1, "3.0.0.0/8"}, {2, "1.0.0.0/8"}, {3, "2.0.0.0/8"}, {4, "4.0.0.0/8"}});

  CHECK(f.call("PATCH", rules_of(group) + "/" + d, R"({"position": 2})").status == 200);
  CHECK(position_and_range(f.call("GET", rules_of(group))) ==
        list{{1, "3.0.0.0/8"}, {2, "4.0.0.0/8"}, {3, "1.0.0.0/8"}, {4, "2.0.0.0/8"}});

  auto del = f.call("DELETE", rules_of(group) + "/" + c);
  CHECK(del.status == 204);
  CHECK(del.body.empty());
  CHECK(position_and_range(f.call("GET", rules_of(group))) ==
        list{{1, "4.0.0.0/8"}, {2, "1.0.0.0/8"}, {3, "2.0.0.0/8"}});

  auto put = f.call("PUT", rules_of(group) + "/" + a,
                    rule_json("5.0.0.0/8", {{"id", a}, {"position", 0}}).dump());
  CHECK(body_of(put)["rule"]["position"] == 2);
  auto moved = f.call("PUT", rules_of(group) + "/" + a, rule_json("5.0.0.0/8", {{"position", 3}}).dump());
  CHECK(body_of(moved)["rule"]["position"] == 3);
  CHECK(position_and_range(f.call("GET", rules_of(group))) ==
        list{{1, "4.0.0.0/8"}, {2, "2.0.0.0/8"}, {3, "5.0.0.0/8"}});
  CHECK(body_of(f.call("GET", rules_of(group) + "/" + b))["rule"]["position"] == 2);

  auto gone = f.call("GET", rules_of(group) + "/" + c);
  CHECK(gone.status == 404);
  CHECK(gone.body == R"({"type": "not_found", "message": "resource is not found", )"
                     R"("resource": "instance_security_group_rule", "resource_id": ")" + c + R"("})");
  CHECK(f.call("DELETE", rules_of(group) + "/" + c).status == 404);
  CHECK(f.call("PATCH", rules_of(group) + "/" + c, "{}").status == 404);
}

TEST_CASE("PUT rule (go:old-rule): full replace, single ports, ICMP, bare addresses",
          "[mock][rules]") {
  fixture f;
  auto group = f.create("web");
  auto id = f.add_rule(group, json::parse(cas_rule));
  auto r = f.call("PUT", rules_of(group) + "/" + id,
                  R"({"id": ")" + id + R"(", "protocol": "TCP", "direction": "inbound",
                      "action": "drop", "ip_range": "8.8.8.8", "dest_port_from": 22,
                      "dest_port_to": null, "position": 1, "editable": true})");
  REQUIRE(r.status == 200);
  auto rule = body_of(r)["rule"];
  CHECK(rule["action"] == "drop");
  CHECK(rule["dest_port_from"] == 22);
  CHECK(rule["dest_port_to"].is_null());
  auto icmp = f.call("PUT", rules_of(group) + "/" + id,
                     rule_json("8.8.8.8", {{"protocol", "ICMP"}, {"dest_port_from", 5}}).dump());
  CHECK(body_of(icmp)["rule"]["dest_port_from"].is_null());
  auto other_id = f.call("PUT", rules_of(group) + "/" + id,
                         rule_json("8.8.8.8", {{"id", nth_id(1)}}).dump());
  CHECK(other_id.status == 400);
  CHECK(argument_names(other_id) == std::vector<std::string>{"id"});
}

TEST_CASE("default rules: readable by id, not editable", "[mock][rules][errors]") {
  fixture f;
  auto group = f.create("web");
  const std::string smtp = "11111111-2222-4333-8444-000000000002";
  auto got = f.call("GET", rules_of(group) + "/" + smtp);
  CHECK(got.status == 200);
  CHECK(body_of(got)["rule"]["dest_port_from"] == 465);
  auto before = f.store.snapshot();
  for (const char* method : {"PUT", "PATCH", "DELETE"}) {
    CAPTURE(method);
    auto r = f.call(method, rules_of(group) + "/" + smtp, rule_json("1.0.0.0/8").dump());
    CHECK(r.status == 400);
    CHECK(argument_names(r) == std::vector<std::string>{"security_group_rule_id"});
    CHECK(reason_for(r, "security_group_rule_id") == "constraint");
  }
  CHECK(f.store.snapshot() == before);
  f.call("PATCH", base + "/" + group, R"({"enable_default_security": false})");
  CHECK(f.call("GET", rules_of(group) + "/" + smtp).status == 404);
}

TEST_CASE("every invalid field of a rule body is reported at once, nothing changes",
          "[mock][rules][errors]") {
  fixture f;
  auto group = f.create("web");
  auto id = f.add_rule(group, rule_json("1.0.0.0/8"));
  auto before = f.store.snapshot();

  auto create = f.call("POST", rules_of(group),
                       R"({"protocol": "SCTP", "action": "allow", "ip_range": "10.0.0.0/33",
                           "dest_port_from": 70000, "dest_port_to": 5, "position": -1,
                           "editable": "yes", "dest_ip_range": "1.2.3.4"})");
  CHECK(create.status == 400);
  CHECK(argument_names(create) ==
        std::vector<std::string>{"protocol", "direction", "action", "ip_range", "dest_port_from",
                                 "position", "editable", "dest_ip_range"});
  CHECK(reason_for(create, "protocol") == "constraint");
  CHECK(reason_for(create, "direction") == "required");
  CHECK(reason_for(create, "ip_range") == "format");
  CHECK(reason_for(create, "dest_port_from") == "constraint");

  auto order = f.call("POST", rules_of(group), rule_json("1.0.0.0/8", {{"dest_port_from", 90},
                                                                        {"dest_port_to", 80}})
                                                   .dump());
  CHECK(argument_names(order) == std::vector<std::string>{"dest_port_to"});
  auto lone_to = f.call("POST", rules_of(group), rule_json("1.0.0.0/8", {{"dest_port_to", 80}}).dump());
  CHECK(argument_names(lone_to) == std::vector<std::string>{"dest_port_from"});
  auto float_port = f.call("POST", rules_of(group), rule_json("1.0.0.0/8", {{"dest_port_from", 1.5}}).dump());
  CHECK(argument_names(float_port) == std::vector<std::string>{"dest_port_from"});

  auto set = f.call("PUT", rules_of(group), R"({"rules": [
      {"protocol": "TCP", "direction": "inbound", "action": "accept", "ip_range": "1.2.3.4"},
      {"protocol": "TCP", "direction": "sideways", "action": "accept", "ip_range": "1.2.3.4/40", "id": "x"},
      7]})");
  CHECK(argument_names(set) ==
        std::vector<std::string>{"rules[1].direction", "rules[1].ip_range", "rules[1].id", "rules[2]"});
  CHECK(argument_names(f.call("PUT", rules_of(group), "{}")) == std::vector<std::string>{"rules"});
  CHECK(argument_names(f.call("PUT", rules_of(group), R"({"rules": {}})")) ==
        std::vector<std::string>{"rules"});
  auto dup = f.call("PUT", rules_of(group), json{{"rules", {rule_json("1.0.0.0/8", {{"id", id}}),
                                                            rule_json("2.0.0.0/8", {{"id", id}})}}}
                                                 .dump());
  CHECK(argument_names(dup) == std::vector<std::string>{"rules[1].id"});
  auto unknown = f.call("PUT", rules_of(group),
                        json{{"rules", {rule_json("1.0.0.0/8", {{"id", nth_id(99)}})}}}.dump());
  CHECK(unknown.status == 404);
  CHECK(body_of(unknown)["resource"] == "instance_security_group_rule");
  CHECK(body_of(unknown)["resource_id"] == nth_id(99));

  auto patch = f.call("PATCH", rules_of(group) + "/" + id,
                      R"({"protocol": 6, "ip_range": "1.2.3", "dest_port_to": 65536, "position": "1"})");
  CHECK(argument_names(patch) ==
        std::vector<std::string>{"protocol", "ip_range", "dest_port_to", "position"});

  auto bad_rule_id = f.call("GET", rules_of(group) + "/nope");
  CHECK(argument_names(bad_rule_id) == std::vector<std::string>{"security_group_rule_id"});
  auto both_bad = f.call("GET", base + "/x/rules/y");
  CHECK(argument_names(both_bad) ==
        std::vector<std::string>{"security_group_id", "security_group_rule_id"});
  auto per_page = f.call("GET", rules_of(group) + "?per_page=500&page=0");
  CHECK(argument_names(per_page) == std::vector<std::string>{"page", "per_page"});
  auto rule_in_unknown_group = f.call("POST", rules_of(nth_id(50)), rule_json("1.0.0.0/8").dump());
  CHECK(rule_in_unknown_group.status == 404);
  CHECK(body_of(rule_in_unknown_group)["resource"] == "instance_security_group");

  CHECK(f.store.snapshot() == before);
}

TEST_CASE("rule lists page over defaults then user rules, past the end is empty",
          "[mock][rules]") {
  fixture f;
  auto group = f.create("web");
  for (int i = 0; i < 5; ++i) f.add_rule(group, rule_json("10.0.0." + std::to_string(i)));
  CHECK(body_of(f.call("GET", rules_of(group)))["rules"].size() == 11);
  auto p2 = body_of(f.call("GET", rules_of(group) + "?per_page=4&page=2"))["rules"];
  REQUIRE(p2.size() == 4);
  CHECK(p2[0]["id"] == "11111111-2222-4333-8444-000000000005");
  CHECK(p2[2]["ip_range"] == "10.0.0.0");
  CHECK(body_of(f.call("GET", rules_of(group) + "?per_page=4&page=4"))["rules"].empty());
}
