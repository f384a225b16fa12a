#!/usr/bin/env bash
# `secgroup serve` as a process: bad flags exit 2 with an error id, a corrupt state file stops
# the start, the first line names the URL and port, SIGINT and SIGTERM stop it cleanly (exit 0)
# and the state file carries the groups across a restart. Raw HTTP through bash's /dev/tcp.
#
#   tests/server/serve_cli.sh SECGROUP_BINARY WORK_DIR
set -euo pipefail

secgroup=${1:?usage: serve_cli.sh SECGROUP_BINARY WORK_DIR}
work=${2:?usage: serve_cli.sh SECGROUP_BINARY WORK_DIR}
rm -rf "$work"
mkdir -p "$work"
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# expect_bad_input REGEX ARGS...: `secgroup serve ARGS` exits 2 with REGEX on stderr (within
# 10 s: a server that starts instead fails the check).
expect_bad_input() {
  local regex=$1
  shift
  local rc=0
  timeout 10 "$secgroup" serve "$@" >"$work/out" 2>"$work/err" || rc=$?
  [[ $rc -eq 2 ]] || fail "serve $*: exit $rc, expected 2"
  grep -Eq "$regex" "$work/err" || fail "serve $*: stderr lacks /$regex/: $(cat "$work/err")"
  [[ ! -s "$work/out" ]] || fail "serve $*: printed $(cat "$work/out")"
}

expect_bad_input 'secgroup\.validation\.203.*--token' --port 0 --token no-colon
expect_bad_input 'secgroup\.validation\.203.*--token.*not a UUID' --port 0 --token s:p
# A malformed token never echoes its secret, wherever it comes from.
secret=s3cr3t-never-shown
expect_bad_input 'secgroup\.validation\.203.*--token' --port 0 --token "$secret"
grep -q "$secret" "$work/err" && fail "--token $secret: the error shows the secret"
expect_bad_input 'secgroup\.validation\.203.*--token.*not a UUID' --port 0 \
  --token "b4b9ae3c-2c44-4c5a-8f3e-2d6a1fb0c001:$secret"
grep -q "$secret" "$work/err" && fail "a backwards --token: the error shows the secret"
printf '# tokens\n\n%s\n' "$secret:not-a-project" >"$work/bad-tokens"
expect_bad_input "secgroup\\.validation\\.203.*bad-tokens:3" --port 0 --token-file "$work/bad-tokens"
grep -q "$secret" "$work/err" && fail "--token-file: the error shows the secret"
expect_bad_input 'secgroup\.parse\.109.*--token-file' --port 0 --token-file "$work/missing"
# Read within --max-input-size: an endless file is refused, never read into memory without end.
expect_bad_input 'secgroup\.parse\.114.*--token-file.*input limit' --port 0 \
  --max-input-size 1M --token-file /dev/zero
# A token file or variable holding no token refuses to start, never serves without tokens.
printf '# no token yet\n\n' >"$work/empty-tokens"
expect_bad_input 'secgroup\.validation\.203.*--token-file.*holds no token' --port 0 \
  --token-file "$work/empty-tokens"
expect_bad_input 'secgroup\.validation\.203.*--token-file.*holds no token' --port 0 \
  --token-file /dev/null
SECGROUP_SERVE_TOKENS=' , ' expect_bad_input 'secgroup\.validation\.203.*SECGROUP_SERVE_TOKENS.*holds no token' --port 0
SECGROUP_SERVE_TOKENS="$secret" expect_bad_input 'secgroup\.validation\.203.*SECGROUP_SERVE_TOKENS' --port 0
grep -q "$secret" "$work/err" && fail "SECGROUP_SERVE_TOKENS: the error shows the secret"
expect_bad_input 'secgroup\.validation\.203.*--request-timeout' --port 0 --request-timeout 0
expect_bad_input 'secgroup\.validation\.203.*--max-body-bytes' --port 0 --max-body-bytes 0
# A negative count is refused, never read as the largest size_t (unlimited).
for flag in --max-body-bytes --max-header-bytes --max-headers --max-connections \
  --max-rules-per-group; do
  expect_bad_input "secgroup\\.validation\\.203.*$flag.*whole number" --port 0 "$flag" -1
  expect_bad_input "secgroup\\.validation\\.203.*$flag.*whole number" --port 0 "$flag" 0x10
  expect_bad_input "secgroup\\.validation\\.203.*$flag.*at least 1" --port 0 "$flag" 0
