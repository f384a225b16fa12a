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
#pragma once

#include <z3++.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
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

SECGROUP_BEGIN_NAMESPACE
namespace verify {

/// Limits and switches of the Z3 engine.
struct options {
  /// Wall-clock limit of each solver query, in milliseconds; 0 means none.
  std::uint32_t timeout_ms = 10'000;
  /// Z3 resource units ("rlimit") per solver query; 0 means none. Unlike the timeout, the same
  /// input runs out at the same point on every run.
  std::uint32_t resource_limit = 0;
  /// analyze(): also report correlated and generalization pairs (one solver query per earlier
  /// live rule plus a few per overlapping pair of opposite actions).
  bool pairs = true;
  /// analyze(): a direction and family with at most this many rules is encoded whole, once;
  /// a larger one rule by rule, each rule with only the rules that may overlap it. Both give
  /// the same answers; the limit only trades set-up cost against query cost.
  std::uint32_t whole_slice_limit = 96;
};

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

namespace detail {

/// The Z3 context of the calling thread. Creating a context costs milliseconds, more than most
/// queries, so each thread keeps one; every call still owns its solver and its assertions.
inline z3::context& thread_context() {
  thread_local z3::context context;
  return context;
}

/// A solver with the options' limits, reporting why a query ended unknown. It is Z3's plain
/// incremental SMT solver: the default solver runs a tactic pipeline on every check without
/// assumptions, which costs far more than these small queries.
class session {
 public:
  session(z3::context& c, const options& o) : solver_(c, z3::solver::simple()), options_(o) {
    z3::params p(c);
    if (o.timeout_ms) p.set("timeout", static_cast<unsigned>(o.timeout_ms));
    if (o.resource_limit) p.set("rlimit", static_cast<unsigned>(o.resource_limit));
    solver_.set(p);
  }

  z3::solver& solver() { return solver_; }

  /// Checks the assertions under `assumptions` (literals); on unknown, reason() says why.
  z3::check_result check(const std::vector<z3::expr>& assumptions = {}) {
    z3::expr_vector v(solver_.ctx());
    for (const auto& a : assumptions) v.push_back(a);
    const auto start = std::chrono::steady_clock::now();
    auto r = v.empty() ? solver_.check() : solver_.check(v);
    if (r == z3::unknown)
      reason_ = explain_unknown(solver_.reason_unknown(), std::chrono::steady_clock::now() - start);
    return r;
  }

  /// Why the last unknown query ended.
  const std::string& reason() const { return reason_; }

 private:
  // NOTE: Z3 reports both limits as "canceled" on checks with assumptions, so the elapsed time
  // tells them apart.
  std::string explain_unknown(const std::string& z3_reason,
                              std::chrono::steady_clock::duration elapsed) const {
    const bool stopped = z3_reason == "canceled" || z3_reason.find("timeout") != std::string::npos ||
                         z3_reason.find("resource") != std::string::npos;
    if (stopped && options_.timeout_ms &&
        elapsed >= std::chrono::milliseconds(options_.timeout_ms))
      return "timeout after " + std::to_string(options_.timeout_ms) + " ms";
    if (stopped && options_.resource_limit)
      return "resource limit of " + std::to_string(options_.resource_limit) + " exceeded";
    if (stopped && options_.timeout_ms)
      return "timeout after " + std::to_string(options_.timeout_ms) + " ms";
    return "z3: " + z3_reason;
  }

