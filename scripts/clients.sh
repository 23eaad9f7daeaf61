#!/usr/bin/env bash
# Client checks of the committed contract, openapi/openapi.json (static: no server):
#   redocly lint       Redocly `recommended` rules (redocly.yaml): 0 errors and 0 warnings
#   python client      openapi-python-client generates a client with no warning; ruff's pyflakes
#                      rules pass on it and every generated module imports (warnings are errors)
#   typescript client  openapi-typescript generates types; scripts/clients/check.ts (a token, a
#                      list read page by page and a create, with openapi-fetch) passes
#                      `tsc --strict --noEmit` with TypeScript 5
#   breaking changes   Optic's breaking-changes rules against the last released contract
#                      (openapi/released/); each change must be announced in openapi/BREAKING.md
# Every check runs even when an earlier one fails; the summary lists them, and the script fails
# if any did. Tools are pinned (scripts/clients/requirements.txt, scripts/clients/package.json
# with its lock file) and cached under .tools/, reinstalled when the pins change.
#
# Env knobs:
#   CLIENTS_CHECKS  the checks to run, space separated (default: "lint python typescript breaking")
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

SPEC=openapi/openapi.json
CFG=scripts/clients
TOOLS=.tools
VENV=$TOOLS/clients-venv
NODE=$TOOLS/clients-node
OUT=target/clients # generated clients, reports
CHECKS=${CLIENTS_CHECKS:-lint python typescript breaking}

[[ -f $SPEC ]] || { echo "error: $SPEC not found" >&2; exit 1; }
mkdir -p "$OUT"

# --- tools ---
stamp() { cat "$@" | sha256sum | cut -d' ' -f1; }
started=$SECONDS
if [[ "$(cat "$VENV/.pins" 2>/dev/null)" != "$(stamp $CFG/requirements.txt)" ]]; then
  echo "==> installing $CFG/requirements.txt into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps -r $CFG/requirements.txt
  "$VENV/bin/pip" check --disable-pip-version-check >/dev/null
  stamp $CFG/requirements.txt >"$VENV/.pins"
fi
if [[ "$(cat "$NODE/.pins" 2>/dev/null)" != "$(stamp $CFG/package.json $CFG/package-lock.json)" ]]; then
  echo "==> installing $CFG/package-lock.json into $NODE"
  rm -rf "$NODE"
  mkdir -p "$NODE"
  cp $CFG/package.json $CFG/package-lock.json "$NODE/"
  # --ignore-scripts: none of these tools needs an install script (the ones in the tree only
  # send install analytics), and nothing is downloaded beyond the registry's packages.
  npm ci --prefix "$NODE" --ignore-scripts --no-audit --no-fund --loglevel=error
  stamp $CFG/package.json $CFG/package-lock.json >"$NODE/.pins"
fi
echo "==> client tools ready ($((SECONDS - started))s)"
bin=$root/$NODE/node_modules/.bin
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true OPTIC_TELEMETRY_LEVEL=off NO_COLOR=1

# --- the checks ---
check_lint() {
  "$bin/redocly" lint "$SPEC" --config redocly.yaml --format json >"$OUT/redocly.json" 2>"$OUT/redocly.log" || true
  [[ -s $OUT/redocly.json ]] || { cat "$OUT/redocly.log" >&2; return 1; }
  "$VENV/bin/python" $CFG/lint_report.py "$OUT/redocly.json"
}

check_python() {
  local out=$OUT/python log=$OUT/openapi-python-client.log
  rm -rf "$out"
  # ruff (the generator's formatting hook) is in the venv
  if ! PATH="$root/$VENV/bin:$PATH" "$VENV/bin/openapi-python-client" generate --path "$SPEC" \
    --output-path "$out" --config $CFG/openapi-python-client.yaml >"$log" 2>&1; then
    echo "error: openapi-python-client failed:" >&2
    cat "$log" >&2
    return 1
  fi
  # Its only line on a clean run is "Generating <dir>"; anything else is a warning.
  if grep -qv '^Generating ' "$log"; then
    echo "error: openapi-python-client warned (a warning means a part of the client is missing or wrong):" >&2
    grep -v '^Generating ' "$log" | sed -e '/^$/d' -e 's/^/  /' >&2
    return 1
  fi
  local rc=0
  echo "    generated $(find "$out" -name '*.py' | wc -l) files into $out"
  "$VENV/bin/ruff" check --no-cache --quiet --select F --output-format concise "$out" >&2 || {
    echo "error: ruff (pyflakes rules) finds the generated client broken (above)" >&2
    rc=1
  }
  PYTHONPATH=$out "$VENV/bin/python" -W error $CFG/import_all.py cadre_api_client || rc=1
  return $rc
}

check_typescript() {
  local out=$OUT/typescript
  rm -rf "$out"
  mkdir -p "$out"
  if ! "$bin/openapi-typescript" "$SPEC" --output "$out/api.d.ts" >"$out/openapi-typescript.log" 2>&1 ||
    grep -qiE 'warn|error' "$out/openapi-typescript.log"; then
    echo "error: openapi-typescript failed or warned:" >&2
    cat "$out/openapi-typescript.log" >&2
    return 1
  fi
  cp $CFG/check.ts $CFG/tsconfig.json "$out/"
  ln -s "$root/$NODE/node_modules" "$out/node_modules"
  echo "    $(grep -c '' "$out/api.d.ts") lines of types in $out/api.d.ts; tsc $("$bin/tsc" --version)"
  # skipLibCheck is off, so the generated declarations are checked too.
  (cd "$out" && "$bin/tsc" --project tsconfig.json --strict --noEmit --pretty false) >&2 || {
    echo "error: $CFG/check.ts does not type-check against the generated types (above; file $out/check.ts)" >&2
    return 1
  }
}

check_breaking() {
  local baseline
  baseline=$(find openapi/released -name 'openapi-*.json' | sort -V | tail -n1)
  [[ -n $baseline ]] || { echo "error: no released contract under openapi/released/" >&2; return 1; }
  "$VENV/bin/python" $CFG/breaking.py "$bin/optic" "$baseline" "$SPEC" openapi/BREAKING.md "$OUT"
}

summary=()
failed=0
for check in $CHECKS; do
  case $check in
    lint) title="redocly lint" ;;
    python) title="python client" ;;
    typescript) title="typescript client" ;;
    breaking) title="breaking changes" ;;
    *) echo "error: unknown check '$check' in CLIENTS_CHECKS" >&2; exit 2 ;;
  esac
  echo "==> $title"
  t=$SECONDS
  if "check_$check"; then
    summary+=("ok    $title ($((SECONDS - t))s)")
  else
    summary+=("FAIL  $title ($((SECONDS - t))s)")
    failed=1
  fi
done
echo "==> client checks:"
printf '  %s\n' "${summary[@]}"
exit $failed
