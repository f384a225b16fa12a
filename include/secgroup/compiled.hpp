// secgroup/compiled.hpp: the decision map flattened into flat arrays for the hot path.
//
// compiled_policy<S> answers first-match lookups for one direction and family:
//   1. the protocol class picks a plane;
//   2. TCP/UDP planes map the port to an address table through a two-level table indexed by
//      the port's high and low byte (most high-byte blocks hold a single table);
//   3. the address table is a static B+-tree over segment starts, one cache line per level,
//      all tables in one aligned arena (detail::search_forest).
// The tables are the address maps of the policy's first-match partition (partition.hpp), the
// same content the ICL decision map holds, flattened straight from it: going through ICL's trees
// would double the build time. Each table value packs the deciding rule (its index in
// ordered_rules(), +1, 0 for the default policy) and the action in one word.
// compiled_group holds the four policies of a group (inbound/outbound × IPv4/IPv6).
// A lookup never allocates.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "config.hpp"
#include "decision.hpp"
#include "detail/search_forest.hpp"
#include "lower.hpp"
#include "packet.hpp"
#include "partition.hpp"
#include "security_group.hpp"
#include "space.hpp"

SECGROUP_BEGIN_NAMESPACE

/// First-match lookups for one policy over flat arrays.
template <class S>
class compiled_policy {
 public:
  using address_type = typename S::address_type;
  using port_type = typename S::port_type;
  using forest = detail::search_forest<address_type>;

  compiled_policy() : compiled_policy(policy<S>{}) {}

  /// Compiles `pol`; decisions report `pol.origin[i]` for rule i (its index in the group).
  explicit compiled_policy(const policy<S>& pol) : compiled_policy(pol, partition<S>(pol)) {}

  /// Compiles `pol` from its first-match partition `map` (the content of its decision map).
  compiled_policy(const policy<S>& pol, const partition<S>& map) {
    std::vector<std::uint32_t> table_of_map(map.map_count(), no_table);
    std::vector<address_type> starts;
    auto table_for = [&](std::uint32_t m) {  // builds tables only for maps still in use
      if (table_of_map[m] != no_table) return table_of_map[m];
      starts.clear();
      auto first_value = static_cast<std::uint32_t>(values_.size());
      map.for_each_segment(m, [&](const interval<address_type>& a, std::uint32_t rule) {
        starts.push_back(a.lo);
        values_.push_back(pack(pol.decision_of(rule)));
      });
      tables_.push_back({forest_.add(starts, S::max_address), first_value});
      return table_of_map[m] = static_cast<std::uint32_t>(tables_.size() - 1);
    };
    for (auto c : all_proto_classes) {
      std::vector<std::pair<port_type, std::uint32_t>> runs;
      for (std::size_t j = 0; j < map.port_class_count(c); ++j)
        runs.push_back({map.port_class(c, j).lo, table_for(map.port_class_map(c, j))});
      build_port_index(planes_[static_cast<std::size_t>(c)], runs);
    }
  }

  /// Returns the address table that decides point `x` (its port and protocol class).
  std::uint32_t table_of(const point<S>& x) const {
    const auto& pl = planes_[static_cast<std::size_t>(x.protocol)];
    std::uint32_t t = pl.single_table;
    if (t != no_table) return t;
    auto top = pl.top[(x.port >> 8) & 0xff];
    return top & leaf_flag ? pl.leaves[(top & ~leaf_flag) + (x.port & 0xff)] : top;
  }

  /// Returns the decision for point `x`.
  decision find(const point<S>& x) const {
    const auto& t = tables_[table_of(x)];
    return unpack(values_[t.first_value + forest_.segment(t.shape, x.address)]);
  }

  /// Bytes held by the lookup structures.
  std::size_t memory() const {
    std::size_t m = sizeof(*this) + forest_.memory() + tables_.capacity() * sizeof(table) +
                    values_.capacity() * sizeof(std::uint32_t);
    for (const auto& pl : planes_) m += pl.leaves.capacity() * sizeof(std::uint32_t);
    return m;
  }

 private:
  static constexpr std::uint32_t no_table = 0xffffffffu;
  static constexpr std::uint32_t leaf_flag = 0x80000000u;

