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
#include <secgroup/io/source.hpp>
#include <secgroup/security_group.hpp>
#include <stdexcept>
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

/// Thrown when a command needs a whole group and the chosen one holds values unknown until
/// apply (a Terraform plan): run() prints "secgroup: unknown: MESSAGE" and exits 4.
struct unknown_values : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Loads a group file (an API export or a Terraform document, io/source.hpp) of at most
/// max_input_size() bytes, or an API source `api:...` (read_api_source()). Throws
/// secgroup::error on bad input.
group_input load_input(const std::string& file);

/// Returns the group of `in` (read from `file`) that `key` selects (an id or name; for
/// Terraform also an address); with no key, the file must hold exactly one group. `option`
/// names the selecting option in messages. The group may hold unknown values.
input_group choose_group(const group_input& in, const std::string& file,
                         const std::optional<std::string>& key, const std::string& option);

/// Returns the whole group of `g` (from `file`); throws unknown_values naming `g`'s unknown
/// values when it holds some.
security_group whole_group(const input_group& g, const std::string& file);

/// Loads `file` and returns the whole group `key` selects (load_input(), choose_group(),
/// whole_group()). Throws secgroup::error on bad input, unknown_values for a group with values
/// unknown until apply.
security_group load_group(const std::string& file, const std::optional<std::string>& key,
                          const std::string& option = "--group");

/// The live Instance API as a source (api_source.cpp): an argument `api:...` (client/source.hpp)
/// stands for the groups it names, read from the API and written as `secgroup export` writes
/// them. Returns that text; prints on stderr the zones a partial read (--allow-partial) could
/// not read. Throws secgroup::error (also, in a build without secgroup::client, an error naming
/// SECGROUP_WITH_CLIENT).
std::string read_api_source(const std::string& argument);

/// Adds the options of API sources (--allow-partial) to `cmd`.
void add_api_source_options(CLI::App& cmd);

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
void register_review(CLI::App& app, command& run);
void register_export(CLI::App& app, command& run);
#if SECGROUP_HAS_SERVER
void register_serve(CLI::App& app, command& run);
#endif

}  // namespace secgroup::cli
