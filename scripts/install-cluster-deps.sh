#!/usr/bin/env bash
# Installs what the real-node cluster suite (npm run test:cluster) needs from Debian's packages, pinned, and leaves
# the distro's own services stopped: the suite starts containerd, etcd and dnsmasq itself with private state
# directories and sockets. The Kubernetes components are built from the Go module proxy by
# test/cluster/build-k8s.sh, not installed here.
#   etcd-server 3.4, containerd 1.6 (CRI v1), runc, containernetworking-plugins (bridge, host-local, loopback,
#   portmap), iptables, conntrack, socat (kubectl port-forward), dnsmasq-base (cluster DNS), busybox-static (the
#   stand-in registry image's shell), iproute2, gcc and
#   libc6-dev (a static pause binary), python3 (image archives), skopeo and curl (also used by the e2e suite).
# Usage: bash scripts/install-cluster-deps.sh   (uses sudo when not root)
set -euo pipefail

# Exact versions from Debian 12 (bookworm) and its security updates, so every machine runs the same programs.
# When Debian supersedes one, apt-get fails naming it: move the pin to the version `apt-cache policy NAME` offers.
packages=(
  etcd-server=3.4.23-4+b4
  containerd=1.6.20~ds1-1+deb12u3
  runc=1.1.5+ds1-1+deb12u1
  containernetworking-plugins=1.1.1+ds1-3+b5
  iptables=1.8.9-2
  conntrack=1:1.4.7-1+b2
  socat=1.7.4.4-2
  dnsmasq-base=2.90-4~deb12u2
  iproute2
  gcc
  libc6-dev
  python3
  skopeo=1.9.3+ds1-1+b10
  busybox-static=1:1.35.0-4+deb12u1+b1
  nftables=1.0.6-2+deb12u2
  curl
  openssl
)

missing=()
for spec in "${packages[@]}"; do
  name=${spec%%=*}
  want=${spec#*=}
  have=$(dpkg-query -W -f='${Status} ${Version}' "$name" 2>/dev/null || true)
  case "$have" in
    "install ok installed "*)
      if [ "$want" != "$name" ] && [ "${have##* }" != "$want" ]; then missing+=("$spec"); fi ;;
    *) missing+=("$spec") ;;
  esac
done
# The registry:3.x image of the manifests is packed from the real registry 3 binary.
install_registry_v3() { bash "$(dirname "$0")/build-registry-v3.sh"; }

if [ "${#missing[@]}" -eq 0 ]; then
  echo "cluster dependencies already installed: ${packages[*]}"
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
if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends --allow-downgrades "${missing[@]}"; then
  echo "install-cluster-deps: apt-get could not install ${missing[*]}." >&2
  echo "If a pinned version is gone from Debian, move its pin in scripts/install-cluster-deps.sh to what" >&2
  echo "'apt-cache policy NAME' offers." >&2
  exit 1
fi

# On a systemd host, the packages enable their services; the suite runs its own instances instead.
if [ -d /run/systemd/system ]; then
  for unit in containerd etcd; do
    $SUDO systemctl disable --now "$unit" >/dev/null 2>&1 || true
  done
fi
echo "installed: ${missing[*]}"
install_registry_v3
