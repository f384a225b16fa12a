// secgroup/detail/box_index.hpp: the indexed boxes meeting a box, without scanning them all.
//
// Every box is listed once per protocol class it holds (TCP and UDP only with a non-empty port
// range), in a bucket by (address width class, port width class): a box of address class w
// spans fewer than 2^w addresses, so it can only meet [lo, hi] if it starts in
// [lo - (2^w - 1), hi], a binary search in its bucket sorted by first address. Buckets of the
// widest address class (/0, /1: every such box is in the window) are sorted and searched by
// first port instead. Cost of meeting(): O(buckets × log boxes + boxes listed in the windows
// + k log k) for k found; the boxes in a window meet the query in that dimension.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "../box.hpp"
#include "../config.hpp"
#include "../space.hpp"
#include "sorted.hpp"
#include "uint128.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace detail {

template <class S>
class box_index {
 public:
  using address_type = typename S::address_type;
  using port_type = typename S::port_type;

  /// Lists box `b` under `id`; boxes without a point in some class are left out where empty.
  /// Call build() once every box is added, before meeting().
  void add(std::uint32_t id, const box<S>& b) {
    if (b.addresses.empty()) return;
    ids_ = std::max(ids_, id + 1);
    for (std::size_t c = 0; c < proto_class_count; ++c) {
      const auto cls = all_proto_classes[c];
      if (!(b.protocols & mask_of(cls))) continue;
      const bool ports = has_ports(cls);
      if (ports && b.ports.empty()) continue;
      const auto wa = width_class(b.addresses.hi - b.addresses.lo);
      const auto wp = ports ? width_class(address_type{b.ports.hi - b.ports.lo}) : 0u;
      bucket_of(c, wa, wp, ports && wa == S::address_bits)
          .entries.push_back({b.addresses.lo, b.addresses.hi, ports ? b.ports.lo : port_type{},
                              ports ? b.ports.hi : port_type{}, id});
    }
  }

  /// Sorts the buckets; add() no more after this.
  void build() {
    for (auto& per_class : classes_)
      for (auto& k : per_class)
        std::sort(k.entries.begin(), k.entries.end(), [&](const entry& x, const entry& y) {
          return k.by_port ? std::tie(x.port_lo, x.id) < std::tie(y.port_lo, y.id)
                           : std::tie(x.lo, x.id) < std::tie(y.lo, y.id);
        });
  }

  /// Sets `out` to the ids below `end` of the boxes meeting `b` (as meets()), ascending.
  /// Not const: it uses a scratch bitset of the index.
  void meeting(const box<S>& b, std::uint32_t end, std::vector<std::uint32_t>& out) {
    out.clear();
    if (b.addresses.empty() || !b.protocols) return;
    for (std::size_t c = 0; c < proto_class_count; ++c) {
      const auto cls = all_proto_classes[c];
      if (!(b.protocols & mask_of(cls))) continue;
      const bool ports = has_ports(cls);
      if (ports && b.ports.empty()) continue;
      for (const auto& k : classes_[c]) {
        if (k.by_port)
          scan(k, address_type{b.ports.lo}, address_type{b.ports.hi}, b, ports, end, out);
        else
          scan(k, b.addresses.lo, b.addresses.hi, b, ports, end, out);
      }
    }
    ascending(out, b.protocols & (b.protocols - 1));
  }

 private:
  struct entry {
    address_type lo, hi;
    port_type port_lo, port_hi;
    std::uint32_t id;
  };
  struct bucket {
    unsigned address_width = 0, port_width = 0;
    bool by_port = false;  ///< sorted by port_lo (widest addresses), else by lo
    std::vector<entry> entries;
  };

  /// Sorts the ids found, removing repeats if `repeats`: by sorting when there are few, else
  /// through a bitset of every id (k log k against ids / 64 + k).
  void ascending(std::vector<std::uint32_t>& out, bool repeats) {
    const std::size_t words = (ids_ + 63) / 64;
    if (out.size() * std::bit_width(out.size()) < words) {
      if (repeats)
        sort_unique(out);
      else
        std::sort(out.begin(), out.end());
      return;
    }
    seen_.resize(words);
    for (auto id : out) seen_[id / 64] |= std::uint64_t{1} << (id % 64);
    out.clear();
    for (std::size_t w = 0; w < words; ++w)
      for (auto bits = std::exchange(seen_[w], 0); bits; bits &= bits - 1)
        out.push_back(static_cast<std::uint32_t>(w * 64 + std::countr_zero(bits)));
  }

  bucket& bucket_of(std::size_t c, unsigned wa, unsigned wp, bool by_port) {
    auto& per_class = classes_[c];
    for (auto& k : per_class)
      if (k.address_width == wa && k.port_width == wp) return k;
    per_class.push_back({wa, wp, by_port, {}});
    return per_class.back();
  }

  /// Appends the entries of `k` meeting `b` in a class (with ports iff `ports`), below `end`,
  /// searching the window of `k`'s sort key for the query [lo, hi] in that dimension.
  static void scan(const bucket& k, address_type lo, address_type hi, const box<S>& b, bool ports,
                   std::uint32_t end, std::vector<std::uint32_t>& out) {
    const auto key = [&](const entry& e) { return k.by_port ? address_type{e.port_lo} : e.lo; };
    // Ports have fewer bits than addresses in every space but the tiny test ones; there the
    // port width is at most the port bits, below the type's bits.
    const unsigned w = k.by_port ? k.port_width : k.address_width;
    const address_type reach = !k.by_port && w >= S::address_bits
                                   ? S::max_address
                                   : (address_type{1} << w) - address_type{1};
    const address_type from = lo > reach ? lo - reach : address_type{};
    auto it = std::partition_point(k.entries.begin(), k.entries.end(),
                                   [&](const entry& e) { return key(e) < from; });
    for (; it != k.entries.end() && !(hi < key(*it)); ++it) {
      const auto& e = *it;
      if (e.id >= end || e.hi < b.addresses.lo || b.addresses.hi < e.lo) continue;
      if (ports && (e.port_hi < b.ports.lo || b.ports.hi < e.port_lo)) continue;
      out.push_back(e.id);
    }
  }

  /// The number of bits of `span`.
  static unsigned width_class(const address_type& span) {
    if constexpr (std::is_same_v<address_type, uint128>)
      return span.hi ? 64 + static_cast<unsigned>(std::bit_width(span.hi))
                     : static_cast<unsigned>(std::bit_width(span.lo));
    else
      return static_cast<unsigned>(std::bit_width(span));
  }

  std::array<std::vector<bucket>, proto_class_count> classes_;
  std::uint32_t ids_ = 0;            ///< above every id added
  std::vector<std::uint64_t> seen_;  ///< scratch of ascending(), all zero between calls
};

}  // namespace detail
SECGROUP_END_NAMESPACE
