// secgroup::client against the mock API over loopback: an http_server on a free port serves a
// store filled directly (fast), and client::read_groups() reads it back over HTTP. Pagination
// (more than 100 groups, a group of more than 100 rules), several zones, two projects with their
// own tokens, injected 429/503 with Retry-After (the waits are recorded, never slept), 401 and
// 403 naming the key's source without the key, unknown zones, an unreachable port, and partial
// reads. The result must equal reading the export the `export` command writes.
#include <httplib.h>

#include <chrono>
#include <secgroup/server/http.hpp>
#include <string>
#include <thread>
#include <vector>

#include "mock/fixture.hpp"

#if SECGROUP_HAS_CLIENT
#include <filesystem>
#include <fstream>
#include <secgroup/client/api_read.hpp>
#include <secgroup/client/reader.hpp>
#include <secgroup/client/source.hpp>
#include <secgroup/io/source.hpp>

namespace client_test {

using namespace mock_test;

const std::string key_a = "6a1e0f4c-1111-4aaa-8bbb-00000000000a";
const std::string key_b = "6a1e0f4c-2222-4aaa-8bbb-00000000000b";

mock::router_options two_projects(mock::fault_options faults = {}) {
  mock::router_options o;
  o.tokens = std::map<std::string, std::vector<std::string>, std::less<>>{{key_a, {project_a}},
                                                                          {key_b, {project_b}}};
  o.faults = std::move(faults);
  return o;
}

/// A store with counting ids, served with the tokens of two_projects() on a free port.
struct api_server {
  mock::store store;
  server::http_server http;

  explicit api_server(mock::router_options routing = two_projects(),
                      mock::store_options options = test_options())
      : store(std::move(options)), http(store, std::move(routing), quiet()) {
    http.start();
  }
  static server::http_options quiet() {
    server::http_options o;
    o.port = 0;
    o.log = [](std::string_view) {};
    return o;
  }

  std::string add_group(const std::string& zone_name, const std::string& name,
                        const std::string& project, bool smtp = true) {
    mock::group_spec spec;
    spec.name = name;
    spec.project = project;
    spec.enable_default_security = smtp;
    return store.create_group(zone_name, spec).id;
  }
  /// Sets `count` user rules on the group: TCP ports 1000, 1001, ... from 10.0.0.0/8.
  void add_rules(const std::string& zone_name, const std::string& group, int count) {
    std::vector<rule> rules;
    for (int k = 0; k < count; ++k) {
      rule r;
      r.ip_range = parse_network("10.0.0.0/8");
      r.ports = port_range{static_cast<std::uint16_t>(1000 + k), static_cast<std::uint16_t>(1000 + k)};
      r.action = k % 2 ? action::drop : action::accept;
      rules.push_back(r);
    }
    store.set_rules(zone_name, group, rules);
  }
};

/// Settings for project A's key; sleeps are recorded, not slept.
struct client_of {
  client::settings s;
  std::vector<std::chrono::milliseconds> waits;
  std::vector<std::string> log;

  explicit client_of(const api_server& api, const std::string& key = key_a,
                     const std::string& project = project_a) {
    s.api_url = api.http.url();
    s.secret_key = key;
    s.secret_key_source = "SCW_SECRET_KEY";
    s.project_id = project;
    s.timeout.connect = std::chrono::milliseconds(2000);
    s.timeout.read = std::chrono::milliseconds(5000);
    s.sleep = [this](std::chrono::milliseconds w) { waits.push_back(w); };
    s.log = [this](const std::string& line) { log.push_back(line); };
  }
  client::read_result read(const std::string& source, client::read_options o = {}) {
    return client::read_groups(s, source, o);
  }
};

/// The groups the store holds in `zone_name` for `project`, as the store sees them.
std::vector<security_group> stored(const api_server& api, const std::string& zone_name,
                                   const std::string& project) {
  mock::group_filter f;
  f.project = project;
  f.per_page = 100;
  std::vector<security_group> out;
  for (std::int64_t page = 1;; ++page) {
    f.page = page;
    auto p = api.store.list_groups(zone_name, f);
    if (p.security_groups.empty()) break;
    for (auto& g : p.security_groups) out.push_back(api.store.get_group(zone_name, g.id));
  }
  return out;
}

/// What `f` throws, as the error; fails the test when it throws nothing or something else.
template <class Error, class Fn>
Error thrown(Fn&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  FAIL("expected an exception");
  throw;  // unreachable
}

}  // namespace client_test

