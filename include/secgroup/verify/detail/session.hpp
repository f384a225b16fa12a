// secgroup/verify/detail/session.hpp: a Z3 solver under the options' limits that says why a
// query ended unknown, the calling thread's Z3 context, and witness packets read from models
// and tidied (protocol replaced by its class's representative, port 0 without ports).
//
// This header is an implementation detail of secgroup::z3 (it includes <z3++.h>).
#pragma once

#include <z3++.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "../../analysis/witness.hpp"
#include "../../config.hpp"
#include "../../packet.hpp"
#include "../../protocol.hpp"
#include "../../space.hpp"
#include "../options.hpp"
#include "encode.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace verify::detail {

/// The Z3 context of the calling thread. Creating a context costs milliseconds, more than most
/// queries, so each thread keeps one; every call still owns its solver and its assertions.
inline z3::context& thread_context() {
  thread_local z3::context context;
  return context;
}

/// A solver with the options' limits, reporting why a query ended unknown. It is Z3's plain
/// incremental SMT solver: the default solver runs a tactic pipeline on every check without
/// assumptions, which costs far more than these small queries.
class session {
 public:
  session(z3::context& c, const options& o) : solver_(c, z3::solver::simple()), options_(o) {
    z3::params p(c);
    if (o.timeout_ms) p.set("timeout", static_cast<unsigned>(o.timeout_ms));
    if (o.resource_limit) p.set("rlimit", static_cast<unsigned>(o.resource_limit));
    solver_.set(p);
  }

  z3::solver& solver() { return solver_; }

  /// Checks the assertions under `assumptions` (literals); on unknown, reason() says why.
  z3::check_result check(const std::vector<z3::expr>& assumptions = {}) {
    z3::expr_vector v(solver_.ctx());
    for (const auto& a : assumptions) v.push_back(a);
    const auto start = std::chrono::steady_clock::now();
    auto r = v.empty() ? solver_.check() : solver_.check(v);
    if (r == z3::unknown)
      reason_ = explain_unknown(solver_.reason_unknown(), std::chrono::steady_clock::now() - start);
    return r;
  }

  /// Why the last unknown query ended.
  const std::string& reason() const { return reason_; }

 private:
  // NOTE: Z3 reports both limits as "canceled" on checks with assumptions, so the elapsed time
  // tells them apart.
  std::string explain_unknown(const std::string& z3_reason,
                              std::chrono::steady_clock::duration elapsed) const {
    const bool stopped = z3_reason == "canceled" ||
                         z3_reason.find("timeout") != std::string::npos ||
                         z3_reason.find("resource") != std::string::npos;
    if (stopped && options_.timeout_ms &&
        elapsed >= std::chrono::milliseconds(options_.timeout_ms))
      return "timeout after " + std::to_string(options_.timeout_ms) + " ms";
    if (stopped && options_.resource_limit)
      return "resource limit of " + std::to_string(options_.resource_limit) + " exceeded";
    if (stopped && options_.timeout_ms)
      return "timeout after " + std::to_string(options_.timeout_ms) + " ms";
    return "z3: " + z3_reason;
  }

  z3::solver solver_;
  options options_;
  std::string reason_;
};

/// The protocol number standing for the class of `number` in witnesses.
inline std::uint8_t representative(std::uint8_t number, family af) {
  switch (class_of(number)) {
    case proto_class::tcp:
      return ip_proto::tcp;
    case proto_class::udp:
      return ip_proto::udp;
    case proto_class::icmp:
      return af == family::v4 ? ip_proto::icmp : ip_proto::icmpv6;
    case proto_class::other:
      break;
  }
  return analysis::other_protocol_witness;
}

/// A witness read from the model of the last satisfiable check (under `assumptions`), tidied:
/// its protocol becomes its class's representative and, without ports, its port 0. When the
/// question tells protocol numbers of a class apart (`exact`), the representative is checked
/// under the same assumptions and the protocol found is kept if it fails; otherwise rules,
/// query boxes and where expressions cannot tell the two packets apart (nothing reads the port
/// of a packet without ports), and `model` stays the one found.
struct witness {
  z3::model model;
  secgroup::packet packet;
};

/// Returns `x` with its class's representative protocol and, without ports, port 0.
inline packet tidy(packet x) {
  x.protocol = representative(x.protocol, x.remote.af);
  if (!secgroup::carries_ports(x.protocol)) x.port = 0;
  return x;
}

inline witness tidy(session& s, const packet_terms& p, const std::vector<z3::expr>& assumptions,
                    bool exact) {
  witness w{s.solver().get_model(), {}};
  w.packet = read_packet(w.model, p);
  const auto rep = representative(w.packet.protocol, w.packet.remote.af);
  const bool portless = !secgroup::carries_ports(rep);
  if (rep == w.packet.protocol && !(portless && w.packet.port != 0)) return w;
  if (!exact) {
    w.packet = tidy(w.packet);
    return w;
  }
  s.solver().push();
  s.solver().add(protocol_is(p, rep));
  if (s.check(assumptions) == z3::sat) {
    w.model = s.solver().get_model();
    w.packet = read_packet(w.model, p);
  }
  s.solver().pop();
  if (!secgroup::carries_ports(w.packet.protocol)) w.packet.port = 0;
  return w;
}

}  // namespace verify::detail
SECGROUP_END_NAMESPACE
