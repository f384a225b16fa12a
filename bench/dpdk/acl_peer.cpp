// bench/dpdk/acl_peer.cpp: the rte_acl peer (see acl_peer.hpp). The only file including DPDK.
#include "acl_peer.hpp"

#include <rte_acl.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace secgroup_bench::dpdk {
namespace {

// Byte offsets of the fields in acl_packet. rte_acl reads the first field as one byte and every
// later input index as 4 bytes: the address is one, the port and a padding range the other.
enum : std::uint32_t { protocol_offset = 0, address_offset = 4, port_offset = 8 };
enum field : std::uint8_t { protocol_field, address_field, port_field, padding_field, fields };

RTE_ACL_RULE_DEF(three_field_rule, fields);

rte_acl_config build_config() {
  rte_acl_config cfg{};
  cfg.num_categories = 1;
  cfg.num_fields = fields;
  cfg.defs[protocol_field] = {RTE_ACL_FIELD_TYPE_BITMASK, 1, protocol_field, 0, protocol_offset};
  cfg.defs[address_field] = {RTE_ACL_FIELD_TYPE_MASK, 4, address_field, 1, address_offset};
  cfg.defs[port_field] = {RTE_ACL_FIELD_TYPE_RANGE, 2, port_field, 2, port_offset};
  cfg.defs[padding_field] = {RTE_ACL_FIELD_TYPE_RANGE, 2, padding_field, 2, port_offset + 2};
  cfg.max_size = 0;  // no limit: DPDK picks its fastest layout
  return cfg;
}

enum rte_acl_classify_alg to_alg(method m) {
  switch (m) {
    case method::scalar:
      return RTE_ACL_CLASSIFY_SCALAR;
    case method::sse:
      return RTE_ACL_CLASSIFY_SSE;
    case method::avx2:
      return RTE_ACL_CLASSIFY_AVX2;
    case method::avx512x16:
      return RTE_ACL_CLASSIFY_AVX512X16;
    case method::avx512x32:
      return RTE_ACL_CLASSIFY_AVX512X32;
  }
  return RTE_ACL_CLASSIFY_SCALAR;
}

// The packets as rte_acl's classify functions take them.
const std::uint8_t** data_of(const acl_packet* const* packets) {
  return const_cast<const std::uint8_t**>(reinterpret_cast<const std::uint8_t* const*>(packets));
}

void put16(std::uint8_t* at, std::uint16_t v) {
  at[0] = static_cast<std::uint8_t>(v >> 8);
  at[1] = static_cast<std::uint8_t>(v);
}

void put32(std::uint8_t* at, std::uint32_t v) {
  put16(at, static_cast<std::uint16_t>(v >> 16));
  put16(at + 2, static_cast<std::uint16_t>(v));
}

// The "total: N bytes" after "runtime memory footprint" in rte_acl_build's debug log; 0 if absent.
std::size_t footprint_of(const std::string& log) {
  const auto at = log.find("runtime memory footprint");
  if (at == std::string::npos) return 0;
  const auto total = log.find("total: ", at);
  return total == std::string::npos ? 0 : std::strtoull(log.c_str() + total + 7, nullptr, 10);
}

}  // namespace

acl_packet make_packet(std::uint8_t protocol, std::uint32_t address, std::uint16_t port) {
  acl_packet p;
  p.bytes[protocol_offset] = protocol;
  put32(p.bytes + address_offset, address);
  put16(p.bytes + port_offset, port);
  return p;
}

const char* to_string(method m) {
  switch (m) {
    case method::scalar:
      return "scalar";
    case method::sse:
      return "sse";
    case method::avx2:
      return "avx2";
    case method::avx512x16:
      return "avx512x16";
    case method::avx512x32:
      return "avx512x32";
  }
  return "?";
}

