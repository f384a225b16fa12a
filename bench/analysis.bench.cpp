// bench/analysis.bench.cpp: what the exact analyses (secgroup/analysis.hpp) cost on each set.
//
//   analyze/SET         analysis::analyze(group): the full anomaly report (four policies,
//                       blocking sets, pairs, witnesses). Counters: findings, and per kind
//                       shadowed, redundant, correlated, generalization.
//   analyze_streamed/SET  analysis::for_each_finding(group, f): the same findings, passed to f
//                       one by one and not kept (f counts them). Counter: findings.
//   find_anomalies/SET  analysis::find_anomalies over the lowered IPv4 inbound policy alone.
//                       Counters: dead, shadowed, redundant, pairs (correlated and
//                       generalization), order (pairs whose order matters).
//   order/SET           analysis::order_constraints(group). Counter: constraints.
//   diff/SET            analysis::diff(group, group with one live rule's action flipped): not
//                       equivalent. Counter: regions.
//   diff_inverted/SET   diff(group, group with every rule's action flipped): every packet a rule
//                       decides differs, so the output is as large as the partition.
//   diff_reordered/SET  diff(group, group reordered as far as its order constraints allow: a
//                       topological order that takes the last free rule first): equivalent.
//                       Counter: moved (rules whose position changed).
//   diff_flag/SET       diff(group with enable_default_security, the same without it and the
//                       six SMTP drop rules written out as user rules 1..6): equivalent.
//   query/SET           analysis::evaluate_query, cycling through a fixed list of queries;
//                       the time is per query. Counter: partial (PARTIAL answers in the list).
//   connection/SET      analysis::check_connection(group, stateless copy of group, TCP 443):
//                       four legs with their accepted port sets.
//   exposure/SET        analysis::exposure(group), inbound. Counter: entries.
//   equivalence/SET, equivalence_inverted/SET, equivalence_reordered/SET
//                       analysis::equivalence against the changed, inverted and reordered
//                       groups above (the verdict and witness without the regions). Counter:
//                       equivalent (1 or 0).
//   minimize/SET        analysis::minimize(group), with its equivalence proof. Counter: removed.
// Times are per call, in milliseconds. Every benchmark runs on the set's group with rule ids
// "rule-POSITION" (the generator and the ClassBench projection leave ids empty; reordering and
// minimisation name rules by id). Inputs are built once per set, outside the timed loops, and
// checked: the reordered and the written-out groups must be equivalent to the set, the changed
// one must not be, and minimize's proof must hold; a failed check aborts.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <queue>
#include <secgroup/analysis.hpp>
#include <string>
#include <vector>

#include "support.hpp"

