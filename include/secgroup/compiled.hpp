// secgroup/compiled.hpp: the decision map flattened into flat arrays for the hot path.
//
// compiled_policy<S> answers first-match lookups for one direction and family:
//   1. the protocol class picks a port index;
//   2. the port index maps the port to an address table through a two-level table indexed by
//      the port's high and low byte (most high-byte blocks name their table directly);
//   3. the address table is a static B+-tree over segment starts, one block of keys per level
//      (16 IPv4 keys, one cache line, or 32 when that saves the deepest table a level: see
//      block_for), all tables in one aligned arena (detail::search_forest).
// The tables come from first-match partitions (partition.hpp), flattened straight from them:
// going through ICL's trees would double the build time. The rules with a port range and the
// wildcard-port rules (every port) are partitioned apart; in the joint layout each port class's
// table is the two merged, the same content the ICL decision map holds; in the split layout
// (port_layout) the port class's table holds the rules with a port range only, each protocol
// class has one table of its wildcard-port rules, and a lookup takes the earlier rule of the
// two, descending the wildcard-port table only where the port class's table flags that it may
// hold an earlier rule. Each table value packs the deciding rule (its index in ordered_rules())
// and the action in one word, ordered as the rules are, the default policy last.
// compiled_group holds the four policies of a group (inbound/outbound × IPv4/IPv6).
// A lookup never allocates.
//
// Batches. A batch is decided in groups of up to 64 packets of one policy (where policies mix,
// each window of 256 packets is shared out by policy first): they descend their trees
// together, level by level (compiled_policy::find_many), so that their cache misses overlap,
// and count their blocks with the strongest instruction set the CPU has (isa.hpp: AVX-512,
// AVX2 or the baseline SSE2, chosen at run time; every kernel gives the same answers).
// A single lookup in small IPv4 tables (joint layout) takes the baseline kernel, inline; an IPv6
// one, or one in tables of 1 MiB or more, the strongest kernel, out of line (the baseline kernel
// counts a block of 128-bit keys with a scalar loop, 2.5 times as slow on gen-mixed-10k; in
// large tables the vector kernels' fewer instructions keep more lookups' misses in flight: see
// compiled_policy::single_lookup). In a group with a large policy (its tables miss the L2 cache),
// batches read each descent's value in a pass of their own (compiled_policy::descend_from). A
// batch descends every tree of a policy to one depth (batch_tables_: the shallower trees padded
// on top with levels that pass through), a single lookup each tree from its own root (tables_).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
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

/// Where compiled_policy puts the rules that hold every port of their protocols ("wildcard-port"
/// rules, e.g. "accept TCP from 10.0.0.0/8").
enum class port_layout : std::uint8_t {
  /// split when the joint tables would be large (compiled_policy::split_pays), else joint.
  automatic,
  /// one address table per port class, holding every rule of its ports: one descent per lookup.
  joint,
  /// the address tables of the port classes hold only the rules with a port range; each
  /// protocol class has one more table for its wildcard-port rules; a lookup takes the earlier
  /// rule of the two, descending the second only where the first may not decide. Many distinct
  /// port ranges then no longer repeat every wildcard-port rule in each of their tables.
  split,
};

/// First-match lookups for one policy over flat arrays.
template <class S>
class compiled_policy {
 public:
  using address_type = typename S::address_type;
  using port_type = typename S::port_type;
  using forest = detail::search_forest<address_type>;

  compiled_policy() : compiled_policy(policy<S>{}) {}

  /// Compiles `pol`; decisions report `pol.origin[i]` for rule i (its index in the group).
  /// Paints the rules with a port range and the wildcard-port ones apart (cheaper than painting
  /// them together: the wildcard-port rules are painted once per protocol class, not once per
  /// port class) and, for the joint layout, merges the two.
  explicit compiled_policy(const policy<S>& pol, port_layout layout = port_layout::automatic) {
    const auto parts = split_by_ports(pol);  // no structured binding: lambdas use both
    const policy<S>& ported = parts.first;
    const policy<S>& wild = parts.second;
    const partition<S> by_port(ported), wildcard(wild);
    if (layout == port_layout::automatic)
      layout = split_pays(by_port, wildcard) ? port_layout::split : port_layout::joint;
    split_ = layout == port_layout::split;
    content_set contents;
    port_runs runs;
    const auto by_default = pack(pol.decision_of(decision::no_rule));
    std::vector<std::uint32_t> wild_tables;  // split: the table of each wildcard map
    if (split_) wild_tables = contents.add_maps(wildcard, wild, by_default);
    std::vector<std::uint32_t> paired;  // table of maps (m, w), at m * wildcard maps + w
    for (auto c : all_proto_classes) {
      const auto w = wildcard.port_class_map(c, 0);
      if (split_) wild_table_[static_cast<std::size_t>(c)] = wild_tables[w];
      add_port_runs(runs, by_port, c, [&](std::uint32_t m) {
        const auto key = m * wildcard.map_count() + w;
        if (paired.size() <= key) paired.resize(key + 1, no_table);
        if (paired[key] == no_table) {
          auto own = content_of(by_port, ported, m, no_match);
          auto made = split_ ? flag_undecided(std::move(own), contents.all[wild_tables[w]])
                             : merge(own, content_of(wildcard, wild, w, by_default));
          paired[key] = contents.add(std::move(made));
        }
        return paired[key];
      });
    }
    build(contents.all, runs);
  }

