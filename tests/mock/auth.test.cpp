// The router's token table: 401 denied_authentication without a known X-Auth-Token, 403
// permissions_denied outside the token's projects, lists narrowed to them; open without a table.
#include "fixture.hpp"

using namespace mock_test;

namespace {

const std::string token_a = "3f0c1d2e-aaaa-4bbb-8ccc-000000000001";
const std::string token_ab = "3f0c1d2e-aaaa-4bbb-8ccc-000000000002";

struct auth_fixture {
  mock::store store{test_options()};
  mock::router api{store, {"https://api.scaleway.com",
                           std::map<std::string, std::vector<std::string>, std::less<>>{
                               {token_a, {project_a}}, {token_ab, {project_a, project_b}}},
                           {}}};

  mock::response as(const std::string& token, const std::string& method,
                    const std::string& target, const std::string& body = "") const {
    return api.call(method, target, body, {{"X-Auth-Token", token}});
  }
};

const char* const denied_missing =
    R"({"message": "authentication is denied", "method": "unknown_method", )"
    R"("reason": "invalid_argument", "type": "denied_authentication"})";
const char* const denied_unknown =
    R"({"message": "authentication is denied", "method": "api_key", "reason": "not_found", )"
    R"("type": "denied_authentication"})";

}  // namespace

TEST_CASE("auth: no token or an unknown one is 401 on every endpoint, before anything else",
          "[mock][auth]") {
  auth_fixture f;
  auto g = f.store.create_group(zone, [] {
    mock::group_spec s;
    s.name = "web";
    s.project = project_a;
    return s;
  }());
  for (const std::string& target :
       {base, base + "/" + g.id, base + "/" + g.id + "/rules", base + "/default/rules",
        std::string("/instance/v1/zones/nowhere-1/security_groups"), base + "/bad-id"}) {
    CAPTURE(target);
    auto none = f.api.call("GET", target);
    CHECK(none.status == 401);
    CHECK(none.body == denied_missing);
    CHECK(*none.header("Content-Type") == "application/json");
    auto empty = f.api.call("GET", target, "", {{"X-Auth-Token", ""}});
    CHECK(empty.status == 401);
    auto unknown = f.as("not-a-token", "GET", target);
    CHECK(unknown.status == 401);
    CHECK(unknown.body == denied_unknown);
  }
  auto post = f.api.call("POST", base, R"({"name": "x", "project": ")" + project_a + R"("})");
  CHECK(post.status == 401);
  CHECK(f.store.size() == 1);
  // Routing comes first: an unknown path is 404 whatever the token.
  CHECK(f.api.call("GET", "/instance/v1/zones/fr-par-1/servers").status == 404);
}

