// fuzz/targets/where.hpp: target `where`, the where language parse_where()
// (secgroup/where.hpp).
//
// Any text is parsed or refused with a where_error (a parse_error). An expression that parses
// has a canonical text, to_string(), which parse_where() must read back to an equal tree (the
// contract of to_string in where.hpp); and matches() must be defined for it on any packet.
#pragma once

#include <secgroup/packet.hpp>
#include <secgroup/where.hpp>
#include <string>
#include <string_view>

#include "../fuzz_target.hpp"

namespace secgroup_fuzz {

inline void fuzz_where(std::string_view input) {
  secgroup::where_expr expr;
  if (!accepted([&] { expr = secgroup::parse_where(input); })) return;
  const std::string text = secgroup::to_string(expr);
  secgroup::where_expr again;
  must_accept("where: the canonical text does not parse: " + text,
              [&] { again = secgroup::parse_where(text); });
  if (!(again == expr)) finding("where: the canonical text reads back to another tree: " + text);
  static const secgroup::packet probes[] = {
      secgroup::parse_packet("inbound tcp 192.0.2.1 22"),
      secgroup::parse_packet("outbound icmp 2001:db8::1"),
  };
  for (const auto& p : probes) (void)secgroup::matches(expr, p);
}

}  // namespace secgroup_fuzz
