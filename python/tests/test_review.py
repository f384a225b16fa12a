"""secgroup.review: the review of a change, exactly as ``secgroup review`` prints it."""
from __future__ import annotations

import json
import pickle
import subprocess

import pytest

import secgroup
from conftest import CLI_DATA, EXAMPLES

REVIEW_PLAN = EXAMPLES.parent / "terraform" / "review" / "plan.json"
UPDATES_PLAN = CLI_DATA / "terraform" / "plan-updates.json"


def cli_output(cli, *args):
    proc = subprocess.run([cli, "review", *map(str, args), "--no-config"], capture_output=True,
                          text=True, cwd="/")
    assert proc.returncode in (0, 1, 4), proc.stderr
    return proc.returncode, proc.stdout


def test_plan_opens_ssh_and_closes_dns():
    r = secgroup.review(REVIEW_PLAN)
    web, db = r.groups
    assert web["address"] == "scaleway_instance_security_group.web"
    assert [t["text"] for t in web["opened"]] == ["opens TCP 22 from every IPv4 address"]
    assert [t["text"] for t in web["closed"]] == ["closes UDP 53 to 10.0.0.0/8"]
    assert web["opened"][0]["witness"]["packet"] == "inbound tcp 8.8.8.8 22"
    assert [f["check"] for f in web["introduced"]] == ["SG001", "SG008"]
    assert db["traffic"] == "unchanged" and db["rules"] == "reordered"
    assert r.failed and r.exit_code == 1 and not r.passed
    assert r.markdown().startswith("## secgroup review\n")
    assert "`inbound tcp 8.8.8.8 22`" in r.markdown()
    results = r.sarif()["runs"][0]["results"]
    assert {x["ruleId"] for x in results} == {"SG001", "SG008", "review.opened"}
    assert pickle.loads(pickle.dumps(r)) == r


def test_fail_on_and_unknown_values():
    assert secgroup.review(REVIEW_PLAN, fail_on="none").exit_code == 0
    r = secgroup.review(UPDATES_PLAN, fail_on="high")
    assert r.undecided and not r.failed and r.exit_code == 4
    api = r.groups[0]
    assert api["traffic"] == "undecided"
    assert api["unknown"] == ["scaleway_instance_security_group.api.inbound_rule[1].ip_range"]


def test_two_files():
    fleet = EXAMPLES / "fleet.json"
    r = secgroup.review(fleet, EXAMPLES / "app-backend-fixed.json")
    assert [g["change"] for g in r.groups] == ["update", "destroy", "destroy"]
    assert r.exit_code == 0
    same = secgroup.review(fleet, fleet)
    assert same.groups == [] and same.to_dict()["summary"]["unchanged_groups"] == 3


def test_bad_input():
    with pytest.raises(secgroup.ValidationError, match="one file is reviewed only when"):
        secgroup.review(EXAMPLES.parent / "terraform" / "state.json")


@pytest.mark.parametrize("path", [REVIEW_PLAN, UPDATES_PLAN])
def test_same_as_cli(cli, path):
    r = secgroup.review(path)
    code, out = cli_output(cli, path, "--format", "json")
    assert json.loads(out) == r.to_dict() and code == r.exit_code
    assert json.loads(cli_output(cli, path, "--format", "sarif")[1]) == r.sarif()
    # The same reports, the threshold named as each reader sets it.
    setting = f"fail_on='{r.to_dict()['fail_on']}'"
    as_python = lambda out: out.replace(f"--fail-on {r.to_dict()['fail_on']}", setting)  # noqa: E731
    assert as_python(cli_output(cli, path, "--format", "markdown")[1]) == r.markdown()
    assert as_python(cli_output(cli, path)[1]) == r.text()


def test_text_names_the_python_argument():
    r = secgroup.review(REVIEW_PLAN, fail_on="medium")
    assert r.text().endswith("FAILED (fail_on='medium')\n")
    assert "(`fail_on='medium'`)" in r.markdown()
    assert "--fail-on" not in r.text() + r.markdown()
