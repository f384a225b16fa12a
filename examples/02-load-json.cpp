// 02-load-json: load an API export, then decide a batch of packets.
#include <iostream>
#include <vector>

#include <secgroup/secgroup.hpp>

int main(int argc, char** argv) {
  using namespace secgroup;
  if (argc != 2) {
    std::cerr << "usage: 02-load-json GROUP.json\n";
    return 2;
  }
  try {
    security_group g = load_groups(argv[1]).front();
    std::cout << g.name << ": " << g.rules.size() << " user rules, inbound default "
              << to_string(g.inbound_default_policy) << "\n";

    std::vector<packet> packets = {parse_packet("inbound tcp 2001:db8::1 443"),
                                   parse_packet("inbound udp 192.0.2.1 53"),
                                   parse_packet("outbound tcp 2001:db8::25 587")};
    std::vector<decision> out(packets.size());
    compiled_group(g).evaluate(packets, out);  // batch API
    for (std::size_t i = 0; i < packets.size(); ++i)
      std::cout << to_string(packets[i]) << " -> " << to_string(out[i].action) << "\n";

    load_groups("no-such-file.json");  // errors name the file and field
  } catch (const error& e) {
    std::cout << "error " << e.id() << " in '" << e.field() << "'\n";
  }
}
