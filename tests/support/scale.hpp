// tests/support/scale.hpp: how many random cases a property test runs.
//
// The heavy property tests (exhaustive tiny spaces, cross-engine checks) run their full count
// by default. SECGROUP_TEST_SCALE (a number in (0, 1], e.g. 0.25) runs a fraction of them: the
// sanitizer preset sets it, since its builds run the same code ten times slower and the other
// presets run every case. The seeds do not change, so a scaled run checks the first cases of
// the full run, and a failure is reproduced by the full run too.
// Contract: scaled(n) is in [1, n] for n >= 1; a bad SECGROUP_TEST_SCALE (not a number, <= 0,
// > 1) is ignored (full count), never a silently empty test.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <string>

namespace secgroup_test {

/// The factor read from SECGROUP_TEST_SCALE, or 1.
inline double test_scale() {
  static const double scale = [] {
    const char* text = std::getenv("SECGROUP_TEST_SCALE");
    if (!text) return 1.0;
    char* end = nullptr;
    const double v = std::strtod(text, &end);
    return end != text && *end == '\0' && v > 0 && v <= 1 ? v : 1.0;
  }();
  return scale;
}

/// `n` cases scaled by test_scale(), at least one.
template <class Int>
Int scaled(Int n) {
  return std::max<Int>(Int{1}, static_cast<Int>(static_cast<double>(n) * test_scale()));
}

}  // namespace secgroup_test