  z3::solver solver_;
  options options_;
  std::string reason_;
};

/// The protocol number standing for the class of `number` in witnesses.
inline std::uint8_t representative(std::uint8_t number, family af) {
  switch (class_of(number)) {
    case proto_class::tcp:
      return ip_proto::tcp;
    case proto_class::udp:
      return ip_proto::udp;
    case proto_class::icmp:
      return af == family::v4 ? ip_proto::icmp : ip_proto::icmpv6;
    case proto_class::other:
      break;
  }
  return analysis::other_protocol_witness;
}

/// A witness read from the model of the last satisfiable check (under `assumptions`), tidied:
/// its protocol becomes its class's representative and, without ports, its port 0. When the
/// question tells protocol numbers of a class apart (`exact`), the representative is checked
/// under the same assumptions and the protocol found is kept if it fails; otherwise rules,
/// query boxes and where expressions cannot tell the two packets apart (nothing reads the port
/// of a packet without ports), and `model` stays the one found.
struct witness {
  z3::model model;
  secgroup::packet packet;
};

/// Returns `x` with its class's representative protocol and, without ports, port 0.
inline packet tidy(packet x) {
  x.protocol = representative(x.protocol, x.remote.af);
  if (!secgroup::carries_ports(x.protocol)) x.port = 0;
  return x;
}

inline witness tidy(session& s, const packet_terms& p, const std::vector<z3::expr>& assumptions,
                    bool exact) {
  witness w{s.solver().get_model(), {}};
  w.packet = read_packet(w.model, p);
  const auto rep = representative(w.packet.protocol, w.packet.remote.af);
  const bool portless = !secgroup::carries_ports(rep);
  if (rep == w.packet.protocol && !(portless && w.packet.port != 0)) return w;
  if (!exact) {
    w.packet = tidy(w.packet);
    return w;
  }
  s.solver().push();
  s.solver().add(protocol_is(p, rep));
  if (s.check(assumptions) == z3::sat) {
    w.model = s.solver().get_model();
    w.packet = read_packet(w.model, p);
  }
  s.solver().pop();
  if (!secgroup::carries_ports(w.packet.protocol)) w.packet.port = 0;
  return w;
}

/// True iff `e` tells protocol numbers of one class apart (a `protocol` condition other than
/// tcp or udp).
inline bool distinguishes_protocols(const where_expr& e) {
  if (e.op == where_expr::kind::protocol)
    return !(e.range.lo == e.range.hi &&
             (e.range.lo == ip_proto::tcp || e.range.lo == ip_proto::udp));
  for (const auto& x : e.operands)
    if (distinguishes_protocols(x)) return true;
  return false;
}

/// `accept` when the action is accept, else its negation.
inline z3::expr when(action a, const z3::expr& accept) {
  return a == action::accept ? accept : !accept;
}

/// Anomaly questions of one direction and family, asked rule by rule with three literals:
///   before  no earlier rule matches;
///   after   the first later rule matching (else the default) accepts;
///   all     the first rule matching (else the default) accepts.
/// A small slice is encoded whole, once (slice_chains give every rule its literals). In a
/// larger one, every rule is examined in its own solver scope holding the definitions of its
/// neighbourhood only: itself and the rules that may_overlap() it (no other rule can match
/// one of its packets, so none can change an answer about them). A query then costs in
/// proportion to the neighbourhood rather than to the whole slice, which is what lets the
/// engine scale; re-asserting the neighbourhood costs more than it saves on small slices.
class slice_analysis {
 public:
  slice_analysis(z3::context& c, const options& o, const std::vector<rule>& rules, direction d,
                 family f, action default_action)
      : rules_(rules),
        p_(make_packet_terms(c, std::string(d == direction::inbound ? "in" : "out") +
                                    (f == family::v4 ? "4." : "6."))),
        s_(encode_slice(rules, d, f, default_action, p_)),
        session_(c, o),
        options_(o),
        before_(c.bool_const("before")),
        after_(c.bool_const("after")),
        all_(c.bool_const("all")),
        decider_after_(c.bv_val(decision::no_rule, index_bits)),
        decider_all_(decider_after_),
        whole_(s_.matched.size() <= o.whole_slice_limit) {
    auto& solver = session_.solver();
    for (const auto& e : s_.fixed) solver.add(e);
    solver.add(well_formed(p_));
    for (std::uint32_t i = 0; i < s_.matched.size(); ++i) index_of_[s_.matched[i].id()] = i;
    if (!whole_ || s_.matched.empty()) return;
    for (const auto& e : s_.definitions) solver.add(e);
    chains_ = encode_chains(s_, std::string(d == direction::inbound ? "in" : "out") +
                                    (f == family::v4 ? "4." : "6."));
    for (const auto& e : chains_.definitions) solver.add(e);
  }

  void run(std::vector<analysis::finding>& out, std::vector<undecided>& unknown) {
    const auto n = static_cast<std::uint32_t>(s_.origin.size());
    for (std::uint32_t i = 0; i < n; ++i) {
      const bool editable = rules_[s_.origin[i]].editable;
      if (!editable && !options_.pairs) continue;
      auto members = neighbourhood(i);
      if (whole_) {
        before_ = chains_.before[i];
        after_ = chains_.accept[i + 1];
        all_ = chains_.accept[0];
        decider_after_ = chains_.decider[i + 1];
        decider_all_ = chains_.decider[0];
      } else {
        session_.solver().push();
        enter(i, members);
      }
      const bool live = editable ? examine(i, out, unknown) : is_live(i, unknown);
      if (live && options_.pairs) pairs_of(i, members, out, unknown);
      if (!whole_) session_.solver().pop();
    }
  }

 private:
  const rule& rule_of(std::uint32_t i) const { return rules_[s_.origin[i]]; }