  /// Compiles `pol` from its first-match partition `map` (the content of its decision map), in
  /// the joint layout.
  compiled_policy(const policy<S>& pol, const partition<S>& map) {
    content_set contents;
    const auto tables = contents.add_maps(map, pol, pack(pol.decision_of(decision::no_rule)));
    port_runs runs;
    for (auto c : all_proto_classes)
      add_port_runs(runs, map, c, [&](std::uint32_t m) { return tables[m]; });
    build(contents.all, runs);
  }

  /// The layout chosen (never automatic).
  port_layout layout() const { return split_ ? port_layout::split : port_layout::joint; }

  /// Returns the address table that decides point `x` (its port and protocol class); in the
  /// split layout, the table of its port class's rules with a port range. For one lookup: the
  /// branch on a mixed block is predicted, so a whole block's table is ready a load earlier.
  std::uint32_t table_of(const point<S>& x) const {
    const std::uint32_t port = x.port;
    const std::uint32_t e = port_blocks_[static_cast<std::size_t>(x.protocol)][(port >> 8) & 0xff];
    return e & 1u ? port_tables_[(e >> 1) + (port & 0xffu)] : e >> 1;
  }

  /// Returns the decision for point `x`: inline with the baseline kernel in small IPv4 tables
  /// of the joint layout, else out of line (see single_lookup()).
  decision find(const point<S>& x) const {
    if (out_of_line_) return (this->*out_of_line_)(x);  // the same for every lookup: predicted
    return unpack(value_in(tables_[table_of(x)], x.address));
  }

  /// The same with the kernel of instruction set `i`, which this CPU must run (isa_supported);
  /// for tests and benchmarks, which compare the kernels.
  decision find(const point<S>& x, isa i) const {
#if SECGROUP_X86_DISPATCH
    if (i == isa::avx512) return find_avx512(x);
    if (i == isa::avx2) return find_avx2(x);
#endif
    return find_with<isa::baseline>(x);
  }

  /// Most points find_many() decides in one call.
  static constexpr std::size_t max_batch = 64;

  /// Decides n ≤ max_batch points together, the same decisions as find(): point_at(j) gives
  /// point j, put(j, decision) receives its decision. The descents (one per point; in the
  /// split layout, a second for the points their first leaves undecided) descend their trees level
  /// by level, each level of all of them in one pass, so that their cache misses overlap, with no
  /// sort by depth: every tree is as deep (the batch's copies of the shallower ones are padded with
  /// levels that pass through, from one block that stays in the L1 cache).
  template <isa I = isa::baseline, bool Apart = false, class PointAt, class Put>
  void find_many(std::size_t n, PointAt&& point_at, Put&& put) const {
    find_many<I, Apart>(n, point_at, put, [] { return true; });
  }

  /// The same, calling proceed() once every point has been read, before any is decided: when
  /// it returns false, decides none and returns false (a caller checking the points as they
  /// are read, in the same pass). `Apart` reads the values in a pass of their own, which pays
  /// in large() tables (see descend_from); the decisions are the same.
  template <isa I = isa::baseline, bool Apart = false, class PointAt, class Put, class Proceed>
  bool find_many(std::size_t n, PointAt&& point_at, Put&& put, Proceed&& proceed) const {
    SECGROUP_ASSERT(n <= max_batch);
    if constexpr (forest::wide_blocks)
      if (forest_.block() == 32) return find_many_in<I, 32, Apart>(n, point_at, put, proceed);
    return find_many_in<I, forest::default_block, Apart>(n, point_at, put, proceed);
  }

  /// Whether the keys and values hold large_bytes or more, so that lookups in them miss the
  /// L2 cache: single lookups then take the strongest kernel (single_lookup()), and batches
  /// pay for reading the values apart (find_many's `Apart`; compiled_group chooses it).
  bool large() const {
    return forest_.memory() + values_.size() * sizeof(std::uint32_t) >= large_bytes;
  }

  /// Levels the lookup of `x` descends (the depth of its deepest address table).
  std::uint32_t depth_of(const point<S>& x) const {
    const auto d = tables_[table_of(x)].shape.depth;
    return split_ ? std::max(d, wildcard_table(x.protocol).shape.depth) : d;
  }

  /// Levels of the deepest address table (1 when every table fits one block of keys), which a
  /// batch descends for every point.
  std::uint32_t depth() const { return depth_; }

  /// Bytes held by the lookup structures.
  std::size_t memory() const {
    std::size_t m = sizeof(*this) + forest_.memory() +
                    (tables_.capacity() + batch_tables_.capacity()) * sizeof(table) +
                    values_.capacity() * sizeof(std::uint32_t);
    return m + port_tables_.capacity() * sizeof(std::uint32_t);
  }

 private:
  static constexpr std::uint32_t no_table = 0xffffffffu;
  /// The value of a segment no rule with a port range holds, in the split layout: above every
  /// packed decision, so that the wildcard-port table's value wins.
  static constexpr std::uint32_t no_match = 0xffffffffu;

