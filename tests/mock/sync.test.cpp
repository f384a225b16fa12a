// The API's asynchronous sync (spec §7): an effective change answers `syncing`, the group
// becomes `available` at the deadline with modification_date bumped once, a change during a
// sync restarts it, no-ops change nothing, delay 0 never syncs, and a snapshot keeps it all.
// A manual clock: nothing sleeps, every instant is set by the test.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "fixture.hpp"

using namespace mock_test;

namespace sync_test {

constexpr auto delay = std::chrono::milliseconds(300);

/// The manual clock standing at t0(), a base of `synced` so that it exists before the store.
struct manual_time {
  mock::manual_clock clock{t0()};
};

/// A store syncing for `delay` on a manual clock, and a router over it (fixture.hpp).
struct synced : manual_time, fixture {
  synced() : fixture(options(clock, delay)) {}

  static mock::store_options options(const mock::manual_clock& c, std::chrono::milliseconds d) {
    mock::store_options o{secgroup::instance_zones(), c.fn(), counting_ids()};
    o.sync_delay = d;
    return o;
  }

  /// GET of group `id` (must succeed).
  json group(const std::string& id) const {
    auto r = call("GET", base + "/" + id);
    REQUIRE(r.status == 200);
    return body_of(r)["security_group"];
  }
  /// The state and modification_date of group `id` as GET shows them.
  std::pair<std::string, std::string> seen(const std::string& id) const {
    auto g = group(id);
    return {g["state"].get<std::string>(), g["modification_date"].get<std::string>()};
  }
};

/// t0() + `d`, in the API's format.
std::string sync_date(std::chrono::microseconds d) { return mock::format_api_date(t0() + d); }

const json ssh = {{"protocol", "TCP"}, {"direction", "inbound"}, {"action", "accept"},
                  {"ip_range", "0.0.0.0/0"}, {"dest_port_from", 22}};

/// One kind of effective change: its name and the call, which must succeed.
struct change_kind {
  const char* name;
  std::function<mock::response(const synced&, const std::string& group,
                               const std::string& rule)>
      call;
  int status;
};

std::vector<change_kind> effective_changes() {
  using std::string;
  return {
      {"PATCH group", [](const synced& s, const string& g, const string&) {
         return s.call("PATCH", base + "/" + g, R"({"description": "changed"})");
       }, 200},
      {"PUT group", [](const synced& s, const string& g, const string&) {
         return s.call("PUT", base + "/" + g, R"({"name": "web", "stateful": false})");
       }, 200},
      {"PUT rules", [](const synced& s, const string& g, const string&) {
         return s.call("PUT", base + "/" + g + "/rules", json{{"rules", json::array()}}.dump());
       }, 200},
      {"POST rule", [](const synced& s, const string& g, const string&) {
         return s.call("POST", base + "/" + g + "/rules", ssh.dump());
       }, 201},
      {"PUT rule", [](const synced& s, const string& g, const string& r) {
         auto body = ssh;
         body["dest_port_from"] = 2222;
         return s.call("PUT", base + "/" + g + "/rules/" + r, body.dump());
       }, 200},
      {"PATCH rule", [](const synced& s, const string& g, const string& r) {
         return s.call("PATCH", base + "/" + g + "/rules/" + r, R"({"action": "drop"})");
       }, 200},
      {"DELETE rule", [](const synced& s, const string& g, const string& r) {
         return s.call("DELETE", base + "/" + g + "/rules/" + r);
       }, 204},
  };
}

/// A group `web` with one user rule, created at t0 and settled: available, dated t0 + delay.
std::pair<std::string, std::string> settled_group(synced& s) {
  const auto g = s.create("web");
  const auto r = s.add_rule(g, ssh);
  s.clock.advance(delay);
  REQUIRE(s.seen(g) == std::pair<std::string, std::string>("available", sync_date(delay)));
  return {g, r};
}

}  // namespace sync_test

using namespace sync_test;

