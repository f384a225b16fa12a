"""The model: rules, groups and packets; loading from every source; dicts; pickling."""
from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path

import pytest

import secgroup
from conftest import EXAMPLES


def test_version_and_flags():
    assert secgroup.__version__.count(".") == 2
    assert isinstance(secgroup.HAS_Z3, bool)
    assert set(secgroup.__all__) <= set(dir(secgroup))


def test_rule_fields_and_normalisation():
    r = secgroup.Rule("tcp", "INBOUND", "Drop", "10.0.0.0/8", ports="20-25", position=3, id="x")
    assert (r.protocol, r.direction, r.action, r.ip_range, r.ports, r.position, r.id) == (
        "TCP", "inbound", "drop", "10.0.0.0/8", (20, 25), 3, "x")
    assert str(r) == "inbound drop TCP 10.0.0.0/8 20-25"
    assert secgroup.Rule(ports=22).ports == (22, 22)
    assert secgroup.Rule(ports=(1, 1024)).ports == (1, 1024)
    # Ports written for an ICMP or ANY rule are refused, not silently dropped.
    for protocol in ("ICMP", "ANY"):
        with pytest.raises(secgroup.ValidationError, match="have no ports") as e:
            secgroup.Rule(protocol, ports=22)
        assert e.value.field == "ports"
    icmp = secgroup.Rule("ICMP")
    with pytest.raises(secgroup.ValidationError, match="ICMP rules have no ports"):
        icmp.ports = (1, 2)
    assert icmp.ports is None
    icmp.ports = None
    r.protocol = "ANY"  # a protocol without ports clears them, as the API does
    assert r.ports is None
    assert "Rule(" in repr(r)


def test_rule_dict_round_trip():
    r = secgroup.Rule("UDP", "outbound", "accept", "2001:db8::/32", ports=53, position=2, id="r1")
    d = r.to_dict()
    assert d["dest_port_from"] == 53 and d["dest_port_to"] is None and d["dest_ip_range"] is None
    assert list(d) == ["id", "protocol", "direction", "ip_range", "dest_ip_range", "dest_port_from",
                       "dest_port_to", "position", "editable", "action", "zone"]
    assert secgroup.Rule.from_dict(d) == r


def test_rules_built_in_code_are_numbered_as_a_file_numbers_them():
    rules = [secgroup.Rule(ports=22), secgroup.Rule(ports=443), secgroup.Rule("ICMP")]
    g = secgroup.SecurityGroup("api", rules)
    assert [r.position for r in g.rules] == [1, 2, 3]
    assert [r.position for r in rules] == [0, 0, 0]  # the caller's rules are not changed
    g.rules = list(reversed(rules))
    assert [(r.position, str(r)) for r in g.rules] == [
        (1, "inbound accept ICMP 0.0.0.0/0"), (2, "inbound accept TCP 0.0.0.0/0 443"),
        (3, "inbound accept TCP 0.0.0.0/0 22")]
    given = [secgroup.Rule(ports=22, position=5), secgroup.Rule(ports=443, position=2)]
    assert [r.position for r in secgroup.SecurityGroup("x", given).rules] == [5, 2]
    with pytest.raises(secgroup.ParseError, match=r"rules\[0\] has one") as e:
        secgroup.SecurityGroup("x", [secgroup.Rule(position=1), secgroup.Rule(ports=443)])
    # the class the id says (parse.1xx: ParseError), as the loader raises for the same list
    assert (e.value.id, e.value.field) == ("secgroup.parse.106", "rules[1].position")
    with pytest.raises(secgroup.ParseError):
        g.rules = [secgroup.Rule(position=1), secgroup.Rule()]
    assert len(g.rules) == 3  # unchanged by the refused assignment
    # Two rules built in code are told apart in findings: each has its own position.
    report = secgroup.lint(secgroup.SecurityGroup("dup", [secgroup.Rule(ports=22), secgroup.Rule(ports=22)]))
    assert "position 2" in report.text()