using namespace client_test;

TEST_CASE("client: more than 100 groups and a group of more than 100 rules, page by page",
          "[client]") {
  api_server api;
  for (int k = 0; k < 130; ++k) api.add_group("fr-par-1", "g" + std::to_string(k), project_a, k % 3 == 0);
  const auto big = api.add_group("fr-par-1", "big", project_a);
  api.add_rules("fr-par-1", big, 250);
  api.add_group("fr-par-1", "other-project", project_b);
  client_of c(api);
  auto got = c.read("api:fr-par-1");
  CHECK(got.complete());
  CHECK(got.zones == std::vector<std::string>{"fr-par-1"});
  REQUIRE(got.groups.size() == 131);
  CHECK(got.groups == stored(api, "fr-par-1", project_a));
  CHECK(got.groups.back().name == "big");
  CHECK(got.groups.back().rules.size() == 250);
  CHECK(got.groups.back().rules[249].ports->from == 1249);
  CHECK(c.waits.empty());
  // Smaller pages: 19 of groups, 36 of rules for the big group, same result.
  c.s.per_page = 7;
  CHECK(c.read("api:fr-par-1").groups == got.groups);
  // What the export command writes reads back to the same groups.
  const auto back = parse_group_input(client::export_text(got.groups), "export.json");
  CHECK(back.groups == got.groups);
}

TEST_CASE("client: several zones, every zone, and one group by id", "[client]") {
  api_server api;
  const auto par = api.add_group("fr-par-1", "par", project_a);
  const auto ams = api.add_group("nl-ams-1", "ams", project_a);
  api.add_rules("nl-ams-1", ams, 3);
  const auto mil = api.add_group("it-mil-1", "mil", project_a);
  client_of c(api);
  auto two = c.read("api:nl-ams-1,fr-par-1");
  REQUIRE(two.groups.size() == 2);
  CHECK(two.groups[0].id == ams);  // in the order the zones are given
  CHECK(two.groups[0].zone == "nl-ams-1");
  CHECK(two.groups[0].rules.size() == 3);
  CHECK(two.groups[1].id == par);
  auto every = c.read("api:");
  CHECK(every.zones == secgroup::instance_zones());
  REQUIRE(every.groups.size() == 3);
  CHECK(every.groups[2].id == mil);
  auto one = c.read("api:nl-ams-1/" + ams);
  REQUIRE(one.groups.size() == 1);
  CHECK(one.groups[0] == api.store.get_group("nl-ams-1", ams));
  // settings.zones narrows "every zone".
  c.s.zones = {"it-mil-1"};
  auto narrowed = c.read("api:");
  REQUIRE(narrowed.groups.size() == 1);
  CHECK(narrowed.groups[0].id == mil);
}

TEST_CASE("client: each key sees its own project only", "[client][auth]") {
  api_server api;
  api.add_group("fr-par-1", "a1", project_a);
  api.add_group("fr-par-1", "a2", project_a);
  const auto b1 = api.add_group("fr-par-1", "b1", project_b);
  client_of a(api);
  client_of b(api, key_b, project_b);
  CHECK(a.read("api:fr-par-1").groups.size() == 2);
  auto got_b = b.read("api:fr-par-1");
  REQUIRE(got_b.groups.size() == 1);
  CHECK(got_b.groups[0].id == b1);
  // Without a project, the key still sees only what the server allows it.
  b.s.project_id.clear();
  CHECK(b.read("api:fr-par-1").groups.size() == 1);
  // A foreign group by id is refused (403) and names the key's source.
  auto e = thrown<remote_error>([&] { a.read("api:fr-par-1/" + b1); });
  CHECK(e.id() == errc::auth_refused);
  CHECK_THAT(e.message(), Catch::Contains("SCW_SECRET_KEY"));
  CHECK_THAT(e.what(), !Catch::Contains(key_a));
  // An unknown id is a lookup error.
  auto missing = thrown<lookup_error>(
      [&] { a.read("api:fr-par-1/00000000-0000-4000-8000-999999999999"); });
  CHECK(missing.id() == errc::not_found);
}

