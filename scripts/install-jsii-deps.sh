#!/usr/bin/env bash
# What `npm run jsii` (jsii-pacmak's Python build) and `npm run test:python` need beyond npm: python3 (3.10 or later)
# with venv and pip. jsii-pacmak and the smoke test install their Python packages into venvs of their own, from PyPI.
# Installs Debian's python3-venv when python3 cannot create a venv (Debian's python3 without ensurepip).
# Usage: bash scripts/install-jsii-deps.sh   (uses sudo when not root)
set -euo pipefail
if ! command -v python3 >/dev/null; then
  echo "python3 (3.10 or later) is needed for the Python bindings" >&2
  exit 1
fi
python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' || {
  echo "python3 is $(python3 --version); the Python bindings need 3.10 or later" >&2
  exit 1
}
# Debian's python3 has the venv module but cannot bootstrap pip into a venv without python3-venv: try for real.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
if python3 -m venv "$probe/venv" >/dev/null 2>&1; then
  echo "jsii dependencies already installed: $(python3 --version) with venv"
  exit 0
fi
bash "$(dirname "$0")/apt-install.sh" "jsii dependencies" python3-venv
