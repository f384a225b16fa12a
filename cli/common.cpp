// cli/common.cpp: the helpers of cli.hpp, compiled once for every subcommand.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli.hpp"
#include "options.hpp"

namespace secgroup::cli {

void add_format_option(CLI::App& cmd, output_format& format, const char* help) {
  add_enum_option(cmd, "--format", format,
                  {{"text", output_format::text}, {"json", output_format::json}}, help);
}

security_group load_group(const std::string& file, const std::optional<std::string>& key,
                          const std::string& option) {
  return pick_group(load_groups(file), key, file + ": " + option, file, "the file",
                    "choose one with " + option + " ID_OR_NAME");
}

void print_json(const json& j) { std::cout << j.dump(2) << "\n"; }

}  // namespace secgroup::cli
