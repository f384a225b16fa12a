// secgroup/protocol.hpp: rule protocols, directions and actions, with their wire names.
//
// Wire names are parsed case-insensitively (the Python SDK sends "tcp", the Go SDK "TCP") and
// written in the API's canonical case: uppercase protocols, lowercase direction and action.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "config.hpp"
#include "detail/text.hpp"
#include "error.hpp"

SECGROUP_BEGIN_NAMESPACE

/// The protocol of a rule. ANY matches every IP protocol.
enum class protocol : std::uint8_t { tcp, udp, icmp, any };
/// Traffic direction as the group sees it: inbound to, or outbound from, the instance.
enum class direction : std::uint8_t { inbound, outbound };
/// What a rule or a default policy does with a packet.
enum class action : std::uint8_t { accept, drop };

/// IP protocol numbers the model distinguishes.
namespace ip_proto {
inline constexpr std::uint8_t icmp = 1;
inline constexpr std::uint8_t tcp = 6;
inline constexpr std::uint8_t udp = 17;
inline constexpr std::uint8_t icmpv6 = 58;
}  // namespace ip_proto

constexpr std::string_view to_string(protocol p) {
  constexpr std::array<std::string_view, 4> names{"TCP", "UDP", "ICMP", "ANY"};
  return names[static_cast<std::size_t>(p)];
}
constexpr std::string_view to_string(direction d) {
  return d == direction::inbound ? "inbound" : "outbound";
}
constexpr std::string_view to_string(action a) { return a == action::accept ? "accept" : "drop"; }

/// The opposite action.
constexpr action operator!(action a) { return a == action::accept ? action::drop : action::accept; }

namespace detail {
template <class Enum, std::size_t N>
Enum parse_enum(std::string_view text, const std::array<Enum, N>& values, const char* what,
                const std::string& field) {
  std::string allowed;
  for (auto v : values) {
    if (iequals(text, to_string(v))) return v;
    allowed += (allowed.empty() ? "" : ", ") + std::string(to_string(v));
  }
  SECGROUP_THROW(parse_error(
      errc::bad_enum, field,
      "unknown " + std::string(what) + " " + quoted(text) + " (expected one of " + allowed + ")"));
}
}  // namespace detail

/// Parses "TCP", "udp", ...; throws parse_error (secgroup.parse.103) naming `field`.
inline protocol parse_protocol(std::string_view text, const std::string& field = "protocol") {
  return detail::parse_enum(text,
                            std::array{protocol::tcp, protocol::udp, protocol::icmp, protocol::any},
                            "protocol", field);
}
/// Parses "inbound" / "outbound" (any case); throws parse_error naming `field`.
inline direction parse_direction(std::string_view text, const std::string& field = "direction") {
  return detail::parse_enum(text, std::array{direction::inbound, direction::outbound}, "direction",
                            field);
}
/// Parses "accept" / "drop" (any case); throws parse_error naming `field`.
inline action parse_action(std::string_view text, const std::string& field = "action") {
  return detail::parse_enum(text, std::array{action::accept, action::drop}, "action", field);
}

SECGROUP_END_NAMESPACE
