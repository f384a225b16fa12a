// python/src/core/mock.cpp: the mock Instance API: the store's typed methods and the
// transport-free dispatcher (router::handle), for tests of code that talks to the API.
#include <pybind11/chrono.h>

#include <limits>
#include <memory>

#include <secgroup/mock/rest.hpp>
#include <secgroup/mock/store.hpp>

#include "common.hpp"

namespace secgroup::python {
namespace {

using store_ptr = std::shared_ptr<mock::store>;

mock::scope scope_of(const std::optional<std::vector<std::string>>& projects) { return {projects}; }

mock::group_spec make_spec(const std::string& name, std::optional<std::string> description,
                           const std::string& project, const std::string& organization,
                           std::vector<std::string> tags, bool project_default, bool organization_default,
                           bool stateful, const std::string& inbound, const std::string& outbound,
                           bool enable_default_security) {
  mock::group_spec s;
  s.name = name;
  s.description = std::move(description);
  s.project = project;
  s.organization = organization;
  s.tags = std::move(tags);
  s.project_default = project_default;
  s.organization_default = organization_default;
  s.stateful = stateful;
  s.inbound_default_policy = parse_action(inbound, "inbound_default_policy");
  s.outbound_default_policy = parse_action(outbound, "outbound_default_policy");
  s.enable_default_security = enable_default_security;
  return s;
}

py::dict page_to_python(const mock::group_page& p) {
  py::dict out;
  out["security_groups"] = p.security_groups;
  out["total_count"] = p.total_count;
  out["page"] = p.page;
  out["per_page"] = p.per_page;
  out["last_page"] = p.last_page;
  return out;
}

std::optional<action> action_opt(const std::optional<std::string>& s, const char* field) {
  return s ? std::optional(parse_action(*s, field)) : std::nullopt;
}

json json_from(const py::object& o, const char* field) {
  if (py::isinstance<py::str>(o)) {
    return parse_json(o.cast<std::string>(), field);
  }
  return from_python(o, field);
}

/// The instant a datetime names, to the microsecond. A naive datetime is read as UTC (the zone
/// of every API date): pybind11's own conversion would read it, and ignore any tzinfo, as
/// local time. Throws parse_error (secgroup.parse.105) naming `field` for anything else.
std::chrono::system_clock::time_point instant_of(const py::handle& value, const char* field) {
  auto datetime = py::module_::import("datetime");
  if (!py::isinstance(value, datetime.attr("datetime")))
    throw parse_error(errc::wrong_type, field, "expected a datetime.datetime");
  const auto utc = datetime.attr("timezone").attr("utc");
  auto dt = py::reinterpret_borrow<py::object>(value);
  if (dt.attr("tzinfo").is_none()) dt = dt.attr("replace")(py::arg("tzinfo") = utc);
  const auto epoch = datetime.attr("datetime")(1970, 1, 1, py::arg("tzinfo") = utc);
  const auto one_us = datetime.attr("timedelta")(py::arg("microseconds") = 1);
  const auto us = (dt - epoch).attr("__floordiv__")(one_us).cast<long long>();
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::microseconds(us)));
}

}  // namespace

