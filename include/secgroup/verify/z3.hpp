// secgroup/verify/z3.hpp: the Z3 backend: the interval engine's questions answered by an SMT
// solver, through the same result types, so a caller can switch engines.
//
// OPTIONAL: needs the secgroup::z3 target (Z3's C++ API, `z3++.h`, linked with libz3); the core
// never includes this header. The encoding (verify/detail/encode.hpp, docs/z3.md) is
// independent of the interval engine: bit-vector packets, one Boolean literal per rule, first
// match as nested if-then-else. Every property P is proved by showing ¬P unsatisfiable.
//
//   analyze()         shadowed and redundant rules (with reason), correlated and generalization
//                     pairs: analysis::anomaly_report, plus the questions the solver left open.
//   equivalence()     verdict<analysis::diff_witness>: holds, violated with a witness packet
//                     and both decisions, or unknown with the reason.
//   includes()        does group A accept every packet group B accepts (optionally within a
//                     where expression)? A witness is a packet B accepts and A drops.
//   evaluate_query()  analysis::query_result for an interval-engine query box.
//   evaluate_where()  the same for the packets a where expression selects (secgroup/where.hpp).
//   explain()         the rules a packet matches, in order, and the deciding one.
//
// Outcomes. Each solver call ("query") gets options::timeout_ms of wall time and, when set,
// options::resource_limit of Z3 resource units (deterministic across runs and machines). A
// call that runs out makes its answer unknown, with the reason: coverage::unknown,
// outcome::unknown, or an entry of anomaly_result::unknown naming the rule and question.
//
// Related rules differ from the interval engine's Batfish-style blocking sets for dead rules:
// here they are an *irreducible cover* taken from an unsat core (removing any one of them
// leaves part of the rule uncovered), plus, for a shadowed rule whose cover has no rule of the
// other action, the rule deciding the witness. Falls-through rules list every later rule that
// decides some of their packets once they are removed (and finding::to_default whether the
// default policy decides some), exactly as the interval engine does.
// Witness packets are the solver's, with the protocol replaced by its class's representative
// (6, 17, 1 or 58 by family, 47 for other protocols) and the port of a portless protocol set to
// 0 when the question allows: they are valid, but not the interval engine's "most readable".
//
// Cost. analyze() asks O(rules) questions per direction and family (plus O(overlapping pairs)
// with options::pairs), each against the whole rule list; see docs/benchmarks.md for where
// that stops being practical. Calls may run concurrently on different threads: each thread
// has its own Z3 context. Z3 errors (never expected) surface as z3::exception.
//
// Layout. This header is the engine's API; verify/options.hpp holds its limits and switches,
// verify/undecided.hpp the open questions of a report. The machinery is in verify/detail/:
// encode.hpp (the encoding), session.hpp (a solver under the limits, tidy witnesses),
// slice_analysis.hpp (the anomaly questions of one direction and family) and
// group_questions.hpp (coverage of a selection, a counterexample between two groups).
#pragma once

#include <z3++.h>

#include <algorithm>
#include <cstdint>
#include <tuple>
#include <vector>

#include "../analysis/anomalies.hpp"
#include "../analysis/diff.hpp"
#include "../analysis/query.hpp"
#include "../check.hpp"
#include "../config.hpp"
#include "../decision.hpp"
#include "../packet.hpp"
#include "../security_group.hpp"
#include "../where.hpp"
#include "detail/encode.hpp"
#include "detail/group_questions.hpp"
#include "detail/session.hpp"
#include "detail/slice_analysis.hpp"
#include "options.hpp"
#include "undecided.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace verify {

/// The anomaly report of the Z3 engine, and what it left open.
struct anomaly_result {
  analysis::anomaly_report report;
  /// Rules whose findings may be missing or incomplete; empty when every query was answered.
  std::vector<undecided> unknown;
  /// True iff every question was answered.
  bool complete() const { return unknown.empty(); }
};

/// Why a packet is decided as it is.
struct explanation {
  secgroup::packet packet;
  std::vector<std::uint32_t> matched;  ///< every rule the packet matches, in evaluation order
  secgroup::decision decision;         ///< the first of `matched`, else the default policy
};

