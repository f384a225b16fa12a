// secgroup/lint/checks/dual_stack.hpp: SG008, IPv4 and IPv6 treated differently.
//
// Per direction and protocol class, the port axis is cut by the exposure entries of each family
// into pieces that reach none, some or most (more than half) of that family's public
// addresses. Ports that reach most of one family and none of the other are reported, merged
// into runs, once per family.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "../../analysis/exposure.hpp"
#include "../../config.hpp"
#include "../../interval_set.hpp"
#include "../../space.hpp"
#include "../catalogue.hpp"
#include "../context.hpp"
#include "../effective.hpp"
#include "../message.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace lint {

namespace detail {
/// How much of the internet a port piece accepts.
enum class reach : std::uint8_t { none, some, most };

/// How much of the internet of family `f` each port piece of `axis` accepts, for class
/// `c`: none, some, or most (more than half of the public addresses).
inline std::vector<std::pair<interval<std::uint32_t>, reach>> internet_reach(
    const internet& net, const std::vector<analysis::exposure_entry>& entries, family f,
    proto_class c, interval<std::uint32_t> axis) {
  std::vector<std::pair<interval<std::uint32_t>, reach>> pieces;
  for (const auto& e : entries) {
    if (e.af != f || e.protocol != c) continue;
    const auto n = (ranges_of(e.accepted) & net.of(f)).count();
    const auto r = n == uint128{}                     ? reach::none
                   : n > (net.size[index_of(f)] >> 1) ? reach::most
                                                      : reach::some;
    for (const auto& p : e.ports) {
      if (const auto q = intersect(p, axis); !q.empty()) pieces.push_back({q, r});
    }
  }
  std::sort(pieces.begin(), pieces.end(),
            [](const auto& a, const auto& b) { return a.first.lo < b.first.lo; });
  std::vector<std::pair<interval<std::uint32_t>, reach>> out;
  std::uint32_t next = axis.lo;
  for (const auto& [q, r] : pieces) {
    if (q.lo > next) out.push_back({{next, q.lo - 1}, reach::none});
    out.push_back({q, r});
    next = q.hi + 1;
  }
  if (next <= axis.hi) out.push_back({{next, axis.hi}, reach::none});
  return out;
}
}  // namespace detail

/// SG008: ports open to most of the internet of one family and to none of the other.
inline void check_dual_stack(check_context& cx) {
  if (!cx.enabled(check_id::dual_stack)) return;
  for (auto d : {direction::inbound, direction::outbound}) {
    const auto& ex = cx.exposure(d);
    for (auto c : all_proto_classes) {
      const interval<std::uint32_t> axis =
          has_ports(c) ? interval<std::uint32_t>{1, 65535} : interval<std::uint32_t>{0, 0};
      auto m4 = detail::internet_reach(cx.net, ex, family::v4, c, axis);
      auto m6 = detail::internet_reach(cx.net, ex, family::v6, c, axis);
      std::array<interval_set<std::uint32_t>, 2> only;  // open on [family] only
      std::size_t i = 0, j = 0;
      for (std::uint32_t lo = axis.lo; i < m4.size() && j < m6.size();) {
        auto hi = std::min(m4[i].first.hi, m6[j].first.hi);
        auto a = m4[i].second, b = m6[j].second;
        std::optional<std::size_t> open;
        if (a == detail::reach::most && b == detail::reach::none) open = 0;
        if (a == detail::reach::none && b == detail::reach::most) open = 1;
        if (open) only[*open].add({lo, hi});
        if (m4[i].first.hi == hi) ++i;
        if (m6[j].first.hi == hi) ++j;
        lo = hi + 1;
      }
      for (auto f : both_families) {
        const auto& ports = only[index_of(f)];
        if (ports.empty()) continue;
        const family other = f == family::v4 ? family::v6 : family::v4;
        std::array<range_set, 2> open_side, closed_side;
        open_side[index_of(f)] = cx.net.of(f);
        closed_side[index_of(other)] = cx.net.of(other);
        const auto open_scan = cx.eg.scan(d, mask_of(c), open_side, ports);
        const auto closed_scan = cx.eg.scan(d, mask_of(c), closed_side, ports);
        const bool many = !has_ports(c) ? c == proto_class::other
                                        : ports.size() > 1 || ports.front().lo != ports.front().hi;
        std::string what = std::string(to_string(d)) + " " + class_name(c) +
                           (has_ports(c) ? (many ? " ports " : " port ") + ports_text(ports.runs())
                                         : std::string());
        auto fnd = cx.make(check_id::dual_stack,
                           std::string(to_string(d)) + "/" + std::string(to_string(c)) + "/" +
                               (f == family::v4 ? "v4-only" : "v6-only"),
                           "Dual-stack mismatch: " + what + (many ? " are" : " is") + " open to " +
                               cx.where(open_scan.accepted_addresses) + " but to no public " +
                               std::string(to_string(other)) + " address");
        fnd.witness = open_scan.accepted;
        fnd.rules = open_scan.accept_rules;
        fnd.related = closed_scan.drop_rules;
        fnd.by_default = open_scan.accept_by_default || closed_scan.drop_by_default;
        cx.emit(std::move(fnd));
      }
    }
  }
}

}  // namespace lint
SECGROUP_END_NAMESPACE
