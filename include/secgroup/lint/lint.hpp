// secgroup/lint/lint.hpp: runs the lint checks of catalogue.hpp on a group.
//
// Every check about traffic is decided on the effective policy (effective.hpp, exposure(),
// analyze()): first match, default SMTP rules, default policies, both families, port ranges
// and protocol classes. Only the checks that are about the text by nature read fields
// directly: the description, the number of rules, and the prefix length of an accept rule —
// and the latter only fires when that rule actually decides packets from public addresses.
// Each finding names the rules it is about (indices into ordered_rules()), whether the default
// policy takes part, and a witness packet with its decision, so that a reader can check why.
//
// Checks that imply each other are not repeated: SG002 (all ports) is left out for addresses
// SG003 (all protocols) already reports, and SG001 leaves out a service whose whole exposure
// lies inside an SG002/SG003 finding, which then names it ("this includes SSH, RDP"). A
// suppressed or disabled SG002/SG003 implies nothing.
//
// Suppressions (config.hpp) apply as findings are made: one without a rule suppresses every
// matching finding; rule suppressions suppress a finding once every rule it is about is
// covered (and the default policy is not involved). Suppressed findings are kept, marked with
// the reasons, and never fail a run.
// Cost: a few dozen scans of four partitions per group, plus analyze(); milliseconds for
// groups of hundreds of rules.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "../analysis/anomalies.hpp"
#include "../analysis/exposure.hpp"
#include "../analysis/query.hpp"
#include "../config.hpp"
#include "../default_rules.hpp"
#include "../detail/text.hpp"
#include "../security_group.hpp"
#include "catalogue.hpp"
#include "config.hpp"
#include "effective.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace lint {

/// One finding of one check about one group.
struct finding {
  std::string check;  ///< catalogue id, "SG001"
  severity level = severity::medium;
  std::string subject;                             ///< stable key within the group ("ssh")
  std::string message;                             ///< one sentence
  std::optional<analysis::query_witness> witness;  ///< a packet and how the group decides it
  std::vector<std::uint32_t> rules;                ///< ordered_rules() indices it is about
  std::vector<std::uint32_t> related;              ///< other rules that explain it
  bool by_default = false;                         ///< the default policy takes part
  std::optional<std::string> suppressed;           ///< the reasons, when suppressed
  friend bool operator==(const finding&, const finding&) = default;
};

/// The findings about one group.
struct group_report {
  std::string source;  ///< the file it came from, as given
  security_group group;
  std::vector<rule> rules;                     ///< ordered_rules(group): what rule indices refer to
  std::vector<finding> findings;               ///< by severity (highest first), then check id
  std::vector<std::size_t> used_suppressions;  ///< indices into lint_config::suppressions
};

/// Returns "rule at position 3 (inbound accept TCP 0.0.0.0/0 22)", or "default SMTP rule
/// (...)" for the rules of enable_default_security.
inline std::string describe_rule(const rule& r) {
  if (!r.editable && is_default_rule_id(r.id)) return "default SMTP rule (" + to_string(r) + ")";
  return "rule at position " + std::to_string(r.position) + " (" + to_string(r) + ")";
}

