"""docs/python.md is what a new user follows on a fresh Debian 12 machine: every Debian package
it names is installed by scripts/setup.sh, its ipykernel registration command registers a
kernel running the interpreter that ran it, and its headless notebook commands run as written
(with the package under test on PYTHONPATH) and print what the page shows."""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys

import pytest

import secgroup
from conftest import REPO

DOC = (REPO / "docs" / "python.md").read_text()
SETUP = (REPO / "scripts" / "setup.sh").read_text()
PACKAGE = re.compile(r"`(python3-[a-z0-9.-]+|[a-z0-9+.-]+-dev|mypy)`")


def shell_blocks(containing):
    """The ```sh blocks of the page holding `containing`."""
    return [b for b in re.findall(r"```sh\n(.*?)```", DOC, re.S) if containing in b]


def test_every_package_the_page_names_is_installed_by_setup():
    named = set(PACKAGE.findall(DOC))
    assert {"python3-venv", "python3-ipykernel", "python3-nbclient", "python3-numpy"} <= named
    listed = re.search(r"^packages=\((.*?)^\)$", SETUP, re.S | re.M).group(1)
    installed = set(re.sub(r"#.*", "", listed).split())
    assert {"python3-pybind11", "python3-venv"} <= installed
    assert named - installed == set(), "named in docs/python.md, missing from scripts/setup.sh"


def test_kernel_registration_as_documented(tmp_path):
    """The page's `ipykernel install --user` line, run by this interpreter with HOME in a temp
    dir, writes the kernelspec it shows, whose kernel.json runs this interpreter."""
    (block,) = shell_blocks("ipykernel install")
    command, shown = [line for line in block.splitlines() if line.strip()][:2]
    argv = shlex.split(command)
    assert argv[0].endswith("/bin/python") and "--user" in argv  # the venv's interpreter
    out = subprocess.run([sys.executable] + argv[1:], env={**os.environ, "HOME": str(tmp_path)},
                         capture_output=True, text=True, check=True)
    where = re.search(r"kernelspec secgroup in (\S+)", shown).group(1)
    home = re.match(r"/(?:root|home/[^/]+)", where).group(0)
    kernel_dir = tmp_path / os.path.relpath(where, home)
    assert f"Installed kernelspec secgroup in {kernel_dir}" in out.stdout + out.stderr
    spec = json.loads((kernel_dir / "kernel.json").read_text())
    assert spec["argv"][0] == sys.executable and spec["display_name"] == "Python 3 (secgroup)"


