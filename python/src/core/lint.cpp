// python/src/core/lint.cpp: secgroup lint over files (exactly the CLI's run, with source
// locations) or over groups in memory; reports as the CLI's JSON, SARIF 2.1.0 or text.
#include <sstream>

#include <secgroup/lint/report.hpp>
#include <secgroup/lint/run.hpp>
#include <secgroup/lint/sarif.hpp>

#include "common.hpp"

namespace secgroup::python {
namespace {

lint::lint_config config_from(const py::object& o) {
  if (o.is_none()) return {};
  if (py::isinstance<py::dict>(o)) return lint::config_from_json(from_python(o, "config"));
  if (py::isinstance<py::str>(o)) {
    auto s = o.cast<std::string>();
    auto t = detail::trim(s);
    if (!t.empty() && t.front() == '{') return lint::parse_config(s, "config");
    return lint::load_config(s);
  }
  if (py::hasattr(o, "__fspath__")) return lint::load_config(py::str(o.attr("__fspath__")()).cast<std::string>());
  throw parse_error(errc::wrong_type, "config", "expected a path, JSON text or a dict");
}

lint::fail_threshold threshold_of(const lint::lint_config& config, const std::optional<std::string>& fail_on) {
  lint::fail_threshold t = lint::severity::low;
  if (config.fail_on) t = *config.fail_on;
  if (fail_on) t = lint::parse_fail_on(*fail_on, "fail_on");
  return t;
}

py::dict outputs(const lint::lint_run& run, const lint::lint_config& config) {
  py::dict out;
  out["report"] = to_python(lint::json_report(run));
  out["sarif"] = to_python(lint::to_sarif(run, config));
  std::ostringstream text;
  lint::write_text(text, run, {false, true, true});
  out["text"] = text.str();
  out["failed"] = run.failed();
  out["exit_code"] = run.exit_code();
  return out;
}

}  // namespace

void init_lint(py::module_& m) {
  m.def("_lint_files", [](const std::vector<std::string>& paths, const py::object& config,
                          const std::optional<std::string>& fail_on) {
    auto c = config_from(config);
    auto run = lint::run_lint(paths, c, threshold_of(c, fail_on));
    return outputs(run, c);
  }, py::arg("paths"), py::arg("config"), py::arg("fail_on"));
  m.def("_lint_groups", [](const std::vector<security_group>& groups, const py::object& config,
                           const std::optional<std::string>& fail_on, const std::string& source) {
    require_groups(groups, source, "the input");
    auto c = config_from(config);
    lint::lint_run run;
    run.threshold = threshold_of(c, fail_on);
    run.files = {source};
    const lint::linter linter(c);
    std::vector<char> used(c.suppressions.size(), 0);
    for (const auto& g : groups) {
      lint::located_report r{linter.run(g, source), {}};
      for (auto k : r.report.used_suppressions) used[k] = 1;
      run.groups.push_back(std::move(r));
    }
    for (std::size_t k = 0; k < used.size(); ++k)
      if (!used[k]) run.unused_suppressions.push_back(k);
    return outputs(run, c);
  }, py::arg("groups"), py::arg("config"), py::arg("fail_on"), py::arg("source") = "<memory>");
  m.def("_lint_catalogue", [](const py::object& config) {
    auto c = config_from(config);
    std::ostringstream out;
    lint::write_catalogue(out, c, true);
    return to_python(json::parse(out.str()));
  }, py::arg("config") = py::none());
}

}  // namespace secgroup::python
