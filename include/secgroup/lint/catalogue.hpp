// secgroup/lint/catalogue.hpp: the lint checks, the sensitive-service catalogue and the
// address ranges that do not count as "the internet".
//
// Every check has a stable id (SG001...), a kebab-case name, a one-line title, a default
// severity, whether it runs by default, a rationale and a fix hint; ids are never reused or
// renumbered (docs/lint.md documents them). Severities are info < low < medium < high <
// critical. The service catalogue is the union of the port lists of Prowler, checkov, trivy and
// ScoutSuite (shared/spec/analysis-semantics.md §5), each port with its protocol; a service
// may carry its own severity, else SG001's applies.
// "The internet" is every address outside non_public_ranges (private, loopback, link-local,
// CGNAT, multicast, reserved...). The documentation prefixes (192.0.2.0/24, 198.51.100.0/24,
// 203.0.113.0/24, 2001:db8::/32) deliberately count as public: in examples and tests they stand
// for public addresses, and a real rule naming them is a mistake either way.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../address.hpp"
#include "../config.hpp"
#include "../detail/text.hpp"
#include "../error.hpp"
#include "../port_range.hpp"
#include "../protocol.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace lint {

// -- Severities -----------------------------------------------------------------------------

/// How serious a finding is, in increasing order.
enum class severity : std::uint8_t { info, low, medium, high, critical };

inline constexpr std::array<severity, 5> all_severities{
    severity::info, severity::low, severity::medium, severity::high, severity::critical};

constexpr std::string_view to_string(severity s) {
  constexpr std::array<std::string_view, 5> names{"info", "low", "medium", "high", "critical"};
  return names[static_cast<std::size_t>(s)];
}

/// Parses "info", "low", "medium", "high" or "critical" (any case); throws parse_error
/// (secgroup.parse.103) naming `field`.
inline severity parse_severity(std::string_view text, const std::string& field = "severity") {
  return secgroup::detail::parse_enum(text, all_severities, "severity", field);
}

// -- Checks ---------------------------------------------------------------------------------

/// One lint check.
struct check_info {
  std::string_view id;         ///< stable id, "SG001"
  std::string_view name;       ///< stable kebab-case name, "sensitive-service-exposed"
  std::string_view title;      ///< one line
  severity level;              ///< default severity
  bool enabled;                ///< runs unless the configuration says otherwise
  std::string_view rationale;  ///< why it matters and exactly what is decided
  std::string_view fix;        ///< how to fix it
};

/// The ids of the checks, for code that emits them.
namespace check_id {
inline constexpr std::string_view sensitive_service = "SG001";
inline constexpr std::string_view all_ports = "SG002";
inline constexpr std::string_view all_protocols = "SG003";
inline constexpr std::string_view inbound_default_accept = "SG004";
inline constexpr std::string_view project_default_inbound = "SG005";
inline constexpr std::string_view unrestricted_egress = "SG006";
inline constexpr std::string_view smtp_egress = "SG007";
inline constexpr std::string_view dual_stack = "SG008";
inline constexpr std::string_view stateless_no_reply = "SG009";
inline constexpr std::string_view stateless_no_return = "SG010";
inline constexpr std::string_view shadowed = "SG011";
inline constexpr std::string_view redundant = "SG012";
inline constexpr std::string_view correlated = "SG013";
inline constexpr std::string_view generalization = "SG014";
inline constexpr std::string_view wide_prefix = "SG015";
inline constexpr std::string_view single_address = "SG016";
inline constexpr std::string_view too_many_rules = "SG017";
inline constexpr std::string_view missing_description = "SG018";
}  // namespace check_id

