// secgroup/io/analysis_json.hpp: the results of the exact analyses as JSON.
//
// One function per result type of secgroup/analysis.hpp, writing secgroup::json (ordered keys,
// so output is stable and diffable). Rules are named by their `id` (null when the input gave
// none) and their `position`; a decision made by a default policy has `rule_id` and `position`
// null. Packets are written as {"direction", "protocol", "remote", "port"}, the protocol as
// protocol_name() spells it ("tcp", "udp", "icmp", "icmpv6" or the number) and the port null
// for protocols without ports. Address sets are written as CIDR lists (to_networks()), ranges
// as {"from", "to"}. The shapes are documented in docs/cli.md, which the CLI prints as is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../address.hpp"
#include "../analysis/anomalies.hpp"
#include "../analysis/diff.hpp"
#include "../analysis/exposure.hpp"
#include "../analysis/query.hpp"
#include "../config.hpp"
#include "../decision.hpp"
#include "../interval_set.hpp"
#include "../packet.hpp"
#include "../rule.hpp"
#include "../space.hpp"
#include "json.hpp"
#include "json_sink.hpp"

SECGROUP_BEGIN_NAMESPACE

/// \cond
namespace detail::json_io {

inline json rule_id(const rule& r) { return r.id.empty() ? json(nullptr) : json(r.id); }

inline json cidrs(const ip_address& first, const ip_address& last) {
  json out = json::array();
  for (const auto& n : to_networks(first, last)) out.push_back(to_string(n));
  return out;
}

inline json port_interval(std::uint32_t from, std::uint32_t to) {
  json j = json::object();
  j["from"] = from;
  j["to"] = to;
  return j;
}

inline json port_intervals(const interval_set<std::uint32_t>& set) {
  json out = json::array();
  for (const auto& iv : set) out.push_back(port_interval(iv.lo, iv.hi));
  return out;
}

inline void add_decision(json& j, const decision& d, const std::vector<rule>& rules) {
  j["action"] = std::string(to_string(d.action));
  j["rule_id"] = d.by_default() ? json(nullptr) : rule_id(rules[d.rule]);
  j["position"] = d.by_default() ? json(nullptr) : json(rules[d.rule].position);
}

}  // namespace detail::json_io
/// \endcond

/// Writes the members "direction", "protocol", "remote" and "port" of `p` to a JSON sink
/// (io/json_sink.hpp) in the object being written; the port is null unless TCP or UDP.
template <class Sink>
void write_packet_fields(Sink& o, const packet& p) {
  o.field("direction", to_string(p.direction));
  o.field("protocol", protocol_name(p.protocol));
  o.field("remote", to_string(p.remote));
  o.field("port", carries_ports(p.protocol) ? std::optional(p.port) : std::nullopt);
}

/// Writes {"direction", "protocol", "remote", "port"} (write_packet_fields()) to a JSON sink.
template <class Sink>
void write_packet_json(Sink& o, const packet& p) {
  o.begin_object();
  write_packet_fields(o, p);
  o.end_object();
}

/// Returns write_packet_json()'s object.
inline json packet_to_json(const packet& p) {
  json_builder b;
  write_packet_json(b, p);
  return b.take();
}

/// Returns {"action", "rule_id", "position"} for decision `d`, whose rule indexes `rules`
/// (ordered_rules() of the deciding group); rule_id and position are null for a default policy.
inline json decision_to_json(const decision& d, const std::vector<rule>& rules) {
  json j = json::object();
  detail::json_io::add_decision(j, d, rules);
  return j;
}

// -- Anomalies ------------------------------------------------------------------------------

/// Writes {"kind", "rule_id", "position", "direction", "related": [rule ids], "reason",
/// "witness": packet | null} for finding `f` of a report on `rules` to a JSON sink; a finding
/// that falls through adds "to_default" after "reason".
template <class Sink>
void write_finding_json(Sink& o, const analysis::finding& f, const std::vector<rule>& rules) {
  auto id_of = [&](std::size_t i) {
    return rules[i].id.empty() ? std::nullopt : std::optional<std::string_view>(rules[i].id);
  };
  o.begin_object();
  o.field("kind", to_string(f.kind));
  o.field("rule_id", id_of(f.rule));
  o.field("position", rules[f.rule].position);
  o.field("direction", to_string(f.direction));
  array_field(o, "related", [&] {
    for (auto i : f.related) o.value(id_of(i));
  });
  o.field("reason", to_string(f.reason));
  if (f.reason == analysis::finding_reason::falls_through) o.field("to_default", f.to_default);
  o.key("witness");
  if (f.witness)
    write_packet_json(o, *f.witness);
  else
    o.value(nullptr);
  o.end_object();
}

/// Returns write_finding_json()'s object.
inline json finding_to_json(const analysis::finding& f, const std::vector<rule>& rules) {
  json_builder b;
  write_finding_json(b, f, rules);
  return b.take();
}

/// Returns {"findings": [...]} in the report's order (rule, kind, related rules).
inline json anomalies_to_json(const analysis::anomaly_report& report) {
  json findings = json::array();
  for (const auto& f : report.findings) findings.push_back(finding_to_json(f, report.rules));
  json j = json::object();
  j["findings"] = std::move(findings);
  return j;
}

// -- Diff -----------------------------------------------------------------------------------

