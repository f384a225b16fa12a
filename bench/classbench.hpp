// bench/classbench.hpp: ClassBench filter sets and traces as security groups and packets,
// and a small ClassBench-style generator of groups and traces, for benchmarks. Benchmark
// tooling, not part of the library: it is not installed, and only the benchmarks and the tests
// (tests/core/classbench.test.cpp, the Z3 limits test) include it.
//
// Reading. read_filters() and read_trace() take the text formats of the ClassBench tools
// (shared/data/classbench/README.md):
//   filter: "@SRC/LEN DST/LEN SP_LO : SP_HI DP_LO : DP_HI 0xPROTO/0xMASK [0xFLAGS/0xMASK]"
//   trace:  "SRC DST SPORT DPORT PROTO [COL6] FILTER" (addresses as unsigned 32-bit decimals)
// Blank lines are skipped. A malformed line throws parse_error whose field is "NAME:LINE"
// (the path, or the name given with a stream): secgroup.parse.109 for a line of the wrong shape,
// .102 for a CIDR, .107 for a number, .108 for a trace line of the wrong shape.
//
// Projection. A ClassBench filter has two CIDRs and two port ranges; a security-group rule has
// one remote CIDR and one destination port range. to_group() maps filter i to one inbound rule:
//   - ip_range = the destination CIDR, and to_packet() takes the trace's destination address as
//     the packet's remote. The pairing only has to be consistent (both evaluators see the same
//     group); dst is kept because its prefixes are the more specific ones in the fw sets (src is
//     a wildcard in a third of fw1 filters) and keep more distinct rules after projection in
//     five of the seven bundled sets, so the projected group is the harder one to compile;
//   - ports = the destination range; 0:65535 becomes "all ports" (unset). The API has ports
//     1..65535, so a range lo = 0 < hi becomes 1..hi (a packet to port 0 then misses the rule:
//     counted in port_zero_clamped; none of the bundled sets has such a range), and 0:0
//     becomes port 1 (same counter);
//   - protocol 0x00/0x00 → ANY, 6 → TCP, 17 → UDP, 1 → ICMP. Any other exact protocol (GRE 47,
//     ESP 50, AH 51, EIGRP 88 in the bundled sets) cannot be written as a rule: such filters are
//     skipped and counted (widening them to ANY would shadow every later rule they overlap).
//     Ports of ICMP and ANY rules are dropped, as the API does (counted in ports_dropped);
//   - action accept for an even filter index, drop for an odd one (ClassBench has no action
//     column; alternating actions keep every rule able to change a decision);
//   - positions 1..N in file order, enable_default_security false, default policies drop.
//
// Generation. generate_group() imitates, qualitatively, the statistics of ClassBench's acl, fw
// and ipc seeds (no ClassBench code or data is used): prefix lengths with many /32 and /31, some
// short prefixes and wildcards; ports that are a wildcard, an exact well-known or application
// port, 1024-65535, or a short range from a small per-group pool (so a group has a few dozen
// distinct port ranges, as ClassBench sets do); protocols TCP, UDP, ICMP and ANY in
// per-profile mixes. Rules are ordered by decreasing specificity plus noise (ClassBench puts
// wildcards last), which makes a packet's first match lie about halfway down the list.
// Addresses cluster in "sites" (random bases, a few chosen often), so prefixes nest and overlap
// as in real lists, and a per-profile share of the rules reuses the network of an earlier rule
// (ClassBench sets repeat destination prefixes a lot); /31 and /32 rules rarely have wildcard
// ports (the port draw is repeated once). An optional share of the rules is IPv6 (host bits
// doubled: /32 → /128, /24 → /112). A rule that duplicates an earlier one is redrawn (network and
// ports). generate_trace() picks packets inside the box of a uniformly chosen rule, plus a share of
// uniform random packets. Both are deterministic functions of their seed on every platform
// (splitmix64, no std distributions).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_set>
#include <vector>

#include <secgroup/address.hpp>
#include <secgroup/config.hpp>
#include <secgroup/error.hpp>
#include <secgroup/packet.hpp>
#include <secgroup/port_range.hpp>
#include <secgroup/protocol.hpp>
#include <secgroup/rule.hpp>
#include <secgroup/security_group.hpp>

