#!/usr/bin/env bash
# The live API as a source, end to end: `secgroup serve` (two projects, two tokens, zones
# fr-par-1 and nl-ams-1 only; no sync delay, so two reads of the same groups are equal) filled
# over HTTP, then `secgroup export api:...`, `lint` and
# `check` of api: sources against it. What lint and check say of an api: source is what they say
# of its export; each key sees its own project; a wrong key is refused naming SCW_SECRET_KEY
# and never shown; an unknown zone and a partial read fail unless --allow-partial.
#
#   tests/cli/api_source.sh SECGROUP_BINARY WORK_DIR
set -euo pipefail

secgroup=$(realpath "${1:?usage: api_source.sh SECGROUP_BINARY WORK_DIR}")
work=${2:?usage: api_source.sh SECGROUP_BINARY WORK_DIR}
rm -rf "$work"
mkdir -p "$work"
cd "$work"
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

token_a=5c0ffee0-aaaa-4bbb-8ccc-00000000000a
token_b=5c0ffee0-aaaa-4bbb-8ccc-00000000000b
project_a=b4b9ae3c-2c44-4c5a-8f3e-2d6a1fb0c001
project_b=b4b9ae3c-2c44-4c5a-8f3e-2d6a1fb0c002

server=""
trap 'if [[ -n "$server" ]]; then kill -TERM "$server" 2>/dev/null || true; fi' EXIT
"$secgroup" serve --port 0 --token "$token_a:$project_a" --token "$token_b:$project_b" \
  --zone fr-par-1 --zone nl-ams-1 --sync-delay 0 >serve.out 2>serve.err &
server=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n '1s/.*(port \([0-9]*\),.*/\1/p' serve.out 2>/dev/null || true)
  [[ -n "$port" ]] && break
  sleep 0.1
done
[[ -n "$port" ]] || { echo "FAIL: no port from secgroup serve: $(cat serve.out serve.err)"; exit 1; }

# post TOKEN PATH BODY: POSTs and prints the response body.
post() {
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf 'POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "$2" "$1" "${#3}" "$3" >&3
  sed '1,/^\r$/d' <&3
  exec 3<&-
}
# group TOKEN ZONE NAME PROJECT [EXTRA]: creates a group; prints its id.
group() {
  post "$1" "/instance/v1/zones/$2/security_groups" \
    "{\"name\": \"$3\", \"project\": \"$4\"${5:-}}" | grep -o '"id": "[0-9a-f-]*"' | head -n 1 |
    cut -d'"' -f4
}
# rule TOKEN ZONE GROUP BODY: adds a rule.
rule() {
  post "$1" "/instance/v1/zones/$2/security_groups/$3/rules" "$4" | grep -q '"rule"' ||
    fail "rule $4 not created"
}

web=$(group "$token_a" fr-par-1 web "$project_a")
[[ -n "$web" ]] || { echo "FAIL: no group created"; exit 1; }
rule "$token_a" fr-par-1 "$web" '{"protocol": "TCP", "direction": "inbound", "action": "accept", "ip_range": "0.0.0.0/0", "dest_port_from": 22}'
rule "$token_a" fr-par-1 "$web" '{"protocol": "TCP", "direction": "inbound", "action": "accept", "ip_range": "0.0.0.0/0", "dest_port_from": 443}'
db=$(group "$token_a" fr-par-1 db "$project_a" ', "inbound_default_policy": "drop"')
rule "$token_a" fr-par-1 "$db" '{"protocol": "TCP", "direction": "inbound", "action": "accept", "ip_range": "10.0.0.0/8", "dest_port_from": 5432}'
edge=$(group "$token_a" nl-ams-1 edge "$project_a" ', "enable_default_security": false')
rule "$token_a" nl-ams-1 "$edge" '{"protocol": "UDP", "direction": "inbound", "action": "accept", "ip_range": "::/0", "dest_port_from": 53}'
group "$token_b" fr-par-1 other-project "$project_b" >/dev/null

