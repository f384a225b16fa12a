// server::http_server over real sockets: every call goes through cpp-httplib on a free loopback
// port. The endpoints' semantics are tested through the router (tests/mock); here: that requests
// and responses cross HTTP intact (status, headers, bodies), auth shapes, GET/DELETE bodies,
// JSON errors for what the router never sees, and the state file.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <secgroup/server/http.hpp>
#include <string>
#include <thread>
#include <vector>

#include "mock/fixture.hpp"
#include "support/files.hpp"

using namespace mock_test;

namespace {

const std::string token_a = "3f0c1d2e-aaaa-4bbb-8ccc-000000000001";
const std::string token_b = "3f0c1d2e-aaaa-4bbb-8ccc-000000000002";
const std::string project_c = "b4b9ae3c-2c44-4c5a-8f3e-2d6a1fb0c003";

server::http_options any_port() {
  server::http_options o;
  o.port = 0;
  return o;
}

/// A store with deterministic clock and ids, served on a free port.
struct served {
  mock::store store{test_options()};
  server::http_server http;
  httplib::Client client;

  explicit served(mock::router_options routing = {}, server::http_options options = any_port())
      : http(store, std::move(routing), std::move(options)), client(start_and_url()) {}

  std::string start_and_url() {
    http.start();
    return http.url();
  }
};

json body_of(const httplib::Result& r) {
  REQUIRE(r);
  return json::parse(r->body);
}

void require_json(const httplib::Result& r) {
  REQUIRE(r);
  CHECK(r->get_header_value("Content-Type") == "application/json");
  CAPTURE(r->body);
  auto body = json::parse(r->body);
  CHECK(body.is_object());
  CHECK(body.contains("type"));
  CHECK(body.contains("message"));
}

/// A fresh directory under the system temp dir, removed on destruction.
struct temp_dir {
  std::filesystem::path path;
  explicit temp_dir(const std::string& tag)
      : path(std::filesystem::temp_directory_path() /
             ("secgroup-server-" + tag + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

using secgroup_test::read_text;

const char* const json_type = "application/json";

}  // namespace

TEST_CASE("server: port 0 binds a free port and url() names it", "[server]") {
  served s;
  CHECK(s.http.running());
  CHECK(s.http.port() > 0);
  CHECK(s.http.url() == "http://127.0.0.1:" + std::to_string(s.http.port()));
  s.http.stop();
  CHECK_FALSE(s.http.running());
  s.http.stop();  // a second stop is harmless
}

TEST_CASE("server: an empty host is refused, never bound to some default address", "[server]") {
  mock::store store(test_options());
  auto options = any_port();
  options.host = "";
  server::http_server http(store, {}, options);
  try {
    http.bind();
    FAIL("an empty host was bound: " + http.url());
  } catch (const validation_error& e) {
    CHECK(e.id() == validation_error(errc::bad_value, "", "").id());
    CHECK(e.field() == "host");
    CHECK(e.message() ==
          "expected an address to bind (127.0.0.1, ::1, 0.0.0.0 or a host name), not an empty "
          "one");
  }
  CHECK(http.port() == 0);
  CHECK_FALSE(http.running());
  CHECK_NOTHROW(server::check_host("::1", "host"));
}

TEST_CASE("server: create, list, get, patch and delete a group and a rule over HTTP", "[server]") {
  served s;
  auto created = s.client.Post(base.c_str(), json({{"name", "web"}, {"project", project_a}}).dump(),
                               json_type);
  REQUIRE(created);
  CHECK(created->status == 201);
  const auto id = body_of(created)["security_group"]["id"].get<std::string>();
  CHECK(id == nth_id(1));
  CHECK(created->get_header_value("Location") == s.http.url() + base + "/" + id);
  CHECK(created->get_header_value("Content-Type") == json_type);
  // The body crosses HTTP byte for byte as the router wrote it.
  json wrapped = json::object();
  wrapped["security_group"] = group_to_json(s.store.get_group(zone, id));
  CHECK(created->body == mock::wire::dump(wrapped));
  CHECK(body_of(created)["security_group"]["creation_date"] == date0);

  auto list = s.client.Get((base + "?name=we&per_page=1").c_str());
  REQUIRE(list);
  CHECK(list->status == 200);
  CHECK(list->get_header_value("X-Total-Count") == "1");
  CHECK(list->get_header_value("Link") ==
        "</security_groups?page=1&per_page=1&name=we>; rel=\"last\"");
  CHECK(body_of(list)["security_groups"].size() == 1);

  auto got = s.client.Get((base + "/" + id).c_str());
  REQUIRE(got);
  CHECK(got->status == 200);
  CHECK(body_of(got)["security_group"]["name"] == "web");

  auto patched = s.client.Patch((base + "/" + id).c_str(),
                                R"({"description": "front", "tags": ["a", "b"]})", json_type);
  REQUIRE(patched);
  CHECK(patched->status == 200);
  CHECK(body_of(patched)["security_group"]["description"] == "front");
  CHECK(s.store.get_group(zone, id).tags == std::vector<std::string>{"a", "b"});

  auto rule = s.client.Post((base + "/" + id + "/rules").c_str(),
                            R"({"protocol": "TCP", "direction": "inbound", "action": "accept",
                                "ip_range": "10.1.2.3/8", "dest_port_from": 22})",
                            json_type);
  REQUIRE(rule);
  CHECK(rule->status == 201);
  auto rule_json = body_of(rule)["rule"];
  CHECK(rule_json["ip_range"] == "10.0.0.0/8");
  CHECK(rule_json["position"] == 1);
  const auto rule_id = rule_json["id"].get<std::string>();
  CHECK(rule->get_header_value("Location") == s.http.url() + base + "/" + id + "/rules/" + rule_id);

  auto rules = s.client.Get((base + "/" + id + "/rules").c_str());
  REQUIRE(rules);
  CHECK(body_of(rules)["rules"].size() == 7);  // six default SMTP rules, then ours

