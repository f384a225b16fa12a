// secgroup/reference.hpp: the linear reference evaluator, the oracle for everything else.
//
// Deliberately plain: it walks ordered_rules() and returns the first rule that matches, testing
// each field directly on the model, else the direction's default policy. O(rules) per packet.
// Every faster path and every analysis is tested against it.
#pragma once

#include <utility>
#include <vector>

#include "config.hpp"
#include "decision.hpp"
#include "packet.hpp"
#include "rule.hpp"
#include "security_group.hpp"

SECGROUP_BEGIN_NAMESPACE

/// True iff rule `r` matches packet `p`.
inline bool matches(const rule& r, const packet& p) {
  return r.direction == p.direction && protocol_matches(r.protocol, p.protocol) &&
         r.ip_range.contains(p.remote) &&
         (!r.has_ports() || !carries_ports(p.protocol) || r.ports->contains(p.port));
}

/// First-match evaluation by a linear scan over a group's ordered rules.
class reference_evaluator {
 public:
  explicit reference_evaluator(const security_group& g)
      : rules_(ordered_rules(g)),
        inbound_(g.inbound_default_policy),
        outbound_(g.outbound_default_policy) {}

  /// Returns the decision for `p`: the first matching rule, else the default policy.
  decision evaluate(const packet& p) const {
    for (std::size_t i = 0; i < rules_.size(); ++i)
      if (matches(rules_[i], p)) return {rules_[i].action, static_cast<std::uint32_t>(i)};
    return {p.direction == direction::inbound ? inbound_ : outbound_, decision::no_rule};
  }

  /// The rules in evaluation order; decision::rule indexes this list.
  const std::vector<rule>& rules() const { return rules_; }

 private:
  std::vector<rule> rules_;
  action inbound_, outbound_;
};

/// Returns the decision of group `g` for packet `p` (builds the rule order on every call).
inline decision evaluate_reference(const security_group& g, const packet& p) {
  return reference_evaluator(g).evaluate(p);
}

SECGROUP_END_NAMESPACE
