// secgroup/client/reader.hpp: every security group of a project and its rules, read from the
// Instance API.
//
// read_groups() reads the groups of one zone, several or every Instance zone, or one group by
// id, as an api_source (client/source.hpp) names them: for each zone it lists the groups
// (`GET /instance/v1/zones/{zone}/security_groups?project=...&page=N&per_page=100`), then each
// group's rules (`.../security_groups/{id}/rules?page=N&per_page=100`), and builds each group
// exactly as io/json.hpp reads an export: the group's JSON with its rules embedded goes through
// group_from_json(), so the listed default SMTP rules are dropped and checked the same way, and
// the result equals reading the export the `export` command writes (export_text()).
//
// Pagination (spec D.6, scaleway-api.md §8): group lists carry `X-Total-Count`, rule lists no
// count. A list ends at an empty page, else when the count is reached, else (no count) at a
// page shorter than per_page (the API honours per_page up to 100); a server that repeats an item or never ends
// (settings.max_pages) is a remote_error secgroup.remote.405, never an endless loop.
// Every request has the connection and read timeouts of the settings, the `X-Auth-Token` and a
// User-Agent (default_user_agent(), spec D.8); TLS is verified unless settings.insecure. 429,
// 5xx other than 501 and transport errors (connection refused or reset, timeouts) are retried
// as settings.retry says, honouring `Retry-After` in seconds or as an HTTP-date
// (client/settings.hpp, retry_policy; retry_after_of()).
// Errors (error.hpp, secgroup.remote.4xx; every message redacted, client/redact.hpp): 401 and
// 403 name the key's source (settings.secret_key_source), never the key; a transport failure
// names the host (unreachable, .403); an error status after the retries (.404); an unknown zone
// (.402, also when the server refuses a zone the client knows); a group id that names no group
// is a lookup_error (secgroup.lookup.301).
// A zone that fails fails the whole read (secgroup.remote.406, naming the zone and why) unless
// read_options::allow_partial: then read_result::missing lists each zone not read and why, and
// read_result::complete() is false. A refused key or an unreachable host fails every zone alike
// and is thrown as is. Nothing half-read is ever returned as complete.
// Zones are read one after another (the CLI's `zone=all` fans out in parallel; ten zones of a
// few requests each do not need it).
// Requires the target secgroup::client (cpp-httplib built with OpenSSL).
#pragma once

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../error.hpp"
#include "../io/json.hpp"
#include "../security_group.hpp"
#include "../version.hpp"
#include "redact.hpp"
#include "settings.hpp"
#include "source.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace client {

/// "secgroup/<version> (cpp-httplib/<version>; <os>; <arch>)", as the Go SDK writes its own
/// (spec D.8); settings.user_agent replaces it.
inline std::string default_user_agent() {
#if defined(__linux__)
  const char* os = "linux";
#elif defined(__APPLE__)
  const char* os = "darwin";
#else
  const char* os = "unknown";
#endif
#if defined(__x86_64__)
  const char* arch = "amd64";
#elif defined(__aarch64__)
  const char* arch = "arm64";
#else
  const char* arch = "unknown";
#endif
  return std::string("secgroup/") + version_string + " (cpp-httplib/" CPPHTTPLIB_VERSION "; " +
         os + "; " + arch + ")";
}

/// A zone a partial read could not read, and why.
struct missing_zone {
  std::string zone;
  std::string error_id;  ///< the error's id ("secgroup.remote.404")
  std::string reason;    ///< the error's message (redacted)
};

/// What read_groups() read.
struct read_result {
  std::vector<security_group> groups;  ///< zone by zone as requested, each in the API's order
  std::vector<std::string> zones;      ///< the zones read whole
  std::vector<missing_zone> missing;   ///< zones not read (only with allow_partial)

  /// True iff every zone asked for was read.
  bool complete() const { return missing.empty(); }
};

/// How read_groups() treats a zone that fails.
struct read_options {
  /// Return the zones that answered and list the others in read_result::missing, instead of
  /// failing the read. A read where no zone answered still fails.
  bool allow_partial = false;
};

}  // namespace client

/// \cond
namespace detail::api_client {

using client::default_user_agent;
using client::redact;
using client::settings;

/// One answer: status, the headers the reader uses, the body.
struct answer {
  int status = 0;
  std::string body;
  std::optional<std::uint64_t> total_count;  ///< X-Total-Count
};

/// "?a=b&c=d" percent-encoding the values (ids and zones are plain; the project is a UUID).
inline std::string query(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [k, v] : params)
    out += (out.empty() ? "?" : "&") + k + "=" + httplib::detail::encode_query_param(v);
  return out;
}