namespace secgroup_bench {
namespace {

/// The groups and queries the analysis benchmarks compare and ask, per set.
struct analysis_inputs {
  security_group base;          // the set's group, its rules given unique ids
  security_group changed;       // one live rule's action flipped
  security_group inverted;      // every rule's action flipped
  security_group reordered;     // a safe reordering
  std::size_t moved = 0;        // rules whose position differs in `reordered`
  security_group with_flag;     // enable_default_security on
  security_group written_out;   // off, with the six SMTP rules as user rules
  security_group stateless;     // stateful off
  std::vector<analysis::query> queries;
};

/// Flips the action of the first rule at or after the middle of the IPv4 inbound policy that
/// decides some packet, so the diff is exactly that rule's packets.
security_group flip_one(const dataset& d, const security_group& base) {
  auto verdicts = analysis::find_anomalies(d.inbound_v4).rules;
  const auto order = ordered_rules(base);
  for (std::size_t k = verdicts.size() / 2; k < verdicts.size(); ++k) {
    if (verdicts[k].dead) continue;
    security_group g = base;
    const auto& id = order[d.inbound_v4.origin[k]].id;
    for (auto& r : g.rules)
      if (r.id == id) r.action = !r.action;
    return g;
  }
  fail(d.name, "no live IPv4 inbound rule in the second half");
}

/// Reorders the user rules of `g` as far as its order constraints allow: among the rules whose
/// constrained predecessors are placed, the one latest in evaluation order goes first.
security_group reorder_safely(const security_group& g, std::size_t& moved) {
  const auto rules = ordered_rules(g);
  const auto n = static_cast<std::uint32_t>(rules.size());
  std::vector<std::vector<std::uint32_t>> after(n);
  std::vector<std::uint32_t> waiting(n, 0);
  for (const auto& c : analysis::order_constraints(g)) {
    after[c.earlier].push_back(c.later);
    ++waiting[c.later];
  }
  std::priority_queue<std::uint32_t> ready;
  for (std::uint32_t i = 0; i < n; ++i)
    if (rules[i].editable && waiting[i] == 0) ready.push(i);
  std::vector<std::string> ids;
  moved = 0;
  while (!ready.empty()) {
    auto i = ready.top();
    ready.pop();
    if (rules[i].position != ids.size() + 1) ++moved;
    ids.push_back(rules[i].id);
    for (auto j : after[i])
      if (--waiting[j] == 0) ready.push(j);
  }
  return analysis::reordered(g, ids);
}

std::vector<analysis::query> queries_of(const dataset& d) {
  using analysis::query;
  const auto tcp = mask_of(proto_class::tcp), udp = mask_of(proto_class::udp);
  // A copy: ordered_rules() returns a temporary, which a reference into it would outlive.
  const auto middle = ordered_rules(d.group)[d.group.rules.size() / 2];
  return {
      query{direction::inbound, tcp, {}, {22, 22}},
      query{direction::inbound, tcp | udp, {}, {0, 65535}},
      query{direction::inbound, all_protocols, {parse_network("10.0.0.0/8")}, {0, 65535}},
      query{direction::inbound, udp, {}, {53, 53}},
      query{direction::inbound, mask_of(proto_class::icmp), {}, {0, 65535}},
      query{direction::inbound, tcp, {middle.ip_range}, {80, 443}},
      query{direction::inbound, tcp, {parse_network("::/0")}, {1024, 65535}},
      query{direction::outbound, all_protocols, {}, {0, 65535}},
  };
}

std::unique_ptr<analysis_inputs> build_inputs(const dataset& d) {
  auto in = std::make_unique<analysis_inputs>();
  in->base = with_ids(d.group);
  in->changed = flip_one(d, in->base);
  in->inverted = in->base;
  for (auto& r : in->inverted.rules) r.action = !r.action;
  in->reordered = reorder_safely(in->base, in->moved);
  in->with_flag = in->base;
  in->with_flag.enable_default_security = true;
  in->written_out = write_out_defaults(in->base);
  in->stateless = in->base;
  in->stateless.stateful = false;
  in->queries = queries_of(d);
  if (analysis::diff(in->base, in->changed).equivalent)
    fail(d.name, "flipping a live rule's action left the group equivalent");
  if (auto r = analysis::diff(in->base, in->reordered); !r.equivalent)
    fail(d.name, "a reordering that keeps every order constraint changed " +
                     std::to_string(r.regions.size()) + " regions");
  if (auto r = analysis::diff(in->with_flag, in->written_out); !r.equivalent)
    fail(d.name, "writing out the default SMTP rules changed " + std::to_string(r.regions.size()) +
                     " regions");
  return in;
}

const analysis_inputs& inputs(const dataset_spec& spec) {
  static std::map<std::string, std::unique_ptr<analysis_inputs>> cache;
  auto& slot = cache[spec.name];
  if (!slot) slot = build_inputs(load(spec));
  return *slot;
}

void count_rules(benchmark::State& state, const dataset& d) {
  state.counters["rules"] = static_cast<double>(d.rules());
}

void analyze(benchmark::State& state, const dataset_spec& spec) {
  const auto& d = load(spec);
  const auto& in = inputs(spec);
  std::array<std::size_t, 4> kinds{};
  std::size_t findings = 0;
  for (auto _ : state) {
    auto report = analysis::analyze(in.base);
    findings = report.findings.size();
    kinds = {};
    for (const auto& f : report.findings) ++kinds[static_cast<std::size_t>(f.kind)];
    benchmark::DoNotOptimize(report);
  }
  state.counters["findings"] = static_cast<double>(findings);
  for (auto k : {analysis::finding_kind::shadowed, analysis::finding_kind::redundant,
                 analysis::finding_kind::correlated, analysis::finding_kind::generalization})
    state.counters[std::string(analysis::to_string(k))] =
        static_cast<double>(kinds[static_cast<std::size_t>(k)]);
  count_rules(state, d);
}

void analyze_streamed(benchmark::State& state, const dataset_spec& spec) {
  const auto& d = load(spec);
  const auto& in = inputs(spec);
  std::size_t findings = 0;
  for (auto _ : state) {
    findings = 0;
    analysis::for_each_finding(in.base, [&](const analysis::finding& f) {
      benchmark::DoNotOptimize(f);
      ++findings;
    });
  }
  state.counters["findings"] = static_cast<double>(findings);
  count_rules(state, d);
}

void find_anomalies(benchmark::State& state, const dataset_spec& spec) {
  const auto& d = load(spec);
  std::size_t dead = 0, shadowed = 0, redundant = 0, pairs = 0, order = 0;
  for (auto _ : state) {
    auto found = analysis::find_anomalies(d.inbound_v4);
    dead = shadowed = redundant = 0;
    for (const auto& v : found.rules) {
      dead += v.dead;
      shadowed += v.shadowed;
      redundant += v.redundant;
    }
    pairs = found.pairs.size();
    order = found.order.size();
    benchmark::DoNotOptimize(found);
  }
  state.counters["dead"] = static_cast<double>(dead);
  state.counters["shadowed"] = static_cast<double>(shadowed);
  state.counters["redundant"] = static_cast<double>(redundant);
  state.counters["pairs"] = static_cast<double>(pairs);
  state.counters["order"] = static_cast<double>(order);
  count_rules(state, d);
}

void order(benchmark::State& state, const dataset_spec& spec) {
  const auto& d = load(spec);
  const auto& in = inputs(spec);
  std::size_t constraints = 0;
  for (auto _ : state) {
    auto c = analysis::order_constraints(in.base);
    constraints = c.size();
    benchmark::DoNotOptimize(c);
  }
  state.counters["constraints"] = static_cast<double>(constraints);
  count_rules(state, d);
}

void diff(benchmark::State& state, const dataset& d, const security_group& a,
          const security_group& b) {
  std::size_t regions = 0;
  for (auto _ : state) {
    auto r = analysis::diff(a, b);
    regions = r.regions.size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["regions"] = static_cast<double>(regions);
  count_rules(state, d);
}

void diff_changed(benchmark::State& state, const dataset_spec& spec) {
  const auto& in = inputs(spec);
  diff(state, load(spec), in.base, in.changed);
}

void diff_inverted(benchmark::State& state, const dataset_spec& spec) {
  const auto& in = inputs(spec);
  diff(state, load(spec), in.base, in.inverted);
}

void diff_reordered(benchmark::State& state, const dataset_spec& spec) {
  const auto& in = inputs(spec);
  diff(state, load(spec), in.base, in.reordered);
  state.counters["moved"] = static_cast<double>(in.moved);
}

void diff_flag(benchmark::State& state, const dataset_spec& spec) {
  const auto& in = inputs(spec);
  diff(state, load(spec), in.with_flag, in.written_out);
}

void equivalence(benchmark::State& state, const dataset& d, const security_group& a,
                 const security_group& b) {
  bool holds = false;
  for (auto _ : state) {
    auto v = analysis::equivalence(a, b);
    holds = v.result == outcome::holds;
    benchmark::DoNotOptimize(v);
  }
  state.counters["equivalent"] = holds ? 1 : 0;
  count_rules(state, d);
}

void equivalence_changed(benchmark::State& state, const dataset_spec& spec) {
  const auto& in = inputs(spec);
  equivalence(state, load(spec), in.base, in.changed);
}

void equivalence_inverted(benchmark::State& state, const dataset_spec& spec) {
  const auto& in = inputs(spec);
  equivalence(state, load(spec), in.base, in.inverted);
}

void equivalence_reordered(benchmark::State& state, const dataset_spec& spec) {
  const auto& in = inputs(spec);
  equivalence(state, load(spec), in.base, in.reordered);
}

void query(benchmark::State& state, const dataset_spec& spec) {
  const auto& d = load(spec);
  const auto& in = inputs(spec);
  const auto& qs = in.queries;
  std::size_t partial = 0;
  for (const auto& q : qs)
    partial += analysis::evaluate_query(in.base, q).answer == analysis::coverage::partial;
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = analysis::evaluate_query(in.base, qs[i]);
    benchmark::DoNotOptimize(r);
    if (++i == qs.size()) i = 0;
  }
  state.counters["partial"] = static_cast<double>(partial);
  count_rules(state, d);
}

void connection(benchmark::State& state, const dataset_spec& spec) {
  const auto& d = load(spec);
  const auto& in = inputs(spec);
  analysis::connection c;
  c.client = ip_address::v4(0x0a000001u);
  c.server = ip_address::v4(0xc0a80001u);
  for (auto _ : state) {
    auto r = analysis::check_connection(in.base, in.stateless, c);
    benchmark::DoNotOptimize(r);
  }
  count_rules(state, d);
}

void exposure(benchmark::State& state, const dataset_spec& spec) {
  const auto& d = load(spec);
  const auto& in = inputs(spec);
  std::size_t entries = 0;
  for (auto _ : state) {
    auto e = analysis::exposure(in.base);
    entries = e.size();
    benchmark::DoNotOptimize(e);
  }
  state.counters["entries"] = static_cast<double>(entries);
  count_rules(state, d);
}

void minimize(benchmark::State& state, const dataset_spec& spec) {
  const auto& d = load(spec);
  const auto& in = inputs(spec);
  std::size_t removed = 0;
  bool proved = true;
  for (auto _ : state) {
    auto m = analysis::minimize(in.base);
    removed = m.removed.size();
    proved = proved && m.proof.equivalent;
    benchmark::DoNotOptimize(m);
  }
  if (!proved) fail(spec.name, "minimize returned a group that is not equivalent");
  state.counters["removed"] = static_cast<double>(removed);
  count_rules(state, d);
}

}  // namespace

void register_analysis_benches(const dataset_spec& spec) {
  auto add = [&](const std::string& kind, auto fn) {
    benchmark::RegisterBenchmark((kind + "/" + spec.name).c_str(), fn, spec)
        ->Unit(benchmark::kMillisecond);
  };
  add("analyze", analyze);
  add("analyze_streamed", analyze_streamed);
  add("find_anomalies", find_anomalies);
  add("order", order);
  add("diff", diff_changed);
  add("diff_inverted", diff_inverted);
  add("diff_reordered", diff_reordered);
  add("diff_flag", diff_flag);
  add("equivalence", equivalence_changed);
  add("equivalence_inverted", equivalence_inverted);
  add("equivalence_reordered", equivalence_reordered);
  add("query", query);
  add("connection", connection);
  add("exposure", exposure);
  add("minimize", minimize);
}

}  // namespace secgroup_bench
