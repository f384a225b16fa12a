"""Evaluation: reference and compiled, single and vectorised, against a pure-Python oracle."""
from __future__ import annotations

import pickle

import numpy as np
import pytest

import secgroup
from conftest import EXAMPLES
from oracle import decide, random_packets


@pytest.fixture(scope="module", params=["web.json", "lint-demo.json", "fleet.json", "exposed.json"])
def groups(request):
    return secgroup.load(EXAMPLES / request.param)


def test_single_packet_both_engines_match_oracle(groups):
    for gi, g in enumerate(groups):
        for (d, proto, remote, port) in random_packets(g, 300, seed=gi + 7):
            p = secgroup.Packet(d, proto, remote, port if proto in (6, 17) else None)
            want_action, want_rule = decide(g, d, proto, remote, port)
            for engine in ("compiled", "reference"):
                got = g.evaluate(p, engine)
                assert (got.action, got.rule) == (want_action, want_rule), (engine, str(p))
                if want_rule is not None:
                    r = g.ordered_rules()[want_rule]
                    assert got.position == r.position and got.rule_id == (r.id or None)
                else:
                    assert got.by_default and got.position is None


def test_evaluate_many_list(groups):
    for gi, g in enumerate(groups):
        packets = [secgroup.Packet(d, pr, rm, po if pr in (6, 17) else None)
                   for d, pr, rm, po in random_packets(g, 500, seed=100 + gi)]
        many = secgroup.evaluate_many(g, packets)
        ref = g.evaluate_many([str(p) for p in packets], engine="reference")
        compiled = g.compile()
        again = g.evaluate_many(packets, compiled=compiled)
        assert list(many) == list(ref) == list(again) == [g.evaluate(p, "reference") for p in packets]
        assert many == ref == again and isinstance(many, secgroup.Decisions)
        assert compiled.memory() > 0


def test_evaluate_many_arrays(groups):
    for gi, g in enumerate(groups):
        raw = random_packets(g, 400, seed=200 + gi)
        directions = [r[0] for r in raw]
        protocols = np.array([r[1] for r in raw], dtype=np.uint8)
        remotes = [r[2] for r in raw]
        ports = np.array([r[3] if r[1] in (6, 17) else -1 for r in raw], dtype=np.int64)
        batch = secgroup.evaluate_many(g, directions=directions, protocols=protocols,
                                       remotes=remotes, ports=ports)
        accepted, rule = batch.accepted, batch.rule
        assert accepted.dtype == np.bool_ and rule.dtype == np.int64 and len(accepted) == len(raw)
        for k, (d, pr, rm, po) in enumerate(raw):
            action, index = decide(g, d, pr, rm, po)
            assert accepted[k] == (action == "accept")
            assert rule[k] == (-1 if index is None else index)


def test_tuple_and_text_packets(web):
    a = web.evaluate(("inbound", "tcp", "8.8.8.8", 443))
    b = web.evaluate("inbound tcp 8.8.8.8 443")
    c = secgroup.evaluate(web, secgroup.Packet("inbound", 6, "8.8.8.8", 443))
    assert a == b == c and hash(a) == hash(b)
    assert a.to_dict()["default"] == a.by_default
    assert "Decision(" in repr(a)


def test_bad_packets_raise(web):
    with pytest.raises(secgroup.ParseError) as e:
        web.evaluate("inbound tcp 8.8.8.8")
    assert e.value.id == "secgroup.parse.108"
    with pytest.raises(secgroup.ParseError) as e:
        web.evaluate(("inbound", "tcp", "8.8.8.300", 22))
    assert e.value.id == "secgroup.parse.101"
    with pytest.raises(secgroup.ParseError):
        web.evaluate(42)
    with pytest.raises(secgroup.ParseError):
        web.evaluate("inbound tcp 1.2.3.4 22", engine="fast")
    with pytest.raises(secgroup.ValidationError):
        secgroup.evaluate_many(web, directions=["inbound"], protocols=["tcp", "udp"], remotes=["1.1.1.1"])
    with pytest.raises(secgroup.ParseError) as e:
        secgroup.evaluate_many(web, ["inbound tcp 1.1.1.1 22", "inbound tcp nope 22"])
    assert "packets[1]" in e.value.field
    with pytest.raises(ValueError):
        secgroup.evaluate_many(web)
    with pytest.raises(secgroup.ParseError) as e:
        secgroup.evaluate_many(web, directions=["inbound"], protocols=["tcp"], remotes=["1.1.1.1"],
                               ports=[22], engine="fast")
    assert e.value.field == "engine"


