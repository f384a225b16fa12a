// cli/exposure.cpp: `secgroup exposure`: the remote addresses a group accepts, per service.
#include <CLI/CLI.hpp>
#include <iostream>
#include <secgroup/analysis/exposure.hpp>
#include <secgroup/format.hpp>
#include <secgroup/io/analysis_json.hpp>

#include "cli.hpp"

namespace secgroup::cli {
namespace {

struct exposure_options {
  std::string file;
  std::optional<std::string> group;
  std::string direction = "inbound";
  output_format format = output_format::text;
};

void print_text(const std::vector<analysis::exposure_entry>& entries, direction d) {
  if (entries.empty()) {
    std::cout << "nothing is accepted " << to_string(d) << "\n";
    return;
  }
  for (const auto& e : entries) {
    std::cout << to_string(e.af) << " " << to_string(e.protocol);
    if (has_ports(e.protocol)) {
      std::cout << (e.ports.size() == 1 && e.ports[0].lo == e.ports[0].hi ? " port " : " ports ");
      for (std::size_t k = 0; k < e.ports.size(); ++k)
        std::cout << (k ? ", " : "") << ports_text(e.ports[k].lo, e.ports[k].hi);
    }
    std::cout << ": ";
    for (std::size_t k = 0; k < e.accepted.size(); ++k)
      std::cout << (k ? ", " : "") << address_range_text(e.accepted[k].first, e.accepted[k].last);
    std::cout << " (" << e.address_count
              << (e.address_count == "1" ? " address)\n" : " addresses)\n");
  }
}

int run_exposure(const exposure_options& o) {
  auto d = parse_direction(o.direction, "--direction");
  auto entries = analysis::exposure(load_group(o.file, o.group), d);
  if (o.format == output_format::json)
    print_json(exposure_to_json(entries, d));
  else
    print_text(entries, d);
  return exit_ok;
}

}  // namespace

void register_exposure(CLI::App& app, command& run) {
  auto o = std::make_shared<exposure_options>();
  auto* cmd = app.add_subcommand(
      "exposure", "List the remote addresses a group accepts, per protocol and port class");
  cmd->add_option("file", o->file, "Group file: an API export or a Terraform document")->required();
  cmd->add_option("--group", o->group,
                  "Group id or name (or Terraform address), when the file holds several");
  cmd->add_option("--direction", o->direction, "inbound (default) or outbound");
  add_format_option(*cmd, o->format);
  cmd->callback([o, &run] { run = [o] { return run_exposure(*o); }; });
}

}  // namespace secgroup::cli