/// Every check, by id.
inline constexpr std::array<check_info, 18> checks{{
    {check_id::sensitive_service, "sensitive-service-exposed",
     "Sensitive service reachable from the internet", severity::high, true,
     "A port of the sensitive-service catalogue (remote administration, databases, caches, "
     "file sharing, cluster control planes, plaintext protocols) accepts packets from a public "
     "address, IPv4 or IPv6. Decided on the effective inbound accept region: rule order, drop "
     "rules, the default policy, port ranges and protocols all count, so an ICMP or GRE rule is "
     "never SSH exposure, a range containing 22 is, a drop before the accept is honoured, and "
     "::/0 or two /1 rules are the internet as much as 0.0.0.0/0.",
     "Accept the service only from the addresses that need it (an admin network, a VPN, a "
     "bastion, a private network), or put a drop rule for the internet before the accept."},
    {check_id::all_ports, "all-ports-exposed", "Every TCP or UDP port reachable from the internet",
     severity::critical, true,
     "Some public address can reach every port 1-65535 of TCP (or UDP): whatever listens on the "
     "instance, including services bound by mistake, is exposed.",
     "Accept only the ports the instance serves; set the inbound default policy to drop."},
    {check_id::all_protocols, "all-protocols-exposed",
     "Every protocol and port reachable from the internet", severity::critical, true,
     "Some public address can send the instance anything: every TCP and UDP port, ICMP and every "
     "other IP protocol. The group filters nothing for that address.",
     "Replace the catch-all accept (ANY rule or accepting default) by rules for the services the "
     "instance offers, and set the inbound default policy to drop."},
    {check_id::inbound_default_accept, "inbound-default-accept",
     "Inbound default policy accepts traffic", severity::medium, true,
     "The inbound default policy is accept and some inbound packet matches no rule, so the "
     "group is an allow-list in name only: anything nobody thought of is accepted. A default "
     "that no packet reaches (a final catch-all rule) is not reported.",
     "Set inbound_default_policy to drop and accept the needed services explicitly."},
    {check_id::project_default_inbound, "project-default-accepts-inbound",
     "Project default group accepts inbound traffic", severity::medium, true,
     "The project's default group is attached to every new instance that names no group; it "
     "should accept nothing inbound, so that an instance is exposed only on purpose.",
     "Remove the inbound accept rules of the default group and set its inbound default policy "
     "to drop; give instances dedicated groups."},
    {check_id::unrestricted_egress, "unrestricted-egress", "Unrestricted egress to the internet",
     severity::info, true,
     "The group accepts outbound packets of every protocol and port (SMTP 25, 465 and 587 "
     "aside) to every public address of a family. Common and often intended, but it gives "
     "malware and data exfiltration a free path.",
     "If the instance only talks to known endpoints, accept those and set the outbound default "
     "policy to drop."},
    {check_id::smtp_egress, "smtp-egress-open",
     "enable_default_security is off and outbound SMTP is open", severity::medium, true,
     "enable_default_security is false and the group accepts outbound TCP to port 25, 465 or "
     "587 on public addresses: a compromised instance can send spam, which gets the address "
     "block-listed. Not reported when user rules drop that traffic anyway.",
     "Set enable_default_security to true, or drop outbound TCP 25, 465 and 587 explicitly "
     "unless the instance is a mail relay."},
    {check_id::dual_stack, "dual-stack-inconsistent", "IPv4 and IPv6 treated differently",
     severity::medium, true,
     "For some protocol and ports, the group accepts every public address of one family and "
     "none of the other: typically a 0.0.0.0/0 rule without its ::/0 twin (or a drop that only "
     "covers one family). Either the service is unreachable over one family, or a restriction "
     "is bypassed over the other.",
     "Give each 0.0.0.0/0 rule a ::/0 twin with the same action (or the reverse)."},
    {check_id::stateless_no_reply, "stateless-inbound-no-reply",
     "Stateless group: inbound services cannot answer", severity::medium, true,
     "In a stateless group replies are ordinary outbound packets to the client's ephemeral "
     "port. The group accepts inbound TCP or UDP services (ports outside the ephemeral range) "
     "from some clients, but drops outbound packets to those clients' ephemeral ports, so "
     "(some) connections never complete.",
     "Accept outbound TCP/UDP to the ephemeral range (by default 32768-60999) for the client "
     "addresses, or make the group stateful."},
    {check_id::stateless_no_return, "stateless-outbound-no-return",
     "Stateless group: outbound connections get no reply", severity::medium, true,
     "In a stateless group replies to the instance's own connections are ordinary inbound "
     "packets to its ephemeral ports. The group accepts outbound TCP or UDP (ports outside the "
     "ephemeral range) to some servers but drops inbound packets from them to the ephemeral "
     "range, so those connections never complete.",
     "Accept inbound TCP/UDP to the ephemeral range from the servers the instance talks to, or "
     "make the group stateful."},
    {check_id::shadowed, "shadowed-rule", "Rule shadowed by earlier rules", severity::medium, true,
     "No packet is decided by the rule (earlier rules match all of it) and some of its packets "
     "get the opposite action: the rule's intent is contradicted. Found by the exact anomaly "
     "analysis, with the earlier rules that block it.",
     "Move the rule before the rules that block it, or delete it if the earlier behaviour is "
     "the intended one."},
    {check_id::redundant, "redundant-rule", "Redundant rule", severity::low, true,
     "Removing the rule alone changes no decision: either earlier rules with the same action "
     "cover it, or every packet it decides would get the same action from later rules or the "
     "default policy. Redundant rules are not jointly removable: remove one, then re-run.",
     "Delete the rule (one redundant rule at a time)."},
    {check_id::correlated, "correlated-rules", "Rules whose order matters", severity::info, true,
     "Two rules with opposite actions overlap without one containing the other, and the earlier "
     "one decides some packets of the overlap: swapping them changes decisions. Worth knowing "
     "when a tool may reorder rules.",
     "Make the intended precedence explicit (split the rules so they do not overlap), and keep "
     "their positions stable."},
    {check_id::generalization, "generalization", "Exception before a broader rule", severity::info,
     false,
     "An earlier rule is an exception carved out of a later, broader rule with the opposite "
     "action (drop one address, then accept everyone). Usually intended; off by default.",
     "Nothing to do if the exception is intended."},
    {check_id::wide_prefix, "wide-public-prefix", "Accept rule for a wide public range",
     severity::medium, true,
     "An accept rule that actually decides packets names a public network shorter than the "
     "configured prefix length (/24 for IPv4, /48 for IPv6 by default): far more addresses than "
     "any one partner owns. /0 is left to the exposure checks.",
     "Accept the partner's actual prefixes only."},
    {check_id::single_address, "single-public-address", "Accept rule for a single public address",
     severity::info, true,
     "An accept rule that actually decides packets names one public address (/32 or /128). "
     "Such rules pin home or cloud addresses that are reassigned over time and end up granting "
     "access to someone else.",
     "Prefer a VPN, a bastion or a stable owned prefix; review pinned addresses regularly."},
    {check_id::too_many_rules, "too-many-rules", "Too many rules", severity::low, true,
     "The group has more user rules than the configured maximum (50, as Prowler): large ordered "
     "lists are hard to review and hide shadowed and redundant rules.",
     "Merge rules, remove redundant ones, or split the group by role."},
    {check_id::missing_description, "missing-description", "Group has no description",
     severity::low, true,
     "The group's description is null or blank, so reviewers cannot tell its purpose. (Scaleway "
     "rules have no description field; only the group has one.)",
     "Describe what the group is for and who owns it."},
}};

