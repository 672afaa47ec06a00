#!/usr/bin/env bash
# `npm test`: lint (eslint), type-check (tsc, incremental) and run jest (transpile-only) side by side.
# Fails if any fails. Arguments go to jest (`npm test -- --json --outputFile=report.json`).
set -uo pipefail
cd "$(dirname "$0")/.."
tsc_log="$(mktemp)"
node_modules/.bin/tsc --noEmit -p . --incremental --tsBuildInfoFile node_modules/.cache/tsc/tsbuildinfo > "$tsc_log" 2>&1 &
tsc_pid=$!
lint_log="$(mktemp)"
node_modules/.bin/eslint --max-warnings 0 . > "$lint_log" 2>&1 &
lint_pid=$!
node_modules/.bin/jest --maxWorkers=1 "$@"
jest_status=$?
wait "$tsc_pid"
tsc_status=$?
wait "$lint_pid"
lint_status=$?
if [ "$lint_status" -ne 0 ]; then
  echo "lint failed (eslint):" >&2
  cat "$lint_log" >&2
fi
rm -f "$lint_log"
if [ "$tsc_status" -ne 0 ]; then
  echo "type-check failed (tsc --noEmit):" >&2
  cat "$tsc_log" >&2
fi
rm -f "$tsc_log"
[ "$jest_status" -eq 0 ] && [ "$tsc_status" -eq 0 ] && [ "$lint_status" -eq 0 ]
