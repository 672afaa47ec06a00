import { parse } from 'yaml';

import { Registry, RegistryAuth, RegistryUI, RegistryUIConnection, SecretKey } from '../lib';
import { container, find, schemaProblems, selects, synthValidated, testChart } from './util';

function uiObjects(props: Partial<ConstructorParameters<typeof RegistryUI>[2]> = {}) {
  const { app, chart } = testChart('tools');
  const registry = new Registry(chart, 'registry');
  const ui = new RegistryUI(chart, 'ui', { registry, ...props });
  return { ui, objects: synthValidated(app) };
}

function envOf(workload: any): Record<string, string> {
  return Object.fromEntries(container(workload, 'ui').env.map((e: any) => [e.name, e.value]));
}

describe('RegistryUI defaults', () => {
  const { ui, objects } = uiObjects();
  const deployment = find(objects, 'Deployment', 'ui');
  const service = find(objects, 'Service', 'ui');

  test('snapshot', () => {
    expect([deployment, service]).toMatchSnapshot();
  });

  test('all objects validate', () => {
    expect(schemaProblems(objects)).toEqual([]);
  });

  test('proxy mode to the registry\'s in-cluster URL, one registry, no CORS mode', () => {
    const env = envOf(deployment);
    expect(env).toEqual({
      NGINX_PROXY_PASS_URL: 'http://registry.tools.svc:5000',
      NGINX_LISTEN_PORT: '8080',
      SINGLE_REGISTRY: 'true',
      REGISTRY_TITLE: 'Private registry',
      DELETE_IMAGES: 'false',
      ENABLE_VERSION_NOTIFICATION: 'false',
    });
    expect(env.REGISTRY_URL).toBeUndefined();
    expect(ui.proxyPassUrl).toBe('http://registry.tools.svc:5000');
  });

  test('NodePort 31000 to nginx on 8080 as uid 101, probed over HTTP', () => {
    expect(service.spec.type).toBe('NodePort');
    expect(service.spec.ports).toEqual([{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 31000 }]);
    expect(selects(service.spec.selector, deployment.spec.template.metadata.labels)).toBe(true);
    const c = container(deployment, 'ui');
    expect(c.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/', port: 8080 });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/', port: 8080 });
    expect(c.image).toBe('joxit/docker-registry-ui:2.6.0');
    expect(deployment.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 101, fsGroup: 101 });
  });

  test('the registry Service does not select the UI pods', () => {
    expect(selects(find(objects, 'Service', 'registry').spec.selector, deployment.spec.template.metadata.labels)).toBe(false);
  });
});

describe('RegistryUI options', () => {
  test('deployment name, title, pull host and node port', () => {
    const { objects } = uiObjects({ deploymentName: 'ui-deployment', title: 'Team A images', pullHost: 'localhost:5000', nodePort: 31001 });
    const deployment = find(objects, 'Deployment', 'ui-deployment');
    expect(envOf(deployment)).toMatchObject({ REGISTRY_TITLE: 'Team A images', PULL_URL: 'localhost:5000' });
    expect(find(objects, 'Service', 'ui').spec.ports[0].nodePort).toBe(31001);
  });
});

describe('RegistryUI selectorLabels (taking over a live UI Deployment)', () => {
  test('the Deployment and Service select the given labels, and the pods carry them', () => {
    const { objects } = uiObjects({ name: 'registry-ui', deploymentName: 'registry-ui-deployment', selectorLabels: { app: 'registry-ui' } });
    const deployment = find(objects, 'Deployment', 'registry-ui-deployment');
    expect(deployment.spec.selector).toEqual({ matchLabels: { app: 'registry-ui' } });
    expect(deployment.spec.template.metadata.labels).toMatchObject({ 'app': 'registry-ui', 'app.kubernetes.io/component': 'ui' });
    const service = find(objects, 'Service', 'registry-ui');
    expect(service.spec.selector).toEqual({ app: 'registry-ui' });
    expect(selects(service.spec.selector, deployment.spec.template.metadata.labels)).toBe(true);
  });
});

