// bench/layout.bench.cpp: the two layouts of compiled_policy side by side (compiled.hpp,
// port_layout), whichever the automatic choice takes for the set.
//
//   layout_build/LAYOUT/SET   compiled_group(group, LAYOUT), ms; counter memory_MiB;
//   layout_single/LAYOUT/SET  compiled_group::evaluate(packet) over the trace, like compiled/SET;
//   layout_batch256/LAYOUT/SET  evaluate(span, span) over batches of 256, like batch256/SET.
// LAYOUT is joint or split. Each group is checked against the reference on every trace packet,
// one by one and in batches, before it is timed.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "support.hpp"

namespace secgroup_bench {
namespace {

const char* name_of(port_layout l) { return l == port_layout::joint ? "joint" : "split"; }

/// The set's group compiled in `layout`, built and checked on first use.
const compiled_group& compiled_in(const dataset_spec& spec, port_layout layout) {
  static std::map<std::string, std::unique_ptr<compiled_group>> cache;
  auto& slot = cache[spec.name + "/" + name_of(layout)];
  if (!slot) {
    const auto& d = load(spec);
    slot = std::make_unique<compiled_group>(d.group, layout);
    verify(d, *slot);
  }
  return *slot;
}

void per_packet(benchmark::State& state, std::size_t per_iteration) {
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(per_iteration));
  state.counters["pkt_time"] = benchmark::Counter(
      static_cast<double>(per_iteration),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void layout_build(benchmark::State& state, const dataset_spec& spec, port_layout layout) {
  const auto& d = load(spec);
  for (auto _ : state) {
    compiled_group c(d.group, layout);
    benchmark::DoNotOptimize(c);
  }
  state.counters["memory_MiB"] =
      static_cast<double>(compiled_in(spec, layout).memory()) / (1024.0 * 1024.0);
}

void layout_single(benchmark::State& state, const dataset_spec& spec, port_layout layout) {
  const auto& d = load(spec);
  const auto& c = compiled_in(spec, layout);
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = c.evaluate(d.packets[i]);
    benchmark::DoNotOptimize(r);
    if (++i == d.packets.size()) i = 0;
  }
  per_packet(state, 1);
}

void layout_batch256(benchmark::State& state, const dataset_spec& spec, port_layout layout) {
  const auto& d = load(spec);
  const auto& c = compiled_in(spec, layout);
  const std::span<const packet> all(d.packets);
  const std::size_t size = std::min<std::size_t>(256, all.size());
  std::vector<decision> out(size);
  std::size_t at = 0;
  for (auto _ : state) {
    if (at + size > all.size()) at = 0;
    c.evaluate(all.subspan(at, size), out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
    at += size;
  }
  per_packet(state, size);
}

}  // namespace

void register_layout_benches(const dataset_spec& spec) {
  for (auto layout : {port_layout::joint, port_layout::split}) {
    const std::string tail = std::string("/") + name_of(layout) + "/" + spec.name;
    benchmark::RegisterBenchmark(("layout_build" + tail).c_str(), layout_build, spec, layout)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("layout_single" + tail).c_str(), layout_single, spec, layout);
    benchmark::RegisterBenchmark(("layout_batch256" + tail).c_str(), layout_batch256, spec, layout);
  }
}

}  // namespace secgroup_bench
