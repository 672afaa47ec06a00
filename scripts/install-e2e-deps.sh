#!/usr/bin/env bash
# Installs the real programs the end-to-end suite runs, from Debian's packages, and leaves the distro's own
# services stopped: the suite starts each program itself on a private loopback port.
#   docker-registry (distribution 2.8.2), nginx, skopeo, apache2-utils (htpasswd), redis-server, curl,
#   chromium (headless, for the UI's CORS test)
# and, with `go install` from the Go module proxy, the distribution registry 3.x (scripts/build-registry-v3.sh, which pins its version) into
# ~/.cache/cdk8s-private-registry/registry-<version>/registry, which the e2e suite runs beside Debian's 2.8.2.
# Usage: bash scripts/install-e2e-deps.sh   (uses sudo when not root)
set -euo pipefail

packages=(docker-registry nginx skopeo apache2-utils redis-server redis-tools curl ca-certificates openssl chromium)

bash "$(dirname "$0")/apt-install.sh" "e2e dependencies" --stop-units "nginx redis-server docker-registry" "${packages[@]}"
bash "$(dirname "$0")/build-registry-v3.sh"