TEST_CASE("parse_api_date reads the API's dates back and manual_clock moves when told",
          "[mock][sync][dates]") {
  using namespace std::chrono;
  CHECK(mock::parse_api_date(mock::format_api_date(t0())) == t0());
  CHECK(mock::parse_api_date("2026-07-30T12:54:21Z") == t0() - 436730us);
  CHECK(mock::parse_api_date("2026-07-30T12:54:21.4+00:00") == t0() - 36730us);
  for (const char* bad : {"", "2026-07-30", "2026-07-30T12:54:21", "2026-07-30T12:54:21.+00:00",
                          "2026-07-30T12:54:21.1234567+00:00", "2026-07-30T12:54:21+01:00",
                          "2026-02-30T12:54:21Z", "2026-07-30T24:00:00Z", "2026-07-30 12:54:21Z",
                          "2026-07-30T12:54:21Z "})
    CHECK_FALSE(mock::parse_api_date(bad));
  mock::manual_clock clock(t0());
  auto fn = clock.fn();
  CHECK(fn() == t0());
  CHECK(fn() == t0());  // reading does not move it
  clock.advance(250ms);
  CHECK(fn() == t0() + 250ms);
  clock.set(t0());
  CHECK(clock.now() == t0());
}

TEST_CASE("sync: each kind of effective change answers syncing until the deadline",
          "[mock][sync]") {
  for (const auto& kind : effective_changes()) {
    INFO(kind.name);
    synced s;
    const auto [g, r] = settled_group(s);
    s.clock.advance(std::chrono::seconds(1));
    const auto changed_at = sync_date(delay + std::chrono::seconds(1));
    auto answer = kind.call(s, g, r);
    REQUIRE(answer.status == kind.status);
    if (answer.status == 200 && body_of(answer).contains("security_group"))
      CHECK(body_of(answer)["security_group"]["state"] == "syncing");
    CHECK(s.seen(g) == std::pair<std::string, std::string>("syncing", changed_at));
    auto listed = body_of(s.call("GET", base))["security_groups"];
    REQUIRE(listed.size() == 1);
    CHECK(listed[0]["state"] == "syncing");
    CHECK(s.store.get_group(zone, g).state == group_state::syncing);
    // Still syncing a microsecond before the deadline, available at it.
    s.clock.advance(delay - std::chrono::microseconds(1));
    CHECK(s.seen(g).first == "syncing");
    s.clock.advance(std::chrono::microseconds(1));
    CHECK(s.seen(g) == std::pair<std::string, std::string>(
                           "available", sync_date(2 * delay + std::chrono::seconds(1))));
  }
}

TEST_CASE("sync: create answers available and starts no sync",
          "[mock][sync]") {
  synced s;
  auto r = s.call("POST", base, json{{"name", "web"}, {"project", project_a}}.dump());
  REQUIRE(r.status == 201);
  const auto g = body_of(r)["security_group"];
  CHECK(g["state"] == "available");
  CHECK(g["modification_date"] == g["creation_date"]);
  s.clock.advance(std::chrono::hours(1));
  CHECK(s.seen(g["id"].get<std::string>()) ==
        std::pair<std::string, std::string>("available", sync_date({})));
}

TEST_CASE("sync: no-op calls stay available and keep the date", "[mock][sync]") {
  synced s;
  const auto [g, r] = settled_group(s);
  const auto before = s.group(g);
  const auto rules = body_of(s.call("GET", base + "/" + g + "/rules"))["rules"];
  s.clock.advance(std::chrono::seconds(5));
  std::vector<json> user;
  for (const auto& rule : rules)
    if (rule["editable"] == true) user.push_back(rule);
  CHECK(s.call("PATCH", base + "/" + g, R"({"name": "web", "stateful": true})").status == 200);
  CHECK(s.call("PUT", base + "/" + g + "/rules", json{{"rules", user}}.dump()).status == 200);
  CHECK(s.call("PATCH", base + "/" + g + "/rules/" + r, R"({"action": "accept"})").status == 200);
  CHECK(s.call("PATCH", base + "/" + g, "{}").status == 200);
  CHECK(s.group(g) == before);
  s.clock.advance(delay);
  CHECK(s.group(g) == before);
}

