// fuzz/targets/yaml.hpp: target `yaml`, the YAML reader of secgroup::yaml
// (secgroup/yaml/json.hpp) and the two readers built on it: the YAML lint configuration and the
// scw config file (secgroup/client/profile.hpp). Built only with secgroup::yaml.
//
// Any text is read or refused with a secgroup::error. An accepted document's JSON must survive
// a round trip through JSON text unchanged, and every recorded position must lie in the text.
#pragma once

#include <algorithm>
#include <secgroup/client/profile.hpp>
#include <secgroup/yaml/json.hpp>
#include <secgroup/yaml/lint_config.hpp>
#include <string>
#include <string_view>

#include "../fuzz_target.hpp"

namespace secgroup_fuzz {

inline void fuzz_yaml(std::string_view input) {
  secgroup::yaml::located_json doc;
  if (accepted([&] { doc = secgroup::yaml::parse_located(input, "fuzz.yaml"); })) {
    const auto lines = 1 + static_cast<std::size_t>(std::count(input.begin(), input.end(), '\n'));
    for (const auto& [path, at] : doc.positions)
      if (at.line == 0 || at.line > lines)
        finding("position " + std::to_string(at.line) + " of '" + path + "' outside the text");
    secgroup::json again;
    must_accept("the JSON text of an accepted YAML document",
                [&] { again = secgroup::parse_json(doc.value.dump()); });
    if (again != doc.value) finding("YAML→JSON value changed through JSON text");
  }
  (void)accepted([&] { (void)secgroup::yaml::parse_lint_config(input, "lint.yaml"); });
  (void)accepted([&] { (void)secgroup::client::parse_scw_config(input, "config.yaml"); });
}

}  // namespace secgroup_fuzz
