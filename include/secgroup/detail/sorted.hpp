// secgroup/detail/sorted.hpp: sorting a vector into a set (ascending, no duplicates).
#pragma once

#include <algorithm>

#include "../config.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace detail {

/// Sorts `v` ascending and removes repeated elements, in place.
template <class Vector>
void sort_unique(Vector& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace detail
SECGROUP_END_NAMESPACE
