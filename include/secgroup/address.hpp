// secgroup/address.hpp: IPv4/IPv6 addresses and networks (CIDRs), strict parsing and the
// API's output format.
//
// An address is a family plus a number (32 bits for IPv4, 128 for IPv6), so both families share
// one value type and one ordering (every IPv4 address sorts before every IPv6 address).
// Parsing is strict: dotted quads of exactly four decimal octets without leading zeros, RFC 4291
// IPv6 text (optionally ending in a dotted quad; no zone index), prefix lengths 0..32 / 0..128.
// `::ffff:1.2.3.4` is an IPv6 address: families never mix.
// Formatting follows the API: IPv6 in RFC 5952 canonical form (lowercase hex, longest zero run
// compressed; an IPv4-mapped address, in ::ffff:0:0/96 only, ends in its dotted quad as §5
// recommends: `::ffff:1.2.3.4`); a host network (/32, /128) prints as its bare address.
// NOTE: a network given with host bits set (`1.2.3.4/16`) is accepted and masked to its network
// address (`1.2.0.0/16`), see docs/semantics.md.
#pragma once

#include <array>
#include <charconv>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config.hpp"
#include "detail/text.hpp"
#include "detail/uint128.hpp"
#include "error.hpp"

SECGROUP_BEGIN_NAMESPACE

/// The address family of an address or network.
enum class family : std::uint8_t { v4, v6 };

/// Number of address bits in a family: 32 or 128.
constexpr unsigned address_bits(family f) { return f == family::v4 ? 32 : 128; }

/// "IPv4" or "IPv6".
constexpr std::string_view to_string(family f) { return f == family::v4 ? "IPv4" : "IPv6"; }

/// Parses a family name: "ipv4" or "v4", "ipv6" or "v6" (any case). Throws parse_error
/// (secgroup.parse.103) naming `field`.
inline family parse_family(std::string_view text, const std::string& field = "family") {
  using detail::iequals;
  if (iequals(text, "ipv4") || iequals(text, "v4")) return family::v4;
  if (iequals(text, "ipv6") || iequals(text, "v6")) return family::v6;
  SECGROUP_THROW(
      parse_error(errc::bad_enum, field,
                  "unknown family " + detail::quoted(text) + " (expected ipv4 or ipv6)"));
}

/// An IPv4 or IPv6 address.
struct ip_address {
  family af = family::v4;
  detail::uint128 value;  ///< the address as a number; IPv4 uses the low 32 bits

  /// Returns the IPv4 address with the given 32-bit value (host order).
  static constexpr ip_address v4(std::uint32_t bits) { return {family::v4, bits}; }
  /// Returns the IPv6 address with the given 128-bit value.
  static constexpr ip_address v6(detail::uint128 bits) { return {family::v6, bits}; }

  /// The low 32 bits, the whole value of an IPv4 address.
  constexpr std::uint32_t v4_bits() const { return static_cast<std::uint32_t>(value.lo); }

  friend constexpr bool operator==(const ip_address&, const ip_address&) = default;
  friend constexpr auto operator<=>(const ip_address&, const ip_address&) = default;
};

/// A network: an address whose bits beyond `prefix` are zero, and a prefix length.
struct ip_network {
  ip_address address;
  std::uint8_t prefix = 0;

  constexpr family af() const { return address.af; }
  /// True iff the network is a single address (/32 or /128).
  constexpr bool is_host() const { return prefix == address_bits(af()); }
  /// The first address of the network.
  constexpr ip_address first() const { return address; }
  /// The last address of the network.
  constexpr ip_address last() const { return {af(), address.value | host_mask()}; }
  /// True iff `a` belongs to the network (same family, same leading `prefix` bits).
  constexpr bool contains(const ip_address& a) const {
    return a.af == af() && (a.value & ~host_mask()) == address.value;
  }
  /// True iff every address of `n` belongs to this network.
  constexpr bool contains(const ip_network& n) const {
    return n.af() == af() && n.prefix >= prefix && contains(n.address);
  }
  /// The bits below the prefix, set; the network's addresses are address + [0, host_mask()].
  constexpr detail::uint128 host_mask() const {
    unsigned host = address_bits(af()) - prefix;
    return host == 0 ? detail::uint128{} : (detail::uint128_max >> (128 - host));
  }

  /// Returns the network of `prefix` bits containing `a` (host bits cleared).
  static constexpr ip_network of(const ip_address& a, unsigned prefix) {
    ip_network n{a, static_cast<std::uint8_t>(prefix)};
    n.address.value = a.value & ~n.host_mask();
    return n;
  }
  /// 0.0.0.0/0 or ::/0.
  static constexpr ip_network any(family f) { return {{f, {}}, 0}; }

