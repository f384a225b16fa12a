// secgroup/detail/search_tree.hpp: a static B+-tree over sorted keys for rank queries.
//
// rank(x) = number of keys <= x (std::upper_bound's index), in O(log_B n) cache-line visits.
// Level 0 holds the keys; level L+1 holds every B-th key of level L (the first key of each
// block). A query finds its block on the top level and descends, counting inside one block of
// B contiguous keys per level: a branch-free loop the compiler vectorises for 32-bit keys.
// Levels are padded to whole blocks with the maximum key; ranks are capped at the level size so
// padding never counts.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "../config.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace detail {

template <class Key, std::size_t B = 64 / sizeof(Key) < 4 ? 4 : 64 / sizeof(Key)>
class search_tree {
 public:
  static constexpr std::size_t block = B;

  search_tree() = default;
  /// Builds the tree over `sorted` (ascending; duplicates allowed); `max_key` pads blocks.
  search_tree(const std::vector<Key>& sorted, Key max_key) : size_(sorted.size()) {
    std::vector<Key> level = sorted;
    do {
      sizes_.push_back(level.size());
      std::vector<Key> next;
      for (std::size_t i = 0; i < level.size(); i += B) next.push_back(level[i]);
      level.resize(std::max<std::size_t>(B, (level.size() + B - 1) / B * B), max_key);
      levels_.push_back(std::move(level));
      level = std::move(next);
    } while (sizes_.back() > B);
  }

  /// Number of keys <= x.
  std::size_t rank(const Key& x) const {
    std::size_t r = count_block(levels_.back().data(), x);
    r = std::min(r, sizes_.back());
    for (std::size_t l = levels_.size() - 1; l-- > 0;) {
      if (r == 0) return 0;
      std::size_t base = (r - 1) * B;
      r = std::min(base + count_block(levels_[l].data() + base, x), sizes_[l]);
    }
    return r;
  }

  /// Number of keys.
  std::size_t size() const { return size_; }
  /// Bytes held by the key levels.
  std::size_t memory() const {
    std::size_t m = 0;
    for (const auto& l : levels_) m += l.capacity() * sizeof(Key);
    return m;
  }

 private:
  static std::size_t count_block(const Key* keys, const Key& x) {
    std::size_t c = 0;
    for (std::size_t j = 0; j < B; ++j) c += !(x < keys[j]);
    return c;
  }

  std::size_t size_ = 0;
  std::vector<std::vector<Key>> levels_;  // levels_[0] = keys, padded; back() = top
  std::vector<std::size_t> sizes_;        // unpadded size of each level
};

}  // namespace detail
SECGROUP_END_NAMESPACE
