// bench/dpdk/acl_peer.hpp: DPDK's ACL library (rte_acl) as a benchmark peer, behind an interface
// without DPDK types.
//
// acl_peer.cpp is the only file that includes DPDK's headers: it compiles with the flags of
// pkg-config's libdpdk (which set -march and other options) into its own library, so that they
// never reach the code of secgroup being measured beside it. Built only when pkg-config finds
// libdpdk (Debian's libdpdk-dev); SECGROUP_BENCH_DPDK is then defined for the benchmarks.
//
// Rules and packets have the three fields of a security group's inbound rule: protocol, one
// IPv4 remote address, one destination port. The mapping (spec/performance.md §3): protocol is
// a BITMASK field (mask 0 = any protocol), the address a MASK field (prefix length), the port
// a RANGE field; priority falls with the rule's index so that the first matching rule wins,
// as in a security group; userdata is the caller's rule number + 1 (0 means no match).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace secgroup_bench::dpdk {

/// One rule, fields in host byte order.
struct acl_rule {
  std::uint8_t protocol = 0;    ///< IANA protocol number (6 TCP, 17 UDP, 1 ICMP)
  bool any_protocol = false;    ///< matches every protocol
  std::uint32_t address = 0;    ///< network address
  std::uint8_t prefix = 0;      ///< prefix length, 0..32
  std::uint16_t port_from = 0;  ///< destination port range, inclusive
  std::uint16_t port_to = 65535;
  std::uint32_t number = 0;  ///< what classify() returns for a packet this rule decides
};

/// One packet as rte_acl reads it: bytes in network order at fixed offsets.
struct acl_packet {
  std::uint8_t bytes[12] = {};
};

/// Returns the packet bytes of (protocol, remote address, destination port), host order given.
acl_packet make_packet(std::uint8_t protocol, std::uint32_t address, std::uint16_t port);

/// The classify methods of DPDK's ACL on x86.
enum class method { scalar, sse, avx2, avx512x16, avx512x32 };

/// "scalar", "sse", "avx2", "avx512x16", "avx512x32".
const char* to_string(method m);

/// Initialises DPDK's EAL once per process, without hugepages, devices or shared files
/// (`--no-huge --no-pci -m 256 --no-shconf -l 0`), the 512-bit SIMD paths allowed. Returns
/// false (with the reason in `why`) when EAL cannot start here; later calls return the same.
bool start_eal(std::string& why);

/// An rte_acl context built from rules. Requires start_eal().
class acl {
 public:
  /// Builds the context from `rules` (at most 2^29 - 1). Throws std::runtime_error when DPDK
  /// refuses them or cannot build.
  explicit acl(const std::vector<acl_rule>& rules);
  ~acl();
  acl(const acl&) = delete;
  acl& operator=(const acl&) = delete;

  /// True iff this CPU and EAL allow `m`.
  bool supports(method m) const;
  /// Classifies `n` packets with the method rte_acl_classify picks by default:
  /// results[i] = the deciding rule's number + 1, 0 when none matches.
  void classify(const acl_packet* const* packets, std::uint32_t* results, std::uint32_t n) const;
  /// The same with method `m` (supports(m) required).
  void classify(const acl_packet* const* packets, std::uint32_t* results, std::uint32_t n,
                method m) const;
  /// The runtime memory of the built context in bytes, as rte_acl_build logs it (0 if unknown).
  std::size_t memory() const { return memory_; }

 private:
  struct context;
  std::unique_ptr<context> ctx_;
  std::size_t memory_ = 0;
};

}  // namespace secgroup_bench::dpdk
