// cli/api_source.cpp: the live Instance API as a source of every command (`api:...`).
//
// An argument `api:`, `api:ZONE[,ZONE...]` or `api:ZONE/GROUP_ID` (client/source.hpp) is read
// with secgroup::client and handed to the commands as the text `secgroup export` would write:
// every command then reads it exactly as it reads that export (lint locates findings in it).
// The settings come from api_settings() below (client/profile.hpp: the environment and the scw
// config file, as the official clients read them), the one place that knows where they come from.
// A build without secgroup::client recognises the syntax and says what it cannot do.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <secgroup/client/source.hpp>
#include <secgroup/format.hpp>
#include <string>

#include "cli.hpp"

#if SECGROUP_HAS_CLIENT
#include <secgroup/client/profile.hpp>
#include <secgroup/client/reader.hpp>
#endif

namespace secgroup::cli {
namespace {

bool allow_partial = false;  // --allow-partial of this run

#if SECGROUP_HAS_CLIENT
// The settings as the official clients find them: the SCW_* environment over the scw config
// file and its profiles (client/profile.hpp, docs/sources.md "Credentials and configuration"),
// checked as they check them. Its warnings (deprecated variables, a config file others may
// read) go to stderr.
client::settings api_settings() {
  const auto profile = client::resolve_profile_from_process();
  for (const auto& w : profile.warnings)
    std::cerr << "secgroup: warning: " << escaped(client::redact(w, profile), detail::backslash::keep)
              << "\n";
  client::validate(profile);
  client::settings s;
  s.secret_key = profile.secret_key->value;
  s.secret_key_source = to_string(profile.secret_key->source);
  if (profile.default_project_id) s.project_id = profile.default_project_id->value;
  if (profile.api_url) s.api_url = profile.api_url->value;
  if (profile.insecure) s.insecure = profile.insecure->value;
  if (profile.user_agent) s.user_agent = profile.user_agent->value;
  return s;
}
#endif

}  // namespace

void add_api_source_options(CLI::App& cmd) {
  allow_partial = false;
  cmd.add_flag("--allow-partial", allow_partial,
               "api: sources: when some zones cannot be read, go on with the others (named on "
               "stderr) instead of failing");
}

std::string read_api_source(const std::string& argument) {
  const auto source = client::parse_api_source(argument);
#if SECGROUP_HAS_CLIENT
  auto s = api_settings();
  s.log = [](const std::string& line) {
    std::cerr << "secgroup: note: " << escaped(line, detail::backslash::keep) << "\n";
  };
  const auto read = [&] {
    try {
      return client::read_groups(s, source, {allow_partial});
    } catch (const remote_error& e) {
      if (e.id() != errc::partial_read || allow_partial) throw;
      throw remote_error(e.id(), e.field(),
                         e.message() + " (--allow-partial goes on with the zones that answer, "
                                       "naming the missing ones)");
    }
  }();
  for (const auto& m : read.missing)
    std::cerr << "secgroup: warning: " << argument << ": zone " << m.zone
              << " not read, its groups are missing from the results: "
              << escaped("[" + m.error_id + "] " + m.reason, detail::backslash::keep) << "\n";
  return client::export_text(read.groups);
#else
  throw parse_error(errc::bad_file, source.text,
                    "this secgroup was built without the Instance API client (CMake option "
                    "SECGROUP_WITH_CLIENT, which needs cpp-httplib with OpenSSL): it cannot "
                    "read api: sources; read an export file instead");
#endif
}

}  // namespace secgroup::cli
