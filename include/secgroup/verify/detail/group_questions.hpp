// secgroup/verify/detail/group_questions.hpp: the whole-group questions of the Z3 engine:
// ALL / NONE / PARTIAL over the packets a selection holds (queries and where expressions), and
// a packet on which a condition between two groups holds (equivalence and inclusion).
//
// This header is an implementation detail of secgroup::z3 (it includes <z3++.h>).
#pragma once

#include <z3++.h>

#include <vector>

#include "../../analysis/diff.hpp"
#include "../../analysis/query.hpp"
#include "../../check.hpp"
#include "../../config.hpp"
#include "../../protocol.hpp"
#include "../../security_group.hpp"
#include "../../where.hpp"
#include "../options.hpp"
#include "encode.hpp"
#include "session.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace verify::detail {

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

}  // namespace verify::detail
SECGROUP_END_NAMESPACE