def test_compiled_group_belongs_to_its_group(groups):
    a = groups[0]
    b = pickle.loads(pickle.dumps(a))
    b.name = a.name + "-copy"
    assert a != b
    compiled = a.compile()
    assert compiled.group == a
    assert repr(compiled).startswith("CompiledGroup(")
    packets = ["inbound tcp 10.0.0.1 22", "outbound udp ::1 53"]
    assert a.evaluate_many(packets, compiled=compiled) == a.evaluate_many(packets, engine="reference")
    # Another group's tables would name the wrong rules: refused, for both forms of input.
    with pytest.raises(secgroup.ValidationError) as e:
        b.evaluate_many(packets, compiled=compiled)
    assert e.value.id == "secgroup.validation.203" and e.value.field == "compiled"
    with pytest.raises(secgroup.ValidationError):
        secgroup.evaluate_many(b, directions=["inbound"], protocols=["tcp"], remotes=["10.0.0.1"],
                               ports=[22], compiled=compiled)
    # Pickling ships the group and rebuilds the tables.
    back = pickle.loads(pickle.dumps(compiled))
    assert back.group == a and back.memory() == compiled.memory()
    assert a.evaluate_many(packets, compiled=back) == a.evaluate_many(packets, compiled=compiled)


def test_evaluate_many_broadcasts_one_value_per_column(groups):
    for gi, g in enumerate(groups):
        raw = [r for r in random_packets(g, 300, seed=300 + gi) if r[0] == "inbound" and r[1] == 6]
        remotes = [r[2] for r in raw]
        ports = [r[3] for r in raw]
        explicit = secgroup.evaluate_many(g, directions=["inbound"] * len(raw), protocols=["tcp"] * len(raw),
                                          remotes=remotes, ports=ports)
        broadcast = secgroup.evaluate_many(g, directions="inbound", protocols="tcp", remotes=remotes,
                                           ports=np.array(ports))
        assert (explicit.accepted == broadcast.accepted).all() and (explicit.rule == broadcast.rule).all()
        # One remote, many ports: the ports column sets the length.
        batch = secgroup.evaluate_many(g, directions="inbound", protocols=6, remotes=remotes[0],
                                       ports=range(20, 30))
        accepted, rule = batch.accepted, batch.rule
        assert len(accepted) == 10
        for k, port in enumerate(range(20, 30)):
            action, index = decide(g, "inbound", 6, remotes[0], port)
            assert accepted[k] == (action == "accept") and rule[k] == (-1 if index is None else index)
        # Every column one value: one packet.
        one = secgroup.evaluate_many(g, directions="inbound", protocols="tcp", remotes=remotes[0],
                                     ports=ports[0])
        assert len(one) == len(one.accepted) == 1
    with pytest.raises(secgroup.ValidationError, match="ports has 2 items, remotes has 3"):
        secgroup.evaluate_many(groups[0], directions="inbound", protocols="tcp",
                               remotes=["1.1.1.1", "2.2.2.2", "3.3.3.3"], ports=[1, 2])


def test_remotes_as_ipaddress_objects_and_integers(web):
    import ipaddress
    texts = ["203.0.113.7", "10.0.0.1", "2001:db8::1", "0.0.0.0", "255.255.255.255"]
    objects = [ipaddress.ip_address(t) for t in texts]
    integers = [int(o) for o in objects]
    by_text = secgroup.evaluate_many(web, directions="inbound", protocols="tcp", remotes=texts, ports=22)
    for remotes in (objects, integers):
        got = secgroup.evaluate_many(web, directions="inbound", protocols="tcp", remotes=remotes, ports=22)
        assert (got.accepted == by_text.accepted).all() and (got.rule == by_text.rule).all()
    v4 = np.array(integers[:2] + integers[3:], dtype=np.uint32)  # a NumPy array of IPv4 addresses
    got = secgroup.evaluate_many(web, directions="inbound", protocols="tcp", remotes=v4, ports=22)
    assert list(got.rule) == [by_text.rule[k] for k in (0, 1, 3, 4)]
    assert web.evaluate(("inbound", "tcp", objects[0], 22)) == web.evaluate("inbound tcp 203.0.113.7 22")
    for bad in (-1, 2**128):
        with pytest.raises(secgroup.ValidationError, match="is no address") as e:
            web.evaluate(("inbound", "tcp", bad, 22))
        assert e.value.id == "secgroup.validation.203"  # the class and the id agree
        with pytest.raises(secgroup.ValidationError, match="is no address") as e:
            web.evaluate_many(directions="inbound", protocols="tcp", remotes=[-1], ports=1)
        assert (e.value.id, e.value.field) == ("secgroup.validation.203", "packets[0] remote")
    with pytest.raises(secgroup.ParseError, match="an address"):
        web.evaluate(("inbound", "tcp", 1.5, 22))


def test_ports_beyond_64_bits_are_parse_errors_naming_the_port(web):
    # as Packet(..., port=2**70) is: the packet's port is malformed, not a failed C++ cast
    for port in (2**63, 2**64, 2**70):
        with pytest.raises(secgroup.ParseError) as e:
            web.evaluate_many(directions="inbound", protocols="tcp", remotes=["1.1.1.1"],
                              ports=[port])
        assert (e.value.id, e.value.field) == ("secgroup.parse.107", "packets[0] port")
    # a negative port stands for none, however large: TCP without a port is a malformed packet
    with pytest.raises(secgroup.ParseError) as e:
        web.evaluate_many(directions="inbound", protocols="tcp", remotes=["1.1.1.1"],
                          ports=[-2**70])
    assert (e.value.id, e.value.field) == ("secgroup.parse.108", "packets[0] port")
    got = web.evaluate_many(directions="inbound", protocols="icmp", remotes=["1.1.1.1"],
                            ports=[-2**70])
    assert list(got.accepted) == [web.evaluate("inbound icmp 1.1.1.1").accepted]


