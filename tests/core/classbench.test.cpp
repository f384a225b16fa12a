// Tests of bench/classbench.hpp (benchmark tooling, outside the library): the ClassBench
// readers, the projection onto a group, and the project's own ClassBench-style generator.
#include "../../bench/classbench.hpp"

#include <catch2/catch.hpp>
#include <secgroup/secgroup.hpp>
#include <sstream>

using namespace secgroup;

namespace {
const char* filters_text =
    "@10.0.0.0/8\t192.0.2.0/24\t0 : 65535\t22 : 22\t0x06/0xFF\t0x0000/0x0000\n"
    "@0.0.0.0/0\t198.51.100.7/32\t0 : 65535\t0 : 65535\t0x00/0x00\t0x0000/0x0200\n"
    "@0.0.0.0/0\t203.0.113.0/24\t1024 : 65535\t0 : 1023\t0x11/0xFF\t0x0000/0x0000\n"
    "@0.0.0.0/0\t0.0.0.0/0\t0 : 65535\t0 : 65535\t0x2F/0xFF\t0x0000/0x0000\n"
    "@0.0.0.0/0\t0.0.0.0/0\t0 : 65535\t8 : 8\t0x01/0xFF\t0x0000/0x0000\n";
}  // namespace

TEST_CASE("classbench: filter lines read every field", "[classbench]") {
  std::istringstream in(filters_text);
  auto filters = classbench::read_filters(in);
  REQUIRE(filters.size() == 5);
  CHECK(filters[0].source == parse_network("10.0.0.0/8"));
  CHECK(filters[0].destination == parse_network("192.0.2.0/24"));
  CHECK(filters[0].destination_ports == classbench::port_interval{22, 22});
  CHECK(filters[0].protocol == 6);
  CHECK(filters[0].protocol_mask == 0xff);
  CHECK(filters[1].protocol_mask == 0);
  CHECK(filters[1].flags_mask == 0x200);
  CHECK(filters[2].source_ports == classbench::port_interval{1024, 65535});
}

TEST_CASE("classbench: projection onto an inbound group", "[classbench]") {
  std::istringstream in(filters_text);
  auto p = classbench::to_group(classbench::read_filters(in));
  // GRE (0x2F) has no rule protocol: skipped and counted.
  REQUIRE(p.group.rules.size() == 4);
  CHECK(p.stats.skipped_protocol == 1);
  CHECK(p.filter_index == std::vector<std::uint32_t>{0, 1, 2, 4});
  const auto& r = p.group.rules;
  CHECK(r[0].protocol == protocol::tcp);
  CHECK(r[0].ip_range == parse_network("192.0.2.0/24"));
  CHECK(r[0].ports == port_range{22, 22});
  CHECK(r[0].action == action::accept);
  CHECK(r[1].protocol == protocol::any);
  CHECK_FALSE(r[1].ports);
  CHECK(r[1].action == action::drop);
  // 0 : 1023 has no API form: clamped to 1-1023 and counted.
  CHECK(r[2].ports == port_range{1, 1023});
  CHECK(p.stats.port_zero_clamped == 1);
  // ICMP with a port range: the range is dropped, as the API does.
  CHECK(r[3].protocol == protocol::icmp);
  CHECK_FALSE(r[3].ports);
  CHECK(p.stats.ports_dropped == 1);
  for (std::size_t i = 0; i < r.size(); ++i) {
    CHECK(r[i].direction == direction::inbound);
    CHECK(r[i].position == i + 1);
  }
  CHECK_FALSE(p.group.enable_default_security);
}

TEST_CASE("classbench: trace lines become inbound packets", "[classbench]") {
  std::istringstream in("3232235777 3221225985 1234 22 6 0 0\n16909060 167772161 1 53 17 512 3\n");
  auto trace = classbench::read_trace(in);
  REQUIRE(trace.size() == 2);
  CHECK(trace[1].generating_filter == 3);
  auto packets = classbench::to_packets(trace);
  CHECK(to_string(packets[0]) == "inbound tcp 192.0.2.1 22");
  CHECK(to_string(packets[1]) == "inbound udp 10.0.0.1 53");
}

TEST_CASE("classbench: malformed lines name file and line", "[classbench]") {
  auto error_of = [](const std::string& text, bool trace) {
    std::istringstream in(text);
    try {
      if (trace)
        classbench::read_trace(in, "t");
      else
        classbench::read_filters(in, "f");
    } catch (const parse_error& e) {
      return e.id() + " " + e.field();
    }
    return std::string("no error");
  };
  CHECK(error_of("@10.0.0.0/33\t1.2.3.4/32\t0 : 65535\t0 : 65535\t0x06/0xFF\t0x0000/0x0000\n", false) ==
        "secgroup.parse.102 f:1");
  CHECK(error_of("@1.0.0.0/8\t1.2.3.4/32\t0 : 65535\t0 : 70000\t0x06/0xFF\t0x0000/0x0000\n", false)
            .rfind("secgroup.parse.107 f:1", 0) == 0);
  CHECK(error_of("@1.0.0.0/8\t1.2.3.4/32\n", false).rfind("secgroup.parse.109 f:1", 0) == 0);
  CHECK(error_of("1 2 3 4 5 6 7\n1 2 3\n", true).rfind("secgroup.parse.108 t:2", 0) == 0);
  CHECK_THROWS_AS(classbench::read_filters(std::filesystem::path("/no/such/file")), parse_error);
}

TEST_CASE("classbench: generated groups are reproducible and valid", "[classbench]") {
  for (auto p : {classbench::profile::acl, classbench::profile::fw, classbench::profile::ipc}) {
    auto a = classbench::generate_group(300, 7, p, 20);
    auto b = classbench::generate_group(300, 7, p, 20);
    auto c = classbench::generate_group(300, 8, p, 20);
    CHECK(a == b);
    CHECK_FALSE(a == c);
    REQUIRE(a.rules.size() == 300);
    std::size_t v6 = 0;
    for (std::size_t i = 0; i < a.rules.size(); ++i) {
      CHECK(a.rules[i].position == i + 1);
      CHECK(a.rules[i] == normalize(a.rules[i]));
      v6 += a.rules[i].ip_range.af() == family::v6;
    }
    CHECK(v6 > 0);
    CHECK(v6 < 300);
    // A generated trace agrees between the compiled and the reference evaluator.
    auto trace = classbench::generate_trace(a, 2000, 3);
    CHECK(trace == classbench::generate_trace(a, 2000, 3));
    compiled_group compiled(a);
    reference_evaluator reference(a);
    std::size_t by_rule = 0;
    for (const auto& pk : trace) {
      auto d = reference.evaluate(pk);
      REQUIRE(compiled.evaluate(pk) == d);
      by_rule += !d.by_default();
    }
    CHECK(by_rule > trace.size() / 2);  // most packets fall inside some rule
  }
}
