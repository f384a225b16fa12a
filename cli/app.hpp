// cli/app.hpp: the `secgroup` tool as a function, for its main() and for in-process tests.
//
// Depends on nothing but the standard library, so a test can drive the whole tool without
// CLI11 or the commands' headers.
#pragma once

#include <string>
#include <vector>

namespace secgroup::cli {

/// Exit codes of every subcommand.
inline constexpr int exit_ok = 0;
inline constexpr int exit_negative = 1;
inline constexpr int exit_bad_input = 2;
inline constexpr int exit_internal = 3;
/// The answer is unknown: a Z3 limit ran out, or the group holds values unknown until apply.
inline constexpr int exit_unknown = 4;

/// Runs `secgroup ARGS...` (argv[0] is the program name) as the tool does, writing to
/// std::cout and std::cerr, and returns its exit code. Bad arguments and secgroup::error exit
/// 2 with one line on stderr; unknown_values exits 4 ("unknown: ..."); any other exception
/// exits 3 ("internal error").
int run(int argc, const char* const* argv);

/// run() of `args`, the arguments after the program name.
int run(const std::vector<std::string>& args);

}  // namespace secgroup::cli
