// Lint of groups with values unknown until apply (lint/partial.hpp) and Terraform documents as
// lint input (lint/run.hpp): nothing unknown is reported as passed.
#include <algorithm>
#include <filesystem>
#include <secgroup/io/source.hpp>
#include <secgroup/io/terraform.hpp>
#include <secgroup/lint/partial.hpp>
#include <secgroup/lint/run.hpp>
#include <string>
#include <vector>

#include "support.hpp"

namespace {

using namespace secgroup;
namespace fs = std::filesystem;

const fs::path terraform_dir = fs::path(SECGROUP_SOURCE_DIR) / "examples" / "terraform";
const std::string sg = "scaleway_instance_security_group";

const terraform_group& planned(const terraform_document& d, const std::string& address) {
  auto it = std::find_if(d.groups.begin(), d.groups.end(),
                         [&](const terraform_group& g) { return g.address == address; });
  REQUIRE(it != d.groups.end());
  return *it;
}

lint::group_report lint_planned(const terraform_group& g, const lint::linter& l = lint::linter()) {
  return lint::lint_partial(l, *g.after, decision_unknowns(*g.after, g.address), false, "plan.json",
                            g.address);
}

std::vector<std::string> undecided_checks(const lint::group_report& r) {
  std::vector<std::string> out;
  for (const auto& f : r.findings)
    if (f.undecided) out.push_back(f.check);
  return out;
}

/// Every finding of `completion`'s lint is made by the partial report, or its check is
/// undecided there; every decided finding of the partial report is made by the completion.
void require_sound(const lint::group_report& partial, const lint::group_report& completion) {
  auto undecided = undecided_checks(partial);
  auto is_undecided = [&](const std::string& id) {
    return std::find(undecided.begin(), undecided.end(), id) != undecided.end();
  };
  for (const auto& f : completion.findings) {
    INFO(f.check << ": " << f.message);
    if (is_undecided(f.check)) continue;
    CHECK(std::find(partial.findings.begin(), partial.findings.end(), f) != partial.findings.end());
  }
  for (const auto& f : partial.findings) {
    if (f.undecided) continue;
    INFO(f.check << ": " << f.message);
    CHECK(std::find(completion.findings.begin(), completion.findings.end(), f) !=
          completion.findings.end());
  }
}

}  // namespace

TEST_CASE("lint_partial: a complete group lints as the linter does") {
  auto state = load_terraform(terraform_dir / "state.json");
  const lint::linter l;
  for (const auto& g : state.groups) {
    auto r = lint::lint_partial(l, *g.after, {}, false, "s.json", g.address);
    auto plain = l.run(*g.after->known(), "s.json", g.address);
    CHECK(r.findings == plain.findings);
    CHECK(undecided_checks(r).empty());
  }
}

TEST_CASE("lint_partial: unknown stateful leaves only the stateless checks undecided") {
  auto plan = load_terraform(terraform_dir / "plan.json");
  const auto& bastion = planned(plan, "module.net." + sg + ".bastion[0]");
  auto r = lint_planned(bastion);
  CHECK(undecided_checks(r) == std::vector<std::string>{"SG009", "SG010"});
  for (const auto& f : r.findings)
    if (f.undecided) {
      CHECK(f.level == lint::severity::medium);
      CHECK(f.message.find("bastion[0].stateful") != std::string::npos);
      CHECK(f.rules.empty());
      CHECK_FALSE(f.witness);
    }
  // Both completions: the recorded one (stateless) and the API's default (stateful).
  auto g = *planned(load_terraform(terraform_dir / "state.json"), bastion.address).after->known();
  for (bool stateful : {false, true}) {
    g.stateful = stateful;
    require_sound(r, lint::linter{}.run(g, "plan.json", bastion.address));
  }
}

TEST_CASE("lint_partial: an unknown range leaves every traffic check undecided") {
  auto plan = load_terraform(terraform_dir / "plan.json");
  const auto& api = planned(plan, sg + ".app[\"api\"]");
  auto r = lint_planned(api);
  auto undecided = undecided_checks(r);
  for (const auto& c : lint::checks) {
    const lint::lint_config config;
    if (!config.setting(c.id).enabled) continue;
    const bool text = c.id == lint::check_id::too_many_rules ||
                      c.id == lint::check_id::missing_description ||
                      c.id == lint::check_id::project_default_inbound;
    INFO(c.id);
    CHECK((std::find(undecided.begin(), undecided.end(), std::string(c.id)) != undecided.end()) ==
          !text);
  }
  // SG001's worst case is its most severe service (docker, etcd, kubelet: critical).
  auto sg001 = std::find_if(r.findings.begin(), r.findings.end(),
                            [](const lint::finding& f) { return f.check == "SG001"; });
  REQUIRE(sg001 != r.findings.end());
  CHECK(sg001->level == lint::severity::critical);
  CHECK(lint::fails(r, lint::severity::critical));
  // Completions: the load balancer's address may be anything.
  for (const char* range : {"51.15.0.10/32", "0.0.0.0/0", "10.0.0.0/16", "::/0"}) {
    auto p = *api.after;
    p.rules[1].value.ip_range = parse_network(range);
    p.rules[1].unknown = {};
    p.group.zone = "fr-par-1";
    REQUIRE(p.complete());
    INFO(range);
    require_sound(r, lint::linter{}.run(*p.known(), "plan.json", api.address));
  }
}

