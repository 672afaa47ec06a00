import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';

import { Registry } from '../lib';

/** A field the library does not offer: the company's CA bundle mounted into the registry, through `addJsonPatch`. */
export function escapeHatchChart(app: App): Chart {
  const chart = new Chart(app, 'escape-hatch', { namespace: 'tools' });
  const registry = new Registry(chart, 'registry');
  // `node.defaultChild` is the Deployment (also `registry.deployment`); the patches apply to its rendered JSON.
  const deployment = registry.node.defaultChild as ApiObject;
  deployment.addJsonPatch(
    JsonPatch.add('/spec/template/spec/volumes/-', { name: 'corp-ca', configMap: { name: 'corp-ca' } }),
    JsonPatch.add('/spec/template/spec/containers/0/volumeMounts/-', { name: 'corp-ca', mountPath: '/etc/ssl/corp', readOnly: true }),
  );
  return chart;
}
