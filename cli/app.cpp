// cli/app.cpp: the `secgroup` tool: its subcommands, argument errors and exit codes.
#include "app.hpp"

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <exception>
#include <iostream>
#include <optional>
#include <secgroup/error.hpp>
#include <secgroup/format.hpp>
#include <secgroup/io/read.hpp>
#include <secgroup/version.hpp>
#include <string>

#include "cli.hpp"

namespace secgroup::cli {
namespace {

/// An error message as one line of printable text (arguments and file names may hold
/// anything); values the library quoted are escaped already and pass unchanged.
std::string one_line(const char* what) { return escaped(what, detail::backslash::keep); }

/// Flushes standard output: a command whose output could not be written (a full disk, a
/// closed pipe, /dev/full) fails with secgroup.parse.109, never exits as if it had succeeded.
void finish_output() {
  errno = 0;
  std::cout.flush();
  if (!std::cout)
    throw parse_error(errc::bad_file, "stdout",
                      "cannot write the output" +
                          (errno != 0 ? ": " + std::string(std::strerror(errno)) : std::string()));
}

}  // namespace

int run(int argc, const char* const* argv) {
  CLI::App app{"secgroup: exact analysis of Scaleway security groups"};
  app.set_version_flag("--version", std::string(secgroup::version_string));
  app.require_subcommand(1);
  command run;
  register_lint(app, run);
  register_review(app, run);
  register_check(app, run);
  register_analyze(app, run);
  register_diff(app, run);
  register_query(app, run);
  register_connect(app, run);
  register_exposure(app, run);
  register_minimize(app, run);
  register_export(app, run);
#if SECGROUP_HAS_SERVER
  register_serve(app, run);
#endif
  // Every command that reads files takes --max-input-size (serve: its state file).
  std::optional<std::string> max_input;
  for (auto* cmd : app.get_subcommands([](CLI::App*) { return true; }))
    cmd->add_option("--max-input-size", max_input,
                    "Refuse input files larger than this: bytes, or with a suffix K, M or G "
                    "(default 256M)");
  for (auto* cmd : app.get_subcommands([](CLI::App* c) { return c->get_name() != "serve"; }))
    add_api_source_options(*cmd);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "secgroup: error: " << one_line(e.what()) << " (see --help)\n";
    return exit_bad_input;
  }
  try {
    set_max_input_size(max_input ? parse_byte_size(*max_input, "--max-input-size")
                                 : default_max_input_size);
    const int code = run();
    finish_output();
    return code;
  } catch (const unknown_values& e) {
    std::cerr << "secgroup: unknown: " << one_line(e.what()) << "\n";
    return exit_unknown;
  } catch (const secgroup::error& e) {
    std::cerr << "secgroup: error: " << one_line(e.what()) << "\n";
    return exit_bad_input;
  } catch (const std::exception& e) {
    std::cerr << "secgroup: internal error: " << one_line(e.what()) << "\n";
    return exit_internal;
  }
}

int run(const std::vector<std::string>& args) {
  std::vector<const char*> argv{"secgroup"};
  for (const auto& a : args) argv.push_back(a.c_str());
  return run(static_cast<int>(argv.size()), argv.data());
}

}  // namespace secgroup::cli
