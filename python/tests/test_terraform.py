"""Terraform plans and state as sources: load, load_group and lint read them as the CLI does."""
from __future__ import annotations

import pytest

import secgroup
from conftest import EXAMPLES

TERRAFORM = EXAMPLES.parent / "terraform"
SG = "scaleway_instance_security_group"


def test_state_loads_as_the_api_export():
    from_state = secgroup.load(TERRAFORM / "state.json")
    assert secgroup.load(TERRAFORM / "terraform.tfstate") == from_state
    api = {g.id: g for g in secgroup.load(TERRAFORM / "api-export.json")}
    assert len(from_state) == len(api) == 5
    for g in from_state:
        assert secgroup.diff(g, api[g.id]).equivalent


def test_load_group_by_address_and_unknown_values():
    web = secgroup.load_group(TERRAFORM / "plan.json", f"{SG}.web")
    assert web.name == "web"
    assert secgroup.load_group(TERRAFORM / "plan.json", "web") == web
    with pytest.raises(secgroup.ValidationError, match=r"inbound_rule\[1\]\.ip_range"):
        secgroup.load_group(TERRAFORM / "plan.json", "app-api")
    with pytest.raises(secgroup.ValidationError, match="unknown until apply"):
        secgroup.load(TERRAFORM / "plan.json")
    with pytest.raises(secgroup.GroupLookupError, match="destroyed by the plan"):
        secgroup.load_group(TERRAFORM / "plan.json", f"{SG}.legacy")


def test_lint_of_a_plan_reports_undecided_checks():
    report = secgroup.lint(TERRAFORM / "plan.json")
    undecided = [f for f in report.findings if f.undecided]
    assert undecided and report.failed
    assert {f.address for f in undecided} == {
        f'{SG}.app["api"]', f'{SG}.app["worker"]', f"module.net.{SG}.bastion[0]"}
    assert report.to_dict()["notes"] == [
        f"{TERRAFORM / 'plan.json'}: {SG}.legacy: destroyed by the plan: not linted"]
    api = secgroup.lint(EXAMPLES / "web.json").to_dict()
    assert "notes" not in api and "undecided" not in api["summary"]
