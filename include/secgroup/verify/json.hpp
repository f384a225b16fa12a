// secgroup/verify/json.hpp: the Z3 engine's results as JSON, in the interval engine's shapes
// (io/analysis_json.hpp) plus what only a solver can answer: "unknown".
//
// OPTIONAL: part of the secgroup::z3 target, like verify/z3.hpp. The shapes are documented in
// docs/cli.md (sections "Engines" of analyze and diff); the CLI and the Python module print them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "../check.hpp"
#include "../config.hpp"
#include "../io/analysis_json.hpp"
#include "../rule.hpp"
#include "z3.hpp"

SECGROUP_BEGIN_NAMESPACE

namespace verify {

/// Returns {"rule_id", "position", "direction", "question", "reason"} for an open question of
/// a report on `rules`.
inline json undecided_to_json(const undecided& u, const std::vector<rule>& rules) {
  json j = json::object();
  j["rule_id"] = secgroup::detail::json_io::rule_id(rules[u.rule]);
  j["position"] = rules[u.rule].position;
  j["direction"] = std::string(to_string(u.direction));
  j["question"] = std::string(to_string(u.question));
  j["reason"] = u.reason;
  return j;
}

/// Returns the interval engine's {"findings": [...]}, plus "unknown": [open questions] when
/// the solver left some open (the key is absent when every question was answered).
inline json anomalies_to_json(const anomaly_result& result) {
  auto j = secgroup::anomalies_to_json(result.report);
  if (result.complete()) return j;
  json open = json::array();
  for (const auto& u : result.unknown) open.push_back(undecided_to_json(u, result.report.rules));
  j["unknown"] = std::move(open);
  return j;
}

/// Returns {key: true | false | null (unknown), "witness": packet with "a" and "b" decisions |
/// null, ["regions": null], ["reason": why unknown]} for an equivalence (key "equivalent",
/// with_regions true: the solver gives no regions) or inclusion (key "includes") verdict
/// between groups whose ordered_rules() are `rules_a` and `rules_b`.
inline json verdict_to_json(const verdict<analysis::diff_witness>& v,
                            const std::vector<rule>& rules_a, const std::vector<rule>& rules_b,
                            std::string_view key, bool with_regions) {
  json witness = nullptr;
  if (const auto& w = v.counterexample) {
    witness = packet_to_json(w->packet);
    witness["a"] = decision_to_json(w->a, rules_a);
    witness["b"] = decision_to_json(w->b, rules_b);
  }
  json j = json::object();
  j[std::string(key)] =
      v.result == outcome::unknown ? json(nullptr) : json(v.result == outcome::holds);
  j["witness"] = std::move(witness);
  if (with_regions) j["regions"] = nullptr;
  if (v.result == outcome::unknown) j["reason"] = v.reason;
  return j;
}

}  // namespace verify

SECGROUP_END_NAMESPACE
