// secgroup/mock/errors.hpp: the Instance API's error shapes, as data and as one exception type.
//
// The mock reports every failed call the way the API does: an HTTP status and a JSON body whose
// `type` selects the shape (`invalid_arguments`, `not_found`, `conflict`, `denied_authentication`,
// `permissions_denied`; spec §9). api_error carries both, so the typed store API throws it and
// the transport-free router (mock/rest.hpp) turns it into a response without translation.
// api_error is a secgroup::error: its id is a stable id (the `secgroup.mock.4xx` ids below, or
// secgroup.lookup.301 for a 404) and its field names the first offending argument.
// argument_errors collects invalid_arguments details, so one 400 names every invalid field.
// Key orders follow the recorded bodies: `type, message, resource, resource_id` for not_found,
// `type, message, details` for invalid_arguments, `message, type` for conflict; the shapes the
// recordings do not show (401, 403) use the alphabetical order of Scaleway's newer services.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../detail/text.hpp"
#include "../error.hpp"
#include "../io/json.hpp"

SECGROUP_BEGIN_NAMESPACE

// -- Stable error ids of the mock API (see docs/mock-api.md) -------------------------------
// The number is the HTTP status; a 404 uses secgroup.lookup.301 (errc::not_found).
namespace errc {
inline constexpr const char* invalid_arguments = "secgroup.mock.400";
inline constexpr const char* denied_authentication = "secgroup.mock.401";
inline constexpr const char* permissions_denied = "secgroup.mock.403";
inline constexpr const char* method_not_allowed = "secgroup.mock.405";
inline constexpr const char* conflict = "secgroup.mock.409";
inline constexpr const char* internal = "secgroup.mock.500";
}  // namespace errc

/// \cond
namespace detail::mock_errors {

/// `{"type": type, "message": message}`: the body of an error that carries nothing else.
inline json message_body(std::string_view type, const std::string& message) {
  json body = json::object();
  body["type"] = std::string(type);
  body["message"] = message;
  return body;
}

}  // namespace detail::mock_errors
/// \endcond

namespace mock {

/// Values of invalid_argument::reason, as the Go SDK decodes them.
namespace reason {
inline constexpr const char* unknown = "unknown";
inline constexpr const char* required = "required";
inline constexpr const char* format = "format";
inline constexpr const char* constraint = "constraint";
}  // namespace reason

/// Resource names used in not_found and permissions_denied bodies.
namespace resource {
inline constexpr const char* security_group = "instance_security_group";
inline constexpr const char* security_group_rule = "instance_security_group_rule";
}  // namespace resource

/// One entry of an invalid_arguments body's `details`.
struct invalid_argument {
  std::string argument_name;  ///< "rules[2].ip_range", "per_page", "security_group_id"
  std::string reason;         ///< one of mock::reason
  std::string help_message;

  friend bool operator==(const invalid_argument&, const invalid_argument&) = default;
};

/// Returns the detail for secgroup error `e`: its field under `prefix`, reason `required` for a
/// missing field, `format` for other parse errors, `constraint` for bad enum values and
/// validation errors.
inline invalid_argument to_invalid_argument(const error& e, const std::string& prefix = "") {
  std::string name = prefix;
  if (!e.field().empty())
    name += (name.empty() || e.field().front() == '[' ? "" : ".") + e.field();
  const char* why = reason::format;
  if (e.id() == errc::missing_field)
    why = reason::required;
  else if (e.id() == errc::bad_enum || dynamic_cast<const validation_error*>(&e) != nullptr)
    why = reason::constraint;
  return {name, why, e.message()};
}

/// A failed API call: the HTTP status and the JSON body the API would answer.
class api_error : public error {
 public:
  api_error(int status, std::string id, std::string field, const std::string& message, json body)
      : error(std::move(id), std::move(field), message), status_(status), body_(std::move(body)) {}

  /// The HTTP status, e.g. 404.
  int status() const noexcept { return status_; }
  /// The response body, keys in the API's order.
  const json& body() const noexcept { return body_; }
  /// The body's `type`, e.g. "not_found".
  std::string type() const { return body_.value("type", std::string()); }

