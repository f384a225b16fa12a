"""Groups and results travel to worker processes (pickling through a multiprocessing Pool)."""
from __future__ import annotations

import multiprocessing
import random

import secgroup


def _work(group):
    report = secgroup.analyze(group)
    return group, report, secgroup.exposure(group), group.evaluate("inbound tcp 8.8.8.8 22")


def _random_group(rng: random.Random, i: int) -> secgroup.SecurityGroup:
    rules = []
    for _ in range(rng.randrange(1, 12)):
        prefix = rng.choice([8, 16, 24, 32, 0])
        addr = ".".join(str(rng.randrange(256)) for _ in range(4))
        proto = rng.choice(["TCP", "UDP", "ICMP", "ANY"])
        lo = rng.randrange(1, 65536)
        direction, action = rng.choice(["inbound", "outbound"]), rng.choice(["accept", "drop"])
        ports = (lo, min(65535, lo + rng.randrange(100))) if rng.random() < 0.7 else None
        rules.append(secgroup.Rule(proto, direction, action, f"{addr}/{prefix}" if prefix else "0.0.0.0/0",
                                   ports=ports if proto in ("TCP", "UDP") else None))
    return secgroup.SecurityGroup(f"g{i}", rules, inbound_default_policy=rng.choice(["accept", "drop"]))


def test_pool_map_over_many_groups():
    rng = random.Random(2026)
    groups = [_random_group(rng, i) for i in range(300)]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        results = pool.map(_work, groups, chunksize=25)
    assert len(results) == len(groups)
    for g, (back, report, exposure, decision) in zip(groups, results):
        assert back == g
        assert report == secgroup.analyze(g)
        assert exposure == secgroup.exposure(g)
        assert decision == g.evaluate("inbound tcp 8.8.8.8 22")
