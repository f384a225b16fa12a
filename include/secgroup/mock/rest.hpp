// secgroup/mock/rest.hpp: the transport-free router of the mock Instance API.
//
// router::handle() takes a request (method, path, query string, headers, body) and returns the
// response the API would send (status, headers, body), speaking the exact wire format: the
// `security_group(s)` / `rule(s)` wrappers, keys in the API's order, `null`s, 201 with an
// absolute `Location`, 204 with an empty body, `X-Total-Count` and `Link` on group lists, every
// body JSON (errors included) written Python style, every response `Content-Type:
// application/json`. It owns no socket: an HTTP front (secgroup/server/, optional) only copies
// requests in and responses out, and tests call it directly.
// Routing: a table maps a method and a path pattern (`{zone}`, `{sg}`, `{rule}` stand for one
// non-empty segment) to one handler per endpoint; the first pattern that fits the path wins
// (`security_groups/default/rules` before `security_groups/{sg}/rules`).
// Authentication: with a token table, a request must carry `X-Auth-Token` with a known token
// (else 401 denied_authentication) and reaches only the groups of that token's projects (else
// 403 permissions_denied); without one, every request is served.
// Faults (faults.hpp, router_options::faults; none by default): before anything else, the
// plan's delay, and the requests it fails are answered 429/5xx without being served.
// Order of checks: the path is valid UTF-8 once decoded (400), route (404, 405), token (401),
// zone and path ids (400), query or body (400; both valid UTF-8 too), then the store: existence
// (404), project (403), state (400, 409), a group's rule cap (400, 403). GET and DELETE bodies are
// ignored (the Python SDK sends `{}`). handle() never throws and may run on many threads at
// once: the router is immutable and the store locks.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../detail/text.hpp"
#include "../error.hpp"
#include "../io/json.hpp"
#include "errors.hpp"
#include "faults.hpp"
#include "requests.hpp"
#include "store.hpp"
#include "wire.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace mock {

/// HTTP headers in order; names compare case-insensitively.
using header_list = std::vector<std::pair<std::string, std::string>>;

/// The value of the first header named `name` (any case), or nullptr.
inline const std::string* find_header(const header_list& headers, std::string_view name) {
  for (const auto& [key, value] : headers)
    if (detail::iequals(key, name)) return &value;
  return nullptr;
}

/// A request as the router sees it.
struct request {
  std::string method;  ///< "GET", "POST", "PUT", "PATCH", "DELETE" (any case)
  /// "/instance/v1/zones/fr-par-1/security_groups", percent-encoded as received (decoded one
  /// segment at a time: `%2F` stays inside its segment); may end in "?query"
  std::string path;
  std::string query;  ///< the raw query string without '?', percent-encoded as received
  header_list headers;
  std::string body;
};

/// A response as the API sends it.
struct response {
  int status = 200;
  header_list headers;
  std::string body;  ///< JSON text, or empty (204)

  /// The value of header `name` (any case), or nullptr.
  const std::string* header(std::string_view name) const { return find_header(headers, name); }
};

/// Settings of a router, fixed at construction.
struct router_options {
  /// Prefix of `Location` headers; the API's own host by default.
  std::string base_url = "https://api.scaleway.com";
  /// token → the projects it may use; nullopt serves every request without authentication.
  std::optional<std::map<std::string, std::vector<std::string>, std::less<>>> tokens;
  /// Injected failures and delay (faults.hpp); none by default.
  fault_options faults;
};

