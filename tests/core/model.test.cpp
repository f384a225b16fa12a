// The model: enums, port ranges, rules, default rules, groups and rule order, error ids.
#include <cctype>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <secgroup/secgroup.hpp>

using namespace secgroup;

namespace {

rule user_rule(std::string id, std::uint32_t position, action a = action::accept) {
  rule r;
  r.id = std::move(id);
  r.position = position;
  r.action = a;
  return r;
}

std::vector<std::string> ids_of(const std::vector<rule>& rules) {
  std::vector<std::string> ids;
  for (const auto& r : rules) ids.push_back(r.id);
  return ids;
}

}  // namespace

// -- Enums -------------------------------------------------------------------------------

TEST_CASE("model: protocols parse case-insensitively and print uppercase", "[model]") {
  struct sample {
    const char* text;
    protocol p;
  };
  auto s = GENERATE(values<sample>({{"TCP", protocol::tcp},
                                    {"tcp", protocol::tcp},
                                    {"Tcp", protocol::tcp},
                                    {"udp", protocol::udp},
                                    {"UDP", protocol::udp},
                                    {"icmp", protocol::icmp},
                                    {"IcMp", protocol::icmp},
                                    {"any", protocol::any},
                                    {"ANY", protocol::any}}));
  CAPTURE(s.text);
  CHECK(parse_protocol(s.text) == s.p);
  CHECK(parse_protocol(to_string(s.p)) == s.p);
}

TEST_CASE("model: canonical enum names", "[model]") {
  CHECK(to_string(protocol::tcp) == "TCP");
  CHECK(to_string(protocol::udp) == "UDP");
  CHECK(to_string(protocol::icmp) == "ICMP");
  CHECK(to_string(protocol::any) == "ANY");
  CHECK(to_string(direction::inbound) == "inbound");
  CHECK(to_string(direction::outbound) == "outbound");
  CHECK(to_string(action::accept) == "accept");
  CHECK(to_string(action::drop) == "drop");
  CHECK((!action::accept) == action::drop);
  CHECK((!action::drop) == action::accept);
  CHECK(to_string(group_state::syncing_error) == "syncing_error");
}

TEST_CASE("model: unknown protocol names are rejected with the allowed values", "[model]") {
  auto text = GENERATE(as<std::string>{}, "", "tcp ", " tcp", "icmpv6", "ALL", "6", "tc",
                       "tcpp", "t\xc3\xa7p");
  CAPTURE(text);
  try {
    parse_protocol(text, "rules[4].protocol");
    FAIL("accepted '" << text << "'");
  } catch (const parse_error& e) {
    CHECK(e.id() == "secgroup.parse.103");
    CHECK(e.field() == "rules[4].protocol");
    const std::string m = e.message();
    for (const char* allowed : {"TCP", "UDP", "ICMP", "ANY"})
      CHECK(m.find(allowed) != std::string::npos);
  }
}

TEST_CASE("model: directions and actions parse case-insensitively", "[model]") {
  CHECK(parse_direction("inbound") == direction::inbound);
  CHECK(parse_direction("INBOUND") == direction::inbound);
  CHECK(parse_direction("OutBound") == direction::outbound);
  CHECK(parse_action("accept") == action::accept);
  CHECK(parse_action("DROP") == action::drop);
  CHECK(parse_action("Drop") == action::drop);
  CHECK(parse_group_state("SYNCING") == group_state::syncing);
  CHECK(parse_group_state("syncing_error") == group_state::syncing_error);

  try {
    parse_direction("in", "rules[0].direction");
    FAIL("accepted 'in'");
  } catch (const parse_error& e) {
    CHECK(e.id() == "secgroup.parse.103");
    CHECK(e.field() == "rules[0].direction");
    CHECK(e.message().find("inbound") != std::string::npos);
    CHECK(e.message().find("outbound") != std::string::npos);
  }
  try {
    parse_action("allow");
    FAIL("accepted 'allow'");
  } catch (const parse_error& e) {
    CHECK(e.id() == "secgroup.parse.103");
    CHECK(e.field() == "action");  // the default field name
    CHECK(e.message().find("accept") != std::string::npos);
    CHECK(e.message().find("drop") != std::string::npos);
    CHECK(e.message().find("'allow'") != std::string::npos);
  }
  CHECK_THROWS_AS(parse_group_state("ready"), parse_error);
}

