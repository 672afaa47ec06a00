import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';

import {
  LocalRegistryHosting, PrivateRegistry, Registry, RegistryCache, RegistryProxyDaemonSet, RegistryStorage, RegistryUI,
  RegistryVersion,
} from '../lib';
import { container, find, selects, synthValidated, testChart } from './util';

describe('taking over a live Helm release', () => {
  const app = Testing.app();
  const chart = new Chart(app, 'kube-system', { namespace: 'kube-system' });
  const registry = new Registry(chart, 'registry', {
    helmRelease: 'registry', nodePort: 31500, storage: RegistryStorage.persistentVolume({ size: '10Gi' }),
  });
  new RegistryProxyDaemonSet(chart, 'proxy', { registry, helmRelease: 'registry-proxy' });
  const objects = synthValidated(app);

  test('snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  test('the stable/docker-registry chart\'s names and its immutable selector', () => {
    const deployment = find(objects, 'Deployment', 'registry-docker-registry');
    expect(deployment.spec.selector.matchLabels).toEqual({ app: 'docker-registry', release: 'registry' });
    expect(selects(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels)).toBe(true);
    const service = find(objects, 'Service', 'registry-docker-registry');
    expect(service.spec.selector).toEqual({ app: 'docker-registry', release: 'registry' });
    expect(service.spec.ports).toEqual([{ name: 'registry', protocol: 'TCP', port: 5000, targetPort: 5000, nodePort: 31500 }]);
    expect(find(objects, 'ConfigMap', 'registry-docker-registry-config')).toBeDefined();
    const pvc = find(objects, 'PersistentVolumeClaim', 'registry-docker-registry');
    expect(pvc.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } });
  });

  test('the kube-registry-proxy chart\'s DaemonSet name and selector', () => {
    const ds = find(objects, 'DaemonSet', 'registry-proxy-kube-registry-proxy');
    expect(ds.spec.selector.matchLabels).toEqual({ app: 'registry-proxy-kube-registry-proxy' });
    expect(selects(ds.spec.selector.matchLabels, ds.spec.template.metadata.labels)).toBe(true);
    // The registry Service must still not select the proxies.
    expect(selects(find(objects, 'Service', 'registry-docker-registry').spec.selector, ds.spec.template.metadata.labels)).toBe(false);
  });

  test('a release whose name already says docker-registry keeps it', () => {
    const { chart: c } = testChart('x');
    expect(new Registry(c, 'r', { helmRelease: 'my-docker-registry' }).name).toBe('my-docker-registry');
  });

  test('release names up to Helm\'s 53 characters: the chart\'s names are cut to 63 and lose a trailing "-"', () => {
    const { chart: c } = testChart('x');
    const release = 'a'.repeat(44) + '-registry';
    expect(release).toHaveLength(53);
    const r = new Registry(c, 'r', { helmRelease: release });
    expect(r.name).toBe(`${release}-docker-re`);
    expect(r.name).toHaveLength(63);
    expect(r.selectorLabels).toEqual({ app: 'docker-registry', release });
    const p = new RegistryProxyDaemonSet(c, 'p', { registry: r, helmRelease: 'b'.repeat(43) + '-proxy' });
    expect(p.name).toBe('b'.repeat(43) + '-proxy-kube-registry');
    // `<48 characters>-kube-registry-proxy` cut to 63 ends in "-": Helm trims it.
    const trailing = new RegistryProxyDaemonSet(c, 't', { registry: r, helmRelease: 'c'.repeat(48), hostPort: 5001 });
    expect(trailing.name).toBe('c'.repeat(48) + '-kube-registry');
    const rendered = synthValidated(c.node.root as any);
    expect(find(rendered, 'Deployment', r.name).spec.selector.matchLabels).toEqual({ app: 'docker-registry', release });
  });

  test('nameOverride and fullnameOverride releases', () => {
    const { chart: c } = testChart('x');
    const named = new Registry(c, 'a', { helmRelease: 'hub', helmNameOverride: 'images' });
    expect(named.name).toBe('hub-images');
    expect(named.selectorLabels).toEqual({ app: 'images', release: 'hub' });
    const full = new Registry(c, 'b', { helmRelease: 'hub2', helmFullnameOverride: 'registry', nodePort: 31501 });
    expect(full.name).toBe('registry');
    expect(full.selectorLabels).toEqual({ app: 'docker-registry', release: 'hub2' });
  });

  test('a release name over Helm\'s 53 characters is refused', () => {
    const { chart: c } = testChart('x');
    expect(() => new Registry(c, 'r', { helmRelease: 'r'.repeat(54) })).toThrow(
      `helmRelease must be a Helm release name: at most 53 lowercase letters, digits, "-" or ".", starting and ending with a letter or digit (got "${'r'.repeat(54)}")`);
  });

  test('a release name with capitals is refused', () => {
    const { chart: c } = testChart('x');
    expect(() => new Registry(c, 'r', { helmRelease: 'Registry' })).toThrow(
      'helmRelease must be a Helm release name: at most 53 lowercase letters, digits, "-" or ".", starting and ending with a letter or digit (got "Registry")');
  });

  test.each([
    ['an override without a release', { helmNameOverride: 'images' },
      'helmNameOverride and helmFullnameOverride describe a Helm release: set helmRelease too, or drop them'],
  ])('%s is refused', (_label, props, message) => {
    const { chart: c } = testChart('x');
    expect(() => new Registry(c, 'r', props)).toThrow(new Error(`Registry at "test/r": ${message}`));
  });

  test('a name that contradicts the release is refused', () => {
    const { chart: c } = testChart('x');
    expect(() => new Registry(c, 'r', { helmRelease: 'registry', name: 'hub' })).toThrow(new Error(
      'Registry at "test/r": name "hub" differs from the Helm release\'s object name "registry-docker-registry"; drop name to take over the release in place'));
  });
});

