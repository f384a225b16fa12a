// Exactness of the faster paths of lint (issue 12 item 13): effective_group::falls_to_default
// (now answered from the last-match partition) against its former definition (a partition of
// the rules after the one asked about), effective_group::evaluate (a partition lookup) against
// reference_evaluator, and source_text::find after index() against the plain search of the
// text, on random groups. Timings are in bench/lint.bench.cpp, not here.
#include <algorithm>
#include <random>
#include <secgroup/detail/text.hpp>
#include <secgroup/io/json.hpp>
#include <secgroup/lint/run.hpp>
#include <secgroup/lower.hpp>
#include <secgroup/partition.hpp>
#include <secgroup/reference.hpp>

#include "lint/support.hpp"
#include "support/random_groups.hpp"

namespace lint_scale_test {

using namespace secgroup;

/// The former falls_to_default: some packet rule `index` decides matches no later rule of its
/// direction and family (the partition of the later rules leaves it to the default).
template <family F>
bool falls_to_default_oracle(const std::vector<rule>& rules, const security_group& g,
                             std::uint32_t index) {
  using S = space_of<F>;
  const auto d = rules[index].direction;
  const auto pol = lower<F>(rules, d, g.default_policy(d));
  const partition<S> part(pol);
  auto it = std::find(pol.origin.begin(), pol.origin.end(), index);
  if (it == pol.origin.end()) return false;
  const auto j = static_cast<std::uint32_t>(it - pol.origin.begin());
  policy<S> later;
  later.default_action = pol.default_action;
  later.rules.assign(pol.rules.begin() + j + 1, pol.rules.end());
  const partition<S> rest(later);
  bool found = false;
  part.for_each_region_in(
      pol.rules[j].match, [&](proto_class c, const auto& a, const auto& p, std::uint32_t rule) {
        if (found || rule != j) return;
        rest.for_each_region_in(box<S>{mask_of(c), a, p},
                                [&](auto, const auto&, const auto&, std::uint32_t r) {
                                  found = found || r == decision::no_rule;
                                });
      });
  return found;
}

TEST_CASE("falls_to_default: the last-match partition answers as the later rules' partition") {
  secgroup_test::rng_type rng(20261203);
  std::size_t yes = 0, asked = 0;
  for (int round = 0; round < 300; ++round) {
    secgroup_test::group_options o;
    const auto g = secgroup_test::random_group(rng, o);
    const lint::effective_group eg(g);
    const auto& rules = eg.rules();
    for (std::uint32_t i = 0; i < rules.size(); ++i) {
      const bool want = rules[i].ip_range.af() == family::v4
                            ? falls_to_default_oracle<family::v4>(rules, g, i)
                            : falls_to_default_oracle<family::v6>(rules, g, i);
      INFO("round " << round << " rule " << i);
      CHECK(eg.falls_to_default(i) == want);
      yes += want;
      ++asked;
    }
  }
  CHECK(asked > 1000);  // not vacuous: both answers occur often
  CHECK(yes > 100);
  CHECK(asked - yes > 100);
}

TEST_CASE("effective_group::evaluate: the partition lookup decides as the reference scan") {
  secgroup_test::rng_type rng(20261205);
  std::size_t packets = 0, by_rule = 0, by_default = 0;
  for (int round = 0; round < 300; ++round) {
    secgroup_test::group_options o;
    o.max_rules = round % 10 == 0 ? 400 : 60;  // some large groups: many segments and runs
    const auto g = secgroup_test::random_group(rng, o);
    const lint::effective_group eg(g);
    const reference_evaluator reference(g);
    auto sample = secgroup_test::random_packets(rng, g, 200);
    if (round % 10 == 1) {  // every boundary packet of every rule, on the smaller groups
      const auto edges = secgroup_test::edge_packets(g);
      sample.insert(sample.end(), edges.begin(), edges.end());
    }
    for (const auto& p : sample) {
      const auto want = reference.evaluate(p);
      INFO("round " << round << " packet " << to_string(p));
      REQUIRE(eg.evaluate(p) == want);
      ++packets;
      if (want.by_default())
        ++by_default;
      else
        ++by_rule;
    }
  }
  CHECK(packets > 50000);  // not vacuous: rules and default policies both decide often
  CHECK(by_rule > 10000);
  CHECK(by_default > 5000);
}

TEST_CASE("source_text: find() after index() equals the search of the text") {
  secgroup_test::rng_type rng(7);
  for (int round = 0; round < 50; ++round) {
    json doc = {{"security_groups", json::array()}};
    std::vector<std::string> ids, in_text_order;  // index() looks for the next one first
    for (int k = 0; k < 3; ++k) {
      auto g = secgroup_test::random_group(rng);
      g.id = "g" + std::to_string(round) + "-" + std::to_string(k);
      in_text_order.push_back(g.id);
      auto j = group_to_json(g);
      j["rules"] = json::array();
      for (std::size_t i = 0; i < g.rules.size(); ++i) {
        auto r = g.rules[i];
        r.id = "r" + std::to_string(rng() % 20);  // repeats across groups
        ids.push_back(r.id);
        in_text_order.push_back(r.id);
        j["rules"].push_back(rule_to_json(r));
      }
      ids.push_back(g.id);
      doc["security_groups"].push_back(j);
    }
    for (auto* list : {&ids, &in_text_order}) {
      list->push_back("absent");
      list->push_back("protocol");  // a key
      list->push_back("TCP");       // a value of another field
    }
    auto reversed = in_text_order;
    std::reverse(reversed.begin(), reversed.end());
    const std::string text = doc.dump(round % 2 ? 1 : -1);
    const lint::source_text plain(text);
    for (const auto* list : {&ids, &in_text_order, &reversed}) {
      lint::source_text indexed(text);
      indexed.index(std::vector<std::string_view>(list->begin(), list->end()));
      for (const auto& id : ids)
        for (std::size_t from : {std::size_t{0}, text.size() / 3, text.size() / 2, text.size()}) {
          INFO(id << " from " << from);
          CHECK(indexed.find(id, from) == plain.find(id, from));
        }
    }
  }
}

}  // namespace lint_scale_test

