// secgroup/lint/message.hpp: the wording of lint findings.
//
// Small formatting helpers the checks build their sentences from: how a rule is named (its
// position, or "default SMTP rule" for the rules of enable_default_security), address counts
// (exact up to 2^64, then as a power of two), port lists and protocol class names. Wording that
// needs the group's context (addresses as "every public IPv4 address except ...", lists of
// rules) lives with the check context (context.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../config.hpp"
#include "../default_rules.hpp"
#include "../detail/uint128.hpp"
#include "../rule.hpp"
#include "../space.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace lint {

/// Returns "rule at position 3 (inbound accept TCP 0.0.0.0/0 22)", or "default SMTP rule
/// (...)" for the rules of enable_default_security.
inline std::string describe_rule(const rule& r) {
  if (!r.editable && is_default_rule_id(r.id)) return "default SMTP rule (" + to_string(r) + ")";
  return "rule at position " + std::to_string(r.position) + " (" + to_string(r) + ")";
}

/// describe_rule() of each of a list of rules by index, worded on first use and kept: reports
/// name the same rules in many findings (an anomaly report names each rule once per pair it is
/// in). Holds a pointer to the list, which must outlive it.
class rule_descriptions {
 public:
  explicit rule_descriptions(const std::vector<rule>& rules) : rules_(&rules) {}
  /// describe_rule() of rule `i` of the list.
  const std::string& operator[](std::size_t i) const {
    if (text_.size() < rules_->size()) text_.resize(rules_->size());
    auto& text = text_[i];
    if (text.empty()) text = describe_rule((*rules_)[i]);  // never empty once worded
    return text;
  }

 private:
  const std::vector<rule>* rules_;
  mutable std::vector<std::string> text_;  // by index, empty until worded
};

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

/// Returns "port " for a single port, else "ports ".
inline std::string port_word(const std::vector<interval<std::uint32_t>>& ports) {
  return ports.size() == 1 && ports.front().lo == ports.front().hi ? "port " : "ports ";
}

/// Returns "TCP", "UDP", "ICMP" or "other protocols (GRE, ESP, ...)".
inline std::string class_name(proto_class c) {
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

}  // namespace lint
SECGROUP_END_NAMESPACE
