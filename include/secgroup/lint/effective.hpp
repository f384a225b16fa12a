// secgroup/lint/effective.hpp: the effective policy of a group, as the lint checks query it.
//
// effective_group lowers a group's four (direction, family) policies once and builds their
// first-match partitions (partition.hpp); scan() then walks the partition regions inside a box
// (protocol classes × address ranges × port interval) and reports, exactly, what decides
// them: whether some packet is accepted / dropped / left to the default policy, the most
// readable witness of each (analysis::evaluate_query's preferences, then well-known and global
// unicast addresses first, so the answer equals evaluate_query's over the same box), the rules
// deciding accepted and dropped packets, and the accepted addresses per family. scan_rule() does
// the same for the packets one rule decides, from its effective boxes (a sweep of the port axis,
// detail/port_sweep.hpp, built once): walking the regions of the rule's box instead cost every
// port class the box spans, per rule asked about. Nothing here reads a rule in isolation: every
// answer comes from the partition, i.e. first match with the default rules and default policies.
// Also here: sets of addresses of one family (range_set, an interval_set of address values) and
// "the internet" built from catalogue.hpp's non-public ranges.
// Cost: building is O(partition) per direction and family; a scan is O(regions met); evaluate()
// is a lookup in the partition (it was a linear scan of the rules: a 10K-rule group's thousands
// of anomaly witnesses cost O(witnesses × rules), most of lint's time at that size).
// NOTE: falls_to_default() used to build the partition of the rules after the one asked about,
// one partition per call (cubic in rules over a group's redundant rules); the last-match
// partition (the rules reversed, built once) answers the same question: a packet a rule decides
// matches no later rule iff that rule is also its last match.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "../address.hpp"
#include "../analysis/exposure.hpp"
#include "../analysis/query.hpp"
#include "../analysis/witness.hpp"
#include "../config.hpp"
#include "../decision.hpp"
#include "../detail/port_sweep.hpp"
#include "../detail/sorted.hpp"
#include "../interval_set.hpp"
#include "../lower.hpp"
#include "../partition.hpp"
#include "../security_group.hpp"
#include "../space.hpp"
#include "catalogue.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace lint {

/// Addresses of one family, as the values of their ip_address (IPv4 in the low 32 bits); the
/// family is the caller's to know (per-family arrays are indexed by index_of()).
using range_set = interval_set<uint128>;

/// Index of a family in per-family arrays: 0 for IPv4, 1 for IPv6.
constexpr std::size_t index_of(family f) { return f == family::v4 ? 0 : 1; }
inline constexpr std::array<family, 2> both_families{family::v4, family::v6};

// -- Range sets -----------------------------------------------------------------------------

/// The largest address value of family `f`.
constexpr uint128 uint128_max_of(family f) {
  return f == family::v4 ? uint128{0xffffffffu} : secgroup::detail::uint128_max;
}

/// Every address value of family `f`: the universe its range sets are complemented in.
constexpr interval<uint128> universe_of(family f) { return {uint128{}, uint128_max_of(f)}; }

/// Returns the networks of family `f` whose union is `s`, in ascending order; when there are
/// more than `at_most`, only the first at_most + 1 (enough to tell that there are more).
inline std::vector<ip_network> networks_of(const range_set& s, family f,
                                           std::size_t at_most = static_cast<std::size_t>(-1)) {
  std::vector<ip_network> out;
  for (const auto& r : s) {
    auto part = to_networks({f, r.lo}, {f, r.hi});
    out.insert(out.end(), part.begin(), part.end());
    if (out.size() > at_most) {
      out.resize(at_most + 1);
      break;
    }
  }
  return out;
}

/// Returns the addresses of `networks` of family `f`.
inline range_set ranges_of(const std::vector<ip_network>& networks, family f) {
  std::vector<interval<uint128>> out;
  for (const auto& n : networks)
    if (n.af() == f) out.push_back({n.first().value, n.last().value});
  return range_set(std::move(out));
}

