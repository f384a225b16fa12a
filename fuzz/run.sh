#!/usr/bin/env bash
# Runs one target of secgroup_fuzz for the ctest fuzz/<target>: resets WORK_DIR, copies the
# seed corpus SEED_DIR into WORK_DIR/corpus (libFuzzer adds the inputs it finds there, never to
# the source tree) and fuzzes with the given libFuzzer options. A crash is saved in
# WORK_DIR/artifacts/ and named on failure, with the command that reproduces it.
#
#   fuzz/run.sh SECGROUP_FUZZ TARGET SEED_DIR WORK_DIR [LIBFUZZER_OPTION...]
set -euo pipefail

usage="usage: run.sh SECGROUP_FUZZ TARGET SEED_DIR WORK_DIR [LIBFUZZER_OPTION...]"
binary=${1:?$usage}
target=${2:?$usage}
seeds=${3:?$usage}
work=${4:?$usage}
shift 4

rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
cp -R "$seeds"/. "$work/corpus/"

rc=0
SECGROUP_FUZZ_TARGET=$target "$binary" "$@" -artifact_prefix="$work/artifacts/" \
  "$work/corpus" || rc=$?
if ((rc != 0)); then
  for artifact in "$work"/artifacts/*; do
    [[ -e $artifact ]] || continue
    echo "run.sh: target $target failed on $artifact; reproduce with:"
    echo "  SECGROUP_FUZZ_TARGET=$target $binary $artifact"
  done
fi
exit "$rc"
