// secgroup/detail/painter.hpp: the parts of painting a policy's rules onto its address
// segments: the machinery of the first-match partition and of the anomaly analysis.
//
// The address axis (address_axis) is cut at every rule's address bounds into segments; rule i
// covers segments [lo, hi). Per protocol class, class_candidates lists the rules holding a
// point of the class and cuts the port axis at their port bounds into elementary port classes.
// layered_owners paints rules, in priority order, onto segments, recording the first one or two
// owners of each: each takes, in the first layer still free, the segments of its interval whose
// last layer is free; skip pointers (halved on every walk) jump over segments whose last layer
// is taken, so a segment costs O(layers) and a rule O(1) amortised besides, and painting stops
// once every segment's last layer is taken.
// The partition (its run lists) and the anomaly analysis (first and second owners) both sweep
// the port axis with these parts (port_sweep.hpp), repainting at each port class only the
// segments of the rules starting or stopping there.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../decision.hpp"
#include "../space.hpp"
#include "sorted.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace detail {

/// Returns the index of the segment of `starts` (ascending, starting at the minimum) holding
/// `v`.
template <class T>
std::size_t segment_of(const std::vector<T>& starts, const T& v) {
  return static_cast<std::size_t>(std::upper_bound(starts.begin(), starts.end(), v) -
                                  starts.begin()) -
         1;
}

/// Returns the last address of the segments of `starts` before index `end`.
template <class S>
typename S::address_type last_address(const std::vector<typename S::address_type>& starts,
                                      std::uint32_t end) {
  using A = typename S::address_type;
  return end < starts.size() ? A(starts[end] - A{1}) : S::max_address;
}

/// Returns port class `j` of protocol class `c` whose port axis is cut at `starts` (ascending,
/// the first is 0): up to the next start, the last one up to the top port; [0, 0] for classes
/// without ports.
template <class S>
interval<typename S::port_type> port_class_at(const std::vector<typename S::port_type>& starts,
                                              std::size_t j, proto_class c) {
  return {starts[j], j + 1 < starts.size() ? starts[j + 1] - 1 : (has_ports(c) ? S::max_port : 0)};
}

/// The address axis of a policy, cut at every rule's address bounds into global segments.
template <class S>
struct address_axis {
  using address_type = typename S::address_type;
  std::vector<address_type> starts;  ///< segment k = [starts[k], starts[k+1]); the first is 0
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;  ///< per rule: segments [lo, hi)

  explicit address_axis(const policy<S>& pol) {
    starts.push_back(address_type{});
    for (const auto& r : pol.rules) {
      const auto& a = r.match.addresses;
      if (a.empty()) continue;
      starts.push_back(a.lo);
      if (a.hi < S::max_address) starts.push_back(a.hi + address_type{1});
    }
    sort_unique(starts);
    ranges.assign(pol.rules.size(), {0, 0});
    for (std::size_t i = 0; i < pol.rules.size(); ++i) {
      const auto& a = pol.rules[i].match.addresses;
      if (a.empty()) continue;
      ranges[i] = {static_cast<std::uint32_t>(segment_of(starts, a.lo)),
                   static_cast<std::uint32_t>(segment_of(starts, a.hi)) + 1};
    }
  }
  /// The number of global segments.
  std::uint32_t size() const { return static_cast<std::uint32_t>(starts.size()); }
  /// The addresses of global segments [from, to).
  interval<address_type> addresses(std::uint32_t from, std::uint32_t to) const {
    return {starts[from], last_address<S>(starts, to)};
  }
};

/// The rules of a policy that hold a point of protocol class `c` (its candidates, ascending)
/// and the elementary port classes their port bounds cut the class's port axis into.
template <class S>
struct class_candidates {
  proto_class cls = proto_class::tcp;
  std::vector<std::uint32_t> rules;                ///< ascending
  std::vector<typename S::port_type> port_starts;  ///< port class j starts at port_starts[j]

  /// Turns to protocol class `c` of `pol`, whose address axis is `axis`.
  void start(const policy<S>& pol, const address_axis<S>& axis, proto_class c) {
    cls = c;
    rules.clear();
    port_starts.assign(1, 0);
    const bool ports = has_ports(c);
    for (std::uint32_t i = 0; i < pol.rules.size(); ++i) {
      const auto& m = pol.rules[i].match;
      if (!(m.protocols & mask_of(c)) || axis.ranges[i].second == 0 || (ports && m.ports.empty()))
        continue;
      rules.push_back(i);
      if (!ports) continue;
      port_starts.push_back(m.ports.lo);
      if (m.ports.hi < S::max_port) port_starts.push_back(m.ports.hi + 1);
    }
    sort_unique(port_starts);
  }
  /// The number of elementary port classes (1 for classes without ports).
  std::size_t port_class_count() const { return port_starts.size(); }
  /// The ports of port class `j` ([0, 0] for classes without ports).
  interval<typename S::port_type> port_class(std::size_t j) const {
    return port_class_at<S>(port_starts, j, cls);
  }
  /// Whether rule `i`, a candidate, holds port class `j`.
  bool holds(const policy<S>& pol, std::uint32_t i, std::size_t j) const {
    return !has_ports(cls) || pol.rules[i].match.ports.contains(port_starts[j]);
  }
};

/// The first `Layers` (1 or 2) owners of each of n segments, painted rule by rule in priority
/// order (see the file comment); storage is kept from one painting to the next.
template <std::size_t Layers>
class layered_owners {
  static_assert(Layers == 1 || Layers == 2, "one or two owner layers");

 public:
  /// Starts a painting of `n` segments, every owner decision::no_rule.
  void reset(std::uint32_t n) {
    if (next_.size() < n + 1) {
      next_.resize(n + 1);
      for (auto& layer : owner_) layer.resize(n);
    }
    std::iota(next_.begin(), next_.begin() + n + 1, 0u);
    for (auto& layer : owner_) std::fill(layer.begin(), layer.begin() + n, decision::no_rule);
    left_ = n;
  }
  /// Paints `rule` onto segments [lo, hi); returns false once every segment's last layer is
  /// taken (later rules change nothing).
  bool take(std::uint32_t rule, std::uint32_t lo, std::uint32_t hi) {
    auto left = left_;  // a local: stores to the layers cannot alias it
    for (auto k = unowned(lo); k < hi; k = unowned(k + 1)) {
      std::size_t l = 0;
      while (l + 1 < Layers && owner_[l][k] != decision::no_rule) ++l;
      owner_[l][k] = rule;
      if (l + 1 == Layers) {
        next_[k] = k + 1;
        --left;
      }
    }
    left_ = left;
    return left > 0;
  }
  /// The owners in layer `l` (0: the first-matching rule); the first n are this painting's.
  const std::vector<std::uint32_t>& owner(std::size_t l = 0) const { return owner_[l]; }

 private:
  std::uint32_t unowned(std::uint32_t k) {  // the first segment >= k with a free last layer
    while (next_[k] != k) k = next_[k] = next_[next_[k]];
    return k;
  }
  std::vector<std::uint32_t> next_;  // skip pointers
  std::array<std::vector<std::uint32_t>, Layers> owner_;
  std::uint32_t left_ = 0;  // segments with a free last layer
};

}  // namespace detail
SECGROUP_END_NAMESPACE
