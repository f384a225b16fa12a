// Golden tests of every lint check, positive and negative, including each linter bug class of
// shared/spec/analysis-semantics.md §4: protocol ignored, port ranges, deny before allow, ::/0
// forgotten, non-/0 public ranges. Every report also passes require_truthful(): each witness is
// decided as the finding says, by the linear reference evaluator.
#include <algorithm>
#include <cstdio>
#include <set>
#include <string>

#include "lint/support.hpp"

using namespace lint_test;
using secgroup::lint::lint_config;

namespace {

/// A configuration running only the checks `ids`.
lint_config only(std::initializer_list<std::string_view> ids) {
  lint_config c;
  for (auto& s : c.settings) s.enabled = false;
  for (auto id : ids) c.setting(id).enabled = true;
  return c;
}

std::set<std::string> subjects(const std::vector<lint::finding>& v) {
  std::set<std::string> out;
  for (const auto& f : v) out.insert(f.subject);
  return out;
}

const lint::finding* find_subject(const std::vector<lint::finding>& v, std::string_view s) {
  for (const auto& f : v)
    if (f.subject == s) return &f;
  return nullptr;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

// -- Catalogue ------------------------------------------------------------------------------

TEST_CASE("catalogue: ids are SG001.. in order, names unique, every text present") {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < lint::checks.size(); ++i) {
    const auto& c = lint::checks[i];
    std::string id = std::to_string(i + 1);
    id = "SG" + std::string(id.size() < 3 ? 3 - id.size() : 0, '0') + id;
    CHECK(c.id == id);
    CHECK(names.insert(c.name).second);
    CHECK(!c.title.empty());
    CHECK(!c.rationale.empty());
    CHECK(!c.fix.empty());
    CHECK(lint::find_check(c.name) == &c);
    CHECK(lint::find_check(c.id) == &c);
  }
  std::set<std::string> services;
  for (const auto& s : lint::default_services()) {
    CHECK(services.insert(s.name).second);
    CHECK(!s.ports.empty());
  }
  for (const char* s :
       {"ssh",        "rdp",       "telnet",        "ftp",     "smb",   "mysql",
        "postgresql", "sqlserver", "oracle",        "mongodb", "redis", "couchdb",
        "cassandra",  "memcached", "elasticsearch", "kibana",  "kafka", "ldap",
        "kerberos",   "nfs",       "vnc",           "docker",  "etcd",  "kubernetes-api",
        "kubelet",    "smtp",      "pop3",          "imap",    "snmp",  "dns"})
    CHECK(services.count(s) == 1);
}

TEST_CASE("check table: every catalogue check is in exactly one row, SG003/SG002 before SG001") {
  std::vector<std::string_view> listed;
  for (const auto& row : lint::check_table) {
    CHECK(!row.ids.empty());
    CHECK(row.run != nullptr);
    CHECK(row.info().id == row.ids.front());
    listed.insert(listed.end(), row.ids.begin(), row.ids.end());
  }
  CHECK(listed.size() == lint::checks.size());
  for (const auto& c : lint::checks) CHECK(std::count(listed.begin(), listed.end(), c.id) == 1);
  auto at = [&](std::string_view id) { return std::find(listed.begin(), listed.end(), id); };
  CHECK(at("SG003") < at("SG001"));
  CHECK(at("SG002") < at("SG001"));
}

// -- SG001 ----------------------------------------------------------------------------------

TEST_CASE("SG001: SSH open to the internet, with witness and deciding rule") {
  auto r = linted(group_of({"inbound accept tcp 0.0.0.0/0 22"}));
  auto f = of(r, "SG001");
  REQUIRE(f.size() == 1);
  CHECK(f[0].subject == "ssh");
  CHECK(f[0].level == lint::severity::high);
  CHECK(ids(r, f[0].rules) == std::vector<std::string>{"r1"});
  CHECK(!f[0].by_default);
  REQUIRE(f[0].witness);
  const auto& p = f[0].witness->packet;
  CHECK(p.direction == direction::inbound);
  CHECK(p.protocol == ip_proto::tcp);
  CHECK(p.port == 22);
  CHECK(p.remote.af == family::v4);
  CHECK(!private_or_reserved(p.remote));
  CHECK(f[0].witness->decision.action == action::accept);
  CHECK(contains(f[0].message, "every public IPv4 address"));
}

TEST_CASE("SG001: protocol matters: ICMP, UDP 22 and GRE are not SSH exposure") {
  auto r = linted(group_of({"inbound accept icmp 0.0.0.0/0", "inbound accept icmp ::/0",
                            "inbound accept udp 0.0.0.0/0 22"}));
  CHECK(of(r, "SG001").empty());
  // Only ICMP and other protocols (GRE) are open: the ANY rule decides no TCP or UDP packet.
  r = linted(group_of({"inbound drop tcp 0.0.0.0/0", "inbound drop udp 0.0.0.0/0",
                       "inbound accept any 0.0.0.0/0"}));
  CHECK(of(r, "SG001").empty());
  CHECK(of(r, "SG002").empty());
  CHECK(of(r, "SG003").empty());
}

TEST_CASE("SG001: a port range containing a service port is caught") {
  auto r = linted(group_of({"inbound accept tcp 0.0.0.0/0 20-25"}));
  auto f = of(r, "SG001");
  CHECK(subjects(f) == std::set<std::string>{"ftp", "ssh", "telnet", "smtp"});
  const auto* ftp = find_subject(f, "ftp");
  REQUIRE(ftp);
  REQUIRE(ftp->witness);
  CHECK((ftp->witness->packet.port == 20 || ftp->witness->packet.port == 21));
  CHECK(find_subject(f, "smtp")->level == lint::severity::medium);
  r = linted(group_of({"inbound accept tcp 0.0.0.0/0 23-24"}));
  CHECK(subjects(of(r, "SG001")) == std::set<std::string>{"telnet"});
}

TEST_CASE("SG001: a drop before the accept is honoured, a drop after it is not") {
  auto r = linted(group_of({"inbound drop tcp 0.0.0.0/0 22", "inbound accept tcp 0.0.0.0/0 22"}));
  CHECK(of(r, "SG001").empty());
  r = linted(group_of({"inbound drop tcp 0.0.0.0/1 22", "inbound accept tcp 0.0.0.0/0 22"}));
  auto f = of(r, "SG001");
  REQUIRE(f.size() == 1);
  REQUIRE(f[0].witness);
  CHECK(parse_network("128.0.0.0/1").contains(f[0].witness->packet.remote));
  r = linted(group_of({"inbound accept tcp 0.0.0.0/0 22", "inbound drop tcp 0.0.0.0/0 22"}));
  CHECK(of(r, "SG001").size() == 1);
}

TEST_CASE("SG001: ::/0 is not forgotten, and an IPv4 drop does not protect IPv6") {
  auto r = linted(group_of({"inbound accept tcp ::/0 22"}));
  auto f = of(r, "SG001");
  REQUIRE(f.size() == 1);
  REQUIRE(f[0].witness);
  CHECK(f[0].witness->packet.remote.af == family::v6);
  CHECK(!private_or_reserved(f[0].witness->packet.remote));
  CHECK(contains(f[0].message, "every public IPv6 address"));

  r = linted(group_of({"inbound drop tcp 0.0.0.0/0 22", "inbound accept tcp ::/0 22"}));
  f = of(r, "SG001");
  REQUIRE(f.size() == 1);
  CHECK(ids(r, f[0].rules) == std::vector<std::string>{"r2"});
  CHECK(f[0].witness->packet.remote.af == family::v6);

  r = linted(group_of({"inbound drop tcp ::/0 22", "inbound accept tcp 0.0.0.0/0 22",
                       "inbound accept tcp ::/0 22"}));
  f = of(r, "SG001");
  REQUIRE(f.size() == 1);
  CHECK(ids(r, f[0].rules) == std::vector<std::string>{"r2"});
  CHECK(!contains(f[0].message, "IPv6"));
}

TEST_CASE("SG001: non-/0 public ranges: two /1 rules are the internet, a /24 is part of it") {
  auto r =
      linted(group_of({"inbound accept tcp 0.0.0.0/1 22", "inbound accept tcp 128.0.0.0/1 22"}));
  auto f = of(r, "SG001");
  REQUIRE(f.size() == 1);
  CHECK(ids(r, f[0].rules) == std::vector<std::string>{"r1", "r2"});
  CHECK(contains(f[0].message, "every public IPv4 address"));

  r = linted(group_of({"inbound accept tcp 198.51.100.0/24 3389"}));
  f = of(r, "SG001");
  REQUIRE(f.size() == 1);
  CHECK(f[0].subject == "rdp");
  CHECK(contains(f[0].message, "198.51.100.0/24"));
  CHECK(parse_network("198.51.100.0/24").contains(f[0].witness->packet.remote));
}

TEST_CASE("SG001: private, CGNAT and unique-local ranges are not the internet") {
  auto r =
      linted(group_of({"inbound accept tcp 10.0.0.0/8 22", "inbound accept tcp 172.16.0.0/12 3306",
                       "inbound accept tcp 192.168.0.0/16 5432", "inbound accept tcp fd00::/8 6379",
                       "inbound accept tcp 100.64.0.0/10 22", "inbound accept tcp fe80::/10 22",
                       "inbound accept tcp 127.0.0.0/8 22"}));
  CHECK(of(r, "SG001").empty());
}

TEST_CASE("SG001: trusted ranges are not the internet") {
  lint_config c;
  c.trusted_ranges = {parse_network("198.51.100.0/24")};
  auto r = linted(group_of({"inbound accept tcp 198.51.100.0/24 22"}), c);
  CHECK(of(r, "SG001").empty());
  r = linted(group_of({"inbound accept tcp 198.51.0.0/16 22"}), c);
  auto f = of(r, "SG001");
  REQUIRE(f.size() == 1);
  CHECK(!parse_network("198.51.100.0/24").contains(f[0].witness->packet.remote));
}

TEST_CASE("SG001: an accepting default policy exposes services too") {
  options o;
  o.inbound = action::accept;
  auto r = linted(group_of({}, o), only({"SG001"}));
  auto f = of(r, "SG001");
  CHECK(f.size() == lint::default_services().size());
  const auto* ssh = find_subject(f, "ssh");
  REQUIRE(ssh);
  CHECK(ssh->by_default);
  CHECK(ssh->rules.empty());
  CHECK(ssh->witness->decision.by_default());

  r = linted(group_of({"inbound drop tcp 0.0.0.0/0 22", "inbound drop tcp ::/0 22"}, o),
             only({"SG001"}));
  f = of(r, "SG001");
  CHECK(!find_subject(f, "ssh"));
  CHECK(find_subject(f, "telnet"));
}

TEST_CASE("SG001: per-service severity and the service catalogue are configurable") {
  auto r = linted(group_of({"inbound accept tcp 0.0.0.0/0 2375"}));
  auto f = of(r, "SG001");
  REQUIRE(f.size() == 1);
  CHECK(f[0].subject == "docker");
  CHECK(f[0].level == lint::severity::critical);

  auto g = group_of({"inbound accept tcp 0.0.0.0/0 22", "inbound accept tcp 0.0.0.0/0 2375",
                     "inbound accept tcp 0.0.0.0/0 3000"});
  lint_config c;
  c.setting("SG001").level = lint::severity::medium;
  r = linted(g, c);
  f = of(r, "SG001");
  CHECK(find_subject(f, "ssh")->level == lint::severity::medium);
  CHECK(find_subject(f, "docker")->level == lint::severity::critical);
  CHECK(!find_subject(f, "grafana"));

  c.services.erase(std::remove_if(c.services.begin(), c.services.end(),
                                  [](const lint::service& s) { return s.name == "ssh"; }),
                   c.services.end());
  c.services.push_back(
      {"grafana", "Grafana", {lint::parse_service_port("tcp/3000", "x")}, lint::severity::low});
  r = linted(g, c);
  f = of(r, "SG001");
  CHECK(!find_subject(f, "ssh"));
  REQUIRE(find_subject(f, "grafana"));
  CHECK(find_subject(f, "grafana")->level == lint::severity::low);
}

// -- SG002, SG003 ---------------------------------------------------------------------------

TEST_CASE("SG002: every TCP port open, services are then named in it, not repeated") {
  auto r = linted(group_of({"inbound accept tcp 0.0.0.0/0"}));
  auto f = of(r, "SG002");
  REQUIRE(f.size() == 1);
  CHECK(f[0].subject == "inbound/tcp");
  CHECK(f[0].level == lint::severity::critical);
  CHECK(ids(r, f[0].rules) == std::vector<std::string>{"r1"});
  CHECK(f[0].witness->packet.protocol == ip_proto::tcp);
  CHECK(contains(f[0].message, "SSH"));
  CHECK(of(r, "SG001").empty());
  auto c = lint_config{};
  c.setting("SG002").enabled = false;
  r = linted(group_of({"inbound accept tcp 0.0.0.0/0"}), c);
  CHECK(find_subject(of(r, "SG001"), "ssh"));
}

TEST_CASE("SG002: all ports means 1-65535 from one address, whatever the rules' shapes") {
  CHECK(of(linted(group_of({"inbound accept tcp 0.0.0.0/0 1-65535"})), "SG002").size() == 1);
  CHECK(of(linted(group_of({"inbound accept tcp 0.0.0.0/0 1-65534"})), "SG002").empty());
  auto r = linted(group_of(
      {"inbound accept tcp 0.0.0.0/0 1-30000", "inbound accept tcp 0.0.0.0/0 30001-65535"}));
  auto f = of(r, "SG002");
  REQUIRE(f.size() == 1);
  CHECK(ids(r, f[0].rules) == std::vector<std::string>{"r1", "r2"});
  // Every port is open to someone, but no address reaches them all.
  CHECK(of(linted(group_of({"inbound accept tcp 0.0.0.0/1 1-32767",
                            "inbound accept tcp 128.0.0.0/1 32768-65535"})),
           "SG002")
            .empty());
  // Groups opening only 80 and 443 (prowler #2442).
  CHECK(
      of(linted(group_of({"inbound accept tcp 0.0.0.0/0 80", "inbound accept tcp 0.0.0.0/0 443"})),
         "SG002")
          .empty());
  r = linted(group_of({"inbound accept udp ::/0"}));
  f = of(r, "SG002");
  REQUIRE(f.size() == 1);
  CHECK(f[0].subject == "inbound/udp");
  CHECK(f[0].witness->packet.remote.af == family::v6);
}

TEST_CASE("SG002: a drop rule is not an open port (trivy #3283)") {
  auto r = linted(group_of({"inbound drop tcp 0.0.0.0/0", "inbound drop any ::/0"}));
  CHECK(of(r, "SG002").empty());
  CHECK(of(r, "SG001").empty());
  CHECK(of(r, "SG003").empty());
}

TEST_CASE("SG003: everything open, SG002 and SG001 not repeated unless SG003 is suppressed") {
  auto g = group_of({"inbound accept any 0.0.0.0/0", "inbound accept any ::/0"});
  auto r = linted(g);
  auto f = of(r, "SG003");
  REQUIRE(f.size() == 1);
  CHECK(ids(r, f[0].rules) == std::vector<std::string>{"r1", "r2"});
  CHECK(contains(f[0].message, "every public IPv4 address and every public IPv6 address"));
  CHECK(contains(f[0].message, "sensitive services included: SSH"));
  CHECK(of(r, "SG002").empty());
  CHECK(of(r, "SG001").empty());

  lint_config c;
  c.suppressions.push_back({"SG003", "", "", "accepted risk", ""});
  r = linted(g, c);
  REQUIRE(of(r, "SG003").size() == 1);
  CHECK(of(r, "SG003")[0].suppressed);
  CHECK(subjects(of(r, "SG002")) == std::set<std::string>{"inbound/tcp", "inbound/udp"});
  CHECK(of(r, "SG001").empty());  // now named by SG002
  c.setting("SG002").enabled = false;
  r = linted(g, c);
  CHECK(of(r, "SG001").size() == lint::default_services().size());

  r = linted(group_of({"inbound drop udp 0.0.0.0/0", "inbound accept any 0.0.0.0/0"}));
  CHECK(of(r, "SG003").empty());
  CHECK(subjects(of(r, "SG002")) == std::set<std::string>{"inbound/tcp"});
}

TEST_CASE("SG002/SG003: a wide finding implies only findings no more severe than itself") {
  // Lowering SG002 to info must not lower SSH (high) or Docker (critical) with it.
  auto g = group_of({"inbound accept tcp 0.0.0.0/0", "inbound accept tcp ::/0"});
  lint_config c;
  c.setting("SG002").level = lint::severity::info;
  auto r = linted(g, c);
  REQUIRE(of(r, "SG002").size() == 1);
  CHECK(of(r, "SG002")[0].level == lint::severity::info);
  const auto sg001 = of(r, "SG001");
  const auto* ssh = find_subject(sg001, "ssh");
  REQUIRE(ssh);
  CHECK(ssh->level == lint::severity::high);
  CHECK_FALSE(contains(of(r, "SG002")[0].message, "SSH"));
  // Services at or below the wide finding's severity are still implied and named in it.
  c.setting("SG002").level = lint::severity::high;
  r = linted(g, c);
  CHECK_FALSE(find_subject(of(r, "SG001"), "ssh"));
  CHECK(contains(of(r, "SG002")[0].message, "SSH"));
  CHECK_FALSE(of(r, "SG001").empty());  // Docker, etcd, Kubelet: critical
  for (const auto& f : of(r, "SG001")) CHECK(f.level == lint::severity::critical);
  // SG003 at low: SG002 (critical) is reported beside it.
  auto everything = group_of({"inbound accept any 0.0.0.0/0"});
  c = lint_config{};
  c.setting("SG003").level = lint::severity::low;
  r = linted(everything, c);
  CHECK(of(r, "SG003").size() == 1);
  CHECK(subjects(of(r, "SG002")) == std::set<std::string>{"inbound/tcp", "inbound/udp"});
}

// -- SG004, SG005 ---------------------------------------------------------------------------

TEST_CASE("SG004: an accepting inbound default is reported only when it decides packets") {
  options o;
  o.inbound = action::accept;
  auto r = linted(group_of({}, o));
  auto f = of(r, "SG004");
  REQUIRE(f.size() == 1);
  CHECK(f[0].by_default);
  CHECK(f[0].witness->decision.by_default());
  CHECK(contains(f[0].message, "including packets from the internet"));

  CHECK(of(linted(group_of({"inbound drop any 0.0.0.0/0", "inbound drop any ::/0"}, o)), "SG004")
            .empty());
  r = linted(group_of({"inbound drop any 0.0.0.0/0"}, o));
  f = of(r, "SG004");
  REQUIRE(f.size() == 1);
  CHECK(f[0].witness->packet.remote.af == family::v6);
  CHECK(of(linted(group_of({})), "SG004").empty());

  // Only 10.0.0.0/8 reaches the default.
  r = linted(group_of(
      {"inbound drop any 0.0.0.0/5", "inbound drop any 8.0.0.0/7", "inbound drop any 11.0.0.0/8",
       "inbound drop any 12.0.0.0/6", "inbound drop any 16.0.0.0/4", "inbound drop any 32.0.0.0/3",
       "inbound drop any 64.0.0.0/2", "inbound drop any 128.0.0.0/1", "inbound drop any ::/0"},
      o));
  f = of(r, "SG004");
  REQUIRE(f.size() == 1);
  CHECK(contains(f[0].message, "non-public addresses only"));
  CHECK(parse_network("10.0.0.0/8").contains(f[0].witness->packet.remote));
}

TEST_CASE("SG005: the project default group must accept nothing inbound") {
  options o;
  o.project_default = true;
  auto r = linted(group_of({"inbound accept tcp 10.0.0.0/8 22"}, o));
  auto f = of(r, "SG005");
  REQUIRE(f.size() == 1);
  CHECK(ids(r, f[0].rules) == std::vector<std::string>{"r1"});
  CHECK(of(linted(group_of({"outbound accept any 0.0.0.0/0"}, o)), "SG005").empty());
  CHECK(of(linted(group_of({"inbound accept tcp 10.0.0.0/8 22"})), "SG005").empty());
}

// -- SG006, SG007 ---------------------------------------------------------------------------

TEST_CASE("SG006: unrestricted egress per family") {
  auto r = linted(group_of({}));
  auto f = of(r, "SG006");
  REQUIRE(f.size() == 1);
  CHECK(f[0].level == lint::severity::info);
  CHECK(contains(f[0].message, "IPv4"));
  CHECK(contains(f[0].message, "IPv6"));
  options closed;
  closed.outbound = action::drop;
  CHECK(of(linted(group_of({}, closed)), "SG006").empty());
  r = linted(group_of({"outbound drop tcp 0.0.0.0/0 443"}));
  f = of(r, "SG006");
  REQUIRE(f.size() == 1);
  CHECK(!contains(f[0].message, "IPv4"));
  CHECK(contains(f[0].message, "IPv6"));
  r = linted(group_of({"outbound accept any 0.0.0.0/0", "outbound accept any ::/0"}, closed));
  f = of(r, "SG006");
  REQUIRE(f.size() == 1);
  CHECK(ids(r, f[0].rules) == std::vector<std::string>{"r1", "r2"});
}

TEST_CASE("SG007: default security off matters only when SMTP is actually open") {
  options off;
  off.default_security = false;
  auto r = linted(group_of({}, off));
  auto f = of(r, "SG007");
  REQUIRE(f.size() == 1);
  CHECK(contains(f[0].message, "25, 465, 587"));
  CHECK(f[0].witness->packet.port == 25);
  CHECK(of(linted(group_of({})), "SG007").empty());
  CHECK(of(linted(group_of({"outbound drop tcp 0.0.0.0/0 25", "outbound drop tcp 0.0.0.0/0 465",
                            "outbound drop tcp 0.0.0.0/0 587", "outbound drop tcp ::/0 25",
                            "outbound drop tcp ::/0 465", "outbound drop tcp ::/0 587"},
                           off)),
           "SG007")
            .empty());
  r = linted(group_of({"outbound drop tcp 0.0.0.0/0 25-587"}, off));
  f = of(r, "SG007");
  REQUIRE(f.size() == 1);
  CHECK(f[0].witness->packet.remote.af == family::v6);
  off.outbound = action::drop;
  r = linted(group_of({"outbound accept tcp 0.0.0.0/0 587"}, off));
  f = of(r, "SG007");
  REQUIRE(f.size() == 1);
  CHECK(contains(f[0].message, "TCP 587)"));
  CHECK(ids(r, f[0].rules) == std::vector<std::string>{"r1"});
  // Each port is worded with its own addresses: 25 and 465 are dropped to IPv4, not 587.
  off.outbound = action::accept;
  r = linted(group_of({"outbound drop tcp 0.0.0.0/0 25", "outbound drop tcp 0.0.0.0/0 465"}, off));
  f = of(r, "SG007");
  REQUIRE(f.size() == 1);
  CHECK(contains(f[0].message,
                 "outbound SMTP is accepted: TCP 25, 465 to every public IPv6 "
                 "address; TCP 587 to every public IPv4 address and every public "
                 "IPv6 address"));
}

// -- SG008 ----------------------------------------------------------------------------------

TEST_CASE("SG008: a 0.0.0.0/0 accept without its ::/0 twin, and the reverse") {
  auto r = linted(group_of({"inbound accept tcp 0.0.0.0/0 443"}));
  auto f = of(r, "SG008");
  REQUIRE(f.size() == 1);
  CHECK(f[0].subject == "inbound/tcp/v4-only");
  CHECK(contains(f[0].message, "port 443 is open to every public IPv4 address"));
  CHECK(f[0].witness->packet.port == 443);
  CHECK(of(linted(group_of({"inbound accept tcp 0.0.0.0/0 443", "inbound accept tcp ::/0 443"})),
           "SG008")
            .empty());
  // An admin range on one family only is a restriction, not a mismatch.
  CHECK(of(linted(group_of({"inbound accept tcp 198.51.100.0/24 22"})), "SG008").empty());
  // A ban list does not hide the mismatch.
  r = linted(group_of({"inbound drop tcp 203.0.113.0/24", "inbound accept tcp 0.0.0.0/0 80"}));
  f = of(r, "SG008");
  REQUIRE(f.size() == 1);
  CHECK(contains(f[0].message, "except 203.0.113.0/24"));
  // A drop that covers one family only: the restriction is bypassed over IPv6.
  options o;
  o.inbound = action::accept;
  r = linted(group_of({"inbound drop tcp 0.0.0.0/0 22"}, o), only({"SG008"}));
  f = of(r, "SG008");
  REQUIRE(f.size() == 1);
  CHECK(f[0].subject == "inbound/tcp/v6-only");
  CHECK(ids(r, f[0].related) == std::vector<std::string>{"r1"});
  CHECK(f[0].by_default);
  r = linted(group_of({"inbound accept icmp 0.0.0.0/0"}));
  CHECK(subjects(of(r, "SG008")) == std::set<std::string>{"inbound/icmp/v4-only"});
}

// -- SG009, SG010 ---------------------------------------------------------------------------

TEST_CASE("SG009: stateless inbound services need outbound replies to the ephemeral range") {
  options o;
  o.stateful = false;
  o.outbound = action::drop;
  auto r = linted(group_of({"inbound accept tcp 0.0.0.0/0 443"}, o));
  auto f = of(r, "SG009");
  REQUIRE(f.size() == 1);
  CHECK(contains(f[0].message, "every client"));
  const auto& p = f[0].witness->packet;
  CHECK(p.direction == direction::outbound);
  CHECK((p.port >= 32768 && p.port <= 60999));
  CHECK(f[0].witness->decision.action == action::drop);
  CHECK(f[0].by_default);
  CHECK(ids(r, f[0].related) == std::vector<std::string>{"r1"});

  CHECK(
      of(linted(group_of(
             {"inbound accept tcp 0.0.0.0/0 443", "outbound accept tcp 0.0.0.0/0 32768-60999"}, o)),
         "SG009")
          .empty());
  r = linted(group_of(
      {"inbound accept tcp 0.0.0.0/0 443", "outbound accept tcp 0.0.0.0/0 49152-65535"}, o));
  f = of(r, "SG009");
  REQUIRE(f.size() == 1);
  // Every client loses the ports under 49152: "some clients" alone would say otherwise.
  CHECK(contains(f[0].message, "some clients or ports"));
  CHECK(f[0].witness->packet.port < 49152);

  options stateful = o;
  stateful.stateful = true;
  CHECK(of(linted(group_of({"inbound accept tcp 0.0.0.0/0 443"}, stateful)), "SG009").empty());
  // Inbound accepts inside the ephemeral range are replies, not services.
  CHECK(of(linted(group_of({"inbound accept tcp 0.0.0.0/0 32768-60999"}, o)), "SG009").empty());
  // The ephemeral range is a parameter.
  lint_config c;
  c.ephemeral_ports = {1024, 65535};
  r = linted(
      group_of({"inbound accept tcp 0.0.0.0/0 443", "outbound accept tcp 0.0.0.0/0 32768-60999"},
               o),
      c);
  CHECK(of(r, "SG009").size() == 1);
}

TEST_CASE("SG010: stateless outbound connections need inbound replies") {
  options o;
  o.stateful = false;
  auto r = linted(group_of({}, o));
  CHECK(subjects(of(r, "SG010")) == std::set<std::string>{"outbound/tcp", "outbound/udp"});
  for (const auto& f : of(r, "SG010")) {
    CHECK(f.witness->packet.direction == direction::inbound);
    CHECK(f.witness->decision.action == action::drop);
  }
  CHECK(of(linted(group_of(
               {"inbound accept tcp 0.0.0.0/0 32768-60999", "inbound accept tcp ::/0 32768-60999",
                "inbound accept udp 0.0.0.0/0 32768-60999", "inbound accept udp ::/0 32768-60999"},
               o)),
           "SG010")
            .empty());
  o.outbound = action::drop;
  CHECK(of(linted(group_of({"outbound accept tcp 0.0.0.0/0 32768-60999"}, o)), "SG010").empty());
}

// -- SG011 .. SG014 -------------------------------------------------------------------------

TEST_CASE("SG011: shadowed rules, including by the default SMTP rules") {
  auto r = linted(group_of({"inbound drop tcp 0.0.0.0/0 22", "inbound accept tcp 10.0.0.0/8 22"}));
  auto f = of(r, "SG011");
  REQUIRE(f.size() == 1);
  CHECK(ids(r, f[0].rules) == std::vector<std::string>{"r2"});
  CHECK(ids(r, f[0].related) == std::vector<std::string>{"r1"});
  CHECK(f[0].witness->decision.action == action::drop);

  r = linted(group_of({"outbound accept tcp 0.0.0.0/0 25"}));
  f = of(r, "SG011");
  REQUIRE(f.size() == 1);
  CHECK(ids(r, f[0].related) == std::vector<std::string>{"11111111-2222-4333-8444-000000000001"});
  CHECK(contains(f[0].message, "default SMTP rule"));
  options off;
  off.default_security = false;
  CHECK(of(linted(group_of({"outbound accept tcp 0.0.0.0/0 25"}, off)), "SG011").empty());
}

TEST_CASE("SG012: covered and fall-through redundancy, with the default policy") {
  auto r = linted(
      group_of({"inbound accept tcp 0.0.0.0/0 443", "inbound accept tcp 198.51.100.0/24 443"}));
  auto f = of(r, "SG012");
  REQUIRE(f.size() == 1);
  CHECK(ids(r, f[0].rules) == std::vector<std::string>{"r2"});
  CHECK(contains(f[0].message, "same action"));

  r = linted(group_of({"inbound drop tcp ::/0 5432"}));
  f = of(r, "SG012");
  REQUIRE(f.size() == 1);
  CHECK(f[0].by_default);
  CHECK(contains(f[0].message, "from the default policy"));

  r = linted(group_of({"inbound accept tcp 10.0.0.0/8 5432", "inbound accept tcp 0.0.0.0/1 5432"}));
  f = of(r, "SG012");
  REQUIRE(f.size() == 1);
  CHECK(ids(r, f[0].rules) == std::vector<std::string>{"r1"});
  CHECK(ids(r, f[0].related) == std::vector<std::string>{"r2"});
  CHECK(!f[0].by_default);

  r = linted(group_of({"inbound drop tcp 0.0.0.0/0 22", "inbound drop tcp 10.0.0.0/8 22"}));
  f = of(r, "SG012");
  REQUIRE(f.size() == 2);
  const auto* first = find_subject(f, "r1");
  REQUIRE(first);
  CHECK(first->by_default);
  CHECK(contains(first->message, "and the default policy"));

  CHECK(
      of(linted(group_of({"inbound accept tcp 0.0.0.0/0 80", "inbound accept tcp 0.0.0.0/0 443"})),
         "SG012")
          .empty());
}

TEST_CASE("SG013, SG014: order-dependent pairs, generalizations are off by default") {
  auto r = linted(group_of({"inbound drop tcp 203.0.113.0/24", "inbound accept tcp 0.0.0.0/0 22"}));
  auto f = of(r, "SG013");
  REQUIRE(f.size() == 1);
  CHECK(f[0].level == lint::severity::info);
  CHECK(ids(r, f[0].rules) == std::vector<std::string>{"r2"});
  CHECK(ids(r, f[0].related) == std::vector<std::string>{"r1"});
  CHECK(of(linted(
               group_of({"inbound drop tcp 203.0.113.0/24 22", "inbound accept tcp 0.0.0.0/0 80"})),
           "SG013")
            .empty());

  auto g = group_of({"inbound drop any 203.0.113.66", "inbound accept any 0.0.0.0/0"});
  CHECK(of(linted(g), "SG014").empty());
  lint_config c;
  c.setting("SG014").enabled = true;
  r = linted(g, c);
  f = of(r, "SG014");
  REQUIRE(f.size() == 1);
  CHECK(ids(r, f[0].rules) == std::vector<std::string>{"r2"});
  CHECK(ids(r, f[0].related) == std::vector<std::string>{"r1"});
}

// -- SG015, SG016 ---------------------------------------------------------------------------

TEST_CASE("SG015: wide public prefixes, only in accept rules that decide public packets") {
  auto r = linted(group_of({"inbound accept tcp 198.0.0.0/8 443"}));
  auto f = of(r, "SG015");
  REQUIRE(f.size() == 1);
  CHECK(ids(r, f[0].rules) == std::vector<std::string>{"r1"});
  CHECK(contains(f[0].message, "/8 is shorter than /24"));
  for (const char* line :
       {"inbound accept tcp 10.0.0.0/8 443", "inbound accept tcp 0.0.0.0/0 443",
        "inbound accept tcp 198.51.100.0/24 443", "inbound drop tcp 198.0.0.0/8 443",
        "inbound accept tcp 2001:db8::/48 443"}) {
    INFO(line);
    CHECK(of(linted(group_of({line})), "SG015").empty());
  }
  // Dead on its public part: shadowed entirely, or left only its private part.
  r = linted(group_of({"inbound drop tcp 198.0.0.0/8 443", "inbound accept tcp 198.0.0.0/8 443"}));
  CHECK(of(r, "SG015").empty());
  CHECK(of(r, "SG011").size() == 1);
  CHECK(
      of(linted(group_of({"inbound drop tcp 11.0.0.0/8 443", "inbound accept tcp 10.0.0.0/7 443"})),
         "SG015")
          .empty());
  CHECK(of(linted(group_of({"inbound accept tcp 2001:db8::/32 443"})), "SG015").size() == 1);
  options closed;
  closed.outbound = action::drop;
  CHECK(of(linted(group_of({"outbound accept tcp 198.0.0.0/8 443"}, closed)), "SG015").size() == 1);
  lint_config c;
  c.min_prefix_v4 = 8;
  CHECK(of(linted(group_of({"inbound accept tcp 198.0.0.0/8 443"}), c), "SG015").empty());
  c.min_prefix_v4 = 9;
  CHECK(of(linted(group_of({"inbound accept tcp 198.0.0.0/8 443"}), c), "SG015").size() == 1);
}

TEST_CASE("SG016: single public addresses in accept rules that decide packets") {
  auto r = linted(group_of({"inbound accept tcp 203.0.113.7 22"}));
  auto f = of(r, "SG016");
  REQUIRE(f.size() == 1);
  CHECK(f[0].witness->packet.remote == parse_address("203.0.113.7"));
  CHECK(of(linted(group_of({"inbound accept tcp 2001:db8::1 443"})), "SG016").size() == 1);
  for (const auto& lines : std::vector<std::vector<std::string>>{
           {"inbound accept tcp 10.0.0.5 22"},
           {"inbound drop tcp 203.0.113.7 22"},
           {"inbound drop tcp 203.0.113.0/24 22", "inbound accept tcp 203.0.113.7 22"}}) {
    INFO(lines.back());
    CHECK(of(linted(group_of(lines)), "SG016").empty());
  }
}

// -- SG017, SG018 ---------------------------------------------------------------------------

TEST_CASE("SG017: too many user rules, the default SMTP rules do not count") {
  std::vector<std::string> lines;
  for (int i = 0; i < 50; ++i)
    lines.push_back("inbound accept tcp 10.0.0.0/8 " + std::to_string(1000 + i));
  CHECK(of(linted(group_of(lines)), "SG017").empty());
  lines.push_back("inbound accept tcp 10.0.0.0/8 2000");
  auto r = linted(group_of(lines));
  REQUIRE(of(r, "SG017").size() == 1);
  CHECK(contains(of(r, "SG017")[0].message, "51 user rules"));
  CHECK(!of(r, "SG017")[0].witness);
  lint_config c;
  c.max_rules = 60;
  CHECK(of(linted(group_of(lines), c), "SG017").empty());
}

TEST_CASE("SG018: a missing or blank description") {
  options o;
  o.description = std::nullopt;
  CHECK(of(linted(group_of({}, o)), "SG018").size() == 1);
  o.description = "  ";
  CHECK(of(linted(group_of({}, o)), "SG018").size() == 1);
  o.description = "web tier";
  CHECK(of(linted(group_of({}, o)), "SG018").empty());
}

// -- Every check ----------------------------------------------------------------------------

TEST_CASE("every check can be disabled, and findings come sorted by severity") {
  options o;
  o.inbound = action::accept;
  o.stateful = false;
  o.default_security = false;
  o.project_default = true;
  o.description = std::nullopt;
  std::vector<std::string> lines{"inbound drop tcp 0.0.0.0/0 22",
                                 "inbound accept tcp 10.0.0.0/8 22",
                                 "inbound accept tcp 198.0.0.0/8 443",
                                 "inbound accept tcp 203.0.113.7 80",
                                 "outbound drop tcp 10.0.0.0/8 32768-60999",
                                 "inbound drop udp 192.0.2.0/24 32768-60999"};
  for (int i = 0; i < 50; ++i)
    lines.push_back("outbound drop udp 10.0.0.0/8 " + std::to_string(1000 + i));
  auto g = group_of(lines, o);
  lint_config all;
  all.setting("SG014").enabled = true;
  auto r = linted(g, all);
  for (std::size_t k = 1; k < r.findings.size(); ++k)
    CHECK(r.findings[k - 1].level >= r.findings[k].level);
  std::set<std::string> seen;
  for (const auto& f : r.findings) seen.insert(f.check);
  for (const auto& check : lint::checks) {
    INFO(check.id);
    auto c = all;
    c.setting(check.id).enabled = false;
    CHECK(of(linted(g, c), check.id).empty());
  }
  for (const char* id : {"SG001", "SG002", "SG003", "SG004", "SG005", "SG006", "SG007", "SG008",
                         "SG009", "SG010", "SG011", "SG012", "SG015", "SG016", "SG017", "SG018"})
    CHECK(seen.count(id) == 1);
}
