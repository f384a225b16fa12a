// The typed C++ API of the mock store: dates, ids, injected clock and id generator, group and
// rule semantics without the wire, fake servers, scopes, and groups handed to the analysis
// engine (the reference evaluator).
#include "fixture.hpp"

#include <secgroup/reference.hpp>
#include <set>

using namespace mock_test;

namespace {

/// Runs `fn` and returns the api_error it throws; fails the test otherwise.
template <class Fn>
mock::api_error api_error_of(Fn&& fn) {
  try {
    fn();
  } catch (const mock::api_error& e) {
    return e;
  }
  FAIL("expected a mock::api_error");
  throw std::logic_error("unreachable");
}

mock::group_spec spec(const std::string& name, const std::string& project = project_a) {
  mock::group_spec s;
  s.name = name;
  s.project = project;
  return s;
}

rule tcp_in(const std::string& cidr, std::uint16_t port, std::uint32_t position = 0) {
  rule r;
  r.protocol = protocol::tcp;
  r.direction = direction::inbound;
  r.action = action::accept;
  r.ip_range = parse_network(cidr);
  r.ports = port_range{port, port};
  r.position = position;
  return r;
}

}  // namespace

TEST_CASE("format_api_date writes UTC with microseconds and +00:00", "[mock][store][dates]") {
  using namespace std::chrono;
  CHECK(mock::format_api_date(system_clock::time_point{}) == "1970-01-01T00:00:00.000000+00:00");
  CHECK(mock::format_api_date(t0()) == "2026-07-30T12:54:21.436730+00:00");
  CHECK(mock::format_api_date(sys_days{year{2024} / 2 / 29} + 23h + 59min + 59s + 999999us) ==
        "2024-02-29T23:59:59.999999+00:00");
  auto clock = mock::stepping_clock(t0(), 1500ms);
  CHECK(mock::format_api_date(clock()) == "2026-07-30T12:54:21.436730+00:00");
  CHECK(mock::format_api_date(clock()) == "2026-07-30T12:54:22.936730+00:00");
}

TEST_CASE("UUIDs: recognised, generated as version 4, seeded generators repeat",
          "[mock][store][ids]") {
  CHECK(mock::is_uuid("11111111-2222-4333-8444-000000000001"));
  CHECK(mock::is_uuid("ABCDEF01-2345-6789-abcd-ef0123456789"));
  CHECK_FALSE(mock::is_uuid("11111111-2222-4333-8444-00000000000"));
  CHECK_FALSE(mock::is_uuid("11111111+2222-4333-8444-000000000001"));
  CHECK_FALSE(mock::is_uuid("g1111111-2222-4333-8444-000000000001"));
  CHECK_FALSE(mock::is_uuid(""));
  CHECK(mock::make_uuid_v4(0, 0) == "00000000-0000-4000-8000-000000000000");
  CHECK(mock::make_uuid_v4(~0ULL, ~0ULL) == "ffffffff-ffff-4fff-bfff-ffffffffffff");
  auto a = mock::seeded_id_generator(7), b = mock::seeded_id_generator(7);
  auto c = mock::random_id_generator();
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    auto id = a();
    CHECK(id == b());
    CHECK(mock::is_uuid(id));
    CHECK(id[14] == '4');
    CHECK(std::string("89ab").find(id[19]) != std::string::npos);
    seen.insert(id);
    seen.insert(c());
  }
  CHECK(seen.size() == 400);
}

