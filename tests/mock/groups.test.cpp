// Security-group endpoints through the router: exact wire format (wrappers, key order, nulls,
// Python-style text), status codes and headers, the [C] facts of the spec (§3.1-§3.6, §9), list
// paging and filters, zones, and every error with its shape.
#include "fixture.hpp"

using namespace mock_test;

namespace {

/// The body the API returns for a group created with only a name and a project (§3.2, §4),
/// written out by hand.
std::string created_body(const std::string& id, const std::string& name, const char* date) {
  return R"({"security_group": {"id": ")" + id + R"(", "creation_date": ")" + date +
         R"(", "modification_date": ")" + date + R"(", "name": ")" + name +
         R"(", "description": null, "organization": ")" + project_a + R"(", "project": ")" +
         project_a +
         R"(", "servers": [], "stateful": true, "inbound_default_policy": "accept", )"
         R"("outbound_default_policy": "accept", "organization_default": false, )"
         R"("project_default": false, "enable_default_security": true, "state": "available", )"
         R"("tags": [], "zone": "fr-par-1"}})";
}

const std::string* header(const mock::response& r, const char* name) { return r.header(name); }

}  // namespace

TEST_CASE("POST security_groups: 201, absolute Location, the API's defaults in its key order",
          "[mock][groups]") {
  fixture f;
  auto r = f.call("POST", base, R"({"name": "web", "project": ")" + project_a + R"("})");
  CHECK(r.status == 201);
  REQUIRE(header(r, "Content-Type"));
  CHECK(*header(r, "content-type") == "application/json");
  REQUIRE(header(r, "Location"));
  CHECK(*header(r, "Location") ==
        "https://api.scaleway.com/instance/v1/zones/fr-par-1/security_groups/" + nth_id(1));
  CHECK(r.body == created_body(nth_id(1), "web", date0));

  auto got = f.call("GET", base + "/" + nth_id(1));
  CHECK(got.status == 200);
  CHECK(got.body == created_body(nth_id(1), "web", date0));
}

TEST_CASE("POST security_groups keeps given fields, tag order and enum case rules",
          "[mock][groups]") {
  fixture f;
  auto r = f.call("POST", base,
                  R"({"name": "db", "description": "", "organization": ")" + project_a +
                      R"(", "project": ")" + project_a +
                      R"(", "tags": ["foo", "bar"], "stateful": false,
      "inbound_default_policy": "DROP", "outbound_default_policy": "Accept",
      "enable_default_security": false, "project_default": true})");
  REQUIRE(r.status == 201);
  auto g = body_of(r)["security_group"];
  CHECK(g["description"] == "");
  CHECK(g["organization"] == project_a);
  CHECK(g["tags"] == json::array({"foo", "bar"}));
  CHECK(g["stateful"] == false);
  CHECK(g["inbound_default_policy"] == "drop");
  CHECK(g["outbound_default_policy"] == "accept");
  CHECK(g["enable_default_security"] == false);
  CHECK(g["project_default"] == true);
  // enable_default_security false: no rules at all (§3.2).
  auto rules = f.call("GET", base + "/" + nth_id(1) + "/rules?page=1");
  CHECK(rules.body == R"({"rules": []})");
}

TEST_CASE("organization only: the project is the organization's default project",
          "[mock][groups]") {
  fixture f;
  auto r = f.call("POST", base, R"({"name": "x", "organization": ")" + org_a + R"("})");
  REQUIRE(r.status == 201);
  CHECK(body_of(r)["security_group"]["project"] == org_a);
  CHECK(body_of(r)["security_group"]["organization"] == org_a);
}