  /// Rule i and the rules that may overlap it, ascending (every rule of a whole slice).
  std::vector<std::uint32_t> neighbourhood(std::uint32_t i) const {
    std::vector<std::uint32_t> out;
    for (std::uint32_t j = 0; j < s_.origin.size(); ++j)
      if (whole_ || j == i || may_overlap(rule_of(i), rule_of(j))) out.push_back(j);
    return out;
  }

  /// Asserts, in the current scope, the neighbourhood's definitions and literals.
  void enter(std::uint32_t i, const std::vector<std::uint32_t>& members) {
    auto& solver = session_.solver();
    auto& c = solver.ctx();
    z3::expr_vector none_before(c);
    std::vector<std::uint32_t> later;
    for (auto j : members) {
      solver.add(s_.definitions[j]);
      if (j < i) none_before.push_back(!s_.matched[j]);
      if (j > i) later.push_back(j);
    }
    solver.add(before_ == (none_before.empty() ? c.bool_val(true) : z3::mk_and(none_before)));
    auto [after, who_after] = first_match(s_, later);
    auto [all, who_all] = first_match(s_, members);
    solver.add(after_ == after);
    solver.add(all_ == all);
    decider_after_ = who_after;
    decider_all_ = who_all;
  }

  void note(std::vector<undecided>& unknown, std::uint32_t i, question_kind question) {
    unknown.push_back({s_.origin[i], s_.dir, question, session_.reason()});
  }

  analysis::finding finding_of(analysis::finding_kind kind, std::uint32_t i,
                               std::vector<std::uint32_t> related, analysis::finding_reason reason,
                               const packet& witness, bool to_default = false) const {
    for (auto& j : related) j = s_.origin[j];
    std::sort(related.begin(), related.end());
    return {kind, s_.origin[i], s_.dir, std::move(related), reason, to_default, witness};
  }

  /// True iff rule i decides some packet (false also when unknown, which is noted).
  bool is_live(std::uint32_t i, std::vector<undecided>& unknown) {
    auto r = session_.check({s_.matched[i], before_});
    if (r == z3::unknown) note(unknown, i, question_kind::dead);
    return r == z3::sat;
  }

  /// Classifies editable rule i; returns true iff it is live. A packet it decides whose
  /// fall-through decision differs proves it live and not redundant in one query; otherwise
  /// it is dead (shadowed or covered) or redundant because its packets fall through.
  bool examine(std::uint32_t i, std::vector<analysis::finding>& out,
               std::vector<undecided>& unknown) {
    auto r = session_.check({s_.matched[i], before_, when(!s_.actions[i], after_)});
    if (r == z3::sat) return true;
    if (r == z3::unknown) {
      note(unknown, i, question_kind::falls_through);
      return false;
    }
    const std::vector<z3::expr> decided{s_.matched[i], before_};
    r = session_.check(decided);
    if (r == z3::unknown) {
      note(unknown, i, question_kind::dead);
      return false;
    }
    if (r == z3::unsat) {
      dead_rule(i, out, unknown);
      return false;
    }
    const auto witness = tidy(session_, p_, decided, false).packet;
    // Every later rule that decides some packet of rule i once rule i is gone, and whether the
    // default policy decides some.
    std::vector<std::uint32_t> takers;
    bool to_default = false;
    auto& solver = session_.solver();
    solver.push();
    solver.add(s_.matched[i]);
    solver.add(before_);
    for (;;) {
      r = session_.check();
      if (r != z3::sat) break;
      auto j = static_cast<std::uint32_t>(value_of(solver.get_model(), decider_after_));
      if (j == decision::no_rule)
        to_default = true;
      else
        takers.push_back(j);
      solver.add(decider_after_ != solver.ctx().bv_val(j, index_bits));
    }
    solver.pop();
    if (r == z3::unknown) note(unknown, i, question_kind::related);
    out.push_back(finding_of(analysis::finding_kind::redundant, i, std::move(takers),
                             analysis::finding_reason::falls_through, witness, to_default));
    return true;
  }

