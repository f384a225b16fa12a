// secgroup/partition.hpp: the first-match partition of a policy's header space, as flat runs.
//
// For one direction and family: per protocol class, the port axis is cut into port classes
// (every rule's port bounds; neighbours with equal content merge), and each port class points
// to an address map: a run list (first segment, first-matching rule) over the compressed
// address axis (segment k is [starts[k], starts[k+1]) of the rule bounds). Port classes of any
// protocol class whose run lists are equal share one map.
//
// Construction sweeps the port axis of each protocol class (detail/port_sweep.hpp): at each
// port class, the rules holding it paint, in priority order, the address segments of the rules
// starting or stopping there (its dirty segments; elsewhere nothing changed since the port
// class before): a rule claims the dirty segments of its interval that no earlier rule claimed
// (skip pointers jump over claimed runs, so each segment is claimed once), painting stops once
// every dirty segment is claimed, and the new owners are spliced into the previous port
// class's runs. Cost: O(port classes × rules + dirty segments + runs), with no per-segment
// allocation; stress-ranges-10k, with 2,061 port classes, repaints 3.0 M segments instead of
// 23.7 M.
// This is the common source of decision_map (its Boost.ICL form, for analysis) and
// compiled_policy (its flat lookup form); the anomaly analysis sweeps the same way.
// Also here: covers(), whether a union of boxes holds a box, answered by a partition.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <unordered_map>
#include <utility>
#include <vector>

#include "config.hpp"
#include "decision.hpp"
#include "detail/port_sweep.hpp"
#include "space.hpp"

SECGROUP_BEGIN_NAMESPACE

/// The first-match partition of one policy.
template <class S>
class partition {
 public:
  using address_type = typename S::address_type;
  using port_type = typename S::port_type;
  /// A run of an address map: from compressed segment `first` on, rule `rule` (or no_rule)
  /// decides, up to the next run.
  struct run {
    std::uint32_t first;
    std::uint32_t rule;
    friend bool operator==(const run&, const run&) = default;
  };

  explicit partition(const policy<S>& pol) {
    builder b{detail::dirty_painter<S, 1>(pol), *this};
    for (auto c : all_proto_classes) b.build_plane(c);
    address_starts_ = std::move(b.painter).take_address_starts();
  }

  /// Calls `f(addresses, rule)` for the runs of address map `map` in ascending order; they
  /// cover the whole address axis, and neighbours never share a rule (no_rule: the default).
  template <class F>
  void for_each_segment(std::uint32_t map, F&& f) const {
    const auto& runs = maps_[map];
    for (std::size_t j = 0; j < runs.size(); ++j) {
      auto end = j + 1 < runs.size() ? runs[j + 1].first
                                     : static_cast<std::uint32_t>(address_starts_.size());
      f(interval<address_type>{address_starts_[runs[j].first], last_address(end)}, runs[j].rule);
    }
  }

  /// Calls `f(protocol, addresses, ports, rule)` for every region of the partition that meets
  /// box `b`, clipped to it, in canonical order (protocol class, ports, addresses).
  template <class F>
  void for_each_region_in(const box<S>& b, F&& f) const {
    if (b.addresses.empty()) return;
    const auto first = static_cast<std::uint32_t>(segment_of(address_starts_, b.addresses.lo));
    const auto last = static_cast<std::uint32_t>(segment_of(address_starts_, b.addresses.hi));
    for (auto c : all_proto_classes) {
      if (!(b.protocols & mask_of(c))) continue;
      const interval<port_type> want = has_ports(c) ? b.ports : interval<port_type>{0, 0};
      if (want.empty()) continue;
      for (auto j = port_class_of_port(c, want.lo); j < port_class_count(c); ++j) {
        auto ports = port_class(c, j);
        if (want.hi < ports.lo) break;
        ports = intersect(ports, want);
        const auto& runs = maps_[port_class_map(c, j)];
        auto it = std::upper_bound(runs.begin(), runs.end(), first,
                                   [](std::uint32_t v, const run& r) { return v < r.first; });
        for (--it; it != runs.end() && it->first <= last; ++it) {
          auto end = std::next(it) == runs.end()
                         ? static_cast<std::uint32_t>(address_starts_.size())
                         : std::next(it)->first;
          auto a = intersect(interval<address_type>{address_starts_[it->first], last_address(end)},
                             b.addresses);
          f(c, a, ports, it->rule);
        }
      }
    }
  }

  /// Returns the index of the first rule holding point `x`, or decision::no_rule (the
  /// default). Cost: three binary searches (port class, address segment, run); no allocation.
  std::uint32_t find(const point<S>& x) const {
    const auto& runs = maps_[port_class_map(x.protocol, port_class_of(x))];
    const auto segment = static_cast<std::uint32_t>(segment_of(address_starts_, x.address));
    auto it = std::upper_bound(runs.begin(), runs.end(), segment,
                               [](std::uint32_t v, const run& r) { return v < r.first; });
    return std::prev(it)->rule;  // the first run starts at segment 0
  }

