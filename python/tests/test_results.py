"""One result protocol: every answer has len, iteration, JSON-safe to_dict(), frame(),
_repr_html_, and no truth value (bool raises, naming the property to ask)."""
from __future__ import annotations

import json
import math
import pickle
import sys

import pytest

import secgroup
from conftest import EXAMPLES

REVIEW_PLAN = EXAMPLES.parent / "terraform" / "review" / "plan.json"


def _z3_verdict(web, lint_demo):
    if not secgroup.HAS_Z3:
        pytest.skip("built without Z3")
    return secgroup.equivalent(web, lint_demo, engine="z3")


# name -> (make(web, lint_demo), item class, the items as the result's own property, the hint)
CASES = {
    "analyze": (lambda w, d: secgroup.analyze(d), secgroup.Finding, lambda r: r.findings,
                "findings"),
    "diff": (lambda w, d: secgroup.diff(w, d), secgroup.DiffRegion, lambda r: r.regions,
             "differs"),
    "verdict": (_z3_verdict, secgroup.DiffWitness, lambda r: [r.witness], "holds"),
    "query": (lambda w, d: secgroup.query(d, "inbound", protocol="tcp"), secgroup.QueryWitness,
              lambda r: r.witnesses, "answer"),
    "connect": (lambda w, d: secgroup.connect(w, w, "203.0.113.5", "192.0.2.10", "tcp", 443),
                secgroup.ConnectionLeg, lambda r: r.legs, "answer"),
    "exposure": (lambda w, d: secgroup.exposure(d, "inbound"), secgroup.ExposureEntry,
                 lambda r: r.entries, "entries"),
    "minimize": (lambda w, d: secgroup.minimize(d), secgroup.Rule, lambda r: r.removed,
                 "removed"),
    "lint": (lambda w, d: secgroup.lint(d), secgroup.LintFinding, lambda r: r.findings,
             "passed"),
    "review": (lambda w, d: secgroup.review(REVIEW_PLAN), secgroup.ReviewGroup,
               lambda r: r.groups, "passed"),
    "evaluate_many": (lambda w, d: d.compile().evaluate_many(
        ["inbound tcp 203.0.113.7 22", "outbound udp 2001:db8::1 53", "inbound icmp 10.0.0.1"]),
        secgroup.Decision, lambda r: [r[k] for k in range(len(r))], "accepted"),
}


@pytest.fixture(params=sorted(CASES))
def case(request, web, lint_demo):
    make, item_class, items, hint = CASES[request.param]
    return make(web, lint_demo), item_class, items, hint


def test_len_and_iteration(case):
    result, item_class, items, _ = case
    assert isinstance(result, secgroup.Result) and isinstance(result, secgroup.Record)
    listed = list(result)
    assert len(result) == len(listed) > 0
    assert listed == items(result)
    assert all(isinstance(i, item_class) for i in listed)


def test_to_dict_is_json(case):
    result, _, _, _ = case
    doc = result.to_dict()
    assert json.loads(json.dumps(doc)) == doc
    for item in result:
        assert json.loads(json.dumps(item.to_dict())) == item.to_dict()
    doc.clear()  # a copy: the result keeps its document
    assert result.to_dict()


def test_frame_has_readable_columns(case):
    pd = pytest.importorskip("pandas")
    result, _, _, _ = case
    frame = result.frame()
    assert list(frame.columns) == list(result.columns)
    assert len(frame) == len(result)
    cells = [[None if v is pd.NA else v for v in row] for row in frame.itertuples(index=False)]
    for row in cells:
        for cell in row:  # scalars a reader can read, never nested documents
            assert cell is None or isinstance(cell, (str, int, float, bool)) or \
                type(cell).__module__ == "numpy", cell
    # the frame holds the rows, missing values as <NA> (never NaN in a float column)
    assert cells == [[r[c] for c in result.columns] for r in result.rows()]
    assert not any(isinstance(v, float) and math.isnan(v) for row in cells for v in row)


