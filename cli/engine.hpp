// cli/engine.hpp: the `--engine interval|z3` choice shared by analyze, diff and query.
//
// The interval engine (secgroup/analysis.hpp) is always there; the Z3 engine
// (secgroup/verify/z3.hpp) only when the CLI was built with secgroup::z3, which sets
// SECGROUP_HAS_Z3 to 1 (config.hpp defaults it to 0: test it with #if, not #ifdef). Without
// it, asking for Z3 (`--engine z3`, `--where`, `--includes`) is bad input (exit 2). A Z3
// answer left open by a limit exits 4 (exit_unknown).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <iostream>
#include <optional>
#include <secgroup/check.hpp>
#include <secgroup/error.hpp>
#include <secgroup/where.hpp>
#include <string>

#include "cli.hpp"
#include "options.hpp"

#if SECGROUP_HAS_Z3
#include <secgroup/verify/json.hpp>
#include <secgroup/verify/z3.hpp>
#endif

namespace secgroup::cli {

/// True iff this build has the Z3 engine.
inline constexpr bool has_z3 =
#if SECGROUP_HAS_Z3
    true;
#else
    false;
#endif

/// The engine options of one command as parsed.
struct engine_options {
  engine kind = engine::interval;
  bool chosen = false;  ///< --engine was given
  std::optional<std::uint32_t> timeout_ms;
  std::optional<std::uint32_t> resource_limit;

  /// Whether the command runs on Z3: asked for, or implied by a Z3-only option (`implied`
  /// names it). Throws validation_error (secgroup.validation.203) when the build has no Z3,
  /// when a Z3 limit is given with `--engine interval`, or a Z3-only option with it.
  bool use_z3(const char* implied = nullptr) const {
    const bool limits = timeout_ms || resource_limit;
    if (kind == engine::interval && !implied && limits)
      throw validation_error(errc::bad_value, timeout_ms ? "--timeout" : "--resource-limit",
                             "applies to --engine z3 only");
    if (kind == engine::interval && implied && chosen)
      throw validation_error(errc::bad_value, implied, "needs --engine z3, not interval");
    const bool z3 = kind == engine::z3 || implied;
    if (z3 && !has_z3)
      throw validation_error(errc::bad_value, implied ? implied : "--engine",
                             "this secgroup was built without Z3 (the z3 engine is unavailable)");
    return z3;
  }
};

/// Adds `--engine interval|z3`, `--timeout MS` and `--resource-limit UNITS` to `cmd`.
inline void add_engine_options(CLI::App& cmd, engine_options& o) {
  add_enum_option(cmd, "--engine", o.kind, all_engines,
                  "Analysis engine: interval (default, exact and fast) or z3 (the SMT solver)")
      ->each([&o](const std::string&) { o.chosen = true; });
  cmd.add_option("--timeout", o.timeout_ms,
                 "Z3 only: wall-clock limit of each solver query in ms (default 10000; 0: none)");
  cmd.add_option("--resource-limit", o.resource_limit,
                 "Z3 only: Z3 resource units per solver query, reproducible unlike --timeout "
                 "(default: none)");
}

/// Prints "unknown: REASON" on stderr and returns exit_unknown.
inline int report_unknown(const std::string& what, const std::string& reason) {
  std::cerr << "secgroup: unknown: " << what << ": " << reason << "\n";
  return exit_unknown;
}

#if SECGROUP_HAS_Z3
/// The Z3 engine's limits from the command line.
inline verify::options z3_options(const engine_options& o) {
  verify::options out;
  if (o.timeout_ms) out.timeout_ms = *o.timeout_ms;
  if (o.resource_limit) out.resource_limit = *o.resource_limit;
  return out;
}
#endif

}  // namespace secgroup::cli