void init_mock(py::module_& m) {
  const auto projects = py::arg("projects") = py::none();
  py::class_<mock::store, store_ptr>(m, "MockStore", R"pbdoc(
The state of the mock Instance API, with its typed methods (one per endpoint). Failures raise
ApiError with the API's status and body, and leave the store unchanged. ``projects`` (a list
of project ids) limits what a call may see, as a token's scope does; None allows every project.
``seed`` makes ids deterministic; ``clock_start`` (a datetime; naive means UTC) makes dates
deterministic, stepping by ``clock_step`` at every reading. ``sync_delay`` (a timedelta, default
300 ms; 0: never) is how long a changed group stays ``syncing`` before it is ``available`` with
its modification_date bumped, as the real API does (docs/mock-api.md, "Sync").
)pbdoc")
      .def(py::init([](const std::optional<std::vector<std::string>>& zones, const py::object& seed,
                       const py::object& clock_start,
                       std::chrono::microseconds clock_step,
                       std::chrono::microseconds sync_delay) {
             mock::store_options o;
             o.sync_delay = std::chrono::duration_cast<std::chrono::milliseconds>(sync_delay);
             if (o.sync_delay != sync_delay)
               throw validation_error(errc::bad_value, "sync_delay",
                                      "the sync delay is a whole number of milliseconds");
             if (zones) o.zones = *zones;
             if (!seed.is_none())
               o.new_id = mock::seeded_id_generator(
                   unsigned_from(seed, "seed", std::numeric_limits<std::uint64_t>::max()));
             if (!clock_start.is_none())
               o.clock = mock::stepping_clock(instant_of(clock_start, "clock_start"), clock_step);
             return std::make_shared<mock::store>(std::move(o));
           }),
           py::arg("zones") = py::none(), py::arg("seed") = py::none(), py::arg("clock_start") = py::none(),
           py::arg("clock_step") = std::chrono::microseconds(std::chrono::seconds(1)),
           py::arg("sync_delay") = std::chrono::microseconds(mock::default_sync_delay))
      .def_property_readonly("zones", &mock::store::zones)
      .def_property_readonly("sync_delay", &mock::store::sync_delay)
      .def("list_groups", [](const mock::store& s, const std::string& zone, const std::string& name,
                             const std::string& organization, const std::string& project,
                             const std::vector<std::string>& tags, std::optional<bool> project_default,
                             std::int64_t page, std::int64_t per_page,
                             const std::optional<std::vector<std::string>>& who) {
             mock::group_filter f{name, organization, project, tags, project_default, page, per_page};
             return page_to_python(s.list_groups(zone, f, scope_of(who)));
           }, py::arg("zone"), py::arg("name") = "", py::arg("organization") = "", py::arg("project") = "",
           py::arg("tags") = std::vector<std::string>{}, py::arg("project_default") = py::none(),
           py::arg("page") = 1, py::arg("per_page") = mock::default_per_page, projects,
           "One page: {'security_groups': [...], 'total_count', 'page', 'per_page', 'last_page'}.")
      .def("create_group", [](mock::store& s, const std::string& zone, const std::string& name,
                              std::optional<std::string> description, const std::string& project,
                              const std::string& organization, std::vector<std::string> tags,
                              bool project_default, bool organization_default, bool stateful,
                              const std::string& inbound, const std::string& outbound, bool eds,
                              const std::optional<std::vector<std::string>>& who) {
             return s.create_group(zone, make_spec(name, std::move(description), project, organization,
                                                   std::move(tags), project_default, organization_default,
                                                   stateful, inbound, outbound, eds),
                                   scope_of(who));
           }, py::arg("zone"), py::arg("name"), py::arg("description") = py::none(), py::arg("project") = "",
           py::arg("organization") = "", py::arg("tags") = std::vector<std::string>{},
           py::arg("project_default") = false, py::arg("organization_default") = false,
           py::arg("stateful") = true, py::arg("inbound_default_policy") = "accept",
           py::arg("outbound_default_policy") = "accept", py::arg("enable_default_security") = true, projects)
      .def("get_group", [](const mock::store& s, const std::string& zone, const std::string& id,
                           const std::optional<std::vector<std::string>>& who) {
             return s.get_group(zone, id, scope_of(who));
           }, py::arg("zone"), py::arg("id"), projects)
      .def("replace_group", [](mock::store& s, const std::string& zone, const std::string& id,
                               const std::string& name, std::optional<std::string> description,
                               const std::string& project, const std::string& organization,
                               std::vector<std::string> tags, bool project_default, bool organization_default,
                               bool stateful, const std::string& inbound, const std::string& outbound, bool eds,
                               const std::optional<std::vector<std::string>>& who) {
             return s.replace_group(zone, id,
                                    make_spec(name, std::move(description), project, organization,
                                              std::move(tags), project_default, organization_default,
                                              stateful, inbound, outbound, eds),
                                    scope_of(who));
           }, py::arg("zone"), py::arg("id"), py::arg("name"), py::arg("description") = py::none(),
           py::arg("project") = "", py::arg("organization") = "", py::arg("tags") = std::vector<std::string>{},
           py::arg("project_default") = false, py::arg("organization_default") = false,
           py::arg("stateful") = true, py::arg("inbound_default_policy") = "accept",
           py::arg("outbound_default_policy") = "accept", py::arg("enable_default_security") = true, projects)
      .def("update_group", [](mock::store& s, const std::string& zone, const std::string& id,
                              std::optional<std::string> name, std::optional<std::string> description,
                              std::optional<std::vector<std::string>> tags, std::optional<bool> project_default,
                              std::optional<bool> organization_default, std::optional<bool> stateful,
                              const std::optional<std::string>& inbound, const std::optional<std::string>& outbound,
                              std::optional<bool> eds, const std::optional<std::vector<std::string>>& who) {
             mock::group_patch p{std::move(name), std::move(description), std::move(tags), project_default,
                                 organization_default, stateful, action_opt(inbound, "inbound_default_policy"),
                                 action_opt(outbound, "outbound_default_policy"), eds,
                                 std::nullopt, std::nullopt};  // project, organization: unchecked
             return s.update_group(zone, id, p, scope_of(who));
           }, py::arg("zone"), py::arg("id"), py::arg("name") = py::none(), py::arg("description") = py::none(),
           py::arg("tags") = py::none(), py::arg("project_default") = py::none(),
           py::arg("organization_default") = py::none(), py::arg("stateful") = py::none(),
           py::arg("inbound_default_policy") = py::none(), py::arg("outbound_default_policy") = py::none(),
           py::arg("enable_default_security") = py::none(), projects)
      .def("delete_group", [](mock::store& s, const std::string& zone, const std::string& id,
                              const std::optional<std::vector<std::string>>& who) {
             s.delete_group(zone, id, scope_of(who));
           }, py::arg("zone"), py::arg("id"), projects)
      .def("list_default_rules", &mock::store::list_default_rules, py::arg("zone"), py::arg("page") = 1,
           py::arg("per_page") = mock::default_rules_per_page)
      .def("list_rules", [](const mock::store& s, const std::string& zone, const std::string& group_id,
                            std::int64_t page, std::int64_t per_page,
                            const std::optional<std::vector<std::string>>& who) {
             return s.list_rules(zone, group_id, page, per_page, scope_of(who));
           }, py::arg("zone"), py::arg("group_id"), py::arg("page") = 1,
           py::arg("per_page") = mock::default_rules_per_page, projects)
      .def("set_rules", [](mock::store& s, const std::string& zone, const std::string& group_id,
                           const std::vector<rule>& rules, const std::optional<std::vector<std::string>>& who) {
             return s.set_rules(zone, group_id, rules, scope_of(who));
           }, py::arg("zone"), py::arg("group_id"), py::arg("rules"), projects)
      .def("create_rule", [](mock::store& s, const std::string& zone, const std::string& group_id, const rule& r,
                             const std::optional<std::vector<std::string>>& who) {
             return s.create_rule(zone, group_id, r, scope_of(who));
           }, py::arg("zone"), py::arg("group_id"), py::arg("rule"), projects)
      .def("get_rule", [](const mock::store& s, const std::string& zone, const std::string& group_id,
                          const std::string& rule_id, const std::optional<std::vector<std::string>>& who) {
             return s.get_rule(zone, group_id, rule_id, scope_of(who));
           }, py::arg("zone"), py::arg("group_id"), py::arg("rule_id"), projects)
      .def("replace_rule", [](mock::store& s, const std::string& zone, const std::string& group_id,
                              const std::string& rule_id, const rule& r,
                              const std::optional<std::vector<std::string>>& who) {
             return s.replace_rule(zone, group_id, rule_id, r, scope_of(who));
           }, py::arg("zone"), py::arg("group_id"), py::arg("rule_id"), py::arg("rule"), projects)
      .def("update_rule", [](mock::store& s, const std::string& zone, const std::string& group_id,
                             const std::string& rule_id, const std::optional<std::string>& protocol,
                             const std::optional<std::string>& direction, const std::optional<std::string>& act,
                             const std::optional<std::string>& ip_range, std::optional<std::int64_t> from,
                             std::optional<std::int64_t> to, const py::object& position,
                             const std::optional<std::vector<std::string>>& who) {
             mock::rule_patch p;
             if (protocol) p.protocol = parse_protocol(*protocol);
             if (direction) p.direction = parse_direction(*direction);
             if (act) p.action = parse_action(*act);
             if (ip_range) p.ip_range = parse_network(*ip_range, "ip_range");
             p.dest_port_from = from;
             p.dest_port_to = to;
             if (!position.is_none())
               p.position = static_cast<std::uint32_t>(
                   unsigned_from(position, "position", std::numeric_limits<std::uint32_t>::max()));
             return s.update_rule(zone, group_id, rule_id, p, scope_of(who));
           }, py::arg("zone"), py::arg("group_id"), py::arg("rule_id"), py::arg("protocol") = py::none(),
           py::arg("direction") = py::none(), py::arg("action") = py::none(), py::arg("ip_range") = py::none(),
           py::arg("dest_port_from") = py::none(), py::arg("dest_port_to") = py::none(),
           py::arg("position") = py::none(), projects)
      .def("delete_rule", [](mock::store& s, const std::string& zone, const std::string& group_id,
                             const std::string& rule_id, const std::optional<std::vector<std::string>>& who) {
             s.delete_rule(zone, group_id, rule_id, scope_of(who));
           }, py::arg("zone"), py::arg("group_id"), py::arg("rule_id"), projects)
      .def("attach_server", [](mock::store& s, const std::string& zone, const std::string& group_id,
                               const std::string& server_id, const std::string& name) {
             s.attach_server(zone, group_id, server_ref{server_id, name});
           }, py::arg("zone"), py::arg("group_id"), py::arg("server_id"), py::arg("name") = "")
      .def("detach_server", &mock::store::detach_server, py::arg("zone"), py::arg("group_id"),
           py::arg("server_id"))
      .def("groups", &mock::store::groups, "Every group of every zone, user rules included.")
      .def("__len__", &mock::store::size)
      .def("snapshot", [](const mock::store& s) { return to_python(s.snapshot()); },
           "The whole state as {'security_groups': [...]} (a file every loader reads).")
      .def("restore", [](mock::store& s, const py::object& doc) { s.restore(json_from(doc, "snapshot")); },
           py::arg("snapshot"), "Replaces the state with a snapshot (dict or JSON text); atomic.")
      .def("__repr__", [](const mock::store& s) {
        return "MockStore(" + std::to_string(s.size()) + " groups, " + std::to_string(s.zones().size()) + " zones)";
      });

  struct py_router {
    store_ptr store;
    std::unique_ptr<mock::router> router;
  };
  py::class_<py_router>(m, "MockApi", R"pbdoc(
The transport-free dispatcher of the mock API over a MockStore: ``handle(method, path, query,
headers, body)`` returns ``(status, headers, body)`` exactly as the API would answer. With
``tokens`` ({token: [project ids]}) requests need an X-Auth-Token header.
)pbdoc")
      .def(py::init([](store_ptr s, const std::string& base_url,
                       const std::optional<std::map<std::string, std::vector<std::string>>>& tokens) {
             if (!s) throw validation_error(errc::bad_value, "store", "a MockStore is required");
             mock::router_options o;
             o.base_url = base_url;
             if (tokens) o.tokens.emplace(tokens->begin(), tokens->end());
             py_router r{s, nullptr};
             r.router = std::make_unique<mock::router>(*s, std::move(o));
             return r;
           }),
           py::arg("store"), py::arg("base_url") = "https://api.scaleway.com", py::arg("tokens") = py::none())
      .def_property_readonly("store", [](const py_router& r) { return r.store; })
      .def("handle", [](const py_router& r, const std::string& method, const std::string& path,
                        const std::string& query, const std::optional<mock::header_list>& headers,
                        const py::object& body) {
             mock::request req;
             req.method = method;
             req.path = path;
             req.query = query;
             if (headers) req.headers = *headers;
             if (py::isinstance<py::bytes>(body) || py::isinstance<py::str>(body))
               req.body = body.cast<std::string>();
             else if (!body.is_none())
               req.body = from_python(body, "body").dump();
             mock::response resp;
             {
               py::gil_scoped_release release;
               resp = r.router->handle(req);
             }
             return py::make_tuple(resp.status, resp.headers, resp.body);
           }, py::arg("method"), py::arg("path"), py::arg("query") = "", py::arg("headers") = py::none(),
           py::arg("body") = py::none(),
           "Dispatches one request; body is text, bytes, or a dict/list sent as JSON. Never raises "
           "for API errors: they are (status, headers, body) like any answer.");
}

}  // namespace secgroup::python