def test_rows_match_items(case):
    result, _, _, _ = case
    rows = result.rows()
    assert len(rows) == len(result)
    assert all(list(r) == list(result.columns) for r in rows)
    assert any(v is not None for r in rows for v in r.values())


def test_html_table(case):
    result, _, _, _ = case
    html = result._repr_html_()
    assert html.startswith("<table>") and html.count("<tr>") == len(result) + 1
    for column in result.columns:
        assert f"<th>{column}</th>" in html


def test_no_truth_value(case):
    result, _, _, hint = case
    with pytest.raises(TypeError, match=rf"\.{hint}\b"):
        bool(result)
    with pytest.raises(TypeError):
        if result:
            pass


def test_pickle_equality_and_repr(case):
    result, _, _, _ = case
    back = pickle.loads(pickle.dumps(result))
    assert back == result and back is not result
    assert repr(result).startswith(type(result).__name__ + "(")
    for item in result:
        assert pickle.loads(pickle.dumps(item)) == item
        assert repr(item).startswith(type(item).__name__ + "(")


def test_frame_without_pandas(web, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas raises ImportError
    with pytest.raises(ImportError, match="apt-get install python3-pandas"):
        secgroup.exposure(web).frame()
    assert secgroup.exposure(web).rows()  # the rows need no pandas


def test_answers_read_the_right_way(web, lint_demo):
    same = secgroup.diff(web, web)
    assert same.equivalent and not same.differs and len(same) == 0
    assert secgroup.diff(web, lint_demo).differs
    assert secgroup.lint(lint_demo, fail_on="none").passed
    assert not secgroup.lint(lint_demo).passed
    review = secgroup.review(REVIEW_PLAN)
    assert not review.passed and review.failed
    assert secgroup.review(REVIEW_PLAN, fail_on="none").passed


def test_lint_findings_are_flat_with_their_group(tmp_path):
    fleet = EXAMPLES / "fleet.json"
    report = secgroup.lint(fleet)
    doc = report.to_dict()
    nested = [(g["name"] or g["id"], f["check"]) for g in doc["groups"] for f in g["findings"]]
    assert [(f.group, f.check) for f in report] == nested
    assert len(report) == len(nested)


def test_review_group_reads_as_json_and_attributes():
    group = secgroup.review(REVIEW_PLAN).groups[0]
    assert group["address"] == group.address == "scaleway_instance_security_group.web"
    assert group.opened == group["opened"] and group.change == group["change"]
    assert group.row()["opened"] == len(group.opened)


def test_minimized_items_are_the_removed_rules(lint_demo):
    m = secgroup.minimize(lint_demo)
    rows = m.rows()
    assert [r["position"] for r in rows] == [r.position for r in m.removed]
    assert [r["remote"] for r in rows] == [r.ip_range for r in m.removed]
    assert m.to_dict() == m.group.to_dict()


def test_pandas_and_matplotlib_are_imported_only_when_used(web):
    """Loading, analysing, linting and the result protocol without frame() or a plot leave
    pandas and matplotlib unimported (both optional); frame() imports pandas."""
    import os
    import subprocess

    code = ("import sys, secgroup\n"
            f"g = secgroup.load_group({str(EXAMPLES / 'web.json')!r})\n"
            "for r in (secgroup.analyze(g), secgroup.lint(g), secgroup.exposure(g)):\n"
            "    r.to_dict(); r.rows(); r._repr_html_(); list(r)\n"
            "print('pandas' in sys.modules, 'matplotlib' in sys.modules)\n"
            "secgroup.exposure(g).frame()\n"
            "print('pandas' in sys.modules)\n")
    env = {**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(secgroup.__file__))}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    lines = out.stdout.split("\n")
    assert lines[0] == "False False"
    pytest.importorskip("pandas")
    assert lines[1] == "True"
