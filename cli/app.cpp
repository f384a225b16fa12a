// cli/app.cpp: the `secgroup` tool: its subcommands, argument errors and exit codes.
#include "app.hpp"

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <secgroup/error.hpp>
#include <secgroup/version.hpp>

#include "cli.hpp"

namespace secgroup::cli {

int run(int argc, const char* const* argv) {
  CLI::App app{"secgroup: exact analysis of Scaleway security groups"};
  app.set_version_flag("--version", std::string(secgroup::version_string));
  app.require_subcommand(1);
  command run;
  register_lint(app, run);
  register_check(app, run);
  register_analyze(app, run);
  register_diff(app, run);
  register_query(app, run);
  register_connect(app, run);
  register_exposure(app, run);
  register_minimize(app, run);
#if SECGROUP_HAS_SERVER
  register_serve(app, run);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "secgroup: error: " << e.what() << " (see --help)\n";
    return exit_bad_input;
  }
  try {
    return run();
  } catch (const secgroup::error& e) {
    std::cerr << "secgroup: error: " << e.what() << "\n";
    return exit_bad_input;
  } catch (const std::exception& e) {
    std::cerr << "secgroup: internal error: " << e.what() << "\n";
    return exit_internal;
  }
}

int run(const std::vector<std::string>& args) {
  std::vector<const char*> argv{"secgroup"};
  for (const auto& a : args) argv.push_back(a.c_str());
  return run(static_cast<int>(argv.size()), argv.data());
}

}  // namespace secgroup::cli
