// secgroup/detail/json_brackets.hpp: the brackets of JSON text that lie outside its strings,
// found 64 bytes at a time: what the reader's prepasses look at (the nesting bound of
// parse_json(), the extent of each group of an export split for several threads).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "../config.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace detail {

/// Calls on_bracket(offset, opens) for each bracket of `text` at or after `from` that lies
/// outside strings ('[' and '{' open, ']' and '}' close), in order, while it returns true.
/// Returns the offset of the bracket for which it returned false, or npos when the text ends
/// first. `from` must be outside any string. Strings are skipped as a byte loop reading JSON
/// skips them: from a '"' to the next '"' not taken by a backslash, each backslash inside a
/// string taking the byte after it; outside strings a backslash is a plain byte (JSON that holds
/// one there does not parse). Windows of 64 bytes without a backslash are read whole (SSE2
/// compares; quotes turned into a string mask by a prefix xor), others and the tail byte by
/// byte: over a 327 MB export a byte loop took 0.75 s, the windows 0.10-0.12 s
/// (docs/benchmarks.md, An estate).
template <class OnBracket>
std::size_t scan_brackets(std::string_view text, std::size_t from, OnBracket&& on_bracket) {
  constexpr std::size_t npos = std::string_view::npos;
  const char* const s = text.data();
  const std::size_t n = text.size();
  bool in_string = false;
  std::size_t i = from;
  // Byte by byte up to `end` (or one past it, when the byte before `end` is an escape).
  const auto bytes_until = [&](std::size_t end) -> std::size_t {
    while (i < end) {
      const char c = s[i];
      if (in_string) {
        i += c == '\\' ? 2 : 1;
        in_string = c != '"';
      } else {
        in_string = c == '"';
        if (c == '[' || c == '{' || c == ']' || c == '}') {
          if (!on_bracket(i, c == '[' || c == '{')) return i;
        }
        ++i;
      }
    }
    return npos;
  };
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
  const __m128i lower = _mm_set1_epi8(0x20), open = _mm_set1_epi8('{'), close = _mm_set1_epi8('}');
  while (i <= n && n - i >= 64) {
    std::uint64_t quotes = 0, escapes = 0, opens = 0, closes = 0;
    for (int k = 0; k < 4; ++k) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i + 16 * k));
      const __m128i folded = _mm_or_si128(v, lower);  // '[' -> '{', ']' -> '}', no other byte
      const auto mask = [&](__m128i eq) {
        return static_cast<std::uint64_t>(static_cast<std::uint16_t>(_mm_movemask_epi8(eq)))
               << (16 * k);
      };
      quotes |= mask(_mm_cmpeq_epi8(v, quote));
      escapes |= mask(_mm_cmpeq_epi8(v, backslash));
      opens |= mask(_mm_cmpeq_epi8(folded, open));
      closes |= mask(_mm_cmpeq_epi8(folded, close));
    }
    if (escapes != 0) {  // escapes: this window byte by byte
      if (const auto at = bytes_until(i + 64); at != npos) return at;
      continue;
    }
    // Bit b of `inside`: byte b is inside a string (an odd number of quotes up to it, with
    // the string open at the window's start counted as one).
    std::uint64_t inside = quotes;
    for (int shift = 1; shift < 64; shift *= 2) inside ^= inside << shift;
    if (in_string) inside = ~inside;
    for (std::uint64_t brackets = (opens | closes) & ~inside; brackets != 0;
         brackets &= brackets - 1) {
      const int b = __builtin_ctzll(brackets);
      if (!on_bracket(i + static_cast<std::size_t>(b), ((opens >> b) & 1) != 0))
        return i + static_cast<std::size_t>(b);
    }
    in_string = (inside >> 63) != 0;
    i += 64;
  }
#endif
  return i < n ? bytes_until(n) : npos;
}

}  // namespace detail
SECGROUP_END_NAMESPACE