/// Returns one region of a diff: {"direction", "family", "protocol" (class: tcp, udp, icmp,
/// other), "remote": {"first", "last", "cidrs"}, "ports": {"from", "to"} | null, "change":
/// "opened" | "closed", "a": decision, "b": decision}.
inline json diff_region_to_json(const analysis::group_diff_region& r,
                                const std::vector<rule>& rules_a,
                                const std::vector<rule>& rules_b) {
  json remote = json::object();
  remote["first"] = to_string(r.first);
  remote["last"] = to_string(r.last);
  remote["cidrs"] = detail::json_io::cidrs(r.first, r.last);
  json j = json::object();
  j["direction"] = std::string(to_string(r.direction));
  j["family"] = std::string(to_string(r.af));
  j["protocol"] = std::string(to_string(r.protocol));
  j["remote"] = std::move(remote);
  j["ports"] = has_ports(r.protocol) ? detail::json_io::port_interval(r.ports.lo, r.ports.hi)
                                     : json(nullptr);
  j["change"] = r.opened() ? "opened" : "closed";
  j["a"] = decision_to_json(r.a, rules_a);
  j["b"] = decision_to_json(r.b, rules_b);
  return j;
}

/// Returns {"equivalent", "witness": {packet..., "a": decision, "b": decision} | null,
/// "regions": [...]}, the regions in the diff's canonical order.
inline json diff_to_json(const analysis::group_diff& d) {
  json witness = nullptr;
  if (d.witness) {
    witness = packet_to_json(d.witness->packet);
    witness["a"] = decision_to_json(d.witness->a, d.rules_a);
    witness["b"] = decision_to_json(d.witness->b, d.rules_b);
  }
  json regions = json::array();
  for (const auto& r : d.regions) regions.push_back(diff_region_to_json(r, d.rules_a, d.rules_b));
  json j = json::object();
  j["equivalent"] = d.equivalent;
  j["witness"] = std::move(witness);
  j["regions"] = std::move(regions);
  return j;
}

// -- Queries and connections ----------------------------------------------------------------

/// Returns {packet..., "action", "rule_id", "position"} for a query witness of a group whose
/// ordered_rules() are `rules`.
inline json query_witness_to_json(const analysis::query_witness& w,
                                  const std::vector<rule>& rules) {
  json j = packet_to_json(w.packet);
  detail::json_io::add_decision(j, w.decision, rules);
  return j;
}

/// Returns {"answer": "ALL" | "NONE" | "PARTIAL" | "UNKNOWN", "accepted": witness | null,
/// "dropped": witness | null}, plus "reason" when the answer is UNKNOWN.
inline json query_to_json(const analysis::query_result& r, const std::vector<rule>& rules) {
  json j = json::object();
  j["answer"] = std::string(to_string(r.answer));
  j["accepted"] = r.accepted ? query_witness_to_json(*r.accepted, rules) : json(nullptr);
  j["dropped"] = r.dropped ? query_witness_to_json(*r.dropped, rules) : json(nullptr);
  if (r.answer == analysis::coverage::unknown) j["reason"] = r.reason;
  return j;
}

/// Returns {"answer", "forward_ports": [{"from", "to"}] | null, "reply_ports": ... | null,
/// "legs": [{"leg", "answer", "accepted", "dropped"}]} for connection `c`; the port lists are
/// null for protocols without ports. Client legs are decided by the
/// client group (rules `client_rules`), the others by the server group.
inline json connection_to_json(const analysis::connection_result& r, const analysis::connection& c,
                               const std::vector<rule>& client_rules,
                               const std::vector<rule>& server_rules) {
  const bool ports = carries_ports(c.protocol);
  json legs = json::array();
  for (const auto& leg : r.legs) {
    json item = json::object();
    item["leg"] = std::string(leg.name);
    const bool client = leg.client;
    const json result = query_to_json(leg.result, client ? client_rules : server_rules);
    for (const auto& [key, value] : result.items()) item[key] = value;
    legs.push_back(std::move(item));
  }
  json j = json::object();
  j["answer"] = std::string(to_string(r.answer));
  j["forward_ports"] = ports ? detail::json_io::port_intervals(r.forward_ports) : json(nullptr);
  j["reply_ports"] = ports ? detail::json_io::port_intervals(r.reply_ports) : json(nullptr);
  j["legs"] = std::move(legs);
  return j;
}

// -- Exposure -------------------------------------------------------------------------------

/// Returns {"family", "protocol" (class), "ports": [{"from", "to"}] | null, "accepted":
/// [CIDRs], "address_count": decimal string}; ports are null for classes without ports.
inline json exposure_entry_to_json(const analysis::exposure_entry& e) {
  json ports = nullptr;
  if (has_ports(e.protocol)) {
    ports = json::array();
    for (const auto& p : e.ports) ports.push_back(detail::json_io::port_interval(p.lo, p.hi));
  }
  json accepted = json::array();
  for (const auto& r : e.accepted)
    for (auto& n : detail::json_io::cidrs(r.first, r.last)) accepted.push_back(std::move(n));
  json j = json::object();
  j["family"] = std::string(to_string(e.af));
  j["protocol"] = std::string(to_string(e.protocol));
  j["ports"] = std::move(ports);
  j["accepted"] = std::move(accepted);
  j["address_count"] = e.address_count;
  return j;
}

/// Returns {"direction", "entries": [...]} for the exposure of direction `d`.
inline json exposure_to_json(const std::vector<analysis::exposure_entry>& entries,
                             direction d = direction::inbound) {
  json list = json::array();
  for (const auto& e : entries) list.push_back(exposure_entry_to_json(e));
  json j = json::object();
  j["direction"] = std::string(to_string(d));
  j["entries"] = std::move(list);
  return j;
}

SECGROUP_END_NAMESPACE
