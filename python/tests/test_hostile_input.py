"""Hostile input (issue 12, items 9, 10, 14): nothing hidden, nothing ignored, typed errors."""
from __future__ import annotations

import copy
import json

import pytest

import secgroup
from conftest import CLI_DATA, EXAMPLES

ZONE = "fr-par-1"
PROJECT = "192b4fed-58e5-4883-8298-69c00b493b0b"


@pytest.fixture
def web():
    return json.loads((EXAMPLES / "web.json").read_text())


def raised(kind, call):
    with pytest.raises(kind) as e:
        call()
    return e.value


def test_a_number_no_double_holds_is_a_parse_error_naming_its_field():
    text = (CLI_DATA / "bad-huge-number.json").read_text()
    for source in (text, text.encode(), CLI_DATA / "bad-huge-number.json"):
        err = raised(secgroup.ParseError, lambda: secgroup.load(source))
        assert err.id == "secgroup.parse.107"
        assert err.field.endswith("rules[7].dest_port_from")
        assert "1e309" in err.message
    # json.loads reads 1e309 as inf; no JSON number is one, so a dict holding it is refused too.
    doc = json.loads(text)
    assert doc["rules"][7]["dest_port_from"] == float("inf")
    err = raised(secgroup.ParseError, lambda: secgroup.load(doc))
    assert (err.id, err.field) == ("secgroup.parse.107", "rules[7].dest_port_from")
    err = raised(secgroup.ParseError, lambda: secgroup.lint(text))
    assert err.id == "secgroup.parse.107"


def test_a_repeated_key_is_a_parse_error_naming_it():
    path = CLI_DATA / "bad-duplicate-key.json"
    text = path.read_text()
    # Python's json (like nlohmann before) keeps the last value: SSH open to every address,
    # while a reader of the file sees 198.51.100.0/24 first.
    assert json.loads(text)["rules"][11]["ip_range"] == "0.0.0.0/0"
    for source in (text, text.encode(), path):
        for call in (secgroup.load, secgroup.lint, secgroup.load_group):
            err = raised(secgroup.ParseError, lambda: call(source))
            assert err.id == "secgroup.parse.104"
            assert err.field.endswith("rules[11].ip_range")
            assert err.message.startswith("duplicate key 'ip_range' at line 189, column 7 "
                                          "(also at line 181, column 7)")
    store = secgroup.MockStore(seed=1)
    err = raised(secgroup.ParseError,
                 lambda: store.restore('{"security_groups": [{"name": "a", "name": "b"}]}'))
    assert (err.id, err.field) == ("secgroup.parse.104", "snapshot: security_groups[0].name")
    assert len(store) == 0
    api = secgroup.MockApi(store)
    status, _, body = api.handle(
        "POST", f"/instance/v1/zones/{ZONE}/security_groups",
        body='{"name": "x", "project": "%s", "name": "y"}' % PROJECT)
    assert status == 400, body
    assert [d["argument_name"] for d in json.loads(body)["details"]] == ["name"]
    assert len(store) == 0


def test_a_default_rule_id_on_another_rule_is_refused(web):
    hidden = copy.deepcopy(web)
    hidden["rules"][0].update(direction="inbound", action="accept", dest_port_from=22)
    err = raised(secgroup.ValidationError, lambda: secgroup.load(hidden))
    assert (err.id, err.field) == ("secgroup.validation.205", "rules[0].id")
    assert "inbound accept TCP 0.0.0.0/0 22" in err.message
    err = raised(secgroup.ValidationError, lambda: secgroup.lint(CLI_DATA / "bad-hidden-ssh.json"))
    assert err.id == "secgroup.validation.205"
    # The genuine listing still loads, the default rules implied by the flag.
    (g,) = secgroup.load(web)
    assert len(g.rules) == 10
    # Given in code, such a rule is refused as the loader refuses it, the group unchanged.
    fake = secgroup.Rule(id=web["rules"][0]["id"], direction="inbound", action="accept",
                         protocol="tcp", ip_range="0.0.0.0/0", ports=22, position=1)
    err = raised(secgroup.ValidationError, lambda: setattr(g, "rules", [fake]))
    assert (err.id, err.field) == ("secgroup.validation.205", "rules[0].id")
    err = raised(secgroup.ValidationError, lambda: g.add_rule(fake))
    assert (err.id, err.field) == ("secgroup.validation.205", "rule.id")
    assert len(g.rules) == 10