# The settings as the official clients find them (client/profile.hpp): an access key goes with
# the secret key; no scw config file is read (XDG_CONFIG_HOME points where there is none).
export XDG_CONFIG_HOME="$work/no-config" SCW_ACCESS_KEY=SCWAAAAAAAAAAAAAAAAA
export SCW_API_URL="http://127.0.0.1:$port" SCW_SECRET_KEY="$token_a" SCW_DEFAULT_PROJECT_ID="$project_a"
src=api:fr-par-1,nl-ams-1

# run NAME ARGS...: runs secgroup; NAME.out, NAME.err, NAME.rc.
run() {
  local name=$1
  shift
  local rc=0
  "$secgroup" "$@" >"$name.out" 2>"$name.err" || rc=$?
  echo "$rc" >"$name.rc"
}

run export export "$src" -o export.json
[[ $(cat export.rc) == 0 ]] || fail "export: exit $(cat export.rc): $(cat export.err)"
for name in web db edge; do
  grep -q "\"name\": \"$name\"" export.json || fail "export lacks $name"
done
grep -q other-project export.json && fail "project A's export holds project B's group"
run export-stdout export "$src"
cmp -s export-stdout.out export.json || fail "export to stdout differs from export -o"

# lint and check of the source say what they say of its export (file name aside).
for format in text json sarif; do
  run lint-api lint "$src" --format "$format" --color never
  run lint-file lint export.json --format "$format" --color never
  [[ $(cat lint-api.rc) == 1 ]] || fail "lint $src ($format): exit $(cat lint-api.rc): $(cat lint-api.err)"
  [[ $(cat lint-api.rc) == $(cat lint-file.rc) ]] || fail "lint exit codes differ ($format)"
  # SARIF writes the name as a URI: the comma percent-encoded.
  sed "s/export\.json/$src/g" lint-file.out >lint-file.renamed
  sed -i "s/api:fr-par-1%2Cnl-ams-1/$src/g" lint-api.out
  cmp -s lint-api.out lint-file.renamed ||
    fail "lint $src --format $format differs from lint of its export: $(diff lint-api.out lint-file.renamed | head -n 5)"
done
grep -q "web" lint-api.out || fail "lint found nothing on web"
check_args=(--group web --direction inbound --protocol tcp --remote 192.0.2.1 --port 22 --format json)
run check-api check api:fr-par-1 "${check_args[@]}"
run check-file check export.json "${check_args[@]}"
[[ $(cat check-api.rc) == 0 ]] || fail "check api:fr-par-1: exit $(cat check-api.rc): $(cat check-api.err)"
cmp -s check-api.out check-file.out || fail "check of the source and of its export differ"

# One group by id; the other project's key sees its own group only.
run one export "api:fr-par-1/$web"
grep -q '"name": "web"' one.out || fail "api:fr-par-1/ID: $(cat one.out one.err)"
grep -q '"name": "db"' one.out && fail "api:fr-par-1/ID exported another group"
SCW_SECRET_KEY=$token_b SCW_DEFAULT_PROJECT_ID=$project_b run b export api:fr-par-1
grep -q '"name": "other-project"' b.out || fail "token B: $(cat b.out b.err)"
grep -q '"name": "web"' b.out && fail "token B sees project A's group"

# A wrong key: exit 2, the source named, the key never shown.
wrong=0badc0de-dead-4bee-8fff-5ec7e7000000
SCW_SECRET_KEY=$wrong run wrong lint "$src"
[[ $(cat wrong.rc) == 2 ]] || fail "wrong key: exit $(cat wrong.rc)"
grep -q 'secgroup\.remote\.401.*SCW_SECRET_KEY' wrong.err || fail "wrong key: $(cat wrong.err)"
grep -q "$wrong" wrong.err wrong.out && fail "the wrong key is shown"
env -u SCW_SECRET_KEY "$secgroup" export "$src" >nokey.out 2>nokey.err && fail "no key: exit 0"
grep -q 'secgroup\.validation\.207.*SCW_SECRET_KEY' nokey.err || fail "no key: $(cat nokey.err)"

