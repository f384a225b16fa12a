"""secgroup.lint on files and on groups in memory; config forms; SARIF."""
from __future__ import annotations

import json
import pickle

import pytest

import secgroup
from conftest import EXAMPLES


def test_lint_groups_and_files_agree(lint_demo):
    on_file = secgroup.lint(EXAMPLES / "lint-demo.json")
    in_memory = secgroup.lint(lint_demo)
    assert [f.check for f in on_file.findings] == [f.check for f in in_memory.findings]
    assert [f.message for f in on_file.findings] == [f.message for f in in_memory.findings]
    assert on_file.findings, "the demo group has lint findings"
    assert on_file.failed == in_memory.failed
    assert on_file.exit_code == (1 if on_file.failed else 0)
    assert "<table>" in in_memory._repr_html_()
    assert pickle.loads(pickle.dumps(on_file)) == on_file
    assert on_file.text()


def test_findings_in_memory_have_no_line_and_files_keep_theirs(lint_demo):
    # docs/python.md, Analyses: linting groups in memory gives line None (it gave 1)
    in_memory = secgroup.lint(lint_demo)
    (group,) = in_memory.to_dict()["groups"]
    assert group["line"] is None and group["findings"]
    assert [f["line"] for f in group["findings"]] == [None] * len(group["findings"])
    assert all(r["line"] is None for f in group["findings"] for r in f["rules"] + f["related"])
    assert in_memory.frame()["line"].isna().all()
    # SARIF needs a line >= 1 for a region: line 1 there, as before
    for res in in_memory.sarif()["runs"][0]["results"]:
        assert res["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    on_file = secgroup.lint(EXAMPLES / "lint-demo.json")
    assert all(isinstance(f["line"], int) and f["line"] >= 1
               for f in on_file.to_dict()["groups"][0]["findings"])


def test_fail_on_and_config(lint_demo):
    assert not secgroup.lint(lint_demo, fail_on="none").failed
    first = secgroup.lint(lint_demo).findings[0]
    config = {"checks": {first.check: {"enabled": False}}}
    quiet = secgroup.lint(lint_demo, config=config)
    assert first.check not in [f.check for f in quiet.findings]
    assert secgroup.lint(lint_demo, config=json.dumps(config)) == quiet
    with pytest.raises(secgroup.Error):
        secgroup.lint(lint_demo, config={"checks": {"SG999": {"enabled": False}}})
    with pytest.raises(secgroup.ParseError):
        secgroup.lint(lint_demo, fail_on="sometimes")


def test_yaml_config_file_reads_as_json(lint_demo, tmp_path):
    first = secgroup.lint(lint_demo).findings[0]
    as_json = tmp_path / "lint.json"
    as_json.write_text(json.dumps({"checks": {first.check: {"enabled": False}}}))
    as_yaml = tmp_path / "lint.yaml"
    as_yaml.write_text(f"checks:\n  {first.check}:\n    enabled: false\n")
    try:
        from_yaml = secgroup.lint(lint_demo, config=as_yaml)
    except secgroup.ParseError as e:
        # A module built without the YAML part says which option adds it.
        assert "SECGROUP_WITH_YAML" in str(e)
        pytest.skip("built without secgroup::yaml")
    assert from_yaml == secgroup.lint(lint_demo, config=as_json)
    assert first.check not in [f.check for f in from_yaml.findings]
    as_yaml.write_text("checks:\n  SG001:\n    severity: urgent\n")
    with pytest.raises(secgroup.ParseError, match=r"lint\.yaml:3: checks\.SG001\.severity"):
        secgroup.lint(lint_demo, config=str(as_yaml))


def test_text_names_the_python_argument(lint_demo):
    # The CLI's text ends with "FAILED (--fail-on low)"; Python names its own argument.
    assert secgroup.lint(lint_demo).text().endswith("FAILED (fail_on='low')\n")
    assert secgroup.lint(lint_demo, fail_on="none").text().endswith("PASSED (fail_on='none')\n")
    assert "--fail-on" not in secgroup.lint(lint_demo, fail_on="critical").text()
    # A threshold from the configuration is named as its key; the argument wins over it.
    from_config = secgroup.lint(lint_demo, config={"fail_on": "critical"})
    assert from_config.text().endswith("(fail_on: critical in the configuration)\n")
    over = secgroup.lint(lint_demo, config={"fail_on": "critical"}, fail_on="high")
    assert over.text().endswith("(fail_on='high')\n")


def test_sarif_shape(lint_demo):
    sarif = secgroup.lint(lint_demo).sarif()
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert len(results) == len(secgroup.lint(lint_demo).findings)


def test_catalogue():
    checks = secgroup.lint_checks()
    assert checks and {"id", "severity", "enabled"} <= set(checks[0])


def test_jobs_give_the_same_report_and_bad_counts_are_refused():
    one = secgroup.lint(EXAMPLES, jobs=1)
    assert len(one.to_dict()["groups"]) > 3
    for jobs in (2, 0):
        assert secgroup.lint(EXAMPLES, jobs=jobs).to_dict() == one.to_dict()
    for bad in (-1, 1025):
        with pytest.raises(secgroup.ValidationError) as e:
            secgroup.lint(EXAMPLES, jobs=bad)
        assert e.value.field == "jobs"