/// Returns the addresses of `ranges` (of one family, as exposure_entry::accepted holds them).
inline range_set ranges_of(const std::vector<analysis::address_range>& ranges) {
  range_set out;
  for (const auto& r : ranges) out.add({r.first.value, r.last.value});
  return out;
}

/// Returns every address of family `f`.
inline range_set whole_family(family f) { return range_set{universe_of(f)}; }

// -- The internet ---------------------------------------------------------------------------

/// The public addresses of both families: every address outside the non-public ranges and
/// the caller's trusted ranges.
struct internet {
  std::array<range_set, 2> ranges;  ///< by index_of(family)
  std::array<uint128, 2> size;      ///< number of addresses of each family

  /// Returns the public addresses of family `f`.
  const range_set& of(family f) const { return ranges[index_of(f)]; }
  /// True iff `s` (of family `f`) holds every public address of `f`.
  bool all_of(family f, const range_set& s) const { return s.includes(of(f)); }
};

/// Returns the internet minus `trusted` (networks the user treats as their own).
inline internet make_internet(const std::vector<ip_network>& trusted = {}) {
  std::vector<ip_network> excluded = trusted;
  for (const auto& r : non_public_ranges) excluded.push_back(parse_network(r.cidr));
  internet out;
  for (auto f : both_families) {
    out.ranges[index_of(f)] = complement(ranges_of(excluded, f), universe_of(f));
    out.size[index_of(f)] = out.ranges[index_of(f)].count();
  }
  return out;
}

// -- Scans of the effective policy ----------------------------------------------------------

/// The union of the address runs a scan meets, gathered without sorting every run met. A scan
/// meets ascending sequences of runs (one per port class and remote range), mostly the same
/// addresses again: a run that continues the last one kept extends it; a run inside the runs
/// merged so far is dropped, found by a cursor that moves forward along a sequence (restarted
/// when a sequence starts); the runs kept since are merged in when they outnumber the merged.
class address_runs {
 public:
  void add(const interval<uint128>& run) {
    if (run.lo < last_lo_) cursor_ = 0;  // a new sequence
    last_lo_ = run.lo;
    while (cursor_ < merged_ && runs_[cursor_].hi < run.lo) ++cursor_;
    if (cursor_ < merged_ && runs_[cursor_].lo <= run.lo && run.hi <= runs_[cursor_].hi) return;
    if (runs_.size() > merged_) {  // extend the last run kept since the merge
      auto& last = runs_.back();
      if (last.lo <= run.lo && (run.lo <= last.hi || run.lo - uint128{1} == last.hi)) {
        last.hi = std::max(last.hi, run.hi);
        return;
      }
    }
    runs_.push_back(run);
    if (runs_.size() - merged_ > std::max<std::size_t>(merged_, 1024)) {
      runs_ = range_set(std::move(runs_)).runs();
      merged_ = runs_.size();
      cursor_ = 0;
    }
  }

  /// The union of the runs added; leaves this empty.
  range_set take() {
    range_set out(std::move(runs_));
    *this = {};
    return out;
  }

 private:
  std::vector<interval<uint128>> runs_;
  std::size_t merged_ = 0;  // runs_[0, merged_): ascending, disjoint, not adjacent
  std::size_t cursor_ = 0;  // in the merged runs: none before it ends at or after last_lo_
  uint128 last_lo_{};
};

/// What decides the packets of a box, from the first-match partition.
struct region_scan {
  std::optional<analysis::query_witness> accepted;    ///< most readable accepted packet
  std::optional<analysis::query_witness> dropped;     ///< most readable dropped packet
  std::optional<analysis::query_witness> by_default;  ///< most readable default-decided packet
  std::vector<std::uint32_t> accept_rules;            ///< ordered_rules() indices deciding accepts
  std::vector<std::uint32_t> drop_rules;              ///< ordered_rules() indices deciding drops
  bool accept_by_default = false;                     ///< the default policy accepts some packet
  bool drop_by_default = false;                       ///< the default policy drops some packet
  std::array<range_set, 2> accepted_addresses;        ///< remotes of accepted packets, by family

