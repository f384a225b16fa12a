// Batches and kernels: search_forest against std::upper_bound with every kernel this CPU runs;
// compiled_group's batches (groups of 64 descending their trees together) against the reference
// on large generated groups whose address tables have several depths, with batches of one
// policy, of mixed policies and of every awkward length.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <random>
#include <secgroup/secgroup.hpp>
#include <span>
#include <string>
#include <vector>

#include "../../bench/classbench.hpp"
#include "support/random_groups.hpp"

using namespace secgroup;

namespace batch_test {

constexpr std::array all_isas{isa::baseline, isa::avx2, isa::avx512};

/// The kernels this CPU runs (baseline at least).
std::vector<isa> runnable_isas() {
  std::vector<isa> out;
  for (auto i : all_isas)
    if (isa_supported(i)) out.push_back(i);
  return out;
}

/// The segment of `x` among sorted `starts` (the first is 0): the last start <= x.
std::size_t expected_segment(const std::vector<std::uint32_t>& starts, std::uint32_t x) {
  return static_cast<std::size_t>(std::upper_bound(starts.begin(), starts.end(), x) -
                                  starts.begin()) -
         1;
}

template <isa I>
std::size_t segment_with(const detail::search_forest<std::uint32_t>& f,
                         const detail::search_forest<std::uint32_t>::tree& t, std::uint32_t x) {
  return f.segment<I>(t, x);
}

std::size_t segment_with(isa i, const detail::search_forest<std::uint32_t>& f,
                         const detail::search_forest<std::uint32_t>::tree& t, std::uint32_t x) {
  switch (i) {
    case isa::avx512:
      return segment_with<isa::avx512>(f, t, x);
    case isa::avx2:
      return segment_with<isa::avx2>(f, t, x);
    case isa::baseline:
      break;
  }
  return segment_with<isa::baseline>(f, t, x);
}

}  // namespace batch_test

using namespace batch_test;

TEST_CASE("batch: search_forest finds every segment with every kernel", "[batch][forest]") {
  using forest = detail::search_forest<std::uint32_t>;
  STATIC_REQUIRE(forest::block == 32);
  std::mt19937_64 rng(41);
  forest f;
  std::vector<std::vector<std::uint32_t>> all_starts;
  std::vector<forest::tree> trees;
  // Sizes around the block (32) and its powers: one level, full blocks, one key over.
  for (std::size_t n : {1, 2, 31, 32, 33, 34, 1023, 1024, 1025, 1057, 32768, 32769, 40000}) {
    std::vector<std::uint32_t> starts{0};
    while (starts.size() < n) starts.push_back(static_cast<std::uint32_t>(rng()) | 1u);
    if (n > 2) starts.back() = 0xffffffffu;  // a segment of the maximum alone
    std::sort(starts.begin(), starts.end());
    starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
    trees.push_back(f.add(starts, 0xffffffffu));
    all_starts.push_back(std::move(starts));
  }
  CHECK(trees.front().depth == 1);
  CHECK(std::any_of(trees.begin(), trees.end(), [](auto& t) { return t.depth == 4; }));
  for (auto i : runnable_isas()) {
    INFO("isa " << to_string(i));
    for (std::size_t k = 0; k < trees.size(); ++k) {
      const auto& starts = all_starts[k];
      INFO(starts.size() << " segments");
      std::vector<std::uint32_t> probes{0, 1, 0x7fffffffu, 0x80000000u, 0xfffffffeu, 0xffffffffu};
      for (std::size_t s = 0; s < starts.size(); s += 1 + starts.size() / 300) {
        probes.push_back(starts[s]);
        if (starts[s] > 0) probes.push_back(starts[s] - 1);
        probes.push_back(starts[s] + 1);
      }
      for (int r = 0; r < 200; ++r) probes.push_back(static_cast<std::uint32_t>(rng()));
      for (auto x : probes) {
        INFO("x = " << x);
        REQUIRE(segment_with(i, f, trees[k], x) == expected_segment(starts, x));
      }
    }
  }
}

TEST_CASE("batch: an instruction set this CPU lacks is refused, naming isa", "[batch]") {
  const compiled_group compiled;
  std::vector<packet> in(3);
  std::vector<decision> out(3);
  for (auto i : all_isas) {
    INFO("isa " << to_string(i));
    if (isa_supported(i)) {
      CHECK_NOTHROW(compiled.evaluate(in, out, i));
    } else {
      try {
        compiled.evaluate(in, out, i);
        FAIL("no error");
      } catch (const validation_error& e) {
        CHECK(e.field() == "isa");
        CHECK(e.id() == errc::bad_value);
      }
    }
  }
  CHECK(isa_supported(isa::baseline));
  CHECK(isa_supported(best_isa()));
}

TEST_CASE("batch: batches agree with the reference on every kernel, trees of every depth",
          "[batch][slow]") {
  for (auto profile : {classbench::profile::acl, classbench::profile::fw}) {
    // 8000 rules, a quarter IPv6: IPv4 tables of two levels and of three.
    const auto g = classbench::generate_group(8000, 11, profile, 25);
    const compiled_policy<ipv4_space> inbound(
        lower<family::v4>(ordered_rules(g), direction::inbound, action::drop));
    auto packets = classbench::generate_trace(g, 4000, 5);
    std::array<std::size_t, 9> at_depth{};  // IPv4 packets by the depth of their table
    for (const auto& p : packets)
      if (p.remote.af == family::v4) ++at_depth[inbound.depth_of(point_of<ipv4_space>(p))];
    CHECK(at_depth[2] > 100);
    CHECK(at_depth[3] > 100);
    // Every seventh packet outbound, so that groups of 64 mix policies; the first 640 stay
    // inbound, so that whole groups hold one policy.
    for (std::size_t k = 640; k < packets.size(); k += 7) packets[k].direction = direction::outbound;
    const reference_evaluator reference(g);
    const compiled_group compiled(g);
    std::vector<decision> want;
    for (const auto& p : packets) {
      want.push_back(reference.evaluate(p));
      REQUIRE(compiled.evaluate(p) == want.back());
    }
    for (auto i : runnable_isas()) {
      INFO("isa " << to_string(i) << ", profile " << to_string(profile));
      // Batch lengths around the group size of 64, and everything at once.
      for (std::size_t size : {std::size_t{1}, std::size_t{63}, std::size_t{64}, std::size_t{65},
                               std::size_t{257}, packets.size()}) {
        std::vector<decision> got(packets.size() + 1, decision{action::accept, 4242});
        const std::span<const packet> all(packets);
        for (std::size_t at = 0; at < packets.size(); at += size) {
          const auto n = std::min(size, packets.size() - at);
          compiled.evaluate(all.subspan(at, n), std::span<decision>(got).subspan(at, n), i);
        }
        REQUIRE(got.back() == (decision{action::accept, 4242}));
        for (std::size_t k = 0; k < packets.size(); ++k) {
          if (got[k] == want[k]) continue;
          FAIL("batch of " << size << ": " << to_string(packets[k]) << " decided "
                           << secgroup_test::describe(got[k]) << ", reference "
                           << secgroup_test::describe(want[k]));
        }
      }
    }
  }
}
