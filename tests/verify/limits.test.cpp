// Unknown outcomes: a solver query that runs out of its resource budget or its time makes the
// answer unknown, with the reason, through every entry point. The resource limit (Z3's
// rlimit) is deterministic; the timeout case uses a group large enough that the first query
// cannot end within 1 ms (1000 rules: loading them alone takes longer).
#include <catch2/catch.hpp>
#include <secgroup/analysis.hpp>
#include <secgroup/verify/z3.hpp>

#include "../../bench/classbench.hpp"
#include "support/random_groups.hpp"

using namespace secgroup;

namespace {

security_group sample_group() {
  secgroup_test::rng_type rng(7001);
  for (;;) {  // a group with findings in both directions
    auto g = secgroup_test::random_group(rng, {20, 40, 0});
    auto report = analysis::analyze(g);
    bool in = false, out = false;
    for (const auto& f : report.findings) (f.direction == direction::inbound ? in : out) = true;
    if (in && out) return g;
  }
}

}  // namespace

TEST_CASE("limits: an exhausted resource budget makes every answer unknown", "[verify][limits]") {
  const auto g = sample_group();
  auto h = g;
  h.inbound_default_policy = !h.inbound_default_policy;
  verify::options o;
  o.resource_limit = 1;
  const std::string reason = "resource limit of 1 exceeded";

  auto report = verify::analyze(g, o);
  CHECK_FALSE(report.complete());
  CHECK(report.report.findings.empty());
  REQUIRE_FALSE(report.unknown.empty());
  for (const auto& u : report.unknown) {
    CHECK(u.reason == reason);
    CHECK(u.rule < report.report.rules.size());
    CHECK(report.report.rules[u.rule].direction == u.direction);
  }
  // The same input runs out at the same places.
  auto again = verify::analyze(g, o);
  REQUIRE(again.unknown.size() == report.unknown.size());
  for (std::size_t k = 0; k < again.unknown.size(); ++k) {
    CHECK(again.unknown[k].rule == report.unknown[k].rule);
    CHECK(again.unknown[k].question == report.unknown[k].question);
  }

  auto eq = verify::equivalence(g, h, o);
  CHECK(eq.result == outcome::unknown);
  CHECK(eq.reason == reason);
  CHECK_FALSE(eq.counterexample);

  auto inc = verify::includes(g, h, o);
  CHECK(inc.result == outcome::unknown);
  CHECK(inc.reason == reason);

  analysis::query q;
  auto qr = verify::evaluate_query(g, q, o);
  CHECK(qr.answer == analysis::coverage::unknown);
  CHECK(qr.reason == reason);

  auto wr = verify::evaluate_where(g, parse_where("inbound and tcp"), o);
  CHECK(wr.answer == analysis::coverage::unknown);
  CHECK(wr.reason == reason);
}

TEST_CASE("limits: a generous budget changes nothing", "[verify][limits]") {
  const auto g = sample_group();
  verify::options limited;
  limited.resource_limit = 50'000'000;
  limited.timeout_ms = 0;
  auto a = verify::analyze(g, limited);
  auto b = verify::analyze(g);
  REQUIRE(a.complete());
  REQUIRE(b.complete());
  CHECK(a.report.findings.size() == b.report.findings.size());
  CHECK(a.report.findings.size() == analysis::analyze(g).findings.size());
  auto h = g;
  h.outbound_default_policy = !h.outbound_default_policy;
  CHECK(verify::equivalence(g, h, limited).result == outcome::violated);
  CHECK(verify::equivalence(g, g, limited).result == outcome::holds);
}

TEST_CASE("limits: a 1 ms timeout on a large group", "[verify][limits]") {
  const auto g = classbench::generate_group(1000, 99, classbench::profile::fw, 20);
  auto h = g;
  h.rules.back().action = !h.rules.back().action;
  verify::options o;
  o.timeout_ms = 1;
  auto eq = verify::equivalence(g, h, o);
  CHECK(eq.result == outcome::unknown);
  CHECK(eq.reason == "timeout after 1 ms");
  analysis::query q;
  q.direction = direction::inbound;
  auto qr = verify::evaluate_query(g, q, o);
  CHECK(qr.answer == analysis::coverage::unknown);
  CHECK(qr.reason == "timeout after 1 ms");
}
