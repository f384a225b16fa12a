// bench/main.cpp: registers the benchmarks of every data set, runs them, and with
// --secgroup_report prints Markdown summary tables after the usual console output.
//
// The tables take, per set and benchmark, the median aggregate when repetitions were asked for
// (--benchmark_repetitions=N), else the single run. Lookup table columns: ns/packet of the
// linear scans, of the compiled lookup (independent calls, dependent calls, batches of 64 and
// 256), the speed-up of compiled over reference_evaluator, the build times and
// compiled_group::memory(). Analysis table (printed when an analysis benchmark ran): CPU ms
// per call of each analysis and the size of its answer (findings, diff regions, removed rules).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "support.hpp"

namespace secgroup_bench {
namespace {

/// The console reporter, which also keeps each benchmark's representative run.
class collecting_reporter : public benchmark::ConsoleReporter {
 public:
  collecting_reporter() : ConsoleReporter(OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& reports) override {
    ConsoleReporter::ReportRuns(reports);
    for (const auto& run : reports) {
      if (run.error_occurred) continue;
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (run.run_type == Run::RT_Aggregate && !median) continue;
      auto& slot = runs_[run.run_name.function_name];
      if (median || !slot.median) slot = {run, median};
    }
  }

  /// The representative run of benchmark `name`, or nullptr.
  const Run* find(const std::string& name) const {
    auto it = runs_.find(name);
    return it == runs_.end() ? nullptr : &it->second.run;
  }

