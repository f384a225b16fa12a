// 01-evaluate: build a group in code and decide packets with the compiled evaluator.
#include <iostream>

#include <secgroup/secgroup.hpp>

int main() {
  using namespace secgroup;
  security_group web;
  web.name = "web";
  web.inbound_default_policy = action::drop;

  rule banned;  // a drop before the accepts: first match wins
  banned.id = "banned";
  banned.action = action::drop;
  banned.ip_range = parse_network("203.0.113.66");
  banned.position = 1;

  rule https = banned;
  https.id = "https";
  https.action = action::accept;
  https.ip_range = parse_network("0.0.0.0/0");
  https.ports = port_range{443, 443};
  https.position = 2;

  web.rules = {banned, https};
  compiled_group compiled(web);
  auto rules = ordered_rules(web);  // decisions index this list: 6 default rules, then ours

  for (const char* line : {"inbound tcp 198.51.100.7 443", "inbound tcp 203.0.113.66 443",
                           "inbound tcp 198.51.100.7 22", "outbound tcp 192.0.2.1 25"}) {
    packet p = parse_packet(line);
    decision d = compiled.evaluate(p);
    std::cout << to_string(p) << " -> " << to_string(d.action) << " by "
              << (d.by_default() ? "the default policy" : "rule " + rules[d.rule].id) << "\n";
  }
}
