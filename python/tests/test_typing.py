"""mypy passes on the code of both notebooks against the package's stub (_core.pyi, py.typed).

The code cells of examples/notebook.ipynb and examples/estate.ipynb (IPython magics left out)
are checked as modules importing secgroup from python/src, where _core.pyi types the compiled
core. A probe misusing the API must fail, so the stub is what mypy reads. matplotlib and
pandas have no stubs on Debian: their imports are not followed (--ignore-missing-imports).
Skips when mypy is absent (Debian package `mypy`, scripts/setup.sh). The stub names every
public name of the compiled core and every public member of its classes.
"""
from __future__ import annotations

import ast
import importlib.util
import inspect
import subprocess
import sys

import nbformat
import pytest

from conftest import PYTHON_DIR, REPO

needs_mypy = pytest.mark.skipif(importlib.util.find_spec("mypy") is None,
                                reason="mypy is not installed (apt-get install mypy)")

NOTEBOOKS = ("notebook.ipynb", "estate.ipynb")


def code_of(notebook: str) -> str:
    nb = nbformat.read(REPO / "examples" / notebook, as_version=4)
    cells = ["\n".join(line for line in c.source.splitlines() if not line.lstrip().startswith("%"))
             for c in nb.cells if c.cell_type == "code"]
    return "\n\n".join(cells) + "\n"


def mypy(tmp_path, files):
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", str(tmp_path / "cache"),
         "--ignore-missing-imports", "--python-version", "3.11", *files],
        cwd=tmp_path, env={"MYPYPATH": str(PYTHON_DIR / "src"), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=600)
    return result.returncode, result.stdout + result.stderr


@pytest.mark.slow
@needs_mypy
def test_mypy_passes_on_both_notebooks(tmp_path):
    files = []
    for notebook in NOTEBOOKS:
        path = tmp_path / (notebook.replace(".ipynb", "") + "_cells.py")
        path.write_text(code_of(notebook))
        files.append(path.name)
    probe = tmp_path / "probe.py"
    probe.write_text("import secgroup\n"
                     "g = secgroup.load_group('groups/web.json')\n"
                     "f = secgroup.analyze(g).findings[0]\n"
                     "x: int = f.rule_text\n"
                     "g.no_such_method()\n")
    code, out = mypy(tmp_path, files)
    assert code == 0, out
    code, out = mypy(tmp_path, [probe.name])
    assert code == 1, out
    assert '"SecurityGroup" has no attribute "no_such_method"' in out, out
    assert "Incompatible types in assignment" in out, out  # rule_text is Optional[str]


def test_stub_covers_the_compiled_core():
    """Every name of secgroup._core, and every public member of its classes, is in _core.pyi:
    mypy knows what the module has (a binding added without its stub line fails here)."""
    from secgroup import _core

    tree = ast.parse((PYTHON_DIR / "src" / "secgroup" / "_core.pyi").read_text())
    stub = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            stub[node.name] = {n.name for n in node.body if isinstance(n, ast.FunctionDef)} | {
                n.target.id for n in node.body
                if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)}
        elif isinstance(node, ast.FunctionDef):
            stub[node.name] = set()
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            stub[node.target.id] = set()
        elif isinstance(node, ast.Assign):
            stub.update({t.id: set() for t in node.targets if isinstance(t, ast.Name)})
    names = [n for n in dir(_core) if not n.startswith("__")]
    assert len(names) > 40
    assert [n for n in names if n not in stub] == []
    for name in names:
        cls = getattr(_core, name)
        if inspect.isclass(cls) and cls.__module__.startswith("secgroup"):
            members = {m for m in vars(cls) if not m.startswith("_")}
            assert members - stub[name] == set(), name