def test_a_dest_ip_range_is_refused_not_ignored(web):
    with_dest = copy.deepcopy(web)
    with_dest["rules"][11]["dest_ip_range"] = "10.0.0.5"
    err = raised(secgroup.ValidationError, lambda: secgroup.load(with_dest))
    assert (err.id, err.field) == ("secgroup.validation.204", "rules[11].dest_ip_range")


def test_repeated_ids_are_refused(web):
    twice = copy.deepcopy(web)
    twice["rules"][9]["id"] = twice["rules"][7]["id"]
    err = raised(secgroup.ValidationError, lambda: secgroup.load(twice))
    assert (err.id, err.field) == ("secgroup.validation.206", "rules[9].id")
    group = dict(web["security_group"], rules=web["rules"])
    doc = {"security_groups": [group, dict(group, name="copy")]}
    err = raised(secgroup.ValidationError, lambda: secgroup.load_group(doc, group["id"]))
    assert (err.id, err.field) == ("secgroup.validation.206", "security_groups[1].id")


def test_an_input_of_no_group_is_refused_everywhere(tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_text("[]")
    for call in (lambda: secgroup.lint(empty), lambda: secgroup.lint([str(empty)])):
        err = raised(secgroup.ParseError, call)
        assert (err.id, err.field) == ("secgroup.parse.109", str(empty))
        assert err.message == "the file holds no security group"
    for source in ("[]", '{"security_groups": []}', []):
        err = raised(secgroup.ParseError, lambda: secgroup.lint(source))
        assert err.message == "the input holds no security group"
        err = raised(secgroup.ParseError, lambda: secgroup.load_group(source))
        assert err.message == "the input holds no security group"
    assert secgroup.load("[]") == []  # reading is not refusing: a list response may be empty


def test_the_mock_answers_400_naming_the_field_for_a_number_no_double_holds():
    store = secgroup.MockStore(seed=1)
    api = secgroup.MockApi(store)
    base = f"/instance/v1/zones/{ZONE}/security_groups"
    status, _, body = api.handle("POST", base, body='{"name": "x", "project": "%s", "tags": [1e309]}'
                                 % PROJECT)
    assert status == 400, body
    answer = json.loads(body)
    assert answer["type"] == "invalid_arguments"
    assert [d["argument_name"] for d in answer["details"]] == ["tags[0]"]
    err = raised(secgroup.ParseError, lambda: store.restore('{"security_groups": [1e309]}'))
    assert (err.id, err.field) == ("secgroup.parse.107", "snapshot: security_groups[0]")
    assert len(store) == 0


def test_input_text_in_error_messages_is_escaped_to_one_line():
    """Issue 12, item 11: a NUL, a newline, a CI command and an escape sequence from the file."""
    doc = {"id": "g", "rules": [{"protocol": "TCP\u0000\n::error::x\u001b[2J", "direction": "inbound",
                                 "action": "accept", "ip_range": "0.0.0.0/0"}]}
    err = raised(secgroup.ParseError, lambda: secgroup.load(json.dumps(doc)))
    assert err.id == "secgroup.parse.103"
    assert "'TCP\\x00\\n::error::x\\x1b[2J'" in err.message
    for bad in ("\n", "\x00", "\x1b"):
        assert bad not in str(err)


def test_an_endless_file_is_refused_at_the_input_limit():
    """Issue 12, item 12: /dev/zero stops at 256 MiB instead of growing without bound."""
    import pathlib
    err = raised(secgroup.ParseError, lambda: secgroup.load(pathlib.Path("/dev/zero")))
    assert err.id == "secgroup.parse.114"
    assert err.field == "/dev/zero"
    assert "268435456 bytes (256 MiB)" in err.message


@pytest.mark.parametrize("kind", ["Rule", "SecurityGroup", "CompiledGroup"])
def test_a_hostile_pickle_state_is_a_parse_error_not_a_crash(kind):
    # Unpickling runs __setstate__ on whatever bytes the pickle holds: deep nesting (which
    # overflowed the stack through the JSON library's recursion) and broken JSON are refused.
    cls = getattr(secgroup, kind)
    deep = "[" * 400_000 + "]" * 400_000
    for state in (deep, '{"rules": ', "{}"):
        obj = cls.__new__(cls)
        with pytest.raises(secgroup.ParseError):
            obj.__setstate__(state)
