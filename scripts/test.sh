#!/usr/bin/env bash
# `npm test`: type-check (tsc, incremental) and run jest (transpile-only) side by side, one per core.
# Fails if either fails. Arguments go to jest (`npm test -- --json --outputFile=report.json`).
set -uo pipefail
cd "$(dirname "$0")/.."
tsc_log="$(mktemp)"
node_modules/.bin/tsc --noEmit -p . --incremental --tsBuildInfoFile node_modules/.cache/tsc/tsbuildinfo > "$tsc_log" 2>&1 &
tsc_pid=$!
node_modules/.bin/jest --maxWorkers=1 "$@"
jest_status=$?
wait "$tsc_pid"
tsc_status=$?
if [ "$tsc_status" -ne 0 ]; then
  echo "type-check failed (tsc --noEmit):" >&2
  cat "$tsc_log" >&2
fi
rm -f "$tsc_log"
[ "$jest_status" -eq 0 ] && [ "$tsc_status" -eq 0 ]
