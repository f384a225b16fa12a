// fuzz/targets/ports.hpp: target `ports`, the port-range parser parse_port_range()
// (secgroup/port_range.hpp).
//
// Any text is parsed or refused with a secgroup::error. A range that parses lies in 1..65535
// with from <= to, and its text (to_string) parses back to the same range.
#pragma once

#include <optional>
#include <secgroup/port_range.hpp>
#include <string>
#include <string_view>

#include "../fuzz_target.hpp"

namespace secgroup_fuzz {

inline void fuzz_ports(std::string_view input) {
  std::optional<secgroup::port_range> range;
  if (!accepted([&] { range = secgroup::parse_port_range(input); }) || !range) return;
  const std::string text = secgroup::to_string(range);
  if (range->from == 0 || range->to < range->from)
    finding("ports: parse_port_range() returned the invalid range " + text);
  std::optional<secgroup::port_range> again;
  must_accept("ports: to_string() of a range does not parse: " + text,
              [&] { again = secgroup::parse_port_range(text); });
  if (again != range) finding("ports: range " + text + " parses to another range");
}

}  // namespace secgroup_fuzz