/// Returns the token table of `specs`, each "SECRET:PROJECT_ID" (the secret is everything
/// before the last colon; a secret may repeat, one project each time; a repeated pair counts
/// once). Throws validation_error (bad_value, "<field>[i]") for a spec without a secret or
/// whose project is not a UUID; the message never quotes the spec, which holds a secret (or,
/// written backwards, holds it where the project should be). An empty list gives an empty
/// table (see router_options).
inline std::map<std::string, std::vector<std::string>, std::less<>> parse_tokens(
    const std::vector<std::string>& specs, std::string_view field) {
  std::map<std::string, std::vector<std::string>, std::less<>> table;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const auto& t = specs[i];
    const auto colon = t.rfind(':');
    const std::string where = std::string(field) + "[" + std::to_string(i) + "]";
    if (colon == std::string::npos || colon == 0)
      throw validation_error(errc::bad_value, where,
                             "expected SECRET:PROJECT_ID (a " + std::to_string(t.size()) +
                                 "-character value without a secret before a colon; not shown)");
    auto project = t.substr(colon + 1);
    if (!is_uuid(project))
      throw validation_error(errc::bad_value, where,
                             "the project after the last colon is not a UUID (value not shown)");
    auto& projects = table[t.substr(0, colon)];
    if (std::find(projects.begin(), projects.end(), project) == projects.end())
      projects.push_back(std::move(project));
  }
  return table;
}

/// Serves the Instance API's security-group endpoints over a store.
class router {
 public:
  /// A router over `s`, which must outlive it.
  explicit router(store& s, router_options options = {})
      : store_(s), options_(std::move(options)) {}

  /// The settings given at construction.
  const router_options& options() const noexcept { return options_; }

  /// Returns the API's response to `req`; never throws (a mock bug answers 500). With a fault
  /// plan, waits its delay first, and answers the requests it fails without serving them.
  response handle(const request& req) const {
    if (options_.faults.active()) {
      if (options_.faults.delay_ms)
        std::this_thread::sleep_for(std::chrono::milliseconds(options_.faults.delay_ms));
      if (auto f = fault_for(options_.faults, arrivals_.fetch_add(1, std::memory_order_relaxed)))
        return fault_response(*f);
    }
    try {
      return route(req);
    } catch (const api_error& e) {
      return error_response(e);
    } catch (const error& e) {
      return error_response(invalid_arguments_error({to_invalid_argument(e)}));
    } catch (const std::exception& e) {
      return error_response(internal_error(e.what()));
    }
  }

  /// Returns handle() of a request for `target` (a path with an optional "?query").
  response call(std::string method, std::string_view target, std::string body = {},
                header_list headers = {}) const {
    request req;
    req.method = std::move(method);
    auto mark = target.find('?');
    req.path = std::string(target.substr(0, mark));
    if (mark != std::string_view::npos) req.query = std::string(target.substr(mark + 1));
    req.headers = std::move(headers);
    req.body = std::move(body);
    return handle(req);
  }

 private:
  /// A request that found its endpoint: the path's parameters, the caller's scope, the query
  /// and the body (`{}` for GET and DELETE).
  struct routed {
    std::string zone, group_id, rule_id;  ///< "" where the path has no such segment
    scope who;
    std::vector<wire::query_param> query;
    json body;
  };

  /// One endpoint: a method, a path pattern and the member that serves it.
  struct route_entry {
    std::string_view method;
    std::string_view pattern;
    response (router::*serve)(const routed&) const;
  };

  /// The endpoints (spec §2), one handler each. Patterns of one path are listed together, their
  /// methods in the order of the `Allow` header.
  static const auto& routes() {
    static constexpr std::string_view groups_path = "/instance/v1/zones/{zone}/security_groups";
    static constexpr std::string_view group_path = "/instance/v1/zones/{zone}/security_groups/{sg}";
    static constexpr std::string_view default_rules_path =
        "/instance/v1/zones/{zone}/security_groups/default/rules";
    static constexpr std::string_view rules_path =
        "/instance/v1/zones/{zone}/security_groups/{sg}/rules";
    static constexpr std::string_view rule_path =
        "/instance/v1/zones/{zone}/security_groups/{sg}/rules/{rule}";
    static constexpr route_entry table[] = {
        {"GET", groups_path, &router::list_groups},
        {"POST", groups_path, &router::create_group},
        {"GET", group_path, &router::get_group},
        {"PUT", group_path, &router::replace_group},
        {"PATCH", group_path, &router::update_group},
        {"DELETE", group_path, &router::delete_group},
        {"GET", default_rules_path, &router::list_default_rules},
        {"GET", rules_path, &router::list_rules},
        {"PUT", rules_path, &router::set_rules},
        {"POST", rules_path, &router::create_rule},
        {"GET", rule_path, &router::get_rule},
        {"PUT", rule_path, &router::replace_rule},
        {"PATCH", rule_path, &router::update_rule},
        {"DELETE", rule_path, &router::delete_rule},
    };
    return table;
  }

