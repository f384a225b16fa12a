// secgroup/client/profile.hpp: the Scaleway credentials, defaults and endpoint in effect, found
// as the official clients find them (the Go SDK, and through it the `scw` CLI and the Terraform
// provider), each with the place it came from. Part of the optional secgroup::yaml for now
// (the `scw` config file is YAML); the core never includes it. See docs/sources.md,
// "Credentials and configuration", and ../shared/spec/terraform-and-clients.md §D.
//
// resolve_profile(env) layers, later winning key by key:
//   1. built-in defaults: api_url https://api.scaleway.com, default_region fr-par,
//      default_zone fr-par-1 (the CLI's and the provider's; they apply last, to keys still unset);
//   2. the config file's top-level keys (the "default" profile);
//   3. the selected profile's keys under `profiles:` (a key present with a value, even "",
//      overrides; `key:` with nothing, i.e. null, does not), chosen by profile_options::profile
//      (the CLI's -p), else a non-empty SCW_PROFILE, else `active_profile`, else "default"
//      (the top level alone, even if `profiles:` has an entry of that name);
//   4. the environment: SCW_ACCESS_KEY, SCW_SECRET_KEY, SCW_DEFAULT_ORGANIZATION_ID,
//      SCW_DEFAULT_PROJECT_ID, SCW_DEFAULT_REGION, SCW_DEFAULT_ZONE, SCW_API_URL, SCW_INSECURE,
//      SCW_USER_AGENT, and Go's deprecated names after them (SCALEWAY_ACCESS_KEY, SCW_TOKEN,
//      SCALEWAY_TOKEN, SCW_ORGANIZATION, SCALEWAY_ORGANIZATION, SCW_REGION, SCALEWAY_REGION,
//      SCW_TLSVERIFY), each with a warning. A variable set to "" counts as set (Go's LookupEnv),
//      and then fails validate();
//   5. with a zone but no region from 2-4, the region is the zone's ("nl-ams-1" → "nl-ams").
// The file: profile_options::config_path, else SCW_CONFIG_PATH, else
// $XDG_CONFIG_HOME/scw/config.yaml, else $HOME/.config/scw/config.yaml (then config.yml when
// the .yaml is missing and no path was given). A missing file is no error (the environment
// alone); an unreadable one, bad YAML or a key of the wrong type is an error naming file:line.
// Unknown keys are ignored, as Go ignores them.
//
// CAUTION: the secret key must never reach output. Error messages of this header never hold
// it; scw_profile::secrets lists every secret key seen (environment and every profile of the
// file) and redact() removes them from any text (logs, HTTP errors) before it is shown.
// Divergences from Go, all stricter: an SCW_INSECURE that is no boolean is an error (Go warns
// and keeps TLS verification); a repeated key in the file is an error; SCW_PROFILE naming a
// profile while no config file exists is an error (the CLI ignores it); validate() also
// requires an http(s) API URL and zones and regions the Instance API serves.
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../detail/text.hpp"
#include "../error.hpp"
#include "../io/read.hpp"
#include "../yaml/json.hpp"
#include "../zones.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace client {

/// True iff `s` is an access key: "SCW" and 17 characters of [A-Z0-9]. (Zones, regions and
/// UUIDs: zones.hpp.)
inline bool is_access_key(std::string_view s) {
  return s.size() == 20 && s.substr(0, 3) == "SCW" &&
         secgroup::detail::all_chars(s.substr(3), 17, 17, [](char c) {
           return (c >= 'A' && c <= 'Z') || secgroup::detail::is_digit_char(c);
         });
}

// -- Provenance ------------------------------------------------------------------------------

/// Where a setting came from.
struct provenance {
  enum class kind {
    built_in,     ///< secgroup's default (the CLI's and the Terraform provider's)
    config_file,  ///< a key of the scw config file
    environment,  ///< an environment variable
    option,       ///< the caller (a command-line option such as --profile)
    derived,      ///< computed from another setting (the region from the zone)
  };
  kind from = kind::built_in;
  /// The variable ("SCW_SECRET_KEY"), option ("--profile"), the profile of a file key ("prod";
  /// "default" for the top level), or for `derived` the setting it came from ("default_zone").
  std::string name;
  std::string file;      ///< config_file: the file
  std::size_t line = 0;  ///< config_file: the 1-based line of the key (0: unknown)
  std::string key;       ///< config_file: the key's path ("profiles.prod.secret_key")
  /// derived: where the setting it came from came from.
  std::string via;
  friend bool operator==(const provenance&, const provenance&) = default;
};

