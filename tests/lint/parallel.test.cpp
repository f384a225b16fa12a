// Lint on several threads (lint_each's `jobs`, `secgroup lint --jobs`): detail::parallel_for
// calls every index once and reports the first failure; lint_each hands on the same reports in
// the same order for any thread count, across several exports and a Terraform plan between
// them, with windows that end inside a file and at its end; the report writers rendering on
// lint_each's threads write what the run keeping every report writes.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <secgroup/detail/parallel.hpp>
#include <secgroup/io/json.hpp>
#include <secgroup/lint/report.hpp>
#include <secgroup/lint/run.hpp>
#include <secgroup/lint/sarif.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/random_groups.hpp"

namespace lint_parallel_test {

using namespace secgroup;
namespace fs = std::filesystem;

std::string uuid(std::size_t k) {
  std::string digits = std::to_string(k);
  return "00000000-0000-4000-8000-" + std::string(12 - digits.size(), '0') + digits;
}

/// `count` random groups with UUID ids, written as an export at `path`.
void write_export(const fs::path& path, secgroup_test::rng_type& rng, std::size_t count,
                  std::size_t& next_id) {
  std::vector<security_group> groups;
  for (std::size_t k = 0; k < count; ++k) {
    secgroup_test::group_options o;
    o.max_rules = 12;
    o.default_id_percent = 0;
    auto g = secgroup_test::random_group(rng, o);
    g.id = uuid(next_id++);
    g.name = "g" + std::to_string(k);
    for (auto& r : g.rules) r.id = uuid(next_id++);
    groups.push_back(std::move(g));
  }
  std::ofstream(path) << groups_to_json(groups).dump(1);
}

}  // namespace lint_parallel_test

using namespace lint_parallel_test;

TEST_CASE("parallel_for calls every index once, on any thread count") {
  for (unsigned jobs : {0u, 1u, 2u, 8u}) {
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{1000}}) {
      std::vector<std::atomic<int>> calls(n);
      detail::parallel_for(n, detail::job_count(jobs), [&](std::size_t i) { ++calls[i]; });
      for (std::size_t i = 0; i < n; ++i) CHECK(calls[i] == 1);
    }
  }
  CHECK(detail::job_count(3) == 3);
  CHECK(detail::job_count(0) >= 1);
}

TEST_CASE("parallel_for rethrows a failure once every thread has stopped") {
  for (unsigned jobs : {1u, 4u}) {
    std::atomic<int> after{0};
    CHECK_THROWS_WITH(detail::parallel_for(500, jobs,
                                           [&](std::size_t i) {
                                             if (i == 3) throw std::runtime_error("item 3");
                                             if (i > 3) ++after;
                                           }),
                      "item 3");
    if (jobs == 1) CHECK(after == 0);  // in order: nothing after the failure
  }
}

TEST_CASE("lint_each hands on the same reports in the same order for any thread count") {
  const auto dir = fs::temp_directory_path() / "secgroup-lint-parallel-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  secgroup_test::rng_type rng(20261205);
  std::size_t next_id = 1;
  // 100 groups, a plan, 5 groups, 300 groups: windows (32 reports per thread) end inside
  // files, at their ends and across them, and a plan flushes the window before it.
  write_export(dir / "a.json", rng, 100, next_id);
  write_export(dir / "c.json", rng, 5, next_id);
  write_export(dir / "d.json", rng, 300, next_id);
  const std::vector<std::string> inputs{(dir / "a.json").string(),
                                        SECGROUP_SOURCE_DIR "/examples/terraform/plan.json",
                                        (dir / "c.json").string(), (dir / "d.json").string()};
  const auto report_of = [&](unsigned jobs) {
    std::vector<std::string> order;
    auto run = lint::run_lint(inputs, {}, lint::severity::low, default_max_input_size, {}, jobs);
    for (const auto& g : run.groups) order.push_back(g.report.address + g.report.group.id);
    return std::pair(lint::json_report(run).dump(), order);
  };
  const auto one = report_of(1);
  REQUIRE(one.second.size() > 400);
  for (unsigned jobs : {2u, 3u, 8u, 0u}) {
    INFO("jobs " << jobs);
    const auto many = report_of(jobs);
    CHECK(many.second == one.second);
    CHECK(many.first == one.first);
  }

  // The writers handed to lint_each render the reports on its threads (rendering_writer), and
  // write byte for byte what the run keeping every report writes, on any thread count.
  static_assert(lint::rendering_writer<lint::text_report_writer> &&
                lint::rendering_writer<lint::json_report_writer> &&
                lint::rendering_writer<lint::sarif_report_writer>);
  const auto run = lint::run_lint(inputs, {}, lint::severity::low);
  std::ostringstream text_whole, json_whole, sarif_whole;
  lint::write_text(text_whole, run);
  lint::write_json(json_whole, run);
  lint::write_sarif(sarif_whole, run);
  const auto written = [&](unsigned jobs, auto&& writer) {
    writer.finish(
        lint::lint_each(inputs, {}, lint::severity::low, default_max_input_size, writer, {}, jobs));
  };
  for (unsigned jobs : {1u, 2u, 3u, 8u}) {
    INFO("writers, jobs " << jobs);
    std::ostringstream text, json_out, sarif;
    written(jobs, lint::text_report_writer(text));
    written(jobs, lint::json_report_writer(json_out));
    written(jobs, lint::sarif_report_writer(sarif, {}));
    CHECK(text.str() == text_whole.str());
    CHECK(json_out.str() == json_whole.str());
    CHECK(sarif.str() == sarif_whole.str());
  }
  fs::remove_all(dir);
}
