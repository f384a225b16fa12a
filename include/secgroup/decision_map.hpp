// secgroup/decision_map.hpp: every point of the header space with its first-matching rule.
//
// Built with Boost.ICL from a policy (one direction and family). Per protocol class, the port
// axis is cut into elementary port classes (every rule's port bounds), and for each port class
// an ICL interval_map over the address axis holds the first-matching rule of every address
// segment. First match comes from ICL's `insert`, which never overwrites: inserting the rules
// in priority order leaves each point with the earliest rule that holds it.
//
// The address axis is coordinate-compressed (segment k is [starts[k], starts[k+1]) of the rule
// bounds), so ICL works on small unsigned indices whatever the address width: this sidesteps
// ICL's overflow at the top of the domain and makes 128-bit addresses cost no more than 32-bit.
// Rule indices are stored +1, since ICL absorbs the value 0.
// Cost: O(Σ_rules port classes covered × log segments) to build, typically milliseconds for
// thousands of rules; rules are skipped for a port class once a rule has covered all addresses.
// Lookups through ICL walk trees: use compiled_policy on hot paths.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include <boost/icl/interval_map.hpp>

#include "config.hpp"
#include "decision.hpp"
#include "space.hpp"

SECGROUP_BEGIN_NAMESPACE

/// A box of the header space that one rule decides, or the default policy (rule == no_rule).
template <class S>
struct region {
  proto_class protocol = proto_class::tcp;
  interval<typename S::address_type> addresses;
  interval<typename S::port_type> ports;  ///< [0, 0] for classes without ports
  std::uint32_t rule = decision::no_rule;  ///< index into the policy's rules
  friend constexpr bool operator==(const region&, const region&) = default;
};

/// The first-match decision map of one policy.
template <class S>
class decision_map {
 public:
  using address_type = typename S::address_type;
  using port_type = typename S::port_type;

  explicit decision_map(const policy<S>& pol) : default_action_(pol.default_action) {
    address_starts_ = compress_addresses(pol);
    for (auto c : all_proto_classes) build_plane(pol, c);
  }

  /// Returns the index of the first rule holding `x`, or decision::no_rule.
  std::uint32_t find(const point<S>& x) const {
    const auto& pl = planes_[static_cast<std::size_t>(x.protocol)];
    auto port = has_ports(x.protocol) ? x.port : port_type{0};
    const auto& m = pl.maps[segment_of(pl.port_starts, port)];
    auto it = m.find(static_cast<std::uint32_t>(segment_of(address_starts_, x.address)));
    return it == m.end() ? decision::no_rule : it->second - 1;
  }

  /// Calls `f(region)` for disjoint regions that together cover the whole space, in canonical
  /// order: by protocol class, then port interval, then address interval. Adjacent regions
  /// along the address axis never share a rule.
  template <class F>
  void for_each_region(F&& f) const {
    for (auto c : all_proto_classes) {
      const auto& pl = planes_[static_cast<std::size_t>(c)];
      for (std::size_t j = 0; j < pl.maps.size(); ++j) {
        interval<port_type> ports{pl.port_starts[j], j + 1 < pl.port_starts.size()
                                                         ? pl.port_starts[j + 1] - 1
                                                         : (has_ports(c) ? S::max_port : 0)};
        std::uint32_t next = 0;  // first compressed segment not yet reported
        auto emit = [&](std::uint32_t from, std::uint32_t to, std::uint32_t rule) {
          f(region<S>{c, {address_starts_[from], last_address(to)}, ports, rule});
        };
        for (const auto& [iv, value] : pl.maps[j]) {
          if (iv.lower() > next) emit(next, iv.lower(), decision::no_rule);
          emit(iv.lower(), iv.upper(), value - 1);
          next = iv.upper();
        }
        if (next < address_starts_.size())
          emit(next, static_cast<std::uint32_t>(address_starts_.size()), decision::no_rule);
      }
    }
  }

  /// The action of points no rule holds.
  action default_action() const { return default_action_; }
  /// Number of port classes of protocol class `c` (1 for classes without ports).
  std::size_t port_class_count(proto_class c) const {
    return planes_[static_cast<std::size_t>(c)].maps.size();
  }
  /// Number of elementary address segments.
  std::size_t address_segment_count() const { return address_starts_.size(); }

