// secgroup/port_range.hpp: the destination port range of a rule.
//
// The API speaks of `dest_port_from` / `dest_port_to`, each nullable, where 0 also means
// "unset", and where `to == from` is stored as `to: null`. The model keeps an inclusive
// [from, to] range of ports 1..65535, or no range at all ("all ports", which also covers
// port 0 of a packet: a rule for 1-65535 is *not* the same as a rule with no ports).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config.hpp"
#include "detail/text.hpp"
#include "error.hpp"

SECGROUP_BEGIN_NAMESPACE

/// An inclusive range of destination ports, 1 <= from <= to <= 65535.
struct port_range {
  std::uint16_t from = 1;
  std::uint16_t to = 65535;

  /// True iff the range is the single port `from`.
  constexpr bool single() const { return from == to; }
  /// True iff `port` lies in the range.
  constexpr bool contains(std::uint32_t port) const { return from <= port && port <= to; }

  friend constexpr bool operator==(const port_range&, const port_range&) = default;
  friend constexpr auto operator<=>(const port_range&, const port_range&) = default;
};

/// Builds the optional range from the API's nullable `dest_port_from` / `dest_port_to`
/// (0 = unset). A lone `to` is an error, a lone `from` is a single port.
/// Throws validation_error naming the field for values above 65535 or from > to.
inline std::optional<port_range> make_port_range(std::optional<std::int64_t> from,
                                                 std::optional<std::int64_t> to,
                                                 const std::string& from_field = "dest_port_from",
                                                 const std::string& to_field = "dest_port_to") {
  auto check = [](std::optional<std::int64_t> v, const std::string& field) {
    if (v && (*v < 0 || *v > 65535))
      SECGROUP_THROW(validation_error(errc::port_out_of_range, field,
                                      "port " + std::to_string(*v) + " is outside 0..65535"));
    return v && *v != 0 ? std::optional<std::uint16_t>(static_cast<std::uint16_t>(*v))
                        : std::nullopt;
  };
  auto f = check(from, from_field);
  auto t = check(to, to_field);
  if (!f && !t) return std::nullopt;
  if (!f)
    SECGROUP_THROW(validation_error(errc::port_order, from_field,
                                    "dest_port_to is set but dest_port_from is not"));
  if (t && *t < *f)
    SECGROUP_THROW(validation_error(
        errc::port_order, to_field,
        "port range " + std::to_string(*f) + "-" + std::to_string(*t) + " ends before it starts"));
  return port_range{*f, t.value_or(*f)};
}

/// Parses the ports of a rule written as text, "N" or "A-B" (spaces around the numbers
/// allowed), with make_port_range()'s meaning: 0 is unset, so "0" is no range. Throws
/// parse_error (secgroup.parse.107) unless the text is one or two decimal numbers, and
/// make_port_range()'s validation errors; every error names `field`.
inline std::optional<port_range> parse_port_range(std::string_view text,
                                                  const std::string& field = "ports") {
  auto number = [&](std::string_view part) -> std::int64_t {
    auto n = detail::parse_decimal(detail::trim(part), 6);
    if (!n)
      SECGROUP_THROW(parse_error(errc::bad_number, field, "invalid ports " + detail::quoted(text)));
    return *n;
  };
  auto dash = text.find('-');
  if (dash == std::string_view::npos)
    return make_port_range(number(text), std::nullopt, field, field);
  return make_port_range(number(text.substr(0, dash)), number(text.substr(dash + 1)), field, field);
}

/// "22" for the single port `from == to`, else "8080-8089": the one text of a port interval.
inline std::string ports_text(std::uint32_t from, std::uint32_t to) {
  return from == to ? std::to_string(from) : std::to_string(from) + "-" + std::to_string(to);
}

/// "22", "1-1024", or "all" when unset.
inline std::string to_string(const std::optional<port_range>& r) {
  return r ? ports_text(r->from, r->to) : "all";
}

SECGROUP_END_NAMESPACE
