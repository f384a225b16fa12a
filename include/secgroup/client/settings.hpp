// secgroup/client/settings.hpp: what the Instance API client needs to know, with defaults.
//
// A settings value is plain data: where the API is, the secret key and who supplied it, the
// project and the zones to read, the timeout of each request and the retry policy. Front ends
// fill it (the CLI from the environment and the `scw` config file, client/profile.hpp); the
// reader (client/reader.hpp) only reads it. validate_settings() checks it before any request.
// The zones are those of the Instance API (zones.hpp: instance_zones()).
// No network code here: this header compiles without cpp-httplib.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../config.hpp"
#include "../error.hpp"
#include "../zones.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace client {

/// Timeouts of every request (cpp-httplib's connection and read timeouts).
struct timeouts {
  std::chrono::milliseconds connect{10'000};  ///< to establish the connection (and TLS)
  std::chrono::milliseconds read{30'000};     ///< waiting for any part of the answer
};

/// Bounded retries of 429, 5xx (except 501) and transport errors, exponential backoff.
/// Attempt k (1-based) that fails waits min(base_backoff * 2^(k-1), max_backoff) before the
/// next, or the answer's `Retry-After` (seconds, or an HTTP-date) when it has one; a `Retry-After` longer than
/// max_retry_after ends the retries at once (the error says how long the server asked to wait).
struct retry_policy {
  unsigned max_attempts = 4;  ///< requests in all, the first included (Terraform: 1 + 3)
  std::chrono::milliseconds base_backoff{1'000};
  std::chrono::milliseconds max_backoff{30'000};
  std::chrono::milliseconds max_retry_after{120'000};
};

/// Where the reader logs each request it retries (one line, the secret redacted).
using log_fn = std::function<void(const std::string&)>;
/// How the reader waits between attempts; empty: std::this_thread::sleep_for. Tests inject one
/// that records the waits and returns at once.
using sleep_fn = std::function<void(std::chrono::milliseconds)>;

/// Settings of the Instance API client.
struct settings {
  /// Base URL, without a trailing slash (`SCW_API_URL`); http:// or https://.
  std::string api_url = "https://api.scaleway.com";
  /// The secret key, sent as `X-Auth-Token`. Never printed: every message redacts it.
  std::string secret_key;
  /// Who supplied the key, for messages: "SCW_SECRET_KEY", "profile 'prod' of ~/.config/...".
  std::string secret_key_source = "the settings";
  /// The project whose groups are read (`project=` filter); empty: every group the key sees.
  std::string project_id;
  /// The zones `api:` reads; empty: instance_zones().
  std::vector<std::string> zones;
  /// Replaces the User-Agent (`SCW_USER_AGENT`); empty: default_user_agent().
  std::string user_agent;
  timeouts timeout;
  retry_policy retry;
  /// Skip TLS certificate verification (`SCW_INSECURE`); verified by default.
  bool insecure = false;
  /// Items per page (the API allows 1..100).
  unsigned per_page = 100;
  /// Pages read per list at most: a server that never ends a list is an error, not a hang.
  unsigned max_pages = 1'000;
  log_fn log;
  sleep_fn sleep;
};

/// Throws validation_error secgroup.remote.402 naming `field` unless `zone` is an Instance zone
/// (instance_zones()); the message lists them.
inline void check_zone(const std::string& zone, const std::string& field) {
  const auto& known = instance_zones();
  if (std::find(known.begin(), known.end(), zone) != known.end()) return;
  std::string list;
  for (const auto& z : known) list += (list.empty() ? "" : ", ") + z;
  SECGROUP_THROW(validation_error(errc::unknown_zone, field,
                                  std::string(is_zone_name(zone) ? "unknown" : "malformed") +
                                      " zone " + detail::quoted(zone) +
                                      " (Instance zones: " + list + ")"));
}

/// The zones `s` reads for "every zone": s.zones, else instance_zones().
inline const std::vector<std::string>& every_zone(const settings& s) {
  return s.zones.empty() ? instance_zones() : s.zones;
}

/// Throws validation_error (bad_value, missing_field, unknown_zone) naming the setting for
/// settings no request can succeed with: no secret key or one a header cannot carry, an API URL that is not http(s) or ends
/// with a slash, a zone not an Instance zone, zero attempts or page size outside 1..100.
inline void validate_settings(const settings& s) {
  if (s.secret_key.empty())
    SECGROUP_THROW(parse_error(errc::missing_field, "secret_key",
                               "no secret key: set SCW_SECRET_KEY (or secret_key in a profile "
                               "of the scw config file)"));
  for (char c : s.secret_key)
    if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e)
      SECGROUP_THROW(validation_error(errc::bad_value, "secret_key",
                                      "the secret key holds a character an HTTP header cannot "
                                      "carry (a space, a control character or non-ASCII; the "
                                      "key is not shown)"));
  const std::string_view url = s.api_url;
  if (!(url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0) ||
      url.find_first_of(" \t\r\n") != std::string_view::npos)
    SECGROUP_THROW(validation_error(errc::bad_value, "api_url",
                                    "expected an http:// or https:// URL, got " +
                                        detail::quoted(s.api_url)));
  if (url.back() == '/')
    SECGROUP_THROW(validation_error(errc::bad_value, "api_url",
                                    "the API URL must not end with a slash (" +
                                        detail::quoted(s.api_url) + ")"));
  for (std::size_t i = 0; i < s.zones.size(); ++i)
    check_zone(s.zones[i], "zones[" + std::to_string(i) + "]");
  if (s.retry.max_attempts == 0)
    SECGROUP_THROW(
        validation_error(errc::bad_value, "retry.max_attempts", "at least one attempt"));
  if (s.per_page == 0 || s.per_page > 100)
    SECGROUP_THROW(validation_error(errc::bad_value, "per_page", "the API allows 1..100"));
}

}  // namespace client
SECGROUP_END_NAMESPACE
