#!/usr/bin/env bash
# Builds the distribution registry 3.x with `go install` from the Go module proxy (its module has no replace
# directives), pinned to REGISTRY_V3_VERSION, into ~/.cache/cdk8s-private-registry/registry-<version>/registry.
# The e2e suite runs it beside Debian's 2.8.2; the cluster suite packs it as the registry:3.x image. About 2 min cold.
# Usage: bash scripts/build-registry-v3.sh   (prints the binary's path on its last line)
set -euo pipefail
REGISTRY_V3_VERSION=v3.1.2
dir="$HOME/.cache/cdk8s-private-registry/registry-$REGISTRY_V3_VERSION"
if [ -x "$dir/registry" ] && "$dir/registry" --version 2>/dev/null | grep -q " ${REGISTRY_V3_VERSION}"; then
  echo "registry $REGISTRY_V3_VERSION already built in $dir"
else
  if ! command -v go >/dev/null 2>&1; then
    echo "build-registry-v3: go is not on PATH; install Go 1.24 or later to build registry $REGISTRY_V3_VERSION" >&2
    exit 1
  fi
  echo "building registry $REGISTRY_V3_VERSION with go install (about 2 min cold)"
  mkdir -p "$dir"
  GOBIN="$dir" go install "github.com/distribution/distribution/v3/cmd/registry@$REGISTRY_V3_VERSION"
  "$dir/registry" --version
fi
echo "$dir/registry"
