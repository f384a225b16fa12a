// tests/support/files.hpp: reading a whole file in tests (golden outputs, examples, state files).
// Contract: read_text(p) returns p's bytes unchanged (binary mode); a file that cannot be opened
// throws std::runtime_error naming it, so a test fails loudly rather than compare with "".
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace secgroup_test {

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace secgroup_test
