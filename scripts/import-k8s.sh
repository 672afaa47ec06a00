#!/usr/bin/env bash
# `npm run import-k8s`: regenerates imports/k8s.ts, the Kubernetes API classes of the version cdk8s.yaml imports
# (`k8s@1.27.0`), as `cdk8s import` would, without its download from raw.githubusercontent.com: the schema is
# api/openapi-spec/swagger.json of the Go module k8s.io/kubernetes at that release, from the Go module proxy (or
# the module cache, offline), and scripts/import-k8s.js runs cdk8s-cli's importer on it. Same inputs, same bytes.
# Usage: bash scripts/import-k8s.sh                 write imports/k8s.ts
#        bash scripts/import-k8s.sh --check [FILE]  exit 1 if imports/k8s.ts (or FILE) differs from what it would write
#        bash scripts/import-k8s.sh --fetch         only fill the Go module cache (CI, before the unit tests)
set -euo pipefail
cd "$(dirname "$0")/.."

# One pin: the import that cdk8s.yaml lists.
version=$(sed -n 's/^ *- *k8s@\([0-9][0-9.]*\) *$/\1/p' cdk8s.yaml)
if [ -z "$version" ]; then
  echo "import-k8s: no '- k8s@X.Y.Z' line under imports: in cdk8s.yaml" >&2
  exit 1
fi
if ! command -v go >/dev/null 2>&1; then
  echo "import-k8s: go is not on PATH; install Go 1.24 or later (it fetches k8s.io/kubernetes@v$version's schema)" >&2
  exit 1
fi

# Offline this succeeds from the module cache; online it downloads the module zip (about 17 MB) once.
module=$(go mod download -json "k8s.io/kubernetes@v$version") || {
  echo "import-k8s: 'go mod download k8s.io/kubernetes@v$version' failed:" >&2
  echo "$module" >&2
  exit 1
}
dir=$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8")).Dir ?? "")' <<<"$module")
swagger="$dir/api/openapi-spec/swagger.json"
if [ ! -f "$swagger" ]; then
  echo "import-k8s: $swagger is missing from the Go module cache" >&2
  exit 1
fi
[ "${1:-}" = "--fetch" ] && { echo "import-k8s: $swagger"; exit 0; }

if [ "${1:-}" = "--check" ]; then
  committed=${2:-imports/k8s.ts}
  out=$(mktemp --suffix=.ts)
  trap 'rm -f "$out"' EXIT
  node scripts/import-k8s.js "$version" "$swagger" "$out"
  if ! cmp -s "$out" "$committed"; then
    echo "import-k8s: $committed differs from what 'npm run import-k8s' generates for k8s@$version; run it and commit" >&2
    diff "$out" "$committed" | head -20 >&2 || true
    exit 1
  fi
  echo "import-k8s: $committed matches k8s@$version"
  exit 0
fi

node scripts/import-k8s.js "$version" "$swagger" imports/k8s.ts
echo "import-k8s: wrote imports/k8s.ts (k8s@$version, $(wc -c < imports/k8s.ts) bytes)"
