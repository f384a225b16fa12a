// The program both consumer projects build: evaluates packets against a small group built in
// code and exits non-zero if a decision is wrong. With an optional part, it also proves that
// the part's target carries its dependency: Z3 solves a formula, an httplib server is built,
// a YAML document is read, the API client's headers compile and link.
#include <cstdio>
#include <string>

#include <secgroup/secgroup.hpp>

#if SECGROUP_HAS_Z3 != CONSUMER_EXPECT_Z3 || SECGROUP_HAS_SERVER != CONSUMER_EXPECT_SERVER || \
    SECGROUP_HAS_YAML != CONSUMER_EXPECT_YAML
#error "SECGROUP_HAS_Z3 / _SERVER / _YAML do not match the targets this consumer linked"
#endif
#if SECGROUP_HAS_CLIENT != CONSUMER_EXPECT_CLIENT
#error "SECGROUP_HAS_CLIENT does not match the targets this consumer linked"
#endif
#if SECGROUP_HAS_Z3
#include <z3++.h>
#endif
#if SECGROUP_HAS_CLIENT
#include <secgroup/client/reader.hpp>
#endif
#if SECGROUP_HAS_SERVER
#if !defined(CPPHTTPLIB_OPENSSL_SUPPORT) || !defined(CPPHTTPLIB_ZLIB_SUPPORT)
#error "secgroup::server must forward the CPPHTTPLIB_*_SUPPORT defines of cpp-httplib.pc"
#endif
#include <httplib.h>
#endif
#if SECGROUP_HAS_YAML
#include <secgroup/yaml/json.hpp>
#endif

namespace {

secgroup::rule make_rule(secgroup::protocol proto, secgroup::action act, const char* network,
                         int port, std::uint32_t position) {
  secgroup::rule r;
  r.id = "rule-" + std::to_string(position);
  r.protocol = proto;
  r.direction = secgroup::direction::inbound;
  r.action = act;
  r.ip_range = secgroup::parse_network(network);
  if (port) r.ports = secgroup::port_range{static_cast<std::uint16_t>(port),
                                           static_cast<std::uint16_t>(port)};
  r.position = position;
  return r;
}

}  // namespace

int main() {
  using secgroup::action;
  using secgroup::protocol;
  secgroup::security_group g;
  g.id = "consumer";
  g.inbound_default_policy = action::drop;
  g.outbound_default_policy = action::accept;
  // Stored out of order: evaluation follows `position`.
  g.rules = {make_rule(protocol::tcp, action::drop, "0.0.0.0/0", 22, 2),
             make_rule(protocol::tcp, action::accept, "203.0.113.0/24", 22, 1),
             make_rule(protocol::udp, action::accept, "0.0.0.0/0", 53, 3)};

  struct expectation {
    const char* packet;
    action expected;
  };
  const expectation cases[] = {
      {"inbound tcp 203.0.113.7 22", action::accept},    // rule 1
      {"inbound tcp 198.51.100.1 22", action::drop},     // rule 2
      {"inbound udp 198.51.100.1 53", action::accept},   // rule 3
      {"inbound tcp 198.51.100.1 80", action::drop},     // inbound default policy
      {"outbound tcp 198.51.100.1 25", action::drop},    // default SMTP rule
      {"outbound tcp 198.51.100.1 443", action::accept}  // outbound default policy
  };

  const secgroup::compiled_group compiled(g);
  int failures = 0;
  for (const auto& c : cases) {
    const auto p = secgroup::parse_packet(c.packet);
    const auto reference = secgroup::evaluate_reference(g, p).action;
    const auto fast = compiled.evaluate(p).action;
    if (reference != c.expected || fast != c.expected) {
      std::fprintf(stderr, "%s: expected %s, reference says %s, compiled says %s\n", c.packet,
                   std::string(to_string(c.expected)).c_str(),
                   std::string(to_string(reference)).c_str(),
                   std::string(to_string(fast)).c_str());
      ++failures;
    }
  }

#if SECGROUP_HAS_Z3
  z3::context ctx;
  z3::solver solver(ctx);
  const z3::expr port = ctx.bv_const("port", 16);
  solver.add(port == ctx.bv_val(22, 16));
  if (solver.check() != z3::sat) {
    std::fprintf(stderr, "z3: a satisfiable formula was not solved\n");
    ++failures;
  }
#endif
#if SECGROUP_HAS_SERVER
  httplib::Server server;
  server.Get("/", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
  if (!server.is_valid()) {
    std::fprintf(stderr, "httplib: server is not valid\n");
    ++failures;
  }
#endif

#if SECGROUP_HAS_YAML
  if (secgroup::yaml::parse_json("a: [1, two]\n", "consumer.yaml") !=
      secgroup::json{{"a", {1, "two"}}}) {
    std::fprintf(stderr, "yaml: a document was not read\n");
    ++failures;
  }
#endif
#if SECGROUP_HAS_CLIENT
  if (secgroup::client::parse_api_source("api:fr-par-1").zones.size() != 1 ||
      secgroup::client::default_user_agent().rfind("secgroup/", 0) != 0) {
    std::fprintf(stderr, "client: the api: syntax or the User-Agent is wrong\n");
    ++failures;
  }
#endif

  std::printf("secgroup %s consumer: %d failure(s)\n", secgroup::version_string, failures);
  return failures == 0 ? 0 : 1;
}
