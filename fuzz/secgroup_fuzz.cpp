// fuzz/secgroup_fuzz.cpp: the libFuzzer entry points of secgroup_fuzz, one executable for every
// target (docs/fuzzing.md). The target is named by the environment variable
// SECGROUP_FUZZ_TARGET (json, cidr, ports, where, mock, state, terraform, lint_config); without
// it, or with an unknown name, the program lists the targets and exits with status 2.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "targets.hpp"

namespace {

const secgroup_fuzz::target* chosen = nullptr;

[[noreturn]] void usage(const char* name) {
  if (name)
    std::fprintf(stderr, "secgroup_fuzz: unknown target '%s'; SECGROUP_FUZZ_TARGET is one of:\n",
                 name);
  else
    std::fprintf(stderr, "secgroup_fuzz: set SECGROUP_FUZZ_TARGET to one of:\n");
  for (const auto& t : secgroup_fuzz::all_targets())
    std::fprintf(stderr, "  %-12.*s %.*s\n", static_cast<int>(t.name.size()), t.name.data(),
                 static_cast<int>(t.summary.size()), t.summary.data());
  std::exit(2);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  const char* name = std::getenv("SECGROUP_FUZZ_TARGET");
  if (!name) usage(nullptr);
  chosen = secgroup_fuzz::find_target(name);
  if (!chosen) usage(name);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  chosen->run(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
