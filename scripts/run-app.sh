#!/bin/sh
# The app command of cdk8s.yaml: `sh scripts/run-app.sh [entry.ts] [args]`. Starts the app from the V8 start-up
# snapshot that scripts/run-app.js keeps for this entry: node begins with every module loaded and compiled, which
# costs about what starting node does. Without a snapshot, or when node refuses one (exit code 14: built by another
# node version or with other V8 flags), it runs scripts/run-app.js, which builds the snapshot and runs the app. The
# snapshot itself checks that no source or package changed since it was built (see scripts/run-app.js).
case $0 in */*) scripts=${0%/*} ;; *) scripts=. ;; esac
entry=${1:-$scripts/../main.ts}
case $entry in /*) ;; *) entry=$PWD/$entry ;; esac
# One snapshot per entry, named after its path with "/" written as "%" (shell built-ins only: no process to start).
name= rest=$entry
while :; do
  case $rest in
    */*) name=$name${rest%%/*}% rest=${rest#*/} ;;
    *) name=$name$rest; break ;;
  esac
done
RUN_APP_SNAPSHOT=$scripts/../node_modules/.cache/run-app/snapshots/$name.blob
export RUN_APP_SNAPSHOT
if [ -f "$RUN_APP_SNAPSHOT" ]; then
  node --snapshot-blob "$RUN_APP_SNAPSHOT" "$@"
  status=$?
  # An app that exits with 14 itself runs twice; its output is the same.
  [ "$status" -eq 14 ] || exit "$status"
fi
exec node "$scripts/run-app.js" "$@"