  /// ALL, NONE or PARTIAL, as analysis::evaluate_query answers for the same box.
  analysis::coverage answer() const {
    return accepted && dropped ? analysis::coverage::partial
           : accepted          ? analysis::coverage::all
                               : analysis::coverage::none;
  }
  /// The deciding rules of either action (ascending, no duplicates).
  std::vector<std::uint32_t> rules() const {
    auto out = accept_rules;
    out.insert(out.end(), drop_rules.begin(), drop_rules.end());
    secgroup::detail::sort_unique(out);
    return out;
  }

  /// Adds the results of `o` (another box) to these.
  void merge(const region_scan& o) {
    keep(accepted, accepted_rank, o.accepted, o.accepted_rank);
    keep(dropped, dropped_rank, o.dropped, o.dropped_rank);
    keep(by_default, default_rank, o.by_default, o.default_rank);
    append(accept_rules, o.accept_rules);
    append(drop_rules, o.drop_rules);
    accept_by_default = accept_by_default || o.accept_by_default;
    drop_by_default = drop_by_default || o.drop_by_default;
    for (std::size_t f = 0; f < 2; ++f) accepted_addresses[f] |= o.accepted_addresses[f];
  }

  /// Ranks of the witnesses: (protocol class, preferred port, family, address); smaller is
  /// better.
  using rank_type = std::tuple<int, int, int, int>;
  rank_type accepted_rank{}, dropped_rank{}, default_rank{};

 private:
  static void keep(std::optional<analysis::query_witness>& w, rank_type& rank,
                   const std::optional<analysis::query_witness>& other,
                   const rank_type& other_rank) {
    if (other && (!w || other_rank < rank)) {
      w = other;
      rank = other_rank;
    }
  }
  static void append(std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
    a.insert(a.end(), b.begin(), b.end());
    secgroup::detail::sort_unique(a);
  }
  // While a scan runs: the accepted regions' addresses, by family.
  std::array<address_runs, 2> accepted_runs_;
  // While a scan of many regions runs: the rules listed so far, by index (a region's rule is
  // listed once, not once per region: sorting a list per region cost 7 % of lint on
  // stress-ranges-10k). Empty for a scan of one rule's regions.
  std::vector<bool> listed_;
  friend class effective_group;
};

/// A group's four first-match partitions, queried by the lint checks.
class effective_group {
 public:
  explicit effective_group(const security_group& g) : group_(g), rules_(ordered_rules(g)) {
    for (auto d : {direction::inbound, direction::outbound}) {
      v4_.emplace_back(rules_, d, g.default_policy(d));
      v6_.emplace_back(rules_, d, g.default_policy(d));
    }
  }

  const security_group& group() const { return group_; }
  /// ordered_rules(group()): what rule indices refer to.
  const std::vector<rule>& rules() const { return rules_; }
  /// Returns how the group decides `p`: its first match in the partition of `p`'s direction
  /// and family, the decision reference_evaluator gives (tests/lint/scale.test.cpp). Cost: a
  /// few binary searches, not a scan of the rules (a 10K-rule group has thousands of witnesses
  /// to decide).
  decision evaluate(const packet& p) const {
    return p.remote.af == family::v4 ? decide<family::v4>(p) : decide<family::v6>(p);
  }

  /// Returns what decides the packets of direction `d`, protocol classes `protocols`, remote
  /// addresses `remotes` (by family; each run is clipped separately, in ascending order) and
  /// ports `ports` (TCP and UDP only).
  region_scan scan(direction d, proto_mask protocols, const std::array<range_set, 2>& remotes,
                   interval<std::uint32_t> ports) const {
    return scan_each(d, protocols, remotes, std::array{ports});
  }

  /// scan() over several port intervals: the merge of their scans, the rules and addresses
  /// sorted once at the end (merging scan after scan sorted the rules gathered so far at each:
  /// quadratic over many intervals, as stress-ranges-10k's SG008 had).
  region_scan scan(direction d, proto_mask protocols, const std::array<range_set, 2>& remotes,
                   const interval_set<std::uint32_t>& ports) const {
    return scan_each(d, protocols, remotes, ports);
  }

