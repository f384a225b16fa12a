"""examples/notebook.ipynb and examples/estate.ipynb run headless (nbclient, ipykernel) without
any error, their result tables render as HTML and their figures are drawn (image/png)."""
from __future__ import annotations

import os

import nbclient  # Debian python3-nbclient (scripts/setup.sh): a missing one fails the test
import nbformat
import pytest

import secgroup
from conftest import REPO

NOTEBOOKS = REPO / "examples"


def outputs(nb, key):
    """The outputs of the code cells of `nb` holding `key` (a MIME type) in their data."""
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if key in o.get("data", {})]


def run(name, monkeypatch):
    """The notebook `name` of examples/, executed from that folder with the secgroup under test."""
    path = NOTEBOOKS / name
    nb = nbformat.read(path, as_version=4)
    package_root = os.path.dirname(os.path.dirname(secgroup.__file__))  # the secgroup under test
    env_path = os.environ.get("PYTHONPATH", "")
    monkeypatch.setenv("PYTHONPATH", package_root + (os.pathsep + env_path if env_path else ""))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    return nb


@pytest.mark.slow
def test_notebook_runs(monkeypatch):
    nb = run("notebook.ipynb", monkeypatch)
    assert outputs(nb, "text/html"), "the result tables render as HTML"
    assert len(outputs(nb, "image/png")) >= 2, "the decision map and the diff are drawn"


@pytest.mark.slow
def test_estate_notebook_runs(monkeypatch):
    nb = run("estate.ipynb", monkeypatch)
    assert len(outputs(nb, "text/html")) >= 3, "the lint frame, the ranking and the diff"
    images = outputs(nb, "image/png")
    assert len(images) >= 3, "two heatmaps and the diff overview are drawn"
    assert all(o["output_type"] == "display_data" for o in images)
