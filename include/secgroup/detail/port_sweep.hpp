// secgroup/detail/port_sweep.hpp: the first two matching rules of every point of a policy,
// swept along the port axis, repainting each port class only where a rule starts or stops.
// dirty_painter (those segments, per port class, painted) serves the partition too.
//
// The anomaly analysis needs, for every point of one protocol class, its first and second
// matching rule, and each rule's effective region (the points it decides) as boxes. Painting
// every elementary port class over the whole address axis (the painter) costs port classes ×
// segments, which multiplies when rules have many distinct port ranges. But between a port
// class and the next, only the rules starting or stopping there change, so only the global
// address segments they cover (the class's dirty segments) can change owners. The sweep keeps
// each segment's owners from one port class to the next and repaints the dirty segments alone,
// compacted into a dense axis (the whole axis when more than half of it is dirty), with the
// candidates holding the port class that meet them (detail::layered_owners, two layers). It
// reports to a visitor:
//   - owners(first, second): every (first, second) pair that a dirty segment takes and did not
//     hold before (once per run of equal pairs), first != decision::no_rule;
//   - region(rule, box), when asked: the effective region of each rule as disjoint boxes, a
//     run of address segments times the port classes over which that run's first owner stayed
//     the same: a box closes when its owner changes, and every box at the end of the protocol
//     class;
//   - opposite(rule, box), when asked: for each candidate holding the port class and meeting
//     its dirty segments, one run of them (within the port class) decided by the first owner's
//     action other than the candidate's, if there is one. Every point of a candidate's box is
//     checked this way at the port class where its owner was last set, which the candidate then
//     held (a candidate's segments are all dirty at the port class where it starts).
// Cost per protocol class: O(port classes × candidates + dirty segments + global segments);
// stress-ranges-10k repaints 3.0 M segments in all against 23.7 M segments × port classes.
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

/// The dirty segments of each port class of one protocol class: the global address segments
/// of the candidates starting or stopping there (all of a candidate's at the port class where
/// it starts), as disjoint ascending intervals, compacted into a dense axis 0..count().
template <class S>
class dirty_segments {
 public:
  /// A run of dirty global segments [lo, hi), the first at compact index `offset`.
  struct run {
    std::uint32_t lo, hi, offset;
  };

  /// Lists the candidates of `cls` starting or stopping at each of its port classes (a
  /// counting sort by port class; each list keeps the candidates' order).
  void start(const policy<S>& pol, const class_candidates<S>& cls) {
    const auto& starts = cls.port_starts;
    auto index_of = [&](typename S::port_type p) {
      return static_cast<std::uint32_t>(std::lower_bound(starts.begin(), starts.end(), p) -
                                        starts.begin());
    };
    // Each candidate's starting and stopping port classes (stops past the last: none).
    const auto none = static_cast<std::uint32_t>(cls.port_class_count());
    at_.clear();
    for (auto i : cls.rules) {
      if (!has_ports(cls.cls)) {
        at_.push_back({0, none});
        continue;
      }
      const auto& p = pol.rules[i].match.ports;
      at_.push_back({index_of(p.lo), p.hi < S::max_port ? index_of(p.hi + 1) : none});
    }
    from_.assign(cls.port_class_count() + 2, 0);
    for (const auto& [start, stop] : at_) {
      ++from_[start + 1];
      ++from_[stop + 1];
    }
    for (std::size_t j = 1; j < from_.size(); ++j) from_[j] += from_[j - 1];
    changes_.resize(from_.back());
    auto fill = from_;
    for (std::size_t k = 0; k < at_.size(); ++k) {
      changes_[fill[at_[k].first]++] = cls.rules[k];
      changes_[fill[at_[k].second]++] = cls.rules[k];
    }
  }

