import { Chart, Testing } from 'cdk8s';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

import { classicChart } from '../examples/classic';
import { privateTutorialChart } from '../examples/private-tutorial';
import { PrivateRegistry, Registry, RegistryUI } from '../lib';
import { container, find, KubeObject, schemaProblems, selects, synthValidated, testChart } from './util';

describe('the classic app (main.ts)', () => {
  const app = Testing.app();
  classicChart(app);
  const objects = synthValidated(app);

  test('snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  test('every object validates against the Kubernetes schemas', () => {
    expect(schemaProblems(objects)).toEqual([]);
  });

  test('the scenario\'s names, namespace and ports', () => {
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ConfigMap/registry-docker-registry-config',
      'Deployment/registry-docker-registry',
      'Service/registry-docker-registry',
      'ConfigMap/kube-registry-proxy-config',
      'DaemonSet/kube-registry-proxy',
      'Deployment/registry-ui-deployment',
      'Service/registry-ui',
    ]);
    expect(new Set(objects.map(o => o.metadata.namespace))).toEqual(new Set(['kube-system']));
    const registryService = find(objects, 'Service', 'registry-docker-registry');
    expect(registryService.spec.type).toBe('NodePort');
    expect(registryService.spec.ports).toEqual([{ name: 'registry', protocol: 'TCP', port: 5000, targetPort: 5000, nodePort: 31500 }]);
    const uiService = find(objects, 'Service', 'registry-ui');
    expect(uiService.spec.ports[0].nodePort).toBe(31000);
    const proxy = find(objects, 'DaemonSet', 'kube-registry-proxy');
    expect(container(proxy, 'nginx').ports[0]).toMatchObject({ hostPort: 5000 });
  });

  test('the proxy forwards to registry-docker-registry.kube-system port 5000, the UI proxies to the same', () => {
    const conf = find(objects, 'ConfigMap', 'kube-registry-proxy-config').data['nginx.conf'];
    expect(conf).toMatch(/^\s*server registry-docker-registry\.kube-system\.svc:5000;$/m);
    const ui = find(objects, 'Deployment', 'registry-ui-deployment');
    const env = container(ui, 'ui').env;
    expect(env).toContainEqual({ name: 'NGINX_PROXY_PASS_URL', value: 'http://registry-docker-registry.kube-system.svc:5000' });
    expect(env).toContainEqual({ name: 'PULL_URL', value: 'localhost:5000' });
  });

  test('every Service and workload selector matches its own pods and no others', () => {
    const workloads = objects.filter(o => o.kind === 'Deployment' || o.kind === 'DaemonSet');
    for (const service of objects.filter(o => o.kind === 'Service')) {
      const selected = workloads.filter(w => selects(service.spec.selector, w.spec.template.metadata.labels));
      expect(selected.map(w => w.metadata.name)).toHaveLength(1);
    }
    for (const w of workloads) {
      expect(selects(w.spec.selector.matchLabels, w.spec.template.metadata.labels)).toBe(true);
      expect(workloads.filter(other => selects(w.spec.selector.matchLabels, other.spec.template.metadata.labels))).toEqual([w]);
    }
  });

  test('dist/ holds exactly what the app synthesizes, and nothing else', () => {
    const dist = path.join(__dirname, '..', 'dist');
    expect(fs.readdirSync(dist)).toEqual(['registry.k8s.yaml']);
    const committed = parseAllDocuments(fs.readFileSync(path.join(dist, 'registry.k8s.yaml'), 'utf8')).map(d => d.toJSON());
    expect(committed).toEqual(objects);
  });
});

