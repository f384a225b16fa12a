// secgroup/detail/search_forest.hpp: many static B+-trees in one aligned arena, answering
// "which segment holds x" over sorted segment starts.
//
// A tree over n segments stores the n-1 inner boundaries as keys b_i = start_i - 1, so that the
// segment of x is the number of keys strictly below x, and padding with the maximum key never
// counts (no x exceeds the maximum). Level 0 is
// the top (at most B keys); level L holds every B-th key of level L+1 (the first key of each of
// its blocks). A query counts the keys < x in one block of B contiguous keys per level — a
// branch-free loop the compiler vectorises for 32-bit keys — and descends into the block its
// count designates: one cache line per level, no bounds to check. Levels start on 64-byte
// boundaries.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "../config.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace detail {

/// A std::allocator that aligns every allocation to `Align` bytes.
template <class T, std::size_t Align>
struct aligned_allocator {
  using value_type = T;
  template <class U>
  struct rebind {
    using other = aligned_allocator<U, Align>;
  };
  aligned_allocator() = default;
  template <class U>
  aligned_allocator(const aligned_allocator<U, Align>&) noexcept {}
  T* allocate(std::size_t n) {
    return static_cast<T*>(::operator new (n * sizeof(T), std::align_val_t{Align}));
  }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete (p, std::align_val_t{Align}); }
  friend bool operator==(const aligned_allocator&, const aligned_allocator&) { return true; }
};

template <class Key>
class search_forest {
 public:
  /// Keys per block: one 64-byte cache line, at least 8.
  static constexpr std::size_t block = std::max<std::size_t>(8, 64 / sizeof(Key));
  /// Deepest tree: block^max_depth segments.
  static constexpr std::size_t max_depth = 8;

  /// A tree's shape: its depth and where each level starts in the arena (top first).
  struct tree {
    std::uint32_t depth;
    std::array<std::uint32_t, max_depth> level;
  };

  /// Adds a tree over segments starting at `starts` (ascending, non-empty, first the minimum);
  /// `max_key` pads blocks. Returns its shape, which queries take.
  tree add(const std::vector<Key>& starts, const Key& max_key) {
    SECGROUP_ASSERT(!starts.empty());
    std::vector<std::vector<Key>> levels(1);  // bottom first: the inner boundaries
    for (std::size_t i = 1; i < starts.size(); ++i) levels[0].push_back(starts[i] - Key{1});
    while (levels.back().size() > block) {
      std::vector<Key> up;
      for (std::size_t i = 0; i < levels.back().size(); i += block) up.push_back(levels.back()[i]);
      levels.push_back(std::move(up));
    }
    SECGROUP_ASSERT(levels.size() <= max_depth);
    tree t{};
    t.depth = static_cast<std::uint32_t>(levels.size());
    for (std::size_t l = 0; l < levels.size(); ++l) {
      const auto& keys = levels[levels.size() - 1 - l];  // top first
      t.level[l] = static_cast<std::uint32_t>(keys_.size());
      keys_.insert(keys_.end(), keys.begin(), keys.end());
      keys_.resize(keys_.size() + (block - keys.size() % block) % block, max_key);
      if (keys.empty()) keys_.resize(keys_.size() + block, max_key);
    }
    return t;
  }

  /// Index of the segment of tree `tr` holding `x`.
  std::size_t segment(const tree& tr, const Key& x) const {
    std::size_t r = count_below(keys_.data() + tr.level[0], x);
    for (std::uint32_t l = 1; l < tr.depth; ++l) {
      std::size_t base = (r == 0 ? 0 : r - 1) * block;
      r = base + count_below(keys_.data() + tr.level[l] + base, x);
    }
    return r;
  }

  /// Bytes held.
  std::size_t memory() const { return keys_.capacity() * sizeof(Key); }

 private:
  /// Number of keys of the (sorted, 64-byte aligned) block at `keys` that are below `x`.
  static std::size_t count_below(const Key* keys, const Key& x) {
#if defined(__SSE2__)
    if constexpr (std::is_same_v<Key, std::uint32_t> && block == 16) {
      // Signed compares on sign-flipped values; the block is sorted, so the keys below x form
      // a prefix and the count is the number of trailing ones of the 16-lane mask.
      const __m128i flip = _mm_set1_epi32(static_cast<int>(0x80000000u));
      const __m128i v = _mm_xor_si128(_mm_set1_epi32(static_cast<int>(x)), flip);
      auto below = [&](std::size_t i) {
        auto k = _mm_xor_si128(_mm_load_si128(reinterpret_cast<const __m128i*>(keys + i)), flip);
        return _mm_cmpgt_epi32(v, k);
      };
      auto lo = _mm_packs_epi32(below(0), below(4));
      auto hi = _mm_packs_epi32(below(8), below(12));
      auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_packs_epi16(lo, hi)));
      return static_cast<std::size_t>(__builtin_ctz(~mask));
    }
#endif
    std::size_t c = 0;
    for (std::size_t j = 0; j < block; ++j) c += keys[j] < x;
    return c;
  }

  std::vector<Key, aligned_allocator<Key, 64>> keys_;
};

}  // namespace detail
SECGROUP_END_NAMESPACE