  /// True iff `path` (percent-encoded) has the segments of `pattern`, where `{zone}`, `{sg}`
  /// and `{rule}` each stand for one non-empty segment, copied decoded into `out`. Segments are
  /// split before decoding: `%2F` never separates two.
  static bool matches(std::string_view pattern, std::string_view path, routed& out) {
    if (!path.starts_with('/')) return false;
    for (;;) {
      pattern.remove_prefix(1);  // both start with '/'
      path.remove_prefix(1);
      auto pattern_end = pattern.find('/'), path_end = path.find('/');
      auto want = pattern.substr(0, pattern_end);
      const std::string have = wire::decode_segment(path.substr(0, path_end));
      if (!want.starts_with('{')) {
        if (want != have) return false;
      } else if (have.empty()) {
        return false;
      } else {
        (want == "{zone}" ? out.zone : want == "{sg}" ? out.group_id : out.rule_id) = have;
      }
      if (pattern_end == std::string_view::npos || path_end == std::string_view::npos)
        return pattern_end == path_end;
      pattern.remove_prefix(pattern_end);
      path.remove_prefix(path_end);
    }
  }

  response route(const request& req) const {
    const std::string method = upper(req.method);
    std::string_view path = req.path, query = req.query;
    if (auto mark = path.find('?'); mark != std::string_view::npos) {
      if (query.empty()) query = path.substr(mark + 1);
      path = path.substr(0, mark);
    }
    for (std::string_view rest = path; !rest.empty();) {
      const auto slash = rest.find('/');
      if (!wire::valid_utf8(wire::decode_segment(rest.substr(0, slash))))
        SECGROUP_THROW(invalid_argument_error("path", reason::format,
                                              "the path is not valid UTF-8 once decoded"));
      rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    }
    routed matched;
    const route_entry* found = nullptr;
    for (const auto& r : routes()) {
      routed attempt;
      if (!matches(r.pattern, path, attempt)) continue;
      matched = std::move(attempt);
      found = &r;
      break;
    }
    if (!found) SECGROUP_THROW(route_not_found_error(method, std::string(path)));
    const route_entry* endpoint = nullptr;
    std::string allowed;
    for (const auto& r : routes()) {
      if (r.pattern != found->pattern) continue;
      allowed += (allowed.empty() ? "" : ", ") + std::string(r.method);
      if (r.method == method) endpoint = &r;
    }
    if (!endpoint) {
      auto out = error_response(method_not_allowed_error(method, std::string(path)));
      out.headers.emplace_back("Allow", allowed);
      return out;
    }

    matched.who = authenticate(req);
    if (matched.group_id.empty())
      store_.check_zone(matched.zone);
    else
      store_.check_path(matched.zone, matched.group_id,
                        matched.rule_id.empty() ? nullptr : &matched.rule_id);
    matched.query = wire::parse_query(query);
    const bool has_body = method == "POST" || method == "PUT" || method == "PATCH";
    matched.body = has_body ? wire::parse_body(req.body) : json::object();
    return (this->*endpoint->serve)(matched);
  }

  // -- Security groups ---------------------------------------------------------------------

  response list_groups(const routed& c) const {
    auto filter =
        checked([&](argument_errors& errs) { return wire::read_group_filter(c.query, errs); });
    auto page = store_.list_groups(c.zone, filter, c.who);
    json list = json::array();
    for (const auto& g : page.security_groups) list.push_back(group_to_json(g));
    auto out = json_response(200, wrap("security_groups", std::move(list)));
    out.headers.emplace_back("X-Total-Count", std::to_string(page.total_count));
    out.headers.emplace_back("Link", link_header(page, c.query));
    return out;
  }

