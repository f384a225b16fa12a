// tests/verify/oracle.hpp: exact answers by enumeration, to check the Z3 engine against.
//
// Rules, where expressions and query boxes are unions of boxes whose edges lie on finitely many
// boundaries per field: the protocol numbers 1, 6, 17, 58 (and their successors) plus those of
// `protocol` conditions; the first address and one past the last address of every network; the
// first port and one past the last port of every range. Two packets in the same cell of the
// grid those boundaries draw (same direction, family, protocol interval, address interval and,
// for TCP and UDP, port interval) are matched by the same rules and satisfy the same
// conditions, so one representative per cell (its lowest corner) decides every question
// exactly: cell_packets() enumerates them, and the reference evaluator and where.hpp's
// matches() do the rest. Nothing of the Z3 engine or the interval engine is used.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include <secgroup/analysis/query.hpp>
#include <secgroup/reference.hpp>
#include <secgroup/secgroup.hpp>
#include <secgroup/where.hpp>

namespace secgroup_test {

using secgroup::detail::uint128;

/// Boundaries collected from rules, expressions and query boxes.
struct grid {
  std::set<std::uint32_t> protocols{0, 1, 2, 6, 7, 17, 18, 58, 59};
  std::set<uint128> v4{uint128{}}, v6{uint128{}};
  std::set<std::uint32_t> ports{0};

  void add(const secgroup::ip_network& n) {
    auto& axis = n.af() == secgroup::family::v4 ? v4 : v6;
    const uint128 max = n.af() == secgroup::family::v4 ? uint128{0xffffffffu}
                                                        : secgroup::detail::uint128_max;
    axis.insert(n.first().value);
    if (n.last().value != max) axis.insert(n.last().value + 1);
  }
  void add_ports(std::uint32_t lo, std::uint32_t hi) {
    ports.insert(lo);
    if (hi < 65535) ports.insert(hi + 1);
  }
  void add(const secgroup::security_group& g) {
    for (const auto& r : secgroup::ordered_rules(g)) {
      add(r.ip_range);
      if (r.has_ports()) add_ports(r.ports->from, r.ports->to);
    }
  }
  void add(const secgroup::where_expr& e) {
    using k = secgroup::where_expr::kind;
    if (e.op == k::protocol) {
      protocols.insert(e.range.lo);
      if (e.range.hi < 255) protocols.insert(e.range.hi + 1);
    }
    if (e.op == k::port) add_ports(e.range.lo, e.range.hi);
    if (e.op == k::remote) add(e.network);
    for (const auto& x : e.operands) add(x);
  }
  void add(const secgroup::analysis::query& q) {
    for (const auto& n : q.remotes) add(n);
    if (q.ports.lo <= q.ports.hi) add_ports(q.ports.lo, q.ports.hi);
  }

  /// One packet per cell: both directions and families, every protocol interval, every
  /// address interval and, for TCP and UDP, every port interval (port 0 otherwise).
  std::vector<secgroup::packet> packets() const {
    using namespace secgroup;
    std::vector<packet> out;
    for (auto d : {direction::inbound, direction::outbound})
      for (auto f : {family::v4, family::v6})
        for (auto a : f == family::v4 ? v4 : v6)
          for (auto proto : protocols) {
            packet p;
            p.direction = d;
            p.protocol = static_cast<std::uint8_t>(proto);
            p.remote = f == family::v4 ? ip_address::v4(static_cast<std::uint32_t>(a.lo))
                                       : ip_address::v6(a);
            if (!carries_ports(p.protocol)) {
              out.push_back(p);
              continue;
            }
            for (auto port : ports) {
              p.port = static_cast<std::uint16_t>(port);
              out.push_back(p);
            }
          }
    return out;
  }
};

/// True iff packet `p` lies in query box `q` (analysis/query.hpp's meaning).
inline bool in_query(const secgroup::analysis::query& q, const secgroup::packet& p) {
  using namespace secgroup;
  if (p.direction != q.direction || !(q.protocols & mask_of(class_of(p.protocol)))) return false;
  if (!q.remotes.empty() &&
      std::none_of(q.remotes.begin(), q.remotes.end(),
                   [&](const ip_network& n) { return n.contains(p.remote); }))
    return false;
  return !carries_ports(p.protocol) || q.ports.contains(p.port);
}

/// ALL / NONE / PARTIAL of group `g` over the packets of `cells` that `selected` keeps.
template <class Selected>
secgroup::analysis::coverage exact_coverage(const secgroup::security_group& g,
                                            const std::vector<secgroup::packet>& cells,
                                            Selected&& selected) {
  secgroup::reference_evaluator ref(g);
  bool accepted = false, dropped = false;
  for (const auto& p : cells) {
    if (!selected(p)) continue;
    (ref.evaluate(p).action == secgroup::action::accept ? accepted : dropped) = true;
  }
  using secgroup::analysis::coverage;
  return !accepted ? coverage::none : dropped ? coverage::partial : coverage::all;
}

/// The first packet of `cells` on which `bad` holds, if any.
template <class Bad>
std::optional<secgroup::packet> find_cell(const std::vector<secgroup::packet>& cells, Bad&& bad) {
  for (const auto& p : cells)
    if (bad(p)) return p;
  return std::nullopt;
}

}  // namespace secgroup_test
