import { Chart, Testing } from 'cdk8s';

import { Registry, RegistryProxyDaemonSet, RegistryProxyNetwork, RegistryStorage, RegistryTls } from '../lib';
import { container, find, schemaProblems, selects, synthValidated, testChart } from './util';

function proxyObjects(props: Partial<ConstructorParameters<typeof RegistryProxyDaemonSet>[2]> = {}) {
  const { app, chart } = testChart('tools');
  const registry = new Registry(chart, 'registry');
  const proxy = new RegistryProxyDaemonSet(chart, 'proxy', { registry, ...props });
  return { registry, proxy, objects: synthValidated(app) };
}

describe('RegistryProxyDaemonSet defaults', () => {
  const { registry, proxy, objects } = proxyObjects();
  const daemonSet = find(objects, 'DaemonSet', 'proxy');
  const nginx = container(daemonSet, 'nginx');

  test('snapshot', () => {
    expect(objects.filter(o => o.metadata.name.startsWith('proxy'))).toMatchSnapshot();
  });

  test('all objects validate', () => {
    expect(schemaProblems(objects)).toEqual([]);
  });

  test('forwards to the registry Service by <service>.<namespace>.svc:<port>', () => {
    expect(proxy.upstream).toBe('registry.tools.svc:5000');
    const conf = find(objects, 'ConfigMap', 'proxy-config').data['nginx.conf'];
    expect(conf).toBe(proxy.nginxConfig);
    expect(conf).toContain('server registry.tools.svc:5000;');
    expect(conf).toContain('listen 8080;');
  });

  test('nginx.conf has the directives a registry proxy needs', () => {
    for (const directive of [
      'client_max_body_size 0;', 'proxy_set_header Host $http_host;', 'chunked_transfer_encoding on;',
      'proxy_request_buffering off;', 'proxy_http_version 1.1;', 'proxy_max_temp_file_size 0;', 'proxy_read_timeout 900s;',
    ]) {
      expect(proxy.nginxConfig).toContain(directive);
    }
  });

  test('hostPort 5000 on the node\'s loopback, to the non-root nginx on 8080', () => {
    expect(nginx.ports).toEqual([{ name: 'registry', containerPort: 8080, hostPort: 5000, hostIP: '127.0.0.1', protocol: 'TCP' }]);
    expect(proxy.nodeHost).toBe('localhost:5000');
  });

  test('runs the pinned unprivileged nginx with the generated config, read-only', () => {
    expect(nginx.image).toBe('nginxinc/nginx-unprivileged:1.31.0-alpine');
    expect(nginx.imagePullPolicy).toBe('IfNotPresent');
    expect(nginx.command).toEqual(['nginx', '-p', '/tmp/nginx/', '-c', '/etc/registry-proxy/nginx.conf', '-e', 'stderr']);
    expect(nginx.volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/registry-proxy', readOnly: true });
    expect(daemonSet.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 101 });
    expect(nginx.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true });
  });

  test('never surges (the hostPort is taken) and tolerates every taint', () => {
    expect(daemonSet.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
    expect(daemonSet.spec.template.spec.tolerations).toEqual([{ operator: 'Exists' }]);
  });

  test('the registry Service never selects the proxy pods', () => {
    const service = find(objects, 'Service', 'registry');
    expect(selects(service.spec.selector, daemonSet.spec.template.metadata.labels)).toBe(false);
    expect(selects(daemonSet.spec.selector.matchLabels, daemonSet.spec.template.metadata.labels)).toBe(true);
    expect(selects(daemonSet.spec.selector.matchLabels, find(objects, 'Deployment', 'registry').spec.template.metadata.labels)).toBe(false);
    expect(registry.namespace).toBe(proxy.namespace);
  });
});

describe('RegistryProxyDaemonSet options', () => {
  test('an external registry, every node address, no tolerations', () => {
    const { app, chart } = testChart('edge');
    const proxy = new RegistryProxyDaemonSet(chart, 'mirror-proxy', {
      registry: Registry.fromUrl('http://mirror.corp.internal:8080'), hostPort: 5001, hostIP: '0.0.0.0', tolerateAllTaints: false,
    });
    const objects = synthValidated(app);
    const daemonSet = find(objects, 'DaemonSet', 'mirror-proxy');
    expect(proxy.namespace).toBe('edge');
    expect(proxy.nginxConfig).toContain('server mirror.corp.internal:8080;');
    expect(container(daemonSet, 'nginx').ports).toEqual([{ name: 'registry', containerPort: 8080, hostPort: 5001, protocol: 'TCP' }]);
    expect(daemonSet.spec.template.spec.tolerations).toBeUndefined();
    expect(schemaProblems(objects)).toEqual([]);
  });
});

