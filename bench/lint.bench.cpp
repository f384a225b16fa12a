// bench/lint.bench.cpp: `secgroup lint` at scale: one group of 1K, 4K and 10K rules, and
// exports of 100 to 2,000 groups (20 to 200 rules each), as lint::run_lint reads them from a
// file (parsing, the checks, locating each finding's line), and the checks alone
// (lint::linter::run) on the large groups.
//
// The groups are generated (seeded, reproducible), unlike the inbound-only ClassBench sets of
// support.hpp: both directions, TCP/UDP/ICMP/ANY, 20 % IPv6, prefixes from /0 to host routes
// clustered around a few networks, single ports and ranges, the default SMTP rules on, so that
// every check family finds something. Files are written once to the temporary directory and
// removed at exit; nothing is timed but run_lint / run / lint_each.
//
// The estate (issue 14): one export of 10,000 such groups linted by lint_each as `secgroup lint
// --jobs N` runs it (reports handed on and dropped), on one thread and on every hardware
// thread: groups per second of wall time, and the process's peak resident memory afterwards
// (getrusage; run the estate benchmarks alone for a clean figure); the same with each report
// written by the CLI's text, JSON or SARIF writer to a stream that drops its bytes
// (lint_estate_written);
// the passes over the export that find its brackets before a parse (bracket_passes_estate) and
// the phases lint_each locates findings by (locate_estate), on one thread.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <ostream>
#include <random>
#include <secgroup/io/group_list_split.hpp>
#include <secgroup/io/json.hpp>
#include <secgroup/io/source.hpp>
#include <secgroup/lint/report.hpp>
#include <secgroup/lint/run.hpp>
#include <secgroup/lint/sarif.hpp>
#include <streambuf>
#include <string>
#include <vector>

