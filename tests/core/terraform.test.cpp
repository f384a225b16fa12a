// Terraform as a source: partial groups and their three-valued reference (exact against every
// completion of the unknowns), the provider's expansion of rule blocks (spec §A, row by row),
// the example plan, state and state file of examples/terraform (hand-checked groups), module,
// count and for_each addresses, links between groups and rules resources, unknowns, every
// error class, and the cross-checks: state = API export, state = a completion of the plan.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <secgroup/io/json.hpp>
#include <secgroup/io/source.hpp>
#include <secgroup/io/terraform.hpp>
#include <secgroup/partial_group.hpp>
#include <secgroup/reference.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/random_groups.hpp"

using namespace secgroup;

// Everything, test cases included, lives in a named namespace: the suite may be compiled as
// one unit (SECGROUP_UNITY), where the anonymous helpers of other files (in, pk, make_rule)
// are visible at global scope.
namespace tf_test {

namespace fs = std::filesystem;
const fs::path example_dir = fs::path(SECGROUP_SOURCE_DIR) / "examples" / "terraform";
constexpr auto in = direction::inbound;
constexpr auto out = direction::outbound;
constexpr auto accept = action::accept;
constexpr auto drop = action::drop;
constexpr const char* sg = "scaleway_instance_security_group";
constexpr const char* sgr = "scaleway_instance_security_group_rules";

/// Runs `fn` and returns the exception of type E it throws; fails the test otherwise.
template <class E, class Fn>
E thrown_by(Fn&& fn) {
  try {
    fn();
  } catch (const E& e) {
    return e;
  }
  FAIL("expected an exception, none was thrown");
  throw std::logic_error("unreachable");
}

#define TF_CHECK_ERROR(Type, expr, expected_id, expected_field) \
  do {                                                          \
    auto e_ = tf_test::thrown_by<Type>([&] { (void)(expr); });  \
    CHECK(std::string(e_.id()) == std::string(expected_id));    \
    CHECK(e_.field() == std::string(expected_field));           \
  } while (0)

/// A rule block as state writes it (every key, zero values) with `overrides` merged in.
json block(const json& overrides = json::object()) {
  json b = json::parse(R"({"action": "accept", "ip": "", "ip_range": "", "port": 0,
                           "port_range": "", "protocol": "TCP"})");
  for (auto it = overrides.begin(); it != overrides.end(); ++it) b[it.key()] = it.value();
  return b;
}

/// The expected rule: `net` in text, ports [from, to] (0 = none).
rule make_rule(direction d, action a, protocol p, const char* net, std::uint16_t from = 0,
               std::uint16_t to = 0, std::uint32_t position = 0, const char* zone = "") {
  rule r;
  r.direction = d;
  r.action = a;
  r.protocol = p;
  r.ip_range = parse_network(net);
  if (from) r.ports = port_range{from, to ? to : from};
  r.position = position;
  r.zone = zone;
  return r;
}

/// A group's values as state writes them, with `overrides` merged in.
json sg_values(const json& overrides = json::object()) {
  json v = json::parse(R"({"description": null, "enable_default_security": true,
      "external_rules": false, "id": "fr-par-1/11111111-1111-4111-8111-111111111111",
      "inbound_default_policy": "accept", "inbound_rule": [], "name": "g",
      "organization_id": "p", "outbound_default_policy": "accept", "outbound_rule": [],
      "project_id": "p", "stateful": true, "tags": [], "timeouts": null, "zone": "fr-par-1"})");
  for (auto it = overrides.begin(); it != overrides.end(); ++it) v[it.key()] = it.value();
  return v;
}

/// A rules resource's values as state writes them.
json rules_values(const std::string& group_id, const json& inbound,
                  const json& outbound = json::array()) {
  return json{{"id", group_id},
              {"inbound_rule", inbound},
              {"outbound_rule", outbound},
              {"security_group_id", group_id},
              {"timeouts", nullptr}};
}

/// A resource entry of `terraform show -json` state.
json state_resource(const std::string& module, const std::string& type, const std::string& name,
                    const json& values, const json& index = nullptr) {
  std::string address = (module.empty() ? "" : module + ".") + type + "." + name;
  json r = json::object();
  if (!index.is_null()) address += "[" + index.dump() + "]";
  r["address"] = address;
  r["mode"] = "managed";
  r["type"] = type;
  r["name"] = name;
  if (!index.is_null()) r["index"] = index;
  r["provider_name"] = "registry.terraform.io/scaleway/scaleway";
  r["schema_version"] = 0;
  r["values"] = values;
  return r;
}

/// A state document of root resources `root` and child modules `children`.
json state_doc(const json& root, const json& children = json::array()) {
  json doc = json::object();
  doc["format_version"] = "1.0";
  doc["terraform_version"] = "1.13.2";
  doc["values"] = json{{"root_module", json{{"resources", root}, {"child_modules", children}}}};
  return doc;
}

/// A resource_changes entry.
json change(const std::string& address, const std::string& type, const std::string& name,
            const json& actions, const json& before, const json& after,
            const json& after_unknown = json::object(), const std::string& module = "") {
  json rc = json::object();
  rc["address"] = address;
  if (!module.empty()) rc["module_address"] = module;
  rc["mode"] = "managed";
  rc["type"] = type;
  rc["name"] = name;
  rc["change"] = json{
      {"actions", actions}, {"before", before}, {"after", after}, {"after_unknown", after_unknown}};
  return rc;
}

/// A plan document of `changes` with an optional configuration root module.
json plan_doc(const json& changes, const json& root_module = nullptr) {
  json doc = json::object();
  doc["format_version"] = "1.2";
  doc["terraform_version"] = "1.13.2";
  doc["resource_changes"] = changes;
  if (!root_module.is_null()) doc["configuration"] = json{{"root_module", root_module}};
  doc["applyable"] = true;
  doc["complete"] = true;
  doc["errored"] = false;
  return doc;
}

const terraform_group& group_at(const terraform_document& d, const std::string& address) {
  for (const auto& g : d.groups)
    if (g.address == address) return g;
  FAIL("no group " << address);
  throw std::logic_error("unreachable");
}

std::vector<std::string> addresses(const terraform_document& d) {
  std::vector<std::string> v;
  for (const auto& g : d.groups) v.push_back(g.address);
  return v;
}

std::vector<std::string> note_fields(const std::vector<terraform_note>& notes) {
  std::vector<std::string> v;
  for (const auto& n : notes) v.push_back(n.field);
  return v;
}

std::vector<rule> user_rules(const partial_group& g) {
  std::vector<rule> v;
  for (const auto& r : g.rules) v.push_back(r.value);
  return v;
}

packet pk(direction d, std::uint8_t proto, const char* remote, std::uint16_t port = 0) {
  return {d, proto, parse_address(remote), port};
}

/// Packets on the edges of every rule of `g`, plus a few away from all of them.
std::vector<packet> packets_for(const security_group& g) {
  auto result = secgroup_test::edge_packets(g);
  for (direction d : {in, out})
    for (const char* a : {"0.0.0.0", "192.0.2.1", "255.255.255.255", "::", "2001:db8::1"})
      for (std::uint8_t p : {ip_proto::tcp, ip_proto::udp, ip_proto::icmp, std::uint8_t{47}})
        result.push_back({d, p, parse_address(a), 443});
  return result;
}

// -- §A: one rule block, as the provider expands it ------------------------------------------

/// Expands `b` (a block in state form with overrides) and returns the rule and its notes.
std::pair<partial_rule, std::vector<terraform_note>> expand(const json& overrides, direction d = in,
                                                            const json& unknown = json()) {
  std::vector<terraform_note> notes;
  auto r = expand_terraform_rule(block(overrides), d, unknown, "x", &notes);
  return {r, notes};
}

