// Hostile input at the router (issue 12): invalid UTF-8 in the path, zone, query and body
// answers 400 naming the place, never 500; `1e309` in a body is a 400 naming its field, and so
// is a key an object of a body repeats;
// `%2F` never splits a path segment; an empty `page=` is refused; a PATCH cannot move a group
// to another project (as a PUT cannot); the rule cap of a group (403 quotas_exceeded) and
// tokens whose errors never quote the secret.
#include <atomic>
#include <chrono>
#include <thread>

#include "fixture.hpp"

using namespace mock_test;

namespace hostile_test {

std::string rules_of(const std::string& group) { return base + "/" + group + "/rules"; }

json tcp_rule(int port) {
  return {{"protocol", "TCP"},       {"direction", "inbound"}, {"action", "accept"},
          {"ip_range", "0.0.0.0/0"}, {"dest_port_from", port}, {"dest_port_to", port}};
}

/// A PUT .../rules body of `n` rules (written as text: quick also at -O0).
std::string rules_body(int n) {
  std::string out = R"({"rules": [)";
  for (int i = 0; i < n; ++i) {
    const auto port = std::to_string(1 + i % 60000);
    out += (i ? ", " : "") + std::string(R"({"protocol": "TCP", "direction": "inbound", )") +
           R"("action": "accept", "ip_range": "0.0.0.0/0", "dest_port_from": )" + port +
           R"(, "dest_port_to": )" + port + "}";
  }
  return out + "]}";
}

/// True iff the body of `r` is an API error (JSON object with a type and a message).
bool is_api_error(const mock::response& r) {
  auto body = json::parse(r.body);
  return body.is_object() && body.contains("type") && body.contains("message");
}


TEST_CASE("hostile: invalid UTF-8 in the path, zone, query or body is a 400, never a 500",
          "[mock][hostile]") {
  fixture f;
  auto group = f.create("web");
  struct probe {
    std::string method, target, body, argument;
  };
  const std::vector<probe> probes = {
      {"GET", base + "/%ff", "", "path"},
      {"GET", base + "/\xff\xfe", "", "path"},
      {"GET", "/instance/v1/zones/%C0%AF/security_groups", "", "path"},
      {"GET", base + "?name=%ff", "", "name"},
      {"GET", base + "?%ff=1", "", "query"},
      {"GET", rules_of(group) + "?page=%ed%a0%80", "", "page"},
      {"POST", base, "{\"name\": \"\xff\", \"project\": \"" + project_a + "\"}", "body"},
      {"PATCH", base + "/" + group, "{\"name\": \"caf\xc3\"}", "body"},
  };
  for (const auto& p : probes) {
    CAPTURE(p.method, p.target);
    auto r = f.call(p.method, p.target, p.body);
    CHECK(r.status == 400);
    CHECK(is_api_error(r));
    CHECK(argument_names(r) == std::vector<std::string>{p.argument});
  }
  // Also without a route: the error still dumps as JSON.
  auto r = f.call("GET", "/nowhere/%ff");
  CHECK(r.status == 400);
  CHECK(is_api_error(r));
  CHECK(f.store.list_groups(zone).security_groups.size() == 1);
  CHECK(f.store.get_group(zone, group).name == "web");
}

TEST_CASE("hostile: valid UTF-8 still passes through the path and the query", "[mock][hostile]") {
  fixture f;
  f.create("caf\xc3\xa9");
  auto r = f.call("GET", base + "?name=caf%C3%A9");
  REQUIRE(r.status == 200);
  CHECK(body_of(r)["security_groups"].size() == 1);
  CHECK(mock::wire::valid_utf8("\xf0\x9f\x94\x92 ok"));
  CHECK_FALSE(mock::wire::valid_utf8("\xf0\x9f\x94"));      // truncated
  CHECK_FALSE(mock::wire::valid_utf8("\xc0\x80"));          // overlong NUL
  CHECK_FALSE(mock::wire::valid_utf8("\xed\xa0\x80"));      // a surrogate
  CHECK_FALSE(mock::wire::valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
}

TEST_CASE("hostile: a number beyond double in a body is a 400 naming its field",
          "[mock][hostile]") {
  fixture f;
  auto group = f.create("web");
  auto r = f.call("PUT", rules_of(group),
                  R"({"rules": [{"protocol": "TCP", "direction": "inbound", "action": "accept",
                     "ip_range": "0.0.0.0/0", "dest_port_from": 1e309}]})");
  CHECK(r.status == 400);
  CHECK(is_api_error(r));
  CHECK(argument_names(r) == std::vector<std::string>{"rules[0].dest_port_from"});
}

