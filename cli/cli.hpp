// cli/cli.hpp: what the subcommands of the `secgroup` tool share.
//
// The CLI is a thin layer: it parses arguments, loads files through the library, calls the
// library and prints. Exit codes: 0 success, 1 a negative verdict where a command defines one,
// 2 bad input (one line on stderr naming file, line and field), 3 an internal error.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <secgroup/analysis.hpp>
#include <secgroup/io/analysis_json.hpp>
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
inline constexpr int exit_internal = 3;

/// Adds `--format text|json` (any case) to `cmd`.
inline void add_format_option(CLI::App& cmd, output_format& format,
                              const char* help = "Output format: text (default) or json") {
  cmd.add_option_function<std::string>(
         "--format",
         [&format](const std::string& v) {
           format = detail::iequals(v, "json") ? output_format::json : output_format::text;
         },
         help)
      ->check(CLI::IsMember({"text", "json"}, CLI::ignore_case));
}

/// Loads the groups of `file` and returns the one `key` selects; with no key, the file must
/// hold exactly one group. `option` names the selecting option in messages. Throws
/// secgroup::error on bad input.
inline security_group load_group(const std::string& file, const std::optional<std::string>& key,
                                 const std::string& option = "--group") {
  auto groups = load_groups(file);
  if (key) return select_group(groups, *key, file + ": " + option);
  if (groups.size() != 1) {
    std::string names;
    for (const auto& g : groups)
      names += (names.empty() ? "" : ", ") + (g.name.empty() ? g.id : g.name);
    throw lookup_error(errc::ambiguous, file,
                       "the file holds " + std::to_string(groups.size()) +
                           " groups; choose one with " + option + " ID_OR_NAME (" + names + ")");
  }
  return groups.front();
}

/// Prints a JSON document, indented by two spaces.
inline void print_json(const json& j) { std::cout << j.dump(2) << "\n"; }

// -- Text output ----------------------------------------------------------------------------

/// "rule ID (position N)", "rule at position N" without an id, and "default SMTP rule ID
/// (position N)" for the non-editable default rules.
inline std::string rule_label(const std::vector<rule>& rules, std::uint32_t i) {
  const auto& r = rules[i];
  std::string kind = r.editable ? "rule" : "default SMTP rule";
  if (r.id.empty()) return kind + " at position " + std::to_string(r.position);
  return kind + " " + r.id + " (position " + std::to_string(r.position) + ")";
}

/// The deciding rule's label, or "the default policy".
inline std::string decider_text(const decision& d, const std::vector<rule>& rules) {
  return d.by_default() ? std::string("the default policy") : rule_label(rules, d.rule);
}

/// "accept by rule ID (position N)" or "drop by the default policy".
inline std::string decision_text(const decision& d, const std::vector<rule>& rules) {
  return std::string(to_string(d.action)) + " by " + decider_text(d, rules);
}

/// An address range as one CIDR when it is one, else "FIRST-LAST".
inline std::string range_text(const ip_address& first, const ip_address& last) {
  auto networks = to_networks(first, last);
  if (networks.size() == 1) return to_string(networks.front());
  return to_string(first) + "-" + to_string(last);
}

/// "22" or "8080-8089".
inline std::string ports_text(std::uint32_t from, std::uint32_t to) {
  return from == to ? std::to_string(from) : std::to_string(from) + "-" + std::to_string(to);
}

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
