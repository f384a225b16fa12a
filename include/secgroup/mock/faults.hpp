// secgroup/mock/faults.hpp: deterministic failures for testing clients' retries and timeouts.
//
// A fault plan answers a seeded fraction of requests with 429 or 5xx instead of serving them,
// optionally with `Retry-After`, and may delay every answer. Whether request number n (0-based,
// in the order the router receives them) fails, and with which status, is a pure function of the
// plan and n: the same seed gives the same sequence on every run, so a client's test can count
// its retries. A failed request changes nothing: it never reaches the store, so retrying it is
// always safe. What the real API sends on 429 is not recorded (spec: terraform-and-clients.md
// D.7, open question 5): the body shapes here are guessed and documented in docs/mock-api.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../config.hpp"
#include "../error.hpp"

SECGROUP_BEGIN_NAMESPACE

/// \cond
namespace detail::mock_faults {
/// SplitMix64: a well-mixed 64-bit value of `x` (Steele, Lea and Flood, 2014).
constexpr std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace detail::mock_faults
/// \endcond

namespace mock {

/// Statuses a fault plan may answer with: what clients retry (429 and the transient 5xx).
inline constexpr int fault_statuses[] = {429, 500, 502, 503, 504};

/// Settings of a fault plan; the default plan injects nothing.
struct fault_options {
  double rate = 0;                         ///< fraction of requests that fail, 0..1
  std::vector<int> statuses = {429, 503};  ///< a failing request gets one of these, drawn
  std::optional<unsigned> retry_after;     ///< seconds, sent as `Retry-After` with each failure
  unsigned delay_ms = 0;                   ///< added before every answer, failed or not
  std::uint64_t seed = 1;

  /// True iff the plan changes any answer.
  bool active() const { return rate > 0 || delay_ms > 0; }
};

/// One injected failure.
struct fault {
  int status = 503;
  std::optional<unsigned> retry_after;
};

/// The names validate() gives the fields of fault_options in its errors.
struct fault_field_names {
  std::string rate = "rate", statuses = "statuses", retry_after = "retry_after", delay = "delay_ms";
};

/// Throws validation_error (bad_value) naming the field (`names`; a status as
/// `<statuses>[i]`) for a rate outside 0..1, no status or one not in fault_statuses, a
/// Retry-After over an hour or a delay over a minute.
inline void validate(const fault_options& o, const fault_field_names& names = {}) {
  if (!(o.rate >= 0 && o.rate <= 1))
    SECGROUP_THROW(
        validation_error(errc::bad_value, names.rate, "the fault rate must be between 0 and 1"));
  if (o.statuses.empty())
    SECGROUP_THROW(
        validation_error(errc::bad_value, names.statuses, "give at least one status to fail with"));
  for (std::size_t i = 0; i < o.statuses.size(); ++i) {
    bool known = false;
    for (int s : fault_statuses) known = known || s == o.statuses[i];
    if (!known)
      SECGROUP_THROW(validation_error(
          errc::bad_value, names.statuses + "[" + std::to_string(i) + "]",
          "status " + std::to_string(o.statuses[i]) + " is not one of 429, 500, 502, 503, 504"));
  }
  if (o.retry_after && *o.retry_after > 3600)
    SECGROUP_THROW(validation_error(errc::bad_value, names.retry_after,
                                    "Retry-After is at most 3600 seconds"));
  if (o.delay_ms > 60000)
    SECGROUP_THROW(validation_error(errc::bad_value, names.delay, "the delay is at most 60000 ms"));
}


/// The failure of request number `n` under plan `o`, or nullopt when it is served. A pure
/// function: a fraction `o.rate` of the n fail (exactly 0 and every one at 0 and 1), statuses
/// drawn evenly from `o.statuses`.
inline std::optional<fault> fault_for(const fault_options& o, std::uint64_t n) {
  if (o.rate <= 0 || o.statuses.empty()) return std::nullopt;
  const std::uint64_t h = detail::mock_faults::mix(o.seed ^ detail::mock_faults::mix(n));
  const double u = static_cast<double>(h >> 11) * 0x1.0p-53;  // uniform in [0, 1)
  if (u >= o.rate) return std::nullopt;
  const auto pick = detail::mock_faults::mix(h) % o.statuses.size();
  return fault{o.statuses[pick], o.retry_after};
}

}  // namespace mock
SECGROUP_END_NAMESPACE