std::optional<port_range> ports_of(const json& overrides) {
  auto [r, notes] = expand(overrides);
  REQUIRE_FALSE(r.unknown.any());
  return r.value.ports;
}

TEST_CASE("§A ports: port_range over port, single ports, all ports", "[terraform][provider]") {
  using P = std::optional<port_range>;
  CHECK(ports_of({{"port", 22}, {"port_range", "80-90"}}) == P(port_range{80, 90}));
  CHECK(ports_of({{"port", 22}}) == P(port_range{22, 22}));
  CHECK(ports_of({{"port", 22}, {"port_range", nullptr}}) == P(port_range{22, 22}));
  CHECK(ports_of({{"port_range", "22-22"}}) == P(port_range{22, 22}));
  CHECK(ports_of({{"port_range", "1-65535"}}) == P(port_range{1, 65535}));
  CHECK(ports_of({}) == P());                                            // nothing: every port
  CHECK(ports_of({{"port", 0}, {"port_range", ""}}) == P());             // state's zeros
  CHECK(ports_of({{"port", nullptr}, {"port_range", nullptr}}) == P());  // a new block's nulls
  // A canonical range gives no port note; only the missing range is noted.
  auto [r, notes] = expand({{"port", 22}, {"port_range", "22-22"}});
  CHECK(note_fields(notes) == std::vector<std::string>{"ip_range"});
}

TEST_CASE("§A ports: port_range read as fmt.Sscanf(\"%d-%d\") with errors ignored",
          "[terraform][provider]") {
  using P = std::optional<port_range>;
  struct row {
    const char* text;
    P ports;
  };
  for (auto [text, ports] :
       {row{"80", port_range{80, 80}},       // no end: dest_port_to 0
        row{"ssh", P()},                     // nothing scans: every port
        row{"-5", P()},                      // no sign for uint32
        row{" 80-90", port_range{80, 90}},   // leading blanks skipped
        row{"80 - 90", port_range{80, 80}},  // '-' must follow at once
        row{"80-", port_range{80, 80}}, row{"80-90x", port_range{80, 90}},  // the rest is ignored
        row{"99999999999-1", P()}}) {  // overflow: nothing assigned
    INFO(text);
    auto [r, notes] = expand({{"port", 22}, {"port_range", text}});
    REQUIRE_FALSE(r.unknown.ports);
    CHECK(r.value.ports == ports);
    REQUIRE(notes.size() >= 1);
    CHECK(notes[0].field == "port_range");
  }
  // A canonical range carries no port note.
  auto [r, notes] = expand({{"port_range", "8000-8080"}, {"ip_range", "10.0.0.0/8"}});
  CHECK(notes.empty());
}

TEST_CASE("§A ports whose effect at the API is not known are errors", "[terraform][provider]") {
  TF_CHECK_ERROR(validation_error, expand({{"port_range", "90-80"}}), errc::port_order,
                 "port_range");
  TF_CHECK_ERROR(validation_error, expand({{"port_range", "0-80"}}), errc::port_order,
                 "port_range");
  TF_CHECK_ERROR(validation_error, expand({{"port_range", "80-70000"}}), errc::port_out_of_range,
                 "port_range");
  TF_CHECK_ERROR(validation_error, expand({{"port", 70000}}), errc::port_out_of_range, "port");
  TF_CHECK_ERROR(validation_error, expand({{"port", -1}}), errc::port_out_of_range, "port");
  TF_CHECK_ERROR(parse_error, expand({{"port", "22"}}), errc::wrong_type, "port");
  TF_CHECK_ERROR(parse_error, expand({{"port", 22.5}}), errc::wrong_type, "port");
  TF_CHECK_ERROR(parse_error, expand({{"port_range", 22}}), errc::wrong_type, "port_range");
  // A whole number read as a float (`2.2e1`, `22.0`) is named as such, not as "a number".
  try {
    expand({{"port", 22.0}});
    FAIL("no error");
  } catch (const parse_error& e) {
    CHECK_THAT(e.message(), Catch::StartsWith("expected an integer or null, got 22.0, a number "
                                              "written with a fraction or an exponent"));
  }
}

TEST_CASE("§A remote: ip_range, else ip/32, else 0.0.0.0/0", "[terraform][provider]") {
  auto net = [](const json& o) {
    auto [r, notes] = expand(o);
    REQUIRE_FALSE(r.unknown.ip_range);
    return to_string(r.value.ip_range);
  };
  CHECK(net({{"ip_range", "10.0.0.0/8"}}) == "10.0.0.0/8");
  CHECK(net({{"ip_range", "10.0.0.0/8"}, {"ip", "192.0.2.1"}}) == "10.0.0.0/8");
  CHECK(net({{"ip_range", "::/0"}}) == "::/0");
  CHECK(net({{"ip", "192.0.2.1"}}) == "192.0.2.1");  // 192.0.2.1/32
  CHECK(net({{"ip", "192.0.2.1"}, {"ip_range", nullptr}}) == "192.0.2.1");
  CHECK(net({}) == "0.0.0.0/0");
  CHECK(net({{"ip", nullptr}, {"ip_range", nullptr}}) == "0.0.0.0/0");

  // No range: IPv4 only, and said so.
  auto [any, any_notes] = expand({});
  CHECK(any.value.ip_range == ip_network::any(family::v4));
  REQUIRE(any_notes.size() == 1);
  CHECK(any_notes[0].field == "ip_range");

  // A deprecated IPv6 `ip` gets /32 appended: a /32 network.
  auto [v6, v6_notes] = expand({{"ip", "2001:db8::1"}});
  CHECK(to_string(v6.value.ip_range) == "2001:db8::/32");
  REQUIRE(v6_notes.size() == 1);
  CHECK(v6_notes[0].field == "ip");

  TF_CHECK_ERROR(parse_error, expand({{"ip_range", "10.0.0.0/33"}}), errc::bad_cidr, "ip_range");
  TF_CHECK_ERROR(parse_error, expand({{"ip", "nope"}}), errc::bad_address, "ip");
  TF_CHECK_ERROR(parse_error, expand({{"ip", 7}}), errc::wrong_type, "ip");
}

TEST_CASE("§A protocol, action, ICMP and ANY ports", "[terraform][provider]") {
  auto [tcp, n1] = expand({{"protocol", nullptr}, {"port", 22}});
  CHECK(tcp.value.protocol == protocol::tcp);  // the schema default
  for (const char* p : {"ICMP", "ANY"}) {
    auto [r, notes] = expand({{"protocol", p}, {"port", 22}, {"ip_range", "0.0.0.0/0"}});
    CHECK(to_string(r.value.protocol) == p);
    CHECK_FALSE(r.value.ports);  // the API nulls them
    CHECK(note_fields(notes) == std::vector<std::string>{"protocol"});
  }
  auto [u, n2] = expand({{"protocol", "UDP"}, {"action", "drop"}, {"port", 53}}, out);
  CHECK(u.value == make_rule(out, drop, protocol::udp, "0.0.0.0/0", 53, 53));
  CHECK(u.origin == "x");
  TF_CHECK_ERROR(parse_error, expand({{"action", nullptr}}), errc::missing_field, "action");
  TF_CHECK_ERROR(parse_error, expand({{"action", "allow"}}), errc::bad_enum, "action");
  TF_CHECK_ERROR(parse_error, expand({{"protocol", "SCTP"}}), errc::bad_enum, "protocol");
  TF_CHECK_ERROR(parse_error, expand_terraform_rule(json(), in), errc::bad_resource, "");
  TF_CHECK_ERROR(parse_error, expand_terraform_rule(json::array(), in), errc::wrong_type, "");
}

