// Injected faults: the plan is a pure function of its seed and the request number, fails the
// fraction it is given, and a failed request changes nothing; the router answers it 429/5xx with
// the plan's Retry-After, after the plan's delay.
#include <algorithm>
#include <set>

#include "fixture.hpp"

using namespace mock_test;

namespace mock_faults_test {

mock::fault_options plan(double rate, std::uint64_t seed = 7) {
  mock::fault_options o;
  o.rate = rate;
  o.seed = seed;
  return o;
}

/// The statuses (0: served) of requests 0..n-1 under `o`.
std::vector<int> sequence(const mock::fault_options& o, std::uint64_t n) {
  std::vector<int> out;
  for (std::uint64_t i = 0; i < n; ++i)
    out.push_back(mock::fault_for(o, i) ? mock::fault_for(o, i)->status : 0);
  return out;
}

}  // namespace mock_faults_test

TEST_CASE("fault plans: a pure function of seed and request number", "[mock][faults]") {
  using namespace mock_faults_test;
  const auto o = plan(0.25);
  CHECK(sequence(o, 2000) == sequence(o, 2000));
  CHECK(sequence(o, 2000) != sequence(plan(0.25, 8), 2000));
  // The fraction failed is the rate's, and both statuses are drawn.
  const auto s = sequence(o, 20000);
  std::size_t failed = 0, too_many = 0;
  for (int x : s) {
    failed += x != 0;
    too_many += x == 429;
  }
  CHECK(failed > 20000 * 0.23);
  CHECK(failed < 20000 * 0.27);
  CHECK(too_many > failed * 0.45);
  CHECK(too_many < failed * 0.55);
  CHECK(std::all_of(s.begin(), s.end(), [](int x) { return x == 0 || x == 429 || x == 503; }));
  // The ends are exact.
  const auto never = sequence(plan(0), 1000), always = sequence(plan(1), 1000);
  CHECK(std::all_of(never.begin(), never.end(), [](int x) { return x == 0; }));
  CHECK(std::none_of(always.begin(), always.end(), [](int x) { return x == 0; }));
  auto one = plan(1);
  one.statuses = {502};
  one.retry_after = 3;
  const auto f = mock::fault_for(one, 12345);
  REQUIRE(f);
  CHECK(f->status == 502);
  CHECK(f->retry_after == 3u);
}

TEST_CASE("fault plans: bad settings name their field", "[mock][faults]") {
  using namespace mock_faults_test;
  auto refused = [](const mock::fault_options& o) {
    try {
      mock::validate(o, {"--fault-rate", "--fault-status", "--fault-retry-after", "--fault-delay"});
    } catch (const validation_error& e) {
      return e.field();
    }
    return std::string("accepted");
  };
  CHECK(refused(plan(0.5)) == "accepted");
  CHECK(refused(plan(-0.1)) == "--fault-rate");
  CHECK(refused(plan(1.5)) == "--fault-rate");
  CHECK(refused(plan(std::nan(""))) == "--fault-rate");
  auto o = plan(0.5);
  o.statuses = {429, 404};
  CHECK(refused(o) == "--fault-status[1]");
  o.statuses = {};
  CHECK(refused(o) == "--fault-status");
  o = plan(0.5);
  o.retry_after = 3601;
  CHECK(refused(o) == "--fault-retry-after");
  o = plan(0.5);
  o.delay_ms = 60001;
  CHECK(refused(o) == "--fault-delay");
  CHECK_NOTHROW(mock::validate(plan(1)));
}

TEST_CASE("router: failed requests are answered 429/5xx and change nothing", "[mock][faults]") {
  using namespace mock_faults_test;
  mock::store store{test_options()};
  mock::router_options failing;
  failing.faults = plan(1);
  failing.faults.retry_after = 2;
  const mock::router flaky{store, failing};
  const mock::router healthy{store};
  const std::string create = R"({"name": "web", "project": ")" + project_a + R"("})";
  for (int i = 0; i < 20; ++i) {
    auto r = flaky.call("POST", base, create);
    CAPTURE(i);
    REQUIRE((r.status == 429 || r.status == 503));
    const auto body = body_of(r);
    CHECK(body["type"] == (r.status == 429 ? "too_many_requests" : "service_unavailable"));
    REQUIRE(r.header("Retry-After"));
    CHECK(*r.header("Retry-After") == "2");
    REQUIRE(r.header("Content-Type"));
    CHECK(*r.header("Content-Type") == "application/json");
  }
  CHECK(body_of(healthy.call("GET", base))["security_groups"].empty());

  // Requests are numbered in arrival order: the router fails exactly the plan's numbers.
  mock::router_options half;
  half.faults = plan(0.5, 99);
  const mock::router sometimes{store, half};
  std::vector<int> seen;
  for (int i = 0; i < 64; ++i) {
    auto r = sometimes.call("GET", base);
    seen.push_back(r.status == 200 ? 0 : r.status);
    CHECK(!r.header("Retry-After"));  // none unless the plan sets one
  }
  CHECK(seen == sequence(half.faults, 64));
  CHECK(std::set<int>(seen.begin(), seen.end()).size() == 3);
}

TEST_CASE("router: the plan's delay comes before every answer", "[mock][faults]") {
  mock::store store{test_options()};
  mock::router_options slow;
  slow.faults.delay_ms = 40;
  const mock::router api{store, slow};
  const auto start = std::chrono::steady_clock::now();
  auto r = api.call("GET", base);
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(40));
  CHECK(r.status == 200);  // delayed, not failed
}