TEST_CASE("model: engine and evaluator names parse case-insensitively", "[model]") {
  for (auto e : all_engines) {
    CHECK(parse_engine(to_string(e)) == e);
    std::string upper(to_string(e));
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CHECK(parse_engine(upper) == e);
  }
  CHECK(parse_engine("Interval") == engine::interval);
  CHECK(parse_engine("Z3") == engine::z3);
  CHECK(parse_evaluator("compiled") == evaluator::compiled);
  CHECK(parse_evaluator("REFERENCE") == evaluator::reference);
  CHECK(to_string(evaluator::reference) == "reference");
  try {
    parse_engine("smt");
    FAIL("accepted 'smt'");
  } catch (const parse_error& e) {
    CHECK(std::string(e.what()) ==
          "[secgroup.parse.103] engine: unknown engine 'smt' (expected interval or z3)");
  }
  try {
    parse_evaluator("fast", "engine");
    FAIL("accepted 'fast'");
  } catch (const parse_error& e) {
    CHECK(std::string(e.what()) ==
          "[secgroup.parse.103] engine: unknown evaluator 'fast' (expected compiled or reference)");
  }
  CHECK_THROWS_AS(parse_engine("z3 "), parse_error);
  CHECK_THROWS_AS(parse_evaluator(""), parse_error);
}

// -- Port ranges -------------------------------------------------------------------------

TEST_CASE("model: make_port_range follows the API's nullable fields", "[model][ports]") {
  using opt = std::optional<std::int64_t>;
  CHECK_FALSE(make_port_range(std::nullopt, std::nullopt));
  CHECK_FALSE(make_port_range(opt{0}, opt{0}));
  CHECK_FALSE(make_port_range(opt{0}, std::nullopt));
  CHECK_FALSE(make_port_range(std::nullopt, opt{0}));
  CHECK(make_port_range(opt{22}, std::nullopt) == port_range{22, 22});
  CHECK(make_port_range(opt{22}, opt{0}) == port_range{22, 22});
  CHECK(make_port_range(opt{22}, opt{22}) == port_range{22, 22});
  CHECK(make_port_range(opt{1}, opt{1024}) == port_range{1, 1024});
  CHECK(make_port_range(opt{1}, opt{65535}) == port_range{1, 65535});
  CHECK(make_port_range(opt{65535}, std::nullopt) == port_range{65535, 65535});
  CHECK(make_port_range(opt{65535}, opt{65535}) == port_range{65535, 65535});
  CHECK(make_port_range(opt{22}, opt{22})->single());
  CHECK_FALSE(make_port_range(opt{22}, opt{23})->single());
}

TEST_CASE("model: make_port_range rejects bad ports and names the field", "[model][ports]") {
  using opt = std::optional<std::int64_t>;
  struct sample {
    opt from, to;
    const char* id;
    const char* field;
  };
  auto s = GENERATE(values<sample>({
      {opt{70000}, std::nullopt, "secgroup.validation.201", "rules[1].dest_port_from"},
      {opt{65536}, opt{65536}, "secgroup.validation.201", "rules[1].dest_port_from"},
      {opt{1}, opt{70000}, "secgroup.validation.201", "rules[1].dest_port_to"},
      {opt{-1}, std::nullopt, "secgroup.validation.201", "rules[1].dest_port_from"},
      {opt{22}, opt{-5}, "secgroup.validation.201", "rules[1].dest_port_to"},
      {opt{100}, opt{99}, "secgroup.validation.202", "rules[1].dest_port_to"},
      {opt{65535}, opt{1}, "secgroup.validation.202", "rules[1].dest_port_to"},
      {std::nullopt, opt{80}, "secgroup.validation.202", "rules[1].dest_port_from"},
      {opt{0}, opt{80}, "secgroup.validation.202", "rules[1].dest_port_from"},
  }));
  CAPTURE(s.from.value_or(-999), s.to.value_or(-999));
  try {
    make_port_range(s.from, s.to, "rules[1].dest_port_from", "rules[1].dest_port_to");
    FAIL("accepted");
  } catch (const validation_error& e) {
    CHECK(e.id() == s.id);
    CHECK(e.field() == s.field);
  }
}

