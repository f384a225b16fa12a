// cli/check.cpp: `secgroup check`: decide packets against a group. A group with values unknown
// until apply (a Terraform plan) decides the packets whose action no completion of the unknowns
// changes (possible_actions()); the others are undecided, and the command exits 4.
#include <CLI/CLI.hpp>
#include <iostream>
#include <secgroup/compiled.hpp>
#include <secgroup/format.hpp>
#include <secgroup/io/packets.hpp>
#include <secgroup/partial_group.hpp>

#include "cli.hpp"

namespace secgroup::cli {
namespace {

struct check_options {
  std::string file;
  std::optional<std::string> group, direction, protocol, remote, port, packets;
  output_format format = output_format::text;
};

void print(const decision& d, const packet& p, const std::vector<rule>& rules,
           output_format format) {
  const rule* r = d.by_default() ? nullptr : &rules[d.rule];
  if (format == output_format::json) {
    json j;
    j["action"] = to_string(d.action);
    j["rule_id"] = r ? json(r->id) : json(nullptr);
    j["position"] = r ? json(r->position) : json(nullptr);
    j["default"] = d.by_default();
    std::cout << j.dump() << "\n";
    return;
  }
  std::cout << to_string(d.action) << "\t" << to_string(p) << "\t"
            << (r ? "rule " + escaped(r->id) + " (position " + std::to_string(r->position) + ")"
                  : std::string("default policy"))
            << "\n";
}

/// Prints how the partial group `g` decides packet `p`: its action when every completion of the
/// unknowns agrees, else "undecided" with the unknown values. Returns whether it was decided.
bool print_partial(const input_group& g, const packet& p, output_format format) {
  const auto possible = possible_actions(*g.partial, p);
  if (format == output_format::json) {
    json j;
    j["action"] =
        possible.decided() ? json(std::string(to_string(possible.only()))) : json("undecided");
    j["rule_id"] = nullptr;
    j["position"] = nullptr;
    j["default"] = nullptr;
    j["unknown"] = possible.decided() ? json::array() : json(g.unknown);
    std::cout << j.dump() << "\n";
  } else if (possible.decided()) {
    std::cout << to_string(possible.only()) << "\t" << to_string(p)
              << "\twhatever the values unknown until apply\n";
  } else {
    std::cout << "undecided\t" << to_string(p) << "\t" << escaped(unknown_text(g)) << "\n";
  }
  return possible.decided();
}

int run_check(const check_options& o) {
  const auto chosen = choose_group(load_input(o.file), o.file, o.group, "--group");
  std::vector<packet> packets;
  if (o.packets) {
    if (o.direction || o.protocol || o.remote || o.port)
      throw parse_error(errc::bad_packet, "--packets",
                        "give either --packets or --direction/--protocol/--remote/--port");
    packets = load_packets(*o.packets, max_input_size());
  } else {
    if (!o.direction || !o.protocol || !o.remote)
      throw parse_error(errc::missing_field, "check",
                        "--direction, --protocol and --remote are required without --packets");
    packets.push_back(make_packet(*o.direction, *o.protocol, *o.remote,
                                  o.port ? std::optional<std::string_view>(*o.port) : std::nullopt,
                                  "--"));
  }
  if (!chosen.group) {
    bool all = true;
    for (const auto& p : packets) all = print_partial(chosen, p, o.format) && all;
    if (all) return exit_ok;
    std::cerr << "secgroup: unknown: "
              << escaped(o.file + ": " + chosen.address, detail::backslash::keep)
              << ": some packets are undecided until apply\n";
    return exit_unknown;
  }
  const auto& group = *chosen.group;
  compiled_group compiled(group);
  auto rules = ordered_rules(group);
  std::vector<decision> decisions(packets.size());
  compiled.evaluate(packets, decisions);
  for (std::size_t i = 0; i < packets.size(); ++i) print(decisions[i], packets[i], rules, o.format);
  return exit_ok;
}

}  // namespace

void register_check(CLI::App& app, command& run) {
  auto o = std::make_shared<check_options>();
  auto* cmd = app.add_subcommand("check", "Decide packets against a group (first match)");
  cmd->add_option("file", o->file, "Group file: an API export or a Terraform document")->required();
  cmd->add_option("--group", o->group,
                  "Group id or name (or Terraform address), when the file holds several");
  cmd->add_option("--direction", o->direction, "inbound or outbound");
  cmd->add_option("--protocol", o->protocol, "tcp, udp, icmp, icmpv6 or a protocol number");
  cmd->add_option("--remote", o->remote, "Remote address (IPv4 or IPv6)");
  cmd->add_option("--port", o->port, "Destination port (required for tcp and udp)");
  cmd->add_option("--packets", o->packets,
                  "Packet file: one 'DIRECTION PROTOCOL REMOTE [PORT]' a line; '#' comments");
  add_format_option(*cmd, o->format);
  cmd->callback([o, &run] { run = [o] { return run_check(*o); }; });
}

}  // namespace secgroup::cli