TEST_CASE("auth: a token reaches only its projects' groups", "[mock][auth]") {
  auth_fixture f;
  auto mine = f.as(token_a, "POST", base, R"({"name": "mine", "project": ")" + project_a + R"("})");
  REQUIRE(mine.status == 201);
  auto theirs =
      f.as(token_ab, "POST", base, R"({"name": "theirs", "project": ")" + project_b + R"("})");
  REQUIRE(theirs.status == 201);
  const auto mine_id = body_of(mine)["security_group"]["id"].get<std::string>();
  const auto theirs_id = body_of(theirs)["security_group"]["id"].get<std::string>();

  auto list_a = f.as(token_a, "GET", base);
  CHECK(*list_a.header("X-Total-Count") == "1");
  CHECK(body_of(list_a)["security_groups"][0]["id"] == mine_id);
  CHECK(*f.as(token_ab, "GET", base).header("X-Total-Count") == "2");
  CHECK(f.as(token_ab, "GET", base + "?project=" + project_b).status == 200);

  const std::string expected_read =
      R"({"details": [{"action": "read", "resource": "instance_security_group"}], )"
      R"("message": "insufficient permissions", "type": "permissions_denied"})";
  auto get = f.as(token_a, "GET", base + "/" + theirs_id);
  CHECK(get.status == 403);
  CHECK(get.body == expected_read);
  CHECK(f.as(token_a, "GET", base + "/" + theirs_id + "/rules").status == 403);
  CHECK(f.as(token_a, "GET", base + "?project=" + project_b).status == 403);

  auto before = f.store.snapshot();
  auto patch = f.as(token_a, "PATCH", base + "/" + theirs_id, R"({"name": "x"})");
  CHECK(patch.status == 403);
  CHECK(body_of(patch)["details"][0]["action"] == "write");
  CHECK(f.as(token_a, "DELETE", base + "/" + theirs_id).status == 403);
  CHECK(f.as(token_a, "PUT", base + "/" + theirs_id + "/rules", R"({"rules": []})").status == 403);
  CHECK(f.as(token_a, "POST", base + "/" + theirs_id + "/rules",
             R"({"protocol": "TCP", "direction": "inbound", "action": "accept", "ip_range": "1.2.3.4"})")
            .status == 403);
  CHECK(f.as(token_a, "POST", base, R"({"name": "x", "project": ")" + project_b + R"("})").status ==
        403);
  CHECK(f.store.snapshot() == before);

  // The header name is case-insensitive (Python sends x-auth-token).
  CHECK(f.api.call("GET", base + "/" + mine_id, "", {{"x-auth-token", token_a}}).status == 200);
  CHECK(f.as(token_a, "GET", base + "/default/rules").status == 200);
  CHECK(f.as(token_a, "DELETE", base + "/" + mine_id).status == 204);
}

TEST_CASE("auth: an empty token table refuses everyone, no table serves everyone",
          "[mock][auth]") {
  mock::store s(test_options());
  mock::router closed(s, {"https://api.scaleway.com",
                          std::map<std::string, std::vector<std::string>, std::less<>>{}, {}});
  CHECK(closed.call("GET", base, "", {{"X-Auth-Token", "anything"}}).status == 401);
  mock::router open(s);
  CHECK_FALSE(open.options().tokens);
  CHECK(open.call("GET", base, "", {{"X-Auth-Token", "anything"}}).status == 200);
  CHECK(open.call("GET", base).status == 200);
}

TEST_CASE("auth: parse_tokens reads SECRET:PROJECT_ID, the secret up to the last colon",
          "[mock][auth]") {
  auto table = mock::parse_tokens({"a:b:" + project_a, "s:" + project_a, "s:" + project_b,
                                   "s:" + project_a},
                                  "--token");
  REQUIRE(table.size() == 2);
  CHECK(table.at("a:b") == std::vector<std::string>{project_a});
  CHECK(table.at("s") == std::vector<std::string>{project_a, project_b});  // repeat counted once
  CHECK(mock::parse_tokens({}, "--token").empty());

  auto error_of = [](const std::vector<std::string>& specs) -> std::pair<std::string, std::string> {
    try {
      mock::parse_tokens(specs, "--token");
    } catch (const validation_error& e) {
      CHECK(e.id() == validation_error(errc::bad_value, "", "").id());
      return {e.field(), e.message()};
    }
    return {"", "no error"};
  };
  // The messages never quote the spec: it holds a secret (tests/mock/hostile.test.cpp).
  CHECK(error_of({"s:" + project_a, "no-colon"}) ==
        std::pair<std::string, std::string>{
            "--token[1]",
            "expected SECRET:PROJECT_ID (a 8-character value without a secret before a colon; "
            "not shown)"});
  CHECK(error_of({":" + project_a}).first == "--token[0]");  // no secret
  CHECK(error_of({"s:not-a-uuid"}).second ==
        "the project after the last colon is not a UUID (value not shown)");
}