TEST_CASE("§A unknown values: never guessed, only where they matter", "[terraform][provider]") {
  auto unknown = [](const json& u, const json& o = json::object()) {
    return expand_terraform_rule(block(o), in, u).unknown;
  };
  CHECK(expand_terraform_rule(json(), in, json(true)).unknown == unknown_rule_fields::all());
  CHECK(unknown({{"action", true}}) == unknown_rule_fields{true, false, false, false});
  CHECK(unknown({{"protocol", true}}) == unknown_rule_fields{false, true, false, false});
  CHECK(unknown({{"port_range", true}}) == unknown_rule_fields{false, false, false, true});
  CHECK(unknown({{"port", true}}) == unknown_rule_fields{false, false, false, true});
  // A known non-empty port_range makes an unknown port irrelevant.
  CHECK(unknown({{"port", true}}, {{"port_range", "80-90"}}) == unknown_rule_fields{});
  CHECK(unknown({{"ip_range", true}}) == unknown_rule_fields{false, false, true, false});
  CHECK(unknown({{"ip", true}}) == unknown_rule_fields{false, false, true, false});
  CHECK(unknown({{"ip", true}}, {{"ip_range", "10.0.0.0/8"}}) == unknown_rule_fields{});
  // An unknown protocol keeps the ports: they apply if it turns out TCP or UDP.
  auto r = expand_terraform_rule(block({{"port", 22}}), in, json{{"protocol", true}});
  CHECK(r.value.ports == port_range{22, 22});
  TF_CHECK_ERROR(parse_error, expand_terraform_rule(block(), in, json{{"port", 1}}),
                 errc::wrong_type, "port");
}

// -- Groups: defaults, order, default rules -------------------------------------------------

TEST_CASE("§A groups: schema defaults, rule order, positions, default SMTP rules",
          "[terraform][provider]") {
  json v = sg_values(
      {{"inbound_default_policy", nullptr},
       {"outbound_default_policy", nullptr},
       {"stateful", nullptr},
       {"enable_default_security", nullptr},
       {"external_rules", nullptr},
       {"tags", nullptr},
       {"outbound_rule", json::array({block({{"port", 443}, {"ip_range", "0.0.0.0/0"}})})},
       {"inbound_rule", json::array({block({{"port", 22}, {"ip_range", "10.0.0.0/8"}}),
                                     block({{"action", "drop"}, {"ip_range", "::/0"}})})}});
  auto d = read_terraform(state_doc(json::array({state_resource("", sg, "g", v)})));
  REQUIRE(d.groups.size() == 1);
  const auto& g = d.groups[0];
  REQUIRE(g.after);
  auto known = g.after->known();
  REQUIRE(known);
  CHECK(known->inbound_default_policy == accept);
  CHECK(known->outbound_default_policy == accept);
  CHECK(known->stateful);
  CHECK(known->enable_default_security);
  CHECK(known->id == "11111111-1111-4111-8111-111111111111");
  CHECK(known->zone == "fr-par-1");
  // Inbound first in block order, then outbound; one position sequence, as the API numbers it.
  CHECK(known->rules ==
        std::vector<rule>{
            make_rule(in, accept, protocol::tcp, "10.0.0.0/8", 22, 22, 1, "fr-par-1"),
            make_rule(in, drop, protocol::tcp, "::/0", 0, 0, 2, "fr-par-1"),
            make_rule(out, accept, protocol::tcp, "0.0.0.0/0", 443, 443, 3, "fr-par-1")});
  CHECK(g.after->rules[1].origin == "scaleway_instance_security_group.g.inbound_rule[1]");
  // The six SMTP rules the API adds come first in evaluation order.
  auto ordered = ordered_rules(*known);
  REQUIRE(ordered.size() == 9);
  CHECK(std::vector<rule>(ordered.begin(), ordered.begin() + 6) == default_rules("fr-par-1"));
  CHECK(evaluate_reference(*known, pk(out, ip_proto::tcp, "192.0.2.1", 25)).action == drop);

  auto off = read_terraform(state_doc(
      json::array({state_resource("", sg, "g", sg_values({{"enable_default_security", false}}))})));
  CHECK(ordered_rules(*off.groups[0].after->known()).empty());
  CHECK(evaluate_reference(*off.groups[0].after->known(), pk(out, ip_proto::tcp, "192.0.2.1", 25))
            .action == accept);
}

// -- The example module ---------------------------------------------------------------------

const char* const web_id = "5a1c3b2e-7d4f-4e8a-9b6c-0d1e2f3a4b5c";
const char* const project = "a8b3c2d1-0e9f-4a8b-9c7d-6e5f4a3b2c1d";

/// The groups of examples/terraform after apply, worked out by hand from main.tf and §A.
std::map<std::string, security_group> expected_state_groups() {
  auto group = [](const char* id, const char* name, action inbound, action outbound) {
    security_group g;
    g.id = id;
    g.name = name;
    g.project = g.organization = project;
    g.zone = "fr-par-1";
    g.inbound_default_policy = inbound;
    g.outbound_default_policy = outbound;
    return g;
  };
  const char* z = "fr-par-1";
  std::map<std::string, security_group> m;
  auto web = group(web_id, "web", drop, accept);
  web.rules = {make_rule(in, accept, protocol::tcp, "203.0.113.0/24", 22, 22, 1, z),
               make_rule(in, accept, protocol::tcp, "0.0.0.0/0", 80, 80, 2, z),
               make_rule(in, accept, protocol::tcp, "::/0", 443, 443, 3, z),
               make_rule(in, accept, protocol::tcp, "0.0.0.0/0", 443, 443, 4, z),
               make_rule(in, accept, protocol::icmp, "0.0.0.0/0", 0, 0, 5, z),
               make_rule(in, accept, protocol::tcp, "198.51.100.7/32", 8000, 8080, 6, z)};
  m[std::string(sg) + ".web"] = web;
  auto db = group("6b2d4c3f-8e5a-4f9b-8c7d-1e2f3a4b5c6d", "db", drop, accept);
  db.rules = {make_rule(in, drop, protocol::any, "10.0.66.0/24", 0, 0, 1, z),
              make_rule(in, accept, protocol::tcp, "10.0.0.0/16", 5432, 5432, 2, z)};
  m[std::string(sg) + ".db"] = db;
  auto api = group("7c3e5d4a-9f6b-4a0c-9d8e-2f3a4b5c6d7e", "app-api", drop, accept);
  api.rules = {make_rule(in, accept, protocol::tcp, "10.0.0.0/16", 8080, 8080, 1, z),
               make_rule(in, accept, protocol::tcp, "51.15.0.10/32", 8080, 8080, 2, z)};
  m[std::string(sg) + ".app[\"api\"]"] = api;
  auto worker = group("8d4f6e5b-0a7c-4b1d-8e9f-3a4b5c6d7e8f", "app-worker", drop, accept);
  worker.enable_default_security = false;
  worker.rules = {make_rule(in, accept, protocol::tcp, "10.0.0.0/16", 9000, 9000, 1, z),
                  make_rule(in, accept, protocol::tcp, "51.15.0.10/32", 9000, 9000, 2, z)};
  m[std::string(sg) + ".app[\"worker\"]"] = worker;
  auto bastion = group("9e5a7f6c-1b8d-4c2e-9f0a-4b5c6d7e8f90", "bastion", drop, drop);
  bastion.stateful = false;
  bastion.rules = {make_rule(in, accept, protocol::tcp, "203.0.113.0/24", 22, 22, 1, z),
                   make_rule(out, accept, protocol::udp, "10.0.0.53/32", 53, 53, 2, z),
                   make_rule(out, accept, protocol::tcp, "10.0.0.0/8", 1, 65535, 3, z)};
  m["module.net." + std::string(sg) + ".bastion[0]"] = bastion;
  return m;
}

