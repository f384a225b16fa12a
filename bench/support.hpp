// bench/support.hpp: the rule sets the benchmarks run on, loaded once and checked.
//
// A data set is a security group (inbound rules only) and a trace of inbound packets:
//   - generated sets "gen-<profile>-<size>" from classbench::generate_group/generate_trace at
//     ~100, ~1K and ~10K rules for the acl, fw and ipc profiles, plus one 1K set with 20 % IPv6
//     and "gen-mixed-10k", the acl profile at 10K with half the rules (and so half the trace's
//     packets) IPv6;
//   - stress sets "stress-ranges-<size>": the fw profile where 10 % of the TCP/UDP rules get a
//     random port range of their own (hundreds of distinct ranges, unlike ClassBench's few dozen);
//   - the growth sets (growth.bench.cpp): the same generators from 100 to 100K rules;
//   - when SECGROUP_CLASSBENCH_DIR names a ClassBench directory (filters/, traces/), the sets
//     "cb-<name>" projected with classbench::to_group / to_packets.
// Sets are loaded on first use, so a --benchmark_filter that skips a set never pays for it.
// Loading (never timed) compiles the group and checks that compiled_group agrees with
// reference_evaluator on every trace packet (a sample of 2,048 for the 100K-rule sets), one by
// one and in batches; a mismatch aborts.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <secgroup/compiled.hpp>
#include <secgroup/default_rules.hpp>
#include <secgroup/lower.hpp>
#include <secgroup/reference.hpp>
#include <string>
#include <vector>

#include "classbench.hpp"