  /// scan() over every address of both families.
  region_scan scan_all(direction d, proto_mask protocols, interval<std::uint32_t> ports) const {
    return scan(d, protocols, {whole_family(family::v4), whole_family(family::v6)}, ports);
  }
  /// The same over several port intervals.
  region_scan scan_all(direction d, proto_mask protocols,
                       const interval_set<std::uint32_t>& ports) const {
    return scan(d, protocols, {whole_family(family::v4), whole_family(family::v6)}, ports);
  }

  /// Returns the packets that rule `index` (of rules()) decides, among remotes `within` (of
  /// the rule's family).
  region_scan scan_rule(std::uint32_t index, const range_set& within) const {
    const auto& r = rules_[index];
    region_scan out;
    if (r.ip_range.af() == family::v4)
      scan_family<family::v4>(r.direction, 0, within, {}, index, true, out);
    else
      scan_family<family::v6>(r.direction, 0, within, {}, index, true, out);
    finish(out);
    return out;
  }

  /// analysis::exposure(group(), d), from the partitions built here (not built again).
  std::vector<analysis::exposure_entry> exposure(direction d) const {
    std::vector<analysis::exposure_entry> out;
    const auto& v4 = side_of<family::v4>(d);
    const auto& v6 = side_of<family::v6>(d);
    analysis::detail::add_exposure<family::v4>(v4.pol, v4.part, out);
    analysis::detail::add_exposure<family::v6>(v6.pol, v6.part, out);
    analysis::detail::sort_exposure(out);
    return out;
  }

  /// True iff some packet that rule `index` decides matches no later rule of its direction and
  /// family, so that without the rule the default policy decides it. Cost: the regions of the
  /// rule's box in two partitions (the first-match one and the last-match one, built once).
  bool falls_to_default(std::uint32_t index) const {
    return rules_[index].ip_range.af() == family::v4 ? falls_to_default<family::v4>(index)
                                                     : falls_to_default<family::v6>(index);
  }

 private:
  /// scan() of each port interval of `ports` in turn, into one result (in the order merge()
  /// would take their scans: the same witnesses).
  template <class Ports>
  region_scan scan_each(direction d, proto_mask protocols, const std::array<range_set, 2>& remotes,
                        const Ports& ports) const {
    region_scan out;
    out.listed_.assign(rules_.size(), false);
    for (const auto& p : ports) {
      scan_family<family::v4>(d, protocols, remotes[0], p, decision::no_rule, false, out);
      scan_family<family::v6>(d, protocols, remotes[1], p, decision::no_rule, false, out);
    }
    finish(out);
    return out;
  }

  template <family F>
  decision decide(const packet& p) const {
    const auto& s = side_of<F>(p.direction);
    return s.pol.decision_of(s.part.find(point_of<space_of<F>>(p)));
  }

  template <family F>
  bool falls_to_default(std::uint32_t index) const {
    using S = space_of<F>;
    const auto& s = side_of<F>(rules_[index].direction);
    const auto position = s.position_of(index);
    if (!position) return false;
    const std::uint32_t j = *position;
    // A packet rule j decides (first match j) matches no later rule iff its last match is j
    // too: look for one in the last-match partition, within j's regions.
    const auto& last = s.last_match();
    const auto last_j = static_cast<std::uint32_t>(s.pol.rules.size() - 1 - j);
    bool found = false;
    s.part.for_each_region_in(
        s.pol.rules[j].match, [&](proto_class c, const auto& a, const auto& p, std::uint32_t rule) {
          if (found || rule != j) return;
          last.for_each_region_in(box<S>{mask_of(c), a, p},
                                  [&](auto, const auto&, const auto&, std::uint32_t r) {
                                    found = found || r == last_j;
                                  });
        });
    return found;
  }

  template <family F>
  struct side {
    policy<space_of<F>> pol;
    partition<space_of<F>> part;
    side(const std::vector<rule>& rules, direction d, action default_action)
        : pol(lower<F>(rules, d, default_action)), part(pol) {}

