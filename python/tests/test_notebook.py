"""examples/notebook.ipynb runs headless (nbclient, ipykernel) without any error."""
from __future__ import annotations

import os

import nbclient  # Debian python3-nbclient (scripts/setup.sh): a missing one fails the test
import nbformat
import pytest

import secgroup
from conftest import REPO

NOTEBOOK = REPO / "examples" / "notebook.ipynb"


@pytest.mark.slow
def test_notebook_runs(monkeypatch):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    package_root = os.path.dirname(os.path.dirname(secgroup.__file__))  # the secgroup under test
    env_path = os.environ.get("PYTHONPATH", "")
    monkeypatch.setenv("PYTHONPATH", package_root + (os.pathsep + env_path if env_path else ""))
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    html = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if "text/html" in o.get("data", {})]
    assert html, "the result tables render as HTML"
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]
    assert len(images) >= 2, "the decision map and the diff are drawn"