TEST_CASE("auth: zone names have the form the Go SDK checks (zones.hpp)", "[mock][store]") {
  // ^[a-z]{2}-[a-z]{3,7}-[0-9]{1,2}$: the one zone-name test of the library.
  for (auto z : {"fr-par-1", "nl-ams-3", "it-mil-1", "zz-zzz-9", "fr-par-10", "xx-abcdefg-0"})
    CHECK(secgroup::is_zone_name(z));
  for (auto z : {"", "fr-par", "fr-par-100", "FR-PAR-1", "fr_par_1", "fr-pa-1", "frpar1xx",
                 "xx-abcdefgh-1", "fr-par-1-"})
    CHECK_FALSE(secgroup::is_zone_name(z));
  CHECK(mock::checked_zone_names({"fr-par-1", "pl-waw-2"}, "--zone").size() == 2);
  try {
    mock::checked_zone_names({"fr-par-1", "mars-1"}, "--zone");
    FAIL("no error");
  } catch (const validation_error& e) {
    CHECK(e.field() == "--zone");
    CHECK(e.message() == "'mars-1' is not a zone name like fr-par-1");
  }
}

// -- Two tenants: a token never writes into, or reads from, another tenant -----------------

namespace {

const std::string token_b = "3f0c1d2e-aaaa-4bbb-8ccc-000000000003";

const char* const denied_write =
    R"({"details": [{"action": "write", "resource": "instance_security_group"}], )"
    R"("message": "insufficient permissions", "type": "permissions_denied"})";

/// Tenant A (token_a, project_a) and tenant B (token_b, project_b), and an admin token with
/// both projects (token_ab). Tenant A holds one group, created by A; its project is the default
/// project of its organization (same UUID), or, when `restored`, a project of organization
/// org_a, as a snapshot (a state file) may say.
struct tenants {
  mock::store store{test_options()};
  mock::router api{
      store,
      {"https://api.scaleway.com",
       std::map<std::string, std::vector<std::string>, std::less<>>{
           {token_a, {project_a}}, {token_b, {project_b}}, {token_ab, {project_a, project_b}}},
       {}}};
  std::string a_group;
  std::string org_of_a;

  explicit tenants(bool restored) {
    auto r = as(token_a, "POST", base, json{{"name", "a-web"}, {"project", project_a}}.dump());
    REQUIRE(r.status == 201);
    a_group = body_of(r)["security_group"]["id"].get<std::string>();
    org_of_a = project_a;
    if (restored) {
      auto doc = store.snapshot();
      doc["security_groups"][0]["organization"] = org_a;
      store.restore(doc);
      org_of_a = org_a;
    }
    REQUIRE(store.get_group(zone, a_group).organization == org_of_a);
  }

  mock::response as(const std::string& token, const std::string& method, const std::string& target,
                    const std::string& body = "") const {
    return api.call(method, target, body, {{"X-Auth-Token", token}});
  }

  /// Creates a group of tenant B (project_b, plus `extra`); returns its id.
  std::string create_b(const std::string& name, json extra = json::object()) const {
    json body = {{"name", name}, {"project", project_b}};
    for (auto& [k, v] : extra.items()) body[k] = v;
    auto r = as(token_b, "POST", base, body.dump());
    REQUIRE(r.status == 201);
    return body_of(r)["security_group"]["id"].get<std::string>();
  }