TEST_CASE("client: a wrong key is a 401 naming its source, never the key", "[client][auth]") {
  api_server api;
  client_of c(api, "ffffffff-dead-4bee-8fff-000000000bad");
  c.s.secret_key_source = "profile 'prod' of /home/u/.config/scw/config.yaml";
  auto e = thrown<remote_error>([&] { c.read("api:"); });
  CHECK(e.id() == errc::auth_refused);
  CHECK_THAT(e.message(), Catch::Contains("profile 'prod' of /home/u/.config/scw/config.yaml"));
  CHECK_THAT(e.message(), Catch::Contains("401"));
  CHECK_THAT(e.what(), !Catch::Contains("ffffffff-dead-4bee-8fff-000000000bad"));
  CHECK(c.waits.empty());  // never retried
}

TEST_CASE("client: redact() removes every copy of the secret", "[client]") {
  CHECK(client::redact("a KEY b KEYKEY", "KEY") == "a [REDACTED] b [REDACTED][REDACTED]");
  CHECK(client::redact("nothing", "") == "nothing");
}

TEST_CASE("client: injected 429 and 503 are retried after Retry-After, then succeed",
          "[client][faults]") {
  mock::fault_options faults;
  faults.rate = 0.5;
  faults.retry_after = 2;
  faults.seed = 7;
  api_server api(two_projects(faults));
  for (int k = 0; k < 5; ++k) api.add_group("fr-par-1", "g" + std::to_string(k), project_a);
  client_of c(api);
  c.s.retry.max_attempts = 20;  // at rate 0.5, 20 failures in a row do not happen with seed 7
  auto got = c.read("api:fr-par-1");
  CHECK(got.groups == stored(api, "fr-par-1", project_a));
  REQUIRE(c.waits.size() > 2);  // the seed does inject failures
  for (auto w : c.waits) CHECK(w == std::chrono::milliseconds(2000));
  REQUIRE(c.log.size() == c.waits.size());
  CHECK_THAT(c.log[0], Catch::Contains("retrying in 2000 ms"));
  CHECK_THAT(c.log[0], !Catch::Contains(key_a));
}

TEST_CASE("client: without Retry-After the backoff doubles up to its cap", "[client][faults]") {
  mock::fault_options faults;
  faults.rate = 1;  // every request fails
  faults.statuses = {503};
  api_server api(two_projects(faults));
  client_of c(api);
  c.s.retry.max_attempts = 6;
  c.s.retry.base_backoff = std::chrono::milliseconds(100);
  c.s.retry.max_backoff = std::chrono::milliseconds(500);
  auto e = thrown<remote_error>([&] { c.read("api:fr-par-1"); });
  CHECK(e.id() == errc::remote_status);
  CHECK_THAT(e.message(), Catch::Contains("503"));
  CHECK_THAT(e.message(), Catch::Contains("after 6 attempts"));
  using ms = std::chrono::milliseconds;
  CHECK(c.waits == std::vector<ms>{ms(100), ms(200), ms(400), ms(500), ms(500)});
}

TEST_CASE("client: a Retry-After beyond the limit ends the retries at once", "[client][faults]") {
  mock::fault_options faults;
  faults.rate = 1;
  faults.statuses = {429};
  faults.retry_after = 600;
  api_server api(two_projects(faults));
  client_of c(api);
  auto e = thrown<remote_error>([&] { c.read("api:fr-par-1"); });
  CHECK(e.id() == errc::remote_status);
  CHECK_THAT(e.message(), Catch::Contains("retry after 600 s"));
  CHECK(c.waits.empty());
}