describe('RegistryProxyDaemonSet in the node\'s network (RegistryProxyNetwork.HOST_NETWORK)', () => {
  const { proxy, objects } = proxyObjects({ network: RegistryProxyNetwork.HOST_NETWORK, hostPort: 5010 });
  const daemonSet = find(objects, 'DaemonSet', 'proxy');
  const spec = daemonSet.spec.template.spec;
  const nginx = container(daemonSet, 'nginx');

  test('snapshot', () => {
    expect(objects.filter(o => o.metadata.name.startsWith('proxy'))).toMatchSnapshot();
  });

  test('hostNetwork with cluster DNS, so nginx still resolves the registry Service', () => {
    expect(proxy.network).toBe(RegistryProxyNetwork.HOST_NETWORK);
    expect(spec.hostNetwork).toBe(true);
    expect(spec.dnsPolicy).toBe('ClusterFirstWithHostNet');
    expect(proxy.upstream).toBe('registry.tools.svc:5000');
  });

  test('nginx itself listens on hostIP:hostPort; the port is declared so the scheduler sees a clash', () => {
    expect(proxy.nginxConfig).toContain('listen 127.0.0.1:5010;');
    expect(proxy.nginxConfig).not.toContain('listen 8080;');
    expect(nginx.ports).toEqual([{ name: 'registry', containerPort: 5010, hostPort: 5010, hostIP: '127.0.0.1', protocol: 'TCP' }]);
    expect(proxy.nodeHost).toBe('localhost:5010');
  });

  test('probes go to the address nginx binds, not the pod IP (the node\'s)', () => {
    expect(nginx.readinessProbe.httpGet).toEqual({ path: '/proxy-healthz', port: 5010, host: '127.0.0.1' });
    expect(nginx.livenessProbe.httpGet).toEqual({ path: '/proxy-healthz', port: 5010, host: '127.0.0.1' });
  });

  test('the same non-root, read-only nginx as behind a hostPort', () => {
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 101 });
    expect(nginx.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true });
    expect(daemonSet.spec.updateStrategy.rollingUpdate.maxSurge).toBe(0);
  });

  test('hostIP 0.0.0.0 listens on every node address, probed on the pod IP', () => {
    const open = proxyObjects({ network: RegistryProxyNetwork.HOST_NETWORK, hostIP: '0.0.0.0' });
    expect(open.proxy.nginxConfig).toContain('listen 5000;');
    expect(container(find(open.objects, 'DaemonSet', 'proxy'), 'nginx').readinessProbe.httpGet).toEqual({ path: '/proxy-healthz', port: 5000 });
  });

  test('the default stays the hostPort (the tutorial\'s)', () => {
    const { proxy: p, objects: o } = proxyObjects();
    expect(p.network).toBe(RegistryProxyNetwork.HOST_PORT);
    expect(find(o, 'DaemonSet', 'proxy').spec.template.spec.hostNetwork).toBeUndefined();
  });

  test('a hostNetwork proxy and a hostPort proxy on the same port clash', () => {
    const { app, chart } = testChart('tools');
    const registry = new Registry(chart, 'registry');
    new RegistryProxyDaemonSet(chart, 'a', { registry, network: RegistryProxyNetwork.HOST_NETWORK });
    new RegistryProxyDaemonSet(chart, 'b', { registry });
    expect(() => app.synthYaml()).toThrow(/hostPort 5000 is claimed on every node/);
  });
});

describe('RegistryProxyDaemonSet to a TLS registry', () => {
  test('speaks HTTPS upstream with SNI for the Service name', () => {
    const { app, chart } = testChart('tools');
    const registry = new Registry(chart, 'registry', { tls: RegistryTls.fromSecret('registry-tls') });
    const proxy = new RegistryProxyDaemonSet(chart, 'proxy', { registry });
    synthValidated(app);
    expect(registry.clusterUrl).toBe('https://registry.tools.svc:5000');
    expect(proxy.nginxConfig).toContain('proxy_pass https://registry;');
    expect(proxy.nginxConfig).toMatch(/^\s*proxy_ssl_name registry\.tools\.svc;$/m);
    expect(proxy.nginxConfig).toContain('proxy_ssl_server_name on;');
  });
});

describe('RegistryProxyDaemonSet bad input', () => {
  const registry = Registry.fromUrl('http://r.ns.svc:5000');
  const cases: Array<[string, Partial<ConstructorParameters<typeof RegistryProxyDaemonSet>[2]>, string]> = [
    ['hostPort out of range', { hostPort: 0 }, 'hostPort must be a whole number within 1-65535 (got 0)'],
    ['hostIP not an address', { hostIP: 'localhost' }, 'hostIP must be an IPv4 address such as "127.0.0.1" or "0.0.0.0" (got "localhost")'],
    ['invalid name', { name: 'proxy.v2' }, 'name must be a DNS-1035 label of at most 63 characters: lowercase letters, digits and "-", ' +
      'starting with a letter and ending with a letter or digit (got "proxy.v2")'],
    ['drainSeconds negative', { drainSeconds: -1 }, 'drainSeconds must be a whole number of seconds within 0-86400 (got -1); omit it for 600'],
    ['drainSeconds as a string', { drainSeconds: '600' as any }, 'drainSeconds must be a whole number (got "600", a string)'],
    ['network not a RegistryProxyNetwork', { network: 'hostNetwork' as any }, 'network must be one of RegistryProxyNetwork.HOST_PORT, ' +
      'RegistryProxyNetwork.HOST_NETWORK ("HostPort", "HostNetwork") (got "hostNetwork", a string)'],
    ['empty image', { image: ' ' }, 'image must be an image reference such as "nginxinc/nginx-unprivileged:1.31.0-alpine", or pinned by digest as ' +
      '"nginxinc/nginx-unprivileged:1.31.0-alpine@sha256:<64 hex digits>" (got " "); omit it to use "nginxinc/nginx-unprivileged:1.31.0-alpine"'],
  ];

  test.each(cases)('%s', (_label, props, message) => {
    const { chart } = testChart('tools');
    expect(() => new RegistryProxyDaemonSet(chart, 'proxy', { registry, ...props }))
      .toThrow(new Error(`RegistryProxyDaemonSet at "test/proxy": ${message}`));
  });
});

