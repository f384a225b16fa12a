// secgroup/detail/uint128.hpp: a portable constexpr unsigned 128-bit integer.
//
// IPv6 addresses are 128-bit numbers. `unsigned __int128` is not an integral type in strict
// C++20 mode (no std::numeric_limits, no std::is_integral), so the library carries its own:
// wrap-around arithmetic, shifts, bitwise operators and total ordering, all constexpr.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

#include "../config.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace detail {

struct uint128 {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;

  constexpr uint128() = default;
  constexpr uint128(std::uint64_t low) : lo(low) {}  // NOLINT: implicit like built-ins
  constexpr uint128(std::uint64_t high, std::uint64_t low) : hi(high), lo(low) {}

  friend constexpr bool operator==(const uint128&, const uint128&) = default;
  friend constexpr std::strong_ordering operator<=>(const uint128& a, const uint128& b) {
    if (auto c = a.hi <=> b.hi; c != 0) return c;
    return a.lo <=> b.lo;
  }

  friend constexpr uint128 operator+(uint128 a, uint128 b) {
    std::uint64_t low = a.lo + b.lo;
    return {a.hi + b.hi + (low < a.lo ? 1u : 0u), low};
  }
  friend constexpr uint128 operator-(uint128 a, uint128 b) {
    return {a.hi - b.hi - (a.lo < b.lo ? 1u : 0u), a.lo - b.lo};
  }
  friend constexpr uint128 operator~(uint128 a) { return {~a.hi, ~a.lo}; }
  friend constexpr uint128 operator&(uint128 a, uint128 b) { return {a.hi & b.hi, a.lo & b.lo}; }
  friend constexpr uint128 operator|(uint128 a, uint128 b) { return {a.hi | b.hi, a.lo | b.lo}; }
  friend constexpr uint128 operator^(uint128 a, uint128 b) { return {a.hi ^ b.hi, a.lo ^ b.lo}; }
  /// Shifts by n bits; n >= 128 yields 0.
  friend constexpr uint128 operator<<(uint128 a, unsigned n) {
    if (n >= 128) return {};
    if (n >= 64) return {a.lo << (n - 64), 0};
    if (n == 0) return a;
    return {(a.hi << n) | (a.lo >> (64 - n)), a.lo << n};
  }
  /// Shifts by n bits; n >= 128 yields 0.
  friend constexpr uint128 operator>>(uint128 a, unsigned n) {
    if (n >= 128) return {};
    if (n >= 64) return {0, a.hi >> (n - 64)};
    if (n == 0) return a;
    return {a.hi >> n, (a.lo >> n) | (a.hi << (64 - n))};
  }
  constexpr uint128& operator+=(uint128 b) { return *this = *this + b; }
  constexpr uint128& operator-=(uint128 b) { return *this = *this - b; }
  constexpr uint128& operator++() { return *this += 1; }
  constexpr uint128& operator--() { return *this -= 1; }

  /// The low 64 bits.
  constexpr explicit operator std::uint64_t() const { return lo; }
};

inline constexpr uint128 uint128_max{~std::uint64_t{0}, ~std::uint64_t{0}};

/// Returns `v` in decimal.
inline std::string to_decimal(uint128 v) {
  if (v.hi == 0) return std::to_string(v.lo);
  std::string digits;
  while (v != uint128{}) {  // long division by 10, 32 bits at a time
    std::uint64_t rest = 0;
    std::uint32_t parts[4] = {
        static_cast<std::uint32_t>(v.hi >> 32), static_cast<std::uint32_t>(v.hi),
        static_cast<std::uint32_t>(v.lo >> 32), static_cast<std::uint32_t>(v.lo)};
    for (auto& part : parts) {
      std::uint64_t cur = (rest << 32) | part;
      part = static_cast<std::uint32_t>(cur / 10);
      rest = cur % 10;
    }
    digits.push_back(static_cast<char>('0' + rest));
    v = {(std::uint64_t{parts[0]} << 32) | parts[1], (std::uint64_t{parts[2]} << 32) | parts[3]};
  }
  return {digits.rbegin(), digits.rend()};
}

}  // namespace detail

/// An unsigned 128-bit number (IPv6 addresses, address counts).
using uint128 = detail::uint128;

/// Returns `v` in decimal.
inline std::string to_string(const uint128& v) { return detail::to_decimal(v); }

SECGROUP_END_NAMESPACE