def test_compiled_group_evaluates(groups):
    for gi, g in enumerate(groups):
        compiled = g.compile()
        packets = [secgroup.Packet(d, pr, rm, po if pr in (6, 17) else None)
                   for d, pr, rm, po in random_packets(g, 200, seed=400 + gi)]
        assert [compiled.evaluate(p) for p in packets] == [g.evaluate(p, "reference") for p in packets]
        assert compiled.evaluate_many(packets) == g.evaluate_many(packets, engine="reference")
        arrays = compiled.evaluate_many(directions=[p.direction for p in packets],
                                        protocols=[p.protocol for p in packets],
                                        remotes=[p.remote for p in packets],
                                        ports=[-1 if p.port is None else p.port for p in packets])
        assert list(arrays.rule) == [-1 if d.rule is None else d.rule
                                   for d in g.evaluate_many(packets, engine="reference")]


def test_decisions_batch_follows_the_result_protocol(web):
    import json

    texts = ["inbound tcp 203.0.113.7 22", "inbound tcp 10.0.0.1 443", "outbound udp 2001:db8::1 53"]
    by_packets = web.compile().evaluate_many(texts)
    by_columns = secgroup.evaluate_many(web, directions=["inbound", "inbound", "outbound"],
                                        protocols=["tcp", "tcp", "udp"],
                                        remotes=["203.0.113.7", "10.0.0.1", "2001:db8::1"],
                                        ports=np.array([22, 443, 53]))
    want = [web.evaluate(t, "reference") for t in texts]
    for batch in (by_packets, by_columns):
        assert len(batch) == 3 and list(batch) == want and batch[1] == want[1]
        assert list(batch.accepted) == [d.accepted for d in want]
        assert list(batch.rule) == [-1 if d.rule is None else d.rule for d in want]
        doc = batch.to_dict()
        assert json.loads(json.dumps(doc)) == doc
        assert doc["packets"] == [str(secgroup.Packet.parse(t)) for t in texts]
        assert doc["decisions"] == [d.to_dict() for d in want]
        assert [r["packet"] for r in batch.rows()] == doc["packets"]
        assert batch._repr_html_().count("<tr>") == 4
        with pytest.raises(TypeError, match=r"batch\.accepted"):
            bool(batch)
        assert pickle.loads(pickle.dumps(batch)) == batch
    assert by_packets == by_columns
    pd = pytest.importorskip("pandas")
    frame = by_columns.frame()
    assert isinstance(frame, pd.DataFrame) and list(frame.columns) == list(by_columns.columns)
    assert list(frame["action"]) == [d.action for d in want]
    assert list(frame["packet"]) == by_packets.to_dict()["packets"]


def test_decisions_carry_the_rule_itself_and_label_default_smtp_rules():
    g = secgroup.SecurityGroup("web", [secgroup.Rule("TCP", ip_range="0.0.0.0/0", ports=22),
                                       secgroup.Rule("TCP", ip_range="0.0.0.0/0", ports=22)],
                               enable_default_security=True, inbound_default_policy="drop")
    d = g.evaluate("inbound tcp 203.0.113.9 22")
    assert d.decided_by == g.ordered_rules()[d.rule] and d.decided_by.position == 1
    assert d.rule_text == "inbound accept TCP 0.0.0.0/0 22" and not d.smtp_default
    assert d.label == "rule at position 1"
    assert repr(d) == "Decision(accept by rule at position 1: inbound accept TCP 0.0.0.0/0 22)"
    smtp = g.evaluate("outbound tcp 198.51.100.1 25")
    assert smtp.smtp_default and smtp.label.startswith("default SMTP rule ")
    assert smtp.rule_text == "outbound drop TCP 0.0.0.0/0 25"
    policy = g.evaluate("inbound udp 203.0.113.9 53")
    assert policy.decided_by is None and policy.rule_text is None and not policy.smtp_default
    assert policy.label == "the default policy"
    assert repr(policy) == "Decision(drop by the default policy)"
    batch = g.evaluate_many(["inbound tcp 203.0.113.9 22", "outbound tcp 198.51.100.1 25"])
    assert [x.rule_text for x in batch] == [d.rule_text, smtp.rule_text]
    assert g.compile().evaluate("outbound tcp 198.51.100.1 25") == smtp
    for x in (d, smtp, policy):
        assert pickle.loads(pickle.dumps(x)) == x and hash(pickle.loads(pickle.dumps(x))) == hash(x)
    for engine in ("reference", "compiled"):
        assert g.evaluate("outbound tcp 198.51.100.1 25", engine=engine) == smtp
