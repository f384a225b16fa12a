// secgroup/partial_group.hpp: a security group some of whose values are not known yet.
//
// A Terraform plan knows most of a group before apply, but not everything: a rule's port can
// come from a resource still to be created, a `dynamic` block can iterate over a list known
// only after apply. Such values are unknown, and an analysis must never guess them: a question
// whose answer depends on one is undecided, not passed.
//
// partial_group keeps what is known and names what is not, at the granularity of the API's
// fields: per rule its action, protocol, ip_range and ports; per group the two default
// policies, `stateful`, `enable_default_security`, and per direction the rule list as a whole
// (its length unknown). Known values are exact; an unknown field holds its default and means
// nothing. Fields that decide nothing (name, zone, project, tags) are outside this type: the
// source that produced the group lists them (terraform_group::unknown).
//
// possible_actions() is the reference for such groups, as reference_evaluator is for known
// ones: it returns every action that some completion of the unknowns gives a packet, exactly.
// A later check asks it (or reasons the same way over regions) and reports "undecided" when
// both actions are possible. known() returns the plain security_group when nothing is unknown,
// so every existing analysis runs unchanged on complete groups.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config.hpp"
#include "default_rules.hpp"
#include "packet.hpp"
#include "protocol.hpp"
#include "rule.hpp"
#include "security_group.hpp"

SECGROUP_BEGIN_NAMESPACE

// -- Unknown fields -------------------------------------------------------------------------

/// The fields of one rule whose value is unknown. Direction is never unknown: it is the kind
/// of block the rule was written in.
struct unknown_rule_fields {
  bool action = false;
  bool protocol = false;
  bool ip_range = false;
  bool ports = false;

  /// True iff any field is unknown.
  constexpr bool any() const { return action || protocol || ip_range || ports; }
  /// Every field unknown: a rule whose whole block is unknown.
  static constexpr unknown_rule_fields all() { return {true, true, true, true}; }

  friend constexpr bool operator==(const unknown_rule_fields&,
                                   const unknown_rule_fields&) = default;
};

/// The group-level fields whose value is unknown and can change a decision (or, for
/// `stateful`, which replies are let through).
struct unknown_group_fields {
  bool inbound_default_policy = false;
  bool outbound_default_policy = false;
  bool stateful = false;
  bool enable_default_security = false;  ///< whether the six default SMTP rules exist
  bool inbound_rules = false;            ///< the inbound rule list itself (its length) is unknown
  bool outbound_rules = false;           ///< idem outbound

  /// True iff any field is unknown.
  constexpr bool any() const {
    return inbound_default_policy || outbound_default_policy || stateful ||
           enable_default_security || inbound_rules || outbound_rules;
  }
  /// True iff the default policy of direction `d` is unknown.
  constexpr bool default_policy(direction d) const {
    return d == direction::inbound ? inbound_default_policy : outbound_default_policy;
  }
  /// True iff the rule list of direction `d` is unknown as a whole.
  constexpr bool rules(direction d) const {
    return d == direction::inbound ? inbound_rules : outbound_rules;
  }

  friend constexpr bool operator==(const unknown_group_fields&,
                                   const unknown_group_fields&) = default;
};

// -- The partial group ----------------------------------------------------------------------

/// A user rule with its unknown fields and the place it was written.
struct partial_rule {
  rule value;                   ///< known fields exact; unknown ones hold defaults, meaningless
  unknown_rule_fields unknown;  ///< which fields of `value` are unknown
  std::string origin;           ///< where it was written, e.g.
                                ///< "scaleway_instance_security_group.web.inbound_rule[0]"

  friend bool operator==(const partial_rule&, const partial_rule&) = default;
};

/// One line for messages, like to_string(rule), with "?" for each unknown field, e.g.
/// "inbound accept TCP ? 8080" (range unknown) or "inbound ? ? ? ?" (the whole block).
inline std::string to_string(const partial_rule& r) {
  const rule& v = r.value;
  const bool ports =
      r.unknown.protocol || v.protocol == protocol::tcp || v.protocol == protocol::udp;
  std::string out = std::string(to_string(v.direction)) + ' ';
  out += r.unknown.action ? "?" : std::string(to_string(v.action));
  out += ' ' + (r.unknown.protocol ? std::string("?") : std::string(to_string(v.protocol)));
  out += ' ' + (r.unknown.ip_range ? std::string("?") : to_string(v.ip_range));
  if (r.unknown.ports)
    out += " ?";
  else if (ports && v.ports)
    out += ' ' + to_string(v.ports);
  return out;
}

/// A group whose values are known except those `unknown` and `rules[i].unknown` name.
/// `group.rules` is always empty: the user rules are `rules`, in evaluation order (each
/// direction's rules in the order written; positions 1..N as the API numbers them). The six
/// default SMTP rules are implied by `group.enable_default_security`, as for security_group.
struct partial_group {
  security_group group;  ///< every field but the rules; unknown fields hold defaults
  std::vector<partial_rule> rules;
  unknown_group_fields unknown;

  /// True iff no value of the group is unknown.
  bool complete() const {
    if (unknown.any()) return false;
    for (const auto& r : rules)
      if (r.unknown.any()) return false;
    return true;
  }