TEST_CASE("client: unknown zones are refused before any request, or named by the server",
          "[client]") {
  CHECK(thrown<validation_error>([] { client::parse_api_source("api:fr-par-9"); }).id() ==
        errc::unknown_zone);
  CHECK(thrown<validation_error>([] { client::parse_api_source("api:mars"); }).id() ==
        errc::unknown_zone);
  CHECK(thrown<parse_error>([] { client::parse_api_source("api:fr-par-1,"); }).id() ==
        errc::bad_file);
  CHECK(thrown<parse_error>([] { client::parse_api_source("api:fr-par-1,fr-par-1"); }).id() ==
        errc::bad_file);
  CHECK(thrown<parse_error>([] { client::parse_api_source("api:fr-par-1/web"); }).id() ==
        errc::bad_file);
  CHECK(thrown<parse_error>([] {
          client::parse_api_source("api:/00000000-0000-4000-8000-000000000001");
        }).id() == errc::bad_file);
  auto parsed = client::parse_api_source("api:fr-par-1,nl-ams-1");
  CHECK(parsed.zones == std::vector<std::string>{"fr-par-1", "nl-ams-1"});
  CHECK_FALSE(parsed.group_id);
  // A server that does not serve a zone the client knows.
  auto options = test_options();
  options.zones = {"fr-par-1"};
  api_server api(two_projects(), options);
  client_of c(api);
  auto e = thrown<remote_error>([&] { c.read("api:nl-ams-1"); });
  CHECK(e.id() == errc::unknown_zone);
  CHECK(e.field() == "api:nl-ams-1");
}

TEST_CASE("client: a zone that fails fails the read, unless a partial read is allowed",
          "[client]") {
  auto options = test_options();
  options.zones = {"fr-par-1", "nl-ams-1"};
  api_server api(two_projects(), options);
  api.add_group("fr-par-1", "par", project_a);
  api.add_group("nl-ams-1", "ams", project_a);
  client_of c(api);
  auto e = thrown<remote_error>([&] { c.read("api:fr-par-1,pl-waw-1,nl-ams-1"); });
  CHECK(e.id() == errc::partial_read);
  CHECK_THAT(e.message(), Catch::Contains("zone pl-waw-1 could not be read"));
  auto partial = c.read("api:fr-par-1,pl-waw-1,nl-ams-1", {true});
  CHECK_FALSE(partial.complete());
  CHECK(partial.zones == std::vector<std::string>{"fr-par-1", "nl-ams-1"});
  CHECK(partial.groups.size() == 2);
  REQUIRE(partial.missing.size() == 1);
  CHECK(partial.missing[0].zone == "pl-waw-1");
  CHECK(partial.missing[0].error_id == errc::unknown_zone);
  // No zone answering is an error even when partial reads are allowed.
  auto none = thrown<remote_error>([&] { c.read("api:pl-waw-1,pl-waw-2", {true}); });
  CHECK(none.id() == errc::partial_read);
  CHECK_THAT(none.message(), Catch::Contains("no zone could be read"));
}

TEST_CASE("client: an unreachable port is retried, then named", "[client]") {
  int port = 0;
  {
    api_server gone;
    port = gone.http.port();
  }  // stopped: nothing listens there any more
  client::settings s;
  s.api_url = "http://127.0.0.1:" + std::to_string(port);
  s.secret_key = key_a;
  s.retry.max_attempts = 3;
  std::vector<std::chrono::milliseconds> waits;
  s.sleep = [&](std::chrono::milliseconds w) { waits.push_back(w); };
  auto e = thrown<remote_error>([&] { client::read_groups(s, "api:fr-par-1,nl-ams-1"); });
  CHECK(e.id() == errc::unreachable);  // not a partial read: the host is down for every zone
  CHECK_THAT(e.message(), Catch::Contains("cannot reach http://127.0.0.1:" + std::to_string(port)));
  CHECK(waits.size() == 2);
}

TEST_CASE("client: https to a server that speaks no TLS fails the handshake, never falls back",
          "[client]") {
  api_server api;
  client_of c(api);
  c.s.api_url = "https://127.0.0.1:" + std::to_string(api.http.port());
  c.s.retry.max_attempts = 2;
  auto e = thrown<remote_error>([&] { c.read("api:fr-par-1"); });
  CHECK(e.id() == errc::unreachable);
  CHECK_THAT(e.message(), Catch::Contains("TLS"));
  CHECK(c.waits.size() == 1);  // a failed handshake may be transient: retried
}