describe('registry 3.x', () => {
  test('config under /etc/distribution, redis addrs, the 3.1.2 image', () => {
    const { app, chart } = testChart('v3');
    new Registry(chart, 'registry', { version: RegistryVersion.V3, cache: RegistryCache.redis({ address: 'redis:6379' }) });
    const objects = synthValidated(app);
    const c = container(find(objects, 'Deployment', 'registry'), 'registry');
    expect(c.image).toBe('registry:3.1.2');
    expect(c.command).toEqual(['/bin/registry', 'serve', '/etc/distribution/config.yml']);
    expect(c.volumeMounts[0]).toEqual({ name: 'config', mountPath: '/etc/distribution', readOnly: true });
    expect(parse(find(objects, 'ConfigMap', 'registry-config').data['config.yml']).redis).toEqual({ addrs: ['redis:6379'], db: 0 });
  });
});

describe('NetworkPolicy', () => {
  test('admits the linked proxy and UI pods, the listed namespaces and CIDRs, on the registry and metrics ports', () => {
    const { app, chart } = testChart('tools');
    const registry = new Registry(chart, 'registry', { metrics: {}, networkPolicy: { allowNamespaces: ['ci'], allowCidrs: ['10.0.0.0/16'] } });
    const proxy = new RegistryProxyDaemonSet(chart, 'proxy', { registry, namespace: 'kube-system' });
    new RegistryUI(chart, 'ui', { registry });
    const objects = synthValidated(app);
    const policy = find(objects, 'NetworkPolicy', 'registry');
    expect(policy.spec.podSelector).toEqual({ matchLabels: registry.selectorLabels });
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    const ds = find(objects, 'DaemonSet', 'proxy');
    const ui = find(objects, 'Deployment', 'ui');
    expect(policy.spec.ingress).toEqual([{
      from: [
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: ds.spec.selector.matchLabels } },
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'tools' } }, podSelector: { matchLabels: ui.spec.selector.matchLabels } },
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ci' } } },
        { ipBlock: { cidr: '10.0.0.0/16' } },
      ],
      ports: [{ protocol: 'TCP', port: 5000 }, { protocol: 'TCP', port: 5001 }],
    }]);
    expect(proxy.namespace).toBe('kube-system');
  });

  test('bad CIDRs and namespaces are refused', () => {
    const { chart } = testChart('tools');
    expect(() => new Registry(chart, 'registry', { networkPolicy: { allowCidrs: ['10.0.0.0'], allowNamespaces: ['CI'] } })).toThrow(new Error(
      'Registry at "test/registry" has 2 problems:\n' +
      '- networkPolicy.allowCidrs[0] must be a CIDR such as "10.0.0.0/16" or "fd00::/8" (got "10.0.0.0")\n' +
      '- networkPolicy.allowNamespaces[0] must be a DNS-1123 label of at most 63 characters: lowercase letters, digits and "-", starting and ending with a letter or digit (got "CI")'));
  });
});

describe('discovery (KEP-1755)', () => {
  test('kube-public/local-registry-hosting from the registry and proxy objects', () => {
    const { app, chart } = testChart('kube-system');
    const hub = new PrivateRegistry(chart, 'registry', { discovery: { help: 'https://example.com/registry' } });
    const objects = synthValidated(app);
    const cm = find(objects, 'ConfigMap', 'local-registry-hosting');
    expect(cm.metadata.namespace).toBe('kube-public');
    expect(parse(cm.data['localRegistryHosting.v1'])).toEqual({
      host: 'localhost:5000',
      hostFromContainerRuntime: 'localhost:5000',
      hostFromClusterNetwork: 'registry.kube-system.svc:5000',
      help: 'https://example.com/registry',
    });
    expect(hub.discovery!.document).toBe(cm.data['localRegistryHosting.v1']);
  });

  test('discoveryEnabled: true with no options: host localhost:<port>, no help', () => {
    const { app, chart } = testChart('kube-system');
    new PrivateRegistry(chart, 'registry', { discoveryEnabled: true });
    const cm = find(synthValidated(app), 'ConfigMap', 'local-registry-hosting');
    expect(parse(cm.data['localRegistryHosting.v1'])).toEqual({
      host: 'localhost:5000',
      hostFromContainerRuntime: 'localhost:5000',
      hostFromClusterNetwork: 'registry.kube-system.svc:5000',
    });
  });

  test('one per cluster: a second one fails the app-wide validation', () => {
    const { app, chart } = testChart('a');
    const r = new Registry(chart, 'r1');
    new LocalRegistryHosting(chart, 'd1', { registry: r });
    new LocalRegistryHosting(chart, 'd2', { registry: r });
    expect(() => app.synthYaml()).toThrow(/ConfigMap "kube-public\/local-registry-hosting" is claimed by 2 constructs/);
  });

  test('bad host is refused', () => {
    const { chart } = testChart('a');
    expect(() => new LocalRegistryHosting(chart, 'd', { registry: Registry.fromUrl('http://r:5000'), host: 'http://localhost:5000' }))
      .toThrow(new Error('LocalRegistryHosting at "test/d": host must be "host[:port]" with a port within 1-65535 and no scheme, such as "localhost:5000" (got "http://localhost:5000")'));
  });
});
