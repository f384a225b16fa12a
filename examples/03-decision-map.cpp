// 03-decision-map: the header space of one direction, as regions with their deciding rule.
#include <iostream>

#include <secgroup/secgroup.hpp>

int main() {
  using namespace secgroup;
  security_group g;
  g.enable_default_security = false;
  g.inbound_default_policy = action::drop;
  rule ssh;
  ssh.id = "ssh-admins";
  ssh.ip_range = parse_network("10.0.0.0/8");
  ssh.ports = port_range{22, 22};
  ssh.position = 1;
  rule udp = ssh;
  udp.id = "dns";
  udp.protocol = protocol::udp;
  udp.ip_range = parse_network("0.0.0.0/0");
  udp.ports = port_range{53, 53};
  udp.position = 2;
  g.rules = {ssh, udp};

  auto pol = lower<family::v4>(g, direction::inbound);
  decision_map<ipv4_space> map(pol);
  map.for_each_region([&](const region<ipv4_space>& r) {
    std::cout << to_string(r.protocol) << " ports " << r.ports.lo << "-" << r.ports.hi << " "
              << to_string(ip_address::v4(r.addresses.lo)) << "-"
              << to_string(ip_address::v4(r.addresses.hi)) << ": "
              << (r.rule == decision::no_rule ? "default (drop)" : g.rules[pol.origin[r.rule]].id)
              << "\n";
  });
}
