// secgroup/lint/finding.hpp: what lint reports: findings, and the findings about one group.
//
// A finding names the check that made it (a catalogue id), its severity, a subject that is
// stable within the group (a service, a direction, a rule id), one sentence, and what a reader
// needs to check it: a witness packet with its decision, the rules it is about (indices into
// ordered_rules()), other rules that explain it, and whether the default policy takes part.
// Suppressed findings (suppression.hpp) are kept, with the reasons. A finding about a group with
// values unknown until apply may be undecided (partial.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../analysis/query.hpp"
#include "../config.hpp"
#include "../rule.hpp"
#include "../security_group.hpp"
#include "catalogue.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace lint {

/// One finding of one check about one group.
struct finding {
  std::string check;  ///< catalogue id, "SG001"
  severity level = severity::medium;
  std::string subject;                             ///< stable key within the group ("ssh")
  std::string message;                             ///< one sentence
  std::optional<analysis::query_witness> witness;  ///< a packet and how the group decides it
  std::vector<std::uint32_t> rules;                ///< ordered_rules() indices it is about
  std::vector<std::uint32_t> related;              ///< other rules that explain it
  bool by_default = false;                         ///< the default policy takes part
  std::optional<std::string> suppressed;           ///< the reasons, when suppressed
  /// The check could not be decided: its answer depends on values unknown until apply
  /// (partial.hpp). `message` names them; `level` is the highest the check can report.
  bool undecided = false;
  friend bool operator==(const finding&, const finding&) = default;
};

/// The findings about one group.
struct group_report {
  std::string source;   ///< the file it came from, as given
  std::string address;  ///< the Terraform address of the group; "" for an API export's group
  security_group group;
  std::vector<rule> rules;                     ///< ordered_rules(group): what rule indices refer to
  std::vector<finding> findings;               ///< by severity (highest first), then check id
  std::vector<std::size_t> used_suppressions;  ///< indices into lint_config::suppressions
};

}  // namespace lint
SECGROUP_END_NAMESPACE