 private:
  using icl_interval = boost::icl::right_open_interval<std::uint32_t>;
  using icl_map =
      boost::icl::interval_map<std::uint32_t, std::uint32_t, boost::icl::partial_absorber,
                               std::less, boost::icl::inplace_plus, boost::icl::inter_section,
                               icl_interval>;
  struct plane {
    std::vector<port_type> port_starts;  // port class j = [starts[j], starts[j+1])
    std::vector<icl_map> maps;           // maps[j]: address segment -> rule + 1
  };

  template <class T>
  static std::size_t segment_of(const std::vector<T>& starts, const T& v) {
    return static_cast<std::size_t>(std::upper_bound(starts.begin(), starts.end(), v) -
                                    starts.begin()) -
           1;
  }

  /// The last address of the segments before compressed index `end`.
  address_type last_address(std::uint32_t end) const {
    return end < address_starts_.size() ? address_type(address_starts_[end] - address_type{1})
                                         : S::max_address;
  }

  /// Sorted distinct starts of the elementary address segments; the first is 0.
  static std::vector<address_type> compress_addresses(const policy<S>& pol) {
    std::vector<address_type> starts{address_type{}};
    for (const auto& r : pol.rules) {
      starts.push_back(r.match.addresses.lo);
      if (r.match.addresses.hi < S::max_address)
        starts.push_back(r.match.addresses.hi + address_type{1});
    }
    std::sort(starts.begin(), starts.end());
    starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
    return starts;
  }

  void build_plane(const policy<S>& pol, proto_class c) {
    auto& pl = planes_[static_cast<std::size_t>(c)];
    const bool ports = has_ports(c);
    pl.port_starts = {0};
    for (const auto& r : pol.rules) {
      if (!(r.match.protocols & mask_of(c)) || !ports) continue;
      pl.port_starts.push_back(r.match.ports.lo);
      if (r.match.ports.hi < S::max_port) pl.port_starts.push_back(r.match.ports.hi + 1);
    }
    std::sort(pl.port_starts.begin(), pl.port_starts.end());
    pl.port_starts.erase(std::unique(pl.port_starts.begin(), pl.port_starts.end()),
                         pl.port_starts.end());
    pl.maps.assign(pl.port_starts.size(), icl_map{});

    std::vector<char> full(pl.maps.size(), 0);  // port class whose every address is decided
    const auto segments = static_cast<std::uint32_t>(address_starts_.size());
    for (std::size_t i = 0; i < pol.rules.size(); ++i) {
      const auto& m = pol.rules[i].match;
      if (!(m.protocols & mask_of(c)) || m.addresses.hi < m.addresses.lo ||
          (ports && m.ports.hi < m.ports.lo))
        continue;
      auto a_lo = static_cast<std::uint32_t>(segment_of(address_starts_, m.addresses.lo));
      auto a_hi = static_cast<std::uint32_t>(segment_of(address_starts_, m.addresses.hi)) + 1;
      bool all_addresses = a_lo == 0 && a_hi == segments;
      auto p_lo = ports ? segment_of(pl.port_starts, m.ports.lo) : 0;
      auto p_hi = ports ? segment_of(pl.port_starts, m.ports.hi) : 0;
      for (auto j = p_lo; j <= p_hi; ++j) {
        if (full[j]) continue;
        pl.maps[j].insert(std::make_pair(icl_interval(a_lo, a_hi), static_cast<std::uint32_t>(i + 1)));
        full[j] = all_addresses;
      }
    }
    coalesce(pl);
  }

  /// Merges neighbouring port classes whose maps are equal.
  static void coalesce(plane& pl) {
    std::size_t out = 0;
    for (std::size_t j = 1; j < pl.maps.size(); ++j) {
      if (pl.maps[j] == pl.maps[out]) continue;
      ++out;
      pl.port_starts[out] = pl.port_starts[j];
      pl.maps[out] = std::move(pl.maps[j]);
    }
    pl.port_starts.resize(out + 1);
    pl.maps.resize(out + 1);
  }

  action default_action_;
  std::vector<address_type> address_starts_;
  std::array<plane, proto_class_count> planes_;
};

SECGROUP_END_NAMESPACE