SECGROUP_BEGIN_NAMESPACE
namespace classbench {

/// An inclusive port range of a filter, 0..65535.
struct port_interval {
  std::uint16_t lo = 0;
  std::uint16_t hi = 65535;
  friend constexpr bool operator==(const port_interval&, const port_interval&) = default;
};

/// One line of a ClassBench filter set.
struct filter {
  ip_network source;
  ip_network destination;
  port_interval source_ports;
  port_interval destination_ports;
  std::uint8_t protocol = 0;
  std::uint8_t protocol_mask = 0;  ///< 0x00: any protocol; 0xff: exactly `protocol`
  std::uint16_t flags = 0;
  std::uint16_t flags_mask = 0;
  friend constexpr bool operator==(const filter&, const filter&) = default;
};

/// One line of a ClassBench trace.
struct trace_entry {
  std::uint32_t source = 0;
  std::uint32_t destination = 0;
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint8_t protocol = 0;
  std::uint32_t extra = 0;              ///< column 6 of the generator variant; unused
  std::uint32_t generating_filter = 0;  ///< the filter that generated it, NOT its first match
  friend constexpr bool operator==(const trace_entry&, const trace_entry&) = default;
};

// -- Reading --------------------------------------------------------------------------------
namespace detail {

/// Splits a line on blanks; ':' is a word of its own, so "0:65535" reads as "0 : 65535".
inline std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
    } else if (c == ':') {
      out.push_back(line.substr(i++, 1));
    } else {
      auto end = line.find_first_of(" \t\r\n:", i);
      if (end == std::string_view::npos) end = line.size();
      out.push_back(line.substr(i, end - i));
      i = end;
    }
  }
  return out;
}

/// Parses an unsigned number of `base` no larger than `max`.
inline std::optional<std::uint64_t> number(std::string_view s, std::uint64_t max, int base = 10) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

inline std::uint64_t number_or_throw(std::string_view s, std::uint64_t max, const char* what,
                                     const std::string& where) {
  if (auto v = number(s, max)) return *v;
  SECGROUP_THROW(parse_error(errc::bad_number, where,
                             "invalid " + std::string(what) + " " + secgroup::detail::quoted(s) +
                                 " (expected a decimal 0.." + std::to_string(max) + ")"));
}

/// Parses "0xVV/0xMM" with both values at most `max`.
inline std::pair<std::uint64_t, std::uint64_t> masked_hex(std::string_view s, std::uint64_t max,
                                                          const char* what,
                                                          const std::string& where) {
  auto hex = [&](std::string_view h) -> std::optional<std::uint64_t> {
    if (h.size() < 3 || h[0] != '0' || (h[1] != 'x' && h[1] != 'X')) return std::nullopt;
    return number(h.substr(2), max, 16);
  };
  auto slash = s.find('/');
  auto value = hex(s.substr(0, slash));
  auto mask = slash == std::string_view::npos ? std::nullopt : hex(s.substr(slash + 1));
  if (!value || !mask)
    SECGROUP_THROW(parse_error(errc::bad_number, where,
                               "invalid " + std::string(what) + " " + secgroup::detail::quoted(s) +
                                   " (expected 0xVALUE/0xMASK, at most 0x" +
                                   (max == 0xff ? "FF" : "FFFF") + ")"));
  return {*value, *mask};
}

inline port_interval ports_or_throw(std::string_view lo, std::string_view hi, const char* what,
                                    const std::string& where) {
  auto l = number_or_throw(lo, 65535, what, where);
  auto h = number_or_throw(hi, 65535, what, where);
  if (h < l)
    SECGROUP_THROW(parse_error(errc::bad_number, where,
                               std::string(what) + " range " + std::to_string(l) + " : " +
                                   std::to_string(h) + " ends before it starts"));
  return {static_cast<std::uint16_t>(l), static_cast<std::uint16_t>(h)};
}

inline ip_network ipv4_cidr_or_throw(std::string_view text, const char* what,
                                     const std::string& where) {
  const char* why = "";
  auto n = try_parse_network(text, &why);
  if (n && n->af() != family::v4) why = "ClassBench sets are IPv4";
  if (n && text.find('/') == std::string_view::npos) why = "a prefix length is required";
  if (!n || n->af() != family::v4 || text.find('/') == std::string_view::npos)
    SECGROUP_THROW(parse_error(
        errc::bad_cidr, where,
        "invalid " + std::string(what) + " CIDR " + secgroup::detail::quoted(text) + ": " + why));
  return *n;
}

