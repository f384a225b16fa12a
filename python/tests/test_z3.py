"""The Z3 engine agrees with the interval engine (skipped when built without Z3)."""
from __future__ import annotations

import pytest

import secgroup
from conftest import EXAMPLES

pytestmark = pytest.mark.skipif(not secgroup.HAS_Z3, reason="secgroup built without Z3")


def test_analyze_engines_agree(lint_demo):
    z3 = secgroup.analyze(lint_demo, engine="z3")
    interval = secgroup.analyze(lint_demo)
    assert z3.unknown == []
    key = lambda f: (f.kind, f.position, f.direction)  # noqa: E731
    assert sorted(map(key, z3)) == sorted(map(key, interval))


def test_equivalence_and_includes(web, lint_demo):
    v = secgroup.equivalent(web, lint_demo, engine="z3")
    assert v.holds is False
    w = v.witness
    assert web.evaluate(w.packet).action != lint_demo.evaluate(w.packet).action
    same = secgroup.equivalent(web, secgroup.load_group(EXAMPLES / "web.json"), engine="z3")
    assert same.holds is True and same.witness is None
    assert secgroup.includes(web, web).holds is True
    inc = secgroup.includes(web, lint_demo)
    if inc.holds is False:
        p = inc.witness.packet
        assert lint_demo.evaluate(p).action == "accept" and web.evaluate(p).action == "drop"


def test_equivalent_reads_the_same_whatever_the_engine(web, lint_demo):
    """equivalent() gives a Diff (interval) or a Verdict (Z3): both answer through .holds and
    .witness, so code reading the answer does not depend on the engine."""
    copy = secgroup.load_group(EXAMPLES / "web.json")
    for engine in ("interval", "z3"):
        differ, same = (secgroup.equivalent(web, b, engine=engine) for b in (lint_demo, copy))
        assert differ.holds is False and same.holds is True and same.witness is None, engine
        p = differ.witness.packet
        assert web.evaluate(p).action != lint_demo.evaluate(p).action, engine
    assert secgroup.equivalent(web, lint_demo).holds is secgroup.diff(web, lint_demo).equivalent


def test_query_and_where(web):
    for ports in (22, 443, (1, 1024)):
        a = secgroup.query(web, "inbound", protocol="tcp", ports=ports)
        b = secgroup.query(web, "inbound", protocol="tcp", ports=ports, engine="z3")
        assert a.answer == b.answer
    r = secgroup.where(web, "inbound and tcp and port 22")
    assert r.answer == secgroup.query(web, "inbound", protocol="tcp", ports=22).answer
    e = secgroup.Where("inbound and tcp and port 22")
    for w in (r.accepted, r.dropped):
        if w is not None:
            assert e.matches(w.packet) and web.evaluate(w.packet).action == w.action
    with pytest.raises(secgroup.WhereError):
        secgroup.where(web, "inbound or")


def test_explain(web):
    p = secgroup.Packet("inbound", "tcp", "8.8.8.8", 22)
    packet, matched, decision = secgroup.explain(web, p)
    assert packet == p
    assert [r for r in web.ordered_rules() if r.matches(p)] == matched
    assert decision == web.evaluate(p)
