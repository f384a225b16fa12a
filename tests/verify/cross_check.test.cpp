// The Z3 engine against the interval engine, on thousands of random groups (fixed seeds; IPv6,
// default SMTP rules, default policies and ids of default rules included): the same shadowed,
// redundant, correlated and generalization findings with the same reasons, the same
// equivalence verdicts and the same query answers; each engine's witnesses checked with the
// reference evaluator, related rules of dead rules checked as covers on the exact cell grid
// (oracle.hpp), and verdicts re-checked on that grid too.
#include <catch2/catch.hpp>
#include <map>
#include <secgroup/analysis.hpp>
#include <secgroup/reference.hpp>
#include <secgroup/verify/z3.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "support/random_groups.hpp"
#include "support/scale.hpp"
#include "verify/oracle.hpp"

using namespace secgroup;
using secgroup_test::chance;
using secgroup_test::rng_type;
using secgroup_test::uniform;

namespace {

/// The decision of `rules` (evaluation order) for `p` with rule `skip` left out.
decision decide_without(const security_group& g, const std::vector<rule>& rules,
                        std::uint32_t skip, const packet& p) {
  for (std::uint32_t i = 0; i < rules.size(); ++i)
    if (i != skip && matches(rules[i], p)) return {rules[i].action, i};
  return {g.default_policy(p.direction), decision::no_rule};
}

/// The identity of a finding for comparing engines: rule, kind, direction and reason; the
/// related rules too where both engines define them alike (falls_through and pairs).
using finding_key =
    std::tuple<std::uint32_t, int, int, analysis::finding_reason, std::vector<std::uint32_t>, bool>;

/// True iff the finding's related rules are a cover of a dead rule, which the engines choose
/// differently (blocked or covered).
bool covers_dead_rule(const analysis::finding& f) {
  return f.reason == analysis::finding_reason::blocked ||
         f.reason == analysis::finding_reason::covered;
}

finding_key key_of(const analysis::finding& f) {
  const bool same_related = !covers_dead_rule(f);
  return {f.rule,
          static_cast<int>(f.kind),
          static_cast<int>(f.direction),
          f.reason,
          same_related ? f.related : std::vector<std::uint32_t>{},
          f.to_default};
}

/// Checks a finding of either engine against the reference evaluator and the cell grid.
void check_finding(const security_group& g, const std::vector<rule>& rules,
                   const std::vector<packet>& cells, const analysis::finding& f,
                   const char* engine) {
  INFO(engine << " finding: " << to_string(f.kind) << " (" << to_string(f.reason) << ") of rule "
              << f.rule);
  const auto& r = rules.at(f.rule);
  CHECK(r.editable);
  CHECK(f.direction == r.direction);
  REQUIRE(f.witness);
  const auto& w = *f.witness;
  INFO("witness " << to_string(w));
  CHECK(w.direction == f.direction);
  const reference_evaluator ref(g);
  const auto d = ref.evaluate(w);
  switch (f.kind) {
    case analysis::finding_kind::shadowed:
      CHECK(matches(r, w));
      CHECK(d.action != r.action);
      break;
    case analysis::finding_kind::redundant:
      if (f.reason == analysis::finding_reason::covered) {
        CHECK(matches(r, w));
        CHECK(d.rule < f.rule);
        CHECK(d.action == r.action);
      } else {
        REQUIRE(f.reason == analysis::finding_reason::falls_through);
        CHECK(d.rule == f.rule);
        CHECK(decide_without(g, rules, f.rule, w).action == r.action);
        // Its packets fall through to exactly the related rules, and to the default iff
        // to_default: checked on the cell grid.
        std::vector<std::uint32_t> takers;
        bool to_default = false;
        for (const auto& p : cells) {
          if (ref.evaluate(p).rule != f.rule) continue;
          auto next = decide_without(g, rules, f.rule, p);
          if (next.by_default())
            to_default = true;
          else
            takers.push_back(next.rule);
        }
        std::sort(takers.begin(), takers.end());
        takers.erase(std::unique(takers.begin(), takers.end()), takers.end());
        CHECK(takers == f.related);
        CHECK(to_default == f.to_default);
      }
      break;
    case analysis::finding_kind::correlated:
    case analysis::finding_kind::generalization:
      REQUIRE(f.related.size() == 1);
      CHECK(f.related[0] < f.rule);
      CHECK(matches(r, w));
      CHECK(d.rule == f.related[0]);
      CHECK(rules[f.related[0]].action != r.action);
      break;
  }
  if (!covers_dead_rule(f)) return;
  // Dead rules: the related rules are earlier and cover the rule; a shadowed rule's include
  // one of the other action.
  auto uncovered = [&](const std::vector<std::uint32_t>& set) {
    return secgroup_test::find_cell(cells, [&](const packet& p) {
      if (!matches(r, p)) return false;
      for (auto j : set)
        if (matches(rules[j], p)) return false;
      return true;
    });
  };
  for (auto j : f.related) CHECK(j < f.rule);
  if (auto hole = uncovered(f.related)) FAIL_CHECK("not covered: " << to_string(*hole));
  if (f.kind == analysis::finding_kind::shadowed)
    CHECK(std::any_of(f.related.begin(), f.related.end(),
                      [&](std::uint32_t j) { return rules[j].action != r.action; }));
  if (std::string(engine) != "z3") return;
  // Z3's cover is irreducible; a shadowed rule may carry one more rule, of the other action.
  std::size_t removable = 0;
  for (std::size_t k = 0; k < f.related.size(); ++k) {
    auto rest = f.related;
    rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(k));
    if (!uncovered(rest)) {
      ++removable;
      CHECK(f.kind == analysis::finding_kind::shadowed);
      CHECK(rules[f.related[k]].action != r.action);
    }
  }
  CHECK(removable <= 1);
}

