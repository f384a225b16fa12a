// secgroup/mock/clock.hpp: the dates of the mock Instance API and the clocks that make them.
//
// A group's `creation_date` and `modification_date` are strings in the API's format, UTC with
// microseconds ("2026-07-30T12:54:21.436730+00:00", spec §4). A store reads them from a clock_fn,
// once per change and with its lock held (never concurrently): the system time by default, or a
// stepping clock whose readings tests can write out by hand.
#pragma once

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>

#include "../config.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace mock {

/// Returns `tp` in the API's date format, UTC with microseconds:
/// "2026-07-30T12:54:21.436730+00:00".
inline std::string format_api_date(std::chrono::system_clock::time_point tp) {
  using namespace std::chrono;
  auto day = floor<days>(tp);
  year_month_day ymd{day};
  hh_mm_ss<microseconds> time{floor<microseconds>(tp - day)};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%06lld+00:00",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(time.hours().count()),
                static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()),
                static_cast<long long>(time.subseconds().count()));
  return buf;
}

/// Returns the current date in the API's format; called for each change.
using clock_fn = std::function<std::string()>;

/// A clock reading the system time.
inline clock_fn wall_clock() {
  return [] { return format_api_date(std::chrono::system_clock::now()); };
}

/// A deterministic clock: `start`, then `start + step`, `start + 2 step`, ... one per reading.
inline clock_fn stepping_clock(std::chrono::system_clock::time_point start,
                               std::chrono::microseconds step = std::chrono::seconds(1)) {
  return [next = start, step]() mutable {
    auto now = format_api_date(next);
    next += step;
    return now;
  };
}

}  // namespace mock
SECGROUP_END_NAMESPACE