TEST_CASE("examples/terraform/state.json: every group as the provider sent it",
          "[terraform][example]") {
  auto d = load_terraform(example_dir / "state.json");
  CHECK(d.format == terraform_format::state);
  CHECK(d.format_version == "1.0");
  CHECK(d.terraform_version == "1.13.2");
  CHECK(d.notes.empty());
  CHECK(addresses(d) == std::vector<std::string>{std::string(sg) + ".app[\"api\"]",
                                                 std::string(sg) + ".app[\"worker\"]",
                                                 std::string(sg) + ".db", std::string(sg) + ".web",
                                                 "module.net." + std::string(sg) + ".bastion[0]"});
  auto expected = expected_state_groups();
  for (const auto& g : d.groups) {
    INFO(g.address);
    CHECK(g.change == terraform_change::none);
    CHECK_FALSE(g.before);
    REQUIRE(g.after);
    REQUIRE(g.after->complete());
    CHECK(*g.after->known() == expected.at(g.address));
    CHECK(g.unknown.empty());
    CHECK(g.in_document);
  }
  const auto& web = group_at(d, std::string(sg) + ".web");
  CHECK(web.module_address.empty());
  CHECK(web.index.empty());
  CHECK(web.module_dir == ".");
  CHECK(web.rules_addresses.empty());
  CHECK(note_fields(web.notes) ==
        std::vector<std::string>{std::string(sg) + ".web.inbound_rule[1].ip_range",
                                 std::string(sg) + ".web.inbound_rule[4].ip_range"});
  const auto& db = group_at(d, std::string(sg) + ".db");
  CHECK(db.rules_addresses == std::vector<std::string>{std::string(sgr) + ".db"});
  CHECK(db.after->rules[0].origin == std::string(sgr) + ".db.inbound_rule[0]");
  const auto& api = group_at(d, std::string(sg) + ".app[\"api\"]");
  CHECK(api.name == "app");
  CHECK(api.index == "[\"api\"]");
  const auto& bastion = group_at(d, "module.net." + std::string(sg) + ".bastion[0]");
  CHECK(bastion.module_address == "module.net");
  CHECK(bastion.index == "[0]");
  CHECK(bastion.module_dir.empty());  // a state document does not say where modules live
  CHECK(bastion.rules_addresses ==
        std::vector<std::string>{"module.net." + std::string(sgr) + ".bastion"});
}

TEST_CASE("examples/terraform/terraform.tfstate reads as state.json does", "[terraform][example]") {
  auto raw = load_terraform(example_dir / "terraform.tfstate");
  auto state = load_terraform(example_dir / "state.json");
  CHECK(raw.format == terraform_format::raw_state);
  CHECK(raw.format_version == "4");
  CHECK(raw.groups == state.groups);
  CHECK(raw.groups.size() == 5);
}

TEST_CASE("examples/terraform/plan.json: changes, unknowns, links through the configuration",
          "[terraform][example]") {
  auto d = load_terraform(example_dir / "plan.json");
  CHECK(d.format == terraform_format::plan);
  CHECK(d.format_version == "1.2");
  CHECK(d.notes.empty());
  const std::string s = sg;
  CHECK(addresses(d) == std::vector<std::string>{s + ".app[\"api\"]", s + ".app[\"worker\"]",
                                                 s + ".db", s + ".legacy", s + ".web",
                                                 "module.net." + s + ".bastion[0]"});
  auto expected = expected_state_groups();

  // web: an update adding the deprecated-ip rule.
  const auto& web = group_at(d, s + ".web");
  CHECK(web.change == terraform_change::update);
  REQUIRE(web.before);
  REQUIRE(web.after);
  auto web_before = expected.at(s + ".web");
  web_before.rules.pop_back();
  CHECK(*web.before->known() == web_before);
  CHECK(*web.after->known() == expected.at(s + ".web"));
  CHECK(web.unknown.empty());
  CHECK(web.module_dir == ".");

  // db: nothing changes; its rules come from the rules resource on both sides.
  const auto& db = group_at(d, s + ".db");
  CHECK(db.change == terraform_change::no_op);
  CHECK(*db.before->known() == expected.at(s + ".db"));
  CHECK(*db.after->known() == expected.at(s + ".db"));

  // legacy: destroyed, so only before.
  const auto& legacy = group_at(d, s + ".legacy");
  CHECK(legacy.change == terraform_change::destroy);
  CHECK_FALSE(legacy.after);
  REQUIRE(legacy.before);
  CHECK(user_rules(*legacy.before) ==
        std::vector<rule>{make_rule(in, accept, protocol::any, "0.0.0.0/0", 0, 0, 1, "fr-par-1")});

  // app["api"]: created; its second rule's range waits for the load balancer's address.
  const auto& api = group_at(d, s + ".app[\"api\"]");
  CHECK(api.change == terraform_change::create);
  CHECK_FALSE(api.before);
  REQUIRE(api.after);
  CHECK_FALSE(api.after->complete());
  CHECK(api.after->unknown == unknown_group_fields{});
  REQUIRE(api.after->rules.size() == 2);
  CHECK(api.after->rules[0].unknown == unknown_rule_fields{});
  CHECK(api.after->rules[1].unknown == unknown_rule_fields{false, false, true, false});
  CHECK(api.after->group.zone.empty());  // the zone is computed at apply
  CHECK(api.after->group.id.empty());
  const std::string a = s + ".app[\"api\"]";
  CHECK(api.unknown == std::vector<std::string>{a + ".id", a + ".inbound_rule[1].ip_range",
                                                a + ".organization_id", a + ".project_id",
                                                a + ".zone"});
  CHECK(to_string(possible_actions(*api.after, pk(in, ip_proto::tcp, "10.0.3.4", 8080))) ==
        "accept");
  CHECK_FALSE(possible_actions(*api.after, pk(in, ip_proto::tcp, "192.0.2.1", 8080)).decided());
  CHECK(to_string(possible_actions(*api.after, pk(in, ip_proto::tcp, "192.0.2.1", 22))) == "drop");
  CHECK_FALSE(group_at(d, s + ".app[\"worker\"]").after->group.enable_default_security);

  // bastion: in a module, its rules resource linked by the configuration's reference, its
  // stateful = false not sent by the create call.
  const auto& bastion = group_at(d, "module.net." + s + ".bastion[0]");
  CHECK(bastion.change == terraform_change::create);
  CHECK(bastion.module_dir == "modules/net");
  const std::string rb = "module.net." + std::string(sgr) + ".bastion";
  CHECK(bastion.rules_addresses == std::vector<std::string>{rb});
  REQUIRE(bastion.after);
  CHECK(bastion.after->unknown == unknown_group_fields{false, false, true, false, false, false});
  auto bastion_rules = expected.at("module.net." + s + ".bastion[0]").rules;
  for (auto& r : bastion_rules) r.zone.clear();  // unknown zone
  CHECK(user_rules(*bastion.after) == bastion_rules);
  CHECK(note_fields(bastion.notes) ==
        std::vector<std::string>{"module.net." + s + ".bastion[0].stateful"});
  const std::string b = "module.net." + s + ".bastion[0]";
  CHECK(bastion.unknown == std::vector<std::string>{b + ".id", b + ".organization_id",
                                                    b + ".project_id", b + ".zone", rb + ".id",
                                                    rb + ".security_group_id"});
}

TEST_CASE("the state is a completion of the plan: every decided packet agrees",
          "[terraform][example]") {
  auto plan = load_terraform(example_dir / "plan.json");
  auto state = load_terraform(example_dir / "state.json");
  std::size_t decided = 0, undecided = 0;
  for (const auto& after : state.groups) {
    const auto& planned = group_at(plan, after.address);
    REQUIRE(planned.after);
    auto g = *after.after->known();
    for (const auto& p : packets_for(g)) {
      auto possible = possible_actions(*planned.after, p);
      auto actual = evaluate_reference(g, p).action;
      INFO(after.address << ": " << to_string(p));
      REQUIRE(possible.contains(actual));
      (possible.decided() ? decided : undecided)++;
    }
  }
  CHECK(decided > 1000);
  CHECK(undecided >= 10);
}

