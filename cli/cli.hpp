// cli/cli.hpp: what the subcommands of the `secgroup` tool share.
//
// The CLI is a thin layer: it parses arguments, loads files through the library, calls the
// library and prints. Exit codes: 0 success, 1 a negative verdict where a command defines one,
// 2 bad input (one line on stderr naming file, line and field).
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <secgroup/io/json.hpp>
#include <secgroup/secgroup.hpp>
#include <string>
#include <vector>

namespace secgroup::cli {

enum class output_format { text, json };

/// Exit codes of every subcommand.
inline constexpr int exit_ok = 0;
inline constexpr int exit_negative = 1;
inline constexpr int exit_bad_input = 2;

/// Adds `--format text|json` (any case) to `cmd`.
inline void add_format_option(CLI::App& cmd, output_format& format) {
  cmd.add_option_function<std::string>(
         "--format",
         [&format](const std::string& v) {
           format = detail::iequals(v, "json") ? output_format::json : output_format::text;
         },
         "Output format: text (default) or json")
      ->check(CLI::IsMember({"text", "json"}, CLI::ignore_case));
}

/// Loads the groups of `file` and returns the one `key` selects; with no key, the file must
/// hold exactly one group. Throws secgroup::error on bad input.
inline security_group load_group(const std::string& file, const std::optional<std::string>& key) {
  auto groups = load_groups(file);
  if (key) return select_group(groups, *key, file + ": --group");
  if (groups.size() != 1) {
    std::string names;
    for (const auto& g : groups)
      names += (names.empty() ? "" : ", ") + (g.name.empty() ? g.id : g.name);
    throw lookup_error(errc::ambiguous, file,
                       "the file holds " + std::to_string(groups.size()) +
                           " groups; choose one with --group ID_OR_NAME (" + names + ")");
  }
  return groups.front();
}

/// Registers each subcommand: they fill `run` with the action to perform once parsed.
using command = std::function<int()>;
void register_check(CLI::App& app, command& run);

}  // namespace secgroup::cli