  struct table {  // an address table: a tree over segment starts, and its first value
    typename forest::tree shape;
    std::uint32_t first_value;
  };
  struct plane {
    std::uint32_t single_table = no_table;  // set when every port maps to one table
    std::array<std::uint32_t, 256> top{};   // by port high byte: a table, or leaf_flag|offset
    std::vector<std::uint32_t> leaves;      // 256 entries per mixed high byte
  };

  /// Packs a decision: (rule + 1) << 1 | drop; the default policy's rule, no_rule, wraps to 0.
  static std::uint32_t pack(decision d) {
    return (d.rule + 1) << 1 | (d.action == action::drop ? 1u : 0u);
  }
  static decision unpack(std::uint32_t v) {
    return {v & 1 ? action::drop : action::accept, (v >> 1) - 1};
  }

  /// Fills the port index of a plane from (first port, table) runs sorted by port.
  static void build_port_index(plane& pl,
                               const std::vector<std::pair<port_type, std::uint32_t>>& runs) {
    if (runs.size() == 1) {
      pl.single_table = runs[0].second;
      return;
    }
    auto run_of = [&](std::uint32_t port) {  // index of the run holding `port`
      auto it = std::upper_bound(runs.begin(), runs.end(), port,
                                 [](std::uint32_t p, const auto& run) { return p < run.first; });
      return static_cast<std::size_t>(it - runs.begin()) - 1;
    };
    for (std::uint32_t hi = 0; hi < 256; ++hi) {
      const std::uint32_t first = hi << 8;
      if (run_of(first) == run_of(first + 255)) {  // one table for the whole block
        pl.top[hi] = runs[run_of(first)].second;
        continue;
      }
      pl.top[hi] = leaf_flag | static_cast<std::uint32_t>(pl.leaves.size());
      for (std::uint32_t lo = 0; lo < 256; ++lo)
        pl.leaves.push_back(runs[run_of(first + lo)].second);
    }
  }

  std::array<plane, proto_class_count> planes_;
  forest forest_;
  std::vector<table> tables_;
  std::vector<std::uint32_t> values_;  // packed decisions of every segment, table by table
};

/// A whole group compiled: four compiled policies (inbound/outbound × IPv4/IPv6).
class compiled_group {
 public:
  compiled_group() = default;
  /// Compiles group `g`; decisions index ordered_rules(g).
  explicit compiled_group(const security_group& g) {
    auto rules = ordered_rules(g);
    for (auto d : {direction::inbound, direction::outbound}) {
      auto i = static_cast<std::size_t>(d);
      v4_[i] = compiled_policy<ipv4_space>(lower<family::v4>(rules, d, g.default_policy(d)));
      v6_[i] = compiled_policy<ipv6_space>(lower<family::v6>(rules, d, g.default_policy(d)));
    }
  }

  /// Returns the decision for packet `p`.
  decision evaluate(const packet& p) const {
    auto i = static_cast<std::size_t>(p.direction);
    return p.remote.af == family::v4 ? v4_[i].find(point_of<ipv4_space>(p))
                                     : v6_[i].find(point_of<ipv6_space>(p));
  }

  /// Decides every packet of `in` into `out` (which must be at least as long).
  /// NOTE: a plain loop. Successive lookups are independent, so the CPU already overlaps their
  /// cache misses; descending 16 trees in lockstep with prefetches measured slower
  /// (docs/benchmarks.md).
  void evaluate(std::span<const packet> in, std::span<decision> out) const {
    SECGROUP_ASSERT(out.size() >= in.size());
    for (std::size_t k = 0; k < in.size(); ++k) out[k] = evaluate(in[k]);
  }

  /// Bytes held by the lookup structures.
  std::size_t memory() const {
    std::size_t m = 0;
    for (const auto& p : v4_) m += p.memory();
    for (const auto& p : v6_) m += p.memory();
    return m;
  }

 private:
  std::array<compiled_policy<ipv4_space>, 2> v4_;
  std::array<compiled_policy<ipv6_space>, 2> v6_;
};

SECGROUP_END_NAMESPACE