/// A non-negative decimal header value, or nullopt.
inline std::optional<std::uint64_t> decimal(const std::string& text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

/// "TYPE: MESSAGE" of an API error body, or a short excerpt of a body that is not one.
inline std::string error_text(const std::string& body) {
  try {
    const json j = json::parse(body);
    if (j.is_object() && j.contains("message") && j["message"].is_string()) {
      std::string out = j.contains("type") && j["type"].is_string()
                            ? j["type"].get<std::string>() + ": "
                            : std::string();
      out += j["message"].get<std::string>();
      if (j.contains("details") && j["details"].is_array())
        for (const auto& d : j["details"])
          if (d.is_object() && d.contains("argument_name") && d["argument_name"].is_string())
            out += " (" + d["argument_name"].get<std::string>() + ")";
      return out;
    }
  } catch (const std::exception&) {
  }
  return body.empty() ? "no body" : "body " + detail::quoted(body.substr(0, 200));
}

/// True iff the error body says the zone argument is refused (the mock's 400, spec §9).
inline bool refuses_zone(const std::string& body) {
  try {
    const json j = json::parse(body);
    if (!j.is_object() || !j.contains("details") || !j["details"].is_array()) return false;
    for (const auto& d : j["details"])
      if (d.is_object() && d.value("argument_name", std::string()) == "zone") return true;
  } catch (const std::exception&) {
  }
  return false;
}

/// The wait a `Retry-After` value asks for at `now`: delay-seconds ("120"), or an HTTP-date in
/// the IMF-fixdate form every server sends ("Sun, 06 Nov 1994 08:49:37 GMT"; RFC 9110 §10.2.3),
/// a date already past meaning no wait. nullopt for anything else (then the backoff applies).
inline std::optional<std::chrono::milliseconds> retry_after_of(
    const std::string& value, std::chrono::system_clock::time_point now) {
  if (auto secs = decimal(value)) return std::chrono::milliseconds(*secs * 1000);
  // "Sun, 06 Nov 1994 08:49:37 GMT": 29 characters at fixed offsets.
  if (value.size() != 29 || value[3] != ',' || value.compare(25, 4, " GMT") != 0) return std::nullopt;
  const auto number = [&](std::size_t at, std::size_t n) -> std::optional<unsigned> {
    auto v = decimal(value.substr(at, n));
    return v ? std::optional<unsigned>(static_cast<unsigned>(*v)) : std::nullopt;
  };
  static constexpr std::string_view months = "JanFebMarAprMayJunJulAugSepOctNovDec";
  const auto month_at = months.find(std::string_view(value).substr(8, 3));
  const auto day = number(5, 2), year = number(12, 4), hour = number(17, 2),
             minute = number(20, 2), second = number(23, 2);
  if (month_at == std::string_view::npos || month_at % 3 != 0 || !day || !year || !hour ||
      !minute || !second || value[4] != ' ' || value[7] != ' ' || value[11] != ' ' ||
      value[16] != ' ' || value[19] != ':' || value[22] != ':' || *hour > 23 || *minute > 59 ||
      *second > 60)
    return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(static_cast<int>(*year)),
                                         std::chrono::month(static_cast<unsigned>(month_at / 3 + 1)),
                                         std::chrono::day(*day)};
  if (!date.ok()) return std::nullopt;
  const auto at = std::chrono::sys_days(date) + std::chrono::hours(*hour) +
                  std::chrono::minutes(*minute) + std::chrono::seconds(*second);
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(at - now);
  return wait.count() > 0 ? wait : std::chrono::milliseconds(0);
}