TEST_CASE("create_group: the API's defaults, dates from the injected clock",
          "[mock][store][groups]") {
  mock::store s(test_options());
  auto g = s.create_group(zone, spec("web"));
  CHECK(g.id == nth_id(1));
  CHECK(g.name == "web");
  CHECK_FALSE(g.description);
  CHECK(g.project == project_a);
  CHECK(g.organization == project_a);
  CHECK(g.tags.empty());
  CHECK(g.servers.empty());
  CHECK(g.stateful);
  CHECK(g.inbound_default_policy == action::accept);
  CHECK(g.outbound_default_policy == action::accept);
  CHECK_FALSE(g.project_default);
  CHECK_FALSE(g.organization_default);
  CHECK(g.enable_default_security);
  CHECK(g.state == group_state::available);
  CHECK(g.creation_date == std::optional<std::string>(date0));
  CHECK(g.modification_date == std::optional<std::string>(date0));
  CHECK(g.zone == zone);
  CHECK(s.get_group(zone, g.id) == g);

  SECTION("the organization is the project's: named in a body, it must agree") {
    // A project without groups is its organization's default project (same UUID): the body
    // cannot name another organization for it.
    auto named = spec("a", project_b);
    named.organization = org_a;
    auto e = api_error_of([&] { s.create_group(zone, named); });
    CHECK(e.status() == 400);
    CHECK(e.field() == "organization");
    // Outside the caller's projects' organizations it is 403, before any 400.
    mock::scope only_b{std::vector<std::string>{project_b}};
    CHECK(api_error_of([&] { s.create_group(zone, named, only_b); }).status() == 403);
    named.organization = project_b;
    CHECK(s.create_group(zone, named, only_b).organization == project_b);
    CHECK(s.size() == 2);
  }
  SECTION("a project keeps the organization its groups have (restored), in every zone") {
    auto doc = s.snapshot();
    doc["security_groups"][0]["organization"] = org_a;
    s.restore(doc);
    CHECK(s.create_group(zone, spec("b")).organization == org_a);
    CHECK(s.create_group("nl-ams-1", spec("c")).organization == org_a);
    auto named = spec("d");
    named.organization = org_a;
    CHECK(s.create_group(zone, named).organization == org_a);
    named.organization = project_a;  // the project's UUID is not its organization now
    CHECK(api_error_of([&] { s.create_group(zone, named); }).status() == 400);
    // A scope holding project_a may use org_a; one holding only project_b may not.
    named.project = project_b;
    named.organization = org_a;
    mock::scope only_b{std::vector<std::string>{project_b}};
    mock::scope both{std::vector<std::string>{project_a, project_b}};
    CHECK(api_error_of([&] { s.create_group(zone, named, only_b); }).status() == 403);
    CHECK(api_error_of([&] { s.create_group(zone, named, both); }).status() == 400);
    // Organization alone: the project is the organization's default project (same UUID).
    mock::group_spec by_org;
    by_org.name = "e";
    by_org.organization = org_a;
    auto made = s.create_group(zone, by_org);
    CHECK(made.project == org_a);
    CHECK(made.organization == org_a);
  }
  SECTION("the injected clock and id generator can be replaced") {
    s.set_clock([] { return std::chrono::sys_days{std::chrono::year{2030} / 1 / 1}; });
    s.set_id_generator([] { return std::string("9d8c7b6a-5f4e-4d3c-8b2a-190817161514"); });
    auto h = s.create_group(zone, spec("x"));
    CHECK(h.id == "9d8c7b6a-5f4e-4d3c-8b2a-190817161514");
    CHECK(h.creation_date == std::optional<std::string>("2030-01-01T00:00:00.000000+00:00"));
  }
}

TEST_CASE("a generator that repeats ids is asked again, a broken one fails cleanly",
          "[mock][store][ids]") {
  mock::store s(test_options());
  auto first = s.create_group(zone, spec("a"));
  int calls = 0;
  s.set_id_generator([&] { return ++calls < 3 ? first.id : nth_id(42); });
  CHECK(s.create_group(zone, spec("b")).id == nth_id(42));
  CHECK(calls == 3);
  s.set_id_generator([] { return std::string("not-a-uuid"); });
  auto before = s.snapshot();
  auto e = api_error_of([&] { s.create_group(zone, spec("c")); });
  CHECK(e.status() == 500);
  CHECK(e.id() == "secgroup.mock.500");
  CHECK(s.snapshot() == before);
}