TEST_CASE("sync: the date is bumped once at the deadline however many reads follow",
          "[mock][sync]") {
  synced s;
  const auto ids = settled_group(s);
  const auto g = ids.first, r = ids.second;  // named apart: the listener below captures g
  std::vector<std::string> reported;  // modification_date of each write of g the listener sees
  s.store.set_change_listener([&](const mock::store_change& c) {
    for (const auto* w : c.written)
      if (w->id == g) reported.push_back(std::string(to_string(w->state)) + " " + *w->modification_date);
  });
  s.clock.advance(std::chrono::seconds(1));
  const auto t1 = delay + std::chrono::seconds(1);  // since t0
  REQUIRE(s.call("PATCH", base + "/" + g, R"({"name": "web2"})").status == 200);
  CHECK(reported == std::vector<std::string>{"syncing " + sync_date(t1)});
  for (int i = 0; i < 3; ++i) CHECK(s.seen(g).first == "syncing");
  s.clock.advance(std::chrono::seconds(10));  // read long after the deadline
  for (int i = 0; i < 3; ++i) {
    CHECK(s.seen(g) == std::pair<std::string, std::string>("available", sync_date(t1 + delay)));
    CHECK(s.store.snapshot()["security_groups"][0]["modification_date"] == sync_date(t1 + delay));
    s.clock.advance(std::chrono::seconds(1));
  }
  CHECK(reported == std::vector<std::string>{"syncing " + sync_date(t1),
                                             "available " + sync_date(t1 + delay)});
  // Reading the rules or a rule settles too (and reports once).
  s.clock.advance(std::chrono::seconds(1));
  REQUIRE(s.call("PATCH", base + "/" + g + "/rules/" + r, R"({"action": "drop"})").status == 200);
  s.clock.advance(delay);
  CHECK(s.call("GET", base + "/" + g + "/rules/" + r).status == 200);
  CHECK(reported.size() == 4);
  CHECK(reported.back().rfind("available ", 0) == 0);
}

TEST_CASE("sync: a change during a sync restarts it but a no-op does not", "[mock][sync]") {
  using namespace std::chrono;
  synced s;
  const auto [g, r] = settled_group(s);  // now: t0 + delay
  REQUIRE(s.call("PATCH", base + "/" + g, R"({"name": "a"})").status == 200);
  s.clock.advance(200ms);
  REQUIRE(s.call("PATCH", base + "/" + g, R"({"name": "a"})").status == 200);  // no-op
  s.clock.advance(50ms);
  auto second = s.call("PATCH", base + "/" + g + "/rules/" + r, R"({"dest_port_from": 23})");
  REQUIRE(second.status == 200);
  const auto restarted = delay + 250ms;
  CHECK(s.seen(g) == std::pair<std::string, std::string>("syncing", sync_date(restarted)));
  s.clock.advance(100ms);  // the first deadline (t0 + 2 delay) has passed: still syncing
  CHECK(s.seen(g).first == "syncing");
  s.clock.advance(200ms);  // the restarted deadline
  CHECK(s.seen(g) ==
        std::pair<std::string, std::string>("available", sync_date(restarted + delay)));
}

TEST_CASE("sync: with delay 0 a change answers available and nothing is ever syncing",
          "[mock][sync]") {
  mock::manual_clock clock(t0());
  mock::store store(synced::options(clock, std::chrono::milliseconds(0)));
  mock::router api(store);
  CHECK(store.sync_delay().count() == 0);
  auto made = api.call("POST", base, json{{"name", "web"}, {"project", project_a}}.dump());
  const auto g = body_of(made)["security_group"]["id"].get<std::string>();
  clock.advance(std::chrono::seconds(1));
  auto patched = api.call("PATCH", base + "/" + g, R"({"name": "db"})");
  CHECK(body_of(patched)["security_group"]["state"] == "available");
  CHECK(body_of(patched)["security_group"]["modification_date"] ==
        sync_date(std::chrono::seconds(1)));
  REQUIRE(api.call("POST", base + "/" + g + "/rules", ssh.dump()).status == 201);
  CHECK(store.get_group(zone, g).state == group_state::available);
  clock.advance(std::chrono::hours(1));
  CHECK(store.get_group(zone, g).modification_date == sync_date(std::chrono::seconds(1)));
}

