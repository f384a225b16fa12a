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