/// The HTTP client of one read: keeps its connection, retries, throws what the file comment
/// says. Every message goes through redact().
class connection {
 public:
  explicit connection(const settings& s) : s_(s), http_(origin(s.api_url)) {
    prefix_ = path_prefix(s.api_url);
    http_.set_keep_alive(true);
    http_.set_connection_timeout(std::chrono::duration_cast<std::chrono::seconds>(s.timeout.connect).count(),
                                 static_cast<time_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                     s.timeout.connect % std::chrono::seconds(1)).count()));
    http_.set_read_timeout(s.timeout.read);
    http_.set_write_timeout(s.timeout.read);
    http_.enable_server_certificate_verification(!s.insecure);
    headers_ = {{"X-Auth-Token", s.secret_key},
                {"User-Agent", s.user_agent.empty() ? default_user_agent() : s.user_agent},
                {"Accept", "application/json"}};
  }

  /// GETs `path` (below the API URL); returns a 2xx answer (or a 404 one when `accept_404`)
  /// or throws (see the file comment). `where` names the source in errors ("api:fr-par-1").
  answer get(const std::string& path, const std::string& where, bool accept_404 = false) {
    const auto& r = s_.retry;
    for (unsigned attempt = 1;; ++attempt) {
      auto res = http_.Get((prefix_ + path).c_str(), headers_);
      std::optional<std::chrono::milliseconds> retry_after;
      std::string failure;
      if (!res) {
        const auto e = res.error();
        failure = "cannot reach " + host() + ": " + describe(e);
        if (!transient(e) || attempt >= r.max_attempts)
          fail<remote_error>(errc::unreachable, where,
                             failure + tries(attempt) + hint_of(e));
      } else {
        const int status = res->status;
        if ((status >= 200 && status < 300) || (accept_404 && status == 404)) {
          answer out{status, std::move(res->body), std::nullopt};
          if (res->has_header("X-Total-Count"))
            out.total_count = decimal(res->get_header_value("X-Total-Count"));
          return out;
        }
        refuse(status, res->body, where);
        failure = "the API answered " + std::to_string(status) + " (" + error_text(res->body) +
                  ") to GET " + path;
        if (!(status == 429 || (status >= 500 && status != 501)) || attempt >= r.max_attempts)
          fail<remote_error>(errc::remote_status, where, failure + tries(attempt));
        retry_after = retry_after_of(res->get_header_value("Retry-After"),
                                     std::chrono::system_clock::now());
      }
      auto wait = backoff(attempt);
      if (retry_after) {
        if (*retry_after > r.max_retry_after)
          fail<remote_error>(errc::remote_status, where,
                             failure + "; it asks to retry after " +
                                 std::to_string(retry_after->count() / 1000) +
                                 " s, longer than the limit of " +
                                 std::to_string(r.max_retry_after.count() / 1000) + " s");
        wait = *retry_after;
      }
      log(where + ": " + failure + "; attempt " + std::to_string(attempt) + " of " +
          std::to_string(r.max_attempts) + ", retrying in " + std::to_string(wait.count()) +
          " ms");
      if (s_.sleep)
        s_.sleep(wait);
      else
        std::this_thread::sleep_for(wait);
    }
  }

  /// The secret-free text of `text`.
  std::string clean(std::string text) const { return redact(std::move(text), s_.secret_key); }

  template <class Error>
  [[noreturn]] void fail(const char* id, const std::string& field, const std::string& message) const {
    SECGROUP_THROW(Error(id, clean(field), clean(message)));
  }

 private:
  /// "https://host:port" of the URL (what httplib::Client takes).
  static std::string origin(const std::string& url) {
    const auto scheme = url.find("://");
    const auto path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    return url.substr(0, path);
  }
  /// The URL's path ("" for none), prefixed to every request.
  static std::string path_prefix(const std::string& url) {
    const auto scheme = url.find("://");
    const auto path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    return path == std::string::npos ? std::string() : url.substr(path);
  }
  std::string host() const { return origin(s_.api_url); }

  static bool transient(httplib::Error e) {
    return e == httplib::Error::Connection || e == httplib::Error::Read ||
           e == httplib::Error::Write || e == httplib::Error::ConnectionTimeout ||
           e == httplib::Error::SSLConnection;
  }
  static std::string describe(httplib::Error e) {
    switch (e) {
      case httplib::Error::Connection: return "the connection failed (refused, or no route)";
      case httplib::Error::ConnectionTimeout: return "the connection timed out";
      case httplib::Error::Read: return "reading the answer failed or timed out";
      case httplib::Error::Write: return "sending the request failed";
      case httplib::Error::SSLConnection: return "the TLS handshake failed";
      case httplib::Error::SSLServerVerification:
        return "the server's TLS certificate could not be verified";
      case httplib::Error::SSLLoadingCerts: return "the CA certificates could not be loaded";
      default: return httplib::to_string(e);
    }
  }
  static std::string hint_of(httplib::Error e) {
    if (e == httplib::Error::SSLServerVerification)
      return " (settings.insecure, SCW_INSECURE=true, skips the check: for test servers only)";
    return "";
  }
  std::string tries(unsigned attempt) const {
    return attempt > 1 ? " (after " + std::to_string(attempt) + " attempts)" : "";
  }

  /// Throws for the statuses no retry can change: 401 and 403 (naming the key's source), the
  /// server refusing the zone (400 on argument `zone`).
  void refuse(int status, const std::string& body, const std::string& where) const {
    if (status == 401)
      fail<remote_error>(errc::auth_refused, where,
                         "the API refused the secret key from " + s_.secret_key_source + " (401 " +
                             error_text(body) + "): check that key, or give another");
    if (status == 403)
      fail<remote_error>(errc::auth_refused, where,
                         "the secret key from " + s_.secret_key_source +
                             " may not read these security groups (403 " + error_text(body) +
                             "): check the key's permissions and the project" +
                             (s_.project_id.empty() ? std::string()
                                                    : " (" + s_.project_id + ")"));
    if (status == 400 && refuses_zone(body))
      fail<remote_error>(errc::unknown_zone, where,
                         "the API at " + host() + " does not serve this zone (400 " +
                             error_text(body) + ")");
  }

  std::chrono::milliseconds backoff(unsigned attempt) const {
    auto wait = s_.retry.base_backoff;
    for (unsigned k = 1; k < attempt && wait < s_.retry.max_backoff; ++k) wait *= 2;
    return std::min(wait, s_.retry.max_backoff);
  }

  void log(const std::string& line) const {
    if (s_.log) s_.log(clean(line));
  }

  const settings& s_;
  httplib::Client http_;
  std::string prefix_;
  httplib::Headers headers_;
};