  struct table {  // an address table: a tree over segment starts, and its first value
    typename forest::tree shape;
    std::uint32_t first_value;
  };
  /// An address table before it is laid out: its segments' first addresses and packed values.
  struct content {
    std::vector<address_type> starts;
    std::vector<std::uint32_t> values;
  };
  /// The port index of a protocol class, by the port's high byte: (t << 1) when the whole block
  /// of 256 ports has table t, (offset << 1 | 1) when the 256 entries of port_tables_ from
  /// offset hold the table of each low byte.
  using port_blocks = std::array<std::uint32_t, 256>;
  /// The same index for batches, entries (offset << 8 | mask): the table of port p is
  /// port_tables_[offset + (p & mask & 0xff)], mask 0xff for a mixed block, 0 for a whole one
  /// (whose table then has an entry of its own), so that no branch picks between the two.
  using batch_blocks = std::array<std::uint32_t, 256>;

  /// The rules of `pol` with a port range, and its wildcard-port rules (whose ports are every
  /// port), each with its origin: first match over all = the earlier of the two first matches.
  static std::pair<policy<S>, policy<S>> split_by_ports(const policy<S>& pol) {
    std::pair<policy<S>, policy<S>> out;
    out.first.default_action = out.second.default_action = pol.default_action;
    for (std::size_t i = 0; i < pol.rules.size(); ++i) {
      const auto& ports = pol.rules[i].match.ports;
      auto& to = ports.lo == 0 && ports.hi == S::max_port ? out.second : out.first;
      to.rules.push_back(pol.rules[i]);
      to.origin.push_back(pol.origin[i]);
    }
    return out;
  }

  /// Whether the split layout pays: when the joint tables would hold at least split_runs runs
  /// and three times as many as the split ones. The joint count is an upper bound (a port
  /// class's table at most repeats its wildcard-port runs), about twice the true one on the
  /// benchmark sets. Below that, the joint tables stay in cache and one descent per lookup beats
  /// two (a batch takes 1.5-2.5 times as long split); above it, the split tables are several
  /// times smaller and faster to build, and single lookups as fast.
  static bool split_pays(const partition<S>& by_port, const partition<S>& wildcard) {
    std::size_t split = 0, joint = 0;
    for (std::uint32_t m = 0; m < by_port.map_count(); ++m) split += by_port.runs(m).size();
    for (std::uint32_t w = 0; w < wildcard.map_count(); ++w) split += wildcard.runs(w).size();
    for (auto c : all_proto_classes) {
      const auto wild_runs = wildcard.runs(wildcard.port_class_map(c, 0)).size();
      for (std::size_t j = 0; j < by_port.port_class_count(c); ++j)
        joint += by_port.runs(by_port.port_class_map(c, j)).size() + wild_runs;
    }
    return joint >= split_runs && joint >= 3 * split;
  }
  /// Estimated joint runs from which the split layout may pay: 2M, 16 MiB of keys and values.
  static constexpr std::size_t split_runs = std::size_t{1} << 21;

  /// The content of address map `m` of `map` (partition of `pol`): each segment's packed
  /// decision, `none` where no rule holds it.
  static content content_of(const partition<S>& map, const policy<S>& pol, std::uint32_t m,
                            std::uint32_t none) {
    content out;
    map.for_each_segment(m, [&](const interval<address_type>& a, std::uint32_t rule) {
      out.starts.push_back(a.lo);
      out.values.push_back(rule == decision::no_rule ? none : pack(pol.decision_of(rule)));
    });
    return out;
  }

  /// The contents of the address tables, each stored once.
  struct content_set {
    std::vector<content> all;
    std::unordered_map<std::size_t, std::vector<std::uint32_t>> by_hash;

    /// Returns the index of `c`, adding it unless an equal content is there.
    std::uint32_t add(content c) {
      std::size_t h = c.starts.size();
      for (std::size_t k = 0; k < c.starts.size(); ++k)
        h = (h * 1000003u ^ static_cast<std::size_t>(c.starts[k])) * 1000003u ^ c.values[k];
      auto& bucket = by_hash[h];
      for (auto i : bucket)
        if (all[i].starts == c.starts && all[i].values == c.values) return i;
      bucket.push_back(static_cast<std::uint32_t>(all.size()));
      all.push_back(std::move(c));
      return bucket.back();
    }
    /// Adds the address maps of `map` (partition of `pol`, `none` where no rule holds a
    /// segment); returns each map's index.
    std::vector<std::uint32_t> add_maps(const partition<S>& map, const policy<S>& pol,
                                        std::uint32_t none) {
      std::vector<std::uint32_t> index(map.map_count());
      for (std::uint32_t m = 0; m < map.map_count(); ++m)
        index[m] = add(content_of(map, pol, m, none));
      return index;
    }
  };

  /// (first port, table) runs of each protocol class, sorted by port.
  using port_runs = std::array<std::vector<std::pair<port_type, std::uint32_t>>, proto_class_count>;

  /// Appends the port classes of protocol class `c` of `map` to `runs`, each with the table
  /// table_of(its address map) gives; neighbours of one table merge.
  template <class TableOf>
  static void add_port_runs(port_runs& runs, const partition<S>& map, proto_class c,
                            TableOf&& table_of) {
    auto& out = runs[static_cast<std::size_t>(c)];
    for (std::size_t j = 0; j < map.port_class_count(c); ++j) {
      const auto t = table_of(map.port_class_map(c, j));
      if (out.empty() || out.back().second != t) out.push_back({map.port_class(c, j).lo, t});
    }
  }