TEST_CASE("state.json and the same groups as API JSON evaluate identically",
          "[terraform][example][cross-check]") {
  auto state = load_terraform(example_dir / "state.json");
  auto api = load_groups(example_dir / "api-export.json");
  REQUIRE(api.size() == state.groups.size());
  std::size_t packets = 0;
  for (const auto& t : state.groups) {
    INFO(t.address);
    auto g = *t.after->known();
    auto it =
        std::find_if(api.begin(), api.end(), [&](const security_group& x) { return x.id == g.id; });
    REQUIRE(it != api.end());
    // The same group but for what Terraform does not hold: rule ids and dates.
    auto from_api = *it;
    from_api.creation_date.reset();
    from_api.modification_date.reset();
    for (auto& r : from_api.rules) r.id.clear();
    CHECK(from_api == g);
    reference_evaluator a(*it), b(g);
    for (const auto& p : packets_for(*it)) {
      REQUIRE(a.evaluate(p) == b.evaluate(p));
      ++packets;
    }
  }
  CHECK(packets > 1000);
}

// -- Addresses: modules, count, for_each ----------------------------------------------------

TEST_CASE("addresses of nested modules, count and for_each instances", "[terraform][address]") {
  const std::string s = sg;
  const std::string mx = "module.a[\"x\"]";
  json inner = json::array({state_resource(mx + ".module.b[1]", sg, "c", sg_values(), 2)});
  json child = json::array(
      {json{{"address", mx},
            {"resources", json::array({state_resource(mx, sg, "s", sg_values(), "k")})},
            {"child_modules",
             json::array({json{{"address", mx + ".module.b[1]"}, {"resources", inner}}})}}});
  auto d = read_terraform(state_doc(json::array(), child));
  REQUIRE(d.groups.size() == 2);
  CHECK(d.groups[0].address == mx + "." + s + ".s[\"k\"]");
  CHECK(d.groups[0].module_address == mx);
  CHECK(d.groups[0].name == "s");
  CHECK(d.groups[0].index == "[\"k\"]");
  CHECK(d.groups[1].address == mx + ".module.b[1]." + s + ".c[2]");
  CHECK(d.groups[1].module_address == mx + ".module.b[1]");
  CHECK(d.groups[1].index == "[2]");
  CHECK(d.groups[1].after->rules.empty());

  // The raw state file spells the same addresses from module, type, name and index_key.
  json raw = json::parse(R"({"version": 4, "terraform_version": "1.13.2", "serial": 1,
      "lineage": "l", "outputs": {}, "resources": [
        {"module": "module.a[\"x\"]", "mode": "managed", "type": "scaleway_instance_security_group",
         "name": "s", "each": "map", "provider": "provider[\"registry.terraform.io/scaleway/scaleway\"]",
         "instances": [{"index_key": "k", "schema_version": 0, "attributes": {}}]},
        {"module": "module.a[\"x\"].module.b[1]", "mode": "managed",
         "type": "scaleway_instance_security_group", "name": "c", "each": "list",
         "provider": "provider[\"registry.terraform.io/scaleway/scaleway\"]",
         "instances": [{"index_key": 2, "schema_version": 0, "attributes": {}},
                       {"index_key": 3, "deposed": "00000001", "attributes": {}}]},
        {"mode": "data", "type": "scaleway_instance_security_group", "name": "d",
         "instances": [{"attributes": {}}]},
        {"mode": "managed", "type": "scaleway_instance_server", "name": "vm",
         "instances": [{"attributes": {}}]}]})");
  for (const char* k :
       {"/resources/0/instances/0/attributes", "/resources/1/instances/0/attributes"})
    raw[json::json_pointer(k)] = sg_values();
  auto r = read_terraform(raw);
  CHECK(addresses(r) == addresses(d));
  CHECK(r.groups == d.groups);  // deposed objects, data sources and other types are skipped
}

// -- Links between groups and rules resources -----------------------------------------------

const std::string sg_id = "fr-par-1/11111111-1111-4111-8111-111111111111";
const std::string sg_id2 = "fr-par-1/22222222-2222-4222-8222-222222222222";

json ssh_rule() { return block({{"port", 22}, {"ip_range", "10.0.0.0/8"}}); }

/// The after of a group created with external_rules, as a plan writes it.
json created_external(const json& overrides = json::object()) {
  json v = sg_values({{"external_rules", true}, {"inbound_default_policy", "drop"}});
  for (const char* k : {"id", "zone", "organization_id", "project_id"}) v.erase(k);
  for (auto it = overrides.begin(); it != overrides.end(); ++it) v[it.key()] = it.value();
  return v;
}

const json created_unknown =
    json{{"id", true}, {"zone", true}, {"project_id", true}, {"organization_id", true}};

/// A created rules resource whose security_group_id is unknown.
json created_rules(const std::string& address, const std::string& name,
                   const std::string& module = "") {
  return change(address, sgr, name, {"create"}, nullptr,
                json{{"inbound_rule", json::array({ssh_rule()})}, {"outbound_rule", json::array()}},
                json{{"id", true}, {"security_group_id", true}}, module);
}

json config_resource(const std::string& type, const std::string& name, const json& expressions) {
  return json{{"address", type + "." + name},
              {"mode", "managed"},
              {"type", type},
              {"name", name},
              {"expressions", expressions}};
}

json refs(std::initializer_list<const char*> r) {
  json a = json::array();
  for (const char* x : r) a.push_back(x);
  return json{{"references", a}};
}

TEST_CASE("lookup errors list ten addresses, then how many more", "[terraform][address]") {
  json root = json::array();
  for (int i = 0; i < 12; ++i) root.push_back(state_resource("", sg, "g", sg_values(), i));
  const auto many = parse_group_input(state_doc(root).dump(), "s.json");
  std::string listed;
  for (int i = 0; i < 10; ++i)
    listed += std::string(i ? ", " : "") + sg + ".g[" + std::to_string(i) + "]";
  listed += ", and 2 more";
  CHECK_THROWS_WITH(
      pick_input_group(many, std::string("nope"), "--group", "s.json", "the file", "choose"),
      Catch::EndsWith("(groups: " + listed + ")"));
  CHECK_THROWS_WITH(pick_input_group(many, std::nullopt, "--group", "s.json", "the file", "choose"),
                    Catch::EndsWith("holds 12 groups; choose (" + listed + ")"));
}

