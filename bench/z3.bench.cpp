// bench/z3.bench.cpp: the Z3 engine against the interval engine on the same inputs.
//
// Compiled only when secgroup::z3 exists. Registers itself (no change to main.cpp), for the
// generated sets gen-acl-{100,1k,3k,10k} and gen-fw-{100,1k,3k,10k} (the 3K sets only here):
//   z3_analyze/SET       verify::analyze(group) vs analysis::analyze(group)
//   z3_equivalent/SET    equivalence of the group with enable_default_security on and the same
//                        group with the six SMTP rules written out as user rules: equivalent
//   z3_changed/SET       equivalence of the group and the group with one live rule's action
//                        flipped: not equivalent
// Each benchmark runs once (one iteration) and reports counters rather than Google
// Benchmark's own times: interval_ms and z3_ms are CPU milliseconds of one call (the interval
// engine repeated until 200 ms have passed and averaged), ratio = z3_ms / interval_ms,
// z3_unknown the solver questions left unknown by the per-query timeout, and outcome 1 when
// Z3 answered (and agreed with the interval engine), 0 when some question stayed unknown, -1
// when the call ran past the budget and was killed (z3_ms is then the CPU time used so far, a
// lower bound).
//
// Z3 runs in a forked child process with a wall-clock budget (SECGROUP_Z3_BUDGET_S, default
// 60 s per call) and a per-query timeout (SECGROUP_Z3_TIMEOUT_MS, default 10000 ms), so that a
// size where Z3 stops being practical costs the budget, not hours; the child's CPU time is
// read from its rusage, which counts only its own work on a shared machine. The answers are
// compared with the interval engine's (findings by rule, kind and reason; the equivalence
// verdict): counter agrees is 1 when they match or Z3 left something unknown, else 0.
#include <benchmark/benchmark.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <secgroup/analysis.hpp>
#include <secgroup/verify/z3.hpp>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "support.hpp"

namespace secgroup_bench {
namespace {

/// What a Z3 call sends back to the parent.
struct z3_answer {
  double cpu_ms = 0;
  std::uint64_t unknown = 0;  // questions left unknown
  std::int32_t agrees = 1;    // 1 when the answer matches the interval engine's
  std::int32_t outcome = 1;   // 1 answered, 0 some unknown, -1 killed at the budget
};

double env_number(const char* name, double fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atof(v) : fallback;
}

double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

double rusage_ms(const rusage& u) {
  auto ms = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) * 1e-3;
  };
  return ms(u.ru_utime) + ms(u.ru_stime);
}

/// CPU milliseconds of one call of `fn`: repeated until 200 ms of CPU time, averaged.
double interval_ms(const std::function<void()>& fn) {
  const double start = thread_cpu_ms();
  int n = 0;
  do {
    fn();
    ++n;
  } while (thread_cpu_ms() - start < 200);
  return (thread_cpu_ms() - start) / n;
}

/// Runs `fn` (which fills `answer` but for the CPU time) in a child process with the budget.
z3_answer run_child(const std::function<void(z3_answer&)>& fn) {
  const double budget_s = env_number("SECGROUP_Z3_BUDGET_S", 60);
  int fds[2];
  if (pipe(fds) != 0) fail("z3", std::string("pipe: ") + std::strerror(errno));
  const pid_t pid = fork();
  if (pid < 0) fail("z3", std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    close(fds[0]);
    z3_answer a;
    fn(a);
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    a.cpu_ms = rusage_ms(u);
    auto written = write(fds[1], &a, sizeof a);
    _exit(written == static_cast<ssize_t>(sizeof a) ? 0 : 1);
  }
  close(fds[1]);
  pollfd p{fds[0], POLLIN, 0};
  const int ready = poll(&p, 1, static_cast<int>(budget_s * 1000));
  z3_answer a;
  const bool got = ready == 1 && read(fds[0], &a, sizeof a) == static_cast<ssize_t>(sizeof a);
  if (!got) kill(pid, SIGKILL);
  close(fds[0]);
  int status = 0;
  rusage u{};
  wait4(pid, &status, 0, &u);
  if (!got) {
    a = z3_answer{};
    a.cpu_ms = rusage_ms(u);
    a.outcome = -1;
  }
  return a;
}

verify::options z3_limits() {
  verify::options o;
  o.timeout_ms = static_cast<std::uint32_t>(env_number("SECGROUP_Z3_TIMEOUT_MS", 10000));
  return o;
}

/// The compared groups of one set, built once.
struct z3_inputs {
  security_group base, changed, with_flag, written_out;
};

