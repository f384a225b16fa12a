// secgroup/client/api_read.hpp: an `api:` source read with the settings the official clients
// would use.
//
// What every front end (the CLI, the Python module) does with an argument `api:...`
// (client/source.hpp): resolve the profile as the official clients do (client/profile.hpp: the
// SCW_* environment over the scw config file and its profiles), check it as they check it
// (validate()), turn it into the reader's settings (settings_of()) and read
// (client/reader.hpp, read_groups()). The front end chooses the profile and the config file
// (profile_options: the CLI's --profile and --scw-config), whether a partial read is allowed,
// and where the settings' warnings and the reader's retry notes go; both arrive redacted.
// Requires the target secgroup::client.
#pragma once

#include <functional>
#include <string>
#include <utility>

#include "../config.hpp"
#include "profile.hpp"
#include "reader.hpp"
#include "settings.hpp"
#include "source.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace client {

/// How read_api() finds its settings and treats what it meets.
struct api_read_options {
  profile_options profile;  ///< the caller's profile and config file, over SCW_PROFILE and SCW_CONFIG_PATH
  read_options read;        ///< allow_partial
  /// Each warning of the settings (a deprecated variable, a config file others may read),
  /// redacted; empty: dropped.
  std::function<void(const std::string&)> warn;
  /// Each request the reader retries (settings::log), redacted; empty: dropped.
  log_fn log;
};

/// The reader's settings for a resolved profile: its secret key and who supplied it
/// (to_string() of the provenance, which 401/403 errors name), project, API URL, TLS
/// verification and User-Agent. Validates the profile first (validate(), with credentials).
inline settings settings_of(const scw_profile& profile) {
  validate(profile);
  settings s;
  s.secret_key = profile.secret_key->value;
  s.secret_key_source = to_string(profile.secret_key->source);
  if (profile.default_project_id) s.project_id = profile.default_project_id->value;
  if (profile.api_url) s.api_url = profile.api_url->value;
  if (profile.insecure) s.insecure = profile.insecure->value;
  if (profile.user_agent) s.user_agent = profile.user_agent->value;
  return s;
}

/// Reads `argument` (`api:...`) with the profile that `env` and options.profile select.
/// Throws what parse_api_source(), resolve_profile(), validate() and read_groups() throw, in
/// that order: a malformed argument fails before the config file is read, bad settings before
/// any request.
inline read_result read_api(const std::string& argument, const api_read_options& options = {},
                            const environment& env = process_environment()) {
  const auto source = parse_api_source(argument);
  const auto profile = resolve_profile(env, options.profile);
  if (options.warn)
    for (const auto& w : profile.warnings) options.warn(redact(w, profile));
  auto s = settings_of(profile);
  s.log = options.log;
  return read_groups(s, source, options.read);
}

}  // namespace client
SECGROUP_END_NAMESPACE