  /// True iff every group of organization `organization` belongs to project `project`.
  bool organization_holds_only(const std::string& organization, const std::string& project) const {
    for (const auto& g : store.groups())
      if (g.organization == organization && g.project != project) return false;
    return true;
  }
};

/// The ids of the groups a list answer holds.
std::vector<std::string> ids_of(const mock::response& r) {
  std::vector<std::string> out;
  const auto body = body_of(r);  // the loop below must not range over a temporary's member
  for (const auto& g : body["security_groups"]) out.push_back(g["id"].get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("auth: a token cannot create a group in another tenant's organization",
          "[mock][auth][tenants]") {
  const bool restored = GENERATE(false, true);
  CAPTURE(restored);
  tenants f(restored);
  const auto before = f.store.snapshot();

  // With its own project, or alone (the project is then the organization's default project).
  auto both =
      f.as(token_b, "POST", base,
           json{{"name", "x"}, {"project", project_b}, {"organization", f.org_of_a}}.dump());
  CHECK(both.status == 403);
  CHECK(both.body == denied_write);
  auto alone =
      f.as(token_b, "POST", base, json{{"name", "x"}, {"organization", f.org_of_a}}.dump());
  CHECK(alone.status == 403);
  CHECK(alone.body == denied_write);
  CHECK(f.store.snapshot() == before);

  // B's own groups take their project's organization: named or not, never A's.
  auto plain = f.as(token_b, "POST", base, json{{"name", "b1"}, {"project", project_b}}.dump());
  REQUIRE(plain.status == 201);
  CHECK(body_of(plain)["security_group"]["organization"] == project_b);
  auto named =
      f.as(token_b, "POST", base,
           json{{"name", "b2"}, {"project", project_b}, {"organization", project_b}}.dump());
  REQUIRE(named.status == 201);
  CHECK(body_of(named)["security_group"]["organization"] == project_b);
  CHECK(f.organization_holds_only(f.org_of_a, project_a));

  // A token that may use both organizations still cannot put a group of project_b into A's:
  // the organization follows from the project (400, the project's own named in the message).
  auto mixed =
      f.as(token_ab, "POST", base,
           json{{"name", "x"}, {"project", project_b}, {"organization", f.org_of_a}}.dump());
  CHECK(mixed.status == 400);
  CHECK(argument_names(mixed) == std::vector<std::string>{"organization"});
  CHECK(reason_for(mixed, "organization") == "constraint");
  CHECK(f.organization_holds_only(f.org_of_a, project_a));
}

TEST_CASE("auth: a token cannot move its group into another tenant's organization or project",
          "[mock][auth][tenants]") {
  const bool restored = GENERATE(false, true);
  CAPTURE(restored);
  tenants f(restored);
  const auto b_group = f.create_b("b-web");
  const auto before = f.store.snapshot();
  const auto target = base + "/" + b_group;

  auto patch_org = f.as(token_b, "PATCH", target, json{{"organization", f.org_of_a}}.dump());
  CHECK(patch_org.status == 403);
  CHECK(patch_org.body == denied_write);
  auto patch_project = f.as(token_b, "PATCH", target, json{{"project", project_a}}.dump());
  CHECK(patch_project.status == 403);
  CHECK(patch_project.body == denied_write);
  json put = {{"name", "b-web"}, {"project", project_b}, {"organization", f.org_of_a}};
  auto put_org = f.as(token_b, "PUT", target, put.dump());
  CHECK(put_org.status == 403);
  CHECK(put_org.body == denied_write);
  put["organization"] = project_b;
  put["project"] = project_a;
  CHECK(f.as(token_b, "PUT", target, put.dump()).status == 403);
  CHECK(f.store.snapshot() == before);

  // Its own project and organization are accepted on both.
  put["project"] = project_b;
  CHECK(f.as(token_b, "PUT", target, put.dump()).status == 200);
  CHECK(f.as(token_b, "PATCH", target, json{{"organization", project_b}}.dump()).status == 200);
  // With both projects allowed, naming A's organization is a move: 400, as in open mode.
  auto moved = f.as(token_ab, "PATCH", target, json{{"organization", f.org_of_a}}.dump());
  CHECK(moved.status == 400);
  CHECK(argument_names(moved) == std::vector<std::string>{"organization"});
  CHECK(f.store.get_group(zone, b_group).organization == project_b);
  CHECK(f.organization_holds_only(f.org_of_a, project_a));
}

TEST_CASE("auth: list filters naming another tenant's organization or project leak nothing",
          "[mock][auth][tenants]") {
  const bool restored = GENERATE(false, true);
  CAPTURE(restored);
  tenants f(restored);
  const auto b_group = f.create_b("b-web");

  // An organization filter narrows within the caller's projects: A's organization lists nothing
  // for B (the Python SDK sends the profile's organization on every list: never refused).
  auto by_org = f.as(token_b, "GET", base + "?organization=" + f.org_of_a);
  CHECK(by_org.status == 200);
  CHECK(ids_of(by_org).empty());
  CHECK(*by_org.header("X-Total-Count") == "0");
  CHECK(ids_of(f.as(token_a, "GET", base + "?organization=" + f.org_of_a)) ==
        std::vector<std::string>{f.a_group});
  CHECK(ids_of(f.as(token_b, "GET", base + "?organization=" + project_b)) ==
        std::vector<std::string>{b_group});
  // A project filter naming another tenant's project is refused.
  CHECK(f.as(token_b, "GET", base + "?project=" + project_a).status == 403);
  CHECK(f.as(token_a, "GET", base + "?project=" + project_b).status == 403);
  // The name and project_default filters never reach past the caller's projects.
  CHECK(ids_of(f.as(token_b, "GET", base + "?name=a-web")).empty());
  CHECK(ids_of(f.as(token_b, "GET", base)) == std::vector<std::string>{b_group});
}

TEST_CASE("auth: a token reaches no rule of another tenant's group", "[mock][auth][tenants]") {
  tenants f(false);
  const json tcp22 = {{"protocol", "TCP"},
                      {"direction", "inbound"},
                      {"action", "accept"},
                      {"ip_range", "10.0.0.0/8"},
                      {"dest_port_from", 22}};
  auto made = f.as(token_a, "POST", base + "/" + f.a_group + "/rules", tcp22.dump());
  REQUIRE(made.status == 201);
  const auto a_rule = body_of(made)["rule"]["id"].get<std::string>();
  const auto b_group = f.create_b("b-web");
  const auto before = f.store.snapshot();

  const auto rule_path = base + "/" + f.a_group + "/rules/" + a_rule;
  CHECK(f.as(token_b, "GET", rule_path).status == 403);
  CHECK(f.as(token_b, "PUT", rule_path, tcp22.dump()).status == 403);
  CHECK(f.as(token_b, "PATCH", rule_path, json{{"action", "drop"}}.dump()).status == 403);
  CHECK(f.as(token_b, "DELETE", rule_path).status == 403);
  CHECK(f.as(token_b, "GET", base + "/" + f.a_group + "/rules").status == 403);
  CHECK(f.as(token_b, "PUT", base + "/" + f.a_group + "/rules", R"({"rules": []})").status == 403);
  // A's rule through B's own group: not B's rule, so not found (as an id no group has).
  CHECK(f.as(token_b, "GET", base + "/" + b_group + "/rules/" + a_rule).status == 404);
  auto borrowed = tcp22;
  borrowed["id"] = a_rule;
  auto set = f.as(token_b, "PUT", base + "/" + b_group + "/rules",
                  json{{"rules", json::array({borrowed})}}.dump());
  CHECK(set.status == 404);
  CHECK(body_of(set)["resource"] == "instance_security_group_rule");
  CHECK(f.store.snapshot() == before);
  // The default rules are the API's constants, the same for every tenant.
  CHECK(f.as(token_b, "GET", base + "/default/rules").body ==
        f.as(token_a, "GET", base + "/default/rules").body);
}

TEST_CASE("auth: a project default group never clears another tenant's", "[mock][auth][tenants]") {
  tenants f(false);
  REQUIRE(f.as(token_a, "PATCH", base + "/" + f.a_group, json{{"project_default", true}}.dump())
              .status == 200);
  const auto b_first = f.create_b("b-default", {{"project_default", true}});
  const auto b_second = f.create_b("b-other");
  REQUIRE(f.as(token_b, "PATCH", base + "/" + b_second, json{{"project_default", true}}.dump())
              .status == 200);
  CHECK(f.store.get_group(zone, f.a_group).project_default);
  CHECK_FALSE(f.store.get_group(zone, b_first).project_default);
  CHECK(f.store.get_group(zone, b_second).project_default);
  CHECK(ids_of(f.as(token_b, "GET", base + "?project_default=true")) ==
        std::vector<std::string>{b_second});
  CHECK(ids_of(f.as(token_a, "GET", base + "?project_default=true")) ==
        std::vector<std::string>{f.a_group});
}
