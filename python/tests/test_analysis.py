"""Analyses, checked against evaluation (each witness is re-decided) rather than against themselves."""
from __future__ import annotations

import pickle

import pytest

import secgroup
from conftest import EXAMPLES
from oracle import decide, random_packets


def _redecide(group, witness_dict):
    p = secgroup.Packet(witness_dict["direction"], witness_dict["protocol"], witness_dict["remote"],
                        witness_dict["port"])
    return group.evaluate(p, "reference")


def test_analyze_lint_demo(lint_demo):
    report = secgroup.analyze(lint_demo)
    assert report == lint_demo.analyze()
    kinds = {f.kind for f in report}
    assert {"shadowed", "redundant"} <= kinds  # the demo has one rule of each kind
    rules = lint_demo.ordered_rules()
    for f in report.findings:
        rule = next(r for r in rules if r.position == f.position and r.editable)
        assert f.rule_id == (rule.id or None)
        if f.witness is not None:
            assert f.witness.direction == f.direction
            if f.kind in ("shadowed", "correlated", "generalization"):
                assert rule.matches(f.witness)  # the witness lies in the rule's box
    html = report._repr_html_()
    assert html.count("<tr>") == len(report) + 1
    assert pickle.loads(pickle.dumps(report)) == report


def test_diff_witness_and_regions(web, lint_demo):
    same = secgroup.diff(web, secgroup.load_group(EXAMPLES / "web.json"))
    assert same.equivalent and not same.differs and same.witness is None and same.regions == []
    d = secgroup.diff(web, lint_demo)
    assert not d.equivalent and d.differs
    w = d.witness
    da, db = web.evaluate(w.packet, "reference"), lint_demo.evaluate(w.packet, "reference")
    assert da.action == w.a["action"] and db.action == w.b["action"] and da.action != db.action
    for region in d.regions[:50]:
        # a corner of each region is decided as the region says, by both groups
        port = region.ports[0] if region.ports else None
        proto = {"tcp": "tcp", "udp": "udp", "icmp": "icmp", "other": "47"}[region.protocol]
        p = secgroup.Packet(region.direction, proto, region.remote["first"], port)
        assert web.evaluate(p).action == region.a["action"]
        assert lint_demo.evaluate(p).action == region.b["action"]
        assert region.change == ("opened" if region.b["action"] == "accept" else "closed")
    assert secgroup.equivalent(web, lint_demo) == d
    assert "<table>" in d._repr_html_()


def test_query(web):
    r = secgroup.query(web, "inbound", protocol="tcp", ports=443)
    assert r.answer in ("ALL", "NONE", "PARTIAL")
    for w in (r.accepted, r.dropped):
        if w is not None:
            got = web.evaluate(w.packet, "reference")
            assert got.action == w.action and got.position == w.position
            assert w.packet.port == 443 and w.packet.protocol == 6
    assert (r.accepted is not None) == (r.answer in ("ALL", "PARTIAL"))
    assert (r.dropped is not None) == (r.answer in ("NONE", "PARTIAL"))
    one = secgroup.query(web, "inbound", protocol="tcp", remotes=["192.0.2.1/32"], ports=(443, 443))
    action, _ = decide(web, "inbound", 6, "192.0.2.1", 443)
    assert one.answer == ("ALL" if action == "accept" else "NONE")
    with pytest.raises(secgroup.ParseError):
        secgroup.query(web, "inbound", protocol="tcpp")
    with pytest.raises(secgroup.ValidationError):
        secgroup.query(web, "inbound", ports="100-1")


def test_connect(web):
    r = secgroup.connect(web, web, "203.0.113.5", "192.0.2.10", "tcp", 443)
    assert r.answer in ("ALL", "NONE", "PARTIAL")
    names = [leg.leg for leg in r.legs]
    assert names[:2] == ["client outbound", "server inbound"]
    fwd = web.evaluate(("outbound", "tcp", "192.0.2.10", 443)).action == "accept" and \
        web.evaluate(("inbound", "tcp", "203.0.113.5", 443)).action == "accept"
    assert (r.forward_ports == [(443, 443)]) == fwd
    with pytest.raises(secgroup.ValidationError):
        secgroup.connect(web, web, "203.0.113.5", "2001:db8::1", "tcp", 443)
    with pytest.raises(secgroup.ParseError):
        secgroup.connect(web, web, "203.0.113.5", "192.0.2.10", "tcp")


