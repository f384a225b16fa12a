// The review of a change (lint/review.hpp): traffic items and their wording, witness packets,
// rules only reordered or rewritten, finding identities across renumbering, and the verdict
// under values unknown until apply.
#include <algorithm>
#include <filesystem>
#include <random>
#include <secgroup/lint/review.hpp>
#include <secgroup/lint/review_report.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support.hpp"

namespace review_test {

using namespace secgroup;
using lint_test::group_of;
namespace fs = std::filesystem;

/// The change from `before` (none: created) to `after` (none: deleted), as a plan would give it.
lint::group_review reviewed(const std::optional<security_group>& before,
                            const std::optional<security_group>& after) {
  lint::change_input c;
  c.address = "scaleway_instance_security_group.test";
  c.change = !before  ? terraform_change::create
             : !after ? terraform_change::destroy
                      : terraform_change::update;
  if (before) c.before = lint::review_side{make_partial(*before), {}, false};
  if (after) c.after = lint::review_side{make_partial(*after), {}, false};
  return lint::review_group(lint::linter(), c);
}

std::vector<std::string> texts(const std::vector<lint::traffic_change>& items) {
  std::vector<std::string> out;
  for (const auto& t : items) out.push_back(t.text);
  return out;
}

std::vector<std::string> checks_of(const std::vector<lint::finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.check + ":" + f.subject);
  return out;
}

const fs::path data_dir = fs::path(SECGROUP_SOURCE_DIR) / "tests" / "cli" / "data" / "terraform";
const fs::path examples_dir = fs::path(SECGROUP_SOURCE_DIR) / "examples";

TEST_CASE("review: an SSH rule for the internet opens TCP 22 from every IPv4 address") {
  auto before = group_of({"inbound accept tcp 0.0.0.0/0 443"});
  auto after = group_of({"inbound accept tcp 0.0.0.0/0 443", "inbound accept tcp 0.0.0.0/0 22"});
  auto r = reviewed(before, after);
  CHECK(r.traffic == lint::traffic_outcome::changed);
  CHECK(texts(r.opened) == std::vector<std::string>{"opens TCP 22 from every IPv4 address"});
  CHECK(r.closed.empty());
  REQUIRE(r.opened.size() == 1);
  const auto& t = r.opened.front();
  CHECK(t.internet);
  CHECK(to_string(t.witness.packet) == "inbound tcp 8.8.8.8 22");
  CHECK(decision_text(t.witness.a, r.rules_before) == "drop by the default policy");
  CHECK(decision_text(t.witness.b, r.rules_after) == "accept by rule r2 (position 2)");
  CHECK(r.summary() == "decisions change: opens 1 region");
  // SSH from the internet is introduced; nothing is resolved.
  CHECK(checks_of(r.introduced) == std::vector<std::string>{"SG001:ssh"});
  CHECK(r.resolved.empty());
}

TEST_CASE("review: a removed outbound rule closes UDP 53 to 10.0.0.0/8") {
  lint_test::options o;
  o.outbound = action::drop;
  auto before = group_of({"outbound accept udp 10.0.0.0/8 53", "outbound accept tcp ::/0 443"}, o);
  auto after = group_of({"outbound accept tcp ::/0 443"}, o);
  auto r = reviewed(before, after);
  CHECK(texts(r.closed) == std::vector<std::string>{"closes UDP 53 to 10.0.0.0/8"});
  CHECK(r.opened.empty());
  REQUIRE(r.closed.size() == 1);
  CHECK_FALSE(r.closed.front().internet);
  CHECK(to_string(r.closed.front().witness.packet) == "outbound udp 10.0.0.1 53");
}

