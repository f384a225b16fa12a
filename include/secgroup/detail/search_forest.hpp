// secgroup/detail/search_forest.hpp: many static B+-trees in one aligned arena, answering
// "which segment holds x" over sorted segment starts, one query at a time or many together.
//
// A tree over n segments stores the n-1 inner boundaries as keys b_i = start_i - 1, so that the
// segment of x is the number of keys strictly below x, and padding with the maximum key never
// counts (no x exceeds the maximum). Level 0 is the top (at most B keys); level L holds one key
// per block of level L+1: the block's last key, the maximum key for the last block. The count c
// of keys < x in a block of level L is then the block of level L+1 holding x's count: a query
// computes r = r * B + count(block r of level L) from the top, one block of B contiguous keys
// per level, branch-free and with no bounds to check.
//
// Block width. For 32-bit keys (IPv4) the forest's blocks hold 16 keys (one cache line) or 32
// (two lines; one level fewer for 17-32, 257-1024 and 4097-32768 keys), chosen when the forest
// is made; other keys take blocks of 64 bytes and at least 8 keys. Blocks are counted by the
// kernel of the `isa` template argument (isa.hpp): one or two AVX-512 compares, two or four AVX2
// ones, or SSE2; a block of 8 128-bit keys (IPv6), stored as its high words then its low words,
// by three AVX-512 compares, six AVX2 ones, or a scalar loop.
// Blocks start on 128-byte boundaries. Queries of several trees can descend together, level by
// level (descend(), as compiled_policy::find_many does); padded() gives trees one depth for that.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>
#include <type_traits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "../config.hpp"
#include "../isa.hpp"
#include "uint128.hpp"

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

// -- Counting the keys of a block below x ---------------------------------------------------
// Each kernel takes a sorted, 64-byte aligned block of 16 or 32 keys: the keys below x form a
// prefix.

/// Baseline x86-64, 16 keys: signed compares on sign-flipped values; the count is the trailing
/// ones of the 16-lane mask.
inline std::uint32_t count_below_16_sse2(const std::uint32_t* keys, std::uint32_t x) {
#if defined(__SSE2__)
  const __m128i flip = _mm_set1_epi32(static_cast<int>(0x80000000u));
  const __m128i v = _mm_xor_si128(_mm_set1_epi32(static_cast<int>(x)), flip);
  auto below = [&](std::size_t i) {
    auto k = _mm_xor_si128(_mm_load_si128(reinterpret_cast<const __m128i*>(keys + i)), flip);
    return _mm_cmpgt_epi32(v, k);
  };
  auto lo = _mm_packs_epi32(below(0), below(4));
  auto hi = _mm_packs_epi32(below(8), below(12));
  auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_packs_epi16(lo, hi)));
  return static_cast<std::uint32_t>(__builtin_ctz(~mask));
#else
  std::uint32_t c = 0;
  for (std::size_t j = 0; j < 16; ++j) c += keys[j] < x;
  return c;
#endif
}

/// Baseline x86-64, 32 keys: picks the half holding x's count (keys[15] < x: the upper one,
/// without a branch), then counts its 16 keys.
inline std::uint32_t count_below_32_sse2(const std::uint32_t* keys, std::uint32_t x) {
  const std::uint32_t half = static_cast<std::uint32_t>(keys[15] < x) << 4;
  return half + count_below_16_sse2(keys + half, x);
}

#if SECGROUP_X86_DISPATCH
/// AVX2: one 8-lane compare of the keys at `keys` as a mask (no lambda: a lambda would not
/// inherit the target).
SECGROUP_TARGET("avx2,popcnt")
inline std::uint32_t below_mask8_avx2(const std::uint32_t* keys, __m256i flipped_x) {
  const __m256i flip = _mm256_set1_epi32(static_cast<int>(0x80000000u));
  auto k = _mm256_xor_si256(_mm256_load_si256(reinterpret_cast<const __m256i*>(keys)), flip);
  auto below = _mm256_castsi256_ps(_mm256_cmpgt_epi32(flipped_x, k));
  return static_cast<std::uint32_t>(_mm256_movemask_ps(below));
}

/// AVX2, 16 keys: two 8-lane compares.
SECGROUP_TARGET("avx2,popcnt")
inline std::uint32_t count_below_16_avx2(const std::uint32_t* keys, std::uint32_t x) {
  const __m256i v = _mm256_set1_epi32(static_cast<int>(x ^ 0x80000000u));
  return static_cast<std::uint32_t>(
      __builtin_popcount(below_mask8_avx2(keys, v) | below_mask8_avx2(keys + 8, v) << 8));
}