TEST_CASE("links: through a module output and a module variable", "[terraform][link]") {
  const std::string s = sg;
  // Root rules resource -> module.net.sg_id -> the module's group.
  json changes = json::array({change("module.net." + s + ".g", sg, "g", {"create"}, nullptr,
                                     created_external(), created_unknown, "module.net"),
                              created_rules(std::string(sgr) + ".r", "r")});
  json root = json::parse(R"({
    "resources": [{"address": "scaleway_instance_security_group_rules.r", "mode": "managed",
      "type": "scaleway_instance_security_group_rules", "name": "r",
      "expressions": {"security_group_id": {"references": ["module.net.sg_id", "module.net"]}}}],
    "module_calls": {"net": {"source": "./modules/net", "module": {
      "outputs": {"sg_id": {"expression": {"references": [
        "scaleway_instance_security_group.g.id", "scaleway_instance_security_group.g"]}}}}}}})");
  auto d = read_terraform(plan_doc(changes, root));
  REQUIRE(d.groups.size() == 1);
  CHECK(d.groups[0].rules_addresses == std::vector<std::string>{std::string(sgr) + ".r"});
  REQUIRE(d.groups[0].after->rules.size() == 1);
  CHECK(d.groups[0].after->rules[0].origin == std::string(sgr) + ".r.inbound_rule[0]");
  CHECK_FALSE(d.groups[0].after->unknown.inbound_rules);

  // A module's rules resource -> var.sg -> the root's group.
  changes = json::array(
      {change(s + ".g", sg, "g", {"create"}, nullptr, created_external(), created_unknown),
       created_rules("module.m." + std::string(sgr) + ".r", "r", "module.m")});
  root = json::parse(R"({"module_calls": {"m": {"source": "./m",
    "expressions": {"sg": {"references": ["scaleway_instance_security_group.g.id",
                                          "scaleway_instance_security_group.g"]}},
    "module": {"resources": [{"address": "scaleway_instance_security_group_rules.r",
      "mode": "managed", "type": "scaleway_instance_security_group_rules", "name": "r",
      "expressions": {"security_group_id": {"references": ["var.sg"]}}}]}}}})");
  d = read_terraform(plan_doc(changes, root));
  REQUIRE(d.groups.size() == 1);
  CHECK(d.groups[0].rules_addresses ==
        std::vector<std::string>{"module.m." + std::string(sgr) + ".r"});
  CHECK(d.groups[0].after->rules.size() == 1);
  CHECK(d.notes.empty());
}

TEST_CASE("links the configuration does not determine leave rules unknown", "[terraform][link]") {
  const std::string s = sg;
  // count.index selects the group: which one the expression computes is not in the JSON.
  json changes = json::array();
  for (int i = 0; i < 2; ++i) {
    auto rc = change(s + ".g[" + std::to_string(i) + "]", sg, "g", {"create"}, nullptr,
                     created_external(), created_unknown);
    rc["index"] = i;
    changes.push_back(rc);
    auto rr = created_rules(std::string(sgr) + ".r[" + std::to_string(i) + "]", "r");
    rr["index"] = i;
    changes.push_back(rr);
  }
  json root =
      json{{"resources", json::array({config_resource(
                             sgr, "r",
                             {{"security_group_id",
                               refs({"scaleway_instance_security_group.g", "count.index"})}})})}};
  auto d = read_terraform(plan_doc(changes, root));
  REQUIRE(d.groups.size() == 2);
  for (const auto& g : d.groups) {
    CHECK(note_fields(g.notes) == std::vector<std::string>{g.address});
    CHECK(g.after->unknown.inbound_rules);
    CHECK(g.after->unknown.outbound_rules);
    CHECK(g.after->rules.empty());
    CHECK_FALSE(possible_actions(*g.after, pk(in, ip_proto::tcp, "10.0.0.1", 22)).decided());
    // The default SMTP rules come before any user rule: still decided.
    CHECK(to_string(possible_actions(*g.after, pk(out, ip_proto::tcp, "192.0.2.1", 25))) == "drop");
  }
  CHECK(note_fields(d.notes) ==
        std::vector<std::string>{std::string(sgr) + ".r[0].security_group_id",
                                 std::string(sgr) + ".r[1].security_group_id"});

  // A constant index names one instance.
  root["resources"][0]["expressions"]["security_group_id"] =
      refs({"scaleway_instance_security_group.g[1].id", "scaleway_instance_security_group.g[1]",
            "scaleway_instance_security_group.g"});
  changes.erase(3);  // keep r[0] only
  d = read_terraform(plan_doc(changes, root));
  CHECK(group_at(d, s + ".g[1]").after->rules.size() == 1);
  CHECK(group_at(d, s + ".g[0]").after->rules.empty());  // created without rules
  CHECK_FALSE(group_at(d, s + ".g[0]").after->unknown.inbound_rules);

  // No configuration at all: undetermined.
  d = read_terraform(plan_doc(changes));
  CHECK(group_at(d, s + ".g[1]").after->unknown.inbound_rules);
  // A local value or a data source is not followed.
  root["resources"][0]["expressions"]["security_group_id"] = refs({"local.sg"});
  d = read_terraform(plan_doc(changes, root));
  CHECK(group_at(d, s + ".g[1]").after->unknown.inbound_rules);
}

TEST_CASE("links in state: by id, outside the document, fights, several, none",
          "[terraform][link]") {
  const std::string s = sg, r = sgr;
  auto external = sg_values({{"external_rules", true}});

  // A rules resource whose group is not in the document: only the rules are known.
  auto d = read_terraform(state_doc(json::array(
      {state_resource("", sgr, "r", rules_values(sg_id2, json::array({ssh_rule()})))})));
  REQUIRE(d.groups.size() == 1);
  const auto& orphan = d.groups[0];
  CHECK_FALSE(orphan.in_document);
  CHECK(orphan.address == r + ".r");
  CHECK(orphan.after->group.id == "22222222-2222-4222-8222-222222222222");
  CHECK(orphan.after->group.zone == "fr-par-1");
  CHECK(orphan.after->unknown == unknown_group_fields{true, true, true, true, false, false});
  CHECK(to_string(possible_actions(*orphan.after, pk(in, ip_proto::tcp, "10.0.0.1", 22))) ==
        "accept");
  CHECK_FALSE(possible_actions(*orphan.after, pk(in, ip_proto::tcp, "192.0.2.1", 22)).decided());
  CHECK(note_fields(orphan.notes) == std::vector<std::string>{r + ".r.security_group_id"});

  // external_rules = false and a rules resource: they fight; state holds what was read.
  d = read_terraform(state_doc(json::array(
      {state_resource("", sg, "g", sg_values({{"inbound_rule", json::array({ssh_rule()})}})),
       state_resource("", sgr, "r", rules_values(sg_id, json::array({ssh_rule()})))})));
  REQUIRE(d.groups.size() == 1);
  CHECK(d.groups[0].after->complete());
  CHECK(note_fields(d.groups[0].notes) == std::vector<std::string>{s + ".g.external_rules"});

  // Several rules resources on one group: unknown.
  d = read_terraform(state_doc(
      json::array({state_resource("", sg, "g", external),
                   state_resource("", sgr, "a", rules_values(sg_id, json::array({ssh_rule()}))),
                   state_resource("", sgr, "b", rules_values(sg_id, json::array()))})));
  CHECK(d.groups[0].rules_addresses == std::vector<std::string>{r + ".a", r + ".b"});
  CHECK(d.groups[0].after->unknown.inbound_rules);
  CHECK(note_fields(d.groups[0].notes) == std::vector<std::string>{s + ".g"});

  // external_rules and no rules resource: managed elsewhere, unknown.
  d = read_terraform(state_doc(json::array({state_resource("", sg, "g", external)})));
  CHECK(d.groups[0].after->unknown.inbound_rules);
  CHECK(d.groups[0].after->unknown.outbound_rules);
  CHECK(note_fields(d.groups[0].notes) == std::vector<std::string>{s + ".g"});
}

