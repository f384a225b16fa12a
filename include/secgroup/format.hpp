// secgroup/format.hpp: the words every front end uses for rules, decisions and address ranges.
//
// The CLI's text output and the Python module's reprs name rules and decisions the same way:
// "rule ID (position N)", "rule at position N" for a rule without an id, "default SMTP rule ID
// (position N)" for the six rules `enable_default_security` implies; "accept by rule ...",
// "drop by the default policy". Rule indices refer to ordered_rules(group). A value quoted in a
// message or a repr reads 'like this', cut after 64 characters, as in every library error.
// Text from input (ids, names, descriptions) goes through escaped() (detail/text.hpp) before it
// is printed, so one line of output stays one line whatever the input holds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "address.hpp"
#include "config.hpp"
#include "decision.hpp"
#include "detail/text.hpp"
#include "port_range.hpp"
#include "protocol.hpp"
#include "rule.hpp"

SECGROUP_BEGIN_NAMESPACE

/// Returns 'VALUE', escaped and cut to its first 64 characters ("'...'" marks the cut): values in
/// messages.
/// CAUTION: call it as secgroup::quoted; for a std::string, unqualified `quoted(s)` finds
/// std::quoted by argument-dependent lookup.
using detail::quoted;

/// Returns text from input (an id, a name) fit for one line of output: see detail::escaped().
using detail::escaped;

/// "rule ID (position N)", "rule at position N" without an id, and "default SMTP rule ID
/// (position N)" for the non-editable default rules; `i` indexes `rules`. The id is escaped().
inline std::string rule_label(const std::vector<rule>& rules, std::uint32_t i) {
  const auto& r = rules[i];
  std::string kind = r.editable ? "rule" : "default SMTP rule";
  if (r.id.empty()) return kind + " at position " + std::to_string(r.position);
  return kind + " " + escaped(r.id) + " (position " + std::to_string(r.position) + ")";
}

/// The deciding rule's label, or "the default policy".
inline std::string decider_text(const decision& d, const std::vector<rule>& rules) {
  return d.by_default() ? std::string("the default policy") : rule_label(rules, d.rule);
}

/// "accept by rule ID (position N)" or "drop by the default policy".
inline std::string decision_text(const decision& d, const std::vector<rule>& rules) {
  return std::string(to_string(d.action)) + " by " + decider_text(d, rules);
}

/// The addresses first..last (one family, first <= last) as one CIDR when they are one
/// network, else "FIRST-LAST".
inline std::string address_range_text(const ip_address& first, const ip_address& last) {
  auto networks = to_networks(first, last);
  if (networks.size() == 1) return to_string(networks.front());
  return to_string(first) + "-" + to_string(last);
}

SECGROUP_END_NAMESPACE