/// Parses an answer's body as JSON with parse_json(); an answer that is not JSON, or that
/// parse_json() refuses (an object repeating a key, a number no double holds), is
/// secgroup.remote.405, the message saying why.
inline json parse_answer(const connection& c, const answer& a, const std::string& where,
                         const std::string& what) {
  try {
    return parse_json(a.body);
  } catch (const parse_error& e) {
    c.fail<remote_error>(errc::bad_response, where,
                         what + ": the answer is not JSON secgroup reads: " +
                             (e.field().empty() ? "" : e.field() + ": ") + e.message());
  }
}

/// The array under `key` of a list answer, or secgroup.remote.405.
inline json list_items(const connection& c, const answer& a, const char* key,
                       const std::string& where, const std::string& what) {
  json body = parse_answer(c, a, where, what);
  if (!body.is_object() || !body.contains(key) || !body[key].is_array())
    c.fail<remote_error>(errc::bad_response, where,
                         what + ": expected {\"" + key + "\": [...]} in the answer");
  return std::move(body[key]);
}

/// Every item of a paginated list at `path` (without query; `params` are added before page
/// and per_page), as the file comment says. `key` is the wrapper ("security_groups", "rules").
inline json read_all_pages(connection& c, const settings& s, const std::string& path,
                           std::vector<std::pair<std::string, std::string>> params,
                           const char* key, const std::string& where) {
  json all = json::array();
  std::unordered_set<std::string> seen;
  params.emplace_back("page", "");
  params.emplace_back("per_page", std::to_string(s.per_page));
  for (unsigned page = 1;; ++page) {
    if (page > s.max_pages)
      c.fail<remote_error>(errc::bad_response, where,
                           "GET " + path + " did not end after " + std::to_string(s.max_pages) +
                               " pages (settings.max_pages)");
    params[params.size() - 2].second = std::to_string(page);
    const std::string what = "GET " + path + " page " + std::to_string(page);
    const answer a = c.get(path + query(params), where);
    json items = list_items(c, a, key, where, what);
    for (auto& item : items) {
      std::string id;
      if (item.is_object() && item.contains("id") && item["id"].is_string())
        id = item["id"].get<std::string>();
      if (!id.empty() && !seen.insert(id).second)
        c.fail<remote_error>(errc::bad_response, where,
                             what + " repeats " + detail::quoted(id) +
                                 ": the list does not progress");
      all.push_back(std::move(item));
    }
    if (items.empty()) break;
    if (a.total_count) {  // a server may cap per_page lower: the count decides
      if (all.size() >= *a.total_count) break;
      continue;
    }
    if (items.size() < s.per_page) break;
  }
  return all;
}

inline std::string zone_path(const std::string& zone) {
  return "/instance/v1/zones/" + zone + "/security_groups";
}