TEST_CASE("model: parse_port_range reads N and A-B as make_port_range does", "[model][ports]") {
  CHECK(parse_port_range("22") == port_range{22, 22});
  CHECK(parse_port_range(" 1 - 1024 ") == port_range{1, 1024});
  CHECK(parse_port_range("8080-8080") == port_range{8080, 8080});
  CHECK_FALSE(parse_port_range("0"));  // 0 is unset
  struct sample {
    const char* text;
    const char* id;
  };
  auto s = GENERATE(values<sample>({{"", "secgroup.parse.107"},
                                    {"x", "secgroup.parse.107"},
                                    {"-22", "secgroup.parse.107"},
                                    {"22-", "secgroup.parse.107"},
                                    {"022", "secgroup.parse.107"},
                                    {"1-2-3", "secgroup.parse.107"},
                                    {"1000000", "secgroup.parse.107"},
                                    {"70000", "secgroup.validation.201"},
                                    {"30-20", "secgroup.validation.202"},
                                    {"0-80", "secgroup.validation.202"}}));
  CAPTURE(s.text);
  try {
    parse_port_range(s.text, "rules[0].ports");
    FAIL("accepted");
  } catch (const error& e) {
    CHECK(e.id() == s.id);
    CHECK(e.field() == "rules[0].ports");
  }
  try {
    parse_port_range("1-x");
    FAIL("accepted '1-x'");
  } catch (const parse_error& e) {
    CHECK(std::string(e.what()) == "[secgroup.parse.107] ports: invalid ports '1-x'");
  }
}

TEST_CASE("model: port range text", "[model][ports]") {
  CHECK(to_string(std::optional<port_range>{}) == "all");
  CHECK(to_string(std::optional<port_range>{port_range{22, 22}}) == "22");
  CHECK(to_string(std::optional<port_range>{port_range{1, 1024}}) == "1-1024");
  port_range r{10, 20};
  CHECK_FALSE(r.contains(9));
  CHECK(r.contains(10));
  CHECK(r.contains(20));
  CHECK_FALSE(r.contains(21));
  CHECK_FALSE(port_range{1, 65535}.contains(0));
  CHECK(port_range{1, 65535}.contains(65535));
}

// -- Rules -------------------------------------------------------------------------------

TEST_CASE("model: normalize clears the ports of ICMP and ANY rules only", "[model]") {
  rule r;
  r.ports = port_range{22, 80};
  for (auto p : {protocol::tcp, protocol::udp, protocol::icmp, protocol::any}) {
    r.protocol = p;
    auto n = normalize(r);
    bool keeps = p == protocol::tcp || p == protocol::udp;
    CAPTURE(to_string(p));
    CHECK(n.ports.has_value() == keeps);
    CHECK(n.has_ports() == keeps);
    CHECK(r.has_ports() == keeps);  // has_ports ignores ports a protocol cannot carry
    CHECK(normalize(n) == n);       // idempotent
  }
  r.protocol = protocol::tcp;
  r.ports.reset();
  CHECK_FALSE(r.has_ports());
}

TEST_CASE("model: rule text", "[model]") {
  rule r;
  r.direction = direction::inbound;
  r.action = action::accept;
  r.protocol = protocol::tcp;
  r.ip_range = parse_network("10.0.0.0/8");
  r.ports = port_range{22, 22};
  CHECK(to_string(r) == "inbound accept TCP 10.0.0.0/8 22");
  r.ports = port_range{1, 1024};
  r.direction = direction::outbound;
  r.action = action::drop;
  r.ip_range = parse_network("2001:db8::1");
  CHECK(to_string(r) == "outbound drop TCP 2001:db8::1 1-1024");
  r.protocol = protocol::icmp;
  CHECK(to_string(r) == "outbound drop ICMP 2001:db8::1");
  r.protocol = protocol::udp;
  r.ports.reset();
  CHECK(to_string(r) == "outbound drop UDP 2001:db8::1");
}

