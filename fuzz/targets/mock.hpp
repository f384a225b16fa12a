// fuzz/targets/mock.hpp: target `mock`, the mock API's router mock::router::handle()
// (secgroup/mock/rest.hpp), over a fresh store for each input.
//
// The input is up to 16 requests (format: mock_requests.hpp), run in order against one store,
// so that later requests can reach the groups and rules earlier ones made: ids count up from
// 00000000-0000-4000-8000-000000000001 and dates step by one second, as in tests/mock. A
// request carrying `X-Auth-Token` goes to a router with two tokens, `fuzz-token-a` (project
// ...c001) and `fuzz-token-b` (project ...c002); the others to an open router. Groups hold at
// most 8 user rules, so the quota is within reach of short inputs.
// Properties: handle() never throws and never answers 500 (its contract: a 500 is a mock bug);
// a 204 has an empty body and every other body is JSON; after the last request, the store's
// snapshot restores into a fresh store (the state file relies on it) and gives the same snapshot.
#pragma once

#include <cstdio>
#include <secgroup/mock/rest.hpp>
#include <string>
#include <string_view>

#include "../fuzz_target.hpp"
#include "mock_requests.hpp"
#include "store_options.hpp"

namespace secgroup_fuzz {

/// The token table of the authenticated router.
inline secgroup::mock::router_options fuzz_token_options() {
  secgroup::mock::router_options options;
  options.tokens =
      secgroup::mock::parse_tokens({"fuzz-token-a:b4b9ae3c-2c44-4c5a-8f3e-2d6a1fb0c001",
                                    "fuzz-token-b:b4b9ae3c-2c44-4c5a-8f3e-2d6a1fb0c002"},
                                   "fuzz");
  return options;
}

/// "request N (METHOD PATH)" for findings.
inline std::string describe(std::size_t n, const secgroup::mock::request& req) {
  return "request " + std::to_string(n) + " (" + req.method + " " + req.path + ")";
}

/// Checks the response contract of handle() for request `n`.
inline void check_response(std::size_t n, const secgroup::mock::request& req,
                           const secgroup::mock::response& res) {
  if (res.status == 500) finding("mock: " + describe(n, req) + " answered 500: " + res.body);
  if (res.status < 200 || res.status > 599)
    finding("mock: " + describe(n, req) + " answered status " + std::to_string(res.status));
  if (res.status == 204 ? !res.body.empty() : !secgroup::json::accept(res.body))
    finding("mock: " + describe(n, req) + " answered " + std::to_string(res.status) +
            " with a body that is not JSON (or not empty for 204): " + res.body);
}

/// The store's snapshot must restore into a fresh store, and give the same snapshot there.
inline void check_snapshot(const secgroup::mock::store& s, std::size_t cap) {
  const auto doc = s.snapshot();
  secgroup::mock::store fresh(fuzz_store_options(cap));
  must_accept("mock: the store's snapshot does not restore: " + doc.dump(),
              [&] { fresh.restore(doc); });
  if (fresh.snapshot() != doc)
    finding("mock: the snapshot restores to another state: " + doc.dump());
}

inline void fuzz_mock(std::string_view input) {
  constexpr std::size_t cap = 8;
  secgroup::mock::store s(fuzz_store_options(cap));
  const secgroup::mock::router open_api(s);
  static const auto token_options = fuzz_token_options();
  const secgroup::mock::router token_api(s, token_options);
  const auto requests = read_requests(input);
  for (std::size_t n = 0; n < requests.size(); ++n) {
    const auto& req = requests[n];
    const bool token = secgroup::mock::find_header(req.headers, "X-Auth-Token") != nullptr;
    const auto res = (token ? token_api : open_api).handle(req);
    if (verbose())
      std::fprintf(stderr, "secgroup_fuzz: %s: %d %s\n", describe(n, req).c_str(), res.status,
                   res.body.substr(0, 160).c_str());
    check_response(n, req, res);
  }
  check_snapshot(s, cap);
}

}  // namespace secgroup_fuzz
