// Shared helpers of the mock API tests: a store with a stepping clock and counting ids (so
// expected bodies can be written by hand), a router over it, and request shortcuts.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <secgroup/mock/rest.hpp>
#include <string>
#include <utility>

namespace mock_test {

using namespace secgroup;
using namespace std::chrono_literals;

inline const std::string zone = "fr-par-1";
inline const std::string base = "/instance/v1/zones/fr-par-1/security_groups";
inline const std::string project_a = "b4b9ae3c-2c44-4c5a-8f3e-2d6a1fb0c001";
inline const std::string project_b = "b4b9ae3c-2c44-4c5a-8f3e-2d6a1fb0c002";
inline const std::string org_a = "7e1f2d3c-4b5a-4968-8776-5a4b3c2d1e0f";

/// 2026-07-30T12:54:21.436730+00:00, the date of the spec's example.
inline std::chrono::system_clock::time_point t0() {
  using namespace std::chrono;
  return sys_days{year{2026} / 7 / 30} + 12h + 54min + 21s + 436730us;
}
/// The clock readings, one second apart, written out by hand.
inline const char* const date0 = "2026-07-30T12:54:21.436730+00:00";
inline const char* const date1 = "2026-07-30T12:54:22.436730+00:00";
inline const char* const date2 = "2026-07-30T12:54:23.436730+00:00";
inline const char* const date3 = "2026-07-30T12:54:24.436730+00:00";

/// The n-th id (1-based) of counting_ids().
inline std::string nth_id(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012d", n);
  return buf;
}

/// Ids 00000000-0000-4000-8000-000000000001, ...2, ... in order.
inline mock::id_fn counting_ids() {
  return [n = 0]() mutable { return nth_id(++n); };
}

/// Options of a store for tests that are not about syncing: no sync delay, so a change
/// answers `available` (the sync tests, sync.test.cpp, set their own delay and clock).
inline mock::store_options test_options() {
  mock::store_options options{secgroup::instance_zones(), mock::stepping_clock(t0()), counting_ids()};
  options.sync_delay = 0ms;
  return options;
}

inline json body_of(const mock::response& r) { return json::parse(r.body); }

/// A store (test_options() unless given) and a router over it.
struct fixture {
  explicit fixture(mock::store_options options = test_options())
      : store(std::move(options)), api(store) {}

  mock::store store;
  mock::router api;

  mock::response call(const std::string& method, const std::string& target,
                      const std::string& body = "") const {
    return api.call(method, target, body);
  }

  /// Creates a group through the router (project_a, plus `extra` fields); returns its id.
  std::string create(const std::string& name, json extra = json::object()) const {
    json body = {{"name", name}, {"project", project_a}};
    for (auto& [k, v] : extra.items()) body[k] = v;
    auto r = call("POST", base, body.dump());
    REQUIRE(r.status == 201);
    return body_of(r)["security_group"]["id"].get<std::string>();
  }

  /// Creates a rule through the router; returns its id.
  std::string add_rule(const std::string& group, const json& rule) const {
    auto r = call("POST", base + "/" + group + "/rules", rule.dump());
    REQUIRE(r.status == 201);
    return body_of(r)["rule"]["id"].get<std::string>();
  }
};

/// The argument names of a 400 invalid_arguments body, in order.
inline std::vector<std::string> argument_names(const mock::response& r) {
  std::vector<std::string> out;
  auto body = body_of(r);
  REQUIRE(body["type"] == "invalid_arguments");
  for (const auto& d : body["details"]) out.push_back(d["argument_name"].get<std::string>());
  return out;
}

/// The `reason` of the detail about `argument`, or "" when none.
inline std::string reason_for(const mock::response& r, const std::string& argument) {
  auto body = body_of(r);
  for (const auto& d : body["details"])
    if (d["argument_name"] == argument) return d["reason"].get<std::string>();
  return "";
}

}  // namespace mock_test