/// AVX2, 32 keys: four 8-lane compares.
SECGROUP_TARGET("avx2,popcnt")
inline std::uint32_t count_below_32_avx2(const std::uint32_t* keys, std::uint32_t x) {
  const __m256i v = _mm256_set1_epi32(static_cast<int>(x ^ 0x80000000u));
  return static_cast<std::uint32_t>(__builtin_popcount(
      below_mask8_avx2(keys, v) | below_mask8_avx2(keys + 8, v) << 8 |
      below_mask8_avx2(keys + 16, v) << 16 | below_mask8_avx2(keys + 24, v) << 24));
}

// The AVX-512 kernels compare x > keys (not keys < x), so that the keys are the memory operand
// of the compare: one instruction per 16 keys instead of a load and a compare.

/// AVX-512, 16 keys: one 16-lane unsigned compare.
SECGROUP_TARGET("avx512f,popcnt")
inline std::uint32_t count_below_16_avx512(const std::uint32_t* keys, std::uint32_t x) {
  const __m512i v = _mm512_set1_epi32(static_cast<int>(x));
  const std::uint32_t below = _mm512_cmpgt_epu32_mask(v, _mm512_load_si512(keys));
  return static_cast<std::uint32_t>(__builtin_popcount(below));
}

/// AVX-512, 32 keys: two 16-lane unsigned compares, one count of both masks.
SECGROUP_TARGET("avx512f,popcnt")
inline std::uint32_t count_below_32_avx512(const std::uint32_t* keys, std::uint32_t x) {
  const __m512i v = _mm512_set1_epi32(static_cast<int>(x));
  const std::uint32_t lo = _mm512_cmpgt_epu32_mask(v, _mm512_load_si512(keys));
  const std::uint32_t hi = _mm512_cmpgt_epu32_mask(v, _mm512_load_si512(keys + 16));
  return static_cast<std::uint32_t>(__builtin_popcount(lo | hi << 16));
}

// A block of 8 keys of 128 bits is stored as its 8 high words, then its 8 low words (see
// search_forest::append_level): x is above a key when its high word is above the key's, or
// equal and its low word above.

/// AVX-512, 8 keys of 128 bits: the high words compared for above and equal, the low words
/// only in the lanes whose high words are equal (a masked compare): three compares in all.
SECGROUP_TARGET("avx512f,popcnt")
inline std::uint32_t count_below_8_u128_avx512(const uint128* keys, const uint128& x) {
  const auto* words = reinterpret_cast<const std::uint64_t*>(keys);
  const __m512i hi = _mm512_load_si512(words);
  const __m512i x_hi = _mm512_set1_epi64(static_cast<long long>(x.hi));
  const __mmask8 above = _mm512_cmpgt_epu64_mask(x_hi, hi);
  const __mmask8 equal = _mm512_cmpeq_epu64_mask(x_hi, hi);
  const __mmask8 low_above = _mm512_mask_cmpgt_epu64_mask(
      equal, _mm512_set1_epi64(static_cast<long long>(x.lo)), _mm512_load_si512(words + 8));
  return static_cast<std::uint32_t>(__builtin_popcount(above | low_above));
}

/// AVX2, 4 of the 8 keys of 128 bits at `words` (high words, the low words 8 further): signed
/// compares on sign-flipped words, as a 4-lane mask.
SECGROUP_TARGET("avx2,popcnt")
inline std::uint32_t below_mask4_u128_avx2(const std::uint64_t* words, __m256i flipped_hi,
                                           __m256i flipped_lo) {
  const __m256i flip = _mm256_set1_epi64x(static_cast<long long>(0x8000000000000000ull));
  const __m256i hi =
      _mm256_xor_si256(_mm256_load_si256(reinterpret_cast<const __m256i*>(words)), flip);
  const __m256i lo =
      _mm256_xor_si256(_mm256_load_si256(reinterpret_cast<const __m256i*>(words + 8)), flip);
  const __m256i below = _mm256_or_si256(
      _mm256_cmpgt_epi64(flipped_hi, hi),
      _mm256_and_si256(_mm256_cmpeq_epi64(flipped_hi, hi), _mm256_cmpgt_epi64(flipped_lo, lo)));
  return static_cast<std::uint32_t>(_mm256_movemask_pd(_mm256_castsi256_pd(below)));
}