  /// The content deciding by the earlier rule of `x` and `y` (the smaller packed value) over
  /// the same address axis, neighbours with equal values merged.
  static content merge(const content& x, const content& y) {
    content out;
    std::size_t i = 0, j = 0;
    while (i < x.starts.size() || j < y.starts.size()) {
      const bool take_x =
          j == y.starts.size() || (i < x.starts.size() && x.starts[i] <= y.starts[j]);
      const address_type at = take_x ? x.starts[i] : y.starts[j];
      while (i < x.starts.size() && x.starts[i] == at) ++i;
      while (j < y.starts.size() && y.starts[j] == at) ++j;
      const auto value = std::min(x.values[i - 1], y.values[j - 1]);
      if (out.values.empty() || out.values.back() != value) {
        out.starts.push_back(at);
        out.values.push_back(value);
      }
    }
    return out;
  }

  /// `own` (a port class's table of the split layout) with `undecided` set in each segment
  /// where `wild` (its protocol class's wildcard-port table) holds an earlier rule somewhere
  /// over the same addresses: only there must a lookup descend `wild` too. One sweep of both.
  static content flag_undecided(content own, const content& wild) {
    std::size_t j = 0;  // wild's segment holding the start of own's segment i
    for (std::size_t i = 0; i < own.starts.size(); ++i) {
      while (j + 1 < wild.starts.size() && wild.starts[j + 1] <= own.starts[i]) ++j;
      const bool last = i + 1 == own.starts.size();
      auto earliest = wild.values[j];
      for (std::size_t k = j + 1;
           k < wild.starts.size() && (last || wild.starts[k] < own.starts[i + 1]); ++k)
        earliest = std::min(earliest, wild.values[k]);
      if (earliest < own.values[i]) own.values[i] |= undecided;
    }
    return own;
  }

  /// Lays out `contents` as the address tables, and the port index from each protocol class's
  /// (first port, table) runs, sorted by port.
  void build(const std::vector<content>& contents, const port_runs& runs) {
    forest_ = forest(block_for(contents));
    std::size_t segments = 0, keys = forest_.block();  // one block for padded()
    for (const auto& c : contents) {
      segments += c.values.size();
      keys += forest::keys_of(c.starts.size(), forest_.block());
    }
    forest_.reserve(keys);
    tables_.reserve(contents.size());
    values_.reserve(segments);
    for (const auto& c : contents) {
      tables_.push_back(
          {forest_.add(c.starts, S::max_address), static_cast<std::uint32_t>(values_.size())});
      values_.insert(values_.end(), c.values.begin(), c.values.end());
    }
    for (auto c : all_proto_classes) {
      // A class without ports has one port class, so one run: every port maps to its table.
      SECGROUP_ASSERT(has_ports(c) || runs[static_cast<std::size_t>(c)].size() == 1);
      build_port_index(port_blocks_[static_cast<std::size_t>(c)],
                       batch_blocks_[static_cast<std::size_t>(c)],
                       runs[static_cast<std::size_t>(c)]);
    }
    depth_ = 1;
    for (const auto& t : tables_) depth_ = std::max(depth_, t.shape.depth);
    out_of_line_ = single_lookup();
    batch_tables_ = tables_;
    for (auto& t : batch_tables_) t.shape = forest_.padded(t.shape, depth_, S::max_address);
    port_tables_.shrink_to_fit();
  }

  /// A single lookup out of line.
  using out_of_line_find = decision (compiled_policy::*)(const point<S>&) const;

  /// The single lookup find() takes out of line for these tables, or null for its inline one
  /// (the baseline kernel, joint layout). 128-bit keys, and large() tables, take the strongest
  /// kernel the CPU has: it issues fewer instructions per level, so that more lookups are in
  /// flight while their loads miss the cache, which pays for the call (IPv4 on the EPYC, ns
  /// per lookup in a loop: stress-ranges-10k 35.5 -> 29.5-30.1, gen-ipc-10k 25.9-26.0 ->
  /// 24.4-25.4, cb-acl2_10k 15.9-16.1 -> 14.3; see docs/benchmarks.md). In smaller tables the
  /// loads hit and the call costs more than the kernel saves (every IPv4 table out of line:
  /// cb-fw1_1k 5.6 -> 6.7, cb-fw1_10k 10.6 -> 11.1). The split layout's lookup (two descents)
  /// is out of line in any case.
  out_of_line_find single_lookup() const {
#if SECGROUP_X86_DISPATCH
    if (wide_keys || large()) {
      if (best_isa() == isa::avx512) return &compiled_policy::find_avx512;
      if (best_isa() == isa::avx2) return &compiled_policy::find_avx2;
    }
#endif
    return split_ ? &compiled_policy::find_split : nullptr;
  }

  /// The L2 cache of one core of the EPYC measured (1 MiB; the Intel's holds 2 MiB).
  static constexpr std::size_t large_bytes = std::size_t{1} << 20;

  /// find() in the split layout with the baseline kernel. Out of line, so that the joint
  /// layout's find() stays small enough to inline.
  [[gnu::noinline]] decision find_split(const point<S>& x) const {
    return find_with<isa::baseline>(x);
  }

  /// The table of the wildcard-port rules of protocol class `c` (split layout).
  const table& wildcard_table(proto_class c) const {
    return tables_[wild_table_[static_cast<std::size_t>(c)]];
  }

  /// The packed value of table `t` for `address`.
  template <isa I = isa::baseline>
  std::uint32_t value_in(const table& t, const address_type& address) const {
    return values_[t.first_value + forest_.template segment<I>(t.shape, address)];
  }