// A repeated key would make the mock store another rule than a reader of the body (or a JSON
// reader that takes the first value) sees: refused as a 400 naming the key, the store untouched.
TEST_CASE("hostile: a body that repeats a key is a 400 naming it, and changes nothing",
          "[mock][hostile]") {
  fixture f;
  auto group = f.create("web");
  f.add_rule(group, tcp_rule(22));
  const json before = f.store.snapshot();
  struct probe {
    std::string method, target, body, argument;
  };
  const std::vector<probe> probes = {
      {"PUT", rules_of(group),
       R"({"rules": [{"protocol": "TCP", "direction": "inbound", "action": "accept",
           "ip_range": "10.0.0.0/8", "dest_port_from": 22},
          {"protocol": "TCP", "direction": "inbound", "action": "accept",
           "ip_range": "10.0.0.0/8", "dest_port_from": 22, "ip_range": "0.0.0.0/0"}]})",
       "rules[1].ip_range"},
      {"POST", rules_of(group),
       R"({"protocol": "TCP", "direction": "inbound", "action": "drop", "action": "accept",
           "ip_range": "0.0.0.0/0"})",
       "action"},
      {"POST", base, R"({"name": "a", "project": ")" + project_a + R"(", "name": "b"})", "name"},
      {"PATCH", base + "/" + group,
       R"({"inbound_default_policy": "drop", "inbound_default_policy": "accept"})",
       "inbound_default_policy"},
      {"PUT", base + "/" + group, R"({"name": "web", "tags": [], "tags": ["x"]})", "tags"},
      {"PATCH", base + "/" + group, R"({"unknown": {"k": 1, "k": 2}})", "unknown.k"},
  };
  for (const auto& p : probes) {
    CAPTURE(p.method, p.target, p.body);
    auto r = f.call(p.method, p.target, p.body);
    CHECK(r.status == 400);
    CHECK(is_api_error(r));
    CHECK(argument_names(r) == std::vector<std::string>{p.argument});
    CHECK(reason_for(r, p.argument) == "format");
    CHECK(r.body.find("duplicate key") != std::string::npos);
  }
  CHECK(f.store.snapshot() == before);
  // The same bodies without the repeat are taken.
  CHECK(f.call("PATCH", base + "/" + group, R"({"inbound_default_policy": "drop"})").status == 200);
}

// Found by the deep-input run of the fuzz targets (docs/fuzzing.md): a 200 KB body nesting
// 100,000 arrays, followed by one more key, overflowed the stack of the thread serving it.
TEST_CASE("hostile: a body nesting deeper than max_json_depth is a 400, not a crash",
          "[mock][hostile]") {
  fixture f;
  const std::string deep(100000, '[');
  auto r = f.call("POST", base,
                  R"({"junk": )" + deep + std::string(100000, ']') +
                      R"(, "name": "x", "project": ")" + project_a + R"("})");
  CHECK(r.status == 400);
  CHECK(is_api_error(r));
  CHECK(argument_names(r) == std::vector<std::string>{"body"});
  CHECK(r.body.find("deeper than 512 levels") != std::string::npos);
  CHECK(f.call("GET", base).body == R"({"security_groups": []})");
}

TEST_CASE("hostile: %2F stays inside its path segment", "[mock][hostile]") {
  fixture f;
  auto group = f.create("web");
  REQUIRE(f.call("GET", rules_of(group)).status == 200);
  auto r = f.call("GET", base + "/" + group + "%2Frules");
  CHECK(r.status == 400);
  CHECK(argument_names(r) == std::vector<std::string>{"security_group_id"});
  r = f.call("GET", base + "/" + group + "%2frules");
  CHECK(r.status == 400);
  // An escaped character that is no separator decodes as before.
  std::string escaped = group;
  escaped.replace(0, 1, "%3" + group.substr(0, 1));  // ids start with a digit
  CHECK(f.call("GET", base + "/" + escaped).status == 200);
}

TEST_CASE("hostile: an empty page or per_page is refused", "[mock][hostile]") {
  fixture f;
  auto group = f.create("web");
  for (const auto& target : {base + "?page=", base + "?per_page=&page=1",
                             rules_of(group) + "?page=", base + "/default/rules?per_page="}) {
    CAPTURE(target);
    auto r = f.call("GET", target);
    CHECK(r.status == 400);
    const auto names = argument_names(r);
    REQUIRE(names.size() == 1);
    CHECK((names[0] == "page" || names[0] == "per_page"));
  }
  CHECK(f.call("GET", base + "?page=1").status == 200);
}