SECGROUP_TARGET("avx2,popcnt")
inline std::uint32_t count_below_8_u128_avx2(const uint128* keys, const uint128& x) {
  const auto* words = reinterpret_cast<const std::uint64_t*>(keys);
  const std::uint64_t flip = 0x8000000000000000ull;
  const __m256i x_hi = _mm256_set1_epi64x(static_cast<long long>(x.hi ^ flip));
  const __m256i x_lo = _mm256_set1_epi64x(static_cast<long long>(x.lo ^ flip));
  return static_cast<std::uint32_t>(
      __builtin_popcount(below_mask4_u128_avx2(words, x_hi, x_lo) |
                         below_mask4_u128_avx2(words + 4, x_hi, x_lo) << 4));
}
#endif

template <class Key>
class search_forest {
 public:
  /// True for 32-bit keys, whose blocks may hold 16 or 32 keys.
  static constexpr bool wide_blocks = std::is_same_v<Key, std::uint32_t>;
  /// The default keys per block: 16 for 32-bit keys, otherwise 64 bytes and at least 8.
  static constexpr std::size_t default_block = std::max<std::size_t>(8, 64 / sizeof(Key));
  /// Deepest tree: block^max_depth segments.
  static constexpr std::size_t max_depth = 8;

  /// A forest of blocks of `width` keys: default_block, or 32 for 32-bit keys.
  explicit search_forest(std::size_t width = default_block) : block_(width) {
    SECGROUP_ASSERT(width == default_block || (wide_blocks && width == 32));
  }

  /// Keys per block.
  std::size_t block() const { return block_; }

  /// Levels of a tree over `segments` segments in blocks of `width` keys.
  static std::uint32_t depth_of(std::size_t segments, std::size_t width) {
    std::uint32_t depth = 1;
    for (std::size_t keys = segments > 0 ? segments - 1 : 0; keys > width;
         keys = (keys + width - 1) / width)
      ++depth;
    return depth;
  }

  /// Keys a tree over `segments` segments holds in blocks of `width` keys (each level whole
  /// blocks, at least one), as add() lays it out: for reserve().
  static std::size_t keys_of(std::size_t segments, std::size_t width) {
    std::size_t blocks = 0;
    for (std::size_t keys = segments > 0 ? segments - 1 : 0;; keys = (keys + width - 1) / width) {
      blocks += std::max<std::size_t>(1, (keys + width - 1) / width);
      if (keys <= width) return blocks * width;
    }
  }

  /// Makes room for `keys` more keys, so that adding trees of that many keys (keys_of) and one
  /// padded() block does not grow the arena by doubling, which left up to half of it unused.
  void reserve(std::size_t keys) { keys_.reserve(keys_.size() + keys); }