TEST_CASE("client: settings no request can succeed with are refused first", "[client]") {
  client::settings s;
  CHECK(thrown<parse_error>([&] { client::validate_settings(s); }).field() == "secret_key");
  s.secret_key = key_a;
  s.api_url = "https://api.example.com/";
  CHECK(thrown<validation_error>([&] { client::validate_settings(s); }).field() == "api_url");
  s.api_url = "ftp://x";
  CHECK(thrown<validation_error>([&] { client::validate_settings(s); }).field() == "api_url");
  s.api_url = "https://api.scaleway.com";
  s.secret_key = key_a + "\r\nX-Injected: 1";
  auto bad_key = thrown<validation_error>([&] { client::validate_settings(s); });
  CHECK(bad_key.field() == "secret_key");
  CHECK_THAT(bad_key.what(), !Catch::Contains(key_a));
  s.secret_key = key_a;
  s.zones = {"fr-par-1", "xx-yyy-1"};
  CHECK(thrown<validation_error>([&] { client::validate_settings(s); }).field() == "zones[1]");
  CHECK_THAT(client::default_user_agent(), Catch::StartsWith("secgroup/"));
}

/// The remote_error of read_groups("api:fr-par-1") from `liar` (a server answering wrongly),
/// served on a free port for the read.
remote_error read_error_from(httplib::Server& liar) {
  const int port = liar.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { liar.listen_after_bind(); });
  while (!liar.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  client::settings s;
  s.api_url = "http://127.0.0.1:" + std::to_string(port);
  s.secret_key = key_a;
  auto e = thrown<remote_error>([&] { client::read_groups(s, "api:fr-par-1"); });
  liar.stop();
  serving.join();
  return e;
}

TEST_CASE("client: a server whose list never ends is an error, not a hang", "[client]") {
  httplib::Server liar;
  liar.Get(".*", [](const httplib::Request&, httplib::Response& res) {
    json page = {{"security_groups", json::array()}};
    for (int k = 0; k < 100; ++k) {
      char id[40];
      std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012d", k + 1);
      page["security_groups"].push_back({{"id", id}, {"name", "same"}});
    }
    res.set_header("X-Total-Count", "1000000");
    res.set_content(page.dump(), "application/json");
  });
  auto e = read_error_from(liar);
  CHECK(e.id() == errc::bad_response);
  CHECK_THAT(e.message(), Catch::Contains("page 2 repeats"));
}

TEST_CASE("client: an answer that repeats a key is an error naming it", "[client]") {
  httplib::Server liar;
  liar.Get(".*", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("X-Total-Count", "1");
    res.set_content(R"({"security_groups": [{"id": "00000000-0000-4000-8000-000000000001",
        "name": "a", "inbound_default_policy": "drop", "inbound_default_policy": "accept"}]})",
                    "application/json");
  });
  auto e = read_error_from(liar);
  CHECK(e.id() == errc::bad_response);
  CHECK_THAT(e.message(), Catch::Contains("security_groups[0].inbound_default_policy: duplicate "
                                          "key 'inbound_default_policy' at line 2, column 56 "
                                          "(also at line 2, column 22)"));
}

