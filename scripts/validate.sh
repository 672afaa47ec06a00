#!/usr/bin/env bash
# `npm run validate`: runs the real `cdk8s synth` with the Kubernetes schema validation plugin, in a scratch
# copy of cdk8s.yaml, so that dist/ stays free of the construct-metadata.json that validation needs.
# Usage: npm run validate [-- path/to/app.ts]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
entry="${1:-main.ts}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/cdk8s.yaml" <<YAML
language: typescript
app: node $root/scripts/run-app.js $root/$entry
validations:
  - package: $root/validation/kubernetes-schema.js
    class: KubernetesSchemaValidation
    version: 1.0.0
YAML
cd "$work"
CDK8S_CHECK_UPGRADE=false "$root/node_modules/.bin/cdk8s" synth --output "$work/out"
