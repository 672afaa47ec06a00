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

bash "$(dirname "$0")/apt-install.sh" "cluster dependencies" --stop-units "containerd etcd" "${packages[@]}"
# The registry:3.x image of the manifests is packed from the real registry 3 binary.
bash "$(dirname "$0")/build-registry-v3.sh"