/// Calls `f(line, where)` for every non-blank line of `in`; `where` is "name:line".
template <class F>
void for_each_line(std::istream& in, const std::string& name, F&& f) {
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number)
    if (!secgroup::detail::trim(line).empty())
      f(std::string_view(line), name + ":" + std::to_string(number));
  if (in.bad()) SECGROUP_THROW(parse_error(errc::bad_file, name, "cannot read file: I/O error"));
}

inline std::ifstream open_or_throw(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    SECGROUP_THROW(parse_error(errc::bad_file, path.string(), "cannot read file: is a directory"));
  std::ifstream in(path);
  if (!in)
    SECGROUP_THROW(parse_error(errc::bad_file, path.string(),
                               std::filesystem::exists(path, ec)
                                   ? "cannot read file: permission denied or I/O error"
                                   : "cannot read file: no such file"));
  return in;
}

}  // namespace detail

/// Parses one filter line; throws parse_error naming `where`.
inline filter parse_filter(std::string_view line, const std::string& where = "") {
  auto w = detail::words(line);
  if ((w.size() != 9 && w.size() != 10) || w[0].empty() || w[0][0] != '@' || w[3] != ":" ||
      w[6] != ":")
    SECGROUP_THROW(parse_error(
        errc::bad_file, where,
        "expected '@SRC/LEN DST/LEN SP_LO : SP_HI DP_LO : DP_HI 0xPROTO/0xMASK [0xFLAGS/0xMASK]'"));
  filter f;
  f.source = detail::ipv4_cidr_or_throw(w[0].substr(1), "source", where);
  f.destination = detail::ipv4_cidr_or_throw(w[1], "destination", where);
  f.source_ports = detail::ports_or_throw(w[2], w[4], "source port", where);
  f.destination_ports = detail::ports_or_throw(w[5], w[7], "destination port", where);
  auto [proto, proto_mask] = detail::masked_hex(w[8], 0xff, "protocol", where);
  f.protocol = static_cast<std::uint8_t>(proto);
  f.protocol_mask = static_cast<std::uint8_t>(proto_mask);
  if (w.size() == 10) {
    auto [flags, flags_mask] = detail::masked_hex(w[9], 0xffff, "flags", where);
    f.flags = static_cast<std::uint16_t>(flags);
    f.flags_mask = static_cast<std::uint16_t>(flags_mask);
  }
  return f;
}

/// Parses one trace line; throws parse_error naming `where`.
inline trace_entry parse_trace_entry(std::string_view line, const std::string& where = "") {
  auto w = detail::words(line);
  if (w.size() != 6 && w.size() != 7)
    SECGROUP_THROW(parse_error(errc::bad_packet, where,
                               "expected 'SRC DST SPORT DPORT PROTO [COL6] FILTER', got " +
                                   std::to_string(w.size()) + " words"));
  constexpr std::uint64_t u32 = 0xffffffffu;
  trace_entry e;
  e.source =
      static_cast<std::uint32_t>(detail::number_or_throw(w[0], u32, "source address", where));
  e.destination =
      static_cast<std::uint32_t>(detail::number_or_throw(w[1], u32, "destination address", where));
  e.source_port =
      static_cast<std::uint16_t>(detail::number_or_throw(w[2], 65535, "source port", where));
  e.destination_port =
      static_cast<std::uint16_t>(detail::number_or_throw(w[3], 65535, "destination port", where));
  e.protocol = static_cast<std::uint8_t>(detail::number_or_throw(w[4], 255, "protocol", where));
  if (w.size() == 7)
    e.extra = static_cast<std::uint32_t>(detail::number_or_throw(w[5], u32, "column 6", where));
  e.generating_filter =
      static_cast<std::uint32_t>(detail::number_or_throw(w.back(), u32, "filter index", where));
  return e;
}

/// Reads a filter set from `in`; error fields are "name:line".
inline std::vector<filter> read_filters(std::istream& in, const std::string& name = "filters") {
  std::vector<filter> out;
  detail::for_each_line(in, name, [&](std::string_view line, const std::string& where) {
    out.push_back(parse_filter(line, where));
  });
  return out;
}

