// cli/lint_config.hpp: how the commands that lint (lint, review) find their configuration.
#pragma once

#include <optional>
#include <secgroup/lint/config.hpp>
#include <string>

namespace secgroup::cli {

/// The lint configuration: the file `config` (--config) when given, else ./.secgroup.json when
/// present and `no_config` is false, else the defaults; `used` is set to the file read ("" when
/// none). Throws secgroup::error for a bad file.
lint::lint_config find_lint_config(const std::optional<std::string>& config, bool no_config,
                                   std::string& used);

}  // namespace secgroup::cli
