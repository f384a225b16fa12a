// secgroup/mock/rest.hpp: the transport-free router of the mock Instance API.
//
// router::handle() takes a request (method, path, query string, headers, body) and returns the
// response the API would send (status, headers, body), speaking the exact wire format: the
// `security_group(s)` / `rule(s)` wrappers, keys in the API's order, `null`s, 201 with an
// absolute `Location`, 204 with an empty body, `X-Total-Count` and `Link` on group lists, every
// body JSON (errors included) written Python style, every response `Content-Type:
// application/json`. It owns no socket: an HTTP front (secgroup/server/, optional) only copies
// requests in and responses out, and tests call it directly.
// Authentication: with a token table, a request must carry `X-Auth-Token` with a known token
// (else 401 denied_authentication) and reaches only the groups of that token's projects (else
// 403 permissions_denied); without one, every request is served.
// Order of checks: route (404, 405), token (401), zone and path ids (400), query or body (400),
// then the store: existence (404), project (403), state (400, 409). GET and DELETE bodies are
// ignored (the Python SDK sends `{}`). handle() never throws and may run on many threads at
// once: the router is immutable and the store locks.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../detail/text.hpp"
#include "../error.hpp"
#include "../io/json.hpp"
#include "errors.hpp"
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
  std::string path;    ///< "/instance/v1/zones/fr-par-1/security_groups"; may end in "?query"
  std::string query;   ///< the raw query string without '?', percent-encoded as received
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
};

/// Serves the Instance API's security-group endpoints over a store.
class router {
 public:
  /// A router over `s`, which must outlive it.
  explicit router(store& s, router_options options = {})
      : store_(s), options_(std::move(options)) {}

  /// The settings given at construction.
  const router_options& options() const noexcept { return options_; }