 private:
  struct kept {
    Run run;
    bool median = false;
  };
  std::map<std::string, kept> runs_;
};

double milliseconds(const benchmark::BenchmarkReporter::Run& run, bool cpu = false) {
  double t = cpu ? run.GetAdjustedCPUTime() : run.GetAdjustedRealTime();
  switch (run.time_unit) {
    case benchmark::kNanosecond:
      return t * 1e-6;
    case benchmark::kMicrosecond:
      return t * 1e-3;
    case benchmark::kMillisecond:
      return t;
    case benchmark::kSecond:
      return t * 1e3;
  }
  return t;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

/// The analyses' table: CPU milliseconds per call (single-threaded, so wall time on an idle
/// core, without the time other jobs on a shared machine take) and the size of the answers, one
/// row per set that ran any analysis benchmark.
void print_analysis_report(const collecting_reporter& rep, const std::vector<dataset_spec>& specs) {
  auto ms = [&](const std::string& kind, const std::string& set) -> std::optional<double> {
    const auto* run = rep.find(kind + "/" + set);
    return run ? std::optional<double>(milliseconds(*run, true)) : std::nullopt;
  };
  auto counter = [&](const std::string& kind, const std::string& set,
                     const char* key) -> std::optional<double> {
    const auto* run = rep.find(kind + "/" + set);
    if (!run) return std::nullopt;
    auto it = run->counters.find(key);
    return it == run->counters.end() ? std::nullopt : std::optional<double>(it->second.value);
  };
  auto time = [](std::optional<double> v) {
    return v ? fixed(*v, *v >= 100 ? 0 : *v >= 10 ? 1 : 2) : std::string("–");
  };
  auto count = [](std::optional<double> v) { return v ? fixed(*v, 0) : std::string("–"); };
  const char* kinds[] = {"analyze",        "find_anomalies", "order", "diff",
                         "diff_inverted",  "diff_reordered", "diff_flag", "query",
                         "connection",     "exposure",       "minimize"};
  bool header = false;
  for (const auto& spec : specs) {
    const auto& set = spec.name;
    std::optional<double> rules;
    for (const char* kind : kinds)
      if (!rules) rules = counter(kind, set, "rules");
    if (!rules) continue;  // filtered out
    if (!header) {
      std::printf(
          "\n| set | rules | analyze ms | findings | find_anomalies ms | order ms | diff ms | "
          "regions | inverted ms | inverted regions | reordered ms | flag ms | query ms | "
          "connection ms | exposure ms | minimize ms | removed |\n"
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      header = true;
    }
    std::printf("| %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
                set.c_str(), *rules, time(ms("analyze", set)).c_str(),
                count(counter("analyze", set, "findings")).c_str(),
                time(ms("find_anomalies", set)).c_str(), time(ms("order", set)).c_str(),
                time(ms("diff", set)).c_str(), count(counter("diff", set, "regions")).c_str(),
                time(ms("diff_inverted", set)).c_str(),
                count(counter("diff_inverted", set, "regions")).c_str(),
                time(ms("diff_reordered", set)).c_str(), time(ms("diff_flag", set)).c_str(),
                time(ms("query", set)).c_str(), time(ms("connection", set)).c_str(),
                time(ms("exposure", set)).c_str(), time(ms("minimize", set)).c_str(),
                count(counter("minimize", set, "removed")).c_str());
  }
}

/// DPDK's rte_acl beside secgroup (dpdk.bench.cpp), one row per set where both ran: ns/packet
/// single and in batches (DPDK: its fastest method at that size, named), build ms and MiB, and
/// how many times faster secgroup is ("DPDK / secgroup"; above 1: secgroup leads).
void print_dpdk_report(const collecting_reporter& rep, const std::vector<dataset_spec>& specs) {
  auto counter = [&](const std::string& name, const char* key) -> std::optional<double> {
    const auto* run = rep.find(name);
    if (!run) return std::nullopt;
    auto it = run->counters.find(key);
    return it == run->counters.end() ? std::nullopt : std::optional<double>(it->second.value);
  };
  auto ns = [&](const std::string& name) {
    auto s = counter(name, "pkt_time");
    return s ? std::optional<double>(*s * 1e9) : std::nullopt;
  };
  auto pair = [](std::optional<double> peer, std::optional<double> ours, int decimals) {
    if (!peer || !ours) return std::string("–");
    return fixed(*peer, decimals) + " / " + fixed(*ours, decimals) + " (" +
           fixed(*peer / *ours, 1) + "×)";
  };
  bool header = false;
  for (const auto& spec : specs) {
    const auto& set = spec.name;
    if (!rep.find("dpdk/" + set)) continue;
    std::string best_method[2];
    std::optional<double> best[2];
    const int sizes[2] = {64, 256};
    for (int k = 0; k < 2; ++k)
      for (const char* m : {"scalar", "sse", "avx2", "avx512x16", "avx512x32"}) {
        auto v = ns("dpdk_batch" + std::to_string(sizes[k]) + "_" + m + "/" + set);
        if (v && (!best[k] || *v < *best[k])) {
          best[k] = v;
          best_method[k] = m;
        }
      }
    std::optional<double> build, our_build;
    if (const auto* r = rep.find("dpdk_build/" + set)) build = milliseconds(*r, true);
    if (const auto* r = rep.find("build_compiled/" + set)) our_build = milliseconds(*r, true);
    if (!header) {
      std::printf(
          "\n| set | rules | single ns: DPDK / secgroup | batch 64 ns: DPDK best / secgroup | "
          "batch 256 ns: DPDK best / secgroup | DPDK best method (64, 256) | build CPU ms: DPDK / "
          "secgroup | MiB: DPDK / secgroup |\n|---|---:|---:|---:|---:|---|---:|---:|\n");
      header = true;
    }
    std::printf("| %s | %s | %s | %s | %s | %s, %s | %s | %s |\n", set.c_str(),
                fixed(counter("dpdk/" + set, "rules").value_or(0), 0).c_str(),
                pair(ns("dpdk/" + set), ns("compiled/" + set), 1).c_str(),
                pair(best[0], ns("batch64/" + set), 1).c_str(),
                pair(best[1], ns("batch256/" + set), 1).c_str(), best_method[0].c_str(),
                best_method[1].c_str(), pair(build, our_build, 2).c_str(),
                pair(counter("dpdk_build/" + set, "memory_MiB"),
                     counter("build_compiled/" + set, "memory_MiB"), 2)
                    .c_str());
  }
}

void print_report(const collecting_reporter& rep, const std::vector<dataset_spec>& specs) {
  auto counter = [&](const std::string& name, const char* key) -> std::optional<double> {
    const auto* run = rep.find(name);
    if (!run) return std::nullopt;
    auto it = run->counters.find(key);
    if (it == run->counters.end()) return std::nullopt;
    return it->second.value;
  };
  auto ns = [&](const std::string& kind, const std::string& set) {
    auto s = counter(kind + "/" + set, "pkt_time");
    return s ? std::optional<double>(*s * 1e9) : std::nullopt;
  };
  auto cell = [](std::optional<double> v, int decimals) {
    return v ? fixed(*v, *v >= 1000 ? 0 : decimals) : std::string("–");
  };
  std::vector<std::string> notes;
  bool header = false;
  for (const auto& spec : specs) {
    const auto& set = spec.name;
    std::optional<double> rules;
    for (const char* kind : {"compiled", "linear", "build_compiled", "build_map", "batch64"})
      if (!rules) rules = counter(std::string(kind) + "/" + set, "rules");
    if (!rules) continue;  // filtered out
    if (!header) {
      std::printf(
          "\n| set | rules | linear ns/pkt | box scan ns/pkt | compiled ns/pkt | latency ns/pkt | "
          "batch 64 ns/pkt | batch 256 ns/pkt | linear / compiled | build ms | map ms | memory "
          "MiB |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      header = true;
    }
    auto lin = ns("linear", set), comp = ns("compiled", set);
    std::optional<double> ratio;
    if (lin && comp && *comp > 0) ratio = *lin / *comp;
    std::optional<double> build, map;
    if (const auto* r = rep.find("build_compiled/" + set)) build = milliseconds(*r);
    if (const auto* r = rep.find("build_map/" + set)) map = milliseconds(*r);
    std::printf("| %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", set.c_str(),
                *rules, cell(lin, 0).c_str(), cell(ns("linear_boxes", set), 0).c_str(),
                cell(comp, 1).c_str(), cell(ns("compiled_latency", set), 1).c_str(),
                cell(ns("batch64", set), 1).c_str(), cell(ns("batch256", set), 1).c_str(),
                ratio ? (fixed(*ratio, 0) + "×").c_str() : "–", cell(build, 2).c_str(),
                cell(map, 2).c_str(),
                cell(counter("build_compiled/" + set, "memory_MiB"), 3).c_str());
    if (!spec.filters.empty()) {
      const auto& s = load(spec).projection;
      if (s.skipped_protocol || s.ports_dropped || s.port_zero_clamped)
        notes.push_back(set + ": " + std::to_string(s.skipped_protocol) +
                        " filters skipped (protocol not TCP/UDP/ICMP/any), " +
                        std::to_string(s.ports_dropped) + " ICMP/ANY port ranges dropped, " +
                        std::to_string(s.port_zero_clamped) + " ranges clamped from port 0");
    }
  }
  for (const auto& n : notes) std::printf("\n- %s", n.c_str());
  std::printf("%s", notes.empty() ? "" : "\n");
  print_analysis_report(rep, specs);
  print_dpdk_report(rep, specs);
}

}  // namespace
}  // namespace secgroup_bench

int main(int argc, char** argv) {
  using namespace secgroup_bench;
  bool report = false;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--secgroup_report") == 0)
      report = true;
    else
      argv[kept++] = argv[i];
  }
  argc = kept;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const auto specs = all_specs();
  for (const auto& spec : specs) {
    register_lookup_benches(spec);
    register_build_benches(spec);
    register_layout_benches(spec);
    register_analysis_benches(spec);
#ifdef SECGROUP_BENCH_DPDK
    register_dpdk_benches(spec);
#endif
  }
  register_growth_benches();
  std::size_t ran = 0;
  if (report) {
    collecting_reporter rep;
    ran = benchmark::RunSpecifiedBenchmarks(&rep);
    print_report(rep, specs);
  } else {
    ran = benchmark::RunSpecifiedBenchmarks();
  }
  benchmark::Shutdown();
  // A filter that matches nothing is an error, so the smoke test notices a renamed set.
  return ran > 0 ? 0 : 2;
}
