// secgroup/analysis/diff.hpp: equivalence and semantic diff of two rule lists, as regions.
//
// Two policies of the same direction and family are equivalent iff they decide every packet
// alike. Their diff is the set of packets decided differently, as disjoint boxes (protocol
// class × address interval × port interval), each labelled with the deciding rule (or the
// default) on both sides. The boxes come from overlaying the two first-match partitions: the
// port classes of both sides are merged, and within each merged port interval the two address
// run lists are walked together. Canonical form: pieces with equal labels merge along the
// address axis, then neighbouring port intervals whose piece lists are equal merge, and the
// result is ordered by protocol class, ports, addresses — so equal diffs print identically.
// Cost O(runs of both partitions) after building them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <tuple>
#include <vector>

#include "../check.hpp"
#include "../config.hpp"
#include "../decision.hpp"
#include "../detail/painter.hpp"
#include "../detail/sorted.hpp"
#include "../lower.hpp"
#include "../partition.hpp"
#include "../security_group.hpp"
#include "../space.hpp"
#include "witness.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace analysis {

/// A box decided differently by two policies.
template <class S>
struct diff_region {
  proto_class protocol = proto_class::tcp;
  interval<typename S::address_type> addresses;
  interval<typename S::port_type> ports;  ///< [0, 0] for classes without ports
  decision a;                             ///< `rule` indexes the first policy's rules
  decision b;                             ///< `rule` indexes the second policy's rules
  friend bool operator==(const diff_region&, const diff_region&) = default;
};

namespace detail {

/// The address runs of `part` for protocol class `c` and the port class holding `port`, as
/// (last address, decision) in ascending order.
template <class S>
std::vector<std::pair<typename S::address_type, decision>> address_runs(
    const partition<S>& part, const policy<S>& pol, proto_class c, typename S::port_type port) {
  std::vector<std::pair<typename S::address_type, decision>> out;
  part.for_each_segment(part.port_class_map(c, part.port_class_of_port(c, port)),
                        [&](const interval<typename S::address_type>& a, std::uint32_t rule) {
                          out.push_back({a.hi, decision{pol.action_of(rule), rule}});
                        });
  return out;
}

}  // namespace detail

namespace detail {

/// True iff `a` and `b` have the same rules and default: they decide alike.
template <class S>
bool same_rules(const policy<S>& a, const policy<S>& b) {
  if (a.default_action != b.default_action || a.rules.size() != b.rules.size()) return false;
  for (std::size_t k = 0; k < a.rules.size(); ++k)
    if (!(a.rules[k].match == b.rules[k].match) || a.rules[k].action != b.rules[k].action)
      return false;
  return true;
}

/// Calls `emit(region)` for the regions where `a` and `b` decide differently, in canonical
/// form and order, while `wanted(c)` holds for the class `c` of the next regions (asked
/// before a class is walked and after each region; once false, the walk ends).
template <class S, class Emit, class Wanted>
void walk_diff(const policy<S>& a, const policy<S>& b, Emit&& emit, Wanted&& wanted) {
  using A = typename S::address_type;
  using P = typename S::port_type;
  if (same_rules(a, b) || !wanted(all_proto_classes.front())) return;
  const partition<S> pa(a), pb(b);
  for (auto c : all_proto_classes) {
    if (!wanted(c)) return;
    std::vector<P> starts;
    for (const auto* part : {&pa, &pb})
      for (std::size_t j = 0; j < part->port_class_count(c); ++j)
        starts.push_back(part->port_class(c, j).lo);
    secgroup::detail::sort_unique(starts);
    std::vector<diff_region<S>> previous;  // pieces of the previous port interval
    for (std::size_t j = 0; j < starts.size(); ++j) {
      const auto ports = secgroup::detail::port_class_at<S>(starts, j, c);
      auto ra = detail::address_runs(pa, a, c, ports.lo);
      auto rb = detail::address_runs(pb, b, c, ports.lo);
      std::vector<diff_region<S>> pieces;
      A lo{};
      for (std::size_t x = 0, y = 0; x < ra.size() && y < rb.size();) {
        A hi = std::min(ra[x].first, rb[y].first);
        const auto& da = ra[x].second;
        const auto& db = rb[y].second;
        if (da.action != db.action) {
          if (!pieces.empty() && pieces.back().a == da && pieces.back().b == db &&
              pieces.back().addresses.hi + A{1} == lo)
            pieces.back().addresses.hi = hi;
          else
            pieces.push_back({c, {lo, hi}, ports, da, db});
        }
        if (hi == S::max_address) break;
        lo = hi + A{1};
        if (ra[x].first == hi) ++x;
        if (rb[y].first == hi) ++y;
      }
      // Neighbouring port intervals with the same pieces merge.
      auto same_pieces = [&] {
        if (previous.size() != pieces.size() || previous.empty()) return false;
        for (std::size_t k = 0; k < pieces.size(); ++k)
          if (!(previous[k].addresses == pieces[k].addresses) || !(previous[k].a == pieces[k].a) ||
              !(previous[k].b == pieces[k].b))
            return false;
        return previous.front().ports.hi + 1 == ports.lo;
      };
      if (same_pieces()) {
        for (auto& p : previous) p.ports.hi = ports.hi;
        continue;
      }
      for (const auto& r : previous) {
        emit(r);
        if (!wanted(c)) return;
      }
      previous = std::move(pieces);
    }
    for (const auto& r : previous) {
      emit(r);
      if (!wanted(c)) return;
    }
  }
}

}  // namespace detail

