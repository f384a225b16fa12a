#!/usr/bin/env bash
# Installs every Debian package secgroup needs to build, test and benchmark.
# Idempotent: packages already present are left alone. Run as root on Debian 12.
#   scripts/setup.sh           # what the build, the tests and CI need
#   scripts/setup.sh --peers   # and DPDK (libdpdk-dev, about 80 packages), the benchmark peer
#                              # of bench/dpdk/, which the tests and CI do without
set -euo pipefail

peers=0
for arg in "$@"; do
  case "$arg" in
    --peers) peers=1 ;;
    *) echo "setup: unknown argument $arg (expected --peers)" >&2; exit 2 ;;
  esac
done

packages=(
  build-essential cmake ninja-build pkg-config git ccache
  clang-14 libclang-rt-14-dev
  libboost-dev nlohmann-json3-dev libcli11-dev catch2 libbenchmark-dev
  libz3-dev libcpp-httplib-dev
  libyaml-cpp-dev  # secgroup::yaml: YAML lint configuration and the scw config file (profiles)
  wrk curl  # bench/serve_load.sh: the load test of secgroup serve (ctest bench_serve_load)
  pybind11-dev python3-pybind11 python3-dev python3-pytest python3-setuptools python3-pip
  python3-numpy   # the Python module: evaluate_many batches are NumPy arrays (docs/python.md)
  python3-matplotlib python3-nbclient python3-ipykernel
  python3-pandas  # Result.frame() (docs/python.md)
  python3-venv    # the documented venv install of the package (docs/python.md)
  mypy            # the type stub checked against both notebooks (python/tests/test_typing.py)
)
((peers)) && packages+=(libdpdk-dev)
# Node.js drives the Scaleway JavaScript SDK test; keep a preinstalled one (it bundles npm).
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all packages present"
fi