  /// Returns the API's response to `req`; never throws (a mock bug answers 500).
  response handle(const request& req) const {
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
  enum class endpoint { groups, group, default_rules, rules, rule };

  static std::string upper(std::string s) {
    for (auto& c : s)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return s;
  }

  static response json_response(int status, const json& body) {
    return {status, {{"Content-Type", "application/json"}}, wire::dump(body)};
  }

  static response error_response(const api_error& e) { return json_response(e.status(), e.body()); }

  static json wrap(const char* key, json value) {
    json out = json::object();
    out[key] = std::move(value);
    return out;
  }

  static json rule_list(const std::vector<rule>& rules) {
    json list = json::array();
    for (const auto& r : rules) list.push_back(rule_to_json(r));
    return wrap("rules", std::move(list));
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

  response route(const request& req) const {
    const std::string method = upper(req.method);
    std::string_view path = req.path, query = req.query;
    if (auto mark = path.find('?'); mark != std::string_view::npos) {
      if (query.empty()) query = path.substr(mark + 1);
      path = path.substr(0, mark);
    }
    std::vector<std::string> seg;
    for (std::string_view rest = path.empty() ? path : path.substr(1); ;) {
      auto slash = rest.find('/');
      seg.emplace_back(rest.substr(0, slash));
      if (slash == std::string_view::npos) break;
      rest = rest.substr(slash + 1);
    }
    const std::string where(path);
    bool shaped = path.starts_with('/') && seg.size() >= 5 && seg.size() <= 8 &&
                  seg[0] == "instance" && seg[1] == "v1" && seg[2] == "zones" &&
                  seg[4] == "security_groups" && (seg.size() < 7 || seg[6] == "rules");
    for (const auto& s : seg) shaped = shaped && !s.empty();
    if (!shaped) SECGROUP_THROW(route_not_found_error(method, where));
    endpoint ep = seg.size() == 5   ? endpoint::groups
                  : seg.size() == 6 ? endpoint::group
                  : seg.size() == 8 ? endpoint::rule
                  : seg[5] == "default" ? endpoint::default_rules
                                        : endpoint::rules;
    const char* allowed = ep == endpoint::groups          ? "GET, POST"
                          : ep == endpoint::default_rules ? "GET"
                          : ep == endpoint::rules         ? "GET, PUT, POST"
                                                          : "GET, PUT, PATCH, DELETE";
    bool known = false;
    for (std::string_view rest = allowed; !rest.empty();) {
      auto comma = rest.find(", ");
      known = known || rest.substr(0, comma) == method;
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 2);
    }
    if (!known) {
      auto out = error_response(method_not_allowed_error(method, where));
      out.headers.emplace_back("Allow", allowed);
      return out;
    }

    const scope who = authenticate(req);
    const std::string& zone = seg[3];
    const std::string group_id = seg.size() > 5 ? seg[5] : std::string();
    const std::string rule_id = seg.size() > 7 ? seg[7] : std::string();
    if (ep == endpoint::groups || ep == endpoint::default_rules)
      store_.check_zone(zone);
    else
      store_.check_path(zone, group_id, ep == endpoint::rule ? &rule_id : nullptr);
    const auto params = wire::parse_query(query);
    const bool has_body = method == "POST" || method == "PUT" || method == "PATCH";
    const json body = has_body ? wire::parse_body(req.body) : json::object();
    argument_errors errs;

    switch (ep) {
      case endpoint::groups: {
        if (method == "GET") {
          auto filter = wire::read_group_filter(params, errs);
          errs.raise_if_any();
          auto page = store_.list_groups(zone, filter, who);
          json list = json::array();
          for (const auto& g : page.security_groups) list.push_back(group_to_json(g));
          auto out = json_response(200, wrap("security_groups", std::move(list)));
          out.headers.emplace_back("X-Total-Count", std::to_string(page.total_count));
          out.headers.emplace_back("Link", link_header(page, params));
          return out;
        }
        auto spec = wire::read_group_spec(body, true, errs);
        errs.raise_if_any();
        auto g = store_.create_group(zone, spec, who);
        auto out = json_response(201, wrap("security_group", group_to_json(g)));
        out.headers.emplace_back("Location", location(zone, g.id));
        return out;
      }
      case endpoint::group: {
        if (method == "GET")
          return json_response(
              200, wrap("security_group", group_to_json(store_.get_group(zone, group_id, who))));
        if (method == "DELETE") {
          store_.delete_group(zone, group_id, who);
          return {204, {{"Content-Type", "application/json"}}, {}};
        }
        security_group g;
        if (method == "PUT") {
          auto spec = wire::read_group_spec(body, false, errs);
          errs.raise_if_any();
          g = store_.replace_group(zone, group_id, spec, who);
        } else {
          auto patch = wire::read_group_patch(body, errs);
          errs.raise_if_any();
          g = store_.update_group(zone, group_id, patch, who);
        }
        return json_response(200, wrap("security_group", group_to_json(g)));
      }
      case endpoint::default_rules:
      case endpoint::rules: {
        if (method == "GET") {
          std::int64_t page = 1, per_page = default_rules_per_page;
          wire::read_integer(params, "page", page, errs);
          wire::read_integer(params, "per_page", per_page, errs);
          validate_page(page, per_page, errs);
          errs.raise_if_any();
          return json_response(200, rule_list(ep == endpoint::default_rules
                                                  ? store_.list_default_rules(zone, page, per_page)
                                                  : store_.list_rules(zone, group_id, page,
                                                                      per_page, who)));
        }
        if (method == "PUT") {
          auto rules = wire::read_rule_list(body, errs);
          errs.raise_if_any();
          return json_response(200, rule_list(store_.set_rules(zone, group_id, rules, who)));
        }
        auto r = wire::read_rule(body, "", errs);
        errs.raise_if_any();
        auto created = store_.create_rule(zone, group_id, r, who);
        auto out = json_response(201, wrap("rule", rule_to_json(created)));
        out.headers.emplace_back("Location", location(zone, group_id, created.id));
        return out;
      }
      case endpoint::rule: {
        if (method == "GET")
          return json_response(
              200, wrap("rule", rule_to_json(store_.get_rule(zone, group_id, rule_id, who))));
        if (method == "DELETE") {
          store_.delete_rule(zone, group_id, rule_id, who);
          return {204, {{"Content-Type", "application/json"}}, {}};
        }
        rule r;
        if (method == "PUT") {
          auto body_rule = wire::read_rule(body, "", errs);
          errs.raise_if_any();
          r = store_.replace_rule(zone, group_id, rule_id, body_rule, who);
        } else {
          auto patch = wire::read_rule_patch(body, errs);
          errs.raise_if_any();
          r = store_.update_rule(zone, group_id, rule_id, patch, who);
        }
        return json_response(200, wrap("rule", rule_to_json(r)));
      }
    }
    SECGROUP_THROW(internal_error("unhandled endpoint"));
  }

  store& store_;
  const router_options options_;
};

}  // namespace mock
SECGROUP_END_NAMESPACE
