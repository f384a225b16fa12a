// fuzz/fuzz_target.hpp: what a fuzz target of secgroup_fuzz is, and how it tells the expected
// refusal of hostile input from a finding.
//
// A target runs one input through one reader of the library. The library's contract for any
// text is: read it, or refuse it with a secgroup::error (parse_error, validation_error, ...;
// secgroup/error.hpp). A target returns normally in both cases. Everything else is a finding,
// which libFuzzer saves as a crash: a sanitizer report, a signal, an exception of another type
// escaping the target (std::bad_alloc, std::out_of_range, nlohmann's exceptions), or a broken
// property of an accepted input (a round trip that changes the value), reported by finding().
#pragma once

#include <cstdio>
#include <cstdlib>
#include <secgroup/error.hpp>
#include <string>
#include <string_view>

namespace secgroup_fuzz {

/// Runs one input; see the file comment for what it may do.
using target_fn = void (*)(std::string_view input);

/// A target of secgroup_fuzz, chosen by name (SECGROUP_FUZZ_TARGET).
struct target {
  std::string_view name;     ///< "json", "where", ...: also its corpus and ctest name
  target_fn run;             ///< the entry point
  std::string_view summary;  ///< one line for the list of targets
};

/// True when SECGROUP_FUZZ_VERBOSE is set (to anything): refusals are printed, so that a
/// seed can be checked to reach past the parser (`SECGROUP_FUZZ_VERBOSE=1 secgroup_fuzz FILE`).
inline bool verbose() {
  static const bool on = std::getenv("SECGROUP_FUZZ_VERBOSE") != nullptr;
  return on;
}

/// Reports a broken property of an input the library accepted, then aborts so that libFuzzer
/// saves the input as a crash. Never returns.
[[noreturn]] inline void finding(const std::string& what) {
  std::fprintf(stderr, "secgroup_fuzz: FINDING: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

/// Runs `fn`. Returns true when it returns, false when it throws a secgroup::error (the
/// documented refusal of malformed input). Any other exception propagates: a finding.
template <class Fn>
bool accepted(Fn&& fn) {
  try {
    fn();
    return true;
  } catch (const secgroup::error& e) {
    if (verbose()) std::fprintf(stderr, "secgroup_fuzz: refused: %s\n", e.what());
    return false;
  }
}

/// Runs `fn`, which must not throw for this input (the library produced the input itself, so
/// refusing it is a finding named by `what`).
template <class Fn>
void must_accept(const std::string& what, Fn&& fn) {
  try {
    fn();
  } catch (const secgroup::error& e) {
    finding(what + ": " + e.what());
  }
}

}  // namespace secgroup_fuzz
