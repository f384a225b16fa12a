// secgroup/decision_map.hpp: every point of the header space with its first-matching rule, as
// Boost.ICL interval maps: the form the analyses work on.
//
// For one policy (a direction and a family): per protocol class, the port axis is cut into port
// classes, and each port class points to an ICL interval_map over the address axis holding the
// first-matching rule of every address segment; unmapped segments fall to the default policy.
// The content comes from the policy's first-match partition (partition.hpp), whose run lists
// enter ICL by hinted insertion at the end, O(1) each; equal maps are stored once.
// The address axis is coordinate-compressed, so ICL works on small unsigned indices whatever
// the address width: this sidesteps ICL's overflow at the top of the domain (255.255.255.255,
// the top of IPv6) and makes 128-bit addresses cost no more than 32-bit ones. Rule indices are
// stored +1, since ICL absorbs the value 0.
// Lookups through ICL walk trees: use compiled_policy on hot paths.
#pragma once

#include <boost/icl/interval_map.hpp>
#include <cstdint>
#include <deque>
#include <utility>

#include "config.hpp"
#include "decision.hpp"
#include "partition.hpp"
#include "space.hpp"

SECGROUP_BEGIN_NAMESPACE

/// A box of the header space that one rule decides, or the default policy (rule == no_rule).
template <class S>
struct region {
  proto_class protocol = proto_class::tcp;
  interval<typename S::address_type> addresses;
  interval<typename S::port_type> ports;   ///< [0, 0] for classes without ports
  std::uint32_t rule = decision::no_rule;  ///< index into the policy's rules
  friend constexpr bool operator==(const region&, const region&) = default;
};

/// The first-match decision map of one policy.
template <class S>
class decision_map {
 public:
  using address_type = typename S::address_type;
  using port_type = typename S::port_type;
  /// An address map: compressed address segments -> rule index + 1.
  using icl_map =
      boost::icl::interval_map<std::uint32_t, std::uint32_t, boost::icl::partial_absorber,
                               std::less, boost::icl::inplace_plus, boost::icl::inter_section,
                               boost::icl::right_open_interval<std::uint32_t>>;

  explicit decision_map(const policy<S>& pol)
      : default_action_(pol.default_action), partition_(pol) {
    const auto segments = static_cast<std::uint32_t>(partition_.address_starts().size());
    for (std::uint32_t m = 0; m < partition_.map_count(); ++m) {
      const auto& runs = partition_.runs(m);
      auto& map = maps_.emplace_back();
      for (std::size_t j = 0; j < runs.size(); ++j) {
        if (runs[j].rule == decision::no_rule) continue;
        auto end = j + 1 < runs.size() ? runs[j + 1].first : segments;
        map.insert(map.end(), std::make_pair(typename icl_map::interval_type(runs[j].first, end),
                                             runs[j].rule + 1));
      }
    }
  }

  /// Returns the index of the first rule holding `x`, or decision::no_rule.
  std::uint32_t find(const point<S>& x) const {
    const auto& m = maps_[partition_.port_class_map(x.protocol, partition_.port_class_of(x))];
    auto it = m.find(static_cast<std::uint32_t>(
        partition<S>::segment_of(partition_.address_starts(), x.address)));
    return it == m.end() ? decision::no_rule : it->second - 1;
  }

  /// Calls `f(addresses, rule)` for the segments of address map `map` in ascending order; they
  /// cover the whole address axis, and neighbours never share a rule (no_rule for the default).
  template <class F>
  void for_each_segment(std::uint32_t map, F&& f) const {
    const auto& starts = partition_.address_starts();
    std::uint32_t next = 0;  // first compressed segment not yet reported
    auto emit = [&](std::uint32_t from, std::uint32_t to, std::uint32_t rule) {
      f(interval<address_type>{starts[from], partition_.last_address(to)}, rule);
    };
    for (const auto& [iv, value] : maps_[map]) {
      if (iv.lower() > next) emit(next, iv.lower(), decision::no_rule);
      emit(iv.lower(), iv.upper(), value - 1);
      next = iv.upper();
    }
    if (next < starts.size())
      emit(next, static_cast<std::uint32_t>(starts.size()), decision::no_rule);
  }

  /// Calls `f(region)` for disjoint regions that together cover the whole space, in canonical
  /// order: by protocol class, then port interval, then address interval. Adjacent regions
  /// along the address axis never share a rule.
  template <class F>
  void for_each_region(F&& f) const {
    for (auto c : all_proto_classes) {
      for (std::size_t j = 0; j < port_class_count(c); ++j) {
        auto ports = port_class(c, j);
        for_each_segment(port_class_map(c, j),
                         [&](const interval<address_type>& a, std::uint32_t rule) {
                           f(region<S>{c, a, ports, rule});
                         });
      }
    }
  }

  /// The action of points no rule holds.
  action default_action() const { return default_action_; }
  /// Number of port classes of protocol class `c` (1 for classes without ports).
  std::size_t port_class_count(proto_class c) const { return partition_.port_class_count(c); }
  /// The ports of port class `j` of protocol class `c` ([0, 0] for classes without ports).
  interval<port_type> port_class(proto_class c, std::size_t j) const {
    return partition_.port_class(c, j);
  }
  /// The address map of port class `j` of protocol class `c`.
  std::uint32_t port_class_map(proto_class c, std::size_t j) const {
    return partition_.port_class_map(c, j);
  }
  /// The ICL address map `map`.
  const icl_map& map(std::uint32_t m) const { return maps_[m]; }
  /// Number of distinct address maps.
  std::size_t map_count() const { return maps_.size(); }
  /// Number of elementary address segments.
  std::size_t address_segment_count() const { return partition_.address_starts().size(); }
  /// The first-match partition the map was built from.
  const partition<S>& parts() const { return partition_; }

 private:
  action default_action_;
  partition<S> partition_;
  std::deque<icl_map> maps_;  // a deque: ICL maps copy (not move) when a vector grows
};

SECGROUP_END_NAMESPACE