done
expect_bad_input 'secgroup\.validation\.203.*--fault-seed.*whole number' --port 0 --fault-seed -1
expect_bad_input 'secgroup\.validation\.201.*--port' --port 70000
expect_bad_input 'secgroup\.validation\.203.*--zone' --port 0 --zone nowhere
expect_bad_input 'not expected' --port 0 --frobnicate
expect_bad_input 'secgroup\.validation\.203.*--fault-rate' --port 0 --fault-rate 1.5
expect_bad_input 'secgroup\.validation\.203.*--fault-status\[1\].*404' --port 0 --fault-rate 0.5 \
  --fault-status 429 --fault-status 404
expect_bad_input 'secgroup\.validation\.203.*--fault-delay' --port 0 --fault-delay 70000
# Negative or malformed delays get the project's error, as the counts above, not CLI11's.
for flag in --fault-delay --fault-retry-after; do
  expect_bad_input "secgroup\\.validation\\.203.*$flag.*whole number of at least 0, not '-1'" \
    --port 0 "$flag" -1
  expect_bad_input "secgroup\\.validation\\.203.*$flag.*whole number" --port 0 "$flag" 1.5
done
expect_bad_input 'secgroup\.validation\.203.*--fault-delay.*at most 60000' --port 0 \
  --fault-delay 4294967296
expect_bad_input 'secgroup\.validation\.203.*--fault-retry-after.*at most 3600' --port 0 \
  --fault-retry-after 4294967296
# An empty --host is refused, never bound to whatever address the resolver picks for it.
expect_bad_input "secgroup\\.validation\\.203.*--host.*not an empty one" --port 0 --host ''
expect_bad_input 'secgroup\.validation\.203.*--sync-delay.*whole number' --port 0 --sync-delay -5
expect_bad_input 'secgroup\.validation\.203.*--sync-delay.*whole number' --port 0 --sync-delay 0.5
expect_bad_input 'secgroup\.validation\.203.*--sync-delay.*whole number' --port 0 --sync-delay x
expect_bad_input 'secgroup\.validation\.203.*--sync-delay.*0\.\.3600000' --port 0 --sync-delay 3600001
printf '{"security_groups": [' >"$work/corrupt.json"
expect_bad_input 'secgroup\.parse\.109.*corrupt\.json.*not valid JSON' --port 0 --state "$work/corrupt.json"
# A state file is read within --max-input-size (default 256 MiB), like every input: a link to
# /dev/zero is refused, naming the file, instead of exhausting memory.
ln -s /dev/zero "$work/zero.json"
expect_bad_input 'secgroup\.parse\.114.*zero\.json.*1048576 bytes' --port 0 --state "$work/zero.json" \
  --max-input-size 1M
expect_bad_input 'secgroup\.parse\.114.*zero\.json.*256 MiB' --port 0 --state "$work/zero.json"
head -c 2000 /dev/zero | tr '\0' ' ' >"$work/big.json"
expect_bad_input 'secgroup\.parse\.114.*big\.json.*1024 bytes' --port 0 --state "$work/big.json" \
  --max-input-size 1K
# A state file that could never be saved: refused at start, naming the file and the directory.
expect_bad_input "secgroup\.parse\.109.*missing/x\.json.*directory $work/missing" \
  --port 0 --state "$work/missing/x.json"
[[ ! -e "$work/missing" ]] || fail "serve --state missing/x.json created the directory"

