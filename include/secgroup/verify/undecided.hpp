// secgroup/verify/undecided.hpp: a question the Z3 engine's analyze() left open, and the
// kinds of question it asks (printed as "dead", "shadowed", "falls_through", "related" and
// "pairs" by the CLI, the JSON output and the Python module).
//
// OPTIONAL: part of the secgroup::z3 target, like verify/z3.hpp (this header itself needs no
// Z3 header).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "../config.hpp"
#include "../rule.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace verify {

/// The questions analyze() asks about a rule: is it dead, is it shadowed (dead and contradicted),
/// do its packets fall through to the same action, which rules are related to it (its cover or
/// the rules its packets fall through to), and which later rules form a pair with it.
enum class question_kind : std::uint8_t { dead, shadowed, falls_through, related, pairs };

/// The name every output prints: "dead", "shadowed", "falls_through", "related", "pairs".
constexpr std::string_view to_string(question_kind q) {
  constexpr std::array<std::string_view, 5> names{"dead", "shadowed", "falls_through", "related",
                                                  "pairs"};
  return names[static_cast<std::size_t>(q)];
}

/// A question analyze() could not answer in the limits.
struct undecided {
  std::uint32_t rule = 0;  ///< index in ordered_rules()
  secgroup::direction direction = secgroup::direction::inbound;
  question_kind question = question_kind::dead;
  std::string reason;  ///< e.g. "timeout after 10000 ms"
};

}  // namespace verify
SECGROUP_END_NAMESPACE