SMTP_1 = "11111111-2222-4333-8444-000000000001"  # the id of default SMTP rule 1


def test_rules_are_checked_as_the_loader_checks_them_and_refusals_change_nothing():
    g = secgroup.load_group(EXAMPLES / "web.json")
    before, findings = g.to_dict(), g.analyze()
    taken = g.rules[0].id
    for rule, id_, field in [
        # analyses take a rule that is not editable for a default SMTP rule and skip it
        (secgroup.Rule(editable=False), "secgroup.validation.205", "rule.editable"),
        (secgroup.Rule(id=SMTP_1), "secgroup.validation.205", "rule.id"),
        (secgroup.Rule(id=taken), "secgroup.validation.206", "rule.id"),
        # default SMTP rule 1 itself: implied by enable_default_security, no user rule
        (secgroup.default_rules()[0], "secgroup.validation.205", "rule.id"),
    ]:
        with pytest.raises(secgroup.ValidationError) as e:
            g.add_rule(rule)
        assert (e.value.id, e.value.field) == (id_, field)
        assert g.to_dict() == before
    assert g.analyze() == findings
    assert secgroup.SecurityGroup.from_dict(g.to_dict()) == g

    for rules, id_, field in [
        ([secgroup.Rule(id="a"), secgroup.Rule(id="a")], "secgroup.validation.206", "rules[1].id"),
        ([secgroup.Rule(), secgroup.Rule(editable=False)], "secgroup.validation.205",
         "rules[1].editable"),
        ([secgroup.Rule(id=SMTP_1)], "secgroup.validation.205", "rules[0].id"),
    ]:
        with pytest.raises(secgroup.ValidationError) as e:
            g.rules = rules
        assert (e.value.id, e.value.field) == (id_, field)
        assert g.to_dict() == before
        with pytest.raises(secgroup.ValidationError) as e:
            secgroup.SecurityGroup("x", rules=rules)
        assert (e.value.id, e.value.field) == (id_, field)
        # the loader refuses the same list with the same error
        with pytest.raises(secgroup.ValidationError) as e:
            secgroup.load({"security_group": {"id": "x"}, "rules": [r.to_dict() for r in rules]})
        assert (e.value.id, e.value.field) == (id_, field)

    # As a file's list drops the default SMTP rules it lists, so does a list given in code:
    # what to_dict() writes (ordered_rules(), defaults first) reads back as the same group.
    g.rules = g.ordered_rules()
    assert g.to_dict() == before
    # the checks apply to pickle states too
    state = json.loads(g.__getstate__())
    state["rules"].append(dict(state["rules"][0]))
    with pytest.raises(secgroup.ValidationError, match="appears twice") as e:
        secgroup.SecurityGroup.__new__(secgroup.SecurityGroup).__setstate__(json.dumps(state))
    assert e.value.field == f"pickle state: rules[{len(g.rules)}].id"


def test_group_build_and_export(web):
    g = secgroup.SecurityGroup("demo", [secgroup.Rule(ports=22, ip_range="10.0.0.0/8")],
                               inbound_default_policy="drop")
    added = g.add_rule(secgroup.Rule(ports=443))
    assert added.position == 2 and len(g.rules) == 2  # numbered 1 when built, then max+1
    d = g.to_dict()
    assert set(d) == {"security_group", "rules"}
    assert d["security_group"]["inbound_default_policy"] == "drop"
    # default SMTP rules come first in the export when enabled
    assert len(d["rules"]) == 6 + 2
    assert [r["editable"] for r in d["rules"][:6]] == [False] * 6
    assert len(g.ordered_rules()) == 8
    g.enable_default_security = False
    assert len(g.ordered_rules()) == 2
    assert "SecurityGroup(" in repr(g) and str(g) == "demo"


