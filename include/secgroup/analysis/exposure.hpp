// secgroup/analysis/exposure.hpp: what a group exposes, as exact address sets per service.
//
// For one direction (inbound by default), family and protocol class, the port axis falls into
// classes that the group treats alike; for each, the set of remote addresses it accepts. Port
// classes with equal address sets merge into one entry, however far apart their ports are (the
// coarsest partition, Diekmann et al.'s service matrix for a single host). Entries with no
// accepted address are left out; their packets are all dropped. Address and port sets are built
// as interval_sets and handed out as plain ascending lists.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "../address.hpp"
#include "../config.hpp"
#include "../interval_set.hpp"
#include "../lower.hpp"
#include "../partition.hpp"
#include "../security_group.hpp"
#include "../space.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace analysis {

/// Remote addresses [first, last].
struct address_range {
  ip_address first, last;
  friend bool operator==(const address_range&, const address_range&) = default;
  friend auto operator<=>(const address_range&, const address_range&) = default;
};

/// One service class: the ports of a protocol that share the accepted address set.
struct exposure_entry {
  family af = family::v4;
  proto_class protocol = proto_class::tcp;
  std::vector<interval<std::uint32_t>> ports;  ///< ascending; [0, 0] for classes without ports
  std::vector<address_range> accepted;         ///< ascending, disjoint, not adjacent
  std::string address_count;  ///< number of accepted addresses, in decimal (up to 2^128)
  friend bool operator==(const exposure_entry&, const exposure_entry&) = default;
};

namespace detail {
/// Orders sets by their runs, lexicographically: a map key, not inclusion.
struct by_runs {
  template <class T>
  bool operator()(const interval_set<T>& a, const interval_set<T>& b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                        [](const interval<T>& x, const interval<T>& y) {
                                          return x.lo < y.lo || (x.lo == y.lo && x.hi < y.hi);
                                        });
  }
};

/// Appends the exposure of `pol` (the lowered rules of one direction and family F) from its
/// first-match partition `part`. The accepted set of each address map is built once, however
/// many port classes share the map.
template <family F>
void add_exposure(const policy<space_of<F>>& pol, const partition<space_of<F>>& part,
                  std::vector<exposure_entry>& out) {
  using S = space_of<F>;
  using addresses = interval_set<typename S::address_type>;
  auto address = [](typename S::address_type v) {
    if constexpr (F == family::v4)
      return ip_address::v4(v);
    else
      return ip_address::v6(v);
  };
  std::vector<std::optional<addresses>> of_map(part.map_count());  // accepted set per map
  for (auto c : all_proto_classes) {
    std::map<addresses, interval_set<std::uint32_t>, by_runs> classes;
    for (std::size_t j = 0; j < part.port_class_count(c); ++j) {
      const auto m = part.port_class_map(c, j);
      if (!of_map[m]) {
        addresses accepted;  // segments come in ascending order: each add is O(1)
        part.for_each_segment(m, [&](const auto& a, std::uint32_t rule) {
          if (pol.action_of(rule) == action::accept) accepted.add(a);
        });
        of_map[m] = std::move(accepted);
      }
      if (of_map[m]->empty()) continue;
      classes[*of_map[m]].add(part.port_class(c, j));
    }
    for (auto& [accepted, ports] : classes) {
      std::vector<address_range> ranges;
      for (const auto& r : accepted) ranges.push_back({address(r.lo), address(r.hi)});
      const secgroup::uint128 count = accepted.count();  // 0 only for the whole IPv6 space
      out.push_back({F, c, ports.runs(), std::move(ranges),
                     count == secgroup::uint128{}
                         ? std::string("340282366920938463463374607431768211456")
                         : secgroup::to_string(count)});
    }
  }
}

/// Orders exposure entries by family, protocol class and first port (a stable sort).
inline void sort_exposure(std::vector<exposure_entry>& entries) {
  std::stable_sort(entries.begin(), entries.end(),
                   [](const exposure_entry& a, const exposure_entry& b) {
                     return std::tie(a.af, a.protocol, a.ports.front().lo) <
                            std::tie(b.af, b.protocol, b.ports.front().lo);
                   });
}

template <family F>
void add_exposure(const security_group& g, direction d, std::vector<exposure_entry>& out) {
  const auto pol = lower<F>(ordered_rules(g), d, g.default_policy(d));
  add_exposure<F>(pol, partition<space_of<F>>(pol), out);
}
}  // namespace detail

/// Returns the exposure of group `g` in direction `d`, ordered by family, protocol class and
/// first port.
inline std::vector<exposure_entry> exposure(const security_group& g,
                                            direction d = direction::inbound) {
  std::vector<exposure_entry> out;
  detail::add_exposure<family::v4>(g, d, out);
  detail::add_exposure<family::v6>(g, d, out);
  detail::sort_exposure(out);
  return out;
}

}  // namespace analysis
SECGROUP_END_NAMESPACE
