// Snapshot and restore: the whole store as JSON, a round trip that keeps every field, a file
// the library's readers accept, and an all-or-nothing restore that validates everything.
#include "fixture.hpp"

using namespace mock_test;

namespace {

/// A store with groups in two zones, rules, tags, servers and a project default.
void populate(fixture& f) {
  auto web = f.create("web", {{"description", "front"}, {"tags", {"a", "b"}},
                              {"project_default", true}, {"inbound_default_policy", "drop"}});
  f.add_rule(web, {{"protocol", "TCP"}, {"direction", "inbound"}, {"action", "accept"},
                   {"ip_range", "0.0.0.0/0"}, {"dest_port_from", 443}});
  f.add_rule(web, {{"protocol", "UDP"}, {"direction", "outbound"}, {"action", "drop"},
                   {"ip_range", "2001:db8::/32"}, {"dest_port_from", 53}, {"dest_port_to", 54}});
  f.add_rule(web, {{"protocol", "ICMP"}, {"direction", "inbound"}, {"action", "accept"},
                   {"ip_range", "10.0.0.1"}, {"position", 1}});
  auto db = f.create("db", {{"enable_default_security", false}, {"stateful", false}});
  f.add_rule(db, {{"protocol", "ANY"}, {"direction", "inbound"}, {"action", "drop"},
                  {"ip_range", "::/0"}});
  f.store.attach_server(zone, db, {"11a2b3c4-d5e6-4f70-8190-a0b1c2d3e4f5", "db-1"});
  auto r = f.call("POST", "/instance/v1/zones/nl-ams-1/security_groups",
                  R"({"name": "ams", "project": ")" + project_b + R"("})");
  REQUIRE(r.status == 201);
}

/// `doc` with `edit` applied to a copy.
template <class Edit>
json edited(json doc, Edit&& edit) {
  edit(doc);
  return doc;
}

}  // namespace

TEST_CASE("snapshot -> restore -> snapshot is the identity, and the restored store serves",
          "[mock][snapshot]") {
  fixture f;
  populate(f);
  auto snap = f.store.snapshot();
  REQUIRE(snap["security_groups"].size() == 3);

  fixture g;
  g.store.restore(snap);
  CHECK(g.store.snapshot() == snap);
  CHECK(g.store.groups() == f.store.groups());
  for (const auto& group : f.store.groups()) {
    auto target = "/instance/v1/zones/" + group.zone + "/security_groups/" + group.id;
    CHECK(g.call("GET", target).body == f.call("GET", target).body);
    CHECK(g.call("GET", target + "/rules").body == f.call("GET", target + "/rules").body);
  }
  auto web = f.store.groups()[0];
  CHECK(g.call("DELETE", base + "/" + f.store.groups()[1].id).status == 409);
  // The restored store keeps numbering and exclusivity rules going.
  auto extra = g.add_rule(web.id, {{"protocol", "TCP"}, {"direction", "inbound"},
                                   {"action", "accept"}, {"ip_range", "1.1.1.1"}});
  CHECK(body_of(g.call("GET", base + "/" + web.id + "/rules/" + extra))["rule"]["position"] == 4);
}

TEST_CASE("a snapshot is a document the library's JSON reader accepts", "[mock][snapshot]") {
  fixture f;
  populate(f);
  auto groups = parse_groups(f.store.snapshot().dump(), "snapshot.json");
  CHECK(groups == f.store.groups());
}

TEST_CASE("restore validates everything and is all-or-nothing", "[mock][snapshot][errors]") {
  fixture f;
  populate(f);
  const auto good = f.store.snapshot();
  fixture g;
  g.create("existing");
  const auto before = g.store.snapshot();

  auto expect_error = [&](const json& doc, const std::string& field) {
    CAPTURE(field);
    try {
      g.store.restore(doc);
      FAIL("restore accepted an invalid snapshot");
    } catch (const error& e) {
      CHECK(e.field() == field);
    }
    CHECK(g.store.snapshot() == before);
  };
  expect_error(edited(good, [](json& d) { d["security_groups"][1]["id"] = "x"; }),
               "security_groups[1].id");
  expect_error(edited(good, [](json& d) { d["security_groups"][2]["id"] = d["security_groups"][0]["id"]; }),
               "security_groups[2].id");
  expect_error(edited(good, [](json& d) { d["security_groups"][2]["zone"] = "moon-1"; }),
               "security_groups[2].zone");
  expect_error(edited(good, [](json& d) { d["security_groups"][0]["project"] = "p"; }),
               "security_groups[0].project");
  expect_error(edited(good, [](json& d) { d["security_groups"][0]["name"] = ""; }),
               "security_groups[0].name");
  expect_error(edited(good, [](json& d) { d["security_groups"][0]["creation_date"] = nullptr; }),
               "security_groups[0].creation_date");
  expect_error(edited(good, [](json& d) { d["security_groups"][1]["project_default"] = true; }),
               "security_groups[1].project_default");
  expect_error(edited(good, [](json& d) { d["security_groups"][0]["rules"][7]["id"] = nullptr; }),
               "security_groups[0].rules[7].id");
  expect_error(edited(good, [](json& d) { d["security_groups"][0]["rules"][7].erase("id"); }),
               "security_groups[0].rules[7].id");
  expect_error(edited(good, [](json& d) { d["security_groups"][0]["rules"][8]["id"] = "r-1"; }),
               "security_groups[0].rules[8].id");
  expect_error(edited(good, [](json& d) {
                 d["security_groups"][0]["rules"][8]["id"] = d["security_groups"][0]["rules"][6]["id"];
               }),
               "security_groups[0].rules[8].id");
  expect_error(edited(good, [](json& d) {
                 d["security_groups"][1]["rules"][0]["id"] = d["security_groups"][0]["id"];
               }),
               "security_groups[1].rules[0].id");
  expect_error(json::parse(R"([])"), "");
  expect_error(edited(good, [](json& d) { d["security_groups"][0]["rules"][6]["protocol"] = "X"; }),
               "security_groups[0].rules[6].protocol");
  expect_error(edited(good, [](json& d) {
                 d["security_groups"][0]["servers"] = d["security_groups"][1]["servers"];
               }),
               "security_groups[1].servers[0].id");
  expect_error(json::parse(R"({"nothing": 1})"), "");

  g.store.restore(good);
  CHECK(g.store.snapshot() == good);
  g.store.restore(json::parse(R"({"security_groups": []})"));
  CHECK(g.store.size() == 0);
}

TEST_CASE("restore numbers user rules 1..N in position order", "[mock][snapshot]") {
  fixture f;
  populate(f);
  auto doc = f.store.snapshot();
  auto& rules = doc["security_groups"][0]["rules"];
  rules[6]["position"] = 30;  // user rules 10 / 20 / 30 in a new order
  rules[7]["position"] = 10;
  rules[8]["position"] = 20;
  fixture g;
  g.store.restore(doc);
  auto restored = g.store.groups()[0].rules;
  REQUIRE(restored.size() == 3);
  CHECK(restored[0].id == rules[7]["id"]);
  CHECK(restored[1].id == rules[8]["id"]);
  CHECK(restored[2].id == rules[6]["id"]);
  CHECK(restored[2].position == 3);
}