  response create_group(const routed& c) const {
    auto spec =
        checked([&](argument_errors& errs) { return wire::read_group_spec(c.body, true, errs); });
    auto g = store_.create_group(c.zone, spec, c.who);
    return created(wrap("security_group", group_to_json(g)), location(c.zone, g.id));
  }

  response get_group(const routed& c) const {
    return group_response(store_.get_group(c.zone, c.group_id, c.who));
  }

  response replace_group(const routed& c) const {
    auto spec =
        checked([&](argument_errors& errs) { return wire::read_group_spec(c.body, false, errs); });
    return group_response(store_.replace_group(c.zone, c.group_id, spec, c.who));
  }

  response update_group(const routed& c) const {
    auto patch =
        checked([&](argument_errors& errs) { return wire::read_group_patch(c.body, errs); });
    return group_response(store_.update_group(c.zone, c.group_id, patch, c.who));
  }

  response delete_group(const routed& c) const {
    store_.delete_group(c.zone, c.group_id, c.who);
    return no_content();
  }

  // -- Rules -------------------------------------------------------------------------------

  response list_default_rules(const routed& c) const {
    auto page = rule_page(c.query);
    return rule_list(store_.list_default_rules(c.zone, page.page, page.per_page));
  }

  response list_rules(const routed& c) const {
    auto page = rule_page(c.query);
    return rule_list(store_.list_rules(c.zone, c.group_id, page.page, page.per_page, c.who));
  }

  response set_rules(const routed& c) const {
    // The cap first, from the ids alone: a body of 100,000 rules is refused before they are read.
    namespace jio = secgroup::detail::json_io;
    if (const auto* list = jio::find(c.body, "rules"); list && list->is_array()) {
      std::size_t user_rules = 0;
      for (const auto& r : *list) {
        const auto* id = r.is_object() ? jio::find(r, "id") : nullptr;
        if (!(id && id->is_string() && is_default_rule_id(id->get_ref<const std::string&>())))
          ++user_rules;
      }
      if (user_rules > store_.max_rules_per_group())
        SECGROUP_THROW(quotas_exceeded_error(resource::security_group_rule,
                                             store_.max_rules_per_group(), user_rules, "rules"));
    }
    auto rules = checked([&](argument_errors& errs) { return wire::read_rule_list(c.body, errs); });
    return rule_list(store_.set_rules(c.zone, c.group_id, rules, c.who));
  }

  response create_rule(const routed& c) const {
    auto r = checked([&](argument_errors& errs) { return wire::read_rule(c.body, "", errs); });
    auto made = store_.create_rule(c.zone, c.group_id, r, c.who);
    return created(wrap("rule", rule_to_json(made)), location(c.zone, c.group_id, made.id));
  }

  response get_rule(const routed& c) const {
    return rule_response(store_.get_rule(c.zone, c.group_id, c.rule_id, c.who));
  }

  response replace_rule(const routed& c) const {
    auto r = checked([&](argument_errors& errs) { return wire::read_rule(c.body, "", errs); });
    return rule_response(store_.replace_rule(c.zone, c.group_id, c.rule_id, r, c.who));
  }

  response update_rule(const routed& c) const {
    auto patch =
        checked([&](argument_errors& errs) { return wire::read_rule_patch(c.body, errs); });
    return rule_response(store_.update_rule(c.zone, c.group_id, c.rule_id, patch, c.who));
  }

  response delete_rule(const routed& c) const {
    store_.delete_rule(c.zone, c.group_id, c.rule_id, c.who);
    return no_content();
  }

  // -- Helpers -----------------------------------------------------------------------------

  static std::string upper(std::string s) {
    for (auto& c : s)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return s;
  }

  /// The scope of the request's token; throws 401 when a token table is set and the request
  /// carries no known token.
  scope authenticate(const request& req) const {
    if (!options_.tokens) return {};
    const std::string* token = find_header(req.headers, "X-Auth-Token");
    if (!token || token->empty())
      SECGROUP_THROW(denied_authentication_error("unknown_method", "invalid_argument"));
    auto it = options_.tokens->find(*token);
    if (it == options_.tokens->end())
      SECGROUP_THROW(denied_authentication_error("api_key", "not_found"));
    return scope{it->second};
  }