server=""
# A failed check must not leave a server behind.
trap 'if [[ -n "$server" ]]; then kill -TERM "$server" 2>/dev/null || true; fi' EXIT
# start ARGS...: starts the server in the background (through the command in ${launch[@]}, if
# any); sets $port from its first line. The old output files go first: the shell truncates them
# only once the child runs.
launch=()
start() {
  rm -f "$work/serve.out" "$work/serve.err"
  "${launch[@]}" "$secgroup" serve --port 0 "$@" >"$work/serve.out" 2>"$work/serve.err" &
  server=$!
  port=""
  for _ in $(seq 1 100); do
    # serve.out may not exist yet (the child has not run): no port, not a failure (set -e).
    port=$(sed -n '1s/.*(port \([0-9]*\),.*/\1/p' "$work/serve.out" 2>/dev/null || true)
    [[ -n "$port" ]] && return 0
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  echo "FAIL: no port from secgroup serve: $(cat "$work/serve.out" "$work/serve.err")"
  exit 1
}
# stop SIGNAL: sends SIGNAL and checks the exit status is 0.
stop() {
  kill "-$1" "$server"
  local rc=0
  wait "$server" || rc=$?
  [[ $rc -eq 0 ]] || fail "serve exited $rc on SIG$1"
  grep -q "stopped (SIG$1)" "$work/serve.out" || fail "no 'stopped (SIG$1)' line"
}
# request METHOD PATH [BODY]: prints the raw HTTP response.
request() {
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "$1" "$2" "$token" "${#3}" "$3" >&3
  cat <&3
  exec 3<&-
}

token=3f0c1d2e-aaaa-4bbb-8ccc-000000000001
project=b4b9ae3c-2c44-4c5a-8f3e-2d6a1fb0c001
base=/instance/v1/zones/fr-par-1/security_groups

start --state "$work/state.json" --token "$token:$project"
grep -Eq "^secgroup serve: listening on http://127\.0\.0\.1:$port \(port $port, .*1 token" \
  "$work/serve.out" || fail "first line: $(head -n 1 "$work/serve.out")"
[[ ! -s "$work/serve.err" ]] || fail "a server with a token warned: $(cat "$work/serve.err")"
created=$(request POST "$base" "{\"name\": \"persisted-web\", \"project\": \"$project\"}")
grep -q "^HTTP/1.1 201" <<<"$created" || fail "POST: $created"
stop INT
grep -q '"persisted-web"' "$work/state.json" || fail "the state file lacks the group"

start --state "$work/state.json" --token "$token:$project"
listed=$(request GET "$base" "{}")
grep -q "^HTTP/1.1 200" <<<"$listed" || fail "GET after restart: $listed"
grep -q '"name": "persisted-web"' <<<"$listed" || fail "the group did not survive: $listed"
token=wrong
denied=$(request GET "$base" "")
grep -q '^HTTP/1.1 401' <<<"$denied" || fail "wrong token: $denied"
grep -q '"type": "denied_authentication"' <<<"$denied" || fail "401 body: $denied"
stop TERM

# Injected faults: every request fails with the status asked for and its Retry-After, and
# changes nothing.
token=""
start --fault-rate 1 --fault-status 503 --fault-retry-after 7
grep -q "injecting faults: rate 1" "$work/serve.err" || fail "no fault line: $(cat "$work/serve.err")"
faulted=$(request POST "$base" "{\"name\": \"never\", \"project\": \"$project\"}")
grep -q "^HTTP/1.1 503" <<<"$faulted" || fail "--fault-rate 1: $faulted"
grep -qi "^Retry-After: 7" <<<"$faulted" || fail "--fault-retry-after 7: $faulted"
grep -q '"type": "service_unavailable"' <<<"$faulted" || fail "fault body: $faulted"
stop TERM
start
grep -q '"security_groups": \[\]' <<<"$(request GET "$base" "")" || fail "a failed POST created a group"
stop TERM

