#!/usr/bin/env bash
# Builds the Kubernetes components of the cluster suite with `go build` from the Go module proxy:
# kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy and kubectl of the release pinned in
# test/cluster/k8s/go.mod. Go's module and build caches stay in their default places, so a machine that built them
# once rebuilds nothing; the binaries go to $K8S_BIN (default ~/.cache/cdk8s-private-registry/k8s-<version>/bin) and
# a stamp of go.mod, go.sum, this script and the Go version skips the build when nothing changed.
# A cold build took about 5 minutes on 2 cores here (the issue measured 13 min and 1.8 GB of memory for 1.32).
# Usage: bash test/cluster/build-k8s.sh   (prints the bin directory on its last line)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mod="$here/k8s"

if ! command -v go >/dev/null 2>&1; then
  echo "build-k8s: go is not on PATH; install Go 1.24 or later (the project's machines have Go 1.26)" >&2
  exit 1
fi

version=$(sed -n 's/^require k8s\.io\/kubernetes \(v[0-9.]*\)$/\1/p' "$mod/go.mod")
if [ -z "$version" ]; then
  echo "build-k8s: no 'require k8s.io/kubernetes vX.Y.Z' line in $mod/go.mod" >&2
  exit 1
fi
minor=$(echo "$version" | cut -d. -f2)
bin="${K8S_BIN:-$HOME/.cache/cdk8s-private-registry/k8s-$version/bin}"
commands=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)

stamp=$(cat "$mod/go.mod" "$mod/go.sum" "$0" | sha256sum | cut -c1-16)-$(go env GOVERSION)
if [ -f "$bin/.stamp" ] && [ "$(cat "$bin/.stamp")" = "$stamp" ]; then
  echo "build-k8s: Kubernetes $version already built in $bin"
  echo "$bin"
  exit 0
fi

mkdir -p "$bin"
rm -f "$bin/.stamp"
# The version the binaries report (kubectl version, the Node's kubeletVersion); without it they say v0.0.0.
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$version -X k8s.io/component-base/version.gitMajor=1"
ldflags+=" -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$version"
pkgs=()
for c in "${commands[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done

echo "build-k8s: building Kubernetes $version (${commands[*]}) into $bin; a cold build took about 5 min on 2 cores here"
start=$(date +%s)
(cd "$mod" && go mod download && go build -trimpath -ldflags "$ldflags" -o "$bin/" "${pkgs[@]}")
for c in "${commands[@]}"; do
  [ -x "$bin/$c" ] || { echo "build-k8s: $bin/$c was not built" >&2; exit 1; }
done
echo "$stamp" > "$bin/.stamp"
echo "build-k8s: built in $(( $(date +%s) - start )) s"
echo "$bin"
