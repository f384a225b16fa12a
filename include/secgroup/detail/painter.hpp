// secgroup/detail/painter.hpp: painting a policy's rules onto its address segments, one port
// class at a time: the machinery of the first-match partition.
//
// One sweep serves two owners: partition.hpp keeps each segment's first matching rule (its run
// lists), analysis/anomalies.hpp the first and second (its verdicts). The painter compresses
// the address axis (every rule's address bounds cut it into segments; rule i covers segments
// [lo, hi)); per protocol class it lists the candidates, the rules holding a point of the
// class, and cuts the port axis at their port bounds into elementary port classes. Painting a
// port class walks the candidates holding its ports in priority order: each takes, in the first
// layer still free, the segments of its interval whose last layer is free. Skip pointers
// (halved on every walk) jump over segments whose last layer is taken, so a segment costs
// O(layers) and a rule O(1) amortised besides; painting stops once every segment's last layer
// is taken, unless the caller asks for every candidate holding the ports.
// Cost per port class: O(segments + candidates), with no allocation once the painter exists.
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

/// Paints the rules of one policy, recording the first `Layers` (1 or 2) matching rules of each
/// address segment for one port class at a time. Keeps a reference to the policy.
template <class S, std::size_t Layers>
class painter {
  static_assert(Layers == 1 || Layers == 2, "one or two owner layers");

 public:
  using address_type = typename S::address_type;
  using port_type = typename S::port_type;

  explicit painter(const policy<S>& pol) : pol_(pol) {
    starts_.push_back(address_type{});
    for (const auto& r : pol.rules) {
      const auto& a = r.match.addresses;
      if (a.empty()) continue;
      starts_.push_back(a.lo);
      if (a.hi < S::max_address) starts_.push_back(a.hi + address_type{1});
    }
    sort_unique(starts_);
    ranges_.assign(pol.rules.size(), {0, 0});
    for (std::size_t i = 0; i < pol.rules.size(); ++i) {
      const auto& a = pol.rules[i].match.addresses;
      if (a.empty()) continue;
      ranges_[i] = {static_cast<std::uint32_t>(segment_of(starts_, a.lo)),
                    static_cast<std::uint32_t>(segment_of(starts_, a.hi)) + 1};
    }
    next_.resize(starts_.size() + 1);
    for (auto& layer : owner_) layer.resize(starts_.size());
  }

  // -- The address axis ---------------------------------------------------------------------

  /// The first addresses of the segments, ascending; the first is 0.
  const std::vector<address_type>& address_starts() const { return starts_; }
  /// Moves the segment starts out, leaving the painter unusable.
  std::vector<address_type> take_address_starts() && { return std::move(starts_); }
  /// The number of address segments.
  std::uint32_t segment_count() const { return static_cast<std::uint32_t>(starts_.size()); }
  /// The segments [first, second) of rule `i`'s addresses; {0, 0} when it has none.
  std::pair<std::uint32_t, std::uint32_t> segments_of(std::uint32_t i) const { return ranges_[i]; }
  /// The addresses of segments [from, to).
  interval<address_type> addresses(std::uint32_t from, std::uint32_t to) const {
    return {starts_[from], last_address<S>(starts_, to)};
  }

  // -- The port classes of one protocol class -----------------------------------------------

  /// Turns to protocol class `c`: lists its candidates and cuts its port axis.
  void start_class(proto_class c) {
    class_ = c;
    candidates_.clear();
    port_starts_.assign(1, port_type{0});
    const bool ports = has_ports(c);
    for (std::uint32_t i = 0; i < pol_.rules.size(); ++i) {
      const auto& m = pol_.rules[i].match;
      if (!(m.protocols & mask_of(c)) || ranges_[i].second == 0 || (ports && m.ports.empty()))
        continue;
      candidates_.push_back(i);
      if (!ports) continue;
      port_starts_.push_back(m.ports.lo);
      if (m.ports.hi < S::max_port) port_starts_.push_back(m.ports.hi + 1);
    }
    sort_unique(port_starts_);
  }
  /// The number of elementary port classes of the current protocol class (1 without ports).
  std::size_t port_class_count() const { return port_starts_.size(); }
  /// The ports of elementary port class `j` ([0, 0] for classes without ports).
  interval<port_type> port_class(std::size_t j) const {
    return port_class_at<S>(port_starts_, j, class_);
  }

  // -- Painting -----------------------------------------------------------------------------

  /// Paints port class `j` of the current protocol class: afterwards owner(l)[k] is the
  /// (l+1)-th rule holding segment k and the port class, or decision::no_rule. With `holding`,
  /// also appends every candidate holding the port class to it, in priority order.
  void paint(std::size_t j, std::vector<std::uint32_t>* holding = nullptr) {
    const auto n = segment_count();
    const bool ports = has_ports(class_);
    const port_type port = port_starts_[j];
    std::iota(next_.begin(), next_.end(), 0u);
    for (auto& layer : owner_) std::fill(layer.begin(), layer.end(), decision::no_rule);
    auto unowned = [&](std::uint32_t k) {  // first segment >= k with a free last layer
      while (next_[k] != k) k = next_[k] = next_[next_[k]];
      return k;
    };
    std::uint32_t left = n;  // segments with a free last layer
    for (auto i : candidates_) {
      if (ports && !pol_.rules[i].match.ports.contains(port)) continue;
      if (holding) holding->push_back(i);
      if (left == 0) continue;  // only listing the candidates holding the port class
      const auto [lo, hi] = ranges_[i];
      for (auto k = unowned(lo); k < hi; k = unowned(k + 1)) {
        std::size_t l = 0;
        while (l + 1 < Layers && owner_[l][k] != decision::no_rule) ++l;
        owner_[l][k] = i;
        if (l + 1 == Layers) {
          next_[k] = k + 1;
          --left;
        }
      }
      if (left == 0 && !holding) break;
    }
  }
  /// The owners of the segments in layer `l` (0: the first-matching rule) after paint().
  const std::vector<std::uint32_t>& owner(std::size_t l = 0) const { return owner_[l]; }

 private:
  const policy<S>& pol_;
  std::vector<address_type> starts_;  // segment k = [starts_[k], starts_[k+1])
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges_;  // per rule: segments [lo, hi)
  proto_class class_ = proto_class::tcp;
  std::vector<std::uint32_t> candidates_;  // rules holding a point of class_, ascending
  std::vector<port_type> port_starts_;     // elementary port class j = [starts[j], starts[j+1])
  std::vector<std::uint32_t> next_;        // skip pointers: next segment >= k with a free layer
  std::array<std::vector<std::uint32_t>, Layers> owner_;
};

}  // namespace detail
SECGROUP_END_NAMESPACE