// -- Public API ---------------------------------------------------------------------------

/// Returns the shadowed, redundant, correlated and generalization findings of every user rule
/// of `g` (both directions and families, default rules and policies taking part), in the order
/// of analysis::analyze(), and the questions left unknown by the limits of `o`.
inline anomaly_result analyze(const security_group& g, const options& o = {}) {
  anomaly_result out;
  out.report.rules = ordered_rules(g);
  auto& c = detail::thread_context();
  for (auto d : {direction::inbound, direction::outbound})
    for (auto f : {family::v4, family::v6})
      detail::slice_analysis(c, o, out.report.rules, d, f, g.default_policy(d))
          .run(out.report.findings, out.unknown);
  std::sort(out.report.findings.begin(), out.report.findings.end(),
            [](const analysis::finding& a, const analysis::finding& b) {
              return std::tie(a.rule, a.kind, a.related) < std::tie(b.rule, b.kind, b.related);
            });
  return out;
}

/// Returns whether `a` and `b` decide every packet alike; violated carries a packet they decide
/// differently with both decisions (rules index each group's ordered_rules()).
inline verdict<analysis::diff_witness> equivalence(const security_group& a,
                                                   const security_group& b,
                                                   const options& o = {}) {
  return detail::counterexample(a, b, o, false, [](auto&, const auto& ea, const auto& eb) {
    return ea.accepted != eb.accepted;
  });
}

/// Returns whether `a` accepts every packet `b` accepts; violated carries a packet `b` accepts
/// and `a` drops (diff_witness::a is a's decision, ::b is b's).
inline verdict<analysis::diff_witness> includes(const security_group& a, const security_group& b,
                                                const options& o = {}) {
  return detail::counterexample(a, b, o, false, [](auto&, const auto& ea, const auto& eb) {
    return eb.accepted && !ea.accepted;
  });
}

/// Returns whether `a` accepts every packet satisfying `within` that `b` accepts.
inline verdict<analysis::diff_witness> includes(const security_group& a, const security_group& b,
                                                const where_expr& within,
                                                const options& o = {}) {
  return detail::counterexample(a, b, o, detail::distinguishes_protocols(within),
                                [&](const auto& p, const auto& ea, const auto& eb) {
    return detail::where_holds(p, within) && eb.accepted && !ea.accepted;
  });
}

/// Returns how `g` decides the packets of query box `q`: ALL, NONE or PARTIAL with witnesses
/// (as analysis::evaluate_query), or UNKNOWN with the reason.
inline analysis::query_result evaluate_query(const security_group& g, const analysis::query& q,
                                             const options& o = {}) {
  return detail::coverage_of(g, o, false,
                             [&](const auto& p) { return detail::query_holds(p, q); });
}

/// Returns how `g` decides the packets satisfying `e`: ALL, NONE (also when no packet
/// satisfies `e`, without witnesses) or PARTIAL with witnesses, or UNKNOWN with the reason.
inline analysis::query_result evaluate_where(const security_group& g, const where_expr& e,
                                             const options& o = {}) {
  return detail::coverage_of(g, o, detail::distinguishes_protocols(e),
                             [&](const auto& p) { return detail::where_holds(p, e); });
}

/// Returns the rules of `g` that packet `x` matches, in evaluation order, and the decision,
/// read from the per-rule literals of a model pinned to `x` (no limits apply: nothing is
/// searched).
inline explanation explain(const security_group& g, const packet& x) {
  detail::group_session gs(g, options{0, 0, false, 0});
  gs.s.solver().add(detail::is_packet(gs.p, x));
  if (gs.s.check() != z3::sat)
    SECGROUP_THROW(validation_error(errc::bad_value, "packet",
                                    "the packet " + to_string(x) + " has no model: " +
                                        gs.s.reason()));
  auto m = gs.s.solver().get_model();
  explanation out{x, {}, detail::read_decision(m, gs.group)};
  for (std::uint32_t i = 0; i < gs.group.matched.size(); ++i)
    if (m.eval(gs.group.matched[i], true).is_true()) out.matched.push_back(i);
  return out;
}

}  // namespace verify
SECGROUP_END_NAMESPACE
