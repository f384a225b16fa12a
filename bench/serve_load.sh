#!/usr/bin/env bash
# bench/serve_load.sh: a load test of `secgroup serve` over loopback with wrk (Debian's wrk).
#
#   bench/serve_load.sh SECGROUP_BINARY
#
# For each mode, `memory` (no --state) and `state` (--state DIR/state.json: every change is in
# the journal and fdatasync'ed before it is answered), starts `secgroup serve --port 0` with one
# token, seeds its project with SERVE_LOAD_GROUPS groups of SERVE_LOAD_RULES rules (curl), then
# runs wrk once per scenario and connection count, SERVE_LOAD_DURATION seconds each:
#   list-groups       GET    .../security_groups (one page: every seeded group)
#   get-rules         GET    .../security_groups/{sg}/rules (6 default + the user rules)
#   patch-group       PATCH  .../security_groups/{sg} (a new description each time)
#   put-rules         PUT    .../security_groups/{sg}/rules (4 new rules replace the group's)
#   post-delete-rule  POST   .../security_groups/{sg}/rules, then DELETE that rule, in turns
# (bench/wrk/SCENARIO.lua; writes take the seeded groups in turn). Prints a Markdown table on
# standard output (mode, scenario, connections, requests/s, p50 and p99 latency, errors);
# progress and failures go to standard error.
# Contract: every run gets only 2xx answers (counted by the Lua scripts), no socket error, and
# the server survives it and stops cleanly; otherwise the run is named on standard error and
# the script exits 1 after the table. Bounded: the runs take runs x duration plus a few seconds
# per mode (defaults: 20 runs of 5 s, about 2 minutes); each wrk is killed after duration + 30 s;
# writes delete or replace what they add, so the store stays the same size however long the run.
# The server is stopped and the temporary directory removed on exit, whatever happens.
#
# Environment (default): SERVE_LOAD_DURATION (5) seconds per run; SERVE_LOAD_CONNECTIONS
# ("1 16"); SERVE_LOAD_SCENARIOS (the five above); SERVE_LOAD_MODES ("memory state");
# SERVE_LOAD_GROUPS (20); SERVE_LOAD_RULES (10); TMPDIR (/tmp): where the state file goes, so the
# disk whose fdatasync is measured.
# Exit status: 0 every run clean; 1 some run failed; 2 bad usage or the server could not be
# started or seeded; 77 wrk or curl is missing (ctest's skip code).
set -euo pipefail

usage() {
  echo "usage: bench/serve_load.sh SECGROUP_BINARY" >&2
  exit 2
}
secgroup=${1:-}
[[ -n $secgroup ]] || usage
[[ -x $secgroup ]] || {
  echo "serve_load: $secgroup is not an executable" >&2
  exit 2
}
for tool in wrk curl; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "serve_load: skipped: $tool is not installed (Debian package: $tool)" >&2
    exit 77
  fi
done

wrk_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/wrk" && pwd)
duration=${SERVE_LOAD_DURATION:-5}
read -ra connections <<<"${SERVE_LOAD_CONNECTIONS:-1 16}"
read -ra scenarios <<<"${SERVE_LOAD_SCENARIOS:-list-groups get-rules patch-group put-rules post-delete-rule}"
read -ra modes <<<"${SERVE_LOAD_MODES:-memory state}"
group_count=${SERVE_LOAD_GROUPS:-20}
rule_count=${SERVE_LOAD_RULES:-10}
for n in "$duration" "$group_count" "${connections[@]}"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || {
    echo "serve_load: expected a positive integer, got '$n'" >&2
    exit 2
  }
done
[[ $rule_count =~ ^[0-9]+$ ]] || usage
for s in "${scenarios[@]}"; do
  [[ -f $wrk_dir/$s.lua ]] || {
    echo "serve_load: unknown scenario '$s' (no $wrk_dir/$s.lua)" >&2
    exit 2
  }
done
for m in "${modes[@]}"; do
  [[ $m == memory || $m == state ]] || {
    echo "serve_load: unknown mode '$m' (memory or state)" >&2
    exit 2
  }
done

token=3f0c1d2e-aaaa-4bbb-8ccc-0000000000aa
project=b4b9ae3c-2c44-4c5a-8f3e-2d6a1fb0c001
base=/instance/v1/zones/fr-par-1/security_groups
work=$(mktemp -d "${TMPDIR:-/tmp}/serve-load.XXXXXX")
server=""
url=""

# stop_server: SIGTERM (the state is compacted), SIGKILL after 10 s; returns serve's status.
stop_server() {
  [[ -n $server ]] || return 0
  local pid=$server rc=0
  server=""
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || rc=$?
  return "$rc"
}
trap 'stop_server || true; rm -rf "$work"' EXIT

setup_failed() {
  echo "serve_load: $*" >&2
  exit 2
}

