#!/usr/bin/env bash
# Runs every secgroup test, as CI does: the one command to trust before a commit.
#
#   scripts/test.sh                 # setup, then the presets ci, asan-ubsan, no-optional-deps,
#                                   # then the Python tests (when python/tests exists)
#   scripts/test.sh ci              # only the named presets (setup and Python still run)
#
# Works on a fresh Debian 12 as root: scripts/setup.sh installs the Debian packages first.
# For each preset: configure, build and ctest with -j$(nproc), in the preset's build directory
# (build-ci, build-asan, build-min). Stops at the first failure, naming the stage; prints a
# summary with the time of each stage. Environment: SECGROUP_JOBS overrides the job count.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

jobs="${SECGROUP_JOBS:-$(nproc)}"
default_presets=(ci asan-ubsan no-optional-deps)
if (($#)); then presets=("$@"); else presets=("${default_presets[@]}"); fi

stage_names=()
stage_times=()
script_start=$(date +%s)
current=""

summary() {
  local status=$1
  echo
  echo "== secgroup test summary (jobs: ${jobs}) =="
  local i
  for i in "${!stage_names[@]}"; do
    printf '  %-32s %6ss  ok\n' "${stage_names[$i]}" "${stage_times[$i]}"
  done
  if [[ -n "$current" ]]; then
    printf '  %-32s %6ss  FAILED\n' "$current" "$(($(date +%s) - stage_start))"
  fi
  printf '  %-32s %6ss  %s\n' "total" "$(($(date +%s) - script_start))" "$status"
}

# stage NAME COMMAND...: runs COMMAND, timing it; on failure prints the summary and exits.
stage() {
  local name=$1
  shift
  current=$name
  stage_start=$(date +%s)
  echo
  echo "==> [${name}] $*"
  local rc=0
  "$@" || rc=$?
  if ((rc != 0)); then
    echo >&2
    echo "test.sh: FAILED at stage '${name}' (exit ${rc}): $*" >&2
    summary FAILED
    exit "$rc"
  fi
  stage_names+=("$name")
  stage_times+=("$(($(date +%s) - stage_start))")
  current=""
}

stage "setup" scripts/setup.sh

for preset in "${presets[@]}"; do
  stage "${preset}: configure" cmake --preset "$preset"
  stage "${preset}: build" cmake --build --preset "$preset" -j "$jobs"
  stage "${preset}: test" ctest --preset "$preset" -j "$jobs"
done

# -- Python (hook) ---------------------------------------------------------------------------
# The Python package (secgroup._core) is built by setup.py; its tests run here once they exist.
# conftest.py builds secgroup._core in place when it is missing or stale; the tests comparing
# with the CLI's JSON use the ci preset's binary when it was built.
if [[ -d python/tests ]]; then
  python_env=(NPY_NUM_BUILD_JOBS="$jobs")
  [[ -x build-ci/cli/secgroup ]] && python_env+=(SECGROUP_CLI="$PWD/build-ci/cli/secgroup")
  stage "python: pytest" env "${python_env[@]}" /usr/bin/python3 -m pytest python/tests -p no:cacheprovider
else
  echo
  echo "==> [python] skipped: python/tests does not exist yet"
fi

summary "passed"