  auto rule_deleted = s.client.Delete((base + "/" + id + "/rules/" + rule_id).c_str());
  REQUIRE(rule_deleted);
  CHECK(rule_deleted->status == 204);
  CHECK(rule_deleted->body.empty());

  auto deleted = s.client.Delete((base + "/" + id).c_str());
  REQUIRE(deleted);
  CHECK(deleted->status == 204);
  CHECK(deleted->body.empty());
  CHECK(s.store.size() == 0);

  auto gone = s.client.Get((base + "/" + id).c_str());
  REQUIRE(gone);
  CHECK(gone->status == 404);
  CHECK(body_of(gone) == json({{"type", "not_found"},
                               {"message", "resource is not found"},
                               {"resource", "instance_security_group"},
                               {"resource_id", id}}));
  require_json(gone);
}

TEST_CASE("server: tokens give the API's 401 and 403 shapes", "[server][auth]") {
  mock::router_options routing;
  routing.tokens = std::map<std::string, std::vector<std::string>, std::less<>>{
      {token_a, {project_a}}, {token_b, {project_b}}};
  served s(routing);
  mock::group_spec spec;
  spec.name = "b-only";
  spec.project = project_b;
  const auto foreign = s.store.create_group(zone, spec).id;

  auto missing = s.client.Get(base.c_str());
  REQUIRE(missing);
  CHECK(missing->status == 401);
  CHECK(missing->body == R"({"message": "authentication is denied", "method": "unknown_method", )"
                         R"("reason": "invalid_argument", "type": "denied_authentication"})");

  auto unknown = s.client.Get(base.c_str(), {{"X-Auth-Token", "nope"}});
  REQUIRE(unknown);
  CHECK(unknown->status == 401);
  CHECK(body_of(unknown)["method"] == "api_key");
  CHECK(body_of(unknown)["reason"] == "not_found");

  // The Python SDK writes the header name in lowercase.
  auto as_a = httplib::Headers{{"x-auth-token", token_a}};
  auto list = s.client.Get(base.c_str(), as_a);
  REQUIRE(list);
  CHECK(list->status == 200);
  CHECK(body_of(list)["security_groups"].empty());  // narrowed to project_a
  CHECK(list->get_header_value("X-Total-Count") == "0");

  auto denied = s.client.Get((base + "/" + foreign).c_str(), as_a);
  REQUIRE(denied);
  CHECK(denied->status == 403);
  CHECK(denied->body ==
        R"({"details": [{"action": "read", "resource": "instance_security_group"}], )"
        R"("message": "insufficient permissions", "type": "permissions_denied"})");
  auto denied_write = s.client.Delete((base + "/" + foreign).c_str(), as_a);
  REQUIRE(denied_write);
  CHECK(denied_write->status == 403);
  CHECK(body_of(denied_write)["details"][0]["action"] == "write");

  auto create_elsewhere = s.client.Post(
      base.c_str(), as_a, json({{"name", "x"}, {"project", project_c}}).dump(), json_type);
  REQUIRE(create_elsewhere);
  CHECK(create_elsewhere->status == 403);

  auto own = s.client.Get((base + "/" + foreign).c_str(), {{"X-Auth-Token", token_b}});
  REQUIRE(own);
  CHECK(own->status == 200);
  CHECK(s.store.size() == 1);
}

TEST_CASE("server: GET and DELETE accept a body such as {} on a kept-alive connection",
          "[server]") {
  served s;
  s.client.set_keep_alive(true);
  const auto id = s.store
                      .create_group(zone,
                                    [] {
                                      mock::group_spec spec;
                                      spec.name = "web";
                                      spec.project = project_a;
                                      return spec;
                                    }())
                      .id;
  auto send = [&](const std::string& method, const std::string& path, const std::string& body) {
    httplib::Request req;
    req.method = method;
    req.path = path;
    req.body = body;
    if (!body.empty()) {
      req.set_header("Content-Length", std::to_string(body.size()));
      req.set_header("Content-Type", json_type);  // open mode refuses an undeclared write body
    }
    auto res = s.client.send(req);
    REQUIRE(res);
    return std::move(res).value();
  };
  for (int i = 0; i < 3; ++i) {
    CAPTURE(i);
    auto got = send("GET", base + "/" + id, "{}");
    CHECK(got.status == 200);
    CHECK(json::parse(got.body)["security_group"]["id"] == id);
  }
  auto listed = send("GET", base + "?page=1", "{}");
  CHECK(listed.status == 200);
  CHECK(listed.get_header_value("X-Total-Count") == "1");
  // The stray body did not leak into the next request on the connection.
  auto created = send("POST", base, json({{"name", "db"}, {"project", project_a}}).dump());
  CHECK(created.status == 201);
  auto deleted = send("DELETE", base + "/" + id, "{}");
  CHECK(deleted.status == 204);
  auto after = send("GET", base, "");
  CHECK(json::parse(after.body)["security_groups"].size() == 1);
  CHECK(s.store.size() == 1);
}

TEST_CASE("server: booleans in the query parse in any case", "[server]") {
  served s;
  for (bool is_default : {true, false}) {
    auto r = s.client.Post(base.c_str(),
                           json({{"name", is_default ? "default" : "plain"},
                                 {"project", project_a},
                                 {"project_default", is_default}})
                               .dump(),
                           json_type);
    REQUIRE(r);
    REQUIRE(r->status == 201);
  }
  for (std::string text : {"true", "True", "TRUE", "tRuE"}) {
    CAPTURE(text);
    auto r = s.client.Get((base + "?project_default=" + text).c_str());
    REQUIRE(r);
    CHECK(r->status == 200);
    auto list = body_of(r)["security_groups"];
    REQUIRE(list.size() == 1);
    CHECK(list[0]["name"] == "default");
  }
  for (std::string text : {"false", "False", "FALSE"}) {
    CAPTURE(text);
    auto list =
        body_of(s.client.Get((base + "?project_default=" + text).c_str()))["security_groups"];
    REQUIRE(list.size() == 1);
    CHECK(list[0]["name"] == "plain");
  }
  auto bad = s.client.Get((base + "?project_default=yes").c_str());
  REQUIRE(bad);
  CHECK(bad->status == 400);
  CHECK(body_of(bad)["details"][0]["argument_name"] == "project_default");
}

TEST_CASE("server: every error body is JSON, also where the router is not reached", "[server]") {
  served s;
  SECTION("unknown paths are 404 not_found") {
    for (std::string path : {"/", "/nope", "/instance/v1/zones/fr-par-1/servers",
                             "/instance/v1/zones/fr-par-1/security_groups/a/b/c/d"}) {
      CAPTURE(path);
      auto r = s.client.Get(path.c_str());
      require_json(r);
      CHECK(r->status == 404);
      CHECK(body_of(r)["type"] == "not_found");
    }
  }
  SECTION("a known path with another method is 405 with Allow") {
    auto r = s.client.Delete(base.c_str());
    require_json(r);
    CHECK(r->status == 405);
    CHECK(r->get_header_value("Allow") == "GET, POST");
  }
  SECTION("a method cpp-httplib does not route is a JSON 400") {
    httplib::Request req;
    req.method = "BREW";
    req.path = base;
    auto r = s.client.send(req);
    require_json(r);
    CHECK(r->status == 400);
  }
  SECTION("a malformed body is the API's invalid_arguments") {
    auto r = s.client.Post(base.c_str(), "{not json", json_type);
    require_json(r);
    CHECK(r->status == 400);
    CHECK(body_of(r)["details"][0]["argument_name"] == "body");
  }
  SECTION("a number no double holds is a 400 naming its field, not a 500") {
    auto r = s.client.Post(base.c_str(), R"({"name": "x", "tags": [1e309]})", json_type);
    require_json(r);
    CHECK(r->status == 400);
    CHECK(body_of(r)["type"] == "invalid_arguments");
    CHECK(body_of(r)["details"][0]["argument_name"] == "tags[0]");
  }
  SECTION("a repeated key is a 400 naming it, and nothing is created") {
    auto r = s.client.Post(base.c_str(),
                           R"({"name": "x", "project": ")" + project_a + R"(", "name": "y"})",
                           json_type);
    require_json(r);
    CHECK(r->status == 400);
    CHECK(body_of(r)["type"] == "invalid_arguments");
    CHECK(body_of(r)["details"][0]["argument_name"] == "name");
    CHECK_THAT(body_of(r)["details"][0]["help_message"].get<std::string>(),
               Catch::StartsWith("duplicate key 'name' at line 1, column 66 (also at line 1, "
                                 "column 2)"));
    CHECK(s.store.size() == 0);
  }
}

TEST_CASE("server: the state file survives a restart and is journaled before each answer",
          "[server][state]") {
  temp_dir dir("state");
  const auto file = dir.path / "store.json";
  server::http_options options = any_port();
  options.state_file = file;
  std::string id, rule_id;
  {
    served s({}, options);
    auto created = s.client.Post(
        base.c_str(), json({{"name", "web"}, {"project", project_a}, {"tags", {"x"}}}).dump(),
        json_type);
    REQUIRE(created);
    REQUIRE(created->status == 201);
    id = body_of(created)["security_group"]["id"].get<std::string>();
    // Durable before the answer, while the server still runs: in the journal.
    REQUIRE(std::filesystem::exists(file));
    CHECK(server::read_state(file).doc["security_groups"][0]["id"] == id);
    auto rule = s.client.Post((base + "/" + id + "/rules").c_str(),
                              R"({"protocol": "UDP", "direction": "outbound",
                                  "action": "drop", "ip_range": "::/0"})",
                              json_type);
    REQUIRE(rule);
    REQUIRE(rule->status == 201);
    rule_id = body_of(rule)["rule"]["id"].get<std::string>();
    CHECK(server::read_state(file).doc == s.store.snapshot());
    // A change appends one line to the journal; the snapshot is left alone (still empty).
    const auto journal = read_text(server::journal_path(file));
    CHECK(std::count(journal.begin(), journal.end(), '\n') == 2);
    CHECK(json::parse(read_text(file))["security_groups"].empty());
    // A failed call does not write; a read does not either.
    auto bad = s.client.Patch((base + "/" + id).c_str(), R"({"name": ""})", json_type);
    REQUIRE(bad);
    CHECK(bad->status == 400);
    CHECK(s.client.Get(base.c_str()));
    CHECK(read_text(server::journal_path(file)) == journal);
    // No temporary file is left behind: the snapshot and its journal.
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path),
                        std::filesystem::directory_iterator()) == 2);
  }
  // stop() compacted the journal into the snapshot.
  CHECK(read_text(server::journal_path(file)).empty());
  CHECK(json::parse(read_text(file))["security_groups"][0]["id"] == id);
  served again({}, options);
  auto got = again.client.Get((base + "/" + id).c_str());
  REQUIRE(got);
  CHECK(got->status == 200);
  CHECK(body_of(got)["security_group"]["tags"] == json({"x"}));
  auto rule = again.client.Get((base + "/" + id + "/rules/" + rule_id).c_str());
  REQUIRE(rule);
  CHECK(rule->status == 200);
  CHECK(body_of(rule)["rule"]["ip_range"] == "::/0");
  CHECK(again.store.size() == 1);
}