  /// Keys stored, padding included.
  std::size_t size() const { return keys_.size(); }

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
    const std::size_t width = block_;
    while (levels.back().size() > width) {
      const auto& below = levels.back();
      std::vector<Key> up;
      for (std::size_t end = width; end < below.size(); end += width) up.push_back(below[end - 1]);
      up.push_back(max_key);  // the last block, whatever it holds
      levels.push_back(std::move(up));
    }
    SECGROUP_ASSERT(levels.size() <= max_depth);
    tree t{};
    t.depth = static_cast<std::uint32_t>(levels.size());
    for (std::size_t l = 0; l < levels.size(); ++l) {
      const auto& keys = levels[levels.size() - 1 - l];  // top first
      t.level[l] = static_cast<std::uint32_t>(keys_.size());
      append_level(keys, max_key);
    }
    return t;
  }

  /// Returns `tr` deepened to `depth` levels by levels on top whose one block (shared by every
  /// padded tree) holds only `max_key`, which no x is above: a query descending them stays in
  /// block 0 down to the tree's own root, and finds the same segment. For queries of many trees
  /// descending together, level by level: padded to one depth, they all take the same steps.
  tree padded(tree tr, std::uint32_t depth, const Key& max_key) {
    SECGROUP_ASSERT(depth >= tr.depth && depth <= max_depth);
    const std::uint32_t extra = depth - tr.depth;
    if (extra == 0) return tr;
    if (!max_block_) {
      max_block_ = static_cast<std::uint32_t>(keys_.size());
      keys_.resize(keys_.size() + block_, max_key);
    }
    std::copy_backward(tr.level.begin(), tr.level.begin() + tr.depth, tr.level.begin() + depth);
    std::fill_n(tr.level.begin(), extra, *max_block_);
    tr.depth = depth;
    return tr;
  }

  /// Index of the segment of tree `tr` holding `x`.
  template <isa I = isa::baseline>
  std::size_t segment(const tree& tr, const Key& x) const {
    std::uint32_t r = 0;
    for (std::uint32_t l = 0; l < tr.depth; ++l) r = descend<I>(tr, l, r, x);
    return r;
  }

  /// One level of a query of tree `tr`: from `r`, the block of level `l` the query is in (0 at
  /// the top), returns the block of level l + 1, or the segment after the last level.
  template <isa I = isa::baseline>
  std::uint32_t descend(const tree& tr, std::uint32_t l, std::uint32_t r, const Key& x) const {
    if constexpr (wide_blocks)
      if (block_ == 32) return descend<I, 32>(tr, l, r, x);
    return descend<I, default_block>(tr, l, r, x);
  }

  /// The same in a forest whose block() is `Width` (known to the caller, which may then choose
  /// the width once for many descents).
  template <isa I, std::size_t Width>
  std::uint32_t descend(const tree& tr, std::uint32_t l, std::uint32_t r, const Key& x) const {
    SECGROUP_ASSERT(block_ == Width);
    const auto base = r * static_cast<std::uint32_t>(Width);
    return base + count_below<I, Width>(keys_.data() + tr.level[l] + base, x);
  }

  /// Bytes held.
  std::size_t memory() const { return keys_.capacity() * sizeof(Key); }

 private:
  /// Number of keys of the (sorted, aligned) block of `Width` keys at `keys` below `x`.
  template <isa I, std::size_t Width>
  static std::uint32_t count_below(const Key* keys, const Key& x) {
    if constexpr (wide_blocks && Width == 32) {
#if SECGROUP_X86_DISPATCH
      if constexpr (I == isa::avx512) return count_below_32_avx512(keys, x);
      if constexpr (I == isa::avx2) return count_below_32_avx2(keys, x);
#endif
      return count_below_32_sse2(keys, x);
    } else if constexpr (wide_blocks) {
#if SECGROUP_X86_DISPATCH
      if constexpr (I == isa::avx512) return count_below_16_avx512(keys, x);
      if constexpr (I == isa::avx2) return count_below_16_avx2(keys, x);
#endif
      return count_below_16_sse2(keys, x);
    } else {
      if constexpr (split_words) {
        static_assert(default_block == 8);
#if SECGROUP_X86_DISPATCH
        if constexpr (I == isa::avx512) return count_below_8_u128_avx512(keys, x);
        if constexpr (I == isa::avx2) return count_below_8_u128_avx2(keys, x);
#endif
        const auto* words = reinterpret_cast<const std::uint64_t*>(keys);
        std::uint32_t c = 0;
        for (std::size_t j = 0; j < 8; ++j)
          c += words[j] < x.hi || (words[j] == x.hi && words[8 + j] < x.lo);
        return c;
      } else {
        std::uint32_t c = 0;
        for (std::size_t j = 0; j < default_block; ++j) c += keys[j] < x;
        return c;
      }
    }
  }

  /// Whether a block's keys are stored split into words (128-bit keys: the 8 high words, then
  /// the 8 low words, so that a vector compare takes 8 high or low words at once).
  static constexpr bool split_words = std::is_same_v<Key, uint128>;

  /// Appends the blocks of one level holding `keys` (at least one block), the last padded with
  /// `max_key`.
  void append_level(const std::vector<Key>& keys, const Key& max_key) {
    const std::size_t width = block_;
    const std::size_t at = keys_.size();
    keys_.insert(keys_.end(), keys.begin(), keys.end());
    keys_.resize(at + std::max<std::size_t>(1, (keys.size() + width - 1) / width) * width, max_key);
    if constexpr (split_words) {
      for (std::size_t b = at; b < keys_.size(); b += width) {
        std::array<std::uint64_t, 2 * default_block> words;
        for (std::size_t j = 0; j < width; ++j) {
          words[j] = keys_[b + j].hi;
          words[width + j] = keys_[b + j].lo;
        }
        for (std::size_t j = 0; j < width; ++j) keys_[b + j] = {words[2 * j], words[2 * j + 1]};
      }
    }
  }

  std::size_t block_;
  std::vector<Key, aligned_allocator<Key, 128>> keys_;
  std::optional<std::uint32_t> max_block_;  // the block of padded levels, once there is one
};

}  // namespace detail
SECGROUP_END_NAMESPACE
