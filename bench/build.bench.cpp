// bench/build.bench.cpp: what compiling a group costs, in time and memory.
//
//   build_compiled/SET  compiled_group(group): rule ordering, lowering, the decision maps of the
//                       four policies and their flattening. Counter memory_MiB is
//                       compiled_group::memory() of the result.
//   build_map/SET       decision_map over the set's lowered IPv4 inbound policy alone (lowering
//                       not timed). Counters: address maps, elementary address segments and
//                       port classes summed over the protocol classes.
// Times are per build, in milliseconds.
#include <benchmark/benchmark.h>

#include <string>

#include <secgroup/decision_map.hpp>

#include "support.hpp"

namespace secgroup_bench {
namespace {

void build_compiled(benchmark::State& state, const dataset_spec& spec) {
  const auto& d = load(spec);
  for (auto _ : state) {
    compiled_group c(d.group);
    benchmark::DoNotOptimize(c);
  }
  state.counters["memory_MiB"] = static_cast<double>(d.compiled.memory()) / (1024.0 * 1024.0);
  state.counters["rules"] = static_cast<double>(d.rules());
}

void build_map(benchmark::State& state, const dataset_spec& spec) {
  const auto& d = load(spec);
  std::size_t maps = 0, segments = 0, port_classes = 0;
  for (auto _ : state) {
    decision_map<ipv4_space> m(d.inbound_v4);
    benchmark::DoNotOptimize(m);
    maps = m.map_count();
    segments = m.address_segment_count();
    port_classes = 0;
    for (auto c : all_proto_classes) port_classes += m.port_class_count(c);
  }
  state.counters["maps"] = static_cast<double>(maps);
  state.counters["segments"] = static_cast<double>(segments);
  state.counters["port_classes"] = static_cast<double>(port_classes);
  state.counters["rules"] = static_cast<double>(d.rules());
}

}  // namespace

void register_build_benches(const dataset_spec& spec) {
  benchmark::RegisterBenchmark(("build_compiled/" + spec.name).c_str(), build_compiled, spec)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark(("build_map/" + spec.name).c_str(), build_map, spec)
      ->Unit(benchmark::kMillisecond);
}

}  // namespace secgroup_bench