  /// Turns to port class `j`: its dirty segments, the union of the ranges (in `axis`) of the
  /// candidates starting or stopping there.
  void mark(std::size_t j, const address_axis<S>& axis) {
    unite(j, axis);
    // Mostly dirty: the whole axis, whose compact indices are the global ones (cheaper to
    // paint than many scattered runs, each rule's bounds a binary search away).
    std::uint32_t dirty = 0;
    for (const auto& r : runs_) dirty += r.hi - r.lo;
    if (dirty > axis.size() / 2) runs_.assign(1, {0, axis.size(), 0});
    count_ = 0;
    for (auto& r : runs_) {
      r.offset = count_;
      count_ += r.hi - r.lo;
    }
    // Many runs: every bound's compact index in a table (a pass over the axis), rather than a
    // binary search over the runs for each of the many rules a painting may walk.
    by_table_ = runs_.size() > table_runs;
    if (!by_table_) return;
    table_.resize(axis.size() + 1);
    std::uint32_t k = 0;
    for (const auto& r : runs_) {
      std::fill(table_.begin() + k, table_.begin() + r.lo, r.offset);
      for (k = r.lo; k < r.hi; ++k) table_[k] = r.offset + (k - r.lo);
    }
    std::fill(table_.begin() + k, table_.end(), count_);
  }

  /// The dirty runs of the current port class, ascending.
  const std::vector<run>& runs() const { return runs_; }
  /// The number of dirty segments of the current port class.
  std::uint32_t count() const { return count_; }
  /// The compact index of global segment bound `k`: the number of dirty segments before it.
  std::uint32_t compact(std::uint32_t k) const {
    if (by_table_) return table_[k];
    if (runs_.size() == 1)  // the usual case of a mostly dirty axis: no search
      return std::min(k > runs_[0].lo ? k - runs_[0].lo : 0, count_);
    auto it =
        std::partition_point(runs_.begin(), runs_.end(), [&](const run& r) { return r.hi <= k; });
    if (it == runs_.end()) return count_;
    return it->offset + (k > it->lo ? k - it->lo : 0);
  }

 private:
  /// Sets runs_ to the union of the ranges of the candidates starting or stopping at port
  /// class `j`: the whole axis when one of them covers more than half of it, else by sorting
  /// them, or for many of them by counting the ranges open at each segment.
  void unite(std::size_t j, const address_axis<S>& axis) {
    runs_.clear();
    const auto n = axis.size();
    for (auto k = from_[j]; k < from_[j + 1]; ++k) {
      const auto [lo, hi] = axis.ranges[changes_[k]];
      if (hi - lo > n / 2) {
        runs_.push_back({0, n, 0});
        return;
      }
    }
    if (from_[j + 1] - from_[j] > n / 16) {
      open_.assign(n + 1, 0);
      for (auto k = from_[j]; k < from_[j + 1]; ++k) {
        const auto [lo, hi] = axis.ranges[changes_[k]];
        ++open_[lo];
        --open_[hi];
      }
      std::int32_t open = 0;
      for (std::uint32_t k = 0; k < n; ++k) {
        const bool was_open = open > 0;
        open += open_[k];
        if (open > 0 && !was_open) runs_.push_back({k, k + 1, 0});
        if (open > 0) runs_.back().hi = k + 1;
      }
      return;
    }
    for (auto k = from_[j]; k < from_[j + 1]; ++k) {
      const auto [lo, hi] = axis.ranges[changes_[k]];
      runs_.push_back({lo, hi, 0});
    }
    std::sort(runs_.begin(), runs_.end(), [](const run& a, const run& b) { return a.lo < b.lo; });
    std::size_t out = 0;
    for (std::size_t k = 0; k < runs_.size(); ++k) {
      if (out > 0 && runs_[k].lo <= runs_[out - 1].hi)
        runs_[out - 1].hi = std::max(runs_[out - 1].hi, runs_[k].hi);
      else
        runs_[out++] = runs_[k];
    }
    runs_.resize(out);
  }