// -- Default rules -----------------------------------------------------------------------

TEST_CASE("model: the six default SMTP rules", "[model][defaults]") {
  auto d = default_rules("nl-ams-1");
  REQUIRE(d.size() == 6);
  const std::array<const char*, 6> ids{
      "11111111-2222-4333-8444-000000000001", "11111111-2222-4333-8444-000000000002",
      "11111111-2222-4333-8444-000000000003", "11111111-2222-4333-8444-000000000004",
      "11111111-2222-4333-8444-000000000005", "11111111-2222-4333-8444-000000000006"};
  const std::array<std::uint16_t, 6> ports{25, 465, 587, 25, 465, 587};
  for (std::size_t i = 0; i < 6; ++i) {
    CAPTURE(i);
    CHECK(d[i].id == ids[i]);
    CHECK(is_default_rule_id(ids[i]));
    CHECK(d[i].position == i + 1);
    CHECK(d[i].protocol == protocol::tcp);
    CHECK(d[i].direction == direction::outbound);
    CHECK(d[i].action == action::drop);
    CHECK(d[i].ip_range == parse_network(i < 3 ? "0.0.0.0/0" : "::/0"));
    CHECK(d[i].ports == port_range{ports[i], ports[i]});
    CHECK_FALSE(d[i].editable);
    CHECK(d[i].zone == "nl-ams-1");
  }
  CHECK_FALSE(is_default_rule_id("11111111-2222-4333-8444-000000000007"));
  CHECK_FALSE(is_default_rule_id("11111111-2222-4333-8444-00000000000"));
  CHECK_FALSE(is_default_rule_id(""));
}

TEST_CASE("model: group defaults are the API's", "[model]") {
  security_group g;
  CHECK(g.stateful);
  CHECK(g.inbound_default_policy == action::accept);
  CHECK(g.outbound_default_policy == action::accept);
  CHECK(g.enable_default_security);
  CHECK_FALSE(g.description);
  CHECK(g.tags.empty());
  CHECK(g.servers.empty());
  CHECK(g.state == group_state::available);
  CHECK(g.zone == "fr-par-1");
  g.inbound_default_policy = action::drop;
  CHECK(g.default_policy(direction::inbound) == action::drop);
  CHECK(g.default_policy(direction::outbound) == action::accept);
}

TEST_CASE("model: ordered_rules puts defaults first iff enabled, then users by position",
          "[model][order]") {
  security_group g;
  g.rules = {user_rule("a", 3), user_rule("b", 1), user_rule("c", 2), user_rule("d", 1),
             user_rule("e", 3), user_rule("f", 2)};
  const std::vector<std::string> users{"b", "d", "c", "f", "a", "e"};  // ties in stored order

  g.enable_default_security = false;
  CHECK(ids_of(ordered_rules(g)) == users);

  g.enable_default_security = true;
  auto rules = ordered_rules(g);
  REQUIRE(rules.size() == 12);
  for (std::size_t i = 0; i < 6; ++i) CHECK(rules[i].id == default_rule_ids[i]);
  auto ids = ids_of(rules);
  CHECK(std::vector<std::string>(ids.begin() + 6, ids.end()) == users);
  CHECK(rules[0].zone == g.zone);
}