TEST_CASE("api_error carries the status, the body and a stable id", "[mock][store][errors]") {
  mock::store s(test_options());
  auto missing = api_error_of([&] { s.get_group(zone, nth_id(9)); });
  CHECK(missing.status() == 404);
  CHECK(missing.type() == "not_found");
  CHECK(missing.id() == "secgroup.lookup.301");
  CHECK(missing.field() == "security_group_id");
  CHECK(std::string(missing.what()).find(nth_id(9)) != std::string::npos);

  auto invalid = api_error_of([&] {
    mock::group_spec bad;
    bad.project = "p";
    s.create_group(zone, bad);
  });
  CHECK(invalid.status() == 400);
  CHECK(invalid.id() == "secgroup.mock.400");
  CHECK(invalid.field() == "name");
  CHECK(invalid.body()["details"].size() == 2);
  CHECK(std::string(invalid.what()).find("and 1 more") != std::string::npos);
  CHECK(s.size() == 0);

  auto zone_error = api_error_of([&] { s.list_groups("fr-par-9"); });
  CHECK(zone_error.field() == "zone");
  CHECK(zone_error.body()["details"][0]["help_message"].get<std::string>().find("fr-par-1") !=
        std::string::npos);
}

TEST_CASE("a store serves only its configured zones", "[mock][store][zones]") {
  auto options = test_options();
  options.zones = {"test-zone-1"};
  mock::store s(std::move(options));
  CHECK(s.zones() == std::vector<std::string>{"test-zone-1"});
  CHECK(s.create_group("test-zone-1", spec("a")).zone == "test-zone-1");
  CHECK(api_error_of([&] { s.create_group(zone, spec("a")); }).status() == 400);
  mock::router api(s);
  CHECK(api.call("GET", "/instance/v1/zones/test-zone-1/security_groups").status == 200);
  CHECK(api.call("GET", base).status == 400);
}

TEST_CASE("typed rules: insert, append, move, delete and set, numbered 1..N",
          "[mock][store][rules]") {
  mock::store s(test_options());
  auto g = s.create_group(zone, spec("web"));
  auto a = s.create_rule(zone, g.id, tcp_in("10.0.0.0/8", 22));
  auto b = s.create_rule(zone, g.id, tcp_in("10.0.0.0/8", 80, 1));
  CHECK(a.position == 1);
  CHECK(b.position == 1);
  CHECK(s.get_rule(zone, g.id, a.id).position == 2);
  auto all = s.list_rules(zone, g.id);
  REQUIRE(all.size() == 8);
  CHECK(all[6].id == b.id);
  CHECK(all[7].id == a.id);

  mock::rule_patch move;
  move.position = 5;
  CHECK(s.update_rule(zone, g.id, b.id, move).position == 2);

  auto c = tcp_in("192.0.2.1/32", 443);
  c.protocol = protocol::icmp;
  auto created = s.create_rule(zone, g.id, c);
  CHECK_FALSE(created.ports);
  CHECK(created.editable);
  CHECK(created.zone == zone);

  rule keep_a = s.get_rule(zone, g.id, a.id);
  keep_a.action = action::drop;
  keep_a.position = 0;
  auto result = s.set_rules(zone, g.id, {tcp_in("0.0.0.0/0", 8080), keep_a});
  REQUIRE(result.size() == 8);
  CHECK(result[6].ports == std::optional<port_range>(port_range{8080, 8080}));
  CHECK(result[6].position == 1);
  CHECK(result[7].id == a.id);
  CHECK(result[7].action == action::drop);
  CHECK(result[7].position == 2);
  s.delete_rule(zone, g.id, result[6].id);
  CHECK(s.get_rule(zone, g.id, a.id).position == 1);
  CHECK(s.get_group(zone, g.id).rules.size() == 1);

  auto bad = tcp_in("10.0.0.0/8", 1);
  bad.ports = port_range{0, 5};
  CHECK(api_error_of([&] { s.create_rule(zone, g.id, bad); }).field() == "dest_port_from");
  bad.ports = port_range{9, 5};
  CHECK(api_error_of([&] { s.create_rule(zone, g.id, bad); }).field() == "dest_port_to");
  bad.ports.reset();
  bad.ip_range.prefix = 40;
  CHECK(api_error_of([&] { s.create_rule(zone, g.id, bad); }).field() == "ip_range");
  auto host_bits = tcp_in("10.0.0.0/8", 1);
  host_bits.ip_range.address = parse_address("10.1.2.3");
  CHECK(to_string(s.create_rule(zone, g.id, host_bits).ip_range) == "10.0.0.0/8");
}

