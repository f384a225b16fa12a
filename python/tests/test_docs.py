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
