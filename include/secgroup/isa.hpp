// secgroup/isa.hpp: the vector instruction sets the lookup kernels can use, detected at
// run time.
//
// The library is compiled without -march, so that one binary runs on any x86-64. The kernels
// that need AVX2 or AVX-512 are compiled for them function by function (SECGROUP_TARGET, GCC's
// and Clang's target attribute) and chosen at run time by best_isa(); a build that cannot
// dispatch (another architecture or compiler) has only the baseline kernel.
#pragma once

#include <cstdint>
#include <string_view>

#include "config.hpp"

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#define SECGROUP_X86_DISPATCH 1
#include <immintrin.h>
/// Compiles the function that follows for the named instruction sets (see the header comment).
#define SECGROUP_TARGET(features) __attribute__((target(features)))
/// Inlines every call in the function that follows, so that a kernel compiled for an
/// instruction set (SECGROUP_TARGET) is inlined into its caller compiled for the same set.
#define SECGROUP_FLATTEN __attribute__((flatten))
#else
#define SECGROUP_X86_DISPATCH 0
#define SECGROUP_TARGET(features)
#define SECGROUP_FLATTEN
#endif

SECGROUP_BEGIN_NAMESPACE

/// An instruction set the compiled lookup can run on, weakest first.
enum class isa : std::uint8_t {
  baseline,  ///< what the compiler targets by default (SSE2 on x86-64)
  avx2,      ///< AVX2 and POPCNT
  avx512,    ///< AVX-512F and POPCNT
};

constexpr std::string_view to_string(isa i) {
  switch (i) {
    case isa::baseline:
      return "baseline";
    case isa::avx2:
      return "avx2";
    case isa::avx512:
      return "avx512";
  }
  return "?";
}

/// Returns true when this CPU (and its operating system) runs code compiled for `i`.
inline bool isa_supported(isa i) noexcept {
#if SECGROUP_X86_DISPATCH
  __builtin_cpu_init();  // needed when called before the runtime's own constructors have run
  switch (i) {
    case isa::baseline:
      return true;
    case isa::avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
    case isa::avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("popcnt");
  }
  return false;
#else
  return i == isa::baseline;
#endif
}

/// Returns the strongest instruction set this CPU runs (detected once).
inline isa best_isa() noexcept {
  static const isa best = isa_supported(isa::avx512) ? isa::avx512
                          : isa_supported(isa::avx2) ? isa::avx2
                                                     : isa::baseline;
  return best;
}

SECGROUP_END_NAMESPACE
