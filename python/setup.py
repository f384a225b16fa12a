"""Builds the secgroup Python package: the pure-Python layer and the compiled core secgroup._core.

The core is compiled by the project's CMake build (python/CMakeLists.txt, target
secgroup_python), so it has exactly the flags, optional parts and header dependencies of the
rest of the project; this script only configures that build, runs it (its progress is shown)
and copies the module into the package. Works offline:

    /usr/bin/python3 -m pip install --no-build-isolation --no-deps .

Environment: SECGROUP_WITH_Z3 / SECGROUP_WITH_SERVER (AUTO, ON or OFF; default AUTO) choose
the optional parts; SECGROUP_JOBS the parallel jobs (default: the number of CPUs);
SECGROUP_CMAKE_ARGS extra arguments for the configure step.
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VERSION = re.search(r'#define SECGROUP_VERSION_STRING "([^"]+)"',
                    (ROOT / "include" / "secgroup" / "version.hpp").read_text()).group(1)


class cmake_build_ext(build_ext):
    """Builds secgroup._core with CMake (target secgroup_python) and copies it in place."""

    def build_extension(self, ext: Extension) -> None:
        build_dir = HERE / "build" / "cmake"
        jobs = os.environ.get("SECGROUP_JOBS", str(os.cpu_count() or 2))
        configure = [
            "cmake", "-S", str(ROOT), "-B", str(build_dir), "-G", "Ninja",
            "-DCMAKE_BUILD_TYPE=Release",
            "-DSECGROUP_BUILD_PYTHON=ON", "-DSECGROUP_BUILD_TESTS=OFF",
            "-DSECGROUP_BUILD_EXAMPLES=OFF", "-DSECGROUP_BUILD_BENCH=OFF",
            "-DSECGROUP_BUILD_CLI=OFF", "-DSECGROUP_INSTALL=OFF", "-DSECGROUP_WERROR=OFF",
            f"-DPython_EXECUTABLE={sys.executable}",
            f"-DSECGROUP_WITH_Z3={os.environ.get('SECGROUP_WITH_Z3', 'AUTO')}",
            f"-DSECGROUP_WITH_SERVER={os.environ.get('SECGROUP_WITH_SERVER', 'AUTO')}",
            *shlex.split(os.environ.get("SECGROUP_CMAKE_ARGS", "")),
        ]
        print("setup.py: " + shlex.join(configure), flush=True)
        subprocess.run(configure, check=True)
        build = ["cmake", "--build", str(build_dir), "--target", "secgroup_python", "-j", jobs]
        print("setup.py: " + shlex.join(build), flush=True)
        subprocess.run(build, check=True)
        built = sorted((build_dir / "python" / "secgroup").glob("_core*.so"))
        if not built:
            sys.exit("setup.py: the CMake build produced no secgroup/_core*.so")
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[0], target)


setup(
    name="secgroup",
    version=VERSION,
    description="Scaleway security groups, modelled exactly: evaluation, analyses, lint, Z3, mock API",
    package_dir={"": "src"},
    packages=["secgroup"],
    package_data={"secgroup": ["py.typed", "*.pyi"]},
    ext_modules=[Extension("secgroup._core", sources=[])],
    cmdclass={"build_ext": cmake_build_ext},
    python_requires=">=3.9",
    zip_safe=False,
)
