// bench/growth.bench.cpp: how each cost grows with the number of rules (issue 14, "Cost growth").
//
// growth/METRIC/SET over the generated sets gen-acl-{100,1k,10k,100k} and
// stress-ranges-{100,1k,10k} (support.hpp's generators; the 100K set checks 2,048 trace packets
// against reference_evaluator when loading, the others every packet). METRIC is one of:
//   build        compiled_group(group): ms per build;
//   memory       compiled_group::memory() of the set's compiled group: counter `bytes` (the
//                time is that of the call, meaningless);
//   single       compiled_group::evaluate(packet) cycling through the trace: counter pkt_time;
//   batch256     compiled_group::evaluate(span, span) over batches of 256: counter pkt_time;
//   analyze      analysis::analyze(group): the anomaly report; counter findings;
//   equivalence  analysis::equivalence(group with enable_default_security, the same group with
//                the six SMTP rules written out as user rules): equivalent, so every region of
//                both partitions is compared; the verdict is checked;
//   minimize     analysis::minimize(group) with its proof, which is checked; counter removed;
//   lint         lint::linter().run(group), every check; counter findings.
// Every benchmark reports the counter `rules`. scripts/growth_plot.py reads the JSON output
// (--benchmark_format=json or --benchmark_out=FILE), fits the exponent of each metric and plots
// it (docs/benchmarks.md, "Cost growth").
//
// The cap: before running METRIC on a set, the benchmark predicts the time of one call from the
// same metric on the previous sizes of the same family (the log-log slope of the last two, at
// least 1, or linear from one); when the prediction exceeds SECGROUP_GROWTH_CAP_S seconds
// (default 60), it skips the metric at that size and at larger ones (the run reports it as an
// error "skipped: ..." and the script leaves it out). Benchmarks run in registration order:
// metric by metric, sizes ascending.
//
// Instructions, not seconds: under `valgrind --tool=callgrind --instr-atstart=no` only the
// measured calls are counted (the loading, generating and checking of the sets are not), so that
// with --benchmark_min_time=0.01 (one iteration, as one call under callgrind takes longer) the
// total is one call's instructions, repeatable whatever else the machine is doing.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>
#include <secgroup/analysis.hpp>
#include <secgroup/lint/lint.hpp>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "support.hpp"

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define SECGROUP_COUNT_START() CALLGRIND_START_INSTRUMENTATION
#define SECGROUP_COUNT_STOP() CALLGRIND_STOP_INSTRUMENTATION
#else
#define SECGROUP_COUNT_START() ((void)0)
#define SECGROUP_COUNT_STOP() ((void)0)
#endif

