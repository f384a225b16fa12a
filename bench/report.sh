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
#   SECGROUP_BENCH_ONLY=lookup runs only the lookup and build benchmarks (the first table),
#   =analysis only the analyses (the second table); unset, every benchmark but the cost-growth
#   ones (growth/..., up to 100K rules: scripts/growth_plot.py and docs/benchmarks.md, "Cost
#   growth", run them). A --benchmark_filter among the extra flags takes precedence.
# The full console output goes to BUILD_DIR/bench-report.log; the tables to stdout.
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
case "${SECGROUP_BENCH_ONLY:-}" in
  "") only='--benchmark_filter=-^growth/' ;;
  lookup) only='--benchmark_filter=^(linear|linear_boxes|compiled|compiled_latency|batch64|batch256|build_compiled|build_map)/' ;;
  analysis) only='--benchmark_filter=^(analyze|find_anomalies|order|diff|diff_inverted|diff_reordered|diff_flag|query|connection|exposure|minimize)/' ;;
  *) echo "report.sh: SECGROUP_BENCH_ONLY must be lookup or analysis" >&2; exit 1 ;;
esac
log=$build/bench-report.log
"$exe" --secgroup_report ${only:+"$only"} \
  --benchmark_repetitions="${SECGROUP_BENCH_REPETITIONS:-5}" \
  --benchmark_report_aggregates_only=true \
  --benchmark_min_time="${SECGROUP_BENCH_MIN_TIME:-0.2}" \
  "$@" >"$log" 2>&1 || { tail -n 20 "$log" >&2; exit 1; }
sed -n '/^| set /,$p' "$log"