  /// Whether the keys are 128-bit (IPv6): a block's count takes a scalar loop of 8 two-word
  /// compares in the baseline kernel, three compares with AVX-512.
  static constexpr bool wide_keys = sizeof(address_type) == 16;

  /// find() with the kernel of `I`, in either layout.
  template <isa I>
  decision find_with(const point<S>& x) const {
    const auto v = value_in<I>(tables_[table_of(x)], x.address);
    if (!split_ || !(v & undecided)) return unpack(v);
    return unpack(std::min(v, value_in<I>(wildcard_table(x.protocol), x.address)));
  }

#if SECGROUP_X86_DISPATCH
  // clang-format off
  [[gnu::noinline]] SECGROUP_TARGET("avx512f,popcnt") SECGROUP_FLATTEN
  decision find_avx512(const point<S>& x) const { return find_with<isa::avx512>(x); }
  [[gnu::noinline]] SECGROUP_TARGET("avx2,popcnt") SECGROUP_FLATTEN
  decision find_avx2(const point<S>& x) const { return find_with<isa::avx2>(x); }
  // clang-format on
#endif

  /// find_many() in a forest of blocks of `Width` keys. In the joint layout, the first pass
  /// over the points also counts each descent's top level (the tree's root, or the padding
  /// block): fewer instructions than a pass of its own. In the split layout (whose first pass,
  /// counting two roots when both tables were descended together, was measured slower), every
  /// point descends its port class's table, then the points left `undecided` their
  /// wildcard-port table.
  template <isa I, std::size_t Width, bool Apart, class PointAt, class Put, class Proceed>
  bool find_many_in(std::size_t n, PointAt& point_at, Put& put, Proceed& proceed) const {
    if (!split_) {
      std::array<const table*, max_batch> t;  // descent j: table, address, block of level 1
      std::array<address_type, max_batch> a;
      std::array<std::uint32_t, max_batch> r;
      for (std::size_t j = 0; j < n; ++j) {
        const point<S> x = point_at(j);
        t[j] = &batch_tables_[table_of_without_branch(x)];
        a[j] = x.address;
        r[j] = forest_.template descend<I, Width>(t[j]->shape, 0, 0, x.address);
      }
      if (!proceed()) return false;
      descend_from<I, Width, Apart>(1, n, t, a, r,
                                    [&](std::size_t j, std::uint32_t v) { put(j, unpack(v)); });
      return true;
    }
    std::array<const table*, max_batch> t;  // descent j: point j's port class's table
    std::array<address_type, max_batch> a;
    std::array<std::uint32_t, max_batch> r{};
    std::array<std::uint8_t, max_batch> protocol;
    for (std::size_t j = 0; j < n; ++j) {
      const point<S> x = point_at(j);
      t[j] = &batch_tables_[table_of_without_branch(x)];
      a[j] = x.address;
      protocol[j] = static_cast<std::uint8_t>(x.protocol);
    }
    if (!proceed()) return false;
    std::array<std::uint32_t, max_batch> v;
    descend_from<I, Width, Apart>(0, n, t, a, r,
                                  [&](std::size_t j, std::uint32_t value) { v[j] = value; });
    // The points left undecided descend their wildcard-port table: listed without a branch.
    std::array<std::uint8_t, max_batch> left;
    std::size_t m = 0;
    for (std::size_t j = 0; j < n; ++j) {
      left[m] = static_cast<std::uint8_t>(j);
      t[m] = &batch_tables_[wild_table_[protocol[j]]];
      a[m] = a[j];
      r[m] = 0;
      m += (v[j] & undecided) != 0;
    }
    descend_from<I, Width, Apart>(0, m, t, a, r, [&](std::size_t k, std::uint32_t value) {
      v[left[k]] = std::min(v[left[k]], value);
    });
    for (std::size_t j = 0; j < n; ++j) put(j, unpack(v[j]));
    return true;
  }

  /// The n descents of batch_tables_ t[k] for addresses a[k] from level `from` (at block r[k]
  /// there; `from` ≤ depth_, the levels above counted), level by level, each level of all of
  /// them in one pass; calls done(k, value) with each one's packed value. When `Apart` (for
  /// large() tables) the values are read in a pass of their own, after the last level: their
  /// loads, which then often miss the cache, issue together instead of each behind its
  /// descent's last count (batches of 256, Intel: gen-ipc-10k 9.5 -> 8.4 ns, stress-ranges-10k
  /// 11.5 -> 10.7); in small tables the pass costs more than it saves (cb-fw1_10k 4.1 -> 4.4,
  /// cb-ipc1_10k 4.4 -> 4.6; docs/benchmarks.md).
  template <isa I, std::size_t Width, bool Apart, std::size_t N, class Done>
  void descend_from(std::uint32_t from, std::size_t n, const std::array<const table*, N>& t,
                    const std::array<address_type, N>& a, std::array<std::uint32_t, N>& r,
                    Done&& done) const {
    const std::uint32_t last = depth_ - 1;
    if (Apart || from > last) {  // the values in a pass of their own
      for (std::uint32_t l = from; l <= last; ++l)
        for (std::size_t s = 0; s < n; ++s)
          r[s] = forest_.template descend<I, Width>(t[s]->shape, l, r[s], a[s]);
      for (std::size_t s = 0; s < n; ++s) done(s, values_[t[s]->first_value + r[s]]);
      return;
    }
    for (std::uint32_t l = from; l < last; ++l)
      for (std::size_t s = 0; s < n; ++s)
        r[s] = forest_.template descend<I, Width>(t[s]->shape, l, r[s], a[s]);
    for (std::size_t s = 0; s < n; ++s)
      done(s, values_[t[s]->first_value +
                      forest_.template descend<I, Width>(t[s]->shape, last, r[s], a[s])]);
  }