TEST_CASE("server: a corrupt state file is a clear error and nothing is bound", "[server][state]") {
  temp_dir dir("corrupt");
  const auto file = dir.path / "store.json";
  server::http_options options = any_port();
  options.state_file = file;
  mock::store store(test_options());

  SECTION("not JSON") {
    std::ofstream(file) << "{\"security_groups\": [";
    server::http_server http(store, {}, options);
    try {
      http.start();
      FAIL("start() accepted a corrupt state file");
    } catch (const parse_error& e) {
      CHECK(e.id() == errc::bad_file);
      CHECK(e.field() == file.string());
    }
    CHECK(http.port() == 0);
    CHECK_FALSE(http.running());
  }
  SECTION("a number no double holds names its field") {
    std::ofstream(file) << R"({"security_groups": [{"id": "x", "name": "x", "tags": [1e309]}]})";
    server::http_server http(store, {}, options);
    try {
      http.bind();
      FAIL("bind() accepted 1e309");
    } catch (const parse_error& e) {
      CHECK(e.id() == errc::bad_number);
      CHECK(e.field() == file.string() + ": security_groups[0].tags[0]");
    }
    CHECK(http.port() == 0);
  }
  SECTION("a repeated key names it, in the snapshot or a journal line") {
    const bool in_journal = GENERATE(false, true);
    const std::string text = R"({"security_groups": [{"id": "x", "name": "x", "name": "y"}]})";
    std::ofstream(in_journal ? server::journal_path(file) : file) << text << "\n";
    if (in_journal) std::ofstream(file) << R"({"security_groups": []})";
    server::http_server http(store, {}, options);
    try {
      http.bind();
      FAIL("bind() accepted a repeated key");
    } catch (const parse_error& e) {
      CHECK(e.id() == errc::bad_file);
      CHECK(e.field() ==
            (in_journal ? server::journal_path(file).string() + ": line 1" : file.string()));
      CHECK_THAT(e.message(), Catch::Contains("security_groups[0].name: duplicate key 'name'"));
    }
    CHECK(http.port() == 0);
    CHECK(store.size() == 0);
  }
  SECTION("JSON that is not a valid snapshot names the field") {
    std::ofstream(file) << R"({"security_groups": [{"id": "not-a-uuid", "name": "x"}]})";
    server::http_server http(store, {}, options);
    try {
      http.bind();
      FAIL("bind() accepted an invalid snapshot");
    } catch (const error& e) {
      CHECK(e.field().starts_with(file.string() + ": security_groups[0]"));
    }
    CHECK(http.port() == 0);
  }
  CHECK(store.size() == 0);
  // The corrupt file is left as it was.
  CHECK_FALSE(read_text(file).empty());
}

