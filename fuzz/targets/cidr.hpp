// fuzz/targets/cidr.hpp: target `cidr`, the address and network parsers parse_address() and
// parse_network() (secgroup/address.hpp).
//
// Any text is parsed or refused with a parse_error. What parses is printed with to_string() and
// parsed again: the same address or network must come back (to_string is the canonical text).
#pragma once

#include <secgroup/address.hpp>
#include <string>
#include <string_view>

#include "../fuzz_target.hpp"

namespace secgroup_fuzz {

inline void fuzz_cidr(std::string_view input) {
  secgroup::ip_address address;
  if (accepted([&] { address = secgroup::parse_address(input); })) {
    const std::string text = secgroup::to_string(address);
    secgroup::ip_address again;
    must_accept("cidr: to_string() of an address does not parse: " + text,
                [&] { again = secgroup::parse_address(text); });
    if (again != address) finding("cidr: address " + text + " parses to another address");
  }
  secgroup::ip_network network;
  if (accepted([&] { network = secgroup::parse_network(input); })) {
    const std::string text = secgroup::to_string(network);
    secgroup::ip_network again;
    must_accept("cidr: to_string() of a network does not parse: " + text,
                [&] { again = secgroup::parse_network(text); });
    if (again != network) finding("cidr: network " + text + " parses to another network");
  }
}

}  // namespace secgroup_fuzz
