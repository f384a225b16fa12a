// secgroup/detail/text.hpp: small string helpers shared by the parsers, and the escaping of
// untrusted text for one-line output (escaped(), quoted()), described in docs/cli.md.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

/// The number of '\n' in `s`: 16 bytes at a time where SSE2 is (every x86-64), counted in
/// byte lanes summed every 255 steps, before a lane could overflow.
inline std::size_t count_newlines(std::string_view s) {
  std::size_t n = 0, i = 0;
#if defined(__SSE2__)
  const __m128i newline = _mm_set1_epi8('\n');
  while (s.size() - i >= 16) {
    __m128i lanes = _mm_setzero_si128();  // per byte lane: newlines seen, at most 255
    for (int step = 0; step < 255 && s.size() - i >= 16; ++step, i += 16) {
      const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
      lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(chunk, newline));  // a match is -1
    }
    const __m128i sums = _mm_sad_epu8(lanes, _mm_setzero_si128());  // two 64-bit sums
    n += static_cast<std::size_t>(_mm_cvtsi128_si32(sums)) +
         static_cast<std::size_t>(_mm_cvtsi128_si32(_mm_srli_si128(sums, 8)));
  }
#endif
  for (; i < s.size(); ++i) n += s[i] == '\n';
  return n;
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

// -- Escaping untrusted text --------------------------------------------------------------

namespace escape_detail {
inline void hex_byte(std::string& out, unsigned char c) {
  static constexpr char hex[] = "0123456789abcdef";
  out += "\\x";
  out += hex[c >> 4];
  out += hex[c & 15];
}
/// The length of the valid UTF-8 sequence at s[i] (2..4), or 0 when it is not one
/// (overlong forms, surrogates and code points above U+10FFFF are not valid); sets `cp`.
inline std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t& cp) {
  const auto b = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  if (b >= 0xc2 && b <= 0xdf)
    n = 2, cp = b & 0x1f;
  else if (b >= 0xe0 && b <= 0xef)
    n = 3, cp = b & 0x0f;
  else if (b >= 0xf0 && b <= 0xf4)
    n = 4, cp = b & 0x07;
  else
    return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3f);
  }
  if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
      (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
    return 0;
  return n;
}
/// True for the code points a terminal or log viewer may act on or hide text with: C1
/// controls, line and paragraph separators, bidirectional overrides and isolates, the byte
/// order mark.
constexpr bool unsafe_code_point(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
         (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e ||
         cp == 0x200f || cp == 0x061c || cp == 0xfeff;
}
}  // namespace escape_detail

/// How escaped() treats a backslash.
enum class backslash { escape, keep };

namespace escape_detail {
/// True when escaped(s, bs, max_chars) is `s` itself, uncut: at most `max_chars` bytes of
/// printable ASCII (no backslash with backslash::escape), no ':' or '#' after leading spaces.
/// The common case, checked a byte at a time without building anything.
inline bool kept_whole(std::string_view s, backslash bs, std::size_t max_chars) {
  if (s.size() > max_chars) return false;
  bool leading = true;  // only spaces so far
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f || (c == '\\' && bs == backslash::escape)) return false;
    if (leading && (c == ':' || c == '#')) return false;
    leading = leading && c == ' ';
  }
  return true;
}

/// escaped() character by character (what it does when kept_whole() is false; the same
/// result in every case, which the tests check).
inline std::string escape_each(std::string_view s, backslash bs, std::size_t max_chars, bool* cut) {
  std::string out;
  out.reserve(s.size());
  bool leading = true;  // only spaces so far
  std::size_t chars = 0, i = 0;
  for (; i < s.size() && chars < max_chars; ++chars) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      if (c == '\n')
        out += "\\n";
      else if (c == '\r')
        out += "\\r";
      else if (c == '\t')
        out += "\\t";
      else if (c == '\\' && bs == backslash::escape)
        out += "\\\\";
      else if (c < 0x20 || c == 0x7f || (leading && (c == ':' || c == '#')))
        escape_detail::hex_byte(out, c);
      else
        out += static_cast<char>(c);
      leading = leading && c == ' ';
      continue;
    }
    leading = false;
    char32_t cp = 0;
    const std::size_t n = escape_detail::utf8_sequence(s, i, cp);
    if (n == 0) {
      escape_detail::hex_byte(out, c);
      ++i;
    } else if (escape_detail::unsafe_code_point(cp)) {
      static constexpr char hex[] = "0123456789abcdef";
      std::string digits;
      for (char32_t v = cp; v; v >>= 4) digits.insert(digits.begin(), hex[v & 15]);
      out += "\\u{" + std::string(4 - std::min<std::size_t>(4, digits.size()), '0') + digits + "}";
      i += n;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  if (cut) *cut = i < s.size();
  return out;
}
}  // namespace escape_detail

/// Returns `s` fit for one line of terminal or CI-log text, at most `max_chars` characters of
/// it (code points; the rest is dropped and `cut` set when not null): `\n`, `\r`, `\t` and
/// `\\` (with backslash::escape) as in C, other ASCII controls, DEL and bytes that are not
/// valid UTF-8 as `\xNN`, and C1 controls, line separators, bidirectional controls and the
/// BOM as `\u{XXXX}`. A ':' or '#' before which `s` holds only spaces is written `\x3a` or
/// `\x23`, so text from input never starts a CI log command (`::error::`, `##vso[`) even when
/// printed at the start of a line. Everything else, valid UTF-8 included, is kept.
/// With backslash::keep, text escaped once passes unchanged (for whole messages built from
/// escaped values); a string without any of these characters is returned as it is.
inline std::string escaped(std::string_view s, backslash bs = backslash::escape,
                           std::size_t max_chars = std::string_view::npos, bool* cut = nullptr) {
  if (escape_detail::kept_whole(s, bs, max_chars)) {
    if (cut) *cut = false;
    return std::string(s);
  }
  return escape_detail::escape_each(s, bs, max_chars, cut);
}

/// Quotes a value for a message: 'VALUE', escaped() and cut after 64 characters ("...'" marks
/// the cut), so a value from input never breaks the message's line.
inline std::string quoted(std::string_view s) {
  bool cut = false;
  std::string body = escaped(s, backslash::escape, 64, &cut);
  return "'" + body + (cut ? "...'" : "'");
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