def test_load_every_source_form(tmp_path: Path):
    path = EXAMPLES / "web.json"
    text = path.read_text()
    from_path = secgroup.load(path)
    assert len(from_path) == 1
    assert secgroup.load(str(path)) == from_path
    assert secgroup.load(text) == from_path
    assert secgroup.load(text.encode()) == from_path
    assert secgroup.load(json.loads(text)) == from_path
    assert secgroup.SecurityGroup.from_json(text) == from_path[0]
    assert secgroup.SecurityGroup.from_dict(json.loads(text)) == from_path[0]
    # the export form reads back to the same group
    g = from_path[0]
    assert secgroup.load(g.to_dict())[0] == g
    assert secgroup.load(g.to_json())[0] == g


def test_load_many_and_select():
    groups = secgroup.load(EXAMPLES / "fleet.json")
    assert len(groups) > 1
    first = groups[0]
    assert secgroup.load_group(EXAMPLES / "fleet.json", first.id) == first
    assert secgroup.load_group(EXAMPLES / "fleet.json", first.name).name == first.name
    with pytest.raises(secgroup.GroupLookupError) as e:
        secgroup.load_group(EXAMPLES / "fleet.json")
    assert e.value.id == "secgroup.lookup.302"
    with pytest.raises(secgroup.GroupLookupError) as e:
        secgroup.load_group(EXAMPLES / "fleet.json", "no-such-group")
    assert e.value.id == "secgroup.lookup.301"
    assert isinstance(e.value, LookupError)
    d = secgroup.groups_to_dict(groups)
    assert secgroup.load(d) == groups


def test_packet():
    p = secgroup.Packet("inbound", "tcp", "203.0.113.7", 22)
    assert p == secgroup.Packet.parse("inbound tcp 203.0.113.7 22")
    assert (p.direction, p.protocol, p.protocol_name, p.remote, p.port, p.family) == (
        "inbound", 6, "tcp", "203.0.113.7", 22, "IPv4")
    assert str(p) == "inbound tcp 203.0.113.7 22"
    assert p.to_dict() == {"direction": "inbound", "protocol": "tcp", "remote": "203.0.113.7", "port": 22}
    icmp6 = secgroup.Packet("outbound", "icmp", "2001:db8::1")
    assert icmp6.protocol == 58 and icmp6.port is None
    assert len({p, secgroup.Packet.parse(str(p)), icmp6}) == 2
    assert eval(repr(p), {"Packet": secgroup.Packet}) == p


@pytest.mark.parametrize("obj", [
    secgroup.Rule("UDP", "outbound", "drop", "192.0.2.0/24", ports=(1000, 2000), position=4, id="u"),
    secgroup.Packet("outbound", "udp", "2001:db8::5", 53),
    secgroup.Where("inbound and tcp and port 22"),
])
def test_pickle_values(obj):
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(obj, protocol)) == obj
    assert copy.deepcopy(obj) == obj


def test_pickle_groups_exactly(web, lint_demo):
    built = secgroup.SecurityGroup("built", [secgroup.Rule(ports=22), secgroup.Rule("ICMP")],
                                   description="d", tags=["a", "b"], stateful=False)
    built.servers = [("11111111-1111-4111-8111-111111111111", "srv")]
    for g in (web, lint_demo, built, *secgroup.load(EXAMPLES / "fleet.json")):
        back = pickle.loads(pickle.dumps(g))
        assert back == g
        assert back.rules == g.rules and back.servers == g.servers
        assert copy.copy(g) == g


def test_group_is_unhashable_but_comparable(web):
    with pytest.raises(TypeError):
        hash(web)
    other = secgroup.load_group(EXAMPLES / "web.json")
    assert other == web
    other.name = "changed"
    assert other != web


def test_default_rules():
    rules = secgroup.default_rules("nl-ams-1")
    assert len(rules) == 6 and all(not r.editable for r in rules)
    assert all(r.zone == "nl-ams-1" for r in rules)