  friend constexpr bool operator==(const ip_network&, const ip_network&) = default;
  friend constexpr auto operator<=>(const ip_network&, const ip_network&) = default;
};

// -- Parsing -------------------------------------------------------------------------------
namespace detail {

/// Parses a dotted quad; on failure sets `why` and returns nullopt.
inline std::optional<std::uint32_t> parse_v4(std::string_view s, const char*& why) {
  std::uint32_t bits = 0;
  for (int i = 0; i < 4; ++i) {
    auto dot = s.find('.');
    if ((i < 3) != (dot != std::string_view::npos)) {
      why = "an IPv4 address has exactly four dot-separated octets";
      return std::nullopt;
    }
    auto octet = parse_decimal(s.substr(0, dot), 3);
    if (!octet || *octet > 255) {
      why = "each IPv4 octet is a decimal 0..255 without leading zeros";
      return std::nullopt;
    }
    bits = (bits << 8) | *octet;
    s = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  }
  return bits;
}

inline int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Parses RFC 4291 IPv6 text; on failure sets `why` and returns nullopt.
inline std::optional<uint128> parse_v6(std::string_view s, const char*& why) {
  std::array<std::uint16_t, 8> groups{};
  int count = 0, gap = -1;  // groups parsed; index where "::" stands
  why = "not a valid IPv6 address";
  if (s.size() < 2) return std::nullopt;
  if (s.substr(0, 2) == "::") {
    gap = 0;
    s.remove_prefix(2);
  } else if (s.front() == ':') {
    return std::nullopt;
  }
  while (!s.empty()) {
    auto colon = s.find(':');
    auto piece = s.substr(0, colon);
    if (piece.find('.') != std::string_view::npos) {  // trailing dotted quad
      if (colon != std::string_view::npos || count > 6) return std::nullopt;
      auto v4 = parse_v4(piece, why);
      if (!v4) return std::nullopt;
      groups[count++] = static_cast<std::uint16_t>(*v4 >> 16);
      groups[count++] = static_cast<std::uint16_t>(*v4 & 0xffff);
      s = {};
      break;
    }
    if (piece.empty() || piece.size() > 4 || count == 8) return std::nullopt;
    unsigned v = 0;
    for (char c : piece) {
      int d = hex_digit(c);
      if (d < 0) return std::nullopt;
      v = v * 16 + static_cast<unsigned>(d);
    }
    groups[count++] = static_cast<std::uint16_t>(v);
    if (colon == std::string_view::npos) {
      s = {};
    } else if (s.substr(colon, 2) == "::") {
      if (gap >= 0) return std::nullopt;  // at most one "::"
      gap = count;
      s.remove_prefix(colon + 2);
    } else {
      s.remove_prefix(colon + 1);
      if (s.empty()) return std::nullopt;  // trailing single ':'
    }
  }
  if (gap < 0 ? count != 8 : count > 7) return std::nullopt;
  std::array<std::uint16_t, 8> full{};
  int tail = gap < 0 ? 0 : count - gap;
  for (int i = 0; i < count - tail; ++i) full[i] = groups[i];
  for (int i = 0; i < tail; ++i) full[8 - tail + i] = groups[gap + i];
  uint128 bits;
  for (auto g : full) bits = (bits << 16) | uint128{g};
  return bits;
}

namespace address_io {
/// `text` quoted for an error message, cut after 64 bytes ("...'" marks the cut): an address
/// from input never makes a message unbounded. Not escaped: front ends escape whole messages.
inline std::string shown(std::string_view text) {
  constexpr std::size_t most = 64;
  return "'" + std::string(text.substr(0, most)) + (text.size() > most ? "...'" : "'");
}
}  // namespace address_io
}  // namespace detail

/// Returns the address written in `text`, or nullopt; `why` (if given) receives the reason.
inline std::optional<ip_address> try_parse_address(std::string_view text,
                                                   const char** why = nullptr) {
  const char* reason = "empty address";
  std::optional<ip_address> out;
  if (text.find(':') != std::string_view::npos) {
    if (auto v6 = detail::parse_v6(text, reason)) out = ip_address::v6(*v6);
  } else if (!text.empty()) {
    if (auto v4 = detail::parse_v4(text, reason)) out = ip_address::v4(*v4);
  }
  if (!out && why) *why = reason;
  return out;
}