/// Who supplied a setting, for messages: "SCW_SECRET_KEY", "profile 'prod' in
/// /root/.config/scw/config.yaml:7", "the top level of /root/.config/scw/config.yaml:3",
/// "active_profile in /root/.config/scw/config.yaml:4", "--profile",
/// "default_zone (SCW_DEFAULT_ZONE)", "secgroup's default".
inline std::string to_string(const provenance& p) {
  using k = provenance::kind;
  switch (p.from) {
    case k::environment:
    case k::option:
      return p.name;
    case k::config_file: {
      const std::string at = p.file + (p.line ? ":" + std::to_string(p.line) : "");
      if (p.key == "active_profile") return "active_profile in " + at;
      return p.name == "default" && p.key.rfind("profiles.", 0) != 0
                 ? "the top level of " + at
                 : "profile " + secgroup::detail::quoted(p.name) + " in " + at;
    }
    case k::derived:
      return p.name + (p.via.empty() ? "" : " (" + p.via + ")");
    case k::built_in:
      break;
  }
  return "secgroup's default";
}

/// The error field naming a setting's origin: "SCW_SECRET_KEY", or
/// "/root/.config/scw/config.yaml:7: profiles.prod.secret_key".
inline std::string field_of(const provenance& p) {
  if (p.from != provenance::kind::config_file) return to_string(p);
  return p.file + (p.line ? ":" + std::to_string(p.line) : "") + ": " + p.key;
}

/// A value and where it came from.
template <class T>
struct setting {
  T value{};
  provenance source;
  friend bool operator==(const setting&, const setting&) = default;
};

// -- The profile -----------------------------------------------------------------------------

/// The settings in effect. Keys are named as in the config file; each is unset when nothing
/// supplied it (resolve_profile() fills api_url, default_region and default_zone always).
struct scw_profile {
  std::optional<setting<std::string>> access_key;
  std::optional<setting<std::string>> secret_key;  ///< CAUTION: never print; see redact()
  std::optional<setting<std::string>> default_organization_id;
  std::optional<setting<std::string>> default_project_id;
  std::optional<setting<std::string>> default_region;
  std::optional<setting<std::string>> default_zone;
  std::optional<setting<std::string>> api_url;
  std::optional<setting<bool>> insecure;  ///< skip TLS verification; unset means false
  std::optional<setting<std::string>> user_agent;

  /// The profile used: "default" (the file's top level) or a name under `profiles:`.
  std::string profile_name = "default";
  /// Who chose it (SCW_PROFILE, active_profile in the file, --profile); built_in when none.
  provenance profile_source;
  /// The config file read, or empty when none exists.
  std::string config_file;
  /// Every secret key value seen, for redact(): the environment's and every profile's.
  std::vector<std::string> secrets;
  /// Deprecated variables read, a missing explicit config file, loose file permissions.
  std::vector<std::string> warnings;
};

/// Environment variables by name. A variable present with "" is set.
using environment = std::map<std::string, std::string, std::less<>>;

/// The variables resolve_profile() reads, in the order it prefers them per key.
inline constexpr std::array<std::string_view, 25> environment_names = {
    "SCW_ACCESS_KEY", "SCW_SECRET_KEY", "SCW_DEFAULT_ORGANIZATION_ID", "SCW_DEFAULT_PROJECT_ID",
    "SCW_DEFAULT_REGION", "SCW_DEFAULT_ZONE", "SCW_API_URL", "SCW_INSECURE", "SCW_USER_AGENT",
    "SCW_PROFILE", "SCW_CONFIG_PATH", "XDG_CONFIG_HOME", "HOME", "USERPROFILE",
    // Go's deprecated names, read after the current ones.
    "SCALEWAY_ACCESS_KEY", "SCW_TOKEN", "SCALEWAY_TOKEN", "SCW_ORGANIZATION",
    "SCALEWAY_ORGANIZATION", "SCW_REGION", "SCALEWAY_REGION", "SCW_TLSVERIFY",
    // Not read, listed so that redact() callers can see the whole Scaleway environment.
    "SCW_S3_ENDPOINT", "SCW_DEBUG", "SCW_ENABLE_BETA"};