TEST_CASE("the organization follows from the project: a body naming another one is 400",
          "[mock][groups]") {
  fixture f;
  auto web = f.create("web");
  const auto before = f.store.snapshot();
  // project_a has a group of organization project_a; project_b has none: its own UUID.
  for (const auto& [project, organization] :
       {std::pair{project_a, org_a}, std::pair{project_b, org_a},
        std::pair{project_b, project_a}}) {
    CAPTURE(project, organization);
    auto r =
        f.call("POST", base,
               json{{"name", "x"}, {"project", project}, {"organization", organization}}.dump());
    CHECK(r.status == 400);
    CHECK(argument_names(r) == std::vector<std::string>{"organization"});
    CHECK(reason_for(r, "organization") == "constraint");
    CHECK(body_of(r)["details"][0]["help_message"] ==
          "project " + project + " belongs to organization " + project + ", not " + organization +
              " (a group's organization is its project's)");
  }
  CHECK(f.store.snapshot() == before);
  // PUT and PATCH cannot move a group either (hostile.test.cpp); its own values are accepted.
  CHECK(f.call("PUT", base + "/" + web,
               json{{"name", "web"}, {"project", project_a}, {"organization", org_a}}.dump())
            .status == 400);
  CHECK(f.store.snapshot() == before);
}

TEST_CASE("GET, PATCH, PUT, DELETE of an unknown group: 404 not_found, exact body",
          "[mock][groups][errors]") {
  fixture f;
  const std::string id = "5a8e6b1c-94d1-4c3e-9f0a-0b1c2d3e4f50";
  const std::string expected = R"({"type": "not_found", "message": "resource is not found", )"
                               R"("resource": "instance_security_group", "resource_id": ")" +
                               id + R"("})";
  for (const char* method : {"GET", "PATCH", "PUT", "DELETE"}) {
    CAPTURE(method);
    auto r = f.call(method, base + "/" + id, R"({"name": "n"})");
    CHECK(r.status == 404);
    CHECK(r.body == expected);
    CHECK(*r.header("Content-Type") == "application/json");
  }
  auto rules = f.call("GET", base + "/" + id + "/rules");
  CHECK(rules.status == 404);
  CHECK(rules.body == expected);
}

TEST_CASE("DELETE: 204 with Content-Type and no body, the group is gone", "[mock][groups]") {
  fixture f;
  auto id = f.create("web");
  auto r = f.call("DELETE", base + "/" + id, "{}");  // the Python SDK sends a body
  CHECK(r.status == 204);
  CHECK(r.body.empty());
  REQUIRE(r.header("Content-Type"));
  CHECK(*r.header("Content-Type") == "application/json");
  CHECK(f.call("GET", base + "/" + id).status == 404);
  CHECK(f.store.size() == 0);
}

TEST_CASE("DELETE of a group with servers: 409 conflict, a project default without servers "
          "deletes",
          "[mock][groups][errors]") {
  fixture f;
  auto id = f.create("web", {{"project_default", true}});
  f.store.attach_server(zone, id, {"11a2b3c4-d5e6-4f70-8190-a0b1c2d3e4f5", "srv-1"});
  auto in_use = f.call("DELETE", base + "/" + id);
  CHECK(in_use.status == 409);
  CHECK(in_use.body == R"({"message": "Group is in use. You cannot delete it.", "type": "conflict"})");
  CHECK(body_of(f.call("GET", base + "/" + id))["security_group"]["servers"] ==
        json::parse(R"([{"id": "11a2b3c4-d5e6-4f70-8190-a0b1c2d3e4f5", "name": "srv-1"}])"));
  f.store.detach_server(zone, id, "11a2b3c4-d5e6-4f70-8190-a0b1c2d3e4f5");
  CHECK(f.call("DELETE", base + "/" + id).status == 204);
}

