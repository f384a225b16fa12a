"""Test set-up: import secgroup as the project's CMake build made it.

The compiled core secgroup._core is built by CMake (python/CMakeLists.txt, target
secgroup_python) into <build>/python/secgroup/, beside links to the pure-Python sources, so
<build>/python is an importable tree. The build used: $SECGROUP_PYTHON_BUILD (a CMake build
directory configured with SECGROUP_BUILD_PYTHON=ON), else the first of build-ci, build-quick and
build that has it. Before collecting, conftest brings the module up to date
(`cmake --build <build> --target secgroup_python`: nothing to do when no source or header
changed). Set SECGROUP_PY_NO_BUILD=1 to use whatever `import secgroup` finds (e.g. an installed
package). SECGROUP_CLI names the `secgroup` executable the agreement tests compare against.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PYTHON_DIR = Path(__file__).resolve().parent.parent
REPO = PYTHON_DIR.parent
EXAMPLES = REPO / "examples" / "groups"
CLI_DATA = REPO / "tests" / "cli" / "data"


def _build_dir() -> Path:
    """The CMake build directory holding secgroup_python."""
    named = os.environ.get("SECGROUP_PYTHON_BUILD")
    candidates = [Path(named)] if named else [REPO / d for d in ("build-ci", "build-quick", "build")]
    for d in candidates:
        cache = d / "CMakeCache.txt"
        if cache.is_file() and "SECGROUP_BUILD_PYTHON:BOOL=ON" in cache.read_text():
            return d.resolve()
    raise pytest.UsageError(
        "no CMake build with the Python module: run `cmake --preset quick && cmake --build "
        "--preset quick --target secgroup_python` (or the ci preset), set SECGROUP_PYTHON_BUILD "
        "to a build directory configured with -DSECGROUP_BUILD_PYTHON=ON, or set "
        "SECGROUP_PY_NO_BUILD=1 to test an installed package")


def _use_build() -> None:
    build = _build_dir()
    subprocess.run(["cmake", "--build", str(build), "--target", "secgroup_python"], check=True,
                   stdout=sys.stderr)
    tree = str(build / "python")
    sys.path.insert(0, tree)
    os.environ["PYTHONPATH"] = tree + os.pathsep + os.environ.get("PYTHONPATH", "")


if os.environ.get("SECGROUP_PY_NO_BUILD") != "1":
    _use_build()

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
