// tests/laws/law_check.hpp: law checks that record what they checked.
//
// A law is checked at every point of a tiny space, for hundreds of policies or sets: one Catch2
// assertion per point would make millions of assertions and slow the suite. SECGROUP_LAW_CHECK
// instead counts each check in the test case's `law_checks` (a std::uint64_t the test case
// declares) and FAILs, with `context`, only when the law is violated. The test case then ends
// with one assertion on the count, CHECK(law_checks == n) or CHECK(law_checks >= n), which
// proves that the law was exercised as often as intended: a passing law is recorded, and a
// loop that silently checks nothing fails.
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>

/// Counts one check of a law in `law_checks`; FAILs with `context` (a stream expression, as for
/// INFO) when `cond` is false.
#define SECGROUP_LAW_CHECK(cond, context) \
  do {                                    \
    ++law_checks;                         \
    if (!(cond)) {                        \
      INFO(context);                      \
      FAIL("law violated: " #cond);       \
    }                                     \
  } while (0)
