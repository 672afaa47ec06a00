// Pod Security admission by the real API server: the registry and UI pods pass `restricted`; the proxy's hostPort
// needs a namespace that allows it, and a `baseline` namespace refuses its pods with the message the README quotes.
import { Chart, Testing } from 'cdk8s';
import * as fs from 'fs';
import * as path from 'path';

import { PrivateRegistry, Registry, RegistryProxyDaemonSet, RegistryStorage, RegistryUI } from '../../lib';
import { Cluster } from './cluster';

const README = fs.readFileSync(path.resolve(__dirname, '..', '..', 'README.md'), 'utf8');
let cluster: Cluster;

beforeAll(() => { cluster = Cluster.boot(); }, 300_000);
afterAll(() => cluster?.stop(), 180_000);

async function namespace(name: string, level: string): Promise<void> {
  await cluster.k('create', 'namespace', name);
  await cluster.k('label', 'namespace', name, `pod-security.kubernetes.io/enforce=${level}`,
    `pod-security.kubernetes.io/warn=${level}`);
}

/** The library's objects for one app, as YAML. */
function synth(build: (chart: Chart) => void): string {
  const app = Testing.app();
  build(new Chart(app, 'psa'));
  return app.synthYaml();
}

describe('Pod Security admission on a real API server', () => {
  let registry: Registry;
  const registryYaml = synth(chart => {
    registry = new Registry(chart, 'registry', { namespace: 'psa-restricted', storage: RegistryStorage.emptyDir() });
    new RegistryUI(chart, 'ui', { registry, namespace: 'psa-restricted', nodePort: 31001 });
  });
  const proxyYaml = (ns: string, name: string) => synth(chart => {
    const external = Registry.fromUrl('http://registry.psa-restricted.svc:5000');
    new RegistryProxyDaemonSet(chart, 'proxy', { registry: external, namespace: ns, name, hostPort: 5000 });
  });

  test('registry and UI pods are admitted and run in a namespace enforcing restricted', async () => {
    await namespace('psa-restricted', 'restricted');
    const out = await cluster.applyText(registryYaml);
    expect(out).not.toMatch(/would violate PodSecurity/);
    await cluster.k('-n', 'psa-restricted', 'rollout', 'status', 'deployment/registry', '--timeout=180s');
    await cluster.k('-n', 'psa-restricted', 'rollout', 'status', 'deployment/ui', '--timeout=120s');
  });

  test('in a baseline namespace the proxy is refused: the warning on apply and the DaemonSet event', async () => {
    await namespace('psa-baseline', 'baseline');
    const r = await cluster.kubectl(['apply', '-f', '-'], { input: proxyYaml('psa-baseline', 'proxy') });
    expect(r.code).toBe(0);
    const warning = 'would violate PodSecurity "baseline:latest": hostPort (container "nginx" uses hostPort 5000)';
    expect(r.stderr).toContain(`Warning: ${warning}`);
    const events = await cluster.waitFor('the DaemonSet to report FailedCreate', ['-n', 'psa-baseline', 'get', 'events',
      '--field-selector', 'involvedObject.name=proxy,reason=FailedCreate', '-o', 'jsonpath={.items[*].message}'], out => out.length > 0, 60_000);
    expect(events).toContain('violates PodSecurity "baseline:latest": hostPort (container "nginx" uses hostPort 5000)');
    expect(await cluster.k('-n', 'psa-baseline', 'get', 'pods', '-o', 'name')).toBe('');
    // What a user sees is what the README tells them.
    expect(README).toContain(warning);
  });

  test('in a namespace enforcing privileged (kube-system on most clusters) the proxy runs', async () => {
    await namespace('psa-privileged', 'privileged');
    const out = await cluster.applyText(proxyYaml('psa-privileged', 'proxy'));
    expect(out).not.toMatch(/would violate PodSecurity/);
    await cluster.k('-n', 'psa-privileged', 'rollout', 'status', 'daemonset/proxy', '--timeout=120s');
  });

  test('a PrivateRegistry applied into a namespace that does not exist: its Namespace comes first, privileged, and every part runs', async () => {
    expect((await cluster.kubectl(['get', 'namespace', 'platform'])).code).not.toBe(0);
    const yaml = synth(chart => new PrivateRegistry(chart, 'images', {
      namespace: 'platform', registry: { nodePort: 31503 }, proxy: { hostPort: 5004 }, ui: { nodePort: 31004 },
    }));
    const out = await cluster.applyText(yaml);
    expect(out.split('\n')[0]).toBe('namespace/platform created');
    expect(out).not.toMatch(/would violate PodSecurity/);
    expect(await cluster.k('get', 'namespace', 'platform', '-o', 'jsonpath={.metadata.labels.pod-security\\.kubernetes\\.io/enforce}')).toBe('privileged');
    await cluster.k('-n', 'platform', 'rollout', 'status', 'deployment/images', '--timeout=180s');
    await cluster.k('-n', 'platform', 'rollout', 'status', 'daemonset/images-proxy', '--timeout=120s');
    await cluster.k('-n', 'platform', 'rollout', 'status', 'deployment/images-ui', '--timeout=120s');
  });
});