TEST_CASE("PATCH with identical values keeps modification_date, a change moves it",
          "[mock][groups]") {
  fixture f;
  auto id = f.create("web", {{"description", "d"}, {"tags", {"a"}}});
  auto same = f.call("PATCH", base + "/" + id,
                     R"({"name": "web", "description": "d", "tags": ["a"], "stateful": true,
                         "inbound_default_policy": "accept", "outbound_default_policy": "accept",
                         "enable_default_security": true, "project_default": false})");
  REQUIRE(same.status == 200);
  auto g = body_of(same)["security_group"];
  CHECK(g["modification_date"] == date0);
  CHECK(g["creation_date"] == date0);
  CHECK(g["state"] == "available");

  auto empty = f.call("PATCH", base + "/" + id, "{}");
  CHECK(body_of(empty)["security_group"]["modification_date"] == date0);

  auto changed = f.call("PATCH", base + "/" + id, R"({"name": "web2", "description": null})");
  g = body_of(changed)["security_group"];
  CHECK(g["name"] == "web2");
  CHECK(g["description"] == "d");  // null is absent in a PATCH
  CHECK(g["creation_date"] == date0);
  CHECK(g["modification_date"] == date1);

  auto cleared = f.call("PATCH", base + "/" + id, R"({"tags": []})");
  CHECK(body_of(cleared)["security_group"]["tags"] == json::array());
  CHECK(body_of(cleared)["security_group"]["modification_date"] == date2);
}

TEST_CASE("PATCH enable_default_security false -> true brings the six SMTP rules",
          "[mock][groups][rules]") {
  fixture f;
  auto id = f.create("web", {{"enable_default_security", false}});
  CHECK(body_of(f.call("GET", base + "/" + id + "/rules"))["rules"].empty());
  f.call("PATCH", base + "/" + id, R"({"enable_default_security": true})");
  auto rules = body_of(f.call("GET", base + "/" + id + "/rules"))["rules"];
  REQUIRE(rules.size() == 6);
  CHECK(rules[0]["id"] == "11111111-2222-4333-8444-000000000001");
  f.call("PATCH", base + "/" + id, R"({"enable_default_security": false})");
  CHECK(body_of(f.call("GET", base + "/" + id + "/rules"))["rules"].empty());
}

TEST_CASE("PUT security_group: replaces fields, ignores dates and servers, keeps creation_date",
          "[mock][groups]") {
  fixture f;
  auto id = f.create("web", {{"description", "old"}, {"tags", {"x"}}});
  auto r = f.call("PUT", base + "/" + id,
                  R"({"name": "web-new", "description": "new", "tags": ["t1", "t2"],
                      "creation_date": "2022-03-04T10:00:00Z", "modification_date": "2022-03-04T10:00:00Z",
                      "stateful": false, "inbound_default_policy": "drop",
                      "outbound_default_policy": "drop", "enable_default_security": true,
                      "organization": ")" +
                      project_a + R"(", "project": ")" + project_a +
                      R"(", "organization_default": false, "project_default": false,
                      "servers": [{"id": "11a2b3c4-d5e6-4f70-8190-a0b1c2d3e4f5", "name": "s"}]})");
  REQUIRE(r.status == 200);
  auto g = body_of(r)["security_group"];
  CHECK(g["name"] == "web-new");
  CHECK(g["description"] == "new");
  CHECK(g["tags"] == json::array({"t1", "t2"}));
  CHECK(g["stateful"] == false);
  CHECK(g["inbound_default_policy"] == "drop");
  CHECK(g["outbound_default_policy"] == "drop");
  CHECK(g["servers"] == json::array());
  CHECK(g["creation_date"] == date0);
  CHECK(g["modification_date"] == date1);

  SECTION("omitted fields take their defaults; the same body again changes nothing") {
    auto minimal = f.call("PUT", base + "/" + id, R"({"name": "web-new"})");
    g = body_of(minimal)["security_group"];
    CHECK(g["description"].is_null());
    CHECK(g["tags"] == json::array());
    CHECK(g["stateful"] == true);
    CHECK(g["inbound_default_policy"] == "accept");
    CHECK(g["modification_date"] == date2);
    auto again = f.call("PUT", base + "/" + id, R"({"name": "web-new"})");
    CHECK(body_of(again)["security_group"]["modification_date"] == date2);
  }
  SECTION("a group cannot move to another project") {
    auto before = f.store.snapshot();
    auto moved = f.call("PUT", base + "/" + id,
                        R"({"name": "n", "project": ")" + project_b + R"("})");
    CHECK(moved.status == 400);
    CHECK(argument_names(moved) == std::vector<std::string>{"project"});
    CHECK(f.store.snapshot() == before);
  }
}