TEST_CASE(
    "review: ports with the same addresses merge, and both whole families are every address") {
  auto before = group_of({});
  auto after = group_of({"inbound accept tcp 0.0.0.0/0 80", "inbound accept tcp ::/0 80",
                         "inbound accept tcp 0.0.0.0/0 443", "inbound accept tcp ::/0 443",
                         "inbound accept tcp 10.0.0.0/8 5432", "inbound accept udp 192.0.2.7 53"});
  auto r = reviewed(before, after);
  CHECK(texts(r.opened) == std::vector<std::string>{"opens TCP 80, 443 from every address",
                                                    "opens TCP 5432 from 10.0.0.0/8",
                                                    "opens UDP 53 from 192.0.2.7"});
  // The witness prefers port 80 and a well-known IPv4 address.
  CHECK(to_string(r.opened.front().witness.packet) == "inbound tcp 8.8.8.8 80");
}

TEST_CASE("review: every item's witness lies in the item and is decided as the item says") {
  // Random pairs of small groups over overlapping pools of addresses and ports: a region may
  // reach ports of several items, and each item's witness must still be one of its own packets.
  const std::vector<std::string> actions{"accept", "drop"}, protocols{"tcp", "udp", "icmp", "any"},
      cidrs{"0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "8.8.8.8/32", "::/0", "2001:db8::/32"},
      ports{"", " 22", " 80", " 20-30", " 1000-2000"};
  std::mt19937_64 rng(2026);
  auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  auto draw = [&] {
    std::vector<std::string> lines;
    for (std::size_t n = rng() % 6; n > 0; --n) {
      const auto protocol = pick(protocols);
      lines.push_back("inbound " + pick(actions) + " " + protocol + " " + pick(cidrs) +
                      (protocol == "tcp" || protocol == "udp" ? pick(ports) : ""));
    }
    lint_test::options o;
    o.inbound = rng() % 2 ? action::accept : action::drop;
    return group_of(lines, o);
  };
  std::size_t items = 0;
  for (int round = 0; round < 300; ++round) {
    const auto before = draw(), after = draw();
    const reference_evaluator old_eval(before), new_eval(after);
    const auto r = reviewed(before, after);
    for (const auto* list : {&r.opened, &r.closed})
      for (const auto& t : *list) {
        ++items;
        const auto& p = t.witness.packet;
        INFO(t.text << ": witness " << to_string(p));
        if (has_ports(t.protocol)) {
          CHECK(std::any_of(t.ports.begin(), t.ports.end(),
                            [&](const auto& run) { return run.lo <= p.port && p.port <= run.hi; }));
        }
        CHECK(t.addresses[lint::index_of(p.remote.af)].contains(p.remote.value));
        CHECK(old_eval.evaluate(p).action == (t.opened ? action::drop : action::accept));
        CHECK(new_eval.evaluate(p).action == (t.opened ? action::accept : action::drop));
      }
  }
  CHECK(items > 300);
}

TEST_CASE("review: address wording is exact when short, relative to the internet otherwise") {
  const auto net = lint::make_internet();
  auto v4 = [](std::vector<std::string> cidrs) {
    std::vector<ip_network> nets;
    for (const auto& c : cidrs) nets.push_back(parse_network(c));
    return lint::ranges_of(nets, family::v4);
  };
  CHECK(lint::address_words(net, v4({"0.0.0.0/0"}), family::v4) == "every IPv4 address");
  CHECK(lint::address_words(net,
                            v4({"0.0.0.0/5", "16.0.0.0/4", "32.0.0.0/3", "64.0.0.0/2",
                                "128.0.0.0/1", "8.0.0.0/7", "11.0.0.0/8", "12.0.0.0/6"}),
                            family::v4) == "every IPv4 address except 10.0.0.0/8");
  CHECK(lint::address_words(net, v4({"10.0.0.0/8", "192.168.0.0/16"}), family::v4) ==
        "10.0.0.0/8, 192.168.0.0/16");
  // Many networks, all public: relative to the internet.
  CHECK(lint::address_words(net, v4({"1.0.0.0/8", "3.0.0.0/8", "5.0.0.0/8", "7.0.0.0/8"}),
                            family::v4) == "67108864 public IPv4 addresses");
  // Many networks, none public.
  CHECK(lint::address_words(net, v4({"10.0.0.0/24", "10.0.2.0/24", "10.0.4.0/24", "10.0.6.0/24"}),
                            family::v4) == "1024 IPv4 addresses in 4 ranges");
}

TEST_CASE("review: reordered or rewritten rules change no decision and say so") {
  auto before =
      group_of({"inbound accept tcp 10.0.0.0/16 5432", "inbound accept tcp 10.0.0.0/16 6432"});
  auto swapped =
      group_of({"inbound accept tcp 10.0.0.0/16 6432", "inbound accept tcp 10.0.0.0/16 5432"});
  auto r = reviewed(before, swapped);
  CHECK(r.traffic == lint::traffic_outcome::unchanged);
  CHECK(r.edit == lint::rules_edit::reordered);
  CHECK(r.summary() == "no decision changes: the rules are only reordered");
  CHECK(r.introduced.empty());
  CHECK(r.resolved.empty());

  auto wide = group_of({"inbound accept tcp 10.0.0.0/8 80"});
  auto halves =
      group_of({"inbound accept tcp 10.0.0.0/9 80", "inbound accept tcp 10.128.0.0/9 80"});
  auto w = reviewed(wide, halves);
  CHECK(w.traffic == lint::traffic_outcome::unchanged);
  CHECK(w.edit == lint::rules_edit::rewritten);
  CHECK(w.opened.empty());
  CHECK(w.closed.empty());

  auto same = reviewed(before, before);
  CHECK(same.edit == lint::rules_edit::none);
}

TEST_CASE("review: finding identities survive renumbering") {
  // The same redundant rule, at position 2 then 3 (its subject is its id, r2 then r3).
  auto before = group_of({"inbound accept tcp 0.0.0.0/0 443", "inbound accept tcp 0.0.0.0/0 443"});
  auto after = group_of({"inbound accept tcp 10.0.0.0/8 5432", "inbound accept tcp 0.0.0.0/0 443",
                         "inbound accept tcp 0.0.0.0/0 443"});
  const lint::linter l;
  auto rb = l.run(before), ra = l.run(after);
  auto redundant = [](const lint::group_report& r) {
    auto it = std::find_if(r.findings.begin(), r.findings.end(),
                           [](const lint::finding& f) { return f.check == "SG012"; });
    REQUIRE(it != r.findings.end());
    return *it;
  };
  const auto fb = redundant(rb), fa = redundant(ra);
  CHECK(fb.subject != fa.subject);  // the ids differ ...
  CHECK(lint::finding_identity(fb, rb.rules) ==
        lint::finding_identity(fa, ra.rules));  // ... not this
  CHECK(lint::finding_identity(fb, rb.rules) == "SG012|[inbound accept TCP 0.0.0.0/0 443]");
  auto r = reviewed(before, after);
  CHECK(std::none_of(r.introduced.begin(), r.introduced.end(),
                     [](const lint::finding& f) { return f.check == "SG012"; }));
  // Rules without ids are named "#index": the same content, another index, the same identity.
  lint::finding f;
  f.check = "SG016";
  f.subject = "#0";
  std::vector<rule> one{lint_test::rule_line("inbound accept tcp 8.8.8.8 22")};
  std::vector<rule> two{lint_test::rule_line("inbound drop udp ::/0 53"),
                        lint_test::rule_line("inbound accept tcp 8.8.8.8 22")};
  one[0].id = two[0].id = two[1].id = "";
  lint::finding g = f;
  g.subject = "#1";
  CHECK(lint::finding_identity(f, one) == lint::finding_identity(g, two));
  CHECK(lint::finding_identity(f, two) != lint::finding_identity(g, two));
}

TEST_CASE("review: findings introduced and resolved are matched one to one") {
  auto before = group_of({"inbound accept tcp 0.0.0.0/0 22"});
  auto after = group_of({"inbound accept tcp 0.0.0.0/0 3389"});
  auto r = reviewed(before, after);
  CHECK(checks_of(r.introduced) == std::vector<std::string>{"SG001:rdp"});
  CHECK(checks_of(r.resolved) == std::vector<std::string>{"SG001:ssh"});
  CHECK(texts(r.opened) == std::vector<std::string>{"opens TCP 3389 from every IPv4 address"});
  CHECK(texts(r.closed) == std::vector<std::string>{"closes TCP 22 from every IPv4 address"});
}

TEST_CASE("review: a created group is compared with no group, a deleted one is not compared") {
  lint_test::options o;
  o.outbound = action::drop;
  auto g = group_of({"inbound accept tcp 203.0.113.0/24 22"}, o);
  auto created = reviewed(std::nullopt, g);
  CHECK(created.traffic == lint::traffic_outcome::changed);
  CHECK(texts(created.opened) == std::vector<std::string>{"opens TCP 22 from 203.0.113.0/24"});
  CHECK(created.closed.empty());
  CHECK(created.resolved.empty());
  CHECK_FALSE(created.introduced.empty());
  auto deleted = reviewed(g, std::nullopt);
  CHECK(deleted.traffic == lint::traffic_outcome::removed);
  CHECK(deleted.opened.empty());
  CHECK(deleted.introduced.empty());
  CHECK(deleted.resolved.size() == created.introduced.size());
}

TEST_CASE("review: a forgotten group keeps its rules: nothing changes, nothing is resolved") {
  const auto g = group_of({"inbound accept tcp 0.0.0.0/0 22"});
  lint::change_input c;
  c.address = "scaleway_instance_security_group.test";
  c.change = terraform_change::forget;
  c.before = lint::review_side{make_partial(g), {}, false};
  const auto r = lint::review_group(lint::linter(), c);
  CHECK(r.change == terraform_change::forget);
  CHECK(r.traffic == lint::traffic_outcome::unchanged);
  CHECK(r.opened.empty());
  CHECK(r.closed.empty());
  CHECK(r.resolved.empty());  // SSH from the internet stays exposed
  CHECK(r.introduced.empty());
  // Destroyed, the group's rules no longer apply.
  c.change = terraform_change::destroy;
  const auto gone = lint::review_group(lint::linter(), c);
  CHECK(gone.traffic == lint::traffic_outcome::removed);
  const auto resolved = checks_of(gone.resolved);
  CHECK(std::find(resolved.begin(), resolved.end(), "SG001:ssh") != resolved.end());
}

TEST_CASE("review: values unknown until apply are named, never guessed, and the verdict waits") {
  const auto plan = (data_dir / "plan-updates.json").string();
  auto r = lint::review({plan}, {}, lint::severity::high);
  REQUIRE(r.groups.size() == 2);
  const auto& api = r.groups[0];
  CHECK(api.address == "scaleway_instance_security_group.api");
  CHECK(api.traffic == lint::traffic_outcome::undecided);
  CHECK(api.unknown ==
        std::vector<std::string>{"scaleway_instance_security_group.api.inbound_rule[1].ip_range"});
  CHECK(api.opened.empty());
  // Checks undecided after the change resolve nothing for sure.
  CHECK(api.resolved.empty());
  CHECK(std::all_of(api.introduced.begin(), api.introduced.end(),
                    [](const lint::finding& f) { return f.undecided; }));
  CHECK(r.groups[1].edit == lint::rules_edit::rewritten);
  CHECK_FALSE(r.failed());
  CHECK(r.undecided());
  CHECK(r.exit_code() == 4);
  // At medium, the wide /1 prefixes edge's rewrite introduces fail the review.
  CHECK(lint::review({plan}, {}, lint::severity::medium).exit_code() == 1);
}

TEST_CASE("review: two files pair groups by id, then address, then name") {
  const auto old_file = (examples_dir / "groups" / "fleet.json").string();
  const auto new_file = (examples_dir / "groups" / "app-backend-fixed.json").string();
  auto r = lint::review({old_file, new_file}, {}, lint::severity::low);
  REQUIRE(r.groups.size() == 3);
  CHECK(r.groups[0].name == "app-backend");
  CHECK(r.groups[0].change == terraform_change::update);
  CHECK(texts(r.groups[0].closed) ==
        std::vector<std::string>{
            "closes TCP 22 from every IPv4 address except 198.51.100.0/24, 203.0.113.0/24"});
  CHECK(r.groups[1].change == terraform_change::destroy);
  CHECK(r.groups[2].change == terraform_change::destroy);
  // A file against itself changes nothing.
  auto same = lint::review({old_file, old_file}, {}, lint::severity::low);
  CHECK(same.groups.empty());
  CHECK(same.unchanged_groups == 3);
  CHECK(same.exit_code() == 0);
}

TEST_CASE("review: bad input is refused") {
  const auto state = (examples_dir / "terraform" / "state.json").string();
  CHECK_THROWS_AS(lint::review({state}, {}, lint::severity::low), validation_error);
  CHECK_THROWS_AS(lint::review({}, {}, lint::severity::low), parse_error);
}

TEST_CASE("review: Markdown escapes text from input") {
  auto g = group_of({"inbound accept tcp 0.0.0.0/0 22"});
  g.name = "a|b <script>`x`";
  lint::review_result r;
  r.sources = {"plan.json"};
  r.groups.push_back(reviewed(std::nullopt, g));
  r.groups.back().name = g.name;
  std::ostringstream out;
  lint::write_review_markdown(out, r);
  const auto md = out.str();
  CHECK(md.find("<script>") == std::string::npos);
  CHECK(md.find("a\\|b &lt;script&gt;\\`x\\`") != std::string::npos);
  CHECK(md.find("`inbound tcp 8.8.8.8 22`") != std::string::npos);
  CHECK(md.find("<details>") == std::string::npos);  // 3 rows: one table, not folded

  // More than 10 rows fold into <details>.
  std::vector<std::string> lines;
  for (int k = 1; k <= 11; ++k)
    lines.push_back("inbound accept tcp 10.0.0." + std::to_string(k) + " " +
                    std::to_string(1000 + k));
  r.groups.push_back(reviewed(std::nullopt, group_of(lines)));
  const auto& opened = r.groups.back().opened;  // 11 inbound, and the outbound default accept
  CHECK(std::count_if(opened.begin(), opened.end(), [](const lint::traffic_change& t) {
          return t.direction == direction::inbound;
        }) == 11);
  std::ostringstream folded;
  lint::write_review_markdown(folded, r);
  CHECK(folded.str().find("<details><summary>") != std::string::npos);
}

TEST_CASE("review: text and Markdown name the threshold as the CLI option or the Python argument") {
  lint::review_result r;
  r.sources = {"plan.json"};
  r.threshold = lint::severity::medium;
  r.groups.push_back(reviewed(std::nullopt, group_of({"inbound accept tcp 0.0.0.0/0 22"})));
  std::ostringstream cli_text, cli_md, py_text, py_md;
  lint::write_review_text(cli_text, r);
  lint::write_review_markdown(cli_md, r);
  lint::write_review_text(py_text, r, lint::threshold_style::python_argument);
  lint::write_review_markdown(py_md, r, lint::threshold_style::python_argument);
  CHECK(cli_text.str().ends_with(" (--fail-on medium)\n"));
  CHECK(py_text.str().ends_with(" (fail_on='medium')\n"));
  CHECK(cli_md.str().find("(`--fail-on medium`)") != std::string::npos);
  CHECK(py_md.str().find("(`fail_on='medium'`)") != std::string::npos);
  CHECK((py_text.str() + py_md.str()).find("--fail-on") == std::string::npos);
}

}  // namespace review_test