namespace secgroup_bench {

using namespace secgroup;

/// How to obtain a data set.
struct dataset_spec {
  std::string name;
  // generated sets
  classbench::profile profile = classbench::profile::acl;
  std::size_t size = 0;
  unsigned ipv6_percent = 0;
  unsigned random_range_percent = 0;  // stress: TCP/UDP rules given a random port range
  // ClassBench sets (used when filters is not empty)
  std::filesystem::path filters, trace;
  // trace packets checked against reference_evaluator when loading: 0 for all, else that many
  // evenly spaced ones (the 100K-rule growth sets: the linear scan is the slow part of loading)
  std::size_t checked_packets = 0;
};

/// A loaded data set with everything the benchmarks need, built outside the timed loops.
struct dataset {
  std::string name;
  security_group group;
  std::vector<packet> packets;
  classbench::projection_stats projection;  // ClassBench sets only
  compiled_group compiled;
  reference_evaluator reference;
  policy<ipv4_space> inbound_v4;  // the lowered IPv4 inbound rules, for the box scan
  std::size_t rules() const { return group.rules.size(); }
};

inline constexpr std::uint64_t seed = 20240611;
inline constexpr std::size_t generated_trace_size = 16384;

/// The sets to register: generated ones always, ClassBench ones when the directory is set.
inline std::vector<dataset_spec> all_specs() {
  std::vector<dataset_spec> out;
  for (auto [size, label] :
       {std::pair<std::size_t, const char*>{100, "100"}, {1000, "1k"}, {10000, "10k"}})
    for (auto p : {classbench::profile::acl, classbench::profile::fw, classbench::profile::ipc})
      out.push_back(
          {"gen-" + std::string(classbench::to_string(p)) + "-" + label, p, size, 0, 0, {}, {}, 0});
  out.push_back({"gen-acl-1k-v6", classbench::profile::acl, 1000, 20, 0, {}, {}, 0});
  out.push_back({"gen-mixed-10k", classbench::profile::acl, 10000, 50, 0, {}, {}, 0});
  out.push_back({"stress-ranges-1k", classbench::profile::fw, 1000, 0, 10, {}, {}, 0});
  out.push_back({"stress-ranges-10k", classbench::profile::fw, 10000, 0, 10, {}, {}, 0});
  if (const char* dir = std::getenv("SECGROUP_CLASSBENCH_DIR"); dir && *dir) {
    std::filesystem::path root(dir);
    for (const char* set : {"acl1_1k", "fw1_1k", "ipc1_1k", "acl2_10k", "fw1_10k", "ipc1_10k"})
      out.push_back({std::string("cb-") + set,
                     {},
                     0,
                     0,
                     0,
                     root / "filters" / set,
                     root / "traces" / (std::string(set) + "_trace"),
                     0});
  }
  return out;
}

/// Gives `percent` % of the TCP/UDP rules of `g` a random range of 2 to 4096 ports.
inline void randomize_ranges(security_group& g, unsigned percent) {
  std::mt19937_64 rng(seed);
  for (auto& r : g.rules) {
    if ((r.protocol != protocol::tcp && r.protocol != protocol::udp) || rng() % 100 >= percent)
      continue;
    auto from = static_cast<std::uint16_t>(1 + rng() % 60000);
    r.ports = port_range{from, static_cast<std::uint16_t>(from + 1 + rng() % (2u << (rng() % 12)))};
  }
}

[[noreturn]] inline void fail(const std::string& set, const std::string& message) {
  std::fprintf(stderr, "secgroup_bench: data set %s: %s\n", set.c_str(), message.c_str());
  std::abort();
}

inline std::string describe(const decision& d) {
  return (d.by_default() ? std::string("default") : "rule " + std::to_string(d.rule)) + " " +
         std::string(to_string(d.action));
}

/// Aborts unless `compiled` (the set's group compiled) agrees with reference_evaluator on the
/// packets of `d`: every one, or `checked` evenly spaced ones when `checked` is not 0.
inline void verify(const dataset& d, const compiled_group& compiled, std::size_t checked = 0) {
  std::vector<decision> batch(d.packets.size());
  compiled.evaluate(d.packets, batch);
  const std::size_t step =
      checked == 0 || checked >= d.packets.size() ? 1 : d.packets.size() / checked;
  for (std::size_t k = 0; k < d.packets.size(); k += step) {
    auto want = d.reference.evaluate(d.packets[k]);
    auto single = compiled.evaluate(d.packets[k]);
    if (single != want || batch[k] != want)
      fail(d.name, "packet " + std::to_string(k) + " (" + to_string(d.packets[k]) +
                       "): linear says " + describe(want) + ", compiled says " + describe(single) +
                       " (batch: " + describe(batch[k]) + ")");
  }
}

inline std::unique_ptr<dataset> build(const dataset_spec& spec) {
  security_group group;
  std::vector<packet> packets;
  classbench::projection_stats stats;
  if (!spec.filters.empty()) {
    try {
      auto p = classbench::to_group(classbench::read_filters(spec.filters), spec.name);
      group = std::move(p.group);
      stats = p.stats;
      packets = classbench::to_packets(classbench::read_trace(spec.trace));
    } catch (const secgroup::error& e) {
      fail(spec.name, e.what());
    }
  } else {
    group = classbench::generate_group(spec.size, seed, spec.profile, spec.ipv6_percent);
    randomize_ranges(group, spec.random_range_percent);
    packets = classbench::generate_trace(group, generated_trace_size, seed + 1);
  }
  if (packets.empty()) fail(spec.name, "the trace is empty");
  compiled_group compiled(group);
  reference_evaluator reference(group);
  auto pol = lower<family::v4>(group, direction::inbound);
  auto d = std::unique_ptr<dataset>(new dataset{spec.name, std::move(group), std::move(packets),
                                                stats, std::move(compiled), std::move(reference),
                                                std::move(pol)});
  verify(*d, d->compiled, spec.checked_packets);
  return d;
}

// -- Groups derived from a set's ------------------------------------------------------

/// `g` with rule ids "rule-POSITION" (the generator and the ClassBench projection leave them
/// empty, and reordering and minimisation name rules by id).
inline security_group with_ids(security_group g) {
  for (auto& r : g.rules) r.id = "rule-" + std::to_string(r.position);
  return g;
}

/// `g` without enable_default_security and with the six SMTP drop rules as user rules 1..6.
inline security_group write_out_defaults(security_group g) {
  auto smtp = default_rules(g.zone);
  for (auto& r : g.rules) r.position += static_cast<std::uint32_t>(smtp.size());
  for (std::size_t i = 0; i < smtp.size(); ++i) {
    smtp[i].id = "written-out-smtp-" + std::to_string(i + 1);
    smtp[i].editable = true;
  }
  g.rules.insert(g.rules.begin(), smtp.begin(), smtp.end());
  g.enable_default_security = false;
  return g;
}

/// Returns the data set of `spec`, loading and verifying it on first use.
inline const dataset& load(const dataset_spec& spec) {
  static std::map<std::string, std::unique_ptr<dataset>> cache;
  auto& slot = cache[spec.name];
  if (!slot) slot = build(spec);
  return *slot;
}

// -- Registration (one function per .bench.cpp) ----------------------------------------

/// Registers the lookup benchmarks of one set: linear, box scan, compiled, latency, batches.
void register_lookup_benches(const dataset_spec& spec);
/// Registers the build benchmarks of one set: compiled_group and decision_map.
void register_build_benches(const dataset_spec& spec);
/// Registers the joint and split layouts of one set: build, single lookups, batches of 256.
void register_layout_benches(const dataset_spec& spec);
/// Registers the analysis benchmarks of one set: anomalies, diff, queries, exposure, minimize.
void register_analysis_benches(const dataset_spec& spec);
/// Registers the cost-growth benchmarks over every size (growth.bench.cpp; once, not per set).
void register_growth_benches();
/// Registers DPDK's rte_acl on one IPv4 set: single, batches per method, build (dpdk.bench.cpp;
/// only in builds with SECGROUP_BENCH_DPDK).
void register_dpdk_benches(const dataset_spec& spec);

}  // namespace secgroup_bench