/// The process environment, restricted to environment_names (getenv).
inline environment process_environment() {
  environment env;
  for (auto name : environment_names)
    if (const char* v = std::getenv(std::string(name).c_str())) env.emplace(name, v);
  return env;
}

/// What the caller chooses over the environment (the CLI's --profile and --scw-config, as the
/// scw CLI's -p and -c).
struct profile_options {
  std::optional<std::string> profile;                ///< beats SCW_PROFILE and active_profile
  std::optional<std::filesystem::path> config_path;  ///< beats SCW_CONFIG_PATH
  std::size_t max_size = default_max_input_size;     ///< of the config file
  /// How messages name the caller's two choices (the front end's option or argument names).
  std::string profile_name = "--profile";
  std::string config_path_name = "--scw-config";
};

// -- The config file -------------------------------------------------------------------------

/// The config file's path and who chose it.
struct config_location {
  std::filesystem::path path;
  provenance source;  ///< option, SCW_CONFIG_PATH, XDG_CONFIG_HOME or HOME (environment)
  bool explicit_path = false;  ///< chosen by the option or SCW_CONFIG_PATH (no .yml fallback)
};

/// The config file path the clients use: options.config_path, else SCW_CONFIG_PATH, else
/// $XDG_CONFIG_HOME/scw/config.yaml, else $HOME/.config/scw/config.yaml (Windows:
/// %USERPROFILE%). Empty variables count as unset here (Go's os.Getenv != ""). nullopt when
/// none applies (no HOME).
inline std::optional<config_location> find_config_file(const environment& env,
                                                       const profile_options& options = {}) {
  namespace fs = std::filesystem;
  auto var = [&](std::string_view name) -> std::string {
    auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
  };
  auto from_env = [](std::string_view name) {
    return provenance{provenance::kind::environment, std::string(name), {}, 0, {}, {}};
  };
  if (options.config_path)
    return config_location{*options.config_path,
                           {provenance::kind::option, options.config_path_name, {}, 0, {}, {}},
                           true};
  if (auto p = var("SCW_CONFIG_PATH"); !p.empty())
    return config_location{fs::path(p), from_env("SCW_CONFIG_PATH"), true};
  if (auto p = var("XDG_CONFIG_HOME"); !p.empty())
    return config_location{fs::path(p) / "scw" / "config.yaml", from_env("XDG_CONFIG_HOME"), false};
  for (auto home : {"HOME", "USERPROFILE"})
    if (auto p = var(home); !p.empty())
      return config_location{fs::path(p) / ".config" / "scw" / "config.yaml", from_env(home),
                             false};
  return std::nullopt;
}

/// One profile of the file: its keys as settings (provenance config_file).
struct file_profile {
  std::string name;  ///< "default" for the top level
  scw_profile keys;  ///< only the key fields are set
};

/// A parsed config file.
struct scw_config {
  std::string file;
  file_profile top_level;                                ///< named "default"
  std::optional<setting<std::string>> active_profile;    ///< `active_profile:`
  std::vector<file_profile> profiles;                    ///< under `profiles:`, in file order
  std::vector<std::string> secrets;                      ///< every secret_key value

  /// The profile named `name`, or nullptr.
  const file_profile* find(std::string_view name) const {
    for (const auto& p : profiles)
      if (p.name == name) return &p;
    return nullptr;
  }
  /// "default" and the names under `profiles:`, comma-separated, for messages.
  std::string names() const {
    std::string out = "default";
    for (const auto& p : profiles)
      if (p.name != "default") out += ", " + p.name;
    return out;
  }
};

}  // namespace client