TEST_CASE("groups go straight to the analysis engine", "[mock][store][analysis]") {
  mock::store s(test_options());
  auto g = s.create_group(zone, spec("web"));
  mock::group_patch drop_in;
  drop_in.inbound_default_policy = action::drop;
  s.update_group(zone, g.id, drop_in);
  s.create_rule(zone, g.id, tcp_in("203.0.113.0/24", 22));
  auto model = s.get_group(zone, g.id);
  packet ssh{direction::inbound, ip_proto::tcp, parse_address("203.0.113.9"), 22};
  packet other{direction::inbound, ip_proto::tcp, parse_address("198.51.100.1"), 22};
  packet smtp{direction::outbound, ip_proto::tcp, parse_address("192.0.2.1"), 25};
  packet web{direction::outbound, ip_proto::tcp, parse_address("192.0.2.1"), 443};
  CHECK(evaluate_reference(model, ssh).action == action::accept);
  CHECK(evaluate_reference(model, other).action == action::drop);
  CHECK(evaluate_reference(model, smtp).action == action::drop);  // a default SMTP rule
  CHECK(evaluate_reference(model, web).action == action::accept);
  auto groups = s.groups();
  REQUIRE(groups.size() == 1);
  CHECK(groups[0] == model);
}

TEST_CASE("servers: attaching moves a server, keeps dates, and blocks deletion",
          "[mock][store][servers]") {
  mock::store s(test_options());
  auto a = s.create_group(zone, spec("a"));
  auto b = s.create_group(zone, spec("b"));
  const server_ref srv{"11a2b3c4-d5e6-4f70-8190-a0b1c2d3e4f5", "srv"};
  s.attach_server(zone, a.id, srv);
  CHECK(s.get_group(zone, a.id).servers == std::vector<server_ref>{srv});
  CHECK(s.get_group(zone, a.id).modification_date == a.modification_date);
  s.attach_server(zone, b.id, srv);
  CHECK(s.get_group(zone, a.id).servers.empty());
  CHECK(s.get_group(zone, b.id).servers == std::vector<server_ref>{srv});
  s.delete_group(zone, a.id);
  auto in_use = api_error_of([&] { s.delete_group(zone, b.id); });
  CHECK(in_use.status() == 409);
  CHECK(in_use.id() == "secgroup.mock.409");
  CHECK(in_use.type() == "conflict");
  CHECK(api_error_of([&] { s.detach_server(zone, b.id, nth_id(77)); }).status() == 404);
  CHECK(api_error_of([&] { s.attach_server(zone, b.id, {"x", "y"}); }).status() == 400);
  s.detach_server(zone, b.id, srv.id);
  s.delete_group(zone, b.id);
  CHECK(s.size() == 0);
}

TEST_CASE("scopes: other projects' groups are 403, lists show only the scope",
          "[mock][store][scope]") {
  mock::store s(test_options());
  auto mine = s.create_group(zone, spec("mine"));
  auto theirs = s.create_group(zone, spec("theirs", project_b));
  mock::scope who{std::vector<std::string>{project_a}};
  auto listed = s.list_groups(zone, {}, who);
  CHECK(listed.total_count == 1);
  CHECK(listed.security_groups.at(0).id == mine.id);
  CHECK(api_error_of([&] { s.get_group(zone, theirs.id, who); }).status() == 403);
  CHECK(api_error_of([&] { s.list_rules(zone, theirs.id, 1, 100, who); }).status() == 403);
  CHECK(api_error_of([&] { s.create_group(zone, spec("x", project_b), who); }).status() == 403);
  mock::group_filter other;
  other.project = project_b;
  CHECK(api_error_of([&] { s.list_groups(zone, other, who); }).status() == 403);
  CHECK(api_error_of([&] { s.delete_group(zone, nth_id(99), who); }).status() == 404);
  CHECK(s.size() == 2);
}