/// Returns the check whose id or name is `key` (any case), or nullptr.
inline const check_info* find_check(std::string_view key) {
  for (const auto& c : checks)
    if (secgroup::detail::iequals(c.id, key) || secgroup::detail::iequals(c.name, key)) return &c;
  return nullptr;
}

/// Returns the check of id `id`; `id` must be a catalogue id.
inline const check_info& check_of(std::string_view id) {
  const auto* c = find_check(id);
  SECGROUP_ASSERT(c != nullptr);
  return *c;
}

// -- Sensitive services ---------------------------------------------------------------------

/// A protocol (TCP or UDP) and a port range of a service.
struct service_port {
  secgroup::protocol protocol = secgroup::protocol::tcp;
  port_range ports;
  friend bool operator==(const service_port&, const service_port&) = default;
};

/// "tcp/22", "udp/1434", "tcp/20-21".
inline std::string to_string(const service_port& p) {
  return std::string(p.protocol == protocol::tcp ? "tcp/" : "udp/") +
         secgroup::to_string(std::optional<port_range>(p.ports));
}

/// Parses "tcp/22", "udp/161" or "tcp/20-21" (protocol in any case, ports 1..65535); throws
/// parse_error naming `field`.
/// Parses the port part `ports` of `text` ("PORT" or "FROM-TO", 1..65535) for `field`;
/// errors quote `text` and name the accepted forms `expected`.
inline port_range parse_port_text(std::string_view ports, const std::string& field,
                                  const char* expected, std::string_view text = {}) {
  if (text.empty()) text = ports;
  auto fail = [&](const char* id, const std::string& why) {
    auto message = "invalid port " + secgroup::detail::quoted(text) + ": " + why + " (expected " +
                   expected + ")";
    if (std::string_view(id) == errc::port_order)
      SECGROUP_THROW(validation_error(id, field, message));
    SECGROUP_THROW(parse_error(id, field, message));
  };
  auto dash = ports.find('-');
  auto from = secgroup::detail::parse_decimal(ports.substr(0, dash), 5);
  auto to = dash == std::string_view::npos
                ? from
                : secgroup::detail::parse_decimal(ports.substr(dash + 1), 5);
  if (!from || !to || *from < 1 || *from > 65535 || *to < 1 || *to > 65535)
    fail(errc::bad_number, "ports are 1..65535");
  if (*to < *from) fail(errc::port_order, "the range ends before it starts");
  return {static_cast<std::uint16_t>(*from), static_cast<std::uint16_t>(*to)};
}

