// cli/query.cpp: `secgroup query` (reachability of a box of packets) and `secgroup connect`
// (a connection between a client group and a server group).
#include <CLI/CLI.hpp>
#include <iostream>
#include <secgroup/analysis/query.hpp>
#include <secgroup/format.hpp>
#include <secgroup/io/analysis_json.hpp>

#include "cli.hpp"
#include "engine.hpp"
#include "options.hpp"

namespace secgroup::cli {
namespace {

/// Adds `--expect ALL|NONE|PARTIAL`: the command exits 1 when the answer differs.
void add_expect_option(CLI::App& cmd, std::optional<analysis::coverage>& expect) {
  using analysis::coverage;
  add_enum_option(cmd, "--expect", expect,
                  {{"ALL", coverage::all}, {"NONE", coverage::none}, {"PARTIAL", coverage::partial}},
                  "Exit 1 unless the answer is this one (ALL, NONE or PARTIAL)");
}

int verdict(analysis::coverage answer, const std::optional<analysis::coverage>& expect) {
  return !expect || *expect == answer ? exit_ok : exit_negative;
}

void print_witnesses(const analysis::query_result& r, const std::vector<rule>& rules,
                     const char* indent) {
  if (r.accepted)
    std::cout << indent << "accepted: " << to_string(r.accepted->packet) << "\tby "
              << decider_text(r.accepted->decision, rules) << "\n";
  if (r.dropped)
    std::cout << indent << "dropped: " << to_string(r.dropped->packet) << "\tby "
              << decider_text(r.dropped->decision, rules) << "\n";
  if (r.answer == analysis::coverage::unknown)
    std::cout << indent << "reason: " << r.reason << "\n";
}

// -- query ----------------------------------------------------------------------------------

struct query_options {
  std::string file;
  std::optional<std::string> group, protocol, ports, direction, where;
  std::optional<analysis::coverage> expect;
  std::vector<std::string> remotes;
  output_format format = output_format::text;
  engine_options engine;
};

/// The answer of the engine the options choose: a --where expression (Z3), a box on Z3, or a
/// box on the interval engine.
analysis::query_result answer(const query_options& o, const security_group& group,
                              const analysis::query& q, const std::optional<where_expr>& where) {
  if (!o.engine.use_z3(where ? "--where" : nullptr)) return analysis::evaluate_query(group, q);
#if SECGROUP_HAS_Z3
  const auto limits = z3_options(o.engine);
  return where ? verify::evaluate_where(group, *where, limits)
               : verify::evaluate_query(group, q, limits);
#else
  return {};
#endif
}

int run_query(const query_options& o) {
  analysis::query q;
  std::optional<where_expr> where;
  if (o.where) {
    if (!has_z3) o.engine.use_z3("--where");
    where = parse_where(*o.where, "--where");
  } else {
    if (!o.direction)
      throw parse_error(errc::missing_field, "--direction",
                        "--direction is required (unless --where gives the packets)");
    q.direction = parse_direction(*o.direction, "--direction");
    if (o.protocol) q.protocols = analysis::parse_protocol_classes(*o.protocol, "--protocol");
    for (std::size_t i = 0; i < o.remotes.size(); ++i)
      q.remotes.push_back(parse_network(o.remotes[i], "--remote"));
    if (o.ports) q.ports = analysis::parse_port_interval(*o.ports, "--ports");
  }
  auto group = load_group(o.file, o.group);
  auto result = answer(o, group, q, where);
  auto rules = ordered_rules(group);
  if (o.format == output_format::json) {
    print_json(query_to_json(result, rules));
  } else {
    std::cout << to_string(result.answer) << "\n";
    print_witnesses(result, rules, "");
  }
  if (result.answer == analysis::coverage::unknown) return report_unknown("query", result.reason);
  return verdict(result.answer, o.expect);
}

// -- connect --------------------------------------------------------------------------------

struct connect_options {
  std::string client_file, server_file, client, server, protocol;
  std::optional<std::string> client_group, server_group, ports, ephemeral;
  std::optional<analysis::coverage> expect;
  output_format format = output_format::text;
};

std::string port_set_text(const interval_set<std::uint32_t>& set) {
  if (set.empty()) return "none";
  std::string out;
  for (const auto& iv : set) out += (out.empty() ? "" : ", ") + ports_text(iv.lo, iv.hi);
  return out;
}

int run_connect(const connect_options& o) {
  analysis::connection c;
  c.client = parse_address(o.client, "--client");
  c.server = parse_address(o.server, "--server");
  if (c.client.af != c.server.af)
    throw validation_error(errc::bad_value, "--server",
                           "the client and server addresses must be of the same family");
  c.protocol = parse_ip_protocol(o.protocol, c.client.af, "--protocol");
  if (o.ports)
    c.ports = analysis::parse_port_interval(*o.ports, "--port");
  else if (carries_ports(c.protocol))
    throw parse_error(errc::bad_packet, "--port",
                      "a " + protocol_name(c.protocol) + " connection needs a server port");
  if (o.ephemeral) c.ephemeral = analysis::parse_port_interval(*o.ephemeral, "--ephemeral");
  auto client = load_group(o.client_file, o.client_group, "--client-group");
  auto server = load_group(o.server_file, o.server_group, "--server-group");
  auto result = analysis::check_connection(client, server, c);
  auto client_rules = ordered_rules(client), server_rules = ordered_rules(server);
  if (o.format == output_format::json) {
    print_json(connection_to_json(result, c, client_rules, server_rules));
    return verdict(result.answer, o.expect);
  }
  std::cout << to_string(result.answer) << "\n";
  for (const auto& leg : result.legs) {
    std::cout << leg.name << ": " << to_string(leg.result.answer) << "\n";
    print_witnesses(leg.result, leg.client ? client_rules : server_rules,
                    "  ");
  }
  if (carries_ports(c.protocol))
    std::cout << "forward ports: " << port_set_text(result.forward_ports)
              << "\nreply ports: " << port_set_text(result.reply_ports) << "\n";
  return verdict(result.answer, o.expect);
}

}  // namespace

void register_query(CLI::App& app, command& run) {
  auto o = std::make_shared<query_options>();
  auto* cmd =
      app.add_subcommand("query", "Does a group accept ALL, NONE or PART of a box of packets?");
  cmd->add_option("file", o->file, "Group file: an API export or a Terraform document")->required();
  cmd->add_option("--group", o->group,
                  "Group id or name (or Terraform address), when the file holds several");
  auto* direction = cmd->add_option("--direction", o->direction,
                                    "inbound or outbound (required unless --where)");
  auto* protocol = cmd->add_option(
      "--protocol", o->protocol, "any (default), tcp, udp, icmp (with icmpv6), or a protocol number");
  auto* remote = cmd->add_option("--remote", o->remotes,
                                 "Remote network (CIDR or address); repeatable; default: every "
                                 "IPv4 and IPv6 address")
                     ->allow_extra_args(false);
  auto* ports = cmd->add_option(
      "--ports", o->ports,
      "Destination ports A-B or N, 0..65535 (default 0-65535); TCP and UDP only");
  cmd->add_option("--where", o->where,
                  "Instead of the box options: the packets of a where expression, e.g. "
                  "\"inbound and tcp and port 5432 and not remote in 10.0.0.0/8\" (z3 engine; "
                  "docs/z3.md)")
      ->excludes(direction)
      ->excludes(protocol)
      ->excludes(remote)
      ->excludes(ports);
  add_expect_option(*cmd, o->expect);
  add_format_option(*cmd, o->format);
  add_engine_options(*cmd, o->engine);
  cmd->callback([o, &run] { run = [o] { return run_query(*o); }; });
}

void register_connect(CLI::App& app, command& run) {
  auto o = std::make_shared<connect_options>();
  auto* cmd = app.add_subcommand(
      "connect", "Can a client group open a connection to a server group (replies included)?");
  cmd->add_option("client_file", o->client_file, "Client group file")->required();
  cmd->add_option("server_file", o->server_file, "Server group file")->required();
  cmd->add_option("--client-group", o->client_group,
                  "Client group id, name or Terraform address in its file");
  cmd->add_option("--server-group", o->server_group,
                  "Server group id, name or Terraform address in its file");
  cmd->add_option("--client", o->client, "Client address")->required();
  cmd->add_option("--server", o->server, "Server address")->required();
  cmd->add_option("--protocol", o->protocol, "tcp, udp, icmp, icmpv6 or a protocol number")
      ->required();
  cmd->add_option("--port,--ports", o->ports, "Server ports N or A-B (required for tcp and udp)");
  cmd->add_option("--ephemeral", o->ephemeral,
                  "Client ports replies go to, A-B (default 32768-60999)");
  add_expect_option(*cmd, o->expect);
  add_format_option(*cmd, o->format);
  cmd->callback([o, &run] { run = [o] { return run_connect(*o); }; });
}

}  // namespace secgroup::cli
