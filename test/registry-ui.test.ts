import { Registry, RegistryUI } from '../lib';
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

describe('RegistryUI bad input', () => {
  const cases: Array<[string, Partial<ConstructorParameters<typeof RegistryUI>[2]>, string]> = [
    ...['R&D images', 'a~b', 'a^b', 'say "hi"'].map((title): [string, Partial<ConstructorParameters<typeof RegistryUI>[2]>, string] =>
      [`title ${title}`, { title }, 'title must not contain &, ~, ^, ", \\ or a line break, which the UI image\'s entrypoint cannot substitute ' +
        `(got ${JSON.stringify(title)}); write "and" for "&"`]),
    ['nodePort out of range', { nodePort: 8080 },
      'nodePort must be a whole number within 30000-32767, the cluster\'s default NodePort range (got 8080); pick a free port in that range'],
    ['pullHost with a quote', { pullHost: 'localhost:5000"' }, 'pullHost must be a host[:port] such as "localhost:5000" (got "localhost:5000\\"")'],
    ['replicas', { replicas: -1 }, 'replicas must be a whole number of at least 1 (got -1)'],
    ['broken image version', { image: 'joxit/docker-registry-ui:2.5.3' },
      'image joxit/docker-registry-ui:2.5.3 cannot resolve Kubernetes Service names (joxit/docker-registry-ui#339); use 2.5.5 or later'],
    ['empty image', { image: '' }, 'image must be an image reference without spaces (got ""); omit it to use "joxit/docker-registry-ui:2.6.0"'],
    ['invalid deployment name', { deploymentName: 'UI' }, 'deploymentName must be a DNS-1035 label of at most 63 characters: ' +
      'lowercase letters, digits and "-", starting with a letter and ending with a letter or digit (got "UI")'],
  ];

  test.each(cases)('%s', (_label, props, message) => {
    const { chart } = testChart('tools');
    expect(() => new RegistryUI(chart, 'ui', { registry: Registry.fromUrl('http://r.tools.svc:5000'), ...props }))
      .toThrow(new Error(`RegistryUI at "test/ui": ${message}`));
  });
});
