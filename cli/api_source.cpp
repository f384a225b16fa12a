// cli/api_source.cpp: the live Instance API as a source of every command (`api:...`).
//
// An argument `api:`, `api:ZONE[,ZONE...]` or `api:ZONE/GROUP_ID` (client/source.hpp) is read
// with secgroup::client and handed to the commands as the text `secgroup export` would write:
// every command then reads it exactly as it reads that export (lint locates findings in it).
// The settings are found as the official clients find them (client/api_read.hpp: the SCW_*
// environment over the scw config file and its profiles; --profile and --scw-config choose as
// the scw CLI's -p and -c do); their warnings and the retry notes go to stderr.
// A build without secgroup::client recognises the syntax and says what it cannot do.
#include <CLI/CLI.hpp>
#include <iostream>
#include <optional>
#include <secgroup/client/source.hpp>
#include <secgroup/format.hpp>
#include <string>

#include "cli.hpp"

#if SECGROUP_HAS_CLIENT
#include <secgroup/client/api_read.hpp>
#endif

namespace secgroup::cli {
namespace {

// The api: options of this run.
bool allow_partial = false;
std::optional<std::string> profile_name;
std::optional<std::string> scw_config;

#if SECGROUP_HAS_CLIENT
void print(const char* level, const std::string& line) {
  std::cerr << "secgroup: " << level << ": " << escaped(line, detail::backslash::keep) << "\n";
}
#endif

}  // namespace

void add_api_source_options(CLI::App& cmd) {
  allow_partial = false;
  profile_name.reset();
  scw_config.reset();
  cmd.add_flag("--allow-partial", allow_partial,
               "api: sources: when some zones cannot be read, go on with the others (named on "
               "stderr) instead of failing");
  cmd.add_option("--profile", profile_name,
                 "api: sources: the profile of the scw config file to use (over SCW_PROFILE and "
                 "active_profile)");
  cmd.add_option("--scw-config", scw_config,
                 "api: sources: the scw config file to read (over SCW_CONFIG_PATH)");
}

std::string read_api_source(const std::string& argument) {
#if SECGROUP_HAS_CLIENT
  client::api_read_options options;
  options.profile.profile = profile_name;
  if (scw_config) options.profile.config_path = *scw_config;
  options.read.allow_partial = allow_partial;
  options.warn = [](const std::string& w) { print("warning", w); };
  options.log = [](const std::string& line) { print("note", line); };
  const auto read = [&] {
    try {
      return client::read_api(argument, options);
    } catch (const remote_error& e) {
      if (e.id() != errc::partial_read || allow_partial) throw;
      throw remote_error(e.id(), e.field(),
                         e.message() + " (--allow-partial goes on with the zones that answer, "
                                       "naming the missing ones)");
    }
  }();
  for (const auto& m : read.missing)
    print("warning", argument + ": zone " + m.zone +
                         " not read, its groups are missing from the results: [" + m.error_id +
                         "] " + m.reason);
  return client::export_text(read.groups);
#else
  const auto source = client::parse_api_source(argument);
  throw parse_error(errc::bad_file, source.text,
                    "this secgroup was built without the Instance API client (CMake option "
                    "SECGROUP_WITH_CLIENT, which needs cpp-httplib with OpenSSL): it cannot "
                    "read api: sources; read an export file instead");
#endif
}

}  // namespace secgroup::cli