  /// Returns `read(errs)`, a request read from the wire, after throwing every invalid argument
  /// it recorded (400).
  template <class Read>
  static std::invoke_result_t<Read&, argument_errors&> checked(Read&& read) {
    argument_errors errs;
    auto out = read(errs);
    errs.raise_if_any();
    return out;
  }

  /// The page of a rule list: `page` (default 1) and `per_page` (default 100), checked (400).
  struct page_request {
    std::int64_t page = 1;
    std::int64_t per_page = default_rules_per_page;
  };
  static page_request rule_page(const std::vector<wire::query_param>& query) {
    page_request out;
    argument_errors errs;
    wire::read_integer(query, "page", out.page, errs);
    wire::read_integer(query, "per_page", out.per_page, errs);
    validate_page(out.page, out.per_page, errs);
    errs.raise_if_any();
    return out;
  }

  static response json_response(int status, const json& body) {
    return {status, {{"Content-Type", "application/json"}}, wire::dump(body)};
  }
  static response error_response(const api_error& e) { return json_response(e.status(), e.body()); }

  /// The answer of an injected failure: `{"type", "message"}` (types guessed: the API's 429 and
  /// 5xx bodies are not recorded), with `Retry-After` when the plan sets one.
  static response fault_response(const fault& f) {
    const char* type = f.status == 429   ? "too_many_requests"
                       : f.status == 502 ? "bad_gateway"
                       : f.status == 503 ? "service_unavailable"
                       : f.status == 504 ? "gateway_timeout"
                                         : "internal_error";
    auto out = json_response(
        f.status, detail::mock_errors::message_body(
                      type, "injected failure (secgroup serve --fault-rate): retry the request"));
    if (f.retry_after) out.headers.emplace_back("Retry-After", std::to_string(*f.retry_after));
    return out;
  }
  /// 201 with `body` and an absolute `Location`.
  static response created(const json& body, std::string url) {
    auto out = json_response(201, body);
    out.headers.emplace_back("Location", std::move(url));
    return out;
  }
  /// 204: no body, still `Content-Type: application/json` as the API sends it.
  static response no_content() { return {204, {{"Content-Type", "application/json"}}, {}}; }

  static json wrap(const char* key, json value) {
    json out = json::object();
    out[key] = std::move(value);
    return out;
  }
  static response group_response(const security_group& g) {
    return json_response(200, wrap("security_group", group_to_json(g)));
  }
  static response rule_response(const rule& r) {
    return json_response(200, wrap("rule", rule_to_json(r)));
  }
  static response rule_list(const std::vector<rule>& rules) {
    json list = json::array();
    for (const auto& r : rules) list.push_back(rule_to_json(r));
    return json_response(200, wrap("rules", std::move(list)));
  }

  std::string location(const std::string& zone, const std::string& group_id,
                       const std::string& rule_id = {}) const {
    auto url = options_.base_url + "/instance/v1/zones/" + zone + "/security_groups/" + group_id;
    return rule_id.empty() ? url : url + "/rules/" + rule_id;
  }

  /// `Link` of a group list: `</security_groups?page=N&per_page=M&filters...>; rel="next"`
  /// (when there is a next page), then the same for rel="last". Filters are echoed as received.
  static std::string link_header(const group_page& page, const std::vector<wire::query_param>& q) {
    std::string echo;
    for (const auto& p : q)
      if (p.key != "page" && p.key != "per_page") echo += "&" + p.raw;
    auto target = [&](std::int64_t n) {
      return "</security_groups?page=" + std::to_string(n) +
             "&per_page=" + std::to_string(page.per_page) + echo + ">";
    };
    std::string out;
    if (page.page < page.last_page) out = target(page.page + 1) + "; rel=\"next\", ";
    return out + target(page.last_page) + "; rel=\"last\"";
  }

  store& store_;
  const router_options options_;
  mutable std::atomic<std::uint64_t> arrivals_{0};  ///< requests seen, numbering the fault plan's
};

}  // namespace mock
SECGROUP_END_NAMESPACE