describe('RegistryUI and its registry', () => {
  function linked(uiProps: Partial<ConstructorParameters<typeof RegistryUI>[2]>, registryProps: ConstructorParameters<typeof Registry>[2] = {}) {
    const { app, chart } = testChart('tools');
    const registry = new Registry(chart, 'registry', registryProps);
    new RegistryUI(chart, 'ui', { registry, ...uiProps });
    const objects = synthValidated(app);
    return { registry, objects, config: parse(find(objects, 'ConfigMap', 'registry-config').data['config.yml']), env: envOf(find(objects, 'Deployment', 'ui')) };
  }

  test('deleteImages turns on deletion in the linked registry\'s config.yml and rolls it', () => {
    const before = linked({});
    const after = linked({ deleteImages: true });
    expect(before.config.storage.delete).toBeUndefined();
    expect(after.config.storage.delete).toEqual({ enabled: true });
    expect(after.env.DELETE_IMAGES).toBe('true');
    const checksum = (o: any) => find(o.objects, 'Deployment', 'registry').spec.template.metadata.annotations['checksum/config'];
    expect(checksum(after)).not.toBe(checksum(before));
  });

  test('direct mode: REGISTRY_URL for the browser, never NGINX_PROXY_PASS_URL, and CORS headers on the registry', () => {
    const { env, config } = linked({
      connection: RegistryUIConnection.direct({ browserUrl: 'http://10.0.0.5:31500', uiOrigin: 'http://10.0.0.5:31000' }), deleteImages: true,
    });
    expect(env.REGISTRY_URL).toBe('http://10.0.0.5:31500');
    expect(env.NGINX_PROXY_PASS_URL).toBeUndefined();
    expect(config.http.headers).toEqual({
      'X-Content-Type-Options': ['nosniff'],
      'Access-Control-Allow-Origin': ['http://10.0.0.5:31000'],
      'Access-Control-Allow-Methods': ['HEAD', 'GET', 'OPTIONS', 'DELETE'],
      'Access-Control-Allow-Headers': ['Authorization', 'Accept', 'Cache-Control'],
      'Access-Control-Expose-Headers': ['Docker-Content-Digest'],
    });
  });

  test('catalog limit within the registry\'s maxentries, content digests', () => {
    const { env, config } = linked({ catalogElementsLimit: 5000, showContentDigest: true }, { catalogMaxEntries: 5000 });
    expect(env).toMatchObject({ CATALOG_ELEMENTS_LIMIT: '5000', SHOW_CONTENT_DIGEST: 'true' });
    expect(config.catalog).toEqual({ maxentries: 5000 });
  });

  test('a catalog limit above the registry\'s maxentries is refused (the joxit chart\'s 100000 against the default 1000)', () => {
    const { chart } = testChart('tools');
    const registry = new Registry(chart, 'registry');
    expect(() => new RegistryUI(chart, 'ui', { registry, catalogElementsLimit: 100000 })).toThrow(new Error(
      'RegistryUI at "test/ui": catalog pages of 100000 (catalogElementsLimit) exceed the catalogMaxEntries 1000 of Registry at "test/registry": ' +
      'the registry would answer PAGINATION_NUMBER_INVALID; raise catalogMaxEntries on the Registry or lower the limit'));
  });

  test('catalog branches and tag order', () => {
    const { env } = linked({ catalogBranches: { min: 1, max: 2 }, taglistOrder: 'num-desc;alpha-asc' });
    expect(env).toMatchObject({ CATALOG_MIN_BRANCHES: '1', CATALOG_MAX_BRANCHES: '2', TAGLIST_ORDER: 'num-desc;alpha-asc' });
  });

  test('a refused UI leaves the registry unchanged', () => {
    const { app, chart } = testChart('tools');
    const registry = new Registry(chart, 'registry');
    expect(() => new RegistryUI(chart, 'ui', { registry, deleteImages: true, taglistOrder: 'newest' })).toThrow(/taglistOrder/);
    expect(registry.deletion).toBe(false);
    expect(parse(find(synthValidated(app), 'ConfigMap', 'registry-config').data['config.yml']).storage.delete).toBeUndefined();
  });

  test('direct mode against a registry with auth is refused', () => {
    const { chart } = testChart('tools');
    const registry = new Registry(chart, 'registry', { auth: RegistryAuth.htpasswd({ secret: SecretKey.fromSecret('users', 'htpasswd') }) });
    expect(() => new RegistryUI(chart, 'ui', { registry, connection: RegistryUIConnection.direct({ browserUrl: 'http://10.0.0.5:31500', uiOrigin: '*' }) }))
      .toThrow(new Error('RegistryUI at "test/ui": a browser on * (a direct connection) cannot call Registry at "test/registry", which ' +
        'requires auth: it answers the CORS preflight with 401; use RegistryUIConnection.proxy()'));
  });

  test('deleteImages against a pull-through cache is refused', () => {
    const { chart } = testChart('tools');
    const registry = new Registry(chart, 'registry', { pullThrough: { remoteUrl: 'https://registry-1.docker.io' } });
    expect(() => new RegistryUI(chart, 'ui', { registry, deleteImages: true }))
      .toThrow(new Error('RegistryUI at "test/ui": deletes images (deleteImages), but Registry at "test/registry" is a pull-through cache, ' +
        'which refuses deletes; drop deleteImages'));
  });

  test('an external registry refuses a UI that deletes unless it was declared to allow DELETE', () => {
    const { chart } = testChart('tools');
    expect(() => new RegistryUI(chart, 'ui', { registry: Registry.fromUrl('http://r.tools.svc:5000'), deleteImages: true }))
      .toThrow(new Error('RegistryUI at "test/ui": deletes images, but the registry at http://r.tools.svc:5000 was not declared to allow ' +
        'DELETE; pass Registry.fromUrl("http://r.tools.svc:5000", { deletion: true }) if its config has storage.delete.enabled'));
    const ui = new RegistryUI(chart, 'ui2', { registry: Registry.fromUrl('http://r.tools.svc:5000', { deletion: true }), deleteImages: true });
    expect(ui.env).toContainEqual({ name: 'DELETE_IMAGES', value: 'true' });
  });
});

