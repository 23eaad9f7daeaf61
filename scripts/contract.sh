#!/usr/bin/env bash
# API contract checks: validate openapi/openapi.json (openapi-spec-validator, Spectral),
# then fuzz a live `cadre-api serve --demo` (embedded PostgreSQL) with Schemathesis.
#
# Env knobs:
#   CADRE_API_BIN               binary to run (default: target/debug/cadre-api, built here via cargo)
#   CONTRACT_MAX_EXAMPLES       Schemathesis examples per operation and cycle (default 25)
#   CONTRACT_MAX_TIME           Schemathesis time budget in seconds (default 120; keep below the token TTL)
#   CONTRACT_SCHEMATHESIS_ARGS  extra args for `schemathesis run`, e.g. "--exclude-checks ignored_auth --seed 1"
# If the spec check fails after an API change: UPDATE_OPENAPI=1 cargo test --test api contract
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

SPEC=openapi/openapi.json
TOOLS=.tools
VENV=$TOOLS/venv
PY_PINS=(schemathesis==4.32.5 openapi-spec-validator==0.9.0 cloudevents==1.12.1)
SPECTRAL_PIN=@stoplight/spectral-cli@6.16.3
OUT=target/contract # logs and reports are kept here

[[ -f $SPEC ]] || { echo "error: $SPEC not found" >&2; exit 1; }
mkdir -p "$OUT"

# --- tools, cached under .tools/ and reinstalled only when missing or the pins change ---
if [[ "$(cat "$VENV/.pins" 2>/dev/null)" != "${PY_PINS[*]}" ]]; then
  echo "==> installing ${PY_PINS[*]} into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "${PY_PINS[@]}"
  echo "${PY_PINS[*]}" >"$VENV/.pins"
fi
if [[ "$(cat "$TOOLS/node/.pins" 2>/dev/null)" != "$SPECTRAL_PIN" ]]; then
  echo "==> installing $SPECTRAL_PIN into $TOOLS/node"
  rm -rf "$TOOLS/node"
  npm install --prefix "$TOOLS/node" --save-exact --no-audit --no-fund --loglevel=error "$SPECTRAL_PIN"
  echo "$SPECTRAL_PIN" >"$TOOLS/node/.pins"
fi
PY=$VENV/bin/python

# --- static checks of the committed spec ---
echo "==> openapi-spec-validator $SPEC"
"$VENV/bin/openapi-spec-validator" "$SPEC"

echo "==> spectral lint $SPEC"
"$TOOLS/node/node_modules/.bin/spectral" lint "$SPEC" --ruleset .spectral.yaml --fail-severity error

# --- live server with embedded PostgreSQL in a fresh temp dir ---
BIN=${CADRE_API_BIN:-target/debug/cadre-api}
if [[ -z ${CADRE_API_BIN:-} ]]; then
  locked=()
  [[ -f Cargo.lock ]] && locked=(--locked)
  cargo build "${locked[@]}" --bin cadre-api # no-op when scripts/test.sh already built it
fi

work=$(mktemp -d /tmp/cadre-contract.XXXXXX)
chmod 755 "$work" # the embedded PostgreSQL runs as `postgres` when we are root
log=$OUT/server.log
server_pid=""

