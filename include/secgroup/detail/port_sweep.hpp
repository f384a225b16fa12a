// secgroup/detail/port_sweep.hpp: the first two matching rules of every point of a policy,
// swept along the port axis, repainting each port class only where a rule starts or stops.
//
// The anomaly analysis needs, for every point of one protocol class, its first and second
// matching rule, and each rule's effective region (the points it decides) as boxes. Painting
// every elementary port class over the whole address axis (the painter) costs port classes ×
// segments, which multiplies when rules have many distinct port ranges. But between a port
// class and the next, only the rules starting or stopping there change, so only the global
// address segments they cover (the class's dirty segments) can change owners. The sweep keeps
// each segment's owners from one port class to the next and repaints the dirty segments alone,
// compacted into a dense axis, with the candidates holding the port class that meet them
// (detail::layered_owners, two layers). It reports to a visitor:
//   - owners(first, second): every (first, second) pair that a dirty segment takes and did not
//     hold before (once per run of equal pairs), first != decision::no_rule;
//   - region(rule, box): the effective region of each rule as disjoint boxes, each a run of
//     address segments times the port classes over which that run's first owner stayed the
//     same: a box closes when its owner changes, and every box at the end of the protocol class;
//   - opposite(rule, box), when asked: for each candidate holding the port class and meeting
//     its dirty segments, one run of them (within the port class) decided by the first owner's
//     action other than the candidate's, if there is one. Every point of a candidate's box is
//     checked this way at the port class where its owner was last set, which the candidate then
//     held (a candidate's segments are all dirty at the port class where it starts).
// Cost per protocol class: O(port classes × candidates + dirty segments + global segments);
// stress-ranges-10k has 2.9 M dirty segments in all against 23.7 M segments × port classes.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../decision.hpp"
#include "../space.hpp"
#include "painter.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace detail {

/// Sweeps the port axis of each protocol class of one policy (see the file comment). Keeps a
/// reference to the policy.
template <class S>
class port_sweep {
 public:
  using address_type = typename S::address_type;
  using port_type = typename S::port_type;

  explicit port_sweep(const policy<S>& pol) : pol_(pol), axis_(pol) {
    const auto n = axis_.size();
    first_.resize(n);
    second_.resize(n);
    since_.resize(n);
    global_.resize(n);
    change_.resize(n + 1);
    run_end_.resize(n);
  }

  /// Sweeps protocol class `c`, calling v.owners(first, second), v.region(rule, box) and, with
  /// `opposites`, v.opposite(rule, box) as the file comment says.
  template <class Visitor>
  void sweep(proto_class c, bool opposites, Visitor&& v) {
    class_.start(pol_, axis_, c);
    std::fill(first_.begin(), first_.end(), decision::no_rule);
    std::fill(second_.begin(), second_.end(), decision::no_rule);
    list_changes();
    for (std::size_t j = 0; j < class_.port_class_count(); ++j) {
      const auto ports = class_.port_class(j);
      mark_dirty(j);
      paint_dirty(j);
      update(ports, v);
      if (opposites) find_opposites(ports, v);
    }
    close_all(v);
  }

 private:
  /// Lists the candidates starting or stopping at each port class: changes_[from_[j] ..
  /// from_[j + 1]).
  void list_changes() {
    const auto classes = class_.port_class_count();
    std::vector<std::pair<std::uint32_t, std::uint32_t>> events;  // (port class, rule)
    const auto& starts = class_.port_starts;
    auto index_of = [&](port_type p) {
      return static_cast<std::uint32_t>(std::lower_bound(starts.begin(), starts.end(), p) -
                                        starts.begin());
    };
    for (auto i : class_.rules) {
      if (!has_ports(class_.cls)) {
        events.push_back({0, i});
        continue;
      }
      const auto& p = pol_.rules[i].match.ports;
      events.push_back({index_of(p.lo), i});
      if (p.hi < S::max_port) events.push_back({index_of(port_type(p.hi + 1)), i});
    }
    std::sort(events.begin(), events.end());
    from_.assign(classes + 1, 0);
    changes_.clear();
    for (const auto& [j, i] : events) {
      ++from_[j + 1];
      changes_.push_back(i);
    }
    for (std::size_t j = 1; j < from_.size(); ++j) from_[j] += from_[j - 1];
  }

  /// The dirty segments of port class `j`: the union of the ranges of the rules starting or
  /// stopping there, as disjoint ascending intervals (dirty_), with their compact offsets.
  void mark_dirty(std::size_t j) {
    dirty_.clear();
    for (auto k = from_[j]; k < from_[j + 1]; ++k) {
      const auto [lo, hi] = axis_.ranges[changes_[k]];
      dirty_.push_back({lo, hi, 0});
    }
    std::sort(dirty_.begin(), dirty_.end(),
              [](const interval_at& a, const interval_at& b) { return a.lo < b.lo; });
    std::size_t out = 0;
    for (std::size_t k = 0; k < dirty_.size(); ++k) {
      if (out > 0 && dirty_[k].lo <= dirty_[out - 1].hi)
        dirty_[out - 1].hi = std::max(dirty_[out - 1].hi, dirty_[k].hi);
      else
        dirty_[out++] = dirty_[k];
    }
    dirty_.resize(out);
    std::uint32_t offset = 0;
    for (auto& d : dirty_) {
      d.offset = offset;
      offset += d.hi - d.lo;
    }
    dirty_count_ = offset;
  }