  /// Dead rule i: shadowed when some packet it matches is decided the other way, else
  /// redundant (covered).
  void dead_rule(std::uint32_t i, std::vector<analysis::finding>& out,
                 std::vector<undecided>& unknown) {
    const std::vector<z3::expr> contradicted{s_.matched[i], when(!s_.actions[i], all_)};
    auto r = session_.check(contradicted);
    if (r == z3::unknown) return note(unknown, i, question_kind::shadowed);
    const bool shadowed = r == z3::sat;
    std::uint32_t decider = decision::no_rule;
    packet witness;
    if (shadowed) {
      auto w = tidy(session_, p_, contradicted, false);
      witness = w.packet;
      decider = static_cast<std::uint32_t>(value_of(w.model, decider_all_));
    } else {
      if (session_.check({s_.matched[i]}) != z3::sat)
        return note(unknown, i, question_kind::shadowed);
      witness = tidy(session_, p_, {s_.matched[i]}, false).packet;
    }
    auto related = cover(i, unknown);
    if (shadowed && decider != decision::no_rule &&
        std::none_of(related.begin(), related.end(),
                     [&](std::uint32_t j) { return s_.actions[j] != s_.actions[i]; })) {
      // Keep the decider, of the other action, and shrink the rest around it.
      related.push_back(decider);
      std::sort(related.begin(), related.end());
      related = shrink(i, std::move(related), decider, unknown);
    }
    out.push_back(finding_of(
        shadowed ? analysis::finding_kind::shadowed : analysis::finding_kind::redundant, i,
        std::move(related),
        shadowed ? analysis::finding_reason::blocked : analysis::finding_reason::covered, witness));
  }

  /// Assumptions "rule i matches and none of `rules` does": unsat iff `rules` cover rule i.
  std::vector<z3::expr> unmatched_by(std::uint32_t i, const std::vector<std::uint32_t>& rules) {
    std::vector<z3::expr> a{s_.matched[i]};
    for (auto j : rules) a.push_back(!s_.matched[j]);
    return a;
  }

  /// An irreducible set of earlier rules whose union holds every packet of dead rule i: the
  /// unsat core of "rule i matches and no earlier neighbour does", shrunk by deletion.
  std::vector<std::uint32_t> cover(std::uint32_t i, std::vector<undecided>& unknown) {
    auto core = [&] {
      std::vector<std::uint32_t> out;
      auto v = session_.solver().unsat_core();
      for (unsigned k = 0; k < v.size(); ++k) {
        auto e = v[static_cast<int>(k)];
        if (!e.is_not()) continue;
        auto it = index_of_.find(e.arg(0).id());
        if (it != index_of_.end() && it->second < i) out.push_back(it->second);
      }
      std::sort(out.begin(), out.end());
      return out;
    };
    std::vector<std::uint32_t> earlier;
    for (auto j : neighbourhood(i))
      if (j < i) earlier.push_back(j);
    if (session_.check(unmatched_by(i, earlier)) != z3::unsat) {
      note(unknown, i, question_kind::related);
      return {};
    }
    return shrink(i, core(), decision::no_rule, unknown);
  }

  /// Removes rules from `set`, a cover of dead rule i, until it is irreducible (except `keep`).
  /// Deletion runs latest rules first: erasing set[k] only shifts rules already tried, and a
  /// rule needed by a set is needed by all its subsets.
  std::vector<std::uint32_t> shrink(std::uint32_t i, std::vector<std::uint32_t> set,
                                    std::uint32_t keep, std::vector<undecided>& unknown) {
    for (std::size_t k = set.size(); k-- > 0;) {
      if (set[k] == keep) continue;
      auto trial = set;
      trial.erase(trial.begin() + static_cast<std::ptrdiff_t>(k));
      auto r = session_.check(unmatched_by(i, trial));
      if (r == z3::unsat) {
        set = std::move(trial);
      } else if (r == z3::unknown) {
        note(unknown, i, question_kind::related);
        break;
      }
    }
    return set;
  }

  /// Later rules of the other action matching some packet that live rule i decides:
  /// correlated, or generalization when rule i's match lies strictly inside theirs; a later
  /// rule inside rule i's match is dead and reported as shadowed instead.
  void pairs_of(std::uint32_t i, const std::vector<std::uint32_t>& members,
                std::vector<analysis::finding>& out, std::vector<undecided>& unknown) {
    std::vector<std::uint32_t> remaining;
    std::vector<std::pair<std::uint32_t, packet>> found;  // with a packet of both, decided by i
    for (auto j : members)
      if (j > i && s_.actions[j] != s_.actions[i] && rule_of(j).editable) remaining.push_back(j);
    auto& solver = session_.solver();
    solver.push();
    solver.add(s_.matched[i]);
    solver.add(before_);
    while (!remaining.empty()) {
      z3::expr_vector any(solver.ctx());
      for (auto j : remaining) any.push_back(s_.matched[j]);
      solver.push();
      solver.add(z3::mk_or(any));
      auto r = session_.check();
      if (r == z3::sat) {
        auto m = solver.get_model();
        const auto both = tidy(read_packet(m, p_));
        std::vector<std::uint32_t> rest;
        for (auto j : remaining) {
          if (m.eval(s_.matched[j], true).is_true())
            found.push_back({j, both});
          else
            rest.push_back(j);
        }
        remaining = std::move(rest);
      }
      solver.pop();
      if (r == z3::unknown) note(unknown, i, question_kind::pairs);
      if (r != z3::sat) break;
    }
    solver.pop();
    for (const auto& [j, both] : found) {
      auto shadowing = session_.check({s_.matched[j], !s_.matched[i]});
      if (shadowing == z3::unsat) continue;
      auto inside =
          shadowing == z3::sat ? session_.check({s_.matched[i], !s_.matched[j]}) : z3::unknown;
      if (inside == z3::unknown) {
        note(unknown, j, question_kind::pairs);
        continue;
      }
      const bool generalization = inside == z3::unsat;
      out.push_back(finding_of(generalization ? analysis::finding_kind::generalization
                                              : analysis::finding_kind::correlated,
                               j, {i},
                               generalization ? analysis::finding_reason::generalizes
                                              : analysis::finding_reason::partial_overlap,
                               both));
    }
  }