  std::vector<std::pair<std::uint32_t, std::uint32_t>> at_;  // per candidate: start, stop
  std::vector<std::uint32_t> from_, changes_;   // changes_[from_[j] .. from_[j + 1]): at j
  static constexpr std::size_t table_runs = 8;  // more runs: compact() reads table_
  std::vector<run> runs_;
  std::uint32_t count_ = 0;
  bool by_table_ = false;
  std::vector<std::uint32_t> table_;  // global bound -> compact index, when by_table_
  std::vector<std::int32_t> open_;    // unite(): ranges opening minus closing, per bound
};

/// What both sweeps (port_sweep, the partition's) paint at each port class: the candidates
/// holding it, in priority order, onto its dirty segments, compacted, into `Layers` owner
/// layers. Keeps a reference to the policy.
template <class S, std::size_t Layers>
class dirty_painter {
 public:
  explicit dirty_painter(const policy<S>& pol) : pol_(pol), axis_(pol) {}

  const policy<S>& pol() const { return pol_; }
  const address_axis<S>& axis() const { return axis_; }
  /// Moves the segment starts out, leaving the painter unusable.
  std::vector<typename S::address_type> take_address_starts() && { return std::move(axis_.starts); }
  const class_candidates<S>& candidates() const { return class_; }
  const dirty_segments<S>& dirty() const { return dirty_; }
  const layered_owners<Layers>& owners() const { return owners_; }

  /// Turns to protocol class `c`.
  void start_class(proto_class c) {
    class_.start(pol_, axis_, c);
    dirty_.start(pol_, class_);
  }
  /// Paints port class `j` of the current protocol class onto its dirty segments; with
  /// `listing`, calls meeting(rule, lo, hi) for every candidate holding it whose compact
  /// segments [lo, hi) are not empty, else stops once every dirty segment is claimed.
  template <class Meeting>
  void paint(std::size_t j, bool listing, Meeting&& meeting) {
    dirty_.mark(j, axis_);
    owners_.reset(dirty_.count());
    bool free = dirty_.count() > 0;
    for (auto i : class_.rules) {
      if (!free && !listing) break;
      if (!class_.holds(pol_, i, j)) continue;
      const auto lo = dirty_.compact(axis_.ranges[i].first);
      const auto hi = dirty_.compact(axis_.ranges[i].second);
      if (lo >= hi) continue;
      if (listing) meeting(i, lo, hi);
      if (free) free = owners_.take(i, lo, hi);
    }
  }

 private:
  const policy<S>& pol_;
  address_axis<S> axis_;
  class_candidates<S> class_;
  dirty_segments<S> dirty_;
  layered_owners<Layers> owners_;
};

/// Sweeps the port axis of each protocol class of one policy (see the file comment). Keeps a
/// reference to the policy.
template <class S>
class port_sweep {
 public:
  using address_type = typename S::address_type;
  using port_type = typename S::port_type;

  /// What a sweep reports besides the owner pairs.
  struct reports {
    bool regions = true;     ///< v.region(rule, box): the effective regions
    bool opposites = false;  ///< v.opposite(rule, box): runs decided with the other action
  };

  explicit port_sweep(const policy<S>& pol) : pol_(pol), painter_(pol) {
    first_.resize(axis().size());
    second_.resize(axis().size());
  }

  /// Sweeps protocol class `c`, calling v.owners(first, second) and, as `r` asks,
  /// v.region(rule, box) and v.opposite(rule, box), as the file comment says.
  template <class Visitor>
  void sweep(proto_class c, reports r, Visitor&& v) {
    const auto n = axis().size();
    if (r.regions) since_.resize(n);
    if (r.opposites) {
      global_.resize(n);
      change_.resize(n + 1);
      run_end_.resize(n);
    }
    painter_.start_class(c);
    std::fill(first_.begin(), first_.end(), decision::no_rule);
    std::fill(second_.begin(), second_.end(), decision::no_rule);
    for (std::size_t j = 0; j < cls().port_class_count(); ++j) {
      const auto ports = cls().port_class(j);
      spans_.clear();
      painter_.paint(j, r.opposites, [&](std::uint32_t rule, std::uint32_t lo, std::uint32_t hi) {
        spans_.push_back({rule, lo, hi});
      });
      update(ports, r, v);
      if (r.opposites) find_opposites(ports, v);
    }
    if (r.regions) close_all(v);
  }

