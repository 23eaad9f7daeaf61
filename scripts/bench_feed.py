#!/usr/bin/env python3
"""Benchmark of department feed imports: rows per second through POST /api/v1/feeds/observations.

Needs a running service with the demo data (`cargo run --release -- --demo`). It sets up a
round with one target per department carrying an indicator code, licenses the demo feed client
for it, then sends BATCHES batches of ROWS new rows each (and one replay of the last batch) and
prints the time and rows per second of each. Standard library only.

Usage: python3 scripts/bench_feed.py [--base http://127.0.0.1:8080] [--rows 10000] [--batches 3]
"""

import argparse
import json
import time
import urllib.request
import uuid

PASSWORD = "Demo@2026"


def call(base, method, path, token=None, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    with urllib.request.urlopen(req, timeout=300) as res:
        return json.loads(res.read() or b"null"), res.headers


def token(base, user, client=False):
    body = (
        {"grant_type": "client_credentials", "client_id": user, "client_secret": PASSWORD}
        if client
        else {"grant_type": "password", "username": user, "password": PASSWORD}
    )
    return call(base, "POST", "/api/v1/auth/token", body=body)[0]["access_token"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:8080")
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--batches", type=int, default=3)
    args = ap.parse_args()
    base = args.base

    ob, sc, admin = token(base, "bantochuc.1"), token(base, "thuongvu.1"), token(base, "admin")
    feed = token(base, "feed.so-khdt", client=True)
    units = call(base, "GET", "/api/v1/org-units?code=VP", ob)[0]["items"]
    vp = units[0]["id"]
    departments = [
        u for u in call(base, "GET", f"/api/v1/org-units?parent_id={vp}&limit=200", ob)[0]["items"]
        if u["unit_type"] == "department"
    ]
    indicator = "BENCH_" + uuid.uuid4().hex[:8].upper()
    round_, headers = call(base, "POST", "/api/v1/rounds", ob, {
        "assigning_unit_id": vp, "year": 2022, "title": "Đợt giao đo hiệu năng",
        "decision_number": indicator, "decision_date": "2022-01-10"})
    for d in departments:
        call(base, "POST", "/api/v1/assignments", ob, {
            "round_id": round_["id"], "assignee_unit_id": d["id"], "title": "Chỉ tiêu đo hiệu năng",
            "content_area": "government_building", "kind": "target", "indicator_code": indicator,
            "start_date": "2022-01-01", "end_date": "2022-12-31",
            "target": {"unit_of_measure": "%", "shape": "at_least", "value": 90.0}})
    call(base, "POST", f"/api/v1/rounds/{round_['id']}/issue", sc, {}, {"If-Match": headers["ETag"]})
    me = call(base, "GET", "/api/v1/me", feed)[0]["account"]["id"]
    call(base, "POST", "/api/v1/feed-licences", admin, {
        "account_id": me, "indicator_code": indicator, "unit_id": vp, "include_subtree": True,
        "valid_from": "2021-01-01"})

    print(f"{len(departments)} departments, indicator {indicator}, {args.rows} rows per batch")
    batch = None
    for b in range(args.batches + 1):
        replay = b == args.batches
        if not replay:
            batch = {"observations": [
                {"external_id": f"{indicator}-{b}-{i}", "indicator_code": indicator,
                 "unit_code": departments[i % len(departments)]["code"],
                 "date": f"2022-{1 + i % 12:02d}-{1 + i % 28:02d}", "value": 80.0 + i % 20,
                 "source_ref": "bench"}
                for i in range(args.rows)]}
        size = len(json.dumps(batch).encode())
        started = time.perf_counter()
        summary, _ = call(base, "POST", "/api/v1/feeds/observations", feed, batch)
        took = time.perf_counter() - started
        label = "replay" if replay else f"batch {b + 1}"
        print(f"{label}: {size / 1e6:.1f} MB, imported {summary['imported']}, ignored {summary['ignored']}, "
              f"rejected {summary['rejected']} in {took:.2f} s = {args.rows / took:,.0f} rows/s")


if __name__ == "__main__":
    main()
