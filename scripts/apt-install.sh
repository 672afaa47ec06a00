#!/usr/bin/env bash
# Installs the Debian packages that are missing, each given as NAME or NAME=VERSION (an exact pin: a package installed
# at another version counts as missing), with post-install scripts kept from starting services (policy-rc.d), and
# stops on a systemd host the services named with --stop-units. Used by install-e2e-deps.sh and install-cluster-deps.sh.
# Usage: bash scripts/apt-install.sh LABEL [--stop-units "a b"] PACKAGE...   (uses sudo when not root)
set -euo pipefail
label=$1
shift
units=""
if [ "${1:-}" = "--stop-units" ]; then units=$2; shift 2; fi

missing=()
for spec in "$@"; do
  name=${spec%%=*}
  have=$(dpkg-query -W -f='${Status} ${Version}' "$name" 2>/dev/null || true)
  case "$have" in
    "install ok installed "*)
      if [ "$spec" != "$name" ] && [ "${have##* }" != "${spec#*=}" ]; then missing+=("$spec"); fi ;;
    *) missing+=("$spec") ;;
  esac
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "$label already installed: $*"
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
  echo "apt-install: apt-get could not install ${missing[*]}." >&2
  echo "If a pinned version is gone from Debian, move its pin in the installer script to what 'apt-cache policy NAME' offers." >&2
  exit 1
fi

# On a systemd host, the packages enable their services; the suites run their own instances instead.
if [ -n "$units" ] && [ -d /run/systemd/system ]; then
  for unit in $units; do
    $SUDO systemctl disable --now "$unit" >/dev/null 2>&1 || true
  done
fi
echo "installed: ${missing[*]}"