describe('RegistryUI bad input', () => {
  const cases: Array<[string, Partial<ConstructorParameters<typeof RegistryUI>[2]>, string]> = [
    ...['R&D images', 'a~b', 'a^b', 'say "hi"'].map((title): [string, Partial<ConstructorParameters<typeof RegistryUI>[2]>, string] =>
      [`title ${title}`, { title }, 'title must not contain &, ~, ^, ", \\ or a line break, which the UI image\'s entrypoint cannot substitute ' +
        `(got ${JSON.stringify(title)}); write "and" for "&"`]),
    ['nodePort out of range', { nodePort: 8080 },
      'nodePort must be a whole number within 30000-32767, the cluster\'s default NodePort range (got 8080); pick a free port in that range'],
    ['pullHost with a quote', { pullHost: 'localhost:5000"' }, 'pullHost must be "host[:port]" with a port within 1-65535 and no scheme, such as "localhost:5000" (got "localhost:5000\\"")'],
    ['replicas', { replicas: -1 }, 'replicas must be a whole number of at least 1 (got -1)'],
    ['broken image version', { image: 'joxit/docker-registry-ui:2.5.3' },
      'image joxit/docker-registry-ui:2.5.3 cannot resolve Kubernetes Service names (joxit/docker-registry-ui#339); use 2.5.5 or later'],
    ['empty image', { image: '' }, 'image must be an image reference such as "joxit/docker-registry-ui:2.6.0", or pinned by digest as ' +
      '"joxit/docker-registry-ui:2.6.0@sha256:<64 hex digits>" (got ""); omit it to use "joxit/docker-registry-ui:2.6.0"'],
    ['in-cluster browser URL', { connection: RegistryUIConnection.direct({ browserUrl: 'http://registry-docker-registry:5000', uiOrigin: '*' }) },
      'connection browserUrl http://registry-docker-registry:5000 is an in-cluster name that a browser cannot resolve; ' +
      'give the NodePort or Ingress URL, or use RegistryUIConnection.proxy()'],
    ['mixed content', { connection: RegistryUIConnection.direct({ browserUrl: 'http://registry.example.com', uiOrigin: 'https://ui.example.com' }) },
      'connection browserUrl http://registry.example.com is plain HTTP but the UI is served over HTTPS: browsers block such mixed content'],
    ['ui origin with a path', { connection: RegistryUIConnection.direct({ browserUrl: 'http://10.0.0.5:31500', uiOrigin: 'http://10.0.0.5:31000/ui' }) },
      'connection uiOrigin must be "*" or an origin "scheme://host[:port]" with no path or trailing "/", as browsers send it (got "http://10.0.0.5:31000/ui")'],
    ['catalog branches min above max', { catalogBranches: { min: 3, max: 2 } },
      'catalogBranches must be whole numbers with 0 <= min <= max (got min 3, max 2)'],
    ['unknown tag order', { taglistOrder: 'newest' }, 'taglistOrder must be one of asc, desc, alpha-asc, alpha-desc, num-asc, num-desc, ' +
      'alpha-asc;num-asc, num-asc;alpha-asc, alpha-asc;num-desc, num-desc;alpha-asc, alpha-desc;num-asc, num-asc;alpha-desc, ' +
      'alpha-desc;num-desc, num-desc;alpha-desc (got "newest")'],
    ['invalid deployment name', { deploymentName: 'UI' }, 'deploymentName must be a DNS-1035 label of at most 63 characters: ' +
      'lowercase letters, digits and "-", starting with a letter and ending with a letter or digit (got "UI")'],
    ['empty selectorLabels', { selectorLabels: {} }, 'selectorLabels must be a non-empty map of label keys to values such as ' +
      '{ app: "registry-ui" } (got {}); omit it to use the library\'s labels'],
    ['selectorLabels as a string', { selectorLabels: 'app=registry-ui' as any }, 'selectorLabels must be a map of names to string values (got "app=registry-ui", a string)'],
    ['bad selector key', { selectorLabels: { 'my app': 'ui' } }, 'selectorLabels key "my app" is not a label key: an optional DNS prefix and "/", ' +
      'then at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit'],
    ['bad selector value', { selectorLabels: { app: 'registry ui' } }, 'selectorLabels value "registry ui" of "app" is not a label value: a string of ' +
      'at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit'],
  ];

  test.each(cases)('%s', (_label, props, message) => {
    const { chart } = testChart('tools');
    expect(() => new RegistryUI(chart, 'ui', { registry: Registry.fromUrl('http://r.tools.svc:5000'), ...props }))
      .toThrow(new Error(`RegistryUI at "test/ui": ${message}`));
  });
});
