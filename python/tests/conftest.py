"""Test set-up: import secgroup from python/src, building secgroup._core in place when needed.

From a fresh clone, `/usr/bin/python3 -m pytest python/tests` builds the compiled core once
(`setup.py build_ext --inplace`, a few minutes) before collecting tests; later runs reuse it
and rebuild only when a source (python/src/core, include/) is newer than the module. Set
SECGROUP_PY_NO_BUILD=1 to use whatever `import secgroup` finds (e.g. an installed wheel).
SECGROUP_CLI names the `secgroup` executable the agreement tests compare against.
"""
from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest

PYTHON_DIR = Path(__file__).resolve().parent.parent
SRC = PYTHON_DIR / "src"
REPO = PYTHON_DIR.parent
EXAMPLES = REPO / "examples" / "groups"
CLI_DATA = REPO / "tests" / "cli" / "data"


def _newest_source() -> float:
    newest = 0.0
    for root in (PYTHON_DIR / "src" / "core", REPO / "include" / "secgroup"):
        for p in root.rglob("*"):
            if p.suffix in (".cpp", ".hpp"):
                newest = max(newest, p.stat().st_mtime)
    newest = max(newest, (PYTHON_DIR / "setup.py").stat().st_mtime)
    return newest


def _built_module() -> Path | None:
    found = sorted((SRC / "secgroup").glob("_core*.so"))
    return found[0] if found else None


def _ensure_built() -> None:
    if os.environ.get("SECGROUP_PY_NO_BUILD") == "1":
        return
    lock_path = PYTHON_DIR / "build" / ".conftest.lock"
    lock_path.parent.mkdir(exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        module = _built_module()
        if module is not None and module.stat().st_mtime >= _newest_source():
            return
        print("\nconftest: building secgroup._core in place (setup.py build_ext --inplace)...",
              file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "setup.py", "build_ext", "--inplace"], cwd=PYTHON_DIR,
                       check=True, stdout=subprocess.DEVNULL)


_ensure_built()
if os.environ.get("SECGROUP_PY_NO_BUILD") != "1":
    sys.path.insert(0, str(SRC))
    os.environ["PYTHONPATH"] = str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", "")

import secgroup  # noqa: E402  (after the build)


@pytest.fixture(scope="session")
def lint_demo() -> secgroup.SecurityGroup:
    return secgroup.load_group(EXAMPLES / "lint-demo.json")


@pytest.fixture(scope="session")
def web() -> secgroup.SecurityGroup:
    return secgroup.load_group(EXAMPLES / "web.json")


@pytest.fixture(scope="session")
def cli() -> str:
    path = os.environ.get("SECGROUP_CLI")
    if not path:
        pytest.skip("SECGROUP_CLI is not set (the path of the secgroup executable)")
    path = os.path.abspath(path)  # relative to where pytest was started
    if not os.access(path, os.X_OK):
        pytest.fail(f"SECGROUP_CLI={path} is not an executable")
    return path
