"""Builds the secgroup Python package: the pure-Python layer and the compiled core secgroup._core.

The core is header-only C++20 (../include); Z3 is linked when its C++ header is installed
(SECGROUP_HAS_Z3). Works offline: `pip install --no-build-isolation --no-deps .` or
`python3 setup.py build_ext --inplace` (tests). NPY_NUM_BUILD_JOBS sets the parallel jobs (2).
"""
import os
import re
import shlex
import subprocess
from pathlib import Path

from pybind11.setup_helpers import ParallelCompile, Pybind11Extension, build_ext, naive_recompile
from setuptools import setup

HERE = Path(__file__).resolve().parent
INCLUDE = (HERE / ".." / "include").resolve()
if not INCLUDE.is_dir():  # building from an sdist that vendors the headers
    INCLUDE = HERE / "include"

# The library is header-only: the module and its objects are stale when any header is newer,
# not just their .cpp (setuptools and pybind11 only compare the sources by default).
HEADERS = sorted(str(p) for root in (INCLUDE, HERE / "src" / "core") for p in root.rglob("*.hpp"))
NEWEST_HEADER = max((os.stat(h).st_mtime for h in HEADERS), default=0.0)


def needs_recompile(obj: str, src: str) -> bool:
    """True when `obj` is missing or older than `src` or than any header."""
    return naive_recompile(obj, src) or os.stat(obj).st_mtime < NEWEST_HEADER


ParallelCompile("NPY_NUM_BUILD_JOBS", default=2, needs_recompile=needs_recompile).install()

version = re.search(r'#define SECGROUP_VERSION_STRING "([^"]+)"',
                    (INCLUDE / "secgroup" / "version.hpp").read_text()).group(1)

sources = sorted(str(p.relative_to(HERE)) for p in (HERE / "src" / "core").glob("*.cpp"))
macros = [("SECGROUP_PYTHON_VERSION", f'"{version}"')]
libraries = []
want_z3 = os.environ.get("SECGROUP_WITH_Z3", "auto").lower()
if want_z3 != "0" and want_z3 != "off" and Path("/usr/include/z3++.h").exists():
    macros.append(("SECGROUP_HAS_Z3", "1"))
    libraries.append("z3")

extra_link = []
want_server = os.environ.get("SECGROUP_WITH_SERVER", "auto").lower()
if want_server not in ("0", "off") and (INCLUDE / "secgroup" / "server" / "http.hpp").exists() \
        and Path("/usr/include/httplib.h").exists():
    try:  # Debian's libcpp-httplib: the .pc file carries the defines the library was built with
        flags = shlex.split(subprocess.run(["pkg-config", "--cflags", "--libs", "cpp-httplib"],
                                           check=True, capture_output=True, text=True).stdout)
    except (OSError, subprocess.CalledProcessError):
        flags = None
    if flags is not None:
        sources.append(str(Path("src") / "core" / "optional" / "server.cpp"))
        macros.append(("SECGROUP_HAS_SERVER", "1"))
        for f in flags:
            if f.startswith("-D"):
                name, _, value = f[2:].partition("=")
                macros.append((name, value or None))
            elif f.startswith("-l"):
                libraries.append(f[2:])
            else:
                extra_link.append(f)

ext = Pybind11Extension(
    "secgroup._core",
    sources,
    depends=HEADERS,
    include_dirs=[str(INCLUDE)],
    define_macros=macros,
    libraries=libraries,
    cxx_std=20,
    extra_compile_args=["-O2", "-fvisibility=hidden", "-Wall", "-Wextra"],
    extra_link_args=extra_link,
)

setup(
    name="secgroup",
    version=version,
    description="Scaleway security groups, modelled exactly: evaluation, analyses, lint, Z3, mock API",
    package_dir={"": "src"},
    packages=["secgroup"],
    package_data={"secgroup": ["py.typed", "*.pyi"]},
    ext_modules=[ext],
    cmdclass={"build_ext": build_ext},
    python_requires=">=3.9",
    zip_safe=False,
)
