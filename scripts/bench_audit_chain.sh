#!/usr/bin/env bash
# What the audit chain costs writers: the end of a change's transaction, as `app::in_tx` runs
# it, replayed by pgbench with concurrent clients, without the chain (audit record inserted
# before the feed's lock, as before the chain) and with it (feed lock, head lookup, linked
# insert). The SHA-256 of a record, computed in the service before the insert, takes
# microseconds and is left out. Each client commits one change per transaction.
#
# Usage: scripts/bench_audit_chain.sh [ADMIN_URL] [CLIENTS] [SECONDS]
#   ADMIN_URL defaults to postgres://postgres@127.0.0.1:5432/postgres; a scratch database
#   `cadre_bench_chain` is created there (migrated by `target/debug/cadre-api migrate`) and
#   dropped at the end.
set -euo pipefail
ADMIN=${1:-postgres://postgres@127.0.0.1:5432/postgres}
CLIENTS=${2:-8}
SECONDS_EACH=${3:-15}
DB=cadre_bench_chain
URL="${ADMIN%/*}/$DB"
FEED_LOCK=27973106738230646 # repo::events::FEED_LOCK
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"; psql -q "$ADMIN" -c "DROP DATABASE IF EXISTS $DB" >/dev/null' EXIT

psql -q "$ADMIN" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
DATABASE_URL="$URL" "$here/target/debug/cadre-api" migrate >/dev/null 2>&1
# A trail of 100 000 linked records, so the head lookup runs on a real-sized index.
psql -q "$URL" -c "INSERT INTO audit_events (id, at, action, resource_type, after, chain_position, prev_hash, hash)
  SELECT gen_random_uuid(), now(), 'bench.update', 'bench', '{\"x\": 1}', g, md5(g::text), md5(g::text)
  FROM generate_series(1, 100000) g"

# The record is ~1 KB of JSON, like a typical before/after image.
IMAGE=$(python3 -c 'import json; print(json.dumps({"title": "Nhiệm vụ " * 40, "version": 3, "state": "issued"}))')

cat > "$work/without.sql" <<SQL
BEGIN;
INSERT INTO audit_events (id, at, action, resource_type, after)
  VALUES (gen_random_uuid(), now(), 'bench.update', 'bench', '$IMAGE');
SELECT pg_advisory_xact_lock($FEED_LOCK);
INSERT INTO events (id, type, resource_type, time)
  VALUES (gen_random_uuid(), 'vn.gov.cadre.bench.updated', 'bench', now());
COMMIT;
SQL

cat > "$work/with.sql" <<SQL
BEGIN;
SELECT pg_advisory_xact_lock($FEED_LOCK);
SELECT chain_position AS head, hash AS head_hash FROM audit_events
  WHERE chain_position IS NOT NULL ORDER BY chain_position DESC LIMIT 1 \gset
INSERT INTO audit_events (id, at, action, resource_type, after, chain_position, prev_hash, hash)
  VALUES (gen_random_uuid(), now(), 'bench.update', 'bench', '$IMAGE', :head + 1, ':head_hash',
          md5(random()::text) || md5(random()::text));
INSERT INTO events (id, type, resource_type, time)
  VALUES (gen_random_uuid(), 'vn.gov.cadre.bench.updated', 'bench', now());
COMMIT;
SQL

for variant in without with; do
  pgbench -n -c "$CLIENTS" -j 2 -T "$SECONDS_EACH" -f "$work/$variant.sql" "$URL" > "$work/$variant.out" 2>&1 \
    || { cat "$work/$variant.out"; exit 1; }
  tps=$(awk '/^tps/ {print $3; exit}' "$work/$variant.out")
  lat=$(awk '/latency average/ {print $4; exit}' "$work/$variant.out")
  echo "$variant chain: $tps transactions/s, latency $lat ms ($CLIENTS clients)"
done
psql -q "$URL" -Atc "SELECT 'chain gapless after the run: ' || (count(chain_position) = max(chain_position))::text FROM audit_events"
