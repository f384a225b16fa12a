// secgroup/lint/partial.hpp: lint of a group some of whose values are unknown until apply.
//
// A Terraform plan may leave values that decide traffic unknown (partial_group.hpp). Lint never
// guesses them and never reports a check as passed when its answer depends on them: such a check
// yields one *undecided* finding (finding::undecided), whose message names the unknown values and
// whose severity is the highest the check can report (for SG001, the highest of its services), so
// that `--fail-on` never passes a check that some completion of the unknowns would fail.
//
// What is decided, exactly:
// - When the only unknowns are the group's stateful flag and default policies (finitely many
//   completions, at most 8), every completion is linted: a finding made identically by every
//   completion is reported as usual; a check whose findings differ between completions is
//   undecided as well (its decided findings stay: one undecided finding stands for the rest).
// - Otherwise (an unknown ip_range, port, protocol or action of a rule, a rule list or
//   enable_default_security unknown: too many completions to try), every enabled check about
//   traffic is undecided. The checks that read no traffic are decided on what is known: SG017
//   (the number of rules; undecided when a rule list is unknown), SG018 (the description;
//   undecided when it is unknown) and SG005 (which concerns project default groups only).
// This is conservative: a check may be reported undecided although no completion would change
// its answer, never the reverse.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "../config.hpp"
#include "../detail/sorted.hpp"
#include "../partial_group.hpp"
#include "../security_group.hpp"
#include "catalogue.hpp"
#include "config.hpp"
#include "finding.hpp"
#include "lint.hpp"
#include "suppression.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace lint {

/// The highest severity check `id` can report under `config`: its level, and for SG001 the
/// levels of the services it checks.
inline severity worst_severity(std::string_view id, const lint_config& config) {
  severity out = config.setting(id).level;
  if (id == check_id::sensitive_service)
    for (const auto& s : config.services) out = std::max(out, s.level.value_or(out));
  return out;
}

/// An undecided finding of check `id`: it depends on `unknown` (value paths).
inline finding undecided_finding(std::string_view id, const lint_config& config,
                                 const std::vector<std::string>& unknown) {
  finding f;
  f.check = std::string(id);
  f.level = worst_severity(id, config);
  f.subject = "undecided";
  std::string list;
  for (std::size_t k = 0; k < unknown.size(); ++k)
    list += (k == 0 ? "" : k + 1 == unknown.size() ? " and " : ", ") + unknown[k];
  f.message = "undecided until apply: the answer depends on " +
              std::string(unknown.size() == 1 ? "a value" : "values") +
              " unknown in the plan: " + list;
  f.undecided = true;
  return f;
}

/// \cond
namespace detail_partial {

/// `p` with its unknown fields as they are (defaults), as a plain group.
inline security_group skeleton(const partial_group& p) {
  security_group g = p.group;
  g.rules.clear();
  for (const auto& r : p.rules) g.rules.push_back(r.value);
  return g;
}

/// True iff the only unknowns of `p` are stateful and the default policies.
inline bool finitely_unknown(const partial_group& p) {
  const auto& u = p.unknown;
  if (u.enable_default_security || u.inbound_rules || u.outbound_rules) return false;
  return std::none_of(p.rules.begin(), p.rules.end(),
                      [](const partial_rule& r) { return r.unknown.any(); });
}

/// Every completion of `p` when finitely_unknown(p): stateful and the policies each way.
inline std::vector<security_group> completions(const partial_group& p) {
  std::vector<security_group> out{skeleton(p)};
  auto fork = [&](auto set) {
    const std::size_t n = out.size();
    for (std::size_t i = 0; i < n; ++i) {
      out.push_back(out[i]);
      set(out[i], true);
      set(out.back(), false);
    }
  };
  if (p.unknown.stateful) fork([](security_group& g, bool v) { g.stateful = v; });
  if (p.unknown.inbound_default_policy)
    fork([](security_group& g, bool v) {
      g.inbound_default_policy = v ? action::accept : action::drop;
    });
  if (p.unknown.outbound_default_policy)
    fork([](security_group& g, bool v) {
      g.outbound_default_policy = v ? action::accept : action::drop;
    });
  return out;
}

}  // namespace detail_partial
/// \endcond

/// Lints `p` (see the file comment) with `base`'s configuration. `unknown` names the values of
/// `p` deciding traffic that are unknown (decision_unknowns(), io/source.hpp);
/// `description_unknown` says whether the description is unknown. `source` and `address` are
/// recorded in the report; suppressions match the group by id, name or address. With nothing
/// unknown, this is base.run(*p.known(), source, address).
inline group_report lint_partial(const linter& base, const partial_group& p,
                                 const std::vector<std::string>& unknown, bool description_unknown,
                                 std::string source = "", const std::string& address = "") {
  const auto& config = base.config();
  if (p.complete() && !description_unknown) return base.run(*p.known(), std::move(source), address);
  std::vector<std::string_view> undecided;  // catalogue ids
  group_report out;
  if (detail_partial::finitely_unknown(p)) {
    std::vector<group_report> reports;
    for (const auto& g : detail_partial::completions(p))
      reports.push_back(base.run(g, source, address));
    out = reports.front();
    out.findings.clear();
    for (const auto& f : reports.front().findings) {
      const bool everywhere =
          std::all_of(reports.begin(), reports.end(), [&](const group_report& r) {
            return std::find(r.findings.begin(), r.findings.end(), f) != r.findings.end();
          });
      if (everywhere) out.findings.push_back(f);
    }
    for (const auto& r : reports) {
      out.used_suppressions.insert(out.used_suppressions.end(), r.used_suppressions.begin(),
                                   r.used_suppressions.end());
      for (const auto& f : r.findings)
        if (std::find(out.findings.begin(), out.findings.end(), f) == out.findings.end())
          undecided.push_back(check_of(f.check).id);  // the catalogue's: outlives `reports`
    }
  } else {
    // Only the checks that read no traffic run; every other enabled check is undecided.
    lint_config known_only = config;
    for (std::size_t i = 0; i < checks.size(); ++i) {
      const auto id = checks[i].id;
      const bool decided = id == check_id::too_many_rules
                               ? !p.unknown.inbound_rules && !p.unknown.outbound_rules
                           : id == check_id::missing_description     ? true
                           : id == check_id::project_default_inbound ? !p.group.project_default
                                                                     : false;
      if (!config.settings[i].enabled) continue;
      if (!decided) {
        known_only.settings[i].enabled = false;
        undecided.push_back(id);
      }
    }
    out = linter(known_only).run(detail_partial::skeleton(p), source, address);
  }
  if (description_unknown) {
    std::erase_if(out.findings,
                  [](const finding& f) { return f.check == check_id::missing_description; });
    if (config.setting(check_id::missing_description).enabled)
      undecided.push_back(check_id::missing_description);
  }
  const std::vector<std::string> description{address.empty() ? "description"
                                                             : address + ".description"};
  secgroup::detail::sort_unique(undecided);
  for (auto id : undecided) {
    const bool text_only = id == check_id::missing_description;
    auto f = undecided_finding(id, config, text_only ? description : unknown);
    apply_suppressions(f, config.suppressions, out.group, out.rules, out.used_suppressions,
                       address);
    out.findings.push_back(std::move(f));
  }
  detail::order_report(out);
  return out;
}

}  // namespace lint
SECGROUP_END_NAMESPACE