TEST_CASE("project_default: at most one per project and zone, setting it moves it",
          "[mock][groups]") {
  fixture f;
  auto a = f.create("a", {{"project_default", true}});
  auto b = f.create("b");
  auto other_zone = f.call("POST", "/instance/v1/zones/nl-ams-1/security_groups",
                           R"({"name": "c", "project": ")" + project_a +
                               R"(", "project_default": true})");
  REQUIRE(other_zone.status == 201);
  auto other_project = f.create("d", {{"project", project_b}, {"project_default", true}});

  auto r = f.call("PATCH", base + "/" + b, R"({"project_default": true})");
  CHECK(body_of(r)["security_group"]["project_default"] == true);
  auto old = body_of(f.call("GET", base + "/" + a))["security_group"];
  CHECK(old["project_default"] == false);
  CHECK(old["modification_date"] == body_of(r)["security_group"]["modification_date"]);
  CHECK(body_of(f.call("GET", base + "/" + other_project))["security_group"]["project_default"] ==
        true);
  auto ams_id = body_of(other_zone)["security_group"]["id"].get<std::string>();
  CHECK(body_of(f.call("GET", "/instance/v1/zones/nl-ams-1/security_groups/" + ams_id))
            ["security_group"]["project_default"] == true);
  auto defaults =
      body_of(f.call("GET", base + "?project_default=True&project=" + project_a))["security_groups"];
  REQUIRE(defaults.size() == 1);
  CHECK(defaults[0]["id"] == b);
}

TEST_CASE("list: X-Total-Count and Link as recorded, no total_count in the body",
          "[mock][groups][list]") {
  fixture f;
  auto id = f.create("tf-security-group");
  f.create("other");
  auto r = f.call("GET", base + "?name=tf-security-group");
  REQUIRE(r.status == 200);
  CHECK(*r.header("X-Total-Count") == "1");
  CHECK(*r.header("Link") == R"(</security_groups?page=1&per_page=50&name=tf-security-group>; rel="last")");
  auto body = body_of(r);
  CHECK(body.size() == 1);
  REQUIRE(body["security_groups"].size() == 1);
  CHECK(body["security_groups"][0]["id"] == id);
  CHECK(r.body.find("\"rules\"") == std::string::npos);

  auto by_project = f.call("GET", base + "?project=" + project_a + "&page=1");
  CHECK(*by_project.header("Link") ==
        "</security_groups?page=1&per_page=50&project=" + project_a + ">; rel=\"last\"");
  CHECK(*by_project.header("X-Total-Count") == "2");
}

TEST_CASE("list paging: 50 by default, at most 100, empty pages past the end",
          "[mock][groups][list]") {
  fixture f;
  for (int i = 0; i < 120; ++i) {
    mock::group_spec spec;
    spec.name = "g" + std::to_string(i);
    spec.project = project_a;
    f.store.create_group(zone, spec);
  }
  auto p1 = f.call("GET", base);
  CHECK(body_of(p1)["security_groups"].size() == 50);
  CHECK(body_of(p1)["security_groups"][0]["name"] == "g0");
  CHECK(*p1.header("X-Total-Count") == "120");
  CHECK(*p1.header("Link") == R"(</security_groups?page=2&per_page=50>; rel="next", )"
                              R"(</security_groups?page=3&per_page=50>; rel="last")");
  auto p3 = f.call("GET", base + "?page=3");
  CHECK(body_of(p3)["security_groups"].size() == 20);
  CHECK(body_of(p3)["security_groups"][0]["name"] == "g100");
  CHECK(*p3.header("Link") == R"(</security_groups?page=3&per_page=50>; rel="last")");
  auto p4 = f.call("GET", base + "?page=4");
  CHECK(p4.status == 200);
  CHECK(p4.body == R"({"security_groups": []})");
  CHECK(*p4.header("X-Total-Count") == "120");
  auto big = f.call("GET", base + "?per_page=100&page=2");
  CHECK(body_of(big)["security_groups"].size() == 20);
  auto far = f.call("GET", base + "?page=9999999&per_page=100");
  CHECK(body_of(far)["security_groups"].empty());
  // (page - 1) * 100 wraps around 2^64 to 84, a page with content if computed naively
  auto huge = f.call("GET", base + "?page=184467440737095518&per_page=100");
  CHECK(huge.status == 200);
  CHECK(body_of(huge)["security_groups"].empty());
  auto too_huge = f.call("GET", base + "?page=99999999999999999999");
  CHECK(argument_names(too_huge) == std::vector<std::string>{"page"});
}

