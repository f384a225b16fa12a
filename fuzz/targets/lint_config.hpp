// fuzz/targets/lint_config.hpp: target `lint_config`, the lint configuration reader
// lint::parse_config() (secgroup/lint/config.hpp): JSON with comments, every key checked.
//
// Any text is read or refused with a secgroup::error; nothing else is checked.
#pragma once

#include <secgroup/lint/config.hpp>
#include <string_view>

#include "../fuzz_target.hpp"

namespace secgroup_fuzz {

inline void fuzz_lint_config(std::string_view input) {
  (void)accepted([&] { (void)secgroup::lint::parse_config(input, "lint.json"); });
}

}  // namespace secgroup_fuzz