/// Reads the filter set at `path`; error fields are "path:line", or the path if unreadable.
inline std::vector<filter> read_filters(const std::filesystem::path& path) {
  auto in = detail::open_or_throw(path);
  return read_filters(in, path.string());
}

/// Reads a trace from `in`; error fields are "name:line".
inline std::vector<trace_entry> read_trace(std::istream& in, const std::string& name = "trace") {
  std::vector<trace_entry> out;
  detail::for_each_line(in, name, [&](std::string_view line, const std::string& where) {
    out.push_back(parse_trace_entry(line, where));
  });
  return out;
}

/// Reads the trace at `path`; error fields are "path:line", or the path if unreadable.
inline std::vector<trace_entry> read_trace(const std::filesystem::path& path) {
  auto in = detail::open_or_throw(path);
  return read_trace(in, path.string());
}

// -- Projection onto a security group -------------------------------------------------------

/// What the projection changed or left out.
struct projection_stats {
  std::size_t skipped_protocol = 0;   ///< filters on a protocol the API cannot express
  std::size_t ports_dropped = 0;      ///< ICMP/ANY filters whose port range was dropped
  std::size_t port_zero_clamped = 0;  ///< destination ranges starting at 0 moved to start at 1
};

/// A filter set as a group: `filter_index[k]` is the filter of group.rules[k].
struct projection {
  security_group group;
  std::vector<std::uint32_t> filter_index;
  projection_stats stats;
};

/// Returns the SG protocol of a filter, or nullopt when no rule protocol expresses it.
inline std::optional<protocol> protocol_of(const filter& f) {
  if (f.protocol_mask == 0) return protocol::any;
  if (f.protocol_mask != 0xff) return std::nullopt;
  switch (f.protocol) {
    case ip_proto::tcp:
      return protocol::tcp;
    case ip_proto::udp:
      return protocol::udp;
    case ip_proto::icmp:
      return protocol::icmp;
    default:
      return std::nullopt;
  }
}

/// Returns the inbound group of `filters` as described in the header comment.
inline projection to_group(const std::vector<filter>& filters,
                           const std::string& name = "classbench") {
  projection p;
  p.group.name = name;
  p.group.enable_default_security = false;
  p.group.inbound_default_policy = action::drop;
  p.group.outbound_default_policy = action::drop;
  for (std::uint32_t i = 0; i < filters.size(); ++i) {
    const auto& f = filters[i];
    auto proto = protocol_of(f);
    if (!proto) {
      ++p.stats.skipped_protocol;
      continue;
    }
    rule r;
    r.protocol = *proto;
    r.direction = direction::inbound;
    r.action = i % 2 == 0 ? action::accept : action::drop;
    r.ip_range = f.destination;
    auto ports = f.destination_ports;
    if (!(ports.lo == 0 && ports.hi == 65535)) {
      if (*proto == protocol::icmp || *proto == protocol::any) {
        ++p.stats.ports_dropped;
      } else {
        if (ports.lo == 0) ++p.stats.port_zero_clamped;
        std::uint16_t from = ports.lo == 0 ? 1 : ports.lo;
        r.ports = port_range{from, std::max(from, ports.hi)};
      }
    }
    r.position = static_cast<std::uint32_t>(p.group.rules.size() + 1);
    p.group.rules.push_back(std::move(r));
    p.filter_index.push_back(i);
  }
  return p;
}

/// Returns the inbound packet of a trace line: remote = destination address, port = dport.
inline packet to_packet(const trace_entry& e) {
  return {direction::inbound, e.protocol, ip_address::v4(e.destination), e.destination_port};
}

/// Returns the packets of a trace, in order.
inline std::vector<packet> to_packets(const std::vector<trace_entry>& trace) {
  std::vector<packet> out;
  out.reserve(trace.size());
  for (const auto& e : trace) out.push_back(to_packet(e));
  return out;
}

// -- Generation -----------------------------------------------------------------------------

/// The ClassBench seed family a generated group imitates.
enum class profile : std::uint8_t { acl, fw, ipc };

constexpr std::string_view to_string(profile p) {
  return p == profile::acl ? "acl" : p == profile::fw ? "fw" : "ipc";
}

