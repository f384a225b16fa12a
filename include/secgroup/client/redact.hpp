// secgroup/client/redact.hpp: keeping the secret key out of every message and log line.
//
// The secret key is sent as `X-Auth-Token` and nowhere else; no message of the client quotes
// it on purpose. redact() is the guard for what it quotes by accident: a server's error body
// echoing the header, a URL or a value a user pasted the key into. Every message and log line
// of the client passes through it. No network code here.
#pragma once

#include <string>
#include <string_view>

#include "../config.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace client {

/// What a secret is replaced with.
inline constexpr std::string_view redacted = "[REDACTED]";

/// Returns `text` with every occurrence of `secret` replaced by `redacted` (an empty secret
/// redacts nothing).
inline std::string redact(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  for (auto at = text.find(secret); at != std::string::npos;
       at = text.find(secret, at + redacted.size()))
    text.replace(at, secret.size(), redacted);
  return text;
}

}  // namespace client
SECGROUP_END_NAMESPACE