TEST_CASE("source_text: index() reads escaped quotes and backslashes as the JSON string ends") {
  // "a\"b" is one string; "c\\" ends at its second quote; "d" follows; "e is unterminated.
  const std::string text = R"({"a\"b": "c\\", "k": ["d", "x\\\"y", "d"], "t": "e)";
  const secgroup::lint::source_text plain(text);
  secgroup::lint::source_text indexed(text);
  const std::vector<std::string_view> ids{"d", R"(c\\)", R"(a\"b)", R"(x\\\"y)", "k", "e"};
  indexed.index(ids);
  for (auto id : ids)
    for (std::size_t from = 0; from <= text.size(); ++from) {
      INFO(id << " from " << from);
      CHECK(indexed.find(id, from) == plain.find(id, from));
    }
  CHECK(indexed.find("d", 0) == text.find("\"d\""));
  CHECK_FALSE(indexed.find("e", 0));
  CHECK(indexed.line_of(text.size()) == 1);
  const secgroup::lint::source_text lines("a\nb\n\nc");
  CHECK(lines.line_of(0) == 1);
  CHECK(lines.line_of(2) == 2);
  CHECK(lines.line_of(5) == 4);
}

/// `size` bytes of 'x', each a newline instead with `percent` % chance.
static std::string text_with_newlines(std::size_t size, int percent, std::mt19937_64& rng) {
  std::string text(size, 'x');
  for (auto& c : text)
    if (static_cast<int>(rng() % 100) < percent) c = '\n';
  return text;
}