inline service_port parse_service_port(std::string_view text, const std::string& field) {
  constexpr const char* expected = "tcp/PORT, udp/PORT or tcp/FROM-TO";
  auto fail = [&](const std::string& why) {
    SECGROUP_THROW(parse_error(errc::bad_enum, field,
                               "invalid service port " + secgroup::detail::quoted(text) + ": " +
                                   why + " (expected " + expected + ")"));
  };
  auto slash = text.find('/');
  if (slash == std::string_view::npos) fail("no protocol");
  service_port out;
  auto proto = text.substr(0, slash);
  if (secgroup::detail::iequals(proto, "tcp"))
    out.protocol = protocol::tcp;
  else if (secgroup::detail::iequals(proto, "udp"))
    out.protocol = protocol::udp;
  else
    fail("the protocol is tcp or udp");
  out.ports = parse_port_text(text.substr(slash + 1), field, expected, text);
  return out;
}

/// A service whose exposure to the internet SG001 reports.
struct service {
  std::string name;   ///< stable key, "ssh"
  std::string title;  ///< for messages, "SSH"
  std::vector<service_port> ports;
  std::optional<severity> level;  ///< unset: SG001's severity
  friend bool operator==(const service&, const service&) = default;
};

/// Returns the default service catalogue (see docs/lint.md for the sources).
inline std::vector<service> default_services() {
  struct row {
    const char* name;
    const char* title;
    std::vector<const char*> ports;
    std::optional<severity> level;
  };
  const std::vector<row> rows{
      {"ssh", "SSH", {"tcp/22"}, std::nullopt},
      {"telnet", "Telnet", {"tcp/23"}, std::nullopt},
      {"rdp", "RDP", {"tcp/3389", "udp/3389"}, std::nullopt},
      {"vnc", "VNC", {"tcp/5900"}, std::nullopt},
      {"ftp", "FTP", {"tcp/20-21"}, std::nullopt},
      {"smb", "SMB/CIFS", {"tcp/139", "tcp/445"}, std::nullopt},
      {"msrpc", "Microsoft RPC", {"tcp/135"}, std::nullopt},
      {"mysql", "MySQL", {"tcp/3306"}, std::nullopt},
      {"postgresql", "PostgreSQL", {"tcp/5432"}, std::nullopt},
      {"sqlserver", "SQL Server", {"tcp/1433-1434", "udp/1434"}, std::nullopt},
      {"oracle", "Oracle", {"tcp/1521", "tcp/2483-2484"}, std::nullopt},
      {"mongodb", "MongoDB", {"tcp/27017-27018"}, std::nullopt},
      {"redis", "Redis", {"tcp/6379"}, std::nullopt},
      {"couchdb", "CouchDB", {"tcp/5984"}, std::nullopt},
      {"cassandra",
       "Cassandra",
       {"tcp/7000-7001", "tcp/7199", "tcp/8888", "tcp/9042", "tcp/9160"},
       std::nullopt},
      {"memcached", "Memcached", {"tcp/11211", "udp/11211"}, std::nullopt},
      {"elasticsearch", "Elasticsearch", {"tcp/9200", "tcp/9300"}, std::nullopt},
      {"kibana", "Kibana", {"tcp/5601"}, std::nullopt},
      {"kafka", "Kafka", {"tcp/9092"}, std::nullopt},
      {"ldap", "LDAP", {"tcp/389", "udp/389", "tcp/636"}, std::nullopt},
      {"kerberos",
       "Kerberos",
       {"tcp/88", "udp/88", "tcp/464", "udp/464", "tcp/749-750", "udp/749-750"},
       std::nullopt},
      {"nfs", "NFS", {"tcp/2049", "udp/2049"}, std::nullopt},
      {"docker", "Docker API", {"tcp/2375-2376"}, severity::critical},
      {"etcd", "etcd", {"tcp/2379-2380"}, severity::critical},
      {"kubernetes-api", "Kubernetes API server", {"tcp/6443"}, std::nullopt},
      {"kubelet", "Kubelet API", {"tcp/10250"}, severity::critical},
      {"snmp", "SNMP", {"udp/161"}, std::nullopt},
      {"smtp", "SMTP (plaintext)", {"tcp/25"}, severity::medium},
      {"pop3", "POP3 (plaintext)", {"tcp/110"}, severity::medium},
      {"imap", "IMAP (plaintext)", {"tcp/143"}, severity::medium},
      {"dns", "DNS", {"udp/53", "tcp/53"}, severity::medium},
  };
  std::vector<service> out;
  for (const auto& r : rows) {
    service s{r.name, r.title, {}, r.level};
    for (const char* p : r.ports) s.ports.push_back(parse_service_port(p, "services"));
    out.push_back(std::move(s));
  }
  return out;
}

