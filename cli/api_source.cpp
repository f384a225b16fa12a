// cli/api_source.cpp: the live Instance API as a source of every command (`api:...`).
//
// An argument `api:`, `api:ZONE[,ZONE...]` or `api:ZONE/GROUP_ID` (client/source.hpp) is read
// with secgroup::client and handed to the commands as the text `secgroup export` would write:
// every command then reads it exactly as it reads that export (lint locates findings in it).
// The settings come from api_settings() below, the one place that knows where they come from.
// A build without secgroup::client recognises the syntax and says what it cannot do.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <secgroup/client/source.hpp>
#include <secgroup/format.hpp>
#include <string>

#include "cli.hpp"

#if SECGROUP_HAS_CLIENT
#include <secgroup/client/reader.hpp>
#endif

namespace secgroup::cli {
namespace {

bool allow_partial = false;  // --allow-partial of this run

#if SECGROUP_HAS_CLIENT
// ---- Settings: a PLACEHOLDER until the merge with client/profile.hpp ---------------------
// Reads only SCW_SECRET_KEY, SCW_DEFAULT_PROJECT_ID and SCW_API_URL. The merger replaces this
// function with the full resolution of client/profile.hpp (the scw config file, its profiles,
// the precedence of spec D.3); nothing else in the CLI knows where settings come from.
client::settings api_settings() {
  client::settings s;
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v ? v : "";
  };
  s.secret_key = env("SCW_SECRET_KEY");
  s.secret_key_source = "SCW_SECRET_KEY";
  s.project_id = env("SCW_DEFAULT_PROJECT_ID");
  if (auto url = env("SCW_API_URL"); !url.empty()) s.api_url = url;
  return s;
}
// ---- end of the placeholder ---------------------------------------------------------------
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
