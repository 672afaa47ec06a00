#!/usr/bin/env bash
# `npm run jsii`: compiles the library with jsii and generates its Python package with jsii-pacmak, beside the normal
# tsc build. lib/ and imports/ are copied into build/jsii/ with a generated package.json (scripts/jsii-package.js), so
# jsii's own tsconfig.json and its .js, .d.ts and .jsii outputs stay there; the wheel lands in build/jsii/packages/python/.
# `npm run jsii -- --compile-only` stops after jsii. Prints the time of each step.
set -euo pipefail
# Seconds since a `date +%s%N` stamp, to a tenth.
elapsed() { local ms=$(( ($(date +%s%N) - $1) / 1000000 )); echo "$(( ms / 1000 )).$(( ms % 1000 / 100 )) s"; }
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# jsii and jsii-pacmak warn on every run that Node 20 is past its end of life; the project supports Node >= 20.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20

stage="build/jsii"
rm -rf "$stage"
mkdir -p "$stage"
cp -r lib imports "$stage/"
cp README.md LICENSE "$stage/"
node scripts/jsii-package.js "$stage"
# The bundled dependency (yaml) must sit in the package's own node_modules for `npm pack`; cdk8s, cdk8s-plus-27 and
# constructs resolve from the project's node_modules two levels up.
mkdir -p "$stage/node_modules"
cp -r node_modules/yaml "$stage/node_modules/yaml"

start=$(date +%s%N)
(cd "$stage" && "$root/node_modules/.bin/jsii" --fail-on-warnings --silence-warnings reserved-word --silence-warnings metadata/missing-dev-dependency)
echo "jsii compile: $(elapsed "$start")"
[ "${1:-}" = "--compile-only" ] && exit 0

start=$(date +%s%N)
(cd "$stage" && "$root/node_modules/.bin/jsii-pacmak" --targets python --code-only=false)
echo "jsii-pacmak python: $(elapsed "$start")"
ls "$stage"/packages/python/
