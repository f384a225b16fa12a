// bench/dpdk.bench.cpp: DPDK's ACL library (rte_acl) on the same rules and packets as secgroup,
// in the same process (built when pkg-config finds libdpdk; see bench/dpdk/acl_peer.hpp).
//
// For every IPv4-only set: the group's inbound rules in evaluation order become rte_acl rules
// (first match = highest priority), the trace its packets. Loading (never timed) builds the
// context and checks that every method's answer on every trace packet, one by one and in
// batches, is the rule reference_evaluator names (or none for the default policy); a mismatch
// aborts. The benchmarks report `pkt_time` as lookup.bench.cpp does:
//   dpdk/SET                  rte_acl_classify, one packet per call, DPDK's default method;
//   dpdk_batch64_<method>/SET, dpdk_batch256_<method>/SET
//                             rte_acl_classify_alg over consecutive batches, each method the
//                             CPU allows (scalar, sse, avx2, avx512x16, avx512x32);
//   dpdk_build/SET            rte_acl_create + add_rules + build; counter memory_MiB is the
//                             runtime footprint rte_acl_build logs.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dpdk/acl_peer.hpp"
#include "support.hpp"

namespace secgroup_bench {
// A named namespace: the benches compile as one unit (SECGROUP_UNITY) beside lookup.bench.cpp.
namespace dpdk_bench {

namespace peer = secgroup_bench::dpdk;

/// A set as rte_acl sees it.
struct dpdk_set {
  std::vector<peer::acl_rule> rules;
  std::vector<peer::acl_packet> packets;
  std::vector<const peer::acl_packet*> pointers;  // what classify reads
  std::unique_ptr<peer::acl> acl;
};

std::vector<peer::acl_rule> acl_rules(const security_group& g) {
  std::vector<peer::acl_rule> out;
  const auto rules = ordered_rules(g);
  for (std::uint32_t i = 0; i < rules.size(); ++i) {
    const auto& r = rules[i];
    if (r.direction != direction::inbound) continue;
    if (r.ip_range.af() != family::v4) fail("dpdk", "an IPv6 rule in an IPv4-only set");
    peer::acl_rule a;
    a.any_protocol = r.protocol == protocol::any;
    a.protocol = r.protocol == protocol::tcp    ? ip_proto::tcp
                 : r.protocol == protocol::udp  ? ip_proto::udp
                 : r.protocol == protocol::icmp ? ip_proto::icmp
                                                : 0;
    a.address = r.ip_range.address.v4_bits();
    a.prefix = r.ip_range.prefix;
    if (r.has_ports()) {
      a.port_from = r.ports->from;
      a.port_to = r.ports->to;
    }
    a.number = i;
    out.push_back(a);
  }
  return out;
}

// Aborts unless every method (and the default one) answers as reference_evaluator on `d`.
void verify(const dataset& d, const dpdk_set& s) {
  const auto n = static_cast<std::uint32_t>(s.pointers.size());
  std::vector<std::uint32_t> want(n), got(n);
  for (std::uint32_t k = 0; k < n; ++k) {
    const auto r = d.reference.evaluate(d.packets[k]);
    want[k] = r.by_default() ? 0 : r.rule + 1;
  }
  auto check = [&](const std::string& how) {
    for (std::uint32_t k = 0; k < n; ++k)
      if (got[k] != want[k])
        fail(d.name, "dpdk " + how + ", packet " + std::to_string(k) + " (" +
                         to_string(d.packets[k]) + "): linear says " + std::to_string(want[k]) +
                         ", rte_acl says " + std::to_string(got[k]) + " (rule number + 1)");
  };
  for (std::uint32_t k = 0; k < n; ++k) s.acl->classify(&s.pointers[k], &got[k], 1);
  check("one by one");
  for (auto m : {peer::method::scalar, peer::method::sse, peer::method::avx2,
                 peer::method::avx512x16, peer::method::avx512x32}) {
    if (!s.acl->supports(m)) continue;
    for (std::uint32_t at = 0; at < n; at += 256)
      s.acl->classify(s.pointers.data() + at, got.data() + at, std::min(256u, n - at), m);
    check(std::string("method ") + peer::to_string(m));
  }
}

// The set of `spec` for rte_acl, built and verified on first use; nullptr (with the reason
// given to `state`) when DPDK's EAL cannot start here.
const dpdk_set* load_dpdk(benchmark::State& state, const dataset_spec& spec) {
  std::string why;
  if (!peer::start_eal(why)) {
    state.SkipWithError(("DPDK's EAL does not start: " + why).c_str());
    return nullptr;
  }
  static std::map<std::string, std::unique_ptr<dpdk_set>> cache;
  auto& slot = cache[spec.name];
  if (slot) return slot.get();
  const auto& d = load(spec);
  auto s = std::make_unique<dpdk_set>();
  s->rules = acl_rules(d.group);
  for (const auto& p : d.packets)
    s->packets.push_back(
        peer::make_packet(p.protocol, p.remote.v4_bits(), carries_ports(p.protocol) ? p.port : 0));
  for (const auto& p : s->packets) s->pointers.push_back(&p);
  s->acl = std::make_unique<peer::acl>(s->rules);
  verify(d, *s);
  slot = std::move(s);
  return slot.get();
}

void count_packets(benchmark::State& state, const dpdk_set& s, std::size_t per_iteration) {
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(per_iteration));
  state.counters["pkt_time"] = benchmark::Counter(
      static_cast<double>(per_iteration),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["rules"] = static_cast<double>(s.rules.size());
}

void single(benchmark::State& state, const dataset_spec& spec) {
  const auto* set = load_dpdk(state, spec);
  if (!set) return;
  const auto& s = *set;
  const std::size_t n = s.pointers.size();
  std::uint32_t result = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    s.acl->classify(&s.pointers[i], &result, 1);
    benchmark::DoNotOptimize(result);
    if (++i == n) i = 0;
  }
  count_packets(state, s, 1);
}

void batch(benchmark::State& state, const dataset_spec& spec, std::uint32_t size, peer::method m) {
  const auto* set = load_dpdk(state, spec);
  if (!set) return;
  const auto& s = *set;
  if (!s.acl->supports(m)) {
    state.SkipWithError("this CPU does not allow the method");
    return;
  }
  const auto n = static_cast<std::uint32_t>(s.pointers.size());
  size = std::min(size, n);
  std::vector<std::uint32_t> out(size);
  std::uint32_t at = 0;
  for (auto _ : state) {
    if (at + size > n) at = 0;
    s.acl->classify(s.pointers.data() + at, out.data(), size, m);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
    at += size;
  }
  count_packets(state, s, size);
}

void build_context(benchmark::State& state, const dataset_spec& spec) {
  const auto* set = load_dpdk(state, spec);
  if (!set) return;
  const auto& s = *set;
  std::size_t memory = 0;
  for (auto _ : state) {
    peer::acl built(s.rules);
    memory = built.memory();
    benchmark::DoNotOptimize(&built);
  }
  state.counters["rules"] = static_cast<double>(s.rules.size());
  state.counters["memory_MiB"] = static_cast<double>(memory) / (1 << 20);
}

}  // namespace dpdk_bench

void register_dpdk_benches(const dataset_spec& spec) {
  using namespace dpdk_bench;
  if (spec.ipv6_percent != 0) return;  // the peer classifies IPv4 rules only
  benchmark::RegisterBenchmark(("dpdk/" + spec.name).c_str(), single, spec);
  benchmark::RegisterBenchmark(("dpdk_build/" + spec.name).c_str(), build_context, spec)
      ->Unit(benchmark::kMillisecond);
  for (std::uint32_t size : {64u, 256u})
    for (auto m : {peer::method::scalar, peer::method::sse, peer::method::avx2,
                   peer::method::avx512x16, peer::method::avx512x32})
      benchmark::RegisterBenchmark(
          ("dpdk_batch" + std::to_string(size) + "_" + peer::to_string(m) + "/" + spec.name)
              .c_str(),
          batch, spec, size, m);
}

}  // namespace secgroup_bench