/// Builds the group `item` (a SecurityGroup object) with its rules listed from the API,
/// reading it as group_from_json() does; errors name `where` and the group.
inline security_group read_rules_of(connection& c, const settings& s, json item,
                                    const std::string& zone, const std::string& where) {
  if (!item.is_object() || !item.contains("id") || !item["id"].is_string())
    c.fail<remote_error>(errc::bad_response, where, "a listed security group has no id");
  const std::string id = item["id"].get<std::string>();
  if (!is_uuid(id))
    c.fail<remote_error>(errc::bad_response, where,
                         "a listed security group id is not a UUID: " + detail::quoted(id));
  item["rules"] = read_all_pages(c, s, zone_path(zone) + "/" + id + "/rules", {}, "rules", where);
  return with_field_prefix(c.clean(where + ": security group " + id),
                           [&] { return group_from_json(item); });
}

/// Every group of `zone` with its rules.
inline std::vector<security_group> read_zone(connection& c, const settings& s,
                                             const std::string& zone, const std::string& where) {
  std::vector<std::pair<std::string, std::string>> params;
  if (!s.project_id.empty()) params.emplace_back("project", s.project_id);
  json items = read_all_pages(c, s, zone_path(zone), params, "security_groups", where);
  std::vector<security_group> out;
  out.reserve(items.size());
  for (auto& item : items) out.push_back(read_rules_of(c, s, std::move(item), zone, where));
  return out;
}

/// The group `id` of `zone` with its rules; lookup_error secgroup.lookup.301 when the API
/// knows no such group (404), or when it belongs to another project than settings.project_id.
inline security_group read_one(connection& c, const settings& s, const std::string& zone,
                               const std::string& id, const std::string& where) {
  const answer a = c.get(zone_path(zone) + "/" + id, where, true);
  if (a.status == 404)
    c.fail<lookup_error>(errc::not_found, where,
                         "no security group " + id + " in zone " + zone + " (404 " +
                             error_text(a.body) + ")");
  json body = parse_answer(c, a, where, "GET security group " + id);
  if (!body.is_object() || !body.contains("security_group") || !body["security_group"].is_object())
    c.fail<remote_error>(errc::bad_response, where,
                         "expected {\"security_group\": {...}} in the answer");
  json item = std::move(body["security_group"]);
  if (!s.project_id.empty() && item.value("project", std::string()) != s.project_id)
    c.fail<lookup_error>(errc::not_found, where,
                         "security group " + id + " belongs to another project than " +
                             s.project_id);
  return read_rules_of(c, s, std::move(item), zone, where);
}

}  // namespace detail::api_client
/// \endcond

namespace client {

/// Reads what `source` names with `s` (see the file comment). Throws validation_error for bad
/// settings (validate_settings()), remote_error and lookup_error as the file comment says, and
/// the errors of group_from_json() (naming the source and group) for a group the model refuses.
inline read_result read_groups(const settings& s, const api_source& source,
                               const read_options& options = {}) {
  validate_settings(s);
  namespace api = detail::api_client;
  api::connection c(s);
  read_result out;
  const auto& zones = source.zones.empty() ? every_zone(s) : source.zones;
  if (source.group_id) {
    out.groups.push_back(api::read_one(c, s, zones.front(), *source.group_id, source.text));
    out.zones.push_back(zones.front());
    return out;
  }
  for (const auto& zone : zones) {
    const std::string where = source.zones.size() == 1 ? source.text : "api:" + zone;
    try {
      auto groups = api::read_zone(c, s, zone, where);
      out.groups.insert(out.groups.end(), std::make_move_iterator(groups.begin()),
                        std::make_move_iterator(groups.end()));
      out.zones.push_back(zone);
    } catch (const remote_error& e) {
      // A refused key or an unreachable host fails every zone alike: thrown as is.
      if (e.id() == errc::auth_refused || e.id() == errc::unreachable || zones.size() == 1)
        throw;
      if (!options.allow_partial)
        c.fail<remote_error>(errc::partial_read, source.text,
                             "zone " + zone + " could not be read (" + e.what() +
                                 "); a partial read is refused, nothing is reported");
      out.missing.push_back({zone, e.id(), e.message()});
    }
  }
  if (out.zones.empty()) {
    std::string why;
    for (const auto& m : out.missing) why += (why.empty() ? "" : "; ") + m.zone + ": " + m.reason;
    c.fail<remote_error>(errc::partial_read, source.text, "no zone could be read (" + why + ")");
  }
  return out;
}

/// Reads the groups of `argument` (`api:...`, client/source.hpp) with `s`.
inline read_result read_groups(const settings& s, const std::string& argument,
                               const read_options& options = {}) {
  return read_groups(s, parse_api_source(argument), options);
}

}  // namespace client
SECGROUP_END_NAMESPACE