namespace secgroup_bench {
namespace growth_bench {

/// A set of the growth benchmarks: its family (the sizes of one family form a curve) and spec.
struct growth_set {
  std::string family;
  dataset_spec spec;
};

std::vector<growth_set> growth_sets() {
  std::vector<growth_set> out;
  const std::pair<std::size_t, const char*> sizes[] = {
      {100, "100"}, {1000, "1k"}, {10000, "10k"}, {100000, "100k"}};
  for (const auto& [n, label] : sizes) {
    dataset_spec s;
    s.name = std::string("gen-acl-") + label;
    s.profile = classbench::profile::acl;
    s.size = n;
    s.checked_packets = n > 10000 ? 2048 : 0;
    out.push_back({"gen-acl", s});
  }
  for (const auto& [n, label] : sizes) {
    if (n > 10000) break;
    dataset_spec s;
    s.name = std::string("stress-ranges-") + label;
    s.profile = classbench::profile::fw;
    s.size = n;
    s.random_range_percent = 10;
    out.push_back({"stress-ranges", s});
  }
  return out;
}

/// The cap on the predicted time of one call, in seconds (SECGROUP_GROWTH_CAP_S, default 60).
double cap_seconds() {
  const char* v = std::getenv("SECGROUP_GROWTH_CAP_S");
  if (!v || !*v) return 60;
  char* end = nullptr;
  const double s = std::strtod(v, &end);
  if (end == v || *end || !(s > 0)) fail("growth", "SECGROUP_GROWTH_CAP_S must be a positive number");
  return s;
}

/// Seconds per call measured so far, per (metric, family), by rule count.
std::map<std::pair<std::string, std::string>, std::map<std::size_t, double>>& history() {
  static std::map<std::pair<std::string, std::string>, std::map<std::size_t, double>> h;
  return h;
}

/// The predicted seconds of one call at `rules` rules from the smaller sizes measured, or 0.
double predict(const std::map<std::size_t, double>& measured, std::size_t rules) {
  std::vector<std::pair<double, double>> below;  // (rules, seconds), ascending
  for (const auto& [n, s] : measured)
    if (n < rules) below.push_back({static_cast<double>(n), s});
  if (below.empty()) return 0;
  const auto [n1, t1] = below.back();
  double k = 1;
  if (below.size() >= 2 && t1 > 0 && below[below.size() - 2].second > 0) {
    const auto [n0, t0] = below[below.size() - 2];
    k = std::max(1.0, std::log(t1 / t0) / std::log(n1 / n0));
  }
  return t1 * std::pow(static_cast<double>(rules) / n1, k);
}

/// Runs `call` once per iteration of the benchmark loop unless the cap skips it (see the file
/// comment), and records its seconds per call.
template <class F>
void timed(benchmark::State& state, const growth_set& set, const std::string& metric, F&& call) {
  const auto& d = load(set.spec);
  state.counters["rules"] = static_cast<double>(d.rules());
  auto& measured = history()[{metric, set.family}];
  const double predicted = predict(measured, d.rules());
  if (predicted > cap_seconds()) {
    state.SkipWithError(("skipped: predicted " + std::to_string(predicted) + " s per call > cap " +
                         std::to_string(cap_seconds()) + " s (SECGROUP_GROWTH_CAP_S)")
                            .c_str());
    measured[d.rules()] = predicted;  // larger sizes are skipped too
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  SECGROUP_COUNT_START();  // no-ops unless run under callgrind (see the file comment)
  for (auto _ : state) call();
  SECGROUP_COUNT_STOP();
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  if (state.iterations() > 0)
    measured[d.rules()] = took.count() / static_cast<double>(state.iterations());
}

void build(benchmark::State& state, const growth_set& set) {
  const auto& d = load(set.spec);
  timed(state, set, "build", [&] {
    compiled_group c(d.group);
    benchmark::DoNotOptimize(c);
  });
}

void memory(benchmark::State& state, const growth_set& set) {
  const auto& d = load(set.spec);
  std::size_t bytes = 0;
  timed(state, set, "memory", [&] {
    bytes = d.compiled.memory();
    benchmark::DoNotOptimize(bytes);
  });
  state.counters["bytes"] = static_cast<double>(bytes);
}

void count_packets(benchmark::State& state, std::size_t per_iteration) {
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(per_iteration));
  state.counters["pkt_time"] = benchmark::Counter(
      static_cast<double>(per_iteration),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void single(benchmark::State& state, const growth_set& set) {
  const auto& d = load(set.spec);
  const std::size_t n = d.packets.size();
  std::size_t i = 0;
  timed(state, set, "single", [&] {
    auto r = d.compiled.evaluate(d.packets[i]);
    benchmark::DoNotOptimize(r);
    if (++i == n) i = 0;
  });
  count_packets(state, 1);
}

void batch256(benchmark::State& state, const growth_set& set) {
  const auto& d = load(set.spec);
  const std::span<const packet> all(d.packets);
  const std::size_t size = std::min<std::size_t>(256, all.size());
  std::vector<decision> out(size);
  std::size_t at = 0;
  timed(state, set, "batch256", [&] {
    if (at + size > all.size()) at = 0;
    d.compiled.evaluate(all.subspan(at, size), out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
    at += size;
  });
  count_packets(state, size);
}

/// The set's group with rule ids (minimize names rules by id), built once per set.
const security_group& base_of(const growth_set& set) {
  static std::map<std::string, security_group> cache;
  auto it = cache.find(set.spec.name);
  if (it == cache.end()) it = cache.emplace(set.spec.name, with_ids(load(set.spec).group)).first;
  return it->second;
}

void analyze(benchmark::State& state, const growth_set& set) {
  const auto& g = base_of(set);
  std::size_t findings = 0;
  timed(state, set, "analyze", [&] {
    auto report = analysis::analyze(g);
    findings = report.findings.size();
    benchmark::DoNotOptimize(report);
  });
  state.counters["findings"] = static_cast<double>(findings);
}

void equivalence(benchmark::State& state, const growth_set& set) {
  auto with_flag = base_of(set);
  with_flag.enable_default_security = true;
  const auto written_out = write_out_defaults(with_flag);
  bool holds = true;
  timed(state, set, "equivalence", [&] {
    auto v = analysis::equivalence(with_flag, written_out);
    holds = holds && v.result == outcome::holds;
    benchmark::DoNotOptimize(v);
  });
  if (!holds) fail(set.spec.name, "writing out the default SMTP rules changed a decision");
}

void minimize(benchmark::State& state, const growth_set& set) {
  const auto& g = base_of(set);
  std::size_t removed = 0;
  bool proved = true;
  timed(state, set, "minimize", [&] {
    auto m = analysis::minimize(g);
    removed = m.removed.size();
    proved = proved && m.proof.equivalent;
    benchmark::DoNotOptimize(m);
  });
  if (!proved) fail(set.spec.name, "minimize returned a group that is not equivalent");
  state.counters["removed"] = static_cast<double>(removed);
}

void lint_checks(benchmark::State& state, const growth_set& set) {
  const auto& g = base_of(set);
  const lint::linter linter;
  std::size_t findings = 0;
  timed(state, set, "lint", [&] {
    auto report = linter.run(g);
    findings = report.findings.size();
    benchmark::DoNotOptimize(report);
  });
  state.counters["findings"] = static_cast<double>(findings);
}

}  // namespace growth_bench

void register_growth_benches() {
  using growth_bench::growth_set;
  using fn = void (*)(benchmark::State&, const growth_set&);
  // Qualified: in unity builds the other benches' functions of the same names are visible here.
  const std::pair<const char*, fn> metrics[] = {
      {"build", &growth_bench::build},
      {"memory", &growth_bench::memory},
      {"single", &growth_bench::single},
      {"batch256", &growth_bench::batch256},
      {"analyze", &growth_bench::analyze},
      {"equivalence", &growth_bench::equivalence},
      {"minimize", &growth_bench::minimize},
      {"lint", &growth_bench::lint_checks}};
  const auto sets = growth_bench::growth_sets();
  for (const auto& [metric, f] : metrics)
    for (const auto& set : sets) {
      auto* b = benchmark::RegisterBenchmark(
          ("growth/" + std::string(metric) + "/" + set.spec.name).c_str(), f, set);
      const std::string m = metric;
      if (m != "single" && m != "batch256") b->Unit(benchmark::kMillisecond);
    }
}

}  // namespace secgroup_bench
