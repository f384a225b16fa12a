// secgroup/packet.hpp: a packet as one security group sees it.
//
// Direction, IP protocol number, remote address (the source of an inbound packet, the
// destination of an outbound one) and destination port. Ports only mean something for TCP and
// UDP; evaluators ignore the port of any other protocol.
// Text form, one packet a line: "inbound tcp 203.0.113.7 22", "outbound icmp ::1",
// "inbound 47 10.0.0.1" (a protocol number). TCP and UDP need a port.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "address.hpp"
#include "config.hpp"
#include "detail/text.hpp"
#include "protocol.hpp"

SECGROUP_BEGIN_NAMESPACE

/// A packet seen by a group.
struct packet {
  secgroup::direction direction = secgroup::direction::inbound;
  std::uint8_t protocol = ip_proto::tcp;  ///< IP protocol number
  ip_address remote;
  std::uint16_t port = 0;  ///< destination port; ignored unless TCP or UDP

  friend constexpr bool operator==(const packet&, const packet&) = default;
};

/// True iff the IP protocol number carries destination ports (TCP or UDP).
constexpr bool carries_ports(std::uint8_t ip_protocol) {
  return ip_protocol == ip_proto::tcp || ip_protocol == ip_proto::udp;
}

/// True iff a rule of protocol `p` matches IP protocol `ip_protocol`. ICMP rules match ICMP
/// and ICMPv6; ANY matches every protocol.
constexpr bool protocol_matches(protocol p, std::uint8_t ip_protocol) {
  switch (p) {
    case protocol::tcp:
      return ip_protocol == ip_proto::tcp;
    case protocol::udp:
      return ip_protocol == ip_proto::udp;
    case protocol::icmp:
      return ip_protocol == ip_proto::icmp || ip_protocol == ip_proto::icmpv6;
    case protocol::any:
      return true;
  }
  return false;
}

/// Returns the protocol name for output: "tcp", "udp", "icmp", "icmpv6" or the number.
inline std::string protocol_name(std::uint8_t ip_protocol) {
  switch (ip_protocol) {
    case ip_proto::tcp:
      return "tcp";
    case ip_proto::udp:
      return "udp";
    case ip_proto::icmp:
      return "icmp";
    case ip_proto::icmpv6:
      return "icmpv6";
    default:
      return std::to_string(ip_protocol);
  }
}

/// Parses a protocol for a packet: tcp, udp, icmp (ICMPv6 for an IPv6 `remote`), icmpv6, or a
/// number 0..255. Throws parse_error (secgroup.parse.103) naming `field`.
inline std::uint8_t parse_ip_protocol(std::string_view text, family remote_family,
                                      const std::string& field = "protocol") {
  if (detail::iequals(text, "tcp")) return ip_proto::tcp;
  if (detail::iequals(text, "udp")) return ip_proto::udp;
  if (detail::iequals(text, "icmp"))
    return remote_family == family::v4 ? ip_proto::icmp : ip_proto::icmpv6;
  if (detail::iequals(text, "icmpv6")) return ip_proto::icmpv6;
  if (auto n = detail::parse_decimal(text, 3); n && *n <= 255) return static_cast<std::uint8_t>(*n);
  SECGROUP_THROW(parse_error(errc::bad_enum, field,
                             "unknown protocol " + detail::quoted(text) +
                                 " (expected tcp, udp, icmp, icmpv6 or a number 0..255)"));
}

/// Parses a destination port 0..65535; throws parse_error (secgroup.parse.107) naming `field`.
inline std::uint16_t parse_port(std::string_view text, const std::string& field = "port") {
  auto n = detail::parse_decimal(text, 5);
  if (!n || *n > 65535)
    SECGROUP_THROW(parse_error(errc::bad_number, field,
                               "invalid port " + detail::quoted(text) + " (expected 0..65535)"));
  return static_cast<std::uint16_t>(*n);
}

/// Builds a packet from its parts as the CLI takes them; `port` is required for TCP and UDP.
/// Throws parse_error whose field is `field_prefix` followed by the part at fault: "direction",
/// "protocol", "remote" or "port" (so "--" yields "--port", "pk.txt:3 " yields "pk.txt:3 port").
inline packet make_packet(std::string_view dir, std::string_view proto, std::string_view remote,
                          std::optional<std::string_view> port,
                          const std::string& field_prefix = "") {
  auto at = [&](const char* part) { return field_prefix + part; };
  packet p;
  p.direction = parse_direction(dir, at("direction"));
  p.remote = parse_address(remote, at("remote"));
  p.protocol = parse_ip_protocol(proto, p.remote.af, at("protocol"));
  if (port) {
    p.port = parse_port(*port, at("port"));
  } else if (carries_ports(p.protocol)) {
    SECGROUP_THROW(parse_error(errc::bad_packet, at("port"),
                               "a " + protocol_name(p.protocol) + " packet needs a port"));
  }
  return p;
}

/// Parses "DIRECTION PROTOCOL REMOTE [PORT]"; throws parse_error naming `where`.
inline packet parse_packet(std::string_view line, const std::string& where = "") {
  std::vector<std::string_view> words;
  for (line = detail::trim(line); !line.empty(); line = detail::trim(line)) {
    auto end = line.find_first_of(" \t");
    words.push_back(line.substr(0, end));
    line = end == std::string_view::npos ? std::string_view{} : line.substr(end);
  }
  if (words.size() < 3 || words.size() > 4)
    SECGROUP_THROW(parse_error(errc::bad_packet, where,
                               "expected 'DIRECTION PROTOCOL REMOTE [PORT]', got " +
                                   std::to_string(words.size()) + " words"));
  return make_packet(words[0], words[1], words[2],
                     words.size() == 4 ? std::optional(words[3]) : std::nullopt,
                     where.empty() ? where : where + " ");
}

/// "inbound tcp 203.0.113.7 22"; the port is omitted for protocols without ports. The text
/// parses back to the same packet: ICMP (1) to an IPv6 remote prints as "1", since "icmp"
/// means ICMPv6 there.
inline std::string to_string(const packet& p) {
  auto proto = p.protocol == ip_proto::icmp && p.remote.af == family::v6
                   ? std::to_string(p.protocol)
                   : protocol_name(p.protocol);
  return std::string(to_string(p.direction)) + ' ' + proto + ' ' + to_string(p.remote) +
         (carries_ports(p.protocol) ? ' ' + std::to_string(p.port) : "");
}

SECGROUP_END_NAMESPACE
