// fuzz/targets.hpp: the table of secgroup_fuzz's targets, by name. The `state` target exists
// only with secgroup::server (SECGROUP_HAS_SERVER), which owns the state-file header; the `yaml`
// target only with secgroup::yaml (SECGROUP_HAS_YAML).
#pragma once

#include <secgroup/config.hpp>
#include <span>
#include <string_view>

#include "fuzz_target.hpp"
#include "targets/cidr.hpp"
#include "targets/json.hpp"
#include "targets/lint_config.hpp"
#include "targets/mock.hpp"
#include "targets/ports.hpp"
#include "targets/terraform.hpp"
#include "targets/where.hpp"
#if SECGROUP_HAS_SERVER
#include "targets/state.hpp"
#endif
#if SECGROUP_HAS_YAML
#include "targets/yaml.hpp"
#endif

namespace secgroup_fuzz {

/// Every target of this build, in the order of docs/fuzzing.md.
inline std::span<const target> all_targets() {
  static constexpr target table[] = {
    {"json", fuzz_json, "parse_groups(): group documents in every export form"},
    {"cidr", fuzz_cidr, "parse_address(), parse_network(): IPv4/IPv6 addresses and CIDRs"},
    {"ports", fuzz_ports, "parse_port_range(): \"N\" and \"A-B\""},
    {"where", fuzz_where, "parse_where(): the where language, and its canonical text"},
    {"mock", fuzz_mock, "mock::router::handle(): requests (method, path, query, body)"},
#if SECGROUP_HAS_SERVER
    {"state", fuzz_state, "replay_state() + store::restore(): state file and journal"},
#endif
    {"terraform", fuzz_terraform, "parse_terraform(): plans, state, raw state files"},
    {"lint_config", fuzz_lint_config, "lint::parse_config(): lint configuration"},
#if SECGROUP_HAS_YAML
    {"yaml", fuzz_yaml, "yaml::parse_located(), YAML lint configuration, scw config file"},
#endif
  };
  return table;
}

/// The target named `name`, or nullptr.
inline const target* find_target(std::string_view name) {
  for (const auto& t : all_targets())
    if (t.name == name) return &t;
  return nullptr;
}

}  // namespace secgroup_fuzz
