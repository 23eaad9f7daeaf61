#!/usr/bin/env bash
# The whole test suite: cargo build + cargo test + API contract checks + client checks.
# Usage: bash scripts/test.sh   (CI runs it via .ci/run)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

summary=()
current=""
step() { current="$1"; step_start=$SECONDS; echo; echo "==> $1"; }
done_step() { summary+=("ok    $current ($((SECONDS - step_start))s)"); current=""; }
# The HTTP tests share one embedded PostgreSQL under the temp dir (kept between plain
# `cargo test` runs); stop it when the suite ends.
stop_test_pg() {
  local data="${TMPDIR:-/tmp}/cadre-api-test-pg/postgres/data" pg_ctl
  [[ -f $data/postmaster.pid ]] || return 0
  pg_ctl=$(command -v pg_ctl || compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' | sort -V | tail -n1)
  pg_ctl=$(readlink -f "$pg_ctl")
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u "$(stat -c %U "$data")" -- "$pg_ctl" stop -D "$data" -m fast >/dev/null || true
  else
    "$pg_ctl" stop -D "$data" -m fast >/dev/null || true
  fi
}
on_exit() {
  local rc=$?
  stop_test_pg
  [[ -n "$current" ]] && summary+=("FAIL  $current ($((SECONDS - step_start))s)")
  echo
  echo "==> summary (${SECONDS}s total)"
  printf '  %s\n' "${summary[@]}"
  if ((rc == 0)); then echo "==> all checks passed"; else echo "==> FAILED (exit $rc)"; fi
}
trap on_exit EXIT

step "postgresql server binaries"
have_initdb() { command -v initdb >/dev/null 2>&1 || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; }
if ! have_initdb; then
  if [[ $(id -u) -eq 0 ]]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends postgresql postgresql-contrib
  fi
  have_initdb || { echo "error: PostgreSQL server binaries (initdb) not found; install postgresql (e.g. apt-get install postgresql) or run as root" >&2; exit 1; }
fi
done_step

locked=()
[[ -f Cargo.lock ]] && locked=(--locked)

step "cargo build ${locked[*]} --bins"
cargo build "${locked[@]}" --bins
done_step

step "cargo clippy ${locked[*]} --all-targets -- -D warnings"
cargo clippy "${locked[@]}" --all-targets -- -D warnings
done_step

step "cargo test ${locked[*]}"
cargo test "${locked[@]}"
done_step

step "contract checks (scripts/contract.sh)"
bash scripts/contract.sh
done_step

step "client checks (scripts/clients.sh)"
bash scripts/clients.sh
done_step
