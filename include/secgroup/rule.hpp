// secgroup/rule.hpp: one security-group rule, as the API defines it.
//
// A rule matches packets of one direction, one protocol (or ANY), one remote network and,
// for TCP and UDP, an optional destination port range. Ports never constrain ICMP or ANY rules:
// the API clears them, and normalize() does the same.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "address.hpp"
#include "config.hpp"
#include "port_range.hpp"
#include "protocol.hpp"

SECGROUP_BEGIN_NAMESPACE

/// A security-group rule. Field names follow the API object (SecurityGroupRule).
struct rule {
  std::string id;
  secgroup::protocol protocol = secgroup::protocol::tcp;
  secgroup::direction direction = secgroup::direction::inbound;
  secgroup::action action = secgroup::action::accept;
  ip_network ip_range = ip_network::any(family::v4);
  std::optional<port_range> ports;  ///< unset: every port; only meaningful for TCP and UDP
  std::uint32_t position = 0;       ///< 1-based; user rules and default rules number apart
  bool editable = true;             ///< false only for the fixed default SMTP rules
  std::string zone;

  /// True iff the rule's ports constrain its packets (a TCP or UDP rule with a range).
  constexpr bool has_ports() const {
    return ports && (protocol == secgroup::protocol::tcp || protocol == secgroup::protocol::udp);
  }

  friend bool operator==(const rule&, const rule&) = default;
};

/// Returns `r` with the API's normalisation applied: ICMP and ANY rules carry no ports.
inline rule normalize(rule r) {
  if (r.protocol == protocol::icmp || r.protocol == protocol::any) r.ports.reset();
  return r;
}

/// One line for messages and text output, e.g. "inbound accept TCP 10.0.0.0/8 22".
inline std::string to_string(const rule& r) {
  return std::string(to_string(r.direction)) + ' ' + std::string(to_string(r.action)) + ' ' +
         std::string(to_string(r.protocol)) + ' ' + to_string(r.ip_range) +
         (r.has_ports() ? ' ' + to_string(r.ports) : std::string());
}

SECGROUP_END_NAMESPACE