def test_exposure_matches_evaluation(web):
    e = secgroup.exposure(web, "inbound")
    assert e.direction == "inbound" and len(e) == len(e.entries)
    import ipaddress
    for entry in e.entries:
        for cidr in entry.accepted[:5]:
            net = ipaddress.ip_network(cidr)
            port = entry.ports[0][0] if entry.ports else None
            proto = {"tcp": "tcp", "udp": "udp", "icmp": "icmp", "other": "47"}[entry.protocol]
            if port == 0 and proto in ("tcp", "udp"):
                continue
            p = secgroup.Packet("inbound", proto, str(net.network_address), port)
            assert web.evaluate(p).action == "accept"
        assert entry.address_count == sum(ipaddress.ip_network(c).num_addresses for c in entry.accepted)
    assert "<table>" in e._repr_html_()


def test_minimize_keeps_every_decision(lint_demo):
    m = secgroup.minimize(lint_demo)
    assert m.proof.equivalent and m.removed
    assert len(m.group.rules) == len(lint_demo.rules) - len(m.removed)
    for (d, proto, remote, port) in random_packets(lint_demo, 500, seed=3):
        assert decide(m.group, d, proto, remote, port)[0] == decide(lint_demo, d, proto, remote, port)[0]
    assert m.to_dict() == m.group.to_dict()
    back = pickle.loads(pickle.dumps(m))
    assert back.group == m.group and back.removed == m.removed and back.proof == m.proof


def test_reorder(lint_demo):
    ids = [r.id for r in lint_demo.rules]
    assert secgroup.check_reorder(lint_demo, ids).equivalent
    constraints = secgroup.order_constraints(lint_demo)
    assert constraints, "the demo has rules whose order matters"
    c = constraints[0]
    swapped = list(ids)
    i, j = swapped.index(c["earlier"].id), swapped.index(c["later"].id)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    check = secgroup.check_reorder(lint_demo, swapped)
    assert not check.equivalent
    assert secgroup.diff(lint_demo, secgroup.reordered(lint_demo, swapped)) == check
    with pytest.raises(secgroup.ValidationError) as e:
        secgroup.reordered(lint_demo, ids[:-1])
    assert e.value.field == "order"


def test_regions_cover_the_space(web):
    regions = web.regions("inbound", "ipv4")
    tcp = [r for r in regions if r["protocol"] == "tcp"]
    import ipaddress
    total = sum((int(ipaddress.ip_address(r["last"])) - int(ipaddress.ip_address(r["first"])) + 1)
                * (r["port_to"] - r["port_from"] + 1) for r in tcp)
    assert total == 2 ** 32 * 65536
    for r in tcp[:100]:
        got = web.evaluate(("inbound", "tcp", r["first"], r["port_from"]))
        assert got.action == r["action"] and got.rule == r["rule"]


def test_methods_are_bound_in_cpp_and_agree_with_the_functions(web, lint_demo):
    """Each SecurityGroup method is bound in C++ with a docstring, takes the arguments of the
    package's function of the same name, and returns what that function returns."""
    for name in ("analyze", "diff", "query", "exposure", "minimize", "lint", "compile",
                 "evaluate_many", "regions", "plot"):
        doc = getattr(secgroup.SecurityGroup, name).__doc__
        assert doc.startswith(name + "(self"), name  # pybind11's signature line, then the text
        assert len(doc.splitlines()) > 1, name
    assert lint_demo.analyze(pairs=False) == secgroup.analyze(lint_demo, pairs=False)
    assert web.diff(b=lint_demo) == secgroup.diff(web, lint_demo)
    assert (web.query("inbound", protocol="tcp", ports=22)
            == secgroup.query(web, "inbound", protocol="tcp", ports=22))
    assert web.exposure(direction="outbound") == secgroup.exposure(web, "outbound")
    assert lint_demo.minimize().group == secgroup.minimize(lint_demo).group
    mine, theirs = lint_demo.lint(fail_on="high"), secgroup.lint([lint_demo], fail_on="high")
    assert (mine.to_dict(), mine.exit_code) == (theirs.to_dict(), theirs.exit_code)
    assert web.regions() == web.regions("inbound", family="ipv4")
    with pytest.raises(secgroup.ParseError) as e:
        web.query("inbound", engine="smt")
    assert e.value.message == "unknown engine 'smt' (expected interval or z3)"
    # The package's functions stay Python functions: they pickle by name (for worker pools).
    assert pickle.loads(pickle.dumps(secgroup.analyze)) is secgroup.analyze