    /// The index in pol.rules of rule `index` of rules(), when it is of this side. A binary
    /// search (origin ascends: lower() keeps the rules' order), not a scan: lint asks for every
    /// rule, which a scan made quadratic.
    std::optional<std::uint32_t> position_of(std::uint32_t index) const {
      const auto it = std::lower_bound(pol.origin.begin(), pol.origin.end(), index);
      if (it == pol.origin.end() || *it != index) return std::nullopt;
      return static_cast<std::uint32_t>(it - pol.origin.begin());
    }

    /// The partition of the rules in reverse order: each point's last matching rule, as the
    /// index into the reversed list (pol.rules.size() - 1 - i for rule i). Built on first use.
    const partition<space_of<F>>& last_match() const {
      if (!last_) {
        policy<space_of<F>> reversed;
        reversed.default_action = pol.default_action;
        reversed.rules.assign(pol.rules.rbegin(), pol.rules.rend());
        reversed.origin.assign(pol.origin.rbegin(), pol.origin.rend());
        last_.emplace(reversed);
      }
      return *last_;
    }

    /// The packets each rule decides (E_i), as disjoint boxes in canonical order (class,
    /// ports, addresses), from a sweep of the port axis (detail/port_sweep.hpp). Built on first
    /// use.
    const std::vector<box<space_of<F>>>& effective(std::uint32_t i) const {
      if (!effective_) {
        using S = space_of<F>;
        struct collect {
          std::vector<std::vector<box<S>>>& out;
          void owners(std::uint32_t, std::uint32_t) {}
          void region(std::uint32_t rule, const box<S>& b) { out[rule].push_back(b); }
          void opposite(std::uint32_t, const box<S>&) {}
        };
        std::vector<std::vector<box<S>>> boxes(pol.rules.size());
        secgroup::detail::port_sweep<S> sweep(pol);
        for (auto c : all_proto_classes)
          sweep.sweep(c, {.regions = true, .opposites = false}, collect{boxes});
        for (auto& b : boxes)
          std::sort(b.begin(), b.end(), [](const box<S>& x, const box<S>& y) {
            return std::tuple(__builtin_ctz(x.protocols), x.ports.lo, x.addresses.lo) <
                   std::tuple(__builtin_ctz(y.protocols), y.ports.lo, y.addresses.lo);
          });
        effective_ = std::move(boxes);
      }
      return (*effective_)[i];
    }

   private:
    mutable std::optional<partition<space_of<F>>> last_;
    mutable std::optional<std::vector<std::vector<box<space_of<F>>>>> effective_;
  };

  template <family F>
  const side<F>& side_of(direction d) const {
    const auto k = d == direction::inbound ? 0u : 1u;
    if constexpr (F == family::v4)
      return v4_[k];
    else
      return v6_[k];
  }

  /// Offers the regions of `remotes` × `protocols` × `ports` to `out`; with `only_rule`, the
  /// box is that rule's own and only the regions it decides count.
  template <family F>
  void scan_family(direction d, proto_mask protocols, const range_set& remotes,
                   interval<std::uint32_t> ports, std::uint32_t rule_index, bool only_rule,
                   region_scan& out) const {
    using S = space_of<F>;
    const auto& s = side_of<F>(d);
    box<S> base{protocols, {typename S::address_type{}, S::max_address}, ports};
    std::uint32_t wanted = decision::no_rule;
    if (only_rule) {
      const auto position = s.position_of(rule_index);
      if (!position) return;
      wanted = *position;
      base = s.pol.rules[wanted].match;
    }
    for (const auto& r : remotes) {
      box<S> b = base;
      const interval<typename S::address_type> remote{
          secgroup::detail::address_value<S>({F, r.lo}),
          secgroup::detail::address_value<S>({F, r.hi})};
      b.addresses = intersect(b.addresses, remote);
      if (b.addresses.empty()) continue;
      if (only_rule) {  // the rule's own packets: its effective boxes, not every region
        for (const auto& e : s.effective(wanted)) {  // each inside the rule's box
          const auto a = intersect(e.addresses, b.addresses);
          if (a.empty()) continue;
          const auto c = all_proto_classes[static_cast<std::size_t>(__builtin_ctz(e.protocols))];
          offer<F>(s.pol, d, c, a, e.ports, wanted, out);
        }
        continue;
      }
      s.part.for_each_region_in(
          b, [&](proto_class c, const auto& a, const auto& p, std::uint32_t rule) {
            offer<F>(s.pol, d, c, a, p, rule, out);
          });
    }
  }

