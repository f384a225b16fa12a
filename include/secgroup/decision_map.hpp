// secgroup/decision_map.hpp: every point of the header space with its first-matching rule.
//
// Built with Boost.ICL from a policy (one direction and family). Per protocol class, the port
// axis is cut into elementary port classes (every rule's port bounds), and each port class
// points to an ICL interval_map over the address axis that holds the first-matching rule of
// every address segment.
//
// Construction. A map's content depends only on the list of rules that cover its port class,
// so port classes (of any protocol class) with the same list share one map. A map is filled by
// ICL's `set` in reverse priority order: each rule overwrites the later rules it overlaps, so
// every point ends with the earliest rule holding it. (Forward `insert`, which never overwrites,
// gives the same map but must walk every segment under a wide rule to find its gaps; `set`
// erases what it covers, so the work stays O(pairs × log segments) amortised.) Rules that
// cannot decide anything in a port class are left out of its list: those after a rule covering
// every address, and those repeating an earlier rule's addresses.
// The address axis is coordinate-compressed (segment k is [starts[k], starts[k+1]) of the rule
// bounds), so ICL works on small unsigned indices whatever the address width: this sidesteps
// ICL's overflow at the top of the domain and makes 128-bit addresses cost no more than 32-bit.
// Rule indices are stored +1, since ICL absorbs the value 0.
// Lookups through ICL walk trees: use compiled_policy on hot paths.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <span>
#include <unordered_map>
#include <unordered_set>
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
    builder b{pol, *this};
    for (auto c : all_proto_classes) b.build_plane(c);
  }

  /// Returns the index of the first rule holding `x`, or decision::no_rule.
  std::uint32_t find(const point<S>& x) const {
    const auto& pl = planes_[static_cast<std::size_t>(x.protocol)];
    auto port = has_ports(x.protocol) ? x.port : port_type{0};
    const auto& m = maps_[pl.maps[segment_of(pl.port_starts, port)]];
    auto it = m.find(static_cast<std::uint32_t>(segment_of(address_starts_, x.address)));
    return it == m.end() ? decision::no_rule : it->second - 1;
  }

  /// Calls `f(addresses, rule)` for the segments of address map `map` in ascending order; they
  /// cover the whole address axis, and neighbours never share a rule (no_rule for the default).
  template <class F>
  void for_each_segment(std::uint32_t map, F&& f) const {
    std::uint32_t next = 0;  // first compressed segment not yet reported
    auto emit = [&](std::uint32_t from, std::uint32_t to, std::uint32_t rule) {
      f(interval<address_type>{address_starts_[from], last_address(to)}, rule);
    };
    for (const auto& [iv, value] : maps_[map]) {
      if (iv.lower() > next) emit(next, iv.lower(), decision::no_rule);
      emit(iv.lower(), iv.upper(), value - 1);
      next = iv.upper();
    }
    if (next < address_starts_.size())
      emit(next, static_cast<std::uint32_t>(address_starts_.size()), decision::no_rule);
  }

  /// Calls `f(region)` for disjoint regions that together cover the whole space, in canonical
  /// order: by protocol class, then port interval, then address interval. Adjacent regions
  /// along the address axis never share a rule.
  template <class F>
  void for_each_region(F&& f) const {
    for (auto c : all_proto_classes) {
      const auto& pl = planes_[static_cast<std::size_t>(c)];
      for (std::size_t j = 0; j < pl.maps.size(); ++j) {
        auto ports = port_class(c, j);
        for_each_segment(pl.maps[j], [&](const interval<address_type>& a, std::uint32_t rule) {
          f(region<S>{c, a, ports, rule});
        });
      }
    }
  }

  /// The action of points no rule holds.
  action default_action() const { return default_action_; }
  /// Number of port classes of protocol class `c` (1 for classes without ports).
  std::size_t port_class_count(proto_class c) const {
    return planes_[static_cast<std::size_t>(c)].maps.size();
  }
  /// The ports of port class `j` of protocol class `c` ([0, 0] for classes without ports).
  interval<port_type> port_class(proto_class c, std::size_t j) const {
    const auto& starts = planes_[static_cast<std::size_t>(c)].port_starts;
    return {starts[j], j + 1 < starts.size() ? starts[j + 1] - 1 : (has_ports(c) ? S::max_port : 0)};
  }
  /// The address map of port class `j` of protocol class `c`.
  std::uint32_t port_class_map(proto_class c, std::size_t j) const {
    return planes_[static_cast<std::size_t>(c)].maps[j];
  }
  /// Number of distinct address maps.
  std::size_t map_count() const { return maps_.size(); }
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
    std::vector<std::uint32_t> maps;     // maps[j]: index into maps_
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
      if (r.match.addresses.hi < r.match.addresses.lo) continue;
      starts.push_back(r.match.addresses.lo);
      if (r.match.addresses.hi < S::max_address)
        starts.push_back(r.match.addresses.hi + address_type{1});
    }
    std::sort(starts.begin(), starts.end());
    starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
    return starts;
  }

  /// Construction state, shared by the four planes so that equal rule lists share a map.
  struct builder {
    const policy<S>& pol;
    decision_map& dm;
    std::vector<icl_interval> addresses;  // each rule's compressed address interval
    std::unordered_map<std::size_t, std::vector<std::uint32_t>> by_hash;  // list hash -> maps
    std::vector<std::vector<std::uint32_t>> lists;                        // map -> its rule list

    builder(const policy<S>& p, decision_map& d) : pol(p), dm(d) {
      for (const auto& r : pol.rules) {
        auto lo = static_cast<std::uint32_t>(segment_of(dm.address_starts_, r.match.addresses.lo));
        auto hi = static_cast<std::uint32_t>(segment_of(dm.address_starts_, r.match.addresses.hi));
        addresses.push_back(r.match.addresses.hi < r.match.addresses.lo ? icl_interval(1, 0)
                                                                        : icl_interval(lo, hi + 1));
      }
    }

    bool covers_all_addresses(std::size_t i) const {
      return addresses[i].lower() == 0 && addresses[i].upper() == dm.address_starts_.size();
    }

    void build_plane(proto_class c) {
      auto& pl = dm.planes_[static_cast<std::size_t>(c)];
      const bool ports = has_ports(c);
      std::vector<std::uint32_t> candidates;  // rules that can hold a point of the plane
      pl.port_starts = {0};
      for (std::uint32_t i = 0; i < pol.rules.size(); ++i) {
        const auto& m = pol.rules[i].match;
        if (!(m.protocols & mask_of(c)) || boost::icl::is_empty(addresses[i]) ||
            (ports && m.ports.hi < m.ports.lo))
          continue;
        candidates.push_back(i);
        if (!ports) continue;
        pl.port_starts.push_back(m.ports.lo);
        if (m.ports.hi < S::max_port) pl.port_starts.push_back(m.ports.hi + 1);
      }
      std::sort(pl.port_starts.begin(), pl.port_starts.end());
      pl.port_starts.erase(std::unique(pl.port_starts.begin(), pl.port_starts.end()),
                           pl.port_starts.end());

      // The rule list of every port class, cut after its first all-address rule and without
      // rules whose address interval an earlier rule of the list already has (both dead).
      std::vector<std::vector<std::uint32_t>> class_lists(pl.port_starts.size());
      std::vector<std::unordered_set<std::uint64_t>> seen(pl.port_starts.size());
      std::vector<char> closed(pl.port_starts.size(), 0);
      for (auto i : candidates) {
        const auto& m = pol.rules[i].match;
        auto p_lo = ports ? segment_of(pl.port_starts, m.ports.lo) : 0;
        auto p_hi = ports ? segment_of(pl.port_starts, m.ports.hi) : 0;
        auto key = std::uint64_t{addresses[i].lower()} << 32 | addresses[i].upper();
        for (auto j = p_lo; j <= p_hi; ++j) {
          if (closed[j] || !seen[j].insert(key).second) continue;
          class_lists[j].push_back(i);
          closed[j] = covers_all_addresses(i);
        }
      }
      pl.maps.clear();
      for (auto& list : class_lists) pl.maps.push_back(map_for(std::move(list)));
      coalesce(pl);
    }

    /// Returns the map of rule list `list`, building it on first use.
    std::uint32_t map_for(std::vector<std::uint32_t> list) {
      std::size_t h = list.size();
      for (auto i : list) h = h * 1000003u ^ i;
      auto& bucket = by_hash[h];
      for (auto m : bucket)
        if (lists[m] == list) return m;
      icl_map map;
      for (auto it = list.rbegin(); it != list.rend(); ++it)
        map.set(std::make_pair(addresses[*it], *it + 1));
      auto id = static_cast<std::uint32_t>(dm.maps_.size());
      dm.maps_.push_back(std::move(map));
      lists.push_back(std::move(list));
      bucket.push_back(id);
      return id;
    }

    /// Merges neighbouring port classes whose maps are equal.
    void coalesce(plane& pl) const {
      std::size_t out = 0;
      for (std::size_t j = 1; j < pl.maps.size(); ++j) {
        auto a = pl.maps[out], b = pl.maps[j];
        if (a == b || dm.maps_[a] == dm.maps_[b]) continue;
        ++out;
        pl.port_starts[out] = pl.port_starts[j];
        pl.maps[out] = b;
      }
      pl.port_starts.resize(out + 1);
      pl.maps.resize(out + 1);
    }
  };

  action default_action_;
  std::vector<address_type> address_starts_;
  std::deque<icl_map> maps_;  // a deque: ICL maps copy (not move) when a vector grows
  std::array<plane, proto_class_count> planes_;
};

SECGROUP_END_NAMESPACE