  /// table_of() without a branch, for batches (whose points' ports vary, so that a branch on
  /// a mixed block would mispredict): two loads in every case, through batch_blocks_.
  std::uint32_t table_of_without_branch(const point<S>& x) const {
    const std::uint32_t port = x.port;
    const std::uint32_t e = batch_blocks_[static_cast<std::size_t>(x.protocol)][(port >> 8) & 0xff];
    return port_tables_[(e >> 8) + (port & e & 0xffu)];
  }

  /// The forest's block width for tables of `contents`: 32 keys when that makes the deepest
  /// table shallower than 16 would (fewer levels: fewer dependent loads, which batches gain
  /// most from), else 16 (one cache line per level, which single lookups read fastest).
  static std::size_t block_for(const std::vector<content>& contents) {
    if constexpr (!forest::wide_blocks) {
      return forest::default_block;
    } else {
      std::uint32_t narrow = 1, wide = 1;
      for (const auto& c : contents) {
        narrow = std::max(narrow, forest::depth_of(c.starts.size(), 16));
        wide = std::max(wide, forest::depth_of(c.starts.size(), 32));
      }
      return wide < narrow ? 32 : 16;
    }
  }

  /// Packs a decision: rule << 2 | drop (bit 1 is `undecided`, clear). The order of packed
  /// values is that of the rules, the default policy's (no_rule) last; unpack() shifts the
  /// sign in, so that it stays no_rule, and ignores `undecided`.
  static std::uint32_t pack(decision d) {
    return d.rule << 2 | (d.action == action::drop ? 1u : 0u);
  }
  static decision unpack(std::uint32_t v) {
    return {v & 1 ? action::drop : action::accept,
            static_cast<std::uint32_t>(static_cast<std::int32_t>(v) >> 2)};
  }
  /// In the split layout, set in a value of a port class's table when the wildcard-port table
  /// may decide an earlier rule (flag_undecided); no_match has it.
  static constexpr std::uint32_t undecided = 2u;

  /// Fills the port indexes of a protocol class from (first port, table) runs sorted by port.
  void build_port_index(port_blocks& blocks, batch_blocks& batch,
                        const std::vector<std::pair<port_type, std::uint32_t>>& runs) {
    auto run_of = [&](std::uint32_t port) {  // index of the run holding `port`
      auto it = std::upper_bound(runs.begin(), runs.end(), port,
                                 [](std::uint32_t p, const auto& run) { return p < run.first; });
      return static_cast<std::size_t>(it - runs.begin()) - 1;
    };
    for (std::uint32_t hi = 0; hi < 256; ++hi) {
      const std::uint32_t first = hi << 8;
      const auto offset = static_cast<std::uint32_t>(port_tables_.size());
      if (run_of(first) == run_of(first + 255)) {  // one table for the whole block
        blocks[hi] = runs[run_of(first)].second << 1;
        batch[hi] = offset << 8;
        port_tables_.push_back(runs[run_of(first)].second);
        continue;
      }
      blocks[hi] = offset << 1 | 1u;
      batch[hi] = offset << 8 | 0xffu;
      for (std::uint32_t lo = 0; lo < 256; ++lo)
        port_tables_.push_back(runs[run_of(first + lo)].second);
    }
  }

  std::array<port_blocks, proto_class_count> port_blocks_{};
  std::array<batch_blocks, proto_class_count> batch_blocks_{};
  std::vector<std::uint32_t> port_tables_;  // tables by port block, see port_blocks
  forest forest_;
  std::vector<table> tables_;
  std::vector<table> batch_tables_;    // tables_ padded to depth_, for batches
  std::vector<std::uint32_t> values_;  // packed decisions of every segment, table by table
  bool split_ = false;
  std::array<std::uint32_t, proto_class_count> wild_table_{};  // split: wildcard-port tables
  std::uint32_t depth_ = 1;  // of the deepest table, to which build() pads the others
  out_of_line_find out_of_line_ = nullptr;  // see single_lookup()
};

/// A whole group compiled: four compiled policies (inbound/outbound × IPv4/IPv6).
class compiled_group {
 public:
  compiled_group() = default;
  /// Compiles group `g`; decisions index ordered_rules(g). `layout` places the wildcard-port
  /// rules of each policy (see port_layout; every layout gives the same decisions).
  explicit compiled_group(const security_group& g, port_layout layout = port_layout::automatic) {
    auto rules = ordered_rules(g);
    for (auto d : {direction::inbound, direction::outbound}) {
      auto i = static_cast<std::size_t>(d);
      v4_[i] =
          compiled_policy<ipv4_space>(lower<family::v4>(rules, d, g.default_policy(d)), layout);
      v6_[i] =
          compiled_policy<ipv6_space>(lower<family::v6>(rules, d, g.default_policy(d)), layout);
    }
    for (std::size_t i = 0; i < 2; ++i) values_apart_ |= v4_[i].large() || v6_[i].large();
  }