  template <family F>
  static void offer(const policy<space_of<F>>& pol, direction d, proto_class c,
                    const interval<typename space_of<F>::address_type>& a,
                    const interval<std::uint32_t>& p, std::uint32_t rule, region_scan& out) {
    using S = space_of<F>;
    const decision dec = pol.decision_of(rule);
    const auto ranks = analysis::witness_rank<S>(c, p);  // not a binding: lambdas use them
    const int pc = std::get<0>(ranks), port_rank = std::get<1>(ranks);
    const int family_rank = F == family::v4 ? 0 : 1;
    // The witness point is computed only for a slot it may win: ranks compare (class, port,
    // family) first, and no address ranks below 0. Most regions of a large scan lose there.
    std::optional<point<S>> x;
    auto take = [&](std::optional<analysis::query_witness>& slot, region_scan::rank_type& r) {
      if (slot && !(region_scan::rank_type{pc, port_rank, family_rank, 0} < r)) return;
      if (!x) x = analysis::witness_point<S>(c, a, p);
      const region_scan::rank_type rank{pc, port_rank, family_rank, address_rank<F>(x->address)};
      if (slot && !(rank < r)) return;
      slot = analysis::query_witness{analysis::to_packet<F>(*x, d), dec};
      r = rank;
    };
    // Rules are kept as met, each rule once (the repeats next to each other merged, in a scan
    // of one rule's regions; finish() sorts them); address runs go to address_runs.
    auto add_rule = [&out](std::vector<std::uint32_t>& rules, std::uint32_t i) {
      if (out.listed_.empty()) {
        if (rules.empty() || rules.back() != i) rules.push_back(i);
      } else if (!out.listed_[i]) {
        out.listed_[i] = true;
        rules.push_back(i);
      }
    };
    if (dec.action == action::accept) {
      take(out.accepted, out.accepted_rank);
      if (dec.by_default())
        out.accept_by_default = true;
      else
        add_rule(out.accept_rules, dec.rule);
      out.accepted_runs_[index_of(F)].add({uint128(a.lo), uint128(a.hi)});
    } else {
      take(out.dropped, out.dropped_rank);
      if (dec.by_default())
        out.drop_by_default = true;
      else
        add_rule(out.drop_rules, dec.rule);
    }
    if (dec.by_default()) take(out.by_default, out.default_rank);
  }

  /// 0 for a well-known public address (8.8.8.8, 1.1.1.1, 2001:4860:4860::8888), 1 for other
  /// IPv4 and IPv6 global unicast (2000::/3), 2 otherwise.
  template <family F>
  static int address_rank(const typename space_of<F>::address_type& v) {
    if constexpr (F == family::v4) {
      return v == 0x08080808u || v == 0x01010101u ? 0 : 1;
    } else {
      if (v == uint128{0x2001486048600000ull, 0x8888ull}) return 0;
      return (v.hi >> 61) == 1 ? 1 : 2;
    }
  }

  static void finish(region_scan& out) {
    secgroup::detail::sort_unique(out.accept_rules);
    secgroup::detail::sort_unique(out.drop_rules);
    for (std::size_t f = 0; f < 2; ++f) {
      out.accepted_addresses[f] = out.accepted_runs_[f].take();
    }
    out.listed_ = {};
  }

  security_group group_;
  std::vector<rule> rules_;
  std::vector<side<family::v4>> v4_;
  std::vector<side<family::v6>> v6_;
};

}  // namespace lint
SECGROUP_END_NAMESPACE