describe('RegistryProxyDaemonSet hostPort clashes across the app', () => {
  function app2(a: { hostIP?: string; hostPort?: number }, b: { hostIP?: string; hostPort?: number }) {
    const app = Testing.app();
    const ca = new Chart(app, 'a', { namespace: 'team-a' });
    const cb = new Chart(app, 'b', { namespace: 'team-b' });
    const ra = new Registry(ca, 'registry', { nodePort: 31500 });
    const rb = new Registry(cb, 'registry', { nodePort: 31501 });
    new RegistryProxyDaemonSet(ca, 'proxy', { registry: ra, ...a });
    new RegistryProxyDaemonSet(cb, 'proxy', { registry: rb, ...b });
    return app;
  }

  test('two proxies on one hostIP:hostPort, in any namespaces, are refused: the second one\'s pods would stay Pending', () => {
    expect(() => app2({}, {}).synthYaml()).toThrow('hostPort 5000 is claimed on every node by RegistryProxyDaemonSet at "a/proxy" ' +
      '(hostIP 127.0.0.1) and RegistryProxyDaemonSet at "b/proxy" (hostIP 127.0.0.1); the second DaemonSet\'s pods would stay ' +
      'Pending ("didn\'t have free ports"): give each its own hostPort');
  });

  test('0.0.0.0 clashes with any address on the same port, as the scheduler sees it', () => {
    expect(() => app2({ hostIP: '0.0.0.0' }, {}).synthYaml()).toThrow(/hostPort 5000 is claimed on every node/);
  });

  test('different ports, or two specific addresses, do not clash', () => {
    expect(() => app2({}, { hostPort: 5001 }).synthYaml()).not.toThrow();
    expect(() => app2({ hostIP: '127.0.0.1' }, { hostIP: '127.0.0.2' }).synthYaml()).not.toThrow();
  });
});

describe('images pinned by digest', () => {
  const digest = 'sha256:' + 'a'.repeat(64);

  test.each([
    ['proxy', () => { const { chart } = testChart('x'); return new RegistryProxyDaemonSet(chart, 'p', { registry: Registry.fromUrl('http://r:5000'), image: `nginxinc/nginx-unprivileged:1.31.0-alpine@${digest}` }).image; }],
    ['registry', () => { const { chart } = testChart('x'); return new Registry(chart, 'r', { image: `registry:3.1.2@${digest}` }).image; }],
    ['a private mirror with a port', () => { const { chart } = testChart('x'); return new Registry(chart, 'r', { image: `mirror.corp:5000/library/registry:3.1.2@${digest}` }).image; }],
  ])('%s: name:tag@sha256:<digest> is accepted as it is', (_label, make) => {
    expect(make()).toMatch(/@sha256:a{64}$/);
  });

  test.each([
    ['a short digest', 'registry:3.1.2@sha256:abc'],
    ['an upper-case name', 'Registry:3.1.2'],
    ['a URL', 'https://registry-1.docker.io/registry:3'],
  ])('%s is refused', (_label, image) => {
    const { chart } = testChart('x');
    expect(() => new Registry(chart, 'r', { image })).toThrow(
      `image must be an image reference such as "registry:3.1.2", or pinned by digest as "registry:3.1.2@sha256:<64 hex digits>" (got ${JSON.stringify(image)})`);
  });

  test('a number is refused by the shape of the props, before any rule reads it', () => {
    const { chart } = testChart('x');
    expect(() => new Registry(chart, 'r', { image: 3 as any })).toThrow(new Error('Registry at "test/r": image must be a string (got 3, a number)'));
  });

  test('the garbage-collection job\'s kubectlImage is checked the same way', () => {
    const { chart } = testChart('x');
    expect(() => new Registry(chart, 'r', {
      deletion: true, garbageCollection: { kubectlImage: 'kubectl latest' }, storage: RegistryStorage.persistentVolume(),
    })).toThrow('garbageCollection.kubectlImage must be an image reference such as "registry.k8s.io/kubectl:v1.37.2"');
  });
});
