// secgroup/analysis/witness.hpp: readable witness packets for regions of the header space.
//
// Every analysis that answers "there is such a packet" names one, and people read them, so the
// choice follows Batfish's preference lists: TCP before UDP before ICMP before other protocols
// (GRE stands for those), a well-known port when the region has one (80, 443, 22, ...), and a
// well-known public address or the first host of the largest whole prefix inside the region.
// Among several candidate regions, witness_rank() orders them by the same preferences.
#pragma once

#include <array>
#include <cstdint>
#include <tuple>

#include "../config.hpp"
#include "../lower.hpp"
#include "../packet.hpp"
#include "../space.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace analysis {

/// Ports a witness prefers, best first.
inline constexpr std::array<std::uint32_t, 10> preferred_ports{80,   443,  22,  53,   25,
                                                               3389, 8080, 123, 5432, 3306};

/// The protocol number standing for the OTHER class in witnesses (GRE).
inline constexpr std::uint8_t other_protocol_witness = 47;

/// Returns the most readable port of `ports`: a preferred port, else the first port but 0.
template <class S>
typename S::port_type witness_port(const interval<typename S::port_type>& ports) {
  for (auto p : preferred_ports)
    if (p <= S::max_port && ports.contains(p)) return p;
  return ports.lo == 0 && ports.hi > 0 ? 1 : ports.lo;
}

/// Returns the most readable address of `a`: a well-known public address (8.8.8.8, 1.1.1.1,
/// 2001:4860:4860::8888) when `a` holds one, else the first host of the largest whole prefix
/// (aligned power-of-two block) inside `a` — its first address when the block has under four.
template <class S>
typename S::address_type witness_address(const interval<typename S::address_type>& a) {
  using A = typename S::address_type;
  if constexpr (S::address_bits == 32) {
    for (A famous : {A{0x08080808u}, A{0x01010101u}})
      if (a.contains(famous)) return famous;
  } else if constexpr (S::address_bits == 128) {
    const A google{0x2001486048600000ull, 0x8888ull};
    if (a.contains(google)) return google;
  }
  for (unsigned k = S::address_bits + 1; k-- > 0;) {
    A start{};
    if (k == S::address_bits) {  // the whole axis
      if (!(a.lo == A{} && a.hi == S::max_address)) continue;
    } else {
      const A mask = (A{1} << k) - A{1};
      start = (a.lo & mask) == A{} ? a.lo : (a.lo | mask) + A{1};  // first aligned start >= lo
      if (start < a.lo || a.hi < start || a.hi - start < mask) continue;
    }
    return k >= 2 ? start + A{1} : start;
  }
  return a.lo;
}

/// Orders candidate regions by readability: smaller is better.
template <class S>
std::tuple<int, int> witness_rank(proto_class c, const interval<typename S::port_type>& ports) {
  int port_rank = static_cast<int>(preferred_ports.size());
  if (has_ports(c))
    for (std::size_t i = 0; i < preferred_ports.size(); ++i)
      if (preferred_ports[i] <= S::max_port && ports.contains(preferred_ports[i])) {
        port_rank = static_cast<int>(i);
        break;
      }
  return {static_cast<int>(c), port_rank};
}

/// Returns the most readable point of the box (class `c`, addresses `a`, ports `p`).
template <class S>
point<S> witness_point(proto_class c, const interval<typename S::address_type>& a,
                       const interval<typename S::port_type>& p) {
  return {c, witness_address<S>(a), has_ports(c) ? witness_port<S>(p) : 0u};
}

/// Returns the packet of point `x` seen in direction `d` by a group, for family `F`: TCP 6,
/// UDP 17, ICMP 1 (ICMPv6 58 for IPv6), OTHER as GRE 47.
template <family F>
packet to_packet(const point<space_of<F>>& x, direction d) {
  packet p;
  p.direction = d;
  if constexpr (F == family::v4)
    p.remote = ip_address::v4(x.address);
  else
    p.remote = ip_address::v6(x.address);
  switch (x.protocol) {
    case proto_class::tcp:
      p.protocol = ip_proto::tcp;
      break;
    case proto_class::udp:
      p.protocol = ip_proto::udp;
      break;
    case proto_class::icmp:
      p.protocol = F == family::v4 ? ip_proto::icmp : ip_proto::icmpv6;
      break;
    case proto_class::other:
      p.protocol = other_protocol_witness;
      break;
  }
  p.port = static_cast<std::uint16_t>(x.port);
  return p;
}

}  // namespace analysis
SECGROUP_END_NAMESPACE