 private:
  // The painter's parts, by name.
  const address_axis<S>& axis() const { return painter_.axis(); }
  const class_candidates<S>& cls() const { return painter_.candidates(); }
  const dirty_segments<S>& dirty() const { return painter_.dirty(); }
  const layered_owners<2>& owners() const { return painter_.owners(); }

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
    v.region(pending_.rule, box<S>{mask_of(cls().cls),
                                   axis().addresses(pending_.lo, pending_.hi),
                                   {pending_.since, pending_last_}});
    pending_.rule = decision::no_rule;
  }

  /// Takes the new owners of the dirty segments: reports new pairs and, as `r` asks, closes
  /// the boxes of changed first owners and records where each compact segment lies.
  template <class Visitor>
  void update(const interval<port_type>& ports, reports r, Visitor& v) {
    std::uint32_t t = 0;
    std::pair<std::uint32_t, std::uint32_t> reported{decision::no_rule, decision::no_rule};
    for (const auto& d : dirty().runs()) {
      for (auto k = d.lo; k < d.hi; ++k, ++t) {
        if (r.opposites) {
          global_[t] = k;
          run_end_[t] = d.offset + (d.hi - d.lo);
        }
        const auto f = owners().owner(0)[t], s = owners().owner(1)[t];
        if (f == first_[k] && s == second_[k]) continue;
        if (f != first_[k] && r.regions) {
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
    if (r.regions) flush(v);
  }

  /// Reports, for each candidate meeting the dirty segments, one run of them decided with the
  /// other action.
  template <class Visitor>
  void find_opposites(const interval<port_type>& ports, Visitor& v) {
    const auto n = dirty().count();
    const auto& first = owners().owner(0);
    // change_[t]: the first compact segment after t whose first owner's action differs.
    change_[n] = n;
    for (auto t = n; t-- > 0;)
      change_[t] = t + 1 < n && pol_.action_of(first[t + 1]) == pol_.action_of(first[t])
                       ? change_[t + 1]
                       : t + 1;
    for (const auto& s : spans_) {
      const auto a = pol_.rules[s.rule].action;
      const auto at = pol_.action_of(first[s.lo]) != a ? s.lo : change_[s.lo];
      if (at >= s.hi) continue;
      const auto end = std::min({change_[at], s.hi, run_end_[at]});
      v.opposite(s.rule, box<S>{mask_of(cls().cls),
                                axis().addresses(global_[at], global_[end - 1] + 1), ports});
    }
  }

  /// Closes every box still open at the end of the protocol class.
  template <class Visitor>
  void close_all(Visitor& v) {
    const port_type top = has_ports(cls().cls) ? S::max_port : 0;
    for (std::uint32_t k = 0; k < axis().size(); ++k) close(k, top, v);
    flush(v);
  }

  const policy<S>& pol_;
  dirty_painter<S, 2> painter_;
  // Per global segment, as of the last port class: the first two owners, and the first port
  // of the open box of the first owner.
  std::vector<std::uint32_t> first_, second_;
  std::vector<port_type> since_;
  // The current port class, on its compacted dirty segments.
  struct span {
    std::uint32_t rule, lo, hi;  // a candidate meeting the dirty segments: compact [lo, hi)
  };
  std::vector<span> spans_;
  std::vector<std::uint32_t> global_;   // compact -> global segment
  std::vector<std::uint32_t> run_end_;  // compact end of the dirty interval of t
  std::vector<std::uint32_t> change_;
  pending_box pending_;
  port_type pending_last_ = 0;
};

}  // namespace detail
SECGROUP_END_NAMESPACE
