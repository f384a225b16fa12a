// secgroup/zones.hpp: the zones and regions of the Scaleway Instance API, and the forms of zone,
// region and id names as the official clients check them.
//
// One list and one test of each form for the whole library: the mock serves instance_zones()
// by default, the client reads them for `api:`, and the credentials (client/profile.hpp) check
// a profile's zone and region against them. The list is the Go SDK's, in its order
// (spec terraform-and-clients.md §D.5); the forms are the Go SDK's regular expressions (§D.4).
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config.hpp"

SECGROUP_BEGIN_NAMESPACE

/// The Instance zones, in the Go SDK's order: what "every zone" means.
inline const std::vector<std::string>& instance_zones() {
  static const std::vector<std::string> zones{"fr-par-1", "fr-par-2", "fr-par-3", "nl-ams-1",
                                              "nl-ams-2", "nl-ams-3", "pl-waw-1", "pl-waw-2",
                                              "pl-waw-3", "it-mil-1"};
  return zones;
}

/// The regions of the Instance zones, in the same order.
inline const std::vector<std::string>& instance_regions() {
  static const std::vector<std::string> regions{"fr-par", "nl-ams", "pl-waw", "it-mil"};
  return regions;
}

/// True iff `zone` is one of instance_zones().
inline bool is_instance_zone(std::string_view zone) {
  const auto& z = instance_zones();
  return std::find(z.begin(), z.end(), zone) != z.end();
}

/// True iff `region` is one of instance_regions().
inline bool is_instance_region(std::string_view region) {
  const auto& r = instance_regions();
  return std::find(r.begin(), r.end(), region) != r.end();
}

/// \cond
namespace detail {
/// True iff `s` is `min`..`max` characters each satisfying `pred`.
template <class Pred>
constexpr bool all_chars(std::string_view s, std::size_t min, std::size_t max, Pred pred) {
  if (s.size() < min || s.size() > max) return false;
  for (char c : s)
    if (!pred(c)) return false;
  return true;
}
constexpr bool is_lower_char(char c) { return c >= 'a' && c <= 'z'; }
constexpr bool is_digit_char(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_hex_char(char c) {
  return is_digit_char(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
}  // namespace detail
/// \endcond

/// True iff `s` has the form of a region, as Go checks it: ^[a-z]{2}-[a-z]{3,7}$.
constexpr bool is_region_name(std::string_view s) {
  const auto dash = s.find('-');
  return dash == 2 && detail::all_chars(s.substr(0, 2), 2, 2, detail::is_lower_char) &&
         detail::all_chars(s.substr(3), 3, 7, detail::is_lower_char);
}

/// True iff `s` has the form of a zone, as Go checks it: ^[a-z]{2}-[a-z]{3,7}-[0-9]{1,2}$.
constexpr bool is_zone_name(std::string_view s) {
  const auto dash = s.rfind('-');
  return dash != std::string_view::npos && is_region_name(s.substr(0, dash)) &&
         detail::all_chars(s.substr(dash + 1), 1, 2, detail::is_digit_char);
}

/// The region of a zone name ("nl-ams-1" → "nl-ams"), or nullopt when `zone` is no zone name.
inline std::optional<std::string> region_of_zone(std::string_view zone) {
  if (!is_zone_name(zone)) return std::nullopt;
  return std::string(zone.substr(0, zone.rfind('-')));
}

/// True iff `s` is a UUID in 8-4-4-4-12 hexadecimal form (either case): the form of group,
/// rule, project and organization ids and of secret keys.
constexpr bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash_here = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_here ? s[i] != '-' : !detail::is_hex_char(s[i])) return false;
  }
  return true;
}

SECGROUP_END_NAMESPACE