TEST_CASE("hostile: PATCH refuses another project or organization, as PUT does",
          "[mock][hostile]") {
  fixture f;
  auto group = f.create("web");
  const auto before = f.store.get_group(zone, group);
  auto r =
      f.call("PATCH", base + "/" + group, json{{"name", "moved"}, {"project", project_b}}.dump());
  CHECK(r.status == 400);
  CHECK(argument_names(r) == std::vector<std::string>{"project"});
  CHECK(reason_for(r, "project") == "constraint");
  r = f.call("PATCH", base + "/" + group, json{{"organization", project_b}}.dump());
  CHECK(r.status == 400);
  CHECK(argument_names(r) == std::vector<std::string>{"organization"});
  r = f.call("PATCH", base + "/" + group, json{{"project", "not-a-uuid"}}.dump());
  CHECK(r.status == 400);
  CHECK(argument_names(r) == std::vector<std::string>{"project"});
  CHECK(f.store.get_group(zone, group) == before);
  // The group's own project (and organization) are accepted, and the rest applies.
  r = f.call(
      "PATCH", base + "/" + group,
      json{{"name", "renamed"}, {"project", before.project}, {"organization", before.organization}}
          .dump());
  CHECK(r.status == 200);
  CHECK(f.store.get_group(zone, group).name == "renamed");
  CHECK(f.store.get_group(zone, group).project == before.project);
}

TEST_CASE("hostile: a group holds at most max_rules_per_group user rules", "[mock][hostile]") {
  auto options = test_options();
  options.max_rules_per_group = 5;
  mock::store store(options);
  mock::router api(store);
  auto created = api.call("POST", base, json{{"name", "web"}, {"project", project_a}}.dump());
  REQUIRE(created.status == 201);
  const auto group = body_of(created)["security_group"]["id"].get<std::string>();

  auto r = api.call("PUT", rules_of(group), rules_body(6));
  CHECK(r.status == 403);
  auto body = body_of(r);
  CHECK(body["type"] == "quotas_exceeded");
  CHECK(body["details"][0]["quota"] == 5);
  CHECK(body["details"][0]["current"] == 6);
  CHECK(body["details"][0]["resource"] == "instance_security_group_rule");
  CHECK(store.get_group(zone, group).rules.empty());

  REQUIRE(api.call("PUT", rules_of(group), rules_body(5)).status == 200);
  r = api.call("POST", rules_of(group), tcp_rule(80).dump());
  CHECK(r.status == 403);
  CHECK(body_of(r)["type"] == "quotas_exceeded");
  CHECK(body_of(r)["details"][0]["quota"] == 5);
  CHECK(body_of(r)["details"][0]["current"] == 5);  // what the full group holds
  CHECK(store.get_group(zone, group).rules.size() == 5);
  CHECK(store.max_rules_per_group() == 5);
  CHECK(mock::store(test_options()).max_rules_per_group() == mock::default_max_rules_per_group);
}

TEST_CASE("hostile: a huge PUT .../rules never blocks the other callers", "[mock][hostile]") {
  fixture f;
  auto group = f.create("web");
  auto other = f.create("other");
  const auto body = rules_body(10'000);  // before the cap: seconds under the store lock
  std::atomic<bool> done{false};
  mock::response put;
  std::chrono::steady_clock::duration put_took{};
  std::thread writer([&] {
    const auto start = std::chrono::steady_clock::now();
    put = f.call("PUT", rules_of(group), body);
    put_took = std::chrono::steady_clock::now() - start;
    done = true;
  });
  std::chrono::steady_clock::duration worst{};
  int reads = 0;
  while (!done || reads < 3) {
    const auto start = std::chrono::steady_clock::now();
    REQUIRE(f.call("GET", base + "/" + other).status == 200);
    worst = std::max(worst, std::chrono::steady_clock::now() - start);
    ++reads;
  }
  writer.join();
  CHECK(put.status == 403);
  CHECK(body_of(put)["type"] == "quotas_exceeded");
  CHECK(f.store.get_group(zone, group).rules.empty());
  // Relative to the PUT's own time, so that a loaded machine (which slows both) does not fail
  // it: a PUT holding the lock while it reads its body would hold a read up for all of it.
  CHECK(worst < std::max<std::chrono::steady_clock::duration>(std::chrono::milliseconds(300),
                                                              put_took / 2));
}

TEST_CASE("hostile: a malformed token never appears in the error", "[mock][hostile][auth]") {
  const std::string secret = "s3cr3t-value-never-printed";
  for (const auto& spec : {secret, secret + ":", project_a + ":" + secret, ":" + secret}) {
    CAPTURE(spec.size());
    try {
      mock::parse_tokens({spec}, "--token");
      FAIL("accepted a malformed token");
    } catch (const validation_error& e) {
      CHECK(std::string(e.what()).find("s3cr3t") == std::string::npos);
      CHECK(e.message().find("s3cr3t") == std::string::npos);
      CHECK(e.field() == "--token[0]");
    }
  }
}

}  // namespace hostile_test