/// \cond
namespace detail::scw_profile_io {

using namespace secgroup::client;

/// Go's yaml.v2 booleans (YAML 1.1): the value of a plain scalar, or nullopt.
inline std::optional<bool> yaml11_bool(std::string_view s) {
  for (auto t : {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})
    if (s == t) return true;
  for (auto f : {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"})
    if (s == f) return false;
  return std::nullopt;
}

inline bool is_yaml_null(const YAML::Node& n) {
  if (n.IsNull()) return true;
  if (!n.IsScalar() || n.Tag() != "?") return false;
  const auto& s = n.Scalar();
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

class config_reader {
 public:
  explicit config_reader(std::string file) { out_.file = std::move(file); }

  scw_config read(const YAML::Node& doc) {
    out_.top_level.name = "default";
    if (doc.IsNull() || is_yaml_null(doc)) return std::move(out_);
    if (!doc.IsMap()) fail(doc, "", "the config file must be a mapping of keys to values");
    read_keys(doc, "", "default", out_.top_level.keys, true);
    return std::move(out_);
  }

 private:
  [[noreturn]] void fail(const YAML::Node& at, const std::string& key,
                         const std::string& message) const {
    const auto pos = secgroup::detail::yaml_io::position_of(at.Mark());
    std::string field = secgroup::detail::yaml_io::where(out_.file, {pos.line, 0});
    SECGROUP_THROW(parse_error(errc::wrong_type, key.empty() ? field : field + ": " + key, message));
  }

  provenance origin(const YAML::Node& key_node, const std::string& profile,
                  const std::string& key) const {
    return {provenance::kind::config_file, profile, out_.file,
            secgroup::detail::yaml_io::position_of(key_node.Mark()).line, key, {}};
  }

  /// A string key, as yaml.v2 reads into *string: any scalar's text; null leaves it unset.
  void read_string(const YAML::Node& k, const YAML::Node& v, const std::string& profile,
                   const std::string& key, std::optional<setting<std::string>>& to) {
    if (is_yaml_null(v)) return;
    if (!v.IsScalar()) fail(k, key, std::string("expected a string, got a ") +
                                        (v.IsMap() ? "mapping" : "sequence"));
    to = setting<std::string>{v.Scalar(), origin(k, profile, key)};
  }

  /// A boolean key, as yaml.v2 reads into *bool: a plain YAML 1.1 boolean (true, yes, on, …).
  void read_bool(const YAML::Node& k, const YAML::Node& v, const std::string& profile,
                 const std::string& key, std::optional<setting<bool>>* to) {
    if (is_yaml_null(v)) return;
    std::optional<bool> b;
    if (v.IsScalar() && v.Tag() == "?") b = yaml11_bool(v.Scalar());
    if (v.IsScalar() && v.Tag() == "tag:yaml.org,2002:bool") b = yaml11_bool(v.Scalar());
    if (!b)
      fail(k, key,
           "expected a boolean (true or false, unquoted), got " +
               (v.IsScalar() ? secgroup::detail::quoted(v.Scalar())
                             : std::string(v.IsMap() ? "a mapping" : "a sequence")));
    if (to) *to = setting<bool>{*b, origin(k, profile, key)};
  }

  void read_keys(const YAML::Node& map, const std::string& prefix, const std::string& profile,
                 scw_profile& p, bool top) {
    std::vector<std::string> seen;
    for (const auto& kv : map) {
      const YAML::Node& k = kv.first;
      const YAML::Node& v = kv.second;
      if (!k.IsScalar()) fail(k, prefix, "a key must be text");
      const std::string name = k.Scalar();
      const std::string key = prefix + name;
      if (std::find(seen.begin(), seen.end(), name) != seen.end())
        SECGROUP_THROW(parse_error(
            errc::bad_yaml,
            secgroup::detail::yaml_io::where(out_.file, {secgroup::detail::yaml_io::position_of(k.Mark()).line, 0}) + ": " +
                key,
            "key " + secgroup::detail::quoted(name) + " is repeated"));
      seen.push_back(name);
      if (name == "access_key") read_string(k, v, profile, key, p.access_key);
      else if (name == "secret_key") {
        read_string(k, v, profile, key, p.secret_key);
        if (p.secret_key && !p.secret_key->value.empty()) out_.secrets.push_back(p.secret_key->value);
      } else if (name == "default_organization_id")
        read_string(k, v, profile, key, p.default_organization_id);
      else if (name == "default_project_id") read_string(k, v, profile, key, p.default_project_id);
      else if (name == "default_region") read_string(k, v, profile, key, p.default_region);
      else if (name == "default_zone") read_string(k, v, profile, key, p.default_zone);
      else if (name == "api_url") read_string(k, v, profile, key, p.api_url);
      else if (name == "user_agent") read_string(k, v, profile, key, p.user_agent);
      else if (name == "insecure") read_bool(k, v, profile, key, &p.insecure);
      else if (name == "s3_use_path_style" || name == "send_telemetry")
        read_bool(k, v, profile, key, nullptr);  // typed as Go types it, not used
      else if (name == "s3_endpoint") {
        std::optional<setting<std::string>> unused;
        read_string(k, v, profile, key, unused);
      } else if (top && name == "active_profile") {
        read_string(k, v, profile, key, out_.active_profile);
      } else if (top && name == "profiles") {
        read_profiles(k, v);
      }
      // Any other key is ignored, as Go's yaml.Unmarshal ignores it.
    }
  }

  void read_profiles(const YAML::Node& k, const YAML::Node& v) {
    if (is_yaml_null(v)) return;
    if (!v.IsMap()) fail(k, "profiles", "expected a mapping of profile names to profiles");
    for (const auto& kv : v) {
      if (!kv.first.IsScalar()) fail(kv.first, "profiles", "a profile name must be text");
      const std::string name = kv.first.Scalar();
      if (out_.find(name))
        SECGROUP_THROW(parse_error(
            errc::bad_yaml,
            secgroup::detail::yaml_io::where(out_.file,
                                {secgroup::detail::yaml_io::position_of(kv.first.Mark()).line, 0}) +
                ": profiles." + name,
            "profile " + secgroup::detail::quoted(name) + " is defined twice"));
      file_profile fp{name, {}};
      if (!is_yaml_null(kv.second)) {
        if (!kv.second.IsMap())
          fail(kv.first, "profiles." + name, "expected a mapping of keys to values");
        read_keys(kv.second, "profiles." + name + ".", name, fp.keys, false);
      }
      out_.profiles.push_back(std::move(fp));
    }
  }

  scw_config out_;
};

/// Overlays the key fields set in `over` onto `base`.
inline void overlay(scw_profile& base, const scw_profile& over) {
  auto take = [](auto& to, const auto& from) {
    if (from) to = from;
  };
  take(base.access_key, over.access_key);
  take(base.secret_key, over.secret_key);
  take(base.default_organization_id, over.default_organization_id);
  take(base.default_project_id, over.default_project_id);
  take(base.default_region, over.default_region);
  take(base.default_zone, over.default_zone);
  take(base.api_url, over.api_url);
  take(base.insecure, over.insecure);
  take(base.user_agent, over.user_agent);
}

/// The first of `names` present in `env`, with a warning when it is a deprecated one.
inline std::optional<setting<std::string>> env_setting(
    const environment& env, std::initializer_list<std::string_view> names,
    std::vector<std::string>& warnings) {
  bool first = true;
  for (auto name : names) {
    if (auto it = env.find(name); it != env.end()) {
      if (!first)
        warnings.push_back(std::string(name) + " is deprecated; use " +
                           std::string(*names.begin()) + " instead");
      return setting<std::string>{
          it->second, {provenance::kind::environment, std::string(name), {}, 0, {}, {}}};
    }
    first = false;
  }
  return std::nullopt;
}

/// Go's strconv.ParseBool.
inline std::optional<bool> go_bool(std::string_view s) {
  for (auto t : {"1", "t", "T", "TRUE", "true", "True"})
    if (s == t) return true;
  for (auto f : {"0", "f", "F", "FALSE", "false", "False"})
    if (s == f) return false;
  return std::nullopt;
}

/// The environment's keys (layer 4), as Go's LoadEnvProfile reads them.
inline scw_profile environment_profile(const environment& env, std::vector<std::string>& warnings) {
  scw_profile p;
  p.access_key = env_setting(env, {"SCW_ACCESS_KEY", "SCALEWAY_ACCESS_KEY"}, warnings);
  p.secret_key = env_setting(
      env, {"SCW_SECRET_KEY", "SCW_TOKEN", "SCALEWAY_TOKEN", "SCALEWAY_ACCESS_KEY"}, warnings);
  p.api_url = env_setting(env, {"SCW_API_URL"}, warnings);
  p.default_organization_id = env_setting(
      env, {"SCW_DEFAULT_ORGANIZATION_ID", "SCW_ORGANIZATION", "SCALEWAY_ORGANIZATION"}, warnings);
  p.default_project_id = env_setting(env, {"SCW_DEFAULT_PROJECT_ID"}, warnings);
  p.default_region =
      env_setting(env, {"SCW_DEFAULT_REGION", "SCW_REGION", "SCALEWAY_REGION"}, warnings);
  if (p.default_region && (p.default_region->value == "par1" || p.default_region->value == "ams1")) {
    const std::string v2 = p.default_region->value == "par1" ? "fr-par" : "nl-ams";
    warnings.push_back(p.default_region->value + " (" + p.default_region->source.name +
                       ") is a deprecated region name; use " + v2);
    p.default_region->value = v2;
  }
  p.default_zone = env_setting(env, {"SCW_DEFAULT_ZONE"}, warnings);
  p.user_agent = env_setting(env, {"SCW_USER_AGENT"}, warnings);
  if (auto raw = env_setting(env, {"SCW_INSECURE", "SCW_TLSVERIFY"}, warnings)) {
    auto b = go_bool(raw->value);
    if (!b)
      SECGROUP_THROW(validation_error(
          errc::bad_credential, raw->source.name,
          "invalid boolean " + secgroup::detail::quoted(raw->value) +
              " (expected 1, t, true, TRUE, True, 0, f, false, FALSE or False)"));
    // SCW_TLSVERIFY is the inverse of insecure.
    p.insecure = setting<bool>{raw->source.name == "SCW_TLSVERIFY" ? !*b : *b, raw->source};
  }
  return p;
}

inline void add_secret(std::vector<std::string>& secrets, const std::string& s) {
  if (!s.empty() && std::find(secrets.begin(), secrets.end(), s) == secrets.end())
    secrets.push_back(s);
}

}  // namespace detail::scw_profile_io
/// \endcond

namespace client {

/// Parses the text of a config file named `file`. Throws parse_error naming file:line:
/// secgroup.parse.115 for YAML syntax, a repeated key or profile; secgroup.parse.105 for a key
/// of the wrong type (a mapping where a string goes, `insecure: "true"` quoted).
inline scw_config parse_scw_config(std::string_view text, const std::string& file) {
  return detail::scw_profile_io::config_reader(file).read(yaml::parse_node(text, file));
}

// -- Resolution ------------------------------------------------------------------------------

/// The profile in effect for `env` and `options` (see the file comment for the layers).
/// Throws parse_error naming the file (and line) for an unreadable or malformed config file;
/// lookup_error secgroup.lookup.301 when the chosen profile does not exist (the message lists
/// the file's profiles); validation_error secgroup.validation.207 for an SCW_INSECURE (or
/// SCW_TLSVERIFY) that is no boolean. The values are not validated: see validate().
inline scw_profile resolve_profile(const environment& env, const profile_options& options = {}) {
  namespace fs = std::filesystem;
  scw_profile out;
  std::optional<scw_config> file;
  const auto location = find_config_file(env, options);
  if (location) {
    fs::path path = location->path;
    std::error_code ec;
    if (!fs::exists(path, ec) && !location->explicit_path) {
      auto yml = path;
      yml.replace_extension(".yml");
      if (fs::exists(yml, ec)) path = yml;
    }
    if (fs::exists(path, ec)) {
      const std::string name = path.string();
      file = parse_scw_config(read_text_file(path, options.max_size), name);
      out.config_file = name;
      const auto perms = fs::status(path, ec).permissions();
      if (!ec && perms != (fs::perms::owner_read | fs::perms::owner_write))
        out.warnings.push_back(name + ": permissions are not 0600 (the official clients warn " +
                               "too); fix with chmod 0600 " + name);
    } else if (location->explicit_path) {
      out.warnings.push_back(to_string(location->source) + " names " + path.string() +
                             ", which does not exist; using the environment alone");
    }
  }

  // Which profile: --profile, SCW_PROFILE (non-empty), active_profile, else the top level.
  std::optional<setting<std::string>> chosen;
  if (options.profile)
    chosen = setting<std::string>{
        *options.profile, {provenance::kind::option, options.profile_name, {}, 0, {}, {}}};
  else if (auto it = env.find("SCW_PROFILE"); it != env.end() && !it->second.empty())
    chosen = setting<std::string>{
        it->second, {provenance::kind::environment, "SCW_PROFILE", {}, 0, {}, {}}};
  else if (file && file->active_profile)
    chosen = file->active_profile;

  if (file) {
    out.secrets = file->secrets;
    detail::scw_profile_io::overlay(out, file->top_level.keys);
  }
  if (chosen) {
    out.profile_name = chosen->value;
    out.profile_source = chosen->source;
    if (chosen->value.empty())
      SECGROUP_THROW(validation_error(errc::bad_value, field_of(chosen->source),
                                      "the profile name is empty"));
    if (chosen->value != "default") {
      const file_profile* p = file ? file->find(chosen->value) : nullptr;
      if (!p && file)
        SECGROUP_THROW(lookup_error(errc::not_found, field_of(chosen->source),
                                    "no profile " + secgroup::detail::quoted(chosen->value) +
                                        " in " + file->file + " (profiles: " + file->names() +
                                        ")"));
      if (!p)
        SECGROUP_THROW(lookup_error(
            errc::not_found, field_of(chosen->source),
            "no profile " + secgroup::detail::quoted(chosen->value) + ": no config file at " +
                (location ? location->path.string() + " (" + to_string(location->source) + ")"
                          : std::string("$HOME/.config/scw/config.yaml (HOME is not set)"))));
      detail::scw_profile_io::overlay(out, p->keys);
    }
  }

  auto env_keys = detail::scw_profile_io::environment_profile(env, out.warnings);
  if (env_keys.secret_key) detail::scw_profile_io::add_secret(out.secrets, env_keys.secret_key->value);
  detail::scw_profile_io::overlay(out, env_keys);

  // Layer 5: the region of the zone, when only the zone was given.
  if (out.default_zone && !out.default_region)
    if (auto region = region_of_zone(out.default_zone->value))
      out.default_region = setting<std::string>{
          *region,
          {provenance::kind::derived, "default_zone", {}, 0, {}, to_string(out.default_zone->source)}};
  // Layer 1, last: what is still unset.
  const provenance built_in{};
  if (!out.api_url) out.api_url = setting<std::string>{"https://api.scaleway.com", built_in};
  if (!out.default_region) out.default_region = setting<std::string>{"fr-par", built_in};
  if (!out.default_zone) out.default_zone = setting<std::string>{"fr-par-1", built_in};
  return out;
}

/// resolve_profile() for the process environment.
inline scw_profile resolve_profile_from_process(const profile_options& options = {}) {
  return resolve_profile(process_environment(), options);
}

// -- Redaction -------------------------------------------------------------------------------

/// What a secret key is replaced with (the same text as the client's client/redact.hpp).
inline constexpr std::string_view redacted_secret = "[REDACTED]";

/// Returns `text` with every occurrence of each of `secrets` (compared ignoring ASCII case, and
/// also in the escaped form error messages give them) replaced by redacted_secret. Empty
/// secrets are skipped; longer secrets are replaced first.
inline std::string redact(std::string_view text, std::span<const std::string> secrets) {
  std::vector<std::string> forms;
  for (const auto& s : secrets) {
    if (s.empty()) continue;
    forms.push_back(s);
    auto esc = secgroup::detail::escaped(s, secgroup::detail::backslash::keep);
    if (esc != s) forms.push_back(std::move(esc));
  }
  std::sort(forms.begin(), forms.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  std::string out(text);
  auto lower = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  for (const auto& form : forms) {
    const std::string needle = lower(form);
    std::string haystack = lower(out);
    std::string next;
    std::size_t from = 0;
    for (auto at = haystack.find(needle); at != std::string::npos;
         at = haystack.find(needle, from)) {
      next.append(out, from, at - from);
      next += redacted_secret;
      from = at + needle.size();
    }
    next.append(out, from, std::string::npos);
    out = std::move(next);
  }
  return out;
}

/// redact() with every secret `profile` has seen.
inline std::string redact(std::string_view text, const scw_profile& profile) {
  return redact(text, std::span<const std::string>(profile.secrets));
}

// -- Validation ------------------------------------------------------------------------------

}  // namespace client

/// \cond
namespace detail::scw_profile_io {

using namespace secgroup::client;

/// Throws secgroup.validation.207 about the setting from `p`; the message says who supplied it
/// when the field does not already (a file key: which profile).
[[noreturn]] inline void bad_setting(const provenance& p, const std::string& message,
                                     const scw_profile& profile) {
  const std::string field = field_of(p);
  const std::string who = to_string(p);
  SECGROUP_THROW(validation_error(
      errc::bad_credential, redact(field, profile),
      redact(who == field ? message : message + " (from " + who + ")", profile)));
}

inline void check_uuid(const std::optional<setting<std::string>>& s, const char* what,
                       const scw_profile& profile) {
  if (!s) return;
  if (s->value.empty()) bad_setting(s->source, std::string(what) + " is empty", profile);
  if (!is_uuid(s->value))
    bad_setting(s->source,
                std::string(what) + " " + secgroup::detail::quoted(s->value) +
                    " is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
                profile);
}

inline std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace detail::scw_profile_io
/// \endcond

namespace client {

/// Checks `profile` as the Go SDK checks its client options, with the Instance API's zones:
/// with a secret key, an access key `SCW` + 17 of [A-Z0-9] and a UUID secret key; UUID
/// organization and project ids; a region and a zone of the Instance API (instance_regions(),
/// instance_zones(), zones.hpp); an http(s) API URL without a trailing slash; a printable-ASCII user agent
/// of at most 512 characters. `need_credentials` also requires a secret key (and so an access
/// key). Throws validation_error secgroup.validation.207 whose field names the setting's
/// origin ("SCW_DEFAULT_ZONE", "/root/.config/scw/config.yaml:7: profiles.prod.default_zone")
/// and whose message names the setting and who supplied it; never the secret key's value.
inline void validate(const scw_profile& profile, bool need_credentials = true) {
  using detail::scw_profile_io::bad_setting;
  const auto& secret = profile.secret_key;
  if (need_credentials && !secret)
    SECGROUP_THROW(validation_error(
        errc::bad_credential, "SCW_SECRET_KEY",
        "no secret key: set SCW_SECRET_KEY (and SCW_ACCESS_KEY), or secret_key in the profile " +
            secgroup::detail::quoted(profile.profile_name) + " of " +
            (profile.config_file.empty() ? std::string("the scw config file")
                                         : profile.config_file)));
  if (secret) {
    const auto& access = profile.access_key;
    if (!access || access->value.empty())
      SECGROUP_THROW(validation_error(
          errc::bad_credential, access ? field_of(access->source) : "SCW_ACCESS_KEY",
          "no access key: the official clients require one with the secret key (from " +
              to_string(secret->source) + "); set SCW_ACCESS_KEY or access_key"));
    if (!is_access_key(access->value)) {
      // An access key that looks like a secret key may be one: never print it.
      const bool secret_like = is_uuid(access->value);
      bad_setting(access->source,
                  "access key " +
                      (secret_like ? std::string("(a UUID, not shown: is it a secret key?)")
                                   : secgroup::detail::quoted(access->value)) +
                      " is not SCW followed by 17 characters A-Z, 0-9",
                  profile);
    }
    if (secret->value.empty()) bad_setting(secret->source, "secret key is empty", profile);
    if (!is_uuid(secret->value))
      bad_setting(secret->source,
                  "secret key is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx; " +
                      std::to_string(secret->value.size()) + " characters, value not shown)",
                  profile);
  }
  detail::scw_profile_io::check_uuid(profile.default_organization_id, "organization ID", profile);
  detail::scw_profile_io::check_uuid(profile.default_project_id, "project ID", profile);
  if (const auto& r = profile.default_region) {
    if (r->value.empty()) bad_setting(r->source, "region is empty", profile);
    if (!is_instance_region(r->value))
      bad_setting(r->source,
                  "region " + secgroup::detail::quoted(r->value) +
                      (is_region_name(r->value) ? " has no Instance zones" : " is no region name") +
                      " (regions: " + detail::scw_profile_io::joined(instance_regions()) + ")",
                  profile);
  }
  if (const auto& z = profile.default_zone) {
    if (z->value.empty()) bad_setting(z->source, "zone is empty", profile);
    if (!is_instance_zone(z->value))
      bad_setting(z->source,
                  "zone " + secgroup::detail::quoted(z->value) +
                      (is_zone_name(z->value) ? " is not an Instance zone" : " is no zone name") +
                      " (zones: " + detail::scw_profile_io::joined(instance_zones()) + ")",
                  profile);
  }
  if (const auto& u = profile.api_url) {
    const auto& url = u->value;
    const bool http = url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0;
    const auto host_at = url.find("://") + 3;
    if (!http || url.size() <= host_at)
      bad_setting(u->source,
                  "API URL " + secgroup::detail::quoted(url) +
                      " is not an http:// or https:// URL with a host",
                  profile);
    if (url.back() == '/')
      bad_setting(u->source,
                  "API URL " + secgroup::detail::quoted(url) +
                      " ends with a slash (write it without, as https://api.scaleway.com)",
                  profile);
  }
  if (const auto& a = profile.user_agent) {
    if (a->value.size() > 512)
      bad_setting(a->source, "user agent is longer than 512 characters", profile);
    for (char c : a->value)
      if (c < 0x20 || c > 0x7e)
        bad_setting(a->source,
                    "user agent " + secgroup::detail::quoted(a->value) +
                        " has a character outside printable ASCII",
                    profile);
  }
}

}  // namespace client
SECGROUP_END_NAMESPACE