  /// The compact index of global segment bound `k`: the number of dirty segments before it.
  std::uint32_t compact(std::uint32_t k) const {
    auto it = std::partition_point(dirty_.begin(), dirty_.end(),
                                   [&](const interval_at& d) { return d.hi <= k; });
    if (it == dirty_.end()) return dirty_count_;
    return it->offset + (k > it->lo ? k - it->lo : 0);
  }

  /// Paints the candidates holding port class `j` onto its dirty segments, compacted; lists
  /// those meeting them in spans_.
  void paint_dirty(std::size_t j) {
    spans_.clear();
    owners_.reset(dirty_count_);
    bool free = dirty_count_ > 0;
    for (auto i : class_.rules) {
      if (!class_.holds(pol_, i, j)) continue;
      const auto lo = compact(axis_.ranges[i].first), hi = compact(axis_.ranges[i].second);
      if (lo >= hi) continue;
      spans_.push_back({i, lo, hi});
      if (free) free = owners_.take(i, lo, hi);
    }
  }

  /// A box of a rule's effective region being closed, merged with its neighbours.
  struct pending_box {
    std::uint32_t rule = decision::no_rule;
    port_type since = 0;
    std::uint32_t lo = 0, hi = 0;  // global segments [lo, hi)
  };

  /// Closes the box of segment `k`'s first owner over ports [since_[k], last_port].
  template <class Visitor>
  void close(std::uint32_t k, port_type last_port, Visitor& v) {
    const auto rule = first_[k];
    if (rule == decision::no_rule) return;
    if (pending_.rule == rule && pending_.since == since_[k] && pending_.hi == k) {
      pending_.hi = k + 1;
      pending_last_ = last_port;
      return;
    }
    flush(v);
    pending_ = {rule, since_[k], k, k + 1};
    pending_last_ = last_port;
  }
  template <class Visitor>
  void flush(Visitor& v) {
    if (pending_.rule == decision::no_rule) return;
    v.region(pending_.rule, box<S>{mask_of(class_.cls), axis_.addresses(pending_.lo, pending_.hi),
                                   {pending_.since, pending_last_}});
    pending_.rule = decision::no_rule;
  }

  /// Takes the new owners of the dirty segments: reports new pairs, closes the boxes of
  /// changed first owners.
  template <class Visitor>
  void update(const interval<port_type>& ports, Visitor& v) {
    std::uint32_t t = 0;
    std::pair<std::uint32_t, std::uint32_t> reported{decision::no_rule, decision::no_rule};
    for (const auto& d : dirty_) {
      for (auto k = d.lo; k < d.hi; ++k, ++t) {
        global_[t] = k;
        run_end_[t] = d.offset + (d.hi - d.lo);
        const auto f = owners_.owner(0)[t], s = owners_.owner(1)[t];
        if (f == first_[k] && s == second_[k]) continue;
        if (f != first_[k]) {
          if (ports.lo > 0) close(k, port_type(ports.lo - 1), v);
          since_[k] = ports.lo;
        }
        first_[k] = f;
        second_[k] = s;
        if (f != decision::no_rule && std::pair(f, s) != reported) {
          reported = {f, s};
          v.owners(f, s);
        }
      }
    }
    flush(v);
  }

  /// Reports, for each candidate meeting the dirty segments, one run of them decided with the
  /// other action.
  template <class Visitor>
  void find_opposites(const interval<port_type>& ports, Visitor& v) {
    const auto n = dirty_count_;
    // change_[t]: the first compact segment after t whose first owner's action differs.
    change_[n] = n;
    for (auto t = n; t-- > 0;)
      change_[t] = t + 1 < n && pol_.action_of(owners_.owner(0)[t + 1]) == pol_.action_of(owners_.owner(0)[t])
                       ? change_[t + 1]
                       : t + 1;
    for (const auto& s : spans_) {
      const auto a = pol_.rules[s.rule].action;
      const auto at = pol_.action_of(owners_.owner(0)[s.lo]) != a ? s.lo : change_[s.lo];
      if (at >= s.hi) continue;
      const auto end = std::min({change_[at], s.hi, run_end_[at]});
      v.opposite(s.rule, box<S>{mask_of(class_.cls),
                                axis_.addresses(global_[at], global_[end - 1] + 1), ports});
    }
  }

  /// Closes every box still open at the end of the protocol class.
  template <class Visitor>
  void close_all(Visitor& v) {
    const port_type top = has_ports(class_.cls) ? S::max_port : 0;
    for (std::uint32_t k = 0; k < axis_.size(); ++k) close(k, top, v);
    flush(v);
  }

  struct interval_at {
    std::uint32_t lo, hi;  // global segments [lo, hi)
    std::uint32_t offset;  // compact index of lo
  };

  const policy<S>& pol_;
  address_axis<S> axis_;
  class_candidates<S> class_;
  std::vector<std::uint32_t> from_, changes_;  // rules starting or stopping, by port class
  // Per global segment, as of the last port class: the first two owners, and the first port
  // of the open box of the first owner.
  std::vector<std::uint32_t> first_, second_;
  std::vector<port_type> since_;
  // The current port class, on its compacted dirty segments.
  std::vector<interval_at> dirty_;
  std::uint32_t dirty_count_ = 0;
  struct span {
    std::uint32_t rule, lo, hi;  // a candidate meeting the dirty segments: compact [lo, hi)
  };
  std::vector<span> spans_;
  layered_owners<2> owners_;
  std::vector<std::uint32_t> global_;   // compact -> global segment
  std::vector<std::uint32_t> run_end_;  // compact end of the dirty interval of t
  std::vector<std::uint32_t> change_;
  pending_box pending_;
  port_type pending_last_ = 0;
};

}  // namespace detail
SECGROUP_END_NAMESPACE
