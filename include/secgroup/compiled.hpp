// secgroup/compiled.hpp: the decision map flattened into flat arrays for the hot path.
//
// compiled_policy<S> answers first-match lookups for one direction and family:
//   1. the protocol class picks a port index;
//   2. the port index maps the port to an address table through a two-level table indexed by
//      the port's high and low byte (most high-byte blocks name their table directly);
//   3. the address table is a static B+-tree over segment starts, one block of keys per level
//      (16 IPv4 keys, one cache line, or 32 when that saves the deepest table a level: see
//      block_for), all tables in one aligned arena (detail::search_forest).
// The tables are the address maps of the policy's first-match partition (partition.hpp), the
// same content the ICL decision map holds, flattened straight from it: going through ICL's trees
// would double the build time. Each table value packs the deciding rule (its index in
// ordered_rules(), +1, 0 for the default policy) and the action in one word.
// compiled_group holds the four policies of a group (inbound/outbound × IPv4/IPv6).
// A lookup never allocates.
//
// Batches. A batch is decided in groups of up to 64 packets: the packets of each policy descend
// their trees together, level by level (compiled_policy::find_many), so that their cache misses
// overlap, and count their blocks with the strongest instruction set the CPU has (isa.hpp:
// AVX-512, AVX2 or the baseline SSE2, chosen at run time; every kernel gives the same answers).
// A single lookup is a chain of dependent loads: the baseline kernel serves it as fast.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "config.hpp"
#include "decision.hpp"
#include "detail/search_forest.hpp"
#include "error.hpp"
#include "isa.hpp"
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
  compiled_policy(const policy<S>& pol, const partition<S>& map) : forest_(block_for(map)) {
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
      build_port_index(port_blocks_[static_cast<std::size_t>(c)], runs);
    }
  }

  /// Returns the address table that decides point `x` (its port and protocol class). For one
  /// lookup: the branch on a mixed block is predicted, so a whole block's table is ready a load
  /// earlier.
  std::uint32_t table_of(const point<S>& x) const {
    const std::uint32_t port = x.port;
    const std::uint32_t e = port_blocks_[static_cast<std::size_t>(x.protocol)][(port >> 8) & 0xff];
    return e & 1u ? port_tables_[(e >> 1) + (port & 0xffu)] : e >> 1;
  }

  /// Returns the decision for point `x` (with the baseline kernel: one lookup is a chain of
  /// dependent loads, which it serves as fast as the vector ones, inline and without dispatch).
  decision find(const point<S>& x) const {
    const auto& t = tables_[table_of(x)];
    return unpack(values_[t.first_value + forest_.segment(t.shape, x.address)]);
  }

  /// Most points find_many() decides in one call.
  static constexpr std::size_t max_batch = 64;

  /// Decides n ≤ max_batch points together, the same decisions as find(): point_at(j) gives
  /// point j, put(j, decision) receives its decision. The points are ordered deepest table
  /// first (a counting sort, skipped when all tables are as deep), then descend their trees
  /// level by level, each level of all the points still descending in one pass, so that their
  /// cache misses overlap.
  template <isa I = isa::baseline, class PointAt, class Put>
  void find_many(std::size_t n, PointAt&& point_at, Put&& put) const {
    SECGROUP_ASSERT(n <= max_batch);
    constexpr std::size_t depths = forest::max_depth + 2;
    std::array<const table*, max_batch> t;       // by point, then by slot when sorted
    std::array<address_type, max_batch> a;       // likewise
    std::array<std::uint32_t, depths> deeper{};  // first: points per depth
    for (std::size_t j = 0; j < n; ++j) {
      const point<S> x = point_at(j);
      t[j] = &tables_[table_of_without_branch(x)];
      a[j] = x.address;
      ++deeper[t[j]->shape.depth];
    }
    const bool sort = n > 0 && deeper[t[0]->shape.depth] != n;
    std::array<std::uint32_t, depths> next{};  // the next slot of each depth, deepest first
    for (std::size_t d = forest::max_depth, slot = 0; d >= 1; --d) {
      next[d] = static_cast<std::uint32_t>(slot);
      slot += deeper[d];
      deeper[d] = static_cast<std::uint32_t>(slot);  // now: points of depth >= d
    }
    std::array<std::uint32_t, max_batch> point_in_slot;
    if (sort) {
      std::array<const table*, max_batch> by_point;
      std::array<address_type, max_batch> address_by_point;
      std::copy_n(t.begin(), n, by_point.begin());
      std::copy_n(a.begin(), n, address_by_point.begin());
      for (std::size_t j = 0; j < n; ++j) {
        const auto s = next[by_point[j]->shape.depth]++;
        t[s] = by_point[j];
        a[s] = address_by_point[j];
        point_in_slot[s] = static_cast<std::uint32_t>(j);
      }
    }
    std::array<std::uint32_t, max_batch> r{};
    for (std::uint32_t l = 0; l < forest::max_depth && deeper[l + 1] != 0; ++l)
      for (std::uint32_t s = 0; s < deeper[l + 1]; ++s)
        r[s] = forest_.template descend<I>(t[s]->shape, l, r[s], a[s]);
    for (std::size_t s = 0; s < n; ++s)
      put(sort ? point_in_slot[s] : s, unpack(values_[t[s]->first_value + r[s]]));
  }

  /// Levels the lookup of `x` descends (the depth of its address table).
  std::uint32_t depth_of(const point<S>& x) const { return tables_[table_of(x)].shape.depth; }

  /// Levels of the deepest address table (1 when every table fits one block of keys).
  std::uint32_t depth() const {
    std::uint32_t d = 1;
    for (const auto& t : tables_) d = std::max(d, t.shape.depth);
    return d;
  }

  /// Bytes held by the lookup structures.
  std::size_t memory() const {
    std::size_t m = sizeof(*this) + forest_.memory() + tables_.capacity() * sizeof(table) +
                    values_.capacity() * sizeof(std::uint32_t);
    return m + port_tables_.capacity() * sizeof(std::uint32_t);
  }

 private:
  static constexpr std::uint32_t no_table = 0xffffffffu;

  struct table {  // an address table: a tree over segment starts, and its first value
    typename forest::tree shape;
    std::uint32_t first_value;
  };
  /// The port index of a protocol class, by the port's high byte: (t << 1) when the whole block
  /// of 256 ports has table t, (offset << 1 | 1) when the 256 entries of port_tables_ from
  /// offset hold the table of each low byte.
  using port_blocks = std::array<std::uint32_t, 256>;

  /// table_of() without a branch, for batches (whose points' ports vary, so that the branch
  /// mispredicts): the load is made in every case, from entry 0 for a whole block.
  std::uint32_t table_of_without_branch(const point<S>& x) const {
    const std::uint32_t port = x.port;
    const std::uint32_t e = port_blocks_[static_cast<std::size_t>(x.protocol)][(port >> 8) & 0xff];
    const std::uint32_t mixed = 0u - (e & 1u);  // all ones for a mixed block
    const std::uint32_t entry = port_tables_[((e >> 1) + (port & 0xffu)) & mixed];
    return (entry & mixed) | ((e >> 1) & ~mixed);
  }

  /// The forest's block width for `map`: 32 keys when that makes the deepest table shallower
  /// than 16 would (fewer levels: fewer dependent loads, which batches gain most from), else 16
  /// (one cache line per level, which single lookups read fastest).
  static std::size_t block_for(const partition<S>& map) {
    if constexpr (!forest::wide_blocks) {
      return forest::default_block;
    } else {
      std::uint32_t narrow = 1, wide = 1;
      for (auto c : all_proto_classes)
        for (std::size_t j = 0; j < map.port_class_count(c); ++j) {
          const auto segments = map.runs(map.port_class_map(c, j)).size();  // one per run
          narrow = std::max(narrow, forest::depth_of(segments, 16));
          wide = std::max(wide, forest::depth_of(segments, 32));
        }
      return wide < narrow ? 32 : 16;
    }
  }

  /// Packs a decision: (rule + 1) << 1 | drop; the default policy's rule, no_rule, wraps to 0.
  static std::uint32_t pack(decision d) {
    return (d.rule + 1) << 1 | (d.action == action::drop ? 1u : 0u);
  }
  static decision unpack(std::uint32_t v) {
    return {v & 1 ? action::drop : action::accept, (v >> 1) - 1};
  }

  /// Fills the port index of a protocol class from (first port, table) runs sorted by port.
  void build_port_index(port_blocks& blocks,
                        const std::vector<std::pair<port_type, std::uint32_t>>& runs) {
    auto run_of = [&](std::uint32_t port) {  // index of the run holding `port`
      auto it = std::upper_bound(runs.begin(), runs.end(), port,
                                 [](std::uint32_t p, const auto& run) { return p < run.first; });
      return static_cast<std::size_t>(it - runs.begin()) - 1;
    };
    if (port_tables_.empty()) port_tables_.push_back(0);  // entry 0, read for whole blocks
    for (std::uint32_t hi = 0; hi < 256; ++hi) {
      const std::uint32_t first = hi << 8;
      if (run_of(first) == run_of(first + 255)) {  // one table for the whole block
        blocks[hi] = runs[run_of(first)].second << 1;
        continue;
      }
      blocks[hi] = static_cast<std::uint32_t>(port_tables_.size()) << 1 | 1u;
      for (std::uint32_t lo = 0; lo < 256; ++lo)
        port_tables_.push_back(runs[run_of(first + lo)].second);
    }
  }

  std::array<port_blocks, proto_class_count> port_blocks_{};
  std::vector<std::uint32_t> port_tables_;  // tables by port block, see port_blocks
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

  /// Returns the decision for packet `p` (compiled_policy::find: the baseline kernel, inline).
  decision evaluate(const packet& p) const {
    auto i = static_cast<std::size_t>(p.direction);
    return p.remote.af == family::v4 ? v4_[i].find(point_of<ipv4_space>(p))
                                     : v6_[i].find(point_of<ipv6_space>(p));
  }

  /// Decides every packet of `in` into `out` (which must be at least as long), in groups whose
  /// packets descend their trees together (see the header comment); the same decisions as
  /// evaluate(packet).
  void evaluate(std::span<const packet> in, std::span<decision> out) const {
    SECGROUP_ASSERT(out.size() >= in.size());
    evaluate_many(in, out, best_isa());
  }

  /// The same with the kernels of instruction set `i`; throws validation_error
  /// (secgroup.validation.203, field "isa") when this CPU does not run `i`. For tests and
  /// benchmarks, which compare the kernels.
  void evaluate(std::span<const packet> in, std::span<decision> out, isa i) const {
    SECGROUP_ASSERT(out.size() >= in.size());
    if (!isa_supported(i))
      SECGROUP_THROW(validation_error(errc::bad_value, "isa",
                                      "this CPU does not run " + std::string(to_string(i))));
    evaluate_many(in, out, i);
  }

  /// Bytes held by the lookup structures.
  std::size_t memory() const {
    std::size_t m = 0;
    for (const auto& p : v4_) m += p.memory();
    for (const auto& p : v6_) m += p.memory();
    return m;
  }

 private:
  /// The policy deciding a packet: 0, 1 for IPv4 inbound, outbound; 2, 3 for IPv6.
  static std::size_t policy_of(const packet& p) {
    return static_cast<std::size_t>(p.direction) + (p.remote.af == family::v4 ? 0 : 2);
  }

  /// Decides the n packets group[index(j)] of policy `pol` together into decided[index(j)].
  template <isa I, class Index>
  void decide_together(std::size_t pol, std::size_t n, Index index, const packet* group,
                       decision* decided) const {
    auto put = [&](std::size_t j, decision d) { decided[index(j)] = d; };
    if (pol < 2)
      v4_[pol].template find_many<I>(
          n, [&](std::size_t j) { return point_of<ipv4_space>(group[index(j)]); }, put);
    else
      v6_[pol - 2].template find_many<I>(
          n, [&](std::size_t j) { return point_of<ipv6_space>(group[index(j)]); }, put);
  }

  /// Splits `in` into groups of up to 64 packets, and a group of several policies by policy;
  /// each policy decides its share together (find_many).
  template <isa I>
  void evaluate_many(std::span<const packet> in, std::span<decision> out) const {
    constexpr std::size_t lanes = compiled_policy<ipv4_space>::max_batch;
    static_assert(compiled_policy<ipv6_space>::max_batch >= lanes);
    std::array<std::array<std::uint8_t, lanes>, 4> share;  // slots of each policy's packets
    for (std::size_t at = 0; at < in.size(); at += lanes) {
      const std::size_t n = std::min(lanes, in.size() - at);
      const packet* group = in.data() + at;
      decision* decided = out.data() + at;
      const std::size_t first = policy_of(group[0]);
      bool one_policy = true;
      for (std::size_t k = 1; k < n; ++k) one_policy &= policy_of(group[k]) == first;
      if (one_policy) {  // the usual case: no need to sort the packets out
        decide_together<I>(
            first, n, [](std::size_t j) { return j; }, group, decided);
        continue;
      }
      std::array<std::size_t, 4> count{};
      for (std::size_t k = 0; k < n; ++k) {
        const auto pol = policy_of(group[k]);
        share[pol][count[pol]++] = static_cast<std::uint8_t>(k);
      }
      for (std::size_t pol = 0; pol < 4; ++pol) {
        if (count[pol] == 0) continue;
        const auto* slot = share[pol].data();
        decide_together<I>(
            pol, count[pol], [slot](std::size_t j) { return slot[j]; }, group, decided);
      }
    }
  }

  /// evaluate_many<i>, for an `i` this CPU runs.
  void evaluate_many(std::span<const packet> in, std::span<decision> out, isa i) const {
#if SECGROUP_X86_DISPATCH
    if (i == isa::avx512) return evaluate_many_avx512(in, out);
    if (i == isa::avx2) return evaluate_many_avx2(in, out);
#endif
    evaluate_many<isa::baseline>(in, out);
  }

#if SECGROUP_X86_DISPATCH
  // clang-format off
  SECGROUP_TARGET("avx512f,popcnt") SECGROUP_FLATTEN
  void evaluate_many_avx512(std::span<const packet> in, std::span<decision> out) const {
    evaluate_many<isa::avx512>(in, out);
  }
  SECGROUP_TARGET("avx2,popcnt") SECGROUP_FLATTEN
  void evaluate_many_avx2(std::span<const packet> in, std::span<decision> out) const {
    evaluate_many<isa::avx2>(in, out);
  }
  // clang-format on
#endif

  std::array<compiled_policy<ipv4_space>, 2> v4_;
  std::array<compiled_policy<ipv6_space>, 2> v6_;
};

SECGROUP_END_NAMESPACE