TEST_CASE("links in plans: fights, created without rules, destroyed rules, unknown switches",
          "[terraform][link]") {
  const std::string s = sg, r = sgr;
  auto external = sg_values({{"external_rules", true}});
  auto rules = rules_values(sg_id, json::array({ssh_rule()}));

  // A fight in a plan: which resource writes last is not known.
  auto inline_group = sg_values({{"inbound_rule", json::array({ssh_rule()})}});
  auto d = read_terraform(
      plan_doc(json::array({change(s + ".g", sg, "g", {"no-op"}, inline_group, inline_group),
                            change(r + ".r", sgr, "r", {"update"}, rules, rules)})));
  CHECK(d.groups[0].before->complete());  // as recorded
  CHECK(d.groups[0].after->unknown.inbound_rules);
  CHECK(note_fields(d.groups[0].notes) == std::vector<std::string>{s + ".g.external_rules"});

  // The rules resource is destroyed: its delete clears every user rule.
  d = read_terraform(
      plan_doc(json::array({change(s + ".g", sg, "g", {"no-op"}, external, external),
                            change(r + ".r", sgr, "r", {"delete"}, rules, nullptr)})));
  REQUIRE(d.groups.size() == 1);
  CHECK(d.groups[0].before->rules.size() == 1);
  CHECK(d.groups[0].after->complete());
  CHECK(d.groups[0].after->rules.empty());
  CHECK(d.groups[0].rules_addresses.empty());

  // external_rules unknown: which rules apply is unknown.
  auto unknown_switch = sg_values();
  unknown_switch.erase("external_rules");
  d = read_terraform(plan_doc(json::array({change(s + ".g", sg, "g", {"update"}, external,
                                                  unknown_switch, {{"external_rules", true}})})));
  CHECK(d.groups[0].after->unknown.inbound_rules);
  CHECK(d.groups[0].after->unknown.outbound_rules);
  CHECK(d.groups[0].unknown == std::vector<std::string>{s + ".g.external_rules"});

  // A whole rule list unknown (a dynamic block over an unknown collection).
  auto dynamic = sg_values();
  dynamic.erase("inbound_rule");
  d = read_terraform(plan_doc(json::array(
      {change(s + ".g", sg, "g", {"update"}, sg_values(), dynamic, {{"inbound_rule", true}})})));
  CHECK(d.groups[0].after->unknown ==
        unknown_group_fields{false, false, false, false, true, false});
  CHECK(to_string(possible_actions(*d.groups[0].after, pk(out, ip_proto::tcp, "192.0.2.1", 443))) ==
        "accept");

  // An unknown list element becomes null in after, true in after_unknown.
  auto one_unknown = sg_values({{"inbound_rule", json::array({ssh_rule(), nullptr})}});
  d = read_terraform(
      plan_doc(json::array({change(s + ".g", sg, "g", {"update"}, sg_values(), one_unknown,
                                   {{"inbound_rule", {json::object(), true}}})})));
  REQUIRE(d.groups[0].after->rules.size() == 2);
  CHECK(d.groups[0].after->rules[1].unknown == unknown_rule_fields::all());
  CHECK(d.groups[0].unknown == std::vector<std::string>{s + ".g.inbound_rule[1]"});

  // Replace: both sides; forget: before only.
  d = read_terraform(plan_doc(
      json::array({change(s + ".a", sg, "a", {"delete", "create"}, sg_values(), sg_values()),
                   change(s + ".b", sg, "b", {"create", "delete"}, sg_values(), sg_values()),
                   change(s + ".c", sg, "c", {"forget"}, sg_values(), nullptr)})));
  CHECK(d.groups[0].change == terraform_change::replace);
  CHECK(d.groups[1].change == terraform_change::replace);
  CHECK(d.groups[2].change == terraform_change::forget);
  CHECK_FALSE(d.groups[2].after);

  // Deferred groups are not changed by this apply: noted, not read.
  auto doc = plan_doc(json::array());
  doc["deferred_changes"] = json::array(
      {json{{"reason", "instance_count_unknown"},
            {"resource_change", change(s + ".g", sg, "g", {"create"}, nullptr, sg_values())}}});
  d = read_terraform(doc);
  CHECK(d.groups.empty());
  CHECK(note_fields(d.notes) == std::vector<std::string>{s + ".g"});
}

// -- Errors ---------------------------------------------------------------------------------

TEST_CASE("errors: not Terraform, unsupported versions, errored plans", "[terraform][error]") {
  TF_CHECK_ERROR(parse_error, read_terraform(json::array()), errc::not_terraform, "");
  TF_CHECK_ERROR(parse_error, read_terraform(json{{"hello", 1}}), errc::not_terraform, "");
  auto api = thrown_by<parse_error>([] {
    read_terraform(json{{"security_groups", json::array()}});
  });
  CHECK(std::string(api.id()) == errc::not_terraform);
  CHECK(api.message().find("API export") != std::string::npos);
  CHECK_FALSE(looks_like_terraform(json{{"security_groups", json::array()}}));
  CHECK(looks_like_terraform(plan_doc(json::array())));
  CHECK(looks_like_terraform(json{{"version", 4}, {"resources", json::array()}}));

  auto v2 = plan_doc(json::array());
  v2["format_version"] = "2.0";
  TF_CHECK_ERROR(parse_error, read_terraform(v2), errc::unsupported_version, "format_version");
  v2["format_version"] = 1;
  TF_CHECK_ERROR(parse_error, read_terraform(v2), errc::wrong_type, "format_version");
  TF_CHECK_ERROR(parse_error, read_terraform(json{{"version", 3}, {"resources", json::array()}}),
                 errc::unsupported_version, "version");
  TF_CHECK_ERROR(parse_error, read_terraform(json{{"version", "4"}, {"resources", json::array()}}),
                 errc::wrong_type, "version");
  auto errored = plan_doc(json::array());
  errored["errored"] = true;
  TF_CHECK_ERROR(parse_error, read_terraform(errored), errc::bad_file, "errored");
  // Minor versions are compatible additions; an empty state is no group.
  auto minor = plan_doc(json::array());
  minor["format_version"] = "1.9";
  CHECK(read_terraform(minor).groups.empty());
  auto empty = read_terraform(json{{"format_version", "1.0"}});
  CHECK(empty.format == terraform_format::state);
  CHECK(empty.groups.empty());
}

TEST_CASE("errors: resource entries of unknown shape name the entry", "[terraform][error]") {
  auto d = state_doc(json::array({state_resource("", sg, "g", sg_values())}));
  auto no_values = d;
  no_values["values"]["root_module"]["resources"][0].erase("values");
  TF_CHECK_ERROR(parse_error, read_terraform(no_values), errc::bad_resource,
                 "values.root_module.resources[0].values");
  auto schema = d;
  schema["values"]["root_module"]["resources"][0]["schema_version"] = 1;
  TF_CHECK_ERROR(parse_error, read_terraform(schema), errc::bad_resource,
                 "values.root_module.resources[0].schema_version");
  auto no_address = d;
  no_address["values"]["root_module"]["resources"][0].erase("address");
  TF_CHECK_ERROR(parse_error, read_terraform(no_address), errc::bad_resource,
                 "values.root_module.resources[0].address");
  auto bad_index = d;
  bad_index["values"]["root_module"]["resources"][0]["index"] = true;
  TF_CHECK_ERROR(parse_error, read_terraform(bad_index), errc::wrong_type,
                 "values.root_module.resources[0].index");

  const std::string s = sg;
  auto read_action = json::array({change(s + ".g", sg, "g", {"read"}, nullptr, sg_values())});
  TF_CHECK_ERROR(parse_error, read_terraform(plan_doc(read_action)), errc::bad_resource,
                 "resource_changes[0].change.actions");
  auto no_after = json::array({change(s + ".g", sg, "g", {"create"}, nullptr, nullptr)});
  TF_CHECK_ERROR(parse_error, read_terraform(plan_doc(no_after)), errc::bad_resource,
                 "resource_changes[0].change.after");
  auto no_before = json::array({change(s + ".g", sg, "g", {"update"}, nullptr, sg_values())});
  TF_CHECK_ERROR(parse_error, read_terraform(plan_doc(no_before)), errc::bad_resource,
                 "resource_changes[0].change.before");

  // planned_values lists a group that resource_changes lacks.
  auto doc = plan_doc(json::array());
  doc["planned_values"] = json{
      {"root_module", {{"resources", json::array({state_resource("", sg, "g", sg_values())})}}}};
  TF_CHECK_ERROR(parse_error, read_terraform(doc), errc::bad_resource, s + ".g");

  json raw = json{{"version", 4},
                  {"resources",
                   json::array({json{
                       {"mode", "managed"},
                       {"type", sg},
                       {"name", "g"},
                       {"instances", json::array({json{{"attributes_flat", json::object()}}})}}})}};
  auto flat = thrown_by<parse_error>([&] { read_terraform(raw); });
  CHECK(std::string(flat.id()) == errc::bad_resource);
  CHECK(flat.field() == "resources[0].instances[0].attributes");
  CHECK(flat.message().find("attributes_flat") != std::string::npos);
}