/// Compares the two engines' reports on `g` and checks every finding.
void cross_check_analysis(const security_group& g, const verify::options& o) {
  INFO(secgroup_test::describe(g));
  auto interval = analysis::analyze(g);
  auto z3 = verify::analyze(g, o);
  REQUIRE(z3.complete());
  REQUIRE(z3.report.rules == interval.rules);
  std::vector<finding_key> a, b;
  for (const auto& f : interval.findings) a.push_back(key_of(f));
  for (const auto& f : z3.report.findings) b.push_back(key_of(f));
  REQUIRE(a == b);
  secgroup_test::grid grid;
  grid.add(g);
  const auto cells = grid.packets();
  for (const auto& f : interval.findings) check_finding(g, interval.rules, cells, f, "interval");
  for (const auto& f : z3.report.findings) check_finding(g, interval.rules, cells, f, "z3");
}

}  // namespace

TEST_CASE("cross-check: anomalies of random groups", "[verify][cross][slow]") {
  // Small groups, many of them: both encodings (a whole slice, and rule by rule).
  rng_type rng(4001);
  std::size_t findings = 0;
  for (int n = 0; n < secgroup_test::scaled(1200); ++n) {
    auto g = secgroup_test::random_group(rng, {12, 40, 3});
    verify::options o;
    if (n % 2) o.whole_slice_limit = 0;
    INFO("group " << n << ", whole_slice_limit " << o.whole_slice_limit);
    cross_check_analysis(g, o);
    findings += analysis::analyze(g).findings.size();
  }
  CHECK(findings > secgroup_test::scaled(2000u));  // the comparison is not vacuous
}

TEST_CASE("cross-check: anomalies of larger random groups", "[verify][cross][slow]") {
  rng_type rng(4002);
  for (int n = 0; n < secgroup_test::scaled(40); ++n) {
    auto g = secgroup_test::random_group(rng, {60, 50, 5});
    verify::options o;
    if (n % 2) o.whole_slice_limit = 0;
    INFO("group " << n << ", whole_slice_limit " << o.whole_slice_limit);
    cross_check_analysis(g, o);
  }
}

TEST_CASE("cross-check: anomalies without pairs are the shadowed and redundant ones",
          "[verify][cross]") {
  rng_type rng(4003);
  for (int n = 0; n < 100; ++n) {
    auto g = secgroup_test::random_group(rng, {20, 40, 3});
    verify::options o;
    o.pairs = false;
    auto z3 = verify::analyze(g, o);
    REQUIRE(z3.complete());
    std::vector<finding_key> a, b;
    for (const auto& f : analysis::analyze(g).findings)
      if (f.kind == analysis::finding_kind::shadowed || f.kind == analysis::finding_kind::redundant)
        a.push_back(key_of(f));
    for (const auto& f : z3.report.findings) b.push_back(key_of(f));
    INFO(secgroup_test::describe(g));
    CHECK(a == b);
  }
}

