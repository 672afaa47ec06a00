// A cdk8s validation plugin: checks every synthesized object against the Kubernetes schemas of
// kubernetes-models 4.x. `cdk8s synth` maps each violation back to the construct that made the object.
// Enable it in your app's cdk8s.yaml (see the README, "Validating your own app").
'use strict';
const fs = require('fs');
const { parseAllDocuments } = require('yaml');

/** Custom resources without a model in kubernetes-models, with the fields their CRDs require. */
const CUSTOM_RESOURCES = {
  'monitoring.coreos.com/v1 ServiceMonitor': obj => [
    ...(obj.spec && obj.spec.selector && obj.spec.selector.matchLabels ? [] : ['spec.selector.matchLabels is required']),
    ...(obj.spec && Array.isArray(obj.spec.endpoints) && obj.spec.endpoints.every(e => typeof e.port === 'string')
      ? [] : ['spec.endpoints[].port is required']),
  ],
};

/** The install line for the schemas this plugin reads, when they are missing. */
const INSTALL_HINT = 'npm install --save-dev kubernetes-models@^4.5.1';

/** Whether kubernetes-models can be loaded from where this plugin is installed. */
function kubernetesModelsInstalled() {
  try {
    require.resolve('kubernetes-models/v1');
    return true;
  } catch {
    return false;
  }
}

function modelFor(apiVersion, kind) {
  try {
    return require(`kubernetes-models/${apiVersion}`)[kind];
  } catch {
    return undefined;
  }
}

/** The problems of one object, as messages. */
function objectProblems(obj) {
  const custom = CUSTOM_RESOURCES[`${obj.apiVersion} ${obj.kind}`];
  if (custom) {
    return custom(obj);
  }
  const Model = modelFor(obj.apiVersion, obj.kind);
  if (!Model) {
    return [`no schema for ${obj.apiVersion} ${obj.kind}`];
  }
  try {
    new Model(obj).validate();
    return [];
  } catch (e) {
    return [e.message];
  }
}

class KubernetesSchemaValidation {
  constructor(properties = {}) {
    /** apiVersion/kind pairs to skip, e.g. custom resources of your own. */
    this.skip = new Set(properties.skip || []);
  }

  async validate(context) {
    // Without the schemas every object would fail with "no schema for ...": say once what is missing instead.
    if (!kubernetesModelsInstalled()) {
      context.report.addViolation({
        ruleName: 'kubernetes-schema: setup',
        recommendation: 'the schema validation plugin needs the kubernetes-models package, which is not installed',
        fix: `install it next to cdk8s-private-registry: ${INSTALL_HINT}`,
        violatingResources: [],
      });
      context.report.submit('failure', { objects: '0', violations: '1' });
      return;
    }
    let checked = 0;
    let failed = 0;
    for (const manifestPath of context.manifests) {
      const objects = parseAllDocuments(fs.readFileSync(manifestPath, 'utf8')).map(d => d.toJSON()).filter(Boolean);
      for (const obj of objects) {
        if (this.skip.has(`${obj.apiVersion} ${obj.kind}`)) continue;
        checked++;
        for (const problem of objectProblems(obj)) {
          failed++;
          context.report.addViolation({
            ruleName: `kubernetes-schema: ${obj.kind}`,
            recommendation: problem,
            fix: `compare ${obj.kind} "${obj.metadata && obj.metadata.name}" with the Kubernetes 1.27 API reference for ${obj.apiVersion} ${obj.kind}`,
            violatingResources: [{ resourceName: obj.metadata && obj.metadata.name, locations: [], manifestPath }],
          });
        }
      }
    }
    context.report.submit(failed > 0 ? 'failure' : 'success', { objects: String(checked), violations: String(failed) });
  }
}

module.exports = { KubernetesSchemaValidation, objectProblems, INSTALL_HINT };