  /// The runs of address map `map`.
  const std::vector<run>& runs(std::uint32_t map) const { return maps_[map]; }
  /// Number of distinct address maps.
  std::size_t map_count() const { return maps_.size(); }
  /// Number of port classes of protocol class `c` (1 for classes without ports).
  std::size_t port_class_count(proto_class c) const { return plane_of(c).maps.size(); }
  /// The ports of port class `j` of protocol class `c` ([0, 0] for classes without ports).
  interval<port_type> port_class(proto_class c, std::size_t j) const {
    return detail::port_class_at<S>(plane_of(c).port_starts, j, c);
  }
  /// The index of the port class holding point `x`.
  std::size_t port_class_of(const point<S>& x) const {
    return port_class_of_port(x.protocol, has_ports(x.protocol) ? x.port : 0u);
  }
  /// The index of the port class of protocol class `c` holding `port` (0 for portless classes).
  std::size_t port_class_of_port(proto_class c, port_type port) const {
    return segment_of(plane_of(c).port_starts, port);
  }
  /// The address map of port class `j` of protocol class `c`.
  std::uint32_t port_class_map(proto_class c, std::size_t j) const { return plane_of(c).maps[j]; }
  /// The elementary address segments' first addresses, ascending; the first is 0.
  const std::vector<address_type>& address_starts() const { return address_starts_; }
  /// The last address of the segments before compressed index `end`.
  address_type last_address(std::uint32_t end) const {
    return detail::last_address<S>(address_starts_, end);
  }

  /// Index of the segment of `starts` (ascending, starting at the minimum) holding `v`.
  template <class T>
  static std::size_t segment_of(const std::vector<T>& starts, const T& v) {
    return detail::segment_of(starts, v);
  }

 private:
  struct plane {
    std::vector<port_type> port_starts;  // port class j = [starts[j], starts[j+1])
    std::vector<std::uint32_t> maps;     // maps[j]: index into maps_
  };
  const plane& plane_of(proto_class c) const { return planes_[static_cast<std::size_t>(c)]; }

  /// Construction state, shared by the four planes so that equal maps are stored once.
  struct builder {
    detail::dirty_painter<S, 1> painter;
    partition& part;
    std::vector<run> runs{}, next{};  // the current port class's runs; the next being built
    std::unordered_map<std::size_t, std::vector<std::uint32_t>> by_hash{};  // hash -> maps

    void build_plane(proto_class c) {
      auto& pl = part.planes_[static_cast<std::size_t>(c)];
      painter.start_class(c);
      runs.assign(1, {0, decision::no_rule});
      const auto& cls = painter.candidates();
      for (std::size_t j = 0; j < cls.port_class_count(); ++j) {
        painter.paint(j, false, [](std::uint32_t, std::uint32_t, std::uint32_t) {});
        splice();
        auto id = map_for(runs);
        if (!pl.maps.empty() && pl.maps.back() == id) continue;  // equal neighbours merge
        pl.port_starts.push_back(cls.port_class(j).lo);
        pl.maps.push_back(id);
      }
    }

    /// Replaces the owners of the dirty segments in `runs` by the painted ones. Cost: O(runs +
    /// dirty segments).
    void splice() {
      next.clear();
      auto emit = [&](std::uint32_t first, std::uint32_t rule) {
        if (next.empty() || next.back().rule != rule) next.push_back({first, rule});
      };
      std::size_t r = 0;                          // the run of `runs` holding segment `at`
      std::uint32_t at = 0;                       // the first segment not emitted yet
      auto copy_until = [&](std::uint32_t end) {  // the old owners of [at, end)
        while (at < end) {
          while (r + 1 < runs.size() && runs[r + 1].first <= at) ++r;
          emit(at, runs[r].rule);
          at = r + 1 < runs.size() ? std::min(end, runs[r + 1].first) : end;
        }
      };
      const auto& painted = painter.owners().owner(0);
      for (const auto& d : painter.dirty().runs()) {
        copy_until(d.lo);
        for (auto k = d.lo; k < d.hi; ++k) emit(k, painted[d.offset + (k - d.lo)]);
        at = d.hi;
      }
      copy_until(painter.axis().size());
      runs.swap(next);
    }

    /// Returns the map holding `content`, storing it on first use.
    std::uint32_t map_for(const std::vector<run>& content) {
      std::size_t h = content.size();
      for (const auto& r : content) h = (h * 1000003u ^ r.first) * 1000003u ^ r.rule;
      auto& bucket = by_hash[h];
      for (auto m : bucket)
        if (part.maps_[m] == content) return m;
      auto id = static_cast<std::uint32_t>(part.maps_.size());
      part.maps_.push_back(content);
      bucket.push_back(id);
      return id;
    }
  };

  std::vector<address_type> address_starts_;
  std::array<plane, proto_class_count> planes_;
  std::vector<std::vector<run>> maps_;
};

/// Returns true iff the union of the boxes of `cover` holds every point of `target`.
template <class S>
bool covers(const std::vector<box<S>>& cover, const box<S>& target) {
  policy<S> pol;
  for (const auto& b : cover) pol.rules.push_back({b, action::accept});
  bool all = true;
  partition<S>(pol).for_each_region_in(target, [&](auto, auto&, auto&, std::uint32_t rule) {
    all = all && rule != decision::no_rule;
  });
  return all;
}

SECGROUP_END_NAMESPACE
