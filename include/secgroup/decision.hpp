// secgroup/decision.hpp: the outcome of evaluating a packet against a group.
#pragma once

#include <cstdint>

#include "config.hpp"
#include "protocol.hpp"

SECGROUP_BEGIN_NAMESPACE

/// What a group does with a packet, and why: the deciding rule's index in ordered_rules(), or
/// no_rule when the direction's default policy decided.
struct decision {
  static constexpr std::uint32_t no_rule = 0xffffffffu;

  secgroup::action action = secgroup::action::drop;
  std::uint32_t rule = no_rule;

  /// True iff no rule matched and the default policy decided.
  constexpr bool by_default() const { return rule == no_rule; }

  friend constexpr bool operator==(const decision&, const decision&) = default;
};

SECGROUP_END_NAMESPACE