TEST_CASE("server: listen() blocks until stop() from another thread", "[server]") {
  mock::store store(test_options());
  server::http_server http(store, {}, any_port());
  const int port = http.bind();
  std::thread serving([&] { http.listen(); });
  while (!http.running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  httplib::Client client("127.0.0.1", port);
  auto r = client.Get(base.c_str());
  REQUIRE(r);
  CHECK(r->status == 200);
  http.stop();
  serving.join();
  CHECK_FALSE(http.running());
}

// -- Hostile clients (issue 12) ----------------------------------------------------------------

namespace http_hostile {

using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

/// A raw TCP connection to 127.0.0.1:port: send bytes as they are, read what comes back.
class raw_connection {
 public:
  explicit raw_connection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  }
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;
  ~raw_connection() { ::close(fd_); }

  /// Sends `text`; false when the peer closed or reset the connection.
  bool send(std::string_view text) {
    while (!text.empty()) {
      auto n = ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      text.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  /// Reads until the peer closes, `within` passes, or a complete response (head plus
  /// Content-Length bytes) arrived; returns what was read.
  std::string read_response(milliseconds within = milliseconds(3000)) {
    const auto until = steady::now() + within;
    std::string out;
    for (;;) {
      if (complete(out)) return out;
      const auto left = std::chrono::duration_cast<milliseconds>(until - steady::now()).count();
      if (left <= 0) return out;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
      char buffer[4096];
      auto n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return out;
      out.append(buffer, static_cast<std::size_t>(n));
    }
  }

  /// Reads until the peer closes the connection or `within` passes; returns what was read and
  /// sets `closed` to whether the peer closed it.
  std::string read_until_closed(bool& closed, milliseconds within = milliseconds(3000)) {
    const auto until = steady::now() + within;
    std::string out;
    closed = false;
    for (;;) {
      const auto left = std::chrono::duration_cast<milliseconds>(until - steady::now()).count();
      if (left <= 0) return out;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
      char buffer[4096];
      auto n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        closed = true;
        return out;
      }
      out.append(buffer, static_cast<std::size_t>(n));
    }
  }

  /// True once the peer closed the connection (within `within`), reading and dropping data.
  bool closed_within(milliseconds within) {
    const auto until = steady::now() + within;
    for (;;) {
      const auto left = std::chrono::duration_cast<milliseconds>(until - steady::now()).count();
      if (left <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
      char buffer[4096];
      if (::recv(fd_, buffer, sizeof buffer, 0) <= 0) return true;
    }
  }

 private:
  static bool complete(const std::string& text) {
    const auto head_end = text.find("\r\n\r\n");
    if (head_end == std::string::npos) return false;
    const auto at = text.find("Content-Length: ");
    if (at == std::string::npos || at > head_end) return true;
    const auto length = std::stoul(text.substr(at + 16));
    return text.size() >= head_end + 4 + length;
  }
  int fd_;
};

/// The status code of a raw response, or 0.
int status_of(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0) return 0;
  return std::atoi(response.c_str() + 9);
}

/// The JSON body of a raw response.
json body_of_raw(const std::string& response) {
  const auto head_end = response.find("\r\n\r\n");
  REQUIRE(head_end != std::string::npos);
  return json::parse(response.substr(head_end + 4));
}

/// How many responses `text` holds (each starts with a status line).
std::size_t responses_in(const std::string& text) {
  std::size_t n = 0;
  for (auto at = text.find("HTTP/1.1 "); at != std::string::npos;
       at = text.find("HTTP/1.1 ", at + 1))
    ++n;
  return n;
}

/// The head (status line and headers) of a raw response.
std::string head_of(const std::string& response) {
  return response.substr(0, response.find("\r\n\r\n"));
}

/// A request head for `method path` with `headers` (each ending in CRLF) and Host 127.0.0.1.
std::string head(const std::string& method, const std::string& path,
                 const std::string& headers = "") {
  return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "\r\n";
}

/// Options of a served test server with `limits`.
server::http_options with_limits(server::http_limits limits) {
  auto o = any_port();
  o.limits = limits;
  return o;
}

/// Milliseconds a fresh client takes for one GET of the group list.
long long fresh_get_ms(served& s) {
  httplib::Client fresh(s.http.url());
  fresh.set_connection_timeout(5);
  fresh.set_read_timeout(5);
  const auto start = steady::now();
  auto r = fresh.Get(base.c_str());
  const auto took = std::chrono::duration_cast<milliseconds>(steady::now() - start).count();
  REQUIRE(r);
  CHECK(r->status == 200);
  return took;
}

}  // namespace http_hostile

using namespace http_hostile;

TEST_CASE("server: clients trickling their headers do not starve a new client",
          "[server][hostile]") {
  served s;
  std::vector<std::unique_ptr<raw_connection>> tricklers;
  for (int i = 0; i < 24; ++i) {  // three times cpp-httplib's default pool on two cores
    tricklers.push_back(std::make_unique<raw_connection>(s.http.port()));
    REQUIRE(tricklers.back()->send("GET " + base + " HTTP/1.1\r\n"));
  }
  // Every trickler inside its request (counted by the server, no sleep), then one more line.
  const auto all_busy = [](server::connection_counts c) { return c.busy == 24; };
  REQUIRE(s.http.wait_for_connections(all_busy, milliseconds(60'000)));
  for (auto& t : tricklers) t->send("X-Slow: 1\r\n");
  // Starved, the new client would wait for the tricklers' request_timeout (10 s).
  CHECK(fresh_get_ms(s) < 1000);
}

TEST_CASE("server: a request must arrive whole within request_timeout", "[server][hostile]") {
  server::http_limits limits;
  limits.request_timeout = milliseconds(400);
  served s({}, with_limits(limits));
  raw_connection slow(s.http.port());
  REQUIRE(slow.send("GET " + base + " HTTP/1.1\r\n"));
  const auto start = steady::now();
  std::string answer;
  // One header byte every 100 ms: each read is quick, the request as a whole is not.
  for (int i = 0; i < 30 && answer.empty(); ++i) {
    if (!slow.send("X")) break;
    answer = slow.read_response(milliseconds(100));
  }
  if (answer.empty()) answer = slow.read_response(milliseconds(500));
  const auto took = std::chrono::duration_cast<milliseconds>(steady::now() - start).count();
  CHECK(status_of(answer) == 408);
  CHECK(took < 1500);
  CHECK(slow.closed_within(milliseconds(1000)));
}

TEST_CASE("server: idle connections yield their slots to a new client", "[server][hostile]") {
  server::http_limits limits;
  limits.max_connections = 16;
  limits.idle_timeout = milliseconds(60'000);
  served s({}, with_limits(limits));
  std::vector<std::unique_ptr<raw_connection>> idle;
  for (int i = 0; i < 64; ++i) idle.push_back(std::make_unique<raw_connection>(s.http.port()));
  // Every slot held by an idle connection (counted by the server, no sleep).
  const auto slots_idle = [](server::connection_counts c) { return c.idle == 16; };
  REQUIRE(s.http.wait_for_connections(slots_idle, milliseconds(60'000)));
  CHECK(fresh_get_ms(s) < 1500);
  CHECK(s.http.running());
}

TEST_CASE("server: a kept-alive connection answers without the delayed-ACK stall",
          "[server][hostile]") {
  served s;
  s.client.set_keep_alive(true);
  REQUIRE(s.client.Get(base.c_str()));
  const int n = 40;
  const auto start = steady::now();
  for (int i = 0; i < n; ++i) {
    auto r = s.client.Get(base.c_str());
    REQUIRE(r);
    REQUIRE(r->status == 200);
  }
  const auto took = std::chrono::duration_cast<milliseconds>(steady::now() - start).count();
  CAPTURE(took);
  CHECK(took < n * 10);  // ~40 ms each with Nagle on; ~1 ms without
}

TEST_CASE("server: a body over max_body_bytes is a 413 in the API's shape, unread",
          "[server][hostile]") {
  server::http_limits limits;
  limits.max_body_bytes = 1000;
  served s({}, with_limits(limits));
  SECTION("announced by Content-Length: refused before the body is sent") {
    raw_connection c(s.http.port());
    REQUIRE(c.send(
        head("POST", base, "Content-Type: application/json\r\nContent-Length: 50000000\r\n")));
    auto answer = c.read_response();
    CHECK(status_of(answer) == 413);
    CHECK(body_of_raw(answer)["type"] == "request_too_large");
    CHECK(body_of_raw(answer)["message"].get<std::string>().find("1000") != std::string::npos);
  }
  SECTION("a Content-Length beyond 64 bits") {
    raw_connection c(s.http.port());
    REQUIRE(c.send(head("POST", base,
                        "Content-Type: application/json\r\nContent-Length: "
                        "99999999999999999999999\r\n")));
    CHECK(status_of(c.read_response()) == 413);
  }
  SECTION("chunked: cut off past the limit") {
    raw_connection c(s.http.port());
    REQUIRE(c.send(
        head("POST", base, "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n")));
    const std::string chunk = "400\r\n" + std::string(1024, ' ') + "\r\n";
    for (int i = 0; i < 64; ++i)
      if (!c.send(chunk)) break;
    auto answer = c.read_response();
    CHECK(status_of(answer) == 413);
    CHECK(body_of_raw(answer)["type"] == "request_too_large");
  }
  SECTION("a body at the limit is served") {
    std::string body = json({{"name", "web"}, {"project", project_a}}).dump();
    body += std::string(1000 - body.size(), ' ');
    auto r = s.client.Post(base.c_str(), body, json_type);
    REQUIRE(r);
    CHECK(r->status == 201);
  }
  CHECK(s.store.size() <= 1);
}

TEST_CASE("server: a compressed request body is refused, never inflated", "[server][hostile]") {
  served s;
  raw_connection c(s.http.port());
  const std::string bogus_gzip = "\x1f\x8b\x08\x00\x00\x00\x00\x00";
  REQUIRE(c.send(head("POST", base,
                      "Content-Type: application/json\r\nContent-Encoding: gzip\r\n"
                      "Content-Length: " +
                          std::to_string(bogus_gzip.size()) + "\r\n") +
                 bogus_gzip));
  auto answer = c.read_response();
  CHECK(status_of(answer) == 415);
  CHECK(body_of_raw(answer).contains("type"));
  CHECK(s.store.size() == 0);
}

TEST_CASE("server: too many or too large headers are a 431", "[server][hostile]") {
  server::http_limits limits;
  limits.max_headers = 20;
  limits.max_header_bytes = 4096;
  served s({}, with_limits(limits));
  SECTION("count") {
    raw_connection c(s.http.port());
    std::string many;
    for (int i = 0; i < 30; ++i) many += "X-H" + std::to_string(i) + ": 1\r\n";
    REQUIRE(c.send(head("GET", base, many)));
    auto answer = c.read_response();
    CHECK(status_of(answer) == 431);
    CHECK(body_of_raw(answer)["type"] == "request_header_fields_too_large");
  }
  SECTION("bytes: refused as they arrive, not after") {
    raw_connection c(s.http.port());
    REQUIRE(c.send("GET " + base + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "));
    const std::string filler(1024, 'a');
    for (int i = 0; i < 64; ++i)
      if (!c.send(filler)) break;
    auto answer = c.read_response();
    CHECK(status_of(answer) == 431);
    CHECK(body_of_raw(answer)["type"] == "request_header_fields_too_large");
  }
  SECTION("within the limits") {
    auto r = s.client.Get(base.c_str(), {{"X-One", std::string(1000, 'b')}});
    REQUIRE(r);
    CHECK(r->status == 200);
  }
}

TEST_CASE("server: invalid UTF-8 and %2F in the path over HTTP are 400s, not 500 or a reroute",
          "[server][hostile]") {
  served s;
  auto r = s.client.Get((base + "/%ff").c_str());
  require_json(r);
  CHECK(r->status == 400);
  r = s.client.Get((base + "?name=%ff%fe").c_str());
  require_json(r);
  CHECK(r->status == 400);
  const auto id =
      body_of(s.client.Post(base.c_str(), json({{"name", "web"}, {"project", project_a}}).dump(),
                            json_type))["security_group"]["id"]
          .get<std::string>();
  REQUIRE(s.client.Get((base + "/" + id + "/rules").c_str())->status == 200);
  r = s.client.Get((base + "/" + id + "%2Frules").c_str());
  require_json(r);
  CHECK(r->status == 400);
  CHECK(body_of(r)["details"][0]["argument_name"] == "security_group_id");
}

TEST_CASE("server: open mode refuses writes not declared JSON (CSRF)", "[server][hostile]") {
  served s;
  const std::string body = json({{"name", "csrf"}, {"project", project_a}}).dump();
  for (const char* type :
       {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""}) {
    CAPTURE(type);
    raw_connection c(s.http.port());
    std::string headers = "Content-Length: " + std::to_string(body.size()) + "\r\n";
    if (*type) headers += std::string("Content-Type: ") + type + "\r\n";
    REQUIRE(c.send(head("POST", base, headers) + body));
    auto answer = c.read_response();
    CHECK(status_of(answer) == 415);
    CHECK(body_of_raw(answer).contains("message"));
  }
  CHECK(s.store.size() == 0);
  auto r = s.client.Post(base.c_str(), body, "application/json; charset=utf-8");
  REQUIRE(r);
  CHECK(r->status == 201);
}

TEST_CASE("server: a token server accepts any content type (no CSRF without the token)",
          "[server][hostile]") {
  mock::router_options routing;
  routing.tokens = mock::parse_tokens({token_a + ":" + project_a}, "--token");
  served s(routing);
  auto r = s.client.Post(base.c_str(), {{"X-Auth-Token", token_a}, {"Host", "mock.example"}},
                         json({{"name", "web"}, {"project", project_a}}).dump(), "text/plain");
  REQUIRE(r);
  CHECK(r->status == 201);
}

TEST_CASE("server: open mode answers only local Host names (DNS rebinding)", "[server][hostile]") {
  auto options = any_port();
  options.allowed_hosts = {"mock.internal"};
  served s({}, options);
  const std::string port = std::to_string(s.http.port());
  struct probe {
    std::string host;
    int status;
  };
  for (const auto& p : std::vector<probe>{{"attacker.example", 403},
                                          {"attacker.example:" + port, 403},
                                          {"localhost.attacker.example", 403},
                                          {"127.0.0.1:" + port, 200},
                                          {"localhost:" + port, 200},
                                          {"LOCALHOST", 200},
                                          {"api.localhost", 200},
                                          {"[::1]:" + port, 200},
                                          {"mock.internal:" + port, 200},
                                          {"10.1.2.3", 200}}) {
    CAPTURE(p.host);
    raw_connection c(s.http.port());
    REQUIRE(c.send("GET " + base + " HTTP/1.1\r\nHost: " + p.host + "\r\n\r\n"));
    auto answer = c.read_response();
    CHECK(status_of(answer) == p.status);
    if (p.status == 403) CHECK(body_of_raw(answer)["type"] == "invalid_request");
  }
}

TEST_CASE(
    "server: a request the HTTP layer refuses closes its connection, and nothing after it "
    "is served",
    "[server][hostile]") {
  served s;
  const auto id =
      body_of(s.client.Post(base.c_str(), json({{"name", "web"}, {"project", project_a}}).dump(),
                            json_type))["security_group"]["id"]
          .get<std::string>();
  // A valid request smuggled behind the refused one: it must never run.
  const std::string smuggled =
      "DELETE " + base + "/" + id + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  const std::string host = "Host: 127.0.0.1\r\n";
  for (const std::string& refused : std::vector<std::string>{
           "GARBAGE\r\n",
           "BREW / HTTP/1.1\r\n" + host + "X-One: 1\r\n\r\n",
           "get " + base + " HTTP/1.1\r\n" + host + "\r\n",
           "GET " + base + " HTTP/2.0\r\n" + host + "\r\n",
           "GET " + base + "\r\n" + host + "\r\n",
           "GET " + base + " HTTP/1.1\nHost: 127.0.0.1\n\n",
           "POST " + base + " HTTP/1.1\r\n" + host +
               "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
           "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n" + host + "\r\n",
       }) {
    CAPTURE(refused.substr(0, 80));
    raw_connection c(s.http.port());
    REQUIRE(c.send(refused + smuggled));
    bool closed = false;
    const auto answer = c.read_until_closed(closed);
    CAPTURE(answer.substr(0, 400));
    CHECK(responses_in(answer) == 1);
    CHECK(status_of(answer) >= 400);
    CHECK(body_of_raw(answer).contains("type"));
    CHECK(head_of(answer).find("Connection: close") != std::string::npos);
    CHECK(head_of(answer).find("Keep-Alive") == std::string::npos);
    CHECK(closed);
    CHECK(s.client.Get((base + "/" + id).c_str())->status == 200);
  }
}

TEST_CASE("server: a refused request says Connection: close once, and never Keep-Alive",
          "[server][hostile]") {
  server::http_limits limits;
  limits.max_headers = 8;
  served s({}, with_limits(limits));
  std::string many;
  for (int i = 0; i < 10; ++i) many += "X-H" + std::to_string(i) + ": 1\r\n";
  struct probe {
    std::string request;
    int status;
  };
  for (const auto& p : std::vector<probe>{
           {head("GET", base, many), 431},
           {"GET " + base + " HTTP/1.1\r\nHost: attacker.example\r\n\r\n", 403},
           {head("POST", base, "Content-Type: text/plain\r\nContent-Length: 2\r\n") + "{}", 415},
           {head("POST", base, "Content-Type: application/json\r\nContent-Length: 99999999\r\n"),
            413},
       }) {
    CAPTURE(p.status);
    raw_connection c(s.http.port());
    REQUIRE(c.send(p.request));
    const auto answer = c.read_response();
    CAPTURE(head_of(answer));
    CHECK(status_of(answer) == p.status);
    const auto h = head_of(answer);
    const auto first = h.find("Connection: close");
    CHECK(first != std::string::npos);
    CHECK(h.find("Connection:", first + 1) == std::string::npos);
    CHECK(h.find("Keep-Alive") == std::string::npos);
  }
}

TEST_CASE(
    "server: a write without Content-Length or Transfer-Encoding has an empty body, "
    "answered at once",
    "[server][hostile]") {
  server::http_limits limits;
  limits.request_timeout = milliseconds(60'000);  // far beyond read_response's wait
  served s({}, with_limits(limits));
  const auto id =
      body_of(s.client.Post(base.c_str(), json({{"name", "web"}, {"project", project_a}}).dump(),
                            json_type))["security_group"]["id"]
          .get<std::string>();
  raw_connection c(s.http.port());
  SECTION("POST: the router reads the empty body as {}") {
    REQUIRE(c.send(head("POST", base)));
    const auto answer = c.read_response();
    CHECK(status_of(answer) == 400);
    CHECK(body_of_raw(answer)["type"] == "invalid_arguments");
  }
  SECTION("PATCH: an empty body changes nothing") {
    REQUIRE(c.send(head("PATCH", base + "/" + id)));
    CHECK(status_of(c.read_response()) == 200);
  }
  SECTION("DELETE, then the next request on the same connection") {
    REQUIRE(c.send(head("DELETE", base + "/" + id)));
    CHECK(status_of(c.read_response()) == 204);
    REQUIRE(c.send(head("GET", base + "/" + id)));
    CHECK(status_of(c.read_response()) == 404);
  }
}

TEST_CASE("server: ambiguous framing and a second Host header are refused (request smuggling)",
          "[server][hostile]") {
  served s;
  const std::string body = json({{"name", "web"}, {"project", project_a}}).dump();
  const std::string size = std::to_string(body.size());
  const std::string json_header = "Content-Type: application/json\r\n";
  for (const std::string& request : std::vector<std::string>{
           head("POST", base, json_header + "Content-Length: -1\r\n") + body,
           head("POST", base, json_header + "Content-Length: +" + size + "\r\n") + body,
           head("POST", base, json_header + "Content-Length: " + size + "x\r\n") + body,
           head("POST", base, json_header + "Transfer-Encoding: gzip, chunked\r\n") + body,
           head("POST", base,
                json_header + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n") +
               body,
           head("POST", base,
                json_header + "Content-Length: " + size + "\r\nContent-Length: 2\r\n") +
               body,
           head("POST", base,
                json_header + "Content-Length: " + size + "\r\nTransfer-Encoding: chunked\r\n") +
               body,
           "GET " + base + " HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: attacker.example\r\n\r\n",
           "GET " + base + " HTTP/1.1\r\nHost: attacker.example\r\nHost: 127.0.0.1\r\n\r\n",
       }) {
    CAPTURE(request);
    raw_connection c(s.http.port());
    REQUIRE(c.send(request));
    bool closed = false;
    const auto answer = c.read_until_closed(closed);
    CHECK(responses_in(answer) == 1);
    CHECK(status_of(answer) == 400);
    CHECK(body_of_raw(answer)["type"] == "invalid_request");
    CHECK(closed);
  }
  CHECK(s.store.size() == 0);
  SECTION("the same Content-Length twice is one length") {
    raw_connection c(s.http.port());
    REQUIRE(c.send(
        head("POST", base,
             json_header + "Content-Length: " + size + "\r\nContent-Length: " + size + "\r\n") +
        body));
    CHECK(status_of(c.read_response()) == 201);
  }
}

TEST_CASE("server: max_headers counts the header lines received, at N and N+1",
          "[server][hostile]") {
  auto lines = [](int n) {  // Host and n - 1 more
    std::string more;
    for (int i = 1; i < n; ++i) more += "X-H" + std::to_string(i) + ": 1\r\n";
    return more;
  };
  SECTION("a limit of 5") {
    server::http_limits limits;
    limits.max_headers = 5;
    served s({}, with_limits(limits));
    raw_connection at(s.http.port());
    REQUIRE(at.send(head("GET", base, lines(5))));
    CHECK(status_of(at.read_response()) == 200);
    raw_connection over(s.http.port());
    REQUIRE(over.send(head("GET", base, lines(6))));
    const auto answer = over.read_response();
    CHECK(status_of(answer) == 431);
    CHECK(body_of_raw(answer)["message"] == "the request has 6 header lines; the limit is 5");
  }
  SECTION("the default, 100") {
    served s;
    raw_connection at(s.http.port());
    REQUIRE(at.send(head("GET", base, lines(100))));
    CHECK(status_of(at.read_response()) == 200);
    raw_connection over(s.http.port());
    REQUIRE(over.send(head("GET", base, lines(101))));
    CHECK(status_of(over.read_response()) == 431);
  }
}

TEST_CASE("server: the request line and each header line may take 8192 bytes, the head 64 KiB",
          "[server][hostile]") {
  served s;
  REQUIRE(server::max_request_line_bytes == 8192);
  REQUIRE(server::max_header_line_bytes == 8192);
  // "X-Big: " + filler + CRLF is `bytes` long.
  auto header_line = [](std::size_t bytes) {
    return "X-Big: " + std::string(bytes - 9, 'a') + "\r\n";
  };
  // "GET " + base + "?q=" + filler + " HTTP/1.1\r\n" is `bytes` long.
  auto request_line = [](std::size_t bytes) {
    const std::string start = "GET " + base + "?q=", end = " HTTP/1.1\r\n";
    return start + std::string(bytes - start.size() - end.size(), 'a') + end;
  };
  auto answer_to = [&](const std::string& request, bool& closed) {
    raw_connection c(s.http.port());
    REQUIRE(c.send(request));
    return c.read_until_closed(closed, milliseconds(3000));
  };
  bool closed = false;
  SECTION("a header line of 8192 bytes is served, of 8193 a JSON 431") {
    raw_connection c(s.http.port());
    REQUIRE(c.send(head("GET", base, header_line(8192))));
    CHECK(status_of(c.read_response()) == 200);
    const auto answer = answer_to(head("GET", base, header_line(8193)), closed);
    CHECK(status_of(answer) == 431);
    CHECK(body_of_raw(answer)["type"] == "request_header_fields_too_large");
    CHECK(body_of_raw(answer)["message"] == "a header line exceeds the limit of 8192 bytes");
    CHECK(closed);
  }
  SECTION("a request line of 8192 bytes is served, of 8193 a JSON 414") {
    raw_connection c(s.http.port());
    REQUIRE(c.send(request_line(8192) + "Host: 127.0.0.1\r\n\r\n"));
    CHECK(status_of(c.read_response()) == 200);
    const auto answer = answer_to(request_line(8193) + "Host: 127.0.0.1\r\n\r\n", closed);
    CHECK(status_of(answer) == 414);
    CHECK(body_of_raw(answer)["type"] == "uri_too_long");
    CHECK(closed);
  }
  SECTION("a request line of 65,600 bytes: a JSON 414, not a silent close") {
    const auto answer = answer_to(request_line(65'600) + "Host: 127.0.0.1\r\n\r\n", closed);
    CHECK(status_of(answer) == 414);
    CHECK(body_of_raw(answer)["type"] == "uri_too_long");
    CHECK(closed);
  }
  SECTION("64 KiB of header lines is served, more is a JSON 431") {
    std::string lines;
    while (lines.size() + 8000 < 65536 - 200) lines += header_line(8000);
    raw_connection c(s.http.port());
    REQUIRE(c.send(head("GET", base, lines)));
    CHECK(status_of(c.read_response()) == 200);
    const auto answer = answer_to(head("GET", base, lines + header_line(8000)), closed);
    CHECK(status_of(answer) == 431);
    CHECK(body_of_raw(answer)["message"] ==
          "the request line and headers exceed the limit of 65536 bytes");
    CHECK(closed);
  }
}

TEST_CASE("server: a request line past max_header_bytes is a JSON 431, not a silent close",
          "[server][hostile]") {
  server::http_limits limits;
  limits.max_header_bytes = 4096;
  served s({}, with_limits(limits));
  raw_connection c(s.http.port());
  REQUIRE(c.send("GET " + base + "?q=" + std::string(5000, 'a') + " HTTP/1.1\r\n\r\n"));
  bool closed = false;
  const auto answer = c.read_until_closed(closed);
  CHECK(status_of(answer) == 431);
  CHECK(body_of_raw(answer)["type"] == "request_header_fields_too_large");
  CHECK(closed);
}

TEST_CASE("server: the 503 of a full server is {\"type\", \"message\"} like every error",
          "[server][hostile]") {
  server::http_limits limits;
  limits.max_connections = 1;
  limits.request_timeout = milliseconds(600'000);  // the busy request never times out here
  served s({}, with_limits(limits));
  CHECK(s.http.connections() == server::connection_counts{});
  // A connection in the middle of its request holds the one slot and cannot yield it. The
  // newcomer connects only once the server counts that request (no sleep: a connection still
  // idle would yield its slot, and the newcomer would be served).
  raw_connection busy(s.http.port());
  REQUIRE(busy.send("GET " + base + " HTTP/1.1\r\n"));
  const auto slot_held = [](server::connection_counts c) { return c.busy == 1; };
  REQUIRE(s.http.wait_for_connections(slot_held, milliseconds(60'000)));
  CHECK(s.http.connections() == server::connection_counts{1, 0, 1});
  raw_connection refused(s.http.port());
  const auto answer = refused.read_response(milliseconds(60'000));
  CHECK(status_of(answer) == 503);
  CHECK(s.http.connections() == server::connection_counts{1, 0, 1});
  CHECK(answer.substr(answer.find("\r\n\r\n") + 4) ==
        R"({"type": "service_unavailable", "message": "too many connections: try again later"})");
}
