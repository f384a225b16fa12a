#!/bin/sh
# bench/report.sh: runs secgroup_bench and prints the Markdown summary table of
# docs/benchmarks.md (median of the repetitions for every set).
#
# usage: bench/report.sh [BUILD_DIR] [extra Google Benchmark flags...]
#   BUILD_DIR defaults to ./build; build the target first:
#     cmake --build BUILD_DIR --target secgroup_bench
#   SECGROUP_CLASSBENCH_DIR selects the ClassBench sets; when unset, ../shared/data/classbench
#   (relative to the project root) is used if it exists.
#   SECGROUP_BENCH_REPETITIONS (default 5) and SECGROUP_BENCH_MIN_TIME (default 0.2 s per run).
# The full console output goes to BUILD_DIR/bench-report.log; the table to stdout.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
[ $# -gt 0 ] && shift
exe=$build/bench/secgroup_bench
if [ ! -x "$exe" ]; then
  echo "report.sh: $exe not found; build it with: cmake --build $build --target secgroup_bench" >&2
  exit 1
fi
if [ -z "${SECGROUP_CLASSBENCH_DIR:-}" ] && [ -d "$root/../shared/data/classbench/filters" ]; then
  SECGROUP_CLASSBENCH_DIR=$(cd "$root/../shared/data/classbench" && pwd)
  export SECGROUP_CLASSBENCH_DIR
fi
log=$build/bench-report.log
"$exe" --secgroup_report \
  --benchmark_repetitions="${SECGROUP_BENCH_REPETITIONS:-5}" \
  --benchmark_report_aggregates_only=true \
  --benchmark_min_time="${SECGROUP_BENCH_MIN_TIME:-0.2}" \
  "$@" >"$log" 2>&1 || { tail -n 20 "$log" >&2; exit 1; }
sed -n '/^| set /,$p' "$log"