namespace detail {

/// splitmix64: a tiny generator whose output is the same on every platform.
struct rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  /// A number in [0, n) (modulo reduction; the bias is below 2^-40 for the n used here).
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  /// A number in [lo, hi].
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) { return lo + below(hi - lo + 1); }
  /// A number in [0, n), small ones favoured (density falling like 1/sqrt).
  std::size_t skewed(std::size_t n) {
    std::uint64_t a = below(1u << 20);
    return static_cast<std::size_t>(((a * a) >> 20) * n >> 20);
  }
  /// True with probability percent / 100.
  bool chance(unsigned percent) { return below(100) < percent; }
  /// The index of a bucket drawn with the given weights.
  template <std::size_t N>
  std::size_t weighted(const std::array<unsigned, N>& w) {
    unsigned total = 0;
    for (auto x : w) total += x;
    auto r = below(total);
    for (std::size_t i = 0; i < N; ++i) {
      if (r < w[i]) return i;
      r -= w[i];
    }
    return N - 1;
  }
};

/// Per-profile weights, in percent.
struct profile_weights {
  // prefix lengths: /32, /31, /24../30, /16../23, /1../15, /0
  std::array<unsigned, 6> prefix;
  // ports: any, well-known exact, application exact, 1024-65535, short range
  std::array<unsigned, 5> ports;
  // protocols: TCP, UDP, ICMP, ANY
  std::array<unsigned, 4> protocols;
  // percent of rules that reuse a network of an earlier rule (ClassBench sets repeat prefixes:
  // acl1_10k has 126 distinct destination prefixes for 9761 filters, fw1_10k 6638 for 9416)
  unsigned reuse;
};

constexpr profile_weights weights_of(profile p) {
  switch (p) {
    case profile::acl:
      return {{45, 18, 17, 14, 2, 4}, {27, 25, 38, 4, 6}, {85, 3, 4, 8}, 85};
    case profile::fw:
      return {{32, 22, 10, 6, 12, 18}, {30, 42, 18, 5, 5}, {57, 34, 4, 5}, 30};
    case profile::ipc:
      return {{26, 11, 33, 18, 2, 10}, {56, 22, 12, 5, 5}, {28, 38, 2, 32}, 85};
  }
  return {};
}

inline constexpr std::array<std::uint16_t, 24> well_known_ports{
    20,  21,  22,  23,  25,  53,  67,  69,  80,  110, 123, 135,
    137, 139, 143, 161, 389, 443, 445, 514, 636, 993, 995, 1723};
inline constexpr std::array<std::uint16_t, 16> application_ports{1221, 1433, 1521, 1525, 1526, 2049,
                                                                 3306, 3389, 5060, 5432, 6379, 8080,
                                                                 8443, 9003, 9200, 14753};

/// An address "site": a random base whose low `spread` bits vary between its rules.
struct site {
  ip_address base;
  unsigned spread;
};

/// Host bits of a rule drawn from the prefix bucket, for IPv4 (32 - prefix).
inline unsigned host_bits_v4(rng& r, std::size_t bucket) {
  switch (bucket) {
    case 0:
      return 0;
    case 1:
      return 1;
    case 2:
      return static_cast<unsigned>(r.between(2, 8));
    case 3:
      return static_cast<unsigned>(r.between(9, 16));
    case 4:
      return static_cast<unsigned>(r.between(17, 31));
    default:
      return 32;
  }
}

inline secgroup::detail::uint128 random_bits(rng& r, unsigned bits) {
  secgroup::detail::uint128 v{r.next(), r.next()};
  return bits == 0 ? secgroup::detail::uint128{} : v >> (128 - bits);
}

inline std::vector<site> make_sites(rng& r, std::size_t count, family af) {
  std::vector<site> out;
  for (std::size_t i = 0; i < count; ++i) {
    site s;
    if (af == family::v4) {
      s.base = ip_address::v4(static_cast<std::uint32_t>(r.next()));
      s.spread = static_cast<unsigned>(r.between(4, 16));
    } else {  // inside 2000::/3
      auto v = random_bits(r, 125) | (secgroup::detail::uint128{1} << 125);
      s.base = ip_address::v6(v);
      s.spread = static_cast<unsigned>(r.between(8, 32));
    }
    out.push_back(s);
  }
  return out;
}