TEST_CASE("lint_partial: an unknown description leaves SG018 undecided") {
  auto p = make_partial(lint_test::group_of({"inbound accept tcp 10.0.0.0/8 443"}));
  p.group.description.reset();
  auto r = lint::lint_partial(lint::linter{}, p, {}, true, "x.json", "scaleway_x.y");
  CHECK(undecided_checks(r) == std::vector<std::string>{"SG018"});
  auto sg018 = std::count_if(r.findings.begin(), r.findings.end(),
                             [](const lint::finding& f) { return f.check == "SG018"; });
  CHECK(sg018 == 1);  // the undecided one: no decided "missing description" beside it
  for (const auto& f : r.findings)
    if (f.undecided) CHECK(f.message.find("scaleway_x.y.description") != std::string::npos);
}

TEST_CASE("lint_partial: suppressions name a group by its Terraform address") {
  auto plan = load_terraform(terraform_dir / "plan.json");
  const auto& api = planned(plan, sg + ".app[\"api\"]");
  lint::lint_config config;
  config.suppressions.push_back({"", api.address, "", "created by this plan, reviewed", "s"});
  auto r = lint_planned(api, lint::linter(config));
  REQUIRE_FALSE(r.findings.empty());
  for (const auto& f : r.findings) CHECK(f.suppressed);
  CHECK_FALSE(lint::fails(r, lint::severity::info));
}

TEST_CASE("run_lint: a plan lints its groups after the change, located in the .tf files") {
  auto run = lint::run_lint({(terraform_dir / "plan.json").string()}, {}, lint::severity::low);
  CHECK(run.terraform);
  REQUIRE(run.groups.size() == 5);
  REQUIRE(run.notes.size() == 1);
  CHECK(run.notes[0].find(sg + ".legacy: destroyed by the plan") != std::string::npos);
  for (const auto& g : run.groups) {
    INFO(g.report.address);
    REQUIRE(g.terraform);
    CHECK(g.location.group_line > 0);
    const bool in_module = g.report.address.rfind("module.net.", 0) == 0;
    CHECK(fs::path(g.located_file()) ==
          terraform_dir / (in_module ? "modules/net/main.tf" : "main.tf"));
  }
  CHECK(run.failed());
  // An API export reads as before: no Terraform keys.
  auto api =
      lint::run_lint({(terraform_dir / "api-export.json").string()}, {}, lint::severity::low);
  CHECK_FALSE(api.terraform);
  for (const auto& g : api.groups) CHECK_FALSE(g.terraform);
}

TEST_CASE("pick_input_group: by address, id or name, never a destroyed or an ambiguous group") {
  auto in = load_group_input(terraform_dir / "plan.json");
  REQUIRE(in.is_terraform());
  auto pick = [&](const std::optional<std::string>& key) {
    return pick_input_group(in, key, "--group", "plan.json", "the file", "choose one");
  };
  CHECK(pick(sg + ".web").address == sg + ".web");
  CHECK(pick("web").address == sg + ".web");
  CHECK(pick("app-api").address == sg + ".app[\"api\"]");
  CHECK_FALSE(pick("app-api").group);
  CHECK(pick("app-api").unknown ==
        std::vector<std::string>{sg + ".app[\"api\"].inbound_rule[1].ip_range"});
  CHECK(pick("web").group);
  CHECK_THROWS_AS(pick(sg + ".legacy"), lookup_error);
  CHECK_THROWS_AS(pick("nope"), lookup_error);
  CHECK_THROWS_AS(pick(std::nullopt), lookup_error);
  CHECK(input_groups(in).size() == 5);
  CHECK(skipped_groups(in).size() == 1);
  // An API export: pick_group()'s choice, unchanged.
  auto api = load_group_input(terraform_dir / "api-export.json");
  CHECK_FALSE(api.is_terraform());
  CHECK(pick_input_group(api, std::string("db"), "--group", "a.json", "the file", "x").group ==
        select_group(api.groups, "db"));
}
