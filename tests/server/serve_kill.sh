#!/usr/bin/env bash
# `secgroup serve --state` killed with SIGKILL during write bursts: no acknowledged write is lost
# and no temporary file survives the restart. ROUNDS rounds (default 4), each: start the server,
# three writers create groups over raw HTTP (bash's /dev/tcp) and record each id the server
# acknowledged (201), kill -9 after a moment, restart, check. Bounded: about 2-3 s a round.
#
#   tests/server/serve_kill.sh SECGROUP_BINARY WORK_DIR [ROUNDS]
set -euo pipefail

secgroup=${1:?usage: serve_kill.sh SECGROUP_BINARY WORK_DIR [ROUNDS]}
work=${2:?usage: serve_kill.sh SECGROUP_BINARY WORK_DIR [ROUNDS]}
rounds=${3:-4}
rm -rf "$work"
mkdir -p "$work/state"
state=$work/state/state.json
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

server=""
trap 'if [[ -n "$server" ]]; then kill -KILL "$server" 2>/dev/null || true; fi' EXIT
# start: starts the server on $state in the background; sets $port from its first line.
start() {
  rm -f "$work/serve.out"
  "$secgroup" serve --port 0 --state "$state" >"$work/serve.out" 2>>"$work/serve.err" &
  server=$!
  port=""
  for _ in $(seq 1 100); do
    port=$(sed -n '1s/.*(port \([0-9]*\),.*/\1/p' "$work/serve.out" 2>/dev/null || true)
    [[ -n "$port" ]] && return 0
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  echo "FAIL: no port from secgroup serve: $(cat "$work/serve.out" "$work/serve.err")"
  exit 1
}
# request METHOD PATH [BODY]: prints the raw HTTP response.
request() {
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "$1" "$2" "${#3}" "$3" >&3 || return 1
  cat <&3
  exec 3<&-
}
project=b4b9ae3c-2c44-4c5a-8f3e-2d6a1fb0c001
base=/instance/v1/zones/fr-par-1/security_groups
# writer N ROUND: creates groups until the server dies (at most 500); appends each acknowledged
# id to $work/acked.
writer() {
  local i answer id
  for i in $(seq 1 500); do
    answer=$(request POST "$base" "{\"name\": \"r$2-w$1-$i\", \"project\": \"$project\"}" 2>/dev/null) ||
      return 0
    grep -q '^HTTP/1.1 201' <<<"$answer" || return 0
    id=$(sed -n 's/.*"security_group": {"id": "\([^"]*\)".*/\1/p' <<<"$answer")
    # A kill can cut the body after the 201 line: acknowledged, but with no id to look for.
    [[ -n "$id" ]] || return 0
    echo "$id" >>"$work/acked"
  done
}

touch "$work/acked"
for round in $(seq 1 "$rounds"); do
  start
  # Every write acknowledged before the last kill is there after the restart.
  if [[ -s "$work/acked" ]]; then
    last=$(tail -n 1 "$work/acked")
    grep -q '^HTTP/1.1 200' <<<"$(request GET "$base/$last" "")" ||
      fail "round $round: acknowledged group $last lost"
  fi
  leftovers=$(find "$work/state" -name 'state.json.tmp-*' | wc -l)
  ((leftovers == 0)) || fail "round $round: $leftovers temporary file(s) survived the restart"
  pids=()
  for w in 1 2 3; do
    writer "$w" "$round" &
    pids+=($!)
  done
  sleep "1.$((round * 3 % 10))"
  kill -KILL "$server"
  wait "$server" 2>/dev/null || true
  server=""
  for p in "${pids[@]}"; do wait "$p" || true; done
done

# A clean restart and stop: the snapshot holds every acknowledged group.
start
kill -TERM "$server"
wait "$server" || fail "serve exited $? on SIGTERM"
server=""
acked=$(sort -u "$work/acked" | grep -c .)
lost=$(sort -u "$work/acked" | grep -v -F -f <(grep -o '"id": "[^"]*"' "$state" | cut -d'"' -f4) |
  grep -c . || true)
((acked > 20)) || fail "only $acked writes were acknowledged: the test proved nothing"
((lost == 0)) || fail "$lost of $acked acknowledged groups are not in the state file"
[[ ! -s "$state.journal" ]] || fail "the journal was not compacted on a clean stop"
echo "serve_kill: $rounds kill -9 rounds, $acked acknowledged writes, $lost lost"

if ((failures)); then
  echo "$failures failure(s)"
  exit 1
fi
echo "serve_kill: all checks passed"