  /// The compiled IPv4 policy of direction `d`.
  const compiled_policy<ipv4_space>& v4(direction d) const {
    return v4_[static_cast<std::size_t>(d)];
  }
  /// The compiled IPv6 policy of direction `d`.
  const compiled_policy<ipv6_space>& v6(direction d) const {
    return v6_[static_cast<std::size_t>(d)];
  }

  /// Returns the decision for packet `p` (compiled_policy::find: small IPv4 tables inline with
  /// the baseline kernel, else the strongest kernel out of line).
  decision evaluate(const packet& p) const {
    auto i = static_cast<std::size_t>(p.direction);
    return p.remote.af == family::v4 ? v4_[i].find(point_with_port<ipv4_space>(p))
                                     : v6_[i].find(point_with_port<ipv6_space>(p));
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
    require_supported(i);
    evaluate_many(in, out, i);
  }

  /// evaluate(packet) with the kernel of instruction set `i` (the same error when this CPU does
  /// not run it). For tests and benchmarks.
  decision evaluate(const packet& p, isa i) const {
    require_supported(i);
    auto k = static_cast<std::size_t>(p.direction);
    return p.remote.af == family::v4 ? v4_[k].find(point_with_port<ipv4_space>(p), i)
                                     : v6_[k].find(point_with_port<ipv6_space>(p), i);
  }

  /// Bytes held by the lookup structures.
  std::size_t memory() const {
    std::size_t m = 0;
    for (const auto& p : v4_) m += p.memory();
    for (const auto& p : v6_) m += p.memory();
    return m;
  }

 private:
  /// Throws validation_error (secgroup.validation.203, field "isa") unless this CPU runs `i`.
  static void require_supported(isa i) {
    if (!isa_supported(i))
      SECGROUP_THROW(validation_error(errc::bad_value, "isa",
                                      "this CPU does not run " + std::string(to_string(i))));
  }

  /// The policy deciding a packet: 0, 1 for IPv4 inbound, outbound; 2, 3 for IPv6.
  static std::size_t policy_of(const packet& p) {
    return static_cast<std::size_t>(p.direction) + (p.remote.af == family::v4 ? 0 : 2);
  }

  /// point_of(p), but with the packet's port whatever its protocol: the same decision, since a
  /// class without ports has one port class (partition.hpp), to whose table the port index
  /// maps every port (see compiled_policy::build). point_of() chooses the port by a branch on
  /// the protocol class, which mispredicts on traffic mixing protocols in no order.
  template <class S>
  static point<S> point_with_port(const packet& p) {
    return {detail::protocol_classes[p.protocol], detail::address_value<S>(p.remote), p.port};
  }

  /// Decides the n packets group[index(j)] of policy `pol` together into decided[index(j)];
  /// calls seen(packet) with each packet as it is read, and decides none (returns false) when
  /// proceed() then returns false.
  template <isa I, bool Apart, class Index, class Seen, class Proceed>
  bool decide_together(std::size_t pol, std::size_t n, Index index, const packet* group,
                       decision* decided, Seen&& seen, Proceed&& proceed) const {
    auto put = [&](std::size_t j, decision d) { decided[index(j)] = d; };
    auto packet_at = [&](std::size_t j) -> const packet& {
      const packet& p = group[index(j)];
      seen(p);
      return p;
    };
    if (pol < 2)
      return v4_[pol].template find_many<I, Apart>(
          n, [&](std::size_t j) { return point_with_port<ipv4_space>(packet_at(j)); }, put,
          proceed);
    return v6_[pol - 2].template find_many<I, Apart>(
        n, [&](std::size_t j) { return point_with_port<ipv6_space>(packet_at(j)); }, put, proceed);
  }

  /// Packets a batch of mixed policies is shared out over at once (evaluate_many).
  static constexpr std::size_t window = 256;
  /// The slots of each policy's packets in a window, in order (share_by_policy).
  using policy_shares = std::array<std::array<std::uint8_t, window>, 4>;