TEST_CASE("sync: a group losing project_default syncs too and a syncing group can be deleted",
          "[mock][sync]") {
  synced s;
  const auto a = s.create("a", {{"project_default", true}});
  s.clock.advance(delay);
  const auto b = s.create("b", {{"project_default", true}});  // takes the flag from a
  CHECK(s.group(b)["state"] == "available");
  CHECK(s.seen(a) == std::pair<std::string, std::string>("syncing", sync_date(delay)));
  REQUIRE(s.call("DELETE", base + "/" + a).status == 204);
  s.clock.advance(delay);
  CHECK(s.call("GET", base + "/" + a).status == 404);
  CHECK(s.store.size() == 1);
}

TEST_CASE("sync: a snapshot keeps a sync running and restore ends it at the same deadline",
          "[mock][sync][snapshot]") {
  using namespace std::chrono;
  synced s;
  const auto [g, r] = settled_group(s);
  s.clock.advance(1s);
  REQUIRE(s.call("PATCH", base + "/" + g, R"({"name": "web2"})").status == 200);
  const auto doc = s.store.snapshot();
  CHECK(doc["security_groups"][0]["state"] == "syncing");
  const auto deadline = delay + 1s + delay;  // since t0

  synced back;  // a restart: a new store, its own clock
  back.store.restore(doc);
  back.clock.set(t0() + deadline - 1us);
  CHECK(back.seen(g).first == "syncing");
  back.clock.set(t0() + deadline);
  CHECK(back.seen(g) == std::pair<std::string, std::string>("available", sync_date(deadline)));

  SECTION("a restart long after the deadline shows the date the running store would show") {
    synced late;
    late.clock.set(t0() + 24h);
    late.store.restore(doc);
    CHECK(late.seen(g) == std::pair<std::string, std::string>("available", sync_date(deadline)));
    s.clock.set(t0() + 24h);
    CHECK(s.seen(g) == late.seen(g));
  }
  SECTION("a store with delay 0 restores a syncing group available, its date as stored") {
    mock::manual_clock clock(t0());
    mock::store none(synced::options(clock, 0ms));
    auto bad_date = doc;  // not even read: nothing syncs
    bad_date["security_groups"][0]["modification_date"] = "2026-07-30T12:54:21Z";
    none.restore(bad_date);
    const auto h = none.get_group(zone, g);
    CHECK(h.state == group_state::available);
    CHECK(h.modification_date == "2026-07-30T12:54:21Z");
  }
  SECTION("a syncing group needs a modification_date of the API's format") {
    auto bad = doc;
    bad["security_groups"][0]["modification_date"] = "yesterday";
    synced other;
    try {
      other.store.restore(bad);
      FAIL("restored");
    } catch (const validation_error& e) {
      CHECK(e.field() == "security_groups[0].modification_date");
    }
    CHECK(other.store.size() == 0);
  }
}

TEST_CASE("sync: the delay is checked", "[mock][sync]") {
  mock::manual_clock clock(t0());
  for (auto bad : {std::chrono::milliseconds(-1), mock::max_sync_delay + std::chrono::milliseconds(1)}) {
    try {
      mock::store store(synced::options(clock, bad));
      FAIL("accepted " << bad.count());
    } catch (const validation_error& e) {
      CHECK(e.field() == "sync_delay");
    }
  }
  CHECK(mock::store(synced::options(clock, mock::max_sync_delay)).sync_delay() ==
        mock::max_sync_delay);
  CHECK(mock::store().sync_delay() == mock::default_sync_delay);
}
