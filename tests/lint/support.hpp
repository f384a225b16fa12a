// tests/lint/support.hpp: groups written as rule lines, and checks on lint findings.
//
// group_of({"inbound accept tcp 0.0.0.0/0 22", "outbound drop any ::/0"}) builds a group whose
// user rules have ids r1, r2, ... and positions 1, 2, ... in line order; the line grammar is
// DIRECTION ACTION PROTOCOL CIDR [PORT | FROM-TO]. require_truthful() checks what every
// finding claims about its witness against the linear reference evaluator, so each check test
// also verifies that the witness packet is decided as reported.
#pragma once

#include <catch2/catch.hpp>
#include <optional>
#include <secgroup/lint/lint.hpp>
#include <secgroup/reference.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace lint_test {

using namespace secgroup;

struct options {
  bool stateful = true;
  action inbound = action::drop;
  action outbound = action::accept;
  bool default_security = true;
  bool project_default = false;
  std::optional<std::string> description = std::string("a test group");
  std::string name = "test";
};

/// Parses "DIRECTION ACTION PROTOCOL CIDR [PORTS]".
inline rule rule_line(std::string_view line) {
  std::vector<std::string> w;
  std::string cur;
  for (char c : line) {
    if (c == ' ') {
      if (!cur.empty()) w.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) w.push_back(cur);
  REQUIRE((w.size() == 4 || w.size() == 5));
  rule r;
  r.direction = parse_direction(w[0]);
  r.action = parse_action(w[1]);
  r.protocol = parse_protocol(w[2]);
  r.ip_range = parse_network(w[3]);
  if (w.size() == 5) {
    auto dash = w[4].find('-');
    auto from = std::stoi(w[4].substr(0, dash));
    auto to = dash == std::string::npos ? from : std::stoi(w[4].substr(dash + 1));
    r.ports = port_range{static_cast<std::uint16_t>(from), static_cast<std::uint16_t>(to)};
  }
  return normalize(r);
}

/// A group whose user rules are `lines`, ids r1..rN, positions 1..N.
inline security_group group_of(const std::vector<std::string>& lines, const options& o = {}) {
  security_group g;
  g.id = "g-" + o.name;
  g.name = o.name;
  g.description = o.description;
  g.stateful = o.stateful;
  g.inbound_default_policy = o.inbound;
  g.outbound_default_policy = o.outbound;
  g.enable_default_security = o.default_security;
  g.project_default = o.project_default;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto r = rule_line(lines[i]);
    r.id = "r" + std::to_string(i + 1);
    r.position = static_cast<std::uint32_t>(i + 1);
    g.rules.push_back(r);
  }
  return g;
}

/// The findings of check `id` in `r`.
inline std::vector<lint::finding> of(const lint::group_report& r, std::string_view id) {
  std::vector<lint::finding> out;
  for (const auto& f : r.findings)
    if (f.check == id) out.push_back(f);
  return out;
}

/// The ids of rule indices of a report.
inline std::vector<std::string> ids(const lint::group_report& r,
                                    const std::vector<std::uint32_t>& v) {
  std::vector<std::string> out;
  for (auto i : v) out.push_back(r.rules[i].id);
  return out;
}

/// True iff `a` lies in a range that is not public (a hand-written list, independent of
/// the catalogue's).
inline bool private_or_reserved(const ip_address& a) {
  for (const char* n :
       {"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/3", "::/127",
        "::ffff:0:0/96", "fc00::/7", "fe80::/10", "ff00::/8", "100::/64"})
    if (parse_network(n).contains(a)) return true;
  return false;
}

/// Checks every finding of `r`: its witness is decided as it says, its rules exist, and the
/// severity is the configured one unless the check sets its own.
inline void require_truthful(const lint::group_report& r) {
  for (const auto& f : r.findings) {
    INFO(f.check << ": " << f.message);
    for (auto i : f.rules) REQUIRE(i < r.rules.size());
    for (auto i : f.related) REQUIRE(i < r.rules.size());
    if (f.witness) {
      auto d = evaluate_reference(r.group, f.witness->packet);
      INFO("witness " << to_string(f.witness->packet));
      REQUIRE(d == f.witness->decision);
    }
  }
}

/// Lints `g` under `c` and checks the findings' truthfulness.
inline lint::group_report linted(const security_group& g, const lint::lint_config& c = {}) {
  auto r = lint::lint_group(g, c);
  require_truthful(r);
  return r;
}

}  // namespace lint_test
