// secgroup/interval_set.hpp: sets of ports and addresses, as sorted runs of closed intervals.
//
// interval_set<T> holds a set of values of an unsigned type T (std::uint8_t to std::uint64_t,
// or uint128) as its maximal runs: closed intervals [lo, hi] (space.hpp's interval<T>), sorted,
// disjoint and never adjacent. Construction normalises whatever it is given (any order, overlaps,
// adjacent runs, empty intervals with hi < lo), and every operation keeps the normal form, so
// two sets are equal iff they hold the same values and iteration yields the runs in ascending
// order. Union, intersection, difference and inclusion are linear merges, O(n + m); add() is
// O(1) amortised for a run at or after the last one (building from sorted runs), O(n) else;
// contains() is O(log n). complement() is taken within a universe interval.
// The top of the domain is an ordinary value: [x, max] is representable, and no operation
// computes max + 1 (a successor is only taken of a value known to lie below another). count()
// is exact in a wider type, except for the one set that cannot be counted in 128 bits:
// CAUTION: the whole uint128 domain has 2^128 values, and its count() wraps to 0.
// NOTE: Boost.ICL's interval_set (already a dependency, and query.hpp's port sets until this
// type) was the alternative. It has no numeric traits for uint128, its cardinality and
// `last_next` overflow at the top of the domain (boostorg/icl#41, open), and it pays a tree node
// per run; the callers here build sets from sorted runs, which a vector appends in O(1).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <type_traits>
#include <utility>
#include <vector>

#include "config.hpp"
#include "detail/uint128.hpp"
#include "space.hpp"

SECGROUP_BEGIN_NAMESPACE

namespace detail {
/// The type counting values of T: 64 bits for types up to 32 bits, 128 bits above.
template <class T>
using interval_count_t = std::conditional_t<(sizeof(T) <= 4), std::uint64_t, uint128>;

/// v + 1 and v - 1 in T (callers guarantee no wrap).
template <class T>
constexpr T successor(const T& v) {
  return static_cast<T>(v + T{1});
}
template <class T>
constexpr T predecessor(const T& v) {
  return static_cast<T>(v - T{1});
}

/// True iff `b` starts at most one past the end of `a` (b.lo <= a.hi + 1, without computing a
/// successor of the maximum): when b starts at or after a, they overlap or touch.
template <class T>
constexpr bool joins(const interval<T>& a, const interval<T>& b) {
  return !(a.hi < b.lo) || successor(a.hi) == b.lo;  // a.hi < b.lo: a.hi is not the maximum
}
}  // namespace detail

/// A set of values of an unsigned type T, as its maximal runs in ascending order.
template <class T>
class interval_set {
 public:
  using value_type = T;
  using interval_type = interval<T>;
  using count_type = detail::interval_count_t<T>;
  using const_iterator = typename std::vector<interval<T>>::const_iterator;

  /// The empty set.
  interval_set() = default;
  /// The values of `runs`, given in any order, overlapping or not; intervals with hi < lo are
  /// empty. O(n log n).
  explicit interval_set(std::vector<interval<T>> runs) {
    std::sort(runs.begin(), runs.end(), [](const interval<T>& a, const interval<T>& b) {
      return a.lo < b.lo || (a.lo == b.lo && a.hi < b.hi);
    });
    for (const auto& r : runs) append(r);
  }
  /// The values of the braced intervals: interval_set<std::uint32_t>{{22, 22}, {80, 443}}.
  interval_set(std::initializer_list<interval<T>> runs)
      : interval_set(std::vector<interval<T>>(runs)) {}

  // -- Inspection ---------------------------------------------------------------------------

  /// True iff the set holds no value.
  bool empty() const { return runs_.empty(); }
  /// The number of runs (not of values: see count()).
  std::size_t size() const { return runs_.size(); }
  const_iterator begin() const { return runs_.begin(); }
  const_iterator end() const { return runs_.end(); }
  /// The first (lowest) run; the set must not be empty.
  const interval<T>& front() const { return runs_.front(); }
  /// The last (highest) run; the set must not be empty.
  const interval<T>& back() const { return runs_.back(); }
  /// The runs: ascending, disjoint, not adjacent.
  const std::vector<interval<T>>& runs() const { return runs_; }

  /// The number of values (wraps to 0 for the whole uint128 domain only).
  count_type count() const {
    count_type n{};
    for (const auto& r : runs_) n += count_type(r.hi) - count_type(r.lo) + count_type(1);
    return n;
  }

