// secgroup/lint/context.hpp: what a lint check works with while it runs on one group.
//
// check_context holds, for one group: the configuration, the internet (public, untrusted
// addresses), the group's effective policy (effective.hpp), its exposure per direction
// (computed on first use), and the report being built. Checks read the group through it and
// add findings with make() and emit(); emit() applies the suppressions (suppression.hpp).
// It carries the one thing checks tell each other: the addresses that unsuppressed SG003 and
// SG002 findings report wide open, which SG001 reads to leave out the services they imply (and
// to name those services in them), and SG002 the ports SG003 implies; a wide finding implies
// only findings no more severe than itself (covered()). And it words what findings share:
// address sets relative to the internet ("every public IPv4 address except ..."), and rule
// lists.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../address.hpp"
#include "../analysis/exposure.hpp"
#include "../config.hpp"
#include "../security_group.hpp"
#include "config.hpp"
#include "effective.hpp"
#include "finding.hpp"
#include "message.hpp"
#include "suppression.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace lint {

/// Indices into ordered_rules().
using rule_set = std::vector<std::uint32_t>;

/// Words the public part of `addresses` (by index_of(family)) relative to the internet `net`:
/// "every public IPv4 address", "every public IPv4 address except 192.0.2.0/24", "the public
/// IPv4 address 8.8.8.8", "2^24 public IPv4 addresses (...)", joined by " and " across
/// families; "no public address" when none is public.
inline std::string where_text(const lint::internet& net,
                              const std::array<range_set, 2>& addresses) {
  std::string out;
  for (auto f : both_families) {
    const auto& a = addresses[index_of(f)];
    if (a.empty()) continue;
    std::string fam(to_string(f));
    std::string part;
    auto listed = [](const std::vector<ip_network>& nets) {
      std::string list;
      for (const auto& x : nets) list += (list.empty() ? "" : ", ") + to_string(x);
      return list;
    };
    const auto missing = net.of(f) - a;
    const auto n = a.count();
    if (missing.empty()) {
      part = "every public " + fam + " address";
    } else if (auto gaps = networks_of(missing, f, 3); gaps.size() <= 3 && missing.count() < n) {
      part = "every public " + fam + " address except " + listed(gaps);
    } else if (auto nets = networks_of(a, f, 3); nets.size() <= 3) {
      part = n == uint128{1}
                 ? "the public " + fam + " address " + listed(nets)
                 : count_text(n) + " public " + fam + " addresses (" + listed(nets) + ")";
    } else {
      part = count_text(n) + " public " + fam + " addresses";
    }
    out += (out.empty() ? "" : " and ") + part;
  }
  return out.empty() ? "no public address" : out;
}

/// The state of one lint run on one group, shared by the checks.
struct check_context {
  const lint_config& cfg;
  const lint::internet& net;
  effective_group eg;
  group_report report;

  /// What unsuppressed SG003 / SG002 findings report, for SG001.
  struct wide_open {
    std::array<std::array<range_set, 2>, 2> all_ports_open;       ///< [tcp=0|udp=1][family]
    std::array<range_set, 2> all_protocols_open;                  ///< [family]
    std::optional<std::size_t> all_protocols_finding;             ///< index in report.findings
    std::array<std::optional<std::size_t>, 2> all_ports_finding;  ///< [tcp=0|udp=1]
    std::vector<std::string> implied_by_protocols;                ///< services SG003 includes
    std::array<std::vector<std::string>, 2> implied_by_ports;     ///< services SG002 includes
  } wide;

  /// What the wide finding at `at` (wide.all_protocols_finding or all_ports_finding) reports
  /// open, `open`, if it is at least as severe as `level`, else nothing: a finding implies
  /// only what it reports at no lower severity (lowering SG002 must not lower SG001's SSH).
  range_set covered(std::optional<std::size_t> at, const range_set& open, severity level) const {
    return at && report.findings[*at].level >= level ? open : range_set{};
  }

  check_context(const lint_config& c, const lint::internet& n, const security_group& g)
      : cfg(c), net(n), eg(g) {
    report.group = g;
    report.rules = eg.rules();
  }
  // Not copied: described_ refers to report.rules.
  check_context(const check_context&) = delete;
  check_context& operator=(const check_context&) = delete;

  /// True iff check `id` runs.
  bool enabled(std::string_view id) const { return cfg.setting(id).enabled; }
  const security_group& group() const { return report.group; }
  /// ordered_rules(group()): what rule indices refer to.
  const std::vector<rule>& rules() const { return report.rules; }

  /// The exposure of the group in direction `d` (computed once).
  const std::vector<analysis::exposure_entry>& exposure(direction d) {
    auto& slot = exposures_[d == direction::inbound ? 0 : 1];
    if (!slot) slot = eg.exposure(d);
    return *slot;
  }

  // -- Findings -----------------------------------------------------------------------------

  /// Returns a finding of check `id` at its configured severity.
  finding make(std::string_view id, std::string subject, std::string message) const {
    finding f;
    f.check = std::string(id);
    f.level = cfg.setting(id).level;
    f.subject = std::move(subject);
    f.message = std::move(message);
    return f;
  }

  /// Adds `f` (its level already set), suppressed if the configuration says so; returns
  /// its index in report.findings.
  std::size_t emit(finding f) {
    apply_suppressions(f, cfg.suppressions, group(), rules(), report.used_suppressions,
                       report.address);
    report.findings.push_back(std::move(f));
    return report.findings.size() - 1;
  }

  /// Sets the witness, rules and default flag of `f` from the accepted side of a scan.
  static void accepted_from(finding& f, const region_scan& s) {
    f.witness = s.accepted;
    f.rules = s.accept_rules;
    f.by_default = s.accept_by_default;
  }

  // -- Text ---------------------------------------------------------------------------------

  /// "every public IPv4 address and 256 public IPv6 addresses (2001:db8::/120)": where_text().
  std::string where(const std::array<range_set, 2>& addresses) const {
    return where_text(net, addresses);
  }

  /// describe_rule(rules()[i]), worded once per rule.
  const std::string& described(std::uint32_t i) const { return described_[i]; }

  /// "rule at position 1 (...), rule at position 2 (...) and default SMTP rule (...)".
  std::string rule_list(const rule_set& v) const {
    std::string out;
    for (std::size_t k = 0; k < v.size(); ++k) {
      out += k == 0 ? "" : k + 1 == v.size() ? " and " : ", ";
      out += described(v[k]);
    }
    return out;
  }

 private:
  rule_descriptions described_{report.rules};
  std::array<std::optional<std::vector<analysis::exposure_entry>>, 2> exposures_;
};

}  // namespace lint
SECGROUP_END_NAMESPACE