@pytest.mark.slow
@pytest.mark.parametrize("notebook", ["notebook.ipynb", "estate.ipynb"])
def test_headless_command_as_documented(notebook, tmp_path):
    """The page's headless command for `notebook`, with the package under test in place of
    ../build-ci/python, runs the notebook and prints the page's `# ran N code cells`."""
    if notebook == "estate.ipynb" and not (getattr(secgroup, "HAS_SERVER", False)
                                           and getattr(secgroup, "HAS_CLIENT", False)):
        pytest.skip("the estate notebook goes through the mock API over HTTP")
    (block,) = [b for b in shell_blocks("nbclient.NotebookClient") if f"'{notebook}'" in b]
    command, shown = block.rsplit("\n# ", 1)
    package_root = os.path.dirname(os.path.dirname(secgroup.__file__))
    assert "PYTHONPATH=../build-ci/python " in command
    command = command.replace("../build-ci/python", package_root).replace("/tmp/", f"{tmp_path}/")
    out = subprocess.run(["bash", "-c", command], cwd=REPO, capture_output=True, text=True,
                         timeout=600, env={**os.environ, "MPLBACKEND": "Agg"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == shown.strip()
    assert list(tmp_path.glob("*.out.ipynb")), "the executed notebook is written"


# -- The ```python blocks of the page -------------------------------------------------------

#: Names the page leaves to the reader, defined before the block that first uses them (the
#: block is found by a line of it). Paths are the page's, from the repository root.
PRELUDES = {
    'batch = g.evaluate_many(packets, compiled=c)': """
packets = ["inbound tcp 203.0.113.7 22", ("outbound", "udp", "2001:db8::1", 53)]
dirs, protos, addrs, ports = ["inbound", "outbound"], ["tcp", "icmp"], ["10.0.0.1", "::1"], [22, -1]
""",
    '>>> c = secgroup.load_group("examples/groups/web.json").compile()': "import numpy as np",
    '>>> secgroup.exposure(g).frame()': """
g = secgroup.load_group("examples/groups/lint-demo.json")
web = secgroup.load_group("examples/groups/web.json")
""",
    'with multiprocessing.Pool() as pool:': "import multiprocessing",
    'f = [f for f in g.analyze() if any(f.related_smtp_default)][0]':
        'g = secgroup.load_group("examples/groups/lint-demo.json")',
    'from secgroup import plot': """
import matplotlib
matplotlib.use("Agg")
a, b = secgroup.load_group("examples/groups/web.json"), g
groups_or_export = "examples/groups/fleet.json"
""",
    'store = secgroup.MockStore(seed=1)': """
import urllib.request
PROJECT = "9d7d0f25-6c1d-4b4b-9f3c-5a6e9c1d2b3a"
SERVER_UUID = "3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
""",
}
#: Blocks that cannot run here, with why.
NOT_RUN = {
    'secgroup.read_api("api:fr-par-1,nl-ams-1", profile="prod")':
        "reads the live Instance API with the credentials of a profile",
}


def python_blocks():
    return re.findall(r"```python\n(.*?)```", DOC, re.S)


def _expected(comment):
    """What a comment after an expression says it gives: ('repr', pattern) for a repr such as
    Decision(...) ('...' standing for any text), ('value', v) for a Python literal, or None for
    prose."""
    import ast
    text = comment.strip()
    if re.match(r"^[A-Z]\w*\(.*\)$", text, re.S):
        return "repr", text
    try:
        return "value", ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None


def _check_statement(stmt, lines, value):
    """Compares `value`, of the expression statement `stmt`, with what its comment (on its last
    line, else the comment lines right below it) says."""
    last = lines[stmt.end_lineno - 1]
    comment = last.split("#", 1)[1] if "#" in last and not last.lstrip().startswith("#") else None
    if comment is None:
        below = []
        for line in lines[stmt.end_lineno:]:
            if not line.startswith("#"):
                break
            below.append(line[1:].strip())
        comment = " ".join(below) if below else None
    expected = _expected(comment) if comment else None
    if expected is None:
        return 0
    kind, want = expected
    if kind == "value":
        assert value == want, f"{lines[stmt.lineno - 1]!r} gives {value!r}, the page says {want!r}"
    else:
        got = value if isinstance(value, str) else repr(value)
        pattern = ".*".join(re.escape(part) for part in want.split("..."))
        assert re.fullmatch(pattern, got, re.S), \
            f"{lines[stmt.lineno - 1]!r} gives {got}, the page says {want}"
    return 1


def test_python_blocks_run_and_give_what_their_comments_say(tmp_path, monkeypatch):
    """Every ```python block of the page runs, in page order, in one namespace (as a reader
    types them), from a directory where the page's paths resolve; each expression whose comment
    is a repr or a literal gives it, and each >>> block prints what the page shows."""
    import ast
    import doctest

    if not getattr(secgroup, "HAS_SERVER", False):
        pytest.skip("the mock API block starts a MockServer")
    (tmp_path / "examples").symlink_to(REPO / "examples")
    monkeypatch.chdir(tmp_path)
    namespace = {}
    blocks = python_blocks()
    checked = 0
    for block in blocks:
        if any(mark in block for mark in NOT_RUN):
            continue
        for mark, code in PRELUDES.items():
            if mark in block:
                exec(code, namespace)
        if block.startswith(">>>"):
            test = doctest.DocTestParser().get_doctest(block, namespace, "python.md", None, 0)
            runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
            runner.run(test, clear_globs=False)
            assert runner.failures == 0, f"a >>> block of docs/python.md differs:\n{block}"
            checked += len(test.examples)
            continue
        lines = block.splitlines()
        for stmt in ast.parse(block).body:
            if isinstance(stmt, ast.Expr):
                value = eval(compile(ast.Expression(stmt.value), "python.md", "eval"), namespace)
                checked += _check_statement(stmt, lines, value)
            else:
                exec(compile(ast.Module([stmt], []), "python.md", "exec"), namespace)
    assert checked >= 15
    for mark in list(PRELUDES) + list(NOT_RUN):
        assert any(mark in b for b in blocks), f"no block of docs/python.md has {mark!r}"
