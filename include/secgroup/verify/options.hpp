// secgroup/verify/options.hpp: the limits and switches of the Z3 engine (verify/z3.hpp).
//
// OPTIONAL: part of the secgroup::z3 target, like verify/z3.hpp (this header itself needs no
// Z3 header).
#pragma once

#include <cstdint>

#include "../config.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace verify {

/// Limits and switches of the Z3 engine.
struct options {
  /// Wall-clock limit of each solver query, in milliseconds; 0 means none.
  std::uint32_t timeout_ms = 10'000;
  /// Z3 resource units ("rlimit") per solver query; 0 means none. Unlike the timeout, the same
  /// input runs out at the same point on every run.
  std::uint32_t resource_limit = 0;
  /// analyze(): also report correlated and generalization pairs (one solver query per earlier
  /// live rule plus a few per overlapping pair of opposite actions).
  bool pairs = true;
  /// analyze(): a direction and family with at most this many rules is encoded whole, once;
  /// a larger one rule by rule, each rule with only the rules that may overlap it. Both give
  /// the same answers; the limit only trades set-up cost against query cost.
  std::uint32_t whole_slice_limit = 96;
};

}  // namespace verify
SECGROUP_END_NAMESPACE