cleanup() {
  local rc=$? pidfile pgpid
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    for _ in $(seq 60); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$server_pid" 2>/dev/null; then
      echo "error: server did not exit within 30 s of SIGTERM; killing it" >&2
      kill -KILL "$server_pid" 2>/dev/null || true
      ((rc)) || rc=1
    fi
    wait "$server_pid" 2>/dev/null || true
  fi
  # A graceful stop also stops the embedded PostgreSQL; stop any it left running, then remove the dir.
  while IFS= read -r pidfile; do
    pgpid=$(head -n1 "$pidfile" 2>/dev/null || true)
    if ! [[ $pgpid =~ ^[0-9]+$ ]] || ! kill -0 "$pgpid" 2>/dev/null; then continue; fi
    echo "error: server left PostgreSQL (pid $pgpid) running; stopping it" >&2
    ((rc)) || rc=1
    kill -QUIT "$pgpid" 2>/dev/null || true
    for _ in $(seq 20); do kill -0 "$pgpid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pgpid" 2>/dev/null || true
  done < <(find "$work" -name postmaster.pid 2>/dev/null)
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
echo "==> starting $BIN serve --demo on $base (data dir $work, log $log)"
env -u DATABASE_URL JWT_SECRET="${JWT_SECRET:-contract-test-only-jwt-secret-0123456789}" \
  CADRE_TOKEN_TTL_SECS="${CADRE_TOKEN_TTL_SECS:-3600}" \
  "$BIN" serve --demo --bind "127.0.0.1:$port" --data-dir "$work" >"$log" 2>&1 &
server_pid=$!

started=$SECONDS
deadline=$((started + 90))
until curl -fs -o /dev/null --max-time 5 "$base/readyz"; do
  if ! kill -0 "$server_pid" 2>/dev/null || ((SECONDS >= deadline)); then
    echo "error: server did not become ready at $base/readyz within 90 s; its log:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 1
done
echo "==> server ready after $((SECONDS - started))s"

token_of() {
  local grant="{\"grant_type\":\"password\",\"username\":\"$1\",\"password\":\"Demo@2026\"}"
  [[ $1 == feed.* ]] && grant="{\"grant_type\":\"client_credentials\",\"client_id\":\"$1\",\"client_secret\":\"Demo@2026\"}"
  curl -fsS --max-time 10 -H 'Content-Type: application/json' -d "$grant" \
    "$base/api/v1/auth/token" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}

# An issued assignment of the Department of Natural Resources and Environment, so the evidence
# operations (multipart uploads included) get past the scope check; schemathesis.toml pins
# their `id` to it.
EVIDENCE_TASK=$("$PY" - "$base" <<'PY'
import json, sys, urllib.request
base = sys.argv[1] + "/api/v1"
def call(method, path, token=None, body=None, headers=None):
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    with urllib.request.urlopen(req) as res:
        return json.load(res), res.headers
def token(user):
    return call("POST", "/auth/token", body={"grant_type": "password", "username": user, "password": "Demo@2026"})[0]["access_token"]
ob, sc = token("bantochuc.1"), token("thuongvu.1")
units = {u["code"]: u["id"] for u in call("GET", "/org-units?limit=200", ob)[0]["items"]}
rnd, headers = call("POST", "/rounds", ob, {"assigning_unit_id": units["VP"], "year": 2022, "title": "Đợt giao cho kiểm thử hợp đồng",
    "decision_number": "99-QĐ/TU", "decision_date": "2022-01-10"})
task = call("POST", "/assignments", ob, {"round_id": rnd["id"], "assignee_unit_id": units["VP-SO-TNMT"], "title": "Nhiệm vụ kiểm thử",
    "content_area": "socio_economic", "kind": "task", "product_description": "Sản phẩm", "start_date": "2022-01-01", "end_date": "2022-12-31"})[0]
call("POST", f"/rounds/{rnd['id']}/issue", sc, {"override_reason": "Kiểm thử hợp đồng"}, {"If-Match": headers["ETag"]})
print(task["id"])
PY
)
export EVIDENCE_TASK
echo "==> evidence operations pinned to assignment $EVIDENCE_TASK"

# The event feed, read from the start by the Standing Committee (the demo's practice and the
# round above), page by page: every event must parse as CloudEvents 1.0 structured JSON with
# the CloudEvents SDK (an independent implementation), in increasing `sequence`, each once.
echo "==> event feed checked with the CloudEvents SDK"
"$PY" - "$base" <<'PY'
import json, sys, time, urllib.request
from cloudevents.http import from_json
base = sys.argv[1] + "/api/v1"
def call(path, token=None, body=None):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as res:
        return json.load(res)
sc = call("/auth/token", body={"grant_type": "password", "username": "thuongvu.1", "password": "Demo@2026"})["access_token"]
cursor, seen, last, started = "", set(), 0, time.monotonic()
while True:
    page = call(f"/events?limit=1000&after={cursor}", sc)
    if not page["items"]:
        break
    for item in page["items"]:
        event = from_json(json.dumps(item))
        assert event["specversion"] == "1.0" and event["type"].startswith("vn.gov.cadre."), item
        position = int(event["sequence"])
        assert position > last and event["id"] not in seen, item
        last = position
        seen.add(event["id"])
    cursor = page["next_cursor"]
took = time.monotonic() - started
assert len(seen) > 100, f"only {len(seen)} events"
print(f"    {len(seen)} events valid, in order, read in {took:.2f} s ({len(seen) / took:.0f} events/s)")
PY

read -r -a extra <<<"${CONTRACT_SCHEMATHESIS_ARGS:-}"
max_time=${CONTRACT_MAX_TIME:-120}
# schemathesis 4.x: all checks (the default; `--checks all` on the command line would override the
# per-operation exceptions of scripts/schemathesis.toml), all phases (examples, coverage,
# fuzzing, stateful), positive+negative data;
# --origin keeps the spec's own base path; --max-time is the whole-run budget (fuzzing repeats until spent).
# Runs inside $OUT so its state (.hypothesis/, .schemathesis/ crash cache for `st replay`) stays out of the repo.
# usage: fuzz_as USERNAME REPORT [filters...]
fuzz_as() {
  local user=$1 report=$2 status=0 token
  shift 2
  token=$(token_of "$user")
  echo "==> schemathesis run $base/api/v1/openapi.json as $user $*"
  (cd "$OUT" && timeout $((max_time + 300)) "$root/$VENV/bin/schemathesis" --config-file "$root/scripts/schemathesis.toml" run "$base/api/v1/openapi.json" \
    --origin "$base" \
    --header "Authorization: Bearer $token" \
    --max-examples "${CONTRACT_MAX_EXAMPLES:-25}" \
    --max-time "$max_time" \
    --generation-database none \
    --report junit --report-junit-path "$report" \
    --no-color \
    "$@" "${extra[@]}") || status=$?
  if ((status != 0)); then
    echo "error: schemathesis failed as $user (exit $status); last server log lines ($log):" >&2
    tail -n 60 "$log" >&2
    exit "$status"
  fi
}

# The administrator reaches the organisation, people and access endpoints; the Standing
# Committee (who sees no accounts but drafts, issues and decides) reaches the assignment cycle.
fuzz_as admin schemathesis-admin-junit.xml
# A department's staff uploads evidence (multipart) and adds links and documents, before the
# Standing Committee's pass may withdraw the assignment they are pinned to.
fuzz_as staff.so-tnmt.1 schemathesis-staff-junit.xml --include-tag-regex '^evidence$'
fuzz_as thuongvu.1 schemathesis-sc-junit.xml --include-tag-regex '^(assignments|commitments|plans|amendments|progress|supervision|evidence|evaluations|reports)$'
# A department's machine client reaches the feed import.
fuzz_as feed.so-khdt schemathesis-feed-junit.xml --include-tag-regex '^feeds$'
echo "==> contract checks passed"