/// Returns `s` with its first letter in upper case.
inline std::string capitalized(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

/// Returns an address count for messages: exact up to 2^64, else the nearest power of two.
inline std::string count_text(uint128 n) {
  if (n == uint128{}) return "2^128";  // the whole IPv6 space, wrapped
  if (n.hi == 0) return std::to_string(n.lo);
  unsigned k = 127;
  while (((n >> k) & uint128{1}) == uint128{}) --k;
  const bool exact = (n & (n - 1)) == uint128{};
  const bool up = !exact && ((n >> (k - 1)) & uint128{1}) == uint128{1};
  return (exact ? "2^" : "about 2^") + std::to_string(up ? k + 1 : k);
}

/// Returns "22, 8080-8089" for port intervals.
inline std::string ports_text(const std::vector<interval<std::uint32_t>>& ports) {
  std::string out;
  for (const auto& p : ports)
    out +=
        (out.empty() ? "" : ", ") +
        (p.lo == p.hi ? std::to_string(p.lo) : std::to_string(p.lo) + "-" + std::to_string(p.hi));
  return out;
}

/// Runs the checks of a configuration on groups.
class linter {
 public:
  explicit linter(lint_config c = {})
      : config_(std::move(c)), internet_(make_internet(config_.trusted_ranges)) {}

  const lint_config& config() const { return config_; }
  /// The addresses that count as the internet (public, not trusted).
  const lint::internet& public_addresses() const { return internet_; }

  /// Returns the findings of every enabled check about `g`; `source` is recorded as given.
  group_report run(const security_group& g, std::string source = "") const {
    session s(*this, g);
    s.report.source = std::move(source);
    s.run_all();
    return std::move(s.report);
  }

 private:
  using rule_set = std::vector<std::uint32_t>;

  struct session {
    const lint_config& cfg;
    const lint::internet& net;
    effective_group eg;
    group_report report;
    std::array<std::optional<std::vector<analysis::exposure_entry>>, 2> exposures;
    // Addresses with every TCP / UDP port open, per family, from unsuppressed SG002/SG003.
    std::array<std::array<range_set, 2>, 2> all_ports_open;  // [tcp=0|udp=1][family]
    std::array<range_set, 2> all_protocols_open;             // [family]
    std::optional<std::size_t> all_protocols_finding;
    std::array<std::optional<std::size_t>, 2> all_ports_finding;
    std::vector<std::string> implied_by_protocols;
    std::array<std::vector<std::string>, 2> implied_by_ports;

    session(const linter& l, const security_group& g) : cfg(l.config_), net(l.internet_), eg(g) {
      report.group = g;
      report.rules = eg.rules();
    }

    bool enabled(std::string_view id) const { return cfg.setting(id).enabled; }
    const security_group& group() const { return report.group; }
    const std::vector<rule>& rules() const { return report.rules; }

    const std::vector<analysis::exposure_entry>& exposure(direction d) {
      auto& slot = exposures[d == direction::inbound ? 0 : 1];
      if (!slot) slot = analysis::exposure(group(), d);
      return *slot;
    }

    // -- Emission and suppression ---------------------------------------------------------

    /// Adds `f` (its level already set), suppressed if the configuration says so; returns
    /// its index in report.findings.
    std::size_t emit(finding f) {
      const auto& g = group();
      std::vector<std::string> reasons;
      std::vector<std::size_t> used;
      std::vector<std::string> covered;  // rule ids covered by rule suppressions
      std::vector<std::size_t> rule_used;
      std::vector<std::string> rule_reasons;
      for (std::size_t k = 0; k < cfg.suppressions.size(); ++k) {
        const auto& s = cfg.suppressions[k];
        if (!s.check.empty() && s.check != f.check) continue;
        if (!s.group.empty() && s.group != g.id && s.group != g.name) continue;
        if (s.rule.empty()) {
          reasons.push_back(s.reason);
          used.push_back(k);
        } else {
          bool about = false;
          for (auto i : f.rules) about = about || rules()[i].id == s.rule;
          if (!about) continue;
          covered.push_back(s.rule);
          rule_used.push_back(k);
          rule_reasons.push_back(s.reason);
        }
      }
      if (reasons.empty() && !f.rules.empty() && !f.by_default) {
        bool all = true;
        for (auto i : f.rules)
          all = all && std::find(covered.begin(), covered.end(), rules()[i].id) != covered.end();
        if (all) {
          reasons = rule_reasons;
          used = rule_used;
        }
      }
      if (!reasons.empty()) {
        std::string joined;
        for (const auto& r : reasons) joined += (joined.empty() ? "" : "; ") + r;
        f.suppressed = joined;
        for (auto k : used) report.used_suppressions.push_back(k);
      }
      report.findings.push_back(std::move(f));
      return report.findings.size() - 1;
    }

    finding make(std::string_view id, std::string subject, std::string message) const {
      finding f;
      f.check = std::string(id);
      f.level = cfg.setting(id).level;
      f.subject = std::move(subject);
      f.message = std::move(message);
      return f;
    }

    /// Sets the witness, rules and default flag of `f` from the accepted side of a scan.
    static void accepted_from(finding& f, const region_scan& s) {
      f.witness = s.accepted;
      f.rules = s.accept_rules;
      f.by_default = s.accept_by_default;
    }

    // -- Text ---------------------------------------------------------------------------------

    /// "every public IPv4 address and 256 public IPv6 addresses (2001:db8::/120)".
    std::string where(const std::array<range_set, 2>& addresses) const {
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
        } else if (auto gaps = networks_of(missing, f); gaps.size() <= 3 && missing.count() < n) {
          part = "every public " + fam + " address except " + listed(gaps);
        } else if (auto nets = networks_of(a, f); nets.size() <= 3) {
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

    /// "rule at position 1 (...), rule at position 2 (...) and default SMTP rule (...)".
    std::string rule_list(const rule_set& v) const {
      std::string out;
      for (std::size_t k = 0; k < v.size(); ++k)
        out += (k == 0 ? "" : k + 1 == v.size() ? " and " : ", ") + describe_rule(rules()[v[k]]);
      return out;
    }

    // -- Helpers over exposure ----------------------------------------------------------------

    /// Addresses of family `f` for which every port 1-65535 of class `c` is accepted (every
    /// packet, for ICMP and OTHER).
    static range_set open_everywhere(const std::vector<analysis::exposure_entry>& entries, family f,
                                     proto_class c) {
      std::optional<range_set> acc;
      interval_set<std::uint32_t> covered;
      for (const auto& e : entries) {
        if (e.af != f || e.protocol != c) continue;
        if (!has_ports(c)) return ranges_of(e.accepted);
        bool touches = false;
        for (const auto& p : e.ports) {
          if (p.hi < 1) continue;
          touches = true;
          covered.add({std::max<std::uint32_t>(p.lo, 1), p.hi});
        }
        if (!touches) continue;
        acc = acc ? *acc & ranges_of(e.accepted) : ranges_of(e.accepted);
      }
      if (!acc || !has_ports(c)) return {};
      return covered.contains(interval<std::uint32_t>{1, 65535}) ? *acc : range_set{};
    }

    // -- Checks ---------------------------------------------------------------------------

    void run_all() {
      all_protocols_and_ports();
      sensitive_services();
      inbound_default_accept();
      project_default_inbound();
      unrestricted_egress();
      smtp_egress();
      dual_stack();
      stateless(direction::inbound);
      stateless(direction::outbound);
      anomalies();
      prefixes();
      text_checks();
      finish();
    }

    // SG003, SG002
    void all_protocols_and_ports() {
      const bool want3 = enabled(check_id::all_protocols), want2 = enabled(check_id::all_ports);
      if (!want3 && !want2) return;
      const auto& ex = exposure(direction::inbound);
      std::array<std::array<range_set, 2>, 2> ports_open;  // [tcp|udp][family]
      std::array<range_set, 2> every;
      for (auto f : both_families) {
        const auto k = index_of(f);
        ports_open[0][k] = open_everywhere(ex, f, proto_class::tcp) & net.of(f);
        ports_open[1][k] = open_everywhere(ex, f, proto_class::udp) & net.of(f);
        every[k] = (ports_open[0][k] & ports_open[1][k]) &
                   (open_everywhere(ex, f, proto_class::icmp) &
                    open_everywhere(ex, f, proto_class::other));
      }
      if (want3 && !(every[0].empty() && every[1].empty())) {
        auto s = eg.scan(direction::inbound, all_protocols, every, {1, 65535});
        auto f = make(check_id::all_protocols, "inbound",
                      "Every protocol and every port is accepted inbound from " + where(every) +
                          ": the group filters nothing for these addresses");
        accepted_from(f, s);
        auto at = emit(std::move(f));
        if (!report.findings[at].suppressed) {
          all_protocols_finding = at;
          all_protocols_open = every;
        }
      }
      if (!want2) return;
      for (std::size_t c = 0; c < 2; ++c) {
        std::array<range_set, 2> shown;
        for (std::size_t k = 0; k < 2; ++k)
          if (!all_protocols_open[k].includes(ports_open[c][k])) shown[k] = ports_open[c][k];
        if (shown[0].empty() && shown[1].empty()) continue;
        const auto cls = c == 0 ? proto_class::tcp : proto_class::udp;
        const std::string name = c == 0 ? "TCP" : "UDP";
        auto s = eg.scan(direction::inbound, mask_of(cls), shown, {1, 65535});
        auto f = make(check_id::all_ports, c == 0 ? "inbound/tcp" : "inbound/udp",
                      "Every " + name + " port (1-65535) is accepted inbound from " + where(shown));
        accepted_from(f, s);
        auto at = emit(std::move(f));
        if (!report.findings[at].suppressed) {
          all_ports_finding[c] = at;
          all_ports_open[c] = shown;
        }
      }
    }

    // SG001
    void sensitive_services() {
      if (!enabled(check_id::sensitive_service)) return;
      for (const auto& svc : cfg.services) {
        region_scan all;
        std::vector<std::string> exposed;
        bool implied = true, by_protocols = true;
        for (const auto& p : svc.ports) {
          const auto cls = p.protocol == protocol::tcp ? proto_class::tcp : proto_class::udp;
          auto s =
              eg.scan(direction::inbound, mask_of(cls), net.ranges, {p.ports.from, p.ports.to});
          if (!s.accepted) continue;
          exposed.push_back(to_string(p));
          const auto c = cls == proto_class::tcp ? 0u : 1u;
          for (std::size_t k = 0; k < 2; ++k) {
            const auto cover = all_ports_open[c][k] | all_protocols_open[k];
            implied = implied && cover.includes(s.accepted_addresses[k]);
            by_protocols = by_protocols && all_protocols_open[k].includes(s.accepted_addresses[k]);
          }
          all.merge(s);
        }
        if (exposed.empty()) continue;
        if (implied) {
          if (by_protocols)
            implied_by_protocols.push_back(svc.title);
          else
            for (const auto& p : svc.ports)
              implied_by_ports[p.protocol == protocol::tcp ? 0 : 1].push_back(svc.title);
          continue;
        }
        std::string specs;
        for (const auto& e : exposed) specs += (specs.empty() ? "" : ", ") + e;
        auto f =
            make(check_id::sensitive_service, svc.name,
                 svc.title + " (" + specs + ") is reachable from " + where(all.accepted_addresses));
        if (svc.level) f.level = *svc.level;
        accepted_from(f, all);
        emit(std::move(f));
      }
    }

    // SG004
    void inbound_default_accept() {
      if (!enabled(check_id::inbound_default_accept) ||
          group().inbound_default_policy != action::accept)
        return;
      auto s = eg.scan_all(direction::inbound, all_protocols, {0, 65535});
      if (!s.accept_by_default) return;
      auto pub = eg.scan(direction::inbound, all_protocols, net.ranges, {0, 65535});
      auto f = make(check_id::inbound_default_accept, "inbound",
                    std::string("The inbound default policy is accept and decides the packets no "
                                "rule matches") +
                        (pub.accept_by_default ? ", including packets from the internet"
                                               : " (from non-public addresses only)"));
      f.witness = pub.accept_by_default ? pub.by_default : s.by_default;
      f.by_default = true;
      emit(std::move(f));
    }

    // SG005
    void project_default_inbound() {
      if (!enabled(check_id::project_default_inbound) || !group().project_default) return;
      auto s = eg.scan_all(direction::inbound, all_protocols, {0, 65535});
      if (!s.accepted) return;
      std::string how;
      if (!s.accept_rules.empty())
        how = std::to_string(s.accept_rules.size()) +
              (s.accept_rules.size() == 1 ? " rule" : " rules");
      if (s.accept_by_default)
        how += std::string(how.empty() ? "" : " and ") + "the default policy";
      auto f = make(check_id::project_default_inbound, "inbound",
                    "The project's default group accepts inbound packets (" + how +
                        "); new instances get this exposure without asking");
      accepted_from(f, s);
      emit(std::move(f));
    }

    // SG006
    void unrestricted_egress() {
      if (!enabled(check_id::unrestricted_egress)) return;
      const std::array<interval<std::uint32_t>, 4> tcp_parts{
          {{0, 24}, {26, 464}, {466, 586}, {588, 65535}}};
      region_scan all;
      std::array<range_set, 2> open;
      for (auto f : both_families) {
        std::array<range_set, 2> target;
        target[index_of(f)] = net.of(f);
        region_scan fam;
        bool full = true;
        for (const auto& p : tcp_parts) {
          auto s = eg.scan(direction::outbound, mask_of(proto_class::tcp), target, p);
          full = full && s.answer() == analysis::coverage::all;
          fam.merge(s);
        }
        auto rest = eg.scan(
            direction::outbound,
            mask_of(proto_class::udp) | mask_of(proto_class::icmp) | mask_of(proto_class::other),
            target, {0, 65535});
        full = full && rest.answer() == analysis::coverage::all;
        fam.merge(rest);
        if (!full) continue;
        open[index_of(f)] = net.of(f);
        all.merge(fam);
      }
      if (open[0].empty() && open[1].empty()) return;
      auto f = make(check_id::unrestricted_egress, "outbound",
                    "Outbound packets of every protocol and port (SMTP aside) are accepted to " +
                        where(open));
      accepted_from(f, all);
      emit(std::move(f));
    }

    // SG007
    void smtp_egress() {
      if (!enabled(check_id::smtp_egress) || group().enable_default_security) return;
      region_scan all;
      std::vector<interval<std::uint32_t>> open;
      for (std::uint32_t port : {25u, 465u, 587u}) {
        auto s = eg.scan(direction::outbound, mask_of(proto_class::tcp), net.ranges, {port, port});
        if (!s.accepted) continue;
        open.push_back({port, port});
        all.merge(s);
      }
      if (open.empty()) return;
      auto f = make(check_id::smtp_egress, "outbound/smtp",
                    "enable_default_security is false and outbound SMTP (TCP " + ports_text(open) +
                        ") is accepted to " + where(all.accepted_addresses));
      accepted_from(f, all);
      emit(std::move(f));
    }

    /// How much of the internet a port piece accepts.
    enum class reach : std::uint8_t { none, some, most };

    /// How much of the internet of family `f` each port piece of `axis` accepts, for class
    /// `c`: none, some, or most (more than half of the public addresses).
    std::vector<std::pair<interval<std::uint32_t>, reach>> internet_reach(
        const std::vector<analysis::exposure_entry>& entries, family f, proto_class c,
        interval<std::uint32_t> axis) const {
      std::vector<std::pair<interval<std::uint32_t>, reach>> pieces;
      for (const auto& e : entries) {
        if (e.af != f || e.protocol != c) continue;
        const auto n = (ranges_of(e.accepted) & net.of(f)).count();
        const auto r = n == uint128{}                     ? reach::none
                       : n > (net.size[index_of(f)] >> 1) ? reach::most
                                                          : reach::some;
        for (const auto& p : e.ports) {
          interval<std::uint32_t> q{std::max(p.lo, axis.lo), std::min(p.hi, axis.hi)};
          if (!(q.hi < q.lo)) pieces.push_back({q, r});
        }
      }
      std::sort(pieces.begin(), pieces.end(),
                [](const auto& a, const auto& b) { return a.first.lo < b.first.lo; });
      std::vector<std::pair<interval<std::uint32_t>, reach>> out;
      std::uint32_t next = axis.lo;
      for (const auto& [q, r] : pieces) {
        if (q.lo > next) out.push_back({{next, q.lo - 1}, reach::none});
        out.push_back({q, r});
        next = q.hi + 1;
      }
      if (next <= axis.hi) out.push_back({{next, axis.hi}, reach::none});
      return out;
    }

    // SG008
    void dual_stack() {
      if (!enabled(check_id::dual_stack)) return;
      for (auto d : {direction::inbound, direction::outbound}) {
        const auto& ex = exposure(d);
        for (auto c : all_proto_classes) {
          const interval<std::uint32_t> axis =
              has_ports(c) ? interval<std::uint32_t>{1, 65535} : interval<std::uint32_t>{0, 0};
          auto m4 = internet_reach(ex, family::v4, c, axis);
          auto m6 = internet_reach(ex, family::v6, c, axis);
          std::array<interval_set<std::uint32_t>, 2> only;  // open on [family] only
          std::size_t i = 0, j = 0;
          for (std::uint32_t lo = axis.lo; i < m4.size() && j < m6.size();) {
            auto hi = std::min(m4[i].first.hi, m6[j].first.hi);
            auto a = m4[i].second, b = m6[j].second;
            std::optional<std::size_t> open;
            if (a == reach::most && b == reach::none) open = 0;
            if (a == reach::none && b == reach::most) open = 1;
            if (open) only[*open].add({lo, hi});
            if (m4[i].first.hi == hi) ++i;
            if (m6[j].first.hi == hi) ++j;
            lo = hi + 1;
          }
          for (auto f : both_families) {
            const auto& ports = only[index_of(f)];
            if (ports.empty()) continue;
            const family other = f == family::v4 ? family::v6 : family::v4;
            std::array<range_set, 2> open_side, closed_side;
            open_side[index_of(f)] = net.of(f);
            closed_side[index_of(other)] = net.of(other);
            region_scan open_scan, closed_scan;
            for (const auto& p : ports) {
              open_scan.merge(eg.scan(d, mask_of(c), open_side, p));
              closed_scan.merge(eg.scan(d, mask_of(c), closed_side, p));
            }
            const bool many = !has_ports(c)
                                  ? c == proto_class::other
                                  : ports.size() > 1 || ports.front().lo != ports.front().hi;
            std::string what =
                std::string(to_string(d)) + " " + class_name(c) +
                (has_ports(c) ? (many ? " ports " : " port ") + ports_text(ports.runs())
                              : std::string());
            auto fnd = make(check_id::dual_stack,
                            std::string(to_string(d)) + "/" + std::string(to_string(c)) + "/" +
                                (f == family::v4 ? "v4-only" : "v6-only"),
                            "Dual-stack mismatch: " + what + (many ? " are" : " is") + " open to " +
                                where(open_scan.accepted_addresses) + " but to no public " +
                                std::string(to_string(other)) + " address");
            fnd.witness = open_scan.accepted;
            fnd.rules = open_scan.accept_rules;
            fnd.related = closed_scan.drop_rules;
            fnd.by_default = open_scan.accept_by_default || closed_scan.drop_by_default;
            emit(std::move(fnd));
          }
        }
      }
    }

    static std::string port_word(const std::vector<interval<std::uint32_t>>& ports) {
      return ports.size() == 1 && ports.front().lo == ports.front().hi ? "port " : "ports ";
    }

    static std::string class_name(proto_class c) {
      switch (c) {
        case proto_class::tcp:
          return "TCP";
        case proto_class::udp:
          return "UDP";
        case proto_class::icmp:
          return "ICMP";
        case proto_class::other:
          return "other protocols (GRE, ESP, ...)";
      }
      return "";
    }

    // SG009 (services = inbound), SG010 (services = outbound)
    void stateless(direction services) {
      const auto id = services == direction::inbound ? check_id::stateless_no_reply
                                                     : check_id::stateless_no_return;
      if (!enabled(id) || group().stateful) return;
      const auto replies =
          services == direction::inbound ? direction::outbound : direction::inbound;
      const auto eph = cfg.ephemeral_ports;
      const auto& ex = exposure(services);
      for (auto c : {proto_class::tcp, proto_class::udp}) {
        std::array<range_set, 2> peers;
        interval_set<std::uint32_t> service_ports;
        for (const auto& e : ex) {
          if (e.protocol != c) continue;
          bool any = false;
          for (const auto& p : e.ports) {  // the ports outside the ephemeral range
            if (p.hi < 1) continue;
            interval<std::uint32_t> q{std::max<std::uint32_t>(p.lo, 1), p.hi};
            for (const auto& part : {interval<std::uint32_t>{q.lo, std::min(q.hi, eph.lo - 1)},
                                     interval<std::uint32_t>{std::max(q.lo, eph.hi + 1), q.hi}}) {
              if (part.hi < part.lo) continue;
              service_ports.add(part);
              any = true;
            }
          }
          if (!any) continue;
          peers[index_of(e.af)] |= ranges_of(e.accepted);
        }
        if (peers[0].empty() && peers[1].empty()) continue;
        auto reply = eg.scan(replies, mask_of(c), peers, eph);
        if (!reply.dropped) continue;
        const auto& merged = service_ports.runs();
        region_scan offered;
        for (const auto& p : merged) offered.merge(eg.scan_all(services, mask_of(c), p));
        const std::string name = class_name(c);
        const std::string eph_text = ports_text({eph});
        const bool none = reply.answer() == analysis::coverage::none;
        std::string message =
            services == direction::inbound
                ? "Stateless group: inbound " + name + " to " + port_word(merged) +
                      ports_text(merged) + " is accepted, but replies (outbound " + name + " to " +
                      port_word({eph}) + eph_text + ") are dropped for " +
                      (none ? "every client" : "some clients")
                : "Stateless group: outbound " + name + " to " + port_word(merged) +
                      ports_text(merged) + " is accepted, but replies (inbound " + name + " to " +
                      port_word({eph}) + eph_text + ") are dropped from " +
                      (none ? "every server" : "some servers");
        auto f = make(id, std::string(to_string(services)) + "/" + std::string(to_string(c)),
                      std::move(message));
        f.witness = reply.dropped;
        f.rules = reply.drop_rules;
        f.by_default = reply.drop_by_default;
        f.related = offered.accept_rules;
        emit(std::move(f));
      }
    }

    // SG011 .. SG014
    void anomalies() {
      const bool any = enabled(check_id::shadowed) || enabled(check_id::redundant) ||
                       enabled(check_id::correlated) || enabled(check_id::generalization);
      if (!any) return;
      auto found = analysis::analyze(group());
      for (const auto& a : found.findings) {
        std::string_view id;
        switch (a.kind) {
          case analysis::finding_kind::shadowed:
            id = check_id::shadowed;
            break;
          case analysis::finding_kind::redundant:
            id = check_id::redundant;
            break;
          case analysis::finding_kind::correlated:
            id = check_id::correlated;
            break;
          case analysis::finding_kind::generalization:
            id = check_id::generalization;
            break;
        }
        if (!enabled(id)) continue;
        const auto& r = rules()[a.rule];
        const std::string label = capitalized(describe_rule(r));
        const std::string by = rule_list(a.related);
        std::string message;
        bool to_default = false;
        switch (a.kind) {
          case analysis::finding_kind::shadowed:
            message = label + " never decides a packet: all of its packets are matched first by " +
                      by + ", some of them with the opposite action (" +
                      std::string(to_string(!r.action)) + ")";
            break;
          case analysis::finding_kind::redundant:
            if (a.reason == "covered") {
              message = label +
                        " never decides a packet: all of its packets are matched first by " + by +
                        ", with the same action";
            } else {
              to_default = eg.falls_to_default(a.rule);
              message = label +
                        " can be removed without changing any decision: the packets it "
                        "decides get the same action (" +
                        std::string(to_string(r.action)) + ") from " +
                        (a.related.empty() ? std::string("the default policy")
                                           : by + (to_default ? " and the default policy" : ""));
            }
            break;
          case analysis::finding_kind::correlated:
            message = label + " overlaps the earlier " + by +
                      " with the opposite action, and neither contains the other: their order "
                      "decides the packets they share";
            break;
          case analysis::finding_kind::generalization:
            message = capitalized(by) + " is an exception (" + std::string(to_string(!r.action)) +
                      ") carved out of the later, broader " + describe_rule(r);
            break;
        }
        std::string subject = r.id.empty() ? "#" + std::to_string(a.rule) : r.id;
        if (a.kind == analysis::finding_kind::correlated ||
            a.kind == analysis::finding_kind::generalization)
          for (auto j : a.related)
            subject += "/" + (rules()[j].id.empty() ? "#" + std::to_string(j) : rules()[j].id);
        auto f = make(id, std::move(subject), std::move(message));
        if (a.witness) f.witness = analysis::query_witness{*a.witness, eg.evaluate(*a.witness)};
        f.rules = {a.rule};
        f.related = a.related;
        f.by_default = to_default;
        emit(std::move(f));
      }
    }

    // SG015, SG016
    void prefixes() {
      const bool wide = enabled(check_id::wide_prefix), single = enabled(check_id::single_address);
      if (!wide && !single) return;
      for (std::uint32_t i = 0; i < rules().size(); ++i) {
        const auto& r = rules()[i];
        if (!r.editable || r.action != action::accept) continue;
        const auto f = r.ip_range.af();
        const unsigned bits = address_bits(f);
        const unsigned min = f == family::v4 ? cfg.min_prefix_v4 : cfg.min_prefix_v6;
        const unsigned p = r.ip_range.prefix;
        const bool is_single = single && p == bits;
        const bool is_wide = wide && p >= 1 && p < min;
        if (!is_single && !is_wide) continue;
        auto pub = ranges_of({r.ip_range}, f) & net.of(f);
        if (pub.empty()) continue;
        auto s = eg.scan_rule(i, pub);
        if (!s.accepted) continue;
        const std::string label = capitalized(describe_rule(r));
        auto fnd =
            is_single
                ? make(check_id::single_address, r.id.empty() ? "#" + std::to_string(i) : r.id,
                       label + " accepts packets from a single public address")
                : make(check_id::wide_prefix, r.id.empty() ? "#" + std::to_string(i) : r.id,
                       label + " accepts a wide public range: prefix /" + std::to_string(p) +
                           " is shorter than /" + std::to_string(min) +
                           ", and the rule decides "
                           "packets from " +
                           count_text(s.accepted_addresses[index_of(f)].count()) +
                           " public addresses");
        fnd.witness = s.accepted;
        fnd.rules = {i};
        emit(std::move(fnd));
      }
    }

    // SG017, SG018
    void text_checks() {
      const auto& g = group();
      if (enabled(check_id::too_many_rules)) {
        std::size_t n = 0;
        for (const auto& r : g.rules) n += is_default_rule_id(r.id) ? 0 : 1;
        if (n > cfg.max_rules)
          emit(make(check_id::too_many_rules, "rules",
                    "The group has " + std::to_string(n) + " user rules, more than " +
                        std::to_string(cfg.max_rules)));
      }
      if (enabled(check_id::missing_description) &&
          (!g.description || secgroup::detail::trim(*g.description).empty()))
        emit(make(
            check_id::missing_description, "description",
            g.description ? "The group's description is blank" : "The group has no description"));
    }

    void finish() {
      auto note = [&](std::optional<std::size_t> at, const std::vector<std::string>& names) {
        if (!at || names.empty()) return;
        std::vector<std::string> unique;
        for (const auto& n : names)
          if (std::find(unique.begin(), unique.end(), n) == unique.end()) unique.push_back(n);
        constexpr std::size_t shown = 8;
        std::string list;
        for (std::size_t k = 0; k < std::min(unique.size(), shown); ++k)
          list += (k == 0 ? "" : ", ") + unique[k];
        if (unique.size() > shown)
          list += " and " + std::to_string(unique.size() - shown) + " more";
        report.findings[*at].message += "; sensitive services included: " + list;
      };
      note(all_protocols_finding, implied_by_protocols);
      note(all_ports_finding[0], implied_by_ports[0]);
      note(all_ports_finding[1], implied_by_ports[1]);
      std::vector<std::size_t> idx(report.findings.size());
      for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
      std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
        const auto& x = report.findings[a];
        const auto& y = report.findings[b];
        return std::make_tuple(-static_cast<int>(x.level), lint_config::index(x.check)) <
               std::make_tuple(-static_cast<int>(y.level), lint_config::index(y.check));
      });
      std::vector<finding> sorted;
      for (auto i : idx) sorted.push_back(std::move(report.findings[i]));
      report.findings = std::move(sorted);
      auto& u = report.used_suppressions;
      std::sort(u.begin(), u.end());
      u.erase(std::unique(u.begin(), u.end()), u.end());
    }
  };

  lint_config config_;
  lint::internet internet_;
};

/// Returns the findings about `g` under configuration `config`.
inline group_report lint_group(const security_group& g, const lint_config& config = {},
                               std::string source = "") {
  return linter(config).run(g, std::move(source));
}

/// True iff some unsuppressed finding of `report` is at or above `threshold`.
inline bool fails(const group_report& report, fail_threshold threshold) {
  if (!threshold) return false;
  for (const auto& f : report.findings)
    if (!f.suppressed && f.level >= *threshold) return true;
  return false;
}

}  // namespace lint
SECGROUP_END_NAMESPACE