# start_server MODE: a fresh server (and state directory); sets $url.
start_server() {
  local args=(serve --port 0)
  rm -rf "$work/state"
  mkdir "$work/state"
  [[ $1 == state ]] && args+=(--state "$work/state/state.json")
  SECGROUP_SERVE_TOKENS="$token:$project" "$secgroup" "${args[@]}" \
    >"$work/serve.out" 2>"$work/serve.err" &
  server=$!
  local port=""
  for _ in $(seq 1 100); do
    port=$(sed -n '1s/.*(port \([0-9]*\),.*/\1/p' "$work/serve.out" 2>/dev/null || true)
    [[ -n $port ]] && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  [[ -n $port ]] ||
    setup_failed "secgroup serve did not start: $(cat "$work/serve.out" "$work/serve.err")"
  url=http://127.0.0.1:$port
}

# api METHOD PATH [BODY]: prints the HTTP status; the body is left in $work/body.
api() {
  curl -sS -o "$work/body" -w '%{http_code}' -X "$1" -H "X-Auth-Token: $token" \
    -H 'Content-Type: application/json' ${3+--data-binary "$3"} "$url$2"
}

# seed: creates the groups and their rules; sets ids.
seed() {
  ids=()
  local rules="" i code id
  for ((i = 1; i <= rule_count; i++)); do
    rules+="${rules:+, }{\"protocol\": \"TCP\", \"direction\": \"inbound\", \"action\": \"accept\", "
    rules+="\"ip_range\": \"10.$((i % 256)).0.0/16\", \"dest_port_from\": $((1000 + i))}"
  done
  for ((i = 1; i <= group_count; i++)); do
    code=$(api POST "$base" "{\"name\": \"load-$i\", \"project\": \"$project\", \"inbound_default_policy\": \"drop\"}") ||
      setup_failed "curl failed creating group $i"
    [[ $code == 201 ]] || setup_failed "creating group $i: HTTP $code $(cat "$work/body")"
    id=$(sed -n 's/.*"security_group": {"id": "\([^"]*\)".*/\1/p' "$work/body")
    code=$(api PUT "$base/$id/rules" "{\"rules\": [$rules]}") ||
      setup_failed "curl failed setting the rules of group $i"
    [[ $code == 200 ]] || setup_failed "setting the rules of group $i: HTTP $code $(cat "$work/body")"
    ids+=("$id")
  done
}

rows=()
failures=()
# run MODE SCENARIO CONNECTIONS: one wrk run; appends its row, or a failure.
run() {
  local mode=$1 scenario=$2 c=$3 rc=0
  local threads=$((c < 2 ? c : 2))
  echo "serve_load: $mode $scenario, $c connection(s), ${duration} s" >&2
  timeout --kill-after=5 $((duration + 30)) \
    wrk -t "$threads" -c "$c" -d "${duration}s" --latency -s "$wrk_dir/$scenario.lua" "$url" \
    -- "$token" "${ids[@]}" >"$work/wrk.out" 2>&1 || rc=$?
  local line
  line=$(grep '^serve_load: ' "$work/wrk.out" || true)
  if ((rc != 0)) || [[ -z $line ]]; then
    failures+=("$mode $scenario c=$c: wrk exited with $rc: $(tr '\n' ' ' <"$work/wrk.out")")
    rows+=("| $mode | $scenario | $c | - | - | - | wrk failed |")
    return
  fi
  field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
  local requests elapsed p50 p99 bad socket errors
  requests=$(field requests)
  elapsed=$(field duration_us)
  p50=$(field p50_us)
  p99=$(field p99_us)
  bad=$(field bad)
  socket=$(field socket_errors)
  errors=$((bad + socket))
  if ((errors > 0)); then
    failures+=("$mode $scenario c=$c: $bad non-2xx answer(s) (first: ${line#*first_bad=}), $socket socket error(s)")
  fi
  if ! kill -0 "$server" 2>/dev/null; then
    failures+=("$mode $scenario c=$c: secgroup serve died: $(tail -5 "$work/serve.err")")
  fi
  rows+=("$(awk -v m="$mode" -v s="$scenario" -v c="$c" -v r="$requests" -v d="$elapsed" \
    -v p50="$p50" -v p99="$p99" -v e="$errors" 'BEGIN {
      printf "| %s | %s | %d | %.0f | %.2f ms | %.2f ms | %d |", m, s, c, r / (d / 1e6),
             p50 / 1000, p99 / 1000, e }')")
}

echo "serve_load: $("$secgroup" --version 2>/dev/null || echo "$secgroup"), $(wrk -v 2>&1 | head -1)" >&2
for mode in "${modes[@]}"; do
  start_server "$mode"
  seed
  for scenario in "${scenarios[@]}"; do
    for c in "${connections[@]}"; do
      run "$mode" "$scenario" "$c"
    done
  done
  stop_server || failures+=("$mode: secgroup serve exited with status $? on SIGTERM: $(tail -5 "$work/serve.err")")
done

echo "| mode | scenario | connections | requests/s | p50 | p99 | errors |"
echo "|---|---|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
if ((${#failures[@]})); then
  echo >&2
  printf 'serve_load: FAILED: %s\n' "${failures[@]}" >&2
  exit 1
fi