/// Returns the regions where `a` and `b` decide differently, in canonical form and order.
template <class S>
std::vector<diff_region<S>> diff_regions(const policy<S>& a, const policy<S>& b) {
  std::vector<diff_region<S>> out;
  detail::walk_diff(
      a, b, [&](const diff_region<S>& r) { out.push_back(r); }, [](proto_class) { return true; });
  return out;
}

/// Returns a readable packet of the best-ranked region (see witness.hpp), or nullopt if none.
template <class S>
std::optional<std::pair<point<S>, std::size_t>> best_region_witness(
    const std::vector<diff_region<S>>& regions) {
  std::optional<std::pair<point<S>, std::size_t>> best;
  std::tuple<int, int> rank{};
  for (std::size_t k = 0; k < regions.size(); ++k) {
    auto r = witness_rank<S>(regions[k].protocol, regions[k].ports);
    if (best && !(r < rank)) continue;
    best = {witness_point<S>(regions[k].protocol, regions[k].addresses, regions[k].ports), k};
    rank = r;
  }
  return best;
}

// -- Groups -------------------------------------------------------------------------------

/// A region of a group diff: one direction and family, with addresses as IP addresses.
struct group_diff_region {
  secgroup::direction direction = secgroup::direction::inbound;
  family af = family::v4;
  proto_class protocol = proto_class::tcp;
  ip_address first, last;                   ///< the address interval
  interval<std::uint32_t> ports{0, 65535};  ///< [0, 0] for classes without ports
  decision a, b;                            ///< rules index ordered_rules() of each group
  /// True iff the second group accepts what the first drops ("opened"); else "closed".
  bool opened() const { return b.action == action::accept; }
  friend bool operator==(const group_diff_region&, const group_diff_region&) = default;
};

/// A packet decided differently, with both decisions.
struct diff_witness {
  secgroup::packet packet;
  decision a, b;
  friend bool operator==(const diff_witness&, const diff_witness&) = default;
};

/// The semantic diff of two groups: decisions only (stateful and names do not matter).
struct group_diff {
  bool equivalent = true;
  std::optional<diff_witness> witness;     ///< the most readable differing packet
  std::vector<group_diff_region> regions;  ///< by direction, family, protocol, ports, addresses
  std::vector<rule> rules_a, rules_b;      ///< ordered_rules() of each group
};

