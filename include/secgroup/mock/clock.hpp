// secgroup/mock/clock.hpp: the time of the mock Instance API, the clocks that tell it, and the
// API's date format.
//
// A store reads its clock_fn with its lock held (never concurrently) to date each change and,
// while a group is syncing (spec §7), to know whether its sync is over. A group's
// `creation_date` and `modification_date` are strings in the API's format, UTC with
// microseconds ("2026-07-30T12:54:21.436730+00:00", spec §4): format_api_date() writes them,
// parse_api_date() reads them back (a restored syncing group's sync started at its
// modification_date). Clocks: the system time by default; a stepping clock (one step per
// reading) whose readings tests can write out by hand; a manual clock that moves only when a
// test says so, to step over a sync delay without sleeping.
#pragma once

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "../config.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace mock {

/// An instant of the mock's time.
using time_point = std::chrono::system_clock::time_point;

/// Returns `tp` in the API's date format, UTC with microseconds:
/// "2026-07-30T12:54:21.436730+00:00".
inline std::string format_api_date(time_point tp) {
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

/// Reads a date of the API's format back: "YYYY-MM-DDTHH:MM:SS", then optionally '.' and 1 to
/// 6 digits of fraction, then "+00:00" or "Z" (UTC only: the API writes no other offset).
/// Returns nullopt for anything else, an impossible date (2026-02-30) included.
inline std::optional<time_point> parse_api_date(std::string_view text) {
  using namespace std::chrono;
  std::size_t at = 0;
  auto number = [&](std::size_t digits, int& out) {
    if (at + digits > text.size()) return false;
    for (std::size_t i = at; i < at + digits; ++i)
      if (text[i] < '0' || text[i] > '9') return false;
    std::from_chars(text.data() + at, text.data() + at + digits, out);
    at += digits;
    return true;
  };
  auto literal = [&](char c) { return at < text.size() && text[at++] == c; };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!(number(4, y) && literal('-') && number(2, mo) && literal('-') && number(2, d) &&
        literal('T') && number(2, h) && literal(':') && number(2, mi) && literal(':') &&
        number(2, s)))
    return std::nullopt;
  long long fraction_us = 0;
  if (at < text.size() && text[at] == '.') {
    ++at;
    std::size_t digits = 0;
    for (; at < text.size() && text[at] >= '0' && text[at] <= '9' && digits < 7; ++at, ++digits)
      fraction_us = fraction_us * 10 + (text[at] - '0');
    if (digits == 0 || digits > 6) return std::nullopt;
    for (; digits < 6; ++digits) fraction_us *= 10;
  }
  const auto rest = text.substr(at);
  if (rest != "+00:00" && rest != "Z") return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  return time_point(sys_days{ymd}) + hours{h} + minutes{mi} + seconds{s} +
         microseconds{fraction_us};
}

/// Returns the mock's current time; a store calls it with its lock held.
using clock_fn = std::function<time_point()>;

/// A clock reading the system time.
inline clock_fn wall_clock() {
  return [] { return std::chrono::system_clock::now(); };
}

/// A deterministic clock: `start`, then `start + step`, `start + 2 step`, ... one per reading.
inline clock_fn stepping_clock(time_point start,
                               std::chrono::microseconds step = std::chrono::seconds(1)) {
  return [next = start, step]() mutable {
    auto now = next;
    next += step;
    return now;
  };
}

/// A clock that stands still until told to move: tests give a store `clock.fn()` and step over
/// a sync delay with advance(), without sleeping. Copies share one time; thread-safe.
class manual_clock {
 public:
  explicit manual_clock(time_point start)
      : now_(std::make_shared<std::atomic<std::int64_t>>(to_count(start))) {}

  /// The time now.
  time_point now() const { return time_point(time_point::duration(now_->load())); }
  /// Moves the time forward (or back, for a negative `by`).
  void advance(std::chrono::microseconds by) {
    now_->fetch_add(std::chrono::duration_cast<time_point::duration>(by).count());
  }
  /// Sets the time.
  void set(time_point to) { now_->store(to_count(to)); }
  /// A clock_fn reading this clock (sharing its time).
  clock_fn fn() const {
    return [now = now_] { return time_point(time_point::duration(now->load())); };
  }

 private:
  static std::int64_t to_count(time_point tp) {
    return static_cast<std::int64_t>(tp.time_since_epoch().count());
  }
  std::shared_ptr<std::atomic<std::int64_t>> now_;
};

}  // namespace mock
SECGROUP_END_NAMESPACE