  /// Returns the group with its rules when complete(), else nullopt.
  std::optional<security_group> known() const {
    if (!complete()) return std::nullopt;
    security_group g = group;
    g.rules.clear();
    for (const auto& r : rules) g.rules.push_back(r.value);
    return g;
  }

  friend bool operator==(const partial_group&, const partial_group&) = default;
};

/// Returns `g` as a partial group with nothing unknown: its user rules in evaluation order
/// (by position, ties in stored order, ICMP/ANY ports cleared, default-rule ids skipped, as
/// ordered_rules() does), each named "<origin>[i]" (i its index in `g.rules`) when `origin` is
/// not empty.
inline partial_group make_partial(const security_group& g, const std::string& origin = "") {
  partial_group p;
  p.group = g;
  p.group.rules.clear();
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < g.rules.size(); ++i)
    if (!is_default_rule_id(g.rules[i].id)) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return g.rules[a].position < g.rules[b].position;
  });
  for (auto i : order)
    p.rules.push_back(
        {normalize(g.rules[i]), {}, origin.empty() ? "" : origin + "[" + std::to_string(i) + "]"});
  return p;
}

// -- Possible decisions ---------------------------------------------------------------------

/// The actions a group may take on a packet: one when decided, both when undecided.
struct action_set {
  bool accept = false;
  bool drop = false;

  /// True iff exactly one action is possible.
  constexpr bool decided() const { return accept != drop; }
  /// True iff `a` is possible.
  constexpr bool contains(action a) const { return a == action::accept ? accept : drop; }
  /// The one possible action; meaningful only when decided().
  constexpr action only() const { return accept ? action::accept : action::drop; }

  friend constexpr bool operator==(const action_set&, const action_set&) = default;
};

/// "accept", "drop", "accept or drop" (undecided), or "none" (the empty set).
constexpr std::string_view to_string(const action_set& s) {
  return s.accept && s.drop ? "accept or drop" : s.accept ? "accept" : s.drop ? "drop" : "none";
}

/// \cond
namespace detail::partial {

/// Whether a rule matches a packet: no, for some completions, or for every one.
enum class match3 : std::uint8_t { no, maybe, yes };

constexpr match3 operator&&(match3 a, match3 b) {
  if (a == match3::no || b == match3::no) return match3::no;
  return a == match3::yes && b == match3::yes ? match3::yes : match3::maybe;
}

/// Whether rule `r`, with the unknown fields `u`, matches packet `p` (same direction).
inline match3 matches(const rule& r, const unknown_rule_fields& u, const packet& p) {
  auto known = [](bool b) { return b ? match3::yes : match3::no; };
  match3 proto = u.protocol ? match3::maybe : known(protocol_matches(r.protocol, p.protocol));
  match3 addr = u.ip_range ? match3::maybe : known(r.ip_range.contains(p.remote));
  // Ports constrain only a TCP or UDP rule, and only packets that carry ports.
  match3 ports = match3::yes;
  if (carries_ports(p.protocol)) {
    const bool port_ok = !r.ports || r.ports->contains(p.port);
    if (u.protocol) {
      // Unknown protocol: ANY would ignore the ports, TCP or UDP would apply them.
      ports = !u.ports && port_ok ? match3::yes : match3::maybe;
    } else if (r.protocol == protocol::tcp || r.protocol == protocol::udp) {
      ports = u.ports ? match3::maybe : known(port_ok);
    }
  }
  return proto && addr && ports;
}

inline void add(action_set& s, action a, bool unknown) {
  if (unknown || a == action::accept) s.accept = true;
  if (unknown || a == action::drop) s.drop = true;
}

}  // namespace detail::partial
/// \endcond

/// Returns every action some completion of the unknowns of `g` gives packet `p`, exactly:
/// rules are scanned in evaluation order; a rule that may match adds its action (both when
/// its action is unknown) and the scan goes on; a rule that surely matches ends it; an unknown
/// rule list of the packet's direction may hold any rule, so it adds both actions and ends the
/// scan; the default policy ends it otherwise. With nothing unknown this is
/// evaluate_reference(*g.known(), p).action.
inline action_set possible_actions(const partial_group& g, const packet& p) {
  using detail::partial::match3;
  action_set out;
  if (g.group.enable_default_security || g.unknown.enable_default_security) {
    for (const auto& r : default_rules(g.group.zone)) {
      if (r.direction != p.direction) continue;
      auto m = detail::partial::matches(r, {}, p);
      if (m == match3::no) continue;
      detail::partial::add(out, r.action, false);
      // Default rules that may not exist never end the scan.
      if (m == match3::yes && !g.unknown.enable_default_security) return out;
    }
  }
  if (g.unknown.rules(p.direction)) {
    out.accept = out.drop = true;
    return out;
  }
  for (const auto& r : g.rules) {
    if (r.value.direction != p.direction) continue;
    auto m = detail::partial::matches(r.value, r.unknown, p);
    if (m == match3::no) continue;
    detail::partial::add(out, r.value.action, r.unknown.action);
    if (m == match3::yes) return out;
  }
  detail::partial::add(out, g.group.default_policy(p.direction),
                       g.unknown.default_policy(p.direction));
  return out;
}

SECGROUP_END_NAMESPACE
