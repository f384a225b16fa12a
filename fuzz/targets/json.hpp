// fuzz/targets/json.hpp: target `json`, the group reader parse_groups() (secgroup/io/json.hpp).
//
// Any text is read or refused with a secgroup::error. Groups that are read are written back with
// groups_to_json() and read again: they must come back equal whenever docs/json.md promises the
// round trip (user rules with positions >= 1 in non-decreasing stored order).
#pragma once

#include <algorithm>
#include <secgroup/io/json.hpp>
#include <string_view>
#include <vector>

#include "../fuzz_target.hpp"

namespace secgroup_fuzz {

/// True iff docs/json.md promises that `g` reads back equal from what groups_to_json() writes.
inline bool promises_round_trip(const secgroup::security_group& g) {
  for (std::size_t i = 0; i < g.rules.size(); ++i) {
    if (g.rules[i].position == 0) return false;
    if (i > 0 && g.rules[i].position < g.rules[i - 1].position) return false;
  }
  return true;
}

inline void fuzz_json(std::string_view input) {
  std::vector<secgroup::security_group> groups;
  if (!accepted([&] { groups = secgroup::parse_groups(input, "fuzz.json"); })) return;
  if (!std::all_of(groups.begin(), groups.end(), promises_round_trip)) return;
  const std::string written = secgroup::groups_to_json(groups).dump();
  std::vector<secgroup::security_group> again;
  must_accept("json: groups_to_json() wrote a document parse_groups() refuses: " + written,
              [&] { again = secgroup::parse_groups(written); });
  if (again != groups)
    finding("json: groups read back from groups_to_json() differ; written: " + written);
}

}  // namespace secgroup_fuzz
