#!/usr/bin/env bash
# `npm run test:python`: installs the Python package that `npm run jsii` generated (build/jsii/packages/python/) with
# the pinned cdk8s, cdk8s-plus-27 and constructs packages (test/python/requirements.txt) into a fresh venv,
# build/python-venv, and runs test/python/smoke_test.py, which synthesizes the classic app and the second tutorial
# from Python and compares them byte for byte with dist/ and dist-private/. Prints the time of each step.
set -euo pipefail
# Seconds since a `date +%s%N` stamp, to a tenth.
elapsed() { local ms=$(( ($(date +%s%N) - $1) / 1000000 )); echo "$(( ms / 1000 )).$(( ms % 1000 / 100 )) s"; }
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
# The jsii runtime warns on every start that Node 20 is past its end of life; the project supports Node >= 20.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20

shopt -s nullglob
wheels=(build/jsii/packages/python/*.whl)
if [ "${#wheels[@]}" -ne 1 ]; then
  echo "expected one wheel in build/jsii/packages/python/ (found ${#wheels[@]}): run 'npm run jsii' first" >&2
  exit 1
fi

venv=build/python-venv
start=$(date +%s%N)
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --no-input --disable-pip-version-check --only-binary=:all: \
  -r test/python/requirements.txt "${wheels[0]}"
echo "venv and pip install: $(elapsed "$start")"

start=$(date +%s%N)
"$venv/bin/python" test/python/smoke_test.py
echo "Python smoke test: $(elapsed "$start")"