def test_findings_carry_their_rules_and_texts(lint_demo):
    rules = {r.position: r for r in lint_demo.ordered_rules() if r.editable}
    report = secgroup.analyze(lint_demo)
    assert len(report) > 0
    for f in report:
        assert f.rule == rules[f.position] and f.rule_text == str(rules[f.position])
        assert f.label.startswith("rule ") and str(f.position) in f.label
        assert len(f.related_rules) == len(f.related) == len(f.related_labels)
        assert [r.id or None for r in f.related_rules] == f.related
        assert f.related_texts == [str(r) for r in f.related_rules]
        assert f.related_smtp_default == [not r.editable for r in f.related_rules]
    smtp = [f for f in report if any(f.related_smtp_default)]
    assert smtp and all(label.startswith("default SMTP rule")
                        for f in smtp for label, d in zip(f.related_labels, f.related_smtp_default) if d)
    rows = report.rows()
    assert [r["rule_text"] for r in rows] == [f.rule_text for f in report]
    assert "default SMTP rule" in " ".join(r["related_rules"] or "" for r in rows)
    assert pickle.loads(pickle.dumps(report)).findings[0].rule == report.findings[0].rule


def test_findings_of_rules_built_in_code_are_told_apart():
    g = secgroup.SecurityGroup("t", [secgroup.Rule("TCP", ip_range="0.0.0.0/0", ports=22),
                                     secgroup.Rule("TCP", ip_range="10.0.0.0/8", ports=22)])
    (f,) = [f for f in secgroup.analyze(g) if f.reason == "covered"]
    assert f.rule_text == "inbound accept TCP 10.0.0.0/8 22" and f.label == "rule at position 2"
    assert f.related_texts == ["inbound accept TCP 0.0.0.0/0 22"]
    assert "rule at position 2" in repr(f)
    assert f.related == [None]
    assert f.row()["related"] is None  # was the string 'None'
    assert secgroup.analyze(g).frame()["related"].isna().all()


@pytest.mark.skipif(not secgroup.HAS_Z3, reason="secgroup built without Z3")
def test_z3_findings_carry_their_rules(lint_demo):
    interval = secgroup.analyze(lint_demo)
    z3 = secgroup.analyze(lint_demo, engine="z3")
    assert [f.rule_text for f in z3] == [f.rule_text for f in interval]
    assert [f.related_labels for f in z3] == [f.related_labels for f in interval]


def test_lint_frame_names_the_rules(lint_demo):
    report = secgroup.lint(lint_demo)
    rows = report.rows()
    for f, row in zip(report, rows):
        assert f.rule_texts == [r["rule"] for r in f.rules]
        for text in f.rule_texts:
            assert text in (row["rules"] or "")
    assert any("default SMTP rule" in (r["related"] or "") for r in rows)


def test_every_reason_is_explained_in_help():
    """Each (kind, reason) the analyses give on the example groups is explained in help(Finding)
    as "``reason`` (kind): ..."; every explained reason occurs."""
    import inspect
    import re

    doc = inspect.getdoc(secgroup.Finding) or ""
    explained = set(re.findall(r"``(\w+)`` \((\w+)\): \S", doc))
    given = {(f.reason, f.kind) for path in sorted(EXAMPLES.glob("*.json"))
             for g in secgroup.load(path) for f in secgroup.analyze(g)}
    assert given and given == explained, (given, explained)