  /// Lists the slots of the n ≤ window packets at `packets` by policy into `share`, each list
  /// in order; returns the length of each list. Out of line: the batch functions that inline
  /// everything else stay as they were for groups of one policy (see evaluate_many(in, out, i)).
  [[gnu::noinline]] static std::array<std::size_t, 4> share_by_policy(const packet* packets,
                                                                      std::size_t n,
                                                                      policy_shares& share) {
    static_assert(window <= 256, "slots are bytes");
    SECGROUP_ASSERT(n <= window);
    // 64 packets at a time: two bit planes (direction, IPv6), one bit per packet, held in
    // registers; then each policy's bits in order. Appending each packet to its policy's list
    // as it was read made each packet wait for the previous one's count, stored and reloaded
    // through an array indexed by policy: twice as long (measured).
    std::array<std::size_t, 4> count{};
    for (std::size_t base = 0; base < n; base += 64) {
      const std::size_t w = std::min<std::size_t>(64, n - base);
      std::uint64_t outbound = 0, v6 = 0;
      for (std::size_t k = 0; k < w; ++k) {
        outbound |= std::uint64_t{packets[base + k].direction == direction::outbound} << k;
        v6 |= std::uint64_t{packets[base + k].remote.af != family::v4} << k;
      }
      const std::uint64_t all = w == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << w) - 1;
      // in policy_of's order: IPv4 inbound, outbound, IPv6 inbound, outbound
      const std::array<std::uint64_t, 4> masks{all & ~outbound & ~v6, outbound & ~v6,
                                               all & ~outbound & v6, outbound & v6};
      for (std::size_t pol = 0; pol < 4; ++pol) {
        std::size_t c = count[pol];
        for (auto m = masks[pol]; m != 0; m &= m - 1)
          share[pol][c++] = static_cast<std::uint8_t>(base + __builtin_ctzll(m));
        count[pol] = c;
      }
    }
    return count;
  }

  /// Decides `in` into `out`: a group of up to 64 packets of one policy together (find_many);
  /// where the policies mix, a window of up to 256 packets shared out by policy, each policy's
  /// share in as few groups as it fills, of even sizes (mixing two policies evenly, groups of
  /// about 64 rather than two of about 32 per 64 packets: their misses overlap more).
  template <isa I, bool Apart>
  void evaluate_many(std::span<const packet> in, std::span<decision> out) const {
    constexpr std::size_t lanes = compiled_policy<ipv4_space>::max_batch;
    static_assert(compiled_policy<ipv6_space>::max_batch >= lanes && lanes <= window);
    policy_shares share;
    auto all = [](std::size_t j) { return j; };
    bool one_before = true;  // whether the packets before were of one policy
    for (std::size_t at = 0; at < in.size();) {
      const std::size_t n = std::min(lanes, in.size() - at);
      const packet* group = in.data() + at;
      decision* decided = out.data() + at;
      const std::size_t first = policy_of(group[0]);
      // A group whose last packet is of another policy than its first is mixed: checking that
      // spares traffic mixing two policies evenly half its optimistic passes in vain (each
      // reads every packet and counts every descent's top level). Checking 3 or 8 packets
      // spared more of them but cost traffic of one policy 2-3 % (measured).
      if (one_before && policy_of(group[n - 1]) == first) {
        // As if the group held one policy, as the packets before did (the usual case): checked
        // as the packets are read, a pass less than checking first.
        const auto dir = static_cast<unsigned>(group[0].direction);
        const auto af = static_cast<unsigned>(group[0].remote.af);
        unsigned differ = 0;  // nonzero once a packet differs from the first in direction or family
        if (decide_together<I, Apart>(
                first, n, all, group, decided,
                [&](const packet& p) {
                  differ |= (static_cast<unsigned>(p.direction) ^ dir) |
                            (static_cast<unsigned>(p.remote.af) ^ af);
                },
                [&] { return differ == 0; })) {
          at += n;
          continue;
        }
      }
      const std::size_t shared = std::min(window, in.size() - at);
      const auto count = share_by_policy(group, shared, share);
      one_before = count[first] == shared;
      for (std::size_t pol = 0; pol < 4; ++pol) {
        const std::size_t groups = (count[pol] + lanes - 1) / lanes;
        for (std::size_t k = 0, from = 0; k < groups; ++k) {
          const std::size_t to = count[pol] * (k + 1) / groups;
          const auto* slot = share[pol].data() + from;
          decide_together<I, Apart>(
              pol, to - from, [slot](std::size_t j) { return slot[j]; }, group, decided,
              [](const packet&) {}, [] { return true; });
          from = to;
        }
      }
      at += shared;
    }
  }

  /// evaluate_many<i>, for an `i` this CPU runs, reading values apart when a policy is large
  /// (compiled_policy::find_many). Each choice is a function of its own: inlined together, the
  /// two made the small tables' batches up to 10 % slower (registers spilled in their loops).
  void evaluate_many(std::span<const packet> in, std::span<decision> out, isa i) const {
#if SECGROUP_X86_DISPATCH
    if (i == isa::avx512)
      return values_apart_ ? evaluate_many_avx512<true>(in, out)
                           : evaluate_many_avx512<false>(in, out);
    if (i == isa::avx2)
      return values_apart_ ? evaluate_many_avx2<true>(in, out) : evaluate_many_avx2<false>(in, out);
#endif
    return values_apart_ ? evaluate_many_baseline<true>(in, out)
                         : evaluate_many_baseline<false>(in, out);
  }

  /// evaluate_many<baseline, Apart> out of line, as the vector kernels' are.
  template <bool Apart>
  [[gnu::noinline]] void evaluate_many_baseline(std::span<const packet> in,
                                                std::span<decision> out) const {
    evaluate_many<isa::baseline, Apart>(in, out);
  }
#if SECGROUP_X86_DISPATCH
  // clang-format off
  template <bool Apart>
  [[gnu::noinline]] SECGROUP_TARGET("avx512f,popcnt") SECGROUP_FLATTEN
  void evaluate_many_avx512(std::span<const packet> in, std::span<decision> out) const {
    evaluate_many<isa::avx512, Apart>(in, out);
  }
  template <bool Apart>
  [[gnu::noinline]] SECGROUP_TARGET("avx2,popcnt") SECGROUP_FLATTEN
  void evaluate_many_avx2(std::span<const packet> in, std::span<decision> out) const {
    evaluate_many<isa::avx2, Apart>(in, out);
  }
  // clang-format on
#endif

  std::array<compiled_policy<ipv4_space>, 2> v4_;
  std::array<compiled_policy<ipv6_space>, 2> v6_;
  bool values_apart_ = false;  // whether a policy is large(): batches read values apart
};

SECGROUP_END_NAMESPACE
