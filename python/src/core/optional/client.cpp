// python/src/core/optional/client.cpp: the live Instance API as a source (secgroup/client/api_read.hpp),
// compiled only with secgroup::client (SECGROUP_HAS_CLIENT; the fallback is in convert.cpp).
//
// `read_api()` reads with the settings the official clients would use (the SCW_* variables of
// os.environ over the scw config file and its profiles) and returns an ApiRead: the groups,
// the zones read and those missing, the settings' warnings (also issued as UserWarning) and
// the reader's retry notes. Every function that takes a group source takes an `api:...` string
// (read as the CLI reads it: every zone must answer) or an ApiRead; both are located under
// the source's name, as the CLI locates them. The GIL is released while the client waits.
#include <exception>
#include <secgroup/client/api_read.hpp>

#include "../common.hpp"

namespace secgroup::python {
namespace {

/// What read_api() returns to Python.
struct api_read {
  std::string source;
  client::read_result read;
  std::vector<std::string> warnings;
  std::vector<std::string> notes;

  std::string export_text() const { return client::export_text(read.groups); }
};

py::list missing_zones(const client::read_result& read) {
  py::list out;
  for (const auto& m : read.missing) {
    py::dict d;
    d["zone"] = m.zone;
    d["error_id"] = m.error_id;
    d["reason"] = m.reason;
    out.append(std::move(d));
  }
  return out;
}

/// Reads `argument` as client::read_api() does, the GIL released; issues the settings' warnings
/// as UserWarning (also when the read fails) and names the Python option in a refused partial
/// read.
api_read read(const std::string& argument, client::api_read_options options) {
  api_read out;
  out.source = argument;
  options.warn = [&out](const std::string& w) { out.warnings.push_back(w); };
  options.log = [&out](const std::string& line) { out.notes.push_back(line); };
  std::exception_ptr failure;
  {
    py::gil_scoped_release release;
    try {
      out.read = client::read_api(argument, options);
    } catch (const remote_error& e) {
      if (e.id() != errc::partial_read || options.read.allow_partial) {
        failure = std::current_exception();
      } else {
        failure = std::make_exception_ptr(remote_error(
            e.id(), e.field(),
            e.message() + " (allow_partial=True goes on with the zones that answer, naming the "
                          "missing ones)"));
      }
    } catch (...) {
      failure = std::current_exception();
    }
  }
  const auto warn = py::module_::import("warnings").attr("warn");
  for (const auto& w : out.warnings) warn(w, py::module_::import("builtins").attr("UserWarning"), 2);
  if (failure) std::rethrow_exception(failure);
  return out;
}

}  // namespace

std::optional<api_text> api_text_of(const py::handle& source) {
  if (py::isinstance<api_read>(source)) {
    const auto& r = source.cast<const api_read&>();
    return api_text{r.source, r.export_text()};
  }
  if (!py::isinstance<py::str>(source)) return std::nullopt;
  auto argument = source.cast<std::string>();
  if (!client::is_api_source(argument)) return std::nullopt;
  auto text = read(argument, {}).export_text();
  return api_text{std::move(argument), std::move(text)};
}

void init_client(py::module_& m) {
  py::class_<api_read>(m, "ApiRead", R"pbdoc(
What read_api() read from the Instance API: ``groups`` (SecurityGroup, zone by zone in the
API's order), ``zones`` (the zones read whole), ``missing`` (zones not read, as dicts with
``zone``, ``error_id`` and ``reason``; only with allow_partial=True), ``complete`` (True iff
every zone asked for was read), ``warnings`` (about the settings, redacted) and ``notes`` (each
retried request, redacted). ``export()`` is the text ``secgroup export`` writes; ``to_dict()``
is JSON-safe. Iterating gives the groups. Every function taking a group source takes it.
)pbdoc")
      .def_readonly("source", &api_read::source, "the api: argument read")
      .def_property_readonly("groups", [](const api_read& r) { return r.read.groups; })
      .def_property_readonly("zones", [](const api_read& r) { return r.read.zones; })
      .def_property_readonly("missing", [](const api_read& r) { return missing_zones(r.read); })
      .def_property_readonly("complete", [](const api_read& r) { return r.read.complete(); })
      .def_readonly("warnings", &api_read::warnings)
      .def_readonly("notes", &api_read::notes)
      .def("export", &api_read::export_text,
           "The groups as the `secgroup export` command writes them (API-shaped JSON text).")
      .def("to_dict", [](const api_read& r) {
        py::dict d;
        d["source"] = r.source;
        d["zones"] = r.read.zones;
        d["missing"] = missing_zones(r.read);
        d["complete"] = r.read.complete();
        d["security_groups"] = to_python(groups_to_json(r.read.groups)["security_groups"]);
        return d;
      }, "JSON-safe: the source, the zones read and missing, and the groups as an export holds them.")
      .def("__len__", [](const api_read& r) { return r.read.groups.size(); })
      .def("__iter__", [](const api_read& r) { return py::iter(py::cast(r.read.groups)); })
      .def("__repr__", [](const api_read& r) {
        return "<ApiRead " + r.source + ": " + std::to_string(r.read.groups.size()) + " groups, " +
               std::to_string(r.read.zones.size()) + " zones read" +
               (r.read.complete() ? "" : ", " + std::to_string(r.read.missing.size()) + " missing") +
               ">";
      });

  m.def("read_api",
        [](const std::string& source, const std::optional<std::string>& profile,
           const std::optional<std::string>& config_path, bool allow_partial) {
          client::api_read_options options;
          options.profile.profile = profile;
          options.profile.profile_name = "profile";
          options.profile.config_path_name = "config_path";
          if (config_path) options.profile.config_path = *config_path;
          options.read.allow_partial = allow_partial;
          return read(source, std::move(options));
        },
        py::arg("source") = "api:", py::kw_only(), py::arg("profile") = py::none(),
        py::arg("config_path") = py::none(), py::arg("allow_partial") = false, R"pbdoc(
Reads the groups `source` names from the live Instance API and returns an ApiRead.

source: "api:" (every Instance zone), "api:fr-par-1", "api:fr-par-1,nl-ams-1" or
"api:fr-par-1/GROUP_ID". Credentials, project and endpoint are found as the official clients
find them: the SCW_* variables of os.environ (SCW_SECRET_KEY, SCW_DEFAULT_PROJECT_ID,
SCW_API_URL, ...) over the scw config file and its profiles; `profile` and `config_path` choose
as the scw CLI's -p and -c do. allow_partial=True goes on when some zones fail, listing them in
``missing``; by default such a read raises.

Raises ParseError (a malformed source, a bad config file naming its line), ValidationError
(bad settings, an unknown zone), ApiError (401/403 naming who supplied the key, never the key;
an unreachable host; an error status after the retries; a refused partial read) and
GroupLookupError (no such group, or one of another project).
)pbdoc");
}

}  // namespace secgroup::python
