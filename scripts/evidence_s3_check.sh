#!/usr/bin/env bash
# Checks the S3 path of the evidence store end to end: starts an S3-compatible server (moto,
# from PyPI, under .tools/), runs `cadre-api serve --demo` with CADRE_EVIDENCE_STORE=s3://...,
# uploads a file as a department's staff, downloads it, re-verifies it and lists the bucket.
#
#   bash scripts/evidence_s3_check.sh          # builds target/debug/cadre-api if needed
#   CADRE_API_BIN=path/to/cadre-api bash scripts/evidence_s3_check.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
VENV=.tools/moto
if [[ ! -x $VENV/bin/moto_server ]]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==5.*"
fi
BIN=${CADRE_API_BIN:-target/debug/cadre-api}
[[ -n ${CADRE_API_BIN:-} ]] || cargo build --locked --bin cadre-api
[[ $BIN == /* ]] || BIN=$root/$BIN

work=$(mktemp -d /tmp/cadre-s3.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  local rc=$?
  if ((rc != 0)); then
    echo "error: the check failed; the service's last log lines:" >&2
    tail -n 20 "$work/api.log" >&2 || true
  fi
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
s3_port=$(free_port)
api_port=$(free_port)
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$s3_port" >"$work/moto.log" 2>&1 &
pids+=($!)
until curl -fs -o /dev/null "http://127.0.0.1:$s3_port/moto-api/"; do sleep 0.5; done
curl -fsS -X PUT "http://127.0.0.1:$s3_port/evidence" >/dev/null

env -u DATABASE_URL JWT_SECRET=s3-check-only-jwt-secret-0123456789abcdef \
  CADRE_EVIDENCE_STORE=s3://evidence/cadre AWS_ENDPOINT="http://127.0.0.1:$s3_port" AWS_ALLOW_HTTP=true \
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 \
  "$BIN" serve --demo --bind "127.0.0.1:$api_port" --data-dir "$work/data" >"$work/api.log" 2>&1 &
pids+=($!)
for _ in $(seq 90); do curl -fs -o /dev/null "http://127.0.0.1:$api_port/readyz" && break; sleep 1; done

python3 - "http://127.0.0.1:$api_port/api/v1" "http://127.0.0.1:$s3_port" <<'PY'
import hashlib, json, sys, urllib.request, uuid
api, s3 = sys.argv[1], sys.argv[2]

def call(method, path, token=None, body=None, headers=None, raw=None, content_type="application/json"):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(api + path, method=method, data=data)
    req.add_header("Content-Type", content_type)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    with urllib.request.urlopen(req) as res:
        return res.read(), res.headers

def token(user):
    body, _ = call("POST", "/auth/token", body={"grant_type": "password", "username": user, "password": "Demo@2026"})
    return json.loads(body)["access_token"]

ob, sc, staff = token("bantochuc.1"), token("thuongvu.1"), token("staff.so-tnmt.1")
units = {u["code"]: u["id"] for u in json.loads(call("GET", "/org-units?limit=200", ob)[0])["items"]}
rnd, headers = call("POST", "/rounds", ob, {"assigning_unit_id": units["VP"], "year": 2022, "title": "Kiểm tra kho S3",
    "decision_number": "98-QĐ/TU", "decision_date": "2022-01-10"})
rnd = json.loads(rnd)
task = json.loads(call("POST", "/assignments", ob, {"round_id": rnd["id"], "assignee_unit_id": units["VP-SO-TNMT"],
    "title": "Nhiệm vụ", "content_area": "socio_economic", "kind": "task", "product_description": "Sản phẩm",
    "start_date": "2022-01-01", "end_date": "2022-12-31"})[0])
call("POST", f"/rounds/{rnd['id']}/issue", sc, {"override_reason": "Kiểm tra kho lưu trữ S3"}, {"If-Match": headers["ETag"]})

content = b"%PDF-1.7\n" + uuid.uuid4().bytes * 40000 + b"\n%%EOF\n"  # 640 kB, several parts
boundary = uuid.uuid4().hex
form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nBiên bản\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bien-ban.pdf\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
created, _ = call("POST", f"/assignments/{task['id']}/evidence/files", staff, raw=form,
                  content_type=f"multipart/form-data; boundary={boundary}")
evidence = json.loads(created)
digest = hashlib.sha256(content).hexdigest()
assert evidence["file"]["sha256"] == digest, evidence
got, headers = call("GET", f"/evidence/{evidence['id']}/content", ob)
assert got == content and headers["Content-Type"] == "application/pdf", headers
check = json.loads(call("POST", f"/evidence/{evidence['id']}/verify-integrity", ob, {})[0])
assert check["intact"] is True, check
listing = urllib.request.urlopen(f"{s3}/evidence?list-type=2").read().decode()
key = f"cadre/sha256/{digest[:2]}/{digest}"
assert key in listing and "staging/" not in listing, listing
print(f"S3 evidence store OK: {len(content)} bytes stored as s3://evidence/{key}, downloaded and re-verified")
PY