  /// True iff the set holds `v`.
  bool contains(const T& v) const { return contains(interval<T>{v, v}); }
  /// True iff the set holds every value of `r` (always, for an empty `r`).
  bool contains(const interval<T>& r) const {
    if (r.empty()) return true;
    auto it = std::upper_bound(runs_.begin(), runs_.end(), r.lo,
                               [](const T& v, const interval<T>& run) { return v < run.lo; });
    return it != runs_.begin() && std::prev(it)->contains(r);
  }
  /// True iff every value of `inner` is in this set.
  bool includes(const interval_set& inner) const {
    auto it = runs_.begin();
    for (const auto& r : inner.runs_) {
      while (it != runs_.end() && it->hi < r.lo) ++it;
      if (it == runs_.end() || !it->contains(r)) return false;  // runs are maximal
    }
    return true;
  }

  // -- Building -----------------------------------------------------------------------------

  /// Adds the values of `r` (nothing if hi < lo).
  interval_set& add(const interval<T>& r) {
    if (r.empty()) return *this;
    if (runs_.empty() || !(r.lo < runs_.back().lo)) {
      append(r);
      return *this;
    }
    // The runs from `first` to `last` (excluded) overlap or touch r: they merge with it.
    auto first = std::partition_point(
        runs_.begin(), runs_.end(), [&](const interval<T>& run) { return !detail::joins(run, r); });
    auto last = std::partition_point(first, runs_.end(),
                                     [&](const interval<T>& run) { return detail::joins(r, run); });
    interval<T> merged = r;
    if (first != last) {
      merged.lo = std::min(r.lo, first->lo);
      merged.hi = std::max(r.hi, std::prev(last)->hi);
    }
    auto at = runs_.erase(first, last);
    runs_.insert(at, merged);
    return *this;
  }

  // -- Algebra ------------------------------------------------------------------------------

  /// The values in `a` or `b`.
  friend interval_set operator|(const interval_set& a, const interval_set& b) {
    interval_set out;
    out.runs_.reserve(a.size() + b.size());
    auto i = a.runs_.begin(), j = b.runs_.begin();
    while (i != a.runs_.end() || j != b.runs_.end()) {
      if (j == b.runs_.end() || (i != a.runs_.end() && i->lo < j->lo))
        out.append(*i++);
      else
        out.append(*j++);
    }
    return out;
  }
  /// The values in both `a` and `b`.
  friend interval_set operator&(const interval_set& a, const interval_set& b) {
    interval_set out;
    for (auto i = a.runs_.begin(), j = b.runs_.begin(); i != a.runs_.end() && j != b.runs_.end();) {
      const auto both = intersect(*i, *j);
      if (!both.empty()) out.runs_.push_back(both);  // the gaps of a and b keep these apart
      if (i->hi < j->hi)
        ++i;
      else
        ++j;
    }
    return out;
  }
  /// The values in `a` and not in `b`.
  friend interval_set operator-(const interval_set& a, const interval_set& b) {
    interval_set out;
    auto j = b.runs_.begin();
    for (auto r : a.runs_) {
      while (j != b.runs_.end() && j->hi < r.lo) ++j;
      bool done = false;
      for (auto k = j; k != b.runs_.end() && !(r.hi < k->lo); ++k) {
        if (r.lo < k->lo) out.runs_.push_back({r.lo, detail::predecessor(k->lo)});
        if (!(k->hi < r.hi)) {
          done = true;
          break;
        }
        r.lo = detail::successor(k->hi);  // k->hi < r.hi
      }
      if (!done) out.runs_.push_back(r);
    }
    return out;
  }
  interval_set& operator|=(const interval_set& b) { return *this = *this | b; }
  interval_set& operator&=(const interval_set& b) { return *this = *this & b; }
  interval_set& operator-=(const interval_set& b) { return *this = *this - b; }

  friend bool operator==(const interval_set&, const interval_set&) = default;

 private:
  /// Adds non-empty `r`, which starts at or after the last run.
  void append(const interval<T>& r) {
    if (r.empty()) return;
    if (!runs_.empty() && detail::joins(runs_.back(), r)) {
      if (runs_.back().hi < r.hi) runs_.back().hi = r.hi;
    } else {
      runs_.push_back(r);
    }
  }

  std::vector<interval<T>> runs_;
};

/// The values of `universe` not in `s`.
template <class T>
interval_set<T> complement(const interval_set<T>& s, const interval<T>& universe) {
  return interval_set<T>{universe} - s;
}

SECGROUP_END_NAMESPACE