TEST_CASE("model: is_default_rule needs the default rule's content, not only its id",
          "[model][order]") {
  for (std::size_t k = 0; k < 6; ++k) {
    CAPTURE(k);
    const auto d = default_rule(k, "nl-ams-1");
    CHECK(d == default_rules("nl-ams-1")[k]);
    CHECK(default_rule_index(d.id) == k);
    CHECK(is_default_rule(d));
    auto bookkeeping = d;  // position, editable and zone decide nothing
    bookkeeping.position = 42;
    bookkeeping.editable = true;
    bookkeeping.zone = "";
    CHECK(is_default_rule(bookkeeping));
    auto other = d;
    other.direction = direction::inbound;
    CHECK_FALSE(is_default_rule(other));
    other = d;
    other.action = action::accept;
    CHECK_FALSE(is_default_rule(other));
    other = d;
    other.protocol = protocol::udp;
    CHECK_FALSE(is_default_rule(other));
    other = d;
    other.ip_range = parse_network(k < 3 ? "10.0.0.0/8" : "2001:db8::/32");
    CHECK_FALSE(is_default_rule(other));
    other = d;
    other.ports = port_range{22, 22};
    CHECK_FALSE(is_default_rule(other));
    other = d;
    other.ports.reset();
    CHECK_FALSE(is_default_rule(other));
    other = d;
    other.id = std::string(default_rule_ids[(k + 1) % 6]);  // another default rule's id
    CHECK_FALSE(is_default_rule(other));
    other.id = "a-user-rule";
    CHECK_FALSE(is_default_rule(other));
  }
  CHECK_FALSE(default_rule_index("11111111-2222-4333-8444-000000000007"));
}

TEST_CASE("model: a rule bearing a default id with other content is an ordinary user rule",
          "[model][order]") {
  // Issue 12, item 9: such a rule used to vanish from ordered_rules(), hiding an inbound accept.
  security_group g;
  auto fake = user_rule(std::string(default_rule_ids[0]), 1, action::accept);
  g.rules = {user_rule("u1", 2), fake, user_rule("u0", 1)};
  for (bool enabled : {true, false}) {
    g.enable_default_security = enabled;
    CAPTURE(enabled);
    const auto rules = ordered_rules(g);
    auto ids = ids_of(rules);
    const std::size_t users = enabled ? 6 : 0;
    REQUIRE(ids.size() == users + 3);
    CHECK(std::count(ids.begin(), ids.end(), std::string(default_rule_ids[0])) ==
          (enabled ? 2 : 1));
    // Position 1, stored before u0 (also position 1): ties keep stored order.
    CHECK(rules[users] == fake);
    CHECK(ids[users + 1] == "u0");
    CHECK(ids.back() == "u1");
    if (enabled) CHECK(rules[0] == default_rule(0, g.zone));
  }
}

TEST_CASE("model: a stored copy of a default rule is listed once", "[model][order]") {
  security_group g;
  auto copy = default_rule(1, g.zone);
  copy.position = 2;
  g.rules = {user_rule("u1", 1), copy};
  g.enable_default_security = true;
  auto ids = ids_of(ordered_rules(g));
  CHECK(ids.size() == 7u);  // the flag implies it already: the copy could decide nothing
  CHECK(std::count(ids.begin(), ids.end(), copy.id) == 1);
  g.enable_default_security = false;
  auto rules = ordered_rules(g);
  REQUIRE(rules.size() == 2u);  // without the flag, the stored rule is the only one: kept
  CHECK(rules[1] == copy);
}

TEST_CASE("model: ordered_rules normalises the rules it returns", "[model][order]") {
  security_group g;
  g.enable_default_security = false;
  auto r = user_rule("icmp", 1);
  r.protocol = protocol::icmp;
  r.ports = port_range{1, 2};
  g.rules = {r};
  CHECK_FALSE(ordered_rules(g)[0].ports);
  CHECK(g.rules[0].ports);  // the group itself is left as stored
}

// -- Groups, lookup and errors -----------------------------------------------------------