TEST_CASE("source_text: line_of() counts the newlines before an offset, across blocks") {
  // Texts around multiples of the 1 KiB blocks and of the 16-byte steps, with no newline, a few,
  // half, all; every offset, and one past the end, against a plain count.
  std::mt19937_64 rng(23);
  for (std::size_t size : {0, 1, 15, 16, 17, 1023, 1024, 1025, 4096, 8192 + 33, 20000}) {
    for (int density : {0, 1, 50, 100}) {
      const std::string text = text_with_newlines(size, density, rng);
      const secgroup::lint::source_text lines(text);
      std::uint32_t expected = 1;  // 1 + the newlines before `offset`
      for (std::size_t offset = 0; offset <= size + 1; ++offset) {
        INFO("size " << size << " density " << density << " offset " << offset);
        REQUIRE(lines.line_of(offset) == expected);
        if (offset < size && text[offset] == '\n') ++expected;
      }
    }
  }
}

TEST_CASE("count_newlines: byte lanes summed before they overflow, any length") {
  // Lanes hold at most 255: lengths around 255 steps of 16 bytes (4080) and beyond, all newlines
  // or some, against std::count.
  std::mt19937_64 rng(29);
  for (std::size_t size : {4079, 4080, 4081, 4096, 8160, 8161, 100000 + 7})
    for (int density : {0, 1, 50, 100}) {
      const std::string text = text_with_newlines(size, density, rng);
      for (std::size_t from : {std::size_t{0}, std::size_t{1}, std::size_t{5}}) {
        const std::string_view s = std::string_view(text).substr(from);
        INFO("size " << size << " density " << density << " from " << from);
        CHECK(secgroup::detail::count_newlines(s) ==
              static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')));
      }
    }
}

TEST_CASE("networks_of: a limit keeps the first networks and one more") {
  secgroup_test::rng_type rng(11);
  for (int round = 0; round < 200; ++round) {
    const auto f = secgroup_test::chance(rng, 50) ? secgroup::family::v4 : secgroup::family::v6;
    secgroup::lint::range_set s;
    for (int k = 0; k < 3; ++k) {
      auto a = secgroup_test::random_ip(rng, f).value, b = secgroup_test::random_ip(rng, f).value;
      s.add({std::min(a, b), std::max(a, b)});
    }
    const auto all = secgroup::lint::networks_of(s, f);
    for (std::size_t limit : {std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{40}}) {
      const auto some = secgroup::lint::networks_of(s, f, limit);
      REQUIRE(some.size() == std::min(all.size(), limit + 1));
      CHECK(std::equal(some.begin(), some.end(), all.begin()));
    }
  }
}

TEST_CASE("address_runs: the union of many runs, as interval_set builds it") {
  // Runs as a whole-space scan meets them: ascending sequences that restart (one per port
  // class), repeating earlier runs, some adjacent or overlapping; enough to merge many times.
  using secgroup::detail::uint128;
  secgroup_test::rng_type rng(2026);
  for (int round = 0; round < 40; ++round) {
    secgroup::lint::address_runs runs;
    std::vector<secgroup::interval<uint128>> all;
    const auto width = static_cast<std::uint64_t>(secgroup_test::uniform(rng, 2, 5000));
    for (int sequence = 0; sequence < 60; ++sequence) {
      std::uint64_t at = secgroup_test::uniform(rng, 0, 1000);
      const auto n = secgroup_test::uniform(rng, 1, 300);
      for (std::uint64_t k = 0; k < n; ++k) {
        at += secgroup_test::uniform(rng, 0, width);  // 0: overlapping or adjacent
        const secgroup::interval<uint128> run{at, at + secgroup_test::uniform(rng, 0, width)};
        runs.add(run);
        all.push_back(run);
      }
    }
    const auto want = secgroup::lint::range_set(all);
    INFO("round " << round << ", " << all.size() << " runs");
    CHECK(runs.take().runs() == want.runs());
    CHECK(runs.take().empty());
  }
}