TEST_CASE("list: invalid paging and filters are 400 invalid_arguments naming each one",
          "[mock][groups][list][errors]") {
  fixture f;
  auto too_big = f.call("GET", base + "?per_page=101");
  CHECK(too_big.status == 400);
  CHECK(argument_names(too_big) == std::vector<std::string>{"per_page"});
  CHECK(reason_for(too_big, "per_page") == "constraint");
  CHECK(argument_names(f.call("GET", base + "?per_page=0")) == std::vector<std::string>{"per_page"});
  CHECK(argument_names(f.call("GET", base + "?page=0")) == std::vector<std::string>{"page"});
  CHECK(argument_names(f.call("GET", base + "?page=-3")) == std::vector<std::string>{"page"});
  auto all = f.call("GET", base +
                               "?page=x&per_page=1e3&project_default=yes&project=nope&"
                               "organization=12345678-1234-1234-1234-12345678901");
  CHECK(all.status == 400);
  CHECK(argument_names(all) ==
        std::vector<std::string>{"project_default", "page", "per_page", "organization", "project"});
  CHECK(reason_for(all, "page") == "format");
  CHECK(reason_for(all, "project") == "format");
  CHECK(body_of(all)["message"] == "invalid argument(s)");
}

TEST_CASE("list filters: name substring, project, organization, tags (all), project_default",
          "[mock][groups][list]") {
  fixture f;
  auto web = f.create("web-front", {{"tags", {"a", "b"}}});
  auto api = f.create("api", {{"tags", {"b"}}, {"project_default", true}});
  auto db = f.create("db", {{"project", project_b}, {"tags", {"a"}}});
  auto names = [&](const std::string& query) {
    std::vector<std::string> out;
    auto r = f.call("GET", base + query);
    REQUIRE(r.status == 200);
    auto body = body_of(r);
    for (const auto& g : body["security_groups"]) out.push_back(g["id"].get<std::string>());
    return out;
  };
  using ids = std::vector<std::string>;
  CHECK(names("") == ids{web, api, db});
  CHECK(names("?name=web") == ids{web});
  CHECK(names("?name=front") == ids{web});
  CHECK(names("?name=WEB").empty());
  CHECK(names("?project=" + project_b) == ids{db});
  CHECK(names("?organization=" + project_b) == ids{db});
  CHECK(names("?organization=" + project_a) == ids{web, api});
  CHECK(names("?organization=" + org_a).empty());
  CHECK(names("?tags=a") == ids{web, db});
  CHECK(names("?tags=a%2Cb") == ids{web});  // the Python SDK's encoding
  CHECK(names("?tags=a,b") == ids{web});
  CHECK(names("?tags=a&tags=b") == ids{web});
  CHECK(names("?project_default=True") == ids{api});
  CHECK(names("?project_default=TRUE") == ids{api});
  CHECK(names("?project_default=true") == ids{api});
  CHECK(names("?project_default=False") == ids{web, db});
  CHECK(names("?name=web&project=" + project_b).empty());
  // Python adds the profile's organization and project to every list call.
  CHECK(names("?organization=" + project_a + "&project=" + project_a + "&name=api") == ids{api});
}

