// secgroup/verify/detail/slice_analysis.hpp: the anomaly questions of one direction and
// family of a group, asked of the solver rule by rule (verify::analyze() runs one per slice):
// dead, shadowed or covered, falls through, the related rules (an irreducible cover from an
// unsat core, or the rules the packets fall through to), and the pairs whose order matters.
// A question the limits leave open becomes an undecided entry instead of a finding.
//
// This header is an implementation detail of secgroup::z3 (it includes <z3++.h>).
#pragma once

#include <z3++.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include "../../analysis/anomalies.hpp"
#include "../../config.hpp"
#include "../../decision.hpp"
#include "../../packet.hpp"
#include "../../rule.hpp"
#include "../options.hpp"
#include "../undecided.hpp"
#include "encode.hpp"
#include "session.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace verify::detail {

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
        p_(make_packet_terms(c, slice_tag(d, f))),
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
    chains_ = encode_chains(s_, slice_tag(d, f));
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

}  // namespace verify::detail
SECGROUP_END_NAMESPACE