/// A network of `host` host bits (IPv4 count; doubled for IPv6) in a skewed choice of site.
inline ip_network draw_network(rng& r, const std::vector<site>& sites, unsigned host) {
  const auto& s = sites[r.skewed(sites.size())];
  const family af = s.base.af;
  const unsigned bits = address_bits(af);
  if (af == family::v6) host = host == 32 ? 128 : host * 2;
  return ip_network::of({af, s.base.value ^ random_bits(r, std::min(s.spread, bits))}, bits - host);
}

/// The short port ranges of a group: a few fixed ones seen in real lists, and `random` random
/// ones drawn once, so that a group has few distinct ranges, as ClassBench sets do (27 to 54
/// distinct destination ranges in the 10K sets).
inline std::vector<port_range> range_pool(rng& r, std::size_t random) {
  std::vector<port_range> out{{1, 1023},    {20, 21},     {137, 139},     {5060, 5061},
                              {6000, 6063}, {8000, 8999}, {33434, 33600}, {49152, 65535}};
  for (std::size_t i = 0; i < random; ++i) {
    auto from = static_cast<std::uint16_t>(r.between(1, 60000));
    out.push_back({from, static_cast<std::uint16_t>(from + r.between(1, 1u << r.between(1, 12)))});
  }
  return out;
}

inline std::optional<port_range> draw_ports(rng& r, std::size_t bucket,
                                            const std::vector<port_range>& ranges) {
  switch (bucket) {
    case 0:
      return std::nullopt;
    case 1: {
      auto p = well_known_ports[r.below(well_known_ports.size())];
      return port_range{p, p};
    }
    case 2: {
      auto p = application_ports[r.below(application_ports.size())];
      return port_range{p, p};
    }
    case 3:
      return port_range{1024, 65535};
    default:
      return ranges[r.below(ranges.size())];
  }
}

/// How narrow a rule is, in hundredths, 0..4400: the prefix length scaled to 32 bits, plus up
/// to 800 for the ports and 400 for an exact protocol. Integer arithmetic, so the order is the
/// same on every platform.
inline std::uint32_t specificity(const rule& x) {
  std::uint32_t s = 3200u * x.ip_range.prefix / address_bits(x.ip_range.af());
  if (x.has_ports()) {
    auto width_bits = static_cast<std::uint32_t>(
        std::bit_width(static_cast<unsigned>(x.ports->to - x.ports->from)));
    s += width_bits >= 16 ? 0 : 800 - 50 * width_bits;
  }
  return s + (x.protocol == protocol::any ? 0 : 400);
}

}  // namespace detail