TEST_CASE("client: read_api() finds the settings as the official clients do", "[client][profile]") {
  api_server api;
  api.add_group("fr-par-1", "a1", project_a);
  const auto b1 = api.add_group("fr-par-1", "b1", project_b);
  const auto dir = std::filesystem::temp_directory_path() / "secgroup-client-read-api-test";
  std::filesystem::create_directories(dir);
  const auto config = dir / "config.yaml";
  std::ofstream(config) << "access_key: SCWAAAAAAAAAAAAAAAAA\nsecret_key: " << key_a
                        << "\ndefault_project_id: " << project_a << "\nprofiles:\n  b:\n"
                        << "    secret_key: " << key_b << "\n    default_project_id: " << project_b
                        << "\n";
  std::filesystem::permissions(config, std::filesystem::perms::owner_read |
                                           std::filesystem::perms::owner_write);
  const client::environment env{{"SCW_API_URL", api.http.url()},
                                {"SCW_CONFIG_PATH", config.string()},
                                {"HOME", dir.string()}};
  client::api_read_options o;
  std::vector<std::string> warnings;
  o.warn = [&](const std::string& w) { warnings.push_back(w); };
  // The file's top level (the default profile): project A.
  auto a = client::read_api("api:fr-par-1", o, env);
  REQUIRE(a.groups.size() == 1);
  CHECK(a.groups[0].name == "a1");
  // The caller's profile wins over SCW_PROFILE; the key is the profile's, project B.
  auto with_profile = env;
  with_profile.emplace("SCW_PROFILE", "nope");
  o.profile.profile = "b";
  auto b = client::read_api("api:fr-par-1", o, with_profile);
  REQUIRE(b.groups.size() == 1);
  CHECK(b.groups[0].id == b1);
  // The environment wins over the profile, key by key; a deprecated name warns, redacted.
  auto deprecated = env;
  deprecated.emplace("SCW_TOKEN", key_a);
  deprecated.emplace("SCW_DEFAULT_PROJECT_ID", project_a);
  auto via_token = client::read_api("api:fr-par-1", o, deprecated);
  REQUIRE(via_token.groups.size() == 1);
  CHECK(via_token.groups[0].name == "a1");
  REQUIRE_FALSE(warnings.empty());
  CHECK_THAT(warnings.back(), Catch::Contains("SCW_TOKEN"));
  for (const auto& w : warnings) CHECK_THAT(w, !Catch::Contains(key_a));
  // A refused key names the profile and file that supplied it, never the key.
  std::ofstream(config, std::ios::app) << "  wrong:\n    secret_key: ffffffff-dead-4bee-8fff-000000000bad\n";
  o.profile.profile = "wrong";
  auto refused = thrown<remote_error>([&] { client::read_api("api:fr-par-1", o, env); });
  CHECK(refused.id() == errc::auth_refused);
  CHECK_THAT(refused.message(), Catch::Contains("profile 'wrong'"));
  CHECK_THAT(refused.message(), Catch::Contains(config.string()));
  CHECK_THAT(refused.what(), !Catch::Contains("ffffffff-dead-4bee-8fff-000000000bad"));
  // Order of checks: a malformed argument before the file, bad settings before any request.
  o.profile.profile = "missing";
  CHECK(thrown<parse_error>([&] { client::read_api("api:fr-par-1/x", o, env); }).id() ==
        errc::bad_file);
  CHECK(thrown<lookup_error>([&] { client::read_api("api:fr-par-1", o, env); }).id() ==
        errc::not_found);
  o.profile.profile.reset();
  auto bad_project = env;
  bad_project.emplace("SCW_DEFAULT_PROJECT_ID", "not-a-uuid");
  const auto invalid = thrown<validation_error>([&] { client::read_api("api:fr-par-1", o, bad_project); });
  CHECK(invalid.field() == "SCW_DEFAULT_PROJECT_ID");
  std::filesystem::remove_all(dir);
}

TEST_CASE("client: Retry-After in seconds or as an HTTP-date", "[client][faults]") {
  using std::chrono::milliseconds;
  using secgroup::detail::api_client::retry_after_of;
  // 1994-11-06 08:49:37 UTC is 784111777 s after the epoch.
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(784111777));
  CHECK(retry_after_of("0", now) == milliseconds(0));
  CHECK(retry_after_of("120", now) == milliseconds(120'000));
  CHECK(retry_after_of("Sun, 06 Nov 1994 08:49:37 GMT", now) == milliseconds(0));
  CHECK(retry_after_of("Sun, 06 Nov 1994 08:50:07 GMT", now) == milliseconds(30'000));
  CHECK(retry_after_of("Mon, 07 Nov 1994 08:49:37 GMT", now) == milliseconds(86'400'000));
  CHECK(retry_after_of("Sat, 05 Nov 1994 08:49:37 GMT", now) == milliseconds(0));  // past
  CHECK(retry_after_of("Thu, 01 Jan 2026 00:00:00 GMT",
                       std::chrono::system_clock::time_point(std::chrono::seconds(1767225599))) ==
        milliseconds(1'000));
  for (const char* bad : {"", "-1", "1.5", "soon", "Sun, 06 Nov 1994 08:49:37 UTC",
                          "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nox 1994 08:49:37 GMT",
                          "Sun, 06 Nov 1994 24:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
                          "Sun, 06 Nov 1994 08:49:3x GMT"})
    CHECK_FALSE(retry_after_of(bad, now));
}

#endif  // SECGROUP_HAS_CLIENT