TEST_CASE("zones are kept apart, an unknown zone is 400 naming `zone`", "[mock][groups][zones]") {
  fixture f;
  auto id = f.create("web");
  const std::string ams = "/instance/v1/zones/nl-ams-1/security_groups";
  CHECK(body_of(f.call("GET", ams))["security_groups"].empty());
  CHECK(*f.call("GET", ams).header("X-Total-Count") == "0");
  CHECK(*f.call("GET", ams).header("Link") == R"(</security_groups?page=1&per_page=50>; rel="last")");
  CHECK(f.call("GET", ams + "/" + id).status == 404);
  CHECK(f.call("DELETE", ams + "/" + id).status == 404);
  CHECK(f.call("GET", base + "/" + id).status == 200);
  auto ams_group = f.call("POST", ams, R"({"name": "web", "project": ")" + project_a + R"("})");
  CHECK(body_of(ams_group)["security_group"]["zone"] == "nl-ams-1");
  CHECK(body_of(f.call("GET", base))["security_groups"].size() == 1);

  for (const char* method : {"GET", "POST"}) {
    auto r = f.call(method, "/instance/v1/zones/xx-yyy-9/security_groups", R"({"name": "n"})");
    CHECK(r.status == 400);
    CHECK(argument_names(r) == std::vector<std::string>{"zone"});
  }
  auto rule = f.call("GET", "/instance/v1/zones/mars-1/security_groups/" + id + "/rules");
  CHECK(argument_names(rule) == std::vector<std::string>{"zone"});
}

TEST_CASE("malformed path ids and bodies are 400 invalid_arguments", "[mock][groups][errors]") {
  fixture f;
  auto id = f.create("web");
  auto bad_id = f.call("GET", base + "/not-a-uuid");
  CHECK(bad_id.status == 400);
  CHECK(body_of(bad_id)["details"] ==
        json::parse(R"([{"argument_name": "security_group_id", "reason": "format",
                         "help_message": "'not-a-uuid' is not a UUID"}])"));
  CHECK(argument_names(f.call("GET", base + "/default")) ==
        std::vector<std::string>{"security_group_id"});

  auto before = f.store.snapshot();
  auto syntax = f.call("PATCH", base + "/" + id, R"({"name": )");
  CHECK(syntax.status == 400);
  CHECK(argument_names(syntax) == std::vector<std::string>{"body"});
  CHECK(reason_for(syntax, "body") == "format");
  CHECK(argument_names(f.call("POST", base, "[1, 2]")) == std::vector<std::string>{"body"});
  CHECK(argument_names(f.call("PUT", base + "/" + id, "\"x\"")) ==
        std::vector<std::string>{"body"});
  // A number no double holds is a 400 naming its field, not a 500 (issue 12, item 10).
  auto huge = f.call("PATCH", base + "/" + id, R"({"name": "x", "tags": ["a", 1e309]})");
  CHECK(huge.status == 400);
  CHECK(body_of(huge)["type"] == "invalid_arguments");
  CHECK(argument_names(huge) == std::vector<std::string>{"tags[1]"});
  CHECK(reason_for(huge, "tags[1]") == "format");
  CHECK(argument_names(f.call("POST", base, "-1e309")) == std::vector<std::string>{"body"});
  auto rules = f.call("PUT", base + "/" + id + "/rules",
                      R"({"rules": [{"protocol": "TCP", "position": 1e400}]})");
  CHECK(rules.status == 400);
  CHECK(argument_names(rules) == std::vector<std::string>{"rules[0].position"});
  CHECK(f.store.snapshot() == before);
}