namespace {

/// A variant of `g`: some equivalent by construction, most not (or by chance).
security_group mutate(rng_type& rng, const security_group& g) {
  auto h = g;
  auto pick_rule = [&]() -> rule* {
    return h.rules.empty() ? nullptr : &h.rules[uniform(rng, 0, h.rules.size() - 1)];
  };
  switch (uniform(rng, 0, 7)) {
    case 0:
      if (auto* r = pick_rule()) r->action = !r->action;
      break;
    case 1:
      if (!h.rules.empty()) h.rules.erase(h.rules.begin() + static_cast<std::ptrdiff_t>(uniform(rng, 0, h.rules.size() - 1)));
      break;
    case 2:
      if (auto* r = pick_rule()) r->position = static_cast<std::uint32_t>(uniform(rng, 1, h.rules.size() / 2 + 1));
      break;
    case 3:
      if (chance(rng, 50))
        h.inbound_default_policy = !h.inbound_default_policy;
      else
        h.outbound_default_policy = !h.outbound_default_policy;
      break;
    case 4: {  // the default rules written out as user rules: equivalent
      if (!h.enable_default_security) break;
      h.enable_default_security = false;
      auto written = default_rules(h.zone);
      for (auto& r : written) {
        r.id = "written-" + r.id;
        r.position = 0;
        r.editable = true;
      }
      h.rules.insert(h.rules.begin(), written.begin(), written.end());
      break;
    }
    case 5: {  // one redundant rule removed: equivalent
      auto report = analysis::analyze(h);
      auto rules = ordered_rules(h);
      for (const auto& f : report.findings) {
        if (f.kind != analysis::finding_kind::redundant) continue;
        const auto& id = rules[f.rule].id;
        auto it = std::find_if(h.rules.begin(), h.rules.end(), [&](const rule& r) {
          return r.id == id && normalize(r) == rules[f.rule];
        });
        if (it != h.rules.end()) h.rules.erase(it);
        break;
      }
      break;
    }
    case 6:
      if (auto* r = pick_rule())
        r->ip_range = ip_network::of(r->ip_range.address,
                                     std::min<unsigned>(address_bits(r->ip_range.af()),
                                                        r->ip_range.prefix + 1));
      break;
    default:
      if (auto* r = pick_rule()) r->ports = secgroup_test::random_port_range(rng);
      break;
  }
  return h;
}

void check_diff_witness(const security_group& a, const security_group& b,
                        const analysis::diff_witness& w) {
  INFO("witness " << to_string(w.packet));
  auto da = evaluate_reference(a, w.packet), db = evaluate_reference(b, w.packet);
  CHECK(da.action != db.action);
  CHECK(w.a == da);
  CHECK(w.b == db);
}

}  // namespace

TEST_CASE("cross-check: equivalence of random group pairs", "[verify][cross][slow]") {
  rng_type rng(4004);
  std::map<outcome, int> seen;
  for (int n = 0; n < secgroup_test::scaled(1500); ++n) {
    auto a = secgroup_test::random_group(rng, {14, 40, 3});
    auto b = mutate(rng, a);
    if (chance(rng, 10)) b = secgroup_test::random_group(rng, {14, 40, 3});
    INFO("pair " << n << "\nA:\n" << secgroup_test::describe(a) << "\nB:\n"
                 << secgroup_test::describe(b));
    auto interval = analysis::equivalence(a, b);
    auto z3 = verify::equivalence(a, b);
    REQUIRE(z3.result == interval.result);
    ++seen[z3.result];
    secgroup_test::grid grid;
    grid.add(a);
    grid.add(b);
    auto differs = secgroup_test::find_cell(grid.packets(), [&](const packet& p) {
      return evaluate_reference(a, p).action != evaluate_reference(b, p).action;
    });
    CHECK(differs.has_value() == (z3.result == outcome::violated));
    if (z3.result == outcome::violated) {
      REQUIRE(z3.counterexample);
      REQUIRE(interval.counterexample);
      check_diff_witness(a, b, *z3.counterexample);
      check_diff_witness(a, b, *interval.counterexample);
    } else {
      CHECK_FALSE(z3.counterexample);
    }
  }
  CHECK(seen[outcome::holds] > secgroup_test::scaled(200));
  CHECK(seen[outcome::violated] > secgroup_test::scaled(200));
}

