#!/usr/bin/env bash
# Runs secgroup's tests. The full run is what CI runs (.ci/run): the one to trust before a merge.
#
#   scripts/test.sh                 # full: setup, then the presets ci (Release, Z3, server, Python
#                                   # module, header checks), asan-ubsan, no-optional-deps, then
#                                   # the Python tests against the ci build's module
#   scripts/test.sh quick           # the edit-test loop: setup, the quick preset (-O0, no header
#                                   # checks, no benches), its tests without the labels slow,
#                                   # package, sdk, bench and fuzz; the Python tests when python/
#                                   # changed (SECGROUP_QUICK_PYTHON=1 or 0 forces it)
#   scripts/test.sh ci              # only the named presets (setup and Python still run)
#   scripts/test.sh tsan            # ThreadSanitizer over the mock and server suites and
#                                   # `secgroup serve`; not in the default run (about 2 minutes
#                                   # on 2 cores, over what the 20-minute budget can spare)
#
# Works on a fresh Debian 12 as root: scripts/setup.sh installs the Debian packages first.
# For each preset: configure, build and ctest with -j$(nproc), in the preset's build directory
# (build-ci, build-asan, build-min, build-quick). Compiles through ccache (installed by setup),
# so the presets share what they compile alike. Stops at the first failure, naming the stage;
# prints a summary with the time of each stage. SECGROUP_JOBS overrides the job count.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

jobs="${SECGROUP_JOBS:-$(nproc)}"
default_presets=(ci asan-ubsan no-optional-deps)
quick=0
if [[ "${1:-}" == quick ]]; then
  quick=1
  presets=(quick)
elif (($#)); then
  presets=("$@")
else
  presets=("${default_presets[@]}")
fi

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

# -- Python ---------------------------------------------------------------------------------
# The module secgroup._core is a target of the presets ci and quick (python/CMakeLists.txt); the
# tests import it from that build (python/tests/conftest.py) and compare with its CLI.
python_changed() {  # python/ differs from HEAD, or HEAD from its upstream, in python/
  [[ -n "$(git status --porcelain -- python 2>/dev/null)" ]] && return 0
  local base
  base=$(git merge-base HEAD '@{upstream}' 2>/dev/null) || return 1
  ! git diff --quiet "$base" HEAD -- python
}
python_build=""
for preset in "${presets[@]}"; do
  case $preset in
    ci) python_build=build-ci ;;
    quick) python_build=build-quick ;;
  esac
done
run_python=1
if ((quick)); then
  case ${SECGROUP_QUICK_PYTHON:-auto} in
    1) run_python=1 ;;
    0) run_python=0 ;;
    *) python_changed || run_python=0 ;;
  esac
fi
if [[ -z "$python_build" ]]; then
  echo
  echo "==> [python] skipped: no preset with the Python module (ci, quick) was run"
elif ((run_python == 0)); then
  echo
  echo "==> [python] skipped: python/ unchanged (SECGROUP_QUICK_PYTHON=1 runs it)"
else
  python_env=(SECGROUP_PYTHON_BUILD="$PWD/$python_build")
  [[ -x $python_build/cli/secgroup ]] && python_env+=(SECGROUP_CLI="$PWD/$python_build/cli/secgroup")
  stage "python: pytest" env "${python_env[@]}" /usr/bin/python3 -m pytest python/tests -p no:cacheprovider
fi

summary "passed"
