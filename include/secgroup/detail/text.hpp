// secgroup/detail/text.hpp: small string helpers shared by the parsers.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "../config.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace detail {

/// True iff a and b are equal ignoring ASCII case.
constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

/// `s` without leading and trailing spaces, tabs and line ends.
constexpr std::string_view trim(std::string_view s) {
  constexpr std::string_view space = " \t\r\n";
  auto b = s.find_first_not_of(space);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(space) - b + 1);
}

/// Parses a decimal number of at most `max_digits` digits without sign or leading zeros.
inline std::optional<unsigned> parse_decimal(std::string_view s, std::size_t max_digits) {
  if (s.empty() || s.size() > max_digits || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  unsigned v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  return v;
}

/// Quotes a value for an error message, cutting it to 64 characters.
inline std::string quoted(std::string_view s) {
  return "'" + std::string(s.substr(0, 64)) + (s.size() > 64 ? "...'" : "'");
}

/// `s` with every byte but RFC 3986 unreserved characters and those in `also_plain` escaped
/// as %XX (upper-case hex).
inline std::string percent_encode(std::string_view s, std::string_view also_plain = {}) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '.' || c == '_' || c == '~' ||
                       also_plain.find(static_cast<char>(c)) != std::string_view::npos;
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace detail
SECGROUP_END_NAMESPACE
