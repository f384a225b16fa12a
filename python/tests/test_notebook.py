"""examples/notebook.ipynb and examples/estate.ipynb are what python/tools/make_notebook.py
writes, byte for byte, and run headless (nbclient, ipykernel) without any error; their result
tables render as HTML and their figures are drawn (image/png)."""
from __future__ import annotations

import importlib.util
import os

import nbclient  # Debian python3-nbclient (scripts/setup.sh): a missing one fails the test
import nbformat
import pytest

import secgroup
from conftest import REPO

NOTEBOOKS = REPO / "examples"
GENERATOR = REPO / "python" / "tools" / "make_notebook.py"


def generator():
    """python/tools/make_notebook.py as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("make_notebook", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
@pytest.mark.skipif(not (getattr(secgroup, "HAS_SERVER", False) and getattr(secgroup, "HAS_CLIENT", False)),
                    reason="the estate goes through the mock API over HTTP: needs the server and client")
def test_estate_notebook_runs(monkeypatch):
    nb = run("estate.ipynb", monkeypatch)
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "groups created at http://127.0.0.1:" in text and "read from api:fr-par-1" in text
    assert len(outputs(nb, "text/html")) >= 3, "the lint frame, the ranking and the diff"
    images = outputs(nb, "image/png")
    assert len(images) >= 3, "two heatmaps and the diff overview are drawn"
    assert all(o["output_type"] == "display_data" for o in images)


def test_committed_notebooks_are_generated(tmp_path):
    """The committed notebooks are exactly what make_notebook.py writes (no hand edits, no
    drift), and it writes the same bytes every time (cell ids derived, not random)."""
    names = sorted(generator().NOTEBOOKS)
    assert names == sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    for run_dir in (tmp_path / "a", tmp_path / "b"):
        run_dir.mkdir()
        module = generator()   # fresh cells, as a new run of the script would build them
        for name in names:
            module.write(module.NOTEBOOKS[name], name, run_dir)
    for name in names:
        written = (tmp_path / "a" / name).read_bytes()
        assert written == (tmp_path / "b" / name).read_bytes(), f"{name}: not deterministic"
        assert written == (NOTEBOOKS / name).read_bytes(), (
            f"examples/{name} differs from what python/tools/make_notebook.py writes: edit the "
            "cells there and run it")
        ids = [c["id"] for c in nbformat.reads(written.decode(), as_version=4).cells]
        assert len(set(ids)) == len(ids)