bool start_eal(std::string& why) {
  static const std::string failure = [] {
    // --force-max-simd-bitwidth=512 allows the AVX-512 x32 method too.
    const char* args[] = {"secgroup_bench",
                          "--no-huge",
                          "--no-pci",
                          "-m",
                          "256",
                          "--no-shconf",
                          "-l",
                          "0",
                          "--force-max-simd-bitwidth=512",
                          "--log-level",
                          "lib.eal:error"};
    std::vector<char*> argv;
    for (const char* a : args) argv.push_back(const_cast<char*>(a));
    if (rte_eal_init(static_cast<int>(argv.size()), argv.data()) < 0)
      return std::string("rte_eal_init failed: ") + rte_strerror(rte_errno);
    return std::string();
  }();
  why = failure;
  return failure.empty();
}

struct acl::context {
  rte_acl_ctx* ctx = nullptr;
  ~context() { rte_acl_free(ctx); }
};

acl::acl(const std::vector<acl_rule>& rules) : ctx_(std::make_unique<context>()) {
  static int instances = 0;
  const std::string name = "secgroup_bench_" + std::to_string(instances++);
  rte_acl_param param{};
  param.name = name.c_str();
  param.socket_id = SOCKET_ID_ANY;
  param.rule_size = RTE_ACL_RULE_SZ(fields);
  param.max_rule_num = static_cast<std::uint32_t>(rules.size());
  ctx_->ctx = rte_acl_create(&param);
  if (!ctx_->ctx)
    throw std::runtime_error(std::string("rte_acl_create: ") + rte_strerror(rte_errno));
  std::vector<three_field_rule> acl_rules(rules.size());
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const auto& r = rules[i];
    auto& a = acl_rules[i];
    a.data.category_mask = 1;
    // Earlier rules win: priority falls with the index (first match = highest priority).
    a.data.priority = static_cast<std::int32_t>(RTE_ACL_MAX_PRIORITY - i);
    a.data.userdata = r.number + 1;
    a.field[protocol_field].value.u8 = r.any_protocol ? 0 : r.protocol;
    a.field[protocol_field].mask_range.u8 = r.any_protocol ? 0 : 0xff;
    a.field[address_field].value.u32 = r.address;
    a.field[address_field].mask_range.u32 = r.prefix;
    a.field[port_field].value.u16 = r.port_from;
    a.field[port_field].mask_range.u16 = r.port_to;
    a.field[padding_field].value.u16 = 0;
    a.field[padding_field].mask_range.u16 = 0xffff;
  }
  if (rte_acl_add_rules(ctx_->ctx, reinterpret_cast<const rte_acl_rule*>(acl_rules.data()),
                        static_cast<std::uint32_t>(acl_rules.size())) != 0)
    throw std::runtime_error("rte_acl_add_rules refused the rules");
  const auto cfg = build_config();
  // rte_acl_build logs its runtime memory footprint at debug level; no API returns it.
  char* log = nullptr;
  std::size_t log_size = 0;
  std::FILE* stream = open_memstream(&log, &log_size);
  if (stream) {
    rte_openlog_stream(stream);
    rte_log_set_level_pattern("lib.acl", RTE_LOG_DEBUG);
  }
  const int rc = rte_acl_build(ctx_->ctx, &cfg);
  if (stream) {
    rte_log_set_level_pattern("lib.acl", RTE_LOG_ERR);
    rte_openlog_stream(nullptr);
    std::fclose(stream);
    memory_ = footprint_of(std::string(log, log_size));
    std::free(log);
  }
  if (rc != 0) throw std::runtime_error(std::string("rte_acl_build: ") + rte_strerror(-rc));
}

acl::~acl() = default;

bool acl::supports(method m) const {
  // rte_acl_set_ctx_classify refuses a method the CPU or the SIMD limit does not allow.
  const bool ok = rte_acl_set_ctx_classify(ctx_->ctx, to_alg(m)) == 0;
  rte_acl_set_ctx_classify(ctx_->ctx, RTE_ACL_CLASSIFY_DEFAULT);
  return ok;
}

void acl::classify(const acl_packet* const* packets, std::uint32_t* results,
                   std::uint32_t n) const {
  rte_acl_classify(ctx_->ctx, data_of(packets), results, n, 1);
}

void acl::classify(const acl_packet* const* packets, std::uint32_t* results, std::uint32_t n,
                   method m) const {
  rte_acl_classify_alg(ctx_->ctx, data_of(packets), results, n, 1, to_alg(m));
}

}  // namespace secgroup_bench::dpdk