namespace secgroup_bench {
namespace lint_bench {

using namespace secgroup;

/// A group of `n` random user rules (see the file comment), drawn from `rng`.
inline security_group random_lint_group(std::size_t n, std::mt19937_64& rng, std::size_t index) {
  auto pick = [&](std::uint64_t k) { return rng() % k; };
  security_group g;
  g.id = "00000000-0000-4000-8000-" + std::to_string(100000000000ull + index);
  g.name = "group-" + std::to_string(index);
  g.description = "generated";
  g.inbound_default_policy = action::drop;
  g.outbound_default_policy = action::accept;
  g.enable_default_security = true;
  const std::uint32_t anchors[] = {0x0a000000u, 0xc0a80000u, 0xcb007100u,
                                   static_cast<std::uint32_t>(rng())};
  for (std::size_t i = 0; i < n; ++i) {
    rule r;
    r.id = "10000000-0000-4000-8000-" + std::to_string(100000000000ull + index * 100000 + i);
    const protocol protos[] = {protocol::tcp, protocol::tcp, protocol::udp, protocol::icmp,
                               protocol::any};
    r.protocol = protos[pick(5)];
    r.direction = pick(2) ? direction::inbound : direction::outbound;
    r.action = pick(3) ? action::accept : action::drop;
    if (pick(5) == 0) {
      const unsigned prefixes[] = {0, 32, 48, 64, 128};
      const unsigned p = prefixes[pick(5)];
      r.ip_range = parse_network(p == 0 ? std::string("::/0")
                                        : "2001:db8:" + std::to_string(pick(10000)) + "::/" +
                                              std::to_string(p));
    } else {
      const unsigned prefixes[] = {0, 8, 16, 24, 32, 0};
      unsigned p = prefixes[pick(6)];
      if (p == 0 && pick(2)) p = 1 + static_cast<unsigned>(pick(32));
      std::uint32_t a = anchors[pick(4)] ^ static_cast<std::uint32_t>(pick(1u << 16));
      a = p == 0 ? 0 : a & (0xffffffffu << (32 - p));
      r.ip_range = parse_network(std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) +
                                 "." + std::to_string((a >> 8) & 255) + "." +
                                 std::to_string(a & 255) + "/" + std::to_string(p));
    }
    if (r.protocol == protocol::tcp || r.protocol == protocol::udp) {
      const auto x = pick(10);
      const std::uint16_t wellknown[] = {22, 80, 443, 3306, 5432};
      if (x < 4) {
        const std::uint16_t port =
            pick(2) ? wellknown[pick(5)] : static_cast<std::uint16_t>(1 + pick(65535));
        r.ports = port_range{port, port};
      } else if (x < 8) {
        const auto lo = static_cast<std::uint16_t>(1 + pick(65000));
        r.ports = port_range{
            lo, static_cast<std::uint16_t>(std::min<std::uint64_t>(65535, lo + 1 + pick(2000)))};
      }
    }
    r.position = static_cast<std::uint32_t>(i + 1);
    g.rules.push_back(r);
  }
  return g;
}

/// A generated export, written to a file once.
struct lint_input {
  std::filesystem::path file;
  security_group first;  ///< the first group (lint_checks lints it alone)
  std::size_t rules = 0;
  ~lint_input() {
    std::error_code ec;
    std::filesystem::remove(file, ec);
  }
};

/// `groups` groups of `rules` rules each, or of 20..200 rules when `rules` is 0, written to the
/// file one group at a time (only the first is kept: the estate's peak memory is lint's).
inline const lint_input& input(std::size_t groups, std::size_t rules) {
  static std::map<std::pair<std::size_t, std::size_t>, std::unique_ptr<lint_input>> cache;
  auto& slot = cache[{groups, rules}];
  if (slot) return *slot;
  slot = std::make_unique<lint_input>();
  std::mt19937_64 rng(20261203 + groups * 7 + rules);
  slot->file =
      std::filesystem::temp_directory_path() /
      ("secgroup-lint-bench-" + std::to_string(groups) + "x" + std::to_string(rules) + ".json");
  std::ofstream out(slot->file);
  out << "{\"security_groups\": [";
  for (std::size_t k = 0; k < groups; ++k) {
    const std::size_t n = rules ? rules : 20 + rng() % 181;
    auto g = random_lint_group(n, rng, k);
    slot->rules += n;
    auto j = group_to_json(g);
    j["rules"] = json::array();
    for (const auto& r : g.rules) j["rules"].push_back(rule_to_json(r));
    out << (k ? ",\n" : "\n") << j.dump(1);
    if (k == 0) slot->first = std::move(g);
  }
  out << "\n]}\n";
  return *slot;
}

/// Inputs of the estate are larger than the default limit of 256 MiB (`--max-input-size 1G`).
inline constexpr std::size_t estate_max_size = std::size_t{1} << 30;

/// run_lint over the file, as `secgroup lint FILE` runs it.
void lint_file(benchmark::State& state, std::size_t groups, std::size_t rules) {
  const auto& in = input(groups, rules);
  std::size_t findings = 0;
  for (auto _ : state) {
    auto run = lint::run_lint({in.file.string()}, {}, lint::severity::low);
    findings = 0;
    for (const auto& g : run.groups) findings += g.report.findings.size();
    benchmark::DoNotOptimize(run);
  }
  state.counters["groups"] = static_cast<double>(groups);
  state.counters["rules"] = static_cast<double>(in.rules);
  state.counters["findings"] = static_cast<double>(findings);
}

/// The checks alone on one group (no file, no locating).
void lint_checks(benchmark::State& state, std::size_t rules) {
  const auto& in = input(1, rules);
  const lint::linter lint;
  std::size_t findings = 0;
  for (auto _ : state) {
    auto report = lint.run(in.first);
    findings = report.findings.size();
    benchmark::DoNotOptimize(report);
  }
  state.counters["rules"] = static_cast<double>(in.rules);
  state.counters["findings"] = static_cast<double>(findings);
}

/// The counters of an estate's lint on `jobs` threads: groups per second of wall time, the
/// threads, and the process's peak resident memory so far.
void count_estate(benchmark::State& state, std::size_t groups, unsigned jobs) {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  state.counters["groups_per_s"] =
      benchmark::Counter(static_cast<double>(groups) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
  state.counters["threads"] = static_cast<double>(secgroup::detail::job_count(jobs));
  state.counters["peak_MiB"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
}

/// lint_each over an export of `groups` groups on `jobs` threads (0: every hardware thread),
/// each report dropped once handed on.
void lint_estate(benchmark::State& state, std::size_t groups, unsigned jobs) {
  const auto& in = input(groups, 0);
  std::size_t findings = 0;
  for (auto _ : state) {
    findings = 0;
    auto outcome = lint::lint_each(
        {in.file.string()}, {}, lint::severity::low, estate_max_size,
        [&](lint::located_report&& r) { findings += r.report.findings.size(); }, {}, jobs);
    benchmark::DoNotOptimize(outcome);
  }
  count_estate(state, groups, jobs);
  state.counters["rules"] = static_cast<double>(in.rules);
  state.counters["findings"] = static_cast<double>(findings);
}

/// A stream buffer that takes every byte and keeps none (the writers' /dev/null).
struct dropping_buffer : std::streambuf {
  int overflow(int c) override { return c; }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

/// lint_each over an export of `groups` groups on `jobs` threads (0: every hardware thread),
/// each report written by the CLI's writer of `format` ("text", "json" or "sarif", rendered on
/// the threads: lint::rendering_writer) to a stream that drops the bytes: `secgroup lint
/// --format F --jobs N FILE > /dev/null` but for the command line.
void lint_estate_written(benchmark::State& state, std::size_t groups, unsigned jobs,
                         const std::string& format) {
  const auto& in = input(groups, 0);
  dropping_buffer dropped;
  std::ostream out(&dropped);
  const auto write = [&](auto&& writer) {
    auto outcome = lint::lint_each({in.file.string()}, {}, lint::severity::low, estate_max_size,
                                   writer, {}, jobs);
    writer.finish(outcome);
    benchmark::DoNotOptimize(outcome);
  };
  for (auto _ : state) {
    if (format == "json")
      write(lint::json_report_writer(out));
    else if (format == "sarif")
      write(lint::sarif_report_writer(out, {}));
    else
      write(lint::text_report_writer(out));
  }
  count_estate(state, groups, jobs);
}

/// parse_group_input over the estate's export (read once, outside the loop) on `jobs` threads
/// (0: every hardware thread): the parse that lint_each does before any report.
void parse_estate(benchmark::State& state, std::size_t groups, unsigned jobs) {
  const auto& in = input(groups, 0);
  const auto text = read_text_file(in.file, estate_max_size);
  for (auto _ : state) {
    auto parsed = parse_group_input(text, in.file.string(), secgroup::detail::job_count(jobs));
    if (parsed.groups.size() != groups) state.SkipWithError("wrong number of groups");
    benchmark::DoNotOptimize(parsed);
  }
  state.counters["groups_per_s"] = benchmark::Counter(
      static_cast<double>(groups) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
  state.counters["threads"] = static_cast<double>(secgroup::detail::job_count(jobs));
}

/// The two passes over the estate's export that find brackets outside strings, on one thread:
/// parse_json()'s nesting bound (nesting_overflow, before a parse on one thread) and the split of
/// the group list (split_group_list, before a parse on several threads); each pass's seconds as
/// a counter. Each runs on one thread before its parse starts: the split bounds the speedup of
/// a parse on several threads.
void bracket_passes_estate(benchmark::State& state, std::size_t groups) {
  const auto& in = input(groups, 0);
  const auto text = read_text_file(in.file, estate_max_size);
  using clock = std::chrono::steady_clock;
  double nesting_s = 0, split_s = 0;
  for (auto _ : state) {
    auto at = clock::now();
    const auto deep = secgroup::detail::json_io::nesting_overflow(text, false, max_json_depth);
    nesting_s += std::chrono::duration<double>(clock::now() - at).count();
    at = clock::now();
    const auto parts = secgroup::detail::json_io::split_group_list(text);
    split_s += std::chrono::duration<double>(clock::now() - at).count();
    if (deep != std::string_view::npos) state.SkipWithError("the export nests too deep");
    if (!parts || parts->elements.size() != groups) state.SkipWithError("the split missed groups");
  }
  state.counters["nesting_s"] = benchmark::Counter(nesting_s, benchmark::Counter::kAvgIterations);
  state.counters["split_s"] = benchmark::Counter(split_s, benchmark::Counter::kAvgIterations);
  state.counters["MB"] = static_cast<double>(text.size()) / 1e6;
}

/// What lint_each does to locate findings in the estate's export (read and parsed once,
/// outside the loop), on one thread: the text's line table (making the source_text), the
/// index of the groups' and rules' ids, then locate() of every group in order; each phase's
/// seconds as a counter (the mean over iterations), besides the total wall time.
void locate_estate(benchmark::State& state, std::size_t groups) {
  const auto& in = input(groups, 0);
  const auto text = read_text_file(in.file, estate_max_size);
  const auto parsed = parse_group_input(text, in.file.string());
  std::vector<std::string_view> ids;  // as lint_each lists them
  std::vector<std::vector<rule>> rules;
  for (const auto& g : parsed.groups) {
    ids.push_back(g.id);
    for (const auto& r : g.rules) ids.push_back(r.id);
    rules.push_back(ordered_rules(g));
  }
  ids.insert(ids.end(), default_rule_ids.begin(), default_rule_ids.end());
  using clock = std::chrono::steady_clock;
  const auto seconds = [](clock::time_point from) {
    return std::chrono::duration<double>(clock::now() - from).count();
  };
  double lines_s = 0, index_s = 0, locate_s = 0;
  std::size_t located = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::string copy = text;  // lint_each moves its text in; the copy is not timed
    state.ResumeTiming();
    auto at = clock::now();
    lint::source_text source(std::move(copy));
    lines_s += seconds(at);
    at = clock::now();
    source.index(ids);
    index_s += seconds(at);
    at = clock::now();
    std::size_t cursor = 0;
    located = 0;
    for (std::size_t k = 0; k < parsed.groups.size(); ++k) {
      const auto where = lint::locate(source, parsed.groups[k], rules[k], cursor);
      for (auto line : where.rule_lines) located += line != 0;
    }
    locate_s += seconds(at);
    benchmark::DoNotOptimize(located);
  }
  // Every id of the export is in its text: each user rule must be located (not the default
  // rules, which the export does not list).
  if (located != in.rules) state.SkipWithError("a rule of the export was not located");
  const auto per_iteration = [&](double s) {
    return benchmark::Counter(s, benchmark::Counter::kAvgIterations);
  };
  state.counters["lines_s"] = per_iteration(lines_s);
  state.counters["index_s"] = per_iteration(index_s);
  state.counters["locate_s"] = per_iteration(locate_s);
  state.counters["ids"] = static_cast<double>(ids.size());
  state.counters["rules_located"] = static_cast<double>(located);
}

BENCHMARK_CAPTURE(lint_checks, rules - 1k, 1000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(lint_checks, rules - 4k, 4000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(lint_checks, rules - 10k, 10000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(lint_file, rules - 1k, 1, 1000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(lint_file, rules - 4k, 1, 4000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(lint_file, rules - 10k, 1, 10000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(lint_file, groups - 100, 100, 0)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(lint_file, groups - 400, 400, 0)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(lint_file, groups - 2000, 2000, 0)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(parse_estate, groups - 10000 / jobs - 1, 10000, 1)
    ->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK_CAPTURE(parse_estate, groups - 10000 / jobs - all, 10000, 0)
    ->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK_CAPTURE(bracket_passes_estate, groups - 10000, 10000)
    ->Unit(benchmark::kMillisecond)->Iterations(5)->UseRealTime();
BENCHMARK_CAPTURE(lint_estate, groups - 10000 / jobs - 1, 10000, 1)
    ->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK_CAPTURE(lint_estate, groups - 10000 / jobs - all, 10000, 0)
    ->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK_CAPTURE(lint_estate_written, groups - 10000 / jobs - all / text, 10000, 0, "text")
    ->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK_CAPTURE(lint_estate_written, groups - 10000 / jobs - all / json, 10000, 0, "json")
    ->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK_CAPTURE(lint_estate_written, groups - 10000 / jobs - all / sarif, 10000, 0, "sarif")
    ->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK_CAPTURE(locate_estate, groups - 10000, 10000)
    ->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace lint_bench
}  // namespace secgroup_bench
