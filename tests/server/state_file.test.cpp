// server::state_file: the snapshot and its journal (append, replay, torn tail, compaction), the
// safety of its temporaries (symlinks refused, stale ones removed), the directory and lock
// checks, the store's change feed it is built on, and a failed journal write over HTTP (a 500,
// never an acknowledgement).
#include <httplib.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <secgroup/mock/rest.hpp>
#include <secgroup/server/http.hpp>
#include <secgroup/server/state_file.hpp>
#include <thread>

#include "mock/fixture.hpp"

namespace state_file_test {

namespace fs = std::filesystem;
using namespace mock_test;

/// A fresh directory under the system temp dir, removed on destruction.
struct scratch {
  fs::path path;
  explicit scratch(const std::string& tag)
      : path(fs::temp_directory_path() /
             ("secgroup-state-" + tag + "-" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~scratch() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void append(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary | std::ios::app) << text;
}

/// Names in `dir`, sorted.
std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

/// A store with a router, its state in `file`; log lines are kept.
struct opened {
  mock::store store{test_options()};
  mock::router api{store};
  std::vector<std::string> log;
  server::state_file state;

  explicit opened(const fs::path& file, std::uint64_t journal_limit = std::uint64_t{4} << 20)
      : state(file, {journal_limit, [this](std::string_view line) { log.emplace_back(line); }}) {
    state.open(store);
  }

  /// Creates a group (project_a, plus `extra`); returns its id.
  std::string create(const std::string& name, json extra = json::object()) {
    json body = {{"name", name}, {"project", project_a}};
    for (auto& [k, v] : extra.items()) body[k] = v;
    auto r = api.call("POST", base, body.dump());
    REQUIRE(r.status == 201);
    return json::parse(r.body)["security_group"]["id"].get<std::string>();
  }
  void add_rule(const std::string& group, int port) {
    auto r = api.call("POST", base + "/" + group + "/rules",
                      json{{"protocol", "TCP"},
                           {"direction", "inbound"},
                           {"action", "accept"},
                           {"ip_range", "10.0.0.0/8"},
                           {"dest_port_from", port}}
                          .dump());
    REQUIRE(r.status == 201);
  }
};

/// The state a fresh store loads from `file`.
json reloaded(const fs::path& file) {
  opened again(file);
  return again.store.snapshot();
}

TEST_CASE("state file: the store reports what each call changed", "[server][state]") {
  fixture f;
  std::vector<mock::store_change> seen;
  std::vector<std::vector<std::string>> written;
  f.store.set_change_listener([&](const mock::store_change& c) {
    seen.push_back(c);
    written.emplace_back();
    for (const auto* g : c.written) written.back().push_back(g->id);
  });
  const auto a = f.create("a", {{"project_default", true}});
  REQUIRE(written.size() == 1);
  CHECK(written[0] == std::vector<std::string>{a});
  // A new default clears the old one: both groups are in one change.
  const auto b = f.create("b", {{"project_default", true}});
  REQUIRE(written.size() == 2);
  CHECK(written[1] == std::vector<std::string>{a, b});
  // A failed call and a patch that changes nothing report nothing.
  CHECK(f.call("PATCH", base + "/" + a, R"({"name": ""})").status == 400);
  CHECK(f.call("PATCH", base + "/" + a, R"({"name": "a"})").status == 200);
  CHECK(written.size() == 2);
  f.add_rule(a, {{"protocol", "ICMP"},
                 {"direction", "inbound"},
                 {"action", "drop"},
                 {"ip_range", "0.0.0.0/0"}});
  REQUIRE(written.size() == 3);
  CHECK(written[2] == std::vector<std::string>{a});
  CHECK(f.call("DELETE", base + "/" + b).status == 204);
  REQUIRE(seen.size() == 4);
  CHECK(seen[3].written.empty());
  REQUIRE(seen[3].deleted.size() == 1);
  CHECK(seen[3].deleted[0].id == b);
  CHECK(seen[3].deleted[0].zone == zone);
  f.store.set_change_listener(nullptr);
  f.create("c");
  CHECK(seen.size() == 4);
}

TEST_CASE("state file: changes are appended to the journal and replayed on load",
          "[server][state]") {
  scratch dir("replay");
  const auto file = dir.path / "state.json";
  json expected;
  {
    opened s(file);
    // open() wrote the (empty) snapshot and an empty journal.
    CHECK(names_in(dir.path) == std::vector<std::string>{"state.json", "state.json.journal"});
    const auto snapshot = slurp(file);
    const auto a = s.create("a", {{"project_default", true}});
    s.add_rule(a, 22);
    s.create("b", {{"project_default", true}});  // clears a's default
    const auto c = s.create("c");
    REQUIRE(s.api.call("DELETE", base + "/" + c).status == 204);
    s.state.sync();
    // The snapshot is not rewritten by a change: the journal grows, one line per change.
    CHECK(slurp(file) == snapshot);
    const auto journal = slurp(server::journal_path(file));
    CHECK(std::count(journal.begin(), journal.end(), '\n') == 5);
    CHECK(s.state.journal_size() == journal.size());
    expected = s.store.snapshot();
    CHECK(server::read_state(file).doc == expected);
    CHECK(server::read_state(file).journal_lines == 5);
  }  // no checkpoint: as after kill -9
  CHECK(reloaded(file) == expected);
  // Loading compacted the journal into the snapshot.
  CHECK(slurp(server::journal_path(file)).empty());
  CHECK(json::parse(slurp(file)) == expected);
}

/// A store syncing for 300 ms on a manual clock at `start`, its state in `file`.
struct syncing_store {
  mock::manual_clock clock;
  mock::store store;
  mock::router api{store};
  server::state_file state;

  syncing_store(const fs::path& file, mock::time_point start)
      : clock(start), store(options(clock)), state(file) {
    state.open(store);
  }
  static mock::store_options options(const mock::manual_clock& c) {
    auto o = test_options();
    o.clock = c.fn();
    o.sync_delay = std::chrono::milliseconds(300);
    return o;
  }
  /// The state and modification_date of group `id`.
  std::pair<std::string, std::string> seen(const std::string& id) const {
    const auto g = store.get_group(zone, id);
    return {std::string(to_string(g.state)), g.modification_date.value_or("")};
  }
};

TEST_CASE("state file: a sync survives a restart and ends at its own deadline",
          "[server][state][sync]") {
  using namespace std::chrono;
  scratch dir("sync");
  const auto file = dir.path / "state.json";
  std::string id;
  const auto deadline = mock::format_api_date(t0() + 300ms);
  {
    syncing_store s(file, t0());
    auto made = s.api.call("POST", base, json{{"name", "a"}, {"project", project_a}}.dump());
    id = json::parse(made.body)["security_group"]["id"].get<std::string>();
    REQUIRE(s.api.call("PATCH", base + "/" + id, R"({"name": "b"})").status == 200);
    s.state.sync();
    const auto stored = server::read_state(file).doc["security_groups"][0];
    CHECK(stored["state"] == "syncing");
    CHECK(stored["modification_date"] == mock::format_api_date(t0()));
  }  // no checkpoint: as after kill -9
  SECTION("restarted before the deadline: still syncing, then available at it") {
    syncing_store s(file, t0() + 299ms);
    CHECK(s.seen(id).first == "syncing");
    s.clock.advance(1ms);
    CHECK(s.seen(id) == std::pair<std::string, std::string>("available", deadline));
    // The end of the sync is journaled like a change.
    s.state.sync();
    const auto stored = server::read_state(file).doc["security_groups"][0];
    CHECK(stored["state"] == "available");
    CHECK(stored["modification_date"] == deadline);
  }
  SECTION("restarted after the deadline: available, dated at the deadline") {
    syncing_store s(file, t0() + 1h);
    CHECK(s.seen(id) == std::pair<std::string, std::string>("available", deadline));
    s.state.checkpoint();
    CHECK(json::parse(slurp(file))["security_groups"][0]["modification_date"] == deadline);
  }
}

TEST_CASE("state file: a torn last journal line is ignored, a corrupt one refused",
          "[server][state]") {
  scratch dir("torn");
  const auto file = dir.path / "state.json";
  json expected;
  {
    opened s(file);
    s.create("kept");
    s.state.sync();
    expected = s.store.snapshot();
  }
  const auto journal = server::journal_path(file);
  SECTION("a last line without its newline is a torn write: ignored, then dropped") {
    append(journal, R"({"put": [{"zone": "fr-par-1", "id": "00000000-0000-4000)");
    CHECK(server::read_state(file).torn_bytes > 0);
    opened again(file);
    CHECK(again.store.snapshot() == expected);
    REQUIRE(again.log.size() == 1);
    CHECK(again.log[0].find("torn") != std::string::npos);
    CHECK(slurp(journal).empty());
  }
  SECTION("a complete line that is not an entry is refused; both files are left untouched") {
    append(journal, "{\"put\": [{\"zone\": \"fr-par-1\"}]}\n");
    const auto before = slurp(journal), snapshot = slurp(file);
    try {
      opened again(file);
      FAIL("a corrupt journal was accepted");
    } catch (const parse_error& e) {
      CHECK(e.id() == errc::bad_file);
      CHECK(e.field() == journal.string() + ": line 2");
    }
    CHECK(slurp(journal) == before);
    CHECK(slurp(file) == snapshot);
  }
  SECTION("a line that is not JSON, followed by a valid one, is refused") {
    append(journal, "{\"put\": [\n{\"delete\": []}\n");
    try {
      opened again(file);
      FAIL("a corrupt journal was accepted");
    } catch (const parse_error& e) {
      CHECK(e.field() == journal.string() + ": line 2");
    }
  }
  SECTION("a corrupt snapshot is refused and left untouched") {
    std::ofstream(file) << "{\"security_groups\": [";
    mock::store store(test_options());
    server::state_file state(file);
    CHECK_THROWS_AS(state.open(store), parse_error);
    CHECK(slurp(file) == "{\"security_groups\": [");
    CHECK(store.size() == 0);
  }
}

TEST_CASE("state file: the journal is compacted once it outgrows its limit", "[server][state]") {
  scratch dir("compact");
  const auto file = dir.path / "state.json";
  opened s(file, 2000);
  const auto a = s.create("a");
  std::uint64_t largest = 0;
  bool compacted = false;
  for (int port = 1; port <= 40; ++port) {
    s.add_rule(a, port);
    const auto before = s.state.journal_size();
    s.state.sync();
    largest = std::max(largest, s.state.journal_size());
    compacted = compacted || s.state.journal_size() < before;
  }
  CHECK(compacted);
  // Never much past max(limit, snapshot size) plus one line.
  CHECK(largest < 2 * slurp(file).size() + 4000);
  CHECK(server::read_state(file).doc == s.store.snapshot());
  s.state.checkpoint();
  CHECK(s.state.journal_size() == 0);
  CHECK(json::parse(slurp(file)) == s.store.snapshot());
}

TEST_CASE("state file: replaying a journal already in the snapshot changes nothing",
          "[server][state]") {
  // A crash between the rename of a new snapshot and the truncation of the journal.
  scratch dir("idempotent");
  const auto file = dir.path / "state.json";
  json expected;
  {
    opened s(file);
    const auto a = s.create("a", {{"project_default", true}});
    s.add_rule(a, 80);
    s.create("b", {{"project_default", true}});
    const auto c = s.create("c");
    REQUIRE(s.api.call("DELETE", base + "/" + c).status == 204);
    s.state.sync();
    expected = s.store.snapshot();
  }
  std::ofstream(file, std::ios::trunc) << expected.dump(2) << "\n";
  CHECK(server::read_state(file).journal_lines == 5);
  CHECK(reloaded(file) == expected);
}

TEST_CASE("state file: temporaries are created safely and stale ones removed", "[server][state]") {
  scratch dir("temporaries");
  const auto file = dir.path / "state.json";
  const auto victim = dir.path / "victim";
  std::ofstream(victim) << "precious";

  SECTION("create_exclusive never follows a symlink nor reuses a file") {
    const auto link = dir.path / "state.json.tmp-0123456789abcdef";
    fs::create_symlink(victim, link);
    CHECK(secgroup::detail::state_file::create_exclusive(link) < 0);
    CHECK(errno == EEXIST);
    CHECK(slurp(victim) == "precious");
  }
  SECTION("a symlink planted at a temporary name of any run is removed, never written through") {
    // The name older versions used (FILE.tmp-PID) and one of ours.
    fs::create_symlink(victim, dir.path / ("state.json.tmp-" + std::to_string(::getpid())));
    fs::create_symlink(victim, dir.path / "state.json.tmp-00000000000000aa");
    {
      opened s(file);
      s.create("web");
      s.state.sync();
      s.state.checkpoint();
    }
    CHECK(slurp(victim) == "precious");
    CHECK(names_in(dir.path) ==
          std::vector<std::string>{"state.json", "state.json.journal", "victim"});
  }
  SECTION("only our own leftovers are removed") {
    for (const char* name :
         {"state.json.tmp-4242", "state.json.tmp-0123456789abcdef", "state.json.tmp-notours",
          "state.json.tmp-", "other.json.tmp-4242", "state.json.tmp-0123456789abcdef0"})
      std::ofstream(dir.path / name) << "x";
    opened s(file);
    CHECK(names_in(dir.path) == std::vector<std::string>{"other.json.tmp-4242", "state.json",
                                                         "state.json.journal", "state.json.tmp-",
                                                         "state.json.tmp-0123456789abcdef0",
                                                         "state.json.tmp-notours", "victim"});
    CHECK(s.log.size() == 2);
  }
  SECTION("a journal that is a symlink is refused") {
    fs::create_symlink(victim, server::journal_path(file));
    mock::store store(test_options());
    server::state_file state(file);
    try {
      state.open(store);
      FAIL("a symlinked journal was accepted");
    } catch (const parse_error& e) {
      CHECK(e.field() == server::journal_path(file).string());
      CHECK(e.message().find("symbolic link") != std::string::npos);
    }
    CHECK(slurp(victim) == "precious");
    CHECK_FALSE(fs::exists(file));
  }
}

TEST_CASE("state file: a missing directory or a second user is refused", "[server][state]") {
  scratch dir("refused");
  SECTION("missing directory: an error naming the file, nothing created") {
    const auto file = dir.path / "missing" / "x.json";
    mock::store store(test_options());
    server::state_file state(file);
    try {
      state.open(store);
      FAIL("a missing directory was accepted");
    } catch (const parse_error& e) {
      CHECK(e.id() == errc::bad_file);
      CHECK(e.field() == file.string());
      CHECK(e.message().find("directory " + (dir.path / "missing").string()) != std::string::npos);
    }
    CHECK_FALSE(fs::exists(dir.path / "missing"));
  }
  SECTION("a directory that is a file") {
    std::ofstream(dir.path / "plain") << "x";
    mock::store store(test_options());
    server::state_file state(dir.path / "plain" / "x.json");
    CHECK_THROWS_AS(state.open(store), parse_error);
  }
  SECTION("a FIFO at the journal or the snapshot is refused, without hanging") {
    const auto file = dir.path / "state.json";
    const auto fifo = GENERATE(as<std::string>(), "state.json", "state.json.journal");
    REQUIRE(::mkfifo((dir.path / fifo).c_str(), 0600) == 0);
    mock::store store(test_options());
    server::state_file state(file);
    CHECK_THROWS_AS(state.open(store), parse_error);
  }
  SECTION("two state_files on one file: the second is refused") {
    const auto file = dir.path / "state.json";
    opened first(file);
    first.create("a");
    mock::store store(test_options());
    server::state_file second(file);
    try {
      second.open(store);
      FAIL("a state file in use was opened twice");
    } catch (const parse_error& e) {
      CHECK(e.message().find("another process") != std::string::npos);
    }
    CHECK(store.size() == 0);
  }
}

TEST_CASE("state file: a change whose journal write fails is answered 500, not acknowledged",
          "[server][state]") {
  scratch dir("failing");
  const auto file = dir.path / "state.json";
  mock::store store(test_options());
  server::http_options options;
  options.port = 0;
  options.state_file = file;
  std::vector<std::string> log;
  options.log = [&](std::string_view line) { log.emplace_back(line); };
  server::http_server http(store, {}, options);
  http.start();
  httplib::Client client(http.url());
  const std::string big(20000, 'x');
  // Files may grow no further than 4 KiB: the journal write of the next change fails (EFBIG).
  rlimit old{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  rlimit small = old;
  small.rlim_cur = 4096;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  auto r = client.Post(base.c_str(),
                       json{{"name", "big"}, {"project", project_a}, {"description", big}}.dump(),
                       "application/json");
  ::setrlimit(RLIMIT_FSIZE, &old);
  ::signal(SIGXFSZ, old_handler);
  REQUIRE(r);
  CHECK(r->status == 500);
  CAPTURE(r->body);
  CHECK(json::parse(r->body)["type"] == "internal_error");
  CHECK(r->body.find("not saved") != std::string::npos);
  CHECK(server::read_state(file).doc["security_groups"].empty());
  // The journal was cut back to its last good line, and the change stays queued.
  CHECK(slurp(server::journal_path(file)).empty());
  auto next = client.Post(base.c_str(), json{{"name", "small"}, {"project", project_a}}.dump(),
                          "application/json");
  REQUIRE(next);
  CHECK(next->status == 201);
  CHECK(server::read_state(file).doc == store.snapshot());
  CHECK(store.size() == 2);
  http.stop();
  CHECK(json::parse(slurp(file)) == store.snapshot());
}

TEST_CASE("state file: concurrent changes and compactions keep exactly the synced state",
          "[server][state]") {
  scratch dir("concurrent");
  const auto file = dir.path / "state.json";
  json expected;
  {
    opened s(file, 3000);
    const auto shared = s.create("shared", {{"project_default", true}});
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w)
      writers.emplace_back([&, w] {
        for (int i = 0; i < 40; ++i) {
          const auto name = "w" + std::to_string(w) + "-" + std::to_string(i);
          auto r = s.api.call(
              "POST", base,
              json{{"name", name}, {"project", project_a}, {"project_default", i % 3 == 0}}.dump());
          s.api.call("PATCH", base + "/" + shared, json{{"description", name}}.dump());
          if (r.status == 201) s.state.sync();
        }
      });
    for (auto& t : writers) t.join();
    s.state.sync();
    expected = s.store.snapshot();
    CHECK(expected["security_groups"].size() == 161);
    CHECK(server::read_state(file).doc == expected);
  }  // no checkpoint
  CHECK(reloaded(file) == expected);
}

}  // namespace state_file_test

TEST_CASE("state file: a snapshot or journal over max_size is refused, read no further",
          "[server][state]") {
  using namespace state_file_test;
  scratch dir("bounded");
  const auto file = dir.path / "state.json";
  server::state_file_options options;
  options.max_size = 1000;
  auto snapshot_of = [](std::size_t bytes) {  // an empty snapshot padded to `bytes`
    const std::string start = R"({"security_groups": [])";
    return start + std::string(bytes - start.size() - 1, ' ') + "}";
  };
  auto refused = [&](const fs::path& named) {
    mock::store store(test_options());
    server::state_file state(file, options);
    try {
      state.open(store);
      FAIL("a state file over max_size was read");
    } catch (const parse_error& e) {
      CHECK(e.id() == errc::too_large);
      CHECK(e.field() == named.string());
      CHECK(e.message().find("1000 bytes") != std::string::npos);
    }
    CHECK(store.size() == 0);
  };
  SECTION("a snapshot that is a link to /dev/zero") {
    fs::create_symlink("/dev/zero", file);
    refused(file);
  }
  SECTION("a snapshot of 1001 bytes") {
    std::ofstream(file) << snapshot_of(1001);
    REQUIRE(fs::file_size(file) == 1001);
    refused(file);
  }
  SECTION("a journal of 1001 bytes") {
    std::ofstream(server::journal_path(file)) << std::string(1000, '\n') << "\n";
    refused(server::journal_path(file));
  }
  SECTION("1000 bytes are read") {
    std::ofstream(file) << snapshot_of(1000);
    mock::store store(test_options());
    server::state_file state(file, options);
    CHECK_NOTHROW(state.open(store));
  }
}