# The scw config file: a profile chosen by SCW_PROFILE supplies the key; a refused key names it.
mkdir -p "$work/scw"
cat >"$work/scw/config.yaml" <<EOF
access_key: SCWAAAAAAAAAAAAAAAAA
secret_key: $wrong
profiles:
  a:
    access_key: SCWAAAAAAAAAAAAAAAAA
    secret_key: $token_a
    default_project_id: $project_a
EOF
chmod 600 "$work/scw/config.yaml"
env -u SCW_SECRET_KEY -u SCW_DEFAULT_PROJECT_ID SCW_CONFIG_PATH="$work/scw/config.yaml" \
  SCW_PROFILE=a "$secgroup" export api:fr-par-1 >profile.out 2>profile.err ||
  fail "profile a: $(cat profile.err)"
grep -q '"name": "web"' profile.out || fail "profile a: $(cat profile.out profile.err)"
env -u SCW_SECRET_KEY -u SCW_DEFAULT_PROJECT_ID SCW_CONFIG_PATH="$work/scw/config.yaml" \
  "$secgroup" export api:fr-par-1 >toplevel.out 2>toplevel.err && fail "the top level's wrong key: exit 0"
grep -q "secgroup\.remote\.401.*the top level of $work/scw/config.yaml" toplevel.err ||
  fail "the top level's wrong key: $(cat toplevel.err)"
grep -q "$wrong" toplevel.err toplevel.out && fail "the config file's key is shown"
# --profile and --scw-config choose as the scw CLI's -p and -c, over SCW_PROFILE and
# SCW_CONFIG_PATH; a profile the file does not define is named with the file's profiles.
env -u SCW_SECRET_KEY -u SCW_DEFAULT_PROJECT_ID SCW_PROFILE=nope SCW_CONFIG_PATH="$work/none.yaml" \
  "$secgroup" export api:fr-par-1 --profile a --scw-config "$work/scw/config.yaml" \
  >options.out 2>options.err || fail "--profile a --scw-config: $(cat options.err)"
grep -q '"name": "web"' options.out || fail "--profile a: $(cat options.out options.err)"
env -u SCW_SECRET_KEY -u SCW_DEFAULT_PROJECT_ID "$secgroup" lint api:fr-par-1 --profile qa \
  --scw-config "$work/scw/config.yaml" >noprofile.out 2>noprofile.err && fail "--profile qa: exit 0"
grep -q "secgroup\.lookup\.301.*--profile.*no profile 'qa'.*profiles: default, a" noprofile.err ||
  fail "--profile qa: $(cat noprofile.err)"

# Unknown zones: one the client does not know, one this server does not serve.
run unknown export api:fr-par-9
grep -q 'secgroup\.remote\.402.*fr-par-9' unknown.err || fail "api:fr-par-9: $(cat unknown.err)"
run partial export api:fr-par-1,pl-waw-1
[[ $(cat partial.rc) == 2 ]] || fail "partial read: exit $(cat partial.rc)"
grep -q 'secgroup\.remote\.406.*pl-waw-1' partial.err || fail "partial read: $(cat partial.err)"
[[ -s partial.out ]] && fail "a refused partial read printed $(head -c 200 partial.out)"
run allowed export api:fr-par-1,pl-waw-1 --allow-partial
[[ $(cat allowed.rc) == 0 ]] || fail "--allow-partial: exit $(cat allowed.rc): $(cat allowed.err)"
grep -q 'warning: .*zone pl-waw-1 not read' allowed.err || fail "--allow-partial: $(cat allowed.err)"
grep -q '"name": "web"' allowed.out || fail "--allow-partial lost fr-par-1"

kill -TERM "$server"
wait "$server" || true
server=""
if ((failures)); then
  echo "$failures failure(s)"
  exit 1
fi
echo "api_source: all checks passed"
