// python/src/core/lint.cpp: secgroup lint over files (exactly the CLI's run, with source
// locations) or over groups in memory; reports as the CLI's JSON, SARIF 2.1.0 or text, in the
// package's LintReport. The text and Markdown name the threshold as the Python argument
// (`fail_on='low'`), not as the CLI's option, or as the configuration's key when it came from
// there. lint is also a method of SecurityGroup
// (bind_group_function()).
#include <sstream>
#include <string>
#include <vector>

#include <secgroup/lint/report.hpp>
#include <secgroup/lint/review.hpp>
#include <secgroup/lint/review_report.hpp>
#include <secgroup/lint/run.hpp>
#include <secgroup/lint/sarif.hpp>
#if SECGROUP_HAS_YAML
#include <secgroup/yaml/lint_config.hpp>
#endif

#include "common.hpp"

namespace secgroup::python {
namespace {

/// A configuration file: JSON, or YAML by its extension when the module has the YAML part.
lint::lint_config load_config_file(const std::string& path) {
#if SECGROUP_HAS_YAML
  return yaml::load_lint_config(path);
#else
  return lint::load_config(path);
#endif
}

lint::lint_config config_from(const py::object& o) {
  if (o.is_none()) return {};
  if (py::isinstance<py::dict>(o)) return lint::config_from_json(from_python(o, "config"));
  refuse_blank(o, "config");
  if (py::isinstance<py::str>(o))
    return is_json_text(o, "{") ? lint::parse_config(o.cast<std::string>(), "config")
                                : load_config_file(o.cast<std::string>());
  if (py::hasattr(o, "__fspath__")) return load_config_file(py::str(o.attr("__fspath__")()).cast<std::string>());
  throw parse_error(errc::wrong_type, "config", "expected a path, JSON text or a dict");
}

lint::threshold_choice threshold_of(const lint::lint_config& config,
                                    const std::optional<std::string>& fail_on) {
  return lint::choose_threshold(config, fail_on, lint::threshold_style::python_argument);
}

py::dict outputs(const lint::lint_run& run, const lint::lint_config& config,
                 lint::threshold_style named) {
  py::dict out;
  out["report"] = to_python(lint::json_report(run));
  out["sarif"] = to_python(lint::to_sarif(run, config));
  std::ostringstream text;
  lint::write_text(text, run,
                   {.color = false, .show_suppressed = true, .show_fix = true,
                    .threshold = named});
  out["text"] = text.str();
  out["failed"] = run.failed();
  out["exit_code"] = run.exit_code();
  return out;
}

/// Lints the files and `api:` sources of `paths` as `secgroup lint` does; `read`, when given,
/// is the one already read (an ApiRead).
py::object lint_files(const std::vector<std::string>& paths, const py::object& config,
                      const std::optional<std::string>& fail_on, unsigned jobs,
                      const std::optional<api_text>& read = std::nullopt) {
  auto c = config_from(config);
  const auto text_of = [&read](const std::string& argument) -> std::optional<std::string> {
    if (read && argument == read->name) return read->text;
    if (auto api = api_text_of(py::str(argument))) return std::move(api->text);
    return std::nullopt;
  };
  const auto threshold = threshold_of(c, fail_on);
  auto run =
      lint::run_lint(paths, c, threshold.threshold, default_max_input_size, text_of, jobs);
  return outputs(run, c, threshold.style);
}

/// Lints groups in memory: their findings have no source lines.
py::object lint_groups(const std::vector<security_group>& groups, const py::object& config,
                       const std::optional<std::string>& fail_on) {
  auto c = config_from(config);
  const auto threshold = threshold_of(c, fail_on);
  return outputs(lint::lint_groups(groups, "<memory>", c, threshold.threshold), c,
                 threshold.style);
}

/// True iff `o` names a file or directory: an os.PathLike, or a str that is not JSON text.
bool is_path(const py::handle& o) {
  return (py::isinstance<py::str>(o) && !is_json_text(o)) ||
         py::isinstance(o, py::module_::import("os").attr("PathLike"));
}

std::string path_of(const py::handle& o) {
  return py::module_::import("os").attr("fspath")(o).cast<std::string>();
}

/// Lints `groups`: a path, a non-empty list of paths, a SecurityGroup, a list of them, or any
/// source groups_from() reads.
py::object lint_any(const py::object& groups, const py::object& config,
                    const std::optional<std::string>& fail_on, int jobs) {
  if (jobs < 0 || jobs > 1024)
    throw validation_error(errc::bad_value, "jobs",
                           "expected a thread count from 0 (every hardware thread) to 1024, got " +
                               std::to_string(jobs));
  refuse_blank(groups, "groups");
  std::vector<std::string> paths;
  if (!py::isinstance<py::str>(groups)) {
    if (auto read = api_text_of(groups))  // an ApiRead, located as its api: source
      return result("LintReport",
                    lint_files({read->name}, config, fail_on, static_cast<unsigned>(jobs), read));
  }
  if (is_path(groups)) {
    paths.push_back(path_of(groups));
  } else if ((py::isinstance<py::list>(groups) || py::isinstance<py::tuple>(groups)) && py::len(groups) > 0) {
    for (auto g : groups) {
      if (!is_path(g)) {
        paths.clear();
        break;
      }
      paths.push_back(path_of(g));
    }
  }
  if (!paths.empty())
    return result("LintReport", lint_files(paths, config, fail_on, static_cast<unsigned>(jobs)));
  bool all_groups = py::isinstance<py::list>(groups) || py::isinstance<py::tuple>(groups);
  if (all_groups)
    for (auto g : groups) all_groups = all_groups && py::isinstance<security_group>(g);
  return result("LintReport", lint_groups(all_groups ? groups.cast<std::vector<security_group>>()
                                                     : groups_from(groups),
                                          config, fail_on));
}

/// A side of a review: a file (load_group_input()), an `api:` string or an ApiRead.
group_input review_input(const py::handle& o) {
  if (auto api = api_text_of(o)) return parse_group_input(api->text, api->name);
  return load_group_input(path_of(o));
}

/// Reviews the change from `old_or_plan` to `new_file` (or the plan alone) as `secgroup review`.
py::object review(const py::object& old_or_plan, const py::object& new_file,
                  const py::object& config, const std::optional<std::string>& fail_on) {
  std::vector<group_input> inputs;
  inputs.push_back(review_input(old_or_plan));
  if (!new_file.is_none()) inputs.push_back(review_input(new_file));
  auto c = config_from(config);
  const auto threshold = threshold_of(c, fail_on);
  const auto r =
      lint::review_inputs(std::move(inputs), c, threshold.threshold, default_max_input_size);
  py::dict out;
  out["report"] = to_python(lint::review_json(r));
  out["sarif"] = to_python(lint::review_sarif(r, c));
  std::ostringstream text, markdown;
  lint::write_review_text(text, r, threshold.style);
  lint::write_review_markdown(markdown, r, threshold.style);
  out["text"] = text.str();
  out["markdown"] = markdown.str();
  out["failed"] = r.failed();
  out["undecided"] = r.undecided();
  out["exit_code"] = r.exit_code();
  return result("ReviewReport", out);
}

}  // namespace

void init_lint(py::module_& m) {
  m.def("_review", &review, py::arg("old_or_plan"), py::arg("new") = py::none(),
        py::arg("config") = py::none(), py::kw_only(), py::arg("fail_on") = py::none(), R"pbdoc(
Reviews a change as ``secgroup review``: a Terraform plan, or two group files (old, new); a
ReviewReport.
)pbdoc");
  bind_group_function(m, "lint", "groups", &lint_any, py::arg("config") = py::none(), py::kw_only(),
                      py::arg("fail_on") = py::none(), py::arg("jobs") = 0, R"pbdoc(
Lints groups: paths (files or directories, exactly as ``secgroup lint``), or groups; a LintReport.

``groups`` is a path, a list of paths, a SecurityGroup, a list of them, or any source ``load``
reads. ``config`` is a path, JSON text or a dict (.secgroup.json format); ``fail_on`` a
severity or "none" (default: the config's, else "low"); ``jobs`` the threads that lint the
groups of files (0: every hardware thread; the report is the same for any count).

Returns a LintReport (items: every group's findings; ``.passed``, ``.text()``, ``.sarif()``).
Raises MissingFileError for a path that does not exist, ParseError for an unreadable file or
configuration or an unknown ``fail_on``, ValidationError for a ``jobs`` outside 0..1024, and
for ``api:`` sources what read_api() raises.
)pbdoc");
  m.def("_lint_services", [](const py::object& config) {
    py::list out;
    for (const auto& s : config_from(config).services) {
      py::list ports;
      for (const auto& p : s.ports) ports.append(lint::to_string(p));
      py::dict item;
      item["name"] = s.name;
      item["title"] = s.title;
      item["ports"] = ports;
      out.append(item);
    }
    return out;
  }, py::arg("config") = py::none(),
     "The services SG001 watches, ``config`` applied: [{name, title, ports: ['tcp/22']}].");
  m.def("_service_port", [](const std::string& text, const std::string& field) {
    const auto p = lint::parse_service_port(text, field);
    return py::make_tuple(p.protocol == protocol::tcp ? "tcp" : "udp", p.ports.from, p.ports.to);
  }, py::arg("text"), py::arg("field") = "services",
     "(protocol, from, to) of a service port 'tcp/22', 'udp/500-501' (ParseError, or "
     "ValidationError for a reversed range, as a lint configuration's).");
  m.def("_lint_catalogue", [](const py::object& config) {
    auto c = config_from(config);
    std::ostringstream out;
    lint::write_catalogue(out, c, true);
    return to_python(json::parse(out.str()));
  }, py::arg("config") = py::none());
}

}  // namespace secgroup::python
