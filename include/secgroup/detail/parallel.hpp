// secgroup/detail/parallel.hpp: a parallel loop over indices whose items are independent.
//
// parallel_for() runs f(0) ... f(n-1) on up to `jobs` threads, the caller's among them, and
// returns when every call has returned; an exception ends the loop and is rethrown in the
// caller. Nothing is shared between the calls but what f shares: f must be safe to call
// concurrently for different indices (lint: each group's report is its own).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "../config.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace detail {

/// The threads a job count asks for: `requested`, or when 0 every hardware thread (at least 1).
inline unsigned job_count(unsigned requested) {
  if (requested) return requested;
  const unsigned hardware = std::thread::hardware_concurrency();
  return hardware ? hardware : 1;
}

/// Calls f(i) once for every i in [0, n), on min(jobs, n) threads (the caller's among them; one
/// thread: in order, on the caller's; fewer when the system gives no more). Returns when every
/// call has returned. The first exception
/// a call throws is rethrown once every thread has stopped; indices not yet started are skipped.
template <class F>
void parallel_for(std::size_t n, unsigned jobs, F&& f) {
  if (jobs <= 1 || n <= 1) {
    for (std::size_t i = 0; i < n; ++i) f(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::exception_ptr failure;
  std::mutex failure_lock;
  const auto work = [&] {
    while (!stop.load(std::memory_order_relaxed)) {
      const std::size_t i = next.fetch_add(1, std::memory_order_relaxed);
      if (i >= n) return;
      try {
        f(i);
      } catch (...) {
        const std::lock_guard<std::mutex> hold(failure_lock);
        if (!failure) failure = std::current_exception();
        stop = true;
      }
    }
  };
  std::vector<std::thread> threads;
  const std::size_t helpers = std::min<std::size_t>(jobs, n) - 1;
  threads.reserve(helpers);
  try {
    for (std::size_t k = 0; k < helpers; ++k) threads.emplace_back(work);
  } catch (const std::system_error&) {
    // No more threads to be had: those started and the caller's do the work.
  }
  work();
  for (auto& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace detail
SECGROUP_END_NAMESPACE
