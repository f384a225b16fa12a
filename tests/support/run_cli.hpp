// tests/support/run_cli.hpp: runs the secgroup CLI in process, as cli/main.cpp does, capturing
// its output. For suites linked to the CLI's commands library (secgroup_cli_commands).
#pragma once

#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "app.hpp"

namespace secgroup_test {

/// What one run of the CLI did.
struct cli_outcome {
  int code = -1;
  std::string out, err;
};

/// Runs `secgroup ARGS...` in directory `cwd`, with std::cout and std::cerr captured; the
/// working directory and the streams are restored afterwards, whatever happens.
inline cli_outcome run_cli(const std::vector<std::string>& args, const std::filesystem::path& cwd) {
  struct restore {
    std::filesystem::path dir = std::filesystem::current_path();
    std::streambuf* out = std::cout.rdbuf();
    std::streambuf* err = std::cerr.rdbuf();
    ~restore() {
      std::filesystem::current_path(dir);
      std::cout.rdbuf(out);
      std::cerr.rdbuf(err);
    }
  } guard;
  std::ostringstream out, err;
  std::cout.rdbuf(out.rdbuf());
  std::cerr.rdbuf(err.rdbuf());
  std::filesystem::current_path(cwd);
  cli_outcome o;
  o.code = secgroup::cli::run(args);
  o.out = out.str();
  o.err = err.str();
  return o;
}

}  // namespace secgroup_test
