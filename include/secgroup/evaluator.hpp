// secgroup/evaluator.hpp: the two evaluators of a group, by name.
//
// A group decides packets through its compiled tables (compiled.hpp: built once, then a few
// lookups per packet) or through the reference scan (reference.hpp: nothing to build, O(rules)
// per packet, the oracle the tables are tested against). Both give the same decisions; a front
// end that lets its user pick one (the Python module's `engine="compiled"`) parses the name here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config.hpp"
#include "detail/text.hpp"
#include "error.hpp"

SECGROUP_BEGIN_NAMESPACE

/// The evaluators of a group: compiled tables, or the linear reference scan.
enum class evaluator : std::uint8_t { compiled, reference };

constexpr std::string_view to_string(evaluator e) {
  return e == evaluator::compiled ? "compiled" : "reference";
}

/// Parses an evaluator name, "compiled" or "reference" (any case). Throws parse_error
/// (secgroup.parse.103) naming `field`.
inline evaluator parse_evaluator(std::string_view text, const std::string& field = "evaluator") {
  for (auto e : {evaluator::compiled, evaluator::reference})
    if (detail::iequals(text, to_string(e))) return e;
  SECGROUP_THROW(parse_error(
      errc::bad_enum, field,
      "unknown evaluator " + detail::quoted(text) + " (expected compiled or reference)"));
}

SECGROUP_END_NAMESPACE
