#!/usr/bin/env python3
"""Benchmark of the event feed and webhooks: events written per second (changes made by
concurrent writers, each writing its event in its own transaction), events read per second
through GET /api/v1/events, and the delivery latency of webhooks to a local receiver (from the
writer's 201 to the receiver's request).

Needs a running service with the demo data that may deliver to this machine:
  CADRE_WEBHOOK_ALLOWED_HOSTS=127.0.0.1 cargo run --release -- --demo
Standard library only.

Usage: python3 scripts/bench_events.py [--base http://127.0.0.1:8080] [--events 2000]
       [--writers 8]
"""

import argparse
import concurrent.futures
import http.server
import json
import statistics
import threading
import time
import urllib.request
import uuid

PASSWORD = "Demo@2026"


def call(base, method, path, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=300) as res:
        return json.loads(res.read() or b"null")


def token(base, user):
    body = {"grant_type": "password", "username": user, "password": PASSWORD}
    return call(base, "POST", "/api/v1/auth/token", body=body)["access_token"]


class Receiver(http.server.BaseHTTPRequestHandler):
    """Records when each group's creation arrives."""

    arrived = {}
    lock = threading.Lock()

    def do_POST(self):  # noqa: N802 (the standard library's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        now = time.monotonic()
        event = json.loads(body)
        with self.lock:
            self.arrived.setdefault(event["data"]["id"], now)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:8080")
    ap.add_argument("--events", type=int, default=2000)
    ap.add_argument("--writers", type=int, default=8)
    args = ap.parse_args()
    base = args.base

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hooks"

    ob, sc = token(base, "bantochuc.1"), token(base, "thuongvu.1")
    vp = call(base, "GET", "/api/v1/org-units?code=VP", ob)["items"][0]["id"]
    call(base, "POST", "/api/v1/webhook-subscriptions", sc, {
        "url": url, "description": "bench", "event_types": ["vn.gov.cadre.org_group.created"]})

    # Writes: each creates a group, which writes one event in the same transaction.
    created = {}
    run = uuid.uuid4().hex[:6].upper()

    def write(i):
        g = call(base, "POST", "/api/v1/groups", ob, {
            "owner_unit_id": vp, "year": 2099, "code": f"B{run}-{i}",
            "label_vi": "Nhóm đo hiệu năng", "member_ids": []})
        created[g["id"]] = time.monotonic()

    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(args.writers) as pool:
        list(pool.map(write, range(args.events)))
    written = time.monotonic() - t0
    print(f"written: {args.events} events by {args.writers} writers in {written:.2f} s"
          f" = {args.events / written:.0f} events/s")

    # Reads: the whole feed from the start, 1000 a page.
    cursor, count = "", 0
    t0 = time.monotonic()
    while True:
        page = call(base, "GET", f"/api/v1/events?after={cursor}&limit=1000", sc)
        count += len(page["items"])
        if not page["items"]:
            break
        cursor = page["next_cursor"]
    read = time.monotonic() - t0
    print(f"read: {count} events in {read:.2f} s = {count / read:.0f} events/s")

    # Deliveries.
    deadline = time.monotonic() + 120
    while len(Receiver.arrived) < len(created) and time.monotonic() < deadline:
        time.sleep(0.05)
    lat = sorted((Receiver.arrived[i] - t) * 1000 for i, t in created.items() if i in Receiver.arrived)
    if len(lat) < len(created):
        print(f"delivered only {len(lat)} of {len(created)} within 120 s")
    if lat:
        q = statistics.quantiles(lat, n=100)
        print(f"delivery latency (201 → receiver): p50 {q[49]:.0f} ms, p95 {q[94]:.0f} ms,"
              f" p99 {q[98]:.0f} ms, max {lat[-1]:.0f} ms over {len(lat)} deliveries")


if __name__ == "__main__":
    main()
