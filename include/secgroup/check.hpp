// secgroup/check.hpp: engine-neutral verdicts, shared by the interval engine and the optional
// Z3 backend so that a caller can switch engines.
//
// A property check has three outcomes (STYLE practice 10): it holds; it is violated, with a
// counterexample; or the engine could not tell (a solver timeout), with the reason. The
// interval engine is complete and never answers unknown; the Z3 engine may.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config.hpp"
#include "detail/text.hpp"
#include "error.hpp"

SECGROUP_BEGIN_NAMESPACE

/// The three outcomes of a check.
enum class outcome : std::uint8_t { holds, violated, unknown };

constexpr std::string_view to_string(outcome o) {
  return o == outcome::holds ? "holds" : o == outcome::violated ? "violated" : "unknown";
}

/// The answer to "does the property hold?", with a counterexample when it does not.
template <class Counterexample>
struct verdict {
  outcome result = outcome::unknown;
  std::optional<Counterexample> counterexample;  ///< set iff violated
  std::string reason;                            ///< set iff unknown (e.g. "timeout after 5000 ms")

  static verdict holds() { return {outcome::holds, std::nullopt, {}}; }
  static verdict violated(Counterexample c) { return {outcome::violated, std::move(c), {}}; }
  static verdict unknown(std::string why) { return {outcome::unknown, std::nullopt, std::move(why)}; }
};

/// The analysis engines.
enum class engine : std::uint8_t { interval, z3 };

/// Every engine, in the order front ends list them.
inline constexpr std::array<engine, 2> all_engines{engine::interval, engine::z3};

constexpr std::string_view to_string(engine e) { return e == engine::interval ? "interval" : "z3"; }

/// Parses an engine name, "interval" or "z3" (any case). Whether this build has the Z3 engine
/// is the caller's concern. Throws parse_error (secgroup.parse.103) naming `field`.
inline engine parse_engine(std::string_view text, const std::string& field = "engine") {
  for (auto e : all_engines)
    if (detail::iequals(text, to_string(e))) return e;
  SECGROUP_THROW(
      parse_error(errc::bad_enum, field,
                  "unknown engine " + detail::quoted(text) + " (expected interval or z3)"));
}

SECGROUP_END_NAMESPACE