TEST_CASE("every invalid field of a group body is reported at once, nothing changes",
          "[mock][groups][errors]") {
  fixture f;
  auto create = f.call("POST", base,
                       R"({"name": 7, "project": "p", "tags": ["ok", 3], "stateful": "yes",
                           "inbound_default_policy": "reject", "outbound_default_policy": null,
                           "enable_default_security": 1})");
  CHECK(create.status == 400);
  CHECK(argument_names(create) ==
        std::vector<std::string>{"name", "tags[1]", "stateful", "inbound_default_policy",
                                 "enable_default_security", "project"});
  CHECK(reason_for(create, "name") == "format");
  CHECK(reason_for(create, "inbound_default_policy") == "constraint");
  CHECK(reason_for(create, "project") == "format");
  CHECK(f.store.size() == 0);

  auto missing = f.call("POST", base, "{}");
  CHECK(argument_names(missing) == std::vector<std::string>{"name", "project"});
  CHECK(reason_for(missing, "name") == "required");
  CHECK(reason_for(missing, "project") == "required");
  auto empty_name = f.call("POST", base, R"({"name": "", "project": ")" + project_a + R"("})");
  CHECK(reason_for(empty_name, "name") == "constraint");

  auto id = f.create("web");
  auto before = f.store.snapshot();
  auto patch = f.call("PATCH", base + "/" + id,
                      R"({"name": "", "tags": "a", "outbound_default_policy": "nope"})");
  CHECK(argument_names(patch) ==
        std::vector<std::string>{"tags", "outbound_default_policy", "name"});
  CHECK(f.store.snapshot() == before);
}

TEST_CASE("unknown endpoints answer 404 and wrong methods 405, both in JSON",
          "[mock][groups][errors]") {
  fixture f;
  auto nowhere = f.call("GET", "/instance/v1/zones/fr-par-1/servers");
  CHECK(nowhere.status == 404);
  CHECK(body_of(nowhere)["type"] == "not_found");
  CHECK(f.call("GET", base + "/").status == 404);
  CHECK(f.call("GET", "/").status == 404);
  CHECK(f.call("GET", "").status == 404);
  auto wrong = f.call("DELETE", base);
  CHECK(wrong.status == 405);
  CHECK(body_of(wrong)["type"] == "method_not_allowed");
  CHECK(*wrong.header("Allow") == "GET, POST");
  CHECK(*f.call("POST", base + "/default/rules").header("Allow") == "GET");
  CHECK(f.call("PATCH", base + "/" + nth_id(1) + "/rules").status == 405);
}

TEST_CASE("methods are matched in any case and GET bodies are ignored", "[mock][groups]") {
  fixture f;
  auto id = f.create("web");
  CHECK(f.call("get", base + "/" + id, "{}").status == 200);
  CHECK(f.call("GET", base + "/" + id, "not json at all").status == 200);
}

TEST_CASE("the request struct takes the query apart or inside the path", "[mock][groups]") {
  fixture f;
  f.create("web");
  f.create("db");
  mock::request req;
  req.method = "GET";
  req.path = base;
  req.query = "name=db";
  CHECK(body_of(f.api.handle(req))["security_groups"].size() == 1);
  req.path = base + "?name=web";
  req.query.clear();
  CHECK(body_of(f.api.handle(req))["security_groups"][0]["name"] == "web");
}

TEST_CASE("bodies are written Python style with non-ASCII escaped", "[mock][groups]") {
  fixture f;
  auto r = f.call("POST", base,
                  R"({"name": "caf\u00e9 \"q\"", "project": ")" + project_a + R"("})");
  REQUIRE(r.status == 201);
  CHECK(r.body.find(R"("name": "caf\u00e9 \"q\"")") != std::string::npos);
  CHECK(mock::wire::dump(json::parse(R"({"a": [1, {"b": null}], "c": 1.5})")) ==
        R"({"a": [1, {"b": null}], "c": 1.5})");
  CHECK(mock::wire::dump(json::object()) == "{}");
  CHECK(mock::wire::dump(json::array()) == "[]");
}

TEST_CASE("the Location base URL is configurable for an HTTP front", "[mock][groups]") {
  mock::store s(test_options());
  mock::router api(s, {"http://127.0.0.1:8080", std::nullopt, {}});
  auto r = api.call("POST", base, R"({"name": "n", "project": ")" + project_a + R"("})");
  CHECK(*r.header("Location") ==
        "http://127.0.0.1:8080/instance/v1/zones/fr-par-1/security_groups/" + nth_id(1));
}