/// The group with rule ids and one live rule's action flipped (the first from the middle on
/// whose flip changes the group), and the SMTP pair of analysis.bench.cpp.
z3_inputs build_z3_inputs(const dataset& d) {
  z3_inputs in;
  in.base = d.group;
  for (auto& r : in.base.rules) r.id = "rule-" + std::to_string(r.position);
  for (std::size_t k = in.base.rules.size() / 2; k < in.base.rules.size(); ++k) {
    in.changed = in.base;
    in.changed.rules[k].action = !in.changed.rules[k].action;
    if (!analysis::diff(in.base, in.changed).equivalent) break;
  }
  if (analysis::diff(in.base, in.changed).equivalent)
    fail(d.name, "no rule flip changes the group");
  in.with_flag = in.base;
  in.with_flag.enable_default_security = true;
  in.written_out = in.base;
  in.written_out.enable_default_security = false;
  auto smtp = default_rules(in.base.zone);
  for (auto& r : in.written_out.rules) r.position += static_cast<std::uint32_t>(smtp.size());
  for (std::size_t i = 0; i < smtp.size(); ++i) {
    smtp[i].id = "written-out-smtp-" + std::to_string(i + 1);
    smtp[i].editable = true;
  }
  in.written_out.rules.insert(in.written_out.rules.begin(), smtp.begin(), smtp.end());
  if (!analysis::diff(in.with_flag, in.written_out).equivalent)
    fail(d.name, "writing out the SMTP rules changed the group");
  return in;
}

const z3_inputs& z3_inputs_of(const dataset_spec& spec) {
  static std::map<std::string, std::unique_ptr<z3_inputs>> cache;
  auto& slot = cache[spec.name];
  if (!slot) slot = std::make_unique<z3_inputs>(build_z3_inputs(load(spec)));
  return *slot;
}

void report(benchmark::State& state, const dataset& d, double interval, const z3_answer& a) {
  state.counters["rules"] = static_cast<double>(d.rules());
  state.counters["interval_ms"] = interval;
  state.counters["z3_ms"] = a.cpu_ms;
  state.counters["ratio"] = interval > 0 ? a.cpu_ms / interval : 0;
  state.counters["z3_unknown"] = static_cast<double>(a.unknown);
  state.counters["outcome"] = a.outcome;
  state.counters["agrees"] = a.agrees;
}

void z3_analyze(benchmark::State& state, const dataset_spec& spec) {
  const auto& d = load(spec);
  const auto& in = z3_inputs_of(spec);
  const auto expected = analysis::analyze(in.base);
  for (auto _ : state) {
    const double interval =
        interval_ms([&] { benchmark::DoNotOptimize(analysis::analyze(in.base)); });
    auto a = run_child([&](z3_answer& out) {
      auto r = verify::analyze(in.base, z3_limits());
      out.unknown = r.unknown.size();
      out.outcome = r.complete() ? 1 : 0;
      // Findings are compared by rule, kind and reason: related sets and witnesses differ by
      // design (docs/z3.md).
      auto key = [](const analysis::anomaly_report& rep) {
        std::vector<std::tuple<std::uint32_t, analysis::finding_kind, analysis::finding_reason>> v;
        for (const auto& f : rep.findings) v.emplace_back(f.rule, f.kind, f.reason);
        return v;
      };
      out.agrees = !r.complete() || key(r.report) == key(expected);
    });
    report(state, d, interval, a);
  }
}

void z3_equivalence(benchmark::State& state, const dataset& d, const security_group& x,
                    const security_group& y) {
  const bool expected = analysis::diff(x, y).equivalent;
  for (auto _ : state) {
    const double interval = interval_ms([&] { benchmark::DoNotOptimize(analysis::diff(x, y)); });
    auto a = run_child([&](z3_answer& out) {
      auto v = verify::equivalence(x, y, z3_limits());
      out.unknown = v.result == outcome::unknown;
      out.outcome = v.result == outcome::unknown ? 0 : 1;
      out.agrees = v.result == outcome::unknown || (v.result == outcome::holds) == expected;
    });
    report(state, d, interval, a);
  }
}

void z3_equivalent(benchmark::State& state, const dataset_spec& spec) {
  const auto& in = z3_inputs_of(spec);
  z3_equivalence(state, load(spec), in.with_flag, in.written_out);
}

void z3_changed(benchmark::State& state, const dataset_spec& spec) {
  const auto& in = z3_inputs_of(spec);
  z3_equivalence(state, load(spec), in.base, in.changed);
}

/// The generated acl and fw sets of all_specs() (100, 1K, 10K rules), and 3K-rule ones of the
/// same profiles (here only) to show where the anomaly report stops being practical.
std::vector<dataset_spec> z3_specs() {
  std::vector<dataset_spec> out;
  for (const auto& spec : all_specs()) {
    if (!spec.filters.empty() || spec.ipv6_percent || spec.random_range_percent) continue;
    if (spec.profile == classbench::profile::ipc) continue;
    out.push_back(spec);
    if (spec.size == 1000) {
      auto three = spec;
      three.name.replace(three.name.size() - 2, 2, "3k");
      three.size = 3000;
      out.push_back(three);
    }
  }
  return out;
}

/// Registers the Z3 benchmarks at static initialisation (main.cpp knows nothing of them).
const bool registered = [] {
  for (const auto& spec : z3_specs()) {
    for (auto [kind, fn] :
         {std::pair<const char*, void (*)(benchmark::State&, const dataset_spec&)>{"z3_analyze",
                                                                                   z3_analyze},
          {"z3_equivalent", z3_equivalent},
          {"z3_changed", z3_changed}})
      benchmark::RegisterBenchmark((std::string(kind) + "/" + spec.name).c_str(), fn, spec)
          ->Iterations(1)
          ->Unit(benchmark::kMillisecond);
  }
  return true;
}();

}  // namespace
}  // namespace secgroup_bench