  const std::vector<rule>& rules_;
  packet_terms p_;
  encoded_slice s_;
  session session_;
  options options_;
  z3::expr before_, after_, all_, decider_after_, decider_all_;
  bool whole_;
  slice_chains chains_;
  std::unordered_map<unsigned, std::uint32_t> index_of_;
};

/// A group encoded over fresh packet terms, with its definitions asserted in a session.
struct group_session {
  z3::context& context;
  packet_terms p;
  encoded_group group;
  session s;

  group_session(const security_group& g, const options& o)
      : context(thread_context()),
        p(make_packet_terms(context)),
        group(encode_group(g, p, "")),
        s(context, o) {
    s.solver().add(well_formed(p));
    for (const auto& e : group.definitions) s.solver().add(e);
  }
};

/// ALL / NONE / PARTIAL of group `g` over the packets satisfying `selection(p)`.
template <class Selection>
analysis::query_result coverage_of(const security_group& g, const options& o, bool exact,
                                   Selection&& selection) {
  group_session gs(g, o);
  auto& c = gs.context;
  auto selected = c.bool_const("selected");
  auto accepted = c.bool_const("accepted");
  gs.s.solver().add(selected == selection(gs.p));
  gs.s.solver().add(accepted == gs.group.accepted);
  analysis::query_result out;
  auto witness = [&](const std::vector<z3::expr>& a) {
    auto w = tidy(gs.s, gs.p, a, exact);
    return analysis::query_witness{w.packet, read_decision(w.model, gs.group)};
  };
  auto unknown = [&] {
    out.answer = analysis::coverage::unknown;
    out.reason = gs.s.reason();
    return out;
  };
  const std::vector<z3::expr> yes{selected, accepted}, no{selected, !accepted};
  auto ra = gs.s.check(yes);
  if (ra == z3::unknown) return unknown();
  if (ra == z3::sat) out.accepted = witness(yes);
  auto rd = gs.s.check(no);
  if (rd == z3::sat) out.dropped = witness(no);
  if (ra == z3::unsat) {
    out.answer = analysis::coverage::none;
    return out;
  }
  if (rd == z3::unknown) return unknown();
  out.answer = rd == z3::sat ? analysis::coverage::partial : analysis::coverage::all;
  return out;
}

/// A packet on which `condition(a, b)` holds, for groups a and b over the same packet.
template <class Condition>
verdict<analysis::diff_witness> counterexample(const security_group& a, const security_group& b,
                                               const options& o, bool exact,
                                               Condition&& condition) {
  auto& c = thread_context();
  auto p = make_packet_terms(c);
  auto ea = encode_group(a, p, "a.");
  auto eb = encode_group(b, p, "b.");
  session s(c, o);
  s.solver().add(well_formed(p));
  for (const auto* e : {&ea, &eb})
    for (const auto& d : e->definitions) s.solver().add(d);
  auto violated = c.bool_const("violated");
  s.solver().add(violated == condition(p, ea, eb));
  const std::vector<z3::expr> assume{violated};
  switch (s.check(assume)) {
    case z3::unsat:
      return verdict<analysis::diff_witness>::holds();
    case z3::unknown:
      return verdict<analysis::diff_witness>::unknown(s.reason());
    case z3::sat:
      break;
  }
  auto w = tidy(s, p, assume, exact);
  return verdict<analysis::diff_witness>::violated(
      {w.packet, read_decision(w.model, ea), read_decision(w.model, eb)});
}

}  // namespace detail

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
