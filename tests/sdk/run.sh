#!/usr/bin/env bash
# Runs instance-security-groups.mjs (the Scaleway JavaScript SDK) against `secgroup serve`.
#
#   tests/sdk/run.sh SECGROUP_BINARY WORK_DIR
#
# Copies package.json, package-lock.json and the script into WORK_DIR and runs `npm ci` there
# when its node_modules was not installed from this lock file (the registry must be reachable);
# starts `secgroup serve --port 0` with two tokens, reads the bound port from its first line,
# runs the script, and stops the server (SIGTERM) whatever happens. Exit status: the script's,
# or 77 (ctest: skipped) when `npm ci` fails.
# Environment: SECGROUP_NODE and SECGROUP_NPM override `node` and `npm`.
set -euo pipefail

secgroup=${1:?usage: run.sh SECGROUP_BINARY WORK_DIR}
work=${2:?usage: run.sh SECGROUP_BINARY WORK_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
node=${SECGROUP_NODE:-node}
npm=${SECGROUP_NPM:-npm}

mkdir -p "$work"
cp "$here/package.json" "$here/package-lock.json" "$here/instance-security-groups.mjs" "$work/"
stamp="$work/node_modules/.secgroup-package-lock.json"
if ! cmp -s "$here/package-lock.json" "$stamp"; then
  echo "run.sh: npm ci in $work"
  if ! (cd "$work" && "$npm" ci --no-audit --no-fund --loglevel=error); then
    echo "run.sh: SKIPPED: npm ci failed (is the npm registry reachable?)"
    exit 77
  fi
  cp "$here/package-lock.json" "$stamp"
fi

secret_a=3f0c1d2e-aaaa-4bbb-8ccc-000000000001
secret_b=3f0c1d2e-aaaa-4bbb-8ccc-000000000002
project_a=b4b9ae3c-2c44-4c5a-8f3e-2d6a1fb0c001
project_b=b4b9ae3c-2c44-4c5a-8f3e-2d6a1fb0c002

log="$work/serve.log"
rm -f "$log"  # an old log would name an old port before the new server truncates it
"$secgroup" serve --port 0 --token "$secret_a:$project_a" --token "$secret_b:$project_b" \
  >"$log" 2>&1 &
server=$!
stop_server() {
  kill -TERM "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  tail -n 1 "$log"
}
trap stop_server EXIT

port=""
for _ in $(seq 1 100); do
  port=$(sed -n '1s/.*(port \([0-9]*\),.*/\1/p' "$log" 2>/dev/null || true)
  [[ -n "$port" ]] && break
  kill -0 "$server" 2>/dev/null || { echo "run.sh: secgroup serve exited:"; cat "$log"; exit 1; }
  sleep 0.1
done
[[ -n "$port" ]] || { echo "run.sh: no port from secgroup serve:"; cat "$log"; exit 1; }
echo "run.sh: $(head -n 1 "$log")"

cd "$work"
SCW_API_URL="http://127.0.0.1:$port" SCW_SECRET_KEY="$secret_a" \
  SCW_DEFAULT_PROJECT_ID="$project_a" SECGROUP_OTHER_SECRET="$secret_b" \
  "$node" instance-security-groups.mjs
