// secgroup/detail/search_forest.hpp: many static B+-trees in one aligned arena, for rank
// queries over sorted keys.
//
// rank(t, x) = number of keys of tree t that are <= x (std::upper_bound's index), in one cache
// line per level. Level 0 of a tree is its top (at most B keys); level L+1 holds every key and
// level L every B-th key of level L+1 (the first key of each block). A query counts inside the
// top block, then descends to the block its rank designates, counting again: a branch-free loop
// over B contiguous keys, which the compiler vectorises for 32-bit keys. Levels are padded to
// whole blocks with the maximum key and start on a 64-byte boundary; ranks are capped at the
// level size so padding never counts.
// The query is split into start/step so that batch callers can interleave many queries and
// prefetch each one's next block while the others compute.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

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
    return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{Align}));
  }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, std::align_val_t{Align}); }
  friend bool operator==(const aligned_allocator&, const aligned_allocator&) { return true; }
};

template <class Key>
class search_forest {
 public:
  /// Keys per block: one 64-byte cache line, at least 8.
  static constexpr std::size_t block = std::max<std::size_t>(8, 64 / sizeof(Key));
  /// Deepest tree: block^max_depth keys.
  static constexpr std::size_t max_depth = 8;

  /// A query in progress: the tree, the level reached and the rank on that level.
  struct cursor {
    std::uint32_t tree;
    std::uint32_t level;
    std::size_t rank;
  };

  /// Adds a tree over `sorted` (ascending, non-empty) padded with `max_key`; returns its id.
  std::uint32_t add(const std::vector<Key>& sorted, const Key& max_key) {
    SECGROUP_ASSERT(!sorted.empty());
    std::vector<std::vector<Key>> levels{sorted};  // bottom first
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
      t.offset[l] = static_cast<std::uint32_t>(keys_.size());
      t.size[l] = static_cast<std::uint32_t>(keys.size());
      keys_.insert(keys_.end(), keys.begin(), keys.end());
      keys_.resize((keys_.size() + block - 1) / block * block, max_key);
    }
    trees_.push_back(t);
    return static_cast<std::uint32_t>(trees_.size() - 1);
  }

  /// Starts a query of `x` in tree `t`: counts within the top block.
  cursor start(std::uint32_t t, const Key& x) const {
    const auto& tr = trees_[t];
    return {t, 0, std::min<std::size_t>(count(keys_.data() + tr.offset[0], x), tr.size[0])};
  }
  /// True iff the query has reached the bottom level.
  bool done(const cursor& c) const { return c.level + 1 >= trees_[c.tree].depth; }
  /// The block the next step reads (for prefetching).
  const Key* next_block(const cursor& c) const {
    const auto& tr = trees_[c.tree];
    return keys_.data() + tr.offset[c.level + 1] + (c.rank == 0 ? 0 : (c.rank - 1) * block);
  }
  /// Descends one level.
  void step(cursor& c, const Key& x) const {
    const auto& tr = trees_[c.tree];
    ++c.level;
    if (c.rank == 0) return;  // x is below every key: rank 0 on every level
    std::size_t base = (c.rank - 1) * block;
    c.rank = std::min<std::size_t>(base + count(keys_.data() + tr.offset[c.level] + base, x),
                                   tr.size[c.level]);
  }

  /// Number of keys of tree `t` that are <= x.
  std::size_t rank(std::uint32_t t, const Key& x) const {
    auto c = start(t, x);
    while (!done(c)) step(c, x);
    return c.rank;
  }

  /// Bytes held.
  std::size_t memory() const {
    return keys_.capacity() * sizeof(Key) + trees_.capacity() * sizeof(tree);
  }

 private:
  struct tree {
    std::uint32_t depth;
    std::array<std::uint32_t, max_depth> offset;  // level start in keys_, top first
    std::array<std::uint32_t, max_depth> size;    // unpadded level size
  };

  static std::size_t count(const Key* keys, const Key& x) {
    std::size_t c = 0;
    for (std::size_t j = 0; j < block; ++j) c += !(x < keys[j]);
    return c;
  }

  std::vector<Key, aligned_allocator<Key, 64>> keys_;
  std::vector<tree> trees_;
};

}  // namespace detail
SECGROUP_END_NAMESPACE
