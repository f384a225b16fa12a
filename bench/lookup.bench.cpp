// bench/lookup.bench.cpp: per-packet lookup cost, compiled against linear, on the same packets.
//
// Every benchmark cycles through the set's pre-built trace and reports `pkt_time` (seconds per
// packet; the console prints it as e.g. "23.4n") and items_per_second:
//   linear/SET            reference_evaluator::evaluate, the model's first-match scan;
//   linear_boxes/SET      first_match() over the lowered IPv4 boxes: a tight linear scan;
//   compiled/SET          compiled_group::evaluate(packet), independent calls (throughput);
//   compiled_latency/SET  the same, but each packet's index depends on the previous decision,
//                         so lookups cannot overlap (latency of one call);
//   batch64/SET, batch256/SET  compiled_group::evaluate(span, span) over consecutive batches.
#include <benchmark/benchmark.h>

#include <span>
#include <string>
#include <vector>

#include "support.hpp"

namespace secgroup_bench {
namespace {

void count_packets(benchmark::State& state, const dataset& d, std::size_t per_iteration) {
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(per_iteration));
  state.counters["pkt_time"] = benchmark::Counter(
      static_cast<double>(per_iteration),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["rules"] = static_cast<double>(d.rules());
}

void linear(benchmark::State& state, const dataset_spec& spec) {
  const auto& d = load(spec);
  const std::size_t n = d.packets.size();
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = d.reference.evaluate(d.packets[i]);
    benchmark::DoNotOptimize(r);
    if (++i == n) i = 0;
  }
  count_packets(state, d, 1);
}

void linear_boxes(benchmark::State& state, const dataset_spec& spec) {
  const auto& d = load(spec);
  std::vector<point<ipv4_space>> points;
  for (const auto& p : d.packets) points.push_back(point_of<ipv4_space>(p));
  const std::size_t n = points.size();
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = first_match(d.inbound_v4, points[i]);
    benchmark::DoNotOptimize(r);
    if (++i == n) i = 0;
  }
  count_packets(state, d, 1);
}

void compiled(benchmark::State& state, const dataset_spec& spec) {
  const auto& d = load(spec);
  const std::size_t n = d.packets.size();
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = d.compiled.evaluate(d.packets[i]);
    benchmark::DoNotOptimize(r);
    if (++i == n) i = 0;
  }
  count_packets(state, d, 1);
}

void compiled_latency(benchmark::State& state, const dataset_spec& spec) {
  const auto& d = load(spec);
  const std::size_t n = d.packets.size();
  std::uint32_t zero = 0;
  benchmark::DoNotOptimize(zero);  // opaque to the compiler: the dependency below stays
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = d.compiled.evaluate(d.packets[i]);
    i += 1 + (r.rule & zero);
    if (i >= n) i = 0;
    benchmark::DoNotOptimize(i);
  }
  count_packets(state, d, 1);
}

void batch(benchmark::State& state, const dataset_spec& spec, std::size_t size) {
  const auto& d = load(spec);
  const std::span<const packet> all(d.packets);
  std::vector<decision> out(size);
  std::size_t at = 0;
  for (auto _ : state) {
    if (at + size > all.size()) at = 0;
    d.compiled.evaluate(all.subspan(at, std::min(size, all.size())), out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
    at += size;
  }
  count_packets(state, d, std::min(size, all.size()));
}

}  // namespace

void register_lookup_benches(const dataset_spec& spec) {
  auto add = [&](const std::string& kind, auto fn) {
    benchmark::RegisterBenchmark((kind + "/" + spec.name).c_str(), fn, spec);
  };
  add("linear", linear);
  if (spec.ipv6_percent == 0) add("linear_boxes", linear_boxes);
  add("compiled", compiled);
  add("compiled_latency", compiled_latency);
  for (std::size_t size : {64, 256})
    benchmark::RegisterBenchmark(("batch" + std::to_string(size) + "/" + spec.name).c_str(), batch,
                                 spec, size);
}

}  // namespace secgroup_bench