namespace {

analysis::query random_query(rng_type& rng, const security_group& g) {
  analysis::query q;
  q.direction = chance(rng, 50) ? direction::inbound : direction::outbound;
  auto k = uniform(rng, 0, 9);
  q.protocols = k < 3 ? all_protocols
                      : k < 8 ? static_cast<proto_mask>(1u << uniform(rng, 0, 3))
                              : static_cast<proto_mask>(uniform(rng, 0, 15));
  auto rules = ordered_rules(g);
  for (auto n = uniform(rng, 0, 3); n-- > 0;) {
    if (!rules.empty() && chance(rng, 70)) {
      auto net = rules[uniform(rng, 0, rules.size() - 1)].ip_range;
      auto bits = address_bits(net.af());
      auto prefix = chance(rng, 50) ? net.prefix
                                    : static_cast<unsigned>(uniform(rng, 0, bits));
      q.remotes.push_back(ip_network::of(net.address, prefix));
    } else {
      auto f = chance(rng, 50) ? family::v4 : family::v6;
      q.remotes.push_back(ip_network::of(secgroup_test::random_ip(rng, f),
                                         static_cast<unsigned>(uniform(rng, 0, address_bits(f)))));
    }
  }
  auto p = [&] { return static_cast<std::uint32_t>(chance(rng, 30) ? secgroup_test::pick(rng, std::array<std::uint32_t, 6>{0, 22, 25, 80, 443, 65535}) : uniform(rng, 0, 65535)); };
  auto x = p(), y = p();
  q.ports = chance(rng, 30) ? interval<std::uint32_t>{0, 65535}
            : chance(rng, 5) ? interval<std::uint32_t>{std::max(x, y), std::min(x, y)}
                             : interval<std::uint32_t>{std::min(x, y), std::max(x, y)};
  return q;
}

void check_query_witness(const security_group& g, const analysis::query& q,
                         const std::optional<analysis::query_witness>& w, action expected) {
  REQUIRE(w);
  INFO("witness " << to_string(w->packet));
  CHECK(secgroup_test::in_query(q, w->packet));
  auto d = evaluate_reference(g, w->packet);
  CHECK(w->decision == d);
  CHECK(d.action == expected);
}

}  // namespace

TEST_CASE("cross-check: reachability queries", "[verify][cross][slow]") {
  rng_type rng(4005);
  std::map<analysis::coverage, int> seen;
  for (int n = 0; n < secgroup_test::scaled(1500); ++n) {
    auto g = secgroup_test::random_group(rng, {14, 40, 3});
    auto q = random_query(rng, g);
    INFO("case " << n << "\n" << secgroup_test::describe(g));
    auto interval = analysis::evaluate_query(g, q);
    auto z3 = verify::evaluate_query(g, q);
    REQUIRE(z3.answer == interval.answer);
    ++seen[z3.answer];
    secgroup_test::grid grid;
    grid.add(g);
    grid.add(q);
    CHECK(secgroup_test::exact_coverage(g, grid.packets(), [&](const packet& p) {
            return secgroup_test::in_query(q, p);
          }) == z3.answer);
    for (const auto* r : {&interval, &z3}) {
      CHECK(r->accepted.has_value() == (r->answer != analysis::coverage::none));
      if (r->accepted) check_query_witness(g, q, r->accepted, action::accept);
      if (r->answer == analysis::coverage::partial) CHECK(r->dropped);
      if (r->answer == analysis::coverage::all) CHECK_FALSE(r->dropped);
      if (r->dropped) check_query_witness(g, q, r->dropped, action::drop);
    }
    CHECK(z3.dropped.has_value() == interval.dropped.has_value());
  }
  for (auto c : {analysis::coverage::all, analysis::coverage::none, analysis::coverage::partial})
    CHECK(seen[c] > secgroup_test::scaled(100));
}
