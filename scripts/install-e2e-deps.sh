#!/usr/bin/env bash
# Installs the real programs the end-to-end suite runs, from Debian's packages, and leaves the distro's own
# services stopped: the suite starts each program itself on a private loopback port.
#   docker-registry (distribution 2.8.2), nginx, skopeo, apache2-utils (htpasswd), redis-server, curl,
#   chromium (headless, for the UI's CORS test)
# and, with `go install` from the Go module proxy, the distribution registry 3.x (REGISTRY_V3_VERSION below) into
# ~/.cache/cdk8s-private-registry/registry-<version>/registry, which the e2e suite runs beside Debian's 2.8.2.
# Usage: bash scripts/install-e2e-deps.sh   (uses sudo when not root)
set -euo pipefail

packages=(docker-registry nginx skopeo apache2-utils redis-server redis-tools curl ca-certificates openssl chromium)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
install_registry_v3() { bash "$(dirname "$0")/build-registry-v3.sh"; }

if [ "${#missing[@]}" -eq 0 ]; then
  echo "e2e dependencies already installed: ${packages[*]}"
  install_registry_v3
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Keep package post-install scripts from starting services (policy-rc.d answers "not now").
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod +x "$policy"
  created_policy=1
fi
cleanup() { if [ "$created_policy" = 1 ]; then $SUDO rm -f "$policy"; fi; }
trap cleanup EXIT

$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

# On a systemd host, the packages enable their services; the suite wants none of them running.
if [ -d /run/systemd/system ]; then
  for unit in nginx redis-server docker-registry; do
    $SUDO systemctl disable --now "$unit" >/dev/null 2>&1 || true
  done
fi
echo "installed: ${missing[*]}"
install_registry_v3