 private:
  int status_;
  json body_;
};

// -- The shapes ----------------------------------------------------------------------------

/// 404 `{"type": "not_found", "message": "resource is not found", "resource": ...,
/// "resource_id": ...}`; `field` names the path parameter that designated it.
inline api_error not_found_error(std::string_view resource_name, const std::string& resource_id,
                                 const std::string& field) {
  json body = detail::mock_errors::message_body("not_found", "resource is not found");
  body["resource"] = std::string(resource_name);
  body["resource_id"] = resource_id;
  return {404, errc::not_found, field,
          std::string(resource_name) + " " + detail::quoted(resource_id) + " is not found",
          std::move(body)};
}

/// 400 `{"type": "invalid_arguments", "message": "invalid argument(s)", "details": [...]}`.
inline api_error invalid_arguments_error(const std::vector<invalid_argument>& details) {
  json list = json::array();
  for (const auto& d : details) {
    json item = json::object();
    item["argument_name"] = d.argument_name;
    item["reason"] = d.reason;
    item["help_message"] = d.help_message;
    list.push_back(std::move(item));
  }
  json body = detail::mock_errors::message_body("invalid_arguments", "invalid argument(s)");
  body["details"] = std::move(list);
  std::string message = details.empty() ? "invalid argument(s)" : details.front().help_message;
  if (details.size() > 1)
    message += " (and " + std::to_string(details.size() - 1) + " more invalid argument(s))";
  return {400, errc::invalid_arguments, details.empty() ? "" : details.front().argument_name,
          message, std::move(body)};
}

/// 400 invalid_arguments with the one detail given.
inline api_error invalid_argument_error(std::string argument_name, std::string why,
                                        std::string help_message) {
  return invalid_arguments_error(
      {{std::move(argument_name), std::move(why), std::move(help_message)}});
}

/// 409 `{"message": ..., "type": "conflict"}` (the shape of "Group is in use").
inline api_error conflict_error(const std::string& message, const std::string& field = "") {
  json body = json::object();
  body["message"] = message;
  body["type"] = "conflict";
  return {409, errc::conflict, field, message, std::move(body)};
}

/// 401 `{"message": "authentication is denied", "method": ..., "reason": ..., "type":
/// "denied_authentication"}`; `method` is "api_key" or "unknown_method", `why` one of
/// "unknown_reason", "invalid_argument", "not_found", "expired".
inline api_error denied_authentication_error(std::string_view method, std::string_view why) {
  json body = json::object();
  body["message"] = "authentication is denied";
  body["method"] = std::string(method);
  body["reason"] = std::string(why);
  body["type"] = "denied_authentication";
  return {401, errc::denied_authentication, "X-Auth-Token",
          "authentication is denied (" + std::string(why) + ")", std::move(body)};
}

/// 403 `{"details": [{"action": ..., "resource": ...}], "message": "insufficient permissions",
/// "type": "permissions_denied"}`; `action` is "read" or "write".
inline api_error permissions_denied_error(std::string_view resource_name, std::string_view action,
                                          const std::string& field = "") {
  json item = json::object();
  item["action"] = std::string(action);
  item["resource"] = std::string(resource_name);
  json body = json::object();
  body["details"] = json::array({std::move(item)});
  body["message"] = "insufficient permissions";
  body["type"] = "permissions_denied";
  return {403, errc::permissions_denied, field,
          "insufficient permissions to " + std::string(action) + " " + std::string(resource_name),
          std::move(body)};
}

/// 403 `{"details": [{"current": ..., "quota": ..., "resource": ...}], "message": "quota(s)
/// exceeded for this resource", "type": "quotas_exceeded"}` (spec §9.2): `quota` is the limit
/// and `current` the usage the refusal is about, as the Go SDK prints it ("has reached its quota
/// (current/quota)"): for a rule added to a full group, the rules it holds (never more than
/// `quota`); for a set-rules call, the user rules of its body.
inline api_error quotas_exceeded_error(std::string_view resource_name, std::uint64_t quota,
                                       std::uint64_t current, const std::string& field = "") {
  json item = json::object();
  item["current"] = current;
  item["quota"] = quota;
  item["resource"] = std::string(resource_name);
  json body = json::object();
  body["details"] = json::array({std::move(item)});
  body["message"] = "quota(s) exceeded for this resource";
  body["type"] = "quotas_exceeded";
  return {403, errc::permissions_denied, field,
          "quota exceeded: " + std::to_string(current) + " " + std::string(resource_name) +
              " where at most " + std::to_string(quota) + " are allowed",
          std::move(body)};
}

/// 404 `{"type": "not_found", "message": "no such endpoint: GET /x"}` for a path no endpoint
/// serves.
inline api_error route_not_found_error(const std::string& method, const std::string& path) {
  std::string message = "no such endpoint: " + method + " " + path;
  return {404, errc::not_found, "path", message,
          detail::mock_errors::message_body("not_found", message)};
}

/// 405 `{"type": "method_not_allowed", "message": ...}` for a known path and another method.
inline api_error method_not_allowed_error(const std::string& method, const std::string& path) {
  std::string message = "method " + method + " is not allowed on " + path;
  return {405, errc::method_not_allowed, "method", message,
          detail::mock_errors::message_body("method_not_allowed", message)};
}

/// 500 `{"type": "internal_error", "message": ...}`: a bug in the mock, never an input error.
inline api_error internal_error(const std::string& message) {
  return {500, errc::internal, "", message,
          detail::mock_errors::message_body("internal_error", message)};
}

// -- Collecting invalid arguments ----------------------------------------------------------

/// The invalid_arguments details of one call, one per argument name (the first report wins).
class argument_errors {
 public:
  /// Records a detail unless `argument_name` already has one.
  void add(std::string argument_name, std::string why, std::string help_message) {
    add(invalid_argument{std::move(argument_name), std::move(why), std::move(help_message)});
  }
  /// Records `d` unless its argument already has a detail.
  void add(invalid_argument d) {
    for (const auto& have : details_)
      if (have.argument_name == d.argument_name) return;
    details_.push_back(std::move(d));
  }

  /// Runs `fn` and returns its result; on a secgroup::error records it (field under `prefix`)
  /// and returns nullopt.
  template <class Fn>
  auto attempt(const std::string& prefix, Fn&& fn) -> std::optional<std::invoke_result_t<Fn>> {
    try {
      return std::forward<Fn>(fn)();
    } catch (const error& e) {
      add(to_invalid_argument(e, prefix));
      return std::nullopt;
    }
  }

  /// True iff no detail was recorded.
  bool empty() const noexcept { return details_.empty(); }
  /// The details, in the order reported.
  const std::vector<invalid_argument>& details() const noexcept { return details_; }
  /// Throws invalid_arguments_error with every detail, if there is any.
  void raise_if_any() const {
    if (!details_.empty()) SECGROUP_THROW(invalid_arguments_error(details_));
  }

 private:
  std::vector<invalid_argument> details_;
};

}  // namespace mock
SECGROUP_END_NAMESPACE
