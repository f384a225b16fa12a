// fuzz/targets/terraform.hpp: target `terraform`, the Terraform reader parse_terraform()
// (secgroup/io/terraform.hpp): plans and state from `terraform show -json`, and raw state files.
//
// Any text is read or refused with a secgroup::error; nothing else is checked (the reader's
// results are compared with the API's in tests/core/terraform.test.cpp).
#pragma once

#include <secgroup/io/terraform.hpp>
#include <string_view>

#include "../fuzz_target.hpp"

namespace secgroup_fuzz {

inline void fuzz_terraform(std::string_view input) {
  (void)accepted([&] { (void)secgroup::parse_terraform(input, "plan.json"); });
}

}  // namespace secgroup_fuzz