/// Returns an inbound group of `n` rules imitating ClassBench profile `p`, deterministic in
/// `seed`; `ipv6_percent` of the rules (0..100) are IPv6. Rules are ordered by decreasing
/// specificity plus noise, as ClassBench orders filters; actions alternate accept/drop by index,
/// positions are 1..n, enable_default_security is false and the default policies drop.
inline security_group generate_group(std::size_t n, std::uint64_t seed, profile p,
                                     unsigned ipv6_percent = 0) {
  detail::rng r{seed ^ 0x5ec6'0c1a'55be'0c4bull};
  const auto w = detail::weights_of(p);
  const std::size_t site_count = std::max<std::size_t>(4, n / 16);
  const auto v4_sites = detail::make_sites(r, site_count, family::v4);
  const auto v6_sites = detail::make_sites(r, site_count, family::v6);
  const auto ranges = detail::range_pool(r, 4 + n / 1000);

  security_group g;
  g.name = "generated-" + std::string(to_string(p)) + "-" + std::to_string(n);
  g.enable_default_security = false;
  g.inbound_default_policy = action::drop;
  g.outbound_default_policy = action::drop;
  std::unordered_set<std::string> seen;
  std::array<std::vector<ip_network>, 2> used;        // networks drawn so far: IPv4, IPv6
  std::vector<std::pair<std::uint32_t, rule>> drawn;  // (specificity with noise, rule)
  for (std::size_t i = 0; i < n; ++i) {
    rule x;
    x.protocol = std::array{protocol::tcp, protocol::udp, protocol::icmp,
                            protocol::any}[r.weighted(w.protocols)];
    for (int attempt = 0; attempt < 8; ++attempt) {  // a duplicate redraws network and ports
      const bool v6 = r.chance(ipv6_percent);
      auto& pool = used[v6 ? 1 : 0];
      if (!pool.empty() && r.chance(w.reuse)) {
        x.ip_range = pool[r.skewed(pool.size())];
      } else {
        x.ip_range = detail::draw_network(r, v6 ? v6_sites : v4_sites,
                                          detail::host_bits_v4(r, r.weighted(w.prefix)));
        pool.push_back(x.ip_range);
      }
      x.ports = detail::draw_ports(r, r.weighted(w.ports), ranges);
      const bool host = x.ip_range.prefix + 1u >= address_bits(x.ip_range.af());
      if (!x.ports && host)  // hosts rarely have wildcard ports: draw again once
        x.ports = detail::draw_ports(r, r.weighted(w.ports), ranges);
      x = normalize(x);
      if (seen.insert(to_string(x)).second) break;
    }
    drawn.emplace_back(detail::specificity(x) + static_cast<std::uint32_t>(r.below(1200)),
                       std::move(x));
  }
  std::stable_sort(drawn.begin(), drawn.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t i = 0; i < n; ++i) {
    auto& x = drawn[i].second;
    x.action = i % 2 == 0 ? action::accept : action::drop;
    x.position = static_cast<std::uint32_t>(i + 1);
    g.rules.push_back(std::move(x));
  }
  return g;
}

/// Returns `count` inbound packets for group `g`, deterministic in `seed`: `random_percent` of
/// them uniform (address of a family the group uses, protocol, port), the others inside the box
/// of a uniformly chosen inbound rule (an ANY rule gets TCP, UDP, ICMP or GRE packets).
inline std::vector<packet> generate_trace(const security_group& g, std::size_t count,
                                          std::uint64_t seed, unsigned random_percent = 10) {
  detail::rng r{seed ^ 0x7ace'7ace'0bad'cafeull};
  std::vector<rule> rules;
  std::size_t v6 = 0;
  for (const auto& x : ordered_rules(g))
    if (x.direction == direction::inbound) {
      rules.push_back(x);
      v6 += x.ip_range.af() == family::v6;
    }
  auto icmp_of = [](family af) { return af == family::v4 ? ip_proto::icmp : ip_proto::icmpv6; };
  auto any_protocol = [&](family af) -> std::uint8_t {
    return std::array<std::uint8_t, 4>{ip_proto::tcp, ip_proto::udp, icmp_of(af),
                                       47}[r.weighted(std::array<unsigned, 4>{50, 30, 10, 10})];
  };
  auto any_port = [&]() -> std::uint16_t {
    return r.chance(50) ? detail::well_known_ports[r.below(detail::well_known_ports.size())]
                        : static_cast<std::uint16_t>(r.below(65536));
  };
  std::vector<packet> out;
  out.reserve(count);
  for (std::size_t k = 0; k < count; ++k) {
    packet p;
    p.direction = direction::inbound;
    if (rules.empty() || r.chance(random_percent)) {
      family af = !rules.empty() && r.below(rules.size()) < v6 ? family::v6 : family::v4;
      p.remote = {af, detail::random_bits(r, address_bits(af))};
      p.protocol = any_protocol(af);
      p.port = static_cast<std::uint16_t>(r.below(65536));
    } else {
      const auto& x = rules[r.below(rules.size())];
      const auto& net = x.ip_range;
      p.remote = {net.af(), net.address.value | (detail::random_bits(r, 128) & net.host_mask())};
      switch (x.protocol) {
        case protocol::tcp:
          p.protocol = ip_proto::tcp;
          break;
        case protocol::udp:
          p.protocol = ip_proto::udp;
          break;
        case protocol::icmp:
          p.protocol = icmp_of(net.af());
          break;
        case protocol::any:
          p.protocol = any_protocol(net.af());
          break;
      }
      p.port = x.has_ports() ? static_cast<std::uint16_t>(r.between(x.ports->from, x.ports->to))
                             : any_port();
    }
    out.push_back(p);
  }
  return out;
}

}  // namespace classbench
SECGROUP_END_NAMESPACE
