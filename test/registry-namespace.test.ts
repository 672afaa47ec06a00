import { Chart, Testing } from 'cdk8s';

import { PodSecurityLevel, PrivateRegistry, RegistryNamespace } from '../lib';
import { find, synthValidated } from './util';

function app(build: (chart: Chart) => void, namespace?: string) {
  const a = Testing.app();
  build(new Chart(a, 'c', { namespace }));
  return synthValidated(a);
}

describe('namespaces', () => {
  test('PrivateRegistry creates its namespace first, privileged for the proxy\'s hostPort, with no metadata.namespace', () => {
    const objects = app(c => new PrivateRegistry(c, 'hub'), 'platform');
    expect(objects[0].kind).toBe('Namespace');
    const ns = find(objects, 'Namespace', 'platform');
    expect(ns.metadata.namespace).toBeUndefined();
    expect(ns.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'cdk8s-private-registry',
      'pod-security.kubernetes.io/enforce': 'privileged',
      'pod-security.kubernetes.io/warn': 'privileged',
      'pod-security.kubernetes.io/audit': 'privileged',
    });
  });

  test('without the proxy the namespace enforces restricted, which every other pod of the library meets', () => {
    const objects = app(c => new PrivateRegistry(c, 'hub', { proxyEnabled: false }), 'platform');
    expect(find(objects, 'Namespace', 'platform').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test.each(['kube-system', 'default'])('the cluster\'s own %s is never created', namespace => {
    const objects = app(c => new PrivateRegistry(c, 'hub', { namespace }));
    expect(objects.filter(o => o.kind === 'Namespace')).toEqual([]);
  });

  test('createNamespace: false leaves the namespace to someone else', () => {
    expect(app(c => new PrivateRegistry(c, 'hub', { createNamespace: false }), 'platform').filter(o => o.kind === 'Namespace')).toEqual([]);
  });

  test('RegistryNamespace for parts composed by hand', () => {
    const objects = app(c => new RegistryNamespace(c, 'ns', { name: 'tools', podSecurity: PodSecurityLevel.BASELINE }));
    expect(find(objects, 'Namespace', 'tools').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
  });

  test.each([
    ['createNamespace on kube-system', (c: Chart) => new PrivateRegistry(c, 'hub', { namespace: 'kube-system', createNamespace: true }),
      'PrivateRegistry at "c/hub": createNamespace is true but "kube-system" is a namespace every cluster has; drop createNamespace'],
    ['createNamespace as a string', (c: Chart) => new PrivateRegistry(c, 'hub', { namespace: 'x', createNamespace: 'yes' as any }),
      'PrivateRegistry at "c/hub": createNamespace must be true or false (got "yes", a string)'],
    ['proxy options with proxyEnabled: false', (c: Chart) => new PrivateRegistry(c, 'hub', { proxyEnabled: false, proxy: { hostPort: 5001 } }),
      'PrivateRegistry at "c/hub": proxyEnabled is false but proxy options are given; drop one'],
    ['ui options with uiEnabled: false', (c: Chart) => new PrivateRegistry(c, 'hub', { uiEnabled: false, ui: { nodePort: 31001 } }),
      'PrivateRegistry at "c/hub": uiEnabled is false but ui options are given; drop one'],
    ['discovery options with discoveryEnabled: false', (c: Chart) => new PrivateRegistry(c, 'hub', { discoveryEnabled: false, discovery: { help: 'https://x' } }),
      'PrivateRegistry at "c/hub": discoveryEnabled is false but discovery options are given; drop one'],
    ['a RegistryNamespace for default', (c: Chart) => new RegistryNamespace(c, 'ns', { name: 'default' }),
      'RegistryNamespace at "c/ns": name "default" is a namespace every cluster has; do not create it (drop this construct, or set createNamespace: false on PrivateRegistry)'],
    ['an unknown level', (c: Chart) => new RegistryNamespace(c, 'ns', { name: 'x', podSecurity: 'strict' as any }),
      'RegistryNamespace at "c/ns": podSecurity must be one of PodSecurityLevel.PRIVILEGED, PodSecurityLevel.BASELINE, ' +
      'PodSecurityLevel.RESTRICTED ("privileged", "baseline", "restricted") (got "strict", a string)'],
  ])('%s is refused', (_label, build, message) => {
    expect(() => build(new Chart(Testing.app(), 'c'))).toThrow(new Error(message));
  });

  test('two PrivateRegistrys creating one namespace fail the app-wide validation', () => {
    const a = Testing.app();
    const c = new Chart(a, 'c', { namespace: 'shared' });
    new PrivateRegistry(c, 'one', { registry: { nodePort: 31500 }, proxy: { hostPort: 5000 }, uiEnabled: false });
    new PrivateRegistry(c, 'two', { registry: { nodePort: 31501 }, proxy: { hostPort: 5001 }, uiEnabled: false });
    expect(() => a.synthYaml()).toThrow(/Namespace "\/shared" is claimed by 2 constructs/);
  });
});
