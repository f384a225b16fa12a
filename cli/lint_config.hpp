// cli/lint_config.hpp: how the commands that lint (lint, review) find their configuration.
#pragma once

#include <optional>
#include <secgroup/lint/config.hpp>
#include <string>

namespace secgroup::cli {

/// The lint configuration: the file `config` (--config) when given, else the one of
/// ./.secgroup.json, ./.secgroup.yaml and ./.secgroup.yml that exists (unless `no_config`; two
/// existing is a lookup_error secgroup.lookup.302), else the defaults; `used` is set to the file
/// read ("" when none). YAML files need the YAML part (else an error naming
/// SECGROUP_WITH_YAML). Throws secgroup::error for a bad file.
lint::lint_config find_lint_config(const std::optional<std::string>& config, bool no_config,
                                   std::string& used);

}  // namespace secgroup::cli
