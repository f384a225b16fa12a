// Group-level analyses (analyze, order_constraints, reordering, diff, minimize) at real widths,
// against brute force over the elementary cells of each direction and family, decided by
// reference_evaluator; and hand-written Scaleway groups for the linter bug classes of
// analysis-semantics.md §4, with the expected findings worked out by hand.
#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <secgroup/analysis.hpp>
#include <secgroup/io/analysis_json.hpp>
#include <secgroup/io/json_spool.hpp>
#include <secgroup/secgroup.hpp>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "support/random_groups.hpp"

using namespace secgroup;
using secgroup_test::describe;
using secgroup_test::rng_type;

namespace {

constexpr auto in = direction::inbound;
constexpr auto out = direction::outbound;
constexpr auto accept = action::accept;
constexpr auto drop = action::drop;

// -- Hand-written groups ------------------------------------------------------------------

/// Parses "DIRECTION ACTION PROTOCOL CIDR [PORT|FROM-TO]".
rule make_rule(std::string_view text) {
  std::vector<std::string_view> w;
  while (!text.empty()) {
    auto end = text.find(' ');
    w.push_back(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
  }
  rule r;
  r.direction = parse_direction(w.at(0));
  r.action = parse_action(w.at(1));
  r.protocol = parse_protocol(w.at(2));
  r.ip_range = parse_network(w.at(3));
  if (w.size() == 5) {
    auto dash = w[4].find('-');
    auto from = parse_port(w[4].substr(0, dash));
    auto to = dash == std::string_view::npos ? from : parse_port(w[4].substr(dash + 1));
    r.ports = port_range{from, to};
  }
  return r;
}

/// A group of the given user rules (ids r0, r1, ...; positions 1..n).
security_group make_group(const std::vector<std::string_view>& rules, action inbound,
                          action outbound, bool default_security = false) {
  security_group g;
  g.id = "sg-hand";
  g.name = "hand";
  g.enable_default_security = default_security;
  g.inbound_default_policy = inbound;
  g.outbound_default_policy = outbound;
  for (std::size_t k = 0; k < rules.size(); ++k) {
    auto r = make_rule(rules[k]);
    r.id = "r" + std::to_string(k);
    r.position = static_cast<std::uint32_t>(k + 1);
    r.zone = g.zone;
    g.rules.push_back(r);
  }
  return g;
}

std::string text_of(const analysis::finding& f) {
  std::string related;
  for (auto r : f.related) related += (related.empty() ? "" : ",") + std::to_string(r);
  return std::string(analysis::to_string(f.kind)) + " rule " + std::to_string(f.rule) + " " +
         std::string(to_string(f.direction)) + " {" + related + "} " +
         std::string(analysis::to_string(f.reason)) + " witness " +
         (f.witness ? to_string(*f.witness) : std::string("none"));
}

std::vector<std::string> text_of(const std::vector<analysis::finding>& v) {
  std::vector<std::string> texts;
  for (const auto& f : v) texts.push_back(text_of(f));
  return texts;
}

analysis::finding expect(analysis::finding_kind kind, std::uint32_t rule, direction d,
                         std::vector<std::uint32_t> related, analysis::finding_reason reason,
                         const char* witness) {
  analysis::finding f;
  f.kind = kind;
  f.rule = rule;
  f.direction = d;
  f.related = std::move(related);
  f.reason = reason;
  if (witness) f.witness = parse_packet(witness);
  return f;
}

constexpr auto shadowed = analysis::finding_kind::shadowed;
constexpr auto redundant = analysis::finding_kind::redundant;
constexpr auto correlated = analysis::finding_kind::correlated;
constexpr auto generalization = analysis::finding_kind::generalization;
using reason = analysis::finding_reason;

// -- Brute force over cells ---------------------------------------------------------------

/// One direction and family of a group, by brute force over its elementary cells.
struct slice {
  direction d = in;
  family f = family::v4;
  std::vector<std::uint32_t> index;               ///< ordered_rules() index of each slice rule
  std::vector<std::vector<std::uint32_t>> atoms;  ///< slice rules matching each cell
  secgroup_test::brute_anomalies brute;
};

std::vector<slice> slices_of(const security_group& g) {
  const auto rules = ordered_rules(g);
  std::vector<slice> result;
  for (auto d : {in, out})
    for (auto f : {family::v4, family::v6}) {
      slice s{d, f, {}, {}, {}};
      std::vector<rule> sub;
      std::vector<action> actions;
      for (std::uint32_t i = 0; i < rules.size(); ++i)
        if (rules[i].direction == d && rules[i].ip_range.af() == f) {
          s.index.push_back(i);
          sub.push_back(rules[i]);
          actions.push_back(rules[i].action);
        }
      s.atoms = secgroup_test::cell_atoms(sub, secgroup_test::group_cells(rules, d, f));
      s.brute = secgroup_test::brute_force_anomalies(actions, g.default_policy(d), s.atoms);
      result.push_back(std::move(s));
    }
  return result;
}

/// The decision of `p` by `rules` without rule `skip`.
decision decide_without(const std::vector<rule>& rules, const security_group& g, std::uint32_t skip,
                        const packet& p) {
  for (std::uint32_t i = 0; i < rules.size(); ++i)
    if (i != skip && matches(rules[i], p)) return {rules[i].action, i};
  return {g.default_policy(p.direction), decision::no_rule};
}

/// Returns "" if analyze(g) and order_constraints(g) agree with brute force, and every
/// witness and blocking set is valid under reference_evaluator; else the first problem.
std::string check_analyze(const security_group& g) {
  const auto report = analysis::analyze(g);
  const reference_evaluator ref(g);
  const auto& rules = ref.rules();
  if (report.rules != rules) return "report.rules is not ordered_rules(g)";
  const auto slices = slices_of(g);

  // Expected findings, keyed without the blocking sets (checked for validity below).
  std::vector<std::string> want, got;
  auto key = [](analysis::finding_kind k, std::uint32_t rule, direction d, reason why,
                const std::vector<std::uint32_t>& related) {
    std::string text = std::to_string(rule) + " " + std::string(analysis::to_string(k)) + " " +
                       std::string(to_string(d)) + " " + std::string(analysis::to_string(why)) +
                       " {";
    for (auto r : related) text += std::to_string(r) + ",";
    return text + "}";
  };
  std::vector<analysis::order_constraint> want_order;
  std::map<std::uint32_t, std::pair<const slice*, std::uint32_t>> where;  // rule -> slice, k
  for (const auto& s : slices) {
    const auto& b = s.brute;
    for (std::uint32_t k = 0; k < s.index.size(); ++k) {
      const auto i = s.index[k];
      where[i] = {&s, k};
      if (!rules[i].editable) continue;
      if (b.dead[k] && b.contradicted[k])
        want.push_back(key(shadowed, i, s.d, reason::blocked, {}));
      else if (b.dead[k])
        want.push_back(key(redundant, i, s.d, reason::covered, {}));
      else if (b.removable[k]) {
        std::vector<std::uint32_t> takers;
        for (auto t : b.takers[k]) takers.push_back(s.index[t]);
        want.push_back(key(redundant, i, s.d, reason::falls_through, takers));
      }
    }
    for (const auto& [e, l] : b.order) {
      const auto ie = s.index[e], il = s.index[l];
      if (rules[ie].editable && rules[il].editable) want_order.push_back({ie, il, s.d});
      if (!rules[il].editable || b.subset(l, e)) continue;
      const bool general = b.subset(e, l);
      want.push_back(key(general ? generalization : correlated, il, s.d,
                         general ? reason::generalizes : reason::partial_overlap, {ie}));
    }
  }
  for (const auto& f : report.findings) {
    const bool blocking = f.kind == shadowed || f.reason == reason::covered;
    got.push_back(key(f.kind, f.rule, f.direction, f.reason,
                      blocking ? std::vector<std::uint32_t>{} : f.related));
  }
  std::sort(want.begin(), want.end());
  auto sorted_got = got;
  std::sort(sorted_got.begin(), sorted_got.end());
  if (sorted_got != want) {
    std::string text = "findings differ; got:\n";
    for (const auto& x : sorted_got) text += "  " + x + "\n";
    text += "expected:\n";
    for (const auto& x : want) text += "  " + x + "\n";
    return text;
  }
  if (!std::is_sorted(report.findings.begin(), report.findings.end(),
                      [](const analysis::finding& a, const analysis::finding& b) {
                        return std::tie(a.rule, a.kind, a.related) <
                               std::tie(b.rule, b.kind, b.related);
                      }))
    return "findings are not sorted by rule, kind, related";

  for (const auto& f : report.findings) {
    const auto text = text_of(f);
    const auto& r = rules[f.rule];
    const auto& [s_binding, k_binding] = where.at(f.rule);  // Clang 14 cannot capture bindings
    const auto* const s = s_binding;
    const auto k = k_binding;
    if (f.kind == shadowed || f.reason == reason::covered) {
      for (auto j : f.related) {
        auto it = std::find(s->index.begin(), s->index.end(), j);
        if (j >= f.rule || it == s->index.end())
          return text + ": blocking rule " + std::to_string(j) + " is not an earlier rule";
        if (!s->brute.meet(static_cast<std::uint32_t>(it - s->index.begin()), k))
          return text + ": blocking rule " + std::to_string(j) + " is disjoint";
      }
      for (const auto& atom : s->atoms) {
        if (!std::binary_search(atom.begin(), atom.end(), k)) continue;
        if (std::none_of(f.related.begin(), f.related.end(), [&](std::uint32_t j) {
              return std::any_of(atom.begin(), atom.end(),
                                 [&](std::uint32_t m) { return s->index[m] == j; });
            }))
          return text + ": the blocking set does not cover the rule";
      }
      if (f.kind == shadowed &&
          std::none_of(f.related.begin(), f.related.end(),
                       [&](std::uint32_t j) { return rules[j].action != r.action; }))
        return text + ": no blocking rule of the other action";
    }
    if (!f.witness) return text + ": no witness";
    const auto& w = *f.witness;
    if (w.direction != f.direction || w.remote.af != r.ip_range.af())
      return text + ": witness of another direction or family";
    const auto got_decision = ref.evaluate(w);
    bool ok = false;
    switch (f.kind) {
      case shadowed:
        ok = matches(r, w) && got_decision.action != r.action;
        break;
      case redundant:
        if (f.reason == reason::covered) {
          ok = matches(r, w) && got_decision.action == r.action;
        } else {
          auto next = decide_without(rules, g, f.rule, w);
          ok = got_decision.rule == f.rule && next.action == r.action &&
               (next.by_default() ||
                std::find(f.related.begin(), f.related.end(), next.rule) != f.related.end());
        }
        break;
      case correlated:
      case generalization:
        ok = f.related.size() == 1 && matches(r, w) && got_decision.rule == f.related[0];
        break;
    }
    if (!ok) return text + ": invalid witness (decided " + describe(got_decision) + ")";
  }

  std::sort(want_order.begin(), want_order.end(),
            [](const analysis::order_constraint& a, const analysis::order_constraint& b) {
              return std::tie(a.earlier, a.later) < std::tie(b.earlier, b.later);
            });
  if (analysis::order_constraints(g) != want_order) return "order_constraints differ";
  return "";
}

// -- Group diffs --------------------------------------------------------------------------

std::string text_of(const analysis::group_diff_region& r) {
  return std::string(to_string(r.direction)) + " " + std::string(to_string(r.protocol)) + " " +
         to_string(r.first) + "-" + to_string(r.last) + " ports " + std::to_string(r.ports.lo) +
         "-" + std::to_string(r.ports.hi) + " " + describe(r.a) + " / " + describe(r.b);
}

/// Returns "" if diff(a, b) is exact over the cells of both groups, else the first problem.
std::string check_group_diff(const security_group& a, const security_group& b) {
  const auto d = analysis::diff(a, b);
  const reference_evaluator ra(a), rb(b);
  if (d.rules_a != ra.rules() || d.rules_b != rb.rules()) return "rules_a / rules_b";
  const auto difference = secgroup_test::find_difference(a, b);
  if (d.equivalent == bool(difference))
    return "equivalent = " + std::to_string(d.equivalent) +
           (difference ? ", yet " + to_string(*difference) + " differs" : "");
  if (d.equivalent != d.regions.empty()) return "equivalent but regions";
  auto order_key = [](const analysis::group_diff_region& r) {
    return std::tuple(r.direction, r.af, r.protocol, r.ports.lo, r.first);
  };
  for (std::size_t k = 1; k < d.regions.size(); ++k)
    if (!(order_key(d.regions[k - 1]) < order_key(d.regions[k])))
      return "regions out of order at " + text_of(d.regions[k]);
  auto rules = ra.rules();
  rules.insert(rules.end(), rb.rules().begin(), rb.rules().end());
  for (auto dir : {in, out})
    for (auto f : {family::v4, family::v6})
      for (const auto& c : secgroup_test::group_cells(rules, dir, f)) {
        const auto da = ra.evaluate(c.packet), db = rb.evaluate(c.packet);
        int holding = 0;
        for (const auto& r : d.regions) {
          if (r.direction != dir || r.af != f || r.protocol != c.protocol) continue;
          const bool meets = !(r.last.value < c.first || c.last < r.first.value ||
                               r.ports.hi < c.port_lo || c.port_hi < r.ports.lo);
          if (!meets) continue;
          if (c.first < r.first.value || r.last.value < c.last || c.port_lo < r.ports.lo ||
              r.ports.hi < c.port_hi)
            return "region " + text_of(r) + " cuts a cell";
          ++holding;
          if (!(r.a == da) || !(r.b == db))
            return "region " + text_of(r) + " but " + to_string(c.packet) + " is decided " +
                   describe(da) + " / " + describe(db);
        }
        if (holding != (da.action != db.action ? 1 : 0))
          return to_string(c.packet) + " lies in " + std::to_string(holding) + " regions";
      }
  const auto verdict = analysis::equivalence(a, b);
  if ((verdict.result == outcome::holds) != d.equivalent ||
      bool(verdict.counterexample) == d.equivalent)
    return "equivalence() disagrees with diff()";
  if (!d.equivalent) {
    const auto& w = *d.witness;
    if (!(ra.evaluate(w.packet) == w.a) || !(rb.evaluate(w.packet) == w.b) ||
        w.a.action == w.b.action)
      return "invalid diff witness " + to_string(w.packet);
    if (!(*verdict.counterexample == w)) return "equivalence() names another witness";
    // The most readable: no region holds a packet of a better (protocol class, well-known port,
    // family) rank.
    constexpr std::array<std::uint32_t, 10> well_known{80,   443,  22,  53,   25,
                                                       3389, 8080, 123, 5432, 3306};
    auto port_rank = [&](proto_class c, std::uint32_t lo, std::uint32_t hi) {
      if (has_ports(c))
        for (std::size_t k = 0; k < well_known.size(); ++k)
          if (lo <= well_known[k] && well_known[k] <= hi) return static_cast<int>(k);
      return 10;
    };
    const auto wc = class_of(w.packet.protocol);
    const auto got = std::tuple(static_cast<int>(wc), port_rank(wc, w.packet.port, w.packet.port),
                                static_cast<int>(w.packet.remote.af));
    for (const auto& r : d.regions) {
      const auto best =
          std::tuple(static_cast<int>(r.protocol), port_rank(r.protocol, r.ports.lo, r.ports.hi),
                     static_cast<int>(r.af));
      if (best < got)
        return "witness " + to_string(w.packet) + " is less readable than region " + text_of(r);
    }
  }
  const auto m = analysis::diff(b, a);
  if (m.regions.size() != d.regions.size()) return "diff(b, a) has another number of regions";
  for (std::size_t k = 0; k < d.regions.size(); ++k) {
    auto swapped = d.regions[k];
    std::swap(swapped.a, swapped.b);
    if (!(m.regions[k] == swapped)) return "diff(b, a) does not mirror diff(a, b)";
  }
  if (!d.equivalent && !(m.witness->packet == d.witness->packet))
    return "diff(b, a) picks another witness";
  return "";
}

/// Returns `g` changed a little, or a fresh group.
security_group mutate(rng_type& rng, const security_group& g) {
  using secgroup_test::uniform;
  auto b = g;
  const auto n = g.rules.size();
  switch (uniform(rng, 0, 9)) {
    case 0:
      return secgroup_test::random_group(rng, {30, 40, 3});
    case 1:
      if (n) b.rules.erase(b.rules.begin() + static_cast<long>(uniform(rng, 0, n - 1)));
      break;
    case 2:
      if (n) {
        auto& r = b.rules[uniform(rng, 0, n - 1)];
        r.action = !r.action;
      }
      break;
    case 3:
      b.inbound_default_policy = !b.inbound_default_policy;
      break;
    case 4:
      b.enable_default_security = !b.enable_default_security;
      break;
    case 5:
      if (n)
        b.rules[uniform(rng, 0, n - 1)].position = static_cast<std::uint32_t>(uniform(rng, 1, n));
      break;
    case 6:
      if (n) {  // a copy right after the original: equivalent
        auto k = uniform(rng, 0, n - 1);
        auto copy = b.rules[k];
        copy.id += "-copy";
        b.rules.insert(b.rules.begin() + static_cast<long>(k) + 1, copy);
      }
      break;
    case 7:
      b.stateful = !b.stateful;  // decisions only: equivalent
      break;
    case 8:
      if (n) {  // widen or narrow one network
        auto& r = b.rules[uniform(rng, 0, n - 1)];
        auto p = r.ip_range.prefix;
        unsigned prefix = secgroup_test::chance(rng, 50)
                              ? (p > 0 ? p - 1u : 0u)
                              : std::min(p + 1u, address_bits(r.ip_range.af()));
        r.ip_range = ip_network::of(r.ip_range.address, prefix);
      }
      break;
    default:
      break;
  }
  return b;
}

security_group without_rule(security_group g, std::size_t i) {
  g.rules.erase(g.rules.begin() + static_cast<long>(i));
  return g;
}

}  // namespace

// -- Random groups ------------------------------------------------------------------------

TEST_CASE("analyze: random groups, findings exact against every elementary cell",
          "[analysis][groups][random]") {
  auto seed = GENERATE(range<std::uint64_t>(501, 505));
  rng_type rng(seed);
  std::map<reason, int> kinds;
  for (int n = 0; n < 150; ++n) {
    secgroup_test::group_options options;
    options.max_rules = n % 3 == 0 ? 60 : 25;
    options.v6_percent = n % 5 == 0 ? 80 : 40;
    const auto g = secgroup_test::random_group(rng, options);
    const auto error = check_analyze(g);
    if (!error.empty()) {
      INFO("seed " << seed << ", group " << n << ":\n" << describe(g));
      FAIL(error);
    }
    const auto report = analysis::analyze(g);
    for (const auto& f : report.findings) ++kinds[f.reason];
    // for_each_finding streams the same findings in the same order.
    std::vector<analysis::finding> streamed;
    analysis::for_each_finding(g, [&](const analysis::finding& f) { streamed.push_back(f); });
    if (!(streamed == report.findings)) {
      INFO("seed " << seed << ", group " << n << ":\n" << describe(g));
      FAIL("for_each_finding gave " << streamed.size() << " findings, analyze "
                                    << report.findings.size() << ", or another order");
    }
  }
  // Every kind of finding must occur, or agreement proves little.
  for (auto r : {reason::blocked, reason::covered, reason::falls_through, reason::partial_overlap,
                 reason::generalizes}) {
    INFO(analysis::to_string(r));
    CHECK(kinds[r] > 0);
  }
}

TEST_CASE("analyze: findings written as text (the CLI's JSON) are anomalies_to_json's dump(2)",
          "[analysis][groups][random][json]") {
  rng_type rng(517);
  std::size_t findings = 0, without_id = 0, witnessed = 0;
  for (int n = 0; n < 120; ++n) {
    auto g = secgroup_test::random_group(rng, {25, 40, 3});
    for (std::size_t i = 0; i < g.rules.size(); i += 3) g.rules[i].id.clear();  // written null
    const auto report = analysis::analyze(g);
    std::ostringstream written;
    json_list_writer writer(written, "findings");
    for (const auto& f : report.findings) {
      writer.push_written([&](json_text& text) { write_finding_json(text, f, report.rules); });
      without_id += report.rules[f.rule].id.empty();
      witnessed += f.witness.has_value();
    }
    writer.close();
    findings += report.findings.size();
    INFO("group " << n << ":\n" << describe(g));
    REQUIRE(written.str() == anomalies_to_json(report).dump(2) + "\n");
  }
  CHECK(findings > 100);
  CHECK(without_id > 0);
  CHECK(witnessed > 0);
}

TEST_CASE(
    "reorder: keeping the order constraints preserves every decision and check_reorder is exact",
    "[analysis][groups][random][reorder]") {
  rng_type rng(511);
  int preserved = 0, changed = 0;
  for (int n = 0; n < 300; ++n) {
    const auto g = secgroup_test::random_group(rng, {25, 40, 3});
    const auto rules = ordered_rules(g);
    std::vector<std::uint32_t> user;  // ordered_rules() indices of the user rules
    for (std::uint32_t i = 0; i < rules.size(); ++i)
      if (rules[i].editable) user.push_back(i);
    const auto constraints = analysis::order_constraints(g);
    // A random order keeping every constraint: repeatedly take a rule none of whose
    // constrained predecessors is left.
    std::vector<std::uint32_t> left = user, order;
    while (!left.empty()) {
      std::vector<std::size_t> ready;
      for (std::size_t k = 0; k < left.size(); ++k)
        if (std::none_of(constraints.begin(), constraints.end(), [&](const auto& c) {
              return c.later == left[k] &&
                     std::find(left.begin(), left.end(), c.earlier) != left.end();
            }))
          ready.push_back(k);
      REQUIRE(!ready.empty());
      auto k = ready[secgroup_test::uniform(rng, 0, ready.size() - 1)];
      order.push_back(left[k]);
      left.erase(left.begin() + static_cast<long>(k));
    }
    std::vector<std::string> ids;
    for (auto i : order) ids.push_back(rules[i].id);
    const auto kept = analysis::reordered(g, ids);
    if (auto p = secgroup_test::find_difference(g, kept)) {
      INFO("seed 511, group " << n << ":\n" << describe(g));
      FAIL("an order keeping every constraint changes " << to_string(*p));
    }
    CHECK(analysis::check_reorder(g, ids).equivalent);
    // Any order: check_reorder is exact.
    std::shuffle(ids.begin(), ids.end(), rng);
    const bool same = !secgroup_test::find_difference(g, analysis::reordered(g, ids));
    CHECK(analysis::check_reorder(g, ids).equivalent == same);
    (same ? preserved : changed)++;
  }
  CHECK(preserved > 10);
  CHECK(changed > 10);
}

TEST_CASE("reorder: the order must list every user rule once", "[analysis][groups][reorder]") {
  auto g =
      make_group({"inbound accept TCP 0.0.0.0/0 22", "inbound drop ANY 0.0.0.0/0"}, accept, accept);
  auto field_of = [&](const std::vector<std::string>& ids) -> std::string {
    try {
      analysis::reordered(g, ids);
    } catch (const validation_error& e) {
      return e.field();
    }
    return "no error";
  };
  CHECK(field_of({"r1"}) == "order");
  CHECK(field_of({"r1", "r1"}) == "order");
  CHECK(field_of({"r1", "r9"}) == "order");
  CHECK(analysis::reordered(g, {"r1", "r0"}).rules.front().id == "r1");
  CHECK(!analysis::check_reorder(g, {"r1", "r0"}).equivalent);
  CHECK(analysis::check_reorder(g, {"r0", "r1"}).equivalent);
}

TEST_CASE("diff: random group pairs, regions exact against every elementary cell",
          "[analysis][groups][random][diff]") {
  auto seed = GENERATE(range<std::uint64_t>(521, 524));
  rng_type rng(seed);
  int equivalent = 0;
  const int pairs = 150;
  for (int n = 0; n < pairs; ++n) {
    const auto a = secgroup_test::random_group(rng, {30, 40, 3});
    const auto b = mutate(rng, a);
    const auto error = check_group_diff(a, b);
    if (!error.empty()) {
      INFO("seed " << seed << ", pair " << n << ":\na:\n"
                   << describe(a) << "\nb:\n"
                   << describe(b));
      FAIL(error);
    }
    equivalent += analysis::diff(a, b).equivalent;
    CHECK(analysis::diff(a, a).equivalent);
  }
  CHECK(equivalent > pairs / 10);
  CHECK(equivalent < pairs * 9 / 10);
}

TEST_CASE("diff: enable_default_security equals the six SMTP drop rules written out",
          "[analysis][groups][random][diff]") {
  rng_type rng(531);
  int findings = 0;
  for (int n = 0; n < 150; ++n) {
    auto g = secgroup_test::random_group(rng, {25, 40, 3});
    g.enable_default_security = true;
    auto written = g;
    written.enable_default_security = false;
    written.rules.clear();
    for (auto r : default_rules(g.zone)) {
      r.id = "smtp-" + std::to_string(written.rules.size());
      r.position = 1;
      r.editable = true;
      written.rules.push_back(r);
    }
    for (auto r : g.rules) {
      r.position += 1;
      written.rules.push_back(r);
    }
    INFO("seed 531, group " << n << ":\n" << describe(g));
    REQUIRE(ordered_rules(written).size() == ordered_rules(g).size());
    CHECK(!secgroup_test::find_difference(g, written));
    const auto d = analysis::diff(g, written);
    CHECK(d.equivalent);
    CHECK(d.regions.empty());
    CHECK(!d.witness);
    // The findings about the user rules are the same, related SMTP rules included.
    auto user_findings = [](const security_group& x) {
      std::vector<std::string> v;
      for (const auto& f : analysis::analyze(x).findings)
        if (f.rule >= 6) v.push_back(text_of(f));
      return v;
    };
    auto from_flag = user_findings(g);
    CHECK(from_flag == user_findings(written));
    findings += static_cast<int>(from_flag.size());
  }
  CHECK(findings > 0);
}

TEST_CASE("minimize: random groups, equivalent by cells, every kept user rule needed",
          "[analysis][groups][random][minimize]") {
  rng_type rng(541);
  std::size_t before = 0, after = 0;
  for (int n = 0; n < 120; ++n) {
    const auto g = secgroup_test::random_group(rng, {25, 40, 3});
    const auto m = analysis::minimize(g);
    INFO("seed 541, group " << n << ":\n" << describe(g));
    CHECK(m.proof.equivalent);
    if (auto p = secgroup_test::find_difference(g, m.group)) FAIL("differs on " << to_string(*p));
    // The minimised group is the input with the user rules that were not removed, in order.
    std::vector<std::string> kept, removed;
    const auto rules = ordered_rules(g);
    for (auto i : m.removed) {
      REQUIRE(i < rules.size());
      CHECK(rules[i].editable);
    }
    for (std::uint32_t i = 0; i < rules.size(); ++i)
      if (rules[i].editable)
        (std::find(m.removed.begin(), m.removed.end(), i) == m.removed.end() ? kept : removed)
            .push_back(rules[i].id);
    CHECK(removed.size() == m.removed.size());
    REQUIRE(m.group.rules.size() == kept.size());
    for (std::size_t k = 0; k < kept.size(); ++k) {
      CHECK(m.group.rules[k].id == kept[k]);
      CHECK(m.group.rules[k].position == k + 1);
    }
    auto same_fields = m.group;
    same_fields.rules = g.rules;
    CHECK(same_fields == g);
    // No kept user rule can go.
    for (std::size_t k = 0; k < m.group.rules.size(); ++k)
      if (!secgroup_test::find_difference(m.group, without_rule(m.group, k)))
        FAIL("kept rule " << m.group.rules[k].id << " is redundant");
    before += kept.size() + removed.size();
    after += kept.size();
  }
  CHECK(after < before);
}

// -- Hand-written groups: the linter bug classes of analysis-semantics.md §4 ---------------

TEST_CASE("hand: the protocol of a rule is never ignored", "[analysis][groups][hand]") {
  // prowler #964, defsec #467: an ICMP (or GRE) rule open to the world is not SSH.
  auto g =
      make_group({"inbound accept ICMP 0.0.0.0/0", "inbound drop TCP 0.0.0.0/0 22"}, drop, accept);
  CHECK(text_of(analysis::analyze(g).findings) ==
        text_of(std::vector{
            expect(redundant, 1, in, {}, reason::falls_through, "inbound tcp 8.8.8.8 22")}));
  analysis::query q;
  q.protocols = mask_of(protocol::tcp);
  q.remotes = {parse_network("0.0.0.0/0")};
  q.ports = {22, 22};
  auto r = analysis::evaluate_query(g, q);
  CHECK(r.answer == analysis::coverage::none);
  REQUIRE(r.dropped);
  CHECK(r.dropped->packet == parse_packet("inbound tcp 8.8.8.8 22"));
  CHECK(r.dropped->decision == decision{drop, 1});
  q.protocols = mask_of(proto_class::other);
  r = analysis::evaluate_query(g, q);
  CHECK(r.answer == analysis::coverage::none);
  REQUIRE(r.dropped);
  CHECK(r.dropped->packet == parse_packet("inbound 47 8.8.8.8"));
  CHECK(r.dropped->decision.by_default());
  q.protocols = all_protocols;
  r = analysis::evaluate_query(g, q);
  CHECK(r.answer == analysis::coverage::partial);
  REQUIRE(r.accepted);
  CHECK(r.accepted->packet == parse_packet("inbound icmp 8.8.8.8"));
  CHECK(r.accepted->decision == decision{accept, 0});
}

TEST_CASE("hand: ranges containing 22 and rules they cover", "[analysis][groups][hand]") {
  // prowler PR #180/#783, ScoutSuite exact-string ports: 1-1024 opens 22.
  auto g = make_group({"inbound accept TCP 0.0.0.0/0 1-1024", "inbound accept TCP 0.0.0.0/0 22",
                       "inbound drop TCP 10.0.0.0/8 22"},
                      drop, accept);
  CHECK(text_of(analysis::analyze(g).findings) ==
        text_of(
            std::vector{expect(redundant, 1, in, {0}, reason::covered, "inbound tcp 8.8.8.8 22"),
                        expect(shadowed, 2, in, {0}, reason::blocked, "inbound tcp 10.0.0.1 22")}));
  analysis::query q;
  q.protocols = mask_of(protocol::tcp);
  q.remotes = {parse_network("0.0.0.0/0")};
  q.ports = {22, 22};
  CHECK(analysis::evaluate_query(g, q).answer == analysis::coverage::all);
  q.ports = {1000, 1100};
  auto r = analysis::evaluate_query(g, q);
  CHECK(r.answer == analysis::coverage::partial);
  REQUIRE(r.accepted);
  REQUIRE(r.dropped);
  CHECK(r.accepted->packet == parse_packet("inbound tcp 8.8.8.8 1000"));
  CHECK(r.dropped->packet == parse_packet("inbound tcp 8.8.8.8 1025"));
}

TEST_CASE("hand: a drop before a broader accept", "[analysis][groups][hand]") {
  // trivy #3283: the deny decides first; the accept is a generalization of it.
  auto g =
      make_group({"inbound drop TCP 0.0.0.0/0 22", "inbound accept TCP 0.0.0.0/0"}, drop, accept);
  CHECK(text_of(analysis::analyze(g).findings) ==
        text_of(std::vector{
            expect(generalization, 1, in, {0}, reason::generalizes, "inbound tcp 8.8.8.8 22")}));
  analysis::query q;
  q.protocols = mask_of(protocol::tcp);
  q.ports = {22, 22};
  CHECK(analysis::evaluate_query(g, q).answer == analysis::coverage::none);
  // Moving the accept first changes decisions; the constraint says so.
  CHECK(analysis::order_constraints(g) == std::vector<analysis::order_constraint>{{0, 1, in}});
  CHECK(!analysis::check_reorder(g, {"r1", "r0"}).equivalent);
}

TEST_CASE("hand: ::/0 is a network of its own", "[analysis][groups][hand]") {
  // mondoohq/cnspec #3709: ::/0 was never detected; a v4 drop does not protect IPv6.
  auto g = make_group({"inbound drop TCP 0.0.0.0/0 22", "inbound accept ANY ::/0"}, drop, accept);
  CHECK(text_of(analysis::analyze(g).findings) ==
        text_of(std::vector{
            expect(redundant, 0, in, {}, reason::falls_through, "inbound tcp 8.8.8.8 22")}));
  analysis::query q;
  q.protocols = mask_of(protocol::tcp);
  q.ports = {22, 22};
  auto r = analysis::evaluate_query(g, q);
  CHECK(r.answer == analysis::coverage::partial);
  REQUIRE(r.accepted);
  REQUIRE(r.dropped);
  CHECK(r.accepted->packet == parse_packet("inbound tcp 2001:4860:4860::8888 22"));
  CHECK(r.accepted->decision == decision{accept, 1});
  CHECK(r.dropped->packet == parse_packet("inbound tcp 8.8.8.8 22"));
  CHECK(r.dropped->decision == decision{drop, 0});
  // Adding the forgotten ::/0 drop closes exactly the IPv6 TCP/22 region.
  auto fixed = make_group(
      {"inbound drop TCP 0.0.0.0/0 22", "inbound drop TCP ::/0 22", "inbound accept ANY ::/0"},
      drop, accept);
  auto d = analysis::diff(g, fixed);
  CHECK(!d.equivalent);
  REQUIRE(d.regions.size() == 1);
  const auto& region = d.regions[0];
  CHECK(region.direction == in);
  CHECK(region.af == family::v6);
  CHECK(region.protocol == proto_class::tcp);
  CHECK(region.first == parse_address("::"));
  CHECK(region.last == parse_address("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
  CHECK(region.ports == interval<std::uint32_t>{22, 22});
  CHECK(region.a == decision{accept, 1});
  CHECK(region.b == decision{drop, 1});
  CHECK(!region.opened());
  REQUIRE(d.witness);
  CHECK(d.witness->packet == parse_packet("inbound tcp 2001:4860:4860::8888 22"));
}

TEST_CASE("hand: two /1 drops shadow a /0 accept", "[analysis][groups][hand]") {
  // checkov AbsNACLUnrestrictedIngress: non-/0 splits are never seen by literal matching.
  auto g = make_group({"inbound drop TCP 0.0.0.0/1 22", "inbound drop TCP 128.0.0.0/1 22",
                       "inbound accept TCP 0.0.0.0/0 22", "inbound accept TCP 0.0.0.0/0"},
                      accept, accept);
  CHECK(text_of(analysis::analyze(g).findings) ==
        text_of(std::vector{
            expect(shadowed, 2, in, {0, 1}, reason::blocked, "inbound tcp 8.8.8.8 22"),
            expect(generalization, 2, in, {0}, reason::generalizes, "inbound tcp 8.8.8.8 22"),
            expect(generalization, 2, in, {1}, reason::generalizes, "inbound tcp 128.0.0.1 22"),
            expect(redundant, 3, in, {}, reason::falls_through, "inbound tcp 8.8.8.8 80"),
            expect(generalization, 3, in, {0}, reason::generalizes, "inbound tcp 8.8.8.8 22"),
            expect(generalization, 3, in, {1}, reason::generalizes, "inbound tcp 128.0.0.1 22")}));
  analysis::query q;
  q.protocols = mask_of(protocol::tcp);
  q.remotes = {parse_network("0.0.0.0/0")};
  q.ports = {22, 22};
  auto r = analysis::evaluate_query(g, q);
  CHECK(r.answer == analysis::coverage::none);
  REQUIRE(r.dropped);
  CHECK(r.dropped->decision == decision{drop, 0});
  // The split equals one /0 drop.
  auto merged = make_group({"inbound drop TCP 0.0.0.0/0 22", "inbound accept TCP 0.0.0.0/0 22",
                            "inbound accept TCP 0.0.0.0/0"},
                           accept, accept);
  CHECK(analysis::diff(g, merged).equivalent);
}

TEST_CASE("hand: a default SMTP rule makes a user rule dead", "[analysis][groups][hand]") {
  // ordered_rules: 0-2 drop TCP 25/465/587 to 0.0.0.0/0, 3-5 the same to ::/0, then r0..r3.
  auto g = make_group({"outbound accept TCP 0.0.0.0/0 25", "outbound accept TCP ::/0 465",
                       "outbound accept TCP 0.0.0.0/0 20-30", "outbound drop TCP 0.0.0.0/0 587"},
                      accept, drop, true);
  CHECK(text_of(analysis::analyze(g).findings) ==
        text_of(std::vector{
            expect(shadowed, 6, out, {0}, reason::blocked, "outbound tcp 8.8.8.8 25"),
            expect(shadowed, 7, out, {4}, reason::blocked, "outbound tcp 2001:4860:4860::8888 465"),
            expect(generalization, 8, out, {0}, reason::generalizes, "outbound tcp 8.8.8.8 25"),
            expect(redundant, 9, out, {2}, reason::covered, "outbound tcp 8.8.8.8 587")}));
  // Constraints only between user rules; none here (r0 and r1 are dead, r2 and r3 disjoint).
  CHECK(analysis::order_constraints(g).empty());
  // The flag against its absence: the six SMTP ports close, each its own region.
  auto open = g;
  open.enable_default_security = false;
  auto d = analysis::diff(open, g);
  CHECK(!d.equivalent);
  std::vector<std::string> regions;
  for (const auto& r : d.regions) regions.push_back(text_of(r));
  // Only where the user rules decided otherwise: TCP 25 to IPv4 (r0) and 465 to IPv6 (r1).
  CHECK(
      regions ==
      std::vector<std::string>{
          "outbound tcp 0.0.0.0-255.255.255.255 ports 25-25 accept by rule 0 / drop by rule 0",
          "outbound tcp ::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ports 465-465 accept by rule 1 "
          "/ drop by rule 4"});
  REQUIRE(d.witness);
  CHECK(d.witness->packet == parse_packet("outbound tcp 8.8.8.8 25"));
}

TEST_CASE("hand: the default policy makes a drop rule redundant", "[analysis][groups][hand]") {
  auto g = make_group({"inbound accept TCP 0.0.0.0/0 443", "inbound drop TCP 203.0.113.0/24"}, drop,
                      accept);
  CHECK(
      text_of(analysis::analyze(g).findings) ==
      text_of(std::vector{
          expect(redundant, 1, in, {}, reason::falls_through, "inbound tcp 203.0.113.1 80"),
          expect(correlated, 1, in, {0}, reason::partial_overlap, "inbound tcp 203.0.113.1 443")}));
  auto m = analysis::minimize(g);
  REQUIRE(m.removed.size() == 1);
  CHECK(ordered_rules(g)[m.removed[0]].id == "r1");
  CHECK(m.proof.equivalent);
}

TEST_CASE("hand: IPv4 and IPv6 rules never interact", "[analysis][groups][hand]") {
  auto g = make_group({"inbound drop ANY 0.0.0.0/0", "inbound accept TCP ::/0 22",
                       "inbound drop ANY ::/0", "outbound accept ANY ::/0"},
                      accept, accept);
  CHECK(text_of(analysis::analyze(g).findings) ==
        text_of(std::vector{expect(generalization, 2, in, {1}, reason::generalizes,
                                   "inbound tcp 2001:4860:4860::8888 22"),
                            expect(redundant, 3, out, {}, reason::falls_through,
                                   "outbound tcp 2001:4860:4860::8888 80")}));
  // The IPv4 drop is no substitute for the IPv6 one, and vice versa.
  auto swapped = make_group({"inbound drop ANY ::/0", "inbound accept TCP ::/0 22",
                             "inbound drop ANY 0.0.0.0/0", "outbound accept ANY ::/0"},
                            accept, accept);
  auto d = analysis::diff(g, swapped);
  CHECK(!d.equivalent);
  REQUIRE(d.regions.size() == 1);
  CHECK(d.regions[0].af == family::v6);
  CHECK(d.regions[0].ports == interval<std::uint32_t>{22, 22});
  CHECK(d.regions[0].b == decision{drop, 0});
}