# Tokens from a file and from the environment, none on the command line (out of `ps`).
token=3f0c1d2e-aaaa-4bbb-8ccc-000000000002
printf '%s:%s\n' "$token" "$project" >"$work/tokens"
start --token-file "$work/tokens"
grep -q "1 token" "$work/serve.out" || fail "--token-file: $(head -n 1 "$work/serve.out")"
grep -q '^HTTP/1.1 200' <<<"$(request GET "$base" "")" || fail "--token-file: the token is refused"
stop TERM
# A UTF-8 byte order mark (some editors write one) does not become part of the first secret.
token=3f0c1d2e-aaaa-4bbb-8ccc-000000000004
printf '\xef\xbb\xbf%s:%s\n' "$token" "$project" >"$work/tokens-bom"
start --token-file "$work/tokens-bom"
grep -q '^HTTP/1.1 200' <<<"$(request GET "$base" "")" || fail "--token-file with a BOM: refused"
stop TERM
token=3f0c1d2e-aaaa-4bbb-8ccc-000000000003
SECGROUP_SERVE_TOKENS="  $token:$project,other:$project " start
grep -q "2 token" "$work/serve.out" || fail "SECGROUP_SERVE_TOKENS: $(head -n 1 "$work/serve.out")"
grep -q '^HTTP/1.1 200' <<<"$(request GET "$base" "")" || fail "SECGROUP_SERVE_TOKENS: refused"
stop TERM

# A symlink planted where older versions put their temporary (FILE.tmp-PID) is never written
# through.
echo precious >"$work/victim"
start --state "$work/planted.json"
ln -s "$work/victim" "$work/planted.json.tmp-$server"
token=""
created=$(request POST "$base" "{\"name\": \"planted\", \"project\": \"$project\"}")
grep -q "^HTTP/1.1 201" <<<"$created" || fail "POST with a planted symlink: $created"
stop TERM
[[ "$(cat "$work/victim")" == precious ]] || fail "the state was written through a planted symlink"

# A change that cannot be saved is not acknowledged: files limited to 4 KiB (SIGXFSZ ignored),
# a 6 KB group cannot reach the journal: 500 internal_error, not 201.
launch=(bash -c 'ulimit -f 4; trap "" XFSZ; exec "$0" "$@"')
start --state "$work/limited.json"
launch=()
created=$(request POST "$base" "{\"name\": \"big\", \"project\": \"$project\", \"description\": \"$(printf 'x%.0s' $(seq 6000))\"}")
grep -q "^HTTP/1.1 500" <<<"$created" || fail "an unsaved change was answered: $(head -n 1 <<<"$created")"
grep -q '"type": "internal_error"' <<<"$created" || fail "unsaved change body: $(tail -c 200 <<<"$created")"
grep -q 'not saved' <<<"$created" || fail "the 500 does not say the change is not saved"
stop TERM

# The sync of spec §7, with a delay (an hour) no test run outlives: a change answers
# "syncing", GETs show it, and so does the state file across a restart; --sync-delay 0 never
# syncs.
token=""
start --state "$work/sync.json" --sync-delay 3600000
created=$(request POST "$base" "{\"name\": \"syncs\", \"project\": \"$project\"}")
grep -q '"state": "available"' <<<"$created" || fail "a new group is not available: $created"
id=$(sed -n 's/.*"security_group": {"id": "\([0-9a-f-]*\)".*/\1/p' <<<"$created")
[[ -n "$id" ]] || fail "no id in $created"
patched=$(request PATCH "$base/$id" '{"description": "changed"}')
grep -q '"state": "syncing"' <<<"$patched" || fail "--sync-delay: PATCH answered $patched"
grep -q '"state": "syncing"' <<<"$(request GET "$base/$id" "")" || fail "GET after PATCH: not syncing"
stop TERM
grep -q '"state": "syncing"' "$work/sync.json" || fail "the state file lost the sync"
start --state "$work/sync.json" --sync-delay 3600000
grep -q '"state": "syncing"' <<<"$(request GET "$base/$id" "")" || fail "the sync did not survive a restart"
stop TERM
start --sync-delay 0
created=$(request POST "$base" "{\"name\": \"never\", \"project\": \"$project\"}")
id=$(sed -n 's/.*"security_group": {"id": "\([0-9a-f-]*\)".*/\1/p' <<<"$created")
patched=$(request PATCH "$base/$id" '{"description": "changed"}')
grep -q '"state": "available"' <<<"$patched" || fail "--sync-delay 0: PATCH answered $patched"
stop TERM

start
grep -q "OPEN" "$work/serve.out" || fail "an open server does not say so on its first line"
grep -q "WARNING" "$work/serve.err" || fail "an open server does not warn"
stop TERM

if ((failures)); then
  echo "$failures failure(s)"
  exit 1
fi
echo "serve_cli: all checks passed"