// -- The internet ---------------------------------------------------------------------------

/// A network that does not count as a public address, and why.
struct reserved_network {
  std::string_view cidr;
  std::string_view why;
};

/// Networks excluded from "the internet" (RFC 6890 special-purpose registries, minus the
/// documentation prefixes; see the file comment).
inline constexpr std::array<reserved_network, 18> non_public_ranges{{
    {"0.0.0.0/8", "this network (RFC 791)"},
    {"10.0.0.0/8", "private (RFC 1918)"},
    {"100.64.0.0/10", "shared address space, CGNAT (RFC 6598)"},
    {"127.0.0.0/8", "loopback (RFC 1122)"},
    {"169.254.0.0/16", "link-local (RFC 3927)"},
    {"172.16.0.0/12", "private (RFC 1918)"},
    {"192.0.0.0/24", "IETF protocol assignments (RFC 6890)"},
    {"192.168.0.0/16", "private (RFC 1918)"},
    {"198.18.0.0/15", "benchmarking (RFC 2544)"},
    {"224.0.0.0/4", "multicast (RFC 5771)"},
    {"240.0.0.0/4", "reserved, limited broadcast (RFC 1112, RFC 919)"},
    {"::/128", "unspecified (RFC 4291)"},
    {"::1/128", "loopback (RFC 4291)"},
    {"::ffff:0:0/96", "IPv4-mapped (RFC 4291)"},
    {"100::/64", "discard-only (RFC 6666)"},
    {"fc00::/7", "unique local (RFC 4193)"},
    {"fe80::/10", "link-local (RFC 4291)"},
    {"ff00::/8", "multicast (RFC 4291)"},
}};

}  // namespace lint
SECGROUP_END_NAMESPACE
