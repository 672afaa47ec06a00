import { ApiObject, JsonPatch } from 'cdk8s';

import { Registry, RegistryProxyDaemonSet, RegistryUI } from '../lib';
import { container, find, synthValidated, testChart } from './util';

describe('escape hatches, the cdk8s way', () => {
  test('each construct\'s main object is its node.defaultChild and a public field', () => {
    const { chart } = testChart('tools');
    const registry = new Registry(chart, 'registry');
    const proxy = new RegistryProxyDaemonSet(chart, 'proxy', { registry });
    const ui = new RegistryUI(chart, 'ui', { registry });
    expect(registry.node.defaultChild).toBe(registry.deployment);
    expect(proxy.node.defaultChild).toBe(proxy.daemonSet);
    expect(ui.node.defaultChild).toBe(ui.deployment);
    for (const o of [registry.deployment, registry.service, registry.configMap, proxy.daemonSet, proxy.configMap, ui.deployment, ui.service]) {
      expect(o).toBeInstanceOf(ApiObject);
    }
    expect([registry.deployment.kind, registry.service.kind, registry.configMap.kind]).toEqual(['Deployment', 'Service', 'ConfigMap']);
  });

  test('the README\'s example: an extra volume and mount on the registry through addJsonPatch', () => {
    const { app, chart } = testChart('tools');
    const registry = new Registry(chart, 'registry');
    const deployment = registry.node.defaultChild as ApiObject;
    deployment.addJsonPatch(
      JsonPatch.add('/spec/template/spec/volumes/-', { name: 'ca', configMap: { name: 'corp-ca' } }),
      JsonPatch.add('/spec/template/spec/containers/0/volumeMounts/-', { name: 'ca', mountPath: '/etc/ssl/corp', readOnly: true }),
    );
    const objects = synthValidated(app);
    const d = find(objects, 'Deployment', 'registry');
    expect(d.spec.template.spec.volumes).toContainEqual({ name: 'ca', configMap: { name: 'corp-ca' } });
    expect(container(d, 'registry').volumeMounts).toContainEqual({ name: 'ca', mountPath: '/etc/ssl/corp', readOnly: true });
  });
});

describe('linked constructs', () => {
  test('a proxy and a UI of an external registry are part of themselves, not of the first word of its host', () => {
    const { app, chart } = testChart('tools');
    const external = Registry.fromUrl('http://mirror.corp.internal:8080');
    new RegistryProxyDaemonSet(chart, 'mirror-proxy', { registry: external, hostPort: 5001 });
    new RegistryUI(chart, 'mirror-ui', { registry: external });
    const objects = synthValidated(app);
    expect(find(objects, 'DaemonSet', 'mirror-proxy').metadata.labels['app.kubernetes.io/part-of']).toBe('mirror-proxy');
    expect(find(objects, 'Deployment', 'mirror-ui').metadata.labels['app.kubernetes.io/part-of']).toBe('mirror-ui');
  });

  test('a proxy and a UI of a Registry of this app are part of it', () => {
    const { app, chart } = testChart('tools');
    const registry = new Registry(chart, 'hub');
    new RegistryProxyDaemonSet(chart, 'proxy', { registry });
    new RegistryUI(chart, 'ui', { registry });
    const objects = synthValidated(app);
    expect(find(objects, 'DaemonSet', 'proxy').metadata.labels['app.kubernetes.io/part-of']).toBe('hub');
    expect(find(objects, 'Deployment', 'ui').metadata.labels['app.kubernetes.io/part-of']).toBe('hub');
  });

  test('addClient on a Registry: peers, CORS and deletion come from clients, whenever they are added', () => {
    const { app, chart } = testChart('tools');
    const registry = new Registry(chart, 'registry', { networkPolicy: {} });
    registry.addClient({ description: 'builder', namespace: 'ci', podSelector: { app: 'builder' } });
    registry.addClient({ description: 'page', namespace: 'web', browserOrigin: 'https://ui.example', deletes: true });
    const objects = synthValidated(app);
    const config = find(objects, 'ConfigMap', 'registry-config').data['config.yml'];
    expect(config).toContain('Access-Control-Allow-Origin:\n      - https://ui.example');
    expect(config).toContain('- DELETE');
    expect(config).toContain('delete:\n    enabled: true');
    expect(find(objects, 'NetworkPolicy', 'registry').spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ci' } }, podSelector: { matchLabels: { app: 'builder' } } },
    ]);
  });
});