TEST_CASE("model: select_group prefers ids, then a unique name", "[model][lookup]") {
  std::vector<security_group> groups(3);
  groups[0].id = "id-0";
  groups[0].name = "web";
  groups[1].id = "id-1";
  groups[1].name = "db";
  groups[2].id = "id-2";
  groups[2].name = "web";
  CHECK(&select_group(groups, "id-1") == &groups[1]);
  CHECK(&select_group(groups, "db") == &groups[1]);
  CHECK(&select_group(groups, "id-2") == &groups[2]);
  try {
    select_group(groups, "web", "--group");
    FAIL("ambiguous name accepted");
  } catch (const lookup_error& e) {
    CHECK(e.id() == "secgroup.lookup.302");
    CHECK(e.field() == "--group");
  }
  try {
    select_group(groups, "cache");
    FAIL("unknown name accepted");
  } catch (const lookup_error& e) {
    CHECK(e.id() == "secgroup.lookup.301");
    CHECK(e.field() == "group");
    CHECK(e.message().find("db") != std::string::npos);  // lists the candidates
  }
  groups[1].name = "id-0";  // an id wins over a name
  CHECK(&select_group(groups, "id-0") == &groups[0]);
  CHECK_THROWS_AS(select_group({}, "x"), lookup_error);
}

TEST_CASE("model: lookup errors list ten candidates, then how many more", "[model][lookup]") {
  std::vector<security_group> groups(25);
  for (std::size_t i = 0; i < groups.size(); ++i) groups[i].name = "g" + std::to_string(i);
  groups[3].name.clear();
  groups[3].id = "id-3";  // a group without a name is listed by id
  const std::string listed = "g0, g1, g2, id-3, g4, g5, g6, g7, g8, g9, and 15 more";
  try {
    select_group(groups, "cache");
    FAIL("unknown name accepted");
  } catch (const lookup_error& e) {
    CHECK(e.message() == "no group has id or name 'cache' (groups: " + listed + ")");
  }
  try {
    pick_group(groups, std::nullopt, "--group", "f.json", "the file", "choose one with --group");
    FAIL("several groups accepted without a key");
  } catch (const lookup_error& e) {
    CHECK(e.message() == "the file holds 25 groups; choose one with --group (" + listed + ")");
  }
  groups.resize(10);  // ten or fewer: every one
  CHECK_THROWS_WITH(pick_group(groups, std::nullopt, "--group", "f.json", "the file", "choose"),
                    Catch::EndsWith("(g0, g1, g2, id-3, g4, g5, g6, g7, g8, g9)"));
}

TEST_CASE("model: errors format id, field and message", "[model][errors]") {
  parse_error e(errc::bad_cidr, "rules[2].ip_range", "invalid CIDR");
  CHECK(std::string(e.what()) == "[secgroup.parse.102] rules[2].ip_range: invalid CIDR");
  validation_error v(errc::port_order, "", "bad");
  CHECK(std::string(v.what()) == "[secgroup.validation.202] bad");
  CHECK(v.field().empty());
  CHECK(v.message() == "bad");
}

TEST_CASE("model: with_field_prefix builds nested field paths", "[model][errors]") {
  auto rethrown = [](const std::string& outer, const std::string& inner) {
    try {
      with_field_prefix(outer, [&]() -> int {
        throw parse_error(errc::bad_enum, inner, "m");
      });
    } catch (const parse_error& e) {
      CHECK(e.id() == "secgroup.parse.103");
      CHECK(e.message() == "m");
      return e.field();
    }
    return std::string("<no exception>");
  };
  CHECK(rethrown("security_groups[1]", "rules[0].protocol") ==
        "security_groups[1].rules[0].protocol");
  CHECK(rethrown("rules", "[3].action") == "rules[3].action");
  CHECK(rethrown("rules[3]", "") == "rules[3]");
  CHECK(with_field_prefix("x", [] { return 42; }) == 42);
  CHECK_THROWS_AS(with_field_prefix("x", []() -> int {
                    throw validation_error(errc::port_out_of_range, "to", "m");
                  }),
                  validation_error);
  try {
    with_field_prefix("rules[0]", [] {
      return make_port_range(std::int64_t{5}, std::int64_t{4});
    });
    FAIL("5-4 accepted");
  } catch (const validation_error& e) {
    CHECK(e.field() == "rules[0].dest_port_to");
  }
}
