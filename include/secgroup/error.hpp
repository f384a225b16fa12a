// secgroup/error.hpp: the exceptions the library throws, by kind.
//
// Every error carries a stable id (`secgroup.parse.102`) and, where input is at fault, the
// field it names (`rules[2].ip_range`, `packets:7`). what() reads
// "[secgroup.parse.102] rules[2].ip_range: invalid CIDR '10.0.0.0/33': prefix length above 32".
// Ids are listed in docs/errors.md and never reused. Expected outcomes (a packet is dropped, a
// mock call returns 404) are data, not exceptions.
// Field and message are kept to one line of printable text: control characters, invalid UTF-8
// and the other characters detail::escaped() names are escaped (backslashes are kept, so values
// already quoted() are not escaped twice), whatever text from input they hold.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

#include "config.hpp"
#include "detail/text.hpp"

SECGROUP_BEGIN_NAMESPACE

/// Base of every exception thrown by secgroup.
class error : public std::runtime_error {
 public:
  error(std::string id, std::string field, const std::string& message)
      : std::runtime_error(format(id, detail::escaped(field, detail::backslash::keep),
                                  detail::escaped(message, detail::backslash::keep))),
        id_(std::move(id)),
        field_(detail::escaped(field, detail::backslash::keep)),
        message_(detail::escaped(message, detail::backslash::keep)) {}

  /// The stable id, e.g. "secgroup.parse.102".
  const std::string& id() const noexcept { return id_; }
  /// The input field at fault ("rules[2].ip_range"), or "" when none applies.
  const std::string& field() const noexcept { return field_; }
  /// The message without id and field.
  const std::string& message() const noexcept { return message_; }

 private:
  static std::string format(const std::string& id, const std::string& field,
                            const std::string& message) {
    return "[" + id + "] " + (field.empty() ? "" : field + ": ") + message;
  }
  std::string id_, field_, message_;
};

/// Malformed input text: an address, a CIDR, a number, an enum value, JSON syntax or type.
class parse_error : public error {
 public:
  using error::error;
};

/// Well-formed input with a value the model does not allow (port 70000, from > to).
class validation_error : public error {
 public:
  using error::error;
};

/// A name or id that designates nothing (`--group web` when no such group exists).
class lookup_error : public error {
 public:
  using error::error;
};

/// A remote source (the Instance API, secgroup::client) refused or failed a read: credentials
/// refused, host unreachable, retries exhausted, an answer not understood, a zone missing.
/// Its messages never hold the secret key (client/redact.hpp).
class remote_error : public error {
 public:
  using error::error;
};

// -- Stable error ids ---------------------------------------------------------------------
namespace errc {
inline constexpr const char* bad_address = "secgroup.parse.101";
inline constexpr const char* bad_cidr = "secgroup.parse.102";
inline constexpr const char* bad_enum = "secgroup.parse.103";
inline constexpr const char* bad_json = "secgroup.parse.104";
inline constexpr const char* wrong_type = "secgroup.parse.105";
inline constexpr const char* missing_field = "secgroup.parse.106";
inline constexpr const char* bad_number = "secgroup.parse.107";
inline constexpr const char* bad_packet = "secgroup.parse.108";
inline constexpr const char* bad_file = "secgroup.parse.109";
inline constexpr const char* bad_where = "secgroup.parse.110";  ///< a malformed where expression
inline constexpr const char* not_terraform = "secgroup.parse.111";  ///< no Terraform JSON form
inline constexpr const char* unsupported_version = "secgroup.parse.112";  ///< format/state version
inline constexpr const char* bad_resource = "secgroup.parse.113";  ///< a resource of unknown shape
inline constexpr const char* too_large = "secgroup.parse.114";  ///< an input beyond its size limit
inline constexpr const char* bad_yaml = "secgroup.parse.115";  ///< YAML syntax (secgroup::yaml)
inline constexpr const char* port_out_of_range = "secgroup.validation.201";
inline constexpr const char* port_order = "secgroup.validation.202";
inline constexpr const char* bad_value = "secgroup.validation.203";
/// A field the model does not represent has a value (a non-null `dest_ip_range`).
inline constexpr const char* unsupported = "secgroup.validation.204";
/// A rule claims to be a default SMTP rule (by its id or `editable: false`) and is not it.
inline constexpr const char* not_default_rule = "secgroup.validation.205";
/// Two rules of a group, or two groups of a document, share an id.
inline constexpr const char* duplicate_id = "secgroup.validation.206";
/// A Scaleway credential or endpoint setting fails the official clients' checks (an access key
/// not `SCW` + 17 characters, a secret key or project id not a UUID, an unknown zone).
inline constexpr const char* bad_credential = "secgroup.validation.207";
inline constexpr const char* not_found = "secgroup.lookup.301";
inline constexpr const char* ambiguous = "secgroup.lookup.302";
// The Instance API as a source (secgroup::client): remote_error, except unknown_zone.
/// The API refused the secret key (401) or its permissions (403); names the key's source.
inline constexpr const char* auth_refused = "secgroup.remote.401";
/// A zone that is not an Instance zone (validation_error, before any request; or the server's
/// own refusal of the zone).
inline constexpr const char* unknown_zone = "secgroup.remote.402";
/// The host cannot be reached: DNS, connection refused, TLS handshake or verification, timeout.
inline constexpr const char* unreachable = "secgroup.remote.403";
/// The API answered an error status (429 and 5xx after the retries, or any other).
inline constexpr const char* remote_status = "secgroup.remote.404";
/// The API's answer is not what the Instance API sends (bad JSON, pagination not progressing).
inline constexpr const char* bad_response = "secgroup.remote.405";
/// Some zones could not be read: the read as a whole fails (or, when partial reads are allowed,
/// every zone failed).
inline constexpr const char* partial_read = "secgroup.remote.406";
}  // namespace errc

/// Runs `fn`; an error it throws is thrown again, of the same class, id and message, with the
/// field `rename(e)` gives it (a string from the error).
template <class Rename, class Fn>
decltype(auto) with_field_renamed(Rename&& rename, Fn&& fn) {
  try {
    return std::forward<Fn>(fn)();
  } catch (const parse_error& e) {
    SECGROUP_THROW(parse_error(e.id(), rename(e), e.message()));
  } catch (const validation_error& e) {
    SECGROUP_THROW(validation_error(e.id(), rename(e), e.message()));
  } catch (const lookup_error& e) {
    SECGROUP_THROW(lookup_error(e.id(), rename(e), e.message()));
  } catch (const remote_error& e) {
    SECGROUP_THROW(remote_error(e.id(), rename(e), e.message()));
  }
}

/// Prefixes `outer` to the field of errors thrown by `fn`, so nested parsers report full paths
/// such as "security_groups[1].rules[0].protocol".
template <class Fn>
decltype(auto) with_field_prefix(const std::string& outer, Fn&& fn) {
  return with_field_renamed(
      [&](const error& e) {
        return e.field().empty() ? outer
                                 : outer + (e.field().front() == '[' ? "" : ".") + e.field();
      },
      std::forward<Fn>(fn));
}

SECGROUP_END_NAMESPACE