TEST_CASE("errors: attribute values name the address and the attribute path",
          "[terraform][error]") {
  const std::string s = sg;
  auto with_rule = [](const json& rule) {
    return state_doc(json::array({state_resource(
        "module.net", sg, "web", sg_values({{"inbound_rule", json::array({block(), rule})}}), 0)}));
  };
  const std::string at = "module.net." + s + ".web[0].inbound_rule[1]";
  TF_CHECK_ERROR(parse_error, read_terraform(with_rule(block({{"port", "22"}}))), errc::wrong_type,
                 at + ".port");
  TF_CHECK_ERROR(parse_error, read_terraform(with_rule(block({{"action", nullptr}}))),
                 errc::missing_field, at + ".action");
  TF_CHECK_ERROR(parse_error, read_terraform(with_rule(block({{"ip_range", "1.2.3.4/40"}}))),
                 errc::bad_cidr, at + ".ip_range");
  TF_CHECK_ERROR(validation_error, read_terraform(with_rule(block({{"port_range", "90-80"}}))),
                 errc::port_order, at + ".port_range");
  TF_CHECK_ERROR(parse_error, read_terraform(with_rule(json("nope"))), errc::wrong_type, at);

  auto group = [](const json& overrides) {
    return state_doc(json::array({state_resource("", sg, "g", sg_values(overrides))}));
  };
  TF_CHECK_ERROR(parse_error, read_terraform(group({{"inbound_default_policy", "allow"}})),
                 errc::bad_enum, s + ".g.inbound_default_policy");
  TF_CHECK_ERROR(parse_error, read_terraform(group({{"stateful", "yes"}})), errc::wrong_type,
                 s + ".g.stateful");
  TF_CHECK_ERROR(parse_error, read_terraform(group({{"inbound_rule", json::object()}})),
                 errc::wrong_type, s + ".g.inbound_rule");
  TF_CHECK_ERROR(parse_error, read_terraform(group({{"tags", json::array({1})}})), errc::wrong_type,
                 s + ".g.tags[0]");
  // external_rules with rule blocks: the provider rejects the configuration.
  TF_CHECK_ERROR(
      parse_error,
      read_terraform(group({{"external_rules", true}, {"inbound_rule", json::array({block()})}})),
      errc::bad_resource, s + ".g.inbound_rule");
  // A rules resource without its group id.
  auto no_id =
      state_doc(json::array({state_resource("", sgr, "r", json{{"inbound_rule", json::array()}})}));
  TF_CHECK_ERROR(parse_error, read_terraform(no_id), errc::missing_field,
                 std::string(sgr) + ".r.security_group_id");

  // Errors in the value before the change say so.
  auto bad = sg_values({{"inbound_rule", json::array({block({{"port", "x"}})})}});
  auto e = thrown_by<parse_error>([&] {
    read_terraform(
        plan_doc(json::array({change(s + ".g", sg, "g", {"update"}, bad, sg_values())})));
  });
  CHECK(e.field() == s + ".g.inbound_rule[0].port");
  CHECK(e.message().rfind("before the change: ", 0) == 0);
}

TEST_CASE("errors: JSON text and files name their source", "[terraform][error]") {
  TF_CHECK_ERROR(parse_error, parse_terraform("{\"format_version\": ", "plan.json"), errc::bad_json,
                 "plan.json");
  auto state = state_doc(json::array({state_resource("", sg, "g", sg_values({{"stateful", 1}}))}));
  TF_CHECK_ERROR(parse_error, parse_terraform(state.dump(), "state.json"), errc::wrong_type,
                 "state.json: " + std::string(sg) + ".g.stateful");
  TF_CHECK_ERROR(parse_error, load_terraform(example_dir / "no-such-plan.json"), errc::bad_file,
                 (example_dir / "no-such-plan.json").string());
}

// A repeated key in an inbound_rule block: the plan a reviewer reads and the one analysed
// would differ (nlohmann kept the last value, `terraform show -json` never writes a repeat).
TEST_CASE("errors: a repeated key names its path and line", "[terraform][error]") {
  const std::string plan = R"({"format_version": "1.2", "resource_changes": [{"address": ")" +
                           std::string(sg) + R"(.g", "mode": "managed", "type": ")" + sg +
                           R"(", "name": "g", "change": {"actions": ["create"], "before": null,
          "after": {"inbound_rule": [{"action": "accept", "ip_range": "10.0.0.0/8",
                                      "port": 22, "ip_range": "0.0.0.0/0"}]}}}]})";
  TF_CHECK_ERROR(parse_error, parse_terraform(plan, "plan.json"), errc::bad_json,
                 "plan.json: resource_changes[0].change.after.inbound_rule[0].ip_range");
  try {
    parse_terraform(plan, "plan.json");
  } catch (const parse_error& e) {
    CHECK_THAT(e.message(), Catch::StartsWith("duplicate key 'ip_range' at line 3, column 51 "
                                              "(also at line 2, column 59)"));
  }
}

// Found by the deep-input run of the fuzz targets (docs/fuzzing.md): 200 KB of nested arrays
// in a change's after_unknown, with more keys after it, overflowed the stack while parsing.
TEST_CASE("errors: JSON nesting deeper than max_json_depth is refused", "[terraform][error]") {
  const std::string deep = std::string(100000, '[') + "true" + std::string(100000, ']');
  const std::string plan =
      R"({"format_version": "1.2", "resource_changes": [{"address": ")" + std::string(sg) +
      R"(.g", "mode": "managed", "type": ")" + sg +
      R"(", "name": "g", "change": {"actions": ["create"], "before": null, "after": {},
          "after_unknown": {"tags": )" +
      deep + R"(}, "before_sensitive": false}}]})";
  TF_CHECK_ERROR(parse_error, parse_terraform(plan, "plan.json"), errc::too_large, "plan.json");
}

// -- Sources --------------------------------------------------------------------------------

TEST_CASE("locate_terraform_sources finds each resource block", "[terraform][example]") {
  auto plan = load_terraform(example_dir / "plan.json");
  locate_terraform_sources(plan, example_dir);
  const std::string s = sg;
  CHECK(group_at(plan, s + ".web").source_file == "main.tf");
  CHECK(group_at(plan, s + ".web").source_line == 28);
  CHECK(group_at(plan, s + ".db").source_line == 72);
  CHECK(group_at(plan, s + ".app[\"worker\"]").source_line == 98);
  const auto& bastion = group_at(plan, "module.net." + s + ".bastion[0]");
  CHECK(bastion.source_file == "modules/net/main.tf");
  CHECK(bastion.source_line == 6);
  // legacy is no longer in the configuration.
  CHECK(group_at(plan, s + ".legacy").source_file.empty());
  CHECK(group_at(plan, s + ".legacy").source_line == 0);
  // State documents know the root module's directory only.
  auto state = load_terraform(example_dir / "state.json");
  locate_terraform_sources(state, example_dir);
  CHECK(group_at(state, s + ".web").source_line == 28);
  CHECK(group_at(state, "module.net." + s + ".bastion[0]").source_file.empty());
}

}  // namespace tf_test
