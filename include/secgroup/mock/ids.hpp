// secgroup/mock/ids.hpp: the ids of the mock Instance API: UUIDs, checked and generated.
//
// Groups and rules are named by UUIDs in 8-4-4-4-12 hexadecimal form (spec §4, §5): is_uuid()
// is the one test of that form, used for path ids, request fields and snapshots alike. New ids
// come from an id_fn, which a store calls with its lock held (never concurrently): random
// version-4 UUIDs by default, or a seeded sequence that repeats from run to run (tests, the
// Python module's `seed`).
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <string_view>

#include "../config.hpp"
#include "../zones.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace mock {

/// The one test of the UUID form (zones.hpp), used for path ids, request fields and snapshots.
using secgroup::is_uuid;

/// Returns a fresh id (a UUID) for a new group or rule.
using id_fn = std::function<std::string()>;

/// Returns the version-4 UUID made of the 128 bits `hi`:`lo` (version and variant bits forced).
inline std::string make_uuid_v4(std::uint64_t hi, std::uint64_t lo) {
  hi = (hi & ~std::uint64_t{0xf000}) | std::uint64_t{0x4000};
  lo = (lo & ~(std::uint64_t{0xc} << 60)) | (std::uint64_t{0x8} << 60);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(hi >> 32),
                static_cast<unsigned long long>((hi >> 16) & 0xffff),
                static_cast<unsigned long long>(hi & 0xffff),
                static_cast<unsigned long long>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

/// A deterministic generator of version-4 UUIDs drawn from a mt19937_64 seeded with `seed`.
inline id_fn seeded_id_generator(std::uint64_t seed) {
  return [rng = std::mt19937_64(seed)]() mutable {
    auto hi = rng();
    return make_uuid_v4(hi, rng());
  };
}

/// A generator of random version-4 UUIDs, seeded from std::random_device.
inline id_fn random_id_generator() {
  std::random_device device;
  return seeded_id_generator((std::uint64_t{device()} << 32) ^ device());
}

}  // namespace mock
SECGROUP_END_NAMESPACE
