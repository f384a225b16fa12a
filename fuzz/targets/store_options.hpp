// fuzz/targets/store_options.hpp: the mock stores of the `mock` and `state` targets, made
// deterministic as in tests/mock: ids count up from 00000000-0000-4000-8000-000000000001, and
// the clock starts at 2026-07-30T12:00:00 and steps by one second per reading.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <secgroup/mock/store.hpp>
#include <string>

namespace secgroup_fuzz {

/// Options of the stores of the mock and state targets: counting ids, a stepping clock, `cap`
/// user rules per group.
inline secgroup::mock::store_options fuzz_store_options(std::size_t cap) {
  using namespace std::chrono;
  secgroup::mock::store_options options;
  options.clock = secgroup::mock::stepping_clock(sys_days{year{2026} / 7 / 30} + 12h);
  options.new_id = [n = 0]() mutable {
    char buf[40];
    std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012d", ++n);
    return std::string(buf);
  };
  options.max_rules_per_group = cap;
  return options;
}

}  // namespace secgroup_fuzz
