"""An independent first-match evaluator in pure Python (ipaddress), the tests' oracle."""
from __future__ import annotations

import ipaddress
import random
from typing import List, Optional, Tuple

PROTOCOLS = {"TCP": {6}, "UDP": {17}, "ICMP": {1, 58}}


def matches(rule, direction: str, proto: int, remote: str, port: int) -> bool:
    if rule.direction != direction:
        return False
    if rule.protocol != "ANY" and proto not in PROTOCOLS[rule.protocol]:
        return False
    net = ipaddress.ip_network(rule.ip_range, strict=False)
    addr = ipaddress.ip_address(remote)
    if net.version != addr.version or addr not in net:
        return False
    if rule.ports is not None and rule.protocol in ("TCP", "UDP"):
        return rule.ports[0] <= port <= rule.ports[1]
    return True


def decide(group, direction: str, proto: int, remote: str, port: int) -> Tuple[str, Optional[int]]:
    for i, r in enumerate(group.ordered_rules()):
        if matches(r, direction, proto, remote, port):
            return r.action, i
    return group.default_policy(direction), None


def random_packets(group, n: int, seed: int) -> List[Tuple[str, int, str, int]]:
    """Packets near the group's rule boundaries (and some anywhere), both families."""
    rng = random.Random(seed)
    anchors = []
    for r in group.ordered_rules():
        net = ipaddress.ip_network(r.ip_range, strict=False)
        anchors += [int(net.network_address), int(net.broadcast_address),
                    int(net.network_address) - 1, int(net.broadcast_address) + 1]
    out = []
    for _ in range(n):
        v6 = rng.random() < 0.25
        top = 2 ** 128 if v6 else 2 ** 32
        cands = [a for a in anchors if 0 <= a < top]
        value = rng.choice(cands) if cands and rng.random() < 0.7 else rng.randrange(top)
        remote = str(ipaddress.IPv6Address(value) if v6 else ipaddress.IPv4Address(value))
        proto = rng.choice([6, 6, 17, 1 if not v6 else 58, 47])
        port = rng.choice([22, 25, 80, 443, 3389, 5432, 0, 65535, rng.randrange(65536)])
        out.append((rng.choice(["inbound", "outbound"]), proto, remote, port if proto in (6, 17) else 0))
    return out