/// Returns the address written in `text`; throws parse_error (secgroup.parse.101) naming `field`.
inline ip_address parse_address(std::string_view text, const std::string& field = "") {
  const char* why = nullptr;
  if (auto a = try_parse_address(text, &why)) return *a;
  SECGROUP_THROW(parse_error(errc::bad_address, field,
                             "invalid IP address " + detail::address_io::shown(text) + ": " + why));
}

/// Returns the network written as "address/prefix" or as a bare address (a host network), or
/// nullopt; `why` (if given) receives the reason. Host bits beyond the prefix are cleared.
inline std::optional<ip_network> try_parse_network(std::string_view text,
                                                   const char** why = nullptr) {
  auto slash = text.find('/');
  auto address = try_parse_address(text.substr(0, slash), why);
  if (!address) return std::nullopt;
  unsigned max = address_bits(address->af);
  if (slash == std::string_view::npos) return ip_network::of(*address, max);
  auto prefix = detail::parse_decimal(text.substr(slash + 1), 3);
  if (!prefix || *prefix > max) {
    if (why)
      *why = address->af == family::v4 ? "the prefix length is a decimal 0..32"
                                       : "the prefix length is a decimal 0..128";
    return std::nullopt;
  }
  return ip_network::of(*address, *prefix);
}

/// Returns the network written in `text`; throws parse_error (secgroup.parse.102) naming `field`.
inline ip_network parse_network(std::string_view text, const std::string& field = "") {
  const char* why = nullptr;
  if (auto n = try_parse_network(text, &why)) return *n;
  SECGROUP_THROW(parse_error(errc::bad_cidr, field,
                             "invalid CIDR " + detail::address_io::shown(text) + ": " + why));
}

/// Returns the fewest networks whose union is exactly the addresses [first, last] (same
/// family, first <= last), in ascending order.
inline std::vector<ip_network> to_networks(const ip_address& first, const ip_address& last) {
  std::vector<ip_network> out;
  const unsigned bits = address_bits(first.af);
  detail::uint128 lo = first.value;
  for (;;) {
    unsigned host = 0;  // the largest aligned block at lo that ends by `last`
    while (host < bits) {
      auto mask = detail::uint128_max >> (128 - (host + 1));
      if ((lo & mask) != detail::uint128{} || (lo | mask) > last.value) break;
      ++host;
    }
    out.push_back(ip_network::of({first.af, lo}, bits - host));
    auto end = out.back().last().value;
    if (end == last.value) return out;
    lo = end + 1;
  }
}

// -- Formatting ----------------------------------------------------------------------------

/// True iff `a` is an IPv4-mapped IPv6 address (::ffff:0:0/96, RFC 4291 §2.5.5.2).
constexpr bool is_v4_mapped(const ip_address& a) {
  return a.af == family::v6 && a.value.hi == 0 && (a.value.lo >> 32) == 0xffff;
}

/// Returns the address as the API prints it: dotted quad, or RFC 5952 canonical IPv6, where an
/// IPv4-mapped address ends in its dotted quad (`::ffff:192.0.2.1`, RFC 5952 §5). parse_address()
/// reads every form back.
inline std::string to_string(const ip_address& a) {
  auto dotted = [](std::uint32_t v) {
    return std::to_string(v >> 24) + '.' + std::to_string((v >> 16) & 255) + '.' +
           std::to_string((v >> 8) & 255) + '.' + std::to_string(v & 255);
  };
  if (a.af == family::v4) return dotted(a.v4_bits());
  if (is_v4_mapped(a)) return "::ffff:" + dotted(a.v4_bits());
  std::array<unsigned, 8> g{};
  for (int i = 0; i < 8; ++i)
    g[i] = static_cast<unsigned>(static_cast<std::uint64_t>(a.value >> (112 - 16 * i)) & 0xffff);
  int best = -1, best_len = 1;  // RFC 5952: compress the longest run of >= 2 zero groups
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i > best_len) best = i, best_len = j - i;
    i = j == i ? i + 1 : j;
  }
  std::string out;
  char buf[8];
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    auto r = std::to_chars(buf, buf + sizeof buf, g[i], 16);
    out.append(buf, r.ptr);
  }
  return out;
}

/// Returns the network as the API prints it: "a.b.c.d/len", or the bare address for /32, /128;
/// an IPv4-mapped network as `::ffff:10.0.0.0/104` (to_string of its address).
inline std::string to_string(const ip_network& n) {
  return n.is_host() ? to_string(n.address) : to_string(n.address) + '/' + std::to_string(n.prefix);
}

SECGROUP_END_NAMESPACE
