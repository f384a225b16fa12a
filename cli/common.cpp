// cli/common.cpp: the helpers of cli.hpp, compiled once for every subcommand.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli.hpp"
#include "options.hpp"

namespace secgroup::cli {
namespace {
std::size_t input_limit = default_max_input_size;
}  // namespace

std::size_t max_input_size() { return input_limit; }
void set_max_input_size(std::size_t bytes) { input_limit = bytes; }

void add_format_option(CLI::App& cmd, output_format& format, const char* help) {
  add_enum_option(cmd, "--format", format,
                  {{"text", output_format::text}, {"json", output_format::json}}, help);
}

security_group load_group(const std::string& file, const std::optional<std::string>& key,
                          const std::string& option) {
  return pick_group(load_groups(file, max_input_size()), key, file + ": " + option, file,
                    "the file", "choose one with " + option + " ID_OR_NAME");
}

void print_json(const json& j) { std::cout << j.dump(2) << "\n"; }

}  // namespace secgroup::cli