describe('composition', () => {
  test('two registries with proxies and UIs in two namespaces of one app do not collide', () => {
    const app = Testing.app();
    const a = new Chart(app, 'team-a', { namespace: 'team-a' });
    const b = new Chart(app, 'team-b', { namespace: 'team-b' });
    const ra = new PrivateRegistry(a, 'registry', { registry: { nodePort: 31500 }, proxy: { hostPort: 5000 }, ui: { nodePort: 31000 } });
    const rb = new PrivateRegistry(b, 'registry', { registry: { nodePort: 31501 }, proxy: { hostPort: 5001 }, ui: { nodePort: 31001 } });
    const objects = synthValidated(app);
    expect(schemaProblems(objects)).toEqual([]);
    const keys = objects.map(o => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(16);
    expect(ra.registry.clusterUrl).toBe('http://registry.team-a.svc:5000');
    expect(rb.registry.clusterUrl).toBe('http://registry.team-b.svc:5000');
    expect(rb.proxy!.upstream).toBe('registry.team-b.svc:5000');
    expect(rb.ui!.proxyPassUrl).toBe('http://registry.team-b.svc:5000');
    const nodePorts = objects.filter(o => o.kind === 'Service').map(o => o.spec.ports[0].nodePort);
    expect(new Set(nodePorts).size).toBe(4);
  });

  test('PrivateRegistry names its parts after the registry and can leave out the proxy and UI', () => {
    const { app, chart } = testChart('ci');
    const hub = new PrivateRegistry(chart, 'hub', { proxyEnabled: false, uiEnabled: false });
    const objects = synthValidated(app);
    expect(hub.proxy).toBeUndefined();
    expect(hub.ui).toBeUndefined();
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/ci', 'ConfigMap/hub-config', 'Deployment/hub', 'Service/hub',
    ]);
    const { app: app2, chart: chart2 } = testChart('ci');
    const full = new PrivateRegistry(chart2, 'hub');
    expect([full.proxy!.name, full.ui!.name]).toEqual(['hub-proxy', 'hub-ui']);
    const defaults = synthValidated(app2);
    expect(defaults).toHaveLength(8);
    expect(defaults).toMatchSnapshot('PrivateRegistry defaults');
  });

  test('two Services claiming one nodePort fail the app-wide validation, naming both', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a', { namespace: 'a' });
    const b = new Chart(app, 'b', { namespace: 'b' });
    new Registry(a, 'registry');
    const registryB = new Registry(b, 'registry', { nodePort: 31000 });
    new RegistryUI(b, 'ui', { registry: registryB });
    expect(() => app.synthYaml()).toThrow(new Error('Validation failed with the following errors:\n' +
      '  [] nodePort 31000 is claimed by 2 constructs: Registry at "b/registry", RegistryUI at "b/ui"; ' +
      'two Services in one cluster cannot share a nodePort: give each its own'));
  });

  test('two constructs rendering the same object name in one namespace fail validation', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a', { namespace: 'shared' });
    new Registry(a, 'one', { name: 'registry', nodePort: 31500 });
    new Registry(a, 'two', { name: 'registry', nodePort: 31501 });
    expect(() => app.synthYaml()).toThrow(/Deployment "shared\/registry" is claimed by 2 constructs: Registry at "a\/one", Registry at "a\/two"; give each construct its own name or namespace/);
  });

  test('app.synth writes nothing when validation fails', () => {
    const outdir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'synth-'));
    const app = Testing.app({ outdir });
    const chart = new Chart(app, 'c', { namespace: 'x' });
    new Registry(chart, 'one', { nodePort: 31500 });
    new Registry(chart, 'two', { nodePort: 31500 });
    expect(() => app.synth()).toThrow(/nodePort 31500 is claimed by 2 constructs/);
    expect(fs.readdirSync(outdir)).toEqual([]);
  });
});

describe('schema validation can fail', () => {
  test('a Deployment without containers is reported by kind and name', () => {
    const broken: KubeObject = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'broken' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: {} } },
    };
    expect(schemaProblems([broken])).toEqual([expect.stringMatching(/^Deployment broken: .*containers/)]);
    expect(schemaProblems([{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }]))
      .toEqual(['Widget w: no schema for example.com/v1 Widget']);
  });
});

describe('the second tutorial (main-private.ts, npm run synth:private)', () => {
  const app = Testing.app();
  privateTutorialChart(app);
  const objects = synthValidated(app);

  test('snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  test('release private: a ClusterIP Service private-docker-registry on 5000, emptyDir storage, in kube-system', () => {
    expect(objects.map(o => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'ConfigMap/kube-system/private-docker-registry-config',
      'Deployment/kube-system/private-docker-registry',
      'Service/kube-system/private-docker-registry',
      'ConfigMap/kube-system/registry-proxy-kube-registry-proxy-config',
      'DaemonSet/kube-system/registry-proxy-kube-registry-proxy',
      'Deployment/kube-system/registry-ui-deployment',
      'Service/kube-system/registry-ui',
    ]);
    const service = find(objects, 'Service', 'private-docker-registry');
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.ports).toEqual([{ name: 'registry', port: 5000, protocol: 'TCP', targetPort: 5000 }]);
    const volumes = find(objects, 'Deployment', 'private-docker-registry').spec.template.spec.volumes;
    expect(volumes).toContainEqual({ name: 'data', emptyDir: {} });
  });

  test('the proxy forwards hostPort 5000 to private-docker-registry.kube-system, the UI is on NodePort 31000', () => {
    const nginx = find(objects, 'ConfigMap', 'registry-proxy-kube-registry-proxy-config').data['nginx.conf'];
    expect(nginx).toContain('server private-docker-registry.kube-system.svc:5000;');
    const ports = find(objects, 'DaemonSet', 'registry-proxy-kube-registry-proxy').spec.template.spec.containers[0].ports;
    expect(ports).toEqual([{ name: 'registry', containerPort: 8080, hostPort: 5000, hostIP: '127.0.0.1', protocol: 'TCP' }]);
    expect(find(objects, 'Service', 'registry-ui').spec.ports[0].nodePort).toBe(31000);
  });

  test('dist-private/ holds exactly what the app synthesizes, and nothing else', () => {
    const dist = path.join(__dirname, '..', 'dist-private');
    expect(fs.readdirSync(dist)).toEqual(['private.k8s.yaml']);
    const committed = parseAllDocuments(fs.readFileSync(path.join(dist, 'private.k8s.yaml'), 'utf8')).map(d => d.toJSON());
    expect(committed).toEqual(objects);
  });
});