namespace detail {
template <family F>
void add_diff(const group_diff& g, direction d, action da, action db, group_diff& out,
              std::optional<std::tuple<int, int, int>>& best_rank) {
  using S = space_of<F>;
  auto pa = lower<F>(g.rules_a, d, da);
  auto pb = lower<F>(g.rules_b, d, db);
  auto regions = diff_regions(pa, pb);
  auto address = [](typename S::address_type v) {
    if constexpr (F == family::v4)
      return ip_address::v4(v);
    else
      return ip_address::v6(v);
  };
  for (const auto& r : regions)
    out.regions.push_back({d, F, r.protocol, address(r.addresses.lo), address(r.addresses.hi),
                           r.ports, pa.decision_of(r.a.rule), pb.decision_of(r.b.rule)});
  if (auto w = best_region_witness(regions)) {
    auto [pc, port_rank] = witness_rank<S>(regions[w->second].protocol, regions[w->second].ports);
    std::tuple<int, int, int> rank{pc, port_rank, F == family::v4 ? 0 : 1};
    if (!best_rank || rank < *best_rank) {
      best_rank = rank;
      const auto& r = regions[w->second];
      out.witness = diff_witness{to_packet<F>(w->first, d), pa.decision_of(r.a.rule),
                                 pb.decision_of(r.b.rule)};
    }
  }
}
}  // namespace detail

/// Returns whether groups `a` and `b` decide every packet alike, with the most readable
/// differing packet when they do not.
inline verdict<diff_witness> equivalence(const security_group& a, const security_group& b);

/// Returns the semantic diff of groups `a` and `b` over both directions and families.
inline group_diff diff(const security_group& a, const security_group& b) {
  group_diff out;
  out.rules_a = ordered_rules(a);
  out.rules_b = ordered_rules(b);
  std::optional<std::tuple<int, int, int>> best;
  for (auto d : {direction::inbound, direction::outbound}) {
    detail::add_diff<family::v4>(out, d, a.default_policy(d), b.default_policy(d), out, best);
    detail::add_diff<family::v6>(out, d, a.default_policy(d), b.default_policy(d), out, best);
  }
  out.equivalent = out.regions.empty();
  return out;
}

namespace detail {
/// diff()'s witness without the regions: a region can only replace the best one so far when
/// its (class, port rank, family) is smaller, so a policy's walk stops once no region of the
/// class at hand can be.
template <family F>
void add_witness(const std::vector<rule>& rules_a, const std::vector<rule>& rules_b, direction d,
                 action da, action db, std::optional<diff_witness>& witness,
                 std::optional<std::tuple<int, int, int>>& best_rank) {
  using S = space_of<F>;
  const int af = F == family::v4 ? 0 : 1;
  auto wanted = [&](proto_class c) {  // the best rank a region of class c could have
    const int port_rank = has_ports(c) ? 0 : static_cast<int>(preferred_ports.size());
    return !best_rank ||
           std::tuple<int, int, int>{static_cast<int>(c), port_rank, af} < *best_rank;
  };
  if (!wanted(all_proto_classes.front())) return;
  auto pa = lower<F>(rules_a, d, da);
  auto pb = lower<F>(rules_b, d, db);
  walk_diff(
      pa, pb,
      [&](const diff_region<S>& r) {
        auto [pc, port_rank] = witness_rank<S>(r.protocol, r.ports);
        std::tuple<int, int, int> rank{pc, port_rank, af};
        if (best_rank && !(rank < *best_rank)) return;
        best_rank = rank;
        witness = diff_witness{to_packet<F>(witness_point<S>(r.protocol, r.addresses, r.ports), d),
                               pa.decision_of(r.a.rule), pb.decision_of(r.b.rule)};
      },
      wanted);
}
}  // namespace detail

inline verdict<diff_witness> equivalence(const security_group& a, const security_group& b) {
  const auto rules_a = ordered_rules(a), rules_b = ordered_rules(b);
  std::optional<diff_witness> witness;
  std::optional<std::tuple<int, int, int>> best;
  for (auto d : {direction::inbound, direction::outbound}) {
    detail::add_witness<family::v4>(rules_a, rules_b, d, a.default_policy(d), b.default_policy(d),
                                    witness, best);
    detail::add_witness<family::v6>(rules_a, rules_b, d, a.default_policy(d), b.default_policy(d),
                                    witness, best);
  }
  return witness ? verdict<diff_witness>::violated(*witness) : verdict<diff_witness>::holds();
}

}  // namespace analysis
SECGROUP_END_NAMESPACE
