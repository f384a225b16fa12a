// cli/cli.hpp: what the subcommands of the `secgroup` tool share.
//
// The CLI is a thin layer: it parses arguments into the library's types (CLI11 transformers
// turn enumerated options into enums once, at the boundary), loads files through the library,
// calls it and prints. Exit codes: 0 success, 1 a negative verdict where a command defines
// one, 2 bad input (one line on stderr naming file, line and field), 3 an internal error.
// The commands are compiled once into the library secgroup_cli_commands, which the tool and
// the tests link; each command file includes the parts of secgroup it uses.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <secgroup/io/json.hpp>
#include <secgroup/security_group.hpp>
#include <string>

#include "app.hpp"

namespace CLI {
class App;
}

namespace secgroup::cli {

enum class output_format { text, json };

/// Adds `--format text|json` (any case) to `cmd`.
void add_format_option(CLI::App& cmd, output_format& format,
                       const char* help = "Output format: text (default) or json");

/// Loads the groups of `file` and returns the one `key` selects; with no key, the file must
/// hold exactly one group. `option` names the selecting option in messages. Throws
/// secgroup::error on bad input, a file above max_input_size() included.
security_group load_group(const std::string& file, const std::optional<std::string>& key,
                          const std::string& option = "--group");

/// The size limit of every input file of this run: --max-input-size, else
/// default_max_input_size (io/read.hpp). run() sets it once the arguments are parsed.
std::size_t max_input_size();
void set_max_input_size(std::size_t bytes);

/// Prints a JSON document, indented by two spaces.
void print_json(const json& j);

/// Registers each subcommand: they fill `run` with the action to perform once parsed.
using command = std::function<int()>;
void register_check(CLI::App& app, command& run);
void register_analyze(CLI::App& app, command& run);
void register_diff(CLI::App& app, command& run);
void register_query(CLI::App& app, command& run);
void register_connect(CLI::App& app, command& run);
void register_exposure(CLI::App& app, command& run);
void register_minimize(CLI::App& app, command& run);
void register_lint(CLI::App& app, command& run);
#if SECGROUP_HAS_SERVER
void register_serve(CLI::App& app, command& run);
#endif

}  // namespace secgroup::cli
